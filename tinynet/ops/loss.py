"""Fused, numerically stable losses: NLL, BCE on probabilities and on logits, the smooth
L1 (Huber) family and the KL divergence (cross-entropy is in cross_entropy.py).

Reductions follow PyTorch: 'none' (one loss per sample), 'sum', or 'mean'. For class
targets with per-class ``weight`` the mean divides by the total weight of the
(non-ignored) targets, not by N.
"""
import numpy as np
from scipy.special import expit

from tinynet.autograd.function import Function
from tinynet.ops.reduce import per_count
from tinynet.ops.unary import sign


def reduce_losses(losses, reduction: str, denominator):
    """The per-sample ``losses`` reduced: 'none', 'sum', or 'mean' (the sum / denominator).
    float16 losses are summed and divided in float32, as PyTorch accumulates them (in
    float16 a sum or a count past 65,504 is inf), then rounded back."""
    if reduction == "none":
        return losses
    half = losses.dtype == np.float16
    total = total_weight(losses)
    if reduction == "sum":
        return total.astype(np.float16) if half else total
    if denominator != 0:  # (the usual case: no errstate, which costs a microsecond)
        mean = total / denominator
    else:
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty batch: NaN, as PyTorch
            mean = total / denominator
    return mean.astype(np.float16) if half else mean


def total_weight(w: np.ndarray):
    """Σ w: in float32 for float16 values (70,000 ones are inf in float16), rounded back
    only where the result is used."""
    return w.sum(dtype=np.float32) if w.dtype == np.float16 else w.sum()


def grad_per_sample(grad, reduction: str, denominator, n: int):
    """dL/dℓᵢ for each of the n per-sample losses ℓᵢ, as an (N,) array, from dL/d(loss)."""
    if reduction == "none":
        return grad
    scale = grad if reduction == "sum" else per_count(grad, denominator)
    return np.broadcast_to(scale, (n,))


class NLLLoss(Function):
    """ℓᵢ = -w[tᵢ]·x[i, tᵢ] on log-probabilities x (N, C);  dℓᵢ/dx[i, tᵢ] = -w[tᵢ].
    With no weight and ``ignore_index=None`` (no target ignored: the caller checked),
    w[tᵢ] = 1 throughout and no mask or weight array is built."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        n = x.shape[0]
        ctx.shape, ctx.dtype, ctx.reduction = x.shape, x.dtype, reduction
        if ignore_index is None and weight is None and n:  # the usual case
            ctx.save_for_backward(target, None, None)
            ctx.denominator = n
            with np.errstate(invalid="ignore"):  # +inf and -inf picked: NaN, as below
                return reduce_losses(-x[np.arange(n), target], reduction, n)
        valid = target != ignore_index if ignore_index is not None else np.ones(n, bool)
        t = np.where(valid, target, 0)
        w_t = weight[t] * valid if weight is not None else valid.astype(x.dtype)
        ctx.save_for_backward(t, w_t, valid)
        ctx.denominator = total_weight(w_t)
        with np.errstate(invalid="ignore", divide="ignore"):
            # an ignored row counts 0 whatever it holds (-inf · 0 would be NaN), as PyTorch
            losses = np.where(valid, -x[np.arange(n), t] * w_t, 0)
            return reduce_losses(losses.astype(x.dtype, copy=False), reduction,
                                 ctx.denominator)

    @staticmethod
    def backward(ctx, grad):
        t, w_t, valid = ctx.saved_tensors
        gx = np.zeros(ctx.shape, dtype=ctx.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = grad_per_sample(grad, ctx.reduction, ctx.denominator, ctx.shape[0])
            picked = -scale if w_t is None else -w_t * scale
            if valid is not None:  # an ignored row's gradient is 0, even when every row
                picked = np.where(valid, picked, 0)  # is ignored ('mean': 0/0), as PyTorch's
            gx[np.arange(ctx.shape[0]), t] = picked
        return gx, None, None, None, None


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor of x(1-x): 1e-12 as a float32


def check_probabilities(name: str, what: str, values, hint: str = "") -> None:
    """Every value in [0, 1] (NaN is refused too); the message names the first other one
    and its index."""
    if values.size and not (values.min() >= 0 and values.max() <= 1):  # NaN fails too
        index = tuple(int(i) for i in np.argwhere(~((values >= 0) & (values <= 1)))[0])
        raise ValueError(f"{name}: {what} must be probabilities in [0, 1]{hint}, got "
                         f"{values[index].item()!r} at index {index}")


class BCE(Function):
    """Binary cross-entropy on probabilities x in [0, 1] with targets y in [0, 1]:
        ℓ = -w·[y·max(log x, -100) + (1-y)·max(log(1-x), -100)],
        dℓ/dx = w·(x - y) / max(x·(1-x), 1e-12),
        dℓ/dy = w·[max(log(1-x), -100) - max(log x, -100)].
    The clamps are PyTorch's: ℓ stays finite at x = 0 and x = 1 (log 0 = -inf), and so
    does dℓ/dx, which is PyTorch's too (the exact derivative wherever x·(1-x) > 1e-12).
    NOTE: dℓ/dy is the exact derivative of ℓ, clamps included; PyTorch's, -logit(x), is
    infinite at x = 0 and x = 1.

    x, y and w share the input's shape (w broadcast to it); reduced as the other losses
    ('mean': over every element).
    """

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        # (checked here, not in the functional form: a replayed call runs only the ops)
        check_probabilities("binary_cross_entropy", "input", x, " (a sigmoid's output; on "
                            "logits use binary_cross_entropy_with_logits)")
        check_probabilities("binary_cross_entropy", "targets", y)
        with np.errstate(divide="ignore"):  # log 0 = -inf, then clamped
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        losses = (y - 1) * log_1mx - y * log_x  # (PyTorch's order of operations)
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, y, weight, log_x, log_1mx)
        ctx.reduction, ctx.count = reduction, losses.size
        return reduce_losses(losses, reduction, losses.size)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, log_x, log_1mx = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        if ctx.reduction == "mean":
            grad = per_count(grad, ctx.count)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = grad * (x - y) / np.maximum((1 - x) * x, _BCE_EPS)
        if ctx.needs_input_grad[1]:
            gy = grad * (log_1mx - log_x)
        return gx, gy, None, None


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
        check_probabilities("binary_cross_entropy_with_logits", "targets", y)  # (see BCE)
        softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        scale = 1 + (pos_weight - 1) * y if pos_weight is not None else 1
        losses = (1 - y) * x + scale * softplus_neg
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, y, weight, pos_weight, softplus_neg)
        ctx.reduction, ctx.count = reduction, losses.size
        return reduce_losses(losses, reduction, losses.size)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight, softplus_neg = ctx.saved_tensors
        if ctx.reduction == "mean":
            grad = per_count(grad, ctx.count)
        pw = pos_weight if pos_weight is not None else 1
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = expit(x) * (1 + (pw - 1) * y) - pw * y
            gx = gx * grad if weight is None else gx * weight * grad
        if ctx.needs_input_grad[1]:
            # (without pos_weight, -x alone: 0·softplus(-x) would be nan at x = -inf)
            gy = -x if pos_weight is None else -x + (pw - 1) * softplus_neg
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
        return reduce_losses(losses, reduction, losses.size)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        beta = ctx.beta
        # (L1's slope at a NaN difference is sign(NaN) = 0, as PyTorch's; smooth L1's is NaN)
        slope = sign(d) if beta == 0 else np.where(np.abs(d) < beta, d / beta, np.sign(d))
        if ctx.reduction == "mean":
            grad = per_count(grad, ctx.count)
        gx = slope * (grad * ctx.scale)
        need_x, need_y = ctx.needs_input_grad[:2]
        return gx if need_x else None, -gx if need_y else None, None, None, None


class KLDiv(Function):
    """Kullback-Leibler divergence of log-probabilities x from target probabilities t,
    elementwise (x and t share a shape):
        ℓ = t·(log t - x);   dℓ/dx = -t;   dℓ/dt = log t + 1 - x
    (where t = 0, ℓ = -t·x, as PyTorch's xlogy(t, t) - t·x: 0, but nan for an x of nan or
    ±inf; the target's gradient is nan there, as PyTorch's), or with ``log_target`` (t
    holds log-probabilities):
        ℓ = eᵗ·(t - x);   dℓ/dx = -eᵗ;   dℓ/dt = eᵗ·(t - x + 1).
    Reduced by 'none', 'sum', 'mean' (over every element) or 'batchmean' (the sum over
    x.shape[0], the divergence per sample: KL's definition).
    """

    @staticmethod
    def forward(ctx, x, t, log_target, reduction):
        if log_target:
            p = np.exp(t)
            with np.errstate(invalid="ignore"):  # t = -inf (a zero probability): nan, as PyTorch
                losses = p * (t - x)
        else:
            p = t
            with np.errstate(divide="ignore", invalid="ignore"):  # log 0 (and 0·inf there,
                # replaced); t < 0 gives nan, as PyTorch. NOTE: 0 - t·x, not 0, at t = 0:
                # a nan (or infinite) x there must not vanish from the loss
                losses = np.where(t > 0, t * (np.log(t) - x),
                                  np.where(t == 0, 0.0 - t * x, np.nan))
            losses = losses.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, t, p)
        ctx.log_target, ctx.reduction = log_target, reduction
        ctx.denominator = x.shape[0] if reduction == "batchmean" and x.ndim else losses.size
        return reduce_losses(losses, "mean" if reduction == "batchmean" else reduction,
                             ctx.denominator)

    @staticmethod
    def backward(ctx, grad):
        x, t, p = ctx.saved_tensors
        if ctx.reduction != "none":
            grad = grad if ctx.reduction == "sum" else per_count(grad, ctx.denominator)
        need_x, need_t = ctx.needs_input_grad[:2]
        gx = -p * grad if need_x else None
        gt = None
        if need_t:
            if ctx.log_target:
                with np.errstate(invalid="ignore"):  # (see forward)
                    gt = p * (t - x + 1)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = np.where(t == 0, np.nan, np.log(t) + 1 - x).astype(x.dtype, copy=False)
            gt = gt * grad
        return gx, gt, None, None
