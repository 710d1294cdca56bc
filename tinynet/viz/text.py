"""A ``Graph`` as an indented text tree, and as a Mermaid flowchart."""

BRANCH, LAST, PIPE, SPACE = "├── ", "└── ", "│   ", "    "
MAX_DEPTH = 100


def tree(graph) -> str:
    """The root on the first line, each node's inputs indented below it, in argument
    order. A node reached again (a reused tensor, a diamond) is printed in full once,
    marked '#k', and afterwards as '↑ #k title'. Branches deeper than ``MAX_DEPTH``
    levels end in '…' (the indentation would grow with the square of the depth)."""
    nodes = graph.nodes
    uses = [0] * len(nodes)
    for i, _ in graph.edges:
        uses[i] += 1
    marks, lines, count, cut = {}, [], 0, False  # marks: node -> its '#k' (None: used once)
    pending = [(0, "", "", 0)]  # (node, prefix of its line, prefix of its inputs', depth)
    while pending:
        i, first, rest, depth = pending.pop()
        if i in marks:
            lines.append(f"{first}↑ #{marks[i]} {nodes[i].title}")
            continue
        if depth > MAX_DEPTH:
            lines.append(first + "…")
            cut = True
            continue
        text = "  ".join(graph.lines(i))
        marks[i] = None
        if uses[i] > 1:
            count += 1
            marks[i] = count
            text += f"  #{count}"
        lines.append(first + text)
        inputs = nodes[i].inputs
        for k in reversed(range(len(inputs))):
            last = k == len(inputs) - 1
            pending.append((inputs[k], rest + (LAST if last else BRANCH),
                            rest + (SPACE if last else PIPE), depth + 1))
    if cut:
        lines.append(f"… deeper than {MAX_DEPTH} levels: not printed (to_svg() and "
                     "to_mermaid() draw everything; collapse=True folds repeated layers)")
    if graph.note:
        lines.append(graph.note)
    return "\n".join(lines)


# Mermaid node shapes and colours per kind: ops as boxes, leaves rounded, inputs as
# stadiums, groups as "subroutine" boxes (a double edge: several layers in one).
SHAPES = {"op": ('["', '"]'), "leaf": ('("', '")'), "input": ('(["', '"])'),
          "group": ('[["', '"]]')}
STYLES = {"op": "fill:#fff7e0,stroke:#b08a2e", "leaf": "fill:#e6f0fb,stroke:#3d6fb0",
          "input": "fill:#f2f2f2,stroke:#888888", "group": "fill:#efe6fb,stroke:#7b52ae"}
# Mermaid's entity codes: '#' starts one, so it is escaped first (by the same pass).
ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def mermaid_escape(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label."""
    return "".join(ESCAPES.get(c, c) for c in text)


def mermaid(graph) -> str:
    """A ``flowchart BT``: inputs at the bottom, arrows along the forward pass, one line
    per node (``n3["title<br/>shape<br/>data …<br/>grad …"]``) and per edge
    (``n4 --> n3``), then the colours per kind."""
    out = ["flowchart BT"]
    for i, node in enumerate(graph.nodes):
        opening, closing = SHAPES[node.kind]
        label = "<br/>".join(mermaid_escape(line) for line in graph.lines(i))
        out.append(f"    n{i}{opening}{label}{closing}")
    for i, n in graph.edges:
        out.append(f"    n{i} --> n{n}")
    for kind, style in STYLES.items():
        members = [f"n{i}" for i, node in enumerate(graph.nodes) if node.kind == kind]
        if members:
            out.append(f"    classDef {kind} {style}")
            out.append(f"    class {','.join(members)} {kind}")
    out.append("    style n0 stroke-width:3px")
    if graph.note:
        out.append(f"    %% {graph.note}")
    return "\n".join(out)
