"""tn.viz: what the text tree, the Mermaid flowchart and the SVG show; recording; folding
repeated layers; and that nothing is left behind (observers, reference cycles)."""
import gc
import re
import weakref
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinynet as tn
import tinynet.nn.functional as F
from tinynet.autograd.observers import OBSERVERS
from tinynet.viz.labels import summarize
from tinynet.viz.text import mermaid_escape

SVG = "{http://www.w3.org/2000/svg}"


def micrograd():
    """Karpathy's first example: L = (a·b + c)·f, recorded."""
    a = tn.tensor(2.0, requires_grad=True)
    b = tn.tensor(-3.0, requires_grad=True)
    c = tn.tensor(10.0, requires_grad=True)
    f = tn.tensor(-2.0, requires_grad=True)
    with tn.viz.record() as rec:
        e = a * b
        d = e + c
        L = d * f
    return rec, L, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": L}


def mlp_step(hidden=8, collapse=True):
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16] * hidden, 3, activation="relu")
    x, y = tn.randn(10, 2), tn.tensor(np.arange(10) % 3)
    with tn.viz.record() as rec:
        loss = F.cross_entropy(model(x), y)
    loss.backward()
    return rec.graph(loss, collapse=collapse), model


def test_micrograd_tree_before_and_after_backward():
    rec, L, names = micrograd()
    g = rec.graph(L, names=names)
    assert str(g) == (
        "L = Mul  scalar  data -8  grad not computed yet\n"
        "├── d = Add  scalar  data 4  grad not computed yet\n"
        "│   ├── e = Mul  scalar  data -6  grad not computed yet\n"
        "│   │   ├── leaf a  scalar  data 2  grad not computed yet\n"
        "│   │   └── leaf b  scalar  data -3  grad not computed yet\n"
        "│   └── leaf c  scalar  data 10  grad not computed yet\n"
        "└── leaf f  scalar  data -2  grad not computed yet")
    L.backward()
    # dL/dd = f = -2, dL/df = d = 4, dL/de = dL/dc = -2, dL/da = -2·b = 6, dL/db = -2·a = -4
    assert str(g) == (
        "L = Mul  scalar  data -8  grad 1\n"
        "├── d = Add  scalar  data 4  grad -2\n"
        "│   ├── e = Mul  scalar  data -6  grad -2\n"
        "│   │   ├── leaf a  scalar  data 2  grad 6\n"
        "│   │   └── leaf b  scalar  data -3  grad -4\n"
        "│   └── leaf c  scalar  data 10  grad -2\n"
        "└── leaf f  scalar  data -2  grad 4")
    assert g.note == ""


def test_structure_nodes_and_edges():
    rec, L, names = micrograd()
    g = rec.graph(L, names=names)
    assert [n.title for n in g.nodes] == ["L = Mul", "d = Add", "e = Mul", "leaf a", "leaf b",
                                          "leaf c", "leaf f"]
    assert [n.kind for n in g.nodes] == ["op"] * 3 + ["leaf"] * 4
    assert sorted(g.edges) == [(1, 0), (2, 1), (3, 2), (4, 2), (5, 1), (6, 0)]
    assert g.nodes[0].tensor is L and g.nodes[3].tensor is names["a"]


def test_without_recording_leaves_get_their_gradients_and_intermediates_are_unknown():
    a = tn.tensor([1.0, -2.0], requires_grad=True)
    w = tn.tensor(3.0, requires_grad=True)
    y = (a * w).tanh().sum()
    g = tn.viz.graph(y, names={"a": a, "w": w})
    before = str(g)
    assert before.count("grad not computed yet") == 5
    assert "Tanh  (2,)  data ?" in before and g.note in before and "tn.viz.record()" in g.note
    y.backward()
    after = str(g)
    assert "not computed yet" not in after
    assert f"leaf a  (2,)  data [1, -2]  grad {summarize(a.grad.array)}" in after
    assert f"leaf w  scalar  data 3  grad {summarize(w.grad.array)}" in after
    assert "Tanh  (2,)  data ?  grad ?" in after
    assert after.splitlines()[0] == f"Sum  scalar  data {summarize(y.array)}  grad 1"


def test_a_retained_intermediate_shows_without_recording():
    a = tn.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    h.retain_grad()
    y = h.sum()
    g = tn.viz.graph(y)
    y.backward()
    assert "Mul  (2,)  data [2, 4]  grad [1, 1]" in str(g)


def test_a_reused_node_is_printed_once_then_referenced():
    a = tn.tensor(3.0, requires_grad=True)
    with tn.viz.record() as rec:
        b = a + a
        c = b * b  # a diamond: b reached twice
    c.backward()
    text = str(rec.graph(c, names={"a": a, "b": b}))
    assert text == (
        "Mul  scalar  data 36  grad 1\n"
        "├── b = Add  scalar  data 6  grad 12  #1\n"
        "│   ├── leaf a  scalar  data 3  grad 24  #2\n"
        "│   └── ↑ #2 leaf a\n"
        "└── ↑ #1 b = Add")


def test_a_graph_freed_by_backward_is_refused_with_advice():
    a = tn.tensor(2.0, requires_grad=True)
    y = (a * a).tanh()
    y.backward()
    with pytest.raises(RuntimeError, match=r"freed by backward\(\).*before loss.backward\(\)"
                       r".*tn.viz.record\(\)"):
        tn.viz.graph(y)


def test_a_recording_still_draws_after_backward():
    rec, L, names = micrograd()
    L.backward()
    assert "leaf a  scalar  data 2  grad 6" in str(rec.graph(L, names=names))


def test_a_leaf_alone_and_non_tensors():
    a = tn.tensor([1.0, 2.0], requires_grad=True)
    assert str(tn.viz.graph(a)) == "leaf  (2,)  data [1, 2]  grad not computed yet"
    with pytest.raises(TypeError, match="graph: tensor must be a Tensor, got"):
        tn.viz.graph(np.ones(2))


def test_names_skip_private_names_and_non_tensors():
    a = tn.tensor(1.0, requires_grad=True)
    g = tn.viz.graph(a * 2, names={"_": a, "n": 3, "a": a, "alias": a})
    assert [n.title for n in g.nodes] == ["Mul", "leaf a"]


def test_mlp_of_8_hidden_layers_folds_into_one_group():
    g, _ = mlp_step(hidden=8)
    kinds = [n.kind for n in g.nodes]
    assert kinds == ["op", "op", "group", "input", "leaf", "leaf", "input"]  # last: targets
    group = g.nodes[2]
    assert group.title == "×8 [Linear → ReLU]" and group.count == 8
    assert group.detail == "layers 1–8, 16 leaves inside"
    assert len(group.members) == 8 * 2 + 16
    assert group.tensor is not None and group.shape == (10, 16)  # the 8th ReLU's output
    assert [n.title for n in g.nodes[:2]] == ["CrossEntropy", "layer 9 · Linear (output)"]
    assert [n.title for n in g.nodes[4:6]] == ["leaf 16.weight", "leaf 16.bias"]
    assert sorted(g.edges) == [(1, 0), (2, 1), (3, 2), (4, 1), (5, 1), (6, 0)]
    text = str(g)
    assert "×8 [Linear → ReLU]  layers 1–8, 16 leaves inside  (10, 16)" in text
    assert "×8 [Linear → ReLU]" in g.to_mermaid()
    assert g.to_svg().count('<g class="node group"') == 1


def test_collapse_false_draws_every_op():
    g, model = mlp_step(hidden=8, collapse=False)
    # CrossEntropy, 9 Linear, 8 ReLU, 18 parameters, the input and the targets
    assert len(g.nodes) == 38 and len(g.edges) == 37
    titles = [n.title for n in g.nodes]
    assert "layer 3 · ReLU" in titles and "layer 3 · Linear" in titles
    assert {f"leaf {name}" for name, _ in model.named_parameters()} <= set(titles)
    assert "group" not in {n.kind for n in g.nodes}


def test_two_hidden_layers_are_not_folded():
    g, _ = mlp_step(hidden=2)
    assert "group" not in {n.kind for n in g.nodes} and len(g.nodes) == 14  # with the targets


def test_model_names_parameters_without_recording():
    tn.manual_seed(0)
    model = tn.models.MLP(2, [4], 2, activation="tanh")
    loss = F.cross_entropy(model(tn.randn(3, 2)), tn.tensor([0, 1, 0]))
    titles = [n.title for n in tn.viz.graph(loss, model=model).nodes]
    # a Linear op owns the parameters it takes: named by its module; Tanh unknown
    assert titles == ["CrossEntropy", "layer 2 · Linear (output)", "Tanh", "layer 1 · Linear",
                      "leaf 0.weight", "leaf 0.bias", "leaf 2.weight", "leaf 2.bias"]


def test_ops_inside_a_custom_module_are_labelled_with_it():
    class Swish(tn.nn.Module):
        def forward(self, x):
            return x * x.sigmoid()

    model = tn.nn.Sequential(tn.nn.Linear(2, 3), Swish())
    with tn.viz.record() as rec:
        y = model(tn.randn(4, 2)).sum()
    titles = [n.title for n in rec.graph(y).nodes]
    assert titles[:4] == ["Sum", "Mul · layer 1 · Swish", "layer 1 · Linear (output)", "input"]
    assert "Sigmoid · layer 1 · Swish" in titles


def parse_mermaid(text: str) -> tuple:
    """({node id: (shape, unescaped label)}, [(from, to)]) of the flowchart subset that
    to_mermaid writes; fails on any other line."""
    lines = text.splitlines()
    assert lines[0] == "flowchart BT"
    nodes, edges = {}, []
    shape = r'(\["|\("|\(\["|\[\[")(.*?)("\]|"\)|"\]\)|"\]\])'
    for line in lines[1:]:
        if m := re.fullmatch(r"    (n\d+)" + shape, line):
            assert '"' not in m.group(3)
            label = re.sub(r"#(quot|lt|gt|amp|35);", lambda e: {
                "quot": '"', "lt": "<", "gt": ">", "amp": "&", "35": "#"}[e.group(1)], m.group(3))
            nodes[m.group(1)] = (m.group(2), label)
        elif m := re.fullmatch(r"    (n\d+) --> (n\d+)", line):
            edges.append((m.group(1), m.group(2)))
        else:
            assert re.fullmatch(r"    (classDef|class|style|%%) .*", line), line
    return nodes, edges


def test_mermaid_parses_to_the_graph():
    rec, L, names = micrograd()
    L.backward()
    g = rec.graph(L, names=names)
    nodes, edges = parse_mermaid(g.to_mermaid())
    assert list(nodes) == [f"n{i}" for i in range(len(g.nodes))]
    for i, node in enumerate(g.nodes):
        shape, label = nodes[f"n{i}"]
        assert label == "<br/>".join(g.lines(i))
        assert shape == ('["' if node.kind == "op" else '("')
    assert edges == [(f"n{i}", f"n{n}") for i, n in g.edges]


def test_mermaid_escapes_labels():
    a = tn.tensor(1.0, requires_grad=True)
    name = 'a "quoted" <b> #1 & co'
    g = tn.viz.graph((a * 2).exp(), names={name: a})
    nodes, _ = parse_mermaid(g.to_mermaid())
    assert nodes["n2"][1].startswith(f"leaf {name}<br/>")
    assert mermaid_escape('#"') == "#35;#quot;"
    assert "%% ? the engine keeps no intermediate values" in g.to_mermaid()


def svg_parts(g) -> tuple:
    root = ET.fromstring(g.to_svg())
    assert root.tag == SVG + "svg"
    boxes = [e for e in root.iter(SVG + "g") if e.get("class", "").startswith("node ")]
    arrows = [e for e in root.iter(SVG + "path") if e.get("class") == "edge"]
    return root, boxes, arrows


@pytest.mark.parametrize("collapse", [True, False])
def test_svg_is_valid_with_one_box_per_node_and_one_arrow_per_edge(collapse):
    g, _ = mlp_step(hidden=8, collapse=collapse)
    _, boxes, arrows = svg_parts(g)
    assert len(boxes) == len(g.nodes) and len(arrows) == len(g.edges)
    for i, box in enumerate(boxes):
        texts = [t.text for t in box.iter(SVG + "text")]
        assert texts == g.lines(i)
        assert box.get("class") == f"node {g.nodes[i].kind}"
    assert g._repr_svg_() == g.to_svg()
    # the output on top: each box sits below every op that uses it
    tops = [float(box.find(SVG + "rect").get("y")) for box in boxes]
    assert all(tops[i] > tops[n] for i, n in g.edges)


def test_svg_draws_both_uses_of_a_reused_tensor():
    a = tn.tensor([1.0, 2.0], requires_grad=True)
    g = tn.viz.graph(a + a)
    _, boxes, arrows = svg_parts(g)
    assert len(boxes) == 2 and len(arrows) == 2
    assert arrows[0].get("d") != arrows[1].get("d")


def test_recording_keeps_no_reference_cycle():
    gc.collect()
    gc.disable()  # only reference counting may free what follows
    try:
        a = tn.tensor(2.0, requires_grad=True)
        with tn.viz.record() as rec:
            h = (a * a).tanh()
            y = h * a
        y.backward()
        g = rec.graph(y)
        kept = [weakref.ref(t) for t in rec.outputs.values()]
        kept += [weakref.ref(h.grad_fn), weakref.ref(rec), weakref.ref(g)]
        del h, y, g, rec
        assert [r() for r in kept] == [None] * len(kept)
    finally:
        gc.enable()


def test_observers_are_removed_after_the_block_even_on_error():
    assert OBSERVERS.forward == []
    with tn.viz.record():
        assert len(OBSERVERS.forward) == 1
    assert OBSERVERS.forward == [] and OBSERVERS.modules == []
    with pytest.raises(ZeroDivisionError), tn.viz.record():
        tn.models.MLP(2, [3], 2)(tn.randn(1, 2))
        raise ZeroDivisionError
    assert OBSERVERS.forward == [] and OBSERVERS.modules == []


def test_only_recorded_ops_are_kept():
    a = tn.tensor(2.0, requires_grad=True)
    with tn.viz.record() as rec:
        b = a * 3
        with tn.no_grad():
            c = a * 4
        d = tn.tensor([1, 2]) + 1  # integers: no graph
    assert list(rec.outputs.values()) == [b] and c.grad_fn is None and d.grad_fn is None


def test_a_very_deep_chain_folds_and_its_full_tree_is_cut():
    a = tn.tensor(0.5, requires_grad=True)
    x = a
    for _ in range(300):
        x = (x * 1.5).tanh()
    titles = [n.title for n in tn.viz.graph(x).nodes]
    # the first Mul takes the leaf: its signature differs, so it stays out of the group
    assert titles == ["Tanh", "×299 [Tanh → Mul]", "Mul", "leaf"]
    text = str(tn.viz.graph(x, collapse=False))
    assert len(text.splitlines()) == 101 + 1 + 2 and "deeper than 100 levels" in text


def test_summaries():
    assert summarize(np.float32(0.5)) == "0.5"
    assert summarize(np.array([1.0, -2.5])) == "[1, -2.5]"
    assert summarize(np.arange(10)) == "[0, 1, 2, …]"
    assert summarize(np.zeros((0, 3))) == "empty"
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert summarize(x) == "mean 3 std 1.41 min 1 max 5"


def test_a_mean_within_rounding_of_zero_is_zero():
    # a cross-entropy's gradient p - onehot: each row sums to 0, its float32 mean is
    # rounding noise of the order of eps·max|x|, which differs from CPU to CPU
    z = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(64), np.arange(64) % 3] -= 1
    assert summarize(p).startswith("mean 0 std ")
    # a small mean above the rounding of the values' scale is printed
    assert summarize(np.array([1e-6, -1e-6, 3e-6, 1e-6, 1e-6], np.float32)) == \
        "mean 1e-06 std 1.26e-06 min -1e-06 max 3e-06"
    assert summarize(np.array([1.0, -1.0, 1e-6, 0.0, 0.0])).startswith("mean 2e-07 ")
    # an overflow is shown as it is
    assert summarize(np.array([np.inf, 1.0, 2.0, 3.0, 4.0])).startswith("mean inf ")
