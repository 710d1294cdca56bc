"""The margin losses of classifiers in ``tinynet.nn.functional`` (import them from there):
``soft_margin_loss`` and ``multilabel_soft_margin_loss`` (logistic), ``multi_margin_loss``
(a multi-class hinge) and ``multilabel_margin_loss``.

Each checks its arguments here, then composes tensor ops (``logsigmoid``, ``relu``,
``gather``, ``where``...), so its gradient is that of the ops it uses. A margin that is
met exactly (z = 0) adds nothing and passes no gradient: ``relu``'s derivative at 0 is
0, as PyTorch's kernels of the last two test z > 0.
"""
# ruff: noqa: A002  (PyTorch's argument name: input)
import numpy as np

from tinynet import ops
from tinynet.autograd.observers import values_read
from tinynet.combining import where
from tinynet.nn._checks import check_reduction, check_tensor
from tinynet.nn._functional_loss import (_as_dtype, _broadcasts_to, _check_elementwise,
                                         _constant, _promoted, _target_array, _weight_array)
from tinynet.nn._loss_checks import (check_margin, check_margin_power, check_signs,
                                     number_tensor, reduce)
from tinynet.ops.loss import check_probabilities
from tinynet.tensor import Tensor
from tinynet.tensor_math import constant_tensor


def soft_margin_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """log(1 + e^(-y·x)), elementwise, for labels y of 1 or -1: a logistic loss on the
    margin y·x. Computed as -logsigmoid(y·x), finite for any x (PyTorch's
    log1p(exp(-y·x)) overflows to inf past y·x ≈ -89 in float32); gradient -y·σ(-y·x).
    The target is a constant; the loss has the input's dtype.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.soft_margin_loss(tn.tensor([0.0, 2.0]), tn.tensor([1, -1]),
        ...                                   reduction="none")   # log 2, log(1 + e²)
        tensor([0.6931, 2.1269])
    """
    name = "soft_margin_loss"
    _check_elementwise(name, input, target, reduction)
    _constant(name, "target", target)
    check_signs(name, target)
    x = input._floating()
    y = _as_dtype(number_tensor(name, "target", target), x.dtype)
    return reduce(-ops.LogSigmoid.apply(y * x), reduction)


def multilabel_soft_margin_loss(input: Tensor, target, weight=None,
                                reduction: str = "mean") -> Tensor:
    """The logistic loss of each class, averaged over the classes (the last dim):

        ℓₙ = -(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 - y_c)·log σ(-x_c)]

    for targets y in [0, 1] of the input's shape (1 where the class is present); then
    'mean' averages ℓₙ over the samples. ``weight`` (one per class, say) broadcasts to
    the input's shape; the loss is differentiable in it and in the target, as PyTorch's.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([[0.0, 0.0]])
        >>> tn.nn.functional.multilabel_soft_margin_loss(x, tn.tensor([[1.0, 0.0]]))   # log 2
        tensor(0.6931)
    """
    name = "multilabel_soft_margin_loss"
    _check_elementwise(name, input, target, reduction)
    _check_classes(name, input)
    values_read()  # the targets are checked in Python, each call: tn.capture cannot replay it
    check_probabilities(name, "targets", _target_array(name, target))
    x = _promoted(input._floating(), target)
    y = _as_dtype(number_tensor(name, "target", target), x.dtype)
    losses = -(y * ops.LogSigmoid.apply(x) + (1 - y) * ops.LogSigmoid.apply(-x))
    if weight is not None:
        w = number_tensor(name, "weight", weight)
        if not _broadcasts_to(tuple(w.shape), tuple(input.shape)):
            raise ValueError(f"{name}: weight must broadcast to the input's shape "
                             f"{tuple(input.shape)} (one weight per class: "
                             f"({input.shape[-1]},)), got shape {tuple(w.shape)}")
        losses = losses * w
    return reduce(losses.sum(-1) / input.shape[-1], reduction)


def multi_margin_loss(input: Tensor, target, p: int = 1, margin: float = 1.0, weight=None,
                      reduction: str = "mean") -> Tensor:
    """A multi-class hinge loss on the scores x (N, C) or (C,) and class indices y (N,):

        ℓₙ = (1/C)·Σ_{i ≠ y} w_y·max(0, margin - x_y + x_i)^p,   p = 1 or 2

    each other class's score must stay ``margin`` below the target's. ``weight`` (C,)
    (a constant) weighs each sample by its target class; 'mean' averages ℓₙ over the N
    samples (not a weighted mean).

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([[2.0, 1.5, 0.0]])
        >>> tn.nn.functional.multi_margin_loss(x, tn.tensor([0]))   # (0.5 + 0) / 3
        tensor(0.1667)
    """
    name = "multi_margin_loss"
    check_reduction(name, reduction)
    p, margin = check_margin_power(name, p), check_margin(name, margin)
    x = _scores(name, input)
    n, c = x.shape
    t = _class_indices(name, target, n, c, input.shape)
    w = _weight_array(name, weight, c, x.dtype)
    scores = x.gather(1, constant_tensor(t[:, None], from_values=False))  # (N, 1): x_y
    violations = (margin - scores + x).relu()  # (N, C)
    if p == 2:
        violations = violations * violations
    if w is not None:
        violations = violations * w[t][:, None]  # each row by its target's weight
    others = np.ones((n, c), dtype=bool)
    others[np.arange(n), t] = False  # the sum skips the target's own class
    losses = where(others, violations, 0.0).sum(1) / c
    return reduce(losses.reshape(_array_shape(target)), reduction)


def multilabel_margin_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """A multi-label hinge loss: each row's target lists its classes, padded with -1 (the
    list ends at the first -1), and every listed class's score must exceed every other
    class's by 1:

        ℓₙ = (1/C)·Σ_{j listed} Σ_{i not listed} max(0, 1 - (x_j - x_i))

    Input (N, C) or (C,); target of the input's shape, integer, in [-1, C). A class
    listed twice counts twice, as in PyTorch.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([0.1, 0.2, 0.4, 0.8])
        >>> y = tn.tensor([3, 0, -1, 1])   # classes 3 and 0; the 1 after -1 is not read
        >>> tn.nn.functional.multilabel_margin_loss(x, y)   # (0.4 + 0.6 + 1.1 + 1.3) / 4
        tensor(0.8500)
    """
    name = "multilabel_margin_loss"
    check_reduction(name, reduction)
    x = _scores(name, input)
    n, c = x.shape
    t = _label_lists(name, target, input.shape, c).reshape(n, c)
    listed = np.cumprod(t != -1, axis=1).astype(bool)  # (N, C): the slots before the first -1
    is_target = np.zeros((n, c), dtype=bool)
    is_target[np.nonzero(listed)[0], t[listed]] = True
    k = int(listed.sum(1).max()) if n else 0  # the longest list: slots past it hold no label
    listed = listed[:, :k]
    index = constant_tensor(np.where(listed, t[:, :k], 0), from_values=False)
    scores = x.gather(1, index)  # (N, k): x_j of each listed class j
    violations = (1 - scores.unsqueeze(2) + x.unsqueeze(1)).relu()  # (N, k, C): j against i
    pairs = listed[:, :, None] & ~is_target[:, None, :]  # j listed, i not a target
    losses = where(pairs, violations, 0.0).sum((1, 2)) / c
    return reduce(losses.reshape(input.shape[:-1]), reduction)


def _check_classes(name, x) -> None:
    check_tensor(name, x, min_ndim=1)
    if x.shape[-1] == 0:
        raise ValueError(f"{name}: input must have at least one class (C >= 1) in its last "
                         f"dimension, got shape {tuple(x.shape)}")


def _scores(name, input) -> Tensor:
    """The scores as (N, C): (C,) and 0-d (one class) become one row, as in PyTorch."""
    check_tensor(name, input)
    if input.ndim > 2:
        raise ValueError(f"{name}: input must have shape (N, C) or (C,), got shape "
                         f"{tuple(input.shape)} (tinynet has no spatial dimensions)")
    x = input._floating()
    x = x if x.ndim == 2 else x.reshape(1, -1)
    _check_classes(name, x)
    return x


def _array_shape(target) -> tuple:
    return tuple(target.shape) if isinstance(target, Tensor) else np.shape(target)


def _integer_targets(name, target, what: str) -> np.ndarray:
    t = _target_array(name, target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer {what}, got dtype {t.dtype}")
    values_read()  # checked and made into masks in Python: tn.capture cannot replay them
    return t.astype(np.int64)


def _class_indices(name, target, n: int, c: int, input_shape) -> np.ndarray:
    """One class index in [0, C) per row, as an (N,) int64 array; a 0-d target for one
    row, as PyTorch."""
    t = _integer_targets(name, target, "class indices")
    if t.ndim > 1 or t.size != n:
        raise ValueError(f"{name}: target must have shape ({n},) (one class index per row "
                         f"of input of shape {tuple(input_shape)}), got {t.shape}")
    t = t.reshape(n)
    bad = (t < 0) | (t >= c)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IndexError(f"{name}: target {t[i]} at position {i} is out of range for {c} "
                         f"classes (valid: 0..{c - 1})")
    return t


def _label_lists(name, target, input_shape, c: int) -> np.ndarray:
    """The target of ``multilabel_margin_loss``: the input's shape (any one-dim shape of C
    elements for (C,) input), integers in [-1, C)."""
    t = _integer_targets(name, target, "class indices padded with -1")
    fits = t.shape == tuple(input_shape) or (len(input_shape) <= 1 and t.ndim <= 1
                                             and t.size == c)
    if not fits:
        raise ValueError(f"{name}: target must have the input's shape {tuple(input_shape)} "
                         f"(class indices, padded with -1), got {t.shape}")
    bad = (t < -1) | (t >= c)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise IndexError(f"{name}: target {t[index]} at index {index} is out of range for "
                         f"{c} classes (valid: 0..{c - 1}, or -1 to end a row's list)")
    return t
