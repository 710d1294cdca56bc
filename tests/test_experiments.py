"""experiments.compare_activations: rows, runs, determinism across job counts, CSV."""
import csv
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet.experiments import COLUMNS, Comparison, compare_activations
from tinynet.training import History

SMALL = dict(dataset="moons", activations=["relu", "sigmoid"], depth=2, width=8, epochs=3,
             seeds=2)


@pytest.fixture(scope="module")
def serial():
    return compare_activations(**SMALL, n_jobs=1)


def test_one_row_per_activation_and_one_run_per_seed(serial):
    assert [r["activation"] for r in serial.rows] == ["relu", "sigmoid"]
    assert [(r["activation"], r["seed"]) for r in serial.runs] == [
        ("relu", 0), ("relu", 1), ("sigmoid", 0), ("sigmoid", 1)]
    for row in serial.rows:
        assert tuple(row) == COLUMNS
        runs = [r for r in serial.runs if r["activation"] == row["activation"]]
        acc = [r["test_acc"] for r in runs]
        assert row["test_acc_mean"] == pytest.approx(np.mean(acc))
        assert row["test_acc_std"] == pytest.approx(np.std(acc))
        assert row["grad_ratio"] == pytest.approx(math.sqrt(runs[0]["grad_ratio"]
                                                            * runs[1]["grad_ratio"]))
        assert 0 <= row["dead_rate"] <= 1 and 0 <= row["saturation_rate"] <= 1
        assert row["us_per_step"] > 0
    assert serial.settings["seeds"] == [0, 1] and serial.settings["depth"] == 2


def test_each_run_carries_its_history(serial):
    histories = serial.histories
    assert set(histories) == {("relu", 0), ("relu", 1), ("sigmoid", 0), ("sigmoid", 1)}
    for run in serial.runs:
        history = histories[(run["activation"], run["seed"])]
        assert isinstance(history, History) and len(history) == 3
        # validation data is the test split, evaluated after the last epoch
        assert run["test_acc"] == pytest.approx(history.records[-1]["val_acc"])
        assert history.config["seed"] == run["seed"]
        assert f"activation='{run['activation']}'" in history.config["model"]


def test_epochs_to_target_is_the_first_epoch_reaching_it():
    result = compare_activations("moons", ["gelu"], depth=1, width=16, epochs=6, seeds=[0],
                                 lr=0.05, target=0.8)
    run = result.runs[0]
    val = result.histories[("gelu", 0)]["val_acc"]
    first = next(i + 1 for i, acc in enumerate(val) if acc >= 0.8)
    assert run["epochs_to_target"] == first
    assert result.rows[0]["epochs_to_target"] == float(first)
    never = compare_activations("moons", ["gelu"], depth=1, width=4, epochs=1, seeds=[0],
                                target=1.0)
    assert never.rows[0]["epochs_to_target"] is None
    assert "| never |" in never.table()


def test_two_jobs_give_the_same_numbers_as_one(serial):
    parallel = compare_activations(**SMALL, n_jobs=2)
    for a, b in zip(serial.runs, parallel.runs):
        for key in a:
            if key not in ("us_per_step", "history"):
                assert a[key] == b[key], key
        ha, hb = History.from_json(a["history"]), History.from_json(b["history"])
        for ra, rb in zip(ha.records, hb.records):
            assert {**ra, "seconds": 0} == {**rb, "seconds": 0}
    for a, b in zip(serial.rows, parallel.rows):
        assert {**a, "us_per_step": 0} == {**b, "us_per_step": 0}


def test_runs_follow_the_default_dtype_in_every_worker():
    def losses(result, seed=0):
        return result.histories[("tanh", seed)]["train_loss"]

    small = dict(dataset="iris", activations=["tanh"], depth=1, width=4, epochs=1)
    tn.set_default_dtype(tn.float64)
    try:
        serial = compare_activations(**small, seeds=[0])
        parallel = compare_activations(**small, seeds=[0, 1], n_jobs=2)
    finally:
        tn.set_default_dtype(tn.float32)
    single = compare_activations(**small, seeds=[0])
    assert serial.histories[("tanh", 0)].config["dtype"] == "float64"
    assert parallel.histories[("tanh", 1)].config["dtype"] == "float64"
    assert single.histories[("tanh", 0)].config["dtype"] == "float32"
    assert losses(serial) == losses(parallel) != losses(single)


def test_csv_and_table(serial, tmp_path):
    path = tmp_path / "compare.csv"
    serial.to_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["activation"] for r in rows] == ["relu", "sigmoid"]
    assert tuple(rows[0]) == COLUMNS
    assert float(rows[1]["test_acc_mean"]) == serial.rows[1]["test_acc_mean"]
    table = serial.table()
    assert table.splitlines()[0].startswith("| activation | test acc (mean ± std)")
    assert len(table.splitlines()) == 4 and str(serial) == table


def test_one_seed_has_no_spread_to_show():
    rows = [{"activation": "relu", "test_acc_mean": 0.9, "test_acc_std": 0.0, "diverged": d,
             "epochs_to_target": 1.0, "grad_ratio": 0.5, "dead_rate": 0.1,
             "saturation_rate": 0.5, "us_per_step": 100.0} for d in (0, 1)]
    def runs(*accuracies):
        return [{"activation": "relu", "seed": s, "test_acc": a}
                for s, a in enumerate(accuracies)]

    one = Comparison(rows[:1], runs(0.9), {"seeds": [0]}).table().splitlines()[2]
    assert one.startswith("| relu | 0.900 ± – | 1.0 |")
    two = Comparison(rows[:1], runs(0.9, 0.9), {"seeds": [0, 1]}).table().splitlines()[2]
    assert two.startswith("| relu | 0.900 ± 0.000 |")  # two seeds that agree: a spread of 0
    # two seeds, one diverged in its first epoch (no accuracy): one measured
    assert "| 0.900 ± – |" in Comparison(rows[1:], runs(0.9, float("nan")),
                                         {"seeds": [0, 1]}).table()


@pytest.mark.parametrize("kwargs, match", [
    ({"activations": ["relu", "swish"]}, "compare_activations: activation must be one of "
                                         "'elu', .* got 'swish'"),
    ({"activations": []}, "activations must name at least one activation"),
    ({"dataset": "mnist"}, "compare_activations: dataset must be one of 'moons', .* got 'mnist'"),
    ({"seeds": 0}, "compare_activations: seeds must be an integer >= 1, got 0"),
    ({"seeds": []}, "seeds must be a count >= 1 or a non-empty list, got"),
    ({"seeds": [0, -1]}, r"seeds must be an integer in \[0, .*\], got -1"),
    ({"seeds": [0, 0, 0]}, r"seeds must be distinct .* got \[0, 0, 0\]"),
    ({"depth": -1}, "compare_activations: depth must be an integer >= 1, got -1"),
    ({"width": 0}, "compare_activations: width must be an integer >= 1, got 0"),
    ({"epochs": 0}, "compare_activations: epochs must be an integer >= 1, got 0"),
    ({"target": -1}, r"compare_activations: target must be a finite number in \(0, 1\], got -1"),
    ({"target": 1.5}, r"target must be a finite number in \(0, 1\], got 1.5"),
    ({"lr": 0}, "compare_activations: lr must be a finite number > 0, got 0"),
    ({"norm": "batchnorm"}, "compare_activations: norm must be one of None, 'layernorm'"),
    ({"n_jobs": 0}, "n_jobs must be a positive count or negative"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_activations(**{**SMALL, **kwargs})


def test_a_gradient_ratio_of_0_is_a_measurement_and_nan_is_none():
    from tinynet.experiments import _summarize

    def runs(ratios):
        return [{"test_acc": 0.5, "epochs_to_target": None, "grad_ratio": r,
                 "dead_rate": 0.0, "saturation_rate": 0.0, "us_per_step": 1.0,
                 "diverged": None} for r in ratios]

    assert _summarize("relu", runs([0.0, 0.0]))["grad_ratio"] == 0.0  # no gradient at all
    assert _summarize("relu", runs([0.0, 1e-3]))["grad_ratio"] == 0.0
    assert _summarize("relu", runs([1e-2, 1e-4, math.nan]))["grad_ratio"] == \
        pytest.approx(1e-3)
    assert math.isnan(_summarize("relu", runs([math.nan]))["grad_ratio"])


@pytest.mark.parametrize("target, title", [(0.9, "epochs to 90%"), (0.999, "epochs to 99.9%"),
                                           (0.955, "epochs to 95.5%"), (1.0, "epochs to 100%")])
def test_the_target_column_names_the_target_unrounded(target, title):
    from tinynet.experiments import Comparison

    assert Comparison([], [], {"target": target}).table().split(" | ")[2] == title


def _numbers(result) -> list:
    """Every run's numbers and History, timings left out."""
    numbers = []
    for run in result.runs:
        history = History.from_json(run["history"])
        records = [{k: v for k, v in r.items() if k != "seconds"} for r in history.records]
        numbers.append(({k: v for k, v in run.items() if k not in ("us_per_step", "history")},
                        records))
    return numbers


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_numbers_are_bit_identical_for_any_job_count_and_backend(serial, backend):
    # each run draws from its own generators: threads sharing the global one would race
    joblib = pytest.importorskip("joblib")
    with joblib.parallel_backend(backend, n_jobs=2):
        parallel = compare_activations(**SMALL, n_jobs=2)
    assert _numbers(parallel) == _numbers(serial)


def test_runs_never_touch_the_global_generator():
    tn.manual_seed(123)
    expected = tn.randn(3).array
    tn.manual_seed(123)
    compare_activations(**{**SMALL, "seeds": 1, "activations": ["relu"]})
    np.testing.assert_array_equal(tn.randn(3).array, expected)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_run_is_kept_and_named_not_the_whole_comparison_lost():
    result = compare_activations("moons", ["relu", "tanh"], depth=2, width=8, epochs=2,
                                 seeds=[0, 1], lr=1e12)
    assert len(result.runs) == 4  # every run is there
    failures = result.failures
    assert failures and all("the loss became" in message for _, _, message in failures)
    assert {(a, s) for a, s, _ in failures} <= {("relu", 0), ("relu", 1), ("tanh", 0),
                                                ("tanh", 1)}
    for row in result.rows:
        diverged = [r for r in result.runs if r["activation"] == row["activation"]
                    and r["diverged"]]
        assert row["diverged"] == len(diverged)
        assert 0.0 <= row["test_acc_mean"] <= 1.0
    assert result.table().splitlines()[0].endswith(" diverged |")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_runs_that_diverged_in_their_first_epoch_measured_nothing_and_say_so():
    from tinynet import plot

    result = compare_activations("moons", ["relu", "tanh"], depth=3, width=16, epochs=3,
                                 seeds=2, lr=1e30)
    relu = next(row for row in result.rows if row["activation"] == "relu")
    assert relu["diverged"] == 2  # both at their first step
    # nothing was trained: no accuracy either (the untrained model's would pass for one)
    assert all(math.isnan(relu[key]) for key in ("test_acc_mean", "test_acc_std",
                                                  "grad_ratio", "dead_rate",
                                                  "saturation_rate"))
    assert all(math.isnan(r["test_acc"]) for r in result.runs if r["activation"] == "relu")
    line = next(line for line in result.table().splitlines() if line.startswith("| relu"))
    assert line.split(" | ")[1] == "–" and line.split(" | ")[3:6] == ["–", "–", "–"]
    accuracy, grad, units = plot.comparison(result).axes
    assert "not measured (diverged)" in [t.get_text() for t in accuracy.texts]
    assert [t.get_text() for t in grad.texts if t.get_position()[0] == 0] == ["not measured"]
    assert [t.get_text() for t in units.texts] == ["not measured"]
    assert units.get_xlim() == (-0.5, 1.5)  # the unmeasured activation keeps its place


def test_a_registered_or_imported_activation_keeps_its_name_and_gain_in_every_worker():
    """A worker process's registry does not hold a registered name: the run gets the
    (name, factory, gain) triple, so its row is filled and its init is MLP's."""
    from tinynet.experiments import run_one
    from tinynet.models import ACTIVATIONS, register_activation

    swish = tn.nn.SiLU  # a class whose name is not the name it is registered under
    register_activation("swish_test", swish, gain="relu")
    try:
        settings = dict(depth=2, width=8, epochs=2, seeds=2)
        serial = compare_activations("moons", ["swish_test", "tinynet.nn:SiLU"], **settings)
        parallel = compare_activations("moons", ["swish_test", "tinynet.nn:SiLU"], n_jobs=2,
                                       **settings)
        here = run_one("moons", "swish_test", 2, 8, 2, seed=0)  # MLP's own init, by name
    finally:
        del ACTIVATIONS["swish_test"]
    for result in (serial, parallel):
        assert [row["activation"] for row in result.rows] == ["swish_test", "SiLU"]
        assert all(math.isfinite(row["test_acc_mean"]) for row in result.rows)
    assert serial.rows == [{**row, "us_per_step": r["us_per_step"]}
                           for row, r in zip(parallel.rows, serial.rows)]
    assert serial.runs[0]["test_acc"] == here["test_acc"]


def test_activations_must_differ_as_the_table_names_them():
    with pytest.raises(ValueError, match=r"distinct names \(the table and the figure tell "
                                         r"them apart by name\), got \['relu', 'ReLU'\]"):
        compare_activations("moons", ["relu", "tinynet.nn:ReLU"], depth=1, epochs=1, seeds=1)
    with pytest.raises(TypeError, match=r"activation must make a module with no arguments "
                                        r"\(the model makes one per layer\), but Linear\(\) "
                                        r"fails"):
        compare_activations("moons", ["tinynet.nn:Linear"], depth=1, epochs=1, seeds=1)


def test_a_built_in_name_registered_anew_reaches_workers_as_registered():
    from tinynet.models import ACTIVATIONS, register_activation

    built_in = ACTIVATIONS["relu"]
    register_activation("relu", tn.nn.Tanh, gain="tanh")
    try:
        settings = dict(depth=2, width=8, epochs=2, seeds=1)
        serial = compare_activations("moons", ["relu"], **settings)
        parallel = compare_activations("moons", ["relu"], n_jobs=2, **settings)
        as_tanh = compare_activations("moons", ["tanh"], **settings)
    finally:
        ACTIVATIONS["relu"] = built_in
    assert serial.runs[0]["test_acc"] == parallel.runs[0]["test_acc"] == \
        as_tanh.runs[0]["test_acc"]


def test_seeds_as_an_array_and_n_jobs_none_are_taken_and_an_unseeded_run_refused():
    small = dict(depth=1, width=4, epochs=1)
    result = compare_activations("moons", ["relu"], seeds=np.array([0, 1]), n_jobs=None,
                                 **small)
    listed = compare_activations("moons", ["relu"], seeds=[0, 1], **small)
    assert [r["seed"] for r in result.runs] == [0, 1]
    assert [r["test_acc"] for r in result.runs] == [r["test_acc"] for r in listed.runs]
    with pytest.raises(TypeError, match=r"seeds must be integers, got None in \[None\]"):
        compare_activations("moons", ["relu"], seeds=[None], **small)


def test_a_run_that_fails_says_which_activation_and_seed():
    import sys

    class Raiser(tn.nn.Module):
        def forward(self, x):
            raise ValueError("Raiser.forward refuses to run")

        @staticmethod
        def derivative(x, y):
            return x

    with pytest.raises(ValueError, match="Raiser.forward refuses to run") as info:
        compare_activations("moons", [Raiser], depth=1, width=4, epochs=1, seeds=[3])
    if sys.version_info >= (3, 11):  # (exceptions take notes from 3.11 on)
        assert "(in the run of activation 'Raiser', seed 3)" in info.value.__notes__


def test_a_module_class_path_reaches_workers_as_the_path():
    # a worker imports it itself (and says so when it cannot), where an unpicklable class
    # kept joblib's dask backend waiting; registered and other activations go as triples
    from tinynet.experiments import _as_sent
    from tinynet.models import resolve_activation

    for name in ("relu", "tinynet.nn:Tanh"):
        assert _as_sent(name, resolve_activation("test", name)) == name
    triple = resolve_activation("test", tn.nn.Tanh)
    assert _as_sent(tn.nn.Tanh, triple) is triple
