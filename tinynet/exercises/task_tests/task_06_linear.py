"""Task 6: Linear, forward and its three gradients (tasks/06_linear.md)."""
import numpy as np

from tinynet import ops
from tinynet.exercises.task_tests._support import expect, expect_close, run_op

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
W = rng.normal(size=(4, 3))
B = rng.normal(size=4)
G = rng.normal(size=(5, 4))


def test_forward_and_gradients():
    y, (gx, gW, gb) = run_op(ops.Linear, X, W, B, grad=G)
    expect_close(y, X @ W.T + B, "Linear.forward(x, W, b)", "y = x Wᵀ + b")
    expect_close(gx, G @ W, "dL/dx", "g W: shape (N, D_in)")
    expect_close(gW, G.T @ X, "dL/dW", "gᵀ x: shape (D_out, D_in), like W")
    expect_close(gb, G.sum(axis=0), "dL/db", "Σ over the rows of g: shape (D_out,)")


def test_without_bias():
    y, (gx, gW, gb) = run_op(ops.Linear, X, W, None, grad=G)
    expect_close(y, X @ W.T, "Linear.forward(x, W, None)", "no bias: y = x Wᵀ")
    expect(gb is None, f"dL/db without a bias must be None, got {gb!r}")


def test_leading_dimensions():
    x3, g3 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    y, (gx, gW, gb) = run_op(ops.Linear, x3, W, B, grad=g3)
    expect_close(y, x3 @ W.T + B, "Linear.forward on (2, 5, 3) input")
    expect_close(gx, g3 @ W, "dL/dx for (2, 5, 3) input")
    expect_close(gW, g3.reshape(-1, 4).T @ x3.reshape(-1, 3), "dL/dW for (2, 5, 3) input",
                 "flatten the leading dims to N rows first")
    expect_close(gb, g3.reshape(-1, 4).sum(axis=0), "dL/db for (2, 5, 3) input")
