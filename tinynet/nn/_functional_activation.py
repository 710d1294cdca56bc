"""More activations of ``tinynet.nn.functional`` (import them from there): ``celu``,
``rrelu``, ``softshrink``, ``hardshrink``, ``tanhshrink`` (elementwise) and ``softmin``,
``glu`` (along one dim).

Each checks its arguments here, with the checks of ``tinynet/nn/_checks.py``, then calls
one op (``hardshrink`` is the Tensor method, which does both). As in PyTorch, each refuses
integer and bool input but ``tanhshrink``, which makes integers floating (the default
dtype); ``softmin`` takes them with a floating ``dtype=``. ``inplace=True`` is accepted
for PyTorch code and ignored.
"""
from tinynet import ops
from tinynet.checks import check_fits, check_floating, check_not_bool
from tinynet.nn._checks import (cast_first, check_celu_alpha, check_rrelu_bounds,
                                check_softshrink_lambd, check_tensor)
from tinynet.random import as_generator
from tinynet.tensor import Tensor
from tinynet.tensor_math import single_dim


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(e^(x/α) - 1), α ≠ 0;  derivative 1 for x > 0, else e^(x/α)."""
    return ops.CELU.apply(check_floating("celu", x), check_celu_alpha("celu", alpha))


def rrelu(x: Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
          inplace: bool = False, generator=None) -> Tensor:
    """x for x > 0, else a·x: in training a slope a drawn per element from U(lower,
    upper), otherwise (the default, as PyTorch's) the mean slope (lower + upper)/2.

    Args:
        x: a tensor.
        lower, upper: the slopes' range, lower <= upper (default 1/8, 1/3).
        training: draw random slopes (default False; ``nn.RReLU`` passes its mode).
        inplace: accepted for PyTorch code and ignored.
        generator: where the slopes are drawn from (default: the global generator, see
            ``tn.manual_seed``; not in PyTorch, whose random stream tinynet's differs
            from).
    """
    lower, upper = check_rrelu_bounds("rrelu", lower, upper)
    if generator is not None:
        as_generator(generator, "rrelu")  # a wrong type is refused here, not in the op
    return ops.RReLU.apply(check_floating("rrelu", x), lower, upper, bool(training),
                           generator)


def softshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    """x - λ for x > λ, x + λ for x < -λ, else 0 (λ >= 0, held by the input's dtype);
    derivative 1 outside [-λ, λ], else 0."""
    check_floating("softshrink", x)
    lambd = check_fits("softshrink", "lambd", check_softshrink_lambd("softshrink", lambd),
                       x.dtype)
    return ops.Softshrink.apply(x, lambd)


def hardshrink(x: Tensor, lambd: float = 0.5) -> Tensor:
    """x outside [-λ, λ], else 0 (a negative λ keeps every x, as in PyTorch);
    derivative 1 outside [-λ, λ], else 0. ``x.hardshrink(lambd)``."""
    return x.hardshrink(lambd)


def tanhshrink(x: Tensor) -> Tensor:
    """x - tanh(x);  derivative tanh²(x)."""
    return ops.Tanhshrink.apply(check_not_bool("tanhshrink", x)._floating())


def softmin(x: Tensor, dim: int = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``: each slice sums to 1, the smallest values weigh most.

    Args:
        x: a tensor.
        dim: the dimension that sums to 1. NOTE: ``None`` means the last one, as for
            ``softmax`` here (PyTorch's legacy implicit choice, dim 0 for 0-, 1- and 3-D
            input, is not copied).
        _stacklevel: PyTorch's (the level of its warning for an implicit dim); unused.
        dtype: a floating dtype to cast ``x`` to first (default None: ``x``'s own, which
            must be floating, as in PyTorch).
    """
    x = check_floating("softmin", cast_first("softmin", x, dtype))
    dim = single_dim(-1 if dim is None else dim, x.ndim, "softmin")
    # (-x) - max(-x) is min(x) - x exactly, and the gradient through the negation is
    # Softmax's with its sign flipped: one op, as PyTorch defines softmin
    return ops.Softmax.apply(-x, dim)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: x split in halves a, b along ``dim``, a ⊙ σ(b) (that
    dimension halved); its size there must be even."""
    check_tensor("glu", x, min_ndim=1)
    axis = single_dim(dim, x.ndim, "glu")
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the input's size along dim {axis} must be even (it is halved "
                         f"into a and b), got {x.shape[axis]} (input of shape "
                         f"{tuple(x.shape)})")
    return ops.GLU.apply(check_floating("glu", x), axis)
