"""History: JSON and CSV export, the summary table, and diagnose()'s rules."""
import csv
import json
import math
import re

import numpy as np
import pytest

import tinynet as tn
from tinynet.diagnostics.labels import layer_labels
from tinynet.training import History


@pytest.fixture(scope="module")
def moons():
    return tn.data.load_dataset("moons", seed=0, n_samples=600)


def _run(data, activation="gelu", hidden=(16, 16), norm=None, seed=0, **fit_kwargs):
    tn.manual_seed(seed)
    model = tn.models.MLP(2, list(hidden), 2, activation=activation, norm=norm)
    kwargs = dict(lr=0.01, epochs=4, seed=seed, progress=False,
                  validation_data=(data.X_test, data.y_test))
    return tn.fit(model, data.X_train, data.y_train, **{**kwargs, **fit_kwargs})


@pytest.fixture(scope="module")
def history(moons):
    return _run(moons)


def _same(a, b) -> bool:
    """Deep equality in which NaN equals NaN and types must match exactly."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


# ---- JSON ----------------------------------------------------------------------------------
def test_json_round_trip_is_exact(history):
    again = History.from_json(history.to_json())
    assert _same(again.records, history.records)
    assert _same(again.config, json.loads(json.dumps(history.config)))
    assert again.to_json() == history.to_json()


def test_json_on_one_line_reads_back_the_same(history):
    compact = history.to_json(indent=None)
    assert "\n" not in compact and len(compact) < len(history.to_json())
    assert _same(History.from_json(compact).records, history.records)
    assert History.from_json(compact).to_json() == history.to_json()


@pytest.mark.parametrize("indent", [0, 3, np.int64(2)])
def test_json_indents_as_json_does(history, indent):
    assert history.to_json(indent=indent) == json.dumps(json.loads(history.to_json()),
                                                         indent=int(indent))


@pytest.mark.parametrize("indent, error", [(-1, ValueError), (1.5, TypeError), ("2", TypeError),
                                           (True, TypeError)])
def test_json_indent_is_checked(history, indent, error):
    with pytest.raises(error, match=r"History.to_json: indent must be None or an integer "
                                    r">= 0, got " + repr(indent).replace(".", r"\.")):
        history.to_json(indent=indent)


def test_json_round_trip_keeps_nan_and_none():
    # a layer frozen by the optimizer: no gradient norm or update was measured (NaN); no
    # validation data (None)
    data = tn.data.load_dataset("iris", seed=0)
    tn.manual_seed(0)
    model = tn.models.MLP(4, [8], 3)
    model[0].requires_grad_(False)
    optimizer = tn.optim.Adam(model[2].parameters())
    run = tn.fit(model, data.X_train, data.y_train, epochs=2, optimizer=optimizer,
                 progress=False)
    assert math.isnan(run.records[0]["layers"]["0"]["update_ratio"])
    assert run.records[0]["val_loss"] is None
    again = History.from_json(run.to_json())
    assert _same(again.records, run.records)


def test_json_file_round_trip_with_str_and_path(history, tmp_path):
    path = tmp_path / "run.json"
    text = history.to_json(path)
    assert path.read_text(encoding="utf-8") == text
    for source in (path, str(path)):
        assert _same(History.from_json(source).records, history.records)


def test_json_holds_what_reproduces_the_run(history):
    data = json.loads(history.to_json())
    config = data["config"]
    for key in ("model", "loss", "optimizer", "lr", "epochs", "batch_size", "seed", "shuffle",
                "versions"):
        assert key in config
    assert set(config["versions"]) >= {"tinynet", "numpy", "scikit-learn", "python"}
    assert config["versions"]["tinynet"] == tn.__version__
    assert "MLP" in config["model"] and "activation='gelu'" in config["model"]


# ---- CSV ------------------------------------------------------------------------------------
def test_csv_has_one_row_per_epoch_with_layer_columns(history, tmp_path):
    path = tmp_path / "run.csv"
    history.to_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(history) == 4
    columns = rows[0].keys()
    for column in ("epoch", "train_loss", "val_acc", "0/grad_norm", "0/update_ratio",
                   "1/dead_rate", "1/saturation_rate", "1/act_std", "4/grad_norm"):
        assert column in columns
    assert "1/dead_units" not in columns  # lists are not CSV cells
    for row, record in zip(rows, history.records):
        assert int(row["epoch"]) == record["epoch"]
        assert float(row["train_loss"]) == record["train_loss"]  # written exactly
        assert float(row["2/grad_norm"]) == record["layers"]["2"]["grad_norm"]
        assert float(row["3/dead_rate"]) == record["layers"]["3"]["dead_rate"]


# ---- reading ---------------------------------------------------------------------------------
def test_getitem_and_layer_metric(history):
    assert history["epoch"] == [1, 2, 3, 4]
    assert history["val_acc"] == [r["val_acc"] for r in history.records]
    with pytest.raises(KeyError, match=r"History: key must be one of 'epoch', .*got "
                                       r"'val_accuracy' \(did you mean 'val_acc'\?\)"):
        history["val_accuracy"]
    grad = history.layer_metric("grad_norm")
    assert list(grad) == ["0", "2", "4"]  # the Linear layers, in order
    assert grad["2"] == [r["layers"]["2"]["grad_norm"] for r in history.records]
    assert list(history.layer_metric("dead_rate")) == ["1", "3"]
    assert history.layer_metric("no_such_metric") == {}


def test_summary_lists_every_layer_of_the_last_epoch(history):
    text = history.summary()
    lines = text.splitlines()
    assert lines[0].startswith("epoch 4: train loss")
    assert f"{history.records[-1]['train_loss']:.4f}" in lines[0]
    layers = history.records[-1]["layers"]
    labels = layer_labels(layers)
    assert lines[1].split()[:2] == ["module", "layer"]
    for name, stats in layers.items():
        # the module's path, then its label as the hints write it ("layer 2 · Tanh")
        row = [line for line in lines if line.startswith(f"{name} ")
               and line[len(name):].strip().startswith(labels[name])]
        assert len(row) == 1, name
        assert stats["kind"] in labels[name]
    assert "first/last Linear gradient-norm ratio" in text
    assert History().summary() == "History: no epochs recorded"
    assert repr(history) == "History(4 epochs)"


def test_summary_without_a_monitor_says_there_are_no_layer_statistics(moons):
    unmonitored = _run(moons, monitor=False)
    assert unmonitored.summary().splitlines()[1:] == [
        "no per-layer statistics: the run had no Monitor (monitor=False)"]
    assert "<table" not in unmonitored._repr_html_()
    assert "no per-layer statistics" in unmonitored._repr_html_()


# ---- notebooks and logs ------------------------------------------------------------------------
def test_notebook_reprs_are_html_tables_of_the_same_numbers(history):
    page = history._repr_html_()
    assert page.startswith("<table><caption>epoch 4: train loss")
    labels = layer_labels(history.records[-1]["layers"])
    for name, label in labels.items():
        assert f"<td>{name}</td><td>{label}</td>" in page
    assert History()._repr_html_() == "<p>History: no epochs recorded</p>"
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    report = tn.init_report(tn.models.MLP(2, [8], 2), data.X_train, data.y_train)
    assert report._repr_html_().count("<tr>") == len(report) + 1
    result = tn.experiments.compare_activations("moons", ["relu"], depth=1, width=4,
                                                epochs=1, seeds=1)
    assert "<td>relu</td>" in result._repr_html_()


def test_verbose_logs_one_line_per_epoch_where_no_bar_can_be_drawn(moons, capsys):
    _run(moons, epochs=3, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "train loss" in lines[0] and "val acc" in lines[0] and lines[0].endswith(" s)")
    _run(moons, epochs=1)
    assert capsys.readouterr().out == ""  # quiet unless asked


def test_in_a_notebook_the_bar_is_drawn_without_a_terminal(moons, monkeypatch, capsys):
    from tinynet.training import progress

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    drawn = []
    real = progress.Progress.__init__

    def spy(self, *args):
        real(self, *args)
        drawn.append(self.bar is not None)

    monkeypatch.setattr(progress.Progress, "__init__", spy)
    _run(moons, epochs=1, verbose=True, progress=True)
    _run(moons, epochs=1, verbose=True, progress=False)
    assert drawn == [True, False]
    # the bar shows the first run: no log lines as well; the second logs its one epoch
    assert capsys.readouterr().out.count("epoch 1/1") == 1


def test_summary_rows_carry_the_labels_the_hints_name():
    """A hint names layers as "layer 3 · Sigmoid"; the summary printed above it names its
    rows the same way (a module path such as "5" is another module)."""
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16] * 10, 2, activation="sigmoid")
    history = tn.fit(model, data.X_train, data.y_train, epochs=2, batch_size=32, seed=0,
                     progress=False)
    named = {label for hint in history.diagnose()
             for label in re.findall(r"layer \d+ · \w+", str(hint))}
    assert named  # the deep sigmoid net gets its vanishing-gradient hint
    rows = history.summary().splitlines()[2:]
    for label in named:
        assert any(re.match(rf"\S+\s+{re.escape(label)}\b", row) for row in rows), label
