"""tinynet.plot: each figure is rendered headless and checked for what it draws: its panels,
their titles and scales, the lines' data against the History's numbers, reference lines,
integer epoch ticks, layer labels, and the decision boundary's predictions."""
import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")  # headless, whatever backend the environment names

from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet import plot  # noqa: E402
from tinynet.experiments import Comparison, compare_activations  # noqa: E402
from tinynet.sklearn import MLPClassifier  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and len(data) > 5000  # a real picture, not a stub


def _axis(fig, title: str):
    """The one axes of ``fig`` whose title starts with ``title``."""
    found = [ax for ax in fig.axes if ax.get_title().startswith(title)]
    assert len(found) == 1, [ax.get_title() for ax in fig.axes]
    return found[0]


def _layer_lines(ax) -> dict:
    """{legend label: y data} of the lines that show a layer."""
    return {line.get_label(): line.get_ydata() for line in ax.lines
            if line.get_label().startswith("layer ")}


def _assert_integer_epoch_ticks(fig) -> int:
    epoch_axes = [ax for ax in fig.axes if ax.get_xlabel() == "epoch"]
    for ax in epoch_axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), (ax.get_title(), ticks)
    return len(epoch_axes)


@pytest.fixture(scope="module")
def trained():
    """A monitored 3-epoch ReLU run on moons: Linear 0, 2, 4 and ReLU 1, 3."""
    data = tn.data.load_dataset("moons", seed=0, n_samples=300)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16, 16], 2, activation="relu")
    history = tn.fit(model, data.X_train, data.y_train, lr=0.02, epochs=3, seed=0,
                     validation_data=(data.X_test, data.y_test), progress=False)
    return data, model, history


# ---- health ----------------------------------------------------------------------------
def test_health_draws_every_panel_from_the_historys_numbers(trained, tmp_path):
    _, _, history = trained
    path = tmp_path / "health.png"
    fig = plot.health(history, path)
    assert _is_png(path)
    linears = ["layer 1 · Linear", "layer 2 · Linear", "layer 3 · Linear (output)"]
    relus = ["layer 1 · ReLU", "layer 2 · ReLU"]

    grad = _axis(fig, "weight-gradient norm")
    assert grad.get_yscale() == "log"
    lines = _layer_lines(grad)
    assert list(lines) == linears
    for label, name in zip(linears, ("0", "2", "4")):
        np.testing.assert_array_equal(lines[label], history.layer_metric("grad_norm")[name])

    update = _axis(fig, "update / weight")
    assert update.get_yscale() == "log"
    reference = [line for line in update.lines if line.get_label() == "1e-3 rule of thumb"]
    assert len(reference) == 1 and set(reference[0].get_ydata()) == {1e-3}
    np.testing.assert_array_equal(_layer_lines(update)["layer 2 · Linear"],
                                  history.layer_metric("update_ratio")["2"])
    assert [t.get_text() for t in update.get_legend().get_texts()] == [
        *linears, "1e-3 rule of thumb"]

    for title, key in (("dead units", "dead_rate"), ("saturated", "saturation_rate")):
        lines = _layer_lines(_axis(fig, title))
        assert list(lines) == relus
        np.testing.assert_array_equal(lines["layer 2 · ReLU"], history.layer_metric(key)["3"])

    loss = _axis(fig, "loss")
    assert [line.get_label() for line in loss.lines] == ["train", "val"]
    np.testing.assert_array_equal(loss.lines[1].get_ydata(), history["val_loss"])
    accuracy = _axis(fig, "accuracy")
    np.testing.assert_array_equal(accuracy.lines[0].get_ydata(), history["train_acc"])

    # 2 loss/accuracy + 4 layer panels + one histogram heatmap per ReLU layer
    assert _assert_integer_epoch_ticks(fig) == 6 + 2


def test_health_heatmaps_show_each_epochs_output_distribution(trained):
    _, _, history = trained
    fig = plot.health(history)
    heatmap = _axis(fig, "layer 2 · ReLU")  # the heatmap's title is the bare label
    mesh = heatmap.collections[0]
    share = mesh.get_array()  # (bins shown, epochs): each epoch's share of values per bin
    assert share.shape[1] == 3
    np.testing.assert_allclose(share.sum(axis=0), 1.0)
    counts = np.array(history.layer_metric("act_hist")["3"])  # (epochs, 83)
    assert share.count() == np.count_nonzero(counts)  # empty bins are masked, none dropped
    # the bin centred on 0 (ReLU's zeros) is among those shown, at its true share
    centres = mesh.get_coordinates()[:, 0, 1]
    zero_row = np.flatnonzero(np.isclose(centres, -0.05))[0]
    np.testing.assert_allclose(share[zero_row], counts[:, 41] / counts.sum(axis=1))
    x = mesh.get_coordinates()[0, :, 0]
    np.testing.assert_allclose(x, [0.5, 1.5, 2.5, 3.5])  # epochs 1, 2, 3 centred


def test_health_title_reads_the_recorded_settings_and_never_none(trained):
    _, _, history = trained
    config = {**history.config, "dataset": "moons", "activation": "leaky_relu",
              "optimizer_name": "adam", "lr": 0.02}
    fig = plot.health(tn.History(history.records, config))
    assert fig.get_suptitle() == "moons · LeakyReLU · Adam lr 0.02 · 3 epochs"
    # a schedule: the rate the last epoch recorded; a run that diverged: where
    scheduled = [{**r, "lr": 0.02 * 0.5 ** r["epoch"]} for r in history.records]
    diverged = {**config, "diverged": {"epoch": 3, "step": 5, "loss": "nan"}}
    assert plot.health(tn.History(scheduled, diverged)).get_suptitle() == \
        "moons · LeakyReLU · Adam lr 0.02 → 0.0025 · 3 epochs · diverged in epoch 3"
    bare = tn.History(history.records[:1], {"dataset": None, "optimizer_name": "sgd"})
    fig = plot.health(bare)
    assert fig.get_suptitle() == "SGD · 1 epoch"
    assert _assert_integer_epoch_ticks(fig) == 8  # one epoch: a single tick at 1, no 0.95
    assert plot.health(tn.History(history.records)).get_suptitle() == "3 epochs"


def test_health_says_so_when_a_panel_has_nothing_to_show():
    data = tn.data.load_dataset("moons", seed=0, n_samples=100)
    notes = {}
    for name, model in (("leaky", tn.models.MLP(2, [8], 2, activation="leaky_relu")),
                        ("linear", tn.nn.Sequential(tn.nn.Linear(2, 2)))):
        history = tn.fit(model, data.X_train, data.y_train, epochs=2, progress=False)
        fig = plot.health(history)
        notes[name] = [ax.texts[0].get_text() if ax.texts else None
                       for ax in fig.axes[4:6]]  # dead, saturated
        assert len(fig.axes) == 6 + (name == "leaky") * 2  # + its heatmap and colour bar
    # LeakyReLU never dies; its negative side (slope 0.01 < 5.9% of 1) is saturated
    assert notes["leaky"] == ["0% in every layer and epoch", None]
    assert notes["linear"] == ["no layer recorded\ndead units (f' = 0 on every observed "
                               "sample)",
                               "no layer recorded\nsaturated (|f'| < 5.9% of its peak)"]


def test_figures_of_a_history_without_monitoring_raise_a_clear_error():
    data = tn.data.load_dataset("moons", seed=0, n_samples=100)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [4], 2)
    history = tn.fit(model, data.X_train, data.y_train, epochs=1, monitor=False,
                     progress=False)
    for name in ("health", "gradient_norms", "unit_health"):
        with pytest.raises(ValueError, match=rf"{name}: the History must hold per-layer "
                                             rf"diagnostics, got none in 1 records: train "
                                             rf"with monitor=True"):
            getattr(plot, name)(history)


# ---- curves, gradient norms, unit health -------------------------------------------------
def test_gradient_norms_unit_health_and_curves(trained, tmp_path):
    _, _, history = trained
    fig = plot.gradient_norms(history, tmp_path / "grad.png")
    assert _is_png(tmp_path / "grad.png")
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_ylabel().startswith("‖∂L/∂W‖")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "layer 1 · Linear", "layer 2 · Linear", "layer 3 · Linear (output)"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), history.layer_metric("grad_norm")["0"])
    assert _assert_integer_epoch_ticks(fig) == 1

    fig = plot.unit_health(history)
    dead, saturated = fig.axes
    assert dead.get_ylim() == saturated.get_ylim() == (-0.02, 1.02)
    assert [t.get_text() for t in saturated.get_legend().get_texts()] == [
        "layer 1 · ReLU", "layer 2 · ReLU"]
    np.testing.assert_array_equal(dead.lines[0].get_ydata(),
                                  history.layer_metric("dead_rate")["1"])
    assert _assert_integer_epoch_ticks(fig) == 2

    fig = plot.curves(history)
    loss, accuracy = fig.axes
    assert (loss.get_ylabel(), accuracy.get_ylabel()) == ("loss", "accuracy")
    np.testing.assert_array_equal(loss.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(accuracy.lines[1].get_ydata(), history["val_acc"])
    assert _assert_integer_epoch_ticks(fig) == 2


def test_curves_of_a_run_without_validation_or_accuracy(tmp_path):
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [8], 1)
    history = tn.fit(model, data.X_train, data.X_train[:, 0], loss="mse", epochs=2,
                     progress=False)
    path = tmp_path / "regression.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no artists with labels" warning
        fig = plot.curves(history, path)
    assert _is_png(path)
    loss, accuracy = fig.axes
    assert [line.get_label() for line in loss.lines] == ["train"]
    assert not accuracy.axison and "no accuracy" in accuracy.texts[0].get_text()


# ---- activations -------------------------------------------------------------------------
def test_activations_draws_one_panel_per_activation_so_none_hides_another(tmp_path):
    path = tmp_path / "activations.png"
    fig = plot.activations(path)
    assert _is_png(path)
    panels = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in panels] == [
        "sigmoid", "tanh", "Hardtanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU",
        "GELU (tanh)", "SiLU", "Mish", "Softplus"]
    for ax in panels:  # f and f' and nothing else but the axes' zero lines
        assert [line.get_label() for line in ax.lines if not line.get_label().startswith("_")
                ] == ["f(z)", "f'(z)"]
    relu, leaky = panels[3], panels[4]
    z, dz = relu.lines[1].get_data()
    assert set(np.unique(dz)) == {0.0, 1.0} and dz[z > 0].min() == 1.0
    assert leaky.lines[0].get_ydata()[0] == pytest.approx(-0.04)  # 0.01 z at z = -4
    spare = [ax for ax in fig.axes if not ax.axison]
    assert [t.get_text() for t in spare[0].get_legend().get_texts()] == ["f(z)", "f'(z)"]
    four = plot.activations(names=("sigmoid", "tanh", "relu", "gelu"))
    assert len(four.axes) == 4 and four.axes[0].get_legend() is not None


# ---- decision boundary -----------------------------------------------------------------
def _one_logit_model():
    """logit = x₁: class 1 exactly where x₁ > 0."""
    model = tn.nn.Sequential(tn.nn.Linear(2, 1))
    model[0].weight.array[...] = [[1.0, 0.0]]
    model[0].bias.array[...] = 0.0
    return model


def _points(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, (X[:, 0] + 0.3 * rng.standard_normal(n) > 0).astype(int)  # a few "wrong"


def test_decision_boundary_of_a_one_logit_model_shows_both_classes(tmp_path):
    X, y = _points()
    model = _one_logit_model().train()
    path = tmp_path / "boundary.png"
    fig = plot.decision_boundary(model, X, y, path, resolution=41)
    assert _is_png(path)
    assert model.training  # its mode is restored
    ax = fig.axes[0]
    p = ax.images[0].get_array()  # P(class 1) on the grid, rows from the bottom
    grid_x = np.linspace(*ax.get_xlim(), 41)  # the plot's limits are the grid's ends
    left, right = ax.images[0].get_extent()[:2]  # each pixel centred on its grid point
    np.testing.assert_allclose(left + (right - left) * (np.arange(41) + 0.5) / 41, grid_x)
    np.testing.assert_allclose(p[0], 1 / (1 + np.exp(-grid_x)), rtol=1e-6)  # sigmoid(logit)
    assert p.min() < 0.5 < p.max()  # both classes drawn, not one everywhere
    assert list(ax.collections[0].levels) == [0.5]  # the boundary contour
    circled = ax.collections[-1]
    wrong = (X[:, 0] > 0).astype(int) != y  # predicted class: logit > 0
    assert wrong.any()
    np.testing.assert_array_equal(circled.get_offsets(), X[wrong])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0", "class 1", f"misclassified ({wrong.sum()})"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")
    assert fig.axes[1].get_ylabel() == "P(class 1)"  # the colour bar


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 30 epochs
def test_decision_boundary_accepts_estimators_and_pipelines():
    X, y01 = _points(80, seed=1)
    y = np.array(["no", "yes"])[y01]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    fig = plot.decision_boundary(pipeline, X, y, resolution=30, feature_names=("a", "b"))
    ax = fig.axes[0]
    gx, gy = np.meshgrid(np.linspace(*ax.get_xlim(), 30), np.linspace(*ax.get_ylim(), 30))
    expected = pipeline.predict_proba(np.c_[gx.ravel(), gy.ravel()])[:, 1].reshape(30, 30)
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["class no", "class yes"]
    assert fig.axes[1].get_ylabel() == "P(class yes)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")

    # tinynet's MLPClassifier on two classes has one output logit, as has its model_
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    clf.fit(X, y01)
    assert clf.model_[-1].out_features == 1
    drawn = [plot.decision_boundary(m, X, y01, resolution=30).axes[0].images[0].get_array()
             for m in (clf, clf.model_)]
    np.testing.assert_allclose(drawn[0], drawn[1], rtol=1e-5, atol=1e-6)
    assert drawn[0].min() < 0.5 < drawn[0].max()

    # decision_function only: P = sigmoid(score), so its 0.5 contour is the boundary
    svm = LinearSVC().fit(X, y01)
    p = plot.decision_boundary(svm, X, y01, resolution=30).axes[0].images[0].get_array()
    assert p.min() < 0.5 < p.max()


def test_decision_boundary_with_three_classes_uses_the_okabe_ito_colours():
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    y = np.repeat([0, 1, 2], 20)
    X = centres[y] + 0.5 * rng.standard_normal((60, 2))
    model = tn.nn.Sequential(tn.nn.Linear(2, 3))
    model[0].weight.array[...] = centres  # logit_k = c_k · x - |c_k|²/2: nearest centre wins
    model[0].bias.array[...] = -0.5 * (centres ** 2).sum(axis=1)
    fig = plot.decision_boundary(model, X, y, resolution=40)
    ax = fig.axes[0]
    scatters = {c.get_label(): c for c in ax.collections if c.get_label().startswith("class")}
    assert list(scatters) == ["class 0", "class 1", "class 2"]
    for k, points in enumerate(scatters.values()):
        np.testing.assert_allclose(points.get_facecolor()[0], to_rgba(plot.OKABE_ITO[k]))
    assert [list(c.levels) for c in ax.collections[:3]] == [[0.0]] * 3  # the boundaries
    rgba = ax.images[0].get_array()
    drawn = {tuple(np.round(c, 3)) for c in rgba[..., :3].reshape(-1, 3)}
    assert drawn == {tuple(np.round(to_rgba(c)[:3], 3)) for c in plot.OKABE_ITO[:3]}


def test_decision_boundary_rejects_bad_inputs():
    model = _one_logit_model()
    with pytest.raises(ValueError, match=r"X must be \(N, 2\) inputs, got shape \(5, 3\)"):
        plot.decision_boundary(model, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"X must be \(N, 2\) inputs, got shape \(5,\)"):
        plot.decision_boundary(model, np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match=r"y must be \(N,\) labels with N = 5 as in X, got "
                                         r"shape \(4,\)"):
        plot.decision_boundary(model, np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"y must hold the model's classes \[0, 1\], got also "
                                         r"\[2\]"):
        plot.decision_boundary(model, np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="model must be a tinynet Module or an estimator"):
        plot.decision_boundary(object(), np.zeros((5, 2)), np.zeros(5))


# ---- comparison --------------------------------------------------------------------------
def _comparison(norm=None):
    rows = [{"activation": a, "test_acc_mean": acc, "test_acc_std": 0.02, "grad_ratio": ratio,
             "dead_rate": dead, "saturation_rate": sat}
            for a, acc, ratio, dead, sat in (("relu", 0.9, 0.24, 0.3, 0.5),
                                             ("sigmoid", 0.4, 0.10, 0.0, 0.8),
                                             ("gelu", 0.95, 3.0, 0.0, 0.05))]
    settings = {"dataset": "moons", "depth": 8, "width": 32, "epochs": 30, "seeds": [0, 1, 2],
                "norm": norm, "lr": 0.01, "n_classes": 3}
    return Comparison(rows, [], settings)


def test_comparison_draws_points_around_one_chance_and_unit_shares(tmp_path):
    path = tmp_path / "comparison.png"
    fig = plot.comparison(_comparison(), path)
    assert _is_png(path)
    assert fig.get_suptitle() == ("moons · depth 8 × width 32 · no norm · Adam lr 0.01 · "
                                  "30 epochs · 3 seeds")
    accuracy, grad, units = fig.axes
    assert [t.get_text() for t in grad.get_xticklabels()] == ["ReLU", "sigmoid", "GELU"]
    chance = [line for line in accuracy.lines if line.get_label() == "chance"]
    assert len(chance) == 1 and set(chance[0].get_ydata()) == {1 / 3}
    # its name is a tick of a right-hand axis at its level, not a text over the bars
    (level,) = accuracy.child_axes
    assert list(level.get_yticks()) == [1 / 3]
    assert [t.get_text() for t in level.get_yticklabels()] == ["chance 1/3"]
    assert not [t for t in accuracy.texts if "chance" in t.get_text()]
    assert [bar.get_height() for bar in accuracy.patches] == [0.9, 0.4, 0.95]

    assert grad.get_yscale() == "log"
    points = grad.lines[0]
    assert points.get_linestyle() == "None" and points.get_marker() == "o"
    np.testing.assert_array_equal(points.get_ydata(), [0.24, 0.10, 3.0])
    one = [line for line in grad.lines if line.get_linestyle() == "--"]
    assert len(one) == 1 and set(one[0].get_ydata()) == {1.0}
    low, high = grad.get_ylim()
    assert low < 0.10 and high > 3.0  # every point inside, none sitting on an axis edge

    assert units.get_ylim() == (-0.02, 1.02)
    heights = [bar.get_height() for bar in units.patches]
    assert heights == [0.3, 0.0, 0.0, 0.5, 0.8, 0.05]  # dead bars, then saturated bars
    assert [t.get_text() for t in units.get_legend().get_texts()] == [
        "dead units", "saturated (sample, unit);\nfor ReLU: z ≤ 0, about half is usual"]
    assert "LayerNorm" in plot.comparison(_comparison("layernorm")).get_suptitle()


def test_comparison_marks_diverged_seeds_untrained_rows_and_a_ratio_of_zero(tmp_path):
    rows = [{"activation": a, "test_acc_mean": acc, "test_acc_std": 0.02, "grad_ratio": ratio,
             "dead_rate": 0.0, "saturation_rate": 0.1, "diverged": diverged}
            for a, acc, ratio, diverged in (("relu", 0.9, 0.24, 1), ("elu", float("nan"),
                                                                    float("nan"), 3),
                                            ("tanh", 0.8, 0.0, 0))]
    settings = {"dataset": "moons", "seeds": [0, 1, 2], "lr": 0.01, "n_classes": 2}
    path = tmp_path / "diverged.png"
    accuracy, grad, _ = plot.comparison(Comparison(rows, [], settings), path).axes
    assert _is_png(path)
    # only the rows that trained get a bar; the others say why there is none
    assert [bar.get_height() for bar in accuracy.patches] == [0.9, 0.8]
    texts = [t.get_text() for t in accuracy.texts]
    assert "1/3 diverged" in texts and "not measured (diverged)" in texts
    # a ratio of 0 (no gradient reached the first layer) sits below the log axis, named
    assert "0: no\ngradient" in [t.get_text() for t in grad.texts]
    assert any(line.get_marker() == "v" for line in grad.lines)


def test_compare_activations_records_the_number_of_classes_for_chance():
    result = compare_activations("moons", ["relu", "tanh"], depth=2, width=8, epochs=1,
                                 seeds=1)
    assert result.settings["n_classes"] == 2
    fig = plot.comparison(result)
    chance = [line for line in fig.axes[0].lines if line.get_label() == "chance"]
    assert [set(line.get_ydata()) for line in chance] == [{0.5}]
    assert fig.get_suptitle() == ("moons · depth 2 × width 8 · no norm · Adam lr 0.01 · "
                                  "1 epoch · 1 seed")


def test_plots_leave_pyplot_and_its_backend_alone(tmp_path):
    backend = matplotlib.get_backend()
    plot.activations(tmp_path / "a.png")
    assert matplotlib.get_backend() == backend
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []  # nothing left open


def test_a_returned_figure_shows_in_a_notebook_without_the_inline_backend(trained):
    """IPython's display of the returned Figure holds a PNG, with no %matplotlib magic."""
    formatters = pytest.importorskip("IPython.core.formatters")
    fig = plot.curves(trained[2])
    data, _ = formatters.DisplayFormatter().format(fig)
    assert data["image/png"].startswith(b"\x89PNG")


def test_health_of_a_hand_written_loop_s_history():
    """A History filled by hand (the Monitor's records plus epoch and train_loss) draws,
    and the accuracy panel says it was not recorded rather than blaming the loss."""
    from tinynet.training import History

    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    model = tn.models.MLP(2, [8], 2, generator=np.random.default_rng(0))
    monitor, history = tn.diagnostics.Monitor(model, every=1), History()
    optimizer = tn.optim.Adam(model.parameters(), lr=0.01)
    for epoch in (1, 2):
        optimizer.zero_grad()
        loss = tn.nn.functional.cross_entropy(model(tn.tensor(data.X_train)),
                                              tn.tensor(data.y_train))
        loss.backward()
        optimizer.step()
        record = monitor.end_epoch()
        record.update(epoch=epoch, train_loss=loss.item())
        history.records.append(record)
    fig = plot.health(history)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no accuracy recorded" in texts
    assert not any("classification" in t for t in texts)
    assert len(_axis(fig, "loss").lines) == 1


def test_health_draws_zero_and_infinite_values_and_a_divergence_where_they_show():
    """A log panel has no place for 0 or inf: they are drawn as ▼ along the bottom and ▲
    along the top, and the panel names them; a loss with inf epochs says how many in its
    legend; a loss over decades is on a log axis; a diverged run says where, and the
    layers' lines differ in style as well as colour."""
    def record(epoch, norm1, norm2, val):
        return {"epoch": epoch, "train_loss": 10.0 ** (4 - 2 * epoch), "val_loss": val,
                "layers": {"0": {"kind": "Linear", "grad_norm": norm1, "update_ratio": 1e-3},
                           "1": {"kind": "ReLU", "dead_rate": 0.5, "saturation_rate": 0.5},
                           "2": {"kind": "Linear", "grad_norm": norm2, "update_ratio": 1e-3}}}
    records = [record(1, 0.5, 2.0, float("inf")), record(2, 0.0, float("inf"), 1.0),
               record(3, 0.0, 1.0, float("nan"))]
    config = {"diverged": {"epoch": 4, "step": 14, "loss": "nan"}}
    fig = plot.health(tn.History(records, config))
    grad = _axis(fig, "weight-gradient norm")
    low, high = grad.get_ylim()
    zeros = [line for line in grad.lines if line.get_marker() == "v"]
    infs = [line for line in grad.lines if line.get_marker() == "^"]
    assert len(zeros) == 1 and list(zeros[0].get_xdata()) == [2, 3]
    assert len(infs) == 1 and list(infs[0].get_xdata()) == [2]
    assert low < zeros[0].get_ydata()[0] < 0.5 and 2.0 < infs[0].get_ydata()[0] < high
    assert "▼ 0 (no gradient reached the weights)\n▲ inf (overflowed)" in \
        [t.get_text() for t in grad.texts]
    lines = _layer_lines(grad)
    np.testing.assert_array_equal(lines["layer 1 · Linear"], [0.5, np.nan, np.nan])
    styles = {line.get_label(): line.get_linestyle() for line in grad.lines
              if not line.get_label().startswith("_")}
    assert styles["layer 1 · Linear"] != styles["layer 2 · Linear (output)"]
    loss = _axis(fig, "loss")
    assert loss.get_yscale() == "log"  # 1e2 down to 1e-2
    assert [line.get_label() for line in loss.lines] == [
        "train", "val (2 epochs inf or nan, not drawn)"]
    assert "diverged: the loss became nan in epoch 4, step 14" in \
        [t.get_text() for t in loss.texts]
    assert fig.get_suptitle().endswith("3 epochs · diverged in epoch 4")


def test_off_scale_markers_of_several_layers_do_not_hide_each_other_and_say_what_they_mean():
    """Two layers with 0 in the same epochs get a row of ▼ each (one would cover the
    other); the update panel's zero means weights that did not change, its inf a change
    of weights of norm 0; its 1e-3 line is inside the panel even when every ratio is
    far above it."""
    def record(epoch):
        return {"epoch": epoch, "train_loss": 1.0,
                "layers": {"0": {"kind": "Linear", "grad_norm": 0.0, "update_ratio": 0.0},
                           "1": {"kind": "ReLU", "dead_rate": 1.0, "saturation_rate": 1.0},
                           "2": {"kind": "Linear", "grad_norm": 0.0,
                                 "update_ratio": float("inf") if epoch == 1 else 0.0},
                           "4": {"kind": "Linear", "grad_norm": 0.3, "update_ratio": 0.5}}}
    fig = plot.health(tn.History([record(1), record(2)], {}))
    for title in ("weight-gradient norm", "update / weight"):
        ax = _axis(fig, title)
        zeros = [line for line in ax.lines if line.get_marker() == "v"]
        levels = [line.get_ydata()[0] for line in zeros]
        assert len(zeros) == 2 and len(set(levels)) == 2
        colors = {tuple(line.get_color()) for line in zeros}
        assert len(colors) == 2  # each layer's own colour, both visible
        assert ax.get_ylim()[0] < min(levels)
    update = _axis(fig, "update / weight")
    low, high = update.get_ylim()
    assert low < 1e-3 < 0.5 < high  # the reference line is drawn, not only named
    assert max(line.get_ydata()[0] for line in update.lines if line.get_marker() == "v") \
        < 1e-3  # a layer that did not move sits below the line, not above it
    assert "▼ 0 (the weights did not change)\n▲ inf (weights of norm 0 changed, or an " \
        "overflow)" in [t.get_text() for t in update.texts]


def test_comparison_marks_each_seed_beside_the_mean():
    """The gradient ratio's geometric mean and the unit shares' means come with each
    seed's value: ○ beside the point, — on the bar (a mean alone hides the spread)."""
    base = _comparison()
    runs = [{"activation": "relu", "seed": s, "grad_ratio": g, "dead_rate": d,
             "saturation_rate": 0.5} for s, g, d in ((0, 0.1, 0.2), (1, 0.6, 0.4))]
    fig = plot.comparison(Comparison(base.rows, runs, base.settings))
    _, grad, units = fig.axes
    seeds = [line for line in grad.lines if line.get_marker() == "o"
             and line.get_markerfacecolor() == "none"]
    assert len(seeds) == 1 and list(seeds[0].get_ydata()) == [0.1, 0.6]
    assert list(seeds[0].get_xdata()) == [-0.15, -0.15]  # beside ReLU's point, at x = 0
    marks = [line for line in units.lines if line.get_marker() == "_"]
    assert [list(m.get_ydata()) for m in marks] == [[0.2, 0.4], [0.5, 0.5]]
    assert "each seed" in [t.get_text() for t in units.get_legend().get_texts()]
    # a seed far below every mean is inside the axis, not cut off by it
    runs[0]["grad_ratio"] = 1e-4
    _, grad, _ = plot.comparison(Comparison(base.rows, runs, base.settings)).axes
    low, high = grad.get_ylim()
    assert low < 1e-4 and high > 3.0
