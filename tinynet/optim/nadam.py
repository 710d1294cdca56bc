"""NAdam: Adam with Nesterov momentum, and NAdamW's decoupled weight decay."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import (Optimizer, as_floats, check_betas, check_maximize,
                                     maximizable)


class NAdam(Optimizer):
    """PyTorch's NAdam (Dozat, 2016). At step t, for each parameter p with gradient g:

        g ← g + weight_decay·p                   (decoupled: p ← p·(1 - lr·weight_decay))
        μₜ = β₁·(1 - ½·0.96^(t·ψ))                (ψ = momentum_decay: the schedule)
        Πₜ = μ₁·μ₂·…·μₜ                           (Π₀ = 1)
        m ← β₁·m + (1 - β₁)·g                     (m starts at 0)
        v ← β₂·v + (1 - β₂)·g²                    (v starts at 0)
        d = √(v/(1 - β₂ᵗ)) + eps
        p ← p - lr·(1 - μₜ)/(1 - Πₜ) · g/d - lr·μₜ₊₁/(1 - Πₜ·μₜ₊₁) · m/d

    The last line is Nesterov's look-ahead: the moment m enters with the next step's
    momentum μₜ₊₁, as if that step were already taken, the current gradient with 1 - μₜ.

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 2e-3).
        betas: (β₁, β₂), each in [0, 1), default (0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: default 0.
        momentum_decay: ψ: how fast μₜ rises from β₁/2 towards β₁ (default 4e-3).
        decoupled_weight_decay: decay the weights, as AdamW, instead of adding the L2
            penalty's gradient to g, which the moments would then carry (NAdamW; default
            False).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.NAdam([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w   # more than lr: the look-ahead
        tensor([0.8944], requires_grad=True)
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False):
        lr = check_real("NAdam", "lr", lr, 0.0)
        betas = check_betas("NAdam", betas)
        eps = check_real("NAdam", "eps", eps, 0.0)
        weight_decay = check_real("NAdam", "weight_decay", weight_decay, 0.0)
        momentum_decay = check_real("NAdam", "momentum_decay", momentum_decay, 0.0)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=bool(decoupled_weight_decay),
                                      maximize=check_maximize("NAdam", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, eps, weight_decay, psi = as_floats(group, "lr", "eps", "weight_decay",
                                                   "momentum_decay")
            beta1, beta2 = map(float, group["betas"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state[p]
                if not state:
                    state.update(step=0, mu_product=1.0, exp_avg=np.zeros_like(p.array),
                                 exp_avg_sq=np.zeros_like(p.array))
                state["step"] += 1
                t = state["step"]
                if weight_decay:
                    if group["decoupled_weight_decay"]:
                        p.array *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p.array
                mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
                mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
                state["mu_product"] *= mu
                mu_product = state["mu_product"]
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * (g * g)
                d = np.sqrt(v / (1 - beta2 ** t))
                d += eps
                p.array -= (lr * (1 - mu) / (1 - mu_product)) * (g / d)
                p.array -= (lr * mu_next / (1 - mu_product * mu_next)) * (m / d)
                p.bump_version()
