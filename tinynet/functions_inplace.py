"""Module-level forms of the elementwise in-place methods, as in PyTorch: ``tn.exp_(x)`` is
``x.exp_()``, which writes into ``x`` and returns it (its own array outside the graph,
counted by its version counter; inside it, ``x`` rebound to the recorded result; a leaf
that requires grad is refused: see ``tensor_inplace.py``). Those PyTorch has at the top
level whose out-of-place form (``tn.exp``, in ``functions.py``) and in-place method
tinynet has; ``celu_`` and ``rrelu_`` are in ``nn/_top_level.py``."""
# ruff: noqa: A002  (PyTorch's argument name: input)

from tinynet.tensor_math import check_tensor


def abs_(input):
    return check_tensor("abs_", input).abs_()


def neg_(input):
    return check_tensor("neg_", input).neg_()


def exp_(input):
    return check_tensor("exp_", input).exp_()


def log_(input):
    return check_tensor("log_", input).log_()


def sqrt_(input):
    return check_tensor("sqrt_", input).sqrt_()


def square_(input):
    return check_tensor("square_", input).square_()


def sigmoid_(input):
    return check_tensor("sigmoid_", input).sigmoid_()


def tanh_(input):
    return check_tensor("tanh_", input).tanh_()


def relu_(input):
    return check_tensor("relu_", input).relu_()


def logit_(input, eps=None):
    return check_tensor("logit_", input).logit_(eps)


def xlogy_(input, other):
    return check_tensor("xlogy_", input).xlogy_(other)


def ceil_(input):
    return check_tensor("ceil_", input).ceil_()


def floor_(input):
    return check_tensor("floor_", input).floor_()


def round_(input, *, decimals=0):
    return check_tensor("round_", input).round_(decimals=decimals)


def trunc_(input):
    return check_tensor("trunc_", input).trunc_()


fix_ = trunc_


def frac_(input):
    return check_tensor("frac_", input).frac_()


def clamp_(input, min=None, max=None):
    return check_tensor("clamp_", input).clamp_(min, max)


clip_ = clamp_


def clamp_min_(input, min):
    return check_tensor("clamp_min_", input).clamp_min_(min)


def clamp_max_(input, max):
    return check_tensor("clamp_max_", input).clamp_max_(max)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return check_tensor("nan_to_num_", input).nan_to_num_(nan, posinf, neginf)


def zero_(input):
    return check_tensor("zero_", input).zero_()


def fill_(input, value):
    return check_tensor("fill_", input).fill_(value)


def sin_(input):
    return check_tensor("sin_", input).sin_()


def cos_(input):
    return check_tensor("cos_", input).cos_()


def tan_(input):
    return check_tensor("tan_", input).tan_()


def asin_(input):
    return check_tensor("asin_", input).asin_()


def acos_(input):
    return check_tensor("acos_", input).acos_()


def atan_(input):
    return check_tensor("atan_", input).atan_()


def sinh_(input):
    return check_tensor("sinh_", input).sinh_()


def cosh_(input):
    return check_tensor("cosh_", input).cosh_()


def asinh_(input):
    return check_tensor("asinh_", input).asinh_()


def acosh_(input):
    return check_tensor("acosh_", input).acosh_()


def atanh_(input):
    return check_tensor("atanh_", input).atanh_()


def arcsin_(input):
    return check_tensor("arcsin_", input).arcsin_()


def arccos_(input):
    return check_tensor("arccos_", input).arccos_()


def arctan_(input):
    return check_tensor("arctan_", input).arctan_()


def arcsinh_(input):
    return check_tensor("arcsinh_", input).arcsinh_()


def arccosh_(input):
    return check_tensor("arccosh_", input).arccosh_()


def arctanh_(input):
    return check_tensor("arctanh_", input).arctanh_()


def log1p_(input):
    return check_tensor("log1p_", input).log1p_()


def log2_(input):
    return check_tensor("log2_", input).log2_()


def log10_(input):
    return check_tensor("log10_", input).log10_()


def expm1_(input):
    return check_tensor("expm1_", input).expm1_()


def exp2_(input):
    return check_tensor("exp2_", input).exp2_()


def rsqrt_(input):
    return check_tensor("rsqrt_", input).rsqrt_()


def reciprocal_(input):
    return check_tensor("reciprocal_", input).reciprocal_()


def erf_(input):
    return check_tensor("erf_", input).erf_()


def erfc_(input):
    return check_tensor("erfc_", input).erfc_()
