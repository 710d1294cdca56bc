"""What the margin, embedding and likelihood losses share: their argument checks (each
written once, for the functional form and for the module's constructor), the wrapping
of a target, and the reduction of a loss tensor composed of tensor ops.

Every message has the shape of ``tinynet.checks``: "{where}: {what} must be {rule}, got
{value}", with the index of a bad target value.
"""
import math
import numbers

import numpy as np

from tinynet.autograd.observers import values_read
from tinynet.checks import check_flag, check_real  # noqa: F401  (check_flag: the losses' own)
from tinynet.nn._functional_loss import _target_array
from tinynet.tensor import Tensor, as_array
from tinynet.tensor_math import constant_tensor


# ---- configuration (a module checks these when it is built) ------------------------------
def check_margin(where: str, margin, positive: bool = False) -> float:
    """``margin`` as a float: any finite number, or one > 0 (the triplet losses)."""
    return check_real(where, "margin", margin, 0.0 if positive else -math.inf,
                      low_open=positive)


def check_eps(where: str, eps) -> float:
    return check_real(where, "eps", eps, 0.0)




def check_norm_order(where: str, p) -> float:
    """The order of a vector norm: any real number but nan (inf is the max norm)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{where}: p must be a real number (the norm's order), got {p!r}")
    if math.isnan(p):
        raise ValueError(f"{where}: p must be a real number (the norm's order), got {p!r}")
    return p


def check_margin_power(where: str, p) -> int:
    """MultiMarginLoss's power of the margin: 1 or 2, the two PyTorch implements."""
    if isinstance(p, bool) or p not in (1, 2):
        raise ValueError(f"{where}: p must be 1 or 2 (the power of each margin violation), "
                         f"got {p!r}")
    return int(p)


def check_distance_function(where: str, distance_function) -> None:
    if distance_function is not None and not callable(distance_function):
        raise TypeError(f"{where}: distance_function must be a function of two tensors, or "
                        f"None (pairwise_distance), got {distance_function!r}")


# ---- inputs ------------------------------------------------------------------------------
def number_tensor(where: str, name: str, value) -> Tensor:
    """The argument ``name`` (a Tensor, an array or a list of numbers) as a Tensor:
    itself, or its array wrapped as a constant."""
    array = as_array(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must hold numbers, got dtype {array.dtype}")
    return value if isinstance(value, Tensor) else constant_tensor(array, from_values=False)


def check_signs(where: str, target) -> None:
    """Every target value is 1 or -1, the two labels of these losses (the formulas give
    0/1 labels a meaning of their own: a silent wrong loss). The message names the first
    other value and its index."""
    values = _target_array(where, target)
    if values.dtype.kind == "b":
        raise TypeError(f"{where}: target must hold 1 or -1, got dtype bool")
    values_read()  # checked in Python, each call: tn.capture cannot replay the check
    bad = (values != 1) & (values != -1)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: target must hold 1 or -1 (map 0/1 labels with "
                         f"2 * y - 1), got {values[index].item()!r} at index {index}")


def check_same_ndim(where: str, **tensors) -> None:
    """The tensors (named as the arguments) have one number of dimensions, as PyTorch
    requires of these losses before it broadcasts them."""
    if len({t.ndim for t in tensors.values()}) > 1:
        raise ValueError(f"{where}: {_names(tensors)} must have the same number of dimensions, "
                         f"got shapes {_shapes(tensors)}")


def broadcast_shape(where: str, **tensors) -> tuple:
    """The shape the tensors (named as the arguments) broadcast to, or a ValueError."""
    try:
        return np.broadcast_shapes(*(tuple(t.shape) for t in tensors.values()))
    except ValueError:
        raise ValueError(f"{where}: {_names(tensors)} must broadcast together, got shapes "
                         f"{_shapes(tensors)}") from None


def _names(tensors: dict) -> str:
    names = list(tensors)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _shapes(tensors: dict) -> str:
    shapes = [str(tuple(t.shape)) for t in tensors.values()]
    return ", ".join(shapes[:-1]) + " and " + shapes[-1]


# ---- the reduction -----------------------------------------------------------------------
def reduce(losses: Tensor, reduction: str) -> Tensor:
    """The loss tensor itself ('none'), its sum, or its mean: over every element, as
    PyTorch's composed losses take it (the per-sample losses over classes divide by C
    first, in their own functions)."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    if losses.numel() == 0:  # the mean of nothing: nan, as PyTorch, without numpy's warning
        return losses.sum() * math.nan
    return losses.mean()
