"""Layer normalisation over the trailing dimensions, one fused node."""
import numpy as np

from tinynet.autograd.function import Function


class LayerNorm(Function):
    """y = (x - μ) / √(σ² + ε) · w + b, μ and σ² (biased) over the last ``n_dims`` axes.

    Shapes: x (*, *S) with S the normalised shape; w, b of shape S or None.
    With x̂ = (x - μ)·r, r = 1/√(σ² + ε), g = dL/dy and ĝ = g·w, averaging over S:
        dL/dx = r · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂))
        dL/dw = Σ g x̂   and   dL/db = Σ g   (over the leading axes)
    A constant row has σ² = 0: x̂ = 0 and r = 1/√ε, finite.
    """

    @staticmethod
    def forward(ctx, x, w, b, n_dims, eps):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        centered = x - x.mean(axis=axes, keepdims=True)
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var + eps)
        x_hat = centered * rstd
        ctx.save_for_backward(x_hat, rstd, w, axes)
        y = x_hat
        if w is not None:
            y = y * w
        if b is not None:
            y = y + b
        return y

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, w, axes = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        lead = tuple(range(x_hat.ndim - len(axes)))
        gx = gw = gb = None
        if need_x:
            g_hat = grad * w if w is not None else grad
            gx = rstd * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                         - x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True))
        if need_w:
            gw = (grad * x_hat).sum(axis=lead)
        if need_b:
            gb = grad.sum(axis=lead)
        return gx, gw, gb, None, None
