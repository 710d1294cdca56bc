"""``LayerNorm``."""
import numpy as np

from tinynet import ops
from tinynet.checks import check_int
from tinynet.dtypes import get_default_dtype
from tinynet.nn.functional import _as_shape
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
