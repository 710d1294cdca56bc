"""Square-matrix ops of ``tinynet.linalg``: the inverse, solving A X = B, the determinant
and the log of its absolute value, over the last two dims (the others are a batch,
broadcast as numpy's ``linalg`` broadcasts them).

With G = dL/d(output) and ᵀ swapping the last two dims:
    Y = A⁻¹:            dL/dA = -Yᵀ G Yᵀ
    X = A⁻¹ B:          dL/dB = A⁻ᵀ G,  dL/dA = -(dL/dB) Xᵀ
    d = det A:          dL/dA = G · adj(A)ᵀ   (= G · d · A⁻ᵀ when A is invertible)
    l = log |det A|:    dL/dA = G · A⁻ᵀ
"""
import numpy as np

from tinynet.autograd.function import Function


class LinAlgError(RuntimeError):
    """A matrix an op cannot work with (singular where an inverse is needed), as
    ``torch.linalg.LinAlgError`` (a RuntimeError)."""


def _t(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


class Inv(Function):
    """Y = A⁻¹;  dL/dA = -Yᵀ G Yᵀ."""

    @staticmethod
    def forward(ctx, A):
        try:
            Y = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.inv: the input matrix is singular (it has no "
                              "inverse)") from None
        ctx.save_for_backward(Y)
        return Y

    @staticmethod
    def backward(ctx, grad):
        (Y,) = ctx.saved_tensors
        Yt = _t(Y)
        return -(Yt @ grad @ Yt)


class Solve(Function):
    """X = A⁻¹ B for B of shape (*, n, k) (a vector right-hand side is given as k = 1);
    dL/dB = A⁻ᵀ G (solved, not inverted), dL/dA = -(dL/dB) Xᵀ."""

    @staticmethod
    def forward(ctx, A, B):
        try:
            X = np.linalg.solve(A, B)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.solve: the input matrix A is singular (the system "
                              "has no unique solution)") from None
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        gB = np.linalg.solve(_t(A), grad)
        need_A, need_B = ctx.needs_input_grad
        return (-(gB @ _t(X)) if need_A else None), (gB if need_B else None)


class Det(Function):
    """d = det A;  dL/dA = G · adj(A)ᵀ, from A's singular value decomposition A = U S Vᵀ:
    adj(A)ᵀ = det(U) det(Vᵀ) · U diag(Πⱼ≠ᵢ sⱼ) Vᵀ, finite also where A is singular (at rank
    n - 1 the gradient is not 0: the determinant still moves)."""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return np.linalg.det(A)

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        return grad[..., None, None] * _cofactors(A)


def _cofactors(A: np.ndarray) -> np.ndarray:
    """adj(A)ᵀ, the matrix of cofactors, from the SVD (see ``Det``); zeros for 0×0."""
    if A.shape[-1] == 0:
        return np.zeros_like(A)
    U, s, Vt = np.linalg.svd(A)
    ones = np.ones_like(s[..., :1])
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = np.linalg.det(U) * np.linalg.det(Vt)
    return sign[..., None, None] * ((U * (before * after)[..., None, :]) @ Vt)


class LogAbsDet(Function):
    """l = log |det A|;  dL/dA = G · A⁻ᵀ = G · adj(A)ᵀ / det A: not finite (±inf, or nan
    where a cofactor is 0 too) where A is singular, as PyTorch's."""

    @staticmethod
    def forward(ctx, A):
        sign, logabsdet = np.linalg.slogdet(A)
        ctx.save_for_backward(A)
        ctx.singular = bool(np.any(sign == 0))
        return logabsdet

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        if not ctx.singular:
            return grad[..., None, None] * _t(np.linalg.inv(A))
        with np.errstate(divide="ignore", invalid="ignore"):  # 1/0 where it is singular
            return grad[..., None, None] * (_cofactors(A) / np.linalg.det(A)[..., None, None])
