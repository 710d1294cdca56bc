"""The step benchmark's target rows over several runs: how far one run's ratios are from
the next's.

    python benchmarks/step_runs.py --write-results   # 5 runs; docs/results/step_runs.json
    python benchmarks/step_runs.py --runs 3 --config digits

Each run is a fresh process of ``benchmarks/step.py`` (one BLAS thread unless
``--threads`` says otherwise, no Monitor rows), one after another, never side by side.
For every config and optimizer it collects, run by run, the paired ratios the targets
are stated in: eager and captured tinynet over the hand-written numpy step, and each
over PyTorch eager (when torch is importable). A single run's ratio moves with the
machine's load; this table says how many runs met a target, and by how much the others
missed it (ratios to four decimals: a run at 1.1002 did not meet 1.10).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import recording, save  # noqa: E402

STEP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "step.py")
TARGETS = {"toy": 1.5, "digits": 1.10, "wide": 1.03}  # at most this × the numpy step
# (key in a run's results, what the table calls it)
RATIOS = [("eager", "eager ÷ numpy"), ("capture", "captured ÷ numpy"),
          ("eager_over_pytorch", "eager ÷ PyTorch"),
          ("capture_over_pytorch", "captured ÷ PyTorch")]


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (1)")
    parser.add_argument("--config", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--rounds", type=int, default=10, help="rounds per run (10)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per group (20)")
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/step_runs.json")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    return args


def one_run(args) -> dict:
    """One fresh process of step.py; its results."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.json")
        command = [sys.executable, STEP, "--threads", str(args.threads), "--no-monitor",
                   "--config", args.config, "--rounds", str(args.rounds),
                   "--steps", str(args.steps), "--json", path]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"step.py failed (exit {done.returncode}):\n{done.stderr}")
        with open(path, encoding="utf-8") as file:
            return json.load(file)


def ratios(run: dict, config: str, optimizer: str) -> dict:
    """The run's paired medians for one config and optimizer (None where a row is
    missing, e.g. PyTorch not installed)."""
    result = run[config][optimizer]
    rows = result["rows"]

    def median(entry):
        return None if entry is None else entry["median"]

    return {"eager": median(rows["tinynet"]["ratio_to_numpy"]),
            "capture": median(rows["tinynet_capture"]["ratio_to_numpy"]),
            "eager_over_pytorch": median(result.get("tinynet_over_pytorch")),
            "capture_over_pytorch": median(result.get("tinynet_capture_over_pytorch"))}


def collect(runs: list, configs: list) -> dict:
    """Per config and optimizer: each ratio's value per run, its range, and how many runs
    met the target (≤ the target over numpy; < 1 over PyTorch)."""
    table = {}
    for config in configs:
        for optimizer in ("sgd", "adam"):
            per_run = [ratios(run, config, optimizer) for run in runs]
            entry = {"target": TARGETS[config]}
            for name, _ in RATIOS:
                values = [r[name] for r in per_run]
                if any(v is None for v in values):
                    continue
                if name in ("eager", "capture"):
                    met = sum(v <= TARGETS[config] for v in values)
                else:  # faster than PyTorch
                    met = sum(v < 1.0 for v in values)
                entry[name] = {"runs": values, "min": min(values), "max": max(values),
                               "median": float(np.median(values)), "runs_meeting": met}
            table.setdefault(config, {})[optimizer] = entry
    return table


def print_table(table: dict, n_runs: int) -> None:
    print(f"Paired ratios, median over each run's rounds; {n_runs} runs, each a fresh "
          f"process. Target over numpy: at most the config's; over PyTorch: below 1.\n")
    print("| config | optimizer | target | ratio | per run | min–max | runs meeting |")
    print("|---|---|---|---|---|---|---|")
    for config, optimizers in table.items():
        for optimizer, entry in optimizers.items():
            for name, label in RATIOS:
                if name not in entry:
                    continue
                ratio = entry[name]
                target = f"≤ {entry['target']:.2f}" if name in ("eager", "capture") else "< 1"
                values = " · ".join(f"{v:.4f}" for v in ratio["runs"])
                print(f"| {config} | {optimizer} | {target} | {label} | {values} | "
                      f"{ratio['min']:.4f}–{ratio['max']:.4f} | "
                      f"{ratio['runs_meeting']} of {n_runs} |")


def main(argv=None):
    args = parse(argv)
    configs = list(TARGETS) if args.config == "all" else [args.config]
    runs = []
    for i in range(args.runs):
        start = time.perf_counter()
        runs.append(one_run(args))
        print(f"run {i + 1} of {args.runs}: {time.perf_counter() - start:.0f} s",
              file=sys.stderr)
    table = collect(runs, configs)
    with recording() as printed:
        print_table(table, args.runs)
    if args.config == "all":
        save("step_runs", {"runs": args.runs, "threads": args.threads, "rounds": args.rounds,
                           "steps": args.steps, "targets": TARGETS}, table, printed.text())
    return table


if __name__ == "__main__":
    main()
