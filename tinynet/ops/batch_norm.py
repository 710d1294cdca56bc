"""Batch normalisation per channel, one fused node."""
import numpy as np

from tinynet.autograd.function import Function


class BatchNorm(Function):
    """y = (x - μ) / √(σ² + ε) · w + b per channel c (dimension 1), over the batch (and
    length) dimensions.

    Shapes: x (N, C) or (N, C, L); w, b, μ, σ² of shape (C,), or w, b None.
    ``training``: μ and σ² (biased) are x's own batch statistics, computed by the caller
    (which also needs them for the running averages), so the gradient flows through
    them; otherwise they are constants (the running averages).
    With x̂ = (x - μ)·r, r = 1/√(σ² + ε), g = dL/dy and ĝ = g·w, means over the m = N·L
    values of a channel:
        dL/dx = r · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂))      (training)
        dL/dx = r · ĝ                                  (constant statistics)
        dL/dw = Σ g x̂   and   dL/db = Σ g
    """

    @staticmethod
    def forward(ctx, x, w, b, mean, var, eps, training):
        axes = (0,) if x.ndim == 2 else (0, 2)
        channel = (1, -1) if x.ndim == 2 else (1, -1, 1)  # (C,) broadcast along dim 1
        rstd = 1.0 / np.sqrt(var.reshape(channel) + eps)
        x_hat = (x - mean.reshape(channel)) * rstd
        ctx.save_for_backward(x_hat, rstd, w)
        ctx.axes, ctx.channel, ctx.training = axes, channel, training
        y = x_hat * w.reshape(channel) if w is not None else x_hat.copy()
        if b is not None:
            y += b.reshape(channel)
        return y

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, w = ctx.saved_tensors
        axes, channel = ctx.axes, ctx.channel
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gw = (grad * x_hat).sum(axis=axes) if need_w else None
        gb = grad.sum(axis=axes) if need_b else None
        gx = None
        if need_x:
            g_hat = grad * w.reshape(channel) if w is not None else grad
            if ctx.training:
                mean_g = g_hat.mean(axis=axes, keepdims=True)
                mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
                gx = rstd * (g_hat - mean_g - x_hat * mean_gx)
            else:
                gx = g_hat * rstd
        return gx, gw, gb, None, None, None, None
