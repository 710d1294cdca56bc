"""GLU, the gated linear unit: an activation along one dimension, which it halves. It is
not elementwise, so, as Softmax, it has no ``derivative`` protocol for the diagnostics.
(Softmin is Softmax of -x: ``F.softmin``.)"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.activation import sigmoid


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
