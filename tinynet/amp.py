"""``tn.amp`` (and ``tn.autocast``, ``tn.cuda.amp``), as PyTorch names mixed precision,
for scripts that set it up on any device (``GradScaler(enabled=use_cuda)``). tinynet
computes in its tensors' own dtypes and has no reduced-precision autocasting: ``autocast``
runs its block as it is, and ``GradScaler`` scales nothing (its scale is 1), as PyTorch's
do when disabled. Asked to be enabled, each says so once, with a warning."""
import functools
import warnings

_warned = set()


def _warn_once(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        warnings.warn(f"{what}: tinynet has no mixed precision; ops run in their tensors' "
                      f"dtypes, as with enabled=False", UserWarning, stacklevel=3)


class autocast:  # noqa: N801  (PyTorch's name)
    """A context manager (or decorator) that changes nothing; see the module docstring."""

    def __init__(self, device_type: str = "cpu", dtype=None, enabled: bool = True,
                 cache_enabled=None):
        self.device_type, self.dtype, self.enabled = device_type, dtype, bool(enabled)
        if self.enabled:
            _warn_once("autocast")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __call__(self, fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return run


class GradScaler:
    """A gradient scaler that scales by 1, as PyTorch's disabled one: ``scale(loss)`` is the
    loss, ``step(optimizer)`` is ``optimizer.step()``, ``unscale_`` and ``update`` do
    nothing. ``is_enabled()`` is False."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        if enabled:
            _warn_once("GradScaler")

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer) -> None:
        return None

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def is_enabled(self) -> bool:
        return False

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
