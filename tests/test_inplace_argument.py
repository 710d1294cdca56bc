"""The ``inplace`` argument of the activation and dropout modules: kept as the attribute
``inplace`` and printed as PyTorch prints it, for False and True; with True the result is
written into the input, which is returned (the same values and gradients as out of
place), as PyTorch does, and the state dict, pickling and the Monitor do not see it."""
import pickle

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn

# (name, the positional arguments before inplace): every module of PyTorch's that takes
# inplace (the list is checked whole against PyTorch's signatures below)
MODULES = [("ReLU", ()), ("LeakyReLU", ()), ("LeakyReLU", (0.2,)), ("ELU", ()),
           ("ELU", (0.5,)), ("CELU", ()), ("CELU", (2.5,)), ("SELU", ()), ("RReLU", ()),
           ("RReLU", (0.1, 0.3)), ("Hardtanh", ()), ("Hardtanh", (-2, 3)), ("ReLU6", ()),
           ("Threshold", (0.5, -1.0)), ("Threshold", (1, 2)), ("SiLU", ()), ("Mish", ()),
           ("Hardswish", ()), ("Hardsigmoid", ()), ("Dropout", ()), ("Dropout", (0.2,)),
           ("AlphaDropout", ()), ("AlphaDropout", (0.2,)), ("Dropout1d", ()), ("Dropout2d", ()),
           ("Dropout3d", ()), ("FeatureAlphaDropout", ())]
CASES = [(name, args, inplace) for name, args in MODULES for inplace in (False, True)]
# the input shapes of the dropouts of whole channels: (N, C, *) with 17 channels
CHANNELS = {"Dropout1d": (1, 17, 1), "Dropout2d": (1, 17, 1, 1), "Dropout3d": (1, 17, 1, 1, 1),
            "FeatureAlphaDropout": (1, 17, 1)}


def _ids(case):
    name, args, inplace = case
    return f"{name}{args}-inplace={inplace}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_repr_and_attribute_equal_pytorchs(case):
    torch = pytest.importorskip("torch")
    name, args, inplace = case
    ours = getattr(nn, name)(*args, inplace=inplace)
    theirs = getattr(torch.nn, name)(*args, inplace=inplace)
    assert repr(ours) == repr(theirs)
    assert ours.inplace is theirs.inplace is inplace


def test_every_pytorch_module_taking_inplace_that_tinynet_has_is_listed():
    torch = pytest.importorskip("torch")
    import inspect
    taking = {name for name in dir(torch.nn) if isinstance(getattr(torch.nn, name), type)
              and issubclass(getattr(torch.nn, name), torch.nn.Module)
              and "inplace" in inspect.signature(getattr(torch.nn, name)).parameters}
    assert {name for name in taking if hasattr(nn, name)} == {name for name, _ in MODULES}


def test_reprs_as_pytorch_prints_them():
    # the strings themselves, for a run without PyTorch
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU(inplace=True)) == "LeakyReLU(negative_slope=0.01, inplace=True)"
    assert repr(nn.ELU(inplace=True)) == "ELU(alpha=1.0, inplace=True)"
    assert repr(nn.Hardswish(inplace=True)) == "Hardswish()"  # PyTorch's prints no setting
    assert repr(nn.Dropout(inplace=True)) == "Dropout(p=0.5, inplace=True)"
    assert repr(nn.Sequential(nn.Linear(2, 2), nn.ReLU(True))) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n"
        "  (1): ReLU(inplace=True)\n)")


@pytest.mark.parametrize("case", [c for c in CASES if c[2]], ids=_ids)
def test_the_result_is_written_into_the_input_with_the_same_values_and_gradients(case):
    name, args, _ = case
    x0 = np.linspace(-4, 4, 17).reshape(CHANNELS.get(name, (17,)))
    weights = np.arange(17.0).reshape(x0.shape)
    outputs, grads = [], []
    for inplace in (False, True):
        module = getattr(nn, name)(*args, inplace=inplace)
        x = tn.tensor(x0, requires_grad=True)
        h = x * 1.0  # (a leaf that requires grad cannot change in place)
        _ = tn.manual_seed(0)  # the same slopes and masks for RReLU and the dropouts
        y = module(h)
        assert (y is h) is inplace
        # in place, h holds the result and the graph follows it: reading h reads y
        ((h if inplace else y) * tn.tensor(weights)).sum().backward()
        outputs.append(y.array)
        grads.append(x.grad.array)
    np.testing.assert_array_equal(outputs[0], outputs[1])
    np.testing.assert_array_equal(grads[0], grads[1])


def test_the_input_is_overwritten_as_pytorchs():
    x = tn.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0] and x._version == [1]
    z = tn.tensor([-1.0, 2.0])
    assert nn.ReLU()(z) is not z and z.tolist() == [-1.0, 2.0]
    h = tn.tensor([3.0, -1.0], requires_grad=True) * 2.0
    tn.nn.functional.relu(h, inplace=True)  # the statement form changes h
    (h * h).sum().backward()
    assert h.tolist() == [6.0, 0.0]
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in "
                                           "an in-place operation"):
        nn.ReLU(inplace=True)(tn.ones(2, requires_grad=True))


def test_a_residual_block_with_an_inplace_relu_matches_the_same_math_written_out():
    # h is overwritten by the ReLU, so the residual adds relu(h), as in PyTorch
    _ = tn.manual_seed(0)
    fc0, fc = nn.Linear(4, 4, dtype=tn.float64), nn.Linear(4, 4, dtype=tn.float64)
    x = tn.randn(3, 4, dtype=tn.float64)
    h = fc0(x)
    out = fc(nn.ReLU(inplace=True)(h)) + h
    out.sum().backward()
    grads = [p.grad.array.copy() for p in (*fc0.parameters(), *fc.parameters())]
    for p in (*fc0.parameters(), *fc.parameters()):
        p.grad = None
    r = fc0(x).relu()
    expected = fc(r) + r
    expected.sum().backward()
    np.testing.assert_allclose(out.array, expected.array, rtol=1e-15)
    for got, want in zip(grads, (p.grad.array for p in (*fc0.parameters(), *fc.parameters()))):
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_state_dict_and_pickling_are_unaffected():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Dropout(0.1, True),
                          nn.Linear(4, 2), nn.ELU(0.5, inplace=True))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    copy = pickle.loads(pickle.dumps(model))
    assert repr(copy) == repr(model)
    assert copy[1].inplace is True and copy[4].inplace is True
    x = tn.randn(5, 3)
    np.testing.assert_array_equal(copy.eval()(x).array, model.eval()(x).array)


def test_a_module_pickled_before_inplace_was_kept_reads_false():
    relu, elu = nn.ReLU(), nn.ELU(0.5)
    for module in (relu, elu):
        del vars(module)["inplace"]  # what such a pickle holds
    relu, elu = pickle.loads(pickle.dumps((relu, elu)))
    assert (relu.inplace, repr(relu)) == (False, "ReLU()")
    assert (elu.inplace, repr(elu)) == (False, "ELU(alpha=0.5)")


@pytest.mark.parametrize("frozen", [False, True], ids=["trained", "frozen first layer"])
def test_the_monitor_reads_the_same_numbers(frozen):
    # (with a frozen first layer the activation's input records no graph: the Monitor
    # computes f'(x) itself, from a copy of x taken before the activation overwrites it)
    results = []
    for inplace in (False, True):
        _ = tn.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.ELU(0.5, inplace=inplace),
                              nn.Linear(8, 8), nn.Hardswish(inplace=inplace), nn.Linear(8, 1))
        model[0].requires_grad_(not frozen)
        x = tn.randn(16, 3) * 3.0
        with tn.diagnostics.Monitor(model, every=1) as monitor:
            model(x).sum().backward()
            results.append(monitor.end_epoch()["layers"])
    assert results[0]["1"]["kind"] == "ELU" and results[0]["3"]["kind"] == "Hardswish"
    assert results[0]["1"]["saturation_rate"] > 0  # (so a wrong f' would show)
    assert repr(results[0]) == repr(results[1])  # (a frozen layer's norms are nan)


FUNCTIONAL_CALLS = {  # F's forms with inplace=True (the dropouts at p = 1 or in eval)
    "relu": lambda F, y: F.relu(y, inplace=True),
    "leaky_relu": lambda F, y: F.leaky_relu(y, 0.2, inplace=True),
    "elu": lambda F, y: F.elu(y, 0.5, inplace=True),
    "silu": lambda F, y: F.silu(y, inplace=True),
    "mish": lambda F, y: F.mish(y, inplace=True),
    "selu": lambda F, y: F.selu(y, inplace=True),
    "hardtanh": lambda F, y: F.hardtanh(y, -1.0, 1.0, inplace=True),
    "relu6": lambda F, y: F.relu6(y, inplace=True),
    "hardsigmoid": lambda F, y: F.hardsigmoid(y, inplace=True),
    "hardswish": lambda F, y: F.hardswish(y, inplace=True),
    "threshold": lambda F, y: F.threshold(y, 1.0, -3.0, inplace=True),
    "celu": lambda F, y: F.celu(y, 0.7, inplace=True),
    "rrelu": lambda F, y: F.rrelu(y, inplace=True),
    "dropout p=1": lambda F, y: F.dropout(y, 1.0, True, inplace=True),
    "dropout in eval": lambda F, y: F.dropout(y, 0.5, False, inplace=True),
}


@pytest.mark.parametrize("name", FUNCTIONAL_CALLS)
def test_functional_inplace_forms_equal_pytorchs(name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        x = lib.tensor(np.array([-1.5, 0.5, 2.0, 7.0]), requires_grad=True)
        y = x * 2
        out = FUNCTIONAL_CALLS[name](lib.nn.functional, y)
        (y * lib.tensor(np.array([1.0, 2.0, 3.0, 4.0]))).sum().backward()  # reads y
        results.append((out is y, y.detach().numpy(), x.grad.numpy()))
    (same, values, grad), (same_ref, values_ref, grad_ref) = results
    assert same is same_ref is True
    np.testing.assert_allclose(values, values_ref, rtol=1e-15)
    # (PyTorch's float64 backward of hardsigmoid and celu uses a float32 constant)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-7)
