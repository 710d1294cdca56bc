"""Two variants of activations in ``activation.py``, one node each: CELU (ELU made
continuously differentiable for any α) and RReLU (LeakyReLU with a random slope).

Each has the protocol of ``tinynet/ops/activation.py``: ``derivative(x, y, ...)`` (f'(x)
with the given settings), ``saved_derivative(ctx)`` (the values backward multiplies by,
from what forward saved) and ``peak_derivative`` (the largest |f'| for the default
settings: 1 for both). Both keep float16 as float16.
"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.random import as_generator


class CELU(Function):
    """x for x > 0, else α(e^(x/α) - 1), α ≠ 0 (PyTorch's max(0, x) + min(0, α(e^(x/α) - 1)),
    which is this for either sign of α);  derivative 1 for x > 0, else e^(x/α).

    Both branches have derivative 1 at x = 0, whatever α (ELU's only for α = 1). For α > 0
    the derivative is at most 1 and everything is finite up to the largest float; for
    α < 0, e^(x/α) overflows far below 0, where the true value is infinite (inf, as in
    PyTorch).
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        # expm1 of min(0, x)/α: exact near 0, and for α > 0 never e^(+large).
        # NOTE: min(0, x), not min(x, 0): numpy returns the second operand of a tie, so
        # CELU(-0.0) is -0.0, as in PyTorch
        with np.errstate(over="ignore"):  # only for α < 0 (see the docstring)
            return np.where(x > 0, x, alpha * np.expm1(np.minimum(0, x) / alpha))

    @staticmethod
    def derivative(x, y, alpha=1.0):
        with np.errstate(over="ignore"):
            exp = np.exp(np.minimum(x, 0) / alpha)
        # the x <= 0 branch selected as PyTorch selects it: a nan passes the gradient
        return np.where(x <= 0, exp, 1).astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        return CELU.derivative(ctx.saved_tensors[0], None, ctx.alpha)

    @staticmethod
    def backward(ctx, grad):
        return grad * CELU.saved_derivative(ctx), None


class RReLU(Function):
    """Randomized leaky ReLU: y = x ⊙ a, where a = 1 for x > 0 and otherwise a slope:
    in training, drawn per element from U(lower, upper) (``generator``, or the global one
    when None); else their mean (lower + upper)/2, which makes RReLU a LeakyReLU;
    dL/dx = g ⊙ a, the slopes forward used.

    ``derivative`` is the evaluation one (1, or the mean slope); ``saved_derivative`` the
    slopes of the call. ``peak_derivative`` is 1: the maximum for slopes in [-1, 1], as
    the default [1/8, 1/3]. Which elements take the slope is PyTorch's choice in either
    mode: x <= 0 in training (x = nan then passes with a = 1), not x > 0 in evaluation
    (nan takes the mean slope).
    """

    peak_derivative = 1.0

    @staticmethod
    def forward(ctx, x, lower, upper, training, generator):
        if training:
            drawn = as_generator(generator, "rrelu").uniform(lower, upper, x.shape)
            slopes = np.where(x <= 0, drawn.astype(x.dtype, copy=False), 1)
        else:
            slopes = RReLU.derivative(x, None, lower, upper)
        ctx.save_for_backward(slopes)
        return x * slopes

    @staticmethod
    def derivative(x, y, lower=1 / 8, upper=1 / 3):
        mean_slope = (lower + upper) / 2
        return np.where(x > 0, 1, mean_slope).astype(np.result_type(x, 1.0), copy=False)

    @staticmethod
    def saved_derivative(ctx):
        # a copy: the caller may change it in place (the Monitor takes |f'| there), and
        # backward still needs the slopes
        return ctx.saved_tensors[0].copy()

    @staticmethod
    def backward(ctx, grad):
        (slopes,) = ctx.saved_tensors
        return grad * slopes, None, None, None, None
