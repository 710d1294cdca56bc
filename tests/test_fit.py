"""fit(): training on real datasets, its records, seeding, errors, warnings, callbacks."""
import re
import sys
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.training import Callback, EarlyStopping


@pytest.fixture(scope="module")
def moons():
    return tn.data.load_dataset("moons", seed=0, n_samples=600)


@pytest.fixture(scope="module")
def iris():
    return tn.data.load_dataset("iris", seed=0)


def _mlp(data, hidden=(16, 16), activation="gelu", seed=0, **kwargs):
    tn.manual_seed(seed)
    return tn.models.MLP(data.n_features, list(hidden), data.n_classes, activation=activation,
                         **kwargs)


def _accuracy(model, X, y):
    model.eval()
    with tn.no_grad():
        predicted = model(tn.tensor(X)).array.argmax(axis=1)
    model.train()
    return float(np.mean(predicted == y))


# ---- it learns, and records what it saw ---------------------------------------------------
def test_fit_learns_moons_and_records_validation_metrics(moons):
    model = _mlp(moons)
    history = tn.fit(model, moons.X_train, moons.y_train, lr=0.01, epochs=15, seed=0,
                     validation_data=(moons.X_test, moons.y_test), progress=False)
    assert len(history) == 15 and history["epoch"] == list(range(1, 16))
    last = history.records[-1]
    assert last["train_acc"] > 0.95
    # the last validation record is the trained model's accuracy on the held-out part
    assert last["val_acc"] == pytest.approx(_accuracy(model, moons.X_test, moons.y_test))
    assert last["val_acc"] > 0.9
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert all(r["steps"] == 15 for r in history.records)  # ceil(450 / 32)
    assert all(r["seconds"] > 0 and r["lr"] == 0.01 for r in history.records)
    assert set(last["layers"]) == {"0", "1", "2", "3", "4"}
    assert history.config["seed"] == 0 and history.config["epochs"] == 15
    assert "numpy" in history.config["versions"]


def test_fit_learns_iris_with_sgd(iris):
    model = _mlp(iris, hidden=(16,), activation="relu")
    optimizer = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = tn.fit(model, iris.X_train, iris.y_train, optimizer=optimizer, epochs=30,
                     batch_size=16, seed=0, validation_data=(iris.X_test, iris.y_test),
                     progress=False)
    assert history.records[-1]["train_acc"] > 0.9
    assert history.records[-1]["val_acc"] > 0.9
    assert "SGD" in history.config["optimizer"]
    assert history.config["lr"] == 0.1  # the optimizer's, not fit's unused default


def test_first_train_loss_is_the_initial_full_batch_loss(iris):
    # One full batch, one epoch: the recorded loss is the loss *before* the only step.
    model = _mlp(iris)
    with tn.no_grad():
        expected = nn.functional.cross_entropy(model(tn.tensor(iris.X_train)),
                                               tn.tensor(iris.y_train)).item()
    history = tn.fit(model, iris.X_train, iris.y_train, epochs=1, batch_size=1000,
                     progress=False)
    assert history.records[0]["train_loss"] == pytest.approx(expected, rel=1e-6)
    assert history.records[0]["steps"] == 1


def test_validation_does_not_touch_the_monitor_or_the_weights(iris):
    model = _mlp(iris)
    history = tn.fit(model, iris.X_train, iris.y_train, epochs=2, batch_size=112,
                     validation_data=(iris.X_test, iris.y_test), progress=False)
    # one step per epoch: one gradient norm each, so validation added no backward
    assert history.records[0]["layers"]["0"]["grad_norm"] > 0
    assert history.records[1]["val_acc"] is not None
    assert all(not p._grad_hooks for p in model.parameters())  # the monitor detached


def test_binary_and_regression_losses(moons):
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16], 1, activation="tanh")
    history = tn.fit(model, moons.X_train, moons.y_train, loss="bce_with_logits", lr=0.02,
                     epochs=10, seed=0, progress=False)
    assert history.records[-1]["train_acc"] > 0.85
    tn.manual_seed(0)
    model = tn.models.MLP(2, [16], 1, activation="tanh")
    target = moons.X_train[:, 0] * moons.X_train[:, 1]
    history = tn.fit(model, moons.X_train, target, loss=nn.MSELoss(), lr=0.01, epochs=5,
                     seed=0, monitor=False, progress=False)
    assert history.records[-1]["train_acc"] is None
    assert history.records[-1]["layers"] == {}
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_same_seeds_give_identical_runs_and_other_seeds_do_not(moons):
    def run(shuffle_seed):
        model = _mlp(moons, seed=1)
        history = tn.fit(model, moons.X_train, moons.y_train, lr=0.01, epochs=3,
                         seed=shuffle_seed, progress=False)
        return history, [p.array.copy() for p in model.parameters()]

    (h1, w1), (h2, w2), (h3, _) = run(7), run(7), run(8)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in h1.records]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in h2.records]
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1["train_loss"] != h3["train_loss"]  # the shuffling did depend on the seed


def test_tensors_and_lists_are_accepted(iris):
    model = _mlp(iris)
    history = tn.fit(model, tn.tensor(iris.X_train), iris.y_train.tolist(), epochs=1,
                     progress=False)
    assert len(history) == 1


# ---- bad arguments name themselves -----------------------------------------------------------
@pytest.mark.parametrize("kwargs, exc, words", [
    ({"epochs": 0}, ValueError, "fit: epochs must be an integer >= 1, got 0"),
    ({"epochs": 2.5}, TypeError, "fit: epochs must be an integer >= 1, got 2.5"),
    ({"batch_size": 0}, ValueError, "fit: batch_size must be an integer >= 1, got 0"),
    ({"lr": -1.0}, ValueError, "fit: lr must be a finite number > 0, got -1.0"),
    ({"lr": float("nan")}, ValueError, "fit: lr must be a finite number > 0, got nan"),
    ({"loss": "hinge"}, ValueError, "fit: loss must be one of .* got 'hinge'"),
    ({"optimizer": "rmsprop"}, ValueError, "fit: optimizer must be one of .* got 'rmsprop'"),
    ({"optimizer": tn.optim.Adam}, TypeError, "optimizer"),
    ({"validation_data": "test"}, ValueError, "fit: validation_data must be a pair"),
    ({"seed": -1}, ValueError, r"fit: seed must be an integer in \[0, 4294967295\], got -1"),
    ({"seed": "0"}, TypeError, "fit: seed must be an integer"),
    ({"clip_grad_norm": 0}, ValueError, "fit: clip_grad_norm must be a finite number > 0"),
    ({"checkpoint_every": 0}, ValueError, "fit: checkpoint_every must be an integer >= 1"),
    ({"callbacks": [print]}, TypeError, "fit: callbacks must be Callback objects, got "
                                        "builtin_function_or_method at position 0"),
    ({"loss": tn.nn.CrossEntropyLoss(reduction="none")}, ValueError,
     "fit: loss must reduce a batch to one number"),
])
def test_bad_arguments_raise_naming_the_argument(iris, kwargs, exc, words):
    model = _mlp(iris)
    with pytest.raises(exc, match=words):
        tn.fit(model, iris.X_train, iris.y_train, progress=False, **kwargs)


def test_bad_data_raises_naming_what_is_wrong(iris):
    model = _mlp(iris)
    X, y = iris.X_train, iris.y_train
    with pytest.raises(ValueError, match=r"X must be \(N, D\)"):
        tn.fit(model, X[:, 0], y, progress=False)
    with pytest.raises(ValueError, match=r"y must have one target per sample of X \(112\), "
                                         r"got shape \(5,\)"):
        tn.fit(model, X, y[:5], progress=False)
    with pytest.raises(ValueError, match="integer class labels"):
        tn.fit(model, X, y + 0.5, progress=False)
    with pytest.raises(ValueError, match=r"X must be finite, got nan at index \(10, 1\)"):
        tn.fit(model, np.where(X > 2, np.nan, X), y, progress=False)
    with pytest.raises(ValueError, match="validation_data"):
        tn.fit(model, X, y, validation_data=(iris.X_test[:, :2], iris.y_test), progress=False)
    with pytest.raises(ValueError, match="model must have parameters to train"):
        tn.fit(nn.Sequential(nn.ReLU()), X, y, progress=False)


# ---- numerical failure ---------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_exploding_sgd_names_the_first_non_finite_layer_and_restores_the_start(iris):
    model = _mlp(iris, hidden=(16,), activation="relu")
    start = {k: v.array.copy() for k, v in model.state_dict().items()}
    X = iris.X_train * 1e4
    with pytest.raises(FloatingPointError) as info:
        tn.fit(model, X, iris.y_train, optimizer="sgd", lr=1e6, epochs=3, seed=0,
               progress=False)
    message = str(info.value)
    match = re.search(r"at epoch 1, step (\d+); the first non-finite value: layer '(\d)' "
                      r"\(Linear\), its Linear op in the forward pass", message)
    assert match, message
    failing_step, layer = int(match[1]), match[2]
    assert failing_step > 1  # the first steps were finite
    assert "restored to their values before training" in message
    for k, v in model.state_dict().items():  # nothing of the diverged run is left
        np.testing.assert_array_equal(v.array, start[k])
    assert all(not p._grad_hooks for p in model.parameters())  # monitor detached anyway
    # the claim, checked by hand: replay the same steps, then run the failing batch
    # layer by layer; the named layer is the first whose output is not finite
    replay = _mlp(iris, hidden=(16,), activation="relu")
    opt = tn.optim.SGD(replay.parameters(), lr=1e6)
    order = list(tn.data.batches(len(X), 32, True, np.random.default_rng(0)))
    for idx in order[:failing_step - 1]:
        opt.zero_grad()
        tn.nn.functional.cross_entropy(replay(tn.tensor(X[idx])), tn.tensor(
            iris.y_train[idx])).backward()
        opt.step()
    h = tn.tensor(X[order[failing_step - 1]])
    first_bad = None
    for name, module in replay.named_children():
        h = module(h)
        if first_bad is None and not np.isfinite(h.array).all():
            first_bad = name
    assert first_bad == layer


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_infinite_weights_are_named_at_the_first_step(iris):
    model = _mlp(iris)
    model[2].weight.array[...] = np.inf
    with pytest.raises(FloatingPointError, match=r"epoch 1, step 1; the first non-finite "
                                                 r"value: parameter '2.weight' already holds "
                                                 r"non-finite values \(before training\)"
                                                 r".*No update had run yet: check the initial "
                                                 r"weights and the inputs"):
        tn.fit(model, iris.X_train, iris.y_train, epochs=2, progress=False)


def test_inputs_of_the_wrong_width_are_named_as_x(iris):
    X = np.hstack([iris.X_train, iris.X_train])
    with pytest.raises(ValueError, match=r"fit: the model's forward pass on X, of shape "
                                         r"\(\d+, 8\), raised: "
                                         r"Sequential: layer \(0\): linear: input must have 4 "
                                         r"features"):
        tn.fit(_mlp(iris), X, iris.y_train, epochs=1, progress=False)


# ---- warnings and output ---------------------------------------------------------------------
def test_model_ending_in_softmax_with_cross_entropy_warns(iris):
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))
    with pytest.warns(UserWarning, match="double softmax"):
        tn.fit(model, iris.X_train, iris.y_train, epochs=1, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for raw logits
        tn.fit(_mlp(iris), iris.X_train, iris.y_train, epochs=1, progress=False)


def test_progress_bar_draws_on_a_terminal_and_progress_false_is_silent(iris, monkeypatch,
                                                                       capsys):
    # capsys's stderr is installed only for the test's body: claim it is a terminal here
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    tn.fit(_mlp(iris), iris.X_train, iris.y_train, epochs=2, progress=True)
    drawn = capsys.readouterr()
    assert "epoch" in drawn.err and "train_loss" in drawn.err
    tn.fit(_mlp(iris), iris.X_train, iris.y_train, epochs=2, progress=False)
    quiet = capsys.readouterr()
    assert quiet.err == "" and quiet.out == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(iris, capsys):
    tn.fit(_mlp(iris), iris.X_train, iris.y_train, epochs=2)
    assert capsys.readouterr().err == ""


# ---- callbacks and early stopping ------------------------------------------------------------
class Recorder(Callback):
    """Copies the parameters after every epoch."""

    def __init__(self):
        self.states = {}

    def on_epoch_end(self, epoch, record, model):
        self.states[epoch] = {k: v.array.copy() for k, v in model.state_dict().items()}
        return False


def test_early_stopping_stops_and_restores_the_best_weights(moons):
    model = _mlp(moons, hidden=(32, 32))
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    recorder = Recorder()
    # A huge Adam step makes the validation loss bounce, so it stops improving early.
    history = tn.fit(model, moons.X_train, moons.y_train, lr=0.3, epochs=40, seed=0,
                     validation_data=(moons.X_test, moons.y_test), progress=False,
                     callbacks=[recorder, stopper])
    assert stopper.stopped_epoch is not None
    assert len(history) == stopper.stopped_epoch < 40
    val = history["val_loss"]
    assert stopper.best_epoch == int(np.argmin(val)) + 1
    assert stopper.best == min(val)
    assert stopper.stopped_epoch == stopper.best_epoch + 2  # patience 2
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, recorder.states[stopper.best_epoch][name])
    last = recorder.states[stopper.stopped_epoch]
    assert any(not np.array_equal(v.array, last[k]) for k, v in model.state_dict().items())


def test_early_stopping_without_restore_keeps_the_last_weights(moons):
    model = _mlp(moons)
    stopper, recorder = EarlyStopping("train_loss", patience=1, min_delta=10.0), Recorder()
    history = tn.fit(model, moons.X_train, moons.y_train, epochs=10, progress=False,
                     callbacks=[recorder, stopper])
    # nothing improves by 10: stops after epoch 2 (patience 1)
    assert len(history) == 2 and stopper.stopped_epoch == 2 and stopper.best_epoch == 1
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, recorder.states[2][name])


def test_a_single_callback_need_not_be_wrapped_in_a_list(iris):
    stopper = EarlyStopping("train_loss", patience=0, min_delta=10.0)
    history = tn.fit(_mlp(iris), iris.X_train, iris.y_train, epochs=5, progress=False,
                     callbacks=stopper)
    assert len(history) == 2 and stopper.stopped_epoch == 2


def test_early_stopping_on_accuracy_maximises():
    stopper = EarlyStopping("val_acc", patience=1)
    assert stopper.mode == "max"
    stopper.on_train_begin(None)
    assert not stopper.on_epoch_end(1, {"val_acc": 0.5}, None)
    assert not stopper.on_epoch_end(2, {"val_acc": 0.7}, None)
    assert stopper.on_epoch_end(3, {"val_acc": 0.6}, None)
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (0.7, 2, 3)


def test_early_stopping_patience_counts_consecutive_epochs_without_improvement():
    stopper = EarlyStopping("val_loss", patience=2, min_delta=0.05)
    stopper.on_train_begin(None)
    # 1.0 best; 0.99 is not better by min_delta; 0.9 is, and resets the count
    for epoch, loss in enumerate([1.0, 0.99, 0.9, 0.95, 0.84, 0.83], start=1):
        assert not stopper.on_epoch_end(epoch, {"val_loss": loss}, None), epoch
    assert stopper.on_epoch_end(7, {"val_loss": 0.82}, None)  # 2 epochs within min_delta
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (0.84, 5, 7)


def test_early_stopping_on_a_missing_key_raises_a_clear_error_before_training(iris):
    model = _mlp(iris)
    before = [p.array.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"fit: EarlyStopping monitors 'val_loss', which needs "
                                         r"validation_data; pass validation_data=\(X_val, "
                                         r"y_val\), or EarlyStopping\(monitor='train_loss'\)"):
        tn.fit(model, iris.X_train, iris.y_train, epochs=3, progress=False,
               callbacks=[EarlyStopping(monitor="val_loss")])
    assert all(np.array_equal(p.array, b) for p, b in zip(model.parameters(), before))
    # MSE records no accuracy: refused before training too
    with pytest.raises(ValueError, match=r"fit: EarlyStopping monitors 'train_acc', but loss "
                                         r"'mse' records no accuracy; monitor 'train_loss'"):
        tn.fit(_mlp(iris), iris.X_train, np.eye(3, dtype=np.float32)[iris.y_train],
               loss="mse", epochs=3, progress=False,
               callbacks=[EarlyStopping(monitor="train_acc")])


def test_early_stopping_rejects_bad_settings():
    with pytest.raises(ValueError, match="EarlyStopping: mode must be one of 'auto', 'min', "
                                         "'max', got 'up'"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="EarlyStopping: patience must be an integer >= 0, "
                                         "got -1"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="EarlyStopping: patience must be an integer >= 0, "
                                        "got 2.5"):
        EarlyStopping(patience=2.5)
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor must be one of 'val_loss', "
                                         r"'val_acc', 'train_loss', 'train_acc', got 'val_los' "
                                         r"\(did you mean 'val_loss'\?\)$"):
        EarlyStopping(monitor="val_los")
    with pytest.raises(ValueError, match="EarlyStopping: monitor must be one of .* got 'lr'"):
        EarlyStopping(monitor="lr")


def test_monitor_argument_sets_the_sampling():
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    means = []
    for monitor in (True, 1, 3):  # NOTE: a list, not dict keys: True == 1 in Python
        tn.manual_seed(0)
        model = tn.models.MLP(2, [8], 2)
        history = tn.fit(model, data.X_train, data.y_train, epochs=1, batch_size=10, seed=0,
                         monitor=monitor, progress=False)
        means.append(history.records[0]["layers"]["1"]["act_mean"])
    # 15 steps: True (every=4) sees 4 batches, every=1 all 15, every=3 five
    assert len(set(means)) == 3
    with pytest.raises(ValueError, match="fit: monitor must be an integer >= 1, got 0"):
        tn.fit(tn.models.MLP(2, [8], 2), data.X_train, data.y_train, epochs=1, monitor=0,
               progress=False)


def test_nll_loss_module_trains_on_class_indices_and_empty_input_is_refused():
    data = tn.data.load_dataset("iris", seed=0)
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.models.MLP(4, [16], 3), tn.nn.LogSoftmax(dim=1))
    history = tn.fit(model, data.X_train, data.y_train, loss=tn.nn.NLLLoss(), lr=0.02,
                     epochs=30, seed=0, progress=False, monitor=False)
    assert history.records[-1]["train_acc"] > 0.9
    with pytest.raises(ValueError, match=r"X must hold at least one sample, got shape \(0, 4\)"):
        tn.fit(model, data.X_train[:0], data.y_train[:0], progress=False)


def test_double_softmax_is_warned_once_not_twice():
    import warnings

    data = tn.data.load_dataset("iris", seed=0)
    model = tn.nn.Sequential(tn.models.MLP(4, [8], 3), tn.nn.Softmax(dim=1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tn.fit(model, data.X_train, data.y_train, epochs=1, progress=False)
    assert len([w for w in caught if "oftmax" in str(w.message)]) == 1


# ---- labels and data that cannot be trained on are named before the first step -------------
@pytest.mark.parametrize("labels, error, words", [
    (np.array(["setosa", "versicolor"] * 56), TypeError,
     r"fit: y must be numeric, got dtype <U10 \(e.g. \['setosa', 'versicolor', 'setosa'\]\); "
     "encode labels as integers first"),
    (np.array(["0", "1"] * 56), TypeError, "fit: y must be numeric, got dtype <U1"),
    (np.r_[np.nan, np.zeros(111)], ValueError, r"fit: y must be finite, got nan at index 0"),
    (np.r_[np.zeros(5), -1, np.zeros(106)].astype(int), ValueError,
     r"fit: y must hold class indices >= 0, got -1 at position 5"),
    (np.r_[np.zeros(100), 3, np.zeros(11)].astype(int), ValueError,  # past the first batches
     r"fit: y must hold class indices below the model's 3 outputs \(one per class\), got 3 "
     r"at position 100"),
])
def test_labels_that_are_not_class_indices_are_named(iris, labels, error, words):
    with pytest.raises(error, match=words):
        tn.fit(_mlp(iris), iris.X_train, labels, progress=False)


@pytest.mark.parametrize("validation_data, words", [
    (lambda d: (np.where(d.X_test > 1.5, np.nan, d.X_test), d.y_test),
     r"fit: validation_data: X must be finite, got nan at index"),
    (lambda d: (d.X_test[:0], d.y_test[:0]),
     r"fit: validation_data: X must hold at least one sample, got shape \(0, 4\)"),
    (lambda d: (d.X_test, d.y_test[:3]),
     r"fit: validation_data: y must have one target per sample of X \(38\)"),
    (lambda d: (d.X_test, np.r_[d.y_test[:-1], 3]),  # a class the model has no output for
     r"fit: validation_data: y must hold class indices below the model's 3 outputs \(one per "
     r"class\), got 3 at position 37"),
])
def test_bad_validation_data_is_refused_before_training(iris, validation_data, words):
    model = _mlp(iris)
    before = [p.array.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=words):
        tn.fit(model, iris.X_train, iris.y_train, validation_data=validation_data(iris),
               progress=False)
    assert all(np.array_equal(p.array, b) for p, b in zip(model.parameters(), before))


def test_a_model_that_is_not_a_module_is_named():
    with pytest.raises(TypeError, match="fit: model must be a tinynet.nn.Module, got function"):
        tn.fit(lambda x: x, np.zeros((4, 2)), np.zeros(4, int), progress=False)


# ---- what the History reports ------------------------------------------------------------
def test_multi_label_bce_accuracy_is_over_every_decision():
    # 3 independent labels per sample: accuracy counts N·C decisions, so it is in [0, 1]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    Y = (X[:, :3] > 0).astype(np.float32)  # (64, 3): learnable from the first features
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(5, 16), tn.nn.ReLU(), tn.nn.Linear(16, 3))
    history = tn.fit(model, X, Y, loss="bce_with_logits", lr=0.02, epochs=40, batch_size=16,
                     validation_data=(X, Y), seed=0, progress=False)
    model.eval()
    with tn.no_grad():
        decisions = model(tn.tensor(X)).array > 0
    expected = float(np.mean(decisions == (Y > 0.5)))
    assert history.records[-1]["val_acc"] == pytest.approx(expected)
    assert 0.9 < expected <= 1.0


def test_a_sum_reduction_loss_reports_the_mean_per_sample(iris):
    mean_run = tn.fit(_mlp(iris), iris.X_train, iris.y_train, optimizer="sgd", lr=0.01,
                      epochs=1, batch_size=16, shuffle=False, progress=False,
                      validation_data=(iris.X_test, iris.y_test))
    # the sum's gradient is 16 times the mean's (112 = 7 batches of 16): lr / 16 takes the
    # same steps
    sum_run = tn.fit(_mlp(iris), iris.X_train, iris.y_train, optimizer="sgd", lr=0.01 / 16,
                     loss=tn.nn.CrossEntropyLoss(reduction="sum"), epochs=1, batch_size=16,
                     shuffle=False, validation_data=(iris.X_test, iris.y_test), progress=False)
    for key in ("train_loss", "val_loss"):
        assert sum_run.records[0][key] == pytest.approx(mean_run.records[0][key], rel=1e-4)


# ---- a diverged run goes back to its last finite epoch ----------------------------------------
class _BlowUpAfter(tn.Callback):
    """Keeps a copy of the weights at the end of epoch k, then sets a ruinous lr."""

    def __init__(self, k, optimizer):
        self.k, self.optimizer, self.kept = k, optimizer, None

    def on_epoch_end(self, epoch, record, model):
        if epoch == self.k:
            self.kept = {n: v.array.copy() for n, v in model.state_dict().items()}
            self.kept_state = self.optimizer.state_dict()
            for group in self.optimizer.param_groups:
                group["lr"] = 1e30
        return False


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_restores_the_end_of_the_last_finite_epoch(iris):
    model = _mlp(iris, activation="relu")
    optimizer = tn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    watch = _BlowUpAfter(2, optimizer)
    with pytest.raises(FloatingPointError, match=r"at epoch 3, step \d+;.*restored to the end "
                                                 r"of epoch 2"):
        tn.fit(model, iris.X_train, iris.y_train, optimizer=optimizer, epochs=5,
               callbacks=[watch], seed=0, progress=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, watch.kept[name])
    restored = optimizer.state_dict()["state"]
    for index, state in watch.kept_state["state"].items():
        np.testing.assert_array_equal(restored[index]["momentum_buffer"],
                                      state["momentum_buffer"])


class _InterruptedAdam(tn.optim.Adam):
    """Adam that is interrupted (Ctrl-C: KeyboardInterrupt) in its ``at``-th step, once
    it has updated its first parameter."""

    def __init__(self, params, at: int):
        super().__init__(params, lr=1e-3, foreach=False)
        self.at, self.calls = at, 0

    def step(self, closure=None):
        self.calls += 1
        if self.calls == self.at:
            first = self.param_groups[0]["params"][0]
            first.array -= 0.1
            raise KeyboardInterrupt
        return super().step(closure)


@pytest.mark.parametrize("capture", [False, True])
def test_ctrl_c_restores_the_last_finished_epoch_and_keeps_its_history(iris, capture):
    steps = -(-len(iris.X_train) // 32)  # per epoch: the interrupt comes in epoch 3
    twin = _mlp(iris, activation="relu")
    finished = tn.fit(twin, iris.X_train, iris.y_train, epochs=2, seed=0, progress=False,
                      optimizer=tn.optim.Adam(twin.parameters(), foreach=False),
                      capture=capture)
    model = _mlp(iris, activation="relu")
    optimizer = _InterruptedAdam(model.parameters(), at=2 * steps + 3)
    with pytest.raises(KeyboardInterrupt) as caught:
        tn.fit(model, iris.X_train, iris.y_train, optimizer=optimizer, epochs=5, seed=0,
               progress=False, capture=capture)
    history = caught.value.history
    assert [r["epoch"] for r in history.records] == [1, 2]
    assert [r["train_loss"] for r in history.records] == \
        [r["train_loss"] for r in finished.records]
    for ours, theirs in zip(model.parameters(), twin.parameters()):  # not mid-epoch 3
        np.testing.assert_array_equal(ours.array, theirs.array)
        assert ours.grad is None
    assert all(state["step"] == 2 * steps for state in optimizer.state.values())
    if sys.version_info >= (3, 11):
        assert re.search(r"fit: interrupted in epoch 3; the parameters, optimizer and "
                         r"schedule are restored to the end of epoch 2",
                         caught.value.__notes__[0])


class _InterruptAtEpochEnd(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, record, model):
        if epoch == self.epoch:
            raise KeyboardInterrupt
        return False


def test_ctrl_c_in_a_callback_keeps_the_epoch_it_came_after(iris, tmp_path):
    twin = _mlp(iris, activation="relu")
    finished = tn.fit(twin, iris.X_train, iris.y_train, epochs=2, seed=0, progress=False)
    model = _mlp(iris, activation="relu")
    with pytest.raises(KeyboardInterrupt) as caught:
        tn.fit(model, iris.X_train, iris.y_train, epochs=5, seed=0, progress=False,
               callbacks=[_InterruptAtEpochEnd(2)], checkpoint=tmp_path / "run.npz")
    assert [r["train_loss"] for r in caught.value.history.records] == \
        [r["train_loss"] for r in finished.records]
    for ours, theirs in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(ours.array, theirs.array)


def test_clip_grad_norm_trains_as_the_hand_written_loop_clips(iris):
    model = _mlp(iris, hidden=(8,))
    twin = _mlp(iris, hidden=(8,))
    tn.fit(model, iris.X_train, iris.y_train, optimizer="sgd", lr=0.5, epochs=1,
           batch_size=16, shuffle=False, clip_grad_norm=0.1, progress=False, monitor=False)
    optimizer = tn.optim.SGD(twin.parameters(), lr=0.5)
    norms = []
    for idx in tn.data.batches(len(iris.X_train), 16, shuffle=False):
        optimizer.zero_grad()
        tn.nn.functional.cross_entropy(twin(tn.tensor(iris.X_train[idx])),
                                       tn.tensor(iris.y_train[idx])).backward()
        norms.append(tn.nn.utils.clip_grad_norm_(twin.parameters(), 0.1).item())
        optimizer.step()
    assert max(norms) > 0.1  # the clipping did act
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.array, b.array)


def test_without_a_seed_fit_shuffles_from_the_global_generator_as_pytorchs_dataloader():
    from sklearn.datasets import make_moons
    X, y = make_moons(200, noise=0.2, random_state=0)
    X = X.astype(np.float32)

    def losses(global_seed):
        tn.manual_seed(global_seed)
        model = tn.models.MLP(2, [8], 2)  # drawn from the global generator too
        history = tn.fit(model, X, y, epochs=3, batch_size=16, lr=0.05, progress=False,
                         monitor=False)
        return [r["train_loss"] for r in history.records]

    assert losses(0) == losses(0)
    assert losses(0) != losses(1)
    # only the order differs between two global seeds: the same weights, other batches
    tn.manual_seed(0)
    a = tn.models.MLP(2, [8], 2)
    b = tn.models.MLP(2, [8], 2)
    b.load_state_dict(a.state_dict())
    tn.manual_seed(0)
    first = tn.fit(a, X, y, epochs=1, batch_size=16, lr=0.05, progress=False, monitor=False)
    tn.manual_seed(1)
    second = tn.fit(b, X, y, epochs=1, batch_size=16, lr=0.05, progress=False,
                    monitor=False)
    assert first.records[0]["train_loss"] != second.records[0]["train_loss"]


def test_one_cycle_and_cyclic_schedules_step_after_every_batch(moons):
    n_batches = -(-len(moons.X_train) // 32)
    model = _mlp(moons)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    one_cycle = tn.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, epochs=4,
                                                 steps_per_epoch=n_batches)
    history = tn.fit(model, moons.X_train, moons.y_train, optimizer=optimizer,
                     scheduler=one_cycle, epochs=4, seed=0, progress=False, monitor=False)
    assert one_cycle.last_epoch == 4 * n_batches  # the whole cycle, step by step
    # the record's rate is each epoch's first step's: up to near max_lr, then down
    reference = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    schedule = tn.optim.lr_scheduler.OneCycleLR(reference, max_lr=0.5, epochs=4,
                                                steps_per_epoch=n_batches)
    rates = []
    for _ in range(4 * n_batches):
        rates.append(reference.param_groups[0]["lr"])
        reference.step()
        schedule.step()
    assert history["lr"] == rates[::n_batches]
    assert max(history["lr"]) > 0.4 and history["lr"][-1] < history["lr"][1]
    model = _mlp(moons)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    cyclic = tn.optim.lr_scheduler.CyclicLR(optimizer, 0.01, 0.5, step_size_up=n_batches)
    tn.fit(model, moons.X_train, moons.y_train, optimizer=optimizer, scheduler=cyclic,
           epochs=2, seed=0, progress=False, monitor=False)
    assert cyclic.last_epoch == 2 * n_batches


def test_plateau_in_max_mode_is_refused_since_fit_feeds_it_a_loss(moons):
    model = _mlp(moons)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.1)
    plateau = tn.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max")
    with pytest.raises(ValueError, match=r"fit: ReduceLROnPlateau is stepped with the epoch's "
                                         r"loss .* its mode must be 'min', got 'max'"):
        tn.fit(model, moons.X_train, moons.y_train, optimizer=optimizer, scheduler=plateau,
               epochs=1, progress=False)


def test_callbacks_begin_on_every_call_a_resumed_one_too(moons, tmp_path):
    class Logger(Callback):
        def on_train_begin(self, model):
            self.epochs = []

        def on_epoch_end(self, epoch, record, model):
            self.epochs.append(epoch)
            return False

    path = str(tmp_path / "run.npz")
    tn.fit(_mlp(moons), moons.X_train, moons.y_train, epochs=2, seed=0, progress=False,
           checkpoint=path, callbacks=[Logger()])
    logger = Logger()
    history = tn.fit(_mlp(moons), moons.X_train, moons.y_train, epochs=4, seed=0,
                     progress=False, resume_from=path, callbacks=[logger])
    assert logger.epochs == [3, 4] and [r["epoch"] for r in history.records] == [1, 2, 3, 4]
    with pytest.warns(UserWarning, match=r"epochs=1 is below the 2 epochs the checkpoint "
                                         r"finished: nothing is trained"):
        tn.fit(_mlp(moons), moons.X_train, moons.y_train, epochs=1, seed=0, progress=False,
               resume_from=path, callbacks=[Logger()])
    with pytest.raises(ValueError, match=r"these settings differ: seed: checkpoint 0, now 1"):
        tn.fit(_mlp(moons), moons.X_train, moons.y_train, epochs=4, seed=1, progress=False,
               resume_from=path, callbacks=[Logger()])
    resumed = tn.fit(_mlp(moons), moons.X_train, moons.y_train, epochs=3, progress=False,
                     resume_from=path, callbacks=[Logger()])
    assert resumed.config["seed"] == 0  # the run's, whose order went on


def test_an_accuracy_monitor_under_a_regression_loss_is_refused_before_training():
    X = np.random.default_rng(0).standard_normal((40, 2)).astype(np.float32)
    model = tn.models.MLP(2, [4], 1)
    before = [p.array.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"EarlyStopping monitors 'val_acc', but loss 'mse' "
                                         r"records no accuracy; monitor 'val_loss'"):
        tn.fit(model, X, X[:, :1], loss="mse", epochs=2, validation_data=(X, X[:, :1]),
               callbacks=[EarlyStopping("val_acc")], progress=False)
    assert all(np.array_equal(a, p.array) for a, p in zip(before, model.parameters()))
    with pytest.raises(TypeError, match="restore_best_weights must be True or False"):
        EarlyStopping(restore_best_weights="no")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverged_run_puts_a_per_batch_schedule_back_too(moons):
    steps = -(-len(moons.X_train) // 32)

    class NaNMidEpochTwo(nn.Module):  # the loss is NaN at epoch 2's third step
        def __init__(self):
            super().__init__()
            self.net, self.calls = _mlp(moons), 0

        def forward(self, x):
            out = self.net(x)
            self.calls += self.training
            return out * np.nan if self.calls == steps + 3 else out

    model = NaNMidEpochTwo()
    optimizer = tn.optim.SGD(model.parameters(), lr=0.01)
    cyclic = tn.optim.lr_scheduler.CyclicLR(optimizer, 0.01, 0.1, step_size_up=4)
    with pytest.raises(FloatingPointError, match=r"epoch 2, step 3; .*optimizer and schedule "
                                                 r"are restored to the end of epoch 1"):
        tn.fit(model, moons.X_train, moons.y_train, optimizer=optimizer, scheduler=cyclic,
               epochs=3, seed=0, progress=False, monitor=False)
    assert cyclic.last_epoch == steps  # two steps of epoch 2 taken back, as the weights
    assert optimizer.param_groups[0]["lr"] == cyclic.get_last_lr()[0]
