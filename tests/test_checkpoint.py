"""fit(checkpoint=..., resume_from=...): a run stopped anywhere (even by SIGKILL) and
resumed ends exactly where the uninterrupted run ends; other runs' checkpoints are refused."""
import os
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tinynet as tn
from tinynet.training import EarlyStopping

TIMING = ("seconds",)  # wall time differs between any two runs


@pytest.fixture(scope="module")
def iris():
    return tn.data.load_dataset("iris", seed=0)


def _model(data, seed=0):
    return tn.models.MLP(data.n_features, [16, 16], data.n_classes, activation="relu",
                         generator=np.random.default_rng(seed))


def _fit(model, data, **kwargs):
    settings = dict(lr=0.01, batch_size=16, seed=3, progress=False,
                    validation_data=(data.X_test, data.y_test), monitor=1)
    settings.update(kwargs)
    return tn.fit(model, data.X_train, data.y_train, **settings)


def _untimed(history) -> list:
    return [{k: v for k, v in r.items() if k not in TIMING} for r in history.records]


def _assert_same_run(model_a, history_a, model_b, history_b):
    for (name, a), (_, b) in zip(model_a.state_dict().items(), model_b.state_dict().items()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)
    assert _untimed(history_a) == _untimed(history_b)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_two_epochs_then_resumed_to_five_equals_five_epochs(iris, tmp_path, optimizer):
    straight = _model(iris)
    expected = _fit(straight, iris, epochs=5, optimizer=optimizer,
                    scheduler=lambda opt: tn.optim.lr_scheduler.StepLR(opt, 2, 0.5))
    path = tmp_path / "run.npz"
    first = _model(iris)
    _fit(first, iris, epochs=2, optimizer=optimizer, checkpoint=path,
         scheduler=lambda opt: tn.optim.lr_scheduler.StepLR(opt, 2, 0.5))
    resumed = _model(iris, seed=99)  # other initial weights: the checkpoint replaces them
    history = _fit(resumed, iris, epochs=5, optimizer=optimizer, resume_from=path,
                   scheduler=lambda opt: tn.optim.lr_scheduler.StepLR(opt, 2, 0.5))
    assert [r["epoch"] for r in history.records] == [1, 2, 3, 4, 5]
    assert [r["lr"] for r in history.records] == [r["lr"] for r in expected.records]
    _assert_same_run(straight, expected, resumed, history)


@pytest.mark.parametrize("where", ["dropout", "sampler", "weighted sampler"])
def test_generators_a_module_or_a_sampler_holds_are_restored(iris, tmp_path, where):
    """A Dropout's own generator, or a sampler's, goes on from the checkpoint as the
    uninterrupted run's did; a resume that draws from another count of them is refused."""
    X, y = tn.tensor(iris.X_train), tn.tensor(iris.y_train)

    def run(epochs, **kwargs):
        tn.manual_seed(3)
        dropout = tn.nn.Dropout(0.3, generator=tn.Generator().manual_seed(5)) \
            if where == "dropout" else tn.nn.Identity()
        model = tn.nn.Sequential(tn.nn.Linear(4, 16), tn.nn.ReLU(), dropout,
                                 tn.nn.Linear(16, 3))
        data = tn.utils.data.TensorDataset(X, y)
        g = tn.Generator().manual_seed(7)
        sampler = {"dropout": None,
                   "sampler": tn.utils.data.RandomSampler(data, generator=g),
                   "weighted sampler": tn.utils.data.WeightedRandomSampler(
                       np.ones(len(data)), len(data), generator=g)}[where]
        loader = tn.utils.data.DataLoader(data, batch_size=16, sampler=sampler,
                                          shuffle=sampler is None)
        history = tn.fit(model, loader, epochs=epochs, lr=0.01, progress=False, **kwargs)
        return model, history

    path = tmp_path / "run.npz"
    straight, expected = run(4)
    run(2, checkpoint=path)
    resumed, history = run(4, resume_from=path)
    _assert_same_run(straight, expected, resumed, history)
    tn.manual_seed(3)
    plain = tn.nn.Sequential(tn.nn.Linear(4, 16), tn.nn.ReLU(), tn.nn.Linear(16, 3))
    data = tn.utils.data.TensorDataset(X, y)
    sampler = None if where == "dropout" else tn.utils.data.RandomSampler(data)
    with pytest.raises(ValueError, match="holds the states of 1 generators of the data "
                                         "loader's or the model's own, but this run draws "
                                         "from 0"):  # (the global generator instead)
        tn.fit(plain, tn.utils.data.DataLoader(data, 16, shuffle=sampler is None,
                                               sampler=sampler),
               epochs=4, lr=0.01, progress=False, resume_from=path)


def test_early_stopping_state_survives_the_checkpoint(iris, tmp_path):
    def stopper():
        return EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)

    straight = _model(iris)
    expected = _fit(straight, iris, epochs=40, lr=0.05, callbacks=[stopper()])
    assert len(expected) < 40  # it did stop early, so the state mattered
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=len(expected) - 1, lr=0.05, callbacks=[stopper()],
         checkpoint=path)
    resumed = _model(iris)
    history = _fit(resumed, iris, epochs=40, lr=0.05, callbacks=[stopper()], resume_from=path)
    _assert_same_run(straight, expected, resumed, history)
    assert history.restored_epoch == expected.restored_epoch is not None


def test_a_run_resumed_from_where_it_stopped_early_trains_no_further(iris, tmp_path):
    def stopper():
        return EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)

    path = tmp_path / "run.npz"
    straight = _model(iris)
    expected = _fit(straight, iris, epochs=40, lr=0.05, callbacks=[stopper()],
                    checkpoint=path)
    assert len(expected) < 40  # the last checkpoint is of the epoch it stopped at
    resumed = _model(iris, seed=4)
    history = _fit(resumed, iris, epochs=40, lr=0.05, callbacks=[stopper()], resume_from=path)
    _assert_same_run(straight, expected, resumed, history)  # (it trained one more epoch)
    assert history.restored_epoch == expected.restored_epoch is not None


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    import tinynet as tn

    class KillAtStep(tn.nn.CrossEntropyLoss):
        # the process dies mid-epoch, between two steps, without any cleanup
        calls = 0
        def forward(self, input, target):
            KillAtStep.calls += 1
            if KillAtStep.calls == int(sys.argv[2]):
                os.kill(os.getpid(), signal.SIGKILL)
            return super().forward(input, target)

    data = tn.data.load_dataset("iris", seed=0)
    model = tn.models.MLP(4, [16, 16], 3, activation="relu",
                          generator=np.random.default_rng(0))
    tn.fit(model, data.X_train, data.y_train, loss=KillAtStep(), lr=0.01, batch_size=16,
           seed=3, epochs=6, progress=False, validation_data=(data.X_test, data.y_test),
           monitor=1, checkpoint=sys.argv[1])
""")


def test_a_run_killed_mid_epoch_and_resumed_ends_bit_identical(iris, tmp_path):
    path = tmp_path / "run.npz"
    script = tmp_path / "killed.py"
    script.write_text(KILLED_RUN, encoding="utf-8")
    # 7 training batches and 1 validation batch per epoch: call 30 is in epoch 4
    proc = subprocess.run([sys.executable, str(script), str(path), "30"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert tn.load(path)["epoch"] == 3  # the last finished epoch was saved
    straight = _model(iris)
    expected = _fit(straight, iris, epochs=6)
    resumed = _model(iris, seed=7)
    history = _fit(resumed, iris, epochs=6, resume_from=path)
    _assert_same_run(straight, expected, resumed, history)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_a_checkpoint_of_another_architecture_is_refused_naming_keys_and_shapes(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path)
    wider = tn.models.MLP(4, [32, 16], 3, activation="relu")
    with pytest.raises(ValueError) as error:
        _fit(wider, iris, epochs=2, resume_from=path)
    message = str(error.value)
    assert "another architecture" in message
    assert "size mismatch for 0.weight: copying a param with shape (16, 4)" in message
    assert "the shape in current model is (32, 4)" in message


@pytest.mark.parametrize("change, named", [
    ({"batch_size": 8}, "batch_size: checkpoint 16, now 8"),
    ({"optimizer": "sgd"}, "optimizer_name: checkpoint 'Adam', now 'SGD'"),
    ({"loss": tn.nn.NLLLoss()}, "loss: checkpoint 'cross_entropy', now 'nll'"),
])
def test_a_checkpoint_of_another_run_is_refused_naming_the_setting(iris, tmp_path, change,
                                                                   named):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path)
    settings = {"epochs": 2, "resume_from": path, **change}
    with pytest.raises(ValueError, match="checkpoint of another run; these settings differ: "
                                         + named.replace("(", r"\(")):
        _fit(_model(iris), iris, **settings)


def test_a_checkpoint_of_a_model_with_another_activation_is_refused(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path)  # relu
    tanh = tn.models.MLP(iris.n_features, [16, 16], iris.n_classes, activation="tanh")
    with pytest.raises(ValueError, match="these settings differ: activation: checkpoint "
                                         "'relu', now 'tanh'"):
        _fit(tanh, iris, epochs=2, resume_from=path)


def test_a_loss_made_with_other_arguments_is_refused(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path,
         loss=tn.nn.CrossEntropyLoss(label_smoothing=0.1))
    with pytest.raises(ValueError, match="these settings differ: "
                                         "loss_settings.label_smoothing: checkpoint 0.1, now 0.0"):
        _fit(_model(iris), iris, epochs=2, resume_from=path)
    weighted = tn.nn.CrossEntropyLoss(weight=tn.tensor([1.0, 2.0, 3.0]), label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"loss_settings.weight: checkpoint None, now \[1.0, "):
        _fit(_model(iris), iris, epochs=2, resume_from=path, loss=weighted)
    history = _fit(_model(iris), iris, epochs=2, resume_from=path,
                   loss=tn.nn.CrossEntropyLoss(label_smoothing=0.1))
    assert history.config["loss_settings"] == {"ignore_index": -100, "reduction": "mean",
                                               "label_smoothing": 0.1}


def test_other_training_data_is_refused(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path)
    with pytest.raises(ValueError, match="data_fingerprint"):
        tn.fit(_model(iris), iris.X_train[::-1], iris.y_train[::-1], lr=0.01, batch_size=16,
               seed=3, progress=False, epochs=2, monitor=1, resume_from=path,
               validation_data=(iris.X_test, iris.y_test))


def test_resume_from_a_file_that_is_not_a_checkpoint(iris, tmp_path):
    path = tmp_path / "weights.npz"
    tn.save(_model(iris).state_dict(), path)
    with pytest.raises(ValueError, match="must be a checkpoint written by fit"):
        _fit(_model(iris), iris, epochs=2, resume_from=path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _fit(_model(iris), iris, epochs=2, resume_from=tmp_path / "missing.npz")


@pytest.mark.parametrize("name, value, error, message", [
    ("checkpoint", "{tmp}", ValueError, "fit: checkpoint must be a file path, got .*, which "
                                        "is a folder"),
    ("checkpoint", "{tmp}/missing/run.npz", FileNotFoundError,
     "fit: checkpoint must be a path in a folder that exists"),
    ("checkpoint", 123, TypeError, r"fit: checkpoint must be a file path \(a str or "
                                   r"os.PathLike\), got int 123"),
    ("resume_from", 123, TypeError, "fit: resume_from must be a file path .* got int 123"),
])
def test_a_bad_checkpoint_path_is_refused_before_training(iris, tmp_path, name, value, error,
                                                          message):
    model = _model(iris)
    before = [p.array.copy() for p in model.parameters()]
    value = value.format(tmp=tmp_path) if isinstance(value, str) else value
    with pytest.raises(error, match=message):
        _fit(model, iris, epochs=2, **{name: value})
    assert all(np.array_equal(a, p.array) for a, p in zip(before, model.parameters()))


def test_checkpoint_every_k_epochs_and_after_the_last(iris, tmp_path):
    path = tmp_path / "run.npz"
    saved = []

    class Watch(tn.Callback):
        def on_epoch_end(self, epoch, record, model):
            saved.append(tn.load(path)["epoch"] if path.exists() else None)

    _fit(_model(iris), iris, epochs=5, checkpoint=path, checkpoint_every=2, callbacks=[Watch()])
    # each callback runs before that epoch's save: it sees the previous save
    assert saved == [None, None, 2, 2, 4]
    assert tn.load(path)["epoch"] == 5


@pytest.mark.parametrize("first, then, named", [
    ({"optimizer": lambda m: tn.optim.SGD(m.parameters(), lr=0.1)},
     {"optimizer": lambda m: tn.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)},
     "optimizer_groups[0].momentum: checkpoint 0.0, now 0.9"),
    ({"lr": 0.01}, {"lr": 0.05}, "optimizer_groups[0].lr: checkpoint 0.01, now 0.05"),
    ({"scheduler": lambda o: tn.optim.lr_scheduler.StepLR(o, 2)},
     {"scheduler": lambda o: tn.optim.lr_scheduler.StepLR(o, 3)},
     "scheduler.step_size: checkpoint 2, now 3"),
    ({"scheduler": lambda o: tn.optim.lr_scheduler.StepLR(o, 2)},
     {"scheduler": lambda o: tn.optim.lr_scheduler.ExponentialLR(o, 0.9)},
     "scheduler.class: checkpoint 'StepLR', now 'ExponentialLR'"),
    ({"callbacks": [tn.EarlyStopping("val_loss")]},
     {"callbacks": [tn.EarlyStopping("train_loss")]},
     "callback_settings[0].monitor: checkpoint 'val_loss', now 'train_loss'"),
])
def test_a_resume_with_other_settings_is_refused_and_changes_nothing(iris, tmp_path, first,
                                                                     then, named):
    def settings(change, model):
        change = dict(change)
        if "optimizer" in change:
            change["optimizer"] = change["optimizer"](model)
        return change

    path = tmp_path / "run.npz"
    original = _model(iris)
    _fit(original, iris, epochs=1, checkpoint=path, **settings(first, original))
    trained = _model(iris, seed=5)
    _fit(trained, iris, epochs=3, **settings(then, trained))
    weights = [p.detach().numpy().copy() for p in trained.parameters()]
    with pytest.raises(ValueError, match=re.escape(named)):
        _fit(trained, iris, epochs=2, resume_from=path, **settings(then, trained))
    for p, w in zip(trained.parameters(), weights):  # the user's model is as it was
        np.testing.assert_array_equal(p.detach().numpy(), w)


def test_a_refused_resume_leaves_the_model_as_it_was(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path)
    trained = _model(iris, seed=5)
    weights = [p.detach().numpy().copy() for p in trained.parameters()]
    with pytest.raises(ValueError, match="callbacks must match|callbacks"):
        _fit(trained, iris, epochs=2, resume_from=path, callbacks=[tn.EarlyStopping()])
    for p, w in zip(trained.parameters(), weights):
        np.testing.assert_array_equal(p.detach().numpy(), w)


def test_a_run_resumed_with_the_objects_it_left_equals_the_uninterrupted_run(iris, tmp_path):
    # a notebook's usual resume: the same optimizer and scheduler, their rate scheduled on
    def run(path=None, resume=None, epochs=4, model=None, objects=None):
        model = model or _model(iris)
        opt, sched = objects or (None, None)
        if opt is None:
            opt = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            sched = tn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        history = _fit(model, iris, epochs=epochs, optimizer=opt, scheduler=sched,
                       checkpoint=path, resume_from=resume)
        return model, history, (opt, sched)

    straight, expected, _ = run()
    path = tmp_path / "run.npz"
    model, _, objects = run(path=path, epochs=2)
    resumed, history, _ = run(resume=path, model=model, objects=objects)
    _assert_same_run(straight, expected, resumed, history)


def test_an_optimizer_state_that_does_not_fit_is_refused_and_changes_nothing(iris, tmp_path):
    path = tmp_path / "run.npz"
    _fit(_model(iris), iris, epochs=1, checkpoint=path,
         optimizer=tn.optim.SGD(_model(iris).parameters(), lr=0.01))
    model = _model(iris, seed=5)
    weights = [p.detach().numpy().copy() for p in model.parameters()]
    last_layer = list(model.parameters())[-2:]
    with pytest.raises(ValueError, match="its state does not fit this run's optimizer"):
        _fit(model, iris, epochs=2, resume_from=path,
             optimizer=tn.optim.SGD(last_layer, lr=0.01))
    for p, w in zip(model.parameters(), weights):
        np.testing.assert_array_equal(p.detach().numpy(), w)
