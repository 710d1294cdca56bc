"""The foreach path of the optimizers (``foreach=True``, or ``None`` with the fast paths
on): a group's update over all its parameters at once, in a few vectorised numpy calls,
with the same arithmetic in the same order as the optimizer's per-parameter reference
(tests/test_optim.py checks that they agree bit for bit). Parameters without a gradient
(a frozen layer's) are left out of the update, as the reference skips them. The group's
state lives in a ``FlatState`` (``_flat_state.py``).

A group larger than ``BLOCK`` elements is not gathered: its update runs block by block,
straight from each parameter's ``.grad`` into its ``.array``. An update is a dozen
elementwise passes; over a block (256 kB per array in float32) they run in the CPU's
caches, over a whole 2.9 M-parameter group every pass goes to memory (measured on the
``wide`` benchmark, see docs/performance.md). Smaller blocks pay numpy's per-call
overhead more often, larger ones spill the caches.

SGD without momentum has a foreach path too (``sgd_group``). A small group's gradients
are read in place when they are laid flat, unless an L2 penalty is to be added to them;
a larger group is updated block by block, lr·g made in a scratch block that stays in the
caches, where the per-parameter update writes it to memory and reads it back.
"""
import math

import numpy as np

from tinynet.optim._flat_state import FlatState
from tinynet.optim.optimizer import as_floats

BLOCK = 1 << 16  # elements


# ---- SGD -------------------------------------------------------------------------------
def with_grads(params: list) -> list:
    """The parameters that have a gradient: the only ones a step updates (a frozen
    layer's never get one)."""
    return [p for p in params if p.grad is not None]


def gatherable(params: list) -> bool:
    """Whether a group's gradients match their parameters, as a flat or blocked update
    needs: there are parameters, each has a gradient of its own shape, and all share one
    dtype."""
    if not params:
        return False
    dtype = params[0].array.dtype
    return all(p.grad is not None and p.array.dtype == dtype and
               p.grad.array.dtype == dtype and p.grad.array.shape == p.array.shape
               for p in params)


def sgd_group(cache: dict, i: int, group: dict) -> bool:
    """One step of plain SGD (no momentum) for group ``i``: p ← p - lr·(g + weight_decay·p)
    for each parameter that has a gradient, with their FlatState kept in ``cache``: over
    their gradients in one flat array (read in place when they are laid so, else
    gathered), or, for a group larger than BLOCK elements, block by block. False (nothing
    done) for a group with momentum, whose gradients do not match their parameters
    (``gatherable``), or with weight decay on parameters that may share memory
    (``FlatState.apart``): the per-parameter reference then runs."""
    lr, momentum, weight_decay = as_floats(group, "lr", "momentum", "weight_decay")
    if momentum:
        return False
    params = group["params"]
    flat = cache.get(i)
    if flat is None or not flat.ready(params, {}):
        params = with_grads(params)
        if flat is None or not flat.ready(params, {}):
            if not gatherable(params):
                return False
            flat = cache[i] = FlatState(params, (), {}, "SGD.step", BLOCK)
    if weight_decay and not flat.apart():
        return False
    if flat.blocked:
        for p, g, _, (tmp, spare) in flat.blocks():
            if weight_decay:  # (the reference's g + weight_decay·p, in the same roundings)
                g = np.add(np.multiply(p, weight_decay, out=spare), g, out=spare)
            p -= np.multiply(g, lr, out=tmp)
        return True
    g = None if weight_decay else flat.flat_grads()
    if g is not None:
        g = np.multiply(g, lr, out=flat.grad)  # the gradients' own array: only read
    else:
        g = flat.gather_grads()  # our own copy: scaled in place
        if weight_decay:
            data = np.concatenate([p.array for p in flat.params], axis=None,
                                  out=flat.scratch[0])
            data *= weight_decay
            g += data
        g *= lr
    flat.subtract(g)
    return True


# ---- Adam ------------------------------------------------------------------------------
def adam_group(optimizer, cache: dict, i: int, group: dict) -> bool:
    """One Adam (or AdamW) step of group ``i`` on the foreach path, over the parameters
    that have a gradient, with their FlatState kept in ``cache``; False (nothing done)
    when they cannot take it: none at all, mixed dtypes or step counts, or AMSGrad. The
    per-parameter reference then runs."""
    if group.get("amsgrad"):  # (the reference alone keeps the largest v)
        return False
    flat = _adam_flat_state(optimizer.state, cache, i, group["params"],
                            f"{type(optimizer).__name__}.step")
    if flat is None:
        return False
    lr, eps, weight_decay = as_floats(group, "lr", "eps", "weight_decay")
    beta1, beta2 = map(float, group["betas"])
    decoupled = group["decoupled_weight_decay"]
    coupled_decay = weight_decay if not decoupled else 0.0
    if coupled_decay and not flat.blocked and not flat.apart():
        return False
    t = optimizer.state[flat.params[0]]["step"] + 1
    for p in flat.params:
        optimizer.state[p]["step"] = t
        if weight_decay and decoupled:
            p.array *= 1 - lr * weight_decay  # the update below counts the version
    rule = (beta1, beta2, eps * math.sqrt(1 - beta2 ** t),
            lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t))
    if flat.blocked:
        for p, g, (m, v), (tmp, spare) in flat.blocks():
            if coupled_decay:
                g = np.add(np.multiply(p, coupled_decay, out=spare), g, out=spare)
            _adam_direction(g, m, v, tmp, *rule)
            p -= tmp
        return True
    g = None if coupled_decay else flat.flat_grads()  # only read, then
    if g is None:
        g = flat.gather_grads()  # our own copy: the L2 penalty may be added in place
    tmp = flat.scratch[0]
    if coupled_decay:
        data = np.concatenate([p.array for p in flat.params], axis=None, out=tmp)
        data *= coupled_decay
        g += data
    _adam_direction(g, flat.buffers["exp_avg"], flat.buffers["exp_avg_sq"], tmp, *rule)
    flat.subtract(tmp)
    return True


def _adam_flat_state(state: dict, cache: dict, i: int, params: list, where: str):
    """The FlatState of the group's parameters that have a gradient, when they share a
    dtype and a step count; otherwise None."""
    flat = cache.get(i)
    if flat is not None and flat.ready(params, state):  # the usual case
        return flat
    params = with_grads(params)
    if flat is not None and flat.ready(params, state):  # the same ones frozen as before
        return flat
    if not gatherable(params):
        return None
    steps = set()
    for p in params:
        steps.add(state[p]["step"] if p in state else 0)
    if len(steps) != 1:
        return None
    flat = cache[i] = FlatState(params, ("exp_avg", "exp_avg_sq"), state, where, BLOCK)
    for p in params:
        state[p].setdefault("step", 0)
    return flat


def _adam_direction(g, m, v, out, beta1, beta2, eps_hat, step_size) -> None:
    """In place: v ← β₂·v + (1 - β₂)·g², m ← β₁·m + (1 - β₁)·g, and
    out ← step_size · m / (√v + eps_hat), as ``Adam._update`` computes them. ``g`` is only
    read; all arrays share a shape. NOTE: one numpy call per line, each writing into an
    existing array: on large groups the update is bound by memory traffic."""
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
