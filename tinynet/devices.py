"""Devices, as ``torch.device``: tinynet computes on the CPU only.

``device("cuda")`` can still be made (as in PyTorch, without a GPU), so the usual
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` runs; putting a
tensor on any device but the CPU raises ``RuntimeError``.
"""
from tinynet.checks import choice_message

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta")


class device:  # noqa: N801  (PyTorch's name)
    """A device: ``type`` (``'cpu'``, ``'cuda'``...) and ``index`` (None or an int).

    Args:
        type: ``'cpu'``, ``'cuda'``, ``'cuda:1'``... or a ``device``.
        index: the device's number, or None.

    Example:
        >>> import tinynet as tn
        >>> tn.ones(2).device
        device(type='cpu')
        >>> tn.ones(2).device == tn.device("cpu"), tn.ones(2).device.type == "cpu"
        (True, True)
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's name)
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: type must be a string such as 'cpu', got {type!r}")
        name, colon, number = type.partition(":")
        if colon:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device: type must be a device string such as 'cpu' or "
                                   f"'cuda:0', got {type!r}")
            index = int(number)
        if name not in _TYPES:
            raise RuntimeError(choice_message("device", "type", name, _TYPES))
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                                  or index < 0):
            raise RuntimeError(f"device: index must be a non-negative integer, got {index!r}")
        self.type, self.index = name, index

    def __eq__(self, other):
        # NOTE: a device never equals a string, as in PyTorch: compare .type with "cpu"
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"


CPU = device("cpu")


def check_device(where, name: str = "device") -> None:
    """Accept None, ``"cpu"`` or ``device("cpu")``; raise RuntimeError for any other."""
    if where is None or where is CPU or where == "cpu":
        return
    if device(where).type != "cpu":
        raise RuntimeError(f"{name}: tinynet runs on the CPU only, got device {str(where)!r}")


def set_default_device(where) -> None:
    """Only the CPU is accepted (and None, which means the CPU)."""
    check_device(where, "set_default_device")


def get_default_device() -> device:
    return CPU
