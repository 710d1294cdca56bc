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


# SELU's negative saturation is -λα; AlphaDropout sets a dropped unit there
_SELU_SATURATION = 1.7580993408473766  # λα, SELU's λ = 1.0507..., α = 1.6732...


class AlphaDropout(Function):
    """Dropout that keeps SELU's self-normalisation: a dropped unit becomes SELU's
    saturation value -λα (not 0), then an affine map restores zero mean and unit
    variance for inputs that have them (each k is 1, kept, with probability 1 - p):

        y = a·(x ⊙ k - λα·(1 - k)) + a·λα·p,   a = ((1 - p)(1 + p·(λα)²))^(-1/2)
        dL/dx = a·g ⊙ k
    """

    @staticmethod
    def forward(ctx, x, p, generator):
        keep = (as_generator(generator, "alpha_dropout").random(x.shape) >= p).astype(x.dtype)
        a = 1.0 / ((1.0 - p) * (1.0 + p * _SELU_SATURATION ** 2)) ** 0.5
        mask = keep * x.dtype.type(a)
        shift = (keep - 1) * x.dtype.type(_SELU_SATURATION * a)
        shift += x.dtype.type(_SELU_SATURATION * a * p)
        ctx.save_for_backward(mask)
        return x * mask + shift

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None, None
