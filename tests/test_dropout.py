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


# ---- whole channels: Dropout1d/2d/3d, FeatureAlphaDropout -----------------------------------
CHANNEL_FORMS = [  # (module, input shape, the axes one mask value covers)
    (nn.Dropout1d, (6, 40, 5), (2,)), (nn.Dropout1d, (40, 5), (1,)),
    (nn.Dropout2d, (6, 40, 3, 4), (2, 3)), (nn.Dropout3d, (3, 40, 2, 3, 2), (2, 3, 4)),
    (nn.Dropout3d, (40, 2, 3, 2), (1, 2, 3)),
]


@pytest.mark.parametrize("module, shape, shared", CHANNEL_FORMS)
def test_channels_are_dropped_whole_and_the_gradient_is_the_mask(module, shape, shared):
    x = tn.tensor(np.random.default_rng(0).uniform(1, 2, shape), requires_grad=True)
    y = module(0.5, generator=tn.Generator().manual_seed(0))(x)
    mask = y.detach().numpy() / x.detach().numpy()
    per_channel = mask.max(axis=shared)
    np.testing.assert_array_equal(mask, np.broadcast_to(np.expand_dims(per_channel, shared),
                                                        shape))  # one value per channel
    assert set(np.round(np.unique(per_channel), 12)) == {0.0, 2.0}
    y.backward(tn.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-15)


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_channels_are_dropped_with_probability_p(p):
    y = F.dropout1d(tn.ones(500, 40, 3, dtype=tn.float64), p,
                    generator=tn.Generator().manual_seed(1))
    dropped = int((y.array[..., 0] == 0).sum())
    assert stats.binomtest(dropped, 500 * 40, p).pvalue > 1e-3


def test_feature_alpha_dropout_maps_each_channel_and_keeps_mean_and_variance():
    p = 0.3
    a = ((1 - p) * (1 + p * 1.7580993408473766 ** 2)) ** -0.5
    x = tn.tensor(np.random.default_rng(0).standard_normal((20_000, 8, 2)))
    y = F.feature_alpha_dropout(x, p, training=True, generator=tn.Generator().manual_seed(0))
    kept = np.isclose(y.array, a * x.array + 1.7580993408473766 * a * p)
    dropped = np.isclose(y.array, -1.7580993408473766 * a * (1 - p))
    assert (kept | dropped).all() and (kept[..., 0] == kept[..., 1]).all()  # whole channels
    assert y.array.mean() == pytest.approx(0.0, abs=0.02)
    assert y.array.std() == pytest.approx(1.0, abs=0.02)
    assert F.feature_alpha_dropout(x, p) is x  # training off by default, as PyTorch's
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, 1.0, True).array, 0 * x.array)


def test_channel_dropouts_follow_eval_and_take_their_shapes_or_say_so():
    for module, x in ((nn.Dropout1d, tn.ones(2, 3, 4)), (nn.Dropout2d, tn.ones(2, 3, 4, 5)),
                      (nn.Dropout3d, tn.ones(2, 3, 4, 5)), (nn.FeatureAlphaDropout, tn.ones(2, 3))):
        assert module(0.5).eval()(x) is x
        assert repr(module(0.2)) == f"{module.__name__}(p=0.2, inplace=False)"
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received "
                                           "a 4D input"):
        F.dropout1d(tn.ones(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match=r"feature_alpha_dropout: Feature dropout requires "
                                           r"at least 2 dimensions in the input \(N, C, \*\), "
                                           r"got shape \(5,\)"):
        F.feature_alpha_dropout(tn.ones(5), 0.5, True)
    with pytest.warns(UserWarning, match=r"dropout2d: Received a 3D input .* \(N, C, L\)"):
        y = F.dropout2d(tn.ones(2, 30, 4), 0.5, generator=tn.Generator().manual_seed(0))
    assert (y.array == y.array[..., :1]).all()  # taken as (N, C, L), as PyTorch's
    with pytest.warns(UserWarning, match="dropout3d: Received a 3-D input to dropout3d"):
        y = F.dropout3d(tn.ones(30, 4, 2), 0.5, generator=tn.Generator().manual_seed(0))
    assert (y.array == y.array[:, :1, :1]).all()  # unbatched: channels along dim 0
    with pytest.raises(TypeError, match="dropout2d: input must be a floating-point tensor"):
        F.dropout2d(tn.ones(2, 3, 4, 5, dtype=tn.int64))


def test_channel_dropouts_equal_pytorchs_in_values_and_shapes():
    torch = pytest.importorskip("torch")
    import warnings
    cases = [("dropout1d", (2, 30, 3)), ("dropout1d", (30, 3)), ("dropout2d", (2, 30, 3, 2)),
             ("dropout2d", (2, 30, 3)), ("dropout3d", (2, 30, 2, 2, 2)),
             ("dropout3d", (30, 2, 2, 2)), ("feature_alpha_dropout", (4, 30, 2))]
    for name, shape in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = getattr(F, name)(tn.ones(*shape, dtype=tn.float64), 0.4, True).numpy()
            theirs = getattr(torch.nn.functional, name)(
                torch.ones(*shape, dtype=torch.float64), 0.4, True).numpy()
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-12)
        # the positions sharing one mask value: constant along the same axes in both
        for axis in range(1 if name != "dropout1d" or len(shape) == 3 else 0, len(shape)):
            ours_flat = (np.ptp(ours, axis=axis) == 0).all()
            theirs_flat = (np.ptp(theirs, axis=axis) == 0).all()
            if theirs_flat:
                assert ours_flat, (name, shape, axis)
