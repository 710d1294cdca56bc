"""A module's full backward hooks, as PyTorch's ``register_full_backward_hook``:
``hook(module, grad_input, grad_output)`` runs once the gradients with respect to the
module's inputs are computed, ``grad_input`` holding one per positional input (None for
an input that needs none, or is no tensor) and ``grad_output`` one per output (None for
an output that got none); it may return new ``grad_input``, which backward then carries
on with.

How: a call of a module with such hooks passes its output (each tensor of a tuple) through
an identity op (``_OutputGrad``) and each positional input that requires grad through
another (``_InputGrad``). The backward pass runs an op only after every op that came
later, so the outputs' ops run first (keeping dL/d output) and the inputs' ops after all
of the module's own: the last of them calls the hooks. With no input that requires grad,
the first output's op calls them, with ``grad_input`` all None (as PyTorch does).
"""
from tinynet.autograd.function import Function
from tinynet.autograd.grad_mode import _GradMode
from tinynet.tensor import Tensor


class _Call:
    """One call of a hooked module, as backward sees it: the gradients with respect to its
    inputs and outputs as they arrive, and how many inputs' gradients are still to come."""

    def __init__(self, module, n_inputs: int, waiting: int):
        self.module = module
        self.grad_input = [None] * n_inputs
        self.grad_output = []  # one per output, once the outputs are known
        self.first_output = None  # the first output that requires grad
        self.inputs = self.waiting = waiting  # inputs whose gradients come (still to come)

    def run_hooks(self) -> list:
        """Each hook on (module, grad_input, grad_output), in registration order, each
        getting the ``grad_input`` the one before returned; the last ``grad_input``. Then
        the call waits for the next backward pass (``retain_graph=True``) afresh."""
        wrap = lambda g: None if g is None else Tensor._wrap(g, False, None)  # noqa: E731
        grad_input = tuple(wrap(g) for g in self.grad_input)
        grad_output = tuple(wrap(g) for g in self.grad_output)
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, grad_output)
            if result is None:
                continue
            if not isinstance(result, (tuple, list)) or len(result) != len(grad_input):
                got = len(result) if isinstance(result, (tuple, list)) else \
                    type(result).__name__
                raise RuntimeError(f"register_full_backward_hook: a hook must return None or "
                                   f"one gradient per input ({len(grad_input)}, a tuple), "
                                   f"got {got}")
            for i, (new, old) in enumerate(zip(result, self.grad_input)):
                if new is not None and (not isinstance(new, Tensor) or old is not None and
                                        new.array.shape != old.shape):
                    what = f"shape {tuple(new.shape)}" if isinstance(new, Tensor) else \
                        type(new).__name__
                    raise RuntimeError(f"register_full_backward_hook: the gradients a hook "
                                       f"returns must be None or tensors of the inputs' "
                                       f"gradients' shapes, got {what} for input {i}"
                                       + (f" (shape {old.shape})" if old is not None else ""))
            grad_input = tuple(result)
        self.waiting = self.inputs
        self.grad_input = [None] * len(self.grad_input)
        self.grad_output = [None] * len(self.grad_output)
        return [None if g is None else g.array for g in grad_input]


class _OutputGrad(Function):
    """y = x (a view); dL/dx = dL/dy, kept as the call's grad_output[k]."""

    @staticmethod
    def forward(ctx, x, call, k):
        ctx.call, ctx.k = call, k
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        call = ctx.call
        call.grad_output[ctx.k] = grad
        if call.waiting == 0 and ctx.k == call.first_output:  # no input needs a gradient:
            # the hooks run now, at the first output's op (the last of the outputs' to run)
            call.run_hooks()
        return grad, None, None


class _InputGrad(Function):
    """y = x (a view); dL/dx = dL/dy, or what the hooks return for it (see ``_Call``)."""

    @staticmethod
    def forward(ctx, x, call, i):
        ctx.call, ctx.i = call, i
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        call = ctx.call
        call.grad_input[ctx.i] = grad
        call.waiting -= 1
        if call.waiting:
            return grad, None, None
        arrived = call.grad_input
        grad_input = call.run_hooks()
        if call.inputs > 1 and any(new is not old for new, old in zip(grad_input, arrived)):
            raise RuntimeError(
                f"register_full_backward_hook: a hook of {type(call.module).__name__}, called "
                f"with several inputs that require grad, returned new gradients: tinynet "
                f"can replace grad_input only for a module with one such input")
        return grad_input[ctx.i], None, None


def hooked_inputs(module, args: tuple) -> tuple:
    """``args`` with each tensor that requires grad passed through ``_InputGrad``, and the
    call the outputs will share (None when grad mode is off: nothing to hook)."""
    if not _GradMode.enabled:
        return args, None
    needs = [isinstance(a, Tensor) and a.requires_grad for a in args]
    call = _Call(module, len(args), sum(needs))
    return tuple(_InputGrad.apply(a, call, i) if need else a
                 for i, (a, need) in enumerate(zip(args, needs))), call


def hooked_output(call, out):
    """``out`` (a tensor, or a tuple or list of them) with each tensor that requires grad
    passed through ``_OutputGrad``."""
    if call is None:
        return out
    items = out if isinstance(out, (tuple, list)) else (out,)
    call.grad_output = [None] * len(items)
    needs = [isinstance(t, Tensor) and t.requires_grad for t in items]
    call.first_output = needs.index(True) if any(needs) else None
    hooked = [_OutputGrad.apply(t, call, k) if need else t
              for k, (t, need) in enumerate(zip(items, needs))]
    return type(out)(hooked) if isinstance(out, (tuple, list)) else hooked[0]
