"""The backward pass: walk the graph from the output in reverse topological order,
call each op's ``backward``, and accumulate gradients.

Three jobs happen here and nowhere else:
  * summing the gradients of a tensor used more than once;
  * ``unbroadcast``: reducing a gradient to the shape of the input it belongs to;
  * writing ``.grad`` of leaves (those that still require grad), and freeing the graph
    afterwards.
It also runs the hooks on gradients: a tensor's ``register_hook`` hooks on its summed
gradient (before an op's backward reads it, or before a leaf's ``.grad`` takes it), and
a leaf's post-accumulate hooks once its ``.grad`` is written.
"""
import heapq

import numpy as np

from tinynet.autograd.grad_mode import _GradMode
from tinynet.autograd.observers import OBSERVERS


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcasting added or stretched, so it has ``shape``.

    If ``x`` of shape (3, 1) met ``y`` of shape (4,) in ``x + y`` (output (3, 4)), then
    dL/dx = sum over axis 1 of dL/d(out), kept as (3, 1); dL/dy = sum over axis 0.
    """
    _check_broadcast_to(grad.shape, shape)
    # BEGIN SOLUTION unbroadcast
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)
    # END SOLUTION


def _check_broadcast_to(grad_shape: tuple, shape: tuple) -> None:
    """Raise unless ``shape`` broadcasts to ``grad_shape``: a gradient an op's backward
    returned must have its input's shape, or one the input was broadcast to (then summed
    back), as PyTorch's engine checks; reshaping any other would scramble it silently."""
    extra = len(grad_shape) - len(shape)
    if extra >= 0 and all(n in (g, 1) for n, g in zip(shape, grad_shape[extra:])):
        return
    raise RuntimeError(f"backward: an op's backward returned a gradient of shape "
                       f"{tuple(grad_shape)} for an input of shape {tuple(shape)}: it must "
                       f"have the input's shape (or one the input was broadcast to in "
                       f"forward); tn.autograd.detect_anomaly() names the op")


def run_backward(root, grad: np.ndarray, retain_graph: bool, capture: dict = None,
                 only: set = None) -> None:
    """Propagate ``grad`` (dL/d root) to every leaf that requires grad.

    The graph's nodes are op contexts (``ctx``); each names in ``ctx.next_nodes`` where
    its inputs' gradients go: the context that made the input, or a leaf tensor.
    Ops run in decreasing creation order (each op's ``seq``; a priority queue, as in
    PyTorch's engine). An op is always created after the ops that made its inputs, so
    when an op runs, every op that consumed its output has already run and its
    gradient is complete. No separate topological sort, no recursion: a 10,000-op
    chain is fine, and the order is deterministic. Leaves are written last, in the
    order their gradients first arrived.

    ``capture`` (``tn.autograd.grad``'s pass): {id(node): None} for the nodes (leaf
    tensors, or the contexts that made non-leaf tensors) whose gradients to return; it
    is filled with them, and no ``.grad`` is written; ``only``: the ids of the contexts
    whose backward runs (those with a captured node below them), the others are left as
    they are.
    """
    if root._ctx is None:
        if capture is None:
            _write_leaf_grads([root], {id(root): grad})
        elif id(root) in capture:
            capture[id(root)] = _captured(root._hooks, grad)
        return
    observers = OBSERVERS.backward  # anomaly detection, the backward trace
    adopted = set()  # ids of arrays that already became some tensor's .grad
    if getattr(root._ctx, "to_leaves_only", False) and not observers and capture is None:
        _run_leaves_only(root._ctx, grad, retain_graph, adopted)
        return
    grads = {id(root._ctx): grad}  # id(node) -> dL/d(the node's output), summed so far
    ready = [(-root._ctx.seq, root._ctx)]
    leaves = []
    plain = capture is None  # backward(): every op runs (else tn.autograd.grad's pass)
    while ready:
        ctx = heapq.heappop(ready)[1]
        g = grads.pop(id(ctx))
        if not plain:
            runs = only is None or id(ctx) in only
            wanted = id(ctx) in capture
            if not (runs or wanted):
                continue
        if ctx.tensor_hooks:
            g = _run_tensor_hooks(ctx.tensor_hooks, g, adopted)
        if not plain:
            if wanted:
                capture[id(ctx)] = g
            if not runs:
                continue
        input_grads = _call_backward(ctx, g, adopted, plain)
        if len(input_grads) != len(ctx.next_nodes):
            arity_error(ctx, len(ctx.next_nodes), input_grads)
        if observers:
            for observe in observers:
                observe(ctx, g, input_grads)
        # BEGIN SOLUTION backward
        for node, gx in zip(ctx.next_nodes, input_grads):
            if node is None or gx is None:
                continue
            is_leaf = isinstance(node, _Tensor)
            shape = node.array.shape if is_leaf else node.out_shape
            if gx.shape != shape:
                gx = unbroadcast(gx, shape)
            key = id(node)
            previous = grads.get(key)
            if previous is None:
                grads[key] = gx
                if is_leaf:
                    leaves.append(node)
                else:
                    heapq.heappush(ready, (-node.seq, node))
            else:
                # NOTE: out of place: gx may be the very array another input received.
                grads[key] = previous + gx
        # END SOLUTION
        if not retain_graph:
            ctx.release()  # what it saved, and its links: the graph is freed as it goes
    if plain:
        _write_leaf_grads(leaves, grads, adopted)
        return
    for leaf in leaves:
        if id(leaf) in capture:
            capture[id(leaf)] = _captured(leaf._hooks, grads[id(leaf)])


def backward_pass(root, grad: np.ndarray, retain_graph: bool, capture: dict = None,
                  only: set = None) -> None:
    """``run_backward`` with grad mode off, as PyTorch's engine runs it: what an op's
    backward or a hook computes is not recorded (a hook may then change a leaf in place:
    ``p.add_(p.grad, alpha=-lr)`` in a post-accumulate hook)."""
    recording, _GradMode.enabled = _GradMode.enabled, False
    try:
        run_backward(root, grad, retain_graph, capture, only)
    finally:
        _GradMode.enabled = recording


def _captured(hooks: dict, g: np.ndarray) -> np.ndarray:
    """A leaf's gradient as ``tn.autograd.grad`` returns it: after its tensor hooks."""
    return _run_tensor_hooks(hooks, g, set()) if hooks else g


def _call_backward(ctx, g: np.ndarray, adopted: set, retained: bool = True) -> tuple:
    """``ctx``'s backward on ``g`` (dL/d its output), after the checks that its graph is
    still there and its saved arrays unchanged, and once a retained output got ``g``
    (unless ``retained`` is False: ``tn.autograd.grad`` writes no ``.grad``): one
    gradient per input."""
    if ctx.next_nodes is None:
        raise RuntimeError(
            "Trying to backward through the graph a second time: its saved values "
            "were freed by the first backward(). Pass retain_graph=True to the "
            "first call if you need to backward twice.")
    _check_saved_unchanged(ctx)
    if retained and ctx.retained is not None and ctx.retained() is not None:
        _retain(ctx.retained(), g, adopted)
    try:
        input_grads = type(ctx).backward(ctx, g)
    except Exception as error:
        if OBSERVERS.forward:  # (anomaly mode recorded where the op was made)
            warn_backward_error(ctx, error)
        if isinstance(error, AttributeError):
            raise numpy_hint(type(ctx), "backward", error) from error
        raise
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if type(ctx)._checked:  # a Function written outside tinynet
        input_grads = user_grads(ctx, input_grads)
    return input_grads


def _run_leaves_only(ctx, grad: np.ndarray, retain_graph: bool, adopted: set) -> None:
    """run_backward from a node whose inputs are all leaves, each named once, whose
    backward returns each one's whole gradient in its shape, in the order the leaves
    are to be written, as a replayed call's node (``tn.capture``) does: nothing left to
    sum or reduce, so the gradients go straight to the leaves."""
    if ctx.tensor_hooks:
        grad = _run_tensor_hooks(ctx.tensor_hooks, grad, adopted)
    input_grads = _call_backward(ctx, grad, adopted)
    leaves = ctx.next_nodes
    if len(input_grads) != len(leaves):
        arity_error(ctx, len(leaves), input_grads)
    if not retain_graph:  # before any hook runs, as in run_backward
        ctx.release()
    base = getattr(ctx, "grads_base", None)  # a flat array whose views it hands over
    wrap = _Tensor._wrap
    for leaf, g in zip(leaves, input_grads):
        if g is None:
            continue
        if g.base is base and base is not None and leaf.grad is None and \
                g.dtype is leaf.array.dtype and not leaf._hooks and leaf._requires_grad:
            leaf._grad = wrap(g, False, None)  # the usual case, in short: a view to adopt
            if leaf._grad_hooks:
                _run_grad_hooks(leaf)
        else:
            _write_leaf_grad(leaf, g, adopted, base)


def arity_error(ctx, expected: int, grads) -> None:
    """Raise for a ``backward`` that returned other than ``expected`` gradients; more are
    allowed when the extra ones are None, as in PyTorch (the callers pair the gradients
    with the inputs, so those are left out)."""
    if len(grads) > expected and all(g is None for g in grads[expected:]):
        return
    raise RuntimeError(f"backward: {type(ctx).__name__}.backward must return one gradient per "
                       f"forward input ({expected}, None for an input that needs none), got "
                       f"{len(grads)}")


def _write_leaf_grads(leaves: list, grads: dict, adopted: set = None) -> None:
    """Add each leaf's gradient into its ``.grad``, then run its post-accumulate hooks."""
    adopted = set() if adopted is None else adopted
    for leaf in leaves:
        _write_leaf_grad(leaf, grads.pop(id(leaf)), adopted)


def _write_leaf_grad(leaf, g: np.ndarray, adopted: set, grads_base=None) -> None:
    if leaf._hooks:  # on the gradient in the leaf's dtype, as .grad will hold it
        g = _run_tensor_hooks(leaf._hooks, np.asarray(g, leaf.array.dtype), adopted)
    if not leaf._requires_grad:  # requires_grad_(False) since the graph was built: no
        return  # .grad, as PyTorch's AccumulateGrad (its tensor hooks have run)
    _accumulate_leaf_grad(leaf, g, adopted, grads_base)
    if leaf._grad_hooks:
        _run_grad_hooks(leaf)


def _run_tensor_hooks(hooks: dict, g: np.ndarray, adopted: set) -> np.ndarray:
    """A tensor's ``register_hook`` hooks on ``g``, its summed gradient, in order: each
    gets it as a Tensor, and a Tensor one returns replaces it for the next hook and for
    the rest of the pass. NOTE: a hook may keep what it got or returned, so neither
    array becomes a ``.grad`` without a copy (``adopted``)."""
    if type(g) is not np.ndarray:  # a numpy scalar, from a reduction over every axis
        g = np.asarray(g)
    for hook in list(hooks.values()):
        adopted.add(id(g))
        result = hook(_Tensor._wrap(g, False, None))
        if result is not None:
            g = _hook_result(hook, result, g)
    adopted.add(id(g))
    return g


def _hook_result(hook, result, g: np.ndarray) -> np.ndarray:
    """The array of the gradient ``hook`` returned: a Tensor of ``g``'s shape and dtype,
    as PyTorch requires."""
    name = getattr(hook, "__name__", repr(hook))
    if not isinstance(result, _Tensor):
        raise TypeError(f"register_hook: hook {name!r} must return a Tensor or None, got "
                        f"{type(result).__name__}")
    if result.array.shape != g.shape:
        raise RuntimeError(f"register_hook: hook {name!r} has changed the size of the "
                           f"gradient: it must keep shape {g.shape}, got {result.array.shape}")
    if result.array.dtype != g.dtype:
        raise RuntimeError(f"register_hook: hook {name!r} has changed the type of the "
                           f"gradient: it must keep dtype {g.dtype}, got {result.array.dtype}")
    return result.array


def _run_grad_hooks(leaf) -> None:
    """The leaf's post-accumulate-grad hooks, once its ``.grad`` is written."""
    for hook in list(leaf._grad_hooks.values()):
        hook(leaf)


def _user(ctx, i: int) -> str:
    """The op that saved ``ctx``'s i-th checked tensor: ``ctx``'s own, or, for a call
    replayed by tn.capture, the replayed op's."""
    saved_by = getattr(ctx, "saved_by", None)
    if saved_by is None:
        return type(ctx).__name__
    return f"{saved_by[i]} (replayed by tn.capture)"


def _check_saved_unchanged(ctx) -> None:
    """Raise if an array ``ctx`` saved was changed in place after the op ran: the
    gradient would be computed from the new values, silently wrong. A change to an array
    the op did not save (an input of Add, say) is harmless and allowed, as in PyTorch."""
    for i, (counter, version, x) in enumerate(ctx.versions):
        if counter[0] != version:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by "
                f"an in-place operation: a tensor of shape {x.shape} used by "
                f"{_user(ctx, i)} is at version {counter[0]}, expected version "
                f"{version}. Change it out of place, or only after backward().")
    if ctx.out_version is not None and ctx.out_version[0] != 0:
        raise RuntimeError(
            f"one of the tensors needed for gradient computation has been modified by "
            f"an in-place operation: the output of {type(ctx).__name__}, which its "
            f"backward needs, is at version {ctx.out_version[0]}, expected version 0. "
            f"Change it out of place, or only after backward().")


def _retain(t, g: np.ndarray, adopted: set) -> None:
    """A non-leaf's ``.grad`` (it called ``retain_grad()``): the first pass's gradient, then
    the sum, in a new tensor each time, as in PyTorch (a leaf's ``.grad`` is added to in
    place: a reference to the old one sees the sum there)."""
    if t.grad is None:
        _accumulate_leaf_grad(t, g, adopted)
    else:
        t._grad = _Tensor._wrap(t.grad.array + np.asarray(g, t.array.dtype), False, None)


def _accumulate_leaf_grad(leaf, g: np.ndarray, adopted: set, grads_base=None) -> None:
    """Add ``g`` into ``leaf.grad``; the first time, adopt ``g`` without a copy when it
    owns its data, is writeable and no other leaf took it in this pass, or is a view of
    ``grads_base`` (a flat array of gradients its node hands over: see grad_buffer.py).
    NOTE: so a backward must return fresh arrays, not one some tensor holds (as
    tinynet's ops do; PyTorch's engine counts references to decide the same)."""
    if type(g) is not np.ndarray:  # a numpy scalar, from a reduction over every axis
        g = np.asarray(g)
    dtype, flags = leaf.array.dtype, g.flags
    if g.dtype is not dtype and g.dtype != dtype:  # (identity first: the usual case)
        g = g.astype(dtype)
    elif id(g) in adopted or not (flags.owndata and flags.writeable) and \
            (grads_base is None or g.base is not grads_base):  # (its views are writeable)
        g = g.copy()
    grad = leaf.grad
    if grad is None:
        adopted.add(id(g))
        leaf._grad = _Tensor._wrap(g, False, None)
    else:
        grad.array += g


from tinynet.tensor import Tensor as _Tensor  # noqa: E402  (cycle: tensor.py imports this)
from tinynet.autograd.function import numpy_hint, user_grads  # noqa: E402
from tinynet.autograd.anomaly import warn_backward_error  # noqa: E402
