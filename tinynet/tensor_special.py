"""``TensorSpecial``: PyTorch's special elementwise functions as Tensor methods: ``logit``,
``xlogy``, ``logaddexp``, ``logaddexp2``, ``hypot``, ``copysign``, ``frac``, ``erfinv``,
``heaviside`` (``Tensor`` inherits them; see ``tensor_math.py``).

Each checks its operands, casts them to their result dtype (PyTorch's promotion; integers
become the default float dtype where PyTorch's do, and are refused where PyTorch's
``logaddexp``, ``hypot`` and ``frac`` refuse them) and calls one op of
``tinynet/ops/special.py``, or, for ``frac``, composes two.
"""
import numbers

import numpy as np

from tinynet import dtypes
from tinynet.checks import check_real
from tinynet.tensor_math import TensorMath


class TensorSpecial:
    """Special elementwise functions; see the module docstring."""

    __slots__ = ()

    def logit(self, eps=None):
        """log(p / (1 - p)), the inverse of ``sigmoid``; with ``eps``, p is first clamped
        to [eps, 1 - eps] (so the ends give finite values, and the gradient is 0 beyond
        them); a negative ``eps`` clamps nothing, as in PyTorch. Integers and booleans
        become the default float dtype."""
        if eps is not None:
            eps = check_real("logit", "eps", eps)
            eps = None if eps < 0 else eps
        return ops.Logit.apply(self._floating(), eps)

    def xlogy(self, other):
        """self · log(other), and 0 where self is 0 (unless other is nan): the x log x of
        entropies without 0 · (-inf) = nan. ``other`` a tensor or a number; the result is
        floating (integers become the default float dtype). Gradient log(other) (0 where
        self = 0 and other <= 0, as PyTorch's) and self / other."""
        return ops.Xlogy.apply(*floating_operands("xlogy", self, other))

    def logaddexp(self, other):
        """log(e^self + e^other), computed without overflow (``logaddexp(1000, 1000)`` is
        1000 + log 2). ``other`` a tensor; integer results are refused, as in PyTorch."""
        return ops.LogAddExp.apply(*_float_tensors("logaddexp", self, other))

    def logaddexp2(self, other):
        """log₂(2^self + 2^other), without overflow, as ``logaddexp``."""
        return ops.LogAddExp2.apply(*_float_tensors("logaddexp2", self, other))

    def hypot(self, other):
        """√(self² + other²) without overflow or underflow of the squares. ``other`` a
        tensor; integer results are refused, as in PyTorch."""
        return ops.Hypot.apply(*_float_tensors("hypot", self, other))

    def atan2(self, other):
        """The angle of the point (other, self) in (-π, π]: atan2(y = self, x = other),
        floating (integers become the default float dtype). Gradients x / (x² + y²) for
        self and -y / (x² + y²) for other."""
        return ops.Atan2.apply(*floating_operands("atan2", self, other))

    arctan2 = atan2

    def dist(self, other, p=2):
        """The p-norm of ``self - other`` (broadcast), as ``torch.dist``."""
        return (self - other).norm(p)

    def copysign(self, other):
        """|self| with the sign of ``other`` (a tensor or a number; -0.0 counts as
        negative), floating (integers become the default float dtype). Gradient ±1 for
        self (0 where self is 0), 0 for other."""
        return ops.Copysign.apply(*floating_operands("copysign", self, other))

    def frac(self):
        """The fractional part self - trunc(self), with self's sign (nan for ±inf);
        gradient 1. Integer tensors are refused, as in PyTorch."""
        if self.dtype.kind != "f":
            raise TypeError(f"frac: the input must be a floating-point tensor (as in "
                            f"PyTorch), got dtype {self.dtype}")
        with np.errstate(invalid="ignore"):  # inf - inf = nan, as PyTorch, unwarned
            return self - self.trunc()

    def erfinv(self):
        """The inverse error function on [-1, 1] (±inf at ±1, nan outside); integers and
        booleans become the default float dtype. Gradient (√π / 2) e^(erfinv(x)²)."""
        return ops.Erfinv.apply(self._floating())

    def erfc(self):
        """The complementary error function 1 - erf x, exact where erf x rounds to 1;
        integers and booleans become the default float dtype. Gradient -(2/√π) e^(-x²)."""
        return ops.Erfc.apply(self._floating())

    def lgamma(self):
        """log|Γ(x)| (inf at 0 and the negative integers); integers and booleans become
        the default float dtype. Gradient ψ(x) (``digamma``)."""
        return ops.Lgamma.apply(self._floating())

    def digamma(self):
        """ψ(x) = Γ'(x)/Γ(x), the derivative of ``lgamma``; integers and booleans become
        the default float dtype. Gradient ψ'(x)."""
        return ops.Digamma.apply(self._floating())

    def heaviside(self, values):
        """The step function: 0 where self < 0, ``values`` where self = 0, 1 where
        self > 0. ``values`` a tensor of self's dtype, broadcast with it, as in PyTorch,
        which defines no gradient (backward through it raises)."""
        if not isinstance(values, TensorMath):
            raise TypeError(f"heaviside: values must be a tensor, got "
                            f"{type(values).__name__}")
        if values.dtype != self.dtype:
            raise TypeError(f"heaviside: values must have the input's dtype {self.dtype} "
                            f"(as in PyTorch), got {values.dtype}")
        return ops.Heaviside.apply(self, values)


def floating_operands(name: str, x, other) -> tuple:
    """(x, other) in their result dtype, made floating (the default float dtype for
    integers); either may be a number, not both, and a number becomes a 0-d array of that
    dtype (so numpy keeps the dtype)."""
    for value in (x, other):
        if not isinstance(value, (TensorMath, numbers.Number, np.number)):
            raise TypeError(f"{name}: input and other must be tensors or numbers, got "
                            f"{type(value).__name__}")
    if not isinstance(x, TensorMath) and not isinstance(other, TensorMath):
        raise TypeError(f"{name}: input or other must be a tensor, got "
                        f"{type(x).__name__} and {type(other).__name__}")
    dtype = _result_type(x, other)
    if dtype.kind != "f":
        dtype = dtypes.get_default_dtype()
    return tuple(v.to(dtype) if isinstance(v, TensorMath) else np.asarray(v, dtype=dtype)
                 for v in (x, other))


def _float_tensors(name: str, x, other) -> tuple:
    """(x, other), two tensors in their result dtype, which must be floating."""
    if not isinstance(other, TensorMath):
        raise TypeError(f"{name}: other must be a tensor (as in PyTorch), got "
                        f"{type(other).__name__}")
    promoted, other_promoted = _promote(x, other)
    if promoted.dtype.kind != "f":
        raise TypeError(f"{name}: the operands' result dtype must be floating (as in "
                        f"PyTorch), got {promoted.dtype} from input {x.dtype} and other "
                        f"{other.dtype}; call .float() first")
    return promoted, other_promoted


def _promote(x, y):
    from tinynet.promotion import promote  # NOTE: late: promotion.py imports Tensor
    return promote(x, y)


def _result_type(x, y):
    from tinynet.promotion import result_type  # NOTE: late, as _promote
    return result_type(x, y)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
