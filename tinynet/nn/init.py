"""Weight initialisation (``tinynet.nn.init``), in place, PyTorch's formulas and methods.

fan_in and fan_out of a weight of shape (D_out, D_in) are D_in and D_out. Randomness
comes from the global generator (``tn.manual_seed``) or an explicit ``generator``
(a ``tn.Generator`` or any ``numpy.random.Generator``).
"""
import math
import warnings

import numpy as np
from scipy.special import erfinv

from tinynet.checks import check_real, choice_message
from tinynet.random import drawing_generator
from tinynet.tensor import Tensor
from tinynet.tensor_random import check_continuous, check_normal, check_uniform, uniform_draws

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "zeros_", "ones_", "constant_",
    "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_",
]


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor that keeps activations' variance steady through a layer.

    linear/sigmoid/identity: 1; tanh: 5/3; relu: √2; leaky_relu: √(2 / (1 + slope²));
    selu: 3/4 (PyTorch's values). NOTE (our choice, not in PyTorch): gelu and
    gelu_tanh: √2, like ReLU, whose second moment E[f(z)²] ≈ ½E[z²] GELU shares for unit
    Gaussian z to within 20%; elu: √2 as well, the same reasoning. Kaiming init with
    these gains keeps a deep GELU or ELU stack's activations at a steady scale.
    """
    linear_like = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
                   "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
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


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple:
    """(fan_in, fan_out) of a weight, under PyTorch's private name, which custom layers'
    ``reset_parameters`` often call."""
    return _fans("_calculate_fan_in_and_fan_out", tensor)


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    tensor.array[...] = values  # in place, keeping the tensor's dtype
    tensor.bump_version()
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from U(a, b), each in [a, b): a <= b, as in PyTorch (see
    ``Tensor.uniform_``)."""
    check_continuous("uniform_", tensor.dtype)
    a, b = check_uniform("uniform_", a, b, tensor.dtype)
    rng = drawing_generator(generator, "uniform_")
    return _fill(tensor, uniform_draws(rng, a, b, tensor.shape, tensor.dtype))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples from N(mean, std²): std >= 0, as in PyTorch."""
    check_continuous("normal_", tensor.dtype)
    mean, std = check_normal("normal_", mean, std)
    rng = drawing_generator(generator, "normal_")
    return _fill(tensor, rng.normal(mean, std, tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with samples from N(mean, std²) truncated to [a, b] (``a`` and ``b`` in the
    values' units, not in stds), by inverting the CDF Φ, as PyTorch: with
    α = (a - mean)/std and β = (b - mean)/std, draw u ~ U(2Φ(α) - 1, 2Φ(β) - 1) and take
    mean + std·√2·erfinv(u), clamped to [a, b] against rounding. Warns, as PyTorch,
    when mean is more than 2 std outside [a, b] (the tail's values lose precision)."""
    check_continuous("trunc_normal_", tensor.dtype)
    mean = check_real("trunc_normal_", "mean", mean)
    std = check_real("trunc_normal_", "std", std, 0.0, low_open=True)
    a, b = check_real("trunc_normal_", "a", a), check_real("trunc_normal_", "b", b)
    if not a < b:
        raise ValueError(f"trunc_normal_: a must be < b (the interval [a, b]), got a={a} and "
                         f"b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("trunc_normal_: mean is more than 2 std from [a, b]; the distribution "
                      "of values may be incorrect (as in PyTorch)", UserWarning, stacklevel=2)
    rng = drawing_generator(generator, "trunc_normal_")
    low, high = (math.erf((bound - mean) / std / math.sqrt(2.0)) for bound in (a, b))  # 2Φ - 1
    values = erfinv(rng.uniform(low, high, tensor.shape)) * (std * math.sqrt(2.0)) + mean
    return _fill(tensor, np.clip(values, a, b))


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, val)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, as many as fit)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: tensor must have 2 dimensions, got shape {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


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


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013), as PyTorch:
    the tensor viewed as (rows, cols), rows = its first dim, so W Wᵀ = gain²·I when
    rows <= cols and Wᵀ W = gain²·I otherwise. Q of the QR decomposition A = QR of a
    standard normal A (of the taller shape), each column's sign set by R's diagonal so
    that Q is uniformly distributed over the orthogonal matrices."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: tensor must have at least 2 dimensions, got shape "
                         f"{tuple(tensor.shape)}")
    check_continuous("orthogonal_", tensor.dtype)
    if tensor.array.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.array.size // rows
    draws = drawing_generator(generator, "orthogonal_").normal(0.0, 1.0, (rows, cols))  # A
    wide = rows < cols
    q, r = np.linalg.qr(draws.T if wide else draws)  # (max, min) @ (min, min)
    q *= np.sign(np.diag(r))
    return _fill(tensor, gain * (q.T if wide else q).reshape(tensor.shape))


def _deprecated(method):
    """PyTorch's older name of ``method`` (``xavier_uniform`` for ``xavier_uniform_``),
    which warns as PyTorch's does and then does the same."""
    def alias(*args, **kwargs):
        warnings.warn(f"nn.init.{method.__name__[:-1]} is now deprecated in favor of "
                      f"nn.init.{method.__name__}.", FutureWarning, stacklevel=2)
        return method(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = method.__name__[:-1]
    alias.__doc__ = f"Deprecated: ``{method.__name__}``."
    return alias


uniform, normal, constant, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, \
    orthogonal = map(_deprecated, (uniform_, normal_, constant_, xavier_uniform_,
                                   xavier_normal_, kaiming_uniform_, kaiming_normal_,
                                   orthogonal_))
