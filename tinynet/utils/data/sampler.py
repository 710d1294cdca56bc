"""Samplers, as ``torch.utils.data``'s: the order in which a ``DataLoader`` visits a
dataset's indices (``sampler=``) or the batches of indices it makes (``batch_sampler=``).

A sampler is any iterable of indices; these are the usual ones. Random ones draw from
``generator`` (default: the global generator, see ``tn.manual_seed``) at each iteration,
so each epoch gets a new order: the same seed gives tinynet's order, not PyTorch's.

Example:
    >>> import tinynet as tn
    >>> from tinynet.utils.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
"""
import numpy as np

from tinynet.checks import check_flag, check_int
from tinynet.random import as_generator
from tinynet.tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class of samplers: ``__iter__`` yields dataset indices; ``__len__``, when a
    sampler defines it, says how many (``len(loader)`` needs it)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: a Sampler must define __iter__()")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices of ``data_source`` in a random order, a new one at each iteration.

    Args:
        data_source: the dataset (only its length is read).
        replacement: draw each index independently, uniformly (default False: a
            permutation).
        num_samples: how many indices (default ``len(data_source)``, read at each
            iteration: an empty dataset gives none). Without replacement and larger than
            the dataset: whole permutations one after another, then part of one, so each
            index comes ⌊num_samples / n⌋ or one more times.
        generator: a ``tn.Generator`` or ``numpy.random.Generator``.
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None):
        check_flag("RandomSampler", "replacement", replacement)
        if num_samples is not None:
            check_int("RandomSampler", "num_samples", num_samples, 1)
        _check_generator("RandomSampler", generator)
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self):
        n, total = len(self.data_source), self.num_samples
        if not n:
            if total:
                raise ValueError(f"RandomSampler: data_source must hold at least one sample "
                                 f"to draw num_samples={total} from, got an empty one")
            return
        rng = as_generator(self.generator, "RandomSampler")
        if self.replacement:  # in blocks: num_samples may be huge (an endless loader's)
            for start in range(0, total, DRAW_BLOCK):  # (the same draws as all at once)
                yield from rng.integers(0, n, size=min(DRAW_BLOCK, total - start)).tolist()
            return
        for _ in range(total // n):
            yield from rng.permutation(n).tolist()
        if total % n:
            yield from rng.permutation(n)[:total % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


DRAW_BLOCK = 4096  # indices drawn at a time with replacement


class SubsetRandomSampler(Sampler):
    """The given ``indices``, in a random order, a new one at each iteration (e.g. a
    training split of one dataset, beside a ``SubsetRandomSampler`` of its validation
    indices).

    Args:
        indices: a sequence of dataset indices.
        generator: a ``tn.Generator`` or ``numpy.random.Generator``.
    """

    def __init__(self, indices, generator=None):
        _check_generator("SubsetRandomSampler", generator)
        self.indices, self.generator = indices, generator

    def __iter__(self):
        order = as_generator(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        for i in order.tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability
    weights[i] / Σ weights (e.g. a class's rarity, to balance an imbalanced dataset).

    Args:
        weights: one finite, non-negative weight per index (not all zero); they need not
            sum to 1.
        num_samples: how many indices to draw.
        replacement: draw with replacement (default True); without, each index at most
            once, so ``num_samples`` may not exceed the number of nonzero weights.
        generator: a ``tn.Generator`` or ``numpy.random.Generator``.
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        where = "WeightedRandomSampler"
        check_int(where, "num_samples", num_samples, 1)
        check_flag(where, "replacement", replacement)
        _check_generator(where, generator)
        w = np.asarray(weights.array if isinstance(weights, Tensor) else weights)
        if w.ndim != 1 or w.dtype.kind not in "biuf":
            raise ValueError(f"{where}: weights must be a 1-D sequence of numbers, got "
                             f"{'shape ' + str(w.shape) if w.dtype.kind in 'biuf' else w.dtype}")
        # a float64 tensor, as PyTorch's (the caller's own when it is one): read at each
        # draw, so a new or changed one counts
        self.weights = weights if isinstance(weights, Tensor) and w.dtype == np.float64 \
            else Tensor._wrap(w.astype(np.float64), False, None)
        self.num_samples, self.replacement, self.generator = int(num_samples), replacement, \
            generator
        self._probabilities()  # checked now, and again at each draw

    def _probabilities(self) -> np.ndarray:
        """The weights as probabilities, checked: finite, >= 0, not all zero, and without
        replacement at least ``num_samples`` of them drawable."""
        where = "WeightedRandomSampler"
        w = np.asarray(self.weights.array if isinstance(self.weights, Tensor) else self.weights,
                       dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"{where}: weights must be a 1-D sequence of numbers, got shape "
                             f"{w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.max(initial=0) > 0:
            raise ValueError(f"{where}: weights must be finite and >= 0, not all zero, got "
                             f"{np.array2string(w, threshold=8)}")
        scaled = w / w.max()  # (a sum of the weights themselves may overflow)
        probabilities = scaled / scaled.sum()
        drawable = int(np.count_nonzero(probabilities))
        if not self.replacement and self.num_samples > drawable:
            tiny = int(np.count_nonzero(w)) - drawable
            raise ValueError(f"{where}: without replacement num_samples must be at most the "
                             f"number of nonzero weights ({drawable}"
                             + (f"; {tiny} too small beside their sum to be drawn" if tiny
                                else "") + f"), got {self.num_samples}")
        return probabilities

    def __iter__(self):
        probabilities = self._probabilities()
        rng = as_generator(self.generator, "WeightedRandomSampler")
        yield from rng.choice(len(probabilities), size=self.num_samples,
                              replace=self.replacement, p=probabilities).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """The indices of ``sampler`` in lists of ``batch_size`` (the last one shorter, or
    dropped with ``drop_last``).

    Args:
        sampler: a sampler, or any iterable of indices.
        batch_size: indices per batch.
        drop_last: drop the last batch when it is shorter than ``batch_size``.
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        self.batch_size = check_int("BatchSampler", "batch_size", batch_size, 1)
        check_flag("BatchSampler", "drop_last", drop_last)
        self.sampler, self.drop_last = sampler, drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)




def _check_generator(where: str, generator) -> None:
    if generator is not None:
        as_generator(generator, where)  # refuse a wrong type now, not at the first epoch
