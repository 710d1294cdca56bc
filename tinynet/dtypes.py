"""Data types, the default floating dtype and their limits (``finfo``, ``iinfo``).

tinynet's dtypes are numpy's scalar types, so ``x.dtype == tn.float32`` holds for a
float32 tensor. NOTE: this differs from PyTorch, whose dtypes are ``torch.dtype``
objects; the names (``float16``/``half``, ``float32``/``float``, ``float64``/``double``,
``uint8``, ``int8``, ``int16``/``short``, ``int32``/``int``, ``int64``/``long``, ``bool``)
are the same. As with PyTorch, ``from tinynet import *`` therefore rebinds ``float``,
``int`` and ``bool``.
"""
import builtins
import functools
import itertools
import reprlib

import numpy as np

from tinynet import devices

float16 = np.float16
half = np.float16
float32 = np.float32
float64 = np.float64
double = np.float64
float = np.float32  # noqa: A001  (torch.float is float32)
uint8 = np.uint8
int8 = np.int8
int16 = np.int16
short = np.int16
int32 = np.int32
int = np.int32  # noqa: A001  (torch.int is int32)
int64 = np.int64
long = np.int64
bool = np.bool_  # noqa: A001

_default_dtype = np.dtype(np.float32)


def set_default_dtype(dtype) -> None:
    """Set the dtype that floating-point factories use (float32 or float64)."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: dtype must be float32 or float64, got {dtype}")
    _default_dtype = dtype


def get_default_dtype() -> np.dtype:
    """The dtype that floating-point factories use (float32 unless changed)."""
    return _default_dtype


def parse_to_args(args: tuple, kwargs: dict):
    """The dtype asked for by PyTorch's ``.to(...)`` forms: ``to(dtype)``, ``to(device)``,
    ``to(device, dtype)``, ``to(other_tensor)`` (its dtype) or keywords; None when only a
    device is given. tinynet has one device, so any device but the CPU is an error."""
    unknown = sorted(set(kwargs) - {"device", "dtype", "non_blocking", "memory_format"})
    if unknown:  # (a misspelt or unsupported keyword would be ignored: to(other=t))
        raise TypeError(f"to: unexpected keyword argument {unknown[0]!r} (it takes device, "
                        f"dtype, non_blocking, copy and memory_format by keyword, and a "
                        f"tensor whose dtype to take by position: to(t))")
    if kwargs.get("memory_format") is not None:
        from tinynet.layouts import check_memory_format
        check_memory_format("to", kwargs["memory_format"])
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, (str, devices.device)):
            device = arg
        else:
            dtype = arg  # a dtype, or a tensor (np.dtype reads its .dtype)
    devices.check_device(device, "to")
    return None if dtype is None else np.dtype(dtype)


class finfo:  # noqa: N801  (PyTorch's name)
    """The limits of a floating-point dtype (the default dtype when omitted), as
    ``torch.finfo``; each a Python float but ``bits``.

    Attributes:
        bits: the width in bits.
        eps: the gap between 1.0 and the next larger number (2⁻²³ for float32).
        max, min: the largest finite number and its negative.
        tiny: the smallest positive normal number (also ``smallest_normal``).
        resolution: 10^(-decimal digits of precision) (1e-06 for float32).
        dtype: the dtype's name (``'float32'``).

    Example:
        >>> import tinynet as tn
        >>> tn.finfo(tn.float32).eps == 2 ** -23
        True
    """

    def __init__(self, type=None):  # noqa: A002  (PyTorch's argument name)
        dtype = get_default_dtype() if type is None else _dtype_of(type, "finfo")
        if dtype.kind != "f":
            raise TypeError(f"finfo: type must be a floating-point dtype, got {dtype} (use "
                            f"tinynet.iinfo for integers)")
        info = np.finfo(dtype)
        real = builtins.float  # (this module's float is numpy's float32)
        self.bits, self.dtype = builtins.int(info.bits), dtype.name
        self.eps, self.max, self.min = real(info.eps), real(info.max), real(info.min)
        self.tiny = self.smallest_normal = real(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # exact powers of ten, as PyTorch's

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801  (PyTorch's name)
    """The limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``max`` and ``min``
    (Python ints) and ``dtype`` (its name).

    Example:
        >>> import tinynet as tn
        >>> tn.iinfo(tn.uint8).max, tn.iinfo(tn.int8).min
        (255, -128)
    """

    def __init__(self, type):  # noqa: A002  (PyTorch's argument name)
        dtype = _dtype_of(type, "iinfo")
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo: type must be an integer dtype, got {dtype} (use "
                            f"tinynet.finfo for floating-point dtypes)")
        info = np.iinfo(dtype)
        whole = builtins.int  # (this module's int is numpy's int32)
        self.bits, self.max, self.min = whole(info.bits), whole(info.max), whole(info.min)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def _dtype_of(dtype, where: str) -> np.dtype:
    """``dtype`` (``tn.float32``, ``np.dtype('int8')``, ``'int8'``...) as a numpy dtype."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: type must be a dtype, got {dtype!r}") from None


# ---- the legacy type names: x.type() is 'tinynet.FloatTensor' for float32 -----------------
_TYPE_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
               np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
               np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
               np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
               np.dtype(np.bool_): "BoolTensor"}
_TYPES_BY_NAME = {name: dtype for dtype, name in _TYPE_NAMES.items()}


def tensor_type_name(dtype) -> str:
    """``'tinynet.FloatTensor'`` for float32, and so on (PyTorch's names, our prefix)."""
    return f"tinynet.{_TYPE_NAMES[np.dtype(dtype)]}"


def from_tensor_type(name: str) -> np.dtype:
    """The dtype of a type name: ``'torch.FloatTensor'``, ``'tinynet.LongTensor'``..."""
    prefix, _, short = name.rpartition(".")
    if prefix not in ("torch", "tinynet") or short not in _TYPES_BY_NAME:
        raise ValueError(f"type: the name must be one of torch.{{{', '.join(_TYPES_BY_NAME)}}}"
                         f" (or tinynet.*), got {name!r}")
    return _TYPES_BY_NAME[short]


def new_array(data, dtype=None, where: str = "tensor") -> np.ndarray:
    """``data`` (a list, a number, an array) as a fresh array with PyTorch's dtype rules
    for a new tensor: Python floats take the default dtype, Python ints int64, numpy
    arrays keep theirs unless ``dtype`` says. ``where`` names the caller in errors."""
    data = _tensors_as_numbers(data, where)
    if dtype is not None:
        return np.array(data, dtype=dtype)
    from_numpy = isinstance(data, (np.ndarray, np.generic))
    try:
        array = np.array(data)
    except ValueError as error:
        if "inhomogeneous" not in str(error):
            raise
        raise ValueError(f"{where}: data must be rectangular (at each depth, lists of one "
                         f"length), got {reprlib.repr(data)}") from None
    if not from_numpy and array.dtype.kind in "biufO":
        inferred = inferred_dtype(data, where)
        if inferred == np.int64 and array.dtype != np.int64:  # (numpy's uint64, float64 or
            _check_int64(data, where)                          # objects for big ints)
        if inferred is not None and inferred != array.dtype and array.dtype.kind != "O":
            array = array.astype(inferred)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: data must hold numbers or booleans, got "
                        f"{type(data).__name__} of dtype {array.dtype}")
    if not array.dtype.isnative:  # (big-endian data, as read from a file or the network)
        array = array.astype(array.dtype.newbyteorder("="))
    return array


_PYTHON_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float))


def _check_int64(data, where: str) -> None:
    """Refuse Python ints outside int64 in ``data`` (numpy then makes uint64, float64 or
    objects): PyTorch's int64 tensor cannot hold them, and a cast would wrap 2**63 to
    -2**63."""
    ints = [x for x in np.array(data, dtype=object).reshape(-1).tolist()
            if type(x) is builtins.int]
    big = [x for x in ints if not -2 ** 63 <= x < 2 ** 63]
    if big:
        raise RuntimeError(f"{where}: the integer {big[0]} does not fit int64 (from -2**63 "
                           f"to 2**63 - 1), the dtype of a tensor of Python ints")


def _tensors_as_numbers(data, where: str):
    """``data`` with each tensor inside its lists and tuples taken as the number it holds
    (a 0-d array of its dtype), as PyTorch takes it: ``[t1, t2]`` of one-element tensors
    is (2,), not (2, 1). A tensor of more elements there is refused, as in PyTorch."""
    if not isinstance(data, (list, tuple)) or not _holds_a_tensor(data):
        return data
    from tinynet.autograd.observers import values_read  # (observers imports the tensor)
    from tinynet.tensor import Tensor

    def number(x):
        if isinstance(x, (list, tuple)):
            return [number(item) for item in x]
        if not isinstance(x, Tensor):
            return x
        if x.array.size != 1:
            raise ValueError(f"{where}: a tensor inside a list must have one element (it is "
                             f"taken as a number, as in PyTorch), got one of shape "
                             f"{x.array.shape}; join tensors with tn.stack or tn.cat")
        values_read()  # its value, read into a new array by no op
        return x.array.reshape(())

    return number(data)


def _holds_a_tensor(data) -> builtins.bool:
    """Whether a tensor is anywhere in the nested lists and tuples of ``data``: each
    depth's element types read at C speed, as ``_collect_dtypes`` reads them."""
    tensor = _typed()[2]
    level = [data]
    while level:
        items = list(itertools.chain.from_iterable(level))
        types = set(map(type, items))
        if any(issubclass(kind, tensor) for kind in types):
            return True
        if not types & {list, tuple}:
            return False
        level = items if types <= {list, tuple} else \
            [x for x in items if type(x) in (list, tuple)]
    return False


def inferred_dtype(data, where: str = "tensor"):
    """The dtype PyTorch gives ``tensor(data)`` when no dtype is asked for: a Python float
    takes the default dtype, an int int64, a bool bool; a numpy scalar or array, or a
    tensor, keeps its own dtype; a list or tuple promotes its elements' dtypes
    (``promote_types``: a float64 numpy scalar among Python floats makes float64, an int32
    array stays int32), the default dtype when it holds none. None for anything else (a
    string, say: numpy's conversion reports it). A TypeError, naming ``where``, for
    elements whose dtypes do not promote (a numpy uint64 beside a Python int).

    NOTE: PyTorch refuses a numpy uint64 scalar of any value (``an integer is
    required``) and takes a uint64 array; tinynet takes both."""
    if type(data) in _PYTHON_NUMBERS:
        return _python_number_dtype(type(data))
    if not isinstance(data, (list, tuple)):
        return np.dtype(data.dtype) if isinstance(data, _typed()) else None
    found = set()
    if not _collect_dtypes(data, found):
        return None
    if len(found) < 2:
        return found.pop() if found else get_default_dtype()
    from tinynet.promotion import UNSIGNED_APART, promote_types  # (it imports this module)

    try:
        if found.isdisjoint(UNSIGNED_APART):  # promotion is commutative and associative here
            return functools.reduce(promote_types, found)
        return _folded(data)  # uint16 with int64 and float32: the order decides, as in PyTorch
    except TypeError as error:
        rule = str(error).partition(": ")[2]  # promote_types's rule and the two dtypes
        raise TypeError(f"{where}: data must hold numbers whose dtypes promote together: "
                        f"{rule}, in {reprlib.repr(data)}") from None


def _typed() -> tuple:
    """The types that carry a dtype: numpy arrays and scalars, tensors."""
    from tinynet.tensor import Tensor  # (tensor.py imports this module)

    return np.ndarray, np.generic, Tensor


def _collect_dtypes(data, found: set) -> builtins.bool:
    """Add to ``found`` the dtype of each number in ``data``, depth by depth, each depth's
    element types read at C speed (``map(type, ...)``), not one Python call per number.
    False when something is not a number."""
    level = [data]
    while level:
        types = set(map(type, itertools.chain.from_iterable(level)))
        found.update(_python_number_dtype(kind) for kind in types & _PYTHON_NUMBERS)
        others = types - _PYTHON_NUMBERS
        if not others:
            return True
        typed = _typed()
        if not all(issubclass(kind, (list, tuple, *typed)) for kind in others):
            return False
        items = [x for x in itertools.chain.from_iterable(level) if type(x) in others]
        found.update(np.dtype(x.dtype) for x in items if isinstance(x, typed))
        level = [x for x in items if isinstance(x, (list, tuple))]
    return True


def _folded(data) -> np.dtype:
    """PyTorch's order of promotion: each list promotes its elements' dtypes from left to
    right, a nested list's (or array's) as one, so ``[1.5, 1, np.uint16(2)]`` is float32
    while ``[1, np.uint16(2), 1.5]`` mixes int64 with uint16 first (a TypeError)."""
    from tinynet.promotion import promote_types

    if type(data) in _PYTHON_NUMBERS:
        return _python_number_dtype(type(data))
    if not isinstance(data, (list, tuple)):
        return np.dtype(data.dtype)
    if not data:  # (PyTorch's dtype for an empty list)
        return get_default_dtype()
    return functools.reduce(promote_types, map(_folded, data))


def _python_number_dtype(kind: type) -> np.dtype:
    if kind is builtins.float:
        return get_default_dtype()
    return np.dtype(np.int64) if kind is builtins.int else np.dtype(np.bool_)
