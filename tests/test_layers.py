"""Layers: Linear (shape, default init, errors), LayerNorm (forward, gradcheck), and every
activation and loss module against its functional form and closed form."""
import math
import warnings

import numpy as np
import pytest
from scipy.special import erf

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F


def _randn(*shape, seed=0, scale=1.0):
    data = scale * np.random.default_rng(seed).standard_normal(shape)
    return tn.tensor(data, dtype=tn.float64, requires_grad=True)


# ---- Linear ----------------------------------------------------------------------------------
def test_linear_parameter_shapes_and_dtype():
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert nn.Linear(5, 3, bias=False).bias is None
    assert [name for name, _ in nn.Linear(5, 3, bias=False).named_parameters()] == ["weight"]
    assert nn.Linear(5, 3, dtype=tn.float64).weight.dtype == np.float64


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    tn.manual_seed(0)
    layer = nn.Linear(400, 500)
    bound = 1 / math.sqrt(400)  # 0.05
    w, b = layer.weight.array.astype(np.float64), layer.bias.array.astype(np.float64)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.999 * bound  # the bound is reached, not a narrower range
    # U(-a, a): mean 0, std a/√3, and each tenth of the range holds a tenth of the weights
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    counts, _ = np.histogram(w, bins=10, range=(-bound, bound))
    np.testing.assert_allclose(counts / w.size, 0.1, atol=0.005)


def test_linear_forward_matches_numpy_for_1d_2d_and_3d_input():
    layer = nn.Linear(4, 3).double()
    W, b = layer.weight.array, layer.bias.array
    for shape in [(4,), (6, 4), (2, 5, 4)]:
        x = _randn(*shape)
        y = layer(x)
        assert y.shape == shape[:-1] + (3,)
        np.testing.assert_allclose(y.array, x.array @ W.T + b, rtol=1e-12)


def test_linear_gradcheck():
    layer = nn.Linear(4, 3).double()
    x = _randn(2, 5, 4)
    assert tn.gradcheck(lambda x, W, b: F.linear(x, W, b), (x, layer.weight, layer.bias))
    assert tn.gradcheck(lambda x: layer(x), (_randn(6, 4),))


def test_linear_wrong_width_names_the_weight_expected_and_received():
    layer = nn.Linear(4, 3)
    with pytest.raises(ValueError) as info:
        layer(tn.zeros(8, 5))
    message = str(info.value)
    assert message.startswith("linear: input must have 4 features in its last dimension")
    assert "(out_features, in_features) = (3, 4)" in message
    assert "got 5" in message and "(8, 5)" in message


def test_linear_wrong_width_inside_sequential_names_the_layer_index():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(6, 1))
    with pytest.raises(ValueError) as info:
        model(tn.zeros(3, 2))
    message = str(info.value)
    assert message.startswith("Sequential: layer (2): linear: input must have 6 features")
    assert "(out_features, in_features) = (1, 6)" in message and "got 8" in message


def test_linear_dtype_mismatch_says_how_to_fix_it():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"linear: input must have the weight's dtype float32, "
                                        r"got float64; convert one: x\.float\(\) or "
                                        r"model\.double\(\)"):
        layer(tn.zeros(1, 2, dtype=tn.float64))
    with pytest.raises(TypeError, match=r"dtype float64, got float32; convert one: "
                                        r"x\.double\(\) or model\.float\(\)"):
        layer.double()(tn.zeros(1, 2))


def test_identity_returns_its_input():
    x = tn.ones(2, 3)
    assert nn.Identity(54, unused="x")(x) is x
    assert list(nn.Identity().parameters()) == []


# ---- LayerNorm ----------------------------------------------------------------------------
def _layer_norm_reference(x, dims, eps, w=None, b=None):
    axes = tuple(range(x.ndim - dims, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)  # biased, as PyTorch
    y = (x - mean) / np.sqrt(var + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def test_layer_norm_parameters_start_at_ones_and_zeros():
    norm = nn.LayerNorm((2, 3))
    np.testing.assert_array_equal(norm.weight.array, np.ones((2, 3)))
    np.testing.assert_array_equal(norm.bias.array, np.zeros((2, 3)))
    assert list(nn.LayerNorm(3, elementwise_affine=False).parameters()) == []
    assert [n for n, _ in nn.LayerNorm(3, bias=False).named_parameters()] == ["weight"]


@pytest.mark.parametrize("shape, normalized", [((4, 5), 5), ((2, 3, 4), (3, 4))])
def test_layer_norm_forward_matches_numpy(shape, normalized):
    norm = nn.LayerNorm(normalized, eps=1e-3).double()
    rng = np.random.default_rng(1)
    with tn.no_grad():
        norm.weight.array[...] = rng.standard_normal(norm.weight.shape)
        norm.bias.array[...] = rng.standard_normal(norm.bias.shape)
    x = _randn(*shape, scale=10.0)
    dims = 1 if isinstance(normalized, int) else len(normalized)
    expected = _layer_norm_reference(x.array, dims, 1e-3, norm.weight.array, norm.bias.array)
    np.testing.assert_allclose(norm(x).array, expected, rtol=1e-10, atol=1e-12)


def test_layer_norm_gradcheck_with_affine_parameters():
    norm = nn.LayerNorm(5).double()
    rng = np.random.default_rng(2)
    with tn.no_grad():
        norm.weight.array[...] = rng.standard_normal(5)
        norm.bias.array[...] = rng.standard_normal(5)
    x = _randn(3, 5, scale=3.0)
    assert tn.gradcheck(lambda x, w, b: F.layer_norm(x, 5, w, b), (x, norm.weight, norm.bias))
    assert tn.gradcheck(lambda x: norm(x), (_randn(2, 3, 5),))


def test_layer_norm_constant_row_is_finite_with_correct_gradient():
    norm = nn.LayerNorm(4).double()
    x = tn.tensor([[2.0, 2.0, 2.0, 2.0], [1.0, -3.0, 0.5, 2.0]], dtype=tn.float64,
                  requires_grad=True)
    y = norm(x)
    # a constant row has zero variance: x̂ = 0, so the output is the bias
    np.testing.assert_array_equal(y.array[0], np.zeros(4))
    assert tn.gradcheck(lambda x: norm(x), (x,))
    y.sum().backward()
    assert np.isfinite(x.grad.array).all()


def test_layer_norm_without_affine_parameters():
    norm = nn.LayerNorm(6, elementwise_affine=False)
    x = _randn(4, 6, scale=5.0)
    y = norm(x)
    np.testing.assert_allclose(y.array, _layer_norm_reference(x.array, 1, 1e-5), rtol=1e-10)
    np.testing.assert_allclose(y.array.mean(axis=1), 0, atol=1e-12)
    assert tn.gradcheck(lambda x: norm(x), (x,))


def test_layer_norm_dtype_mismatch_is_refused():
    with pytest.raises(TypeError, match=r"layer_norm: input must have the weight's dtype "
                                        r"float32, got float64; convert one: x\.float\(\)"):
        nn.LayerNorm(3)(tn.zeros(2, 3, dtype=tn.float64))
    assert nn.LayerNorm(3, elementwise_affine=False)(tn.ones(1, 3, dtype=tn.float64)).dtype \
        == np.float64  # no parameters: any float dtype


def test_layer_norm_wrong_trailing_shape_is_refused():
    with pytest.raises(ValueError, match=r"layer_norm: input must have trailing shape \(4,\) "
                                         r"\(normalized_shape\), got shape \(2, 5\)"):
        nn.LayerNorm(4)(tn.zeros(2, 5))


# ---- activations -----------------------------------------------------------------------------
def _phi(x):
    return 0.5 * (1 + erf(x / math.sqrt(2)))


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = [
    (nn.ReLU(), F.relu, lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(), F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.ELU(), F.elu, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
    (nn.ELU(alpha=0.5), lambda x: F.elu(x, 0.5),
     lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0)))),
    (nn.GELU(), F.gelu, lambda x: x * _phi(x)),
    (nn.GELU(approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    (nn.Sigmoid(), F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), F.tanh, np.tanh),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, dim=1), lambda x: _softmax(x, 1)),
    (nn.Softmax(dim=0), lambda x: F.softmax(x, dim=0), lambda x: _softmax(x, 0)),
    (nn.LogSoftmax(dim=1), lambda x: F.log_softmax(x, dim=1), lambda x: np.log(_softmax(x, 1))),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, dim=0), lambda x: np.log(_softmax(x, 0))),
]


@pytest.mark.parametrize("module, functional, reference", ACTIVATIONS,
                         ids=[repr(a[0]) for a in ACTIVATIONS])
def test_activation_module_equals_functional_and_closed_form(module, functional, reference):
    x = _randn(5, 7, scale=3.0)
    y = module(x)
    np.testing.assert_array_equal(y.array, functional(x).array)
    np.testing.assert_allclose(y.array, reference(x.array), rtol=1e-10, atol=1e-12)
    # the module's gradient is the functional's
    y.backward(tn.ones(5, 7, dtype=tn.float64))
    grad_module = x.grad.array.copy()
    x.grad = None
    functional(x).backward(tn.ones(5, 7, dtype=tn.float64))
    np.testing.assert_array_equal(grad_module, x.grad.array)


@pytest.mark.parametrize("shape, dim", [((4,), 0), ((3, 4), 1), ((2, 3, 4), 0),
                                        ((2, 3, 4, 5), 1)])
def test_softmax_without_dim_takes_pytorchs_implicit_dim_and_warns_at_the_callers_line(
        shape, dim):
    x = _randn(*shape)
    calls = [(lambda: nn.Softmax()(x), lambda: F.softmax(x, dim)),
             (lambda: nn.LogSoftmax()(x), lambda: F.log_softmax(x, dim)),
             (lambda: nn.Softmin()(x), lambda: F.softmin(x, dim)),
             (lambda: F.softmax(x), lambda: F.softmax(x, dim)),
             (lambda: F.log_softmax(x, None), lambda: F.log_softmax(x, dim)),
             (lambda: F.softmin(x), lambda: F.softmin(x, dim))]
    for implicit, explicit in calls:
        with pytest.warns(UserWarning, match="implicit dimension choice for .* has been "
                                             "deprecated") as caught:
            y = implicit()
        assert caught[0].filename == __file__  # the caller's line, module or function
        np.testing.assert_array_equal(y.array, explicit().array)


def test_activation_reprs_show_their_configuration():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


def test_gelu_refuses_an_unknown_approximation():
    with pytest.raises(ValueError, match="'sigmoid'"):
        nn.GELU(approximate="sigmoid")


# ---- losses ----------------------------------------------------------------------------------
def _logits_and_targets():
    logits = _randn(6, 4, seed=3, scale=2.0)
    target = tn.tensor([0, 3, 1, 1, 2, 0])
    return logits, target


def _cross_entropy_reference(z, t, w=None, smoothing=0.0):
    log_p = np.log(_softmax(z, 1))
    n, c = z.shape
    w = np.ones(c) if w is None else w
    q = (1 - smoothing) * np.eye(c)[t] + smoothing / c
    per_sample = -(q * w * log_p).sum(axis=1)  # PyTorch weights each class term
    return per_sample.sum() / w[t].sum()


@pytest.mark.parametrize("kwargs", [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1},
    {"weight": tn.tensor([1.0, 2.0, 0.5, 3.0], dtype=tn.float64)},
    {"label_smoothing": 0.1},
])
def test_cross_entropy_module_equals_functional(kwargs):
    logits, target = _logits_and_targets()
    loss = nn.CrossEntropyLoss(**kwargs)(logits, target)
    expected = F.cross_entropy(logits, target, **kwargs)
    np.testing.assert_array_equal(loss.array, expected.array)


def test_cross_entropy_matches_closed_form():
    logits, target = _logits_and_targets()
    z, t = logits.array, target.array
    w = np.array([1.0, 2.0, 0.5, 3.0])
    assert nn.CrossEntropyLoss()(logits, target).item() == pytest.approx(
        _cross_entropy_reference(z, t), rel=1e-12)
    weighted = nn.CrossEntropyLoss(weight=tn.tensor(w, dtype=tn.float64))(logits, target)
    assert weighted.item() == pytest.approx(_cross_entropy_reference(z, t, w), rel=1e-12)
    smoothed = nn.CrossEntropyLoss(label_smoothing=0.2)(logits, target)
    assert smoothed.item() == pytest.approx(_cross_entropy_reference(z, t, smoothing=0.2),
                                            rel=1e-12)
    # ignore_index=1 drops samples 2 and 3 from the sum and from the count
    keep = t != 1
    ignored = nn.CrossEntropyLoss(ignore_index=1)(logits, target)
    assert ignored.item() == pytest.approx(_cross_entropy_reference(z[keep], t[keep]), rel=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits, target = _logits_and_targets()
    nn.CrossEntropyLoss()(logits, target).backward()
    expected = (_softmax(logits.array, 1) - np.eye(4)[target.array]) / 6
    np.testing.assert_allclose(logits.grad.array, expected, rtol=1e-10, atol=1e-15)


def test_nll_loss_after_log_softmax_equals_cross_entropy():
    logits, target = _logits_and_targets()
    w = tn.tensor([0.5, 1.0, 2.0, 1.5], dtype=tn.float64)
    for kwargs in [{}, {"weight": w}, {"reduction": "sum"}, {"ignore_index": 0}]:
        nll = nn.NLLLoss(**kwargs)(nn.LogSoftmax(dim=1)(logits), target)
        np.testing.assert_array_equal(nll.array, F.nll_loss(F.log_softmax(logits, 1), target,
                                                           **kwargs).array)
        np.testing.assert_allclose(nll.array, F.cross_entropy(logits, target, **kwargs).array,
                                   rtol=1e-12)


def test_bce_with_logits_module_equals_functional_and_closed_form():
    z = _randn(5, 3, seed=4, scale=4.0)
    y = tn.tensor(np.random.default_rng(5).uniform(0, 1, (5, 3)), dtype=tn.float64)
    pos_weight = tn.tensor([1.0, 2.0, 0.5], dtype=tn.float64)
    for kwargs in [{}, {"reduction": "sum"}, {"pos_weight": pos_weight}]:
        loss = nn.BCEWithLogitsLoss(**kwargs)(z, y)
        np.testing.assert_array_equal(loss.array,
                                      F.binary_cross_entropy_with_logits(z, y, **kwargs).array)
    sig = 1 / (1 + np.exp(-z.array))
    per_element = -(pos_weight.array * y.array * np.log(sig) + (1 - y.array) * np.log(1 - sig))
    loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, y)
    assert loss.item() == pytest.approx(per_element.mean(), rel=1e-12)


def test_mse_loss_module_equals_functional_and_closed_form():
    x, target = _randn(4, 3, seed=6), tn.tensor(np.arange(12.0).reshape(4, 3))
    for reduction in ["mean", "sum", "none"]:
        loss = nn.MSELoss(reduction=reduction)(x, target)
        np.testing.assert_array_equal(loss.array, F.mse_loss(x, target, reduction).array)
    squared = (x.array - target.array) ** 2
    assert nn.MSELoss()(x, target).item() == pytest.approx(squared.mean(), rel=1e-12)
    assert nn.MSELoss("sum")(x, target).item() == pytest.approx(squared.sum(), rel=1e-12)


@pytest.mark.parametrize("loss", [nn.CrossEntropyLoss, nn.NLLLoss, nn.BCEWithLogitsLoss,
                                  nn.MSELoss])
def test_loss_modules_refuse_an_unknown_reduction(loss):
    with pytest.raises(ValueError, match="'average'"):
        loss(reduction="average")


def test_cross_entropy_loss_warns_once_about_probability_inputs():
    import warnings

    loss_fn = tn.nn.CrossEntropyLoss()
    probabilities = tn.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    with pytest.warns(UserWarning, match="look like probabilities"):
        loss_fn(probabilities, tn.tensor([0, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss_fn(probabilities, tn.tensor([0, 2]))  # once per module: silent now
        tn.nn.CrossEntropyLoss()(tn.tensor([[2.0, -1.0, 0.5]]), tn.tensor([0]))  # logits
        # rows in [0, 1] that do not sum to 1 are not probabilities
        tn.nn.CrossEntropyLoss()(tn.tensor([[0.5, 0.9, 0.1]]), tn.tensor([1]))


@pytest.mark.parametrize("module, x, expected", [
    (nn.LeakyReLU(0.2), [-1.0, 2.0], [0.2, 1.0]),
    (nn.ELU(alpha=0.5), [-1.0, 2.0], [0.5 * math.exp(-1.0), 1.0]),
    (nn.ReLU(), [-1.0, 2.0], [0.0, 1.0]),
    (nn.Tanh(), [0.0, 1.0], [1.0, 1 - math.tanh(1.0) ** 2]),
])
def test_activation_modules_know_their_derivative_with_their_settings(module, x, expected):
    z = np.array(x)
    np.testing.assert_allclose(module.derivative(z, module(tn.tensor(z)).array), expected,
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_layer_norm_of_rows_whose_squares_overflow_is_still_plus_minus_one(dtype):
    # float32 rows of ±1e19: Σx² passes 3.4e38, which gave r = 0 and an output of zeros
    big = 1e19 if dtype == tn.float32 else 1e160
    rows = np.array([[big, -big, big, -big], [1.0, 2.0, 3.0, 4.0], [3e37, -1e37, 1e37, -1e37]])
    x = tn.tensor(rows, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.layer_norm(x, (4,))
        (y * tn.tensor([1.0, -2.0, 0.5, 3.0], dtype=dtype)).sum().backward()
    # (x - μ)/√(σ² + ε) = (x/s - μ/s)/√(σ²/s² + ε/s²), in float64 from rows scaled to ±1
    s = np.abs(rows).max(axis=1, keepdims=True)
    centred = rows / s - (rows / s).mean(axis=1, keepdims=True)
    reference = centred / np.sqrt((centred ** 2).mean(axis=1, keepdims=True) + 1e-5 / s / s)
    np.testing.assert_allclose(y.array, reference, rtol=1e-5, atol=1e-6)
    assert np.isfinite(x.grad.array).all()
    # the gradient scales as 1/|row|: row 0's equals row 0 rescaled to ±1, divided by big
    x1 = tn.tensor(rows[:1] / big, dtype=tn.float64, requires_grad=True)
    (F.layer_norm(x1, (4,)) * tn.tensor([1.0, -2.0, 0.5, 3.0], dtype=tn.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.array[0] * big, x1.grad.array[0], rtol=1e-5)


def test_layer_norm_rows_with_inf_or_nan_stay_nan_and_others_are_untouched():
    rows = np.array([[np.nan, 1.0, 2.0], [np.inf, 0.0, 1.0], [1.0, 2.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.layer_norm(tn.tensor(rows), (3,)).array
    assert np.isnan(y[:2]).all()
    np.testing.assert_array_equal(y[2], F.layer_norm(tn.tensor(rows[2:]), (3,)).array[0])


def test_linear_given_an_array_names_the_input():
    layer = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"linear: input must be a Tensor, got ndarray "
                                        r"\(wrap an array with tinynet.tensor"):
        layer(np.ones((4, 3), np.float32))
