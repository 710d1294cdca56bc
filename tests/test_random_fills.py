"""The in-place random fills (tensor_random.py): each distribution's moments against its
closed form, the bounds and dtypes PyTorch keeps, its keywords, and the errors for
parameters PyTorch refuses."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

N = 200_000  # draws per moment check: the sample mean's standard error is σ/√N ≈ 0.002σ


def draws(method, *args, dtype=tn.float64, **kwargs):
    t = tn.empty(N, dtype=dtype)
    out = getattr(t, method)(*args, generator=tn.Generator().manual_seed(5), **kwargs)
    assert out is t
    return t.array


# ---- each distribution's moments -------------------------------------------------------
@pytest.mark.parametrize("method, args, mean, var", [
    ("normal_", (2.0, 0.5), 2.0, 0.25),
    ("uniform_", (-1.0, 3.0), 1.0, 16 / 12),                    # (b - a)² / 12
    ("exponential_", (4.0,), 0.25, 1 / 16),                     # 1/λ, 1/λ²
    ("geometric_", (0.25,), 4.0, 0.75 / 0.25 ** 2),             # 1/p, (1 - p)/p²
    ("log_normal_", (0.1, 0.4), math.exp(0.1 + 0.08),           # e^(μ + σ²/2)
     (math.exp(0.16) - 1) * math.exp(0.2 + 0.16)),              # (e^σ² - 1) e^(2μ + σ²)
    ("bernoulli_", (0.3,), 0.3, 0.21),                          # p, p(1 - p)
    ("random_", (2, 7), 4.0, (5 ** 2 - 1) / 12),                # discrete U{2..6}
])
def test_fills_have_the_closed_form_moments(method, args, mean, var):
    x = draws(method, *args)
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(x.var() / var - 1) < 0.03


def test_cauchy_has_its_median_and_quartiles():
    x = draws("cauchy_", 1.5, 2.0)  # no mean: the quartiles are median ± σ
    q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(q2 - 1.5) < 0.03 and abs(q1 - (1.5 - 2.0)) < 0.05 and abs(q3 - 3.5) < 0.05


def test_discrete_fills_give_exactly_their_support():
    assert set(np.unique(draws("random_", 2, 7))) == {2, 3, 4, 5, 6}
    assert set(np.unique(draws("random_", 3))) == {0, 1, 2}
    assert set(np.unique(draws("bernoulli_", 0.5))) == {0.0, 1.0}
    g = draws("geometric_", 0.5)
    assert g.min() == 1 and np.all(g == np.round(g))


@settings(max_examples=40, deadline=None)
@given(low=st.floats(-1e3, 1e3), width=st.floats(0, 1e3),
       dtype=st.sampled_from([tn.float16, tn.float32, tn.float64]))
def test_uniform_stays_in_from_to_in_every_dtype(low, width, dtype):
    high = low + width
    t = tn.empty(2000, dtype=dtype).uniform_(low, high)
    lo, hi = np.asarray(low, t.array.dtype), np.asarray(high, t.array.dtype)
    assert t.dtype == dtype
    assert np.all(t.array >= min(lo, hi))
    if lo < hi:  # [from, to): no draw reaches ``to`` in the tensor's own dtype
        assert np.all(t.array < hi)


@pytest.mark.parametrize("dtype", [tn.uint8, tn.int8, tn.bool])
def test_random_without_to_reaches_the_dtypes_largest_value(dtype):
    t = tn.zeros(20_000, dtype=dtype).random_(generator=tn.Generator().manual_seed(0))
    info = np.iinfo(t.array.dtype) if t.array.dtype.kind != "b" else None
    assert t.dtype == dtype
    assert t.array.min() == 0 and t.array.max() == (info.max if info else True)


def test_bounds_may_be_0d_tensors_as_in_pytorch():
    t = tn.zeros(1000)
    assert t.uniform_(tn.tensor(2.0), 3).array.min() >= 2.0
    assert set(np.unique(t.random_(tn.tensor(3)).array)) == {0.0, 1.0, 2.0}
    with pytest.raises(TypeError, match=r"random_: to must be an integer, got tensor\(\[3\]\)"):
        t.random_(tn.tensor([3]))


@pytest.mark.filterwarnings("ignore:random_. integers beyond")
@pytest.mark.parametrize("dtype, low, high", [(tn.float16, 2040, 2060),
                                              (tn.float16, 0, 32768),
                                              (tn.float32, 2 ** 25 - 100, 2 ** 25)])
def test_float_random_stays_below_to_where_the_dtype_rounds(dtype, low, high):
    t = tn.zeros(50_000, dtype=dtype).random_(low, high, generator=tn.Generator().manual_seed(1))
    assert t.array.min() >= low and t.array.max() < high


def test_init_uniform_stays_below_b_in_float16_too():
    w = tn.nn.init.uniform_(tn.zeros(200_000, dtype=tn.float16), 0.0, 1.0,
                            generator=tn.Generator().manual_seed(0))
    assert w.array.max() < 1.0 and w.array.max() == np.nextafter(np.float16(1), np.float16(0))


def test_bernoulli_takes_a_tensor_of_probabilities_broadcast():
    t = tn.empty(4, 3, dtype=tn.int64).bernoulli_(tn.tensor([0.0, 1.0, 1.0]))
    np.testing.assert_array_equal(t.array, [[0, 1, 1]] * 4)
    assert t.dtype == tn.int64


def test_fills_follow_the_generator_and_count_a_version():
    for method, args in [("uniform_", ()), ("exponential_", ()), ("geometric_", (0.4,)),
                         ("log_normal_", ()), ("cauchy_", ()), ("bernoulli_", ()),
                         ("random_", (10,)), ("normal_", ())]:
        a, b = tn.empty(50), tn.empty(50)
        getattr(a, method)(*args, generator=tn.Generator().manual_seed(1))
        getattr(b, method)(*args, generator=tn.Generator().manual_seed(1))
        np.testing.assert_array_equal(a.array, b.array)
        version = a._version[0]
        getattr(a, method)(*args)
        assert a._version[0] == version + 1, method


def test_from_and_to_are_keywords():
    t = tn.empty(1000)
    assert t.uniform_(**{"from": -3.0, "to": -2.0}).array.max() < -2.0
    assert t.uniform_(to=0.5).array.min() >= 0.0 and t.array.max() < 0.5
    assert set(np.unique(t.random_(to=2).array)) == {0.0, 1.0}
    assert set(np.unique(t.random_(**{"from": 5, "to": 7}).array)) == {5.0, 6.0}
    with pytest.raises(TypeError, match="uniform_: got an unexpected keyword argument 'a' "
                                        r"\(its bounds are 'from' and 'to'\)"):
        t.uniform_(a=1.0)
    with pytest.raises(TypeError, match="uniform_: got multiple values for argument 'from'"):
        t.uniform_(1.0, **{"from": 0.0})
    with pytest.raises(TypeError, match=r"uniform_: takes at most 2 positional arguments "
                                        r"\(from, to\), got 3"):
        t.uniform_(0.0, 1.0, 2.0)


def test_a_fill_of_a_leaf_that_requires_grad_is_refused_as_fill_is():
    w = tn.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.uniform_()
    with tn.no_grad():
        w.uniform_(2.0, 3.0)
    assert np.all(w.array >= 2.0)


# ---- what PyTorch refuses, refused with the rule and the value ---------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda t: t.uniform_(2.0, 1.0), RuntimeError,
     r"uniform_: from must be <= to \(draws in \[from, to\)\), got from=2.0 and to=1.0"),
    (lambda t: t.uniform_(0.0, 1e39), RuntimeError,
     "uniform_: to must be a finite number of the tensor's dtype float32, got to=1e"),
    (lambda t: t.uniform_(float("nan"), 1.0), RuntimeError, "uniform_: from must be a finite"),
    (lambda t: t.uniform_(-3e38, 3e38), RuntimeError,
     "uniform_: to - from must be at most the largest float32"),
    (lambda t: t.normal_(0.0, -1.0), RuntimeError, "normal_: std must be >= 0, got -1.0"),
    (lambda t: t.normal_(0.0, float("nan")), RuntimeError, "normal_: std must be >= 0, got nan"),
    (lambda t: t.random_(1.5, 3), TypeError, "random_: from must be an integer, got 1.5"),
    (lambda t: t.random_(True, 3), TypeError, "random_: from must be an integer, got True"),
    (lambda t: t.random_(2, 2), RuntimeError,
     r"random_: from must be < to \(integers in \[from, to\)\), got from=2 and to=2"),
    (lambda t: tn.zeros(3, dtype=tn.uint8).random_(-1, 300), RuntimeError,
     r"random_: \[from, to\) must lie within the tensor's dtype uint8 \(0 to 255\), got "
     "from=-1 and to=300"),
    (lambda t: tn.zeros(3, dtype=tn.bool).random_(0, 3), RuntimeError,
     r"random_: \[from, to\) must lie within the tensor's dtype bool \(0 to 1\)"),
    (lambda t: t.exponential_(0.0), RuntimeError, "exponential_: lambd must be > 0, got lambd=0.0"),
    (lambda t: t.geometric_(1.0), RuntimeError, r"geometric_: p must be in \(0, 1\), got p=1.0"),
    (lambda t: t.geometric_(float("nan")), RuntimeError, r"geometric_: p must be in \(0, 1\)"),
    (lambda t: t.log_normal_(0.0, 0.0), RuntimeError, "log_normal_: std must be > 0, got std=0.0"),
    (lambda t: t.log_normal_(0.0, -1.0), RuntimeError,
     "log_normal_: std must be > 0, got std=-1.0"),
    (lambda t: tn.zeros(3, dtype=tn.float16).random_(0, 70000), RuntimeError,
     r"random_: \[from, to\) must lie within the tensor's dtype float16 and int64 "
     r"\(±65504\)"),
    (lambda t: tn.zeros(3, dtype=tn.bool).geometric_(0.5), TypeError,
     "geometric_: draws of 1, 2, ... need a tensor of numbers, got bool"),
    (lambda t: t.random_(**{"from": 3}), TypeError, "random_: from needs to as well"),
    (lambda t: tn.zeros(3, dtype=tn.float64).random_(0, 2 ** 70), RuntimeError,
     r"random_: \[from, to\) must lie within the tensor's dtype float64 and int64"),
    (lambda t: t.cauchy_(0.0, -1.0), RuntimeError, "cauchy_: sigma must be > 0, got sigma=-1.0"),
    (lambda t: t.bernoulli_(1.5), RuntimeError, r"bernoulli_: p must be in \[0, 1\], got p=1.5"),
    (lambda t: t.bernoulli_(tn.tensor([0.5, 2.0, 0.0])), RuntimeError,
     r"bernoulli_: every probability in p must be in \[0, 1\], got 2.0"),
    (lambda t: t.bernoulli_(tn.tensor([1, 0, 1])), TypeError,
     "bernoulli_: p must be a number or a floating-point tensor, got a tensor of int64"),
    (lambda t: t.bernoulli_(tn.ones(2, 3)), RuntimeError,
     r"bernoulli_: p of shape \(2, 3\) must broadcast to the tensor's shape \(3,\)"),
    (lambda t: tn.zeros(3, dtype=tn.int64).uniform_(), RuntimeError,
     "uniform_: draws from a continuous distribution need a floating-point tensor, got int64"),
    (lambda t: tn.zeros(3, dtype=tn.int32).normal_(), RuntimeError, "normal_: draws from a "),
    (lambda t: tn.nn.init.uniform_(t, 2.0, 1.0), RuntimeError, "uniform_: from must be <= to"),
    (lambda t: tn.nn.init.normal_(t, 0.0, -1.0), RuntimeError, "normal_: std must be >= 0"),
])
def test_bad_parameters_are_refused_with_the_rule(call, error, message):
    t = tn.zeros(3)
    before = t.array.copy()
    with pytest.raises(error, match=message):
        call(t)
    np.testing.assert_array_equal(t.array, before)  # nothing written


def test_float_bounds_beyond_the_exact_integers_warn():
    with pytest.warns(UserWarning, match=r"random_: integers beyond ±2\^24 are not all exact "
                                         "in float32"):
        tn.zeros(3).random_(0, 2 ** 25)


# ---- the same calls as PyTorch -----------------------------------------------------------
CALLS = [  # (method, args, kwargs): accepted or refused alike by both libraries
    ("uniform_", (), {"to": 2.0}), ("uniform_", (), {"from": 1.0, "to": 2.0}),
    ("uniform_", (), {"a": 1.0}), ("uniform_", (2.0, 1.0), {}), ("uniform_", (1.0, 1.0), {}),
    ("random_", (5,), {}), ("random_", (), {"to": 5}), ("random_", (2, 5), {}),
    ("random_", (1.5, 3), {}), ("random_", (3, 3), {}),
    ("normal_", (), {"mean": 1.0, "std": 2.0}), ("normal_", (0.0, -1.0), {}),
    ("exponential_", (), {"lambd": 2.0}), ("exponential_", (-1.0,), {}),
    ("geometric_", (), {"p": 0.5}), ("geometric_", (0.0,), {}),
    ("log_normal_", (), {"mean": 1.0, "std": 2.0}), ("log_normal_", (0.0, -1.0), {}),
    ("cauchy_", (), {"median": 0.0, "sigma": 1.0}), ("cauchy_", (0.0, 0.0), {}),
    ("bernoulli_", (), {"p": 0.5}), ("bernoulli_", (1.5,), {}),
]


@pytest.mark.parametrize("method, args, kwargs", CALLS)
def test_fills_accept_and_refuse_what_pytorch_does(method, args, kwargs):
    torch = pytest.importorskip("torch")

    def outcome(t):
        try:
            getattr(t, method)(*args, **kwargs)
        except (TypeError, RuntimeError) as error:
            return type(error)
        return tuple(t.shape)

    assert outcome(tn.zeros(4)) == outcome(torch.zeros(4))


def test_a_lazy_module_that_draws_at_its_first_call_only_is_replayed():
    tn.manual_seed(0)
    layer = tn.nn.LazyLinear(3)  # its first call draws the weights (nn.init)
    captured = tn.capture(lambda x: layer(x).sum())
    for _ in range(6):
        captured(tn.ones(2, 4)).backward()
    assert captured.replays == 4


def test_a_captured_function_that_draws_outside_an_op_runs_eagerly():
    # its two recorded calls may draw the same few values (a coin, 0 or 1): a replay
    # would then give them at every call; dropout, an op, draws anew at each replay
    w = tn.ones(4, requires_grad=True)

    def step(x):
        coins = tn.empty(4).bernoulli_(0.5) + tn.empty(4).random_(0, 2) + \
            tn.randint(0, 2, (4,))
        return (x * w * coins).sum()

    tn.manual_seed(3)
    captured = tn.capture(step)
    with pytest.warns(UserWarning, match="draws random values outside an op"):
        captured(tn.ones(4))
        captured(tn.ones(4))
    values = [captured(tn.ones(4)).item() for _ in range(30)]
    assert captured.replays == 0 and len(set(values)) > 1
    tn.manual_seed(3)
    expected = [step(tn.ones(4)).item() for _ in range(32)][2:]
    assert values == expected  # the eager draws, one after the other
