"""Distances and padding of ``tinynet.nn.functional``: ``normalize``,
``cosine_similarity``, ``pairwise_distance`` and ``pad``, each composed of tensor methods
(``norm``, ``clamp_min``, ``cat``...), so their gradients are those of the ops they use."""
# ruff: noqa: A002  (PyTorch's argument names: input, pad)
import numpy as np

from tinynet.checks import check_int
from tinynet.combining import cat
from tinynet.nn._checks import check_tensor
from tinynet.promotion import promote
from tinynet.tensor import Tensor

PAD_MODES = ("constant", "reflect", "replicate", "circular")  # PyTorch's; only the first here


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(‖input‖ₚ, eps), the p-norm taken over ``dim`` (kept, so it
    broadcasts): each slice along ``dim`` scaled to norm 1. Gradient: that of the
    division, the norm and the clamp (0 through the clamp where ‖input‖ₚ < eps).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.normalize(tn.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    check_tensor("normalize", input)
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) over ``dim``, the two broadcast together
    first; computed as Σ (x1 / max(‖x1‖, eps))·(x2 / max(‖x2‖, eps)), which stays within
    [-1, 1], each vector scaled by its largest entry first (where PyTorch's squares
    overflow, 1e20 in float32, and give 0). As in PyTorch the clamp is not
    differentiated: the gradient is that of x1·x2 / (‖x1‖‖x2‖) with the clamped norms'
    values (it matters only below eps).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.cosine_similarity(tn.tensor([[1.0, 0.0]]), tn.tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    check_tensor("cosine_similarity", x1)
    check_tensor("cosine_similarity", x2)
    x1, x2 = _broadcast(*promote(x1, x2), "cosine_similarity")
    x1, x2 = x1._floating(), x2._floating()
    return (_unit(x1, dim, eps) * _unit(x2, dim, eps)).sum(dim)


def _unit(x: Tensor, dim: int, eps: float) -> Tensor:
    """x / max(‖x‖₂, eps) over ``dim``, computed as (x/m) / max(‖x/m‖₂, eps/m) with
    m = max(largest |x| along ``dim``, eps), a constant: the same value and gradient, but
    the squares inside the norm neither overflow (|x| ~ 1e20 in float32) nor underflow,
    and the divisor lies in [1, √D]. Tensor ops throughout (no comparison), so that
    ``tn.capture`` records m too."""
    if x.shape[dim] > 0:
        m = x.detach().abs().amax(dim, keepdim=True).clamp_min(eps)
        x, eps = x / m, eps / m
    norm = x.norm(2, dim, keepdim=True)
    # the clamp's value with the gradient of ‖x‖₂: its change is added as a constant
    return x / (norm + (norm.detach().clamp_min(eps) - norm.detach()))


def _broadcast(x1: Tensor, x2: Tensor, where: str) -> tuple:
    """Both tensors broadcast to their common shape (their norms are taken after)."""
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise RuntimeError(f"{where}: x1 of shape {x1.shape} and x2 of shape {x2.shape} do "
                           f"not broadcast together") from None
    return tuple(x if x.shape == shape else x.broadcast_to(shape) for x in (x1, x2))


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖ₚ over the last dim (of the two broadcast together), as PyTorch
    computes it: ``eps`` keeps the norm's gradient defined where x1 = x2.

    Example:
        >>> import tinynet as tn
        >>> F = tn.nn.functional
        >>> F.pairwise_distance(tn.tensor([[3.0, 4.0]]), tn.zeros(1, 2), eps=0.0)
        tensor([5.])
    """
    check_tensor("pairwise_distance", x1, name="x1")
    check_tensor("pairwise_distance", x2, name="x2")
    diff = x1 - x2 + eps
    if diff.ndim == 0:  # two numbers: the norm of one, 0-d with keepdim too, as PyTorch
        return diff.reshape(1).norm(p, dim=-1)
    return diff.norm(p, dim=-1, keepdim=keepdim)


def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """``input`` with ``value`` (default 0) added around its last dims: ``pad`` is
    (before, after) for the last dim, then for the one before it, and so on, so
    (1, 2, 0, 1) pads the last dim by 1 and 2 and the one before by 0 and 1. A negative
    amount removes elements. Gradient: that of the kept elements (the padding is a
    constant). Only ``mode='constant'`` is implemented.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.pad(tn.tensor([[1.0, 2.0]]), (1, 0), value=-1.0)
        tensor([[-1.,  1.,  2.]])
    """
    check_tensor("pad", input)
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented (only 'constant'; "
                                  f"PyTorch's modes are {', '.join(map(repr, PAD_MODES))})")
    amounts = [check_int("pad", "pad", n) for n in _pad_list(pad)]
    if len(amounts) % 2 or len(amounts) > 2 * input.ndim:
        raise RuntimeError(f"pad: pad must hold an even number of amounts, two per padded "
                           f"dim, at most {2 * input.ndim} (the input has {input.ndim} dims), "
                           f"got {len(amounts)}: {tuple(amounts)}")
    x = input
    for k in range(len(amounts) // 2):
        x = _pad_dim(x, input.ndim - 1 - k, amounts[2 * k], amounts[2 * k + 1],
                     0 if value is None else value)
    return input.clone() if x is input else x


def _pad_list(pad) -> list:
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad: pad must be a tuple or list of ints, got {type(pad).__name__}")
    return list(pad)


def _pad_dim(x: Tensor, dim: int, before: int, after: int, value) -> Tensor:
    """``x`` with ``before`` and ``after`` elements of ``value`` added along ``dim`` (or
    removed, where negative)."""
    n = x.shape[dim]
    cut_before, cut_after = max(-before, 0), max(-after, 0)
    if cut_before + cut_after > n:
        raise RuntimeError(f"pad: the negative amounts ({before}, {after}) remove more than "
                           f"the {n} elements of dim {dim} (input shape {x.shape})")
    if cut_before or cut_after:
        x = x[(slice(None),) * dim + (slice(cut_before, n - cut_after),)]
    parts = []
    for amount in (before, after):
        if amount > 0:
            shape = x.shape[:dim] + (amount,) + x.shape[dim + 1:]
            parts.append(Tensor._wrap(np.full(shape, value, dtype=x.dtype), False, None))
    if not parts:
        return x
    return cat(([parts.pop(0)] if before > 0 else []) + [x] + parts, dim)
