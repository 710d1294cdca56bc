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


# ---- scatter_reduce ---------------------------------------------------------------------
REDUCTIONS = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def _scatter_reduce_loop(x, dim, index, src, reduce, include_self):
    """The definition, element by element: each position's contributors, reduced."""
    sent = {}
    for where in np.ndindex(index.shape):
        target = list(where)
        target[dim] = index[where]
        sent.setdefault(tuple(target), []).append(src[where])
    out = x.copy()
    for target, values in sent.items():
        values = values + [x[target]] * include_self
        value = REDUCTIONS[reduce](values)
        if reduce == "mean" and x.dtype.kind == "i":
            value = sum(values) // len(values)  # an integer mean rounds down
        out[target] = value
    return out


@st.composite
def _scatter_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, 4)) if d == dim else draw(st.integers(1, n))
                        for d, n in enumerate(shape))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    return shape, dim, rng.integers(0, shape[dim], size=index_shape), rng


@settings(max_examples=60, deadline=None)
@given(case=_scatter_case(), reduce=st.sampled_from(sorted(REDUCTIONS)),
       include_self=st.booleans(), integer=st.booleans())
def test_scatter_reduce_is_its_definition(case, reduce, include_self, integer):
    shape, dim, index, rng = case
    dtype = np.int64 if integer else np.float64
    x = rng.integers(-3, 4, size=shape).astype(dtype)
    src = rng.integers(-3, 4, size=index.shape).astype(dtype)
    out = tn.tensor(x).scatter_reduce(dim, tn.tensor(index), tn.tensor(src), reduce,
                                      include_self=include_self)
    assert out.dtype == tn.tensor(x).dtype
    np.testing.assert_allclose(out.numpy(), _scatter_reduce_loop(x, dim, index, src, reduce,
                                                                 include_self), rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(case=_scatter_case(), reduce=st.sampled_from(sorted(REDUCTIONS)),
       include_self=st.booleans())
def test_scatter_reduce_gradients_match_finite_differences(case, reduce, include_self):
    shape, dim, index, rng = case
    x = rng.normal(size=shape) + 2.0  # distinct values: no ties, no zeros
    src = rng.normal(size=index.shape) - 2.0
    assert tn.gradcheck(
        lambda a, b: a.scatter_reduce(dim, tn.tensor(index), b, reduce,
                                      include_self=include_self),
        (tn.tensor(x, requires_grad=True), tn.tensor(src, requires_grad=True)))


def test_scatter_reduce_ties_share_and_zeros_in_a_product():
    x = tn.tensor([1.0, 5.0], requires_grad=True)
    src = tn.tensor([5.0, 5.0, 0.0, 3.0], requires_grad=True)
    index = tn.tensor([1, 1, 0, 0])
    x.scatter_reduce(0, index, src, "amax").sum().backward()
    # position 1: self 5 and two sent 5s tie for the maximum: a third each
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1 / 3])
    np.testing.assert_allclose(src.grad.numpy(), [1 / 3, 1 / 3, 0.0, 1.0])
    x.grad = src.grad = None
    y = x.scatter_reduce(0, index, src, "prod")  # position 0: 1·0·3 = 0
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [0.0, 125.0])
    # one zero among the contributors: it alone gets the product of the others (1·3)
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 25.0])
    np.testing.assert_array_equal(src.grad.numpy(), [25.0, 25.0, 3.0, 0.0])
    # without self, the positions something was sent to get no gradient in x
    x.grad = None
    x.scatter_reduce(0, tn.tensor([1]), tn.tensor([2.0]), "mean",
                     include_self=False).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0])


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_extremes_give_nan_gradients_where_the_result_is_nan(reduce,
                                                                            include_self):
    x = tn.tensor([1.0, 2.0, float("nan")], requires_grad=True)
    src = tn.tensor([float("nan"), 3.0, 4.0, 0.0], requires_grad=True)
    index = tn.tensor([0, 0, 1, 2])
    y = x.scatter_reduce(0, index, src, reduce, include_self=include_self)
    y.sum().backward()
    assert np.isnan(y.detach().numpy()[0]) and np.isnan(y.detach().numpy()[2]) == include_self
    # position 0 is NaN (a NaN was sent): every contributor's gradient is undefined
    assert np.isnan(src.grad.numpy()[:2]).all()
    assert np.isnan(x.grad.numpy()[0]) == include_self
    # position 1 is the one value sent (with self: max or min of 2 and 4)
    winner = {("amax", True): 1, ("amin", True): 0}.get((reduce, include_self), 1)
    assert src.grad.numpy()[2] == winner and x.grad.numpy()[1] == 1 - winner
    # position 2: self's NaN makes the result NaN when it takes part
    assert np.isnan(src.grad.numpy()[3]) == include_self


def test_scatter_reduce_forms_and_errors():
    x, index, src = tn.tensor([1, 2, 3]), tn.tensor([0, 0]), tn.tensor([-3, -5])
    assert x.scatter_reduce(0, index, src, "mean").tolist() == [-3, 2, 3]  # ⌊-7/3⌋
    assert tn.scatter_reduce(x, 0, index, src, reduce="sum",
                             include_self=False).tolist() == [-8, 2, 3]
    y = tn.zeros(3)
    assert y.scatter_reduce_(0, tn.tensor([2, 2]), tn.ones(2), "sum") is y
    assert y.tolist() == [0.0, 0.0, 2.0]
    # PyTorch's older form: scatter with reduce="add" or "multiply", a tensor or a number
    assert tn.ones(3).scatter(0, tn.tensor([1, 1]), tn.tensor([2.0, 3.0]),
                              reduce="multiply").tolist() == [1.0, 6.0, 1.0]
    assert tn.zeros(3).scatter_(0, tn.tensor([0, 0]), 2.0, reduce="add").tolist() == \
        [4.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="scatter_reduce: reduce must be one of"):
        x.scatter_reduce(0, index, src, "max")
    with pytest.raises(ValueError, match="scatter: reduce must be one of"):
        x.scatter(0, index, src, reduce="sum")
    with pytest.raises(TypeError, match="scatter_reduce: include_self must be True or False"):
        x.scatter_reduce(0, index, src, "sum", include_self=1)
    with pytest.raises(TypeError, match="scatter_reduce: src must be a tensor, got int"):
        x.scatter_reduce(0, index, 3, "sum")
    with pytest.raises(RuntimeError, match="scatter_reduce: reduce='mean' needs numbers"):
        tn.tensor([True, False]).scatter_reduce(0, tn.tensor([0]), tn.tensor([True]), "mean")
    with pytest.raises(RuntimeError, match="scatter_reduce: index 5 is out of bounds"):
        x.scatter_reduce(0, tn.tensor([5]), tn.tensor([1]), "sum")


def test_scatter_reduce_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for trial in range(40):
        x = rng.integers(-2, 3, size=(3, 4)).astype(np.float64)
        if trial % 4 == 3:  # NaN results: their contributors' gradients are NaN
            x[rng.integers(0, 3), rng.integers(0, 4)] = np.nan
        index = rng.integers(0, 3, size=(5, 4))
        src = rng.integers(-2, 3, size=(5, 4)).astype(np.float64)
        w = rng.normal(size=(3, 4))
        for reduce in REDUCTIONS:
            for include_self in (True, False):
                a, b = tn.tensor(x, requires_grad=True), tn.tensor(src, requires_grad=True)
                ours = a.scatter_reduce(0, tn.tensor(index), b, reduce,
                                        include_self=include_self)
                (ours * tn.tensor(w)).sum().backward()
                c, d = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
                theirs = c.scatter_reduce(0, torch.tensor(index), d, reduce,
                                          include_self=include_self)
                (theirs * torch.tensor(w)).sum().backward()
                np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
                if reduce in ("amax", "amin") and not include_self:
                    # documented difference: PyTorch counts self among the ties even when
                    # it is left out (its shares then sum to less than the gradient)
                    continue
                expected = c.grad.numpy()
                if reduce in ("prod", "amax", "amin"):
                    # documented difference: where nothing was sent, y = self, and PyTorch's
                    # rules give NaN at a NaN self; tinynet passes the gradient
                    sent_to = (index[:, None, :] == np.arange(3)[None, :, None]).any(axis=0)
                    untouched = np.isnan(x) & ~sent_to
                    expected = np.where(untouched, w, expected)
                np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)
                np.testing.assert_allclose(b.grad.numpy(), d.grad.numpy(), rtol=1e-12)
