"""The table of ops: each forward against numpy, each backward by finite differences
(``tinynet.gradcheck`` in float64), and broadcasting shapes drawn by hypothesis."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tinynet as tn
from tinynet import ops
from op_checks import away_from, check_op, rand
from tinynet.autograd import Function, GradcheckError


# ---- elementwise ------------------------------------------------------------------------
# name, tinynet, numpy, input values
UNARY = [
    ("neg", lambda t: -t, np.negative, rand(3, 4)),
    ("exp", lambda t: t.exp(), np.exp, rand(3, 4, low=-10, high=10)),
    ("log", lambda t: t.log(), np.log, rand(3, 4, low=0.01, high=100)),
    ("sqrt", lambda t: t.sqrt(), np.sqrt, rand(3, 4, low=0.01, high=100)),
    ("abs", lambda t: t.abs(), np.abs, away_from(rand(3, 4), [0])),
    ("clamp", lambda t: t.clamp(-1.0, 2.0), lambda a: np.clip(a, -1, 2),
     away_from(rand(4, 5), [-1, 2])),
    ("clamp_min", lambda t: t.clamp(min=0.5), lambda a: np.maximum(a, 0.5),
     away_from(rand(4, 5), [0.5])),
    ("clamp_max", lambda t: t.clamp(max=0.5), lambda a: np.minimum(a, 0.5),
     away_from(rand(4, 5), [0.5])),
    ("pow_2", lambda t: t ** 2, np.square, rand(3, 4)),
    ("pow_3_int", lambda t: t.pow(3), lambda a: a ** 3, rand(3, 4)),
    ("pow_half", lambda t: t ** 0.5, np.sqrt, rand(3, 4, low=0.1, high=5)),
    ("pow_neg", lambda t: t ** -1.5, lambda a: a ** -1.5, rand(3, 4, low=0.1, high=5)),
    ("rpow", lambda t: 2.0 ** t, lambda a: 2.0 ** a, rand(3, 4)),
    ("rsub_rdiv", lambda t: (1.0 - t) / (t + 4.0) * 3.0, lambda a: (1 - a) / (a + 4) * 3,
     rand(3, 4)),
    ("functions", lambda t: tn.sqrt(tn.exp(tn.abs(t))), lambda a: np.sqrt(np.exp(np.abs(a))),
     away_from(rand(3, 4), [0])),
]


@pytest.mark.parametrize("name,tn_fn,np_fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, tn_fn, np_fn, x):
    check_op(tn_fn, np_fn, x)


def test_kinks_follow_pytorch():
    x = tn.tensor([0.0, -1.0, 2.0, 5.0], dtype=tn.float64, requires_grad=True)
    (x.abs() + x.clamp(-1.0, 2.0)).sum().backward()
    # |x|' = sign(x) (0 at 0); clamp passes the gradient on its bounds, not outside
    np.testing.assert_array_equal(x.grad.array, [0 + 1, -1 + 1, 1 + 1, 1 + 0])


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="min and max"):
        tn.ones(2).clamp()


def test_pow_at_zero_follows_pytorch():
    x = tn.tensor([0.0, 2.0], dtype=tn.float64, requires_grad=True)
    p = tn.tensor([2.0, 3.0], dtype=tn.float64, requires_grad=True)
    (x ** p).sum().backward()
    np.testing.assert_array_equal(p.grad.array, [0.0, 8 * np.log(2)])  # 0·ln 0 := 0
    y = tn.tensor([0.0, 3.0], dtype=tn.float64, requires_grad=True)
    (y ** 0).sum().backward()
    np.testing.assert_array_equal(y.grad.array, [0.0, 0.0])  # d(x⁰)/dx = 0, not 0·inf


# ---- binary ops with broadcasting, shapes from hypothesis ---------------------------------
# name: (tinynet, numpy, range of x, range of z)
BINARY = {
    "add": (lambda a, b: a + b, np.add, (-3, 3), (-3, 3)),
    "sub": (lambda a, b: a - b, np.subtract, (-3, 3), (-3, 3)),
    "mul": (lambda a, b: a * b, np.multiply, (-3, 3), (-3, 3)),
    "div": (lambda a, b: a / b, np.divide, (-3, 3), (0.5, 3)),  # z gets a random sign
    "pow": (lambda a, b: a ** b, np.power, (0.2, 3), (-2, 2)),  # x > 0: x^z is real
}


@pytest.mark.parametrize("op", list(BINARY))
@settings(max_examples=15)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 32 - 1))
def test_binary_op_broadcasting(op, shapes, seed):
    tn_fn, np_fn, x_range, z_range = BINARY[op]
    rng = np.random.default_rng(seed)
    (x_shape, z_shape), out_shape = shapes
    x, z = rng.uniform(*x_range, x_shape), rng.uniform(*z_range, z_shape)
    if op == "div":
        z *= rng.choice([-1, 1], z_shape)
    y = tn_fn(tn.tensor(x), tn.tensor(z))
    assert y.shape == out_shape
    np.testing.assert_allclose(y.array, np_fn(x, z), rtol=1e-12)
    xt, zt = tn.tensor(x, requires_grad=True), tn.tensor(z, requires_grad=True)
    assert tn.gradcheck(tn_fn, (xt, zt))


@settings(max_examples=25)
@given(shapes=mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2,
                                            max_side=3),
       seed=st.integers(0, 2 ** 32 - 1))
def test_matmul_broadcasting(shapes, seed):
    # numpy's matmul signature (m?,n),(n,p?)->(m?,p?): 1-D operands and batch broadcasting
    rng = np.random.default_rng(seed)
    (x_shape, z_shape), out_shape = shapes
    x, z = rng.standard_normal(x_shape), rng.standard_normal(z_shape)
    y = tn.tensor(x) @ tn.tensor(z)
    assert y.shape == out_shape
    np.testing.assert_allclose(y.array, x @ z, rtol=1e-12, atol=1e-14)
    assert tn.gradcheck(lambda a, b: a @ b, (tn.tensor(x, requires_grad=True),
                                             tn.tensor(z, requires_grad=True)))


@pytest.mark.parametrize("shapes", [((4,), (4,)), ((4,), (4, 3)), ((2, 4), (4,)),
                                    ((3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((4,), (2, 4, 3))], ids=str)
def test_matmul_shapes(shapes):
    check_op(lambda a, b: tn.matmul(a, b), np.matmul, rand(*shapes[0], seed=1),
             rand(*shapes[1], seed=2))


def test_only_one_operand_requires_grad():
    x, z = tn.tensor(rand(3, 4), requires_grad=True), tn.tensor(rand(4, seed=1))
    for y in (x * z, x / (z + 10), z ** 2 * x, x @ z, z - x):
        assert y.requires_grad
    assert tn.gradcheck(lambda a: (a * z) / (z + 10) - (a @ z).reshape(3, 1), (x,))


# ---- reductions ----------------------------------------------------------------------------
DIMS = [(None, False), (0, False), (1, True), (-1, False), ((0, 2), False), ((1, -1), True),
        ((0, 1, 2), True)]


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("dim,keepdim", DIMS, ids=str)
def test_sum_and_mean(op, dim, keepdim):
    def tn_fn(t):
        return getattr(t, op)() if dim is None else getattr(tn, op)(t, dim, keepdim)

    check_op(tn_fn, lambda a: getattr(np, op)(a, axis=dim, keepdims=keepdim), rand(2, 3, 4))


def test_full_max():
    x = rand(3, 4)
    check_op(lambda t: t.max(), np.max, x)
    assert tn.tensor(x).max().shape == ()


def test_full_max_splits_the_gradient_among_ties():
    x = tn.tensor([[1.0, 3.0], [3.0, 0.0]], dtype=tn.float64, requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.array, [[0, 0.5], [0.5, 0]])


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False), (2, True)], ids=str)
def test_max_with_dim_returns_values_and_indices(dim, keepdim):
    x = rand(2, 3, 4)
    result = tn.tensor(x).max(dim, keepdim)
    values, indices = result  # a named tuple, as in PyTorch
    assert result.values is values and result.indices is indices
    np.testing.assert_array_equal(values.array, np.max(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.array, np.argmax(x, axis=dim, keepdims=keepdim))
    assert indices.dtype == tn.int64 and not indices.requires_grad
    assert tn.gradcheck(lambda t: t.max(dim, keepdim).values,
                        (tn.tensor(x, requires_grad=True),))


def test_max_with_dim_sends_the_gradient_to_the_first_tie():
    x = tn.tensor([[2.0, 5.0, 5.0], [7.0, 7.0, 1.0]], dtype=tn.float64, requires_grad=True)
    values, indices = tn.max(x, dim=1)
    np.testing.assert_array_equal(indices.array, [1, 0])
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0, 1, 0], [1, 0, 0]])


def test_argmax():
    x = rand(3, 4, 5)
    t = tn.tensor(x)
    assert t.argmax().item() == np.argmax(x)
    np.testing.assert_array_equal(tn.argmax(t, 1).array, np.argmax(x, axis=1))
    assert t.argmax(-1, keepdim=True).shape == (3, 4, 1)


def test_mean_of_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="floating-point"):
        tn.tensor([1, 2]).mean()


# ---- movement ------------------------------------------------------------------------------
MOVEMENT = [
    ("reshape", lambda t: t.reshape(4, 6), lambda a: a.reshape(4, 6)),
    ("reshape_tuple", lambda t: t.reshape((6, -1)), lambda a: a.reshape(6, -1)),
    ("view", lambda t: t.view(-1), lambda a: a.reshape(-1)),
    ("flatten", lambda t: t.flatten(1), lambda a: a.reshape(2, 12)),
    ("unsqueeze_squeeze", lambda t: t.unsqueeze(1).squeeze(1) * t.unsqueeze(0)[0],
     lambda a: a * a),
    ("transpose", lambda t: t.transpose(0, 2), lambda a: a.transpose(2, 1, 0)),
    ("permute", lambda t: t.permute(1, 2, 0), lambda a: a.transpose(1, 2, 0)),
    ("T", lambda t: t.T, lambda a: a.T),
    ("slices", lambda t: t[1:, ::2, -1], lambda a: a[1:, ::2, -1]),
    ("negative_step", lambda t: t[:, ::-1], lambda a: a[:, ::-1]),
    ("int_array_repeats", lambda t: t[np.array([0, 1, 0, 0])],
     lambda a: a[np.array([0, 1, 0, 0])]),
    ("tensor_index", lambda t: t[:, tn.tensor([2, 2, 0])], lambda a: a[:, [2, 2, 0]]),
    ("same_element_twice", lambda t: t[np.array([1, 1]), np.array([2, 2]), 0],
     lambda a: a[[1, 1], [2, 2], 0]),
    ("ellipsis", lambda t: t[..., 1], lambda a: a[..., 1]),
    ("bool_mask", lambda t: t[t.detach() > 0], lambda a: a[a > 0]),
    ("clone", lambda t: t.clone(), lambda a: a.copy()),
]


@pytest.mark.parametrize("name,tn_fn,np_fn", MOVEMENT, ids=[m[0] for m in MOVEMENT])
def test_movement(name, tn_fn, np_fn):
    check_op(tn_fn, np_fn, rand(2, 3, 4))


def test_repeated_index_gradients_add_up():
    x = tn.tensor([1.0, 2.0, 3.0], dtype=tn.float64, requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 0.0, 1.0])


def test_reshape_keeps_the_graph_and_shares_no_gradient_memory():
    x = tn.tensor(rand(2, 3), requires_grad=True)
    x.view(6).sum().backward()
    assert x.grad.shape == (2, 3) and x.grad.array.flags.writeable
    with tn.no_grad():
        x.grad += 1  # the adopted gradient must be writable, not a broadcast view
    np.testing.assert_array_equal(x.grad.array, np.full((2, 3), 2.0))


# ---- casts -------------------------------------------------------------------------------
def test_cast_between_float_types():
    x = tn.tensor([1.5, -2.25], dtype=tn.float32, requires_grad=True)
    y = x.double() * 3
    assert y.dtype == tn.float64
    y.sum().backward()
    assert x.grad.dtype == tn.float32
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    z = tn.tensor([1.5], dtype=tn.float64, requires_grad=True)
    assert z.float().dtype == tn.float32 and z.to(tn.float32).dtype == tn.float32
    assert tn.gradcheck(lambda t: t.to(tn.float64) * t, (z,))


def test_cast_to_integers_and_bool_like_numpy():
    x = np.array([1.7, -2.2, 0.0])
    np.testing.assert_array_equal(tn.tensor(x).long().array, x.astype(np.int64))
    assert tn.tensor(x).long().dtype == tn.int64 and tn.tensor(x).int().dtype == tn.int32
    np.testing.assert_array_equal(tn.tensor(x).bool().array, [True, True, False])


def test_comparisons_return_boolean_tensors_without_grad():
    x = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(x > 2, [0, 0, 1]), (x >= 2, [0, 1, 1]), (x < 2, [1, 0, 0]),
                             (x <= 2, [1, 1, 0]), (x == 2, [0, 1, 0]), (x != 2, [1, 0, 1])]:
        assert result.dtype == tn.bool and not result.requires_grad
        np.testing.assert_array_equal(result.array, np.array(expected, dtype=bool))


# ---- gradcheck itself --------------------------------------------------------------------
class WrongSquare(Function):
    """x², with a backward that is right everywhere except at element (1, 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        gx = 2 * x * grad
        gx[1, 2] += 0.5
        return gx


def test_gradcheck_fails_on_a_wrong_backward_and_names_the_element():
    x = tn.tensor(rand(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at index \(1, 2\)"):
        tn.gradcheck(WrongSquare.apply, (x,))
    assert tn.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False
    assert tn.gradcheck(lambda t: t * t, (x,)) is True


class _Jittery(ops.Square):
    """x², whose backward adds a different 1e-9 each call: within gradcheck's tolerances,
    but not reentrant."""
    draws = np.random.default_rng(0)

    @staticmethod
    def backward(ctx, grad):
        return ops.Square.backward(ctx, grad) + _Jittery.draws.normal(0.0, 1e-9, grad.shape)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_fails_a_backward_that_is_not_reentrant_as_pytorchs(fast_mode):
    x = tn.tensor(rand(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError, match="gradcheck: backward is not reentrant: two "
                                             "passes on the same input and gradient differ"):
        tn.gradcheck(_Jittery.apply, (x,), fast_mode=fast_mode)
    assert tn.gradcheck(_Jittery.apply, (x,), fast_mode=fast_mode, raise_exception=False) \
        is False
    assert tn.gradcheck(_Jittery.apply, (x,), fast_mode=fast_mode, nondet_tol=1e-6) is True
    zero = tn.tensor([0.0], dtype=tn.float64, requires_grad=True)  # sqrt′(0) = inf, twice:
    with pytest.raises(GradcheckError, match="gradient mismatch"), \
            np.errstate(divide="ignore", invalid="ignore"):  # reentrant, just not finite
        tn.gradcheck(tn.sqrt, (zero,), fast_mode=fast_mode)


def test_gradcheck_checks_every_output_and_leaves_grad_alone():
    x = tn.tensor(rand(3, 4), requires_grad=True)
    x.grad = tn.ones(3, 4, dtype=tn.float64)  # a user's accumulated gradient: kept
    assert tn.gradcheck(lambda t: (t.sin(), t * t, t.argmax()), (x,)) is True
    with pytest.raises(GradcheckError, match=r"input 0 at index \(1, 2\)"):
        tn.gradcheck(lambda t: (t.sin(), WrongSquare.apply(t)), [x])
    np.testing.assert_array_equal(x.grad.array, np.ones((3, 4)))
    # an output cut from the graph: its analytic gradient is 0, the finite differences' not
    with pytest.raises(GradcheckError, match="analytic 0, numerical"):
        tn.gradcheck(lambda t: t.detach() * 2, (x,))


@pytest.mark.parametrize("kwargs, fn, error, message", [
    ({"eps": -1e-6}, None, ValueError, "gradcheck: eps must be a finite number > 0, got -1e-06"),
    ({"atol": float("nan")}, None, ValueError, "gradcheck: atol must be a finite number >= 0"),
    ({}, lambda t: 3.0, TypeError,
     "gradcheck: fn must return a Tensor or a tuple of Tensors, got float"),
    ({}, lambda t: (t, None), TypeError,
     "gradcheck: fn must return a Tensor or a tuple of Tensors, got Tensor, NoneType"),
])
def test_gradcheck_refuses_bad_arguments(kwargs, fn, error, message):
    x = tn.tensor(rand(2), requires_grad=True)
    with pytest.raises(error, match=message):
        tn.gradcheck(fn or (lambda t: t * t), (x,), **kwargs)


def test_gradcheck_names_the_right_input():
    x, z = tn.tensor(rand(2, 2), requires_grad=True), tn.tensor(rand(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 1 at index \(1, 2\)"):
        tn.gradcheck(lambda a, b: a.sum() + WrongSquare.apply(b), (x, z))


class NaNSquare(WrongSquare):
    """x², with a backward that gives NaN at element (2, 1) only."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        gx = 2 * x * grad
        gx[2, 1] = np.nan
        return gx


def test_gradcheck_fails_on_a_nan_gradient_anywhere():
    # a NaN compares False with everything: it must still count as the worst element
    x = tn.tensor(rand(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at index \(2, 1\), output element "
                                             r"\d+ \(the outputs flattened and joined\): "
                                             r"analytic nan"):
        tn.gradcheck(NaNSquare.apply, (x,))
    with pytest.raises(GradcheckError, match=r"input 0 at index \(2, 1\): analytic nan"):
        tn.gradcheck(NaNSquare.apply, (x,), fast_mode=True)


def test_gradcheck_perturbs_a_non_contiguous_input_in_place():
    x = tn.tensor(rand(3, 4)).T.requires_grad_()  # a transposed leaf: strides not C's
    assert not x.array.flags.c_contiguous
    assert tn.gradcheck(lambda t: t.exp() * t, (x,))
    with pytest.raises(GradcheckError):
        tn.gradcheck(NaNSquare.apply, (x,))


def test_gradcheck_checks_every_jacobian_entry_unless_fast_mode():
    # one wrong entry among 400 outputs: the projection of fast mode sums it away
    class Repeat(tn.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return np.repeat(a, 400)

        @staticmethod
        def backward(ctx, g):
            return (g.sum() + 0.02 * g[0]).reshape(1)  # d y_0/da is 1.02, not 1

    x = tn.tensor([0.5], dtype=tn.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at index \(0,\), output element 0 "
                                             r".*analytic 1.02, numerical 1"):
        tn.gradcheck(Repeat.apply, (x,))
    assert tn.gradcheck(Repeat.apply, (x,), fast_mode=True)  # (what fast mode trades)


def test_gradcheck_of_an_empty_input_passes():
    x = tn.tensor(np.zeros((0, 3)), requires_grad=True)
    assert tn.gradcheck(lambda t: t * t, (x,)) is True


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        tn.gradcheck(lambda t: t * t, (tn.ones(2, requires_grad=True),))


# ---- fused ops: linear and layer norm ------------------------------------------------------
@pytest.mark.parametrize("x_shape", [(5, 4), (4,), (2, 3, 4)], ids=str)
def test_linear(x_shape):
    x, W, b = rand(*x_shape), rand(3, 4, seed=1), rand(3, seed=2)
    check_op(tn.nn.functional.linear, lambda a, w, c: a @ w.T + c, x, W, b)
    check_op(tn.nn.functional.linear, lambda a, w: a @ w.T, x, W)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4)], ids=str)
def test_layer_norm_with_a_constant_row(shape):
    x = rand(*shape)
    x[0] = 0.7  # variance 0: x̂ = 0, y = b, and the gradient stays finite
    norm_shape, eps = shape[1:], 1e-5
    w, b = rand(*norm_shape, seed=1), rand(*norm_shape, seed=2)
    axes = tuple(range(1, len(shape)))

    def reference(a, ww, bb):
        mu = a.mean(axis=axes, keepdims=True)
        var = ((a - mu) ** 2).mean(axis=axes, keepdims=True)  # biased, as PyTorch
        return (a - mu) / np.sqrt(var + eps) * ww + bb

    check_op(lambda a, ww, bb: tn.nn.functional.layer_norm(a, norm_shape, ww, bb, eps),
             reference, x, w, b)
    np.testing.assert_allclose(
        tn.nn.functional.layer_norm(tn.tensor(x), norm_shape, tn.tensor(w), tn.tensor(b)).array[0],
        b, rtol=1e-12)


# ---- float32 stays float32 -----------------------------------------------------------------
class DtypeProbe(Function):
    """Identity that records the dtype of the gradient flowing back into it."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        DtypeProbe.seen.append(grad.dtype)
        return grad


F32_OPS = {
    "max": lambda t: t.max(), "max_dim": lambda t: t.max(1).values, "mean": lambda t: t.mean(0),
    "sum": lambda t: t.sum(), "pow": lambda t: t ** 2, "rpow": lambda t: 2 ** t,
    "abs": lambda t: t.abs(), "clamp": lambda t: t.clamp(-1, 1), "exp": lambda t: t.exp(),
    "log_sqrt": lambda t: (t * t + 1).log() + (t * t + 1).sqrt(), "div": lambda t: 3 / (t + 9),
    "matmul": lambda t: t @ tn.ones(3, 2), "getitem": lambda t: t[[0, 0]],
    "movement": lambda t: t.T.reshape(12), "softmax": lambda t: t.softmax(1),
    "log_softmax": lambda t: t.log_softmax(1),
    # the fused hot path: a float64 constant inside any of these would promote everything
    "linear": lambda t: tn.nn.functional.linear(t, tn.ones(2, 3), tn.zeros(2)),
    "layer_norm": lambda t: tn.nn.functional.layer_norm(t, 3, tn.ones(3), tn.zeros(3)),
    "layer_norm_plain": lambda t: tn.nn.functional.layer_norm(t, (4, 3)),
    "gelu": lambda t: tn.nn.functional.gelu(t),
    "gelu_tanh": lambda t: tn.nn.functional.gelu(t, approximate="tanh"),
    "elu": lambda t: tn.nn.functional.elu(t, 0.5), "relu": lambda t: t.relu(),
    "leaky_relu": lambda t: tn.nn.functional.leaky_relu(t, 0.2),
    "sigmoid": lambda t: t.sigmoid(), "tanh": lambda t: t.tanh(),
    "cross_entropy": lambda t: tn.nn.functional.cross_entropy(t, tn.tensor([0, 1, 2, 0]),
                                                              label_smoothing=0.1),
    "bce": lambda t: tn.nn.functional.binary_cross_entropy_with_logits(t, tn.ones(4, 3)),
}


@pytest.mark.parametrize("name", list(F32_OPS))
def test_float32_gradients_stay_float32(name):
    # a float64 gradient would be cast back at the leaf, silently doubling the work
    x = tn.tensor(rand(4, 3), dtype=tn.float32, requires_grad=True)
    DtypeProbe.seen = []
    y = F32_OPS[name](DtypeProbe.apply(x))
    assert y.dtype == tn.float32
    y.backward(tn.ones(y.shape))
    assert DtypeProbe.seen == [np.float32]


@pytest.mark.parametrize("call, name", [
    (lambda: tn.ones(2, 3) + tn.ones(4), "add"), (lambda: tn.ones(2, 3) * tn.ones(2), "mul"),
    (lambda: tn.maximum(tn.ones(2, 3), tn.ones(4)), "maximum")])
def test_operands_that_do_not_broadcast_are_named_with_their_shapes(call, name):
    with pytest.raises(ValueError, match=rf"^{name}: the operands' shapes \(2, 3\) and "
                                         r"\(\d,\) do not broadcast together \(compared from "
                                         r"the last dimension"):
        call()
