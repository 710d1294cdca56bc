"""``TensorSelect``: the Tensor methods that pick elements: ``topk``, ``gather``,
``masked_fill``, ``where``, ``chunk``, ``split`` (``Tensor`` inherits them; see
``tensor_math.py``)."""
from collections import namedtuple

import numpy as np

from tinynet.tensor_math import TensorMath, array_of, constant_tensor, numpy_names, single_dim

TopkResult = namedtuple("topk", ["values", "indices"])


class TensorSelect:
    """Selection and splitting; each result keeps the graph to the elements it took."""

    __slots__ = ()

    @numpy_names
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest
        first (smallest first). Among equal values the index order is unspecified, as in
        PyTorch."""
        dim = single_dim(dim, self.ndim, "topk")
        size = self.shape[dim] if self.ndim else 1
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= size:
            raise RuntimeError(f"topk: k must be an integer in [0, {size}] (the size of dim "
                               f"{dim}), got {k!r}")
        order = np.argsort(self.array, axis=dim, kind="stable")
        if largest:
            order = np.flip(order, axis=dim)
        indices = constant_tensor(np.take(order, np.arange(k), axis=dim))
        return TopkResult(self.gather(dim, indices), indices)

    @numpy_names
    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim 0 (likewise for other dims): ``index``
        is an integer tensor with self's number of dims, no larger in the other dims."""
        dim = single_dim(dim, self.ndim, "gather")
        idx = np.asarray(array_of(index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got dtype {idx.dtype}")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index must have as many dims as the input "
                               f"({self.ndim}), got shape {idx.shape}")
        for d, (n, m) in enumerate(zip(idx.shape, self.shape)):
            if d != dim and n > m:
                raise RuntimeError(f"gather: index shape {idx.shape} must be <= input shape "
                                   f"{self.shape} in every dim but {dim}")
        size = self.shape[dim]
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise RuntimeError(f"gather: index {bad} is out of bounds for dim {dim} with "
                               f"size {size}")
        return ops.Gather.apply(self, dim, index)

    def masked_fill(self, mask, value):
        """``value`` where the boolean ``mask`` (broadcast to self's shape) is True, else
        self. Keeps self's dtype; the gradient flows to self where mask is False."""
        mask_array = np.asarray(array_of(mask))
        if mask_array.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: mask must be a boolean tensor, got dtype "
                               f"{mask_array.dtype}")
        if np.broadcast_shapes(mask_array.shape, self.shape) != self.shape:
            raise RuntimeError(f"masked_fill: mask of shape {mask_array.shape} does not "
                               f"broadcast to the input's shape {self.shape}")
        if isinstance(value, TensorMath):
            if value.ndim:
                raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, "
                                   f"got shape {value.shape}")
            value = value if value.dtype == self.dtype else value.to(self.dtype)
        else:
            value = np.asarray(value, dtype=self.dtype)
        return ops.Where.apply(mask_array, value, self)

    def where(self, condition, other):
        """``self`` where ``condition``, else ``other`` (as ``torch.where(condition, self,
        other)``)."""
        return _where(condition, self, other)

    @numpy_names
    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Split into ``chunks`` pieces along ``dim``, each of ceil(n / chunks) elements
        but the last (so fewer pieces when n is small), as in PyTorch."""
        if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks < 1:
            raise RuntimeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
        dim = single_dim(dim, self.ndim, "chunk")
        n = self.shape[dim]
        if n == 0:  # as PyTorch: ``chunks`` empty pieces
            return self.split([0] * chunks, dim)
        return self.split(-(-n // chunks), dim)  # ceil(n / chunks)

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Split along ``dim`` into pieces of ``split_size_or_sections`` elements (the last
        may be smaller), or of the sizes in a list, which must add up to the dim's size."""
        dim = single_dim(dim, self.ndim, "split")
        n = self.shape[dim]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            if step < 1 and n:
                raise RuntimeError(f"split: split_size must be a positive integer, got {step}")
            sizes = [min(step, n - start) for start in range(0, n, step)] if n else [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or min(sizes, default=0) < 0:
                raise RuntimeError(f"split: the sizes must be non-negative and add up to "
                                   f"{n} (the size of dim {dim}), got {sizes}")
        ends = np.cumsum(sizes)
        before = (slice(None),) * dim
        return tuple(self[before + (slice(end - size, end),)] for size, end in zip(sizes, ends))


def _where(condition, x, y):
    from tinynet.combining import where  # NOTE: late: combining.py imports Tensor
    return where(condition, x, y)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
