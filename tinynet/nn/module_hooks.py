"""``ModuleHooks``: functions a module calls around its ``forward``: forward pre-hooks
before it (each may replace the positional inputs) and forward hooks after it (each may
replace the output), as in PyTorch. ``Module`` inherits them; see ``module.py``."""
from types import MappingProxyType

from tinynet.autograd.observers import OBSERVERS
from tinynet.tensor_hooks import RemovableHandle, add_hook


class ModuleHooks:
    """Forward hooks and forward pre-hooks, each kind a dict in registration order."""

    _forward_hooks = MappingProxyType({})  # replaced by a dict on the first hook
    _forward_pre_hooks = MappingProxyType({})  # likewise
    # NOTE: __call__ checks only this, so a module without hooks pays one check; removing
    # the last hook sets it back (the Monitor adds and removes its hooks every few steps)
    _has_hooks = False

    def register_forward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward, ``args`` the tuple of
        positional inputs; a non-None return value replaces them (a value that is not a
        tuple becomes the only input). Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_forward_pre_hook", "_forward_pre_hooks", hook)

    def register_forward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None return
        value replaces the output. Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_forward_hook", "_forward_hooks", hook)

    def _add_hook(self, where: str, kind: str, hook) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
        hooks, handle = add_hook(vars(self).get(kind), hook, self._update_has_hooks)
        setattr(self, kind, hooks)
        self._has_hooks = True
        return handle

    def _update_has_hooks(self) -> None:
        self._has_hooks = bool(self._forward_hooks or self._forward_pre_hooks)

    def _remove_hooks(self) -> None:
        """Forget every forward hook and pre-hook (a copy that must run as never hooked)."""
        vars(self).pop("_forward_hooks", None)
        vars(self).pop("_forward_pre_hooks", None)
        self._update_has_hooks()

    def __setstate__(self, state: dict) -> None:
        # (a module pickled before _has_hooks existed, with hooks: they must still run)
        vars(self).update(state)
        if "_has_hooks" not in state:
            self._update_has_hooks()

    def _call_hooked(self, args: tuple, kwargs: dict):
        """``__call__`` of a module with hooks: the pre-hooks, forward, the hooks."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self._call_observed(args, kwargs) if OBSERVERS.forward else \
            self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out
