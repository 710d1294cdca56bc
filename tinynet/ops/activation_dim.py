"""Two activations along one dimension, one node each: Softmin (softmax of -x) and GLU
(the gated linear unit, which halves that dimension). Neither is elementwise, so, as
Softmax, neither has the ``derivative`` protocol the diagnostics read."""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.activation import sigmoid


class Softmin(Function):
    """yᵢ = e^(m - xᵢ) / Σⱼ e^(m - xⱼ) along ``dim`` (m = min, for stability): softmax of
    -x, so small xᵢ get large weights;  dL/dx = -y ⊙ (g - Σ g⊙y), softmax's gradient
    with the sign of the chain rule through -x."""

    @staticmethod
    def forward(ctx, x, dim):
        if x.size == 0:  # nothing to normalise (min over an empty axis has no value)
            y = np.empty_like(x, dtype=np.result_type(x, 1.0))
        else:
            e = np.exp(x.min(axis=dim, keepdims=True) - x)
            y = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * ((grad * y).sum(axis=ctx.dim, keepdims=True) - grad), None


class GLU(Function):
    """x split in halves a, b along ``dim`` (of even size 2n): y = a ⊙ σ(b), size n there;
    dL/da = g ⊙ σ(b),  dL/db = g ⊙ a ⊙ σ(b)(1 - σ(b)), joined back along ``dim``.

    Shapes: x (..., 2n, ...) -> y (..., n, ...), ``dim`` a non-negative axis.
    """

    @staticmethod
    def forward(ctx, x, dim):
        a, b = np.split(x, 2, axis=dim)
        gate = sigmoid(b)  # stable for any b
        ctx.save_for_backward(a, gate)
        ctx.dim = dim
        return a * gate

    @staticmethod
    def backward(ctx, grad):
        a, gate = ctx.saved_tensors
        grad_a = grad * gate
        grad_b = grad_a * a * (1 - gate)
        return np.concatenate([grad_a, grad_b], axis=ctx.dim), None
