"""RMSprop: steps scaled by a running root mean square of the gradients."""
import numpy as np

from tinynet.checks import check_real
from tinynet.optim.optimizer import Optimizer, as_floats, check_maximize, maximizable


class RMSprop(Optimizer):
    """PyTorch's RMSprop (Hinton, 2012). For each parameter p with gradient g:

        g ← g + weight_decay·p
        v ← α·v + (1 - α)·g²                       (v starts at 0)
        m ← α·m + (1 - α)·g                        (centered only; m starts at 0)
        s ← √(v - m²) + eps  if centered  else  √v + eps
        b ← momentum·b + g/s;  p ← p - lr·b        (momentum > 0; b starts at 0)
        p ← p - lr·g/s                             (momentum = 0)

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-2).
        alpha: the smoothing constant α of the running averages (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: default 0.
        centered: divide by an estimate of the gradient's standard deviation (its running
            mean subtracted) instead of its root mean square (default False).
        maximize: step up the gradient, to maximise the objective (default False).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.RMSprop([w], lr=0.01)
        >>> (w * 3).sum().backward(); opt.step(); w   # first step: lr·g/√(0.01·g²) = 10·lr
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False):
        lr = check_real("RMSprop", "lr", lr, 0.0)
        alpha = check_real("RMSprop", "alpha", alpha, 0.0)
        eps = check_real("RMSprop", "eps", eps, 0.0)
        weight_decay = check_real("RMSprop", "weight_decay", weight_decay, 0.0)
        momentum = check_real("RMSprop", "momentum", momentum, 0.0)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=bool(centered),
                                      maximize=check_maximize("RMSprop", maximize)))

    @maximizable
    def step(self, closure=None):
        for group in self.param_groups:
            lr, alpha, eps, weight_decay, momentum = as_floats(
                group, "lr", "alpha", "eps", "weight_decay", "momentum")
            centered = group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {"step": 0, "square_avg": np.zeros_like(p.array)}
                state["step"] += 1
                if weight_decay:
                    g = g + weight_decay * p.array
                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if centered:
                    m = state.setdefault("grad_avg", np.zeros_like(p.array))
                    m *= alpha
                    m += (1 - alpha) * g
                    s = np.sqrt(v - m * m)
                else:
                    s = np.sqrt(v)
                s += eps
                if momentum:
                    b = state.setdefault("momentum_buffer", np.zeros_like(p.array))
                    b *= momentum
                    b += g / s
                    p.array -= lr * b
                else:
                    p.array -= lr * (g / s)
                p.bump_version()
