"""Reductions over one, several or all dimensions: sum, mean, max."""
import numpy as np

from tinynet.autograd.function import Function


def check_dim(dim: int, ndim: int) -> int:
    """``dim`` as a non-negative axis of an ``ndim``-dimensional tensor; out of range is an
    error (as in PyTorch), never wrapped around. A 0-d tensor accepts 0 and -1."""
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-size}, "
                         f"{size - 1}], but got {dim})")
    return dim % size


def _axes(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence) as a tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(check_dim(d, ndim) if ndim else 0 for d in dims)


def _expand_back(grad, shape, axes, keepdim):
    """Re-insert the reduced axes of ``grad`` (as size 1) so it broadcasts against ``shape``."""
    if not keepdim and axes:
        grad = np.expand_dims(grad, axes)
    return grad


class Sum(Function):
    """y = Σ x over ``dim``;  dy/dx = 1 (the gradient is broadcast back)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        axes = _axes(dim, x.ndim)
        ctx.save_for_backward(x.shape, axes, keepdim)
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, axes, keepdim = ctx.saved_tensors
        return np.broadcast_to(_expand_back(grad, shape, axes, keepdim), shape), None, None


class Mean(Function):
    """y = (1/n) Σ x over ``dim``;  dy/dx = 1/n."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        axes = _axes(dim, x.ndim)
        ctx.save_for_backward(x.shape, axes, keepdim)
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, axes, keepdim = ctx.saved_tensors
        n = int(np.prod([shape[a] for a in axes])) if axes else 1
        grad = _expand_back(grad, shape, axes, keepdim) / n
        return np.broadcast_to(grad, shape), None, None


class Max(Function):
    """y = max x over ``dim``;  dy/dx = 1 at the maximum, 0 elsewhere.

    Ties: with ``dim`` the gradient goes to the first maximal element (the one
    ``argmax`` returns, as in PyTorch); over all elements it is split evenly among
    the tied maxima (PyTorch's rule for a full reduction).
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        if dim is None:
            y = x.max()
            ctx.save_for_backward(x, None, y, keepdim)
            return y
        y = x.max(axis=dim, keepdims=keepdim)
        ctx.save_for_backward(x, dim, x.argmax(axis=dim), keepdim)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, dim, where, keepdim = ctx.saved_tensors
        if dim is None:
            mask = x == where
            # a Python int count keeps float32 float32 (numpy's int64 would promote it)
            return mask * (grad / int(mask.sum())), None, None
        if keepdim:
            grad = np.squeeze(grad, axis=dim)
        gx = np.zeros_like(x, dtype=grad.dtype)
        np.put_along_axis(gx, np.expand_dims(where, dim), np.expand_dims(grad, dim), axis=dim)
        return gx, None, None
