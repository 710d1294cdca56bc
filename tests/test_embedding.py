"""Embedding and F.embedding: lookup, the scattered gradient (repeated indices summed),
padding_idx, from_pretrained, errors. (PyTorch parity: test_against_torch_layers.py.)"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F


def _weight(v=6, d=3, seed=0):
    data = np.random.default_rng(seed).standard_normal((v, d))
    return tn.tensor(data, requires_grad=True)


def test_lookup_picks_rows_for_indices_of_any_shape():
    emb = nn.Embedding(27, 4)
    X = tn.tensor([[5, 13, 13], [0, 0, 26]])
    y = emb(X)
    assert y.shape == (2, 3, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y.array, emb.weight.array[X.array])
    assert emb(tn.tensor(3)).shape == (4,)
    assert emb(tn.tensor([1, 2], dtype=tn.int32)).shape == (2, 4)


def test_gradient_sums_over_repeated_indices():
    W = _weight()
    idx = np.array([[1, 4, 1], [1, 0, 4]])
    g = np.random.default_rng(1).standard_normal((2, 3, 3))
    F.embedding(tn.tensor(idx), W).backward(tn.tensor(g))
    # dL/dW = onehot(idx)ᵀ g: row 1 gets three rows of g, row 4 two, rows 2, 3, 5 nothing
    onehot = np.eye(6)[idx.reshape(-1)]
    np.testing.assert_allclose(W.grad.array, onehot.T @ g.reshape(-1, 3), rtol=1e-14)
    np.testing.assert_array_equal(W.grad.array[[2, 3, 5]], 0)


def test_gradcheck():
    idx = tn.tensor([[0, 2, 2, 5], [5, 5, 1, 3]])
    assert tn.gradcheck(lambda W: F.embedding(idx, W), (_weight(),))
    # NOTE: not with padding_idx, whose row's gradient is 0 by definition, not dy/dW


def test_equals_indexing_as_makemore_does():
    C = _weight(27, 2)
    X = np.random.default_rng(2).integers(0, 27, (32, 3))
    by_index = C[tn.tensor(X)].reshape(32, 6)
    by_embedding = F.embedding(tn.tensor(X), C).reshape(32, 6)
    np.testing.assert_array_equal(by_index.array, by_embedding.array)
    g = tn.tensor(np.random.default_rng(3).standard_normal((32, 6)))
    by_index.backward(g)
    grad = C.grad.array.copy()
    C.grad = None
    by_embedding.backward(g)
    np.testing.assert_allclose(C.grad.array, grad, rtol=1e-14)


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=-1).double()
    assert emb.padding_idx == 4
    np.testing.assert_array_equal(emb.weight.array[4], 0)
    emb(tn.tensor([4, 1, 4])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.array[4], 0)
    np.testing.assert_array_equal(emb.weight.grad.array[1], 1)


def test_initial_weights_are_standard_normal():
    tn.manual_seed(0)
    w = nn.Embedding(1000, 50).weight.array
    assert abs(w.mean()) < 0.01 and w.std() == pytest.approx(1.0, abs=0.01)
    same = nn.Embedding(10, 2, generator=np.random.default_rng(4)).weight.array
    np.testing.assert_array_equal(same, nn.Embedding(10, 2, generator=np.random.default_rng(4))
                                  .weight.array)


def test_from_pretrained_copies_and_freezes():
    table = tn.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and list(emb.parameters()) == [emb.weight]
    np.testing.assert_array_equal(emb(tn.tensor([1])).array, [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert repr(emb) == "Embedding(2, 2)"


def test_reprs_equal_pytorchs():
    assert repr(nn.Embedding(10, 3)) == "Embedding(10, 3)"
    assert repr(nn.Embedding(10, 3, padding_idx=-1)) == "Embedding(10, 3, padding_idx=9)"


def test_pytorchs_positional_call_with_the_defaults_runs():
    # as PyTorch's Embedding.forward calls it: every argument by position
    weight = tn.arange(6.0).reshape(3, 2)
    out = F.embedding(tn.tensor([2, 0]), weight, None, None, 2.0, False, False)
    assert out.tolist() == [[4.0, 5.0], [0.0, 1.0]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.Embedding(5, 2)(tn.tensor([5])), IndexError,
     r"embedding: indices must be in \[0, 5\) \(rows of weight\), got 5"),
    (lambda: nn.Embedding(5, 2)(tn.tensor([-1])), IndexError, "got -1"),
    (lambda: nn.Embedding(5, 2)(tn.tensor([1.0])), TypeError,
     "embedding: input must hold integer indices, got dtype float32"),
    (lambda: nn.Embedding(5, 2, padding_idx=5), ValueError,
     r"Embedding: padding_idx must be an integer in \[-5, 4\], got 5"),
    (lambda: nn.Embedding(5, 2, max_norm=1.0), NotImplementedError, "max_norm"),
    (lambda: nn.Embedding(5, -2), ValueError, "embedding_dim must be an integer >= 0"),
    (lambda: F.embedding(tn.tensor([0]), tn.zeros(3, 2), None, 1.0), NotImplementedError,
     "embedding: max_norm and scale_grad_by_freq are not implemented, got max_norm=1.0"),
    (lambda: F.embedding(tn.tensor([0]), tn.zeros(3)), ValueError,
     (r"embedding: weight must have 2 dimensions \(num_embeddings, embedding_dim\), got "
      r"shape \(3,\)")),
    (lambda: nn.Embedding.from_pretrained(tn.zeros(3)), ValueError,
     r"Embedding.from_pretrained: embeddings must have 2 dimensions"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@given(v=st.integers(1, 8), d=st.integers(1, 4),
       shape=st.lists(st.integers(0, 4), min_size=0, max_size=3), seed=st.integers(0, 99))
def test_gradient_is_the_one_hot_product_for_any_indices(v, d, shape, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, v, shape)
    W = tn.tensor(rng.standard_normal((v, d)), requires_grad=True)
    g = rng.standard_normal(tuple(shape) + (d,))
    y = F.embedding(tn.tensor(idx), W)
    assert y.shape == tuple(shape) + (d,)
    y.backward(tn.tensor(g))
    onehot = np.eye(v)[idx.reshape(-1)].reshape(-1, v)
    np.testing.assert_allclose(W.grad.array, onehot.T @ g.reshape(-1, d), rtol=1e-12,
                               atol=1e-12)
