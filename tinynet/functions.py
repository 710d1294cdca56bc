"""Module-level forms of tensor methods, as in PyTorch: ``tn.exp(x)`` is ``x.exp()``, for
elementwise math, reductions, products and selection. (Shape functions, ``tn.reshape``,
``tn.flip``..., are in ``shaping.py``; booleans, ``tn.all``, ``tn.isclose``..., in
``logic.py``; functions of several tensors, ``cat``, ``where``, ``meshgrid``..., in
``combining.py``.)"""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
import numbers

from tinynet.tensor import Tensor
from tinynet.tensor_math import check_tensor, numpy_names


def exp(input):
    return check_tensor("exp", input).exp()


def log(input):
    return check_tensor("log", input).log()


def sqrt(input):
    return check_tensor("sqrt", input).sqrt()


def abs(input):
    return check_tensor("abs", input).abs()


def tanh(input):
    return check_tensor("tanh", input).tanh()


def sigmoid(input):
    return check_tensor("sigmoid", input).sigmoid()


def relu(input):
    return check_tensor("relu", input).relu()


def sin(input):
    return check_tensor("sin", input).sin()


def cos(input):
    return check_tensor("cos", input).cos()


def tan(input):
    return check_tensor("tan", input).tan()


def asin(input):
    return check_tensor("asin", input).asin()


def acos(input):
    return check_tensor("acos", input).acos()


def atan(input):
    return check_tensor("atan", input).atan()


def sinh(input):
    return check_tensor("sinh", input).sinh()


def cosh(input):
    return check_tensor("cosh", input).cosh()


def asinh(input):
    return check_tensor("asinh", input).asinh()


def acosh(input):
    return check_tensor("acosh", input).acosh()


def atanh(input):
    return check_tensor("atanh", input).atanh()


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def log2(input):
    return check_tensor("log2", input).log2()


def log10(input):
    return check_tensor("log10", input).log10()


def log1p(input):
    return check_tensor("log1p", input).log1p()


def expm1(input):
    return check_tensor("expm1", input).expm1()


def exp2(input):
    return check_tensor("exp2", input).exp2()


def square(input):
    return check_tensor("square", input).square()


def reciprocal(input):
    return check_tensor("reciprocal", input).reciprocal()


def rsqrt(input):
    return check_tensor("rsqrt", input).rsqrt()


def neg(input):
    return check_tensor("neg", input).neg()


def sign(input):
    return check_tensor("sign", input).sign()


def floor(input):
    return check_tensor("floor", input).floor()


def ceil(input):
    return check_tensor("ceil", input).ceil()


def trunc(input):
    return check_tensor("trunc", input).trunc()


negative = neg
fix = trunc


def erf(input):
    return check_tensor("erf", input).erf()


def round(input, decimals=0):
    return check_tensor("round", input).round(decimals)


def maximum(input, other):
    return check_tensor("maximum", input).maximum(other)


def minimum(input, other):
    return check_tensor("minimum", input).minimum(other)


def clamp(input, min=None, max=None):
    return check_tensor("clamp", input).clamp(min, max)


clip = clamp


def clamp_min(input, min):
    return check_tensor("clamp_min", input).clamp(min=min)


def clamp_max(input, max):
    return check_tensor("clamp_max", input).clamp(max=max)


def remainder(input, other):
    """input mod other with the sign of other (``input`` may be a number)."""
    if isinstance(input, Tensor):
        return input.remainder(other)
    if isinstance(other, Tensor) and isinstance(input, numbers.Number):
        return other.__rmod__(input)
    raise TypeError(f"remainder: input must be a tensor, or a number with other a tensor, "
                    f"got {type(input).__name__} and {type(other).__name__}")


def fmod(input, other):
    return check_tensor("fmod", input).fmod(other)


def floor_divide(input, other):
    """input // other (rounded toward -inf); ``input`` may be a number, as in PyTorch."""
    if isinstance(other, Tensor) and isinstance(input, numbers.Number):
        return other.__rfloordiv__(input)
    return check_tensor("floor_divide", input).floor_divide(other)


def mm(input, mat2):
    return check_tensor("mm", input).mm(mat2)


def dot(input, tensor):
    return check_tensor("dot", input).dot(tensor)


def mv(input, vec):
    return check_tensor("mv", input).mv(vec)


def bmm(input, mat2):
    return check_tensor("bmm", input).bmm(mat2)


def outer(input, vec2):
    return check_tensor("outer", input).outer(vec2)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return check_tensor("addmm", input).addmm(mat1, mat2, beta=beta, alpha=alpha)


def addcmul(input, tensor1, tensor2, *, value=1):
    return check_tensor("addcmul", input).addcmul(tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return check_tensor("addcdiv", input).addcdiv(tensor1, tensor2, value=value)


def lerp(input, end, weight):
    return check_tensor("lerp", input).lerp(end, weight)


def diag(input, diagonal=0):
    return check_tensor("diag", input).diag(diagonal)


def diagonal(input, offset=0, dim1=0, dim2=1):
    return check_tensor("diagonal", input).diagonal(offset, dim1, dim2)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return check_tensor("nan_to_num", input).nan_to_num(nan, posinf, neginf)


def trace(input):
    return check_tensor("trace", input).trace()


def inverse(input):
    return check_tensor("inverse", input).inverse()


def take(input, index):
    return check_tensor("take", input).take(index)


def take_along_dim(input, indices, dim=None):
    return check_tensor("take_along_dim", input).take_along_dim(indices, dim)


def index_copy(input, dim, index, source):
    return check_tensor("index_copy", input).index_copy(dim, index, source)


def masked_scatter(input, mask, source):
    return check_tensor("masked_scatter", input).masked_scatter(mask, source)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    return check_tensor("diag_embed", input).diag_embed(offset, dim1, dim2)


def rot90(input, k=1, dims=(0, 1)):
    return check_tensor("rot90", input).rot90(k, dims)


def det(input):
    return check_tensor("det", input).det()


def logdet(input):
    return check_tensor("logdet", input).logdet()


def slogdet(input):
    return check_tensor("slogdet", input).slogdet()


def tril(input, diagonal=0):
    return check_tensor("tril", input).tril(diagonal)


def triu(input, diagonal=0):
    return check_tensor("triu", input).triu(diagonal)


@numpy_names
def softmax(input, dim, dtype=None):
    return check_tensor("softmax", input).softmax(dim, dtype=dtype)


@numpy_names
def log_softmax(input, dim, dtype=None):
    return check_tensor("log_softmax", input).log_softmax(dim, dtype=dtype)


def hardshrink(input, lambd=0.5):
    return check_tensor("hardshrink", input).hardshrink(lambd)


@numpy_names
def sum(input, dim=None, keepdim=False, dtype=None):
    return check_tensor("sum", input).sum(dim, keepdim, dtype)


@numpy_names
def mean(input, dim=None, keepdim=False, dtype=None):
    return check_tensor("mean", input).mean(dim, keepdim, dtype)


@numpy_names
def prod(input, dim=None, keepdim=False, dtype=None):
    return check_tensor("prod", input).prod(dim, keepdim, dtype)


@numpy_names
def cumsum(input, dim, dtype=None):
    return check_tensor("cumsum", input).cumsum(dim, dtype)


@numpy_names
def cumprod(input, dim, dtype=None):
    return check_tensor("cumprod", input).cumprod(dim, dtype)


@numpy_names
def amax(input, dim=(), keepdim=False):
    return check_tensor("amax", input).amax(dim, keepdim)


@numpy_names
def amin(input, dim=(), keepdim=False):
    return check_tensor("amin", input).amin(dim, keepdim)


@numpy_names
def logsumexp(input, dim, keepdim=False):
    return check_tensor("logsumexp", input).logsumexp(dim, keepdim)


@numpy_names
def median(input, dim=None, keepdim=False):
    return check_tensor("median", input).median(dim, keepdim)


@numpy_names
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(input)``, ``max(input, dim, keepdim)`` -> (values, indices), or
    ``max(input, other)``: the elementwise maximum of two tensors."""
    return check_tensor("max", input).max(dim, keepdim, other=other)


@numpy_names
def min(input, dim=None, keepdim=False, *, other=None):
    """``min(input)``, ``min(input, dim, keepdim)`` -> (values, indices), or
    ``min(input, other)``."""
    return check_tensor("min", input).min(dim, keepdim, other=other)


@numpy_names
def argmax(input, dim=None, keepdim=False):
    return check_tensor("argmax", input).argmax(dim, keepdim)


@numpy_names
def argmin(input, dim=None, keepdim=False):
    return check_tensor("argmin", input).argmin(dim, keepdim)


def var(input, *args, **kwargs):
    """``var(input, dim=None, unbiased=None, keepdim=False, *, correction=None)``: see
    ``Tensor.var`` for PyTorch's forms."""
    return check_tensor("var", input).var(*args, **kwargs)


def std(input, *args, **kwargs):
    """``std(input, dim=None, unbiased=None, keepdim=False, *, correction=None)``."""
    return check_tensor("std", input).std(*args, **kwargs)


@numpy_names
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, with ``var``'s arguments (a tuple, as in PyTorch)."""
    input, dim, correction, keepdim = check_tensor("var_mean", input)._var_args(
        "var_mean", dim, unbiased, keepdim, correction)
    return input.var(dim, keepdim=keepdim, correction=correction), input.mean(dim, keepdim)


@numpy_names
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, with ``std``'s arguments."""
    input, dim, correction, keepdim = check_tensor("std_mean", input)._var_args(
        "std_mean", dim, unbiased, keepdim, correction)
    return input.std(dim, keepdim=keepdim, correction=correction), input.mean(dim, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    return check_tensor("norm", input).norm(p, dim, keepdim, dtype)


@numpy_names
def topk(input, k, dim=-1, largest=True, sorted=True):
    return check_tensor("topk", input).topk(k, dim, largest, sorted)


def sort(input, dim=-1, descending=False, *, stable=False):
    return check_tensor("sort", input).sort(dim, descending, stable=stable)


def argsort(input, dim=-1, descending=False, *, stable=False):
    return check_tensor("argsort", input).argsort(dim, descending, stable=stable)


@numpy_names
def index_select(input, dim, index):
    return check_tensor("index_select", input).index_select(dim, index)


@numpy_names
def mode(input, dim=-1, keepdim=False):
    return check_tensor("mode", input).mode(dim, keepdim)


def nanmedian(input, dim=None, keepdim=False):
    return check_tensor("nanmedian", input).nanmedian(dim, keepdim)


def fmax(input, other):
    return check_tensor("fmax", input).fmax(other)


def fmin(input, other):
    return check_tensor("fmin", input).fmin(other)


def kthvalue(input, k, dim=-1, keepdim=False):
    return check_tensor("kthvalue", input).kthvalue(k, dim, keepdim)


def gather(input, dim, index):
    return check_tensor("gather", input).gather(dim, index)


def scatter_add(input, dim, index, src):
    return check_tensor("scatter_add", input).scatter_add(dim, index, src)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    return check_tensor("scatter_reduce", input).scatter_reduce(dim, index, src, reduce,
                                                                include_self=include_self)


def index_add(input, dim, index, source, *, alpha=1):
    return check_tensor("index_add", input).index_add(dim, index, source, alpha=alpha)


def masked_fill(input, mask, value):
    return check_tensor("masked_fill", input).masked_fill(mask, value)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (see
    ``Tensor.masked_select``)."""
    return check_tensor("masked_select", input).masked_select(mask)


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
    return check_tensor("is_floating_point", input).is_floating_point()


def numel(input) -> int:
    return check_tensor("numel", input).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
