"""Every differentiable operation, one ``Function`` subclass each."""
from tinynet.ops.activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax,
                                    Tanh, GELUTanh)
from tinynet.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from tinynet.ops.layer_norm import LayerNorm
from tinynet.ops.linear import Linear
from tinynet.ops.loss import BCEWithLogits, CrossEntropy, NLLLoss
from tinynet.ops.movement import Clone, GetItem, Permute, Reshape
from tinynet.ops.reduce import Max, Mean, Sum
from tinynet.ops.unary import Abs, Cast, Clamp, Exp, Log, Sqrt

__all__ = [
    "Abs", "Add", "BCEWithLogits", "Cast", "Clamp", "Clone", "CrossEntropy", "Div", "ELU",
    "Exp", "GELU", "GELUTanh", "GetItem", "LayerNorm", "LeakyReLU", "Linear", "Log",
    "LogSoftmax", "MatMul", "Max", "Mean", "Mul", "NLLLoss", "Neg", "Permute", "Pow", "ReLU",
    "Reshape", "Sigmoid", "Softmax", "Sqrt", "Sub", "Sum", "Tanh",
]
