"""Distance modules: ``CosineSimilarity`` and ``PairwiseDistance``, each holding its
settings and calling its function in ``tinynet.nn.functional``, as PyTorch's."""
from tinynet.nn import functional as F
from tinynet.nn.module import Module


class CosineSimilarity(Module):
    """cos(x1, x2) = Σ x1·x2 / (max(‖x1‖₂, eps)·max(‖x2‖₂, eps)) along ``dim``.

    Args:
        dim: the dimension summed over (default 1).
        eps: the smallest norm divided by (default 1e-8).

    Shape: x1 and x2 broadcastable, (*₁, D, *₂) -> (*₁, *₂) (``dim`` removed).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.CosineSimilarity()(tn.tensor([[1.0, 0.0]]), tn.tensor([[0.0, 2.0]]))
        tensor([0.])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 - x2 + eps‖ₚ along the last dimension.

    Args:
        p: the norm's order (default 2).
        eps: added to the difference, so the gradient is defined where x1 = x2
            (default 1e-6).
        keepdim: keep the last dimension, of size 1 (default False).

    Shape: (N, D) or (D,) -> (N,) or () (with ``keepdim``, (N, 1) or (1,)).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.PairwiseDistance(eps=0.0)(tn.tensor([[3.0, 4.0]]), tn.zeros(1, 2))
        tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
