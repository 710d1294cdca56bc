"""``tinynet.cuda``, as ``torch.cuda`` on a machine without a GPU: no device is available,
so the usual ``if torch.cuda.is_available():`` branches take the CPU path."""
import functools
import types

from tinynet.amp import GradScaler, autocast


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Ignored: there is no GPU generator (PyTorch ignores it without CUDA too)."""


def manual_seed_all(seed: int) -> None:
    """Ignored, as ``manual_seed``."""


def empty_cache() -> None:
    """Nothing to free: there is no GPU memory."""


def synchronize(device=None) -> None:
    """Nothing to wait for: every op has finished when it returns."""


def memory_allocated(device=None) -> int:
    """0: no GPU memory is used."""
    return 0


def max_memory_allocated(device=None) -> int:
    """0, as ``memory_allocated``."""
    return 0


class _GradScaler(GradScaler):
    """``torch.cuda.amp.GradScaler``'s signature (no device first)."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True):
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


# torch.cuda.amp's names (PyTorch's older home of autocast and GradScaler)
amp = types.SimpleNamespace(GradScaler=_GradScaler,
                            autocast=functools.partial(autocast, "cuda"))
