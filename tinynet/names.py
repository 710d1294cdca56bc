"""How tables, figures and messages name activations, optimizers and norms: "ReLU" for
'relu', "LayerNorm" for 'layernorm'; any other name as it is."""

NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU",
         "gelu_tanh": "GELU (tanh)", "sigmoid": "sigmoid", "tanh": "tanh", "silu": "SiLU",
         "mish": "Mish", "softplus": "Softplus", "prelu": "PReLU", "selu": "SELU",
         "hardtanh": "Hardtanh", "identity": "identity", "adam": "Adam", "adamw": "AdamW",
         "sgd": "SGD", "layernorm": "LayerNorm"}


def display_name(key) -> str:
    return NAMES.get(key, str(key))
