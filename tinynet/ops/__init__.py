"""Every differentiable operation, one ``Function`` subclass each."""
from tinynet.ops.activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax,
                                    Tanh, GELUTanh)
from tinynet.ops.activation_extra import Hardsigmoid, Hardswish, LogSigmoid, Softsign
from tinynet.ops.activation_dim import GLU
from tinynet.ops.activation_more import SELU, Hardtanh, Mish, PReLU, SiLU, Softplus, Threshold
from tinynet.ops.activation_shrink import Hardshrink, Softshrink, Tanhshrink
from tinynet.ops.activation_variants import CELU, RReLU
from tinynet.ops.arithmetic import Add, Div, Fmod, Lerp, MatMul, Mul, Neg, Pow, Remainder, Sub
from tinynet.ops.batch_norm import BatchNorm
from tinynet.ops.cdist import Cdist
from tinynet.ops.dropout import AlphaDropout, Dropout, FeatureAlphaDropout, FeatureDropout
from tinynet.ops.einsum import Einsum
from tinynet.ops.embedding import Embedding
from tinynet.ops.elementwise import (Acos, Acosh, Asin, Asinh, Atan, Atanh, Cos, Cosh, Erf, Erfc,
                                     Exp2, Expm1, Log1p, Log2, Log10, Reciprocal, Rsqrt, Sin,
                                     Sinh, Square, Tan)
from tinynet.ops.join import Cat, Stack
from tinynet.ops.layer_norm import LayerNorm
from tinynet.ops.linear import Linear
from tinynet.ops.cross_entropy import CrossEntropy, CrossEntropyGeneral
from tinynet.ops.loss import BCE, BCEWithLogits, KLDiv, NLLLoss, SmoothL1
from tinynet.ops.movement import (BroadcastTo, Clone, Diagonal, Flip, GetItem, Permute,
                                  Reshape, Roll, SetItem, Unfold)
from tinynet.ops.nan_reduce import NanMean, NanSum
from tinynet.ops.linalg import Det, Inv, LogAbsDet, Solve
from tinynet.ops.norm import Norm
from tinynet.ops.reduce import (Amax, Amin, Cumprod, Cumsum, LogSumExp, Max, Mean, Median, Min,
                                NanMedian, Prod, Std, Sum, Var)
from tinynet.ops.rounding import Ceil, Floor, FloorDivide, Round, Sign, Trunc, TruncDivide
from tinynet.ops.scan import LogCumSumExp
from tinynet.ops.select import (FMax, FMin, Gather, IndexAdd, Maximum, Minimum, OneHot,
                                Scatter, ScatterAdd, ScatterReduce, Where)
from tinynet.ops.special import (Atan2, Copysign, Digamma, Erfinv, Heaviside, Hypot,
                                 Lgamma, LogAddExp, LogAddExp2, Logit, Xlogy)
from tinynet.ops.unary import Abs, Cast, Clamp, Exp, Log, NanToNum, Sqrt

__all__ = [
    "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Cosh", "Sinh",
    "Add", "AlphaDropout", "Amax", "Amin", "Atan2", "BCE", "BCEWithLogits", "BatchNorm",
    "BroadcastTo", "CELU", "Cast", "Cat", "Cdist", "Ceil", "Clamp", "Clone", "Copysign", "Cos",
    "CrossEntropy", "CrossEntropyGeneral", "Cumprod", "Cumsum", "Det", "Diagonal", "Div", "Dropout",
    "ELU", "Einsum", "Embedding", "Erf", "Erfc", "Erfinv", "Digamma", "Lgamma", "Exp", "Exp2",
    "Expm1", "Flip", "Floor",
    "FeatureAlphaDropout", "FeatureDropout", "FMax", "FMin", "FloorDivide", "Fmod", "GELU",
    "GELUTanh", "GLU", "Gather", "GetItem",
    "Hardshrink",
    "Hardsigmoid", "Hardswish", "Hardtanh", "Heaviside", "Hypot", "IndexAdd", "Inv", "KLDiv",
    "LayerNorm",
    "LeakyReLU", "Lerp", "Linear", "Log", "Log10", "Log1p", "Log2", "LogAbsDet", "LogAddExp",
    "LogAddExp2",
    "LogCumSumExp", "LogSigmoid", "LogSoftmax", "LogSumExp", "Logit", "MatMul", "Max", "Maximum",
    "Mean", "Median", "Min", "Minimum", "Mish", "Mul", "NLLLoss", "NanMean", "NanMedian", "NanSum",
    "NanToNum",
    "Neg", "Norm", "OneHot", "PReLU", "Permute", "Pow", "Prod", "RReLU", "ReLU", "Reciprocal",
    "Remainder", "Reshape", "Roll", "Round", "Rsqrt", "SELU", "Scatter", "ScatterAdd",
    "ScatterReduce", "SetItem",
    "SiLU", "Sigmoid", "Sign", "Sin", "SmoothL1", "Softmax", "Solve", "Softplus", "Softshrink",
    "Softsign",
    "Sqrt", "Square", "Stack", "Std", "Sub", "Sum", "Tan", "Tanh", "Tanhshrink", "Threshold",
    "Trunc", "TruncDivide", "Unfold", "Var", "Where", "Xlogy",
]

from tinynet.ops import _fast  # noqa: E402, F401  (registers the fast paths)
