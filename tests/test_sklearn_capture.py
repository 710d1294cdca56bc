"""The estimators replay their training steps (tn.capture): the numbers of an eager fit,
bit for bit, in every setting that changes the step's loss."""
import gc
import pickle
import warnings
import weakref

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_moons, make_regression
from sklearn.exceptions import ConvergenceWarning

from tinynet.autograd.replay import capture
from tinynet.sklearn import MLPClassifier, MLPRegressor
from tinynet.sklearn import _epochs

DIGITS_X, DIGITS_Y = load_digits(return_X_y=True)
DIGITS_X = DIGITS_X[:400] / 16
DIGITS_Y = DIGITS_Y[:400]
MOONS_X, MOONS_Y = make_moons(240, noise=0.2, random_state=0)
REG_X, REG_Y = make_regression(160, 5, n_targets=3, random_state=0)
REG_Y = REG_Y / 100
WEIGHTS = np.random.default_rng(0).random(400)

CASES = {
    "multiclass": (lambda: MLPClassifier((16, 16), max_iter=4, random_state=0, batch_size=64),
                   DIGITS_X, DIGITS_Y, None),
    "multiclass, weighted, float32, L2": (
        lambda: MLPClassifier((16,), max_iter=4, random_state=0, batch_size=48,
                              dtype="float32", alpha=0.01), DIGITS_X, DIGITS_Y, WEIGHTS),
    "binary, GELU + LayerNorm, SGD": (
        lambda: MLPClassifier((8, 8), activation="gelu", norm="layernorm", solver="sgd",
                              max_iter=4, random_state=1, batch_size=50), MOONS_X, MOONS_Y,
        WEIGHTS[:240]),
    "binary, balanced classes, early stopping": (
        lambda: MLPClassifier((8,), class_weight="balanced", early_stopping=True,
                              max_iter=6, random_state=1, batch_size=32), MOONS_X, MOONS_Y,
        None),
    "three outputs (the gradient scaled)": (
        lambda: MLPRegressor(hidden_layer_sizes=(16, 8), max_iter=4, random_state=0, batch_size=32),
        REG_X, REG_Y, None),
    "three outputs, weighted": (
        lambda: MLPRegressor(hidden_layer_sizes=(16,), max_iter=4, random_state=0, batch_size=32),
        REG_X, REG_Y, WEIGHTS[:160]),
}


@pytest.fixture
def captures(monkeypatch) -> list:
    """The captures the estimators make, in order."""
    made = []

    def kept(fn):
        made.append(capture(fn))
        return made[-1]

    monkeypatch.setattr(_epochs, "capture", kept)
    return made


def _eager(monkeypatch):
    """Estimators built after this train eagerly: their 'capture' is the function."""
    monkeypatch.setattr(_epochs, "capture", lambda fn: fn)


def _state(estimator) -> list:
    return [*estimator.coefs_, *estimator.intercepts_, np.array(estimator.loss_curve_)]


def _fit(make, X, y, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make().fit(X, y, sample_weight=w)


@pytest.mark.parametrize("case", list(CASES))
def test_a_captured_fit_gives_the_eager_numbers(case, captures, monkeypatch):
    make, X, y, w = CASES[case]
    captured = _fit(make, X, y, w)
    (steps,) = captures
    assert steps.replays >= 3 * steps.eager_calls  # most steps were replayed
    assert "_capture" not in vars(captured)  # a fit's capture ends with it
    _eager(monkeypatch)
    eager = _fit(make, X, y, w)
    for a, b in zip(_state(captured), _state(eager), strict=True):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_replays_across_calls_and_matches_eager(monkeypatch):
    def train():
        model = MLPClassifier((8,), random_state=0, batch_size=16)
        for start in range(0, 200, 40):  # batches of 16, 16 and 8 per call
            model.partial_fit(MOONS_X[start:start + 40], MOONS_Y[start:start + 40],
                              classes=[0, 1])
        return model

    captured = train()
    # two eager steps per batch shape, once for all calls: the other 11 replayed
    assert (captured._capture[1].eager_calls, captured._capture[1].replays) == (4, 11)
    _eager(monkeypatch)
    for a, b in zip(_state(captured), _state(train()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_pickled_estimator_captures_anew_and_continues_alike():
    model = MLPClassifier((8,), random_state=0, batch_size=16)
    model.partial_fit(MOONS_X[:64], MOONS_Y[:64], classes=[0, 1])
    copy = pickle.loads(pickle.dumps(model))
    assert "_capture" in vars(model) and "_capture" not in vars(copy)
    for estimator in (model, copy):
        estimator.partial_fit(MOONS_X[64:128], MOONS_Y[64:128])
    assert copy._capture[0] is copy.model_  # its own capture, of its own network
    for a, b in zip(_state(model), _state(copy), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_new_network_gets_a_new_capture(captures):
    model = MLPClassifier((8,), random_state=0, batch_size=32)
    model.partial_fit(MOONS_X, MOONS_Y, classes=[0, 1])
    first = model._capture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(hidden_layer_sizes=(4,), max_iter=2).fit(MOONS_X, MOONS_Y)
    model.partial_fit(MOONS_X, MOONS_Y)
    assert len(captures) == 3 and model._capture is not first
    assert model._capture[0] is model.model_ and model.coefs_[0].shape == (2, 4)


@pytest.mark.parametrize("train", ["fit", "partial_fit"])
def test_a_trained_estimator_is_freed_when_dropped(train):
    gc.collect()
    gc.disable()  # freed by its reference count alone: the capture holds no cycle to it
    try:
        model = MLPClassifier((8,), max_iter=2, random_state=0, batch_size=32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if train == "fit":
                model.fit(MOONS_X, MOONS_Y)
            else:
                model.partial_fit(MOONS_X, MOONS_Y, classes=[0, 1])
        dropped = weakref.ref(model)
        del model
        assert dropped() is None
    finally:
        gc.enable()


def test_partial_fit_after_a_dtype_change_matches_eager(monkeypatch):
    def train():
        model = MLPClassifier((8,), random_state=0, batch_size=16)
        model.partial_fit(MOONS_X[:96], MOONS_Y[:96], classes=[0, 1])
        model.set_params(dtype="float32").partial_fit(MOONS_X[96:192], MOONS_Y[96:192])
        return model

    captured = train()
    assert captured.coefs_[0].dtype == np.float32
    _eager(monkeypatch)
    for a, b in zip(_state(captured), _state(train()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_loss_gone_infinite_on_a_replayed_step_restores_and_continues_alike(monkeypatch):
    def train():
        model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0, batch_size=16, solver="sgd",
                             learning_rate_init=1.0, dtype="float32")
        with np.errstate(all="ignore"), \
                pytest.raises(FloatingPointError, match=r"inf at epoch 1, step ([3-9]|1\d)"):
            model.partial_fit(REG_X, REG_Y)  # diverges on a replayed step (the third on)
        restored = _state(model)
        model.partial_fit(REG_X[:32], REG_Y[:32])  # two steps more, from the restored state
        return restored, model

    restored, captured = train()
    assert captured._capture[1].replays > 0
    _eager(monkeypatch)
    restored_eager, eager = train()
    for a, b in zip(restored + _state(captured), restored_eager + _state(eager), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_a_minibatch_of_zero_weight_is_refused_and_the_model_restored(alpha):
    model = MLPClassifier((8,), random_state=0, batch_size=8, shuffle=False, alpha=alpha)
    weights = np.ones(64)
    model.partial_fit(MOONS_X[:64], MOONS_Y[:64], classes=[0, 1], sample_weight=weights)
    before = _state(model)
    weights[-8:] = 0  # the last minibatch weighs nothing
    with pytest.raises(ValueError, match=r"sample_weight must have a positive sum over "
                                         r"every minibatch, got 0.0 over one of 8 samples"):
        model.partial_fit(MOONS_X[:64], MOONS_Y[:64], sample_weight=weights)
    for a, b in zip(_state(model), before, strict=True):  # the first 7 steps undone
        np.testing.assert_array_equal(a, b)
