"""Modules' full backward hooks (``register_full_backward_hook``) and backward pre-hooks
(``register_full_backward_pre_hook``): the gradients a hook
gets (closed forms, and PyTorch's), how many times it runs, what its return value changes,
the errors, and ``tn.capture`` running hooked modules eagerly."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn


def _linear(seed=0, dtype=np.float64):
    tn.manual_seed(seed)
    return tn.nn.Linear(3, 2, dtype=dtype)


def test_a_linear_hook_gets_the_closed_form_gradients():
    """L = ½·Σ y², so dL/dy = y and dL/dx = y W."""
    lin, seen = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((m, gi, go)))
    x = tn.randn(4, 3, dtype=tn.float64, requires_grad=True)
    y = lin(x)
    ((y * y).sum() / 2).backward()
    (module, grad_input, grad_output), = seen
    assert module is lin and len(grad_input) == len(grad_output) == 1
    np.testing.assert_allclose(grad_output[0].array, y.array, rtol=1e-12)
    np.testing.assert_allclose(grad_input[0].array, y.array @ lin.weight.array, rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, grad_input[0].array, rtol=0)


def test_without_an_input_that_requires_grad_the_hook_gets_none_for_it():
    lin, seen = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    lin(tn.randn(4, 3, dtype=tn.float64)).sum().backward()
    (grad_input, grad_output), = seen
    assert grad_input == (None,)
    np.testing.assert_array_equal(grad_output[0].array, np.ones((4, 2)))
    assert lin.weight.grad is not None  # the parameters' gradients as without the hook


def test_a_returned_grad_input_replaces_the_gradient_below():
    """Doubling dL/dh at the second layer doubles every gradient below it, and nothing
    above."""
    def grads(hook):
        tn.manual_seed(1)
        model = tn.nn.Sequential(tn.nn.Linear(3, 4, dtype=tn.float64), tn.nn.Tanh(),
                                 tn.nn.Linear(4, 2, dtype=tn.float64))
        if hook is not None:
            model[2].register_full_backward_hook(hook)
        x = tn.randn(5, 3, dtype=tn.float64, requires_grad=True)
        model(x).pow(2).sum().backward()
        return [p.grad.array for p in model.parameters()] + [x.grad.array]

    plain = grads(None)
    doubled = grads(lambda m, gi, go: (gi[0] * 2,))
    for below in (0, 1, 4):  # first layer's weight and bias, the input
        np.testing.assert_allclose(doubled[below], 2 * plain[below], rtol=1e-12)
    for above in (2, 3):  # the hooked layer's own parameters
        np.testing.assert_array_equal(doubled[above], plain[above])


def test_hooks_run_in_order_each_getting_what_the_one_before_returned():
    lin, got = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
    lin.register_full_backward_hook(lambda m, gi, go: got.append(gi[0].array.copy()))
    x = tn.zeros(2, 3, dtype=tn.float64, requires_grad=True)
    lin(x).sum().backward()
    expected = np.ones((2, 2)) @ lin.weight.array + 1
    np.testing.assert_allclose(got[0], expected, rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-12)


def test_each_call_runs_the_hooks_once_with_its_own_gradients():
    lin, seen = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].array[0, 0]))
    x = tn.randn(2, 3, dtype=tn.float64, requires_grad=True)
    (lin(x).sum() + 3 * lin(x).sum()).backward()
    assert sorted(seen) == [1.0, 3.0]


def test_each_backward_pass_through_a_retained_graph_runs_the_hooks():
    lin, seen = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].array.copy()))
    y = lin(tn.randn(2, 3, dtype=tn.float64, requires_grad=True))
    y.sum().backward(retain_graph=True)
    (2 * y).sum().backward()
    assert len(seen) == 2
    np.testing.assert_allclose(seen[1], 2 * seen[0], rtol=1e-12)


def test_an_output_used_twice_gets_its_summed_gradient():
    lin, seen = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].array.copy()))
    y = lin(tn.randn(2, 3, dtype=tn.float64, requires_grad=True))
    (y.sum() + (2 * y).sum()).backward()
    assert len(seen) == 1 and np.all(seen[0] == 3.0)


def test_no_hook_runs_for_a_call_under_no_grad_or_once_removed():
    lin, seen = _linear(), []
    handle = lin.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    x = tn.randn(2, 3, dtype=tn.float64, requires_grad=True)
    with tn.no_grad():
        lin(x)
    (lin.weight.sum() * x.sum()).backward()  # through neither the call nor its ops
    assert seen == [] and lin._has_hooks
    handle.remove()
    assert not lin._has_hooks  # back on __call__'s plain path
    lin(tn.randn(2, 3, dtype=tn.float64, requires_grad=True)).sum().backward()
    assert seen == []


def test_a_tuple_output_gets_none_for_an_output_without_gradient():
    class Split(tn.nn.Module):
        def forward(self, a):
            return a * 2, a * 3

    split, seen = Split(), []
    split.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a = tn.ones(3, dtype=tn.float64, requires_grad=True)
    first, _ = split(a)
    first.sum().backward()
    (grad_input, grad_output), = seen
    assert grad_output[1] is None and grad_output[0].tolist() == [1.0] * 3
    assert grad_input[0].tolist() == [2.0] * 3


class _Product(tn.nn.Module):
    def forward(self, a, b, scale=1.0):
        return a * b * scale


def test_a_module_of_several_inputs_reports_each_and_a_number_as_none():
    product, seen = _Product(), []
    product.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    a = tn.tensor([1.0, 2.0], requires_grad=True)
    b = tn.tensor([3.0, 5.0], requires_grad=True)
    product(a, b, 2.0).sum().backward()
    grad_a, grad_b, grad_scale = seen[0]
    assert grad_a.tolist() == [6.0, 10.0] and grad_b.tolist() == [2.0, 4.0]
    assert grad_scale is None


def test_a_module_of_several_inputs_may_replace_each_gradient():
    product = _Product()
    product.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0, gi[1] * 10))
    a = tn.tensor([1.0, 2.0], requires_grad=True)
    b = tn.tensor([3.0, 5.0], requires_grad=True)
    product(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and b.grad.tolist() == [10.0, 20.0]


def test_every_pass_gets_its_own_gradients_whatever_reached_the_inputs_before():
    """A pass that reached one input only (autograd.grad), then full passes: each gets
    its own gradients, as in PyTorch (nothing is carried from one pass to the next)."""
    product, seen = _Product(), []
    product.register_full_backward_hook(lambda m, gi, go: seen.append([g.tolist() for g in gi]))
    a, b = tn.ones(2, requires_grad=True), tn.full((2,), 3.0, requires_grad=True)
    y = product(a, b).sum()
    tn.autograd.grad(y, [a], retain_graph=True)
    for k in (2, 3, 4):
        (k * y).backward(retain_graph=True)
    assert seen == [[[3.0, 3.0], [1.0, 1.0]]] + [[[3.0 * k] * 2, [1.0 * k] * 2]
                                                  for k in (2, 3, 4)]


def test_a_hook_that_raised_leaves_nothing_for_the_next_pass():
    lin, seen = _linear(), []

    def hook(m, gi, go):
        seen.append(gi[0].array.copy())
        if len(seen) == 1:
            raise KeyError("once")

    lin.register_full_backward_hook(hook)
    x = tn.ones(1, 3, dtype=tn.float64, requires_grad=True)
    with pytest.raises(KeyError):
        lin(x).sum().backward()
    lin(x).sum().backward()
    assert len(seen) == 2


def test_an_input_that_got_no_gradient_gets_zeros_as_in_pytorch():
    class FirstOnly(tn.nn.Module):
        def forward(self, x, mask):
            return x * 2

    module, seen = FirstOnly(), []
    module.register_full_backward_hook(lambda m, gi, go: seen.append([g.tolist() for g in gi]))
    x, mask = tn.ones(2, requires_grad=True), tn.ones(2, requires_grad=True)
    for _ in range(3):
        module(x, mask).sum().backward()
    assert seen == [[[2.0, 2.0], [0.0, 0.0]]] * 3 and mask.grad.tolist() == [0.0, 0.0]


def test_without_an_input_that_requires_grad_an_unused_first_output_does_not_stop_the_hooks():
    class Two(tn.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = tn.nn.Parameter(tn.ones(2))

        def forward(self, x):
            return x * self.w, x * self.w * 2

    module, seen = Two(), []
    module.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    _, second = module(tn.ones(2))
    second.sum().backward()
    (grad_input, grad_output), = seen
    assert grad_input == (None,) and grad_output[0] is None
    assert grad_output[1].tolist() == [1.0, 1.0]


def test_what_a_hook_keeps_is_not_the_inputs_grad():
    lin, kept = _linear(), []
    lin.register_full_backward_hook(lambda m, gi, go: kept.append(gi[0]))
    x = tn.ones(1, 3, dtype=tn.float64, requires_grad=True)
    lin(x).sum().backward()
    first = kept[0].array.copy()
    lin(x).sum().backward()  # accumulates into x.grad
    x.grad.zero_()
    np.testing.assert_array_equal(kept[0].array, first)


def test_a_namedtuple_output_stays_one():
    import collections

    Out = collections.namedtuple("Out", "logits aux")

    class Heads(tn.nn.Module):
        def forward(self, x):
            return Out(x * 2, x * 3)

    heads, seen = Heads(), []
    heads.register_full_backward_hook(lambda m, gi, go: seen.append(go))
    out = heads(tn.ones(2, requires_grad=True))
    assert isinstance(out, Out)
    (out.logits.sum() + out.aux.sum()).backward()
    assert [g.tolist() for g in seen[0]] == [[1.0, 1.0], [1.0, 1.0]]


def test_the_hooks_are_those_the_module_had_when_it_was_called():
    lin, seen = _linear(), []
    handle = lin.register_full_backward_hook(lambda m, gi, go: seen.append("first"))
    y = lin(tn.ones(1, 3, dtype=tn.float64))
    handle.remove()
    lin.register_full_backward_hook(lambda m, gi, go: seen.append("added later"))
    y.sum().backward()
    assert seen == ["first"]


def test_a_scalar_output_reaches_the_hook_as_a_0d_tensor():
    loss, got = tn.nn.MSELoss(), {}
    loss.register_full_backward_hook(lambda m, gi, go: got.update(go=go[0]))
    p = tn.ones(3, requires_grad=True)
    (0.5 * loss(p, tn.zeros(3))).backward()
    assert got["go"].shape == () and float(np.asarray(got["go"])) == 0.5


def test_a_dict_output_runs_no_hook_as_in_pytorch():
    class Named(tn.nn.Module):
        def forward(self, x):
            return {"a": x * 2}

    named, seen = Named(), []
    named.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    named(tn.ones(2, requires_grad=True))["a"].sum().backward()
    assert seen == []


def test_without_an_input_that_requires_grad_a_hook_must_return_none():
    lin = _linear()
    lin.register_full_backward_hook(lambda m, gi, go: (tn.zeros(1, 3),))
    with pytest.raises(RuntimeError, match="Linear hook '<lambda>' must return None when no "
                                           "input requires grad"):
        lin(tn.ones(1, 3, dtype=tn.float64)).sum().backward()


def test_a_hook_must_be_callable():
    with pytest.raises(TypeError, match="register_full_backward_hook: hook must be callable, "
                                        "got int"):
        _linear().register_full_backward_hook(3)


@pytest.mark.parametrize("register", ["register_full_backward_hook",
                                      "register_full_backward_pre_hook"])
def test_capture_runs_a_module_with_a_backward_hook_eagerly_every_step(register):
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2))
    seen = []
    handle = getattr(model[1], register)(lambda m, *grads: seen.append(1))
    step = tn.capture(lambda x, y: tn.nn.functional.cross_entropy(model(x), y))
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(5):
        step(x, y).backward()
    assert len(seen) == 5 and step.replays == 0
    handle.remove()
    assert not model[1]._has_hooks
    for _ in range(4):
        step(x, y).backward()
    assert step.replays == 2 and len(seen) == 5


@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=4), batch=st.integers(1, 5),
       activation=st.sampled_from(["ReLU", "Tanh", "Sigmoid", "GELU"]),
       seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_every_layers_gradients_are_pytorchs(widths, batch, activation, seed):
    """The gradient-flow picture people draw from these hooks: per module, dL/d input and
    dL/d output, against PyTorch's on the same weights (float64)."""
    torch = pytest.importorskip("torch")
    layers = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        layers += [tn.nn.Linear(d_in, d_out, dtype=tn.float64), getattr(tn.nn, activation)()]
    ours = tn.nn.Sequential(*layers)
    theirs = torch.nn.Sequential(*[
        torch.nn.Linear(m.in_features, m.out_features, dtype=torch.float64)
        if isinstance(m, tn.nn.Linear) else getattr(torch.nn, activation)() for m in layers])
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.array))
    x = np.random.default_rng(seed).standard_normal((batch, widths[0]))
    got = {}
    for name, model, make in (("ours", ours, tn.tensor), ("theirs", theirs, torch.tensor)):
        got[name] = []
        for module in model:
            module.register_full_backward_hook(
                lambda m, gi, go, out=got[name]: out.append(
                    [None if g is None else np.array(g.detach().tolist()) for g in gi + go]))
        xt = make(x, requires_grad=True)
        model(xt).pow(2).sum().backward()
    assert len(got["ours"]) == len(got["theirs"]) == len(layers)
    for a, b in zip(got["ours"], got["theirs"]):
        for g, h in zip(a, b):
            np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12)


# ---- backward pre-hooks (register_full_backward_pre_hook) --------------------------------
def test_a_pre_hook_gets_grad_output_before_the_modules_backward():
    """L = ½·Σ y²: dL/dy = y reaches the pre-hook before the Linear's backward runs."""
    lin, events = _linear(), []
    lin.register_full_backward_pre_hook(lambda m, go: events.append(("pre", m, go)))
    lin.register_full_backward_hook(lambda m, gi, go: events.append(("hook", m, go)))
    x = tn.randn(4, 3, dtype=tn.float64, requires_grad=True)
    y = lin(x)
    ((y * y).sum() / 2).backward()
    assert [e[0] for e in events] == ["pre", "hook"]
    (_, module, grad_output), (_, _, hook_grad_output) = events
    assert module is lin and len(grad_output) == 1
    np.testing.assert_allclose(grad_output[0].array, y.array, rtol=1e-12)
    np.testing.assert_array_equal(hook_grad_output[0].array, grad_output[0].array)


def test_a_returned_grad_output_is_what_the_module_and_its_hooks_get():
    """Scaling dL/dy by 3 scales dL/dW = (dL/dy)ᵀx, dL/db and dL/dx by 3, and the full
    backward hook sees the scaled grad_output."""
    x = tn.randn(4, 3, dtype=tn.float64, requires_grad=True)
    plain = _linear()
    plain(x).pow(2).sum().backward()
    expected = [t.grad.array * 3 for t in (plain.weight, plain.bias, x)]
    x.grad = None
    hooked, seen = _linear(), []
    hooked.register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
    hooked.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].array))
    y = hooked(x)
    y.pow(2).sum().backward()
    for t, want in zip((hooked.weight, hooked.bias, x), expected):
        np.testing.assert_allclose(t.grad.array, want, rtol=1e-12)
    np.testing.assert_allclose(seen[0], 2 * y.array * 3, rtol=1e-12)


def test_pre_hooks_run_in_order_each_getting_what_the_one_before_returned():
    lin, seen = _linear(), []
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] + 1,))
    lin.register_full_backward_pre_hook(lambda m, go: seen.append(go[0].array.copy()))
    lin(tn.randn(2, 3, dtype=tn.float64)).sum().backward()
    np.testing.assert_array_equal(seen[0], np.full((2, 2), 2.0))


def test_a_pre_hook_gets_none_for_an_output_without_gradient():
    class Two(tn.nn.Module):
        def forward(self, a):
            return a * 2, a.detach() * 3

    seen = []
    two = Two()
    two.register_full_backward_pre_hook(lambda m, go: seen.append(go))
    a, _ = two(tn.randn(4, 3, requires_grad=True))
    a.sum().backward()
    (grad_output,), = [seen]
    assert grad_output[1] is None and grad_output[0].shape == (4, 3)


@pytest.mark.parametrize("result, message", [
    (lambda go: (go[0], go[0]), r"register_full_backward_pre_hook: Linear hook '<lambda>' "
                                r"must return None or one gradient per output \(1, in a "
                                r"tuple\), got 2 gradients"),
    (lambda go: go[0], r"one gradient per output \(1, in a tuple\), got Tensor"),
    (lambda go: (tn.ones(3, dtype=tn.float64),), r"must return, for output 0, a tensor of "
                                                 r"shape \(4, 2\) and dtype float64; got a "
                                                 r"tensor of shape \(3,\)"),
])
def test_a_pre_hooks_return_value_is_checked(result, message):
    lin = _linear()
    lin.register_full_backward_pre_hook(lambda m, go: result(go))
    with pytest.raises(RuntimeError, match=message):
        lin(tn.randn(4, 3, dtype=tn.float64)).sum().backward()


def test_pre_hooks_equal_pytorchs():
    torch = pytest.importorskip("torch")
    ours, theirs = _linear(), torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.array))
    x = np.random.default_rng(1).standard_normal((5, 3))
    got = {}
    for name, module, make in (("ours", ours, tn.tensor), ("theirs", theirs, torch.tensor)):
        seen = got[name] = []
        module.register_full_backward_pre_hook(
            lambda m, go, seen=seen: (seen.append(np.array(go[0].tolist())), (go[0] * -2,))[1])
        module.register_full_backward_hook(
            lambda m, gi, go, seen=seen: seen.extend(np.array(g.tolist()) for g in gi + go))
        xt = make(x, requires_grad=True)
        module(xt).pow(3).sum().backward()
        seen += [np.array(t.grad.tolist()) for t in (module.weight, module.bias, xt)]
    assert len(got["ours"]) == len(got["theirs"]) == 6
    for a, b in zip(got["ours"], got["theirs"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
