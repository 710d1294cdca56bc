"""KLDivLoss and kl_div (one fused op): closed forms, finite differences in float64 for
the input and the target, PyTorch's values and gradients for every reduction, and the
errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F

REDUCTIONS = ["none", "sum", "batchmean", "mean"]


def _log_probs(shape, seed=0):
    z = np.random.default_rng(seed).standard_normal(shape)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def test_batchmean_is_the_kl_divergence_per_sample():
    p = np.array([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]])
    log_q = _log_probs((2, 3))
    q = np.exp(log_q)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_sample = np.nansum(np.where(p > 0, p * np.log(p / q), 0.0), axis=1)
    got = nn.KLDivLoss(reduction="batchmean")(tn.tensor(log_q), tn.tensor(p))
    np.testing.assert_allclose(got.item(), per_sample.mean(), rtol=1e-12)
    log_target = F.kl_div(tn.tensor(log_q[1:]), tn.tensor(np.log(p[1:])), "none", True)
    np.testing.assert_allclose(log_target.array, p[1:] * np.log(p[1:] / q[1:]), rtol=1e-12)


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradients_match_finite_differences(reduction, log_target):
    x = tn.tensor(_log_probs((3, 4), 1), requires_grad=True)
    t = _log_probs((3, 4), 2) if log_target else np.exp(_log_probs((3, 4), 2))
    t = tn.tensor(t, requires_grad=True)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        assert tn.autograd.gradcheck(lambda a, b: F.kl_div(a, b, reduction, log_target),
                                     (x, t))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@given(n=st.integers(1, 5), c=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS),
       log_target=st.booleans(), zeros=st.booleans(), seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_values_and_gradients_are_pytorchs(n, c, reduction, log_target, zeros, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = _log_probs((n, c), seed)
    t = rng.random((n, c))
    if zeros:
        t[rng.random((n, c)) < 0.3] = 0.0  # t·log t = 0 there; the target's gradient: nan
    with np.errstate(divide="ignore"):
        t = np.log(t) if log_target else t
    results = []
    for lib, make in ((tn, tn.tensor), (torch, lambda a, **k: torch.tensor(a, **k))):
        xt, tt = make(x, requires_grad=True), make(t, requires_grad=True)
        with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
            loss = lib.nn.functional.kl_div(xt, tt, reduction=reduction, log_target=log_target)
        (loss * make(np.ones(loss.shape))).sum().backward()
        results.append([np.array(loss.detach().tolist()), np.array(xt.grad.tolist()),
                        np.array(tt.grad.tolist())])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_float32_input_and_float64_target_compute_in_float64_as_pytorch():
    x = tn.tensor(_log_probs((2, 3)), dtype=tn.float32)
    t = tn.tensor(np.full((2, 3), 1 / 3))
    assert F.kl_div(x, t, "sum").dtype == tn.float64
    assert F.kl_div(x, t.float(), "sum").dtype == tn.float32


def test_a_negative_probability_gives_nan_as_pytorch():
    out = F.kl_div(tn.zeros(1, 2, dtype=tn.float64), tn.tensor([[-0.5, 0.5]]), "none")
    assert np.isnan(out.array[0, 0]) and out.array[0, 1] == pytest.approx(0.5 * np.log(0.5))


def test_a_nan_or_infinite_input_where_the_target_is_zero_shows_in_the_loss_as_pytorch():
    # t·log t is 0 at t = 0, but -t·x is not when x is nan or ±inf: the loss must not hide it
    x = tn.tensor([[float("nan"), -0.5, -1.0], [-np.inf, np.inf, -1.0]], dtype=tn.float64)
    t = tn.tensor([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]], dtype=tn.float64)
    out = F.kl_div(x, t, "none").array
    assert np.isnan(out[0, 0]) and np.isnan(out[1, 0]) and np.isnan(out[1, 1])
    assert out[1, 2] == 1.0 and np.isnan(F.kl_div(x, t, "batchmean").item())
    finite = F.kl_div(tn.tensor([[-2.0, -0.1]]), tn.tensor([[0.0, 1.0]]), "none").array
    assert finite[0, 0] == 0.0 and not np.signbit(finite[0, 0])  # 0, not -0


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.kl_div(tn.tensor([1, 2]), tn.tensor([1, 3]), "none"), TypeError,
     "kl_div: input and target must be floating point .*, got int64 and int64"),
    (lambda: F.kl_div(tn.tensor([1, 2]), tn.tensor([0.5, 0.5]), "sum"), TypeError,
     "kl_div: input and target must be floating point .*, got int64 and float32"),
    (lambda: F.kl_div(tn.tensor([-1.0, -2.0]), tn.tensor([1, 0]), "sum"), TypeError,
     "got float32 and int64"),
    (lambda: nn.KLDivLoss("batch"), ValueError,
     r"KLDivLoss: reduction must be one of 'none', 'batchmean', 'sum', 'mean', got 'batch' "
     r"\(did you mean 'batchmean'\?\)"),
    (lambda: nn.KLDivLoss(log_target=1), TypeError,
     "KLDivLoss: log_target must be True or False, got 1"),
    (lambda: F.kl_div(tn.zeros(2, 3), tn.zeros(3), "sum"), ValueError,
     r"kl_div: target must have the input's shape \(2, 3\), got \(3,\)"),
    (lambda: F.kl_div([0.0], tn.zeros(1), "sum"), TypeError, "kl_div: input must be a Tensor"),
])
def test_bad_arguments_are_refused_naming_them(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_mean_warns_that_it_is_not_the_divergence():
    with pytest.warns(UserWarning, match="kl_div: reduction='mean' divides the total by "
                                         "every element.*'batchmean'"):
        nn.KLDivLoss()(tn.zeros(2, 3), tn.full((2, 3), 1 / 3))
