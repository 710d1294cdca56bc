"""tn.classroom: compare_grads, trace_backward, and broken(): each fault is caught by
gradcheck, compare_grads and sanity_check's gradient check, and the op is restored."""
import numpy as np
import pytest

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import ops
from tinynet.autograd.observers import OBSERVERS
from tinynet.classroom import FAULTS, broken, compare_grads, trace_backward

KINDS = sorted(FAULTS)


def two_layer_net():
    """A tiny tanh network, its cross-entropy backward, and the same gradients by hand."""
    rng = np.random.default_rng(0)
    x = tn.tensor(rng.standard_normal((6, 3)))
    y = tn.tensor([0, 1, 2, 0, 1, 2])
    W1 = tn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    W2 = tn.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    h = (x @ W1).tanh()
    logits = h @ W2
    h.retain_grad()
    logits.retain_grad()
    F.cross_entropy(logits, y).backward()
    p = np.exp(logits.array - logits.array.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dlogits = p.copy()
    dlogits[np.arange(6), y.array] -= 1
    dlogits /= 6
    dh = dlogits @ W2.array.T
    mine = {"logits": dlogits, "W2": h.array.T @ dlogits, "h": dh,
            "W1": x.array.T @ (dh * (1 - h.array ** 2))}
    return mine, {"logits": logits, "W2": W2, "h": h, "W1": W1}


# ---- compare_grads ----------------------------------------------------------------------
def test_hand_derived_gradients_agree(capsys):
    mine, reference = two_layer_net()
    result = compare_grads(mine, reference)
    assert result.passed and [r.name for r in result] == ["logits", "W2", "h", "W1"]
    assert all(r.maxdiff < 1e-6 for r in result)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split(" | ") == ["name  ", "exact", "approximate", "maxdiff"]
    assert len(printed) == 2 + 4 and printed[2].startswith("logits | ")


def test_exact_approximate_and_wrong_rows():
    ref = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    result = compare_grads([("same", ref.copy(), ref),
                            ("close", ref + 1e-7, ref),
                            ("wrong", tn.tensor(ref * 2), ref),  # yours may be a Tensor
                            ("shape", ref[:, None], ref)], verbose=False)
    rows = {r.name: r for r in result}
    assert (rows["same"].exact, rows["same"].approximate, rows["same"].maxdiff) == (True, True, 0)
    assert (rows["close"].exact, rows["close"].approximate) == (False, True)
    assert (rows["wrong"].exact, rows["wrong"].approximate, rows["wrong"].maxdiff) == (
        False, False, 3.0)
    # np.allclose would broadcast (3, 1) against (3,) and say True
    assert not rows["shape"].approximate and rows["shape"].problem == "shape (3, 1) vs (3,)"
    assert not result.passed and not result.exact
    assert "shape (3, 1) vs (3,)" in str(result)
    html = result._repr_html_()
    assert html.count("<tr>") == 5 and "✘" in html and "✔" in html


def test_tolerances_are_arguments():
    a, b = np.array([1.0]), np.array([1.001])
    assert not compare_grads({"x": a}, {"x": b}, verbose=False).passed
    assert compare_grads({"x": a}, {"x": b}, rtol=1e-2, verbose=False).passed


def test_reference_without_gradient_is_explained():
    x = tn.tensor([1.0], requires_grad=True)
    h = x * 2
    (h * 3).sum().backward()  # h.grad is not kept
    with pytest.raises(ValueError, match=r"'h' has no gradient.*retain_grad\(\)"):
        compare_grads({"h": np.array([3.0])}, {"h": h})
    with pytest.raises(KeyError, match="no reference for"):
        compare_grads({"h": np.array([3.0])}, {"x": x})
    with pytest.raises(TypeError, match="triple"):
        compare_grads([("h", np.array([3.0]))])


# ---- trace_backward ---------------------------------------------------------------------
def test_trace_lists_ops_in_engine_order_with_shapes():
    tn.manual_seed(0)
    model = tn.models.MLP(2, [5], 3, activation="relu")
    with trace_backward() as trace:
        loss = F.cross_entropy(model(tn.randn(4, 2)), tn.tensor([0, 1, 2, 0]))
        loss.backward()
    assert OBSERVERS.forward == [] and OBSERVERS.backward == []
    assert [s.op for s in trace] == ["CrossEntropy", "layer 2 · Linear (output)",
                                     "layer 1 · ReLU", "layer 1 · Linear"]
    assert [s.grad_shape for s in trace] == [(), (4, 3), (4, 5), (4, 5)]
    out = trace[1].inputs
    assert [(i.position, i.shape, i.target) for i in out] == [
        (0, (4, 5), "step 3 (ReLU)"), (1, (3, 5), "leaf 2.weight"), (2, (3,), "leaf 2.bias")]
    first = trace[3].inputs
    assert (first[0].shape, first[0].target) == (None, "input")  # x needs no gradient
    text = str(trace)
    assert text.splitlines()[0].split() == ["step", "op", "grad", "in", "input", "gradient",
                                            "out", "goes", "to"]
    assert "leaf 0.weight" in text and "none" in text
    assert trace._repr_html_().count("<tr>") == 1 + len(trace.rows()) == 1 + 9
    target = trace[0].inputs[1]  # the class targets: an input, with no gradient
    assert (target.shape, target.target) == (None, "input")


def test_trace_shows_unbroadcasting():
    w = tn.tensor([[1.0, 2.0, 3.0]], requires_grad=True)  # (1, 3) against (2, 3)
    with trace_backward() as trace:
        (w * tn.ones(2, 3)).sum().backward()
    mul = trace[1].inputs[0]
    assert (mul.shape, mul.summed_to) == ((2, 3), (1, 3))
    assert "(2, 3) summed to (1, 3)" in str(trace)


def test_trace_of_a_backward_whose_forward_ran_before():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2.0).sum()
    with trace_backward() as trace:
        y.backward()
    assert [s.op for s in trace] == ["Sum", "Mul"]
    assert len(trace[1].inputs) == 1 and not trace.complete
    assert "inputs that get no gradient are not listed" in str(trace)


def test_trace_observers_are_removed_on_error():
    with pytest.raises(RuntimeError), trace_backward():
        tn.tensor([1.0]).backward()  # does not require grad
    assert OBSERVERS.forward == [] and OBSERVERS.backward == []


# ---- broken -----------------------------------------------------------------------------
def gradcheck_ok(fn, *inputs) -> bool:
    return tn.gradcheck(fn, inputs, raise_exception=False)


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_catches_each_fault_and_nothing_is_broken_after(kind):
    x = tn.tensor(np.linspace(-1, 1, 6).reshape(3, 2), dtype=tn.float64, requires_grad=True)
    z = tn.tensor([[0.5, -2.0]] * 3, dtype=tn.float64, requires_grad=True)
    original = ops.Mul.__dict__["backward"]
    with broken("Mul", kind) as cls:
        assert cls is ops.Mul and ops.Mul.__dict__["backward"] is not original
        assert not gradcheck_ok(lambda a, b: a * b, x, z)
    assert ops.Mul.__dict__["backward"] is original
    assert gradcheck_ok(lambda a, b: a * b, x, z)


@pytest.mark.parametrize("kind", KINDS)
def test_compare_grads_catches_each_fault(kind):
    op = "CrossEntropy"  # its gradient is (softmax - onehot) / N: each fault changes it
    mine, _ = two_layer_net()
    with broken(op, kind):
        _, broken_reference = two_layer_net()
    result = compare_grads(mine, broken_reference, verbose=False)
    assert not result.passed and not any(r.approximate for r in result)
    assert compare_grads(*two_layer_net(), verbose=False).passed


@pytest.mark.parametrize("op, kind", [("Linear", "sign_flip"), ("Linear", "missing_factor"),
                                      ("CrossEntropy", "wrong_reduction")])
def test_sanity_checks_gradient_check_catches_each_fault(op, kind):
    data = tn.data.load_dataset("moons", seed=0, n_samples=120)
    model = tn.models.MLP(2, [8, 8], 2, generator=np.random.default_rng(0))
    with broken(op, kind):
        report = tn.diagnostics.sanity_check(model, data.X_train, data.y_train)
    check = {c.name: c for c in report}["gradient check"]
    assert not check.passed, check
    after = tn.diagnostics.sanity_check(model, data.X_train, data.y_train)
    assert {c.name: c for c in after}["gradient check"].passed


def test_wrong_reduction_multiplies_by_the_batch_size():
    z = tn.tensor(np.zeros((4, 3)), requires_grad=True)
    with broken("Mean", "wrong_reduction"):
        z.mean().backward()
    np.testing.assert_allclose(z.grad.array, np.full((4, 3), 4 / 12))
    s = tn.tensor(2.0, requires_grad=True)
    with broken("Mul", "wrong_reduction"):
        (s * 3.0).backward()  # a scalar: N = 1, nothing to see
    assert s.grad.item() == 3.0


def test_missing_factor_halves_and_sign_flip_negates():
    x = tn.tensor([3.0], requires_grad=True)
    with broken("Mul", "missing_factor"):
        (x * x).sum().backward()
    assert x.grad.item() == 3.0  # d(x²)/dx written as x
    x.grad = None
    with broken("Mul", "sign_flip"):
        (x * x).sum().backward()
    assert x.grad.item() == -6.0


def test_the_op_is_restored_when_the_block_raises():
    original = ops.Tanh.__dict__["backward"]
    with pytest.raises(KeyError), broken("Tanh", "sign_flip"):
        raise KeyError("in the block")
    assert ops.Tanh.__dict__["backward"] is original


def test_an_inherited_backward_is_restored_and_subclasses_are_untouched():
    assert "backward" not in ops.Min.__dict__  # Min inherits Max's backward
    x = tn.tensor([1.0, 3.0, 2.0], requires_grad=True)
    with broken("Min", "sign_flip"):
        x.min().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 0.0] and "backward" not in ops.Min.__dict__
    x.grad = None
    with broken("Max", "sign_flip"):
        x.min().backward()  # Min is not Max
    assert x.grad.tolist() == [1.0, 0.0, 0.0]


def test_a_custom_function_can_be_broken():
    class Square(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = tn.tensor([1.0, -2.0], dtype=tn.float64, requires_grad=True)
    assert gradcheck_ok(Square.apply, x)
    with broken(Square, "missing_factor"):
        assert not gradcheck_ok(Square.apply, x)
    assert gradcheck_ok(Square.apply, x)


def test_unknown_ops_and_kinds_are_refused():
    with (pytest.raises(ValueError, match=r"broken: op must be one of .*'Add'.*, or a Function "
                                          r"subclass, got 'Mull' \(did you mean 'Mul'\?\)"),
          broken("Mull", "sign_flip")):
        pass
    with (pytest.raises(ValueError, match=r"broken: kind must be one of 'sign_flip', "
                                          r"'missing_factor'.*got 'sign' \(did you mean"),
          broken("Mul", "sign")):
        pass
    with (pytest.raises(ValueError, match="broken: op must be one of"),
          broken(tn.autograd.Function, "sign_flip")):
        pass
