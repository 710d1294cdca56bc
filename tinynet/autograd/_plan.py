"""Two recorded calls of a captured function made into one plan to replay (``_Plan``):
per op, its class, its own reused context, where its arguments come from and its
gradients go; built here, checked by ``_Guards`` (``_guards.py``) and replayed by
``_Running`` (``_running.py``)."""
import numpy as np

from tinynet import fastpath
from tinynet.autograd._guards import _Guards, _owned, module_settings
from tinynet.autograd._recording import (DATA, INPUT, OUT, TENSOR, VALUE, _module_calls,
                                         _NotReplayable, _outputs, _Recording, _same_value,
                                         _sources, _state_tensors, _targets)
from tinynet.autograd._running import _Running
from tinynet.autograd._unroll import unroll
from tinynet.autograd.function import checked_backward
from tinynet.autograd.grad_buffer import GradBuffer, destinations, places_for
from tinynet.autograd.function import _is_in

UNROLL_MAX_OPS = 1000  # larger plans replay with the loops: compiling their unrolled code
# takes longer the longer they are, and the per-op lookups it saves weigh less


class _Op:
    """One recorded op: its class, the backward a replay calls (``checked_backward`` for a
    Function written outside tinynet), its own reused context, where its arguments come
    from, where its input gradients go, which of its tensor arguments it saves, the
    earlier outputs free once it has run (``_dead_after``) and the arguments whose
    gradients it can write into a gradient buffer (``grad_buffer.destinations``)."""

    __slots__ = ("cls", "backward", "ctx", "sources", "targets", "records", "saved", "frees",
                 "writes")


class _Plan(_Guards, _Running):
    """What two identical recorded calls did, ready to replay: built here, its guards in
    ``_Guards`` (``ready``), its replay in ``_Running`` (``replay``, ``backward``).

    The main attributes they share, set below: ``ops`` (one ``_Op`` each, in the order they
    ran), ``returned`` (the ops whose outputs the call returns), ``backward_order``,
    ``leaves`` (per gradient slot: ('leaf', tensor) or ('input', k)), ``modules`` and
    ``calls`` (each module call, in the order they ended), ``guarded`` and ``owned``
    (the tensors read across calls, and the modules holding them), ``target_checks``,
    ``generation`` (the count of replays: a loss's backward must belong to the last).
    """

    def __init__(self, first: _Recording, second: _Recording):
        self.returned = _outputs(second)
        # per output returned after the loss: whether an op saved its array for backward
        # (the replay hands over a copy: a change to it in place must not reach backward,
        # as it does not in an eager call, whose in-place ops leave saved arrays alone)
        saved = [x for ctx, _, _ in second.ops for x in ctx.saved_tensors or ()
                 if isinstance(x, np.ndarray)]
        self.copy_returned = tuple([any(np.may_share_memory(second.ops[j][2].array, x)
                                        for x in saved) for j in self.returned[1:]])
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
        if second.drew:
            raise _NotReplayable("it draws random values outside an op (tn.rand, randint, "
                                 "x.uniform_, bernoulli_, nn.init...) at each call: a "
                                 "replay would reuse the recorded draws, not draw anew")
        self.modules = second.modules
        # per module call, with repeats, in the order they ended: (module, where its
        # inputs and output are, whether a hook would see the mode replays run in)
        self.calls = _module_calls(first, second)
        self.hookable = all(plain for _, _, plain in self.calls)
        self.training = [m.training for m in self.modules]
        self.settings = [module_settings(m) for m in self.modules]
        self.fast_paths = fastpath.fast_paths_enabled()
        # the parameters and buffers of the modules either call reached: read, not
        # frozen, since one replaced by a new tensor may hold new values later
        state = {id(t) for recording in (first, second)
                 for t in _state_tensors(recording.reached)}
        self.ops = [self._op(i, first.ops[i], second.ops[i], s1, s2, state)
                    for i, (s1, s2) in enumerate(zip(_sources(first), _sources(second)))]
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
        self.owned = _owned(second.reached, {id(t) for t in self.tensors})
        self.generation = 0
        self._compile()

    def _compile(self) -> None:
        """Pick the replay's two passes: the loops below, or, with the fast paths on,
        the same loops unrolled into straight-line code (up to UNROLL_MAX_OPS ops); and
        reset what a copy must make for itself."""
        if self.unrolled:
            self._forward, self._backward = unroll(self)
        else:  # the loops, called as methods: bound methods kept here would make a cycle
            # (plan -> method -> plan), which only the cycle collector frees
            self._forward = self._backward = None
        places, dtype = places_for(self)
        # where the ops write the parameters' gradients (see grad_buffer.py), if anywhere
        self.buffer = GradBuffer(places, dtype) if places else None
        self._forward_keeping = None  # made when a call with hooks first needs it
        # MODULE_CHANGES when the modules' guards last passed (see _guards), and the
        # modules that had hooks then
        self.modules_unchanged_at, self.hooked = None, []
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

    def _op(self, i, entry1, entry2, sources1, sources2, state) -> _Op:
        ctx1, out1 = entry1[0], entry1[2]
        ctx2, args2, out2 = entry2
        op = _Op()
        op.cls = type(ctx2)
        op.records = out2.grad_fn is not None
        if (out1.grad_fn is not None) != op.records or \
                getattr(ctx1, "needs_input_grad", None) != getattr(ctx2, "needs_input_grad", None):
            raise _NotReplayable(f"op {i} ({op.cls.__name__}) needed gradients differently "
                                 f"in the two recorded calls")
        op.sources = [self._source(i, op.cls, a, b, state) for a, b in zip(sources1, sources2)]
        op.ctx = op.cls.__new__(op.cls)  # its own: the eager calls' graphs keep theirs
        op.ctx.needs_input_grad = ctx2.needs_input_grad
        op.backward = op.cls.backward
        if op.cls._checked:  # a user's Function: its backward checked, as the engine does
            op.backward = checked_backward(op.cls)
            op.ctx._tensor_inputs = ctx2._tensor_inputs  # (which arguments were tensors)
        op.targets = _targets(op.sources, ctx2) if op.records else []
        # the tensor arguments whose arrays the op saved, and the bare arrays (an index, a
        # mask: x[i], where(m, ...)) whose tensors guard_read checks: versions checked on
        # replay as eager checks them
        guarded = {id(x) for _, _, x in getattr(ctx2, "versions", None) or ()}
        op.saved = [k for k, a in enumerate(args2) if op.records and (
            isinstance(a, Tensor) and _is_in(a.array, ctx2.saved_tensors or ())
            or type(a) is np.ndarray and id(a) in guarded)]
        op.writes = destinations(op.cls, args2, out2) if op.records else ()
        return op

    @staticmethod
    def _source(i, cls, first, second, state) -> tuple:
        (kind1, ref1), (kind2, ref2) = first, second
        same = kind1 == kind2 and (ref1 is ref2 or kind2 in (OUT, INPUT) and ref1 == ref2)
        if kind1 == kind2 == TENSOR and not same:  # made in the call, by no op: a constant?
            if id(ref1) in state or id(ref2) in state:
                raise _NotReplayable(f"op {i} ({cls.__name__}) reads a module's parameter or "
                                     f"buffer that is replaced by a new tensor between calls "
                                     f"(change its values in place, e.g. with copy_ or "
                                     f"fill_ under no_grad, to replay)")
            if not ref2.requires_grad and _same_value(ref1.array, ref2.array):
                return VALUE, ref2.array
        elif kind1 == kind2 == VALUE and _same_value(ref1, ref2):
            return VALUE, ref2
        if DATA in (kind1, kind2):
            raise _NotReplayable(f"op {i} ({cls.__name__}) gets a value made from the call's "
                                 f"tensors outside tinynet's ops (an index holding a tensor, "
                                 f"as x[:, i], or a view of a tensor's array), which a replay "
                                 f"would keep as it was")
        if not same:
            raise _NotReplayable(f"op {i} ({cls.__name__}) gets a value computed from the "
                                 f"data outside tinynet's ops")
        return kind2, ref2

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
        saved = {}  # per saved tensor argument, once: where it is, and the first op that saved it
        for op in self.ops:
            for kind, ref in (op.sources[k] for k in op.saved):
                if kind in (INPUT, TENSOR):
                    saved.setdefault((kind, id(ref) if kind == TENSOR else ref),
                                     ((kind, ref), op.cls.__name__))
        self.saved = [where for where, _ in saved.values()]
        self.saved_by = tuple(name for _, name in saved.values())  # named in version errors
        self.needs_input_grad = (True,) * len(self.leaves)
        self.fixed_leaves = None if any(where == "input" for where, _ in self.leaves) \
            else tuple(ref for _, ref in self.leaves)


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


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
