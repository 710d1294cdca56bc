"""tinynet equals PyTorch on the API beyond the core: values and input gradients of the
new ops in float64 (same inputs, same random upstream gradient), and the semantics that
snippets rely on (result shapes and dtypes, chunk sizes, devices, formatting).
Skipped when torch is not installed."""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from op_checks import rand

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny tensors: threads only add contention on a busy machine

RTOL, ATOL = 1e-12, 1e-13


def check(tn_fn, torch_fn, *arrays, rtol=RTOL, atol=ATOL):
    """Both libraries on ``arrays`` (float arrays require grad): outputs and gradients."""
    ours = [tn.tensor(a, requires_grad=True) if a.dtype.kind == "f" else tn.tensor(a)
            for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) if a.dtype.kind == "f" else torch.tensor(a)
              for a in arrays]
    y, y_ref = tn_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=rtol, atol=atol)
    assert y.shape == tuple(y_ref.shape) and y.dtype == y_ref.detach().numpy().dtype
    v = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        if a.requires_grad:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=atol)


WIDE = rand(5, 6, low=-20, high=20)
POSITIVE = rand(5, 6, low=1e-3, high=50)
ELEMENTWISE = [
    ("sin", WIDE), ("cos", WIDE), ("tan", rand(5, 6, low=-1.5, high=1.5)), ("log2", POSITIVE),
    ("log10", POSITIVE), ("log1p", rand(5, 6, low=-0.99, high=50)), ("expm1", WIDE),
    ("exp2", WIDE), ("square", WIDE), ("reciprocal", WIDE), ("rsqrt", POSITIVE), ("neg", WIDE),
    ("sign", np.append(WIDE.ravel(), [0.0, -0.0, np.nan, -np.inf])), ("floor", WIDE),
    ("ceil", WIDE),
    ("trunc", WIDE), ("round", np.append(WIDE.ravel(), [0.5, 1.5, -2.5])),
    ("asin", rand(5, 6, low=-0.95, high=0.95)), ("acos", rand(5, 6, low=-0.95, high=0.95)),
    ("atan", WIDE), ("sinh", rand(5, 6, low=-5, high=5)), ("cosh", rand(5, 6, low=-5, high=5)),
    ("asinh", WIDE), ("acosh", rand(5, 6, low=1.05, high=10)),
    ("atanh", rand(5, 6, low=-0.95, high=0.95)), ("arcsin", rand(5, 6, low=-0.9, high=0.9)),
    ("arctan", WIDE),
]


@pytest.mark.parametrize("name,x", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise(name, x):
    check(getattr(tn, name), getattr(torch, name), x)
    check(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)


@pytest.mark.parametrize("decimals", [1, 2, -1])
def test_round_decimals(decimals):
    check(lambda a: tn.round(a, decimals=decimals), lambda a: torch.round(a, decimals=decimals),
          rand(20, low=-500, high=500))


def test_round_with_decimals_refuses_integers_instead_of_returning_them_unrounded():
    with pytest.raises(TypeError, match=r"round: decimals must be 0 for a tensor of int64 "
                                        r"\(PyTorch rounds only floating-point tensors\), got -1"):
        tn.round(tn.tensor([15, 25]), decimals=-1)
    with pytest.raises(TypeError, match="round: decimals must be 0"):
        tn.tensor([15]).round_(decimals=1)
    assert tn.tensor([15, 25]).double().round(decimals=-1).tolist() == [20.0, 20.0]


@pytest.mark.parametrize("name", ["maximum", "minimum", "max", "min"])
def test_maximum_minimum_with_ties(name):
    x = np.round(rand(4, 5), 0)  # integers in [-3, 3]: many ties
    z = np.round(rand(5, seed=2), 0)
    check(getattr(tn, name), getattr(torch, name), x, z)


WITH_NAN = np.array([[np.nan, 1.0, 2.0, np.nan, -3.0], [0.5, -0.0, 4.0, -4.0, 2.0]])
OTHER_WITH_NAN = np.array([1.0, np.nan, 2.0, np.nan, -3.0])


@pytest.mark.parametrize("name", ["maximum", "minimum", "max", "min"])
def test_maximum_minimum_at_nan_give_the_gradient_to_both(name):
    check(getattr(tn, name), getattr(torch, name), WITH_NAN, OTHER_WITH_NAN)


@pytest.mark.parametrize("form", [
    "abs", "l1_loss", "norm_1", "norm_inf", "norm_-inf", "norm_inf_dim1", "norm_-inf_dim0"])
def test_slopes_at_nan_are_sign_nan_zero(form):
    """|x|, L1 and the 1- and inf-norms take sign(NaN) = 0 as their slope, as PyTorch: a
    NaN input leaves the other entries' gradients finite (a row without NaN unchanged)."""
    def run(m, x):
        if form == "abs":
            return x.abs()
        if form == "l1_loss":
            return m.nn.functional.l1_loss(x, m.zeros_like(x))
        _, p, *dim = form.split("_")
        return m.linalg.vector_norm(x, float(p), dim=int(dim[0][3:]) if dim else None)
    check(lambda x: run(tn, x), lambda x: run(torch, x), WITH_NAN)


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_min_with_dim_and_ties(dim, keepdim):
    x = np.round(rand(4, 5, 3), 0)
    check(lambda a: a.min(dim, keepdim).values, lambda a: a.min(dim, keepdim).values, x)
    assert tn.tensor(x).min(dim, keepdim).indices.tolist() == \
        torch.tensor(x).min(dim, keepdim).indices.tolist()
    assert tn.tensor(x).argmin(dim).tolist() == torch.tensor(x).argmin(dim).tolist()
    check(lambda a: a.min(), lambda a: a.min(), x)  # full reduction: ties split


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_with_zeros(dim):
    x = rand(4, 3)
    x[0, 1] = x[2, 0] = x[2, 2] = 0.0  # one zero in a row, two in another
    check(lambda a: a.prod() if dim is None else a.prod(dim),
          lambda a: a.prod() if dim is None else a.prod(dim), x)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum(dim):
    check(lambda a: a.cumsum(dim), lambda a: a.cumsum(dim), rand(3, 4))


VAR_FORMS = [
    ("var()", lambda m: m.var()), ("var(1)", lambda m: m.var(1)),
    ("var(1, False)", lambda m: m.var(1, False)),
    ("var(0, keepdim)", lambda m: m.var(0, keepdim=True)),
    ("var(False)", lambda m: m.var(False)),
    ("var(correction=0)", lambda m: m.var(dim=1, correction=0)),
    ("var(dims)", lambda m: m.var(dim=(0, 1))),
    ("std()", lambda m: m.std()), ("std(1, unbiased)", lambda m: m.std(1, unbiased=False)),
    ("std(0, keepdim)", lambda m: m.std(0, keepdim=True)),
    ("std(correction=2)", lambda m: m.std(dim=1, correction=2)),
]


@pytest.mark.parametrize("name,form", VAR_FORMS, ids=[v[0] for v in VAR_FORMS])
def test_var_std_forms(name, form):
    x = rand(4, 5)
    x[1] = 0.7  # a constant row: std's gradient there is 0 in both
    check(form, form, x)


NORM_FORMS = [
    ("norm()", lambda a: a.norm()), ("p=2 dim=1", lambda a: a.norm(2, dim=1)),
    ("p=1", lambda a: a.norm(1)), ("p=inf dim=0", lambda a: a.norm(math.inf, dim=0)),
    ("p=-inf dim=1", lambda a: a.norm(-math.inf, dim=1)),
    ("p=3 keepdim", lambda a: a.norm(3, dim=1, keepdim=True)),
    ("p=0.5", lambda a: a.norm(0.5, dim=(0, 1))),
    ("fro dims", lambda a: a.norm("fro", dim=(0, 1))),
]


@pytest.mark.parametrize("name,form", NORM_FORMS, ids=[n[0] for n in NORM_FORMS])
def test_norm(name, form):
    x = rand(4, 5)
    x[2] = 0.0  # a zero row: subgradient 0 in both
    x[0, :2] = [2.5, -2.5]  # a tie for the largest |x|: inf-norm splits it in both
    if "p=0.5" in name:
        x = x[[0, 1, 3]]  # |x|^(p-1) is infinite at 0 for p < 1
    check(form, form, x)
    check(lambda a: tn.norm(a, 2, 1), lambda a: torch.norm(a, 2, 1), x)


@pytest.mark.parametrize("largest", [True, False])
def test_topk(largest):
    x = rand(4, 6)
    check(lambda a: a.topk(3, largest=largest).values,
          lambda a: a.topk(3, largest=largest).values, x)
    check(lambda a: tn.topk(a, 2, dim=0).values, lambda a: torch.topk(a, 2, dim=0).values, x)
    assert tn.tensor(x).topk(3, largest=largest).indices.tolist() == \
        torch.tensor(x).topk(3, largest=largest).indices.tolist()  # no ties here


def test_gather_masked_fill_where():
    x = rand(3, 4)
    index = np.array([[0, 3, 3], [1, 1, 0], [2, 0, 0]])
    check(lambda a: a.gather(1, tn.tensor(index)), lambda a: a.gather(1, torch.tensor(index)), x)
    rows = np.array([[0, 2], [1, 1]])
    check(lambda a: tn.gather(a, 0, tn.tensor(rows)), lambda a: torch.gather(a, 0,
                                                                             torch.tensor(rows)), x)
    mask = np.array([True, False, True, False])
    check(lambda a: a.masked_fill(tn.tensor(mask), -2.0),
          lambda a: a.masked_fill(torch.tensor(mask), -2.0), x)
    cond = x > 0
    check(lambda a, b: tn.where(tn.tensor(cond), a, b),
          lambda a, b: torch.where(torch.tensor(cond), a, b), x, rand(4, seed=3))
    check(lambda a: tn.where(tn.tensor(cond), a, 0.5),
          lambda a: torch.where(torch.tensor(cond), a, 0.5), x)


def test_cat_stack_chunk_split():
    a, b = rand(2, 3), rand(4, 3, seed=1)
    check(lambda x, y: tn.cat([x, y]), lambda x, y: torch.cat([x, y]), a, b)
    check(lambda x, y: tn.stack([x, y[:2]], dim=1), lambda x, y: torch.stack([x, y[:2]], dim=1),
          a, b)
    check(lambda x: x.chunk(3, 1)[2] * x.chunk(3, 1)[0], lambda x: x.chunk(3, 1)[2] *
          x.chunk(3, 1)[0], b)
    check(lambda x: x.split([1, 3])[1], lambda x: x.split([1, 3])[1], b)


@settings(max_examples=30)
@given(n=st.integers(0, 12), chunks=st.integers(1, 7), size=st.integers(1, 6))
def test_chunk_and_split_sizes(n, chunks, size):
    ours, theirs = tn.arange(n), torch.arange(n)
    assert [c.shape[0] for c in ours.chunk(chunks)] == [c.shape[0] for c in theirs.chunk(chunks)]
    assert [c.shape[0] for c in ours.split(size)] == [c.shape[0] for c in theirs.split(size)]


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bi,bi->b", [(4, 3), (4, 3)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ij->", [(3, 2)]), ("i,j->ij", [(3,), (2,)]),
    ("ij,k->ik", [(2, 3), (4,)]),
])
def test_einsum(equation, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda *t: tn.einsum(equation, *t), lambda *t: torch.einsum(equation, *t), *arrays)


def test_mm_dot_and_arithmetic_functions():
    check(tn.mm, torch.mm, rand(2, 3), rand(3, 4, seed=1))
    check(tn.dot, torch.dot, rand(5), rand(5, seed=1))
    check(lambda a, b: tn.add(a, b, alpha=2.5), lambda a, b: torch.add(a, b, alpha=2.5),
          rand(3), rand(3, seed=1))
    check(lambda a, b: tn.sub(a, b, alpha=-1), lambda a, b: torch.sub(a, b, alpha=-1),
          rand(3), rand(3, seed=1))
    check(tn.mul, torch.mul, rand(2, 3), rand(3, seed=1))
    check(tn.div, torch.div, rand(2, 3), rand(3, seed=1, low=0.5))
    for mode in ("floor", "trunc"):
        check(lambda a, b: tn.div(a, b, rounding_mode=mode),
              lambda a, b: torch.div(a, b, rounding_mode=mode), rand(2, 3), rand(3, seed=1))
        i, j = np.array([7, -7, 8, -9]), np.array([2, 2, -3, -4])
        assert tn.div(tn.tensor(i), tn.tensor(j), rounding_mode=mode).tolist() == \
            torch.div(torch.tensor(i), torch.tensor(j), rounding_mode=mode).tolist()


def test_result_dtypes_of_reductions_and_factories():
    i32 = np.array([1, 2, 3], dtype=np.int32)
    pairs = [
        (tn.tensor(i32).sum(), torch.tensor(i32).sum()),
        (tn.tensor(i32).prod(), torch.tensor(i32).prod()),
        (tn.tensor(i32).cumsum(0), torch.tensor(i32).cumsum(0)),
        (tn.tensor(i32).sin(), torch.tensor(i32).sin()),
        (tn.tensor(i32).square(), torch.tensor(i32).square()),
        (tn.tensor(i32) / tn.tensor(i32), torch.tensor(i32) / torch.tensor(i32)),
        (tn.full((2,), 3), torch.full((2,), 3)),
        (tn.full((2,), 3.0), torch.full((2,), 3.0)),
        (tn.full((2,), True), torch.full((2,), True)),
        (tn.eye(3), torch.eye(3)),
        (tn.randint_like(tn.ones(2), 5), torch.randint_like(torch.ones(2), 5)),
        (tn.normal(0.0, 1.0, size=(2,)), torch.normal(0.0, 1.0, size=(2,))),
        (tn.FloatTensor([1, 2]), torch.FloatTensor([1, 2])),
        (tn.LongTensor([1.5]), torch.LongTensor([1.5])),
    ]
    for ours, theirs in pairs:
        assert ours.dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
    assert tn.tensor(i32).type().split(".")[1] == torch.tensor(i32).type().split(".")[1]


# numbers of each kind a client's data may hold: Python's, numpy scalars of every numeric
# dtype (not numpy bools: PyTorch refuses them beside integers)
_NUMBERS = st.one_of(
    st.booleans(), st.integers(-100, 100), st.floats(-4, 4, width=32),
    st.sampled_from(["float16", "float32", "float64", "int8", "uint8", "int16", "int32",
                     "int64"]).map(lambda name: np.ones((), name)[()]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_NUMBERS, st.lists(_NUMBERS, min_size=2, max_size=2)),
                min_size=1, max_size=5).map(
    lambda items: [x if isinstance(x, list) else [x, x] for x in items]))
def test_a_new_tensor_of_mixed_numbers_has_pytorchs_dtype(data):
    """Each element's own dtype counts (a numpy float64 among Python floats makes
    float64, int32 scalars stay int32), promoted as torch.promote_types, at any depth."""
    assert tn.tensor(data).dtype == torch.tensor(data).numpy().dtype
    assert tn.as_tensor(data).dtype == torch.as_tensor(data).numpy().dtype


# numpy scalars of the unsigned types PyTorch promotes only to themselves and to floats
_UNSIGNED = st.tuples(st.sampled_from(["uint16", "uint32", "uint64"]),
                      st.integers(0, 2 ** 16 - 1)).map(lambda pair: np.dtype(pair[0]).type(pair[1]))
_MIXED = st.one_of(_NUMBERS, _UNSIGNED, _UNSIGNED)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(_MIXED, st.lists(_MIXED, min_size=2, max_size=2)),
                min_size=1, max_size=4).map(
    lambda items: [x if isinstance(x, list) else [x, x] for x in items]))
def test_a_new_tensor_of_uint16_32_64_numbers_is_pytorchs_or_refused(data):
    """uint16, uint32, uint64 promote only to themselves and to floating types, in
    PyTorch's order (each list left to right): else PyTorch's RuntimeError, a TypeError
    naming tensor here."""
    try:
        theirs = torch.tensor(data).numpy()
    except RuntimeError as error:
        assert "Promotion for uint16, uint32, uint64 types is not supported" in str(error)
        with pytest.raises(TypeError, match="tensor: data must hold numbers whose dtypes "
                                            "promote together: uint16, uint32 and uint64 "):
            tn.tensor(data)
        return
    except TypeError as error:  # PyTorch refuses a numpy uint64 scalar that stays uint64
        assert "an integer is required" in str(error)
        assert tn.tensor(data).dtype == np.uint64
        return
    ours = tn.tensor(data)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours.array, theirs)


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_uint16_32_64_arrays_keep_their_dtype_as_pytorch():
    for name in ("uint16", "uint32", "uint64"):
        array = np.array([3, 2 ** 16 - 1], dtype=name)
        for make in ("tensor", "as_tensor", "from_numpy"):
            ours, theirs = getattr(tn, make)(array), getattr(torch, make)(array)
            assert ours.dtype == theirs.numpy().dtype == array.dtype, (name, make)
        floats = [array, [1.5, 2.5]]
        assert tn.tensor(floats).dtype == torch.tensor(floats).numpy().dtype == np.float32
        with pytest.raises(RuntimeError, match="Promotion for uint16"):
            torch.tensor([array, [1, 2]])
        with pytest.raises(TypeError, match=f"tensor: .* got {name} and int64, in "):
            tn.tensor([array, [1, 2]])
    with pytest.raises(TypeError, match="promote_types: .* got uint16 and int64"):
        tn.promote_types(np.uint16, tn.int64)


def test_a_new_tensor_of_arrays_and_tensors_has_pytorchs_dtype():
    i32 = np.array([1, 2], dtype=np.int32)
    f64 = np.array([1.5, 2.5])
    assert tn.tensor([i32, i32]).dtype == np.int32
    assert tn.tensor([f64, [1.0, 2.0]]).dtype == np.float64
    assert tn.tensor([tn.tensor(1.0, dtype=tn.float64), 2.0]).dtype == np.float64
    assert tn.tensor([[np.float16(1), 2], [3, 4]]).dtype == np.float16
    for data in ([], [[], []], [[1, 2], [3, 4.5]], [np.uint8(1), np.int8(2)]):
        assert tn.tensor(data).dtype == torch.tensor(data).numpy().dtype, data
    previous = tn.get_default_dtype()
    tn.set_default_dtype(tn.float64)
    try:  # promote_types(int64, float32) is float32 whatever the default
        assert tn.tensor([1, np.float32(2)]).dtype == np.float32
        assert tn.tensor([1, 2.0]).dtype == np.float64
    finally:
        tn.set_default_dtype(previous)


def test_full_takes_the_kind_of_a_numpy_or_tensor_fill_value_as_pytorch():
    for value in (np.float64(1.5), np.float16(1.5), np.int32(3), np.uint8(3), 2.5, 3, True):
        assert tn.full((2,), value).dtype == torch.full((2,), value).numpy().dtype, value
    for dtype in (np.float64, np.int32, np.bool_):
        ours = tn.full((2,), tn.tensor(np.ones((), dtype)))
        theirs = torch.full((2,), torch.tensor(np.ones((), dtype)))
        assert ours.dtype == theirs.numpy().dtype, dtype
    # a numpy bool: PyTorch fills the default float dtype, tinynet a bool tensor
    assert tn.full((2,), np.bool_(True)).dtype == np.bool_


@pytest.mark.parametrize("value, dtype", [
    (math.nan, tn.int64), (math.inf, tn.int32), (300, tn.uint8), (-0.5, tn.uint8),
    (127.5, tn.int8), (2 ** 63, tn.int64), (1e5, tn.float16), (1e300, tn.float32),
], ids=str)
def test_full_refuses_a_fill_value_its_dtype_cannot_hold_as_pytorch(value, dtype):
    with pytest.raises(RuntimeError, match="cannot be converted"):
        torch.full((2,), value, dtype=getattr(torch, np.dtype(dtype).name))
    rule = f"fill_value must be a number {np.dtype(dtype).name} holds"
    with pytest.raises(ValueError, match=f"full: {rule} .*, got {re.escape(repr(value))}"):
        tn.full((2,), value, dtype=dtype)  # (NaN became -2**63, 300 numpy's OverflowError)
    with pytest.raises(ValueError, match=f"full_like: {rule}"):
        tn.full_like(tn.zeros(2, dtype=dtype), value)


@pytest.mark.parametrize("value, dtype", [(10 ** 20, None), (-(2 ** 63) - 1, None),
                                          (10 ** 400, tn.float64)], ids=["int", "low", "float"])
def test_full_refuses_a_python_int_beyond_its_dtype_as_pytorch(value, dtype):
    """(PyTorch: OverflowError; tinynet names the argument, its dtype's range and the value,
    where it raised numpy's "data must hold numbers" or a bare OverflowError)"""
    with pytest.raises(OverflowError):
        torch.full((2,), value, dtype=None if dtype is None else torch.float64)
    name = "int64" if dtype is None else "float64"
    with pytest.raises(ValueError, match=f"full: fill_value must be a number {name} holds .*, "
                                         f"got {str(value)[:10]}"):
        tn.full((2,), value, dtype=dtype)


def test_full_takes_what_its_dtype_holds_as_pytorch():
    for value, dtype in ((1.7, tn.int32), (-128, tn.int8), (math.inf, tn.float16),
                         (65504.0, tn.float16), (math.nan, tn.bool), (2.5, tn.bool)):
        theirs = torch.full((2,), value, dtype=getattr(torch, np.dtype(dtype).name))
        np.testing.assert_array_equal(tn.full((2,), value, dtype=dtype).array, theirs.numpy())
        np.testing.assert_array_equal(tn.full_like(tn.zeros(2, dtype=dtype), value).array,
                                      theirs.numpy())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(-5, 5), st.data())
def test_diagonal_values_and_gradients(shape, offset, data):
    ndim = len(shape)
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    dim2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != dim1 % ndim))
    check(lambda x: x.diagonal(offset, dim1, dim2),
          lambda x: x.diagonal(offset, dim1, dim2), rand(*shape))
    check(lambda x: tn.diagonal(x, offset=offset, dim1=dim1, dim2=dim2),
          lambda x: torch.diagonal(x, offset=offset, dim1=dim1, dim2=dim2), rand(*shape))


def test_diagonal_is_a_writable_view_and_refuses_what_pytorch_refuses():
    ours, theirs = tn.zeros(3, 4), torch.zeros(3, 4)
    ours.diagonal(1).add_(2.0)
    theirs.diagonal(1).add_(2.0)
    ours.diagonal().fill_(1.0)
    theirs.diagonal().fill_(1.0)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    for bad in [lambda t: t.diagonal(0, 1, 1), lambda t: t.diagonal(0, 0, 2),
                lambda t: t.reshape(-1).diagonal()]:
        with pytest.raises((RuntimeError, IndexError)):
            bad(torch.zeros(3, 4))
        with pytest.raises((RuntimeError, IndexError)):
            bad(tn.zeros(3, 4))
    with pytest.raises(RuntimeError, match="diagonal: dim1 and dim2 must be different "
                                           "dimensions, got 1 and -1"):
        tn.zeros(3, 4).diagonal(0, 1, -1)


@pytest.mark.parametrize("change", [lambda d: d.add_(1.0), lambda d: d.fill_(5.0),
                                    lambda d: d.copy_(d * 2), lambda d: d.zero_()])
def test_a_change_through_the_diagonal_view_is_a_change_of_its_input(change):
    # K saved by K * x, then changed through its diagonal: backward must refuse the
    # changed K, as PyTorch's version counter does (the gradient used the new values)
    for lib in (torch, tn):
        x = lib.ones(3, 3, requires_grad=True)
        K = lib.ones(3, 3)
        y = K * x
        change(K.diagonal())
        with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
            y.sum().backward()
    K = tn.ones(3, 3)  # and the other way round: a change of K is one of its diagonal
    d = K.diagonal().requires_grad_()
    y = d * d
    K.mul_(2.0)
    with pytest.raises(RuntimeError, match="version"):
        y.sum().backward()


def test_nan_to_num_values_and_gradients():
    x = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0, 0.0])
    for kwargs in ({}, {"nan": 1.0}, {"nan": -3.0, "posinf": 7.0, "neginf": -7.0},
                   {"posinf": 1e300}):
        check(lambda t: t.nan_to_num(**kwargs) * 0.5,
              lambda t: t.nan_to_num(**kwargs) * 0.5, x)
    for dtype in (np.float16, np.float32):
        ours = tn.tensor(x.astype(dtype)).nan_to_num()
        theirs = torch.tensor(x.astype(dtype)).nan_to_num()
        np.testing.assert_array_equal(ours.array, theirs.numpy())
        assert ours.dtype == dtype
    assert tn.nan_to_num(tn.tensor([1, 2])).tolist() == [1, 2]
    with pytest.raises(TypeError, match="nan_to_num: posinf must be a number or None, got "
                                        "'big'"):
        tn.tensor([1.0]).nan_to_num(posinf="big")


def test_devices_like_torch():
    for ours, theirs in [(tn.device("cpu"), torch.device("cpu")),
                         (tn.device("cuda:1"), torch.device("cuda:1")),
                         (tn.device("cuda", 0), torch.device("cuda", 0))]:
        assert (repr(ours), str(ours), ours.type, ours.index) == \
            (repr(theirs), str(theirs), theirs.type, theirs.index)
    assert (tn.ones(1).device == "cpu") == (torch.ones(1).device == "cpu")  # both False
    assert tn.ones(1).device == tn.device("cpu") and tn.ones(1).device.type == "cpu"
    assert tn.cuda.is_available() is False and tn.cuda.device_count() == 0


def test_format_index_like_torch():
    for value in (0.123456, 3.0):
        ours, theirs = tn.tensor(value), torch.tensor(value)  # both float32
        for spec in ("", ".2f", ".1%", "8.3e"):
            assert format(ours, spec) == format(theirs, spec)
    assert [1, 2, 3][tn.tensor([2])] == [1, 2, 3][torch.tensor([2])]
    assert str(tn.ones(2)) == f"{tn.ones(2)}"


def test_numpy_names_accepted_exactly_where_torch_accepts_them():
    x = rand(2, 3)
    calls = {
        "sum": lambda m, a: m.sum(axis=1, keepdims=True), "mean": lambda m, a: m.mean(axis=0),
        "argmax": lambda m, a: m.argmax(axis=1), "argmin": lambda m, a: m.argmin(axis=1),
        "max": lambda m, a: m.max(axis=1).values, "min": lambda m, a: m.min(axis=1).values,
        "std": lambda m, a: m.std(axis=1), "var": lambda m, a: m.var(axis=1, keepdims=True),
        "prod": lambda m, a: m.prod(axis=1), "cumsum": lambda m, a: m.cumsum(axis=1),
        "softmax": lambda m, a: m.softmax(axis=1), "log_softmax": lambda m, a:
            m.log_softmax(axis=1),
        "topk": lambda m, a: m.topk(1, axis=1).values, "squeeze": lambda m, a:
            m.unsqueeze(axis=0).squeeze(axis=0),
        "cat": lambda m, a: a.cat([m, m], axis=1), "stack": lambda m, a: a.stack([m, m], axis=1),
        "chunk": lambda m, a: m.chunk(3, axis=1)[0], "any": lambda m, a: (m > 0).any(axis=1),
        "all": lambda m, a: (m > 0).all(axis=1, keepdims=True),
        "gather": lambda m, a: m.gather(axis=1, index=a.zeros(2, 1, dtype=a.int64)),
        "f.sum": lambda m, a: a.sum(m, axis=0), "f.max": lambda m, a: a.max(m, axis=1)[0],
    }
    for name, call in calls.items():
        np.testing.assert_allclose(np.asarray(call(tn.tensor(x), tn).array),
                                   call(torch.tensor(x), torch).numpy(), err_msg=name)
    for call in (lambda m: m.norm(axis=1), lambda m: m.split(1, axis=1)):
        for tensor in (tn.tensor(x), torch.tensor(x)):
            with pytest.raises(TypeError):
                call(tensor)


def test_one_hot():
    labels = np.array([0, 2, 1, 2])
    ours = tn.nn.functional.one_hot(tn.tensor(labels))
    theirs = torch.nn.functional.one_hot(torch.tensor(labels))
    assert ours.dtype == theirs.numpy().dtype and ours.tolist() == theirs.tolist()
    assert tn.nn.functional.one_hot(tn.tensor(labels), 5).tolist() == \
        torch.nn.functional.one_hot(torch.tensor(labels), 5).tolist()


@pytest.mark.parametrize("call", [
    lambda lib, x, s: x.gather(0, lib.tensor(0)),
    lambda lib, x, s: x.scatter(0, lib.tensor(0), 7.0),
    lambda lib, x, s: x.scatter(0, lib.tensor(0), s),
    lambda lib, x, s: x.scatter(-1, lib.tensor(0), value=-2.0),
])
def test_gather_and_scatter_take_a_0d_tensor_as_pytorch(call):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        x = lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        out = call(lib, x, s)
        (out * 3).backward()
        results.append((tuple(out.shape), out.item(), x.grad.item(),
                        None if s.grad is None else s.grad.item()))
    assert results[0] == results[1]
    with pytest.raises(RuntimeError, match="gather: index 1 is out of bounds for dim 0 with "
                                           "size 1"):
        tn.tensor(5.0).gather(0, tn.tensor(1))


# ---- nn.functional's parameter names --------------------------------------------------
# PyTorch's functions that take the deprecated size_average/reduce (tinynet takes
# reduction alone) or newer options tinynet lacks: those parameters are left out below
_TORCH_ONLY = {"size_average", "reduce", "out", "max_norm", "norm_type",
               "scale_grad_by_freq", "sparse", "weight"}


def _torch_parameters(torch_fn):
    """PyTorch's parameter names, where Python can read them (a builtin's it cannot)."""
    import inspect
    try:
        return list(inspect.signature(torch_fn).parameters)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("name", tn.nn.functional.__all__)
def test_functional_parameters_have_pytorchs_names(name):
    """So F.relu(input=x), F.linear(input=x, weight=w), F.softmax(input=x, dim=1) run."""
    import inspect
    TF = pytest.importorskip("torch.nn.functional")
    ours = list(inspect.signature(getattr(tn.nn.functional, name)).parameters)
    theirs = _torch_parameters(getattr(TF, name))
    if theirs is None:  # a builtin: its first keyword, checked by calling it
        first = {"bilinear": "input1", "cosine_similarity": "x1",
                 "pairwise_distance": "x1"}.get(name, "input")
        assert ours[0] == first
        return
    shared = [p for p in theirs if p in ours or p not in _TORCH_ONLY]
    assert ours[:len(shared)] == shared


def test_builtin_functionals_take_input_by_keyword_in_pytorch_and_here():
    torch = pytest.importorskip("torch")
    for lib in (torch, tn):
        F = lib.nn.functional
        x, w = lib.ones(2, 3), lib.ones(4, 3)
        assert tuple(F.linear(input=x, weight=w).shape) == (2, 4)
        assert tuple(F.gelu(input=x).shape) == tuple(F.softplus(input=x).shape) == (2, 3)
        assert F.logsigmoid(input=x).shape == F.hardshrink(input=x).shape
        assert tuple(F.relu_(input=x.clone()).shape) == (2, 3)
        assert tuple(F.one_hot(input=lib.tensor([0, 2]), num_classes=3).shape) == (2, 3)
        assert tuple(F.bilinear(input1=x, input2=x, weight=lib.ones(4, 3, 3)).shape) == (2, 4)
        assert tuple(F.cosine_similarity(x1=x, x2=x).shape) == (2,)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [2, -3, 5])
def test_softmaxes_refuse_a_dim_out_of_range_as_pytorch(name, dim):
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError) as theirs:
        getattr(torch.nn.functional, name)(torch.zeros(2, 3), dim)
    with pytest.raises(IndexError) as ours:
        getattr(tn.nn.functional, name)(tn.zeros(2, 3), dim)
    assert str(ours.value) == str(theirs.value) == \
        f"Dimension out of range (expected to be in range of [-2, 1], but got {dim})"


def test_softmax_dims_are_integers_and_none_is_the_last():
    x = tn.tensor([[1.0, 2.0, 4.0], [0.0, 0.0, 0.0]])
    for name in ("softmax", "log_softmax"):
        with pytest.raises(TypeError, match=f"{name}: dim must be an integer, got True"):
            getattr(x, name)(True)  # (a bool is no dim, as in PyTorch)
        np.testing.assert_array_equal(getattr(tn.nn.functional, name)(x, None).array,
                                      getattr(x, name)(-1).array)


# integers mixed with index arrays: PyTorch selects with the integers first (numpy would
# count them with the arrays, and put the arrays' dimension elsewhere); a list holding
# sequences is a tuple, as PyTorch reads it
MIXED_INDICES = ["[0, :, [0, 1]]", "[:, 0, [0, 2]]", "[[0, 1], :, 0]", "[1, [0, 2], [1, 3]]",
                 "[..., 0, [0, 1]]", "[0, None, [2, 0]]", "[-1, :, [0, -1, 0]]",
                 "[1, [[0, 1], [2, 2]], ...]", "[LIB.tensor(0), :, [1, 0]]",
                 "[0, :, LIB.tensor([True, False, True, True])]", "[1, 1:, [3, 3]]",
                 "[[[0, 1], [1, 0]]]", "[[[[0, 1]]]]", "[True, 0, [0, 1]]",
                 "[[[True, False, True], [False, True, True]], 0]"]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("index", MIXED_INDICES)
def test_mixed_indices_read_write_and_differentiate_as_pytorch(index):
    torch = pytest.importorskip("torch")
    ours, theirs = (index.replace("LIB", "tn"), index.replace("LIB", "torch"))
    x = tn.arange(24.0, dtype=tn.float64).reshape(2, 3, 4).requires_grad_()
    t = torch.arange(24.0, dtype=torch.float64).reshape(2, 3, 4).requires_grad_()
    a, b = eval("x" + ours), eval("t" + theirs)
    w = np.random.default_rng(0).standard_normal(tuple(b.shape))
    (a * tn.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(a.array, b.detach().numpy())
    np.testing.assert_array_equal(x.grad.array, t.grad.numpy())
    # writes: outside the graph, and inside it (the value's gradient)
    y, u = tn.zeros(2, 3, 4, dtype=tn.float64), torch.zeros(2, 3, 4, dtype=torch.float64)
    v, v2 = tn.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    h, h2 = tn.ones(2, 3, 4, dtype=tn.float64) * 1.0, torch.ones(2, 3, 4, dtype=torch.float64) * 1.0
    exec(f"y{ours} = tn.tensor(w)\nu{theirs} = torch.tensor(w)\nh{ours} = v\nh2{theirs} = v2")
    np.testing.assert_array_equal(y.array, u.numpy())
    (h * x.detach()).sum().backward()
    (h2 * t.detach()).sum().backward()
    np.testing.assert_array_equal(h.array, h2.detach().numpy())
    np.testing.assert_array_equal(v.grad.array, v2.grad.numpy())


@pytest.mark.parametrize("x, lo, hi", [
    ([0.0, 1, 2, 3, 4, 5], [1.0, 1, 1, 4, 4, 6], [3.0, 3, 3, 2, 2, 5.5]),  # lo > hi too
    ([0.0, 2, 5, 2], [2.0, 2, 2, 3], [2.0, 2, 2, 3]),  # lo = hi: nothing to the bounds
    ([0.0, 1, 2, 3, 4, 5], [1.0, 1, 1, 4, 4, 6], None),
    ([0.0, 1, 2, 3, 4, 5], None, [3.0, 3, 3, 2, 2, 5.5]),
    ([[0.0, 5.0]], [[1.0], [2.0]], None),  # a bound that broadcasts the output larger
])
def test_clamp_with_tensor_bounds_sends_pytorchs_gradients_to_them(x, lo, hi):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        def make(v):
            return None if v is None else lib.tensor(v, dtype=lib.float64, requires_grad=True)
        tx, tlo, thi = make(x), make(lo), make(hi)
        y = tx.clamp(min=tlo) if thi is None else tx.clamp(max=thi) if tlo is None else \
            tx.clamp(tlo, thi)
        assert y.requires_grad
        y.backward(lib.arange(1.0, 1.0 + y.numel(), dtype=lib.float64).reshape(y.shape))
        results.append([None if t is None else np.asarray(t.grad.tolist())
                        for t in (tx, tlo, thi)] + [np.asarray(y.tolist())])
    for ours, theirs in zip(*results):
        if ours is None:
            assert theirs is None
        else:
            np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["max", "min", "median", "amax", "amin"])
def test_a_nan_extreme_of_all_elements_differentiates_as_pytorch(name):
    # max, min and median split the gradient among the nans; amax and amin give nan
    torch = pytest.importorskip("torch")
    values = [float("nan"), 1.0, float("nan"), 2.0]
    x, t = tn.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    getattr(x, name)().backward()
    getattr(t, name)().backward()
    np.testing.assert_array_equal(x.grad.array, t.grad.numpy())


@pytest.mark.parametrize("op", ["//=", "%=", "**=", "&=", "|=", "^="])
@pytest.mark.parametrize("kind", ["int64", "float32"])
def test_augmented_assignments_write_in_place_through_views_as_pytorch(op, kind):
    # without their own method Python rebinds the name: a view's base kept its values
    torch = pytest.importorskip("torch")
    if kind == "float32" and op in ("&=", "|=", "^="):
        pytest.skip("bitwise operators take integers")
    values = [[7, -7, 9], [7, -7, 9]] if kind == "int64" else [[7.5, -7.5, 9.0]] * 2
    other = 2 if kind == "int64" else 2.0
    results = []
    for lib in (tn, torch):
        x = lib.tensor(values, dtype=getattr(lib, kind))
        exec(f"row {op} other", {"row": x[0], "other": other})
        results.append(x.tolist())
    assert results[0] == results[1]


def test_a_0d_tensor_is_not_iterable_and_argmax_keeps_every_dim():
    torch = pytest.importorskip("torch")
    for lib in (tn, torch):
        with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
            list(lib.tensor(3.0))
    x, t = tn.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    for name in ("argmax", "argmin"):
        assert tuple(getattr(x, name)(keepdim=True).shape) == \
            tuple(getattr(t, name)(keepdim=True).shape) == (1, 1)


@pytest.mark.parametrize("expression", [
    "LIB.tensor([1, 2, 3], dtype=LIB.int32) & LIB.tensor(2)",
    "LIB.tensor([1, 2, 3], dtype=LIB.uint8) | LIB.tensor([1, 2, 3], dtype=LIB.int8)",
    "LIB.tensor([1, 2, 3], dtype=LIB.int32) ^ 6", "3 & LIB.tensor([1, 2, 3], dtype=LIB.int16)",
    "LIB.tensor([True, False]) & 1", "LIB.tensor([1, 2]) & LIB.tensor([True, False])",
    # in place: an integer result into another integer dtype wraps, as PyTorch's
    "LIB.tensor([200, 1], dtype=LIB.uint8).add_(LIB.tensor([100, 2]))",
    "LIB.tensor([5, 7], dtype=LIB.int8).sub_(LIB.tensor([1, 300], dtype=LIB.int16))",
])
def test_integer_dtypes_promote_and_wrap_as_pytorch(expression):
    torch = pytest.importorskip("torch")
    names = {"tn": tn, "torch": torch}
    ours = eval(expression.replace("LIB", "tn"), names)
    theirs = eval(expression.replace("LIB", "torch"), names)
    assert ours.tolist() == theirs.tolist()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


@pytest.mark.parametrize("dtype", ["uint8", "int64"])
def test_an_integer_tensor_to_a_negative_power_is_refused_as_in_pytorch(dtype):
    # numpy would wrap uint8's -1 to 255 and compute x ** 255
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        torch.tensor([2, 1], dtype=getattr(torch, dtype)) ** -1
    with pytest.raises(RuntimeError, match="pow: integers to negative integer powers are not "
                                           "allowed"):
        tn.tensor([2, 1], dtype=getattr(tn, dtype)) ** -1


@pytest.mark.parametrize("call", ["x.prod(0)", "x.max(0).values", "x.min(0).values",
                                  "x.prod(-1, keepdim=True)"])
def test_a_0d_tensors_reductions_over_dim_0_differentiate_as_pytorch(call):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        x = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        y = eval(call, {"x": x})
        y.backward()
        results.append((y.item(), tuple(y.shape), x.grad.item()))
    assert results[0] == results[1]


@pytest.mark.parametrize("equation, a_shape, b_shape", [
    ("bi,bi->b", (1, 3), (4, 3)), ("bij,bjk->bik", (1, 2, 3), (5, 3, 2)),
    ("ij,jk->ik", (2, 3), (3, 4)), ("ij,jk->ik", (3, 1), (4, 5)), ("ij,ij->i", (3, 1), (3, 4)),
    ("i,i->", (1,), (4,)), ("ij,ik->jk", (1, 2), (4, 3))])
def test_einsum_gradients_sum_over_broadcast_letters_as_pytorch(equation, a_shape, b_shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a_values, b_values = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    grads = []
    for lib in (tn, torch):
        a, b = lib.tensor(a_values, requires_grad=True), lib.tensor(b_values, requires_grad=True)
        lib.einsum(equation, a, b).sum().backward()
        grads.append([np.asarray(a.grad.tolist()), np.asarray(b.grad.tolist())])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_a_0d_index_tensor_mixed_with_arrays_is_data_to_a_capture():
    # it selects first (an int to numpy): a capture must not replay it as a constant
    x = tn.arange(24.0, dtype=tn.float64).reshape(2, 3, 4)
    captured = tn.capture(lambda x, i: x[i, :, [0, 1]].sum() * 1)
    with pytest.warns(UserWarning):
        values = [captured(x, tn.tensor(i)).item() for i in (0, 0, 1, 1, 0)]
    assert values == [27.0, 27.0, 99.0, 99.0, 27.0]


def test_an_in_place_op_in_the_graph_keeps_the_tensors_shape():
    h = tn.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
    for op in ("**=", "+=", "%="):
        with pytest.raises(RuntimeError, match=r"the result's shape \(2, 3\) \(the operands "
                                               r"broadcast\) cannot be written into this "
                                               r"tensor of shape \(3,\)"):
            exec(f"h {op} other", {"h": h, "other": tn.ones(2, 3)})


@pytest.mark.parametrize("base_dtype, exponent_dtype", [
    ("int64", "int64"), ("int32", "int64"), ("uint8", "int64"), ("int8", "int8")])
def test_integer_tensor_exponents_below_zero_compute_as_pytorch(base_dtype, exponent_dtype):
    # 1/xᵏ truncated: ±1 for x = ±1, 0 otherwise (numpy refuses these)
    torch = pytest.importorskip("torch")
    low = -3 if base_dtype[0] == "i" else 0
    base, exponent = np.meshgrid(np.arange(low, 4), np.arange(-3, 4))
    results = []
    for lib in (tn, torch):
        x = lib.tensor(base.ravel(), dtype=getattr(lib, base_dtype))
        p = lib.tensor(exponent.ravel(), dtype=getattr(lib, exponent_dtype))
        for y in (x ** p, 2 ** p, x.pow(p)):
            results.append((y.tolist(), str(y.dtype).split(".")[-1]))
    assert results[:3] == results[3:]


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin", "amax", "amin"])
def test_choosing_from_no_elements_is_refused_by_name_as_pytorch(name):
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (tn, torch):
        x = lib.empty(0, 3)
        with pytest.raises(IndexError, match=rf"{name}.*dim 0"):
            getattr(x, name)(0)
        with pytest.raises((RuntimeError, IndexError), match=name) as caught:
            getattr(x, name)()
        errors.append(caught.type)
        kept = getattr(x, name)(1, keepdim=True)
        assert tuple((kept[0] if name in ("max", "min") else kept).shape) == (0, 1)
    assert errors[0] is errors[1]
    with pytest.raises(errors[0], match=rf"{name}: the tensor has no elements \(shape "
                                        rf"\(0, 3\)\).*give a dim whose size is not 0"):
        getattr(tn.empty(0, 3), name)()


@pytest.mark.parametrize("call", ["x.sum(dim=(0, 0))", "x.mean(dim=[1, -1])",
                                  "x.amax(dim=(1, 1))"])
def test_a_dim_named_twice_is_refused_by_name_as_pytorch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="appears multiple times"):
        eval(call, {"x": torch.ones(2, 3)})
    with pytest.raises(RuntimeError, match=r"(sum|mean|amax): dim \d appears more than once"):
        eval(call, {"x": tn.ones(2, 3)})


@pytest.mark.parametrize("dim", [[0], (0, 1), [-1], (), []])
def test_sum_and_mean_over_a_list_or_tuple_of_dims_as_pytorch(dim):
    torch = pytest.importorskip("torch")
    values = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean"):
        ours = getattr(tn.tensor(values), name)(dim=dim, keepdim=True)
        theirs = getattr(torch.tensor(values), name)(dim=dim, keepdim=True)
        assert ours.tolist() == theirs.tolist()


def test_a_0d_integer_tensor_indexes_as_an_int_a_view_as_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        t, i = lib.zeros(3, 2), lib.tensor(1)
        t[i][0] = 5  # through the view: into t
        t[i].add_(1)
        row = t[lib.tensor(2), :]
        t.add_(10)  # seen through the view taken before
        x = lib.arange(6.0, dtype=lib.float64).reshape(3, 2).requires_grad_()
        (x[lib.tensor(1)] * 3).sum().backward()
        results.append((t.tolist(), row.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("expression", [
    "LIB.tensor([True, False]).square()", "LIB.square(LIB.tensor([True, False]))",
    "LIB.cat([LIB.tensor([]), LIB.tensor([1, 2])])",  # the empty float32 counts in the dtype
    "LIB.cat([LIB.zeros(0, dtype=LIB.float64), LIB.ones(2)])",
    "LIB.cat([LIB.tensor([]), LIB.ones(2, 3, dtype=LIB.int64)])",
])
def test_result_dtypes_as_pytorch(expression):
    torch = pytest.importorskip("torch")
    ours = eval(expression.replace("LIB", "tn"), {"tn": tn})
    theirs = eval(expression.replace("LIB", "torch"), {"torch": torch})
    assert ours.tolist() == theirs.tolist()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


def _assert_same_arrays(ours: list, theirs: list) -> None:
    """Each of our arrays equals PyTorch's (to 1e-12), or both are None (no gradient)."""
    for mine, reference in zip(ours, theirs):
        if reference is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call", [
    "LIB.atan2(y, x)", "y.atan2(x)", "LIB.arctan2(y, x)", "y.clone().atan2_(x)",
    "LIB.dist(y, x)", "y.dist(x, 1)", "LIB.dist(y, x, float('inf'))",
    "y.swapaxes(0, 1)", "LIB.swapdims(y, 1, 0)",
])
def test_functions_client_code_calls_as_pytorch(call):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    y_values, x_values = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x_values[0, :2] = 0.0  # on the axis: atan2's ±π/2, and its gradient there
    results = []
    for lib in (tn, torch):
        y = lib.tensor(y_values, requires_grad=True)
        x = lib.tensor(x_values, requires_grad=True)
        out = eval(call, {"LIB": lib, "y": y, "x": x})
        out.sum().backward()
        results.append([np.asarray(out.tolist()), np.asarray(y.grad.tolist()),
                        np.asarray(x.grad.tolist()) if x.grad is not None else None])
    _assert_same_arrays(*results)


def test_atan2_of_integers_broadcast_shapes_and_module_lookups_as_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        angles = lib.atan2(lib.tensor([1, -1, 0]), lib.tensor([2, 0, -3]))
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4))
        y, x = lib.zeros(2, requires_grad=True), lib.tensor([0.0, 1.0], requires_grad=True)
        lib.atan2(y, x).sum().backward()  # at the origin: 0, as PyTorch's
        model_with_none = lib.nn.Module()
        model_with_none.register_buffer("none", None)
        results.append((y.grad.tolist(), x.grad.tolist(), model_with_none.get_buffer("none"),
                        tuple(lib.ones(2, 3).swapaxes(axis0=0, axis1=1).shape)))
        results.append((np.float32(angles.tolist()), str(angles.dtype).split(".")[-1],
                        tuple(lib.broadcast_shapes((2, 1), (3,), 1)),
                        model.get_parameter("0.weight") is model[0].weight,
                        model.get_buffer("1.running_var") is model[1].running_var,
                        lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(5, 3, 2))))
    # float32 angles within an ulp: numpy's vectorised arctan2 (AVX-512) may round the
    # last bit otherwise than PyTorch's kernel
    np.testing.assert_array_max_ulp(results[1][0], results[3][0], maxulp=1)
    results[1], results[3] = results[1][1:], results[3][1:]
    assert results[:2] == results[2:]
    for lookup in ('get_parameter("1.running_mean")', 'get_buffer("0.weight")',
                   'get_parameter("0.nope")'):
        with pytest.raises(AttributeError, match=r"get_(parameter|buffer): \w+ has no "):
            eval(f"model.{lookup}", {"model": tn.nn.Sequential(tn.nn.Linear(3, 4),
                                                               tn.nn.BatchNorm1d(4))})
    with pytest.raises(RuntimeError, match=r"broadcast_shapes: the shapes \(2,\), \(3,\) do "
                                           r"not broadcast"):
        tn.broadcast_shapes((2,), (3,))


@pytest.mark.parametrize("call", ["x.std(dim=(0, 0))", "x.var(dim=[1, -1])",
                                  "x.norm(dim=(0, 0))", "LIB.ones(()).sum((0, 0))"])
def test_every_reduction_refuses_a_dim_named_twice(call):
    torch = pytest.importorskip("torch")
    for lib, words in ((torch, "appears multiple times"), (tn, "appears more than once")):
        with pytest.raises(RuntimeError, match=words):
            eval(call, {"x": lib.ones(2, 3), "LIB": lib})


def test_one_element_is_a_view_as_pytorch_and_amax_over_no_dims_is_over_all():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        x = lib.arange(6.0).reshape(2, 3)
        x[1, 2].add_(10)  # through a 0-d view: into x
        element = x[0, 1]
        x.mul_(2)  # seen through the view taken before
        results.append((x.tolist(), element.item(), x.amax(dim=[]).item(),
                        x.amin(dim=[]).item()))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    "x.scatter_add(1, LIB.tensor([[0, 1, 2, 0], [2, 2, 1, 0]]), s)",
    "LIB.scatter_add(x, 0, LIB.tensor([[0, 2, 2, 1]]), s[:1])",
    "x.clone().scatter_add_(1, LIB.tensor([[3, 3, 3, 3], [0, 1, 0, 1]]), s)",
    "x.index_add(0, LIB.tensor([0, 2, 0]), r)",
    "LIB.index_add(x, 0, LIB.tensor([1, 1, 1]), r, alpha=-0.5)",
    "x.clone().index_add_(1, LIB.tensor([3, 0, 3, 3]), x)",
    "x.index_add(0, LIB.tensor(1), r[:1])",  # a 0-d index: one slice
])
def test_scatter_add_and_index_add_sum_repeated_indices_and_differentiate_as_pytorch(call):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(shape) for shape in ((3, 4), (2, 4), (3, 4))]
    upstream = rng.standard_normal((3, 4))
    results = []
    for lib in (tn, torch):
        x, s, r = (lib.tensor(v, requires_grad=True) for v in values)
        out = eval(call, {"LIB": lib, "x": x, "s": s, "r": r})
        (out * lib.tensor(upstream)).sum().backward()
        results.append([np.asarray(out.tolist())] + [
            np.asarray(t.grad.tolist()) if t.grad is not None else None for t in (x, s, r)])
    _assert_same_arrays(*results)


def test_scatter_of_a_0d_source_that_requires_grad_keeps_its_gradient():
    # (its number alone would write the same values and drop the gradient)
    x = tn.zeros(3, requires_grad=True)
    s = tn.tensor(2.0, requires_grad=True)
    y = (x * 1.0).scatter(0, tn.tensor([0, 2]), s)
    (y * tn.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert y.tolist() == [2.0, 0.0, 2.0]
    assert x.grad.tolist() == [0.0, 2.0, 0.0] and s.grad.item() == 1.0 + 3.0


def test_scatter_add_and_index_add_refuse_bad_indices_by_name():
    x = tn.zeros(3, 4)
    with pytest.raises(RuntimeError, match="scatter_add: index 4 is out of bounds for dim 1 "
                                           "with size 4"):
        x.scatter_add(1, tn.tensor([[4]]), tn.ones(1, 1))
    with pytest.raises(IndexError, match="index_add: index 3 is out of range for dim 0 of "
                                         "size 3"):
        x.index_add(0, tn.tensor([3]), tn.ones(1, 4))
    with pytest.raises(IndexError, match="index_add: index -1 is out of range"):  # PyTorch's
        x.index_add(0, tn.tensor([-1]), tn.ones(1, 4))
    with pytest.raises(RuntimeError, match=r"index_add: index must be a 1-D integer tensor "
                                           r"and source of shape \(2, 4\)"):
        x.index_add(0, tn.tensor([0, 1]), tn.ones(3, 4))


@pytest.mark.parametrize("call", [
    "x.kthvalue(2)", "x.kthvalue(3, dim=0, keepdim=True)", "LIB.kthvalue(x, 1, 1)",
    "x.kthvalue(4, -1)",
])
def test_kthvalue_values_indices_and_gradients_as_pytorch(call):
    torch = pytest.importorskip("torch")
    # no ties: among equal elements PyTorch's choice of index is unspecified (docs/api.md)
    values = np.array([[3.0, 1.0, 2.0, 1.5], [np.nan, 0.0, 5.0, -1.0], [2.5, 2.0, 4.0, 7.0]])
    results = []
    for lib in (tn, torch):
        x = lib.tensor(values, requires_grad=True)
        out = eval(call, {"LIB": lib, "x": x})
        out.values.sum().backward()
        results.append((np.asarray(out.values.tolist()), out.indices.tolist(),
                        np.asarray(x.grad.tolist())))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    np.testing.assert_array_equal(results[0][2], results[1][2])


@pytest.mark.parametrize("call", [
    "t.tensor_split(3)", "LIB.tensor_split(t, [1, 2], dim=1)", "t.tensor_split([-2, 9])",
    "LIB.hsplit(t, 2)", "t.vsplit([1])", "LIB.hsplit(LIB.arange(6), 3)",
    "LIB.tensor_split(t, LIB.tensor([1, 3]), 1)",
])
def test_tensor_split_hsplit_and_vsplit_as_pytorch(call):
    torch = pytest.importorskip("torch")
    pieces = []
    for lib in (tn, torch):
        t = lib.arange(12).reshape(3, 4)
        pieces.append([p.tolist() for p in eval(call, {"LIB": lib, "t": t})])
    assert pieces[0] == pieces[1]
    parts = tn.arange(12.0).reshape(3, 4).tensor_split(2, dim=1)
    parts[0].add_(100)  # views, as PyTorch's
    for lib_call in ("LIB.hsplit(LIB.ones(3, 3), 2)", "LIB.ones(3).kthvalue(4)"):
        with pytest.raises(RuntimeError):
            eval(lib_call, {"LIB": torch})
        with pytest.raises(RuntimeError, match=r"(hsplit: 2 sections must divide dim 1|"
                                               r"kthvalue: k must be an integer in \[1, 3\])"):
            eval(lib_call, {"LIB": tn})


@pytest.mark.parametrize("call", [
    "x.nanmedian()", "x.nanmedian(1).values", "LIB.nanmedian(x, 0, keepdim=True).values",
    "y.nanmedian()", "y.nanmedian(-1).values", "LIB.fmax(x, z)", "x.fmin(z)",
    "LIB.fmax(x, LIB.tensor(1.5))", "x.fmin(z[0])",
])
def test_nanmedian_fmax_and_fmin_values_and_gradients_as_pytorch(call):
    torch = pytest.importorskip("torch")
    nan = np.nan
    # no ties among the numbers a median picks: PyTorch's index among equal ones is
    # unspecified (docs/api.md); fmax and fmin have ties, which go to the first argument
    arrays = {"x": [[3.0, nan, 2.0, 1.5], [nan, 0.0, 5.0, -1.0], [2.5, 2.0, nan, 7.0]],
              "y": [[nan, nan], [1.0, nan]],
              "z": [[3.0, 1.0, nan, 1.5], [nan, nan, 6.0, -2.0], [0.0, 2.0, 1.0, nan]]}
    results = []
    for lib in (tn, torch):
        tensors = {k: lib.tensor(v, requires_grad=True) for k, v in arrays.items()}
        out = eval(call, {"LIB": lib, **tensors})
        (out * lib.arange(1.0, out.numel() + 1).reshape(out.shape)).sum().backward()
        results.append([np.asarray(out.tolist())] + [
            np.asarray(t.grad.tolist()) if t.grad is not None else None
            for t in tensors.values()])
    _assert_same_arrays(*results)


def test_nanmedian_along_a_dim_gives_pytorchs_indices_and_dtypes():
    torch = pytest.importorskip("torch")
    nan = np.nan
    values = [[1.0, nan, 3.0, 2.0], [5.0, nan, 4.0, 1.0], [nan, 7.0, nan, nan]]
    for dtype_name in ("float32", "float64"):
        out = [lib.tensor(values, dtype=getattr(lib, dtype_name)).nanmedian(1)
               for lib in (tn, torch)]
        assert out[0].indices.tolist() == out[1].indices.tolist() == [3, 2, 1]
        assert str(out[0].values.dtype).split(".")[-1] == dtype_name
    ints = [lib.tensor([[3, 1, 2, 2]]).nanmedian(1) for lib in (tn, torch)]
    assert ints[0].values.tolist() == ints[1].values.tolist() == [2]
    assert ints[0].values.dtype == tn.int64


@pytest.mark.parametrize("call", [
    "LIB.histc(x, bins=7, min=-2, max=2.5)", "x.histc(10)", "LIB.histc(x, 3, 1, 1)",
    "LIB.histc(LIB.tensor([2.0, 2.0]), 4)", "LIB.histc(LIB.tensor([]), 3)",
    "LIB.histc(y, 5, 0, 8)", "LIB.histc(LIB.tensor([4.7, 5.4]), 3, 4, 6.1)",  # on edges
    "LIB.histc(LIB.tensor([0.3, 0.6], dtype=LIB.float64), 10, 0, 1)",
    "LIB.histc(LIB.tensor(edges, dtype=LIB.float16), 7, -1.3, 2.2)",
])
def test_histc_counts_as_pytorch(call):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(500).astype(np.float32)
    y = np.array([1.0, 2.0, 1.0, 4.0, 5.0, 8.0, np.nan, -1.0])  # max, nan and outside
    edges = np.linspace(-1.3, 2.2, 8)  # every edge of 7 bins over [-1.3, 2.2]
    out = [eval(call, {"LIB": lib, "x": lib.tensor(x), "y": lib.tensor(y), "edges": edges})
           for lib in (tn, torch)]
    assert out[0].tolist() == out[1].tolist()
    assert str(out[0].dtype).split(".")[-1] == str(out[1].dtype).split(".")[-1]
    for bad in ("LIB.histc(LIB.tensor(y), 4)", "LIB.histc(LIB.tensor(y), 4, 5, 1)"):
        with pytest.raises(RuntimeError):
            eval(bad, {"LIB": torch, "y": y})
        with pytest.raises(RuntimeError, match=r"histc: (the range \[nan, nan\] must be "
                                               r"finite|max must be at least min)"):
            eval(bad, {"LIB": tn, "y": y})


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), shape=st.sampled_from([(7,), (3, 5), (2, 3, 4), (4, 1)]),
       data=st.data())
def test_mode_values_indices_and_gradients_as_pytorch(seed, shape, data):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(seed).integers(0, 3, shape).astype(float)  # many ties
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    results = []
    for lib in (tn, torch):
        x = lib.tensor(values, requires_grad=True)
        out = x.mode(dim, keepdim)
        out.values.sum().backward()
        results.append((out.values.tolist(), out.indices.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("expression", [
    "LIB.tensor([LIB.tensor([1.0]), LIB.tensor([2.0])])",  # one-element tensors: numbers
    "LIB.tensor([[LIB.tensor([1.0])], [LIB.tensor([2.0])]])",
    "LIB.tensor([LIB.tensor([1], dtype=LIB.int32), 2.5])",
    "LIB.tensor([LIB.tensor(1, dtype=LIB.int32), LIB.tensor(2, dtype=LIB.int32)])",
    "LIB.tensor([LIB.tensor(1.0, dtype=LIB.float64), 2.0])",
    "LIB.tensor((LIB.tensor(True), False))",
])
def test_tensors_inside_a_list_are_taken_as_numbers_as_pytorch(expression):
    torch = pytest.importorskip("torch")
    ours, theirs = (eval(expression, {"LIB": lib}) for lib in (tn, torch))
    assert ours.tolist() == theirs.tolist()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


@pytest.mark.parametrize("expression", [
    "a.div(b, rounding_mode='floor')", "a.div(b, rounding_mode='trunc')", "a.divide(b)",
    "a.true_divide(2)", "a.multiply(b)", "a.subtract(b, alpha=2)",
    "a.clone().div_(b, rounding_mode='floor')", "a.clone().divide_(b)",
    "LIB.tensor([-7, 7, 5]).div_(2, rounding_mode='trunc')",
])
def test_the_division_methods_take_a_rounding_mode_and_pytorchs_aliases(expression):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        a, b = lib.tensor([-7.0, 7.0, 5.0]), lib.tensor([2.0, 2.0, -2.0])
        out = eval(expression, {"LIB": lib, "a": a, "b": b})
        results.append((out.tolist(), str(out.dtype).split(".")[-1]))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    "z.index_put((LIB.tensor([0, 0, 2]),), v, accumulate=True)",
    "z.index_put((LIB.tensor([0, 2]), LIB.tensor([1, -1])), v[0], accumulate=True)",
    "z.index_put((LIB.tensor([2, 1]),), v[:2])",
    "z.clone().index_put_((LIB.tensor([1, 1]), LIB.tensor([0, 0])), v[1], accumulate=True)",
])
def test_index_put_sets_or_adds_and_differentiates_as_pytorch(call):
    torch = pytest.importorskip("torch")
    upstream = np.arange(6.0).reshape(3, 2)
    results = []
    for lib in (tn, torch):
        x = lib.zeros(3, 2, dtype=lib.float64, requires_grad=True)
        v = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=lib.float64,
                       requires_grad=True)
        out = eval(call, {"LIB": lib, "z": x * 1, "v": v})
        (out * lib.tensor(upstream)).sum().backward()
        results.append([np.asarray(out.tolist()), np.asarray(x.grad.tolist()),
                        np.asarray(v.grad.tolist())])
    _assert_same_arrays(*results)


def test_logaddexp_gradients_with_one_infinite_operand():
    """1 / (1 + e^(y - x)), as PyTorch: an infinite operand takes the whole gradient, the
    finite one none; only equal infinities give nan."""
    inf = np.inf
    x = np.array([inf, 1.0, inf, -inf, 3.0, 800.0, -inf, np.nan])
    y = np.array([0.0, inf, inf, -inf, -2.0, 0.0, 1.0, 1.0])
    check(tn.logaddexp, torch.logaddexp, x, y)
    check(tn.logaddexp2, torch.logaddexp2, x, y)


def test_trunc_division_has_zero_gradient_also_at_a_zero_divisor():
    x = np.array([3.0, 1.0, np.nan, 7.0, -7.5])
    z = np.array([0.0, 2.0, 1.0, -2.0, 2.0])
    check(lambda a, b: tn.div(a, b, rounding_mode="trunc"),
          lambda a, b: torch.div(a, b, rounding_mode="trunc"), x, z)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("levels", [[0.5], [0.1, 0.9, 1.0, 0.25]])
def test_quantile_levels_get_their_gradient(name, dim, levels):
    """A q that requires grad gets d quantile / dq = (above - below)(n - 1), and nothing
    from a row whose rank is fixed by a nan, as in PyTorch."""
    rows = np.array([[1.0, 2.0, 4.0, 8.0], [3.0, np.nan, 1.0, 0.5], [5.0, -1.0, 2.0, 7.0],
                     [np.nan, np.nan, np.nan, np.nan]])
    q = np.array(levels) if len(levels) > 1 else np.array(levels[0])
    check(lambda x, a: getattr(tn, name)(x, a, dim=dim),
          lambda x, a: getattr(torch, name)(x, a, dim=dim), rows, q)


def test_lerp_with_a_weight_tensor_and_an_infinite_distance():
    """One op: dy/dx = 1 - w, dy/de = w, dy/dw = e - x, finite where e - x is not (the
    two forms' gradients joined by a where made NaN there); broadcast inputs."""
    start = np.array([2.0, 1.0, 0.0, -3.0])
    end = np.array([np.inf, 4.0, 1.0, 5.0])
    check(tn.lerp, torch.lerp, start, end, np.array([0.5, 0.2, 0.9, -1.0]))
    check(tn.lerp, torch.lerp, rand(3, 1), rand(4, seed=2), rand(3, 4, seed=3))
    check(lambda a, b: a.lerp(b, 0.75), lambda a, b: a.lerp(b, 0.75), rand(3, 4), rand(4))


@pytest.mark.parametrize("shapes", [
    ((2, 3), (3,), None), ((5, 4, 3), (3,), None), ((4, 3), (2, 3), (4, 2)),
    ((4, 3), (2, 3), (4, 1)), ((6, 4, 3), (2, 3), (4, 2)), ((4, 3), (2, 3), (2,))],
    ids=["1d-weight", "1d-weight-batched", "bias-per-row", "bias-column", "bias-3d", "plain"])
def test_linear_with_a_1d_weight_or_a_broadcast_bias(shapes):
    x_shape, w_shape, b_shape = shapes
    arrays = [rand(*x_shape), rand(*w_shape, seed=2)] + ([rand(*b_shape, seed=3)] if b_shape
                                                          else [])
    check(tn.nn.functional.linear, torch.nn.functional.linear, *arrays)


def test_hardtanh_with_equal_bounds_and_group_norm_of_an_empty_batch():
    """PyTorch's functional hardtanh takes min_val == max_val (a constant, gradient 0; the
    module refuses it, as PyTorch's); group_norm keeps an empty batch's shape."""
    x = np.array([0.0, 1.0, -2.0, 0.5])
    check(lambda a: tn.nn.functional.hardtanh(a, 0.5, 0.5),
          lambda a: torch.nn.functional.hardtanh(a, 0.5, 0.5), x)
    with pytest.raises(ValueError, match="max_val must be a finite number > 0.5, got 0.5"):
        tn.nn.Hardtanh(0.5, 0.5)
    assert tn.nn.functional.group_norm(tn.zeros(0, 4, 2), 2).shape == (0, 4, 2)
    assert tn.nn.GroupNorm(2, 4)(tn.zeros(0, 4, 3, 2)).shape == (0, 4, 3, 2)


def test_cross_entropy_refuses_ignore_index_with_probability_targets():
    z, q = tn.zeros(2, 3), tn.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="ignore_index is for class-index targets, not "
                                         "probability targets, got ignore_index=0"):
        tn.nn.functional.cross_entropy(z, q, ignore_index=0)
    assert tn.nn.functional.cross_entropy(z, q).item() == pytest.approx(math.log(3))


def test_max_min_take_other_by_keyword_and_narrow_is_a_function():
    x, z = rand(3, 4), rand(4, seed=2)
    check(lambda a, b: tn.max(a, other=b), lambda a, b: torch.max(a, other=b), x, z)
    check(lambda a, b: a.min(other=b), lambda a, b: a.min(other=b), x, z)
    check(lambda a: tn.narrow(a, 1, 1, 2), lambda a: torch.narrow(a, 1, 1, 2), x)
    with pytest.raises(TypeError, match="max: give dim or other, not both, got dim=0"):
        tn.max(tn.tensor(x), 0, other=tn.tensor(z))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_a_float64_loss_weight_promotes_as_in_pytorch(name):
    x = tn.tensor([0.1, 0.2], requires_grad=True)
    w = tn.tensor([1.0, 2.0], dtype=tn.float64, requires_grad=True)
    loss = getattr(tn.nn.functional, name)(x, tn.tensor([0.0, 1.0]), weight=w)
    xt = torch.tensor([0.1, 0.2], requires_grad=True)
    wt = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    ref = getattr(torch.nn.functional, name)(xt, torch.tensor([0.0, 1.0]), weight=wt)
    assert loss.dtype == tn.float64 and ref.dtype == torch.float64
    loss.backward()
    ref.backward()
    assert loss.item() == ref.item() and x.grad.dtype == tn.float32
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_one_hot_of_an_empty_tensor_needs_num_classes():
    with pytest.raises(RuntimeError, match="cannot infer the number of classes from an empty"):
        tn.nn.functional.one_hot(tn.tensor([], dtype=tn.int64))
    with pytest.raises(RuntimeError):
        torch.nn.functional.one_hot(torch.tensor([], dtype=torch.int64))


@pytest.mark.parametrize("training", [False, True])
def test_batch_norm_refuses_running_statistics_that_require_grad(training):
    m = tn.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="batch_norm: the function is not differentiable "
                                           "with respect to running_mean"):
        tn.nn.functional.batch_norm(tn.ones(3, 2), m, tn.ones(2), training=training)
    with pytest.raises(RuntimeError, match="running_mean"):
        torch.nn.functional.batch_norm(torch.ones(3, 2), torch.zeros(2, requires_grad=True),
                                       torch.ones(2), training=training)


COMPOSED = [
    ("take", lambda m, x: m.take(x, m.tensor([0, -1, 5, 5])), [rand(3, 4)]),
    ("take_along_dim", lambda m, x: m.take_along_dim(x, m.tensor([[1], [0], [3]]), 1),
     [rand(3, 4)]),
    ("take_along_dim broadcast", lambda m, x: m.take_along_dim(x, m.tensor([[[2, 0]]]), 2),
     [rand(2, 3, 4)]),
    ("take_along_dim flat", lambda m, x: m.take_along_dim(x, m.tensor([7, 0, 7])),
     [rand(3, 4)]),
    ("index_copy", lambda m, x, s: x.index_copy(1, m.tensor([3, 0]), s),
     [rand(3, 4), rand(3, 2, seed=2)]),
    ("masked_scatter", lambda m, x, s: x.masked_scatter(m.tensor([True, False, True, True]), s),
     [rand(3, 4), rand(12, seed=2)]),
    ("diag_embed", lambda m, x: m.diag_embed(x), [rand(2, 3)]),
    ("diag_embed offset dims", lambda m, x: m.diag_embed(x, -1, 0, 2), [rand(2, 3)]),
    ("rot90", lambda m, x: m.rot90(x), [rand(3, 4)]),
    ("rot90 k=3 dims", lambda m, x: m.rot90(x, 3, (2, 0)), [rand(2, 3, 4)]),
    ("rot90 k=-2", lambda m, x: x.rot90(-2, (1, 2)), [rand(2, 3, 4)]),
]


@pytest.mark.parametrize("name,fn,arrays", COMPOSED, ids=[c[0] for c in COMPOSED])
def test_composed_selections_and_placements_equal_pytorchs(name, fn, arrays):
    check(lambda *a: fn(tn, *a), lambda *a: fn(torch, *a), *arrays)


def test_composed_selections_refuse_bad_arguments_by_name():
    x = tn.ones(3, 4)
    with pytest.raises(TypeError, match="take: the indices must be an integer tensor, got "
                                        "float32"):
        x.take(tn.ones(2))
    with pytest.raises(RuntimeError, match="masked_scatter: source must hold at least as many "
                                           "elements as the mask's True values \\(6\\), got 2"):
        x.masked_scatter(tn.tensor([True, False, True, False]), tn.ones(2))
    with pytest.raises(RuntimeError, match="rot90: dims must differ, got \\(1, 1\\)"):
        x.rot90(1, (1, 1))
    with pytest.raises(RuntimeError, match="take_along_dim: indices must have as many dims"):
        x.take_along_dim(tn.tensor([0]), 1)
