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
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
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
from step import blas_info  # noqa: E402
from tinynet import experiments, nn  # noqa: E402
from tinynet.cli import build_parser  # noqa: E402
from tinynet.data import batches, load_dataset  # noqa: E402
from tinynet.models import MLP, make_activation  # noqa: E402

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")
SKLEARN_ACTIVATIONS = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}
QUICK_ACTIVATIONS = ("relu", "gelu")  # one sklearn has, one it has not
EVAL_BATCH = 1024  # fit's evaluation batch size
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


# ---- PyTorch eager: the same runs as a plain loop -----------------------------------------
def import_torch():
    """PyTorch, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_activation(name: str):
    """PyTorch's module for a tinynet activation, with tinynet's parameters (slope,
    alpha, approximation): the class names are the same."""
    import torch

    ours = make_activation(name)
    options = {key: getattr(ours, key) for key in ("negative_slope", "alpha", "approximate")
               if hasattr(ours, key)}
    return getattr(torch.nn, type(ours).__name__)(**options)


def torch_mlp(n_features: int, hidden: list, n_classes: int, activation: str):
    """The MLP of tinynet.models.MLP (norm None) in PyTorch: Linear → activation per
    hidden layer, then a Linear to the logits."""
    import torch

    layers, width = [], n_features
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch_activation(activation)]
        width = h
    layers.append(torch.nn.Linear(width, n_classes))
    return torch.nn.Sequential(*layers)


def copy_initial_weights(net, model) -> None:
    """tinynet's initial weights and biases into the PyTorch net, Linear by Linear."""
    import torch

    ours = [m for m in model.modules() if isinstance(m, nn.Linear)]
    theirs = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert len(ours) == len(theirs), "the two MLPs have different depths"
    with torch.no_grad():
        for a, b in zip(ours, theirs):
            assert tuple(b.weight.shape) == a.weight.shape, "the two MLPs differ in shape"
            b.weight.copy_(torch.from_numpy(a.weight.array))
            b.bias.copy_(torch.from_numpy(a.bias.array))


def torch_epoch(net, optimizer, loss_fn, X, y, order) -> tuple:
    """One training epoch over minibatch index arrays ``order``: (mean loss, accuracy
    from the steps' outputs), as fit records them; the loss is NaN if it stopped being
    finite (then training stops, as fit's does)."""
    import torch

    net.train()
    total = correct = 0.0
    for idx in order:
        idx = torch.from_numpy(idx)
        xb, yb = X[idx], y[idx]
        optimizer.zero_grad()
        out = net(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        value = loss.item()
        if not math.isfinite(value):
            return math.nan, math.nan
        optimizer.step()
        total += value * len(idx)
        correct += (out.argmax(dim=1) == yb).sum().item()
    return total / len(X), correct / len(X)


def torch_evaluate(net, loss_fn, X, y) -> tuple:
    """(mean loss, accuracy) on (X, y) in eval mode without a graph, in fit's batches."""
    import torch

    net.eval()
    total = correct = 0.0
    with torch.no_grad():
        for start in range(0, len(X), EVAL_BATCH):
            xb, yb = X[start:start + EVAL_BATCH], y[start:start + EVAL_BATCH]
            out = net(xb)
            total += loss_fn(out, yb).item() * len(xb)
            correct += (out.argmax(dim=1) == yb).sum().item()
    return total / len(X), correct / len(X)


def torch_run(cfg: Config, activation: str, seed: int) -> dict:
    """One run of run_one's experiment in PyTorch eager: data, model with tinynet's
    initial weights, fit's epochs and evaluations, the final test accuracy."""
    import torch

    start = time.perf_counter()
    data = load_dataset(cfg.dataset, seed=seed)
    hidden = [cfg.width] * cfg.depth
    net = torch_mlp(data.n_features, hidden, data.n_classes, activation)
    copy_initial_weights(net, MLP(data.n_features, hidden, data.n_classes,
                                  activation=activation, generator=np.random.default_rng(seed)))
    optimizer = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    X_test, y_test = torch.from_numpy(data.X_test), torch.from_numpy(data.y_test)
    rng = np.random.default_rng(seed)  # fit's shuffling generator
    reached = None
    for epoch in range(1, cfg.epochs + 1):
        loss, _ = torch_epoch(net, optimizer, loss_fn, X, y, batches(len(X), cfg.batch_size,
                                                                     rng=rng))
        if math.isnan(loss):
            break
        _, val_acc = torch_evaluate(net, loss_fn, X_test, y_test)
        reached = reached or (epoch if val_acc >= cfg.target else None)
    test_acc = torch_evaluate(net, loss_fn, X_test, y_test)[1]
    return {"activation": activation, "seed": seed, "test_acc": test_acc,
            "epochs_to_target": reached, "seconds": time.perf_counter() - start,
            "parameters": sum(p.numel() for p in net.parameters())}


# ---- scikit-learn's MLPClassifier ---------------------------------------------------------
def sklearn_run(cfg: Config, activation: str, seed: int) -> dict:
    """One run with MLPClassifier: the same data, hidden sizes, batch size, Adam and lr,
    ``epochs`` passes (nothing stops it early), no L2; the final test accuracy."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    start = time.perf_counter()
    data = load_dataset(cfg.dataset, seed=seed)
    clf = MLPClassifier(hidden_layer_sizes=(cfg.width,) * cfg.depth,
                        activation=SKLEARN_ACTIVATIONS[activation], solver="adam", alpha=0.0,
                        batch_size=cfg.batch_size, learning_rate_init=cfg.lr,
                        max_iter=cfg.epochs, shuffle=True, random_state=seed,
                        early_stopping=False, n_iter_no_change=cfg.epochs + 1)
    with warnings.catch_warnings():  # reaching max_iter is the plan, not a warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    test_acc = float(clf.score(data.X_test, data.y_test))
    return {"activation": activation, "seed": seed, "test_acc": test_acc,
            "seconds": time.perf_counter() - start,
            "parameters": sum(w.size for w in clf.coefs_ + clf.intercepts_)}


def library_rows(library: str, runs: list) -> dict:
    """{activation: row} from one library's runs: seconds summed over seeds, mean test
    accuracy, runs, parameters."""
    rows = {}
    for run in runs:
        row = rows.setdefault(run["activation"], {
            "library": library, "activation": run["activation"], "runs": 0, "seconds": 0.0,
            "test_acc_mean": 0.0, "parameters": run["parameters"]})
        row["runs"] += 1
        row["seconds"] += run["seconds"]
        row["test_acc_mean"] += run["test_acc"]
    for row in rows.values():
        row["test_acc_mean"] /= row["runs"]
    return rows


def sequential_runs(run, cfg: Config, activations) -> list:
    """``run(cfg, activation, seed)`` for every activation and seed, one after another."""
    return [run(cfg, a, seed) for a in activations for seed in range(cfg.seeds)]


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


# ---- the report ---------------------------------------------------------------------------
def cli_table(results: dict) -> list:
    """Markdown lines for experiment 1."""
    cli, cfg = results["breakdown"]["cli"], results["settings"]["cli_defaults"]
    args = " ".join(results["settings"]["cli_args"]) or "(defaults)"
    return [f"## 1. `tinynet compare {args}` from the shell", "",
            f"Defaults: {cfg['dataset']}, {len(cfg['activations'])} activations × "
            f"{cfg['seeds']} seeds, depth {cfg['depth']} × {cfg['width']}, {cfg['epochs']} "
            f"epochs, Adam lr {cfg['lr']}, batch {cfg['batch_size']}, {cfg['jobs']} jobs.", "",
            "| command | wall s | compare_activations s (its own figure) | start-up, imports, "
            "output s |", "|---|---|---|---|",
            f"| `python -m tinynet compare {args}` | {cli['wall']:.2f} | {cli['inside']:.1f} | "
            f"{cli['outside']:.2f} |", ""]


def _cells(row) -> str:
    """'seconds | ratio' of another library's row, dashes where it has none."""
    if row is None:
        return "– | –"
    return f"{row['seconds']:.2f} | {row['ratio_to_tinynet']:.2f}"


def digits_table(results: dict) -> list:
    """Markdown lines for experiment 2: one row per activation and a total."""
    cfg = results["settings"]["digits"]
    rows = [r for r in results["rows"] if r["experiment"] == "digits"]
    find = {(r["library"], r["activation"]): r for r in rows}
    lines = [f"## 2. {cfg['dataset']}: {len(cfg['activations'])} activations × {cfg['seeds']} "
             f"seeds, MLP {cfg['depth']} × {cfg['width']}, {cfg['epochs']} epochs, Adam lr "
             f"{cfg['lr']}, batch {cfg['batch_size']}", "",
             "One process, one thread, runs one after another; seconds summed over seeds; "
             "÷ tinynet: the library's seconds over tinynet's (above 1: tinynet is faster).", "",
             "| activation | tinynet s | tinynet, no Monitor s | PyTorch s | PyTorch ÷ tinynet "
             "| sklearn s | sklearn ÷ tinynet | test acc tinynet / PyTorch / sklearn |",
             "|---|---|---|---|---|---|---|---|"]
    for a in cfg["activations"]:
        ours, theirs = find[("tinynet", a)], [find.get((lib, a)) for lib in ("pytorch", "sklearn")]
        accs = " / ".join("–" if r is None else f"{r['test_acc_mean']:.3f}"
                          for r in [ours, *theirs])
        lines.append(f"| {a} | {ours['seconds']:.2f} | {ours['seconds_no_monitor']:.2f} | "
                     f"{_cells(theirs[0])} | {_cells(theirs[1])} | {accs} |")
    ours = [r for r in rows if r["library"] == "tinynet"]
    totals = [results["totals"].get(lib) for lib in ("pytorch", "sklearn")]
    lines.append(f"| all (÷ over the same activations) | "
                 f"{sum(r['seconds'] for r in ours):.2f} | "
                 f"{sum(r['seconds_no_monitor'] for r in ours):.2f} | {_cells(totals[0])} | "
                 f"{_cells(totals[1])} | |")
    t = results["totals"]
    lines += ["", f"tinynet's whole comparison: {t['tinynet_1_job']:.2f} s with 1 job; "
              f"{t['tinynet_jobs_fresh_pool']:.2f} s with the CLI's "
              f"{cfg['jobs']} jobs (a fresh worker pool), {t['tinynet_jobs_reused_pool']:.2f} s "
              f"reusing the pool."]
    return lines + [""]


def _share(seconds: float, whole: float) -> str:
    return f"{seconds:.2f} s ({seconds / whole:.0%})"


def breakdown_list(results: dict) -> list:
    """Markdown lines: where tinynet's time goes."""
    b = results["breakdown"]
    one, parts = b["tinynet_1_job"], b["tinynet_1_job"]["parts"]
    whole, mon, pool, up = one["whole"], b["monitor"], b["pool"], b["startup"]
    jobs = pool["jobs"]
    return [
        "## Where tinynet's time goes", "",
        f"The digits comparison with 1 job, one thread: {whole:.2f} s.", "",
        f"- outside the runs (joblib's dispatch, the summaries): "
        f"{_share(parts['outside_runs'], whole)}",
        f"- loading and splitting the data, every run: {_share(parts['data'], whole)}",
        f"- building the models: {_share(parts['model'], whole)}",
        f"- training steps (the Monitor's hooks included): "
        f"{_share(parts['train_steps'], whole)}",
        f"- evaluation after every epoch: {_share(parts['evaluation'], whole)}",
        f"- the rest of fit (set-up and initial probe, snapshots, the Monitor's epoch "
        f"summaries): {_share(parts['fit_other'], whole)}",
        f"- the rest of run_one (the final test prediction, statistics): "
        f"{_share(parts['run_other'], whole)}",
        f"- the Monitor: {mon['on']:.2f} s with it, {mon['off']:.2f} s without "
        f"({mon['difference']:+.2f} s, {mon['difference'] / mon['off']:+.0%}); training "
        f"steps {mon['train_steps_on']:.2f} s against {mon['train_steps_off']:.2f} s",
        f"- {jobs} jobs: {pool['fresh_pool']:.2f} s with a fresh worker pool, "
        f"{pool['reused_pool']:.2f} s reusing it, against {pool['one_job']:.2f} s with 1 job; "
        f"the runs themselves sum to {pool['runs_summed']:.2f} s, {pool['ideal']:.2f} s "
        f"split evenly {jobs} ways: beyond that, {pool['overhead_fresh']:.2f} s with a fresh "
        f"pool (starting it: {pool['pool_start']:.2f} s) and {pool['overhead_reused']:.2f} s "
        f"reusing it (dispatch, runs of unequal length, a core shared with other work)",
        f"- process start-up: `python -c pass` {up['python']:.2f} s, `python -c \"import "
        f"tinynet\"` {up['import_tinynet']:.2f} s (best of a few); `tinynet compare` spent "
        f"{b['cli']['outside']:.2f} s of its {b['cli']['wall']:.2f} s outside "
        f"compare_activations",
        first_runs_line(b),
    ] + [""]


def first_runs_line(b: dict) -> str:
    """One Markdown line: the libraries' first runs in this process, and torch's import."""
    names = {"tinynet": "tinynet", "pytorch": "PyTorch", "sklearn": "scikit-learn"}
    runs = ", ".join(f"{names[lib]} {seconds:.2f} s" for lib, seconds in b["first_runs"].items())
    torch = ("" if b["torch_import"] is None
             else f"; importing PyTorch took {b['torch_import']:.2f} s before that")
    return f"- the first run in this process, one epoch, not in the rows: {runs}{torch}"


def report(results: dict) -> str:
    """The whole Markdown report."""
    m = results["machine"]
    head = ["# tinynet end to end, beside PyTorch eager and scikit-learn", "",
            f"- machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, numpy "
            f"{m['numpy']}, scikit-learn {m['sklearn']}, PyTorch {m['torch'] or 'not installed'}",
            f"- BLAS: {m['blas']}", ""]
    return "\n".join(head + cli_table(results) + digits_table(results)
                     + breakdown_list(results))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"tiny settings ({', '.join(QUICK_ACTIVATIONS)}; 1 seed, 2 epochs, "
                             f"depth 2), for the tests")
    parser.add_argument("--out", help="write the numbers to this JSON file")
    parser.add_argument("--startup-repeats", type=int, default=3,
                        help="start-up is the best of this many child processes (3)")
    args = parser.parse_args(argv)
    results = measure(args.quick, 1 if args.quick else args.startup_repeats)
    print(report(results))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
