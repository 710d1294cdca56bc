"""What the op tests share: random inputs, kinks kept away from, and the check of one
op against numpy plus finite differences."""
import numpy as np

import tinynet as tn


def rand(*shape, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from(x, kinks, gap=0.05):
    """Move values within ``gap`` of a kink off it, so finite differences never straddle."""
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 2 * gap, x)
    return x


def check_op(tn_fn, np_fn, *arrays, rtol=1e-12):
    """Forward against numpy, then gradcheck every float64 input."""
    expected = np_fn(*arrays)
    got = tn_fn(*[tn.tensor(a) for a in arrays])
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.array, expected, rtol=rtol, atol=1e-14)
    inputs = tuple(tn.tensor(a, requires_grad=True) for a in arrays)
    assert tn.gradcheck(tn_fn, inputs)
