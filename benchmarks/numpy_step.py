"""The hand-written numpy step benchmarks/step.py times tinynet against: the floor a
numpy program reaches (see ``NumpyMLP``). step.py checks that it computes tinynet's loss,
gradients and updates before anything is timed."""
import math
import time

import numpy as np

from tinynet import nn

LR = {"sgd": 0.01, "adam": 1e-3}  # the benchmark's learning rates
GELU_KAPPA, SQRT_2_OVER_PI = 0.044715, 0.7978845608028654
BLOCK = 1 << 16  # elements per block of the hand-written Adam (as tinynet's)


def _views(flat, arrays) -> list:
    """Views of ``flat`` with the shapes of ``arrays``, laid end to end, holding their values."""
    views, start = [], 0
    for a in arrays:
        view = flat[start:start + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        start += a.size
    return views


class NumpyMLP:
    """A hand-written, fused MLP step: forward, cross-entropy, backward, then plain SGD or
    Adam, as a careful numpy programmer writes it: every array the step makes it reuses
    in place (the pre-activation becomes the activation, the activation's derivative is
    built in one array, LayerNorm's backward forms g·x̂ once), what the forward computed
    the backward reuses (tanh's output, GELU's tanh, x̂ and 1/σ), and the loss is the
    fused log-softmax + cross-entropy (gradient p − onehot)."""

    def __init__(self, model, activation, layernorm, optimizer="adam", lr=None):
        linears = [m for m in model.children() if isinstance(m, nn.Linear)]
        norms = [m for m in model.children() if isinstance(m, nn.LayerNorm)]
        arrays = ([m.weight.array for m in linears] + [m.bias.array for m in linears]
                  + [m.weight.array for m in norms] + [m.bias.array for m in norms])
        # Every parameter, gradient and Adam moment is a view into one flat array, so an
        # update is a dozen numpy calls per block of BLOCK elements, not per parameter.
        self.flat = np.concatenate([a.ravel() for a in arrays])
        self.grad_flat = np.empty_like(self.flat)
        self.params, self.grads = _views(self.flat, arrays), _views(self.grad_flat, arrays)
        L = len(linears)
        self.W, self.b = self.params[:L], self.params[L:2 * L]
        self.g, self.beta = self.params[2 * L:3 * L - 1], self.params[3 * L - 1:]
        self.m, self.v = np.zeros_like(self.flat), np.zeros_like(self.flat)
        self.scratch = np.empty(min(BLOCK, self.flat.size), self.flat.dtype)  # Adam's
        self.activation, self.layernorm, self.t = activation, layernorm, 0
        self.optimizer = optimizer
        self.lr = LR[optimizer] if lr is None else lr

    def _act(self, z):
        """The activation, in place on the pre-activation z; returns it and what its
        derivative needs."""
        if self.activation == "tanh":
            np.tanh(z, out=z)
            return z, z
        if self.activation == "relu":
            np.maximum(z, 0, out=z)
            return z, z
        t = z * z  # GELU (tanh): t = tanh(c·(z + κz³)), y = z·(1 + t)/2
        t *= GELU_KAPPA
        t += 1.0
        t *= z
        t *= SQRT_2_OVER_PI
        np.tanh(t, out=t)
        y = t + 1.0
        y *= 0.5
        y *= z
        return y, (z, t)

    def _act_back(self, g, saved):
        """g times the activation's derivative, in place on g."""
        if self.activation == "tanh":
            d = saved * saved
            np.subtract(1.0, d, out=d)
            g *= d
            return g
        if self.activation == "relu":
            return np.multiply(g, saved > 0, out=g)
        z, t = saved  # (1 + t)/2 + z·(1 − t²)·c·(1 + 3κz²)/2
        du = z * z
        du *= 3 * GELU_KAPPA * SQRT_2_OVER_PI
        du += SQRT_2_OVER_PI
        d = t * t
        np.subtract(1.0, d, out=d)
        d *= z
        d *= du
        d += t
        d += 1.0
        d *= 0.5
        g *= d
        return g

    def _norm(self, a, i):
        """LayerNorm over the features: returns x̂·γ + β and (x̂, 1/σ)."""
        inv_n = 1.0 / a.shape[1]
        mu = a.sum(axis=1, keepdims=True)
        mu *= inv_n
        a = a - mu  # a new array: tanh and ReLU saved their output for the backward pass
        var = np.square(a).sum(axis=1, keepdims=True)
        var *= inv_n
        var += 1e-5
        rstd = np.sqrt(var, out=var)
        np.divide(1.0, rstd, out=rstd)
        a *= rstd
        out = a * self.g[i]
        out += self.beta[i]
        return out, (a, rstd)

    def _norm_back(self, g, saved, i, d_gamma, d_beta):
        """dL/dx = (ĝ − mean ĝ − x̂·mean(ĝ·x̂))/σ with ĝ = g·γ; dL/dγ and dL/dβ go into
        ``d_gamma`` and ``d_beta``."""
        x_hat, rstd = saved
        inv_n = 1.0 / g.shape[1]
        gx_hat = g * x_hat
        np.sum(gx_hat, axis=0, out=d_gamma)
        np.sum(g, axis=0, out=d_beta)
        gx_hat *= self.g[i]  # ĝ·x̂
        mean_gx = gx_hat.sum(axis=1, keepdims=True)
        mean_gx *= inv_n
        g *= self.g[i]  # ĝ
        mean_g = g.sum(axis=1, keepdims=True)
        mean_g *= inv_n
        g -= mean_g
        g -= np.multiply(x_hat, mean_gx, out=gx_hat)
        g *= rstd
        return g

    def forward(self, x, y):
        """The loss and the tape the backward pass reads."""
        tape, h, L = [], x, len(self.W)
        for i in range(L):
            z = h @ self.W[i].T
            z += self.b[i]
            if i == L - 1:
                tape.append((h, None, None))
                break
            a, act_saved = self._act(z)
            ln = None
            if self.layernorm:
                a, ln = self._norm(a, i)
            tape.append((h, act_saved, ln))
            h = a
        rows = np.arange(len(y))
        z -= z.max(axis=1, keepdims=True)
        picked = z[rows, y]
        p = np.exp(z, out=z)
        s = p.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) - picked))
        p /= s
        p[rows, y] -= 1
        p /= len(y)  # dL/dz = (p − onehot(y))/n
        return loss, (tape, p)

    def backward(self, tape_and_grad):
        """Every parameter's gradient, in the order of ``self.params`` (views into
        ``self.grad_flat``, which each backward pass overwrites). Each layer's entry
        leaves the tape once used, so its arrays are freed here, as a framework frees
        its graph node by node during its backward pass (and not after the timed
        phases)."""
        tape, g = tape_and_grad
        L = len(self.W)
        gW, gb = self.grads[:L], self.grads[L:2 * L]
        gg, gbeta = self.grads[2 * L:3 * L - 1], self.grads[3 * L - 1:]
        for i in reversed(range(L)):
            h, act_saved, ln = tape.pop()  # (layer i's: the last left)
            if i < L - 1:
                if ln is not None:
                    g = self._norm_back(g, ln, i, gg[i], gbeta[i])
                g = self._act_back(g, act_saved)
            np.matmul(g.T, h, out=gW[i])
            np.sum(g, axis=0, out=gb[i])
            if i:
                g = g @ self.W[i]
        return self.grads

    def loss_and_grads(self, x, y):
        loss, tape = self.forward(x, y)
        return loss, self.backward(tape)

    def update(self):
        """One optimizer step on the flat arrays, in place: SGD p −= lr·g, or Adam
        (PyTorch's rule and defaults) block by block, every pass into an existing array
        (a block's p, g, m and v stay in the caches for its dozen passes)."""
        if self.optimizer == "sgd":
            self.grad_flat *= self.lr  # the gradients are this step's own arrays
            self.flat -= self.grad_flat
            return
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        # m/(√v/√(1−β₂ᵗ) + eps)·lr/(1−β₁ᵗ) = m/(√v + eps_hat)·step_size: one divide a pass
        bc2_sqrt = math.sqrt(1 - b2 ** self.t)  # a Python float: np.float64 would make
        # numpy run the float32 passes below in float64 (NEP 50: only Python numbers are weak)
        eps_hat, step_size = eps * bc2_sqrt, self.lr * bc2_sqrt / (1 - b1 ** self.t)
        for start in range(0, self.flat.size, BLOCK):
            block = slice(start, start + BLOCK)
            p, g, m, v = self.flat[block], self.grad_flat[block], self.m[block], self.v[block]
            s = self.scratch[:p.size]
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v *= b2
            v += s
            np.multiply(g, 1 - b1, out=s)
            m *= b1
            m += s
            np.sqrt(v, out=s)
            s += eps_hat
            np.divide(m, s, out=s)
            s *= step_size
            p -= s

    def step(self, x, y):
        loss, _ = self.loss_and_grads(x, y)
        self.update()
        return loss

    def phased_step(self, x, y, clock=time.perf_counter):
        """One step; returns the seconds of forward + loss, backward and the update."""
        t0 = clock()
        _, tape = self.forward(x, y)
        t1 = clock()
        self.backward(tape)
        t2 = clock()
        self.update()
        t3 = clock()
        return t1 - t0, t2 - t1, t3 - t2

    def matmuls(self, x, y):
        """Only the step's matrix products (``matrix_products``): the floor no MLP step
        on this BLAS can beat."""
        matrix_products(self.W, x)


def matrix_products(weights: list, x) -> None:
    """An MLP step's matrix products alone, with its shapes: forward x·Wᵀ per layer;
    backward gᵀ·h (dW) per layer and g·W (dX) for all but the first. ``weights`` and ``x``:
    numpy arrays, or torch tensors (PyTorch's own products, benchmarks/gemm_floor.py)."""
    hs, h = [], x
    for W in weights:
        hs.append(h)
        h = h @ W.T
    g = h
    for i in reversed(range(len(weights))):
        hs[i] = g.T @ hs[i]
        if i:
            g = g @ weights[i]
