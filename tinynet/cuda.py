"""``tinynet.cuda``, as ``torch.cuda`` on a machine without a GPU: no device is available,
so the usual ``if torch.cuda.is_available():`` branches take the CPU path."""


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
