"""The margin, ranking, embedding and likelihood losses (composed of tensor ops):
hand-worked values, the definitions written as loops over shapes drawn by hypothesis,
finite differences in float64, PyTorch's values and gradients in float32 and float64 for
every reduction and option, the gradients at the kinks and at the clamp of
GaussianNLLLoss's variance, empty batches, and the errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F

REDUCTIONS = ["none", "mean", "sum"]


def t64(values, grad=False):
    return tn.tensor(np.asarray(values, dtype=np.float64), requires_grad=grad)


# ---- hand-worked values -----------------------------------------------------------------
@pytest.mark.parametrize("call, expected", [
    # max(0, -y·(x1 - x2) + 0.5): y = 1: -(2 - 1) + .5 < 0, -(0.5 - 1) + .5 = 1;
    # y = -1: (0 - 1) + .5 < 0, (3 - 1) + .5 = 2.5
    (lambda: F.margin_ranking_loss(t64([2.0, 0.5, 0.0, 3.0]), t64([1.0, 1.0, 1.0, 1.0]),
                                   t64([1, 1, -1, -1]), 0.5, "none"), [0.0, 1.0, 0.0, 2.5]),
    # y = 1: x itself; y = -1: max(0, 1 - x)
    (lambda: F.hinge_embedding_loss(t64([0.3, 0.25, 2.0]), t64([1, -1, -1]), reduction="none"),
     [0.3, 0.75, 0.0]),
    # log(1 + e^(-yx)): log 2; log(1 + e^-1); log(1 + e^2)
    (lambda: F.soft_margin_loss(t64([0.0, 1.0, 2.0]), t64([1, 1, -1]), "none"),
     [math.log(2), math.log1p(math.exp(-1)), math.log1p(math.exp(2))]),
    # per class -log σ(x) where y = 1, -log σ(-x) where y = 0: log(1 + e^-2) for x = 2,
    # log(1 + e^-1) for x = -1, averaged over the 2 classes
    (lambda: F.multilabel_soft_margin_loss(t64([[2.0, -1.0]]), t64([[1.0, 0.0]]),
                                           reduction="none"),
     [(math.log1p(math.exp(-2)) + math.log1p(math.exp(-1))) / 2]),
    # with weight (3, 1): (3·log(1 + e^-2) + log(1 + e^-1)) / 2
    (lambda: F.multilabel_soft_margin_loss(t64([[2.0, -1.0]]), t64([[1.0, 0.0]]),
                                           t64([3.0, 1.0]), "sum"),
     (3 * math.log1p(math.exp(-2)) + math.log1p(math.exp(-1))) / 2),
    # cos((1, 0), (3, 4)) = 3/√((1 + 1e-12)(25 + 1e-12)) ≈ 3/5: y = 1 gives 1 - cos (0.4),
    # y = -1 with margin 0.5 gives cos - 0.5 (0.1)
    (lambda: F.cosine_embedding_loss(t64([[1.0, 0.0], [1.0, 0.0]]), t64([[3.0, 4.0]]),
                                     t64([1, -1]), 0.5, "none"),
     [1 - 3 / math.sqrt((1 + 1e-12) * (25 + 1e-12)), 3 / math.sqrt((1 + 1e-12) * (25 + 1e-12))
      - 0.5]),
    # scores (1, 3, 2), target 0, margin 1: max(0, 1 - 1 + 3) = 3, max(0, 1 - 1 + 2) = 2
    (lambda: F.multi_margin_loss(t64([[1.0, 3.0, 2.0]]), tn.tensor([0]), reduction="none"),
     [(3 + 2) / 3]),
    # p = 2 and weight 2 for class 0: 2·(3² + 2²) / 3
    (lambda: F.multi_margin_loss(t64([[1.0, 3.0, 2.0]]), tn.tensor([0]), 2,
                                 weight=t64([2.0, 1.0, 1.0])), 2 * (9 + 4) / 3),
    # classes 2 and 0 listed (1 after the -1 is not): pairs (2, 1), (2, 3), (0, 1), (0, 3):
    # 1 - .5 + .1 = .6, 1 - .5 + .9 = 1.4, 1 - 0 + .1 = 1.1, 1 - 0 + .9 = 1.9 -> 5 / 4
    (lambda: F.multilabel_margin_loss(t64([0.0, 0.1, 0.5, 0.9]), tn.tensor([2, 0, -1, 1])),
     1.25),
    # 0.5·(log var + d²/var): 0.5·(log 2 + 4/2); var 0 clamped to eps = 1e-6: d = 0
    (lambda: F.gaussian_nll_loss(t64([2.0, 1.0]), t64([0.0, 1.0]), t64([2.0, 0.0]),
                                 reduction="none"),
     [0.5 * (math.log(2) + 2), 0.5 * math.log(1e-6)]),
    # full adds 0.5·log 2π to each
    (lambda: F.gaussian_nll_loss(t64([2.0]), t64([0.0]), 2.0, full=True, reduction="sum"),
     0.5 * (math.log(2) + 2) + 0.5 * math.log(2 * math.pi)),
    # e^x - t·x: e - 3; e^0 - 0
    (lambda: F.poisson_nll_loss(t64([1.0, 0.0]), t64([3.0, 0.0]), reduction="none"),
     [math.e - 3, 1.0]),
    # x - t·log(x + eps) with eps = 0: 2 - 3 log 2
    (lambda: F.poisson_nll_loss(t64([2.0]), t64([3.0]), False, eps=0.0, reduction="sum"),
     2 - 3 * math.log(2)),
    # full: Stirling's term for t = 3 only (t = 1 adds nothing): 3 log 3 - 3 + ½ log 6π
    (lambda: F.poisson_nll_loss(t64([0.0, 0.0]), t64([3.0, 1.0]), full=True, reduction="none"),
     [1.0 + 3 * math.log(3) - 3 + 0.5 * math.log(6 * math.pi), 1.0]),
    # d(a, p) = 5, d(a, n) = 3 (3-4-5 triangles, eps = 0): 5 - 3 + 1
    (lambda: F.triplet_margin_loss(t64([[0.0, 0.0]]), t64([[3.0, 4.0]]), t64([[0.0, 3.0]]),
                                   eps=0.0), 3.0),
    # swap: d(p, n) = |(3, 4) - (3, 3)| = 1 < 3: 5 - 1 + 1
    (lambda: F.triplet_margin_loss(t64([[0.0, 0.0]]), t64([[3.0, 4.0]]), t64([[3.0, 3.0]]),
                                   eps=0.0, swap=True), 5.0),
    # L1 distances 7 and 3, p = 1
    (lambda: F.triplet_margin_loss(t64([[0.0, 0.0]]), t64([[3.0, 4.0]]), t64([[0.0, 3.0]]),
                                   p=1, eps=0.0), 5.0),
    # 1 - cos as the distance: (1 - 0) - (1 - 1) + 0.5
    (lambda: F.triplet_margin_with_distance_loss(
        t64([[1.0, 0.0]]), t64([[0.0, 1.0]]), t64([[2.0, 0.0]]),
        distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.5), 1.5),
])
def test_hand_worked_values(call, expected):
    np.testing.assert_allclose(call().array, expected, rtol=1e-13, atol=1e-15)


# ---- the definitions as loops, over shapes drawn by hypothesis ---------------------------
def _multi_margin_by_loops(x, y, p, margin, w):
    n, c = x.shape
    out = np.zeros(n)
    for k in range(n):
        for i in range(c):
            z = margin - x[k, y[k]] + x[k, i]
            if i != y[k] and z > 0:
                out[k] += w[y[k]] * z ** p
    return out / c


def _multilabel_margin_by_loops(x, y):
    n, c = x.shape
    out = np.zeros(n)
    for k in range(n):
        listed = []
        for j in y[k]:
            if j == -1:
                break
            listed.append(j)
        for j in listed:
            for i in range(c):
                if i not in listed:
                    out[k] += max(0.0, 1 - x[k, j] + x[k, i])
    return out / c


@given(n=st.integers(0, 4), c=st.integers(1, 5), p=st.sampled_from([1, 2]),
       margin=st.sampled_from([0.5, 1.0, 2.0]), weighted=st.booleans(),
       seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_multi_margin_is_its_definition(n, c, p, margin, weighted, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, c)), rng.integers(0, c, n)
    w = rng.uniform(0.5, 2.0, c) if weighted else np.ones(c)
    got = F.multi_margin_loss(t64(x), tn.tensor(y), p, margin, t64(w) if weighted else None,
                              "none")
    assert got.shape == (n,)
    np.testing.assert_allclose(got.array, _multi_margin_by_loops(x, y, p, margin, w),
                               rtol=1e-13, atol=1e-15)


@given(n=st.integers(0, 4), c=st.integers(1, 5), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_multilabel_margin_is_its_definition(n, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c))
    y = rng.integers(-1, c, (n, c))  # a -1 anywhere ends the list; repeats count twice
    got = F.multilabel_margin_loss(t64(x), tn.tensor(y), "none")
    assert got.shape == (n,)
    np.testing.assert_allclose(got.array, _multilabel_margin_by_loops(x, y), rtol=1e-13,
                               atol=1e-15)


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_multilabel_soft_margin_averages_over_the_last_dim(shape, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=shape), rng.uniform(0, 1, shape)
    per_class = y * np.logaddexp(0, -x) + (1 - y) * np.logaddexp(0, x)  # -log σ(±x)
    got = F.multilabel_soft_margin_loss(t64(x), t64(y), reduction="none")
    assert got.shape == tuple(shape[:-1])
    np.testing.assert_allclose(got.array, per_class.mean(-1), rtol=1e-12)
    mean = F.multilabel_soft_margin_loss(t64(x), t64(y)).item()
    assert mean == pytest.approx(per_class.mean(-1).mean(), rel=1e-12)


@given(n=st.integers(1, 4), d=st.integers(1, 4), p=st.sampled_from([1.0, 2.0, 3.0]),
       swap=st.booleans(), seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_triplet_margin_is_its_definition(n, d, p, swap, seed):
    rng = np.random.default_rng(seed)
    a, pos, neg = (rng.normal(size=(n, d)) for _ in range(3))

    def dist(x, y):
        return (np.abs(x - y + 1e-6) ** p).sum(-1) ** (1 / p)

    to_neg = np.minimum(dist(a, neg), dist(pos, neg)) if swap else dist(a, neg)
    expected = np.maximum(dist(a, pos) - to_neg + 1.0, 0.0)
    got = F.triplet_margin_loss(t64(a), t64(pos), t64(neg), p=p, swap=swap, reduction="none")
    np.testing.assert_allclose(got.array, expected, rtol=1e-12, atol=1e-15)


# ---- finite differences (float64, away from the kinks) -----------------------------------
def _rng(seed=0):
    return np.random.default_rng(seed)


def _signs(shape, seed=0):
    return _rng(seed).choice([-1.0, 1.0], shape)


SMOOTH = {  # name: (function of the differentiated tensors, their values)
    "margin_ranking": (lambda a, b: F.margin_ranking_loss(a, b, t64(_signs(6)), 10.0, "none"),
                       (_rng(1).normal(size=6), _rng(2).normal(size=6))),
    "soft_margin": (lambda x: F.soft_margin_loss(x, t64(_signs((3, 4))), "none"),
                    (3 * _rng(1).normal(size=(3, 4)),)),
    "multilabel_soft_margin": (
        lambda x, y, w: F.multilabel_soft_margin_loss(x, y, w, "none"),
        (_rng(1).normal(size=(3, 4)), _rng(2).uniform(size=(3, 4)), _rng(3).uniform(size=4))),
    "cosine_embedding": (  # margin -1: the clamp never binds
        lambda a, b: F.cosine_embedding_loss(a, b, t64(_signs(5)), -1.0, "none"),
        (_rng(1).normal(size=(5, 3)), _rng(2).normal(size=(5, 3)))),
    "multi_margin_p2": (lambda x: F.multi_margin_loss(x, tn.tensor([0, 2, 1]), 2, 5.0),
                        (_rng(1).normal(size=(3, 4)),)),
    "multilabel_margin": (
        lambda x: F.multilabel_margin_loss(x, tn.tensor([[0, 3, -1, 1], [2, -1, 0, 0]]), "sum"),
        (0.1 * _rng(1).normal(size=(2, 4)),)),
    "gaussian_nll": (lambda x, y, v: F.gaussian_nll_loss(x, y, v, True, reduction="none"),
                     (_rng(1).normal(size=(3, 4)), _rng(2).normal(size=(3, 4)),
                      _rng(3).uniform(0.2, 2.0, (3, 1)))),
    "poisson_nll": (lambda x, y: F.poisson_nll_loss(x, y, full=True, reduction="none"),
                    (_rng(1).normal(size=(3, 4)), _rng(2).uniform(1.5, 6.0, (3, 4)))),
    "poisson_nll_rate": (lambda x, y: F.poisson_nll_loss(x, y, False, True, reduction="sum"),
                         (_rng(1).uniform(0.5, 3.0, (3, 4)), _rng(2).uniform(0.0, 6.0, (3, 4)))),
    "triplet_margin": (lambda a, p, n: F.triplet_margin_loss(a, p, n, 20.0, 3.0, swap=True),
                       tuple(_rng(s).normal(size=(4, 3)) for s in (1, 2, 3))),
}


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_gradients_match_finite_differences(name):
    fn, values = SMOOTH[name]
    assert tn.gradcheck(fn, tuple(t64(v, grad=True) for v in values))


# ---- PyTorch's values and gradients --------------------------------------------------------
def _ranking(rng):
    return [(rng.normal(size=6), True), (rng.normal(size=6), True),
            (rng.choice([-1.0, 1.0], 6), True)]


def _multilabel_targets():
    return np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0], [2, 2, -1, 0], [0, 1, 2, 3]])


def _case(name, make, what="", **kwargs):
    label = name + (f"-{what}" if what else "") + "".join(f"-{k}={v}" for k, v in kwargs.items())
    return pytest.param(name, make, kwargs, id=label)


PARITY = [  # (function name, inputs: [(array, differentiable)], keyword arguments)
    _case("margin_ranking_loss", _ranking),
    _case("margin_ranking_loss", _ranking, margin=0.5),
    _case("margin_ranking_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                            (r.normal(size=(1, 3)), True),
                                            (r.choice([-1, 1], (4, 3)), False)],
          "broadcast"),
    _case("hinge_embedding_loss", lambda r: [(r.uniform(0, 2, (4, 5)), True),
                                             (r.choice([-1.0, 1.0], (4, 5)), False)]),
    _case("hinge_embedding_loss", lambda r: [(r.uniform(0, 2, (4, 5)), True),
                                             (r.choice([-1, 1], (4, 5)), False)], margin=0.5),
    _case("soft_margin_loss", lambda r: [(3 * r.normal(size=(4, 5)), True),
                                         (r.choice([-1.0, 1.0], (4, 5)), False)]),
    _case("multilabel_soft_margin_loss", lambda r: [(r.normal(size=(4, 5)), True),
                                                    (r.integers(0, 2, (4, 5)) * 1.0, True)]),
    _case("multilabel_soft_margin_loss", lambda r: [(r.normal(size=5), True),
                                                    (r.uniform(size=5), True),
                                                    (r.uniform(size=5), True)], "weight-1d"),
    _case("cosine_embedding_loss", lambda r: [(r.normal(size=(5, 3)), True),
                                              (r.normal(size=(5, 3)), True),
                                              (r.choice([-1.0, 1.0], 5), False)]),
    _case("cosine_embedding_loss", lambda r: [(r.normal(size=(5, 3)), True),
                                              (r.normal(size=(1, 3)), True),
                                              (r.choice([-1, 1], 5), False)], margin=0.3),
    _case("cosine_embedding_loss", lambda r: [(r.normal(size=3), True),
                                              (r.normal(size=3), True),
                                              (np.array(-1.0), False)], "1d", margin=-0.5),
    _case("multi_margin_loss", lambda r: [(r.normal(size=(5, 4)), True),
                                          (r.integers(0, 4, 5), False)]),
    _case("multi_margin_loss", lambda r: [(r.normal(size=(5, 4)), True),
                                          (r.integers(0, 4, 5), False)], p=2, margin=0.5),
    _case("multi_margin_loss", lambda r: [(r.normal(size=(5, 4)), True),
                                          (r.integers(0, 4, 5), False),
                                          (1, None), (1.0, None),
                                          (r.uniform(0.5, 2, 4), False)], "weight"),
    _case("multi_margin_loss", lambda r: [(r.normal(size=4), True), (np.array(2), False)],
          "1d"),
    _case("multilabel_margin_loss", lambda r: [(r.normal(size=(5, 4)), True),
                                               (_multilabel_targets(), False)]),
    _case("multilabel_margin_loss", lambda r: [(r.normal(size=4), True),
                                               (np.array([1, 3, -1, 0]), False)], "1d"),
    _case("gaussian_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                          (r.normal(size=(4, 3)), True),
                                          (r.uniform(0.1, 2, (4, 3)), True)]),
    _case("gaussian_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                          (r.normal(size=(4, 3)), True),
                                          (r.uniform(0.1, 2, 4), True)], "var-per-row",
          full=True),
    _case("gaussian_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                          (r.normal(size=(4, 3)), True),
                                          (r.uniform(0.1, 2, (1, 3)), True)], "var-shared",
          eps=1e-3),
    _case("gaussian_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                          (r.normal(size=(4, 3)), True), (0.7, None)],
          "var-number"),
    _case("gaussian_nll_loss", lambda r: [  # variances under eps: clamped, gradient through
        (r.normal(size=(2, 3)), True), (r.normal(size=(2, 3)), True),
        (np.array([[1e-8, 0.0, 0.5], [2e-7, 1.0, 0.0]]), True)], "var-under-eps", eps=1e-6),
    _case("poisson_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                         (r.integers(0, 6, (4, 3)) * 1.0, True)]),
    _case("poisson_nll_loss", lambda r: [(r.normal(size=(4, 3)), True),
                                         (r.uniform(1.0, 8.0, (4, 3)), True)], full=True),
    _case("poisson_nll_loss", lambda r: [(r.uniform(0.1, 3.0, (4, 3)), True),
                                         (r.integers(0, 6, (4, 3)) * 1.0, False)],
          log_input=False, full=True, eps=1e-3),
    _case("triplet_margin_loss", lambda r: [(r.normal(size=(5, 3)), True) for _ in range(3)]),
    _case("triplet_margin_loss", lambda r: [(r.normal(size=(5, 3)), True) for _ in range(3)],
          margin=0.5, p=1.0, swap=True),
    _case("triplet_margin_loss", lambda r: [(r.normal(size=(5, 3)), True) for _ in range(3)],
          p=3.0, eps=1e-3),
    _case("triplet_margin_loss", lambda r: [(r.normal(size=3), True) for _ in range(3)],
          "1d", swap=True),
    _case("triplet_margin_with_distance_loss",
          lambda r: [(r.normal(size=(5, 3)), True) for _ in range(3)]),
    _case("triplet_margin_with_distance_loss",
          lambda r: [(r.normal(size=(5, 3)), True) for _ in range(3)],
          distance_function="cosine", margin=0.5, swap=True),
]


def _cosine_distance(functional):
    return lambda x1, x2: 1 - functional.cosine_similarity(x1, x2)


def _run(lib, functional, name, inputs, kwargs, reduction, dtype, seed=0):
    """The loss of the inputs and the gradient of each differentiable one (of a random
    weighting of the loss for 'none')."""
    args = []
    for value, differentiable in inputs:
        if differentiable is None:  # a plain number
            args.append(value)
            continue
        array = np.asarray(value)
        array = array.astype(dtype) if array.dtype.kind == "f" else array.astype(np.int64)
        args.append(lib.tensor(array, requires_grad=bool(differentiable)))
    if kwargs.get("distance_function") == "cosine":
        kwargs = {**kwargs, "distance_function": _cosine_distance(functional)}
    loss = getattr(functional, name)(*args, **kwargs, reduction=reduction)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, tuple(loss.shape)).astype(dtype)
    (loss * lib.tensor(weights)).sum().backward()
    grads = [a.grad.numpy() for a, (_, differentiable) in zip(args, inputs) if differentiable]
    return loss.detach().numpy(), loss.dtype, grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, make, kwargs", PARITY)
def test_values_and_gradients_are_pytorchs(name, make, kwargs, reduction, dtype):
    torch = pytest.importorskip("torch")
    inputs = make(np.random.default_rng(7))
    got, got_dtype, got_grads = _run(tn, F, name, inputs, kwargs, reduction, dtype)
    want, want_dtype, want_grads = _run(torch, torch.nn.functional, name, inputs, kwargs,
                                        reduction, dtype)
    rtol, atol = (1e-12, 1e-14) if dtype == np.float64 else (2e-6, 2e-7)
    assert got.shape == want.shape and str(want_dtype) == f"torch.{got_dtype}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    assert len(got_grads) == len(want_grads)
    for g, w in zip(got_grads, want_grads):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol * max(1.0, np.abs(w).max()))


@pytest.mark.parametrize("name, inputs", [
    ("margin_ranking_loss", [np.ones(3, np.float32), np.zeros(3), np.ones(3)]),
    ("soft_margin_loss", [np.ones(3, np.float32), np.array([1, -1, 1])]),
    ("soft_margin_loss", [np.ones(3, np.float32), np.array([1.0, -1.0, 1.0])]),
    ("hinge_embedding_loss", [np.ones(3, np.float32), np.array([1.0, -1.0, 1.0])]),
    ("multilabel_soft_margin_loss", [np.ones((2, 3), np.float32), np.ones((2, 3))]),
    ("cosine_embedding_loss", [np.ones((2, 3), np.float32), np.ones((2, 3)), np.ones(2)]),
    ("gaussian_nll_loss", [np.ones(3, np.float32), np.zeros(3, np.float32), np.ones(3)]),
    ("gaussian_nll_loss", [np.ones(3, np.float32), np.zeros(3), np.ones(3, np.float32)]),
    ("poisson_nll_loss", [np.ones(3, np.float32), np.ones(3)]),
    ("poisson_nll_loss", [np.ones(3, np.float32), np.array([1, 2, 3])]),
    ("triplet_margin_loss", [np.ones((2, 3), np.float32), np.zeros((2, 3)),
                             np.ones((2, 3), np.float32)]),
])
def test_the_dtype_of_a_mixed_call_is_pytorchs(name, inputs):
    """A float64 target, var or second input makes the loss float64 where PyTorch's
    arithmetic promotes (the target enters it), and not where it is a label."""
    torch = pytest.importorskip("torch")
    got = getattr(F, name)(*(tn.tensor(a) for a in inputs))
    want = getattr(torch.nn.functional, name)(*(torch.tensor(a) for a in inputs))
    assert str(want.dtype) == f"torch.{got.dtype}"
    np.testing.assert_allclose(got.array, want.numpy(), rtol=1e-6)


# ---- at the kinks and at the clamp ---------------------------------------------------------
def test_a_margin_met_exactly_passes_no_gradient_in_the_multiclass_hinges():
    """multi_margin_loss and multilabel_margin_loss count a violation only where z > 0
    (PyTorch's kernels): at z = 0 it adds 0 and passes no gradient."""
    x = t64([[1.0, 0.0, 0.5]], grad=True)  # target 0: z = 1 - 1 + 0 = 0, and 0.5 for class 2
    F.multi_margin_loss(x, tn.tensor([0]), reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.array, [[-1 / 3, 0.0, 1 / 3]])
    x = t64([[1.0, 0.0, 0.5, 0.2]], grad=True)  # classes 0 and 2; the pair (0, 1) has z = 0
    loss = F.multilabel_margin_loss(x, tn.tensor([[0, 2, -1, 1]]), "sum")
    loss.backward()  # (0 + 0.2 + 0.5 + 0.7) / 4, and each pair with z > 0 moves its two scores
    assert loss.item() == pytest.approx(1.4 / 4, rel=1e-15)
    np.testing.assert_allclose(x.grad.array, [[-0.25, 0.25, -0.5, 0.5]], rtol=1e-15)


def test_the_composed_hinges_pass_the_gradient_at_the_kink_as_pytorchs_clamp_min():
    """margin_ranking_loss, hinge_embedding_loss and triplet_margin_loss are composed in
    PyTorch too, with clamp_min, whose gradient passes where its input equals the bound."""
    x1 = t64([1.0], grad=True)
    F.margin_ranking_loss(x1, t64([0.5]), t64([1.0]), 0.5, "sum").backward()  # -0.5 + 0.5 = 0
    assert x1.grad.tolist() == [-1.0]
    x = t64([1.0], grad=True)
    F.hinge_embedding_loss(x, t64([-1.0]), 1.0, "sum").backward()  # 1 - 1 = 0
    assert x.grad.tolist() == [-1.0]


def test_a_tie_in_the_distance_swap_splits_the_gradient_as_pytorchs_minimum():
    a, p, n = t64([[0.0, 0.0]], grad=True), t64([[0.0, 0.0]], grad=True), t64([[0.5, 0.0]],
                                                                             grad=True)
    F.triplet_margin_loss(a, p, n, eps=0.0, swap=True).backward()  # d(a, n) = d(p, n) = 0.5
    # d(a, p) = ‖0‖ has gradient 0 here; each of the tied distances gets half of -1
    np.testing.assert_allclose(a.grad.array, [[0.5, 0.0]], atol=1e-15)
    np.testing.assert_allclose(p.grad.array, [[0.5, 0.0]], atol=1e-15)
    np.testing.assert_allclose(n.grad.array, [[-1.0, 0.0]], atol=1e-15)


def test_gaussian_nll_clamps_the_variance_value_but_not_its_gradient():
    """Under eps the loss uses eps, and the gradient flows to var as if it were not
    clamped (PyTorch clamps a copy under no_grad): ½·(1/eps - d²/eps²)."""
    eps, d = 1e-6, 0.1
    x, var = t64([d, d], grad=True), t64([1e-8, 0.5], grad=True)
    before = var.array.copy()
    loss = F.gaussian_nll_loss(x, t64([0.0, 0.0]), var, eps=eps, reduction="sum")
    assert loss.item() == pytest.approx(0.5 * (math.log(eps) + d * d / eps)
                                        + 0.5 * (math.log(0.5) + d * d / 0.5), rel=1e-14)
    loss.backward()
    np.testing.assert_allclose(var.grad.array, [0.5 * (1 / eps - d * d / eps ** 2),
                                                0.5 * (1 / 0.5 - d * d / 0.25)], rtol=1e-14)
    np.testing.assert_allclose(x.grad.array, [d / eps, d / 0.5], rtol=1e-14)
    np.testing.assert_array_equal(var.array, before)  # the caller's var is left alone


def test_poisson_full_leaves_targets_0_and_1_without_stirlings_term_and_finite_gradients():
    """log(0!) = log(1!) = 0: no term, and a target of 0 that requires grad gets a finite
    gradient (PyTorch's is nan: 0·log 0 in its backward)."""
    x, t = t64([0.2, 0.2, 0.2]), t64([0.0, 1.0, 4.0], grad=True)
    F.poisson_nll_loss(x, t, full=True, reduction="sum").backward()
    # d/dt [e^x - t·x + t·log t - t + ½·log(2πt)] = -x + log t + 1/(2t) for t = 4 only
    np.testing.assert_allclose(t.grad.array, [-0.2, -0.2, -0.2 + math.log(4) + 1 / 8],
                               rtol=1e-14)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_soft_margin_is_finite_where_the_margin_is_hugely_violated(dtype):
    """-logsigmoid(y·x): 1000 and gradient -y, where PyTorch's log1p(exp(1000)) is inf
    (and its gradient nan)."""
    x = tn.tensor([-1000.0, 1000.0, 0.0], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.soft_margin_loss(x, tn.tensor([1, -1, 1]), "none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.array, [1000.0, 1000.0, math.log(2)], rtol=1e-6)
    np.testing.assert_allclose(x.grad.array, [-1.0, 1.0, -0.5], rtol=1e-6)


def test_pairwise_distance_of_two_numbers_is_a_0d_tensor():
    got = F.pairwise_distance(t64(1.0), t64(3.0), keepdim=True)
    assert got.shape == () and got.item() == pytest.approx(2.0 - 1e-6, rel=1e-15)
    assert F.triplet_margin_loss(t64(1.0), t64(3.0), t64(0.0), reduction="none").shape == ()


# ---- empty batches ----------------------------------------------------------------------------
EMPTY = {
    "margin_ranking_loss": lambda x, r: F.margin_ranking_loss(x, x, tn.zeros(0), reduction=r),
    "hinge_embedding_loss": lambda x, r: F.hinge_embedding_loss(x, tn.zeros(0), reduction=r),
    "soft_margin_loss": lambda x, r: F.soft_margin_loss(x, tn.zeros(0), reduction=r),
    "multilabel_soft_margin_loss": lambda x, r: F.multilabel_soft_margin_loss(
        x.reshape(0, 3), tn.zeros(0, 3), reduction=r),
    "cosine_embedding_loss": lambda x, r: F.cosine_embedding_loss(
        x.reshape(0, 3), x.reshape(0, 3), tn.zeros(0), reduction=r),
    "multi_margin_loss": lambda x, r: F.multi_margin_loss(
        x.reshape(0, 3), tn.zeros(0, dtype=tn.int64), reduction=r),
    "multilabel_margin_loss": lambda x, r: F.multilabel_margin_loss(
        x.reshape(0, 3), tn.zeros(0, 3, dtype=tn.int64), reduction=r),
    "gaussian_nll_loss": lambda x, r: F.gaussian_nll_loss(x, x, tn.ones(0), reduction=r),
    "poisson_nll_loss": lambda x, r: F.poisson_nll_loss(x, tn.zeros(0), full=True, reduction=r),
    "triplet_margin_loss": lambda x, r: F.triplet_margin_loss(
        *(x.reshape(0, 3),) * 3, reduction=r),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_an_empty_batch_gives_a_nan_mean_and_a_zero_sum_quietly(name):
    """As PyTorch's, but for multi_margin_loss and multilabel_margin_loss, whose mean
    over an empty batch PyTorch leaves uninitialised."""
    x = tn.zeros(0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 must not warn
        mean, total = EMPTY[name](x, "mean"), EMPTY[name](x, "sum")
        mean.backward()
    assert np.isnan(mean.item()) and total.item() == 0.0
    assert x.grad.shape == (0,)


# ---- errors --------------------------------------------------------------------------------
def _f(lib):
    return lib.nn.functional


# (a call made with tinynet or torch as ``lib``, tinynet's error and message, whether
# PyTorch refuses the call too: False where tinynet is stricter, as docs/api.md lists)
ERRORS = [
    (lambda lib: _f(lib).margin_ranking_loss(lib.zeros(3), lib.zeros(3, 1), lib.ones(3)),
     ValueError, r"margin_ranking_loss: input1, input2 and target must have the same number "
                 r"of dimensions, got shapes \(3,\), \(3, 1\) and \(3,\)", True),
    (lambda lib: _f(lib).margin_ranking_loss(lib.zeros(3), lib.zeros(4), lib.ones(3)),
     ValueError, r"input1 and input2 must broadcast together, got shapes \(3,\) and \(4,\)",
     True),
    (lambda lib: _f(lib).margin_ranking_loss(lib.zeros(3), lib.zeros(3), lib.ones(4)),
     ValueError, r"target must have the inputs' broadcast shape \(3,\), got \(4,\)", True),
    (lambda lib: _f(lib).margin_ranking_loss(lib.zeros(3), lib.zeros(3),
                                             lib.tensor([1.0, 0.0, -1.0])),
     ValueError, r"margin_ranking_loss: target must hold 1 or -1 .*got 0.0 at index \(1,\)",
     False),
    (lambda lib: _f(lib).hinge_embedding_loss(lib.zeros(3), lib.ones(4)),
     ValueError, r"hinge_embedding_loss: target must have the input's shape \(3,\), got \(4,\)",
     True),
    (lambda lib: _f(lib).hinge_embedding_loss(lib.zeros(3, 1), lib.ones(3)),
     ValueError, r"shape \(3, 1\), got \(3,\) \(PyTorch would broadcast them to \(3, 3\)",
     False),
    (lambda lib: _f(lib).hinge_embedding_loss(lib.zeros(3), lib.tensor([1, 0, 1])),
     ValueError, r"hinge_embedding_loss: target must hold 1 or -1 .*got 0 at index \(1,\)",
     False),
    (lambda lib: _f(lib).hinge_embedding_loss(lib.zeros(3), lib.ones(3), reduction="avg"),
     ValueError, r"hinge_embedding_loss: reduction must be one of 'none', 'mean', 'sum', "
                 r"got 'avg'", True),
    (lambda lib: _f(lib).soft_margin_loss(lib.zeros(3), lib.ones(3, requires_grad=True)),
     RuntimeError, r"soft_margin_loss: target requires grad, but the loss is not "
                   r"differentiable with respect to target", True),
    (lambda lib: _f(lib).soft_margin_loss(lib.zeros(2), lib.tensor([1.0, 2.0])),
     ValueError, r"soft_margin_loss: target must hold 1 or -1 .*got 2.0 at index \(1,\)",
     False),
    (lambda lib: _f(lib).multilabel_soft_margin_loss(lib.zeros(3, 4), lib.ones(3, 5)),
     ValueError, r"target must have the input's shape \(3, 4\), got \(3, 5\)", True),
    (lambda lib: _f(lib).multilabel_soft_margin_loss(lib.zeros(1, 2), lib.tensor([[1., -1.]])),
     ValueError, r"multilabel_soft_margin_loss: targets must be probabilities in \[0, 1\], "
                 r"got -1.0 at index \(0, 1\)", False),
    (lambda lib: _f(lib).multilabel_soft_margin_loss(lib.zeros(3, 4), lib.ones(3, 4),
                                                     lib.ones(5)),
     ValueError, r"weight must broadcast to the input's shape \(3, 4\) \(one weight per "
                 r"class: \(4,\)\), got shape \(5,\)", True),
    (lambda lib: _f(lib).multilabel_soft_margin_loss(lib.tensor(1.0), lib.tensor(1.0)),
     ValueError, r"input must have at least 1 dimension, got shape \(\)", True),
    (lambda lib: _f(lib).cosine_embedding_loss(lib.zeros(3, 2), lib.zeros(3, 2), lib.ones(3, 1)),
     ValueError, r"target must have 0 or 1 dimensions \(one label per pair\), got shape "
                 r"\(3, 1\)", True),
    (lambda lib: _f(lib).cosine_embedding_loss(lib.zeros(2), lib.zeros(2), lib.ones(1)),
     ValueError, r"input1 and input2 must have 2 dimensions for a target of shape \(1,\) "
                 r"\(\(N, D\) rows\), got shapes \(2,\) and \(2,\)", True),
    (lambda lib: _f(lib).cosine_embedding_loss(lib.zeros(3, 2), lib.zeros(3, 2), lib.ones(4)),
     ValueError, r"target must have shape \(3,\) \(one label per pair of rows .*got \(4,\)",
     True),
    (lambda lib: _f(lib).cosine_embedding_loss(lib.zeros(3, 2), lib.zeros(3, 3), lib.ones(3)),
     ValueError, r"input1 and input2 must broadcast together, got shapes \(3, 2\) and "
                 r"\(3, 3\)", True),
    (lambda lib: _f(lib).cosine_embedding_loss(lib.ones(2, 2), lib.ones(2, 2),
                                               lib.tensor([1, 0])),
     ValueError, r"cosine_embedding_loss: target must hold 1 or -1 .*got 0 at index \(1,\)",
     False),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0.0, 1.0, 2.0])),
     TypeError, r"multi_margin_loss: target must hold integer class indices, got dtype "
                r"float32", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0, 1, 4])),
     IndexError, r"multi_margin_loss: target 4 at position 2 is out of range for 4 classes "
                 r"\(valid: 0..3\)", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0, -1, 2])),
     IndexError, r"target -1 at position 1 is out of range", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0, 1])),
     ValueError, r"multi_margin_loss: target must have shape \(3,\) \(one class index per row "
                 r"of input of shape \(3, 4\)\), got \(2,\)", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]), p=3),
     ValueError, r"multi_margin_loss: p must be 1 or 2 .*got 3", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(3, 4), lib.tensor([0, 1, 2]),
                                           weight=lib.ones(3)),
     ValueError, r"multi_margin_loss: weight must have shape \(4,\) \(one per class\), got "
                 r"\(3,\)", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(1, 3, 4), lib.tensor([[0, 1, 2]])),
     ValueError, r"input must have shape \(N, C\) or \(C,\), got shape \(1, 3, 4\)", True),
    (lambda lib: _f(lib).multi_margin_loss(lib.zeros(2, 0), lib.tensor([0, 0])),
     ValueError, r"input must have at least one class \(C >= 1\) in its last dimension, got "
                 r"shape \(2, 0\)", True),
    (lambda lib: _f(lib).multilabel_margin_loss(lib.zeros(3, 4), lib.zeros(3, 3).long()),
     ValueError, r"multilabel_margin_loss: target must have the input's shape \(3, 4\) "
                 r"\(class indices, padded with -1\), got \(3, 3\)", True),
    (lambda lib: _f(lib).multilabel_margin_loss(lib.zeros(2, 3),
                                                lib.tensor([[0, -1, 5], [0, 1, 2]])),
     IndexError, r"target 5 at index \(0, 2\) is out of range for 3 classes \(valid: 0..2, "
                 r"or -1 to end a row's list\)", True),
    (lambda lib: _f(lib).multilabel_margin_loss(lib.zeros(2, 3), lib.zeros(2, 3)),
     TypeError, r"target must hold integer class indices padded with -1, got dtype float32",
     True),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3), lib.zeros(3),
                                           lib.tensor([1.0, -0.5, 1.0])),
     ValueError, r"gaussian_nll_loss: var must be >= 0 \(variances\), got -0.5 at index "
                 r"\(1,\)", True),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3), lib.zeros(3), -1.0),
     ValueError, r"gaussian_nll_loss: var must be a finite number >= 0, got -1.0", True),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3, 4), lib.zeros(3, 4), lib.ones(3, 2)),
     ValueError, r"var must have the input's shape \(3, 4\), that shape without its last dim "
                 r"\(3,\), or the input's shape with one dim of size 1, got \(3, 2\)", True),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3, 4), lib.zeros(3, 1), lib.ones(3, 4)),
     ValueError, r"gaussian_nll_loss: target must have the input's shape \(3, 4\), got "
                 r"\(3, 1\)", False),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3), lib.zeros(3), lib.ones(3), eps=-1.0),
     ValueError, r"gaussian_nll_loss: eps must be a finite number >= 0, got -1.0", False),
    (lambda lib: _f(lib).gaussian_nll_loss(lib.zeros(3), lib.zeros(3), lib.ones(3),
                                           reduction="avg"),
     ValueError, r"gaussian_nll_loss: reduction must be one of .*got 'avg'", True),
    (lambda lib: _f(lib).poisson_nll_loss(lib.zeros(3, 4), lib.zeros(4, 3)),
     ValueError, r"poisson_nll_loss: target must have the input's shape \(3, 4\), got "
                 r"\(4, 3\)", True),
    (lambda lib: _f(lib).poisson_nll_loss(lib.zeros(3), lib.zeros(3), reduction="avg"),
     ValueError, r"poisson_nll_loss: reduction must be one of .*got 'avg'", True),
    (lambda lib: _f(lib).triplet_margin_loss(lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(2, 3),
                                             margin=0.0),
     ValueError, r"triplet_margin_loss: margin must be a finite number > 0, got 0.0", True),
    (lambda lib: _f(lib).triplet_margin_loss(lib.zeros(2, 3), lib.zeros(3), lib.zeros(2, 3)),
     ValueError, r"triplet_margin_loss: anchor, positive and negative must have the same "
                 r"number of dimensions, got shapes \(2, 3\), \(3,\) and \(2, 3\)", True),
    (lambda lib: _f(lib).triplet_margin_loss(lib.zeros(2, 3), lib.zeros(2, 2), lib.zeros(2, 3)),
     ValueError, r"anchor, positive and negative must broadcast together, got shapes "
                 r"\(2, 3\), \(2, 2\) and \(2, 3\)", True),
    (lambda lib: _f(lib).triplet_margin_with_distance_loss(
        lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(2, 3), margin=-1.0),
     ValueError, r"triplet_margin_with_distance_loss: margin must be a finite number > 0, got "
                 r"-1.0", True),
    (lambda lib: _f(lib).triplet_margin_with_distance_loss(
        lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(3)),
     ValueError, r"anchor, positive and negative must have the same number of dimensions",
     True),
    (lambda lib: _f(lib).triplet_margin_with_distance_loss(
        lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(2, 3), distance_function=3),
     TypeError, r"distance_function must be a function of two tensors, or None "
                r"\(pairwise_distance\), got 3", True),
    (lambda lib: lib.nn.MultiMarginLoss(p=3), ValueError,
     r"MultiMarginLoss: p must be 1 or 2 .*got 3", True),
    (lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)), ValueError,
     r"MultiMarginLoss: weight must have shape \(C,\) \(one per class\), got \(2, 2\)", True),
    (lambda lib: lib.nn.TripletMarginLoss(margin=-1.0), ValueError,
     r"TripletMarginLoss: margin must be a finite number > 0, got -1.0", True),
    (lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0), ValueError,
     r"TripletMarginWithDistanceLoss: margin must be a finite number > 0, got 0", True),
    (lambda lib: lib.nn.GaussianNLLLoss(True), TypeError, r"positional argument", True),
    (lambda lib: lib.nn.TripletMarginLoss(swap=None), TypeError,
     r"TripletMarginLoss: swap must be True or False, got None", False),
    (lambda lib: lib.nn.PoissonNLLLoss(eps=float("nan")), ValueError,
     r"PoissonNLLLoss: eps must be a finite number >= 0, got nan", False),
    (lambda lib: lib.nn.MarginRankingLoss(margin="1"), TypeError,
     r"MarginRankingLoss: margin must be a finite number, got '1'", False),
]


@pytest.mark.parametrize("call, error, message, torch_refuses", ERRORS)
def test_bad_arguments_raise_naming_the_argument_the_rule_and_the_value(call, error, message,
                                                                        torch_refuses):
    with pytest.raises(error, match=message):
        call(tn)
    torch = pytest.importorskip("torch")
    if torch_refuses:
        with pytest.raises(Exception):
            call(torch)
    else:  # tinynet is stricter here (docs/api.md lists it)
        call(torch)


# ---- the modules -------------------------------------------------------------------------
MODULES = {  # name: (settings, the functional form's keyword arguments, inputs)
    "MarginRankingLoss": ({"margin": 0.2}, {"margin": 0.2},
                          lambda r: (r.normal(size=4), r.normal(size=4), _signs(4))),
    "HingeEmbeddingLoss": ({"margin": 2.0}, {"margin": 2.0},
                           lambda r: (r.uniform(0, 3, 4), _signs(4))),
    "SoftMarginLoss": ({}, {}, lambda r: (r.normal(size=4), _signs(4))),
    "MultiLabelSoftMarginLoss": ({"weight": t64([1.0, 2.0, 0.5])},
                                 {"weight": t64([1.0, 2.0, 0.5])},
                                 lambda r: (r.normal(size=(2, 3)), r.uniform(size=(2, 3)))),
    "CosineEmbeddingLoss": ({"margin": 0.1}, {"margin": 0.1},
                            lambda r: (r.normal(size=(3, 2)), r.normal(size=(3, 2)), _signs(3))),
    "MultiMarginLoss": ({"p": 2, "margin": 0.5, "weight": t64([1.0, 2.0, 3.0])},
                        {"p": 2, "margin": 0.5, "weight": t64([1.0, 2.0, 3.0])},
                        lambda r: (r.normal(size=(2, 3)), np.array([2, 0]))),
    "MultiLabelMarginLoss": ({}, {}, lambda r: (r.normal(size=(2, 3)),
                                                np.array([[2, -1, 0], [0, 1, -1]]))),
    "GaussianNLLLoss": ({"full": True, "eps": 1e-3}, {"full": True, "eps": 1e-3},
                        lambda r: (r.normal(size=(2, 3)), r.normal(size=(2, 3)),
                                   r.uniform(0, 1, (2, 1)))),
    "PoissonNLLLoss": ({"log_input": False, "full": True}, {"log_input": False, "full": True},
                       lambda r: (r.uniform(0.1, 2, (2, 3)), r.integers(0, 5, (2, 3)) * 1.0)),
    "TripletMarginLoss": ({"margin": 0.5, "p": 1.0, "swap": True},
                          {"margin": 0.5, "p": 1.0, "swap": True},
                          lambda r: tuple(r.normal(size=(3, 2)) for _ in range(3))),
    "TripletMarginWithDistanceLoss": ({"margin": 2.0}, {"margin": 2.0},
                                      lambda r: tuple(r.normal(size=(3, 2)) for _ in range(3))),
}
FUNCTIONAL = {"MarginRankingLoss": "margin_ranking_loss",
              "HingeEmbeddingLoss": "hinge_embedding_loss", "SoftMarginLoss": "soft_margin_loss",
              "MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
              "CosineEmbeddingLoss": "cosine_embedding_loss",
              "MultiMarginLoss": "multi_margin_loss",
              "MultiLabelMarginLoss": "multilabel_margin_loss",
              "GaussianNLLLoss": "gaussian_nll_loss", "PoissonNLLLoss": "poisson_nll_loss",
              "TripletMarginLoss": "triplet_margin_loss",
              "TripletMarginWithDistanceLoss": "triplet_margin_with_distance_loss"}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_calls_its_functional_form_with_its_settings(name, reduction):
    settings_, kwargs, make = MODULES[name]
    inputs = [tn.tensor(a) for a in make(np.random.default_rng(3))]
    module = getattr(nn, name)(**settings_, reduction=reduction)
    functional = getattr(F, FUNCTIONAL[name])(*inputs, **kwargs, reduction=reduction)
    np.testing.assert_array_equal(module(*inputs).array, functional.array)
    assert name in nn.__all__ and FUNCTIONAL[name] in F.__all__


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_print_and_keep_their_settings_as_pytorchs(name):
    torch = pytest.importorskip("torch")
    settings_ = {k: v for k, v in MODULES[name][0].items() if k != "weight"}
    ours, theirs = getattr(nn, name)(**settings_), getattr(torch.nn, name)(**settings_)
    assert repr(ours) == repr(theirs)
    for attribute in ("margin", "p", "eps", "swap", "full", "log_input", "reduction"):
        assert getattr(ours, attribute, None) == getattr(theirs, attribute, None), attribute
    got = nn.TripletMarginWithDistanceLoss().distance_function
    assert isinstance(got, nn.PairwiseDistance)  # a child module, as PyTorch's


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"GaussianNLLLoss",
                                                        "TripletMarginWithDistanceLoss"}))
@pytest.mark.parametrize("legacy, reduction", [({"size_average": False}, "sum"),
                                               ({"reduce": False}, "none"),
                                               ({"size_average": True, "reduce": True}, "mean")])
def test_the_legacy_size_average_and_reduce_map_to_a_reduction_with_a_warning(name, legacy,
                                                                            reduction):
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert getattr(nn, name)(**legacy).reduction == reduction


@pytest.mark.parametrize("name", ["GaussianNLLLoss", "TripletMarginWithDistanceLoss"])
def test_the_keyword_only_modules_take_no_legacy_arguments(name):
    with pytest.raises(TypeError):
        getattr(nn, name)(size_average=False)


def test_a_captured_loss_never_replays_the_masks_of_earlier_targets():
    """The masks and checks are made from the target's values in Python, so tn.capture
    runs these losses eagerly: a replay with the first batches' targets would be wrong."""
    tn.manual_seed(0)
    model = nn.Linear(3, 1, dtype=tn.float64)
    step = tn.capture(lambda x, y: F.hinge_embedding_loss(model(x).reshape(-1), y))
    rng = np.random.default_rng(0)
    targets = [[1.0, -1.0, 1.0, -1.0]] * 2 + [[-1.0, 1.0, 1.0, 1.0]] * 2
    with pytest.warns(UserWarning, match="capture: this function runs eagerly"):
        for y in targets:
            x = tn.tensor(rng.normal(size=(4, 3)))
            loss = step(x, tn.tensor(y))
            eager = F.hinge_embedding_loss(model(x).reshape(-1), tn.tensor(y))
            assert loss.item() == eager.item()
            loss.backward()
    assert step.replays == 0


@pytest.mark.parametrize("name, make", [
    ("margin_ranking_loss", lambda lib, x, y: (x, y, y)),
    ("hinge_embedding_loss", lambda lib, x, y: (x, y)),
    ("soft_margin_loss", lambda lib, x, y: (x, y)),
    ("multilabel_soft_margin_loss", lambda lib, x, y: (x, (y + 1) / 2)),
    ("cosine_embedding_loss", lambda lib, x, y: (x, y, lib.tensor(1.0))),
    ("gaussian_nll_loss", lambda lib, x, y: (x, y, lib.ones(3, dtype=lib.float16))),
    ("poisson_nll_loss", lambda lib, x, y: (x, y.abs())),
    ("triplet_margin_loss", lambda lib, x, y: (x, y, 2 * x)),
])
def test_float16_stays_float16_as_in_pytorch(name, make):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float16)
        y = lib.tensor([1.0, -1.0, 1.0], dtype=lib.float16)
        results.append(getattr(lib.nn.functional, name)(*make(lib, x, y)))
    got, want = results
    assert got.dtype == np.float16 and want.dtype == torch.float16
    np.testing.assert_allclose(got.array, want.numpy(), rtol=2e-3)


def test_class_indices_of_any_integer_dtype_and_a_weight_of_another_dtype_are_taken():
    """As tinynet's cross_entropy (PyTorch requires int64, and the input's dtype)."""
    x = tn.tensor(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    want = F.multi_margin_loss(x, tn.tensor([0, 3, 1]), weight=tn.tensor([1.0, 2.0, 1.0, 3.0]))
    got = F.multi_margin_loss(x, tn.tensor(np.array([0, 3, 1], np.int32)),
                              weight=tn.tensor([1.0, 2.0, 1.0, 3.0], dtype=tn.float64))
    assert got.dtype == np.float32 and got.item() == want.item()
    labels = np.array([[3, 0, -1, 1]] * 3)
    assert F.multilabel_margin_loss(x, tn.tensor(labels.astype(np.int16))).item() == \
        F.multilabel_margin_loss(x, tn.tensor(labels)).item()
