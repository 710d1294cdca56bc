"""PyTorch's type promotion: the dtype of ``x + y`` for tensors, arrays and scalars.

Operands fall into three priority groups: tensors with dimensions, 0-d tensors, and
Python (or numpy) scalars. Within a group, dtypes promote as usual (``promote_types``);
a lower group changes the result only when it is of a higher *category* (bool <
integer < float). So, as in PyTorch:

  * float32 tensor + float64 0-d tensor -> float32; int32 tensor + int64 0-d -> int32;
  * int64 tensor + 2.5 -> the default float dtype; float32 tensor + int64 tensor -> float32;
  * int64 tensor / int64 tensor -> the default float dtype (true division).

NOTE: numpy's own rules differ (an int64 array with a float32 array is float64; a
0-d float64 array promotes a float32 array), so the tensor operators cast their operands
here before numpy sees them.
"""
import numpy as np

from tinynet import dtypes

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < float
# PyTorch promotes these only to themselves and to floating types (uint8 is an old type)
UNSIGNED_APART = frozenset(map(np.dtype, ("uint16", "uint32", "uint64")))


def promote_types(type1, type2) -> np.dtype:
    """The smallest dtype both dtypes convert to, as ``torch.promote_types``: like numpy's,
    except that an integer never widens a float (int64 with float32 is float32), and that
    uint16, uint32 and uint64 promote to no other integer type or bool (TypeError)."""
    type1, type2 = np.dtype(type1), np.dtype(type2)
    if type1 == type2:
        return type1
    if (type1.kind == "f") != (type2.kind == "f"):
        return type1 if type1.kind == "f" else type2
    if type1 in UNSIGNED_APART or type2 in UNSIGNED_APART:
        raise TypeError(f"promote_types: uint16, uint32 and uint64 promote only to themselves "
                        f"and to floating types (as in PyTorch), got {type1} and {type2}")
    return np.promote_types(type1, type2)


def result_type(*operands) -> np.dtype:
    """The dtype PyTorch gives an arithmetic op on ``operands`` (tensors, numpy arrays,
    Python or numpy scalars), as ``torch.result_type``.

    Example:
        >>> import tinynet as tn
        >>> tn.result_type(tn.ones(2), tn.tensor([1, 2])) == tn.float32
        True
        >>> tn.result_type(tn.tensor([1, 2]), 2.5) == tn.get_default_dtype()
        True
    """
    groups = [None, None, None]  # tensors with dims, 0-d tensors, scalars: promoted dtypes
    for x in operands:
        group, dtype = _group_and_dtype(x)
        if group is None:
            raise TypeError(f"result_type: operands must be tensors, arrays or numbers, "
                            f"got {type(x).__name__}")
        previous = groups[group]
        groups[group] = dtype if previous is None else promote_types(previous, dtype)
    return _over(groups[0], _over(groups[1], groups[2]))


def promote(x, y, floating: bool = False):
    """Tensor ``x`` and ``y`` cast to their result dtype (the order is the caller's: for
    ``2 - x`` it calls ``promote(x, 2)``). A Python scalar is left as it is: numpy treats
    it as weak and keeps the tensor's dtype. ``floating``: the result must be floating
    point (true division), the default dtype for integer operands. Operands of other
    types (lists) are left to numpy."""
    if (type(y) is float or type(y) is int) and x.array.dtype.kind == "f":
        return x, y  # the common case a * 2.0: nothing to do
    try:
        dtype = result_type(x, y)
    except TypeError:
        if _group_and_dtype(y)[0] is not None:
            raise  # dtypes that do not promote (uint16 with int64), not a list
        return x, y
    if floating and dtype.kind != "f":
        dtype = dtypes.get_default_dtype()
    return _cast(x, dtype), _cast(y, dtype)


def compare(op, x, y):
    """A boolean tensor: ``op`` (``operator.eq``, ``operator.lt``...) on tensor ``x`` and
    ``y`` in their common dtype (``y`` a tensor, an array or a number: the Tensor's
    operators hand back anything else, as PyTorch's do). No gradient."""
    if not (isinstance(y, Tensor) and y.array.dtype is x.array.dtype):
        x, y = promote(x.detach(), y)
    out = op(x.array, y.array if isinstance(y, Tensor) else y)
    values_read()  # a mask made from the values, by no op (tn.capture cannot replay it)
    return Tensor._wrap(np.asarray(out), False, None)


def _group_and_dtype(x):
    """(priority group, dtype) of one operand; group None for an unknown type."""
    if isinstance(x, (Tensor, np.ndarray)):
        array = x.array if isinstance(x, Tensor) else x
        return (0 if array.ndim else 1), array.dtype
    # NOTE: numpy scalars count as Python numbers (weak), as in PyTorch
    if isinstance(x, (bool, np.bool_)):
        return 2, np.dtype(np.bool_)
    if isinstance(x, (int, np.integer)):
        return 2, np.dtype(np.int64)
    if isinstance(x, (float, np.floating)):
        return 2, dtypes.get_default_dtype()
    return None, None


def _over(higher, lower):
    """Combine a group's dtype with the lower groups' one: the lower counts only when it
    is of a higher category (PyTorch's ``combine_categories``)."""
    if higher is None:
        return lower
    if lower is not None and _CATEGORY[lower.kind] > _CATEGORY[higher.kind]:
        return lower
    return higher


def _cast(x, dtype: np.dtype):
    if isinstance(x, Tensor):
        return x if x.array.dtype == dtype else x.to(dtype)
    if isinstance(x, np.ndarray):
        return x.astype(dtype, copy=False)
    if type(x) is int and dtype.kind in "iu":
        # wraps around as in PyTorch (uint8 tensor + 300); numpy would raise OverflowError
        return np.array(x).astype(dtype)
    return x


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports this module)
from tinynet.autograd.observers import values_read  # noqa: E402


def times_alpha(where: str, other, alpha, *result_operands):
    """``alpha · other`` for ``add``/``sub``'s ``alpha``, checked against the dtype of the
    result (that of ``result_operands``) as PyTorch checks it: a bool alpha only for a
    bool result, a floating alpha not for an integer or bool one, no complex alpha. The
    product is taken in the result's dtype (a uint8 ``other`` times 2 does not wrap when
    the result is int64); for a bool result it is logical: ``other`` where alpha is
    nonzero."""
    if type(alpha) is int and alpha == 1:  # the usual call
        return other
    dtype = result_type(*result_operands)
    if isinstance(alpha, (complex, np.complexfloating)):
        raise RuntimeError(f"{where}: alpha must not be a complex number (tinynet has no "
                           f"complex tensors), got alpha={alpha!r}")
    if alpha is True or alpha is False or isinstance(alpha, np.bool_):
        if dtype != np.bool_:
            raise RuntimeError(f"{where}: a bool alpha needs a bool result (as in PyTorch), "
                               f"got alpha={alpha!r} for a {dtype} result")
    elif dtype.kind in "biu" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError(f"{where}: alpha must not be a floating point number for an "
                           f"integer or bool result (as in PyTorch), got alpha={alpha!r} "
                           f"for a {dtype} result")
    if dtype == np.bool_:
        return other if alpha else other & False  # (other is a bool, or a bool tensor)
    if alpha == 1:
        return other
    if isinstance(other, Tensor) and other.dtype != dtype:
        other = other.to(dtype)
    return other * alpha
