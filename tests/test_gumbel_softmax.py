"""F.gumbel_softmax: samples that sum to 1, hard ones that are the one-hot of the soft
sample's argmax with the soft sample's gradient (straight through), the closed form
softmax((logits - log E)/τ), PyTorch's values and gradients for the same noise, the
categorical distribution of the logits, reproducibility under a seed, finite differences
with the noise fixed, and the checks of its arguments."""
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
import tinynet.nn.functional as F


class FixedNoise(np.random.Generator):
    """A generator whose exponential draws are given (another library's noise)."""

    def __init__(self, draws: np.ndarray):
        super().__init__(np.random.PCG64(0))
        self.draws = draws

    def standard_exponential(self, size=None):
        assert tuple(size) == self.draws.shape
        return self.draws


def _logits(shape, seed=0, dtype=tn.float64, requires_grad=True):
    values = np.random.default_rng(seed).normal(0, 2, shape)
    return tn.tensor(values, dtype=dtype, requires_grad=requires_grad)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), pick=st.integers(0, 5),
       tau=st.floats(0.05, 20), seed=st.integers(0, 2 ** 16),
       dtype=st.sampled_from([tn.float32, tn.float64]))
def test_soft_samples_sum_to_one_and_hard_ones_are_the_one_hot_of_their_argmax(
        shape, pick, tau, seed, dtype):
    dim = pick % len(shape) - (len(shape) if pick % 2 else 0)  # negative dims too
    logits = _logits(shape, seed, dtype, requires_grad=False)
    _ = tn.manual_seed(seed)
    soft = F.gumbel_softmax(logits, tau, dim=dim)
    _ = tn.manual_seed(seed)
    hard = F.gumbel_softmax(logits, tau, hard=True, dim=dim)
    assert soft.dtype == hard.dtype == dtype and soft.shape == hard.shape == tuple(shape)
    assert (soft.array >= 0).all() and (soft.array <= 1).all()
    rtol = 1e-5 if dtype == tn.float32 else 1e-12
    np.testing.assert_allclose(soft.array.sum(axis=dim), 1.0, rtol=rtol)
    assert set(np.unique(hard.array)) <= {0.0, 1.0}  # exact one-hots
    np.testing.assert_array_equal(hard.array.sum(axis=dim), 1.0)
    np.testing.assert_array_equal(hard.array.argmax(axis=dim), soft.array.argmax(axis=dim))


def test_the_sample_is_the_softmax_of_the_logits_plus_gumbel_noise_over_tau():
    logits = _logits((4, 5))
    y = F.gumbel_softmax(logits, tau=0.7, generator=np.random.default_rng(3))
    g = -np.log(np.random.default_rng(3).standard_exponential((4, 5)))  # Gumbel(0, 1)
    z = (logits.array + g) / 0.7
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(y.array, expected / expected.sum(axis=1, keepdims=True),
                               rtol=1e-12)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_values_and_gradients_are_pytorchs_for_the_same_noise(hard, dim):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(0, 2, (3, 4, 5))
    weights = np.random.default_rng(2).normal(size=x.shape)
    theirs = torch.tensor(x, requires_grad=True)
    torch.manual_seed(7)
    expected = torch.nn.functional.gumbel_softmax(theirs, tau=0.6, hard=hard, dim=dim)
    (expected * torch.tensor(weights)).sum().backward()
    torch.manual_seed(7)
    draws = torch.empty_like(theirs).exponential_().numpy()  # the noise it drew
    ours = tn.tensor(x, requires_grad=True)
    y = F.gumbel_softmax(ours, tau=0.6, hard=hard, dim=dim, generator=FixedNoise(draws))
    (y * tn.tensor(weights)).sum().backward()
    np.testing.assert_allclose(y.array, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_hard_samples_have_the_soft_samples_gradients():
    # straight through: y_hard - y_soft.detach() + y_soft passes the gradient to y_soft
    weights = tn.tensor(np.random.default_rng(4).normal(size=(6, 4)))
    grads = []
    for hard in (False, True):
        logits = _logits((6, 4), seed=5)
        _ = tn.manual_seed(9)
        (F.gumbel_softmax(logits, tau=0.5, hard=hard) * weights).sum().backward()
        grads.append(logits.grad.array)
    np.testing.assert_array_equal(grads[0], grads[1])
    assert np.abs(grads[0]).max() > 1e-3


def test_hard_samples_follow_the_categorical_distribution_of_the_logits():
    # argmax(logits + g) is a draw of softmax(logits), whatever τ: frequencies within
    # 4 standard deviations (~0.01 for p = 0.4 and 40,000 draws)
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    logits = tn.tensor(np.tile(np.log(probs) + 5.0, (40_000, 1)))  # (shifts change nothing)
    _ = tn.manual_seed(0)
    frequencies = F.gumbel_softmax(logits, tau=3.0, hard=True).array.mean(axis=0)
    np.testing.assert_allclose(frequencies, probs, atol=0.01)


def test_the_same_seed_gives_the_same_sample_and_the_next_call_another():
    logits = _logits((4, 6), requires_grad=False)
    _ = tn.manual_seed(5)
    first, second = F.gumbel_softmax(logits), F.gumbel_softmax(logits)
    _ = tn.manual_seed(5)
    np.testing.assert_array_equal(F.gumbel_softmax(logits).array, first.array)
    assert not np.array_equal(first.array, second.array)
    # an explicit generator leaves the global one where it was
    _ = tn.manual_seed(5)
    mine = F.gumbel_softmax(logits, generator=tn.Generator().manual_seed(1))
    np.testing.assert_array_equal(F.gumbel_softmax(logits).array, first.array)
    np.testing.assert_array_equal(
        F.gumbel_softmax(logits, generator=tn.Generator().manual_seed(1)).array, mine.array)


def test_finite_differences_with_the_noise_fixed():
    logits = _logits((3, 5), seed=2)

    def sample(t):
        _ = tn.manual_seed(11)  # the same noise at every evaluation
        return F.gumbel_softmax(t, tau=0.8, dim=0)

    assert tn.gradcheck(sample, (logits,))


def test_edge_shapes_and_dtypes():
    assert F.gumbel_softmax(tn.tensor(2.0)).item() == 1.0  # one category
    assert F.gumbel_softmax(tn.tensor(2.0), hard=True).item() == 1.0
    assert F.gumbel_softmax(tn.zeros(2, 0)).shape == (2, 0)
    assert F.gumbel_softmax(tn.zeros(0, 3), hard=True).shape == (0, 3)
    assert F.gumbel_softmax(tn.zeros(3, dtype=tn.float16)).dtype == tn.float16
    with pytest.raises(TypeError, match="gumbel_softmax: logits must be a floating-point tensor, "
                                        "got int64"):  # as PyTorch refuses them
        F.gumbel_softmax(tn.tensor([1, 2, 3]))


@pytest.mark.parametrize("tau", [0, 0.0, -1.0, math.nan, math.inf])
def test_a_temperature_that_is_not_a_positive_finite_number_is_refused(tau):
    message = f"gumbel_softmax: tau must be a finite number > 0, got {tau!r}"
    with pytest.raises(ValueError, match=re.escape(message)):
        F.gumbel_softmax(tn.zeros(2, 3), tau=tau)


def test_pytorch_gives_nan_or_the_least_likely_category_there():
    # why tinynet refuses τ <= 0: PyTorch divides by it unchecked
    torch = pytest.importorskip("torch")
    logits = torch.tensor(np.random.default_rng(0).normal(size=(50, 4)))
    assert torch.nn.functional.gumbel_softmax(logits, tau=0.0).isnan().all()
    torch.manual_seed(3)
    y = torch.nn.functional.gumbel_softmax(logits, tau=-1.0)
    torch.manual_seed(3)
    perturbed = logits - torch.empty_like(logits).exponential_().log()
    assert torch.equal(y.argmax(dim=1), perturbed.argmin(dim=1))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.gumbel_softmax(tn.zeros(3), tau="1"), TypeError,
     "gumbel_softmax: tau must be a finite number > 0, got '1'"),
    (lambda: F.gumbel_softmax(tn.zeros(3), tau=True), TypeError,
     "gumbel_softmax: tau must be a finite number > 0, got True"),
    (lambda: F.gumbel_softmax([0.0, 1.0]), TypeError,
     "gumbel_softmax: logits must be a Tensor, got list"),
    (lambda: F.gumbel_softmax(tn.zeros(2, 3), dim=2), IndexError, "Dimension out of range"),
    (lambda: F.gumbel_softmax(tn.zeros(2, 3), dim=1.0), TypeError,
     "gumbel_softmax: dim must be an integer, got 1.0"),
    (lambda: F.gumbel_softmax(tn.zeros(3), generator=np.random.RandomState(0)), TypeError,
     "gumbel_softmax: generator must be a tinynet.Generator or a numpy.random.Generator"),
])
def test_bad_arguments_are_refused_naming_the_function(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_a_bad_argument_draws_no_noise():
    _ = tn.manual_seed(1)
    with pytest.raises(ValueError):
        F.gumbel_softmax(tn.zeros(3), tau=0)
    after = F.gumbel_softmax(tn.zeros(3))
    _ = tn.manual_seed(1)
    np.testing.assert_array_equal(after.array, F.gumbel_softmax(tn.zeros(3)).array)


def test_eps_is_deprecated_and_unused_as_in_pytorch():
    logits = _logits((2, 3), requires_grad=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _ = tn.manual_seed(0)
        default = F.gumbel_softmax(logits)
    with pytest.warns(UserWarning, match="gumbel_softmax: eps is deprecated"):
        _ = tn.manual_seed(0)
        other = F.gumbel_softmax(logits, eps=1e-3)
    np.testing.assert_array_equal(other.array, default.array)


def test_the_name_and_signature_are_pytorchs():
    torch = pytest.importorskip("torch")
    import inspect
    theirs = inspect.signature(torch.nn.functional.gumbel_softmax).parameters
    ours = inspect.signature(F.gumbel_softmax).parameters
    assert list(ours)[:len(theirs)] == list(theirs) and "gumbel_softmax" in F.__all__
    for name in theirs:
        assert ours[name].default == theirs[name].default
