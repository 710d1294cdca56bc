"""``TensorInPlaceMath``: the elementwise functions in place (``exp_``, ``log_``,
``round_``, ``clamp_min_``, ``masked_fill_``, ``scatter_``...), which ``Tensor`` inherits.
Each is its out-of-place method written into the tensor by ``TensorInPlace._apply_``
(``tensor_inplace.py``: into the array outside the graph, rebound to the recorded result
inside it), so it gives exactly that method's values and gradients."""
import numpy as np

from tinynet.tensor_inplace import _in_graph


class TensorInPlaceMath:
    """Elementwise functions in place; see the module docstring."""

    __slots__ = ()

    def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None):
        """``scatter``, in this tensor (``zeros(10).scatter_(0, tn.tensor(y), value=1)``:
        a one-hot row)."""
        return self._apply_("scatter_", lambda x: x.scatter(dim, index, src, value=value,
                                                             reduce=reduce),
                            src if hasattr(src, "array") else None)

    def scatter_add_(self, dim: int, index, src):
        """``scatter_add``, in this tensor (``zeros(3).scatter_add_(0, y, ones(n))``: counts
        per class)."""
        return self._apply_("scatter_add_", lambda x: x.scatter_add(dim, index, src), src)

    def scatter_reduce_(self, dim: int, index, src, reduce: str, *, include_self: bool = True):
        """``scatter_reduce``, in this tensor."""
        return self._apply_("scatter_reduce_",
                            lambda x: x.scatter_reduce(dim, index, src, reduce,
                                                       include_self=include_self), src)

    def index_put_(self, indices, values, accumulate: bool = False):
        """``index_put``, in this tensor."""
        return self._apply_("index_put_", lambda x: x.index_put(indices, values, accumulate),
                            values)

    def index_fill_(self, dim: int, index, value):
        return self._apply_("index_fill_", lambda x: x.index_fill(dim, index, value), value)

    def index_add_(self, dim: int, index, source, *, alpha=1):
        """``index_add``, in this tensor."""
        return self._apply_("index_add_", lambda x: x.index_add(dim, index, source,
                                                                alpha=alpha), source)

    def fill_diagonal_(self, fill_value, wrap: bool = False):
        """``fill_value`` on the main diagonal (all dims of one size, or a 2-D tensor; with
        ``wrap``, a tall matrix's diagonal restarts every ncols + 1 rows), in place."""
        shape = self.shape
        if len(shape) < 2 or (len(shape) > 2 and len(set(shape)) != 1):
            raise RuntimeError(f"fill_diagonal_: the tensor must be 2-D or have all dims of "
                               f"one size, got shape {shape}")
        mask = np.zeros(shape, dtype=bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        return self._apply_("fill_diagonal_", lambda x: x.masked_fill(mask, fill_value))

    def exp_(self):
        return self._apply_("exp_", lambda x: x.exp())

    def sqrt_(self):
        return self._apply_("sqrt_", lambda x: x.sqrt())

    def abs_(self):
        return self._apply_("abs_", lambda x: x.abs())

    def relu_(self):
        return self._apply_("relu_", lambda x: x.relu())

    def sigmoid_(self):
        return self._apply_("sigmoid_", lambda x: x.sigmoid())

    def tanh_(self):
        return self._apply_("tanh_", lambda x: x.tanh())

    def log_(self):
        return self._apply_("log_", lambda x: x.log())

    def sign_(self):
        return self._apply_("sign_", lambda x: x.sign())

    def floor_(self):
        return self._apply_("floor_", lambda x: x.floor())

    def ceil_(self):
        return self._apply_("ceil_", lambda x: x.ceil())

    def round_(self, *, decimals: int = 0):
        return self._apply_("round_", lambda x: x.round(decimals))

    def trunc_(self):
        return self._apply_("trunc_", lambda x: x.trunc())

    fix_ = trunc_

    def frac_(self):
        return self._apply_("frac_", lambda x: x.frac())

    def square_(self):
        return self._apply_("square_", lambda x: x.square())

    def nan_to_num_(self, nan: float = 0.0, posinf: float = None, neginf: float = None):
        return self._apply_("nan_to_num_", lambda x: x.nan_to_num(nan, posinf, neginf))

    def erfinv_(self):
        return self._apply_("erfinv_", lambda x: x.erfinv())

    def logit_(self, eps=None):
        return self._apply_("logit_", lambda x: x.logit(eps))

    def xlogy_(self, other):
        return self._apply_("xlogy_", lambda x: x.xlogy(other), other)

    def hypot_(self, other):
        return self._apply_("hypot_", lambda x: x.hypot(other), other)

    def atan2_(self, other):
        return self._apply_("atan2_", lambda x: x.atan2(other), other)

    arctan2_ = atan2_

    def copysign_(self, other):
        return self._apply_("copysign_", lambda x: x.copysign(other), other)

    def heaviside_(self, values):
        return self._apply_("heaviside_", lambda x: x.heaviside(values), values)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """self += value · tensor1 · tensor2 (Adam's second moment in hand-written
        optimizers: ``v.mul_(b2).addcmul_(g, g, value=1 - b2)``)."""
        return self._apply_("addcmul_", lambda x: x.addcmul(tensor1, tensor2, value=value),
                            _in_graph(tensor1, tensor2))

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """self += value · tensor1 / tensor2 (``p.addcdiv_(m, v.sqrt() + eps, value=-lr)``)."""
        return self._apply_("addcdiv_", lambda x: x.addcdiv(tensor1, tensor2, value=value),
                            _in_graph(tensor1, tensor2))

    def lerp_(self, end, weight):
        """self moved a fraction ``weight`` of the way to ``end`` (an exponential moving
        average: ``ema.lerp_(p, 1 - decay)``)."""
        return self._apply_("lerp_", lambda x: x.lerp(end, weight), _in_graph(end, weight))

    def clamp_min_(self, min):  # noqa: A002  (PyTorch's names)
        return self._apply_("clamp_min_", lambda x: x.clamp_min(min))

    def clamp_max_(self, max):  # noqa: A002
        return self._apply_("clamp_max_", lambda x: x.clamp_max(max))

    def masked_fill_(self, mask, value):
        """``value`` where the boolean ``mask`` (broadcast to this shape) is True; inside
        the graph the gradient flows to the kept elements and to a tensor ``value``."""
        return self._apply_("masked_fill_", lambda x: x.masked_fill(mask, value), value)
