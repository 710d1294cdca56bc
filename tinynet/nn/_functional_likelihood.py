"""The negative log-likelihoods of ``tinynet.nn.functional`` (import them from there):
``gaussian_nll_loss`` and ``poisson_nll_loss``, each composed of tensor ops (``log``,
``exp``, ``where``...), so its gradient is that of the ops it uses."""
# ruff: noqa: A002  (PyTorch's argument name: input)
import math
import numbers

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.autograd.observers import values_read
from tinynet.checks import check_real
from tinynet.combining import where
from tinynet.factories import full_like
from tinynet.nn._functional_loss import _as_dtype, _check_elementwise, _promoted
from tinynet.nn._loss_checks import check_eps, check_flag, number_tensor, reduce
from tinynet.tensor import Tensor

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def gaussian_nll_loss(input: Tensor, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of ``target`` under N(input, var), elementwise:

        ℓ = ½·(log max(var, eps) + (input - target)² / max(var, eps))   (+ ½·log 2π if full)

    ``var`` (>= 0) has the input's shape (one variance per element), or that shape
    without its last dim, or the input's shape with one dim of size 1 (one variance
    shared along it), or is a number. As in PyTorch the clamp to ``eps`` is made under
    no_grad on a copy of ``var``: it changes the value, not the gradient, which flows to
    ``var`` as if it were not clamped: ½·(1/eps - (input - target)²/eps²) where var < eps.

    Example:
        >>> import tinynet as tn
        >>> F = tn.nn.functional
        >>> F.gaussian_nll_loss(tn.tensor([1.0, 2.0]), tn.tensor([0.0, 2.0]), tn.ones(2))
        tensor(0.2500)
    """
    name = "gaussian_nll_loss"
    _check_elementwise(name, input, target, reduction)
    full, eps = check_flag(name, "full", full), check_eps(name, eps)
    x = _promoted(input._floating(), target)
    y = _as_dtype(number_tensor(name, "target", target), x.dtype)
    var = _variance(name, var, x)
    var = var.clone()
    with no_grad():  # the value clamped, the gradient left as if it were not (PyTorch's)
        var.clamp_(min=eps)
    losses = 0.5 * (var.log() + (x - y) ** 2 / var)
    if full:
        losses = losses + HALF_LOG_2PI
    return reduce(losses, reduction)


def _variance(name, var, x: Tensor) -> Tensor:
    """``var`` checked (>= 0, a shape that broadcasts as the docstring says) as a Tensor
    that broadcasts against ``x``."""
    if isinstance(var, numbers.Real) and not isinstance(var, (bool, np.bool_)):
        return full_like(x, check_real(name, "var", var, 0.0))  # one variance for all
    var = number_tensor(name, "var", var)._floating()
    values = var.array
    values_read()  # checked in Python, each call: tn.capture cannot replay the check
    if (values < 0).any():
        index = tuple(int(i) for i in np.argwhere(values < 0)[0])
        raise ValueError(f"{name}: var must be >= 0 (variances), got {values[index].item()!r} "
                         f"at index {index}")
    shape, var_shape = tuple(x.shape), tuple(var.shape)
    if var_shape == shape:
        return var
    if var_shape == shape[:-1]:  # one variance per row: shared by its last dim
        return var.unsqueeze(-1)
    differ = [(a, b) for a, b in zip(shape, var_shape) if a != b]
    if len(var_shape) == len(shape) and len(differ) == 1 and differ[0][1] == 1:
        return var  # shared along the one dim of size 1
    raise ValueError(f"{name}: var must have the input's shape {shape}, that shape without "
                     f"its last dim {shape[:-1]}, or the input's shape with one dim of size "
                     f"1, got {var_shape}")


def poisson_nll_loss(input: Tensor, target, log_input: bool = True, full: bool = False,
                     eps: float = 1e-8, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of counts ``target`` under a Poisson distribution of
    rate λ, elementwise, without the constant log(target!):

        ℓ = e^x - target·x            with log_input (x = log λ, the default)
        ℓ = x - target·log(x + eps)   otherwise (x = λ)

    With ``full``, Stirling's approximation of log(target!) is added where target > 1:
    target·log(target) - target + ½·log(2π·target) (0 for targets 0 and 1, whose log(t!)
    is 0). The loss is differentiable in the target too, as PyTorch's.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.poisson_nll_loss(tn.tensor([0.0]), tn.tensor([2.0]))   # e⁰ - 0
        tensor(1.)
    """
    name = "poisson_nll_loss"
    _check_elementwise(name, input, target, reduction)
    log_input, full = check_flag(name, "log_input", log_input), check_flag(name, "full", full)
    eps = check_eps(name, eps)
    x = _promoted(input._floating(), target)
    t = _as_dtype(number_tensor(name, "target", target), x.dtype)
    losses = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        counted = t > 1
        # the log of 1 where the term is not added: no log 0 (0·log 0 is nan in a gradient)
        t_safe = where(counted, t, 1.0)
        stirling = t_safe * t_safe.log() - t_safe + 0.5 * (2 * math.pi * t_safe).log()
        losses = losses + where(counted, stirling, 0.0)
    return reduce(losses, reduction)
