"""Tensor.register_hook: on leaves and non-leaves, what a hook returns replaces the
gradient (what flows on, what .grad gets), hooks chain in order and live on the graph,
bad returns are refused; the same gradients as PyTorch's where torch is installed.
(tests/test_capture.py checks them under tn.capture.)"""
import numpy as np
import pytest

import tinynet as tn


def test_a_leaf_hook_sees_the_summed_gradient_and_may_replace_it():
    x = tn.ones(3, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda grad: seen.append(grad.tolist()) or grad * 2)
    (x * 2 + x * 3).sum().backward()  # two uses: one call, on their sum
    assert seen == [[5.0] * 3] and x.grad.tolist() == [10.0] * 3
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0] * 3 and len(seen) == 1


def test_a_non_leaf_hook_changes_what_flows_on_and_what_retain_grad_keeps():
    x = tn.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda grad: grad * 10)
    (y * y).sum().backward()  # dL/dy = 2y = 4, hooked 40; dL/dx = 2 * 40
    assert y.grad.tolist() == [40.0] * 3 and x.grad.tolist() == [80.0] * 3


def test_hooks_chain_in_order_and_run_on_the_root_and_on_a_dropped_tensor():
    x = tn.ones(2, requires_grad=True)
    y = x * 2
    calls = []
    y.register_hook(lambda grad: calls.append(("first", grad.tolist())) or grad + 1)
    y.register_hook(lambda grad: calls.append(("second", grad.tolist())))
    loss = y.sum()
    loss.register_hook(lambda grad: calls.append(("root", grad.tolist())) or grad * 3)
    del y  # the hooks live on the graph, as in PyTorch
    loss.backward()
    assert calls == [("root", 1.0), ("first", [3.0, 3.0]), ("second", [4.0, 4.0])]
    assert x.grad.tolist() == [8.0, 8.0]


def test_a_gradient_a_hook_kept_is_not_changed_by_later_accumulation():
    x = tn.ones(2, requires_grad=True)
    kept = []
    x.register_hook(lambda grad: kept.append(grad))
    for _ in range(2):
        (x * 3).sum().backward()
    assert [g.tolist() for g in kept] == [[3.0, 3.0], [3.0, 3.0]]
    assert x.grad.tolist() == [6.0, 6.0]
    returned = tn.full((2,), 7.0)
    w = tn.ones(2, requires_grad=True)
    w.register_hook(lambda grad: returned)
    (w * 1).sum().backward()
    (w * 1).sum().backward()
    assert returned.tolist() == [7.0, 7.0] and w.grad.tolist() == [14.0, 14.0]


@pytest.mark.parametrize("hook, error, message", [
    (lambda grad: grad.sum(), RuntimeError, r"register_hook: hook '<lambda>' has changed the "
                                            r"size of the gradient: it must keep shape \(3,\), "
                                            r"got \(\)"),
    (lambda grad: grad.double(), RuntimeError, "changed the type of the gradient: it must keep "
                                               "dtype float32, got float64"),
    (lambda grad: 3, TypeError, "register_hook: hook '<lambda>' must return a Tensor or None, "
                                "got int"),
])
def test_a_hook_returning_a_bad_gradient_is_refused(hook, error, message):
    x = tn.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(hook)
    with pytest.raises(error, match=message):
        y.sum().backward()


def test_register_hook_refuses_a_tensor_without_grad_and_a_non_callable():
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook on a tensor "
                                           "that doesn't require gradient"):
        tn.ones(2).register_hook(lambda grad: grad)
    with pytest.raises(TypeError, match="register_hook: hook must be callable, got str"):
        tn.ones(2, requires_grad=True).register_hook("clip")


def test_register_hook_equals_pytorchs_on_a_small_network():
    """Hooks on a parameter (scaled), on a hidden activation (clipped) and on the loss:
    the same gradients as PyTorch's, in float64."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((4, 3)), rng.standard_normal((1, 4))
    x = rng.standard_normal((5, 3))
    grads = []
    for lib in (tn, torch):
        p1 = lib.tensor(w1, requires_grad=True)
        p2 = lib.tensor(w2, requires_grad=True)
        p1.register_hook(lambda grad: grad * 0.5)
        h = lib.tanh(lib.tensor(x) @ p1.T)
        h.register_hook(lambda grad: grad.clamp(-0.1, 0.1))
        loss = ((h @ p2.T) ** 2).mean()
        loss.register_hook(lambda grad: grad * 2)
        loss.backward()
        grads.append([p1.grad.detach().numpy(), p2.grad.detach().numpy()])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
