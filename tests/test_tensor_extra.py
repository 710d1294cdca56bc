"""More of PyTorch's tensor API: ``type_as``, ``is_floating_point``, ``view_as``,
``reshape_as``, ``unbind``, ``repeat``/``tile``, ``mT``, ``element_size``,
``masked_select``, ``unique``, ``bincount``, the comparisons and ``pow`` as functions,
``finfo``/``iinfo``, and the in-place ``exp_``, ``masked_fill_``, ``unsqueeze_``...

Each is checked against numpy or a closed form, its gradient by finite differences
(``gradcheck`` in float64), bad input by its error; then against PyTorch (when
installed): values, dtypes and gradients."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import tinynet as tn
from op_checks import rand


def leaf(values):
    return tn.tensor(values, dtype=tn.float64, requires_grad=True)


FUNCTIONS = "eq ne lt le gt ge pow unbind tile masked_select bincount unique is_floating_point"
METHODS = ("type_as is_floating_point view_as reshape_as unbind repeat tile element_size "
           "masked_select unique bincount masked_fill_ exp_ sqrt_ abs_ relu_ sigmoid_ tanh_ "
           "clamp_min_ clamp_max_ unsqueeze_ squeeze_")


@pytest.mark.parametrize("name", FUNCTIONS.split())
def test_each_function_exists(name):
    assert callable(getattr(tn, name)) and name in tn.__all__


@pytest.mark.parametrize("name", METHODS.split())
def test_each_method_exists(name):
    assert callable(getattr(tn.Tensor, name))


# ---- types and sizes -----------------------------------------------------------------------
def test_type_as_casts_differentiably_and_keeps_a_match():
    x = tn.tensor([1.5, -2.0], requires_grad=True)      # float32
    y = x.type_as(tn.zeros(1, dtype=tn.float64))
    assert y.dtype == tn.float64
    (y * y).sum().backward()
    assert x.grad.tolist() == [3.0, -4.0] and x.grad.dtype == tn.float32
    assert x.type_as(tn.ones(3)) is x                   # already float32
    assert tn.tensor([1.7, -2.2]).type_as(tn.tensor([1])).tolist() == [1, -2]
    with pytest.raises(TypeError, match="type_as: other must be a tensor, got list"):
        x.type_as([1.0])


@pytest.mark.parametrize("dtype, floating, size", [
    (tn.float16, True, 2), (tn.float32, True, 4), (tn.float64, True, 8), (tn.int8, False, 1),
    (tn.int16, False, 2), (tn.int32, False, 4), (tn.int64, False, 8), (tn.uint8, False, 1),
    (tn.bool, False, 1)])
def test_is_floating_point_and_element_size(dtype, floating, size):
    x = tn.zeros(3, dtype=dtype)
    assert x.is_floating_point() is floating and tn.is_floating_point(x) is floating
    assert x.element_size() == size


def test_is_floating_point_takes_a_tensor():
    with pytest.raises(TypeError, match="is_floating_point: input must be a tensor, got list"):
        tn.is_floating_point([1.0])


@pytest.mark.parametrize("name", ["view_as", "reshape_as"])
def test_view_as_and_reshape_as_take_the_other_shape(name):
    x = leaf(rand(2, 6))
    y = getattr(x, name)(tn.zeros(3, 4))
    assert y.shape == (3, 4) and y.tolist() == x.detach().reshape(3, 4).tolist()
    assert tn.gradcheck(lambda a: getattr(a, name)(tn.zeros(4, 3)), (x,))
    with pytest.raises(TypeError, match=f"{name}: other must be a tensor, got tuple"):
        getattr(x, name)((3, 4))
    with pytest.raises(RuntimeError, match=rf"{name}: shape \[5\] is invalid for input of "
                                           r"size 12"):  # reshape's error, under its name
        getattr(x, name)(tn.zeros(5))


# ---- unbind, repeat, tile, mT --------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_gives_the_slices_and_their_gradients(dim):
    x = rand(3, 4, 2)
    pieces = tn.unbind(tn.tensor(x), dim)
    expected = [np.take(x, i, axis=dim) for i in range(x.shape[dim])]
    assert isinstance(pieces, tuple) and len(pieces) == len(expected)
    for got, want in zip(pieces, expected):
        np.testing.assert_array_equal(got.array, want)
    weights = [k + 1.0 for k in range(len(expected))]  # a different weight per slice
    assert tn.gradcheck(lambda a: sum(w * p.sum() for w, p in zip(weights, a.unbind(dim))),
                        (leaf(x),))


def test_unbind_errors():
    with pytest.raises(IndexError, match="unbind: the tensor must have at least one "
                                         "dimension, got a 0-d tensor"):
        tn.tensor(1.0).unbind()
    with pytest.raises(IndexError, match="Dimension out of range"):
        tn.zeros(2, 3).unbind(2)


@settings(max_examples=40)
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       extra=st.integers(0, 2), data=st.data())
def test_repeat_is_numpys_tile(shape, extra, data):
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=len(shape) + extra,
                               max_size=len(shape) + extra))
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    got = tn.tensor(x).repeat(*sizes)
    np.testing.assert_array_equal(got.array, np.tile(x, sizes))
    assert got.shape == np.tile(x, sizes).shape
    assert tn.tensor(x).repeat(sizes).shape == got.shape  # one tuple or list works too


def test_repeat_gradient_sums_the_copies():
    # y = tile(x, (2, 3)): every element is copied 6 times, so dL/dx = 6 for L = sum(y)
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    x.repeat(2, 3).sum().backward()
    assert x.grad.tolist() == [[6.0, 6.0], [6.0, 6.0]]
    assert tn.gradcheck(lambda a: (a.repeat(2, 1, 3) ** 2 * tn.tensor(rand(2, 2, 6))).sum(),
                        (leaf(rand(2, 2, seed=3)),))


def test_repeat_and_tile_errors():
    x = tn.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"repeat: sizes must have at least as many entries "
                                           r"as the tensor has dims \(2\), got \[2\]"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match=r"repeat: sizes must be >= 0, got \[-1, 2\]"):
        x.repeat(-1, 2)
    with pytest.raises(TypeError, match="repeat: sizes must be an int or a sequence of ints"):
        x.repeat(2.0, 1)
    with pytest.raises(RuntimeError, match=r"tile: dims must be >= 0, got \[1, -2\]"):
        x.tile(-2)
    with pytest.raises(TypeError, match="tile: dims must be a tuple or list of ints, got int"):
        tn.tile(x, 2)


def test_tile_pads_dims_with_leading_ones():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(tn.tile(tn.tensor(x), (2,)).array, np.tile(x, 2))
    np.testing.assert_array_equal(tn.tensor(x).tile(2, 1, 1).array, np.tile(x, (2, 1, 1)))
    assert tn.tensor(x).tile(()).shape == (2, 3)


def test_mT_swaps_the_last_two_dims():
    x = leaf(rand(4, 2, 3))
    assert x.mT.shape == (4, 3, 2)
    np.testing.assert_array_equal(x.mT.detach().array, np.swapaxes(x.detach().array, -1, -2))
    assert tn.gradcheck(lambda a: (a.mT * tn.tensor(rand(4, 3, 2, seed=1))).sum(), (x,))
    assert tn.ones(2, 5).mT.shape == (5, 2)
    with pytest.raises(RuntimeError, match=r"mT: the tensor must be a matrix or a batch of "
                                           r"matrices \(at least 2 dims\), got shape \(3,\)"):
        tn.ones(3).mT


# ---- masked_select ---------------------------------------------------------------------------
def test_masked_select_takes_the_true_elements_in_order():
    x = np.arange(6.0).reshape(2, 3)
    mask = x % 2 == 0
    assert tn.masked_select(tn.tensor(x), tn.tensor(mask)).tolist() == [0.0, 2.0, 4.0]
    # the mask broadcasts over the rows, and the input over a larger mask
    row = np.array([True, False, True])
    assert tn.tensor(x).masked_select(tn.tensor(row)).tolist() == [0.0, 2.0, 3.0, 5.0]
    both = tn.tensor([1.0, 2.0]).masked_select(tn.tensor([[True, False], [True, True]]))
    assert both.tolist() == [1.0, 1.0, 2.0]


def test_masked_select_gradient():
    mask = tn.tensor(rand(3, 4, seed=2) > 0)
    weights = tn.tensor(rand(int(mask.array.sum()), seed=5))
    assert tn.gradcheck(lambda a: (a.masked_select(mask) * weights).sum(), (leaf(rand(3, 4)),))
    x = leaf([1.0, 2.0])  # broadcast to a (2, 2) mask: copies' gradients add up
    x.masked_select(tn.tensor([[True, False], [True, True]])).sum().backward()
    assert x.grad.tolist() == [2.0, 1.0]


def test_masked_select_errors():
    with pytest.raises(RuntimeError, match="masked_select: mask must be a boolean tensor, got "
                                           "dtype int64"):
        tn.zeros(3).masked_select(tn.tensor([1, 0, 1]))
    with pytest.raises(RuntimeError, match=r"masked_select: mask of shape \(2,\) and input of "
                                           r"shape \(3,\) do not broadcast together"):
        tn.zeros(3).masked_select(tn.tensor([True, False]))


# ---- comparisons and pow as functions -----------------------------------------------------------
@pytest.mark.parametrize("name, op", [
    ("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
    ("gt", np.greater), ("ge", np.greater_equal)])
def test_comparison_functions(name, op):
    a, b = np.round(rand(3, 4)), np.round(rand(4, seed=1))  # ties included
    got = getattr(tn, name)(tn.tensor(a), tn.tensor(b))
    assert got.dtype == tn.bool and got.tolist() == op(a, b).tolist()
    assert getattr(tn, name)(tn.tensor(a), 1.0).tolist() == op(a, 1.0).tolist()
    assert getattr(tn.tensor(a), name)(tn.tensor(b)).tolist() == op(a, b).tolist()
    with pytest.raises(TypeError, match=f"{name}: input must be a tensor, got float"):
        getattr(tn, name)(1.0, tn.tensor(a))


def test_pow_function():
    x = leaf(rand(5, low=0.5, high=2.0))
    assert tn.allclose(tn.pow(x, 3), x ** 3)
    assert tn.allclose(tn.pow(2.0, x), 2.0 ** x)
    assert tn.pow(2, tn.tensor([1, 2, 3])).tolist() == [2, 4, 8]
    assert tn.pow(2, tn.tensor([1, 2])).dtype == tn.int64
    assert tn.pow(2.0, tn.tensor([1, 2])).dtype == tn.float32
    assert tn.gradcheck(lambda a, b: tn.pow(a, b), (x, leaf(rand(5, seed=1))))
    assert tn.gradcheck(lambda b: tn.pow(1.5, b), (leaf(rand(5, seed=1)),))
    with pytest.raises(TypeError, match="pow: input or exponent must be a tensor, got float "
                                        "and int"):
        tn.pow(2.0, 3)


# ---- unique and bincount -------------------------------------------------------------------
def test_unique_with_inverse_and_counts():
    x = tn.tensor([[3, 1, 2], [1, 3, 3]])
    values, inverse, counts = tn.unique(x, return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 2, 3] and values.dtype == tn.int64
    assert inverse.tolist() == [[2, 0, 1], [0, 2, 2]] and inverse.dtype == tn.int64
    assert counts.tolist() == [2, 1, 3]
    np.testing.assert_array_equal(values.array[inverse.array], x.array)  # the definition
    assert x.unique().tolist() == [1, 2, 3]
    assert tn.unique(x, return_counts=True)[1].tolist() == [2, 1, 3]
    assert tn.unique(x, sorted=False).tolist() == [1, 2, 3]


def test_unique_keeps_each_nan_and_the_dtype():
    x = tn.tensor([np.nan, 1.0, np.nan, 1.0], dtype=tn.float16)
    values, counts = tn.unique(x, return_counts=True)
    assert values.dtype == tn.float16 and values.shape == (3,)
    assert values.array[0] == 1.0 and np.isnan(values.array[1:]).all()
    assert counts.tolist() == [2, 1, 1]
    assert tn.unique(tn.tensor([True, False, True])).tolist() == [False, True]
    values, inverse = tn.unique(tn.tensor(5), return_inverse=True)
    assert values.tolist() == [5] and inverse.shape == () and inverse.item() == 0


def test_unique_over_a_dim_is_not_implemented():
    with pytest.raises(NotImplementedError, match=r"unique: dim must be None .*got dim=0"):
        tn.unique(tn.zeros(2, 2), dim=0)


def test_bincount_counts_and_sums_weights():
    x = tn.tensor([1, 1, 3, 0, 1])
    assert tn.bincount(x).tolist() == [1, 3, 0, 1] and tn.bincount(x).dtype == tn.int64
    assert tn.bincount(x, minlength=6).tolist() == [1, 3, 0, 1, 0, 0]
    w = tn.tensor([0.5, 1.0, 2.0, 4.0, 0.25])
    got = x.bincount(w)
    assert got.tolist() == [4.0, 1.75, 0.0, 2.0] and got.dtype == tn.float32
    assert tn.bincount(x, w.double()).dtype == tn.float64
    assert tn.bincount(x, tn.tensor([1, 2, 3, 4, 5])).tolist() == [4.0, 8.0, 0.0, 3.0]
    assert tn.bincount(x, tn.tensor([1, 2, 3, 4, 5])).dtype == tn.float64
    assert tn.bincount(tn.tensor([], dtype=tn.int64), minlength=2).tolist() == [0, 0]
    assert tn.bincount(tn.tensor([2], dtype=tn.uint8)).tolist() == [0, 0, 1]


@pytest.mark.parametrize("bad, message", [
    (lambda: tn.bincount(tn.tensor([[1]])), r"bincount: input must be a 1-D tensor of "
                                            r"non-negative integers, got dtype int64, shape "
                                            r"\(1, 1\) and smallest value 1"),
    (lambda: tn.bincount(tn.tensor([1, -2])), "smallest value -2"),
    (lambda: tn.bincount(tn.tensor([1.0])), "got dtype float32, shape"),
    (lambda: tn.bincount(tn.tensor([True])), "got dtype bool, shape"),
    (lambda: tn.bincount(tn.tensor([1, 2]), tn.tensor([1.0])),
     r"bincount: weights must be a 1-D tensor of numbers as long as the input \(2\), got "
     r"dtype float32 and shape \(1,\)"),
])
def test_bincount_errors(bad, message):
    with pytest.raises(RuntimeError, match=message):
        bad()


def test_bincount_minlength_must_be_a_count():
    with pytest.raises(ValueError, match="bincount: minlength must be an integer >= 0, got -1"):
        tn.bincount(tn.tensor([1]), minlength=-1)


# ---- finfo and iinfo --------------------------------------------------------------------------
def test_finfo_of_float32_in_closed_form():
    f = tn.finfo(tn.float32)
    assert f.bits == 32 and f.eps == 2.0 ** -23 and f.tiny == 2.0 ** -126
    assert f.max == (2 - 2.0 ** -23) * 2.0 ** 127 and f.min == -f.max
    assert f.resolution == 1e-6 and f.smallest_normal == f.tiny and f.dtype == "float32"
    assert all(type(v) is float for v in (f.eps, f.max, f.min, f.tiny, f.resolution))
    assert tn.finfo().dtype == np.dtype(tn.get_default_dtype()).name
    assert tn.finfo(tn.float16).resolution == 1e-3 and tn.finfo(tn.float64).eps == 2.0 ** -52


@pytest.mark.parametrize("dtype, bits, low, high", [
    (tn.uint8, 8, 0, 255), (tn.int8, 8, -128, 127), (tn.int16, 16, -2 ** 15, 2 ** 15 - 1),
    (tn.int32, 32, -2 ** 31, 2 ** 31 - 1), (tn.int64, 64, -2 ** 63, 2 ** 63 - 1)])
def test_iinfo(dtype, bits, low, high):
    i = tn.iinfo(dtype)
    assert (i.bits, i.min, i.max) == (bits, low, high) and type(i.max) is int


def test_finfo_and_iinfo_errors():
    with pytest.raises(TypeError, match="finfo: type must be a floating-point dtype, got int32"):
        tn.finfo(tn.int32)
    with pytest.raises(TypeError, match="iinfo: type must be an integer dtype, got float32"):
        tn.iinfo(tn.float32)
    with pytest.raises(TypeError, match="iinfo: type must be an integer dtype, got bool"):
        tn.iinfo(tn.bool)
    with pytest.raises(TypeError, match="finfo: type must be a dtype, got 'nonsense'"):
        tn.finfo("nonsense")


# ---- in place ----------------------------------------------------------------------------------
MASK = tn.tensor([True, False, True])
IN_PLACE = {  # name: (in place, out of place)
    "exp_": (lambda h: h.exp_(), lambda h: h.exp()),
    "sqrt_": (lambda h: h.sqrt_(), lambda h: h.sqrt()),
    "abs_": (lambda h: h.abs_(), lambda h: h.abs()),
    "relu_": (lambda h: h.relu_(), lambda h: h.relu()),
    "sigmoid_": (lambda h: h.sigmoid_(), lambda h: h.sigmoid()),
    "tanh_": (lambda h: h.tanh_(), lambda h: h.tanh()),
    "clamp_min_": (lambda h: h.clamp_min_(0.5), lambda h: h.clamp_min(0.5)),
    "clamp_max_": (lambda h: h.clamp_max_(0.5), lambda h: h.clamp_max(0.5)),
    "masked_fill_": (lambda h: h.masked_fill_(MASK, 2.5), lambda h: h.masked_fill(MASK, 2.5)),
}
VALUES = [0.3, -1.7, 2.2]  # no kinks (0, 0.5), positive where sqrt_ needs it (abs taken)


def _positive_if(name, values):
    return [abs(v) for v in values] if name == "sqrt_" else values


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_outside_the_graph_writes_the_out_of_place_values(name):
    in_place, out_of_place = IN_PLACE[name]
    t = tn.tensor(_positive_if(name, VALUES))
    expected = out_of_place(t).array.copy()
    array, version, view = t.array, t._version[0], t.detach()
    assert in_place(t) is t
    assert t.array is array and t._version[0] == version + 1
    np.testing.assert_array_equal(t.array, expected)
    np.testing.assert_array_equal(view.array, expected)  # a view shares the change


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_refuses_a_leaf_that_requires_grad(name):
    p = leaf(_positive_if(name, VALUES))
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*in-place"):
        IN_PLACE[name][0](p)
    assert p.tolist() == _positive_if(name, VALUES)
    with tn.no_grad():
        IN_PLACE[name][0](p)  # an update under no_grad is allowed, as in PyTorch
    assert p.tolist() == IN_PLACE[name][1](tn.tensor(_positive_if(name, VALUES),
                                                     dtype=tn.float64)).tolist()


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_inside_the_graph_has_the_out_of_place_gradients(name):
    in_place, out_of_place = IN_PLACE[name]
    grads = []
    for update in (in_place, out_of_place):
        a = leaf(_positive_if(name, VALUES))
        h = a * 1.5
        h = update(h)
        (h * h).sum().backward()
        grads.append((h.detach().array.copy(), a.grad.array))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    a = leaf(_positive_if(name, VALUES))
    assert tn.gradcheck(lambda x: in_place(x * 1.0).sum(), (a,))


def test_masked_fill_in_place_sends_the_gradient_to_a_tensor_value():
    a, v = leaf([1.0, 2.0, 3.0]), leaf(4.0)
    h = a * 2
    h.masked_fill_(MASK, v)
    (h * h).sum().backward()
    assert h.tolist() == [4.0, 4.0, 4.0]
    assert a.grad.tolist() == [0.0, 16.0, 0.0] and v.grad.item() == 16.0  # 2·4 twice
    t = tn.tensor([1, 2, 3])
    t.masked_fill_(MASK, 2.7)               # cast to the tensor's dtype, as in PyTorch
    assert t.tolist() == [2, 2, 2] and t.dtype == tn.int64


@pytest.mark.parametrize("name", ["exp_", "sqrt_", "sigmoid_", "tanh_", "clamp_min_"])
def test_an_integer_tensor_cannot_hold_a_float_result(name):
    t = tn.tensor([1, 2, 4])
    with pytest.raises(RuntimeError, match=f"{name}: the result's dtype float32 cannot be "
                                           f"written into this tensor's dtype int64"):
        IN_PLACE[name][0](t)
    assert t.tolist() == [1, 2, 4] and t._version[0] == 0


def test_integer_results_stay_in_place():
    t = tn.tensor([-1, 2, -3])
    assert t.abs_().tolist() == [1, 2, 3]
    assert tn.tensor([-1, 2]).relu_().tolist() == [0, 2]
    assert tn.tensor([-1, 2]).clamp_min_(0).tolist() == [0, 2]


def test_unsqueeze_and_squeeze_in_place():
    t = tn.ones(3)
    view = t.detach()
    assert t.unsqueeze_(0) is t and t.shape == (1, 3) and t._version[0] == 1
    assert view.shape == (3,)                                       # as PyTorch: its own shape
    t.array[0, 1] = 5.0
    assert view.tolist() == [1.0, 5.0, 1.0]                         # and the same memory
    assert t.unsqueeze_(-1).shape == (1, 3, 1)
    assert t.squeeze_(0).shape == (3, 1) and t.squeeze_().shape == (3,)
    assert t.squeeze_(0).shape == (3,)                              # size 3: unchanged
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unsqueeze_(3)


def test_unsqueeze_in_place_inside_the_graph():
    a = leaf([1.0, 2.0])
    h = a * 3
    h.unsqueeze_(1)
    assert h.shape == (2, 1) and h.grad_fn is not None
    (h * tn.tensor([[1.0], [2.0]], dtype=tn.float64)).sum().backward()
    assert a.grad.tolist() == [3.0, 6.0]
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        a.squeeze_()


def test_a_function_with_a_new_in_place_op_is_not_replayed():
    """tn.capture's rule for in-place changes holds for the new methods: relu_ inside
    the graph rebinds (a tensor made by one op now holds another op's array)."""
    tn.manual_seed(0)
    model = tn.nn.Linear(3, 2)
    step = tn.capture(lambda x: model(x).relu_().pow(2).sum())
    with pytest.warns(UserWarning, match="changes a tensor in place"):
        for x in (tn.ones(4, 3), tn.ones(4, 3), -tn.ones(4, 3)):
            loss = step(x)
    assert step.replays == 0
    assert loss.item() == model(-tn.ones(4, 3)).relu().pow(2).sum().item()


def test_the_new_shape_ops_replay_in_tn_capture():
    """repeat, tile, unbind, mT and view_as read no values: a captured step replays."""
    tn.manual_seed(0)
    model = tn.nn.Linear(3, 2)

    def loss_of(x):
        h = model(x).repeat(2, 1).tile(1, 2).mT      # (4, 8)
        first, *_ = h.unbind(0)
        return (first.view_as(tn.zeros(2, 4)) ** 2).sum()

    step = tn.capture(loss_of)
    for x in (tn.ones(4, 3), tn.ones(4, 3), tn.randn(4, 3)):
        loss = step(x)
    assert step.replays == 1
    assert loss.item() == loss_of(x).item()


# ---- against PyTorch ------------------------------------------------------------------------
class TestAgainstPyTorch:
    torch = None

    @pytest.fixture(autouse=True)
    def _torch(self):
        type(self).torch = pytest.importorskip("torch")

    def both(self, x, requires_grad=True):
        return (tn.tensor(x, requires_grad=requires_grad),
                self.torch.tensor(x, requires_grad=requires_grad))

    def check(self, tn_fn, torch_fn, *arrays):
        ours = [tn.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        theirs = [self.torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        y, y_ref = tn_fn(*ours), torch_fn(*theirs)
        assert y.shape == tuple(y_ref.shape)
        assert y.dtype == y_ref.detach().numpy().dtype
        np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-12)
        if y.requires_grad:
            v = np.random.default_rng(1).standard_normal(y.shape)
            y.backward(tn.tensor(v))
            y_ref.backward(self.torch.tensor(v))
            for a, b in zip(ours, theirs):
                if a.requires_grad:
                    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-12)

    @pytest.mark.parametrize("sizes", [(2, 3), (1, 2, 1, 2), (3, 1, 1), (0, 2)])
    def test_repeat(self, sizes):
        self.check(lambda a: a.repeat(*sizes), lambda a: a.repeat(*sizes), rand(2, 1, 3)[0])

    @pytest.mark.parametrize("dims", [(2,), (2, 1), (1, 2, 3), ()])
    def test_tile(self, dims):
        self.check(lambda a: tn.tile(a, dims), lambda a: self.torch.tile(a, dims), rand(2, 3))

    def test_shapes(self):
        x = rand(2, 3, 4)
        self.check(lambda a: a.mT, lambda a: a.mT, x)
        self.check(lambda a: a.view_as(tn.zeros(4, 6)),
                   lambda a: a.view_as(self.torch.zeros(4, 6)), x)
        self.check(lambda a: a.reshape_as(tn.zeros(6, 4)),
                   lambda a: a.reshape_as(self.torch.zeros(6, 4)), x)
        for dim in (0, 1, -1):
            self.check(lambda a: tn.stack([p * (k + 1) for k, p in enumerate(a.unbind(dim))]),
                       lambda a: self.torch.stack([p * (k + 1)
                                                   for k, p in enumerate(a.unbind(dim))]), x)

    def test_masked_select(self):
        mask = rand(3, 4, seed=4) > 0
        self.check(lambda a, m: tn.masked_select(a, m),
                   lambda a, m: self.torch.masked_select(a, m), rand(3, 4), mask)
        self.check(lambda a, m: a.masked_select(m), lambda a, m: a.masked_select(m),
                   rand(4), mask)  # the input broadcast to the mask

    @pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
    def test_comparisons(self, name):
        a, b = np.round(rand(3, 4)), np.round(rand(4, seed=1))
        ours = getattr(tn, name)(tn.tensor(a), tn.tensor(b)).array
        theirs = getattr(self.torch, name)(self.torch.tensor(a), self.torch.tensor(b)).numpy()
        np.testing.assert_array_equal(ours, theirs)
        ours = getattr(tn, name)(tn.tensor([1, 2, 3]), 2.5).array
        np.testing.assert_array_equal(
            ours, getattr(self.torch, name)(self.torch.tensor([1, 2, 3]), 2.5).numpy())

    def test_pow(self):
        self.check(lambda a, b: tn.pow(a, b), lambda a, b: self.torch.pow(a, b),
                   rand(5, low=0.5, high=2), rand(5, seed=1))
        self.check(lambda b: tn.pow(1.5, b), lambda b: self.torch.pow(1.5, b), rand(5))
        for base, exponent in ((2, [1, 2]), (2.0, [1, 2]), (True, [1, 3])):
            ours = tn.pow(base, tn.tensor(exponent))
            theirs = self.torch.pow(base, self.torch.tensor(exponent))
            assert ours.tolist() == theirs.tolist()
            assert ours.dtype == theirs.numpy().dtype

    @pytest.mark.parametrize("values", [[3, 1, 2, 1, 3, 3], [[2.0, 1.0], [1.0, np.nan]],
                                        [np.nan, np.nan, 1.0], 5, [True, False, True]])
    def test_unique(self, values):
        ours = tn.unique(tn.tensor(values), return_inverse=True, return_counts=True)
        theirs = self.torch.unique(self.torch.tensor(values), return_inverse=True,
                                   return_counts=True)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.array, b.numpy())
            assert a.dtype == b.numpy().dtype and a.shape == tuple(b.shape)

    @pytest.mark.parametrize("weights", [None, [0.5, 1.0, 2.0, 4.0], [1, 2, 3, 4]])
    @pytest.mark.parametrize("minlength", [0, 7])
    def test_bincount(self, weights, minlength):
        x = [1, 1, 3, 4]
        w = None if weights is None else (tn.tensor(weights), self.torch.tensor(weights))
        ours = tn.bincount(tn.tensor(x), None if w is None else w[0], minlength)
        theirs = self.torch.bincount(self.torch.tensor(x), None if w is None else w[1],
                                     minlength)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
        assert ours.dtype == theirs.numpy().dtype

    @pytest.mark.parametrize("name", ["float16", "float32", "float64"])
    def test_finfo(self, name):
        ours, theirs = tn.finfo(getattr(tn, name)), self.torch.finfo(getattr(self.torch, name))
        for attribute in ("bits", "eps", "max", "min", "tiny", "smallest_normal",
                          "resolution", "dtype"):
            assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
        assert repr(ours) == repr(theirs)

    @pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
    def test_iinfo(self, name):
        ours, theirs = tn.iinfo(getattr(tn, name)), self.torch.iinfo(getattr(self.torch, name))
        assert (ours.bits, ours.max, ours.min, ours.dtype) == \
            (theirs.bits, theirs.max, theirs.min, theirs.dtype)

    @pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16",
                                      "int32", "int64", "uint8", "bool"])
    def test_element_size_and_is_floating_point(self, name):
        ours, theirs = tn.zeros(2, dtype=getattr(tn, name)), \
            self.torch.zeros(2, dtype=getattr(self.torch, name))
        assert ours.element_size() == theirs.element_size()
        assert ours.is_floating_point() == theirs.is_floating_point()
        assert ours.type_as(tn.zeros(1)).dtype == theirs.type_as(self.torch.zeros(1)).numpy().dtype

    @pytest.mark.parametrize("name", sorted(IN_PLACE))
    def test_in_place_step(self, name):
        """An in-place op inside the graph, then one under no_grad: the values and the
        gradients are PyTorch's."""
        results = []
        for lib in (tn, self.torch):
            w = lib.tensor(_positive_if(name, VALUES), dtype=lib.float64, requires_grad=True)
            h = w * 1.5
            if name == "masked_fill_":
                h.masked_fill_(lib.tensor([True, False, True]), 2.5)
            else:
                getattr(h, name)(*((0.5,) if name.startswith("clamp") else ()))
            (h * h).sum().backward()
            with lib.no_grad():
                getattr(w, name)(*((0.5,) if name.startswith("clamp") else ())) \
                    if name != "masked_fill_" else w.masked_fill_(lib.tensor([True, False,
                                                                              True]), 2.5)
            results.append((h.detach().numpy().copy(), w.grad.numpy().copy(),
                            w.detach().numpy().copy()))
        for ours, theirs in zip(*results):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)

    def test_unsqueeze_squeeze_in_place(self):
        ours, theirs = tn.ones(3), self.torch.ones(3)
        for t in (ours, theirs):
            t.unsqueeze_(0).unsqueeze_(-1).squeeze_(0)
        assert ours.shape == tuple(theirs.shape) == (3, 1)
        assert ours._version[0] == theirs._version == 3


def test_numpy_refuses_a_tensor_that_requires_grad_unless_forced():
    w = tn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on a tensor that requires "
                                           r"grad. Use tensor.detach\(\).numpy\(\) instead."):
        w.numpy()
    forced = w.numpy(force=True)  # detach().numpy(): the same memory, as PyTorch's on a CPU
    assert forced.tolist() == [1.0, 2.0] and np.shares_memory(forced, w.detach().numpy())
    with tn.no_grad():
        w.mul_(2)
    assert forced.tolist() == [2.0, 4.0]
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    assert t.numpy(force=True).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        t.numpy()


def test_one_element_tensors_in_a_list_make_a_tensor_of_their_numbers():
    # the usual way of collecting per-batch predictions of batch size 1
    predictions = [tn.tensor([2]), tn.tensor([0]), tn.tensor([1])]
    labels = tn.tensor([2, 1, 1])
    collected = tn.tensor(predictions)
    assert collected.shape == (3,) and collected.dtype == tn.int64
    assert (collected == labels).float().mean().item() == pytest.approx(2 / 3)
    assert tn.tensor([tn.tensor(1.5, dtype=tn.float64), 2]).dtype == tn.float64
    with pytest.raises(ValueError, match=r"tensor: a tensor inside a list must have one "
                                         r"element .* got one of shape \(2,\); join tensors "
                                         r"with tn.stack or tn.cat"):
        tn.tensor([tn.ones(2), tn.ones(2)])


def test_comparing_with_none_a_string_or_a_list_is_pythons_answer_as_in_pytorch():
    t = tn.tensor([1, 2])
    assert (t == None) is False and (t != None) is True  # noqa: E711  (what is tested)
    assert (t == "ab") is False and (t == [1, 2]) is False and t not in [None, "x"]
    assert (t == np.array([1, 2])).tolist() == [True, True]  # arrays and numbers: elementwise
    assert (t == np.int64(2)).tolist() == [False, True]
    with pytest.raises(TypeError):
        t < None  # noqa: B015
    with pytest.raises(TypeError, match="eq: other must be a tensor, an array or a number, "
                                        "got list"):
        tn.eq(t, [1, 2])
    with pytest.raises(TypeError, match="gt: other must be"):
        t.gt(None)


def test_memory_formats_as_pytorchs_optimizers_pass_them():
    p = tn.ones(2, 3)
    assert tn.zeros_like(p, memory_format=tn.preserve_format).tolist() == [[0.0] * 3] * 2
    assert p.clone(memory_format=tn.contiguous_format).shape == (2, 3)
    assert tn.randn_like(p, memory_format=tn.preserve_format).shape == (2, 3)
    assert p.is_contiguous() and not p.t().is_contiguous() and p.t().contiguous().shape == (3, 2)
    assert isinstance(tn.preserve_format, tn.memory_format)
    with pytest.raises(ValueError, match="empty_like: memory_format must be "
                                         "tinynet.preserve_format or tinynet.contiguous_format"):
        tn.empty_like(p, memory_format="channels_last")


def test_erf_of_float16_stays_float16():
    x = tn.tensor([-1.0, 0.5, 2.0], dtype=tn.float16, requires_grad=True)
    y = x.erf()
    assert y.dtype == tn.float16
    np.testing.assert_allclose(y.detach().numpy(), [-0.8427, 0.5205, 0.9953], rtol=1e-3)
    y.sum().backward()
    assert x.grad.dtype == tn.float16


def test_settings_pytorch_code_makes_are_taken_and_read_back():
    tn.use_deterministic_algorithms(True, warn_only=True)
    assert tn.are_deterministic_algorithms_enabled()
    assert tn.is_deterministic_algorithms_warn_only_enabled()
    tn.use_deterministic_algorithms(False)
    assert not tn.are_deterministic_algorithms_enabled()
    before = tn.get_float32_matmul_precision()
    tn.set_float32_matmul_precision("medium")
    assert tn.get_float32_matmul_precision() == "medium"
    tn.set_float32_matmul_precision(before)
    with pytest.raises(ValueError, match="set_float32_matmul_precision: precision must be "
                                         "one of"):
        tn.set_float32_matmul_precision("low")
    model = tn.nn.Linear(2, 2)
    assert tn.compile(model) is model and tn.compile(mode="max-autotune")(model) is model
    state = tn.get_rng_state()
    assert state.dtype == tn.uint8
    drawn = tn.randn(3)
    tn.set_rng_state(state)
    assert tn.randn(3).tolist() == drawn.tolist()
    with pytest.raises(TypeError, match="set_rng_state: new_state must be the uint8 tensor"):
        tn.set_rng_state([1, 2])


def test_small_factories_and_older_names():
    import warnings

    np.testing.assert_allclose(tn.logspace(0, 2, 3).numpy(), [1.0, 10.0, 100.0])
    assert tn.logspace(0, 3, 4, base=2).tolist() == [1.0, 2.0, 4.0, 8.0]
    assert tn.column_stack([tn.tensor([1, 2]), tn.tensor([[3, 4], [5, 6]])]).tolist() == \
        [[1, 3, 4], [2, 5, 6]]
    assert tn.zeros(tn.tensor(3)).shape == (3,)  # a size from a 0-d integer tensor
    assert tn.ones(2, dtype=tn.float64).new_empty(2, 3).dtype == tn.float64
    assert issubclass(tn.optim.lr_scheduler.StepLR, tn.optim.lr_scheduler._LRScheduler)
    w = tn.empty(3, 4)
    with pytest.warns(FutureWarning, match="nn.init.constant is now deprecated in favor of "
                                           "nn.init.constant_"):
        tn.nn.init.constant(w, 0.5)
    assert w.tolist() == [[0.5] * 4] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tn.cuda.empty_cache()
        tn.cuda.synchronize()


def test_strides_bytes_and_conjugate_transposes_as_pytorchs():
    x = tn.arange(6.0).reshape(2, 3)
    assert x.stride() == (3, 1) and x.t().stride() == (1, 3) and x.stride(-2) == 3
    assert x[:, ::2].stride() == (3, 2)  # a strided view: every other column
    assert x.nbytes == 24 and x.itemsize == 4 and tn.ones(3, dtype=tn.float64).nbytes == 24
    assert x.H.tolist() == x.t().tolist() and tn.ones(4, 2, 3).mH.shape == (4, 3, 2)
    with pytest.raises(RuntimeError, match="H: the tensor must be a matrix"):
        tn.ones(2, 2, 2).H


def test_assert_close_uses_the_dtypes_tolerances_and_names_the_worst_element():
    from tinynet.testing import assert_close

    assert_close(tn.tensor([1.0, 2.0]), tn.tensor([1.0, 2.0 + 1e-6]))  # float32: rtol 1.3e-6
    assert_close([tn.tensor(1.0), {"a": 2.0}], [tn.tensor(1.0), {"a": 2.0}])
    assert_close(tn.tensor([np.nan, np.inf]), tn.tensor([np.nan, np.inf]), equal_nan=True)
    assert_close(tn.tensor([1.0]), tn.tensor([1.1]), rtol=0.2, atol=0.0)
    with pytest.raises(AssertionError, match=r"Tensor-likes are not close!\n\nMismatched "
                                             r"elements: 1 / 3 \(33.3%\)\nGreatest absolute "
                                             r"difference: 0.099\d* at index \(2,\)"):
        assert_close(tn.tensor([1.0, 2.0, 3.0]), tn.tensor([1.0, 2.0, 3.1]))
    with pytest.raises(AssertionError, match=r"Greatest absolute difference: 0.000999\d* at "):
        assert_close(tn.tensor([1.0], dtype=tn.float64), tn.tensor([1.001], dtype=tn.float64))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_close(tn.tensor([np.nan]), tn.tensor([np.nan]))  # nan only with equal_nan
    with pytest.raises(AssertionError, match="'dtype' do not match: float32 != float64"):
        assert_close(tn.ones(2), tn.ones(2, dtype=tn.float64))
    with pytest.raises(ValueError, match="rtol and atol must be given together"):
        assert_close(tn.ones(1), tn.ones(1), rtol=0.1)


def test_contiguous_copies_only_what_is_not_and_requires_grad_takes_a_bool():
    x = tn.ones(2, 3, requires_grad=True)
    assert x.contiguous() is x
    transposed = x.t().contiguous()
    assert transposed.is_contiguous() and transposed.shape == (3, 2)
    (transposed * tn.arange(6.0).reshape(3, 2)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    leaf = tn.ones(2)
    with pytest.raises(RuntimeError, match="requires_grad: requires_grad must be a bool, "
                                           "got int"):
        leaf.requires_grad = 1
    with pytest.raises(TypeError, match="requires_grad_: requires_grad must be a bool"):
        leaf.requires_grad_(None)
    with pytest.raises(AssertionError, match="^mine$"):
        from tinynet.testing import assert_close
        assert_close(tn.ones(1), tn.zeros(1), msg="mine")


def test_index_fill_sets_whole_slices_and_passes_the_gradient_to_the_rest():
    x = tn.arange(6.0).reshape(2, 3).requires_grad_()
    y = x.index_fill(1, tn.tensor([0, 2]), -1.0)
    assert y.tolist() == [[-1.0, 1.0, -1.0], [-1.0, 4.0, -1.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    assert tn.arange(3).index_fill(0, tn.tensor(-1), 9).tolist() == [0, 1, 9]
    z = tn.zeros(3)
    assert z.index_fill_(0, tn.tensor([0]), tn.tensor(5.0)) is z and z.tolist() == [5, 0, 0]
    with pytest.raises(IndexError, match="index_fill: index 3 is out of bounds for dim 0 "
                                         "with size 3"):
        tn.zeros(3).index_fill(0, tn.tensor([3]), 1.0)
    with pytest.raises(RuntimeError, match="index_fill: index must be a 0-d or 1-D integer"):
        tn.zeros(3).index_fill(0, tn.tensor([0.0]), 1.0)


def test_fork_rng_gives_the_block_its_own_draws():
    tn.manual_seed(0)
    with tn.random.fork_rng():
        inside = tn.rand(3)
    after = tn.rand(3)
    assert inside.tolist() == after.tolist()  # the generator was put back
    with tn.random.fork_rng(enabled=False):
        tn.rand(1)
    assert tn.rand(3).tolist() != after.tolist()


def test_the_deprecated_default_tensor_type_sets_the_default_dtype():
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            tn.set_default_tensor_type(tn.DoubleTensor)
        assert tn.get_default_dtype() == tn.float64 and tn.ones(1).dtype == tn.float64
        with pytest.warns(UserWarning):
            tn.set_default_tensor_type("torch.FloatTensor")
        assert tn.get_default_dtype() == tn.float32
        with pytest.raises(TypeError, match="only floating-point types are supported"), \
                pytest.warns(UserWarning):
            tn.set_default_tensor_type(tn.LongTensor)
    finally:
        tn.set_default_dtype(tn.float32)


def test_mixed_precision_names_change_nothing_and_say_so_when_enabled():
    import warnings

    w = tn.nn.Parameter(tn.ones(2))
    optimizer = tn.optim.SGD([w], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # disabled: silent, as PyTorch's
        scaler = tn.cuda.amp.GradScaler(enabled=False)
        with tn.autocast(device_type="cpu", enabled=False):
            loss = (w * w).sum()
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        scaler.step(optimizer)
        scaler.update()
    np.testing.assert_allclose(w.tolist(), [0.8, 0.8], rtol=1e-6)
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0
    tn.amp._warned.clear()
    with pytest.warns(UserWarning, match="GradScaler: tinynet has no mixed precision"):
        tn.amp.GradScaler("cuda")
    with pytest.warns(UserWarning, match="autocast: tinynet has no mixed precision"):
        with tn.autocast("cpu"):
            pass
    tn.backends.cuda.matmul.allow_tf32 = True  # taken, as scripts set it
    assert tn.cuda.memory_allocated() == 0 and tn.version.cuda is None
    assert tn.utils.data.get_worker_info() is None
    assert tn.nn.Linear(2, 2).type(tn.DoubleTensor).weight.dtype == tn.float64


def test_index_put_with_accumulate_counts_a_confusion_matrix():
    labels, predictions = tn.tensor([0, 0, 1, 2, 2, 2]), tn.tensor([0, 1, 1, 2, 2, 0])
    matrix = tn.zeros(3, 3, dtype=tn.int64)
    matrix.index_put_((labels, predictions), tn.ones(6, dtype=tn.int64), accumulate=True)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    with pytest.raises(TypeError, match="index_put: values must be a tensor, got float"):
        matrix.index_put_((labels,), 1.0)
    with pytest.raises(IndexError, match="index_put: index 3 is out of bounds for dim 0"):
        matrix.index_put((tn.tensor([3]),), tn.ones(3, dtype=tn.int64), accumulate=True)


def test_index_put_takes_boolean_masks_as_pytorch():
    mask = tn.tensor([[True, False], [False, True]])
    assert tn.zeros(2, 2).index_put((mask,), tn.tensor(1.0)).tolist() == [[1, 0], [0, 1]]
    assert tn.zeros(2, 2).index_put((mask,), tn.tensor([1.0, 2.0]),
                                    accumulate=True).tolist() == [[1, 0], [0, 2]]
    rows = tn.zeros(2, 3).index_put((tn.tensor([True, False]),), tn.tensor(5.0))
    assert rows.tolist() == [[5, 5, 5], [0, 0, 0]]


def test_integer_ranges_truncate_as_pytorch():
    # linspace: each value toward zero (numpy's int linspace floors: -1/3 became -1)
    assert tn.linspace(-1, 1, 4, dtype=tn.int32).tolist() == [-1, 0, 0, 1]
    assert tn.linspace(-2.5, 2.5, 5, dtype=tn.int64).tolist() == [-2, -1, 0, 1, 2]
    assert tn.linspace(0, 10, 4, dtype=tn.int64).tolist() == [0, 3, 6, 10]
    # both ends exact: the second half counts back from the end
    x = tn.linspace(0.0, 1.0, 7, dtype=tn.float64)
    assert x[-1].item() == 1.0 and x[4].item() == 1.0 - 2 * (1.0 / 6)
    # arange: int64 truncates the arguments; other integer dtypes truncate start and step
    # and count with the float arguments
    assert tn.arange(-3.5, 0, 1, dtype=tn.int64).tolist() == [-3, -2, -1]
    assert tn.arange(-3.5, 0, 1, dtype=tn.int32).tolist() == [-3, -2, -1, 0]
    assert tn.arange(-5, 0, 1.5, dtype=tn.int32).tolist() == [-5, -4, -3, -2]
    with pytest.raises(ValueError, match="arange: step must be nonzero, got 0"):
        tn.arange(0.5, 3, 0.7, dtype=tn.int64)
    # 0-d tensors and numpy scalars are their numbers
    assert tn.arange(np.int64(3)).tolist() == [0, 1, 2]
    assert tn.linspace(0, np.int32(4), tn.tensor(3), dtype=tn.int64).tolist() == [0, 2, 4]
    for steps, error in ((-1, ValueError), (2.5, TypeError)):
        with pytest.raises(error, match="linspace: steps must be an integer >= 0"):
            tn.linspace(0, 1, steps)
    assert tn.arange(tn.tensor(3)).tolist() == [0, 1, 2]
    assert tn.arange(tn.tensor(3)).dtype == tn.int64
    assert tn.arange(tn.tensor(1), 4).tolist() == [1, 2, 3]
    torch = pytest.importorskip("torch")
    for args in [(-3.5, 0, 1), (-5, 0, 1.5), (-2.7, 3, 1.2), (0, 3.5, 1), (10, 0, -3)]:
        for name in ("int64", "int32", "int16", "uint8"):
            assert tn.arange(*args, dtype=getattr(tn, name)).tolist() == \
                torch.arange(*args, dtype=getattr(torch, name)).tolist(), (args, name)
    # linspace: each value rounded once, as PyTorch's fused multiply-add (exact where numpy
    # has a wider float than float64, as on x86-64)
    exact = np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant
    rng = np.random.default_rng(0)
    for _ in range(300):
        start, end = np.round(rng.normal(size=2) * 20, int(rng.integers(0, 4))).tolist()
        steps = int(rng.integers(0, 30))
        for name in ("int64", "int32", "float32", "float64"):
            ours = tn.linspace(start, end, steps, dtype=getattr(tn, name)).numpy()
            theirs = torch.linspace(start, end, steps, dtype=getattr(torch, name)).numpy()
            if exact or name == "float32":
                np.testing.assert_array_equal(ours, theirs, err_msg=f"{start, end, steps}")
    # integer ends are wrapped into an unsigned dtype first
    assert tn.linspace(-1, 6, 7, dtype=tn.uint8).tolist() == \
        torch.linspace(-1, 6, 7, dtype=torch.uint8).tolist()


def test_pytorch_edges_of_construction_and_membership():
    x = tn.ones(2, 3)
    assert tn.FloatTensor(x.size()).shape == (2, 3)  # a Size is a shape, as in PyTorch
    assert tn.Tensor(x.size()).shape == (2, 3)
    assert tn.FloatTensor((2, 3)).tolist() == [2.0, 3.0]  # a plain tuple is data
    pieces = tn.tensor_split(tn.arange(7), tn.tensor(3))  # a 0-d tensor: sections
    assert [p.tolist() for p in pieces] == [[0, 1, 2], [3, 4], [5, 6]]
    for big in (2 ** 63, [1, 2 ** 63], -2 ** 63 - 1, [[1], [2 ** 70]]):
        with pytest.raises(RuntimeError, match="does not fit int64"):
            tn.tensor(big)
    assert tn.tensor(2 ** 63 - 1).item() == 2 ** 63 - 1
    matrix = tn.tensor([[1, 2], [3, 4]])
    assert 2 in matrix and 5 not in matrix and tn.tensor([3, 4]) in matrix
    with pytest.raises(RuntimeError, match="in: a tensor holds numbers"):
        "a" in matrix  # noqa: B015
    y = tn.ones(2, requires_grad=True) * 2
    assert y.detach_() is y and not y.requires_grad and y.grad_fn is None
    b = tn.ones(3, 3, requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="detach_: this tensor is a view"):
        b.diagonal().detach_()  # writes through it would reach b unrecorded
    with pytest.raises(RuntimeError, match="in: a tensor of shape \\(3,\\) is compared"):
        tn.tensor([1, 2, 3]) in tn.zeros(2, 2)  # noqa: B015
    with pytest.raises(TypeError, match="tensor_split: indices_or_sections must be an int"):
        tn.arange(7).tensor_split(tn.tensor(3.0))
    with pytest.raises(IndexError, match=r"index_put: a boolean mask of shape \(2,\) must "
                                         r"have the shape \(3,\)"):
        tn.zeros(3, 4).index_put((tn.tensor([True, False]),), tn.tensor(1.0))
    embedding = tn.nn.Embedding(5, 2)
    assert (embedding.max_norm, embedding.norm_type, embedding.scale_grad_by_freq,
            embedding.sparse) == (None, 2.0, False, False)


@pytest.mark.parametrize("call", [
    "x.sum(D)", "x.mean(D)", "x.softmax(D)", "x.cumsum(D)", "x.argmax(D)", "x.std(D)",
    "x.select(D, 0)", "x.chunk(2, D)", "x.narrow(D, 0, 1)", "x.movedim(D, 0)", "x.flip(D)",
    "x.kthvalue(1, D)", "x.amax(D)", "x.unsqueeze(D)", "x.transpose(D, 0)", "x.sort(D)",
    "x.topk(D)", "x.repeat(D, 1)", "x.roll(D, 0)", "x.tile((D, 1))", "x.sum(dim=(D, 0))",
    "x.unfold(1, D, D)", "L.zeros(D, 2)", "L.nn.functional.pad(x, (D, 0))"])
def test_a_0d_integer_tensor_serves_as_a_dim_or_size_as_in_pytorch(call):
    """PyTorch reads a 0-d integer tensor as its int wherever it takes one."""
    a = np.arange(12.0).reshape(3, 4)

    def run(dim):
        out = eval(call, {"x": tn.tensor(a), "D": dim, "L": tn})
        return (out[0] if isinstance(out, tuple) else out).numpy()

    np.testing.assert_array_equal(run(tn.tensor(1)), run(1))
    with pytest.raises((TypeError, RuntimeError)):
        run(tn.tensor(1.0))  # a float tensor is no int


def test_check_dim_takes_an_integer_only():
    assert tn.zeros(1, 3).squeeze(tn.tensor(0)).shape == (3,)  # a 0-d integer tensor
    for dim in (True, tn.tensor([1]), tn.tensor(True), 1.0):
        with pytest.raises(TypeError, match="Dimension must be an integer, got"):
            tn.ones(2, 3).transpose(dim, 0)


@pytest.mark.parametrize("value,error,message", [
    (np.ones(2, np.float32), TypeError, "must be a Tensor or None, got ndarray"),
    (3.0, TypeError, "must be a Tensor or None, got float"),
    (tn.ones(3), RuntimeError, r"must have the tensor's shape \(2,\), got \(3,\)"),
    (tn.ones(2, dtype=tn.float64), RuntimeError, "must have the tensor's dtype float32, got "
                                                 "float64"),
    (tn.ones(2, dtype=tn.int64), RuntimeError, "dtype float32, got int64"),
])
def test_assigning_grad_is_checked_as_in_pytorch(value, error, message):
    w = tn.ones(2, requires_grad=True)
    with pytest.raises(error, match=message):
        w.grad = value
    assert w.grad is None
    w.grad = tn.full((2,), 3.0)  # a tensor of its shape and dtype: taken as it is
    assert w.grad.tolist() == [3.0, 3.0]
    (w * 2).sum().backward()  # and accumulated into
    assert w.grad.tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError, match="cannot be its own gradient"):
        w.grad = w
    w.grad = None
    assert w.grad is None


def test_index_copy_and_masked_scatter_in_place_write_into_the_tensor():
    x = tn.zeros(2, 3)
    assert x.index_copy_(1, tn.tensor([2]), tn.ones(2, 1)) is x
    assert x.tolist() == [[0, 0, 1], [0, 0, 1]] and x._version[0] == 1
    x.masked_scatter_(tn.tensor([[True, False, False], [False, True, False]]),
                      tn.tensor([5.0, 6.0, 7.0]))
    assert x.tolist() == [[5, 0, 1], [0, 6, 1]]
