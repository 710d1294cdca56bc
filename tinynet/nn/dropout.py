"""``Dropout``: random zeroing in training, the identity in evaluation."""
from tinynet.nn import functional as F
from tinynet.nn._checks import check_dropout_p
from tinynet.nn.module import Module


class Dropout(Module):
    """In training mode, zeroes each element with probability ``p`` and scales the rest
    by 1/(1 - p) (so E[y] = x); in evaluation mode (``model.eval()``) returns the input.

        y = x ⊙ m / (1 - p),  mᵢ ~ Bernoulli(1 - p);  dL/dx = g ⊙ m / (1 - p)

    Each call draws a new mask from the global generator (``tn.manual_seed``), or from
    ``generator`` when given.

    Args:
        p: the probability of zeroing an element (default 0.5).
        inplace: accepted for PyTorch code and ignored.
        generator: a ``tn.Generator`` or ``numpy.random.Generator`` for the masks
            (default None: the global one; not in PyTorch).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> drop = tn.nn.Dropout(p=0.5)
        >>> y = drop(tn.ones(1000))
        >>> sorted(set(y.tolist()))        # dropped, or kept and doubled
        [0.0, 2.0]
        >>> drop.eval()(tn.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, generator=None):
        super().__init__()
        self.p = check_dropout_p("Dropout", p)
        self.inplace = inplace  # (kept for PyTorch code; the output is always a new tensor)
        self.generator = generator

    def forward(self, x):
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
