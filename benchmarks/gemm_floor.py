"""Whose matrix products are faster: numpy's BLAS or PyTorch's? Every tinynet step runs
the matrix products of the hand-written numpy step (benchmarks/step.py's "matmuls only"),
through numpy, so no tinynet step can be faster than they are. This times them beside
the same products through PyTorch, and PyTorch's whole eager SGD step, on each config of
benchmarks/step.py (float32, one BLAS and PyTorch thread by default).

    python benchmarks/gemm_floor.py --write-results   # docs/results/gemm_floor.json

Where PyTorch's whole step takes less than numpy's products alone, "faster than PyTorch
eager" is out of reach of any step that computes with numpy. Rows run in groups of
``--steps`` calls, interleaved over ``--rounds`` rounds; each ratio is taken round by
round (a row's median over numpy's products' median in the same round), then its median
and IQR over rounds. Needs torch.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from step import (CONFIGS, LR, blas_info, config_data, quartiles,  # noqa: E402
                  tinynet_model, torch_step)
from numpy_step import matrix_products  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import recording, save  # noqa: E402

import tinynet as tn  # noqa: E402

ROWS = ("numpy matmuls", "pytorch matmuls", "pytorch sgd step")


def config_rows(name: str, threads: int) -> tuple:
    """The three rows' functions of one batch (x, y) and each row's batches."""
    import torch

    widths, activation, layernorm, batch = CONFIGS[name]
    x_all, y_all = config_data(name, np.float32)
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, np.float32)
    weights = [m.weight.array for m in model.children() if isinstance(m, tn.nn.Linear)]
    torch_weights = [torch.from_numpy(W.copy()) for W in weights]
    step, to_torch = torch_step(widths, activation, layernorm, model, np.float32, threads,
                                "sgd")
    numpy_batches = [(x_all[i:i + batch], y_all[i:i + batch])
                     for i in range(0, len(x_all), batch)]
    torch_batches = [to_torch(x, y) for x, y in numpy_batches]
    rows = {"numpy matmuls": (lambda x, y: matrix_products(weights, x), numpy_batches),
            "pytorch matmuls": (lambda x, y: matrix_products(torch_weights, x),
                                torch_batches),
            "pytorch sgd step": (step, torch_batches)}
    return rows


def time_row(fn, batches, steps: int) -> float:
    """The median seconds of ``steps`` calls, after two warm-up calls."""
    for i in range(2):
        fn(*batches[i % len(batches)])
    times = []
    for i in range(steps):
        start = time.perf_counter()
        fn(*batches[i % len(batches)])
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def measure_config(name: str, args) -> dict:
    rows = config_rows(name, args.threads)
    rounds = []
    for r in range(args.rounds):
        order = ROWS[r % len(ROWS):] + ROWS[:r % len(ROWS)]  # no row always first
        rounds.append({row: time_row(*rows[row], args.steps) for row in order})
    return {row.replace(" ", "_"): {
        "median_us": float(np.median([t[row] for t in rounds])) * 1e6,
        "ratio_to_numpy_matmuls": quartiles([t[row] / t["numpy matmuls"] for t in rounds])}
        for row in ROWS}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and PyTorch threads (default 1, as the targets)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=15, help="timed calls per group")
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/gemm_floor.json")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    from threadpoolctl import threadpool_limits

    names = list(CONFIGS) if args.config == "all" else [args.config]
    with threadpool_limits(args.threads), recording() as printed:
        print(f"# numpy's matrix products against PyTorch's (float32, {args.threads} "
              f"thread{'s' * (args.threads > 1)})\n")
        print(f"- BLAS: {blas_info()}\n")
        print("Median µs per call; × numpy matmuls: paired by round, median (IQR).\n")
        print("| config | row | µs | × numpy matmuls (IQR) |")
        print("|---|---|---|---|")
        results = {}
        for name in names:
            results[name] = measure_config(name, args)
            for row in ROWS:
                r = results[name][row.replace(" ", "_")]
                q = r["ratio_to_numpy_matmuls"]
                print(f"| {name} | {row} | {r['median_us']:.0f} | {q['median']:.3f} "
                      f"({q['q1']:.3f}-{q['q3']:.3f}) |")
    if args.write_results and args.config == "all":
        save("gemm_floor", {"threads": args.threads, "rounds": args.rounds,
                            "steps": args.steps, "dtype": "float32", "lr": LR["sgd"]},
             results, printed.text())


if __name__ == "__main__":
    main()
