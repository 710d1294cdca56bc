"""Activation modules for two variants: CELU (of ELU) and RReLU (of LeakyReLU).

The skeleton of ``tinynet/nn/activation.py``: each holds its configuration, calls its
function in ``tinynet.nn.functional`` (one op of ``tinynet/ops/activation_variants.py``,
which its ``op`` attribute declares for the Monitor) and answers ``derivative(x, y)``,
f'(x) with its own settings, which the diagnostics read. ``inplace`` is accepted, kept
and printed as in PyTorch, and ignored.
"""
from tinynet import ops
from tinynet.nn import functional as F
from tinynet.nn._checks import check_celu_alpha, check_rrelu_bounds
from tinynet.nn.activation import with_inplace
from tinynet.nn.module import Module
from tinynet.random import as_generator


class CELU(Module):
    """CELU(x) = x for x > 0, else α(e^(x/α) - 1);  derivative 1 for x > 0, else e^(x/α)
    (1 at x = 0 from both sides, whatever α: continuously differentiable).

    Args:
        alpha: α, a finite number other than 0 (default 1.0); CELU tends to -α as
            x -> -∞ for α > 0.

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.CELU(alpha=2.0)(tn.tensor([-2.0, 0.0, 1.0], dtype=tn.float64))
        tensor([-1.2642,  0.0000,  1.0000], dtype=tinynet.float64)
    """

    op = ops.CELU  # the Function F.celu runs: what the Monitor reads
    inplace = False

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        check_celu_alpha("CELU", alpha)
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, x):
        return F.celu(x, self.alpha, self.inplace)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.alpha)

    def extra_repr(self) -> str:
        return with_inplace(f"alpha={self.alpha}", self.inplace)


class RReLU(Module):
    """RReLU(x) = x for x > 0, else a·x: in training mode a is drawn per element and per
    call from U(lower, upper); in evaluation mode it is their mean (lower + upper)/2, a
    LeakyReLU. The gradient is 1, or the slope a the call used.

    Args:
        lower: the smallest slope (default 1/8).
        upper: the largest slope, >= lower (default 1/3).
        inplace: write the result into the input and return it, as PyTorch's.
        generator: a ``tn.Generator`` or ``numpy.random.Generator`` for the slopes
            (default None: the global one, see ``tn.manual_seed``; not in PyTorch).

    Shape: any -> same.

    ``derivative(x, y)`` is the evaluation mode's (1, or the mean slope); in training the
    Monitor reads the slopes each call drew.

    Example:
        >>> import tinynet as tn
        >>> act = tn.nn.RReLU(0.1, 0.3)
        >>> y = act(-tn.ones(1000))                 # training: slopes in [0.1, 0.3]
        >>> bool((y >= -0.3).all() and (y <= -0.1).all())
        True
        >>> act.eval()(tn.tensor([-1.0, 2.0]))      # evaluation: the mean slope, 0.2
        tensor([-0.2000,  2.0000])
    """

    op = ops.RReLU  # the Function F.rrelu runs: what the Monitor reads
    inplace = False

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, inplace: bool = False,
                 generator=None):
        super().__init__()
        check_rrelu_bounds("RReLU", lower, upper)
        if generator is not None:
            as_generator(generator, "RReLU")  # a wrong type fails here, at construction
        self.lower, self.upper = lower, upper
        self.inplace = inplace
        self.generator = generator

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training, self.inplace,
                       generator=self.generator)

    def derivative(self, x, y):
        return self.op.derivative(x, y, self.lower, self.upper)

    def extra_repr(self) -> str:
        return with_inplace(f"lower={self.lower}, upper={self.upper}", self.inplace)
