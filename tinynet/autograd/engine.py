"""The backward pass: walk the graph from the output in reverse topological order,
call each op's ``backward``, and accumulate gradients.

Three jobs happen here and nowhere else:
  * summing the gradients of a tensor used more than once;
  * ``unbroadcast``: reducing a gradient to the shape of the input it belongs to;
  * writing ``.grad`` of leaves, and freeing the graph afterwards.
"""
import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcasting added or stretched, so it has ``shape``.

    If ``x`` of shape (3, 1) met ``y`` of shape (4,) in ``x + y`` (output (3, 4)), then
    dL/dx = sum over axis 1 of dL/d(out), kept as (3, 1); dL/dy = sum over axis 0.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def topological_order(root) -> list:
    """Tensors reachable from ``root`` through recorded ops, every tensor after its inputs.

    Iterative depth-first search (a 10,000-op chain would overflow Python's recursion
    limit); inputs are visited in argument order, so the order is deterministic.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        ctx = node._ctx
        if ctx is not None and ctx.inputs is not None:
            for x in reversed(ctx.inputs):
                if x is not None and id(x) not in visited:
                    stack.append((x, False))
    return order


def run_backward(root, grad: np.ndarray, retain_graph: bool) -> None:
    """Propagate ``grad`` (dL/d root) to every leaf that requires grad."""
    grads = {id(root): grad}
    adopted = set()  # ids of arrays that already became some leaf's .grad
    for node in reversed(topological_order(root)):
        g = grads.pop(id(node), None)
        if g is None:  # every path to this node had a None gradient
            continue
        ctx = node._ctx
        if ctx is None:
            _accumulate_leaf_grad(node, g, adopted)
            if node._grad_hooks:
                for hook in list(node._grad_hooks.values()):
                    hook(node)
            continue
        if ctx.inputs is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time: its saved values "
                "were freed by the first backward(). Pass retain_graph=True to the "
                "first call if you need to backward twice."
            )
        if node._retains_grad:
            _accumulate_leaf_grad(node, g, adopted)
        input_grads = type(ctx).backward(ctx, g)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.inputs):
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned {len(input_grads)} gradients, "
                f"expected {len(ctx.inputs)} (one per forward input)"
            )
        for x, gx in zip(ctx.inputs, input_grads):
            if x is None or gx is None:
                continue
            if gx.shape != x.data.shape:
                gx = unbroadcast(gx, x.data.shape)
            key = id(x)
            previous = grads.get(key)
            # NOTE: out of place: gx may be the very array another input also received.
            grads[key] = gx if previous is None else previous + gx
        if not retain_graph:
            ctx.inputs = ctx.saved_tensors = None


def _accumulate_leaf_grad(leaf, g: np.ndarray, adopted: set) -> None:
    """Add ``g`` into ``leaf.grad``; the first time, adopt ``g`` without a copy when it is
    a fresh array that no other tensor holds."""
    if g.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    elif not g.flags.owndata or not g.flags.writeable or id(g) in adopted:
        g = g.copy()
    if leaf.grad is None:
        adopted.add(id(g))
        leaf.grad = _Tensor._wrap(g, False, None)
    else:
        leaf.grad.data += g


from tinynet.tensor import Tensor as _Tensor  # noqa: E402  (cycle: tensor.py imports this)
