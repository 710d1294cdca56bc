"""The diagnostics Monitor's own time, measured inside its hooks, as a share of a step.

    python benchmarks/monitor_cost.py                  # every config, every=4 and every=1
    python benchmarks/monitor_cost.py --config digits --threads 1

`benchmarks/step.py` measures the Monitor from outside: a monitored model's steps against
a plain model's, in alternating groups. On a shared 2-core machine the speed of the two
groups drifts apart by more than the Monitor costs. Here one model trains with the
Monitor attached and a timer wraps each of the Monitor's hooks (activation statistics,
the per-step count, gradient norms and update ratios): the share is the hooks' time over
the rest of the same steps, so a drift of the machine changes both alike. What it
cannot see: the cost of calling a hook at all (about a microsecond each) and any cache
the hooks evict.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from step import CONFIGS, tinynet_model, training_step

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


def hook_share(name, every, rounds, steps, dtype):
    """Per round of ``steps`` monitored steps: the hooks' seconds / the rest's."""
    widths, activation, layernorm, batch = CONFIGS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch * 16, widths[0])).astype(dtype)
    y = rng.integers(0, widths[-1], batch * 16)
    data = [(tn.from_numpy(x[i:i + batch]), tn.from_numpy(y[i:i + batch]))
            for i in range(0, len(x), batch)]
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    step = training_step(model, tn.optim.Adam(model.parameters(), lr=1e-3),
                         nn.CrossEntropyLoss())
    shares = []
    with HookTimer() as timer, tn.diagnostics.Monitor(model, every=every):
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


def main(argv=None):
    tn.tune_allocator()  # keep freed memory between steps (docs/performance.md)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=40,
                        help="steps per round (a multiple of 4: whole sampling cycles)")
    args = parser.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    dtype = np.dtype(args.dtype).type
    print("| config | Monitor | its hooks' time / the rest of the step (median, range) |")
    print("|---|---|---|")
    for name in CONFIGS if args.config == "all" else [args.config]:
        for every in (4, 1):
            shares = hook_share(name, every, args.rounds, args.steps, dtype)
            print(f"| {name} | every={every} | {np.median(shares):.1%} "
                  f"({shares.min():.1%}-{shares.max():.1%}) |")


if __name__ == "__main__":
    main()
