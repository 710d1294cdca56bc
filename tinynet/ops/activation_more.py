"""More activation functions: SiLU, Mish, Softplus, SELU, PReLU, Hardtanh and Threshold,
each one graph node with its analytic derivative.

Each has the protocol of ``tinynet/ops/activation.py``: ``derivative(x, y, ...)`` (f'(x)
with the given settings), ``saved_derivative(ctx)`` (the same values from what forward
saved, which backward multiplies by) and ``peak_derivative`` (the largest |f'|, for the
default settings). All are finite and warning-free for |x| up to the largest float32 and
float64 (exp() is only ever taken of arguments that cannot overflow), and keep float16 as
float16.
"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.activation import sigmoid

# SELU's constants (Klambauer et al., 2017), as PyTorch's: they make the activations of a
# deep network of standardised inputs and weights keep mean 0 and variance 1.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_EXP_ZERO_BELOW = -1000.0  # e^(-1000) underflows to 0 in float32 and float64


class SiLU(Function):
    """SiLU (swish): x·σ(x);  derivative σ(x)(1 + x(1 - σ(x))).

    The derivative peaks where its own derivative σ(1 - σ)(2 - x·tanh(x/2)) vanishes, at
    x·tanh(x/2) = 2, x ≈ 2.39936: about 1.09984 (no closed form: ``peak_derivative`` is
    set below the class). Its minimum is about -0.09984, at x ≈ -2.39936.
    """

    @staticmethod
    def forward(ctx, x):
        s = sigmoid(x)  # stable for any x
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def derivative(x, y):
        return SiLU._derivative(x, sigmoid(x))

    @staticmethod
    def _derivative(x, s):
        return s * (1 + x * (1 - s))

    @staticmethod
    def saved_derivative(ctx):
        return SiLU._derivative(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        return grad * SiLU.saved_derivative(ctx)


class Mish(Function):
    """Mish: x·tanh(softplus(x)), softplus(x) = log(1 + eˣ);  with t = tanh(softplus(x)),
    derivative t + x·(1 - t²)·σ(x) (as d softplus/dx = σ(x)).

    The derivative peaks near 1.08850 at x ≈ 1.4906 (no closed form: ``peak_derivative``
    is set below the class); its minimum is about -0.1125, at x ≈ -2.2564.
    """

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(np.logaddexp(0, x))  # softplus without exp overflow: log(e⁰ + eˣ)
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def derivative(x, y):
        return Mish._derivative(x, np.tanh(np.logaddexp(0, x)))

    @staticmethod
    def _derivative(x, t):
        # (1 - t²) is exactly 0 where x is large, before x multiplies it: no inf·0
        return t + x * (1 - t * t) * sigmoid(x)

    @staticmethod
    def saved_derivative(ctx):
        return Mish._derivative(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        return grad * Mish.saved_derivative(ctx)


class Softplus(Function):
    """(1/β)·log(1 + e^(βx)) (β > 0), and x itself where βx > threshold (as PyTorch: the
    two differ by less than e^(-threshold)/β there);  derivative σ(βx), or 1 where βx >
    threshold. Its supremum is 1, reached in the linear part.
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = Softplus._scaled(x, beta, threshold)
        if z.dtype == np.float16:  # e^z overflows float16 from z ≈ 11, below the threshold
            soft = (np.log1p(np.exp(z.astype(np.float32))) / beta).astype(np.float16)
        else:
            soft = np.log1p(np.exp(z)) / beta
        # NOTE: x > threshold/β rather than βx > threshold: βx may overflow for β > 1
        return np.where(x > threshold / beta, x, soft)

    @staticmethod
    def _scaled(x, beta, threshold):
        """βx clipped to [-1000, threshold]: e^(βx) can neither overflow (warning) nor
        change where it is used (below -1000 it is 0 either way)."""
        return np.clip(x, _EXP_ZERO_BELOW / beta, threshold / beta) * beta

    @staticmethod
    def derivative(x, y, beta=1.0, threshold=20.0):
        d = np.where(x > threshold / beta, 1, sigmoid(Softplus._scaled(x, beta, threshold)))
        return d.astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        (x,), beta, threshold = ctx.saved_tensors, ctx.beta, ctx.threshold
        return Softplus.derivative(x, None, beta, threshold)

    @staticmethod
    def backward(ctx, grad):
        return grad * Softplus.saved_derivative(ctx), None, None


class SELU(Function):
    """SELU: λx for x > 0, else λα(eˣ - 1), with PyTorch's λ ≈ 1.0507 and α ≈ 1.6733;
    derivative λ for x > 0, else λαeˣ, which peaks at λα ≈ 1.7581 at x = 0 (PyTorch's
    convention there: the x <= 0 branch, as ELU's; λ at x = nan, which fails that test).
    """

    peak_derivative = SELU_SCALE * SELU_ALPHA

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        negative = np.expm1(np.minimum(x, 0)) * SELU_ALPHA  # never e^(+large)
        return np.where(x > 0, x, negative) * SELU_SCALE

    @staticmethod
    def derivative(x, y):
        negative = np.exp(np.minimum(x, 0)) * (SELU_SCALE * SELU_ALPHA)
        return np.where(x <= 0, negative, SELU_SCALE).astype(negative.dtype, copy=False)

    @staticmethod
    def saved_derivative(ctx):
        return SELU.derivative(ctx.saved_tensors[0], None)

    @staticmethod
    def backward(ctx, grad):
        return grad * SELU.saved_derivative(ctx)


class PReLU(Function):
    """x for x > 0, else a·x, with a learnable slope a (one, or one per channel);
    derivative 1 for x > 0, else a (a at x = 0, as PyTorch);  dy/da = x for x <= 0, else
    0, so dL/da = Σ g·x over the positions x <= 0 that share a (the engine sums them).

    Shapes: x (*); a broadcastable against x (the caller shapes it, e.g. (C, 1) for
    (N, C, L) input). ``peak_derivative`` is 1: the maximum for |a| <= 1, which holds for
    the default a = 0.25 (in general it is max(1, |a|)).
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        return np.where(x > 0, x, x * a)

    @staticmethod
    def derivative(x, y, weight=0.25):
        return np.where(x > 0, 1, weight).astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        x, a = ctx.saved_tensors
        return PReLU.derivative(x, None, a)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.saved_tensors[0]
        ga = np.where(x > 0, 0, x * grad) if ctx.needs_input_grad[1] else None
        return grad * PReLU.saved_derivative(ctx), ga


class Hardtanh(Function):
    """x clipped to [min_val, max_val];  derivative 0 at or beyond the ends, else 1 (0 at
    the two ends, 1 at x = nan, as PyTorch). Peak 1."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.save_for_backward(x)
        ctx.min_val, ctx.max_val = min_val, max_val
        return np.clip(x, min_val, max_val)

    @staticmethod
    def derivative(x, y, min_val=-1.0, max_val=1.0):
        outside = (x <= min_val) | (x >= max_val)
        return np.where(outside, 0, 1).astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        (x,) = ctx.saved_tensors
        return Hardtanh.derivative(x, None, ctx.min_val, ctx.max_val)

    @staticmethod
    def backward(ctx, grad):
        # grad where the derivative is 1, else 0 (a selection: 0 · inf would be nan)
        return np.where(Hardtanh.saved_derivative(ctx) != 0, grad, 0), None, None


class Threshold(Function):
    """x where x > threshold, else value (nan stays nan, as PyTorch: it is not <=
    threshold);  derivative 0 where x <= threshold, else 1. Peak 1."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return np.where(x <= threshold, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def derivative(x, y, threshold=0.0):
        return np.where(x <= threshold, 0, 1).astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        return Threshold.derivative(ctx.saved_tensors[0], None, ctx.threshold)

    @staticmethod
    def backward(ctx, grad):
        # grad where the derivative is 1, else 0 (a selection: 0 · inf would be nan)
        return np.where(Threshold.saved_derivative(ctx) != 0, grad, 0), None, None


# The maxima over grids of step 1e-5 around the peaks: exact to ~1e-11.
SiLU.peak_derivative = float(SiLU.derivative(np.linspace(2.3, 2.5, 20001), None).max())
Mish.peak_derivative = float(Mish.derivative(np.linspace(1.4, 1.6, 20001), None).max())
