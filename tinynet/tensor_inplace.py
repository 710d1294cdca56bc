"""``TensorInPlace``: PyTorch's in-place methods (``add_``, ``mul_``, ``copy_``, ``zero_``,
``unsqueeze_``, ``t_``...) and the augmented assignments (``x += y``), which
``Tensor`` inherits; the elementwise functions in place (``exp_``, ``log_``, ``round_``,
``masked_fill_``...) are ``TensorInPlaceMath``'s, through ``_apply_`` here.

Outside the graph (no tensor involved requires grad, or under ``no_grad``) they write
into the tensor's array, and its version counter counts the change, so a backward
through an op that saved the old values raises instead of using the new ones.

Inside the graph (grad mode, and the tensor or the other operand requires grad):

  * a leaf that requires grad is refused, as in PyTorch (its ``.grad`` would belong to
    values it no longer holds);
  * any other tensor is *rebound*: ``x += y`` records ``x + y`` as an ordinary op and
    makes ``x`` that result, so gradients are exactly those of ``x = x + y``. NOTE: PyTorch
    writes into the storage instead, so views taken before (``x.data``, ``x.detach()``,
    ``x[0]``) see the new values; here they keep the old ones. The graph never sees a
    changed value;
  * a view changed that way (``h[0].mul_(2)``) is written back into the tensor it views,
    while that one is alive: ``h`` is rebound to ``SetItem(h, view, positions)``
    (tensor_views.py), as PyTorch's shared storage changes ``h``.
"""
import math
import numbers
import warnings
import weakref

import numpy as np

from tinynet.autograd.grad_mode import _GradMode
from tinynet.checks import args_or_keyword


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}  # PyTorch's dtype categories


def _in_graph(*operands):
    """The first operand that requires grad (it brings an in-place change into the
    graph), else None."""
    for operand in operands:
        if getattr(operand, "requires_grad", False):
            return operand
    return None


def _alpha_last(where: str, other, alpha) -> tuple:
    """(other, alpha), also from PyTorch's deprecated order ``(Number alpha, Tensor
    other)``, as old optimizers wrote ``p.data.add_(-lr, d_p)``; PyTorch still runs it,
    with a warning, and so does tinynet."""
    if isinstance(alpha, TensorInPlace) and isinstance(other, numbers.Number):
        warnings.warn(f"{where}(Number alpha, Tensor other) is deprecated (as in PyTorch); "
                      f"use {where}(other, alpha=alpha)", UserWarning, stacklevel=3)
        return alpha, other
    return other, alpha


def _array(x):
    return x.array if hasattr(x, "array") else x


def _values(x):
    """``_array(x)``, where a tensor's values go into another tensor by no op: a value
    read (``values_read``: tn.capture cannot replay it)."""
    if hasattr(x, "array"):
        values_read()
        return x.array
    return x


def _wrapped(x, dtype):
    """An operand of in-place arithmetic: a Python int going into an integer ``dtype`` is
    wrapped into it first, as PyTorch wraps it (uint8 ``x += -1``, ``x.mul_(300)``),
    where numpy refuses one out of its range."""
    if type(x) is int and dtype.kind in "iu":
        return np.array(x).astype(dtype)
    return _values(x)


def storable_range(dtype) -> tuple:
    """(low, high): the Python ints PyTorch lets into an integer ``dtype``, its range, and
    for an unsigned one also -max..-1, wrapped (uint8 -1 is 255)."""
    info = np.iinfo(dtype)
    return (-int(info.max) if info.kind == "u" else int(info.min)), int(info.max)


def beyond_float_range(x, dtype) -> bool:
    """Whether the number ``x`` (an int of any size, or a float) is finite but beyond the
    largest value of the floating ``dtype``, so that it would become inf: PyTorch refuses
    it, even where it would round down to the largest (65519 in float16)."""
    finite = isinstance(x, numbers.Integral) or math.isfinite(x)
    return finite and abs(x) > float(np.finfo(dtype).max)


def stored_scalar(where: str, x, dtype, finite_fits: bool = True):
    """A value to store (``fill_``, ``x[i] = v``, ``masked_fill``): a Python int must fit
    ``dtype`` as PyTorch's check has it (an unsigned dtype also takes -max..-1, wrapped:
    uint8 -1 is 255), else a RuntimeError, where numpy raised OverflowError, and a float
    must lie in the dtype's range (numpy wrapped inf, nan and 1e10 silently); with
    ``finite_fits``, so must a finite number stored in a floating dtype (it would become
    inf: PyTorch checks it, but not for ``x[i] = v`` into float16). numpy scalars count as
    the Python numbers they hold."""
    if isinstance(x, np.generic) and not isinstance(x, np.bool_):
        x = x.item()
    if type(x) is int and dtype.kind in "iu":
        low, high = storable_range(dtype)
        if not low <= x <= high:
            raise RuntimeError(f"{where}: value {x} cannot be converted to {dtype} without "
                               f"overflow (it must be in [{low}, {high}])")
        return np.array(x).astype(dtype)
    if type(x) is float and dtype.kind in "iu":  # (then truncated, as PyTorch's cast)
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:  # (nan fails too)
            raise RuntimeError(f"{where}: value {x!r} cannot be converted to {dtype} without "
                               f"overflow (a float must be in [{info.min}, {info.max}])")
    if finite_fits and dtype.kind == "f" and type(x) in (int, float) and \
            beyond_float_range(x, dtype):
        raise RuntimeError(f"{where}: value {x!r} cannot be converted to {dtype} without "
                           f"overflow (|value| must be <= {float(np.finfo(dtype).max):g}, "
                           f"or inf, or nan)")
    return _values(x)


def check_no_bool_subtraction(x, other) -> None:
    """Refuse a subtraction with a bool tensor or a Python bool on either side, as
    PyTorch does (numpy refuses bool - bool only; True - 1 would be 0): a mask is
    inverted with ``~``."""
    kinds = (x.array.dtype, other.array.dtype if hasattr(other, "array") else type(other))
    if np.bool_ in kinds or bool in kinds:
        raise RuntimeError(f"sub: subtraction with a bool tensor is not supported (as in "
                           f"PyTorch), got {kinds[0]} and "
                           f"{getattr(kinds[1], '__name__', kinds[1])}; to invert a mask use "
                           f"~ or logical_not()")


class TensorInPlace:
    """In-place updates, as in PyTorch (see the module docstring for the graph case)."""

    __slots__ = ()

    def _recording(self, other=None) -> bool:
        """Whether an in-place change of ``self`` (with ``other``) must go in the graph;
        refuses a leaf that requires grad."""
        if not _GradMode.enabled:
            return False
        involved = self.requires_grad or getattr(other, "requires_grad", False)
        if involved and self.requires_grad and self._ctx is None:
            raise RuntimeError(
                "a leaf tensor that requires grad is being used in an in-place operation: "
                "wrap a hand-written update in `with tinynet.no_grad():` (or change "
                "p.data), or use the out-of-place form")
        return involved

    def _rebind(self, result):
        """Make ``self`` the recorded ``result`` (see the module docstring); when ``self``
        is a view of a tensor still alive, that tensor too becomes itself with the view's
        new values written in (tensor_views.py), as PyTorch's shared storage gives."""
        base, where = view_of(self)
        if where is not None and base.requires_grad and base._ctx is None:
            raise RuntimeError(
                "a view of a leaf tensor that requires grad is being used in an in-place "
                "operation: change the leaf under `with tinynet.no_grad():`, or use the "
                "out-of-place form")
        before = self._ctx
        self.array, self._ctx, self._requires_grad = (result.array, result._ctx,
                                                      result._requires_grad)
        self._version = result._version
        if before is not None and before.retained is not None and before.retained() is self \
                and self._ctx is not None:  # retain_grad(): the gradient of the new value
            before.retained, self._ctx.retained = None, weakref.ref(self)  # (as PyTorch's)
        self._view_base = None
        if where is not None:
            base._rebind(ops.SetItem.apply(base, self, where))
            # its array is its own now: where it lies in the base is kept instead
            self._view_base = ((), (weakref.ref(base), where, base.shape))
        return self

    def _update(self, other, ufunc, out_of_place, name: str = None):
        """``self ufunc= other``: recorded as ``out_of_place(self, other)`` in the graph,
        else written into the array; either way in this tensor's dtype (a float64 operand
        leaves a float32 tensor float32, as in PyTorch), and refused when the result's
        dtype cannot be cast to it (float into int)."""
        name = name or ufunc.__name__
        if self._recording(other):
            result = out_of_place(self, other)
            self._check_shape(name, result.shape)
            if result.dtype != self.dtype:
                self._check_cast(name, result.dtype)
                result = result.to(self.dtype)  # (recorded: the gradient is cast back)
            return self._rebind(result)
        values = _wrapped(other, self.array.dtype)
        try:
            ufunc(self.array, values, out=self.array, casting="same_kind")
        except TypeError:  # numpy's casting error: ours, with the dtype tinynet gives;
            # an integer result into another integer dtype wraps, as in PyTorch
            self._check_cast(name, out_of_place(self, other).dtype)
            ufunc(self.array, values, out=self.array, casting="unsafe")
        self.bump_version()
        return self

    def _check_shape(self, name: str, shape: tuple) -> None:
        """An in-place result must keep this tensor's shape (the operands may not
        broadcast it larger), as in PyTorch."""
        if shape != self.shape:
            raise RuntimeError(f"{name}: the result's shape {tuple(shape)} (the operands "
                               f"broadcast) cannot be written into this tensor of shape "
                               f"{tuple(self.shape)} (as in PyTorch)")

    def _check_cast(self, name: str, dtype) -> None:
        """PyTorch's rule for an in-place result: it may go down a category (float into
        float, integers into any integer dtype, wrapping), not up (float into int, int
        into bool)."""
        if _CATEGORY[np.dtype(dtype).kind] > _CATEGORY[self.dtype.kind]:
            raise RuntimeError(f"{name}: the result's dtype {np.dtype(dtype)} cannot "
                               f"be written into this tensor's dtype {self.dtype} (as in "
                               f"PyTorch); use the out-of-place form for a new tensor")

    def bump_version(self) -> None:
        """Count an in-place change of this tensor's values (PyTorch's version counter),
        so a backward through an op that saved the old values raises. Call it after
        writing into ``tensor.array`` yourself; tinynet's optimizers do."""
        self._version[0] += 1

    # ---- arithmetic ----------------------------------------------------------------------
    def __iadd__(self, other):
        return self._update(other, np.add, lambda a, b: a + b)

    def __isub__(self, other):
        check_no_bool_subtraction(self, other)
        return self._update(other, np.subtract, lambda a, b: a - b)

    def __imul__(self, other):
        return self._update(other, np.multiply, lambda a, b: a * b)

    def __itruediv__(self, other):
        return self._update(other, np.divide, lambda a, b: a / b)

    # the rest of Python's augmented assignments, in place as PyTorch's: the out-of-place
    # op's values (its rules for signs, zero divisors, dtypes), written into this tensor
    def __ifloordiv__(self, other):
        return self._assign(other, "floor_divide", lambda a, b: a // b)

    def __imod__(self, other):
        return self._assign(other, "remainder", lambda a, b: a % b)

    def __ipow__(self, other):
        return self._assign(other, "pow", lambda a, b: a ** b)

    def __iand__(self, other):
        return self._assign(other, "bitwise_and", lambda a, b: a & b)

    def __ior__(self, other):
        return self._assign(other, "bitwise_or", lambda a, b: a | b)

    def __ixor__(self, other):
        return self._assign(other, "bitwise_xor", lambda a, b: a ^ b)

    def __ilshift__(self, other):
        return self._assign(other, "bitwise_left_shift", lambda a, b: a << b)

    def __irshift__(self, other):
        return self._assign(other, "bitwise_right_shift", lambda a, b: a >> b)

    bitwise_and_, bitwise_or_, bitwise_xor_ = __iand__, __ior__, __ixor__
    bitwise_left_shift_, bitwise_right_shift_ = __ilshift__, __irshift__

    def bitwise_not_(self):
        return self._assign(None, "bitwise_not", lambda a, _: a.bitwise_not())

    def _assign(self, other, name: str, out_of_place):
        """``self = out_of_place(self, other)`` in place: recorded in the graph as
        ``_update`` records, else the result written into this tensor's array."""
        if self._recording(other):
            return self._update(other, None, out_of_place, name)
        result = out_of_place(self, other)
        if result.dtype != self.dtype:
            self._check_cast(name, result.dtype)
        self._check_shape(name, result.shape)
        np.copyto(self.array, result.array, casting="unsafe")
        self.bump_version()
        return self

    def add_(self, other, alpha=1):
        """self += alpha · other (also PyTorch's deprecated ``add_(alpha, other)``)."""
        other, alpha = _alpha_last("add_", other, alpha)
        return self.__iadd__(_times_alpha("add_", other, alpha, self))

    def sub_(self, other, alpha=1):
        """self -= alpha · other (also PyTorch's deprecated ``sub_(alpha, other)``)."""
        other, alpha = _alpha_last("sub_", other, alpha)
        return self.__isub__(_times_alpha("sub_", other, alpha, self))

    def mul_(self, other):
        return self.__imul__(other)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return self.__itruediv__(other)
        return self._apply_("div_", lambda x: x.div(other, rounding_mode=rounding_mode), other)

    divide_ = true_divide_ = div_
    multiply_, subtract_ = mul_, sub_

    def pow_(self, exponent):
        return self.__ipow__(exponent)

    def neg_(self):
        return self.mul_(-1)

    def clamp_(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        if self._recording(min) or self._recording(max):
            return self._rebind(self.clamp(min, max))
        low, high = _values(min), _values(max)
        if self.dtype.kind in "biu":  # (a float bound makes a float result: refused)
            for bound in (low, high):
                if bound is not None:
                    self._check_cast("clamp_", np.result_type(self.array, bound))
        self.bump_version()
        np.clip(self.array, low, high, out=self.array)
        return self

    clip_ = clamp_

    # ---- elementwise functions, in place (each in tensor_inplace_math.py) -----------------
    def _apply_(self, name: str, out_of_place, other=None):
        """Make the values ``out_of_place(self)`` (see the module docstring): exactly what
        the out-of-place method gives, which must keep this tensor's dtype (``exp_`` of an
        integer tensor is refused, as in PyTorch). ``other``: a further operand, which
        may bring the change into the graph."""
        recording = self._recording(other)
        result = out_of_place(self)
        if result.dtype != self.dtype:
            # as PyTorch: a result of a wider dtype of the same kind is cast (float64 into
            # float32), one of a higher kind (a float into an integer tensor) refused
            if _CATEGORY[result.dtype.kind] > _CATEGORY[self.dtype.kind]:
                raise RuntimeError(f"{name}: the result's dtype {result.dtype} cannot be "
                                   f"written into this tensor's dtype {self.dtype} (as in "
                                   f"PyTorch); use the out-of-place {name[:-1]}() for a new "
                                   f"tensor")
            result = result.to(self.dtype)
        if result.shape != self.shape:  # (the operands broadcast to a larger shape)
            raise RuntimeError(f"{name}: the result's shape {tuple(result.shape)} cannot be "
                               f"written into this tensor's shape {tuple(self.shape)} (as in "
                               f"PyTorch); use the out-of-place {name[:-1]}() for a new "
                               f"tensor")
        if recording:
            return self._rebind(result)
        self.bump_version()
        self.array[...] = result.array
        return self

    # ---- shape, in place -------------------------------------------------------------------
    def unsqueeze_(self, dim: int):
        """Insert a dim of size 1 at ``dim``, in this tensor (its data is shared)."""
        return self._reshape_(lambda x: x.unsqueeze(dim))

    def squeeze_(self, dim=None):
        """Remove the dims of size 1 (or ``dim``, if its size is 1), in this tensor."""
        return self._reshape_(lambda x: x.squeeze(dim))

    def t_(self):
        """``t()`` in this tensor: a matrix transposed (0-D and 1-D tensors unchanged)."""
        return self._reshape_(lambda x: x.t())

    def transpose_(self, dim0: int, dim1: int):
        """Swap dims ``dim0`` and ``dim1`` of this tensor."""
        return self._reshape_(lambda x: x.transpose(dim0, dim1))

    swapaxes_ = swapdims_ = transpose_

    def _reshape_(self, reshaped):
        """Take the shape (and for ``t_``, ``transpose_``, the order) of ``reshaped(self)``:
        recorded (rebound) inside the graph; outside it the array becomes that view of
        itself, and the version counter counts the change, as PyTorch's does."""
        if self._recording():
            return self._rebind(reshaped(self))
        array = reshaped(self.detach()).array  # a view of self.array (reshape, transpose)
        self.bump_version()
        self.array = array
        return self

    # ---- overwriting ------------------------------------------------------------------------
    def copy_(self, src):
        """Overwrite with ``src``'s values (broadcast to this shape, cast to this dtype);
        inside the graph the gradient flows to ``src``, as in PyTorch."""
        if self._recording(src):  # (as _overwrite: the tensor stays in the graph, with a
            # zero gradient for what it held, as PyTorch's CopyBackwards)
            if hasattr(src, "array") and src.dtype != self.dtype:
                src = src.to(self.dtype)
            return self._overwrite(src)
        self.bump_version()
        np.copyto(self.array, _values(src), casting="unsafe")
        return self

    def _overwrite(self, values):
        """Every element set to ``values`` (broadcast). Inside the graph: recorded as
        ``SetItem`` at ``...``, so the tensor stays in the graph with a zero gradient
        for what it held, and a tensor ``values`` gets the sum of the gradient, as
        PyTorch's ``ZeroBackward``/``FillBackward``."""
        if self._recording(values):
            return self._rebind(ops.SetItem.apply(self, values, Ellipsis))
        values = stored_scalar("fill_", values, self.dtype)
        self.bump_version()
        self.array[...] = values
        return self

    def zero_(self):
        return self._overwrite(0)

    def fill_(self, value):
        return self._overwrite(value)

    def __setitem__(self, index, value) -> None:
        """``x[index] = value``. Inside the graph (the tensor or ``value`` requires grad)
        it is recorded as the out-of-place op ``SetItem`` and ``x`` becomes its result,
        so gradients are PyTorch's (see tensor_inplace.py); a leaf that requires grad is
        refused, as in PyTorch."""
        arrays = _index_arrays(index)
        if isinstance(value, (TensorInPlace, np.ndarray)) and value.ndim and value.shape[0] == 1:
            value = _without_leading_ones(value, self.array, arrays)
        if self._recording(value):
            self._rebind(guard_read(ops.SetItem.apply(self, value, arrays), index))
            return
        value = stored_scalar("setitem", value, self.dtype,
                              finite_fits=self.array.dtype != np.float16)  # (PyTorch's)
        self.bump_version()
        ops.movement.put(self.array, arrays, value)

    # ---- new tensors like this one -------------------------------------------------------------
    def new_tensor(self, data, dtype=None, requires_grad: bool = False):
        """A new tensor holding a copy of ``data``, with this tensor's dtype by default."""
        array = np.array(_values(data), dtype=dtype or self.dtype)
        t = type(self)._wrap(array, False, None)
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(self, *sizes, size=None, dtype=None, requires_grad: bool = False):
        sizes = args_or_keyword("new_zeros", sizes, "size", size)
        return self.new_tensor(np.zeros(_size(sizes)), dtype, requires_grad)

    def new_ones(self, *sizes, size=None, dtype=None, requires_grad: bool = False):
        sizes = args_or_keyword("new_ones", sizes, "size", size)
        return self.new_tensor(np.ones(_size(sizes)), dtype, requires_grad)

    def new_empty(self, *sizes, size=None, dtype=None, requires_grad: bool = False):
        """A new tensor of this one's dtype by default (its values zeros: tinynet does not
        hand out uninitialised memory)."""
        sizes = args_or_keyword("new_empty", sizes, "size", size)
        return self.new_tensor(np.zeros(_size(sizes)), dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad: bool = False):
        """``tn.full(size, fill_value)`` in this tensor's dtype (or ``dtype``), checked as
        ``full`` checks its value."""
        from tinynet.factories import full
        return full(tuple(size), fill_value, dtype=dtype or self.dtype,
                    requires_grad=requires_grad)


def _without_leading_ones(value, array: np.ndarray, index):
    """``value`` without the leading dims of size 1 it has beyond ``array[index]``'s, as
    PyTorch drops them (``x[0] = v`` with v of shape (1, 4) and x[0] of (4,)); a reshape,
    so a value that requires grad gets its gradient in its own shape."""
    extra = value.ndim - ops.movement.take(array, index).ndim
    if extra <= 0 or any(n != 1 for n in value.shape[:extra]):
        return value  # (numpy's error or broadcasting decides)
    return value.reshape(value.shape[extra:])


def _size(size) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def _index_arrays(index):
    """Replace tensors inside an index by their arrays (a uint8 tensor is a mask, as in
    PyTorch, which warns that it is deprecated: a bool tensor says so), and read it as
    PyTorch does where numpy would not: a list holding sequences, slices, None or
    Ellipsis is a tuple (``x[[[0, 1], [1, 0]]]`` is ``x[[0, 1], [1, 0]]``, with PyTorch's
    deprecation warning), and integers mixed with index arrays select first
    (``SplitIndex``)."""
    if isinstance(index, list) and any(_is_sequence_part(i) for i in index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                      "deprecated (as in PyTorch); use x[tuple(seq)] instead of x[seq]",
                      UserWarning, stacklevel=3)
        index = tuple(index)
    if isinstance(index, tuple):
        return _torch_order(tuple(_index_array(i) for i in index))
    return _index_array(index)


def _is_sequence_part(part) -> bool:
    return part is None or part is Ellipsis or isinstance(part, (list, tuple, slice)) or \
        hasattr(part, "array") or isinstance(part, np.ndarray)


def _torch_order(parts: tuple):
    """``parts`` as numpy reads them as PyTorch does: with an integer (an int, a 0-d
    integer array) and an index array both present, the integers select first
    (``SplitIndex``: numpy would count them with the arrays, and place the arrays'
    dimensions elsewhere), else ``parts`` as they are."""
    whole = [isinstance(p, (int, np.integer)) and not isinstance(p, bool) or
             isinstance(p, np.ndarray) and p.ndim == 0 and p.dtype.kind in "iu"
             for p in parts]
    arrays = [isinstance(p, list) or isinstance(p, np.ndarray) and not w
              for p, w in zip(parts, whole)]
    if not (any(whole) and any(arrays)):
        return parts
    first, rest = [], []
    for p, w in zip(parts, whole):
        if w:
            first.append(int(p))  # the dimension goes: nothing of it in ``rest``
        elif isinstance(p, (bool, np.bool_)):
            rest.append(p)  # a new dimension of 1 (or 0), as None, made in ``rest``
        elif p is None:
            first.append(None)  # a new dimension, which ``rest`` keeps whole
            rest.append(slice(None))
        elif p is Ellipsis:
            first.append(Ellipsis)
            rest.append(Ellipsis)
        else:  # a slice or an index array: applied in ``rest``, over the dims it spans
            mask = np.asarray(p) if isinstance(p, (list, np.ndarray)) else None
            spans = mask.ndim if mask is not None and mask.dtype == np.bool_ else 1
            first.extend([slice(None)] * spans)
            rest.append(p)
    # the integers' 0-d arrays ride along: tn.capture sees where they come from (a call's
    # input is data, not a value to replay)
    sources = tuple(p for p, w in zip(parts, whole) if w and isinstance(p, np.ndarray))
    return ops.movement.SplitIndex((tuple(first), tuple(rest), sources))


def _index_array(part):
    if hasattr(part, "array") and part.array.dtype == np.uint8:
        warnings.warn("indexing with dtype uint8 is deprecated (as in PyTorch), please use a "
                      "dtype bool instead: the uint8 tensor is read as a mask", UserWarning,
                      stacklevel=4)
        return part.array.astype(bool)
    return _array(part)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
from tinynet.autograd.observers import values_read  # noqa: E402
from tinynet.tensor_views import view_of  # noqa: E402
from tinynet.tensor_math import _times_alpha, guard_read  # noqa: E402
