"""How a plan replays a call (``_Running``, part of ``_Plan``): each op's own forward on
the new arrays, the forward hooks a replay may run, and, through the ``Replay`` node the
returned loss holds, each op's own backward in the engine's order."""
import numpy as np

from tinynet.autograd._recording import INPUT, OUT, TENSOR
from tinynet.autograd._unroll import unroll_keeping
from tinynet.autograd.engine import arity_error, unbroadcast
from tinynet.autograd.function import Function, _sequence


class _Running:
    """The replay of ``_Plan`` (see ``_plan.py`` for its attributes)."""

    def replay(self, args, first_hooked: int):
        """Replay a call ``ready`` accepted; ``first_hooked``: what it returned."""
        self.generation += 1
        hooked = first_hooked < len(self.calls)
        if hooked:  # the values the hooks of that call and later ones may read, kept
            values = self._keeping()(args, self._keep(first_hooked))
            returned = tuple([values[j] for j in self.returned])
        else:
            values, returned = None, (self._forward(args) if self._forward is not None
                                      else self._forward_loop(args))
        first = self._root(returned[0], args)
        if hooked:
            self._run_hooks(values, args, first_hooked)
        if len(returned) == 1:
            return first
        return (first, *[Tensor._wrap(array.copy() if copy else array, False, None)
                         for array, copy in zip(returned[1:], self.copy_returned)])

    def _forward_loop(self, args, keep=None):
        """Each op's own forward, in order, on this call's arrays: the outputs of the ops
        the call returns; with ``keep`` (per op output, whether to keep it: hooks may read
        it), every op's output, None for those freed. (With the fast paths on,
        ``_unroll`` runs this unrolled.)"""
        values = []
        for op in self.ops:
            arrays = [values[ref] if kind == OUT else args[ref].array if kind == INPUT
                      else ref.array if kind == TENSOR else ref for kind, ref in op.sources]
            ctx = op.ctx
            ctx.saved_tensors = ()
            out = op.cls.forward(ctx, *arrays)
            values.append(out if type(out) is np.ndarray else np.asarray(out))
            for j in op.frees:
                if keep is None or not keep[j]:
                    values[j] = None
        return values if keep is not None else tuple(values[j] for j in self.returned)

    def _keeping(self):
        """The forward that keeps the values ``keep`` names."""
        if not self.unrolled:
            return self._forward_loop  # (not kept: see _compile)
        if self._forward_keeping is None:
            self._forward_keeping = unroll_keeping(self)
        return self._forward_keeping

    def _keep(self, first_hooked: int) -> tuple:
        """Per op output, whether a hook of a module call from ``first_hooked`` on may
        read it. (No hook runs before that call ends, so none can be added to an
        earlier one.)"""
        keep = self._keeps.get(first_hooked)
        if keep is None:
            read = {ref for _, where, _ in self.calls[first_hooked:] if where is not None
                    for kind, ref in (*where[0], where[1]) if kind == OUT}
            keep = self._keeps[first_hooked] = tuple([j in read
                                                      for j in range(len(self.ops))])
        return keep
    def _run_hooks(self, values, args, first_hooked: int) -> None:
        """Each module call's forward hooks, as an eager call runs them: call by call in
        the order they ended, each call's hooks read from its module as that call ends
        (a hook may add or remove hooks of later calls, as the Monitor's step counter
        does). A reading hook gets the call's inputs and output: an input as it came in;
        an op's output as a tensor that requires no grad, one per value, whose
        ``grad_fn`` is the op's replayed context (what its forward saved, which the
        Monitor reads), not a graph: nothing backpropagates through it."""
        tensors = {}

        def tensor(kind, ref):
            if kind == INPUT:
                return args[ref]
            if ref not in tensors:
                op = self.ops[ref]
                tensors[ref] = Tensor._wrap(values[ref], False, op.ctx if op.records else None)
            return tensors[ref]

        for module, where, _ in self.calls[first_hooked:]:
            if not module._forward_hooks:
                continue
            for hook in list(module._forward_hooks.values()):
                if getattr(hook, "replay_safe", False):
                    hook(module, None, None)
                elif getattr(hook, "replay_reads", False) and where is not None:
                    inputs, output = where
                    hook(module, tuple([tensor(*source) for source in inputs]),
                         tensor(*output))
                else:  # added by an earlier hook of this call: its forward has run
                    raise RuntimeError(
                        f"capture: a forward hook of {type(module).__name__} was added "
                        f"during a replayed call, by another hook, and the replay cannot "
                        f"run it (not marked replay_safe, or replay_reads on a call whose "
                        f"values it does not have); add it before the call, or call the "
                        f"function outside tn.capture")

    def _root(self, array, args):
        if not self.ops[self.returned[0]].records:
            return Tensor._wrap(array, False, None)
        node = Replay.__new__(Replay)
        node.plan, node.generation = self, self.generation
        # by slot; when no input requires grad (the usual case), the same tuple every call
        leaves = self.fixed_leaves if self.fixed_leaves is not None else \
            tuple(self._leaves(args))
        node.leaves = node.next_nodes = leaves
        node.needs_input_grad = self.needs_input_grad
        node.saved_tensors, node.out_version = (), None
        node.retained = node.tensor_hooks = None
        node.versions = tuple([(t._version, t._version[0], t.array)
                               for t in self._saved_tensors(args)])
        node.saved_by = self.saved_by
        node.out_shape, node.seq = array.shape, next(_sequence)
        return Tensor._wrap(array, True, node)
    def _leaves(self, args) -> list:
        return [ref if where == "leaf" else args[ref] for where, ref in self.leaves]

    def _saved_tensors(self, args) -> list:
        return [args[ref] if kind == INPUT else ref for kind, ref in self.saved]

    def backward(self, node, grad) -> tuple:
        """Each leaf's summed gradient, in the order the engine would first reach it,
        computed as the engine computes it; ``node.next_nodes`` is set to that order."""
        if node.generation != self.generation:
            raise RuntimeError("capture: this loss's ops were replayed again by a later call "
                               "of the captured function, which reuses their saved values; "
                               "call backward() before calling the function again")
        if self.buffer is not None:
            self.buffer.renew_if_held()
        arrived, leaf_grads = self._backward(grad) if self._backward is not None else \
            self._backward_loop(grad)
        node.next_nodes = tuple([node.leaves[k] for k in arrived])
        return tuple([leaf_grads[k] for k in arrived])

    def release_saved(self) -> None:
        for op in self.ops:
            op.ctx.saved_tensors = ()

    def _backward_loop(self, grad) -> tuple:
        """Each op's own backward, newest first, summing the gradients each output and
        leaf receives: the leaf slots in order of first arrival (the engine's leaf
        order), and every slot's gradient. (With the fast paths on, ``_unroll`` runs this
        unrolled.)"""
        ops, first_leaf = self.ops, len(self.ops)
        grads = [None] * (first_leaf + len(self.leaves))  # per op's output, then per leaf
        grads[self.returned[0]] = grad
        arrived = []
        for i in self.backward_order:
            g = grads[i]
            if g is None:
                continue
            grads[i] = None
            op = ops[i]
            input_grads = op.backward(op.ctx, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if len(input_grads) != len(op.targets):
                arity_error(op.ctx, len(op.targets), input_grads)
            for (index, shape), gx in zip(op.targets, input_grads):
                if index is None or gx is None:
                    continue
                if gx.shape != shape:
                    gx = unbroadcast(gx, shape)
                previous = grads[index]
                if previous is None:
                    grads[index] = gx
                    if index >= first_leaf:
                        arrived.append(index - first_leaf)
                else:  # NOTE: out of place, as the engine: gx may be another input's array
                    grads[index] = previous + gx
        return arrived, grads[first_leaf:]


class Replay(Function):
    """The graph node of a replayed call: its backward runs the recorded ops' backward
    passes and hands each leaf its gradient."""

    # each leaf once (an input that is also a leaf the function reads runs eagerly), its
    # gradient summed and in its shape (see engine._run_leaves_only)
    to_leaves_only = True

    @property
    def grads_base(self):
        """The flat array of the plan's gradient buffer, whose views its backward hands
        over (None without one). NOTE: read through the plan, not kept here: a loss kept
        alive would otherwise hold the array, which the buffer then takes for a holder."""
        return self.plan.buffer.flat if self.plan.buffer is not None else None

    @staticmethod
    def backward(ctx, grad):
        return ctx.plan.backward(ctx, grad)

    def release(self) -> None:
        """Also free the arrays the replayed ops saved, as eager frees its graph's: only
        this call's (a later call's are not ours)."""
        super().release()
        if self.generation == self.plan.generation:
            self.plan.release_saved()


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
