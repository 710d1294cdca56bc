"""``FlatState``: an optimizer's per-parameter state kept in one contiguous array per name.

An update then costs a few vectorised numpy calls over every parameter of a group
instead of a dozen calls per parameter: on small MLPs, where each call's fixed cost
dominates, that is most of the optimizer's time. Each parameter's state entry
(``optimizer.state[p]["exp_avg"]``, ...) is a view into the flat array, so state dicts,
inspection and the per-parameter code path see and update the same numbers.

A group larger than ``BLOCK`` elements is not gathered: its update runs block by block,
straight from each parameter's ``.grad`` into its ``.array``. An update is a dozen
elementwise passes; over a block (256 kB per array in float32) they run in the CPU's
caches, over a whole 2.9 M-parameter group every pass goes to memory (measured on the
``wide`` benchmark: 15-16 ms -> 7.6-8.6 ms per Adam step). The block size is the
measured best: 16 k, 32 k, 64 k and 128 k elements took 9.9, 8.8, 8.3 and 8.6 ms; smaller
blocks pay numpy's per-call overhead more often, larger ones spill the caches.
"""
import numpy as np

BLOCK = 1 << 16  # elements


class FlatState:
    """Flat buffers for ``names`` over ``params`` (same dtype), plus scratch space.

    Args:
        params: the group's parameters, in order.
        names: state entries to keep flat, e.g. ("exp_avg", "exp_avg_sq").
        state: the optimizer's ``state`` dict; existing entries are copied in and then
            replaced by views.
    """

    def __init__(self, params: list, names: tuple, state: dict):
        self.params = params
        self.dtype = params[0].array.dtype
        sizes = [p.array.size for p in params]
        self.bounds = list(zip(np.cumsum([0] + sizes[:-1]).tolist(), np.cumsum(sizes).tolist()))
        n = sum(sizes)
        self.block = BLOCK  # fixed for these buffers: the scratch is sized by it
        self.blocked = n > self.block
        self.grad = None if self.blocked else np.empty(n, self.dtype)  # gathered grads
        # one scratch row for the update; a blocked group needs a second (for the L2 penalty)
        self.scratch = np.empty((2 if self.blocked else 1, min(n, self.block)), self.dtype)
        self.buffers = {name: np.zeros(n, self.dtype) for name in names}
        self.views = []  # per parameter: ((name, view of the buffer), ...) in its state
        for p, (lo, hi) in zip(params, self.bounds):
            entry = state.setdefault(p, {})
            for name, flat in self.buffers.items():
                view = flat[lo:hi].reshape(p.array.shape)
                if isinstance(entry.get(name), np.ndarray):
                    if entry[name].shape != view.shape:
                        raise ValueError(
                            f"optimizer state {name!r} has shape {entry[name].shape}, but its "
                            f"parameter has shape {p.array.shape}: a parameter's shape changed "
                            f"after the optimizer stepped; create a new optimizer")
                    view[...] = entry[name]
                entry[name] = view
            self.views.append(tuple([(name, entry[name]) for name in names]))

    def ready(self, params: list, state: dict) -> bool:
        """Whether one update over these buffers serves ``params`` now: the same
        parameters, of the same dtype and size, each with a gradient and one step count,
        and no state entry replaced since (e.g. by ``load_state_dict``).
        NOTE: one pass, identity checks only: it runs at every step."""
        if len(params) != len(self.params) or params[0] not in state:
            return False
        dtype, step = self.dtype, state[params[0]].get("step")
        for p, q, (lo, hi), views in zip(params, self.params, self.bounds, self.views):
            entry = state.get(p)
            if p is not q or p.grad is None or entry is None or entry.get("step") != step:
                return False
            data = p.array
            # identity first: the usual case, and cheaper than comparing dtypes
            if (data.dtype is not dtype and data.dtype != dtype) or data.size != hi - lo:
                return False
            for name, view in views:
                if entry.get(name) is not view:
                    return False
        return True

    def gather_grads(self) -> np.ndarray:
        """The group's gradients in one flat array (a group of at most BLOCK elements)."""
        np.concatenate([p.grad.array.reshape(-1) for p in self.params], out=self.grad)
        return self.grad

    def subtract(self, update: np.ndarray) -> None:
        """p ← p - update, slice by slice (each an in-place change: versions count it)."""
        for p, (lo, hi) in zip(self.params, self.bounds):
            p.array -= update[lo:hi].reshape(p.array.shape)
            p.bump_version()

    def blocks(self):
        """Yield ``(p, g, state, scratch)`` for each block of at most BLOCK elements of a
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
