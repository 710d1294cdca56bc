"""``TensorShape``: the shape methods: ``reshape``/``view`` (and ``_as``), ``flatten``,
``unsqueeze``, ``squeeze``, ``transpose``, ``permute``, ``T``, ``mT``, ``clone``,
``ravel``, ``movedim``, ``flip``, ``roll``, ``broadcast_to`` / ``expand``, ``repeat``,
``tile``, ``unbind``, ``repeat_interleave`` (``Tensor`` inherits them; see
``tensor.py``). All are differentiable.
"""
import math
import operator

import numpy as np

from tinynet.checks import args_or_keyword, check_int
from tinynet.layouts import check_memory_format
from tinynet.tensor_math import TensorMath, index_int, dims_of, numpy_names, single_dim


class TensorShape:
    """Moving, reversing, shifting and repeating elements; see the module docstring."""

    __slots__ = ()

    # ---- the common shape methods ---------------------------------------------------------
    def reshape(self, *sizes, shape=None):
        return self._reshaped("reshape", args_or_keyword("reshape", sizes, "shape", shape))

    def view(self, *sizes, size=None):
        """``reshape`` into a view of the same memory, as PyTorch's: a tensor whose
        layout cannot be viewed in the new shape without a copy (a transpose flattened)
        is refused, as PyTorch refuses it, rather than silently copied (a write through
        the result would then not reach this tensor)."""
        shape = args_or_keyword("view", sizes, "size", size)
        _check_viewable("view", self.array, shape)
        return self._reshaped("view", shape)

    def reshape_as(self, other):
        """``reshape(other.shape)``."""
        return self._reshaped("reshape_as", _shape_of(other, "reshape_as"))

    def view_as(self, other):
        """``view(other.shape)``."""
        shape = _shape_of(other, "view_as")
        _check_viewable("view_as", self.array, shape)
        return self._reshaped("view_as", shape)

    def _reshaped(self, where: str, shape: tuple):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        _check_new_shape(where, shape, self.array.size)
        return ops.Reshape.apply(self, shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        shape = self.array.shape
        if not shape:
            return self.reshape(1)
        start, end = check_dim(start_dim, len(shape)), check_dim(end_dim, len(shape))
        if start > end:
            raise RuntimeError(f"flatten: start_dim must not come after end_dim, got "
                               f"start_dim={start_dim} and end_dim={end_dim}")
        joined = int(np.prod(shape[start:end + 1], dtype=np.int64))  # not -1: sizes may be 0
        return self.reshape(shape[:start] + (joined,) + shape[end + 1:])

    def unflatten(self, dim: int, sizes):
        """Split dimension ``dim`` into ``sizes`` (one of which may be -1)."""
        shape = self.array.shape
        dim = check_dim(dim, len(shape))
        sizes = tuple(sizes)
        known = np.prod([n for n in sizes if n != -1], dtype=np.int64)
        fits = known == shape[dim] if -1 not in sizes else known and shape[dim] % known == 0
        if not sizes or sizes.count(-1) > 1 or not fits:
            raise RuntimeError(f"unflatten: sizes must multiply to the size {shape[dim]} of "
                               f"dim {dim}, got {list(sizes)}")
        return self.reshape(shape[:dim] + sizes + shape[dim + 1:])

    @numpy_names
    def unsqueeze(self, dim: int):
        dim = check_dim(dim, self.array.ndim + 1)
        return self.reshape(self.array.shape[:dim] + (1,) + self.array.shape[dim:])

    @numpy_names
    def squeeze(self, dim=None):
        """The dims of size 1 removed: all of them, or those among ``dim`` (an int, or a
        tuple of ints as in PyTorch 2); a dim of another size is kept."""
        shape = self.array.shape
        if dim is None:
            return self.reshape(tuple(n for n in shape if n != 1))
        if isinstance(dim, (tuple, list)):
            dims = set(dims_of(dim, len(shape), "squeeze")) if dim else set()
        else:
            dims = {check_dim(dim, len(shape))}
        kept = tuple(n for i, n in enumerate(shape) if i not in dims or n != 1)
        return self if kept == shape else self.reshape(kept)

    def transpose(self, dim0: int, dim1: int):
        ndim = self.array.ndim
        dim0, dim1 = check_dim(dim0, ndim), check_dim(dim1, ndim)
        axes = list(range(ndim))
        if ndim:
            axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return ops.Permute.apply(self, tuple(axes))

    def swapaxes(self, axis0: int, axis1: int):
        """``transpose`` under numpy's name (and argument names)."""
        return self.transpose(axis0, axis1)

    swapdims = transpose

    def permute(self, *args, dims=None):
        dims = args_or_keyword("permute", args, "dims", dims)
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        ndim = self.array.ndim
        # non-negative axes: Permute's backward inverts them with argsort
        axes = tuple(check_dim(d, ndim) for d in dims)
        if sorted(axes) != list(range(ndim)):
            raise RuntimeError(f"permute: dims must name each of the {ndim} dims once, got "
                               f"{dims}")
        return ops.Permute.apply(self, axes)

    @property
    def T(self):
        return ops.Permute.apply(self, tuple(reversed(range(self.array.ndim))))

    @property
    def H(self):
        """The transpose of a matrix (tinynet's tensors are real: no conjugate)."""
        if self.array.ndim not in (0, 2):
            raise RuntimeError(f"H: the tensor must be a matrix or a 0-d tensor (as in "
                               f"PyTorch; use mH for batches), got shape {self.shape}")
        return self.T

    @property
    def mH(self):
        """The last two dims swapped (real tensors: ``mT``)."""
        return self.mT

    @property
    def mT(self):
        """The last two dims swapped: each matrix of a batch (*, n, m) transposed."""
        if self.array.ndim < 2:
            raise RuntimeError(f"mT: the tensor must be a matrix or a batch of matrices (at "
                               f"least 2 dims), got shape {self.shape}")
        return self.transpose(-2, -1)

    def t(self):
        if self.array.ndim > 2:
            raise RuntimeError(f"t: the tensor must have <= 2 dimensions, got {self.ndim} "
                               f"(shape {self.shape}); use transpose(dim0, dim1)")
        return self.T

    def clone(self, *, memory_format=None):
        check_memory_format("clone", memory_format)
        return ops.Clone.apply(self)

    def contiguous(self, memory_format=None):
        """Itself when its values lie in C order (``is_contiguous()``), else a copy that
        does (differentiable), as in PyTorch."""
        check_memory_format("contiguous", memory_format)
        return self if self.array.flags.c_contiguous else ops.Clone.apply(self)

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether the values lie in C order with no gaps (False for a transposed or
        strided view, as in PyTorch)."""
        check_memory_format("is_contiguous", memory_format)
        return bool(self.array.flags.c_contiguous)

    # ---- moving, reversing, shifting and repeating --------------------------------------------
    def ravel(self):
        """The elements as a 1-D tensor, in row-major order."""
        return self.reshape(-1)

    def movedim(self, source, destination):
        """Move dim(s) ``source`` to position(s) ``destination`` (ints or sequences of
        one length); the other dims keep their order."""
        src = _positions(source, self.ndim, "source")
        dst = _positions(destination, self.ndim, "destination")
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: source and destination must list as many dims, "
                               f"got {len(src)} ({source!r}) and {len(dst)} ({destination!r})")
        order = [d for d in range(self.ndim) if d not in src]
        for to, d in sorted(zip(dst, src)):
            order.insert(to, d)
        return self.permute(order)

    moveaxis = movedim

    def flip(self, *args, dims=None):
        """The elements in reverse order along each of ``dims`` (``flip(0, 1)``,
        ``flip((0, 1))`` or ``flip(dims=(0, 1))``); a copy, as in PyTorch."""
        dims = args_or_keyword("flip", args, "dims", dims)
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return ops.Flip.apply(self, dims_of(dims, self.ndim, "flip") if dims else ())

    def roll(self, shifts, dims=None):
        """Shift the elements cyclically by ``shifts`` along ``dims`` (ints, or sequences
        of one length); with ``dims=None`` over the flattened tensor, then reshaped."""
        shift_list = _int_list(shifts, "roll", "shifts")
        if dims is None:
            if len(shift_list) != 1:
                raise RuntimeError(f"roll: without dims, shifts must be one int, got {shifts!r}")
            return ops.Roll.apply(self, shift_list[0], None)
        axes = [single_dim(d, self.ndim, "roll") for d in _int_list(dims, "roll", "dims")]
        if len(axes) != len(shift_list):
            raise RuntimeError(f"roll: shifts and dims must have the same length, got "
                               f"shifts={shifts!r} and dims={dims!r}")
        if self.ndim == 0:  # nothing to shift
            return self.clone()
        return ops.Roll.apply(self, tuple(shift_list), tuple(axes))

    def unfold(self, dimension: int, size: int, step: int):
        """Every window of ``size`` consecutive elements along ``dimension``, ``step``
        apart, as PyTorch's: that dim then counts the windows, (L - size) // step + 1 of
        them, and a new last dim of ``size`` holds each one (``x.unfold(0, 3, 1)`` of a
        series: its rolling windows). A copy (PyTorch's is a view); the gradient of an
        element is the sum over the windows holding it."""
        size, step = check_int("unfold", "size", size), check_int("unfold", "step", step)
        if self.ndim == 0:  # one element, taken as a 1-d tensor of one (as PyTorch)
            single_dim(dimension, 0, "unfold")
            return self.reshape(1).unfold(0, size, step).reshape(size)
        dim = single_dim(dimension, self.ndim, "unfold")
        if step <= 0:  # (RuntimeError, as PyTorch's)
            raise RuntimeError(f"unfold: step must be > 0, got {step}")
        if not 0 <= size <= self.shape[dim]:
            raise RuntimeError(f"unfold: size must be between 0 and the size of dimension "
                               f"{dim} ({self.shape[dim]}), got {size}")
        return ops.Unfold.apply(self, dim, size, step)

    def broadcast_to(self, size):
        """The tensor repeated to shape ``size`` by broadcasting: new dims in front, dims
        of size 1 stretched; -1 keeps a dim's size. A copy (PyTorch's is a view)."""
        size = tuple(int(n) for n in size)
        new = len(size) - self.ndim
        if new < 0:
            raise RuntimeError(f"broadcast_to: size {size} has fewer dims than the input's "
                               f"shape {self.shape}")
        target = list(size)
        for i, n in enumerate(size):
            if n == -1:
                if i < new:
                    raise RuntimeError(f"broadcast_to: -1 is not allowed in a new leading "
                                       f"dim, got size {size} for shape {self.shape}")
                target[i] = self.shape[i - new]
            elif i >= new and self.shape[i - new] not in (1, n):
                raise RuntimeError(f"broadcast_to: the shape {self.shape} cannot be "
                                   f"broadcast to {size}: dim {i} has size "
                                   f"{self.shape[i - new]}, not 1 or {n}")
            elif n < 0:
                raise RuntimeError(f"broadcast_to: sizes must be >= 0 (or -1), got {size}")
        return ops.BroadcastTo.apply(self, tuple(target))

    def expand(self, *sizes, size=None):
        """``broadcast_to(sizes)``: ``expand(3, 4)``, ``expand((3, 4))`` or
        ``expand(size=(3, 4))``."""
        sizes = args_or_keyword("expand", sizes, "size", size)
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        return self.broadcast_to(sizes)

    def expand_as(self, other):
        return self.broadcast_to(other.shape)

    def repeat(self, *sizes, repeats=None):
        """The tensor tiled ``sizes[d]`` times along dim d (numpy's ``tile``): ``sizes``
        (ints, or one tuple) has at least ``ndim`` entries, extra leading ones adding new
        dims, so a tensor of shape (n₀, n₁) gives (r₀n₀, r₁n₁). Made as a broadcast of
        the tensor viewed as (1, n₀, 1, n₁) to (r₀, n₀, r₁, n₁): the gradient is the
        copies' gradients summed."""
        sizes = args_or_keyword("repeat", sizes, "repeats", repeats)
        return self._tiled(_sizes(sizes), "repeat", "sizes")

    def tile(self, *args, dims=None):
        """``repeat`` with ``dims`` padded in front by ones to ``ndim`` entries, as
        ``torch.tile``: ``x.tile(2)`` of a matrix repeats its columns."""
        dims = _int_list(_sizes(args_or_keyword("tile", args, "dims", dims)), "tile", "dims")
        return self._tiled([1] * (self.ndim - len(dims)) + dims, "tile", "dims")

    def _tiled(self, sizes, name: str, argument: str):
        sizes = _int_list(sizes, name, argument)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"{name}: {argument} must have at least as many entries as the "
                               f"tensor has dims ({self.ndim}), got {sizes}")
        if any(r < 0 for r in sizes):
            raise RuntimeError(f"{name}: {argument} must be >= 0, got {sizes}")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        spread = self.reshape(tuple(n for size in shape for n in (1, size)))  # (1, n₀, 1, n₁..)
        copies = spread.broadcast_to(tuple(n for r, size in zip(sizes, shape) for n in (r, size)))
        return copies.reshape(tuple(r * size for r, size in zip(sizes, shape)))

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each without that dim: ``x.unbind(0)`` is
        ``(x[0], x[1], ...)``; each passes its gradient to the slice it came from."""
        if self.array.ndim == 0:
            raise IndexError("unbind: the tensor must have at least one dimension, got a "
                             "0-d tensor")
        dim = single_dim(dim, self.ndim, "unbind")
        before = (slice(None),) * dim
        return tuple(self[before + (i,)] for i in range(self.shape[dim]))

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Repeat each element ``repeats`` times along ``dim`` (over the flattened tensor
        when None): ``repeats`` is an int or an integer tensor with one count per element
        (or a single count). Gradient: the copies' gradients added up."""
        x = self.reshape(-1) if dim is None else self
        dim = 0 if dim is None else single_dim(dim, x.ndim, "repeat_interleave")
        if x.ndim == 0:
            x = x.reshape(1)
        n = x.shape[dim]
        if isinstance(repeats, TensorMath):
            values_read()  # the output's length is made from the counts
            counts = repeats.array
            if counts.dtype.kind not in "iu" or counts.ndim > 1:
                raise RuntimeError(f"repeat_interleave: repeats must be an int or a 0-D or "
                                   f"1-D integer tensor, got dtype {counts.dtype} and shape "
                                   f"{counts.shape}")
        elif isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
            counts = np.asarray(repeats)
        else:
            raise TypeError(f"repeat_interleave: repeats must be an int or a tensor, got "
                            f"{type(repeats).__name__}")
        if counts.size == 1:
            counts = np.full(n, counts.reshape(()))
        if counts.shape != (n,):
            raise RuntimeError(f"repeat_interleave: repeats must have one count per element "
                               f"of dim {dim} ({n}), got {counts.shape[0]}")
        if counts.size and counts.min() < 0:
            raise RuntimeError(f"repeat_interleave: repeats must be >= 0, got {counts.min()}")
        if output_size is not None and output_size != counts.sum():
            raise RuntimeError(f"repeat_interleave: output_size must be the total number of "
                               f"repeats ({counts.sum()}), got {output_size}")
        index = np.repeat(np.arange(n), counts)
        return x[(slice(None),) * dim + (index,)]


def _sizes(sizes: tuple) -> tuple:
    """Sizes given as ints (``repeat(2, 3)``) or as one tuple or list (``repeat((2, 3))``)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        return tuple(sizes[0])
    return sizes


def _check_viewable(where: str, array: np.ndarray, shape: tuple) -> None:
    """Refuse a new shape that ``array``'s layout cannot take without a copy, as PyTorch's
    view does: numpy's reshape gives a view when it can, else a copy, which shares no
    memory (a wrong count of elements, or a shape of other things, is left to the
    reshape's own check)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        reshaped = np.reshape(array, shape)
    except (ValueError, TypeError):
        return
    if array.size and not np.may_share_memory(reshaped, array):
        raise RuntimeError(
            f"{where}: the tensor's layout (shape {array.shape}, strides "
            f"{tuple(s // array.itemsize for s in array.strides)}) cannot be viewed as "
            f"shape {tuple(shape)} without a copy, as in PyTorch; use .reshape(...) (a copy "
            f"when needed) or .contiguous() first")


def _shape_of(other, name: str) -> tuple:
    """The shape of tensor ``other`` (``view_as``, ``reshape_as``)."""
    if not isinstance(other, TensorMath):  # every Tensor is a TensorMath
        raise TypeError(f"{name}: other must be a tensor, got {type(other).__name__}")
    return other.shape


def _positions(dims, ndim: int, name: str) -> list:
    """movedim's ``source`` or ``destination`` as non-negative dims, each at most once."""
    positions = [single_dim(d, ndim, "movedim") for d in _int_list(dims, "movedim", name)]
    if len(set(positions)) != len(positions):
        raise RuntimeError(f"movedim: {name} repeats a dim, got {dims!r}")
    return positions


def _int_list(value, name: str, argument: str) -> list:
    """An int or a sequence of ints (0-d integer tensors among them) as a list."""
    values = [value] if index_int(value) is not None else value
    ints = [index_int(v) for v in values] if isinstance(values, (tuple, list)) else [None]
    if None in ints:
        raise TypeError(f"{name}: {argument} must be an int or a sequence of ints, got "
                        f"{value!r}")
    return ints


def _check_new_shape(where: str, shape: tuple, size: int) -> None:
    """Refuse a shape that cannot hold ``size`` elements, in PyTorch's words (numpy's
    ValueError named neither the call nor the rule)."""
    try:
        dims = [operator.index(d) for d in shape]  # ints, numpy ints, 0-d integer tensors
    except TypeError:
        if len(shape) == 1 and (isinstance(shape[0], type) or
                                isinstance(shape[0], np.dtype)):
            raise NotImplementedError(f"{where}: reinterpreting the bits as {shape[0]} "
                                      f"(view(dtype)) is not supported; use .to(dtype) to "
                                      f"convert the values")
        raise TypeError(f"{where}: shape must hold integers, got {shape!r}") from None
    if dims.count(-1) > 1:
        raise RuntimeError(f"{where}: only one dimension can be inferred (-1), got shape "
                           f"{list(dims)}")
    if any(d < -1 for d in dims):
        raise RuntimeError(f"{where}: invalid shape dimension {min(dims)} in {list(dims)}")
    known = math.prod(d for d in dims if d != -1)
    if -1 in dims:  # the inferred dimension must come out whole (and be defined)
        invalid = known == 0 or size % known != 0
    else:
        invalid = known != size
    if invalid:
        raise RuntimeError(f"{where}: shape {list(dims)} is invalid for input of size {size}")


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.ops.reduce import check_dim  # noqa: E402
from tinynet.autograd.observers import values_read  # noqa: E402
