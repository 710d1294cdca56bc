"""Fused, numerically stable losses: cross-entropy on logits, NLL, BCE on logits, and the
smooth L1 (Huber) family.

Reductions follow PyTorch: 'none' (one loss per sample), 'sum', or 'mean'. For class
targets with per-class ``weight`` the mean divides by the total weight of the
(non-ignored) targets, not by N.
"""
import numpy as np
from scipy.special import expit

from tinynet.autograd.function import Function


def _reduce(losses, reduction, denominator):
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty batch: NaN, as PyTorch
        return total / denominator


def _row_scale(grad, reduction, denominator, n):
    """dL/d(loss_i) for each row i, as an (N,) array."""
    if reduction == "none":
        return grad
    scale = grad if reduction == "sum" else grad / denominator
    return np.broadcast_to(scale, (n,))


class CrossEntropy(Function):
    """Log-softmax and negative log-likelihood fused, on logits z of shape (N, C).

    With p = softmax(z) row-wise and class targets t (N,), label smoothing ε and
    class weights w (all 1 if None), sample i's loss is
        ℓᵢ = (1-ε)·w[tᵢ]·(-log p[i, tᵢ]) + (ε/C)·Σ_c w[c]·(-log p[i, c])
    and, writing ℓ = Σᵢ Σ_c a[i, c]·(-log p[i, c]),
        dℓ/dz[i, j] = p[i, j]·Σ_c a[i, c] - a[i, j]
    (without weights or smoothing: (p - onehot(t)) / N for the mean). Rows whose
    target is ``ignore_index`` contribute nothing; ``ignore_index=None`` says that no
    target is ignored (the caller checked), and with no weight and no smoothing the
    masks and weights are skipped altogether: ℓᵢ = log Σ_c e^(z[i, c] - m) - (z[i, tᵢ] - m).

    'mean' divides both terms by Σ w[tᵢ] over the non-ignored rows (their count when
    there are no weights), as PyTorch does.

    Class-probability targets q (N, C) instead give ℓᵢ = -Σ_c w[c]·q̃[i, c]·log p[i, c]
    with q̃ = (1-ε)q + ε/C, and 'mean' divides by N.
    """

    @staticmethod
    def forward(ctx, z, target, weight, ignore_index, reduction, label_smoothing):
        n, c = z.shape
        shifted = z - z.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        sums = p.sum(axis=1, keepdims=True)
        p /= sums
        log_sums = np.log(sums)[:, 0]  # (N,)
        eps = label_smoothing
        if target.dtype.kind == "f":  # class probabilities
            q = target * (1 - eps) + eps / c if eps else target
            # a fresh array for backward: the caller's target may be refilled meanwhile
            a = q * weight if weight is not None else q.copy()  # (N, C)
            log_p = shifted - log_sums[:, None]
            losses = -(a * log_p).sum(axis=1)
            ctx.save_for_backward(p, a, None, None, None, reduction, n)
            # dℓᵢ/dq[i, c] = -(1-ε)·w[c]·log p[i, c];  dℓᵢ/dw[c] = -q̃[i, c]·log p[i, c]
            ctx.soft = (log_p, q, weight, eps) if any(ctx.needs_input_grad[1:3]) else None
            return _reduce(losses, reduction, n)
        rows = np.arange(n)
        if ignore_index is None and weight is None and not eps and n:  # the usual case
            ctx.save_for_backward(p, None, None, rows, target, reduction, n)
            return _reduce(log_sums - shifted[rows, target], reduction, n)
        valid = target != ignore_index if ignore_index is not None else np.ones(n, bool)
        t = np.where(valid, target, 0)
        w_t = weight[t] * valid if weight is not None else valid.astype(z.dtype)
        nll = -(shifted[rows, t] - log_sums) * w_t  # (N,)
        denominator = w_t.sum()  # 'mean' divides by this: Σ w[tᵢ] over non-ignored rows
        coef = (1 - eps) * w_t  # a[i, tᵢ] from the NLL term, per unit of dL/dℓᵢ
        smooth = smooth_a = None
        if eps:
            w = weight if weight is not None else np.ones(c, dtype=z.dtype)
            # Σ_c w[c]·(-log p[i, c]) without forming log p: -Σ w·shifted + Σw·log Σ e
            smooth = (-(shifted @ w) + w.sum() * log_sums) * valid
            smooth_a = (eps / c) * w * valid[:, None]  # (N, C)
        ctx.save_for_backward(p, coef, smooth_a, rows, t, reduction, denominator)
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0, as PyTorch
            loss = _reduce((1 - eps) * nll, reduction, denominator)
            if eps:
                loss = loss + (eps / c) * _reduce(smooth, reduction, denominator)
        return loss

    @staticmethod
    def backward(ctx, grad):
        p, coef, smooth_a, rows, t, reduction, denominator = ctx.saved_tensors
        n = p.shape[0]
        if coef is None and t is not None:  # the usual case: gz = (p - onehot(t))·dL/dℓ
            scale = grad[:, None] if reduction == "none" else (
                grad if reduction == "sum" else grad / denominator)
            gz = p * scale
            gz[rows, t] -= scale[:, 0] if reduction == "none" else scale
            return gz, None, None, None, None, None
        with np.errstate(invalid="ignore", divide="ignore"):
            row_scale = _row_scale(grad, reduction, denominator, n)  # (N,)
            if t is None:  # class probabilities: coef holds a (N, C)
                a = coef * row_scale[:, None]
                gz = p * a.sum(axis=1, keepdims=True) - a if ctx.needs_input_grad[0] else None
                gq, gw = CrossEntropy._soft_target_grads(ctx, row_scale)
                return gz, gq, gw, None, None, None
            c_t = coef * row_scale
            gz = p * c_t[:, None]
            gz[rows, t] -= c_t
            if smooth_a is not None:
                a = smooth_a * row_scale[:, None]
                gz += p * a.sum(axis=1, keepdims=True) - a
        return gz, None, None, None, None, None


    @staticmethod
    def _soft_target_grads(ctx, row_scale):
        """dL/dq and dL/dw for class-probability targets (None where not needed)."""
        if ctx.soft is None:
            return None, None
        log_p, q, weight, eps = ctx.soft
        scaled = log_p * -row_scale[:, None]  # -log p[i, c]·dL/dℓᵢ
        gq = gw = None
        if ctx.needs_input_grad[1]:
            gq = scaled * (1 - eps) if weight is None else scaled * ((1 - eps) * weight)
        if ctx.needs_input_grad[2]:
            gw = (scaled * q).sum(axis=0)
        return gq, gw


class NLLLoss(Function):
    """ℓᵢ = -w[tᵢ]·x[i, tᵢ] on log-probabilities x (N, C);  dℓᵢ/dx[i, tᵢ] = -w[tᵢ].
    With no weight and ``ignore_index=None`` (no target ignored: the caller checked),
    w[tᵢ] = 1 throughout and no mask or weight array is built."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        n = x.shape[0]
        rows = np.arange(n)
        if ignore_index is None and weight is None and n:  # the usual case
            ctx.save_for_backward(x.shape, x.dtype, rows, target, None, reduction, n)
            with np.errstate(invalid="ignore"):  # +inf and -inf picked: NaN, as below
                return _reduce(-x[rows, target], reduction, n)
        valid = target != ignore_index if ignore_index is not None else np.ones(n, bool)
        t = np.where(valid, target, 0)
        w_t = weight[t] * valid if weight is not None else valid.astype(x.dtype)
        denominator = w_t.sum()
        ctx.save_for_backward(x.shape, x.dtype, rows, t, w_t, reduction, denominator)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _reduce(-x[rows, t] * w_t, reduction, denominator)

    @staticmethod
    def backward(ctx, grad):
        shape, dtype, rows, t, w_t, reduction, denominator = ctx.saved_tensors
        gx = np.zeros(shape, dtype=dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            row_scale = _row_scale(grad, reduction, denominator, shape[0])
            gx[rows, t] = -row_scale if w_t is None else -w_t * row_scale
        return gx, None, None, None, None


class BCEWithLogits(Function):
    """Binary cross-entropy on logits x with targets y in [0, 1]:
        ℓ = -w·[pw·y·log σ(x) + (1-y)·log(1-σ(x))]
          = w·[(1-y)·x + (1 + (pw-1)·y)·softplus(-x)],   softplus(-x) = log(1 + e⁻ˣ),
        dℓ/dx = w·[σ(x)·(1 + (pw-1)·y) - pw·y],    dℓ/dy = w·[-x + (pw-1)·softplus(-x)].
    softplus(-x) = max(-x, 0) + log1p(e^(-|x|)): no overflow for any x.

    x, y, w and pw broadcast together; 'mean' divides by the number of elements of the
    broadcast loss, and so do the gradients (the engine sums them back to each input's
    shape).
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        scale = 1 + (pos_weight - 1) * y if pos_weight is not None else 1
        losses = (1 - y) * x + scale * softplus_neg
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, y, weight, pos_weight, softplus_neg)
        ctx.reduction, ctx.count = reduction, losses.size
        return _reduce(losses, reduction, losses.size)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight, softplus_neg = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = grad / ctx.count
        pw = pos_weight if pos_weight is not None else 1
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = expit(x) * (1 + (pw - 1) * y) - pw * y
            gx = gx * grad if weight is None else gx * weight * grad
        if ctx.needs_input_grad[1]:
            gy = -x + (pw - 1) * softplus_neg
            gy = gy * grad if weight is None else gy * weight * grad
        return gx, gy, None, None, None


class SmoothL1(Function):
    """Smooth L1 loss of d = x - y, elementwise, times ``scale``:
        ℓ = ½d²/β  where |d| < β,  else |d| - ½β        (β = 0: |d|, the L1 loss)
        dℓ/dx = d/β  where |d| < β,  else sign(d);       dℓ/dy = -dℓ/dx
    Huber's loss with threshold δ is δ times this with β = δ. x and y share a shape;
    reduced as the other losses ('mean': over every element).
    """

    @staticmethod
    def forward(ctx, x, y, beta, scale, reduction):
        d = x - y
        a = np.abs(d)
        if beta > 0:
            c = np.clip(d, -beta, beta)  # equals d where the square is used: d² cannot overflow
            losses = np.where(a < beta, (0.5 / beta) * c * c, a - 0.5 * beta)
        else:
            losses = a
        if scale != 1:
            losses = losses * scale
        ctx.save_for_backward(d)
        ctx.beta, ctx.scale, ctx.reduction, ctx.count = beta, scale, reduction, losses.size
        return _reduce(losses, reduction, losses.size)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        beta = ctx.beta
        slope = np.sign(d) if beta == 0 else np.where(np.abs(d) < beta, d / beta, np.sign(d))
        if ctx.reduction == "mean":
            grad = grad / ctx.count
        gx = slope * (grad * ctx.scale)
        need_x, need_y = ctx.needs_input_grad[:2]
        return gx if need_x else None, -gx if need_y else None, None, None, None
