"""Module-level forms of the shape methods, as in PyTorch: ``tn.reshape(x, shape)`` is
``x.reshape(shape)``; also ``flip``, ``roll``, ``movedim``, ``broadcast_to``,
``repeat_interleave``, ``tile``, ``unbind``, ``chunk``, ``split``... (see ``tensor.py`` and
``tensor_shape.py`` for the methods)."""
# ruff: noqa: A002  (PyTorch's argument name: input)
import numpy as np

from tinynet.autograd.observers import values_read
from tinynet.size import Size
from tinynet.tensor import Tensor
from tinynet.tensor_math import check_tensor, numpy_names


def reshape(input, shape):
    return check_tensor("reshape", input).reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return check_tensor("flatten", input).flatten(start_dim, end_dim)


def ravel(input):
    return check_tensor("ravel", input).ravel()


def transpose(input, dim0, dim1):
    return check_tensor("transpose", input).transpose(dim0, dim1)


def swapaxes(input, axis0, axis1):
    return check_tensor("swapaxes", input).swapaxes(axis0, axis1)


swapdims = transpose


def broadcast_shapes(*shapes) -> Size:
    """The shape ``shapes`` broadcast to together (each a tuple of sizes or an int), as
    ``torch.broadcast_shapes``; refused by name when they do not broadcast."""
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                          for s in shapes]))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: the shapes {', '.join(map(str, shapes))} do not "
                           f"broadcast (compared from the last dimension, each pair of sizes "
                           f"must be equal or one of them 1)") from None


def t(input):
    return check_tensor("t", input).t()


def permute(input, dims):
    """``input`` with its dims in the order ``dims`` (a tuple or list, as in PyTorch)."""
    check_tensor("permute", input)
    _check_dims("permute", dims)
    return input.permute(dims)


def narrow(input, dim, start, length):
    return check_tensor("narrow", input).narrow(dim, start, length)


def movedim(input, source, destination):
    return check_tensor("movedim", input).movedim(source, destination)


moveaxis = movedim


@numpy_names
def squeeze(input, dim=None):
    return check_tensor("squeeze", input).squeeze(dim)


@numpy_names
def unsqueeze(input, dim):
    return check_tensor("unsqueeze", input).unsqueeze(dim)


def clone(input, *, memory_format=None):
    return check_tensor("clone", input).clone(memory_format=memory_format)


def flip(input, dims):
    """``input`` reversed along each of ``dims`` (a tuple or list, as in PyTorch)."""
    check_tensor("flip", input)
    _check_dims("flip", dims)
    return input.flip(dims)


def roll(input, shifts, dims=None):
    return check_tensor("roll", input).roll(shifts, dims)


def broadcast_to(input, size):
    return check_tensor("broadcast_to", input).broadcast_to(size)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """``input.repeat_interleave(repeats, dim)``; with ``input`` alone (a 1-D integer
    tensor of counts): each index i repeated ``input[i]`` times, int64, as in PyTorch."""
    check_tensor("repeat_interleave", input)
    if repeats is not None:
        return input.repeat_interleave(repeats, dim, output_size=output_size)
    values_read()  # the output is made from the counts by no op
    counts = input.array
    if counts.ndim != 1 or counts.dtype.kind not in "iu":
        raise RuntimeError(f"repeat_interleave: a lone repeats must be a 1-D integer tensor, "
                           f"got dtype {counts.dtype} and shape {counts.shape}")
    if counts.size and counts.min() < 0:
        raise RuntimeError(f"repeat_interleave: repeats must be >= 0, got {counts.min()}")
    return Tensor._wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts), False, None)


@numpy_names
def chunk(input, chunks, dim=0):
    return check_tensor("chunk", input).chunk(chunks, dim)


def split(tensor, split_size_or_sections, dim=0):
    return check_tensor("split", tensor).split(split_size_or_sections, dim)


def tensor_split(input, indices_or_sections, dim=0) -> tuple:
    return check_tensor("tensor_split", input).tensor_split(indices_or_sections, dim)


def hsplit(input, indices_or_sections) -> tuple:
    return check_tensor("hsplit", input).hsplit(indices_or_sections)


def vsplit(input, indices_or_sections) -> tuple:
    return check_tensor("vsplit", input).vsplit(indices_or_sections)


def unbind(input, dim=0) -> tuple:
    """The slices of ``input`` along ``dim``, each without that dim."""
    return check_tensor("unbind", input).unbind(dim)


def tile(input, dims):
    """``input`` repeated ``dims[d]`` times along each dim d, ``dims`` (a tuple or list)
    padded in front by ones to ``input.ndim`` entries; see ``Tensor.repeat``."""
    _check_dims("tile", dims)
    return input.tile(dims)


def _check_dims(where: str, dims) -> None:
    """``dims`` must be one tuple or list, as PyTorch's functions take it."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"{where}: dims must be a tuple or list of ints, got "
                        f"{type(dims).__name__}")
