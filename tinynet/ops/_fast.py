"""Fast paths of the hot ops: the reference ops' arithmetic, in the same order, with
fewer temporaries and cheaper numpy calls. Each class subclasses its reference op and
runs in its place while ``tn.set_fast_paths`` is on (the default); tests/test_fast_paths.py
checks that both give the same values and gradients bit for bit, and docs/performance.md
measures what each buys. Read the reference ops first: this file only makes them faster.
"""
import math

import numpy as np

from tinynet.fastpath import register
from tinynet.ops import activation as reference
from tinynet.ops import layer_norm, linear

try:  # numpy's floating-point error settings: a context variable (numpy >= 2)
    from numpy._core._ufunc_config import _extobj_contextvar as _ERROR_SETTINGS
except ImportError:  # pragma: no cover  (another numpy: np.errstate below)
    _ERROR_SETTINGS = None
_for_attempts = (None, None)  # (a caller's settings, the attempts' settings made for them)


def _underflow() -> str:
    """An attempt's underflow setting: ignored when the caller ignores underflows
    (numpy's default): the same values either way, and nothing to report."""
    return "ignore" if np.geterr()["under"] == "ignore" else "raise"


def _attempt_settings():
    """Every error raising, save an underflow the caller ignores. NOTE: np.errstate builds
    numpy's settings object on every entry, as costly as a pass over a small layer's
    activations (docs/performance.md); these are built once for the caller's settings
    (the last ones seen, kept here) and set through numpy's context variable, which is
    private to numpy (without it, np.errstate)."""
    global _for_attempts
    callers = _ERROR_SETTINGS.get()
    seen, ours = _for_attempts
    if callers is not seen:
        with np.errstate(all="raise", under=_underflow()):
            ours = _ERROR_SETTINGS.get()
        _for_attempts = (callers, ours)
    return ours


def attempt(function, *args):
    """``function(*args)`` with numpy's floating-point errors raising, or None if one
    did: then nothing was reported, and the caller can run the reference, which reports
    what it reports under the caller's own settings."""
    if _ERROR_SETTINGS is None:  # pragma: no cover
        with np.errstate(all="raise", under=_underflow()):
            try:
                return function(*args)
            except FloatingPointError:
                return None
    token = _ERROR_SETTINGS.set(_attempt_settings())
    try:
        return function(*args)
    except FloatingPointError:
        return None
    finally:
        _ERROR_SETTINGS.reset(token)


def _is_float_array(x) -> bool:
    return type(x) is np.ndarray and x.dtype.kind == "f"


def _squared(x: np.ndarray) -> np.ndarray:
    """x·x in a fresh array, for a float array x (0-d too: numpy returns a scalar then).
    NOTE: cheaper than np.multiply(x, x, out=np.empty_like(x)), the same values."""
    y = x * x
    return y if type(y) is np.ndarray else np.asarray(y)


def _float_array_like(x) -> np.ndarray:
    """An empty array of x's shape and floating dtype (float64 for integers and Python
    numbers): a real array even for 0-d input, which ``out=`` needs."""
    if type(x) is np.ndarray and x.dtype.kind == "f":  # the usual case, at half the cost
        return np.empty_like(x)
    return np.empty(np.shape(x), np.result_type(x, 1.0))


class ReLU(reference.ReLU):
    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return _selected(grad, y != 0)  # not y <= 0, as the reference: y = max(x, 0) >= 0

    @staticmethod
    def derivative(x, y):
        # the reference's np.where(y <= 0, 0, 1) for y = max(x, 0), without np.where's
        # int64 array (the Monitor reads it on the steps it observes)
        return (y != 0).astype(y.dtype)

    @staticmethod
    def saved_derivative(ctx):
        return ReLU.derivative(None, ctx.saved_tensors[0])


def _selected(grad, keep: np.ndarray):
    """``np.where(keep, grad, 0)``, bit for bit. NOTE: np.where on a mask that changes at
    random mispredicts its branches (see the NOTE above LeakyReLU); this multiplies grad's
    bits, read as integers, by the 0/1 mask: the bits themselves, or all zeros (+0.0),
    whatever grad holds (inf, nan), with no branch."""
    if type(grad) is not np.ndarray or grad.dtype.kind != "f" or grad.shape != keep.shape:
        return np.where(keep, grad, 0)
    return np.multiply(grad.view(f"i{grad.dtype.itemsize}"), keep).view(grad.dtype)


# NOTE: np.where on a mask that changes sign at random is slow (branch mispredictions).
# For 0 <= slope, α <= 1, LeakyReLU and ELU are the maxima of their two branches, and
# their derivatives the maxima of a 0/1 mask and the x <= 0 branch: the same values as
# np.where's, since a maximum returns one of its operands. Other parameters use np.where.
class LeakyReLU(reference.LeakyReLU):
    @staticmethod
    def forward(ctx, x, negative_slope):
        # (a slope of 0 goes to the reference: inf·0 is NaN, and max(inf, NaN) NaN)
        if not 0 < negative_slope <= 1:
            return reference.LeakyReLU.forward(ctx, x, negative_slope)
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.maximum(x, x * negative_slope)

    @staticmethod
    def derivative(x, y, negative_slope=0.01):
        if not 0 <= negative_slope <= 1:
            return reference.LeakyReLU.derivative(x, y, negative_slope)
        d = np.greater(x, 0, out=_float_array_like(x))
        return np.maximum(d, negative_slope, out=d)

    @staticmethod
    def saved_derivative(ctx):
        return LeakyReLU.derivative(ctx.saved_tensors[0], None, ctx.negative_slope)

    @staticmethod
    def backward(ctx, grad):
        d = LeakyReLU.saved_derivative(ctx)
        d *= grad
        return d, None


class ELU(reference.ELU):
    @staticmethod
    def forward(ctx, x, alpha):
        if not 0 <= alpha <= 1:
            return reference.ELU.forward(ctx, x, alpha)
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        negative = np.minimum(x, 0, out=_float_array_like(x))
        np.expm1(negative, out=negative)
        negative *= alpha
        return np.maximum(negative, x, out=negative)  # α(eˣ - 1) >= x for x <= 0

    @staticmethod
    def derivative(x, y, alpha=1.0):
        if not 0 <= alpha <= 1:
            return reference.ELU.derivative(x, y, alpha)
        negative = np.minimum(x, 0, out=_float_array_like(x))
        np.exp(negative, out=negative)
        negative *= alpha
        # fmax: 1 where x is nan (the reference's 1, as x <= 0 fails), not max's nan
        return np.fmax(negative, ~np.less_equal(x, 0), out=negative).astype(x.dtype, copy=False)

    @staticmethod
    def saved_derivative(ctx):
        return ELU.derivative(ctx.saved_tensors[0], None, ctx.alpha)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: its own, as LeakyReLU's: the reference's backward calls the reference's
        # derivative by name (np.where, slow on a random mask: see the NOTE above LeakyReLU)
        d = ELU.saved_derivative(ctx)
        d *= grad
        return d, None


# NOTE: GELU's derivative is several passes over the activation. The Monitor reads it on
# the steps it observes (``saved_derivative``), and backward needs the same array: kept on
# the context with the input it was computed from, backward takes it instead of
# computing it again. A replay reuses the context, but its forward saves a new input
# array, so a derivative kept from an earlier call (whose loss was never backpropagated)
# is never taken.
def kept_derivative(ctx, derivative_from):
    """f' from what forward saved, kept on ``ctx`` for backward (callers must not change
    it)."""
    d = _kept(ctx)
    if d is None:
        d = derivative_from(*ctx.saved_tensors)
        ctx.kept_derivative = (ctx.saved_tensors[0], d)
    return d


def reused_derivative(ctx, derivative_from):
    """f' for backward to overwrite: the one kept by ``kept_derivative`` for this call's
    input (then no longer kept), else a new one."""
    d = _kept(ctx)
    if d is None:
        return derivative_from(*ctx.saved_tensors)
    ctx.kept_derivative = None
    return d


def _kept(ctx):
    """The f' kept on ``ctx`` for the input it saved now, or None."""
    kept = getattr(ctx, "kept_derivative", None)
    return kept[1] if kept is not None and kept[0] is ctx.saved_tensors[0] else None


class GELU(reference.GELU):
    @staticmethod
    def derivative(x, y):
        return GELU.derivative_from(x, reference.normal_cdf(x))

    @staticmethod
    def derivative_from(x, cdf):
        d = np.clip(x, -reference._PDF_ZERO_BEYOND, reference._PDF_ZERO_BEYOND,
                    out=_float_array_like(x))
        d *= d
        d *= -0.5
        np.exp(d, out=d)
        d *= x
        d *= reference._INV_SQRT_2PI
        d += cdf
        return d

    @staticmethod
    def saved_derivative(ctx):
        return kept_derivative(ctx, GELU.derivative_from)

    @staticmethod
    def backward(ctx, grad):
        d = reused_derivative(ctx, GELU.derivative_from)
        d *= grad
        return d


class GELUTanh(reference.GELUTanh):
    # NOTE: the reference clips x to ±10 before the cubic, a pass and an array. Unclipped,
    # tanh u is the same ±1 beyond 10 and every value is the same, unless a product
    # overflows (x³ past 7e12 in float32, 5e102 in float64) or, in the derivative, x is
    # infinite (0·inf). numpy signals both, so each runs as an ``attempt`` and falls back
    # to the reference when numpy raises (an underflow too, unless the caller ignores it:
    # then the reference reports it).
    @staticmethod
    def forward(ctx, x):
        t = attempt(GELUTanh.tanh_u, x) if _is_float_array(x) else None
        if t is None:
            return reference.GELUTanh.forward(ctx, x)
        ctx.save_for_backward(x, t)
        y = t + 1.0
        y *= 0.5
        y *= x
        return y

    @staticmethod
    def tanh_u(x):
        """tanh u, u = √(2/π)(x + κx³), in one fresh array (x: a float array)."""
        u = _squared(x)
        u *= x
        u *= reference._GELU_KAPPA
        u += x
        u *= reference._SQRT_2_OVER_PI
        return np.tanh(u, out=u)

    @staticmethod
    def derivative_from(x, t):
        d = attempt(GELUTanh.derivative_at, x, t) if _is_float_array(x) else None
        return reference.GELUTanh.derivative_from(x, t) if d is None else d

    @staticmethod
    def derivative_at(x, t):
        """The derivative's formula at x as it is (unclipped), given t = tanh u (x: a
        float array)."""
        du = _squared(x)
        du *= 3 * reference._GELU_KAPPA * reference._SQRT_2_OVER_PI
        du += reference._SQRT_2_OVER_PI
        d = _squared(t)
        np.subtract(1.0, d, out=d)
        d *= x
        d *= du
        d += t
        d += 1.0
        d *= 0.5
        return d

    @staticmethod
    def saved_derivative(ctx):
        return kept_derivative(ctx, GELUTanh.derivative_from)

    @staticmethod
    def backward(ctx, grad):
        d = reused_derivative(ctx, GELUTanh.derivative_from)
        d *= grad
        return d


class LayerNorm(layer_norm.LayerNorm):
    # NOTE: the reference's arithmetic built in place: x - μ becomes x̂, and backward
    # writes dL/dx into the one fresh array it needs. Rows whose sums overflow (which the
    # reference redoes), inf, a zero variance with eps = 0: numpy signals each, so the
    # forward runs as an ``attempt`` and is the reference's when numpy raises. A replay
    # may name where the gradients of w and b go, as for Linear.
    into = (None,) * 5

    @staticmethod
    def destinations(x, w, b, n_dims, eps) -> tuple:
        """The arguments whose gradients ``ctx.into`` may name: w and b, when they have
        the normalised shape (a broadcast one needs its gradient summed down)."""
        normalised = x.shape[x.ndim - n_dims:]
        if not normalised:  # over no axes (a 0-d x too): the reference's backward runs
            return ()
        return tuple(k for k, a in ((1, w), (2, b)) if a is not None and a.shape == normalised)

    @staticmethod
    def forward(ctx, x, w, b, n_dims, eps):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        n = math.prod(x.shape[x.ndim - n_dims:])
        # (no axes to normalise over, as for a 0-d x: numpy's sums are then scalars,
        # which the in-place steps cannot write into; the reference handles them)
        normalised = attempt(LayerNorm.normalised, x, axes, n, eps) \
            if _is_float_array(x) and axes else None
        if normalised is None:
            return layer_norm.LayerNorm.forward(ctx, x, w, b, n_dims, eps)
        x_hat, rstd = normalised
        ctx.save_for_backward(x_hat, rstd, w)
        ctx.axes, ctx.n = axes, n
        if w is None:
            return x_hat + b if b is not None else x_hat.copy()
        y = x_hat * w
        if b is not None:
            y += b
        return y

    @staticmethod
    def normalised(x, axes, n, eps):
        """x̂ = (x - μ)·r and r = 1/√(σ² + ε), the reference's values (x: a float
        array)."""
        mean = np.add.reduce(x, axis=axes, keepdims=True)
        mean /= n
        x_hat = x - mean
        rstd = np.add.reduce(np.square(x_hat), axis=axes, keepdims=True)
        rstd /= n
        rstd += eps
        np.sqrt(rstd, out=rstd)
        np.divide(1.0, rstd, out=rstd)
        x_hat *= rstd
        return x_hat, rstd

    @staticmethod
    def backward(ctx, grad):
        x_hat, rstd, w = ctx.saved_tensors
        axes, n = ctx.axes, ctx.n
        if not axes:  # (see forward)
            return layer_norm.LayerNorm.backward(ctx, grad)
        lead = tuple(range(x_hat.ndim - len(axes)))
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if need_x:
            g_hat = grad * w if w is not None else grad
            mean_g = np.add.reduce(g_hat, axis=axes, keepdims=True)
            mean_g /= n
            g_x_hat = g_hat * x_hat
            mean_gx = np.add.reduce(g_x_hat, axis=axes, keepdims=True)
            mean_gx /= n
            gx = np.subtract(g_hat, mean_g, out=g_hat if w is not None else None)
            gx -= np.multiply(x_hat, mean_gx, out=g_x_hat)
            gx *= rstd
        _, into_w, into_b, _, _ = ctx.into
        if need_w:
            gw = np.add.reduce(grad * x_hat, axis=lead, out=into_w)
        if need_b:
            gb = np.add.reduce(grad, axis=lead, out=into_b)
        return gx, gw, gb, None, None


class Linear(linear.Linear):
    # NOTE: a replayed call (``tn.capture``) may name where the gradients of W and b go:
    # ``ctx.into``, one entry per argument, views of its flat buffer of the parameters'
    # gradients (autograd/grad_buffer.py), which the optimizer then reads without
    # gathering them. numpy computes into them exactly as into fresh arrays.
    into = (None, None, None)

    @staticmethod
    def destinations(x, W, b) -> tuple:
        """The arguments whose gradients ``ctx.into`` may name: W, and b when it has one
        entry per output feature (a bias of shape () or (1,) is broadcast, and its
        gradient summed down)."""
        return (1,) * (W.ndim == 2) + (2,) * (b is not None and b.shape == W.shape[:1])

    @staticmethod
    def backward(ctx, grad):
        x, W = ctx.saved_tensors
        need_x, need_W, need_b = ctx.needs_input_grad
        _, into_W, into_b = ctx.into
        gx = grad @ W if need_x else None
        if grad.ndim != 2:
            grad = grad.reshape(-1, grad.shape[-1])
            x = x.reshape(-1, x.shape[-1]) if need_W else None
        gW = np.matmul(grad.T, x, out=into_W) if need_W else None
        gb = np.add.reduce(grad, axis=0, out=into_b) if need_b else None
        return gx, gW, gb


for _fast in (ReLU, LeakyReLU, ELU, GELU, GELUTanh, LayerNorm, Linear):
    register(_fast.__mro__[1], _fast)
