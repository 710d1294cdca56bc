"""The running log-sum-exp (logcumsumexp), with a backward that neither overflows nor
divides."""
import numpy as np

from tinynet.autograd.function import Function


class LogCumSumExp(Function):
    """yᵢ = log Σ_{j<=i} e^(xⱼ) along ``dim``, one ``logaddexp`` at a time (no eˣ is
    formed, so nothing overflows);

    dL/dxⱼ = Σ_{i>=j} gᵢ e^(xⱼ - yᵢ) = e^(xⱼ + R⁺ⱼ) - e^(xⱼ + R⁻ⱼ),

    where R±ⱼ = log Σ_{i>=j} g±ᵢ e^(-yᵢ) is itself a running log-sum-exp, from the end, of
    log g±ᵢ - yᵢ (g⁺ = max(g, 0), g⁻ = max(-g, 0): a log needs a positive number). Each
    exponential is at most Σ|g|, so large x (1000) give exact gradients. Where yᵢ = -inf
    (every x so far -inf) the gradient is nan, as PyTorch's.
    """

    @staticmethod
    def forward(ctx, x, dim):
        y = _running_logaddexp(x, dim)
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf; -inf + inf
            gx = 0
            for sign in (1, -1):
                part = np.log(np.maximum(sign * grad, 0)) - y
                from_end = np.flip(_running_logaddexp(np.flip(part, dim), dim), dim)
                gx = gx + sign * np.exp(x + from_end)
        return gx, None


def _running_logaddexp(a: np.ndarray, axis: int) -> np.ndarray:
    """``np.logaddexp.accumulate`` along ``axis``; float16 and float32 in float64, as
    PyTorch accumulates them (each step's rounding would add up along the scan)."""
    if a.dtype in (np.float16, np.float32):
        return np.logaddexp.accumulate(a.astype(np.float64), axis=axis).astype(a.dtype)
    return np.logaddexp.accumulate(a, axis=axis)
