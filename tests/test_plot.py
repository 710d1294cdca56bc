"""tinynet.plot: every figure renders headless and is written as a non-empty PNG."""
import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import tinynet as tn  # noqa: E402
from tinynet import plot  # noqa: E402
from tinynet.experiments import compare_activations  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and len(data) > 5000  # a real picture, not a stub


@pytest.fixture(scope="module")
def trained():
    data = tn.data.load_dataset("moons", seed=0, n_samples=300)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16, 16], 2, activation="relu")
    history = tn.fit(model, data.X_train, data.y_train, lr=0.02, epochs=3, seed=0,
                     validation_data=(data.X_test, data.y_test), progress=False)
    return data, model, history


def test_activations_figure(tmp_path):
    path = tmp_path / "activations.png"
    fig = plot.activations(path)
    assert _is_png(path)
    f_axis, d_axis = fig.axes
    assert len(f_axis.lines) == 7 + 1  # seven activations and the zero line
    # the derivative panel plots each activation's f'(z): ReLU's is a 0/1 step
    relu = next(line for line in d_axis.lines if line.get_label() == "relu")
    z, dz = relu.get_data()
    assert set(np.unique(dz)) == {0.0, 1.0} and dz[z > 0].min() == 1.0


def test_curves_gradient_norms_and_unit_health(trained, tmp_path):
    _, _, history = trained
    for name in ("curves", "gradient_norms", "unit_health"):
        path = tmp_path / f"{name}.png"
        fig = getattr(plot, name)(history, path)
        assert _is_png(path), name
        assert fig.axes and all(ax.lines for ax in fig.axes), name
    grad_axis = plot.gradient_norms(history).axes[0]
    assert grad_axis.get_yscale() == "log"
    assert [line.get_label() for line in grad_axis.lines] == ["Linear 0", "Linear 2",
                                                              "Linear 4"]


def test_curves_of_a_run_without_validation_or_accuracy(tmp_path):
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [8], 1)
    history = tn.fit(model, data.X_train, data.X_train[:, 0], loss="mse", epochs=2,
                     progress=False)
    path = tmp_path / "regression.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no artists with labels" warning
        plot.curves(history, path)
    assert _is_png(path)
    unmonitored = tn.fit(model, data.X_train, data.X_train[:, 0], loss="mse", epochs=1,
                         monitor=False, progress=False)
    for name in ("gradient_norms", "unit_health"):
        with pytest.raises(ValueError, match="monitor=True"):
            getattr(plot, name)(unmonitored)


def test_decision_boundary(trained, tmp_path):
    data, model, _ = trained
    path = tmp_path / "boundary.png"
    model.train()
    plot.decision_boundary(model, data.X_test, data.y_test, path, resolution=50)
    assert _is_png(path)
    assert model.training  # its mode is restored
    with pytest.raises(ValueError, match=r"\(N, 2\) inputs, got shape \(5, 3\)"):
        plot.decision_boundary(model, np.zeros((5, 3)), np.zeros(5))


def test_comparison_figure(tmp_path):
    result = compare_activations("moons", ["relu", "tanh"], depth=2, width=8, epochs=1,
                                 seeds=1)
    path = tmp_path / "comparison.png"
    fig = plot.comparison(result, path)
    assert _is_png(path)
    assert fig.axes[1].get_yscale() == "log"


def test_plots_leave_pyplot_and_its_backend_alone(tmp_path):
    backend = matplotlib.get_backend()
    plot.activations(tmp_path / "a.png")
    assert matplotlib.get_backend() == backend
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []  # nothing left open
