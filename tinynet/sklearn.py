"""scikit-learn estimators: ``MLPClassifier`` and ``MLPRegressor`` with modern activations.

They follow ``sklearn.neural_network``'s parameter names and defaults where those exist,
add GELU, ELU, LeakyReLU and LayerNorm, and record tinynet's per-layer diagnostics in
``history_``. They work in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.

Differences from scikit-learn's MLP, on purpose:
  * binary classification uses one logit and BCE-with-logits (as sklearn's does), the
    multiclass case a softmax over logits; weights and biases start as scikit-learn's
    (``init='sklearn'``), or with any of ``tinynet.models.MLP``'s schemes;
  * ``dtype`` picks float64 (default) or float32; ``solver`` adds 'adamw';
  * the SGD solver has a constant learning rate (no ``learning_rate`` schedules).
"""
import numbers
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from tinynet import nn, optim
from tinynet.autograd.grad_mode import no_grad
from tinynet.data import batches
from tinynet.diagnostics import Monitor
from tinynet.models import INITS, MLP
from tinynet.tensor import Tensor
from tinynet.training import History

ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh")
_ACTIVATION_NAMES = {"logistic": "sigmoid"}  # scikit-learn's name -> tinynet's
SOLVERS = ("adam", "adamw", "sgd")


def _wrap(array: np.ndarray) -> Tensor:
    return Tensor._wrap(array, False, None)


class _BaseMLP(BaseEstimator):
    """Shared parameters, validation and the training loop of both estimators."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, norm=None, init="sklearn",
                 dtype="float64", monitor=True):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.norm = norm
        self.init = init
        self.dtype = dtype
        self.monitor = monitor

    # ---- parameters, checked once per fit -------------------------------------------
    def _validate_params(self) -> None:
        name = type(self).__name__

        def fail(param, requirement):
            raise ValueError(f"The {param!r} parameter of {name} must be {requirement}. "
                             f"Got {getattr(self, param)!r} instead.")

        def number(param, low, high=np.inf, low_open=False, integer=False):
            value = getattr(self, param)
            kind = numbers.Integral if integer else numbers.Real
            if not isinstance(value, kind) or isinstance(value, bool) or np.isnan(value) or \
                    value < low or value > high or (low_open and value == low):
                what = "an int" if integer else "a float"
                fail(param, f"{what} in the range {'(' if low_open else '['}{low}, {high}]")

        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else sizes
        try:
            sizes = list(sizes)
        except TypeError:
            fail("hidden_layer_sizes", "a sequence of positive ints")
        if not all(isinstance(h, numbers.Integral) and h > 0 for h in sizes):
            fail("hidden_layer_sizes", "a sequence of positive ints")
        if self.activation not in ACTIVATIONS:
            fail("activation", f"one of {ACTIVATIONS}")
        if self.solver not in SOLVERS:
            fail("solver", f"one of {SOLVERS}")
        if self.norm not in (None, "layernorm"):
            fail("norm", "None or 'layernorm'")
        if self.init not in INITS:
            fail("init", f"one of {INITS}")
        if self.batch_size != "auto":
            number("batch_size", 1, integer=True)
        if str(np.dtype(self.dtype)) not in ("float32", "float64"):
            fail("dtype", "'float32' or 'float64'")
        number("alpha", 0.0)
        number("learning_rate_init", 0.0, low_open=True)
        number("max_iter", 1, integer=True)
        number("tol", 0.0)
        number("momentum", 0.0, 1.0)
        number("validation_fraction", 0.0, 1.0, low_open=True)
        number("n_iter_no_change", 1, integer=True)
        self._hidden = sizes

    # ---- the network and its optimizer ------------------------------------------------
    def _build(self, n_features: int, n_outputs: int, rng: np.random.Generator) -> None:
        activation = _ACTIVATION_NAMES.get(self.activation, self.activation)
        self.model_ = MLP(n_features, self._hidden, n_outputs, activation=activation,
                          norm=self.norm, init=self.init, dtype=np.dtype(self.dtype),
                          generator=rng)
        params = list(self.model_.parameters())
        if self.solver == "sgd":
            self._optimizer = optim.SGD(params, lr=self.learning_rate_init,
                                        momentum=self.momentum,
                                        nesterov=self.nesterovs_momentum and self.momentum > 0)
        else:
            solver = optim.Adam if self.solver == "adam" else optim.AdamW
            self._optimizer = solver(params, lr=self.learning_rate_init)
        self._weights = [m.weight for m in self.model_.modules() if isinstance(m, nn.Linear)]
        self.loss_curve_, self.validation_scores_, self.validation_loss_curve_ = [], [], []
        self.best_loss_, self.best_validation_score_ = np.inf, -np.inf
        self._best_loss = np.inf  # tracked privately: best_loss_ is None after early stopping
        self.n_iter_, self.t_ = 0, 0
        self.history_ = History(config={"estimator": repr(self)})
        self._no_improvement = 0
        self._rng = rng

    def _batch_loss(self, out: Tensor, yb: np.ndarray, wb) -> tuple:
        """The batch's mean loss (weighted by ``wb`` when given), and the batch weight
        that scikit-learn's L2 penalty is divided by."""
        if wb is None:
            return self._loss(out, _wrap(yb), "mean"), len(yb)
        total = float(wb.sum())
        return (self._loss(out, _wrap(yb), "none") * _wrap(wb)).sum() / total, total

    def _add_l2_penalty(self, loss_value: float, total: float) -> float:
        """scikit-learn's penalty alpha/2 · Σ‖W‖² / total, applied as it does: its value
        added to the loss, its gradient alpha · W / total to each weight's gradient
        (cheaper than recording it in the graph)."""
        scale = self.alpha / total
        squares = 0.0
        for W in self._weights:
            flat = W.data.reshape(-1)
            squares += float(np.dot(flat, flat))
            W.grad.data += scale * W.data
        return loss_value + 0.5 * scale * squares

    def _run_epochs(self, X, y, sample_weight, epochs: int, incremental: bool) -> None:
        """Train for up to ``epochs`` passes; stop early by sklearn's ``tol`` rules."""
        X_val = y_val = None
        if self.early_stopping and not incremental:
            split = train_test_split(X, y, *(() if sample_weight is None else (sample_weight,)),
                                     test_size=self.validation_fraction,
                                     random_state=self._rng.integers(2 ** 31),
                                     stratify=self._stratify(y))
            X, X_val, y, y_val = split[:4]
            sample_weight = None if sample_weight is None else split[4]
        batch_size = min(200, len(X)) if self.batch_size == "auto" else min(self.batch_size,
                                                                            len(X))
        watcher = Monitor(self.model_) if self.monitor else None
        model, optimizer = self.model_, self._optimizer
        model.train()
        try:
            for _ in range(epochs):
                total = 0.0
                for idx in batches(len(X), batch_size, self.shuffle, self._rng):
                    wb = None if sample_weight is None else sample_weight[idx]
                    optimizer.zero_grad()
                    loss, batch_weight = self._batch_loss(model(_wrap(X[idx])), y[idx], wb)
                    loss.backward()
                    value = loss.item()
                    if self.alpha:
                        value = self._add_l2_penalty(value, batch_weight)
                    optimizer.step()
                    total += value * len(idx)
                self.n_iter_ += 1
                self.t_ += len(X)
                epoch_loss = total / len(X)
                if not np.isfinite(epoch_loss):
                    raise FloatingPointError(
                        f"{type(self).__name__}: the training loss became {epoch_loss} at "
                        f"epoch {self.n_iter_}; lower learning_rate_init")
                self.loss_curve_.append(epoch_loss)
                self.loss_ = epoch_loss
                # fit()'s record layout (so tinynet.plot reads it) plus val_score
                record = {"epoch": self.n_iter_, "train_loss": epoch_loss, "train_acc": None,
                          "val_loss": None, "val_acc": None, "val_score": None}
                if X_val is not None:
                    score, val_loss = self._validation(X_val, y_val)
                    self.validation_scores_.append(score)
                    self.validation_loss_curve_.append(val_loss)
                    record.update(val_score=score, val_loss=val_loss,
                                  val_acc=score if isinstance(self, ClassifierMixin) else None)
                record["layers"] = watcher.end_epoch()["layers"] if watcher else {}
                self.history_.records.append(record)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {epoch_loss:.8f}", file=sys.stdout)
                if not incremental and self._converged(X_val is not None):
                    break
            else:
                if not incremental and epochs > 0:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                                  f"reached and the optimization hasn't converged yet.",
                                  ConvergenceWarning)
        finally:
            if watcher:
                watcher.detach()
        if self.early_stopping and not incremental:
            model.load_state_dict(self._best_state)
            self.best_loss_ = None
        model.eval()

    def _converged(self, validating: bool) -> bool:
        """sklearn's rule: stop after ``n_iter_no_change`` epochs without the training loss
        falling (or, with early stopping, the validation score rising) by ``tol``."""
        if validating:
            score = self.validation_scores_[-1]
            improved = score > self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = {k: v.data.copy() for k, v in self.model_.state_dict().items()}
        else:
            loss = self.loss_curve_[-1]
            improved = loss < self._best_loss - self.tol
            self._best_loss = self.best_loss_ = min(self._best_loss, loss)
        self._no_improvement = 0 if improved else self._no_improvement + 1
        if self._no_improvement > self.n_iter_no_change:  # '>' as scikit-learn
            if self.verbose:
                what = "Validation score" if validating else "Training loss"
                print(f"{what} did not improve more than tol={self.tol} for "
                      f"{self.n_iter_no_change} consecutive epochs. Stopping.")
            return True
        return False

    def _validation(self, X_val, y_val):
        with no_grad():
            out = self.model_(_wrap(X_val))
            loss = self._loss(out, _wrap(y_val), "mean").item()
        self.model_.train()
        return self._score_outputs(out.data, y_val), loss

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.dtype(self.dtype))
        self.model_.eval()
        with no_grad():
            return self.model_(_wrap(X)).data

    def _fit(self, X, y, sample_weight, incremental: bool):
        self._validate_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first = not (incremental or self.warm_start) or not hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=first, dtype=np.dtype(self.dtype),
                             multi_output=self._multi_output)
        y = self._encode_targets(y, first)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._class_weights(y, sample_weight)
        if first:
            rng = np.random.default_rng(_seed(self.random_state))
            self._build(X.shape[1], self._n_outputs(y), rng)
        if not incremental:
            self._no_improvement = 0  # each fit starts counting afresh, as scikit-learn
        self._run_epochs(X, y, sample_weight, 1 if incremental else self.max_iter, incremental)
        return self

    def _class_weights(self, y, sample_weight):
        return sample_weight

    @property
    def coefs_(self) -> list:
        """Weight matrices as scikit-learn stores them: (fan_in, fan_out) each."""
        check_is_fitted(self, "model_")
        return [W.data.T.copy() for W in self._weights]

    @property
    def intercepts_(self) -> list:
        check_is_fitted(self, "model_")
        return [m.bias.data.copy() for m in self.model_.modules() if isinstance(m, nn.Linear)]


def _seed(random_state):
    """An int seed from None, an int or a numpy RandomState (scikit-learn's conventions)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2 ** 31))
    raise ValueError(f"random_state must be None, an int or a RandomState, got {random_state!r}")


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multilayer perceptron classifier on tinynet, with scikit-learn's interface.

    Args (scikit-learn's names and defaults; see ``sklearn.neural_network.MLPClassifier``):
        hidden_layer_sizes: widths of the hidden layers, default (100,).
        activation: 'identity', 'logistic', 'tanh', 'relu' (default), 'leaky_relu',
            'elu', 'gelu' or 'gelu_tanh'.
        solver: 'adam' (default), 'adamw' or 'sgd'.
        alpha: L2 penalty strength (0.0001); batch_size: 'auto' = min(200, n_samples);
        learning_rate_init (0.001), max_iter (200 epochs), shuffle, random_state, tol
        (1e-4), verbose, warm_start, momentum (0.9, sgd), nesterovs_momentum (True),
        early_stopping (False), validation_fraction (0.1), n_iter_no_change (10).
        class_weight: None, 'balanced' or {class: weight}.
        norm: None (default) or 'layernorm' after each activation.
        init: 'sklearn' (default: scikit-learn's Glorot-uniform weights and biases),
            'auto', 'xavier', 'kaiming' or 'pytorch' (see ``tinynet.models.MLP``).
        dtype: 'float64' (default, as scikit-learn computes) or 'float32' (faster on
            wide layers; predictions then vary in the 7th digit with the batch size).
        monitor: record per-layer diagnostics in ``history_`` (default True).

    Attributes:
        classes_, n_features_in_, feature_names_in_ (when X has column names),
        loss_curve_, best_loss_, validation_scores_ and validation_loss_curve_ (with
        early stopping), best_validation_score_, n_iter_, t_, coefs_, intercepts_,
        history_ (tinynet History: per-epoch losses and per-layer diagnostics),
        model_ (the trained tinynet module, outputting logits).

    Example:
        >>> from sklearn.datasets import load_iris
        >>> from tinynet.sklearn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier((32,), activation="gelu", max_iter=300, random_state=0)
        >>> clf.fit(X, y).score(X, y) > 0.95
        True
    """

    _multi_output = False

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, class_weight=None, norm=None,
                 init="sklearn", dtype="float64", monitor=True):
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha,
                         batch_size=batch_size, learning_rate_init=learning_rate_init,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state,
                         tol=tol, verbose=verbose, warm_start=warm_start, momentum=momentum,
                         nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
                         validation_fraction=validation_fraction,
                         n_iter_no_change=n_iter_no_change, norm=norm, init=init,
                         dtype=dtype, monitor=monitor)
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Train on (X, y) for up to ``max_iter`` epochs. Returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y). ``classes`` (every label that will ever appear) is
        required on the first call."""
        if not hasattr(self, "model_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._partial_classes = np.unique(classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"`classes={list(classes)}` is not the same as on the first call "
                             f"to partial_fit, which was {list(self.classes_)}")
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(self, y, first: bool) -> np.ndarray:
        check_classification_targets(y)
        if type_of_target(y) == "multilabel-indicator":
            raise ValueError("MLPClassifier in tinynet does not support multilabel targets")
        if first:
            encoder = LabelEncoder()
            partial = getattr(self, "_partial_classes", None)
            encoder.fit(partial if partial is not None else y)
            self.classes_ = encoder.classes_
            if partial is not None:
                del self._partial_classes
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y contains labels not seen before: {unknown.tolist()}; "
                             f"known classes are {self.classes_.tolist()}")
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:  # one logit, BCE-with-logits
            return codes.astype(np.dtype(self.dtype))[:, None]
        return codes.astype(np.int64)

    def _class_weights(self, y, sample_weight):
        if self.class_weight is None:
            return sample_weight
        codes = y[:, 0].astype(int) if y.ndim == 2 else y
        weights = compute_sample_weight(
            self.class_weight if self.class_weight == "balanced" else
            {i: self.class_weight.get(c, 1.0) for i, c in enumerate(self.classes_)}, codes)
        weights = weights.astype(np.dtype(self.dtype))
        return weights if sample_weight is None else weights * sample_weight

    def _n_outputs(self, y) -> int:
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _stratify(self, y):
        return y.ravel() if len(np.unique(y)) > 1 else None

    def _loss(self, out: Tensor, y: Tensor, reduction: str) -> Tensor:
        if len(self.classes_) == 2:
            loss = nn.functional.binary_cross_entropy_with_logits(out, y, reduction=reduction)
            return loss.reshape(-1) if reduction == "none" else loss
        return nn.functional.cross_entropy(out, y, reduction=reduction)

    def _score_outputs(self, out: np.ndarray, y: np.ndarray) -> float:
        if len(self.classes_) == 2:
            return accuracy_score(y[:, 0] > 0.5, out[:, 0] > 0)
        return accuracy_score(y, out.argmax(axis=1))

    def predict(self, X) -> np.ndarray:
        out = self._forward(X)
        if len(self.classes_) == 2:
            return self.classes_[(out[:, 0] > 0).astype(int)]
        return self.classes_[out.argmax(axis=1)]

    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities (N, n_classes), computed stably from the logits."""
        out = self._forward(X).astype(np.float64)
        if len(self.classes_) == 2:
            z = out[:, 0]
            # log σ(z) = -softplus(-z), log(1 - σ(z)) = -softplus(z)
            return -np.stack([np.logaddexp(0, z), np.logaddexp(0, -z)], axis=1)
        shifted = out - out.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, n_classes), rows summing to 1."""
        return np.exp(self.predict_log_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multilayer perceptron regressor on tinynet, with scikit-learn's interface.

    Minimises half the mean squared error (scikit-learn's ``loss_curve_`` convention)
    plus the L2 penalty. Args and attributes as ``MLPClassifier`` (no classes or
    ``class_weight``); y may have several columns.

    Example:
        >>> import numpy as np
        >>> from tinynet.sklearn import MLPRegressor
        >>> X = np.linspace(-2, 2, 200)[:, None]
        >>> reg = MLPRegressor((32,), activation="tanh", max_iter=500, random_state=0,
        ...                    learning_rate_init=0.01, n_iter_no_change=500)
        >>> reg = reg.fit(X, np.sin(X).ravel())
        >>> reg.score(X, np.sin(X).ravel()) > 0.95
        True
    """

    _multi_output = True

    def fit(self, X, y, sample_weight=None):
        """Train on (X, y) for up to ``max_iter`` epochs. Returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y)."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(self, y, first: bool) -> np.ndarray:
        y = np.asarray(y, dtype=np.dtype(self.dtype))
        if first:
            self._y_ndim = y.ndim
        return y[:, None] if y.ndim == 1 else y

    def _n_outputs(self, y) -> int:
        return y.shape[1]

    def _stratify(self, y):
        return None

    def _loss(self, out: Tensor, y: Tensor, reduction: str) -> Tensor:
        if reduction == "none":
            diff = out - y
            return (diff * diff).mean(dim=1) * 0.5
        return nn.functional.mse_loss(out, y) * 0.5

    def _score_outputs(self, out: np.ndarray, y: np.ndarray) -> float:
        return r2_score(y, out)

    def predict(self, X) -> np.ndarray:
        """Predictions as float64 (scikit-learn's convention), whatever ``dtype`` trained."""
        out = self._forward(X).astype(np.float64)
        return out[:, 0] if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
