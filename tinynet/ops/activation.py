"""Activation functions, each one graph node with its analytic derivative.

Elementwise activations expose ``derivative(x, y)``: f'(x) from the input ``x`` and
output ``y`` (each op reads the one that is cheapest and stable), and
``saved_derivative(ctx)``: the same f'(x) from what their forward saved, which is what
``backward`` multiplies the incoming gradient by. ``tinynet.diagnostics`` reads the
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


# NOTE: numpy 2's vectorised loops for maximum and minimum need two array operands: against
# a Python scalar they run element by element, 2.2-2.5× slower on a 256×1024 float32 array
# (180-190 µs against 76-85). A row of the scalar, broadcast down the rows, keeps the inner
# loop contiguous. Below ROW_MIN_SIZE elements the row costs more than it saves. The
# values are the scalar call's exactly (each maximum returns one of its two operands).
ROW_MIN_SIZE = 4096


def _against_scalar(ufunc, x: np.ndarray, value, out=None) -> np.ndarray:
    """``ufunc(x, value, out=out)`` (np.maximum or np.minimum), fast for large ``x``."""
    if np.ndim(x) == 0 or np.size(x) < ROW_MIN_SIZE:
        return ufunc(x, value, out=out)
    row = np.full(x.shape[-1], value, np.result_type(x, value))
    return ufunc(x, row, out=out)


class Sigmoid(Function):
    """σ(x) = 1 / (1 + e⁻ˣ);  σ'(x) = σ(x)(1 - σ(x)), peak 1/4 at x = 0."""

    peak_derivative = 0.25

    @staticmethod
    def forward(ctx, x):
        y = expit(x)  # stable for any x: never evaluates e^(+large)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def derivative(x, y):
        return y * (1 - y)

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
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def derivative(x, y):
        return 1 - y * y

    @staticmethod
    def saved_derivative(ctx):
        return Tanh.derivative(None, ctx.saved_tensors[0])

    @staticmethod
    def backward(ctx, grad):
        return grad * Tanh.saved_derivative(ctx)


class ReLU(Function):
    """max(x, 0);  ReLU'(x) = 1 for x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        y = _against_scalar(np.maximum, x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def derivative(x, y):
        return (y > 0).astype(y.dtype)  # y > 0 exactly where x > 0

    @staticmethod
    def saved_derivative(ctx):
        return ReLU.derivative(None, ctx.saved_tensors[0])

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y > 0)  # the 0/1 derivative as a boolean mask: no float copy


def _float_array_like(x) -> np.ndarray:
    """An empty array of x's shape and floating dtype (float64 for integers and Python
    numbers): a real array even for 0-d input, where ``x * x`` gives a numpy scalar,
    which ``out=`` cannot take."""
    if type(x) is np.ndarray and x.dtype.kind == "f":  # the usual case, at half the cost
        return np.empty_like(x)
    return np.empty(np.shape(x), np.result_type(x, 1.0))


# NOTE: np.where on a mask that changes sign at random is ~15× slower than np.maximum
# (1.2 ms against 80 µs on 256×1024 float32: branch mispredictions). For the usual
# parameters, 0 ≤ slope, α ≤ 1, LeakyReLU and ELU are maxima of their two branches, and
# their derivatives maxima of a 0/1 mask and the x <= 0 branch; each maximum returns one
# of its operands, so the values are np.where's exactly. Other parameters use np.where.


class LeakyReLU(Function):
    """x for x > 0, else slope·x;  derivative 1 for x > 0, else slope."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x, negative_slope)
        if 0 <= negative_slope <= 1:
            return np.maximum(x, x * negative_slope)
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def derivative(x, y, negative_slope=0.01):
        if 0 <= negative_slope <= 1:
            d = np.greater(x, 0, out=_float_array_like(x))
            return _against_scalar(np.maximum, d, negative_slope, out=d)
        return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)

    @staticmethod
    def saved_derivative(ctx):
        x, negative_slope = ctx.saved_tensors
        return LeakyReLU.derivative(x, None, negative_slope)

    @staticmethod
    def backward(ctx, grad):
        d = LeakyReLU.saved_derivative(ctx)
        d *= grad
        return d, None


class ELU(Function):
    """x for x > 0, else α(eˣ - 1);  derivative 1 for x > 0, else αeˣ.

    At x = 0 the derivative is α (PyTorch's convention: the x <= 0 branch).
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, alpha):
        # expm1 of min(x, 0): exact near 0 and never overflows for large positive x.
        ctx.save_for_backward(x, alpha)
        negative = _against_scalar(np.minimum, x, 0, out=_float_array_like(x))
        np.expm1(negative, out=negative)
        negative *= alpha
        if 0 <= alpha <= 1:  # α(eˣ - 1) >= x for x <= 0, and 0 < x for x > 0
            return np.maximum(negative, x, out=negative)
        return np.where(x > 0, x, negative)

    @staticmethod
    def derivative(x, y, alpha=1.0):
        # NOTE: αeˣ equals y + α, but that sum cancels to a few ulps of α for x << 0
        # (its relative error reaches 100% near x = -35); αeˣ is exact, as in PyTorch.
        negative = _against_scalar(np.minimum, x, 0, out=_float_array_like(x))
        np.exp(negative, out=negative)
        negative *= alpha
        if 0 <= alpha <= 1:  # αeˣ >= 0 for x <= 0, and α <= 1 for x > 0
            return np.maximum(negative, x > 0, out=negative).astype(x.dtype, copy=False)
        return np.where(x > 0, 1, negative).astype(x.dtype, copy=False)

    @staticmethod
    def saved_derivative(ctx):
        x, alpha = ctx.saved_tensors
        return ELU.derivative(x, None, alpha)

    @staticmethod
    def backward(ctx, grad):
        return grad * ELU.saved_derivative(ctx), None


class GELU(Function):
    """Gaussian error linear unit, exact form: x·Φ(x);  derivative Φ(x) + x·φ(x).

    Φ is the standard normal CDF (``scipy.special.ndtr``, accurate in both tails),
    φ(x) = e^(-x²/2) / √(2π) its density. The derivative peaks where its own derivative
    φ(x)(2 - x²) vanishes, at x = √2: Φ(√2) + √2·φ(√2) = ½(1 + erf 1) + 1/(e√π) ≈ 1.1289.
    """

    peak_derivative = 0.5 * (1 + math.erf(1.0)) + 1 / (math.e * math.sqrt(math.pi))

    @staticmethod
    def forward(ctx, x):
        cdf = ndtr(x)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def derivative(x, y):
        return GELU._derivative(x, ndtr(x))

    @staticmethod
    def _derivative(x, cdf):
        # φ(x) from x clipped to ±40, where e^(-x²/2) has already underflowed to 0: the
        # same values, without x² overflowing (a warning) for |x| > 1e19 in float32
        d = np.clip(x, -_PDF_ZERO_BEYOND, _PDF_ZERO_BEYOND, out=_float_array_like(x))
        d *= d
        d *= -0.5
        np.exp(d, out=d)
        d *= x
        d *= _INV_SQRT_2PI
        d += cdf
        return d

    @staticmethod
    def saved_derivative(ctx):
        return GELU._derivative(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        return grad * GELU.saved_derivative(ctx)


class GELUTanh(Function):
    """GELU, tanh approximation: ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).

    derivative: ½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²), which peaks
    near 1.12899 at x ≈ 1.4185 (no closed form: ``peak_derivative`` is set below the class).
    """

    # NOTE: forward and backward build their results in place, in one or two fresh
    # arrays instead of a temporary per operator: on digits-sized layers the allocations
    # were a measurable share of the step.
    @staticmethod
    def forward(ctx, x):
        x_clipped = GELUTanh._clip(x)
        t = GELUTanh._tanh_u(x_clipped)
        # the derivative needs x only where |x| < 10 (beyond, 1 - t² is exactly 0): the
        # clipped copy serves, and x³ never overflows
        ctx.save_for_backward(x_clipped, t)
        y = t + 1.0
        y *= 0.5  # before x: ½(1 + t) <= 1, so y cannot overflow where x is finite
        y *= x
        return y

    @staticmethod
    def _clip(x):
        """x clipped to ±10: tanh u is exactly ±1 beyond (u > 43), in float32 and float64,
        so t is unchanged, and the cubic cannot overflow (which made 0·inf = NaN)."""
        return np.clip(x, -_TANH_ONE_BEYOND, _TANH_ONE_BEYOND, out=_float_array_like(x))

    @staticmethod
    def _tanh_u(x):
        """tanh u, u = √(2/π)(x + κx³), for x clipped to ±10."""
        u = np.multiply(x, x, out=_float_array_like(x))
        u *= x
        u *= _GELU_KAPPA
        u += x
        u *= _SQRT_2_OVER_PI
        return np.tanh(u, out=u)

    @staticmethod
    def _derivative(x, t):
        du = np.multiply(x, x, out=_float_array_like(x))
        du *= 3 * _GELU_KAPPA * _SQRT_2_OVER_PI
        du += _SQRT_2_OVER_PI  # du/dx = √(2/π)(1 + 3κx²)
        d = np.multiply(t, t, out=np.empty_like(du))
        np.subtract(1.0, d, out=d)  # dtanh/du = 1 - t²
        d *= x
        d *= du
        d += t
        d += 1.0
        d *= 0.5  # ½(1 + t) + ½x(1 - t²)·du/dx
        return d

    @staticmethod
    def derivative(x, y):
        x_clipped = GELUTanh._clip(x)
        return GELUTanh._derivative(x_clipped, GELUTanh._tanh_u(x_clipped))

    @staticmethod
    def saved_derivative(ctx):
        return GELUTanh._derivative(*ctx.saved_tensors)

    @staticmethod
    def backward(ctx, grad):
        d = GELUTanh.saved_derivative(ctx)
        d *= grad
        return d


# The maximum over a grid of step 1e-5 around the peak: exact to ~1e-11.
GELUTanh.peak_derivative = float(GELUTanh.derivative(np.linspace(1.3, 1.5, 20001), None).max())


class Softmax(Function):
    """yᵢ = e^(xᵢ - m) / Σⱼ e^(xⱼ - m) along ``dim`` (m = max, for stability);
    dL/dx = y ⊙ (g - Σ g⊙y)."""

    @staticmethod
    def forward(ctx, x, dim):
        if x.size == 0:  # nothing to normalise (max over an empty axis has no value)
            y = np.empty_like(x, dtype=np.result_type(x, 1.0))
        else:
            e = np.exp(x - x.max(axis=dim, keepdims=True))
            y = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y, dim)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, dim = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=dim, keepdims=True)), None


class LogSoftmax(Function):
    """yᵢ = xᵢ - m - log Σⱼ e^(xⱼ - m) along ``dim``;  dL/dx = g - softmax(x)·Σ g."""

    @staticmethod
    def forward(ctx, x, dim):
        if x.size == 0:
            y = np.empty_like(x, dtype=np.result_type(x, 1.0))
        else:
            shifted = x - x.max(axis=dim, keepdims=True)
            y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y, dim)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, dim = ctx.saved_tensors
        return grad - np.exp(y) * grad.sum(axis=dim, keepdims=True), None
