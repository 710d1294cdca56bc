"""Arithmetic with numpy broadcasting: ``+ - * / ** @``, negation, and the remainders
``remainder`` (``%``) and ``fmod``, and ``lerp``.

Each backward returns the gradient at the *broadcast* shape; the engine's
``unbroadcast`` reduces it to each input's own shape.
"""
import numpy as np

from tinynet.autograd.function import Function


class Add(Function):
    """y = x + z;  dy/dx = 1, dy/dz = 1."""

    @staticmethod
    def forward(ctx, x, z):
        return x + z

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """y = x - z;  dy/dx = 1, dy/dz = -1."""

    @staticmethod
    def forward(ctx, x, z):
        return x - z

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = x * z;  dy/dx = z, dy/dz = x.

    Only what the gradients read is saved: z when x needs one, x when z does (so a
    constant changed in place before backward is no error, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x, z):
        need_x, need_z = ctx.needs_input_grad
        ctx.save_for_backward(x if need_z else None, z if need_x else None)
        return x * z

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        need_x, need_z = ctx.needs_input_grad
        return (grad * z if need_x else None), (grad * x if need_z else None)


class Div(Function):
    """y = x / z;  dy/dx = 1/z, dy/dz = -x/z² (x is saved only when z needs a gradient)."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, z)
        return x / z

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        need_x, need_z = ctx.needs_input_grad
        return (grad / z if need_x else None), (-grad * x / (z * z) if need_z else None)


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """y = x ** p;  dy/dx = p x^(p-1),  dy/dp = x^p ln x (for x > 0)."""

    @staticmethod
    def forward(ctx, x, p):
        y = np.power(x, p) if not _negative_integer_powers(x, p) else integer_power(x, p)
        ctx.save_for_backward(x, p, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, p, y = ctx.saved_tensors
        need_x, need_p = ctx.needs_input_grad
        gx = gp = None
        # NOTE: at x = 0 the rules below meet 0·inf; PyTorch's values are used there:
        # d(x⁰)/dx = 0, and d(xᵖ)/dp = 0 for p >= 0 (xᵖ is constant 0 or 1 in p there).
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_x:
                gx = grad * p * np.power(x, p - 1)
                if np.any(p == 0):
                    gx = np.where(p == 0, 0, gx)
            if need_p:
                gp = grad * np.where((x == 0) & (p >= 0), 0, y * np.log(x))
        return gx, gp


def _negative_integer_powers(x, p) -> bool:
    """Whether integer ``x`` meets a negative integer exponent in ``p``, which np.power
    refuses."""
    return np.asarray(x).dtype.kind in "iu" and np.asarray(p).dtype.kind == "i" and \
        bool(np.any(np.asarray(p) < 0))


def integer_power(x, p) -> np.ndarray:
    """x ** p for integers, as PyTorch computes it when p < 0: 1/xᵏ truncated to an
    integer, which is x⁻ᵏ for x = ±1 and 0 for any other x (0 too)."""
    y = np.power(x, np.abs(p))
    ones = np.abs(x) == 1  # 1/(±1)ᵏ = (±1)ᵏ
    return np.where(np.asarray(p) >= 0, y, np.where(ones, y, 0)).astype(y.dtype, copy=False)


class Remainder(Function):
    """y = x mod z with the sign of z (Python's ``%``): y = x - z⌊x/z⌋;
    dy/dx = 1, dy/dz = -⌊x/z⌋ (as PyTorch; the jumps, where x/z is whole, are ignored)."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        with np.errstate(divide="ignore", invalid="ignore"):  # z = 0: nan, as PyTorch
            return np.remainder(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        need_x, need_z = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            gz = -grad * np.floor_divide(x, z) if need_z else None
        return (grad if need_x else None), gz


class Fmod(Function):
    """y = x mod z with the sign of x (C's ``fmod``): y = x - z·trunc(x/z);
    dy/dx = 1, dy/dz = -trunc(x/z) (as PyTorch)."""

    @staticmethod
    def forward(ctx, x, z):
        ctx.save_for_backward(x, z)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(x, z)

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        need_x, need_z = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            gz = -grad * np.trunc(x / z) if need_z else None
        return (grad if need_x else None), gz


class Lerp(Function):
    """y = x + w (e - x), computed as PyTorch does: x + w·(e - x) where |w| < 0.5, else
    e - (e - x)(1 - w), each form exact at its own end;  dy/dx = 1 - w, dy/de = w,
    dy/dw = e - x (as its own op: the two forms' gradients, joined by a where, would
    meet an infinite e - x with the unused form's zero and make NaN)."""

    @staticmethod
    def forward(ctx, x, e, w):
        _, _, need_w = ctx.needs_input_grad
        ctx.save_for_backward(w, x if need_w else None, e if need_w else None)
        diff = e - x
        with np.errstate(invalid="ignore"):  # the form not taken may be inf·0
            return np.where(np.abs(w) < 0.5, x + w * diff, e - diff * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        w, x, e = ctx.saved_tensors
        need_x, need_e, need_w = ctx.needs_input_grad
        return (grad * (1 - w) if need_x else None, grad * w if need_e else None,
                grad * (e - x) if need_w else None)


class MatMul(Function):
    """y = x @ z (numpy's matmul rules);  dL/dx = g @ zᵀ, dL/dz = xᵀ @ g.

    A 1-D operand is treated as a row (x) or column (z) vector, as numpy does, and the
    inserted axis is removed again from its gradient.
    """

    @staticmethod
    def forward(ctx, x, z):
        need_x, need_z = ctx.needs_input_grad  # (each gradient reads the other operand)
        ctx.save_for_backward(x if need_z else None, z if need_x else None)
        ctx.ndims = (np.ndim(x), np.ndim(z))
        try:
            return x @ z
        except ValueError:  # numpy's message names a gufunc signature, not the shapes
            raise ValueError(f"matmul: the operands' shapes {x.shape} and {z.shape} do not "
                             f"fit (the first's last dimension must equal the second's "
                             f"{'only dimension' if z.ndim == 1 else 'second-to-last one'})"
                             ) from None

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.saved_tensors
        x_ndim, z_ndim = ctx.ndims
        g2 = grad  # re-insert the axes numpy dropped: z's last, then x's (vector·vector: 0-d)
        if z_ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if x_ndim == 1:
            g2 = np.expand_dims(g2, -2)
        need_x, need_z = ctx.needs_input_grad
        gx = gz = None
        if need_x:
            z2 = z[:, None] if z_ndim == 1 else z
            gx = g2 @ np.swapaxes(z2, -1, -2)
            if x_ndim == 1:
                gx = gx.squeeze(-2)
        if need_z:
            x2 = x[None, :] if x_ndim == 1 else x
            gz = np.swapaxes(x2, -1, -2) @ g2
            if z_ndim == 1:
                gz = gz.squeeze(-1)
        return gx, gz
