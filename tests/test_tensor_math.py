"""The Tensor methods of ``tensor_math.py`` and the functions of ``combining.py``: each
op against numpy or a closed form, each backward by finite differences (``gradcheck``
in float64, kinks avoided), shapes from hypothesis, and bad input named in the error."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tinynet as tn
from op_checks import away_from, check_op, rand


# ---- elementwise -------------------------------------------------------------------------
HALF_PI = np.pi / 2
UNARY = [
    ("sin", tn.sin, np.sin, rand(3, 4, low=-10, high=10)),
    ("cos", tn.cos, np.cos, rand(3, 4, low=-10, high=10)),
    ("tan", tn.tan, np.tan, rand(3, 4, low=-1.4, high=1.4)),
    ("asin", tn.asin, np.arcsin, rand(3, 4, low=-0.95, high=0.95)),
    ("acos", tn.acos, np.arccos, rand(3, 4, low=-0.95, high=0.95)),
    ("atan", tn.arctan, np.arctan, rand(3, 4, low=-10, high=10)),
    ("sinh", tn.sinh, np.sinh, rand(3, 4, low=-5, high=5)),
    ("cosh", tn.cosh, np.cosh, rand(3, 4, low=-5, high=5)),
    ("asinh", tn.asinh, np.arcsinh, rand(3, 4, low=-10, high=10)),
    ("acosh", tn.acosh, np.arccosh, rand(3, 4, low=1.05, high=10)),
    ("atanh", tn.arctanh, np.arctanh, rand(3, 4, low=-0.95, high=0.95)),
    ("log2", tn.log2, np.log2, rand(3, 4, low=0.01, high=100)),
    ("log10", tn.log10, np.log10, rand(3, 4, low=0.01, high=100)),
    ("log1p", tn.log1p, np.log1p, rand(3, 4, low=-0.9, high=100)),
    ("expm1", tn.expm1, np.expm1, rand(3, 4, low=-10, high=10)),
    ("exp2", tn.exp2, np.exp2, rand(3, 4, low=-10, high=10)),
    ("square", tn.square, np.square, rand(3, 4, low=-10, high=10)),
    ("reciprocal", tn.reciprocal, np.reciprocal,
     away_from(rand(3, 4, low=-10, high=10), [0], gap=0.1)),
    ("rsqrt", tn.rsqrt, lambda a: 1 / np.sqrt(a), rand(3, 4, low=0.01, high=100)),
    ("neg", tn.neg, np.negative, rand(3, 4)),
    ("clamp_min", lambda t: t.clamp_min(0.5), lambda a: np.maximum(a, 0.5),
     away_from(rand(3, 4), [0.5])),
    ("clamp_max", lambda t: tn.clamp_max(t, 0.5), lambda a: np.minimum(a, 0.5),
     away_from(rand(3, 4), [0.5])),
]


@pytest.mark.parametrize("name,tn_fn,np_fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, tn_fn, np_fn, x):
    check_op(tn_fn, np_fn, x)


def test_small_arguments_keep_their_precision():
    tiny = np.array([1e-12, -1e-15])
    np.testing.assert_array_equal(tn.tensor(tiny).log1p().array, np.log1p(tiny))
    np.testing.assert_array_equal(tn.tensor(tiny).expm1().array, np.expm1(tiny))


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "log2", "log10", "log1p", "expm1",
                                  "exp2", "reciprocal", "rsqrt", "atan", "sinh", "asinh"])
def test_integer_inputs_become_the_default_float(name):
    y = getattr(tn.tensor([1, 2]), name)()
    assert y.dtype == tn.float32
    np.testing.assert_allclose(y.array, getattr(tn.tensor([1.0, 2.0]), name)().array)


ROUNDING = [("floor", np.floor), ("ceil", np.ceil), ("trunc", np.trunc), ("sign", np.sign),
            ("round", np.round)]


@pytest.mark.parametrize("name,np_fn", ROUNDING, ids=[r[0] for r in ROUNDING])
def test_rounding_ops_have_zero_gradient(name, np_fn):
    x = np.array([-2.5, -1.5, -0.7, 0.0, 0.5, 1.5, 2.3, 7.0])
    t = tn.tensor(x, requires_grad=True)
    y = getattr(tn, name)(t)
    np.testing.assert_array_equal(y.array, np_fn(x))  # round: halves to even
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(t.grad.array, np.zeros_like(x))
    assert tn.gradcheck(lambda a: getattr(a, name)() + a, (tn.tensor(x + 0.25,
                                                                     requires_grad=True),))


def test_sign_of_nan_is_zero_as_pytorchs():
    """PyTorch's sign is (0 < x) - (x < 0): 0 for NaN, where numpy's is NaN."""
    for dtype in (tn.float16, tn.float32, tn.float64):
        x = tn.tensor([np.nan, -np.nan, -np.inf, np.inf, -0.0, 2.0], dtype=dtype)
        assert x.sign().tolist() == [0.0, 0.0, -1.0, 1.0, 0.0, 1.0] and x.sign().dtype == dtype
    assert tn.sign(tn.tensor(np.nan)).item() == 0.0
    assert tn.tensor([-3, 0, 5]).sign().tolist() == [-1, 0, 1]


def test_round_with_decimals():
    x = tn.tensor([1.2345, -2.5551, 1234.5], dtype=tn.float64)
    np.testing.assert_array_equal(x.round(decimals=2).array, np.round(x.array, 2))
    np.testing.assert_array_equal(tn.round(x, decimals=-2).array, np.round(x.array, -2))
    with pytest.raises(TypeError, match="round: decimals must be an integer, got 1.5"):
        x.round(1.5)


def test_rounding_integers_keeps_them():
    x = tn.tensor([3, -2])
    for name in ("floor", "ceil", "trunc", "round"):
        y = getattr(x, name)()
        assert y.dtype == tn.int64 and y.tolist() == [3, -2]
    assert x.sign().tolist() == [1, -1] and x.square().tolist() == [9, 4]


# ---- maximum / minimum -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["maximum", "minimum"])
@settings(max_examples=15)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 32 - 1))
def test_maximum_minimum_broadcasting(name, shapes, seed):
    rng = np.random.default_rng(seed)
    (x_shape, z_shape), _ = shapes
    # continuous draws: a tie (within gradcheck's step 1e-6) has probability ~1e-6
    x, z = rng.uniform(-3, 3, x_shape), rng.uniform(-3, 3, z_shape)
    check_op(getattr(tn, name), getattr(np, name), x, z)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_ties_split_the_gradient_evenly(name):
    a = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tn.tensor([1.0, 1.0, 4.0], requires_grad=True)
    getattr(tn, name)(a, b).sum().backward()
    if name == "maximum":
        assert a.grad.tolist() == [0.5, 1.0, 0.0] and b.grad.tolist() == [0.5, 0.0, 1.0]
    else:
        assert a.grad.tolist() == [0.5, 0.0, 1.0] and b.grad.tolist() == [0.5, 1.0, 0.0]


def test_max_and_min_of_two_tensors():
    a, b = tn.tensor([1.0, 5.0]), tn.tensor([3.0, 2.0])
    assert tn.max(a, b).tolist() == [3.0, 5.0] and tn.min(a, b).tolist() == [1.0, 2.0]
    assert a.max(b).tolist() == [3.0, 5.0] and a.maximum(2.5).tolist() == [2.5, 5.0]
    with pytest.raises(TypeError, match="maximum: other must be a tensor or a number, got str"):
        tn.maximum(a, "b")


# ---- reductions --------------------------------------------------------------------------
@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)], ids=str)
def test_min_with_dim(dim, keepdim):
    x = rand(3, 4, 5)
    values, indices = tn.tensor(x).min(dim, keepdim)
    np.testing.assert_array_equal(values.array, x.min(axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.array, x.argmin(axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(tn.argmin(tn.tensor(x), dim, keepdim).array,
                                  x.argmin(axis=dim, keepdims=keepdim))
    assert tn.gradcheck(lambda t: t.min(dim, keepdim).values, (tn.tensor(x, requires_grad=True),))
    check_op(lambda t: t.min(), np.min, x)
    assert tn.tensor(x).argmin().item() == x.argmin()


PRODUCTS = [
    ("all", lambda t: t.prod(), lambda a: np.prod(a)),
    ("dim0", lambda t: t.prod(0), lambda a: np.prod(a, axis=0)),
    ("dim1_keep", lambda t: tn.prod(t, 1, keepdim=True), lambda a: np.prod(a, 1, keepdims=True)),
    ("dim-1", lambda t: t.prod(dim=-1), lambda a: np.prod(a, axis=-1)),
]


@pytest.mark.parametrize("name,tn_fn,np_fn", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_prod(name, tn_fn, np_fn):
    check_op(tn_fn, np_fn, rand(3, 4, low=0.5, high=1.5) * np.array([1, -1, 1, -1]))


def test_prod_gradient_with_zeros_is_the_product_of_the_others():
    x = tn.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]], dtype=tn.float64,
                  requires_grad=True)
    x.prod(1).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0, 6, 0], [0, 0, 0], [6, 3, 2]])
    x.grad = None
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.array, np.zeros((3, 3)))
    y = tn.tensor([2.0, 0.0, 3.0], dtype=tn.float64, requires_grad=True)
    assert tn.gradcheck(lambda t: t.prod(), (y,))  # exactly at a zero: still the product


def test_prod_and_cumsum_of_integers_give_int64():
    assert tn.tensor([2, 3], dtype=tn.int32).prod().dtype == tn.int64
    assert tn.tensor([True, True]).prod().item() == 1
    assert tn.tensor([1, 2, 3], dtype=tn.int32).cumsum(0).tolist() == [1, 3, 6]
    assert tn.tensor([1, 2], dtype=tn.int32).cumsum(0).dtype == tn.int64


@pytest.mark.parametrize("empty", [(), []])
def test_all_and_any_over_no_dim_give_each_elements_truth_as_pytorch(empty):
    x = tn.tensor([[1, 0], [2, 3]])
    assert x.all(dim=empty).tolist() == [[True, False], [True, True]]
    assert tn.any(x, dim=empty).tolist() == [[True, False], [True, True]]
    assert x.all().item() is False and x.any(dim=(0, 1)).item() is True
    assert x.sum(dim=empty).item() == 6  # (sum's dim=() is every dim, as PyTorch's)


def test_prod_with_an_integer_dtype_multiplies_in_it_and_wraps_as_pytorch():
    x = tn.tensor([[100, 3, 1], [-7, 2, 5]])
    result = x.prod(1, dtype=tn.int8)
    assert result.dtype == tn.int8 and result.tolist() == [300 - 256, -70]
    assert tn.tensor([200, 2], dtype=tn.int32).prod(dtype=tn.uint8).item() == 400 % 256
    assert tn.tensor([3, 4], dtype=tn.int8).prod(dtype=tn.int32).dtype == tn.int32
    assert tn.tensor([3, 4], dtype=tn.uint8).prod().dtype == tn.int64  # no dtype: int64


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum(dim):
    check_op(lambda t: t.cumsum(dim), lambda a: np.cumsum(a, axis=dim), rand(3, 4))
    with pytest.raises(TypeError, match="cumsum: dim must be an integer, got None"):
        tn.ones(3).cumsum(None)


VARIANCES = [
    ("all", lambda t: t.var(), lambda a: a.var(ddof=1)),
    ("dim", lambda t: t.var(1), lambda a: a.var(axis=1, ddof=1)),
    ("biased", lambda t: t.var(1, False), lambda a: a.var(axis=1)),
    ("unbiased_kw", lambda t: t.var(dim=0, unbiased=False, keepdim=True),
     lambda a: a.var(axis=0, keepdims=True)),
    ("correction", lambda t: t.var(dim=(0, 1), correction=2), lambda a: a.var(ddof=2)),
    ("legacy_bool", lambda t: t.var(False), lambda a: a.var()),
    ("std", lambda t: t.std(), lambda a: a.std(ddof=1)),
    ("std_dim", lambda t: tn.std(t, 1, keepdim=True), lambda a: a.std(1, ddof=1, keepdims=True)),
    ("std_biased", lambda t: t.std(0, unbiased=False), lambda a: a.std(0)),
    ("std_correction0", lambda t: tn.std(t, -1, correction=0), lambda a: a.std(-1)),
]


@pytest.mark.parametrize("name,tn_fn,np_fn", VARIANCES, ids=[v[0] for v in VARIANCES])
def test_var_and_std(name, tn_fn, np_fn):
    check_op(tn_fn, np_fn, rand(4, 5))


def test_float32_var_and_std_are_computed_wide():
    # values 1000 ± 0.01 down a column: float32 sums row by row lose the mean, and with
    # it the variance (relative error 6e-3 before); 1e20s and 1e-25s: their squares over-
    # and underflow float32 where the standard deviation does not
    a = (1000 + 0.01 * np.random.default_rng(0).standard_normal((1000, 60))).astype(np.float32)
    exact = a.astype(np.float64).var(axis=0, ddof=1)
    np.testing.assert_allclose(tn.tensor(a).var(0).array, exact, rtol=1e-6)
    np.testing.assert_allclose(tn.tensor(a).std(0).array, np.sqrt(exact), rtol=1e-6)
    for scale in (1e20, 1e-25):
        x = tn.tensor([1.0, 1.0, -1.0]) * scale
        assert x.dtype == tn.float32
        np.testing.assert_allclose(x.std().item(), scale * np.sqrt(4 / 3), rtol=1e-6)


def test_std_of_a_constant_row_has_gradient_zero():
    x = tn.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], dtype=tn.float64, requires_grad=True)
    x.std(1).sum().backward()
    np.testing.assert_array_equal(x.grad.array[1], [0.0, 0.0, 0.0])
    assert np.all(np.isfinite(x.grad.array))


def test_var_argument_errors():
    with pytest.raises(RuntimeError, match="var: the tensor must be floating-point, got int64"):
        tn.tensor([1, 2]).var()
    with pytest.raises(TypeError, match="std: give unbiased or correction, not both"):
        tn.ones(3).std(0, unbiased=True, correction=0)


NORMS = [
    ("default", lambda t: t.norm(), lambda a: np.sqrt((a * a).sum())),
    ("fro_dims", lambda t: tn.norm(t, "fro", dim=(0, 1)), lambda a: np.sqrt((a * a).sum())),
    ("p2_dim", lambda t: t.norm(2, dim=1), lambda a: np.linalg.norm(a, axis=1)),
    ("p1_dim_keep", lambda t: t.norm(1, dim=0, keepdim=True),
     lambda a: np.abs(a).sum(0, keepdims=True)),
    ("inf", lambda t: t.norm(math.inf, dim=1), lambda a: np.abs(a).max(1)),
    ("-inf", lambda t: t.norm(-math.inf), lambda a: np.abs(a).min()),
    ("p3", lambda t: t.norm(3, dim=-1), lambda a: (np.abs(a) ** 3).sum(-1) ** (1 / 3)),
    ("p0.5", lambda t: t.norm(0.5), lambda a: (np.abs(a) ** 0.5).sum() ** 2),
]


@pytest.mark.parametrize("name,tn_fn,np_fn", NORMS, ids=[n[0] for n in NORMS])
@settings(max_examples=10)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_norm(name, tn_fn, np_fn, seed):
    x = away_from(np.random.default_rng(seed).uniform(-3, 3, (3, 4)), [0], gap=0.1)
    if "inf" in name:  # a unique extreme per row: no tie for finite differences to cross
        x = x + np.arange(12).reshape(3, 4) * 0.31 * np.sign(x)
    check_op(tn_fn, np_fn, x, rtol=1e-11)


def test_norm_of_zero_has_subgradient_zero():
    for p in (2, 1, math.inf, 3):
        z = tn.zeros(3, dtype=tn.float64, requires_grad=True)
        z.norm(p).backward()
        np.testing.assert_array_equal(z.grad.array, [0.0, 0.0, 0.0])
    z = tn.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=tn.float64, requires_grad=True)
    z.norm(dim=1).sum().backward()
    np.testing.assert_allclose(z.grad.array, [[0, 0], [0.6, 0.8]], rtol=1e-15)


def test_norm_argument_errors():
    with pytest.raises(RuntimeError, match="norm: the input must be a floating-point tensor"):
        tn.tensor([1, 2]).norm()
    with pytest.raises(ValueError, match="norm: p must be a number or 'fro'.*got 'nuc'"):
        tn.ones(2, 2).norm("nuc")


def test_long_float32_reductions_and_scans_keep_float32_precision():
    # numpy adds along a non-last axis one row at a time: 200,000 rows of 0.1 would end
    # ~1e-4 off; summed in float64 and rounded back, they keep about 7 digits, as PyTorch's
    x = tn.full((200_000, 3), 0.1)
    assert x.sum(0).dtype == tn.float32
    np.testing.assert_allclose(x.sum(0).numpy(), 20_000.0, rtol=1e-7)
    np.testing.assert_allclose(x.mean(0).numpy(), 0.1, rtol=1e-7)
    rng = np.random.default_rng(0)
    column = (rng.standard_normal((200_000, 1)) * 3 + 100).astype(np.float32)
    exact = column.astype(np.float64)
    np.testing.assert_allclose(tn.tensor(column).std(0).numpy(), exact.std(0, ddof=1),
                               rtol=1e-6)
    np.testing.assert_allclose(tn.tensor(column).var(0, correction=0).numpy(), exact.var(0),
                               rtol=1e-6)
    run = tn.full((100_000,), 0.1).cumsum(0)
    assert run.dtype == tn.float32 and run[-1].item() == np.float32(0.1 * 100_000)
    log_run = tn.full((100_000,), 0.1).logcumsumexp(0)[-1].item()
    assert log_run == pytest.approx(0.1 + math.log(100_000), rel=1e-7)
    assert tn.ones(3, dtype=tn.int32).sum().dtype == tn.int64  # integers: as before


# ---- numpy's axis / keepdims -------------------------------------------------------------
def test_numpy_names_where_pytorch_accepts_them():
    x = tn.tensor(rand(2, 3))
    a = x.array
    np.testing.assert_allclose(x.sum(axis=0, keepdims=True).array, a.sum(0, keepdims=True))
    np.testing.assert_allclose(tn.mean(x, axis=1).array, a.mean(1))
    assert x.argmax(axis=1).tolist() == a.argmax(1).tolist()
    assert x.max(axis=1).values.shape == (2,) and x.min(axis=0, keepdims=True)[0].shape == (1, 3)
    assert x.std(axis=1).shape == (2,) and x.var(axis=1, keepdims=True).shape == (2, 1)
    assert x.softmax(axis=1).shape == (2, 3) and x.unsqueeze(axis=0).shape == (1, 2, 3)
    assert tn.cat([x, x], axis=1).shape == (2, 6) and x.cumsum(axis=1).shape == (2, 3)
    assert x.any(axis=1).shape == (2,) and x.chunk(3, axis=1)[0].shape == (2, 1)
    with pytest.raises(TypeError, match="sum: give dim or its alias axis, not both"):
        x.sum(dim=0, axis=0)
    with pytest.raises(TypeError):  # not in PyTorch either (norm and split are Python there)
        x.norm(axis=1)


# ---- selection ---------------------------------------------------------------------------
@pytest.mark.parametrize("dim,largest", [(-1, True), (0, False), (1, True)])
def test_topk(dim, largest):
    x = rand(4, 5)
    values, indices = tn.tensor(x).topk(3, dim=dim, largest=largest)
    order = np.argsort(-x if largest else x, axis=dim)
    expected = np.take_along_axis(x, np.take(order, range(3), axis=dim), axis=dim)
    np.testing.assert_array_equal(values.array, expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.array, axis=dim), expected)
    assert indices.dtype == tn.int64
    assert tn.gradcheck(lambda t: tn.topk(t, 3, dim, largest).values,
                        (tn.tensor(x, requires_grad=True),))
    with pytest.raises(RuntimeError, match=r"topk: k must be an integer in \[0, 5\].*got 6"):
        tn.ones(5).topk(6)


def test_topk_with_ties_picks_each_index_once():
    values, indices = tn.tensor([1.0, 3.0, 3.0, 2.0]).topk(2)
    assert values.tolist() == [3.0, 3.0] and indices.tolist() == [1, 2]
    value, index = tn.tensor(3.0).topk(1)  # a 0-d tensor: itself, at index 0 (PyTorch's)
    assert value.shape == index.shape == () and (value.item(), index.item()) == (3.0, 0)


@settings(max_examples=50)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), largest=st.booleans(),
       data=st.data())
def test_topk_orders_ties_by_index_so_its_first_is_argmax(shape, largest, data):
    """Equal values (many here: a few distinct integers) come lower index first, so
    topk(1) picks the index argmax (argmin) picks, and a model whose logits are all equal
    predicts class 0 both ways; nan counts as the largest, as in PyTorch."""
    size = int(np.prod(shape))
    x = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.0, np.nan]), min_size=size,
                                    max_size=size))).reshape(shape)
    dim = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(1, shape[dim]))
    values, indices = tn.tensor(x).topk(k, dim=dim, largest=largest)
    key = np.where(np.isnan(x), np.inf, x)  # nan as the largest
    expected = np.argsort(-key if largest else key, axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.array, np.take(expected, range(k), axis=dim))
    first = np.take(indices.array, [0], axis=dim).squeeze(dim)
    pick = tn.tensor(x).argmax(dim) if largest else tn.tensor(x).argmin(dim)
    if largest or not np.isnan(x).any():  # (argmin returns a nan's index first)
        np.testing.assert_array_equal(first, pick.array)


@settings(max_examples=20)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_gather(shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(data.draw(st.integers(1, n)) if d != dim else data.draw(
        st.integers(1, 5)) for d, n in enumerate(shape))
    index = np.random.default_rng(0).integers(0, shape[dim], index_shape)
    x = rand(*shape)
    positions = list(np.indices(index_shape, sparse=True))
    positions[dim] = index
    check_op(lambda t: t.gather(dim, tn.tensor(index)), lambda a: a[tuple(positions)], x)


def test_gather_adds_gradients_of_a_repeated_index():
    x = tn.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    out = tn.gather(x, 1, tn.tensor([[0, 0], [1, 0]]))
    assert out.tolist() == [[1.0, 1.0], [5.0, 4.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 0.0], [1.0, 1.0, 0.0]]


def test_gather_errors():
    x = tn.ones(2, 3)
    with pytest.raises(RuntimeError, match="gather: index 5 is out of bounds for dim 1 with "
                                           "size 3"):
        x.gather(1, tn.tensor([[0, 5]]))
    with pytest.raises(RuntimeError, match="gather: index must have as many dims"):
        x.gather(1, tn.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="gather: index must be an integer tensor"):
        x.gather(1, tn.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match=r"index shape \(3, 1\) must be <= input shape"):
        x.gather(1, tn.tensor([[0], [0], [0]]))


def test_masked_fill():
    x = rand(3, 4)
    mask = np.array([True, False, False, True])
    check_op(lambda t: t.masked_fill(tn.tensor(mask), -1.5), lambda a: np.where(mask, -1.5, a),
             x)
    assert tn.tensor([1, 2]).masked_fill(tn.tensor([True, False]), 2.7).tolist() == [2, 2]
    y = tn.ones(2).masked_fill(tn.tensor([True, False]), float("-inf"))
    assert y.tolist() == [-math.inf, 1.0] and y.dtype == tn.float32
    value = tn.tensor(5.0, dtype=tn.float64, requires_grad=True)
    tn.zeros(2, 3, dtype=tn.float64).masked_fill(tn.tensor([True, False, True]), value).sum() \
        .backward()
    assert value.grad.item() == 4.0
    with pytest.raises(RuntimeError, match="masked_fill: mask must be a boolean tensor, got "
                                           "dtype int64"):
        tn.ones(2).masked_fill(tn.tensor([1, 0]), 0.0)
    # a larger mask broadcasts the input, as in PyTorch; in place it cannot
    grown = tn.ones(2).masked_fill(tn.tensor([[True], [False]]), 0.0)
    assert grown.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    with pytest.raises(RuntimeError, match=r"masked_fill_: the result's shape \(2, 2\) "
                                           r"cannot be written into this tensor's shape"):
        tn.ones(2).masked_fill_(tn.tensor([[True], [False]]), 0.0)
    with pytest.raises(RuntimeError, match="does not broadcast with the input's shape"):
        tn.ones(2).masked_fill(tn.tensor([True, False, True]), 0.0)


@settings(max_examples=15)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 32 - 1))
def test_where(shapes, seed):
    rng = np.random.default_rng(seed)
    (c_shape, x_shape, z_shape), _ = shapes
    cond = rng.random(c_shape) > 0.5
    check_op(lambda a, b: tn.where(tn.tensor(cond), a, b), lambda a, b: np.where(cond, a, b),
             rng.uniform(-3, 3, x_shape), rng.uniform(-3, 3, z_shape))


def test_where_with_numbers_and_the_one_argument_form():
    x = tn.tensor([-1.0, 2.0])
    assert tn.where(x > 0, x, 0.0).tolist() == [0.0, 2.0]
    assert tn.where(x > 0, 1.0, x).tolist() == [-1.0, 1.0]
    assert x.where(x > 0, -x).tolist() == [1.0, 2.0]
    assert tn.where(x > 0, 1, 0).dtype == tn.int64 and tn.where(x > 0, 1.0, 0).dtype == tn.float32
    rows, cols = tn.where(tn.tensor([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    with pytest.raises(RuntimeError, match="where: condition must be a boolean tensor"):
        tn.where(x, x, x)


@pytest.mark.parametrize("n,chunks,sizes", [(10, 4, [3, 3, 3, 1]), (10, 3, [4, 4, 2]),
                                            (6, 4, [2, 2, 2]), (5, 1, [5]), (2, 5, [1, 1])])
def test_chunk_sizes_follow_pytorch(n, chunks, sizes):
    assert [c.shape[0] for c in tn.arange(n).chunk(chunks)] == sizes


def test_chunk_and_split_backward_and_errors():
    x = rand(5, 4)
    check_op(lambda t: tn.cat(t.chunk(2, dim=1)[::-1], dim=1),
             lambda a: np.concatenate([a[:, 2:], a[:, :2]], axis=1), x)
    check_op(lambda t: t.split([1, 4])[1] * 2, lambda a: a[1:] * 2, x)
    check_op(lambda t: tn.split(t, 2)[2], lambda a: a[4:], x)
    with pytest.raises(RuntimeError, match=r"split: the sizes must be non-negative and add up "
                                           r"to 5 \(the size of dim 0\), got \[3, 3\]"):
        tn.ones(5).split([3, 3])
    with pytest.raises(RuntimeError, match="chunk: chunks must be a positive integer, got 0"):
        tn.ones(5).chunk(0)


# ---- joins -------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack(dim):
    a, b = rand(2, 3, seed=1), rand(2, 3, seed=2)
    check_op(lambda x, y: tn.cat([x, y * 2], dim), lambda x, y: np.concatenate([x, y * 2], dim),
             a, b)
    check_op(lambda x, y: tn.stack((x, y), dim), lambda x, y: np.stack([x, y], dim), a, b)


def test_cat_promotes_and_checks_shapes():
    assert tn.cat([tn.ones(2), tn.ones(2, dtype=tn.float64)]).dtype == tn.float64
    assert tn.cat([tn.ones(2), tn.tensor([1, 2])]).dtype == tn.float32
    assert tn.cat([tn.ones(2, 3), tn.ones(0)]).shape == (2, 3)  # PyTorch's legacy empty
    with pytest.raises(RuntimeError, match=r"cat: the tensors must have the same shape except "
                                           r"in dim 0, got \(2, 3\) and \(3, 2\)"):
        tn.cat([tn.ones(2, 3), tn.ones(3, 2)])
    with pytest.raises(RuntimeError, match=r"got \(2, 3\) and \(3, 2\) \(tensor 2\)"):
        tn.cat([tn.ones(2, 3), tn.ones(0), tn.ones(3, 2)])  # counted among the inputs
    with pytest.raises(ValueError, match=r"cat: tensors must be a non-empty list, got \[\]"):
        tn.cat([])


def test_an_empty_tensor_left_out_of_cat_gets_an_empty_gradient_as_in_pytorch():
    empty = tn.empty(0, requires_grad=True)
    empty64 = tn.empty(0, dtype=tn.float64, requires_grad=True)
    x = tn.ones(2, 2, requires_grad=True)
    y = tn.cat([empty, x, empty64])
    assert y.dtype == tn.float64 and y.shape == (2, 2)
    (y * 3).sum().backward()
    assert x.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert empty.grad.shape == (0,) and empty.grad.dtype == tn.float32
    assert empty64.grad.shape == (0,) and empty64.grad.dtype == tn.float64
    a, b = tn.empty(0, requires_grad=True), tn.empty(0, requires_grad=True)
    tn.cat([a, b]).sum().backward()  # all empty: one of them joined
    assert a.grad.shape == b.grad.shape == (0,)
    with pytest.raises(TypeError, match="stack: tensors must be a list or tuple of tensors"):
        tn.stack(tn.ones(2))
    with pytest.raises(RuntimeError, match="stack: the tensors must have the same shape"):
        tn.stack([tn.ones(2), tn.ones(3)])


# ---- linear algebra ----------------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)], None),
    ("ij,jk", [(2, 3), (3, 4)], "ij,jk->ik"),
    ("bi,bi->b", [(4, 3), (4, 3)], None),
    ("ij->ji", [(2, 3)], None),
    ("ij->", [(2, 3)], None),
    ("i,j->ij", [(3,), (4,)], None),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], None),
    ("ij,k->i", [(2, 3), (4,)], None),  # k only in the second operand: summed away
]


@pytest.mark.parametrize("equation,shapes,numpy_equation", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum(equation, shapes, numpy_equation):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check_op(lambda *ts: tn.einsum(equation, *ts),
             lambda *a: np.einsum(numpy_equation or equation, *a), *arrays)
    assert tn.einsum(equation, [tn.tensor(a) for a in arrays]).shape == \
        np.einsum(numpy_equation or equation, *arrays).shape


def test_einsum_errors():
    with pytest.raises(ValueError, match="einsum: '...' is not supported"):
        tn.einsum("...ij->...ji", tn.ones(2, 2))
    with pytest.raises(ValueError, match="einsum: operand 'ii' must name each dim"):
        tn.einsum("ii->i", tn.ones(2, 2))
    with pytest.raises(ValueError, match=r"einsum: operands must be one tensor per term of the "
                                         r"equation \(2\), got 1"):
        tn.einsum("ij,jk->ik", tn.ones(2, 2))


def test_mm_dot_and_the_arithmetic_functions():
    a, b = rand(2, 3), rand(3, 4, seed=1)
    check_op(tn.mm, np.matmul, a, b)
    check_op(tn.mv, np.matmul, a, rand(3, seed=2))
    with pytest.raises(RuntimeError, match=r"mv: the operands must be a matrix \(2-D\) and a "
                                           r"vector \(1-D\), got shapes \(3,\) and \(3,\)"):
        tn.mv(tn.ones(3), tn.ones(3))
    check_op(tn.dot, np.dot, rand(3), rand(3, seed=1))
    x, y = tn.tensor([1.0, 2.0]), tn.tensor([3.0, 5.0])
    assert tn.add(x, y, alpha=2).tolist() == [7.0, 12.0] and tn.sub(x, 1, alpha=2).tolist() == \
        [-1.0, 0.0]
    assert tn.mul(x, 3).tolist() == [3.0, 6.0] and tn.div(y, x).tolist() == [3.0, 2.5]
    assert tn.add(2, 3).item() == 5
    with pytest.raises(RuntimeError, match=r"mm: both operands must be matrices \(2-D\), got "
                                           r"shapes \(3,\)"):
        tn.mm(tn.ones(3), tn.ones(3, 2))
    with pytest.raises(RuntimeError, match="dot: both operands must be 1-D of the same length"):
        tn.dot(tn.ones(3), tn.ones(2))


def test_div_rounding_modes():
    i = tn.tensor([7, -7])
    assert tn.div(i, 2, rounding_mode="floor").tolist() == [3, -4]
    assert tn.div(i, 2, rounding_mode="trunc").tolist() == [3, -3]
    assert tn.div(i, 2, rounding_mode="trunc").dtype == tn.int64
    f = tn.tensor([7.0, -7.0], requires_grad=True)
    q = tn.div(f, 2, rounding_mode="floor")
    assert q.tolist() == [3.0, -4.0]
    q.sum().backward()
    assert f.grad.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'trunc' or 'floor'"):
        tn.div(f, 2, rounding_mode="round")


def test_matmul_out():
    out = tn.empty(2, 2)
    assert tn.matmul(tn.ones(2, 3), tn.ones(3, 2), out=out) is out
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic "
                                           "differentiation"):
        tn.matmul(tn.ones(2, 3, requires_grad=True), tn.ones(3, 2), out=out)
    with pytest.raises(RuntimeError, match=r"matmul: out must have the result's shape"):
        tn.matmul(tn.ones(2, 3), tn.ones(3, 2), out=tn.empty(3))


@pytest.mark.parametrize("fn, expected", [(tn.add, [5.0, 8.0]), (tn.sub, [-3.0, -4.0]),
                                          (tn.mul, [4.0, 12.0]), (tn.div, [0.25, 1 / 3])])
def test_elementwise_functions_write_into_out(fn, expected):
    out = tn.empty(2)
    assert fn(tn.tensor([1.0, 2.0]), tn.tensor([4.0, 6.0]), out=out) is out
    np.testing.assert_allclose(out.array, expected, rtol=1e-6)
    with pytest.raises(RuntimeError, match=f"{fn.__name__}\\(\\): functions with out="):
        fn(tn.ones(2, requires_grad=True), 2.0, out=out)
    with pytest.raises(RuntimeError, match=f"{fn.__name__}: out must have the result's shape"):
        fn(tn.ones(2), 2.0, out=tn.empty(3))


# ---- boolean logic and conversions -------------------------------------------------------
def test_boolean_operators():
    a, b = tn.tensor([True, True, False]), tn.tensor([True, False, False])
    assert (~a).tolist() == [False, False, True] and (a & b).tolist() == [True, False, False]
    assert (a | b).tolist() == [True, True, False] and (a ^ b).tolist() == [False, True, False]
    assert a.logical_not().tolist() == [False, False, True]
    v = tn.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert v.isnan().tolist() == [False, True, False, False]
    assert tn.isinf(v).tolist() == [False, False, True, True]
    assert tn.isfinite(v).tolist() == [True, False, False, False]
    x = tn.tensor([1.0, 2.0])
    assert x.ne(1.0).tolist() == [False, True] and x.ge(2.0).tolist() == [False, True]
    with pytest.raises(TypeError, match="invert: the tensor must be boolean or integer for ~, "
                                        "got float32"):
        ~x


def test_index_format_nelement_and_type():
    assert [10, 20, 30][tn.tensor(1)] == 20 and list(range(tn.tensor([3]))) == [0, 1, 2]
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [1, 2][tn.tensor(1.0)]
    loss = tn.tensor(0.12345)
    assert f"{loss:.2%}" == f"{loss.item():.2%}" and f"{loss:.3f}" == "0.123"
    assert f"{loss}" == str(loss.item())  # a 0-d tensor formats as its number, as PyTorch
    assert f"{tn.tensor([0.5]):.1f}" == "0.5" and f"{tn.ones(2)}" == str(tn.ones(2))
    with pytest.raises(TypeError, match=r"format: a format spec \('.2f'\) needs a tensor with "
                                        r"one element, got shape \(2,\)"):
        f"{tn.ones(2):.2f}"
    assert tn.ones(2, 3).nelement() == 6 == tn.numel(tn.ones(2, 3))
    assert tn.ones(2).type() == "tinynet.FloatTensor" and tn.tensor([1]).type() == \
        "tinynet.LongTensor"
    assert tn.ones(2).type(tn.float64).dtype == tn.float64
    assert tn.ones(2).type("torch.LongTensor").dtype == tn.int64
    assert tn.ones(2).type(tn.IntTensor).dtype == tn.int32
    with pytest.raises(ValueError, match="type: the name must be one of torch"):
        tn.ones(2).type("torch.cuda.FloatTensor")


def test_legacy_typed_constructors():
    x = tn.FloatTensor([1, 2])
    assert x.dtype == tn.float32 and x.tolist() == [1.0, 2.0]
    assert tn.LongTensor([1.7, 2]).tolist() == [1, 2] and tn.FloatTensor(2, 3).shape == (2, 3)
    assert tn.DoubleTensor(np.array([1, 2])).dtype == tn.float64
    assert tn.FloatTensor().shape == (0,) and tn.BoolTensor([1, 0]).dtype == tn.bool
    assert isinstance(x, tn.FloatTensor) and not isinstance(x, tn.LongTensor)
    assert isinstance(x, tn.Tensor) and x.to(tn.DoubleTensor).dtype == tn.float64


@pytest.mark.parametrize("args", [
    ([1, 2],), ([[1, 2], [3, 4]],), ([True, False],), (np.array([1, 2]),),
    (np.array([0.5, 1.5]),), (3,), (2, 3), (0,), (),
])
def test_the_legacy_tensor_constructor_is_pytorchs(args):
    """Tensor(data) is data in the default float dtype; Tensor(sizes) a tensor of that
    shape (zeros here, uninitialised in PyTorch); Tensor() empty."""
    torch = pytest.importorskip("torch")
    ours, theirs = tn.Tensor(*args), torch.Tensor(*args)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == tn.float32
    if args and not all(isinstance(a, int) for a in args):
        np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_the_legacy_constructor_takes_fractions_into_an_integer_list_and_parameters():
    t = tn.Tensor([[1, 2], [3, 4]])
    t[0, 0] = 0.5  # a float tensor: kept, not truncated
    assert t.tolist() == [[0.5, 2.0], [3.0, 4.0]]
    weight = tn.nn.Parameter(tn.Tensor(3, 2))  # the custom-layer pattern
    assert weight.shape == (3, 2) and weight.requires_grad and weight.dtype == tn.float32
    assert tn.Tensor(4).uniform_(-1, 1).shape == (4,)
    assert tn.Tensor(tn.tensor([1, 2])).dtype == tn.int64  # a tensor keeps its dtype
    assert tn.Tensor([1.0], requires_grad=True).requires_grad  # (tinynet's keyword)
    tn.set_default_dtype(tn.float64)
    try:
        assert tn.Tensor([1, 2]).dtype == tn.float64
    finally:
        tn.set_default_dtype(tn.float32)
    with pytest.raises(ValueError, match="Tensor: sizes must be integers >= 0, got -1 for "
                                         "dimension 1"):
        tn.Tensor(2, -1)
    with pytest.raises(TypeError, match="Tensor: takes one data argument .* got 2 arguments "
                                        "of types list, list"):
        tn.Tensor([1], [2])


# ---- float32 stays float32 ----------------------------------------------------------------
F32_OPS = {
    "sin": lambda t: t.sin(), "tan": lambda t: t.tan(), "log2": lambda t: (t * t + 1).log2(),
    "log10": lambda t: (t * t + 1).log10(), "log1p": lambda t: (t * t).log1p(),
    "expm1": lambda t: t.expm1(), "exp2": lambda t: t.exp2(), "square": lambda t: t.square(),
    "reciprocal": lambda t: (t * t + 1).reciprocal(), "rsqrt": lambda t: (t * t + 1).rsqrt(),
    "floor": lambda t: t.floor(), "round": lambda t: t.round(2), "sign": lambda t: t.sign(),
    "maximum": lambda t: t.maximum(t[0]), "min": lambda t: t.min(), "min_dim":
        lambda t: t.min(1).values, "prod": lambda t: t.prod(0), "prod_all": lambda t: t.prod(),
    "cumsum": lambda t: t.cumsum(1), "var": lambda t: t.var(0), "std": lambda t: t.std(),
    "norm": lambda t: t.norm(), "norm_inf": lambda t: t.norm(math.inf, dim=1),
    "norm_p3": lambda t: t.norm(3), "topk": lambda t: t.topk(2).values,
    "gather": lambda t: t.gather(1, tn.tensor([[0], [1], [2], [0]])),
    "masked_fill": lambda t: t.masked_fill(t.detach() > 0, 0.5),
    "where": lambda t: tn.where(t.detach() > 0, t, 0.0), "cat": lambda t: tn.cat([t, t]),
    "stack": lambda t: tn.stack([t, t], 1), "chunk": lambda t: t.chunk(2)[1],
    "einsum": lambda t: tn.einsum("ij,ij->i", t, t),
}


class DtypeProbe(tn.autograd.Function):
    """Identity that records the dtype of the gradient flowing back into it (the leaf
    would cast a float64 gradient back to float32, hiding the doubled work)."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        DtypeProbe.seen.append(grad.dtype)
        return grad


@pytest.mark.parametrize("name", list(F32_OPS))
def test_float32_gradients_stay_float32(name):
    x = tn.tensor(rand(4, 3), dtype=tn.float32, requires_grad=True)
    DtypeProbe.seen = []
    y = F32_OPS[name](DtypeProbe.apply(x))
    assert y.dtype == tn.float32
    y.backward(tn.ones(y.shape))
    assert DtypeProbe.seen == [np.float32] and np.all(np.isfinite(x.grad.array))


# ---- nn.functional.one_hot ---------------------------------------------------------------
def test_one_hot():
    F = tn.nn.functional
    y = F.one_hot(tn.tensor([[0, 2], [1, 1]]))
    assert y.dtype == tn.int64 and y.shape == (2, 2, 3)
    np.testing.assert_array_equal(y.array, np.eye(3, dtype=np.int64)[[[0, 2], [1, 1]]])
    assert F.one_hot(tn.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert F.one_hot(tn.tensor([], dtype=tn.int64), 2).shape == (0, 2)
    with pytest.raises(RuntimeError, match=r"one_hot: class indices must be in \[0, 2\), got 3"):
        F.one_hot(tn.tensor([0, 3]), 2)
    with pytest.raises(RuntimeError, match="one_hot: the input must be an int64 tensor"):
        F.one_hot(tn.tensor([0.0]))


def test_masked_fill_and_index_fill_store_an_int_as_pytorch():
    small, mask = tn.tensor([1, 2], dtype=tn.uint8), tn.tensor([True, False])
    assert small.masked_fill(mask, -1).tolist() == [255, 2]  # wrapped, as PyTorch
    assert small.index_fill(0, tn.tensor([0]), -1).tolist() == [255, 2]
    with pytest.raises(RuntimeError, match=r"masked_fill: value 300 cannot be converted to "
                                           r"uint8 without overflow \(it must be in \[-255, "
                                           r"255\]\)"):
        small.masked_fill(mask, 300)
    with pytest.raises(RuntimeError, match="index_fill: value 300 cannot be converted"):
        small.index_fill(0, tn.tensor([0]), 300)


def test_masked_fill_and_index_fill_check_a_0d_tensor_value_as_a_number():
    # PyTorch refuses a value its cast would overflow, number or 0-d tensor alike
    mask = tn.tensor([True, False])
    huge = tn.tensor(1e300, dtype=tn.float64)
    with pytest.raises(RuntimeError, match=r"masked_fill: value 1e\+300 cannot be converted "
                                           r"to float32 without overflow"):
        tn.zeros(2).masked_fill(mask, huge)
    with pytest.raises(RuntimeError, match=r"index_fill: value 1e\+300 cannot be converted"):
        tn.zeros(2).index_fill(0, tn.tensor([0]), huge)
    with pytest.raises(RuntimeError, match=r"masked_fill: value 300 cannot be converted to "
                                           r"int8"):
        tn.zeros(2, dtype=tn.int8).masked_fill_(mask, tn.tensor(300))
    with pytest.raises(RuntimeError, match="index_fill: value must be a number or a 0-d "
                                           "tensor, got shape"):
        tn.zeros(2).index_fill(0, tn.tensor([0]), tn.ones(2))
    # what fits is cast, inf included, and the gradient still reaches a float value
    assert tn.zeros(2, dtype=tn.uint8).masked_fill(mask, tn.tensor(-1)).tolist() == [255, 0]
    assert tn.zeros(2).masked_fill(mask, tn.tensor(float("inf"), dtype=tn.float64)).tolist() \
        == [float("inf"), 0.0]
    value = tn.tensor(2.5, dtype=tn.float64, requires_grad=True)
    tn.zeros(3).index_fill(0, tn.tensor([0, 2]), value).sum().backward()
    assert value.grad.item() == 2.0 and value.grad.dtype == tn.float64


@pytest.mark.parametrize("store", [
    lambda t, v: t.fill_(v), lambda t, v: t.masked_fill(tn.tensor([True, False]), v),
    lambda t, v: t.masked_fill(tn.tensor([True, False]), tn.tensor(v, dtype=tn.float64)),
    lambda t, v: t.__setitem__(0, v)])
def test_a_float_stored_into_an_integer_dtype_must_lie_in_its_range_as_pytorch(store):
    # numpy wrapped 1e10, inf and nan silently; a float within the range is truncated
    for value in (1e10, float("inf"), float("nan"), 127.5, -128.5):
        with pytest.raises(RuntimeError, match=r"cannot be converted to int8 without overflow "
                                               r"\(a float must be in \[-128, 127\]\)"):
            store(tn.zeros(2, dtype=tn.int8), value)
    with pytest.raises(RuntimeError, match=r"a float must be in \[0, 255\]"):
        store(tn.zeros(2, dtype=tn.uint8), -0.5)
    t = tn.zeros(2, dtype=tn.int8)
    out = store(t, -1.5)
    assert (t if out is None else out).tolist()[0] == -1


def test_arange_refuses_bounds_against_the_steps_sign_as_pytorch():
    for start, end, step in ((3, 0, 1), (0, 3, -1), (0.0, -0.5, 0.1)):
        with pytest.raises(ValueError, match="arange: the bounds must agree with the "
                                             "step's sign"):
            tn.arange(start, end, step)
    assert tn.arange(3, 3).tolist() == [] and tn.arange(3, 0, -1).tolist() == [3, 2, 1]


def test_float_arange_is_computed_in_float64_then_cast_as_pytorch():
    # numpy's float32 arange accumulates the step in float32: its "0" was -7.6e-6
    x = tn.arange(-8.0, 8.0, 0.1)
    assert x.dtype == tn.float32 and len(x) == 160
    np.testing.assert_array_equal(x.array, (-8.0 + 0.1 * np.arange(160)).astype(np.float32))
    assert abs(x.array[80]) < 1e-12
    torch = pytest.importorskip("torch")
    # torch's vectorised kernel rounds some values one ulp apart from the plain formula
    np.testing.assert_allclose(x.array, torch.arange(-8.0, 8.0, 0.1).numpy(), rtol=0,
                               atol=float(np.spacing(np.float32(8.0))))


def test_the_mean_of_nothing_is_nan_without_a_warning_as_pytorchs():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = tn.zeros(0, 3, requires_grad=True)
        y = x.mean()
        assert np.isnan(y.item())
        y.backward()
        assert x.grad.shape == (0, 3)
        assert np.isnan(tn.zeros(0, 3).mean(0).array).all() and tn.zeros(0, 3).mean(1).shape == (0,)
        assert np.isnan(tn.nn.functional.mse_loss(tn.zeros(0), tn.zeros(0)).item())
        assert tn.zeros(0, dtype=tn.float64).mean().dtype == np.float64


def test_the_running_sum_of_a_0d_tensor_is_itself_and_bools_are_their_own_sign():
    x = tn.tensor(2.5, requires_grad=True)
    y = x.cumsum(0)
    assert y.shape == () and y.item() == 2.5
    y.backward()
    assert x.grad.shape == () and x.grad.item() == 1.0
    assert tn.tensor(3).cumsum(-1).shape == ()
    flags = tn.tensor([True, False])
    assert flags.sign().tolist() == [True, False] and flags.sign().dtype == np.bool_


@pytest.mark.parametrize("compute, value, message", [
    (lambda: tn.tensor([1.0]) / 0, np.inf, "divide by zero"),
    (lambda: tn.log(tn.tensor([0.0])), -np.inf, "divide by zero"),
    (lambda: tn.exp(tn.tensor([1000.0])), np.inf, "overflow"),
    (lambda: tn.sqrt(tn.tensor([-1.0])), np.nan, "invalid value"),
])
def test_floating_point_exceptions_warn_as_numpy_and_follow_its_error_settings(
        compute, value, message):
    """docs/api.md: PyTorch is silent; tinynet gives the same inf or nan with numpy's
    warning, which numpy's error settings silence or turn into an error."""
    with pytest.warns(RuntimeWarning, match=message):
        out = compute()
    np.testing.assert_array_equal(out.array, [value])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(compute().array, [value])
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        compute()


def test_the_division_methods_round_as_asked_and_keep_integers_integers():
    a, b = np.array([-7.0, 7.0, 5.0, -1.5]), np.array([2.0, 2.0, -2.0, 0.5])
    t, u = tn.tensor(a), tn.tensor(b)
    np.testing.assert_array_equal(t.div(u, rounding_mode="floor").numpy(), np.floor(a / b))
    np.testing.assert_array_equal(t.div(u, rounding_mode="trunc").numpy(), np.trunc(a / b))
    np.testing.assert_array_equal(t.divide(u).numpy(), a / b)
    np.testing.assert_array_equal(t.subtract(u, alpha=2).numpy(), a - 2 * b)
    ints = tn.tensor([-7, 7, 5])
    assert ints.div_(2, rounding_mode="floor") is ints and ints.tolist() == [-4, 3, 2]
    assert ints.dtype == tn.int64
    with pytest.raises(RuntimeError, match="divide: the result.s dtype float32 cannot be "
                                           "written into this tensor's dtype int64"):
        ints.div_(2)
