"""The activations PyTorch also has at the top level, ``torch.celu`` and ``torch.rrelu``,
and their in-place forms ``torch.celu_`` and ``torch.rrelu_``: exported as ``tn.celu``,
``tn.celu_``, ``tn.rrelu``, ``tn.rrelu_`` by ``tinynet/__init__.py``. Each is its
``nn.functional`` form with PyTorch's top-level arguments. (``tn.hardshrink`` is the
Tensor method's, in ``tinynet/functions.py``.)
"""
# ruff: noqa: A002  (PyTorch's argument name: input)
from tinynet.nn import functional as F


def celu(input, alpha: float = 1.0):
    """``F.celu``: x for x > 0, else α(e^(x/α) - 1)."""
    return F.celu(input, alpha)


def celu_(input, alpha: float = 1.0):
    """``celu`` written into ``input``, which it returns: its own array outside the graph,
    rebound to the recorded result inside it (see ``Tensor.relu_``)."""
    return input._apply_("celu_", lambda x: F.celu(x, alpha))


def rrelu(input, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
          generator=None):
    """``F.rrelu``: x for x > 0, else a·x, a random slope in [lower, upper] in training,
    else their mean."""
    return F.rrelu(input, lower, upper, training, generator=generator)


def rrelu_(input, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False,
           generator=None):
    """``rrelu`` written into ``input``, which it returns (as ``celu_``)."""
    return input._apply_("rrelu_", lambda x: F.rrelu(x, lower, upper, training,
                                                      generator=generator))
