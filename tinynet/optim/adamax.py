"""Adamax: Adam with an infinity norm of the past gradients in place of their mean square."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import (Optimizer, as_floats, check_betas, check_maximize,
                                     maximizable)


class Adamax(Optimizer):
    """PyTorch's Adamax (Kingma & Ba, 2015, section 7.1). At step t, for each parameter p
    with gradient g:

        g ← g + weight_decay·p
        m ← β₁·m + (1 - β₁)·g                      (m starts at 0)
        u ← max(β₂·u, |g| + eps)                   (elementwise; u starts at 0)
        p ← p - lr/(1 - β₁ᵗ) · m/u

    u, a decaying maximum of |g|, needs no bias correction: it is never pulled towards its
    zero start as Adam's mean square is.

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 2e-3).
        betas: (β₁, β₂), each in [0, 1), default (0.9, 0.999).
        eps: added to |g|, so that u > 0 (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Adamax([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w   # first step: lr·g/(|g| + eps) ≈ lr
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        lr = check_real("Adamax", "lr", lr, 0.0)
        betas = check_betas("Adamax", betas)
        eps = check_real("Adamax", "eps", eps, 0.0)
        weight_decay = check_real("Adamax", "weight_decay", weight_decay, 0.0)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=check_maximize("Adamax", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, eps, weight_decay = as_floats(group, "lr", "eps", "weight_decay")
            beta1, beta2 = map(float, group["betas"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state[p]
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(p.array),
                                 exp_inf=np.zeros_like(p.array))
                state["step"] += 1
                if weight_decay:
                    g = g + weight_decay * p.array
                m, u = state["exp_avg"], state["exp_inf"]
                m *= beta1
                m += (1 - beta1) * g
                u *= beta2
                np.maximum(u, np.abs(g) + eps, out=u)
                p.array -= (lr / (1 - beta1 ** state["step"])) * (m / u)
                p.bump_version()
