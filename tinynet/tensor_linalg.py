"""``TensorLinalg``: matrix products (``mm``, ``mv``, ``dot``, ``bmm``, ``outer``,
``addmm``, ``kron``), the cross product (``cross``), square matrices (``inverse``,
``det``, ``slogdet``, ``logdet``: ``tinynet.linalg``'s functions) and matrix structure
(``diag``, ``diagonal``, ``trace``, ``tril``, ``triu``) as Tensor methods (``Tensor`` inherits them;
see ``tensor_math.py``).

Each is composed from differentiable ops (``@``, ``*``, indexing, ``where``), so its
gradient is theirs.
"""
import warnings

import numpy as np

from tinynet.tensor_math import TensorMath, constant_tensor, numpy_names, single_dim


class TensorLinalg:
    """Matrix products and matrix structure; see the module docstring."""

    __slots__ = ()

    # ---- products -------------------------------------------------------------------------
    def mm(self, mat2):
        """The product of two matrices (2-D tensors; no broadcasting, as in PyTorch)."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: both operands must be matrices (2-D), got shapes "
                               f"{self.shape} and {mat2.shape}")
        return self @ mat2

    def mv(self, vec):
        """The product of a matrix (2-D) and a vector (1-D)."""
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"mv: the operands must be a matrix (2-D) and a vector (1-D), "
                               f"got shapes {self.shape} and {vec.shape}")
        return self @ vec

    def dot(self, other):
        """The dot product of two 1-D tensors of the same length."""
        if self.ndim != 1 or other.ndim != 1 or self.shape != other.shape:
            raise RuntimeError(f"dot: both operands must be 1-D of the same length, got "
                               f"shapes {self.shape} and {other.shape}")
        return self @ other

    def bmm(self, mat2):
        """Batched matrix product: (B, n, m) @ (B, m, p) -> (B, n, p), one batch size,
        no broadcasting (as in PyTorch)."""
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError(f"bmm: both operands must be 3-D (batch, rows, columns), got "
                               f"shapes {self.shape} and {mat2.shape}")
        if mat2.shape[:2] != (self.shape[0], self.shape[2]):
            raise RuntimeError(f"bmm: mat2 must have shape ({self.shape[0]}, {self.shape[2]}, "
                               f"p) to multiply input of shape {self.shape}, got {mat2.shape}")
        return self @ mat2

    def outer(self, vec2):
        """The outer product of two 1-D tensors: out[i, j] = self[i] · vec2[j]."""
        if self.ndim != 1 or getattr(vec2, "ndim", None) != 1:
            raise RuntimeError(f"outer: both operands must be 1-D, got shapes {self.shape} "
                               f"and {getattr(vec2, 'shape', type(vec2).__name__)}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)  # (n, 1) * (1, m): (n, m)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """beta · self + alpha · (mat1 @ mat2), ``self`` broadcast to the product's shape.
        With ``beta=0`` self is ignored (nan and inf in it do not propagate) and its
        gradient is 0, as in PyTorch."""
        product = mat1.mm(mat2)
        if not _broadcasts_to(self.shape, product.shape):
            raise RuntimeError(f"addmm: input of shape {self.shape} does not broadcast to the "
                               f"product's shape {product.shape}")
        if alpha != 1:
            product = product * alpha
        if beta == 0:  # where(False, self, product): self's values never reach the result
            x = self if self.dtype == product.dtype else self.to(product.dtype)
            return ops.Where.apply(np.zeros(product.shape, dtype=bool), x, product)
        return (self if beta == 1 else self * beta) + product

    def kron(self, other):
        """The Kronecker product: out[i·m + k, j·n + l] = self[i, j] · other[k, l] (for
        2-D; any number of dims, the fewer padded with leading 1s), in the operands'
        result dtype."""
        if not isinstance(other, TensorMath):
            raise TypeError(f"kron: other must be a tensor, got {type(other).__name__}")
        x, y = _promote(self, other)
        ndim = max(x.ndim, y.ndim)
        x_shape = (1,) * (ndim - x.ndim) + x.shape
        y_shape = (1,) * (ndim - y.ndim) + y.shape
        # x as (a0, 1, a1, 1, ...) times y as (1, b0, 1, b1, ...): (a0, b0, a1, b1, ...)
        spread_x = x.reshape(tuple(n for a in x_shape for n in (a, 1)))
        spread_y = y.reshape(tuple(n for b in y_shape for n in (1, b)))
        return (spread_x * spread_y).reshape(tuple(a * b for a, b in zip(x_shape, y_shape)))

    @numpy_names
    def cross(self, other, dim=None):
        """The cross product of 3-vectors along ``dim`` (self and other broadcast, with one
        number of dims and dtype). ``dim=None`` takes the first dim of size 3, with
        PyTorch's deprecation warning (``linalg.cross`` takes the last one)."""
        if dim is None and isinstance(other, TensorMath):
            sizes = _broadcast_shape("cross", self, other)
            if 3 not in sizes:
                raise ValueError(f"cross: no dim of size 3 in the inputs, shapes {self.shape} "
                                 f"and {other.shape}")
            dim = sizes.index(3)
            warnings.warn("cross without dim is deprecated (as in PyTorch): it takes the "
                          "first dim of size 3; pass dim, or use tinynet.linalg.cross (the "
                          "last dim)", UserWarning, stacklevel=2)
        return cross_product("cross", self, other, dim)

    # ---- square matrices (tinynet.linalg's functions, imported late: it imports Tensor) ---
    def inverse(self):
        """A⁻¹ of each square matrix in the last two dims (``tn.linalg.inv``)."""
        from tinynet.linalg import inv
        return inv(self)

    def det(self):
        """The determinant of each square matrix in the last two dims (``tn.linalg.det``)."""
        from tinynet.linalg import det
        return det(self)

    def slogdet(self):
        """``(sign, logabsdet)`` of each square matrix's determinant
        (``tn.linalg.slogdet``)."""
        from tinynet.linalg import slogdet
        return slogdet(self)

    def logdet(self):
        """log det of each square matrix: -inf where it is 0 and nan where it is negative,
        as PyTorch's (logabsdet + log sign; the gradient is logabsdet's)."""
        from tinynet.linalg import slogdet
        sign, logabsdet = slogdet(self)
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, log -1 = nan
            return logabsdet + constant_tensor(np.log(sign.array), from_values=False)

    # ---- matrix structure -------------------------------------------------------------------
    def diag(self, diagonal: int = 0):
        """1-D input: a square matrix with self on the ``diagonal``-th diagonal (0 the
        main one, > 0 above it, < 0 below), zeros elsewhere. 2-D input: that diagonal of
        the matrix, as a 1-D tensor."""
        if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
            raise TypeError(f"diag: diagonal must be an integer, got {diagonal!r}")
        above, below = max(diagonal, 0), max(-diagonal, 0)  # offsets of columns and rows
        if self.ndim == 1:
            n = self.shape[0] + abs(diagonal)
            zeros = constant_tensor(np.zeros((n, n), dtype=self.dtype), from_values=False)
            steps = np.arange(self.shape[0])
            return ops.SetItem.apply(zeros, self, (steps + below, steps + above))
        if self.ndim == 2:
            rows, cols = self.shape
            length = max(min(rows - below, cols - above), 0)
            steps = np.arange(length)
            return self[steps + below, steps + above]
        raise RuntimeError(f"diag: input must be 1-D or 2-D, got {self.ndim}-D (shape "
                           f"{self.shape})")

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        """The diagonal of the (``dim1``, ``dim2``) planes at ``offset`` (0 the main one,
        > 0 above it, < 0 below), as the last dim; a writable view of the values, as in
        PyTorch (in place outside the graph, ``x.diagonal().add_(eps)`` changes x)."""
        if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
            raise TypeError(f"diagonal: offset must be an integer, got {offset!r}")
        if self.ndim < 2:
            raise RuntimeError(f"diagonal: input must have at least 2 dimensions, got shape "
                               f"{self.shape}")
        first, second = check_dim(dim1, self.ndim), check_dim(dim2, self.ndim)
        if first == second:
            raise RuntimeError(f"diagonal: dim1 and dim2 must be different dimensions, got "
                               f"{dim1} and {dim2}")
        return ops.Diagonal.apply(self, int(offset), first, second)  # (shares the counter)

    def trace(self):
        """The sum of a matrix's main diagonal (integers give int64)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: input must be a matrix (2-D), got shape {self.shape}")
        return self.diag().sum()

    def tril(self, diagonal: int = 0):
        """The lower triangle of the matrices in the last two dims: elements (i, j) with
        j <= i + diagonal are kept, the rest are 0 (not multiplied: inf stays out)."""
        return self._triangle("tril", diagonal)

    def triu(self, diagonal: int = 0):
        """The upper triangle: elements (i, j) with j >= i + diagonal kept, the rest 0."""
        return self._triangle("triu", diagonal)

    def _triangle(self, name: str, diagonal):
        if self.ndim < 2:
            raise RuntimeError(f"{name}: input must have at least 2 dimensions, got shape "
                               f"{self.shape}")
        if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
            raise TypeError(f"{name}: diagonal must be an integer, got {diagonal!r}")
        rows, cols = self.shape[-2:]
        lower = np.tri(rows, cols, diagonal, dtype=bool)  # j <= i + diagonal
        keep = lower if name == "tril" else ~np.tri(rows, cols, diagonal - 1, dtype=bool)
        return ops.Where.apply(keep, self, np.zeros((), dtype=self.dtype))


def cross_product(where: str, x, y, dim):
    """x × y along ``dim`` (both of size 3 there): (x₂y₃ - x₃y₂, x₃y₁ - x₁y₃, x₁y₂ - x₂y₁),
    composed of differentiable products."""
    if not isinstance(y, TensorMath):
        raise TypeError(f"{where}: other must be a tensor, got {type(y).__name__}")
    if x.dtype != y.dtype:
        raise TypeError(f"{where}: input and other must have one dtype (as in PyTorch), got "
                        f"{x.dtype} and {y.dtype}")
    _broadcast_shape(where, x, y)
    dim = single_dim(dim, x.ndim, where)
    if x.ndim == 0 or x.shape[dim] != 3 or y.shape[dim] != 3:
        raise ValueError(f"{where}: dim {dim} of input and other must have size 3, got "
                         f"shapes {x.shape} and {y.shape}")
    x1, x2, x3 = x.unbind(dim)
    y1, y2, y3 = y.unbind(dim)
    return _stack([x2 * y3 - x3 * y2, x3 * y1 - x1 * y3, x1 * y2 - x2 * y1], dim)


def _broadcast_shape(where: str, x, y) -> tuple:
    if x.ndim != y.ndim:
        raise ValueError(f"{where}: input and other must have the same number of dims (as "
                         f"in PyTorch), got shapes {x.shape} and {y.shape}")
    try:
        return np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"{where}: input and other must broadcast together, got shapes "
                         f"{x.shape} and {y.shape}") from None


def _stack(tensors, dim: int):
    from tinynet.combining import stack  # NOTE: late: combining.py imports Tensor
    return stack(tensors, dim)


def _promote(x, y):
    from tinynet.promotion import promote  # NOTE: late: promotion.py imports Tensor
    return promote(x, y)


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.ops.reduce import check_dim  # noqa: E402
