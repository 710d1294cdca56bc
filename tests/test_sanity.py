"""sanity_check: each of its four checks passes on a sound model and fails on a model
broken in exactly the way it looks for; the checked model is never changed."""
import numpy as np
import pytest

import tinynet as tn
from tinynet.diagnostics import sanity_check

DATA = tn.data.load_dataset("moons", seed=0, n_samples=400)


def _mlp(hidden=(16, 16), activation="gelu", **kwargs):
    return tn.models.MLP(2, list(hidden), 2, activation=activation,
                         generator=np.random.default_rng(0), **kwargs)


def _results(model, X=DATA.X_train, y=DATA.y_train, **kwargs):
    return {check.name: check.passed for check in sanity_check(model, X, y, **kwargs)}


def test_a_sound_model_passes_everything_and_is_not_changed():
    model = _mlp()
    before = [p.array.copy() for p in model.parameters()]
    report = sanity_check(model, DATA.X_train, DATA.y_train)
    assert report.passed and len(report) == 4
    assert all(np.array_equal(p.array, b) for p, b in zip(model.parameters(), before))
    assert all(p.grad is None for p in model.parameters())
    text = str(report)
    assert text.splitlines()[0].startswith("check") and text.count("pass") == 4
    assert report._repr_html_().startswith("<table>") and report._repr_html_().count("✔") == 4


def test_a_too_large_initialisation_fails_the_initial_loss():
    model = _mlp(hidden=[32] * 6, activation="relu")
    with tn.no_grad():
        for layer in model:
            if isinstance(layer, tn.nn.Linear):
                layer.weight.array[...] *= 4
    assert _results(model)["initial loss"] is False


def test_a_deep_sigmoid_net_cannot_overfit_twenty_samples():
    model = _mlp(hidden=[32] * 20, activation="sigmoid", init="pytorch")
    assert _results(model)["overfit 20 samples"] is False


@pytest.mark.parametrize("noise", [tn.nn.Dropout(0.5), tn.nn.AlphaDropout(0.3),
                                   tn.nn.RReLU()])
def test_a_model_with_random_layers_passes_its_gradient_check_and_memorises(noise):
    # each finite difference draws the mask backward saw; memorising runs without dropout
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(2, 32), tn.nn.ReLU(), noise, tn.nn.Linear(32, 2))
    report = {check.name: check for check in sanity_check(model, DATA.X_train, DATA.y_train)}
    assert all(check.passed for check in report.values())
    assert float(report["gradient check"].measured.split()[-1]) < 1e-6  # (it was 1)


def test_a_wrong_backward_fails_the_gradient_check(monkeypatch):
    from tinynet import ops

    real = ops.GELU.backward
    monkeypatch.setattr(ops.GELU, "backward", staticmethod(lambda ctx, g: real(ctx, g) * 1.01))
    with tn.fast_paths(False):  # the reference GELU runs, with its wrong backward
        results = _results(_mlp())
    assert results == {"initial loss": True, "overfit 20 samples": True,
                                "gradient check": False, "uses its inputs": True}


class _Ignores(tn.nn.Module):
    """Multiplies its input by zero: the rest of the model sees no data."""

    def forward(self, x):
        return x * 0.0


def test_a_model_that_ignores_its_inputs_is_caught():
    model = tn.nn.Sequential(_Ignores(), *_mlp().children())
    assert _results(model)["uses its inputs"] is False


def test_fit_runs_it_first_records_it_and_warns_when_a_check_fails():
    history = tn.fit(_mlp(), DATA.X_train, DATA.y_train, epochs=1, progress=False,
                     sanity_check=True)
    assert [c["passed"] for c in history.config["sanity_check"]] == [True] * 4
    with pytest.warns(UserWarning, match="the sanity check failed before training"):
        tn.fit(_mlp(hidden=[32] * 20, activation="sigmoid", init="pytorch"), DATA.X_train,
               DATA.y_train, epochs=1, progress=False, sanity_check=True)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="sanity_check: loss must be one of"):
        sanity_check(_mlp(), DATA.X_train, DATA.y_train, loss="hinge")
    with pytest.raises(ValueError, match="sanity_check: X must be finite"):
        sanity_check(_mlp(), np.full((10, 2), np.nan), np.zeros(10, int))
