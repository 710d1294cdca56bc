"""``Embedding``: a learnable lookup table, one row per token."""
import numpy as np

from tinynet.checks import check_int
from tinynet.dtypes import get_default_dtype
from tinynet.nn import functional as F
from tinynet.nn import init
from tinynet.nn._checks import check_padding_idx, check_table
from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter


class Embedding(Module):
    """y = W[i]: each integer index i picks its row of the weight W, one node (the same as
    indexing ``W[X]``, as makemore does, or as multiplying one-hot rows by W).

        dL/dW[v] = Σ over positions with index v of dL/dy   (repeated indices add up)

    Args:
        num_embeddings: the number of rows V (the vocabulary size).
        embedding_dim: the size D of each row.
        padding_idx: a row that starts at zeros and gets no gradient (default None;
            negative values count from the end).
        max_norm, scale_grad_by_freq: not implemented (only their defaults are accepted).
        sparse: accepted and ignored (the gradient is a dense (V, D) array).
        dtype: the weight's dtype (default: the default dtype).
        generator: a ``numpy.random.Generator`` for the initial values (default: the
            global one; not in PyTorch).

    Shape:
        input (*) integers in [0, V) -> output (*, D).

    Attributes:
        weight: (V, D), initialised from N(0, 1) (PyTorch's default).

    Example:
        >>> import tinynet as tn
        >>> emb = tn.nn.Embedding(27, 2)
        >>> emb(tn.tensor([[5, 13, 13]])).shape
        (1, 3, 2)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int = None,
                 max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None,
                 dtype=None, generator=None):
        super().__init__()
        if max_norm is not None or scale_grad_by_freq:
            raise NotImplementedError("Embedding: max_norm and scale_grad_by_freq are not "
                                      "implemented in tinynet")
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, 0)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, 0)
        self.padding_idx = None if padding_idx is None else check_padding_idx(
            "Embedding", padding_idx, num_embeddings)
        # PyTorch's attributes, for code that reads them (norm_type is used by nothing
        # without max_norm; a sparse gradient is a dense one here)
        self.max_norm, self.norm_type, self.scale_grad_by_freq = None, norm_type, False
        self.sparse = sparse
        shape = (num_embeddings, embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype or get_default_dtype()))
            self.reset_parameters(generator)
        else:
            if tuple(_weight.shape) != shape:
                raise ValueError(f"Embedding: _weight must have shape {shape}, got "
                                 f"{tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self, generator=None) -> None:
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int = None,
                        **kwargs) -> "Embedding":
        """An Embedding whose weight is a copy of ``embeddings`` (V, D), frozen (no
        gradient) unless ``freeze=False``."""
        check_table("Embedding.from_pretrained", "embeddings", embeddings)
        return cls(*embeddings.shape, padding_idx=padding_idx, _weight=embeddings,
                   _freeze=freeze, **kwargs)

    def forward(self, x):
        return F.embedding(x, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
