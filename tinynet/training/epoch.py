"""One pass over the data: the minibatch training step, and evaluation without a graph.

``train_epoch`` is the one training loop of tinynet: ``fit`` and the scikit-learn
estimators both run it, each with its own loss.
"""
import math
import time
from dataclasses import dataclass

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.checks import check_flag, check_int, check_seed
from tinynet.factories import from_numpy
from tinynet.nn.utils import clip_grad_norm_
from tinynet.random import default_generator


def batches(n: int, batch_size: int, shuffle: bool = True, rng=None):
    """Yield index arrays covering ``range(n)`` in minibatches (the last may be smaller).

    Args:
        n: number of samples.
        batch_size: samples per batch.
        shuffle: permute first, with ``rng``: a ``numpy.random.Generator``, an integer
            seed, or None (the global generator, which ``tn.manual_seed`` seeds).

    Example:
        >>> [b.tolist() for b in batches(5, 2, shuffle=False)]
        [[0, 1], [2, 3], [4]]
    """
    n = check_int("batches", "n", n, 0)
    batch_size = check_int("batches", "batch_size", batch_size, 1)
    if check_flag("batches", "shuffle", shuffle):
        generator = default_generator() if rng is None else _generator(rng)
        order = generator.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _generator(rng) -> np.random.Generator:
    """``rng``, a numpy Generator, or one seeded by the integer ``rng``."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(check_seed("batches", "rng", rng))


class NonFiniteLoss(FloatingPointError):
    """A batch's loss was NaN or infinite; ``step`` (from 1) says which batch and
    ``batch`` holds it, ``(inputs, targets)``. Raised before the optimizer steps, so the
    parameters are those that produced it."""

    def __init__(self, value: float, step: int, batch: tuple):
        super().__init__(f"non-finite loss ({value}) at step {step}")
        self.value, self.step, self.batch = value, step, batch


@dataclass
class EpochResult:
    """What one ``train_epoch`` measured: the mean per-sample loss, the steps taken and
    the seconds they took."""

    loss: float
    steps: int
    seconds: float


def array_batches(X: np.ndarray, targets, batch_size: int, shuffle: bool = True, rng=None):
    """Yield ``(X[idx], targets[idx])`` for the index arrays of ``batches``; ``targets``
    is an array, or a tuple of arrays indexed alike (labels and sample weights, say)."""
    for idx in batches(len(X), batch_size, shuffle, rng):
        if isinstance(targets, tuple):
            yield X[idx], tuple(None if t is None else t[idx] for t in targets)
        else:
            yield X[idx], targets[idx]


def train_epoch(model, optimizer, data, batch_loss, *, clip_grad_norm: float = None,
                after_backward=None, on_batch=None, forward=None) -> EpochResult:
    """One pass over ``data``, an iterable of ``(inputs, targets)`` batches (inputs an
    array of the model's dtype); for each: zero the gradients, run the model,
    ``loss, value = batch_loss(output, targets)`` (the scalar tensor to backpropagate and
    the batch's mean loss per sample, a float), backpropagate, clip the gradients' total
    norm to ``clip_grad_norm`` (if given), and step the optimizer.

    Args:
        model, optimizer: what is trained, and how.
        data: the batches, e.g. ``array_batches(X, y, 32, rng=rng)``.
        batch_loss: function of (output tensor, targets) -> (loss tensor, float).
        clip_grad_norm: max total gradient norm (``nn.utils.clip_grad_norm_``), or None.
        after_backward: ``value = after_backward(value, targets)`` after each backward,
            before the step (e.g. a penalty added to the gradients and the reported loss).
        on_batch: called as ``on_batch(output, targets)`` after each step (e.g. to count
            correct predictions).
        forward: ``loss, value, output = forward(inputs, targets)`` in place of running
            the model and ``batch_loss`` (``fit(capture=True)`` passes a captured one).

    Raises:
        NonFiniteLoss: a batch's loss is NaN or infinite (before its optimizer step).
    """
    params = list(model.parameters()) if clip_grad_norm is not None else None
    if forward is None:
        def forward(inputs, targets):
            out = model(from_numpy(inputs))
            return (*batch_loss(out, targets), out)

    total, count, step, start = 0.0, 0, 0, time.perf_counter()
    for step, (inputs, targets) in enumerate(data, start=1):
        optimizer.zero_grad()
        loss, value, out = forward(inputs, targets)
        loss.backward()
        if after_backward is not None:
            value = after_backward(value, targets)
        if not math.isfinite(value):
            raise NonFiniteLoss(value, step, (inputs, targets))
        if params is not None:
            clip_grad_norm_(params, clip_grad_norm)
        optimizer.step()
        total += value * len(inputs)
        count += len(inputs)
        if on_batch is not None:
            on_batch(out, targets)
    return EpochResult(total / count if count else math.nan, step,
                       time.perf_counter() - start)


def evaluate(model, data, batch_loss, *, on_batch=None) -> float:
    """The mean per-sample loss over ``data`` (batches as in ``train_epoch``) in eval
    mode, without building a graph."""
    was_training = model.training
    model.eval()
    total = count = 0.0
    try:
        with no_grad():
            for inputs, targets in data:
                out = model(from_numpy(inputs))
                total += batch_loss(out, targets)[1] * len(inputs)
                count += len(inputs)
                if on_batch is not None:
                    on_batch(out, targets)
    finally:
        model.train(was_training)
    return total / count
