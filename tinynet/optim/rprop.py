"""Rprop: per-element step sizes that grow while the gradient keeps its sign and shrink
when it flips; only the signs of the gradients are used."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import (Optimizer, as_floats, check_maximize, check_pair,
                                     maximizable)


class Rprop(Optimizer):
    """PyTorch's Rprop (Riedmiller & Braun, 1993). For each parameter p with gradient g,
    g' the g of the previous step (0 at first), (η₋, η₊) = etas and (s_min, s_max) =
    step_sizes, elementwise:

        f = η₊ where g·g' > 0,  η₋ where g·g' < 0,  1 elsewhere
        s ← clip(f·s, s_min, s_max)                (s starts at lr)
        g ← 0 where g·g' < 0                       (a sign flip: the last step overshot)
        p ← p - s·sign(g)
        g' ← g

    An element whose gradient flipped sign takes no step, and its g' of 0 keeps its next
    step size as it is. As in PyTorch, s is clipped at every step, so a first step size
    (lr) outside [s_min, s_max] is moved into it at once.

    Args:
        params: tensors or parameter groups.
        lr: the first step size of every element (default 1e-2).
        etas: (η₋, η₊), with 0 < η₋ < 1 < η₊: the factors that shrink and grow the step
            sizes (default (0.5, 1.2)).
        step_sizes: (s_min, s_max), with 0 <= s_min <= s_max, finite: the step sizes'
            bounds (default (1e-6, 50)).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Rprop([w], lr=0.1)
        >>> for _ in range(2):   # steps of lr, then 1.2·lr: the gradient kept its sign
        ...     opt.zero_grad(); (w * 3).sum().backward(); opt.step()
        >>> w
        tensor([0.7800], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 maximize: bool = False):
        lr = check_real("Rprop", "lr", lr, 0.0)
        eta_minus, eta_plus = check_pair("Rprop", "etas", etas, "(eta_minus, eta_plus)")
        etas = (check_real("Rprop", "etas[0]", eta_minus, 0.0, 1.0, low_open=True,
                           high_open=True),
                check_real("Rprop", "etas[1]", eta_plus, 1.0, low_open=True))
        step_min, step_max = check_pair("Rprop", "step_sizes", step_sizes,
                                        "(step_size_min, step_size_max)")
        step_min = check_real("Rprop", "step_sizes[0]", step_min, 0.0)
        step_sizes = (step_min, check_real("Rprop", "step_sizes[1]", step_max, step_min))
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      maximize=check_maximize("Rprop", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            (lr,) = as_floats(group, "lr")
            eta_minus, eta_plus = map(float, group["etas"])
            step_min, step_max = map(float, group["step_sizes"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state[p]
                if not state:
                    state.update(step=0, prev=np.zeros_like(p.array),
                                 step_size=np.full_like(p.array, lr))
                state["step"] += 1
                prev, s = state["prev"], state["step_size"]
                with np.errstate(invalid="ignore"):  # inf·0 at a first step: NaN, no step change
                    agree = g * prev
                f = np.ones_like(s)  # (in s's dtype, as η₊·s is computed in PyTorch)
                flipped = agree < 0
                f[agree > 0] = eta_plus
                f[flipped] = eta_minus
                s *= f
                np.clip(s, step_min, step_max, out=s)
                g = np.where(flipped, 0, g)
                # sign(NaN) is 0, as in PyTorch: a NaN gradient leaves its element alone
                p.array -= np.nan_to_num(np.sign(g), nan=0.0) * s
                prev[...] = g
                p.bump_version()
