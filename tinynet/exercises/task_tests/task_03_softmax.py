"""Task 3: stable softmax and log-softmax (tasks/03_softmax.md)."""
import numpy as np

from tinynet import ops
from tinynet.exercises.task_tests._support import expect, expect_close, run_op

X = np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [3.0, -2.0, 1.0, 7.0]])
G = np.array([[0.1, -0.3, 0.2, 0.5], [1.0, 0.0, -1.0, 0.5], [-0.2, 0.4, 0.3, -0.1]])


def softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def softmax_vjp(y, g, dim):
    """Σⱼ g_j ∂y_j/∂x_i with ∂y_j/∂x_i = y_j(δ_ij - y_i), written out."""
    return y * g - y * (g * y).sum(axis=dim, keepdims=True)


def test_softmax_rows_and_columns():
    for dim in (1, 0):
        y, (gx, none) = run_op(ops.Softmax, X, dim, grad=G)
        s = softmax(X, dim)
        expect_close(y, s, f"Softmax.forward(x, dim={dim})", "e^(x - max) / Σ e^(x - max)")
        expect_close(gx, softmax_vjp(s, G, dim), f"Softmax's dL/dx (dim={dim})",
                     "y ⊙ (g - Σ g⊙y), the sum along dim with keepdims=True")
        expect(none is None, "Softmax.backward must return None for dim")


def test_log_softmax_rows_and_columns():
    for dim in (1, 0):
        y, (gx, _) = run_op(ops.LogSoftmax, X, dim, grad=G)
        s = softmax(X, dim)
        expect_close(y, np.log(s), f"LogSoftmax.forward(x, dim={dim})",
                     "x - max - log Σ e^(x - max)")
        expect_close(gx, G - s * G.sum(axis=dim, keepdims=True), f"LogSoftmax's dL/dx (dim={dim})",
                     "g - softmax(x)·Σ g")


def test_large_logits_do_not_overflow():
    big = np.array([[1000.0, 1001.0, 999.0]])
    with np.errstate(over="raise", invalid="raise"):
        try:
            y, _ = run_op(ops.Softmax, big, 1)
            log_y, _ = run_op(ops.LogSoftmax, big, 1)
        except FloatingPointError:
            raise AssertionError("softmax of [1000, 1001, 999] overflowed. Hint: subtract "
                                 "each row's maximum before np.exp") from None
    expect_close(y, softmax(big, 1), "Softmax.forward([[1000, 1001, 999]])")
    expect_close(log_y, np.log(softmax(big, 1)), "LogSoftmax.forward([[1000, 1001, 999]])")


def test_log_softmax_of_an_entry_far_below_the_maximum_is_finite():
    far = np.array([[0.0, 1000.0]])  # softmax: [e^-1000, 1], and e^-1000 is 0 in floats
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        try:
            log_y, _ = run_op(ops.LogSoftmax, far, 1)
        except FloatingPointError:
            raise AssertionError("LogSoftmax.forward([[0, 1000]]) took the log of 0. Hint: "
                                 "x - max - log Σ e^(x - max), never the log of the softmax "
                                 "(its e^-1000 is 0)") from None
    expect_close(log_y, [[-1000.0, 0.0]], "LogSoftmax.forward([[0, 1000]])",
                 "x - max - log Σ e^(x - max), never the log of the softmax (its e^-1000 is 0)")


def test_an_empty_input_gives_an_empty_output():
    y, _ = run_op(ops.Softmax, np.zeros((0, 3)), 1)
    expect(y.shape == (0, 3), f"Softmax of a (0, 3) input must be (0, 3), got {y.shape}",
           "np.max over an empty axis fails: return np.empty_like(x) for x.size == 0")
    try:  # the axis softmax runs along is the empty one
        y, _ = run_op(ops.Softmax, np.zeros((3, 0)), 1)
    except ValueError as error:
        raise AssertionError(f"Softmax of a (3, 0) input along dim 1 raised {error}. Hint: "
                             f"np.max over an empty axis fails: return np.empty_like(x) for "
                             f"x.size == 0") from None
    expect(y.shape == (3, 0), f"Softmax of a (3, 0) input must be (3, 0), got {y.shape}")
