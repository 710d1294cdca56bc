"""More activations of ``tinynet.nn.functional`` (import them from there): ``celu``,
``rrelu``, ``softshrink``, ``hardshrink``, ``tanhshrink`` (elementwise) and ``softmin``,
``glu``, ``gumbel_softmax`` (along one dim).

Each checks its arguments here, with the checks of ``tinynet/nn/_checks.py``, then calls
one op (``hardshrink`` is the Tensor method, which does both; ``gumbel_softmax`` is
composed of tensor ops). As in PyTorch, each refuses integer and bool input but
``tanhshrink``, which makes integers floating (the default dtype); ``softmin`` takes them
with a floating ``dtype=``. ``inplace=True`` writes the result into the input, as PyTorch's.
"""
import warnings

import numpy as np

from tinynet import ops
from tinynet.checks import cast_first, check_fits, check_floating, check_not_bool, check_real
from tinynet.factories import ones_like, zeros_like
from tinynet.nn._in_place import written_into
from tinynet.nn._checks import (check_celu_alpha, check_rrelu_bounds,
                                check_softshrink_lambd, check_tensor, implicit_dim)
from tinynet.random import as_generator, drawing_generator
from tinynet.tensor import Tensor
from tinynet.tensor_math import constant_tensor, single_dim


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(e^(x/α) - 1), α ≠ 0;  derivative 1 for x > 0, else e^(x/α)."""
    if inplace:
        return written_into("celu", input, lambda t: celu(t, alpha))
    return ops.CELU.apply(check_floating("celu", input), check_celu_alpha("celu", alpha))


def rrelu(input: Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
          inplace: bool = False, generator=None) -> Tensor:
    """x for x > 0, else a·x: in training a slope a drawn per element from U(lower,
    upper), otherwise (the default, as PyTorch's) the mean slope (lower + upper)/2.

    Args:
        x: a tensor.
        lower, upper: the slopes' range, lower <= upper (default 1/8, 1/3).
        training: draw random slopes (default False; ``nn.RReLU`` passes its mode).
        inplace: write the result into ``input`` and return it, as PyTorch's.
        generator: where the slopes are drawn from (default: the global generator, see
            ``tn.manual_seed``; not in PyTorch, whose random stream tinynet's differs
            from).
    """
    lower, upper = check_rrelu_bounds("rrelu", lower, upper)
    if generator is not None:
        as_generator(generator, "rrelu")  # a wrong type is refused here, not in the op
    if inplace:
        return written_into("rrelu", input,
                            lambda t: rrelu(t, lower, upper, training, generator=generator))
    return ops.RReLU.apply(check_floating("rrelu", input), lower, upper, bool(training),
                           generator)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - λ for x > λ, x + λ for x < -λ, else 0 (λ >= 0, held by the input's dtype);
    derivative 1 outside [-λ, λ], else 0."""
    check_floating("softshrink", input)
    lambd = check_fits("softshrink", "lambd", check_softshrink_lambd("softshrink", lambd),
                       input.dtype)
    return ops.Softshrink.apply(input, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x outside [-λ, λ], else 0 (a negative λ keeps every x, as in PyTorch);
    derivative 1 outside [-λ, λ], else 0. ``x.hardshrink(lambd)``."""
    return input.hardshrink(lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x);  derivative tanh²(x)."""
    return ops.Tanhshrink.apply(check_not_bool("tanhshrink", input)._floating())


def softmin(input: Tensor, dim: int = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``: each slice sums to 1, the smallest values weigh most.

    Args:
        x: a tensor.
        dim: the dimension that sums to 1; None: PyTorch's legacy implicit choice, with
            its warning (as ``softmax``'s).
        _stacklevel: PyTorch's: where that warning points (3: the caller's line).
        dtype: a floating dtype to cast ``input`` to first (default None: its own, which
            must be floating, as in PyTorch).
    """
    input = check_floating("softmin", cast_first("softmin", input, dtype))
    if dim is None:
        dim = implicit_dim("softmin", input.ndim, _stacklevel - 1)
    dim = single_dim(dim, input.ndim, "softmin")
    # (-x) - max(-x) is min(x) - x exactly, and the gradient through the negation is
    # Softmax's with its sign flipped: one op, as PyTorch defines softmin
    return ops.Softmax.apply(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: x split in halves a, b along ``dim``, a ⊙ σ(b) (that
    dimension halved); its size there must be even."""
    check_tensor("glu", input, min_ndim=1)
    axis = single_dim(dim, input.ndim, "glu")
    if input.shape[axis] % 2:
        raise ValueError(f"glu: the input's size along dim {axis} must be even (it is halved "
                         f"into a and b), got {input.shape[axis]} (input of shape "
                         f"{tuple(input.shape)})")
    return ops.GLU.apply(check_floating("glu", input), axis)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1, generator=None) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution along ``dim``:

        y = softmax((logits + g) / τ),  g = -log E, E ~ Exponential(1) per element

    (g is Gumbel(0, 1) noise: argmax(logits + g) is a sample of the categorical
    distribution softmax(logits), and as τ -> 0, y tends to that one-hot sample). The
    gradient is softmax's, through logits; g is a constant. With ``hard=True`` the value
    is the one-hot of y's argmax and the gradient y's (straight through):
    y_hard - y.detach() + y.

    Args:
        logits: unnormalised log-probabilities, of any shape.
        tau: the temperature τ, a finite number > 0 (default 1). NOTE: PyTorch takes
            any τ (0 gives nan, a negative τ the least likely category).
        hard: return one-hot samples, differentiated as the soft ones (default False).
        eps: deprecated and unused, as in PyTorch (another value than 1e-10 warns).
        dim: the dimension the categories lie along (default -1).
        generator: where the noise is drawn from (default: the global generator, see
            ``tn.manual_seed``; not in PyTorch, whose random stream tinynet's differs
            from).

    Example:
        >>> import tinynet as tn
        >>> _ = tn.manual_seed(0)
        >>> y = tn.nn.functional.gumbel_softmax(tn.zeros(2, 3), hard=True)
        >>> y.sum(dim=1)
        tensor([1., 1.])
    """
    check_tensor("gumbel_softmax", logits, name="logits")
    tau = check_real("gumbel_softmax", "tau", tau, low=0, low_open=True)
    dim = single_dim(dim, logits.ndim, "gumbel_softmax")
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: eps is deprecated and has no effect (as in PyTorch)",
                      UserWarning, stacklevel=2)
    logits = check_floating("gumbel_softmax", logits, "logits")
    rng = drawing_generator(generator, "gumbel_softmax")
    # -log E taken in float64, then cast: a draw too small for the dtype gives no inf
    gumbels = -np.log(rng.standard_exponential(logits.shape))  # Gumbel(0, 1)
    gumbels = constant_tensor(gumbels.astype(logits.dtype), from_values=False)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    if logits.ndim == 0:  # one category: the sample is 1
        y_hard = ones_like(y_soft)
    else:
        y_hard = zeros_like(y_soft).scatter_(dim, y_soft.argmax(dim, keepdim=True), 1.0)
    # (1 - y) + y is exactly 1 for y in [0, 1], and 0 - y + y exactly 0: a one-hot value
    return y_hard - y_soft.detach() + y_soft
