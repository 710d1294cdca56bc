"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates, and
``UninitializedParameter``: one whose shape is not known yet (a lazy module's)."""
import numpy as np

from tinynet.dtypes import get_default_dtype, new_array
from tinynet.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor registered as a module's learnable parameter (requires grad).

    Args:
        data: the initial value: a tensor, whose memory (and version counter) the
            parameter shares, as PyTorch's does (``Parameter(enc.weight)`` sees every
            change to ``enc.weight``), or array-like, copied (floating-point arrays keep
            their dtype, Python numbers take the default dtype).
        requires_grad: default True.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if isinstance(data, Tensor):
            self._adopt(data.array, requires_grad)
            self._version = data._version  # a change through either is one to both
            return
        if data is None:
            array = np.empty(0, get_default_dtype())
        else:  # (tn.Tensor(data) would cast to the default float dtype)
            array = new_array(data, where="Parameter")
        self._adopt(array, requires_grad)

    def __getstate__(self) -> dict:
        # a copied or pickled parameter starts without a gradient, as in PyTorch
        return {**super().__getstate__(), "grad": None}

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class UninitializedParameter(Parameter):
    """A parameter whose shape is decided later, by ``materialize(shape)``: a lazy
    module's (``LazyLinear``) before its first call, or a ``load_state_dict``. It holds no
    values; asking for its shape is an error, as in PyTorch. Materialising turns it into
    a ``Parameter`` in place, so an optimizer that already holds it keeps working.

    Args:
        requires_grad: default True.
        dtype: the dtype it will have (default: the default dtype).
    """

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, dtype=None):
        super().__init__(np.empty(0, dtype or get_default_dtype()), requires_grad)

    @property
    def shape(self):
        raise RuntimeError("can't access the shape of an uninitialized parameter: call the "
                           "lazy module once (e.g. net(X)) or load a state_dict first")

    def materialize(self, shape) -> None:
        """Become a ``Parameter`` of ``shape`` (values uninitialised: the module fills
        them)."""
        self.array = np.empty(shape, self.array.dtype)
        self.bump_version()
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"
