"""``tn.capture``: record the ops of a forward function once, then replay them.

A training loop runs the same ops on arrays of the same shapes at every step. After two
ordinary (eager) calls, ``capture`` knows those ops: which op class ran, in what order, on
which of the call's inputs, parameters and earlier results. From the third call on it
replays them: each op's own ``forward`` on the new arrays, with one reused context per
op, and, when the returned loss's ``backward()`` runs, each op's own ``backward`` in the
order the engine runs them, summing gradients in the same order. No Tensor, no module
call and no graph bookkeeping happens per op, and the numbers are the eager ones, bit
for bit.

A call runs eagerly (the function as it is) whenever replaying might differ: other input
shapes, dtypes or plain arguments (each signature gets its own recordings, so a last,
smaller batch works too), grad mode off, a module's ``training`` flag changed, a module
with a forward pre-hook or with a forward hook not marked for replay (such calls are not
recorded either), a parameter of another shape or dtype, anomaly detection or another
observer on, the fast-path switch flipped, or class targets outside [0, C). Two marks
let a forward hook run on replayed calls, as often and in the order an eager call runs
it (after the replayed forward, each call's hooks read from its module in the order the
calls ended); such a hook returns None and changes no value or mode. ``hook.replay_safe =
True`` (the Monitor's step counter): it reads neither its module's inputs nor its
output, and gets None for both. ``hook.replay_reads = True`` (the Monitor's activation
hooks): it reads their values, and gets the call's inputs and output, each an input of
the function as it came in or an op's output as a tensor that requires no grad (whose
``grad_fn`` is the replayed op, for what its forward saved); a call whose input or
output is neither (a tuple, say) runs eagerly. Either may read its module's
``training`` flag and grad mode: a function with a module call in another mode (under
no_grad, after ``eval()``) runs eagerly while hooks are attached. A
function whose two recorded calls differ (ops that depend on the values of the inputs, a
number or a tensor built from the data outside tinynet's ops, a tensor kept across calls
changed in place, as BatchNorm's running statistics), or that reads a
tensor's values into Python (``item()``, ``bool()``, ``float()``, ``tolist()``,
``numpy()``, printing or formatting a tensor) or into a tensor no op makes (a
comparison, ``argmax``, a boolean mask, ``nonzero()``, ``tn.tensor(t)``, ``copy_``; an
``if`` on a value may take the other branch later, and such a tensor would be replayed as
the recorded one), that changes a tensor in place (``loss += penalty``, a residual
``h += x``, a write into an input or through ``x.detach()``), or that registers a tensor
hook (``register_hook``, ``register_post_accumulate_grad_hook``, ``retain_grad()``), is
never replayed: it runs eagerly, with one warning saying why. Tensor hooks registered
outside the function, on a parameter, an input or the returned loss, run on replayed
calls as on eager ones (the engine runs them). Ops that trust integer indices
(cross-entropy's and NLL's classes, an embedding's rows, one_hot, gather) get the eager
range checks, and a cross-entropy recorded on padded batches (ignore_index=-100) replays
only padded ones, for which the eager function takes the same op.

NOTE: what replay does not run, it cannot check: Python side effects inside the function
(a counter, a print of other things), control flow on values read through ``.array``
(tinynet's own attribute, not watched), and a value computed from the inputs that way
and passed to an op, which is taken for a constant when it is the same in both recorded
calls. (A tensor sharing an input's or an op's array, as ``x.detach()``, is read at each
call.) And a replay keeps what the function reached from outside, besides the values of
its inputs and of the tensors it read: plain Python values (a weight from a schedule
that had the same value at both recorded calls), module attributes (Dropout's ``p``),
and which modules it reached (a submodule replaced by a new object is not seen: the
replay runs the old one; a parameter or buffer replaced by a new tensor sends the call
down the eager path). After changing one of those, make a new ``tn.capture``. Capture
pure forward functions, as for CUDA graphs. A loss must be
backpropagated before the next call: the ops' saved values are reused (an earlier loss's
``backward()`` then raises).
"""
import warnings

import numpy as np

from tinynet import fastpath
from tinynet.autograd.engine import arity_error, unbroadcast
from tinynet.autograd.function import Function, _sequence
from tinynet.autograd.grad_buffer import GradBuffer, destinations, places_for
from tinynet.autograd.grad_mode import _GradMode
from tinynet.autograd.observers import OBSERVERS, observing

OUT, INPUT, TENSOR, VALUE = 0, 1, 2, 3  # where an op's argument comes from
MAX_SIGNATURES = 8  # recordings kept per captured function
UNROLL_MAX_OPS = 1000  # larger plans replay with the loops: compiling their unrolled code
# takes longer the longer they are, and the per-op lookups it saves weigh less
RECORDINGS = 2  # eager calls compared before replaying
# ops trusting an argument of integer indices to lie in [0, n), as the eager functions
# checked (a negative index would silently wrap): op -> (which argument, n from the args)
INDEX_OPS = {"CrossEntropy": (1, lambda args: args[0].array.shape[-1]),
             "CrossEntropyGeneral": (1, lambda args: args[0].array.shape[-1]),
             "NLLLoss": (1, lambda args: args[0].array.shape[-1]),
             "Embedding": (1, lambda args: args[0].array.shape[0]),
             "OneHot": (0, lambda args: args[1]),
             "Gather": (2, lambda args: args[0].array.shape[args[1]])}


class capture:
    """Wrap ``fn(*args) -> loss`` (or a tuple of tensors whose first is the loss) so that
    repeated calls replay its ops; see the module docstring.

    Args:
        fn: a function of tensors (and plain, hashable values) returning a Tensor, or a
            tuple of Tensors: the first is differentiable, the others come back detached.

    Attributes:
        replays, eager_calls: how many calls were replayed and how many ran eagerly.

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Linear(3, 2)
        >>> loss_of = tn.capture(lambda x, y: tn.nn.functional.cross_entropy(model(x), y))
        >>> for step in range(4):
        ...     model.zero_grad()
        ...     loss = loss_of(tn.ones(5, 3), tn.tensor([0, 1, 0, 1, 1]))
        ...     loss.backward()
        >>> loss_of.eager_calls, loss_of.replays
        (2, 2)
    """

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"capture: fn must be callable, got {fn!r}")
        self.fn = fn
        self.replays = self.eager_calls = 0
        self._plans = {}  # signature -> _Plan, [recordings so far], or None (never)
        self._warned = set()
        self._hooked = []  # the modules of the last call left out for its hooks

    def __call__(self, *args):
        key = _signature(args)
        plan = self._plans.get(key, [])
        first_hooked = plan.ready(args) if isinstance(plan, _Plan) else None
        if first_hooked is not None:
            self.replays += 1
            return plan.replay(args, first_hooked)
        self.eager_calls += 1
        if not isinstance(plan, list) or not _recordable() or key is None or \
                len(self._plans) >= MAX_SIGNATURES and key not in self._plans or \
                not all(_replayable(module) for module in self._hooked):
            return self.fn(*args)  # (the last: a hook that made us leave a recording out)
        recording = _Recording(self.fn, args, plan[-1] if plan else None)
        if _signature(args) != key:  # it changed its inputs (x.requires_grad_()): left out
            return recording.result
        if not all(_replay_safe(hooks) for _, hooks, *_ in recording.finished) or \
                any(module._forward_pre_hooks for module in recording.modules):
            # a hook ran that a replay cannot run (see _replayable), so the recording is
            # left out, and so are the next calls while that hook is there
            self._hooked = recording.modules
            return recording.result
        self._hooked = []
        pending = plan + [recording]
        self._plans[key] = pending if len(pending) < RECORDINGS else self._build(pending)
        return recording.result

    def _build(self, recordings: list):
        try:
            return _Plan(recordings[-2], recordings[-1])
        except _NotReplayable as reason:
            if str(reason) not in self._warned:
                self._warned.add(str(reason))
                warnings.warn(f"capture: this function runs eagerly, never replayed: "
                              f"{reason}", UserWarning, stacklevel=3)
            return None


def _signature(args):
    """The shapes, dtypes and plain values a recording holds for; None when a plain
    argument cannot be compared (unhashable), two tensor arguments share one array
    (a replay reads each input by its position) or a tensor argument is no leaf (its
    gradient must go on through the graph that made it): such calls always run eagerly."""
    key, arrays = [], set()
    for a in args:
        if isinstance(a, Tensor):
            if id(a.array) in arrays or a._ctx is not None:
                return None
            arrays.add(id(a.array))
            key.append((a.array.shape, a.array.dtype, a.requires_grad))
        else:
            try:
                hash(a)
            except TypeError:
                return None
            key.append(("value", type(a), a))
    return tuple(key) + (_GradMode.enabled,)


def _recordable() -> bool:
    return _GradMode.enabled and not OBSERVERS.forward and not OBSERVERS.backward


# ---- recording ---------------------------------------------------------------------------
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

        outer = OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks
        OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks = {}, [], 0, 0
        try:
            with observing(forward=record):
                self.result = fn(*args)
        finally:
            self.modules, self.finished = list(OBSERVERS.called.values()), OBSERVERS.finished
            self.read_values = OBSERVERS.reads > 0
            self.hooked_tensors = OBSERVERS.hooks > 0
            OBSERVERS.called, OBSERVERS.finished, OBSERVERS.reads, OBSERVERS.hooks = outer
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
    rows = []
    for _, args, _ in recording.ops:
        row = []
        for a in args:
            if isinstance(a, Tensor):
                row.append(by_tensor.get(id(a)) or by_array.get(id(a.array)) or (TENSOR, a))
            elif type(a) is np.ndarray and id(a) in by_array:
                row.append(by_array[id(a)])
            else:  # as Function.apply passes it: numpy scalars become Python ones
                row.append((VALUE, a.item() if isinstance(a, np.generic) else a))
        rows.append(row)
    return rows


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


class _Op:
    """One recorded op: its class, its own reused context, where its arguments come from,
    where its input gradients go, which of its tensor arguments it saves, the earlier
    outputs free once it has run (``_dead_after``) and the arguments whose gradients it
    can write into a gradient buffer (``grad_buffer.destinations``)."""

    __slots__ = ("cls", "ctx", "sources", "targets", "records", "saved", "frees", "writes")


# ---- the plan: two recordings made into one replay ---------------------------------------
class _Plan:
    """What two identical recorded calls did, ready to replay."""

    def __init__(self, first: _Recording, second: _Recording):
        self.returned = _outputs(second)
        if _outputs(first) != self.returned or \
                [type(c) for c, _, _ in first.ops] != [type(c) for c, _, _ in second.ops]:
            raise _NotReplayable("its two recorded calls ran different ops (they depend on "
                                 "the values of its inputs)")
        if second.changed_state:
            raise _NotReplayable("it changes a tensor kept across calls in place (a module's "
                                 "parameters or buffers, as BatchNorm's running statistics): "
                                 "replay would skip it")
        if first.changed_in_place or second.changed_in_place:
            raise _NotReplayable("it changes a tensor in place (x += ..., a write through "
                                 "x.detach() or .data): a replay would not")
        if first.hooked_tensors or second.hooked_tensors:
            raise _NotReplayable("it registers a tensor hook (register_hook, "
                                 "register_post_accumulate_grad_hook, retain_grad()): a "
                                 "replay would not; register hooks outside the function")
        if first.read_values or second.read_values:
            raise _NotReplayable("it reads tensor values into Python or into tensors no op "
                                 "makes (item(), bool(), tolist(), numpy(), printing, a "
                                 "comparison, argmax, a boolean mask, nonzero()...): what "
                                 "it does may depend on them, and a replay would not read "
                                 "them")
        self.modules = second.modules
        # per module call, with repeats, in the order they ended: (module, where its
        # inputs and output are, whether a hook would see the mode replays run in)
        self.calls = _module_calls(first, second)
        self.hookable = all(plain for _, _, plain in self.calls)
        self.training = [m.training for m in self.modules]
        self.fast_paths = fastpath.fast_paths_enabled()
        self.ops = [self._op(i, first.ops[i], second.ops[i], s1, s2) for i, (s1, s2) in
                    enumerate(zip(_sources(first), _sources(second)))]
        self.tensors = [ref for op in self.ops for kind, ref in op.sources if kind == TENSOR]
        self.layouts = [(t.array.shape, t.array.dtype, t.requires_grad) for t in self.tensors]
        self.target_checks = self._target_checks(second)
        _dead_after(self.ops, self.returned)
        self.backward_order = [i for i in reversed(range(len(self.ops)))
                               if self.ops[i].records]  # newest first, as the engine
        self._index_leaves()
        # per tensor argument: the tensor, its layout, and the array it held (while a
        # parameter keeps its array, updated in place, its layout cannot have changed)
        self.guarded = [[t, layout, t.array] for t, layout in
                        {id(t): (t, layout) for t, layout in
                         zip(self.tensors, self.layouts)}.values()]
        # per such tensor held by a called module (a parameter, a buffer): the module, its
        # name there, and the tensor (replaced by a new one, it is not read)
        self.owned = _owned(self.modules, {id(t) for t in self.tensors})
        self.generation = 0
        self._compile()

    def _compile(self) -> None:
        """Pick the replay's two passes: the loops below, or, with the fast paths on,
        the same loops unrolled into straight-line code (up to UNROLL_MAX_OPS ops); and
        reset what a copy must make for itself."""
        if self.unrolled:
            from tinynet.autograd._unroll import unroll  # (it imports this module)
            self._forward, self._backward = unroll(self)
        else:  # the loops, called as methods: bound methods kept here would make a cycle
            # (plan -> method -> plan), which only the cycle collector frees
            self._forward = self._backward = None
        places, dtype = places_for(self)
        # where the ops write the parameters' gradients (see grad_buffer.py), if anywhere
        self.buffer = GradBuffer(places, dtype) if places else None
        self._forward_keeping = None  # made when a call with hooks first needs it
        self._keeps = {}  # first hooked call -> per value, whether hooks may read it
        # the modules with a call whose values a replay lacks (by id: a copy's are its own)
        self.unlocated = {id(m) for m, where, _ in self.calls if where is None}
        self.first_call = {}  # id(module) -> the index of its first call
        for i, (module, _, _) in enumerate(self.calls):
            self.first_call.setdefault(id(module), i)

    @property
    def unrolled(self) -> bool:
        return self.fast_paths and len(self.ops) <= UNROLL_MAX_OPS

    def __getstate__(self) -> dict:
        # NOTE: the generated functions hold this plan's contexts: a copy compiles its own
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_forward", "_forward_keeping", "_backward", "buffer")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def _op(self, i, entry1, entry2, sources1, sources2) -> _Op:
        ctx1, out1 = entry1[0], entry1[2]
        ctx2, args2, out2 = entry2
        op = _Op()
        op.cls = type(ctx2)
        op.records = out2.grad_fn is not None
        if (out1.grad_fn is not None) != op.records or \
                getattr(ctx1, "needs_input_grad", None) != getattr(ctx2, "needs_input_grad", None):
            raise _NotReplayable(f"op {i} ({op.cls.__name__}) needed gradients differently "
                                 f"in the two recorded calls")
        op.sources = [self._source(i, op.cls, a, b) for a, b in zip(sources1, sources2)]
        op.ctx = op.cls.__new__(op.cls)  # its own: the eager calls' graphs keep theirs
        op.ctx.needs_input_grad = ctx2.needs_input_grad
        op.targets = _targets(op.sources, ctx2) if op.records else []
        op.saved = [k for k, a in enumerate(args2) if op.records and isinstance(a, Tensor)
                    and any(x is a.array for x in ctx2.saved_tensors or ())]
        op.writes = destinations(op.cls, args2, out2) if op.records else ()
        return op

    @staticmethod
    def _source(i, cls, first, second) -> tuple:
        (kind1, ref1), (kind2, ref2) = first, second
        same = kind1 == kind2 and (ref1 is ref2 or kind2 in (OUT, INPUT) and ref1 == ref2)
        if kind1 == kind2 == TENSOR and not same:  # made in the call, by no op: a constant?
            if not ref2.requires_grad and _same_value(ref1.array, ref2.array):
                return VALUE, ref2.array
        elif kind1 == kind2 == VALUE and _same_value(ref1, ref2):
            return VALUE, ref2
        if not same:
            raise _NotReplayable(f"op {i} ({cls.__name__}) gets a value computed from the "
                                 f"data outside tinynet's ops")
        return kind2, ref2

    def _target_checks(self, recording) -> list:
        """For each op trusting an argument of integer indices to lie in [0, n)
        (``INDEX_OPS``): (where they come from: an input's position or a tensor, n, the
        dtype to view them as, and the padding value they may hold with whether a batch
        must hold it: ``_padding``)."""
        checks = []
        for op, (_, args, _) in zip(self.ops, recording.ops):
            if op.cls.__name__ not in INDEX_OPS:
                continue
            position, bound = INDEX_OPS[op.cls.__name__]
            kind, ref = op.sources[position]
            indices = args[position]
            array = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
            if array.dtype.kind not in "iu":
                continue  # class probabilities, say
            if kind not in (INPUT, TENSOR):  # made in the call: from the data, maybe
                raise _NotReplayable(f"{op.cls.__name__} gets its indices from neither the "
                                     f"call's inputs nor a tensor kept across calls (pass "
                                     f"them in, or keep them in a buffer)")
            if array.size:  # the signature fixes size and dtype for every replay
                n = bound(args)
                checks.append((ref, n, _unsigned(array.dtype, n),
                               *_padding(op.cls.__name__, args)))
        return checks

    # ---- replay ---------------------------------------------------------------------------
    def ready(self, args):
        """The guards: None when replaying might not give what an eager call would, else
        the index of the first module call whose module has forward hooks (all marked
        for replay, see ``_replay_safe``), len(self.calls) when none has."""
        if not _recordable() or fastpath.fast_paths_enabled() != self.fast_paths:
            return None
        first_hooked = len(self.calls)
        for module, training in zip(self.modules, self.training):
            if module.training is not training:  # (bools: identity is enough)
                return None
            if not module._has_hooks:
                continue
            if module._forward_pre_hooks:
                return None  # a replay cannot run it (see _replayable)
            if module._forward_hooks:
                if not _replay_safe(module._forward_hooks.values()) or \
                        id(module) in self.unlocated and \
                        not _reads_nothing(module._forward_hooks.values()):
                    return None
                first_hooked = min(first_hooked, self.first_call.get(id(module), first_hooked))
        for entry in self.guarded:
            tensor, layout, array = entry
            if tensor.array is not array:
                if (tensor.array.shape, tensor.array.dtype, tensor.requires_grad) != layout:
                    return None
                entry[2] = tensor.array
            elif tensor.requires_grad != layout[2]:
                return None
        for module, name, tensor in self.owned:
            if module.__dict__.get(name) is not tensor:
                return None  # model.weight = Parameter(...): the replay would read the old
        for where, n, unsigned, padding, padded_only in self.target_checks:
            targets = (args[where] if type(where) is int else where).array
            if padding is not None:
                padded = targets == padding
                if padded.any():
                    targets = targets[~padded]
                elif padded_only:
                    return None  # the eager function takes another op for this batch
                if not targets.size:
                    continue
            if unsigned is not None:  # one pass: a negative index viewed as unsigned
                in_range = np.maximum.reduce(targets.view(unsigned), axis=None) < n  # exceeds
                # any valid one (the ufunc's own reduce: .max() adds a Python wrapper)
            else:
                in_range = 0 <= targets.min() and targets.max() < n
            if not in_range:
                return None  # the eager path ignores or refuses them
        if self.fixed_leaves is None and self._input_is_leaf(args):
            return None  # the engine would sum its gradients in another order
        if first_hooked < len(self.calls) and not self.hookable:
            return None  # a hook reads its module's mode and grad mode too: some call ran
            # in another (under no_grad, eval() inside the function), which it would miss
        return first_hooked

    def replay(self, args, first_hooked: int):
        """Replay a call ``ready`` accepted; ``first_hooked``: what it returned."""
        self.generation += 1
        hooked = first_hooked < len(self.calls)
        if hooked:  # the values the hooks of that call and later ones may read, kept
            values = self._keeping()(args, self._keep(first_hooked))
            returned = tuple([values[j] for j in self.returned])
        else:
            values, returned = None, (self._forward(args) if self._forward is not None
                                      else self._forward_loop(args))
        first = self._root(returned[0], args)
        if hooked:
            self._run_hooks(values, args, first_hooked)
        if len(returned) == 1:
            return first
        return (first, *[Tensor._wrap(array, False, None) for array in returned[1:]])

    def _forward_loop(self, args, keep=None):
        """Each op's own forward, in order, on this call's arrays: the outputs of the ops
        the call returns; with ``keep`` (per op output, whether to keep it: hooks may read
        it), every op's output, None for those freed. (With the fast paths on,
        ``_unroll`` runs this unrolled.)"""
        values = []
        for op in self.ops:
            arrays = [values[ref] if kind == OUT else args[ref].array if kind == INPUT
                      else ref.array if kind == TENSOR else ref for kind, ref in op.sources]
            ctx = op.ctx
            ctx.saved_tensors = ()
            out = op.cls.forward(ctx, *arrays)
            values.append(out if type(out) is np.ndarray else np.asarray(out))
            for j in op.frees:
                if keep is None or not keep[j]:
                    values[j] = None
        return values if keep is not None else tuple(values[j] for j in self.returned)

    def _keeping(self):
        """The forward that keeps the values ``keep`` names."""
        if not self.unrolled:
            return self._forward_loop  # (not kept: see _compile)
        if self._forward_keeping is None:
            from tinynet.autograd._unroll import unroll_keeping
            self._forward_keeping = unroll_keeping(self)
        return self._forward_keeping

    def _keep(self, first_hooked: int) -> tuple:
        """Per op output, whether a hook of a module call from ``first_hooked`` on may
        read it. (No hook runs before that call ends, so none can be added to an
        earlier one.)"""
        keep = self._keeps.get(first_hooked)
        if keep is None:
            read = {ref for _, where, _ in self.calls[first_hooked:] if where is not None
                    for kind, ref in (*where[0], where[1]) if kind == OUT}
            keep = self._keeps[first_hooked] = tuple([j in read
                                                      for j in range(len(self.ops))])
        return keep

    def _input_is_leaf(self, args) -> bool:
        """Whether an input that requires grad is a leaf the function also reads (a
        parameter passed in)."""
        kept = [ref for where, ref in self.leaves if where == "leaf"]
        return any(args[ref] is leaf for where, ref in self.leaves if where == "input"
                   for leaf in kept)

    def _run_hooks(self, values, args, first_hooked: int) -> None:
        """Each module call's forward hooks, as an eager call runs them: call by call in
        the order they ended, each call's hooks read from its module as that call ends
        (a hook may add or remove hooks of later calls, as the Monitor's step counter
        does). A reading hook gets the call's inputs and output: an input as it came in;
        an op's output as a tensor that requires no grad, one per value, whose
        ``grad_fn`` is the op's replayed context (what its forward saved, which the
        Monitor reads), not a graph: nothing backpropagates through it."""
        tensors = {}

        def tensor(kind, ref):
            if kind == INPUT:
                return args[ref]
            if ref not in tensors:
                op = self.ops[ref]
                tensors[ref] = Tensor._wrap(values[ref], False, op.ctx if op.records else None)
            return tensors[ref]

        for module, where, _ in self.calls[first_hooked:]:
            if not module._forward_hooks:
                continue
            for hook in list(module._forward_hooks.values()):
                if getattr(hook, "replay_safe", False):
                    hook(module, None, None)
                elif getattr(hook, "replay_reads", False) and where is not None:
                    inputs, output = where
                    hook(module, tuple([tensor(*source) for source in inputs]),
                         tensor(*output))
                else:  # added by an earlier hook of this call: its forward has run
                    raise RuntimeError(
                        f"capture: a forward hook of {type(module).__name__} was added "
                        f"during a replayed call, by another hook, and the replay cannot "
                        f"run it (not marked replay_safe, or replay_reads on a call whose "
                        f"values it does not have); add it before the call, or call the "
                        f"function outside tn.capture")

    def _root(self, array, args):
        if not self.ops[self.returned[0]].records:
            return Tensor._wrap(array, False, None)
        node = Replay.__new__(Replay)
        node.plan, node.generation = self, self.generation
        # by slot; when no input requires grad (the usual case), the same tuple every call
        leaves = self.fixed_leaves if self.fixed_leaves is not None else \
            tuple(self._leaves(args))
        node.leaves = node.next_nodes = leaves
        node.needs_input_grad = self.needs_input_grad
        node.saved_tensors, node.out_version = (), None
        node.retained = node.tensor_hooks = None
        node.versions = tuple([(t._version, t._version[0], t.array)
                               for t in self._saved_tensors(args)])
        node.out_shape, node.seq = array.shape, next(_sequence)
        return Tensor._wrap(array, True, node)

    def _index_leaves(self) -> None:
        """Number the leaves (parameters, and inputs that require grad) and give each
        op's gradient targets as (index, shape): the gradients of op j's output are at
        index j of the backward pass's list, leaf slot k's at len(ops) + k; ``self.leaves``
        holds, per slot, the tensor or the input's index; ``self.saved`` the same for the
        tensor arguments some op saved (the engine's version check)."""
        slots, self.leaves = {}, []
        for op in self.ops:
            for n, (target, shape) in enumerate(op.targets):
                if target is None:
                    continue
                if target[0] == "op":
                    op.targets[n] = (target[1], shape)
                    continue
                key = (target[0], id(target[1]) if target[0] == "leaf" else target[1])
                if key not in slots:
                    slots[key] = len(self.leaves)
                    self.leaves.append(target)
                op.targets[n] = (len(self.ops) + slots[key], shape)
        self.saved = list({(kind, id(ref) if kind == TENSOR else ref): (kind, ref)
                           for op in self.ops for kind, ref in
                           (op.sources[k] for k in op.saved) if kind in (INPUT, TENSOR)}.values())
        self.needs_input_grad = (True,) * len(self.leaves)
        self.fixed_leaves = None if any(where == "input" for where, _ in self.leaves) \
            else tuple(ref for _, ref in self.leaves)

    def _leaves(self, args) -> list:
        return [ref if where == "leaf" else args[ref] for where, ref in self.leaves]

    def _saved_tensors(self, args) -> list:
        return [args[ref] if kind == INPUT else ref for kind, ref in self.saved]

    def backward(self, node, grad) -> tuple:
        """Each leaf's summed gradient, in the order the engine would first reach it,
        computed as the engine computes it; ``node.next_nodes`` is set to that order."""
        if node.generation != self.generation:
            raise RuntimeError("capture: this loss's ops were replayed again by a later call "
                               "of the captured function, which reuses their saved values; "
                               "call backward() before calling the function again")
        if self.buffer is not None:
            self.buffer.renew_if_held()
        arrived, leaf_grads = self._backward(grad) if self._backward is not None else \
            self._backward_loop(grad)
        node.next_nodes = tuple([node.leaves[k] for k in arrived])
        return tuple([leaf_grads[k] for k in arrived])

    def release_saved(self) -> None:
        for op in self.ops:
            op.ctx.saved_tensors = ()

    def _backward_loop(self, grad) -> tuple:
        """Each op's own backward, newest first, summing the gradients each output and
        leaf receives: the leaf slots in order of first arrival (the engine's leaf
        order), and every slot's gradient. (With the fast paths on, ``_unroll`` runs this
        unrolled.)"""
        ops, first_leaf = self.ops, len(self.ops)
        grads = [None] * (first_leaf + len(self.leaves))  # per op's output, then per leaf
        grads[self.returned[0]] = grad
        arrived = []
        for i in self.backward_order:
            g = grads[i]
            if g is None:
                continue
            grads[i] = None
            op = ops[i]
            input_grads = op.cls.backward(op.ctx, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if len(input_grads) != len(op.targets):
                arity_error(op.ctx, len(op.targets), input_grads)
            for (index, shape), gx in zip(op.targets, input_grads):
                if index is None or gx is None:
                    continue
                if gx.shape != shape:
                    gx = unbroadcast(gx, shape)
                previous = grads[index]
                if previous is None:
                    grads[index] = gx
                    if index >= first_leaf:
                        arrived.append(index - first_leaf)
                else:  # NOTE: out of place, as the engine: gx may be another input's array
                    grads[index] = previous + gx
        return arrived, grads[first_leaf:]


def _owned(modules, tensor_ids) -> list:
    """(module, name, tensor) for each tensor of ``tensor_ids`` that is an attribute of
    one of ``modules``."""
    return [(m, name, value) for m in modules for name, value in vars(m).items()
            if isinstance(value, Tensor) and id(value) in tensor_ids]


def _replayable(module) -> bool:
    """Whether a replay can run a call of ``module`` as eager runs it: no forward
    pre-hook (it runs before the forward and may change its inputs, which a replay
    cannot follow) and each forward hook marked (``_replay_safe``)."""
    return not module._forward_pre_hooks and _replay_safe(module._forward_hooks.values())


def _replay_safe(hooks) -> bool:
    """Whether a replay can run each of these forward hooks: marked ``replay_safe`` (it
    reads nothing) or ``replay_reads`` (it reads its module call's inputs and output)."""
    for hook in list(hooks):  # (a loop: cheaper than all() over a generator, per call)
        if not (getattr(hook, "replay_safe", False) or getattr(hook, "replay_reads", False)):
            return False
    return True


def _reads_nothing(hooks) -> bool:
    for hook in list(hooks):
        if not getattr(hook, "replay_safe", False):
            return False
    return True


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


def _dead_after(ops, returned) -> None:
    """Give each op ``frees``: the earlier outputs no later op reads, so that replay drops
    them once it has run, as an eager call drops a module's output once the next module
    has read it (what an op's backward needs, its forward saved)."""
    last_read = {}
    for i, op in enumerate(ops):
        for kind, ref in op.sources:
            if kind == OUT:
                last_read[ref] = i
    for op in ops:
        op.frees = []
    for j, i in last_read.items():
        if j not in returned:
            ops[i].frees.append(j)


def _padding(name: str, args) -> tuple:
    """(the padding value a cross-entropy or NLL op's targets may hold, whether a batch
    must hold it): its ``ignore_index`` when that lies outside [0, C), a sentinel such as
    -100 (see ``_class_targets``), else (None, False). The eager function takes the plain
    op for a batch without padding unless there are class weights (or label smoothing),
    so without those only batches holding some padding replay the op it recorded."""
    if name == "CrossEntropyGeneral":
        _, _, weight, ignore_index, _, smoothing = args
    elif name == "NLLLoss":
        (_, _, weight, ignore_index, _), smoothing = args, 0.0
    else:
        return None, False
    classes = args[0].array.shape[-1]
    if ignore_index is None or 0 <= ignore_index < classes:
        return None, False
    return ignore_index, weight is None and not smoothing


def _unsigned(dtype: np.dtype, n: int):
    """The unsigned integer dtype of ``dtype``'s size, for a signed integer dtype whose
    negative values all look at least ``n`` when viewed so (then one maximum checks
    [0, n)), else None."""
    if dtype.kind != "i" or n > np.iinfo(dtype).max + 1:
        return None
    return np.dtype(f"u{dtype.itemsize}")


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


class Replay(Function):
    """The graph node of a replayed call: its backward runs the recorded ops' backward
    passes and hands each leaf its gradient."""

    # each leaf once (an input that is also a leaf the function reads runs eagerly), its
    # gradient summed and in its shape (see engine._run_leaves_only)
    to_leaves_only = True

    @property
    def grads_base(self):
        """The flat array of the plan's gradient buffer, whose views its backward hands
        over (None without one). NOTE: read through the plan, not kept here: a loss kept
        alive would otherwise hold the array, which the buffer then takes for a holder."""
        return self.plan.buffer.flat if self.plan.buffer is not None else None

    @staticmethod
    def backward(ctx, grad):
        return ctx.plan.backward(ctx, grad)

    def release(self) -> None:
        """Also free the arrays the replayed ops saved, as eager frees its graph's: only
        this call's (a later call's are not ours)."""
        super().release()
        if self.generation == self.plan.generation:
            self.plan.release_saved()


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
