"""``TensorMath``: PyTorch's elementwise math and reductions beyond the core, as Tensor
methods (``Tensor`` inherits them).

``tensor.py`` keeps what a student reads first (data, autograd, arithmetic, shape);
``TensorMath`` (here), ``TensorLogic`` (``tensor_logic.py``: booleans, isclose, nonzero),
``TensorShape`` (``tensor_shape.py``: flip, roll, movedim, broadcast_to...),
``TensorLinalg`` (``tensor_linalg.py``: mm, bmm, outer, diag, tril...), ``TensorSelect``
(``tensor_select.py``: topk, sort, gather, where, chunk...) and ``TensorConvert``
(``tensor_convert.py``: type, formatting, devices) add the rest. Each method checks its
arguments and calls one op from ``tinynet/ops`` (or composes methods); none touches the
graph itself.
"""
import functools
from collections import namedtuple

import numpy as np

from tinynet import dtypes
from tinynet.checks import cast_first, check_fits, check_floating, check_not_nan, index_of

MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def check_tensor(where: str, x, name: str = "input"):
    """``x`` (the argument ``name``), which must be a tensor: PyTorch's module-level
    functions (``torch.exp``, ``torch.std``...) refuse anything else, and a numpy array,
    which has methods of the same names, would silently get numpy's meaning (``std``
    without Bessel's correction, ``sort`` in place)."""
    if not isinstance(x, TensorMath):
        raise TypeError(f"{where}: {name} must be a tensor, got {type(x).__name__}")
    return x


def numpy_names(method):
    """Let ``method`` also take numpy's ``axis`` for ``dim`` and ``keepdims`` for
    ``keepdim``, as PyTorch's built-in functions do (``x.sum(axis=0, keepdims=True)``)."""

    @functools.wraps(method)
    def with_numpy_names(*args, **kwargs):
        if kwargs:
            for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{method.__name__}: give {name} or its alias "
                                        f"{alias}, not both, got {name}={kwargs[name]!r} and "
                                        f"{alias}={kwargs[alias]!r}")
                    kwargs[name] = kwargs.pop(alias)
        return method(*args, **kwargs)

    return with_numpy_names


def cast_array(x, dtype) -> np.ndarray:
    """The array of ``x`` (a tensor, an array, a list) in ``dtype``, with a tensor of
    another dtype cast by an op (``Cast``), not copied: its values then come from an op,
    which ``tn.capture`` replays on the next call's tensor, where a copy made outside the
    ops would be taken for a constant."""
    if isinstance(x, TensorMath):
        if x.array.dtype == np.dtype(dtype):
            return x.array
        return ops.Cast.apply(x.detach(), dtype).array
    return np.asarray(x, dtype=dtype)


class TensorMath:
    """Elementwise math, reductions, products and boolean logic; see the module docstring."""

    __slots__ = ()

    # ---- the operators by name -------------------------------------------------------------
    def add(self, other, *, alpha=1):
        """self + alpha · other."""
        return self + _times_alpha("add", other, alpha, self, other)

    def sub(self, other, *, alpha=1):
        """self - alpha · other."""
        return self - _times_alpha("sub", other, alpha, self, other)

    def mul(self, other):
        return self * other

    def addcmul(self, tensor1, tensor2, *, value=1):
        """self + value · tensor1 · tensor2 (PyTorch's order: (value · tensor1) · tensor2)."""
        return self + tensor1 * value * tensor2

    def addcdiv(self, tensor1, tensor2, *, value=1):
        """self + value · tensor1 / tensor2 (PyTorch's order: (value · tensor1) / tensor2)."""
        return self + tensor1 * value / tensor2

    def lerp(self, end, weight):
        """self + weight · (end - self), as PyTorch computes it: so where |weight| < 0.5,
        else end - (end - self) · (1 - weight), each form exact at its own end."""
        if isinstance(weight, TensorMath):
            dtype = _result_type(self, end, weight)
            return ops.Lerp.apply(*[t.to(dtype) if isinstance(t, TensorMath) else t
                                    for t in (self, end, weight)])
        diff = end - self
        return self + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)

    def div(self, other, *, rounding_mode=None):
        """self / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (see
        ``tn.div``)."""
        if rounding_mode is None:
            return self / other
        from tinynet.combining import div  # NOTE: late: combining imports the tensor
        return div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div
    multiply, subtract = mul, sub

    def matmul(self, other):
        return self @ other

    def pow(self, exponent):
        return self ** exponent

    # ---- elementwise math (integers become the default float dtype first, as PyTorch) ---
    def sqrt(self):
        return ops.Sqrt.apply(self._floating())

    def abs(self):
        return ops.Abs.apply(self)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given, got min=None "
                             "and max=None")
        # in the dtype PyTorch gives (an integer tensor with a float bound: the default
        # float dtype)
        dtype = _result_type(self, *(b for b in (min, max) if b is not None))
        x = self if dtype == self.dtype else self.to(dtype)
        # tensor bounds in that dtype too (numpy's clip would promote to theirs), as
        # tensors: their gradients are PyTorch's (see ops.Clamp)
        lo, hi = (b.to(dtype) if isinstance(b, TensorMath) else b for b in (min, max))
        return ops.Clamp.apply(x, lo, hi)

    clip = clamp

    def nan_to_num(self, nan: float = 0.0, posinf: float = None, neginf: float = None):
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (None: the
        dtype's largest and lowest finite values); integers come back unchanged. The
        gradient passes where the input is finite, 0 where a value was replaced."""
        for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
            if value is not None and (isinstance(value, bool) or
                                      not isinstance(value, (int, float, np.number))):
                raise TypeError(f"nan_to_num: {name} must be a number or None, got {value!r}")
        if self.dtype.kind != "f":
            return self.clone()
        return ops.NanToNum.apply(self, nan, posinf, neginf)

    @numpy_names
    def softmax(self, dim: int, dtype=None):
        """Softmax along ``dim``; with ``dtype`` (a floating dtype) the input is cast to it
        first, as in PyTorch. Integer and bool tensors are refused (PyTorch's too)."""
        x = check_floating("softmax", cast_first("softmax", self, dtype))
        return ops.Softmax.apply(x, single_dim(dim, x.ndim, "softmax"))

    @numpy_names
    def log_softmax(self, dim: int, dtype=None):
        """log of ``softmax(dim, dtype)``, in one op (stable for large inputs)."""
        x = cast_first("log_softmax", self, dtype)
        x = check_floating("log_softmax", x)
        return ops.LogSoftmax.apply(x, single_dim(dim, x.ndim, "log_softmax"))

    def hardshrink(self, lambd: float = 0.5):
        """x outside [-λ, λ], else 0 (a negative λ keeps every x, as in PyTorch); ``lambd``
        a real number (not nan) that the dtype holds; a floating tensor only, as in
        PyTorch. Also ``F.hardshrink``."""
        x = check_floating("hardshrink", self)
        lambd = check_fits("hardshrink", "lambd", check_not_nan("hardshrink", "lambd", lambd),
                           x.dtype)
        return ops.Hardshrink.apply(x, lambd)

    def sin(self):
        return ops.Sin.apply(self._floating())

    def cos(self):
        return ops.Cos.apply(self._floating())

    def tan(self):
        return ops.Tan.apply(self._floating())

    def asin(self):
        return ops.Asin.apply(self._floating())

    def acos(self):
        return ops.Acos.apply(self._floating())

    def atan(self):
        return ops.Atan.apply(self._floating())

    def sinh(self):
        return ops.Sinh.apply(self._floating())

    def cosh(self):
        return ops.Cosh.apply(self._floating())

    def asinh(self):
        return ops.Asinh.apply(self._floating())

    def acosh(self):
        return ops.Acosh.apply(self._floating())

    def atanh(self):
        return ops.Atanh.apply(self._floating())

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def log2(self):
        return ops.Log2.apply(self._floating())

    def log10(self):
        return ops.Log10.apply(self._floating())

    def log1p(self):
        return ops.Log1p.apply(self._floating())

    def expm1(self):
        return ops.Expm1.apply(self._floating())

    def exp2(self):
        return ops.Exp2.apply(self._floating())

    def reciprocal(self):
        return ops.Reciprocal.apply(self._floating())

    def rsqrt(self):
        return ops.Rsqrt.apply(self._floating())

    def square(self):
        """x·x; booleans become int64 first, as ``x ** 2`` makes them (PyTorch's)."""
        return ops.Square.apply(self if self.array.dtype.kind != "b" else self.to(np.int64))

    def neg(self):
        return -self

    negative = neg

    def sign(self):
        return ops.Sign.apply(self)

    def floor(self):
        return self._rounded(ops.Floor)

    def ceil(self):
        return self._rounded(ops.Ceil)

    def trunc(self):
        return self._rounded(ops.Trunc)

    fix = trunc

    def round(self, decimals: int = 0):
        """Round half to even, to ``decimals`` decimal places (negative: tens, hundreds...)."""
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an integer, got {decimals!r}")
        if decimals and self.array.dtype.kind in "biu":
            raise TypeError(f"round: decimals must be 0 for a tensor of {self.array.dtype} "
                            f"(PyTorch rounds only floating-point tensors), got {decimals}; "
                            f"convert it first: x.double().round(decimals={decimals})")
        return self._rounded(ops.Round, int(decimals))

    def clamp_min(self, min):  # noqa: A002  (PyTorch's name)
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002
        return self.clamp(max=max)

    def maximum(self, other):
        """Elementwise max(self, other); ties split the gradient evenly."""
        x, other = _promote(self, _as_operand(other, "maximum"))
        return ops.Maximum.apply(x, other)

    def minimum(self, other):
        """Elementwise min(self, other); ties split the gradient evenly."""
        x, other = _promote(self, _as_operand(other, "minimum"))
        return ops.Minimum.apply(x, other)

    def fmax(self, other):
        """Elementwise max(self, other), a nan ignored (nan only where both are); a tie
        gives its gradient to self, as in PyTorch."""
        x, other = _promote(self, _as_operand(other, "fmax"))
        return ops.FMax.apply(x, other)

    def fmin(self, other):
        """Elementwise min(self, other), a nan ignored (nan only where both are); a tie
        gives its gradient to self, as in PyTorch."""
        x, other = _promote(self, _as_operand(other, "fmin"))
        return ops.FMin.apply(x, other)

    def erf(self):
        """The error function (2/√π) ∫₀ˣ e^(-t²) dt."""
        return ops.Erf.apply(self._floating())

    def remainder(self, other):
        """x mod other with the sign of ``other`` (Python's ``%``); integers stay integers
        (dividing them by 0 raises, as in PyTorch). Gradient: 1 for x, -⌊x/other⌋ for
        other."""
        return ops.Remainder.apply(*_divisible(self, other, "remainder"))

    def __rmod__(self, other):
        other, x = _divisible(self, other, "remainder", divisor_first=True)
        return ops.Remainder.apply(other, x)

    __mod__ = remainder

    def fmod(self, other):
        """x mod other with the sign of x (C's ``fmod``). Gradient: 1 for x,
        -trunc(x/other) for other."""
        return ops.Fmod.apply(*_divisible(self, other, "fmod"))

    def floor_divide(self, other):
        """⌊x / other⌋ (Python's ``//``): integers stay integers; floats are rounded
        down from the exact quotient. Gradient 0."""
        return ops.FloorDivide.apply(*_divisible(self, other, "floor_divide"))

    def __rfloordiv__(self, other):
        other, x = _divisible(self, other, "floor_divide", divisor_first=True)
        return ops.FloorDivide.apply(other, x)

    __floordiv__ = floor_divide

    def _floating(self):
        return self if self.array.dtype.kind == "f" else self.to(dtypes.get_default_dtype())

    def _rounded(self, op, *settings):
        if self.array.dtype.kind in "biu":  # already whole numbers
            return constant_tensor(self.array.copy())
        return op.apply(self, *settings)

    # ---- reductions ----------------------------------------------------------------------
    @numpy_names
    def sum(self, dim=None, keepdim: bool = False, dtype=None):
        """Sums over ``dim`` (all dims if None); integers and booleans give int64."""
        x = self if dtype is None else self.to(dtype)
        if dtype is None and x.array.dtype.kind == "u":  # (numpy would give uint64)
            x = x.to(np.int64)
        dim = dims_or_none(dim, x.ndim, "sum")
        total = ops.Sum.apply(x, dim, keepdim)
        # a small integer dtype asked for: the sum in it (wrapping), as PyTorch
        return total if dtype is None or total.dtype == x.dtype else total.to(x.dtype)

    @numpy_names
    def mean(self, dim=None, keepdim: bool = False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind != "f":
            raise RuntimeError(f"mean: the tensor must be floating-point, got {x.dtype}; "
                               f"use .float().mean() or mean(dtype=tinynet.float32)")
        dim = dims_or_none(dim, x.ndim, "mean")
        return ops.Mean.apply(x, dim, keepdim)

    @numpy_names
    def prod(self, dim=None, keepdim: bool = False, dtype=None):
        """The product over one ``dim`` (an int, as in PyTorch) or over all elements.
        Integers and booleans give int64."""
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind in "biu" and dtype is None:
            x = x.to(np.int64)
        if dim is None:
            return ops.Prod.apply(x, None, False)
        return ops.Prod.apply(x, single_dim(dim, x.ndim, "prod"), keepdim)

    @numpy_names
    def cumsum(self, dim: int, dtype=None):
        """Running sums along ``dim``; integers and booleans give int64."""
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind in "biu" and dtype is None:
            x = x.to(np.int64)
        return ops.Cumsum.apply(x, single_dim(dim, x.ndim, "cumsum"))

    @numpy_names
    def cumprod(self, dim: int, dtype=None):
        """Running products along ``dim``; integers and booleans give int64. The gradient
        is exact with zeros (nothing is divided by an element)."""
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind in "biu" and dtype is None:
            x = x.to(np.int64)
        dim = single_dim(dim, x.ndim, "cumprod")
        if x.ndim == 0:  # numpy would return a 1-D array
            return ops.Cumprod.apply(x.reshape(1), 0).reshape(())
        return ops.Cumprod.apply(x, dim)

    @numpy_names
    def amax(self, dim=(), keepdim: bool = False):
        """The largest element over ``dim`` (an int or a tuple; () means every dim).
        Unlike ``max(dim)``, tied maxima share the gradient evenly, as in PyTorch."""
        return ops.Amax.apply(self, self._nonempty_dims(dim, "amax"), keepdim)

    @numpy_names
    def amin(self, dim=(), keepdim: bool = False):
        """The smallest element over ``dim``; tied minima share the gradient evenly."""
        return ops.Amin.apply(self, self._nonempty_dims(dim, "amin"), keepdim)

    def _nonempty_dims(self, dim, name: str) -> tuple:
        axes = dims_of(dim, self.ndim, name)
        if (dim is None or dim == ()) and self.array.size == 0:
            self._nonempty(None, name)  # (over every dim: PyTorch's RuntimeError)
        for axis in axes:
            self._nonempty(axis, name)
        return axes

    def _nonempty(self, dim, name: str):
        """``dim`` (one dim, or None for every element) where ``name`` can take it: the
        elements to choose from are not none, as a maximum of nothing has no value."""
        if dim is None:
            if self.array.size == 0:  # (PyTorch's arg* raise IndexError, the others not)
                error = IndexError if name.startswith("arg") else RuntimeError
                raise error(f"{name}: the tensor has no elements (shape {self.shape}) and a "
                            f"reduction over all of them has no value; give a dim whose "
                            f"size is not 0")
            return None
        dim = single_dim(dim, self.ndim, name)
        if self.ndim and self.shape[dim] == 0:
            raise IndexError(f"{name}: cannot reduce over dim {dim} of size 0 (no "
                             f"identity), input shape {self.shape}")
        return dim

    @numpy_names
    def logsumexp(self, dim, keepdim: bool = False):
        """log Σ exp(x) over ``dim`` (an int or a tuple), without overflow (the maximum is
        taken out first); integers become the default float dtype. Gradient: the softmax
        over ``dim``."""
        return ops.LogSumExp.apply(self._floating(), dims_of(dim, self.ndim, "logsumexp"),
                                   keepdim)

    @numpy_names
    def max(self, dim=None, keepdim: bool = False, *, other=None):
        """The largest element; with ``dim``, ``(values, indices)`` along that dim; with a
        tensor, the elementwise maximum (as ``torch.max(a, b)``)."""
        other = _other_of("max", dim, other)
        if other is not None:
            return self.maximum(other)
        if dim is None:
            return ops.Max.apply(self, self._nonempty(None, "max"), False)
        dim = self._nonempty(dim, "max")
        return MaxResult(ops.Max.apply(self, dim, keepdim), self.argmax(dim, keepdim))

    @numpy_names
    def min(self, dim=None, keepdim: bool = False, *, other=None):
        """The smallest element; with ``dim``, ``(values, indices)`` along that dim; with
        a tensor, the elementwise minimum (as ``torch.min(a, b)``)."""
        other = _other_of("min", dim, other)
        if other is not None:
            return self.minimum(other)
        if dim is None:
            return ops.Min.apply(self, self._nonempty(None, "min"), False)
        dim = self._nonempty(dim, "min")
        return MinResult(ops.Min.apply(self, dim, keepdim), self.argmin(dim, keepdim))

    @numpy_names
    def argmax(self, dim=None, keepdim: bool = False):
        if dim is None:  # over every element (keepdim: a 1 for each of them, as PyTorch)
            flat = np.asarray(self.array.argmax(axis=self._nonempty(None, "argmax")))
            return constant_tensor(flat.reshape((1,) * self.ndim) if keepdim else flat)
        return constant_tensor(self.array.argmax(axis=self._nonempty(dim, "argmax"),
                                          keepdims=keepdim))

    @numpy_names
    def argmin(self, dim=None, keepdim: bool = False):
        if dim is None:  # over every element (keepdim: a 1 for each of them, as PyTorch)
            flat = np.asarray(self.array.argmin(axis=self._nonempty(None, "argmin")))
            return constant_tensor(flat.reshape((1,) * self.ndim) if keepdim else flat)
        return constant_tensor(self.array.argmin(axis=self._nonempty(dim, "argmin"),
                                          keepdims=keepdim))

    @numpy_names
    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Variance over ``dim`` with Bessel's ``correction`` (1 unless ``unbiased=False``
        or ``correction=`` says otherwise), PyTorch's forms: ``var()``, ``var(dim)``,
        ``var(dim, unbiased, keepdim)``, ``var(dim, correction=0)``, ``var(False)``."""
        return ops.Var.apply(*self._var_args("var", dim, unbiased, keepdim, correction))

    @numpy_names
    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Standard deviation: √var, with ``var``'s arguments."""
        return ops.Std.apply(*self._var_args("std", dim, unbiased, keepdim, correction))

    def _var_args(self, name, dim, unbiased, keepdim, correction):
        if self.array.dtype.kind != "f":
            raise RuntimeError(f"{name}: the tensor must be floating-point, got {self.dtype}; "
                               f"use .float().{name}()")
        if isinstance(dim, bool):  # var(False): the legacy (unbiased) form
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise TypeError(f"{name}: give unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        return self, dims_or_none(dim, self.ndim, name), correction, keepdim

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
        """The vector p-norm over ``dim`` (all elements when None): ``p`` is a number
        (2, 1, inf, -inf, 0, 3...) or ``'fro'`` (the 2-norm of a matrix's elements)."""
        x = self if dtype is None else self.to(dtype)
        if x.array.dtype.kind != "f":
            raise RuntimeError(f"norm: the input must be a floating-point tensor, got "
                               f"{x.dtype}")
        if p == "fro":
            if dim is not None and not isinstance(dim, int) and len(dim) > 2:
                raise RuntimeError(f"norm: p='fro' takes at most 2 dims, got dim={dim}")
            p = 2
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
            raise ValueError(f"norm: p must be a number or 'fro' ('nuc' is not "
                             f"implemented), got {p!r}")
        dim = dims_or_none(dim, x.ndim, "norm")
        return ops.Norm.apply(x, float(p), dim, keepdim)

    # ---- random draws ----------------------------------------------------------------------
    def bernoulli(self, p=None, *, generator=None):
        """0 or 1 in this tensor's float dtype, 1 with probability ``self`` elementwise
        (or ``p`` everywhere); see ``tn.bernoulli``."""
        from tinynet.sampling import bernoulli  # NOTE: late: sampling.py imports Tensor
        return bernoulli(self, p, generator=generator)


def single_dim(dim, ndim: int, name: str) -> int:
    """``dim`` as a non-negative axis; an integer only (these functions take one dim)."""
    axis = index_int(dim)
    if axis is None:
        raise TypeError(f"{name}: dim must be an integer, got {dim!r}")
    return check_dim(axis, ndim)


def index_int(dim):
    """``dim`` as a Python int when it is one: a Python or numpy integer, or a 0-d
    integer tensor (PyTorch takes one); else None."""
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        return int(dim)
    return index_of(dim)  # (a tensor's __index__ tells tn.capture the value was read)


def dims_or_none(dim, ndim: int, name: str):
    """``dim`` as a reduction op takes it: a tuple or list of dims checked by ``dims_of``
    (an empty one: None, every dim); an int or None as it is (numpy checks those)."""
    if type(dim) not in (tuple, list):
        axis = index_int(dim)
        return dim if axis is None else axis
    return dims_of(dim, ndim, name) if dim else None


def dims_of(dim, ndim: int, name: str) -> tuple:
    """``dim`` (an int or a sequence of ints; None and () mean every dim) as a tuple of
    non-negative axes, each at most once."""
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(ndim))
    axes = tuple(check_dim(d, ndim) for d in _int_tuple(dim, name))
    for axis in axes:
        if axes.count(axis) > 1:
            raise RuntimeError(f"{name}: dim {axis} appears more than once in dim={dim!r}")
    if ndim == 0:  # dim 0 or -1 is accepted, and there is no axis to reduce
        return ()
    return axes


def _int_tuple(dim, name: str) -> tuple:
    dims = (dim,) if index_int(dim) is not None else dim
    axes = [index_int(d) for d in dims] if isinstance(dims, (tuple, list)) else [None]
    if None in axes:
        raise TypeError(f"{name}: dim must be an int or a tuple of ints, got {dim!r}")
    return tuple(axes)


def _divisible(x, other, name: str, divisor_first: bool = False):
    """(x, other) in their result dtype, for a division-like op; integer division by 0
    raises, as in PyTorch. ``divisor_first``: ``x`` is the divisor (``2 % x``)."""
    x, other = _promote(x, _as_operand(other, name))
    divisor = x if divisor_first else other
    if x.dtype.kind in "biu":
        values_read()  # (the check reads the divisor: tn.capture must not replay without it)
        if np.any(array_of(divisor) == 0):
            raise RuntimeError(f"{name}: integer division by zero (the divisor has a 0)")
    return (other, x) if divisor_first else (x, other)


def _as_operand(other, name: str):
    if not isinstance(other, (TensorMath, int, float, np.ndarray, np.generic)):
        raise TypeError(f"{name}: other must be a tensor or a number, got "
                        f"{type(other).__name__}")
    return other


def array_of(x):
    """The array behind a tensor (every Tensor is a TensorMath), or ``x`` itself."""
    return x.array if isinstance(x, TensorMath) else x


def _other_of(name: str, dim, other):
    """The tensor of ``max(x, other)`` or ``max(x, other=y)`` (a keyword as PyTorch's),
    or None for a reduction."""
    if other is not None:
        if dim is not None:
            raise TypeError(f"{name}: give dim or other, not both, got dim={dim!r}")
        return other
    return dim if isinstance(dim, TensorMath) else None


def guard_read(out, *sources):
    """``out``, whose op keeps the arrays of the tensors among ``sources`` (index tensors,
    masks: passed to it as plain arrays) for its backward, with their versions checked
    before that backward runs: a change in place after the forward (``i[0] = 2``) then
    raises, as PyTorch's, where the backward would read the new values (a wrong
    gradient). Returns ``out``."""
    ctx = out._ctx
    if ctx is not None:
        kept = tuple([(t._version, t._version[0], t.array) for t in _tensors_in(sources)])
        if kept:
            ctx.versions = ctx.versions + kept
    return out


def _tensors_in(parts):
    """The tensors in ``parts``, looking inside tuples and lists (an index)."""
    for part in parts:
        if isinstance(part, TensorMath):
            yield part
        elif isinstance(part, (tuple, list)):
            yield from _tensors_in(part)


def constant_tensor(array: np.ndarray, from_values: bool = True):
    """A tensor outside the graph (indices, booleans), made from other tensors' values
    unless ``from_values`` is False (``values_read``: tn.capture cannot replay how it
    was made)."""
    from tinynet.tensor import Tensor  # NOTE: late: tensor.py imports this module first
    if from_values:
        values_read()
    return Tensor._wrap(array, False, None)


def _promote(x, y):
    """``promotion.promote`` (imported late, as ``constant_tensor`` imports Tensor)."""
    from tinynet.promotion import promote
    return promote(x, y)


def _result_type(*operands):
    """``promotion.result_type`` (imported late, as ``_promote``)."""
    from tinynet.promotion import result_type
    return result_type(*operands)


def _times_alpha(where: str, other, alpha, *result_operands):
    """``promotion.times_alpha`` (imported late, as ``_promote``)."""
    if type(alpha) is int and alpha == 1:  # the usual call
        return other
    from tinynet.promotion import times_alpha
    return times_alpha(where, other, alpha, *result_operands)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.autograd.observers import values_read  # noqa: E402
from tinynet.ops.reduce import check_dim  # noqa: E402
