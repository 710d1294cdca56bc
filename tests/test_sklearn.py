"""The scikit-learn estimators: conformance, composition, determinism, errors."""
import pickle

import re
import warnings

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_iris, make_moons, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import tinynet.sklearn
from tinynet import tensor
from tinynet.serialization import load as tn_load, save as tn_save
from tinynet import nn as tn_nn
from tinynet.sklearn import MLPClassifier, MLPRegressor

# Checks we cannot pass, with the reason (also listed in docs/sklearn.md): none.
EXPECTED_FAILED_CHECKS = {}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("estimator", [MLPClassifier(max_iter=50), MLPRegressor(max_iter=50)],
                         ids=["classifier", "regressor"])
def test_check_estimator(estimator):
    results = check_estimator(estimator, expected_failed_checks=EXPECTED_FAILED_CHECKS,
                              on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert failed == []
    assert len(results) > 50  # the full battery ran


def test_learns_iris_and_probabilities_are_consistent(iris):
    X, y = iris
    clf = MLPClassifier((32,), activation="gelu", max_iter=300, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), atol=1e-10)
    assert clf.n_features_in_ == 4 and clf.n_iter_ == len(clf.loss_curve_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 5
    assert [c.shape for c in clf.coefs_] == [(4, 32), (32, 3)]


def test_prelu_learns_its_slope_in_the_estimators_float64(iris):
    X, y = iris
    clf = MLPClassifier((16,), activation="prelu", max_iter=200, random_state=0).fit(X, y)
    slope = clf.model_[1].weight
    assert slope.dtype == np.float64 and slope.array[0] != 0.25  # trained from its init
    assert clf.score(X, y) > 0.9


def test_binary_uses_one_logit_and_string_labels():
    X, y = make_moons(300, noise=0.1, random_state=0)
    labels = np.array(["left", "right"])[y]
    clf = MLPClassifier((16, 16), max_iter=200, learning_rate_init=0.01,
                        random_state=0).fit(X, labels)
    assert clf.model_[-1].out_features == 1
    assert set(clf.predict(X)) == {"left", "right"}
    assert clf.score(X, labels) > 0.95
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 2)
    # the column order follows classes_: P(right) is σ(logit)
    logits = clf.model_(tensor(X)).array[:, 0]
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-12)


def test_regressor_fits_sine_and_multioutput():
    X = np.linspace(-2, 2, 200)[:, None]
    Y = np.c_[np.sin(X).ravel(), np.cos(X).ravel()]
    reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", max_iter=400,
                       learning_rate_init=0.01,
                       n_iter_no_change=400, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.predict(X).dtype == np.float64
    assert reg.score(X, Y) > 0.95
    single = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, Y[:, 0])
    assert single.predict(X).shape == (200,)


def test_same_random_state_same_model_and_pickle_round_trip(iris):
    X, y = iris
    a = MLPClassifier((16,), max_iter=20, random_state=3).fit(X, y)
    b = MLPClassifier((16,), max_iter=20, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))
    c = MLPClassifier((16,), max_iter=20, random_state=4).fit(X, y)
    assert not np.array_equal(c.predict_proba(X), a.predict_proba(X))


def test_cross_val_score_identical_whatever_n_jobs(iris):
    X, y = iris
    clf = MLPClassifier((16,), activation="elu", max_iter=40, learning_rate_init=0.02,
                        random_state=0)
    serial = cross_val_score(clf, X, y, cv=3, n_jobs=1)
    parallel = cross_val_score(clf, X, y, cv=3, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)
    assert serial.mean() > 0.8


def test_grid_search_over_activation_and_norm_in_pipeline():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((16,), max_iter=60,
                                                         learning_rate_init=0.02, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__activation": ["relu", "gelu"],
                               "mlpclassifier__norm": [None, "layernorm"]}, cv=3, n_jobs=2)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.85
    assert grid.best_estimator_.score(X, y) > 0.9


def test_clone_keeps_parameters_not_fit():
    clf = MLPClassifier((8, 4), activation="leaky_relu", norm="layernorm", dtype="float64")
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "model_")


@pytest.mark.parametrize("param, value, fragment", [
    ("activation", "swish", "'activation' parameter of MLPClassifier must be one of"),
    ("solver", "lbfgs", "'solver'"),
    ("alpha", -1.0, "'alpha' parameter of MLPClassifier must be a float in the range"),
    ("hidden_layer_sizes", (10, 0), "'hidden_layer_sizes'"),
    ("batch_size", 0, "'batch_size'"),
    ("learning_rate_init", 0.0, "'learning_rate_init'"),
    ("validation_fraction", 1.5, "'validation_fraction'"),
    ("norm", "batchnorm", "'norm'"),
    ("dtype", "int32", "'dtype'"),
    ("init", "he", "'init'"),
])
def test_bad_parameters_are_named_in_fit(iris, param, value, fragment):
    X, y = iris
    clf = MLPClassifier(max_iter=2).set_params(**{param: value})  # accepted until fit
    with pytest.raises(ValueError, match=fragment) as info:
        clf.fit(X, y)
    assert repr(value) in str(info.value)
    # scikit-learn's InvalidParameterError: a TypeError too, as its own estimators raise
    assert isinstance(info.value, TypeError)
    assert type(info.value).__name__ == "InvalidParameterError"


def test_bad_input_gets_sklearn_errors(iris):
    X, y = iris
    clf = MLPClassifier(max_iter=2)
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError, match="2D array"):
        clf.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        clf.fit(X[:0], y[:0])
    fitted = MLPClassifier((4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="3 features, but MLPClassifier is expecting 4"):
        fitted.predict(X[:, :3])


def test_early_stopping_records_validation_and_restores_best(iris):
    X, y = iris
    clf = MLPClassifier((32,), max_iter=300, early_stopping=True, n_iter_no_change=5,
                        validation_fraction=0.2, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.validation_loss_curve_)
    assert clf.n_iter_ < 300 and clf.best_loss_ is None
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the restored weights are those of the best validation epoch, not the last one
    assert clf.history_.records[-1]["val_score"] <= clf.best_validation_score_


def test_no_convergence_warns_and_tol_stops():
    X, y = make_moons(200, noise=0.1, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    stopped = MLPClassifier((8,), max_iter=500, tol=0.5, n_iter_no_change=2,
                            random_state=0).fit(X, y)
    # the loss never falls by 0.5: after epoch 1, stop once 3 > n_iter_no_change epochs
    # have passed without improvement (scikit-learn's '>')
    assert stopped.n_iter_ == 4


def test_a_score_or_loss_equal_to_the_best_plus_tol_counts_as_an_improvement():
    """scikit-learn's rule at the boundary: with tol=0 a validation accuracy that stays
    at its best (a tie) keeps training, as does a training loss equal to its best."""
    from sklearn.datasets import make_blobs
    from sklearn.neural_network import MLPClassifier as SkMLP
    X, y = make_blobs(200, centers=[[-5, -5], [5, 5]], random_state=0)
    settings = dict(hidden_layer_sizes=(5,), early_stopping=True, tol=0.0, n_iter_no_change=2,
                    max_iter=30, learning_rate_init=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours, theirs = MLPClassifier(**settings).fit(X, y), SkMLP(**settings).fit(X, y)
    assert ours.validation_scores_[-28:] == [1.0] * 28  # separable: each epoch ties the best
    assert ours.n_iter_ == theirs.n_iter_ == 30
    clf = MLPClassifier(tol=0.0, n_iter_no_change=1)
    clf._best_loss, clf._no_improvement, clf.loss_curve_ = 0.5, 1, [0.5]
    assert not clf._converged(validating=False) and clf._no_improvement == 0
    clf.loss_curve_.append(0.5 + 1e-12)
    clf._converged(validating=False)
    assert clf._no_improvement == 1


def test_coefs_and_intercepts_are_the_networks_own_as_in_scikit_learn(iris):
    X, y = iris
    clf = MLPClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    clf.coefs_[1][:] = 0  # in place: the network changes
    clf.intercepts_[1][:] = [0.0, 1.0, 0.0]
    np.testing.assert_allclose(clf.predict_proba(X), np.tile(softmax([0.0, 1.0, 0.0]), (150, 1)))
    clf.coefs_ = [np.ones((4, 5)), np.eye(5, 3)]  # assigned: copied in
    assert clf.coefs_[0].sum() == 20 and not np.allclose(clf.predict_proba(X), before)
    clf.coefs_[0] = np.zeros((4, 5))  # an item set: copied in too
    assert clf.coefs_[0].sum() == 0
    with pytest.raises(ValueError, match=r"coefs_\[0\]: must have the fitted network's "
                                         r"shape \(4, 5\), got \(5, 4\)"):
        clf.coefs_ = [np.ones((5, 4)), np.ones((5, 3))]
    with pytest.raises(ValueError, match="coefs_: must be 2 arrays"):
        clf.coefs_ = [np.ones((4, 5))]
    with pytest.raises(NotFittedError):
        MLPClassifier().coefs_ = [np.ones((4, 5))]


def test_set_params_after_fit_changes_the_next_fit_not_the_predictions():
    X, y = make_regression(60, 3, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, np.abs(y))
    predicted = reg.predict(X)
    reg.set_params(loss="poisson", dtype="float32")
    assert reg.out_activation_ == "identity"
    np.testing.assert_array_equal(reg.predict(X), predicted)
    reg.fit(X, np.abs(y))  # the next fit takes them
    assert reg.out_activation_ == "exp" and reg.coefs_[0].dtype == np.float32


def test_adamw_decays_the_weights_by_alpha_in_place_of_the_l2_penalty(iris):
    """solver='adamw': one full-batch step is Adam's step from w·(1 - lr·alpha) for each
    weight matrix; biases are not decayed, and the loss has no L2 term."""
    X, y = iris
    settings = dict(hidden_layer_sizes=(4,), max_iter=1, batch_size=150, shuffle=False,
                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = MLPClassifier(**settings, learning_rate_init=1e-300, alpha=0.0).fit(X, y)
        adam = MLPClassifier(**settings, solver="adam", alpha=0.0).fit(X, y)
        adamw = MLPClassifier(**settings, solver="adamw", alpha=0.5).fit(X, y)
    for w0, a, w in zip(start.coefs_, adam.coefs_, adamw.coefs_):
        np.testing.assert_allclose(a - w, 0.001 * 0.5 * w0, rtol=1e-9)
    for a, w in zip(adam.intercepts_, adamw.intercepts_):
        np.testing.assert_array_equal(a, w)
    assert adamw.loss_ == adam.loss_
    assert adamw._optimizer.param_groups[1]["weight_decay"] == 0.0


def test_a_regressor_refuses_text_targets_by_name():
    X, y = make_regression(20, 3, random_state=0)
    with pytest.raises(ValueError, match=r"MLPRegressor.fit: y must hold numbers, got "
                                         r"strings or bytes \(dtype <U"):
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y.astype(str))


@pytest.mark.parametrize("dtype", [str, "S", object])
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_text_inputs_are_refused_at_fit_and_predict(Estimator, dtype):
    # numpy, given the estimator's float dtype, would parse '1.5' and b'2' silently
    # (scikit-learn's MLP parses them at fit and refuses them at predict)
    X = np.array([["1.5", "2"], ["0.1", "-3"], ["2", "1e1"], ["4", "0"]] * 5).astype(dtype)
    y = np.array([0, 1, 0, 1] * 5)
    name = Estimator.__name__
    with pytest.raises(ValueError, match=rf"{name}.fit: X must hold numbers, got strings or "
                                         rf"bytes \(dtype "):
        Estimator(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    fitted = Estimator(hidden_layer_sizes=(3,), max_iter=2).fit(X.astype(float), y)
    with pytest.raises(ValueError, match=rf"{name}.predict: X must hold numbers"):
        fitted.predict(X[:2])
    with pytest.raises(ValueError, match=rf"{name}.predict: X must hold numbers"):
        fitted.predict([["1", "2"]])  # a list of strings too
    if Estimator is MLPClassifier:
        with pytest.raises(ValueError, match=r"MLPClassifier.predict_proba: X must hold"):
            fitted.predict_proba(X[:2])
    # numbers in an object array or a list are numbers
    np.testing.assert_array_equal(fitted.predict(X.astype(float).astype(object)),
                                  fitted.predict(X.astype(float).tolist()))


def test_fit_routes_no_checkpoint_path_as_metadata():
    import sklearn
    from sklearn.neural_network import MLPClassifier as Theirs

    with sklearn.config_context(enable_metadata_routing=True):
        assert str(MLPClassifier().get_metadata_routing()) == \
            str(Theirs().get_metadata_routing())
        assert "resume_from" not in str(MLPRegressor().get_metadata_routing())


def test_a_column_vector_target_of_a_regressor_warns_as_scikit_learn():
    from sklearn.exceptions import DataConversionWarning
    X, y = make_regression(40, 3, random_state=0)
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(
            X, y[:, None])
    assert reg.predict(X).shape == (40,) and reg.n_outputs_ == 1


def _check_dead_since(records) -> int:
    """Each record's dead_since is the first epoch of the unit's current dead run, read
    from the records themselves; returns how many dead units were checked."""
    checked, run_start = 0, {}
    for record in records:
        layer = record["layers"]["1"]
        dead = dict(zip(layer["dead_units"], layer["dead_since"]))
        run_start = {unit: run_start.get(unit, record["epoch"]) for unit in dead}
        assert dead == run_start, record["epoch"]
        checked += len(dead)
    return checked


def test_dead_units_are_dated_in_the_historys_epochs_across_fit_calls(iris):
    """partial_fit and warm_start fits go on with one Monitor's count: a unit dead since
    epoch 2 says 2 in epoch 9, not the epoch of the call that saw it."""
    X, y = iris
    settings = dict(hidden_layer_sizes=(16,), learning_rate_init=0.05, random_state=0,
                    batch_size=32, alpha=0.1)
    clf = MLPClassifier(**settings)
    for _ in range(8):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    warm = MLPClassifier(max_iter=3, warm_start=True, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(3):
            warm.fit(X, y)
    for est in (clf, warm):
        assert [r["epoch"] for r in est.history_.records] == list(range(1, est._epochs + 1))
        assert _check_dead_since(est.history_.records) > 5
        assert min(est.history_.records[-1]["layers"]["1"]["dead_since"]) < 3


def test_partial_fit_keeps_its_optimizer_through_a_new_dtype_and_solver(iris):
    """As scikit-learn's partial_fit keeps the optimizer it made: a solver set since does
    not apply, and a dtype set since casts the optimizer's state."""
    from tinynet import optim
    X, y = iris
    clf = MLPClassifier((4,), solver="adam", random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    clf.set_params(dtype="float32", solver="adamw")
    clf.partial_fit(X, y)
    assert type(clf._optimizer) is optim.Adam and clf.coefs_[0].dtype == np.float32
    assert all(v.dtype == np.float32 for state in clf._optimizer.state.values()
               for v in state.values() if isinstance(v, np.ndarray) and v.ndim)
    assert not clf._decays_weights()  # Adam's: alpha stays the L2 penalty


def test_a_call_without_the_monitor_leaves_the_dead_units_dates_alone(iris):
    X, y = iris
    clf = MLPClassifier((16,), learning_rate_init=0.05, alpha=0.1, batch_size=32,
                        random_state=0)
    for monitor in (True, True, False, True):
        clf.set_params(monitor=monitor).partial_fit(X, y, classes=[0, 1, 2])
    epochs = [r["epoch"] for r in clf.history_.records]
    assert epochs == [1, 2, 3, 4] and clf.history_.records[2]["layers"] == {}
    seen = [r for r in clf.history_.records if r["layers"]]
    assert _check_dead_since(seen) > 0  # dated in the History's epochs, 4 after 2


def test_partial_fit_needs_classes_then_learns(iris):
    X, y = iris
    clf = MLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(50):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    # n_iter_ counts the epochs of the last call (scikit-learn's), the curve all of them
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 50 and clf.score(X, y) > 0.9
    assert [r["epoch"] for r in clf.history_.records] == list(range(1, 51))
    with pytest.raises(ValueError, match=r"MLPClassifier.partial_fit: classes must be the same "
                                         r"as on the first call, \[0, 1, 2\], got \[0, 1\]"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_a_failed_first_partial_fit_leaves_no_classes_for_the_next_fit(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.partial_fit(np.where(X > 1, np.nan, X), y, classes=[0, 1, 2, 3, 4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.classes_.tolist() == [0, 1, 2] and clf.predict_proba(X).shape == (150, 3)


def test_a_refit_refused_by_its_checks_leaves_the_fitted_estimator_whole(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="class_weight names classes that are not in y's"):
        clf.set_params(class_weight={"maybe": 2.0}).fit(X, np.where(y == 0, "no", "yes"))
    with pytest.raises(ValueError, match="sample_weight"):  # after X, with 2 features, passed
        clf.set_params(class_weight=None).fit(X[:, :2], y, sample_weight=np.ones(3))
    assert clf.classes_.tolist() == [0, 1, 2] and clf.n_features_in_ == 4
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_negative_sample_weights_are_refused_by_name_before_training(estimator, iris):
    X, y = iris
    weights = np.ones(150)
    weights[7] = -0.5
    model = estimator(hidden_layer_sizes=(4,), max_iter=2)
    with pytest.raises(ValueError, match=rf"{estimator.__name__}.fit: sample_weight must be "
                                         rf">= 0, got -0.5 at sample 7"):
        model.fit(X, y, sample_weight=weights)
    assert not hasattr(model, "model_")


def test_the_estimators_hints_read_the_inputs_and_the_loss_at_initialisation():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)  # feature scales from 0.003 to 569
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((16,), max_iter=3, random_state=0).fit(X, y)
    config = clf.history_.config
    assert config["input"]["max_std"] > 500 and config["input"]["min_std"] < 0.01
    assert config["expected_initial_loss"] == pytest.approx(np.log(2))  # one logit
    assert "input_scale" in {h.kind for h in clf.history_.diagnose()}
    X_moons, y_moons = make_moons(500, noise=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        wild = MLPClassifier((32, 32, 32), learning_rate_init=1.0, max_iter=3,
                             random_state=0).fit(X_moons, y_moons)
    assert wild.loss_curve_[0] > 10 * wild.history_.config["initial_loss"]
    diverged = wild.history_.diagnose()[0]
    assert diverged.kind == "diverged"
    # the advice names the estimator's parameters, not fit's
    assert diverged.advice == "lower learning_rate_init (by 10x)"
    assert all("fit(" not in h.advice and "MLP(" not in h.advice
               for h in clf.history_.diagnose())


def test_validation_scores_are_none_without_early_stopping_as_in_scikit_learn(iris):
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for cls in (MLPClassifier, SkMLPClassifier):
            plain = cls((4,), max_iter=3, random_state=0).fit(X, y)
            assert plain.validation_scores_ is None and plain.best_validation_score_ is None
        warm = MLPClassifier((4,), max_iter=3, random_state=0, warm_start=True).fit(X, y)
        warm.set_params(early_stopping=True).fit(X, y)  # turned on: scores from here
        assert len(warm.validation_scores_) == 3
        assert warm.best_validation_score_ == max(warm.validation_scores_)
        warm.set_params(early_stopping=False).fit(X, y)  # and off again: None
    assert warm.validation_scores_ is None and warm.best_validation_score_ is None


def test_verbose_prints_the_validation_score_of_each_epoch_as_scikit_learn(iris, capsys):
    X, y = iris
    clf = MLPClassifier((4,), max_iter=2, early_stopping=True, verbose=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1::2] == [f"Validation score: {s:f}" for s in clf.validation_scores_]


def test_class_weight_and_sample_weight_shift_decisions():
    # a 90/10 imbalanced problem where the classes overlap
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (450, 2)), rng.normal(1.0, 1, (50, 2))]
    y = np.r_[np.zeros(450, int), np.ones(50, int)]
    plain = MLPClassifier((8,), max_iter=100, random_state=0).fit(X, y)
    balanced = MLPClassifier((8,), max_iter=100, random_state=0, class_weight="balanced")
    balanced.fit(X, y)
    weighted = MLPClassifier((8,), max_iter=100, random_state=0)
    weighted.fit(X, y, sample_weight=np.where(y == 1, 9.0, 1.0))
    minority = lambda m: (m.predict(X) == 1).sum()  # noqa: E731
    assert minority(balanced) > 3 * max(minority(plain), 1)
    assert minority(weighted) > 3 * max(minority(plain), 1)


def test_warm_start_continues_and_history_has_diagnostics(iris):
    X, y = iris
    clf = MLPClassifier((16,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first_loss = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 10 and clf.loss_curve_[-1] < first_loss
    assert [r["epoch"] for r in clf.history_.records] == list(range(1, 11))
    layers = clf.history_.records[-1]["layers"]
    assert {s["kind"] for s in layers.values()} == {"Linear", "ReLU"}
    assert 0 <= layers["1"]["dead_rate"] <= 1


def test_regression_alpha_shrinks_weights():
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    y = y / y.std()
    settings = dict(max_iter=100, learning_rate_init=0.01, n_iter_no_change=100,
                    random_state=0)
    small = MLPRegressor(hidden_layer_sizes=(16,), alpha=0.0, **settings).fit(X, y)
    large = MLPRegressor(hidden_layer_sizes=(16,), alpha=50.0, **settings).fit(X, y)
    norm = lambda m: sum(np.sum(c ** 2) for c in m.coefs_)  # noqa: E731
    assert norm(large) < 0.5 * norm(small)


def test_partial_fit_refuses_early_stopping_and_warm_start_after_early_stopping_works(iris):
    X, y = iris
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    clf = MLPClassifier((8,), early_stopping=True, max_iter=20, warm_start=True,
                        random_state=0).fit(X, y)
    assert clf.best_loss_ is None
    first = len(clf.loss_curve_)
    clf.set_params(early_stopping=False).fit(X, y)  # used to crash on best_loss_ = None
    assert clf.best_loss_ == min(clf.loss_curve_[first:])
    assert clf.history_.records[-1]["val_acc"] is None
    assert "train_acc" in clf.history_.records[0]


# ---- checkpoints ---------------------------------------------------------------------------
def _same_fit(a, b):
    for x, y in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, y)
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_
    assert a.validation_scores_ == b.validation_scores_
    assert a.history_.records == b.history_.records


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("settings", [
    dict(solver="adam", alpha=1e-3),
    dict(solver="adamw", alpha=0.1),
    dict(solver="sgd", early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
    dict(solver="sgd", learning_rate="invscaling", power_t=0.25),
    dict(solver="sgd", learning_rate="adaptive", tol=0.05, n_iter_no_change=1),
], ids=["adam", "adamw", "sgd-early-stopping", "sgd-invscaling", "sgd-adaptive"])
def test_a_fit_resumed_from_its_checkpoint_ends_as_the_uninterrupted_fit(iris, tmp_path,
                                                                         settings):
    X, y = iris
    common = dict(hidden_layer_sizes=(16,), learning_rate_init=0.05, random_state=0,
                  batch_size=32, **settings)
    straight = MLPClassifier(max_iter=12, **common).fit(X, y)
    path = tmp_path / "fit.npz"
    MLPClassifier(max_iter=4, checkpoint=str(path), **common).fit(X, y)  # "interrupted"
    resumed = MLPClassifier(max_iter=12, **common).fit(X, y, resume_from=str(path))
    _same_fit(straight, resumed)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_fit_resumed_from_the_checkpoint_of_a_fit_that_stopped_trains_no_further(
        iris, tmp_path, early_stopping):
    X, y = iris
    path = tmp_path / "fit.npz"
    common = dict(hidden_layer_sizes=(8,), max_iter=500, random_state=0, tol=1e-2,
                  n_iter_no_change=2, early_stopping=early_stopping)
    stopped = MLPClassifier(checkpoint=str(path), **common).fit(X, y)
    assert stopped.n_iter_ < 500  # it stopped by tol
    resumed = MLPClassifier(**common).fit(X, y, resume_from=str(path))
    _same_fit(stopped, resumed)


def test_a_checkpoint_written_before_the_rate_and_adam_parameters_resumes(iris, tmp_path):
    # such a checkpoint ran with what these parameters' defaults do now
    from tinynet.sklearn.checkpoint import BEFORE
    X, y = iris
    path = tmp_path / "fit.npz"
    MLPClassifier((8,), max_iter=2, checkpoint=str(path), random_state=0).fit(X, y)
    state = tn_load(str(path))
    for key in (*BEFORE, "weight_decay"):
        state["run"]["params"].pop(key, None)  # (a classifier has no loss)
    tn_save(state, str(path))
    resumed = MLPClassifier((8,), max_iter=4, random_state=0).fit(X, y, resume_from=str(path))
    _same_fit(resumed, MLPClassifier((8,), max_iter=4, random_state=0).fit(X, y))
    with pytest.raises(ValueError, match="these differ: learning_rate: checkpoint 'constant', "
                                         "now 'adaptive'"):
        MLPClassifier((8,), max_iter=4, random_state=0, learning_rate="adaptive").fit(
            X, y, resume_from=str(path))
    # 'adamw' then decayed every parameter by 0.01 beside the L2 penalty: no run now does
    for alpha in (1e-4, 0.01):
        MLPClassifier((8,), max_iter=2, checkpoint=str(path), solver="adamw", alpha=alpha,
                      random_state=0).fit(X, y)
        state = tn_load(str(path))
        state["run"]["params"].pop("weight_decay")
        tn_save(state, str(path))
        with pytest.raises(ValueError, match=f"these differ: weight_decay: checkpoint '0.01 on "
                                             f"every parameter, beside the L2 penalty .*', now "
                                             f"{alpha}"):
            MLPClassifier((8,), max_iter=4, solver="adamw", alpha=alpha, random_state=0).fit(
                X, y, resume_from=str(path))


def test_a_checkpoint_written_before_class_weight_was_recorded_resumes(iris, tmp_path):
    X, y = iris
    path = tmp_path / "fit.npz"
    settings = dict(max_iter=2, random_state=0, class_weight="balanced")
    MLPClassifier((8,), checkpoint=str(path), **settings).fit(X, y)
    state = tn_load(str(path))  # as an older tinynet wrote it: no class_weight, X and y only
    state["run"]["params"].pop("class_weight")
    state["run"]["data"] = state["run"].pop("data_unweighted")
    tn_save(state, str(path))
    settings["max_iter"] = 4
    resumed = MLPClassifier((8,), **settings).fit(X, y, resume_from=str(path))
    _same_fit(resumed, MLPClassifier((8,), **settings).fit(X, y))


def test_a_checkpoint_of_other_parameters_or_data_is_refused(iris, tmp_path):
    X, y = iris
    path = tmp_path / "fit.npz"
    MLPClassifier((8,), max_iter=2, checkpoint=str(path), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"another run; these differ: hidden_layer_sizes: "
                                         r"checkpoint \(8,\), now \(16,\)"):
        MLPClassifier((16,), max_iter=4, random_state=0).fit(X, y, resume_from=str(path))
    with pytest.raises(ValueError, match="the training data"):
        MLPClassifier((8,), max_iter=4, random_state=0).fit(X[::-1], y[::-1],
                                                             resume_from=str(path))
    with pytest.raises(ValueError, match="estimator: checkpoint MLPClassifier, now MLPRegressor"):
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=4,
                     random_state=0).fit(X, y.astype(float), resume_from=str(path))
    # class and sample weights change what is learnt: another run
    with pytest.raises(ValueError, match="class_weight: checkpoint None, now 'balanced'"):
        MLPClassifier((8,), max_iter=4, random_state=0, class_weight="balanced").fit(
            X, y, resume_from=str(path))
    with pytest.raises(ValueError, match=r"the training data \(X, y, sample weights\) differ"):
        MLPClassifier((8,), max_iter=4, random_state=0).fit(
            X, y, sample_weight=np.linspace(0.5, 1.5, len(y)), resume_from=str(path))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_warm_start_keeps_the_model_trained_so_far(iris):
    X, y = iris
    clf = MLPClassifier((16,), solver="sgd", max_iter=5, warm_start=True,
                        random_state=0).fit(X, y)
    clf.set_params(learning_rate_init=1e300)
    with pytest.raises(FloatingPointError) as info:
        clf.fit(X, y)
    match = re.search(r"the training loss became \S+ at epoch (\d+), step \d+; the model is "
                      r"back at the end of epoch (\d+)", str(info.value))
    assert match and int(match[1]) == int(match[2]) + 1 > 5
    assert int(match[2]) == len(clf.loss_curve_)  # what was trained is kept
    assert clf.n_iter_ == int(match[2]) - 5  # (the epochs of the failed call)
    assert all(np.isfinite(c).all() for c in clf.coefs_ + clf.intercepts_)


# ---- against scikit-learn's own MLP ---------------------------------------------------------
def _from_the_same_weights(make, X, y, start, fit_kwargs=None, **params):
    """An estimator from ``make`` with ``params``, built by one partial_fit epoch, whose
    weights were then set to ``start`` (scikit-learn's coefs_, intercepts_) and whose
    optimizer is dropped (both libraries' partial_fit then make a new one)."""
    est = make(hidden_layer_sizes=(5,), activation="tanh", shuffle=False, random_state=0,
               **params)
    est.partial_fit(X, y, **(fit_kwargs or {}))
    coefs, intercepts = start
    if hasattr(est, "model_"):  # tinynet's: (fan_out, fan_in) weights in its Linears
        linears = [m for m in est.model_.modules() if isinstance(m, tn_nn.Linear)]
        for layer, W, b in zip(linears, coefs, intercepts):
            layer.weight.array[...] = W.T
            layer.bias.array[...] = b
    else:
        est.coefs_ = [W.copy() for W in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
    del est._optimizer
    return est


def _one_sgd_step(make, X, y, start, **fit_kwargs):
    """The weights and loss after one full-batch SGD step (no momentum) from ``start``."""
    est = _from_the_same_weights(make, X, y, start, fit_kwargs, solver="sgd", momentum=0.0,
                                 alpha=0.01, batch_size=len(X), learning_rate_init=0.1)
    est.partial_fit(X, y)
    return est.coefs_ + est.intercepts_, est.loss_


@pytest.mark.parametrize("kind, n_outputs", [("regressor", 1), ("regressor", 3),
                                             ("poisson", 1), ("poisson", 3),
                                             ("classifier", 2), ("classifier", 3)])
def test_one_sgd_step_moves_the_weights_as_scikit_learns(kind, n_outputs):
    """From the same weights, one step with the same hyperparameters (L2 penalty
    included) gives scikit-learn's weights and reported loss: with several regression
    outputs too, where scikit-learn steps along the squared error summed over them, and
    with the Poisson loss (its mean e^out, its loss summed over the outputs)."""
    import functools

    from sklearn import neural_network
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    if kind == "poisson":
        Y = rng.poisson(np.exp(0.3 * X @ rng.normal(size=(4, n_outputs))))
        y = Y[:, 0] if n_outputs == 1 else Y
        pair = tuple(functools.partial(make, loss="poisson")
                     for make in (MLPRegressor, neural_network.MLPRegressor))
        fit_kwargs = {}
    elif kind == "regressor":
        Y = X @ rng.normal(size=(4, n_outputs)) + 0.1 * rng.normal(size=(40, n_outputs))
        y = Y[:, 0] if n_outputs == 1 else Y
        pair, fit_kwargs = (MLPRegressor, neural_network.MLPRegressor), {}
    else:
        y = rng.integers(0, n_outputs, 40)
        pair = (MLPClassifier, neural_network.MLPClassifier)
        fit_kwargs = {"classes": np.arange(n_outputs)}
    theirs = pair[1](hidden_layer_sizes=(5,), random_state=1, solver="sgd")
    theirs.partial_fit(X, y, **fit_kwargs)
    start = ([W.copy() for W in theirs.coefs_], [b.copy() for b in theirs.intercepts_])
    ours, our_loss = _one_sgd_step(pair[0], X, y, start, **fit_kwargs)
    expected, their_loss = _one_sgd_step(pair[1], X, y, start, **fit_kwargs)
    for a, b in zip(ours, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert our_loss == pytest.approx(their_loss, rel=1e-12)


def test_the_poisson_regressor_predicts_means_and_refuses_negative_counts():
    from sklearn import neural_network
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = rng.poisson(np.exp(0.8 * X[:, 0] + 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressor("poisson", (16,), max_iter=100, random_state=0,
                            learning_rate_init=0.01).fit(X, y)
        theirs = neural_network.MLPRegressor("poisson", (16,), max_iter=100, random_state=0,
                                             learning_rate_init=0.01).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    mean = np.exp(ours.model_(tensor(X)).detach().numpy()[:, 0])
    np.testing.assert_allclose(ours.predict(X), mean, rtol=1e-12)
    # both learn the rate: R² of the counts near scikit-learn's
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=0.05)
    assert ours.score(X, y) > 0.3
    with pytest.raises(ValueError, match=r"MLPRegressor.fit: y must be >= 0 for "
                                         r"loss='poisson' \(counts or rates\), got -1.0"):
        MLPRegressor("poisson", (4,)).fit(X, np.r_[-1.0, y[1:]])
    with pytest.raises(ValueError, match=r"The 'loss' parameter of MLPRegressor must be one of "
                                         r".* \(the first argument is the loss, as in "
                                         r"scikit-learn"):
        MLPRegressor((16,)).fit(X, y)
    grown = MLPRegressor(hidden_layer_sizes=(4,), max_iter=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="loss is 'poisson', but the fitted network was "
                                         "built with 'squared_error'"):
        grown.set_params(loss="poisson").fit(X, y)


def test_a_regressor_pickled_before_its_loss_parameter_loads_as_squared_error():
    X, y = make_regression(60, 3, noise=1.0, random_state=0)
    old = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, warm_start=True).fit(X, y)
    predictions = old.predict(X)
    del old.loss, old._architecture["loss"]  # as such a pickle holds it
    loaded = pickle.loads(pickle.dumps(old))
    assert loaded.get_params()["loss"] == "squared_error"
    np.testing.assert_array_equal(loaded.predict(X), predictions)
    loaded.fit(X, y)  # a warm start of the same network


def test_regressor_predicts_one_output_flat_whatever_y_shape():
    X, y = make_regression(60, 3, noise=1.0, random_state=0)
    for target in (y, y[:, None]):
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, target)
        assert reg.predict(X).shape == (60,)  # as scikit-learn's
    two = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, np.c_[y, y])
    assert two.predict(X).shape == (60, 2)


# ---- early stopping, warm starts, class weights -----------------------------------------
def test_early_stopping_scores_the_validation_split_with_its_sample_weights(iris):
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    X, y = iris
    weights = np.where(y == 2, 20.0, 1.0)
    clf = MLPClassifier((4,), max_iter=1, early_stopping=True, validation_fraction=0.3,
                        random_state=0).fit(X, y, sample_weight=weights)
    _, X_val, _, y_val, _, w_val = train_test_split(
        X, y, weights, test_size=0.3, random_state=clf._split_seed)  # (3 classes: not
    # stratified, as scikit-learn's)
    weighted = accuracy_score(y_val, clf.predict(X_val), sample_weight=w_val)
    assert clf.validation_scores_ == [weighted]
    assert weighted != accuracy_score(y_val, clf.predict(X_val))  # the weights count here


def test_early_stopping_refuses_a_validation_set_of_one_sample():
    X, y = make_regression(10, 3, random_state=0)
    with pytest.raises(ValueError, match=r"MLPRegressor.fit: the validation set is too small "
                                         r"\(0.1 of 10 samples: fewer than 2\)"):
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, early_stopping=True).fit(X, y)


def test_a_warm_start_under_another_architecture_is_refused_and_a_dtype_followed(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, warm_start=True, random_state=0).fit(X, y)
    for param, value in (("hidden_layer_sizes", (3, 3)), ("activation", "tanh"),
                         ("norm", "layernorm")):
        before = [c.copy() for c in clf.coefs_]
        clf.set_params(**{param: value})
        shown = re.escape(repr(value))
        with pytest.raises(ValueError, match=rf"MLPClassifier.fit: {param} is {shown}, but "
                                             rf"the fitted network was built with "
                                             rf".*warm_start=False"):
            clf.fit(X, y)
        with pytest.raises(ValueError, match=rf"MLPClassifier.partial_fit: {param} is"):
            clf.partial_fit(X, y)
        assert all(np.array_equal(a, b) for a, b in zip(before, clf.coefs_))  # untouched
        clf.set_params(**{param: MLPClassifier((8,)).get_params()[param]})
    clf.set_params(dtype="float32").fit(X, y)  # continues in float32
    assert clf.model_[0].weight.dtype == np.float32 and len(clf.loss_curve_) == 6
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    clf.partial_fit(X, y)  # Adam's state follows the cast
    fresh = clf.set_params(warm_start=False, hidden_layer_sizes=(3, 3)).fit(X, y)
    assert [c.shape for c in fresh.coefs_] == [(4, 3), (3, 3), (3, 3)]


def test_class_weight_is_checked_against_the_classes():
    X, y = make_moons(60, random_state=0)
    labels = np.array(["a", "b"])[y]
    with pytest.raises(ValueError, match=r"class_weight names classes that are not in y's "
                                         r"classes \['a', 'b'\]: \['A'\]"):
        MLPClassifier((4,), max_iter=2, class_weight={"A": 10}).fit(X, labels)
    for bad in ("bal", {"a": -1.0}, {"a": np.nan}):
        with pytest.raises(ValueError, match=r"The 'class_weight' parameter of MLPClassifier "
                                             r"must be"):
            MLPClassifier((4,), max_iter=2, class_weight=bad).fit(X, labels)
    with pytest.raises(ValueError, match="sum to 0.0; some sample must weigh more than 0"):
        MLPClassifier((4,), max_iter=2, class_weight={"a": 0, "b": 0}).fit(X, labels)
    with pytest.raises(ValueError, match=r"class_weight='balanced' needs the class counts"):
        MLPClassifier((4,), class_weight="balanced").partial_fit(X, labels, classes=["a", "b"])
    weighted = MLPClassifier((4,), max_iter=2, random_state=0, class_weight={"b": 3.0})
    plain = MLPClassifier((4,), max_iter=2, random_state=0)
    assert weighted.fit(X, labels).loss_ != plain.fit(X, labels).loss_


@pytest.mark.parametrize("param, value, fragment", [
    ("dtype", "foo", "'float32' or 'float64'"),
    ("random_state", -1, r"None, an int in the range \[0, 2\*\*32 - 1\] or a numpy "
                         r"RandomState"),
    ("shuffle", "yes", "an instance of 'bool'"),
    ("early_stopping", None, "an instance of 'bool'"),
    ("verbose", -2, "a bool or an int >= 0"),
    ("validation_fraction", 1.0, r"a float in the range \[0.0, 1.0\)"),
    ("n_iter_no_change", 0, r"an int in the range \[1, inf\) or np.inf"),
])
def test_more_bad_parameters_are_named_in_fit(iris, param, value, fragment):
    X, y = iris
    with pytest.raises(ValueError, match=rf"The '{param}' parameter of MLPClassifier must be "
                                         rf"{fragment}\. Got {re.escape(repr(value))} instead"):
        MLPClassifier(max_iter=2).set_params(**{param: value}).fit(X, y)


def test_scikit_learns_accepted_edge_values_are_accepted(iris):
    X, y = iris
    clf = MLPClassifier((4,), max_iter=3, validation_fraction=0.0, n_iter_no_change=np.inf)
    assert clf.fit(X, y).n_iter_ == 3  # never stops on tol, no early-stopping split
    with pytest.warns(UserWarning, match="larger than sample size. It is going to be clipped"):
        MLPClassifier((4,), max_iter=1, batch_size=1000).fit(X, y)


def test_multilabel_targets_get_their_own_message():
    X = np.random.default_rng(0).normal(size=(30, 3))
    Y = (X > 0).astype(int)
    with pytest.raises(ValueError, match=r"MLPClassifier.fit: y must hold one label per "
                                         r"sample .* multilabel-indicator y of shape \(30, 3\)"):
        MLPClassifier((4,), max_iter=2).fit(X, Y)


def test_an_estimator_pickled_before_the_epoch_counter_still_continues(iris):
    """(pickles made before _epochs and _architecture were kept: as if they had them)"""
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, warm_start=True, random_state=0).fit(X, y)
    state = clf.__getstate__()
    del state["_epochs"], state["_architecture"]
    old = MLPClassifier.__new__(MLPClassifier)
    old.__setstate__(state)
    old.fit(X, y)
    assert old.n_iter_ == 3 and [r["epoch"] for r in old.history_.records] == list(range(1, 7))
    old.set_params(hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="hidden_layer_sizes is"):
        old.fit(X, y)


def test_partial_fit_saves_its_checkpoint_every_so_many_epochs(iris, tmp_path):
    X, y = iris
    path = tmp_path / "pf.npz"
    clf = MLPClassifier((8,), checkpoint=str(path), checkpoint_every=2, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    assert not path.exists()
    clf.partial_fit(X, y)
    assert path.exists()


def test_early_stopping_stratifies_two_classes_only_as_scikit_learn():
    """A multiclass split is not stratified (scikit-learn's), so 30 samples of 5 classes
    with validation_fraction=0.1 (3 samples) split; two classes keep their shares."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.repeat(np.arange(5), 6)
    clf = MLPClassifier((4,), max_iter=2, early_stopping=True, validation_fraction=0.1,
                        random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == 2
    from sklearn.neural_network import MLPClassifier as SkMLP
    SkMLP((4,), max_iter=2, early_stopping=True, validation_fraction=0.1,
          random_state=0).fit(X, y)  # scikit-learn splits it too


def _regression_problem():
    from sklearn import neural_network
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = X @ rng.normal(size=4) + 0.1 * rng.normal(size=40)
    theirs = neural_network.MLPRegressor(hidden_layer_sizes=(5,), random_state=1).partial_fit(X, y)
    return X, y, ([W.copy() for W in theirs.coefs_], [b.copy() for b in theirs.intercepts_])


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_the_sgd_rate_schedules_move_the_weights_as_scikit_learns(schedule):
    """From the same weights, full-batch SGD without momentum (where the two libraries'
    momentum conventions agree), under 'invscaling' (the rate after every epoch
    learning_rate_init / (t_ + 1)^power_t: partial_fit) and 'adaptive' (the rate divided
    by 5 after n_iter_no_change epochs without improvement by tol: a warm-start fit)."""
    from sklearn import neural_network
    X, y, start = _regression_problem()
    results = []
    for make in (MLPRegressor, neural_network.MLPRegressor):
        est = _from_the_same_weights(make, X, y, start, solver="sgd", momentum=0.0,
                                     batch_size=len(X), learning_rate=schedule,
                                     learning_rate_init=0.05, power_t=0.3)
        if schedule == "invscaling":
            for _ in range(5):
                est.partial_fit(X, y)
        else:  # every epoch fails a tol of 1e9: the rate falls every other epoch
            est.set_params(warm_start=True, max_iter=7, tol=1e9, n_iter_no_change=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, y)
        rate = est._optimizer.param_groups[0]["lr"] if hasattr(est, "model_") else \
            est._optimizer.learning_rate
        results.append((est.coefs_ + est.intercepts_, est.loss_curve_, rate))
    (ours, our_curve, our_rate), (expected, their_curve, their_rate) = results
    assert our_rate == pytest.approx(their_rate, rel=1e-15) and our_rate < 0.05 / 2
    # (the first epoch ran from each library's own initial weights)
    np.testing.assert_allclose(our_curve[1:], their_curve[1:], rtol=1e-12)
    for a, b in zip(ours, expected):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-14)


def test_adams_betas_and_epsilon_are_taken():
    """beta_1, beta_2, epsilon reach Adam: from the same weights, three full-batch epochs
    follow scikit-learn's. (epsilon enters as PyTorch's Adam adds it, scaled by
    √(1 - β₂ᵗ), where scikit-learn adds it as it is: at 1e-8 the weights agree to 1e-6.)"""
    from sklearn import neural_network
    X, y, start = _regression_problem()
    results = []
    for make in (MLPRegressor, neural_network.MLPRegressor):
        est = _from_the_same_weights(make, X, y, start, batch_size=len(X), beta_1=0.5,
                                     beta_2=0.8, epsilon=1e-8, learning_rate_init=0.01)
        for _ in range(3):
            est.partial_fit(X, y)
        results.append(est.coefs_ + est.intercepts_)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    slow = _from_the_same_weights(MLPRegressor, X, y, start, batch_size=len(X),
                                  learning_rate_init=0.01)
    for _ in range(3):
        slow.partial_fit(X, y)  # the same steps under the default betas end elsewhere
    assert not np.allclose(slow.coefs_[0], results[0][0], rtol=1e-4)


def test_fitted_attributes_as_scikit_learns(iris):
    from sklearn import neural_network
    X, y = iris
    for X_, y_ in ((X, y), (X, y == 1)):
        ours = MLPClassifier((6, 4), max_iter=2).fit(X_, y_)
        theirs = neural_network.MLPClassifier((6, 4), max_iter=2).fit(X_, y_)
        for name in ("n_layers_", "n_outputs_", "out_activation_"):
            assert getattr(ours, name) == getattr(theirs, name), name
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, np.c_[y, y])
    assert (reg.n_layers_, reg.n_outputs_, reg.out_activation_) == (3, 2, "identity")


def test_partial_fit_keeps_the_best_loss_and_warm_starts_count_on(iris):
    """As scikit-learn's: partial_fit updates best_loss_; a warm-start fit goes on
    counting the epochs without improvement (here it stops after 2 more)."""
    X, y = iris
    clf = MLPClassifier((8,), random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.best_loss_ == min(clf.loss_curve_)
    clf = MLPClassifier((8,), random_state=0, tol=1e9, n_iter_no_change=3, max_iter=3,
                        warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert clf.fit(X, y).n_iter_ == 3
        assert clf.fit(X, y).n_iter_ == 2


@pytest.mark.parametrize("early_stopping", [False, True])
def test_ctrl_c_ends_fit_as_scikit_learn_at_the_last_finished_epoch(iris, monkeypatch,
                                                                    early_stopping):
    # scikit-learn's MLP warns "Training interrupted by user." and keeps what it has; here
    # the interrupted epoch is undone (a step may have updated some parameters only)
    X, y = iris
    kwargs = dict(hidden_layer_sizes=(8,), batch_size=30, random_state=0, tol=0.0,
                  early_stopping=early_stopping, n_iter_no_change=100)
    twin = MLPClassifier(max_iter=3, **kwargs).fit(X, y)
    from tinynet.optim import Adam
    step, calls = Adam.step, []

    def interrupted_step(self, closure=None):
        calls.append(1)
        if len(calls) == 3 * 5 + 2:  # in epoch 4 (5 steps of 30 from 150 or 135 samples)
            next(iter(self.param_groups[0]["params"])).array -= 0.1  # half a step
            raise KeyboardInterrupt
        return step(self, closure)

    monkeypatch.setattr(Adam, "step", interrupted_step)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        model = MLPClassifier(max_iter=10, **kwargs).fit(X, y)
    assert model.n_iter_ == 3 and model.loss_curve_ == twin.loss_curve_
    for ours, theirs in zip(model.model_.parameters(), twin.model_.parameters()):
        np.testing.assert_array_equal(ours.array, theirs.array)
    assert (model.predict(X) == twin.predict(X)).all()


def test_ctrl_c_after_an_epochs_steps_undoes_its_records_too(iris, monkeypatch):
    X, y = iris
    kwargs = dict(hidden_layer_sizes=(8,), batch_size=30, random_state=0, tol=0.0,
                  early_stopping=True, n_iter_no_change=100)
    twin = MLPClassifier(max_iter=1, **kwargs).fit(X, y)
    validation, calls = MLPClassifier._validation, []

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 2:  # epoch 2's steps are done; its scoring is interrupted
            raise KeyboardInterrupt
        return validation(self, *args)

    monkeypatch.setattr(MLPClassifier, "_validation", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        model = MLPClassifier(max_iter=10, **kwargs).fit(X, y)
    assert model.n_iter_ == 1 and len(model.history_.records) == 1
    assert model.loss_curve_ == twin.loss_curve_
    assert model.validation_scores_ == twin.validation_scores_
    for ours, theirs in zip(model.model_.parameters(), twin.model_.parameters()):
        np.testing.assert_array_equal(ours.array, theirs.array)


def test_random_state_none_draws_from_numpys_global_state_as_scikit_learns_estimators():
    X, y = make_moons(100, noise=0.2, random_state=0)

    def fitted(global_seed):
        np.random.seed(global_seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MLPClassifier((8,), max_iter=3).fit(X, y)

    a, b, c = fitted(0), fitted(0), fitted(1)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_early_stopped_fit_keeps_its_best_validation_weights():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3) * 100
    y = X[:, 0] * 1e3
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0, solver="sgd",
                       learning_rate_init=1e3, early_stopping=True)
    with pytest.raises(ValueError, match=r"the training loss became inf at epoch (\d+), step "
                       r"\d+; the model holds the weights of its best validation score "
                       r"\(early_stopping\); lower learning_rate_init") as info:
        reg.fit(X, y)
    assert isinstance(info.value, FloatingPointError)
    assert isinstance(info.value, tinynet.sklearn.DivergedError)
    assert reg.best_loss_ is None  # as after any early-stopped fit
    assert np.isfinite(reg.best_validation_score_)
    assert max(reg.validation_scores_) == reg.best_validation_score_
    assert all(np.isfinite(c).all() for c in reg.coefs_ + reg.intercepts_)
    # the weights held are those that scored best on the validation split
    _, X_val, _, y_val = train_test_split(X, y, test_size=0.1, random_state=reg._split_seed)
    assert reg.score(X_val, y_val) == pytest.approx(reg.best_validation_score_, rel=1e-9)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_loss_not_finite_before_any_update_points_at_the_data():
    X = np.random.RandomState(0).randn(20, 3)
    with pytest.raises(tinynet.sklearn.DivergedError,
                       match=r"at epoch 1, step 1; the model is back at its initial weights; "
                             r"it was not finite before any update, so the data"):
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, X[:, 0] * 1e200)


def test_partial_fit_takes_scikit_learns_argument_order_and_warm_start_its_classes_rule():
    X, y = make_moons(60, noise=0.2, random_state=0)
    clf = MLPClassifier((3,), random_state=0).partial_fit(X, y, np.ones(60), [0, 1])
    assert clf.classes_.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"classes must be passed on the first call to "
                                          r"partial_fit\. \(sample_weight comes before classes"):
        MLPClassifier((3,)).partial_fit(X, y, [0, 1])  # (the order of scikit-learn < 1.7)
    clf.partial_fit(X[y == 0], y[y == 0])  # a batch of one class: fine
    y3 = np.arange(60) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm = MLPClassifier((3,), max_iter=2, warm_start=True, random_state=0).fit(X, y3)
        with pytest.raises(ValueError, match=r"MLPClassifier.fit: warm_start can only be used "
                                             r"where y has the same classes as in the previous "
                                             r"call to fit, \[0, 1, 2\], got \[0, 1\]"):
            warm.fit(X[y3 < 2], y3[y3 < 2])
