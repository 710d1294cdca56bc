"""``Function``: one differentiable operation, its forward and backward side by side.

Every op in tinynet (``Add``, ``Linear``, ``GELU``, the fused cross-entropy...) is a
``Function`` subclass, written exactly as a user would write a new one::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):             # x: np.ndarray
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):         # grad: dL/dy, shaped like the output
            (x,) = ctx.saved_tensors
            return 2 * x * grad          # dL/dx, one gradient per forward input

    y = Square.apply(t)                  # t: a Tensor

NOTE: unlike PyTorch, ``forward`` and ``backward`` receive and return numpy arrays,
not Tensors: an op is plain numpy math, and nothing inside it is recorded.
Non-tensor arguments (a ``dim``, a slope) are passed through to ``forward`` as they
are, and ``backward`` returns ``None`` in their place.

The instance is the context (as in tinygrad): ``apply`` creates one per call, and the
output tensor keeps it as its ``grad_fn``. The graph links contexts, not tensors, as
PyTorch's does: ``ctx.next_nodes`` names, for each input, where its gradient goes (the
context that made the input, or the input itself when it is a leaf). So

  * an intermediate array that no backward saved is freed as soon as the user drops its
    tensor, not kept alive by the graph until backward;
  * a graph holds no reference cycle (a context never refers to its output tensor) and is
    freed by reference counting alone, the moment the last tensor that uses it goes away.
"""
import inspect
import itertools
import weakref

import numpy as np

from tinynet.autograd.grad_mode import _GradMode
from tinynet.autograd.observers import OBSERVERS
from tinynet.fastpath import ACTIVE as FAST_PATHS

_sequence = itertools.count()  # numbers recorded ops in creation order


class Function:
    """Base class of differentiable operations; see the module docstring for an example."""

    # "__dict__" keeps ctx.anything = ... working for ops that store extra state.
    # next_nodes: per forward argument, the node its gradient goes to (a context, a leaf
    #   tensor) or None; out_shape: the output's shape, which gradients sent here must have.
    # seq: creation order of recorded ops; the backward pass runs them newest first.
    # versions: (version counter, version at save, array) per tensor input whose array was
    #   saved; out_version: the output's version counter when forward saved the output.
    #   Both are checked before backward runs.
    # retained: a weak reference to the output tensor once it called retain_grad().
    # tensor_hooks: the output tensor's ``register_hook`` hooks (a dict), or None: kept
    #   here, as PyTorch keeps them on the grad_fn, so they run even once the tensor is gone.
    __slots__ = ("next_nodes", "needs_input_grad", "saved_tensors", "out_shape", "seq",
                 "versions", "out_version", "retained", "tensor_hooks", "__dict__")
    # A Function written outside tinynet is checked as PyTorch checks one (see
    # ``user_forward_checked``); tinynet's own ops, which keep the rules, skip that cost.
    _checked = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._checked = not cls.__module__.startswith("tinynet.")

    @staticmethod
    def forward(ctx, *args):
        """Compute the output (a numpy array) from numpy arrays and plain arguments."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        """Return the gradient w.r.t. each forward input (``None`` where there is none)."""
        raise NotImplementedError

    def save_for_backward(self, *arrays) -> None:
        """Keep what backward needs; it is released once backward has run."""
        self.saved_tensors = arrays

    def mark_non_differentiable(self, *outputs) -> None:
        """As PyTorch's: the output ``forward`` returns (the array given here) has no
        gradient, so it comes back as a tensor that does not require grad (an index,
        a mask)."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """PyTorch's switch for the gradients of outputs that got none (zeros, or None):
        a tinynet Function has one output, whose gradient its backward always gets, so
        there is nothing to switch."""

    def release(self) -> None:
        """Drop what backward needed and the links to the nodes below, once it has run
        (unless the graph is retained): the engine calls it."""
        self.next_nodes = self.saved_tensors = self.versions = self.out_version = None

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on the arrays behind ``args`` and record the op if any input
        requires grad (and grad mode is on). Returns a new Tensor. Arguments given by
        keyword go to ``forward``'s parameters of those names, as PyTorch's."""
        if kwargs:
            args = _positional(cls, args, kwargs)
        cls = FAST_PATHS.get(cls, cls)  # the op's fast subclass, if the switch is on
        ctx = cls.__new__(cls)
        # One pass over the arguments (this runs for every op: its cost is per-op overhead).
        arrays, needs, any_need = [], [], False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.array)
                if a._requires_grad:
                    needs.append(True)
                    any_need = True
                else:
                    needs.append(False)
            else:
                # numpy scalars become Python scalars, which numpy treats as weak:
                # x * np.float64(2) stays float32, as in PyTorch
                arrays.append(a.item() if isinstance(a, np.generic) else a)
                needs.append(False)
        ctx.needs_input_grad = needs = tuple(needs)
        ctx.saved_tensors = ()
        try:
            out = cls.forward(ctx, *arrays)
        except AttributeError as error:
            raise numpy_hint(cls, "forward", error) from error
        except ValueError as error:
            hint = broadcast_hint(cls, arrays, error)
            if hint is error:
                raise
            raise hint from error
        if cls._checked:
            user_forward_checked(cls, ctx, args)
            if any(out is o for o in getattr(ctx, "_non_differentiable", ())):
                any_need = False
        if type(out) is not np.ndarray:  # a reduction may hand back a numpy scalar
            if isinstance(out, (tuple, list)):
                raise TypeError(f"{cls.__name__}.forward: a tinynet Function returns one array, "
                                f"got a {type(out).__name__} of {len(out)}; several outputs "
                                f"are not supported (see docs/api.md): write one Function "
                                f"per output")
            out = np.asarray(out)
        # Integer and boolean results (a cast, say) are constants, as in PyTorch.
        if any_need and out.dtype.kind == "f" and _GradMode.enabled:
            saved = ctx.saved_tensors
            # One more pass: where each input's gradient goes, and the version of each
            # tensor input whose array forward saved (checked before backward runs).
            nodes, versions = [], []
            for a, need, array in zip(args, needs, arrays):
                nodes.append((a if a._ctx is None else a._ctx) if need else None)
                if saved and isinstance(a, Tensor) and _is_in(array, saved):
                    versions.append((a._version, a._version[0], array))
            ctx.next_nodes, ctx.versions = tuple(nodes), tuple(versions)
            ctx.out_shape = out.shape
            ctx.seq = next(_sequence)
            ctx.retained = ctx.tensor_hooks = None
            t = Tensor._wrap(out, True, ctx)
            # NOTE: the output's counter, not the output: ctx -> output would be a cycle
            ctx.out_version = t._version if _is_in(out, saved) else None
        else:
            t = Tensor._wrap(out, False, None)
        if out.base is not None:  # possibly a view of an input (x[0], x.t(), a reshape)
            _share_version(t, out.base, args)
        elif cls._checked and any(out is a for a in arrays):  # an input returned as it is:
            _share_version(t, out, args)  # a view of it, as in PyTorch
        if OBSERVERS.forward:  # anomaly detection, the graph recorder (see observers.py)
            for observe in OBSERVERS.forward:
                observe(ctx, args, t)
        return t

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _positional(cls, args: tuple, kwargs: dict) -> tuple:
    """``args`` and ``kwargs`` as the positional arguments of ``cls.forward`` (after
    ``ctx``), so that a tensor given by keyword is differentiated as any other."""
    try:
        bound = inspect.signature(cls.forward).bind(None, *args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{cls.__name__}.apply: {error}") from None
    if bound.kwargs:  # keyword-only parameters of forward
        raise TypeError(f"{cls.__name__}.apply: forward's keyword-only arguments "
                        f"({', '.join(bound.kwargs)}) are not taken; make them positional")
    return bound.args[1:]


def once_differentiable(backward):
    """PyTorch's decorator of a ``backward`` that cannot itself be differentiated: every
    tinynet backward is (there is no double backward), so it returns ``backward`` as it
    is."""
    return backward


# the context's attributes the engine uses (a Function's own must be named otherwise)
ENGINE_SLOTS = ("next_nodes", "out_shape", "seq", "versions", "out_version", "retained",
                "tensor_hooks")


def user_forward_checked(cls, ctx, args: tuple) -> None:
    """After a user's ``forward``: refuse an attribute it set on ``ctx`` that the engine
    uses (apply would overwrite it: its backward would read the engine's value), and note
    which arguments were tensors, for the backward's checks (``user_grads``)."""
    for name in ENGINE_SLOTS:
        if hasattr(ctx, name):
            raise AttributeError(f"{cls.__name__}.forward: ctx.{name} is used by tinynet's "
                                 f"engine; keep your value under another name (one of "
                                 f"{', '.join(ENGINE_SLOTS)} may not be set)")
    ctx._tensor_inputs = tuple(isinstance(a, Tensor) for a in args)


def user_grads(ctx, grads: tuple) -> tuple:
    """What a user's ``backward`` returned, checked: a gradient for an argument that was
    not a tensor is refused, as PyTorch refuses it (the engine would drop it); each array
    is copied, since it may be one the Function saved, a tensor's own, which a ``.grad``
    adopting it would then change as later gradients are added in place."""
    for i, (g, is_tensor) in enumerate(zip(grads, getattr(ctx, "_tensor_inputs", ()))):
        if g is not None and not is_tensor:
            raise RuntimeError(f"{type(ctx).__name__}.backward: it returned a gradient (not "
                               f"None) at position {i}, whose forward argument was not a "
                               f"tensor (as PyTorch refuses it): return None there")
    return tuple(None if g is None else np.array(g) for g in grads)


def checked_backward(cls):
    """``cls.backward`` followed by ``user_grads``: how a replay (``tn.capture``) runs the
    backward of a Function written outside tinynet, as the engine does."""
    def backward(ctx, grad):
        grads = cls.backward(ctx, grad)
        return user_grads(ctx, grads if type(grads) is tuple else (grads,))
    return backward


def numpy_hint(cls, method: str, error: AttributeError) -> AttributeError:
    """``error``, or, from a Function of the user's that called a Tensor method on one of
    the numpy arrays it gets (``x.mm(w)``, ``x.clamp(min=0)``, as PyTorch's Functions
    do), the same error saying what tinynet's Functions get."""
    if cls.__module__.startswith("tinynet.") or "'numpy.ndarray' object has no attribute" \
            not in str(error):
        return error
    return AttributeError(
        f"{cls.__name__}.{method}: {error}: a tinynet Function's forward and backward get "
        f"and return numpy arrays, not Tensors as PyTorch's do; write them with numpy "
        f"(x @ w.T, np.exp(x), np.maximum(x, 0), g.copy()); see docs/api.md")


def broadcast_hint(cls, arrays: list, error: ValueError) -> ValueError:
    """``error``, or, for numpy's "operands could not be broadcast together", the same
    error naming the op, the operands' shapes and the rule."""
    if "could not be broadcast together" not in str(error):
        return error
    shapes = " and ".join(str(a.shape) for a in arrays if isinstance(a, np.ndarray))
    return ValueError(f"{cls.__name__.lower()}: the operands' shapes {shapes} do not "
                      f"broadcast together (compared from the last dimension, each pair of "
                      f"sizes must be equal or one of them 1)")


def _share_version(t, base: np.ndarray, args: tuple) -> None:
    """Give ``t``, whose array views ``base``'s memory, the version counter of the input
    viewing the same memory, as PyTorch's views share their base's: a change through
    either (``w[0].add_(1)``, ``w.t().mul_(2)``) counts for both, so a backward that
    saved the other raises instead of using the changed values. ``t`` keeps weak
    references to that input and to what it views in turn, for an in-place change of
    ``t`` to reach the first of them still alive (tensor_views.py's ``view_of``)."""
    for a in args:
        if isinstance(a, Tensor) and (a.array is base or a.array.base is base):
            t._version = a._version
            above = getattr(a, "_view_base", None)
            t._view_base = ((weakref.ref(a), *(above[0] if above else ())), None)
            return


def _is_in(array: np.ndarray, saved: tuple) -> bool:
    """Whether ``array`` itself (not an equal copy), or a view of its memory (a slice, a
    transpose, a reshape of it: GLU saves the halves of its input), is one of the saved
    arrays: a change to ``array`` in place changes what backward reads."""
    for x in saved:
        if x is array:
            return True
    for x in saved:  # (only when it is not saved itself: a view of the same memory; two
        # views of one buffer that do not overlap, as a flattened model's W and b, differ)
        base = getattr(x, "base", None)
        if base is not None and (base is array or base is array.base is not None) and \
                np.may_share_memory(x, array):
            return True
    return False


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports ops, which import this)
