"""Activation functions, each one graph node with its analytic derivative.

Elementwise activations expose ``derivative(x, y)``: f'(x) from the input ``x`` and
output ``y`` (each op reads the one that is cheapest and stable), and
``saved_derivative(ctx)``: the same f'(x) from what their forward saved, which is what
``backward`` multiplies the incoming gradient by (ReLU selects instead: see its
``backward``). ``tinynet.diagnostics`` reads the
latter to measure dead and saturated units, so the two can never disagree, and a
forward's work (GELU's tanh or Φ) is not done twice.

All are finite and warning-free for |x| up to 1e4 (and beyond) in float32 and float64.
"""
import math

import numpy as np
from scipy.special import expit, ndtr

from tinynet.autograd.function import Function

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_KAPPA = 0.044715
_PDF_ZERO_BEYOND = 40.0  # e^(-x²/2) underflows to exactly 0 for |x| > 39 in float64
_TANH_ONE_BEYOND = 10.0  # tanh(√(2/π)(x + κx³)) is exactly ±1 for |x| >= 10


def sigmoid(x):
    """σ(x), ``scipy.special.expit``, in float16 for float16 x: scipy has no float16 loop
    and would return float64 (PyTorch keeps the input's dtype)."""
    return as_half_if_half(expit(x), x)


def normal_cdf(x):
    """Φ(x), ``scipy.special.ndtr``, in float16 for float16 x (as ``sigmoid``)."""
    return as_half_if_half(ndtr(x), x)


def as_half_if_half(y, x):
    return y.astype(np.float16) if getattr(x, "dtype", None) == np.float16 else y


class Sigmoid(Function):
    """σ(x) = 1 / (1 + e⁻ˣ);  σ'(x) = σ(x)(1 - σ(x)), peak 1/4 at x = 0."""

    peak_derivative = 0.25

    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION activations
        y = sigmoid(x)  # stable for any x: never evaluates e^(+large)
        ctx.save_for_backward(y)
        return y
        # END SOLUTION

    @staticmethod
    def derivative(x, y):
        # BEGIN SOLUTION activations
        return y * (1 - y)
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return Sigmoid.derivative(None, ctx.saved_tensors[0])

    @staticmethod
    def backward(ctx, grad):
        return grad * Sigmoid.saved_derivative(ctx)


class Tanh(Function):
    """tanh(x);  tanh'(x) = 1 - tanh²(x), peak 1 at x = 0."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION activations
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y
        # END SOLUTION

    @staticmethod
    def derivative(x, y):
        # BEGIN SOLUTION activations
        return 1 - y * y
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return Tanh.derivative(None, ctx.saved_tensors[0])

    @staticmethod
    def backward(ctx, grad):
        return grad * Tanh.saved_derivative(ctx)


class ReLU(Function):
    """max(x, 0);  ReLU'(x) = 0 for x <= 0, else 1 (0 at x = 0, and 1 at x = nan, which
    fails the test x <= 0, as in PyTorch)."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION activations
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y
        # END SOLUTION

    @staticmethod
    def derivative(x, y):
        # BEGIN SOLUTION activations
        return np.where(y <= 0, 0, 1).astype(y.dtype)  # y <= 0 exactly where x <= 0
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return ReLU.derivative(None, ctx.saved_tensors[0])

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION activations
        (y,) = ctx.saved_tensors
        # 0 where x <= 0, else grad: a selection, not grad · ReLU' (0 · inf is nan where the
        # gradient coming in is infinite, as below a sqrt or a log at 0)
        return np.where(y <= 0, 0, grad)
        # END SOLUTION


class LeakyReLU(Function):
    """x for x > 0, else slope·x;  derivative 1 for x > 0, else slope."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, negative_slope):
        # BEGIN SOLUTION activations
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)
        # END SOLUTION

    @staticmethod
    def derivative(x, y, negative_slope=0.01):
        # BEGIN SOLUTION activations
        return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return LeakyReLU.derivative(ctx.saved_tensors[0], None, ctx.negative_slope)

    @staticmethod
    def backward(ctx, grad):
        return grad * LeakyReLU.saved_derivative(ctx), None


class ELU(Function):
    """x for x > 0, else α(eˣ - 1);  derivative 1 for x > 0, else αeˣ.

    At x = 0 the derivative is α (PyTorch's convention: the x <= 0 branch), at x = nan 1
    (PyTorch's too: nan fails the test x <= 0).
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, alpha):
        # BEGIN SOLUTION activations
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        # expm1 of min(0, x): exact near 0, and never overflows for large positive x.
        # NOTE: min(0, x), not min(x, 0): numpy returns the second operand of a tie, so
        # ELU(-0.0) is -0.0, as in PyTorch
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(0, x)))
        # END SOLUTION

    @staticmethod
    def derivative(x, y, alpha=1.0):
        # BEGIN SOLUTION activations
        # NOTE: αeˣ equals y + α, but that sum cancels to a few ulps of α for x << 0
        # (its relative error reaches 100% near x = -35); αeˣ is exact, as in PyTorch.
        return np.where(x <= 0, alpha * np.exp(np.minimum(x, 0)), 1).astype(x.dtype)
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return ELU.derivative(ctx.saved_tensors[0], None, ctx.alpha)

    @staticmethod
    def backward(ctx, grad):
        return grad * ELU.saved_derivative(ctx), None


class GELU(Function):
    """Gaussian error linear unit, exact form: x·Φ(x);  derivative Φ(x) + x·φ(x).

    Φ is the standard normal CDF (``normal_cdf``: scipy's ndtr, accurate in both tails),
    φ(x) = e^(-x²/2) / √(2π) its density. The derivative peaks where its own derivative
    φ(x)(2 - x²) vanishes, at x = √2: Φ(√2) + √2·φ(√2) = ½(1 + erf 1) + 1/(e√π) ≈ 1.1289.
    """

    peak_derivative = 0.5 * (1 + math.erf(1.0)) + 1 / (math.e * math.sqrt(math.pi))

    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION gelu
        cdf = normal_cdf(x)
        ctx.save_for_backward(x, cdf)
        return x * cdf
        # END SOLUTION

    @staticmethod
    def derivative(x, y):
        return GELU.derivative_from(x, normal_cdf(x))

    @staticmethod
    def derivative_from(x, cdf):
        """Φ(x) + x·φ(x), given Φ(x)."""
        # BEGIN SOLUTION gelu
        # φ from x clipped to ±40, where e^(-x²/2) has already underflowed to 0: the same
        # values, without x² overflowing (a warning) for |x| > 1e19 in float32
        x_clipped = np.clip(x, -_PDF_ZERO_BEYOND, _PDF_ZERO_BEYOND)
        pdf = np.exp(x_clipped * x_clipped * -0.5)
        return pdf * x * _INV_SQRT_2PI + cdf
        # END SOLUTION

    @staticmethod
    def saved_derivative(ctx):
        return GELU.derivative_from(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        return grad * GELU.saved_derivative(ctx)


class GELUTanh(Function):
    """GELU, tanh approximation: ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).

    derivative: ½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²), which peaks
    near 1.12899 at x ≈ 1.4185 (no closed form: ``peak_derivative`` is set below the class).
    x is clipped to ±10 first: tanh u is exactly ±1 beyond (u > 43) in float32 and
    float64, so nothing changes, and the cubic cannot overflow (0·inf would be NaN).
    """

    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION gelu
        t = GELUTanh.tanh_u(np.clip(x, -_TANH_ONE_BEYOND, _TANH_ONE_BEYOND))
        ctx.save_for_backward(x, t)
        return (t + 1.0) * 0.5 * x  # ½(1 + t) <= 1 first: y cannot overflow
        # END SOLUTION

    @staticmethod
    def tanh_u(x):
        """tanh u, u = √(2/π)(x + κx³), for x clipped to ±10 (the cubic cannot overflow)."""
        # BEGIN SOLUTION gelu
        return np.tanh((x * x * x * _GELU_KAPPA + x) * _SQRT_2_OVER_PI)
        # END SOLUTION

    @staticmethod
    def derivative_from(x, t):
        """The derivative at x, given t = tanh u."""
        # BEGIN SOLUTION gelu
        x = np.clip(x, -_TANH_ONE_BEYOND, _TANH_ONE_BEYOND)  # 1 - t² is 0 beyond
        du = x * x * (3 * _GELU_KAPPA * _SQRT_2_OVER_PI) + _SQRT_2_OVER_PI  # √(2/π)(1 + 3κx²)
        return ((1.0 - t * t) * x * du + t + 1.0) * 0.5
        # END SOLUTION

    @staticmethod
    def derivative(x, y):
        t = GELUTanh.tanh_u(np.clip(x, -_TANH_ONE_BEYOND, _TANH_ONE_BEYOND))
        return GELUTanh.derivative_from(x, t)

    @staticmethod
    def saved_derivative(ctx):
        return GELUTanh.derivative_from(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        return GELUTanh.saved_derivative(ctx) * grad


# The maximum of the derivative over a grid of step 1e-5 around the peak, exact to ~1e-11
# (tests/test_activations.py recomputes it)
GELUTanh.peak_derivative = 1.128993068655481


class Softmax(Function):
    """yᵢ = e^(xᵢ - m) / Σⱼ e^(xⱼ - m) along ``dim`` (m = max, for stability);
    dL/dx = y ⊙ (g - Σ g⊙y)."""

    @staticmethod
    def forward(ctx, x, dim):
        # BEGIN SOLUTION softmax
        if x.size == 0:  # nothing to normalise (max over an empty axis has no value)
            y = np.empty_like(x, dtype=np.result_type(x, 1.0))
        else:
            e = np.exp(x - x.max(axis=dim, keepdims=True))
            y = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION softmax
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=ctx.dim, keepdims=True)), None
        # END SOLUTION


class LogSoftmax(Function):
    """yᵢ = xᵢ - m - log Σⱼ e^(xⱼ - m) along ``dim``;  dL/dx = g - softmax(x)·Σ g."""

    @staticmethod
    def forward(ctx, x, dim):
        # BEGIN SOLUTION softmax
        if x.size == 0:
            y = np.empty_like(x, dtype=np.result_type(x, 1.0))
        else:
            shifted = x - x.max(axis=dim, keepdims=True)
            y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION softmax
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * grad.sum(axis=ctx.dim, keepdims=True), None
        # END SOLUTION
