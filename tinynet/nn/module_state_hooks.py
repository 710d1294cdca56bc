"""PyTorch's state-dict hooks of ``nn.Module``, so that code which renames or adds
entries when a model is saved or loaded (a checkpoint written by an older version of a
model) runs as it does there. Each module keeps its own hooks; ``state_dict`` and
``load_state_dict`` (module_state.py) call them module by module, a module before its
children, with the module's prefix ("encoder.0."), as PyTorch's recursion does."""
from tinynet.tensor_hooks import RemovableHandle, add_named_hook, named_hooks

# the attributes holding each kind of hook (PyTorch's names)
SAVE_PRE, SAVE_POST = "_state_dict_pre_hooks", "_state_dict_hooks"
LOAD_PRE, LOAD_POST = "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"


class StateDictHooks:
    """The ``register_*state_dict*_hook`` methods of ``Module``."""

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` reads this module."""
        return self._add_state_hook(SAVE_PRE, hook, "register_state_dict_pre_hook")

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` once this module's entries,
        and its children's, are in ``state_dict``: it changes the dict in place and
        returns None, as PyTorch's (``local_metadata`` is an empty dict here)."""
        return self._add_state_hook(SAVE_POST, hook, "register_state_dict_post_hook")

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before ``load_state_dict`` reads this module's
        entries: it may rename, add or remove entries of ``state_dict`` (a copy of the
        caller's), and append to the three lists, as PyTorch's."""
        return self._add_state_hook(LOAD_PRE, hook, "register_load_state_dict_pre_hook")

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` once ``load_state_dict`` has loaded: it may
        remove names from ``incompatible_keys.missing_keys`` and ``.unexpected_keys``
        (then a strict load does not raise for them), as PyTorch's."""
        return self._add_state_hook(LOAD_POST, hook, "register_load_state_dict_post_hook")

    def _add_state_hook(self, kind: str, hook, where: str) -> RemovableHandle:
        return add_named_hook(self, kind, hook, where)


def any_hooks(root, kind: str) -> bool:
    """Whether ``root`` or a module below it has a hook of ``kind``."""
    return any(vars(module).get(kind) for module in root.modules())


def hooked_state_dict(module, out: dict, prefix: str, keep_vars: bool, own_entries) -> None:
    """``state_dict`` with hooks: ``own_entries(module)`` (its own names and values), then
    its children's, each module between its pre- and post-hooks."""
    for hook in named_hooks(module, SAVE_PRE):
        hook(module, prefix, keep_vars)
    for name, value in own_entries(module):
        out[prefix + name] = value
    for name, child in module._modules.items():
        hooked_state_dict(child, out, f"{prefix}{name}.", keep_vars, own_entries)
    for hook in named_hooks(module, SAVE_POST):
        if hook(module, out, prefix, {}) is not None:
            raise RuntimeError(f"register_state_dict_post_hook: hook "
                               f"{getattr(hook, '__name__', hook)!r} must change the "
                               f"state_dict in place and return None (as in PyTorch)")


def run_load_pre_hooks(root, state_dict, strict: bool) -> tuple:
    """The load pre-hooks of every module, a module before its children: (the state
    dict they changed, a copy of the caller's; the missing keys, unexpected keys and
    error messages they appended)."""
    state_dict = dict(state_dict)
    missing, unexpected, errors = [], [], []
    for name, module in root.named_modules(remove_duplicate=False):
        for hook in named_hooks(module, LOAD_PRE):
            hook(module, state_dict, f"{name}." if name else "", {}, strict, missing,
                 unexpected, errors)
    return state_dict, missing, unexpected, errors


def run_load_post_hooks(module, incompatible) -> None:
    """The load post-hooks of ``module`` and those below it, children first (PyTorch's
    order: a module's hooks run once its children have loaded)."""
    for child in module._modules.values():
        run_load_post_hooks(child, incompatible)
    for hook in named_hooks(module, LOAD_POST):
        if hook(module, incompatible) is not None:
            raise RuntimeError(f"register_load_state_dict_post_hook: hook "
                               f"{getattr(hook, '__name__', hook)!r} must return None (as "
                               f"in PyTorch): it may change the key lists in place")
