"""Adam and AdamW (decoupled weight decay), PyTorch's update rules."""
import math

import numpy as np

from tinynet.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015). At step t, for each parameter p with gradient g:

        g ← g + weight_decay·p                       (L2 penalty; AdamW decouples it)
        m ← β₁·m + (1 - β₁)·g
        v ← β₂·v + (1 - β₂)·g²
        p ← p - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β₁, β₂), default (0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: default 0.

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Adam([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w    # the first step moves by ~lr
        tensor([0.9], requires_grad=True)
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if amsgrad:
            raise NotImplementedError("amsgrad=True is not implemented in tinynet")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=False))

    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.data
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {"step": 0, "exp_avg": np.zeros_like(p.data),
                                             "exp_avg_sq": np.zeros_like(p.data)}
                state["step"] += 1
                t = state["step"]
                if weight_decay:
                    if self.decoupled_weight_decay:
                        p.data *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p.data
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * (g * g)
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v)
                denom /= math.sqrt(1 - beta2 ** t)
                denom += eps
                p.data -= step_size * (m / denom)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before the Adam
    update, p ← p·(1 - lr·weight_decay); the gradient itself is not changed.

    Args: as ``Adam``, but ``weight_decay`` defaults to 1e-2.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
