"""Margin loss modules of classifiers: configuration plus a call to
``tinynet.nn.functional``."""
from tinynet.nn import functional as F
from tinynet.nn._checks import check_reduction, legacy_reduction
from tinynet.nn._loss_checks import check_margin, check_margin_power
from tinynet.nn.module import Module
from tinynet.tensor import as_array


class SoftMarginLoss(Module):
    """A logistic loss on the margin y·x of labels y of 1 and -1, elementwise

        ℓ = log(1 + e^(-y·x)),   dℓ/dx = -y·σ(-y·x)

    computed without overflow for any x.

    Args:
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input (*), target (*) of 1 and -1; output scalar or (*).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.SoftMarginLoss()(tn.tensor([0.0, 0.0]), tn.tensor([1, -1]))   # log 2
        tensor(0.6931)
    """

    def __init__(self, reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        self.reduction = check_reduction("SoftMarginLoss", reduction)

    def forward(self, input, target):  # noqa: A002
        return F.soft_margin_loss(input, target, self.reduction)


class MultiLabelSoftMarginLoss(Module):
    """A logistic loss per class, averaged over the classes: for scores x (N, C) and
    targets y (N, C) in [0, 1] (1 where the class is present),

        ℓₙ = -(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 - y_c)·log σ(-x_c)]

    Args:
        weight: rescales each class's loss (broadcast to the input's shape), default
            None.
        reduction: 'mean' (default; the mean of ℓₙ over the samples), 'sum' or 'none'.

    Shape: input (N, C) or (C,), target of the same shape; output scalar, or (N,) or ()
    with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> loss = tn.nn.MultiLabelSoftMarginLoss()
        >>> loss(tn.tensor([[0.0, 0.0]]), tn.tensor([[1.0, 0.0]]))   # log 2 per class
        tensor(0.6931)
    """

    def __init__(self, weight=None, reduction: str = "mean", *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        self.reduction = check_reduction("MultiLabelSoftMarginLoss", reduction)
        self.weight = weight

    def forward(self, input, target):  # noqa: A002
        return F.multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


class MultiMarginLoss(Module):
    """A multi-class hinge loss: each other class's score must stay ``margin`` below the
    target's. For scores x (N, C) and class indices y (N,),

        ℓₙ = (1/C)·Σ_{i ≠ y} w_y·max(0, margin - x_y + x_i)^p

    Args:
        p: the power of each violation, 1 or 2 (default 1).
        margin: the gap asked for (default 1.0).
        weight: per-class weights (C,), each sample weighted by its target's (default
            None: all 1).
        reduction: 'mean' (default; the mean of ℓₙ over the samples), 'sum' or 'none'.

    Shape: input (N, C) or (C,), target (N,) or () class indices in [0, C); output
    scalar, or the target's shape with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> loss = tn.nn.MultiMarginLoss(p=2)
        >>> loss(tn.tensor([[2.0, 1.5, 0.0]]), tn.tensor([0]))   # (0.5² + 0) / 3
        tensor(0.0833)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, reduction: str = "mean",
                 *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        where = "MultiMarginLoss"
        self.reduction = check_reduction(where, reduction)
        self.p, self.margin = check_margin_power(where, p), check_margin(where, margin)
        if weight is not None and as_array(weight).ndim != 1:
            raise ValueError(f"{where}: weight must have shape (C,) (one per class), got "
                             f"{as_array(weight).shape}")
        self.weight = weight

    def forward(self, input, target):  # noqa: A002
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight,
                                   self.reduction)


class MultiLabelMarginLoss(Module):
    """A multi-label hinge loss: every listed class's score must exceed every other
    class's by 1. Each row of the target lists the row's classes, padded with -1 (the
    list ends at the first -1); for scores x (N, C),

        ℓₙ = (1/C)·Σ_{j listed} Σ_{i not listed} max(0, 1 - (x_j - x_i))

    Args:
        reduction: 'mean' (default; the mean of ℓₙ over the samples), 'sum' or 'none'.

    Shape: input (N, C) or (C,), target of the same shape, integers in [-1, C); output
    scalar, or (N,) or () with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> tn.nn.MultiLabelMarginLoss()(x, tn.tensor([[3, 0, -1, 1]]))   # 3.4 / 4
        tensor(0.8500)
    """

    def __init__(self, reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        self.reduction = check_reduction("MultiLabelMarginLoss", reduction)

    def forward(self, input, target):  # noqa: A002
        return F.multilabel_margin_loss(input, target, self.reduction)
