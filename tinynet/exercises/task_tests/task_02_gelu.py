"""Task 2: GELU, exact and tanh forms (tasks/02_gelu.md)."""
import math

import numpy as np
from scipy.special import erf

from tinynet import ops
from tinynet.exercises.task_tests._support import expect, expect_close, run_op

X = np.array([-12.0, -4.0, -1.5, -0.5, 0.0, 0.3, 1.0, 1.4, 3.0, 12.0])
G = np.linspace(1.0, -1.0, len(X))
KAPPA, C = 0.044715, math.sqrt(2 / math.pi)


def test_exact_gelu():
    cdf = 0.5 * (1 + erf(X / math.sqrt(2)))
    pdf = np.exp(-X * X / 2) / math.sqrt(2 * math.pi)
    y, (gx,) = run_op(ops.GELU, X, grad=G)
    expect_close(y, X * cdf, "GELU.forward(x)", "x·Φ(x), Φ = scipy.special.ndtr")
    expect_close(ops.GELU.derivative_from(X, cdf), cdf + X * pdf, "GELU.derivative_from(x, Φ(x))",
                 "Φ(x) + x·φ(x), φ(x) = e^(-x²/2)/√(2π)")
    expect_close(gx, G * (cdf + X * pdf), "GELU's dL/dx", "forward saves (x, Φ(x))")


def test_tanh_gelu():
    t = np.tanh(C * (X + KAPPA * X ** 3))
    d = 0.5 * (1 + t) + 0.5 * X * (1 - t * t) * C * (1 + 3 * KAPPA * X * X)
    y, (gx,) = run_op(ops.GELUTanh, X, grad=G)
    expect_close(y, 0.5 * X * (1 + t), "GELUTanh.forward(x)", "½x(1 + tanh u)")
    expect_close(ops.GELUTanh.tanh_u(np.clip(X, -10, 10)), t, "GELUTanh.tanh_u(x)",
                 "u = √(2/π)(x + 0.044715x³)")
    expect_close(gx, G * d, "GELUTanh's dL/dx",
                 "½(1 + t) + ½x(1 - t²)·√(2/π)(1 + 3·0.044715x²); forward saves (x, t)")


def test_both_forms_are_finite_for_huge_inputs():
    big = np.array([-1e30, 1e30], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise"):
        try:
            outputs = [run_op(op, big) for op in (ops.GELU, ops.GELUTanh)]
        except FloatingPointError as error:
            raise AssertionError(f"GELU at ±1e30 (float32) raised {error}. Hint: clip x "
                                 f"before squaring or cubing it") from None
    for (y, (gx,)), name in zip(outputs, ("GELU", "GELUTanh")):
        expect(np.isfinite(y).all() and np.isfinite(gx).all(),
               f"{name} at ±1e30 must be finite, got {y} and gradient {gx}")
