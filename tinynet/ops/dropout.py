"""Dropout: a random mask drawn and applied in one node."""
from tinynet.autograd.function import Function
from tinynet.random import as_generator


class Dropout(Function):
    """y = x ⊙ m, where each m is 0 (dropped, with probability p) or 1/(1 - p) (kept),
    drawn from ``generator`` (the global one when None); dL/dx = g ⊙ m: a dropped unit
    passes no gradient, a kept one is scaled as forward was.
    """

    @staticmethod
    def forward(ctx, x, p, generator):
        keep = as_generator(generator, "dropout").random(x.shape) >= p  # P(keep) = 1 - p
        scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
        mask = keep.astype(x.dtype) * x.dtype.type(scale)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None, None
