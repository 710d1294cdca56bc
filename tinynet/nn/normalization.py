"""``LayerNorm`` and ``BatchNorm1d``."""
import numpy as np

from tinynet import ops
from tinynet.checks import check_int, check_real
from tinynet.dtypes import get_default_dtype
from tinynet.nn import functional as F
from tinynet.nn.functional import _as_shape
from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter
from tinynet.tensor import Tensor


class LayerNorm(Module):
    """Layer normalisation: y = (x - E[x]) / √(Var[x] + ε) · γ + β over the trailing
    ``normalized_shape`` dimensions (biased variance, as in PyTorch). One fused node.

    Args:
        normalized_shape: int or tuple, the trailing shape to normalise over.
        eps: added to the variance for stability (default 1e-5).
        elementwise_affine: learn γ (ones) and β (zeros) of ``normalized_shape``
            (default True).
        bias: learn β (default True; only with ``elementwise_affine``).

    Shape:
        input (*, *normalized_shape) -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.LayerNorm(2)(tn.tensor([[1.0, 3.0]]))
        tensor([[-0.999995,  0.999995]], grad_fn=<LayerNormBackward>)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        for size in self.normalized_shape:
            check_int("LayerNorm", "normalized_shape", size, 1)  # a mean over 0 values: 0/0
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = dtype or get_default_dtype()
        self.weight = self.bias = None
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))

    def forward(self, x):
        k = len(self.normalized_shape)
        if tuple(x.shape[x.ndim - k:]) != self.normalized_shape:
            raise ValueError(f"{self!r} expected input with trailing shape "
                             f"{self.normalized_shape}, got input of shape {tuple(x.shape)}")
        if self.weight is not None and x.dtype != self.weight.dtype:
            raise TypeError(f"{self!r} has {self.weight.dtype} parameters but got "
                            f"{x.dtype} input: convert one (x.float() or model.double())")
        return ops.LayerNorm.apply(x, self.weight, self.bias, k, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class BatchNorm1d(Module):
    """Batch normalisation of each channel c (dimension 1), one fused node:

        y = (x - E[x]) / √(Var[x] + ε) · γ + β

    In training mode, E and Var (biased) are the batch's, over N (and L), and the running
    averages are updated: r ← (1 - momentum)·r + momentum·s, the variance's with the
    unbiased batch variance (m/(m - 1) times the biased one, m values per channel). In
    evaluation mode (``model.eval()``), the running averages are used instead. All as in
    PyTorch.

    Args:
        num_features: the number of channels C.
        eps: added to the variance for stability (default 1e-5).
        momentum: weight of the new batch in the running averages (default 0.1); None: a
            cumulative average over all batches seen (weight 1/num_batches_tracked).
        affine: learn γ (ones) and β (zeros) of shape (C,) (default True).
        track_running_stats: keep the running averages (default True); if False, batch
            statistics are used in both modes.
        dtype: parameter and buffer dtype (default: the default dtype).
        bias: learn β (default True; only with ``affine``).

    Shape:
        (N, C) or (N, C, L) -> same.

    Attributes:
        weight, bias: γ and β (Parameters), or None.
        running_mean, running_var (zeros and ones, float), num_batches_tracked (int64,
        0-d): buffers (in ``state_dict``), or None without ``track_running_stats``.

    Example:
        >>> import tinynet as tn
        >>> bn = tn.nn.BatchNorm1d(2)
        >>> bn(tn.tensor([[1.0, 10.0], [3.0, 30.0]]))
        tensor([[-0.999995, -1.      ],
                [ 0.999995,  1.      ]], grad_fn=<BatchNormBackward>)
        >>> bn.running_mean, bn.num_batches_tracked
        (tensor([0.2, 2. ]), tensor(1))
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        self.num_features = check_int("BatchNorm1d", "num_features", num_features, 1)
        self.eps = check_real("BatchNorm1d", "eps", eps, 0.0)
        self.momentum = None if momentum is None else check_real("BatchNorm1d", "momentum",
                                                                 momentum, 0.0, 1.0)
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine and bias else None
        tracked = track_running_stats
        self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype)) if tracked
                             else None)
        self.register_buffer("running_var", Tensor(np.ones(num_features, dtype)) if tracked
                             else None)
        self.register_buffer("num_batches_tracked", Tensor(np.array(0)) if tracked else None)

    def forward(self, x):
        if x.ndim not in (2, 3):
            raise ValueError(f"{self!r} expected input of shape (N, C) or (N, C, L), got "
                             f"shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{self!r} expected {self.num_features} channels in dimension 1, "
                             f"got {x.shape[1]} (input of shape {tuple(x.shape)})")
        reference = self.weight if self.weight is not None else self.running_mean
        if reference is not None and x.dtype != reference.dtype:
            raise TypeError(f"{self!r} has {reference.dtype} parameters but got {x.dtype} "
                            f"input: convert one (x.float() or model.double())")
        factor = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            self.num_batches_tracked.bump_version()
            if self.momentum is None:  # a cumulative average
                factor = 1.0 / int(self.num_batches_tracked.item())
        use_batch = self.training or self.running_mean is None
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch, factor or 0.0, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")
