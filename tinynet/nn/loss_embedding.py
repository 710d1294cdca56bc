"""Ranking and embedding loss modules: configuration plus a call to
``tinynet.nn.functional``. Labels are 1 (similar, or ranked first) and -1."""
from tinynet.nn import functional as F
from tinynet.nn._checks import check_reduction, legacy_reduction
from tinynet.nn._loss_checks import (check_distance_function, check_eps, check_flag,
                                     check_margin, check_norm_order)
from tinynet.nn.distance import PairwiseDistance
from tinynet.nn.module import Module


class MarginRankingLoss(Module):
    """A ranking hinge loss on pairs of scores, elementwise

        ℓ = max(0, -y·(x1 - x2) + margin)

    y = 1 asks for x1 above x2 by ``margin``, y = -1 for x2 above x1.

    Args:
        margin: the gap asked for (default 0.0).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input1 (*), input2 broadcastable to it with as many dims, target (*) of 1 and
    -1; output scalar, or (*) with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> loss = tn.nn.MarginRankingLoss(margin=1.0)
        >>> loss(tn.tensor([3.0, 1.0]), tn.tensor([1.0, 1.5]), tn.tensor([1, 1]))  # (0 + 1.5)/2
        tensor(0.7500)
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean", *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("MarginRankingLoss", reduction)
        self.margin, self.reduction = check_margin("MarginRankingLoss", margin), reduction

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class HingeEmbeddingLoss(Module):
    """A hinge loss on distances x: elementwise x where y = 1 (similar: pulled to 0),
    max(0, margin - x) where y = -1 (dissimilar: pushed beyond ``margin``).

    Args:
        margin: the distance dissimilar pairs are pushed beyond (default 1.0).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input (*), target (*) of 1 and -1; output scalar or (*).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.HingeEmbeddingLoss()(tn.tensor([0.2, 0.4]), tn.tensor([1, -1]))  # (0.2 + 0.6)/2
        tensor(0.4000)
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean", *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("HingeEmbeddingLoss", reduction)
        self.margin, self.reduction = check_margin("HingeEmbeddingLoss", margin), reduction

    def forward(self, input, target):  # noqa: A002
        return F.hinge_embedding_loss(input, target, self.margin, self.reduction)


class CosineEmbeddingLoss(Module):
    """A loss on the cosine of pairs of vectors: 1 - cos(x1, x2) where y = 1 (similar),
    max(0, cos(x1, x2) - margin) where y = -1 (dissimilar), per pair of rows.

    Args:
        margin: the cosine dissimilar pairs are pushed below, in [-1, 1] in practice
            (default 0.0).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input1 (N, D) or (D,), input2 broadcastable to it with as many dims, target
    (N,) or () of 1 and -1; output scalar, or (N,) or () with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> x1, x2 = tn.tensor([[1.0, 0.0]]), tn.tensor([[2.0, 0.0]])
        >>> tn.nn.CosineEmbeddingLoss()(x1, x2, tn.tensor([-1]))   # cos = 1
        tensor(1.)
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean", *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        check_reduction("CosineEmbeddingLoss", reduction)
        self.margin, self.reduction = check_margin("CosineEmbeddingLoss", margin), reduction

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class TripletMarginLoss(Module):
    """A triplet loss: the anchor a nearer its positive p than its negative n by
    ``margin``, per triplet of rows

        ℓ = max(0, d(a, p) - d(a, n) + margin),   d(x1, x2) = ‖x1 - x2 + eps‖ₚ

    With ``swap``, d(a, n) becomes min(d(a, n), d(p, n)) (the distance swap).

    Args:
        margin: the gap asked for, > 0 (default 1.0).
        p: the norm's order (default 2.0).
        eps: added to the differences, so the gradient is defined where two rows are
            equal (default 1e-6).
        swap: use the distance swap (default False).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: anchor, positive, negative (N, D) or (D,), broadcastable, with as many dims;
    output scalar, or (N,) or () with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> a, p, n = tn.tensor([[0.0, 0.0]]), tn.tensor([[0.0, 1.0]]), tn.tensor([[0.0, 3.0]])
        >>> tn.nn.TripletMarginLoss(margin=1.0, eps=0.0)(a, p, n)   # max(0, 1 - 3 + 1)
        tensor(0.)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, reduction: str = "mean", *, size_average=None,
                 reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        where = "TripletMarginLoss"
        check_reduction(where, reduction)
        self.margin = check_margin(where, margin, positive=True)
        self.p, self.eps = check_norm_order(where, p), check_eps(where, eps)
        self.swap, self.reduction = check_flag(where, "swap", swap), reduction

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p,
                                     self.eps, self.swap, self.reduction)


class TripletMarginWithDistanceLoss(Module):
    """``TripletMarginLoss`` with any distance: max(0, d(a, p) - d(a, n) + margin) with
    d = ``distance_function``.

    Args (keyword-only, as PyTorch's):
        distance_function: a function of two tensors returning one distance per pair of
            rows (default None: a ``PairwiseDistance()``, the Euclidean distance).
        margin: the gap asked for, > 0 (default 1.0).
        swap: use the distance swap, min(d(a, n), d(p, n)) (default False).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: as the distance function takes them; output scalar, or one loss per triplet
    with reduction='none'.

    Example:
        >>> import tinynet as tn
        >>> l1 = tn.nn.PairwiseDistance(p=1.0, eps=0.0)
        >>> loss = tn.nn.TripletMarginWithDistanceLoss(distance_function=l1, margin=2.0)
        >>> a, p, n = tn.tensor([[0.0, 0.0]]), tn.tensor([[1.0, 1.0]]), tn.tensor([[1.0, 2.0]])
        >>> loss(a, p, n)   # 2 - 3 + 2
        tensor(1.)
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean"):
        super().__init__()
        where = "TripletMarginWithDistanceLoss"
        check_reduction(where, reduction)
        check_distance_function(where, distance_function)
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin = check_margin(where, margin, positive=True)
        self.swap, self.reduction = check_flag(where, "swap", swap), reduction

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)
