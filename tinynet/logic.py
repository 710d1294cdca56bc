"""Module-level forms of the boolean methods, as in PyTorch: ``tn.all(x)`` is ``x.all()``;
also the comparisons ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, and ``any``,
``isclose``, ``allclose``, ``equal``, ``logical_and/or/xor/not``, ``isnan``,
``count_nonzero``, ``nonzero``, ``unique``, ``bincount`` (the methods are in
``tensor_logic.py``). None has a gradient."""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
from tinynet.tensor import Tensor
from tinynet.tensor_math import numpy_names


@numpy_names
def all(input, dim=None, keepdim=False):
    return _tensor(input, "all").all(dim, keepdim)


@numpy_names
def any(input, dim=None, keepdim=False):
    return _tensor(input, "any").any(dim, keepdim)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _tensor(input, "isclose").isclose(other, rtol, atol, equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether |input - other| <= atol + rtol·|other| everywhere (two tensors of one
    dtype, broadcast together; see ``Tensor.isclose``)."""
    return _tensor(input, "allclose").allclose(other, rtol, atol, equal_nan)


def equal(input, other) -> bool:
    return _tensor(input, "equal").equal(other)


def logical_and(input, other):
    return _tensor(input, "logical_and").logical_and(other)


def logical_or(input, other):
    return _tensor(input, "logical_or").logical_or(other)


def logical_xor(input, other):
    return _tensor(input, "logical_xor").logical_xor(other)


def logical_not(input):
    return _tensor(input, "logical_not").logical_not()


def isnan(x):
    return x.isnan()


def isinf(x):
    return x.isinf()


def isfinite(x):
    return x.isfinite()


def count_nonzero(input, dim=None):
    return _tensor(input, "count_nonzero").count_nonzero(dim)


def nonzero(input, *, as_tuple=False):
    return _tensor(input, "nonzero").nonzero(as_tuple=as_tuple)


def eq(input, other):
    """input == other, elementwise (``other`` a tensor or a number), a boolean tensor."""
    return _tensor(input, "eq") == other


def ne(input, other):
    """input != other, elementwise."""
    return _tensor(input, "ne") != other


def lt(input, other):
    """input < other, elementwise."""
    return _tensor(input, "lt") < other


def le(input, other):
    """input <= other, elementwise."""
    return _tensor(input, "le") <= other


def gt(input, other):
    """input > other, elementwise."""
    return _tensor(input, "gt") > other


def ge(input, other):
    """input >= other, elementwise."""
    return _tensor(input, "ge") >= other


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements, ascending (see ``Tensor.unique``; ``dim`` must be None)."""
    return _tensor(input, "unique").unique(sorted, return_inverse, return_counts, dim)


def bincount(input, weights=None, minlength=0):
    """Counts (or summed ``weights``) of each value of a 1-D non-negative integer tensor
    (see ``Tensor.bincount``)."""
    return _tensor(input, "bincount").bincount(weights, minlength)


def _tensor(x, name: str) -> Tensor:
    """``x``, which must be a tensor (PyTorch raises a TypeError for anything else)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a tensor, got {type(x).__name__}")
    return x
