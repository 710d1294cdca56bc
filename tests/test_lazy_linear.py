"""LazyLinear and UninitializedParameter: shapes from the first input or a state_dict, the
switch to Linear, initialisation, optimizers made before the first call."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def test_first_call_reads_in_features_and_becomes_a_linear():
    layer = nn.LazyLinear(4)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert isinstance(layer.weight, nn.UninitializedParameter)
    y = layer(tn.ones(2, 3))
    assert y.shape == (2, 4)
    assert type(layer) is nn.Linear and type(layer.weight) is nn.Parameter
    assert repr(layer) == "Linear(in_features=3, out_features=4, bias=True)"
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    np.testing.assert_allclose(y.array, np.ones((2, 3)) @ layer.weight.array.T + layer.bias.array,
                               rtol=1e-6)


def test_initialisation_is_linears():
    tn.manual_seed(0)
    layer = nn.LazyLinear(300)
    layer(tn.zeros(1, 400))
    bound = 1 / math.sqrt(400)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.bias.array).max() <= bound
    assert layer.weight.array.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_d2l_pattern_initialising_by_type():
    def init_normal(module):
        if type(module) == nn.Linear:  # noqa: E721  (as d2l writes it)
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)

    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    net(tn.rand(2, 4))
    net.apply(init_normal)
    assert net[0].weight.array.std() < 0.05 and (net[2].bias.array == 0).all()


def test_uninitialised_shape_is_an_error_and_the_repr_says_so():
    layer = nn.LazyLinear(4)
    with pytest.raises(RuntimeError, match="can't access the shape of an uninitialized"):
        layer.weight.shape  # noqa: B018
    assert repr(layer.weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="uninitialized"):
        nn.init.normal_(layer.weight)


def test_load_state_dict_gives_shapes_and_values_before_any_call():
    source = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    clone = nn.Sequential(nn.LazyLinear(5), nn.ReLU(), nn.LazyLinear(2))
    clone.load_state_dict(source.state_dict())
    assert clone[0].weight.shape == (5, 3) and type(clone[0].weight) is nn.Parameter
    x = tn.randn(4, 3)
    np.testing.assert_array_equal(clone(x).array, source(x).array)  # values kept, not redrawn
    assert repr(clone[0]) == "Linear(in_features=3, out_features=5, bias=True)"


def test_an_optimizer_made_before_the_first_call_trains_it():
    layer = nn.LazyLinear(1, dtype=tn.float64)
    opt = tn.optim.SGD(layer.parameters(), lr=0.1)
    opt.step()  # no gradients yet: nothing moves, nothing fails
    x = tn.randn(8, 3, dtype=tn.float64)
    before = None
    for _ in range(2):
        opt.zero_grad()
        layer(x).sum().backward()
        before = layer.weight.array.copy()
        opt.step()
    assert not np.array_equal(before, layer.weight.array)


def test_without_bias_and_with_a_dtype():
    layer = nn.LazyLinear(2, bias=False, dtype=tn.float64)
    assert layer.bias is None
    assert layer(tn.ones(1, 5, dtype=tn.float64)).dtype == np.float64
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_input_must_be_a_tensor():
    layer = nn.LazyLinear(2)
    with pytest.raises(TypeError, match=r"LazyLinear: input must be a Tensor, got ndarray"):
        layer(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"LazyLinear: input must have at least 1 dimension, "
                                         r"got shape \(\)"):
        layer(tn.tensor(1.0))
    assert type(layer) is nn.LazyLinear  # nothing was materialised
    with pytest.raises(ValueError, match="out_features must be an integer >= 0, got -1"):
        nn.LazyLinear(-1)


def test_equals_pytorchs():
    torch = pytest.importorskip("torch")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's "lazy modules are a new feature"
        theirs = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.LazyLinear(2, bias=False))
    ours = nn.Sequential(nn.LazyLinear(4), nn.LazyLinear(2, bias=False))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    theirs(torch.tensor(x))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours(tn.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5)
    assert repr(ours) == repr(theirs)


def test_an_uninitialised_state_keeps_a_lazy_module_lazy():
    layer = nn.LazyLinear(3)
    layer.load_state_dict(nn.LazyLinear(3).state_dict())  # (0,) entries: nothing to load
    assert isinstance(layer.weight, nn.UninitializedParameter)
    assert layer(tn.ones(2, 4)).shape == (2, 3) and layer.weight.shape == (3, 4)
