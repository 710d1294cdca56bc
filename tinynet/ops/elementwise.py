"""Elementwise math beyond exp/log/sqrt: trigonometry, other logarithms and exponentials,
square, reciprocal, reciprocal square root, the error function.

The inputs are floating point: the Tensor methods cast integers to the default dtype
first, as PyTorch does (``square`` keeps integers, as PyTorch's does).
"""
import math

import numpy as np
from scipy.special import erf, erfc

from tinynet.autograd.function import Function
from tinynet.ops.activation import as_half_if_half

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_EXP_ZERO_BEYOND = 40.0  # e^(-x²) underflows to exactly 0 for |x| > 27.3 in float64


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)


class Tan(Function):
    """y = tan x;  dy/dx = 1/cos² x = 1 + y²."""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)


class Log2(Function):
    """y = log₂ x;  dy/dx = 1 / (x ln 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


class Log10(Function):
    """y = log₁₀ x;  dy/dx = 1 / (x ln 10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


class Log1p(Function):
    """y = ln(1 + x), exact for tiny x;  dy/dx = 1 / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x)


class Expm1(Function):
    """y = eˣ - 1, exact for tiny x;  dy/dx = eˣ = y + 1."""

    @staticmethod
    def forward(ctx, x):
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


class Exp2(Function):
    """y = 2ˣ;  dy/dx = y ln 2."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y * _LN2)


class Square(Function):
    """y = x²;  dy/dx = 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 * x)


class Reciprocal(Function):
    """y = 1/x;  dy/dx = -1/x² = -y²."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # 1/0 = inf, as in PyTorch
            y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * (y * y)


class Rsqrt(Function):
    """y = 1/√x;  dy/dx = -½ x^(-3/2) = -½ y³."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # 1/√0 = inf, as in PyTorch
            y = 1 / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (-0.5 * y * y * y)


class Asin(Function):
    """y = arcsin x (nan outside [-1, 1]);  dy/dx = 1/√(1 - x²), inf at ±1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / np.sqrt(1 - x * x)


class Acos(Function):
    """y = arccos x (nan outside [-1, 1]);  dy/dx = -1/√(1 - x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad / np.sqrt(1 - x * x)


class Atan(Function):
    """y = arctan x;  dy/dx = 1/(1 + x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Sinh(Function):
    """y = sinh x;  dy/dx = cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh x;  dy/dx = sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sinh(x)


class Asinh(Function):
    """y = arsinh x;  dy/dx = 1/√(x² + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / np.sqrt(x * x + 1)


class Acosh(Function):
    """y = arcosh x (nan below 1);  dy/dx = 1/√(x² - 1), inf at 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / np.sqrt(x * x - 1)


class Atanh(Function):
    """y = artanh x (±inf at ±1, nan beyond);  dy/dx = 1/(1 - x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Erf(Function):
    """y = erf x = (2/√π) ∫₀ˣ e^(-t²) dt;  dy/dx = (2/√π) e^(-x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return as_half_if_half(erf(x), x)  # (scipy's erf has no float16 loop)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _erf_slope(x)


class Erfc(Function):
    """y = erfc x = 1 - erf x, computed without the cancellation (erfc 10 ≈ 2e-45, where
    1 - erf 10 is 0);  dy/dx = -(2/√π) e^(-x²), erf's slope negated."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc(x).astype(x.dtype, copy=False)  # (scipy computes float16 in float64)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        slope = _erf_slope(x)
        return grad * np.negative(slope, out=slope)


def _erf_slope(x):
    """(2/√π) e^(-x²), x first clipped where e^(-x²) is already 0: the same values, and
    x² cannot overflow."""
    x = np.clip(x, -_EXP_ZERO_BEYOND, _EXP_ZERO_BEYOND)
    return _TWO_OVER_SQRT_PI * np.exp(-x * x)
