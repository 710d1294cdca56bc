"""A module's full backward hooks and backward pre-hooks, as PyTorch's
``register_full_backward_hook`` and ``register_full_backward_pre_hook``:

  * ``pre_hook(module, grad_output)`` runs once the gradients with respect to the
    module's outputs are computed, before the module's own backward: ``grad_output``
    holds one per output (None for an output that got none); it may return new
    ``grad_output``, which the module's backward (and its full backward hooks) then get;
  * ``hook(module, grad_input, grad_output)`` runs once the gradients with respect to the
    module's inputs are computed, ``grad_input`` holding one per positional input (None
    for an input that is no tensor or needs no gradient; zeros for one that needs a
    gradient but got none); it may return new ``grad_input``, which backward then
    carries on with.

The hooks are those the module had when it was called.

How: a call of a module with such hooks passes each side of it (the positional inputs that
require grad, then the outputs that do) through a group of ops: each tensor through a
``_Tap`` (y = x, a view) that keeps its gradient, all taps hanging on one ``_Gather``. The
backward pass runs an op only after every op made later, so a group's ``_Gather`` runs
once per pass, after every use of any of its tensors, with all their gradients: the
outputs' runs the pre-hooks, keeps ``grad_output`` (and, when no input requires grad,
calls the hooks), the inputs' calls the hooks and hands their ``grad_input`` on.
"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.autograd.grad_mode import _GradMode
from tinynet.tensor import Tensor


class _Call:
    """One call of a hooked module: its hooks (as registered at the call), how many
    positional inputs and outputs it had, which of them require grad, and
    ``grad_output`` once the outputs' group has run in a backward pass."""

    def __init__(self, module, n_inputs: int):
        self.module, self.n_inputs = module, n_inputs
        self.hooks = tuple(module._backward_hooks.values())
        self.pre_hooks = tuple(module._backward_pre_hooks.values())
        self.input_positions = self.output_positions = ()
        self.n_outputs = 0
        self.grad_output = None

    def run_pre_hooks(self, grads: list) -> list:
        """Each pre-hook on (module, grad_output), in registration order, each getting the
        ``grad_output`` the one before returned; returns, per output that requires grad,
        its gradient as the last hook left it (copies, as ``run_hooks`` makes)."""
        grad_output = given = _per_position(grads, self.output_positions, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = self._checked("register_full_backward_pre_hook", hook, result,
                                            grad_output, "output")
        return _arrays(grads, grad_output, given, self.output_positions)

    def run_hooks(self, grads: list) -> list:
        """Each hook on (module, grad_input, grad_output), in registration order, each
        getting the ``grad_input`` the one before returned; returns, per input that
        requires grad, its gradient as the last hook left it. NOTE: the hooks get copies
        (a hook may keep what it got, which must not be the array that becomes an input's
        ``.grad``), and what a hook returns is copied for the same reason."""
        grad_input = given = _per_position(grads, self.input_positions, self.n_inputs)
        grad_output = [None] * self.n_outputs
        for position, g in zip(self.output_positions, self.grad_output or ()):
            if g is not None:
                grad_output[position] = Tensor._wrap(g, False, None)
        self.grad_output = None
        for hook in self.hooks:
            result = hook(self.module, grad_input, tuple(grad_output))
            if result is not None:
                if not self.input_positions:
                    raise RuntimeError(
                        f"register_full_backward_hook: {self._name(hook)} must return None "
                        f"when no input requires grad (there is no grad_input to replace), "
                        f"got {type(result).__name__}")
                grad_input = self._checked("register_full_backward_hook", hook, result,
                                           grad_input, "input")
        return _arrays(grads, grad_input, given, self.input_positions)

    def _name(self, hook) -> str:
        return f"{type(self.module).__name__} hook {getattr(hook, '__name__', repr(hook))!r}"

    def _checked(self, where: str, hook, result, current: tuple, side: str) -> tuple:
        """A hook's returned gradients (``grad_input`` or ``grad_output``, one per
        ``side``), refused unless PyTorch would take them."""
        name = self._name(hook)
        if not isinstance(result, (tuple, list)) or len(result) != len(current):
            got = f"{len(result)} gradients" if isinstance(result, (tuple, list)) else \
                type(result).__name__
            what = "positional input" if side == "input" else "output"
            raise RuntimeError(f"{where}: {name} must return None or one gradient per {what} "
                               f"({len(current)}, in a tuple), got {got}")
        for i, (new, old) in enumerate(zip(result, current)):
            if new is None:
                continue
            if not isinstance(new, Tensor) or old is None or new.shape != old.shape or \
                    new.dtype != old.dtype:
                what = f"a tensor of shape {tuple(new.shape)} and dtype {new.dtype}" \
                    if isinstance(new, Tensor) else type(new).__name__
                wanted = f"None (the {side} gets no gradient)" if old is None else \
                    f"a tensor of shape {tuple(old.shape)} and dtype {old.dtype}"
                raise RuntimeError(f"{where}: {name} must return, for {side} {i}, {wanted}; "
                                   f"got {what}")
        return tuple(result)


def _per_position(grads: list, positions: tuple, n: int) -> tuple:
    """The hooks' view of one side's gradients: a tuple of ``n``, a tensor holding a copy
    of each gradient at its position, None elsewhere."""
    given = [None] * n
    for position, g in zip(positions, grads):
        if g is not None:
            given[position] = Tensor._wrap(g.copy(), False, None)
    return tuple(given)


def _arrays(grads: list, left: tuple, given: tuple, positions: tuple) -> list:
    """Per position in ``positions``: its gradient in ``grads`` if the hooks left the
    tensor they were given, else a copy of what they put there (or None)."""
    return [g if left[p] is given[p] else None if left[p] is None else left[p].array.copy()
            for p, g in zip(positions, grads)]


class _Group:
    """One side of a hooked call, as its ops see it: which side, and the gradients the
    taps got in this backward pass (None for a tensor not reached)."""

    def __init__(self, call: _Call, is_input: bool, tensors: list):
        self.call, self.is_input = call, is_input
        self.layouts = [(t.shape, t.dtype) for t in tensors]
        self.grads = [None] * len(tensors)


class _Gather(Function):
    """The op a group's taps hang on: y = 0 (a 0-d array); backward runs once per pass,
    after every tap, and hands each tensor of the group its gradient (see the module
    docstring)."""

    @staticmethod
    def forward(ctx, group, *xs):
        ctx.group = group
        return np.zeros((), xs[0].dtype)

    @staticmethod
    def backward(ctx, grad):
        group = ctx.group
        grads, group.grads = group.grads, [None] * len(group.grads)
        call = group.call
        if not group.is_input:
            if call.pre_hooks:
                grads = call.run_pre_hooks(grads)
            # copies for the hooks (the module's backward may change the gradients it
            # gets in place)
            call.grad_output = [None if g is None else g.copy() for g in grads]
            if not call.input_positions:  # no input needs a gradient: the hooks run now
                call.run_hooks([])
            return (None, *grads)
        # an input that needs a gradient and got none gets zeros, as in PyTorch
        grads = [np.zeros(shape, dtype) if g is None else g
                 for g, (shape, dtype) in zip(grads, group.layouts)]
        return (None, *call.run_hooks(grads))


class _Tap(Function):
    """y = x (a view), hanging on its group's ``_Gather``; dL/dx goes to the group, and
    zero to the gather (which makes the gather run after it)."""

    @staticmethod
    def forward(ctx, gathered, x, group, k):
        ctx.group, ctx.k = group, k
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        ctx.group.grads[ctx.k] = np.asarray(grad)
        return np.zeros((), ctx.group.layouts[0][1]), None, None, None


def _grouped(call: _Call, is_input: bool, tensors: list) -> list:
    """``tensors`` (each requiring grad) passed through one group of ops."""
    group = _Group(call, is_input, tensors)
    gathered = _Gather.apply(group, *tensors)
    return [_Tap.apply(gathered, t.detach(), group, k) for k, t in enumerate(tensors)]


def hooked_inputs(module, args: tuple) -> tuple:
    """``args`` with the tensors that require grad passed through the inputs' group, and
    the call the outputs will share (None when grad mode is off: nothing to hook)."""
    if not _GradMode.enabled:
        return args, None
    call = _Call(module, len(args))
    call.input_positions = tuple(i for i, a in enumerate(args)
                                 if isinstance(a, Tensor) and a.requires_grad)
    if not call.input_positions:
        return args, call
    args = list(args)
    for i, t in zip(call.input_positions,
                    _grouped(call, True, [args[i] for i in call.input_positions])):
        args[i] = t
    return tuple(args), call


def hooked_output(call: _Call, out):
    """``out`` (a tensor, or a tuple or list of them; anything else is left alone, and
    the hooks do not run, as in PyTorch) with the tensors that require grad passed through
    the outputs' group."""
    if isinstance(out, Tensor):
        items = [out]
    elif type(out) in (tuple, list):
        items = list(out)
    elif isinstance(out, tuple) and hasattr(out, "_fields"):  # a namedtuple
        items = list(out)
    else:
        call.hooks = ()  # (the inputs' group may run, and runs none)
        return out
    call.n_outputs = len(items)
    call.output_positions = tuple(k for k, t in enumerate(items)
                                  if isinstance(t, Tensor) and t.requires_grad)
    if not call.output_positions:
        return out
    for k, t in zip(call.output_positions,
                    _grouped(call, False, [items[k] for k in call.output_positions])):
        items[k] = t
    if isinstance(out, Tensor):
        return items[0]
    return type(out)(*items) if hasattr(out, "_fields") else type(out)(items)
