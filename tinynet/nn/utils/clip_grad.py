"""Gradient clipping (``tinynet.nn.utils.clip_grad``, as ``torch.nn.utils.clip_grad``).

``clip_grad_norm_`` is the other two in turn: ``get_total_norm`` of the gradients, then
``clip_grads_with_norm_`` with that norm; code that needs the norm in between (to log it,
or to sum it across workers) calls them itself, as with PyTorch. Nothing here is
recorded: the gradients change in place, outside any graph.
"""
import math
import warnings

import numpy as np

from tinynet.checks import check_not_nan, check_real
from tinynet.factories import tensor
from tinynet.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _grads(parameters) -> list:
    """The ``.grad`` arrays of ``parameters`` (a tensor or an iterable) that have one."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad.array for p in params if p.grad is not None]


def _norm_order(norm_type, where: str) -> float:
    """q of the q-norm: a number > 0, or inf (also as 'inf')."""
    if norm_type in ("inf", math.inf):
        return math.inf
    return check_real(where, "norm_type", norm_type, 0.0, low_open=True)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The norm of ``tensors`` joined into one vector: ‖t‖ = (Σₖ ‖tₖ‖^q)^(1/q) for
    ``norm_type`` q, or maxₖ max|tₖ| for q = inf; 0 for no tensors.

    Args:
        tensors: a tensor or an iterable of tensors (usually the gradients).
        norm_type: q > 0, or ``inf`` / 'inf' (default 2.0).
        error_if_nonfinite: raise ``RuntimeError`` when the norm is NaN or inf.
        foreach: accepted for PyTorch code, ignored.

    Returns:
        The norm, a 0-d tensor of the tensors' (promoted) dtype, outside any graph.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.utils.get_total_norm([tn.tensor([3.0, 0.0]), tn.tensor([4.0])]).item()
        5.0
    """
    arrays = [t.array for t in ([tensors] if isinstance(tensors, Tensor) else tensors)]
    for i, a in enumerate(arrays):
        if a.dtype.kind != "f":  # (a norm has no integer value, as linalg.vector_norm says)
            raise RuntimeError(f"get_total_norm: tensors must be floating-point, got "
                               f"{a.dtype} at position {i}")
    return _total_norm(arrays, norm_type, error_if_nonfinite, "get_total_norm")


def _total_norm(arrays: list, norm_type, error_if_nonfinite: bool, where: str) -> Tensor:
    q = _norm_order(norm_type, where)
    if not arrays:
        return tensor(0.0)
    # numpy's max, not Python's: a NaN in any array gives NaN (Python's max skips a NaN
    # that comes after a number)
    largest = float(np.max([np.abs(a).max(initial=0.0) for a in arrays]))
    if q == math.inf:
        total = largest
    else:
        total = _q_norm(arrays, q)
        if not 0 < total < math.inf and 0 < largest < math.inf:
            # |a|^q underflowed to 0 or overflowed to inf: the same sum, scaled by the
            # largest |a| (PyTorch returns that 0 or inf, and an inf norm zeroes the
            # gradients it clips)
            total = largest * _q_norm([np.abs(a) / largest for a in arrays], q)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"{where}: the total norm of order {norm_type} of the "
                           f"gradients is {total}, which cannot be clipped; set "
                           f"error_if_nonfinite=False to scale by it anyway")
    return tensor(np.asarray(total, dtype=np.result_type(*arrays)))


def _q_norm(arrays: list, q: float) -> float:
    """(Σₖ Σ |aₖ|^q)^(1/q), each array's sum in its own dtype, float16's in float32 (as
    PyTorch's); 0 or inf when the powers under- or overflow it: the caller scales them."""
    with np.errstate(over="ignore", under="ignore"):
        return sum(float(np.sum(np.abs(a if a.dtype != np.float16 else a.astype(np.float32))
                                ** q)) for a in arrays) ** (1.0 / q)


def _max_norm(where: str, value) -> float:
    """``max_norm``: a number >= 0; inf too, which clips nothing (as in PyTorch: the
    usual way to read the total norm, for a log)."""
    if isinstance(value, Tensor) and value.numel() == 1:  # (a 0-d tensor, as PyTorch takes)
        value = value.item()
    number = check_not_nan(where, "max_norm", value)
    if number < 0:
        raise ValueError(f"{where}: max_norm must be a number >= 0 (inf: no clipping), got "
                         f"{value!r}")
    return number


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach=None) -> None:
    """Scale the gradients in place by max_norm / (``total_norm`` + 1e-6) when that is
    below 1 (a NaN norm makes them NaN, as in PyTorch); ``total_norm``: a number or a
    0-d tensor, as ``get_total_norm`` returns.

    Example:
        >>> import tinynet as tn
        >>> w = tn.ones(2, requires_grad=True)
        >>> w.grad = tn.tensor([3.0, 4.0])
        >>> tn.nn.utils.clip_grads_with_norm_([w], 2.5, tn.tensor(5.0))
        >>> [round(g, 5) for g in w.grad.tolist()]   # halved (5 + 1e-6: nearly)
        [1.5, 2.0]
    """
    max_norm = _max_norm("clip_grads_with_norm_", max_norm)
    if isinstance(total_norm, Tensor):
        if total_norm.numel() != 1:
            raise ValueError(f"clip_grads_with_norm_: total_norm must be a number or a "
                             f"one-element tensor, got shape {tuple(total_norm.shape)}")
        total_norm = total_norm.item()
    scale = max_norm / (float(total_norm) + 1e-6)
    if not scale >= 1.0:  # NaN too, as PyTorch: the gradients become NaN
        for g in _grads(parameters):
            g *= g.dtype.type(scale)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm is that of all gradients joined into one vector,
    ‖g‖ = (Σₚ ‖gₚ‖^q)^(1/q) for ``norm_type`` q (or maxₚ max|gₚ| for q = inf). When it
    exceeds ``max_norm`` every gradient is multiplied by max_norm / (‖g‖ + 1e-6).

    Args:
        parameters: a tensor or an iterable of tensors (those without ``.grad`` are
            skipped).
        max_norm: the largest total norm allowed.
        norm_type: q > 0, or ``inf`` / 'inf' (default 2.0).
        error_if_nonfinite: raise ``RuntimeError`` when the total norm is NaN or inf
            (default False: the gradients are then scaled by a NaN factor, as in PyTorch).
        foreach: accepted for PyTorch code, ignored.

    Returns:
        The total norm before clipping, as a 0-d tensor.

    Example:
        >>> import tinynet as tn
        >>> w = tn.ones(3, requires_grad=True)
        >>> w.grad = tn.tensor([3.0, 4.0, 0.0])
        >>> tn.nn.utils.clip_grad_norm_([w], max_norm=1.0).item()
        5.0
        >>> [round(g, 5) for g in w.grad.tolist()]   # scaled by 1 / (5 + 1e-6)
        [0.6, 0.8, 0.0]
    """
    max_norm = _max_norm("clip_grad_norm_", max_norm)
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = _total_norm(_grads(params), norm_type, error_if_nonfinite, "clip_grad_norm_")
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """``clip_grad_norm_`` under its old name, deprecated in PyTorch: warns as it does."""
    warnings.warn("clip_grad_norm is deprecated in favour of clip_grad_norm_ (the same "
                  "function; the trailing _ says it works in place)", FutureWarning,
                  stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place.

    Example:
        >>> import tinynet as tn
        >>> w = tn.ones(3, requires_grad=True)
        >>> w.grad = tn.tensor([3.0, -0.5, -4.0])
        >>> tn.nn.utils.clip_grad_value_([w], 1.0); w.grad
        tensor([ 1.0000, -0.5000, -1.0000])
    """
    clip_value = check_real("clip_grad_value_", "clip_value", clip_value, 0.0)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
