"""Adadelta: steps whose size is the running RMS of the past steps over that of the
gradients."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import Optimizer, as_floats, check_maximize, maximizable


class Adadelta(Optimizer):
    """PyTorch's Adadelta (Zeiler, 2012). For each parameter p with gradient g:

        g ← g + weight_decay·p
        v ← ρ·v + (1 - ρ)·g²                       (v starts at 0)
        Δ = √(u + eps)/√(v + eps) · g              (u starts at 0)
        u ← ρ·u + (1 - ρ)·Δ²
        p ← p - lr·Δ

    The ratio of the two root mean squares gives Δ the units of p, so no learning rate
    is needed (lr = 1, the default, is the paper's rule); √eps sets the size of the first
    steps.

    Args:
        params: tensors or parameter groups.
        lr: scales Δ before it is applied (default 1.0).
        rho: the smoothing constant ρ of both running averages, in [0, 1] (default 0.9).
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Adadelta([w])
        >>> (w * 3).sum().backward(); opt.step(); w   # first step: ≈ √(eps/(1 - ρ)) = 0.0032
        tensor([0.9968], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        lr = check_real("Adadelta", "lr", lr, 0.0)
        rho = check_real("Adadelta", "rho", rho, 0.0, 1.0)
        eps = check_real("Adadelta", "eps", eps, 0.0)
        weight_decay = check_real("Adadelta", "weight_decay", weight_decay, 0.0)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=check_maximize("Adadelta", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, rho, eps, weight_decay = as_floats(group, "lr", "rho", "eps", "weight_decay")
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state[p]
                if not state:
                    state.update(step=0, square_avg=np.zeros_like(p.array),
                                 acc_delta=np.zeros_like(p.array))
                state["step"] += 1
                if weight_decay:
                    g = g + weight_decay * p.array
                v, u = state["square_avg"], state["acc_delta"]
                v *= rho
                v += (1 - rho) * (g * g)
                delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
                u *= rho
                u += (1 - rho) * (delta * delta)
                p.array -= lr * delta
                p.bump_version()
