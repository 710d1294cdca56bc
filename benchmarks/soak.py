"""Soak: train 20,000 steps with fit's defaults (the Monitor on) and print how much memory
the process gained after the first epoch.

What legitimately grows is the History: one record per epoch (a few kB with the
per-layer statistics). Anything that grows per step is a leak; tests/test_soak.py bounds
it. Memory is measured twice: Python's own allocations (tracemalloc, exact, slower) and
the process's resident set (what `top` shows; it includes numpy's arrays and allocator
slack, so it moves in pages).

    python benchmarks/soak.py [--steps 20000] [--no-trace]
"""
import argparse
import resource
import time
import tracemalloc

import numpy as np

import tinynet as tn


class _Measure(tn.Callback):
    """Starts measuring after the first epoch (imports, caches and buffers are warm)."""

    def __init__(self, trace: bool):
        self.trace = trace
        self.start_rss = self.start_traced = None

    def on_epoch_end(self, epoch, record, model):
        if epoch == 1:
            self.start_rss = _rss_bytes()
            if self.trace:
                tracemalloc.start()
                self.start_traced = tracemalloc.get_traced_memory()[0]
        return False


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:  # Linux: pages resident
        return int(statm.read().split()[1]) * resource.getpagesize()


def soak(steps: int = 20_000, epochs: int = 20, trace: bool = True,
         hidden=(16,) * 8) -> dict:
    """Train an MLP (``hidden`` widths, ReLU) on moons with fit's defaults for ``steps``
    steps (batch 1 over ``steps // epochs`` samples per epoch); returns the growth after
    epoch 1."""
    samples = steps // epochs
    data = tn.data.load_dataset("moons", seed=0, n_samples=max(8, round(samples / 0.75)))
    X, y = data.X_train[:samples], data.y_train[:samples]
    model = tn.models.MLP(2, list(hidden), 2, activation="relu",
                          generator=np.random.default_rng(0))
    measure = _Measure(trace)
    start = time.perf_counter()
    history = tn.fit(model, X, y, epochs=epochs, batch_size=1, seed=0, progress=False,
                     callbacks=[measure])
    seconds = time.perf_counter() - start
    traced = None
    if trace:
        traced = tracemalloc.get_traced_memory()[0] - measure.start_traced
        tracemalloc.stop()
    steps_done = sum(r["steps"] for r in history.records)
    history_bytes = len(history.to_json())  # its JSON size, a proxy for what it holds
    return {"steps": steps_done, "measured_steps": steps_done - history.records[0]["steps"],
            "traced_growth": traced, "rss_growth": _rss_bytes() - measure.start_rss,
            "history_json_bytes": history_bytes, "seconds": seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--no-trace", action="store_true", help="skip tracemalloc (faster)")
    args = parser.parse_args(argv)
    result = soak(args.steps, trace=not args.no_trace)
    print(f"{result['steps']} steps in {result['seconds']:.1f} s; after epoch 1 "
          f"({result['measured_steps']} steps):")
    if result["traced_growth"] is not None:
        print(f"  Python allocations (tracemalloc): {result['traced_growth'] / 1e3:+.1f} kB "
              f"({result['traced_growth'] / result['measured_steps']:+.2f} bytes per step)")
    print(f"  resident set: {result['rss_growth'] / 1e3:+.1f} kB")
    print(f"  the History's JSON: {result['history_json_bytes'] / 1e3:.1f} kB")


if __name__ == "__main__":
    main()
