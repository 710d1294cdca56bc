"""``TensorSelect``: the Tensor methods that pick or order elements: ``topk``, ``sort``,
``argsort``, ``median``, ``gather``, ``index_select``, ``masked_fill``, ``masked_select``,
``where``, ``chunk``, ``split`` (``Tensor`` inherits them; see ``tensor_math.py``).

The indices are found in numpy; the values are then taken with ``gather`` or indexing,
so the gradient flows back to exactly the elements taken."""
from collections import namedtuple

import numpy as np

from tinynet.checks import check_choice
from tinynet.tensor_math import (TensorMath, array_of, constant_tensor, guard_read, index_int,
                                 numpy_names, single_dim)

TopkResult = namedtuple("topk", ["values", "indices"])
SortResult = namedtuple("sort", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
NanmedianResult = namedtuple("nanmedian", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


class TensorSelect:
    """Selection and splitting; each result keeps the graph to the elements it took."""

    __slots__ = ()

    @numpy_names
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest
        first (smallest first; nan counts as the largest). Equal values come in index
        order, the lower index first, so ``topk(1)`` picks what ``argmax`` (``argmin``)
        does. NOTE: PyTorch leaves the order of ties unspecified (its CPU topk may
        differ)."""
        dim = single_dim(dim, self.ndim, "topk")
        size = self.shape[dim] if self.ndim else 1
        k = _int_or_itself(k)  # (a 0-d integer tensor: its int)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= size:
            raise RuntimeError(f"topk: k must be an integer in [0, {size}] (the size of dim "
                               f"{dim}), got {k!r}")
        if self.ndim == 0:  # PyTorch's: the element itself, for k = 0 too
            return TopkResult(self.clone(), constant_tensor(np.zeros((), np.int64)))
        order = _stable_order(self.array, dim, descending=largest)
        indices = constant_tensor(np.take(order, np.arange(k), axis=dim))
        return TopkResult(self.gather(dim, indices), indices)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """The elements sorted along ``dim`` and their int64 indices (nan counts as the
        largest). Always stable: equal elements keep their order, descending too."""
        indices = self.argsort(dim, descending, stable=stable)
        if self.ndim == 0:
            return SortResult(self.clone(), indices)
        return SortResult(self.gather(dim, indices), indices)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """The int64 indices that sort the elements along ``dim`` (``stable`` is accepted
        for PyTorch's signature: the order is always stable)."""
        dim = single_dim(dim, self.ndim, "argsort")
        if self.ndim == 0:
            return constant_tensor(np.zeros((), dtype=np.int64))
        return constant_tensor(_stable_order(self.array, dim, descending))

    @numpy_names
    def median(self, dim=None, keepdim: bool = False):
        """The lower median (the ⌊(n-1)/2⌋-th smallest element; nan if there is a nan):
        over all elements, a 0-d tensor whose gradient ties share evenly; along ``dim``,
        ``(values, indices)`` with the gradient going to the index."""
        if dim is None:
            if self.numel() == 0 and self.dtype.kind != "f":
                raise RuntimeError(f"median: an empty {self.dtype} tensor has no median")
            return ops.Median.apply(self, tuple(range(self.ndim)), False)
        dim = single_dim(dim, self.ndim, "median")
        size = self.shape[dim] if self.ndim else 1
        if size == 0:
            raise IndexError(f"median: dim {dim} has size 0, input shape {self.shape}")
        # a nan anywhere: the median is nan, at the first nan
        return MedianResult(*self._ranked("median", dim, (size - 1) // 2, keepdim,
                                          nan_first=True))

    def nanmedian(self, dim=None, keepdim: bool = False):
        """``median`` of the elements that are not nan (nan where all are): over all
        elements, a 0-d tensor whose gradient ties share evenly; along ``dim``,
        ``(values, indices)`` with the gradient going to the index."""
        if dim is None:
            if self.numel() == 0 and self.dtype.kind != "f":
                raise RuntimeError(f"nanmedian: an empty {self.dtype} tensor has no median")
            return ops.NanMedian.apply(self, tuple(range(self.ndim)), False)
        dim = single_dim(dim, self.ndim, "nanmedian")
        x = self.reshape(1) if self.ndim == 0 else self
        if x.shape[dim] == 0:
            raise IndexError(f"nanmedian: dim {dim} has size 0, input shape {self.shape}")
        a = x.array
        nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
        # the lower median of each slice's numbers; nan sorts last, so an all-nan slice
        # takes its first nan
        rank = np.maximum(a.shape[dim] - nan.sum(axis=dim, keepdims=True) - 1, 0) // 2
        index = np.take_along_axis(_stable_order(a, dim, descending=False), rank, axis=dim)
        return NanmedianResult(*self._picked(dim, index, keepdim))

    def mode(self, dim: int = -1, keepdim: bool = False):
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest of
        those tied), at its last position, the gradient going to that index, as
        PyTorch's. A nan equals nothing, itself included: it is the mode (the first nan)
        only of a slice of nans."""
        dim = single_dim(dim, self.ndim, "mode")
        x = self.reshape(1) if self.ndim == 0 else self
        if x.shape[dim] == 0:
            raise IndexError(f"mode: dim {dim} has size 0, input shape {self.shape}")
        index = np.expand_dims(_last_of_mode(np.moveaxis(x.array, dim, -1)), dim)
        return ModeResult(*self._picked(dim, index, keepdim))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        """``(values, indices)``: the k-th smallest element along ``dim`` (k from 1; nan
        counts as the largest), equal elements in their order, the gradient going to the
        index, as PyTorch's."""
        dim = single_dim(dim, self.ndim, "kthvalue")
        size = self.shape[dim] if self.ndim else 1
        k = _int_or_itself(k)  # (a 0-d integer tensor: its int)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= size:
            raise RuntimeError(f"kthvalue: k must be an integer in [1, {size}] (the size of dim "
                             f"{dim}), got {k!r}")
        return KthvalueResult(*self._ranked("kthvalue", dim, int(k) - 1, keepdim,
                                            nan_first=False))

    def _ranked(self, name: str, dim: int, rank: int, keepdim: bool, nan_first: bool):
        """(values, indices) of the element of ``rank`` (from 0) in ascending order along
        ``dim``, equal elements in their order (nan last, or, with ``nan_first``, the first
        nan of a slice that has one)."""
        x = self.reshape(1) if self.ndim == 0 else self
        a = x.array
        index = np.take(_stable_order(a, dim, descending=False), [rank], axis=dim)
        if nan_first and a.dtype.kind == "f":
            nan = np.isnan(a)
            index = np.where(nan.any(axis=dim, keepdims=True),
                             nan.argmax(axis=dim, keepdims=True), index)
        return self._picked(dim, index, keepdim)

    def _picked(self, dim: int, index: np.ndarray, keepdim: bool) -> tuple:
        """(values, indices) of the elements at ``index`` (one per slice along ``dim``,
        which it keeps as size 1) of self, a 0-d self taken as 1-d; the gradient goes to
        them."""
        x = self.reshape(1) if self.ndim == 0 else self
        indices = constant_tensor(index.astype(np.int64))
        values = x.gather(dim, indices)
        if self.ndim == 0 or not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        """A copy with out[index[i][j]][j] = src[i][j] for dim 0 (likewise for other dims),
        ``src`` a tensor or a number (also as ``value=``), as PyTorch's; differentiable in
        self and a tensor ``src``. ``index``: integers, self's number of dims, no larger
        than src in any dim nor than self in the dims but ``dim``. ``reduce="add"`` or
        ``"multiply"`` (PyTorch's older form) is ``scatter_reduce``'s "sum" or "prod"."""
        if (src is None) == (value is None):
            raise TypeError("scatter: give src (a tensor or a number) or value, one of them")
        src = value if src is None else src
        if reduce is not None:  # PyTorch's older form of scatter_reduce
            check_choice("scatter", "reduce", reduce, ("add", "multiply"))
            if not isinstance(src, TensorSelect):  # a number: sent to every position
                src = constant_tensor(np.full(np.shape(array_of(index)), src, self.dtype))
            return self.scatter_reduce(dim, index, src,
                                       "sum" if reduce == "add" else "prod")
        if self.ndim == 0:  # one element, as a 1-d tensor of one (PyTorch takes it too)
            single_dim(dim, 0, "scatter")
            return self.reshape(1).scatter(0, _one_dim(index), _one_dim(src)).reshape(())
        dim, index, src = self._scatter_args("scatter", dim, index, src)
        return ops.Scatter.apply(self, dim, index, src)

    def scatter_add(self, dim: int, index, src):
        """A copy with out[index[i][j]][j] += src[i][j] for dim 0 (likewise for other
        dims), every write added where an index repeats, as PyTorch's; differentiable in
        self and ``src`` (a tensor). ``index`` as for ``scatter``."""
        if not isinstance(src, TensorSelect):
            raise TypeError(f"scatter_add: src must be a tensor, got {type(src).__name__}")
        if self.ndim == 0:
            single_dim(dim, 0, "scatter_add")
            return self.reshape(1).scatter_add(0, _one_dim(index), _one_dim(src)).reshape(())
        dim, index, src = self._scatter_args("scatter_add", dim, index, src)
        return ops.ScatterAdd.apply(self, dim, index, src)

    def scatter_reduce(self, dim: int, index, src, reduce: str, *, include_self: bool = True):
        """A copy where each position ``index`` points at (out[index[i][j]][j] for dim 0)
        holds the ``reduce`` of the ``src`` values sent there and, with ``include_self``,
        of its own value: "sum", "prod", "mean" (an integer mean rounds down), "amax" or
        "amin", as PyTorch's; the other positions keep theirs. Differentiable in self and
        ``src`` (ties of amax/amin share the gradient). ``index`` as for ``scatter``."""
        check_choice("scatter_reduce", "reduce", reduce, ops.ScatterReduce.REDUCTIONS)
        if not isinstance(include_self, bool):
            raise TypeError(f"scatter_reduce: include_self must be True or False, got "
                            f"{include_self!r}")
        if not isinstance(src, TensorSelect):
            raise TypeError(f"scatter_reduce: src must be a tensor, got {type(src).__name__}")
        if self.ndim == 0:
            single_dim(dim, 0, "scatter_reduce")
            return self.reshape(1).scatter_reduce(0, _one_dim(index), _one_dim(src), reduce,
                                                  include_self=include_self).reshape(())
        if self.dtype == np.bool_ and reduce in ("mean", "prod"):
            raise RuntimeError(f"scatter_reduce: reduce={reduce!r} needs numbers, got a bool "
                               f"tensor (as PyTorch)")
        dim, index, src = self._scatter_args("scatter_reduce", dim, index, src)
        return ops.ScatterReduce.apply(self, dim, index, src, reduce, include_self)

    def _scatter_args(self, name: str, dim, index, src) -> tuple:
        """(dim, index, src) of ``scatter``, ``scatter_add`` or ``scatter_reduce`` (``name``)
        on this (n-d) tensor, checked:
        ``src`` in self's dtype (a number, a 0-d tensor's number, or a tensor); ``index``
        the tensor itself when used as it is (``tn.capture`` reads it at each call)."""
        dim = single_dim(dim, self.ndim, name)
        idx = np.asarray(array_of(index))
        if idx.ndim == 0 and self.ndim == 1:  # one position (PyTorch takes a 0-d index)
            idx = idx.reshape(1)
        if getattr(src, "ndim", None) == 0:  # a 0-d tensor: its number, or, when it
            # requires grad, itself at every index (its gradient the sum over them)
            if name != "scatter":
                src = src.reshape((1,) * self.ndim)
            elif src.requires_grad and idx.ndim == self.ndim:
                src = src.reshape((1,) * self.ndim).expand(*idx.shape)
            else:
                src = src.item()
        if idx.dtype.kind not in "iu" or idx.ndim != self.ndim:
            raise RuntimeError(f"{name}: index must be an integer tensor with as many dims "
                               f"as self ({self.ndim}), got dtype {idx.dtype} and shape "
                               f"{idx.shape}")
        src_shape = getattr(src, "shape", None)
        for d, n in enumerate(idx.shape):
            if (d != dim and n > self.shape[d]) or (src_shape is not None and
                                                    n > src_shape[d]):
                raise RuntimeError(f"{name}: index shape {idx.shape} must be <= src's "
                                   f"{src_shape} in every dim and self's {self.shape} in "
                                   f"every dim but {dim}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.shape[dim]):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise RuntimeError(f"{name}: index {bad} is out of bounds for dim {dim} with "
                               f"size {self.shape[dim]}")
        if isinstance(src, TensorSelect) and src.dtype != self.dtype:
            src = src.to(self.dtype)
        return dim, index if idx is array_of(index) else idx, src

    def index_put(self, indices, values, accumulate: bool = False):
        """A copy with ``self[indices] = values`` (``indices`` a tuple of integer tensors,
        one per leading dim, or boolean masks, each standing for the positions it holds;
        ``values`` a tensor broadcast to what they select), or, with
        ``accumulate``, added there, every repeat of an index adding (a confusion matrix:
        ``cm.index_put_((y, pred), ones, accumulate=True)``), as PyTorch's;
        differentiable in self and ``values``."""
        if not isinstance(values, TensorSelect):
            raise TypeError(f"index_put: values must be a tensor, got {type(values).__name__}")
        indices = tuple(indices)
        arrays = []
        for i in indices:  # a boolean mask stands for the positions it holds, as in PyTorch
            a = np.asarray(array_of(i))
            if a.dtype == np.bool_ and a.ndim:
                covered = self.shape[len(arrays):len(arrays) + a.ndim]
                if a.shape != covered:
                    raise IndexError(f"index_put: a boolean mask of shape {a.shape} must have "
                                     f"the shape {covered} of the dims it indexes")
                arrays.extend(np.nonzero(a))
            else:
                arrays.append(a)
        if not arrays or len(arrays) > self.ndim or \
                any(a.dtype.kind not in "iu" for a in arrays):
            raise RuntimeError(f"index_put: indices must be a tuple of integer or boolean "
                               f"tensors over 1 to {self.ndim} dims, got "
                               f"{[np.asarray(array_of(i)).dtype.name for i in indices]}")
        if not accumulate:
            out = self.clone()
            out[tuple(constant_tensor(a) for a in arrays)] = values
            return guard_read(out, indices)  # (the arrays are the index tensors' own)
        lead, rest = self.shape[:len(arrays)], self.shape[len(arrays):]
        arrays = np.broadcast_arrays(*arrays)
        for a, n, k in zip(arrays, lead, range(len(arrays))):
            if a.size and (a.min() < -n or a.max() >= n):
                raise IndexError(f"index_put: index {a.max() if a.max() >= n else a.min()} "
                                 f"is out of bounds for dim {k} with size {n}")
        flat = np.ravel_multi_index(tuple(a % n for a, n in zip(arrays, lead)), lead)
        selected = values.to(self.dtype).broadcast_to(flat.shape + rest)
        out = self.reshape(-1, *rest).index_add(0, constant_tensor(flat.reshape(-1)),
                                               selected.reshape(-1, *rest))
        return out.reshape(self.shape)

    def index_fill(self, dim: int, index, value):
        """A copy with every slice along ``dim`` at ``index`` (a 0-d or 1-D integer
        tensor) set to ``value`` (a number or a 0-d tensor), as PyTorch's; the gradient
        flows to the slices not filled."""
        dim = single_dim(dim, max(self.ndim, 1), "index_fill")
        idx = np.asarray(array_of(index))
        if idx.dtype.kind not in "iu" or idx.ndim > 1:
            raise RuntimeError(f"index_fill: index must be a 0-d or 1-D integer tensor, got "
                               f"dtype {idx.dtype} and shape {idx.shape}")
        shape = self.shape or (1,)
        if idx.size and (idx.min() < -shape[dim] or idx.max() >= shape[dim]):
            bad = idx.min() if idx.min() < -shape[dim] else idx.max()
            raise IndexError(f"index_fill: index {bad} is out of bounds for dim {dim} with "
                             f"size {shape[dim]}")
        mask = np.zeros(shape[dim], bool)
        mask[idx.reshape(-1)] = True
        along = [1] * len(shape)
        along[dim] = shape[dim]
        # (True along dim at the index; broadcast over the other dims)
        mask = mask.reshape(along) if self.ndim else mask.reshape(())
        if isinstance(value, TensorSelect):
            value = _fill_tensor("index_fill", value, self.dtype)
        else:
            value = stored_scalar("index_fill", value, self.dtype)
        return self.masked_fill(constant_tensor(mask), value)

    def index_add(self, dim: int, index, source, *, alpha=1):
        """A copy with out[..., index[i], ...] += alpha·source[..., i, ...] along ``dim``,
        every row added where an index repeats, as PyTorch's; differentiable in self and
        ``source``. ``index``: a 1-D integer tensor, one entry per slice of ``source``
        along ``dim``; ``source`` has self's shape but in ``dim``."""
        if not isinstance(source, TensorSelect):
            raise TypeError(f"index_add: source must be a tensor, got "
                            f"{type(source).__name__}")
        dim = single_dim(dim, max(self.ndim, 1), "index_add")
        idx = np.asarray(array_of(index))
        shape = self.shape or (1,)
        expected = shape[:dim] + (idx.size,) + shape[dim + 1:]
        if idx.dtype.kind not in "iu" or idx.ndim > 1 or \
                tuple(source.shape or (1,)) != expected:
            raise RuntimeError(f"index_add: index must be a 1-D integer tensor and source "
                               f"of shape {expected} (self's {self.shape} with dim {dim} the "
                               f"index's length), got index of dtype {idx.dtype} and shape "
                               f"{idx.shape} and source of shape {source.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= shape[dim]):  # (no negative ones,
            bad = idx.min() if idx.min() < 0 else idx.max()              # as PyTorch)
            raise IndexError(f"index_add: index {bad} is out of range for dim {dim} of size "
                             f"{shape[dim]}")
        if source.dtype != self.dtype:
            source = source.to(self.dtype)
        if alpha != 1:
            source = source * alpha
        if self.ndim == 0:
            return guard_read(ops.IndexAdd.apply(self.reshape(1), 0, idx.reshape(-1),
                                                 source.reshape(1)), index).reshape(())
        return guard_read(ops.IndexAdd.apply(self, dim, index if idx is array_of(index)
                                             else idx, source), index)

    def narrow(self, dim: int, start: int, length: int):
        """The ``length`` slices of dim ``dim`` from ``start`` (negative: from the end), a
        view of the values as PyTorch's (here, a differentiable slice)."""
        dim = single_dim(dim, self.ndim, "narrow")
        size = self.shape[dim]
        first = start + size if start < 0 else start
        if not 0 <= first <= size or length < 0 or first + length > size:
            raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds "
                               f"dimension size ({size}) of dim {dim}")
        return self[(slice(None),) * dim + (slice(first, first + length),)]

    def select(self, dim: int, index: int):
        """The slice ``index`` of dim ``dim``, which goes (``x.select(0, i)`` is ``x[i]``)."""
        dim = single_dim(dim, self.ndim, "select")
        size = self.shape[dim]
        if not -size <= index < size:
            raise IndexError(f"select: index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {dim}")
        return self[(slice(None),) * dim + (index,)]

    @numpy_names
    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim 0 (likewise for other dims): ``index``
        is an integer tensor with self's number of dims, no larger in the other dims."""
        dim = single_dim(dim, self.ndim, "gather")
        if self.ndim == 0:  # one element, as a 1-d tensor of one (PyTorch takes it too)
            return self.reshape(1).gather(0, _one_dim(index)).reshape(())
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

    @numpy_names
    def index_select(self, dim: int, index):
        """The slices ``index[0], index[1], ...`` of dim ``dim`` (``index``: a 0-D or 1-D
        int32 or int64 tensor; repeats allowed, their gradients add up)."""
        dim = single_dim(dim, self.ndim, "index_select")
        if not isinstance(index, TensorMath):
            raise TypeError(f"index_select: index must be a tensor, got "
                            f"{type(index).__name__}")
        idx = index.array
        if idx.dtype not in (np.int32, np.int64):
            raise RuntimeError(f"index_select: index must be an int32 or int64 tensor, got "
                               f"dtype {idx.dtype}")
        if idx.ndim > 1:
            raise IndexError(f"index_select: index must be 0-D or 1-D, got shape {idx.shape}")
        size = self.shape[dim] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise IndexError(f"index_select: index {bad} is out of range for dim {dim} of "
                             f"size {size}")
        if self.ndim == 0:  # as PyTorch: a 0-d input gives a 0-d result
            return guard_read(self.reshape(1)[idx.reshape(-1)], index).reshape(())
        return guard_read(self[(slice(None),) * dim + (idx.reshape(-1),)], index)

    def masked_fill(self, mask, value):
        """``value`` where the boolean ``mask`` is True, else self, the two broadcast
        together (a larger mask makes a larger result, as in PyTorch; ``masked_fill_``
        keeps self's shape). Keeps self's dtype; the gradient flows to self where mask is
        False."""
        mask_array = np.asarray(array_of(mask))
        if mask_array.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: mask must be a boolean tensor, got dtype "
                               f"{mask_array.dtype}")
        try:
            np.broadcast_shapes(mask_array.shape, self.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill: mask of shape {mask_array.shape} does not "
                               f"broadcast with the input's shape {self.shape}") from None
        if isinstance(value, TensorMath):
            value = _fill_tensor("masked_fill", value, self.dtype)
        else:
            value = np.asarray(stored_scalar("masked_fill", value, self.dtype),
                               dtype=self.dtype)
        return guard_read(ops.Where.apply(mask_array, value, self), mask)

    def masked_select(self, mask):
        """The elements where the boolean ``mask`` is True, as a 1-D tensor in row-major
        order; self and ``mask`` broadcast together. The gradient goes to the elements
        taken (summed over the copies of a broadcast self)."""
        mask_array = np.asarray(array_of(mask))
        if mask_array.dtype != np.bool_:
            raise RuntimeError(f"masked_select: mask must be a boolean tensor, got dtype "
                               f"{mask_array.dtype}")
        try:
            shape = np.broadcast_shapes(mask_array.shape, self.shape)
        except ValueError:
            raise RuntimeError(f"masked_select: mask of shape {mask_array.shape} and input "
                               f"of shape {self.shape} do not broadcast together") from None
        x = self if self.shape == shape else self.broadcast_to(shape)
        # (the mask's values give the shape)
        return guard_read(x[np.broadcast_to(mask_array, shape)], mask)

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

    def tensor_split(self, indices_or_sections, dim: int = 0) -> tuple:
        """Views along ``dim``: ``n`` pieces as even as can be (the first n_extra one
        longer), or the pieces between the given indices, as PyTorch's (out-of-range
        indices give empty pieces)."""
        dim = single_dim(dim, self.ndim, "tensor_split")
        n = self.shape[dim]
        if _is_count(indices_or_sections):
            sections = int(array_of(indices_or_sections))
            if sections < 1:
                raise RuntimeError(f"tensor_split: the number of sections must be at least "
                                   f"1, got {sections}")
            sizes = [n // sections + (i < n % sections) for i in range(sections)]
            bounds = np.cumsum([0] + sizes).tolist()
        else:
            cuts = np.asarray(array_of(indices_or_sections))
            if cuts.dtype.kind not in "iu" and cuts.size:
                raise TypeError(f"tensor_split: indices_or_sections must be an int or "
                                f"integer indices, got dtype {cuts.dtype}")
            cuts = [int(i) for i in cuts.reshape(-1)]
            bounds = [0] + [min(max(c + n if c < 0 else c, 0), n) for c in cuts] + [n]
        before = (slice(None),) * dim
        return tuple(self[before + (slice(start, max(start, stop)),)]
                     for start, stop in zip(bounds[:-1], bounds[1:]))

    def hsplit(self, indices_or_sections) -> tuple:
        """``tensor_split`` along dim 1 (dim 0 of a 1-D tensor); a number of sections
        must divide that dim, as in PyTorch (numpy's ``hsplit``)."""
        return self._split_evenly("hsplit", 0 if self.ndim == 1 else 1, indices_or_sections)

    def vsplit(self, indices_or_sections) -> tuple:
        """``tensor_split`` along dim 0 of a tensor of at least 2 dims; a number of
        sections must divide it (numpy's ``vsplit``)."""
        if self.ndim < 2:
            raise RuntimeError(f"vsplit: the tensor must have at least 2 dims, got "
                               f"{self.ndim}")
        return self._split_evenly("vsplit", 0, indices_or_sections)

    def _split_evenly(self, name: str, dim: int, indices_or_sections) -> tuple:
        if self.ndim < 1:
            raise RuntimeError(f"{name}: the tensor must have at least 1 dim, got 0")
        if _is_count(indices_or_sections):
            sections, size = int(indices_or_sections), self.shape[dim]
            if sections < 1 or size % sections:
                raise RuntimeError(f"{name}: {sections} sections must divide dim {dim}, of "
                                   f"size {size}")
        return self.tensor_split(indices_or_sections, dim)


def _int_or_itself(value):
    """``value``'s int when it stands for one (a 0-d integer tensor), read once; else
    ``value`` itself, for the caller's check to refuse."""
    as_int = index_int(value)
    return value if as_int is None else as_int


def _is_count(x) -> bool:
    """Whether ``x`` is a number of sections (an int, or a 0-d integer tensor, as PyTorch
    reads one), not indices to split at."""
    if isinstance(x, TensorSelect):
        return x.ndim == 0 and x.dtype.kind in "iu"
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _last_of_mode(a: np.ndarray) -> np.ndarray:
    """Per row of ``a`` (the last axis), the index of the last occurrence of its most
    frequent value, the smallest such value on a tie: the sorted row's longest run of
    equal values, the first of the longest."""
    order = _stable_order(a, -1, descending=False)
    s = np.take_along_axis(a, order, -1)
    starts = np.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]  # (a nan equals nothing: a run of its own)
    run = np.cumsum(starts, axis=-1) - 1  # each element's run, numbered in its row
    n = s.shape[-1]
    rows = run.reshape(-1, n) + n * np.arange(run.size // n)[:, None]
    lengths = np.bincount(rows.ravel(), minlength=run.size).reshape(run.shape)
    longest = np.argmax(lengths, axis=-1)[..., None]  # the first of the longest: smallest
    last = n - 1 - np.argmax(np.flip(run == longest, -1), axis=-1)[..., None]
    return np.take_along_axis(order, last, -1)[..., 0]


def _stable_order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The indices that sort ``a`` along ``axis``, equal elements in their order."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # Sort the reversed array ascending, then reverse: equal elements keep their original
    # order (never -a, which fails for booleans and the smallest integer), and nan,
    # which numpy sorts last, comes first, as in PyTorch.
    reversed_order = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return np.flip(a.shape[axis] - 1 - reversed_order, axis)


def _where(condition, x, y):
    from tinynet.combining import where  # NOTE: late: combining.py imports Tensor
    return where(condition, x, y)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.tensor_inplace import stored_scalar  # noqa: E402


def _one_dim(value):
    """A 0-d tensor or array as 1-d of one element; anything else (a number) as it is."""
    if getattr(value, "ndim", None) == 0:
        return value.reshape(1)
    return value


def _fill_tensor(where: str, value, dtype):
    """A 0-d tensor ``value`` to fill with, in ``dtype``: its cast may not overflow, as a
    number's may not (``stored_scalar``; read from its array: a check, not a use of the
    value, which the fill's op reads)."""
    if value.ndim:
        raise RuntimeError(f"{where}: value must be a number or a 0-d tensor, got shape "
                           f"{value.shape}")
    if value.dtype == dtype:
        return value
    stored_scalar(where, value.array.item(), dtype)
    return value.to(dtype)
