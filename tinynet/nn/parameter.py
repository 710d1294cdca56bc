"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates."""
import numpy as np

from tinynet.dtypes import get_default_dtype
from tinynet.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor registered as a module's learnable parameter (requires grad).

    Args:
        data: the initial value (tensor or array-like); floating-point arrays keep
            their dtype, Python numbers take the default dtype.
        requires_grad: default True.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        super().__init__(np.empty(0, get_default_dtype()) if data is None else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
