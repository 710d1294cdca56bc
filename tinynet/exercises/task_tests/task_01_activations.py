"""Task 1: activations and their derivatives (tasks/01_activations.md)."""
import numpy as np

from tinynet import ops
from tinynet.exercises.task_tests._support import expect, expect_close, run_op

X = np.array([-6.0, -2.5, -1.0, -0.1, 0.0, 0.1, 1.0, 2.5, 6.0])
G = np.linspace(-1.0, 1.0, len(X))  # dL/dy


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _derivative(op, x, y, *setting):
    """``op.derivative`` called as ``saved_derivative`` calls it: with what forward saved
    (y for Sigmoid, Tanh and ReLU; x for LeakyReLU and ELU) and None for the other."""
    missing = "x" if x is None else "y"
    try:
        return op.derivative(x, y, *setting)
    except (TypeError, AttributeError) as error:
        raise AssertionError(f"{op.__name__}.derivative got {missing}=None and failed "
                             f"({type(error).__name__}: {error}). Hint: saved_derivative "
                             f"passes only what forward saved; write f' from the other "
                             f"one") from None


def test_sigmoid():
    y, (gx,) = run_op(ops.Sigmoid, X, grad=G)
    s = sigmoid(X)
    expect_close(y, s, "Sigmoid.forward(x)", "σ(x) = 1 / (1 + e^(-x))")
    # (as saved_derivative calls it: forward saved y alone, so x is None)
    expect_close(_derivative(ops.Sigmoid, None, s), s * (1 - s),
                 "Sigmoid.derivative(None, y)", "σ'(x) = σ(x)(1 - σ(x)) = y(1 - y), from y")
    expect_close(gx, G * s * (1 - s), "Sigmoid's dL/dx (its backward)",
                 "forward must save its output y: ctx.save_for_backward(y)")


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise"):
        try:
            y, _ = run_op(ops.Sigmoid, np.array([-800.0, 800.0]))
        except FloatingPointError:
            raise AssertionError("Sigmoid.forward([-800, 800]) overflowed in np.exp. Hint: "
                                 "scipy.special.expit is a stable σ") from None
    expect_close(y, [0.0, 1.0], "Sigmoid.forward([-800, 800])")


def test_tanh():
    y, (gx,) = run_op(ops.Tanh, X, grad=G)
    t = np.tanh(X)
    expect_close(y, t, "Tanh.forward(x)", "np.tanh")
    expect_close(_derivative(ops.Tanh, None, t), 1 - t * t, "Tanh.derivative(None, y)",
                 "tanh'(x) = 1 - tanh²(x) = 1 - y², from y")
    expect_close(gx, G * (1 - t * t), "Tanh's dL/dx", "forward must save its output y")


def test_relu():
    y, (gx,) = run_op(ops.ReLU, X, grad=G)
    expect_close(y, np.maximum(X, 0), "ReLU.forward(x)", "max(x, 0)")
    expect_close(_derivative(ops.ReLU, None, np.maximum(X, 0)), (X > 0).astype(float),
                 "ReLU.derivative(None, y)", "1 where y > 0, else 0 (0 at x = 0, as PyTorch), "
                 "from y")
    expect_close(gx, G * (X > 0), "ReLU.backward: dL/dx", "grad where x > 0, else 0")


def test_relu_backward_is_zero_where_x_is_not_positive_whatever_the_gradient():
    x = np.array([-1.0, 0.0, 2.0, -3.0])
    _, (gx,) = run_op(ops.ReLU, x, grad=np.array([np.inf, np.nan, 5.0, -np.inf]))
    expect_close(gx, [0.0, 0.0, 5.0, 0.0], "ReLU.backward with grad [inf, nan, 5, -inf] at "
                 "x = [-1, 0, 2, -3]", "select with np.where(y > 0, grad, 0): grad · ReLU' "
                 "makes 0 · inf = nan")


def test_leaky_relu():
    slope = 0.2
    y, (gx, none) = run_op(ops.LeakyReLU, X, slope, grad=G)
    d = np.where(X > 0, 1.0, slope)
    expect_close(y, np.where(X > 0, X, slope * X), "LeakyReLU.forward(x, 0.2)",
                 "x for x > 0, else negative_slope·x")
    expect_close(_derivative(ops.LeakyReLU, X, None, slope), d,
                 "LeakyReLU.derivative(x, None, 0.2)",
                 "1 for x > 0, else negative_slope")
    expect_close(gx, G * d, "LeakyReLU's dL/dx",
                 "forward saves x and keeps the slope in ctx.negative_slope")
    expect(none is None, "LeakyReLU's backward must return None for negative_slope")


def test_elu():
    alpha = 0.7
    y, (gx, _) = run_op(ops.ELU, X, alpha, grad=G)
    d = np.where(X > 0, 1.0, alpha * np.exp(np.minimum(X, 0)))
    expect_close(y, np.where(X > 0, X, alpha * np.expm1(np.minimum(X, 0))), "ELU.forward(x, 0.7)",
                 "x for x > 0, else α(eˣ - 1)")
    expect_close(_derivative(ops.ELU, X, None, alpha), d, "ELU.derivative(x, None, 0.7)",
                 "1 for x > 0, else αeˣ; α at x = 0")
    expect_close(gx, G * d, "ELU's dL/dx", "forward saves x and keeps α in ctx.alpha")


def test_elu_is_finite_far_out():
    with np.errstate(over="raise"):
        try:
            y, _ = run_op(ops.ELU, np.array([-1000.0, 1000.0]), 1.0)
        except FloatingPointError:
            raise AssertionError("ELU.forward([-1000, 1000]) overflowed. Hint: take "
                                 "np.expm1 of np.minimum(0, x), never of a large x") from None
    expect_close(y, [-1.0, 1000.0], "ELU.forward([-1000, 1000])")
