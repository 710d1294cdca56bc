"""Task 8: fused cross-entropy (tasks/08_cross_entropy.md)."""
import numpy as np

from tinynet import ops
from tinynet.exercises.task_tests._support import expect_close, run_op

Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [0.0, 0.0, 0.0], [1.0, -1.0, 3.0]])
T = np.array([0, 1, 2, 2])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def onehot(t, c):
    out = np.zeros((len(t), c))
    out[np.arange(len(t)), t] = 1
    return out


def test_mean_loss_and_gradient():
    p = softmax(Z)
    losses = -np.log(p[np.arange(4), T])
    loss, (gz, *_) = run_op(ops.CrossEntropy, Z, T, "mean", grad=np.array(1.0))
    expect_close(loss, losses.mean(), "CrossEntropy.forward(z, t, 'mean')",
                 "mean of log Σ e^z - z[t]")
    expect_close(gz, (p - onehot(T, 3)) / 4, "dL/dz for 'mean'",
                 "(p - onehot(t)) / N, p = softmax(z)")
    _, (gz, *_) = run_op(ops.CrossEntropy, Z, T, "mean", grad=np.array(3.0))
    expect_close(gz, 3 * (p - onehot(T, 3)) / 4, "dL/dz for 'mean' with dL/dloss = 3",
                 "scale by the incoming gradient: grad / N for 'mean'")


def test_sum_and_none():
    p = softmax(Z)
    losses = -np.log(p[np.arange(4), T])
    loss, (gz, *_) = run_op(ops.CrossEntropy, Z, T, "sum", grad=np.array(2.0))
    expect_close(loss, losses.sum(), "CrossEntropy.forward(z, t, 'sum')")
    expect_close(gz, 2 * (p - onehot(T, 3)), "dL/dz for 'sum' with dL/dloss = 2")
    g = np.array([1.0, -1.0, 0.5, 2.0])
    loss, (gz, *_) = run_op(ops.CrossEntropy, Z, T, "none", grad=g)
    expect_close(loss, losses, "CrossEntropy.forward(z, t, 'none'): one loss per row")
    expect_close(gz, g[:, None] * (p - onehot(T, 3)), "dL/dz for 'none'",
                 "row i scaled by dL/dℓᵢ = grad[i] for 'none'")


def test_large_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])
    with np.errstate(over="raise", invalid="raise"):
        try:
            loss, (gz, *_) = run_op(ops.CrossEntropy, z, np.array([0, 2]), "sum",
                                    grad=np.array(1.0))
        except FloatingPointError:
            raise AssertionError("cross-entropy of logits ±1000 overflowed. Hint: subtract each "
                                 "row's maximum before np.exp") from None
    expect_close(loss, 0.0 + (1000 - 999 + np.log1p(np.exp(-1.0))),
                 "CrossEntropy.forward on logits ±1000 ('sum')", rtol=1e-9)


def test_a_target_far_below_the_maximum():
    z = np.array([[1000.0, 0.0, -1000.0]])  # p[target] = e^-2000: 0 in floats
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        try:
            loss, (gz, *_) = run_op(ops.CrossEntropy, z, np.array([2]), "sum",
                                    grad=np.array(1.0))
        except FloatingPointError:
            raise AssertionError("CrossEntropy.forward took the log of 0 for a target 2000 "
                                 "below the maximum. Hint: log Σ e^(z - max) + max - z[t], "
                                 "never -log(p[t]) (p[t] = e^-2000 is 0)") from None
    expect_close(loss, 2000.0, "CrossEntropy.forward([[1000, 0, -1000]], target 2) ('sum')",
                 "log Σ e^(z - max) + max - z[t], never -log(p[t]) (p[t] = e^-2000 is 0)",
                 rtol=1e-12)
    expect_close(gz, [[1.0, 0.0, -1.0]], "its dL/dz", "p - onehot(t)")
