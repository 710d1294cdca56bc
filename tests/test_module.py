"""nn.Module: parameter discovery, traversal, modes, gradients, state dicts, dtype casts,
forward hooks and repr."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.full(3, 2.0, dtype=np.float32))
        self.fc = nn.Linear(3, 3)
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(2, 3)
        self.block = Block()
        self.head = nn.Sequential(nn.LayerNorm(3), nn.Linear(3, 1))

    def forward(self, x):
        return self.head(self.block(self.first(x)))


NET_PARAMETERS = ["first.weight", "first.bias", "block.scale", "block.fc.weight",
                  "block.fc.bias", "head.0.weight", "head.0.bias", "head.1.weight",
                  "head.1.bias"]


def _loss(net, seed=0):
    x = tn.tensor(np.random.default_rng(seed).standard_normal((4, 2)).astype(np.float32))
    return (net(x) ** 2).sum()


# ---- parameters and traversal --------------------------------------------------------------
def test_named_parameters_are_in_assignment_order_then_submodules():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == NET_PARAMETERS
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]
    assert net.block.fc.weight is dict(net.named_parameters())["block.fc.weight"]


def test_parameters_recurse_false_gives_own_parameters_only():
    block = Block()
    assert [name for name, _ in block.named_parameters(recurse=False)] == ["scale"]
    assert [name for name, _ in block.named_parameters(prefix="b")][:2] == ["b.scale",
                                                                            "b.fc.weight"]


def test_sequential_names_children_by_index():
    seq = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    assert [name for name, _ in seq.named_children()] == ["0", "1", "2"]
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias",
                                                            "2.weight", "2.bias"]
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU) and seq[-1] is seq[2]
    assert [type(m) for m in seq[1:]] == [nn.ReLU, nn.Linear]
    # a slice keeps the children's names, so its state_dict keys match the original's
    assert [name for name, _ in seq[1:].named_children()] == ["1", "2"]
    assert list(seq[1:].state_dict()) == ["2.weight", "2.bias"]
    seq.append(nn.Sigmoid())
    assert [name for name, _ in seq.named_children()][-1] == "3"
    assert seq(tn.zeros(5, 2)).shape == (5, 1)


def test_sequential_refuses_a_non_module():
    with pytest.raises(TypeError, match="argument 1 must be a Module, got"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2, bias=False)])

    names = [name for name, _ in Stack().named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.1.weight"]


def test_shared_parameter_appears_once():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight  # tied weights
    seq = nn.Sequential(a, b)
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert len(list(seq.parameters())) == 3


def test_shared_module_appears_once():
    layer = nn.Linear(2, 2)
    seq = nn.Sequential(layer, nn.Tanh(), layer)
    assert [name for name, _ in seq.named_modules()] == ["", "0", "1"]
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias"]


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_modules_and_parameters_walk_as_their_named_versions(data):
    """``modules()`` and ``parameters()`` have their own walks: the same objects in the
    same order as ``named_modules()`` and ``named_parameters()``, on random trees where
    modules and parameters are shared (each appears once, where first met)."""
    pool_modules, pool_params = [], [nn.Parameter(np.zeros(2)) for _ in range(3)]

    def tree(depth):
        module = nn.Module()
        for i in range(data.draw(st.integers(0, 3))):
            kind = data.draw(st.sampled_from(["new", "shared", "param", "plain"]
                                             if depth < 3 else ["param", "plain"]))
            if kind == "new" or kind == "shared" and not pool_modules:
                child = tree(depth + 1)
                pool_modules.append(child)
            elif kind == "shared":
                child = data.draw(st.sampled_from(pool_modules))
            elif kind == "param":
                child = data.draw(st.sampled_from(pool_params))
            else:
                child = 7
            setattr(module, f"a{i}", child)
        return module

    root = tree(0)
    assert list(root.modules()) == [m for _, m in root.named_modules()]
    assert list(root.parameters()) == [p for _, p in root.named_parameters()]
    assert list(root.parameters(recurse=False)) == \
        [p for _, p in root.named_parameters(recurse=False)]


def test_overridden_named_children_and_named_parameters_are_followed():
    """A module keeping its children out of its attributes (and saying so through
    ``named_children``), or choosing its parameters through ``named_parameters``, is
    walked through them by ``modules()``, ``parameters()``, ``zero_grad()`` and
    ``eval()``, as by the named walks."""
    class Hidden(nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = [nn.Linear(2, 2), nn.Dropout(0.5)]

        def named_children(self):
            yield from ((str(i), m) for i, m in enumerate(self.kept))

        def forward(self, x):
            return self.kept[1](self.kept[0](x))

    class Frozen(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 2), nn.Linear(2, 2)

        def named_parameters(self, prefix="", recurse=True):
            yield from self.a.named_parameters(prefix="a", recurse=recurse)

    net = nn.Sequential(Hidden(), nn.Linear(2, 1))
    assert list(net.modules()) == [m for _, m in net.named_modules()]
    assert net[0].kept[0] in list(net.modules())
    assert list(net.parameters()) == [p for _, p in net.named_parameters()]
    net(tn.ones(3, 2)).sum().backward()
    assert net[0].kept[0].weight.grad is not None
    net.zero_grad()
    assert net[0].kept[0].weight.grad is None
    net.eval()
    assert not net[0].kept[1].training
    frozen = Frozen()
    assert list(frozen.parameters()) == [frozen.a.weight, frozen.a.bias]


def test_children_and_modules():
    net = Net()
    assert [name for name, _ in net.named_children()] == ["first", "block", "head"]
    assert list(net.children()) == [net.first, net.block, net.head]
    assert [name for name, _ in net.named_modules()] == [
        "", "first", "block", "block.fc", "block.act", "head", "head.0", "head.1"]
    assert list(net.modules())[0] is net
    assert list(net.modules())[3] is net.block.fc


def test_train_and_eval_reach_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 8
    net.train()
    assert [m.training for m in net.modules()] == [True] * 8
    net.train(False)
    assert not net.head[1].training


# ---- gradients -----------------------------------------------------------------------------
def test_zero_grad_to_zero_keeps_the_gradient_tensors():
    net = Net()
    _loss(net).backward()
    grads = {name: p.grad for name, p in net.named_parameters()}
    assert all(np.abs(g.array).sum() > 0 for g in grads.values())
    net.zero_grad(set_to_none=False)
    for name, p in net.named_parameters():
        assert p.grad is grads[name]
        np.testing.assert_array_equal(p.grad.array, np.zeros(p.shape))


def test_zero_grad_to_none_is_the_default():
    net = Net()
    _loss(net).backward()
    net.zero_grad()
    assert [p.grad for p in net.parameters()] == [None] * len(NET_PARAMETERS)


def test_gradients_accumulate_until_zeroed():
    net = Net()
    _loss(net).backward()
    once = net.first.weight.grad.array.copy()
    _loss(net).backward()
    np.testing.assert_allclose(net.first.weight.grad.array, 2 * once, rtol=1e-6)
    net.zero_grad()
    _loss(net).backward()
    np.testing.assert_allclose(net.first.weight.grad.array, once, rtol=1e-6)


def test_requires_grad_false_freezes_parameters():
    net = Net()
    net.first.requires_grad_(False)
    _loss(net).backward()
    assert net.first.weight.grad is None
    assert np.abs(net.block.fc.weight.grad.array).sum() > 0


# ---- state dicts ---------------------------------------------------------------------------
def test_state_dict_round_trip_reproduces_outputs():
    tn.manual_seed(0)
    source = Net()
    tn.manual_seed(1)
    target = Net()
    x = tn.randn(5, 2)
    assert not np.allclose(source(x).array, target(x).array)
    state = source.state_dict()
    assert list(state) == NET_PARAMETERS
    result = target.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(source(x).array, target(x).array)
    # the load copied the values: changing the source afterwards leaves the target alone
    with tn.no_grad():
        source.first.weight.array[...] = 0
    assert np.abs(target.first.weight.array).sum() > 0


def test_state_dict_values_are_detached_and_current():
    net = Net()
    state = net.state_dict()
    assert not any(t.requires_grad for t in state.values())
    np.testing.assert_array_equal(state["block.scale"].array, [2.0, 2.0, 2.0])


def test_load_state_dict_names_missing_keys():
    state = Net().state_dict()
    del state["first.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "first.bias"'):
        Net().load_state_dict(state)


def test_load_state_dict_names_unexpected_keys():
    state = Net().state_dict()
    state["block.extra"] = tn.zeros(3)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "block.extra"'):
        Net().load_state_dict(state)


def test_load_state_dict_names_mis_shaped_keys_and_both_shapes():
    state = Net().state_dict()
    state["head.1.weight"] = tn.zeros(2, 3)
    with pytest.raises(RuntimeError) as info:
        Net().load_state_dict(state)
    message = str(info.value)
    assert "size mismatch for head.1.weight" in message
    assert "(2, 3)" in message and "(1, 3)" in message


def test_load_state_dict_non_strict_returns_missing_and_unexpected():
    tn.manual_seed(0)
    source = Net()
    state = source.state_dict()
    del state["first.weight"]
    state["bogus"] = tn.zeros(1)
    target = Net()
    old_first = target.first.weight.array.copy()
    result = target.load_state_dict(state, strict=False)
    missing, unexpected = result
    assert missing == ["first.weight"] and unexpected == ["bogus"]
    assert repr(result) == ("_IncompatibleKeys(missing_keys=['first.weight'], "
                            "unexpected_keys=['bogus'])")
    assert str(Net().load_state_dict(source.state_dict())) == \
        "<All keys matched successfully>"  # as PyTorch prints it
    np.testing.assert_array_equal(target.first.weight.array, old_first)  # missing: untouched
    np.testing.assert_array_equal(target.head[1].weight.array, source.head[1].weight.array)


def test_load_state_dict_with_assign_makes_the_given_tensors_the_parameters_and_buffers():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    model[0].bias.requires_grad_(False)
    state = {k: v.double() + 1 for k, v in model.state_dict().items()}
    state["1.num_batches_tracked"] = tn.tensor(7)
    model.load_state_dict(state, assign=True)
    weight = model[0].weight
    assert isinstance(weight, nn.Parameter) and weight.dtype == tn.float64  # not cast
    assert weight.requires_grad and not model[0].bias.requires_grad  # the module's flags
    assert model[1].running_mean is state["1.running_mean"]
    assert model[1].num_batches_tracked.item() == 7
    state["0.weight"].add_(1)  # the same memory, as in PyTorch
    np.testing.assert_array_equal(weight.array, state["0.weight"].array)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight",
                                                        "1.bias"]
    given = nn.Parameter(tn.zeros(3, 2), requires_grad=False)
    model.load_state_dict({**state, "0.weight": given}, assign=True)
    assert model[0].weight is given and given.requires_grad
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):  # nothing assigned
        model.load_state_dict({**state, "0.weight": tn.ones(5, 5),
                               "1.running_var": tn.zeros(3)}, assign=True)
    assert model[0].weight is given and model[1].running_var is state["1.running_var"]


def test_load_state_dict_with_assign_keeps_tied_weights_one_tensor():
    first, second = nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False)
    second.weight = first.weight
    model = nn.Sequential(first, second)
    model.load_state_dict({"0.weight": tn.ones(2, 2)}, assign=True)  # one name of the two
    assert model[0].weight is model[1].weight
    assert model[1].weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    model.load_state_dict({k: v * 2 for k, v in model.state_dict().items()}, assign=True)
    assert model[0].weight is model[1].weight and model[1].weight.tolist()[0] == [2.0, 2.0]


def test_load_state_dict_non_strict_still_refuses_mis_shapes():
    state = Net().state_dict()
    state["first.bias"] = tn.zeros(4)
    with pytest.raises(RuntimeError, match="size mismatch for first.bias"):
        Net().load_state_dict(state, strict=False)


@pytest.mark.parametrize("break_state", ["missing", "unexpected", "mis-shaped"])
def test_a_failed_load_changes_nothing(break_state):
    tn.manual_seed(0)
    state = Net().state_dict()
    if break_state == "missing":
        del state["head.1.bias"]
    elif break_state == "unexpected":
        state["extra"] = tn.zeros(1)
    else:
        state["head.1.bias"] = tn.zeros(7)
    tn.manual_seed(1)
    target = Net()
    before = {name: t.array.copy() for name, t in target.state_dict().items()}
    with pytest.raises(RuntimeError):
        target.load_state_dict(state)
    for name, t in target.state_dict().items():
        np.testing.assert_array_equal(t.array, before[name])


def test_load_state_dict_accepts_arrays_and_keeps_the_parameter_dtype():
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"weight": np.eye(2), "bias": np.array([1.0, -1.0])})
    assert layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.array, np.eye(2))
    np.testing.assert_array_equal(layer(tn.ones(1, 2)).array, [[2.0, 0.0]])


# ---- dtype ---------------------------------------------------------------------------------
def test_to_float64_casts_parameters_and_gradients():
    net = Net()
    _loss(net).backward()
    grad32 = net.first.weight.grad.array.copy()
    assert net.to(tn.float64) is net
    for p in net.parameters():
        assert p.dtype == np.float64 and p.grad.dtype == np.float64
    np.testing.assert_array_equal(net.first.weight.grad.array, grad32)
    assert net(tn.zeros(1, 2, dtype=tn.float64)).dtype == np.float64


def test_double_and_float_cast_back_and_forth():
    net = Net().double()
    assert {p.dtype for p in net.parameters()} == {np.dtype(np.float64)}
    net.float()
    assert {p.dtype for p in net.parameters()} == {np.dtype(np.float32)}


def test_to_accepts_cpu_and_refuses_other_devices_and_integer_dtypes():
    net = Net()
    assert net.to("cpu") is net and net.first.weight.dtype == np.float32
    assert net.to("cpu", dtype=tn.float64).first.weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="cuda"):
        net.to("cuda")
    with pytest.raises(TypeError, match="int64"):
        net.to(tn.int64)


# ---- forward hooks -------------------------------------------------------------------------
def test_forward_hook_sees_module_inputs_and_output():
    layer = nn.Linear(2, 3)
    calls = []
    layer.register_forward_hook(lambda module, inputs, output: calls.append(
        (module, inputs, output)))
    x = tn.ones(4, 2)
    y = layer(x)
    assert len(calls) == 1
    module, inputs, output = calls[0]
    assert module is layer and output is y
    assert isinstance(inputs, tuple) and len(inputs) == 1 and inputs[0] is x


def test_forward_hook_return_value_replaces_output_and_handle_removes_it():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    handle = seq[0].register_forward_hook(lambda module, inputs, output: output * 0 - 1)
    # the hook's -1 output flows into the ReLU: every output is 0
    np.testing.assert_array_equal(seq(tn.ones(2, 2)).array, np.zeros((2, 3)))
    handle.remove()
    expected = np.maximum(seq[0](tn.ones(2, 2)).array, 0)
    np.testing.assert_array_equal(seq(tn.ones(2, 2)).array, expected)


def test_forward_hooks_run_in_registration_order_and_remove_independently():
    act = nn.Tanh()
    order = []
    first = act.register_forward_hook(lambda m, i, o: order.append("first"))
    act.register_forward_hook(lambda m, i, o: order.append("second"))
    act(tn.zeros(1))
    first.remove()
    act(tn.zeros(1))
    assert order == ["first", "second", "second"]
    nn.Tanh()(tn.zeros(1))  # hooks belong to one instance, not to the class
    assert order == ["first", "second", "second"]


# ---- repr ----------------------------------------------------------------------------------
def test_repr_matches_pytorch_format():
    model = nn.Sequential(nn.Linear(2, 16), nn.GELU(), nn.LayerNorm(16),
                          nn.Linear(16, 2, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=True)\n"
        "  (1): GELU(approximate='none')\n"
        "  (2): LayerNorm((16,), eps=1e-05, elementwise_affine=True, bias=True)\n"
        "  (3): Linear(in_features=16, out_features=2, bias=False)\n"
        ")")


def test_repr_of_nested_modules_indents_children():
    assert repr(Net()) == (
        "Net(\n"
        "  (first): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (block): Block(\n"
        "    (fc): Linear(in_features=3, out_features=3, bias=True)\n"
        "    (act): GELU(approximate='none')\n"
        "  )\n"
        "  (head): Sequential(\n"
        "    (0): LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)\n"
        "    (1): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")")


def test_forward_not_defined_says_so():
    with pytest.raises(NotImplementedError, match="Empty does not define forward"):
        type("Empty", (nn.Module,), {})()(tn.zeros(1))


def test_registration_order_train_overrides_and_error_classes_as_pytorch():
    # a slot set to None and back keeps its place (a Sequential's order is its forward)
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2))
    first = seq[0]
    setattr(seq, "0", None)
    setattr(seq, "0", first)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    cyclic = nn.Sequential(nn.Linear(1, 1))
    object.__setattr__(cyclic[0], "parent", cyclic)  # a cycle: set once, no recursion
    assert not cyclic.eval().training and not cyclic[0].training

    class FrozenNorm(nn.Module):  # the usual way to keep a norm layer in eval mode
        def __init__(self):
            super().__init__()
            self.norm = nn.BatchNorm1d(2)

        def train(self, mode=True):
            super().train(mode)
            self.norm.eval()
            return self

    model = nn.Sequential(FrozenNorm(), nn.Linear(2, 2))
    model.train()
    assert not model[0].norm.training and model[1].training
    with pytest.raises(ValueError, match="train: training mode is expected to be boolean"):
        model.train(0)

    class OwnError(ValueError):
        pass

    class Boom(nn.Module):
        def forward(self, x):
            raise OwnError("custom")

    with pytest.raises(OwnError, match="^custom$"):  # caught by its own class
        nn.Sequential(nn.Sequential(Boom()))(tn.ones(1))
    assert nn.Sequential(nn.ReLU())(input=tn.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]


def test_forward_hooks_prepend_with_kwargs_and_always_call():
    layer, order = nn.Linear(2, 2), []
    layer.register_forward_pre_hook(lambda m, a: order.append("a"))
    first = layer.register_forward_pre_hook(lambda m, a: order.append("b"), prepend=True)

    def doubled(module, args, kwargs):
        order.append(("kwargs", dict(kwargs)))
        return (args[0] * 2,), kwargs

    layer.register_forward_pre_hook(doubled, with_kwargs=True)
    layer.register_forward_hook(lambda m, a, k, out: order.append(("out", out.shape)),
                                with_kwargs=True)
    out = layer(tn.ones(1, 2))
    assert order == ["b", "a", ("kwargs", {}), ("out", (1, 2))]
    doubled_input = tn.nn.functional.linear(tn.full((1, 2), 2.0), layer.weight, layer.bias)
    np.testing.assert_allclose(out.detach().numpy(), doubled_input.detach().numpy())
    assert isinstance(first.id, int)
    with pytest.raises(RuntimeError, match="must return None or a tuple \\(args, kwargs\\)"):
        layer.register_forward_pre_hook(lambda m, a, k: a, with_kwargs=True)
        layer(tn.ones(1, 2))

    class Boom(nn.Module):
        def forward(self, x):
            raise RuntimeError("no")

    boom, seen = Boom(), []
    boom.register_forward_hook(lambda m, a, out: seen.append(out), always_call=True)
    boom.register_forward_hook(lambda m, a, out: seen.append("not run"))
    with pytest.raises(RuntimeError, match="no"):
        boom(tn.ones(1))
    assert seen == [None]


def test_a_copied_or_pickled_parameter_has_no_gradient_as_in_pytorch():
    import copy
    import pickle
    layer = nn.Linear(2, 1)
    layer(tn.ones(1, 2)).sum().backward()
    assert layer.weight.grad is not None
    assert copy.deepcopy(layer).weight.grad is None
    assert pickle.loads(pickle.dumps(layer)).weight.grad is None
    t = tn.ones(2, requires_grad=True)
    (t * 2).sum().backward()
    assert copy.deepcopy(t).grad.tolist() == [2.0, 2.0]  # a plain tensor keeps it, as torch's


def test_smaller_pytorch_conventions_of_modules_and_utilities():
    params = {"z": nn.Parameter(tn.ones(1)), "a": nn.Parameter(tn.ones(1))}
    assert list(nn.ParameterDict(params).keys()) == ["a", "z"]  # a plain dict: sorted
    from collections import OrderedDict
    assert list(nn.ParameterDict(OrderedDict(params)).keys()) == ["z", "a"]
    p = tn.ones(3, requires_grad=True)
    p.grad = tn.tensor([3.0, 4.0, 0.0])
    assert nn.utils.clip_grad_norm_([p], tn.tensor(1.0)).item() == 5.0  # a 0-d max_norm
    assert nn.init.calculate_gain("conv_transpose2d") == 1.0
    with pytest.raises(RuntimeError, match="cuda: tinynet runs on the CPU only"):
        nn.Linear(1, 1).cuda()


def test_always_call_hooks_run_after_any_error_and_flagged_hooks_leave_capture_eager():
    import warnings

    class Boom(nn.Module):
        def forward(self, x):
            return x

    boom, seen = Boom(), []

    def refuse(module, args):
        raise ValueError("pre-hook")

    def broken(module, args, out):
        raise KeyError("hook")

    boom.register_forward_pre_hook(refuse)
    boom.register_forward_hook(lambda m, a, out: seen.append(out), always_call=True)
    boom.register_forward_hook(broken, always_call=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="pre-hook"):  # the call's own error, raised on
            boom(tn.ones(1))
    assert seen == [None]
    assert any("'broken' with always_call=True raised KeyError" in str(w.message)
               for w in caught)
    # a with_kwargs pre-hook may return its positional inputs as a list
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, a, k: ([a[0] * 0], k), with_kwargs=True)
    assert layer(tn.ones(1, 2)).tolist() == [layer.bias.tolist()]
    # a replay has neither the call's keyword arguments nor a failing forward: eager
    model = nn.Linear(2, 1)

    def marked(module, args, kwargs, out):
        pass

    marked.replay_safe = True
    handle = model.register_forward_hook(marked, with_kwargs=True)
    step = tn.capture(lambda x: model(x).sum())
    for _ in range(3):
        step(tn.ones(3, 2)).backward()
    assert step.replays == 0
    handle.remove()  # its options go with it: the module replays again
    assert "_forward_hook_flags" not in vars(model)
