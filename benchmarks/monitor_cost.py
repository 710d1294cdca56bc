"""The diagnostics Monitor's cost, measured from outside and from inside a step.

    python benchmarks/monitor_cost.py --threads 1 --write-results   # docs/results/monitor_cost.json
    python benchmarks/monitor_cost.py --config digits --threads 1

From outside (the cost the docs quote), as `benchmarks/step.py` measures it: a monitored
copy of the model and the plain one (same weights, Adam) take turns, 4 steps each (one
sampling cycle of the default Monitor, whichever goes first alternating); per round of
``--steps`` steps each, the monitored steps' time over the plain ones', minus 1; the
median and quartiles over rounds. Short turns keep a drift of the machine on both
alike; a whole round's sum carries the blocks of statistics the Monitor takes every few
observed steps (docs/performance.md).

From inside: one model trains with the Monitor attached and a timer wraps each of the
Monitor's hooks (activation statistics, the per-step count, gradient norms and update
ratios): the hooks' time over the rest of the same steps, so a drift of the machine
changes both alike. What it cannot see: the cost of calling a hook at all (about a
microsecond each), hooks added and removed, and any cache the hooks evict; so it is
below the outside figure.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import recording, save  # noqa: E402
from step import CONFIGS, monitor_overhead, tinynet_model, training_step

import tinynet as tn
from tinynet import nn
from tinynet.diagnostics import monitor

HOOKS = [(monitor._ActivationStats, "observe"), (monitor._LinearStats, "on_weight_grad"),
         (monitor._LinearStats, "on_bias_grad"), (monitor.Monitor, "_count_step")]


class HookTimer:
    """Wraps the Monitor's hook methods (class-wide) to add up the seconds they take."""

    def __init__(self):
        self.seconds = 0.0
        self.originals = []

    def __enter__(self):
        for owner, name in HOOKS:
            original = getattr(owner, name)
            self.originals.append((owner, name, original))
            setattr(owner, name, self._timed(original))
        return self

    def _timed(self, method):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
        return timed

    def __exit__(self, *exc):
        for owner, name, original in self.originals:
            setattr(owner, name, original)


def _batches(name, dtype) -> list:
    widths, _, _, batch = CONFIGS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch * 16, widths[0])).astype(dtype)
    y = rng.integers(0, widths[-1], batch * 16)
    return [(tn.from_numpy(x[i:i + batch]), tn.from_numpy(y[i:i + batch]))
            for i in range(0, len(x), batch)]


def _step(name, dtype, every=None):
    """A training step of the config's model (seed 0), with a Monitor when ``every``."""
    widths, activation, layernorm, _ = CONFIGS[name]
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    monitor = tn.diagnostics.Monitor(model, every=every) if every else None
    step = training_step(model, tn.optim.Adam(model.parameters(), lr=1e-3),
                         nn.CrossEntropyLoss())
    return step, monitor


def added_cost(name, every, rounds, steps, dtype):
    """Per round: the monitored model's steps' time over the plain model's, minus 1."""
    data = _batches(name, dtype)
    plain, _ = _step(name, dtype)
    monitored, _ = _step(name, dtype, every)
    for i in range(8):  # warm-up
        plain(*data[i % len(data)])
        monitored(*data[i % len(data)])
    return np.array([monitor_overhead(plain, monitored, data, cycles=max(1, steps // 4))
                     for _ in range(rounds)])


def hook_share(name, every, rounds, steps, dtype):
    """Per round of ``steps`` monitored steps: the hooks' seconds / the rest's."""
    data = _batches(name, dtype)
    shares = []
    with HookTimer() as timer:
        step, monitor = _step(name, dtype, every)
        for i in range(8):  # warm-up
            step(*data[i % len(data)])
        for _ in range(rounds):
            timer.seconds = 0.0
            start = time.perf_counter()
            for i in range(steps):
                step(*data[i % len(data)])
            total = time.perf_counter() - start
            shares.append(timer.seconds / (total - timer.seconds))
    return np.array(shares)


def quartiles(values) -> dict:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"median": median, "q1": q1, "q3": q3, "min": np.min(values), "max": np.max(values)}


def main(argv=None):
    tn.tune_allocator()  # keep freed memory between steps (docs/performance.md)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=40,
                        help="steps per round (a multiple of 4: whole sampling cycles)")
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/monitor_cost.json")
    args = parser.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    dtype = np.dtype(args.dtype).type
    results = {}
    with recording() as printed:
        print(f"{args.rounds} rounds of {args.steps} steps, Adam, {args.dtype}, BLAS threads: "
              f"{args.threads or 'as the library chooses'}.\n")
        print("| config | Monitor | added to a step (median over rounds, IQR) | "
              "its hooks' time / the rest of the step (median, range) |")
        print("|---|---|---|---|")
        for name in CONFIGS if args.config == "all" else [args.config]:
            for every in (4, 1):
                added = quartiles(added_cost(name, every, args.rounds, args.steps, dtype))
                hooks = quartiles(hook_share(name, every, args.rounds, args.steps, dtype))
                results.setdefault(name, {})[str(every)] = {"added": added, "hooks": hooks}
                print(f"| {name} | every={every} | {added['median']:.1%} ({added['q1']:.1%} "
                      f"to {added['q3']:.1%}) | {hooks['median']:.1%} ({hooks['min']:.1%}-"
                      f"{hooks['max']:.1%}) |")
    if args.write_results and args.config == "all":
        save("monitor_cost", {"dtype": args.dtype, "threads": args.threads,
                              "rounds": args.rounds, "steps": args.steps}, results,
             printed.text())


if __name__ == "__main__":
    main()
