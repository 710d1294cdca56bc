"""Dropout: a random mask drawn and applied in one node; its forms that drop whole
channels share one mask value per (sample, channel)."""
from tinynet.autograd.function import Function
from tinynet.random import as_generator


class Dropout(Function):
    """y = x ⊙ m, where each m is 0 (dropped, with probability p) or 1/(1 - p) (kept),
    drawn from ``generator`` (the global one when None); dL/dx = g ⊙ m: a dropped unit
    passes no gradient, a kept one is scaled as forward was.
    """

    @staticmethod
    def forward(ctx, x, p, generator):
        return _dropped(ctx, x, p, as_generator(generator, "dropout"), x.shape)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None, None


class FeatureDropout(Dropout):
    """Dropout of whole channels (``nn.Dropout1d/2d/3d``): x of shape (N, C, *), one m per
    (sample, channel), shared by every position of that channel:

        y = x ⊙ m,  m of shape (N, C, 1, ..., 1);  dL/dx = g ⊙ m (m broadcast)
    """

    @staticmethod
    def forward(ctx, x, p, generator):
        return _dropped(ctx, x, p, as_generator(generator, "feature_dropout"),
                        _channels(x.shape))


def _dropped(ctx, x, p, generator, shape):
    """x ⊙ m, m of ``shape`` (x's, or one that broadcasts to it) drawn from ``generator``."""
    keep = generator.random(shape) >= p  # P(keep) = 1 - p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    mask = keep.astype(x.dtype) * x.dtype.type(scale)
    ctx.save_for_backward(mask)
    return x * mask


def _channels(shape: tuple) -> tuple:
    """The shape of a mask with one value per (sample, channel) of an (N, C, *) input."""
    return shape[:2] + (1,) * (len(shape) - 2)


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
        return _alpha_dropped(ctx, x, p, as_generator(generator, "alpha_dropout"), x.shape)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None, None


class FeatureAlphaDropout(AlphaDropout):
    """AlphaDropout of whole channels (``nn.FeatureAlphaDropout``): one k per (sample,
    channel) of an (N, C, *) input, shared by every position of that channel; the same
    map and gradient as AlphaDropout's, k broadcast."""

    @staticmethod
    def forward(ctx, x, p, generator):
        return _alpha_dropped(ctx, x, p, as_generator(generator, "feature_alpha_dropout"),
                              _channels(x.shape))


def _alpha_dropped(ctx, x, p, generator, shape):
    """AlphaDropout's map, its k of ``shape`` (x's, or one that broadcasts to it)."""
    keep = (generator.random(shape) >= p).astype(x.dtype)
    a = 1.0 / ((1.0 - p) * (1.0 + p * _SELU_SATURATION ** 2)) ** 0.5
    mask = keep * x.dtype.type(a)
    shift = (keep - 1) * x.dtype.type(_SELU_SATURATION * a)
    shift += x.dtype.type(_SELU_SATURATION * a * p)
    ctx.save_for_backward(mask)
    return x * mask + shift
