"""A ``Graph`` as a standalone SVG drawing, in pure Python.

Layered: the output on the top row, and every other node one row below the lowest op
that uses it (its longest distance from the output), so the forward pass reads bottom
up and each leaf sits just below the op that takes it. Within a row, nodes keep their
depth-first order (inputs left to right in argument order); each op stands under the
op that uses it, so a chain of layers stays straight, with its leaves beside it. An
arrow enters its op below the input it comes from, in argument order.
"""
import hashlib
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
FONT_SIZE = 12
CHAR_WIDTH = 7.3  # a monospace character at 12 px (0.6 em), with a little slack
LINE_HEIGHT = 16
PAD_X, PAD_Y = 8, 6  # inside a box
GAP_X, GAP_Y = 28, 44  # between boxes, between rows
MARGIN = 12
PLACEHOLDER = 6  # width of an arrow passing through a row
SLOT_GAP = 12  # between two arrows entering one box
GROUP_OFFSET = 5  # of the second box drawn behind a group
FILL = {"op": "#fff7e0", "leaf": "#e6f0fb", "input": "#f2f2f2", "group": "#efe6fb"}
STROKE = {"op": "#b08a2e", "leaf": "#3d6fb0", "input": "#888888", "group": "#7b52ae"}


def svg(graph) -> str:
    """The SVG document (a string): one ``<g class="node ...">`` box per node, one
    ``<path class="edge">`` arrow per edge."""
    nodes = graph.nodes
    texts = [graph.lines(i) for i in range(len(nodes))]
    sizes = [(max(len(t) for t in lines) * CHAR_WIDTH + 2 * PAD_X,
              len(lines) * LINE_HEIGHT + 2 * PAD_Y) for lines in texts]
    layout = _Layout(nodes, sizes)
    note = graph.note.split(": ", 1) if graph.note else []
    width = max([layout.left[n] + sizes[n][0] + GROUP_OFFSET for n in range(len(nodes))]
                + [len(line) * CHAR_WIDTH for line in note]) + MARGIN
    bottom = layout.row_top[-1] + layout.row_height[-1]
    height = bottom + MARGIN + LINE_HEIGHT * len(note)
    marker = "tn-arrow-" + hashlib.md5("\n".join(map(str, texts)).encode()).hexdigest()[:8]
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-family={quoteattr(FONT)} font-size="{FONT_SIZE}">'),
           (f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555555"/></marker></defs>')]
    for n, node in enumerate(nodes):  # one arrow per argument: a + a has two
        for k in range(len(node.inputs)):
            out.append(f'<path class="edge" d="{layout.path(n, k)}" fill="none" '
                       f'stroke="#555555" stroke-width="1.2" marker-end="url(#{marker})"/>')
    for n, node in enumerate(nodes):
        out.append(_box(node, n, texts[n], layout.left[n], layout.top(n), sizes[n]))
    for k, line in enumerate(note):
        out.append(f'<text x="{MARGIN}" y="{bottom + LINE_HEIGHT * (k + 1):.0f}" '
                   f'fill="#666666">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)


class _Layout:
    """Rows, x positions and arrow paths. An arrow that skips rows passes through a
    narrow placeholder in each row it crosses (as in Sugiyama's layered drawing), so
    boxes make room for it instead of being drawn over it."""

    def __init__(self, nodes: list, sizes: list):
        self.nodes, self.sizes = nodes, sizes
        self.row = _rows(nodes)
        self.width = [w for w, _ in sizes]
        self.feeds = [list(node.inputs) for node in nodes]  # per item, what enters its slots
        order = [(n, -1) for n in range(len(nodes))]  # depth-first order; placeholders
        self.routes = {}  # (node, slot) -> its arrow's placeholders, top down
        for n, node in enumerate(nodes):
            for k, i in enumerate(node.inputs):
                chain = []
                for r in range(self.row[n] + 1, self.row[i]):
                    chain.append(len(self.row))
                    self.row.append(r)
                    self.width.append(PLACEHOLDER)
                    self.feeds.append([])
                    order.append((i, n))  # beside the node the arrow comes from
                if chain:
                    self.routes[n, k] = chain
                    self.feeds[n][k] = chain[0]
                    for upper, lower in zip(chain, chain[1:] + [i]):
                        self.feeds[upper] = [lower]
        rows = [[] for _ in range(max(self.row) + 1)]
        for item in sorted(range(len(self.row)), key=order.__getitem__):
            rows[self.row[item]].append(item)
        self.row_height = [max([sizes[n][1] for n in row if n < len(nodes)] or [0])
                           for row in rows]
        self.row_top = [MARGIN]
        for h in self.row_height[:-1]:
            self.row_top.append(self.row_top[-1] + h + GAP_Y)
        self.left = self._place(rows)
        self._slots = {}  # item -> x of each argument's slot

    def _place(self, rows: list) -> list:
        """Left x of every item, row by row from the top. Ops (and groups) are anchors:
        each goes right under the ops that use it, so a chain of layers stands
        straight; leaves and arrows passing through are packed beside them in order."""
        left = {}
        users = {}  # item -> the items above it that it feeds
        for n, feeds in enumerate(self.feeds):
            for i in feeds:
                users.setdefault(i, []).append(n)
        for row in rows:
            wanted = [sum(left[u] + self.width[u] / 2 for u in users[n]) / len(users[n])
                      if n in users else 0.0 for n in row]
            anchors = [k for k, n in enumerate(row)
                       if n < len(self.nodes) and self.nodes[n].kind in ("op", "group")]
            placed = self._pack(row, wanted, anchors)
            left.update(zip(row, placed))
        lowest = min(left.values())
        return [left[n] - lowest + MARGIN for n in range(len(self.row))]

    def _pack(self, row: list, wanted: list, anchors: list) -> list:
        """Left x of the items of one row, in order, GAP_X apart at least."""
        w = [self.width[n] for n in row]
        placed = [0.0] * len(row)
        if not anchors:  # centred, as a block, on where the items want to be
            x = 0.0
            for k in range(len(row)):
                placed[k], x = x, x + w[k] + GAP_X
            shift = sum(p + wk / 2 - c for p, wk, c in zip(placed, w, wanted)) / len(row)
            return [p - shift for p in placed]
        previous = None  # the last anchor placed
        for k in anchors:
            x = wanted[k] - w[k] / 2
            if previous is not None:  # the items between two anchors follow the first
                after = placed[previous] + w[previous] + GAP_X
                for j in range(previous + 1, k):
                    placed[j], after = after, after + w[j] + GAP_X
                x = max(x, after)
            placed[k] = x
            previous = k
        x = placed[anchors[0]]
        for j in reversed(range(anchors[0])):  # before the first anchor, leftwards
            x -= w[j] + GAP_X
            placed[j] = x
        x = placed[anchors[-1]] + w[anchors[-1]] + GAP_X
        for j in range(anchors[-1] + 1, len(row)):  # after the last anchor, rightwards
            placed[j], x = x, x + w[j] + GAP_X
        return placed

    def slot(self, n: int, k: int) -> float:
        """x where argument ``k`` enters item ``n``: below the centre of its input when
        that is within reach, at least SLOT_GAP from the slots beside it, in argument
        order (a + a enters twice)."""
        if n not in self._slots:
            lo, hi = self.left[n] + 8, self.left[n] + self.width[n] - 8
            xs = [min(max(self.left[i] + self.width[i] / 2, lo), hi) for i in self.feeds[n]]
            for j in range(1, len(xs)):
                xs[j] = max(xs[j], xs[j - 1] + SLOT_GAP)
            for j in reversed(range(len(xs))):
                xs[j] = min(xs[j], hi if j == len(xs) - 1 else xs[j + 1] - SLOT_GAP)
            self._slots[n] = [max(x, lo) for x in xs]
        return self._slots[n][k]

    def top(self, n: int) -> float:
        return self.row_top[self.row[n]]

    def path(self, n: int, k: int) -> str:
        """The SVG path of the arrow into slot ``k`` of node ``n``: from the top of its
        input, up through its placeholders, to the slot."""
        i = self.nodes[n].inputs[k]
        x0, y0 = self.left[i] + self.width[i] / 2, self.top(i)
        d = f"M {x0:.1f} {y0:.1f}"
        for p in reversed(self.routes.get((n, k), [])):
            x, r = self.left[p] + self.width[p] / 2, self.row[p]
            d += _curve(x0, y0, x, self.row_top[r] + self.row_height[r])
            x0, y0 = x, self.row_top[r]
            d += f" L {x0:.1f} {y0:.1f}"
        x1 = self.slot(n, k)
        return d + _curve(x0, y0, x1, self.top(n) + self.sizes[n][1])


def _curve(x0, y0, x1, y1) -> str:
    """A cubic Bézier from (x0, y0) up to (x1, y1), leaving and arriving vertically."""
    bend = max((y0 - y1) / 2, 10)
    return f" C {x0:.1f} {y0 - bend:.1f} {x1:.1f} {y1 + bend:.1f} {x1:.1f} {y1:.1f}"


def _rows(nodes: list) -> list:
    """Each node's row: its longest distance from the output (found by visiting a node
    once every op using it has been visited)."""
    waiting = [0] * len(nodes)
    for node in nodes:
        for i in node.inputs:
            waiting[i] += 1
    row = [0] * len(nodes)
    ready = [0]
    while ready:
        n = ready.pop()
        for i in nodes[n].inputs:
            row[i] = max(row[i], row[n] + 1)
            waiting[i] -= 1
            if waiting[i] == 0:
                ready.append(i)
    return row


def _box(node, n, lines, x, y, size) -> str:
    w, h = size
    kind = node.kind
    stroke_width = 2.5 if n == 0 else 1.2
    parts = [f'<g class="node {kind}" data-node="{n}">',
             f"<title>{escape(' | '.join(lines))}</title>"]
    if kind == "group":  # a stack of boxes: several layers in one
        parts.append(f'<rect x="{x + GROUP_OFFSET:.1f}" y="{y - GROUP_OFFSET:.1f}" '
                     f'width="{w:.1f}" height="{h:.1f}" rx="4" fill="{FILL[kind]}" '
                     f'stroke="{STROKE[kind]}" stroke-width="1"/>')
    rx = 12 if kind in ("leaf", "input") else 4
    parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" '
                 f'fill="{FILL[kind]}" stroke="{STROKE[kind]}" '
                 f'stroke-width="{stroke_width}"/>')
    for k, line in enumerate(lines):
        weight = ' font-weight="bold"' if k == 0 else ""
        colour = "#222222" if k == 0 else "#444444"
        parts.append(f'<text x="{x + PAD_X:.1f}" y="{y + PAD_Y + LINE_HEIGHT * (k + 1) - 4:.1f}"'
                     f'{weight} fill="{colour}">{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts)
