"""The backward engine: graph shapes, accumulation, freeing, grad mode, dtypes, errors."""
import gc
import weakref

import numpy as np
import pytest

import tinynet as tn
from tinynet.autograd.engine import unbroadcast

from op_checks import NumberGradScale, SavedArraysDot


def leaf(values, dtype=tn.float64):
    return tn.tensor(values, dtype=dtype, requires_grad=True)


# ---- graph shapes ------------------------------------------------------------------------
def test_reused_node_accumulates():
    a = leaf([1.0, -2.0])
    b = a + a
    c = b + b  # c = 4a
    c.sum().backward()
    np.testing.assert_array_equal(a.grad.array, [4.0, 4.0])


def test_reused_node_through_mul():
    a = leaf([3.0])
    (a * a * a).backward()  # d(a³)/da = 3a² = 27
    np.testing.assert_array_equal(a.grad.array, [27.0])


def test_diamond():
    #      a
    #    /   \
    #  b=a²  c=3a
    #    \   /
    #    d=b·c = 3a³   ->  dd/da = 9a²
    a = leaf(2.0)
    b = a * a
    c = a * 3
    d = b * c
    d.backward()
    assert a.grad.item() == 36.0


def test_ten_thousand_deep_chain():
    a = leaf(1.0)
    y = a
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.backward()  # iterative: no RecursionError
    np.testing.assert_allclose(a.grad.item(), 1.0001 ** 10_000, rtol=1e-10)


def test_ops_run_after_every_consumer_newest_first():
    calls = []

    class Traced(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x, name):
            ctx.name = name
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            calls.append(ctx.name)
            return grad, None

    a = leaf(1.0)
    b = Traced.apply(a, "b")
    c = Traced.apply(b, "c")  # b feeds both c and d: b must wait for both
    d = Traced.apply(b * 2.0, "d")
    (Traced.apply(c + d, "e")).backward()
    assert calls == ["e", "d", "c", "b"]
    np.testing.assert_allclose(a.grad.item(), 3.0)


def test_gradient_only_reaches_tensors_that_require_it():
    a, b = leaf([1.0, 2.0]), tn.tensor([3.0, 4.0], dtype=tn.float64)
    (a * b).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [3.0, 4.0])
    assert b.grad is None and not b.requires_grad


# ---- accumulation and retain_graph ---------------------------------------------------------
def test_two_backward_calls_accumulate_until_zeroed():
    a = leaf([1.0, 2.0])
    (a * 3).sum().backward()
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [3 + 2, 3 + 4])
    a.grad = None
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [3.0, 3.0])
    with tn.no_grad():
        a.grad.zero_()
    np.testing.assert_array_equal(a.grad.array, [0.0, 0.0])


def test_backward_twice_through_a_freed_graph_raises():
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_backward_twice_with_retain_graph_accumulates():
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(a.grad.array, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()  # the second call did not retain it


def test_a_shared_subgraph_freed_by_another_backward_raises():
    a = leaf([1.0])
    b = a * 2
    b.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (b * 3).sum().backward()


def test_leaf_grad_is_not_aliased_between_leaves():
    # Add hands the same gradient array to both inputs; each leaf must own its .grad
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    with tn.no_grad():
        a.grad += 1
    np.testing.assert_array_equal(b.grad.array, [1.0, 1.0])


def test_retain_grad_on_a_non_leaf():
    a = leaf([1.0, 2.0])
    b = a * 3
    b.retain_grad()
    c = a * 5  # not retained
    (b * b + c).sum().backward()
    np.testing.assert_array_equal(b.grad.array, 2 * b.array)  # d(b²)/db
    assert c.grad is None
    np.testing.assert_array_equal(a.grad.array, 2 * b.array * 3 + 5)


# ---- freeing the graph by reference counting ---------------------------------------------
def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()  # if anything below needed the cycle collector, it would stay alive
    try:
        a = leaf(np.ones(3))
        b = a * 2
        c = b.exp()
        d = c.sum()
        ctx_ref = weakref.ref(d.grad_fn)
        inner_ctx_refs = [weakref.ref(b.grad_fn), weakref.ref(c.grad_fn)]
        del b, c
        assert all(r() is not None for r in inner_ctx_refs)  # still d's graph
        d.backward()
        assert all(r() is None for r in inner_ctx_refs)  # backward dropped them
        assert ctx_ref() is not None  # d still names its grad_fn, as in PyTorch
        del d
        assert ctx_ref() is None
        np.testing.assert_allclose(a.grad.array, 2 * np.exp(2))
    finally:
        gc.enable()


def test_graph_does_not_keep_an_intermediate_array_no_backward_saved():
    gc.disable()
    try:
        a = leaf(np.ones(3))
        b = a * 2  # Exp below saves its output, not b: nothing needs b's array
        array_ref = weakref.ref(b.array)
        c = b.exp()
        del b
        assert array_ref() is None  # PyTorch frees it too; c's graph keeps only nodes
        c.sum().backward()
        np.testing.assert_allclose(a.grad.array, 2 * np.exp(2))
    finally:
        gc.enable()


def test_graph_links_nodes_not_tensors():
    a = leaf([1.0, 2.0])
    b = a * 2
    c = b.exp()
    assert c.grad_fn.next_nodes[0] is b.grad_fn  # a non-leaf input: the op that made it
    assert b.grad_fn.next_nodes == (a, None)  # a leaf: the tensor; a constant: nothing


def test_unused_graph_is_freed_when_the_output_goes():
    gc.disable()
    try:
        a = leaf(np.ones(3))
        y = (a * 2).exp().sum()
        ctx_ref = weakref.ref(y.grad_fn)
        out_ref = weakref.ref(y)
        del y
        assert out_ref() is None and ctx_ref() is None
    finally:
        gc.enable()


def test_retained_graph_keeps_its_nodes():
    a = leaf(np.ones(3))
    b = a * 2
    ref = weakref.ref(b.grad_fn)
    y = b.sum()
    del b
    y.backward(retain_graph=True)
    assert ref() is not None and ref().next_nodes is not None
    y.backward()
    np.testing.assert_array_equal(a.grad.array, [4.0, 4.0, 4.0])


def test_retain_grad_holds_its_tensor_weakly():
    gc.disable()
    try:
        a = leaf([1.0, 2.0])
        b = a * 3
        b.retain_grad()
        b_ref = weakref.ref(b)
        y = (b * b).sum()
        del b
        assert b_ref() is None  # the graph does not keep a retained tensor alive
        y.backward()  # and backward skips it without error
        np.testing.assert_array_equal(a.grad.array, 2 * 9 * np.array([1.0, 2.0]))
    finally:
        gc.enable()


def test_retain_grad_on_a_leaf_is_a_no_op():
    a = leaf([1.0, 2.0])
    a.retain_grad()
    (a * 2).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [2.0, 2.0])


# ---- gradient argument -------------------------------------------------------------------
def test_non_scalar_backward_without_gradient_says_so():
    a = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="scalar outputs.*shape \\(2,\\)"):
        (a * 2).backward()


def test_backward_with_a_gradient():
    a = leaf([1.0, 2.0])
    (a * a).backward(tn.tensor([10.0, 100.0]))
    np.testing.assert_array_equal(a.grad.array, [20.0, 400.0])


def test_wrong_shaped_gradient_raises():
    a = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"backward: gradient must have the tensor's shape "
                                           r"\(2,\), got shape \(3,\)"):
        (a * 2).backward(tn.ones(3))


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tn.ones(2).sum().backward()


# ---- unbroadcast -------------------------------------------------------------------------
@pytest.mark.parametrize("shape,out_shape", [
    ((3, 1), (3, 4)), ((4,), (3, 4)), ((), (2, 3)), ((1, 1), (5, 2, 3)), ((2, 1, 3), (4, 2, 5, 3)),
    ((3, 4), (3, 4))])
def test_unbroadcast_sums_broadcast_axes(shape, out_shape):
    grad = np.random.default_rng(0).standard_normal(out_shape)
    x = np.zeros(shape)
    # the reference: d/dx of sum(grad * broadcast(x)) is the sum of grad over each x element
    expected = np.zeros(shape)
    view = np.broadcast_to(np.arange(x.size).reshape(shape), out_shape)
    np.add.at(expected.reshape(-1), view.reshape(-1), grad.reshape(-1))
    np.testing.assert_allclose(unbroadcast(grad, shape), expected, rtol=1e-12)


def test_broadcast_gradients_reach_the_input_shape():
    x, b = leaf(np.ones((3, 1))), leaf(np.arange(4.0))
    (x * b).sum().backward()
    assert x.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(x.grad.array, [[6.0]] * 3)
    np.testing.assert_array_equal(b.grad.array, [3.0] * 4)


# ---- dtypes ------------------------------------------------------------------------------
def test_grad_dtype_equals_the_leaf_dtype():
    a = leaf([1.0, 2.0], dtype=tn.float32)
    b = tn.tensor([3.0, 4.0], dtype=tn.float64)
    y = (a * b).sum()
    assert y.dtype == tn.float64  # numpy promotion
    y.backward()
    assert a.grad.dtype == tn.float32
    np.testing.assert_array_equal(a.grad.array, [3.0, 4.0])


def test_float32_stays_float32_with_python_scalars():
    a = leaf([1.0, 2.0], dtype=tn.float32)
    y = (a * 2.5 + 1 - a / 3.0) ** 2
    assert y.dtype == tn.float32
    y.sum().backward()
    assert a.grad.dtype == tn.float32


def test_tensor_dtype_rules():
    assert tn.tensor([0.5, 1.5]).dtype == tn.float32
    assert tn.tensor(2.0).dtype == tn.float32
    assert tn.tensor([1, 2]).dtype == tn.int64
    assert tn.tensor(3).dtype == tn.int64
    assert tn.tensor([True, False]).dtype == tn.bool
    assert tn.tensor(np.array([1.0])).dtype == tn.float64  # numpy's dtype kept
    assert tn.tensor(np.array([1], dtype=np.int32)).dtype == tn.int32
    assert tn.tensor([1, 2], dtype=tn.float64).dtype == tn.float64
    assert tn.zeros(2).dtype == tn.float32 and tn.arange(3).dtype == tn.int64
    with pytest.raises(RuntimeError, match="floating-point"):
        tn.tensor([1, 2], requires_grad=True)


def test_set_default_dtype_and_back():
    assert tn.get_default_dtype() == tn.float32
    tn.set_default_dtype(tn.float64)
    try:
        assert tn.tensor([0.5]).dtype == tn.float64
        assert tn.ones(2).dtype == tn.float64 and tn.randn(2).dtype == tn.float64
        assert tn.tensor([1]).dtype == tn.int64  # ints are not affected
    finally:
        tn.set_default_dtype(tn.float32)
    assert tn.tensor([0.5]).dtype == tn.float32
    with pytest.raises(TypeError, match="int64"):
        tn.set_default_dtype(tn.int64)


def test_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = tn.tensor(array)
    array[0] = 9.0
    assert t.array[0] == 1.0


# ---- grad mode ---------------------------------------------------------------------------
def test_no_grad_builds_no_graph():
    a = leaf([1.0, 2.0])
    with tn.no_grad():
        y = (a * 2).exp()
        assert not tn.is_grad_enabled()
    assert tn.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    assert (a * 2).grad_fn is not None  # recording resumes after the block


@pytest.mark.parametrize("switch", [tn.no_grad, tn.enable_grad, tn.inference_mode,
                                    lambda: tn.set_grad_enabled(False)])
def test_with_a_switch_as_a_name_binds_none_as_in_pytorch(switch):
    with switch() as bound:
        assert bound is None
    assert tn.is_grad_enabled()


def test_no_grad_as_a_decorator():
    @tn.no_grad()
    def infer(x):
        return x * 2

    a = leaf([1.0])
    y = infer(a)
    assert y.grad_fn is None and not y.requires_grad
    assert tn.is_grad_enabled()


def test_no_grad_and_enable_grad_decorate_without_parentheses_as_in_pytorch():
    @tn.no_grad
    def infer(x):
        """Doubles x."""
        return x * 2

    @tn.enable_grad
    def record(x):
        return x * 2

    a = leaf([1.0])
    assert not infer(a).requires_grad and tn.is_grad_enabled()
    assert infer.__name__ == "infer" and infer.__doc__ == "Doubles x."
    with tn.no_grad():
        assert record(a).requires_grad and not (a * 2).requires_grad
    with pytest.raises(TypeError, match="no_grad: takes no arguments .* got 3"):
        tn.no_grad(3)


@pytest.mark.parametrize("decorator", [tn.no_grad(), tn.no_grad, tn.inference_mode()])
def test_a_decorated_generator_runs_in_the_mode_at_every_resumption_as_in_pytorch(decorator):
    a = leaf([1.0])

    @decorator
    def batches():
        for _ in range(2):
            sent = yield (a * 2).requires_grad, tn.is_grad_enabled()
            assert sent == "next" and not tn.is_grad_enabled()
        try:
            yield "waiting"
        except KeyError:  # thrown in by the caller: handled in the mode too
            yield tn.is_grad_enabled()
        return "done"

    generator = batches()
    assert next(generator) == (False, False)
    assert tn.is_grad_enabled()  # the caller's mode between resumptions
    assert (a * 2).requires_grad
    assert generator.send("next") == (False, False)
    assert generator.send("next") == "waiting"
    assert generator.throw(KeyError()) is False
    with pytest.raises(StopIteration) as stop:
        next(generator)
    assert stop.value.value == "done" and tn.is_grad_enabled()

    @tn.enable_grad()
    def recording():
        yield (a * 2).requires_grad

    with tn.no_grad():
        assert list(recording()) == [True] and not tn.is_grad_enabled()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ValueError), tn.no_grad():
        raise ValueError
    assert tn.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    a = leaf([1.0])
    with tn.no_grad():
        with tn.enable_grad():
            y = a * 2
        z = a * 2
    assert y.requires_grad and not z.requires_grad


def test_inference_mode_builds_no_graph_as_a_block_and_as_decorators():
    a = leaf([1.0, 2.0])
    with tn.inference_mode():
        y = a * 2
        assert not tn.is_grad_enabled()
    assert tn.is_grad_enabled() and y.grad_fn is None and not y.requires_grad

    @tn.inference_mode
    def bare(x):
        return x * 2

    @tn.autograd.inference_mode()
    def called(x):
        return x * 2

    assert bare.__name__ == "bare" and not bare(a).requires_grad
    assert not called(a).requires_grad and tn.is_grad_enabled()


def test_inference_mode_false_records_even_inside_no_grad_as_in_pytorch():
    torch = pytest.importorskip("torch")
    a = leaf([1.0])
    with tn.no_grad(), tn.inference_mode(False):
        assert (a * 2).requires_grad
    with torch.no_grad(), torch.inference_mode(False):
        assert torch.is_grad_enabled()
    with tn.inference_mode(), pytest.raises(ValueError):
        raise ValueError  # the mode is restored after an exception
    assert tn.is_grad_enabled()


@pytest.mark.parametrize("mode", ["yes", None, 2])
def test_inference_mode_takes_a_bool(mode):
    with pytest.raises(TypeError, match=f"inference_mode: mode must be True or False, got "
                                        f"{mode!r}"):
        tn.inference_mode(mode)


def test_detach_cuts_the_graph():
    a = leaf([1.0, 2.0])
    d = (a * 2).detach()
    assert d.grad_fn is None and not d.requires_grad
    (a * d).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [2.0, 4.0])


# ---- in-place operations -----------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda t: t.__iadd__(1.0), lambda t: t.__isub__(1.0), lambda t: t.__imul__(2.0),
    lambda t: t.__itruediv__(2.0), lambda t: t.zero_(), lambda t: t.__setitem__(0, 5.0)])
def test_in_place_ops_on_a_tensor_that_requires_grad(op):
    a = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="in-place"):
        op(a)
    np.testing.assert_array_equal(a.array, [1.0, 2.0])
    with tn.no_grad():
        op(a)  # allowed: a hand-written update
    assert not np.array_equal(a.array, [1.0, 2.0])


def test_in_place_ops_on_plain_tensors():
    t = tn.tensor([1.0, 2.0])
    t += 1
    t[1] = 10.0
    np.testing.assert_array_equal(t.array, [2.0, 10.0])


# ---- determinism -------------------------------------------------------------------------
def _seeded_run(seed):
    tn.manual_seed(seed)
    W = tn.randn(4, 3, dtype=tn.float64, requires_grad=True)
    x = tn.rand(5, 3, dtype=tn.float64)
    loss = ((x @ W.T).tanh() ** 2).mean() + (W * W).sum()
    loss.backward()
    return loss.item(), W.grad.array.copy()


def test_same_seed_same_numbers_bit_for_bit():
    loss1, grad1 = _seeded_run(7)
    loss2, grad2 = _seeded_run(7)
    loss3, _ = _seeded_run(8)
    assert loss1 == loss2 and np.array_equal(grad1, grad2)
    assert loss3 != loss1


# ---- a user-written Function -------------------------------------------------------------
class Cube(tn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


def test_user_function_and_its_repr():
    a = leaf([1.0, 2.0])
    y = Cube.apply(a)
    assert repr(y.grad_fn) == "<CubeBackward>"
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.array, [3.0, 12.0])


def test_function_returning_the_wrong_number_of_gradients():
    class Bad(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x, z):
            return x + z

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"backward: Bad.backward must return one gradient "
                                           r"per forward input \(2, .*got 1"):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_integer_results_are_constants():
    # as in PyTorch: only floating-point tensors carry gradients
    x = leaf([1.5, -2.5])
    for y in (x.long(), x.int(), x.bool()):
        assert not y.requires_grad and y.grad_fn is None
    ((x.long() * 2).double() + x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 1.0])


def test_tensor_to_accepts_pytorch_argument_forms():
    x = tn.ones(2, requires_grad=True)
    assert x.to("cpu") is x
    for y in (x.to(tn.float64), x.to("cpu", tn.float64), x.to("cpu", dtype=tn.float64),
              x.to(device="cpu", dtype=tn.float64)):
        assert y.dtype == np.float64 and y.requires_grad
    with pytest.raises(RuntimeError, match="CPU only, got device 'cuda'"):
        x.to("cuda")


# ---- in-place changes after an op saved the values -----------------------------------------
def test_backward_refuses_values_changed_in_place_after_they_were_saved():
    w = leaf([1.0, 2.0])
    x = tn.tensor([3.0, 4.0], dtype=tn.float64)
    y = (w * x).sum()  # Mul saved x: dL/dw = x
    x += 1
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation.*Mul.*version 1"):
        y.backward()


def test_optimizer_step_before_backward_is_refused_where_a_saved_weight_changed():
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 2), tn.nn.Linear(2, 1)).double()
    opt = tn.optim.SGD(model.parameters(), lr=0.1)
    loss = model(tn.ones(4, 3, dtype=tn.float64)).pow(2).sum()
    for p in model.parameters():
        p.grad = tn.ones_like(p)
    opt.step()  # the second W changes in place while dL/dh of the graph still needs it
    with pytest.raises(RuntimeError, match="in-place operation"):
        loss.backward()


def test_a_weight_whose_input_needs_no_gradient_may_change_before_backward():
    # as in PyTorch, Linear keeps W only for dL/dx: with a plain input, dL/dW = gᵀx needs
    # the output's gradient and x alone, both of the graph as it ran
    layer = tn.nn.Linear(3, 2).double()
    x = tn.ones(4, 3, dtype=tn.float64)
    expected = 2 * layer(x).detach().numpy().T @ x.numpy()  # d Σy²/dW at the old weights
    loss = layer(x).pow(2).sum()
    with tn.no_grad():
        layer.weight.add_(1.0)
    loss.backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-12)


def test_in_place_change_of_an_unsaved_input_is_allowed():
    a = leaf([1.0, 2.0])
    b = tn.tensor([5.0, 6.0], dtype=tn.float64)
    y = (a + b).sum()  # Add saves nothing: changing b cannot corrupt the gradient
    b += 1
    y.backward()
    np.testing.assert_array_equal(a.grad.array, [1.0, 1.0])


def test_in_place_change_through_a_detached_view_is_caught():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()  # Mul saved x
    d = x.detach()  # shares x's data and its version counter
    d += 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_in_place_change_of_a_saved_output_is_caught():
    x = leaf([0.5, -0.5])
    y = x.tanh()  # Tanh's backward reads its output y
    with tn.no_grad():
        y.zero_()
    with pytest.raises(RuntimeError, match="in-place operation: the output of Tanh"):
        y.sum().backward()


def test_retained_grad_does_not_alias_a_leaf_grad():
    a = leaf([1.0, 2.0])
    b = a + 1.0  # Add hands its incoming gradient on unchanged
    b.retain_grad()
    b.backward(tn.tensor([1.0, 1.0], dtype=tn.float64), retain_graph=True)
    b.backward(tn.tensor([1.0, 1.0], dtype=tn.float64))
    np.testing.assert_array_equal(a.grad.array, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.array, [2.0, 2.0])


def test_dims_out_of_range_raise_instead_of_wrapping():
    x = tn.ones(1, 3)
    for call in (lambda: x.sum(dim=2), lambda: x.mean(dim=-3), lambda: x.unsqueeze(5),
                 lambda: x.squeeze(2), lambda: x.flatten(0, 2)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            call()
    assert x.unsqueeze(-1).shape == (1, 3, 1) and x.sum(dim=-1).shape == (1,)


def test_scalars_and_hooks_behave_as_in_pytorch():
    x = tn.ones(3)
    assert (x * np.float64(2)).dtype == tn.float32  # numpy scalars are weak, like Python's
    np.testing.assert_allclose((2.5 ** tn.tensor([1, 2])).array, [2.5, 6.25])
    a = np.array(x, copy=True)
    a[0] = 99
    assert x.array[0] == 1  # np.array(t, copy=True) copies
    w = tn.ones(2, requires_grad=True)
    calls = []
    old = w.register_post_accumulate_grad_hook(lambda t: calls.append("old"))
    old.remove()
    w.register_post_accumulate_grad_hook(lambda t: calls.append("new"))
    old.remove()  # a stale handle must not remove the newer hook
    (w * 2).sum().backward()
    assert calls == ["new"]


def test_grad_mode_is_per_thread():
    import threading

    inside, resume = threading.Event(), threading.Event()
    seen = {}

    def inference():
        with tn.no_grad():
            inside.set()
            resume.wait(5)
            seen["worker"] = tn.is_grad_enabled()

    worker = threading.Thread(target=inference)
    worker.start()
    inside.wait(5)
    w = tn.ones(2, requires_grad=True)
    seen["main"] = (w * 2).requires_grad  # the worker's no_grad must not reach us
    resume.set()
    worker.join(5)
    assert seen == {"main": True, "worker": False}


# ---- pickling and copying: values, never the graph (as in PyTorch) ------------------------
def test_a_pickled_non_leaf_comes_back_as_a_leaf_with_its_values():
    import pickle
    a = leaf([1.0, 2.0])
    b = a * 3
    b.retain_grad()  # a weak reference in the graph: must not break pickling
    c = pickle.loads(pickle.dumps(b))
    assert c.is_leaf and c.requires_grad and c.grad_fn is None
    np.testing.assert_array_equal(c.array, [3.0, 6.0])
    c.sum().backward()  # c is a leaf now: its own .grad, nothing reaches a or b
    np.testing.assert_array_equal(c.grad.array, [1.0, 1.0])
    assert a.grad is None and b.grad is None


def test_deepcopy_copies_a_leaf_and_refuses_a_non_leaf():
    import copy
    a = leaf([1.0, 2.0])
    a_copy = copy.deepcopy(a)
    a_copy.array[0] = 5.0
    assert a.array[0] == 1.0 and a_copy.requires_grad and a_copy.is_leaf
    with pytest.raises(RuntimeError, match="graph leaves.*detach"):
        copy.deepcopy(a * 2)


def test_retain_grad_needs_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        tn.tensor([1.0]).retain_grad()


def test_ops_save_arrays_only_and_keep_settings_as_attributes(monkeypatch):
    """save_for_backward holds values (arrays; a scalar operand such as Pow's exponent;
    None), never shapes, axes, dtypes or flags: those go on ctx attributes. A workload
    touching most ops records what each one saved."""
    from tinynet.autograd.function import Function
    saved = {}
    real = Function.save_for_backward

    def spy(ctx, *items):
        saved.setdefault(type(ctx).__name__, set()).update(type(i).__name__ for i in items)
        real(ctx, *items)

    monkeypatch.setattr(Function, "save_for_backward", spy)
    F = tn.nn.functional
    x = tn.randn(4, 6, dtype=tn.float64, requires_grad=True)
    t = tn.tensor([0, 2, 1, 5])
    outs = [F.softmax(x, 1), F.log_softmax(x, 0), F.softplus(x, 2.0), F.hardtanh(x, -0.5, 0.5),
            F.gelu(x), F.elu(x), F.leaky_relu(x, 0.1), x.clamp(-1, 1), x.sum(1), x.mean(0),
            x.max(1).values, x.max(), x.reshape(6, 4), x.permute(1, 0), x[1:3, ::2], x.double(),
            x.float().double(), F.cross_entropy(x, t), F.nll_loss(F.log_softmax(x, 1), t),
            F.layer_norm(x, (6,)), F.cross_entropy(x, t, label_smoothing=0.1), x.exp(),
            x.abs(), x.tanh(), x.sigmoid(), x * x, x / (x.abs() + 1), x ** 2]
    sum(o.sum() for o in outs).backward()
    values = {"ndarray", "NoneType", "int", "float", "float32", "float64"}
    metadata = {op: items - values for op, items in saved.items() if items - values}
    assert not metadata
    assert len(saved) >= 15


@pytest.mark.parametrize("use", ["mul", "div", "exp", "reshape"])
def test_a_0d_parameter_gets_an_array_gradient_that_zero_grad_can_zero(use):
    """A reduction over every axis hands numpy a scalar; the gradient of a 0-d parameter
    is still a 0-d array, which zero_grad(set_to_none=False) zeroes and the next
    backward adds into."""
    t = tn.tensor(np.array(1.5, np.float32), requires_grad=True)
    x = tn.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    loss_of = {"mul": lambda: (x * t).sum(), "div": lambda: (x / t).sum(),
               "exp": lambda: (x * t.exp()).sum(), "reshape": lambda: (x * t.reshape(1, 1)).sum()}
    loss_of[use]().backward()
    first = t.grad.array.copy()
    assert type(t.grad.array) is np.ndarray and t.grad.shape == ()
    tn.optim.SGD([t], lr=0.1).zero_grad(set_to_none=False)
    assert t.grad.array == 0
    loss_of[use]().backward()
    loss_of[use]().backward()
    np.testing.assert_allclose(t.grad.array, 2 * first)


def test_a_retained_gradient_of_a_non_leaf_is_a_new_tensor_each_pass():
    """PyTorch sums a non-leaf's retained .grad out of place (a leaf's in place): a
    reference to the first pass's gradient keeps its values."""
    a = tn.ones(1, requires_grad=True)
    b = a * 2
    b.retain_grad()
    (b * 3).sum().backward(retain_graph=True)
    first, leaf_first = b.grad, a.grad
    (b * 3).sum().backward()
    assert first.tolist() == [3.0] and b.grad.tolist() == [6.0]
    assert leaf_first is a.grad and a.grad.tolist() == [12.0]


def test_only_a_leafs_requires_grad_flag_can_change_as_in_pytorch():
    x = tn.ones(2, requires_grad=True)
    h = x * 2
    for change in (lambda: setattr(h, "requires_grad", False),
                   lambda: setattr(h, "requires_grad", True), lambda: h.requires_grad_(False)):
        with pytest.raises(RuntimeError, match="requires_grad: you can only change "
                                               "requires_grad flags of leaf tensors"):
            change()
    assert h.requires_grad_(True) is h and h.requires_grad  # already so: allowed
    (h * x).sum().backward()  # not cut from the graph: d(2x·x)/dx = 4x
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="only floating-point tensors can require"):
        tn.ones(2, dtype=tn.int64).requires_grad = True
    leaf = tn.ones(2)
    leaf.requires_grad = True
    assert leaf.requires_grad and (leaf * 3).requires_grad
    leaf.requires_grad = False
    assert not (leaf * 3).requires_grad


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("lead", [(4,), (2, 3)])
def test_a_frozen_linear_passes_the_gradient_to_its_input(fast, lead):
    tn.manual_seed(0)
    layer = tn.nn.Linear(3, 2).double().requires_grad_(False)
    x = tn.randn(*lead, 3, dtype=tn.float64, requires_grad=True)
    with tn.fast_paths(fast):
        layer(x).sum().backward()
    expected = np.broadcast_to(layer.weight.numpy().sum(axis=0), (*lead, 3))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)
    assert layer.weight.grad is None


# ---- what a user's Function may return, and what backward sees ------------------------------
class _WrongShape(tn.autograd.Function):
    """Its backward returns dL/dW transposed: (3, 2) for a (2, 3) W."""

    @staticmethod
    def forward(ctx, x, W):
        ctx.save_for_backward(x, W)
        return x @ W.T

    @staticmethod
    def backward(ctx, g):
        x, W = ctx.saved_tensors
        return g @ W, x.T @ g


def test_a_gradient_of_another_shape_is_refused_not_reshaped():
    x = tn.tensor(np.arange(15.0).reshape(5, 3))
    W = tn.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"backward: an op's backward returned a gradient "
                                           r"of shape \(3, 2\) for an input of shape "
                                           r"\(2, 3\)"):
        _WrongShape.apply(x, W).sum().backward()
    # a gradient of the shape an input was broadcast to is summed back, as before
    b = tn.tensor([1.0, 2.0], requires_grad=True)
    (tn.ones(3, 2) * b).sum().backward()
    assert b.grad.tolist() == [3.0, 3.0]


def test_a_function_with_several_outputs_is_refused_by_name():
    class SinCos(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return np.sin(x), np.cos(x)

        @staticmethod
        def backward(ctx, gs, gc):
            return gs

    with pytest.raises(TypeError, match="SinCos.forward: a tinynet Function returns one array, "
                                        "got a tuple of 2"):
        SinCos.apply(tn.ones(3, requires_grad=True))


def test_a_change_to_an_input_whose_view_was_saved_is_caught():
    x = tn.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    y = tn.nn.functional.glu(x)  # GLU saves the two halves of x: views
    with tn.no_grad():
        x.mul_(10)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()

    class SavesTranspose(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x.T)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (xt,) = ctx.saved_tensors
            return 2 * g * xt.T

    x = tn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = SavesTranspose.apply(x)
    with tn.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="used by SavesTranspose"):
        y.sum().backward()


@pytest.mark.parametrize("change", [lambda y: y.clamp_(min=0), lambda y: y.__setitem__(0, 5),
                                    lambda y: y.zero_(), lambda y: y[0].mul_(3)])
def test_a_retained_gradient_is_of_the_value_after_an_in_place_change(change):
    x = tn.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y.retain_grad()
    change(y)
    (y * 3).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.full((2, 2), 3.0))  # d(3y)/dy, as torch


def test_backward_and_its_hooks_run_with_grad_mode_off():
    w = tn.tensor([1.0, 2.0], requires_grad=True)
    # the optimizer step fused into backward, as PyTorch's tutorials write it
    w.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-0.1))
    (w * w).sum().backward()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6])
    seen = []
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: seen.append((g * x).requires_grad))
    y.sum().backward()
    assert seen == [False] and tn.is_grad_enabled()


def test_an_operand_no_gradient_reads_may_change_before_backward_as_in_pytorch():
    # d(w·2)/dw does not read w, d(w @ Xᵀ)/dw reads X only: PyTorch saves neither w
    w = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    products = [(w * 2).sum(), (w / 4).sum(), (w @ tn.ones(2, 3).T).sum()]
    with tn.no_grad():
        w.add_(1)
    for y, expected in zip(products, ([2.0] * 3, [0.25] * 3, [2.0] * 3)):
        w.grad = None
        y.backward()
        assert w.grad.tolist() == expected
    # what a gradient does read is still checked: x @ w's dL/dw reads x
    x = tn.ones(2, 3)
    y = (x @ w).sum()
    with tn.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="used by MatMul"):
        y.backward()


def test_views_of_one_buffer_that_do_not_overlap_are_not_each_others_saved_values():
    # SGD lays a small model's parameters in one flat array: W and b are views of it
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Linear(4, 2))
    opt = tn.optim.SGD(model.parameters(), lr=0.1)
    x = tn.ones(5, 3)
    for _ in range(3):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
    out = model(x)
    with tn.no_grad():
        model[1].bias.add_(1.0)  # Linear's backward never reads its bias
    out.sum().backward()  # no error, as in PyTorch
    assert model[0].weight.grad is not None


def test_a_leaf_that_stopped_requiring_grad_gets_no_grad_as_in_pytorch():
    """requires_grad_(False) after the graph was built: backward writes no .grad there
    (PyTorch's AccumulateGrad returns early), and its register_hook hooks still run;
    the other leaves get theirs, also on a replayed call."""
    w, v = tn.ones(2, requires_grad=True), tn.ones(2, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.tolist()))
    w.register_post_accumulate_grad_hook(lambda t: seen.append("accumulated"))
    y = (w * v * 3).sum()
    w.requires_grad_(False)
    y.backward()
    assert w.grad is None and seen == [[3.0, 3.0]] and v.grad.tolist() == [3.0, 3.0]
    model = tn.nn.Linear(2, 1)
    step = tn.capture(lambda x: model(x).sum())
    x = tn.ones(3, 2)
    for _ in range(3):  # recorded twice, then replayed
        model.zero_grad()
        loss = step(x)
        model.bias.requires_grad_(False)
        loss.backward()
        assert model.bias.grad is None and model.weight.grad.tolist() == [[3.0, 3.0]]
        model.bias.requires_grad_(True)


# ---- a Function written outside tinynet, checked as PyTorch checks one -------------------
def test_a_returned_saved_array_becomes_a_grad_only_as_a_copy():
    x = tn.tensor([1.0, 1.0, 1.0], dtype=tn.float64, requires_grad=True)
    w = tn.tensor([1.0, 2.0, 3.0], dtype=tn.float64, requires_grad=True)
    for _ in range(3):
        SavedArraysDot.apply(x, w).backward()  # adding into an adopted w would change w
    assert x.grad.tolist() == [3.0, 6.0, 9.0] and w.grad.tolist() == [3.0, 3.0, 3.0]
    assert x.tolist() == [1.0, 1.0, 1.0] and w.tolist() == [1.0, 2.0, 3.0]


def test_an_input_returned_as_it_is_shares_its_version_so_a_change_is_caught():
    class Identity(tn.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    z = (a * a).sum()  # saves a
    y = Identity.apply(a)
    with tn.no_grad():
        y.mul_(10.0)  # a's values change too
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


def test_a_forward_may_not_set_the_engines_context_attributes():
    class Scale(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.seq = k  # the engine numbers its ops with ctx.seq
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.seq, None
    with pytest.raises(AttributeError, match="Scale.forward: ctx.seq is used by tinynet's "
                                             "engine; keep your value under another name"):
        Scale.apply(tn.ones(2, requires_grad=True), 3.0)


def test_a_gradient_for_an_argument_that_was_no_tensor_is_refused_as_pytorch():
    x = tn.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="NumberGradScale.backward: it returned a gradient "
                                           "\\(not None\\) at position 1, whose forward "
                                           "argument was not a tensor"):
        NumberGradScale.apply(x, 3.0).sum().backward()
    x.grad = None
    NumberGradScale.apply(x, tn.tensor(3.0)).sum().backward()  # a tensor needing no
    assert x.grad.tolist() == [3.0, 3.0]  # gradient: its gradient is dropped, as PyTorch's


def test_pytorchs_context_markers_a_users_function_may_call():
    from tinynet.autograd.function import once_differentiable

    class MaxMask(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)  # (one output: its gradient always comes)
            mask = (x == x.max()).astype(x.dtype)
            ctx.mark_non_differentiable(mask)
            return mask

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            raise AssertionError("a non-differentiable output is never differentiated")
    x = tn.tensor([1.0, 3.0, 2.0], requires_grad=True)
    mask = MaxMask.apply(x)
    assert mask.tolist() == [0.0, 1.0, 0.0] and not mask.requires_grad and mask.grad_fn is None
    (x * mask).sum().backward()  # the mask a constant, as PyTorch's
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_apply_binds_keyword_arguments_to_forwards_parameters_as_pytorch():
    class Scale(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x, k=2.0):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None
    x = tn.ones(2, requires_grad=True)
    assert Scale.apply(x, k=3.0).tolist() == [3.0, 3.0] and Scale.apply(x).tolist() == [2.0] * 2
    Scale.apply(x=x, k=4.0).sum().backward()  # a tensor by keyword is differentiated too
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(TypeError, match="Scale.apply: got an unexpected keyword argument 'j'"):
        Scale.apply(x, j=1.0)
