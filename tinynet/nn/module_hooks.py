"""``ModuleHooks``: functions a module calls around its ``forward``: forward pre-hooks
before it (each may replace the positional inputs) and forward hooks after it (each may
replace the output), as in PyTorch; and full backward hooks and backward pre-hooks, on the
gradients with respect to its inputs and outputs (``backward_hooks.py``). ``Module``
inherits them; see ``module.py``."""
import warnings
from types import MappingProxyType

from tinynet.autograd.observers import OBSERVERS
from tinynet.nn.backward_hooks import hooked_inputs, hooked_output
from tinynet.tensor_hooks import RemovableHandle, add_hook


class ModuleHooks:
    """Forward hooks, forward pre-hooks and full backward hooks, each kind a dict in
    registration order."""

    _forward_hooks = MappingProxyType({})  # replaced by a dict on the first hook
    _forward_pre_hooks = MappingProxyType({})  # likewise
    _backward_hooks = MappingProxyType({})  # likewise
    _backward_pre_hooks = MappingProxyType({})  # likewise
    # NOTE: __call__ checks only this, so a module without hooks pays one check; removing
    # the last hook sets it back (the Monitor adds and removes its hooks every few steps)
    _has_hooks = False

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward, ``args`` the tuple of
        positional inputs; a non-None return value replaces them (a value that is not a
        tuple becomes the only input). ``with_kwargs``: ``hook(module, args, kwargs)``,
        which may return ``(args, kwargs)`` to replace both. ``prepend``: before the
        hooks registered so far. Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_forward_pre_hook", "_forward_pre_hooks", hook,
                              prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None return
        value replaces the output. ``with_kwargs``: ``hook(module, args, kwargs,
        output)``; ``always_call``: also when forward raises (then with output None, its
        return value ignored, and the error raised on); ``prepend``: before the hooks
        registered so far. Returns a handle whose ``remove()`` unregisters it."""
        handle = self._add_hook("register_forward_hook", "_forward_hooks", hook, prepend,
                                with_kwargs)
        if always_call:
            self._hook_flags(handle.id).add("always_call")
        return handle

    def register_full_backward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect
        to the module's inputs are computed (see ``backward_hooks.py``): ``grad_input``
        one per positional input, None where there is none; ``grad_output`` one per
        output. A non-None return value (a tuple, one per input) replaces ``grad_input``.
        Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_full_backward_hook", "_backward_hooks", hook)

    def register_full_backward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` once the gradients with respect to the
        module's outputs are computed, before the module's backward (see
        ``backward_hooks.py``): ``grad_output`` one per output, None where there is none.
        A non-None return value (a tuple, one per output) replaces ``grad_output``, for
        the module's backward and its full backward hooks. Returns a handle whose
        ``remove()`` unregisters it."""
        return self._add_hook("register_full_backward_pre_hook", "_backward_pre_hooks", hook)

    def _add_hook(self, where: str, kind: str, hook, prepend: bool = False,
                  with_kwargs: bool = False) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
        hooks, handle = add_hook(vars(self).get(kind), hook, self._update_has_hooks, prepend)
        setattr(self, kind, hooks)
        self._has_hooks = True
        if with_kwargs:
            self._hook_flags(handle.id).add("with_kwargs")
        return handle

    def _hook_flags(self, key: int) -> set:
        """The options a forward hook was registered with ("with_kwargs",
        "always_call"), by its key: an empty set for most (kept apart from the hooks,
        which stay the callables registered)."""
        flags = vars(self).setdefault("_forward_hook_flags", {})
        return flags.setdefault(key, set())

    def _flags_of(self, key: int) -> set:
        return vars(self).get("_forward_hook_flags", _NO_FLAGS).get(key, ())

    def _update_has_hooks(self) -> None:
        self._has_hooks = bool(self._forward_hooks or self._forward_pre_hooks or
                               self._backward_hooks or self._backward_pre_hooks)
        flags = vars(self).get("_forward_hook_flags")
        if flags:  # (a hook removed: its options go with it)
            live = set(self._forward_hooks) | set(self._forward_pre_hooks)
            for key in [key for key in flags if key not in live]:
                del flags[key]
            if not flags:
                del vars(self)["_forward_hook_flags"]

    def _remove_hooks(self) -> None:
        """Forget every hook (a copy that must run as never hooked)."""
        vars(self).pop("_forward_hooks", None)
        vars(self).pop("_forward_pre_hooks", None)
        vars(self).pop("_backward_hooks", None)
        vars(self).pop("_backward_pre_hooks", None)
        vars(self).pop("_forward_hook_flags", None)
        self._update_has_hooks()

    def __setstate__(self, state: dict) -> None:
        # (a module pickled before _has_hooks existed, with hooks: they must still run)
        vars(self).update(state)
        if "_has_hooks" not in state:
            self._update_has_hooks()

    def _call_hooked(self, args: tuple, kwargs: dict):
        """``__call__`` of a module with hooks: the pre-hooks, forward, the hooks (with
        backward hooks, forward runs on the inputs passed through their ops, and the
        output the hooks leave is passed through theirs, as in PyTorch)."""
        hooks_run = set()  # the forward hooks that ran (an always_call one runs once)
        try:
            for key, hook in list(self._forward_pre_hooks.items()):
                if "with_kwargs" in self._flags_of(key):
                    result = hook(self, args, kwargs)
                    if result is not None:
                        args, kwargs = _args_and_kwargs(hook, result)
                    continue
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            call = None
            if self._backward_hooks or self._backward_pre_hooks:
                args, call = hooked_inputs(self, args)
            out = self._call_observed(args, kwargs) if OBSERVERS.forward else \
                self.forward(*args, **kwargs)
            for key, hook in list(self._forward_hooks.items()):
                hooks_run.add(key)
                if "with_kwargs" in self._flags_of(key):
                    result = hook(self, args, kwargs, out)
                else:
                    result = hook(self, args, out)
                if result is not None:
                    out = result
        except Exception:  # a pre-hook, forward or a hook raised: the always_call hooks
            self._run_always_call_hooks(args, kwargs, hooks_run)  # not run yet run now
            raise
        return hooked_output(call, out) if call is not None else out

    def _run_always_call_hooks(self, args: tuple, kwargs: dict, hooks_run: set) -> None:
        """After an error in the call: the forward hooks registered ``always_call`` that
        have not run, with output None; an error of theirs is warned about, and the
        call's own error raised on (as PyTorch does)."""
        for key, hook in list(self._forward_hooks.items()):
            flags = self._flags_of(key)
            if "always_call" not in flags or key in hooks_run:
                continue
            try:
                hook(self, args, kwargs, None) if "with_kwargs" in flags else \
                    hook(self, args, None)
            except Exception as error:
                warnings.warn(f"forward hook {getattr(hook, '__name__', hook)!r} with "
                              f"always_call=True raised {type(error).__name__}: {error}",
                              RuntimeWarning, stacklevel=4)


_NO_FLAGS = {}


def _args_and_kwargs(hook, result) -> tuple:
    """What a forward pre-hook registered ``with_kwargs`` returned: (args, kwargs)."""
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
        name = getattr(hook, "__name__", repr(hook))
        raise RuntimeError(f"register_forward_pre_hook: hook {name!r} registered with "
                           f"with_kwargs=True must return None or a tuple (args, kwargs), "
                           f"got {result!r}")
    args, kwargs = result
    return (tuple(args) if isinstance(args, (tuple, list)) else (args,)), kwargs
