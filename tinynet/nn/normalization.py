"""``LayerNorm``, ``RMSNorm``, ``GroupNorm`` and ``BatchNorm1d``."""
import numpy as np

from tinynet.checks import check_int, check_real
from tinynet.devices import check_device
from tinynet.dtypes import get_default_dtype
from tinynet.factories import tensor
from tinynet.nn import functional as F
from tinynet.nn import init
from tinynet.nn._checks import check_batch_norm, check_channels, check_normalized_shape
from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter


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
        tensor([[-1.0000,  1.0000]], grad_fn=<LayerNormBackward>)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=None):
        super().__init__()
        self.normalized_shape = check_normalized_shape("LayerNorm", normalized_shape)
        self.eps = check_real("LayerNorm", "eps", eps, 0.0)
        self.elementwise_affine = elementwise_affine
        dtype = dtype or get_default_dtype()
        self.register_parameter("weight", Parameter(np.ones(self.normalized_shape, dtype=dtype))
                                if elementwise_affine else None)
        self.register_parameter("bias", Parameter(np.zeros(self.normalized_shape, dtype=dtype))
                                if elementwise_affine and bias else None)

    def reset_parameters(self) -> None:
        """γ back to 1 and β to 0, in place (PyTorch's; K-fold loops call it)."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation: y = x / √(mean(x²) + ε) · γ over the trailing
    ``normalized_shape`` dimensions (no mean subtracted, no β), as PyTorch's.

    Args:
        normalized_shape: int or tuple, the trailing shape to normalise over.
        eps: added to the mean square (default None: the machine epsilon of the input's
            dtype).
        elementwise_affine: learn γ (ones) of ``normalized_shape`` (default True).
        device: None or the CPU.
        dtype: γ's dtype (default: the default dtype).

    Shape:
        input (*, *normalized_shape) -> same.

    Example:
        >>> import tinynet as tn
        >>> layer = tn.nn.RMSNorm(2, eps=0.0, dtype=tn.float64)
        >>> layer(tn.tensor([[3.0, -4.0]], dtype=tn.float64)).tolist()
        [[0.848528137423857, -1.131370849898476]]
    """

    def __init__(self, normalized_shape, eps: float = None, elementwise_affine: bool = True,
                 device=None, dtype=None):
        super().__init__()
        check_device(device, "RMSNorm")
        self.normalized_shape = check_normalized_shape("RMSNorm", normalized_shape)
        self.eps = None if eps is None else check_real("RMSNorm", "eps", eps, 0.0)
        self.elementwise_affine = elementwise_affine
        self.register_parameter("weight", Parameter(np.ones(
            self.normalized_shape, dtype=dtype or get_default_dtype())) if elementwise_affine
            else None)

    def reset_parameters(self) -> None:
        """γ back to 1, in place."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Group normalisation: each sample's C channels (dimension 1) in ``num_groups``
    groups, y = (x - E[x]) / √(Var[x] + ε) · γ + β over each group's channels and
    positions (biased variance), γ and β per channel, as PyTorch's. Independent of the
    batch: the same in training and evaluation.

    Args:
        num_groups: G, which must divide ``num_channels``.
        num_channels: C.
        eps: added to the variance (default 1e-5).
        affine: learn γ (ones) and β (zeros) of shape (C,) (default True).
        device: None or the CPU.
        dtype: their dtype (default: the default dtype).
        bias: learn β (default True; only with ``affine``).

    Shape:
        input (N, C, *) -> same.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.GroupNorm(2, 4)(tn.tensor([[1.0, 3.0, 5.0, 5.0]]))
        tensor([[-1.0000,  1.0000,  0.0000,  0.0000]], grad_fn=<AddBackward>)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        check_device(device, "GroupNorm")
        self.num_groups = check_int("GroupNorm", "num_groups", num_groups, 1)
        self.num_channels = check_int("GroupNorm", "num_channels", num_channels, 1)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must divide into "
                             f"num_groups ({num_groups}) groups")
        self.eps = check_real("GroupNorm", "eps", eps, 0.0)
        self.affine = affine
        dtype = dtype or get_default_dtype()
        self.register_parameter("weight", Parameter(np.ones(num_channels, dtype=dtype))
                                if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_channels, dtype=dtype))
                                if affine and bias else None)

    reset_parameters = LayerNorm.reset_parameters  # γ back to 1 and β to 0, in place

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


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
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]], grad_fn=<BatchNormBackward>)
        >>> bn.running_mean, bn.num_batches_tracked
        (tensor([0.2000, 2.0000]), tensor(1))
    """

    _optional_state = ("num_batches_tracked",)  # (older checkpoints lack it: kept as it is)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        self.num_features = check_int("BatchNorm1d", "num_features", num_features, 1)
        self.eps, self.momentum = check_batch_norm("BatchNorm1d", eps, momentum)
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or get_default_dtype()
        self.register_parameter("weight", Parameter(np.ones(num_features, dtype))
                                if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_features, dtype))
                                if affine and bias else None)
        tracked = track_running_stats
        self.register_buffer("running_mean", tensor(np.zeros(num_features, dtype)) if tracked
                             else None)
        self.register_buffer("running_var", tensor(np.ones(num_features, dtype)) if tracked
                             else None)
        self.register_buffer("num_batches_tracked", tensor(0) if tracked else None)

    def reset_running_stats(self) -> None:
        """Mean 0, variance 1 and no batch counted, in place."""
        if self.running_mean is not None:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        """The running statistics, and γ back to 1 and β to 0, in place (PyTorch's)."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        if self.weight is None and self.running_mean is None:  # F.batch_norm has nothing
            check_channels("BatchNorm1d", x, self.num_features,  # of shape (C,) to check
                           f"num_features={self.num_features}")
        counting = self.training and self.track_running_stats and \
            self.num_batches_tracked is not None
        factor = self.momentum
        if counting and self.momentum is None:  # a cumulative average, this batch included
            factor = 1.0 / (int(self.num_batches_tracked.item()) + 1)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # training with track_running_stats switched off after construction: the buffers
        # stay as they are (as PyTorch's, which passes None), and eval mode still reads them
        tracking = not self.training or self.track_running_stats
        y = F.batch_norm(x, self.running_mean if tracking else None,
                         self.running_var if tracking else None, self.weight, self.bias,
                         use_batch, factor or 0.0, self.eps)
        if counting:  # after batch_norm's checks: a refused input is not counted
            self.num_batches_tracked.array += 1
            self.num_batches_tracked.bump_version()
        return y

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")
