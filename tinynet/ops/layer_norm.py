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
        inv_n = 1.0 / math.prod(x.shape[x.ndim - n_dims:])  # a Python float: keeps float32
        # NOTE: sums times 1/n rather than .mean(): numpy's mean is a Python wrapper whose
        # overhead is a visible share of a small layer; the rest works in place.
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled below
            x_hat = x - x.sum(axis=axes, keepdims=True) * inv_n  # centred, scaled in place
            var = np.square(x_hat).sum(axis=axes, keepdims=True)
        var *= inv_n
        var += eps
        if float(var.sum()) < math.inf:  # the usual case: every row's sums are finite
            rstd = np.sqrt(var, out=var)
            np.divide(1.0, rstd, out=rstd)
            x_hat *= rstd
        else:  # a row's sums overflowed (or it holds NaN)
            rstd = _normalize_rescaled(x, x_hat, var, axes, eps)
        ctx.save_for_backward(x_hat, rstd, w, axes, inv_n)
        if w is None:
            return x_hat + b if b is not None else x_hat.copy()
        y = x_hat * w
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, w, axes, inv_n = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        lead = tuple(range(x_hat.ndim - len(axes)))
        gx = gw = gb = None
        g_x_hat = grad * x_hat if need_w or need_x and w is None else None
        if need_w:
            gw = g_x_hat.sum(axis=lead)
        if need_b:
            gb = grad.sum(axis=lead)
        if need_x:
            # gx = r·(ĝ - mean(ĝ) - x̂·mean(ĝx̂)), built in place in one fresh array
            g_hat = grad * w if w is not None else grad
            mean_g = g_hat.sum(axis=axes, keepdims=True) * inv_n
            if w is not None:  # ĝx̂ = g·x̂·w: reuse g·x̂ when it was made for dL/dw
                g_x_hat = np.multiply(g_x_hat, w, out=g_x_hat) if g_x_hat is not None \
                    else g_hat * x_hat
            mean_gx = g_x_hat.sum(axis=axes, keepdims=True) * inv_n
            gx = np.multiply(x_hat, mean_gx, out=g_x_hat)
            np.subtract(g_hat, gx, out=gx)
            gx -= mean_g
            gx *= rstd
        return gx, gw, gb, None, None


def _normalize_rescaled(x, x_hat, var, axes, eps) -> np.ndarray:
    """Scale ``x_hat`` in place to x̂ and return r = 1/√(σ² + ε) per row, redoing the rows
    whose mean or variance overflowed: float32 rows of ±1e19, whose squares sum past
    3.4e38, would otherwise give r = 0 and an output of zeros. Dividing such a row by its
    largest magnitude s first keeps every sum finite: x̂ = (x/s - mean(x/s))·r_s with
    r_s = 1/√(var(x/s) + ε/s²), and r = r_s/s. Rows holding inf or NaN stay NaN."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        rstd = 1.0 / np.sqrt(var)
        x_hat *= rstd
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
    return rstd
