"""``compare_activations``: the same MLP, data and seeds for several activations.

Runs are independent jobs dispatched through joblib, so they use all cores with
``n_jobs``, and a dask cluster under ``joblib.parallel_backend('dask')`` without code
changes. Every run draws its initial weights and its shuffling from its own generators,
seeded by its seed, and never touches the global generator: its numbers do not depend on
which worker ran it, in what order, or on the backend (processes, threads, dask).

A run that diverges (its loss stops being finite) is kept: its record says so and
where, and its metrics are those of its last finite epoch (none, when it diverged in its
first epoch: its model is the untrained one).
"""
import collections
import csv
import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed

from tinynet.autograd.grad_mode import no_grad
from tinynet.checks import check_choice, check_int, check_real, check_seed
from tinynet.data import DATASETS, load_dataset
from tinynet.diagnostics.hints import gradient_ratio
from tinynet.dtypes import get_default_dtype
from tinynet.factories import from_numpy
from tinynet.files import atomic_write
from tinynet.models import ACTIVATIONS, MLP, NORMS, resolve_activation
from tinynet.names import display_name
from tinynet.tables import html_table
from tinynet.training import History, fit

__all__ = [
    "DATASETS", "ACTIVATIONS", "NORMS", "BUILT_IN", "COLUMNS", "run_one", "Comparison",
    "compare_activations",
]

BUILT_IN = frozenset(ACTIVATIONS)  # the names every worker process knows
_BUILT_IN_ENTRIES = dict(ACTIVATIONS)  # what they stand for there
COLUMNS = ("activation", "test_acc_mean", "test_acc_std", "epochs_to_target", "grad_ratio",
           "dead_rate", "saturation_rate", "us_per_step", "diverged")


def run_one(dataset: str, activation: str, depth: int, width: int, epochs: int, seed: int,
            norm=None, lr: float = 1e-2, batch_size: int = 64, target: float = 0.9,
            dtype=None) -> dict:
    """Train one MLP and measure it. Returns a dict of numbers plus its History as JSON
    (plain data, so it travels between processes and cluster workers unchanged). Training
    replays its steps (``fit(capture=True)``: the eager numbers, bit for bit).
    ``dtype`` defaults to the default dtype of the process it runs in."""
    dtype = np.dtype(dtype or get_default_dtype())
    label = resolve_activation("run_one", activation)[0]
    data = load_dataset(dataset, seed=seed, dtype=dtype)
    model = MLP(data.n_features, [width] * depth, data.n_classes, activation=activation,
                norm=norm, dtype=dtype, generator=np.random.default_rng(seed))
    diverged = None
    try:
        history = fit(model, data.X_train, data.y_train, lr=lr, epochs=epochs,
                      batch_size=batch_size, validation_data=(data.X_test, data.y_test),
                      seed=seed, progress=False, capture=True)
    except FloatingPointError as error:  # the model is back at its last finite epoch
        history, diverged = error.history, str(error)
    except Exception as error:  # (from a worker, say which of the runs failed)
        if hasattr(error, "add_note"):  # Python >= 3.11
            error.add_note(f"(in the run of activation {label!r}, seed {seed})")
        raise
    with no_grad():
        model.eval()
        predicted = model(from_numpy(data.X_test)).array.argmax(axis=1)
    records = history.records
    # a run that diverged before its first epoch ended has no trained model to measure
    # (its parameters are back at their initial values)
    measured = bool(records) or diverged is None
    last = records[-1]["layers"] if records else {}
    activations = [s for s in last.values() if s["kind"] != "Linear"]
    steps = sum(r["steps"] for r in records)
    reached = [r["epoch"] for r in records if r["val_acc"] >= target]
    return {
        "activation": label, "seed": seed, "n_classes": data.n_classes,
        "test_acc": float(np.mean(predicted == data.y_test)) if measured else float("nan"),
        "epochs_to_target": reached[0] if reached else None,
        "grad_ratio": gradient_ratio(records[0]) if records else float("nan"),
        # nan: nothing measured (a run that diverged in its first epoch)
        "dead_rate": _mean_of(activations, "dead_rate"),
        "saturation_rate": _mean_of(activations, "saturation_rate"),
        "us_per_step": 1e6 * sum(r["seconds"] for r in records) / steps if steps else None,
        "diverged": diverged,
        "history": history.to_json(indent=None),
    }


def _as_sent(activation, triple):
    """What a worker gets for ``activation``: a built-in name or a 'module:Class' path as
    it is (a worker imports the path itself, and says so if it cannot: a class that
    cannot be unpickled there made joblib's dask backend wait forever); anything else as
    its (name, factory, gain) triple (a worker process's registry does not hold a
    registered name, and the run keeps the name and the init gain given it here)."""
    if _built_in(activation) or isinstance(activation, str) and ":" in activation and \
            activation not in ACTIVATIONS:
        return activation
    return triple


def _built_in(activation) -> bool:
    """Whether ``activation`` is a built-in name that still stands for the built-in
    (``register_activation`` may have replaced it here, not in a worker process)."""
    return isinstance(activation, str) and activation in BUILT_IN and \
        ACTIVATIONS.get(activation) is _BUILT_IN_ENTRIES[activation]


def _mean_of(summaries: list, key: str) -> float:
    """The mean of ``key`` over the layer summaries that hold it; nan if none does."""
    values = [s[key] for s in summaries if key in s]
    return float(np.mean(values)) if values else float("nan")


def _measured_mean(values: list, geometric: bool = False) -> float:
    """The (geometric) mean over seeds of the values measured (finite); nan if none
    was (every seed diverged before its first epoch ended). A geometric mean with a 0
    (a first layer with no gradient at all) is 0."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return float("nan")
    if not geometric:
        return float(np.mean(finite))
    return 0.0 if min(finite) <= 0 else float(np.exp(np.mean(np.log(finite))))


@dataclass
class Comparison:
    """The result of ``compare_activations``: ``rows`` (one per activation, the means over
    seeds), ``runs`` (one per activation and seed) and each run's ``histories``."""

    rows: list
    runs: list = field(repr=False)
    settings: dict = field(default_factory=dict)

    @property
    def histories(self) -> dict:
        """{(activation, seed): History}."""
        return {(r["activation"], r["seed"]): History.from_json(r["history"]) for r in self.runs}

    def to_csv(self, path) -> None:
        with atomic_write(path, where="Comparison.to_csv", newline="",
                          encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(self.rows)

    def _parts(self) -> tuple:
        """(column titles, rows of formatted cells) of the table."""
        target = self.settings.get("target", 0.9)
        show_diverged = any(r["diverged"] for r in self.rows)
        titles = ["activation", "test acc (mean ± std)", f"epochs to {100 * target:g}%",
                  "grad norm first/last", "dead", "saturated", "µs/step"]
        titles += ["diverged"] if show_diverged else []
        n_seeds = len(self.settings.get("seeds", [])) or 1
        accuracies = collections.Counter(run["activation"] for run in self.runs
                                         if math.isfinite(run["test_acc"]))
        rows = []
        for r in self.rows:
            reach = "never" if r["epochs_to_target"] is None else f"{r['epochs_to_target']:.1f}"
            if not math.isfinite(r["test_acc_mean"]):  # (no seed trained: nothing to reach)
                reach = "–"
            cost = "–" if r["us_per_step"] is None else f"{r['us_per_step']:.0f}"
            # (one seed's accuracy has no spread to show, not a spread of 0; rows given
            # without their runs count the seeds that did not diverge)
            measured = accuracies[r["activation"]] if self.runs else n_seeds - r["diverged"]
            spread = f"{r['test_acc_std']:.3f}" if measured > 1 else "–"
            accuracy = f"{r['test_acc_mean']:.3f} ± {spread}" \
                if math.isfinite(r["test_acc_mean"]) else "–"
            rows.append([r["activation"], accuracy,
                         reach, _cell(r["grad_ratio"], ".1e"), _cell(r["dead_rate"], ".0%"),
                         _cell(r["saturation_rate"], ".0%"), cost]
                        + ([f"{r['diverged']}/{n_seeds}"] if show_diverged else []))
        return titles, rows

    def table(self) -> str:
        """A Markdown table of ``rows`` (a 'diverged' column when some run diverged)."""
        titles, rows = self._parts()
        lines = ["| " + " | ".join(titles) + " |", "|---" * len(titles) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The table as HTML (a notebook shows it for a Comparison)."""
        return html_table(*self._parts())

    @property
    def failures(self) -> list:
        """(activation, seed, message) of every run that diverged."""
        return [(r["activation"], r["seed"], r["diverged"]) for r in self.runs if r["diverged"]]

    def __str__(self) -> str:
        return self.table()


def _cell(value: float, spec: str) -> str:
    """``value`` formatted, or "–" when it was not measured (nan)."""
    return format(value, spec) if math.isfinite(value) else "–"


def _summarize(activation: str, runs: list) -> dict:
    acc = [r["test_acc"] for r in runs if math.isfinite(r["test_acc"])]
    reached = [r["epochs_to_target"] for r in runs if r["epochs_to_target"] is not None]
    costs = [r["us_per_step"] for r in runs if r["us_per_step"] is not None]
    return {
        "activation": activation,
        # over the seeds that trained (a run diverged in its first epoch has no accuracy);
        # the standard deviation of those seeds' values (numpy's, ddof=0)
        "test_acc_mean": float(np.mean(acc)) if acc else float("nan"),
        "test_acc_std": float(np.std(acc)) if acc else float("nan"),
        # mean over seeds when every seed reached the target, else None
        "epochs_to_target": float(np.mean(reached)) if len(reached) == len(runs) else None,
        # over the seeds that measured them (the 'diverged' count says how many did not)
        "grad_ratio": _measured_mean([r["grad_ratio"] for r in runs], geometric=True),
        "dead_rate": _measured_mean([r["dead_rate"] for r in runs]),
        "saturation_rate": _measured_mean([r["saturation_rate"] for r in runs]),
        "us_per_step": float(np.median(costs)) if costs else None,
        "diverged": sum(1 for r in runs if r["diverged"]),
    }


def compare_activations(dataset: str = "moons", activations=("relu", "leaky_relu", "elu", "gelu",
                                                             "sigmoid", "tanh"),
                        depth: int = 8, width: int = 32, epochs: int = 30, seeds=3, norm=None,
                        lr: float = 1e-2, n_jobs: int = 1, batch_size: int = 64,
                        target: float = 0.9) -> Comparison:
    """Train the same MLP with each activation over the same splits and seeds.

    Args:
        dataset: a ``tinynet.data`` dataset name (default 'moons').
        activations: names from ``tinynet.models.ACTIVATIONS`` (or registered with
            ``register_activation``), 'module:Class' paths, or activation classes.
        depth, width: hidden layers and units per layer (8 × 32).
        epochs: training epochs per run (30); lr: Adam's learning rate (1e-2).
        seeds: number of seeds (0..seeds-1) or a list (or array) of integer seeds (3).
        norm: None or 'layernorm'.
        n_jobs: parallel jobs through joblib (1, as None; -1 for every core). Inside
            ``joblib.parallel_backend('dask')`` the jobs run on the dask cluster.
        batch_size: minibatch size (64); target: accuracy for "epochs to target" (0.9).

    Returns:
        Comparison: per-activation means (test accuracy mean ± std over seeds, epochs
        to reach ``target`` validation accuracy, first/last Linear gradient-norm ratio in
        the first epoch (geometric mean), final dead and saturation rates, µs per
        training step, how many seeds diverged) and every run with its History. A
        diverged run counts with its last finite epoch, and not at all when it diverged
        in its first epoch (nothing was trained); ``failures`` names each. The ± is the
        standard deviation over seeds (ddof=0).

    Example:
        >>> import tinynet as tn
        >>> result = tn.experiments.compare_activations(
        ...     "moons", ["relu", "sigmoid"], depth=2, width=8, epochs=2, seeds=1)
        >>> [row["activation"] for row in result.rows]
        ['relu', 'sigmoid']
    """
    where = "compare_activations"  # every check here, not in a worker's traceback
    check_choice(where, "dataset", dataset, DATASETS)
    activations = [activations] if isinstance(activations, str) else list(activations)
    if not activations:
        raise ValueError(f"{where}: activations must name at least one activation, got []")
    resolved = [resolve_activation(where, a) for a in activations]
    labels = [label for label, _, _ in resolved]
    shown = [display_name(label) for label in labels]  # as the table and figure name them
    if len(set(shown)) != len(shown):
        raise ValueError(f"{where}: activations must have distinct names (the table and the "
                         f"figure tell them apart by name), got {labels}, shown as "
                         f"{shown}; give one another name with "
                         f"tinynet.models.register_activation(name, factory)")
    for name, value in (("depth", depth), ("width", width), ("epochs", epochs),
                        ("batch_size", batch_size)):
        check_int(where, name, value, 1)
    if isinstance(seeds, (numbers.Integral, bool, np.bool_)) or \
            not isinstance(seeds, (list, tuple, range, np.ndarray)):
        seeds = list(range(check_int(where, "seeds", seeds, 1)))
    seeds = [s.item() if isinstance(s, np.generic) else s for s in seeds]
    if not seeds:
        raise ValueError(f"{where}: seeds must be a count >= 1 or a non-empty list, got []")
    for seed in seeds:
        if seed is None:  # (an unseeded run: the comparison could not be repeated)
            raise TypeError(f"{where}: seeds must be integers, got None in {seeds}")
        check_seed(where, "seeds", seed)
    if len(set(seeds)) != len(seeds):  # a seed twice is the same run twice: no spread
        raise ValueError(f"{where}: seeds must be distinct (a seed repeated trains the same "
                         f"run again, and its spread would be 0), got {seeds}")
    check_choice(where, "norm", norm, NORMS)
    lr = check_real(where, "lr", lr, 0.0, low_open=True)
    target = check_real(where, "target", target, 0.0, 1.0, low_open=True)
    n_jobs = 1 if n_jobs is None else check_int(where, "n_jobs", n_jobs)  # (joblib's None)
    if n_jobs == 0:
        raise ValueError(f"{where}: n_jobs must be a positive count or negative (-1: every "
                         f"core), got 0")
    start = time.perf_counter()
    runs = Parallel(n_jobs=n_jobs)(
        # NOTE: the dtype is passed on: a worker process starts with the library's default.
        # An activation goes as _as_sent says (a registered one as its triple).
        delayed(run_one)(dataset, _as_sent(activation, triple), depth, width, epochs, seed,
                         norm, lr, batch_size, target, get_default_dtype())
        for activation, triple in zip(activations, resolved) for seed in seeds)
    rows = [_summarize(a, [r for r in runs if r["activation"] == a]) for a in labels]
    settings = dict(dataset=dataset, depth=depth, width=width, epochs=epochs, seeds=seeds,
                    norm=norm, lr=lr, batch_size=batch_size, target=target,
                    n_classes=runs[0]["n_classes"], seconds=time.perf_counter() - start)
    return Comparison(rows, runs, settings)
