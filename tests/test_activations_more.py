"""CELU, RReLU, Softshrink, Hardshrink, Tanhshrink, Softmin and GLU, beyond the tables of
tests/test_activations.py and tests/test_nn_extra.py (closed forms over wide ranges,
finite differences, the derivative protocol, the Monitor for the elementwise ones):

  * the values and gradients at the kinks, PyTorch's choices;
  * RReLU's random slopes in training (in range, the gradient is the slope used,
    reproducible under ``tn.manual_seed``) and the mean slope in evaluation;
  * Softmin and GLU against their closed forms and finite differences;
  * bad arguments, each refused with its rule and value;
  * the top-level and Tensor forms PyTorch has (``tn.celu``, ``tn.rrelu``, their in-place
    ``_`` forms, ``tn.hardshrink``, ``x.hardshrink``);
  * properties over random shapes and values (hypothesis);
  * PyTorch's values and gradients in float32 and float64 (when torch is installed).
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

import tinynet as tn
from op_checks import away_from, rand
from tinynet import nn, ops
from tinynet.nn import functional as F

MEAN_SLOPE = (1 / 8 + 1 / 3) / 2  # RReLU's default evaluation slope


def leaf(values, dtype=tn.float64):
    return tn.tensor(values, dtype=dtype, requires_grad=True)


def value_and_grad(fn, values, dtype=tn.float64):
    """fn at ``values`` and the gradient of its sum: (y, dy/dx) as lists."""
    x = leaf(values, dtype)
    y = fn(x)
    y.sum().backward()
    return y.tolist(), x.grad.tolist()


# ---- the kinks: PyTorch's values and derivatives ------------------------------------------
# (function, inputs, outputs, derivatives), each worked out from the definitions (and
# PyTorch's: test_the_kinks_table_is_pytorchs)
KINKS = {
    # both branches have slope 1 at 0 for any α (e^(0/α) = 1)
    "celu": (lambda x: F.celu(x, 2.0), [0.0, -0.0, 1e-300, -1e-300],
             [0.0, -0.0, 1e-300, -1e-300], [1.0, 1.0, 1.0, 1.0]),
    "celu negative alpha": (lambda x: F.celu(x, -0.75), [0.0, -0.75 * math.log(2)],
                            [0.0, -0.75], [1.0, 2.0]),
    # the flat middle [-λ, λ] takes its ends: 0 at ±λ; nan passes the gradient
    "softshrink": (F.softshrink, [-0.5, 0.5, -0.25, 0.0, 0.75, np.nan],
                   [0.0, 0.0, 0.0, 0.0, 0.25, np.nan], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    "softshrink lambd=0": (lambda x: F.softshrink(x, 0.0), [-0.5, 0.0, 0.5],
                           [-0.5, 0.0, 0.5], [1.0, 0.0, 1.0]),
    "hardshrink": (F.hardshrink, [-0.5, 0.5, 0.25, -0.75, np.nan],
                   [0.0, 0.0, 0.0, -0.75, np.nan], [0.0, 0.0, 0.0, 1.0, 1.0]),
    "hardshrink lambd=0": (lambda x: F.hardshrink(x, 0.0), [-0.5, 0.0, 0.5],
                           [-0.5, 0.0, 0.5], [1.0, 0.0, 1.0]),
    # a negative λ empties [-λ, λ]: every x is kept; an infinite one drops every x
    "hardshrink lambd<0": (lambda x: F.hardshrink(x, -1.0), [-0.5, 0.0, 2.0],
                           [-0.5, 0.0, 2.0], [1.0, 1.0, 1.0]),
    "hardshrink lambd=inf": (lambda x: F.hardshrink(x, math.inf), [-1e300, 0.0, np.inf],
                             [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    "tanhshrink": (F.tanhshrink, [0.0], [0.0], [0.0]),
    # evaluation: LeakyReLU's choice, the slope at 0 and at nan
    "rrelu": (F.rrelu, [0.0, -1.0, 1.0, np.nan], [0.0, -MEAN_SLOPE, 1.0, np.nan],
              [MEAN_SLOPE, MEAN_SLOPE, 1.0, MEAN_SLOPE]),
}


@pytest.mark.parametrize("name", KINKS)
def test_values_and_derivatives_at_the_kinks_are_pytorchs(name):
    fn, x, y, slopes = KINKS[name]
    got_y, got_slopes = value_and_grad(fn, x)
    np.testing.assert_allclose(got_y, y, rtol=1e-15, atol=0)  # nan where y has nan
    np.testing.assert_allclose(got_slopes, slopes, rtol=1e-15, atol=0)


def test_signed_zeros_are_pytorchs():
    # CELU(-0) = α·expm1(-0) = -0; softshrink's zeros are x·0 in PyTorch (-0 for x < 0);
    # hardshrink's are +0
    zeros = [-0.0, 0.0, -0.25, 0.25]
    assert np.signbit(F.celu(tn.tensor(zeros[:2])).array).tolist() == [True, False]
    assert np.signbit(F.softshrink(tn.tensor(zeros)).array).tolist() == [True, False, True,
                                                                         False]
    assert not np.signbit(F.hardshrink(tn.tensor(zeros)).array).any()


# ---- RReLU: random slopes in training, their mean in evaluation ----------------------------
def test_rrelu_training_slopes_are_in_range_and_the_gradient_is_the_slope_used():
    lower, upper = 0.1, 0.4
    tn.manual_seed(0)
    x = leaf(np.concatenate([-np.linspace(0.5, 5, 5000), [0.0, -0.0], np.linspace(1, 3, 50)]))
    y = F.rrelu(x, lower, upper, training=True)
    y.backward(tn.ones_like(y))
    slopes = x.grad.array
    negative = x.array <= 0
    assert ((slopes[negative] >= lower) & (slopes[negative] <= upper)).all()
    assert (slopes[~negative] == 1).all()
    np.testing.assert_array_equal(y.array, x.array * slopes)  # y = a·x with that very a
    # 5002 draws from U(0.1, 0.4): they cover the range, their mean is the middle
    drawn = slopes[negative]
    assert drawn.min() < lower + 0.003 and drawn.max() > upper - 0.003
    assert abs(drawn.mean() - 0.25) < 4 * 0.3 / math.sqrt(12 * drawn.size)
    assert len(np.unique(drawn)) == drawn.size


@pytest.mark.parametrize("dtype", [tn.float16, tn.float32, tn.float64])
def test_rrelu_keeps_the_dtype_and_its_slopes_stay_in_range_after_rounding(dtype):
    x = tn.full((2000,), -1.0, dtype=dtype, requires_grad=True)
    y = F.rrelu(x, 0.2, 0.3, training=True)
    y.sum().backward()
    assert y.dtype == dtype and x.grad.dtype == dtype
    low, high = np.asarray(0.2, dtype), np.asarray(0.3, dtype)
    assert ((x.grad.array >= low) & (x.grad.array <= high)).all()


def test_rrelu_is_reproducible_under_manual_seed_and_draws_anew_at_each_call():
    x = -tn.ones(100)
    tn.manual_seed(7)
    first, second = F.rrelu(x, training=True), F.rrelu(x, training=True)
    tn.manual_seed(7)
    np.testing.assert_array_equal(F.rrelu(x, training=True).array, first.array)
    assert not np.array_equal(first.array, second.array)
    # the module in training draws from the same generator
    tn.manual_seed(7)
    np.testing.assert_array_equal(nn.RReLU()(x).array, first.array)
    # an explicit generator: a stream of its own, from uniform(lower, upper)
    g = tn.Generator().manual_seed(3)
    expected = -np.random.default_rng(3).uniform(1 / 8, 1 / 3, 100).astype(np.float32)
    np.testing.assert_array_equal(F.rrelu(x, training=True, generator=g).array, expected)


def test_rrelu_in_evaluation_is_leaky_relu_with_the_mean_slope():
    x = tn.tensor(rand(200, low=-10, high=10))
    module = nn.RReLU(0.1, 0.3)
    expected = F.leaky_relu(x, 0.2).array
    np.testing.assert_array_equal(module.eval()(x).array, expected)
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3).array, expected)  # training=False
    module.train()
    assert not np.array_equal(module(x).array, expected)
    # lower == upper: training draws that one slope
    np.testing.assert_array_equal(F.rrelu(x, 0.2, 0.2, training=True).array, expected)


def test_rrelu_accepts_negative_and_large_slopes_as_pytorch():
    x = tn.tensor([-2.0, 3.0])
    assert F.rrelu(x, -0.5, -0.1).tolist() == pytest.approx([0.6, 3.0])
    assert F.rrelu(x, 1.5, 2.5).tolist() == pytest.approx([-4.0, 3.0])


def _identity_linear(n):
    layer = nn.Linear(n, n)
    with tn.no_grad():
        layer.weight.copy_(tn.eye(n))
        layer.bias.zero_()
    return layer


def test_the_monitor_reads_the_slopes_rrelu_drew_in_training():
    # slopes in [0.01, 0.02], below 5.9% of the peak 1: exactly the negative inputs are
    # saturated, and none is dead (a slope is never 0)
    model = nn.Sequential(_identity_linear(4), nn.RReLU(0.01, 0.02), nn.Linear(4, 2))
    x = tn.tensor([[-1.0, 2.0, -3.0, 4.0], [5.0, -6.0, -7.0, 8.0]])
    with tn.diagnostics.Monitor(model, every=1) as monitor:
        model(x).sum().backward()
        layer = monitor.end_epoch()["layers"]["1"]
    assert layer["kind"] == "RReLU"
    assert layer["saturation_rate"] == 4 / 8 and layer["dead_rate"] == 0.0


def test_the_monitor_leaves_the_slopes_backward_uses_alone():
    # negative slopes: taking |f'| in place on the saved slopes would flip their sign
    act = nn.RReLU(-0.5, -0.1)
    model = nn.Sequential(_identity_linear(3), act)
    x = tn.tensor([[-1.0, -2.0, 3.0]], requires_grad=True)
    with tn.diagnostics.Monitor(model, every=1):
        y = model(x)
        y.sum().backward()
    slopes = x.grad.array
    assert (slopes[0, :2] < 0).all() and slopes[0, 2] == 1
    np.testing.assert_allclose(y.array, x.array * slopes, rtol=1e-6)


def test_glu_and_softmin_are_not_watched_as_softmax_is_not():
    assert not tn.diagnostics.is_activation(nn.GLU())
    assert not tn.diagnostics.is_activation(nn.Softmin(dim=1))
    model = nn.Sequential(nn.Linear(2, 4), nn.GLU(), nn.Softmin(dim=1), nn.CELU())
    with tn.diagnostics.Monitor(model, every=1) as monitor:
        model(tn.randn(3, 2)).sum().backward()
        assert sorted(monitor.end_epoch()["layers"]) == ["0", "3"]


# ---- Softmin and GLU ------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmin_is_its_closed_form_with_the_gradient_of_finite_differences(dim):
    x = rand(3, 4, 5, low=-20, high=20)
    expected = np.exp(-x) / np.exp(-x).sum(axis=dim, keepdims=True)
    np.testing.assert_allclose(F.softmin(tn.tensor(x), dim).array, expected, rtol=1e-12)
    np.testing.assert_allclose(F.softmin(tn.tensor(x), dim).array,
                               F.softmax(tn.tensor(-x), dim).array, rtol=1e-14)
    assert tn.gradcheck(lambda a: F.softmin(a, dim), (leaf(x),))


def test_softmin_dtype_casts_first():
    x = tn.tensor(rand(2, 3, 4))
    y = F.softmin(x.float(), 1, dtype=tn.float64)
    assert y.dtype == tn.float64
    np.testing.assert_allclose(y.array, F.softmin(x.float().double(), 1).array, rtol=1e-15)
    assert F.softmin(tn.tensor([1, 2]), 0, dtype=tn.float32).dtype == tn.float32
    with pytest.raises(TypeError, match="softmin: input must be a floating-point tensor, got "
                                        "int64"):
        F.softmin(tn.tensor([1, 2]), 0)  # as PyTorch, integers only with a dtype=
    assert F.softmin(tn.tensor(3.0), 0).item() == 1.0


def test_softmin_is_stable_and_warning_free_at_1e4():
    x = leaf([[-1e4, 1e4, 0.0], [1e4, 1e4, 1e4]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        y = F.softmin(x, 1)
        y[:, 0].sum().backward()
    np.testing.assert_allclose(y.array, [[1, 0, 0], [1 / 3] * 3], atol=1e-15)
    # d y₀/dx = -y₀(onehot(0) - y): row 0 saturated (0); row 1: -1/3·[2/3, -1/3, -1/3]
    np.testing.assert_allclose(x.grad.array, [[0, 0, 0], [-2 / 9, 1 / 9, 1 / 9]], atol=1e-15)


@pytest.mark.parametrize("shape, dim", [((3, 0), 1), ((0, 4), 0)])
def test_softmin_and_glu_of_empty_tensors_are_empty_as_pytorch(shape, dim):
    x = tn.zeros(*shape, requires_grad=True)
    y = F.softmin(x, dim)
    assert y.shape == shape
    (y.sum() + F.glu(x, dim).sum()).backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_glu_is_a_times_sigmoid_b_with_the_gradient_of_finite_differences(dim):
    x = rand(4, 6, 2, low=-8, high=8)
    a, b = np.split(x, 2, axis=dim)
    y = F.glu(tn.tensor(x), dim)
    np.testing.assert_allclose(y.array, a * expit(b), rtol=1e-12)
    expected = list(x.shape)
    expected[dim] //= 2
    assert y.shape == tuple(expected)
    assert tn.gradcheck(lambda t: F.glu(t, dim), (leaf(x),))


def test_glu_gradient_by_hand():
    # x = [a, b] = [2, 0]: y = 2·σ(0) = 1;  dy/da = σ(0) = 1/2, dy/db = 2·σ(0)(1 - σ(0)) = 1/2
    assert value_and_grad(F.glu, [2.0, 0.0]) == ([1.0], [0.5, 0.5])
    # σ(±1000) is exactly 1 or 0: no overflow, gradients 1 and 0
    assert value_and_grad(F.glu, [3.0, -5.0, 1000.0, -1000.0]) == ([3.0, -0.0],
                                                                  [1.0, 0.0, 0.0, 0.0])


def softmin(x):  # (along the last dim: without dim, softmin warns)
    return F.softmin(x, -1)


@pytest.mark.parametrize("dtype", [tn.float16, tn.float32, tn.float64])
@pytest.mark.parametrize("fn", [F.glu, softmin, F.celu, F.rrelu, F.softshrink, F.hardshrink,
                                F.tanhshrink], ids=lambda f: f.__name__)
def test_each_keeps_the_floating_dtype(fn, dtype):
    x = tn.tensor(rand(3, 4), dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    assert y.dtype == dtype and x.grad.dtype == dtype


@pytest.mark.parametrize("fn", [F.glu, F.celu, F.rrelu, F.softshrink, F.hardshrink],
                         ids=lambda f: f.__name__)
def test_integer_input_is_refused_as_pytorch(fn):
    with pytest.raises(TypeError, match=f"{fn.__name__}: input must be a floating-point tensor, "
                                        f"got int64"):
        fn(tn.tensor([[1, -2]]))


def test_tanhshrink_makes_integers_the_default_float_dtype_as_pytorch():
    assert F.tanhshrink(tn.tensor([[1, -2]])).dtype == tn.float32


# ---- bad arguments -------------------------------------------------------------------------
X = tn.zeros(2, 4)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.LeakyReLU("a"), TypeError,
     "LeakyReLU: negative_slope must be a finite number, got 'a'"),
    (lambda: F.leaky_relu(X, math.inf), ValueError,
     "leaky_relu: negative_slope must be a finite number, got inf"),
    (lambda: nn.ELU(alpha=math.nan), ValueError, "ELU: alpha must be a finite number, got nan"),
    (lambda: F.elu(X, "x"), TypeError, "elu: alpha must be a finite number, got 'x'"),
    (lambda: nn.LayerNorm(4, eps=-1.0), ValueError,
     "LayerNorm: eps must be a finite number >= 0, got -1.0"),
    (lambda: F.layer_norm(X, (4,), eps="x"), TypeError,
     "layer_norm: eps must be a finite number >= 0, got 'x'"),
    (lambda: F.layer_norm(X, (4,), eps=math.nan), ValueError,
     "layer_norm: eps must be a finite number >= 0, got nan"),
    (lambda: nn.CELU(0.0), ValueError,
     r"CELU: alpha must be a finite number other than 0 \(CELU divides by it\), got 0.0"),
    (lambda: F.celu(X, 0), ValueError, "celu: alpha must be a finite number other than 0"),
    (lambda: tn.celu(X, 0.0), ValueError, "celu: alpha must be a finite number other than 0"),
    (lambda: nn.CELU(math.inf), ValueError, "CELU: alpha must be a finite number, got inf"),
    (lambda: F.celu(X, "a"), TypeError, "celu: alpha must be a finite number, got 'a'"),
    (lambda: nn.RReLU(0.5, 0.1), ValueError,
     r"RReLU: lower must be <= upper \(the slopes are drawn from U\(lower, upper\)\), got "
     r"lower=0.5 and upper=0.1"),
    (lambda: F.rrelu(X, 0.5, 0.1, training=True), ValueError,
     "rrelu: lower must be <= upper"),
    (lambda: tn.rrelu(X, 0.5, 0.1), ValueError, "rrelu: lower must be <= upper"),
    (lambda: nn.RReLU(math.nan), ValueError, "RReLU: lower must be a finite number, got nan"),
    (lambda: nn.RReLU(generator=np.random.RandomState(0)), TypeError,
     "RReLU: generator must be a tinynet.Generator or a numpy.random.Generator, got "
     "numpy.random.mtrand.RandomState"),
    (lambda: nn.Softshrink(-0.5), ValueError,
     "Softshrink: lambd must be a finite number >= 0, got -0.5"),
    (lambda: F.softshrink(X, -0.5), ValueError,
     "softshrink: lambd must be a finite number >= 0, got -0.5"),
    (lambda: F.softshrink(X, math.inf), ValueError,
     "softshrink: lambd must be a finite number >= 0, got inf"),
    # the input's dtype must hold λ (PyTorch's rule): 1e5 overflows float16
    (lambda: F.softshrink(tn.zeros(2, dtype=tn.float16), 1e5), ValueError,
     r"softshrink: lambd must be within the range of the input's dtype float16 "
     r"\(\|lambd\| <= 65504\), got 100000.0"),
    (lambda: tn.zeros(2, dtype=tn.float16).hardshrink(-1e5), ValueError,
     r"hardshrink: lambd must be within the range of the input's dtype float16"),
    (lambda: nn.Hardshrink(math.nan), ValueError,
     r"Hardshrink: lambd must be a real number \(not nan\), got nan"),
    (lambda: tn.hardshrink(X, math.nan), ValueError,
     r"hardshrink: lambd must be a real number \(not nan\), got nan"),
    (lambda: X.hardshrink("a"), TypeError, "hardshrink: lambd must be a real number, got 'a'"),
    (lambda: F.glu(tn.zeros(2, 3)), ValueError,
     r"glu: the input's size along dim 1 must be even \(it is halved into a and b\), got 3 "
     r"\(input of shape \(2, 3\)\)"),
    (lambda: nn.GLU(dim=0)(tn.zeros(5, 2)), ValueError, "glu: the input's size along dim 0"),
    (lambda: F.glu(tn.tensor(1.0)), ValueError,
     r"glu: input must have at least 1 dimension, got shape \(\)"),
    (lambda: F.glu(X, 2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda: F.glu(X, 1.0), TypeError, "glu: dim must be an integer, got 1.0"),
    (lambda: F.softmin(X, 2), IndexError, "Dimension out of range"),
    (lambda: F.softmin(X, 1, dtype=tn.int64), TypeError,
     "softmin: dtype must be a floating-point dtype, got int64"),
])
def test_a_bad_argument_is_refused_with_its_rule_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- the top-level and Tensor forms --------------------------------------------------------
def test_top_level_and_tensor_forms_are_the_functional_forms():
    x = tn.tensor(rand(3, 4, low=-4, high=4))
    np.testing.assert_array_equal(tn.celu(x, 0.5).array, F.celu(x, 0.5).array)
    np.testing.assert_array_equal(tn.rrelu(x, 0.1, 0.3).array, F.rrelu(x, 0.1, 0.3).array)
    np.testing.assert_array_equal(tn.hardshrink(x, 1.0).array, F.hardshrink(x, 1.0).array)
    np.testing.assert_array_equal(x.hardshrink().array, F.hardshrink(x).array)
    # tn.rrelu's fifth argument is the generator (F.rrelu's is inplace)
    a = tn.rrelu(-tn.ones(5), 0.1, 0.3, True, tn.Generator().manual_seed(1))
    b = F.rrelu(-tn.ones(5), 0.1, 0.3, True, generator=tn.Generator().manual_seed(1))
    np.testing.assert_array_equal(a.array, b.array)


def test_in_place_forms_write_into_the_tensor_outside_the_graph():
    x = tn.tensor([-1.0, 0.5, 2.0])
    array, version = x.array, x._version[0]
    assert tn.celu_(x, 2.0) is x and x.array is array
    assert x._version[0] == version + 1  # a backward through a saved x would now raise
    np.testing.assert_array_equal(x.array, F.celu(tn.tensor([-1.0, 0.5, 2.0]), 2.0).array)
    tn.manual_seed(0)
    expected = F.rrelu(-tn.ones(4), training=True).array
    tn.manual_seed(0)
    y = -tn.ones(4)
    assert tn.rrelu_(y, training=True) is y
    np.testing.assert_array_equal(y.array, expected)
    with pytest.raises(TypeError, match="celu: input must be a floating-point tensor, got int64"):
        tn.celu_(tn.tensor([1, 2]))


def test_in_place_forms_inside_the_graph_record_the_op():
    w = tn.tensor([-1.0, 3.0], dtype=tn.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad"):
        tn.celu_(w)
    h = w * 1.0
    tn.celu_(h, 2.0)  # h is rebound to celu(w · 1)
    h.sum().backward()
    np.testing.assert_allclose(w.grad.array, [math.exp(-0.5), 1.0], rtol=1e-15)


# ---- properties over shapes and values -----------------------------------------------------
# name: (function, closed form of the value, closed form of the derivative)
ELEMENTWISE = {
    "celu": (lambda x: F.celu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x / 1.5)),
             lambda x: np.where(x > 0, 1, np.exp(x / 1.5))),
    "rrelu": (F.rrelu, lambda x: np.where(x > 0, x, MEAN_SLOPE * x),
              lambda x: np.where(x > 0, 1, MEAN_SLOPE)),
    "softshrink": (lambda x: F.softshrink(x, 0.7),
                   lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.7, 0),
                   lambda x: (np.abs(x) > 0.7).astype(float)),
    "hardshrink": (lambda x: F.hardshrink(x, 0.7), lambda x: np.where(np.abs(x) > 0.7, x, 0),
                   lambda x: (np.abs(x) > 0.7).astype(float)),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
}
OPS = {"celu": ops.CELU, "rrelu": ops.RReLU, "softshrink": ops.Softshrink,
       "hardshrink": ops.Hardshrink, "tanhshrink": ops.Tanhshrink}
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
VALUES = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


@settings(max_examples=30)
@given(name=st.sampled_from(sorted(ELEMENTWISE)),
       x=hnp.arrays(np.float64, SHAPES, elements=VALUES))
def test_elementwise_values_and_gradients_are_the_closed_forms(name, x):
    fn, value, derivative = ELEMENTWISE[name]
    x = away_from(x, [-0.7, 0.7])  # the shrinks' kinks (at 0 every derivative is defined)
    t = leaf(x)
    y = fn(t)
    assert y.shape == x.shape and isinstance(y.grad_fn, OPS[name])
    np.testing.assert_allclose(y.array, value(x), rtol=1e-12, atol=1e-15)
    saved = OPS[name].saved_derivative(y.grad_fn)  # (backward frees what forward saved)
    y.backward(tn.ones_like(y))
    np.testing.assert_allclose(t.grad.array, derivative(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(saved, t.grad.array)  # what the Monitor reads


@settings(max_examples=30)
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1,
                                              max_side=4))
def test_glu_and_softmin_over_shapes(data, shape):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    shape = list(shape)
    shape[dim] *= 2  # GLU halves it
    x = data.draw(hnp.arrays(np.float64, tuple(shape), elements=VALUES), label="x")
    p = F.softmin(tn.tensor(x), dim).array
    np.testing.assert_allclose(p.sum(axis=dim), 1.0, rtol=1e-12)
    assert ((p >= 0) & (p <= 1)).all()
    a, b = np.split(x, 2, axis=dim)
    np.testing.assert_allclose(F.glu(tn.tensor(x), dim).array, a * expit(b), rtol=1e-12)
    v = np.random.default_rng(0).standard_normal(a.shape)
    t = leaf(x)
    F.glu(t, dim).backward(tn.tensor(v))
    s = expit(b)
    # NOTE: atol: 1 - σ(b) cancels for large b (in PyTorch's backward too), so b's gradient
    # is accurate to ~1e-16·|g·a| absolutely, not relatively
    np.testing.assert_allclose(t.grad.array, np.concatenate([v * s, v * a * s * expit(-b)],
                                                            dim), rtol=1e-12, atol=1e-13)


# ---- against PyTorch -----------------------------------------------------------------------
@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny tensors: threads only add contention on a busy machine
    return torch


# float64 to 1e-12 relative, float32 to 1e-6; the absolute tolerances are for values near
# 0, where x - tanh(x) cancels (and PyTorch's gradient 1 - (1 - tanh²x) too) and so do
# softmin's gradients
TOLERANCES = {tn.float32: (1e-6, 1e-6), tn.float64: (1e-12, 1e-14)}


def check_against(torch, ours, theirs, x, dtype):
    a = tn.tensor(x, dtype=dtype, requires_grad=True)
    b = torch.tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    y, y_ref = ours(a), theirs(b)
    assert y.shape == tuple(y_ref.shape) and y.dtype == y_ref.detach().numpy().dtype
    rtol, atol = TOLERANCES[dtype]
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=atol)


WIDE = np.concatenate([rand(80, low=-12, high=12), [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, -40.0]])
# (ours, PyTorch's as a function of the torch module): CELU's α are floats whose reciprocal
# PyTorch's backward gets exactly (see docs/api.md: it rounds α to float32 first)
FORMS = [
    ("celu", lambda t: F.celu(t), lambda T: T.nn.functional.celu),
    ("celu alpha", lambda t: F.celu(t, 2.5), lambda T: lambda t: T.nn.functional.celu(t, 2.5)),
    ("celu negative alpha", lambda t: F.celu(t, -4.0),
     lambda T: lambda t: T.nn.functional.celu(t, -4.0)),
    ("tn.celu", lambda t: tn.celu(t, 0.5), lambda T: lambda t: T.celu(t, 0.5)),
    ("CELU", nn.CELU(0.25), lambda T: T.nn.CELU(0.25)),
    ("rrelu", lambda t: F.rrelu(t, 0.1, 0.4), lambda T: lambda t: T.nn.functional.rrelu(
        t, 0.1, 0.4)),
    ("tn.rrelu", tn.rrelu, lambda T: T.rrelu),
    ("RReLU eval", nn.RReLU().eval(), lambda T: T.nn.RReLU().eval()),
    ("softshrink", lambda t: F.softshrink(t, 1.5),
     lambda T: lambda t: T.nn.functional.softshrink(t, 1.5)),
    ("Softshrink", nn.Softshrink(), lambda T: T.nn.Softshrink()),
    ("hardshrink", F.hardshrink, lambda T: T.nn.functional.hardshrink),
    ("Tensor.hardshrink", lambda t: t.hardshrink(1.5), lambda T: lambda t: t.hardshrink(1.5)),
    ("tn.hardshrink", lambda t: tn.hardshrink(t, -1.0), lambda T: lambda t: T.hardshrink(t, -1.0)),
    ("Hardshrink", nn.Hardshrink(1.5), lambda T: T.nn.Hardshrink(1.5)),
    ("tanhshrink", F.tanhshrink, lambda T: T.nn.functional.tanhshrink),
    ("Tanhshrink", nn.Tanhshrink(), lambda T: T.nn.Tanhshrink()),
]


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("name, ours, theirs", FORMS, ids=[f[0] for f in FORMS])
def test_elementwise_against_pytorch(torch, name, ours, theirs, dtype):
    check_against(torch, ours, theirs(torch), WIDE.reshape(3, -1), dtype)


# KINKS' functions in PyTorch's words
THEIRS_AT_THE_KINKS = {
    "celu": lambda T: lambda t: T.nn.functional.celu(t, 2.0),
    "celu negative alpha": lambda T: lambda t: T.nn.functional.celu(t, -0.75),
    "softshrink": lambda T: T.nn.functional.softshrink,
    "softshrink lambd=0": lambda T: lambda t: T.nn.functional.softshrink(t, 0.0),
    "hardshrink": lambda T: T.nn.functional.hardshrink,
    "hardshrink lambd=0": lambda T: lambda t: T.nn.functional.hardshrink(t, 0.0),
    "hardshrink lambd<0": lambda T: lambda t: T.nn.functional.hardshrink(t, -1.0),
    "hardshrink lambd=inf": lambda T: lambda t: T.nn.functional.hardshrink(t, math.inf),
    "tanhshrink": lambda T: T.nn.functional.tanhshrink,
    "rrelu": lambda T: T.nn.functional.rrelu,
}


@pytest.mark.parametrize("name", KINKS)
def test_the_kinks_table_is_pytorchs(torch, name):
    _, x, y, slopes = KINKS[name]
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = THEIRS_AT_THE_KINKS[name](torch)(t)
    out.sum().backward()
    np.testing.assert_allclose(out.tolist(), y, rtol=1e-15, atol=0)
    np.testing.assert_allclose(t.grad.tolist(), slopes, rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_glu_and_softmin_against_pytorch(torch, dim, dtype):
    x = rand(4, 6, 2, low=-10, high=10)
    check_against(torch, lambda t: F.glu(t, dim), lambda t: torch.nn.functional.glu(t, dim), x,
                  dtype)
    check_against(torch, nn.GLU(dim), torch.nn.GLU(dim), x, dtype)
    check_against(torch, lambda t: F.softmin(t, dim),
                  lambda t: torch.nn.functional.softmin(t, dim), x, dtype)
    check_against(torch, nn.Softmin(dim), torch.nn.Softmin(dim), x, dtype)


def test_softmin_with_dtype_against_pytorch(torch):
    x = rand(3, 5)
    ours = F.softmin(tn.tensor(x, dtype=tn.float32), 1, dtype=tn.float64)
    theirs = torch.nn.functional.softmin(torch.tensor(x, dtype=torch.float32), 1,
                                         dtype=torch.float64)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12)


def test_rrelu_in_training_has_pytorchs_properties_not_its_numbers(torch):
    # the elements that take a random slope (x <= 0, zero included), in range, as PyTorch's
    x = [-3.0, -1.0, 0.0, 2.0]
    ours = tn.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    F.rrelu(ours, 0.2, 0.3, training=True).sum().backward()
    torch.nn.functional.rrelu(theirs, 0.2, 0.3, training=True).sum().backward()
    for slopes in (ours.grad.array, theirs.grad.numpy()):
        assert ((slopes[:3] >= 0.2) & (slopes[:3] <= 0.3)).all() and slopes[3] == 1


def test_reprs_equal_pytorchs(torch):
    pairs = [(nn.CELU(), torch.nn.CELU()), (nn.CELU(2.5), torch.nn.CELU(2.5)),
             (nn.RReLU(), torch.nn.RReLU()), (nn.RReLU(0.1, 0.3), torch.nn.RReLU(0.1, 0.3)),
             (nn.GLU(), torch.nn.GLU()), (nn.GLU(1), torch.nn.GLU(1)),
             (nn.Softmin(), torch.nn.Softmin()), (nn.Softmin(1), torch.nn.Softmin(1)),
             (nn.Softshrink(), torch.nn.Softshrink()), (nn.Hardshrink(1), torch.nn.Hardshrink(1)),
             (nn.Tanhshrink(), torch.nn.Tanhshrink())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_the_same_names_as_pytorch(torch):
    for name in ("celu", "celu_", "rrelu", "rrelu_", "hardshrink"):
        assert hasattr(torch, name) and hasattr(tn, name)
    assert hasattr(torch.Tensor, "hardshrink") and hasattr(tn.Tensor, "hardshrink")
    for name in ("CELU", "RReLU", "GLU", "Softmin", "Softshrink", "Hardshrink", "Tanhshrink"):
        assert hasattr(torch.nn, name) and name in nn.__all__
    for name in ("celu", "rrelu", "glu", "softmin", "softshrink", "hardshrink", "tanhshrink"):
        assert hasattr(torch.nn.functional, name) and name in F.__all__


def test_pytorch_refuses_what_tinynet_refuses(torch):
    # the same rules (PyTorch checks them at the call, tinynet when a module is made)
    x = torch.zeros(2, 4)
    for call in (lambda: torch.nn.functional.celu(x, 0.0),
                 lambda: torch.nn.functional.rrelu(x, 0.5, 0.1),
                 lambda: torch.nn.functional.softshrink(x, -0.5),
                 lambda: torch.nn.functional.softshrink(x.half(), 1e5),
                 lambda: torch.nn.functional.glu(torch.zeros(2, 3)),
                 lambda: torch.nn.functional.glu(torch.tensor(1.0))):
        with pytest.raises(RuntimeError):
            call()
    with pytest.raises(IndexError):
        torch.nn.functional.glu(x, 2)
