"""tn.linalg's norms: closed forms, gradients by finite differences, PyTorch's numbers and
choices (which norm ``norm`` takes), and the errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

A = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.0]])  # rows: |.| sums 3.5, 8; columns 4, 6, 1.5


@pytest.mark.parametrize("call, expected", [
    (lambda a: tn.linalg.vector_norm(a), math.sqrt(31.25)),
    (lambda a: tn.linalg.vector_norm(a, ord=1), 11.5),
    (lambda a: tn.linalg.vector_norm(a, ord=math.inf), 4.0),
    (lambda a: tn.linalg.vector_norm(a, ord=-math.inf), 0.5),
    (lambda a: tn.linalg.vector_norm(a, ord=0), 6.0),
    (lambda a: tn.linalg.matrix_norm(a), math.sqrt(31.25)),
    (lambda a: tn.linalg.matrix_norm(a, ord=math.inf), 8.0),    # the largest row sum
    (lambda a: tn.linalg.matrix_norm(a, ord=-math.inf), 3.5),
    (lambda a: tn.linalg.matrix_norm(a, ord=1), 6.0),           # the largest column sum
    (lambda a: tn.linalg.matrix_norm(a, ord=-1), 1.5),
    (lambda a: tn.linalg.norm(a), math.sqrt(31.25)),
    (lambda a: tn.linalg.norm(a, ord=1), 6.0),                  # 2-D and an ord: a matrix norm
    (lambda a: tn.linalg.norm(a[0], ord=1), 3.5),               # 1-D: a vector norm
])
def test_closed_forms(call, expected):
    assert call(tn.tensor(A)).item() == pytest.approx(expected, rel=1e-15)


def test_dims_keepdim_and_dtype():
    x = tn.tensor(A, dtype=tn.float32)
    assert tn.linalg.vector_norm(x, dim=1).tolist() == pytest.approx(
        [math.sqrt(5.25), math.sqrt(26.0)])
    assert tn.linalg.vector_norm(x, dim=(0, 1), keepdim=True).shape == (1, 1)
    assert tn.linalg.norm(x, dim=0).shape == (3,) and tn.linalg.norm(x, dim=(1, 0)).ndim == 0
    assert tn.linalg.matrix_norm(x, ord=1, keepdim=True).shape == (1, 1)
    assert tn.linalg.vector_norm(x, dtype=tn.float64).dtype == np.float64
    assert tn.linalg.vector_norm(tn.tensor([3, 4]), dtype=tn.float32).item() == 5.0
    stack = tn.tensor(np.stack([A, 2 * A, -A]))
    assert tn.linalg.matrix_norm(stack, ord=math.inf).tolist() == [8.0, 16.0, 8.0]


def test_the_gradient_of_a_tied_row_sum_is_split_as_amax_splits_it():
    x = tn.tensor([[1.0, 1.0], [2.0, 0.0]], requires_grad=True)  # both rows sum to 2
    tn.linalg.matrix_norm(x, ord=math.inf).backward()
    assert x.grad.tolist() == [[0.5, 0.5], [0.5, 0.0]]


@pytest.mark.parametrize("call", [
    lambda a: tn.linalg.vector_norm(a, ord=3.0, dim=1),
    lambda a: tn.linalg.matrix_norm(a, ord=1),
    lambda a: tn.linalg.matrix_norm(a, ord=-math.inf),
    lambda a: tn.linalg.norm(a, dim=(0, 1)),
])
def test_gradients_match_finite_differences(call):
    x = tn.tensor(A + np.array([[0.0, 0.0, 0.0], [0.0, 0.3, 0.0]]), requires_grad=True)
    assert tn.gradcheck(call, (x,))


@pytest.mark.parametrize("norm", [tn.linalg.vector_norm, lambda x, ord: x.norm(p=ord)])
def test_below_order_1_a_zero_element_gets_gradient_0(norm):
    # ‖(0, 1, 4)‖ of order ½ = (0 + 1 + 2)² = 9; dy/dx = sign(x)|x|^(-½)·9^(½), which
    # is |0|^(-½)·0 = inf·0 at 0: PyTorch takes 0 there
    x = tn.tensor([0.0, 1.0, 4.0], dtype=tn.float64, requires_grad=True)
    y = norm(x, ord=0.5)
    y.backward()
    assert y.item() == 9.0 and x.grad.tolist() == [0.0, 3.0, 1.5]
    x = tn.tensor([0.0, -1.0, 4.0], dtype=tn.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # |0|^(-½) = inf is meant: no numpy warning
        norm(x, ord=-0.5).backward()  # the norm is 0 (Σ |x|^(-½) = inf): every gradient 0
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("norm", [tn.linalg.vector_norm, lambda x, ord: x.norm(p=ord)])
def test_float16_norms_are_summed_in_float32_as_pytorchs(norm):
    # 300² and 400² overflow float16 (largest 65504), 1e-4² underflows it: the powers
    # are summed in float32 and the norm rounded to float16 once, as PyTorch does
    big = tn.tensor([300.0, -400.0], dtype=tn.float16, requires_grad=True)
    y = norm(big, ord=2)
    y.backward()
    assert y.dtype == tn.float16 and y.item() == 500.0
    np.testing.assert_allclose(big.grad.array, [0.6, -0.8], rtol=1e-3)  # x / y
    small = tn.tensor([3e-4, 4e-4], dtype=tn.float16)
    assert norm(small, ord=2).item() == pytest.approx(5e-4, rel=1e-3)
    cubes = tn.tensor([30.0, 40.0], dtype=tn.float16)  # 27000 + 64000 overflows
    assert norm(cubes, ord=3).item() == pytest.approx(91000 ** (1 / 3), rel=1e-3)
    assert tn.linalg.matrix_norm(big.reshape(1, 2)).item() == 500.0


@pytest.mark.parametrize("call, error, words", [
    (lambda a: tn.linalg.norm(a.reshape(1, 2, 3), ord=1), RuntimeError,
     r"linalg.norm: if dim is not given but ord is, A must be 1-D or 2-D, got shape "
     r"\(1, 2, 3\)"),
    (lambda a: tn.linalg.matrix_norm(a, ord=3), RuntimeError,
     "linalg.matrix_norm: ord must be one of 'fro', inf, -inf, 1, -1 .* got 3"),
    (lambda a: tn.linalg.matrix_norm(a, ord="nuc"), NotImplementedError,
     "linalg.matrix_norm: ord='nuc' .* is not implemented"),
    (lambda a: tn.linalg.norm(a, ord=2), NotImplementedError,
     "linalg.matrix_norm: ord=2 .* is not implemented"),
    (lambda a: tn.linalg.matrix_norm(a, dim=(1, -1)), RuntimeError,
     r"linalg.matrix_norm: dim must name two different dims, got \(1, -1\)"),
    (lambda a: tn.linalg.matrix_norm(a, dim=0), RuntimeError,
     "linalg.matrix_norm: dim must be a pair of dims, got 0"),
    (lambda a: tn.linalg.matrix_norm(a[0]), RuntimeError,
     r"linalg.matrix_norm: A must have at least 2 dimensions, got shape \(3,\)"),
    (lambda a: tn.linalg.vector_norm(a, ord="fro"), TypeError,
     "linalg.vector_norm: ord must be a number, got 'fro'"),
    (lambda a: tn.linalg.norm(a, ord="fro", dim=1), RuntimeError,
     "linalg.norm: ord='fro' is a matrix norm, which needs a 2-tuple dim"),
    (lambda a: tn.linalg.vector_norm(a.long()), RuntimeError,
     "linalg.vector_norm: the input must be a floating-point tensor, got int64"),
    (lambda a: tn.linalg.vector_norm(A), TypeError,
     "linalg.vector_norm: the input must be a Tensor, got ndarray"),
])
def test_errors_name_the_rule(call, error, words):
    with pytest.raises(error, match=words):
        call(tn.tensor(A))


def test_squeeze_takes_a_tuple_of_dims_as_pytorch_2():
    x = tn.zeros(1, 3, 1, 2)
    assert x.squeeze((0, 2)).shape == (3, 2) and x.squeeze((0, 1)).shape == (3, 1, 2)
    assert x.squeeze(()).shape == (1, 3, 1, 2) and tn.squeeze(x, [2]).shape == (1, 3, 2)
    with pytest.raises(RuntimeError, match=r"squeeze: dim 0 appears more than once"):
        x.squeeze((0, -4))


ORDERS = {"vector_norm": [2, 1, 0.5, 3, math.inf, -math.inf, 0],
          "matrix_norm": ["fro", 1, -1, math.inf, -math.inf],
          "norm": [None, 1, math.inf, "fro"]}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(ORDERS)), st.data(),
       st.lists(st.integers(1, 4), min_size=2, max_size=3), st.booleans())
def test_values_and_gradients_match_pytorch(name, data, shape, keepdim):
    torch = pytest.importorskip("torch")
    ord = data.draw(st.sampled_from(ORDERS[name]))
    ndim = len(shape)
    if name == "vector_norm":
        dim = data.draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))
    else:  # two different dims (norm with a string or no ord: may also be one dim)
        first = data.draw(st.integers(0, ndim - 1))
        dim = (first, data.draw(st.integers(0, ndim - 1).filter(lambda d: d != first)))
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    ours, theirs = tn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = getattr(tn.linalg, name)(ours, ord, dim, keepdim)
    y_ref = getattr(torch.linalg, name)(theirs, ord, dim, keepdim)
    assert y.shape == tuple(y_ref.shape)
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-12)
    if ord == 0:
        return  # (a count: PyTorch's gradient is 0 too, and tinynet's is checked above)
    v = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_matrix_norms_of_empty_matrices_as_pytorch():
    """Sums over no element are 0; the smallest of no row (or column) sum has no value."""
    assert tn.linalg.matrix_norm(tn.zeros(2, 0, 3), ord=math.inf).tolist() == [0.0, 0.0]
    for shape, ord in [((0, 3), 1), ((3, 0), -math.inf), ((0, 3), "fro")]:
        assert tn.linalg.matrix_norm(tn.zeros(*shape), ord=ord).item() == 0.0
    with pytest.raises(IndexError, match=r"linalg.matrix_norm: ord=-inf is the smallest row "
                                         r"sum, and A of shape \(0, 3\) has none"):
        tn.linalg.matrix_norm(tn.zeros(0, 3), ord=-math.inf)
    with pytest.raises(IndexError, match="smallest column sum"):
        tn.linalg.matrix_norm(tn.zeros(3, 0), ord=-1)
