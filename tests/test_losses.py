"""Losses: values against hand-written numpy formulas, finite differences in float64,
stability for logits of magnitude 1e4, and errors that name the bad value."""
import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, log_softmax

import tinynet as tn
import tinynet.nn.functional as F

N, C = 6, 4
TARGET = np.array([0, 3, 1, 1, 2, 1])
WEIGHT = np.array([0.3, 1.7, 0.9, 2.2])


def logits(seed=0, scale=4.0):
    return np.random.default_rng(seed).uniform(-scale, scale, size=(N, C))


def reduce(losses, reduction, denominator):
    return {"none": losses, "sum": losses.sum(), "mean": losses.sum() / denominator}[reduction]


def reference_cross_entropy(z, t, weight, ignore_index, reduction, eps):
    """PyTorch's documented formula, row by row:
    ℓᵢ = (1-ε)·w[tᵢ]·(-log p[i, tᵢ]) + (ε/C)·Σ_c w[c]·(-log p[i, c]),  0 if tᵢ is ignored;
    'mean' divides by Σ w[tᵢ] over the rows not ignored."""
    c = z.shape[1]
    w = np.ones(c) if weight is None else weight
    logp = log_softmax(z, axis=1)
    losses, denominator = np.zeros(len(t)), 0.0
    for i, ti in enumerate(t):
        if ti == ignore_index:
            continue
        losses[i] = (1 - eps) * w[ti] * -logp[i, ti] + eps / c * np.sum(w * -logp[i])
        denominator += w[ti]
    return reduce(losses, reduction, denominator)


def reference_cross_entropy_probs(z, q, weight, reduction, eps):
    """ℓᵢ = -Σ_c w[c]·q̃[i, c]·log p[i, c],  q̃ = (1-ε)q + ε/C;  'mean' divides by N."""
    w = np.ones(C) if weight is None else weight
    q = (1 - eps) * q + eps / C
    return reduce(-(w * q * log_softmax(z, axis=1)).sum(axis=1), reduction, len(z))


# ---- cross-entropy ----------------------------------------------------------------------
def test_cross_entropy_hand_worked():
    # -log softmax([2, 0, 0])[0] = -log(e² / (e² + 2)) = log(1 + 2e⁻²) = 0.23954...
    loss = F.cross_entropy(tn.tensor([[2.0, 0.0, 0.0]], dtype=tn.float64), tn.tensor([0]))
    assert loss.item() == pytest.approx(math.log(1 + 2 * math.exp(-2)), rel=1e-14)
    # uniform logits: log C for every row
    assert F.cross_entropy(tn.zeros(3, 5), tn.tensor([0, 1, 4])).item() == pytest.approx(
        math.log(5), rel=1e-6)


CONFIGS = list(itertools.product(["none", "sum", "mean"], [False, True], [-100, 1],
                                 [0.0, 0.2]))


@pytest.mark.parametrize("reduction,weighted,ignore_index,eps", CONFIGS, ids=str)
def test_cross_entropy_class_indices(reduction, weighted, ignore_index, eps):
    # ignore_index = 1 ignores the three rows of class 1; with -100, rows 1, 3, 5 are marked
    t = TARGET if ignore_index == 1 else np.where(np.arange(N) % 2 == 0, TARGET, -100)
    w = WEIGHT if weighted else None
    z = logits()
    loss = F.cross_entropy(tn.tensor(z, requires_grad=True), tn.tensor(t),
                           None if w is None else tn.tensor(w), ignore_index, reduction, eps)
    expected = reference_cross_entropy(z, t, w, ignore_index, reduction, eps)
    np.testing.assert_allclose(loss.array, expected, rtol=1e-12)
    assert tn.gradcheck(lambda a: F.cross_entropy(a, tn.tensor(t), w, ignore_index, reduction,
                                                  eps), (tn.tensor(z, requires_grad=True),))


@pytest.mark.parametrize("reduction,weighted,eps",
                         list(itertools.product(["none", "sum", "mean"], [False, True],
                                                [0.0, 0.2])), ids=str)
def test_cross_entropy_probability_targets(reduction, weighted, eps):
    q = np.random.default_rng(1).dirichlet(np.ones(C), size=N)
    w = WEIGHT if weighted else None
    z = logits()
    loss = F.cross_entropy(tn.tensor(z), tn.tensor(q), w, reduction=reduction,
                           label_smoothing=eps)
    np.testing.assert_allclose(loss.array, reference_cross_entropy_probs(z, q, w, reduction, eps),
                               rtol=1e-12)
    assert tn.gradcheck(lambda a: F.cross_entropy(a, tn.tensor(q), w, reduction=reduction,
                                                  label_smoothing=eps),
                        (tn.tensor(z, requires_grad=True),))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    z = tn.tensor(logits(), requires_grad=True)
    F.cross_entropy(z, tn.tensor(TARGET)).backward()
    p = np.exp(log_softmax(z.array, axis=1))
    np.testing.assert_allclose(z.grad.array, (p - np.eye(C)[TARGET]) / N, rtol=1e-12,
                               atol=1e-16)


def test_one_hot_probabilities_equal_class_indices():
    z = logits()
    onehot = np.eye(C)[TARGET]
    for eps in (0.0, 0.3):
        a = F.cross_entropy(tn.tensor(z), tn.tensor(onehot), label_smoothing=eps)
        b = F.cross_entropy(tn.tensor(z), tn.tensor(TARGET), label_smoothing=eps)
        assert a.item() == pytest.approx(b.item(), rel=1e-13)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_unbatched(reduction):
    z = logits()[0]
    one = F.cross_entropy(tn.tensor(z), tn.tensor(2), reduction=reduction)
    batch = F.cross_entropy(tn.tensor(z[None]), tn.tensor([2]), reduction=reduction)
    assert one.shape == () and one.item() == pytest.approx(float(batch.array.sum()), rel=1e-14)
    q = np.array([0.1, 0.2, 0.3, 0.4])
    probs = F.cross_entropy(tn.tensor(z), tn.tensor(q), reduction=reduction)
    assert probs.shape == ()
    assert probs.item() == pytest.approx(-(q * log_softmax(z)).sum(), rel=1e-13)
    assert tn.gradcheck(lambda a: F.cross_entropy(a, tn.tensor(2), reduction=reduction),
                        (tn.tensor(z, requires_grad=True),))


def test_cross_entropy_with_every_row_ignored_is_nan_like_pytorch():
    z = tn.tensor(logits(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(z, tn.tensor([-100] * N))
        assert math.isnan(loss.item())
        assert F.cross_entropy(z, tn.tensor([-100] * N), reduction="sum").item() == 0.0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss,ignored", [
    (lambda z, t, r: F.cross_entropy(z, t, reduction=r), -100),
    (lambda z, t, r: F.cross_entropy(z, t, label_smoothing=0.1, reduction=r), -100),
    (lambda z, t, r: F.cross_entropy(z, t, weight=tn.tensor(WEIGHT), label_smoothing=0.1,
                                     reduction=r), -100),
    (lambda z, t, r: F.nll_loss(z, t, weight=tn.tensor(WEIGHT), reduction=r), -100),
    (lambda z, t, r: F.nll_loss(z, t, ignore_index=0, reduction=r), 0),
], ids=["plain", "smoothed", "weighted-smoothed", "nll-weighted", "nll-ignore-0"])
def test_an_ignored_row_counts_zero_whatever_it_holds(loss, ignored, reduction):
    """A padded position's masked logits (-inf, NaN) do not reach the loss: the ignored
    rows count 0, as in PyTorch (-inf · 0 was NaN)."""
    z = logits()
    targets = np.array(TARGET)
    targets[targets == ignored] = 1  # rows 0 and 1 alone are ignored
    targets[:2] = ignored
    clean = loss(tn.tensor(z), tn.tensor(targets), reduction)
    z[0, :2], z[1, 1:] = -np.inf, np.nan  # what those rows hold no longer matters
    masked = loss(tn.tensor(z), tn.tensor(targets), reduction)
    np.testing.assert_array_equal(masked.numpy(), clean.numpy())
    assert np.isfinite(masked.numpy()).all()


@pytest.mark.parametrize("loss", [
    lambda z, t: F.cross_entropy(z, t),
    lambda z, t: F.cross_entropy(z, t, label_smoothing=0.1),
    lambda z, t: F.cross_entropy(z, t, weight=tn.tensor(WEIGHT)),
    lambda z, t: F.nll_loss(F.log_softmax(z, dim=1), t),
    lambda z, t: F.nll_loss(z, t, weight=tn.tensor(WEIGHT)),
], ids=["plain", "smoothed", "weighted", "nll", "nll-weighted"])
def test_ignored_rows_get_a_zero_gradient_even_when_every_row_is_ignored(loss):
    """The loss is 0/0 = NaN then, but the gradient is exactly 0, as PyTorch's: a step
    on such a batch leaves the weights as they were, instead of filling them with NaN."""
    z = tn.tensor(logits(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss(z, tn.tensor([-100] * N))
        value.backward()
    assert math.isnan(value.item())
    assert z.grad.numpy().tolist() == np.zeros((N, C)).tolist()
    z.grad = None
    some = np.array(TARGET)
    some[::2] = -100  # the rows left still get theirs
    loss(z, tn.tensor(some)).backward()
    assert not z.grad.numpy()[::2].any() and np.isfinite(z.grad.numpy()).all()
    assert np.abs(z.grad.numpy()[1::2]).sum() > 0


def test_a_zero_weight_for_every_target_gives_nan_gradients_as_pytorch():
    """Unlike ignored rows, rows whose class weighs 0 divide 0 by the total weight 0."""
    z = tn.tensor(logits(), requires_grad=True)
    weight = np.zeros(C)
    weight[0] = 1.0
    targets = np.where(np.array(TARGET) == 0, 1, TARGET)  # no row of the class weighing 1
    with np.errstate(all="ignore"):
        F.cross_entropy(z, tn.tensor(targets), weight=tn.tensor(weight)).backward()
    assert np.isnan(z.grad.numpy()).all()


def test_cross_entropy_module_matches_functional():
    z, t = tn.tensor(logits()), tn.tensor(TARGET)
    module = tn.nn.CrossEntropyLoss(weight=tn.tensor(WEIGHT), label_smoothing=0.1)
    assert module(z, t).item() == F.cross_entropy(z, t, tn.tensor(WEIGHT),
                                                  label_smoothing=0.1).item()


# ---- nll -----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction,weighted,ignore_index",
                         list(itertools.product(["none", "sum", "mean"], [False, True],
                                                [-100, 1])), ids=str)
def test_nll_loss(reduction, weighted, ignore_index):
    logp = log_softmax(logits(), axis=1)
    w = WEIGHT if weighted else np.ones(C)
    valid = TARGET != ignore_index
    losses = np.where(valid, -w[TARGET] * logp[np.arange(N), TARGET], 0.0)
    expected = reduce(losses, reduction, w[TARGET][valid].sum())
    kw = dict(weight=tn.tensor(w) if weighted else None, ignore_index=ignore_index,
              reduction=reduction)
    np.testing.assert_allclose(F.nll_loss(tn.tensor(logp), tn.tensor(TARGET), **kw).array,
                               expected, rtol=1e-13)
    assert tn.gradcheck(lambda a: F.nll_loss(a, tn.tensor(TARGET), **kw),
                        (tn.tensor(logp, requires_grad=True),))


def test_nll_after_log_softmax_is_cross_entropy():
    z = tn.tensor(logits())
    a = F.nll_loss(F.log_softmax(z, dim=1), tn.tensor(TARGET), tn.tensor(WEIGHT))
    b = F.cross_entropy(z, tn.tensor(TARGET), tn.tensor(WEIGHT))
    assert a.item() == pytest.approx(b.item(), rel=1e-13)


# ---- binary cross-entropy with logits ------------------------------------------------------
@pytest.mark.parametrize("reduction,weighted,pos_weighted",
                         list(itertools.product(["none", "sum", "mean"], [False, True],
                                                [False, True])), ids=str)
def test_bce_with_logits(reduction, weighted, pos_weighted):
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-6, 6, (5, 3)), rng.uniform(0, 1, (5, 3))
    w = rng.uniform(0.1, 2, 3) if weighted else np.ones(3)
    pw = rng.uniform(0.1, 3, 3) if pos_weighted else np.ones(3)
    s = expit(x)
    losses = -w * (pw * y * np.log(s) + (1 - y) * np.log(1 - s))  # the textbook formula
    kw = dict(weight=tn.tensor(w) if weighted else None, reduction=reduction,
              pos_weight=tn.tensor(pw) if pos_weighted else None)
    got = F.binary_cross_entropy_with_logits(tn.tensor(x), tn.tensor(y), **kw)
    np.testing.assert_allclose(got.array, reduce(losses, reduction, losses.size), rtol=1e-12)
    # both the logits and the (soft) targets get gradients
    assert tn.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, **kw),
                        (tn.tensor(x, requires_grad=True), tn.tensor(y, requires_grad=True)))


# ---- mse -----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_mse_loss(reduction):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    squared = (x - y) ** 2
    got = F.mse_loss(tn.tensor(x), tn.tensor(y), reduction)
    np.testing.assert_allclose(got.array, reduce(squared, reduction, squared.size), rtol=1e-13)
    assert tn.gradcheck(lambda a, b: F.mse_loss(a, b, reduction),
                        (tn.tensor(x, requires_grad=True), tn.tensor(y, requires_grad=True)))


# ---- stability ------------------------------------------------------------------------------
@pytest.fixture
def no_float_warnings():
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_with_logits_of_1e4(dtype, eps, no_float_warnings):
    z = tn.tensor([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(z, tn.tensor([0, 1]), reduction="none", label_smoothing=eps)
    # -log p = [0, 2e4, 1e4] in each row (the other terms underflow to 0)
    smooth = eps / 3 * (0 + 2e4 + 1e4)
    np.testing.assert_allclose(loss.array, [(1 - eps) * 0 + smooth, (1 - eps) * 2e4 + smooth],
                               rtol=1e-6)
    loss.sum().backward()
    assert z.grad.dtype == dtype and np.isfinite(z.grad.array).all()
    # p - q̃ with p = [1, 0, 0], q̃ = (1-ε)·onehot + ε/3
    np.testing.assert_allclose(z.grad.array, [[1 - (1 - eps) - eps / 3, -eps / 3, -eps / 3],
                                             [1 - eps / 3, -(1 - eps) - eps / 3, -eps / 3]],
                               atol=1e-6)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_bce_with_logits_of_1e4(dtype, no_float_warnings):
    x = tn.tensor([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype, requires_grad=True)
    y = tn.tensor([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none",
                                              pos_weight=tn.tensor([2.0], dtype=dtype))
    np.testing.assert_allclose(loss.array, [0, 0, 1e4, 2e4, 2 * math.log(2)], rtol=1e-6)
    loss.sum().backward()
    # dℓ/dx = σ(x)(1 + (pw-1)y) - pw·y
    np.testing.assert_allclose(x.grad.array, [0, 0, 1, -2, 0.5 * 2 - 2], atol=1e-6)


def test_bce_with_logits_target_gradient_is_minus_the_logit_also_at_infinite_logits():
    # dℓ/dy = -x without pos_weight (as PyTorch: inf at x = -inf, not 0·inf = nan)
    x = tn.tensor([-math.inf, math.inf, -3.0], dtype=tn.float64)
    y = tn.tensor([0.3, 0.3, 0.3], dtype=tn.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):  # (the loss itself is nan at -inf, as PyTorch's)
        F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    np.testing.assert_array_equal(y.grad.array, [math.inf, -math.inf, 3.0])


# ---- errors that name the offending value ----------------------------------------------------
@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll"])
def test_target_out_of_range(fn):
    with pytest.raises(IndexError, match="target 7 at position 2 .*4 classes"):
        fn(tn.zeros(3, 4), tn.tensor([0, 1, 7]))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll"])
def test_negative_target_that_is_not_ignore_index(fn):
    with pytest.raises(IndexError, match="target -1 at position 1"):
        fn(tn.zeros(3, 4), tn.tensor([0, -1, 2]))
    fn(tn.zeros(3, 4), tn.tensor([0, -1, 2]), ignore_index=-1)  # fine when it is


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll"])
def test_non_integer_targets(fn):
    with pytest.raises(TypeError, match="integer class indices.*target 1.5 at position 1"):
        fn(tn.zeros(3, 4), tn.tensor([0.0, 1.5, 2.0]))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll"])
def test_wrong_batch_size(fn):
    with pytest.raises(ValueError, match=r"shape \(3,\).*got \(4,\)"):
        fn(tn.zeros(3, 4), tn.tensor([0, 1, 2, 3]))


def test_other_bad_arguments():
    z = tn.zeros(3, 4)
    with pytest.raises(ValueError, match="probability targets.*\\(3, 4\\), got \\(3, 5\\)"):
        F.cross_entropy(z, tn.zeros(3, 5))
    with pytest.raises(ValueError, match="'avg'"):
        F.cross_entropy(z, tn.tensor([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match="1.5"):
        F.cross_entropy(z, tn.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight.*\(4,\).*\(3,\)"):
        F.cross_entropy(z, tn.tensor([0, 1, 2]), weight=tn.ones(3))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        F.cross_entropy(tn.zeros(2, 3, 4), tn.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"target must have the input's shape \(3, 4\), got "
                                         r"\(3,\)"):
        F.binary_cross_entropy_with_logits(z, tn.zeros(3))
    with pytest.raises(ValueError, match=r"target must have the input's shape \(3, 4\), got "
                                         r"\(4, 3\)"):
        F.mse_loss(z, tn.zeros(4, 3))


def assert_fast_path_is_the_unit_weight_path(loss_fn, inputs, targets, reduction,
                                             grad_roundings=0):
    """No weight (the common op) and all-one weights (the general op) must give the same
    loss bit for bit, and gradients within ``grad_roundings`` roundings of the largest
    gradient (0: bit for bit), in the inputs' dtype. Returns the common op's loss."""
    results = []
    for weight in (None, np.ones(inputs.shape[1], inputs.dtype)):
        x = tn.tensor(inputs, requires_grad=True)
        loss = loss_fn(x, tn.tensor(targets), None if weight is None else tn.tensor(weight),
                       reduction=reduction)
        loss.sum().backward()
        results.append((loss.array, x.grad.array))
    (fast, fast_grad), (general, general_grad) = results
    assert fast.dtype == general.dtype == inputs.dtype and fast_grad.dtype == inputs.dtype
    np.testing.assert_array_equal(fast, general)
    if grad_roundings:
        # an absolute bound: p·s - s cancels where p is near 1, (p - 1)·s does not, so
        # the error is a rounding of s (dL/dℓᵢ: 1/N for 'mean', else 1), however small
        # the gradients that are left
        s = 1.0 / len(inputs) if reduction == "mean" else 1.0
        scale = np.finfo(inputs.dtype).eps * max(np.abs(general_grad).max(), s)
        np.testing.assert_allclose(fast_grad, general_grad, rtol=0,
                                   atol=grad_roundings * scale)
    else:
        np.testing.assert_array_equal(fast_grad, general_grad)
    return fast


@settings(deadline=None)
@given(n=st.integers(1, 12), c=st.integers(2, 6), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(["none", "sum", "mean"]), dtype=st.sampled_from(["f4", "f8"]))
def test_cross_entropy_common_op_equals_the_general_op_with_unit_weights(n, c, seed,
                                                                         reduction, dtype):
    # No weight, no ignored row, no smoothing runs ops.CrossEntropy (gradient (p - onehot)·s);
    # all-one weights run ops.CrossEntropyGeneral (p·s - s at the target): the same loss,
    # and gradients a rounding or two apart
    rng = np.random.default_rng(seed)
    z = rng.uniform(-5, 5, (n, c)).astype(dtype)
    t = rng.integers(0, c, n)
    fast = assert_fast_path_is_the_unit_weight_path(F.cross_entropy, z, t, reduction,
                                                    grad_roundings=2)
    expected = reference_cross_entropy(z.astype(np.float64), t, None, -100, reduction, 0.0)
    np.testing.assert_allclose(fast, expected, rtol=1e-12 if dtype == "f8" else 1e-5, atol=1e-7)


@settings(deadline=None)
@given(n=st.integers(1, 12), c=st.integers(2, 6), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(["none", "sum", "mean"]), dtype=st.sampled_from(["f4", "f8"]))
def test_nll_loss_fast_path_equals_the_weighted_path_bit_for_bit(n, c, seed, reduction, dtype):
    # As for cross-entropy: without weight or ignored row no mask is built; all-one
    # weights take the general path, and the two must agree exactly.
    rng = np.random.default_rng(seed)
    logp = np.log(rng.dirichlet(np.ones(c), n)).astype(dtype)
    t = rng.integers(0, c, n)
    fast = assert_fast_path_is_the_unit_weight_path(F.nll_loss, logp, t, reduction)
    picked = -logp[np.arange(n), t].astype(np.float64)
    expected = {"none": picked, "sum": picked.sum(), "mean": picked.mean()}[reduction]
    np.testing.assert_allclose(fast, expected, rtol=1e-12 if dtype == "f8" else 1e-5)


@pytest.mark.parametrize("kind", ["cross_entropy", "cross_entropy_probabilities", "nll_loss"])
def test_refilling_the_target_array_before_backward_changes_nothing(kind):
    # A data loader may reuse its target buffer for the next batch before backward runs.
    z = logits()[:3]
    if kind == "cross_entropy_probabilities":
        target = np.eye(4)[[0, 2, 3]]
        refill = np.eye(4)[[1, 1, 1]]
    else:
        target, refill = np.array([0, 2, 3]), np.array([1, 1, 1])
    grads = []
    for change in (False, True):
        x = tn.tensor(z, requires_grad=True)
        t = target.copy()
        if kind == "nll_loss":
            loss = F.nll_loss(F.log_softmax(x, dim=1), t)
        else:
            loss = F.cross_entropy(x, t)
        if change:
            t[...] = refill
        loss.backward()
        grads.append(x.grad.array)
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("loss_fn", [F.nll_loss, F.cross_entropy])
def test_an_empty_batch_gives_nan_mean_quietly_as_pytorch(loss_fn):
    x = tn.zeros(0, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 must not warn
        mean = loss_fn(x, tn.tensor(np.zeros(0, np.int64)))
        total = loss_fn(x, tn.tensor(np.zeros(0, np.int64)), reduction="sum")
    assert np.isnan(mean.item()) and total.item() == 0.0


@pytest.mark.parametrize("targets, ignored_rows", [([0, 2, 3], []), ([0, 1, 1], [1, 2])])
def test_an_ignore_index_inside_the_classes_ignores_exactly_its_rows(targets, ignored_rows):
    z = logits()[:3]
    loss = F.cross_entropy(tn.tensor(z), tn.tensor(targets), ignore_index=1, reduction="none")
    expected = reference_cross_entropy(z, np.array(targets), None, 1, "none", 0.0)
    np.testing.assert_allclose(loss.array, expected, rtol=1e-12)
    assert [i for i in range(3) if loss.array[i] == 0] == ignored_rows


# ---- gradients everywhere the loss is differentiable ---------------------------------------
@pytest.mark.parametrize("weight_shape, pos_weight_shape", [((3,), None), (None, (3,)),
                                                            ((3,), (3,)), ((4, 3), (1, 3))])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_bce_whose_weights_broadcast_the_loss_has_exact_gradients(weight_shape,
                                                                   pos_weight_shape, reduction):
    # weights of one row, or of the input's shape, broadcast to the input's (4, 3)
    rng = np.random.default_rng(5)
    x = tn.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    y = tn.tensor(rng.uniform(size=(4, 3)), requires_grad=True)
    w = None if weight_shape is None else tn.tensor(rng.uniform(0.2, 2, weight_shape))
    pw = None if pos_weight_shape is None else tn.tensor(rng.uniform(0.2, 3, pos_weight_shape))
    loss = F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=reduction)
    s = expit(x.array)
    w_ = 1 if w is None else w.array
    pw_ = 1 if pw is None else pw.array
    losses = -w_ * (pw_ * y.array * np.log(s) + (1 - y.array) * np.log(1 - s))
    np.testing.assert_allclose(loss.array, reduce(losses, reduction, losses.size), rtol=1e-12)
    assert tn.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, weight=w, pos_weight=pw, reduction=reduction), (x, y))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_with_probability_targets_differentiates_target_and_weight(
        weighted, eps, reduction):
    rng = np.random.default_rng(3)
    z = tn.tensor(rng.normal(size=(N, C)), requires_grad=True)
    q = tn.tensor(rng.dirichlet(np.ones(C), N), requires_grad=True)
    w = tn.tensor(rng.uniform(0.2, 2, C), requires_grad=True) if weighted else None
    inputs = (z, q, w) if weighted else (z, q)

    def loss(*args):
        return F.cross_entropy(args[0], args[1], weight=args[2] if weighted else None,
                               reduction=reduction, label_smoothing=eps)

    assert tn.gradcheck(loss, inputs)
    # closed form: dL/dq[i, c] = -(1-ε)·w[c]·log p[i, c] for the sum
    q.grad = None
    F.cross_entropy(z, q, weight=w, reduction="sum", label_smoothing=eps).backward()
    expected = -(1 - eps) * (1 if w is None else w.array) * log_softmax(z.array, axis=1)
    np.testing.assert_allclose(q.grad.array, expected, rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda w: F.cross_entropy(tn.zeros(2, 3), tn.tensor([0, 1]), weight=w),
    lambda w: F.nll_loss(tn.zeros(2, 3), tn.tensor([0, 1]), weight=w),
    lambda w: F.binary_cross_entropy_with_logits(tn.zeros(2, 3), tn.zeros(2, 3), weight=w),
    lambda w: F.binary_cross_entropy_with_logits(tn.zeros(2, 3), tn.zeros(2, 3), pos_weight=w),
], ids=["cross_entropy", "nll_loss", "bce_weight", "bce_pos_weight"])
def test_a_weight_the_loss_cannot_differentiate_is_refused_if_it_requires_grad(call):
    # as in PyTorch: silently leaving its .grad None would be a wrong answer
    with pytest.raises(RuntimeError, match="weight requires grad.*detach"):
        call(tn.ones(3, requires_grad=True))
    call(tn.ones(3))  # a constant weight is fine


@pytest.mark.parametrize("bad", [1.5, -0.5, float("nan")])
def test_bce_targets_outside_zero_one_are_refused(bad):
    # otherwise the loss goes negative and the "probability" means nothing
    with pytest.raises(ValueError, match=r"targets must be probabilities in \[0, 1\], got"):
        F.binary_cross_entropy_with_logits(tn.zeros(3), tn.tensor([0.0, bad, 1.0]))


def test_loss_modules_on_an_empty_batch_give_nan_like_pytorch():
    x = tn.zeros(0, 3, requires_grad=True)
    assert np.isnan(tn.nn.CrossEntropyLoss()(x, tn.tensor(np.zeros(0, np.int64))).item())
    assert np.isnan(tn.nn.BCEWithLogitsLoss()(tn.zeros(0, 2), tn.zeros(0, 2)).item())


@pytest.mark.parametrize("loss_fn", [tn.nn.CrossEntropyLoss(), tn.nn.NLLLoss(),
                                     tn.nn.BCEWithLogitsLoss(), tn.nn.MSELoss()], ids=repr)
def test_a_loss_given_an_array_names_the_input(loss_fn):
    with pytest.raises(TypeError, match="input must be a Tensor, got ndarray"):
        loss_fn(np.zeros((2, 3)), np.zeros((2, 3)) if "CrossEntropy" not in repr(loss_fn)
                and "NLL" not in repr(loss_fn) else np.zeros(2, np.int64))


def test_a_loss_over_zero_classes_is_refused():
    with pytest.raises(ValueError, match=r"at least one class \(C >= 1\), got shape \(2, 0\)"):
        F.cross_entropy(tn.zeros(2, 0), tn.tensor([0, 0]))


# ---- float16 counts, integer inputs, argument errors ------------------------------------
@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits", "mse_loss", "l1_loss",
                                  "smooth_l1_loss", "huber_loss"])
def test_float16_means_over_more_elements_than_float16_holds(name):
    # 76,800 elements: as a float16 count that is inf, and the mean and its gradient 0
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 256)).astype(np.float16)
    y = (rng.random((300, 256)) > 0.5).astype(np.float16)
    half = tn.tensor(x, requires_grad=True)
    loss = getattr(F, name)(half, tn.tensor(y))
    loss.backward()
    exact = getattr(F, name)(tn.tensor(x.astype(np.float64)), tn.tensor(y.astype(np.float64)))
    assert loss.dtype == tn.float16
    assert abs(float(loss.item()) - exact.item()) < 2e-3 * abs(exact.item())
    assert np.count_nonzero(half.grad.array) > 0.4 * x.size


def test_a_float16_mean_backward_over_70000_elements_is_not_zero():
    x = tn.ones(70_000, dtype=tn.float16, requires_grad=True)
    x.mean().backward()
    assert x.grad.array[0] == np.float16(1 / 70_000)


@pytest.mark.parametrize("name, expected", [
    ("l1_loss", 1.6), ("smooth_l1_loss", 1.1425), ("huber_loss", 1.1425),
    ("binary_cross_entropy_with_logits", None), ("mse_loss", 3.57)])
def test_an_integer_input_takes_the_float_targets_dtype(name, expected):
    # cast to the input's integers, [[.3, .7], [.5, .5]] would lose its fractions
    x, t = [[1, -2], [0, 3]], [[0.3, 0.7], [0.5, 0.5]]
    ours = getattr(F, name)(tn.tensor(x), tn.tensor(t, dtype=tn.float64))
    as_floats = getattr(F, name)(tn.tensor(x, dtype=tn.float64), tn.tensor(t, dtype=tn.float64))
    assert ours.dtype == tn.float64 and ours.item() == as_floats.item()
    if expected is not None:
        assert ours.item() == pytest.approx(expected, rel=1e-12)
    bce = F.binary_cross_entropy(tn.tensor([[1, 0], [0, 1]]), tn.tensor(t, dtype=tn.float64))
    assert bce.item() == pytest.approx(60.0, rel=1e-12)  # (-log clamped at 100, 0.6 of it)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.cross_entropy(tn.randn(3), tn.tensor([0, 1, 2])), ValueError,
     r"cross_entropy: an input of shape \(C,\) = \(3,\) takes one class index \(a target of "
     r"shape \(\)\), got a target of shape \(3,\)"),
    (lambda: F.nll_loss(tn.randn(3), tn.tensor([0, 1, 2])), ValueError,
     r"nll_loss: an input of shape \(C,\)"),
    (lambda: F.cross_entropy(tn.randn(4, 3), tn.tensor([0, 1, 2, 0]), ignore_index=None),
     TypeError, "cross_entropy: ignore_index must be an integer .*, got None"),
    (lambda: F.nll_loss(tn.randn(4, 3), tn.tensor([0, 1, 2, 0]), ignore_index=1.5),
     TypeError, "nll_loss: ignore_index must be an integer .*, got 1.5"),
    (lambda: F.binary_cross_entropy_with_logits(tn.randn(4, 3), tn.zeros(4, 3),
                                                pos_weight=tn.ones(4)), ValueError,
     r"binary_cross_entropy_with_logits: weight and pos_weight must broadcast to the "
     r"input's shape \(numpy's rules, as in PyTorch\), got shapes \[\(4, 3\), \(4,\)\]"),
])
def test_loss_arguments_are_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_float16_class_weights_summed_past_65504_rows(name):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((70_001, 3)).astype(np.float16)
    y = tn.tensor(rng.integers(0, 3, 70_001))
    half = tn.tensor(z, requires_grad=True)
    loss = getattr(F, name)(half, y, weight=tn.ones(3, dtype=tn.float16))
    loss.backward()
    exact = getattr(F, name)(tn.tensor(z.astype(np.float64)), y,
                             weight=tn.ones(3, dtype=tn.float64))
    assert abs(float(loss.item()) - exact.item()) < 2e-3 * abs(exact.item())
    assert np.count_nonzero(half.grad.array) > 0.3 * z.size


@pytest.mark.parametrize("name, per_weight", [("mse_loss", True), ("l1_loss", True),
                                              ("huber_loss", False)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_elementwise_losses_as_pytorch(name, per_weight, reduction):
    rng = np.random.default_rng(0)
    a, b, w = rng.normal(size=(3, 4)) * 2, rng.normal(size=(3, 4)), rng.random((3, 4))
    x, weight = tn.tensor(a, requires_grad=True), tn.tensor(w, requires_grad=True)
    loss = getattr(F, name)(x, tn.tensor(b), reduction=reduction, weight=weight)
    each = getattr(F, name)(tn.tensor(a), tn.tensor(b), reduction="none").numpy() * w
    expected = {"none": each, "sum": each.sum(),
                "mean": each.sum() / w.sum() if per_weight else each.mean()}[reduction]
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-12)
    loss.sum().backward()
    # d(Σ w·ℓ)/dw = ℓ for 'none' and 'sum' (the weights are differentiable)
    if reduction != "mean":
        np.testing.assert_allclose(weight.grad.numpy(), each / w, rtol=1e-12)
    with pytest.raises(ValueError, match=rf"{name}: weight must have the input's shape "
                                         rf"\(3, 4\), got \(4,\)"):
        getattr(F, name)(x, tn.tensor(b), weight=tn.ones(4, dtype=tn.float64))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 6), c=st.integers(1, 4), seed=st.integers(0, 2**16),
       ignore_index=st.sampled_from([-100, -1, 0, 2, 5]),
       reduction=st.sampled_from(["mean", "sum", "none"]),
       target_dtype=st.sampled_from([np.int64, np.int32]), out_of_range=st.booleans())
def test_cross_entropys_usual_call_gives_the_general_paths_values_gradients_and_errors(
        n, c, seed, ignore_index, reduction, target_dtype, out_of_range):
    # every training step takes the short check of the usual call; it must decide as the
    # full checks do
    from tinynet.nn import _functional_loss
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, c))
    t = rng.integers(0, c, n) + (c if out_of_range and n else 0)

    def run():
        x = tn.tensor(z, requires_grad=True)
        try:
            loss = F.cross_entropy(x, tn.tensor(t.astype(target_dtype)),
                                   ignore_index=ignore_index, reduction=reduction)
        except (IndexError, ValueError) as error:
            return str(error)
        loss.sum().backward()
        return loss.detach().numpy(), x.grad.numpy()

    usual = run()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_functional_loss, "_plain_class_targets", lambda *args: False)
        general = run()
    if isinstance(general, str):
        assert usual == general
    else:
        np.testing.assert_array_equal(usual[0], general[0])
        np.testing.assert_array_equal(usual[1], general[1])
