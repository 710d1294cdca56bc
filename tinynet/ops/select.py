"""Ops whose every output element is one chosen input element: elementwise maximum and
minimum (and their nan-ignoring forms), ``where`` and ``gather``. The gradient goes back to
the element chosen.

Each backward returns gradients at the broadcast shape; the engine's ``unbroadcast``
reduces them to each input's own shape.
"""
import numpy as np

from tinynet.autograd.function import Function


class Maximum(Function):
    """y = max(x, z), elementwise;  dy/dx = 1 where x > z, ½ where x = z, else 0
    (and dy/dz the other way round): ties split the gradient evenly, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.maximum(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _share(grad, x > z, x == z, ctx.needs_input_grad)


class Minimum(Function):
    """y = min(x, z), elementwise;  dy/dx = 1 where x < z, ½ where x = z, else 0
    (and dy/dz the other way round), as in PyTorch."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        return np.minimum(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        return _share(grad, x < z, x == z, ctx.needs_input_grad)


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


def _share(grad, x_wins, tie, needs):
    """(dL/dx, dL/dz): all of ``grad`` to the winner, half each on a tie."""
    half = grad * 0.5
    need_x, need_z = needs
    gx = np.where(x_wins, grad, np.where(tie, half, 0)) if need_x else None
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
            gx = grad.copy()
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
        amax, amin: 1/k to each of the k contributors equal to the result (ties share).
    x's value gets 0 where it was not included and something was sent.
    """

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
        _REDUCE_AT[reduce](y, positions, values)
        if reduce == "mean":
            n = count[hit] + include_self
            y[hit] = y[hit] // n if y.dtype.kind in "iub" else y[hit] / n
        ctx.save_for_backward(x, values, y, count, *positions)
        ctx.within, ctx.src_shape = within, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        return y

    @staticmethod
    def backward(ctx, grad):
        x, values, y, count, *positions = ctx.saved_tensors
        positions, hit, include_self = tuple(positions), count > 0, ctx.include_self
        self_share, src_share = ScatterReduce._shares(ctx.reduce, x, values, y, count,
                                                      positions, include_self)
        gx = None
        if ctx.needs_input_grad[0]:  # (where nothing was sent, y = x: all of grad)
            share = self_share if include_self else 0.0
            gx = np.where(hit, grad * share, grad).astype(grad.dtype, copy=False)
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = np.zeros(ctx.src_shape, dtype=grad.dtype)
            gsrc[ctx.within] = grad[positions] * src_share
        return gx, None, None, gsrc, None, None

    @staticmethod
    def _shares(reduce, x, values, y, count, positions, include_self) -> tuple:
        """(dy/dx at each position of x where it was included, dy/d each sent value);
        only their values where something was sent are read."""
        if reduce == "sum":
            return 1.0, 1.0
        if reduce == "mean":
            n = np.maximum(count + include_self, 1)
            return 1.0 / n, 1.0 / n[positions]
        if reduce in ("amax", "amin"):  # ties share the gradient
            self_at = (x == y) & include_self
            ties = self_at.astype(np.int64)
            sent_at = values == y[positions]
            np.add.at(ties, positions, sent_at)
            ties = np.maximum(ties, 1)
            return self_at / ties, sent_at / ties[positions]
        # prod: the product of the others; with zeros among the contributors, only a
        # zero alone gets the product of the rest, every other contributor 0
        zeros = ((x == 0) & include_self).astype(np.int64)
        np.add.at(zeros, positions, values == 0)
        nonzero = np.where((x != 0) & include_self, x, 1)
        np.multiply.at(nonzero, positions, np.where(values != 0, values, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            self_share = np.where(x != 0, np.where(zeros == 0, y / x, 0),
                                  np.where(zeros == 1, nonzero, 0))
            z, v = zeros[positions], values
            src_share = np.where(v != 0, np.where(z == 0, y[positions] / v, 0),
                                 np.where(z == 1, nonzero[positions], 0))
        return self_share, src_share


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" \
        else False


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max if dtype.kind in "iu" \
        else True


# a reduction's value over nothing, and its ufunc's unbuffered in-place ``at``
_IDENTITY = {"sum": lambda d: 0, "mean": lambda d: 0, "prod": lambda d: 1,
             "amax": _lowest, "amin": _highest}
_REDUCE_AT = {"sum": np.add.at, "mean": np.add.at, "prod": np.multiply.at,
              "amax": np.maximum.at, "amin": np.minimum.at}
ScatterReduce.REDUCTIONS = tuple(_IDENTITY)


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
