"""Minibatches, as ``torch.utils.data.dataloader``: ``DataLoader`` draws indices (in
order, shuffled, or from a sampler), fetches those samples and joins them into one batch
with ``default_collate``. Everything runs in the calling process (see ``DataLoader``'s
``num_workers``)."""
import collections.abc
import copy
import itertools
import numbers
import reprlib

import numpy as np

from tinynet.checks import check_int
from tinynet.combining import stack
from tinynet.factories import as_tensor, tensor
from tinynet.random import as_generator
from tinynet.tensor import Tensor
from tinynet.utils.data.dataset import IterableDataset, TensorDataset
from tinynet.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler


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
    if not len(batch):  # (IndexError, as PyTorch's, which reads batch[0])
        raise IndexError("default_collate: the batch is empty (an empty batch of a "
                         "batch_sampler needs a collate_fn that takes one)")
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, (str, bytes)):  # (numpy's strings too: np.str_ is a str)
        return batch
    if isinstance(first, (np.ndarray, np.generic)):
        if first.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: numpy samples must hold numbers, got dtype "
                            f"{first.dtype}")
        if isinstance(first, np.generic):  # numpy scalars: one tensor, its dtype inferred
            return as_tensor(batch)
        return stack([as_tensor(np.asarray(sample)) for sample in batch])
    # as PyTorch's: the first sample's kind decides, and a batch that starts with an int
    # (or bool) takes the dtype tensor() infers for all of them (1, 2.5: float32)
    if isinstance(first, numbers.Integral):
        return tensor(batch)
    if isinstance(first, numbers.Real):
        return tensor(batch, dtype=np.float64)
    if isinstance(first, collections.abc.Mapping):
        return _same_mapping(first, {key: default_collate([sample[key] for sample in batch])
                                     for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(column) for column in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError(f"default_collate: each sample must have the same length, got "
                               f"lengths {sorted({len(sample) for sample in batch})}")
        return [default_collate(column) for column in zip(*batch)]
    raise TypeError(f"default_collate: samples must be tensors, numpy arrays, numbers, "
                    f"strings, dicts or sequences, got {type(first).__name__}")


def _same_mapping(first, collated: dict):
    """``collated`` in the mapping type of the first sample (an OrderedDict, a
    defaultdict...), as PyTorch's: a copy of it updated, or the type made from a dict;
    a plain dict when neither works."""
    try:
        if isinstance(first, collections.abc.MutableMapping):
            clone = copy.copy(first)
            clone.update(collated)
            return clone
        return type(first)(collated)
    except TypeError:
        return collated


def default_convert(data):
    """Each numpy array (of numbers) or numpy scalar in ``data`` made a tensor, as
    PyTorch's ``default_convert``, the ``collate_fn`` of a DataLoader with
    ``batch_size=None``: the samples are batches already, so nothing is stacked; mappings,
    namedtuples and sequences are converted item by item (a tuple gives a list, as
    PyTorch's); anything else, tensors, numbers and strings too, is returned as it is.

    Example:
        >>> import numpy as np
        >>> default_convert((np.arange(2), "a", 3))
        [tensor([0, 1]), 'a', 3]
    """
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" or \
            isinstance(data, (np.number, np.bool_)):
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _same_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(item) for item in data])
        except TypeError:  # a sequence type that cannot be made from a list
            return [default_convert(item) for item in data]
    return data


def get_worker_info():
    """None: a DataLoader makes its batches in the calling process (docs/api.md), so code
    never runs in a worker, as PyTorch answers in the main process."""
    return None


class DataLoader:
    """Minibatches of a dataset: iterate it once per epoch.

    Each iteration draws an order of indices (``shuffle``: a new permutation each time,
    from ``generator``; or ``sampler``'s), cuts it into batches of ``batch_size`` indices
    (or takes ``batch_sampler``'s batches), fetches those samples and joins them with
    ``collate_fn``.

    Args:
        dataset: a dataset (``__getitem__`` and ``__len__``), or an ``IterableDataset``,
            whose samples are batched as its iteration gives them (then no
            ``shuffle``, ``sampler`` or ``batch_sampler``; ``sampler`` and
            ``batch_sampler`` are None, and ``len(loader)`` needs ``len(dataset)``).
        batch_size: samples per batch (default 1); None: no batching, each sample is a
            batch already (passed to ``collate_fn``, by default ``default_convert``, one
            at a time), as in PyTorch; then not with ``drop_last``.
        shuffle: draw a new random order at each iteration (default False).
        sampler: the order of the indices instead (a ``Sampler``, or any iterable of
            indices; ``len(loader)`` needs its length); not with ``shuffle``.
        batch_sampler: the batches of indices instead (a ``BatchSampler``, or any
            iterable of lists of indices); not with ``batch_size``, ``shuffle``,
            ``sampler`` or ``drop_last``. ``loader.batch_size`` is then None.
        num_workers: accepted for PyTorch code; NOTE: batches are always made in the
            calling process, one after the other (the same batches, in the same order).
        collate_fn: joins a list of samples into a batch (default: ``default_collate``;
            with ``batch_size=None`` it takes one sample, default ``default_convert``).
        pin_memory: accepted and ignored (no GPU).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
            persistent_workers, pin_memory_device, in_order: the worker options, accepted
            for PyTorch code (with PyTorch's checks) and kept as attributes; there are no
            workers, so ``worker_init_fn`` is never called and the batches come in order.
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
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        self.dataset = dataset
        self._worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        self.timeout, self.worker_init_fn = timeout, worker_init_fn
        self.multiprocessing_context, self.prefetch_factor = multiprocessing_context, \
            prefetch_factor
        self.persistent_workers, self.pin_memory_device = persistent_workers, pin_memory_device
        self.in_order = in_order
        self.batch_size = None if batch_size is None else \
            check_int("DataLoader", "batch_size", batch_size, 1)
        self.shuffle = bool(shuffle)
        self.num_workers = check_int("DataLoader", "num_workers", num_workers, 0)
        self.pin_memory = pin_memory
        if not isinstance(drop_last, (bool, np.bool_)):
            raise TypeError(f"DataLoader: drop_last must be True or False, got {drop_last!r}")
        self.drop_last = bool(drop_last)
        # batching ("auto-collation"): batch_size samples, or a batch_sampler's, at a time
        self._batching = batch_size is not None or batch_sampler is not None
        if batch_size is None and batch_sampler is None and self.drop_last:
            raise ValueError("DataLoader: batch_size=None turns batching off, so drop_last "
                             "must be False (as in PyTorch), got drop_last=True")
        if collate_fn is None:
            collate_fn = default_collate if self._batching else default_convert
        self.collate_fn = collate_fn
        if generator is not None:
            as_generator(generator, "DataLoader")  # refuse a wrong type now, not mid-epoch
        self.generator = generator
        if isinstance(dataset, IterableDataset):  # it gives the order: nothing to draw
            for name, value in (("shuffle", self.shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value is not None and value is not False:
                    raise ValueError(f"DataLoader: an IterableDataset gives its own order, so "
                                     f"{name} must not be given, got {name}="
                                     f"{reprlib.repr(value)}")
            self.sampler = self.batch_sampler = None
            self._made = True
            return
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
        self.batch_sampler = batch_sampler if batch_sampler is not None or \
            not self._batching else BatchSampler(sampler, self.batch_size, self.drop_last)
        self._made = True

    def __setattr__(self, name, value):
        # as PyTorch's: the batches are cut from these when the loader is made, so a new
        # value would be shown by the attribute and not followed
        if name in _FIXED and self.__dict__.get("_made"):
            raise ValueError(f"DataLoader: {name} attribute should not be set after "
                             f"DataLoader is initialized; make a new DataLoader")
        super().__setattr__(name, value)

    def __len__(self) -> int:
        if self.sampler is None:  # an IterableDataset's batches, when it has a len
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self._batching else self.sampler)

    def __iter__(self):
        """One epoch's batches; the iterator has ``len``, as PyTorch's."""
        return _Epoch(self)

    @staticmethod
    def _worker_options(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
        """PyTorch's checks of the worker options (which have nothing to do here)."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout must be a number >= 0, got {timeout!r}")
        if num_workers == 0 and (prefetch_factor is not None or persistent_workers):
            raise ValueError(f"DataLoader: prefetch_factor and persistent_workers need "
                             f"num_workers > 0 (as in PyTorch), got prefetch_factor="
                             f"{prefetch_factor!r}, persistent_workers={persistent_workers!r}")
        if prefetch_factor is not None and (isinstance(prefetch_factor, bool) or not
                                            isinstance(prefetch_factor, int) or
                                            prefetch_factor < 0):
            raise ValueError(f"DataLoader: prefetch_factor must be None or an integer >= 0, "
                             f"got {prefetch_factor!r}")

    def _batches(self):
        # NOTE: a fast path for the common case: the rows of a TensorDataset, collated by
        # default, are picked by one index per tensor instead of one GetItem per sample
        # and a stack, each a graph node (the same batches: tests/test_utils_data.py).
        if self.sampler is None:
            yield from self._streamed_batches()
            return
        if not self._batching:  # each sample is a batch
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        whole = type(self.dataset) is TensorDataset and self.collate_fn is default_collate
        fetch_together = callable(getattr(self.dataset, "__getitems__", None))
        for indices in self.batch_sampler:
            if not hasattr(indices, "__len__"):  # (a batch sampler may yield generators)
                indices = list(indices)
            if not len(indices):  # (a bucketing sampler's empty bucket: for collate_fn to
                yield self.collate_fn([])  # take, as in PyTorch; default_collate refuses it)
                continue
            if whole:
                yield [t[np.asarray(indices)] for t in self.dataset.tensors]
            elif fetch_together:  # the dataset fetches a batch's samples at once
                yield self.collate_fn(self.dataset.__getitems__(list(indices)))
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _streamed_batches(self):
        """An IterableDataset's samples, batch_size at a time, as they come."""
        samples = iter(self.dataset)
        if not self._batching:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)


_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset")


class _Epoch:
    """An iterator over one epoch's batches whose ``len`` is the loader's."""

    def __init__(self, loader: DataLoader):
        self._loader, self._batches = loader, loader._batches()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self) -> int:
        return len(self._loader)
