"""tinynet equals PyTorch: forward values and input gradients, op by op, in float64.

Every case feeds the same random numbers to both libraries, back-propagates the same
random upstream gradient v (so each output element matters), and compares to ~1e-12
relative. Skipped when torch is not installed.
"""
import numpy as np
import pytest

import tinynet as tn
import tinynet.nn.functional as F
from op_checks import rand

torch = pytest.importorskip("torch")
TF = torch.nn.functional
# The tensors here are tiny: torch's thread pool only adds contention on a busy 2-core box.
torch.set_num_threads(1)

RTOL, ATOL = 1e-12, 1e-13


def assert_same(ours, theirs, rtol=RTOL, atol=ATOL):
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def check(tn_fn, torch_fn, *arrays, rtol=RTOL, atol=ATOL):
    """Run both libraries on ``arrays`` (float arrays require grad; others are passed
    as they are) and compare outputs and every input gradient."""
    ours = [tn.tensor(a, requires_grad=True) if _is_float(a) else a for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) if _is_float(a) else a for a in arrays]
    y, y_ref = tn_fn(*ours), torch_fn(*theirs)
    assert_same(y.array, y_ref.detach().numpy(), rtol, atol)
    v = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        if isinstance(a, tn.Tensor):
            assert a.grad is not None and b.grad is not None
            assert_same(a.grad.array, b.grad.numpy(), rtol, atol)


def _is_float(a):
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


# ---- arithmetic and matmul ---------------------------------------------------------------
BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 1), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)),
                   ((5,), (2, 1, 5))]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_binary_ops_with_broadcasting(op, shapes):
    x, z = rand(*shapes[0], seed=1), rand(*shapes[1], seed=2, low=0.5, high=2.0)
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    check(fn, fn, x, z)


@pytest.mark.parametrize("scalar", [2.5, -1.0])
def test_ops_with_python_scalars(scalar):
    x = rand(3, 4)
    fn = lambda a: (scalar - a) * scalar / (a + 4.0) + scalar / (a + 4.0)  # noqa: E731
    check(fn, fn, x)


def test_neg():
    check(lambda a: -a, lambda a: -a, rand(2, 3))


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.5, 1])
def test_pow_scalar_exponent(p):
    check(lambda a: a ** p, lambda a: a ** p, rand(3, 4, low=0.2, high=3.0))


def test_pow_tensor_exponent_and_scalar_base():
    x, p = rand(3, 4, low=0.2, high=3.0), rand(4, seed=3, low=-2.0, high=2.0)
    check(lambda a, b: a ** b, lambda a, b: a ** b, x, p)
    check(lambda b: 2.0 ** b, lambda b: 2.0 ** b, p)


def test_pow_at_zero_base_matches_torch():
    # d(x^p)/dp = x^p ln x is 0·(-inf) at x = 0: PyTorch defines it as 0 (for p >= 0).
    x, p = np.array([0.0, 1.0, 2.0]), np.array([2.0, 0.5, 3.0])
    check(lambda a, b: a ** b, lambda a, b: a ** b, x, p)


def test_pow_zero_exponent_at_zero_base_matches_torch():
    # d(x^0)/dx = 0·x^(-1) is 0·inf at x = 0: PyTorch says 0.
    check(lambda a: a ** 0, lambda a: a ** 0, np.array([0.0, 1.5, -2.0]))


@pytest.mark.parametrize("shapes", [((4,), (4,)), ((4,), (4, 3)), ((2, 4), (4,)),
                                    ((3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((4,), (2, 4, 3)), ((2, 3, 4), (4,))], ids=str)
def test_matmul(shapes):
    check(lambda a, b: a @ b, lambda a, b: a @ b, rand(*shapes[0], seed=1),
          rand(*shapes[1], seed=2))


# ---- elementwise math --------------------------------------------------------------------
@pytest.mark.parametrize("name,low,high", [("exp", -5, 5), ("log", 0.1, 5), ("sqrt", 0.1, 5),
                                           ("abs", -5, 5)])
def test_unary(name, low, high):
    x = rand(3, 4, low=low, high=high)
    if name == "abs":
        x[0, 0] = 0.0  # sign(0) = 0 in both
    check(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)


@pytest.mark.parametrize("lo,hi", [(-1.0, 1.0), (None, 0.5), (-0.5, None)])
def test_clamp_including_values_on_the_bounds(lo, hi):
    x = rand(4, 5)
    x[0, :2] = [-1.0, 1.0]  # exactly on a bound: the gradient passes (both libraries)
    x[1, :2] = [0.5, -0.5]
    check(lambda a: a.clamp(lo, hi), lambda a: a.clamp(lo, hi), x)


def test_cast_float32_to_float64_and_back():
    x = rand(3, 4).astype(np.float32)
    check(lambda a: a.double() * 3, lambda a: a.double() * 3, x, rtol=1e-6)
    check(lambda a: a.float() * 3, lambda a: a.float() * 3, rand(3, 4), rtol=1e-6)


# ---- reductions --------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (-1, True), ((0, 2), False),
                                         ((1, -1), True)])
def test_sum_mean(op, dim, keepdim):
    x = rand(2, 3, 4)
    if dim is None:
        check(lambda a: getattr(a, op)(), lambda a: getattr(a, op)(), x)
    else:
        check(lambda a: getattr(a, op)(dim, keepdim), lambda a: getattr(a, op)(dim, keepdim), x)


def test_full_max_with_ties_splits_the_gradient_like_torch():
    x = np.array([[1.0, 3.0], [3.0, -2.0], [3.0, 0.0]])
    check(lambda a: a.max(), lambda a: a.max(), x)


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_max_with_dim_values_indices_and_ties(dim, keepdim):
    x = np.round(rand(4, 5, 3), 0)  # integers in [-3, 3]: many ties
    ours = tn.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    values, indices = ours.max(dim, keepdim)
    ref = theirs.max(dim, keepdim)
    assert_same(values.array, ref.values.detach().numpy())
    np.testing.assert_array_equal(indices.array, ref.indices.numpy())
    np.testing.assert_array_equal(ours.argmax(dim, keepdim).array,
                                  theirs.argmax(dim, keepdim).numpy())
    v = rand(*values.shape, seed=4)
    values.backward(tn.tensor(v))
    ref.values.backward(torch.tensor(v))
    assert_same(ours.grad.array, theirs.grad.numpy())


def test_argmax_flat():
    x = np.round(rand(4, 5), 0)
    assert tn.tensor(x).argmax().item() == torch.tensor(x).argmax().item()


# ---- movement ----------------------------------------------------------------------------
def test_reshape_view_transpose_permute_T():
    x = rand(2, 3, 4)
    check(lambda a: a.reshape(4, 6), lambda a: a.reshape(4, 6), x)
    check(lambda a: a.view(-1, 2), lambda a: a.view(-1, 2), x)
    check(lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2), x)
    check(lambda a: a.permute(1, 2, 0), lambda a: a.permute(1, 2, 0), x)
    check(lambda a: a.T, lambda a: a.T, rand(3, 5))


@pytest.mark.parametrize("make, shape", [
    (lambda m: m.arange(6.0).reshape(2, 3).t(), (6,)),
    (lambda m: m.arange(6.0).reshape(2, 3).t(), (3, 1, 2)),
    (lambda m: m.arange(6.0).reshape(2, 3)[:, :2], (4,)),
    (lambda m: m.arange(6.0).reshape(2, 3)[:, :2], (2, 1, 2)),
    (lambda m: m.arange(24.0).reshape(2, 3, 4).permute(1, 0, 2), (3, 8)),
    (lambda m: m.arange(24.0).reshape(2, 3, 4).permute(1, 0, 2), (6, 4)),
])
def test_view_refuses_what_pytorchs_refuses_and_shares_memory_otherwise(make, shape):
    try:
        expected = make(torch).view(shape)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="cannot be viewed as shape .* without a copy"):
            make(tn).view(shape)
        return
    x = make(tn)
    y = x.view(shape)
    np.testing.assert_array_equal(y.array, expected.numpy())
    y.fill_(-1.0)  # a view: the change reaches the tensor viewed
    assert (x.array == -1).all()


@pytest.mark.parametrize("index", [
    (slice(1, None), slice(None, None, 2)),
    (np.array([0, 2, 0, 0]),),             # repeated rows: gradients add up
    (np.array([1, 1]), np.array([3, 3])),  # the same element twice
    (Ellipsis, 1),
    (slice(None), np.array([4, 0, 4])),
    (-1,),
], ids=str)
def test_getitem(index):
    check(lambda a: a[index], lambda a: a[tuple(torch.as_tensor(i) if isinstance(i, np.ndarray)
                                                   else i for i in index)], rand(3, 5))


def test_getitem_with_boolean_mask():
    x = rand(3, 5)
    mask = x > 0
    check(lambda a: a[mask], lambda a: a[torch.as_tensor(mask)], x)


# ---- activations -------------------------------------------------------------------------
WIDE = np.concatenate([np.linspace(-20, 20, 81), [0.0, -1e-3, 1e-3, -40.0, 40.0]])


@pytest.mark.parametrize("name,ours,theirs", [
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("relu", F.relu, TF.relu),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.1), lambda a: TF.leaky_relu(a, 0.1)),
    ("elu", F.elu, TF.elu),
    ("elu_alpha", lambda a: F.elu(a, 0.5), lambda a: TF.elu(a, 0.5)),
    ("elu_alpha2", lambda a: F.elu(a, 2.0), lambda a: TF.elu(a, 2.0)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda a: F.gelu(a, "tanh"), lambda a: TF.gelu(a, approximate="tanh")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_activations_over_a_wide_range(name, ours, theirs):
    # includes x = 0 exactly: the derivative conventions there must agree too
    check(ours, theirs, WIDE.copy())


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax(dim):
    x = rand(3, 4, 5, low=-10, high=10)
    check(lambda a: F.softmax(a, dim), lambda a: TF.softmax(a, dim), x)
    check(lambda a: F.log_softmax(a, dim), lambda a: TF.log_softmax(a, dim), x)
    check(lambda a: a.softmax(dim), lambda a: a.softmax(dim), x)


# ---- layer norm and linear ---------------------------------------------------------------
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4)], ids=str)
def test_layer_norm_with_a_constant_row(affine, shape):
    x = rand(*shape)
    x[0] = 0.7  # constant row: variance 0, output b, finite gradient
    norm_shape = shape[1:]
    w, b = rand(*norm_shape, seed=5), rand(*norm_shape, seed=6)
    if affine:
        check(lambda a, ww, bb: F.layer_norm(a, norm_shape, ww, bb),
              lambda a, ww, bb: TF.layer_norm(a, norm_shape, ww, bb), x, w, b, atol=1e-11)
    else:
        check(lambda a: F.layer_norm(a, norm_shape), lambda a: TF.layer_norm(a, norm_shape),
              x, atol=1e-11)


@pytest.mark.parametrize("x_shape", [(5, 4), (4,), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(x_shape, bias):
    x, W, b = rand(*x_shape), rand(3, 4, seed=7), rand(3, seed=8)
    if bias:
        check(F.linear, TF.linear, x, W, b)
    else:
        check(lambda a, ww: F.linear(a, ww), lambda a, ww: TF.linear(a, ww), x, W)


# ---- losses ------------------------------------------------------------------------------
N, C = 6, 4
TARGET = np.array([0, 3, 1, 1, 2, 1])
WEIGHT = np.array([0.3, 1.7, 0.9, 2.2])


def ce_case(target, weight, ignore_index, reduction, label_smoothing, logits=None):
    logits = rand(N, C, low=-4, high=4) if logits is None else logits
    kw = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)
    check(lambda a: F.cross_entropy(a, tn.tensor(target), None if weight is None
                                    else tn.tensor(weight), **kw),
          lambda a: TF.cross_entropy(a, torch.tensor(target), None if weight is None
                                     else torch.tensor(weight), **kw),
          logits)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1], ids=["no-ignored", "ignore-1"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_cross_entropy_class_indices(reduction, weighted, ignore_index, label_smoothing):
    ce_case(TARGET, WEIGHT if weighted else None, ignore_index, reduction, label_smoothing)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_cross_entropy_with_ignore_index_rows_marked_minus_100(reduction, label_smoothing):
    target = np.array([0, -100, 1, -100, 2, 3])
    ce_case(target, None, -100, reduction, label_smoothing)
    ce_case(target, WEIGHT, -100, reduction, label_smoothing)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_cross_entropy_probability_targets(reduction, weighted, label_smoothing):
    q = np.random.default_rng(9).dirichlet(np.ones(C), size=N)
    ce_case(q, WEIGHT if weighted else None, -100, reduction, label_smoothing)


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_unbatched(reduction, label_smoothing):
    x = rand(C, low=-4, high=4)
    kw = dict(reduction=reduction, label_smoothing=label_smoothing)
    check(lambda a: F.cross_entropy(a, tn.tensor(2), **kw),
          lambda a: TF.cross_entropy(a, torch.tensor(2), **kw), x)
    q = np.array([0.1, 0.2, 0.3, 0.4])
    check(lambda a: F.cross_entropy(a, tn.tensor(q), **kw),
          lambda a: TF.cross_entropy(a, torch.tensor(q), **kw), x)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_with_huge_logits(label_smoothing):
    logits = rand(N, C, low=-1e4, high=1e4)
    ce_case(TARGET, WEIGHT, -100, "mean", label_smoothing, logits=logits)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 3])
def test_nll_loss(reduction, weighted, ignore_index):
    logp = np.log(np.random.default_rng(10).dirichlet(np.ones(C), size=N))
    w = WEIGHT if weighted else None
    kw = dict(ignore_index=ignore_index, reduction=reduction)
    check(lambda a: F.nll_loss(a, tn.tensor(TARGET), None if w is None else tn.tensor(w), **kw),
          lambda a: TF.nll_loss(a, torch.tensor(TARGET), None if w is None else torch.tensor(w),
                                **kw),
          logp)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_including_target_gradient(reduction, weighted, pos_weighted):
    x = rand(5, 3, low=-30, high=30)
    x[0] = [-1e4, 0.0, 1e4]
    y = np.random.default_rng(11).uniform(0, 1, size=(5, 3))
    w = rand(3, seed=12, low=0.1, high=2.0) if weighted else None
    pw = rand(3, seed=13, low=0.1, high=3.0) if pos_weighted else None

    def ours(a, b):
        return F.binary_cross_entropy_with_logits(
            a, b, None if w is None else tn.tensor(w), reduction,
            None if pw is None else tn.tensor(pw))

    def theirs(a, b):
        return TF.binary_cross_entropy_with_logits(
            a, b, None if w is None else torch.tensor(w), reduction=reduction,
            pos_weight=None if pw is None else torch.tensor(pw))

    check(ours, theirs, x, y, atol=1e-11)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_mse_loss(reduction):
    check(lambda a, b: F.mse_loss(a, b, reduction), lambda a, b: TF.mse_loss(a, b,
                                                                          reduction=reduction),
          rand(4, 3), rand(4, 3, seed=14))


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_elu_gradient_is_relatively_exact_in_the_negative_tail(alpha):
    # αeˣ is tiny there: compared relative only, no absolute slack
    x = np.linspace(-40, -1, 79)
    check(lambda a: F.elu(a, alpha), lambda a: TF.elu(a, alpha), x, rtol=1e-13, atol=0)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_with_every_row_ignored(label_smoothing):
    # 'mean' is 0/0: NaN in both libraries; 'sum' is 0 with a zero gradient
    t = np.full(N, -100)
    for reduction, weight in [("mean", None), ("mean", WEIGHT), ("sum", WEIGHT)]:
        kw = dict(reduction=reduction, label_smoothing=label_smoothing)
        ours = F.cross_entropy(tn.tensor(rand(N, C)), tn.tensor(t),
                               None if weight is None else tn.tensor(weight), **kw)
        theirs = TF.cross_entropy(torch.tensor(rand(N, C)), torch.tensor(t),
                                  None if weight is None else torch.tensor(weight), **kw)
        np.testing.assert_array_equal(ours.array, theirs.numpy())


CUTTING_OPS = {
    "relu": (lambda t, x: t.nn.functional.relu(x)),
    "clamp": (lambda t, x: x.clamp(min=-0.5, max=1.5)),
    "clamp_min": (lambda t, x: x.clamp_min(0.0)),
    "relu6": (lambda t, x: t.nn.functional.relu6(x)),
    "hardtanh": (lambda t, x: t.nn.functional.hardtanh(x)),
    "threshold": (lambda t, x: t.nn.functional.threshold(x, 0.5, -2.0)),
    "hardsigmoid": (lambda t, x: t.nn.functional.hardsigmoid(x * 4)),
    "hardswish": (lambda t, x: t.nn.functional.hardswish(x * 4)),
}


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("name", CUTTING_OPS)
def test_where_an_op_cuts_its_input_off_any_gradient_above_becomes_zero(name, fast):
    """PyTorch's backward selects there: an infinite or nan gradient coming in (below a
    sqrt or a log at 0) gives 0, where grad · f' would give nan."""
    x = np.array([-2.0, -1.0, -0.25, 0.0, 0.25, 1.0, 2.0, 7.0])
    upstream = np.array([np.inf, -np.inf, np.nan, 1.0, np.inf, -np.inf, 2.0, np.nan])
    grads = []
    with tn.fast_paths(fast):
        for lib in (tn, torch):
            xt = lib.tensor(x, requires_grad=True)
            CUTTING_OPS[name](lib, xt).backward(lib.tensor(upstream))
            grads.append(np.array(xt.grad.tolist()))
    # (PyTorch's hardsigmoid slope is 1/6 rounded to float32, in float64 too)
    np.testing.assert_allclose(*grads, rtol=1e-7, atol=0)
