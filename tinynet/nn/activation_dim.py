"""Activation modules along one dimension: Softmin and GLU.

As ``Softmax``: each holds its ``dim`` and calls its function in ``tinynet.nn.functional``
(one op of ``tinynet/ops/activation_dim.py``). Neither is elementwise, so neither has a
``derivative`` and the Monitor does not watch them.
"""
from tinynet.nn import functional as F
from tinynet.nn.module import Module


class Softmin(Module):
    """Softmin(x)ᵢ = e^(-xᵢ) / Σⱼ e^(-xⱼ) along ``dim`` (softmax of -x, computed with the
    minimum subtracted): the smallest values weigh most.

    Args:
        dim: the dimension that sums to 1 (``None``: as ``Softmax``'s).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Softmin(dim=1)(tn.tensor([[0.0, 0.0, 1.0, 1.0]]))
        tensor([[0.3655, 0.3655, 0.1345, 0.1345]])
    """

    def __init__(self, dim: int = None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmin(x, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """The gated linear unit: the input split in halves a, b along ``dim``, a ⊙ σ(b);
    gradients g ⊙ σ(b) for a and g ⊙ a ⊙ σ(b)(1 - σ(b)) for b.

    Args:
        dim: the dimension to halve, of even size (default -1).

    Shape: (*, 2n, *) -> (*, n, *), along ``dim``.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.GLU()(tn.tensor([[1.0, 2.0, 0.0, 100.0]]))    # [1·σ(0), 2·σ(100)]
        tensor([[0.5000, 2.0000]])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
