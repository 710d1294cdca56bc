"""tn.autograd.grad and tn.autograd.backward: gradients returned, not accumulated, as
torch.autograd's; checked against .grad from backward, against PyTorch, and for what they
must leave alone (no .grad written, no post-accumulate hook run)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn


def _leaf(values):
    return tn.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), seed=st.integers(0, 1000))
def test_grad_equals_what_backward_accumulates(rows, cols, seed):
    rng = np.random.default_rng(seed)
    x, w = _leaf(rng.normal(size=(rows, cols))), _leaf(rng.normal(size=(cols,)))
    loss = ((x * w).tanh().sum(dim=1) ** 2).mean()
    gx, gw = tn.autograd.grad(loss, [x, w], retain_graph=True)
    assert x.grad is None and w.grad is None  # nothing accumulated
    loss.backward()
    np.testing.assert_array_equal(gx.numpy(), x.grad.numpy())
    np.testing.assert_array_equal(gw.numpy(), w.grad.numpy())


def test_a_non_leaf_input_gets_the_gradient_flowing_into_it():
    x = _leaf([1.0, 2.0])
    h = x * 3
    (gh,) = tn.autograd.grad((h * h).sum(), h)
    np.testing.assert_array_equal(gh.numpy(), 2 * h.detach().numpy())


def test_several_outputs_sum_their_weighted_gradients_and_backward_does_the_same():
    x = _leaf([1.0, 2.0])
    y1, y2 = x * x, x.sum()
    (g,) = tn.autograd.grad([y1, y2], x, grad_outputs=[tn.tensor([1.0, 10.0]), None])
    np.testing.assert_array_equal(g.numpy(), [2.0 * 1 + 1, 4.0 * 10 + 1])
    u = _leaf([1.0, 2.0])
    tn.autograd.backward([(u * u).sum(), u.sum()])
    np.testing.assert_array_equal(u.grad.numpy(), [3.0, 5.0])


def test_grad_leaves_grads_retained_grads_and_post_accumulate_hooks_alone():
    w = _leaf([1.0, -2.0])
    w.grad = tn.tensor([5.0, 5.0], dtype=tn.float64)
    seen = []
    w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad))
    h = w * 2
    h.retain_grad()
    (g,) = tn.autograd.grad((h * h).sum(), w)
    np.testing.assert_array_equal(g.numpy(), 8 * w.detach().numpy())
    assert w.grad.tolist() == [5.0, 5.0] and h.grad is None and seen == []


def test_tensor_hooks_apply_to_the_returned_gradient():
    x = _leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (g,) = tn.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [20.0, 40.0])


def test_unused_inputs_and_errors():
    x, z = _leaf([1.0]), _leaf([2.0])
    with pytest.raises(RuntimeError, match=r"inputs\[1\] was not used in the graph"):
        tn.autograd.grad((x * 2).sum(), [x, z])
    assert tn.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)[1] is None
    zeros = tn.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)[1]
    assert zeros.tolist() == [0.0]
    with pytest.raises(NotImplementedError, match=r"\(no double backward\)"):
        tn.autograd.grad((x * 2).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        tn.autograd.grad(tn.cat([x, z]), x)
    with pytest.raises(RuntimeError, match=r"inputs\[0\] does not require grad"):
        tn.autograd.grad((x * 2).sum(), tn.ones(1))
    with pytest.raises(RuntimeError, match=r"grad_outputs\[0\] must have outputs\[0\]'s shape"):
        tn.autograd.grad(x * 2, x, grad_outputs=tn.ones(3))
    y = (x * x).sum()
    tn.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):  # the graph was freed
        tn.autograd.grad(y, x)


def test_grad_of_a_replayed_call_is_the_eager_one():
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2))
    step = tn.capture(lambda x, y: tn.nn.functional.cross_entropy(model(x), y))
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 1, 0, 1])
    eager = tn.autograd.grad(tn.nn.functional.cross_entropy(model(x), y),
                             list(model.parameters()))
    for _ in range(3):  # the third call is replayed
        replayed = tn.autograd.grad(step(x, y), list(model.parameters()))
    for a, b in zip(eager, replayed):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(p.grad is None for p in model.parameters())


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    xs, ws = rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    results = []
    for lib in (tn, torch):
        x = lib.tensor(xs, requires_grad=True)
        w = lib.tensor(ws, requires_grad=True)
        h = (x @ w).tanh()
        out = [(h * h).sum(), h.sum()]
        results.append([g.detach().numpy() for g in lib.autograd.grad(out, [x, w, h])])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_the_pass_runs_only_the_ops_above_the_inputs_as_pytorchs():
    """Below a non-leaf input nothing runs: its arrays stay for a later backward, its
    graph may even be freed already, and hooks down there do not fire."""
    x = _leaf([1.0, 2.0])
    h = x.exp()
    (h * 2).sum().backward()  # frees the exp node
    (g,) = tn.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(g.numpy(), 2 * np.exp([1.0, 2.0]))
    x2 = _leaf([1.0, 2.0])
    h2 = x2.exp()
    tn.autograd.grad((h2 * h2).sum(), h2)
    (h2 * 2).sum().backward()  # the exp node was left alone
    np.testing.assert_allclose(x2.grad.numpy(), 2 * np.exp([1.0, 2.0]))
    fired = []
    z = x2 * 3
    z.register_hook(lambda grad: fired.append(grad))
    w = z * 2
    tn.autograd.grad(w.sum(), w)
    assert fired == []


def test_several_outputs_under_no_grad_still_differentiate():
    x = _leaf([1.0, 2.0])
    a, b = (x * x).sum(), x.sum()
    with tn.no_grad():
        (g,) = tn.autograd.grad([a, b], x, retain_graph=True)
        tn.autograd.backward([a, b])
    np.testing.assert_array_equal(g.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 5.0])


def test_backward_with_inputs_accumulates_into_those_alone_as_pytorch():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = tn.tensor([3.0], requires_grad=True)
    h = x * y
    h.retain_grad()
    (h * h).sum().backward(inputs=[x, h])
    # d Σ(xy)²/dx = 2xy², d/dh = 2h; y is not among the inputs: untouched
    assert x.grad.tolist() == [18.0, 36.0] and h.grad.tolist() == [6.0, 12.0]
    assert y.grad is None
    (x * 2).sum().backward(inputs=x)  # added to what is there
    assert x.grad.tolist() == [20.0, 38.0]
    unused = tn.ones(1, requires_grad=True)
    x.sum().backward(inputs=[unused])
    assert unused.grad is None and x.grad.tolist() == [20.0, 38.0]
    with pytest.raises(NotImplementedError, match="backward: create_graph=True needs a "
                                                  "graph of the gradient"):
        x.sum().backward(create_graph=True)


def test_grads_batched_give_each_row_of_grad_outputs_its_own_pass():
    x = tn.tensor([1.0, 2.0, 3.0], dtype=tn.float64, requires_grad=True)
    y = x * x
    (jacobian,) = tn.autograd.grad(y, x, tn.eye(3, dtype=tn.float64), is_grads_batched=True)
    np.testing.assert_array_equal(jacobian.numpy(), np.diag([2.0, 4.0, 6.0]))
    with pytest.raises(RuntimeError, match="second time"):  # the last pass freed the graph
        y.sum().backward()
    (g,) = tn.autograd.grad((x * 3).sum(), x, only_inputs=True)
    assert g.tolist() == [3.0, 3.0, 3.0]
    with pytest.raises(ValueError, match="only_inputs must be True"):
        tn.autograd.grad((x * 3).sum(), x, only_inputs=False)


def test_retains_grad_and_extra_none_gradients_as_pytorch():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    assert not h.retains_grad and not x.retains_grad
    h.retain_grad()
    assert h.retains_grad

    class Double(tn.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, None  # one input: a trailing None is allowed, as in PyTorch

    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]

    class Extra(Double):
        @staticmethod
        def backward(ctx, grad):
            return grad * 2, grad  # not None: refused

    with pytest.raises(RuntimeError, match="must return one gradient per forward input"):
        Extra.apply(x).sum().backward()
