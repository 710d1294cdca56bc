"""``ModuleHooks``: functions a module calls around its ``forward``: forward pre-hooks
before it (each may replace the positional inputs) and forward hooks after it (each may
replace the output), as in PyTorch; and full backward hooks and backward pre-hooks, on the
gradients with respect to its inputs and outputs (``backward_hooks.py``). ``Module``
inherits them; see ``module.py``."""
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

    def register_forward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward, ``args`` the tuple of
        positional inputs; a non-None return value replaces them (a value that is not a
        tuple becomes the only input). Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_forward_pre_hook", "_forward_pre_hooks", hook)

    def register_forward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None return
        value replaces the output. Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("register_forward_hook", "_forward_hooks", hook)

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

    def _add_hook(self, where: str, kind: str, hook) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
        hooks, handle = add_hook(vars(self).get(kind), hook, self._update_has_hooks)
        setattr(self, kind, hooks)
        self._has_hooks = True
        return handle

    def _update_has_hooks(self) -> None:
        self._has_hooks = bool(self._forward_hooks or self._forward_pre_hooks or
                               self._backward_hooks or self._backward_pre_hooks)

    def _remove_hooks(self) -> None:
        """Forget every hook (a copy that must run as never hooked)."""
        vars(self).pop("_forward_hooks", None)
        vars(self).pop("_forward_pre_hooks", None)
        vars(self).pop("_backward_hooks", None)
        vars(self).pop("_backward_pre_hooks", None)
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
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        call = None
        if self._backward_hooks or self._backward_pre_hooks:
            args, call = hooked_inputs(self, args)
        out = self._call_observed(args, kwargs) if OBSERVERS.forward else \
            self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return hooked_output(call, out) if call is not None else out
