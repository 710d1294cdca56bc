"""The argument checks of ``tinynet.nn``, each written once.

``tinynet.nn.functional`` runs them on every call; a module runs the checks of its
constructor arguments when it is built (so ``nn.GELU(approximate="x")`` fails there, not
at its first call), with its own class name as ``where``, then calls the functional form
in ``forward``. Every message has the shape of ``tinynet.checks``:

    "{where}: {what} must be {rule}, got {value}"

``where`` is what the user called: a function ("linear") or a module class ("GELU").
"""
import warnings

import numpy as np

from tinynet import ops
from tinynet.checks import check_choice, check_int, check_not_nan, check_real
from tinynet.tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")
_CAST_METHOD = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


# ---- inputs ------------------------------------------------------------------------------
def check_tensor(where: str, x, min_ndim: int = 0, name: str = "input") -> None:
    """``x`` (the argument ``name``) must be a Tensor (an array has no graph to
    differentiate) with at least ``min_ndim`` dimensions."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(x).__name__} "
                        f"(wrap an array with tinynet.tensor(...))")
    if x.ndim < min_ndim:
        raise ValueError(f"{where}: {name} must have at least {min_ndim} "
                         f"dimension{'' if min_ndim == 1 else 's'}, got shape {tuple(x.shape)}")


def check_dtype(where: str, x, name: str, reference) -> None:
    """``x`` must have the dtype of the parameter ``reference`` (called ``name``): no
    silent casts inside a layer. The message says how to convert either side."""
    if x.dtype == reference.dtype:
        return
    fixes = [f"x.{_CAST_METHOD[reference.dtype]}()" if reference.dtype in _CAST_METHOD
             else f"x.to(tinynet.{reference.dtype})"]
    if x.dtype in _CAST_METHOD:  # the parameters may follow the input instead
        fixes.append(f"model.{_CAST_METHOD[x.dtype]}()")
    how = "convert one: " if len(fixes) > 1 else "convert it: "
    raise TypeError(f"{where}: input must have the {name}'s dtype {reference.dtype}, got "
                    f"{x.dtype}; {how}{' or '.join(fixes)}")


def check_features(where: str, x, weight) -> None:
    """The last dimension of ``x`` must be ``weight``'s in_features (its last size)."""
    n = weight.shape[-1]
    if x.shape[-1] != n:
        raise ValueError(f"{where}: input must have {n} features in its last dimension "
                         f"(weight has shape (out_features, in_features) = "
                         f"{tuple(weight.shape)}), got {x.shape[-1]} (input of shape "
                         f"{tuple(x.shape)})")


def check_linear_input(where: str, x, weight) -> None:
    """``check_tensor`` (at least 1-d), ``check_features`` and ``check_dtype`` for an
    affine map's input; the usual case, a fitting Tensor, passes in one test (this runs
    for every layer of every step)."""
    if isinstance(x, Tensor) and isinstance(weight, Tensor):
        a, w = x.array, weight.array
        if a.ndim and a.shape[-1] == w.shape[-1] and a.dtype == w.dtype:
            return
    check_tensor(where, x, min_ndim=1)
    check_features(where, x, weight)
    check_dtype(where, x, "weight", weight)


def check_batch_shape(where: str, x) -> None:
    """``x`` must be a Tensor of shape (N, C) or (N, C, L): channels in dimension 1."""
    check_tensor(where, x)
    if x.ndim not in (2, 3):
        raise ValueError(f"{where}: input must have shape (N, C) or (N, C, L), got shape "
                         f"{tuple(x.shape)}")


def check_channels(where: str, x, c: int, source: str) -> None:
    """``x`` ((N, C) or (N, C, L)) must have ``c`` channels, as ``source`` says."""
    check_batch_shape(where, x)
    if x.shape[1] != c:
        raise ValueError(f"{where}: input must have {c} channels in dimension 1 ({source}), "
                         f"got {x.shape[1]} (input of shape {tuple(x.shape)})")


# ---- configuration (a module checks these when it is built) ------------------------------
def gelu_op(where: str, approximate: str):
    """The op of GELU's ``approximate``: ops.GELU ('none', exact) or ops.GELUTanh."""
    if approximate == "none":
        return ops.GELU
    if approximate == "tanh":
        return ops.GELUTanh
    check_choice(where, "approximate", approximate, ("none", "tanh"))  # raises


def check_softplus(where: str, beta, threshold) -> tuple:
    """``(beta, threshold)`` as floats: β > 0, any finite threshold."""
    return (check_real(where, "beta", beta, 0.0, low_open=True),
            check_real(where, "threshold", threshold))


def check_hardtanh_range(where: str, min_val, max_val, equal: bool = False) -> None:
    """min_val < max_val (``equal``: <=, as PyTorch's functional form allows)."""
    check_real(where, "min_val", min_val)
    check_real(where, "max_val", max_val, min_val, low_open=not equal)


def check_threshold(where: str, threshold, value) -> None:
    """Threshold's ``threshold`` and ``value``: real numbers, not nan (infinities are
    fine: ``value=-inf`` masks)."""
    check_not_nan(where, "threshold", threshold)
    check_not_nan(where, "value", value)


def check_celu_alpha(where: str, alpha) -> float:
    """CELU's α: a finite number, of either sign, but not 0 (x/α: PyTorch refuses 0
    too)."""
    alpha = check_real(where, "alpha", alpha)
    if alpha == 0:
        raise ValueError(f"{where}: alpha must be a finite number other than 0 (CELU divides "
                         f"by it), got {alpha!r}")
    return alpha


def check_rrelu_bounds(where: str, lower, upper) -> tuple:
    """RReLU's slope bounds ``(lower, upper)`` as floats: finite, of any sign, with
    lower <= upper (PyTorch's rule)."""
    lower, upper = check_real(where, "lower", lower), check_real(where, "upper", upper)
    if lower > upper:
        raise ValueError(f"{where}: lower must be <= upper (the slopes are drawn from "
                         f"U(lower, upper)), got lower={lower!r} and upper={upper!r}")
    return lower, upper


def check_softshrink_lambd(where: str, lambd) -> float:
    """Softshrink's λ: a finite number >= 0 (PyTorch's rule; x - λ and x + λ would swap
    roles below 0)."""
    return check_real(where, "lambd", lambd, 0.0)


def prelu_slope_shape(where: str, x_shape: tuple, weight) -> tuple:
    """The shape ``weight`` (PReLU's slopes a) takes to broadcast against input of
    ``x_shape``: () for one slope, (C, 1, ...) for one per channel (dimension 1)."""
    n = weight.numel()
    if n == 1:
        return ()
    if len(x_shape) >= 2 and x_shape[1] == n and weight.ndim == 1:
        return (n,) + (1,) * (len(x_shape) - 2)
    raise RuntimeError(f"{where}: weight must have 1 element or one per channel (dimension 1 "
                       f"of the input), got weight of shape {tuple(weight.shape)} for input "
                       f"of shape {tuple(x_shape)}")


def check_dropout_p(where: str, p) -> float:
    """``p`` as a float in [0, 1], with PyTorch's wording in the message."""
    return check_real(where, "p (the dropout probability)", p, 0.0, 1.0)


def check_padding_idx(where: str, padding_idx, n: int) -> int:
    """``padding_idx`` in [-n, n), as a row in [0, n) (negative counts from the end)."""
    return check_int(where, "padding_idx", padding_idx, -n, n - 1) % n


def check_table(where: str, name: str, weight) -> None:
    """An embedding table must be 2-D: (num_embeddings, embedding_dim)."""
    if weight.ndim != 2:
        raise ValueError(f"{where}: {name} must have 2 dimensions (num_embeddings, "
                         f"embedding_dim), got shape {tuple(weight.shape)}")


def check_normalized_shape(where: str, normalized_shape) -> tuple:
    """``normalized_shape`` (an int or a sequence) as a tuple of sizes >= 1 (a mean over
    0 values is 0/0)."""
    if type(normalized_shape) is tuple and len(normalized_shape) == 1 \
            and type(normalized_shape[0]) is int and normalized_shape[0] >= 1:
        return normalized_shape  # a module's own, on every call
    shape = ((normalized_shape,) if isinstance(normalized_shape, (int, np.integer))
             else tuple(normalized_shape))
    for size in shape:
        check_int(where, "normalized_shape", size, 1)
    return shape


def check_batch_norm(where: str, eps, momentum) -> tuple:
    """``(eps, momentum)`` as floats: eps >= 0, momentum in [0, 1] (or None, a module's
    cumulative average)."""
    eps = check_real(where, "eps", eps, 0.0)
    return eps, None if momentum is None else check_real(where, "momentum", momentum, 0.0, 1.0)


def check_reduction(where: str, reduction: str) -> str:
    return check_choice(where, "reduction", reduction, REDUCTIONS)


def legacy_reduction(reduction: str, size_average=None, reduce=None) -> str:
    """``reduction``, or what PyTorch's deprecated ``size_average=`` and ``reduce=`` (old
    code's ``MSELoss(size_average=False)``) make of it when either is given, with
    PyTorch's warning: both unset or true 'mean', reduce alone 'sum', else 'none'."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated (as in PyTorch), "
                  f"please use reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    return reduction


def check_label_smoothing(where: str, label_smoothing) -> float:
    if type(label_smoothing) is float and 0.0 <= label_smoothing <= 1.0:
        return label_smoothing  # the usual case (every loss call), without the general path
    return check_real(where, "label_smoothing", label_smoothing, 0.0, 1.0)


def check_smooth_l1_beta(where: str, beta) -> float:
    return check_real(where, "beta", beta, 0.0)


def check_huber_delta(where: str, delta) -> float:
    return check_real(where, "delta", delta, 0.0, low_open=True)


def implicit_dim(where: str, ndim: int, stacklevel: int) -> int:
    """The dimension PyTorch's softmaxes take without ``dim``, with its deprecation
    warning (at the caller's line, ``stacklevel`` frames up): 0 for 0-, 1- and 3-D
    input, else 1 (a legacy choice: 3-D input is normalised along its first dim)."""
    warnings.warn(f"{where}: implicit dimension choice for {where} has been deprecated (as in "
                  f"PyTorch, whose choice this is: dim 0 for 0-, 1- and 3-D input, else 1); "
                  f"change the call to include dim=X as an argument", UserWarning,
                  stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1
