"""Ops whose every output element is one chosen input element: elementwise maximum and
minimum (and their nan-ignoring forms), ``where`` and ``gather``. The gradient goes back to
the element chosen.

Each backward returns gradients at the broadcast shape; the engine's ``unbroadcast``
reduces them to each input's own shape.
"""
from collections import namedtuple

import numpy as np

from tinynet.autograd.function import Function


class Maximum(Function):
    """y = max(x, z), elementwise;  dy/dx = 1 where x > z, ½ where x = z, 0 where x < z
    (and dy/dz the other way round): ties split the gradient evenly, and where x or z is
    NaN (so is y) each gets it whole, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.maximum(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _share(grad, x > z, x < z, x == z, ctx.needs_input_grad)


class Minimum(Function):
    """y = min(x, z), elementwise;  dy/dx = 1 where x < z, ½ where x = z, 0 where x > z
    (and dy/dz the other way round; each gets it whole at a NaN), as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.minimum(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _share(grad, x < z, x > z, x == z, ctx.needs_input_grad)


class FMax(Function):
    """y = max(x, z), elementwise, ignoring a nan (nan only where both are);
    dy/dx = 1 where x >= z or z is nan, else 0, and dy/dz the rest: a tie goes to x,
    as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.fmax(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _route(grad, (x >= z) | np.isnan(z), ctx.needs_input_grad)


class FMin(Function):
    """y = min(x, z), elementwise, ignoring a nan (nan only where both are);
    dy/dx = 1 where x <= z or z is nan, else 0, and dy/dz the rest, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.fmin(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _route(grad, (x <= z) | np.isnan(z), ctx.needs_input_grad)


def _route(grad, x_wins, needs):
    """(dL/dx, dL/dz): all of ``grad`` to x where it wins, to z elsewhere."""
    need_x, need_z = needs
    gx = np.where(x_wins, grad, 0) if need_x else None
    gz = np.where(x_wins, 0, grad) if need_z else None
    return gx, gz


def _share(grad, x_wins, z_wins, tie, needs):
    """(dL/dx, dL/dz): all of ``grad`` to the winner, half each on a tie, and all of it to
    both where neither wins nor ties (a NaN on either side), as PyTorch's gradients."""
    half = grad * 0.5
    need_x, need_z = needs
    gx = np.where(z_wins, 0, np.where(tie, half, grad)) if need_x else None
    gz = np.where(x_wins, 0, np.where(tie, half, grad)) if need_z else None
    return gx, gz


class Where(Function):
    """y = x where ``condition``, else z;  dy/dx = condition, dy/dz = not condition."""

    @staticmethod
    def forward(ctx, condition, x, z):
        ctx.save_for_backward(condition)
        return np.where(condition, x, z)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        _, need_x, need_z = ctx.needs_input_grad
        gx = np.where(condition, grad, 0) if need_x else None
        gz = np.where(condition, 0, grad) if need_z else None
        return None, gx, gz


def _positions(index: np.ndarray, dim: int) -> tuple:
    """The full integer index that ``index`` along ``dim`` names: a (sparse) grid over
    index's shape, with ``index`` itself along dim."""
    positions = list(np.indices(index.shape, sparse=True))
    positions[dim] = index
    return tuple(positions)


def _covered(index: np.ndarray) -> tuple:
    """The part of a source (scatter's ``src``) that ``index`` covers: its leading block
    of index's shape."""
    return tuple(slice(0, n) for n in index.shape)


class Gather(Function):
    """y[i][j][k] = x[index[i][j][k]][j][k] (for dim 0; likewise for the other dims);
    dL/dx is dL/dy added back at those positions (summed where an index repeats).

    ``index`` has x's number of dims and is no larger than x in the other dims.
    """

    @staticmethod
    def forward(ctx, x, dim, index):
        positions = _positions(index, dim)
        ctx.x_shape = x.shape
        ctx.save_for_backward(*positions)
        return x[positions]

    @staticmethod
    def backward(ctx, grad):
        gx = np.zeros(ctx.x_shape, dtype=grad.dtype)
        np.add.at(gx, ctx.saved_tensors, grad)
        return gx, None, None


class Scatter(Function):
    """y = x, then y[index[i][j]][j] = src[i][j] for dim 0 (likewise for the other dims;
    ``src`` a scalar: that value everywhere index points). dL/dx is dL/dy where nothing was
    written, 0 where something was; dL/dsrc[i][j] = dL/dy[index[i][j]][j] (gather's rule).
    Where an index repeats, one of the writes wins (which one is not specified, as in
    PyTorch).
    """

    @staticmethod
    def forward(ctx, x, dim, index, src):
        positions, within = _positions(index, dim), _covered(index)
        y = x.copy()
        y[positions] = src[within] if isinstance(src, np.ndarray) and src.ndim else src
        ctx.save_for_backward(*positions)
        ctx.within = within
        ctx.src_shape = src.shape if isinstance(src, np.ndarray) else None
        return y

    @staticmethod
    def backward(ctx, grad):
        positions = ctx.saved_tensors
        gx = None
        if ctx.needs_input_grad[0]:
            gx = np.array(grad)  # (a copy; also of a 0-d output's gradient as a numpy scalar)
            gx[positions] = 0
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = np.zeros(ctx.src_shape, dtype=grad.dtype)
            gsrc[ctx.within] = grad[positions]
        return gx, None, None, gsrc


class ScatterAdd(Function):
    """y = x, then y[index[i][j]][j] += src[i][j] for dim 0 (likewise for the other dims),
    every write added where an index repeats. dL/dx = dL/dy; dL/dsrc[i][j] =
    dL/dy[index[i][j]][j] (gather's rule), 0 beyond index's shape."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        positions, within = _positions(index, dim), _covered(index)
        y = x.copy()
        np.add.at(y, positions, src[within])
        ctx.save_for_backward(*positions)
        ctx.within, ctx.src_shape = within, src.shape
        return y

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = np.zeros(ctx.src_shape, dtype=grad.dtype)
            gsrc[ctx.within] = grad[ctx.saved_tensors]
        return grad if ctx.needs_input_grad[0] else None, None, None, gsrc


class ScatterReduce(Function):
    """y = x, then each position index points at (for dim 0, y[index[i][j]][j]) becomes
    the reduction of src's values sent there, and of x's value when ``include_self``:
    their "sum", "prod", "mean", "amax" or "amin" (an integer mean rounds down, as
    PyTorch's). Positions nothing is sent to keep x's value. Gradients, per position
    (the contributors: x's value if included, and the src values sent there):
        sum:  1 to each contributor;   mean: 1/n to each of the n contributors;
        prod: the product of the other contributors;
        amax, amin: 1/k to each of the k contributors equal to the result (ties share;
                    NaN to each where the result is NaN).
    x's value gets 0 where it was not included and something was sent.
    """

    REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        positions, within = _positions(index, dim), _covered(index)
        values = src[within]
        count = np.zeros(x.shape, np.int64)  # values sent to each position
        np.add.at(count, positions, 1)
        hit = count > 0
        y = x.copy()
        if not include_self:
            y[hit] = _IDENTITY[reduce](x.dtype)
        with np.errstate(invalid="ignore"):  # (a NaN sent to amax/amin: the result is NaN)
            _REDUCE_AT[reduce](y, positions, values)
        if reduce == "mean":
            n = count[hit] + include_self
            y[hit] = y[hit] // n if y.dtype.kind in "iu" else y[hit] / n
        ctx.save_for_backward(x, values, y, count, *positions)
        ctx.within, ctx.src_shape = within, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        return y

    @staticmethod
    def backward(ctx, grad):
        x, values, y, count, *positions = ctx.saved_tensors
        sent = _Sent(x, values, y, count, tuple(positions), ctx.include_self)
        self_share, src_share = _SHARES[ctx.reduce](sent)
        gx = None
        if ctx.needs_input_grad[0]:  # (where nothing was sent, y = x: all of grad)
            share = self_share if ctx.include_self else 0.0
            gx = np.where(count > 0, grad * share, grad).astype(grad.dtype, copy=False)
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = np.zeros(ctx.src_shape, dtype=grad.dtype)
            gsrc[ctx.within] = grad[sent.positions] * src_share
        return gx, None, None, gsrc, None, None


class _Sent(namedtuple("_Sent", "x values y count positions include_self")):
    """What a scatter_reduce's gradient rules read: the input x, the values sent, the
    result y, how many values each position got, where they went, and whether x's own
    value took part."""


# Each rule: (dy/dx at each position of x, where x took part; dy/d each sent value). Only
# the positions something was sent to are read.
def _sum_shares(sent):
    return 1.0, 1.0


def _mean_shares(sent):
    n = np.maximum(sent.count + sent.include_self, 1)
    return 1.0 / n, 1.0 / n[sent.positions]


def _extreme_shares(sent):
    """amax and amin: the contributors equal to the result share the gradient. A NaN
    result (a NaN among the contributors) equals none of them: its gradient is NaN for
    every contributor, as in PyTorch, not 0."""
    self_at = (sent.x == sent.y) & sent.include_self
    sent_at = sent.values == sent.y[sent.positions]
    ties = self_at.astype(np.int64)
    np.add.at(ties, sent.positions, sent_at)
    share = np.where(ties > 0, 1.0 / np.maximum(ties, 1), np.nan)
    self_share = np.where(ties > 0, self_at * share, np.nan)
    src_share = share[sent.positions]
    return self_share, np.where(ties[sent.positions] > 0, sent_at * src_share, np.nan)


def _prod_shares(sent):
    """The product of the other contributors: y/c for a contributor c when none is 0;
    with zeros among them, only a zero alone gets the product of the rest (the others'
    products hold that zero)."""
    x, values, y, positions = sent.x, sent.values, sent.y, sent.positions
    zeros = ((x == 0) & sent.include_self).astype(np.int64)
    np.add.at(zeros, positions, values == 0)
    nonzero = np.where((x != 0) & sent.include_self, x, 1)  # the product of the nonzero
    np.multiply.at(nonzero, positions, np.where(values != 0, values, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        self_share = _others(x, y, zeros, nonzero)
        src_share = _others(values, y[positions], zeros[positions], nonzero[positions])
    return self_share, src_share


def _others(c, y, zeros, nonzero):
    """The product of the contributors other than c, given the result y, the number of
    zero contributors and the product of the nonzero ones."""
    return np.where(c != 0, np.where(zeros == 0, y / c, 0), np.where(zeros == 1, nonzero, 0))


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" \
        else False


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max if dtype.kind in "iu" \
        else True


# a reduction's value over nothing, its ufunc's unbuffered in-place ``at``, its gradient
_IDENTITY = {"sum": lambda d: 0, "mean": lambda d: 0, "prod": lambda d: 1,
             "amax": _lowest, "amin": _highest}
_REDUCE_AT = {"sum": np.add.at, "mean": np.add.at, "prod": np.multiply.at,
              "amax": np.maximum.at, "amin": np.minimum.at}
_SHARES = {"sum": _sum_shares, "mean": _mean_shares, "prod": _prod_shares,
           "amax": _extreme_shares, "amin": _extreme_shares}


class IndexAdd(Function):
    """y = x, then y[..., index[i], ...] += source[..., i, ...] along ``dim``, every slice
    added where an index repeats. dL/dx = dL/dy; dL/dsource = dL/dy[..., index, ...]."""

    @staticmethod
    def forward(ctx, x, dim, index, source):
        index = np.reshape(index, -1)  # (a 0-d index: one slice)
        y = x.copy()
        np.add.at(np.moveaxis(y, dim, 0), index, np.moveaxis(source, dim, 0))
        ctx.dim, ctx.index = dim, index
        return y

    @staticmethod
    def backward(ctx, grad):
        gsource = np.take(grad, ctx.index, axis=ctx.dim) if ctx.needs_input_grad[3] else None
        return grad if ctx.needs_input_grad[0] else None, None, None, gsource


class OneHot(Function):
    """y[..., c] = 1 where c is the class index, else 0 (int64): a constant of its input,
    with no gradient (class indices are integers)."""

    @staticmethod
    def forward(ctx, labels, num_classes):
        out = np.zeros(labels.shape + (num_classes,), dtype=np.int64)
        np.put_along_axis(out, labels[..., None], 1, axis=-1)
        return out
