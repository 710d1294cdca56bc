"""Activation modules of the shrink family: Softshrink, Hardshrink, Tanhshrink.

The skeleton of ``tinynet/nn/activation.py``: each holds its configuration, calls its
function in ``tinynet.nn.functional`` (one op of ``tinynet/ops/activation_shrink.py``,
which its ``op`` attribute declares for the Monitor) and answers ``derivative(x, y)``,
f'(x) with its own settings, which the diagnostics read.
"""
from tinynet import ops
from tinynet.checks import check_not_nan
from tinynet.nn import functional as F
from tinynet.nn._checks import check_softshrink_lambd
from tinynet.nn.module import Module


class Softshrink(Module):
    """Softshrink(x) = x - λ for x > λ, x + λ for x < -λ, else 0;  derivative 1 outside
    [-λ, λ], else 0 (0 at ±λ, as PyTorch).

    Args:
        lambd: λ >= 0 (default 0.5).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Softshrink()(tn.tensor([-2.0, 0.25, 1.5]))
        tensor([-1.5000,  0.0000,  1.0000])
    """

    op = ops.Softshrink  # the Function F.softshrink runs: what the Monitor reads

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        check_softshrink_lambd("Softshrink", lambd)
        self.lambd = lambd

    def forward(self, x):
        return F.softshrink(x, self.lambd)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Module):
    """Hardshrink(x) = x outside [-λ, λ], else 0;  derivative 1 outside [-λ, λ], else 0
    (0 at ±λ, as PyTorch). A negative λ keeps every x, as in PyTorch.

    Args:
        lambd: λ, a real number, not nan (default 0.5).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Hardshrink()(tn.tensor([-2.0, 0.25, 0.5, 1.5]))
        tensor([-2.0000,  0.0000,  0.0000,  1.5000])
    """

    op = ops.Hardshrink  # the Function F.hardshrink runs: what the Monitor reads

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        check_not_nan("Hardshrink", "lambd", lambd)
        self.lambd = lambd

    def forward(self, x):
        return F.hardshrink(x, self.lambd)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Tanhshrink(Module):
    """Tanhshrink(x) = x - tanh(x);  derivative tanh²(x), which tends to 1 as |x| grows.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Tanhshrink()(tn.tensor([0.0, 1.0], dtype=tn.float64))
        tensor([0.0000, 0.2384], dtype=tinynet.float64)
    """

    op = ops.Tanhshrink  # the Function F.tanhshrink runs: what the Monitor reads

    def forward(self, x):
        return F.tanhshrink(x)

    def derivative(self, x, y):
        return self.op.derivative(x, y)
