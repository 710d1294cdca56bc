"""Module-level forms of the special functions, NaN-skipping reductions, running
extremes, differences, products and statistics, as in PyTorch: ``tn.logaddexp(x, y)`` is
``x.logaddexp(y)`` (see ``tensor_special.py``, ``tensor_reduce.py``, ``tensor_stats.py``
and ``tensor_linalg.py``)."""
# ruff: noqa: A002  (PyTorch's argument names: input)
from tinynet import ops
from tinynet.tensor_math import check_tensor, numpy_names
from tinynet.tensor_special import floating_operands


def logit(input, eps=None):
    return check_tensor("logit", input).logit(eps)


def xlogy(input, other):
    """input · log(other), 0 where input is 0; ``input`` or ``other`` may be a number."""
    return ops.Xlogy.apply(*floating_operands("xlogy", input, other))


def logaddexp(input, other):
    return check_tensor("logaddexp", input).logaddexp(other)


def logaddexp2(input, other):
    return check_tensor("logaddexp2", input).logaddexp2(other)


def hypot(input, other):
    return check_tensor("hypot", input).hypot(other)


def atan2(input, other):
    return check_tensor("atan2", input).atan2(other)


arctan2 = atan2


def dist(input, other, p=2):
    return check_tensor("dist", input).dist(other, p)


def copysign(input, other):
    return check_tensor("copysign", input).copysign(other)


def frac(input):
    return check_tensor("frac", input).frac()


def erfinv(input):
    return check_tensor("erfinv", input).erfinv()


def erfc(input):
    return check_tensor("erfc", input).erfc()


def lgamma(input):
    return check_tensor("lgamma", input).lgamma()


def digamma(input):
    return check_tensor("digamma", input).digamma()


def heaviside(input, values):
    return check_tensor("heaviside", input).heaviside(values)


@numpy_names
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return check_tensor("nansum", input).nansum(dim, keepdim, dtype=dtype)


@numpy_names
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    return check_tensor("nanmean", input).nanmean(dim, keepdim, dtype=dtype)


@numpy_names
def aminmax(input, *, dim=None, keepdim=False):
    return check_tensor("aminmax", input).aminmax(dim=dim, keepdim=keepdim)


@numpy_names
def cummax(input, dim):
    return check_tensor("cummax", input).cummax(dim)


@numpy_names
def cummin(input, dim):
    return check_tensor("cummin", input).cummin(dim)


@numpy_names
def logcumsumexp(input, dim):
    return check_tensor("logcumsumexp", input).logcumsumexp(dim)


@numpy_names
def diff(input, n=1, dim=-1, prepend=None, append=None):
    return check_tensor("diff", input).diff(n, dim, prepend, append)


def kron(input, other):
    return check_tensor("kron", input).kron(other)


@numpy_names
def cross(input, other, dim=None):
    return check_tensor("cross", input).cross(other, dim)


@numpy_names
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return check_tensor("quantile", input).quantile(q, dim, keepdim, interpolation=interpolation)


@numpy_names
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return check_tensor("nanquantile", input).nanquantile(q, dim, keepdim,
                                                          interpolation=interpolation)


def histc(input, bins=100, min=0, max=0):  # noqa: A002  (PyTorch's names)
    return check_tensor("histc", input).histc(bins, min, max)


def histogram(input, bins=100, *, range=None, weight=None,  # noqa: A002  (PyTorch's names)
              density=False):
    return check_tensor("histogram", input).histogram(bins, range=range, weight=weight,
                                                      density=density)


def cov(input, *, correction=1, fweights=None, aweights=None):
    return check_tensor("cov", input).cov(correction=correction, fweights=fweights,
                                          aweights=aweights)


def corrcoef(input):
    return check_tensor("corrcoef", input).corrcoef()
