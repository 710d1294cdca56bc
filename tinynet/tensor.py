"""``Tensor``: a numpy array that remembers the op that made it, for reverse-mode autodiff.

A tensor holds ``array`` (an ``np.ndarray``), ``requires_grad``, ``grad`` (a Tensor or
``None``) and ``grad_fn`` (the op that produced it, ``None`` for a leaf). Every method
that computes something calls one op's ``apply`` (see ``tinynet/ops/``); the backward
pass lives in ``tinynet/autograd/engine.py``. This file holds the core: construction,
``backward``, the arithmetic operators and a few activations. ``Tensor`` inherits the
rest of PyTorch's methods from mixins, each in the file of its name: ``TensorMath``
(``sum``, ``mean``, ``sin``...), ``TensorLogic`` (``==``, ``isclose``...), ``TensorShape``
(``reshape``, ``permute``...), ``TensorLinalg`` (``mm``, ``bmm``...), ``TensorSelect``
(``max``, ``topk``...), ``TensorSpecial`` (``logit``, ``xlogy``...), ``TensorReduce``
(``nansum``, ``cummax``...), ``TensorStats`` (``quantile``, ``cov``...),
``TensorConvert`` (``numpy``, ``to``, ``size``...), ``TensorInPlace`` (``add_``,
``x[i] = v``...) and ``TensorHooks`` (``retain_grad``, ``register_hook``).
"""
import numbers
import operator

import numpy as np

from tinynet import dtypes
from tinynet.checks import check_not_bool
from tinynet.size import Size
from tinynet.tensor_convert import TensorConvert
from tinynet.tensor_hooks import TensorHooks
from tinynet.tensor_inplace import TensorInPlace, _index_arrays, check_no_bool_subtraction
from tinynet.tensor_inplace_math import TensorInPlaceMath
from tinynet.tensor_linalg import TensorLinalg
from tinynet.tensor_logic import TensorLogic
from tinynet.tensor_compose import TensorCompose
from tinynet.tensor_math import TensorMath, guard_read
from tinynet.tensor_random import TensorRandom
from tinynet.tensor_reduce import TensorReduce
from tinynet.tensor_select import TensorSelect
from tinynet.tensor_shape import TensorShape
from tinynet.tensor_special import TensorSpecial
from tinynet.tensor_stats import TensorStats


def _data(x):
    """The array behind a tensor, or the value itself (a Python scalar, an array)."""
    return x.array if isinstance(x, Tensor) else x


def _is_size(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def _legacy_array(args: tuple) -> np.ndarray:
    """The array of ``Tensor(*args)`` (see ``Tensor``)."""
    if len(args) == 1 and isinstance(args[0], Size):  # Tensor(x.size()): a shape
        args = tuple(args[0])
    if args and all(_is_size(a) for a in args):
        for i, n in enumerate(args):
            if n < 0:
                raise ValueError(f"Tensor: sizes must be integers >= 0, got {n} for "
                                 f"dimension {i}")
        return np.zeros(tuple(int(n) for n in args), dtypes.get_default_dtype())
    if not args:
        return np.empty(0, dtypes.get_default_dtype())
    if len(args) > 1:
        raise TypeError(f"Tensor: takes one data argument (a list, a number, an array or a "
                        f"Tensor) or sizes (ints), got {len(args)} arguments of types "
                        f"{', '.join(type(a).__name__ for a in args)}")
    data = args[0]
    if isinstance(data, Tensor):
        values_read()  # a copy of its values, made by no op
        return dtypes.new_array(data.array, where="Tensor")
    array = dtypes.new_array(data, where="Tensor")
    return array.astype(dtypes.get_default_dtype(), copy=False)


def as_array(x, dtype=None) -> np.ndarray:
    """The array behind a tensor, or ``x`` (a list, an array) as an array."""
    return np.asarray(_data(x), dtype=dtype)


class Tensor(TensorMath, TensorLogic, TensorShape, TensorLinalg, TensorSelect, TensorCompose,
             TensorSpecial, TensorReduce, TensorStats, TensorConvert, TensorInPlace,
             TensorInPlaceMath, TensorRandom, TensorHooks):
    """An n-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(...)`` is PyTorch's legacy constructor (``tn.tensor(data)`` is the usual one,
    keeping integer and float64 data as they are): ``Tensor(data)`` copies ``data`` (a
    list, a number, an ``np.ndarray``) into the default float dtype, and a Tensor as it
    is; ``Tensor(d0, d1, ...)`` is zeros of that shape (PyTorch leaves them
    uninitialised); ``Tensor()`` is empty.

    Args:
        *args: the data, or the sizes (ints), or nothing.
        requires_grad: record operations on this tensor so ``backward`` can reach it
            (not in PyTorch's legacy constructor).

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    # _version: [count of in-place changes], one list shared by the tensors that view the
    # same data (detach), so backward can refuse arrays changed after an op saved them
    # (PyTorch's version counter).
    # array: the numpy array itself, which tinynet's own code reads and writes (``data`` is
    # PyTorch's: a Tensor sharing it, detached from the graph)
    # _hooks: a leaf's ``register_hook`` hooks (a non-leaf's are on its grad_fn);
    # _grad_hooks: its ``register_post_accumulate_grad_hook`` hooks (dicts, or None)
    # _view_base: for a tensor an op made as a view of an input's memory (x[0], x.t()), a
    # weak reference to that input, which an in-place change inside the graph also
    # rebinds (tensor_views.py's view_of); unset or None otherwise
    __slots__ = ("array", "_grad", "_requires_grad", "_ctx", "_hooks", "_grad_hooks",
                 "_version", "_view_base", "__weakref__")
    # Make numpy defer to our reflected operators: np_array * tensor -> Tensor.__rmul__.
    __array_ufunc__ = None

    def __init__(self, *args, requires_grad: bool = False):
        # (an older tinynet's Tensor(data, requires_grad), positional, still works)
        if len(args) == 2 and isinstance(args[1], bool) and not _is_size(args[0]):
            args, requires_grad = args[:1], args[1]
        self._adopt(_legacy_array(args), requires_grad)

    def _adopt(self, array: np.ndarray, requires_grad: bool) -> None:
        """Make this a leaf holding ``array`` (a constructor's last step)."""
        self.array = array
        self._grad = None
        self._ctx = None
        self._hooks = self._grad_hooks = None
        self._version = [0]
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool, ctx) -> "Tensor":
        """Wrap an array without copying or checking it: the constructor of the hot path."""
        t = object.__new__(cls)
        t.array, t._grad, t._requires_grad, t._ctx, t._hooks, t._grad_hooks = (
            array, None, requires_grad, ctx, None, None)
        t._version = [0]
        return t

    # ---- autograd --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Args:
            gradient: dL/d(self), same shape as ``self``; may be omitted for a
                one-element tensor (it is then 1).
            retain_graph: keep the graph so ``backward`` can run through it again.
            create_graph: refused, as in ``tn.autograd.grad`` (no double backward).
            inputs: a tensor or tensors (leaves or not): only their ``.grad`` is
                accumulated into, as PyTorch's.
        """
        if create_graph or inputs is not None:
            from tinynet.autograd.gradients import backward  # (it imports the tensor)
            return backward(self, gradient, retain_graph, create_graph, inputs)
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "nothing to differentiate (create inputs with requires_grad=True)")
        if gradient is None:
            if self.array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: this tensor "
                    f"has shape {self.shape}; pass backward(gradient=...) of that shape, "
                    f"or reduce it first (e.g. .sum() or .mean())")
            # (np.array: cheaper than np.ones_like for the usual scalar loss)
            grad = np.array(1, self.array.dtype) if self.array.ndim == 0 else \
                np.ones_like(self.array)
        else:
            grad = np.array(_data(gradient), dtype=self.array.dtype)
            if grad.shape != self.array.shape:
                raise RuntimeError(f"backward: gradient must have the tensor's shape "
                                   f"{self.shape}, got shape {grad.shape}")
        backward_pass(self, grad, retain_graph)

    @property
    def grad_fn(self):
        """The op that produced this tensor (``None`` for a leaf)."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_: requires_grad must be a bool, got "
                            f"{type(requires_grad).__name__}")
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(f"requires_grad: only floating-point tensors can require "
                               f"gradients, got dtype {self.array.dtype}; give a float dtype "
                               f"(or call .float() first)")
        if not requires_grad and self._ctx is not None:
            _refuse_non_leaf()
        self._requires_grad = bool(requires_grad)
        return self

    def _set_requires_grad(self, requires_grad: bool) -> None:
        if not isinstance(requires_grad, (bool, np.bool_)):  # (RuntimeError: PyTorch's)
            raise RuntimeError(f"requires_grad: requires_grad must be a bool, got "
                               f"{type(requires_grad).__name__}")
        if self._ctx is not None:  # (even to True, as in PyTorch)
            _refuse_non_leaf()
        self.requires_grad_(requires_grad)

    # NOTE: read at C speed (it is read for every input of every op); set through the
    # checks of requires_grad_, and only on a leaf, as in PyTorch
    requires_grad = property(operator.attrgetter("_requires_grad"), _set_requires_grad,
                             doc="Whether operations on this tensor are recorded.")

    def _set_grad(self, grad) -> None:
        if grad is not None:
            if not isinstance(grad, Tensor):
                raise TypeError(f"grad: the gradient assigned must be a Tensor or None, got "
                                f"{type(grad).__name__}")
            if grad is self:
                raise RuntimeError("grad: a tensor cannot be its own gradient")
            if grad.array.shape != self.array.shape:
                raise RuntimeError(f"grad: the gradient assigned must have the tensor's shape "
                                   f"{tuple(self.array.shape)}, got {tuple(grad.array.shape)}")
            if grad.array.dtype != self.array.dtype:
                raise RuntimeError(f"grad: the gradient assigned must have the tensor's dtype "
                                   f"{self.dtype}, got {grad.dtype}")
        self._grad = grad

    # NOTE: read at C speed (the optimizers read it for every parameter); an assignment is
    # checked as PyTorch checks it (the engine writes ``_grad`` itself)
    grad = property(operator.attrgetter("_grad"), _set_grad,
                    doc="The gradient backward accumulated here (a Tensor), or None.")

    def detach(self) -> "Tensor":
        """A tensor sharing this data (and its version counter), cut from the graph."""
        t = Tensor._wrap(self.array, False, None)
        t._version = self._version
        return t

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph, in place: it becomes a leaf that requires no
        grad (its data and version counter stay). A view is refused, as in PyTorch:
        writes through it would reach its base unrecorded."""
        if getattr(self, "_view_base", None) is not None:
            raise RuntimeError("detach_: this tensor is a view of another one (a slice, a "
                               "transpose, a reshape), which cannot be detached in place; "
                               "use detach() for a new tensor")
        self._ctx = None
        self._requires_grad = False
        return self

    def item(self):
        if self.array.size != 1:
            raise ValueError(f"item: the tensor must have one element, got shape {self.shape}")
        values_read()
        return self.array.item()

    @property
    def shape(self) -> tuple:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    __hash__ = object.__hash__  # by identity: == (TensorLogic) compares elementwise

    # ---- arithmetic (numpy broadcasting; PyTorch's type promotion, tinynet/promotion.py) -----
    # Two tensors of one dtype, or a float tensor and a Python float (the common cases), go
    # straight to the op; other operands are first cast to PyTorch's result dtype.
    def __add__(self, other):
        if not _same_dtype(self, other):
            self, other = promote(self, other)
        return ops.Add.apply(self, other)

    def __radd__(self, other):
        if not _same_dtype(self, other):
            self, other = promote(self, other)
        return ops.Add.apply(other, self)

    def __sub__(self, other):
        if not _same_dtype(self, other):
            check_no_bool_subtraction(self, other)
            self, other = promote(self, other)
        return ops.Sub.apply(self, other)

    def __rsub__(self, other):
        if not _same_dtype(self, other):
            check_no_bool_subtraction(self, other)
            self, other = promote(self, other)
        return ops.Sub.apply(other, self)

    def __mul__(self, other):
        if not _same_dtype(self, other):
            self, other = promote(self, other)
        return ops.Mul.apply(self, other)

    def __rmul__(self, other):
        if not _same_dtype(self, other):
            self, other = promote(self, other)
        return ops.Mul.apply(other, self)

    def __truediv__(self, other):
        if not (isinstance(other, Tensor) and other.array.dtype is self.array.dtype
                and self.array.dtype.kind == "f"):
            self, other = promote(self, other, floating=True)
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other):
        self, other = promote(self, other, floating=True)
        return ops.Div.apply(other, self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __pow__(self, exponent):
        if isinstance(exponent, (int, np.integer)) and not isinstance(exponent, bool) and \
                exponent < 0 and self.array.dtype.kind in "iub":  # (numpy would wrap a uint8's)
            raise RuntimeError(f"pow: integers to negative integer powers are not allowed (as "
                               f"in PyTorch), got a {self.dtype} tensor and exponent "
                               f"{exponent}; make one of them floating point")
        if type(exponent) is bool and self.array.dtype == np.bool_:
            return (self ** int(exponent)).bool()  # a logical power, bool as in PyTorch
        if not _same_dtype(self, exponent):
            self, exponent = promote(self, exponent)
        _check_not_bool_power(self)
        return ops.Pow.apply(self, exponent)

    def __rpow__(self, base):
        self, base = promote(self, base)
        _check_not_bool_power(self)
        # an array of the result dtype: Pow's backward takes log(base), and a numpy scalar
        # from a Python float would be float64 and promote the float32 gradient
        return ops.Pow.apply(np.asarray(base, dtype=self.array.dtype), self)

    def __matmul__(self, other):
        if not _same_dtype(self, other):
            self, other = promote(self, other)
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        self, other = promote(self, other)
        return ops.MatMul.apply(other, self)

    # ---- elementwise math (integers become the default float dtype, as in PyTorch) ------
    def exp(self):
        return ops.Exp.apply(self._floating())

    def log(self):
        return ops.Log.apply(self._floating())

    def tanh(self):
        return ops.Tanh.apply(self._floating())

    def sigmoid(self):
        return ops.Sigmoid.apply(self._floating())

    def relu(self):
        """max(x, 0); an integer tensor keeps its dtype, a bool one is refused (PyTorch's)."""
        if self.array.dtype.kind == "b":
            check_not_bool("relu", self)
        return ops.ReLU.apply(self)

    def __getitem__(self, index):
        arrays = _index_arrays(index)
        if _has_mask(arrays):
            values_read()  # the result's shape is made from the mask's values
        return guard_read(ops.GetItem.apply(self, arrays), index)


def _has_mask(index) -> bool:
    """Whether an index (after ``_index_arrays``) holds a boolean array."""
    if type(index) is ops.movement.SplitIndex:
        index = index[1]  # (the integers come first)
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype == np.bool_ for i in parts)


def _refuse_non_leaf():
    raise RuntimeError("requires_grad: you can only change requires_grad flags of leaf "
                       "tensors (this one was computed by an op); to use it without its "
                       "graph, take t.detach()")


def _same_dtype(x: Tensor, other) -> bool:
    """Whether ``x op other`` needs no cast first: ``other`` is a tensor of x's dtype, or
    a Python float with a floating ``x`` (a weak scalar, as in PyTorch)."""
    if type(other) is float:
        return x.array.dtype.kind == "f"
    return isinstance(other, Tensor) and other.array.dtype is x.array.dtype


def _check_not_bool_power(x: Tensor) -> None:
    """Refuse a power of booleans (both sides bool once promoted), as PyTorch does;
    numpy would answer in int8."""
    if x.array.dtype == np.bool_:
        raise NotImplementedError("pow: not implemented for bool tensors (as in PyTorch), "
                                  "got bool ** bool; cast one side first, e.g. x.int()")


from tinynet import ops  # noqa: E402  (ops build Tensors: imported once Tensor exists)
from tinynet.promotion import promote  # noqa: E402
from tinynet.autograd.engine import backward_pass  # noqa: E402
from tinynet.autograd.observers import values_read  # noqa: E402
