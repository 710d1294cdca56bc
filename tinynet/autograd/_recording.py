"""What ``tn.capture`` learns from one eager call of its function (``_Recording``), and
where each op's arguments come from and its gradients go, in that call's own terms: the
call's inputs, earlier ops' outputs, tensors kept across calls, plain values. Two such
recordings make a plan (``_plan.py``); replay.py tells the whole story."""
import numpy as np

from tinynet.autograd.observers import OBSERVERS, observing

OUT, INPUT, TENSOR, VALUE, DATA = 0, 1, 2, 3, 4  # where an op's argument comes from


class _Recording:
    """One eager call of ``fn``: each op (context, arguments, output tensor), every module
    called, each module call's end (in order, with the forward hooks it ran), whether
    any of their parameters or buffers changed during the call, whether it read a
    tensor's values into Python, and whether it changed a tensor in place."""

    def __init__(self, fn, args, previous):
        self.args, self.ops = args, []
        # what the previous call kept across calls: its modules' state and the tensors its
        # ops read that neither came in nor were made by an op (changed during this call?)
        watched = _state_tensors(previous.modules) + previous.kept if previous is not None \
            else []
        before = [t._version[0] for t in watched]
        seen = [(t._version, t._version[0]) for t in args if isinstance(t, Tensor)]
        arrays = []  # each op's output array as the op made it

        def record(ctx, arguments, out):
            self.ops.append((ctx, arguments, out))
            arrays.append(out.array)
            seen.extend((t._version, t._version[0]) for t in (*arguments, out)
                        if isinstance(t, Tensor))

        outer = (OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks,
                 OBSERVERS.draws)
        (OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks,
         OBSERVERS.draws) = {}, [], 0, 0, 0
        try:
            with observing(forward=record):
                self.result = fn(*args)
        finally:
            self.modules, self.finished = list(OBSERVERS.called.values()), OBSERVERS.finished
            self.read_values = OBSERVERS.reads > 0
            self.hooked_tensors = OBSERVERS.hooks > 0
            self.drew = OBSERVERS.draws > 0
            (OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks,
             OBSERVERS.draws) = outer
        # every module the call could read state from: those it called, those the
        # function holds, and their submodules (a weight read without a call: tied
        # weights, F.linear(h, self.head.weight))
        self.reached = reachable(self.modules + held_modules(fn))
        self.changed_state = [t._version[0] for t in watched] != before
        made = {id(out) for _, _, out in self.ops} | {id(a) for a in args}
        self.kept = list({id(t): t for _, arguments, _ in self.ops for t in arguments
                          if isinstance(t, Tensor) and id(t) not in made}.values())
        # an input, an op's argument or output changed after it was seen (x += 1, a write
        # through x.detach()), or an in-place op in the graph made a tensor the output of
        # another op (loss += penalty: the tensor holds that op's array now)
        self.changed_in_place = any(counter[0] != version for counter, version in seen) or \
            any(out.array is not array for (_, _, out), array in zip(self.ops, arrays))


def _state_tensors(modules) -> list:
    return [t for m in modules for t in list(m.parameters(recurse=False))
            + list(m.buffers(recurse=False))]


def reachable(modules) -> list:
    """``modules`` and their submodules, each once."""
    return list({id(m): m for module in modules for m in module.modules()}.values())


def held_modules(fn) -> list:
    """The modules ``fn`` holds: itself or the object of a bound method (a module's
    forward), the modules in its closure, and the global names it reads. (One level: a
    module reached only through another function it calls is not seen.)"""
    code = getattr(fn, "__code__", None)
    candidates = [fn, getattr(fn, "__self__", None)]
    candidates += [cell.cell_contents for cell in getattr(fn, "__closure__", None) or ()
                   if _filled(cell)]
    if code is not None:
        candidates += [getattr(fn, "__globals__", {}).get(name) for name in code.co_names]
    return [c for c in candidates if _is_module(c)]


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a cell not yet assigned
        return False
    return True


def _is_module(value) -> bool:
    """Whether ``value`` is an nn.Module (by what a replay reads of it: the autograd
    package sits below nn)."""
    return callable(getattr(value, "modules", None)) and hasattr(value, "_forward_hooks") \
        and not isinstance(value, type)


class _NotReplayable(Exception):
    """Why two recorded calls cannot be replayed."""


def _sources(recording) -> list:
    """Per op, per argument: (kind, reference) in this recording's own terms. A tensor is
    found by itself (an input, an op's output), else by its array, as is a plain array
    argument: an input's or an op's very array, in another tensor (x.detach()) or passed
    bare (x[i] indexes by i's array), is read from the call's input or the op's output
    when replayed, not kept as a constant."""
    by_tensor = _by_tensor(recording)
    by_array = {**{id(out.array): (OUT, j) for j, (_, _, out) in enumerate(recording.ops)},
                **{id(a.array): (INPUT, k) for k, a in enumerate(recording.args)
                   if isinstance(a, Tensor)}}
    arrays = [out.array for _, _, out in recording.ops] + \
        [a.array for a in recording.args if isinstance(a, Tensor)]
    # the modules' parameters and buffers, by their arrays: one passed as its bare array
    # (a loss's weight, BatchNorm's running mean in eval) is read from its tensor
    state = {id(t.array): (TENSOR, t) for t in _state_tensors(recording.reached)}
    rows = []
    for _, args, _ in recording.ops:
        row = []
        for a in args:
            if isinstance(a, Tensor):
                row.append(_tensor_source(a, by_tensor, by_array, state, arrays))
            elif type(a) is np.ndarray and id(a) in by_array:
                row.append(by_array[id(a)])
            elif type(a) is np.ndarray and id(a) in state:
                row.append(state[id(a)])
            elif _made_from(a, arrays):  # memory of such an array, alone or in a tuple
                row.append((DATA, a))  # (an index (slice, i.array), say): not replayed
            else:  # as Function.apply passes it: numpy scalars become Python ones
                row.append((VALUE, a.item() if isinstance(a, np.generic) else a))
        rows.append(row)
    return rows


def _tensor_source(t, by_tensor: dict, by_array: dict, state: dict, arrays: list) -> tuple:
    """Where the tensor argument ``t`` comes from: itself (an input, an op's output, else a
    tensor kept across calls); or, for one that requires no grad, its array (an input's
    or an op's: x.detach(); a module's parameter or buffer), and DATA for one sharing
    memory with an input or an op's output otherwise (a view: read at no later call). A
    tensor that requires grad is always itself: a parameter whose array an input shares
    (``w.detach()`` passed in) keeps its own gradient."""
    found = by_tensor.get(id(t))
    if found is not None:
        return found
    if not t.requires_grad:
        found = by_array.get(id(t.array)) or state.get(id(t.array))
        if found is not None:
            return found
        if _made_from(t.array, arrays):
            return DATA, t
    return TENSOR, t


def _made_from(value, arrays: list) -> bool:
    """Whether ``value`` is an array that may share memory with one of ``arrays`` (a view
    of one, or of what it views), or a tuple or list holding such an array."""
    if isinstance(value, (tuple, list)):
        return any(_made_from(v, arrays) for v in value)
    return isinstance(value, np.ndarray) and any(np.may_share_memory(value, a)
                                                 for a in arrays)


def _by_tensor(recording) -> dict:
    """id(tensor) -> (INPUT, k) for the call's inputs, (OUT, j) for the ops' outputs."""
    return {**{id(a): (INPUT, k) for k, a in enumerate(recording.args)
               if isinstance(a, Tensor)},
            **{id(out): (OUT, j) for j, (_, _, out) in enumerate(recording.ops)}}


def _same_value(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
            a.dtype == b.dtype and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    try:
        return a is b or bool(a == b)
    except (TypeError, ValueError):
        return False


def _outputs(recording) -> list:
    """The indices of the ops that made what the call returned."""
    result = recording.result
    items = result if isinstance(result, tuple) else (result,)
    made = {id(out): j for j, (_, _, out) in enumerate(recording.ops)}
    if not items or not all(isinstance(t, Tensor) and id(t) in made for t in items):
        raise _NotReplayable("it must return a Tensor made by its ops, or a tuple of them")
    return [made[id(t)] for t in items]


def _module_calls(first, second) -> list:
    """Per module call of ``second``, in the order the calls ended: (module, where its
    inputs and output are, whether it ended in the mode a replay runs its hooks in).
    ``where`` is ((kind, reference) per input, (kind, reference)), or None when the
    replay does not have them (an input or output that is not a tensor from the call's
    inputs or ops) or the two recordings found them in different places. The mode: grad
    mode on and the module's ``training`` flag as the whole call left it (as ``ready``
    requires it at the start of a replayed call)."""
    training = {id(m): m.training for m in second.modules}  # what ready() requires
    calls = []
    for recording in (first, second):
        by_tensor = _by_tensor(recording)
        calls.append([(module, _located(by_tensor, args, out),
                       state == (training.get(id(module)), True))
                      for module, _, args, out, state in recording.finished])
    if [m for m, *_ in calls[0]] != [m for m, *_ in calls[1]]:
        return [(module, None, False) for module, *_ in calls[1]]
    return [(module, where if where == where1 else None, plain and plain1)
            for (_, where1, plain1), (module, where, plain) in zip(*calls)]


def _located(by_tensor, args, out):
    """Where a module call's inputs and output are (see ``_module_calls``), or None."""
    inputs = [by_tensor.get(id(a)) if isinstance(a, Tensor) else None for a in args]
    output = by_tensor.get(id(out)) if isinstance(out, Tensor) else None
    if None in inputs or output is None:
        return None
    return tuple(inputs), output


def _targets(sources, ctx) -> list:
    """Per argument: where its gradient goes (None, ('op', j), ('leaf', tensor) or
    ('input', k)) and the shape it must have."""
    targets = []
    for (kind, ref), node in zip(sources, ctx.next_nodes):
        if node is None:
            targets.append((None, None))
        elif kind == OUT:
            targets.append((("op", ref), node.out_shape))
        elif kind == INPUT:
            targets.append((("input", ref), node.array.shape))
        elif ref._ctx is not None:
            raise _NotReplayable("it reads a tensor made before the call by ops that "
                                 "record gradients (no leaf): its gradient must go on "
                                 "through their graph, which a replay does not do; make "
                                 "it inside the function, or detach it")
        else:
            targets.append((("leaf", ref), ref.array.shape))
    return targets


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
