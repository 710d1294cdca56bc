"""The functional forms of tinynet's layers and losses (``tinynet.nn.functional``).

Each function checks its arguments once, at this boundary (with the checks of
``tinynet/nn/_checks.py``), and then calls one fused op from ``tinynet.ops``: the ops
themselves assume valid input. The modules of ``tinynet.nn`` hold
configuration and parameters and call these functions; the losses live in
``_functional_loss.py`` (fused ops) and, composed of tensor methods, in
``_functional_embedding.py`` (ranking and embedding losses), ``_functional_margin.py``
(classifiers' margin losses) and ``_functional_likelihood.py`` (Gaussian and Poisson
NLL); the distances and padding, composed too, in ``_functional_more.py``; the rarer
activations (``celu``, ``rrelu``, ``glu``, ``softmin``, the shrinks) in
``_functional_activation.py``; all are imported here.
"""
import math

import numpy as np

from tinynet import ops
from tinynet.autograd.observers import values_read
from tinynet.checks import check_fits, check_floating, check_int, check_not_bool, check_real
from tinynet.combining import einsum
from tinynet.nn._checks import (check_batch_norm, check_batch_shape,
                                check_channels, check_dropout_p, check_dtype,
                                check_hardtanh_range, check_linear_input,
                                check_normalized_shape, check_padding_idx, check_softplus,
                                check_table, check_threshold, gelu_op, implicit_dim,
                                prelu_slope_shape)
from tinynet.nn._functional_activation import (celu, glu, gumbel_softmax, hardshrink, rrelu,
                                               softmin, softshrink, tanhshrink)
from tinynet.nn._functional_loss import (binary_cross_entropy,
                                         binary_cross_entropy_with_logits, cross_entropy,
                                         huber_loss, kl_div, l1_loss, mse_loss,
                                         nll_loss, smooth_l1_loss)
from tinynet.nn._functional_dropout import (dropout1d, dropout2d, dropout3d,
                                            feature_alpha_dropout)
from tinynet.nn._functional_embedding import (cosine_embedding_loss, hinge_embedding_loss,
                                              margin_ranking_loss, triplet_margin_loss,
                                              triplet_margin_with_distance_loss)
from tinynet.nn._functional_likelihood import gaussian_nll_loss, poisson_nll_loss
from tinynet.nn._functional_margin import (multi_margin_loss, multilabel_margin_loss,
                                           multilabel_soft_margin_loss, soft_margin_loss)
from tinynet.nn._in_place import written_into
from tinynet.nn._functional_more import cosine_similarity, normalize, pad, pairwise_distance
from tinynet.random import as_generator
from tinynet.tensor import Tensor
from tinynet.tensor import as_array as _array
from tinynet.tensor_math import constant_tensor

__all__ = [
    "alpha_dropout", "batch_norm", "bilinear", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "celu", "celu_", "cosine_embedding_loss",
    "cosine_similarity", "cross_entropy", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "elu", "elu_", "embedding", "feature_alpha_dropout",
    "gaussian_nll_loss", "gelu", "glu", "group_norm", "gumbel_softmax", "hardshrink",
    "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss",
    "layer_norm", "leaky_relu", "leaky_relu_", "linear", "log_softmax", "logsigmoid",
    "margin_ranking_loss", "mish", "mse_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "nll_loss", "normalize", "one_hot", "pad", "pairwise_distance",
    "poisson_nll_loss", "prelu", "relu", "relu6", "relu_", "rms_norm", "rrelu", "rrelu_", "selu",
    "selu_", "sigmoid", "silu", "smooth_l1_loss", "soft_margin_loss", "softmax", "softmin",
    "softplus", "softshrink", "softsign", "tanh", "tanhshrink", "threshold", "threshold_",
    "triplet_margin_loss", "triplet_margin_with_distance_loss",
]


def linear(input: Tensor, weight: Tensor, bias: Tensor = None) -> Tensor:
    """y = x Wᵀ + b for x = ``input``.  Shapes: input (*, D_in), weight (D_out, D_in), bias
    (D_out,) -> (*, D_out); as in PyTorch, also a 1-D weight (D_in,) -> (*), and a bias
    that broadcasts against the product (with a 1-D weight, a bias PyTorch refuses for a
    2-D input is added: docs/api.md).

    ``input`` must be a Tensor whose last dimension is D_in, of ``weight``'s dtype."""
    check_linear_input("linear", input, weight)
    if weight.array.ndim == 2 and (bias is None or bias.array.ndim <= 1):  # (the usual)
        return ops.Linear.apply(input, weight, bias)
    # a 1-D weight (y = x·w), or a bias that broadcasts over more than the features: the
    # product and the sum as their own ops, whose gradients the engine sums back
    y = ops.Linear.apply(input, weight, None) if weight.ndim == 2 else input @ weight
    return y if bias is None else y + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor = None) -> Tensor:
    """y[..., o] = Σᵢⱼ x₁[..., i]·W[o, i, j]·x₂[..., j] + b[o].  Shapes: input1 (*, D₁),
    input2 (*, D₂) with the same *, weight (D_out, D₁, D₂), bias (D_out,) -> (*, D_out).
    One ``einsum`` over the flattened batch, so its gradient is einsum's."""
    for name, x in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(x, Tensor):
            raise TypeError(f"bilinear: {name} must be a Tensor, got {type(x).__name__}")
    if weight.ndim != 3 or 0 in (input1.ndim, input2.ndim) or \
            input1.shape[:-1] != input2.shape[:-1] or \
            weight.shape[1:] != (input1.shape[-1], input2.shape[-1]):
        raise ValueError(f"bilinear: input1 (*, D1), input2 (*, D2) and weight (D_out, D1, "
                         f"D2) must agree, got shapes {input1.shape}, {input2.shape} and "
                         f"{weight.shape}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"bilinear: bias must have shape ({weight.shape[0]},) (D_out), got "
                         f"{bias.shape}")
    check_dtype("bilinear", input1, "weight", weight)
    check_dtype("bilinear", input2, "weight", weight)
    batch = input1.shape[:-1]
    y = einsum("ni,oij,nj->no", input1.reshape(-1, input1.shape[-1]), weight,
               input2.reshape(-1, input2.shape[-1]))
    if bias is not None:
        y = y + bias
    return y.reshape(*batch, weight.shape[0])


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise; an integer tensor keeps its dtype (booleans are refused),
    as in PyTorch. With ``inplace``, written into ``input`` (see ``relu_``)."""
    if inplace:
        return relu_(input)
    return input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope·x (a finite number)."""
    if type(negative_slope) is not float or not math.isfinite(negative_slope):
        negative_slope = check_real("leaky_relu", "negative_slope", negative_slope)
    if inplace:
        return leaky_relu_(input, negative_slope)
    return ops.LeakyReLU.apply(check_floating("leaky_relu", input), negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1) (α a finite number)."""
    if type(alpha) is not float or not math.isfinite(alpha):
        alpha = check_real("elu", "alpha", alpha)
    if inplace:
        return elu_(input, alpha)
    return ops.ELU.apply(check_floating("elu", input), alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) (``approximate='none'``) or its tanh approximation (``'tanh'``)."""
    return gelu_op("gelu", approximate).apply(check_floating("gelu", input))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) (also called swish)."""
    if inplace:
        return written_into("silu", input, silu)
    return ops.SiLU.apply(check_floating("silu", input))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x))."""
    if inplace:
        return written_into("mish", input, mish)
    return ops.Mish.apply(check_floating("mish", input))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·log(1 + e^(βx)), and x where βx > threshold."""
    beta, threshold = check_softplus("softplus", beta, threshold)
    return ops.Softplus.apply(check_floating("softplus", input), beta, threshold)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """λx for x > 0, else λα(eˣ - 1) (λ ≈ 1.0507, α ≈ 1.6733)."""
    if inplace:
        return selu_(input)
    return ops.SELU.apply(check_floating("selu", input))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else a·x, with ``weight`` a of one element, or one per channel
    (dimension 1 of x = ``input``), of ``input``'s dtype."""
    check_dtype("prelu", input, "weight", weight)
    a = weight.reshape(prelu_slope_shape("prelu", input.shape, weight))  # (C, 1, ...) or ()
    return ops.PReLU.apply(input, a)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]. An integer tensor stays integer, its bounds
    truncated toward zero, which its dtype must then hold (-0.5 is 0 for uint8, -1 is
    refused), as in PyTorch; booleans are refused."""
    check_hardtanh_range("hardtanh", min_val, max_val, equal=True)
    if inplace:
        return hardtanh_(input, min_val, max_val)
    if input.dtype.kind != "f":
        check_not_bool("hardtanh", input)
        low, high = (check_fits("hardtanh", name, int(bound), input.dtype)
                     for name, bound in (("min_val", min_val), ("max_val", max_val)))
        return constant_tensor(np.clip(input.array, low, high).astype(input.dtype))
    return ops.Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6), i.e. ``hardtanh(x, 0, 6)``;  derivative 1 for 0 < x < 6, else 0."""
    return hardtanh(check_not_bool("relu6", input), 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between;  derivative
    1/6 for -3 < x < 3, else 0."""
    if inplace:
        return written_into("hardsigmoid", input, hardsigmoid)
    return ops.Hardsigmoid.apply(check_floating("hardsigmoid", input))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·relu6(x + 3) / 6;  derivative 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for
    x >= 3 (the product rule on relu6's derivative, PyTorch's values at the kinks)."""
    if inplace:
        return written_into("hardswish", input, hardswish)
    return ops.Hardswish.apply(check_floating("hardswish", input))


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = min(x, 0) - log(1 + e^(-|x|)): never the exp of a positive number, so
    finite for any x;  derivative σ(-x) = 1 - σ(x)."""
    return ops.LogSigmoid.apply(check_floating("logsigmoid", input))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|);  derivative 1 / (1 + |x|)²."""
    return ops.Softsign.apply(check_not_bool("softsign", input)._floating())


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``;  derivative 1 where x > threshold, else 0.
    An integer tensor keeps its dtype, ``threshold`` and ``value`` (which it must hold)
    truncated toward zero, as in PyTorch; booleans are refused."""
    check_threshold("threshold", threshold, value)
    if inplace:
        return threshold_(input, threshold, value)
    if input.dtype.kind != "f":
        check_not_bool("threshold", input)
        threshold = int(check_fits("threshold", "threshold", threshold, input.dtype))
        value = int(check_fits("threshold", "value", value, input.dtype))
    return ops.Threshold.apply(input, threshold, value)


def sigmoid(input: Tensor) -> Tensor:
    return ops.Sigmoid.apply(input._floating())


def tanh(input: Tensor) -> Tensor:
    return ops.Tanh.apply(input._floating())


def softmax(input: Tensor, dim: int = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """eˣ / Σ eˣ along ``dim``; without it, PyTorch's legacy implicit choice, with its
    warning (``implicit_dim``: for 3-D input dim 0). ``dtype``: a floating dtype to cast
    ``input`` to first (default None: its own, which must be floating, as in PyTorch);
    ``_stacklevel``: PyTorch's, where the warning points (3: the caller's line)."""
    if dim is None:
        dim = implicit_dim("softmax", input.ndim, _stacklevel - 1)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - log Σ eˣ along ``dim``; ``dim`` None, ``dtype`` and ``_stacklevel`` as
    ``softmax``'s."""
    if dim is None:
        dim = implicit_dim("log_softmax", input.ndim, _stacklevel - 1)
    return input.log_softmax(dim, dtype=dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator=None) -> Tensor:
    """In training, zero each element with probability ``p`` and scale the others by
    1/(1 - p), so the expected value is unchanged; otherwise return ``input`` itself.

    Args:
        x: a floating-point tensor.
        p: the probability of zeroing an element (default 0.5).
        training: apply dropout (default True; ``nn.Dropout`` passes its mode).
        inplace: write the result into ``input`` and return it (in training), as
            PyTorch's.
        generator: where the mask is drawn from (default: the global generator, see
            ``tn.manual_seed``; not in PyTorch).
    """
    p = check_dropout_p("dropout", p)
    if not training or p == 0.0:
        return input
    if inplace:
        return written_into("dropout", input, lambda t: dropout(t, p, generator=generator))
    if input.dtype.kind != "f":
        raise TypeError(f"dropout: input must be a floating-point tensor, got dtype {input.dtype}")
    if generator is not None:
        as_generator(generator, "dropout")  # a wrong type is refused here, not in the op
    return ops.Dropout.apply(input, p, generator)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False,
                  generator=None) -> Tensor:
    """Dropout for SELU networks (``nn.AlphaDropout``): in training, each element is
    replaced with probability ``p`` by SELU's saturation value, and all are mapped so that
    zero mean and unit variance stay so; otherwise ``input`` itself. As PyTorch's, ``training``
    defaults to False here; p = 1 gives zeros.

    Args: as ``dropout``.
    """
    p = check_dropout_p("alpha_dropout", p)
    if not training or p == 0.0:
        return input
    if inplace:
        return written_into("alpha_dropout", input,
                            lambda t: alpha_dropout(t, p, True, generator=generator))
    if input.dtype.kind != "f":
        raise TypeError(f"alpha_dropout: input must be a floating-point tensor, got dtype "
                        f"{input.dtype}")
    if generator is not None:
        as_generator(generator, "alpha_dropout")  # a wrong type is refused here
    if p == 1.0:
        return input * 0.0  # (PyTorch's: every unit dropped, and the map's scale infinite)
    return ops.AlphaDropout.apply(input, p, generator)


def embedding(input, weight: Tensor, padding_idx: int = None, max_norm=None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """The rows of ``weight`` (V, D) at the integer indices ``input`` (any shape (*)): a
    tensor of shape (*, D). Repeated indices add up in ``weight``'s gradient; the row
    ``padding_idx`` gets none. PyTorch's other arguments, as ``nn.Embedding``'s: ``max_norm``
    and ``scale_grad_by_freq`` only at their defaults (not implemented), ``norm_type`` and
    ``sparse`` accepted (the gradient is a dense (V, D) array)."""
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError(f"embedding: max_norm and scale_grad_by_freq are not "
                                  f"implemented, got max_norm={max_norm!r}, "
                                  f"scale_grad_by_freq={scale_grad_by_freq!r}")
    indices = _array(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype "
                        f"{indices.dtype}")
    check_table("embedding", "weight", weight)
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise IndexError(f"embedding: indices must be in [0, {n}) (rows of weight), got {bad}")
    if padding_idx is not None:
        padding_idx = check_padding_idx("embedding", padding_idx, n)
    if isinstance(input, Tensor):
        # the tensor itself: its version counter makes backward refuse indices changed by
        # an in-place op since, and tn.capture sees where they come from (and checks them)
        return ops.Embedding.apply(weight, input, padding_idx)
    # a copy: the op keeps it for backward, and the caller may refill its array meanwhile
    return ops.Embedding.apply(weight, indices.astype(np.intp), padding_idx)


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale by ``weight`` and
    shift by ``bias`` (each of ``normalized_shape``, of ``input``'s dtype, or None)."""
    normalized_shape = check_normalized_shape("layer_norm", normalized_shape)
    if tuple(input.shape[input.ndim - len(normalized_shape):]) != normalized_shape:
        raise ValueError(f"layer_norm: input must have trailing shape {normalized_shape} "
                         f"(normalized_shape), got shape {tuple(input.shape)}")
    if weight is not None:
        check_dtype("layer_norm", input, "weight", weight)
    if type(eps) is not float or not 0 <= eps < math.inf:
        eps = check_real("layer_norm", "eps", eps, 0.0)
    return ops.LayerNorm.apply(input, weight, bias, len(normalized_shape), eps)


def rms_norm(input: Tensor, normalized_shape, weight=None, eps: float = None) -> Tensor:
    """x / √(mean(x²) + ε) over the trailing ``normalized_shape`` dims, times ``weight``
    (of ``normalized_shape``, or None); ε None: the machine epsilon of x's dtype, as in
    PyTorch. Composed of tensor ops (no mean is subtracted: unlike ``layer_norm``). As
    PyTorch's, a float16 input is normalised in float32 (with float32's epsilon), then
    cast back before the weight."""
    normalized_shape = check_normalized_shape("rms_norm", normalized_shape)
    if not isinstance(input, Tensor) or \
            tuple(input.shape[input.ndim - len(normalized_shape):]) != normalized_shape:
        raise ValueError(f"rms_norm: input must be a tensor of trailing shape "
                         f"{normalized_shape} (normalized_shape), got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    input = input._floating()
    if weight is not None:
        check_dtype("rms_norm", input, "weight", weight)
    half = input.dtype == np.float16
    x = input.to(np.float32) if half else input
    eps = float(np.finfo(x.dtype).eps) if eps is None else check_real("rms_norm", "eps", eps,
                                                                       0.0)
    dims = tuple(range(-len(normalized_shape), 0))
    y = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    y = y.to(np.float16) if half else y
    return y if weight is None else y * weight


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels (dimension 1 of (N, C, *) input) in ``num_groups``
    groups of C/G channels: y = (x - E[x]) / √(Var[x] + ε) over each group's channels and
    positions (biased variance), then ``weight`` and ``bias`` (C,) per channel: each
    group is a row of ``layer_norm`` (its op's overflow-safe statistics included)."""
    check_int("group_norm", "num_groups", num_groups, 1)
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError(f"group_norm: input must be a tensor of shape (N, C, *), got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise ValueError(f"group_norm: the input's channels (dimension 1, {channels}) must "
                         f"divide into num_groups ({num_groups}) groups")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise ValueError(f"group_norm: {name} must have shape ({channels},) (one per "
                             f"channel), got {tuple(t.shape)}")
    eps = check_real("group_norm", "eps", eps, 0.0)
    input = input._floating()
    if weight is not None:
        check_dtype("group_norm", input, "weight", weight)
    groups = input.reshape(n, num_groups, -1 if n else channels // num_groups * int(
        np.prod(input.shape[2:])))  # (an empty batch: -1 cannot be inferred from 0)
    half = groups.dtype == np.float16  # (its statistics in float32, as PyTorch's)
    y = ops.LayerNorm.apply(groups.float() if half else groups, None, None, 1, eps)
    y = (y.half() if half else y).reshape(input.shape)
    per_channel = (channels,) + (1,) * (input.ndim - 2)  # broadcasts along dimension 1
    if weight is not None:
        y = y * weight.reshape(per_channel)
    if bias is not None:
        y = y + bias.reshape(per_channel)
    return y


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,  # noqa: A002
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dimension 1) of (N, C) or (N, C, L) input, then scale by
    ``weight`` and shift by ``bias`` (each (C,) or None).

    ``training``: with the batch's mean and biased variance, and (when given) update the
    running averages in place: r ← (1 - momentum)·r + momentum·s, with the unbiased
    variance for ``running_var``, as PyTorch. Otherwise with ``running_mean`` and
    ``running_var``, which must then be given.
    """
    _check_batch_norm_input(input, running_mean, running_var, weight, bias)
    check_batch_norm("batch_norm", eps, momentum)
    for name, running in (("running_mean", running_mean), ("running_var", running_var)):
        if getattr(running, "requires_grad", False):  # (its gradient would be dropped)
            raise RuntimeError(f"batch_norm: the function is not differentiable with respect "
                               f"to {name}, as in PyTorch; pass a tensor that requires no "
                               f"grad (e.g. {name}.detach()), got one that requires grad")
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given when "
                             "training=False, got None")
        return ops.BatchNorm.apply(input, weight, bias, running_mean.array, running_var.array,
                                   eps, False)
    x = input.array
    c = x.shape[1]
    axes = (0,) if x.ndim == 2 else (0, 2)
    m = x.size // c if c else 0  # values per channel
    if m <= 1:
        raise ValueError(f"batch_norm: input must have more than 1 value per channel in "
                         f"training, got shape {tuple(input.shape)}")
    # NOTE: the batch's statistics are computed here, outside the op, so they are values
    # read: tn.capture does not replay (a replay would reuse the recorded batch's)
    values_read()
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    for running, batch in ((running_mean, mean), (running_var, var * (m / (m - 1)))):
        if running is not None:
            running.array *= 1 - momentum
            running.array += momentum * batch
            running.bump_version()
    return ops.BatchNorm.apply(input, weight, bias, mean, var, eps, True)


def _check_batch_norm_input(x, running_mean, running_var, weight, bias) -> None:
    """(N, C) or (N, C, L) input; each given statistic or parameter of shape (C,); the
    input in the parameters' dtype (the running statistics' without parameters)."""
    check_batch_shape("batch_norm", x)
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None:
            if t.ndim != 1:
                raise ValueError(f"batch_norm: {name} must have shape (C,) (one value per "
                                 f"channel), got {tuple(t.shape)}")
            check_channels("batch_norm", x, t.shape[0], f"{name} has shape {tuple(t.shape)}")
    reference = weight if weight is not None else running_mean
    if reference is not None:
        check_dtype("batch_norm", x, "weight" if weight is not None else "running_mean",
                    reference)



def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape, int64) as one-hot rows: shape (*, num_classes), int64.
    ``num_classes=-1``: one more than the largest index.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.functional.one_hot(tn.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    labels = _array(input)
    if labels.dtype != np.int64:
        raise RuntimeError(f"one_hot: the input must be an int64 tensor of class indices, got "
                           f"dtype {labels.dtype}")
    if num_classes == -1:
        values_read()  # the output's shape is made from the labels
        if not labels.size:  # (no index to count from, as PyTorch refuses too)
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty "
                               "tensor; give num_classes")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise RuntimeError(f"one_hot: class indices must be in [0, {num_classes}), got {bad}")
    return ops.OneHot.apply(input if isinstance(input, Tensor) else labels, num_classes)


# ---- in-place forms: the activation written into its input, which they return (its own
# array outside the graph; inside it, the input rebound to the recorded result, as
# Tensor.relu_ does) ----------------------------------------------------------------------
def relu_(input: Tensor) -> Tensor:
    return input._apply_("relu_", relu)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._apply_("elu_", lambda t: elu(t, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return input._apply_("leaky_relu_", lambda t: leaky_relu(t, negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return input._apply_("hardtanh_", lambda t: hardtanh(t, min_val, max_val))


def selu_(input: Tensor) -> Tensor:
    return input._apply_("selu_", selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._apply_("celu_", lambda t: celu(t, alpha))


def rrelu_(input: Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
           generator=None) -> Tensor:
    return input._apply_("rrelu_", lambda t: rrelu(t, lower, upper, training,
                                               generator=generator))


_threshold = threshold  # (threshold_'s argument of that name hides the function)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return input._apply_("threshold_", lambda t: _threshold(t, threshold, value))
