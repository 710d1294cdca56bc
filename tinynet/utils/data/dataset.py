"""Datasets, as ``torch.utils.data.dataset``: ``Dataset``, ``TensorDataset``,
``ConcatDataset``, ``Subset`` and ``random_split``. A dataset is anything with
``__getitem__(i)`` and ``__len__``: a ``TensorDataset``, a list of ``(image, label)``
pairs, your own ``Dataset`` subclass. An ``IterableDataset`` (``ChainDataset`` chains
several) is read by iterating it instead: a stream, a generator, a file read line by
line."""
import bisect
import itertools
import math
import numbers as _numbers
import operator
import warnings

import numpy as np

from tinynet.checks import check_int
from tinynet.random import as_generator
from tinynet.tensor import Tensor


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

    # NOTE: no __len__, as PyTorch's: len() of a subclass without one is Python's TypeError,
    # which code asking whether a dataset is sized catches (tqdm, a DataLoader's len)

    def __add__(self, other) -> "ConcatDataset":
        """``self + other``: the samples of both, self's first (a ``ConcatDataset``)."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets: subclasses define ``__iter__``, which yields
    the samples, and may define ``__len__``. A DataLoader batches them in the order they
    come (no sampler, no shuffling: the dataset decides the order).

    Example:
        >>> import tinynet as tn
        >>> class Squares(tn.utils.data.IterableDataset):
        ...     def __iter__(self):
        ...         return ((i, i * i) for i in range(5))
        >>> [y.tolist() for _, y in tn.utils.data.DataLoader(Squares(), batch_size=2)]
        [[0, 1], [4, 9], [16]]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: an IterableDataset must define "
                                  f"__iter__(); add it to your subclass")

    def __add__(self, other) -> "ChainDataset":
        """``self + other``: the samples of both, self's first (a ``ChainDataset``)."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of several iterable datasets, one after the other, read as they are
    iterated (the parts are not materialised).

    Args:
        datasets: an iterable of ``IterableDataset``s.
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            _check_iterable("ChainDataset", d)
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            _check_iterable("ChainDataset", d)
            total += len(d)
        return total


def _check_iterable(where: str, dataset) -> None:
    if not isinstance(dataset, IterableDataset):
        raise TypeError(f"{where}: each dataset must be an IterableDataset, got "
                        f"{type(dataset).__name__}")


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
        for d in self.datasets:
            if isinstance(d, IterableDataset):  # (it has no indices: chain it instead)
                raise TypeError(f"ConcatDataset: the datasets must be map-style (indexed), "
                                f"got an IterableDataset ({type(d).__name__}); use "
                                f"ChainDataset or + for iterable ones")
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

    def __getitems__(self, indices) -> list:
        """The samples at ``indices``, fetched together when the dataset can (its own
        ``__getitems__``), as PyTorch's: a DataLoader calls it for each batch."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

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
    lengths = [x.item() if isinstance(x, Tensor) and x.ndim == 0 else x for x in lengths]
    numbers = lengths and all(isinstance(x, _numbers.Real) and
                              not isinstance(x, (bool, np.bool_)) for x in lengths)
    # (PyTorch's rule: numbers summing to 1 are fractions, [0.5, 0.5, 0] and [1, 0.0] too)
    if numbers and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if fraction < 0:
                raise ValueError(f"random_split: fractions must be >= 0, got {fraction!r} "
                                 f"at position {i}")
        counts = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(counts)):  # the remainder, round robin
            counts[i % len(counts)] += 1
        lengths = counts
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"random_split: the split at index {i} has length 0 (as PyTorch "
                              f"warns: it is an empty dataset)", UserWarning, stacklevel=2)
    elif lengths and all(isinstance(x, (float, np.floating)) for x in lengths):
        raise ValueError(f"random_split: fractions must sum to 1, got {lengths} (sum "
                         f"{sum(lengths)!r})")
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
