"""Each module of tinynet.nn against its functional form: the same values and gradients
bit for bit, the same error for the same bad input, and a bad constructor argument refused
at construction under the module's name with the functional form's rule."""
import ast
import copy
import math
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F

NN = Path(__file__).resolve().parents[1] / "tinynet" / "nn"


def _x(*shape, seed=0):
    return tn.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32),
                     requires_grad=True)


def _probabilities(*shape):
    values = np.random.default_rng(0).uniform(0.05, 0.95, shape).astype(np.float32)
    return tn.tensor(values, requires_grad=True)


def _classes(*values):
    return tn.tensor(np.array(values, np.int64))


def _bn(m):
    return lambda x: F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias,
                                  m.training, m.momentum, m.eps)


# name: (module factory, its functional form given the module, good inputs, bad inputs)
# Every input is a function, so each call gets fresh leaves.
FORMS = {
    "ReLU": (nn.ReLU, lambda m: F.relu, lambda: (_x(4, 5),), []),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda m: lambda x: F.leaky_relu(x, 0.2),
                  lambda: (_x(4, 5),), []),
    "ELU": (lambda: nn.ELU(0.5), lambda m: lambda x: F.elu(x, 0.5), lambda: (_x(4, 5),), []),
    "GELU": (nn.GELU, lambda m: F.gelu, lambda: (_x(4, 5),), []),
    "GELU-tanh": (lambda: nn.GELU("tanh"), lambda m: lambda x: F.gelu(x, "tanh"),
                  lambda: (_x(4, 5),), []),
    "Sigmoid": (nn.Sigmoid, lambda m: F.sigmoid, lambda: (_x(4, 5),), []),
    "Tanh": (nn.Tanh, lambda m: F.tanh, lambda: (_x(4, 5),), []),
    "Softmax": (lambda: nn.Softmax(dim=0), lambda m: lambda x: F.softmax(x, 0),
                lambda: (_x(4, 5),), []),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), lambda m: lambda x: F.log_softmax(x, 1),
                   lambda: (_x(4, 5),), []),
    "SiLU": (nn.SiLU, lambda m: F.silu, lambda: (_x(4, 5),), []),
    "Mish": (nn.Mish, lambda m: F.mish, lambda: (_x(4, 5),), []),
    "Softplus": (lambda: nn.Softplus(2, 1.5), lambda m: lambda x: F.softplus(x, 2, 1.5),
                 lambda: (_x(4, 5),), []),
    "SELU": (nn.SELU, lambda m: F.selu, lambda: (_x(4, 5),), []),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 2), lambda m: lambda x: F.hardtanh(x, -0.5, 2),
                 lambda: (_x(4, 5),), []),
    "CELU": (lambda: nn.CELU(0.5), lambda m: lambda x: F.celu(x, 0.5), lambda: (_x(4, 5),), []),
    # in training each draws its slopes: the twin's generator is in the same state
    "RReLU": (lambda: nn.RReLU(0.1, 0.4, generator=np.random.default_rng(1)),
              lambda m: lambda x: F.rrelu(x, 0.1, 0.4, True, generator=m.generator),
              lambda: (_x(4, 5),), []),
    "RReLU-eval": (lambda: nn.RReLU(0.1, 0.4).eval(), lambda m: lambda x: F.rrelu(x, 0.1, 0.4),
                   lambda: (_x(4, 5),), []),
    "Softshrink": (lambda: nn.Softshrink(0.3), lambda m: lambda x: F.softshrink(x, 0.3),
                   lambda: (_x(4, 5),), []),
    "Hardshrink": (lambda: nn.Hardshrink(0.3), lambda m: lambda x: F.hardshrink(x, 0.3),
                   lambda: (_x(4, 5),), []),
    "Tanhshrink": (nn.Tanhshrink, lambda m: F.tanhshrink, lambda: (_x(4, 5),), []),
    "Softmin": (lambda: nn.Softmin(dim=0), lambda m: lambda x: F.softmin(x, 0),
                lambda: (_x(4, 5),), []),
    "GLU": (lambda: nn.GLU(dim=0), lambda m: lambda x: F.glu(x, 0), lambda: (_x(4, 5),),
            [lambda: (tn.zeros(3, 4),), lambda: (tn.zeros(()),)]),
    "PReLU": (lambda: nn.PReLU(5, init=0.1), lambda m: lambda x: F.prelu(x, m.weight),
              lambda: (_x(4, 5, 3),),
              [lambda: (_x(4, 6),), lambda: (tn.zeros(4, 5, dtype=tn.float64),)]),
    "Linear": (lambda: nn.Linear(5, 3), lambda m: lambda x: F.linear(x, m.weight, m.bias),
               lambda: (_x(2, 4, 5),),
               [lambda: (np.zeros((4, 5), np.float32),), lambda: (tn.zeros(4, 6),),
                lambda: (tn.tensor(1.0),), lambda: (tn.zeros(4, 5, dtype=tn.float64),)]),
    "LayerNorm": (lambda: nn.LayerNorm((2, 5)),
                  lambda m: lambda x: F.layer_norm(x, (2, 5), m.weight, m.bias),
                  lambda: (_x(3, 2, 5),),
                  [lambda: (tn.zeros(3, 5, 2),), lambda: (tn.zeros(2, 5, dtype=tn.float64),)]),
    "BatchNorm1d-train": (lambda: nn.BatchNorm1d(5), _bn, lambda: (_x(8, 5, 3),),
                          [lambda: (np.zeros((8, 5)),), lambda: (tn.zeros(8),),
                           lambda: (tn.zeros(8, 4),), lambda: (tn.zeros(1, 5),),
                           lambda: (tn.zeros(8, 5, dtype=tn.float64),)]),
    "BatchNorm1d-eval": (lambda: nn.BatchNorm1d(5).eval(), _bn, lambda: (_x(8, 5),),
                         [lambda: (tn.zeros(8, 4),)]),
    "Dropout": (lambda: nn.Dropout(0.3, generator=np.random.default_rng(1)),
                lambda m: lambda x: F.dropout(x, 0.3, generator=m.generator),
                lambda: (_x(40, 5),), [lambda: (tn.zeros(3, dtype=tn.int64),)]),
    "Embedding": (lambda: nn.Embedding(6, 3, padding_idx=1),
                  lambda m: lambda i: F.embedding(i, m.weight, 1),
                  lambda: (_classes(1, 5, 5, 0),),
                  [lambda: (_classes(6),), lambda: (tn.tensor([1.0]),)]),
    "CrossEntropyLoss": (lambda: nn.CrossEntropyLoss(label_smoothing=0.1),
                         lambda m: lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
                         lambda: (_x(3, 4), _classes(0, 3, 1)),
                         [lambda: (np.zeros((3, 4)), _classes(0, 3, 1)),
                          lambda: (tn.zeros(3, 4), _classes(0, 4, 1))]),
    "NLLLoss": (nn.NLLLoss, lambda m: F.nll_loss, lambda: (_x(3, 4), _classes(0, 3, 1)),
                [lambda: (tn.zeros(3, 4), _classes(0, 1))]),
    "BCELoss": (lambda: nn.BCELoss(weight=tn.tensor([1.0, 2.0, 0.5, 1.0]), reduction="sum"),
                lambda m: lambda x, y: F.binary_cross_entropy(x, y, m.weight, "sum"),
                lambda: (_probabilities(3, 4), tn.full((3, 4), 0.25)),
                [lambda: (tn.full((3, 4), 1.5), tn.zeros(3, 4)),
                 lambda: (tn.full((3, 4), 0.5), tn.zeros(3, 5))]),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, lambda m: F.binary_cross_entropy_with_logits,
                          lambda: (_x(3, 4), tn.full((3, 4), 0.25)),
                          [lambda: (tn.zeros(3, 4), tn.full((3, 4), 2.0))]),
    "MSELoss": (lambda: nn.MSELoss("sum"), lambda m: lambda x, y: F.mse_loss(x, y, "sum"),
                lambda: (_x(3, 4), tn.ones(3, 4)), [lambda: (tn.zeros(3, 4), tn.zeros(4))]),
    "L1Loss": (nn.L1Loss, lambda m: F.l1_loss, lambda: (_x(3, 4), tn.ones(3, 4)),
               [lambda: (np.zeros(3), tn.zeros(3))]),
    "SmoothL1Loss": (lambda: nn.SmoothL1Loss("none", beta=0.5),
                     lambda m: lambda x, y: F.smooth_l1_loss(x, y, "none", 0.5),
                     lambda: (_x(3, 4), tn.ones(3, 4)), [lambda: (tn.zeros(3), tn.zeros(4))]),
    "HuberLoss": (lambda: nn.HuberLoss(delta=0.5),
                  lambda m: lambda x, y: F.huber_loss(x, y, delta=0.5),
                  lambda: (_x(3, 4), tn.ones(3, 4)), [lambda: (tn.zeros(3), tn.zeros(4))]),
    "KLDivLoss": (lambda: nn.KLDivLoss("batchmean", log_target=True),
                  lambda m: lambda x, y: F.kl_div(x, y, "batchmean", True),
                  lambda: (_x(3, 4), _x(3, 4)), [lambda: (tn.zeros(3), tn.zeros(4))]),
}


def _run(fn, inputs):
    """``fn``'s value, and the gradients of a fixed weighting of it with respect to the
    float inputs."""
    y = fn(*inputs)
    upstream = np.random.default_rng(7).standard_normal(y.shape).astype(y.dtype)
    (y * tn.tensor(upstream)).sum().backward()
    return [y.array] + [x.grad.array for x in inputs if x.requires_grad]


@pytest.mark.parametrize("name", FORMS)
def test_module_and_functional_form_give_the_same_bits(name):
    make, functional, inputs, _ = FORMS[name]
    module = make()
    twin = copy.deepcopy(module)  # the same parameters, buffers and generator state
    ours, theirs = _run(module, inputs()), _run(functional(twin), inputs())
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    for (key, a), (_, b) in zip(module.state_dict().items(), twin.state_dict().items()):
        if key != "num_batches_tracked":  # the module's own count: F has none
            np.testing.assert_array_equal(a.array, b.array)
    for p, q in zip(module.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p.grad.array, q.grad.array)


BAD = [(name, i) for name, (*_, bad) in FORMS.items() for i in range(len(bad))]


@pytest.mark.parametrize("name, i", BAD)
def test_module_and_functional_form_raise_the_same_error(name, i):
    make, functional, _, bad = FORMS[name]
    module = make()
    state = copy.deepcopy(module.state_dict())
    with pytest.raises(Exception) as from_module:
        module(*bad[i]())
    with pytest.raises(Exception) as from_function:
        functional(copy.deepcopy(module))(*bad[i]())
    assert type(from_module.value) is type(from_function.value)
    assert str(from_module.value) == str(from_function.value)
    for key, value in module.state_dict().items():  # a refused input changes nothing
        np.testing.assert_array_equal(value.array, state[key].array)


def test_sequential_still_names_the_layer_before_the_functional_message():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(6, 1))
    with pytest.raises(ValueError) as info:
        model(tn.zeros(3, 2))
    with pytest.raises(ValueError) as alone:
        model[2](tn.zeros(3, 8))
    assert str(info.value) == f"Sequential: layer (2): {alone.value}"


# (RReLU in training: its derivative is evaluation mode's, its op saved the drawn slopes)
@pytest.mark.parametrize("name", [n for n in FORMS if hasattr(FORMS[n][0](), "derivative")
                                  and n != "RReLU"])
@pytest.mark.parametrize("fast", [True, False])
def test_an_activation_declares_the_function_its_functional_form_runs(name, fast):
    """The Monitor reads ``module.op``'s context: it must be what the forward ran."""
    make, _, inputs, _ = FORMS[name]
    module = make()
    with tn.fast_paths(fast):
        (x,) = inputs()
        y = module(x)
    assert isinstance(y.grad_fn, module.op)
    np.testing.assert_array_equal(y.grad_fn.saved_derivative(y.grad_fn),
                                  module.derivative(x.array, y.array))


X, Y = tn.zeros(2, 3), _classes(0, 1)  # a fine input and class-index target
# (module construction, the same argument given to the functional form, error)
SAME_RULE = [
    (lambda: nn.GELU(approximate="erf"), lambda: F.gelu(X, approximate="erf"), ValueError),
    (lambda: nn.Softplus(beta=0), lambda: F.softplus(X, beta=0), ValueError),
    (lambda: nn.Softplus(threshold=math.inf), lambda: F.softplus(X, threshold=math.inf),
     ValueError),
    # (Hardtanh's bounds: the module needs min_val < max_val, the function min_val <=
    # max_val, as PyTorch's: tests/test_activations.py)
    (lambda: nn.Hardtanh("a"), lambda: F.hardtanh(X, "a"), TypeError),
    (lambda: nn.CELU(0.0), lambda: F.celu(X, 0.0), ValueError),
    (lambda: nn.RReLU(0.5, 0.1), lambda: F.rrelu(X, 0.5, 0.1), ValueError),
    (lambda: nn.RReLU(generator=1), lambda: F.rrelu(X, generator=1), TypeError),
    (lambda: nn.Softshrink(-0.5), lambda: F.softshrink(X, -0.5), ValueError),
    (lambda: nn.Hardshrink(math.nan), lambda: F.hardshrink(X, math.nan), ValueError),
    (lambda: nn.Dropout(1.5), lambda: F.dropout(X, 1.5), ValueError),
    (lambda: nn.Embedding(5, 2, padding_idx=5),
     lambda: F.embedding(_classes(0), tn.zeros(5, 2), padding_idx=5), ValueError),
    (lambda: nn.LayerNorm((3, 0)), lambda: F.layer_norm(X, (3, 0)), ValueError),
    (lambda: nn.BatchNorm1d(3, eps=-1.0), lambda: F.batch_norm(X, None, None, eps=-1.0),
     ValueError),
    (lambda: nn.BatchNorm1d(3, momentum=2.0),
     lambda: F.batch_norm(X, None, None, training=True, momentum=2.0), ValueError),
    (lambda: nn.CrossEntropyLoss(reduction="avg"),
     lambda: F.cross_entropy(X, Y, reduction="avg"), ValueError),
    (lambda: nn.CrossEntropyLoss(label_smoothing=1.5),
     lambda: F.cross_entropy(X, Y, label_smoothing=1.5), ValueError),
    (lambda: nn.NLLLoss(reduction="avg"), lambda: F.nll_loss(X, Y, reduction="avg"),
     ValueError),
    (lambda: nn.BCELoss(reduction="avg"),
     lambda: F.binary_cross_entropy(X, X, reduction="avg"), ValueError),
    (lambda: nn.BCEWithLogitsLoss(reduction=None),
     lambda: F.binary_cross_entropy_with_logits(X, X, reduction=None), ValueError),
    (lambda: nn.MSELoss("avg"), lambda: F.mse_loss(X, X, "avg"), ValueError),
    (lambda: nn.L1Loss("avg"), lambda: F.l1_loss(X, X, "avg"), ValueError),
    (lambda: nn.SmoothL1Loss(beta=-1.0), lambda: F.smooth_l1_loss(X, X, beta=-1.0),
     ValueError),
    (lambda: nn.HuberLoss(delta=0.0), lambda: F.huber_loss(X, X, delta=0.0), ValueError),
]


def _message(call, error):
    with pytest.raises(error) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("build, call, error", SAME_RULE)
def test_a_bad_argument_fails_at_construction_with_the_functional_forms_rule(build, call,
                                                                             error):
    built, called = _message(build, error), _message(call, error)
    module, rule = built.split(": ", 1)
    function, same_rule = called.split(": ", 1)
    assert module in nn.__all__ and function in F.__all__  # each names what was called
    assert rule == same_rule
    assert " must be " in rule and ", got " in rule


@pytest.mark.parametrize("build, error, message", [
    (lambda: nn.PReLU(0), ValueError, "PReLU: num_parameters must be an integer >= 1, got 0"),
    (lambda: nn.PReLU(init=math.nan), ValueError, "PReLU: init must be a finite number, got nan"),
    (lambda: nn.Linear(-1, 2), ValueError, "Linear: in_features must be an integer >= 0, got -1"),
    (lambda: nn.LazyLinear(2.0), TypeError, "LazyLinear: out_features must be an integer >= 0"),
    (lambda: nn.Embedding(5, -2), ValueError, "Embedding: embedding_dim must be an integer >= 0"),
    (lambda: nn.BatchNorm1d(0), ValueError, "BatchNorm1d: num_features must be an integer >= 1"),
    (lambda: nn.Flatten(start_dim=1.5), TypeError, "Flatten: start_dim must be an integer"),
    (lambda: nn.Unflatten(1, (2, -3)), ValueError,
     "Unflatten: unflattened_size must be an integer >= -1, got -3"),
])
def test_a_bad_constructor_argument_fails_at_construction_under_the_modules_name(
        build, error, message):
    assert _message(build, error).startswith(message)


def test_a_refused_batch_is_not_counted():
    bn = nn.BatchNorm1d(3, momentum=None)
    bn(_x(4, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(tn.zeros(1, 3))
    assert bn.num_batches_tracked.item() == 1
    mean = bn.running_mean.array.copy()
    bn(_x(4, 3, seed=1))  # the cumulative average of two batches
    expected = (mean + _x(4, 3, seed=1).array.mean(axis=0)) / 2
    np.testing.assert_allclose(bn.running_mean.array, expected, rtol=1e-6)


def test_no_module_runs_an_op_itself():
    """Modules call tinynet.nn.functional; only the functional files name ``Op.apply``."""
    calls = []
    for path in sorted(NN.glob("*.py")):
        if path.name in ("functional.py", "_checks.py") or path.name.startswith("_functional"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # ops.Linear.apply, self.op.apply (Module.apply, a tree walk, is no op)
            if isinstance(node, ast.Attribute) and node.attr == "apply" and \
                    isinstance(node.value, ast.Attribute) and (node.value.attr == "op" or (
                        isinstance(node.value.value, ast.Name) and node.value.value.id == "ops")):
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


# ---- the in-place activations: F.relu_ and the like ---------------------------------------
IN_PLACE = {"relu_": (), "elu_": (0.5,), "leaky_relu_": (0.2,), "hardtanh_": (-0.5, 1.0),
            "selu_": (), "celu_": (2.0,), "rrelu_": (0.1, 0.3, False), "threshold_": (0.1, 20.0)}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_an_in_place_activation_writes_the_out_of_place_values_into_its_input(name):
    args = IN_PLACE[name]
    x = tn.tensor(np.array([-2.0, -0.5, 0.0, 0.05, 0.7, 3.0], dtype=np.float32))
    expected = getattr(F, name[:-1])(x, *args).array.copy()
    before = x.array
    assert getattr(F, name)(x, *args) is x
    assert x.array is before  # outside the graph: into its own array
    np.testing.assert_array_equal(x.array, expected)
    leaf = tn.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in "
                                           "an in-place operation"):
        getattr(F, name)(leaf, *args)


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_activations_match_pytorch_in_a_graph(name):
    torch = pytest.importorskip("torch")
    args, x0 = IN_PLACE[name], np.array([-2.0, -0.5, 0.0, 0.05, 0.7, 3.0])
    w, v = tn.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    h, g = w * 3.0, v * 3.0
    getattr(F, name)(h, *args)
    getattr(torch.nn.functional, name)(g, *args)
    np.testing.assert_allclose(h.array, g.detach().numpy(), rtol=1e-12)
    (h * h).sum().backward()
    (g * g).sum().backward()
    np.testing.assert_allclose(w.grad.array, v.grad.numpy(), rtol=1e-12)
