"""Task 5: the backward pass (tasks/05_backward.md). Same-shape ops only: no unbroadcast."""
import numpy as np

import tinynet as tn
from tinynet.autograd.function import Function
from tinynet.exercises.task_tests._support import expect, expect_close


def leaf(values):
    return tn.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_a_chain():
    a = leaf([1.0, 2.0, -3.0])
    (a * a * 3.0).sum().backward()   # d(3a²)/da = 6a
    expect_close(a.grad, 6 * a.detach().numpy(), "d(Σ 3a²)/da",
                 "send each input's gradient to its node, and push a context on the heap")


def test_a_tensor_used_twice_gets_both_contributions():
    a = leaf([1.0, -2.0])
    b = a + a               # db/da = 2
    (b * b).sum().backward()   # Σ (2a)², d/da = 8a
    expect_close(a.grad, 8 * a.detach().numpy(), "d(Σ (a + a)²)/da",
                 "when a node already has a gradient, add the new one: previous + gx")


def test_a_diamond():
    x = leaf([0.5, 2.0])
    y = (x * 3.0) * x.exp()    # y = 3x·eˣ, dy/dx = 3eˣ(1 + x)
    y.sum().backward()
    v = x.detach().numpy()
    expect_close(x.grad, 3 * np.exp(v) * (1 + v), "d(3x·eˣ)/dx through two paths",
                 "an op runs only once all its consumers sent their gradient: newest first")


def test_each_op_runs_once():
    runs = []

    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            runs.append(1)
            return 2 * grad

    x = leaf([1.0, 2.0])
    h = Double.apply(x)
    (h * h + h).sum().backward()   # h feeds two ops: Double's backward must run once
    expect(len(runs) == 1, f"the op used by two others ran its backward {len(runs)} times, "
                           f"expected once", "push a context on the heap only the first time "
                                             "it receives a gradient")
    expect_close(x.grad, 2 * (2 * 2 * x.detach().numpy() + 1), "d(Σ h² + h)/dx, h = 2x")


def test_a_deep_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(3000):
        y = y * 1.001
    y.sum().backward()
    expect_close(x.grad, [1.001 ** 3000], "the gradient through 3000 multiplications",
                 rtol=1e-9)


def test_two_leaves():
    a, b = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    (a * b + a).sum().backward()
    expect_close(a.grad, b.detach().numpy() + 1, "d(Σ ab + a)/da")
    expect_close(b.grad, a.detach().numpy(), "d(Σ ab + a)/db",
                 "a leaf (a tensor) goes into `leaves` the first time it gets a gradient")
