"""The one global random generator behind ``randn``, ``rand`` and ``nn.init``.

``tn.manual_seed(s)`` resets it, so the same seed gives the same numbers. Functions that
take an explicit ``generator`` (a ``numpy.random.Generator``) use that instead.
"""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the global generator; returns it (a ``numpy.random.Generator``)."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    return _generator
