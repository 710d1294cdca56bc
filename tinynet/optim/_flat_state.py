"""``FlatState``: an optimizer's per-parameter state in one contiguous array per name, for
the foreach path (``_foreach.py``). An update then costs a few vectorised numpy calls over
every parameter of a group instead of a dozen calls per parameter: on small MLPs, where
each call's fixed cost dominates, that is most of the optimizer's time. Each parameter's
state entry (``optimizer.state[p]["exp_avg"]``, ...) is a view into the flat array, so
state dicts, inspection and the per-parameter code path see and update the same numbers.

A group larger than its ``block`` is not gathered: it is walked block by block
(``FlatState.blocks``), straight from each parameter's ``.grad`` into its ``.array``.

A small group's gradients are gathered into one flat array with one ``np.concatenate``,
unless they already are views of one, end to end in the group's order (a replayed
call's gradient buffer, autograd/grad_buffer.py): then that array is read where it is
(``FlatState.flat_grads``), never written.

``flatten_parameters`` goes one step further on a small group: it moves the parameters'
values into one flat array, each parameter's ``array`` becoming a view of it, so the
final ``p -= update`` is one numpy call for the whole group. It does so only when no one
else can see the move (see its docstring): the values never change, only where they
live.
"""
import functools
import itertools
import sys
import weakref

import numpy as np


class FlatState:
    """Flat buffers for ``names`` over ``params`` (same dtype), plus scratch space, and,
    once ``subtract`` has moved them there (``flatten_parameters``), the parameters' own
    flat array: ``data``, of which ``data_views`` are the parameters' arrays.

    Args:
        params: the group's parameters, in order.
        names: state entries to keep flat, e.g. ("exp_avg", "exp_avg_sq").
        state: the optimizer's ``state`` dict; existing entries are copied in and then
            replaced by views.
        where: the call that builds it (e.g. "Adam.step"), named in errors.
        block: the most elements a group may have to be gathered into one flat array;
            a larger one is walked in blocks of this size.
    """

    def __init__(self, params: list, names: tuple, state: dict, where: str, block: int):
        self.params = list(params)  # a copy: the group's list may grow
        self.dtype = params[0].array.dtype
        sizes = [p.array.size for p in params]
        self.bounds = list(zip(np.cumsum([0] + sizes[:-1]).tolist(), np.cumsum(sizes).tolist()))
        n = sum(sizes)
        self.block = block  # fixed for these buffers: the scratch is sized by it
        self.blocked = n > self.block
        self.grad = None if self.blocked else np.empty(n, self.dtype)  # gathered grads
        # one scratch row for the update; a blocked group needs a second (for the L2 penalty)
        self.scratch = np.empty((2 if self.blocked else 1, min(n, self.block)), self.dtype)
        self.buffers = {name: np.zeros(n, self.dtype) for name in names}
        self.data = self.data_views = None  # the parameters' flat array, once it exists
        self.grad_refs = None  # weak references to the gradients flat_grads last saw
        self.grads_flat = False  # whether they were laid flat
        # after ready() returned True: whether every parameter's array was its view of
        # ``data`` and every gradient the one flat_grads last found laid flat
        self.unchanged = False
        self.views = []  # per parameter: ((name, view of the buffer), ...) in its state
        for p, (lo, hi) in zip(params, self.bounds):
            entry = state.setdefault(p, {})
            for name, flat in self.buffers.items():
                view = flat[lo:hi].reshape(p.array.shape)
                if isinstance(entry.get(name), np.ndarray):
                    if entry[name].shape != view.shape:
                        raise ValueError(
                            f"{where}: each parameter must keep the shape of its optimizer "
                            f"state, got shape {p.array.shape} for state {name!r} of shape "
                            f"{entry[name].shape}; after changing a parameter's shape, create "
                            f"a new optimizer")
                    view[...] = entry[name]
                entry[name] = view
            self.views.append(tuple([(name, entry[name]) for name in names]))

    def ready(self, params: list, state: dict) -> bool:
        """Whether one update over these buffers serves ``params`` now: the same
        parameters, of the same dtype and size, each with a gradient, and, when it keeps
        state, one step count and no state entry replaced since (e.g. by
        ``load_state_dict``). When it returns True, ``unchanged`` says whether the
        arrays and gradients are the very ones seen before (see ``__init__``).
        NOTE: one pass, identity checks first: it runs at every step."""
        self.unchanged = False
        if len(params) != len(self.params):
            return False
        step = None
        if self.buffers:
            if params[0] not in state:
                return False
            step = state[params[0]].get("step")
        # the usual case is checked by identity alone: each parameter's array still its
        # view of the flat ``data``, its gradient the view ``flat_grads`` last found laid
        # flat (of the dtype and shapes checked then)
        known = self.data_views is not None and self.grads_flat
        data_views = self.data_views if known else itertools.repeat(None)
        grad_refs = self.grad_refs if known else itertools.repeat(None)
        dtype = self.dtype
        for p, q, (lo, hi), views, data_view, grad_ref in zip(
                params, self.params, self.bounds, self.views, data_views, grad_refs):
            if p is not q or p.grad is None:
                return False
            data, grad = p.array, p.grad.array
            if not known or data is not data_view or grad is not grad_ref():
                known = False
                # identity first: the usual case, and cheaper than comparing dtypes
                if (data.dtype is not dtype and data.dtype != dtype) or \
                        data.size != hi - lo or \
                        (grad.dtype is not dtype and grad.dtype != dtype) or \
                        grad.shape != data.shape:
                    return False
            if views:
                entry = state.get(p)
                if entry is None or entry.get("step") != step:
                    return False
                for name, view in views:
                    if entry.get(name) is not view:
                        return False
        self.unchanged = known
        return True

    def apart(self) -> bool:
        """Whether no parameter's array can share memory with another's: each is its own
        array or a view of this group's flat one (a gathered copy of the parameters then
        holds each one's values before any is updated, as the per-parameter code sees
        them)."""
        arrays = [p.array for p in self.params]
        return len({id(a) for a in arrays}) == len(arrays) and \
            all(a.base is None or a.base is self.data for a in arrays)

    def gather_grads(self) -> np.ndarray:
        """The group's gradients in one flat array (a group of at most ``block`` elements)."""
        np.concatenate([p.grad.array for p in self.params], axis=None, out=self.grad)
        return self.grad

    def flat_grads(self):
        """The group's gradients as the one flat array they are views of, end to end and
        in order (a replayed call's gradient buffer: autograd/grad_buffer.py), or None.
        Read only: the array is the gradients' own. The gradients last looked at are
        known by weak references (a reference would count as a holder there): while
        they are the same, so is the answer."""
        if self.unchanged:  # ready() has just found them so
            return self.params[0].grad.array.base
        if self.params[0].grad.array.base is None:  # (eager gradients: arrays of their own)
            return None
        grads = [p.grad.array for p in self.params]
        refs = self.grad_refs
        if refs is None or any(g is not ref() for g, ref in zip(grads, refs)):
            self.grads_flat = laid_flat(grads) is not None
            self.grad_refs = [weakref.ref(g) for g in grads] \
                if all(type(g) is np.ndarray for g in grads) else None
        return grads[0].base if self.grads_flat else None

    def subtract(self, update: np.ndarray) -> None:
        """p ← p - update (each an in-place change: versions count it): in one call when
        the parameters are views of one flat array (``flatten_parameters``), else slice by
        slice."""
        if self.data is None or not self.unchanged and \
                not holds(self.params, self.data_views, self.data):  # (ready() checked it)
            self.data, self.data_views = flatten_parameters(self.params)
        if self.data is not None:
            self.data -= update
        else:
            for p, (lo, hi) in zip(self.params, self.bounds):
                p.array -= update[lo:hi].reshape(p.array.shape)
        for p in self.params:
            p._version[0] += 1  # (p.bump_version(), without a call per parameter)

    def blocks(self):
        """Yield ``(p, g, state, scratch)`` for each block of at most ``block`` elements of a
        blocked group: 1-D views of a parameter's data and gradient, a tuple of its state
        entries' views (in ``names`` order) and two scratch rows, all of one length.
        Changes to ``p`` reach the parameter, whose version counts them."""
        for param, (lo, hi) in zip(self.params, self.bounds):
            contiguous = param.array.flags.c_contiguous
            # a view of the parameter; a copy, written back below, if it is not contiguous
            data = param.array.reshape(-1) if contiguous else param.array.flatten()
            grad = param.grad.array.reshape(-1)
            for start in range(0, hi - lo, self.block):
                stop = min(start + self.block, hi - lo)
                yield (data[start:stop], grad[start:stop],
                       tuple([flat[lo + start:lo + stop] for flat in self.buffers.values()]),
                       self.scratch[:, :stop - start])
            if not contiguous:
                param.array[...] = data.reshape(param.array.shape)
            param.bump_version()


def _holders(t) -> int:
    """How many references ``t.array`` has, counted as ``flatten_parameters`` counts them."""
    return sys.getrefcount(t.array)


@functools.lru_cache(maxsize=None)
def _alone() -> int:
    """What ``_holders`` counts for an array that only its tensor holds."""
    from tinynet.tensor import Tensor  # the optimizers import after the tensor
    return _holders(Tensor._wrap(np.empty(1), False, None))


def flatten_parameters(params: list) -> tuple:
    """Move the values of ``params`` into one flat array, each parameter's ``array``
    becoming a view of it, laid end to end in order. Returns (the flat array, the views),
    or (None, None) when the move could be seen, and nothing moves: a parameter's array
    is held by anything but its tensor (a ``.data`` or ``.numpy()`` taken earlier, a view,
    a live graph that saved it), is a view itself, is not C-contiguous, or the dtypes
    differ. Parameters already laid out so (by an earlier call, for an optimizer since
    rebuilt) are taken as they are. NOTE: reference counts say who holds an array, so
    this runs on CPython only.
    """
    flat = laid_flat([p.array for p in params])
    if flat is not None:
        return flat, [p.array for p in params]
    if sys.implementation.name != "cpython" or not hasattr(sys, "getrefcount"):
        return None, None
    dtype, alone = params[0].array.dtype, _alone()
    for p in params:
        array = p.array
        if type(array) is not np.ndarray or array.base is not None or \
                array.dtype != dtype or not array.flags.c_contiguous:
            return None, None
        del array  # not counted below
        if _holders(p) != alone:
            return None, None
    flat = np.concatenate([p.array.reshape(-1) for p in params])
    views, start = [], 0
    for p in params:
        view = flat[start:start + p.array.size].reshape(p.array.shape)
        start += p.array.size
        p.array = view  # the same values: no version change
        views.append(view)
    return flat, views


def laid_flat(arrays: list):
    """The flat array ``arrays`` are views of, end to end and in order, when they are;
    else None."""
    flat = arrays[0].base
    if type(flat) is not np.ndarray or flat.ndim != 1 or \
            flat.size != sum(a.size for a in arrays):
        return None
    start = flat.__array_interface__["data"][0]
    for view in arrays:
        if view.base is not flat or not view.flags.c_contiguous or \
                view.__array_interface__["data"][0] != start:
            return None
        start += view.nbytes
    return flat


def holds(params: list, views: list, flat: np.ndarray) -> bool:
    """Whether each parameter still has its view of ``flat`` (none was given a new array
    since, and the views are of this very array: a copied optimizer's are not)."""
    if views[0].base is not flat:
        return False
    for p, view in zip(params, views):
        if p.array is not view:
            return False
    return True
