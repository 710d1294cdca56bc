"""tn.Size, as torch.Size: a tuple of ints that size() returns."""
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn


@given(st.lists(st.integers(0, 5), max_size=4))
def test_size_is_the_shape_as_a_tuple(shape):
    x = tn.zeros(*shape) if shape else tn.tensor(0.0)
    size = x.size()
    assert isinstance(size, tn.Size) and isinstance(size, tuple)
    assert size == x.shape == tuple(shape) and hash(size) == hash(tuple(shape))
    assert size.numel() == x.numel() == int(np.prod(shape))
    assert [x.size(d) for d in range(x.dim())] == list(shape)
    assert isinstance(size[1:], tn.Size) and size[1:] == tuple(shape[1:])


def test_size_prints_and_pickles_as_pytorchs():
    size = tn.Size([2, 3])
    assert repr(size) == "tinynet.Size([2, 3])" and str(size + (4,)) == "tinynet.Size([2, 3, 4])"
    assert pickle.loads(pickle.dumps(size)) == size
    assert type(pickle.loads(pickle.dumps(size))) is tn.Size
    assert tn.zeros(size).shape == (2, 3)  # a size where a shape goes


@pytest.mark.parametrize("sizes, message", [([2.5], "got float at position 0: 2.5"),
                                            ([1, True], "got bool at position 1")])
def test_size_refuses_what_is_not_an_int(sizes, message):
    with pytest.raises(TypeError, match=message):
        tn.Size(sizes)


def test_size_equals_pytorchs():
    torch = pytest.importorskip("torch")
    assert tn.zeros(2, 3).size() == torch.zeros(2, 3).size()
    assert tn.Size([4, 1]).numel() == torch.Size([4, 1]).numel()


def test_size_concatenates_and_repeats_as_a_size():
    size = tn.Size([2, 3])
    assert type(size + (4,)) is tn.Size and type(size * 2) is tn.Size and 2 * size == (2, 3) * 2
    with pytest.raises(TypeError):
        size + [4]  # as tuple's (and torch.Size's) rule


def test_a_saved_size_loads_as_a_size(tmp_path):
    x = tn.zeros(2, 3)
    tn.save({"size": x.size(), "shape": x.shape, "sizes": [tn.Size([]), tn.Size([0, 5])]},
            tmp_path / "sizes.pt")
    loaded = tn.load(tmp_path / "sizes.pt")
    assert type(loaded["size"]) is tn.Size and loaded["size"] == (2, 3)
    assert type(loaded["shape"]) is tuple  # a plain tuple stays one
    assert [type(s) for s in loaded["sizes"]] == [tn.Size, tn.Size]
    assert loaded["sizes"] == [(), (0, 5)]
