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
output tensor keeps it as its ``grad_fn``. The context holds the inputs that need a
gradient but never the output, so a graph holds no reference cycle and is freed by
reference counting alone, the moment the last tensor that uses it goes away.
"""
import itertools

import numpy as np

from tinynet.autograd.grad_mode import _GradMode

_sequence = itertools.count()  # numbers recorded ops in creation order


class Function:
    """Base class of differentiable operations; see the module docstring for an example."""

    # "__dict__" keeps ctx.anything = ... working for ops that store extra state.
    # seq: creation order of recorded ops; the backward pass runs them newest first.
    # versions: (tensor, its version) per tensor input; out_version: (the output's version
    # counter, 0) when forward saved its output. Checked before backward runs.
    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "seq", "versions",
                 "out_version", "__dict__")

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

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on the arrays behind ``args`` and record the op if any input
        requires grad (and grad mode is on). Returns a new Tensor."""
        ctx = cls.__new__(cls)
        # numpy scalars become Python scalars, which numpy treats as weak: x * np.float64(2)
        # stays float32, as in PyTorch
        arrays = [a.data if isinstance(a, Tensor) else a.item() if isinstance(a, np.generic)
                  else a for a in args]
        needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
        ctx.needs_input_grad = needs
        ctx.saved_tensors = ()
        out = cls.forward(ctx, *arrays)
        if type(out) is not np.ndarray:  # a reduction may hand back a numpy scalar
            out = np.asarray(out)
        # Integer and boolean results (a cast, say) are constants, as in PyTorch.
        if _GradMode.enabled and True in needs and out.dtype.kind == "f":
            ctx.inputs = tuple([a if need else None for a, need in zip(args, needs)])
            ctx.versions = tuple([(a, a._version[0]) for a in args if isinstance(a, Tensor)])
            ctx.seq = next(_sequence)
            t = Tensor._wrap(out, True, ctx)
            # NOTE: the output's counter, not the output: ctx -> output would be a cycle
            saves_output = any([out is saved for saved in ctx.saved_tensors])
            ctx.out_version = (t._version, 0) if saves_output else None
            return t
        return Tensor._wrap(out, False, None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports ops, which import this)
