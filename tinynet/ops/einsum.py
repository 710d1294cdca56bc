"""Einstein summation: ``einsum("ij,jk->ik", x, z)`` is ``x @ z``."""
import numpy as np

from tinynet.autograd.function import Function


class Einsum(Function):
    """y = einsum(equation, x₁, x₂, ...);  dL/dxᵢ = einsum(out, others -> inputᵢ) of
    dL/dy with the other operands, then broadcast over the letters only xᵢ has.

    The equation is explicit (``"ij,jk->ik"``, see ``tinynet.functions.einsum`` for the
    implicit form), without ``...`` and without a letter repeated inside one operand.
    ``apply(equation, x₁, x₂, ...)``: backward returns ``None`` for the equation.
    """

    @staticmethod
    def forward(ctx, equation, *xs):
        ctx.inputs, ctx.output = equation.split("->")[0].split(","), equation.split("->")[1]
        ctx.save_for_backward(*xs)
        return np.einsum(equation, *xs)

    @staticmethod
    def backward(ctx, grad):
        xs, letters = ctx.saved_tensors, ctx.inputs
        grads = [None]
        for i, (x, need) in enumerate(zip(xs, ctx.needs_input_grad[1:])):
            if not need:
                grads.append(None)
                continue
            others = [letters[j] for j in range(len(xs)) if j != i]
            known = set(ctx.output).union(*others)
            # letters that only x_i has were summed away: y does not depend on where
            # along them an element sits, so the gradient is constant along them
            kept = "".join(c for c in letters[i] if c in known)
            terms = ",".join([ctx.output] + others)
            g = np.einsum(f"{terms}->{kept}", grad, *(xs[j] for j in range(len(xs)) if j != i))
            # a letter of size 1 in x_i that another operand has longer was broadcast:
            # x_i's gradient sums over it
            stretched = tuple(k for k, c in enumerate(kept)
                              if x.shape[letters[i].index(c)] == 1 and g.shape[k] != 1)
            if stretched:
                g = g.sum(axis=stretched, keepdims=True)
            # and a letter x_i has longer than another operand's size 1 reaches all of it
            g = np.broadcast_to(g, tuple(x.shape[letters[i].index(c)] for c in kept))
            shape = [x.shape[k] if c in known else 1 for k, c in enumerate(letters[i])]
            grads.append(np.broadcast_to(g.reshape(shape), x.shape))
        return tuple(grads)
