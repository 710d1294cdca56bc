"""The shape of each activation, computed: mean output, zero gradients, GELU's minimum.

For a standard normal input z ~ N(0, 1) (what a unit sees when its input is
standardised), this integrates, with tinynet's own float64 forward and backward:

  * the mean and standard deviation of f(z): how far from zero-centred f is;
  * the share of inputs where f'(z) is exactly 0 (no gradient at all) and where it is
    below 5.9% of f's peak derivative (the Monitor's "saturated": |tanh z| > 0.97 for
    tanh);

and finds GELU's minimum (value and place) on a fine grid, with GELU at z = -0.17 for
comparison, and the band of z where GELU's derivative is below 5.9% of its peak.

    python examples/activation_shapes.py                   # ~2 s
    python examples/activation_shapes.py --write-results   # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/activation_shapes.py
"""
import math

import numpy as np
from _results import FAST, recording, save  # examples/_results.py

import tinynet as tn
from tinynet.diagnostics import monitor
from tinynet.models import make_activation

ACTIVATIONS = ["relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "sigmoid", "tanh"]
POINTS = 200_001 if FAST else 2_400_001  # grid on [-12, 12]: N(0, 1) has ~1e-33 beyond
SATURATED = monitor.SATURATED  # the Monitor's threshold: 1 - 0.97² of the peak derivative


def forward_backward(name: str, z: np.ndarray) -> tuple:
    """f(z) and f'(z) from tinynet's op, in float64."""
    x = tn.tensor(z, dtype=tn.float64, requires_grad=True)
    y = make_activation(name)(x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def float32_limits() -> dict:
    """Where each smooth activation's float32 derivative is exactly 0 (no gradient at all),
    where it is below 5.9% of its peak (float64), and its peak, on a grid of step 0.01."""
    z = np.linspace(-120, 120, 24_001)
    print("\nper activation: f' == 0 exactly in float32, |f'| < 5.9% of the peak (float64), "
          "the peak f'")
    limits = {}
    for name in ("sigmoid", "tanh", "elu", "gelu", "gelu_tanh"):
        x = tn.tensor(z, dtype=tn.float32, requires_grad=True)
        make_activation(name)(x).sum().backward()
        zero = x.grad.numpy() == 0
        _, d = forward_backward(name, z)
        peak = int(np.argmax(d))
        flat = np.abs(d) < SATURATED * d[peak]
        row = {"peak": float(d[peak]), "peak_at": round(float(z[peak]), 2)}
        for key, mask in (("zero", zero), ("flat", flat)):
            # the outer runs' inner ends: f' is 0 (or flat) for all z <= below, z >= above
            below, above = np.argmin(mask) - 1, len(z) - np.argmin(mask[::-1])
            row[f"{key}_below"] = round(float(z[below]), 2) if mask[0] else None
            row[f"{key}_above"] = round(float(z[above]), 2) if mask[-1] else None
        limits[name] = row
        def where(key, row=row):
            return " or ".join(f"z {sign} {row[f'{key}_{side}']:g}" for side, sign in
                               (("below", "<="), ("above", ">=")) if row[f"{key}_{side}"])
        print(f"  {name:<10} f' = 0 for {where('zero')}; flat for {where('flat')}; "
              f"peak {row['peak']:.4f} at z = {row['peak_at']:.2f}")
    return limits


def main() -> None:
    z = np.linspace(-12, 12, POINTS)
    weight = np.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])  # N(0, 1) mass
    weight /= weight.sum()
    results = {"on_normal": {}}
    with recording() as printed:
        print(f"z ~ N(0, 1), integrated on {POINTS:,} points in [-12, 12], float64")
        print(f"{'activation':<11} {'mean f':>7} {'std f':>6} {'mean/std':>8} "
              + "   f'=0  |f'|<5.9% pk")
        for name in ACTIVATIONS:
            y, d = forward_backward(name, z)
            mean = float(weight @ y)
            std = math.sqrt(float(weight @ (y - mean) ** 2))
            peak = float(np.abs(d).max())
            row = {"mean": mean, "std": std, "mean_over_std": mean / std,
                   "zero_derivative": float(weight @ (d == 0)),
                   "saturated": float(weight @ (np.abs(d) < SATURATED * peak)),
                   "peak_derivative": peak}
            results["on_normal"][name] = row
            print(f"{name:<11} {mean:>7.3f} {std:>6.3f} {mean / std:>8.3f} "
                  f"{row['zero_derivative']:>7.1%} {row['saturated']:>12.1%}")

        y, d = forward_backward("gelu", z)
        i = int(np.argmin(y))
        flat = np.abs(d) < SATURATED * np.abs(d).max()
        # the runs of flat points: the left tail, and the band around GELU's minimum
        # (where f' crosses zero)
        edges = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
        runs = [r for r in np.split(np.arange(len(z)), edges) if flat[r[0]]]
        band = next(r for r in runs if r[0] <= i <= r[-1])
        at_017 = float(forward_backward("gelu", np.array([-0.17]))[0][0])
        results["gelu"] = {"min_value": float(y[i]), "argmin": float(z[i]),
                           "value_at_-0.17": at_017,
                           "flat_band": [float(z[band[0]]), float(z[band[-1]])],
                           "tail_below": float(z[runs[0][-1]]),
                           "derivative_min": float(d.min()), "derivative_argmin": float(
                               z[int(np.argmin(d))])}
        g = results["gelu"]
        print(f"\nGELU's minimum: {g['min_value']:.4f} at z = {g['argmin']:.4f} "
              f"(grid step {z[1] - z[0]:.0e}); GELU(-0.17) = {at_017:.4f}")
        print(f"GELU's derivative is below 5.9% of its peak for z < {g['tail_below']:.2f} and "
              f"for {g['flat_band'][0]:.3f} < z < {g['flat_band'][1]:.3f}; its lowest value "
              f"is {g['derivative_min']:.4f} at z = {g['derivative_argmin']:.4f}")
        results["float32"] = float32_limits()
        results["gelu_tanh_max_diff"] = float(np.abs(
            forward_backward("gelu", z)[0] - forward_backward("gelu_tanh", z)[0]).max())
        print(f"\nthe exact and tanh forms of GELU differ by at most "
              f"{results['gelu_tanh_max_diff']:.1e}")
    save("activation_shapes", {"grid": [-12, 12, POINTS], "dtype": "float64",
                               "saturated_threshold": SATURATED}, results, printed.text())


if __name__ == "__main__":
    main()
