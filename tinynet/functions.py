"""Module-level forms of tensor methods, as in PyTorch: ``tn.exp(x)`` is ``x.exp()``.
(Functions of several tensors, ``cat``, ``where``, ``einsum``..., are in ``combining.py``.)"""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
import numpy as np

from tinynet.tensor import Tensor
from tinynet.tensor_math import numpy_names


def exp(x):
    return x.exp()


def log(x):
    return x.log()


def sqrt(x):
    return x.sqrt()


def abs(x):
    return x.abs()


def tanh(x):
    return x.tanh()


def sigmoid(x):
    return x.sigmoid()


def relu(x):
    return x.relu()


def sin(x):
    return x.sin()


def cos(x):
    return x.cos()


def tan(x):
    return x.tan()


def log2(x):
    return x.log2()


def log10(x):
    return x.log10()


def log1p(x):
    return x.log1p()


def expm1(x):
    return x.expm1()


def exp2(x):
    return x.exp2()


def square(x):
    return x.square()


def reciprocal(x):
    return x.reciprocal()


def rsqrt(x):
    return x.rsqrt()


def neg(x):
    return x.neg()


def sign(x):
    return x.sign()


def floor(x):
    return x.floor()


def ceil(x):
    return x.ceil()


def trunc(x):
    return x.trunc()


negative = neg
fix = trunc


def round(x, decimals=0):
    return x.round(decimals)


def maximum(x, y):
    return x.maximum(y)


def minimum(x, y):
    return x.minimum(y)


def clamp(x, min=None, max=None):
    return x.clamp(min, max)


clip = clamp


def clamp_min(x, min):
    return x.clamp(min=min)


def clamp_max(x, max):
    return x.clamp(max=max)


def mm(x, y):
    return x.mm(y)


def dot(x, y):
    return x.dot(y)


def mv(x, vec):
    return x.mv(vec)


def isnan(x):
    return x.isnan()


def isinf(x):
    return x.isinf()


def isfinite(x):
    return x.isfinite()


@numpy_names
def softmax(x, dim):
    return x.softmax(dim)


@numpy_names
def log_softmax(x, dim):
    return x.log_softmax(dim)


@numpy_names
def sum(x, dim=None, keepdim=False, dtype=None):
    return x.sum(dim, keepdim, dtype)


@numpy_names
def mean(x, dim=None, keepdim=False, dtype=None):
    return x.mean(dim, keepdim, dtype)


@numpy_names
def prod(x, dim=None, keepdim=False, dtype=None):
    return x.prod(dim, keepdim, dtype)


@numpy_names
def cumsum(x, dim, dtype=None):
    return x.cumsum(dim, dtype)


@numpy_names
def max(x, dim=None, keepdim=False):
    """``max(x)``, ``max(x, dim, keepdim)`` -> (values, indices), or ``max(x, y)``: the
    elementwise maximum of two tensors."""
    return x.max(dim, keepdim)


@numpy_names
def min(x, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim, keepdim)`` -> (values, indices), or ``min(x, y)``."""
    return x.min(dim, keepdim)


@numpy_names
def argmax(x, dim=None, keepdim=False):
    return x.argmax(dim, keepdim)


@numpy_names
def argmin(x, dim=None, keepdim=False):
    return x.argmin(dim, keepdim)


def var(x, *args, **kwargs):
    """``var(x, dim=None, unbiased=None, keepdim=False, *, correction=None)``: see
    ``Tensor.var`` for PyTorch's forms."""
    return x.var(*args, **kwargs)


def std(x, *args, **kwargs):
    """``std(x, dim=None, unbiased=None, keepdim=False, *, correction=None)``."""
    return x.std(*args, **kwargs)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    return x.norm(p, dim, keepdim, dtype)


@numpy_names
def topk(x, k, dim=-1, largest=True, sorted=True):
    return x.topk(k, dim, largest, sorted)


@numpy_names
def gather(x, dim, index):
    return x.gather(dim, index)


def masked_fill(x, mask, value):
    return x.masked_fill(mask, value)


@numpy_names
def chunk(x, chunks, dim=0):
    return x.chunk(chunks, dim)


def split(x, split_size_or_sections, dim=0):
    return x.split(split_size_or_sections, dim)


def reshape(x, shape):
    return x.reshape(shape)


def flatten(x, start_dim=0, end_dim=-1):
    return x.flatten(start_dim, end_dim)


def transpose(x, dim0, dim1):
    return x.transpose(dim0, dim1)


@numpy_names
def squeeze(x, dim=None):
    return x.squeeze(dim)


@numpy_names
def unsqueeze(x, dim):
    return x.unsqueeze(dim)


def numel(x) -> int:
    return x.numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def allclose(x, y, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol))
