"""What the op tests share: random inputs, kinks kept away from, and the check of one
op against numpy plus finite differences."""
import numpy as np

import tinynet as tn


def rand(*shape, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from(x, kinks, gap=0.05):
    """Move values within ``gap`` of a kink off it, so finite differences never straddle."""
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 2 * gap, x)
    return x


def check_op(tn_fn, np_fn, *arrays, rtol=1e-12):
    """Forward against numpy, then gradcheck every float64 input."""
    expected = np_fn(*arrays)
    got = tn_fn(*[tn.tensor(a) for a in arrays])
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.array, expected, rtol=rtol, atol=1e-14)
    inputs = tuple(tn.tensor(a, requires_grad=True) for a in arrays)
    assert tn.gradcheck(tn_fn, inputs)


class SavedArraysDot(tn.autograd.Function):
    """x·w, written as a user writes a Function, whose backward returns the saved arrays
    themselves at g = 1 (PyTorch allows it: the engine must not adopt them as .grad)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return np.asarray(x @ w)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return (w, x) if grad == 1 else (w * grad, x * grad)


class NumberGradScale(tn.autograd.Function):
    """x·k for a number k, whose backward also returns a gradient for k (PyTorch
    refuses it)."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.k, grad.sum()

