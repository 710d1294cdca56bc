"""Task 7: LayerNorm's backward (tasks/07_layernorm.md). Checked against finite differences
of the forward, which is written for you."""
import numpy as np

from tinynet import ops
from tinynet.exercises.task_tests._support import expect, expect_close, numeric_grad, run_op

rng = np.random.default_rng(1)


def _check(shape, n_dims, affine):
    x = rng.normal(size=shape) * 2 + 1
    normalised = shape[len(shape) - n_dims:]
    w = rng.normal(size=normalised) if affine else None
    b = rng.normal(size=normalised) if affine else None
    g = rng.normal(size=shape)
    _, grads = run_op(ops.LayerNorm, x, w, b, n_dims, 1e-5, grad=g)

    def loss():
        ctx = ops.LayerNorm.__new__(ops.LayerNorm)
        ctx.needs_input_grad, ctx.saved_tensors = (False,) * 5, ()
        return float((ops.LayerNorm.forward(ctx, x, w, b, n_dims, 1e-5) * g).sum())

    label = f"LayerNorm on {shape} over the last {n_dims} dims" + (" with w, b" if affine else "")
    expect_close(grads[0], numeric_grad(loss, x), f"dL/dx, {label}",
                 "r·(ĝ - mean(ĝ) - x̂·mean(ĝ x̂)), ĝ = g·w, means over the normalised axes",
                 rtol=1e-5, atol=1e-7)
    if affine:
        expect_close(grads[1], numeric_grad(loss, w), f"dL/dw, {label}",
                     "Σ g x̂ over the leading axes", rtol=1e-5, atol=1e-7)
        expect_close(grads[2], numeric_grad(loss, b), f"dL/db, {label}", "Σ g over the leading "
                     "axes", rtol=1e-5, atol=1e-7)
    else:
        expect(grads[1] is None and grads[2] is None, "without w and b their gradients are None")


def test_one_normalised_axis():
    _check((4, 6), 1, affine=True)


def test_without_weight_and_bias():
    _check((3, 5), 1, affine=False)


def test_two_normalised_axes():
    _check((2, 3, 4), 2, affine=True)


def test_two_leading_axes():
    _check((2, 3, 4), 1, affine=True)  # a batch of sequences: w's gradient sums over both
