"""What each activation costs: microseconds per forward and per backward pass.

Every activation in tinynet is one fused graph node (see ``tinynet/ops/activation.py``).
This times each one on the same float32 tensor, recording the graph as in training:
forward = ``y = act(x)``, backward = ``y.backward(g)`` (the engine's walk included). Each
number is the median of many repeats, after a warm-up, with freed memory kept in the
process (``tn.tune_allocator()``). A ``Linear`` layer and a ``LayerNorm`` of the same
width are timed as yardsticks.

Timings on a shared machine vary between runs (by a third, or more when other
processes are busy); the ranking is what to read.

    python examples/activation_cost.py                          # ~5 s
    python examples/activation_cost.py --write-results          # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/activation_cost.py   # ~1 s
"""
import time

import numpy as np
from _results import FAST, recording, save  # examples/_results.py

import tinynet as tn
from tinynet.models import make_activation

N, D = 1024, 256  # a batch of 1024 samples, 256 units: 262,144 float32 values
ROUNDS, BLOCK = (1, 7) if FAST else (5, 21)  # median over ROUNDS x BLOCK timings
ACTIVATIONS = ["relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "sigmoid", "tanh"]


def time_once(module, x: tn.Tensor, g: tn.Tensor) -> tuple:
    """Seconds of one forward and one backward pass of ``module`` on ``x``."""
    start = time.perf_counter()
    y = module(x)
    middle = time.perf_counter()
    y.backward(g)
    end = time.perf_counter()
    x.grad = None
    for p in module.parameters():
        p.grad = None
    return middle - start, end - middle


def main() -> None:
    # keep freed memory for the next call, as the benchmarks do (docs/performance.md):
    # without it glibc may hand each 1 MB temporary back to the kernel and page-fault it
    # in again, a cost that comes and goes with the order of earlier frees
    tn.tune_allocator()
    with recording() as printed:
        results = measure()
    save("activation_cost", {"shape": [N, D], "dtype": "float32", "repeats": ROUNDS * BLOCK,
                             "statistic": "median", "seed": 0}, results, printed.text())


def measure() -> dict:
    tn.manual_seed(0)
    x = tn.randn(N, D, requires_grad=True)  # unit Gaussian inputs, float32
    g = tn.randn(N, D)  # the incoming gradient dL/dy
    print(f"input ({N}, {D}) float32, median of {ROUNDS * BLOCK} repeats, numpy {np.__version__}")
    print(f"{'layer':<12} {'forward µs':>11} {'backward µs':>12} {'total µs':>9} "
          f"{'ns/value':>9} {'vs relu':>8}")
    rows = [(name, make_activation(name)) for name in ACTIVATIONS]
    rows += [("Linear", tn.nn.Linear(D, D)), ("LayerNorm", tn.nn.LayerNorm(D))]
    # Each round times every layer BLOCK times in a row (the steady state of a training
    # loop); several rounds spread each layer over time, so a busy moment on a shared
    # machine does not fall on one layer only.
    times = {name: [] for name, _ in rows}
    for _ in range(ROUNDS):
        for name, module in rows:
            for _ in range(2):  # warm-up
                time_once(module, x, g)
            times[name] += [time_once(module, x, g) for _ in range(BLOCK)]
    relu_total, results = None, {}
    for name, _ in rows:
        fwd, bwd = np.median(times[name], axis=0)
        total = fwd + bwd
        relu_total = relu_total or total
        results[name] = {"forward_us": fwd * 1e6, "backward_us": bwd * 1e6,
                         "total_us": total * 1e6, "ns_per_value": total * 1e9 / (N * D),
                         "vs_relu": total / relu_total}
        print(f"{name:<12} {fwd * 1e6:>11.0f} {bwd * 1e6:>12.0f} {total * 1e6:>9.0f} "
              f"{total * 1e9 / (N * D):>9.2f} {total / relu_total:>7.1f}x")
    print(f"\n(Linear is {D} -> {D}: a ({N}, {D}) @ ({D}, {D}) matmul forward, two backward.)")
    return results


if __name__ == "__main__":
    main()
