"""``tinynet.linalg``: the norms of ``torch.linalg`` (``vector_norm``, ``matrix_norm``,
``norm``), its ``cross``, and its square-matrix functions ``inv``, ``solve``, ``det`` and
``slogdet`` (ops in ``ops/linalg.py``), with PyTorch's arguments and rules.

Each is composed of differentiable ops (the vector p-norm op ``Norm``, ``abs``, ``sum``,
``amax``, ``amin``), so its gradient is theirs: at a tie of the largest (or smallest)
column or row sum, the gradient is split evenly among them, as ``amax`` splits it and as
PyTorch's ``matrix_norm`` does. The spectral norms (``ord=2``, ``-2``, ``'nuc'``) need a
singular value decomposition and are not implemented.
"""
import collections
import math

import numpy as np

from tinynet import ops
from tinynet.autograd.observers import values_read
from tinynet.ops.linalg import LinAlgError
from tinynet.ops.reduce import check_dim
from tinynet.tensor import Tensor
from tinynet.tensor_linalg import cross_product

__all__ = ["LinAlgError", "cross", "det", "inv", "matrix_norm", "norm", "slogdet", "solve",
           "vector_norm"]

SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])

_MATRIX_ORDERS = ("fro", math.inf, -math.inf, 1, -1)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """‖x‖ = (Σ |x|^ord)^(1/ord) over ``dim`` (every element when None): ``ord`` a number
    (inf: the largest |x|, -inf: the smallest, 0: the count of non-zero elements).

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.vector_norm(tn.tensor([[3.0, 4.0], [0.0, 12.0]]), dim=1)
        tensor([ 5., 12.])
    """
    x = _floating(x, dtype, "vector_norm")
    if isinstance(ord, (bool, str)) or not isinstance(ord, (int, float, np.integer,
                                                            np.floating)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return x.norm(float(ord), dim, keepdim)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,
                dtype=None) -> Tensor:
    """The norm of each matrix in the ``dim`` planes of ``A``: ``'fro'`` (the root of the
    sum of squares), inf (the largest row sum of |A|), -inf (the smallest), 1 (the largest
    column sum), -1 (the smallest). The spectral orders (2, -2, ``'nuc'``) are not
    implemented (``NotImplementedError``).

    Example:
        >>> import tinynet as tn
        >>> A = tn.tensor([[1.0, -2.0], [3.0, 4.0]])
        >>> tn.linalg.matrix_norm(A, ord=1).item()   # columns: 1 + 3, 2 + 4
        6.0
    """
    A = _floating(A, dtype, "matrix_norm")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: A must have at least 2 dimensions, got "
                           f"shape {A.shape}")
    rows, cols = _matrix_dims(dim, A.ndim)
    if ord == "nuc" or not isinstance(ord, (bool, str)) and ord in (2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} (a spectral norm, from "
                                  f"the singular values) is not implemented; ord must be "
                                  f"one of 'fro', inf, -inf, 1, -1")
    if isinstance(ord, bool) or ord not in _MATRIX_ORDERS:
        raise RuntimeError(f"linalg.matrix_norm: ord must be one of 'fro', inf, -inf, 1, -1 "
                           f"(2, -2 and 'nuc' are not implemented), got {ord!r}")
    if ord == "fro":
        return A.norm(2.0, (rows, cols), keepdim)
    summed, across = (cols, rows) if ord in (math.inf, -math.inf) else (rows, cols)
    if A.shape[rows] == 0 or A.shape[cols] == 0:
        if ord < 0 and A.shape[across] == 0:
            raise IndexError(f"linalg.matrix_norm: ord={ord} is the smallest "
                             f"{'row' if across == rows else 'column'} sum, and A of shape "
                             f"{A.shape} has none")
        result = A.abs().sum(dim=(rows, cols), keepdim=True)  # sums of nothing: 0, as PyTorch
        return result if keepdim else result.squeeze((rows, cols))
    sums = A.abs().sum(dim=summed, keepdim=True)
    result = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
    return result if keepdim else result.squeeze((rows, cols))


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector or a matrix norm, as ``torch.linalg.norm`` chooses: with ``dim`` an int,
    ``vector_norm``; a pair, ``matrix_norm``; None, the 2-norm of every element when
    ``ord`` is None, else ``A`` must be 1-D (a vector norm) or 2-D (a matrix norm).

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.norm(tn.tensor([[3.0, 4.0], [0.0, 12.0]])).item()
        13.0
    """
    if dim is not None and not isinstance(dim, (int, np.integer)):
        dim = tuple(dim)
        if len(dim) == 1:
            dim = dim[0]
    if dim is None and ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: if dim is not given but ord is, A must be 1-D "
                               f"or 2-D, got shape {A.shape}")
        dim = 0 if A.ndim == 1 else (0, 1)
    if isinstance(dim, tuple):
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord={ord!r} is a matrix norm, which needs a "
                           f"2-tuple dim (or a 2-D A), got dim={dim!r}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of the 3-vectors along ``dim`` (the last by default; there
    ``input`` and ``other`` must have size 3), broadcast in the other dims; one number of
    dims and one dtype, as in PyTorch. Differentiable in both.

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.cross(tn.tensor([1.0, 0.0, 0.0]), tn.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"linalg.cross: input must be a Tensor, got {type(input).__name__}")
    return cross_product("linalg.cross", input, other, dim)


def inv(A: Tensor) -> Tensor:
    """A⁻¹ of each square matrix in the last two dims of ``A`` (the others a batch);
    ``LinAlgError`` (a RuntimeError) for a singular one.

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.inv(tn.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return ops.Inv.apply(_square(A, "inv"))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B), without forming A⁻¹: ``A`` (*, n, n) and
    ``B`` (*, n, k), or (*, n) for vectors (as PyTorch: when B is 1-D, or has one dim
    fewer than A and A's shape without its last dim); the batch dims broadcast.

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.solve(tn.tensor([[2.0, 1.0], [1.0, 3.0]]), tn.tensor([3.0, 5.0]))
        tensor([0.8000, 1.4000])
    """
    A = _square(A, "solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve: B must be a Tensor, got {type(B).__name__}")
    if B.dtype != A.dtype:
        raise RuntimeError(f"linalg.solve: A and B must have one dtype, got {A.dtype} and "
                           f"{B.dtype}")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if not left:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        if vector:
            raise RuntimeError("linalg.solve: left=False needs B to be a matrix (*, k, n), "
                               f"got shape {B.shape}")
        return solve(A.mT, B.mT).mT
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: B must have A's {A.shape[-1]} rows (shape (*, n) "
                           f"or (*, n, k)), got shape {B.shape} for A of shape {A.shape}")
    X = ops.Solve.apply(A, rhs)
    return X.squeeze(-1) if vector else X


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix in the last two dims of ``A``. Its gradient
    is the transposed adjugate, finite also at a singular matrix (PyTorch's is 0 at some
    singular matrices; see docs/api.md).

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.det(tn.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    return ops.Det.apply(_square(A, "det"))


def slogdet(A: Tensor) -> SlogdetResult:
    """``(sign, logabsdet)`` of each square matrix's determinant: det A = sign ·
    exp(logabsdet), without overflow; sign is -1, 0 or 1 (no gradient), logabsdet -inf
    for a singular matrix.

    Example:
        >>> import tinynet as tn
        >>> tn.linalg.slogdet(tn.tensor([[1.0, 2.0], [3.0, 4.0]])).sign
        tensor(-1.)
    """
    A = _square(A, "slogdet")
    sign = np.linalg.slogdet(A.array)[0]
    values_read()  # (the sign comes from the values, by no op)
    return SlogdetResult(Tensor._wrap(np.asarray(sign), False, None), ops.LogAbsDet.apply(A))


def _square(A, where: str) -> Tensor:
    """``A`` checked: a floating Tensor of square matrices (*, n, n)."""
    A = _floating(A, None, where)
    if A.dtype == np.float16:  # (numpy's linalg has no float16, nor has PyTorch's CPU)
        raise RuntimeError(f"linalg.{where}: A must be float32 or float64 (low precision "
                           f"is not supported), got float16; use A.float()")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{where}: A must be a batch of square matrices (*, n, n), "
                           f"got shape {A.shape}")
    return A


def _floating(x, dtype, where: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.{where}: the input must be a Tensor, got "
                        f"{type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.{where}: the input must be a floating-point tensor, got "
                           f"{x.dtype} (give dtype= or call .float())")
    return x


def _matrix_dims(dim, ndim: int) -> tuple:
    """``dim`` as the two different non-negative axes of the matrices."""
    if isinstance(dim, (int, np.integer)) or len(tuple(dim)) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a pair of dims, got {dim!r}")
    rows, cols = (check_dim(d, ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dim must name two different dims, got "
                           f"{tuple(dim)}")
    return rows, cols
