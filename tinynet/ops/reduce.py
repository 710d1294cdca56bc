"""Reductions over one, several or all dimensions (sum, mean, max, min, prod, var, std,
amax, amin, median, logsumexp) and the running sum and product (cumsum, cumprod)."""
import math

import numpy as np

from tinynet.autograd.function import Function
from tinynet.checks import index_of


def check_dim(dim: int, ndim: int) -> int:
    """``dim`` as a non-negative axis of an ``ndim``-dimensional tensor; out of range is an
    error (as in PyTorch), never wrapped around. A 0-d tensor accepts 0 and -1. An
    integer (a 0-d integer tensor too), not a bool or a float."""
    if type(dim) is not int:
        given, dim = dim, index_of(dim)
        if dim is None:
            raise TypeError(f"Dimension must be an integer, got {given!r}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-size}, "
                         f"{size - 1}], but got {dim})")
    return dim % size


def per_count(value, count):
    """``value / count`` for a count of elements, which may not fit ``value``'s dtype:
    float16 holds at most 65,504, so 70,000 would become inf and the quotient 0. float16
    values are divided in float32, then rounded back."""
    if getattr(value, "dtype", None) == np.float16:
        return (np.asarray(value, np.float32) / count).astype(np.float16)
    return value / count


def _axes(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence) as a tuple of non-negative axes; None and ()
    are every axis, as PyTorch's sum and mean take them. A 0-d tensor has no axis: its
    dim 0 (or -1) is checked, and nothing is reduced."""
    dims = () if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return tuple(range(ndim))
    axes = tuple(check_dim(d, ndim) for d in dims)
    return axes if ndim else ()


ACCURATE_FROM = 1024  # elements per output from which a float16/32 sum runs in float64


def _wide(x: np.ndarray, axes: tuple):
    """The dtype to sum ``x`` over ``axes`` in: float64 for float16 and float32 sums of at
    least ACCURATE_FROM elements per output, else None (x's own). numpy adds along any
    axis but the last one row at a time, so the error of a float32 sum grows with its
    length (the mean of a million rows keeps 4 digits); PyTorch's sums keep about 7, and
    so do these, rounded back to x's dtype."""
    dtype = x.dtype
    if dtype.kind == "f" and dtype.itemsize <= 4 and x.size >= ACCURATE_FROM and \
            _count(x.shape, axes) >= ACCURATE_FROM:
        return np.float64
    return None


def _widened(reduction, x: np.ndarray, axes: tuple, **options):
    """``reduction`` (x.sum, x.mean, x.var) over ``axes``, in float64 when ``_wide`` says,
    then rounded back to x's dtype; else as numpy computes it."""
    wide = _wide(x, axes)
    out = reduction(axis=axes, dtype=wide, **options)
    return out if wide is None else np.asarray(out, x.dtype)


def _expand_back(grad, shape, axes, keepdim):
    """Re-insert the reduced axes of ``grad`` (as size 1) so it broadcasts against ``shape``."""
    if not keepdim and axes:
        grad = np.expand_dims(grad, axes)
    return grad


class Sum(Function):
    """y = Σ x over ``dim``;  dy/dx = 1 (the gradient is broadcast back)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.x_shape, ctx.axes, ctx.keepdim = x.shape, _axes(dim, x.ndim), keepdim
        return _widened(x.sum, x, ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        grad = _expand_back(grad, ctx.x_shape, ctx.axes, ctx.keepdim)
        return np.broadcast_to(grad, ctx.x_shape), None, None


class Mean(Function):
    """y = (1/n) Σ x over ``dim``;  dy/dx = 1/n."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.x_shape, ctx.axes, ctx.keepdim = x.shape, _axes(dim, x.ndim), keepdim
        if x.size == 0:  # NaN where nothing is averaged, as PyTorch, without numpy's warning
            with np.errstate(invalid="ignore", divide="ignore"):
                total = x.sum(axis=ctx.axes, keepdims=keepdim)
                return total / np.asarray(_count(x.shape, ctx.axes), dtype=total.dtype)
        return _mean(x, ctx.axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, axes = ctx.x_shape, ctx.axes
        n = _count(shape, axes)
        if n == 0:  # no element to send a gradient to
            return np.zeros(shape, dtype=grad.dtype), None, None
        grad = per_count(_expand_back(grad, shape, axes, ctx.keepdim), n)
        return np.broadcast_to(grad, shape), None, None


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each mean over ``axes`` averages."""
    return math.prod([shape[a] for a in axes]) if axes else 1


class Max(Function):
    """y = max x over ``dim``;  dy/dx = 1 at the maximum, 0 elsewhere.

    Ties: with ``dim`` the gradient goes to the first maximal element (the one
    ``argmax`` returns, as in PyTorch); over all elements it is split evenly among
    the tied maxima (PyTorch's rule for a full reduction).
    """

    # the numpy functions that pick the element and its index (Min swaps them)
    pick, pick_index = staticmethod(np.max), staticmethod(np.argmax)

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        op = type(ctx)
        if x.ndim == 0:  # its dim 0 is all of it: its one element
            dim = None
        ctx.dim, ctx.keepdim = dim, keepdim
        if dim is None:
            y = op.pick(x)
            ctx.save_for_backward(x, y)
            return y
        y = op.pick(x, axis=dim, keepdims=keepdim)
        # only the indices: x may change afterwards (under no_grad), as PyTorch allows
        ctx.save_for_backward(None, op.pick_index(x, axis=dim))
        ctx.x_shape = x.shape
        return y

    @staticmethod
    def backward(ctx, grad):
        (x, where), dim, keepdim = ctx.saved_tensors, ctx.dim, ctx.keepdim
        if dim is None:  # split among the ties, or the nans when the result is nan (PyTorch's)
            mask = np.isnan(x) if np.isnan(where) else x == where
            # a Python int count keeps float32 float32 (numpy's int64 would promote it)
            return mask * (grad / int(mask.sum())), None, None
        if keepdim:
            grad = np.squeeze(grad, axis=dim)
        gx = np.zeros(ctx.x_shape, dtype=grad.dtype)
        np.put_along_axis(gx, np.expand_dims(where, dim), np.expand_dims(grad, dim), axis=dim)
        return gx, None, None


class Min(Max):
    """y = min x over ``dim``;  dy/dx = 1 at the minimum, 0 elsewhere; ties as for ``Max``."""

    pick, pick_index = staticmethod(np.min), staticmethod(np.argmin)


class Prod(Function):
    """y = Π x over ``dim`` (one dim, or all when None);  dy/dxᵢ = Π_{j≠i} xⱼ.

    The product of the others is computed as (product before i)·(product after i),
    never as y / xᵢ, so it is right when some xᵢ are 0.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        if x.ndim == 0:  # its dim 0 is all of it: its one element
            dim = None
        ctx.x_shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        ctx.save_for_backward(x)
        # in x's own dtype: numpy would widen small integers (an int8 product wraps in
        # int8, as PyTorch's with dtype=torch.int8)
        return np.prod(x, axis=dim, keepdims=keepdim, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        if dim is None:  # a product over everything is one over the flattened tensor
            x, dim = x.reshape(-1), 0
        elif not ctx.keepdim:
            grad = np.expand_dims(grad, dim)
        others = _product_before(x, dim) * np.flip(_product_before(np.flip(x, dim), dim), dim)
        return (grad * others).reshape(ctx.x_shape), None, None


def _product_before(x, axis: int):
    """[1, x₀, x₀x₁, ...] along ``axis``: the product of the elements before each one."""
    out = np.ones_like(x)
    later, earlier = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    later[axis], earlier[axis] = slice(1, None), slice(None, -1)
    out[tuple(later)] = np.cumprod(x, axis=axis)[tuple(earlier)]
    return out


class Var(Function):
    """y = Σ (x - x̄)² / (n - correction) over ``dim``;  dy/dx = 2 (x - x̄) / (n - correction).

    n - correction <= 0 gives inf or nan, with numpy's warning (PyTorch warns too).
    """

    @staticmethod
    def forward(ctx, x, dim, correction, keepdim):
        ctx.save_for_backward(x)
        return np.asarray(_var_forward(ctx, x, dim, correction, keepdim), x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _var_backward(ctx, grad), None, None, None


class Std(Function):
    """y = √var(x) over ``dim``;  dy/dx = (x - x̄) / ((n - correction) y), and 0 where
    y = 0 (a constant row; PyTorch's choice, the derivative does not exist there)."""

    @staticmethod
    def forward(ctx, x, dim, correction, keepdim):
        y = np.asarray(np.sqrt(_var_forward(ctx, x, dim, correction, keepdim)), x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved_tensors[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            dvar = np.where(y == 0, 0, grad / (2 * y))  # dL/dvar = dL/dy / (2y)
        return _var_backward(ctx, dvar), None, None, None


def _mean(x: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    return _widened(x.mean, x, axes, keepdims=keepdims)


def _var_forward(ctx, x, dim, correction, keepdim):
    """The variance, float16 and float32 computed (and returned) in float64: their mean's
    rounding error would feed the squared deviations (var over the rows of values 1000 ±
    0.01 was off by 0.6%), and the squares of 1e20 overflow float32 where the standard
    deviation does not (PyTorch accumulates in a wider type too)."""
    axes = _axes(dim, x.ndim)
    ctx.axes, ctx.keepdim, ctx.correction = axes, keepdim, correction
    wide = np.float64 if x.dtype in (np.float16, np.float32) else None
    return x.var(axis=axes, dtype=wide, ddof=correction, keepdims=keepdim)


def _var_backward(ctx, grad):
    """dL/dx = dL/dvar · 2 (x - x̄) / (n - correction)."""
    x = ctx.saved_tensors[0]
    dof = max(_count(x.shape, ctx.axes) - ctx.correction, 0)
    scale = 2.0 / dof if dof else float("inf")  # a Python float keeps float32 float32
    deviation = x - _mean(x, ctx.axes, keepdims=True)
    with np.errstate(invalid="ignore"):  # inf · 0 = nan at n - correction <= 0, as PyTorch
        return _expand_back(grad, x.shape, ctx.axes, ctx.keepdim) * (deviation * scale)


class Cumsum(Function):
    """yᵢ = Σ_{j<=i} xⱼ along ``dim``;  dL/dxⱼ = Σ_{i>=j} dL/dyᵢ (a cumsum from the end)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return _running_sum(x, dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        if grad.ndim == 0:  # a 0-d input: its own running sum
            return grad, None
        return np.flip(_running_sum(np.flip(grad, dim), dim), dim), None


def _running_sum(a: np.ndarray, axis: int) -> np.ndarray:
    """np.cumsum along ``axis``; float16 and float32 are summed in float64, as PyTorch
    accumulates them on the CPU (a float16 running sum of ones stops growing at 2048, and
    a float32 one of 100,000 tenths ends 1.4 short of 10,000)."""
    if a.dtype in (np.float16, np.float32):
        summed = np.cumsum(a, axis=axis, dtype=np.float64).astype(a.dtype)
    else:  # (in a's dtype: numpy's cumsum widens small integers to int64)
        summed = np.cumsum(a, axis=axis, dtype=a.dtype)
    return summed.reshape(a.shape)  # (numpy's cumsum of a 0-d array is 1-d)


class Cumprod(Function):
    """yᵢ = Π_{j<=i} xⱼ along ``dim``;  dL/dxⱼ = Σ_{i>=j} gᵢ Π_{k<=i, k≠j} xₖ = P_{<j} · Sⱼ,

    with P_{<j} = Π_{k<j} xₖ and Sⱼ = Σ_{i>=j} gᵢ Π_{j<k<=i} xₖ, which a scan from the end
    gives: Sⱼ = gⱼ + x_{j+1} S_{j+1}. Nothing is divided by xⱼ, so zeros are exact.
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        return np.cumprod(x, axis=dim, dtype=x.dtype)  # (numpy's widens small integers)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x, g = np.moveaxis(x, ctx.dim, -1), np.moveaxis(grad, ctx.dim, -1)  # scan the last axis
        s = g.copy()
        for j in range(g.shape[-1] - 2, -1, -1):
            s[..., j] += x[..., j + 1] * s[..., j + 1]
        return np.moveaxis(_product_before(x, x.ndim - 1) * s, -1, ctx.dim), None


class _SplitAmongTies(Function):
    """y = one element of x over ``axes`` (chosen by ``pick``);  dy/dxᵢ = 1/m at the m
    elements equal to y, 0 elsewhere: ties share the gradient evenly (PyTorch's rule
    for amax, amin and median without a dim)."""

    nan_ties = False  # whether a nan y's gradient goes to x's nans (else nan everywhere)

    @staticmethod
    def pick(x, axes):
        """The chosen value over ``axes``, keeping them as size 1."""
        raise NotImplementedError

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        y = type(ctx).pick(x, axes)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(x, y)
        return y if keepdim else np.squeeze(y, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad = _expand_back(grad, x.shape, ctx.axes, ctx.keepdim)
        ties = x == y
        if type(ctx).nan_ties:  # a nan result's gradient is split among the nans
            ties |= np.isnan(x) & np.isnan(y)
        count = ties.sum(axis=ctx.axes, keepdims=True).astype(grad.dtype)
        # NOTE: else a nan maximum equals no element: 0/0 = nan everywhere, as in PyTorch
        with np.errstate(divide="ignore", invalid="ignore"):
            return ties * (grad / count), None, None


class Amax(_SplitAmongTies):
    """y = max x over ``axes``;  dy/dx = 1/m at each of the m maximal elements."""

    @staticmethod
    def pick(x, axes):
        return np.max(x, axis=axes, keepdims=True)


class Amin(_SplitAmongTies):
    """y = min x over ``axes``;  dy/dx = 1/m at each of the m minimal elements."""

    @staticmethod
    def pick(x, axes):
        return np.min(x, axis=axes, keepdims=True)


class Median(_SplitAmongTies):
    """y = the lower median of all elements (the ⌊(n-1)/2⌋-th smallest; nan if any is
    nan), as PyTorch's median without a dim;  dy/dx = 1/m at the m elements equal to y
    (at the m nans, when y is nan, as PyTorch's)."""

    nan_ties = True

    @staticmethod
    def pick(x, axes):
        flat = x.reshape(-1)
        y = np.nan if np.isnan(flat).any() else _lower_median(flat)
        return np.full((1,) * x.ndim, y, dtype=x.dtype)


class NanMedian(_SplitAmongTies):
    """y = the lower median of the elements that are not nan (nan if all are), as
    PyTorch's nanmedian without a dim;  dy/dx = 1/m at the m elements equal to y (at the
    m nans, when every element is nan)."""

    nan_ties = True

    @staticmethod
    def pick(x, axes):
        flat = x.reshape(-1)
        y = _lower_median(flat[~np.isnan(flat)] if x.dtype.kind == "f" else flat)
        return np.full((1,) * x.ndim, y, dtype=x.dtype)


def _lower_median(flat: np.ndarray):
    """The ⌊(n-1)/2⌋-th smallest of the n values of ``flat``; nan when there are none."""
    k = (flat.size - 1) // 2
    return np.nan if flat.size == 0 else np.partition(flat, k)[k]


class LogSumExp(Function):
    """y = log Σ eˣ over ``axes``, computed as m + log Σ e^(x - m) with m = max x, so no
    eˣ overflows;  dy/dxᵢ = e^(xᵢ - y) (the softmax of x).

    An all -inf row (or an empty one) gives -inf and an inf gives inf, as in PyTorch;
    the gradient there is nan (e^(∞ - ∞)), as PyTorch's.
    """

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype)  # ±inf and nan: shifting is moot
        with np.errstate(divide="ignore"):  # log 0 = -inf: every element was -inf
            y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(x, y)
        return y if keepdim else np.squeeze(y, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad = _expand_back(grad, x.shape, ctx.axes, ctx.keepdim)
        with np.errstate(invalid="ignore"):  # -inf - (-inf): nan, as in PyTorch
            return grad * np.exp(x - y), None, None
