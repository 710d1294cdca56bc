"""Flatten and Unflatten (and Tensor.flatten / unflatten): shapes, gradients, errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn


def test_flatten_keeps_the_batch_dimension_by_default():
    x = tn.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(-2)(x).shape == (2, 12)
    assert nn.Flatten()(tn.zeros(3, 0, 2)).shape == (3, 0)
    np.testing.assert_array_equal(nn.Flatten()(x).array, x.array.reshape(2, 12))


def test_unflatten_splits_a_dimension():
    x = tn.arange(24.0).reshape(2, 12)
    assert nn.Unflatten(1, (3, 4))(x).shape == (2, 3, 4)
    assert nn.Unflatten(-1, [2, -1])(x).shape == (2, 2, 6)
    assert nn.Unflatten(0, (1, 2))(x).shape == (1, 2, 12)


def test_flatten_then_unflatten_is_the_identity_with_its_gradient():
    x = tn.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    y = nn.Unflatten(1, (3, 4))(nn.Flatten()(x))
    np.testing.assert_array_equal(y.array, x.array)
    assert tn.gradcheck(lambda t: nn.Flatten(0)(t) * tn.arange(24.0).double(), (x,))


def test_reprs_equal_pytorchs():
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"


@pytest.mark.parametrize("make, x, error, message", [
    (lambda: nn.Flatten(), tn.zeros(3), IndexError, r"range of \[-1, 0\], but got 1"),
    (lambda: nn.Flatten(2, 1), tn.zeros(2, 3, 4), RuntimeError,
     "flatten: start_dim must not come after end_dim, got start_dim=2 and end_dim=1"),
    (lambda: nn.Unflatten(1, (2, 5)), tn.zeros(2, 3), RuntimeError,
     r"unflatten: sizes must multiply to the size 3 of dim 1, got \[2, 5\]"),
    (lambda: nn.Unflatten(1, (-1, -1)), tn.zeros(2, 4), RuntimeError, "unflatten"),
])
def test_errors_name_the_dimensions(make, x, error, message):
    with pytest.raises(error, match=message):
        make()(x)


def test_arguments_must_be_integers():
    with pytest.raises(TypeError, match="Flatten: start_dim must be an integer, got 1.0"):
        nn.Flatten(1.0)
    with pytest.raises(ValueError, match=r"Unflatten: unflattened_size must be an integer >= -1"):
        nn.Unflatten(1, (2, -3))


@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4), data=st.data())
def test_flatten_equals_pytorchs(shape, data):
    torch = pytest.importorskip("torch")
    start = data.draw(st.integers(-len(shape), len(shape) - 1))
    end = data.draw(st.integers(start % len(shape), len(shape) - 1))
    x = np.zeros(shape)
    assert nn.Flatten(start, end)(tn.tensor(x)).shape == \
        tuple(torch.nn.Flatten(start, end)(torch.tensor(x)).shape)
