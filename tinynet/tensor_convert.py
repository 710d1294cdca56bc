"""``TensorConvert``: the Tensor methods about types, devices and printing: ``type``,
``nelement``, ``__index__``, ``__format__``, ``is_cuda``, ``cuda`` (``Tensor`` inherits
them; see ``tensor_math.py``)."""
from tinynet import dtypes


class TensorConvert:
    """Conversions and metadata, as in PyTorch."""

    __slots__ = ()

    def nelement(self) -> int:
        return self.array.size

    def type(self, dtype=None):
        """Without ``dtype``: the type's name, ``'tinynet.FloatTensor'`` for float32 (NOTE:
        ``'torch.FloatTensor'`` in PyTorch). With one (a dtype, a name such as
        ``'torch.LongTensor'``, or ``tn.LongTensor``): this tensor cast to it."""
        if dtype is None:
            return dtypes.tensor_type_name(self.array.dtype)
        return self.to(dtypes.from_tensor_type(dtype) if isinstance(dtype, str) else dtype)

    @property
    def is_cuda(self) -> bool:
        return False

    def cuda(self, *args, **kwargs):
        raise RuntimeError("cuda(): tinynet runs on the CPU only; keep tensors on the CPU "
                           "(guard the call with `if tinynet.cuda.is_available():`)")

    def __index__(self) -> int:
        """The Python int of a one-element integer tensor, so it can index a list or a
        ``range``, as in PyTorch."""
        if self.array.size != 1 or self.array.dtype.kind not in "biu":
            raise TypeError(f"only integer tensors of a single element can be converted to "
                            f"an index, got dtype {self.dtype} and shape {self.shape}")
        return int(self.array.item())

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``; ``f"{loss}"`` gives
        ``0.5``, as in PyTorch); so does a one-element tensor given a format spec (NOTE:
        PyTorch raises there). Otherwise ``str(tensor)``."""
        if self.array.ndim == 0 or format_spec and self.array.size == 1:
            return format(self.array.item(), format_spec)
        if format_spec:
            raise TypeError(f"format: a format spec ({format_spec!r}) needs a tensor with "
                            f"one element, got shape {self.shape}; format .item() or "
                            f".tolist() instead")
        return str(self)
