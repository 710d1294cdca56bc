"""``TensorMath``: the Tensor methods beyond the core, inherited by ``Tensor``.

``tensor.py`` keeps what a student reads first (data, autograd, arithmetic, shape); this
file adds the rest of PyTorch's tensor methods: more elementwise math, reductions,
selection, and conversions. Each method checks its arguments and calls one op from
``tinynet/ops`` (or composes methods); none touches the graph itself.
"""
import functools
from collections import namedtuple

import numpy as np

from tinynet import dtypes

MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])


def numpy_names(method):
    """Let ``method`` also take numpy's ``axis`` for ``dim`` and ``keepdims`` for
    ``keepdim``, as PyTorch's built-in functions do (``x.sum(axis=0, keepdims=True)``)."""

    @functools.wraps(method)
    def with_numpy_names(*args, **kwargs):
        if kwargs:
            for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{method.__name__}() got both {name!r} and its "
                                        f"alias {alias!r}")
                    kwargs[name] = kwargs.pop(alias)
        return method(*args, **kwargs)

    return with_numpy_names


class TensorMath:
    """Methods that ``Tensor`` inherits; see the module docstring."""

    __slots__ = ()

    # ---- elementwise math (integers become the default float dtype first, as PyTorch) ---
    def sin(self):
        return ops.Sin.apply(self._floating())

    def cos(self):
        return ops.Cos.apply(self._floating())

    def tan(self):
        return ops.Tan.apply(self._floating())

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
        return ops.Square.apply(self)

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

    def _floating(self):
        return self if self.data.dtype.kind == "f" else self.to(dtypes.get_default_dtype())

    def _rounded(self, op, *settings):
        if self.data.dtype.kind in "biu":  # already whole numbers
            return _constant(self.data.copy())
        return op.apply(self, *settings)

    # ---- reductions ----------------------------------------------------------------------
    @numpy_names
    def sum(self, dim=None, keepdim: bool = False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return ops.Sum.apply(x, dim, keepdim)

    @numpy_names
    def mean(self, dim=None, keepdim: bool = False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind != "f":
            raise RuntimeError(f"mean() needs a floating-point tensor, got {x.dtype}; "
                               f"use .float().mean() or mean(dtype=tinynet.float32)")
        return ops.Mean.apply(x, dim, keepdim)

    @numpy_names
    def prod(self, dim=None, keepdim: bool = False, dtype=None):
        """The product over one ``dim`` (an int, as in PyTorch) or over all elements.
        Integers and booleans give int64."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "bu" or x.data.dtype.kind == "i" and dtype is None:
            x = x.to(np.int64)
        if dim is None:
            return ops.Prod.apply(x, None, False)
        return ops.Prod.apply(x, _one_dim(dim, x.ndim, "prod"), keepdim)

    @numpy_names
    def cumsum(self, dim: int, dtype=None):
        """Running sums along ``dim``; integers and booleans give int64."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "biu" and dtype is None:
            x = x.to(np.int64)
        return ops.Cumsum.apply(x, _one_dim(dim, x.ndim, "cumsum"))

    @numpy_names
    def max(self, dim=None, keepdim: bool = False):
        """The largest element; with ``dim``, ``(values, indices)`` along that dim; with a
        tensor, the elementwise maximum (as ``torch.max(a, b)``)."""
        if isinstance(dim, TensorMath):
            return self.maximum(dim)
        if dim is None:
            return ops.Max.apply(self, None, False)
        dim = _one_dim(dim, self.ndim, "max")
        return MaxResult(ops.Max.apply(self, dim, keepdim), self.argmax(dim, keepdim))

    @numpy_names
    def min(self, dim=None, keepdim: bool = False):
        """The smallest element; with ``dim``, ``(values, indices)`` along that dim; with
        a tensor, the elementwise minimum (as ``torch.min(a, b)``)."""
        if isinstance(dim, TensorMath):
            return self.minimum(dim)
        if dim is None:
            return ops.Min.apply(self, None, False)
        dim = _one_dim(dim, self.ndim, "min")
        return MinResult(ops.Min.apply(self, dim, keepdim), self.argmin(dim, keepdim))

    @numpy_names
    def argmax(self, dim=None, keepdim: bool = False):
        if dim is None:
            return _constant(np.asarray(self.data.argmax()))
        return _constant(self.data.argmax(axis=_one_dim(dim, self.ndim, "argmax"),
                                          keepdims=keepdim))

    @numpy_names
    def argmin(self, dim=None, keepdim: bool = False):
        if dim is None:
            return _constant(np.asarray(self.data.argmin()))
        return _constant(self.data.argmin(axis=_one_dim(dim, self.ndim, "argmin"),
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
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"{name}: std and var need a floating-point tensor, got "
                               f"{self.dtype}")
        if isinstance(dim, bool):  # var(False): the legacy (unbiased) form
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise TypeError(f"{name}: give unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        return self, dim, correction, keepdim

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
        """The vector p-norm over ``dim`` (all elements when None): ``p`` is a number
        (2, 1, inf, -inf, 0, 3...) or ``'fro'`` (the 2-norm of a matrix's elements)."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind != "f":
            raise RuntimeError(f"norm: the input must be a floating-point tensor, got "
                               f"{x.dtype}")
        if p == "fro":
            if dim is not None and not isinstance(dim, int) and len(dim) > 2:
                raise RuntimeError(f"norm: p='fro' takes at most 2 dims, got dim={dim}")
            p = 2
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
            raise ValueError(f"norm: p must be a number or 'fro' ('nuc' is not "
                             f"implemented), got {p!r}")
        return ops.Norm.apply(x, float(p), dim, keepdim)

    @numpy_names
    def any(self, dim=None, keepdim: bool = False):
        return _constant(np.asarray(self.data.any(axis=dim, keepdims=keepdim)))

    @numpy_names
    def all(self, dim=None, keepdim: bool = False):
        return _constant(np.asarray(self.data.all(axis=dim, keepdims=keepdim)))

    # ---- selection -----------------------------------------------------------------------
    @numpy_names
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest
        first (smallest first). Among equal values the index order is unspecified, as in
        PyTorch."""
        dim = _one_dim(dim, self.ndim, "topk")
        size = self.shape[dim] if self.ndim else 1
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= size:
            raise RuntimeError(f"topk: k must be an integer in [0, {size}] (the size of dim "
                               f"{dim}), got {k!r}")
        order = np.argsort(self.data, axis=dim, kind="stable")
        if largest:
            order = np.flip(order, axis=dim)
        indices = _constant(np.take(order, np.arange(k), axis=dim))
        return TopkResult(self.gather(dim, indices), indices)

    @numpy_names
    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim 0 (likewise for other dims): ``index``
        is an integer tensor with self's number of dims, no larger in the other dims."""
        dim = _one_dim(dim, self.ndim, "gather")
        idx = np.asarray(_data(index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got dtype {idx.dtype}")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index must have as many dims as the input "
                               f"({self.ndim}), got shape {idx.shape}")
        for d, (n, m) in enumerate(zip(idx.shape, self.shape)):
            if d != dim and n > m:
                raise RuntimeError(f"gather: index shape {idx.shape} must be <= input shape "
                                   f"{self.shape} in every dim but {dim}")
        size = self.shape[dim]
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise RuntimeError(f"gather: index {bad} is out of bounds for dim {dim} with "
                               f"size {size}")
        return ops.Gather.apply(self, dim, index)

    def masked_fill(self, mask, value):
        """``value`` where the boolean ``mask`` (broadcast to self's shape) is True, else
        self. Keeps self's dtype; the gradient flows to self where mask is False."""
        mask_array = np.asarray(_data(mask))
        if mask_array.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: mask must be a boolean tensor, got dtype "
                               f"{mask_array.dtype}")
        if np.broadcast_shapes(mask_array.shape, self.shape) != self.shape:
            raise RuntimeError(f"masked_fill: mask of shape {mask_array.shape} does not "
                               f"broadcast to the input's shape {self.shape}")
        if isinstance(value, TensorMath):
            if value.ndim:
                raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, "
                                   f"got shape {value.shape}")
            value = value if value.dtype == self.dtype else value.to(self.dtype)
        else:
            value = np.asarray(value, dtype=self.dtype)
        return ops.Where.apply(mask_array, value, self)

    def where(self, condition, other):
        """``self`` where ``condition``, else ``other`` (as ``torch.where(condition, self,
        other)``)."""
        return _where(condition, self, other)

    @numpy_names
    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Split into ``chunks`` pieces along ``dim``, each of ceil(n / chunks) elements
        but the last (so fewer pieces when n is small), as in PyTorch."""
        if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks < 1:
            raise RuntimeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
        dim = _one_dim(dim, self.ndim, "chunk")
        n = self.shape[dim]
        if n == 0:  # as PyTorch: ``chunks`` empty pieces
            return self.split([0] * chunks, dim)
        return self.split(-(-n // chunks), dim)  # ceil(n / chunks)

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Split along ``dim`` into pieces of ``split_size_or_sections`` elements (the last
        may be smaller), or of the sizes in a list, which must add up to the dim's size."""
        dim = _one_dim(dim, self.ndim, "split")
        n = self.shape[dim]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            if step < 1 and n:
                raise RuntimeError(f"split: split_size must be a positive integer, got {step}")
            sizes = [min(step, n - start) for start in range(0, n, step)] if n else [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or min(sizes, default=0) < 0:
                raise RuntimeError(f"split: the sizes must be non-negative and add up to "
                                   f"{n} (the size of dim {dim}), got {sizes}")
        ends = np.cumsum(sizes)
        before = (slice(None),) * dim
        return tuple(self[before + (slice(end - size, end),)] for size, end in zip(sizes, ends))

    # ---- linear algebra --------------------------------------------------------------------
    def mm(self, mat2):
        """The product of two matrices (2-D tensors; no broadcasting, as in PyTorch)."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: both operands must be matrices (2-D), got shapes "
                               f"{self.shape} and {mat2.shape}")
        return self @ mat2

    def dot(self, other):
        """The dot product of two 1-D tensors of the same length."""
        if self.ndim != 1 or other.ndim != 1 or self.shape != other.shape:
            raise RuntimeError(f"dot: both operands must be 1-D of the same length, got "
                               f"shapes {self.shape} and {other.shape}")
        return self @ other

    # ---- boolean logic (no gradient) -------------------------------------------------------
    def __invert__(self):
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~ needs a boolean or integer tensor, got {self.dtype}")
        return _constant(np.invert(self.data))

    def __and__(self, other):
        return _constant(np.asarray(self.data & _data(other)))

    __rand__ = __and__

    def __or__(self, other):
        return _constant(np.asarray(self.data | _data(other)))

    __ror__ = __or__

    def __xor__(self, other):
        return _constant(np.asarray(self.data ^ _data(other)))

    __rxor__ = __xor__

    def logical_not(self):
        return _constant(np.logical_not(self.data))

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    # ---- conversion and metadata -----------------------------------------------------------
    def nelement(self) -> int:
        return self.data.size

    def type(self, dtype=None):
        """Without ``dtype``: the type's name, ``'tinynet.FloatTensor'`` for float32 (NOTE:
        ``'torch.FloatTensor'`` in PyTorch). With one (a dtype, a name such as
        ``'torch.LongTensor'``, or ``tn.LongTensor``): this tensor cast to it."""
        if dtype is None:
            return dtypes.tensor_type_name(self.data.dtype)
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
        if self.data.size != 1 or self.data.dtype.kind not in "biu":
            raise TypeError(f"only integer tensors of a single element can be converted to "
                            f"an index, got dtype {self.dtype} and shape {self.shape}")
        return int(self.data.item())

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``; ``f"{loss}"`` gives
        ``0.5``, as in PyTorch); so does a one-element tensor given a format spec (NOTE:
        PyTorch raises there). Otherwise ``str(tensor)``."""
        if self.data.ndim == 0 or format_spec and self.data.size == 1:
            return format(self.data.item(), format_spec)
        if format_spec:
            raise TypeError(f"format: a format spec ({format_spec!r}) needs a tensor with "
                            f"one element, got shape {self.shape}; format .item() or "
                            f".tolist() instead")
        return str(self)


def _one_dim(dim, ndim: int, name: str) -> int:
    """``dim`` as a non-negative axis; an integer only (these functions take one dim)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an integer, got {dim!r}")
    return check_dim(int(dim), ndim)


def _as_operand(other, name: str):
    if not isinstance(other, (TensorMath, int, float, np.ndarray, np.generic)):
        raise TypeError(f"{name}: other must be a tensor or a number, got "
                        f"{type(other).__name__}")
    return other


def _data(x):
    return x.data if isinstance(x, TensorMath) else x


def _constant(array: np.ndarray):
    """A tensor outside the graph (indices, booleans)."""
    from tinynet.tensor import Tensor  # NOTE: late: tensor.py imports this module first
    return Tensor._wrap(array, False, None)


def _promote(x, y):
    """``promotion.promote`` (imported late, as ``_constant`` imports Tensor)."""
    from tinynet.promotion import promote
    return promote(x, y)


def _where(condition, x, y):
    from tinynet.combining import where  # late, as in _constant
    return where(condition, x, y)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.ops.reduce import check_dim  # noqa: E402
