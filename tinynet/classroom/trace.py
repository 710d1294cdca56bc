"""``trace_backward``: the backward pass, op by op, in the order the engine runs it.

For each op: the shape of the gradient flowing in (dL/d its output) and, per tensor
input, the gradient its backward sends out and where it goes: the step that will handle
it, or the leaf whose ``.grad`` it is added to. When a gradient's shape differs from its
input's (broadcasting), the engine sums it down: the table shows both shapes.
It is a backward observer (``tinynet/autograd/observers.py``); when the forward pass
also runs inside the block, a forward observer notes which arguments were tensors and
which module made each op.
"""
import html
from dataclasses import dataclass

from tinynet.autograd.observers import OBSERVERS, observing
from tinynet.tensor import Tensor
from tinynet.viz.labels import ModelNames, op_title, shape_text


@dataclass
class InputGrad:
    """What one op's backward sent to one of its tensor inputs.

    Attributes:
        position: the argument's position in the op's forward.
        shape: the shape of the gradient returned, or None (no gradient: the input does
            not require grad).
        summed_to: the input's shape when the engine had to un-broadcast, else None.
        target: where it goes: 'step 3 (ReLU)', 'leaf 0.weight', 'leaf', or 'input'
            (a tensor that needs no gradient).
    """

    position: int
    shape: tuple
    summed_to: tuple
    target: str


@dataclass
class TraceStep:
    """One op run by the backward pass: ``step`` (1 first), ``op`` (its title, with the
    module that made it when known), ``grad_shape`` (dL/d its output) and ``inputs``."""

    step: int
    op: str
    grad_shape: tuple
    inputs: list


class BackwardTrace(list):
    """The ``TraceStep`` list, filled inside its ``with`` block; prints as a table."""

    def __init__(self, model=None):
        super().__init__()
        self.model = model
        self.complete = True  # every op's forward was seen (else unused inputs are hidden)
        self._forward_seen = {}  # id(ctx) -> (ctx, tensor-argument mask, module stack)
        self._raw = []  # per step: (ctx, grad shape, [(position, node, gradient)])
        self._observing = None

    def __enter__(self):
        self._observing = observing(forward=self._forward, backward=self._backward)
        self._observing.__enter__()
        return self

    def __exit__(self, *exc):
        block, self._observing = self._observing, None
        try:
            return block.__exit__(*exc)
        finally:
            self._resolve()

    def _forward(self, ctx, args, out) -> None:
        if out._ctx is ctx:
            stack = OBSERVERS.modules
            modules = (stack[-1], stack[0]) if stack else None
            mask = tuple(isinstance(a, Tensor) for a in args)
            self._forward_seen[id(ctx)] = (ctx, mask, modules)  # ctx kept: ids stay unique

    def _backward(self, ctx, grad, input_grads) -> None:
        # NOTE: called before the engine frees ctx.next_nodes; ctx is kept until the
        # block ends, so its id names it unambiguously meanwhile
        self._raw.append((ctx, grad.shape, list(zip(ctx.next_nodes, input_grads))))

    def _resolve(self) -> None:
        """Turn what the observers saw into ``TraceStep`` rows, and let go of the graph."""
        model = self.model
        if model is None:
            model = next((m[1] for _, _, m in self._forward_seen.values() if m), None)
        names = ModelNames(model)
        steps = {id(ctx): k + 1 for k, (ctx, _, _) in enumerate(self._raw)}
        for number, (ctx, grad_shape, pairs) in enumerate(self._raw, start=1):
            _, mask, modules = self._forward_seen.get(id(ctx), (None, None, None))
            self.complete &= mask is not None
            module = modules[0] if modules else next(  # else: the owner of a parameter
                (names.owners[id(n)] for n, _ in pairs if id(n) in names.owners), None)
            label = names.module_label(module)[0] if module is not None else None
            inputs = []
            for position, (node, g) in enumerate(pairs):
                is_tensor = mask[position] if mask is not None else node is not None
                if is_tensor:
                    inputs.append(_input_grad(position, node, g, steps, names))
            self.append(TraceStep(number, op_title(type(ctx).__name__, label), grad_shape,
                                  inputs))
        self._forward_seen, self._raw = {}, []

    HEADER = ("step", "op", "grad in", "input", "gradient out", "goes to")

    def rows(self) -> list:
        """The table's rows of text, one per input (the step's cells on its first)."""
        rows = []
        for s in self:
            first = (str(s.step), s.op, shape_text(s.grad_shape))
            for k, i in enumerate(s.inputs or [None]):
                out = ("", "", "") if i is None else (
                    str(i.position), _gradient_text(i), i.target)
                rows.append((first if k == 0 else ("", "", "")) + out)
        return rows

    def __str__(self) -> str:
        header, rows = self.HEADER, self.rows()
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                 for row in [header] + rows]
        if not self.complete:
            lines.append("(the forward pass ran outside the block: inputs that get no "
                         "gradient are not listed)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                        for row in self.rows())
        head = "".join(f"<th>{h}</th>" for h in self.HEADER)
        return f"<table><tr>{head}</tr>{cells}</table>"


def trace_backward(model=None) -> BackwardTrace:
    """Record the backward pass run inside a ``with`` block (run the forward pass
    inside it too, to see every tensor input and the modules' names).

    Args:
        model: a module whose parameter names and layer labels to show (default: the
            outermost module whose forward ran inside the block).

    Returns:
        BackwardTrace: a list of ``TraceStep``, printable as a table.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([1.0, 2.0], requires_grad=True)
        >>> b = tn.tensor(3.0, requires_grad=True)
        >>> with tn.classroom.trace_backward() as trace:
        ...     ((x * b).sum()).backward()
        >>> print(trace)
        step  op   grad in  input  gradient out           goes to
        1     Sum  scalar   0      (2,)                   step 2 (Mul)
        2     Mul  (2,)     0      (2,)                   leaf
                            1      (2,) summed to scalar  leaf
    """
    return BackwardTrace(model)


def _input_grad(position, node, g, steps: dict, names: ModelNames) -> InputGrad:
    if node is None:
        return InputGrad(position, None, None, "input")
    if isinstance(node, Tensor):
        target_shape = node.shape
        name = names.params.get(id(node))
        target = f"leaf {name}" if name else "leaf"
    else:
        target_shape = node.out_shape
        step = steps.get(id(node))
        op = type(node).__name__
        target = f"step {step} ({op})" if step else op
    shape = None if g is None else tuple(g.shape)
    summed = target_shape if shape is not None and shape != tuple(target_shape) else None
    return InputGrad(position, shape, summed, target)


def _gradient_text(i: InputGrad) -> str:
    if i.shape is None:
        return "none"
    text = shape_text(i.shape)
    return text + (f" summed to {shape_text(i.summed_to)}" if i.summed_to is not None else "")
