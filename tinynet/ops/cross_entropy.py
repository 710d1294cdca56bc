"""Cross-entropy on logits: log-softmax and the negative log-likelihood in one node.

``CrossEntropy`` is the common case, class indices without weights or smoothing, whose
gradient is the line to remember: dL/dz = p - onehot(t) per sample. ``CrossEntropyGeneral``
adds class weights, ignored targets, label smoothing and class-probability targets.
"""
import numpy as np

from tinynet.autograd.function import Function
from tinynet.ops.loss import grad_per_sample, reduce_losses, total_weight
from tinynet.ops.reduce import per_count


class CrossEntropy(Function):
    """ℓᵢ = -log pᵢ[tᵢ] = log Σ_c e^(zᵢ[c]) - zᵢ[tᵢ] for logits z (N, C) and class indices
    t (N,), with p = softmax(z) row by row;  dℓᵢ/dzᵢ = pᵢ - onehot(tᵢ).

    Each row's maximum m is subtracted first: e^(z - m) <= 1 cannot overflow, and
    ℓᵢ = log Σ_c e^(zᵢ[c] - m) - (zᵢ[tᵢ] - m) is the same number. 'mean' divides by N.
    """

    @staticmethod
    def forward(ctx, z, t, reduction):
        # BEGIN SOLUTION cross_entropy
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        losses = np.log(sums[:, 0]) - shifted[np.arange(len(z)), t]  # (N,)
        ctx.save_for_backward(exp / sums, t)  # p, and the targets
        ctx.reduction = reduction
        return reduce_losses(losses, reduction, len(z))
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION cross_entropy
        p, t = ctx.saved_tensors
        gz = p.copy()
        gz[np.arange(len(p)), t] -= 1  # p - onehot(t)
        # times dL/dℓᵢ: grad / N for 'mean', grad for 'sum', grad[i] for 'none'
        if ctx.reduction == "none":
            gz *= grad[:, None]
        else:
            gz *= per_count(grad, len(p)) if ctx.reduction == "mean" else grad
        return gz, None, None
        # END SOLUTION


class CrossEntropyGeneral(Function):
    """Cross-entropy with class weights, ignored targets, label smoothing or
    class-probability targets, on logits z of shape (N, C).

    With p = softmax(z) row-wise and class targets t (N,), label smoothing ε and
    class weights w (all 1 if None), sample i's loss is
        ℓᵢ = (1-ε)·w[tᵢ]·(-log p[i, tᵢ]) + (ε/C)·Σ_c w[c]·(-log p[i, c])
    and, writing ℓ = Σᵢ Σ_c a[i, c]·(-log p[i, c]),
        dℓ/dz[i, j] = p[i, j]·Σ_c a[i, c] - a[i, j]
    (without weights or smoothing: p - onehot(t), ``CrossEntropy``'s gradient). Rows
    whose target is ``ignore_index`` contribute nothing (``ignore_index=None``: none is).

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
            ctx.save_for_backward(p, a, None, None, None)
            ctx.reduction, ctx.denominator = reduction, n
            # dℓᵢ/dq[i, c] = -(1-ε)·w[c]·log p[i, c];  dℓᵢ/dw[c] = -q̃[i, c]·log p[i, c]
            ctx.soft = (log_p, q, weight, eps) if any(ctx.needs_input_grad[1:3]) else None
            return reduce_losses(losses, reduction, n)
        rows = np.arange(n)
        valid = target != ignore_index if ignore_index is not None else np.ones(n, bool)
        t = np.where(valid, target, 0)
        w_t = weight[t] * valid if weight is not None else valid.astype(z.dtype)
        # an ignored row counts 0 whatever it holds (-inf · 0 would be NaN), as PyTorch
        with np.errstate(invalid="ignore"):
            nll = np.where(valid, -(shifted[rows, t] - log_sums) * w_t, 0).astype(z.dtype,
                                                                                copy=False)
        denominator = total_weight(w_t)  # 'mean' divides by this: Σ w[tᵢ] over non-ignored rows
        coef = (1 - eps) * w_t  # a[i, tᵢ] from the NLL term, per unit of dL/dℓᵢ
        smooth = smooth_a = None
        if eps:
            w = weight if weight is not None else np.ones(c, dtype=z.dtype)
            # Σ_c w[c]·(-log p[i, c]) without forming log p: -Σ w·shifted + Σw·log Σ e
            with np.errstate(invalid="ignore"):
                smooth = np.where(valid, -(shifted @ w) + w.sum() * log_sums, 0).astype(
                    z.dtype, copy=False)
            smooth_a = (eps / c) * w * valid[:, None]  # (N, C)
        ctx.save_for_backward(p, coef, smooth_a, t, valid)
        ctx.reduction, ctx.denominator = reduction, denominator
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0, as PyTorch
            loss = reduce_losses((1 - eps) * nll, reduction, denominator)
            if eps:
                loss = loss + (eps / c) * reduce_losses(smooth, reduction, denominator)
        return loss

    @staticmethod
    def backward(ctx, grad):
        p, coef, smooth_a, t, valid = ctx.saved_tensors
        n = p.shape[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            row_scale = grad_per_sample(grad, ctx.reduction, ctx.denominator, n)  # (N,)
            if valid is not None:  # an ignored row's gradient is 0, even when every row
                row_scale = np.where(valid, row_scale, 0)  # is ('mean': 0/0), as PyTorch's
            if t is None:  # class probabilities: coef holds a (N, C)
                a = coef * row_scale[:, None]
                gz = p * a.sum(axis=1, keepdims=True) - a if ctx.needs_input_grad[0] else None
                gq, gw = CrossEntropyGeneral._soft_target_grads(ctx, row_scale)
                return gz, gq, gw, None, None, None
            c_t = coef * row_scale
            gz = p * c_t[:, None]
            gz[np.arange(n), t] -= c_t
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
