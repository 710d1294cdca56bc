"""One pass over the data: the minibatch training step, and evaluation without a graph.

``train_epoch`` is the one training loop of tinynet: ``fit`` and the scikit-learn
estimators both run it, each with its own loss.
"""
import math
import time
from dataclasses import dataclass

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.nn.utils import clip_grad_norm_
from tinynet.tensor import Tensor


def batches(n: int, batch_size: int, shuffle: bool = True, rng=None):
    """Yield index arrays covering ``range(n)`` in minibatches (the last may be smaller).

    Args:
        n: number of samples.
        batch_size: samples per batch.
        shuffle: permute first, with ``rng`` (a ``numpy.random.Generator``).

    Example:
        >>> [b.tolist() for b in batches(5, 2, shuffle=False)]
        [[0, 1], [2, 3], [4]]
    """
    if batch_size < 1:
        raise ValueError(f"batches: batch_size must be an integer >= 1, got {batch_size!r}")
    order = (rng or np.random.default_rng()).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


class NonFiniteLoss(FloatingPointError):
    """A batch's loss was NaN or infinite; ``step`` (from 1) and ``index`` say which batch.
    Raised before the optimizer steps, so the parameters are those that produced it."""

    def __init__(self, value: float, step: int, index: np.ndarray):
        super().__init__(f"non-finite loss ({value}) at step {step}")
        self.value, self.step, self.index = value, step, index


@dataclass
class EpochResult:
    """What one ``train_epoch`` measured: the mean per-sample loss, the steps taken and
    the seconds they took."""

    loss: float
    steps: int
    seconds: float


def train_epoch(model, optimizer, X: np.ndarray, batch_loss, *, batch_size: int,
                shuffle: bool = True, rng=None, clip_grad_norm: float = None,
                after_backward=None, on_batch=None) -> EpochResult:
    """One pass over ``X`` in minibatches; for each: zero the gradients, run the model,
    ``loss, value = batch_loss(output, idx)`` (the scalar tensor to backpropagate and
    the batch's mean loss per sample, a float), backpropagate, clip the gradients' total
    norm to ``clip_grad_norm`` (if given), and step the optimizer.

    Args:
        model, optimizer: what is trained, and how.
        X: inputs (N, D), already of the model's dtype.
        batch_loss: function of (output tensor, index array) -> (loss tensor, float).
        batch_size, shuffle, rng: the minibatches (see ``batches``).
        clip_grad_norm: max total gradient norm (``nn.utils.clip_grad_norm_``), or None.
        after_backward: ``value = after_backward(value, idx)`` after each backward, before
            the step (e.g. a penalty added to the gradients and the reported loss).
        on_batch: called as ``on_batch(output, idx)`` after each step (e.g. to count
            correct predictions).

    Raises:
        NonFiniteLoss: a batch's loss is NaN or infinite (before its optimizer step).
    """
    params = list(model.parameters()) if clip_grad_norm is not None else None
    total, step, start = 0.0, 0, time.perf_counter()
    for step, idx in enumerate(batches(len(X), batch_size, shuffle, rng), start=1):
        optimizer.zero_grad()
        out = model(Tensor._wrap(X[idx], False, None))
        loss, value = batch_loss(out, idx)
        loss.backward()
        if after_backward is not None:
            value = after_backward(value, idx)
        if not math.isfinite(value):
            raise NonFiniteLoss(value, step, idx)
        if params is not None:
            clip_grad_norm_(params, clip_grad_norm)
        optimizer.step()
        total += value * len(idx)
        if on_batch is not None:
            on_batch(out, idx)
    return EpochResult(total / len(X), step, time.perf_counter() - start)


def evaluate(model, X: np.ndarray, batch_loss, *, batch_size: int = 1024, on_batch=None):
    """The mean per-sample loss over (X, ...) in eval mode, without building a graph.
    ``batch_loss`` and ``on_batch`` as in ``train_epoch``."""
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        with no_grad():
            for idx in batches(len(X), batch_size, shuffle=False):
                out = model(Tensor._wrap(X[idx], False, None))
                total += batch_loss(out, idx)[1] * len(idx)
                if on_batch is not None:
                    on_batch(out, idx)
    finally:
        model.train(was_training)
    return total / len(X)
