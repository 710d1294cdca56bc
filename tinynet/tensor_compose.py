"""``TensorCompose``: PyTorch's selection and placement methods that are compositions of
tinynet's own (``take``, ``take_along_dim``, ``index_copy``, ``masked_scatter``,
``diag_embed``, ``rot90``), so each one's gradient is theirs. ``Tensor`` inherits them;
the ``tn.*`` forms are in functions.py.
"""
import numpy as np

from tinynet.tensor_math import TensorMath, array_of, single_dim


class TensorCompose:
    """Selections and placements composed of other ops; see the module docstring."""

    __slots__ = ()

    def take(self, index):
        """The elements at ``index`` (an integer tensor) of self read as a flat array, in
        index's shape, as PyTorch's ``take``; negative indices count from the end."""
        _check_index("take", index)
        return self.reshape(-1)[index]

    def take_along_dim(self, indices, dim=None):
        """The values at ``indices`` along ``dim``, self and indices broadcast in the other
        dims (``gather`` after broadcasting), as PyTorch's; ``dim=None``: of self read as
        a flat array, indices too."""
        _check_index("take_along_dim", indices)
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        dim = single_dim(dim, self.ndim, "take_along_dim")
        if indices.ndim != self.ndim:
            raise RuntimeError(f"take_along_dim: indices must have as many dims as the "
                               f"input ({self.ndim}), got shape {tuple(indices.shape)}")
        shape = list(np.broadcast_shapes(
            tuple(1 if i == dim else n for i, n in enumerate(self.shape)),
            tuple(1 if i == dim else n for i, n in enumerate(indices.shape))))
        source = self.broadcast_to(tuple(shape[:dim] + [self.shape[dim]] + shape[dim + 1:]))
        index = indices.broadcast_to(tuple(shape[:dim] + [indices.shape[dim]] +
                                           shape[dim + 1:]))
        return source.gather(dim, index)

    def index_copy(self, dim: int, index, source):
        """A copy with the slices ``index[i]`` along ``dim`` replaced by ``source``'s i-th
        ones, as PyTorch's; differentiable in self (0 where replaced) and ``source``."""
        dim = single_dim(dim, max(self.ndim, 1), "index_copy")
        _check_index("index_copy", index)
        if index.ndim > 1:
            raise IndexError(f"index_copy: index must be 0-d or 1-D, got shape "
                             f"{tuple(index.shape)}")
        out = self.clone()
        out[(slice(None),) * dim + (index.reshape(-1),)] = source
        return out

    def index_copy_(self, dim: int, index, source):
        """``index_copy`` in place."""
        return self.copy_(self.index_copy(dim, index, source))

    def masked_scatter(self, mask, source):
        """A copy with the positions where the boolean ``mask`` (broadcast to self's shape)
        is True filled, in row-major order, with ``source``'s first elements, as
        PyTorch's; differentiable in self and ``source``."""
        mask_array = np.asarray(array_of(mask))
        if mask_array.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter: mask must be a boolean tensor, got dtype "
                               f"{mask_array.dtype}")
        full = np.broadcast_to(mask_array, self.shape)
        count = int(np.count_nonzero(full))
        if source.numel() < count:
            raise RuntimeError(f"masked_scatter: source must hold at least as many elements "
                               f"as the mask's True values ({count}), got {source.numel()}")
        out = self.clone()
        out[mask if mask_array.shape == self.shape else
            type(self)._wrap(full.copy(), False, None)] = source.reshape(-1)[:count]
        return out

    def masked_scatter_(self, mask, source):
        """``masked_scatter`` in place."""
        return self.copy_(self.masked_scatter(mask, source))

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1):
        """Each vector in the last dim placed on a diagonal (``offset`` > 0 above the main
        one) of a new matrix in dims ``dim1`` and ``dim2`` of the result, zeros
        elsewhere, as PyTorch's."""
        n = self.shape[-1] if self.ndim else 1
        size = n + abs(offset)
        rows = np.arange(n) + max(-offset, 0)
        cols = np.arange(n) + max(offset, 0)
        out = type(self)._wrap(np.zeros(self.shape[:-1] + (size, size), self.dtype),
                               False, None)
        out[..., rows, cols] = self
        ndim = out.ndim
        first, second = (single_dim(d, ndim, "diag_embed") for d in (dim1, dim2))
        if first == second:
            raise RuntimeError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and "
                               f"{dim2}")
        return out.movedim((ndim - 2, ndim - 1), (first, second))

    def rot90(self, k: int = 1, dims=(0, 1)):
        """Rotated by 90° ``k`` times in the plane of ``dims``, from the first dim's
        direction towards the second's, as PyTorch's (``flip`` and ``transpose``)."""
        dims = tuple(dims)
        if len(dims) != 2:
            raise RuntimeError(f"rot90: dims must be two dims, got {dims!r}")
        a, b = (single_dim(d, self.ndim, "rot90") for d in dims)
        if a == b:
            raise RuntimeError(f"rot90: dims must differ, got {dims!r}")
        k %= 4
        if k == 0:
            return self.clone()
        if k == 2:
            return self.flip(a, b)
        return self.flip(b).transpose(a, b) if k == 1 else self.transpose(a, b).flip(b)


def _check_index(where: str, index) -> None:
    if not isinstance(index, TensorMath) or index.dtype.kind not in "iu":
        kind = getattr(index, "dtype", type(index).__name__)
        raise TypeError(f"{where}: the indices must be an integer tensor, got {kind}")
