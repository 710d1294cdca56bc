"""Activations: closed forms, finite differences over wide ranges, stability at |x| = 1e4,
and the ``derivative`` / ``peak_derivative`` that diagnostics read."""
import math
import warnings

import numpy as np
import pytest
from scipy.special import erf, logsumexp

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import ops
from tinynet.ops.activation_more import SELU_ALPHA, SELU_SCALE

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def closed_gelu(x):
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def closed_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))


# name, tinynet function, closed form (float64, moderate x), op class, derivative params
ELEMENTWISE = [
    ("sigmoid", F.sigmoid, lambda x: 1 / (1 + np.exp(-x)), ops.Sigmoid, ()),
    ("tanh", F.tanh, lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
     ops.Tanh, ()),
    ("relu", F.relu, lambda x: np.where(x > 0, x, 0.0), ops.ReLU, ()),
    ("leaky_relu", lambda t: F.leaky_relu(t, 0.2), lambda x: np.where(x > 0, x, 0.2 * x),
     ops.LeakyReLU, (0.2,)),
    ("elu", F.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), ops.ELU, (1.0,)),
    ("elu_alpha", lambda t: F.elu(t, 1.7), lambda x: np.where(x > 0, x, 1.7 * (np.exp(x) - 1)),
     ops.ELU, (1.7,)),
    ("gelu", F.gelu, closed_gelu, ops.GELU, ()),
    ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), closed_gelu_tanh, ops.GELUTanh, ()),
    ("silu", F.silu, lambda x: x / (1 + np.exp(-x)), ops.SiLU, ()),
    ("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), ops.Mish, ()),
    ("softplus", F.softplus, lambda x: np.log1p(np.exp(x)), ops.Softplus, (1.0, 20.0)),
    ("softplus_beta", lambda t: F.softplus(t, 0.5, 5.0),
     lambda x: np.where(0.5 * x > 5, x, np.log1p(np.exp(0.5 * x)) / 0.5), ops.Softplus,
     (0.5, 5.0)),
    ("selu", F.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
     ops.SELU, ()),
    ("prelu", lambda t: F.prelu(t, tn.tensor([0.25], dtype=t.dtype)),
     lambda x: np.where(x > 0, x, 0.25 * x), ops.PReLU, (0.25,)),
    ("hardtanh", F.hardtanh, lambda x: np.clip(x, -1, 1), ops.Hardtanh, (-1.0, 1.0)),
    ("celu", F.celu, lambda x: np.where(x > 0, x, np.exp(x) - 1), ops.CELU, (1.0,)),
    ("celu_alpha", lambda t: F.celu(t, 2.5),
     lambda x: np.where(x > 0, x, 2.5 * (np.exp(x / 2.5) - 1)), ops.CELU, (2.5,)),
    ("rrelu", F.rrelu, lambda x: np.where(x > 0, x, (1 / 8 + 1 / 3) / 2 * x), ops.RReLU,
     (1 / 8, 1 / 3)),
    ("softshrink", F.softshrink, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0),
     ops.Softshrink, (0.5,)),
    ("hardshrink", F.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), ops.Hardshrink,
     (0.5,)),
    ("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x), ops.Tanhshrink, ()),
]
IDS = [case[0] for case in ELEMENTWISE]

# Away from the kink at 0 (relu, leaky_relu, elu) by more than the finite-difference step.
WIDE = np.concatenate([np.linspace(-20, -0.01, 40), np.linspace(0.01, 20, 40), [-1e-3, 1e-3]])
# Where a function jumps: Softplus by log(1 + e⁻²⁰) ≈ 2e-9 at its threshold x = 20 (as
# PyTorch's), where a finite difference sees a slope off by 1e-3.
JUMPS = {"softplus": 20.0}


@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_forward_matches_closed_form(name, fn, closed, op, params):
    x = np.linspace(-15, 15, 301)  # includes 0 exactly
    y = fn(tn.tensor(x))
    np.testing.assert_allclose(y.array, closed(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_gradcheck_over_a_wide_range(name, fn, closed, op, params):
    points = np.where(WIDE == JUMPS.get(name), WIDE - 0.1, WIDE)
    x = tn.tensor(points.reshape(2, -1), requires_grad=True)
    assert tn.gradcheck(fn, (x,))


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu_around_zero(alpha):
    # left and right derivatives differ at 0 unless alpha = 1: PyTorch takes the left (α)
    x = tn.tensor([-1e-4, -1e-7, 0.0, 1e-7, 1e-4], dtype=tn.float64, requires_grad=True)
    F.elu(x, alpha).sum().backward()
    np.testing.assert_allclose(x.grad.array, [alpha * math.exp(-1e-4), alpha * math.exp(-1e-7),
                                             alpha, 1.0, 1.0], rtol=1e-12)
    assert tn.gradcheck(lambda t: F.elu(t, alpha), (tn.tensor(
        [-1e-3, -1e-5, 1e-5, 1e-3], dtype=tn.float64, requires_grad=True),))


@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_derivative_equals_the_gradient_of_backward(name, fn, closed, op, params):
    x = tn.tensor(np.linspace(-12, 12, 241), requires_grad=True)  # includes 0
    y = fn(x)
    y.backward(tn.ones_like(y))
    derivative = op.derivative(x.array, y.array, *params)
    assert derivative.dtype == x.dtype
    np.testing.assert_allclose(derivative, x.grad.array, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_saved_derivative_is_derivative_exactly(name, fn, closed, op, params, dtype):
    # the monitor reads saved_derivative, the docs and tests derivative: the same bits
    x = tn.tensor(np.linspace(-12, 12, 241), dtype=dtype, requires_grad=True)
    y = fn(x)
    saved = op.saved_derivative(y.grad_fn)
    assert saved.dtype == x.dtype
    np.testing.assert_array_equal(saved, op.derivative(x.array, y.array, *params))


# peak_derivative describes the default parameters (ELU's alpha = 1)
@pytest.mark.parametrize("name,fn,closed,op,params",
                         [case for case in ELEMENTWISE if case[0] != "elu_alpha"],
                         ids=[name for name in IDS if name != "elu_alpha"])
def test_peak_derivative_is_the_maximum_of_derivative(name, fn, closed, op, params):
    # step 1e-4: the grid maximum is within ~1e-9; 25 is in Softplus's linear part
    x = np.concatenate([np.linspace(-10, 10, 200_001), [25.0]])
    grid_max = op.derivative(x, fn(tn.tensor(x)).array, *params).max()
    assert grid_max <= op.peak_derivative + 1e-12
    assert op.peak_derivative - grid_max < 1e-8


def test_gelu_peaks_at_sqrt_2():
    # d/dx [Φ(x) + xφ(x)] = φ(x)(2 - x²) = 0 at x = √2
    peak = ops.GELU.derivative(np.array(math.sqrt(2)), None)
    assert ops.GELU.peak_derivative == pytest.approx(float(peak), rel=1e-15)
    assert ops.GELU.peak_derivative == pytest.approx(1.1289041451851, rel=1e-12)


# ---- softmax / log-softmax ---------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_forward_and_gradcheck(dim):
    x = np.random.default_rng(0).uniform(-20, 20, size=(3, 4, 5))
    np.testing.assert_allclose(F.softmax(tn.tensor(x), dim).array,
                               np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True), rtol=1e-12)
    # NOTE: atol: at the row's maximum log-softmax is -log(1 + tiny), which tinynet (like
    # PyTorch) gets to an absolute, not relative, 1e-16; scipy uses log1p there.
    np.testing.assert_allclose(F.log_softmax(tn.tensor(x), dim).array,
                               x - logsumexp(x, axis=dim, keepdims=True), rtol=1e-12, atol=1e-14)
    t = tn.tensor(x, requires_grad=True)
    assert tn.gradcheck(lambda a: F.softmax(a, dim), (t,))
    assert tn.gradcheck(lambda a: F.log_softmax(a, dim), (t,))


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log():
    x = tn.tensor(np.random.default_rng(1).normal(scale=30, size=(5, 7)))
    p = F.softmax(x, dim=1)
    np.testing.assert_allclose(p.array.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.log(p.array), F.log_softmax(x, dim=1).array, rtol=1e-12,
                               atol=1e-14)


# ---- stability at |x| = 1e4 --------------------------------------------------------------
HUGE = [-1e4, -1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3, 1e4]
# expected (value, derivative) at -1e4 and +1e4
LIMITS = {
    "sigmoid": ((0.0, 0.0), (1.0, 0.0)),
    "tanh": ((-1.0, 0.0), (1.0, 0.0)),
    "relu": ((0.0, 0.0), (1e4, 1.0)),
    "leaky_relu": ((-2e3, 0.2), (1e4, 1.0)),
    "elu": ((-1.0, 0.0), (1e4, 1.0)),
    "elu_alpha": ((-1.7, 0.0), (1e4, 1.0)),
    "gelu": ((0.0, 0.0), (1e4, 1.0)),
    "gelu_tanh": ((0.0, 0.0), (1e4, 1.0)),
    "silu": ((0.0, 0.0), (1e4, 1.0)),
    "mish": ((0.0, 0.0), (1e4, 1.0)),
    "softplus": ((0.0, 0.0), (1e4, 1.0)),
    "softplus_beta": ((0.0, 0.0), (1e4, 1.0)),
    "selu": ((-SELU_SCALE * SELU_ALPHA, 0.0), (SELU_SCALE * 1e4, SELU_SCALE)),
    "prelu": ((-2.5e3, 0.25), (1e4, 1.0)),
    "hardtanh": ((-1.0, 0.0), (1.0, 0.0)),
    "celu": ((-1.0, 0.0), (1e4, 1.0)),
    "celu_alpha": ((-2.5, 0.0), (1e4, 1.0)),
    "rrelu": ((-1e4 * (1 / 8 + 1 / 3) / 2, (1 / 8 + 1 / 3) / 2), (1e4, 1.0)),
    "softshrink": ((-1e4 + 0.5, 1.0), (1e4 - 0.5, 1.0)),
    "hardshrink": ((-1e4, 1.0), (1e4, 1.0)),
    "tanhshrink": ((-1e4 + 1, 1.0), (1e4 - 1, 1.0)),
}


@pytest.fixture
def no_float_warnings():
    """Any numpy overflow / invalid / divide-by-zero, or any warning, fails the test.
    (Underflow to 0 is the correct answer at -1e4 and stays allowed.)"""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_stable_and_warning_free_at_1e4(name, fn, closed, op, params, dtype,
                                        no_float_warnings):
    x = tn.tensor(HUGE, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.backward(tn.ones_like(y))
    assert y.dtype == dtype and x.grad.dtype == dtype
    assert np.isfinite(y.array).all() and np.isfinite(x.grad.array).all()
    (lo_value, lo_slope), (hi_value, hi_slope) = LIMITS[name]
    np.testing.assert_allclose(y.array[[0, -1]], [lo_value, hi_value], rtol=1e-6)
    np.testing.assert_allclose(x.grad.array[[0, -1]], [lo_slope, hi_slope], rtol=1e-6)
    # the moderate middle still agrees with the closed form
    np.testing.assert_allclose(y.array[2:-2], closed(np.array(HUGE[2:-2])), rtol=1e-6)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_softmax_stable_and_warning_free_at_1e4(dtype, no_float_warnings):
    x = tn.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype, requires_grad=True)
    p = F.softmax(x, dim=1)
    logp = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(p.array, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    np.testing.assert_allclose(logp.array, [[0, -2e4, -1e4], [-math.log(3)] * 3], rtol=1e-6)
    (p[:, 0].sum() + logp[:, 1].sum()).backward()
    assert x.grad.dtype == dtype and np.isfinite(x.grad.array).all()
    # d logp₁/dx = onehot(1) - p: row 0 is [-1, 1, 0]; d p₀/dx there is 0 (saturated)
    np.testing.assert_allclose(x.grad.array[0], [-1, 1, 0], atol=1e-6)


def test_tensor_methods_use_the_same_ops():
    x = tn.tensor(np.linspace(-3, 3, 7))
    np.testing.assert_array_equal(x.sigmoid().array, F.sigmoid(x).array)
    np.testing.assert_array_equal(x.tanh().array, F.tanh(x).array)
    np.testing.assert_array_equal(x.relu().array, F.relu(x).array)
    np.testing.assert_array_equal(tn.softmax(x, 0).array, F.softmax(x, 0).array)


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="'erf'"):
        F.gelu(tn.zeros(2), approximate="erf")


def _gelu_tanh_derivative(x):
    """d/dx ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), by the product rule."""
    c = math.sqrt(2 / math.pi)
    t = math.tanh(c * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)


def test_gelu_tanh_on_a_0d_tensor_a_python_number_and_integers():
    """The in-place arithmetic must still take 0-d input (where x * x is a numpy scalar)
    and integers (which cannot hold the float results)."""
    from tinynet.ops.activation import GELUTanh
    x = tn.tensor(0.5, dtype=tn.float64, requires_grad=True)
    y = tn.nn.GELU("tanh")(x)
    y.backward()
    c = math.sqrt(2 / math.pi)
    assert y.item() == pytest.approx(0.25 * (1 + math.tanh(c * (0.5 + 0.044715 / 8))), rel=1e-14)
    assert x.grad.item() == pytest.approx(_gelu_tanh_derivative(0.5), rel=1e-14)
    assert float(GELUTanh.derivative(0.5, None)) == pytest.approx(_gelu_tanh_derivative(0.5),
                                                                  rel=1e-14)
    np.testing.assert_allclose(GELUTanh.derivative(np.array([1, -2]), None),
                               [_gelu_tanh_derivative(1.0), _gelu_tanh_derivative(-2.0)],
                               rtol=1e-14)


@pytest.mark.parametrize("parameter", [0.0, 0.01, 1.0, 2.0, -0.5])
@pytest.mark.parametrize("x0", [-3.0, -1e-3, 0.0, 0.5, 4.0])
def test_leaky_relu_and_elu_against_closed_forms_on_0d_and_any_parameter(parameter, x0):
    """The fast path (0 <= slope, alpha <= 1: maxima) and np.where (other values) give
    the closed forms; 0-d input works (numpy hands back scalars there)."""
    leaky_value = x0 if x0 > 0 else parameter * x0
    leaky_slope = 1.0 if x0 > 0 else parameter
    elu_value = x0 if x0 > 0 else parameter * math.expm1(x0)
    elu_slope = 1.0 if x0 > 0 else parameter * math.exp(x0)
    for module, value, slope in [(tn.nn.LeakyReLU(parameter), leaky_value, leaky_slope),
                                 (tn.nn.ELU(parameter), elu_value, elu_slope)]:
        x = tn.tensor(x0, dtype=tn.float64, requires_grad=True)
        y = module(x)
        y.backward()
        assert y.item() == pytest.approx(value, rel=1e-15, abs=1e-300)
        assert x.grad.item() == pytest.approx(slope, rel=1e-15, abs=1e-300)
        batch = tn.tensor([x0, -x0, 2 * x0], dtype=tn.float64)
        np.testing.assert_array_equal(module.derivative(batch.array, module(batch).array)[0],
                                      slope)


SPECIAL_VALUES = [-0.0, 0.0, np.nan, -np.inf, np.inf, -1e-45, 1e-45, -2.5, 3.0]


@pytest.mark.parametrize("module", [tn.nn.ReLU(), tn.nn.LeakyReLU(0.2), tn.nn.ELU(0.7)],
                         ids=["relu", "leaky_relu", "elu"])
@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_large_inputs_give_what_small_slices_give(module, dtype):
    """ReLU, LeakyReLU and ELU on a large input: values and gradients equal those of
    the same rows computed 4 at a time (numpy may take other loops for other sizes)."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((64, 128))
    data.flat[:len(SPECIAL_VALUES)] = SPECIAL_VALUES
    x = tn.tensor(data, dtype=dtype, requires_grad=True)
    upstream = rng.standard_normal(data.shape).astype(x.array.dtype)
    y = module(x)
    y.backward(tn.tensor(upstream))
    for lo in range(0, 64, 4):
        part = tn.tensor(data[lo:lo + 4], dtype=dtype, requires_grad=True)
        y_part = module(part)
        y_part.backward(tn.tensor(upstream[lo:lo + 4]))
        np.testing.assert_array_equal(y.array[lo:lo + 4], y_part.array)
        np.testing.assert_array_equal(np.signbit(y.array[lo:lo + 4]), np.signbit(y_part.array))
        np.testing.assert_array_equal(x.grad.array[lo:lo + 4], part.grad.array)


# ---- up to the largest finite float ------------------------------------------------------
def _extremes(dtype, gain: float = 1.0) -> list:
    big = float(np.finfo(dtype).max) / (gain * (1 + 1e-6) if gain != 1 else 1)  # not rounded up
    magnitudes = [2e19, 1e30, big] if dtype == tn.float32 else [2e19, 1e30, 1e200, big]
    return [-m for m in reversed(magnitudes)] + magnitudes


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_finite_and_warning_free_up_to_the_largest_float(name, fn, closed, op, params, dtype,
                                                         no_float_warnings):
    # GELU-tanh's cubic overflowed past 2e19 in float32 (then 0·inf = NaN in backward), and
    # exact GELU's x² warned past 1e19: the limits must hold all the way out
    # SELU multiplies x by λ > 1: beyond max/λ its true value is not a float (inf, as in
    # PyTorch); its derivative stays finite
    values = _extremes(dtype, SELU_SCALE if name == "selu" else 1.0)
    x = tn.tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.backward(tn.ones_like(y))
    assert np.isfinite(y.array).all() and np.isfinite(x.grad.array).all()
    (_, lo_slope), (_, hi_slope) = LIMITS[name]
    half = len(values) // 2
    np.testing.assert_array_equal(x.grad.array[:half], np.asarray(lo_slope, dtype))
    np.testing.assert_array_equal(x.grad.array[half:], np.asarray(hi_slope, dtype))
    np.testing.assert_array_equal(op.derivative(x.array, y.array, *params), x.grad.array)


@pytest.mark.parametrize("shape, dim", [((3, 0), 1), ((0, 4), 1), ((0, 4), 0), ((2, 0, 3), 2)])
@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_of_an_empty_tensor_is_empty_as_pytorch(fn, shape, dim):
    x = tn.zeros(*shape, requires_grad=True)
    y = fn(x, dim)
    assert y.shape == shape and y.dtype == x.dtype
    y.sum().backward()
    assert x.grad.shape == shape


# ---- SiLU, Mish, Softplus, SELU, PReLU, Hardtanh as modules ---------------------------------
@pytest.mark.parametrize("module, functional", [
    (tn.nn.SiLU(), F.silu), (tn.nn.Mish(), F.mish), (tn.nn.SELU(), F.selu),
    (tn.nn.Softplus(), F.softplus), (tn.nn.Softplus(2, 5), lambda t: F.softplus(t, 2, 5)),
    (tn.nn.Hardtanh(), F.hardtanh), (tn.nn.Hardtanh(-2, 3), lambda t: F.hardtanh(t, -2, 3)),
], ids=repr)
def test_module_is_its_functional_and_knows_its_derivative(module, functional):
    x = tn.tensor(np.linspace(-6, 6, 49), requires_grad=True)
    y = module(x)
    np.testing.assert_array_equal(y.array, functional(x).array)
    y.backward(tn.ones_like(y))
    np.testing.assert_array_equal(module.derivative(x.array, y.array), x.grad.array)
    assert module.op.peak_derivative >= np.abs(x.grad.array).max()


def test_activation_reprs_equal_pytorchs():
    assert [repr(m) for m in (tn.nn.SiLU(), tn.nn.Mish(), tn.nn.SELU(), tn.nn.Softplus(),
                              tn.nn.Softplus(2, 5), tn.nn.PReLU(), tn.nn.PReLU(3),
                              tn.nn.Hardtanh(), tn.nn.Hardtanh(-2, 3))] == [
        "SiLU()", "Mish()", "SELU()", "Softplus(beta=1.0, threshold=20.0)",
        "Softplus(beta=2, threshold=5)", "PReLU(num_parameters=1)", "PReLU(num_parameters=3)",
        "Hardtanh(min_val=-1.0, max_val=1.0)", "Hardtanh(min_val=-2, max_val=3)"]


def test_closed_form_peaks():
    # SiLU's derivative peaks where x·tanh(x/2) = 2; SELU's at x = 0 (the x <= 0 branch)
    from scipy.optimize import brentq
    x_star = brentq(lambda x: x * math.tanh(x / 2) - 2, 2, 3)
    assert ops.SiLU.peak_derivative == pytest.approx(
        float(ops.SiLU.derivative(np.array(x_star), None)), rel=1e-10)
    assert ops.SELU.peak_derivative == float(ops.SELU.derivative(np.array(0.0), None))
    assert ops.Mish.peak_derivative == pytest.approx(1.0884981612515674, rel=1e-10)


def test_selu_keeps_standardised_activations_standardised():
    # the self-normalising property: 20 layers of fan-in-scaled weights keep mean ≈ 0, var ≈ 1
    rng = np.random.default_rng(0)
    h = rng.standard_normal((2000, 256))
    for _ in range(20):
        h = F.selu(tn.tensor(h @ rng.normal(0, 1 / 16, (256, 256)))).array
    assert abs(h.mean()) < 0.1 and h.var() == pytest.approx(1.0, abs=0.15)


def test_prelu_slope_gradient_per_channel():
    prelu = tn.nn.PReLU(3, init=0.1, dtype=tn.float64)
    x = tn.tensor(np.random.default_rng(0).standard_normal((4, 3, 5)), requires_grad=True)
    g = np.random.default_rng(1).standard_normal((4, 3, 5))
    y = prelu(x)
    y.backward(tn.tensor(g))
    negative = x.array <= 0
    np.testing.assert_allclose(y.array, np.where(negative, 0.1 * x.array, x.array), rtol=1e-15)
    # dL/da_c = Σ over channel c's x <= 0 of g·x
    np.testing.assert_allclose(prelu.weight.grad.array,
                               (g * x.array * negative).sum(axis=(0, 2)), rtol=1e-13)
    np.testing.assert_allclose(x.grad.array, np.where(negative, 0.1, 1.0) * g, rtol=1e-15)
    np.testing.assert_array_equal(prelu.derivative(x.array, y.array), np.where(negative, 0.1, 1))


@pytest.mark.parametrize("shape, n", [((5,), 1), ((4, 3), 3), ((2, 3, 4), 3), ((2, 3, 4), 1)])
def test_prelu_gradcheck_in_input_and_slope(shape, n):
    rng = np.random.default_rng(2)
    x = tn.tensor(rng.standard_normal(shape), requires_grad=True)
    a = tn.tensor(rng.uniform(-0.5, 1.5, n), requires_grad=True)
    assert tn.gradcheck(F.prelu, (x, a))


def test_prelu_keeps_a_0d_input_0d():
    assert tn.nn.PReLU()(tn.tensor(-2.0)).shape == ()


@pytest.mark.parametrize("call, error, message", [
    (lambda: tn.nn.PReLU(3)(tn.zeros(2, 4)), RuntimeError,
     (r"prelu: weight must have 1 element or one per channel .* got weight of shape \(3,\) "
      r"for input of shape \(2, 4\)")),
    (lambda: tn.nn.PReLU(3)(tn.zeros(3)), RuntimeError, "one per channel"),
    (lambda: tn.nn.PReLU()(tn.zeros(3, dtype=tn.float64)), TypeError,
     (r"prelu: input must have the weight's dtype float32, got float64; convert one: "
      r"x\.float\(\) or model\.double\(\)")),
    (lambda: tn.nn.PReLU(0), ValueError, "num_parameters must be an integer >= 1, got 0"),
    (lambda: tn.nn.Softplus(beta=0), ValueError, "Softplus: beta must be a finite number > 0"),
    (lambda: F.softplus(tn.zeros(2), beta=-1.0), ValueError, "softplus: beta must be"),
    (lambda: tn.nn.Hardtanh(1, -1), ValueError,
     r"Hardtanh: max_val must be a finite number > 1, got -1"),
    (lambda: F.hardtanh(tn.zeros(2), 0.5, 0.25), ValueError,
     "hardtanh: max_val must be a finite number >= 0.5, got 0.25"),
])
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("name,fn,closed,op,params", ELEMENTWISE, ids=IDS)
def test_float16_stays_float16_forward_and_backward(name, fn, closed, op, params, fast):
    """As in PyTorch, a float16 input gives a float16 output, gradient and derivative
    (scipy's expit and ndtr, behind sigmoid, SiLU, Mish, Softplus and GELU, have no float16
    loop), with the closed form's values to float16's precision."""
    x0 = np.linspace(-4.0, 4.0, 17).astype(np.float16)
    with tn.fast_paths(fast):
        x = tn.tensor(x0, requires_grad=True)
        y = fn(x)
        y.backward(tn.ones_like(y))
        derivative = op.derivative(x0, y.array, *params)
    assert (y.array.dtype, x.grad.array.dtype, derivative.dtype) == (np.float16,) * 3
    np.testing.assert_allclose(y.array, closed(x0.astype(np.float64)), rtol=4e-3, atol=2e-3)
    np.testing.assert_array_equal(x.grad.array, derivative)


@pytest.mark.parametrize("beta,threshold", [(1.0, 20.0), (0.5, 5.0)])
def test_float16_softplus_is_finite_up_to_its_threshold(beta, threshold):
    """float16's e^z overflows from z ≈ 11, below Softplus's threshold of 20: the float16
    values are float32's rounded, with no overflow warning."""
    x0 = np.array([-30.0, -3.0, 0.0, 5.0, 11.5, 15.0, 19.5, 25.0], np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        half = F.softplus(tn.tensor(x0), beta, threshold).array
    single = F.softplus(tn.tensor(x0.astype(np.float32)), beta, threshold).array
    assert half.dtype == np.float16
    np.testing.assert_array_equal(half, single.astype(np.float16))
