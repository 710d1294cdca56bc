"""nn.init: gains, the bounds and spreads of each initialiser (measured on large seeded
tensors), and determinism under tn.manual_seed."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.nn import init

FAN_OUT, FAN_IN = 600, 400


def _weight(dtype=tn.float64):
    return tn.zeros(FAN_OUT, FAN_IN, dtype=dtype)


@pytest.mark.parametrize("nonlinearity, param, gain", [
    ("linear", None, 1.0),
    ("identity", None, 1.0),
    ("sigmoid", None, 1.0),
    ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),  # what Linear's default init uses
    ("selu", None, 0.75),
    # our choice, documented in calculate_gain: GELU and ELU get ReLU's √2
    ("gelu", None, math.sqrt(2)),
    ("gelu_tanh", None, math.sqrt(2)),
    ("elu", None, math.sqrt(2)),
])
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_refuses_an_unknown_nonlinearity():
    with pytest.raises(ValueError, match="'swish'"):
        init.calculate_gain("swish")


def _assert_uniform(w, bound):
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.999 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def _assert_normal(w, std):
    assert abs(w.mean()) < 0.01 * std
    assert w.std() == pytest.approx(std, rel=0.01)
    # a Gaussian, not a uniform of the same std: 4.55% of samples lie beyond 2 std
    assert np.mean(np.abs(w) > 2 * std) == pytest.approx(0.0455, abs=0.003)


@pytest.mark.parametrize("mode, fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT)])
def test_kaiming_uniform_bound(mode, fan):
    tn.manual_seed(0)
    w = init.kaiming_uniform_(_weight(), mode=mode, nonlinearity="relu").array
    _assert_uniform(w, math.sqrt(2) * math.sqrt(3 / fan))


def test_kaiming_uniform_default_is_leaky_relu_with_slope_a():
    tn.manual_seed(0)
    w = init.kaiming_uniform_(_weight(), a=math.sqrt(5)).array
    _assert_uniform(w, 1 / math.sqrt(FAN_IN))  # √(2/6)·√(3/fan_in)


@pytest.mark.parametrize("nonlinearity", ["relu", "tanh", "gelu", "elu"])
def test_kaiming_normal_std(nonlinearity):
    tn.manual_seed(1)
    w = init.kaiming_normal_(_weight(), nonlinearity=nonlinearity).array
    _assert_normal(w, init.calculate_gain(nonlinearity) / math.sqrt(FAN_IN))


def test_kaiming_normal_fan_out():
    tn.manual_seed(1)
    w = init.kaiming_normal_(_weight(), mode="fan_out", nonlinearity="relu").array
    _assert_normal(w, math.sqrt(2 / FAN_OUT))


def test_kaiming_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="'fan_avg'"):
        init.kaiming_uniform_(_weight(), mode="fan_avg")


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_bound(gain):
    tn.manual_seed(2)
    w = init.xavier_uniform_(_weight(), gain=gain).array
    _assert_uniform(w, gain * math.sqrt(6 / (FAN_IN + FAN_OUT)))


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2)])
def test_xavier_normal_std(gain):
    tn.manual_seed(3)
    w = init.xavier_normal_(_weight(), gain=gain).array
    _assert_normal(w, gain * math.sqrt(2 / (FAN_IN + FAN_OUT)))


def test_fans_of_higher_dimensional_tensors_include_the_receptive_field():
    tn.manual_seed(4)
    w = init.xavier_uniform_(tn.zeros(60, 40, 3, 5, dtype=tn.float64)).array
    _assert_uniform(w, math.sqrt(6 / (40 * 15 + 60 * 15)))


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match=r"kaiming_uniform_: tensor must have at least 2 "
                                         r"dimensions \(fan in and fan out\), got shape \(5,\)"):
        init.kaiming_uniform_(tn.zeros(5))


def test_uniform_and_normal_with_arguments():
    tn.manual_seed(5)
    w = init.uniform_(_weight(), -3.0, 5.0).array
    assert w.min() >= -3.0 and w.max() <= 5.0 and w.min() < -2.99 and w.max() > 4.99
    assert w.mean() == pytest.approx(1.0, abs=0.02)
    w = init.normal_(_weight(), mean=2.0, std=0.5).array
    assert w.mean() == pytest.approx(2.0, abs=0.005)
    assert w.std() == pytest.approx(0.5, rel=0.01)


def test_constant_initialisers():
    w = _weight()
    np.testing.assert_array_equal(init.ones_(w).array, np.ones((FAN_OUT, FAN_IN)))
    np.testing.assert_array_equal(init.zeros_(w).array, np.zeros((FAN_OUT, FAN_IN)))
    np.testing.assert_array_equal(init.constant_(w, 0.25).array, np.full((FAN_OUT, FAN_IN), 0.25))


def test_initialisers_work_in_place_and_keep_dtype_and_requires_grad():
    p = nn.Parameter(np.zeros((3, 4), dtype=np.float32))
    data = p.array
    out = init.kaiming_normal_(p)
    assert out is p and p.array is data and p.dtype == np.float32 and p.requires_grad
    assert np.abs(p.array).sum() > 0


def test_same_seed_same_numbers_different_seed_different_numbers():
    def draw(seed):
        tn.manual_seed(seed)
        return (nn.Linear(5, 4).weight.array.copy(), init.xavier_normal_(_weight()).array.copy())

    first, again, other = draw(7), draw(7), draw(8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_explicit_generator_is_used_instead_of_the_global_one():
    w1 = init.uniform_(tn.zeros(3, 3), generator=np.random.default_rng(9)).array.copy()
    tn.manual_seed(123)
    w2 = init.uniform_(tn.zeros(3, 3), generator=np.random.default_rng(9)).array
    np.testing.assert_array_equal(w1, w2)


def test_zero_element_tensors_are_left_alone():
    # PyTorch's init is a no-op here; fan_in = 0 must not divide by zero
    layer = nn.Linear(0, 3)
    assert layer.weight.shape == (3, 0)
    np.testing.assert_array_equal(layer.bias.array, np.zeros(3))
    np.testing.assert_array_equal(layer(tn.zeros(2, 0)).array, np.zeros((2, 3)))


@pytest.mark.parametrize("name", ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                                  "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                                  "orthogonal_"])
def test_random_initialisers_refuse_an_integer_tensor_as_pytorch(name):
    weight = tn.zeros(3, 4, dtype=tn.int64)  # (draws of N(0, 1) truncated to ints: garbage)
    with pytest.raises(RuntimeError, match="draws from a continuous distribution need a "
                                           "floating-point tensor, got int64"):
        getattr(tn.nn.init, name)(weight)
    assert weight.tolist() == [[0] * 4] * 3
