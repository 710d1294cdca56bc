"""tinynet.utils.data's samplers and the DataLoader's sampler= and batch_sampler=: the
orders and batches they give (against PyTorch's where nothing is random), what random ones
draw (permutations, counts, frequencies against the weights), and the errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.utils.data import (BatchSampler, DataLoader, RandomSampler, Sampler,
                                SequentialSampler, SubsetRandomSampler, TensorDataset,
                                WeightedRandomSampler)


def _gen(seed=0):
    return tn.Generator().manual_seed(seed)


def _dataset(n=10):
    return TensorDataset(tn.arange(float(n)).reshape(n, 1), tn.arange(n))


def test_pytorch_code_finds_the_samplers_where_pytorch_keeps_them():
    import tinynet as torch

    assert torch.utils.data.WeightedRandomSampler is WeightedRandomSampler
    assert torch.utils.data.sampler.SubsetRandomSampler is SubsetRandomSampler
    assert issubclass(BatchSampler, torch.utils.data.Sampler)


# ---- what each sampler gives -----------------------------------------------------------------
@given(n=st.integers(0, 40), batch=st.integers(1, 12), drop_last=st.booleans())
def test_sequential_batches_are_pytorchs(n, batch, drop_last):
    torch = pytest.importorskip("torch")
    ours = BatchSampler(SequentialSampler(range(n)), batch, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)),
                                           batch, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs) == len(list(ours))


@given(n=st.integers(1, 30), num_samples=st.integers(1, 100), seed=st.integers(0, 2**16))
@settings(max_examples=50)
def test_random_sampler_without_replacement_gives_whole_permutations(n, num_samples, seed):
    """Each index comes ⌊num_samples/n⌋ or one more times, and every run of n from the
    start is a permutation."""
    order = list(RandomSampler(range(n), num_samples=num_samples, generator=_gen(seed)))
    assert len(order) == num_samples
    for start in range(0, num_samples - n + 1, n):
        assert sorted(order[start:start + n]) == list(range(n))
    counts = np.bincount(order, minlength=n)
    assert set(counts.tolist()) <= {num_samples // n, num_samples // n + 1}


def test_random_sampler_draws_a_new_order_each_epoch_and_repeats_with_the_seed():
    sampler = RandomSampler(range(20), generator=_gen(3))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    again = RandomSampler(range(20), generator=_gen(3))
    assert list(again) == first and list(again) == second


def test_random_sampler_with_replacement_is_uniform():
    draws = list(RandomSampler(range(4), replacement=True, num_samples=40_000,
                               generator=_gen(1)))
    counts = np.bincount(draws, minlength=4)
    # each count is Binomial(40 000, 1/4): sd ≈ 87; 5 sd from 10 000 would be a failure
    assert len(draws) == 40_000 and np.all(np.abs(counts - 10_000) < 5 * 87)


def test_a_shuffled_loader_over_a_dataset_filled_later_shuffles_it():
    """The order is drawn at each iteration, from the dataset as it is then (an empty
    dataset gives no batch)."""
    samples = []
    loader = DataLoader(samples, batch_size=4, shuffle=True, generator=_gen(0))
    assert list(loader) == [] and len(loader) == 0
    samples.extend(range(12))
    order = [i for batch in loader for i in batch.tolist()]
    assert sorted(order) == list(range(12)) and order != list(range(12))


def test_weights_whose_sum_overflows_are_drawn_as_equal():
    draws = list(WeightedRandomSampler([1e308, 1e308], 2000, generator=_gen(0)))
    assert abs(sum(draws) / 2000 - 0.5) < 5 * 0.012  # sd of the share: 0.011


def test_the_global_generator_drives_samplers_without_one():
    tn.manual_seed(7)
    first = list(RandomSampler(range(10)))
    tn.manual_seed(7)
    assert list(RandomSampler(range(10))) == first


@given(indices=st.lists(st.integers(-50, 50), max_size=30, unique=True),
       seed=st.integers(0, 2**16))
def test_subset_random_sampler_permutes_exactly_its_indices(indices, seed):
    sampler = SubsetRandomSampler(indices, generator=_gen(seed))
    assert sorted(sampler) == sorted(indices) and len(sampler) == len(indices)


def test_weighted_sampler_follows_the_weights():
    weights = [0.1, 0.0, 0.6, 0.3]
    draws = list(WeightedRandomSampler(weights, 50_000, generator=_gen(2)))
    freq = np.bincount(draws, minlength=4) / 50_000
    # sd of a frequency p: sqrt(p(1-p)/50 000) <= 0.0023
    np.testing.assert_allclose(freq, weights, atol=5 * 0.0023)
    assert freq[1] == 0  # a zero weight is never drawn


@given(weights=st.lists(st.floats(0, 10), min_size=1, max_size=12), seed=st.integers(0, 99))
def test_weighted_sampler_without_replacement_draws_distinct_nonzero_indices(weights, seed):
    w = np.asarray(weights)
    if not w.sum() > 0:
        return
    drawable = np.flatnonzero(w / w.sum()).tolist()
    draws = list(WeightedRandomSampler(weights, len(drawable), replacement=False,
                                       generator=_gen(seed)))
    assert sorted(draws) == drawable


def test_weighted_sampler_takes_a_tensor_of_weights_and_balances_classes():
    """The usual use: weight each sample by 1/(its class's count); batches come out
    balanced from a 9:1 dataset."""
    labels = np.array([0] * 900 + [1] * 100)
    per_class = 1.0 / np.bincount(labels)
    weights = tn.tensor(per_class[labels])
    loader = DataLoader(TensorDataset(tn.arange(1000.0), tn.tensor(labels)), batch_size=100,
                        sampler=WeightedRandomSampler(weights, 10_000, generator=_gen(4)))
    ones = sum(int(y.sum().item()) for _, y in loader)
    assert len(loader) == 100 and abs(ones / 10_000 - 0.5) < 5 * 0.005  # sd 0.005


# ---- the DataLoader with samplers ------------------------------------------------------------
def test_loader_with_a_sampler_visits_its_order():
    loader = DataLoader(_dataset(6), batch_size=4, sampler=[5, 0, 3, 1, 2, 4])
    assert [y.tolist() for _, y in loader] == [[5, 0, 3, 1], [2, 4]]
    assert loader.sampler == [5, 0, 3, 1, 2, 4] and len(loader) == 2


def test_loader_with_a_batch_sampler_takes_its_batches():
    loader = DataLoader(_dataset(6), batch_sampler=[[4, 5], [0], [1, 2, 3]])
    assert [y.tolist() for _, y in loader] == [[4, 5], [0], [1, 2, 3]]
    assert loader.batch_size is None and len(loader) == 3


def test_loader_defaults_are_pytorchs_samplers():
    shuffled = DataLoader(_dataset(7), batch_size=3, shuffle=True, drop_last=True)
    assert isinstance(shuffled.sampler, RandomSampler)
    assert isinstance(shuffled.batch_sampler, BatchSampler) and len(shuffled) == 2
    plain = DataLoader(_dataset(7), batch_size=3)
    assert isinstance(plain.sampler, SequentialSampler) and len(plain) == 3


def test_shuffle_draws_the_order_a_random_sampler_draws():
    order = list(RandomSampler(range(9), generator=_gen(5)))
    loader = DataLoader(_dataset(9), batch_size=4, shuffle=True, generator=_gen(5))
    assert [i for _, y in loader for i in y.tolist()] == order


def test_subset_random_samplers_split_one_dataset():
    """Train and validation loaders over one dataset, as in the PyTorch tutorials."""
    data = _dataset(10)
    train = DataLoader(data, batch_size=3, sampler=SubsetRandomSampler(range(8), _gen(0)))
    valid = DataLoader(data, batch_size=3, sampler=SubsetRandomSampler([8, 9], _gen(0)))
    seen_train = sorted(i for _, y in train for i in y.tolist())
    seen_valid = sorted(i for _, y in valid for i in y.tolist())
    assert seen_train == list(range(8)) and seen_valid == [8, 9]


def test_a_custom_sampler_subclass_drives_a_loader():
    class Reversed(Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n - 1, -1, -1))

        def __len__(self):
            return self.n

    loader = DataLoader(_dataset(5), batch_size=2, sampler=Reversed(5))
    assert [y.tolist() for _, y in loader] == [[4, 3], [2, 1], [0]]


def test_an_epochs_iterator_has_the_loaders_length():
    loader = DataLoader(_dataset(5), batch_size=2)
    epoch = iter(loader)
    assert len(epoch) == 3 and next(epoch)[1].tolist() == [0, 1]
    assert [y.tolist() for _, y in epoch] == [[2, 3], [4]]


def test_a_sampler_without_length_iterates_but_has_no_len():
    loader = DataLoader(_dataset(5), batch_size=2, sampler=iter([1, 2, 3]))
    with pytest.raises(TypeError):
        len(loader)
    assert [y.tolist() for _, y in loader] == [[1, 2], [3]]


def test_the_base_sampler_must_define_iter():
    with pytest.raises(NotImplementedError, match="Sampler: a Sampler must define __iter__"):
        iter(Sampler())


# ---- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"sampler": [0, 1], "shuffle": True},
     r"DataLoader: sampler and shuffle=True cannot be combined .*got sampler=\[0, 1\]"),
    ({"batch_sampler": [[0]], "batch_size": 2},
     r"DataLoader: batch_sampler cannot be combined with batch_size, shuffle, sampler or "
     r"drop_last .*got batch_size=2, shuffle=False, sampler=None, drop_last=False"),
    ({"batch_sampler": [[0]], "drop_last": True}, r"drop_last=True"),
    ({"batch_sampler": [[0]], "sampler": [0]}, r"sampler=\[0\]"),
])
def test_loader_refuses_what_pytorch_refuses(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        DataLoader(_dataset(4), **kwargs)
    with pytest.raises(ValueError):  # PyTorch refuses them too
        torch.utils.data.DataLoader(list(range(4)), **kwargs)


@pytest.mark.parametrize("make, error, message", [
    (lambda: RandomSampler(range(3), replacement=1), TypeError,
     "RandomSampler: replacement must be True or False, got 1"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError,
     r"RandomSampler: num_samples must be an integer >= 1, got 0"),
    (lambda: RandomSampler(range(3), num_samples=2.0), TypeError,
     r"RandomSampler: num_samples must be an integer >= 1, got 2.0"),
    (lambda: list(RandomSampler([], num_samples=3)), ValueError,
     r"RandomSampler: data_source must hold at least one sample to draw num_samples=3 from, "
     r"got an empty one"),
    (lambda: list(DataLoader(_dataset(3), batch_sampler=[[0], []])), IndexError,
     r"default_collate: the batch is empty"),
    (lambda: DataLoader(_dataset(3), timeout=-1), ValueError,
     r"DataLoader: timeout must be a number >= 0, got -1"),
    (lambda: DataLoader(_dataset(3), prefetch_factor=2), ValueError,
     r"DataLoader: prefetch_factor and persistent_workers need num_workers > 0"),
    (lambda: RandomSampler(range(3), generator=0), TypeError,
     "RandomSampler: generator must be a tinynet.Generator"),
    (lambda: WeightedRandomSampler([1.0, 2.0], 0), ValueError,
     r"WeightedRandomSampler: num_samples must be an integer >= 1, got 0"),
    (lambda: WeightedRandomSampler([[1.0, 2.0]], 2), ValueError,
     r"WeightedRandomSampler: weights must be a 1-D sequence of numbers, got shape \(1, 2\)"),
    (lambda: WeightedRandomSampler(["a", "b"], 2), ValueError,
     r"weights must be a 1-D sequence of numbers, got <U1"),
    (lambda: WeightedRandomSampler([1.0, -1.0], 2), ValueError,
     r"WeightedRandomSampler: weights must be finite and >= 0, not all zero, got \[ 1\. -1\.\]"),
    (lambda: WeightedRandomSampler([0, 0], 2), ValueError, "not all zero"),
    (lambda: WeightedRandomSampler([1.0, math.nan], 2), ValueError, "must be finite"),
    (lambda: WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False), ValueError,
     r"without replacement num_samples must be at most the number of nonzero weights "
     r"\(2\), got 3"),
    (lambda: WeightedRandomSampler([2.0, 5e-324], 2, replacement=False), ValueError,
     r"number of nonzero weights \(1; 1 too small beside their sum to be drawn\), got 2"),
    (lambda: BatchSampler(range(3), 0, False), ValueError,
     r"BatchSampler: batch_size must be an integer >= 1, got 0"),
    (lambda: BatchSampler(range(3), 2, "no"), TypeError,
     "BatchSampler: drop_last must be True or False, got 'no'"),
])
def test_samplers_refuse_bad_arguments_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_weighted_sampler_reads_its_weights_at_each_draw():
    sampler = WeightedRandomSampler([1.0, 1.0, 1.0], 3000,
                                    generator=tn.Generator().manual_seed(0))
    assert sampler.weights.dtype == tn.float64 and sampler.weights.tolist() == [1, 1, 1]
    sampler.weights = tn.as_tensor([0.0, 0.0, 1.0], dtype=tn.float64)  # a new tensor
    assert np.bincount(list(sampler), minlength=3).tolist() == [0, 0, 3000]
    sampler.weights[0] = 1.0  # changed in place
    counts = np.bincount(list(sampler), minlength=3)
    assert counts[1] == 0 and abs(counts[0] - 1500) < 150
    given = tn.tensor([1.0, 1.0, 1.0], dtype=tn.float64)
    shared = WeightedRandomSampler(given, 300, generator=tn.Generator().manual_seed(0))
    given[:2] = 0.0  # the caller's float64 tensor is the sampler's, as in PyTorch
    assert np.bincount(list(shared), minlength=3).tolist() == [0, 0, 300]
    sampler.weights = tn.as_tensor([0.0, -1.0, 1.0], dtype=tn.float64)
    with pytest.raises(ValueError, match="WeightedRandomSampler: weights must be finite and "
                                         ">= 0, not all zero"):
        list(sampler)


def test_a_huge_num_samples_with_replacement_is_drawn_as_it_goes():
    # an endless loader (makemore's InfiniteDataLoader: num_samples=1e10) must not build
    # every index first; the blocks draw what one call would
    from tinynet.utils.data import RandomSampler
    from tinynet.utils.data.sampler import DRAW_BLOCK

    endless = iter(RandomSampler(range(100), replacement=True, num_samples=int(1e10),
                                 generator=np.random.default_rng(3)))
    first = [next(endless) for _ in range(2 * DRAW_BLOCK + 5)]
    assert first == np.random.default_rng(3).integers(0, 100, size=len(first)).tolist()
    assert all(0 <= i < 100 for i in first)
