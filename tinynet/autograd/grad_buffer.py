"""A replayed call's gradient buffer: the parameters' gradients in one flat array.

An optimizer's foreach path updates a group's parameters with a few passes over one flat
array of their gradients, and gathering the gradients into it is a copy of every one of
them. A replay (``tn.capture``) knows before its backward pass which op computes each
parameter's gradient, so it can have the op write it straight into place: each gradient
is then a view of one flat array, laid end to end in the order the function first used
the parameters (for an ``nn.Sequential``, ``model.parameters()``'s order), and the
optimizer reads that array as it is (``optim/_flat_state.py``: ``FlatState.flat_grads``).

Ownership: once the engine has made a view some parameter's ``.grad``, it belongs to the
user, and its values must never change behind their back. So before each backward pass
the buffer counts who holds its array and views: when anything but itself does (a
``.grad`` not yet reset by ``zero_grad()``, a gradient the user kept or a view of one),
the gradients go into a new flat array, and the old one is left to its holders. After
the usual ``zero_grad()`` (which sets the gradients to None) nobody does, and the same
array serves every step. NOTE: reference counts say who holds an array, so this runs on
CPython only.
"""
import math
import sys

import numpy as np

from tinynet import fastpath


class GradBuffer:
    """Where the ops named in ``places`` write the gradients of their parameters.

    Args:
        places: per parameter, in the buffer's order: (its shape, the replayed op's
            context that computes its whole gradient, the argument's position there).
        dtype: the parameters' dtype (every op named computes in it).
    """

    def __init__(self, places: list, dtype):
        self.places, self.dtype = places, np.dtype(dtype)
        self.size = sum(math.prod(shape) for shape, _, _ in places)
        self._allocate()

    def _allocate(self) -> None:
        """A new flat array, and each op's ``ctx.into`` naming views of it."""
        self.flat, self.views = _laid_out(self.places, self.dtype, self.size)
        self.baseline = self._holders()  # (once _laid_out's own references are gone)

    def _holders(self) -> list:
        """How many references the flat array and each view have (counted the same way
        at every call): views of a view are views of the flat array, and hold it."""
        return [sys.getrefcount(a) for a in (self.flat, *self.views)]

    def renew_if_held(self) -> None:
        """Before a backward pass: a new flat array if the flat array or a view is held
        by anything but this buffer and its ops' ``ctx.into`` (a ``.grad``, a gradient
        kept, a view of one), whose values the pass must not overwrite."""
        if self._holders() != self.baseline:
            self._allocate()


def _laid_out(places: list, dtype, size: int) -> tuple:
    """A flat array of ``size`` elements and, per place, a view of it, end to end; each
    place's op context gets its views in ``ctx.into``."""
    flat = np.empty(size, dtype)
    views, into, start = [], {}, 0
    for shape, ctx, position in places:
        stop = start + math.prod(shape)
        views.append(flat[start:stop].reshape(shape))
        start = stop
        into.setdefault(id(ctx), (ctx, list(type(ctx).into)))[1][position] = views[-1]
    for ctx, named in into.values():
        ctx.into = tuple(named)
    return flat, views


def destinations(cls, args: tuple, out) -> tuple:
    """The positions of the arguments whose gradients the op ``cls`` can write into the
    buffer, for these recorded arguments and output: what a fast op (ops/_fast.py)
    names through its ``destinations``, when all its tensors share one dtype (its
    gradients are then computed in that dtype); () for any other op."""
    if fastpath._FAST_OF.get(cls.__mro__[1]) is not cls or "destinations" not in vars(cls):
        return ()
    tensors = [a for a in args if isinstance(a, Tensor)]
    if any(t.array.dtype != out.array.dtype for t in tensors):
        return ()
    return cls.destinations(*[a.array if isinstance(a, Tensor) else a for a in args])


def places_for(plan) -> tuple:
    """The gradient buffer's places for a plan, and their dtype: the parameters (leaf
    tensors, not the call's inputs) whose whole gradient one op computes, at a position
    it can write (``_Op.writes``), all of one dtype (the first such parameter's); ([],
    None) when there are none, or off CPython."""
    if sys.implementation.name != "cpython":
        return [], None
    sources = {}  # leaf slot -> [(op, argument position), ...]
    for op in plan.ops:
        for position, (index, _) in enumerate(op.targets):
            if index is not None and index >= len(plan.ops):
                sources.setdefault(index - len(plan.ops), []).append((op, position))
    candidates = []
    for slot, found in sorted(sources.items()):
        where, leaf = plan.leaves[slot]
        if where == "leaf" and len(found) == 1 and found[0][1] in found[0][0].writes:
            op, position = found[0]
            candidates.append((leaf.array.shape, op.ctx, position, leaf.array.dtype))
    if not candidates:
        return [], None
    dtype = candidates[0][3]
    return [(shape, ctx, position) for shape, ctx, position, d in candidates if d == dtype], \
        dtype


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
