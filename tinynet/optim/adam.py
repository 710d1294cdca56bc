"""Adam and AdamW (decoupled weight decay), PyTorch's update rules."""
import math

import numpy as np

from tinynet.checks import check_real
from tinynet.fastpath import fast_paths_enabled
from tinynet.optim import _foreach
from tinynet.optim.optimizer import (Optimizer, as_floats, check_betas, check_maximize,
                                     maximizable)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015). At step t, for each parameter p with gradient g:

        g ← g + weight_decay·p                       (L2 penalty; AdamW decouples it)
        m ← β₁·m + (1 - β₁)·g
        v ← β₂·v + (1 - β₂)·g²
        v̂ ← max(v̂, v);  v ← v̂                         (AMSGrad only)
        p ← p - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    computed as p - [lr·√(1 - β₂ᵗ)/(1 - β₁ᵗ)] · m / (√v + eps·√(1 - β₂ᵗ)): the same
    value, one pass fewer over the parameters (equal to PyTorch's to rounding).

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β₁, β₂), default (0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: default 0.
        amsgrad: divide by the largest v so far (AMSGrad, Reddi et al., 2018), kept in
            the state as ``max_exp_avg_sq`` (default False); a group key, as in PyTorch.
        maximize: step up the gradient, to maximise the objective (default False).
        decoupled_weight_decay: decay the weights as AdamW does (default False), a group
            key as in PyTorch.
        foreach: update a group's parameters together in a few vectorised numpy calls
            (True), or one parameter at a time as written above (False); None (default)
            follows ``tn.set_fast_paths``. Both give the same numbers bit for bit.

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.Adam([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w    # the first step moves by ~lr
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, decoupled_weight_decay: bool = False):
        where = type(self).__name__
        lr = check_real(where, "lr", lr, 0.0)
        eps = check_real(where, "eps", eps, 0.0)
        betas = check_betas(where, betas)
        weight_decay = check_real(where, "weight_decay", weight_decay, 0.0)
        if not isinstance(amsgrad, bool):
            raise TypeError(f"{where}: amsgrad must be True or False, got {amsgrad!r}")
        if foreach is not None and not isinstance(foreach, bool):
            raise TypeError(f"{where}: foreach must be None, True or False, got {foreach!r}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=check_maximize(where, maximize),
                                      decoupled_weight_decay=bool(decoupled_weight_decay)))
        self.foreach = foreach
        self._foreach_cache = {}  # group index -> the foreach path's FlatState

    def __getstate__(self) -> dict:
        # NOTE: a copy (deepcopy, pickle) rebuilds its flat buffers from its own state:
        # these views would be of the original's arrays, or of orphaned copies
        return {**self.__dict__, "_foreach_cache": {}}

    @maximizable
    def step(self, closure=None):
        foreach = fast_paths_enabled() if self.foreach is None else self.foreach
        for i, group in enumerate(self.param_groups):
            if foreach and _foreach.adam_group(self, self._foreach_cache, i, group):
                continue
            for p in group["params"]:
                if p.grad is not None:
                    self._update(group, p)

    def _update(self, group: dict, p) -> None:
        """The update of the class docstring, for one parameter."""
        lr, eps, weight_decay = as_floats(group, "lr", "eps", "weight_decay")
        beta1, beta2 = map(float, group["betas"])
        # BEGIN SOLUTION optimizers
        g = p.grad.array
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = {"step": 0, "exp_avg": np.zeros_like(p.array),
                                     "exp_avg_sq": np.zeros_like(p.array)}
        state["step"] += 1
        t = state["step"]
        if weight_decay:
            if group["decoupled_weight_decay"]:
                p.array *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p.array
        m, v = state["exp_avg"], state["exp_avg_sq"]
        v *= beta2
        v += (1 - beta2) * (g * g)
        m *= beta1
        m += (1 - beta1) * g
        if group.get("amsgrad"):  # the largest v so far: the step never grows back
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = np.zeros_like(p.array)
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        denom = np.sqrt(v)
        denom += eps * math.sqrt(1 - beta2 ** t)
        p.array -= (m / denom) * (lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t))
        # END SOLUTION
        p.bump_version()


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before the Adam
    update, p ← p·(1 - lr·weight_decay); the gradient itself is not changed.

    Args: as ``Adam``, but ``weight_decay`` defaults to 1e-2 (and the weights are always
    decayed so: ``Adam(..., decoupled_weight_decay=True)``).
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, decoupled_weight_decay=True)
