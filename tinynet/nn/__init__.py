"""Neural-network layers, losses, initialisation and the functional forms."""
from tinynet.nn import functional, init, parameter, utils
from tinynet.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinynet.nn.activation_extra import (Hardsigmoid, Hardswish, LogSigmoid, ReLU6, Softsign,
                                         Threshold)
from tinynet.nn.activation_dim import GLU, Softmin
from tinynet.nn.activation_more import SELU, Hardtanh, Mish, PReLU, SiLU, Softplus
from tinynet.nn.activation_shrink import Hardshrink, Softshrink, Tanhshrink
from tinynet.nn.activation_variants import CELU, RReLU
from tinynet.nn.container import ModuleDict, ModuleList, Sequential
from tinynet.nn.distance import CosineSimilarity, PairwiseDistance
from tinynet.nn.dropout import (AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d,
                                FeatureAlphaDropout)
from tinynet.nn.embedding import Embedding
from tinynet.nn.flatten import Flatten, Unflatten
from tinynet.nn.linear import Bilinear, Identity, LazyLinear, Linear
from tinynet.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss,
                             KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from tinynet.nn.loss_embedding import (CosineEmbeddingLoss, HingeEmbeddingLoss,
                                       MarginRankingLoss, TripletMarginLoss,
                                       TripletMarginWithDistanceLoss)
from tinynet.nn.loss_likelihood import GaussianNLLLoss, PoissonNLLLoss
from tinynet.nn.loss_margin import (MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                                    MultiMarginLoss, SoftMarginLoss)
from tinynet.nn.module import Module
from tinynet.nn.normalization import BatchNorm1d, GroupNorm, LayerNorm, RMSNorm
from tinynet.nn.parameter_containers import ParameterDict, ParameterList
from tinynet.nn.parameter import Parameter, UninitializedParameter

__all__ = [
    "AlphaDropout", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "Bilinear", "CELU",
    "CosineEmbeddingLoss", "CosineSimilarity", "CrossEntropyLoss", "Dropout", "Dropout1d",
    "Dropout2d", "Dropout3d", "ELU", "Embedding", "FeatureAlphaDropout",
    "Flatten", "GELU", "GLU", "GaussianNLLLoss", "GroupNorm", "Hardshrink", "Hardsigmoid",
    "Hardswish", "Hardtanh", "HingeEmbeddingLoss", "HuberLoss", "Identity", "KLDivLoss", "L1Loss",
    "LayerNorm", "LazyLinear", "LeakyReLU", "Linear", "LogSigmoid", "LogSoftmax", "MSELoss",
    "MarginRankingLoss", "Mish", "Module", "ModuleDict", "ModuleList", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "NLLLoss", "PReLU", "PairwiseDistance",
    "Parameter", "ParameterDict", "ParameterList", "PoissonNLLLoss", "RMSNorm", "RReLU", "ReLU",
    "ReLU6", "SELU", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss", "SoftMarginLoss", "Softmax",
    "Softmin", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Threshold",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "Unflatten", "UninitializedParameter",
    "functional", "init", "parameter", "utils",
]
