"""More activation modules: SiLU, Mish, Softplus, SELU, PReLU, Hardtanh.

The same skeleton as ``tinynet/nn/activation.py``: each holds its configuration, calls
its function in ``tinynet.nn.functional`` (one fused op of
``tinynet/ops/activation_more.py``, which its ``op`` attribute declares for the Monitor),
and answers ``derivative(x, y)``, f'(x) with its own settings, which the diagnostics
read. ``inplace`` is kept, printed and honoured as in PyTorch (see ``activation.py``).
"""
import numpy as np

from tinynet import ops
from tinynet.checks import check_int, check_real
from tinynet.dtypes import get_default_dtype
from tinynet.nn import functional as F
from tinynet.nn._checks import check_hardtanh_range, check_softplus, prelu_slope_shape
from tinynet.nn.activation import with_inplace
from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter


class SiLU(Module):
    """SiLU(x) = x·σ(x) (swish);  derivative σ(x)(1 + x(1 - σ(x))), at most ≈ 1.0998.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.SiLU()(tn.tensor([0.0, 1.0], dtype=tn.float64))
        tensor([0.0000, 0.7311], dtype=tinynet.float64)
    """

    op = ops.SiLU  # the Function F.silu runs: what the Monitor reads
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.silu(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)

    def extra_repr(self) -> str:
        return with_inplace("", self.inplace)


class Mish(Module):
    """Mish(x) = x·tanh(softplus(x));  derivative t + x(1 - t²)σ(x) with
    t = tanh(softplus(x)), at most ≈ 1.0885.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Mish()(tn.tensor([0.0, 1.0], dtype=tn.float64))
        tensor([0.0000, 0.8651], dtype=tinynet.float64)
    """

    op = ops.Mish  # the Function F.mish runs: what the Monitor reads
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.mish(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)

    def extra_repr(self) -> str:
        return with_inplace("", self.inplace)


class Softplus(Module):
    """Softplus(x) = (1/β)·log(1 + e^(βx)), and x where βx > threshold (for stability);
    derivative σ(βx) (1 in the linear part).

    Args:
        beta: the sharpness β > 0 (default 1); as β grows, Softplus tends to ReLU.
        threshold: beyond βx > threshold the function is x (default 20).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Softplus()(tn.tensor([0.0, 30.0], dtype=tn.float64))
        tensor([ 0.6931, 30.0000], dtype=tinynet.float64)
    """

    op = ops.Softplus  # the Function F.softplus runs: what the Monitor reads

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        check_softplus("Softplus", beta, threshold)
        self.beta, self.threshold = beta, threshold  # as given, for the repr

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def derivative(self, x, y):
        return self.op.derivative(x, y, float(self.beta), float(self.threshold))

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SELU(Module):
    """SELU(x) = λx for x > 0, else λα(eˣ - 1), λ ≈ 1.0507, α ≈ 1.6733 (self-normalising:
    with standardised inputs and weights of variance 1/fan_in, e.g.
    ``init.kaiming_normal_(w, nonlinearity='linear')``, the activations keep mean 0 and
    variance 1 through depth);  derivative λ, or λαeˣ for x <= 0, at most λα ≈ 1.7581.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.SELU()(tn.tensor([0.0, 1.0], dtype=tn.float64))
        tensor([0.0000, 1.0507], dtype=tinynet.float64)
    """

    op = ops.SELU  # the Function F.selu runs: what the Monitor reads
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.selu(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)

    def extra_repr(self) -> str:
        return with_inplace("", self.inplace)


class PReLU(Module):
    """PReLU(x) = x for x > 0, else a·x, with a learnable slope a;  derivative 1 or a,
    and dL/da = Σ g·x over the x <= 0 that share a.

    Args:
        num_parameters: 1 (one a for every element) or the number of channels C
            (dimension 1 of the input), each with its own a (default 1).
        init: the initial a (default 0.25).
        dtype: the parameter's dtype (default: the default dtype).

    Shape: any -> same; with C parameters, (N, C, *) -> same.

    Attributes:
        weight: a, of shape (num_parameters,).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.PReLU()(tn.tensor([-2.0, 3.0]))
        tensor([-0.5000,  3.0000], grad_fn=<PReLUBackward>)
    """

    op = ops.PReLU  # the Function F.prelu runs: what the Monitor reads

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = check_int("PReLU", "num_parameters", num_parameters, 1)
        self.init = check_real("PReLU", "init", init)
        self.weight = Parameter(np.full(num_parameters, init, dtype or get_default_dtype()))

    def reset_parameters(self) -> None:
        """The slope back to ``init``, in place (PyTorch's)."""
        self.weight.array[...] = self.init
        self.weight.bump_version()

    def forward(self, x):
        return F.prelu(x, self.weight)

    def derivative(self, x, y):
        a = self.weight.array.reshape(prelu_slope_shape("PReLU", np.shape(x), self.weight))
        return self.op.derivative(x, y, a)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardtanh(Module):
    """Hardtanh(x) = x clipped to [min_val, max_val];  derivative 1 strictly between
    them, else 0.

    Args:
        min_val: the lower end (default -1).
        max_val: the upper end, > min_val (default 1).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Hardtanh()(tn.tensor([-3.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """

    op = ops.Hardtanh  # the Function F.hardtanh runs: what the Monitor reads
    inplace = False

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        check_hardtanh_range("Hardtanh", min_val, max_val)
        self.min_val, self.max_val = min_val, max_val
        self.inplace = inplace

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return with_inplace(f"min_val={self.min_val}, max_val={self.max_val}", self.inplace)
