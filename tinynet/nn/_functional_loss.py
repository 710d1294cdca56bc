"""The losses of ``tinynet.nn.functional`` (import them from there): cross-entropy, NLL,
binary cross-entropy on probabilities and on logits, the squared, absolute, smooth L1
and Huber errors, and the KL divergence.

Each checks its input, target and weights here, then calls one fused op from
``tinynet.ops`` (``mse_loss`` composes tensor ops).
"""
import math
import warnings

import numpy as np

from tinynet import ops
from tinynet.checks import check_choice
from tinynet.nn._checks import (REDUCTIONS, check_huber_delta, check_label_smoothing,
                                check_reduction, check_smooth_l1_beta, check_tensor)
from tinynet.tensor import Tensor
from tinynet.tensor import as_array as _array


def _one_target(name, input, t: np.ndarray) -> np.ndarray:  # noqa: A002
    """An unbatched input's (C,) one class index, as a (1,) array."""
    if t.size != 1 or t.ndim > 1:
        raise ValueError(f"{name}: an input of shape (C,) = {tuple(input.shape)} takes one "
                         f"class index (a target of shape ()), got a target of shape "
                         f"{t.shape}")
    return t.reshape(1)


def _class_targets(name, x, target, ignore_index) -> tuple:
    """Validate class-index targets for (N, C) input. Returns the (N,) int64 array and
    ``ignore_index`` if a target can equal it, else None (no row can be ignored: the ops
    then skip their masking). NOTE: decided from the arguments, not from whether this
    batch holds the ignored class, so that the ops a call runs do not depend on its
    values (``tn.capture`` replays them on other batches)."""
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{name}: ignore_index must be an integer (a class index to leave "
                        f"out; -100 by default), got {ignore_index!r}")
    t = _array(target)
    if t.dtype.kind not in "iu":
        # name a value that is not a whole number, if there is one
        frac = np.flatnonzero(t != np.trunc(t)) if t.dtype.kind == "f" else []
        where = f" (target {t.flat[frac[0]]} at position {frac[0]})" if len(frac) else ""
        raise TypeError(f"{name}: targets must be integer class indices, got dtype {t.dtype}"
                        f"{where}; for class probabilities pass a float target of the "
                        f"input's shape")
    n, c = x.shape
    if t.shape != (n,):
        raise ValueError(f"{name}: target must have shape ({n},) (one class index per row "
                         f"of input of shape {tuple(x.shape)}), got {t.shape}")
    if isinstance(target, Tensor) and t.dtype == np.int64 and target.ndim == 1:
        # the tensor itself: its version counter makes backward refuse a refilled target
        # (as PyTorch), and tn.capture sees the targets come from the call's input
        kept = target
    elif isinstance(target, Tensor):  # cast by an op: tn.capture sees them come from it
        kept = ops.Cast.apply(target.detach(), np.dtype(np.int64))
        t = kept.array
    else:  # a copy: the ops keep it for backward, and the caller may refill the array
        t = kept = t.astype(np.int64)
    if n == 0:
        return kept, None
    if t.view(np.uint64).max() < c:  # the usual case, in one reduction: a negative
        # int64 read as unsigned is at least 2⁶³, so this is 0 <= t < c
        inside = 0 <= ignore_index < c  # an ignored class, then, not a sentinel like -100
        return kept, ignore_index if inside else None
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IndexError(f"{name}: target {t[i]} at position {i} is out of range for {c} "
                         f"classes (valid: 0..{c - 1}, or ignore_index={ignore_index})")
    return kept, ignore_index  # every target outside [0, C) is ignore_index


def _target_array(name, target) -> np.ndarray:
    """The array behind ``target``, which must hold numbers (labels as strings must be
    encoded first)."""
    t = _array(target)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: target must hold numbers, got dtype {t.dtype}")
    return t


def _batched(name, x):
    """(C,) -> (1, C); (N, C) unchanged; anything else is refused."""
    check_tensor(name, x)
    if x.ndim == 1:
        return x.reshape(1, -1), True
    if x.ndim != 2:
        raise ValueError(f"{name}: input must have shape (N, C) or (C,), got shape "
                         f"{tuple(x.shape)} (tinynet has no spatial dimensions)")
    if x.shape[1] == 0:
        raise ValueError(f"{name}: input must have at least one class (C >= 1), got shape "
                         f"{tuple(x.shape)}")
    return x, False


def _check_elementwise(name, x, target, reduction, same_shape: bool = False) -> None:
    """The elementwise losses' checks: a known reduction, a Tensor input, and a target
    of numbers of the input's shape, or of one that differs only by dims of size 1 with
    as many elements (() and (1,), say: broadcasting them pairs each value once).
    NOTE: PyTorch broadcasts any two shapes, with a warning; (N, 1) against (N,) then
    compares every pair, a classic silent bug, refused here. ``same_shape``: the shapes
    must be equal, as PyTorch's binary cross-entropies require."""
    check_reduction(name, reduction)
    check_tensor(name, x)
    target_shape = tuple(_target_array(name, target).shape)
    if same_shape and target_shape != tuple(x.shape):
        raise ValueError(f"{name}: target must have the input's shape {tuple(x.shape)}, "
                         f"got {target_shape}, as PyTorch requires; reshape one of them")
    check_target_shape(name, target_shape, tuple(x.shape))


def check_target_shape(name, target_shape: tuple, shape: tuple,
                       what: str = "the input's shape") -> None:
    """``target_shape`` must be ``shape`` (described by ``what``), or differ only by dims
    of size 1 with as many elements: the elementwise losses' rule."""
    if target_shape == shape:
        return
    try:
        broadcast = np.broadcast_shapes(target_shape, shape)
    except ValueError:
        broadcast = None
    n = math.prod(shape)
    if broadcast is not None and math.prod(target_shape) == n == math.prod(broadcast):
        return
    pairs = f" (PyTorch would broadcast them to {broadcast}, comparing every pair)" \
        if broadcast is not None else ""
    raise ValueError(f"{name}: target must have {what} {shape}, got {target_shape}{pairs}; "
                     f"reshape one of them")


def _constant(name, argument, value):
    """A weight the loss is not differentiable in (as in PyTorch) must not require grad:
    its gradient would silently stay None."""
    if isinstance(value, Tensor) and value.requires_grad:
        raise RuntimeError(f"{name}: {argument} requires grad, but the loss is not "
                           f"differentiable with respect to {argument} (as in PyTorch); "
                           f"pass {argument}.detach()")


def _weight_operand(weight, dtype):
    """A loss weight as its op's argument: a tensor of ``dtype`` as itself (so that
    ``tn.capture`` reads it at every call, even once its ``.data`` is replaced), of
    another dtype cast by an op; a list or an array as an array."""
    if isinstance(weight, Tensor):
        return weight if weight.array.dtype == dtype else ops.Cast.apply(weight.detach(), dtype)
    return np.asarray(weight, dtype=dtype)


def _weight_array(name, weight, c, dtype):
    if weight is None:
        return None
    _constant(name, "weight", weight)
    w = _weight_operand(weight, dtype)
    _check_class_weight(name, w, c)
    return w


def _check_class_weight(name, w, c: int) -> None:
    if tuple(w.shape) != (c,):
        raise ValueError(f"{name}: weight must have shape ({c},) (one per class), got "
                         f"{tuple(w.shape)}")


def _promoted(input, target):  # noqa: A002
    """``input``, cast (differentiably) to the float dtype PyTorch computes a loss of
    ``input`` and a float ``target`` in: a float64 target makes a float32 input's loss
    float64, and an integer input takes the target's float dtype (cast to the input's
    integers, the target would lose its fractions). Integer and boolean targets leave
    the input's dtype."""
    target_dtype = target.dtype if isinstance(target, Tensor) else _array(target).dtype
    if target_dtype.kind != "f":
        return input
    dtype = np.promote_types(input.dtype, target_dtype) if input.dtype.kind == "f" else \
        np.dtype(target_dtype)
    return input if dtype == input.dtype else input.to(dtype)


def _as_dtype(value, dtype):
    """``value`` as a Tensor of ``dtype`` (differentiably) or as an array."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else value.to(dtype)
    return _array(value, dtype)


def _plain_class_targets(input, target, weight, ignore_index, reduction,  # noqa: A002
                         label_smoothing) -> bool:
    """Whether a cross-entropy call is the usual one, which the checks below would pass
    to ``ops.CrossEntropy`` as it is: (N, C) logits with N, C >= 1, an int64 Tensor of N
    class indices in [0, C), no weights, smoothing or class to ignore, a known reduction.
    NOTE: every training step makes this call; its checks, in one expression, cost a
    fraction of the general path's (docs/performance.md)."""
    if type(input) is not Tensor or type(target) is not Tensor or weight is not None or \
            type(label_smoothing) is not float or label_smoothing != 0.0 or \
            type(reduction) is not str or reduction not in REDUCTIONS or \
            type(ignore_index) is not int:
        return False
    x, t = input.array, target.array
    if x.ndim != 2 or t.ndim != 1 or t.dtype != np.int64:
        return False
    n, c = x.shape
    return n == t.shape[0] and n > 0 and c > 0 and not 0 <= ignore_index < c and \
        t.view(np.uint64).max() < c  # (0 <= t < c in one reduction: see _class_targets)


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` (N, C) and class indices (N,) or class
    probabilities (N, C): log-softmax and NLL in one stable, fused node.

    With probability targets the loss is differentiable in the target and in ``weight``
    too (as in PyTorch); with class indices ``weight`` is a constant.

    Example:
        >>> import tinynet as tn
        >>> logits = tn.tensor([[2.0, 0.0, 0.0]])
        >>> round(tn.nn.functional.cross_entropy(logits, tn.tensor([0])).item(), 4)
        0.2395
    """
    if _plain_class_targets(input, target, weight, ignore_index, reduction, label_smoothing):
        return ops.CrossEntropy.apply(input, target, reduction)
    check_reduction("cross_entropy", reduction)
    check_label_smoothing("cross_entropy", label_smoothing)
    x, unbatched = _batched("cross_entropy", input)
    n, c = x.shape
    t_raw = _target_array("cross_entropy", target)
    if t_raw.dtype.kind == "f" and t_raw.ndim == input.ndim:  # class probabilities
        if tuple(t_raw.shape) != tuple(input.shape):
            raise ValueError(f"cross_entropy: probability targets must have the input's "
                             f"shape {tuple(input.shape)}, got {t_raw.shape}")
        if ignore_index != -100:  # (no class index to ignore: it would go unused)
            raise ValueError(f"cross_entropy: ignore_index is for class-index targets, not "
                             f"probability targets, got ignore_index={ignore_index!r}")
        x = _promoted(x, target)
        t = _as_dtype(target, x.dtype)
        t = t.reshape(1, -1) if unbatched else t
        w = None
        if weight is not None:
            w = _as_dtype(weight, x.dtype)
            _check_class_weight("cross_entropy", w, c)
    else:
        t, ignore_index = _class_targets("cross_entropy", x,
                                         _one_target("cross_entropy", input, t_raw)
                                         if unbatched else target, ignore_index)
        w = _weight_array("cross_entropy", weight, c, x.dtype)
    if t.dtype.kind != "f" and w is None and ignore_index is None and not label_smoothing \
            and n:
        loss = ops.CrossEntropy.apply(x, t, reduction)  # the common case: p - onehot(t)
    else:
        loss = ops.CrossEntropyGeneral.apply(x, t, w, ignore_index, reduction,
                                             label_smoothing)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def nll_loss(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices (N,) under log-probabilities (N, C)."""
    check_reduction("nll_loss", reduction)
    x, unbatched = _batched("nll_loss", input)
    t_raw = _target_array("nll_loss", target)
    t, ignore_index = _class_targets("nll_loss", x, _one_target("nll_loss", input, t_raw)
                                     if unbatched else target, ignore_index)
    w = _weight_array("nll_loss", weight, x.shape[1], x.dtype)
    loss = ops.NLLLoss.apply(x, t, w, ignore_index, reduction)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None,  # noqa: A002
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Binary cross-entropy on logits, stable for any logit; targets in [0, 1], same shape.
    ``weight`` and ``pos_weight`` broadcast to the input's shape (PyTorch refuses a
    broadcast that enlarges the loss)."""
    name = "binary_cross_entropy_with_logits"
    _check_elementwise(name, input, target, reduction, same_shape=True)
    input = _promoted(input, target)  # noqa: A001
    y = _as_dtype(target, input.dtype)
    _constant(name, "weight", weight)
    _constant(name, "pos_weight", pos_weight)
    w = None if weight is None else _weight_operand(weight, input.dtype)
    pw = None if pos_weight is None else _weight_operand(pos_weight, input.dtype)
    shapes = [tuple(input.shape)] + [tuple(a.shape) for a in (w, pw) if a is not None]
    try:
        grows = np.broadcast_shapes(*shapes) != shapes[0]
    except ValueError:
        grows = True
    if grows:
        raise ValueError(f"{name}: weight and pos_weight must broadcast to the input's "
                         f"shape (numpy's rules, as in PyTorch), got shapes {shapes} (input, "
                         f"then the weights given)")
    return ops.BCEWithLogits.apply(input, y, w, pw, reduction)


def binary_cross_entropy(input: Tensor, target, weight=None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities ``input`` (a sigmoid's output) and
    targets in [0, 1] of the same shape: -w·[y·log x + (1-y)·log(1-x)], each log clamped
    to >= -100 as in PyTorch. ``weight`` broadcasts to the input's shape. On logits,
    ``binary_cross_entropy_with_logits`` is stabler (no sigmoid to saturate).

    Example:
        >>> import tinynet as tn
        >>> p = tn.tensor([0.9, 0.2])
        >>> loss = tn.nn.functional.binary_cross_entropy(p, tn.tensor([1.0, 0.0]))
        >>> round(loss.item(), 4)   # -(log 0.9 + log 0.8) / 2
        0.1643
    """
    name = "binary_cross_entropy"
    _check_elementwise(name, input, target, reduction, same_shape=True)
    if input.dtype.kind != "f":  # (a float input keeps its dtype: the target follows it)
        input = _promoted(input, target)  # noqa: A001
    y = _as_dtype(target, input.dtype)
    _constant(name, "weight", weight)
    w = None
    if weight is not None:
        w = _weight_operand(weight, input.dtype)
        if not _broadcasts_to(tuple(w.shape), input.shape):
            raise ValueError(f"{name}: weight must broadcast to the input's shape "
                             f"{tuple(input.shape)}, got shape {w.shape}")
    return ops.BCE.apply(input, y, w, reduction)


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` without enlarging it."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def mse_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
             weight=None) -> Tensor:
    """Mean squared error: mean of (input - target)². With ``weight`` (input's shape),
    each squared error is weighted and 'mean' divides by the weights' sum, as PyTorch's."""
    _check_elementwise("mse_loss", input, target, reduction)
    diff = input - target
    squared = diff * diff
    if weight is not None:
        return _weighted("mse_loss", squared, weight, reduction, per_weight=True)
    if reduction == "none":
        return squared
    return squared.sum() if reduction == "sum" else squared.mean()


def _weighted(name, losses: Tensor, weight, reduction: str, per_weight: bool) -> Tensor:
    """The elementwise ``losses`` times ``weight`` (of their shape, differentiable), reduced:
    'mean' divides by the weights' sum (``per_weight``: mse and l1 in PyTorch) or by the
    number of elements (huber in PyTorch)."""
    # a floating weight tensor promotes with the losses, as PyTorch's (float64 weights on
    # float32 losses give float64); anything else takes the losses' dtype
    w = weight if isinstance(weight, Tensor) and weight.dtype.kind == "f" else \
        _as_dtype(weight, losses.dtype)
    w = w if isinstance(w, Tensor) else Tensor._wrap(np.array(w), False, None)
    if tuple(w.shape) != tuple(losses.shape):
        raise ValueError(f"{name}: weight must have the input's shape {tuple(losses.shape)}, "
                         f"got {tuple(w.shape)}")
    weighted = losses * w
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / w.sum() if per_weight else weighted.mean()


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: ½d²/β where |d| < β, else |d| - ½β, d = input - target (an L1 loss
    that is quadratic near 0; β = 0 gives the L1 loss)."""
    beta = check_smooth_l1_beta("smooth_l1_loss", beta)
    return _smooth_l1("smooth_l1_loss", input, target, reduction, beta, 1.0)


def huber_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight=None) -> Tensor:
    """Huber loss: ½d² where |d| < δ, else δ(|d| - ½δ), d = input - target. With
    ``weight`` (input's shape), each loss is weighted and 'mean' is the mean of the
    weighted losses, as PyTorch's."""
    delta = check_huber_delta("huber_loss", delta)
    return _smooth_l1("huber_loss", input, target, reduction, delta, delta, weight, False)


def l1_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
            weight=None) -> Tensor:
    """Mean absolute error |input - target| (gradient sign(d), 0 at d = 0). With
    ``weight`` (input's shape), each error is weighted and 'mean' divides by the weights'
    sum, as PyTorch's."""
    return _smooth_l1("l1_loss", input, target, reduction, 0.0, 1.0, weight, True)


def _smooth_l1(name, input, target, reduction, beta, scale, weight=None,  # noqa: A002
               per_weight=True) -> Tensor:
    _check_elementwise(name, input, target, reduction)
    input = _promoted(input, target)  # noqa: A001
    target = _as_dtype(target, input.dtype)
    if weight is not None:
        losses = ops.SmoothL1.apply(input, target, beta, scale, "none")
        return _weighted(name, losses, weight, reduction, per_weight)
    return ops.SmoothL1.apply(input, target, beta, scale, reduction)


KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")


def kl_div(input: Tensor, target, reduction: str = "mean",  # noqa: A002
           log_target: bool = False) -> Tensor:
    """KL divergence of the log-probabilities ``input`` from the probabilities ``target``
    (log-probabilities with ``log_target``), elementwise t·(log t - input), reduced by
    'batchmean' (the sum over the batch size: KL per sample), 'sum', 'none' or 'mean'
    (over every element: not KL's definition, and PyTorch's default, so it warns as
    PyTorch does)."""
    check_kl_div("kl_div", reduction, log_target)
    check_tensor("kl_div", input)
    target_shape = tuple(_target_array("kl_div", target).shape)
    if target_shape != tuple(input.shape):
        raise ValueError(f"kl_div: target must have the input's shape {tuple(input.shape)}, "
                         f"got {target_shape}")
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides the total by every element, the "
                      "batch size times the number of classes; 'batchmean' divides by the "
                      "batch size only, which is the KL divergence's definition",
                      UserWarning, stacklevel=2)
    kinds = (input.dtype, _target_array("kl_div", target).dtype)
    if any(kind.kind != "f" for kind in kinds):  # (numpy would truncate its logs)
        raise TypeError(f"kl_div: input and target must be floating point (as in PyTorch), "
                        f"got {kinds[0]} and {kinds[1]}")
    input = _promoted(input, target)  # noqa: A001
    return ops.KLDiv.apply(input, _as_dtype(target, input.dtype), log_target, reduction)


def check_kl_div(where: str, reduction: str, log_target) -> None:
    check_choice(where, "reduction", reduction, KL_REDUCTIONS)
    if not isinstance(log_target, (bool, np.bool_)):
        raise TypeError(f"{where}: log_target must be True or False, got {log_target!r}")
