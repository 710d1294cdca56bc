"""The shrink activations, one node each: Softshrink, Hardshrink and Tanhshrink.

Each has the protocol of ``tinynet/ops/activation.py``: ``derivative(x, y, ...)`` (f'(x)
with the given settings), ``saved_derivative(ctx)`` (the same values from what forward
saved, which backward uses) and ``peak_derivative`` (the largest |f'|: 1 for all three).
The two with a threshold λ have PyTorch's derivative at x = ±λ: 0, the flat middle
[-λ, λ] taking its ends. All are finite and warning-free up to the largest float, and
keep float16 as float16.
"""
import numpy as np

from tinynet.autograd.function import Function


def _outside(x, lambd):
    """1 where x is outside [-λ, λ] (nan included: it is not inside, as in PyTorch), else
    0: the derivative of both threshold shrinks."""
    inside = (x >= -lambd) & (x <= lambd)
    return (~inside).astype(np.result_type(x, 1.0))


class Softshrink(Function):
    """x - λ for x > λ, x + λ for x < -λ, else 0 (λ >= 0): y = x - clip(x, -λ, λ), x less
    its part inside [-λ, λ];  derivative 1 outside [-λ, λ], else 0. Peak 1."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        # NOTE: with x's sign: a zero inside is -0 for negative x, as PyTorch's x·0 (the
        # difference alone is +0); y has x's sign already outside, and nan stays nan
        return np.copysign(x - np.clip(x, -lambd, lambd), x)

    @staticmethod
    def derivative(x, y, lambd=0.5):
        return _outside(x, lambd)

    @staticmethod
    def saved_derivative(ctx):
        return Softshrink.derivative(ctx.saved_tensors[0], None, ctx.lambd)

    @staticmethod
    def backward(ctx, grad):
        # grad where the derivative is 1, else 0 (a selection: 0 · inf would be nan)
        return np.where(Softshrink.saved_derivative(ctx) != 0, grad, 0), None


class Hardshrink(Function):
    """x outside [-λ, λ], else 0 (a negative λ leaves the interval empty: every x is
    kept, as in PyTorch);  derivative 1 outside [-λ, λ], else 0. Peak 1."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return np.where((x >= -lambd) & (x <= lambd), 0, x)

    @staticmethod
    def derivative(x, y, lambd=0.5):
        return _outside(x, lambd)

    @staticmethod
    def saved_derivative(ctx):
        return Hardshrink.derivative(ctx.saved_tensors[0], None, ctx.lambd)

    @staticmethod
    def backward(ctx, grad):
        return np.where(Hardshrink.saved_derivative(ctx) != 0, grad, 0), None


class Tanhshrink(Function):
    """y = x - tanh(x);  derivative 1 - (1 - tanh²x) = tanh²x, 0 at x = 0, whose supremum
    1 is approached as |x| -> ∞ (``peak_derivative``)."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(x)
        ctx.save_for_backward(t)
        return x - t

    @staticmethod
    def derivative(x, y):
        t = np.tanh(x)
        return t * t

    @staticmethod
    def saved_derivative(ctx):
        (t,) = ctx.saved_tensors
        return t * t

    @staticmethod
    def backward(ctx, grad):
        return grad * Tanhshrink.saved_derivative(ctx)
