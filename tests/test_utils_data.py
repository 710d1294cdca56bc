"""tinynet.utils.data: Dataset, TensorDataset, Subset, random_split, default_collate and
DataLoader (batching, shuffling, drop_last, generators), against PyTorch's."""
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet.utils.data import (DataLoader, Dataset, Subset, TensorDataset, default_collate,
                                random_split)


def _dataset(n=10):
    return TensorDataset(tn.arange(float(n)).reshape(n, 1), tn.arange(n))


def test_import_paths_of_pytorch_code():
    import tinynet as torch
    from tinynet.utils import data

    assert torch.utils.data.DataLoader is DataLoader and data.TensorDataset is TensorDataset


# ---- datasets --------------------------------------------------------------------------------
def test_tensor_dataset_samples_are_tuples_of_rows():
    data = _dataset(4)
    assert len(data) == 4
    x, y = data[2]
    assert x.tolist() == [2.0] and y.item() == 2
    _, ys = data[1:3]  # any index the tensors take, as PyTorch
    assert ys.tolist() == [1, 2]
    assert data.tensors[1] is not None


@pytest.mark.parametrize("tensors, error, message", [
    ((tn.zeros(3), tn.zeros(4)), ValueError, r"Size mismatch.*\[\(3,\), \(4,\)\]"),
    ((tn.zeros(3), np.zeros(3)), TypeError, "must be a Tensor, got ndarray at position 1"),
    ((tn.tensor(1.0),), ValueError, "one first dimension"),
])
def test_tensor_dataset_refuses_tensors_of_different_lengths(tensors, error, message):
    with pytest.raises(error, match=message):
        TensorDataset(*tensors)


def test_dataset_base_class_says_what_is_missing():
    class Empty(Dataset):
        pass

    with pytest.raises(NotImplementedError,
                       match=r"Empty: a Dataset must define __getitem__\(index\)"):
        Empty()[0]
    with pytest.raises(TypeError, match=r"object of type 'Empty' has no len\(\)"):
        len(Empty())  # Python's own error, as PyTorch's Dataset has no __len__


def test_subset_reads_through_its_indices():
    subset = Subset(_dataset(), [7, 3, 5])
    assert len(subset) == 3 and subset[1][1].item() == 3
    assert subset[[0, 2]][1].tolist() == [7, 5]


# ---- random_split ----------------------------------------------------------------------------
@pytest.mark.parametrize("lengths, sizes", [
    ([3, 7], [3, 7]), ([0.5, 0.3, 0.2], [5, 3, 2]), ([0.33, 0.33, 0.34], [4, 3, 3]),
    ([1.0], [10]), ([0, 10], [0, 10]),
    ([0.5, 0.5, 0], [5, 5, 0]), ([1, 0.0, 0.0], [10, 0, 0]),  # numbers summing to 1: fractions
])
def test_random_split_sizes_as_pytorch(lengths, sizes):
    parts = random_split(range(10), lengths, generator=tn.Generator().manual_seed(0))
    assert [len(p) for p in parts] == sizes
    assert sorted(i for p in parts for i in p) == list(range(10))  # disjoint, complete


def test_random_split_is_seeded_by_its_generator_or_the_global_one():
    def split(**kwargs):
        return [list(p) for p in random_split(range(20), [10, 10], **kwargs)]

    assert split(generator=tn.Generator().manual_seed(3)) == \
        split(generator=np.random.default_rng(3))  # tn.Generator is numpy's PCG64
    tn.manual_seed(5)
    first = split()
    tn.manual_seed(5)
    assert split() == first and first != sorted(first)


@pytest.mark.parametrize("lengths, error, message", [
    ([3, 3], ValueError, r"must sum to the dataset's length 10.*got \[3, 3\]"),
    ([0.5, 0.6], ValueError, r"fractions must sum to 1, got \[0.5, 0.6\] \(sum 1.1\)"),
    ([0.7, 0.3000001], ValueError, r"\(sum 1.0000000999999998\)"),  # not rounded to 1
    ([-1, 11], ValueError, r"lengths\[0\] must be an integer >= 0, got -1"),
    ([5.0, 5], TypeError, r"lengths\[0\] must be an integer"),
])
def test_random_split_refuses_lengths_that_do_not_add_up(lengths, error, message):
    with pytest.raises(error, match=message):
        random_split(range(10), lengths)


# ---- collate ---------------------------------------------------------------------------------
def test_default_collate_stacks_tensors_and_turns_numbers_into_tensors():
    x, y = default_collate([(tn.ones(2), 1), (tn.zeros(2), 2)])
    assert x.shape == (2, 2) and x.dtype == np.float32
    assert y.tolist() == [1, 2] and y.dtype == np.int64
    assert default_collate([1.5, 2.5]).dtype == np.float64  # Python floats: float64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1.0), np.float32(2.0)]).dtype == np.float32
    assert default_collate([np.ones(3), np.zeros(3)]).shape == (2, 3)


@pytest.mark.parametrize("batch, values, dtype", [
    ([1, 2.5, 3], [1.0, 2.5, 3.0], np.float32),  # starts with an int: tensor()'s inference
    ([True, 2.5], [1.0, 2.5], np.float32),
    ([2.5, 1], [2.5, 1.0], np.float64),  # starts with a float: float64
    ([np.int64(1), 2.5], [1.0, 2.5], np.float32),  # numpy scalars: as_tensor's inference
    ([np.float64(1.5), 2], [1.5, 2.0], np.float64),
])
def test_a_batch_of_mixed_numbers_keeps_every_value_as_pytorchs(batch, values, dtype):
    collated = default_collate(batch)
    assert collated.tolist() == values and collated.dtype == dtype
    loader = DataLoader([(tn.zeros(1), v) for v in batch], batch_size=len(batch))
    assert next(iter(loader))[1].tolist() == values  # a regression target is not truncated


def test_default_collate_of_dicts_namedtuples_and_strings():
    batch = default_collate([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    assert batch["a"].tolist() == [1, 2] and batch["b"] == ["x", "y"]
    Pair = namedtuple("Pair", "image label")
    pair = default_collate([Pair(tn.ones(2), 0), Pair(tn.ones(2), 1)])
    assert isinstance(pair, Pair) and pair.label.tolist() == [0, 1]
    assert default_collate([["s", 1], ["t", 2]])[0] == ("s", "t")


@pytest.mark.parametrize("batch, error, message", [
    ([(1, 2), (1,)], RuntimeError, r"same length, got lengths \[1, 2\]"),
    ([object()], TypeError, "got object"),
    ([np.array(["a"])], TypeError, "must hold numbers, got dtype <U1"),
    ([tn.ones(2), tn.ones(3)], RuntimeError, "same shape"),
])
def test_default_collate_errors(batch, error, message):
    with pytest.raises(error, match=message):
        default_collate(batch)


# ---- DataLoader ------------------------------------------------------------------------------
def test_loader_batches_in_order_with_a_smaller_last_batch():
    loader = DataLoader(_dataset(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [y.tolist() for _, y in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 1) and loader.dataset is not None


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(_dataset(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(y) for _, y in loader] == [4, 4]


def test_default_batch_size_is_one():
    first = next(iter(DataLoader(_dataset(3))))
    assert first[1].tolist() == [0]


def test_a_list_of_image_label_pairs_as_a_torchvision_dataset_gives():
    data = [(tn.full((1, 8, 8), float(i)), i) for i in range(5)]
    images, labels = next(iter(DataLoader(data, batch_size=5)))
    assert images.shape == (5, 1, 8, 8) and labels.dtype == np.int64


def test_shuffling_reshuffles_every_epoch_and_is_reproducible():
    loader = DataLoader(_dataset(50), batch_size=50, shuffle=True,
                        generator=tn.Generator().manual_seed(0))
    first, second = [next(iter(loader))[1].tolist() for _ in range(2)]
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second and first != list(range(50))
    again = DataLoader(_dataset(50), batch_size=50, shuffle=True,
                       generator=tn.Generator().manual_seed(0))
    assert next(iter(again))[1].tolist() == first


def test_shuffling_without_a_generator_follows_manual_seed():
    loader = DataLoader(_dataset(30), batch_size=7, shuffle=True)
    tn.manual_seed(1)
    first = [y.tolist() for _, y in loader]
    tn.manual_seed(1)
    assert [y.tolist() for _, y in loader] == first
    assert DataLoader(_dataset(4), shuffle=True,
                      generator=np.random.default_rng(0)).generator is not None


@pytest.mark.parametrize("shuffle, drop_last", [(False, False), (True, True), (True, False)])
def test_tensor_dataset_fast_path_gives_the_batches_of_the_reference_path(shuffle, drop_last):
    x = tn.randn(23, 3, 2, dtype=tn.float64, requires_grad=True)
    data = TensorDataset(x, tn.arange(23), tn.randn(23) > 0)

    def batches(collate_fn):
        loader = DataLoader(data, batch_size=5, shuffle=shuffle, drop_last=drop_last,
                            collate_fn=collate_fn, generator=tn.Generator().manual_seed(0))
        return list(loader)

    fast, reference = batches(None), batches(lambda samples: default_collate(samples))
    assert len(fast) == len(reference)
    for batch, expected in zip(fast, reference, strict=True):
        assert type(batch) is type(expected) is list
        for a, b in zip(batch, expected, strict=True):
            assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
            np.testing.assert_array_equal(a.array, b.array)
    # and the gradient reaches the dataset's tensor the same way
    sum(b[0].sum() * (i + 1) for i, b in enumerate(fast)).backward()
    grad = x.grad.array.copy()
    x.grad = None
    sum(b[0].sum() * (i + 1) for i, b in enumerate(reference)).backward()
    np.testing.assert_array_equal(grad, x.grad.array)


def test_collate_fn_receives_the_list_of_samples():
    loader = DataLoader(list(range(7)), batch_size=3, collate_fn=lambda samples: samples)
    assert list(loader) == [[0, 1, 2], [3, 4, 5], [6]]


def test_num_workers_runs_serially_with_the_same_batches():
    serial = [y.tolist() for _, y in DataLoader(_dataset(9), batch_size=2)]
    workers = DataLoader(_dataset(9), batch_size=2, num_workers=4, pin_memory=True)
    assert [y.tolist() for _, y in workers] == serial


@pytest.mark.parametrize("kwargs, error, message", [
    ({"batch_size": 0}, ValueError, "DataLoader: batch_size must be an integer >= 1, got 0"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
    ({"num_workers": -1}, ValueError, "num_workers must be an integer >= 0, got -1"),
    ({"generator": 0}, TypeError, "DataLoader: generator must be a tinynet.Generator"),
])
def test_loader_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(_dataset(), **kwargs)


def test_sampler_and_batch_sampler_none_are_accepted_in_pytorchs_positions():
    data = _dataset(5)
    keywords = DataLoader(data, batch_size=2, sampler=None, batch_sampler=None)
    positional = DataLoader(data, 2, False, None, None, 0, None, False, True)  # drop_last
    assert [y.tolist() for _, y in keywords] == [[0, 1], [2, 3], [4]]
    assert [y.tolist() for _, y in positional] == [[0, 1], [2, 3]]


def test_the_loaders_first_parameters_are_pytorchs_in_its_order():
    import inspect

    torch = pytest.importorskip("torch")
    ours = list(inspect.signature(DataLoader).parameters)
    theirs = list(inspect.signature(torch.utils.data.DataLoader).parameters)
    assert ours[:9] == theirs[:9] == [
        "dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers",
        "collate_fn", "pin_memory", "drop_last"]
    assert set(ours) <= set(theirs)


def test_a_loader_feeds_a_training_loop():
    tn.manual_seed(0)
    x = tn.randn(64, 3)
    y = x @ tn.tensor([[1.0], [-2.0], [0.5]])
    model = tn.nn.Linear(3, 1)
    opt = tn.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            tn.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    assert tn.nn.functional.mse_loss(model(x), y).item() < 1e-4


@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), drop_last=st.booleans(),
       shuffle=st.booleans(), seed=st.integers(0, 1000))
def test_batches_cover_the_dataset_once(n, batch_size, drop_last, shuffle, seed):
    loader = DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last,
                        shuffle=shuffle, generator=tn.Generator().manual_seed(seed))
    batches = [b.tolist() for b in loader]
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen))
    if drop_last:
        assert len(seen) == n - n % batch_size
    else:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == list(range(len(seen)))


# ---- against PyTorch -------------------------------------------------------------------------
def test_batches_and_lengths_equal_pytorchs():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((11, 3)).astype(np.float32)
    y = np.arange(11)
    for kwargs in [{"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {}]:
        ours = DataLoader(TensorDataset(tn.tensor(x), tn.tensor(y)), **kwargs)
        theirs = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), **kwargs)
        assert len(ours) == len(theirs)
        for (xb, yb), (xt, yt) in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(xb.array, xt.numpy())
            np.testing.assert_array_equal(yb.array, yt.numpy())


def test_collate_and_split_sizes_equal_pytorchs():
    torch = pytest.importorskip("torch")
    samples = [(np.ones(2, np.float32), 1, 2.5, True), (np.zeros(2, np.float32), 2, 0.5, False)]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert type(ours) is type(theirs) is list
    for a, b in zip(ours, theirs, strict=True):
        assert str(a.dtype) == str(b.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(a.array, b.numpy())
    for n, fractions in [(10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (101, [0.8, 0.1, 0.1])]:
        assert [len(p) for p in random_split(range(n), fractions)] == \
            [len(p) for p in torch.utils.data.random_split(range(n), fractions)]


def test_a_loaders_batching_attributes_cannot_change_after_it_is_made():
    loader = DataLoader(TensorDataset(tn.arange(10)), batch_size=2)
    for name, value in [("batch_size", 5), ("dataset", range(3)), ("drop_last", True),
                        ("sampler", [0, 1]), ("batch_sampler", [[0]])]:
        with pytest.raises(ValueError, match=f"DataLoader: {name} attribute should not be set "
                                             f"after DataLoader is initialized"):
            setattr(loader, name, value)
    loader.collate_fn = len  # as PyTorch's: read at each batch, so it may change
    assert list(loader) == [2, 2, 2, 2, 2]
    with pytest.raises(TypeError, match="DataLoader: drop_last must be True or False, got "
                                        "'False'"):
        DataLoader(list(range(5)), batch_size=2, drop_last="False")


def test_a_dataset_that_fetches_a_batch_at_once_is_asked_for_batches():
    class Batched(Dataset):
        def __len__(self):
            return 6

        def __getitems__(self, indices):  # PyTorch's name: one call per batch
            return [10 * i for i in indices]

    assert [b.tolist() for b in DataLoader(Batched(), batch_size=4)] == [[0, 10, 20, 30],
                                                                        [40, 50]]
    subset = Subset(Batched(), [5, 1, 2])
    assert subset.__getitems__([0, 2]) == [50, 20]  # through the dataset's own
    assert [b.tolist() for b in DataLoader(subset, batch_size=2)] == [[50, 10], [20]]
    assert Subset([1, 2, 3, 4], [3, 1]).__getitems__([1, 0]) == [2, 4]


def test_collate_keeps_numpy_strings_and_the_mapping_type():
    import collections
    names = np.array(["cat", "dog"])
    assert default_collate([names[0], names[1]]) == ["cat", "dog"]
    batch = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert type(batch) is collections.OrderedDict and list(batch) == ["b", "a"]
    assert batch["a"].tolist() == [2, 2]
    counts = collections.defaultdict(int, x=1.5)
    collated = default_collate([counts, counts])
    assert type(collated) is collections.defaultdict and collated["missing"] == 0


def test_a_batch_sampler_may_yield_any_iterable_of_indices():
    def batches():
        for start in (0, 2, 4):
            yield (i for i in range(start, start + 2))

    loader = DataLoader(list(range(6)), batch_sampler=batches())
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5]]


def test_random_split_takes_numpy_fractions():
    parts = random_split(range(10), [np.float32(0.3), np.float32(0.7)],
                         generator=tn.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]


class Stream(tn.utils.data.IterableDataset):
    """n samples (x, label) made as they are read, as a file read line by line."""

    def __init__(self, n, start=0):
        self.n, self.start = n, start

    def __iter__(self):
        for i in range(self.start, self.start + self.n):
            yield np.array([i, -i], np.float32), i % 3


class SizedStream(Stream):
    def __len__(self):
        return self.n


@pytest.mark.parametrize("n,batch_size,drop_last", [(7, 3, False), (7, 3, True), (6, 3, True),
                                                    (2, 5, False), (2, 5, True), (0, 2, False)])
def test_an_iterable_dataset_is_batched_in_its_order(n, batch_size, drop_last):
    loader = DataLoader(SizedStream(n), batch_size=batch_size, drop_last=drop_last)
    batches = [(x.tolist(), y.tolist()) for x, y in loader]
    labels = [i % 3 for i in range(n)]
    cut = n - n % batch_size if drop_last else n
    expected = [labels[i:i + batch_size] for i in range(0, cut, batch_size)]
    assert [y for _, y in batches] == expected
    assert [x for x, _ in batches] == [[[i, -i] for i in range(k, k + len(b))]
                                       for k, b in zip(range(0, cut, batch_size), expected)]
    assert len(loader) == len(expected)  # from the dataset's len
    assert loader.sampler is None and loader.batch_sampler is None
    with pytest.raises(TypeError, match="object of type 'Stream' has no len"):
        len(DataLoader(Stream(n), batch_size=batch_size))  # as PyTorch: no len to give


def test_iterable_datasets_chain_and_refuse_what_orders_indices():
    both = Stream(2) + SizedStream(3, start=10)
    assert isinstance(both, tn.utils.data.ChainDataset)
    assert [y.tolist() for _, y in DataLoader(both, batch_size=4)] == [[0, 1, 1, 2], [0]]
    assert len(tn.utils.data.ChainDataset([SizedStream(2), SizedStream(3)])) == 5
    with pytest.raises(TypeError, match="each dataset must be an IterableDataset, got list"):
        list(tn.utils.data.ChainDataset([Stream(1), [1, 2]]))
    for name, value in (("shuffle", True), ("sampler", np.arange(2)),
                        ("batch_sampler", [[0, 1]])):
        with pytest.raises(ValueError, match=f"IterableDataset gives its own order, so "
                                             f"{name} must not be given"):
            DataLoader(Stream(2), **{name: value})
    with pytest.raises(TypeError, match="ConcatDataset: the datasets must be map-style"):
        tn.utils.data.ConcatDataset([TensorDataset(tn.arange(2)), Stream(2)])
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(tn.utils.data.IterableDataset())


def test_iterable_dataset_batches_equal_pytorchs():
    torch = pytest.importorskip("torch")

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(Stream(7))

    for drop_last in (False, True):
        ours = [[t.tolist() for t in b] for b in DataLoader(Stream(7), 3, drop_last=drop_last)]
        theirs = [[t.tolist() for t in b]
                  for b in torch.utils.data.DataLoader(TorchStream(), 3, drop_last=drop_last)]
        assert ours == theirs


def test_fit_trains_on_an_iterable_loader():
    class Separable(tn.utils.data.IterableDataset):
        def __iter__(self):
            rng = np.random.default_rng(0)  # the same samples each epoch
            for _ in range(128):
                x = rng.normal(size=2).astype(np.float32)
                yield x, int(x[0] + x[1] > 0)

    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(2, 8), tn.nn.ReLU(), tn.nn.Linear(8, 2))
    history = tn.fit(model, DataLoader(Separable(), batch_size=16), epochs=8, lr=0.05,
                     optimizer="adam", progress=False, monitor=False)
    losses = history["train_loss"]
    assert losses[-1] < 0.5 * losses[0] and history.config["sampler"] == "Separable"


def test_an_empty_batch_goes_to_the_collate_fn_and_the_worker_options_are_accepted():
    loader = DataLoader([1, 2, 3], batch_sampler=[[0], [], [1]], collate_fn=lambda b: b)
    assert list(loader) == [[1], [], [2]]  # (a bucketing sampler's empty bucket)
    calls = []
    loader = DataLoader(range(4), batch_size=2, num_workers=2, timeout=5,
                        worker_init_fn=calls.append, persistent_workers=True,
                        prefetch_factor=4, pin_memory_device="", in_order=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]] and calls == []  # no workers
    assert (loader.timeout, loader.prefetch_factor, loader.persistent_workers) == (5, 4, True)


def test_random_split_takes_fractions_in_a_tensor_and_warns_of_an_empty_split():
    from tinynet.utils.data import random_split
    assert [len(s) for s in random_split(range(10), tn.tensor([0.7, 0.3]))] == [7, 3]
    with pytest.warns(UserWarning, match="the split at index 1 has length 0"):
        parts = random_split(range(5), [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 4]


# ---- batch_size=None: each sample is a batch already -----------------------------------------
class PreBatched(Dataset):
    """Three batches of the moons, 32 rows each (the last 36), as numpy arrays."""

    def __init__(self):
        from sklearn.datasets import make_moons
        X, y = make_moons(100, noise=0.1, random_state=0)
        self.X, self.y = X.astype(np.float32), y

    def __len__(self):
        return 3

    def __getitem__(self, i):
        rows = slice(32 * i, 32 * (i + 1) if i < 2 else None)
        return self.X[rows], self.y[rows]


def test_batch_size_none_passes_each_sample_through_default_convert():
    loader = DataLoader(PreBatched(), batch_size=None)
    assert (loader.batch_size, loader.batch_sampler, loader.collate_fn) == \
        (None, None, tn.utils.data.default_convert)
    assert len(loader) == 3 and type(loader.sampler).__name__ == "SequentialSampler"
    batches = list(loader)
    assert [type(b).__name__ for b in batches] == ["list"] * 3  # a tuple becomes a list
    assert [tuple(x.shape) for x, _ in batches] == [(32, 2), (32, 2), (36, 2)]
    np.testing.assert_array_equal(batches[2][1].array, PreBatched().y[64:])
    assert batches[0][1].dtype == tn.int64 and batches[0][0].dtype == tn.float32
    shuffled = DataLoader(PreBatched(), batch_size=None, shuffle=True,
                          generator=tn.Generator().manual_seed(0))
    assert sorted(len(x) for x, _ in shuffled) == [32, 32, 36]
    assert list(DataLoader(Stream(2), batch_size=None, collate_fn=lambda s: s[1])) == [0, 1]
    assert len(DataLoader(SizedStream(5), batch_size=None)) == 5
    with pytest.raises(ValueError, match="batch_size=None turns batching off, so drop_last "
                                         "must be False"):
        DataLoader(PreBatched(), batch_size=None, drop_last=True)


def test_default_convert_as_pytorchs():
    Pair = namedtuple("Pair", "a b")
    convert = tn.utils.data.default_convert
    out = convert(Pair(np.zeros(2), [np.int64(3), (1.5, "x"), {"k": np.bool_(True)}]))
    assert type(out) is Pair and out.a.dtype == tn.float64 and out.a.tolist() == [0.0, 0.0]
    assert out.b[0].dtype == tn.int64 and out.b[0].item() == 3 and out.b[1] == [1.5, "x"]
    assert out.b[2]["k"].dtype == tn.bool
    t = tn.ones(2)
    assert convert(t) is t and convert("abc") == "abc" and convert(7) == 7
    assert convert(np.array(["a"])).tolist() == ["a"]  # strings are not numbers: kept


def test_batch_size_none_equals_pytorchs():
    torch = pytest.importorskip("torch")
    data = PreBatched()
    ours = [[t.tolist() for t in b] for b in DataLoader(data, batch_size=None)]
    theirs = [[t.tolist() for t in b] for b in torch.utils.data.DataLoader(data, batch_size=None)]
    assert ours == theirs
    sample = (np.zeros(2), [np.int64(3), (1.5, "x")], {"k": np.float32(2)})
    ours, theirs = tn.utils.data.default_convert(sample), \
        torch.utils.data.default_convert(sample)
    assert repr(ours).replace("tinynet.", "torch.") == repr(theirs)


def test_fit_trains_on_a_loader_of_batches():
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(2, 16), tn.nn.Tanh(), tn.nn.Linear(16, 2))
    loader = DataLoader(PreBatched(), batch_size=None, shuffle=True)
    history = tn.fit(model, loader, epochs=30, lr=0.05, optimizer="adam", progress=False,
                     monitor=False)
    assert [r["steps"] for r in history.records] == [3] * 30
    assert history["train_loss"][-1] < 0.35 and history["train_acc"][-1] > 0.85
    assert history.config["n_samples"] == 100 and history.config["sampler"] == "RandomSampler"
    rows = TensorDataset(tn.tensor(PreBatched().X), tn.tensor(PreBatched().y))
    by_sampler = DataLoader(rows, batch_size=None, sampler=tn.utils.data.BatchSampler(
        tn.utils.data.SequentialSampler(rows), 32, False))  # (iterates, but fit reads items)
    with pytest.raises(ValueError, match="fit: a DataLoader with batch_size=None whose "
                                         "sampler is a BatchSampler is not supported.* pass "
                                         "it as batch_sampler="):
        tn.fit(model, by_sampler, epochs=1, progress=False)
