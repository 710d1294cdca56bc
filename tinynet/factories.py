"""Functions that make tensors: ``tensor``, ``zeros``, ``eye``, ``arange``...
(random ones, ``randn`` and the like, are in ``tinynet/sampling.py``).

Floating-point results take the default dtype (float32 unless
``tn.set_default_dtype`` changed it) when no ``dtype`` is given. Every factory takes
``device=`` for PyTorch code: None or the CPU (anything else raises RuntimeError).
"""
import math
import numbers
import reprlib

import numpy as np

from tinynet import dtypes
from tinynet.checks import check_int
from tinynet.devices import check_device
from tinynet.layouts import check_memory_format
from tinynet.autograd.observers import values_read
from tinynet.tensor import Tensor
from tinynet.tensor_inplace import beyond_float_range


def shape_of(sizes: tuple, size, name: str) -> tuple:
    """The shape asked for as ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    if size is not None:
        if sizes:
            raise TypeError(f"{name}: give the size positionally or as size=, not both")
        sizes = (size,)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    # a 0-d integer tensor is a size, as in PyTorch (zeros(x.shape[0]) from a tensor)
    sizes = tuple(int(n.array) if isinstance(n, Tensor) and n.array.ndim == 0 and
                  n.array.dtype.kind in "iu" else n for n in sizes)
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise (ValueError if isinstance(n, (int, np.integer)) else TypeError)(
                f"{name}: sizes must be integers >= 0, got {n!r} at position {i} of "
                f"{tuple(sizes)}")
    return tuple(sizes)


def make(array: np.ndarray, requires_grad: bool, device=None, name: str = "") -> Tensor:
    """Wrap a new array as a leaf tensor (the end of every factory)."""
    check_device(device, name)
    return Tensor._wrap(array, False, None).requires_grad_(requires_grad)


def float_dtype(dtype, name: str = "") -> np.dtype:
    """``dtype``, or the default float dtype when None; it must be floating point."""
    dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name}: dtype must be a floating-point type, got {dtype}")
    return dtype


def _or_default(dtype):
    return dtypes.get_default_dtype() if dtype is None else dtype


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (list, scalar, array or tensor).

    Example:
        >>> import tinynet as tn
        >>> tn.tensor([[1, 2], [3, 4]]).dtype == tn.int64
        True
        >>> tn.tensor([0.5, 1.5]).dtype == tn.float32
        True
    """
    if isinstance(data, Tensor):
        values_read()  # a copy of its values, made by no op
    return make(dtypes.new_array(_unwrapped(data), dtype), requires_grad, device, "tensor")


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a numpy array of the right dtype; a tensor
    comes back as it is, or as ``data.to(dtype)`` (in the graph), as in PyTorch."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return _sharing(data, "as_tensor")
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: array must be a numpy.ndarray, got {type(array).__name__}")
    return _sharing(array, "from_numpy")


def _sharing(array: np.ndarray, where: str) -> Tensor:
    """A tensor of ``array`` itself, which must be in this machine's byte order."""
    if not array.dtype.isnative:
        raise ValueError(f"{where}: the array's byte order ({array.dtype.str}) is not this "
                         f"machine's, and a tensor sharing its memory cannot convert it (as "
                         f"in PyTorch); tn.tensor(array) copies it into the native order")
    return Tensor._wrap(array, False, None)


def zeros(*sizes, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    shape = shape_of(sizes, size, "zeros")
    return make(np.zeros(shape, dtype=_or_default(dtype)), requires_grad, device, "zeros")


def ones(*sizes, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    shape = shape_of(sizes, size, "ones")
    return make(np.ones(shape, dtype=_or_default(dtype)), requires_grad, device, "ones")


def empty(*sizes, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    shape = shape_of(sizes, size, "empty")
    return make(np.empty(shape, dtype=_or_default(dtype)), requires_grad, device, "empty")


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``fill_value`` everywhere; its kind sets the dtype when none is given, as in PyTorch
    (a float: the default dtype; an int: int64; a bool: bool), also for a numpy scalar or
    a one-element tensor (a float64 or int32 one still gives the default dtype or int64)."""
    value = _unwrapped(fill_value)
    if isinstance(value, (np.ndarray, np.generic)) and value.size == 1:
        value = value.item()
    if dtype is None:  # (by kind: a Python int beyond int64 is refused by _held, below)
        dtype = dtypes.inferred_dtype(value) or dtypes.new_array(value, where="full").dtype
    return make(np.full(shape_of((size,), None, "full"), _held(value, dtype, "full"),
                        dtype=dtype), requires_grad, device, "full")


def eye(n: int, m: int = None, dtype=None, requires_grad: bool = False,
        device=None) -> Tensor:
    """The n×m identity matrix (n×n when ``m`` is None): ones on the diagonal."""
    return make(np.eye(n, n if m is None else m, dtype=_or_default(dtype)), requires_grad,
                device, "eye")


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None, *,
               memory_format=None) -> Tensor:
    check_memory_format("zeros_like", memory_format)
    return make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad, device, "zeros_like")


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None, *,
              memory_format=None) -> Tensor:
    check_memory_format("ones_like", memory_format)
    return make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad, device, "ones_like")


def empty_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None, *,
               memory_format=None) -> Tensor:
    check_memory_format("empty_like", memory_format)
    return make(np.empty(t.shape, dtype=dtype or t.dtype), requires_grad, device, "empty_like")


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False,
              device=None, *, memory_format=None) -> Tensor:
    check_memory_format("full_like", memory_format)
    dtype = dtype or t.dtype
    return make(np.full(t.shape, _held(fill_value, dtype, "full_like"), dtype=dtype),
                requires_grad, device, "full_like")


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False,
           device=None) -> Tensor:
    """Values from ``start`` to ``end`` (excluded) by ``step``; int64 when all are ints
    (0-d tensors count as their numbers).

    Floating values are start + i·step computed in float64, then cast (as PyTorch does):
    numpy's float32 arange accumulates its step in float32, which puts the value meant to
    be 0 in ``arange(-8.0, 8.0, 0.1)`` at -7.6e-6. An integer dtype takes PyTorch's
    rules for float arguments: the values are trunc(start) + i·trunc(step) (wrapped into
    the dtype), as many as the float arguments make, except for int64, whose count
    comes from the truncated arguments (``arange(-3.5, 0, dtype=int64)`` is [-3, -2, -1],
    with int32 it is [-3, -2, -1, 0]).
    """
    start, end, step = (_number(v) for v in (start, end, step))
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else dtypes.get_default_dtype()
    dtype = np.dtype(dtype)
    integral = dtype.kind in "iu"
    if integral and dtype == np.int64:  # (PyTorch counts with the truncated arguments)
        start, end, step = math.trunc(start), math.trunc(end), math.trunc(step)
    if step == 0:
        raise ValueError(f"arange: step must be nonzero, got {step!r}")
    if (end - start) * step < 0:  # (an empty range, start == end, is fine)
        raise ValueError(f"arange: the bounds must agree with the step's sign (as in "
                         f"PyTorch), got start={start!r}, end={end!r}, step={step!r}")
    count = len(np.arange(start, end, step, dtype=np.float64))
    if integral:
        values = math.trunc(start) + math.trunc(step) * np.arange(count, dtype=np.int64)
    else:
        values = start + step * np.arange(count, dtype=np.float64)
    return make(values.astype(dtype), requires_grad, device, "arange")


def _number(value):
    """A 0-d tensor's (or array's) number, a numpy scalar's Python number; anything else
    as it is."""
    if isinstance(value, (Tensor, np.generic)) or isinstance(value, np.ndarray) and \
            value.ndim == 0:
        return value.item()  # (a Tensor's item() tells tn.capture the value was read)
    return value


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False,
             device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included, by
    PyTorch's formula: step = (end - start)/(steps - 1); the first half start + i·step,
    the second end - (steps - 1 - i)·step (so both ends are exact). A float dtype
    computes in its own arithmetic, each value rounded once from start + i·step (as
    PyTorch's fused multiply-add: to the last bit where numpy has a wider float, as on
    x86-64); an integer dtype casts start and end to it first (truncated, wrapped), then
    computes in float64 and truncates each value toward zero."""
    dtype = np.dtype(_or_default(dtype))
    if dtype.kind not in "iuf":
        raise TypeError(f"linspace: dtype must be a floating or integer dtype, got {dtype}")
    start, end = _number(start), _number(end)
    steps = check_int("linspace", "steps", _number(steps), 0)
    if dtype.kind == "f":
        compute, first, last = dtype, dtype.type(start), dtype.type(end)
    else:
        compute = np.dtype(np.float64)
        first, last = (np.float64(np.array(math.trunc(v)).astype(dtype)) for v in (start, end))
    step = (last - first) / compute.type(max(steps - 1, 1))
    wide = np.float64 if compute.itemsize < 8 else np.longdouble  # (a product held exactly)
    i = np.arange(steps)
    values = np.where(i < max(steps // 2, 1),  # (one step: the start)
                      wide(first) + wide(step) * i.astype(wide),
                      wide(last) - wide(step) * (steps - 1 - i).astype(wide)).astype(compute)
    if dtype.kind in "iu":
        values = np.trunc(values)
    return make(values.astype(dtype), requires_grad, device, "linspace")


def logspace(start, end, steps: int, base=10.0, dtype=None, requires_grad: bool = False,
             device=None) -> Tensor:
    """``steps`` values base**v for v evenly spaced from ``start`` to ``end``."""
    exponents = np.linspace(start, end, steps, dtype=np.float64)
    return make(np.power(float(base), exponents).astype(_or_default(dtype)), requires_grad,
                device, "logspace")


def _held(value, dtype, where: str):
    """``value`` if ``dtype`` holds it, as PyTorch checks a fill value: an integer dtype a
    finite number within its range (a float in it is truncated), a floating one any number
    but a finite one that overflows it to inf; a bool dtype anything."""
    dtype = np.dtype(dtype)
    if not isinstance(value, numbers.Real) or dtype.kind not in "iuf":
        return value
    if dtype.kind == "f":
        fits = not beyond_float_range(value, dtype)
        rule = f"(|fill_value| <= {float(np.finfo(dtype).max):g}, or inf, or nan)"
    else:
        info = np.iinfo(dtype)
        fits = info.min <= value <= info.max and (isinstance(value, int) or
                                                  math.isfinite(value))
        rule = f"(a finite number from {info.min} to {info.max})"
    if not fits:
        raise ValueError(f"{where}: fill_value must be a number {dtype} holds {rule}, got "
                         f"{reprlib.repr(value)}")
    return value


def _unwrapped(data):
    """The array behind a tensor, else ``data`` itself."""
    return data.array if isinstance(data, Tensor) else data
