"""Type promotion follows PyTorch: ``result_type`` on a table of cases (their expected
dtypes are ``torch.result_type``'s), every binary operator's dtype, and the same
cases checked against real torch when it is installed."""
import numpy as np
import pytest

import tinynet as tn

F32, F64, I64, I32 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64), \
    np.dtype(np.int32)
U8, I8, I16, B = np.dtype(np.uint8), np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.bool_)


def dim(dtype):
    """A tensor with dimensions: the highest priority group."""
    return tn.ones(2, dtype=dtype)


def zero_dim(dtype):
    """A 0-d tensor: it counts only when of a higher category (bool < int < float)."""
    return tn.tensor(1, dtype=dtype)


# (x, y, PyTorch's result dtype)
CASES = [
    (dim(F32), dim(I64), F32),            # an integer never widens a float
    (dim(F32), zero_dim(F64), F32),       # a 0-d tensor of the same category is weaker
    (dim(I64), zero_dim(F64), F64),       # ... but a higher category wins
    (dim(I32), zero_dim(I64), I32),
    (dim(I64), 2.5, F32),                 # Python floats take the default dtype
    (dim(U8), 300, U8),                   # Python ints keep an integer tensor's dtype
    (dim(B), 1, I64),
    (dim(B), 1.5, F32),
    (dim(B), True, B),
    (dim(U8), dim(I8), I16),
    (zero_dim(I32), zero_dim(F64), F64),  # two 0-d tensors promote as usual
    (zero_dim(F32), zero_dim(F64), F64),
    (zero_dim(I64), 2.0, F32),
    (dim(I64), np.float64(2.0), F32),     # numpy scalars count as Python numbers
    (dim(F32), np.float64(2.0), F32),
    (dim(I32), np.int64(2), I32),
    (dim(I32), zero_dim(B), I32),
    (dim(B), zero_dim(I64), I64),
    (dim(B), zero_dim(F64), F64),
    (dim(np.float16), dim(I64), np.dtype(np.float16)),
    (dim(np.float16), zero_dim(F64), np.dtype(np.float16)),
    (dim(I32), dim(U8), I32),
    (dim(F32), dim(F64), F64),
]


@pytest.mark.parametrize("x,y,expected", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_result_type(x, y, expected):
    assert tn.result_type(x, y) == expected
    assert tn.result_type(y, x) == expected


@pytest.mark.parametrize("x,y,expected", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_result_type_against_torch(x, y, expected):
    torch = pytest.importorskip("torch")

    def to_torch(v):
        return torch.from_numpy(np.array(v.array)) if isinstance(v, tn.Tensor) else v

    theirs = torch.empty(0, dtype=torch.result_type(to_torch(x), to_torch(y))).numpy().dtype
    assert tn.result_type(x, y) == theirs


def test_promote_types_like_torch():
    assert tn.promote_types(tn.int64, tn.float32) == F32
    assert tn.promote_types(np.uint8, np.int8) == I16
    assert tn.promote_types(tn.bool, tn.int32) == I32
    assert tn.promote_types(tn.float32, tn.float64) == F64


OPERATORS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "**": lambda a, b: a ** b, "maximum": tn.maximum, "minimum": tn.minimum,
    "where": lambda a, b: tn.where(tn.tensor(True), a, b),
}


NON_BOOL = [c for c in CASES if c[0].dtype.kind != "b"]  # bool tensors have no arithmetic


@pytest.mark.parametrize("op", list(OPERATORS))
@pytest.mark.parametrize("x,y,expected", NON_BOOL, ids=[f"case{i}" for i in range(len(NON_BOOL))])
def test_operators_give_the_result_type(op, x, y, expected):
    if op == "-" and isinstance(y, tn.Tensor) and y.dtype == tn.bool:  # (as PyTorch)
        with pytest.raises(RuntimeError, match="subtraction with a bool tensor"):
            OPERATORS[op](x, y)
        return
    if op == "where" and type(y) is int and y == 300:  # (PyTorch's where refuses it too)
        with pytest.raises(RuntimeError, match="cannot be converted .* without overflow"):
            OPERATORS[op](x, y)
        return
    assert OPERATORS[op](x, y).dtype == expected
    if isinstance(y, tn.Tensor) and y.dtype.kind != "b":
        assert OPERATORS[op](y, x).dtype == expected


def test_python_ints_wrap_around_small_integer_types_as_in_pytorch():
    x = tn.tensor([250, 3], dtype=np.uint8)
    np.testing.assert_array_equal((x + 300).array, np.array([294, 47]) % 256)
    np.testing.assert_array_equal((x - 1).array, [249, 2])


def test_reflected_operators_with_python_scalars():
    i = tn.tensor([1, 2])
    assert (2.5 * i).dtype == F32 and (2.5 - i).dtype == F32 and (2.5 + i).dtype == F32
    assert (2 * i).dtype == I64 and (2.5 ** i).dtype == F32 and (2 ** i).dtype == I64
    assert (1 / i).dtype == F32
    f = tn.ones(2)
    assert (2 ** f).dtype == F32 and (np.float64(2) * f).dtype == F32


def test_powers_of_booleans_as_in_pytorch():
    b = tn.tensor([True, False])
    with pytest.raises(NotImplementedError, match="pow: not implemented for bool tensors"):
        b ** tn.tensor([True, True])
    with pytest.raises(NotImplementedError, match="pow: not implemented for bool tensors"):
        True ** b
    # a Python bool exponent is a logical power; an int exponent promotes to int64
    assert (b ** False).dtype == tn.bool and (b ** False).tolist() == [True, True]
    assert (b ** True).tolist() == [True, False]
    assert (b ** 2).dtype == I64 and (b ** 2).tolist() == [1, 0]


def test_subtraction_with_a_bool_tensor_and_negative_powers_of_bools_are_refused():
    mask = tn.tensor([True, False])
    def in_place(other):
        x = tn.ones(2)
        x -= other

    for call in (lambda: mask - 1, lambda: 1 - mask, lambda: tn.ones(2) - mask,
                 lambda: mask.sub(tn.ones(2)), lambda: tn.ones(2) - True,
                 lambda: in_place(mask), lambda: tn.ones(2).sub_(mask)):
        with pytest.raises(RuntimeError, match="sub: subtraction with a bool tensor is not "
                                               "supported .* ~ or logical_not"):
            call()
    with pytest.raises(RuntimeError, match="integers to negative integer powers"):
        mask ** -3
    assert (tn.tensor([3, 4]) - 1).tolist() == [2, 3]


def test_where_refuses_an_int_its_integer_tensor_cannot_hold_as_pytorch():
    small = tn.tensor([1, 2], dtype=tn.uint8)
    choose = tn.tensor([True, False])
    with pytest.raises(RuntimeError, match="where: other 300 cannot be converted to the "
                                           "tensor's dtype uint8 without overflow"):
        tn.where(choose, small, 300)  # numpy would write 44
    with pytest.raises(RuntimeError, match="where: input 2147483648 cannot be converted"):
        tn.where(choose, 2 ** 31, tn.tensor([1, 2], dtype=tn.int32))
    assert tn.where(choose, small, 255).tolist() == [1, 255]
    assert tn.where(choose, small, -1).tolist() == [1, 255]  # wrapped, as PyTorch's
    assert tn.where(choose, -1, small).tolist() == [255, 2]
    assert tn.where(choose, tn.tensor([1, 2], dtype=tn.int8), -128).tolist() == [1, -128]
    assert tn.where(choose, small, 2.5).dtype == F32


def test_true_division_of_integers_gives_the_default_float():
    assert (tn.tensor([3, 4]) / tn.tensor([2, 2])).dtype == F32
    np.testing.assert_array_equal((tn.tensor([3, 4]) / tn.tensor([2, 2])).array, [1.5, 2.0])
    assert (tn.tensor([3, 4]) / 2).dtype == F32
    tn.set_default_dtype(tn.float64)
    try:
        assert (tn.tensor([3, 4]) / tn.tensor([2, 2])).dtype == F64
        assert (tn.tensor([3, 4]) * 0.5).dtype == F64
    finally:
        tn.set_default_dtype(tn.float32)


def test_float32_weight_with_int_exponent_stays_float32_and_trains():
    # the case that used to end in float64 and be refused by Linear
    x = tn.randn(4, 2)
    y = x ** tn.tensor([2, 1])
    assert y.dtype == F32
    assert tn.nn.Linear(2, 1)(y).dtype == F32


def test_mixed_float_operands_backpropagate_in_each_dtype():
    a = tn.tensor([1.0, 2.0], dtype=tn.float32, requires_grad=True)
    b = tn.tensor([3.0, 4.0], dtype=tn.float64, requires_grad=True)
    c = tn.tensor(2.0, dtype=tn.float64, requires_grad=True)  # 0-d: weaker than a
    y = a * b
    z = a * c
    assert y.dtype == F64 and z.dtype == F32
    (y.sum() + z.sum().double()).backward()
    assert a.grad.dtype == F32 and b.grad.dtype == F64 and c.grad.dtype == F64
    np.testing.assert_array_equal(a.grad.array, [5.0, 6.0])
    np.testing.assert_array_equal(b.grad.array, [1.0, 2.0])
    assert c.grad.item() == 3.0


def test_comparisons_use_the_common_dtype():
    # int64 16777217 compared in float32 (PyTorch's common dtype) rounds to 16777216
    assert bool((tn.tensor([16777217]) == tn.tensor([16777216.0])).all())
    assert (tn.tensor([1, 2]) < 1.5).tolist() == [True, False]
    assert (tn.ones(2) == None) is False  # noqa: E711  (Python's answer, as in PyTorch)


def test_same_dtype_operands_are_not_copied_or_cast():
    # the hot path: the op gets the very arrays
    a, b = tn.randn(3), tn.randn(3)
    y = a + b
    np.testing.assert_array_equal(y.array, a.array + b.array)
    assert (a * 2.0).dtype == F32 and (a * 2).dtype == F32 and (a ** 2).dtype == F32


def test_result_type_rejects_other_objects():
    with pytest.raises(TypeError, match="result_type: operands must be tensors"):
        tn.result_type(tn.ones(2), "x")


# ---- dtype names and conversions ---------------------------------------------------------
DTYPE_NAMES = {"float16": np.float16, "half": np.float16, "float32": np.float32,
               "float": np.float32, "float64": np.float64, "double": np.float64,
               "uint8": np.uint8, "int8": np.int8, "int16": np.int16, "short": np.int16,
               "int32": np.int32, "int": np.int32, "int64": np.int64, "long": np.int64,
               "bool": np.bool_}
CONVERSIONS = {"half": np.float16, "float": np.float32, "double": np.float64,
               "byte": np.uint8, "char": np.int8, "short": np.int16, "int": np.int32,
               "long": np.int64, "bool": np.bool_}


def test_dtype_names_are_pytorchs_and_exported():
    for name, dtype in DTYPE_NAMES.items():
        assert getattr(tn, name) is dtype, name
        assert name in tn.__all__, name


def test_dtype_names_mean_what_they_mean_in_pytorch():
    torch = pytest.importorskip("torch")
    for name, dtype in DTYPE_NAMES.items():
        theirs = getattr(torch, name)
        assert torch.empty(0, dtype=theirs).numpy().dtype == np.dtype(dtype), name


@pytest.mark.parametrize("method", sorted(CONVERSIONS))
def test_conversion_methods_cast_like_to(method):
    x = tn.tensor([-1.5, 0.0, 2.75, 300.0], dtype=tn.float64)
    y = getattr(x, method)()
    assert y.dtype == CONVERSIONS[method]
    np.testing.assert_array_equal(y.numpy(), x.to(CONVERSIONS[method]).numpy())


def test_half_precision_trains_through_linear_in_half():
    tn.manual_seed(0)
    layer = tn.nn.Linear(3, 2).half()
    x = tn.randn(5, 3).half()
    loss = layer(x).square().sum()
    loss.backward()
    assert loss.dtype == tn.half and layer.weight.grad.dtype == tn.half
    # against the same sums in float64 on the same half-precision values
    w, b, xs = (a.detach().numpy().astype(np.float64) for a in (layer.weight, layer.bias, x))
    expected = 2 * (xs @ w.T + b).T @ xs
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-2, atol=1e-2)


# ---- the dtypes of clamp, activations on integers, losses, sums ----------------------------
@pytest.mark.parametrize("bounds, expected", [((0, 3.5), F32), ((0, 3), I64),
                                              ((None, 2.5), F32), ((0.5, None), F32)])
def test_clamp_of_integers_takes_the_dtype_of_its_bounds(bounds, expected):
    y = tn.tensor([1, 5]).clamp(*bounds)
    assert y.dtype == expected
    np.testing.assert_array_equal(y.numpy(), np.clip([1.0, 5.0], *bounds))
    assert tn.tensor([1.0, 5.0], dtype=tn.float16).clamp(0, 0.5).dtype == np.float16


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softsign", "tanhshrink"])
def test_activations_of_integers_compute_in_the_default_dtype(name):
    """The activations PyTorch takes integers in (the others refuse them, as
    tests/test_activation_inputs.py checks): the default float, not numpy's float64."""
    f = getattr(tn.nn.functional, name)
    y = f(tn.tensor([1, 2]))
    assert y.dtype == tn.get_default_dtype()
    np.testing.assert_allclose(y.numpy(), f(tn.tensor([1.0, 2.0])).numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_the_softmax_methods_refuse_integers_as_pytorch(name):
    with pytest.raises(TypeError, match=f"{name}: input must be a floating-point tensor"):
        getattr(tn.tensor([1, 2]), name)(0)


@pytest.mark.parametrize("loss", ["binary_cross_entropy_with_logits", "l1_loss",
                                  "smooth_l1_loss", "huber_loss", "mse_loss", "cross_entropy"])
def test_a_float64_target_makes_the_loss_float64_as_in_pytorch(loss):
    f = getattr(tn.nn.functional, loss)
    x = tn.tensor([[0.5, -1.0]], requires_grad=True)  # float32
    target = tn.tensor([[0.25, 0.75]], dtype=tn.float64)
    value = f(x, target)
    value.backward()
    assert value.dtype == tn.float64 and x.grad.dtype == tn.float32  # the input keeps its own
    expected = f(x.detach().double(), target).item()
    assert value.item() == expected
    assert f(x, tn.tensor([[0.25, 0.75]])).dtype == tn.float32


def test_integer_sums_are_int64_and_half_precision_cumsum_accumulates_in_float():
    assert tn.tensor([200, 100], dtype=tn.uint8).sum().dtype == I64
    assert tn.tensor([200, 100], dtype=tn.uint8).sum().item() == 300
    assert tn.tensor([[1, 2]], dtype=tn.uint8).sum(0).dtype == I64
    ones = tn.ones(3000, dtype=tn.float16, requires_grad=True)
    running = ones.cumsum(0)
    assert running.dtype == np.float16 and running[-1].item() == 3000  # not 2048
    running[-1].backward()
    assert ones.grad.dtype == np.float16 and ones.grad.numpy().tolist() == [1.0] * 3000


def test_a_uint8_index_is_a_mask_with_pytorchs_deprecation_warning():
    with pytest.warns(UserWarning, match="indexing with dtype uint8 is deprecated"):
        picked = tn.arange(3)[tn.tensor([1, 0, 1], dtype=tn.uint8)]
    assert picked.tolist() == [0, 2]


def test_clamp_with_tensor_bounds_and_sum_to_a_small_integer_dtype_as_pytorch():
    x = tn.tensor([1.0, 5.0])  # float32
    assert x.clamp(tn.tensor(0.0, dtype=tn.float64), 3.0).dtype == F32  # a 0-d bound
    assert x.clamp(min=tn.tensor([2.0, 2.0], dtype=tn.float64)).dtype == F64
    assert x.clamp(min=tn.tensor([2.0, 6.0])).tolist() == [2.0, 6.0]
    wrapped = tn.tensor([200, 100], dtype=tn.uint8).sum(dtype=tn.uint8)
    assert wrapped.dtype == U8 and wrapped.item() == 44  # 300 mod 256, as PyTorch
    assert tn.ones(3).sum(dtype=tn.float64).dtype == F64
