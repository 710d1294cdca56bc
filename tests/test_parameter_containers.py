"""ParameterList and ParameterDict (the parent sees their parameters: names, state_dict,
optimizers), against PyTorch's, and small PyTorch APIs: state_dict's keep_vars, prefix and
destination, Dropout.inplace, Tensor.get_device."""
import numpy as np
import pytest

import tinynet as tn


def _chain(lib):
    """The same model in tinynet and in PyTorch: weights in a ParameterList, scales in a
    ParameterDict."""
    class Chain(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = lib.nn.ParameterList([lib.ones(2, 2) * (k + 1) for k in range(3)])
            self.scales = lib.nn.ParameterDict({"first": lib.ones(2), "last": lib.ones(2) * 2})

        def forward(self, x):
            x = x * self.scales["first"]
            for w in self.weights:
                x = x @ w
            return x * self.scales["last"]

    return Chain()


def test_a_model_of_parameter_containers_trains_as_pytorchs():
    torch = pytest.importorskip("torch")
    ours, theirs = _chain(tn), _chain(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for model, lib in ((ours, tn), (theirs, torch)):
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(3):
            opt.zero_grad()
            model(lib.tensor([[1.0, -1.0], [0.5, 2.0]])).pow(2).sum().backward()
            opt.step()
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.array, q.detach().numpy(), rtol=1e-6)


def test_parameter_list_operations():
    weights = tn.nn.ParameterList([tn.nn.Parameter(tn.ones(2)), tn.zeros(3)])
    data = tn.ones(4)
    weights.append(data)
    weights += [tn.zeros(1)]
    assert len(weights) == 4 and [tuple(p.shape) for p in weights] == [(2,), (3,), (4,), (1,)]
    assert isinstance(weights[2], tn.nn.Parameter) and weights[2].requires_grad
    assert weights[2].array is data.array  # the tensor's data, not a copy (as PyTorch)
    assert weights[-1].shape == (1,) and len(weights[1:3]) == 2
    weights[0] = tn.full((5,), 2.0)
    assert weights[0].tolist() == [2.0] * 5
    with pytest.raises(IndexError, match="ParameterList: index 9 is out of range for 4"):
        weights[9]
    with pytest.raises(TypeError, match="ParameterList: values must be tensors .* got list"):
        weights.append([1.0])
    assert repr(tn.nn.ParameterList([tn.ones(2, 3), tn.ones(4, dtype=tn.float64)])) == (
        "ParameterList(\n    (0): Parameter containing: [tinynet.float32 of size 2x3]\n"
        "    (1): Parameter containing: [tinynet.float64 of size 4]\n)")  # PyTorch's layout
    assert repr(tn.nn.ParameterDict({"a": tn.ones(4)})) == (  # one: inline, as PyTorch's
        "ParameterDict(  (a): Parameter containing: [tinynet.FloatTensor of size 4])")


def test_container_reprs_are_pytorchs():
    torch = pytest.importorskip("torch")

    def shown(lib):
        nn = lib.nn
        layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(),
                                nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Tanh()),
                                nn.Sequential(nn.ReLU(), nn.Tanh())])
        holder = nn.Module()
        holder.params = nn.ParameterList([nn.Parameter(lib.ones(2, 3)),
                                          nn.Parameter(lib.tensor(1.0, dtype=lib.float64))])
        holder.one = nn.ParameterList([nn.Parameter(lib.ones(2))])
        holder.named = nn.ParameterDict({"a": nn.Parameter(lib.ones(4))})
        holder.layers = layers
        return [repr(m).replace("torch", "tinynet")
                for m in (layers, nn.ModuleList(), nn.ModuleList([nn.ReLU()]), holder)]
    assert shown(tn) == shown(torch)


def test_a_module_list_prints_a_run_of_alike_children_on_one_line():
    layers = tn.nn.ModuleList([tn.nn.ReLU(), tn.nn.ReLU(), tn.nn.Tanh(), tn.nn.ReLU()])
    assert repr(layers) == ("ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n"
                            "  (3): ReLU()\n)")


def test_parameter_dict_operations():
    scales = tn.nn.ParameterDict([("a", tn.ones(2))])
    scales["b"] = tn.zeros(1)
    scales.update({"c": tn.ones(3)})
    assert list(scales) == ["a", "b", "c"] and "b" in scales and len(scales) == 3
    assert [k for k, _ in scales.items()] == scales.keys() and scales.get("z") is None
    assert scales.pop("b").shape == (1,) and scales.keys() == ["a", "c"]
    del scales["a"]
    assert scales.keys() == ["c"] and [n for n, _ in scales.named_parameters()] == ["c"]
    with pytest.raises(KeyError, match="ParameterDict: parameter name must be a non-empty "
                                       "string without '.', got 'x.y'"):
        scales["x.y"] = tn.zeros(1)
    with pytest.raises(KeyError, match="must not be an existing attribute, got 'keys'"):
        scales["keys"] = tn.zeros(1)
    with pytest.raises(KeyError):
        scales["missing"]


def test_state_dict_keep_vars_prefix_and_destination():
    layer = tn.nn.Linear(2, 2)
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
    assert layer.state_dict()["weight"] is not layer.weight
    assert list(layer.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]
    given = {"kept": 1}
    assert layer.state_dict(destination=given) is given and list(given) == ["kept", "weight",
                                                                             "bias"]


def test_dropout_keeps_inplace_and_a_cpu_tensor_has_device_minus_one():
    assert tn.nn.Dropout(0.2, inplace=True).inplace is True
    assert repr(tn.nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
    assert tn.ones(2).get_device() == -1


def test_parameter_dict_has_the_rest_of_a_dicts_methods():
    from collections import OrderedDict
    d = tn.nn.ParameterDict(OrderedDict([("a", tn.ones(1)), ("b", tn.zeros(2))]))
    assert list(reversed(d)) == ["b", "a"]
    key, value = d.popitem()
    assert key == "b" and value.shape == (2,) and list(d) == ["a"]
    assert d.setdefault("c", tn.ones(3)).shape == (3,)
    assert d.setdefault("c", tn.ones(5)).shape == (3,)  # there already
    merged = d | {"z": tn.ones(1)}
    assert list(merged) == ["a", "c", "z"] and merged["a"] is d["a"] and list(d) == ["a", "c"]
    assert list({"y": tn.ones(1)} | d) == ["y", "a", "c"]
    d |= {"q": tn.ones(1)}
    assert list(d) == ["a", "c", "q"]
    copy = d.copy()
    d.clear()
    assert len(d) == 0 and list(copy) == ["a", "c", "q"] and not list(d.parameters())
    shared = tn.nn.ParameterDict.fromkeys(["x", "y"], tn.ones(1))
    assert shared["x"] is shared["y"] and len(list(shared.parameters())) == 1
    with pytest.raises(KeyError, match="empty"):
        d.popitem()
