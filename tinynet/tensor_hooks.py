"""``TensorHooks``: gradients kept, watched or changed during ``backward``:
``retain_grad``, ``register_hook`` and ``register_post_accumulate_grad_hook`` (``Tensor``
inherits them; see ``tensor.py``). The engine runs the hooks (``engine.py``)."""
import itertools
import weakref

from tinynet.autograd.observers import hook_registered

_hook_keys = itertools.count()


class TensorHooks:
    """Hooks into the backward pass, as in PyTorch."""

    __slots__ = ()

    def register_hook(self, hook):
        """Call ``hook(grad)`` with the gradient w.r.t. this tensor each time ``backward``
        computes it (summed over its uses); a Tensor it returns (of the same shape and
        dtype) replaces the gradient: what flows on to the tensors it was made from, or,
        for a leaf, what is added into ``.grad``. Hooks run in registration order, each
        on the previous one's result. Returns a handle whose ``remove()`` unregisters it.

        Example:
            >>> import tinynet as tn
            >>> x = tn.ones(3, requires_grad=True)
            >>> handle = x.register_hook(lambda grad: grad * 2)
            >>> (x * 3).sum().backward()
            >>> x.grad
            tensor([6., 6., 6.])
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient (requires_grad=False); set "
                               "requires_grad=True on the leaf it is computed from")
        if not callable(hook):
            raise TypeError(f"register_hook: hook must be callable, got "
                            f"{type(hook).__name__}")
        hook_registered()
        if self._ctx is None:
            self._hooks, handle = add_hook(self._hooks, hook)
        else:  # on the op that made it, as PyTorch keeps them on the grad_fn
            self._ctx.tensor_hooks, handle = add_hook(self._ctx.tensor_hooks, hook)
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf each time ``backward`` has added into its
        ``.grad`` (as in PyTorch). Returns a handle whose ``remove()`` unregisters it."""
        if self._ctx is not None:
            raise RuntimeError(f"register_post_accumulate_grad_hook: the tensor must be a leaf "
                               f"(made by you, not by an op), got the output of "
                               f"{type(self._ctx).__name__}")
        hook_registered()
        self._grad_hooks, handle = add_hook(self._grad_hooks, hook)
        return handle

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf tensor called ``retain_grad()`` (False for a leaf)."""
        ctx = self._ctx
        retained = getattr(ctx, "retained", None) if ctx is not None else None
        return retained is not None and retained() is self

    def retain_grad(self) -> None:
        """Also fill ``.grad`` of this non-leaf tensor during ``backward`` (a leaf's is
        always filled). The graph refers to the tensor weakly: no reference cycle."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor must require grad, got one with "
                               "requires_grad=False; there is no gradient to keep")
        if self._ctx is not None:
            hook_registered()
            self._ctx.retained = weakref.ref(self)


class RemovableHandle:
    """Returned by every ``register_*hook`` method (of tensors and modules): ``remove()``
    unregisters the hook, also on leaving a ``with`` block."""

    def __init__(self, hooks: dict, key: int, on_remove=None):
        self._hooks, self._key, self._on_remove = hooks, key, on_remove

    @property
    def id(self) -> int:
        """The hook's key in its dict (PyTorch's ``handle.id``)."""
        return self._key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)
        if self._on_remove is not None:
            self._on_remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks, hook, on_remove=None, prepend: bool = False) -> tuple:
    """``hook`` added to the dict ``hooks`` (a new one when None) under a key never
    reused, so that an old handle cannot remove a new hook, last (or, with ``prepend``,
    first: the same dict, which the other handles hold): (the dict, its handle;
    ``on_remove()`` runs after the handle removes it)."""
    hooks = {} if hooks is None else hooks
    key = next(_hook_keys)
    earlier = list(hooks.items()) if prepend else []
    if prepend:
        hooks.clear()
    hooks[key] = hook
    hooks.update(earlier)
    return hooks, RemovableHandle(hooks, key, on_remove)


def add_named_hook(owner, attribute: str, hook, where: str,
                   prepend: bool = False) -> RemovableHandle:
    """``hook``, which must be callable, added to the dict of hooks ``owner`` keeps as its
    attribute ``attribute`` (made on the first): the ``register_*_hook`` methods of
    optimizers and of the modules' state dicts. Returns its handle."""
    if not callable(hook):
        raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
    hooks, handle = add_hook(vars(owner).get(attribute), hook, prepend=prepend)
    object.__setattr__(owner, attribute, hooks)
    return handle


def named_hooks(owner, attribute: str) -> list:
    """The hooks ``add_named_hook`` added under ``attribute``, in order."""
    return list(vars(owner).get(attribute, {}).values())
