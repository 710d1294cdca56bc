"""Task 9: SGD with momentum, Adam and AdamW (tasks/09_optimizers.md). Each step's gradient is
set by hand, so only the update rule is tested."""
import math

import numpy as np

import tinynet as tn
from tinynet.exercises.task_tests._support import expect, expect_close

GRADS = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 3.0])]
W0 = np.array([1.0, -1.0])
# a second parameter, with gradients of its own, stepped by the same optimizer
U0, U_GRADS = np.array([0.5, 2.0]), [np.array([-0.3, 1.0])] * 3
STATE = {"momentum_buffer", "exp_avg", "exp_avg_sq", "step", "max_exp_avg_sq"}


def _run(make):
    """W's path over GRADS, stepped with a second parameter U beside it; U's path must be
    the one it takes alone (each parameter's state kept apart)."""
    path = _path(make, ("w", "u"), "w")
    expect_close(_path(make, ("w", "u"), "u"), _path(make, ("u",), "u"),
                 "the second parameter's path, stepped beside the first (and alone)",
                 "keep each parameter's state apart: self.state[p], for each p")
    return path


def _path(make, names, follow):
    """The path of parameter ``follow`` ("w" or "u") under ``make`` stepping ``names``.
    Each step's gradient is written into the same ``.grad`` arrays after
    ``zero_grad(set_to_none=False)``, as backward accumulates into them; the step must
    leave them as they were and keep its state under PyTorch's names."""
    tensors = {"w": tn.tensor(W0.copy(), requires_grad=True),
               "u": tn.tensor(U0.copy(), requires_grad=True)}
    grads = {"w": GRADS, "u": U_GRADS}
    optimizer = make([tensors[name] for name in names])
    path = []
    for step in range(len(GRADS)):
        optimizer.zero_grad(set_to_none=False)
        for name in names:
            p = tensors[name]
            if p.grad is None:
                p.grad = tn.tensor(np.zeros_like(grads[name][step]))
            p.grad.array += grads[name][step]  # (the array the optimizer may refer to)
        optimizer.step()
        for name in names:
            expect_close(tensors[name].grad, grads[name][step],
                         "a parameter's .grad after optimizer.step()",
                         "the step must not change p.grad: add weight decay into a new "
                         "array (g = g + wd·p), and copy g into the momentum buffer at the "
                         "first step (g.copy())")
            kept = set(optimizer.state.get(tensors[name], {}))
            expect(kept <= STATE, f"the state of a parameter holds {sorted(kept - STATE)}",
                   "keep it under PyTorch's names: momentum_buffer; exp_avg, exp_avg_sq, "
                   "step (and max_exp_avg_sq with amsgrad)")
        path.append(tensors[follow].detach().numpy().copy())
    return path


def test_plain_sgd():
    # p ← p - lr·g: [1, -1] - 0.1·[1, -2] = [0.9, -0.8], then [0.85, -0.85], [0.95, -1.15]
    path = _run(lambda p: tn.optim.SGD(p, lr=0.1))
    expect_close(path, [[0.9, -0.8], [0.85, -0.85], [0.95, -1.15]], "SGD(lr=0.1), 3 steps",
                 "p ← p - lr·g")


def test_sgd_with_momentum_dampening_and_weight_decay():
    lr, mu, tau, wd = 0.1, 0.9, 0.2, 0.01
    w, buf, expected = W0.copy(), None, []
    for g in GRADS:
        g = g + wd * w
        buf = g.copy() if buf is None else mu * buf + (1 - tau) * g
        w = w - lr * buf
        expected.append(w.copy())
    path = _run(lambda p: tn.optim.SGD(p, lr=lr, momentum=mu, dampening=tau, weight_decay=wd))
    expect_close(path, expected, "SGD(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01)",
                 "g ← g + wd·p; b ← g at the first step, then μb + (1 - τ)g; p ← p - lr·b")


def test_nesterov():
    lr, mu = 0.1, 0.9
    w, buf, expected = W0.copy(), None, []
    for g in GRADS:
        buf = g.copy() if buf is None else mu * buf + g
        w = w - lr * (g + mu * buf)
        expected.append(w.copy())
    path = _run(lambda p: tn.optim.SGD(p, lr=lr, momentum=mu, nesterov=True))
    expect_close(path, expected, "SGD(lr=0.1, momentum=0.9, nesterov=True)",
                 "with Nesterov the step uses g + μb instead of b")


def test_adam():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w, m, v, expected = W0.copy(), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr / (1 - b1 ** t) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
        expected.append(w.copy())
    path = _run(lambda p: tn.optim.Adam(p, lr=lr, foreach=False))
    expect_close(path, expected, "Adam(lr=0.1), 3 steps",
                 "m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; p ← p - lr/(1-β₁ᵗ)·m/(√v/√(1-β₂ᵗ) + eps)",
                 rtol=1e-9)


def test_adamw_decouples_weight_decay():
    lr, wd = 0.1, 0.1
    w, m, v, expected = W0.copy(), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(GRADS, start=1):
        w = w * (1 - lr * wd)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - lr / (1 - 0.9 ** t) * m / (np.sqrt(v) / math.sqrt(1 - 0.999 ** t) + 1e-8)
        expected.append(w.copy())
    path = _run(lambda p: tn.optim.AdamW(p, lr=lr, weight_decay=wd, foreach=False))
    expect_close(path, expected, "AdamW(lr=0.1, weight_decay=0.1), 3 steps",
                 "AdamW first shrinks p by (1 - lr·weight_decay), then takes Adam's step",
                 rtol=1e-9)


def _adam_path(lr, betas, grads, weight_decay=0.0, amsgrad=False):
    """Adam's closed steps from W0 over ``grads`` (the docstring's rule)."""
    (b1, b2), eps = betas, 1e-8
    w, m, v, v_max, path = W0.copy(), np.zeros(2), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = np.maximum(v_max, v)
        w = w - lr / (1 - b1 ** t) * m / (np.sqrt(v_max if amsgrad else v)
                                           / math.sqrt(1 - b2 ** t) + eps)
        path.append(w.copy())
    return path


def test_adam_with_weight_decay_and_amsgrad():
    path = _run(lambda p: tn.optim.Adam(p, lr=0.1, weight_decay=0.1, foreach=False))
    expect_close(path, _adam_path(0.1, (0.9, 0.999), GRADS, weight_decay=0.1),
                 "Adam(lr=0.1, weight_decay=0.1), 3 steps",
                 "Adam (not AdamW) adds weight_decay·p to g before the moments", rtol=1e-9)
    shrinking = [np.array([3.0, -2.0]), np.array([0.1, 0.1]), np.array([0.1, -0.1])]
    w = tn.tensor(W0.copy(), requires_grad=True)
    optimizer = tn.optim.Adam([w], lr=0.1, betas=(0.9, 0.9), amsgrad=True, foreach=False)
    path = []
    for g in shrinking:  # v shrinks after the first step: AMSGrad keeps its maximum
        w.grad = tn.tensor(g)
        optimizer.step()
        path.append(w.detach().numpy().copy())
    expect_close(path, _adam_path(0.1, (0.9, 0.9), shrinking, amsgrad=True),
                 "Adam(lr=0.1, betas=(0.9, 0.9), amsgrad=True), 3 steps",
                 "with amsgrad the denominator uses the largest v so far "
                 "(state['max_exp_avg_sq'])", rtol=1e-9)
