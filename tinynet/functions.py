"""Module-level forms of tensor methods, as in PyTorch: ``tn.exp(x)`` is ``x.exp()``, for
elementwise math, reductions, products and selection. (Shape functions, ``tn.reshape``,
``tn.flip``..., are in ``shaping.py``; booleans, ``tn.all``, ``tn.isclose``..., in
``logic.py``; functions of several tensors, ``cat``, ``where``, ``meshgrid``..., in
``combining.py``.)"""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
import numbers

from tinynet.tensor import Tensor
from tinynet.tensor_math import check_tensor, numpy_names


def exp(x):
    return check_tensor("exp", x).exp()


def log(x):
    return check_tensor("log", x).log()


def sqrt(x):
    return check_tensor("sqrt", x).sqrt()


def abs(x):
    return check_tensor("abs", x).abs()


def tanh(x):
    return check_tensor("tanh", x).tanh()


def sigmoid(x):
    return check_tensor("sigmoid", x).sigmoid()


def relu(x):
    return check_tensor("relu", x).relu()


def sin(x):
    return check_tensor("sin", x).sin()


def cos(x):
    return check_tensor("cos", x).cos()


def tan(x):
    return check_tensor("tan", x).tan()


def log2(x):
    return check_tensor("log2", x).log2()


def log10(x):
    return check_tensor("log10", x).log10()


def log1p(x):
    return check_tensor("log1p", x).log1p()


def expm1(x):
    return check_tensor("expm1", x).expm1()


def exp2(x):
    return check_tensor("exp2", x).exp2()


def square(x):
    return check_tensor("square", x).square()


def reciprocal(x):
    return check_tensor("reciprocal", x).reciprocal()


def rsqrt(x):
    return check_tensor("rsqrt", x).rsqrt()


def neg(x):
    return check_tensor("neg", x).neg()


def sign(x):
    return check_tensor("sign", x).sign()


def floor(x):
    return check_tensor("floor", x).floor()


def ceil(x):
    return check_tensor("ceil", x).ceil()


def trunc(x):
    return check_tensor("trunc", x).trunc()


negative = neg
fix = trunc


def erf(x):
    return check_tensor("erf", x).erf()


def round(x, decimals=0):
    return check_tensor("round", x).round(decimals)


def maximum(x, y):
    return check_tensor("maximum", x).maximum(y)


def minimum(x, y):
    return check_tensor("minimum", x).minimum(y)


def clamp(x, min=None, max=None):
    return check_tensor("clamp", x).clamp(min, max)


clip = clamp


def clamp_min(x, min):
    return check_tensor("clamp_min", x).clamp(min=min)


def clamp_max(x, max):
    return check_tensor("clamp_max", x).clamp(max=max)


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
    return check_tensor("floor_divide", input).floor_divide(other)


def mm(x, y):
    return check_tensor("mm", x).mm(y)


def dot(x, y):
    return check_tensor("dot", x).dot(y)


def mv(x, vec):
    return check_tensor("mv", x).mv(vec)


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


def tril(input, diagonal=0):
    return check_tensor("tril", input).tril(diagonal)


def triu(input, diagonal=0):
    return check_tensor("triu", input).triu(diagonal)


@numpy_names
def softmax(x, dim, dtype=None):
    return check_tensor("softmax", x).softmax(dim, dtype=dtype)


@numpy_names
def log_softmax(x, dim, dtype=None):
    return check_tensor("log_softmax", x).log_softmax(dim, dtype=dtype)


def hardshrink(input, lambd=0.5):
    return check_tensor("hardshrink", input).hardshrink(lambd)


@numpy_names
def sum(x, dim=None, keepdim=False, dtype=None):
    return check_tensor("sum", x).sum(dim, keepdim, dtype)


@numpy_names
def mean(x, dim=None, keepdim=False, dtype=None):
    return check_tensor("mean", x).mean(dim, keepdim, dtype)


@numpy_names
def prod(x, dim=None, keepdim=False, dtype=None):
    return check_tensor("prod", x).prod(dim, keepdim, dtype)


@numpy_names
def cumsum(x, dim, dtype=None):
    return check_tensor("cumsum", x).cumsum(dim, dtype)


@numpy_names
def cumprod(x, dim, dtype=None):
    return check_tensor("cumprod", x).cumprod(dim, dtype)


@numpy_names
def amax(x, dim=(), keepdim=False):
    return check_tensor("amax", x).amax(dim, keepdim)


@numpy_names
def amin(x, dim=(), keepdim=False):
    return check_tensor("amin", x).amin(dim, keepdim)


@numpy_names
def logsumexp(x, dim, keepdim=False):
    return check_tensor("logsumexp", x).logsumexp(dim, keepdim)


@numpy_names
def median(x, dim=None, keepdim=False):
    return check_tensor("median", x).median(dim, keepdim)


@numpy_names
def max(x, dim=None, keepdim=False):
    """``max(x)``, ``max(x, dim, keepdim)`` -> (values, indices), or ``max(x, y)``: the
    elementwise maximum of two tensors."""
    return check_tensor("max", x).max(dim, keepdim)


@numpy_names
def min(x, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim, keepdim)`` -> (values, indices), or ``min(x, y)``."""
    return check_tensor("min", x).min(dim, keepdim)


@numpy_names
def argmax(x, dim=None, keepdim=False):
    return check_tensor("argmax", x).argmax(dim, keepdim)


@numpy_names
def argmin(x, dim=None, keepdim=False):
    return check_tensor("argmin", x).argmin(dim, keepdim)


def var(x, *args, **kwargs):
    """``var(x, dim=None, unbiased=None, keepdim=False, *, correction=None)``: see
    ``Tensor.var`` for PyTorch's forms."""
    return check_tensor("var", x).var(*args, **kwargs)


def std(x, *args, **kwargs):
    """``std(x, dim=None, unbiased=None, keepdim=False, *, correction=None)``."""
    return check_tensor("std", x).std(*args, **kwargs)


@numpy_names
def var_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, with ``var``'s arguments (a tuple, as in PyTorch)."""
    x, dim, correction, keepdim = check_tensor("var_mean", x)._var_args("var_mean", dim, unbiased,
                                                                  keepdim, correction)
    return x.var(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim)


@numpy_names
def std_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, with ``std``'s arguments."""
    x, dim, correction, keepdim = check_tensor("std_mean", x)._var_args("std_mean", dim, unbiased,
                                                                  keepdim, correction)
    return x.std(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    return check_tensor("norm", x).norm(p, dim, keepdim, dtype)


@numpy_names
def topk(x, k, dim=-1, largest=True, sorted=True):
    return check_tensor("topk", x).topk(k, dim, largest, sorted)


def sort(x, dim=-1, descending=False, *, stable=False):
    return check_tensor("sort", x).sort(dim, descending, stable=stable)


def argsort(x, dim=-1, descending=False, *, stable=False):
    return check_tensor("argsort", x).argsort(dim, descending, stable=stable)


@numpy_names
def index_select(x, dim, index):
    return check_tensor("index_select", x).index_select(dim, index)


@numpy_names
def gather(x, dim, index):
    return check_tensor("gather", x).gather(dim, index)


def masked_fill(x, mask, value):
    return check_tensor("masked_fill", x).masked_fill(mask, value)


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
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point: input must be a tensor, got "
                        f"{type(input).__name__}")
    return input.is_floating_point()


def numel(x) -> int:
    return check_tensor("numel", x).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)
