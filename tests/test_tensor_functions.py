"""PyTorch's tensor functions beyond the core: the in-place unary methods (``log_``,
``round_``, ``t_``...), the special elementwise functions (``logit``, ``xlogy``,
``logaddexp``...), NaN-skipping reductions and scans (``nansum``, ``cummax``,
``logcumsumexp``, ``diff``...), search (``isin``, ``searchsorted``, ``bucketize``) and the
products and statistics (``cdist``, ``tensordot``, ``kron``, ``cross``, ``quantile``,
``cov``, ``corrcoef``).

Each is checked against hand-worked values that run without PyTorch, by finite
differences (``gradcheck`` in float64), against PyTorch when it is installed (values,
dtypes, shapes and input gradients: float64 to ~1e-12, float32 to ~1e-6), over shapes
from hypothesis, and for its errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tinynet as tn
from op_checks import rand

NAN, INF = math.nan, math.inf


def _torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny tensors: threads only add contention
    return torch


def against_torch(tn_fn, torch_fn, *arrays, rtol=1e-12, atol=1e-13, grad=True):
    """Both libraries on ``arrays`` (floating ones require grad when ``grad``): the
    output's values, shape and dtype, then every input gradient for one random upstream
    gradient. Numbers in ``arrays`` are passed as they are."""
    torch = _torch()

    def inputs(make):
        return [make(a, requires_grad=grad and a.dtype.kind == "f")
                if isinstance(a, np.ndarray) else a for a in arrays]

    ours, theirs = inputs(tn.tensor), inputs(torch.tensor)
    y, y_ref = tn_fn(*ours), torch_fn(*theirs)
    expected = y_ref.detach().numpy()
    assert y.shape == expected.shape and y.dtype == expected.dtype
    np.testing.assert_allclose(y.array, expected, rtol=rtol, atol=atol)
    if not grad or not y.requires_grad:
        return
    v = np.random.default_rng(1).standard_normal(y.shape).astype(y.dtype)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        if isinstance(a, tn.Tensor) and a.requires_grad:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=atol)


def call(t, name, args):
    """``t.name(*args)``, or ``t.name(**args)`` for a dict."""
    return getattr(t, name)(**args) if isinstance(args, dict) else getattr(t, name)(*args)


def gradcheck(fn, *arrays):
    return tn.gradcheck(fn, tuple(tn.tensor(a, requires_grad=True) for a in arrays))


# ---- 1. in-place unary methods ---------------------------------------------------------------
X = np.array([[-2.5, -0.7, 0.0, 0.5], [1.5, 2.3, 7.0, 3.25]])
IN_PLACE = [  # (method, arguments, input)
    ("log_", (), np.abs(X) + 0.1), ("sign_", (), X), ("floor_", (), X), ("ceil_", (), X),
    ("round_", (), X), ("round_", {"decimals": 1}, X * 1.37), ("trunc_", (), X), ("fix_", (), X),
    ("frac_", (), X), ("square_", (), X), ("erfinv_", (), X / 8),
    ("nan_to_num_", (), np.array([NAN, INF, -INF, 1.0])),
    ("nan_to_num_", (1.0, 2.0, -2.0), np.array([NAN, INF, -INF, 1.0])),
    ("logit_", (), X / 8 + 0.5), ("logit_", (0.25,), X / 8 + 0.5),
]


@pytest.mark.parametrize("name,args,x", IN_PLACE, ids=[f"{c[0]}{c[1]}" for c in IN_PLACE])
def test_in_place_writes_the_out_of_place_values(name, args, x):
    t = tn.tensor(x)
    array, version = t.array, t._version[0]
    out = call(t, name, args)
    expected = call(tn.tensor(x), name[:-1], args)
    assert out is t and t.array is array and t._version[0] == version + 1
    np.testing.assert_array_equal(t.array, expected.array)


@pytest.mark.parametrize("name,args,x", IN_PLACE, ids=[f"{c[0]}{c[1]}" for c in IN_PLACE])
def test_in_place_inside_the_graph_has_the_out_of_place_gradient(name, args, x):
    leaf = tn.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad"):
        call(leaf, name, args)
    y = leaf * 1.0
    call(y, name, args).sum().backward()
    expected = tn.tensor(x, requires_grad=True)
    call(expected * 1.0, name[:-1], args).sum().backward()
    np.testing.assert_array_equal(leaf.grad.array, expected.grad.array)


@pytest.mark.parametrize("name,args,x", IN_PLACE, ids=[f"{c[0]}{c[1]}" for c in IN_PLACE])
def test_in_place_against_torch(name, args, x):
    torch = _torch()
    for dtype in (np.float64, np.float32):
        ours, theirs = tn.tensor(x.astype(dtype)), torch.tensor(x.astype(dtype))
        call(ours, name, args)
        call(theirs, name, args)
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-7)


def test_in_place_keeps_integers_or_refuses_a_float_result():
    x = tn.tensor([3, -2])
    for name in ("floor_", "ceil_", "round_", "trunc_", "sign_", "square_", "nan_to_num_"):
        getattr(x.clone(), name)()
    assert x.clone().square_().tolist() == [9, 4] and x.clone().sign_().tolist() == [1, -1]
    for name in ("log_", "erfinv_", "logit_"):
        with pytest.raises(RuntimeError, match=rf"{name}: the result's dtype float32 cannot "
                                               rf"be written into this tensor's dtype int64"):
            getattr(tn.tensor([1, 2]), name)()
    with pytest.raises(TypeError, match="frac: the input must be a floating-point tensor"):
        tn.tensor([1, 2]).frac_()


def test_binary_in_place_methods():
    x = tn.tensor([3.0, -4.0, 0.0])
    assert x.clone().hypot_(tn.tensor([4.0, 3.0, 0.0])).tolist() == [5.0, 5.0, 0.0]
    assert x.clone().copysign_(-1.0).tolist() == [-3.0, -4.0, -0.0]
    assert x.clone().heaviside_(tn.tensor(0.5)).tolist() == [1.0, 0.0, 0.5]
    y = tn.tensor([0.0, 1.0, 2.0])
    np.testing.assert_allclose(y.xlogy_(tn.tensor([0.0, 3.0, 4.0])).array,
                               [0.0, math.log(3.0), 2 * math.log(4.0)], rtol=1e-6)
    # an operand that requires grad brings the change into the graph
    w = tn.tensor([4.0, 3.0, 1.0], dtype=tn.float64, requires_grad=True)
    z = tn.tensor([3.0, -4.0, 0.0], dtype=tn.float64)
    z.hypot_(w).sum().backward()
    np.testing.assert_allclose(w.grad.array, [4 / 5, 3 / 5, 1.0])


def test_t_and_transpose_in_place():
    m = tn.arange(6.0).reshape(2, 3)
    version = m._version[0]
    assert m.t_() is m and m.shape == (3, 2) and m._version[0] == version + 1
    assert m.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    b = tn.arange(24).reshape(2, 3, 4)
    assert b.transpose_(0, 2).shape == (4, 3, 2) and b[3, 2, 1].item() == 23
    v = tn.tensor([1.0, 2.0])
    assert v.t_().shape == (2,)
    with pytest.raises(RuntimeError, match="t: the tensor must have <= 2 dimensions"):
        tn.zeros(2, 2, 2).t_()
    with pytest.raises(IndexError, match="Dimension out of range"):
        tn.zeros(2, 2).transpose_(0, 2)
    # inside the graph: rebound, with transpose's gradient
    leaf = tn.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = leaf * 1.0
    y.t_()
    (y * tn.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert y.shape == (3, 1) and leaf.grad.tolist() == [[1.0, 2.0, 3.0]]


def test_t_and_transpose_in_place_against_torch():
    torch = _torch()
    ours, theirs = tn.arange(24.0).reshape(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4)
    ours.transpose_(-1, 0).transpose_(1, 2)
    theirs.transpose_(-1, 0).transpose_(1, 2)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert ours[:, 0].t_().shape == tuple(theirs[:, 0].t_().shape)


# ---- 2. special elementwise functions -----------------------------------------------------
def test_special_functions_closed_forms():
    x = tn.tensor([-3.0, -0.5, 0.0, 0.25, 4.0], dtype=tn.float64)
    np.testing.assert_allclose(x.sigmoid().logit().array, x.array, rtol=1e-15, atol=1e-15)
    # eps = 0.2 clamps 0.1 to 0.2 and 0.95 to 0.8: log(0.2 / 0.8) = -log 4
    p = tn.tensor([0.1, 0.5, 0.95], dtype=tn.float64)
    np.testing.assert_allclose(tn.logit(p, 0.2).array, [-math.log(4), 0.0, math.log(4)])
    # x log y with x = 0 is 0, even at y = 0 (where 0 · log 0 would be nan)
    assert tn.xlogy(tn.tensor([0.0, 0.0, 2.0]), tn.tensor([0.0, INF, NAN])).tolist()[:2] == \
        [0.0, 0.0]
    assert math.isnan(tn.xlogy(tn.tensor([0.0]), tn.tensor([NAN])).item())
    np.testing.assert_allclose(tn.xlogy(2, tn.tensor([math.e ** 3])).item(), 6.0, rtol=1e-6)
    # log(e^1000 + e^1000) = 1000 + log 2, where e^1000 overflows
    big = tn.tensor([1000.0, -1000.0], dtype=tn.float64)
    np.testing.assert_allclose(tn.logaddexp(big, big).array, big.array + math.log(2))
    np.testing.assert_allclose(tn.logaddexp2(big, big).array, big.array + 1)
    assert tn.logaddexp(tn.tensor([-INF, INF]), tn.tensor([-INF, INF])).tolist() == [-INF, INF]
    np.testing.assert_allclose(tn.hypot(tn.tensor([3.0, 1e200, 1e-200], dtype=tn.float64),
                                        tn.tensor([4.0, 1e200, 1e-200], dtype=tn.float64)).array,
                               [5.0, math.sqrt(2) * 1e200, math.sqrt(2) * 1e-200])
    signs = tn.copysign(tn.tensor([1.0, -2.0, 3.0, 0.0]), tn.tensor([-0.0, 1.0, -INF, -1.0]))
    assert signs.tolist() == [-1.0, 2.0, -3.0, -0.0] and math.copysign(1, signs[3].item()) < 0
    fractions = tn.frac(tn.tensor([-2.5, 3.25, 0.0, INF]))
    assert fractions.tolist()[:3] == [-0.5, 0.25, 0.0] and math.isnan(fractions[3].item())
    y = tn.tensor([-1.5, -0.3, 0.0, 0.9, 2.0], dtype=tn.float64)
    np.testing.assert_allclose(y.erf().erfinv().array, y.array, rtol=1e-13)
    assert tn.erfinv(tn.tensor([-1.0, 1.0])).tolist() == [-INF, INF]
    steps = tn.heaviside(tn.tensor([-2.0, 0.0, 3.0, NAN]), tn.tensor([0.5]))
    assert steps.tolist() == [0.0, 0.5, 1.0, 0.0]


SPECIAL_GRADCHECK = [  # (name, fn, inputs away from kinks and poles)
    ("logit", lambda x: x.logit(), (rand(3, 4, low=0.05, high=0.95),)),
    ("logit eps", lambda x: tn.logit(x, eps=0.2), (rand(3, 4, low=0.05, high=0.95),)),
    ("xlogy", tn.xlogy, (rand(3, 4), rand(3, 4, seed=1, low=0.1, high=5))),
    ("xlogy broadcast", tn.xlogy, (rand(3, 1), rand(4, seed=1, low=0.1, high=5))),
    ("logaddexp", tn.logaddexp, (rand(3, 4, low=-30, high=30), rand(4, seed=1, low=-30,
                                                                    high=30))),
    ("logaddexp2", tn.logaddexp2, (rand(3, 4), rand(3, 4, seed=1))),
    ("hypot", tn.hypot, (rand(3, 4), rand(3, 1, seed=1))),
    ("copysign", tn.copysign, (rand(3, 4), rand(3, 4, seed=1))),
    ("frac", tn.frac, (rand(3, 4) + 0.01,)),
    ("erfinv", tn.erfinv, (rand(3, 4, low=-0.95, high=0.95),)),
]


@pytest.mark.parametrize("name,fn,arrays", SPECIAL_GRADCHECK,
                         ids=[c[0] for c in SPECIAL_GRADCHECK])
def test_special_functions_gradcheck(name, fn, arrays):
    if name == "logit eps":  # keep finite differences off the clamp's corners
        arrays = (np.where(np.abs(np.abs(arrays[0] - 0.5) - 0.3) < 0.02, 0.5, arrays[0]),)
    assert gradcheck(fn, *arrays)


SPECIAL_TORCH = [  # (name, tn function, torch name, inputs)
    ("logit", tn.logit, "logit", (rand(4, 5, low=0.001, high=0.999),)),
    ("logit eps", lambda x: tn.logit(x, 0.1), lambda t, x: t.logit(x, 0.1),
     (np.append(rand(9, low=-0.2, high=1.2), [0.1, 0.9, 0.0, 1.0]),)),
    ("xlogy", tn.xlogy, "xlogy", (rand(4, 5), rand(5, seed=1, low=0.01, high=9))),
    ("xlogy zeros", tn.xlogy, "xlogy", (np.array([0.0, 0.0, 0.0, 2.0, -1.0]),
                                        np.array([0.0, 3.0, INF, NAN, 0.5]))),
    ("logaddexp", tn.logaddexp, "logaddexp", (rand(4, 5, low=-50, high=50),
                                              rand(4, 1, seed=1, low=-50, high=50))),
    ("logaddexp2", tn.logaddexp2, "logaddexp2", (rand(4, 5, low=-50, high=50),
                                                 rand(5, seed=1, low=-50, high=50))),
    ("hypot", tn.hypot, "hypot", (rand(4, 5), rand(4, 5, seed=1))),
    ("copysign", tn.copysign, "copysign", (np.append(rand(6), [0.0, -0.0, 2.0]),
                                           np.append(rand(6, seed=1), [-1.0, 1.0, -0.0]))),
    ("frac", tn.frac, "frac", (rand(4, 5, low=-9, high=9),)),
    ("erfinv", tn.erfinv, "erfinv", (rand(4, 5, low=-0.999, high=0.999),)),
]


@pytest.mark.parametrize("name,fn,ref,arrays", SPECIAL_TORCH, ids=[c[0] for c in SPECIAL_TORCH])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_functions_against_torch(name, fn, ref, arrays, dtype):
    torch = _torch()
    ref_fn = getattr(torch, ref) if isinstance(ref, str) else lambda *a: ref(torch, *a)
    tolerance = dict(rtol=1e-12, atol=1e-13) if dtype == np.float64 else \
        dict(rtol=2e-6, atol=2e-6)
    arrays = tuple(a.astype(dtype) for a in arrays)
    against_torch(fn, ref_fn, *arrays, **tolerance)
    if isinstance(ref, str):  # the method too
        against_torch(lambda x, *o: getattr(x, ref)(*o), lambda x, *o: getattr(x, ref)(*o),
                      *arrays, **tolerance)


def test_special_values_of_the_gradients_against_torch():
    """logit's nan / inf / 0 at and beyond the ends, xlogy's 0 at x = 0, logaddexp's nan at
    equal infinities, hypot's nan at 0, copysign's 0 at 0: PyTorch's, not a limit's."""
    ends = np.array([-0.5, 0.0, 0.05, 0.5, 0.95, 1.0, 1.5])
    against_torch(tn.logit, _torch().logit, ends)
    against_torch(lambda x: x.logit(eps=0.05), lambda x: x.logit(eps=0.05), ends)
    against_torch(lambda x: x.logit(eps=-1.0), lambda x: x.logit(eps=-1.0), ends)
    against_torch(tn.xlogy, _torch().xlogy, np.array([0.0, 0.0, 1.0, 2.0]),
                  np.array([0.0, NAN, 0.0, NAN]))
    against_torch(tn.logaddexp, _torch().logaddexp, np.array([INF, -INF, 1.0, NAN]),
                  np.array([INF, -INF, 1.0, 2.0]))
    against_torch(tn.hypot, _torch().hypot, np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    against_torch(tn.copysign, _torch().copysign, np.array([0.0, -0.0, INF, -2.0]),
                  np.array([-1.0, 1.0, -1.0, -0.0]))


DTYPE_CASES = [  # (function, operands as (values, dtype) or numbers)
    ("logit", ([0.25, 0.5], "int64")), ("logit", ([True, False], "bool")),
    ("erfinv", ([0, 1], "int32")), ("erfinv", ([0.5], "float16")),
    ("xlogy", ([1, 2], "int64"), ([2, 3], "int64")), ("xlogy", ([1, 2], "int32"), 2.5),
    ("xlogy", 2, ([2.0, 3.0], "float32")), ("xlogy", ([0.5], "float16"), ([2], "int64")),
    ("xlogy", ([1.0], "float32"), ([2.0], "float64")),
    ("xlogy", ([1.0, 2.0], "float32"), (2.0, "float64")),
    ("copysign", ([1, 2], "int64"), -1.0), ("copysign", ([1, 2], "int32"), -1),
    ("copysign", ([1.0, 2.0], "float16"), ([-1.0], "float64")),
    ("logaddexp", ([1.0], "float16"), ([2.0], "float16")),
    ("logaddexp", ([1.0], "float32"), ([2.0], "float64")),
    ("logaddexp2", ([1], "int64"), ([2.0], "float32")),
    ("hypot", ([1.0, 2.0], "float32"), (3.0, "float64")),
    ("frac", ([1.5], "float16")),
    ("heaviside", ([-1, 0, 2], "int64"), ([5], "int64")),
]


@pytest.mark.parametrize("case", DTYPE_CASES, ids=[str(c) for c in DTYPE_CASES])
def test_result_dtypes_and_values_as_torch(case):
    torch = _torch()
    name, *operands = case

    def make(lib, operand):
        if not isinstance(operand, tuple):
            return operand
        return lib.tensor(np.array(operand[0], dtype=operand[1]))

    y = getattr(tn, name)(*(make(tn, o) for o in operands))
    y_ref = getattr(torch, name)(*(make(torch, o) for o in operands))
    assert y.dtype == y_ref.numpy().dtype and y.shape == tuple(y_ref.shape)
    np.testing.assert_allclose(y.array.astype(float), y_ref.numpy().astype(float), rtol=2e-3)


@settings(max_examples=15)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 32 - 1),
       name=st.sampled_from(["xlogy", "logaddexp", "logaddexp2", "hypot", "copysign"]))
def test_binary_special_functions_broadcast(shapes, seed, name):
    (x_shape, y_shape), shape = shapes
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-3, 3, x_shape), rng.uniform(0.1, 3, y_shape)
    z = getattr(tn, name)(tn.tensor(x), tn.tensor(y))
    assert z.shape == shape
    expected = {"xlogy": lambda: x * np.log(y), "logaddexp": lambda: np.log(np.exp(x) +
                                                                           np.exp(y)),
                "logaddexp2": lambda: np.log2(2 ** x + 2 ** y), "hypot": lambda: np.sqrt(x * x +
                                                                                     y * y),
                "copysign": lambda: np.abs(x) * np.sign(y)}[name]()
    np.testing.assert_allclose(z.array, expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(getattr(tn, name), x, y)


def test_special_functions_errors():
    x = tn.tensor([0.5])
    with pytest.raises(ValueError, match="logit: eps must be a finite number, got nan"):
        x.logit(NAN)
    with pytest.raises(TypeError, match="logit: eps must be a finite number, got '0.1'"):
        x.logit("0.1")
    with pytest.raises(TypeError, match="logaddexp: other must be a tensor .as in PyTorch., "
                                        "got float"):
        x.logaddexp(1.0)
    with pytest.raises(TypeError, match=r"hypot: the operands' result dtype must be floating "
                                        r".as in PyTorch., got int64 from input int64 and "
                                        r"other int32"):
        tn.hypot(tn.tensor([3]), tn.tensor([4], dtype=tn.int32))
    with pytest.raises(TypeError, match="xlogy: input or other must be a tensor, got int and "
                                        "int"):
        tn.xlogy(2, 3)
    with pytest.raises(TypeError, match="xlogy: input and other must be tensors or numbers, "
                                        "got list"):
        x.xlogy([1.0])
    with pytest.raises(TypeError, match="copysign: input must be a tensor, got float"):
        tn.copysign(2.0, x)
    with pytest.raises(TypeError, match="frac: the input must be a floating-point tensor .as "
                                        "in PyTorch., got dtype int64"):
        tn.frac(tn.tensor([1]))
    with pytest.raises(TypeError, match="heaviside: values must have the input's dtype "
                                        "float32 .as in PyTorch., got int64"):
        x.heaviside(tn.tensor([1]))
    with pytest.raises(TypeError, match="heaviside: values must be a tensor, got float"):
        x.heaviside(0.5)
    y = tn.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="heaviside: the derivative is not defined"):
        y.heaviside(tn.tensor(0.5)).sum().backward()


# ---- 3. reductions and scans ---------------------------------------------------------------
def test_reductions_and_scans_closed_forms():
    x = tn.tensor([[1.0, NAN, 3.0], [NAN, NAN, NAN]], dtype=tn.float64, requires_grad=True)
    assert x.nansum().item() == 4.0 and x.nansum(1).tolist() == [4.0, 0.0]
    means = tn.nanmean(x, 1)
    assert means[0].item() == 2.0 and math.isnan(means[1].item())
    means.sum().backward()
    assert x.grad[0].tolist()[::2] == [0.5, 0.5] and x.grad[0, 1].item() == 0.0
    assert np.isnan(x.grad[1].array).all()  # nothing averaged: nan, as PyTorch
    assert tn.nansum(tn.tensor([1, 2], dtype=tn.int8)).dtype == tn.int64
    lo, hi = tn.aminmax(tn.tensor([[1.0, 3.0], [-2.0, 3.0]]))
    assert (lo.item(), hi.item()) == (-2.0, 3.0)
    values, indices = tn.tensor([1.0, 3.0, 3.0, 2.0, 5.0]).cummax(0)
    assert values.tolist() == [1, 3, 3, 3, 5] and indices.tolist() == [0, 1, 2, 2, 4]
    values, indices = tn.cummin(tn.tensor([2.0, NAN, 1.0, NAN]), 0)
    assert indices.tolist() == [0, 1, 1, 3] and values.tolist()[0] == 2.0
    # log(e^0 + e^0 + e^0) = log 3; 1000 + log 2 without overflow
    np.testing.assert_allclose(tn.tensor([0.0, 0.0, 0.0]).logcumsumexp(0).array,
                               np.log([1.0, 2.0, 3.0]), rtol=1e-7)
    big = tn.tensor([1000.0, 1000.0], dtype=tn.float64, requires_grad=True)
    y = big.logcumsumexp(0)
    np.testing.assert_allclose(y.array, [1000.0, 1000.0 + math.log(2)])
    y.sum().backward()  # d/dx₀ = 1 + ½, d/dx₁ = ½
    np.testing.assert_allclose(big.grad.array, [1.5, 0.5])
    squares = tn.tensor([1, 4, 9, 16])
    assert squares.diff().tolist() == [3, 5, 7] and squares.diff(n=2).tolist() == [2, 2]
    assert squares.diff(n=5).tolist() == [] and squares.diff(n=0).tolist() == [1, 4, 9, 16]
    assert tn.diff(squares, prepend=tn.tensor([0]), append=tn.tensor([25])).tolist() == \
        [1, 3, 5, 7, 9]
    assert tn.tensor([True, False, False]).diff().tolist() == [True, False]


REDUCTIONS = [  # (name, tn form, torch form)
    ("nansum", lambda a: a.nansum(), lambda a: a.nansum()),
    ("nansum dims", lambda a: tn.nansum(a, (0, 2), keepdim=True),
     lambda a, t: t.nansum(a, (0, 2), keepdim=True)),
    ("nanmean", lambda a: a.nanmean(), lambda a: a.nanmean()),
    ("nanmean dim", lambda a: tn.nanmean(a, dim=1), lambda a, t: t.nanmean(a, dim=1)),
    ("nanmean axis", lambda a: a.nanmean(axis=-1, keepdims=True),
     lambda a: a.nanmean(axis=-1, keepdims=True)),
    ("aminmax min", lambda a: a.aminmax().min, lambda a: a.aminmax().min),
    ("aminmax dim", lambda a: tn.aminmax(a, dim=1, keepdim=True).max,
     lambda a, t: t.aminmax(a, dim=1, keepdim=True).max),
    ("cummax", lambda a: a.cummax(1).values, lambda a: a.cummax(1).values),
    ("cummin", lambda a: tn.cummin(a, dim=-1).values, lambda a, t: t.cummin(a, dim=-1).values),
    ("logcumsumexp", lambda a: a.logcumsumexp(2), lambda a: a.logcumsumexp(2)),
    ("logcumsumexp f", lambda a: tn.logcumsumexp(a, 0), lambda a, t: t.logcumsumexp(a, 0)),
    ("diff", lambda a: a.diff(), lambda a: a.diff()),
    ("diff n dim", lambda a: tn.diff(a, n=2, dim=1), lambda a, t: t.diff(a, n=2, dim=1)),
]


@pytest.mark.parametrize("name,ours,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reductions_and_scans_against_torch(name, ours, ref, dtype):
    torch = _torch()
    x = np.round(rand(3, 4, 5, low=-20, high=20), 0)  # whole numbers: ties for the extremes
    if name.startswith("nan") or name.startswith("aminmax") or name.startswith("cum"):
        x[0, 1, 2] = x[1, :, 3] = NAN  # a nan, and a row that holds one
        if name.startswith("nan"):
            x[2, 2, :] = NAN  # a row of nothing but nan
    elif name.startswith("logcumsumexp"):
        x = rand(3, 4, 5, low=-40, high=40)
    tolerance = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else \
        dict(rtol=2e-6, atol=2e-5)
    ref_fn = ref if ref.__code__.co_argcount == 1 else (lambda a: ref(a, torch))
    against_torch(ours, ref_fn, x.astype(dtype), **tolerance)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extremes_indices_and_gradients_as_torch(name):
    torch = _torch()
    x = np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [2.0, NAN, 1.0, NAN, 0.0, 4.0],
                  [-1.0, -1.0, -2.0, -2.0, 7.0, -3.0]])
    for dim in (0, 1):
        ours, theirs = getattr(tn.tensor(x), name)(dim), getattr(torch.tensor(x), name)(dim)
        assert ours.indices.tolist() == theirs.indices.tolist()
        assert type(ours).__name__ == name and ours._fields == ("values", "indices")
    for ints in (np.array([3, 1, 2, 1, 5]), np.array([True, False, True])):
        ours, theirs = getattr(tn.tensor(ints), name)(0), getattr(torch.tensor(ints), name)(0)
        assert ours.values.tolist() == theirs.values.tolist()
        assert ours.indices.tolist() == theirs.indices.tolist()
        assert ours.values.dtype == theirs.values.numpy().dtype
    against_torch(lambda a: getattr(a, name)(1).values, lambda a: getattr(a, name)(1).values, x)
    assert gradcheck(lambda a: getattr(a, name)(0).values, rand(4, 3))


def test_shapes_of_reductions_and_scans_as_torch():
    torch = _torch()
    for shape, dim in (((), 0), ((0,), 0), ((0, 3), 0), ((2, 0), 1), ((3, 1), -1)):
        x = np.ones(shape)
        for name in ("cummax", "cummin"):
            ours, theirs = getattr(tn.tensor(x), name)(dim), getattr(torch.tensor(x), name)(dim)
            assert ours.values.shape == tuple(theirs.values.shape)
            assert ours.indices.dtype == np.int64
        assert tn.tensor(x).logcumsumexp(dim).shape == tuple(torch.tensor(x).logcumsumexp(dim)
                                                             .shape)
        for name in ("nansum", "nanmean"):
            ours, theirs = getattr(tn.tensor(x), name)(dim), getattr(torch.tensor(x), name)(dim)
            assert ours.shape == tuple(theirs.shape)
            np.testing.assert_array_equal(ours.array, theirs.numpy())
        if x.ndim:
            assert tn.tensor(x).diff(dim=dim).shape == tuple(torch.tensor(x).diff(dim=dim).shape)
    result = tn.tensor([[1.0, 3.0], [2.0, 0.0]]).aminmax(keepdim=True)
    assert type(result).__name__ == "aminmax" and result._fields == ("min", "max")
    assert result.min.shape == (1, 1) and tn.tensor(2.0).aminmax(dim=0).max.shape == ()


def test_aminmax_ties_share_the_gradient_as_torch():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    against_torch(lambda a: sum(a.aminmax()), lambda a: sum(a.aminmax()), x)
    against_torch(lambda a: sum(a.aminmax(dim=1)), lambda a: sum(a.aminmax(dim=1)), x)


def test_logcumsumexp_gradient_is_stable_and_as_torch_at_infinities():
    # x = 1000 and -1000 (e^x overflows or underflows): the exact gradient
    against_torch(lambda a: a.logcumsumexp(0), lambda a: a.logcumsumexp(0),
                  np.array([1000.0, 0.0, -1000.0, 999.0, 1001.0]))
    # -inf at the start (log 0: nan gradient there, as PyTorch), an inf in the middle
    against_torch(lambda a: a.logcumsumexp(0), lambda a: a.logcumsumexp(0),
                  np.array([-INF, -INF, 0.0, 1.0]))
    against_torch(lambda a: a.logcumsumexp(0), lambda a: a.logcumsumexp(0),
                  np.array([1.0, INF, 2.0]))
    assert gradcheck(lambda a: a.logcumsumexp(1), rand(3, 5, low=-10, high=10))


def test_reductions_in_float16_and_integers_as_torch():
    torch = _torch()
    h = np.array([0.5, NAN, 0.25, 3.0], dtype=np.float16)
    for name in ("nansum", "nanmean"):
        ours, theirs = getattr(tn.tensor(h), name)(), getattr(torch.tensor(h), name)()
        assert ours.dtype == np.float16 and ours.item() == theirs.item()
    ours, theirs = tn.tensor(h[[0, 2, 3]]).logcumsumexp(0), torch.tensor(h[[0, 2, 3]])
    np.testing.assert_allclose(ours.array, theirs.logcumsumexp(0).numpy(), rtol=1e-3)
    ints = np.array([[3, -1, 4], [1, 5, 9]], dtype=np.int32)
    assert tn.tensor(ints).nansum(dtype=tn.float64).item() == 21.0
    assert tn.tensor(ints).nansum(1).dtype == torch.tensor(ints).nansum(1).numpy().dtype
    assert tn.tensor(ints).diff(dim=0).tolist() == torch.tensor(ints).diff(dim=0).tolist()
    assert tn.tensor(ints).diff().dtype == np.int32
    assert tn.diff(tn.tensor([1, 2]), prepend=tn.tensor([1.5])).tolist() == \
        torch.diff(torch.tensor([1, 2]), prepend=torch.tensor([1.5])).tolist()


@settings(max_examples=15)
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       data=st.data())
def test_diff_and_running_extremes_match_numpy(shape, data):
    x = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1))).uniform(-5, 5, shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = data.draw(st.integers(0, 3))
    np.testing.assert_array_equal(tn.tensor(x).diff(n, dim).array, np.diff(x, n, axis=dim))
    np.testing.assert_array_equal(tn.tensor(x).cummax(dim).values.array,
                                  np.maximum.accumulate(x, axis=dim))
    np.testing.assert_allclose(tn.tensor(x).logcumsumexp(dim).array,
                               np.log(np.cumsum(np.exp(x), axis=dim)), rtol=1e-12)
    assert gradcheck(lambda a: a.diff(n, dim), x)


def test_reductions_and_scans_errors():
    for dtype in (None, tn.float64):  # dtype= does not make an integer tensor floating
        with pytest.raises(RuntimeError, match=r"nanmean: the tensor must be floating-point "
                                               r"\(as in PyTorch\), got int64"):
            tn.tensor([1, 2]).nanmean(dtype=dtype)
    with pytest.raises(RuntimeError, match="nansum: dim 0 appears more than once"):
        tn.ones(2).nansum(dim=(0, 0))
    with pytest.raises(RuntimeError, match="aminmax: the tensor has no elements"):
        tn.zeros(0).aminmax()  # (as PyTorch: over every dim a RuntimeError)
    with pytest.raises(IndexError, match="aminmax: cannot reduce over dim 0 of size 0"):
        tn.zeros(0, 2).aminmax(dim=0)
    with pytest.raises(TypeError, match="aminmax: dim must be an integer, got .0, 1."):
        tn.ones(2, 2).aminmax(dim=(0, 1))
    with pytest.raises(TypeError, match="logcumsumexp: the input must be a floating-point "
                                        "tensor .as in PyTorch., got dtype int64"):
        tn.tensor([1, 2]).logcumsumexp(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tn.ones(2).cummax(1)
    with pytest.raises(ValueError, match="diff: n must be an integer >= 0, got -1"):
        tn.ones(2).diff(n=-1)
    with pytest.raises(TypeError, match="diff: n must be an integer >= 0, got 1.0"):
        tn.ones(2).diff(n=1.0)
    with pytest.raises(ValueError, match="diff: input must have at least 1 dimension"):
        tn.tensor(1.0).diff()
    with pytest.raises(ValueError, match="diff: prepend must be a tensor with the input's 1 "
                                         "dims, got int"):
        tn.ones(2).diff(prepend=5)
    with pytest.raises(ValueError, match=r"diff: append must be a tensor with the input's 2 "
                                         r"dims, got shape \(1,\)"):
        tn.ones(2, 2).diff(append=tn.ones(1))


# ---- 4. search -----------------------------------------------------------------------------
def test_search_closed_forms():
    assert tn.isin(tn.tensor([1, 2, 3]), tn.tensor([2, 5])).tolist() == [False, True, False]
    assert tn.isin(tn.tensor([[1, 2], [3, 4]]), 4, invert=True).tolist() == \
        [[True, True], [True, False]]
    assert tn.isin(2, tn.tensor([2, 5])).item() is True
    assert tn.isin(tn.tensor([1.0, NAN]), tn.tensor([NAN, 1.0])).tolist() == [True, False]
    boundaries = tn.tensor([1, 3, 5, 7])
    assert tn.searchsorted(boundaries, tn.tensor([3, 6, 9, 0])).tolist() == [1, 3, 4, 0]
    assert tn.searchsorted(boundaries, tn.tensor([3, 6]), right=True).tolist() == [2, 3]
    assert tn.searchsorted(boundaries, tn.tensor([3]), side="right").tolist() == [2]
    assert tn.searchsorted(boundaries, 4).item() == 2
    assert tn.searchsorted(sorted_sequence=boundaries, input=tn.tensor([4])).tolist() == [2]
    assert tn.searchsorted(boundaries, 4, out_int32=True).dtype == tn.int32
    rows = tn.tensor([[1, 3, 5, 7], [2, 4, 6, 8]])
    assert tn.searchsorted(rows, tn.tensor([[3, 6], [1, 9]])).tolist() == [[1, 3], [0, 4]]
    unsorted = tn.tensor([7, 1, 5, 3])
    assert tn.searchsorted(unsorted, tn.tensor([3, 6]), sorter=tn.tensor([1, 3, 2, 0])) \
        .tolist() == [1, 3]
    # bucket i holds boundaries[i-1] < x <= boundaries[i] (right: <= x <)
    assert tn.bucketize(tn.tensor([0.5, 1.0, 3.0, 7.0]), tn.tensor([1.0, 5.0])).tolist() == \
        [0, 0, 1, 2]
    assert tn.bucketize(tn.tensor([1.0]), tn.tensor([1.0, 5.0]), right=True).tolist() == [1]
    assert tn.bucketize(3, boundaries).item() == 1


@settings(max_examples=20)
@given(data=st.data())
def test_search_against_torch(data):
    torch = _torch()
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    n, shape = data.draw(st.integers(1, 6)), data.draw(array_shapes(min_dims=0, max_dims=2,
                                                                    max_side=4))
    sequence = np.sort(rng.integers(-5, 5, n)).astype(np.float64)  # repeats: ties
    values = rng.integers(-6, 6, shape).astype(np.float64)
    right = data.draw(st.booleans())
    ours = tn.searchsorted(tn.tensor(sequence), tn.tensor(values), right=right)
    theirs = torch.searchsorted(torch.tensor(sequence), torch.tensor(values), right=right)
    assert ours.tolist() == theirs.tolist() and ours.dtype == theirs.numpy().dtype
    ours = tn.bucketize(tn.tensor(values), tn.tensor(sequence), right=right, out_int32=True)
    theirs = torch.bucketize(torch.tensor(values), torch.tensor(sequence), right=right,
                             out_int32=True)
    assert ours.tolist() == theirs.tolist() and ours.dtype == theirs.numpy().dtype
    invert = data.draw(st.booleans())
    ours = tn.isin(tn.tensor(values), tn.tensor(sequence), invert=invert)
    theirs = torch.isin(torch.tensor(values), torch.tensor(sequence), invert=invert)
    assert ours.tolist() == theirs.tolist() and ours.shape == tuple(theirs.shape)


def test_batched_searchsorted_and_mixed_dtypes_against_torch():
    torch = _torch()
    sequence = np.sort(rand(2, 3, 5), axis=-1)
    values = rand(2, 3, 4, seed=1)
    for side in ("left", "right"):
        assert tn.searchsorted(tn.tensor(sequence), tn.tensor(values), side=side).tolist() == \
            torch.searchsorted(torch.tensor(sequence), torch.tensor(values), side=side).tolist()
    ints, floats = np.array([1, 2, 3], dtype=np.int32), np.array([2.5, 3.0])
    assert tn.isin(tn.tensor(ints), tn.tensor(floats)).tolist() == \
        torch.isin(torch.tensor(ints), torch.tensor(floats)).tolist()
    assert tn.searchsorted(tn.tensor(floats), tn.tensor(ints)).tolist() == \
        torch.searchsorted(torch.tensor(floats), torch.tensor(ints)).tolist()


def test_search_errors():
    boundaries = tn.tensor([1, 3, 5])
    with pytest.raises(TypeError, match="isin: elements or test_elements must be a tensor, got "
                                        "two numbers"):
        tn.isin(2, 3)
    with pytest.raises(TypeError, match="isin: boolean elements and test_elements are not "
                                        "supported"):
        tn.isin(tn.tensor([True]), tn.tensor([False]))
    with pytest.raises(TypeError, match="isin: test_elements must be a tensor or a number, got "
                                        "list"):
        tn.isin(tn.tensor([1]), [1, 2])
    with pytest.raises(ValueError, match="searchsorted: side must be 'left', 'right' or None, "
                                         "got 'middle'"):
        tn.searchsorted(boundaries, 2, side="middle")
    with pytest.raises(ValueError, match="searchsorted: side='left' and right=True contradict"):
        tn.searchsorted(boundaries, 2, side="left", right=True)
    with pytest.raises(ValueError, match="searchsorted: sorted_sequence must be a tensor with "
                                         "at least 1 dim"):
        tn.searchsorted(tn.tensor(1.0), tn.tensor([2.0]))
    with pytest.raises(ValueError, match=r"searchsorted: a sorted_sequence of shape \(2, 2\) "
                                         r"needs an input with the same leading dims \(2,\), got "
                                         r"shape \(2,\)"):
        tn.searchsorted(tn.tensor([[1, 2], [3, 4]]), tn.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"searchsorted: sorter indices must be in \[0, 2\], "
                                         r"got 3"):
        tn.searchsorted(boundaries, 2, sorter=tn.tensor([0, 1, 3]))
    with pytest.raises(ValueError, match=r"bucketize: boundaries must be a 1-D tensor, got "
                                         r"shape \(1, 3\)"):
        tn.bucketize(tn.tensor([3]), tn.tensor([[1, 3, 5]]))


# ---- 5. products, distances and statistics ---------------------------------------------------
def test_products_closed_forms():
    # cdist: |(0,0) - (3,4)| = 5 (p=2), 7 (p=1), 4 (inf), 2 (p=0: both coordinates differ)
    a, b = tn.tensor([[0.0, 0.0], [3.0, 0.0]]), tn.tensor([[3.0, 4.0]])
    assert tn.cdist(a, b).tolist() == [[5.0], [4.0]]
    assert tn.cdist(a, b, p=1).tolist() == [[7.0], [4.0]]
    assert tn.cdist(a, b, p=INF).tolist() == [[4.0], [4.0]]
    assert tn.cdist(a, b, p=0).tolist() == [[2.0], [1.0]]
    # tensordot with dims=1 is the matrix product; dims=0 the outer product
    m, n = tn.arange(6.0).reshape(2, 3), tn.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tn.tensordot(m, n, dims=1).array, (m @ n).array)
    assert tn.tensordot(tn.tensor([1, 2]), tn.tensor([3, 4]), dims=0).tolist() == \
        [[3, 4], [6, 8]]
    assert tn.tensordot(tn.tensor([1, 2]), tn.tensor([3, 4]), dims=1).item() == 11
    assert tn.tensordot(m, m, dims=([0, 1], [0, 1])).item() == 55.0
    assert tn.kron(tn.tensor([[1, 2], [3, 4]]), tn.tensor([[0, 1], [1, 0]])).tolist() == \
        [[0, 1, 0, 2], [1, 0, 2, 0], [0, 3, 0, 4], [3, 0, 4, 0]]
    assert tn.kron(tn.tensor(2.0), tn.tensor([1.0, 3.0])).tolist() == [2.0, 6.0]
    e1, e2, e3 = tn.eye(3).unbind(0)
    assert tn.linalg.cross(e1, e2).tolist() == e3.tolist()
    assert tn.cross(e2, e1, dim=0).tolist() == (-e3).tolist()
    # the quantiles of 0..4: rank q·4 between the sorted values
    levels = tn.tensor([0.1, 0.375, 0.5, 0.625, 0.9])
    y = tn.tensor([4.0, 0.0, 3.0, 1.0, 2.0])
    expected = {"linear": [0.4, 1.5, 2.0, 2.5, 3.6], "lower": [0, 1, 2, 2, 3],
                "higher": [1, 2, 2, 3, 4], "midpoint": [0.5, 1.5, 2.0, 2.5, 3.5],
                "nearest": [0, 2, 2, 2, 4]}  # nearest: 1.5 and 2.5 round to even
    for interpolation, values in expected.items():
        np.testing.assert_allclose(y.quantile(levels, interpolation=interpolation).array,
                                   values, rtol=1e-6)
    with_nan = tn.tensor([[1.0, 5.0, 2.0, 8.0], [3.0, NAN, 4.0, 0.0]])
    assert tn.nanquantile(with_nan, 0.5, dim=1).tolist() == [3.5, 3.0]
    assert math.isnan(tn.quantile(with_nan, 0.5, dim=1)[1].item())
    # cov of two variables over three observations: by hand, means 1 and 7/6
    x = tn.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]], dtype=tn.float64)
    np.testing.assert_allclose(x.cov().array, [[1.0, -0.75], [-0.75, 7 / 12]])
    np.testing.assert_allclose(x.cov(correction=0).array, [[2 / 3, -0.5], [-0.5, 7 / 18]])
    np.testing.assert_allclose(x.corrcoef().array, [[1.0, -0.75 / math.sqrt(7 / 12)],
                                                    [-0.75 / math.sqrt(7 / 12), 1.0]])
    # fweights (1, 2, 1) repeat the middle observation: the cov of four observations
    np.testing.assert_allclose(x.cov(fweights=tn.tensor([1, 2, 1])).array,
                               tn.tensor(x.array[:, [0, 1, 1, 2]]).cov().array)
    assert tn.tensor([1.0, 2.0, 4.0]).cov().shape == ()


def test_cdist_against_torch():
    torch = _torch()
    x1, x2 = rand(2, 4, 3), rand(2, 5, 3, seed=1)
    x2[0, 0] = x1[0, 1]  # a zero distance: gradient 0 there
    x2[1, 1, 0] = x1[1, 2, 0]  # one coordinate equal: 0 for p < 1
    for p in (2.0, 1.0, 0.5, 3.0, INF, 0.0):
        against_torch(lambda a, b: tn.cdist(a, b, p),
                      lambda a, b: torch.cdist(a, b, p, "donot_use_mm_for_euclid_dist"), x1, x2)
        against_torch(lambda a, b: tn.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
                      x1.astype(np.float32), x2.astype(np.float32), rtol=2e-5, atol=2e-5)
    # broadcast batch dims, a tie for the largest |difference| (p = inf: no split)
    against_torch(lambda a, b: tn.cdist(a, b, INF), lambda a, b: torch.cdist(a, b, INF),
                  np.array([[[1.0, 2.0]]]), np.array([[[0.0, 3.0]], [[2.0, 2.0]]]))
    against_torch(lambda a, b: tn.cdist(a, b), lambda a, b: torch.cdist(a, b),
                  rand(3, 2), rand(2, 4, 2, seed=3))
    assert tn.cdist(tn.zeros(0, 4), tn.ones(5, 4)).shape == (0, 5)
    assert tn.cdist(tn.zeros(3, 0), tn.ones(5, 0)).tolist() == [[0.0] * 5] * 3


def test_cdist_gradcheck():
    assert gradcheck(lambda a, b: tn.cdist(a, b), rand(2, 3, 4), rand(2, 5, 4, seed=1))
    assert gradcheck(lambda a, b: tn.cdist(a, b, 1.5), rand(3, 4), rand(1, 5, 4, seed=1))


TENSORDOT = [  # (a shape, b shape, dims)
    ((3, 4, 5), (4, 5, 6), 2), ((3, 4, 5), (4, 5, 6), 0), ((3, 4), (4, 5), 1),
    ((3, 4, 5), (5, 4, 2), ([1, 2], [1, 0])), ((3, 4, 5), (4, 5, 6), [[-2], [-3]]),
    ((2, 0), (0, 3), 1), ((), (), 0), ((3,), (3,), 1),
]


@pytest.mark.parametrize("a_shape,b_shape,dims", TENSORDOT, ids=[str(c) for c in TENSORDOT])
def test_tensordot_against_torch(a_shape, b_shape, dims):
    torch = _torch()
    a, b = rand(*a_shape), rand(*b_shape, seed=1)
    against_torch(lambda x, y: tn.tensordot(x, y, dims), lambda x, y: torch.tensordot(x, y, dims),
                  a, b)
    if a.size and b.size and a.ndim:
        assert gradcheck(lambda x, y: tn.tensordot(x, y, dims), a, b)


def test_tensordot_takes_a_tensor_of_dims_and_out():
    a, b = rand(3, 4), rand(4, 5, seed=1)
    expected = tn.tensordot(tn.tensor(a), tn.tensor(b), 1).array
    np.testing.assert_array_equal(tn.tensordot(tn.tensor(a), tn.tensor(b),
                                               dims=tn.tensor([[1], [0]])).array, expected)
    out = tn.zeros(3, 5, dtype=tn.float64)
    assert tn.tensordot(tn.tensor(a), tn.tensor(b), 1, out=out) is out
    np.testing.assert_array_equal(out.array, expected)


@pytest.mark.parametrize("x_shape,y_shape", [((2, 3), (4, 1)), ((2,), (2, 3)),
                                             ((2, 1, 3), (3, 2)), ((), (3,)), ((0, 2), (3, 1))])
def test_kron_against_torch(x_shape, y_shape):
    torch = _torch()
    x, y = rand(*x_shape), rand(*y_shape, seed=1)
    against_torch(tn.kron, torch.kron, x, y)
    against_torch(lambda a, b: a.kron(b), lambda a, b: a.kron(b), x.astype(np.float32),
                  y.astype(np.float32), rtol=1e-6)
    if x.size and y.size:
        assert gradcheck(tn.kron, x, y)
    assert tn.kron(tn.tensor([1]), tn.tensor([1.5])).dtype == \
        torch.kron(torch.tensor([1]), torch.tensor([1.5])).numpy().dtype


def test_cross_against_torch():
    torch = _torch()
    x, y = rand(4, 3), rand(4, 3, seed=1)
    against_torch(tn.linalg.cross, torch.linalg.cross, x, y)
    against_torch(lambda a, b: tn.cross(a, b, dim=1), lambda a, b: torch.cross(a, b, dim=1),
                  x, y)
    against_torch(lambda a, b: a.cross(b, 0), lambda a, b: a.cross(b, 0), rand(3, 5),
                  rand(3, 1, seed=1))
    against_torch(tn.linalg.cross, torch.linalg.cross, rand(4, 3), rand(1, 3, seed=1))
    with pytest.warns(UserWarning, match="cross without dim is deprecated"):
        ours = tn.cross(tn.tensor(rand(4, 3, 3)), tn.tensor(rand(4, 3, 3, seed=1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cross(torch.tensor(rand(4, 3, 3)), torch.tensor(rand(4, 3, 3, seed=1)))
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12)
    assert tn.linalg.cross(tn.tensor([1, 0, 0]), tn.tensor([0, 1, 0])).tolist() == [0, 0, 1]
    assert gradcheck(lambda a, b: tn.linalg.cross(a, b), x, y)


QUANTILE_FORMS = {  # name: (method, dim and keepdim)
    "all": ("quantile", ()), "dim 1": ("quantile", (1,)), "dim 0 keepdim": ("quantile", (0, True)),
    "all keepdim": ("quantile", (None, True)), "nan dim -1": ("nanquantile", (-1,)),
    "nan all keepdim": ("nanquantile", (None, True)),
}


@pytest.mark.parametrize("name", QUANTILE_FORMS)
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_against_torch(name, interpolation):
    torch = _torch()
    method, args = QUANTILE_FORMS[name]
    x = rand(3, 4, 5)  # (no ties: PyTorch's sort may order them either way)
    if method == "nanquantile":
        x[0, 1, 2] = NAN
        x[1, 2, :] = NAN  # a row of nothing but nan
    else:
        x[2, 0, 1] = NAN  # a row with a nan: nan
    for q in (0.3, np.array([0.0, 0.25, 0.5, 1.0]), np.array(0.625)):
        for dtype in (np.float64, np.float32):
            tolerance = dict(rtol=1e-12, atol=1e-13) if dtype == np.float64 else \
                dict(rtol=1e-6, atol=1e-6)

            def quantile(a, lib=tn):
                level = q if isinstance(q, float) else lib.tensor(q.astype(dtype))
                return getattr(a, method)(level, *args, interpolation=interpolation)

            against_torch(quantile, lambda a: quantile(a, torch), x.astype(dtype), **tolerance)


def test_quantile_gradcheck():
    x = rand(4, 6)
    assert gradcheck(lambda a: a.quantile(tn.tensor([0.1, 0.5, 0.9], dtype=tn.float64), dim=1),
                     x)
    assert gradcheck(lambda a: tn.nanquantile(a, 0.3, interpolation="midpoint"), x)


COV_FORMS = [
    ("cov", lambda a: a.cov()), ("correction 0", lambda a: tn.cov(a, correction=0)),
    ("correction 2", lambda a: a.cov(correction=2)),
    ("fweights", lambda a: a.cov(fweights=a.new_tensor([1, 2, 1, 3, 1], dtype=tn.int64))),
    ("aweights", lambda a: a.cov(aweights=a.new_tensor([0.5, 2.0, 1.0, 3.0, 0.25]))),
    ("both", lambda a: a.cov(correction=2, fweights=a.new_tensor([1, 2, 1, 3, 1],
                                                                 dtype=tn.int64),
                             aweights=a.new_tensor([0.5, 2.0, 1.0, 3.0, 0.25]))),
    ("one variable", lambda a: a[0].cov()), ("corrcoef", lambda a: a.corrcoef()),
    ("corrcoef f", lambda a: tn.corrcoef(a)), ("corrcoef 1-D", lambda a: a[1].corrcoef()),
]


def _torch_cov(torch, name, form):
    def reference(a):
        if name in ("fweights", "aweights", "both"):
            f = torch.tensor([1, 2, 1, 3, 1])
            w = torch.tensor([0.5, 2.0, 1.0, 3.0, 0.25], dtype=a.dtype)
            return a.cov(fweights=None if name == "aweights" else f,
                         aweights=None if name == "fweights" else w,
                         correction=2 if name == "both" else 1)
        return {"corrcoef f": lambda: torch.corrcoef(a),
                "correction 0": lambda: torch.cov(a, correction=0)}.get(name, lambda: form(a))()
    return reference


@pytest.mark.parametrize("name,form", COV_FORMS, ids=[c[0] for c in COV_FORMS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cov_and_corrcoef_against_torch(name, form, dtype):
    torch = _torch()
    tolerance = dict(rtol=1e-12, atol=1e-13) if dtype == np.float64 else \
        dict(rtol=1e-5, atol=1e-6)
    against_torch(form, _torch_cov(torch, name, form), rand(3, 5).astype(dtype), **tolerance)


def test_cov_and_corrcoef_gradcheck_and_edge_cases_as_torch():
    torch = _torch()
    assert gradcheck(lambda a: a.cov(), rand(3, 5))
    assert gradcheck(lambda a, w: a.cov(aweights=w), rand(2, 4), rand(4, low=0.5, high=2))
    assert gradcheck(lambda a: a.corrcoef(), rand(3, 5))
    with np.errstate(divide="ignore", invalid="ignore"):  # (backward divides by its σ = 0)
        against_torch(lambda a: a.corrcoef(), lambda a: a.corrcoef(),
                      np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]))  # a constant row: nan
    for data in (np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]]), np.array([3.0, 1.0])):
        ints = data.astype(np.int32)
        assert tn.tensor(ints).cov().dtype == torch.tensor(ints).cov().numpy().dtype
    for shape in ((2, 0), (0, 3), (), (1,)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn: degrees of freedom <= 0
            ours, theirs = tn.zeros(shape).cov(), torch.zeros(shape).cov()
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    with pytest.warns(UserWarning, match="cov: degrees of freedom <= 0"):
        tn.ones(2, 3).cov(correction=3)


def test_products_and_statistics_errors():
    x = tn.ones(2, 3)
    with pytest.raises(ValueError, match=r"cdist: x1 must have at least 2 dims \(rows, "
                                         r"columns\), got shape \(3,\)"):
        tn.cdist(tn.ones(3), x)
    with pytest.raises(ValueError, match=r"cdist: x1 and x2 must have the same number of "
                                         r"columns, got shapes \(2, 3\) and \(2, 2\)"):
        tn.cdist(x, tn.ones(2, 2))
    with pytest.raises(ValueError, match="cdist: p must be a number >= 0, got -1.0"):
        tn.cdist(x, x, p=-1)
    with pytest.raises(TypeError, match="cdist: x1 and x2 must have one dtype"):
        tn.cdist(x, x.double())
    with pytest.raises(TypeError, match="cdist: x1 must be a floating-point tensor, got int64"):
        tn.cdist(tn.tensor([[1, 2]]), tn.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="cdist: compute_mode must be one of"):
        tn.cdist(x, x, compute_mode="fast")
    with pytest.raises(ValueError, match=r"tensordot: dims must be an integer in \[0, 2\]"):
        tn.tensordot(x, x, dims=3)
    with pytest.raises(ValueError, match=r"tensordot: contracted dims must have one size, got "
                                         r"2 \(dim 0 of a"):
        tn.tensordot(x, x, dims=([0], [1]))
    with pytest.raises(ValueError, match=r"tensordot: the dims of a must differ, got \[1, 1\]"):
        tn.tensordot(x, x, dims=([1, 1], [1, 1]))
    with pytest.raises(ValueError, match="tensordot: the two lists of dims must have one length"):
        tn.tensordot(x, x, dims=([1], [0, 1]))
    with pytest.raises(TypeError, match=r"tensordot: dims must be an int or a pair of lists of "
                                        r"ints, got \(1, 0\)"):
        tn.tensordot(x, x, dims=(1, 0))
    with pytest.raises(TypeError, match="tensordot: a and b must have one dtype"):
        tn.tensordot(x, x.double(), 1)
    with pytest.raises(TypeError, match="kron: other must be a tensor, got int"):
        x.kron(2)
    with pytest.raises(ValueError, match=r"linalg.cross: dim 0 of input and other must have "
                                         r"size 3, got shapes \(2, 3\) and \(2, 3\)"):
        tn.linalg.cross(x, x, dim=0)
    with pytest.raises(ValueError, match="linalg.cross: input and other must have the same "
                                         "number of dims"):
        tn.linalg.cross(tn.ones(4, 3), tn.ones(3))
    with pytest.raises(TypeError, match="cross: input and other must have one dtype"):
        tn.cross(tn.ones(3), tn.ones(3, dtype=tn.float64), dim=0)
    with pytest.raises(ValueError, match=r"cross: no dim of size 3 in the inputs"):
        tn.cross(tn.ones(4, 4), tn.ones(4, 4))
    with pytest.raises(ValueError, match=r"quantile: q must be a finite number in \[0, 1\], "
                                         r"got 1.5"):
        x.quantile(1.5)
    with pytest.raises(ValueError, match=r"quantile: q must be in \[0, 1\], got 1.5"):
        x.quantile(tn.tensor([0.2, 1.5]))
    with pytest.raises(TypeError, match="quantile: q must have the input's dtype float32"):
        x.quantile(tn.tensor([0.2], dtype=tn.float64))
    with pytest.raises(ValueError, match="quantile: q must be a number or a 0-d or 1-D tensor"):
        x.quantile(tn.tensor([[0.2]]))
    with pytest.raises(TypeError, match="nanquantile: the input must be float32 or float64"):
        tn.tensor([1, 2]).nanquantile(0.5)
    with pytest.raises(ValueError, match="quantile: the input must be non-empty"):
        tn.zeros(2, 0).quantile(0.5, dim=0)
    with pytest.raises(ValueError, match="quantile: interpolation must be one of 'linear'"):
        x.quantile(0.5, interpolation="cubic")
    with pytest.raises(ValueError, match=r"cov: input must have at most 2 dims"):
        tn.ones(2, 2, 2).cov()
    with pytest.raises(TypeError, match="cov: fweights must have an integer dtype, got float32"):
        x.cov(fweights=tn.ones(3))
    with pytest.raises(TypeError, match="cov: aweights must have a floating-point dtype, got "
                                        "int64"):
        x.cov(aweights=tn.tensor([1, 2, 1]))
    with pytest.raises(ValueError, match="cov: fweights must be >= 0, got -2"):
        x.cov(fweights=tn.tensor([1, -2, 1]))
    with pytest.raises(ValueError, match=r"cov: aweights must be 1-D with one weight per "
                                         r"observation \(3\), got shape \(2,\)"):
        x.cov(aweights=tn.ones(2))
    with pytest.raises(TypeError, match="cov: correction must be an integer, got 0.5"):
        x.cov(correction=0.5)


def test_every_new_name_is_where_torch_has_it():
    """Each function is a Tensor method and/or a tn. function exactly as in PyTorch."""
    torch = _torch()
    names = ("logit xlogy logaddexp logaddexp2 hypot copysign frac erfinv heaviside nansum "
             "nanmean aminmax cummax cummin logcumsumexp diff isin searchsorted bucketize "
             "cdist tensordot kron cross quantile nanquantile cov corrcoef log_ sign_ floor_ "
             "ceil_ round_ trunc_ fix_ frac_ square_ nan_to_num_ t_ transpose_ logit_ xlogy_ "
             "hypot_ copysign_ erfinv_ heaviside_").split()
    for name in names:
        assert hasattr(tn.Tensor, name) == hasattr(torch.Tensor, name), name
        if not name.endswith("_"):
            assert hasattr(tn, name) == hasattr(torch, name), name
    assert hasattr(tn.linalg, "cross")


def test_functions_that_read_no_values_replay_in_tn_capture():
    """The composed and single-op functions read no values into Python: a captured step
    replays them; those that pick elements by value (cummax, quantile) are run eagerly,
    and both give the eager numbers."""
    tn.manual_seed(0)
    model = tn.nn.Linear(3, 3)

    def loss_of(x):
        h = model(x)  # (4, 3)
        p = h.sigmoid()
        terms = [p.logit(eps=1e-3), tn.xlogy(p, p), h.logaddexp(h.flip(0)), tn.hypot(h, p),
                 h.logaddexp2(p), h.copysign(p - 0.5), h.logcumsumexp(0), h.diff(dim=0),
                 tn.kron(h[:1], p[:1]), tn.linalg.cross(h, p), tn.tensordot(h, p, 2),
                 tn.cdist(h, p), h.nansum(0), h.nanmean(1), p.erfinv(), h.frac()]
        return sum(t.sum() for t in terms)

    step = tn.capture(loss_of)
    for x in (tn.ones(4, 3), tn.ones(4, 3), tn.randn(4, 3)):
        loss = step(x)
    assert step.replays == 1
    assert loss.item() == pytest.approx(loss_of(x).item(), rel=1e-6)

    def by_value(x):
        h = model(x)
        return h.cummax(0).values.sum() + h.quantile(0.3) + h.aminmax().max

    step = tn.capture(by_value)
    with pytest.warns(UserWarning, match="capture: this function runs eagerly"):
        for x in (tn.ones(4, 3), tn.ones(4, 3), tn.randn(4, 3)):
            loss = step(x)
    assert step.replays == 0 and loss.item() == pytest.approx(by_value(x).item(), rel=1e-6)
