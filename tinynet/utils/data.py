"""Datasets and minibatches, as ``torch.utils.data``: ``Dataset``, ``TensorDataset``,
``ConcatDataset``, ``Subset``, ``random_split``, ``DataLoader`` and ``default_collate``,
and the samplers of ``tinynet/utils/sampler.py``.

A dataset is anything with ``__getitem__(i)`` and ``__len__``: a ``TensorDataset``, a
list of ``(image, label)`` pairs, your own ``Dataset`` subclass. A ``DataLoader`` draws
indices (in order, shuffled, or from a sampler), fetches those samples and stacks them
into one batch.
Everything runs in the calling process (see ``DataLoader``'s ``num_workers``).
"""
import bisect
import collections.abc
import itertools
import math
import numbers
import operator
import reprlib

import numpy as np

from tinynet.checks import check_int
from tinynet.combining import stack
from tinynet.factories import as_tensor, tensor
from tinynet.random import as_generator
from tinynet.tensor import Tensor
from tinynet.utils import sampler
from tinynet.utils.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                   SubsetRandomSampler, WeightedRandomSampler)

__all__ = [
    "Dataset", "TensorDataset", "ConcatDataset", "Subset", "random_split", "default_collate",
    "DataLoader", "sampler", "Sampler", "SequentialSampler", "RandomSampler",
    "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__(index)`` (one
    sample) and ``__len__`` (the number of samples).

    Example:
        >>> import tinynet as tn
        >>> class Squares(tn.utils.data.Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i, i * i
        >>> next(iter(tn.utils.data.DataLoader(Squares(), batch_size=4)))
        [tensor([0, 1, 2, 3]), tensor([0, 1, 4, 9])]
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: a Dataset must define "
                                  f"__getitem__(index); add it to your subclass")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: a Dataset must define __len__(); "
                                  f"add it to your subclass")

    def __add__(self, other) -> "ConcatDataset":
        """``self + other``: the samples of both, self's first (a ``ConcatDataset``)."""
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of tensors of one length: ``dataset[i]`` is
    ``(t[i] for t in tensors)`` as a tuple.

    Args:
        *tensors: tensors whose first dimensions are equal.

    Example:
        >>> import tinynet as tn
        >>> data = tn.utils.data.TensorDataset(tn.zeros(5, 2), tn.arange(5))
        >>> len(data), data[3]
        (5, (tensor([0., 0.]), tensor(3)))
    """

    def __init__(self, *tensors: Tensor):
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: every argument must be a Tensor, got "
                                f"{type(t).__name__} at position {i}")
            if t.ndim == 0 or len(t) != len(tensors[0]):
                raise ValueError(f"TensorDataset: the tensors must have one first dimension "
                                 f"(Size mismatch between tensors), got shapes "
                                 f"{[tuple(t.shape) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0]) if self.tensors else 0


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other: with lengths n₀, n₁, ...,
    index i < n₀ is ``datasets[0][i]``, then ``datasets[1][i - n₀]``, and so on;
    negative indices count from the end of the whole.

    Args:
        datasets: an iterable of at least one dataset (anything with ``__getitem__``
            and ``__len__``).

    Attributes:
        datasets: the list of parts.
        cumulative_sizes: n₀, n₀ + n₁, ...: where each part ends.

    Example:
        >>> import tinynet as tn
        >>> a = tn.utils.data.TensorDataset(tn.arange(3))
        >>> both = a + tn.utils.data.TensorDataset(tn.arange(10, 12))
        >>> len(both), both[3], both[-1]
        (5, (tensor(10),), (tensor(11),))
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets must hold at least one dataset, got "
                             "none")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        i = _integer_index(index, "ConcatDataset")
        if i < 0:
            if -i > n:  # ValueError, as PyTorch raises here
                raise ValueError(f"ConcatDataset: index must be in [-{n}, {n}), got {i}")
            i += n
        if i >= n:  # IndexError: what ends `for sample in dataset`
            raise IndexError(f"ConcatDataset: index must be in [-{n}, {n}), got {i}")
        part = bisect.bisect_right(self.cumulative_sizes, i)
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][i - start]


def _integer_index(index, where: str) -> int:
    """``index`` as an int (a Python or numpy integer, or a one-element integer tensor)."""
    try:
        return operator.index(index)
    except TypeError:
        name = type(index).__name__
        raise TypeError(f"{where}: index must be an integer, got {name}") from None


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset: any dataset.
        indices: a sequence of indices into it.
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None) -> list:
    """Split ``dataset`` at random into ``Subset``s of the given lengths.

    Args:
        dataset: the dataset to split.
        lengths: sizes that sum to ``len(dataset)``, or fractions that sum to 1 (each part
            gets ⌊fraction·n⌋, and the remainder goes one by one to the first parts, as in
            PyTorch).
        generator: a ``tn.Generator`` or ``numpy.random.Generator`` (default: the global
            generator, see ``tn.manual_seed``).

    Example:
        >>> import tinynet as tn
        >>> train, test = tn.utils.data.random_split(range(10), [0.8, 0.2],
        ...                                          generator=tn.Generator().manual_seed(0))
        >>> len(train), len(test), sorted(list(train) + list(test)) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) \
            and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if fraction < 0:
                raise ValueError(f"random_split: fractions must be >= 0, got {fraction!r} "
                                 f"at position {i}")
        counts = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(counts)):  # the remainder, round robin
            counts[i % len(counts)] += 1
        lengths = counts
    elif lengths and all(isinstance(x, float) for x in lengths):
        raise ValueError(f"random_split: fractions must sum to 1, got {lengths} (sum "
                         f"{sum(lengths):g})")
    for i, length in enumerate(lengths):
        check_int("random_split", f"lengths[{i}]", length, 0)
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths must sum to the dataset's length {n} (or "
                         f"be fractions summing to 1), got {lengths}")
    order = as_generator(generator, "random_split").permutation(n).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length]))
        start += length
    return subsets


def default_collate(batch):
    """Join a list of samples into one batch, as PyTorch's ``default_collate``: tensors
    and numpy arrays are stacked along a new first dimension; Python ints, floats and
    bools become int64, float64 and bool tensors; tuples and lists are collated position
    by position (giving a list), dicts key by key; strings are left as they are.

    Example:
        >>> import tinynet as tn
        >>> default_collate([(tn.ones(2), 0), (tn.zeros(2), 1)])
        [tensor([[1., 1.],
                [0., 0.]]), tensor([0, 1])]
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, (np.ndarray, np.generic)):
        if first.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: numpy samples must hold numbers, got dtype "
                            f"{first.dtype}")
        return stack([as_tensor(np.asarray(sample)) for sample in batch])
    if isinstance(first, bool):
        return tensor(batch, dtype=np.bool_)
    if isinstance(first, numbers.Integral):
        return tensor(batch, dtype=np.int64)
    if isinstance(first, numbers.Real):
        return tensor(batch, dtype=np.float64)
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(column) for column in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError(f"default_collate: each sample must have the same length, got "
                               f"lengths {sorted({len(sample) for sample in batch})}")
        return [default_collate(column) for column in zip(*batch)]
    raise TypeError(f"default_collate: samples must be tensors, numpy arrays, numbers, "
                    f"strings, dicts or sequences, got {type(first).__name__}")


class DataLoader:
    """Minibatches of a dataset: iterate it once per epoch.

    Each iteration draws an order of indices (``shuffle``: a new permutation each time,
    from ``generator``; or ``sampler``'s), cuts it into batches of ``batch_size`` indices
    (or takes ``batch_sampler``'s batches), fetches those samples and joins them with
    ``collate_fn``.

    Args:
        dataset: a dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (default 1).
        shuffle: draw a new random order at each iteration (default False).
        sampler: the order of the indices instead (a ``Sampler``, or any iterable of
            indices; ``len(loader)`` needs its length); not with ``shuffle``.
        batch_sampler: the batches of indices instead (a ``BatchSampler``, or any
            iterable of lists of indices); not with ``batch_size``, ``shuffle``,
            ``sampler`` or ``drop_last``. ``loader.batch_size`` is then None.
        num_workers: accepted for PyTorch code; NOTE: batches are always made in the
            calling process, one after the other (the same batches, in the same order).
        collate_fn: joins a list of samples into a batch (default: ``default_collate``).
        pin_memory: accepted and ignored (no GPU).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: a ``tn.Generator`` or ``numpy.random.Generator`` for the shuffling
            (default: the global generator, see ``tn.manual_seed``).

    Example:
        >>> import tinynet as tn
        >>> data = tn.utils.data.TensorDataset(tn.arange(5.0), tn.arange(5))
        >>> loader = tn.utils.data.DataLoader(data, batch_size=2)
        >>> len(loader), [y.tolist() for _, y in loader]
        (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, generator=None):
        self.dataset = dataset
        self.batch_size = check_int("DataLoader", "batch_size", batch_size, 1)
        self.shuffle = bool(shuffle)
        self.num_workers = check_int("DataLoader", "num_workers", num_workers, 0)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.pin_memory = pin_memory
        self.drop_last = bool(drop_last)
        if generator is not None:
            as_generator(generator, "DataLoader")  # refuse a wrong type now, not mid-epoch
        self.generator = generator
        if sampler is not None and self.shuffle:
            raise ValueError(f"DataLoader: sampler and shuffle=True cannot be combined (the "
                             f"sampler gives the order), got sampler={reprlib.repr(sampler)}")
        if batch_sampler is not None:
            if self.batch_size != 1 or self.shuffle or sampler is not None or self.drop_last:
                raise ValueError(
                    f"DataLoader: batch_sampler cannot be combined with batch_size, shuffle, "
                    f"sampler or drop_last (it gives the batches), got batch_size="
                    f"{self.batch_size}, shuffle={self.shuffle}, sampler="
                    f"{reprlib.repr(sampler)}, drop_last={self.drop_last}")
            self.batch_size = None
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if self.shuffle else \
                SequentialSampler(dataset)
        self.sampler = sampler
        self.batch_sampler = batch_sampler if batch_sampler is not None else \
            BatchSampler(sampler, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self):
        # NOTE: a fast path for the common case: the rows of a TensorDataset, collated by
        # default, are picked by one index per tensor instead of one GetItem per sample
        # and a stack, each a graph node (the same batches: tests/test_utils_data.py).
        whole = type(self.dataset) is TensorDataset and self.collate_fn is default_collate
        for indices in self.batch_sampler:
            if not len(indices):
                raise ValueError(f"DataLoader: each batch of batch_sampler must hold at least "
                                 f"one index, got {indices!r}")
            if whole:
                yield [t[np.asarray(indices)] for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])
