"""Layer normalisation over the trailing dimensions, one fused node."""
import math

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
        n = math.prod(x.shape[x.ndim - n_dims:])
        with np.errstate(over="ignore", invalid="ignore"):  # a row too large: see below
            x_centred = x - x.sum(axis=axes, keepdims=True) / n
            var = (x_centred * x_centred).sum(axis=axes, keepdims=True) / n
            rstd = 1.0 / np.sqrt(var + eps)
            x_hat = x_centred * rstd
        if x.size and not np.isfinite(var).all():  # a row's sums overflowed (or inf, NaN)
            _redo_overflowed_rows(x, x_hat, rstd, var, axes, eps)
        ctx.save_for_backward(x_hat, rstd, w)
        ctx.axes, ctx.n = axes, n
        y = x_hat * w if w is not None else x_hat
        return y + b if b is not None else y

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION layernorm
        x_hat, rstd, w = ctx.saved_tensors
        axes, n = ctx.axes, ctx.n
        lead = tuple(range(x_hat.ndim - len(axes)))  # the axes w and b are broadcast over
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if need_x:
            g_hat = grad * w if w is not None else grad  # dL/dx̂
            mean_g = g_hat.sum(axis=axes, keepdims=True) / n
            mean_gx = (g_hat * x_hat).sum(axis=axes, keepdims=True) / n
            gx = (g_hat - mean_g - x_hat * mean_gx) * rstd
        if need_w:
            gw = (grad * x_hat).sum(axis=lead)
        if need_b:
            gb = grad.sum(axis=lead)
        return gx, gw, gb, None, None
        # END SOLUTION


def _redo_overflowed_rows(x, x_hat, rstd, var, axes, eps) -> None:
    """Recompute, in place, x̂ and r = 1/√(σ² + ε) of the rows whose mean or variance
    overflowed: float32 rows of ±1e19, whose squares sum past 3.4e38, would otherwise give
    r = 0 and an output of zeros. Dividing such a row by its largest magnitude s first
    keeps every sum finite: x̂ = (x/s - mean(x/s))·r_s with r_s = 1/√(var(x/s) + ε/s²),
    and r = r_s/s. Rows holding inf or NaN stay NaN."""
    if x.ndim == len(axes):  # the whole tensor is one row: give it a leading axis (views)
        x, x_hat, rstd, var = x[None], x_hat[None], rstd[None], var[None]
        axes = tuple(a + 1 for a in axes)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        scale = np.abs(x).max(axis=axes, keepdims=True)
        redo = ~np.isfinite(var) & np.isfinite(scale) & (scale > 0)
        rows = np.nonzero(redo.reshape(redo.shape[:x.ndim - len(axes)]))
        s = scale[rows]
        xs = x[rows] / s  # (R, *S), every |value| <= 1
        row_axes = tuple(range(1, xs.ndim))
        centred = xs - xs.mean(axis=row_axes, keepdims=True)
        var_scaled = np.square(centred).mean(axis=row_axes, keepdims=True)
        r_scaled = 1.0 / np.sqrt(var_scaled + eps / s / s)  # ε/s² may underflow to 0: fine
        x_hat[rows] = centred * r_scaled
        rstd[rows] = r_scaled / s
