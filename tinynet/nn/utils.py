"""Gradient clipping and parameters as one vector (``tinynet.nn.utils``), PyTorch's
functions and semantics."""
import math

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.checks import check_real
from tinynet.combining import cat
from tinynet.factories import tensor
from tinynet.tensor import Tensor

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters",
]


def _grads(parameters) -> list:
    """The ``.grad`` arrays of ``parameters`` (a tensor or an iterable) that have one."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad.array for p in params if p.grad is not None]


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
    max_norm = check_real("clip_grad_norm_", "max_norm", max_norm, 0.0)
    q = math.inf if norm_type in ("inf", math.inf) else check_real(
        "clip_grad_norm_", "norm_type", norm_type, 0.0, low_open=True)
    grads = _grads(parameters)
    if not grads:
        return Tensor(0.0)
    dtype = grads[0].dtype
    if q == math.inf:
        norms = [np.abs(g).max(initial=0.0) for g in grads]
        total = max(float(n) for n in norms)
    else:
        total = sum(float(np.sum(np.abs(g) ** q)) for g in grads) ** (1.0 / q)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total}, which cannot be clipped; set "
                           f"error_if_nonfinite=False to scale by it anyway")
    scale = max_norm / (total + 1e-6)
    if not scale >= 1.0:  # NaN too, as PyTorch: the gradients become NaN
        for g in grads:
            g *= g.dtype.type(scale)
    return tensor(np.asarray(total, dtype=dtype))


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


def _tensor_list(parameters, where: str) -> list:
    """``parameters`` (a tensor, or an iterable of tensors) as a list of tensors."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got {type(p).__name__} at "
                            f"position {i}")
    return params


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and joined into one vector, in order:
    ``cat([p.view(-1) for p in parameters])``. Differentiable: the vector's gradient
    flows back to each parameter.

    Example:
        >>> import tinynet as tn
        >>> lin = tn.nn.Linear(3, 2)
        >>> tn.nn.utils.parameters_to_vector(lin.parameters()).shape   # 2·3 weights, 2 biases
        (8,)
    """
    params = _tensor_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: parameters must hold at least one tensor, got "
                         "none")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Give each parameter, in order, the next ``p.numel()`` values of the 1-D ``vec``,
    as PyTorch: ``p.data = vec[i:i + n].view_as(p).data`` (so a parameter takes vec's
    dtype and shares its memory; nothing is recorded). Extra values at the end of
    ``vec`` are left unused, as in PyTorch.

    Example:
        >>> import tinynet as tn
        >>> lin = tn.nn.Linear(2, 1)
        >>> tn.nn.utils.vector_to_parameters(tn.tensor([1.0, 2.0, 3.0]), lin.parameters())
        >>> lin.weight, lin.bias
        (Parameter containing:
        tensor([[1., 2.]], requires_grad=True), Parameter containing:
        tensor([3.], requires_grad=True))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: vec must be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {tuple(vec.shape)}")
    params = _tensor_list(parameters, "vector_to_parameters")
    needed = sum(p.numel() for p in params)
    if vec.numel() < needed:
        raise ValueError(f"vector_to_parameters: vec must have at least {needed} elements (as "
                         f"many as the parameters), got {vec.numel()}")
    start = 0
    with no_grad():
        for p in params:
            p.data = vec[start:start + p.numel()].view_as(p).data
            start += p.numel()
