"""Functions of several tensors: ``cat``, ``stack``, ``where``, ``einsum``, ``meshgrid``,
and the arithmetic functions with PyTorch's extra arguments (``add(x, y, alpha=2)``,
``div(x, y, rounding_mode='floor')``, ``matmul(x, y, out=z)``).

Each checks its arguments here, casts the operands to PyTorch's result dtype
(``tinynet/promotion.py``) and calls one op.
"""
# ruff: noqa: A002  (PyTorch's argument names: input)
import warnings

import numpy as np

from tinynet import ops
from tinynet.autograd.grad_mode import is_grad_enabled
from tinynet.autograd.observers import values_read
from tinynet.factories import tensor
from tinynet.ops.reduce import check_dim
from tinynet.promotion import promote, result_type, times_alpha
from tinynet.tensor import Tensor
from tinynet.tensor_inplace import storable_range
from tinynet.tensor_math import _divisible, guard_read, numpy_names


@numpy_names
def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing ``dim``; their shapes agree in the other dims.

    Example:
        >>> import tinynet as tn
        >>> tn.cat([tn.zeros(2, 3), tn.ones(1, 3)]).shape
        (3, 3)
    """
    tensors = _tensor_list(tensors, "cat")
    if any(t.ndim == 0 for t in tensors):
        raise RuntimeError("cat: tensors must have at least one dimension, got a 0-D tensor; "
                           "use stack to join 0-D tensors")
    # NOTE: as in PyTorch, a 1-D empty tensor may join tensors of any rank (it is
    # skipped), and its dtype still counts in the result's
    dtype = result_type(*tensors)
    joined = [t for t in tensors if t.shape != (0,)] or tensors[:1]
    dim = check_dim(dim, joined[0].ndim)
    first = joined[0].shape
    for i, t in enumerate(tensors):
        if t.shape == (0,):  # (left out)
            continue
        if t.ndim != len(first) or _without(t.shape, dim) != _without(first, dim):
            raise RuntimeError(f"cat: the tensors must have the same shape except in dim "
                               f"{dim}, got {first} and {t.shape} (tensor {i})")
    return ops.Cat.apply(dim, *[t if t.dtype == dtype else t.to(dtype) for t in tensors])


concat = concatenate = cat


def hstack(tensors) -> Tensor:
    """Join along the columns: ``cat`` along dim 1, or dim 0 for 1-D tensors (0-d ones
    taken as 1-D, as in PyTorch)."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def column_stack(tensors) -> Tensor:
    """Join as columns: 1-D (and 0-d) tensors become columns, 2-D ones keep theirs."""
    tensors = _tensor_list(tensors, "column_stack")
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors], 1)


def vstack(tensors) -> Tensor:
    """Join along the rows: ``cat`` along dim 0, 1-D (and 0-d) tensors taken as rows."""
    tensors = _tensor_list(tensors, "vstack")
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0)


@numpy_names
def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: the tensors must have the same shape, got "
                               f"{tensors[0].shape} and {t.shape} (tensor {i})")
    return ops.Stack.apply(check_dim(dim, tensors[0].ndim + 1), *_same_dtype(tensors))


def where(condition, input=None, other=None):
    """``input`` where the boolean ``condition`` holds, else ``other`` (tensors or numbers,
    broadcast together; the gradient flows to each where it was chosen). With the
    condition alone: the indices of its True elements, one tensor per dim.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([-1.0, 2.0])
        >>> tn.where(x > 0, x, 0.0)
        tensor([0., 2.])
    """
    cond = np.asarray(condition.array if isinstance(condition, Tensor) else condition)
    if input is None and other is None:
        values_read()  # as nonzero: a shape made from the values
        return tuple(Tensor._wrap(i, False, None) for i in np.nonzero(cond))
    if input is None or other is None:
        raise TypeError(f"where: input and other must be given together (or neither), got "
                        f"only {'input' if other is None else 'other'}")
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: condition must be a boolean tensor, got dtype {cond.dtype}")
    if isinstance(input, Tensor):
        _check_fits("other", other, input)
        input, other = promote(input, other)
    elif isinstance(other, Tensor):
        _check_fits("input", input, other)
        other, input = promote(other, input)
    else:  # two numbers: arrays of their result dtype
        dtype = result_type(input, other)
        input, other = np.asarray(input, dtype=dtype), np.asarray(other, dtype=dtype)
    return guard_read(ops.Where.apply(cond, input, other), condition)


def _check_fits(name: str, number, tensor: Tensor) -> None:
    """A Python int beside an integer tensor in ``where`` must fit the tensor's dtype as
    PyTorch's rule has it (an unsigned dtype also takes -max..-1, wrapped: uint8 -1 is
    255); numpy would wrap any int round (300 in uint8: 44)."""
    if type(number) is int and tensor.array.dtype.kind in "iu":
        low, high = storable_range(tensor.array.dtype)
        if not low <= number <= high:
            raise RuntimeError(f"where: {name} {number} cannot be converted to the tensor's "
                               f"dtype {tensor.dtype} without overflow (as in PyTorch); it "
                               f"must be in [{low}, {high}]")


def meshgrid(*tensors, indexing=None) -> tuple:
    """Coordinate grids from 0-D or 1-D tensors of one dtype (given as arguments or one
    list): with ``indexing='ij'`` output k has shape (n₀, n₁, ...) and varies along dim
    k; with ``'xy'`` (Cartesian, as numpy's default) the first two dims are swapped.
    Omitting ``indexing`` means ``'ij'`` and warns, as in PyTorch. Differentiable (each
    output is its input broadcast).

    Example:
        >>> import tinynet as tn
        >>> rows, cols = tn.meshgrid(tn.arange(2), tn.arange(3), indexing="ij")
        >>> rows.tolist(), cols.tolist()
        ([[0, 0, 0], [1, 1, 1]], [[0, 1, 2], [0, 1, 2]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("meshgrid: pass indexing='ij' (the default, used now) or 'xy': as in "
                      "PyTorch, a future release may require it", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    tensors = _tensor_list(tensors, "meshgrid")
    for i, x in enumerate(tensors):
        if x.ndim > 1:
            raise RuntimeError(f"meshgrid: tensors must be 0-D or 1-D, got shape {x.shape} "
                               f"(tensor {i})")
        if x.dtype != tensors[0].dtype:
            raise RuntimeError(f"meshgrid: the tensors must have one dtype, got "
                               f"{tensors[0].dtype} and {x.dtype} (tensor {i})")
    dims = list(range(len(tensors)))  # the output dim along which tensor k varies
    if indexing == "xy" and len(dims) > 1:
        dims[0], dims[1] = 1, 0
    shape = [0] * len(tensors)
    for x, dim in zip(tensors, dims):
        shape[dim] = x.numel()
    grids = []
    for x, dim in zip(tensors, dims):
        line = [1] * len(shape)
        line[dim] = x.numel()
        grids.append(x.reshape(line).broadcast_to(shape))
    return tuple(grids)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", x, y)`` is x @ y,
    ``einsum("bi,bi->b", x, y)`` row-wise dot products. Operands may also come as one
    list. Without ``->`` the output is the letters used once, in alphabetical order.
    NOTE: ``...`` and a letter repeated within one operand (``"ii->i"``) are not
    supported."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if "." in equation:
        raise ValueError(f"einsum: '...' is not supported, got {equation!r}")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: operands must be one tensor per term of the equation "
                         f"({len(terms)}), got {len(operands)}")
    for term, x in zip(terms, operands):
        if not isinstance(x, Tensor) or len(term) != x.ndim or len(set(term)) != len(term):
            raise ValueError(f"einsum: operand {term!r} must name each dim of a tensor by a "
                             f"distinct letter, got {_describe(x)}")
    if not arrow:
        output = "".join(sorted(c for c in set(inputs) if c.isalpha() and inputs.count(c) == 1))
    if len(set(output)) != len(output) or not set(output) <= set(inputs):
        raise ValueError(f"einsum: the output {output!r} must use distinct letters from the "
                         f"inputs {inputs!r}")
    return ops.Einsum.apply(f"{inputs}->{output}", *_same_dtype(list(operands)))


def add(input, other, alpha=1, out=None):
    """input + alpha · other (written into ``out`` when given, see ``matmul``)."""
    input = _tensor(input)
    return _into(out, input + times_alpha("add", other, alpha, input, other), "add")


def sub(input, other, alpha=1, out=None):
    """input - alpha · other (written into ``out`` when given, see ``matmul``)."""
    input = _tensor(input)
    return _into(out, input - times_alpha("sub", other, alpha, input, other), "sub")


subtract = sub


def mul(input, other, out=None):
    """input · other (written into ``out`` when given, see ``matmul``)."""
    return _into(out, _tensor(input) * other, "mul")


multiply = mul


def div(input, other, rounding_mode=None, out=None):
    """input / other; ``rounding_mode`` ``'trunc'`` (towards 0) or ``'floor'`` rounds the
    quotient (integers then stay integers, computed exactly). Rounding has gradient 0.
    Written into ``out`` when given (see ``matmul``)."""
    return _into(out, _div(input, other, rounding_mode), "div")


def _div(input, other, rounding_mode):
    if rounding_mode not in (None, "trunc", "floor"):
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got "
                         f"{rounding_mode!r}")
    x = _tensor(input)
    if rounding_mode == "floor":  # Python's //, from the exact remainder
        return x.floor_divide(other)
    dtype = result_type(x, other)
    if rounding_mode == "trunc" and dtype.kind in "biu":
        a, b = x.array, other.array if isinstance(other, Tensor) else other
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("div: integer division by zero (the divisor has a 0)")
        values_read()  # integers divided by no op
        return Tensor._wrap(np.asarray(np.trunc(a / b)).astype(dtype), False, None)
    if rounding_mode is None:
        return x / other
    return ops.TruncDivide.apply(*_divisible(x, other, "div"))


divide = true_divide = div


def matmul(input, other, out=None):
    """input @ other (numpy's rules); with ``out``, the result is written into it (no
    gradient, as in PyTorch)."""
    return _into(out, input @ other, "matmul")


def _into(out, result, name: str):
    """``result``, or ``out`` holding it (cast to out's dtype): PyTorch's ``out=``
    (which records no gradient). ``out`` must already have the result's shape."""
    if out is None:
        return result
    if is_grad_enabled() and result.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad")
    if out.shape != result.shape:
        raise RuntimeError(f"{name}: out must have the result's shape {result.shape}, got "
                           f"{out.shape}")
    out[...] = result
    return out


def _tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}: tensors must be a list or tuple of tensors, got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{name}: tensors must be a non-empty list, got {tensors!r}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: tensors must be Tensors, got {type(t).__name__} at "
                            f"position {i}")
    return list(tensors)


def _same_dtype(tensors: list) -> list:
    """The tensors cast to their result dtype (PyTorch promotes cat's inputs too)."""
    dtype = result_type(*tensors)
    return [t if t.dtype == dtype else t.to(dtype) for t in tensors]


def _without(shape: tuple, dim: int) -> tuple:
    return shape[:dim] + shape[dim + 1:]


def _describe(x) -> str:
    return f"shape {x.shape}" if isinstance(x, Tensor) else type(x).__name__
