"""The p-norm distance between every pair of rows of two (batches of) matrices."""
import numpy as np

from tinynet.autograd.function import Function


class Cdist(Function):
    """dᵢⱼ = ‖aᵢ - bⱼ‖ₚ = (Σₖ |δₖ|ᵖ)^(1/p) with δ = aᵢ - bⱼ, for the rows aᵢ of x1 (…, P, M)
    and bⱼ of x2 (…, R, M): d is (…, P, R). p = 0 counts the δₖ ≠ 0; p = inf is max |δₖ|.

    ∂dᵢⱼ/∂aᵢ = sign(δ) |δ|ᵖ⁻¹ / dᵢⱼᵖ⁻¹ = -∂dᵢⱼ/∂bⱼ  (δ / d for p = 2, sign(δ) for p = 1),
    dL/daᵢ = Σⱼ gᵢⱼ ∂dᵢⱼ/∂aᵢ,  dL/dbⱼ = -Σᵢ gᵢⱼ ∂dᵢⱼ/∂aᵢ.

    Where the derivative does not exist, PyTorch's choices: 0 where d = 0, 0 where δₖ = 0
    (p < 1), sign(δₖ) at every k with |δₖ| = d (p = inf, ties not split), 0 for p = 0.
    """

    @staticmethod
    def forward(ctx, x1, x2, p):
        delta = x1[..., :, None, :] - x2[..., None, :, :]  # (…, P, R, M)
        size = np.abs(delta)
        if p == 0:
            d = (delta != 0).sum(axis=-1).astype(delta.dtype)
        elif p == 1:
            d = size.sum(axis=-1)
        elif p == 2:
            d = np.sqrt((delta * delta).sum(axis=-1))
        elif p == np.inf:
            d = size.max(axis=-1, initial=0)  # (initial: M = 0 gives distance 0)
        else:
            d = (size ** p).sum(axis=-1) ** (1.0 / p)
        ctx.p = p
        ctx.save_for_backward(delta, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        delta, d = ctx.saved_tensors
        p, d = ctx.p, d[..., None]
        if p == 0:
            slope = np.zeros_like(delta)
        elif p == np.inf:
            slope = np.sign(delta) * (np.abs(delta) == d)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.sign(delta) * np.abs(delta) ** (p - 1) / d ** (p - 1)
            slope = np.where((d == 0) | (delta == 0), 0, slope)
        weighted = grad[..., None] * slope  # (…, P, R, M)
        return weighted.sum(axis=-2), -weighted.sum(axis=-3), None
