"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from tinynet.checks import check_real
from tinynet.fastpath import fast_paths_enabled
from tinynet.optim import _foreach
from tinynet.optim.optimizer import Optimizer, as_floats, check_maximize, maximizable


class SGD(Optimizer):
    """PyTorch's SGD. For each parameter p with gradient g:

        g ← g + weight_decay·p
        b ← g                                  (first step)
        b ← momentum·b + (1 - dampening)·g     (later steps)
        g ← g + momentum·b  if nesterov  else  b          (when momentum ≠ 0)
        p ← p - lr·g

    Args:
        params: tensors or parameter groups.
        lr: learning rate (default 1e-3).
        momentum, dampening, weight_decay: default 0.
        nesterov: Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: step up the gradient, to maximise the objective (default False).
        foreach: without momentum, update a group's parameters together in a few
            vectorised numpy calls, the same numbers (a small group's parameters may be
            moved into one flat array: see ``_flat_state.flatten_parameters``; a large
            group is updated block by block); None (default) follows
            ``tn.set_fast_paths``.

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0], requires_grad=True)
        >>> opt = tn.optim.SGD([w], lr=0.1)
        >>> (w * 3).sum().backward(); opt.step(); w
        tensor([0.7000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None):
        lr = check_real("SGD", "lr", lr, 0.0)
        momentum = check_real("SGD", "momentum", momentum, 0.0)
        dampening = check_real("SGD", "dampening", dampening)
        weight_decay = check_real("SGD", "weight_decay", weight_decay, 0.0)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={momentum!r} and dampening={dampening!r}")
        if foreach is not None and not isinstance(foreach, bool):
            raise TypeError(f"SGD: foreach must be None, True or False, got {foreach!r}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=check_maximize("SGD", maximize)))
        self.foreach = foreach
        self._foreach_cache = {}  # group index -> the foreach path's FlatState

    def __getstate__(self) -> dict:
        # NOTE: a copy (deepcopy, pickle) rebuilds its flat buffers (see Adam's)
        return {**self.__dict__, "_foreach_cache": {}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"foreach": None, **state, "_foreach_cache": {}})  # (older
        # pickles have neither)

    @maximizable
    def step(self, closure=None):
        foreach = fast_paths_enabled() if self.foreach is None else self.foreach
        for i, group in enumerate(self.param_groups):
            if foreach and _foreach.sgd_group(self._foreach_cache, i, group):
                continue
            lr, momentum, dampening, weight_decay = as_floats(
                group, "lr", "momentum", "dampening", "weight_decay")
            nesterov = group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                # BEGIN SOLUTION optimizers
                g = p.grad.array
                if weight_decay:
                    g = g + weight_decay * p.array
                if momentum:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(g, copy=True)
                    else:
                        buf *= momentum
                        buf += (1 - dampening) * g
                    g = g + momentum * buf if nesterov else buf
                p.array -= lr * g
                # END SOLUTION
                p.bump_version()
