"""``Linear``, ``LazyLinear``, ``Bilinear`` and ``Identity``."""
import math

import numpy as np

from tinynet.checks import check_int
from tinynet.devices import check_device
from tinynet.dtypes import get_default_dtype
from tinynet.nn import functional as F
from tinynet.nn import init
from tinynet.nn._checks import check_tensor
from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter, UninitializedParameter


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for "no normalisation")."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    """Affine map y = x Wᵀ + b, one fused graph node.

    Args:
        in_features: size of each input sample (D_in).
        out_features: size of each output sample (D_out).
        bias: learn an additive bias (default True).
        device: None or the CPU, for PyTorch code (another device raises RuntimeError).
        dtype: parameter dtype (default: the default dtype, float32).
        generator: a ``numpy.random.Generator`` to draw the initial values from
            (default: the global one, see ``tn.manual_seed``; not in PyTorch).

    Shape:
        input (*, D_in) -> output (*, D_out).

    Attributes:
        weight: (D_out, D_in), initialised from U(-1/√D_in, 1/√D_in) (PyTorch's default:
            kaiming_uniform_ with a = √5);
        bias: (D_out,), from the same distribution.

    Example:
        >>> import tinynet as tn
        >>> layer = tn.nn.Linear(3, 2)
        >>> layer(tn.ones(5, 3)).shape
        (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None, generator=None):
        super().__init__()
        check_device(device, "Linear")
        self.in_features = check_int("Linear", "in_features", in_features, 0)
        self.out_features = check_int("Linear", "out_features", out_features, 0)
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty(out_features, dtype=dtype))
                                if bias else None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class LazyLinear(Linear):
    """A ``Linear`` whose ``in_features`` is read from its first input: y = x Wᵀ + b,
    with W (out_features, D_in) created and initialised (as ``Linear``'s) on the first
    call, D_in being the input's last dimension.

    Until then ``weight`` and ``bias`` are ``UninitializedParameter``s (no shape); a
    ``load_state_dict`` may also give them their shapes and values. NOTE: as in PyTorch,
    the first call turns the module into a plain ``Linear`` (``type(m) is nn.Linear``
    afterwards, so code that initialises ``Linear`` layers by type finds it).

    Args:
        out_features: size of each output sample (D_out).
        bias: learn an additive bias (default True).
        dtype: parameter dtype (default: the default dtype).

    Shape:
        input (*, D_in) -> output (*, D_out).

    Example:
        >>> import tinynet as tn
        >>> layer = tn.nn.LazyLinear(2)
        >>> layer
        LazyLinear(in_features=0, out_features=2, bias=True)
        >>> layer(tn.ones(5, 3)).shape, layer
        ((5, 2), Linear(in_features=3, out_features=2, bias=True))
    """

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = check_int("LazyLinear", "out_features", out_features, 0)
        self.weight = UninitializedParameter(dtype=dtype)
        self.register_parameter("bias", UninitializedParameter(dtype=dtype) if bias else None)

    def forward(self, x):
        check_tensor("LazyLinear", x, min_ndim=1)  # its last dimension sizes the weight
        weight_lazy = isinstance(self.weight, UninitializedParameter)
        bias_lazy = isinstance(self.bias, UninitializedParameter)
        if weight_lazy:
            self.weight.materialize((self.out_features, x.shape[-1]))
        if bias_lazy:
            self.bias.materialize((self.out_features,))
        self.in_features = self.weight.shape[1]  # as loaded, if a state_dict came first
        if weight_lazy or bias_lazy:  # as PyTorch: every parameter drawn afresh
            self.reset_parameters()
        self.__class__ = Linear
        return Linear.forward(self, x)


class Bilinear(Module):
    """Bilinear map y[..., o] = x₁ᵀ W[o] x₂ + b[o] of two inputs (PyTorch's ``Bilinear``).

    Args:
        in1_features: size of each first input sample (D₁).
        in2_features: size of each second input sample (D₂).
        out_features: size of each output sample (D_out).
        bias: learn an additive bias (default True).
        device: None or the CPU (another device raises RuntimeError).
        dtype: parameter dtype (default: the default dtype).

    Shape:
        input1 (*, D₁), input2 (*, D₂) -> output (*, D_out).

    Attributes:
        weight: (D_out, D₁, D₂) and bias: (D_out,), both from U(-1/√D₁, 1/√D₁), as in
            PyTorch.

    Example:
        >>> import tinynet as tn
        >>> layer = tn.nn.Bilinear(3, 4, 2)
        >>> layer(tn.ones(5, 3), tn.ones(5, 4)).shape
        (5, 2)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        check_device(device, "Bilinear")
        self.in1_features = check_int("Bilinear", "in1_features", in1_features, 0)
        self.in2_features = check_int("Bilinear", "in2_features", in2_features, 0)
        self.out_features = check_int("Bilinear", "out_features", out_features, 0)
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features),
                                         dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty(out_features, dtype=dtype))
                                if bias else None)
        self.reset_parameters()

    def reset_parameters(self, generator=None) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0
        init.uniform_(self.weight, -bound, bound, generator)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
