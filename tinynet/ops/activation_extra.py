"""PyTorch's remaining smooth-ish activations, one node each: Hardsigmoid, Hardswish,
LogSigmoid, Softsign. As in ``activation.py``: ``forward`` and ``backward`` side by side,
``derivative(x, y)`` (f' at x) for the diagnostics, and ``saved_derivative(ctx)`` from
what forward saved. Their derivatives at the kinks are PyTorch's."""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.activation import sigmoid


def _passed(grad, d):
    """grad · d, and 0 where d = 0 whatever grad is: where an op cuts its input off, no
    gradient passes, as in PyTorch (grad · 0 is nan for an infinite grad)."""
    with np.errstate(invalid="ignore"):  # 0 · inf where d = 0: replaced by 0
        return np.where(d != 0, grad * d, 0)


class Hardsigmoid(Function):
    """y = relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between;
    dy/dx = 1/6 for -3 < x < 3, else 0."""

    peak_derivative = 1 / 6

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def derivative(x, y):
        return (((x > -3) & (x < 3)) / 6).astype(x.dtype)

    @staticmethod
    def saved_derivative(ctx):
        return Hardsigmoid.derivative(ctx.saved_tensors[0], None)

    @staticmethod
    def backward(ctx, grad):
        return _passed(grad, Hardsigmoid.saved_derivative(ctx))


class Hardswish(Function):
    """y = x·relu6(x + 3) / 6;  dy/dx = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for
    x >= 3 (its supremum, 3/2, approached as x -> 3 from below)."""

    peak_derivative = 1.5

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def derivative(x, y):
        return np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)).astype(x.dtype)

    @staticmethod
    def saved_derivative(ctx):
        return Hardswish.derivative(ctx.saved_tensors[0], None)

    @staticmethod
    def backward(ctx, grad):
        return _passed(grad, Hardswish.saved_derivative(ctx))


class LogSigmoid(Function):
    """y = log σ(x) = min(x, 0) - log(1 + e^(-|x|)): never the exp of a positive number,
    so finite for any x;  dy/dx = σ(-x) = 1 - σ(x), which tends to 1 as x -> -∞."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def derivative(x, y):
        return sigmoid(-x)

    @staticmethod
    def saved_derivative(ctx):
        return LogSigmoid.derivative(ctx.saved_tensors[0], None)

    @staticmethod
    def backward(ctx, grad):
        return grad * LogSigmoid.saved_derivative(ctx)


class Softsign(Function):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)², 1 at x = 0."""

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def derivative(x, y):
        return 1 / (1 + np.abs(x)) ** 2

    @staticmethod
    def saved_derivative(ctx):
        return Softsign.derivative(ctx.saved_tensors[0], None)

    @staticmethod
    def backward(ctx, grad):
        return grad * Softsign.saved_derivative(ctx)
