"""``tn.autograd.grad``: the gradients of outputs with respect to given tensors, returned
instead of accumulated into ``.grad``, as ``torch.autograd.grad``; and
``tn.autograd.backward``, ``Tensor.backward`` for several outputs at once."""
import numpy as np

from tinynet.autograd.engine import _accumulate_leaf_grad, _run_grad_hooks, backward_pass
from tinynet.autograd.grad_mode import enable_grad, no_grad


CREATE_GRAPH = ("create_graph=True needs a graph of the gradient, and tinynet's ops compute "
                "backward on numpy arrays (no double backward); take finite differences of "
                "a gradient instead")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """dL/d each of ``inputs`` for L = Σᵢ ⟨outputs[i], grad_outputs[i]⟩, as a tuple,
    without writing any tensor's ``.grad`` (nor a retained one's, nor running
    post-accumulate hooks); the tensors' own ``register_hook`` hooks apply.

    Args:
        outputs: a tensor or a sequence of tensors that require grad.
        inputs: a tensor or a sequence of tensors that require grad (leaves or not).
        grad_outputs: per output, dL/d output (a tensor or array of its shape), or None
            for a one-element output (then 1).
        retain_graph: keep the graph for another pass (default False).
        create_graph: refused: tinynet's backward runs on numpy arrays, so there is no
            graph of the gradient (no double backward; docs/api.md).
        only_inputs: PyTorch's deprecated argument; only True (it has no effect there
            either).
        allow_unused: return None for an input the outputs do not depend on, instead of
            raising (default False; True when ``materialize_grads``).
        is_grads_batched: the first dimension of each grad_outputs indexes a batch of
            them: one pass each (PyTorch vectorises them), the results stacked along a
            new first dimension.
        materialize_grads: zeros instead of None for such inputs.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([1.0, 2.0], requires_grad=True)
        >>> (g,) = tn.autograd.grad((x * x).sum(), x)
        >>> g.tolist(), x.grad is None
        ([2.0, 4.0], True)
    """
    if create_graph:
        raise NotImplementedError(f"autograd.grad: {CREATE_GRAPH}")
    if only_inputs is not True:
        raise ValueError(f"autograd.grad: only_inputs must be True (PyTorch deprecated it and "
                         f"ignores it), got {only_inputs!r}")
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, allow_unused,
                             materialize_grads)
    outputs = _as_tensors("autograd.grad", "outputs", outputs)
    inputs = _as_tensors("autograd.grad", "inputs", inputs)
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    if materialize_grads and not allow_unused:
        raise ValueError("autograd.grad: materialize_grads=True needs allow_unused=True (or "
                         "None), got allow_unused=False")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: inputs[{i}] does not require grad: nothing "
                               f"to differentiate with respect to")
    root, seed = _root("autograd.grad", "outputs", outputs, "grad_outputs", grad_outputs)
    capture = {_node_key(t): None for t in inputs}
    backward_pass(root, seed, bool(retain_graph), capture, _on_paths_to(root, capture))
    return tuple(_result(t, capture[_node_key(t)], i, allow_unused, materialize_grads)
                 for i, t in enumerate(inputs))


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, allow_unused,
                  materialize_grads) -> tuple:
    """``grad(..., is_grads_batched=True)``: one pass per row of the grad_outputs, the
    graph kept until the last (unless ``retain_graph``), the rows' results stacked."""
    from tinynet.combining import stack

    outputs = _as_tensors("autograd.grad", "outputs", outputs)
    if grad_outputs is None:
        raise ValueError("autograd.grad: is_grads_batched=True needs grad_outputs, a batch of "
                         "them per output (its first dimension)")
    rows = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    sizes = {len(g) for g in rows}
    if len(sizes) != 1 or not sizes.pop():
        raise ValueError(f"autograd.grad: with is_grads_batched=True every grad_outputs must "
                         f"have the same first dimension (the batch), at least 1, got "
                         f"shapes {[tuple(g.shape) for g in rows]}")
    batch = len(rows[0])
    results = [grad(outputs, inputs, [g[b] for g in rows],
                    retain_graph=True if b < batch - 1 else retain_graph,
                    allow_unused=allow_unused, materialize_grads=materialize_grads)
               for b in range(batch)]
    return tuple(None if any(r[i] is None for r in results) else
                 stack([r[i] for r in results]) for i in range(len(results[0])))


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradient of Σᵢ ⟨tensors[i],
    grad_tensors[i]⟩ (``grad_tensors[i]`` None for a one-element tensor: 1), as
    ``torch.autograd.backward``: one pass for several outputs. With ``inputs`` (a tensor
    or tensors, leaves or not), only their ``.grad`` is accumulated into; an input the
    outputs do not reach is left alone. ``create_graph`` is refused, as in ``grad``.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([1.0, 2.0], requires_grad=True)
        >>> tn.autograd.backward([x.sum(), (x * x).sum()])
        >>> x.grad.tolist()
        [3.0, 5.0]
    """
    if inputs is not None:
        inputs = _as_tensors("backward", "inputs", inputs)
        found = grad(tensors, inputs, grad_tensors, retain_graph, create_graph,
                     allow_unused=True)
        adopted = set()
        with no_grad():  # (the hooks run as in a backward pass)
            for t, g in zip(inputs, found):
                if g is not None:
                    _accumulate_leaf_grad(t, g.array, adopted)
                    if t._grad_hooks:
                        _run_grad_hooks(t)
        return
    if create_graph:
        raise NotImplementedError(f"backward: {CREATE_GRAPH}")
    tensors = _as_tensors("autograd.backward", "tensors", tensors)
    root, seed = _root("autograd.backward", "tensors", tensors, "grad_tensors", grad_tensors)
    backward_pass(root, seed, bool(retain_graph))


def _as_tensors(where: str, name: str, value) -> list:
    """``value`` (a Tensor or a sequence of them) as a list of Tensors."""
    items = [value] if isinstance(value, Tensor) else list(value)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: {name} must be Tensors, got {type(t).__name__} at "
                            f"position {i}")
    if not items:
        raise ValueError(f"{where}: {name} must hold at least one Tensor")
    return items


def _root(where: str, name: str, outputs: list, grads_name: str, grads) -> tuple:
    """One tensor to start the pass from, and dL/d it: the output itself for one output,
    else Σᵢ ⟨outputs[i], grads[i]⟩ (whose gradient is each grads[i]). ``name`` and
    ``grads_name`` are the caller's names for the two arguments, used in errors."""
    if grads is None or isinstance(grads, (Tensor, np.ndarray)):
        grads = [grads] * len(outputs) if grads is None else [grads]
    grads = list(grads)
    if len(grads) != len(outputs):
        raise ValueError(f"{where}: {grads_name} must hold one gradient per tensor of {name} "
                         f"({len(outputs)}), got {len(grads)}")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not out.requires_grad:
            raise RuntimeError(f"{where}: {name}[{i}] does not require grad and does not "
                               f"have a grad_fn: nothing to differentiate")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(f"{where}: grad can be implicitly created only for scalar "
                                   f"outputs: {name}[{i}] has shape {out.shape}; pass "
                                   f"{grads_name}")
            g = np.ones_like(out.array)
        g = np.array(g.array if isinstance(g, Tensor) else g, dtype=out.array.dtype)
        if g.shape != out.array.shape:
            raise RuntimeError(f"{where}: {grads_name}[{i}] must have {name}[{i}]'s shape "
                               f"{out.shape}, got {g.shape}")
        seeds.append(g)
    if len(outputs) == 1:
        return outputs[0], seeds[0]
    with enable_grad():  # (the sum's graph is needed under no_grad too)
        total = sum((out * Tensor._wrap(np.array(g), False, None)).sum()
                    for out, g in zip(outputs, seeds))
    return total, np.ones_like(total.array)


def _on_paths_to(root, wanted: dict) -> set:
    """The ids of the contexts with a wanted node below them: the only ones whose backward
    the pass runs, as PyTorch's (the rest of the graph keeps its arrays, and its hooks do
    not run). A context already freed, and not wanted itself, counts: what is below it is
    unknown, so the pass runs it and reports that it was freed."""
    if root._ctx is None:
        return set()
    reaches, stack = {}, [(root._ctx, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in reaches:
            continue
        children = [c for c in node.next_nodes or () if c is not None]
        if not children_done:
            stack.append((node, True))
            stack.extend((c, False) for c in children
                         if not isinstance(c, Tensor) and id(c) not in reaches)
            continue
        if node.next_nodes is None:
            reaches[id(node)] = id(node) not in wanted
            continue
        reaches[id(node)] = any(
            id(c) in wanted or (not isinstance(c, Tensor) and reaches.get(id(c), False))
            for c in children)
    return {key for key, reached in reaches.items() if reached}


def _node_key(t) -> int:
    """Where the pass finds a tensor's gradient: the leaf itself, or the op that made it."""
    return id(t) if t._ctx is None else id(t._ctx)


def _result(t, g, i: int, allow_unused: bool, materialize: bool):
    if g is None:
        if not allow_unused:
            raise RuntimeError(f"autograd.grad: inputs[{i}] was not used in the graph of the "
                               f"outputs; pass allow_unused=True to get None for it")
        return Tensor._wrap(np.zeros_like(t.array), False, None) if materialize else None
    g = np.asarray(g, dtype=t.array.dtype)
    return Tensor._wrap(np.array(g), False, None)  # (a copy: the pass's arrays may be
    # views of a gradient buffer)


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
