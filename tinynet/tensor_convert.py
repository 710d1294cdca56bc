"""``TensorConvert``: the Tensor methods about values, types, devices and printing:
``numpy``, ``tolist``, ``to``/``float``/``long``..., ``type_as``, ``size``, ``numel``,
``element_size``, ``is_floating_point``, ``data``, pickling and ``deepcopy``, ``type``,
``__format__``, ``cuda`` (``Tensor`` inherits them;
see ``tensor.py``)."""
import copy
import numbers

import numpy as np

from tinynet import dtypes
from tinynet.devices import CPU
from tinynet.printing import tensor_repr
from tinynet.size import Size


class TensorConvert:
    """Conversions and metadata, as in PyTorch."""

    __slots__ = ()

    # ---- pickling and copying: the values, never the graph (as in PyTorch) ----------------
    def __getstate__(self) -> dict:
        return {"data": self.array, "grad": self.grad, "requires_grad": self.requires_grad,
                "grad_hooks": self._grad_hooks}

    def __setstate__(self, state: dict) -> None:
        self.array, self._grad, self._requires_grad = (state["data"], state["grad"],
                                                      state["requires_grad"])
        self._grad_hooks = state["grad_hooks"]
        self._hooks = None  # register_hook's are not copied, as in PyTorch
        self._ctx = None  # an unpickled tensor is a leaf
        self._version = [0]

    def __deepcopy__(self, memo):
        if self._ctx is not None:
            raise RuntimeError(
                "Only tensors created explicitly by the user (graph leaves) support "
                "deepcopy, as in PyTorch: copy tensor.detach() instead")
        t = type(self).__new__(type(self))
        memo[id(self)] = t
        t.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return t

    @property
    def data(self):
        """As in PyTorch: a tensor sharing this one's memory, outside autograd, so
        ``p.data -= lr * p.grad`` or ``p.data.zero_()`` change ``p`` without being
        recorded. (The numpy array itself is ``array``.)"""
        return self.detach()

    @data.setter
    def data(self, value) -> None:
        """``t.data = other`` puts ``other``'s values in place of this tensor's (PyTorch's
        way to swap a parameter's storage): same dtype kind, any shape."""
        array = value.array if hasattr(value, "array") else np.asarray(value)
        if self.requires_grad and array.dtype.kind != "f":
            raise TypeError(f"Tensor.data: a tensor that requires grad must hold floating "
                            f"point values, got dtype {array.dtype}")
        self.array = array
        self.bump_version()

    # ---- conversion and metadata ------------------------------------------------------------
    def __repr__(self) -> str:
        """As PyTorch prints a tensor (see printing.py, and ``tn.set_printoptions``)."""
        values_read()
        suffixes = [f"grad_fn={self._ctx!r}"] if self._ctx is not None else \
            ["requires_grad=True"] if self.requires_grad else []
        return tensor_repr(self.array, suffixes, dtypes.get_default_dtype())

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor's array itself (shared memory, as PyTorch's on the CPU). A tensor
        that requires grad is refused unless ``force=True``, which is
        ``detach().numpy()``."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        values_read()
        return self.array

    def __array__(self, dtype=None, copy=None):
        values_read()
        if copy:
            return np.array(self.array, dtype=dtype, copy=True)
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def tolist(self):
        values_read()
        return self.array.tolist()

    @property
    def device(self):
        return CPU

    def size(self, dim=None):
        """The shape as a ``tn.Size``, or the size of dimension ``dim``."""
        if dim is None:  # numpy's shape holds ints already: no check per dimension
            return tuple.__new__(Size, self.array.shape)
        return self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __iter__(self):
        """The tensor's rows (``self[0]``, ``self[1]``...); a 0-d tensor has none to give,
        and says so, as PyTorch's (Python's fallback would give an empty sequence)."""
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.array)))

    def __contains__(self, element) -> bool:
        """``x in t``: whether any element of ``t`` equals ``x`` (a number or a tensor,
        compared by broadcasting), as PyTorch's; without it Python would compare the rows
        of a matrix."""
        if not isinstance(element, (numbers.Number, np.generic, TensorConvert)):
            raise RuntimeError(f"in: a tensor holds numbers; `x in tensor` takes a number or "
                               f"a tensor, got {type(element).__name__}")
        try:
            return bool((self == element).any())
        except ValueError:  # (shapes that do not broadcast)
            raise RuntimeError(f"in: a tensor of shape {tuple(element.shape)} is compared "
                               f"with this tensor's shape {tuple(self.shape)} elementwise, "
                               f"and the shapes do not broadcast") from None

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(f"bool: the tensor must have one element to be True or False, "
                               f"got {self.array.size} elements (shape {self.shape}); use "
                               f".any() or .all()")
        values_read()
        return bool(self.array)

    def to(self, *args, **kwargs):
        """Cast to a dtype (differentiable between float types), called as in PyTorch:
        ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)`` or with keywords. As in
        PyTorch, a tensor that already has the dtype is returned itself (``copy=True``
        makes a copy)."""
        flags = 0  # to(dtype, non_blocking, copy): the trailing booleans, by position
        while flags < 2 and len(args) > flags and isinstance(args[-1 - flags], bool):
            flags += 1
        for name, value in zip(("non_blocking", "copy"), args[len(args) - flags:]):
            kwargs.setdefault(name, value)
        args = args[:len(args) - flags]
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)  # (one device: nothing to overlap)
        dtype = dtypes.parse_to_args(args, kwargs)
        if dtype is None or dtype == self.array.dtype:
            return self.clone() if copy else self
        return ops.Cast.apply(self, dtype)

    def cpu(self):
        return self

    def half(self):
        return self.to(np.float16)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def short(self):
        return self.to(np.int16)

    def char(self):
        return self.to(np.int8)

    def byte(self):
        return self.to(np.uint8)

    def bool(self):
        return self.to(np.bool_)

    def nelement(self) -> int:
        return self.array.size

    def element_size(self) -> int:
        """The bytes one element takes: 4 for float32, 8 for int64, 1 for bool."""
        return self.array.itemsize

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        """The bytes the elements take (numel() · element_size())."""
        return self.array.size * self.array.itemsize

    def stride(self, dim=None):
        """The step, in elements, between neighbours along each dim (or ``dim``), as
        PyTorch's: (3, 1) for a (2, 3) tensor, (1, 3) for its transpose."""
        steps = tuple(s // self.array.itemsize for s in self.array.strides)
        if dim is None:
            return steps
        from tinynet.tensor_math import single_dim  # (it imports this module)
        return steps[single_dim(dim, self.array.ndim, "stride")]

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point one (float16, float32, float64)."""
        return self.array.dtype.kind == "f"

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype (itself when they already match), as
        ``self.to(other.dtype)``; differentiable between float dtypes."""
        if not isinstance(other, TensorConvert):  # every Tensor is a TensorConvert
            raise TypeError(f"type_as: other must be a tensor, got {type(other).__name__}")
        return self.to(other.dtype)

    def type(self, dtype=None):
        """Without ``dtype``: the type's name, ``'tinynet.FloatTensor'`` for float32 (NOTE:
        ``'torch.FloatTensor'`` in PyTorch). With one (a dtype, a name such as
        ``'torch.LongTensor'``, or ``tn.LongTensor``): this tensor cast to it."""
        if dtype is None:
            return dtypes.tensor_type_name(self.array.dtype)
        return self.to(dtypes.from_tensor_type(dtype) if isinstance(dtype, str) else dtype)

    @property
    def is_cuda(self) -> bool:
        return False

    def get_device(self) -> int:
        """-1: the tensor is on the CPU (PyTorch's answer for a CPU tensor)."""
        return -1

    def cuda(self, *args, **kwargs):
        raise RuntimeError("cuda: tinynet runs on the CPU only; keep tensors on the CPU "
                           "(guard the call with `if tinynet.cuda.is_available():`)")

    def __index__(self) -> int:
        """The Python int of a one-element integer tensor, so it can index a list or a
        ``range``, as in PyTorch."""
        if self.array.size != 1 or self.array.dtype.kind not in "biu":
            raise TypeError(f"only integer tensors of a single element can be converted to "
                            f"an index, got dtype {self.dtype} and shape {self.shape}")
        values_read()
        return int(self.array.item())

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``; ``f"{loss}"`` gives
        ``0.5``, as in PyTorch); so does a one-element tensor given a format spec (NOTE:
        PyTorch raises there). Otherwise ``str(tensor)``."""
        if self.array.ndim == 0 or format_spec and self.array.size == 1:
            values_read()
            return format(self.array.item(), format_spec)
        if format_spec:
            raise TypeError(f"format: a format spec ({format_spec!r}) needs a tensor with "
                            f"one element, got shape {self.shape}; format .item() or "
                            f".tolist() instead")
        return str(self)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.autograd.observers import values_read  # noqa: E402
