"""Two paths, one result: each fast path gives its reference implementation's numbers
bit for bit (values, signed zeros, NaN, gradients), and the switch between them."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import fastpath, ops

SPECIAL = [-0.0, 0.0, np.nan, -np.inf, np.inf, -1e-45, 1e-45, -2.5, 3.0, 1e30, -1e30]

ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "leaky_relu_steep": lambda x: F.leaky_relu(x, 1.5),     # the np.where branch
    "leaky_relu_flat": lambda x: F.leaky_relu(x, 0.0),      # likewise (inf·0 is NaN)
    "elu": lambda x: F.elu(x, 0.7),
    "elu_alpha_2": lambda x: F.elu(x, 2.0),                 # the np.where branch
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
}


def _run(fn, inputs, upstream, fast: bool):
    """Values and input gradients of ``fn`` with the fast paths on or off."""
    with tn.fast_paths(fast):
        leaves = [tn.tensor(a, requires_grad=True) for a in inputs]
        y = fn(*leaves)
        y.backward(tn.tensor(upstream))
    return [y.array] + [leaf.grad.array for leaf in leaves], type(y.grad_fn)


def _assert_bit_identical(fast, slow):
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)                         # NaN matches NaN
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))  # -0.0 is not 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf·0 at ±inf, in both paths
@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(ACTIVATIONS)),
       shape=st.sampled_from([(3,), (7, 5), (64, 128), (2, 3, 9)]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
def test_activation_fast_paths_are_the_reference_bit_for_bit(name, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * rng.choice([0.1, 1.0, 30.0])).astype(dtype)
    x.flat[rng.integers(0, x.size, min(x.size, 6))] = rng.choice(SPECIAL, min(x.size, 6))
    upstream = rng.standard_normal(shape).astype(dtype)
    fast, fast_op = _run(ACTIVATIONS[name], [x], upstream, True)
    slow, slow_op = _run(ACTIVATIONS[name], [x], upstream, False)
    assert fast_op.__module__ == "tinynet.ops._fast" or name.startswith(("leaky", "elu"))
    assert slow_op.__module__ != "tinynet.ops._fast"
    _assert_bit_identical(fast, slow)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(ACTIVATIONS)), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2 ** 16))
def test_the_derivative_the_monitor_reads_is_the_references_bit_for_bit(name, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((9, 7)) * rng.choice([0.1, 1.0, 30.0])).astype(dtype)
    x.flat[rng.integers(0, x.size, 6)] = rng.choice(SPECIAL, 6)
    derivatives = []
    for fast in (True, False):
        with tn.fast_paths(fast):
            y = ACTIVATIONS[name](tn.tensor(x, requires_grad=True))
            derivatives.append(y.grad_fn.saved_derivative(y.grad_fn))
    _assert_bit_identical(*derivatives)


def test_a_flat_leaky_relu_keeps_infinities_as_the_reference_and_pytorch():
    x = np.array([np.inf, -np.inf, 1.0, -2.0])
    fast, _ = _run(lambda t: F.leaky_relu(t, 0.0), [x], np.ones(4), True)
    slow, _ = _run(lambda t: F.leaky_relu(t, 0.0), [x], np.ones(4), False)
    _assert_bit_identical(fast, slow)
    np.testing.assert_array_equal(fast[0], [np.inf, np.nan, 1.0, -0.0])  # -inf·0 is NaN


@settings(max_examples=30, deadline=None)
@given(shape=st.sampled_from([(3,), (7, 5), (64, 128)]),
       dtype=st.sampled_from([np.float16, np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
def test_relus_selection_is_the_references_for_any_gradient_above(shape, dtype, seed):
    """The fast ReLU backward selects by bits: the reference's np.where exactly, with
    infinite, nan and signed-zero gradients coming in."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    upstream = rng.standard_normal(shape).astype(dtype)
    spots = rng.integers(0, x.size, min(x.size, 8))
    upstream.flat[spots] = rng.choice(SPECIAL, len(spots))
    x.flat[spots[::2]] = rng.choice([-0.0, 0.0, -1.0], len(spots[::2]))
    fast, _ = _run(F.relu, [x], upstream, True)
    slow, _ = _run(F.relu, [x], upstream, False)
    _assert_bit_identical(fast, slow)


# The fast tanh GELU skips the reference's clip to ±10 and redoes the reference's way
# where x³ overflows (forward) or x is infinite (derivative): around each of those
# thresholds, in both dtypes, on a row of normal values and alone.
GELU_TANH_EDGES = [9.99, 10.0, 10.01, 1e6, 6e12, 8e12, 1e19, 2e19, 1e102, 1e104, 1e154, 1e155,
                   1e300, np.inf, np.nan]


def _warned_both_ways(fn, inputs, upstream, **callers):
    """(values and gradients, warnings) of ``fn``, fast then reference, under numpy's
    error settings ``callers``, which each run leaves as it found them."""
    results = []
    for fast in (True, False):
        with np.errstate(**callers), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            before = np.geterr()
            values, _ = _run(fn, inputs, upstream, fast)
            assert np.geterr() == before
        results.append((values, sorted(str(w.message) for w in caught)))
    return results


def _gelu_tanh_both_ways(x, upstream, **callers):
    return _warned_both_ways(ACTIVATIONS["gelu_tanh"], [x], upstream, **callers)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("edge", GELU_TANH_EDGES + [-e for e in GELU_TANH_EDGES[:-1]])
def test_unclipped_tanh_gelu_is_the_reference_at_its_edges(dtype, edge):
    with np.errstate(over="ignore"):
        value = np.array(edge).astype(dtype)  # 1e102 and beyond are inf in float32
    upstream = np.linspace(-1.0, 1.0, 8).astype(dtype)
    for x in (np.array([0.5, -3.0, 1.2, value, 0.0, -0.7, 2.0, 4.5], dtype), np.full(8, value)):
        (fast, fast_warned), (slow, slow_warned) = _gelu_tanh_both_ways(x, upstream)
        _assert_bit_identical(fast, slow)
        assert fast_warned == slow_warned  # -inf: 0·inf in the output, in both


def test_the_fast_tanh_gelu_keeps_the_callers_float_error_settings():
    x = np.array([-1e30, -20.0, 0.5, 1e30], np.float32)
    upstream = np.ones(4, np.float32)
    (fast, _), (slow, _) = _gelu_tanh_both_ways(x, upstream, over="raise", invalid="raise",
                                                under="warn", divide="ignore")
    _assert_bit_identical(fast, slow)
    with np.errstate(invalid="raise"):  # ½(1 + tanh u)·x = 0·inf at -inf: both raise
        for fast_path in (True, False):
            with tn.fast_paths(fast_path), pytest.raises(FloatingPointError):
                F.gelu(tn.tensor([-np.inf], dtype=tn.float32), approximate="tanh")


def _both_ways(fn):
    """fn() with the fast paths on, then off."""
    results = []
    for fast in (True, False):
        with tn.fast_paths(fast):
            results.append(fn())
    return results


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8])
def test_the_tanh_gelu_refuses_integers_on_both_paths(dtype):
    """As PyTorch's (no integer kernel); the check comes before either path."""
    x = tn.from_numpy(np.array([0, 2, 11], dtype))
    for fast_path in (True, False):
        with tn.fast_paths(fast_path), pytest.raises(TypeError, match="gelu: input must be a "
                                                                          "floating-point tensor"):
            F.gelu(x, approximate="tanh")


def test_changing_the_tanh_gelus_input_in_place_raises_on_both_paths():
    """It saves its input, as PyTorch does: a change before backward is refused."""
    def run():
        w = tn.tensor(np.array([0.5, -1.0, 2.0], np.float32), requires_grad=True)
        y = F.gelu(w, approximate="tanh")
        with tn.no_grad():
            w.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            y.sum().backward()
    _both_ways(run)


def _reported(fn, **callers) -> list:
    """The floating-point errors numpy reports to a callback while fn() runs."""
    kinds = []
    with np.errstate(call=lambda kind, flag: kinds.append(kind), **callers):
        fn()
    return kinds


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_underflows_are_reported_as_the_reference_reports_them(dtype):
    """An input that underflows beside one that makes the fast path fall back: numpy's
    callback hears each error once, as from the reference."""
    big = 1e30 if dtype == np.float32 else 1e200
    gelu_x = np.array([1e-30 if dtype == np.float32 else 1e-200, big], dtype)
    grad_x = np.array([1e-30 if dtype == np.float32 else 1e-200, np.inf], dtype)
    rows = np.array([[3e-38, 1e-38, 0, 0] if dtype == np.float32 else [1e-307, 3e-308, 0, 0],
                     [big, -big, big, -big]], dtype)

    def errors():
        gelu = _reported(lambda: F.gelu(tn.tensor(gelu_x), approximate="tanh"),
                         under="call", over="call", invalid="call")
        t = tn.tensor(grad_x, requires_grad=True)
        y = F.gelu(t, approximate="tanh")
        backward = _reported(lambda: y.sum().backward(), under="call", invalid="call")
        norm = _reported(lambda: F.layer_norm(tn.tensor(rows), (4,)), under="call",
                         divide="call")
        return gelu, backward, norm

    fast, slow = _both_ways(errors)
    assert fast == slow
    assert any(slow)  # the inputs do underflow


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_ordinary_activations_stay_on_the_fast_path(dtype, monkeypatch):
    """Small values underflow in float16 (κx³ below 6e-8 for |x| < 0.11): with numpy's
    default settings that is not reported, so it does not send a call to the reference.
    With underflows reported, it does (tests above: they are reported once)."""
    from tinynet.ops import activation, layer_norm
    fallbacks = []
    for cls, name in ((activation.GELUTanh, "forward"), (activation.GELUTanh, "derivative_from"),
                      (layer_norm.LayerNorm, "forward")):
        original = getattr(cls, name)
        monkeypatch.setattr(cls, name, staticmethod(
            lambda *a, original=original, name=name: fallbacks.append(name) or original(*a)))
    x = tn.tensor(np.random.default_rng(0).standard_normal((64, 128)).astype(dtype),
                  requires_grad=True)
    F.layer_norm(F.gelu(x, approximate="tanh"), (128,)).sum().backward()
    assert fallbacks == []
    with np.errstate(under="warn"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F.gelu(x, approximate="tanh")
    assert fallbacks == (["forward"] if dtype == np.float16 else [])


@pytest.mark.parametrize("values", [[np.nan, 1, 2, 3], [1e19, -1e19, 1e19, -1e19],
                                    [np.inf, 1, 2, 3]], ids=["nan", "overflow", "inf"])
def test_layer_norm_over_the_whole_tensor_as_one_row(values):
    x = np.array(values, np.float32)
    fast, slow = [_run(lambda t: F.layer_norm(t, (4,)), [x], np.ones(4, np.float32), fast)[0]
                  for fast in (True, False)]
    _assert_bit_identical(fast, slow)
    assert np.isfinite(slow[0]).all() == (values[0] == 1e19)


def test_a_callback_that_changes_the_error_settings_keeps_its_change_on_both_paths():
    def quiet_after_first(kind, flag):
        np.seterr(under="ignore")

    def run():
        with np.errstate(under="call", call=quiet_after_first):
            F.gelu(tn.tensor(np.array([1e-30, 1.0], np.float32)), approximate="tanh")
            return np.geterr()["under"]
    assert _both_ways(run) == ["ignore", "ignore"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("callers", [{}, {"over": "raise", "divide": "raise"}])
def test_layer_norm_redoes_overflowed_rows_as_the_reference(dtype, callers):
    """Rows whose sums overflow (±1e19 in float32, ±1e155 in float64) are the ones the
    fast forward learns of from numpy's overflow signal; rows holding inf or NaN stay NaN
    without it. Same values and warnings as the reference, the caller's settings kept."""
    big = 1e19 if dtype == np.float32 else 1e155
    x = np.array([[big, -big, 0.5 * big, 3.0], [1.0, 2.0, np.inf, 4.0], [1.0, np.nan, 2.0, 0.0],
                  [3.0, 3.0, 3.0, 3.0], [0.1, -2.0, 5.0, 0.3]], dtype)
    w, b = np.linspace(0.5, 2.0, 4).astype(dtype), np.linspace(-1.0, 1.0, 4).astype(dtype)
    upstream = np.random.default_rng(0).standard_normal(x.shape).astype(dtype)
    (fast, fast_warned), (slow, slow_warned) = _warned_both_ways(
        lambda x, w, b: F.layer_norm(x, (4,), w, b), [x, w, b], upstream, **callers)
    _assert_bit_identical(fast, slow)
    assert fast_warned == slow_warned
    assert np.isfinite(fast[0][0]).all() and np.isnan(fast[0][1:3]).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from([(5, 8), (3, 4, 6), (2, 1), (1, 300)]),
       n_dims=st.sampled_from([1, 2]), affine=st.sampled_from(["wb", "w", "b", ""]),
       dtype=st.sampled_from([np.float32, np.float64]), scale=st.sampled_from([1e-3, 1.0, 1e19]),
       special=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_layer_norm_fast_path_is_the_reference_bit_for_bit(shape, n_dims, affine, dtype, scale,
                                                           special, seed):
    n_dims = min(n_dims, len(shape) - 1) or 1
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * scale).astype(dtype)
    if special:
        x.flat[rng.integers(0, x.size)] = rng.choice([np.nan, np.inf, 0.0])
        x[0] = 3.0  # a constant row
    normalized = shape[len(shape) - n_dims:]
    w = rng.standard_normal(normalized).astype(dtype)
    b = rng.standard_normal(normalized).astype(dtype)
    inputs = [x] + ([w] if "w" in affine else []) + ([b] if "b" in affine else [])

    def layer_norm(x, *params):
        weight = params[0] if "w" in affine else None
        bias = params[-1] if "b" in affine else None
        return F.layer_norm(x, normalized, weight, bias)

    upstream = rng.standard_normal(shape).astype(dtype)
    fast, fast_op = _run(layer_norm, inputs, upstream, True)
    slow, slow_op = _run(layer_norm, inputs, upstream, False)
    assert (fast_op.__module__, slow_op.__module__) == ("tinynet.ops._fast",
                                                        "tinynet.ops.layer_norm")
    _assert_bit_identical(fast, slow)


@settings(max_examples=30, deadline=None)
@given(lead=st.sampled_from([(1,), (6,), (2, 3)]), d_in=st.integers(1, 9),
       d_out=st.integers(1, 9), bias=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
def test_linear_fast_path_is_the_reference_bit_for_bit(lead, d_in, d_out, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal((*lead, d_in)).astype(dtype),
              rng.standard_normal((d_out, d_in)).astype(dtype)]
    inputs += [rng.standard_normal(d_out).astype(dtype)] if bias else []
    upstream = rng.standard_normal((*lead, d_out)).astype(dtype)
    fast, fast_op = _run(F.linear, inputs, upstream, True)
    slow, slow_op = _run(F.linear, inputs, upstream, False)
    assert (fast_op.__module__, slow_op.__module__) == ("tinynet.ops._fast", "tinynet.ops.linear")
    _assert_bit_identical(fast, slow)


@pytest.mark.parametrize("op", ["linear", "layer_norm"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_written_into_given_destinations_are_the_fresh_ones(op, dtype):
    """A replay's gradient buffer names where a parameter's gradient goes (``ctx.into``):
    the op returns those very arrays, holding the values it computes without them."""
    rng = np.random.default_rng(0)
    x = tn.tensor(rng.standard_normal((2, 5, 4)).astype(dtype))
    d_out = 3 if op == "linear" else 4
    w = tn.tensor(rng.standard_normal((d_out, 4) if op == "linear" else 4).astype(dtype),
                  requires_grad=True)
    b = tn.tensor(rng.standard_normal(d_out).astype(dtype), requires_grad=True)
    with tn.fast_paths(True):
        y = F.linear(x, w, b) if op == "linear" else F.layer_norm(x, (4,), w, b)
    ctx, upstream = y.grad_fn, rng.standard_normal(y.shape).astype(dtype)
    fresh = type(ctx).backward(ctx, upstream)
    flat = np.full(w.array.size + b.array.size + 1, np.nan, dtype)
    into_w = flat[1:1 + w.array.size].reshape(w.shape)
    into_b = flat[1 + w.array.size:]
    ctx.into = (None, into_w, into_b) + (None, None) * (op == "layer_norm")
    written = type(ctx).backward(ctx, upstream)
    assert written[1] is into_w and written[2] is into_b and np.isnan(flat[0])
    for a, b in zip(fresh, written):
        if a is not None:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("reference", sorted(fastpath._FAST_OF, key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_fast_op_subclasses_its_reference_and_keeps_its_name(reference):
    fast = fastpath._FAST_OF[reference]
    assert issubclass(fast, reference) and fast is not reference
    assert fast.__name__ == reference.__name__
    assert getattr(ops, reference.__name__) is reference   # tinynet.ops names the reference


def test_the_switch_chooses_the_class_that_runs():
    x = tn.randn(4, requires_grad=True)
    assert tn.fast_paths_enabled()
    assert type(F.gelu(x).grad_fn) is fastpath._FAST_OF[ops.GELU]
    with tn.fast_paths(False):
        assert not tn.fast_paths_enabled()
        assert type(F.gelu(x).grad_fn) is ops.GELU
    assert tn.fast_paths_enabled()
    tn.set_fast_paths(False)
    try:
        assert type(F.relu(x).grad_fn) is ops.ReLU
    finally:
        tn.set_fast_paths(True)


def test_the_context_manager_restores_the_switch_after_an_error():
    with pytest.raises(KeyError), tn.fast_paths(False):
        raise KeyError("inside")
    assert tn.fast_paths_enabled()


@pytest.mark.parametrize("call", [lambda: tn.set_fast_paths(1), lambda: tn.fast_paths("no")])
def test_the_switch_takes_a_bool(call):
    with pytest.raises(TypeError, match="enabled must be True or False"):
        call()


def test_the_environment_variable_turns_the_fast_paths_off():
    code = ("import tinynet as tn, tinynet.nn.functional as F; "
            "print(tn.fast_paths_enabled(), type(F.relu(tn.randn(2, requires_grad=True))"
            ".grad_fn).__module__)")
    env = dict(os.environ, TINYNET_FAST_PATHS="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out == ["False", "tinynet.ops.activation"]


def test_a_broken_op_in_the_classroom_breaks_the_reference_path():
    x = tn.tensor([0.5, -1.0, 2.0], dtype=tn.float64, requires_grad=True)
    with tn.classroom.broken("GELU", "sign_flip"):
        assert not tn.gradcheck(F.gelu, (x,), raise_exception=False)
    assert tn.gradcheck(F.gelu, (x,)) and tn.fast_paths_enabled()


@pytest.mark.parametrize("shape,normalized", [((), ()), ((3, 4), ())])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_layer_norm_over_no_axes_or_a_0d_input_is_the_reference(shape, normalized, dtype):
    """normalized_shape=() or a 0-d input: numpy's sums are scalars there, which the fast
    path's in-place steps cannot take; it runs the reference, values and gradients."""
    x = np.linspace(-1.0, 2.0, int(np.prod(shape))).reshape(shape).astype(dtype)
    upstream = np.ones(shape, dtype)
    fast, fast_op = _run(lambda t: F.layer_norm(t, normalized), [x], upstream, True)
    slow, _ = _run(lambda t: F.layer_norm(t, normalized), [x], upstream, False)
    _assert_bit_identical(fast, slow)
