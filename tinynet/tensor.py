"""``Tensor``: a numpy array that remembers the op that made it, for reverse-mode autodiff.

A tensor holds ``data`` (an ``np.ndarray``), ``requires_grad``, ``grad`` (a Tensor or
``None``) and ``grad_fn`` (the op that produced it, ``None`` for a leaf). Every method
that computes something calls one op's ``apply`` (see ``tinynet/ops/``); the backward
pass lives in ``tinynet/autograd/engine.py``. This file holds the core methods; ``Tensor``
inherits the rest of PyTorch's from ``TensorMath`` (``sin``, ``std``, ``amax``...),
``TensorLogic`` (``isclose``, ``nonzero``...), ``TensorShape`` (``flip``, ``roll``...),
``TensorLinalg`` (``bmm``, ``diag``, ``tril``...), ``TensorSelect`` (``topk``, ``sort``,
``gather``...), ``TensorConvert`` (``type``, formatting) and ``TensorInPlace``
(``add_``...), each in the file of its name.
"""
import copy
import itertools
import operator
import weakref

import numpy as np

from tinynet import dtypes
from tinynet.autograd.grad_mode import _GradMode
from tinynet.devices import CPU
from tinynet.tensor_convert import TensorConvert
from tinynet.tensor_inplace import TensorInPlace
from tinynet.tensor_linalg import TensorLinalg
from tinynet.tensor_logic import TensorLogic
from tinynet.tensor_math import TensorMath, numpy_names
from tinynet.tensor_select import TensorSelect
from tinynet.tensor_shape import TensorShape

_hook_keys = itertools.count()


def _as_array(data, dtype=None) -> np.ndarray:
    """Convert ``data`` to a fresh array with PyTorch's dtype rules: Python floats take
    the default dtype, Python ints int64, numpy arrays keep theirs unless ``dtype`` says."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        return np.array(data, dtype=dtype)
    from_numpy = isinstance(data, (np.ndarray, np.generic))
    array = np.array(data)
    if not from_numpy:
        if array.dtype.kind == "f":
            array = array.astype(dtypes.get_default_dtype())
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"can't make a tensor of dtype {array.dtype} from {type(data).__name__}")
    return array


def _data(x):
    """The array behind a tensor, or the value itself (a Python scalar, an array)."""
    return x.array if isinstance(x, Tensor) else x


def as_array(x, dtype=None) -> np.ndarray:
    """The array behind a tensor, or ``x`` (a list, an array) as an array."""
    return np.asarray(_data(x), dtype=dtype)


class Tensor(TensorMath, TensorLogic, TensorShape, TensorLinalg, TensorSelect, TensorConvert,
             TensorInPlace):
    """An n-dimensional array with reverse-mode automatic differentiation.

    Args:
        data: array-like (list, scalar, ``np.ndarray``, Tensor), copied.
        requires_grad: record operations on this tensor so ``backward`` can reach it.

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
    __slots__ = ("array", "grad", "requires_grad", "_ctx", "_grad_hooks", "_version",
                 "__weakref__")
    # Make numpy defer to our reflected operators: np_array * tensor -> Tensor.__rmul__.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False):
        self.array = _as_array(data)
        self.grad = None
        self._ctx = None
        self._grad_hooks = None
        self._version = [0]
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool, ctx) -> "Tensor":
        """Wrap an array without copying or checking it: the constructor of the hot path."""
        t = object.__new__(cls)
        t.array, t.grad, t.requires_grad, t._ctx, t._grad_hooks = (
            array, None, requires_grad, ctx, None)
        t._version = [0]
        return t

    # ---- autograd --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Args:
            gradient: dL/d(self), same shape as ``self``; may be omitted for a
                one-element tensor (it is then 1).
            retain_graph: keep the graph so ``backward`` can run through it again.
        """
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
            grad = np.ones_like(self.array)
        else:
            grad = np.array(_data(gradient), dtype=self.array.dtype)
            if grad.shape != self.array.shape:
                raise RuntimeError(f"gradient has shape {grad.shape}, but the tensor has "
                                   f"shape {self.shape}")
        run_backward(self, grad, retain_graph)

    @property
    def grad_fn(self):
        """The op that produced this tensor (``None`` for a leaf)."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(f"only floating-point tensors can require gradients, "
                               f"got dtype {self.array.dtype}")
        self.requires_grad = requires_grad
        return self

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf each time ``backward`` has added into its
        ``.grad`` (as in PyTorch). Returns a handle whose ``remove()`` unregisters it."""
        if self._ctx is not None:
            raise RuntimeError("post-accumulate-grad hooks can only be registered on leaves")
        if self._grad_hooks is None:
            self._grad_hooks = {}
        key = next(_hook_keys)  # never reused: an old handle cannot remove a new hook
        self._grad_hooks[key] = hook
        return _HookHandle(self._grad_hooks, key)

    def retain_grad(self) -> None:
        """Also fill ``.grad`` of this non-leaf tensor during ``backward`` (a leaf's is
        always filled). The graph refers to the tensor weakly: no reference cycle."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        if self._ctx is not None:
            self._ctx.retained = weakref.ref(self)

    # ---- pickling and copying: the values, never the graph (as in PyTorch) -----------------
    def __getstate__(self) -> dict:
        return {"data": self.array, "grad": self.grad, "requires_grad": self.requires_grad,
                "grad_hooks": self._grad_hooks}

    def __setstate__(self, state: dict) -> None:
        self.array, self.grad, self.requires_grad = (state["data"], state["grad"],
                                                    state["requires_grad"])
        self._grad_hooks = state["grad_hooks"]
        self._ctx = None  # an unpickled tensor is a leaf
        self._version = [0]

    def __deepcopy__(self, memo) -> "Tensor":
        if self._ctx is not None:
            raise RuntimeError(
                "Only tensors created explicitly by the user (graph leaves) support "
                "deepcopy, as in PyTorch: copy tensor.detach() instead")
        t = type(self).__new__(type(self))
        memo[id(self)] = t
        t.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return t

    def detach(self) -> "Tensor":
        """A tensor sharing this data (and its version counter), cut from the graph."""
        t = Tensor._wrap(self.array, False, None)
        t._version = self._version
        return t

    @property
    def data(self) -> "Tensor":
        """As in PyTorch: a tensor sharing this one's memory, outside autograd, so
        ``p.data -= lr * p.grad`` or ``p.data.zero_()`` change ``p`` without being
        recorded. (The numpy array itself is ``array``.)"""
        return self.detach()

    @data.setter
    def data(self, value) -> None:
        """``t.data = other`` puts ``other``'s values in place of this tensor's (PyTorch's
        way to swap a parameter's storage): same dtype kind, any shape."""
        array = value.array if isinstance(value, Tensor) else np.asarray(value)
        if self.requires_grad and array.dtype.kind != "f":
            raise TypeError(f"Tensor.data: a tensor that requires grad must hold floating "
                            f"point values, got dtype {array.dtype}")
        self.array = array
        self.bump_version()

    # ---- conversion and metadata -------------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self.array

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.array, dtype=dtype, copy=True)
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def item(self):
        if self.array.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.array.item()

    def tolist(self):
        return self.array.tolist()

    @property
    def shape(self) -> tuple:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self):
        return CPU

    def size(self, dim=None):
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.array.size} elements "
                               "is ambiguous; use .any() or .all()")
        return bool(self.array)

    __hash__ = object.__hash__

    def to(self, *args, **kwargs) -> "Tensor":
        """Cast to a dtype (differentiable between float types), called as in PyTorch:
        ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)`` or with keywords."""
        dtype = dtypes.parse_to_args(args, kwargs)
        return self if dtype is None else ops.Cast.apply(self, dtype)

    def cpu(self) -> "Tensor":
        return self

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def __repr__(self) -> str:
        body = np.array2string(self.array, separator=", ", prefix="tensor(")
        extra = ""
        if self.array.dtype not in (dtypes.get_default_dtype(), np.int64, np.bool_):
            extra += f", dtype=tinynet.{self.array.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- arithmetic (numpy broadcasting; PyTorch's type promotion, tinynet/promotion.py) -----
    # Two tensors of one dtype, or a float tensor and a Python float (the common cases), go
    # straight to the op; other operands are first cast to PyTorch's result dtype.
    def __add__(self, other):
        if not (isinstance(other, Tensor) and other.array.dtype is self.array.dtype
                or type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.Add.apply(self, other)

    def __radd__(self, other):
        if not (type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.Add.apply(other, self)

    def __sub__(self, other):
        if not (isinstance(other, Tensor) and other.array.dtype is self.array.dtype
                or type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.Sub.apply(self, other)

    def __rsub__(self, other):
        if not (type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.Sub.apply(other, self)

    def __mul__(self, other):
        if not (isinstance(other, Tensor) and other.array.dtype is self.array.dtype
                or type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.Mul.apply(self, other)

    def __rmul__(self, other):
        if not (type(other) is float and self.array.dtype.kind == "f"):
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

    def __pow__(self, exponent):
        if not (isinstance(exponent, Tensor) and exponent.array.dtype is self.array.dtype
                or type(exponent) is float and self.array.dtype.kind == "f"):
            self, exponent = promote(self, exponent)
        return ops.Pow.apply(self, exponent)

    def __rpow__(self, base):
        self, base = promote(self, base)
        # an array of the result dtype: Pow's backward takes log(base), and a numpy scalar
        # from a Python float would be float64 and promote the float32 gradient
        return ops.Pow.apply(np.asarray(base, dtype=self.array.dtype), self)

    def __matmul__(self, other):
        if not (isinstance(other, Tensor) and other.array.dtype is self.array.dtype
                or type(other) is float and self.array.dtype.kind == "f"):
            self, other = promote(self, other)
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        self, other = promote(self, other)
        return ops.MatMul.apply(other, self)

    def add(self, other):
        return self + other

    def sub(self, other):
        return self - other

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def matmul(self, other):
        return self @ other

    def pow(self, exponent):
        return self ** exponent

    # ---- comparisons (boolean tensors, no gradient; in the operands' common dtype) ---------
    def __eq__(self, other):
        return compare(operator.eq, self, other)

    def __ne__(self, other):
        return compare(operator.ne, self, other)

    def __lt__(self, other):
        return compare(operator.lt, self, other)

    def __le__(self, other):
        return compare(operator.le, self, other)

    def __gt__(self, other):
        return compare(operator.gt, self, other)

    def __ge__(self, other):
        return compare(operator.ge, self, other)

    def eq(self, other):
        return self == other

    # ---- elementwise math (integers become the default float dtype, as in PyTorch) ------
    def exp(self):
        return ops.Exp.apply(self._floating())

    def log(self):
        return ops.Log.apply(self._floating())

    def sqrt(self):
        return ops.Sqrt.apply(self._floating())

    def abs(self):
        return ops.Abs.apply(self)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clamp() needs at least one of min and max")
        return ops.Clamp.apply(self, min, max)

    clip = clamp

    def tanh(self):
        return ops.Tanh.apply(self._floating())

    def sigmoid(self):
        return ops.Sigmoid.apply(self._floating())

    def relu(self):
        return ops.ReLU.apply(self)

    @numpy_names
    def softmax(self, dim: int):
        return ops.Softmax.apply(self, dim)

    @numpy_names
    def log_softmax(self, dim: int):
        return ops.LogSoftmax.apply(self, dim)

    # ---- shape ---------------------------------------------------------------------------
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        shape = self.array.shape
        if not shape:
            return self.reshape(1)
        start, end = check_dim(start_dim, len(shape)), check_dim(end_dim, len(shape))
        if start > end:
            raise RuntimeError(f"flatten: start_dim must not come after end_dim, got "
                               f"start_dim={start_dim} and end_dim={end_dim}")
        joined = int(np.prod(shape[start:end + 1], dtype=np.int64))  # not -1: sizes may be 0
        return self.reshape(shape[:start] + (joined,) + shape[end + 1:])

    def unflatten(self, dim: int, sizes):
        """Split dimension ``dim`` into ``sizes`` (one of which may be -1)."""
        shape = self.array.shape
        dim = check_dim(dim, len(shape))
        sizes = tuple(sizes)
        known = np.prod([n for n in sizes if n != -1], dtype=np.int64)
        fits = known == shape[dim] if -1 not in sizes else known and shape[dim] % known == 0
        if not sizes or sizes.count(-1) > 1 or not fits:
            raise RuntimeError(f"unflatten: sizes must multiply to the size {shape[dim]} of "
                               f"dim {dim}, got {list(sizes)}")
        return self.reshape(shape[:dim] + sizes + shape[dim + 1:])

    @numpy_names
    def unsqueeze(self, dim: int):
        dim = check_dim(dim, self.array.ndim + 1)
        return self.reshape(self.array.shape[:dim] + (1,) + self.array.shape[dim:])

    @numpy_names
    def squeeze(self, dim=None):
        shape = self.array.shape
        if dim is None:
            return self.reshape(tuple(n for n in shape if n != 1))
        dim = check_dim(dim, len(shape))
        if not shape or shape[dim] != 1:
            return self
        return self.reshape(shape[:dim] + shape[dim + 1:])

    def transpose(self, dim0: int, dim1: int):
        ndim = self.array.ndim
        dim0, dim1 = check_dim(dim0, ndim), check_dim(dim1, ndim)
        axes = list(range(ndim))
        if ndim:
            axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return ops.Permute.apply(self, tuple(axes))

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        ndim = self.array.ndim
        # non-negative axes: Permute's backward inverts them with argsort
        axes = tuple(check_dim(d, ndim) for d in dims)
        if sorted(axes) != list(range(ndim)):
            raise RuntimeError(f"permute: dims must name each of the {ndim} dims once, got "
                               f"{dims}")
        return ops.Permute.apply(self, axes)

    @property
    def T(self):
        return ops.Permute.apply(self, tuple(reversed(range(self.array.ndim))))

    def t(self):
        if self.array.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def clone(self):
        return ops.Clone.apply(self)

    def contiguous(self):
        return self

    def __getitem__(self, index):
        return ops.GetItem.apply(self, _index_arrays(index))

    def __setitem__(self, index, value) -> None:
        """``x[index] = value``. Inside the graph (the tensor or ``value`` requires grad)
        it is recorded as the out-of-place op ``SetItem`` and ``x`` becomes its result,
        so gradients are PyTorch's (see tensor_inplace.py); a leaf that requires grad is
        refused, as in PyTorch."""
        index = _index_arrays(index)
        if self._recording(value):
            self._rebind(ops.SetItem.apply(self, value, index))
            return
        self.bump_version()
        self.array[index] = _data(value)


class _HookHandle:
    """Removes a hook from the dict it was registered in."""

    def __init__(self, hooks: dict, key: int):
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def _index_arrays(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, tuple):
        return tuple(_data(i) for i in index)
    return _data(index)


from tinynet import ops  # noqa: E402  (ops build Tensors: imported once Tensor exists)
from tinynet.ops.reduce import check_dim  # noqa: E402
from tinynet.promotion import compare, promote  # noqa: E402
from tinynet.autograd.engine import run_backward  # noqa: E402
