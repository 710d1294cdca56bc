"""Rounding, the sign and floor division: piecewise constant, so dy/dx = 0 wherever it
exists.

At the jumps the derivative does not exist; PyTorch (and tinynet) use 0 there too, so
the gradient of each op here is 0 everywhere. Integer inputs are returned unchanged by
the Tensor methods (they are already whole numbers), as in PyTorch.
"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.unary import sign


class _PiecewiseConstant(Function):
    """Base of the ops below: dy/dx = 0 (one zero gradient, ``None`` for the settings)."""

    @staticmethod
    def backward(ctx, grad):
        return (np.zeros_like(grad),) + (None,) * (len(ctx.needs_input_grad) - 1)


class Floor(_PiecewiseConstant):
    """y = ⌊x⌋, the largest integer <= x;  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)


class Ceil(_PiecewiseConstant):
    """y = ⌈x⌉, the smallest integer >= x;  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x)


class Trunc(_PiecewiseConstant):
    """y = x with its fractional part dropped (rounded towards 0);  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x)


class Round(_PiecewiseConstant):
    """y = x rounded to ``decimals`` decimal places, halves to even (as PyTorch and
    numpy);  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x, decimals):
        return np.round(x, decimals)


class Sign(_PiecewiseConstant):
    """y = -1, 0 or 1 as x is negative, zero or positive, and 0 for NaN (PyTorch's kernel
    computes (0 < x) - (x < 0), where numpy's sign gives NaN);  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:  # False and True are their own signs (numpy refuses them)
            return x.copy()
        return sign(x)


class FloorDivide(_PiecewiseConstant):
    """y = ⌊x / z⌋ as Python's ``//`` computes it (from the exact remainder, so
    ``1 // 0.1`` is 9, where floor(1 / 0.1) rounds to 10), as PyTorch;  dy/dx = dy/dz = 0."""

    @staticmethod
    def forward(ctx, x, z):
        with np.errstate(divide="ignore", invalid="ignore"):  # z = 0: ±inf or nan
            return np.floor_divide(x, z)

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros_like(grad)
        return zero, zero


class TruncDivide(FloorDivide):
    """y = x / z rounded towards 0 (``div(x, z, rounding_mode='trunc')``), as PyTorch;
    dy/dx = dy/dz = 0 (also where z = 0: the quotient's own gradient would be inf·0)."""

    @staticmethod
    def forward(ctx, x, z):
        with np.errstate(divide="ignore", invalid="ignore"):  # z = 0: ±inf or nan
            return np.trunc(x / z)
