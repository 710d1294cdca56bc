"""Sums and means that skip nan (nansum, nanmean)."""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.reduce import _axes, _expand_back


class NanSum(Function):
    """y = Σ x over ``dim``, nan counted as 0;  dy/dx = 1 where x is not nan, 0 where it
    is (the gradient is multiplied by that mask, as PyTorch's: an infinite gradient
    gives nan there)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.axes, ctx.keepdim, ctx.kept = _axes(dim, x.ndim), keepdim, ~np.isnan(x)
        return np.where(ctx.kept, x, 0).sum(axis=ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        kept = ctx.kept
        with np.errstate(invalid="ignore"):  # inf · 0 = nan, as PyTorch
            return _expand_back(grad, kept.shape, ctx.axes, ctx.keepdim) * kept, None, None


class NanMean(Function):
    """y = Σ x / n over ``dim``, over the n elements that are not nan (nan where n = 0);
    dy/dx = 1/n where x is not nan, 0 where it is (nan where n = 0, as PyTorch's)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.axes, ctx.keepdim, ctx.kept = _axes(dim, x.ndim), keepdim, ~np.isnan(x)
        ctx.count = ctx.kept.sum(axis=ctx.axes, keepdims=True).astype(x.dtype)
        total = np.where(ctx.kept, x, 0).sum(axis=ctx.axes, keepdims=True)
        with np.errstate(invalid="ignore"):  # 0/0 = nan: no element to average
            y = total / ctx.count
        return y if keepdim else np.squeeze(y, axis=ctx.axes)

    @staticmethod
    def backward(ctx, grad):
        kept = ctx.kept
        grad = _expand_back(grad, kept.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / ctx.count * kept, None, None
