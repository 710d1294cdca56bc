"""In-place methods and ``.data``: the values they write, the gradients that pass them,
the version counter that guards saved values, and the errors they raise."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn


def leaf(values):
    return tn.tensor(values, dtype=tn.float64, requires_grad=True)


# ---- outside the graph: the array itself changes ---------------------------------------
@pytest.mark.parametrize("method, args, expected", [
    ("add_", (2.0,), [3.0, 4.0]),
    ("sub_", (1.0,), [0.0, 1.0]),
    ("mul_", (3.0,), [3.0, 6.0]),
    ("div_", (2.0,), [0.5, 1.0]),
    ("pow_", (2.0,), [1.0, 4.0]),
    ("neg_", (), [-1.0, -2.0]),
    ("clamp_", (1.5, None), [1.5, 2.0]),
    ("zero_", (), [0.0, 0.0]),
    ("fill_", (7.0,), [7.0, 7.0]),
    ("copy_", (tn.tensor([5.0, 6.0]),), [5.0, 6.0]),
])
def test_in_place_methods_write_into_the_same_array(method, args, expected):
    t = tn.tensor([1.0, 2.0])
    array, version = t.array, t._version[0]
    assert getattr(t, method)(*args) is t
    assert t.array is array
    np.testing.assert_array_equal(t.array, expected)
    assert t._version[0] == version + 1


def test_add_and_sub_take_alpha_as_pytorch():
    t = tn.tensor([1.0, 2.0])
    t.add_(tn.tensor([1.0, 1.0]), alpha=3).sub_(tn.tensor([2.0, 0.0]), alpha=0.5)
    np.testing.assert_array_equal(t.array, [3.0, 5.0])


@pytest.mark.parametrize("call", ["add", "sub"])
@pytest.mark.parametrize("form", ["method", "function", "in-place"])
def test_alpha_is_checked_against_the_result_dtype_as_pytorch(call, form):
    def run(a, b, alpha):
        if form == "function":
            return getattr(tn, call)(a, b, alpha=alpha)
        return getattr(a, call + ("_" if form == "in-place" else ""))(b, alpha=alpha)
    ints = tn.tensor([1, 2])
    for alpha in (0.5, 2.0, np.float32(1.0)):  # an integer result cannot take a float alpha
        with pytest.raises(RuntimeError, match=rf"{call}_?: alpha must not be a floating point "
                                              rf"number for an integer or bool result.*int64"):
            run(ints.clone(), tn.tensor([1, 1]), alpha)
    for a in (tn.tensor([1.0, 2.0]), ints.clone()):  # a bool alpha needs a bool result
        with pytest.raises(RuntimeError, match=rf"{call}_?: a bool alpha needs a bool result"):
            run(a, tn.tensor([1, 1]), True)
    sign = 1 if call == "add" else -1
    np.testing.assert_array_equal(run(ints.clone(), tn.tensor([1, 1]), np.int64(3)).array,
                                  [1 + 3 * sign, 2 + 3 * sign])
    result = run(tn.tensor([1.0, 2.0]), tn.tensor([2, 4]), 0.25)  # a float result takes it
    np.testing.assert_array_equal(result.array, [1 + 0.5 * sign, 2 + sign])
    # alpha·other in the result's dtype: 200·2 in uint8 would wrap to 144
    wide = run(tn.tensor([3]), tn.tensor([200], dtype=tn.uint8), 2)
    assert wide.dtype == tn.int64 and wide.tolist() == [3 + 400 * sign]
    with pytest.raises(RuntimeError, match=rf"{call}_?: alpha must not be a complex number"):
        run(tn.tensor([1.0, 2.0]), 3, 1j)


@pytest.mark.parametrize("form", ["method", "function", "in-place"])
def test_add_of_bools_with_alpha_is_logical_as_pytorch(form):
    def run(b, alpha):
        a = tn.tensor([True, False, False])
        if form == "function":
            return tn.add(a, b, alpha=alpha)
        return getattr(a, "add_" if form == "in-place" else "add")(b, alpha=alpha)
    b = tn.tensor([False, True, False])
    for alpha, expected in ((2, [True, True, False]), (True, [True, True, False]),
                            (0, [True, False, False]), (False, [True, False, False])):
        result = run(b, alpha)
        assert result.dtype == tn.bool  # not 1 + 2·1 = 3 in an integer
        np.testing.assert_array_equal(result.array, expected)
    assert tn.add(tn.tensor([True]), True, alpha=0).dtype == tn.bool  # (True·0 is no int 0)


def test_copy_broadcasts_and_casts_to_the_destination():
    t = tn.zeros(2, 3, dtype=tn.int64)
    t.copy_(tn.tensor([1.7, -2.2, 3.9]))
    np.testing.assert_array_equal(t.array, [[1, -2, 3], [1, -2, 3]])
    assert t.dtype == tn.int64


def test_random_fills_follow_the_generator():
    a = tn.empty(1000, dtype=tn.float64).normal_(2.0, 0.5, generator=tn.Generator().manual_seed(3))
    b = tn.empty(1000, dtype=tn.float64).normal_(2.0, 0.5, generator=tn.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.array, b.array)
    assert abs(a.array.mean() - 2.0) < 0.1 and abs(a.array.std() - 0.5) < 0.05
    u = tn.empty(1000).uniform_(-1.0, 3.0)
    assert u.array.min() >= -1.0 and u.array.max() < 3.0 and u.dtype == tn.float32


def test_new_tensor_keeps_the_dtype_and_copies():
    t = tn.zeros(2, dtype=tn.float64)
    source = np.array([1, 2])
    n = t.new_tensor(source)
    source[0] = 9
    assert n.dtype == tn.float64 and n.tolist() == [1.0, 2.0] and not n.requires_grad
    assert t.new_zeros(2, 3).shape == (2, 3) and t.new_ones((4,)).dtype == tn.float64
    assert t.new_full((2,), 5.0).tolist() == [5.0, 5.0]


# ---- a leaf that requires grad --------------------------------------------------------
@pytest.mark.parametrize("update", [
    lambda p: p.add_(1.0), lambda p: p.mul_(2.0), lambda p: p.zero_(),
    lambda p: p.normal_(), lambda p: p.copy_(tn.ones(2)), lambda p: p.clamp_(0.0, 1.0)])
def test_a_leaf_that_requires_grad_is_refused_and_kept(update):
    p = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*in-place"):
        update(p)
    assert p.tolist() == [1.0, 2.0]
    with tn.no_grad():
        update(p)
    update(p.data)  # the hand-written update of old PyTorch code


def test_data_is_a_detached_view_of_the_same_memory():
    p = leaf([1.0, 2.0])
    d = p.data
    assert not d.requires_grad and d.grad_fn is None
    d.sub_(tn.tensor([0.5, 0.5]))
    assert p.tolist() == [0.5, 1.5]
    p.data.zero_()
    assert p.tolist() == [0.0, 0.0]


def test_assigning_data_replaces_the_values_and_keeps_the_parameter():
    lin = tn.nn.Linear(2, 3)
    weight = lin.weight
    lin.weight.data = tn.ones(4, 2)
    assert lin.weight is weight and lin.weight.shape == (4, 2)
    with pytest.raises(TypeError, match="floating point"):
        lin.weight.data = tn.tensor([1, 2])


def test_changing_a_saved_value_through_data_is_caught_at_backward():
    w = leaf([1.0, 2.0])
    x = tn.tensor([3.0, 4.0], dtype=tn.float64)
    loss = (w * w * x).sum()   # w saved for w·w's backward
    w.data.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


@pytest.mark.parametrize("change", [
    lambda w: w[0].add_(10.0), lambda w: w.t().mul_(2.0), lambda w: w.reshape(-1).zero_(),
    lambda w: w.diagonal().fill_(5.0), lambda w: w[:, 1:].sub_(1.0)],
    ids=["row", "transpose", "reshape", "diagonal", "slice"])
def test_changing_a_saved_value_through_a_view_is_caught_at_backward(change):
    """A view shares its base's memory and, as in PyTorch, its version counter: the
    gradient would otherwise silently use the changed values."""
    x = tn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = tn.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = w * x  # saves w
    with tn.no_grad():
        change(w)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
    row = w[1]  # and the other way: an op saved the view, the base changes
    z = row * x
    w.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    fresh = w * 1.0  # a result of its own, not a view: its changes are its own
    y = w * x
    fresh.add_(1.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, w.array)


def test_changing_an_input_the_op_did_not_save_is_allowed():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    loss = (a + b).sum()
    a.data.mul_(10.0)
    loss.backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [1.0, 1.0]


# ---- inside the graph: rebinding gives the gradients of the out-of-place form -----------
OPS = {
    "+=": (lambda h, o: h.__iadd__(o), lambda h, o: h + o),
    "-=": (lambda h, o: h.__isub__(o), lambda h, o: h - o),
    "*=": (lambda h, o: h.__imul__(o), lambda h, o: h * o),
    "/=": (lambda h, o: h.__itruediv__(o), lambda h, o: h / o),
    "add_": (lambda h, o: h.add_(o, alpha=2), lambda h, o: h + 2 * o),
    "clamp_": (lambda h, o: h.clamp_(-0.5, 0.5) * o, lambda h, o: h.clamp(-0.5, 0.5) * o),
    "copy_": (lambda h, o: h.copy_(o), lambda h, o: o + 0 * h.detach()),
}


def _gradients(a_values, b_values, steps, in_place: bool):
    a, b = leaf(a_values), leaf(b_values)
    h = a * 1.5
    for name in steps:
        update = OPS[name][0 if in_place else 1]
        h = update(h, b) if in_place else update(h, b)
    (h * h).sum().backward()
    return h.array, a.grad.array if a.grad is not None else None, b.grad.array


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(-2, 2).filter(lambda v: abs(v) > 0.1), min_size=6,
                       max_size=6),
       steps=st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=4))
def test_in_place_steps_give_the_gradients_of_the_out_of_place_form(values, steps):
    a_values, b_values = values[:3], values[3:]
    h_in, ga_in, gb_in = _gradients(a_values, b_values, steps, in_place=True)
    h_out, ga_out, gb_out = _gradients(a_values, b_values, steps, in_place=False)
    np.testing.assert_array_equal(h_in, h_out)
    if ga_out is None:
        assert ga_in is None or not ga_in.any()
    else:
        np.testing.assert_array_equal(ga_in, ga_out)
    np.testing.assert_array_equal(gb_in, gb_out)


def test_a_buffer_that_accumulates_a_weight_comes_into_the_graph():
    w = leaf([1.0, 2.0])
    total = tn.zeros(2, dtype=tn.float64)
    for k in range(3):
        total += w * k          # 0·w + 1·w + 2·w
    assert total.requires_grad
    total.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_copy_into_a_non_leaf_sends_the_gradient_to_the_source():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    h = a * 1.0
    h.copy_(b)
    (h * a).sum().backward()
    assert a.grad.tolist() == [3.0, 4.0]   # only through the product: h no longer holds a
    assert b.grad.tolist() == [1.0, 2.0]


def test_setitem_inside_the_graph_is_recorded():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([5.0, 6.0])
    h = a * 2
    h[1:] = b * b         # h = [2a0, b0², b1²]
    h[0] += b[0]          # h0 = 2a0 + b0
    (h * h).sum().backward()
    assert h.tolist() == [7.0, 25.0, 36.0]
    assert a.grad.tolist() == [28.0, 0.0, 0.0]                      # 2·h0·2
    assert b.grad.tolist() == [2 * 7.0 + 4 * 125.0, 4 * 216.0]      # 2h0 + 2h1·2b0, 2h2·2b1


def test_setitem_with_a_broadcast_value_sums_its_gradient():
    w = leaf([2.0])
    h = tn.zeros(2, 3, dtype=tn.float64)
    h[:, 1:] = w          # four places
    (h * h).sum().backward()
    assert w.grad.tolist() == [16.0]    # 4 · 2w


@pytest.mark.parametrize("key, shape", [(0, (1, 4)), (slice(0, 2), (1, 1, 4)),
                                        ([0, 2], (1, 2, 4)), ((slice(None), 1), (1, 3)),
                                        (Ellipsis, (1, 1, 3, 4)), ((1, 2), (1, 1))])
def test_setitem_drops_a_values_extra_leading_ones_as_pytorch(key, shape):
    # the value's gradient is the weights at the places it was written, in its own shape
    weights = np.arange(12.0).reshape(3, 4)
    v = tn.ones(*shape, dtype=tn.float64, requires_grad=True)
    x = tn.zeros(3, 4, dtype=tn.float64)
    x[key] = v * 2
    (x * tn.tensor(weights)).sum().backward()
    assert v.grad.shape == shape
    written = 2 * weights[key]  # summed over the rows the value was broadcast to
    inner = shape[len(shape) - written.ndim:]
    expected = written.sum(axis=tuple(i for i, n in enumerate(inner) if n == 1 <
                                      written.shape[i]), keepdims=True)
    np.testing.assert_array_equal(v.grad.array, expected.reshape(shape))
    y = tn.zeros(3, 4)
    y[y > -1] = tn.arange(12.0).reshape(1, 12)  # a mask's target is 1-D
    assert y.tolist() == weights.tolist()
    with pytest.raises(ValueError):
        y[0] = tn.ones(2, 4)  # a leading 2 is not dropped


def test_a_scattered_accumulation_matches_the_closed_form():
    a = leaf([1.0, 2.0, 3.0])
    counts = tn.zeros(4, dtype=tn.float64)
    for i in [0, 2, 2]:
        counts[i] += a[i]
    assert counts.tolist() == [1.0, 0.0, 6.0, 0.0]
    (counts * tn.tensor([1.0, 1.0, 10.0, 1.0], dtype=tn.float64)).sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 20.0]


@pytest.mark.parametrize("key", [(), Ellipsis, None, True], ids=repr)
def test_setitem_into_a_0d_tensor_differentiates(key):
    x = tn.tensor(1.25, requires_grad=True)
    v = tn.tensor(2.5, requires_grad=True)
    b = x * 1.0
    b[key] = v
    (b * 3.0).backward()  # (the gradient of a 0-d product reaches SetItem as a scalar)
    assert (x.grad.item(), v.grad.item()) == (0.0, 3.0)
    s = (tn.tensor(1.5, requires_grad=True) * 1.0).scatter(0, tn.tensor(0), v)
    (s * 2.0).backward()
    assert v.grad.item() == 5.0


def test_setitem_on_a_leaf_that_requires_grad_is_refused():
    p = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        p[0] = 5.0
    assert p.tolist() == [1.0, 2.0]
    with tn.no_grad():
        p[0] = 5.0
    assert p.tolist() == [5.0, 2.0]


def test_pytorch_agrees_on_an_in_place_training_step():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w0 = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    results = []
    for lib in (tn, torch):
        w = lib.tensor(w0, requires_grad=True)
        h = lib.tensor(x) @ w
        h *= 2.0
        h += 1.0
        h.clamp_(-1.0, 3.0)
        h.sum().backward()
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad.zero_()
        results.append((h.detach().numpy().copy(), w.detach().numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


@pytest.mark.parametrize("update", [
    lambda a, o: a.__iadd__(o), lambda a, o: a.sub_(o), lambda a, o: a.mul_(o),
    lambda a, o: a.div_(o), lambda a, o: a.pow_(o)])
@pytest.mark.parametrize("in_graph", [True, False])
def test_an_in_place_op_keeps_the_tensors_dtype_as_pytorch(update, in_graph):
    """a float64 operand leaves a float32 tensor float32, in the graph (where the change is
    recorded) and out of it; the gradient comes back in the leaf's dtype."""
    w = tn.full((2,), 2.0, requires_grad=in_graph)
    a = w * 1 if in_graph else w.clone()
    update(a, tn.tensor([0.5, 0.25], dtype=tn.float64))
    assert a.dtype == tn.float32
    if in_graph:
        a.sum().backward()
        assert w.grad.dtype == tn.float32


@pytest.mark.parametrize("in_graph", [True, False])
def test_an_in_place_op_refuses_a_result_the_tensor_cannot_hold(in_graph):
    counts = tn.ones(2, dtype=tn.int64)
    other = tn.tensor([0.5, 0.5], requires_grad=in_graph)
    with pytest.raises(RuntimeError, match="add: the result's dtype float32 cannot be written "
                                           "into this tensor's dtype int64 \\(as in PyTorch\\)"):
        counts += other
    assert counts.tolist() == [1, 1] and counts._version[0] == 0


def test_clamp_in_place_takes_tensor_bounds():
    x = tn.tensor([-1.0, 0.5, 3.0])
    x.clamp_(min=tn.tensor(0.0), max=tn.tensor([1.0, 1.0, 2.0]))
    assert x.tolist() == [0.0, 0.5, 2.0]


@pytest.mark.parametrize("fill", ["zero_", "fill_ number", "fill_ tensor", "normal_"])
def test_filling_a_non_leaf_keeps_it_in_the_graph_with_pytorchs_gradients(fill):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        lib.manual_seed(0)
        x = lib.ones(3, 2, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        h = x * 2
        {"zero_": lambda: h.zero_(), "fill_ number": lambda: h.fill_(2.5),
         "fill_ tensor": lambda: h.fill_(w), "normal_": lambda: h.normal_()}[fill]()
        assert h.requires_grad and h.grad_fn is not None
        (h * 3 + x).sum().backward()
        results.append((x.grad.tolist(), None if w.grad is None else w.grad.item()))
        if fill != "normal_":  # (the two libraries draw other numbers)
            results[-1] += (h.tolist(),)
    assert results[0] == results[1]


# in-place methods with no top-level form: (name, arguments); x is 3 x 4, float64
METHOD_CASES = [
    ("eq_", (0.5,)), ("ne_", (0.5,)), ("lt_", (0.0,)), ("le_", (0.5,)), ("gt_", (0.0,)),
    ("ge_", (0.5,)), ("logical_and_", (np.array([1.0, 0.0, 2.0, 0.0]),)),
    ("logical_or_", (np.array([0.0, 0.0, 1.0, 0.0]),)),
    ("logical_xor_", (np.array([1.0, 0.0, 1.0, 0.0]),)), ("logical_not_", ()),
    ("remainder_", (0.75,)), ("fmod_", (0.75,)), ("floor_divide_", (0.75,)),
    ("cumsum_", (1,)), ("cumprod_", (0,)), ("tril_", ()), ("triu_", (1,)),
    ("swapaxes_", (0, 1)), ("swapdims_", (1, 0)),
]


def _method_args(library, args):
    return tuple(library.tensor(a) if isinstance(a, np.ndarray) else a for a in args)


@pytest.mark.parametrize("name, args", METHOD_CASES, ids=[c[0] for c in METHOD_CASES])
def test_in_place_methods_write_their_out_of_place_values(name, args):
    values = np.array([[-1.5, 0.0, 0.5, 2.25], [1.0, -0.25, 0.5, 0.0], [3.0, 0.75, -2.0, 1.0]])
    x = tn.tensor(values)
    version = x._version[0]
    expected = getattr(tn.tensor(values), name[:-1])(*_method_args(tn, args))
    assert getattr(x, name)(*_method_args(tn, args)) is x
    assert x.dtype == tn.float64 and x._version[0] == version + 1
    np.testing.assert_array_equal(x.numpy(), expected.to(tn.float64).numpy())
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(values)
    getattr(theirs, name)(*_method_args(torch, args))
    np.testing.assert_array_equal(x.numpy(), theirs.numpy())


def test_copy_into_a_tensor_in_the_graph_keeps_it_there_as_pytorch():
    """y.copy_(src) inside the graph: y stays in it, what it held gets a zero gradient,
    src the gradient (summed where it was broadcast); it had cut y out of the graph."""
    x = tn.tensor([1.0, 2.0], dtype=tn.float64, requires_grad=True)
    y = x * 2
    y.copy_(tn.tensor([5.0, 6.0], dtype=tn.float64))
    y.sum().backward()
    assert y.requires_grad and x.grad.tolist() == [0.0, 0.0]
    x.grad = None
    src = tn.tensor([3.0], requires_grad=True)  # float32, broadcast
    y = x * 2
    y.copy_(src)
    (y * tn.tensor([1.0, 2.0], dtype=tn.float64)).sum().backward()
    assert y.dtype == tn.float64 and src.grad.tolist() == [3.0] and x.grad.tolist() == [0, 0]


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.__iadd__(-1), [255, 1]), (lambda t: t.sub_(300), [212, 214]),
    (lambda t: t.mul_(300), [0, 88]), (lambda t: t.floor_divide_(300), [0, 0]),
    (lambda t: t.fill_(-1), [255, 255]), (lambda t: t.__setitem__(0, -1), [255, 2]),
])
def test_a_python_int_outside_an_integer_dtype_wraps_in_place_as_in_pytorch(change, expected):
    """PyTorch wraps the number into the tensor's dtype first in arithmetic (300 is 44 in
    uint8); numpy refused it with an OverflowError."""
    t = tn.tensor([0, 2], dtype=tn.uint8)
    change(t)
    assert t.tolist() == expected and t.dtype == tn.uint8


@pytest.mark.parametrize("dtype, value", [(tn.float16, 1e6), (tn.float16, 65519.0),
                                          (tn.float16, 10**6), (tn.float32, 1e39)])
def test_a_finite_number_too_large_for_a_float_dtype_is_refused_as_pytorch(dtype, value):
    t = tn.zeros(2, dtype=dtype)
    for name, store in (("fill_", lambda: t.fill_(value)),
                        ("masked_fill", lambda: t.masked_fill(tn.tensor([True, False]), value)),
                        ("index_fill", lambda: t.index_fill(0, tn.tensor([1]), value))):
        with pytest.raises(RuntimeError, match=f"{name}: value .* cannot be converted to "
                                               f"{np.dtype(dtype)} without overflow"):
            store()  # (numpy would store inf)
    with pytest.raises(ValueError, match="full: fill_value must be a number"):
        tn.full((2,), value, dtype=dtype)
    assert t.fill_(float(np.finfo(dtype).max)).tolist()[0] == float(np.finfo(dtype).max)
    assert t.fill_(-math.inf).tolist() == [-math.inf] * 2  # inf itself is stored
    if dtype == tn.float16:  # PyTorch's x[i] = v stores it rounded (to inf, or the max)
        t[0] = value
        with np.errstate(over="ignore"):
            assert t[0].item() == float(np.float64(value).astype(dtype))
    else:  # and refuses it for float32
        with pytest.raises(RuntimeError, match="setitem: value .* cannot be converted"):
            t[0] = value
    with pytest.raises(RuntimeError, match="fill_: value .* cannot be converted"):
        t.fill_(np.float64(value))  # a numpy scalar as the number it holds
    with pytest.raises(ValueError, match="full: fill_value must be a number"):
        t.new_full((2,), value)


@pytest.mark.parametrize("dtype, value, stored", [
    (tn.uint8, -1, 255), (tn.uint8, -255, 1), (tn.uint8, 255, 255), (tn.uint8, -256, None),
    (tn.uint8, 256, None), (tn.int8, -128, -128), (tn.int8, -129, None), (tn.int8, 128, None),
])
@pytest.mark.parametrize("how", ["fill_", "setitem"])
def test_a_stored_int_must_fit_the_dtype_as_pytorchs_check_has_it(dtype, value, stored, how):
    """fill_ and x[i] = v store a number only if it fits (an unsigned dtype also takes
    -max..-1, wrapped), as PyTorch's overflow check; else a RuntimeError by name."""
    t = tn.zeros(2, dtype=dtype)
    store = (lambda: t.fill_(value)) if how == "fill_" else (lambda: t.__setitem__(0, value))
    if stored is None:
        with pytest.raises(RuntimeError, match=f"{how}: value {value} cannot be converted "
                                               f"to {np.dtype(dtype)} without overflow"):
            store()
        assert t.tolist() == [0, 0]
    else:
        store()
        assert t[0].item() == stored


def test_in_place_scans_keep_a_small_integer_dtype_and_clamp_refuses_a_float_bound():
    t = tn.tensor([1, 4], dtype=tn.int32)
    assert t.cumsum_(0).tolist() == [1, 5] and t.dtype == tn.int32
    assert tn.tensor([2, 3], dtype=tn.int16).cumprod(0, dtype=tn.int16).dtype == tn.int16
    assert tn.tensor([2, 3], dtype=tn.int16).cumsum(0).dtype == tn.int64  # (out of place)
    with pytest.raises(RuntimeError, match="clamp_: the result's dtype float64 cannot be "
                                           "written into this tensor's dtype int64"):
        tn.tensor([1, 2]).clamp_(min=0.5)
    assert tn.tensor([1, 5]).clamp_(min=2, max=4).tolist() == [2, 4]


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_max_over_a_dim_keeps_only_its_indices_so_the_input_may_change_under_no_grad(reduce):
    """As PyTorch's: the gradient goes to the indices picked, which the op keeps; the
    input itself is not needed, so changing it under no_grad before backward is fine."""
    x = tn.tensor([[1.0, 3.0, 2.0], [5.0, 4.0, 6.0]], requires_grad=True)
    y = x * 1
    values, _ = getattr(y, reduce)(1)
    with tn.no_grad():
        y.mul_(2)
    values.sum().backward()
    expected = [[0, 1, 0], [0, 0, 1]] if reduce == "max" else [[1, 0, 0], [0, 1, 0]]
    assert x.grad.tolist() == expected


@pytest.mark.parametrize("call, dtype, values", [
    (lambda m: m.tensor([5.5, -3.0]).fmod_(m.tensor([2.0], dtype=m.float64)), "float32",
     [1.5, -1.0]),
    (lambda m: m.tensor([5, -3], dtype=m.int32).remainder_(m.tensor([2])), "int32", [1, 1]),
    (lambda m: m.tensor([5.5], dtype=m.float16).clamp_min_(m.tensor([6.25])), "float16",
     [6.25]),
    (lambda m: m.tensor([1.0, -1.0]).atan2_(m.tensor([1.0], dtype=m.float64)), "float32",
     [float(np.float32(np.pi / 4)), float(np.float32(-np.pi / 4))]),
    (lambda m: m.tensor([1.0, 2.0]).addcmul_(m.tensor([1.0], dtype=m.float64),
                                             m.tensor([3.0])), "float32", [4.0, 5.0]),
    (lambda m: m.tensor([7, -7], dtype=m.int16).floor_divide_(m.tensor([2])), "int16",
     [3, -4]),
])
def test_an_in_place_result_of_a_wider_dtype_of_the_same_kind_is_cast_as_pytorch(call, dtype,
                                                                                  values):
    # computed in the wider dtype, written in the tensor's own
    ours = call(tn)
    assert str(ours.dtype).split(".")[-1] == dtype and ours.tolist() == values
    torch = pytest.importorskip("torch")
    theirs = call(torch)
    assert str(theirs.dtype) == f"torch.{dtype}" and theirs.tolist() == values


def test_an_in_place_result_of_a_higher_kind_is_refused():
    with pytest.raises(RuntimeError, match="fmod_: the result's dtype float32 cannot be "
                                           "written into this tensor's dtype int64"):
        tn.tensor([5, -3]).fmod_(tn.tensor([2.0]))
