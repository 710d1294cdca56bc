"""Module-level forms of the boolean methods, as in PyTorch: ``tn.all(x)`` is ``x.all()``;
also the comparisons ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, and ``any``,
``isclose``, ``allclose``, ``equal``, ``logical_and/or/xor/not``, ``bitwise_and/or/xor/not``
and the shifts ``bitwise_left_shift``/``bitwise_right_shift``, ``isnan``,
``count_nonzero``, ``nonzero``, ``unique``, ``bincount`` (the methods are in
``tensor_logic.py``). None has a gradient."""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
from tinynet.tensor import Tensor
from tinynet.tensor_math import check_tensor, numpy_names


@numpy_names
def all(input, dim=None, keepdim=False):
    return check_tensor("all", input).all(dim, keepdim)


@numpy_names
def any(input, dim=None, keepdim=False):
    return check_tensor("any", input).any(dim, keepdim)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return check_tensor("isclose", input).isclose(other, rtol, atol, equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether |input - other| <= atol + rtol·|other| everywhere (two tensors of one
    dtype, broadcast together; see ``Tensor.isclose``)."""
    return check_tensor("allclose", input).allclose(other, rtol, atol, equal_nan)


def equal(input, other) -> bool:
    return check_tensor("equal", input).equal(other)


def logical_and(input, other):
    return check_tensor("logical_and", input).logical_and(other)


def logical_or(input, other):
    return check_tensor("logical_or", input).logical_or(other)


def logical_xor(input, other):
    return check_tensor("logical_xor", input).logical_xor(other)


def logical_not(input):
    return check_tensor("logical_not", input).logical_not()


def bitwise_and(input, other):
    """``input & other``; ``input`` may be a Python integer, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.bitwise_and(input)  # (commutative)
    return check_tensor("bitwise_and", input).bitwise_and(other)


def bitwise_or(input, other):
    """``input | other``; ``input`` may be a Python integer, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.bitwise_or(input)  # (commutative)
    return check_tensor("bitwise_or", input).bitwise_or(other)


def bitwise_xor(input, other):
    """``input ^ other``; ``input`` may be a Python integer, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.bitwise_xor(input)  # (commutative)
    return check_tensor("bitwise_xor", input).bitwise_xor(other)


def bitwise_not(input):
    return check_tensor("bitwise_not", input).bitwise_not()


def bitwise_left_shift(input, other):
    """``input << other``; one of them may be a Python integer, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.__rlshift__(input)
    return check_tensor("bitwise_left_shift", input).bitwise_left_shift(other)


def bitwise_right_shift(input, other):
    """``input >> other``; one of them may be a Python integer, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.__rrshift__(input)
    return check_tensor("bitwise_right_shift", input).bitwise_right_shift(other)


def isnan(input):
    return check_tensor("isnan", input).isnan()


def isinf(input):
    return check_tensor("isinf", input).isinf()


def isfinite(input):
    return check_tensor("isfinite", input).isfinite()


def count_nonzero(input, dim=None):
    return check_tensor("count_nonzero", input).count_nonzero(dim)


def nonzero(input, *, as_tuple=False):
    return check_tensor("nonzero", input).nonzero(as_tuple=as_tuple)


def eq(input, other):
    """input == other, elementwise (``other`` a tensor or a number), a boolean tensor."""
    return check_tensor("eq", input).eq(other)


def ne(input, other):
    """input != other, elementwise."""
    return check_tensor("ne", input).ne(other)


def lt(input, other):
    """input < other, elementwise."""
    return check_tensor("lt", input).lt(other)


def le(input, other):
    """input <= other, elementwise."""
    return check_tensor("le", input).le(other)


def gt(input, other):
    """input > other, elementwise."""
    return check_tensor("gt", input).gt(other)


def ge(input, other):
    """input >= other, elementwise."""
    return check_tensor("ge", input).ge(other)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements, ascending (see ``Tensor.unique``; ``dim`` must be None)."""
    return check_tensor("unique", input).unique(sorted, return_inverse, return_counts, dim)


def bincount(input, weights=None, minlength=0):
    """Counts (or summed ``weights``) of each value of a 1-D non-negative integer tensor
    (see ``Tensor.bincount``)."""
    return check_tensor("bincount", input).bincount(weights, minlength)
