"""The functional forms of tinynet's layers and losses (``tinynet.nn.functional``).

Each function checks its arguments once, at this boundary, and then calls one fused
op from ``tinynet.ops``: the ops themselves assume valid input.
"""
import numpy as np

from tinynet import ops
from tinynet.checks import check_int, check_real
from tinynet.random import as_generator
from tinynet.tensor import Tensor
from tinynet.tensor import as_array as _array

_REDUCTIONS = ("none", "mean", "sum")


def linear(x: Tensor, weight: Tensor, bias: Tensor = None) -> Tensor:
    """y = x Wᵀ + b.  Shapes: x (*, D_in), weight (D_out, D_in), bias (D_out,) -> (*, D_out)."""
    return ops.Linear.apply(x, weight, bias)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise. ``inplace`` is accepted for PyTorch code and ignored."""
    return ops.ReLU.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope·x."""
    return ops.LeakyReLU.apply(x, negative_slope)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1)."""
    return ops.ELU.apply(x, alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) (``approximate='none'``) or its tanh approximation (``'tanh'``)."""
    if approximate == "none":
        return ops.GELU.apply(x)
    if approximate == "tanh":
        return ops.GELUTanh.apply(x)
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) (also called swish)."""
    return ops.SiLU.apply(x)


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x))."""
    return ops.Mish.apply(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·log(1 + e^(βx)), and x where βx > threshold."""
    beta = check_real("softplus", "beta", beta, 0.0, low_open=True)
    threshold = check_real("softplus", "threshold", threshold)
    return ops.Softplus.apply(x, beta, threshold)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """λx for x > 0, else λα(eˣ - 1) (λ ≈ 1.0507, α ≈ 1.6733)."""
    return ops.SELU.apply(x)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else a·x, with ``weight`` a of one element, or one per channel
    (dimension 1 of ``x``)."""
    n = weight.numel()
    if n == 1:
        a = weight.reshape(())
    elif x.ndim >= 2 and x.shape[1] == n and weight.ndim == 1:
        a = weight.reshape((n,) + (1,) * (x.ndim - 2))  # (C, 1, ...): along dimension 1
    else:
        raise RuntimeError(f"prelu: weight must have 1 element or one per channel "
                           f"(dimension 1 of the input), got weight of shape "
                           f"{tuple(weight.shape)} for input of shape {tuple(x.shape)}")
    return ops.PReLU.apply(x, a)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]."""
    _check_hardtanh_range("hardtanh", min_val, max_val)
    return ops.Hardtanh.apply(x, min_val, max_val)


def _check_hardtanh_range(where: str, min_val, max_val) -> None:
    check_real(where, "min_val", min_val)
    check_real(where, "max_val", max_val, min_val, low_open=True)


def sigmoid(x: Tensor) -> Tensor:
    return ops.Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    return ops.Tanh.apply(x)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return ops.Softmax.apply(x, dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return ops.LogSoftmax.apply(x, dim)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator=None) -> Tensor:
    """In training, zero each element with probability ``p`` and scale the others by
    1/(1 - p), so the expected value is unchanged; otherwise return ``x`` itself.

    Args:
        x: a floating-point tensor.
        p: the probability of zeroing an element (default 0.5).
        training: apply dropout (default True; ``nn.Dropout`` passes its mode).
        inplace: accepted for PyTorch code and ignored.
        generator: where the mask is drawn from (default: the global generator, see
            ``tn.manual_seed``; not in PyTorch).
    """
    p = _dropout_probability("dropout", p)
    if not training or p == 0.0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: x must be a floating-point tensor, got dtype {x.dtype}")
    keep = as_generator(generator, "dropout").random(x.shape) >= p  # P(keep) = 1 - p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    return ops.Dropout.apply(x, keep.astype(x.dtype) * x.dtype.type(scale))


def _dropout_probability(where: str, p) -> float:
    """``p`` as a float in [0, 1], with PyTorch's wording in the message."""
    return check_real(where, "p (the dropout probability)", p, 0.0, 1.0)


def embedding(input, weight: Tensor, padding_idx: int = None) -> Tensor:  # noqa: A002
    """The rows of ``weight`` (V, D) at the integer indices ``input`` (any shape (*)): a
    tensor of shape (*, D). Repeated indices add up in ``weight``'s gradient; the row
    ``padding_idx`` gets none."""
    indices = _array(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype "
                        f"{indices.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), "
                         f"got {tuple(weight.shape)}")
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise IndexError(f"embedding: indices must be in [0, {n}) (rows of weight), got {bad}")
    if padding_idx is not None:
        padding_idx = _padding_index("embedding", padding_idx, n)
    # a copy: the op keeps it for backward, and the caller may refill its array meanwhile
    return ops.Embedding.apply(weight, indices.astype(np.intp), padding_idx)


def _padding_index(where: str, padding_idx, n: int) -> int:
    """``padding_idx`` in [-n, n), as a row in [0, n) (negative counts from the end)."""
    return check_int(where, "padding_idx", padding_idx, -n, n - 1) % n


def layer_norm(x: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift."""
    normalized_shape = _as_shape(normalized_shape)
    if tuple(x.shape[x.ndim - len(normalized_shape):]) != normalized_shape:
        raise ValueError(f"layer_norm: expected input with trailing shape {normalized_shape}, "
                         f"got input of shape {tuple(x.shape)}")
    return ops.LayerNorm.apply(x, weight, bias, len(normalized_shape), eps)


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,  # noqa: A002
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dimension 1) of (N, C) or (N, C, L) input, then scale by
    ``weight`` and shift by ``bias`` (each (C,) or None).

    ``training``: with the batch's mean and biased variance, and (when given) update the
    running averages in place: r ← (1 - momentum)·r + momentum·s, with the unbiased
    variance for ``running_var``, as PyTorch. Otherwise with ``running_mean`` and
    ``running_var``, which must then be given.
    """
    _check_input("batch_norm", input)
    if input.ndim not in (2, 3):
        raise ValueError(f"batch_norm: input must have shape (N, C) or (N, C, L), got shape "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) (one per channel of "
                             f"input {tuple(input.shape)}), got {tuple(t.shape)}")
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given when "
                             "training=False, got None")
        return ops.BatchNorm.apply(input, weight, bias, running_mean.array, running_var.array,
                                   eps, False)
    x = input.array
    axes = (0,) if x.ndim == 2 else (0, 2)
    m = x.size // c if c else 0  # values per channel
    if m <= 1:
        raise ValueError(f"batch_norm: training needs more than 1 value per channel, got "
                         f"input of shape {tuple(input.shape)}")
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    for running, batch in ((running_mean, mean), (running_var, var * (m / (m - 1)))):
        if running is not None:
            running.array *= 1 - momentum
            running.array += momentum * batch
            running.bump_version()
    return ops.BatchNorm.apply(input, weight, bias, mean, var, eps, True)


def _as_shape(shape) -> tuple:
    return (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _class_targets(name, x, target, ignore_index) -> tuple:
    """Validate class-index targets for (N, C) input. Returns the (N,) int64 array and
    ``ignore_index`` if some target equals it, else None (no row is ignored: the ops
    then skip their masking)."""
    t = _array(target)
    if t.dtype.kind not in "iu":
        # name a value that is not a whole number, if there is one
        frac = np.flatnonzero(t != np.trunc(t)) if t.dtype.kind == "f" else []
        where = f" (target {t.flat[frac[0]]} at position {frac[0]})" if len(frac) else ""
        raise TypeError(f"{name}: targets must be integer class indices, got dtype {t.dtype}"
                        f"{where}; for class probabilities pass a float target of the "
                        f"input's shape")
    n, c = x.shape
    if t.shape != (n,):
        raise ValueError(f"{name}: expected target of shape ({n},) for input of shape "
                         f"{tuple(x.shape)}, got {t.shape}")
    # a copy: the ops keep it for backward, and the caller may refill its array meanwhile
    t = t.astype(np.int64)
    if n == 0:
        return t, None
    if 0 <= t.min() and t.max() < c:  # the usual case: two reductions
        inside = 0 <= ignore_index < c  # an ignored class, then, not a sentinel like -100
        return t, ignore_index if inside and (t == ignore_index).any() else None
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IndexError(f"{name}: target {t[i]} at position {i} is out of range for {c} "
                         f"classes (valid: 0..{c - 1}, or ignore_index={ignore_index})")
    return t, ignore_index  # every target outside [0, C) is ignore_index


def _check_input(name, x) -> None:
    """Losses take a Tensor input (as PyTorch: an array has no graph to differentiate)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__} "
                        f"(wrap an array with tinynet.tensor(...))")


def _target_array(name, target) -> np.ndarray:
    """The array behind ``target``, which must hold numbers (labels as strings must be
    encoded first)."""
    t = _array(target)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: target must hold numbers, got dtype {t.dtype}")
    return t


def _batched(name, x):
    """(C,) -> (1, C); (N, C) unchanged; anything else is refused."""
    _check_input(name, x)
    if x.ndim == 1:
        return x.reshape(1, -1), True
    if x.ndim != 2:
        raise ValueError(f"{name}: expected input of shape (N, C) or (C,), got "
                         f"{tuple(x.shape)} (tinynet has no spatial dimensions)")
    if x.shape[1] == 0:
        raise ValueError(f"{name}: input must have at least one class (C >= 1), got shape "
                         f"{tuple(x.shape)}")
    return x, False


def _constant(name, argument, value):
    """A weight the loss is not differentiable in (as in PyTorch) must not require grad:
    its gradient would silently stay None."""
    if isinstance(value, Tensor) and value.requires_grad:
        raise RuntimeError(f"{name}: {argument} requires grad, but the loss is not "
                           f"differentiable with respect to {argument} (as in PyTorch); "
                           f"pass {argument}.detach()")


def _weight_array(name, weight, c, dtype):
    if weight is None:
        return None
    _constant(name, "weight", weight)
    w = _array(weight, dtype)
    if w.shape != (c,):
        raise ValueError(f"{name}: weight must have shape ({c},) (one per class), got {w.shape}")
    return w


def _as_dtype(value, dtype):
    """``value`` as a Tensor of ``dtype`` (differentiably) or as an array."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else value.to(dtype)
    return _array(value, dtype)


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` (N, C) and class indices (N,) or class
    probabilities (N, C): log-softmax and NLL in one stable, fused node.

    With probability targets the loss is differentiable in the target and in ``weight``
    too (as in PyTorch); with class indices ``weight`` is a constant.

    Example:
        >>> import tinynet as tn
        >>> logits = tn.tensor([[2.0, 0.0, 0.0]])
        >>> round(tn.nn.functional.cross_entropy(logits, tn.tensor([0])).item(), 4)
        0.2395
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], "
                         f"got {label_smoothing!r}")
    x, unbatched = _batched("cross_entropy", input)
    n, c = x.shape
    t_raw = _target_array("cross_entropy", target)
    if t_raw.dtype.kind == "f" and t_raw.ndim == input.ndim:  # class probabilities
        if tuple(t_raw.shape) != tuple(input.shape):
            raise ValueError(f"cross_entropy: probability targets must have the input's "
                             f"shape {tuple(input.shape)}, got {t_raw.shape}")
        t = _as_dtype(target, x.dtype)
        t = t.reshape(1, -1) if unbatched else t
        w = None
        if weight is not None:
            w = _as_dtype(weight, x.dtype)
            if tuple(w.shape) != (c,):
                raise ValueError(f"cross_entropy: weight must have shape ({c},) (one per "
                                 f"class), got {tuple(w.shape)}")
    else:
        t, ignore_index = _class_targets("cross_entropy", x,
                                         t_raw.reshape(1) if unbatched else t_raw, ignore_index)
        w = _weight_array("cross_entropy", weight, c, x.dtype)
    if t.dtype.kind != "f" and w is None and ignore_index is None and not label_smoothing \
            and n:
        loss = ops.CrossEntropy.apply(x, t, reduction)  # the common case: p - onehot(t)
    else:
        loss = ops.CrossEntropyGeneral.apply(x, t, w, ignore_index, reduction,
                                             label_smoothing)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def nll_loss(input: Tensor, target, weight=None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices (N,) under log-probabilities (N, C)."""
    _check_reduction(reduction)
    x, unbatched = _batched("nll_loss", input)
    t_raw = _target_array("nll_loss", target)
    t, ignore_index = _class_targets("nll_loss", x, t_raw.reshape(1) if unbatched else t_raw,
                                     ignore_index)
    w = _weight_array("nll_loss", weight, x.shape[1], x.dtype)
    loss = ops.NLLLoss.apply(x, t, w, ignore_index, reduction)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None,  # noqa: A002
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Binary cross-entropy on logits, stable for any logit; targets in [0, 1], same shape.
    ``weight`` and ``pos_weight`` broadcast against the input; 'mean' averages over the
    broadcast shape."""
    name = "binary_cross_entropy_with_logits"
    _check_reduction(reduction)
    _check_input(name, input)
    _target_array(name, target)
    y = _as_dtype(target, input.dtype)
    if tuple(y.shape) != tuple(input.shape):
        raise ValueError(f"{name}: target shape {tuple(y.shape)} differs from input shape "
                         f"{tuple(input.shape)}")
    values = _array(y)
    if values.size and not (values.min() >= 0 and values.max() <= 1):  # NaN fails too
        bad = values[~((values >= 0) & (values <= 1))].flat[0]
        raise ValueError(f"{name}: targets must be probabilities in [0, 1], got {bad!r}")
    _constant(name, "weight", weight)
    _constant(name, "pos_weight", pos_weight)
    w = None if weight is None else _array(weight, input.dtype)
    pw = None if pos_weight is None else _array(pos_weight, input.dtype)
    return ops.BCEWithLogits.apply(input, y, w, pw, reduction)


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: mean of (input - target)²."""
    _check_reduction(reduction)
    _check_input("mse_loss", input)
    target_shape = tuple(_target_array("mse_loss", target).shape)
    if target_shape != tuple(input.shape):
        raise ValueError(f"mse_loss: target shape {target_shape} differs from input shape "
                         f"{tuple(input.shape)}")
    diff = input - target
    squared = diff * diff
    if reduction == "none":
        return squared
    return squared.sum() if reduction == "sum" else squared.mean()


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: ½d²/β where |d| < β, else |d| - ½β, d = input - target (an L1 loss
    that is quadratic near 0; β = 0 gives the L1 loss)."""
    beta = check_real("smooth_l1_loss", "beta", beta, 0.0)
    return _smooth_l1("smooth_l1_loss", input, target, reduction, beta, 1.0)


def huber_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """Huber loss: ½d² where |d| < δ, else δ(|d| - ½δ), d = input - target."""
    delta = check_real("huber_loss", "delta", delta, 0.0, low_open=True)
    return _smooth_l1("huber_loss", input, target, reduction, delta, delta)


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error |input - target| (gradient sign(d), 0 at d = 0)."""
    return _smooth_l1("l1_loss", input, target, reduction, 0.0, 1.0)


def _smooth_l1(name, input, target, reduction, beta, scale) -> Tensor:  # noqa: A002
    _check_reduction(reduction)
    _check_input(name, input)
    target_shape = tuple(_target_array(name, target).shape)
    if target_shape != tuple(input.shape):
        raise ValueError(f"{name}: target shape {target_shape} differs from input shape "
                         f"{tuple(input.shape)}")
    return ops.SmoothL1.apply(input, _as_dtype(target, input.dtype), beta, scale, reduction)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape, int64) as one-hot rows: shape (*, num_classes), int64.
    ``num_classes=-1``: one more than the largest index.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.one_hot(tn.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    labels = _array(tensor)
    if labels.dtype != np.int64:
        raise RuntimeError(f"one_hot: the input must be an int64 tensor of class indices, got "
                           f"dtype {labels.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise RuntimeError(f"one_hot: class indices must be in [0, {num_classes}), got {bad}")
    out = np.zeros(labels.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return Tensor._wrap(out, False, None)
