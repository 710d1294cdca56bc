"""``TensorLogic``: the Tensor methods whose results are booleans, counts or positions:
``& | ^ ~ << >>`` and ``bitwise_*``, ``logical_and/or/xor/not``, ``isnan``, comparisons
by name (``lt``...), ``any``, ``all``, ``isclose``, ``allclose``, ``equal``,
``count_nonzero``, ``nonzero``, ``unique``, ``bincount`` (``Tensor`` inherits them; see
``tensor_math.py``). None has a gradient.
"""
import numbers
import operator

import numpy as np

from tinynet.checks import check_int
from tinynet.tensor_math import TensorMath, array_of, constant_tensor, dims_of, numpy_names


class TensorLogic:
    """Boolean logic, closeness and counting; every result is a constant tensor."""

    __slots__ = ()

    # ---- comparisons (in the operands' common dtype) ---------------------------------------
    def __eq__(self, other):
        return _compare(operator.eq, self, other)

    def __ne__(self, other):
        return _compare(operator.ne, self, other)

    def __lt__(self, other):
        return _compare(operator.lt, self, other)

    def __le__(self, other):
        return _compare(operator.le, self, other)

    def __gt__(self, other):
        return _compare(operator.gt, self, other)

    def __ge__(self, other):
        return _compare(operator.ge, self, other)

    def eq(self, other):
        return _named_compare(operator.eq, "eq", self, other)

    # ---- bitwise and logical operators -----------------------------------------------------
    def __invert__(self):
        if self.array.dtype.kind not in "biu":
            raise TypeError(f"invert: the tensor must be boolean or integer for ~, got "
                            f"{self.dtype}; negate a float mask with logical_not()")
        return constant_tensor(np.invert(self.array))

    def __and__(self, other):
        return self._bitwise(other, np.bitwise_and, "bitwise_and")

    __rand__ = __and__

    def __or__(self, other):
        return self._bitwise(other, np.bitwise_or, "bitwise_or")

    __ror__ = __or__

    def __xor__(self, other):
        return self._bitwise(other, np.bitwise_xor, "bitwise_xor")

    __rxor__ = __xor__

    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__

    def bitwise_not(self):
        if self.array.dtype.kind not in "biu":
            raise TypeError(f"bitwise_not: the tensor must be boolean or integer, got "
                            f"{self.dtype}")
        return ~self

    # ---- shifts ------------------------------------------------------------------------------
    def bitwise_left_shift(self, other):
        """self · 2^other, as PyTorch's ``<<``: integers only, in their result dtype
        (overflowing bits are lost); a shift by a negative amount or by the dtype's width
        or more gives 0."""
        return _shifted(self, other, "bitwise_left_shift")

    def bitwise_right_shift(self, other):
        """self // 2^other, as PyTorch's ``>>`` (arithmetic: a negative value stays
        negative); a shift by a negative amount or by the dtype's width or more gives 0,
        or -1 for a negative value."""
        return _shifted(self, other, "bitwise_right_shift")

    __lshift__, __rshift__ = bitwise_left_shift, bitwise_right_shift

    def __rlshift__(self, other):  # other << self
        return _shifted(other, self, "bitwise_left_shift")

    def __rrshift__(self, other):
        return _shifted(other, self, "bitwise_right_shift")

    def _bitwise(self, other, ufunc, name: str):
        """``ufunc`` of the two in their result dtype (PyTorch's promotion: a 0-d tensor or
        a Python int keeps an int32 tensor int32), for boolean and integer operands."""
        from tinynet.promotion import promote  # NOTE: late: promotion.py imports Tensor
        x, other = promote(self, other)
        for operand in (x, other):
            dtype = np.asarray(array_of(operand)).dtype
            if dtype.kind not in "biu":
                raise TypeError(f"{name}: the operands must be boolean or integer, got {dtype}")
        return constant_tensor(np.asarray(ufunc(x.array, array_of(other))))

    def logical_not(self):
        """True where the element is 0 (False), for any dtype."""
        return constant_tensor(np.logical_not(self.array))

    def logical_and(self, other):
        """True where both elements are non-zero (any dtypes, broadcast together)."""
        return constant_tensor(np.logical_and(self.array, _tensor_array(other, "logical_and")))

    def logical_or(self, other):
        """True where either element is non-zero."""
        return constant_tensor(np.logical_or(self.array, _tensor_array(other, "logical_or")))

    def logical_xor(self, other):
        """True where exactly one of the two elements is non-zero."""
        return constant_tensor(np.logical_xor(self.array, _tensor_array(other, "logical_xor")))

    def isnan(self):
        return constant_tensor(np.isnan(self.array))

    def isinf(self):
        return constant_tensor(np.isinf(self.array))

    def isfinite(self):
        return constant_tensor(np.isfinite(self.array))

    def ne(self, other):
        return _named_compare(operator.ne, "ne", self, other)

    def lt(self, other):
        return _named_compare(operator.lt, "lt", self, other)

    def le(self, other):
        return _named_compare(operator.le, "le", self, other)

    def gt(self, other):
        return _named_compare(operator.gt, "gt", self, other)

    def ge(self, other):
        return _named_compare(operator.ge, "ge", self, other)

    # ---- reductions to booleans and counts ---------------------------------------------------
    @numpy_names
    def any(self, dim=None, keepdim: bool = False):
        """Whether any element (over ``dim``: an int or a tuple) is non-zero; a boolean
        tensor (uint8 for uint8 input, as in PyTorch)."""
        return self._boolean_reduction(np.any, dim, keepdim)

    @numpy_names
    def all(self, dim=None, keepdim: bool = False):
        """Whether every element (over ``dim``: an int or a tuple) is non-zero."""
        return self._boolean_reduction(np.all, dim, keepdim)

    def _boolean_reduction(self, reduce, dim, keepdim):
        # dim=() reduces over no dim (each element's truth), as PyTorch's all and any do,
        # where sum's dim=() means every dim
        empty = isinstance(dim, (tuple, list)) and len(dim) == 0
        axes = None if dim is None else () if empty else dims_of(dim, self.ndim, reduce.__name__)
        out = np.asarray(reduce(self.array, axis=axes, keepdims=keepdim))
        return constant_tensor(out.astype(np.uint8) if self.dtype == np.uint8 else out)

    def count_nonzero(self, dim=None):
        """The number of non-zero elements (over ``dim``: an int or a tuple), int64."""
        axes = None if dim is None else dims_of(dim, self.ndim, "count_nonzero")
        return constant_tensor(np.asarray(np.count_nonzero(self.array, axis=axes),
                                          dtype=np.int64))

    def nonzero(self, *, as_tuple: bool = False):
        """The indices of the non-zero elements, in row-major order: an int64 tensor of
        shape (number of them, ndim), or with ``as_tuple`` one 1-D tensor per dim (a
        0-d input counts as 1-D there, as in PyTorch)."""
        values_read()  # how many there are: a shape made from the values
        if as_tuple:
            return tuple(constant_tensor(i.astype(np.int64))
                         for i in np.nonzero(np.atleast_1d(self.array)))
        return constant_tensor(np.argwhere(self.array).astype(np.int64))

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):
        """The distinct elements in ascending order, a 1-D tensor of this dtype; with
        ``return_inverse`` also where each element sits in it (int64, this tensor's
        shape) and with ``return_counts`` how often each occurs (int64), as a tuple. Each
        nan counts as distinct, as in PyTorch. No gradient. ``sorted=False`` gives the
        ascending order too (PyTorch leaves that order unspecified); ``dim`` must be
        None: only the flattened tensor's elements are implemented, not unique slices."""
        if dim is not None:
            raise NotImplementedError(f"unique: dim must be None (the distinct elements of "
                                      f"the flattened tensor; unique slices along a dim are "
                                      f"not implemented), got dim={dim!r}")
        values, inverse, counts = np.unique(self.array, return_inverse=True,
                                            return_counts=True, equal_nan=False)
        out = [constant_tensor(values)]
        if return_inverse:
            out.append(constant_tensor(inverse.reshape(self.shape).astype(np.int64)))
        if return_counts:
            out.append(constant_tensor(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights=None, minlength: int = 0):
        """How often each of 0, 1, ..., max occurs in this 1-D tensor of non-negative
        integers: out[i] = #{j : x[j] = i} (int64), or with ``weights``
        out[i] = Σ_{j : x[j] = i} weights[j] (float32 for float32 weights, else
        float64, as in PyTorch); at least ``minlength`` entries. No gradient."""
        x = self.array
        if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
            low = f" and smallest value {x.min()}" if x.size and x.dtype.kind in "iu" else ""
            raise RuntimeError(f"bincount: input must be a 1-D tensor of non-negative "
                               f"integers, got dtype {x.dtype}, shape {x.shape}{low}")
        minlength = check_int("bincount", "minlength", minlength, 0)
        w = None
        if weights is not None:
            w = np.asarray(array_of(weights))
            if w.shape != x.shape or w.dtype.kind not in "biuf":
                raise RuntimeError(f"bincount: weights must be a 1-D tensor of numbers as "
                                   f"long as the input ({x.size}), got dtype {w.dtype} and "
                                   f"shape {w.shape}")
        counts = np.bincount(x, weights=w, minlength=minlength)
        if w is None:
            return constant_tensor(counts.astype(np.int64))
        return constant_tensor(counts.astype(np.float32 if w.dtype == np.float32
                                             else np.float64))

    # ---- closeness and equality -------------------------------------------------------------
    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
        """Elementwise |self - other| <= atol + rtol·|other| (equal infinities are close;
        nan is close to nan only with ``equal_nan``). Both tensors have one dtype and
        broadcast together, as in PyTorch."""
        return constant_tensor(self._close(other, rtol, atol, equal_nan, "isclose"))

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether ``isclose`` holds everywhere (a Python bool)."""
        values_read()
        return bool(self._close(other, rtol, atol, equal_nan, "allclose").all())

    def _close(self, other, rtol, atol, equal_nan, name: str) -> np.ndarray:
        x, y = _same_dtype_arrays(self, other, name)
        for tolerance, value in (("rtol", rtol), ("atol", atol)):
            if not value >= 0:
                raise RuntimeError(f"{name}: {tolerance} must be >= 0, got {value}")
        close = x == y  # infinities of one sign, and the exact case when both tolerances are 0
        if equal_nan and x.dtype.kind == "f":
            close |= np.isnan(x) & np.isnan(y)
        if rtol or atol:
            if x.dtype.kind == "b":
                x, y = x.astype(np.float32), y.astype(np.float32)
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: not close here
                error = np.abs(x - y)
                close |= np.isfinite(error) & (error <= atol + rtol * np.abs(y))
        return np.asarray(close)

    def equal(self, other) -> bool:
        """Whether ``other`` has this shape and equal elements (compared in the common
        dtype; nan is never equal), as a Python bool."""
        if not isinstance(other, TensorMath):
            raise TypeError(f"equal: other must be a tensor, got {type(other).__name__}")
        values_read()
        return self.shape == other.shape and bool((self == other).array.all())


def _shifted(value, amount, name: str):
    """``value`` shifted by ``amount`` (one of them is a tensor) in their result
    dtype. NOTE: numpy's shifts by the width or more, or by a negative amount, are
    the CPU's (x86 takes the amount modulo the width): such amounts are set apart."""
    from tinynet.promotion import result_type  # NOTE: late: promotion.py imports Tensor
    for operand in (value, amount):
        dtype = np.asarray(array_of(operand)).dtype
        if dtype.kind not in "biu":
            got = dtype if hasattr(operand, "dtype") else repr(operand)
            raise TypeError(f"{name}: the operands must be integer, got {got}")
    dtype = result_type(value, amount)
    if dtype.kind == "b":
        raise TypeError(f"{name}: the operands must be integer, got two booleans")
    value = np.asarray(array_of(value), dtype=dtype)
    amount = np.asarray(array_of(amount))
    bits = dtype.itemsize * 8
    outside = (amount < 0) | (amount >= bits)
    if name == "bitwise_left_shift":
        shifted = np.left_shift(value, np.where(outside, 0, amount).astype(dtype))
        return constant_tensor(np.where(outside, np.zeros((), dtype), shifted))
    # right: by the width - 1 or more, a signed value keeps only its sign (0 or -1)
    by = np.where(outside, bits - 1, amount).astype(dtype)
    shifted = np.right_shift(value, by)
    if dtype.kind == "u":
        shifted = np.where(outside, np.zeros((), dtype), shifted)
    return constant_tensor(np.asarray(shifted))


def _tensor_array(other, name: str) -> np.ndarray:
    """The array behind ``other``, which must be a tensor (as in PyTorch)."""
    if not isinstance(other, TensorMath):  # every Tensor is a TensorMath
        raise TypeError(f"{name}: other must be a tensor, got {type(other).__name__}")
    return other.array


def _same_dtype_arrays(x, y, name: str):
    """The arrays of tensors ``x`` and ``y``, which must share a dtype and broadcast."""
    y_array = _tensor_array(y, name)
    if x.dtype != y.dtype:
        raise RuntimeError(f"{name}: input and other must have the same dtype, got "
                           f"{x.dtype} and {y.dtype}")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise RuntimeError(f"{name}: the shapes {x.shape} and {y.shape} do not broadcast "
                           f"together") from None
    return x.array, y_array


def _compare(op, x, y):
    """``op(x, y)`` as a boolean tensor, in the operands' common dtype (promotion.py);
    NotImplemented for an operand that is not a tensor, an array or a number (None, a
    string, a list), as in PyTorch: Python then answers ``==`` with False and ``!=`` with
    True (so ``t == None`` is False), and ``<`` with a TypeError."""
    if not isinstance(y, (TensorLogic, np.ndarray, np.generic, numbers.Number)):
        return NotImplemented
    from tinynet.promotion import compare  # NOTE: promotion imports Tensor, defined later
    return compare(op, x, y)


def _named_compare(op, name: str, x, y):
    """``x.eq(y)`` and the other named comparisons: as the operators, but an operand that
    is not a tensor, an array or a number is an error (as in PyTorch), not False."""
    out = _compare(op, x, y)
    if out is NotImplemented:
        raise TypeError(f"{name}: other must be a tensor, an array or a number, got "
                        f"{type(y).__name__}")
    return out


from tinynet.autograd.observers import values_read  # noqa: E402  (the package imports Tensor)
