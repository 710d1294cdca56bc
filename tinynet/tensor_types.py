"""PyTorch's legacy typed constructors: ``tn.FloatTensor([1, 2])``, ``tn.LongTensor(...)``.

``FloatTensor(data)`` is ``tensor(data, dtype=float32)``; ``FloatTensor(2, 3)`` (sizes)
(or ``FloatTensor(x.size())``, a ``tn.Size``) is an uninitialised 2×3 tensor, as in
PyTorch. ``isinstance(x, tn.FloatTensor)`` is true
for a float32 tensor, and ``x.type(tn.LongTensor)`` casts.
"""
import warnings

import numpy as np

from tinynet.dtypes import set_default_dtype
from tinynet.factories import empty, tensor
from tinynet.size import Size
from tinynet.tensor import Tensor


class _TypedTensorMeta(type):
    """Makes ``isinstance(x, FloatTensor)`` check the tensor's dtype."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


class _TypedTensor(metaclass=_TypedTensorMeta):
    dtype = None  # np.dtype reads this, so tn.FloatTensor works wherever a dtype does

    def __new__(cls, *args):
        if not args:
            return empty(0, dtype=cls.dtype)
        if len(args) == 1 and isinstance(args[0], Size):  # FloatTensor(x.size()): a shape
            args = tuple(args[0])
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return empty(*args, dtype=cls.dtype)  # sizes
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}: give the data (one argument) or sizes (ints), "
                            f"got {len(args)} arguments")
        return tensor(args[0], dtype=cls.dtype)


class FloatTensor(_TypedTensor):
    dtype = np.dtype(np.float32)


class DoubleTensor(_TypedTensor):
    dtype = np.dtype(np.float64)


class LongTensor(_TypedTensor):
    dtype = np.dtype(np.int64)


class IntTensor(_TypedTensor):
    dtype = np.dtype(np.int32)


class BoolTensor(_TypedTensor):
    dtype = np.dtype(np.bool_)


class ByteTensor(_TypedTensor):
    dtype = np.dtype(np.uint8)


def set_default_tensor_type(t) -> None:
    """PyTorch's older ``set_default_dtype``: ``FloatTensor`` or ``DoubleTensor`` (or its
    name, 'torch.DoubleTensor'), with PyTorch's deprecation warning."""
    warnings.warn("set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "set_default_dtype() as an alternative", UserWarning, stacklevel=2)
    if isinstance(t, str):
        name = t.rpartition(".")[2]
        t = {"FloatTensor": FloatTensor, "DoubleTensor": DoubleTensor}.get(name, t)
    if t not in (FloatTensor, DoubleTensor):
        raise TypeError(f"set_default_tensor_type: only floating-point types are supported "
                        f"as the default type (FloatTensor or DoubleTensor), got {t!r}")
    set_default_dtype(t.dtype)
