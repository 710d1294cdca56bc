"""Containers (Sequential from an OrderedDict, Sequential and ModuleList as lists,
ModuleDict), Module's get_submodule, register_parameter, forward pre-hooks and its
refusal to replace a Parameter by a plain value, and tied weights in state_dict:
values, names, orders and messages, and PyTorch's own answers where torch is
installed."""
from collections import OrderedDict

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def _kinds(container) -> list:
    return [(name, type(m).__name__) for name, m in container.named_children()]


# ---- Sequential from an OrderedDict ---------------------------------------------------------
def test_sequential_from_an_ordered_dict_names_its_children():
    tn.manual_seed(0)
    net = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU()),
                                     ("out", nn.Linear(3, 1))]))
    assert _kinds(net) == [("fc", "Linear"), ("act", "ReLU"), ("out", "Linear")]
    assert list(net.state_dict()) == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    assert net.fc is net[0] and net.out is net[-1]
    x = tn.randn(4, 2)
    np.testing.assert_array_equal(net(x).array, net.out(net.fc(x).relu()).array)
    assert _kinds(net[1:]) == [("act", "ReLU"), ("out", "Linear")]  # names kept
    assert repr(net).splitlines()[1] == "  (fc): Linear(in_features=2, out_features=3, bias=True)"


@pytest.mark.parametrize("entries, error, message", [
    ([("fc", 3)], TypeError, r"Sequential: OrderedDict entry 'fc': module must be a Module, "
                             r"got int"),
    ([("a.b", nn.ReLU())], KeyError, r"Sequential: module name must be a non-empty string "
                                     r"without '\.', got 'a\.b'"),
    ([("", nn.ReLU())], KeyError, "non-empty string"),
    ([("forward", nn.ReLU())], KeyError, "must not be an existing attribute, got 'forward'"),
])
def test_sequential_refuses_bad_ordered_dict_entries(entries, error, message):
    with pytest.raises(error, match=message):
        nn.Sequential(OrderedDict(entries))


def test_sequential_of_a_plain_dict_says_how_to_name_modules():
    with pytest.raises(TypeError, match="argument 0 must be a Module, got .*pass one OrderedDict"):
        nn.Sequential({"fc": nn.Linear(1, 1)})


# ---- Sequential and ModuleList as lists -----------------------------------------------------
def _numbered(lib, cls):
    modules = [lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.ELU()]
    return lib.nn.Sequential(*modules) if cls == "Sequential" else lib.nn.ModuleList(modules)


EDITS = {  # the same edit, run on tinynet's and torch's containers
    "append": lambda c, lib: c.append(lib.nn.Sigmoid()),
    "extend": lambda c, lib: c.extend([lib.nn.Sigmoid(), lib.nn.GELU()]),
    "insert_front": lambda c, lib: c.insert(0, lib.nn.Sigmoid()),
    "insert_middle": lambda c, lib: c.insert(2, lib.nn.Sigmoid()),
    "insert_end": lambda c, lib: c.insert(3, lib.nn.Sigmoid()),
    "del_first": lambda c, lib: c.__delitem__(0),
    "del_negative": lambda c, lib: c.__delitem__(-2),
    "del_slice": lambda c, lib: c.__delitem__(slice(0, 2)),
    "set": lambda c, lib: c.__setitem__(1, lib.nn.Sigmoid()),
    "set_negative": lambda c, lib: c.__setitem__(-1, lib.nn.Sigmoid()),
    "pop": lambda c, lib: c.pop(1),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("cls", ["Sequential", "ModuleList"])
def test_list_edits_give_pytorchs_names_and_order(cls, edit):
    torch = pytest.importorskip("torch")
    ours, theirs = _numbered(tn, cls), _numbered(torch, cls)
    popped = EDITS[edit](ours, tn), EDITS[edit](theirs, torch)
    assert _kinds(ours) == _kinds(theirs)
    if edit == "pop":
        assert type(popped[0]).__name__ == type(popped[1]).__name__ == "Tanh"


def test_sequential_edits_return_what_pytorchs_return():
    seq = _numbered(tn, "Sequential")
    assert seq.append(nn.Sigmoid()) is seq and seq.insert(-1, nn.GELU()) is seq
    assert seq.extend([nn.ReLU()]) is seq
    assert _kinds(seq) == [("0", "ReLU"), ("1", "Tanh"), ("2", "ELU"), ("3", "GELU"),
                           ("4", "Sigmoid"), ("5", "ReLU")]
    assert isinstance(seq.pop(0), nn.ReLU) and len(seq) == 5
    assert seq(tn.zeros(2)).shape == (2,)


def test_module_list_edits_slices_and_negative_indices():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    layers += [nn.Tanh()]
    assert layers.insert(-1, nn.ELU()) is None  # as PyTorch's
    assert [type(m).__name__ for m in layers] == ["Linear", "ReLU", "ELU", "Tanh"]
    assert isinstance(layers[-1], nn.Tanh) and layers[-4] is layers[0]
    part = layers[1:3]
    assert isinstance(part, nn.ModuleList) and _kinds(part) == [("0", "ReLU"), ("1", "ELU")]
    del layers[1::2]
    assert _kinds(layers) == [("0", "Linear"), ("1", "ELU")]
    assert [n for n, _ in layers.named_parameters()] == ["0.weight", "0.bias"]
    assert nn.ModuleList().extend([]) is not None and len(nn.ModuleList()) == 0


def test_a_named_sequential_is_renumbered_by_del_as_in_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(OrderedDict([("fc", lib.nn.Linear(1, 1)),
                                              ("act", lib.nn.ReLU()), ("out", lib.nn.Tanh())]))
    ours, theirs = build(tn), build(torch)
    del ours[1], theirs[1]
    ours.append(nn.ELU()), theirs.append(torch.nn.ELU())
    assert _kinds(ours) == _kinds(theirs) == [("0", "Linear"), ("1", "Tanh"), ("2", "ELU")]


def test_a_slice_of_a_sequential_keeps_names_and_state_dict_keys_as_pytorch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    assert list(ours[1:].state_dict()) == list(theirs[1:].state_dict()) == ["2.weight", "2.bias"]
    assert _kinds(ours[::-1]) == _kinds(theirs[::-1])


@pytest.mark.parametrize("cls", ["Sequential", "ModuleList"])
@pytest.mark.parametrize("action, error, message", [
    (lambda c: c[3], IndexError, "{cls}: index 3 is out of range for 3 modules"),
    (lambda c: c[-4], IndexError, "index -4 is out of range for 3 modules"),
    (lambda c: c["0"], TypeError, r"{cls}: index must be an integer \(or a slice, to read or "
                                  r"delete\), got str"),
    (lambda c: c.__setitem__(slice(0, 1), nn.ReLU()), TypeError, "got slice"),
    (lambda c: c.insert("0", nn.ReLU()), TypeError, "{cls}.insert: index must be an integer"),
    (lambda c: c.__setitem__(5, nn.ReLU()), IndexError, "index 5 is out of range"),
    (lambda c: c.__setitem__(0, 3), TypeError, "{cls}: module must be a Module, got int"),
    (lambda c: c.__delitem__(3), IndexError, "index 3 is out of range"),
    (lambda c: c.insert(4, nn.ReLU()), IndexError,
     r"{cls}.insert: index must be in \[-3, 3\] \(the number of modules\), got 4"),
    (lambda c: c.insert(-4, nn.ReLU()), IndexError, "got -4"),
    (lambda c: c.insert(0, "relu"), TypeError, "{cls}.insert: module must be a Module, got str"),
    (lambda c: c.append(None), TypeError, "{cls}.append: module must be a Module, got NoneType"),
    (lambda c: c.extend(3), TypeError, "{cls}.extend: modules must be an iterable of "
                                       "Modules, got int"),
    (lambda c: c.extend([nn.ReLU(), 3]), TypeError, "{cls}.extend: module must be a Module"),
    (lambda c: c.pop(7), IndexError, "index 7 is out of range"),
])
def test_list_edits_refuse_bad_input_and_change_nothing(cls, action, error, message):
    container = _numbered(tn, cls)
    with pytest.raises(error, match=message.format(cls=cls)):
        action(container)
    assert _kinds(container) == [("0", "ReLU"), ("1", "Tanh"), ("2", "ELU")]


# ---- ModuleDict ---------------------------------------------------------------------------
def test_module_dict_behaves_as_a_dict_in_insertion_order():
    heads = nn.ModuleDict({"b": nn.Linear(4, 2), "a": nn.Linear(4, 3)})
    assert list(heads) == list(heads.keys()) == ["b", "a"] and len(heads) == 2
    heads["c"] = nn.ReLU()
    assert "c" in heads and "z" not in heads and 3 not in heads
    assert [type(m).__name__ for m in heads.values()] == ["Linear", "Linear", "ReLU"]
    assert [k for k, _ in heads.items()] == ["b", "a", "c"]
    heads["b"] = nn.Tanh()  # replaced in place
    assert list(heads) == ["b", "a", "c"] and isinstance(heads["b"], nn.Tanh)
    del heads["b"]
    assert isinstance(heads.pop("c"), nn.ReLU) and list(heads) == ["a"]
    heads.update([("x", nn.ELU())])
    heads.update(OrderedDict([("y", nn.GELU())]))
    heads.update(nn.ModuleDict({"z": nn.SiLU()}))
    assert list(heads) == ["a", "x", "y", "z"] and heads.x is heads["x"]
    heads.clear()
    assert len(heads) == 0 and repr(heads) == "ModuleDict()"


def test_module_dict_children_are_registered():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "drop": nn.Dropout(0.5)})

        def forward(self, x):
            return self.heads["cls"](self.heads["drop"](x))

    model = Heads()
    assert [n for n, _ in model.named_parameters()] == ["heads.cls.weight", "heads.cls.bias"]
    assert list(model.state_dict()) == ["heads.cls.weight", "heads.cls.bias"]
    model.eval()
    assert not model.heads["drop"].training
    model.double()
    assert model.heads["cls"].weight.dtype == np.float64
    model(tn.ones(2, 4, dtype=tn.float64)).sum().backward()
    assert model.heads.cls.weight.grad.shape == (3, 4)
    assert repr(model.heads).splitlines()[1] == \
        "  (cls): Linear(in_features=4, out_features=3, bias=True)"


def test_module_dict_equals_pytorchs():
    torch = pytest.importorskip("torch")

    def build(lib):
        d = lib.nn.ModuleDict({"b": lib.nn.Linear(2, 2), "a": lib.nn.ReLU()})
        d["c"] = lib.nn.Linear(2, 1)
        del d["a"]
        d.update([("a", lib.nn.Linear(1, 1))])
        return d

    ours, theirs = build(tn), build(torch)
    assert list(ours) == list(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


@pytest.mark.parametrize("action, error, message", [
    (lambda d: d["missing"], KeyError, "no submodule named 'missing'"),
    (lambda d: d.pop("missing"), KeyError, "no submodule named 'missing'"),
    (lambda d: d.__delitem__("missing"), KeyError, "no submodule named 'missing'"),
    (lambda d: d.__setitem__("keys", nn.ReLU()), KeyError,
     "ModuleDict: module name must not be an existing attribute, got 'keys'"),
    (lambda d: d.__setitem__("training", nn.ReLU()), KeyError, "got 'training'"),
    (lambda d: d.__setitem__("a.b", nn.ReLU()), KeyError, "without '.'"),
    (lambda d: d.__setitem__(3, nn.ReLU()), TypeError,
     "ModuleDict: module name must be a string, got int"),
    (lambda d: d.__setitem__("x", None), TypeError,
     "ModuleDict: module must be a Module, got NoneType"),
    (lambda d: d.update(3), TypeError, "ModuleDict.update: modules must be a mapping or an "
                                       "iterable of \\(name, module\\) pairs, got int"),
    (lambda d: d.update([3]), TypeError,
     "ModuleDict.update: element #0 must be a \\(name, module\\) pair, got int"),
    (lambda d: d.update([("x", nn.ReLU(), 1)]), ValueError, "element #0 .* got 3 items"),
    (lambda d: d.update({"x": nn.ReLU(), "y": 2}), TypeError,
     "ModuleDict.update: entry 'y': module must be a Module, got int"),
])
def test_module_dict_refuses_bad_input_and_changes_nothing(action, error, message):
    heads = nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(error, match=message):
        action(heads)
    assert list(heads) == ["a"]


# ---- get_submodule, register_parameter, assigning to a parameter ----------------------------
def _nested(lib):
    inner = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU())
    return lib.nn.Sequential(OrderedDict([("encoder", inner), ("head", lib.nn.Linear(2, 1))]))


def test_get_submodule_follows_a_dotted_path():
    net = _nested(tn)
    assert net.get_submodule("") is net
    assert net.get_submodule("encoder.0") is net.encoder[0]
    assert net.get_submodule("head") is net.head
    with pytest.raises(AttributeError, match=r"get_submodule: Sequential has no attribute "
                                             r"'2' \(target 'encoder\.2'\)"):
        net.get_submodule("encoder.2")
    with pytest.raises(AttributeError, match="get_submodule: 'weight' is not a Module, got "
                                             "Parameter"):
        net.get_submodule("head.weight")
    with pytest.raises(TypeError, match="get_submodule: target must be a dotted string, got int"):
        net.get_submodule(0)


def test_get_submodule_equals_pytorchs():
    torch = pytest.importorskip("torch")
    ours, theirs = _nested(tn), _nested(torch)
    for target in ["", "encoder", "encoder.1", "head"]:
        assert type(ours.get_submodule(target)).__name__ == \
            type(theirs.get_submodule(target)).__name__
    for lib_net in (ours, theirs):
        with pytest.raises(AttributeError):
            lib_net.get_submodule("encoder.7")


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_parameter("gain", nn.Parameter(np.full(2, 3.0, np.float32)))
        self.register_parameter("shift", None)

    def forward(self, x):
        return x * self.gain


def test_register_parameter_sets_a_parameter_or_none():
    scale = Scale()
    assert [n for n, _ in scale.named_parameters()] == ["gain"] and scale.shift is None
    assert list(scale.state_dict()) == ["gain"]
    scale.register_parameter("shift", nn.Parameter(np.zeros(2)))  # fills the empty slot
    scale.register_parameter("gain", nn.Parameter(np.ones(2)))  # replaces a parameter
    assert [n for n, _ in scale.named_parameters()] == ["gain", "shift"]
    np.testing.assert_array_equal(scale(tn.ones(2)).array, [1.0, 1.0])


@pytest.mark.parametrize("name, param, error, message", [
    ("w", tn.zeros(2), TypeError, "register_parameter: param must be a tinynet.nn.Parameter "
                                  "or None, got 'tinynet.FloatTensor' for parameter 'w'"),
    ("w", 1.0, TypeError, "got 'float'"),
    ("a.b", None, KeyError, "register_parameter: parameter name must be a non-empty string "
                            "without '.'"),
    ("training", None, KeyError, "must not be an existing attribute, got 'training'"),
    (3, None, TypeError, "register_parameter: parameter name must be a string, got int"),
])
def test_register_parameter_refuses_bad_input(name, param, error, message):
    with pytest.raises(error, match=message):
        Scale().register_parameter(name, param)


def test_register_parameter_equals_pytorchs():
    torch = pytest.importorskip("torch")
    for lib in (tn, torch):
        layer = lib.nn.Linear(2, 2)
        layer.register_parameter("extra", lib.nn.Parameter(lib.zeros(2)))
        layer.register_parameter("bias", None)
        assert [n for n, _ in layer.named_parameters()] == ["weight", "extra"]
        assert list(layer.state_dict()) == ["weight", "extra"]


@pytest.mark.parametrize("value, kind", [(tn.zeros(3, 2), "tinynet.FloatTensor"),
                                         (np.zeros((3, 2)), "ndarray"), (3, "int")])
def test_assigning_a_plain_value_to_a_parameter_raises_as_pytorch(value, kind):
    layer = nn.Linear(2, 3)
    weight = layer.weight
    message = (f"Linear.weight: cannot assign '{kind}' as parameter 'weight' "
               f"\\(tinynet.nn.Parameter or None expected\\)")
    with pytest.raises(TypeError, match=message):
        layer.weight = value
    assert layer.weight is weight
    layer.weight = nn.Parameter(np.ones((3, 2)))  # a Parameter, or None, is fine
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    layer.scale = tn.ones(1)  # a plain tensor where no parameter is: an attribute
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_assigning_a_plain_tensor_to_a_parameter_raises_in_pytorch_too():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
        torch.nn.Linear(2, 3).weight = torch.zeros(3, 2)


# ---- forward pre-hooks --------------------------------------------------------------------
def test_forward_pre_hook_sees_and_may_replace_the_inputs():
    layer = nn.Linear(2, 2)
    calls = []
    handle = layer.register_forward_pre_hook(lambda m, args: calls.append((m, args)))
    x = tn.ones(3, 2)
    y = layer(x)
    assert calls == [(layer, (x,))] and y.shape == (3, 2)
    handle.remove()
    doubled = layer.register_forward_pre_hook(lambda m, args: args[0] * 2)  # one value
    np.testing.assert_allclose(layer(x).array, layer.forward(x * 2).array)
    doubled.remove()
    with layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,)):  # a tuple
        np.testing.assert_allclose(layer(x).array, np.broadcast_to(layer.bias.array, (3, 2)))
    np.testing.assert_allclose(layer(x).array, y.array)  # the with block removed it


def test_pre_hooks_run_in_order_before_forward_and_forward_hooks_see_their_inputs():
    order = []

    class Probe(nn.Module):
        def forward(self, x, scale=1.0):
            order.append(("forward", x.tolist(), scale))
            return x * scale

    probe = Probe()
    probe.register_forward_pre_hook(lambda m, args: order.append("pre1") or (args[0] + 1,))
    probe.register_forward_pre_hook(lambda m, args: order.append(("pre2", args[0].tolist())))
    probe.register_forward_hook(lambda m, args, out: order.append(("hook", args[0].tolist())))
    out = probe(tn.tensor([1.0]), scale=3.0)  # keywords go to forward untouched
    assert order == ["pre1", ("pre2", [2.0]), ("forward", [2.0], 3.0), ("hook", [2.0])]
    assert out.tolist() == [6.0]


def test_forward_pre_hook_equals_pytorchs():
    torch = pytest.importorskip("torch")
    outputs = []
    for lib in (tn, torch):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
        net[1].register_forward_pre_hook(lambda m, args: args[0] * 0.5)
        net[0].weight.data = lib.ones(2, 2)
        net[0].bias.data = lib.zeros(2)
        outputs.append(net(lib.tensor([[1.0, -2.0]])).tolist()[0])
    assert outputs[0] == pytest.approx(outputs[1])


def test_a_forward_pre_hook_runs_under_observers_and_refuses_a_non_callable():
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
    with tn.autograd.detect_anomaly():  # the observed path
        out = layer(tn.ones(1, 2))
    np.testing.assert_array_equal(out.array, layer.bias.array[None])
    with pytest.raises(TypeError, match="register_forward_pre_hook: hook must be callable, "
                                        "got int"):
        layer.register_forward_pre_hook(3)


# ---- tied weights -------------------------------------------------------------------------
def _tied(lib):
    enc, dec = lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)
    dec.weight = enc.weight
    return lib.nn.Sequential(enc, dec)


def test_tied_weights_are_in_state_dict_under_each_name():
    net = _tied(tn)
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert [n for n, _ in net.named_parameters(remove_duplicate=False)] == \
        ["0.weight", "0.bias", "1.weight", "1.bias"]
    state = {k: v.array * 0 + i for i, (k, v) in enumerate(net.state_dict().items())}
    net.load_state_dict(state)  # both names are loaded into the one tensor: the last wins
    assert net[0].weight is net[1].weight and (net[0].weight.array == 2).all()
    del state["1.weight"]  # another name of the same tensor is there: not missing (files
    net.load_state_dict(state)  # written before every name was listed held one name)
    assert (net[1].weight.array == 0).all()


def test_shared_modules_and_buffers_with_remove_duplicate_false():
    layer, norm = nn.Linear(2, 2), nn.BatchNorm1d(2)
    net = nn.Sequential(layer, norm, layer, norm)
    assert [n for n, _ in net.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in net.named_modules(remove_duplicate=False)] == ["", "0", "1", "2", "3"]
    assert [n for n, _ in net.named_buffers()] == ["1.running_mean", "1.running_var",
                                                    "1.num_batches_tracked"]
    assert len(list(net.named_buffers(remove_duplicate=False))) == 6
    assert list(net.state_dict())[7:] == ["2.weight", "2.bias", "3.weight", "3.bias",
                                          "3.running_mean", "3.running_var",
                                          "3.num_batches_tracked"]


def test_tied_weights_and_shared_modules_equal_pytorchs():
    torch = pytest.importorskip("torch")
    ours, theirs = _tied(tn), _tied(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for flag in (True, False):
        assert [n for n, _ in ours.named_parameters(remove_duplicate=flag)] == \
            [n for n, _ in theirs.named_parameters(remove_duplicate=flag)]
    shared = [lib.nn.Linear(1, 1) for lib in (tn, torch)]
    nets = [lib.nn.Sequential(m, lib.nn.ReLU(), m) for lib, m in zip((tn, torch), shared)]
    assert list(nets[0].state_dict()) == list(nets[1].state_dict())
    assert [n for n, _ in nets[0].named_modules(remove_duplicate=False)] == \
        [n for n, _ in nets[1].named_modules(remove_duplicate=False)]


def test_a_module_holding_its_parent_is_walked_once_per_path():
    parent = nn.Sequential(nn.Linear(1, 1))
    parent[0].owner = parent  # a cycle: every Module attribute is a child in tinynet
    assert [n for n, _ in parent.named_modules(remove_duplicate=False)] == ["", "0"]
    assert list(parent.state_dict()) == ["0.weight", "0.bias"]


def test_removing_the_last_hook_puts_the_module_back_on_the_plain_path():
    """(a Monitor adds and removes its activation hooks every few steps)"""
    layer = tn.nn.ReLU()
    calls = []
    first = layer.register_forward_hook(lambda m, a, out: calls.append("post"))
    second = layer.register_forward_pre_hook(lambda m, a: calls.append("pre"))
    assert layer._has_hooks
    first.remove()
    assert layer._has_hooks  # the pre-hook is still there
    layer(tn.ones(2))
    assert calls == ["pre"]
    second.remove()
    assert not layer._has_hooks
    layer(tn.ones(2))
    assert calls == ["pre"]
    model = tn.nn.Sequential(tn.nn.Linear(2, 2), tn.nn.ReLU())
    monitor = tn.diagnostics.Monitor(model)
    monitor.detach()
    assert not any(m._has_hooks for m in model.modules())


def _double(module, args, output):
    return output * 2


def test_a_module_pickled_before_the_hook_flag_still_runs_its_hooks():
    import pickle
    layer = tn.nn.Linear(2, 2)
    layer.register_forward_hook(_double)
    state = dict(vars(layer))
    state.pop("_has_hooks")  # as pickles made before the flag hold it
    old = pickle.loads(pickle.dumps(layer))
    old.__dict__.pop("_has_hooks", None)
    old.__setstate__(state)
    x = tn.ones(1, 2)
    np.testing.assert_array_equal(old(x).detach().numpy(), 2 * old.forward(x).detach().numpy())


def test_a_state_dict_with_one_name_per_tied_weight_loads_strictly():
    """(state dicts written before every name of a shared tensor was listed)"""
    enc, dec = tn.nn.Linear(3, 3), tn.nn.Linear(3, 3)
    dec.weight = enc.weight
    model = tn.nn.Sequential(enc, dec)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    old = {k: v for k, v in state.items() if k != "1.weight"}
    old["0.weight"] = tn.zeros(3, 3)
    result = model.load_state_dict(old)
    assert result.missing_keys == [] and not dec.weight.detach().numpy().any()
    with pytest.raises(RuntimeError, match='Missing key.*"0.bias"'):
        model.load_state_dict({k: v for k, v in old.items() if k != "0.bias"})
