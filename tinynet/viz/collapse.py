"""Repeated layers drawn once: eight [Linear → ReLU] blocks become one box "×8".

A *chain* is a path of ops, each fed by exactly one op whose output it alone uses (the
other inputs are leaves: parameters, data). Each op on a chain has a signature (its op,
the class of the module that made it, its number of leaf inputs); a block of at most
``MAX_PERIOD`` ops whose signatures repeat at least ``MIN_REPEATS`` times in a row is
folded into one group node, together with the leaves only its ops use. Where two
alignments fit equally well (Linear → ReLU or ReLU → Linear), the blocks start where
the forward pass starts, so an MLP's hidden layers fold into [Linear → ReLU] and the
output Linear stays on its own.
"""
from dataclasses import replace

MIN_REPEATS = 3
MAX_PERIOD = 8  # ops per block


def collapse_repeats(nodes: list) -> list:
    """``nodes`` (depth-first from the root, ``inputs`` as indices) with each run of
    repeated blocks replaced by one 'group' node; returns a new list."""
    consumers = [[] for _ in nodes]
    for n, node in enumerate(nodes):
        for i in node.inputs:
            consumers[i].append(n)
    below = {}  # op -> the op below it on its chain
    for n, node in enumerate(nodes):
        if node.kind == "op":
            fed_by = [i for i in node.inputs if nodes[i].kind == "op"]
            if len(fed_by) == 1 and consumers[fed_by[0]] == [n]:
                below[n] = fed_by[0]
    groups = []  # (ops of the run from the top down, ops per block, repeats)
    inner = set(below.values())
    for head, node in enumerate(nodes):
        if node.kind != "op" or head in inner:
            continue
        chain = [head]
        while chain[-1] in below:
            chain.append(below[chain[-1]])
        signatures = [_signature(nodes, n) for n in chain]
        for start, period, count in _repeats(signatures, 0, len(chain)):
            groups.append((chain[start:start + period * count], period, count))
    return _fold(nodes, consumers, groups) if groups else nodes


def _signature(nodes: list, n: int) -> tuple:
    node = nodes[n]
    return node.op, node.module, sum(nodes[i].kind == "leaf" for i in node.inputs)


def _repeats(signatures: list, lo: int, hi: int) -> list:
    """[(start, period, count)] of the runs to fold in ``signatures[lo:hi]``: the run
    covering the most ops (then the shortest block, then the one nearest the chain's
    end, where the forward pass starts), and the same again on each side of it."""
    best = None
    for period in range(1, MAX_PERIOD + 1):
        j = lo
        while j + period < hi:
            if signatures[j] != signatures[j + period]:
                j += 1
                continue
            first = j
            while j + period < hi and signatures[j] == signatures[j + period]:
                j += 1
            # signatures[first : j + period] repeats with this period
            count = (j + period - first) // period
            start = j + period - count * period
            key = (count * period, -period, start)
            if count >= MIN_REPEATS and (best is None or key > best[0]):
                best = (key, start, period, count)
    if best is None:
        return []
    _, start, period, count = best
    end = start + period * count
    return (_repeats(signatures, lo, start) + [(start, period, count)]
            + _repeats(signatures, end, hi))


def _fold(nodes: list, consumers: list, groups: list) -> list:
    replaced = {}  # old index -> the group's node (its top op) or None (folded away)
    group_nodes = {}
    for ops, period, count in groups:
        inside = set(ops)
        leaves = [i for n in ops for i in nodes[n].inputs if nodes[i].kind == "leaf"
                  and all(c in inside for c in consumers[i])]
        leaves = list(dict.fromkeys(leaves))
        folded = inside | set(leaves)
        feeds = [i for n in reversed(ops) for i in nodes[n].inputs if i not in folded]
        pattern = " → ".join(nodes[n].op for n in reversed(ops[:period]))
        layers = [nodes[n].layer for n in ops]
        detail = []
        if None not in layers:
            lo, hi = min(layers), max(layers)
            detail.append(f"layers {lo}–{hi}" if lo != hi else f"layer {lo}")
        if leaves:
            detail.append(f"{len(leaves)} leaves inside")
        top = nodes[ops[0]]
        group_nodes[ops[0]] = replace(
            top, kind="group", title=f"×{count} [{pattern}]", inputs=feeds, op=None,
            module=None, layer=None, detail=", ".join(detail), count=count,
            members=tuple(nodes[i] for i in sorted(folded)))
        for i in folded:
            replaced[i] = ops[0]
    new_index, kept = {}, []
    for i, node in enumerate(nodes):
        if i in group_nodes or i not in replaced:
            new_index[i] = len(kept)
            kept.append(group_nodes.get(i, node))
    for i, top in replaced.items():
        new_index[i] = new_index[top]
    return [replace(node, inputs=[new_index[i] for i in node.inputs]) for node in kept]
