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

    def erfc_(self):
        return self._apply_("erfc_", lambda x: x.erfc())

    def lgamma_(self):
        return self._apply_("lgamma_", lambda x: x.lgamma())

    def digamma_(self):
        return self._apply_("digamma_", lambda x: x.digamma())

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

    # ---- the other elementwise functions and scans, in place ----------------------------------
    def sin_(self):
        return self._apply_("sin_", lambda x: x.sin())

    def cos_(self):
        return self._apply_("cos_", lambda x: x.cos())

    def tan_(self):
        return self._apply_("tan_", lambda x: x.tan())

    def asin_(self):
        return self._apply_("asin_", lambda x: x.asin())

    def acos_(self):
        return self._apply_("acos_", lambda x: x.acos())

    def atan_(self):
        return self._apply_("atan_", lambda x: x.atan())

    def sinh_(self):
        return self._apply_("sinh_", lambda x: x.sinh())

    def cosh_(self):
        return self._apply_("cosh_", lambda x: x.cosh())

    def asinh_(self):
        return self._apply_("asinh_", lambda x: x.asinh())

    def acosh_(self):
        return self._apply_("acosh_", lambda x: x.acosh())

    def atanh_(self):
        return self._apply_("atanh_", lambda x: x.atanh())

    arcsin_, arccos_, arctan_ = asin_, acos_, atan_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_

    def log1p_(self):
        return self._apply_("log1p_", lambda x: x.log1p())

    def log2_(self):
        return self._apply_("log2_", lambda x: x.log2())

    def log10_(self):
        return self._apply_("log10_", lambda x: x.log10())

    def expm1_(self):
        return self._apply_("expm1_", lambda x: x.expm1())

    def exp2_(self):
        return self._apply_("exp2_", lambda x: x.exp2())

    def rsqrt_(self):
        return self._apply_("rsqrt_", lambda x: x.rsqrt())

    def reciprocal_(self):
        return self._apply_("reciprocal_", lambda x: x.reciprocal())

    def erf_(self):
        return self._apply_("erf_", lambda x: x.erf())

    def remainder_(self, other):
        return self._apply_("remainder_", lambda x: x.remainder(other), other)

    def fmod_(self, other):
        return self._apply_("fmod_", lambda x: x.fmod(other), other)

    def floor_divide_(self, other):
        return self._apply_("floor_divide_", lambda x: x.floor_divide(other), other)

    def cumsum_(self, dim: int, *, dtype=None):
        # (in this tensor's dtype unless told: int32 stays int32, as PyTorch's in place)
        return self._apply_("cumsum_", lambda x: x.cumsum(dim, dtype=dtype or x.dtype))

    def cumprod_(self, dim: int, *, dtype=None):
        return self._apply_("cumprod_", lambda x: x.cumprod(dim, dtype=dtype or x.dtype))

    def tril_(self, diagonal: int = 0):
        return self._apply_("tril_", lambda x: x.tril(diagonal))

    def triu_(self, diagonal: int = 0):
        return self._apply_("triu_", lambda x: x.triu(diagonal))

    # comparisons and logic in place write 1 or 0 in this tensor's dtype, as PyTorch's
    def eq_(self, other):
        return self._apply_("eq_", lambda x: x.eq(other).to(x.dtype))

    def ne_(self, other):
        return self._apply_("ne_", lambda x: x.ne(other).to(x.dtype))

    def lt_(self, other):
        return self._apply_("lt_", lambda x: x.lt(other).to(x.dtype))

    def le_(self, other):
        return self._apply_("le_", lambda x: x.le(other).to(x.dtype))

    def gt_(self, other):
        return self._apply_("gt_", lambda x: x.gt(other).to(x.dtype))

    def ge_(self, other):
        return self._apply_("ge_", lambda x: x.ge(other).to(x.dtype))

    def logical_and_(self, other):
        return self._apply_("logical_and_", lambda x: x.logical_and(other).to(x.dtype))

    def logical_or_(self, other):
        return self._apply_("logical_or_", lambda x: x.logical_or(other).to(x.dtype))

    def logical_xor_(self, other):
        return self._apply_("logical_xor_", lambda x: x.logical_xor(other).to(x.dtype))

    def logical_not_(self):
        return self._apply_("logical_not_", lambda x: x.logical_not().to(x.dtype))
