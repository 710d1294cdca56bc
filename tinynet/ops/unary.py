"""Elementwise math: exp, log, sqrt, abs, clamp, nan_to_num, and dtype casts."""
import numpy as np

from tinynet.autograd.function import Function


class Exp(Function):
    """y = eˣ;  dy/dx = y."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    """y = √x;  dy/dx = 1 / (2√x)."""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


def sign(x: np.ndarray) -> np.ndarray:
    """-1, 0 or 1 as x is negative, zero or positive, and 0 for NaN, as PyTorch's sign
    ((0 < x) - (x < 0)), where numpy's gives NaN: the slope the gradients of |x| and of
    the norms and losses built on it take, so a NaN input gets no NaN gradient there."""
    return np.nan_to_num(np.sign(x), nan=0.0)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0 and at NaN, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sign(x)


class Clamp(Function):
    """y = min(max(x, lo), hi) (x, lo and hi broadcast together; either bound may be None,
    a number or an array), with PyTorch's gradients:
        dy/dx = 1 where lo <= x <= hi;
        dy/dlo = 1 where x < lo (and lo < hi, with both bounds);
        dy/dhi = 1 where x > hi (or lo > hi: y is hi there);
    each 0 elsewhere (x = lo = hi, or nan, sends its gradient to none of them)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        zero = np.zeros((), grad.dtype)
        if hi is None:
            inside, to_lo, to_hi = x >= lo, x < lo, None
        elif lo is None:
            inside, to_lo, to_hi = x <= hi, None, x > hi
        else:
            inside, to_lo, to_hi = (x >= lo) & (x <= hi), (x < lo) & (lo < hi), \
                (x > hi) | (lo > hi)
        need_lo, need_hi = ctx.needs_input_grad[1:]
        return (np.where(inside, grad, zero),  # 0 outside, whatever grad is there
                np.where(to_lo, grad, zero) if need_lo else None,
                np.where(to_hi, grad, zero) if need_hi else None)


class NanToNum(Function):
    """y = x with NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (None:
    0, the dtype's largest and lowest finite values);  dy/dx = 1 where x is finite, else
    0 (PyTorch's rule: a replaced value does not depend on x)."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.finite, grad, 0), None, None, None


class Cast(Function):
    """y = x as ``dtype``;  the gradient is cast back to x's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.x_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.x_dtype), None
