"""Bitwise operators and shifts: closed forms, PyTorch's rules at the edges (shifts by a
negative amount or by the width or more), dtypes, in-place forms and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

INTS = ["int8", "int16", "int32", "int64", "uint8"]


@settings(max_examples=60, deadline=None)
@given(dtype=st.sampled_from(INTS), data=st.data())
def test_shifts_within_the_width_are_multiplying_and_floor_dividing_by_powers_of_two(dtype,
                                                                                     data):
    info = np.iinfo(dtype)
    bits = info.bits
    amount = data.draw(st.integers(0, bits - 1))
    # values whose left shift does not overflow
    low, high = max(info.min >> amount, info.min), info.max >> amount
    values = data.draw(st.lists(st.integers(low, high), min_size=1, max_size=6))
    x = tn.tensor(np.array(values, dtype=dtype))
    left, right = x << amount, x >> amount
    assert left.dtype == x.dtype and right.dtype == x.dtype
    assert (left.numpy().astype(object) == [v * 2 ** amount for v in values]).all()
    assert (right.numpy().astype(object) == [v // 2 ** amount for v in values]).all()


@pytest.mark.parametrize("dtype", INTS)
def test_shifts_by_a_negative_amount_or_the_width_or_more_give_zero_or_the_sign(dtype):
    bits = np.iinfo(dtype).bits
    signed = np.iinfo(dtype).min < 0
    x = tn.tensor(np.array([5, -3 if signed else 200, 0], dtype=dtype))
    for amount in (-1, bits, bits + 3, 200):
        np.testing.assert_array_equal((x << amount).numpy(), [0, 0, 0])
        np.testing.assert_array_equal((x >> amount).numpy(), [0, -1 if signed else 0, 0])
    # per element, from a tensor of amounts
    amounts = tn.tensor([1, bits, -2])
    np.testing.assert_array_equal((x >> amounts).numpy().tolist(),
                                  [2, -1 if signed else 0, 0])


def test_overflowing_bits_are_lost_in_the_dtype():
    assert (tn.tensor([64], dtype=tn.int8) << 1).tolist() == [-128]
    assert (tn.tensor([-128], dtype=tn.int8) >> 1).tolist() == [-64]
    assert (tn.tensor([200], dtype=tn.uint8) << 1).tolist() == [144]


def test_shift_dtypes_and_reflected_forms_follow_promotion():
    small = tn.tensor([1, 2], dtype=tn.int32)
    assert (small << 1).dtype == tn.int32  # a Python int is weak
    assert (small << tn.tensor(1)).dtype == tn.int32  # so is a 0-d tensor
    assert (small << tn.tensor([1, 1])).dtype == tn.int64
    assert (tn.tensor([True, False]) << 1).tolist() == [2, 0]  # bool with an int: int64
    assert (3 << tn.tensor([1, 2])).tolist() == [6, 12]
    assert (100 >> tn.tensor([1, 2])).tolist() == [50, 25]
    assert tn.bitwise_left_shift(3, tn.tensor([1, 2])).tolist() == [6, 12]
    assert tn.bitwise_right_shift(tn.tensor([8, 9]), 2).tolist() == [2, 2]
    assert tn.tensor([1, 2]).bitwise_left_shift(tn.tensor([2, 1])).tolist() == [4, 4]


def test_named_bitwise_forms_equal_the_operators():
    a, b = tn.tensor([12, 10, -1]), tn.tensor([10, 6, 5])
    assert tn.bitwise_and(a, b).tolist() == (a & b).tolist() == [8, 2, 5]
    assert tn.bitwise_or(a, b).tolist() == (a | b).tolist() == [14, 14, -1]
    assert tn.bitwise_xor(a, b).tolist() == (a ^ b).tolist() == [6, 12, -6]
    assert tn.bitwise_not(a).tolist() == (~a).tolist() == [-13, -11, 0]
    assert tn.tensor([True, False]).bitwise_not().tolist() == [False, True]
    # a number first, as PyTorch takes it
    assert tn.bitwise_and(12, b).tolist() == [8, 4, 4]
    assert tn.bitwise_or(1, b).tolist() == [11, 7, 5] and tn.bitwise_xor(1, b).tolist() == \
        [11, 7, 4]
    assert tn.floor_divide(7, tn.tensor([2, -3])).tolist() == [3, -3]


def test_in_place_forms_write_into_the_tensor():
    x = tn.tensor([1, 2], dtype=tn.int32)
    same = x
    x <<= tn.tensor([1, 2])  # an int64 amount: written back as int32, as PyTorch
    assert x is same and x.dtype == tn.int32 and x.tolist() == [2, 8]
    x >>= 1
    assert x.tolist() == [1, 4]
    assert x.bitwise_left_shift_(2) is x and x.tolist() == [4, 16]
    assert x.bitwise_right_shift_(2) is x and x.tolist() == [1, 4]
    assert x.bitwise_and_(5) is x and x.tolist() == [1, 4]
    assert x.bitwise_or_(2) is x and x.tolist() == [3, 6]
    assert x.bitwise_xor_(1) is x and x.tolist() == [2, 7]
    assert x.bitwise_not_() is x and x.tolist() == [-3, -8]


@pytest.mark.parametrize("expression, message", [
    (lambda: tn.tensor([1.5]) << 1, "bitwise_left_shift: the operands must be integer, got "
                                    "float32"),
    (lambda: tn.tensor([5]) >> 2.0, "bitwise_right_shift: the operands must be integer, got "
                                    "2.0"),
    (lambda: tn.tensor([True]) << tn.tensor([True]), "bitwise_left_shift: the operands must "
                                                     "be integer, got two booleans"),
    (lambda: tn.tensor([1.0]).bitwise_not(), "bitwise_not: the tensor must be boolean or "
                                             "integer, got float32"),
    (lambda: tn.bitwise_and(tn.tensor([1.0]), 1), "bitwise_and: the operands must be boolean "
                                                  "or integer, got float32"),
])
def test_bad_operands_are_refused_by_name(expression, message):
    with pytest.raises(TypeError) as info:
        expression()
    assert str(info.value) == message


def test_shifts_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for dtype in INTS:
        bits = np.iinfo(dtype).bits
        info = np.iinfo(dtype)
        values = rng.integers(info.min, int(info.max) + 1, size=40, dtype=dtype)
        amounts = rng.integers(-3, bits + 4, size=40).astype(dtype if dtype != "uint8"
                                                            else "int64")
        for op in ("__lshift__", "__rshift__"):
            ours = getattr(tn.tensor(values), op)(tn.tensor(amounts))
            theirs = getattr(torch.tensor(values), op)(torch.tensor(amounts))
            assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=f"{dtype} {op}")
            for amount in (-1, 0, 1, bits - 1, bits, 100):
                np.testing.assert_array_equal(getattr(tn.tensor(values), op)(amount).numpy(),
                                              getattr(torch.tensor(values), op)(amount).numpy())
