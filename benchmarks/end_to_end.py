"""Time tinynet's main job end to end, beside the same experiment in PyTorch eager and
scikit-learn, and say where tinynet's time goes.

    python benchmarks/end_to_end.py                          # the full measurement
    python benchmarks/end_to_end.py --out results.json       # ... and its numbers as JSON
    python benchmarks/end_to_end.py --quick                  # tiny settings (the tests')

Two experiments:

1. **`tinynet compare` with its defaults**, run as the user runs it: a child process
   (`python -m tinynet compare`, in a temporary directory, which is also joblib's temp
   folder), timed from start to exit with `time.perf_counter`. The command prints the
   seconds `compare_activations` took itself; the rest is interpreter start-up, imports,
   argument parsing and printing.
2. **digits, 6 activations × 5 seeds, MLP depth 8**, everything else at the CLI's
   defaults (read from its own parser: width 32, 30 epochs, Adam lr 0.01, batch 64,
   no norm), in this process:
   * tinynet: `compare_activations`, as the CLI calls it, with 2 jobs (a fresh joblib
     worker pool, then the pool reused) and with 1 job;
   * PyTorch eager (when importable): the same runs written as a plain loop. The same
     model (Linear + activation, tinynet's activation parameters), tinynet's initial
     weights copied in (building tinynet's MLP for them is in PyTorch's time), the same
     split, minibatch order (the same seeded generator), Adam, loss, and after every
     epoch an evaluation on the test split (loss and accuracy, no graph) plus the
     training accuracy from the step's outputs, as `fit` records them; it has no
     Monitor (the "no Monitor" column is tinynet's like for like);
   * scikit-learn's `MLPClassifier` for the activations it has (logistic, tanh, relu):
     the same hidden sizes, batch size, solver 'adam' and lr, `max_iter` = epochs with
     early stopping off and `n_iter_no_change` beyond `max_iter`, alpha=0 (no L2), its
     own initialisation and shuffling; it evaluates nothing per epoch.

   The three libraries run one after another in this one process, one thread each
   (BLAS limited with threadpoolctl, `torch.set_num_threads(1)`), every run including
   its data loading, after a first run of one epoch each, reported apart (a first run
   pays lazy imports and set-up, PyTorch's most). Their seconds are summed over seeds; a
   ratio is another library's seconds over tinynet's (1 job, Monitor on, as
   `compare_activations` trains) for the same activations: above 1, tinynet is faster.

Where tinynet's time goes: the 1-job comparison runs with timers wrapped around
`run_one`'s parts (loading the data, building the model, `fit`) and `fit`'s (the training
epochs, the evaluation after each), so the real code runs, only timed; what is left of
`fit` is its set-up (input checks, the initial probe), the snapshots a diverged run goes
back to, and the Monitor's epoch summaries. The Monitor's share is the 1-job comparison
with `fit(monitor=False)` against the default, back to back. Start-up is the best of a
few `python -c pass` and `python -c "import tinynet"`. The worker pool's cost is the
2-job wall time against half the summed time of the runs (measured in the 1-job
comparison), with a fresh pool and with the pool reused.

Each figure is one measurement; on a shared machine whose speed drifts, run it twice.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from functools import partial
from unittest import mock

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import tinynet.training.loop as loop  # noqa: E402
from end_to_end_others import (EVAL_BATCH, SKLEARN_ACTIVATIONS, copy_initial_weights,  # noqa: E402,F401
                               import_torch, library_rows, sequential_runs, sklearn_run,
                               torch_mlp, torch_run)
from end_to_end_report import report  # noqa: E402
from step import blas_info  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "examples"))
from _results import recording, save  # noqa: E402
from tinynet import experiments  # noqa: E402
from tinynet.cli import build_parser  # noqa: E402
from tinynet.data import load_dataset  # noqa: E402
from tinynet.models import MLP  # noqa: E402

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")
QUICK_ACTIVATIONS = ("relu", "gelu")  # one sklearn has, one it has not
PARTS = ("data", "model", "train_steps", "evaluation", "fit_other", "run_other",
         "outside_runs")


@dataclass(frozen=True)
class Config:
    """One comparison's settings (the CLI's names)."""

    dataset: str
    activations: tuple
    seeds: int
    depth: int
    width: int
    epochs: int
    lr: float
    batch_size: int
    target: float
    jobs: int


def cli_defaults() -> Config:
    """`tinynet compare`'s defaults, read from its own parser so they cannot drift."""
    args = build_parser().parse_args(["compare"])
    assert args.norm == "none", "the comparisons here build MLPs without a norm"
    return Config(args.dataset, tuple(args.activations), args.seeds, args.depth, args.width,
                  args.epochs, args.lr, args.batch_size, args.target, args.jobs)


def settings(quick: bool) -> tuple:
    """(the CLI's arguments, the digits Config) for the full or the quick measurement."""
    digits = replace(cli_defaults(), dataset="digits", activations=ACTIVATIONS, seeds=5,
                     depth=8)
    if not quick:
        return [], digits
    small = dict(activations=QUICK_ACTIVATIONS, seeds=1, epochs=2, depth=2)
    cli_args = ["--activations", ",".join(QUICK_ACTIVATIONS), "--seeds", "1", "--epochs",
                "2", "--depth", "2"]
    return cli_args, replace(digits, **small)


# ---- start-up and the command line -------------------------------------------------------
def child_env(folder: str) -> dict:
    """The environment of a child process: this checkout's tinynet first on its path, and
    ``folder`` as joblib's temp folder (so nothing is written elsewhere)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    env["JOBLIB_TEMP_FOLDER"] = folder
    return env


def run_child(args: list, folder: str) -> tuple:
    """(wall seconds, stdout) of ``python ARGS`` run in ``folder``, from start to exit."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=folder, env=child_env(folder),
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"end_to_end: `python {' '.join(args)}` exited with "
                           f"{done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds, done.stdout


def startup_seconds(code: str, repeats: int) -> float:
    """The best of ``repeats`` wall times of `python -c CODE`: start-up is noisy, and its
    floor is what every run pays."""
    with tempfile.TemporaryDirectory() as folder:
        return min(run_child(["-c", code], folder)[0] for _ in range(repeats))


def cli_compare(cli_args: list) -> dict:
    """`python -m tinynet compare ARGS`: its wall time, the seconds compare_activations
    reported (its "(x s)" line, to 0.1 s) and the difference (start-up, imports, output)."""
    with tempfile.TemporaryDirectory() as folder:
        wall, out = run_child(["-m", "tinynet", "compare", *cli_args], folder)
    found = re.search(r"^\((\d+(?:\.\d+)?) s\)$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"end_to_end: `tinynet compare` printed no '(x s)' line:\n{out}")
    inside = float(found.group(1))
    return {"wall": wall, "inside": inside, "outside": wall - inside}


# ---- tinynet: compare_activations, timed from outside and inside --------------------------
class Stopwatch:
    """Seconds spent inside wrapped functions, summed per label, and each run's seconds."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.runs = []  # {"activation", "seed", "seconds"} per run_one call

    def wrap(self, label: str, function):
        """``function``, adding the seconds of each call to ``label``."""
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
        return timed

    def wrap_run(self, run_one):
        """``run_one``, recording each run's activation, seed and seconds."""
        def timed(*args, **kwargs):
            start = time.perf_counter()
            result = run_one(*args, **kwargs)
            self.runs.append({"activation": result["activation"], "seed": result["seed"],
                              "seconds": time.perf_counter() - start})
            return result
        return timed


def instrumented(watch: Stopwatch, monitor: bool) -> ExitStack:
    """Timers around run_one and its parts, and fit's epochs and evaluations, for a
    1-job comparison (the patches live in this process only); ``monitor=False`` runs
    ``fit(monitor=False)``."""
    fit = loop.fit if monitor else partial(loop.fit, monitor=False)
    stack = ExitStack()
    for module, name, replacement in (
            (experiments, "run_one", watch.wrap_run(experiments.run_one)),
            (experiments, "load_dataset", watch.wrap("data", experiments.load_dataset)),
            (experiments, "MLP", watch.wrap("model", experiments.MLP)),
            (experiments, "fit", watch.wrap("fit", fit)),
            (loop, "train_epoch", watch.wrap("train_steps", loop.train_epoch)),
            (loop, "evaluate", watch.wrap("evaluation", loop.evaluate))):
        stack.enter_context(mock.patch.object(module, name, replacement))
    return stack


def tinynet_comparison(cfg: Config, n_jobs: int, watch: Stopwatch = None,
                       monitor: bool = True) -> tuple:
    """(Comparison, wall seconds) of compare_activations as the CLI calls it, timed
    inside with ``watch`` when given (1 job only)."""
    with instrumented(watch, monitor) if watch is not None else nullcontext():
        start = time.perf_counter()
        result = experiments.compare_activations(
            cfg.dataset, list(cfg.activations), depth=cfg.depth, width=cfg.width,
            epochs=cfg.epochs, seeds=cfg.seeds, norm=None, lr=cfg.lr, n_jobs=n_jobs,
            batch_size=cfg.batch_size, target=cfg.target)
        return result, time.perf_counter() - start


def fresh_pool() -> None:
    """Stop joblib's reusable worker pool, so that the next parallel call starts its
    workers (and their imports) as the command line's does."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def breakdown(watch: Stopwatch, wall: float) -> dict:
    """The 1-job comparison's seconds, split into nested parts: outside the runs, and in
    the runs data, model, the rest of run_one, and fit's training steps, evaluation and
    the rest of fit."""
    s = watch.seconds
    runs = sum(r["seconds"] for r in watch.runs)
    parts = {"data": s["data"], "model": s["model"], "train_steps": s["train_steps"],
             "evaluation": s["evaluation"],
             "fit_other": s["fit"] - s["train_steps"] - s["evaluation"],
             "run_other": runs - s["data"] - s["model"] - s["fit"],
             "outside_runs": wall - runs}
    return {"whole": wall, "runs": runs, "fit": s["fit"], "parts": parts}


def tinynet_rows(result, watch: Stopwatch, parameters: dict) -> dict:
    """{activation: row} of the 1-job comparison: seconds summed over seeds, mean test
    accuracy, runs, parameters."""
    rows = {}
    for row in result.rows:
        a = row["activation"]
        rows[a] = {"library": "tinynet", "activation": a, "runs": len(result.settings["seeds"]),
                   "seconds": sum(r["seconds"] for r in watch.runs if r["activation"] == a),
                   "test_acc_mean": row["test_acc_mean"], "parameters": parameters[a]}
    return rows


def tinynet_parameters(cfg: Config, activation: str, n_features: int, n_classes: int) -> int:
    """Parameters of the MLP compare_activations trains."""
    model = MLP(n_features, [cfg.width] * cfg.depth, n_classes, activation=activation,
                generator=np.random.default_rng(0))
    return sum(p.array.size for p in model.parameters())


# ---- the measurement ----------------------------------------------------------------------
@contextmanager
def one_thread(torch):
    """BLAS (numpy's, scipy's) and PyTorch held at one thread, restored afterwards."""
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(1):
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(threads)


def warm_up(cfg: Config, torch) -> dict:
    """Seconds of each library's first run in this process (one epoch of the first
    activation it has): a first run pays lazy imports and set-up that later runs do not
    (PyTorch's most), so the timed runs come after these."""
    first = replace(cfg, epochs=1)
    seconds = {}
    start = time.perf_counter()
    experiments.run_one(cfg.dataset, cfg.activations[0], cfg.depth, cfg.width, 1, 0,
                        lr=cfg.lr, batch_size=cfg.batch_size)
    seconds["tinynet"] = time.perf_counter() - start
    if torch is not None:
        seconds["pytorch"] = torch_run(first, cfg.activations[0], 0)["seconds"]
    supported = [a for a in cfg.activations if a in SKLEARN_ACTIVATIONS]
    if supported:
        seconds["sklearn"] = sklearn_run(first, supported[0], 0)["seconds"]
    return seconds


def measure_pool(cfg: Config) -> dict:
    """compare_activations with the CLI's jobs: a fresh worker pool, then reused."""
    fresh_pool()
    _, fresh = tinynet_comparison(cfg, cfg.jobs)
    _, reused = tinynet_comparison(cfg, cfg.jobs)
    return {"jobs_fresh": fresh, "jobs_reused": reused}


def measure_one_job(cfg: Config) -> dict:
    """compare_activations with 1 job, timed inside, Monitor on and then off."""
    on, off = Stopwatch(), Stopwatch()
    result, wall_on = tinynet_comparison(cfg, 1, on)
    _, wall_off = tinynet_comparison(cfg, 1, off, monitor=False)
    return {"result": result, "on": on, "off": off, "wall_on": wall_on, "wall_off": wall_off}


def measure_others(cfg: Config, torch) -> dict:
    """PyTorch's runs (when importable) and scikit-learn's (its activations only)."""
    runs = {}
    if torch is not None:
        runs["pytorch"] = sequential_runs(torch_run, cfg, cfg.activations)
    supported = [a for a in cfg.activations if a in SKLEARN_ACTIVATIONS]
    runs["sklearn"] = sequential_runs(sklearn_run, cfg, supported)
    return runs


def digits_rows(cfg: Config, tiny: dict, others: dict) -> list:
    """Every row of experiment 2, each with its ratio to tinynet's seconds (1 job,
    Monitor on) for the same activation."""
    data = load_dataset(cfg.dataset, seed=0)
    parameters = {a: tinynet_parameters(cfg, a, data.n_features, data.n_classes)
                  for a in cfg.activations}
    base = tinynet_rows(tiny["result"], tiny["on"], parameters)
    no_monitor = {a: sum(r["seconds"] for r in tiny["off"].runs if r["activation"] == a)
                  for a in cfg.activations}
    rows = []
    for a, row in base.items():
        rows.append(dict(row, experiment="digits", seconds_no_monitor=no_monitor[a],
                         ratio_to_tinynet=1.0))
    for library, runs in others.items():
        for a, row in library_rows(library, runs).items():
            rows.append(dict(row, experiment="digits",
                             ratio_to_tinynet=row["seconds"] / base[a]["seconds"]))
    return rows


def totals(rows: list, tiny: dict) -> dict:
    """Seconds of each library over its activations, tinynet's over the same ones, and
    tinynet's whole comparisons."""
    out = {"tinynet_jobs_fresh_pool": tiny["jobs_fresh"],
           "tinynet_jobs_reused_pool": tiny["jobs_reused"],
           "tinynet_1_job": tiny["wall_on"], "tinynet_1_job_no_monitor": tiny["wall_off"]}
    ours = {r["activation"]: r["seconds"] for r in rows if r["library"] == "tinynet"}
    for library in ("pytorch", "sklearn"):
        mine = [r for r in rows if r["library"] == library]
        if mine:
            theirs = sum(r["seconds"] for r in mine)
            same = sum(ours[r["activation"]] for r in mine)
            out[library] = {"seconds": theirs, "tinynet_seconds": same,
                            "ratio_to_tinynet": theirs / same}
    return out


def pool_costs(tiny: dict, jobs: int) -> dict:
    """The worker pool's cost: each 2-job wall time against the 1-job runs' summed
    seconds split evenly over the jobs."""
    runs = sum(r["seconds"] for r in tiny["on"].runs)
    ideal = runs / jobs
    return {"jobs": jobs, "runs_summed": runs, "ideal": ideal,
            "one_job": tiny["wall_on"], "fresh_pool": tiny["jobs_fresh"],
            "reused_pool": tiny["jobs_reused"],
            "overhead_fresh": tiny["jobs_fresh"] - ideal,
            "overhead_reused": tiny["jobs_reused"] - ideal,
            "pool_start": tiny["jobs_fresh"] - tiny["jobs_reused"]}


def monitor_costs(tiny: dict) -> dict:
    """The Monitor's share: the 1-job comparison with it against without it."""
    on, off = tiny["on"].seconds, tiny["off"].seconds
    return {"on": tiny["wall_on"], "off": tiny["wall_off"],
            "difference": tiny["wall_on"] - tiny["wall_off"],
            "train_steps_on": on["train_steps"], "train_steps_off": off["train_steps"],
            "fit_on": on["fit"], "fit_off": off["fit"]}


def machine() -> dict:
    """What the numbers were measured on."""
    import sklearn

    torch = import_torch()
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__,
            "sklearn": sklearn.__version__, "torch": torch.__version__ if torch else None,
            "blas": blas_info()}


def measure(quick: bool, repeats: int) -> dict:
    """Every measurement, as the JSON results."""
    cli_args, cfg = settings(quick)
    startup = {"python": startup_seconds("pass", repeats),
               "import_tinynet": startup_seconds("import tinynet", repeats)}
    cli = cli_compare(cli_args)
    load_dataset(cfg.dataset, seed=0)  # scikit-learn's import, outside every timing
    start = time.perf_counter()
    torch = import_torch()
    torch_import = time.perf_counter() - start if torch is not None else None
    tiny = measure_pool(cfg)
    with one_thread(torch):
        first_runs = warm_up(cfg, torch)
        tiny.update(measure_one_job(cfg))
        others = measure_others(cfg, torch)
    rows = digits_rows(cfg, tiny, others)
    rows.insert(0, {"experiment": "cli_compare", "library": "tinynet", "activation": None,
                    "seconds": cli["wall"]})
    return {"settings": {"quick": quick, "cli_args": cli_args, "cli_defaults":
                         asdict(cli_defaults()), "digits": asdict(cfg)},
            "machine": machine(), "rows": rows, "totals": totals(rows, tiny),
            "breakdown": {"tinynet_1_job": breakdown(tiny["on"], tiny["wall_on"]),
                          "monitor": monitor_costs(tiny), "startup": startup, "cli": cli,
                          "pool": pool_costs(tiny, cfg.jobs), "torch_import": torch_import,
                          "first_runs": first_runs}}



def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"tiny settings ({', '.join(QUICK_ACTIVATIONS)}; 1 seed, 2 epochs, "
                             f"depth 2), for the tests")
    parser.add_argument("--out", help="write the numbers to this JSON file")
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/end_to_end.json (the docs quote it)")
    parser.add_argument("--startup-repeats", type=int, default=3,
                        help="start-up is the best of this many child processes (3)")
    args = parser.parse_args(argv)
    results = measure(args.quick, 1 if args.quick else args.startup_repeats)
    with recording() as printed:
        print(report(results))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    if args.write_results and not args.quick:
        save("end_to_end", results["settings"],
             {k: v for k, v in results.items() if k != "settings"}, printed.text())
    return results


if __name__ == "__main__":
    main()
