"""See the computation graph, without graphviz: ``tn.viz.graph(loss)``.

    >>> import tinynet as tn
    >>> x = tn.tensor([1.0, -2.0], requires_grad=True)
    >>> print(tn.viz.graph((x * x).sum(), names={"x": x}))
    Sum  scalar  data 5  grad not computed yet
    └── Mul  (2,)  data ?  grad not computed yet
        ├── leaf x  (2,)  data [1, -2]  grad not computed yet  #1
        └── ↑ #1 leaf x
    ? the engine keeps no intermediate values or gradients: run the forward pass
    inside `with tn.viz.record() as rec:` and draw rec.graph(loss) to see them

A ``Graph`` prints as a text tree, and gives ``to_mermaid()`` and ``to_svg()`` (notebooks
show the SVG). Inside ``with tn.viz.record() as rec:`` every op's output is kept, so
``rec.graph(loss)`` also shows intermediate values and, after ``loss.backward()``, their
gradients. See docs/classroom.md.
"""
from tinynet.viz.graph import Graph, Node, graph
from tinynet.viz.record import Recording, record

__all__ = ["Graph", "Node", "Recording", "graph", "record"]
