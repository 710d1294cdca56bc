"""``graph``: the computation graph behind a tensor, to print, or to draw as Mermaid or SVG.

The graph is read from the contexts' ``next_nodes`` (or from a ``Recording``, which also
kept the intermediate tensors), once, when ``graph()`` is called: ``backward()`` frees
those links afterwards. Values and gradients are read from the tensors each time the
graph is printed or drawn, so a graph made before ``backward()`` shows the gradients
once it has run.
"""
from dataclasses import dataclass, field

from tinynet.tensor import Tensor
from tinynet.viz.collapse import collapse_repeats
from tinynet.viz.labels import ModelNames, op_title, shape_text, summarize
from tinynet.viz.svg import svg
from tinynet.viz.text import mermaid, tree

NOT_KEPT = ("? the engine keeps no intermediate values or gradients: run the forward pass "
            "inside `with tn.viz.record() as rec:` and draw rec.graph(loss) to see them")


@dataclass(eq=False)
class Node:
    """One box of the drawing.

    Attributes:
        kind: 'op' (an op's output), 'leaf' (a tensor that requires grad and was made
            by you: a parameter), 'input' (a tensor that needs no gradient: data,
            targets; only a recording sees these) or 'group' (repeated layers).
        title: 'Mul', 'layer 2 · ReLU', 'leaf 0.weight', '×8 [Linear → ReLU]'...
        shape: the tensor's shape.
        inputs: indices (into ``Graph.nodes``) of the nodes feeding this one, in argument
            order; one entry per use, so ``a + a`` lists ``a`` twice.
        tensor: the tensor whose data and ``.grad`` are shown, or None when the engine
            did not keep it (an intermediate value outside a recording).
        op: the op's class name ('op' nodes); module: the class name of the module whose
            forward created it; layer: that module's layer number ('layer k'), if known.
        detail: a group's extent ('layers 1–8, 16 leaves inside').
        count: a group's number of repeats; members: the nodes a group stands for (their
            ``inputs`` index the graph drawn with ``collapse=False``).
    """

    kind: str
    title: str
    shape: tuple
    inputs: list
    tensor: Tensor = None
    op: str = None
    module: str = None
    layer: int = None
    detail: str = ""
    count: int = 1
    members: tuple = field(default=(), repr=False)


class Graph:
    """A drawn computation graph: ``print`` it for a text tree, ``to_mermaid()``,
    ``to_svg()`` (notebooks show the SVG). ``nodes[0]`` is the tensor it was made from.

    Attributes:
        nodes: the ``Node`` list, in depth-first order from the root, inputs in order.
        note: a line printed under the drawing when some values are unknown, else ''.
    """

    def __init__(self, nodes: list, root: Tensor):
        self.nodes = nodes
        self._root = root
        unknown = any(n.tensor is None for n in nodes)
        self.note = NOT_KEPT if unknown else ""

    @property
    def edges(self) -> list:
        """(input node index, consumer node index) pairs, one per use of an input."""
        return [(i, n) for n, node in enumerate(self.nodes) for i in node.inputs]

    def lines(self, index: int) -> list:
        """The text of node ``index``: title, [detail,] shape, data, gradient."""
        node = self.nodes[index]
        lines = [node.title] + ([node.detail] if node.detail else [])
        data = summarize(node.tensor.array) if node.tensor is not None else "?"
        return lines + [shape_text(node.shape), f"data {data}", f"grad {self._grad(node)}"]

    def _grad(self, node: Node) -> str:
        if node.kind == "input":
            return "not needed"
        if node.tensor is not None and node.tensor.grad is not None:
            return summarize(node.tensor.grad.array)
        if self._root.grad is None:  # the root's grad is retained: set by backward
            return "not computed yet"
        return "?" if node.tensor is None else "none (not reached)"

    def __str__(self) -> str:
        return tree(self)

    __repr__ = __str__

    def to_mermaid(self) -> str:
        """A Mermaid ``flowchart`` (renders in GitHub and JupyterLab markdown)."""
        return mermaid(self)

    def to_svg(self) -> str:
        """A standalone SVG drawing: layered, the output on top, inputs below."""
        return svg(self)

    def _repr_svg_(self) -> str:
        return self.to_svg()


def graph(tensor, model=None, *, names=None, collapse: bool = True,
          recording=None) -> Graph:
    """The computation graph that produced ``tensor``, to print or draw.

    Call it before ``backward()`` (which frees the graph), or on a tensor made inside a
    ``tn.viz.record()`` block (``rec.graph(tensor)``): a recording also shows the
    intermediate values and, after backward, their gradients. Gradients are read when
    the graph is printed: ``g = graph(loss); loss.backward(); print(g)`` shows them.
    NOTE: calls ``tensor.retain_grad()``, so that ``tensor.grad`` tells whether
    backward has run.

    Args:
        tensor: the output to start from (a loss, say).
        model: a module whose parameter names ('0.weight') and layer labels ('layer 2 ·
            ReLU') to show (default: a recording's outermost module; else none).
        names: {name: tensor} to label tensors with, such as ``locals()`` (names
            starting with '_' and values that are not tensors are skipped).
        collapse: show a chain of at least 3 identical blocks ([Linear → ReLU] × 8) as
            one box; False draws every op.
        recording: the ``Recording`` of the forward pass, if any.

    Returns:
        Graph.

    Raises:
        RuntimeError: the graph was freed by ``backward()`` and not recorded.

    Example:
        >>> import tinynet as tn
        >>> a = tn.tensor(2.0, requires_grad=True)
        >>> b = tn.tensor(-3.0, requires_grad=True)
        >>> y = a * b + a
        >>> g = tn.viz.graph(y, names={"a": a, "b": b})
        >>> y.backward()
        >>> print(g)
        Add  scalar  data -4  grad 1
        ├── Mul  scalar  data ?  grad ?
        │   ├── leaf a  scalar  data 2  grad -2  #1
        │   └── leaf b  scalar  data -3  grad 2
        └── ↑ #1 leaf a
        ? the engine keeps no intermediate values or gradients: run the forward pass
        inside `with tn.viz.record() as rec:` and draw rec.graph(loss) to see them
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph: tensor must be a Tensor, got {type(tensor).__name__}")
    if model is None and recording is not None:
        model = recording.model()
    builder = _Builder(tensor, ModelNames(model), _user_names(names), recording)
    nodes = builder.walk()
    if collapse:
        nodes = collapse_repeats(nodes)
    if tensor._ctx is not None:
        tensor.retain_grad()
    return Graph(nodes, tensor)


def _user_names(names) -> dict:
    """{id(tensor) for a leaf, id(its ctx) otherwise: name}; the first name wins."""
    found = {}
    for name, value in (names or {}).items():
        if isinstance(value, Tensor) and not str(name).startswith("_"):
            found.setdefault(id(value._ctx if value._ctx is not None else value), str(name))
    return found


class _Builder:
    """Walks the graph depth-first from the root, making one ``Node`` per context and
    per leaf tensor."""

    def __init__(self, root, naming, user, recording):
        self.root, self.naming, self.user, self.rec = root, naming, user, recording

    def walk(self) -> list:
        index, nodes, feeds = {}, [], []  # feeds: per node, the objects feeding it
        pending = [self.root._ctx if self.root._ctx is not None else self.root]
        while pending:
            obj = pending.pop()
            if id(obj) in index:  # feeds keeps every object alive: ids are not reused
                continue
            index[id(obj)] = len(nodes)
            node, inputs = (self.leaf(obj) if isinstance(obj, Tensor) else self.op(obj))
            nodes.append(node)
            feeds.append(inputs)
            pending.extend(reversed(inputs))
        for node, inputs in zip(nodes, feeds):
            node.inputs = [index[id(obj)] for obj in inputs]
        return nodes

    def leaf(self, t: Tensor) -> tuple:
        name = self.user.get(id(t)) or self.naming.params.get(id(t))
        kind = "leaf" if t.requires_grad else "input"
        return Node(kind, f"{kind} {name}" if name else kind, t.shape, [], t), []

    def op(self, ctx) -> tuple:
        key, module = id(ctx), None
        if self.rec is not None and key in self.rec.outputs:
            out = self.rec.outputs[key]
            inputs = [a if a._ctx is None else a._ctx for a in self.rec.inputs[key]]
            module = self.rec.modules.get(key, (None,))[0]
        else:
            if ctx.next_nodes is None:
                raise RuntimeError(
                    f"graph: the graph behind this tensor (at {type(ctx).__name__}) was "
                    "freed by backward(): call tn.viz.graph(loss) before loss.backward(), "
                    "or run the forward pass inside `with tn.viz.record() as rec:` and "
                    "call rec.graph(loss)")
            out = self.root if ctx is self.root._ctx else (
                ctx.retained() if ctx.retained is not None else None)
            inputs = [n for n in ctx.next_nodes if n is not None]
            # without a recording, an op that uses a module's own parameter is its own
            owners = (self.naming.owners.get(id(n)) for n in inputs)
            module = next((m for m in owners if m is not None), None)
        op = type(ctx).__name__
        label, layer = self.naming.module_label(module) if module is not None else (None, None)
        title = op_title(op, label)
        if key in self.user:
            title = f"{self.user[key]} = {title}"
        node = Node("op", title, ctx.out_shape, [], out, op=op, layer=layer,
                    module=type(module).__name__ if module is not None else None)
        return node, inputs
