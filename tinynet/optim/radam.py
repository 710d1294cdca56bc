"""RAdam: Adam whose adaptive step is switched on, and rectified, once the second-moment
estimate is reliable; RAdamW's decoupled weight decay."""
import math

import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import (Optimizer, as_floats, check_betas, check_maximize,
                                     maximizable)


class RAdam(Optimizer):
    """PyTorch's RAdam (Liu et al., 2020). At step t, for each parameter p with gradient g:

        g ← g + weight_decay·p                   (decoupled: p ← p·(1 - lr·weight_decay))
        m ← β₁·m + (1 - β₁)·g                     (m starts at 0)
        v ← β₂·v + (1 - β₂)·g²                    (v starts at 0)
        m̂ = m/(1 - β₁ᵗ)
        ρ∞ = 2/(1 - β₂) - 1,  ρₜ = ρ∞ - 2t·β₂ᵗ/(1 - β₂ᵗ)
        if ρₜ > 5:
            r = √((ρₜ - 4)(ρₜ - 2)·ρ∞ / ((ρ∞ - 4)(ρ∞ - 2)·ρₜ))
            p ← p - lr·m̂·r·√(1 - β₂ᵗ)/(√v + eps)
        else:
            p ← p - lr·m̂

    ρₜ is the length of the simple moving average that v stands for; while it is short
    (the first steps: ρ₁ = 1), the variance of the adaptive step is too large and RAdam
    takes a momentum step instead. With the default β₂ = 0.999 the switch is at t = 6.

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β₁, β₂), each in [0, 1), default (0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: default 0.
        decoupled_weight_decay: decay the weights, as AdamW, instead of adding the L2
            penalty's gradient to g (RAdamW; default False).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.RAdam([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w   # first step: lr·m̂ = lr·g
        tensor([0.7000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False):
        lr = check_real("RAdam", "lr", lr, 0.0)
        betas = check_betas("RAdam", betas)
        eps = check_real("RAdam", "eps", eps, 0.0)
        weight_decay = check_real("RAdam", "weight_decay", weight_decay, 0.0)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=bool(decoupled_weight_decay),
                                      maximize=check_maximize("RAdam", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, eps, weight_decay = as_floats(group, "lr", "eps", "weight_decay")
            beta1, beta2 = map(float, group["betas"])
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state[p]
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(p.array),
                                 exp_avg_sq=np.zeros_like(p.array))
                state["step"] += 1
                t = state["step"]
                if weight_decay:
                    if group["decoupled_weight_decay"]:
                        p.array *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p.array
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * (g * g)
                m_hat = m / (1 - beta1 ** t)
                rho = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
                if rho > 5:
                    r = math.sqrt((rho - 4) * (rho - 2) * rho_inf
                                  / ((rho_inf - 4) * (rho_inf - 2) * rho))
                    denom = np.sqrt(v)
                    denom += eps
                    p.array -= (lr * r * math.sqrt(1 - beta2 ** t)) * (m_hat / denom)
                else:
                    p.array -= lr * m_hat
                p.bump_version()
