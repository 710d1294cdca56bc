"""What a captured call checks before it replays (``_Guards.ready``): that replaying gives
what an eager call would. Part of ``_Plan`` (``_plan.py``); replay.py lists the cases."""
import numpy as np

from tinynet import fastpath
from tinynet.autograd._recording import INPUT, OUT, TENSOR, _NotReplayable
from tinynet.autograd.grad_mode import _GradMode
from tinynet.autograd.observers import MODULE_CHANGES, OBSERVERS

# ops trusting an argument of integer indices to lie in [0, n), as the eager functions
# checked (a negative index would silently wrap): op -> (which argument, n from the args)
INDEX_OPS = {"CrossEntropy": (1, lambda args: args[0].array.shape[-1]),
             "CrossEntropyGeneral": (1, lambda args: args[0].array.shape[-1]),
             "NLLLoss": (1, lambda args: args[0].array.shape[-1]),
             "Embedding": (1, lambda args: args[0].array.shape[0]),
             "OneHot": (0, lambda args: args[1]),
             "Gather": (2, lambda args: args[0].array.shape[args[1]]),
             "Scatter": (2, lambda args: args[0].array.shape[args[1]]),
             "ScatterAdd": (2, lambda args: args[0].array.shape[args[1]]),
             "ScatterReduce": (2, lambda args: args[0].array.shape[args[1]]),
             "IndexAdd": (2, lambda args: args[0].array.shape[args[1]])}


def _recordable() -> bool:
    return _GradMode.enabled and not OBSERVERS.forward and not OBSERVERS.backward


class _Guards:
    """The checks of ``_Plan`` (see ``_plan.py`` for its attributes)."""

    def ready(self, args):
        """The guards: None when replaying might not give what an eager call would, else
        the index of the first module call whose module has forward hooks (all marked
        for replay, see ``_replay_safe``), len(self.calls) when none has."""
        if not _recordable() or fastpath.fast_paths_enabled() != self.fast_paths:
            return None
        changes = MODULE_CHANGES[0]
        if changes != self.modules_unchanged_at:
            first_hooked = self._modules_ready()
            if first_hooked is None:
                return None
            self.modules_unchanged_at = changes
        else:  # the modules are as last found, but what their hooks are may have changed
            first_hooked = self._hooks_ready(self.hooked) if self.hooked else len(self.calls)
            if first_hooked is None:
                return None
        for entry in self.guarded:
            tensor, layout, array = entry
            if tensor.array is not array:
                if (tensor.array.shape, tensor.array.dtype, tensor.requires_grad) != layout:
                    return None
                entry[2] = tensor.array
            elif tensor.requires_grad != layout[2]:
                return None
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

    def _modules_ready(self):
        """The guards on the modules: None when one's mode changed, it has hooks a replay
        cannot run, or one of its parameters or buffers a call reads was replaced; else
        the index of the first module call whose module has forward hooks (as ``ready``).
        NOTE: modules change only by setting or deleting their attributes, which
        ``MODULE_CHANGES`` counts (registering and removing a hook sets ``_has_hooks``);
        while it stays, ``ready`` reads only the hooks of the modules that have some (a
        hook's own marks, and a hook dict changed in place, are not counted): the same
        answer, without reading every module at every call."""
        for module, training in zip(self.modules, self.training):
            if module.training is not training:  # (bools: identity is enough)
                return None
        for settings in self.settings:
            if settings_changed(settings):
                return None  # Dropout's p, a loss's label_smoothing, a submodule replaced
        for module, name, tensor in self.owned:
            if module.__dict__.get(name) is not tensor:
                return None  # model.weight = Parameter(...): the replay would read the old
        self.hooked = [module for module in self.modules if module._has_hooks]
        return self._hooks_ready(self.hooked)

    def _hooks_ready(self, hooked: list):
        """The guards on the hooks of the modules ``hooked``: None when one has hooks a
        replay cannot run, else the index of the first module call whose module has
        forward hooks (as ``ready``)."""
        first_hooked = len(self.calls)
        for module in hooked:
            if _runs_hooks_a_replay_cannot(module):
                return None  # (see _replayable)
            if module._forward_hooks:
                if not _replay_safe(module._forward_hooks.values()) or \
                        id(module) in self.unlocated and \
                        not _reads_nothing(module._forward_hooks.values()):
                    return None
                first_hooked = min(first_hooked, self.first_call.get(id(module), first_hooked))
        return first_hooked

    def _input_is_leaf(self, args) -> bool:
        """Whether an input that requires grad is a leaf the function also reads (a
        parameter passed in)."""
        kept = [ref for where, ref in self.leaves if where == "leaf"]
        return any(args[ref] is leaf for where, ref in self.leaves if where == "input"
                   for leaf in kept)

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
            while kind == OUT and _keeps_values(self.ops[ref].cls, recording.ops[ref][1]):
                # (int32 targets cast to int64, labels unsqueezed for scatter: checked
                # where they come from, which holds the same values)
                indices = recording.ops[ref][1][0]
                kind, ref = self.ops[ref].sources[0]
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


_PLAIN = {int, float, str, bool, type(None), tuple}  # (exact types: a fast check)


def module_settings(module) -> tuple:
    """What a replay would keep as recorded of ``module``: (the module, its public plain
    settings (Dropout's ``p``, a loss's ``label_smoothing``, a norm's ``eps``) and
    submodules as (name, object) pairs), for ``settings_changed``."""
    return module, tuple((name, value) for name, value in vars(module).items()
                         if name[0] != "_" and name != "training" and
                         (type(value) in _PLAIN or hasattr(value, "_has_hooks")))


def settings_changed(settings) -> bool:
    """Whether a setting ``module_settings`` found is now another object of another value
    (a submodule: another object; the same nan is unchanged)."""
    module, pairs = settings
    state = vars(module)
    for name, value in pairs:
        now = state.get(name, _MISSING)
        if now is not value and (hasattr(value, "_has_hooks") or now != value):
            return True
    return False


_MISSING = object()


def _keeps_values(cls, args) -> bool:
    """Whether an op's output holds its first argument's values, no others: a reshape, or
    a cast of integers to an integer dtype that holds them all (int32 to int64; not a
    narrowing one, which may wrap a value into or out of range)."""
    if cls.__name__ == "Reshape":
        return True
    source = args[0].array if isinstance(args[0], Tensor) else np.asarray(args[0])
    return cls.__name__ == "Cast" and source.dtype.kind in "iu" and \
        np.dtype(args[1]).kind in "iu" and np.can_cast(source.dtype, args[1], "safe")


def _owned(modules, tensor_ids) -> list:
    """(module, name, tensor) for each tensor of ``tensor_ids`` that is an attribute of
    one of ``modules`` (those a recording reached: ``_Recording.reached``)."""
    return [(m, name, value) for m in modules for name, value in vars(m).items()
            if isinstance(value, Tensor) and id(value) in tensor_ids]


def _replayable(module) -> bool:
    """Whether a replay can run a call of ``module`` as eager runs it: none of the hooks
    of ``_runs_hooks_a_replay_cannot`` and each forward hook marked (``_replay_safe``)."""
    return not _runs_hooks_a_replay_cannot(module) and \
        _replay_safe(module._forward_hooks.values())


def _runs_hooks_a_replay_cannot(module) -> bool:
    """Whether ``module`` has a forward pre-hook (it runs before the forward and may
    change its inputs, which a replay cannot follow), a full backward hook or backward
    pre-hook (they run on gradients a replay hands straight to the parameters), or a
    forward hook registered ``with_kwargs`` or ``always_call`` (a replay has neither the
    call's keyword arguments nor a forward that may raise)."""
    return bool(module._forward_pre_hooks or module._backward_hooks or
                module._backward_pre_hooks or vars(module).get("_forward_hook_flags"))


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


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
