"""Module-level forms of tensor methods, as in PyTorch: ``tn.exp(x)`` is ``x.exp()``, for
elementwise math, reductions, products and selection. (Shape functions, ``tn.reshape``,
``tn.flip``..., are in ``shaping.py``; booleans, ``tn.all``, ``tn.isclose``..., in
``logic.py``; functions of several tensors, ``cat``, ``where``, ``meshgrid``..., in
``combining.py``.)"""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)

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


def erf(x):
    return x.erf()


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


def remainder(input, other):
    """input mod other with the sign of other (``input`` may be a number)."""
    return other.__rmod__(input) if not isinstance(input, Tensor) else input.remainder(other)


def fmod(input, other):
    return input.fmod(other)


def floor_divide(input, other):
    return input.floor_divide(other)


def mm(x, y):
    return x.mm(y)


def dot(x, y):
    return x.dot(y)


def mv(x, vec):
    return x.mv(vec)


def bmm(input, mat2):
    return input.bmm(mat2)


def outer(input, vec2):
    return input.outer(vec2)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return input.addmm(mat1, mat2, beta=beta, alpha=alpha)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input.addcmul(tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input.addcdiv(tensor1, tensor2, value=value)


def lerp(input, end, weight):
    return input.lerp(end, weight)


def diag(input, diagonal=0):
    return input.diag(diagonal)


def diagonal(input, offset=0, dim1=0, dim2=1):
    return input.diagonal(offset, dim1, dim2)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return input.nan_to_num(nan, posinf, neginf)


def trace(input):
    return input.trace()


def tril(input, diagonal=0):
    return input.tril(diagonal)


def triu(input, diagonal=0):
    return input.triu(diagonal)


@numpy_names
def softmax(x, dim, dtype=None):
    return x.softmax(dim, dtype=dtype)


@numpy_names
def log_softmax(x, dim, dtype=None):
    return x.log_softmax(dim, dtype=dtype)


def hardshrink(input, lambd=0.5):
    return input.hardshrink(lambd)


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
def cumprod(x, dim, dtype=None):
    return x.cumprod(dim, dtype)


@numpy_names
def amax(x, dim=(), keepdim=False):
    return x.amax(dim, keepdim)


@numpy_names
def amin(x, dim=(), keepdim=False):
    return x.amin(dim, keepdim)


@numpy_names
def logsumexp(x, dim, keepdim=False):
    return x.logsumexp(dim, keepdim)


@numpy_names
def median(x, dim=None, keepdim=False):
    return x.median(dim, keepdim)


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


@numpy_names
def var_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, with ``var``'s arguments (a tuple, as in PyTorch)."""
    x, dim, correction, keepdim = x._var_args("var_mean", dim, unbiased, keepdim, correction)
    return x.var(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim)


@numpy_names
def std_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, with ``std``'s arguments."""
    x, dim, correction, keepdim = x._var_args("std_mean", dim, unbiased, keepdim, correction)
    return x.std(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    return x.norm(p, dim, keepdim, dtype)


@numpy_names
def topk(x, k, dim=-1, largest=True, sorted=True):
    return x.topk(k, dim, largest, sorted)


def sort(x, dim=-1, descending=False, *, stable=False):
    return x.sort(dim, descending, stable=stable)


def argsort(x, dim=-1, descending=False, *, stable=False):
    return x.argsort(dim, descending, stable=stable)


@numpy_names
def index_select(x, dim, index):
    return x.index_select(dim, index)


@numpy_names
def gather(x, dim, index):
    return x.gather(dim, index)


def masked_fill(x, mask, value):
    return x.masked_fill(mask, value)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (see
    ``Tensor.masked_select``)."""
    return input.masked_select(mask)


def pow(input, exponent):
    """input ** exponent, elementwise; ``input`` may be a number when ``exponent`` is a
    tensor (``tn.pow(2, x)``)."""
    if isinstance(input, Tensor):
        return input ** exponent
    if not isinstance(exponent, Tensor):
        raise TypeError(f"pow: input or exponent must be a tensor, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    return exponent.__rpow__(input)


def is_floating_point(input) -> bool:
    """Whether ``input`` (a tensor) has a floating-point dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point: input must be a tensor, got "
                        f"{type(input).__name__}")
    return input.is_floating_point()


def numel(x) -> int:
    return x.numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
