"""Loss modules: configuration plus a call to ``tinynet.nn.functional``."""
import warnings

import numpy as np

from tinynet.nn import functional as F
from tinynet.nn._functional_loss import check_kl_div
from tinynet.nn._checks import (check_huber_delta, check_label_smoothing, check_reduction,
                                check_smooth_l1_beta, legacy_reduction)
from tinynet.nn.module import Module
from tinynet.factories import as_tensor
from tinynet.tensor import Tensor


def _weight_tensor(weight):
    """A loss's weight as the buffer PyTorch makes it (in ``state_dict``, and watched by
    ``tn.capture``, which replays with a weight set later): a tensor, or None."""
    return weight if weight is None or isinstance(weight, Tensor) else as_tensor(weight)


def _looks_like_probabilities(x: np.ndarray) -> bool:
    """Every row in [0, 1] and summing to 1: the output of a softmax, not logits."""
    if x.ndim == 0 or x.shape[-1] < 2 or x.size == 0 or x.dtype.kind != "f":
        return False
    if x.min() < 0 or x.max() > 1:
        return False
    return bool(np.allclose(x.sum(axis=-1), 1.0, atol=1e-4))


class CrossEntropyLoss(Module):
    """Cross-entropy between logits and class indices (or class probabilities), with
    log-softmax fused in: one stable node whose gradient is (softmax - target) / N.

    Args:
        weight: per-class weights of shape (C,) (default None: all 1).
        ignore_index: target value that contributes neither loss nor gradient (-100).
        reduction: 'mean' (default; weighted mean when ``weight`` is given), 'sum'
            or 'none'.
        label_smoothing: ε in [0, 1]: the target becomes (1-ε)·onehot + ε/C (0.0).

    Shape:
        input (N, C) or (C,) logits; target (N,) integer classes in [0, C) or (N, C)
        probabilities; output scalar, or (N,) with reduction='none'.

    NOTE (not in PyTorch): on its first call, the module warns if the input rows
    already look like probabilities (all in [0, 1], summing to 1): a model ending in
    Softmax whose output is softmaxed again here, which squashes the gradients. Set
    ``warn_on_probabilities = False`` to skip the check.

    Example:
        >>> import tinynet as tn
        >>> loss = tn.nn.CrossEntropyLoss()(tn.zeros(2, 4), tn.tensor([1, 3]))
        >>> round(loss.item(), 4)   # log 4
        1.3863
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0, *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("CrossEntropyLoss", reduction)
        self.register_buffer("weight", _weight_tensor(weight))
        self.ignore_index = ignore_index
        check_label_smoothing("CrossEntropyLoss", label_smoothing)
        self.reduction, self.label_smoothing = reduction, label_smoothing
        self.warn_on_probabilities = True  # checked on the first call only

    def forward(self, input, target):  # noqa: A002
        if self.warn_on_probabilities and isinstance(input, Tensor):  # once: outputs keep
            self.warn_on_probabilities = False  # their kind
            if _looks_like_probabilities(input.array):
                warnings.warn(
                    "CrossEntropyLoss got inputs that look like probabilities (rows in "
                    "[0, 1] summing to 1). It expects raw logits and applies log-softmax "
                    "itself; softmaxing twice flattens the gradients and slows learning. "
                    "Remove the model's final Softmax.", UserWarning, stacklevel=3)  # the caller
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class NLLLoss(Module):
    """Negative log-likelihood of class indices under log-probabilities (use after
    ``LogSoftmax``). Args and shapes as ``CrossEntropyLoss`` (no label smoothing)."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean", *,
                 size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("NLLLoss", reduction)
        self.register_buffer("weight", _weight_tensor(weight))
        self.ignore_index, self.reduction = ignore_index, reduction

    def forward(self, input, target):  # noqa: A002
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(Module):
    """Binary cross-entropy on probabilities (after a ``Sigmoid``), one fused node: with
    x the input and y the target, elementwise

        ℓ = -w·[y·log x + (1-y)·log(1-x)],   each log clamped to >= -100 (as PyTorch)

    For logits, ``BCEWithLogitsLoss`` fuses the sigmoid in and stays stable where the
    sigmoid saturates.

    Args:
        weight: rescales each element's loss (broadcast to the input's shape), default
            None.
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input (*) in [0, 1], target (*) in [0, 1] of the same shape; output scalar
    or (*).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.BCELoss()(tn.tensor([0.5, 0.5]), tn.tensor([1.0, 0.0]))   # log 2
        tensor(0.6931)
    """

    def __init__(self, weight=None, reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("BCELoss", reduction)
        self.register_buffer("weight", _weight_tensor(weight))
        self.reduction = reduction

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy on logits, sigmoid fused in (stable for any logit).

    Args:
        weight: rescales each element's loss (broadcast to the input), default None.
        reduction: 'mean' (default), 'sum' or 'none'.
        pos_weight: weight of positive examples, per class (default None: 1).

    Shape: input (*), target (*) floats in [0, 1]; output scalar or (*).
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None, *,
                 size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("BCEWithLogitsLoss", reduction)
        self.register_buffer("weight", _weight_tensor(weight))
        self.register_buffer("pos_weight", _weight_tensor(pos_weight))
        self.reduction = reduction

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)


class MSELoss(Module):
    """Mean squared error (input - target)², reduced by ``reduction`` ('mean')."""

    def __init__(self, reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("MSELoss", reduction)
        self.reduction = reduction

    def forward(self, input, target):  # noqa: A002
        return F.mse_loss(input, target, self.reduction)


class L1Loss(Module):
    """Mean absolute error |input - target|, reduced by ``reduction`` ('mean')."""

    def __init__(self, reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("L1Loss", reduction)
        self.reduction = reduction

    def forward(self, input, target):  # noqa: A002
        return F.l1_loss(input, target, self.reduction)


class SmoothL1Loss(Module):
    """Smooth L1 loss, one fused node: with d = input - target, elementwise

        ℓ = ½d²/β  where |d| < β,  else |d| - ½β;   dℓ/d(input) = d/β or sign(d)

    quadratic near 0 (a smooth minimum), linear beyond (outliers pull no harder than 1).

    Args:
        reduction: 'mean' (default), 'sum' or 'none'.
        beta: where the quadratic part ends, >= 0 (default 1.0; 0 gives the L1 loss).

    Shape: input (*), target (*) of the same shape; output scalar or (*).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.SmoothL1Loss()(tn.tensor([0.5, 3.0]), tn.zeros(2))   # (0.125 + 2.5) / 2
        tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0, *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("SmoothL1Loss", reduction)
        self.reduction = reduction
        self.beta = check_smooth_l1_beta("SmoothL1Loss", beta)

    def forward(self, input, target):  # noqa: A002
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)


class HuberLoss(Module):
    """Huber loss: ½d² where |d| < δ, else δ(|d| - ½δ), d = input - target; δ times
    ``SmoothL1Loss(beta=δ)``.

    Args:
        reduction: 'mean' (default), 'sum' or 'none'.
        delta: where the quadratic part ends, > 0 (default 1.0).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__()
        check_reduction("HuberLoss", reduction)
        self.reduction = reduction
        self.delta = check_huber_delta("HuberLoss", delta)

    def forward(self, input, target):  # noqa: A002
        return F.huber_loss(input, target, self.reduction, self.delta)


class KLDivLoss(Module):
    """KL divergence of log-probabilities ``input`` from target probabilities, elementwise

        ℓ = t·(log t - input)   (0 where t = 0);   dℓ/d(input) = -t

    or, with ``log_target`` (the target holds log-probabilities), eᵗ·(t - input).

    Args:
        reduction: 'mean' (default, as PyTorch: over every element, and it warns),
            'batchmean' (the sum over the batch size: the KL divergence per sample),
            'sum' or 'none'.
        log_target: the target holds log-probabilities (default False).

    Shape: input (N, *), target of the same shape; output scalar or (N, *).

    Example:
        >>> import tinynet as tn
        >>> p = tn.tensor([[0.5, 0.5]])
        >>> kl = tn.nn.KLDivLoss(reduction="batchmean")
        >>> kl(tn.tensor([[0.25, 0.75]]).log(), p)   # ½·log(2) + ½·log(2/3)
        tensor(0.1438)
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False, *,
                 size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_kl_div("KLDivLoss", reduction, log_target)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):  # noqa: A002
        return F.kl_div(input, target, self.reduction, self.log_target)
