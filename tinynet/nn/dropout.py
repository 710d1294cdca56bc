"""``Dropout``: random zeroing in training, the identity in evaluation; ``AlphaDropout``,
its form for SELU networks; ``Dropout1d/2d/3d`` and ``FeatureAlphaDropout``, their forms
that drop whole channels."""
from tinynet.nn import functional as F
from tinynet.nn._checks import check_dropout_p
from tinynet.nn.module import Module


class _Dropout(Module):
    """What the dropouts share (PyTorch's ``_DropoutNd``): ``p``, ``inplace`` and the
    generator of their masks."""

    def __init__(self, p: float = 0.5, inplace: bool = False, generator=None):
        super().__init__()
        self.p = check_dropout_p(type(self).__name__, p)
        self.inplace = inplace  # in training, the result written into the input
        self.generator = generator

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_Dropout):
    """In training mode, zeroes each element with probability ``p`` and scales the rest
    by 1/(1 - p) (so E[y] = x); in evaluation mode (``model.eval()``) returns the input.

        y = x ⊙ m / (1 - p),  mᵢ ~ Bernoulli(1 - p);  dL/dx = g ⊙ m / (1 - p)

    Each call draws a new mask from the global generator (``tn.manual_seed``), or from
    ``generator`` when given.

    Args:
        p: the probability of zeroing an element (default 0.5).
        inplace: in training, write the result into the input and return it, as
            PyTorch's.
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

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.inplace, generator=self.generator)


class AlphaDropout(_Dropout):
    """Dropout for self-normalising (SELU) networks: in training mode, each element is set
    with probability ``p`` to SELU's saturation value -λα, and every element is then
    mapped by a·y + b, chosen so that inputs of zero mean and unit variance keep them;
    in evaluation mode, the identity (``F.alpha_dropout``, ``ops.AlphaDropout``).

    Args:
        p: the probability of dropping an element (default 0.5).
        inplace: in training, write the result into the input and return it, as
            PyTorch's.
        generator: a ``tn.Generator`` or ``numpy.random.Generator`` for the masks
            (default None: the global one; not in PyTorch).

    Shape: any -> same.

    Example:
        >>> import tinynet as tn
        >>> _ = tn.manual_seed(0)
        >>> y = tn.nn.AlphaDropout(p=0.2)(tn.randn(100_000))
        >>> round(y.mean().item(), 1), round(y.std().item(), 1)
        (0.0, 1.0)
    """

    def forward(self, x):
        return F.alpha_dropout(x, self.p, self.training, self.inplace,
                               generator=self.generator)


class Dropout1d(_Dropout):
    """In training mode, zeroes whole channels: each channel of each sample, with
    probability ``p``, along its whole length, and scales the rest by 1/(1 - p); in
    evaluation mode, the identity (``F.dropout1d``). For inputs whose neighbouring
    positions are correlated, where dropping single elements regularises little.

    Args: as ``Dropout``'s.

    Shape: (N, C, L) or (C, L) -> same.

    Example:
        >>> import tinynet as tn
        >>> y = tn.nn.Dropout1d(p=0.5)(tn.ones(2, 100, 3))
        >>> bool(((y == y[..., :1]).all()))   # a channel is dropped or kept as a whole
        True
    """

    def forward(self, x):
        return F.dropout1d(x, self.p, self.training, self.inplace, generator=self.generator)


class Dropout2d(_Dropout):
    """``Dropout1d`` for (N, C, H, W) or 3-D inputs (taken as (N, C, L) with a warning, as
    PyTorch does: use ``Dropout1d`` for those) (``F.dropout2d``).

    Args: as ``Dropout``'s.
    """

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training, self.inplace, generator=self.generator)


class Dropout3d(_Dropout):
    """``Dropout1d`` for (N, C, D, H, W) or (C, D, H, W) inputs (``F.dropout3d``).

    Args: as ``Dropout``'s.
    """

    def forward(self, x):
        return F.dropout3d(x, self.p, self.training, self.inplace, generator=self.generator)


class FeatureAlphaDropout(_Dropout):
    """``AlphaDropout`` of whole channels of an (N, C, *) input: in training mode, each
    channel of each sample is set with probability ``p`` to SELU's saturation value, then
    every element is mapped as AlphaDropout maps it; in evaluation mode, the identity
    (``F.feature_alpha_dropout``).

    Args: as ``Dropout``'s.
    """

    def forward(self, x):
        return F.feature_alpha_dropout(x, self.p, self.training, self.inplace,
                                       generator=self.generator)
