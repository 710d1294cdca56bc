"""Activation modules for PyTorch's remaining elementwise activations: ReLU6, Hardsigmoid,
Hardswish, LogSigmoid, Softsign, Threshold.

The skeleton of ``tinynet/nn/activation.py``: each holds its configuration, calls its
function in ``tinynet.nn.functional`` and answers ``derivative(x, y)``, f'(x) with its own
settings, which the diagnostics read. Each runs one op (declared as ``op``, whose saved
derivative the Monitor reads). ``inplace`` is accepted, kept and printed as in PyTorch
(``Hardsigmoid`` and ``Hardswish`` do not print it, as PyTorch's), and ignored.
"""

from tinynet import ops
from tinynet.nn import functional as F
from tinynet.nn._checks import check_threshold
from tinynet.nn.activation import with_inplace
from tinynet.nn.module import Module


class ReLU6(Module):
    """ReLU6(x) = min(max(x, 0), 6);  derivative 1 for 0 < x < 6, else 0.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.ReLU6()(tn.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """

    op = ops.Hardtanh  # the Function F.relu6 runs: what the Monitor reads
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu6(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, 0, 6)

    def extra_repr(self) -> str:
        return with_inplace("", self.inplace)


class Hardsigmoid(Module):
    """Hardsigmoid(x) = relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x/6 + 1/2
    between;  derivative 1/6 for -3 < x < 3, else 0.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Hardsigmoid()(tn.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """

    op = ops.Hardsigmoid  # the Function F.hardsigmoid runs: what the Monitor reads
    peak_derivative = ops.Hardsigmoid.peak_derivative
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.hardsigmoid(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class Hardswish(Module):
    """Hardswish(x) = x·relu6(x + 3) / 6;  derivative 0 for x <= -3, x/3 + 1/2 for
    -3 < x < 3, 1 for x >= 3 (its supremum, 3/2, is approached as x -> 3 from below).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Hardswish()(tn.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([-0.0000, 0.0000, 1.1250, 4.0000])
    """

    op = ops.Hardswish  # the Function F.hardswish runs: what the Monitor reads
    peak_derivative = ops.Hardswish.peak_derivative
    inplace = False

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.hardswish(x, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class LogSigmoid(Module):
    """LogSigmoid(x) = log σ(x) = min(x, 0) - log(1 + e^(-|x|)), finite for any x;
    derivative σ(-x) = 1 - σ(x), which tends to 1 as x -> -∞.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.LogSigmoid()(tn.tensor([0.0, -100.0]))
        tensor([  -0.6931, -100.0000])
    """

    op = ops.LogSigmoid  # the Function F.logsigmoid runs: what the Monitor reads
    peak_derivative = ops.LogSigmoid.peak_derivative

    def forward(self, x):
        return F.logsigmoid(x)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class Softsign(Module):
    """Softsign(x) = x / (1 + |x|);  derivative 1 / (1 + |x|)², 1 at x = 0.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Softsign()(tn.tensor([-3.0, 0.0, 1.0]))
        tensor([-0.7500,  0.0000,  0.5000])
    """

    op = ops.Softsign  # the Function F.softsign runs: what the Monitor reads
    peak_derivative = ops.Softsign.peak_derivative

    def forward(self, x):
        return F.softsign(x)

    def derivative(self, x, y):
        return self.op.derivative(x, y)


class Threshold(Module):
    """Threshold(x) = x where x > threshold, else value;  derivative 1 where x >
    threshold, else 0.

    Args:
        threshold: the value x must exceed to pass.
        value: what replaces x elsewhere.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Threshold(0.5, -1.0)(tn.tensor([0.2, 0.5, 2.0]))
        tensor([-1., -1.,  2.])
    """

    op = ops.Threshold  # the Function F.threshold runs: what the Monitor reads
    inplace = False

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        check_threshold("Threshold", threshold, value)
        self.threshold, self.value = threshold, value
        self.inplace = inplace

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.threshold)

    def extra_repr(self) -> str:
        return with_inplace(f"threshold={self.threshold}, value={self.value}", self.inplace)
