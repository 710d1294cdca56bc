"""Special elementwise functions: logit, x·log y, log(eˣ + eʸ) in base e and 2, the
hypotenuse, copysign, the inverse error function, log|Γ|, the digamma function and the
Heaviside step (erfc is beside erf, in ``elementwise.py``).

Each is one op because composing it would be numerically unsound (``x·log y`` at x = 0,
``log(eˣ + eʸ)`` for large x) or because its gradient has PyTorch's special values where
the composed one would not (logit's clamped ends). The Tensor methods (``tensor_special.py``)
cast the operands to one floating dtype first.
"""
import math

import numpy as np
from scipy.special import erfinv, gammaln, polygamma, psi

from tinynet.autograd.function import Function

_HALF_SQRT_PI = math.sqrt(math.pi) / 2


class Logit(Function):
    """y = log(x / (1 - x)), with x first clamped to [eps, 1 - eps] when ``eps`` is given;
    dy/dx = 1 / (x (1 - x)).

    As PyTorch: with ``eps`` the gradient is 0 outside [eps, 1 - eps] (the clamp is flat
    there); without it, nan outside [0, 1] (where y is nan too) and inf at 0 and 1.
    """

    @staticmethod
    def forward(ctx, x, eps):
        ctx.eps = eps
        ctx.save_for_backward(x)
        if eps is not None:  # x < lo wins over x > hi when eps > 0.5, as PyTorch's clamp
            x = np.where(x < eps, eps, np.where(x > 1 - eps, 1 - eps, x))
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, 1/0 = inf
            return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (x,), eps = ctx.saved_tensors, ctx.eps
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = grad / (x * (1 - x))
        if eps is None:
            return np.where((x < 0) | (x > 1), np.nan, gx), None
        return np.where((x < eps) | (x > 1 - eps), 0, gx), None


class Xlogy(Function):
    """z = x log y, and 0 where x = 0 (even at y = 0 or inf; nan where y is nan);
    dz/dx = log y, dz/dy = x / y.

    As PyTorch's: dL/dx = xlogy(dL/dz, y), so 0 where the incoming gradient is 0, and 0
    where x = 0 and y <= 0 (there log y is -inf or nan, and z is 0 nearby for x -> 0).
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = np.where((x == 0) & (y <= 0), 0, _xlogy(grad, y)) if need_x else None
        with np.errstate(divide="ignore", invalid="ignore"):
            gy = grad * (x / y) if need_y else None
        return gx, gy


def _xlogy(x, y):
    """x log y, 0 where x = 0 and y is not nan."""
    with np.errstate(divide="ignore", invalid="ignore"):
        product = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), 0, product).astype(product.dtype, copy=False)


class LogAddExp(Function):
    """z = log(eˣ + eʸ), as m + log1p(e^-|x - y|) with m = max(x, y), so nothing
    overflows (numpy's ``logaddexp``);  dz/dx = e^(x - z) = 1 / (1 + e^(y - x)) and
    dz/dy = 1 / (1 + e^(x - y)), computed so, as PyTorch's: each between 0 and 1, also
    where one operand is infinite; nan where x = y = ±inf."""

    base_exp, base_log = staticmethod(np.exp), staticmethod(np.logaddexp)

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(invalid="ignore"):  # a nan operand gives nan, unwarned
            z = type(ctx).base_log(x, y)
        ctx.save_for_backward(x, y)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        power = type(ctx).base_exp
        # e^(y - x) overflows to inf for y >> x: a gradient of 0 to x, meant; inf - inf: nan
        with np.errstate(over="ignore", invalid="ignore"):
            return grad / (1 + power(y - x)), grad / (1 + power(x - y))


class LogAddExp2(LogAddExp):
    """z = log₂(2ˣ + 2ʸ), stably as ``LogAddExp``;  dz/dx = 2^(x - z) = 1 / (1 + 2^(y - x)),
    dz/dy = 1 / (1 + 2^(x - y))."""

    base_exp, base_log = staticmethod(np.exp2), staticmethod(np.logaddexp2)


class Hypot(Function):
    """z = √(x² + y²), without overflow or underflow of the squares (numpy's ``hypot``);
    dz/dx = x / z, dz/dy = y / z (nan at x = y = 0, as PyTorch's)."""

    @staticmethod
    def forward(ctx, x, y):
        z = np.hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * (x / z), grad * (y / z)


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y) in (-π, π];
    dz/dy = x / (x² + y²), dz/dx = -y / (x² + y²) (0 at x = y = 0, as PyTorch's)."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        squares = x * x + y * y
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = grad / squares
        scale = np.where(squares == 0, 0, scale).astype(scale.dtype, copy=False)
        return scale * x, -scale * y


class Copysign(Function):
    """z = |x| with the sign of y (the sign bit: -0.0 counts as negative);
    dz/dx = z / x = ±1, 0 where x = 0 (and nan where x is infinite, as PyTorch's);
    dz/dy = 0."""

    @staticmethod
    def forward(ctx, x, y):
        z = np.copysign(x, y)
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x == 0, 0, z / x)
        return grad * ratio, np.zeros_like(grad)


class Erfinv(Function):
    """y = erf⁻¹ x (±inf at ±1, nan outside [-1, 1]);  dy/dx = (√π / 2) e^(y²)."""

    @staticmethod
    def forward(ctx, x):
        y = erfinv(x).astype(x.dtype, copy=False)  # (scipy computes float16 in float32)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        with np.errstate(over="ignore"):  # e^(y²) = inf near ±1
            return grad * (_HALF_SQRT_PI * np.exp(y * y))


class Lgamma(Function):
    """y = log|Γ(x)| (+inf at 0, the negative integers and ±inf, as PyTorch's);
    dy/dx = ψ(x), the digamma function."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        y = gammaln(x).astype(x.dtype, copy=False)
        return np.where(x == -np.inf, np.inf, y).astype(x.dtype, copy=False)  # (scipy: -inf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * psi(x).astype(x.dtype, copy=False)


class Digamma(Function):
    """y = ψ(x) = Γ'(x)/Γ(x) (-inf at +0, nan at the negative integers, as PyTorch's);
    dy/dx = ψ'(x), the trigamma function."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return psi(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        slope = np.where(x == -np.inf, np.nan, polygamma(1, x))  # (no limit at -inf: nan,
        return grad * slope.astype(x.dtype, copy=False)           # as PyTorch's)


class Heaviside(Function):
    """y = 0 where x < 0, ``values`` where x = 0, 1 where x > 0, and 0 where x is nan (as
    PyTorch: x == 0 ? values : x > 0). PyTorch defines no derivative: backward raises, as
    PyTorch's does."""

    @staticmethod
    def forward(ctx, x, values):
        return np.where(x == 0, values, (x > 0).astype(x.dtype))

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("heaviside: the derivative is not defined (as in PyTorch, "
                           "backward through heaviside raises); detach its input")
