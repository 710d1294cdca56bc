"""``TensorHooks``: gradients kept or watched during ``backward``: ``retain_grad`` and
``register_post_accumulate_grad_hook`` (``Tensor`` inherits them; see ``tensor.py``)."""
import itertools
import weakref

_hook_keys = itertools.count()


class TensorHooks:
    """Hooks into the backward pass, as in PyTorch."""

    __slots__ = ()

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf each time ``backward`` has added into its
        ``.grad`` (as in PyTorch). Returns a handle whose ``remove()`` unregisters it."""
        if self._ctx is not None:
            raise RuntimeError(f"register_post_accumulate_grad_hook: the tensor must be a leaf "
                               f"(made by you, not by an op), got the output of "
                               f"{type(self._ctx).__name__}")
        if self._grad_hooks is None:
            self._grad_hooks = {}
        key = next(_hook_keys)  # never reused: an old handle cannot remove a new hook
        self._grad_hooks[key] = hook
        return _HookHandle(self._grad_hooks, key)

    def retain_grad(self) -> None:
        """Also fill ``.grad`` of this non-leaf tensor during ``backward`` (a leaf's is
        always filled). The graph refers to the tensor weakly: no reference cycle."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor must require grad, got one with "
                               "requires_grad=False; there is no gradient to keep")
        if self._ctx is not None:
            self._ctx.retained = weakref.ref(self)


class _HookHandle:
    """Removes a hook from the dict it was registered in."""

    def __init__(self, hooks: dict, key: int):
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)
