"""More of ``torch.nn``: the functional forms ``relu6``, ``hardsigmoid``, ``hardswish``,
``logsigmoid``, ``softsign``, ``threshold``, ``celu``, ``softshrink``, ``hardshrink``,
``tanhshrink``, ``normalize``, ``cosine_similarity``, ``pairwise_distance`` and ``pad``,
and their modules (``rrelu``, ``glu`` and ``softmin``: tests/test_activations_more.py).

Each is checked against a closed form (numpy), its gradient by finite differences
(``gradcheck`` in float64, away from kinks) and at the kinks by PyTorch's values, a
module against its functional form and its ``derivative`` against autograd, bad input by
its error; then against PyTorch (when installed)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinynet as tn
from op_checks import away_from, rand
from tinynet import nn
from tinynet.nn import functional as F


def leaf(values):
    return tn.tensor(values, dtype=tn.float64, requires_grad=True)


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))


# name: (functional form, module, numpy formula, kinks, f' at the kinks (PyTorch's))
ACTIVATIONS = {
    "relu6": (F.relu6, nn.ReLU6, lambda x: np.minimum(np.maximum(x, 0), 6), [0, 6], [0, 0]),
    "hardsigmoid": (F.hardsigmoid, nn.Hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1),
                    [-3, 3], [0, 0]),
    "hardswish": (F.hardswish, nn.Hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6,
                  [-3, 3], [0, 1]),
    "logsigmoid": (F.logsigmoid, nn.LogSigmoid, lambda x: np.log(_sigmoid(x)), [0], [0.5]),
    "softsign": (F.softsign, nn.Softsign, lambda x: x / (1 + np.abs(x)), [0], [1]),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda: nn.Threshold(0.5, -2.0),
                  lambda x: np.where(x > 0.5, x, -2.0), [0.5], [0]),
    # CELU's two branches meet with slope 1 at 0, for any α
    "celu": (lambda x: F.celu(x, 2.0), lambda: nn.CELU(2.0),
             lambda x: np.maximum(x, 0) + np.minimum(0, 2.0 * (np.exp(x / 2.0) - 1)), [0],
             [1]),
    "softshrink": (F.softshrink, nn.Softshrink,
                   lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
                   [-0.5, 0.5], [0, 0]),
    "hardshrink": (lambda x: F.hardshrink(x, 1.5), lambda: nn.Hardshrink(1.5),
                   lambda x: np.where(np.abs(x) > 1.5, x, 0), [-1.5, 1.5], [0, 0]),
    "tanhshrink": (F.tanhshrink, nn.Tanhshrink, lambda x: x - np.tanh(x), [0], [0]),
}
NAMES = sorted(ACTIVATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_each_name_is_public(name):
    module = ACTIVATIONS[name][1]()
    assert name in F.__all__ and type(module).__name__ in nn.__all__


@pytest.mark.parametrize("name", NAMES)
def test_activation_is_its_formula_with_the_gradient_of_finite_differences(name):
    fn, _, formula, kinks, _ = ACTIVATIONS[name]
    x = away_from(rand(200, low=-10, high=10), kinks)
    np.testing.assert_allclose(fn(tn.tensor(x)).array, formula(x), rtol=1e-12, atol=1e-15)
    assert tn.gradcheck(fn, (leaf(x),))


@pytest.mark.parametrize("name", NAMES)
def test_the_derivative_at_the_kinks_is_pytorchs(name):
    fn, _, _, kinks, slopes = ACTIVATIONS[name]
    x = leaf(kinks)
    fn(x).sum().backward()
    assert x.grad.tolist() == slopes


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_module_is_its_functional_form_and_its_derivative_is_autograds(name, dtype):
    fn, make, _, kinks, _ = ACTIVATIONS[name]
    values = np.concatenate([rand(50, low=-8, high=8), kinks, [-1e4, 1e4]])
    x = tn.tensor(values, dtype=dtype, requires_grad=True)
    y = make()(x)
    np.testing.assert_array_equal(y.array, fn(tn.tensor(values, dtype=dtype)).array)
    assert y.dtype == dtype
    y.sum().backward()
    d = make().derivative(x.array, y.array)
    assert d.dtype == dtype
    np.testing.assert_allclose(d, x.grad.array, rtol=1e-6 if dtype == tn.float32 else 1e-12,
                               atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_the_monitor_watches_each_module(name):
    module = ACTIVATIONS[name][1]()
    assert tn.diagnostics.is_activation(module)
    peak = tn.diagnostics.monitor.peak_derivative(module)
    grid = np.linspace(-10, 10, 20001)
    assert peak >= np.abs(module.derivative(grid, None)).max() - 1e-3  # the supremum
    model = nn.Sequential(nn.Linear(3, 4), module, nn.Linear(4, 2))
    with tn.diagnostics.Monitor(model, every=1) as monitor:
        model(tn.randn(8, 3)).sum().backward()
        layer = monitor.end_epoch()["layers"]["1"]
    assert layer["kind"] == type(module).__name__ and 0 <= layer["dead_rate"] <= 1


def test_logsigmoid_is_finite_and_quiet_everywhere():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (tn.float16, tn.float32, tn.float64):
            big = float(tn.finfo(dtype).max)
            x = tn.tensor([-big, -1000.0, -30.0, 0.0, 30.0, 1000.0, big], dtype=dtype,
                          requires_grad=True)
            y = F.logsigmoid(x)
            y.backward(tn.ones_like(y))
            assert np.isfinite(y.array).all() and np.isfinite(x.grad.array).all()
            assert y.dtype == dtype
            assert y.array[0] == -big and y.array[-1] == 0.0    # x, and 0, at the ends
    # e^-30 ≈ 9.4e-14: log σ(30) = -log(1 + e^-30) keeps it, as 1 - σ(-30) could not
    np.testing.assert_allclose(F.logsigmoid(tn.tensor([30.0], dtype=tn.float64)).array,
                               [-np.log1p(np.exp(-30.0))], rtol=1e-15)


def test_integer_inputs():
    assert F.relu6(tn.tensor([-1, 3, 9])).tolist() == [0, 3, 6]   # keeps ints, as PyTorch
    assert F.threshold(tn.tensor([1, 5]), 2, -1.5).tolist() == [-1, 5]
    assert F.softsign(tn.tensor([1, -3])).tolist() == [0.5, -0.75]
    with pytest.raises(TypeError, match="hardsigmoid: input must be a floating-point tensor"):
        F.hardsigmoid(tn.tensor([0]))  # no integer kernel in PyTorch either


def test_threshold_keeps_nan_and_checks_its_arguments():
    y = F.threshold(tn.tensor([np.nan, 0.0, 2.0]), 1.0, -1.0)
    assert np.isnan(y.array[0]) and y.tolist()[1:] == [-1.0, 2.0]
    assert F.threshold(tn.tensor([0.0, 2.0]), 1.0, -np.inf).tolist() == [-np.inf, 2.0]
    for build in (lambda: nn.Threshold(np.nan, 0.0), lambda: F.threshold(tn.zeros(1),
                                                                         np.nan, 0.0)):
        with pytest.raises(ValueError, match="hreshold: threshold must be a real number "
                                             r"\(not nan\), got nan"):
            build()
    with pytest.raises(TypeError, match="Threshold: value must be a real number, got 'a'"):
        nn.Threshold(0.0, "a")
    assert repr(nn.Threshold(0.5, -1.0)) == "Threshold(threshold=0.5, value=-1.0)"


# ---- normalize, cosine_similarity, pairwise_distance ----------------------------------------
@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (np.inf, 1)])
def test_normalize_divides_by_the_norm(p, dim):
    x = rand(4, 5)
    norm = np.linalg.norm(x, ord=p, axis=dim, keepdims=True)
    np.testing.assert_allclose(F.normalize(tn.tensor(x), p, dim).array, x / norm, rtol=1e-12)
    assert tn.gradcheck(lambda a: F.normalize(a, p, dim), (leaf(x),))


def test_normalize_of_a_zero_vector_divides_by_eps():
    x = leaf(np.zeros((1, 3)))
    y = F.normalize(x, eps=1e-6)
    y.sum().backward()
    assert y.tolist() == [[0.0, 0.0, 0.0]]
    np.testing.assert_allclose(x.grad.array, 1e6)   # d(x / eps)/dx; the norm's gradient is 0
    assert F.normalize(tn.tensor([[3.0, 4.0]])).tolist() == [[0.6000000238418579,
                                                               0.800000011920929]]


def test_cosine_similarity_closed_form_and_gradient():
    x1, x2 = rand(4, 5), rand(4, 5, seed=1)
    expected = (x1 * x2).sum(1) / (np.linalg.norm(x1, axis=1) * np.linalg.norm(x2, axis=1))
    got = F.cosine_similarity(tn.tensor(x1), tn.tensor(x2))
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    assert got.shape == (4,) and np.all(np.abs(got.array) <= 1)
    assert tn.gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=0), (leaf(x1), leaf(x2)))
    # broadcast first: a (1, 5) x2 against every row, its norm per row of the broadcast
    one = F.cosine_similarity(tn.tensor(x1), tn.tensor(x2[:1]), dim=1)
    np.testing.assert_allclose(one.array, F.cosine_similarity(
        tn.tensor(x1), tn.tensor(np.repeat(x2[:1], 4, 0))).array, rtol=1e-15)
    assert tn.gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=0), (leaf(x1),
                                                                         leaf(x2[:1])))
    u = F.cosine_similarity(tn.tensor([[1.0, 2.0]]), tn.tensor([[2.0, 4.0]]))
    assert abs(u.item() - 1.0) < 1e-6
    assert F.cosine_similarity(tn.zeros(1, 3), tn.ones(1, 3)).tolist() == [0.0]


@settings(max_examples=40, deadline=None)
@given(scale_exponent=st.integers(-35, 35), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**16))
def test_cosine_similarity_is_the_same_at_any_scale_without_overflow(scale_exponent, dtype,
                                                                      seed):
    # the squares inside the norms of 1e35-sized float32 vectors overflow (PyTorch's answer
    # is 0 there); the cosine does not depend on the scale, and eps is far below these norms
    x1, x2 = rand(3, 4, seed=seed), rand(3, 4, seed=seed + 1)
    expected = F.cosine_similarity(tn.tensor(x1), tn.tensor(x2)).array
    scale = 10.0 ** scale_exponent
    a, b = tn.tensor((x1 * scale).astype(dtype)), tn.tensor((x2 * scale).astype(dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow along the way
        got = F.cosine_similarity(a, b, eps=1e-8 * min(scale, 1.0) ** 2)
    assert got.dtype == tn.tensor(np.zeros(1, dtype)).dtype
    single = dtype == np.float32  # (a cosine near 0 has float32's absolute error, ~1e-8)
    np.testing.assert_allclose(got.array, expected, rtol=1e-5 if single else 1e-12,
                               atol=1e-6 if single else 1e-14)


def test_cosine_similarity_errors():
    with pytest.raises(RuntimeError, match=r"cosine_similarity: x1 of shape \(2, 3\) and x2 "
                                           r"of shape \(2, 4\) do not broadcast together"):
        F.cosine_similarity(tn.zeros(2, 3), tn.zeros(2, 4))
    with pytest.raises(TypeError, match="cosine_similarity: input must be a Tensor, got "
                                        "ndarray"):
        F.cosine_similarity(np.zeros((2, 3)), tn.zeros(2, 3))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_pairwise_distance(p):
    x1, x2 = rand(4, 5), rand(4, 5, seed=1)
    expected = np.linalg.norm(x1 - x2 + 1e-6, ord=p, axis=-1)
    got = F.pairwise_distance(tn.tensor(x1), tn.tensor(x2), p)
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    keep = F.pairwise_distance(tn.tensor(x1), tn.tensor(x2[0]), p, keepdim=True)
    assert keep.shape == (4, 1)
    assert tn.gradcheck(lambda a, b: F.pairwise_distance(a, b, p), (leaf(x1), leaf(x2)))
    same = leaf([[1.0, 2.0]])  # x1 = x2: eps keeps the gradient finite
    F.pairwise_distance(same, same.detach()).sum().backward()
    assert np.isfinite(same.grad.array).all()


def test_distance_modules_are_their_functional_forms():
    x1, x2 = tn.tensor(rand(3, 4)), tn.tensor(rand(3, 4, seed=1))
    np.testing.assert_array_equal(nn.CosineSimilarity(dim=0, eps=1e-3)(x1, x2).array,
                                  F.cosine_similarity(x1, x2, 0, 1e-3).array)
    np.testing.assert_array_equal(nn.PairwiseDistance(1.0, 0.1, True)(x1, x2).array,
                                  F.pairwise_distance(x1, x2, 1.0, 0.1, True).array)


# ---- pad ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("amounts", [(1, 2), (0, 1, 2, 0), (2, 0, 1, 1, 0, 1), (0, 0), ()])
def test_pad_is_numpys_constant_pad(amounts):
    x = rand(2, 3, 4)
    widths = [(0, 0)] * (3 - len(amounts) // 2) + [
        (amounts[2 * k], amounts[2 * k + 1]) for k in reversed(range(len(amounts) // 2))]
    got = F.pad(tn.tensor(x), amounts, value=-7.0)
    np.testing.assert_array_equal(got.array, np.pad(x, widths, constant_values=-7.0))
    weights = tn.tensor(rand(*got.shape, seed=3))
    assert tn.gradcheck(lambda a: (F.pad(a, amounts) * weights).sum(), (leaf(x),))


def test_negative_pad_crops_and_the_result_is_new():
    x = tn.tensor(np.arange(6.0).reshape(2, 3))
    assert F.pad(x, (-1, 1)).tolist() == [[1.0, 2.0, 0.0], [4.0, 5.0, 0.0]]
    assert F.pad(x, (0, 0, -1, 0)).tolist() == [[3.0, 4.0, 5.0]]
    assert F.pad(x, (-3, 0)).shape == (2, 0)
    same = F.pad(x, (0, 0))
    assert same is not x and same.array is not x.array and same.tolist() == x.tolist()
    a = leaf(np.arange(4.0))
    F.pad(a, (-1, -1)).sum().backward()   # only the kept elements get a gradient
    assert a.grad.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert F.pad(tn.tensor([1, 2]), (1, 1), value=2.7).tolist() == [2, 1, 2, 2]


@pytest.mark.parametrize("amounts, error, message", [
    ((1,), RuntimeError, r"pad: pad must hold an even number of amounts, two per padded dim, "
                         r"at most 4 \(the input has 2 dims\), got 1: \(1,\)"),
    ((1, 1, 1, 1, 1, 1), RuntimeError, "got 6"),
    ((-2, -2), RuntimeError, r"pad: the negative amounts \(-2, -2\) remove more than the 3 "
                             r"elements of dim 1"),
    ((1, 1.5), TypeError, "pad: pad must be an integer, got 1.5"),
    (3, TypeError, "pad: pad must be a tuple or list of ints, got int"),
])
def test_pad_errors(amounts, error, message):
    with pytest.raises(error, match=message):
        F.pad(tn.zeros(2, 3), amounts)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "nearest"])
def test_pad_modes_other_than_constant_are_not_implemented(mode):
    with pytest.raises(NotImplementedError, match=f"pad: mode '{mode}' is not implemented "
                                                  f"\\(only 'constant'"):
        F.pad(tn.zeros(2, 3), (1, 1), mode=mode)


def test_the_composed_functions_replay_in_tn_capture():
    """They read no values into Python: a captured step replays, bit for bit."""
    tn.manual_seed(0)
    model = nn.Linear(3, 4)

    def loss_of(x):
        h = model(x)
        parts = (F.normalize(h), F.cosine_similarity(h, x[:, :1]).unsqueeze(1),
                 F.pairwise_distance(h, h.flip(0)).unsqueeze(1), F.logsigmoid(h),
                 F.softsign(h), F.hardswish(h), F.hardsigmoid(h), F.relu6(h),
                 F.threshold(h, 0.1, -1.0), F.pad(h, (1, -1)))
        return sum((p ** 2).sum() for p in parts)

    step = tn.capture(loss_of)
    for x in (tn.ones(5, 3), tn.ones(5, 3), tn.randn(5, 3)):
        model.zero_grad()
        loss = step(x)
        loss.backward()
    grad = model.weight.grad.array.copy()
    assert step.replays == 1
    model.zero_grad()
    eager = loss_of(x)
    eager.backward()
    assert loss.item() == eager.item()
    np.testing.assert_array_equal(model.weight.grad.array, grad)


# ---- against PyTorch ------------------------------------------------------------------------
class TestAgainstPyTorch:
    @pytest.fixture(autouse=True)
    def _torch(self):
        self.torch = pytest.importorskip("torch")
        self.F = self.torch.nn.functional

    def check(self, tn_fn, torch_fn, *arrays, rtol=1e-12, atol=1e-15):
        ours = [tn.tensor(a, requires_grad=True) for a in arrays]
        theirs = [self.torch.tensor(a, requires_grad=True) for a in arrays]
        y, y_ref = tn_fn(*ours), torch_fn(*theirs)
        assert y.shape == tuple(y_ref.shape) and y.dtype == y_ref.detach().numpy().dtype
        np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=rtol, atol=atol)
        v = np.random.default_rng(1).standard_normal(y.shape)
        y.backward(tn.tensor(v))
        y_ref.backward(self.torch.tensor(v))
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=atol)

    @pytest.mark.parametrize("name", NAMES)
    def test_activation(self, name):
        fn, make, _, kinks, _ = ACTIVATIONS[name]
        x = np.concatenate([rand(60, low=-10, high=10), kinks, [-50.0, 50.0, -800.0]])
        theirs = {"threshold": lambda a: self.F.threshold(a, 0.5, -2.0),
                  "celu": lambda a: self.F.celu(a, 2.0),
                  "hardshrink": lambda a: self.F.hardshrink(a, 1.5)}.get(
            name, getattr(self.F, name))
        # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (1.0f / 6.0f)
        rtol = 1e-7 if name == "hardsigmoid" else 1e-12
        self.check(fn, theirs, x, rtol=rtol)
        module = make()
        torch_module = {"threshold": lambda: self.torch.nn.Threshold(0.5, -2.0),
                        "celu": lambda: self.torch.nn.CELU(2.0),
                        "hardshrink": lambda: self.torch.nn.Hardshrink(1.5)}.get(
            name, getattr(self.torch.nn, type(module).__name__))()
        self.check(module, torch_module, x, rtol=rtol)
        assert repr(module) == repr(torch_module)

    @pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
    def test_normalize(self, p, dim):
        x = rand(4, 5)
        x[1] = 0.0                         # a zero row: divided by eps in both
        self.check(lambda a: F.normalize(a, p, dim),
                   lambda a: self.F.normalize(a, p, dim), x)

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_cosine_similarity(self, dim):
        x1, x2 = rand(4, 5), rand(4, 5, seed=1)
        x1[2], x2[0] = 1e-10, 0.0          # norms below eps: PyTorch's unclamped gradient
        self.check(lambda a, b: F.cosine_similarity(a, b, dim),
                   lambda a, b: self.F.cosine_similarity(a, b, dim), x1, x2, rtol=1e-10)
        self.check(lambda a, b: F.cosine_similarity(a, b, dim),
                   lambda a, b: self.F.cosine_similarity(a, b, dim), x1, x2[:1], rtol=1e-10)
        module = nn.CosineSimilarity(dim, 1e-3)
        self.check(module, self.torch.nn.CosineSimilarity(dim, 1e-3), x1, x2)

    @pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.0, False)])
    def test_pairwise_distance(self, p, keepdim):
        x1, x2 = rand(4, 5), rand(4, 5, seed=1)
        self.check(lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim),
                   lambda a, b: self.F.pairwise_distance(a, b, p, keepdim=keepdim), x1, x2)
        self.check(nn.PairwiseDistance(p, 1e-3, keepdim),
                   self.torch.nn.PairwiseDistance(p, 1e-3, keepdim), x1, x2[0])

    @pytest.mark.parametrize("amounts", [(1, 2), (0, 1, 2, 0), (-1, 2, 1, -1), (2, 0, 0, 0, 1, 1)])
    def test_pad(self, amounts):
        self.check(lambda a: F.pad(a, amounts, value=0.5),
                   lambda a: self.F.pad(a, amounts, value=0.5), rand(2, 3, 4))


# ---- nn.init: trunc_normal_, orthogonal_, eye_ ------------------------------------------------
def _phi(z):
    return np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


def _Phi(z):
    from scipy.special import ndtr
    return ndtr(z)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, -1.0, 2.0),
                                             (0.0, 0.02, -0.04, 0.04), (3.0, 1.0, 2.5, 10.0)])
def test_trunc_normal_has_the_truncated_moments_and_bounds(mean, std, a, b):
    t = tn.empty(200_000, dtype=tn.float64)
    assert tn.nn.init.trunc_normal_(t, mean, std, a, b, generator=tn.Generator().manual_seed(0)) \
        is t
    x = t.array
    assert x.min() >= a and x.max() <= b
    # the truncated normal's moments: with α = (a - μ)/σ, β = (b - μ)/σ, Z = Φ(β) - Φ(α),
    # mean μ + σ(φ(α) - φ(β))/Z, variance σ²(1 + (αφ(α) - βφ(β))/Z - ((φ(α) - φ(β))/Z)²)
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _Phi(beta) - _Phi(alpha)
    shift = (_phi(alpha) - _phi(beta)) / z
    var = std ** 2 * (1 + (alpha * _phi(alpha) - beta * _phi(beta)) / z - shift ** 2)
    se = np.sqrt(var / x.size)
    assert abs(x.mean() - (mean + std * shift)) < 5 * se
    assert abs(x.var() / var - 1) < 0.02


def test_trunc_normal_is_deterministic_and_keeps_the_dtype():
    def draw():
        tn.manual_seed(7)
        return tn.nn.init.trunc_normal_(tn.empty(4, 5), std=0.02, a=-0.04, b=0.04)

    first, second = draw(), draw()
    np.testing.assert_array_equal(first.array, second.array)
    assert first.dtype == tn.float32 and np.abs(first.array).max() <= 0.04
    g = [tn.nn.init.trunc_normal_(tn.empty(6), generator=tn.Generator().manual_seed(1))
         for _ in range(2)]
    np.testing.assert_array_equal(g[0].array, g[1].array)
    p = nn.Linear(3, 2).weight
    version = p._version[0]
    tn.nn.init.trunc_normal_(p)           # a parameter that requires grad: filled in place
    assert p.requires_grad and p._version[0] == version + 1


def test_trunc_normal_errors_and_warning():
    t = tn.empty(3)
    with pytest.raises(ValueError, match="trunc_normal_: std must be a finite number > 0, "
                                         "got 0.0"):
        tn.nn.init.trunc_normal_(t, std=0.0)
    with pytest.raises(ValueError, match=r"trunc_normal_: a must be < b \(the interval "
                                         r"\[a, b\]\), got a=1.0 and b=1.0"):
        tn.nn.init.trunc_normal_(t, a=1.0, b=1.0)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        tn.nn.init.trunc_normal_(t, mean=5.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (4, 2, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, gain):
    W = tn.nn.init.orthogonal_(tn.empty(*shape, dtype=tn.float64), gain,
                               generator=tn.Generator().manual_seed(0))
    flat = W.array.reshape(shape[0], -1)
    rows, cols = flat.shape
    product = flat @ flat.T if rows <= cols else flat.T @ flat   # gain²·I of the smaller side
    np.testing.assert_allclose(product, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_uniform_and_deterministic():
    # over the orthogonal group each entry of an n×n Q has E[q²] = 1/n and E[q] = 0
    tn.manual_seed(3)
    draws = np.stack([tn.nn.init.orthogonal_(tn.empty(4, 4, dtype=tn.float64)).array
                      for _ in range(2000)])
    np.testing.assert_allclose((draws ** 2).mean(0), 0.25, atol=0.03)
    np.testing.assert_allclose(draws.mean(0), 0.0, atol=0.05)
    tn.manual_seed(3)
    np.testing.assert_array_equal(tn.nn.init.orthogonal_(tn.empty(4, 4, dtype=tn.float64)).array,
                                  draws[0])
    assert tn.nn.init.orthogonal_(tn.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match=r"orthogonal_: tensor must have at least 2 dimensions, "
                                         r"got shape \(3,\)"):
        tn.nn.init.orthogonal_(tn.empty(3))


def test_eye():
    assert tn.nn.init.eye_(tn.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tn.nn.init.eye_(tn.empty(3, 2, dtype=tn.float64)).tolist() == [[1, 0], [0, 1], [0, 0]]
    with pytest.raises(ValueError, match=r"eye_: tensor must have 2 dimensions, got shape "
                                         r"\(2, 2, 2\)"):
        tn.nn.init.eye_(tn.empty(2, 2, 2))


@pytest.mark.parametrize("name", ["trunc_normal_", "orthogonal_", "eye_"])
def test_init_names_are_public(name):
    assert name in tn.nn.init.__all__


# ---- nn.utils: parameters_to_vector, vector_to_parameters -----------------------------------
def test_parameters_to_vector_joins_them_in_order_and_is_differentiable():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    params = list(model.parameters())
    vec = tn.nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (11,)
    np.testing.assert_array_equal(vec.array, np.concatenate([p.array.ravel() for p in params]))
    weights = tn.arange(11.0)
    (vec * weights).sum().backward()                    # dL/dp = its slice of the weights
    start = 0
    for p in params:
        np.testing.assert_array_equal(p.grad.array.ravel(), np.arange(start, start + p.numel()))
        start += p.numel()
    single = tn.ones(2, 3)
    assert tn.nn.utils.parameters_to_vector(single).shape == (6,)


def test_vector_to_parameters_round_trip():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    vec = tn.nn.utils.parameters_to_vector(source.parameters()).detach()
    weight = target.weight
    tn.nn.utils.vector_to_parameters(vec, target.parameters())
    assert target.weight is weight and weight.requires_grad and weight.grad_fn is None
    for p, q in zip(source.parameters(), target.parameters()):
        np.testing.assert_array_equal(p.array, q.array)
    vec.array[0] = 42.0                                 # as in PyTorch: the same memory
    assert target.weight.array[0, 0] == 42.0
    tn.nn.utils.vector_to_parameters(tn.zeros(10, dtype=tn.float64), target.parameters())
    assert target.weight.dtype == tn.float64            # vec's dtype, as in PyTorch
    assert target.bias.tolist() == [0.0, 0.0]


def test_vector_utils_errors():
    lin = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="vector_to_parameters: vec must be a Tensor, got list"):
        tn.nn.utils.vector_to_parameters([1.0] * 8, lin.parameters())
    with pytest.raises(ValueError, match=r"vector_to_parameters: vec must be 1-D, got shape "
                                         r"\(2, 4\)"):
        tn.nn.utils.vector_to_parameters(tn.zeros(2, 4), lin.parameters())
    with pytest.raises(ValueError, match="vector_to_parameters: vec must have at least 8 "
                                         "elements .*got 7"):
        tn.nn.utils.vector_to_parameters(tn.zeros(7), lin.parameters())
    with pytest.raises(TypeError, match="parameters_to_vector: parameters must be tensors, got "
                                        "ndarray at position 1"):
        tn.nn.utils.parameters_to_vector([lin.weight, np.zeros(2)])
    with pytest.raises(ValueError, match="parameters_to_vector: parameters must hold at least "
                                         "one tensor, got none"):
        tn.nn.utils.parameters_to_vector([])


def test_vector_utils_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    values = rng.standard_normal(11)
    results = []
    for lib in (tn, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1)).double()
        lib.nn.utils.vector_to_parameters(lib.tensor(values), model.parameters())
        vec = lib.nn.utils.parameters_to_vector(model.parameters())
        (vec * lib.arange(11.0, dtype=lib.float64)).sum().backward()
        results.append([vec.detach().numpy()] + [p.grad.numpy() for p in model.parameters()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_eye_against_pytorch():
    torch = pytest.importorskip("torch")
    for shape in ((2, 3), (3, 3), (4, 1)):
        np.testing.assert_array_equal(tn.nn.init.eye_(tn.empty(*shape)).array,
                                      torch.nn.init.eye_(torch.empty(*shape)).numpy())


@pytest.mark.parametrize("name", ["hardsigmoid", "hardswish", "logsigmoid", "softsign"])
def test_each_activation_is_one_node_whose_saved_derivative_the_monitor_reads(name):
    x = tn.tensor(np.linspace(-5, 5, 41), requires_grad=True)
    y = getattr(tn.nn.functional, name)(x)
    ctx = y.grad_fn
    assert ctx.next_nodes == (x,)  # straight from the input: one op
    module = {"hardsigmoid": tn.nn.Hardsigmoid, "hardswish": tn.nn.Hardswish,
              "logsigmoid": tn.nn.LogSigmoid, "softsign": tn.nn.Softsign}[name]()
    assert isinstance(ctx, module.op)
    saved = ctx.saved_derivative(ctx)
    np.testing.assert_array_equal(saved, module.derivative(x.array, y.array))
    y.sum().backward()  # d(Σy)/dx is the derivative itself
    np.testing.assert_array_equal(saved, x.grad.numpy())


# ---- Bilinear -----------------------------------------------------------------------------

def test_bilinear_is_x1_w_x2_plus_b():
    layer = tn.nn.Bilinear(2, 3, 2, dtype=tn.float64)
    w = np.arange(12.0).reshape(2, 2, 3) / 10
    layer.weight.data = tn.tensor(w)
    layer.bias.data = tn.tensor([1.0, -1.0])
    x1, x2 = np.array([[1.0, -2.0]]), np.array([[0.5, 0.0, 3.0]])
    y = layer(tn.tensor(x1), tn.tensor(x2))
    expected = [x1[0] @ w[o] @ x2[0] + b for o, b in enumerate([1.0, -1.0])]
    np.testing.assert_allclose(y.array, [expected], rtol=1e-15)
    assert layer(tn.ones(4, 5, 2, dtype=tn.float64), tn.ones(4, 5, 3, dtype=tn.float64)).shape \
        == (4, 5, 2)
    assert tn.nn.Bilinear(2, 3, 2, bias=False).bias is None


def test_bilinear_gradients_and_initial_values():
    tn.manual_seed(0)
    layer = tn.nn.Bilinear(4, 3, 5, dtype=tn.float64)
    assert np.abs(layer.weight.array).max() <= 0.5 and np.abs(layer.bias.array).max() <= 0.5
    assert layer.weight.shape == (5, 4, 3) and np.abs(layer.weight.array).max() > 0.4
    x1 = tn.tensor(np.random.default_rng(0).standard_normal((2, 4)), requires_grad=True)
    x2 = tn.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    assert tn.gradcheck(lambda a, b, w, c: tn.nn.functional.bilinear(a, b, w, c),
                        (x1, x2, layer.weight, layer.bias))


def test_bilinear_matches_pytorch():
    torch = pytest.importorskip("torch")
    tn.manual_seed(0)
    ours = tn.nn.Bilinear(4, 3, 5, dtype=tn.float64)
    theirs = torch.nn.Bilinear(4, 3, 5, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.array))
        theirs.bias.copy_(torch.tensor(ours.bias.array))
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 6, 4)), rng.standard_normal((2, 6, 3))
    y = ours(tn.tensor(a), tn.tensor(b))
    y_ref = theirs(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    y_ref.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.bias.grad.array, theirs.bias.grad.numpy(), rtol=1e-12)
    assert repr(ours).replace("tinynet", "") == repr(theirs)


@pytest.mark.parametrize("call, error, words", [
    (lambda layer: layer(tn.ones(2, 4), tn.ones(2, 4)), ValueError,
     r"bilinear: input1 \(\*, D1\), input2 \(\*, D2\) and weight \(D_out, D1, D2\) must "
     r"agree, got shapes \(2, 4\), \(2, 4\) and \(5, 4, 3\)"),
    (lambda layer: layer(tn.ones(2, 4), tn.ones(3, 3)), ValueError, "must agree"),
    (lambda layer: layer(np.ones((2, 4)), tn.ones(2, 3)), TypeError,
     "bilinear: input1 must be a Tensor, got ndarray"),
    (lambda layer: layer(tn.ones(2, 4, dtype=tn.float64), tn.ones(2, 3)), TypeError,
     "bilinear: input must have the weight's dtype float32, got float64"),
    (lambda layer: tn.nn.functional.bilinear(tn.ones(2, 4), tn.ones(2, 3), layer.weight,
                                             tn.ones(3)), ValueError,
     r"bilinear: bias must have shape \(5,\) \(D_out\), got \(3,\)"),
    (lambda layer: tn.nn.Bilinear(2, 3, 4, device="cuda"), RuntimeError,
     "Bilinear: tinynet runs on the CPU only, got device 'cuda'"),
])
def test_bilinear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call(tn.nn.Bilinear(4, 3, 5))


# ---- RMSNorm ------------------------------------------------------------------------------

def test_rms_norm_divides_by_the_root_mean_square():
    x = tn.tensor([[3.0, -4.0], [1.0, 1.0]], dtype=tn.float64)
    y = tn.nn.RMSNorm(2, eps=0.0, dtype=tn.float64)(x)  # rms 3.5355..., 1
    np.testing.assert_allclose(y.array, [[3 / np.sqrt(12.5), -4 / np.sqrt(12.5)], [1, 1]],
                               rtol=1e-15)
    eps = np.finfo(np.float32).eps  # the default: the input's machine epsilon
    z = tn.nn.functional.rms_norm(tn.tensor([[0.0, 1e-4]]), 2)
    np.testing.assert_allclose(z.array, [[0.0, 1e-4 / np.sqrt(0.5e-8 + eps)]], rtol=1e-6)
    assert tn.nn.RMSNorm((2, 3), elementwise_affine=False).weight is None
    x = tn.tensor(np.random.default_rng(0).standard_normal((2, 4)), requires_grad=True)
    layer = tn.nn.RMSNorm(4, eps=1e-3, dtype=tn.float64)
    assert tn.gradcheck(lambda a, w: tn.nn.functional.rms_norm(a, (4,), w, 1e-3),
                        (x, layer.weight))


def test_rms_norm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 2, 3))
    for shape, eps, affine in [(3, None, True), ((2, 3), 1e-3, True), (3, 0.0, False)]:
        ours = tn.nn.RMSNorm(shape, eps=eps, elementwise_affine=affine, dtype=tn.float64)
        theirs = torch.nn.RMSNorm(shape, eps=eps, elementwise_affine=affine,
                                  dtype=torch.float64)
        if affine:
            w = rng.standard_normal(ours.weight.shape)
            ours.weight.data, theirs.weight.data = tn.tensor(w), torch.tensor(w)
        a, b = tn.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
        y, y_ref = ours(a), theirs(b)
        np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-12)
        (y * y).sum().backward()
        (y_ref * y_ref).sum().backward()
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-12)
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("call, error, words", [
    (lambda: tn.nn.RMSNorm(3)(tn.ones(2, 4)), ValueError,
     r"rms_norm: input must be a tensor of trailing shape \(3,\) \(normalized_shape\), got "
     r"\(2, 4\)"),
    (lambda: tn.nn.RMSNorm(3, eps=-1.0), ValueError,
     "RMSNorm: eps must be a finite number >= 0, got -1.0"),
    (lambda: tn.nn.RMSNorm(0), ValueError, "RMSNorm: normalized_shape must be"),
    (lambda: tn.nn.RMSNorm(3)(tn.ones(2, 3, dtype=tn.float64)), TypeError,
     "rms_norm: input must have the weight's dtype float32, got float64"),
])
def test_rms_norm_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---- GroupNorm ------------------------------------------------------------------------------

def test_group_norm_standardises_each_group_of_channels():
    x = tn.tensor([[1.0, 3.0, 4.0, 6.0], [0.0, 2.0, -1.0, 5.0]], dtype=tn.float64)
    y = tn.nn.GroupNorm(2, 4, eps=0.0, dtype=tn.float64)(x)  # groups (1, 3), (4, 6)...
    np.testing.assert_allclose(y.array, [[-1, 1, -1, 1], [-1, 1, -1, 1]], atol=1e-15)
    flat = tn.nn.GroupNorm(2, 4)(tn.tensor([[5.0, 5.0, 1.0, 1.0]]))  # ε keeps 0/0 away
    assert flat.tolist() == [[0.0, 0.0, 0.0, 0.0]]
    layer = tn.nn.GroupNorm(2, 4, dtype=tn.float64)
    with tn.no_grad():
        layer.weight.copy_(tn.tensor([1.0, 2.0, 3.0, 4.0], dtype=tn.float64))
        layer.bias.fill_(0.5)
    x = tn.tensor(np.random.default_rng(0).standard_normal((3, 4, 5)), requires_grad=True)
    assert tn.gradcheck(lambda a, w, b: tn.nn.functional.group_norm(a, 2, w, b),
                        (x, layer.weight, layer.bias))
    assert tn.nn.GroupNorm(2, 4, affine=False).weight is None
    assert tn.nn.GroupNorm(2, 4, bias=False).bias is None
    layer.reset_parameters()  # γ back to 1, β to 0, in place
    assert layer.weight.tolist() == [1.0] * 4 and layer.bias.tolist() == [0.0] * 4


def test_group_norm_of_huge_values_is_their_standardised_pattern():
    # (the squares of 1e200s overflow: their variance, taken directly, is inf)
    x = tn.tensor([[1.0, 2.0, 3.0, -1.0, 1.0, 0.0]], dtype=tn.float64) * 1e200
    y = tn.nn.functional.group_norm(x, 2, eps=0.0)
    r = 1.5 ** 0.5
    np.testing.assert_allclose(y.array, [[-r, 0.0, r, -r, r, 0.0]], rtol=1e-12, atol=1e-15)


def test_group_norm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for shape, groups, affine in [((4, 6), 3, True), ((2, 4, 5), 2, True), ((3, 6, 2, 2), 6,
                                                                           False)]:
        ours = tn.nn.GroupNorm(groups, shape[1], affine=affine, dtype=tn.float64)
        theirs = torch.nn.GroupNorm(groups, shape[1], affine=affine, dtype=torch.float64)
        if affine:
            w, b = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
            ours.weight.data, theirs.weight.data = tn.tensor(w), torch.tensor(w)
            ours.bias.data, theirs.bias.data = tn.tensor(b), torch.tensor(b)
        x0 = rng.standard_normal(shape)
        a, b = tn.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
        y, y_ref = ours(a), theirs(b)
        np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        (y * y).sum().backward()
        (y_ref * y_ref).sum().backward()
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-9, atol=1e-11)
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("call, error, words", [
    (lambda: tn.nn.GroupNorm(3, 4), ValueError,
     r"GroupNorm: num_channels \(4\) must divide into num_groups \(3\) groups"),
    (lambda: tn.nn.GroupNorm(2, 4)(tn.ones(3, 6)), ValueError,
     r"group_norm: weight must have shape \(6,\) \(one per channel\), got \(4,\)"),
    (lambda: tn.nn.GroupNorm(2, 4)(tn.ones(4)), ValueError,
     r"group_norm: input must be a tensor of shape \(N, C, \*\), got \(4,\)"),
    (lambda: tn.nn.functional.group_norm(tn.ones(2, 6), 4), ValueError,
     r"group_norm: the input's channels \(dimension 1, 6\) must divide into num_groups "
     r"\(4\) groups"),
    (lambda: tn.nn.GroupNorm(0, 4), ValueError, "GroupNorm: num_groups must be an integer"),
])
def test_group_norm_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_rms_norm_of_float16_normalises_in_float32_as_pytorch():
    # rms of [0.01, 0.02, -0.01] is √(2e-4): float16's own epsilon (1e-3) would swamp it
    x = tn.tensor([[0.01, 0.02, -0.01]], dtype=tn.float16, requires_grad=True)
    y = tn.nn.RMSNorm(3).half()(x)
    assert y.dtype == tn.float16
    np.testing.assert_allclose(y.detach().numpy().astype(np.float64),
                               [[0.7071, 1.4142, -0.7071]], rtol=2e-3)
    y.sum().backward()
    assert x.grad.dtype == tn.float16 and np.isfinite(x.grad.numpy()).all()
