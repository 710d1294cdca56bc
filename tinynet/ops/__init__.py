"""Every differentiable operation, one ``Function`` subclass each."""
from tinynet.ops.activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax,
                                    Tanh, GELUTanh)
from tinynet.ops.activation_more import SELU, Hardtanh, Mish, PReLU, SiLU, Softplus
from tinynet.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from tinynet.ops.batch_norm import BatchNorm
from tinynet.ops.dropout import Dropout
from tinynet.ops.einsum import Einsum
from tinynet.ops.embedding import Embedding
from tinynet.ops.elementwise import (Cos, Exp2, Expm1, Log1p, Log2, Log10, Reciprocal, Rsqrt,
                                     Sin, Square, Tan)
from tinynet.ops.join import Cat, Stack
from tinynet.ops.layer_norm import LayerNorm
from tinynet.ops.linear import Linear
from tinynet.ops.cross_entropy import CrossEntropy, CrossEntropyGeneral
from tinynet.ops.loss import BCEWithLogits, NLLLoss, SmoothL1
from tinynet.ops.movement import Clone, GetItem, Permute, Reshape, SetItem
from tinynet.ops.norm import Norm
from tinynet.ops.reduce import Cumsum, Max, Mean, Min, Prod, Std, Sum, Var
from tinynet.ops.rounding import Ceil, Floor, Round, Sign, Trunc
from tinynet.ops.select import Gather, Maximum, Minimum, Where
from tinynet.ops.unary import Abs, Cast, Clamp, Exp, Log, Sqrt

__all__ = [
    "Abs", "Add", "BCEWithLogits", "BatchNorm", "Cast", "Cat", "Ceil", "Clamp", "Clone", "Cos",
    "CrossEntropy", "CrossEntropyGeneral", "Cumsum", "Div", "Dropout", "ELU", "Einsum",
    "Embedding", "Exp", "Exp2", "Expm1", "Floor", "GELU", "GELUTanh", "Gather", "GetItem",
    "Hardtanh", "LayerNorm", "LeakyReLU", "Linear", "Log", "Log10", "Log1p", "Log2",
    "LogSoftmax", "MatMul", "Max", "Maximum", "Mean", "Min", "Minimum", "Mish", "Mul",
    "NLLLoss", "Neg", "Norm", "PReLU", "Permute", "Pow", "Prod", "ReLU", "Reciprocal",
    "Reshape", "Round", "Rsqrt", "SELU", "SetItem", "SiLU", "Sigmoid", "Sign", "Sin",
    "SmoothL1", "Softmax", "Softplus", "Sqrt", "Square", "Stack", "Std", "Sub", "Sum", "Tan",
    "Tanh", "Trunc", "Var", "Where",
]

from tinynet.ops import _fast  # noqa: E402, F401  (registers the fast paths)
