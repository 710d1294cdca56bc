"""A custom activation is first-class: a SiLU written here, with forward and derivative,
is watched by the Monitor and accepted by MLP, compare_activations and the CLI."""
import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main


class SiLU(tn.nn.Module):
    """SiLU(x) = x·σ(x);  SiLU'(x) = σ(x)(1 + x(1 - σ(x)))."""

    def forward(self, x):
        return x * x.sigmoid()

    def derivative(self, x, y):
        s = 1.0 / (1.0 + np.exp(-x))
        return s * (1 + x * (1 - s))


def test_its_derivative_is_what_autograd_computes():
    x = tn.tensor(np.linspace(-6, 6, 25), dtype=tn.float64, requires_grad=True)
    SiLU()(x).sum().backward()
    np.testing.assert_allclose(SiLU().derivative(x.array, None), x.grad.array, rtol=1e-12)


def test_the_monitor_watches_it_with_a_peak_found_on_a_grid():
    model = tn.nn.Sequential(tn.nn.Linear(2, 6), SiLU(), tn.nn.Linear(6, 2))
    assert tn.diagnostics.is_activation(model[1])
    with tn.diagnostics.Monitor(model, every=1) as monitor:
        x = tn.tensor(np.array([[-30.0, -30.0], [0.5, 0.5]], dtype=np.float32))
        model.zero_grad()
        with tn.no_grad():
            model[0].weight.array[...] = 1.0
            model[0].bias.array[...] = 0.0
        model(x).sum().backward()
        layer = monitor.end_epoch()["layers"]["1"]
    assert layer["kind"] == "SiLU"
    # SiLU' peaks at 1.0998 (x ≈ 2.40); at z = -60, f' ≈ -5e-25: saturated, not 0
    stats = monitor.activations["1"]
    assert stats.peak == pytest.approx(1.0998, abs=1e-4)
    assert layer["saturation_rate"] == 0.5 and layer["dead_rate"] == 0.0


def test_mlp_takes_the_class_and_initialises_it_as_pytorch_does():
    model = tn.models.MLP(2, [8, 8], 2, activation=SiLU, generator=np.random.default_rng(0))
    assert isinstance(model[1], SiLU) and model.activation == "SiLU"
    assert model[1] is not model[3]  # a fresh module per layer
    with pytest.raises(TypeError, match=r"MLP: activation must make a Module with a "
                                        r"derivative\(x, y\) method"):
        tn.models.MLP(2, [8], 2, activation=tn.nn.Identity().__class__.__base__)


def test_registered_by_name_it_trains_and_diagnoses_like_the_others():
    tn.models.register_activation("silu_test", SiLU, gain="relu")
    try:
        data = tn.data.load_dataset("moons", seed=0, n_samples=300)
        model = tn.models.MLP(2, [16, 16], 2, activation="silu_test",
                              generator=np.random.default_rng(0))
        history = tn.fit(model, data.X_train, data.y_train, lr=1e-2, epochs=8, seed=0,
                         validation_data=(data.X_test, data.y_test), progress=False)
        assert history.records[-1]["val_acc"] > 0.9
        assert history.records[-1]["layers"]["1"]["kind"] == "SiLU"
        assert history.diagnose() == []
    finally:
        del tn.models.ACTIVATIONS["silu_test"]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_compare_activations_takes_the_class_in_any_worker(n_jobs):
    result = tn.experiments.compare_activations("moons", ["relu", SiLU], depth=2, width=8,
                                                epochs=2, seeds=1, n_jobs=n_jobs)
    assert [row["activation"] for row in result.rows] == ["relu", "SiLU"]
    silu = result.histories[("SiLU", 0)]
    assert silu.records[-1]["layers"]["1"]["kind"] == "SiLU"


def test_the_cli_imports_it_by_module_and_class(capsys):
    path = f"{__name__}:SiLU"
    assert main(["compare", "--depth", "2", "--width", "8", "--epochs", "2", "--seeds", "1",
                 "--jobs", "1", "--activations", f"relu,{path}"]) == 0
    assert "| SiLU |" in capsys.readouterr().out
    assert main(["train", "--depth", "2", "--width", "8", "--epochs", "1", "--quiet",
                 "--activation", path]) == 0
    assert "SiLU" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["train", "--activation", f"{__name__}:Missing"])
    err = capsys.readouterr().err
    assert "--activation: activation must be 'module:Class' naming an importable class" in err
    assert "has no attribute 'Missing'" in err
