"""Dropout's multiplication by a fixed random mask, one node."""
from tinynet.autograd.function import Function


class Dropout(Function):
    """y = x ⊙ m, where m holds 0 (dropped) or 1/(1 - p) (kept), drawn by the caller;
    dL/dx = g ⊙ m: a dropped unit passes no gradient, a kept one is scaled as forward was.

    Shapes: x and m of one shape.
    """

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None
