"""Membership and sorted search, as PyTorch's functions: ``isin``, ``searchsorted``,
``bucketize``. Their results are integer or boolean constants (no gradient)."""
# ruff: noqa: A002  (PyTorch's argument names: input)
import numbers

import numpy as np

from tinynet.autograd.observers import values_read
from tinynet.promotion import result_type
from tinynet.tensor import Tensor


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """A boolean tensor of ``elements``' shape: whether each is among ``test_elements``
    (either may be a number; compared in their result dtype, so nan is never in);
    ``invert`` gives the opposite.

    Example:
        >>> import tinynet as tn
        >>> tn.isin(tn.tensor([1, 2, 3]), tn.tensor([2, 5]))
        tensor([False,  True, False])
    """
    _check_operands("isin", ("elements", elements), ("test_elements", test_elements))
    dtype = result_type(elements, test_elements)
    if dtype == np.bool_:
        raise TypeError("isin: boolean elements and test_elements are not supported (as in "
                        "PyTorch); use integers")
    values_read()
    found = np.isin(_array(elements, dtype), _array(test_elements, dtype),
                    assume_unique=assume_unique, invert=invert)
    return Tensor._wrap(np.asarray(found), False, None)


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None):
    """Where each value of ``input`` (a tensor or a number; PyTorch's documentation calls
    it ``values``, its keyword is ``input``) would go in ``sorted_sequence`` (sorted along
    its last dim) to keep it sorted: the first such position (the last with
    ``right=True`` or ``side='right'``). A 1-D sequence serves every value; an N-D one
    holds one sequence per row of ``input``, whose leading dims must match. ``sorter``:
    the indices that sort an unsorted sequence. int64 indices (int32 with
    ``out_int32``).

    Example:
        >>> import tinynet as tn
        >>> tn.searchsorted(tn.tensor([1, 3, 5, 7]), tn.tensor([3, 6, 9]))
        tensor([1, 3, 4])
    """
    if not isinstance(sorted_sequence, Tensor) or sorted_sequence.ndim == 0:
        raise ValueError(f"searchsorted: sorted_sequence must be a tensor with at least 1 "
                         f"dim, got {_describe(sorted_sequence)}")
    _check_operands("searchsorted", ("input", input))
    if side not in (None, "left", "right"):
        raise ValueError(f"searchsorted: side must be 'left', 'right' or None, got {side!r}")
    if side == "left" and right:
        raise ValueError("searchsorted: side='left' and right=True contradict each other")
    side = "right" if right or side == "right" else "left"
    dtype = result_type(sorted_sequence, input)
    values_read()
    sequence = sorted_sequence.array.astype(dtype, copy=False)
    if sorter is not None:
        sequence = np.take_along_axis(sequence, _sorter(sorter, sequence.shape), axis=-1)
    wanted = _array(input, dtype)
    if sequence.ndim == 1:
        found = np.searchsorted(sequence, wanted, side=side)
    else:
        if wanted.ndim != sequence.ndim or wanted.shape[:-1] != sequence.shape[:-1]:
            raise ValueError(f"searchsorted: a sorted_sequence of shape {sequence.shape} "
                             f"needs an input with the same leading dims "
                             f"{sequence.shape[:-1]}, got shape {wanted.shape}")
        rows, inner = sequence.reshape(-1, sequence.shape[-1]), wanted.reshape(-1,
                                                                              wanted.shape[-1])
        found = np.stack([np.searchsorted(row, v, side=side) for row, v in zip(rows, inner)]
                         ).reshape(wanted.shape)
    return Tensor._wrap(np.asarray(found, dtype=np.int32 if out_int32 else np.int64), False,
                        None)


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):
    """The bucket of each element of ``input`` (a tensor or a number) among the sorted
    1-D ``boundaries``: i with boundaries[i-1] < x <= boundaries[i] (with ``right=True``,
    boundaries[i-1] <= x < boundaries[i]), as ``searchsorted(boundaries, input)``.

    Example:
        >>> import tinynet as tn
        >>> tn.bucketize(tn.tensor([0.5, 1.0, 3.0, 7.0]), tn.tensor([1.0, 5.0]))
        tensor([0, 0, 1, 2])
    """
    if not isinstance(boundaries, Tensor) or boundaries.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be a 1-D tensor, got "
                         f"{_describe(boundaries)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _check_operands(where: str, *named) -> None:
    for name, x in named:
        if not isinstance(x, (Tensor, numbers.Number, np.number)):
            raise TypeError(f"{where}: {name} must be a tensor or a number, got "
                            f"{type(x).__name__}")
    if where == "isin" and not any(isinstance(x, Tensor) for _, x in named):
        raise TypeError("isin: elements or test_elements must be a tensor, got two numbers")


def _sorter(sorter, shape: tuple) -> np.ndarray:
    if not isinstance(sorter, Tensor) or sorter.dtype.kind not in "iu" or sorter.shape != shape:
        raise ValueError(f"searchsorted: sorter must be an integer tensor of "
                         f"sorted_sequence's shape {shape}, got {_describe(sorter)}")
    order = sorter.array
    if order.size and (order.min() < 0 or order.max() >= shape[-1]):
        raise ValueError(f"searchsorted: sorter indices must be in [0, {shape[-1] - 1}], got "
                         f"{order.min() if order.min() < 0 else order.max()}")
    return order


def _array(x, dtype) -> np.ndarray:
    return np.asarray(x.array if isinstance(x, Tensor) else x, dtype=dtype)


def _describe(x) -> str:
    if isinstance(x, Tensor):
        return f"shape {x.shape} and dtype {x.dtype}"
    return type(x).__name__
