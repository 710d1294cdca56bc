"""Neural-network layers, losses, initialisation and the functional forms."""
from tinynet.nn import functional, init, utils
from tinynet.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinynet.nn.activation_more import SELU, Hardtanh, Mish, PReLU, SiLU, Softplus
from tinynet.nn.container import ModuleList, Sequential
from tinynet.nn.dropout import Dropout
from tinynet.nn.embedding import Embedding
from tinynet.nn.flatten import Flatten, Unflatten
from tinynet.nn.linear import Identity, Linear
from tinynet.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from tinynet.nn.module import Module
from tinynet.nn.normalization import BatchNorm1d, LayerNorm
from tinynet.nn.parameter import Parameter

__all__ = [
    "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "ELU", "Embedding",
    "Flatten", "GELU", "Hardtanh", "Identity", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax",
    "MSELoss", "Mish", "Module", "ModuleList", "NLLLoss", "PReLU", "Parameter", "ReLU", "SELU",
    "Sequential", "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh", "Unflatten", "functional",
    "init", "utils",
]
