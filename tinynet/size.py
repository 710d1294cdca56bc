"""``tn.Size``: a tensor's shape as ``size()`` returns it, a tuple, as PyTorch's
``torch.Size``."""
import math
import numbers


class Size(tuple):
    """A shape: a tuple of ints (equal to the plain tuple of the same sizes), printed as
    ``tinynet.Size([2, 3])``. ``Tensor.size()`` returns one; ``Tensor.shape`` is numpy's
    plain tuple (equal to it), read at every op.

    Example:
        >>> import tinynet as tn
        >>> s = tn.zeros(2, 3).size()
        >>> s, s == (2, 3), s.numel(), s[1:]
        (tinynet.Size([2, 3]), True, 6, tinynet.Size([3]))
    """

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, n in enumerate(sizes):
            if isinstance(n, bool) or not isinstance(n, numbers.Integral):
                raise TypeError(f"Size: sizes must be ints, got {type(n).__name__} at "
                                f"position {i}: {n!r}")
        return super().__new__(cls, (int(n) for n in sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented  # (tuple's rule: Size([2]) + [3] is a TypeError)
        return Size(tuple(self) + other)

    def __mul__(self, times):
        return Size(tuple(self) * times)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"tinynet.Size({list(self)})"
