"""The ranking and embedding losses of ``tinynet.nn.functional`` (import them from there):
``margin_ranking_loss``, ``hinge_embedding_loss``, ``cosine_embedding_loss``,
``triplet_margin_loss`` and ``triplet_margin_with_distance_loss``.

Each checks its arguments here, then composes tensor ops (``clamp_min``, ``where``,
``minimum``, ``pairwise_distance``...), so its gradient is that of the ops it uses. At a
kink those are PyTorch's: ``clamp_min`` passes the gradient where its input equals the
bound, as PyTorch's composed losses do.
"""
# ruff: noqa: A002  (PyTorch's argument name: input)
from tinynet.combining import where
from tinynet.nn._checks import check_reduction, check_tensor
from tinynet.nn._functional_loss import _check_elementwise, _target_array, check_target_shape
from tinynet.nn._functional_more import pairwise_distance
from tinynet.nn._loss_checks import (broadcast_shape, check_distance_function, check_eps,
                                     check_flag, check_margin, check_norm_order,
                                     check_same_ndim, check_signs, number_tensor, reduce)
from tinynet.tensor import Tensor

COSINE_EPS = 1e-12  # added to each squared norm, as PyTorch: a zero vector has cosine 0


def margin_ranking_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y·(x1 - x2) + margin), elementwise: y = 1 asks for x1 ranked above x2 by
    ``margin``, y = -1 for x2 above x1. ``input1``, ``input2`` and ``target`` have one
    number of dimensions; the inputs broadcast together and the target has their shape.

    Example:
        >>> import tinynet as tn
        >>> x1, x2 = tn.tensor([2.0, 0.5]), tn.tensor([1.0, 1.0])
        >>> tn.nn.functional.margin_ranking_loss(x1, x2, tn.tensor([1.0, 1.0]), 0.5)
        tensor(0.5000)
    """
    name = "margin_ranking_loss"
    check_reduction(name, reduction)
    margin = check_margin(name, margin)
    check_tensor(name, input1, name="input1")
    check_tensor(name, input2, name="input2")
    y = number_tensor(name, "target", target)
    check_same_ndim(name, input1=input1, input2=input2, target=y)
    shape = broadcast_shape(name, input1=input1, input2=input2)
    check_target_shape(name, tuple(y.shape), shape, "the inputs' broadcast shape")
    check_signs(name, y)
    return reduce((-y * (input1._floating() - input2._floating()) + margin).clamp_min(0),
                  reduction)


def hinge_embedding_loss(input: Tensor, target, margin: float = 1.0,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1, elementwise: ``input`` holds
    distances, small for similar pairs (y = 1) and pushed beyond ``margin`` for
    dissimilar ones (y = -1). The target is a constant (the loss is not differentiable in
    it); the loss has the input's dtype.

    Example:
        >>> import tinynet as tn
        >>> d = tn.tensor([0.3, 0.4, 1.5])
        >>> tn.nn.functional.hinge_embedding_loss(d, tn.tensor([1, -1, -1]), reduction="none")
        tensor([0.3000, 0.6000, 0.0000])
    """
    name = "hinge_embedding_loss"
    _check_elementwise(name, input, target, reduction)
    margin = check_margin(name, margin)
    check_signs(name, target)
    x = input._floating()
    similar = _target_array(name, target) == 1
    return reduce(where(similar, x, (margin - x).clamp_min(0)), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, per pair
    of rows, with cos = Σ x1·x2 / √((Σ x1² + 1e-12)(Σ x2² + 1e-12)) over the last dim (as
    PyTorch: a zero vector has cosine 0). Inputs (N, D) with target (N,), or (D,) with a
    0-d target; the inputs broadcast together. The target is a constant.

    Example:
        >>> import tinynet as tn
        >>> x1, x2 = tn.tensor([[1.0, 0.0], [1.0, 0.0]]), tn.tensor([[0.0, 1.0], [1.0, 1.0]])
        >>> F = tn.nn.functional
        >>> F.cosine_embedding_loss(x1, x2, tn.tensor([1, -1]), reduction="none")  # 1 - 0; cos 45°
        tensor([1.0000, 0.7071])
    """
    name = "cosine_embedding_loss"
    check_reduction(name, reduction)
    margin = check_margin(name, margin)
    check_tensor(name, input1, name="input1")
    check_tensor(name, input2, name="input2")
    t = _target_array(name, target)
    if t.ndim > 1:
        raise ValueError(f"{name}: target must have 0 or 1 dimensions (one label per pair), "
                         f"got shape {t.shape}")
    ndim = t.ndim + 1  # (D,) vectors for one label, (N, D) rows for N
    if input1.ndim != ndim or input2.ndim != ndim:
        raise ValueError(f"{name}: input1 and input2 must have {ndim} dimension"
                         f"{'s' if ndim > 1 else ''} for a target of shape {t.shape} "
                         f"({'(N, D) rows' if ndim > 1 else '(D,) vectors'}), got shapes "
                         f"{tuple(input1.shape)} and {tuple(input2.shape)}")
    shape = broadcast_shape(name, input1=input1, input2=input2)
    if t.shape != shape[:-1]:
        raise ValueError(f"{name}: target must have shape {shape[:-1]} (one label per pair "
                         f"of rows of the inputs, broadcast to {shape}), got {t.shape}")
    check_signs(name, t)
    x1, x2 = input1._floating(), input2._floating()
    dot = (x1 * x2).sum(-1)
    squared_norms = ((x1 * x1).sum(-1) + COSINE_EPS) * ((x2 * x2).sum(-1) + COSINE_EPS)
    cos = dot / squared_norms.sqrt()
    return reduce(where(t == 1, 1 - cos, (cos - margin).clamp_min(0)), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) per triplet, d the ``pairwise_distance`` of
    order ``p`` (over the last dim, with ``eps``): the anchor nearer its positive than its
    negative by ``margin`` (> 0). With ``swap``, d(a, n) becomes min(d(a, n), d(p, n)),
    the harder of the two negatives' distances. The three have one number of dimensions
    and broadcast together.

    Example:
        >>> import tinynet as tn
        >>> a, p, n = tn.tensor([[0.0, 0.0]]), tn.tensor([[3.0, 4.0]]), tn.tensor([[0.0, 3.0]])
        >>> tn.nn.functional.triplet_margin_loss(a, p, n, eps=0.0)   # 5 - 3 + 1
        tensor(3.)
    """
    name = "triplet_margin_loss"
    check_reduction(name, reduction)
    margin = check_margin(name, margin, positive=True)
    p, eps = check_norm_order(name, p), check_eps(name, eps)
    swap = check_flag(name, "swap", swap)
    _check_triplet(name, anchor, positive, negative)
    broadcast_shape(name, anchor=anchor, positive=positive, negative=negative)
    return _triplet(anchor, positive, negative, lambda x1, x2: pairwise_distance(x1, x2, p, eps),
                    margin, swap, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """``triplet_margin_loss`` with any distance: ``distance_function(x1, x2)`` returns one
    distance per pair of rows (default None: ``pairwise_distance``, the Euclidean one).

    Example:
        >>> import tinynet as tn
        >>> F = tn.nn.functional
        >>> a, p, n = tn.tensor([[1.0, 0.0]]), tn.tensor([[1.0, 1.0]]), tn.tensor([[0.0, 1.0]])
        >>> cosine = lambda x1, x2: 1 - F.cosine_similarity(x1, x2)
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=cosine, margin=0.5)
        tensor(0.)
    """
    name = "triplet_margin_with_distance_loss"
    check_reduction(name, reduction)
    margin = check_margin(name, margin, positive=True)
    swap = check_flag(name, "swap", swap)
    check_distance_function(name, distance_function)
    _check_triplet(name, anchor, positive, negative)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin,
                    swap, reduction)


def _check_triplet(name, anchor, positive, negative) -> None:
    for argument, x in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        check_tensor(name, x, name=argument)
    check_same_ndim(name, anchor=anchor, positive=positive, negative=negative)


def _triplet(anchor, positive, negative, distance, margin, swap, reduction) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)), the negative's distance the smaller of d(a, n)
    and d(p, n) with ``swap`` (a tie splits its gradient evenly, as PyTorch's minimum)."""
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = to_negative.minimum(distance(positive, negative))
    return reduce((margin + to_positive - to_negative).clamp_min(0), reduction)
