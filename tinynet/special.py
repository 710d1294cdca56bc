"""``tinynet.special``: the functions of ``torch.special`` tinynet has, under PyTorch's
names (most are tinynet's own functions under another name: ``expit`` is ``sigmoid``,
``gammaln`` is ``lgamma``, ``psi`` is ``digamma``), so ``torch.special.expit(x)`` runs
with ``import tinynet as torch``."""
import math

from tinynet.functions import erf, exp2, expm1, log1p, round, sigmoid
from tinynet.functions_numeric import digamma, erfc, erfinv, lgamma, logit, xlogy
from tinynet.tensor_math import check_tensor

expit = sigmoid
gammaln = lgamma
psi = digamma


def ndtr(input):
    """Φ(x), the standard normal's cumulative distribution: erfc(-x/√2)/2 (exact in the
    lower tail, where 1 + erf would cancel); gradient the normal density."""
    return erfc(check_tensor("ndtr", input) * (-1 / math.sqrt(2.0))) * 0.5


def log_softmax(input, dim, *, dtype=None):
    return check_tensor("log_softmax", input).log_softmax(dim, dtype=dtype)


def softmax(input, dim, *, dtype=None):
    return check_tensor("softmax", input).softmax(dim, dtype=dtype)


def logsumexp(input, dim, keepdim=False):
    return check_tensor("logsumexp", input).logsumexp(dim, keepdim)


__all__ = ["digamma", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p",
           "log_softmax", "logit", "logsumexp", "ndtr", "psi", "round", "softmax", "xlogy"]
