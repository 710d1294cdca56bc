"""``Tensor.unfold`` (sliding windows) and ``scatter_reduce``, against loops written from
their definitions, gradients by finite differences (gradcheck, float64) and closed forms,
bad input by its error; then against PyTorch (when installed)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn


# ---- unfold -----------------------------------------------------------------------------
def _windows(a: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """The definition: window i holds a[..., i·step + j, ...] for j < size, along a new
    last dim, the windows counted along ``dim``."""
    n = (a.shape[dim] - size) // step + 1
    picked = [np.take(a, np.arange(i * step, i * step + size), axis=dim) for i in range(n)]
    out = np.stack([np.moveaxis(p, dim, -1) for p in picked], axis=dim)
    return out


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), data=st.data())
def test_unfold_is_its_definition_and_its_gradient_counts_the_windows(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(1, shape[dim]))
    step = data.draw(st.integers(1, 3))
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    x = tn.tensor(a, requires_grad=True)
    y = x.unfold(dim, size, step)
    np.testing.assert_array_equal(y.detach().numpy(), _windows(a, dim % len(shape), size, step))
    y.sum().backward()
    # d(Σ y)/dx: how many windows hold each element
    counts = np.zeros(shape[dim])
    for i in range((shape[dim] - size) // step + 1):
        counts[i * step:i * step + size] += 1
    expected = np.moveaxis(np.broadcast_to(counts, np.moveaxis(a, dim, -1).shape), -1, dim)
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    assert tn.gradcheck(lambda t: t.unfold(dim, size, step) ** 2,
                        (tn.tensor(a / 7 + 0.1, requires_grad=True),))


def test_unfold_edges_and_errors():
    x = tn.arange(6.0)
    assert x.unfold(0, 0, 1).shape == (7, 0)  # windows of nothing
    assert tn.tensor(3.0).unfold(0, 1, 1).tolist() == [3.0]
    assert x.unfold(0, 2, 4).tolist() == [[0.0, 1.0], [4.0, 5.0]]
    copy = x.unfold(0, 2, 2)
    copy.mul_(2)  # a copy: the input is unchanged (documented)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(RuntimeError, match=r"unfold: size must be between 0 and the size "
                                           r"of dimension 0 \(6\), got 7"):
        x.unfold(0, 7, 1)
    with pytest.raises(RuntimeError, match="unfold: step must be > 0, got 0"):
        x.unfold(0, 2, 0)
    with pytest.raises(TypeError, match="unfold: size must be an integer, got 2.5"):
        x.unfold(0, 2.5, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unfold(1, 2, 1)


def test_unfold_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for shape, dim, size, step in [((7,), 0, 3, 2), ((3, 4), 1, 2, 1), ((2, 5, 3), 1, 2, 3),
                                   ((3, 4), -1, 4, 3), ((), 0, 1, 1)]:
        a, w = rng.normal(size=shape), None
        ours, theirs = tn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, z = ours.unfold(dim, size, step), theirs.unfold(dim, size, step)
        assert tuple(y.shape) == tuple(z.shape)
        w = rng.normal(size=tuple(z.shape))
        (y * tn.tensor(w)).sum().backward()
        (z * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(y.detach().numpy(), z.detach().numpy())
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-15)
