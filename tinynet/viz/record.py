"""``record``: keep every op's output while a forward pass runs, so a drawing of the
graph can show intermediate values and, after ``backward()``, their gradients.

The engine keeps no intermediate tensor (a context never refers to its output: no
reference cycle, and memory freed early), and ``backward()`` frees the links between
contexts. A recording is a forward observer (``tinynet/autograd/observers.py``) that
keeps, for each op run inside its ``with`` block: the output tensor (on which it calls
``retain_grad()``, so backward fills its ``.grad``), the tensor arguments, and the
module whose forward created it. It refers to the graph; nothing in the graph refers to
it: dropping the recording frees what it kept.
"""
from tinynet.autograd.observers import OBSERVERS, observing
from tinynet.tensor import Tensor
from tinynet.viz.graph import graph


class Recording:
    """What ``record()`` kept: per recorded op (keyed by ``id(ctx)``), its output tensor,
    its tensor arguments and the modules running when it was created.

    Attributes:
        outputs: {id(ctx): output Tensor}, in the order the ops ran.
        inputs: {id(ctx): tuple of the op's Tensor arguments, in argument order}.
        modules: {id(ctx): (innermost module, outermost module)} for ops created inside
            a module's forward.
    """

    def __init__(self):
        self.outputs, self.inputs, self.modules = {}, {}, {}
        self._observing = None

    def __enter__(self):
        self._observing = observing(forward=self._observe)
        self._observing.__enter__()
        return self

    def __exit__(self, *exc):
        # NOTE: dropped here: the context manager refers back to this recording
        block, self._observing = self._observing, None
        return block.__exit__(*exc)

    def _observe(self, ctx, args, out) -> None:
        if out._ctx is not ctx:  # not recorded: no_grad, an integer result, no grad input
            return
        key = id(ctx)  # stable: the output tensor kept here keeps ctx alive
        self.outputs[key] = out
        self.inputs[key] = tuple(a for a in args if isinstance(a, Tensor))
        stack = OBSERVERS.modules
        if stack:
            self.modules[key] = (stack[-1], stack[0])
        out.retain_grad()

    def model(self):
        """The outermost module of the first recorded op made inside a module, or None."""
        for _, outer in self.modules.values():
            return outer
        return None

    def graph(self, tensor, model=None, *, names=None, collapse: bool = True):
        """``tn.viz.graph(tensor, ...)`` with this recording's values: see ``graph``."""
        return graph(tensor, model, names=names, collapse=collapse, recording=self)

    def __len__(self) -> int:
        return len(self.outputs)

    def __repr__(self) -> str:
        return f"<Recording of {len(self)} ops>"


def record() -> Recording:
    """Record the ops run inside a ``with`` block, to draw their values and gradients.

    Returns:
        Recording: use ``rec.graph(tensor)`` after the block, before or after
        ``backward()``.

    Example:
        >>> import tinynet as tn
        >>> a = tn.tensor(2.0, requires_grad=True)
        >>> with tn.viz.record() as rec:
        ...     y = (a * a).tanh()
        >>> y.backward()
        >>> print(rec.graph(y, names={"a": a, "y": y}))
        y = Tanh  scalar  data 0.9993  grad 1
        └── Mul  scalar  data 4  grad 0.001341
            ├── leaf a  scalar  data 2  grad 0.005363  #1
            └── ↑ #1 leaf a
    """
    return Recording()
