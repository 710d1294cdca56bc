"""nn.Module's registration API: add_module / register_module, _modules, apply, and
buffers (register_buffer, named_buffers, in state_dict, cast by to())."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


class MySequential(nn.Module):
    """d2l's example: children named at run time."""

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


def test_add_module_registers_children_in_order():
    net = MySequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [name for name, _ in net.named_children()] == ["0", "1", "2"]
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                             "2.bias"]
    assert net(tn.ones(4, 2)).shape == (4, 1)
    net.register_module("3", nn.Tanh())
    assert list(net._modules) == ["0", "1", "2", "3"]


def test_modules_mapping_reads_and_writes_the_attributes():
    net = nn.Sequential(nn.Linear(2, 2))
    assert list(net._modules.items()) == [("0", net[0])]
    net._modules["1"] = nn.ReLU()  # older d2l code writes into _modules
    assert isinstance(net[1], nn.ReLU) and len(net) == 2
    del net._modules["1"]
    assert len(net._modules) == 1 and not hasattr(net, "1")
    with pytest.raises(KeyError):
        net._modules["missing"]
    with pytest.raises(KeyError):
        net._modules["training"]  # an attribute, but not a child


@pytest.mark.parametrize("name, error, message", [
    ("a.b", KeyError, (r"add_module: module name must be a non-empty string without '\.', "
                       r"got 'a\.b'")),
    ("", KeyError, "non-empty string"),
    ("training", KeyError, "must not be an existing attribute, got 'training'"),
    ("forward", KeyError, "existing attribute"),
    (3, TypeError, "add_module: module name must be a string, got int"),
])
def test_add_module_refuses_bad_names_as_pytorch(name, error, message):
    with pytest.raises(error, match=message):
        nn.Sequential().add_module(name, nn.ReLU())


def test_add_module_refuses_a_non_module_and_replaces_a_child():
    net = nn.Sequential(nn.ReLU())
    with pytest.raises(TypeError, match="add_module: module must be a Module or None, got int"):
        net.add_module("x", 3)
    net.add_module("0", nn.Tanh())  # an existing child may be replaced
    assert isinstance(net[0], nn.Tanh)


def test_apply_visits_children_before_parents_and_returns_self():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]


def test_apply_initialises_weights_as_in_d2l():
    def init_constant(module):
        if type(module) is nn.Linear:
            nn.init.constant_(module.weight, 1)
            nn.init.zeros_(module.bias)

    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).apply(init_constant)
    np.testing.assert_array_equal(net[0].weight.array, np.ones((8, 4)))
    np.testing.assert_array_equal(net[2].bias.array, np.zeros(1))


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(np.ones(2, np.float32))
        self.register_buffer("total", tn.zeros(2))
        self.register_buffer("steps", tn.tensor(0))
        self.register_buffer("scratch", tn.zeros(3), persistent=False)
        self.register_buffer("unused", None)


def test_buffers_are_named_but_are_not_parameters():
    net = nn.Sequential(nn.Linear(2, 2), Counter())
    assert [name for name, _ in net.named_buffers()] == ["1.total", "1.steps", "1.scratch"]
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.weight"]
    assert list(net.buffers(recurse=False)) == []
    assert len(list(net[1].buffers())) == 3


def test_state_dict_holds_persistent_buffers_after_each_modules_parameters():
    net = nn.Sequential(Counter(), nn.Linear(2, 2))
    assert list(net.state_dict()) == ["0.weight", "0.total", "0.steps", "1.weight", "1.bias"]


def test_load_state_dict_restores_buffers_and_names_missing_ones():
    source, target = Counter(), Counter()
    with tn.no_grad():
        source.total += 3
        source.steps += 7
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target.total.array, [3.0, 3.0])
    assert target.steps.item() == 7 and target.steps.dtype == np.int64
    state = source.state_dict()
    del state["steps"]
    with pytest.raises(RuntimeError, match='Missing key.*"steps"'):
        target.load_state_dict(state)


def test_a_reassigned_buffer_stays_a_buffer():
    counter = Counter()
    counter.total = tn.ones(2)  # as BatchNorm's running statistics may be replaced
    assert counter.state_dict()["total"].tolist() == [1.0, 1.0]


def test_to_casts_floating_buffers_and_keeps_integer_ones():
    counter = Counter().double()
    assert counter.total.dtype == np.float64 and counter.scratch.dtype == np.float64
    assert counter.steps.dtype == np.int64


@pytest.mark.parametrize("name, tensor, error, message", [
    ("weight", tn.zeros(1), KeyError, "must not be an existing attribute, got 'weight'"),
    ("a.b", tn.zeros(1), KeyError, "without '.'"),
    ("b", 3.0, TypeError, "register_buffer: tensor must be a Tensor or None, got float"),
])
def test_register_buffer_refuses_bad_arguments(name, tensor, error, message):
    with pytest.raises(error, match=message):
        Counter().register_buffer(name, tensor)


def test_registration_equals_pytorchs():
    torch = pytest.importorskip("torch")

    def build(lib):
        net = lib.nn.Sequential(lib.nn.Linear(2, 3))
        net.add_module("act", lib.nn.ReLU())
        net[0].register_buffer("mean", lib.zeros(3))
        net[0].register_buffer("hidden", lib.zeros(3), persistent=False)
        return net

    ours, theirs = build(tn), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours._modules) == list(theirs._modules)
    order, torch_order = [], []
    ours.apply(lambda m: order.append(type(m).__name__))
    theirs.apply(lambda m: torch_order.append(type(m).__name__))
    assert order == torch_order


def test_child_and_buffer_slots_take_only_modules_and_tensors_as_pytorchs():
    model = nn.Sequential()
    model.fc = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'str' as child module 'fc' "
                                         r"\(tinynet.nn.Module or None expected\)"):
        model.fc = "oops"
    assert len(list(model.parameters())) == 2  # the layer is still there
    model.fc = None  # allowed, as in PyTorch
    module = nn.Module()
    module.register_buffer("buf", tn.zeros(2))
    with pytest.raises(TypeError, match=r"cannot assign 'int' as buffer 'buf'"):
        module.buf = 3
    assert list(module.state_dict()) == ["buf"]
    module.buf = nn.Parameter(tn.ones(2))  # a parameter now, no longer a buffer
    assert [n for n, _ in module.named_parameters()] == ["buf"]
    assert [n for n, _ in module.named_buffers()] == []
    module.register_buffer("other", tn.zeros(1))
    del module.other
    module.other = tn.ones(1)  # after del: a plain attribute, as in PyTorch
    assert [n for n, _ in module.named_buffers()] == []


def test_extra_state_goes_into_the_state_dict_and_comes_back():
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1)
            self.seen = 0

        def get_extra_state(self):
            return {"seen": self.seen}

        def set_extra_state(self, state):
            self.seen = state["seen"]

    model = nn.Sequential(nn.Linear(1, 1), Counter())
    model[1].seen = 7
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1._extra_state", "1.fc.weight", "1.fc.bias"]
    fresh = nn.Sequential(nn.Linear(1, 1), Counter())
    assert repr(fresh.load_state_dict(state)) == "<All keys matched successfully>"
    assert fresh[1].seen == 7
    del state["1._extra_state"]
    result = fresh.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1._extra_state"] and result.unexpected_keys == []
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "1._extra_state"'):
        fresh.load_state_dict(state)
    plain = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match="define it"):
        plain.get_extra_state()


def test_to_dtype_casts_floating_parameters_only():
    module = nn.Linear(2, 2)
    module.index = nn.Parameter(tn.tensor([1, 2]), requires_grad=False)
    module.double()
    assert module.weight.dtype == tn.float64 and module.index.dtype == tn.int64
    module.half()
    assert module.weight.dtype == tn.float16 and module.index.dtype == tn.int64


def test_a_multi_line_extra_repr_prints_one_line_each_as_pytorchs():
    class Multi(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    module = Multi()
    assert repr(module) == "Multi(\n  a=1\n  b=2\n)"
    module.fc = nn.Linear(1, 1)
    assert repr(module) == ("Multi(\n  a=1\n  b=2\n  (fc): Linear(in_features=1, "
                            "out_features=1, bias=True)\n)")


def test_a_parameter_or_a_module_takes_over_a_child_or_buffer_slot_as_in_pytorch():
    module = nn.Module()
    module.child = nn.Linear(2, 2)
    module.child = nn.Parameter(tn.ones(2))
    assert [n for n, _ in module.named_parameters()] == ["child"]
    module.register_buffer("b", tn.zeros(1))
    module.b = nn.Linear(2, 2)
    assert list(module.state_dict()) == ["child", "b.weight", "b.bias"]
    assert [n for n, _ in module.named_buffers()] == []


def test_a_model_with_extra_state_trains_with_fit_and_early_stopping():
    class Counted(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            return self.fc(x)

        def get_extra_state(self):
            return {"calls": self.calls}

        def set_extra_state(self, state):
            self.calls = state["calls"]

    X = np.random.default_rng(0).standard_normal((40, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = Counted()
    history = tn.fit(model, X, y, epochs=3, seed=0, progress=False, validation_data=(X, y),
                     callbacks=[tn.training.EarlyStopping(restore_best_weights=True,
                                                          patience=1)])
    assert history.records and model.state_dict()["_extra_state"]["calls"] == model.calls


def _registration_story(lib) -> list:
    """What PyTorch code sees of parameter and child slots, run on tinynet or torch."""
    nn, seen = lib.nn, []

    def assigned(module, name, value) -> str:
        try:
            setattr(module, name, value)
            return "accepted"
        except TypeError:
            return "TypeError"
    seen.append(assigned(nn.Linear(2, 3, bias=False), "bias", lib.zeros(3)))  # a None slot
    m = nn.Module()
    m.register_parameter("p", None)
    seen.append(assigned(m, "p", lib.zeros(2)))

    class Net(nn.Module):  # placeholders first, registered later: registration order
        def __init__(self):
            super().__init__()
            self.head = None
            self.scale = None
            self.body = nn.Linear(2, 2)
            self.weight = nn.Parameter(lib.ones(2))
            self.head = nn.Linear(2, 1)
            self.scale = nn.Parameter(lib.ones(1))
    net = Net()
    seen += [[n for n, _ in net.named_parameters()], [n for n, _ in net.named_children()],
             list(net.state_dict())]
    b = nn.Module()
    b.register_buffer("ema", nn.Parameter(lib.ones(2)))  # a buffer only
    seen.append(([n for n, _ in b.named_parameters()], list(b.state_dict()),
                 [n for n, _ in b.named_buffers()]))
    b.ema = lib.zeros(2)  # a tensor in its place: still the buffer
    seen.append([n for n, _ in b.named_buffers()])
    c = nn.Module()
    c.a, c.c, c.d = nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)
    c.c = None  # a child slot, kept in its place
    seen += [repr(c).splitlines()[2], assigned(c, "c", 5)]
    c.c = nn.Tanh()
    seen.append([n for n, _ in c.named_children()])
    lin = nn.Linear(2, 2)
    lin.weight = None
    lin.weight = nn.Parameter(lib.zeros(2, 2))
    del lin.bias  # no slot left
    seen += [[n for n, _ in lin.named_parameters()], assigned(lin, "bias", lib.zeros(2))]
    return seen


REGISTRATION_AS_PYTORCH = [
    "TypeError", "TypeError",
    ["weight", "scale", "body.weight", "body.bias", "head.weight", "head.bias"],
    ["body", "head"],
    ["weight", "scale", "body.weight", "body.bias", "head.weight", "head.bias"],
    ([], ["ema"], ["ema"]), ["ema"],
    "  (c): None", "TypeError", ["a", "c", "d"], ["weight"], "accepted"]


def _library(name: str):
    """tinynet, or torch when it is installed (the stories' expected values are its own)."""
    return tn if name == "tinynet" else pytest.importorskip(name)


@pytest.mark.parametrize("library", ["tinynet", "torch"])
def test_parameter_and_child_slots_and_their_order_are_pytorchs(library):
    assert _registration_story(_library(library)) == REGISTRATION_AS_PYTORCH


def test_a_parameter_made_from_a_tensor_shares_its_memory_and_version_as_pytorchs():
    encoder = tn.nn.Linear(2, 2)
    tied = tn.nn.Parameter(encoder.weight)
    with tn.no_grad():
        encoder.weight.fill_(7.0)
    assert tied.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    y = (tied * tied).sum()  # saves tied's array: a change through encoder.weight counts
    with tn.no_grad():
        encoder.weight.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()
    pretrained = tn.ones(3, 2)
    embedding = tn.nn.Embedding.from_pretrained(pretrained)
    pretrained[0, 0] = 5.0
    assert embedding.weight[0, 0].item() == 5.0  # as PyTorch's from_pretrained


def test_named_modules_takes_pytorchs_memo_first():
    net = tn.nn.Sequential(tn.nn.ReLU(), tn.nn.Tanh())
    assert [n for n, _ in net.named_modules(set(), "net")] == ["net", "net.0", "net.1"]
    memo = {net[0]}
    assert [n for n, _ in net.named_modules(memo, "x")] == ["x", "x.1"]
    assert memo == {net, net[0], net[1]}
    shared = tn.nn.Tanh()
    twice = tn.nn.Sequential(shared, tn.nn.ReLU(), shared)  # memo skips it under each name
    assert [n for n, _ in twice.named_modules({shared}, remove_duplicate=False)] == ["", "1"]
    with pytest.raises(TypeError, match="named_modules: memo must be a set of modules or None, "
                                        "got str"):
        list(net.named_modules("net"))


def _state_dict_hook_story(lib) -> list:
    """A model saved with a renamed key and loaded back through PyTorch's hooks."""
    nn, log = lib.nn, []
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    with lib.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(lib.tensor(np.arange(p.numel(), dtype=np.float32).reshape(p.shape) + i))
    net.register_state_dict_pre_hook(
        lambda m, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))
    net[0].register_state_dict_pre_hook(
        lambda m, prefix, keep_vars: log.append(("pre0", prefix)))
    def rename(m, sd, prefix, meta):
        log.append(("post0", prefix, sorted(sd)))
        sd[prefix + "w"] = sd.pop(prefix + "weight")
    net[0].register_state_dict_post_hook(rename)
    net.register_state_dict_post_hook(
        lambda m, sd, prefix, meta: log.append(("post", sorted(sd))))
    sd = net.state_dict()
    log.append(list(sd))
    fresh = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    def migrate(m, sd, prefix, meta, strict, missing, unexpected, errors):
        log.append(("load_pre", prefix, strict))
        if prefix + "w" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "w")
    fresh[0].register_load_state_dict_pre_hook(migrate)
    fresh.register_load_state_dict_post_hook(lambda m, keys: log.append(
        ("load_post", list(keys.missing_keys), list(keys.unexpected_keys))))
    fresh[1].register_load_state_dict_post_hook(lambda m, keys: log.append(("load_post1",)))
    r = fresh.load_state_dict(sd)
    log.append((repr(r), "0.w" in sd, fresh[0].weight.detach().numpy().ravel().tolist()))
    # a post hook forgives a missing key under strict
    other = nn.Linear(2, 2)
    other.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    r = other.load_state_dict({"weight": lib.zeros(2, 2)})
    log.append(("forgiven", repr(r), float(other.weight.detach().sum())))
    try:
        nn.Linear(2, 2).load_state_dict({"weight": lib.zeros(2, 2)})
    except RuntimeError as e:
        log.append(("strict", "Missing key(s)" in str(e)))
    return log


STATE_DICT_HOOKS_AS_PYTORCH = [
    ("pre", "", False), ("pre0", "0."), ("post0", "0.", ["0.bias", "0.weight"]),
    ("post", ["0.bias", "0.w", "1.bias", "1.weight"]), ["0.bias", "0.w", "1.weight", "1.bias"],
    ("load_pre", "0.", True), ("load_post1",), ("load_post", [], []),
    ("<All keys matched successfully>", True, [0.0, 1.0, 2.0, 3.0]),
    ("forgiven", "<All keys matched successfully>", 0.0), ("strict", True)]


@pytest.mark.parametrize("library", ["tinynet", "torch"])
def test_state_dict_hooks_rename_keys_on_saving_and_loading_as_pytorchs(library):
    assert _state_dict_hook_story(_library(library)) == STATE_DICT_HOOKS_AS_PYTORCH


def test_state_dict_hooks_are_checked():
    net = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="register_state_dict_pre_hook: hook must be callable"):
        net.register_state_dict_pre_hook(None)
    handle = net.register_state_dict_post_hook(lambda m, sd, prefix, meta: {})
    with pytest.raises(RuntimeError, match="must change the state_dict in place and return "
                                           "None"):
        net.state_dict()
    handle.remove()
    assert list(net.state_dict()) == ["weight", "bias"]
