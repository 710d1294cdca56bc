"""SmoothL1Loss, HuberLoss and L1Loss (one fused op): closed forms, finite differences in
input and target, reductions, huge differences, errors, and PyTorch's values."""
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F


def _data(seed=0, shape=(4, 5), scale=2.0):
    rng = np.random.default_rng(seed)
    # differences kept away from the kinks at |d| = β (1 and 0.5 here) and at 0
    d = rng.choice([-1, 1], shape) * rng.uniform(0.05, 3.0, shape)
    d[np.abs(np.abs(d) - 1.0) < 0.05] += 0.2
    d[np.abs(np.abs(d) - 0.5) < 0.05] += 0.2
    y = scale * rng.standard_normal(shape)
    return (tn.tensor(y + d, requires_grad=True), tn.tensor(y, requires_grad=True))


def _closed(d, beta):
    a = np.abs(d)
    return a if beta == 0 else np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_closed_form(beta, reduction):
    x, y = _data()
    d = x.array - y.array
    expected = _closed(d, beta)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    loss = nn.SmoothL1Loss(reduction, beta)(x, y)
    np.testing.assert_allclose(loss.array, expected, rtol=1e-14)
    np.testing.assert_array_equal(loss.array, F.smooth_l1_loss(x, y, reduction, beta).array)


@pytest.mark.parametrize("make", [lambda x, y: F.smooth_l1_loss(x, y),
                                  lambda x, y: F.smooth_l1_loss(x, y, "sum", beta=0.5),
                                  lambda x, y: F.huber_loss(x, y, "none", delta=0.5),
                                  lambda x, y: F.l1_loss(x, y)])
def test_gradcheck_in_input_and_target(make):
    assert tn.gradcheck(make, _data())


def test_gradient_is_d_over_beta_inside_and_the_sign_outside():
    x = tn.tensor([0.25, -0.5, 3.0, -2.0, 0.0], dtype=tn.float64, requires_grad=True)
    F.smooth_l1_loss(x, tn.zeros(5, dtype=tn.float64), "sum").backward()
    np.testing.assert_array_equal(x.grad.array, [0.25, -0.5, 1.0, -1.0, 0.0])
    x.grad = None
    F.l1_loss(x, tn.zeros(5, dtype=tn.float64), "sum").backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, -1.0, 1.0, -1.0, 0.0])


def test_huber_is_delta_times_smooth_l1_and_l1_is_beta_zero():
    x, y = _data(1)
    for delta in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(nn.HuberLoss("none", delta)(x, y).array,
                                   delta * F.smooth_l1_loss(x, y, "none", delta).array,
                                   rtol=1e-15)
    np.testing.assert_array_equal(nn.L1Loss()(x, y).array, F.smooth_l1_loss(x, y, beta=0).array)


@pytest.mark.parametrize("dtype", [tn.float32, tn.float64])
def test_huge_differences_are_finite_and_warning_free(dtype):
    big = float(np.finfo(dtype).max) / 4
    x = tn.tensor([big, -big, 0.5], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.smooth_l1_loss(x, tn.zeros(3, dtype=dtype), "none")
        loss.sum().backward()
    assert loss.dtype == dtype and np.isfinite(loss.array).all()
    np.testing.assert_array_equal(x.grad.array, np.array([1.0, -1.0, 0.5], dtype))


def test_float32_input_with_an_integer_target_stays_float32():
    loss = F.smooth_l1_loss(tn.ones(3), tn.tensor([0, 1, 3]))
    assert loss.dtype == np.float32
    assert loss.item() == pytest.approx((0.5 + 0 + 1.5) / 3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.smooth_l1_loss(tn.zeros(3), tn.zeros(4)), ValueError,
     r"smooth_l1_loss: target must have the input's shape \(3,\), got \(4,\)"),
    (lambda: nn.SmoothL1Loss(beta=-1.0), ValueError,
     "SmoothL1Loss: beta must be a finite number >= 0, got -1.0"),
    (lambda: nn.HuberLoss(delta=0.0), ValueError, "HuberLoss: delta must be a finite number > 0"),
    (lambda: nn.L1Loss(reduction="avg"), ValueError, "'avg'"),
    (lambda: F.l1_loss(np.zeros(3), tn.zeros(3)), TypeError, "l1_loss: input must be a Tensor"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name, kwargs", [
    ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.5, "reduction": "sum"}),
    ("SmoothL1Loss", {"beta": 0.0}), ("HuberLoss", {"delta": 0.5, "reduction": "none"}),
    ("HuberLoss", {}), ("L1Loss", {"reduction": "sum"}),
])
def test_values_and_gradients_equal_pytorchs(name, kwargs):
    torch = pytest.importorskip("torch")
    x, y = _data(2, scale=1.0)
    xt, yt = (torch.tensor(t.array, requires_grad=True) for t in (x, y))
    loss, torch_loss = getattr(nn, name)(**kwargs)(x, y), getattr(torch.nn, name)(**kwargs)(xt, yt)
    np.testing.assert_allclose(loss.array, torch_loss.detach().numpy(), rtol=1e-12)
    loss.sum().backward()
    torch_loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.array, yt.grad.numpy(), rtol=1e-12)
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))
