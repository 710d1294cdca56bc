"""Activation modules: each holds its configuration and calls its function in
``tinynet.nn.functional`` (one fused op), as PyTorch's call ``torch.nn.functional``.

Every class has the same skeleton: the formula, its derivative, Args, Shape, Example.
Elementwise activations also answer ``derivative(x, y)``, f'(x) with their own settings
(the op's backward uses the same formula), which the diagnostics read. Their ``op``
attribute declares the ``Function`` their functional form runs: the Monitor reads the
derivative that op's context saved (``isinstance(ctx, module.op)``), and its
``peak_derivative``.
``inplace=True`` writes the activation into its input and returns it, as PyTorch's does
(code that reads the input afterwards sees the new values: ``F.relu(x, inplace=True)``
is ``x.relu_()``); it is kept as the attribute ``inplace`` and printed as PyTorch prints
it. The class attribute ``inplace = False`` is what a module pickled before it was kept
reads.
"""
from tinynet import ops
from tinynet.nn import functional as F
from tinynet.checks import check_real
from tinynet.nn._checks import gelu_op
from tinynet.nn.module import Module


def with_inplace(settings: str, inplace: bool) -> str:
    """A module's ``extra_repr``: its settings, then ``inplace=True`` when it was asked for,
    as PyTorch prints them (``inplace=False`` is not printed)."""
    return ", ".join(filter(None, (settings, "inplace=True" if inplace else "")))

class ReLU(Module):
    """ReLU(x) = max(x, 0);  derivative 1 for x > 0, else 0.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.ReLU()(tn.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    op = ops.ReLU  # the Function F.relu runs: what the Monitor reads
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)

    def extra_repr(self) -> str:
        return with_inplace("", self.inplace)


class LeakyReLU(Module):
    """LeakyReLU(x) = x for x > 0, else negative_slope·x;  derivative 1 or negative_slope.

    Args:
        negative_slope: slope for x <= 0 (default 0.01).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.LeakyReLU(0.1)(tn.tensor([-1.0, 2.0]))
        tensor([-0.1000,  2.0000])
    """

    op = ops.LeakyReLU  # the Function F.leaky_relu runs: what the Monitor reads
    inplace = False

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = check_real("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.negative_slope)

    def extra_repr(self) -> str:
        return with_inplace(f"negative_slope={self.negative_slope}", self.inplace)


class ELU(Module):
    """ELU(x) = x for x > 0, else α(eˣ - 1);  derivative 1 for x > 0, else αeˣ.

    Args:
        alpha: the value ELU tends to as x -> -∞ is -α (default 1.0).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.ELU()(tn.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """

    op = ops.ELU  # the Function F.elu runs: what the Monitor reads
    inplace = False

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = check_real("ELU", "alpha", alpha)
        self.inplace = inplace

    def forward(self, x):
        return F.elu(x, self.alpha, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.alpha)

    def extra_repr(self) -> str:
        return with_inplace(f"alpha={self.alpha}", self.inplace)


class GELU(Module):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF;  derivative Φ(x) + x·φ(x).

    With ``approximate='tanh'``: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).

    Args:
        approximate: 'none' (exact, via erf; the default, as in PyTorch) or 'tanh'.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.GELU()(tn.tensor([0.0, 1.0], dtype=tn.float64))
        tensor([0.0000, 0.8413], dtype=tinynet.float64)
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        # the Function F.gelu runs for ``approximate`` (what the Monitor reads); a bad
        # value fails here, at construction
        self.op = gelu_op("GELU", approximate)
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def derivative(self, x, y):
        return self.op.derivative(x, y)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e⁻ˣ);  derivative σ(x)(1 - σ(x)), at most 1/4.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Sigmoid()(tn.tensor([0.0]))
        tensor([0.5000])
    """

    op = ops.Sigmoid  # the Function F.sigmoid runs: what the Monitor reads

    def forward(self, x):
        return F.sigmoid(x)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class Tanh(Module):
    """tanh(x);  derivative 1 - tanh²(x), at most 1.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Tanh()(tn.tensor([0.0]))
        tensor([0.])
    """

    op = ops.Tanh  # the Function F.tanh runs: what the Monitor reads

    def forward(self, x):
        return F.tanh(x)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class Softmax(Module):
    """Softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim`` (computed with the max subtracted).

    Args:
        dim: the dimension that sums to 1. ``None``: PyTorch's legacy implicit choice,
            with its deprecation warning (dim 0 for 0-, 1- and 3-D input, else 1).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Softmax(dim=1)(tn.zeros(1, 4))
        tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    def __init__(self, dim: int = None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim, _stacklevel=5)  # (the warning at the caller's line)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """LogSoftmax(x)ᵢ = xᵢ - log Σⱼ e^(xⱼ) along ``dim``, computed stably.

    Args:
        dim: the dimension normalised over (``None``: as ``Softmax``'s).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.LogSoftmax(dim=1)(tn.zeros(1, 2))
        tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim: int = None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.log_softmax(x, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
