"""Adagrad: per-coordinate steps shrinking with the sum of squared gradients."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import Optimizer, as_floats, check_maximize, maximizable


class Adagrad(Optimizer):
    """PyTorch's Adagrad (Duchi et al., 2011). At step t, for each parameter p with
    gradient g:

        g ← g + weight_decay·p
        S ← S + g²                        (S starts at initial_accumulator_value)
        p ← p - lr/(1 + (t - 1)·lr_decay) · g/(√S + eps)

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-2).
        lr_decay: decay of the learning rate with the step count (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: the starting value of S (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Adagrad([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w   # first step: lr·g/|g| = lr
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False):
        lr = check_real("Adagrad", "lr", lr, 0.0)
        lr_decay = check_real("Adagrad", "lr_decay", lr_decay, 0.0)
        weight_decay = check_real("Adagrad", "weight_decay", weight_decay, 0.0)
        initial = check_real("Adagrad", "initial_accumulator_value",
                             initial_accumulator_value, 0.0)
        eps = check_real("Adagrad", "eps", eps, 0.0)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial, eps=eps,
                                      maximize=check_maximize("Adagrad", maximize)))
        for group in self.param_groups:  # as PyTorch: the state exists before any step
            for p in group["params"]:
                self.state[p] = self._new_state(p, group)

    @staticmethod
    def _new_state(p, group: dict) -> dict:
        return {"step": 0, "sum": np.full_like(p.array, group["initial_accumulator_value"])}

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = as_floats(group, "lr", "lr_decay", "eps",
                                                        "weight_decay")
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state.get(p)
                if state is None:  # a group added after construction
                    state = self.state[p] = self._new_state(p, group)
                state["step"] += 1
                if weight_decay:
                    g = g + weight_decay * p.array
                clr = lr / (1 + (state["step"] - 1) * lr_decay)
                S = state["sum"]
                S += g * g
                p.array -= clr * (g / (np.sqrt(S) + eps))
                p.bump_version()
