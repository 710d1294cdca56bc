"""Random generators: ``tn.Generator`` and the one global generator behind ``randn``,
``rand``, ``randint``, ``randperm``, ``normal``, ``multinomial`` and ``nn.init``.

``tn.manual_seed(s)`` reseeds the global generator, so the same seed gives the same
numbers. Every function that draws takes ``generator=``: a ``tn.Generator`` or any
``numpy.random.Generator`` (a ``tn.Generator`` is one).
"""
import contextlib
import copy
import json

import numpy as np

from tinynet.devices import check_device


class Generator(np.random.Generator):
    """A seedable source of random numbers, as ``torch.Generator``: a
    ``numpy.random.Generator`` (PCG64) with PyTorch's seeding methods.

    NOTE: the numbers differ from PyTorch's for the same seed (another algorithm), and
    ``get_state()`` returns numpy's state (a dict), not a byte tensor.

    Args:
        device: ``'cpu'`` (the only device).

    Example:
        >>> import tinynet as tn
        >>> g = tn.Generator().manual_seed(0)
        >>> a = tn.randn(3, generator=g)
        >>> b = tn.randn(3, generator=tn.Generator().manual_seed(0))
        >>> bool((a == b).all())
        True
    """

    def __init__(self, device="cpu"):
        check_device(device, "Generator")
        super().__init__(np.random.PCG64())
        self.device = device
        self.seed()

    def manual_seed(self, seed: int) -> "Generator":
        """Restart from ``seed`` (numpy's ``default_rng(seed)`` stream); returns self."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed: seed must be an integer, got {seed!r}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._initial_seed = int(seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh seed drawn from the operating system; returns it."""
        seed = int(np.random.SeedSequence().entropy % 2 ** 63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed of the last ``manual_seed`` or ``seed``."""
        return self._initial_seed

    def get_state(self) -> dict:
        """A copy of the generator's state (numpy's dict), for ``set_state``."""
        return copy.deepcopy(self.bit_generator.state)

    def set_state(self, state: dict) -> "Generator":
        """Return to a state from ``get_state``; returns self."""
        self.bit_generator.state = state
        return self

    def __reduce__(self):  # pickle and deepcopy keep the class, the seed and the state
        return _restore, (self.device, self._initial_seed, self.get_state())


def _restore(device, initial_seed: int, state: dict) -> Generator:
    generator = Generator(device)
    generator._initial_seed = initial_seed
    return generator.set_state(state)


_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator and return it (as ``torch.manual_seed``; it is a
    ``numpy.random.Generator`` too)."""
    return _generator.manual_seed(seed)


def seed() -> int:
    """Reseed the global generator from the operating system; returns the seed."""
    return _generator.seed()


def initial_seed() -> int:
    """The global generator's seed."""
    return _generator.initial_seed()


def get_rng_state():
    """The global generator's state as a uint8 tensor (its numpy state, written as JSON),
    for ``set_rng_state``; as PyTorch's, an opaque byte tensor."""
    from tinynet.tensor import Tensor  # (the tensor module imports this one)

    encoded = json.dumps(_generator.bit_generator.state).encode("utf-8")
    return Tensor._wrap(np.frombuffer(encoded, dtype=np.uint8).copy(), False, None)


def set_rng_state(new_state) -> None:
    """Return the global generator to a state from ``get_rng_state``."""
    array = getattr(new_state, "array", None)
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8 or array.ndim != 1:
        raise TypeError(f"set_rng_state: new_state must be the uint8 tensor get_rng_state "
                        f"returns, got {new_state!r:.80}")
    try:
        state = json.loads(array.tobytes().decode("utf-8"))
        _generator.bit_generator.state = state
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(f"set_rng_state: new_state is not a state get_rng_state returned "
                         f"({error})") from None


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, **unused_options):
    """Within the block, draws from the global generator are the block's own: on leaving
    it, the generator is back where it was (as ``torch.random.fork_rng``; there are no
    device generators, so ``devices`` and the other options are accepted and unused)."""
    if not enabled:
        yield
        return
    state = _generator.get_state()
    try:
        yield
    finally:
        _generator.set_state(state)


def default_generator() -> Generator:
    return _generator


def as_generator(generator, name: str) -> np.random.Generator:
    """``generator``, or the global one when None; anything but a ``numpy.random.Generator``
    (``tn.Generator`` is one) is an error naming the function ``name``."""
    if generator is None:
        return _generator
    if not isinstance(generator, np.random.Generator):
        kind = type(generator)
        raise TypeError(f"{name}: generator must be a tinynet.Generator or a "
                        f"numpy.random.Generator, got {kind.__module__}.{kind.__qualname__}"
                        + (" (PyTorch's: tinynet's draws are its own, not PyTorch's)"
                           if kind.__module__.split(".")[0] == "torch" else ""))
    return generator


def drawing_generator(generator, name: str) -> np.random.Generator:
    """``as_generator``, for values drawn outside an op (a random factory, an in-place
    fill, ``nn.init``): they enter the graph as constants, which ``tn.capture`` would
    replay as it recorded them, so it does not replay a function that draws so at each
    call (an op that draws, as dropout, draws again at each replay)."""
    from tinynet.autograd.observers import random_drawn  # (the autograd package is above)
    random_drawn()
    return as_generator(generator, name)
