"""Ops that move or select elements: reshape, permute, indexing, clone, flip, roll,
broadcast_to."""
import numpy as np

from tinynet.autograd.function import Function


class Reshape(Function):
    """y = x viewed with a new shape;  dL/dx = dL/dy reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.x_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.x_shape), None


class Permute(Function):
    """y = x with its axes reordered;  dL/dx = dL/dy with the inverse order."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.axes)), None


class SplitIndex(tuple):
    """An index in PyTorch's order, (integers, the rest, sources): PyTorch takes an
    integer as a select, before any index array, where numpy counts it with the arrays
    (``x[0, :, [0, 1]]`` of a (2, 3, 4) x is (3, 2) in PyTorch and (2, 3) in numpy), so
    ``x[index]`` is ``x[first][rest]``: the first a view, the second numpy's own rules.
    ``sources``, the 0-d arrays the integers came from, only tell ``tn.capture`` where
    they come from."""

    def of(self, x: np.ndarray) -> np.ndarray:
        """The view of ``x`` the integers select (write through it to write into x)."""
        return x[self[0]]


def take(x: np.ndarray, index) -> np.ndarray:
    """x[index], a SplitIndex in its two steps; a view of x where PyTorch's is one (one
    element too: numpy gives a scalar, a copy, where ``...`` after the ints gives a 0-d
    view)."""
    if type(index) is SplitIndex:
        return index.of(x)[index[1]]
    basic = as_basic(index)
    out = x[basic]
    if type(out) is not np.ndarray:  # every dim taken by an int
        out = x[(*(basic if isinstance(basic, tuple) else (basic,)), Ellipsis)]
    return out


def as_basic(index):
    """``index`` with its 0-d integer arrays (a 0-d index tensor's) as ints when that
    makes it basic indexing: PyTorch reads ``x[torch.tensor(1)]`` as ``x[1]``, a view,
    where numpy reads a 0-d array as an index array and copies."""
    parts = index if isinstance(index, tuple) else (index,)
    if not any(_is_0d_integer(p) for p in parts) or \
            not all(_is_0d_integer(p) or _is_basic(p) for p in parts):
        return index
    basic = tuple(int(p) if _is_0d_integer(p) else p for p in parts)
    return basic if isinstance(index, tuple) else basic[0]


def _is_0d_integer(part) -> bool:
    return type(part) is np.ndarray and part.ndim == 0 and part.dtype.kind in "iu"


def put(x: np.ndarray, index, value) -> None:
    """x[index] = value, in place, a SplitIndex in its two steps."""
    if type(index) is SplitIndex:
        index.of(x)[index[1]] = value
    else:
        x[index] = value


class GetItem(Function):
    """y = x[index];  dL/dx is dL/dy scattered back (summed where an index repeats)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.x_shape, ctx.x_dtype, ctx.index = x.shape, x.dtype, index
        return take(x, index)

    @staticmethod
    def backward(ctx, grad):
        index = ctx.index
        gx = np.zeros(ctx.x_shape, dtype=ctx.x_dtype)
        if _is_basic(index):  # slices and ints select each element at most once
            gx[index] = grad
        elif type(index) is SplitIndex:  # into the integers' view of gx
            np.add.at(index.of(gx), index[1], grad)
        else:  # integer or boolean arrays may repeat an element: add, not assign
            np.add.at(gx, index, grad)
        return gx, None


class Diagonal(Function):
    """y = the diagonal of x's (dim1, dim2) planes at ``offset`` (> 0 above the main one,
    < 0 below), as y's last dim: y[..., k] = x[..., k + below, k + above] with those two
    dims moved last;  dL/dx is dL/dy on that diagonal, 0 elsewhere.

    NOTE: y is a view of x's values, writable, as PyTorch's (``K.diagonal().add_(eps)``
    outside the graph adds to K's diagonal); numpy's own diagonal view is read-only."""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.x_shape, ctx.where = x.shape, (offset, dim1, dim2)
        return _writable(np.diagonal(x, offset, dim1, dim2), x)

    @staticmethod
    def backward(ctx, grad):
        gx = np.zeros(ctx.x_shape, dtype=grad.dtype)
        _writable(np.diagonal(gx, *ctx.where), gx)[...] = grad
        return gx, None, None, None


def _writable(view: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``view`` (of ``of``'s memory), writable when ``of`` is."""
    view.flags.writeable = of.flags.writeable
    return view


class SetItem(Function):
    """y = x with y[index] = value (out of place: ``x[index] = value`` inside the graph);
    dL/dx is dL/dy with the overwritten places zeroed, dL/dvalue is dL/dy[index]."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        y = x.copy()
        put(y, index, value)
        return y

    @staticmethod
    def backward(ctx, grad):
        grad = np.asarray(grad)  # (a 0-d output's gradient may come as a numpy scalar)
        gx = grad.copy()
        put(gx, ctx.index, 0)
        return gx, take(grad, ctx.index), None


def _is_basic(index) -> bool:
    """Whether ``index`` is numpy basic indexing (ints, slices, None, Ellipsis)."""
    if type(index) is SplitIndex:
        return False
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


class Clone(Function):
    """y = a copy of x;  dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Flip(Function):
    """y = x with the order of its elements reversed along ``dims``;  dL/dx = dL/dy
    flipped back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()  # a copy, as in PyTorch (np.flip is a view)

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.dims), None


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (over the flattened tensor
    when ``dims`` is None): y[i + s] = x[i];  dL/dx = dL/dy shifted back by -s."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return np.roll(grad, back, ctx.dims), None, None


class BroadcastTo(Function):
    """y = x repeated along the dims broadcasting adds or stretches (numpy's rules);
    dL/dx = dL/dy summed over them, which the engine's ``unbroadcast`` does."""

    @staticmethod
    def forward(ctx, x, shape):
        # NOTE: a copy: np.broadcast_to's read-only view would refuse in-place updates
        return np.broadcast_to(x, shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # at y's shape: the engine sums it back to x's


class Unfold(Function):
    """Every window of ``size`` consecutive elements along ``dim``, ``step`` apart:
    y[..., i, ..., j] = x[..., i·step + j, ...], dim ``dim`` of y counting the windows,
    (L - size) // step + 1 of them, and a new last dim of ``size`` holding each window.
    dL/dx adds each window's gradient back where it came from (overlapping windows sum).
    """

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.x_shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
        # NOTE: a copy, as BroadcastTo's: windows overlap, and the view is read-only
        return np.take(windows, np.arange(0, windows.shape[dim], step), axis=dim)

    @staticmethod
    def backward(ctx, grad):
        gx = np.zeros(ctx.x_shape, grad.dtype)
        moved = np.moveaxis(gx, ctx.dim, -1)  # a view: windows run along the last dim
        g = np.moveaxis(grad, ctx.dim, -2)  # (..., windows, size)
        for j in range(ctx.size):  # offset j of every window at once
            moved[..., j:j + ctx.step * g.shape[-2]:ctx.step] += g[..., j]
        return gx, None, None, None
