"""Weight initialisation (``tinynet.nn.init``), in place, PyTorch's formulas.

fan_in and fan_out of a weight of shape (D_out, D_in) are D_in and D_out. Randomness
comes from the global generator (``tn.manual_seed``) or an explicit ``generator``
(a ``tn.Generator`` or any ``numpy.random.Generator``).
"""
import math

import numpy as np

from tinynet.checks import choice_message

from tinynet.random import as_generator
from tinynet.tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "zeros_", "ones_", "constant_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor that keeps activations' variance steady through a layer.

    linear/sigmoid/identity: 1; tanh: 5/3; relu: √2; leaky_relu: √(2 / (1 + slope²));
    selu: 3/4 (PyTorch's values). NOTE (our choice, not in PyTorch): gelu and
    gelu_tanh: √2, like ReLU, whose second moment E[f(z)²] ≈ ½E[z²] GELU shares for unit
    Gaussian z to within 20%; elu: √2 as well, the same reasoning. Kaiming init with
    these gains keeps a deep GELU or ELU stack's activations at a steady scale.
    """
    linear_like = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d")
    if nonlinearity in linear_like:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity in ("relu", "gelu", "gelu_tanh", "elu"):
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    names = linear_like + ("tanh", "relu", "gelu", "gelu_tanh", "elu", "leaky_relu", "selu")
    raise ValueError(choice_message("calculate_gain", "nonlinearity", nonlinearity, names))


def _fans(where: str, tensor: Tensor) -> tuple:
    if tensor.ndim < 2:
        raise ValueError(f"{where}: tensor must have at least 2 dimensions (fan in and fan "
                         f"out), got shape {tuple(tensor.shape)}")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    tensor.array[...] = values  # in place, keeping the tensor's dtype
    tensor.bump_version()
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from U(a, b)."""
    rng = as_generator(generator, "uniform_")
    return _fill(tensor, rng.uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from N(mean, std²)."""
    rng = as_generator(generator, "normal_")
    return _fill(tensor, rng.normal(mean, std, tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, val)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with a = gain·√(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _fans("xavier_uniform_", tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans("xavier_normal_", tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(where: str, tensor, a, mode, nonlinearity) -> float:
    fan_in, fan_out = _fans(where, tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{where}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """U(-bound, bound), bound = gain·√(3 / fan) (He et al., 2015); ``a`` is the
    leaky_relu slope used by the gain."""
    if tensor.array.size == 0:  # e.g. Linear(0, n): nothing to fill, and fan_in = 0
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """N(0, std²), std = gain / √fan."""
    if tensor.array.size == 0:
        return tensor
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, generator)
