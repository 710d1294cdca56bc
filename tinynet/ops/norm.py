"""The vector p-norm over one, several or all dimensions."""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.reduce import _axes
from tinynet.ops.unary import sign


class Norm(Function):
    """y = ‖x‖ₚ = (Σ |x|ᵖ)^(1/p) over ``dim``;  dy/dx = sign(x) |x|ᵖ⁻¹ / yᵖ⁻¹.

    So dy/dx = x / y for p = 2 and sign(x) for p = 1, with sign(NaN) = 0 as PyTorch's.
    For p = inf (-inf), y is the largest (smallest) |x| (NaN if an element is) and the
    gradient sign(x) is split evenly among the elements that reach it; p = 0 counts the
    non-zero elements, with gradient 0. Where y = 0 the gradient is 0 (the subgradient
    PyTorch picks: the derivative does not exist there), and so it is at x = 0 for p < 1.
    """

    @staticmethod
    def forward(ctx, x, p, dim, keepdim):
        axes = _axes(dim, x.ndim)
        ctx.p, ctx.axes = p, axes
        # float16's powers over- and underflow (300² > 65504, 1e-4² < its smallest): they
        # are summed in float32 and the norm rounded to float16 once, as PyTorch does
        wide = x.astype(np.float32) if x.dtype == np.float16 else x
        y = _norm(wide, p, axes).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)  # y with the reduced axes kept: it broadcasts against x
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        p = ctx.p
        grad = grad.reshape(y.shape)
        if p == 0:
            return np.zeros_like(x), None, None, None
        if p == 1:
            return sign(x) * grad, None, None, None
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                gx = x * (grad / y)
            elif p in (np.inf, -np.inf):
                extreme = np.abs(x) == y
                if np.isnan(y).any():  # a NaN is the norm: it counts as the extreme, as
                    extreme |= np.isnan(x) & np.isnan(y)  # in PyTorch (its sign is 0)
                count = extreme.sum(axis=ctx.axes, keepdims=True).astype(x.dtype)
                gx = sign(x) * extreme * (grad / count)
            else:
                a = np.abs(x)
                gx = np.sign(x) * a ** (p - 1) * (grad / y ** (p - 1))
                if p < 1:  # |0|^(p-1) = inf: 0 there, as PyTorch (not sign(0)·inf = nan)
                    gx = np.where(x == 0, 0, gx)
        return np.where(y == 0, 0, gx), None, None, None


def _norm(x, p, axes):
    """‖x‖ₚ over ``axes``, which are kept (as size 1)."""
    a = np.abs(x)
    if p == np.inf:
        return a.max(axis=axes, keepdims=True)
    if p == -np.inf:
        return a.min(axis=axes, keepdims=True)
    if p == 0:
        return (x != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
    if p == 1:
        return a.sum(axis=axes, keepdims=True)
    if p == 2:
        return np.sqrt((x * x).sum(axis=axes, keepdims=True))
    with np.errstate(divide="ignore"):  # |0|^p = inf for p < 0, meant (the norm is 0)
        return (a ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
