"""Tensors print as PyTorch prints them (printing.py): fixed cases written out, the print
options and their errors, and PyTorch's own text for the same values (property-based)."""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn


@pytest.fixture(autouse=True)
def _default_options():
    yield
    tn.set_printoptions(profile="default")


@pytest.mark.parametrize("values, dtype, text", [
    ([0.123456, 2.5], None, "tensor([0.1235, 2.5000])"),
    ([1.0, 2.0], None, "tensor([1., 2.])"),
    ([1e-8, 1.0], None, "tensor([1.0000e-08, 1.0000e+00])"),  # a range over 1000x
    ([1e9, 1.0], None, "tensor([1.0000e+09, 1.0000e+00])"),
    ([3.14159], None, "tensor([3.1416])"),
    ([float("nan"), 1.0, float("inf")], None, "tensor([nan, 1., inf])"),
    ([-0.5, 0.0, 12.25], None, "tensor([-0.5000,  0.0000, 12.2500])"),
    ([1, -20, 3], None, "tensor([  1, -20,   3])"),
    ([True, False], None, "tensor([ True, False])"),
    ([1.5, 2.0], tn.float64, "tensor([1.5000, 2.0000], dtype=tinynet.float64)"),
    ([1, 2], tn.int32, "tensor([1, 2], dtype=tinynet.int32)"),
    ([], None, "tensor([])"),
    ([], tn.int64, "tensor([], dtype=tinynet.int64)"),
])
def test_fixed_cases(values, dtype, text):
    assert repr(tn.tensor(values, dtype=dtype)) == text


def test_a_scalar_a_matrix_an_empty_matrix_and_the_suffixes():
    assert repr(tn.tensor(2.5)) == "tensor(2.5000)"
    assert repr(tn.tensor([[1.5, 2.0], [3.0, 4.25]])) == \
        "tensor([[1.5000, 2.0000],\n        [3.0000, 4.2500]])"
    assert repr(tn.zeros(2, 0)) == "tensor([], size=(2, 0))"
    w = tn.tensor([1.0, 2.0], requires_grad=True)
    assert repr(w) == "tensor([1., 2.], requires_grad=True)"
    assert repr(w * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert str(w) == repr(w)


def test_a_long_tensor_is_summarized_and_its_lines_wrap_at_80():
    text = repr(tn.arange(2000.0))
    assert text == "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, " \
                   "1.9980e+03,\n        1.9990e+03])"
    lines = repr(tn.arange(30.0) + 0.5).split("\n")
    assert len(lines) == 4 and max(len(line) for line in lines) <= 80


def test_print_options_and_profiles():
    x = tn.tensor([1.123456, 2.0])
    tn.set_printoptions(precision=2)
    assert repr(x) == "tensor([1.12, 2.00])"
    tn.set_printoptions(sci_mode=True)  # (every call sets sci_mode; precision stays)
    assert repr(x) == "tensor([1.12e+00, 2.00e+00])"
    tn.set_printoptions(profile="short")
    assert repr(tn.arange(2000)) == "tensor([   0,    1,  ..., 1998, 1999])"
    with tn.printoptions(threshold=5, edgeitems=1):
        assert repr(tn.arange(10)) == "tensor([0,  ..., 9])"
    assert tn.get_printoptions() == {"precision": 2, "threshold": 1000, "edgeitems": 2,
                                     "linewidth": 80, "sci_mode": None}
    tn.set_printoptions(profile="full")
    assert "..." not in repr(tn.arange(2000))
    tn.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.1235, 2.0000])"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"precision": -1}, ValueError, r"set_printoptions: precision must be an integer >= 0, "
                                    r"got -1"),
    ({"precision": 2.5}, TypeError, r"set_printoptions: precision must be an integer"),
    ({"profile": "shrot"}, ValueError, r"set_printoptions: profile must be one of 'default', "
                                       r"'short', 'full'.*got 'shrot'"),
    ({"linewidth": 0}, ValueError, r"set_printoptions: linewidth must be an integer >= 1"),
    ({"threshold": -5}, ValueError, r"set_printoptions: threshold must be .*>= 0.*got -5"),
    ({"sci_mode": "yes"}, TypeError, r"set_printoptions: sci_mode must be None, True or "
                                     r"False, got 'yes'"),
])
def test_bad_options_are_refused_and_change_nothing(kwargs, error, message):
    before = tn.get_printoptions()
    with pytest.raises(error, match=message):
        tn.set_printoptions(**kwargs)
    assert tn.get_printoptions() == before


# ---- against PyTorch --------------------------------------------------------------------
SCALES = [1e-6, 1e-3, 1.0, 37.0, 1e5, 1e9]


@st.composite
def arrays(draw):
    kind = draw(st.sampled_from(["float32", "float64", "int64", "int32", "bool", "whole"]))
    big = draw(st.booleans()) and draw(st.booleans())  # a quarter: summarized
    ndim = draw(st.integers(0, 3))
    if big:
        shape = draw(st.sampled_from([(1500,), (40, 30), (11, 10, 12), (2000, 1)]))
    else:
        shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind == "bool":
        return rng.random(shape) > 0.5
    if kind in ("int64", "int32"):
        return rng.integers(-10 ** draw(st.integers(1, 6)), 10 ** 6, shape).astype(kind)
    values = rng.standard_normal(shape) * draw(st.sampled_from(SCALES))
    if kind == "whole":
        values = np.round(values)
    if values.size and draw(st.booleans()):
        flat = values.reshape(-1)
        flat[rng.integers(0, flat.size, 2)] = draw(st.sampled_from(
            [math.nan, math.inf, -math.inf, 0.0]))
    return values.astype(draw(st.sampled_from(["float32", "float64"])))


@settings(max_examples=150, deadline=None)
@given(array=arrays(), requires_grad=st.booleans(),
       options=st.sampled_from([{}, {"precision": 2}, {"sci_mode": False},
                                {"sci_mode": True}, {"linewidth": 50, "edgeitems": 2},
                                {"threshold": 10}, {"profile": "short"}]))
def test_the_text_is_pytorchs(array, requires_grad, options):
    torch = pytest.importorskip("torch")
    requires_grad = requires_grad and array.dtype.kind == "f"
    ours = tn.tensor(array, requires_grad=requires_grad)
    theirs = torch.tensor(array, requires_grad=requires_grad)
    with tn.printoptions(**options), torch._tensor_str.printoptions(**options):
        # (a suffix goes to a new line where the line would pass linewidth: "tinynet."
        # is 2 characters longer than "torch.", so that place may differ)
        assert _one_line_suffixes(repr(ours)) == \
            _one_line_suffixes(repr(theirs).replace("torch.", "tinynet."))


def _one_line_suffixes(text: str) -> str:
    return re.sub(r",\n +(dtype=|size=|grad_fn=|requires_grad=)", r", \1", text)


def test_a_suffix_goes_to_a_new_line_past_the_line_width():
    x = tn.tensor([[[1.25e-07, -1.5e-07]]], dtype=tn.float64, requires_grad=True)
    assert repr(x) == "tensor([[[ 1.2500e-07, -1.5000e-07]]], dtype=tinynet.float64,\n" \
                      "       requires_grad=True)"
