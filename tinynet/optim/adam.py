"""Adam and AdamW (decoupled weight decay), PyTorch's update rules."""
import math

import numpy as np

from tinynet.checks import check_real
from tinynet.optim.flat import FlatState
from tinynet.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015). At step t, for each parameter p with gradient g:

        g ← g + weight_decay·p                       (L2 penalty; AdamW decouples it)
        m ← β₁·m + (1 - β₁)·g
        v ← β₂·v + (1 - β₂)·g²
        p ← p - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    computed as p - [lr·√(1 - β₂ᵗ)/(1 - β₁ᵗ)] · m / (√v + eps·√(1 - β₂ᵗ)): the same
    value, one pass fewer over the parameters (equal to PyTorch's to rounding).

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
        where = type(self).__name__
        lr = check_real(where, "lr", lr, 0.0)
        eps = check_real(where, "eps", eps, 0.0)
        if len(tuple(betas)) != 2:
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        betas = tuple(check_real(where, f"betas[{i}]", beta, 0.0, 1.0, high_open=True)
                      for i, beta in enumerate(betas))
        weight_decay = check_real(where, "weight_decay", weight_decay, 0.0)
        if amsgrad:
            raise NotImplementedError("amsgrad=True is not implemented in tinynet")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=False))
        self._flat = {}  # group index -> FlatState

    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for i, group in enumerate(self.param_groups):
            flat = self._flat_state(i, group["params"])
            if flat is not None:
                self._step_flat(group, flat)
                continue
            for p in group["params"]:
                if p.grad is not None:
                    self._step_one(group, p)
        return loss

    def _flat_state(self, i: int, params: list):
        """The group's FlatState when every parameter has a gradient, they share a dtype
        and a step count; otherwise None (and the per-parameter path runs)."""
        flat = self._flat.get(i)
        if flat is not None and flat.ready(params, self.state):  # the usual case
            return flat
        dtype = params[0].array.dtype
        steps = set()
        for p in params:
            if p.grad is None or p.array.dtype != dtype:
                return None
            steps.add(self.state[p]["step"] if p in self.state else 0)
        if len(steps) != 1:
            return None
        flat = self._flat[i] = FlatState(params, ("exp_avg", "exp_avg_sq"), self.state)
        for p in params:
            self.state[p].setdefault("step", 0)
        return flat

    def _step_flat(self, group: dict, flat: FlatState) -> None:
        """The update below for all of the group's parameters at once (or block by block
        for a large group), in preallocated buffers; elementwise the same arithmetic, in
        the same order, as ``_step_one``."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        coupled_decay = weight_decay if not self.decoupled_weight_decay else 0.0
        t = self.state[flat.params[0]]["step"] + 1
        for p in flat.params:
            self.state[p]["step"] = t
            if weight_decay and self.decoupled_weight_decay:
                p.array *= 1 - lr * weight_decay  # the update below counts the version
        rule = (beta1, beta2, eps * math.sqrt(1 - beta2 ** t),
                lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t))
        if flat.blocked:
            for p, g, (m, v), (tmp, spare) in flat.blocks():
                if coupled_decay:
                    g = np.add(np.multiply(p, coupled_decay, out=spare), g, out=spare)
                _adam_direction(g, m, v, tmp, *rule)
                p -= tmp
            return
        g = flat.gather_grads()  # our own copy: the L2 penalty may be added in place
        tmp = flat.scratch[0]
        if coupled_decay:
            data = np.concatenate([p.array.reshape(-1) for p in flat.params], out=tmp)
            data *= coupled_decay
            g += data
        _adam_direction(g, flat.buffers["exp_avg"], flat.buffers["exp_avg_sq"], tmp, *rule)
        flat.subtract(tmp)

    def _step_one(self, group: dict, p) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        g = p.grad.array
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = {"step": 0, "exp_avg": np.zeros_like(p.array),
                                     "exp_avg_sq": np.zeros_like(p.array)}
        state["step"] += 1
        t = state["step"]
        if weight_decay:
            if self.decoupled_weight_decay:
                p.array *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * p.array
        m, v = state["exp_avg"], state["exp_avg_sq"]
        v *= beta2
        v += (1 - beta2) * (g * g)
        m *= beta1
        m += (1 - beta1) * g
        denom = np.sqrt(v)
        denom += eps * math.sqrt(1 - beta2 ** t)
        p.array -= (m / denom) * (lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t))
        p.bump_version()


def _adam_direction(g, m, v, out, beta1, beta2, eps_hat, step_size) -> None:
    """In place: v ← β₂·v + (1 - β₂)·g², m ← β₁·m + (1 - β₁)·g, and
    out ← step_size · m / (√v + eps_hat). ``g`` is only read; all arrays share a shape.
    NOTE: one numpy call per line, each writing into an existing array: on large groups
    the update is bound by memory traffic, so no temporaries."""
    np.multiply(g, g, out=out)
    out *= 1 - beta2
    v *= beta2
    v += out
    np.multiply(g, 1 - beta1, out=out)
    m *= beta1
    m += out
    np.sqrt(v, out=out)
    out += eps_hat
    np.divide(m, out, out=out)
    out *= step_size


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before the Adam
    update, p ← p·(1 - lr·weight_decay); the gradient itself is not changed.

    Args: as ``Adam``, but ``weight_decay`` defaults to 1e-2.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
