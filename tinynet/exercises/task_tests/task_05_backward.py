"""Task 5: the backward pass (tasks/05_backward.md). Broadcasting only where the test
puts in a correct ``unbroadcast`` of its own: task 4 is not needed."""
import traceback

import numpy as np

import tinynet as tn
from tinynet.autograd import engine
from tinynet.autograd.function import Function
from tinynet.exercises.task_tests._support import expect, expect_close


def leaf(values):
    return tn.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def backward(loss):
    """``loss.backward()``, with the KeyError of a node taken twice said in words: an op
    pushed on the heap twice, or a leaf listed twice."""
    try:
        loss.backward()
    except KeyError as error:
        where = traceback.extract_tb(error.__traceback__)[-1].name
        if where == "_write_leaf_grads":
            raise AssertionError("writing the leaves' gradients took one leaf's gradient "
                                 "twice (grads.pop(id(leaf)) raised KeyError): the leaf is "
                                 "in leaves more than once. Hint: append a leaf to leaves "
                                 "only the first time it receives a gradient") from None
        raise AssertionError("run_backward popped an op whose gradient it had already taken "
                             "(grads.pop(id(ctx)) raised KeyError): the op was pushed on the "
                             "heap more than once. Hint: push a context on the heap only the "
                             "first time it receives a gradient") from None


def test_a_chain():
    a = leaf([1.0, 2.0, -3.0])
    backward((a.exp() * 3.0).sum())   # d(3eᵃ)/da = 3eᵃ: each tensor used once
    expect_close(a.grad, 3 * np.exp(a.detach().numpy()), "d(Σ 3eᵃ)/da",
                 "send each input's gradient to its node, and push a context on the heap")


def test_a_tensor_used_twice_gets_both_contributions():
    a = leaf([1.0, -2.0])
    b = a + a               # db/da = 2
    backward((b * b).sum())   # Σ (2a)², d/da = 8a
    expect_close(a.grad, 8 * a.detach().numpy(), "d(Σ (a + a)²)/da",
                 "when a node already has a gradient, add the new one: previous + gx")


def test_a_diamond():
    x = leaf([0.5, 2.0])
    h = x * 3.0                # one op whose output two later ops use
    y = h * h.exp()            # y = h·eʰ, dy/dx = 3eʰ(1 + h)
    try:
        backward(y.sum())
    except RuntimeError as error:
        expect("second time" not in str(error),
               "the op h = 3x ran its backward before both ops using h had sent their "
               "gradient (then once more)", "pop the newest op first: push (-node.seq, node)")
        raise
    h_values = 3 * x.detach().numpy()
    expect_close(x.grad, 3 * np.exp(h_values) * (1 + h_values),
                 "d(h·eʰ)/dx, h = 3x, through two paths",
                 "an op runs only once all its consumers sent their gradient: newest first")


def test_a_broadcast_input_gets_its_own_shape(monkeypatch):
    calls = []

    def correct_unbroadcast(grad, shape):  # (task 4's answer, so that task 4 is not needed)
        calls.append(shape)
        grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        return grad.sum(axis=stretched, keepdims=True).reshape(shape)

    monkeypatch.setattr(engine, "unbroadcast", correct_unbroadcast)
    hint = ("when gx's shape differs from the node's (node.array.shape for a leaf, "
            "node.out_shape for an op's output), reduce it with unbroadcast(gx, shape)")
    ones = tn.ones(3, 2, dtype=tn.float64)
    b = leaf([1.0, 2.0])
    backward((ones * b).sum())   # b broadcast over 3 rows
    expect_close(b.grad, [3.0, 3.0], "the gradient of b, of shape (2,), broadcast to (3, 2)",
                 hint)
    c = leaf([[1.0], [2.0], [3.0]])
    backward((c * ones).sum())   # c of shape (3, 1) stretched along its last axis
    expect_close(c.grad, [[2.0], [2.0], [2.0]],
                 "the gradient of c, of shape (3, 1), stretched to (3, 2)", hint)
    d = leaf([1.0, 2.0])
    h = d.sum()                  # an op's output, a scalar broadcast to (3, 2)
    try:
        backward((ones * h).sum())
    except ValueError as error:
        raise AssertionError(f"backward through h = Σd, h broadcast to (3, 2), failed in the "
                             f"op Σd ({error}): it got a gradient of shape (3, 2) for its "
                             f"output of shape (). Hint: {hint}") from None
    expect_close(d.grad, [6.0, 6.0], "the gradient of d through h = Σd, h broadcast to "
                                     "(3, 2)", hint)
    missing = [shape for shape in ((2,), (3, 1), ()) if shape not in calls]
    expect(not missing, f"the gradients are right, but unbroadcast was never called for the "
           f"shapes {missing} (called for {calls})", hint)


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
    backward((h * h + h).sum())   # h feeds two ops: Double's backward must run once
    expect(len(runs) == 1, f"the op used by two others ran its backward {len(runs)} times, "
                           f"expected once", "push a context on the heap only the first time "
                                             "it receives a gradient")
    expect_close(x.grad, 2 * (2 * 2 * x.detach().numpy() + 1), "d(Σ h² + h)/dx, h = 2x")


def test_a_deep_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(3000):
        y = y * 1.001
    backward(y.sum())
    expect_close(x.grad, [1.001 ** 3000], "the gradient through 3000 multiplications",
                 rtol=1e-9)


def test_two_leaves():
    a, b = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    backward((a * b + a).sum())
    expect_close(a.grad, b.detach().numpy() + 1, "d(Σ ab + a)/da")
    expect_close(b.grad, a.detach().numpy(), "d(Σ ab + a)/db",
                 "a leaf (a tensor) goes into `leaves` the first time it gets a gradient")
