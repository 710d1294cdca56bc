"""AlphaDropout: SELU's dropout, against its closed form, its statistics, finite
differences and PyTorch's values."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F

SATURATION = 1.0507009873554805 * 1.6732632423543772  # SELU's λα


def _affine(p):
    """The map's scale a and the values of a kept 0 and of a dropped unit."""
    a = ((1 - p) * (1 + p * SATURATION ** 2)) ** -0.5
    return a, a * SATURATION * p, a * SATURATION * (p - 1)


@given(p=st.floats(0.05, 0.95), seed=st.integers(0, 2 ** 16))
@settings(max_examples=25, deadline=None)
def test_kept_units_are_mapped_and_dropped_ones_saturate(p, seed):
    x = np.random.default_rng(seed).standard_normal(400)
    y = F.alpha_dropout(tn.tensor(x), p, training=True,
                        generator=tn.Generator().manual_seed(seed)).numpy()
    a, shift, dropped_value = _affine(p)
    kept = ~np.isclose(y, dropped_value, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y[kept], a * x[kept] + shift, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y[~kept], dropped_value, rtol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.3])
def test_zero_mean_unit_variance_stay_so(p):
    tn.manual_seed(1)
    y = nn.AlphaDropout(p)(tn.randn(400_000, dtype=tn.float64)).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    z = nn.Dropout(p)(tn.randn(400_000, dtype=tn.float64)).numpy()
    assert z.std() > 1.03  # plain dropout does not keep the variance


def test_gradient_is_the_kept_units_scale():
    generator = tn.Generator()

    def fn(x):
        generator.manual_seed(3)  # the same mask at every call of the check
        return F.alpha_dropout(x, 0.4, True, generator=generator)

    x = tn.randn(6, 5, dtype=tn.float64, requires_grad=True)
    assert tn.autograd.gradcheck(fn, (x,))
    fn(x).sum().backward()
    a, _, _ = _affine(0.4)
    assert set(np.round(x.grad.numpy().ravel() / a, 12)) <= {0.0, 1.0}


def test_eval_p_zero_and_p_one():
    x = tn.randn(3, 4)
    drop = nn.AlphaDropout(0.3)
    assert drop.eval()(x) is x and F.alpha_dropout(x, 0.3) is x  # training=False by default
    assert F.alpha_dropout(x, 0.0, training=True) is x
    assert (F.alpha_dropout(x, 1.0, training=True).numpy() == 0).all()
    assert repr(nn.AlphaDropout(0.2)) == "AlphaDropout(p=0.2, inplace=False)"
    assert F.alpha_dropout(tn.randn(3, dtype=tn.float32), 0.5, True).dtype == tn.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.AlphaDropout(1.5), ValueError, r"p \(the dropout probability\) must be"),
    (lambda: F.alpha_dropout(tn.tensor([1, 2]), 0.5, True), TypeError,
     "alpha_dropout: input must be a floating-point tensor, got dtype int64"),
])
def test_alpha_dropout_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_values_equal_pytorchs():
    torch = pytest.importorskip("torch")
    for p in (0.2, 0.5):
        y = torch.nn.functional.alpha_dropout(torch.zeros(20_000, dtype=torch.float64), p,
                                              training=True)
        _, shift, dropped_value = _affine(p)
        np.testing.assert_allclose(sorted(set(y.numpy().round(12))),
                                   sorted({round(dropped_value, 12), round(shift, 12)}))
