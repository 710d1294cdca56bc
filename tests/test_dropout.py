"""Dropout: the mask's distribution and scale, its gradient, train/eval, generators."""
import numpy as np
import pytest
from scipy import stats

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F


def _seeded(p, seed=0):
    """Dropout with a fixed mask (a fresh generator per call), for finite differences."""
    return lambda t: F.dropout(t, p, generator=tn.Generator().manual_seed(seed))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_elements_are_dropped_with_probability_p_and_the_rest_scaled(p):
    y = F.dropout(tn.ones(100_000, dtype=tn.float64), p, generator=tn.Generator().manual_seed(1))
    values = set(np.unique(y.array).tolist())
    assert values == {0.0, 1 / (1 - p)}
    dropped = int((y.array == 0).sum())
    assert stats.binomtest(dropped, y.numel(), p).pvalue > 1e-3
    assert y.array.mean() == pytest.approx(1.0, abs=0.02)  # E[y] = x


def test_gradient_is_the_mask_and_finite_differences_agree():
    x = tn.tensor(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
    y = _seeded(0.4)(x)
    y.backward(tn.ones_like(y))
    kept = y.array != 0
    np.testing.assert_allclose(x.grad.array, np.where(kept, 1 / 0.6, 0.0), rtol=1e-15)
    assert tn.gradcheck(_seeded(0.4), (x,))


def test_p_zero_and_eval_return_the_input_and_p_one_drops_everything():
    x = tn.randn(5, requires_grad=True)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.7, training=False) is x
    layer = nn.Dropout(0.7).eval()
    assert layer(x) is x
    y = F.dropout(x, 1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.array, np.zeros(5))
    np.testing.assert_array_equal(x.grad.array, np.zeros(5))


def test_module_follows_train_and_eval():
    net = nn.Sequential(nn.Linear(3, 50), nn.Dropout(0.5))
    x = tn.ones(2, 3)
    assert (net(x).array == 0).any()
    net.eval()
    np.testing.assert_array_equal(net(x).array, net[0](x).array)
    net.train()
    assert (net(x).array == 0).any()


def test_masks_are_new_each_call_and_repeat_with_the_seed():
    x = tn.ones(200)
    tn.manual_seed(0)
    first, second = F.dropout(x).array, F.dropout(x).array
    assert not np.array_equal(first, second)
    tn.manual_seed(0)
    np.testing.assert_array_equal(F.dropout(x).array, first)
    layer = nn.Dropout(generator=np.random.default_rng(3))
    np.testing.assert_array_equal(layer(x).array,
                                  F.dropout(x, generator=np.random.default_rng(3)).array)


def test_dtype_is_kept():
    assert F.dropout(tn.ones(4), 0.5).dtype == np.float32
    assert F.dropout(tn.ones(4, dtype=tn.float64), 0.5).dtype == np.float64


def test_repr_equals_pytorchs():
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Dropout(0.2, inplace=True)) == "Dropout(p=0.2, inplace=True)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.Dropout(1.5), ValueError,
     r"Dropout: p \(the dropout probability\) must be a finite number in \[0, 1\], got 1.5"),
    (lambda: F.dropout(tn.ones(2), -0.1), ValueError, "dropout: p"),
    (lambda: nn.Dropout("0.5"), TypeError, "got '0.5'"),
    (lambda: F.dropout(tn.ones(2, dtype=tn.int64)), TypeError,
     "dropout: input must be a floating-point tensor, got dtype int64"),
    (lambda: F.dropout(tn.ones(2), generator=1), TypeError, "dropout: generator must be"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_behaviour_equals_pytorchs():
    torch = pytest.importorskip("torch")
    for p in (0.2, 0.5):
        ours = nn.Dropout(p)(tn.ones(10_000, dtype=tn.float64)).array
        theirs = torch.nn.Dropout(p)(torch.ones(10_000, dtype=torch.float64)).numpy()
        assert set(np.unique(ours)) == set(np.unique(theirs))  # {0, 1/(1 - p)}
        assert abs((ours == 0).mean() - (theirs == 0).mean()) < 0.04
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
