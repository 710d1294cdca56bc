"""One switch between tinynet's two implementations of its hot ops and optimizers.

Every op and optimizer has a reference implementation that reads like the math in its
docstring: that is the code to learn from (and the code exercises are cut from). Where a
benchmark showed that speed needs it, a fast path sits beside it in a private module
(``ops/_fast.py``, ``optim/_foreach.py``): the same arithmetic in the same order, only
with fewer temporaries and fewer numpy calls, so both give the same numbers bit for bit
(``tests/test_fast_paths.py``). docs/performance.md measures what each buys.

The fast paths are on by default. Turn them off for the whole process with
``tn.set_fast_paths(False)`` (or the environment variable ``TINYNET_FAST_PATHS=0``), or
for a block::

    with tn.fast_paths(False):
        loss.backward()       # every op's reference backward

An optimizer's ``foreach`` argument (None by default: follow this switch) picks its path
for that optimizer alone, as in PyTorch.
"""
import os

_FAST_OF = {}   # reference op class -> its fast subclass (registered by ops/_fast.py)
ACTIVE = {}     # what Function.apply reads: _FAST_OF while the switch is on, else empty
_enabled = os.environ.get("TINYNET_FAST_PATHS", "1").strip().lower() not in ("0", "false",
                                                                             "no", "off")


def register(reference, fast) -> None:
    """Make ``fast`` (a subclass of the op ``reference``) run in its place while the
    switch is on."""
    if not issubclass(fast, reference):
        raise TypeError(f"register: the fast op must subclass {reference.__name__}, got "
                        f"{fast.__name__}")
    _FAST_OF[reference] = fast
    if _enabled:
        ACTIVE[reference] = fast


def set_fast_paths(enabled: bool) -> None:
    """Use the fast paths (True, the default) or the reference implementations (False)
    for every op and every optimizer built with ``foreach=None``."""
    global _enabled
    if not isinstance(enabled, bool):
        raise TypeError(f"set_fast_paths: enabled must be True or False, got {enabled!r}")
    _enabled = enabled
    ACTIVE.clear()
    if enabled:
        ACTIVE.update(_FAST_OF)


def fast_paths_enabled() -> bool:
    """Whether the fast paths are on (see ``set_fast_paths``)."""
    return _enabled


class fast_paths:
    """Context manager: the fast paths on (True) or off (False) inside the block, restored
    after it."""

    def __init__(self, enabled: bool):
        if not isinstance(enabled, bool):
            raise TypeError(f"fast_paths: enabled must be True or False, got {enabled!r}")
        self.enabled = enabled

    def __enter__(self):
        self.previous = _enabled
        set_fast_paths(self.enabled)
        return self

    def __exit__(self, *exc) -> None:
        set_fast_paths(self.previous)
