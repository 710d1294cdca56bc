"""The fast path of ``tn.capture``'s replay: a plan's two loops (forward over its ops,
backward over them in the engine's order) unrolled into two straight-line Python
functions, generated once per plan and compiled once per text (``_code``); and, for calls
with forward hooks, a third: the forward keeping the values those hooks may read
(``unroll_keeping``).

Read ``_Running._forward_loop`` and ``_backward_loop`` (_running.py) first: the
generated code does what they do, step for step and in the same order, so the numbers are
the same bit for bit (tests/test_capture.py runs both). What it saves is the loops' own
work per op: building each op's argument list from its sources, indexing the lists of
values and gradients, and zipping each op's gradients with their targets. Every one of
those is decided when the plan is built, so the generated code names each value as a
local variable (``v3``: op 3's output; ``g3``: the gradient of op 3's output; ``leaf2``:
leaf slot 2's gradient). ``source`` on the returned functions holds the code, and a
traceback through it shows its lines, as torch.fx does for the code it generates.
"""
import itertools
import linecache

import numpy as np

from tinynet.autograd._recording import INPUT, OUT, TENSOR
from tinynet.autograd.engine import arity_error, unbroadcast

_numbers = itertools.count()
CODE_KEPT = 64  # compiled texts kept for the next plans (see _code)
_CODE = {}  # generated text -> its code, least recently used first


def unroll(plan):
    """``(forward, backward)``, the plan's loops as generated functions: ``forward(args)``
    returns the returned ops' outputs; ``backward(grad)`` the leaf slots in the order
    their gradients arrived and every slot's gradient."""
    names = _names()
    return _compiled(names, _forward_lines(plan, names) + [""]
                     + _backward_lines(plan, names), ("forward", "backward"))


def unroll_keeping(plan):
    """``forward_keeping(args, keep)``, the plan's forward loop with ``keep`` as a
    generated function: it frees no value whose ``keep[j]`` is true and returns every
    op's output (None for those freed). Made when first needed: only calls with forward
    hooks run it."""
    names = _names()
    return _compiled(names, _forward_lines(plan, names, keeping=True),
                     ("forward_keeping",))[0]


def _names() -> dict:
    return {"ndarray": np.ndarray, "asarray": np.asarray, "unbroadcast": unbroadcast,
            "arity_error": arity_error}


def _compiled(names, lines, functions) -> tuple:
    source = "\n".join(lines)
    exec(_code(source), names)
    # taken out of their globals, so that no cycle keeps the contexts (and the arrays
    # they saved) alive once the plan goes
    compiled = tuple([names.pop(name) for name in functions])
    for function in compiled:
        function.source = source
    return compiled


def _code(source: str):
    """``source`` compiled, or its code from an earlier plan: the text names every object
    through ``names`` (ctx3, forward3), so plans of the same ops in the same order (the
    runs of a comparison, a model captured again) generate the same text, and compiling
    it costs more than a short run's replays save. The last ``CODE_KEPT`` texts are kept,
    each with its lines in ``linecache`` for tracebacks, until it leaves."""
    code = _CODE.pop(source, None)
    if code is None:
        filename = f"<tn.capture replay {next(_numbers)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        code = compile(source, filename, "exec")
        while len(_CODE) >= CODE_KEPT:
            linecache.cache.pop(_CODE.pop(next(iter(_CODE))).co_filename, None)
    _CODE[source] = code  # (last: the most recently used)
    return code


def _forward_lines(plan, names, keeping: bool = False) -> list:
    lines = ["def forward_keeping(args, keep):" if keeping else "def forward(args):"]
    inputs = sorted({ref for op in plan.ops for kind, ref in op.sources if kind == INPUT})
    lines += [f"    a{k} = args[{k}].array" for k in inputs]
    for i, op in enumerate(plan.ops):
        names[f"forward{i}"], names[f"ctx{i}"] = op.cls.forward, op.ctx
        arguments = [f"ctx{i}"]
        for n, (kind, ref) in enumerate(op.sources):
            if kind == OUT:
                arguments.append(f"v{ref}")
            elif kind == INPUT:
                arguments.append(f"a{ref}")
            else:  # a tensor read when the call runs (its array may be replaced), a value
                names[f"c{i}_{n}"] = ref
                arguments.append(f"c{i}_{n}.array" if kind == TENSOR else f"c{i}_{n}")
        lines += [f"    ctx{i}.saved_tensors = ()",
                  f"    v{i} = forward{i}({', '.join(arguments)})",
                  f"    if type(v{i}) is not ndarray: v{i} = asarray(v{i})"]
        lines += [f"    if not keep[{j}]: v{j} = None" if keeping else f"    v{j} = None"
                  for j in op.frees]
    if keeping:
        lines.append(f"    return [{', '.join(f'v{j}' for j in range(len(plan.ops)))}]")
    else:
        lines.append(f"    return ({''.join(f'v{j}, ' for j in plan.returned)})")
    return lines


def _backward_lines(plan, names) -> list:
    first_leaf = len(plan.ops)

    def gradient(index):
        return f"g{index}" if index < first_leaf else f"leaf{index - first_leaf}"

    slots = [gradient(first_leaf + k) for k in range(len(plan.leaves))]
    lines = ["def backward(grad):", "    arrived = []",
             "    " + " = ".join([f"g{i}" for i in plan.backward_order] + slots + ["None"]),
             f"    g{plan.returned[0]} = grad"]
    reached = {plan.returned[0]}  # the gradients that may hold a value here
    for i in plan.backward_order:
        op = plan.ops[i]
        names[f"backward{i}"] = op.backward
        lines += [f"    if g{i} is not None:",
                  f"        grads = backward{i}(ctx{i}, g{i})",
                  f"        g{i} = None",
                  "        if type(grads) is not tuple: grads = (grads,)",
                  f"        if len(grads) != {len(op.targets)}: "
                  f"arity_error(ctx{i}, {len(op.targets)}, grads)"]
        for n, (index, shape) in enumerate(op.targets):
            if index is None:
                continue
            shape, total = repr(tuple(int(d) for d in shape)), gradient(index)
            lines += [f"        gx = grads[{n}]",
                      "        if gx is not None:",
                      f"            if gx.shape != {shape}: gx = unbroadcast(gx, {shape})"]
            first = f"{total} = gx" + (f"; arrived.append({index - first_leaf})"
                                       if index >= first_leaf else "")
            if index not in reached:  # certainly None: the first gradient to arrive
                lines.append(f"            {first}")
                reached.add(index)
            else:  # NOTE: out of place, as the engine: gx may be another input's array
                lines += [f"            if {total} is None: {first}",
                          f"            else: {total} = {total} + gx"]
    lines.append(f"    return arrived, ({''.join(s + ', ' for s in slots)})")
    return lines
