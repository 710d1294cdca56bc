"""``ConcatDataset`` and ``dataset + dataset``: the parts' samples one after the other,
indexed as PyTorch indexes them (negative indices, the errors past either end), and
batched by a DataLoader across the parts' boundaries."""
import numpy as np
import pytest

import tinynet as tn
from tinynet.utils.data import ConcatDataset, DataLoader, Dataset, TensorDataset


class Range(Dataset):
    """Samples start, start + 1, ..., start + n - 1."""

    def __init__(self, start, n):
        self.start, self.n = start, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(f"Range: index {i} out of range")
        return self.start + i


def test_indices_run_through_the_parts_in_order():
    data = ConcatDataset([Range(0, 3), Range(100, 0), Range(10, 2), [7, 8]])
    assert len(data) == 7 and data.cumulative_sizes == [3, 3, 5, 7]
    assert [data[i] for i in range(7)] == [0, 1, 2, 10, 11, 7, 8]
    assert [data[i] for i in range(-7, 0)] == [0, 1, 2, 10, 11, 7, 8]
    assert data[np.int64(3)] == 10 and data[tn.tensor(4)] == 11
    assert list(data) == [0, 1, 2, 10, 11, 7, 8]   # iteration stops at the IndexError
    assert len(data.datasets) == 4


def test_out_of_range_indices_raise_as_in_pytorch():
    data = ConcatDataset([Range(0, 3), Range(10, 2)])
    with pytest.raises(IndexError, match=r"ConcatDataset: index must be in \[-5, 5\), got 5"):
        data[5]
    with pytest.raises(ValueError, match=r"ConcatDataset: index must be in \[-5, 5\), got -6"):
        data[-6]
    with pytest.raises(TypeError, match="ConcatDataset: index must be an integer, got float"):
        data[1.0]
    with pytest.raises(ValueError, match="ConcatDataset: datasets must hold at least one "
                                         "dataset, got none"):
        ConcatDataset([])


def test_adding_datasets_concatenates_them():
    a = TensorDataset(tn.arange(3.0), tn.tensor([0, 1, 0]))
    b = TensorDataset(tn.arange(10.0, 12.0), tn.tensor([1, 1]))
    both = a + b
    assert isinstance(both, ConcatDataset) and both.datasets == [a, b] and len(both) == 5
    x, y = both[3]
    assert x.item() == 10.0 and y.item() == 1
    three = both + Range(50, 1)
    assert len(three) == 6 and three[-1] == 50 and three.datasets[0] is both


def test_a_dataloader_batches_across_the_boundary():
    data = TensorDataset(tn.arange(3)) + TensorDataset(tn.arange(10, 14))
    batches = [b[0].tolist() for b in DataLoader(data, batch_size=3)]
    assert batches == [[0, 1, 2], [10, 11, 12], [13]]
    shuffled = DataLoader(data, batch_size=2, shuffle=True,
                          generator=tn.Generator().manual_seed(0))
    assert sorted(v for b in shuffled for v in b[0].tolist()) == [0, 1, 2, 10, 11, 12, 13]


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    parts = [[1, 2, 3], [], [4, 5]]
    ours = ConcatDataset(parts)
    theirs = torch.utils.data.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    for i in range(-5, 5):
        assert ours[i] == theirs[i]
    for i in (5, -6):
        with pytest.raises(Exception) as error:
            theirs[i]
        with pytest.raises(type(error.value)):
            ours[i]
