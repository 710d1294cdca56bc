"""The shared part of tinynet's scikit-learn estimators: parameters (checked once per
fit), building the network and its optimizer, and the epoch loop with scikit-learn's
stopping rules (``tol``, ``n_iter_no_change``, early stopping)."""
import numbers
import os
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from tinynet import nn, optim
from tinynet.autograd.grad_mode import no_grad
from tinynet.diagnostics import Monitor
from tinynet.factories import from_numpy
from tinynet.models import INITS, MLP
from tinynet.sklearn.checkpoint import restore, run_settings, save_checkpoint
from tinynet.tensor import Tensor
from tinynet.training import History
from tinynet.training.epoch import NonFiniteLoss, array_batches, train_epoch

ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh",
               "silu", "mish", "softplus", "prelu", "selu", "hardtanh")
_ACTIVATION_NAMES = {"logistic": "sigmoid"}  # scikit-learn's name -> tinynet's
SOLVERS = ("adam", "adamw", "sgd")


class _BaseMLP(BaseEstimator):
    """Shared parameters, validation and the training loop of both estimators."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, norm=None, init="sklearn",
                 dtype="float64", monitor=True, checkpoint=None, checkpoint_every=1):
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
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every

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
        number("checkpoint_every", 1, integer=True)
        if self.checkpoint is not None and not isinstance(self.checkpoint, (str, os.PathLike)):
            fail("checkpoint", "None or a file path")
        self._hidden = sizes

    # ---- the network and its optimizer ------------------------------------------------
    def _build(self, n_features: int, n_outputs: int, rng: np.random.Generator) -> None:
        activation = _ACTIVATION_NAMES.get(self.activation, self.activation)
        self.model_ = MLP(n_features, self._hidden, n_outputs, activation=activation,
                          norm=self.norm, init=self.init, dtype=np.dtype(self.dtype),
                          generator=rng)
        self._weights = [m.weight for m in self.model_.modules() if isinstance(m, nn.Linear)]
        self.loss_curve_, self.validation_scores_, self.validation_loss_curve_ = [], [], []
        self.best_loss_, self.best_validation_score_ = np.inf, -np.inf
        self._best_loss = np.inf  # tracked privately: best_loss_ is None after early stopping
        self.n_iter_, self.t_ = 0, 0
        self.history_ = History(config={"estimator": repr(self)})
        self._no_improvement = 0
        self._rng = rng

    def _build_optimizer(self) -> None:
        """A fresh optimizer over the network, as scikit-learn makes one at every fit
        (so a ``warm_start`` fit takes the current ``learning_rate_init``); ``partial_fit``
        keeps the one it has."""
        params = list(self.model_.parameters())
        if self.solver == "sgd":
            self._optimizer = optim.SGD(params, lr=self.learning_rate_init,
                                        momentum=self.momentum,
                                        nesterov=self.nesterovs_momentum and self.momentum > 0)
        else:
            solver = optim.Adam if self.solver == "adam" else optim.AdamW
            self._optimizer = solver(params, lr=self.learning_rate_init)

    def _batch_loss(self, out: Tensor, yb: np.ndarray, wb) -> tuple:
        """The batch's mean loss (weighted by ``wb`` when given), and the batch weight
        that scikit-learn's L2 penalty is divided by."""
        if wb is None:
            return self._loss(out, from_numpy(yb), "mean"), len(yb)
        total = float(wb.sum())
        return (self._loss(out, from_numpy(yb), "none") * from_numpy(wb)).sum() / total, total

    def _add_l2_penalty(self, loss_value: float, total: float) -> float:
        """scikit-learn's penalty alpha/2 · Σ‖W‖² / total, applied as it does: its value
        added to the loss, its gradient alpha · W / total to each weight's gradient
        (cheaper than recording it in the graph)."""
        scale = self.alpha / total
        squares = 0.0
        for W in self._weights:
            flat = W.array.reshape(-1)
            squares += float(np.dot(flat, flat))
            W.grad.array += scale * W.array
        return loss_value + 0.5 * scale * squares

    def _run_epochs(self, X, y, sample_weight, epochs: int, incremental: bool) -> None:
        """Train for up to ``epochs`` passes; stop early by sklearn's ``tol`` rules."""
        X_val = y_val = None
        if self.early_stopping and not incremental:
            X, X_val, y, y_val, sample_weight = self._split(X, y, sample_weight)
        batch_size = min(200, len(X)) if self.batch_size == "auto" else min(self.batch_size,
                                                                            len(X))
        watcher = Monitor(self.model_) if self.monitor else None
        self.model_.train()
        try:
            for _ in range(epochs):
                self._train_epoch(X, y, sample_weight, batch_size)
                record = self._record(X_val, y_val, watcher)
                self.history_.records.append(record)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}", file=sys.stdout)
                stop = not incremental and self._converged(X_val is not None)
                if self.checkpoint is not None and (self.n_iter_ % self.checkpoint_every == 0
                                                    or stop):
                    save_checkpoint(self, self.checkpoint)
                if stop:
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
            self.model_.load_state_dict(self._best_state)
            self.best_loss_ = None
        self.model_.eval()

    def _split(self, X, y, sample_weight) -> tuple:
        """scikit-learn's early-stopping split: (X, X_val, y, y_val, sample_weight), drawn
        with a seed taken once per fit (kept, so a resumed fit splits the same way)."""
        if getattr(self, "_split_seed", None) is None:
            self._split_seed = int(self._rng.integers(2 ** 31))
        split = train_test_split(X, y, *(() if sample_weight is None else (sample_weight,)),
                                 test_size=self.validation_fraction,
                                 random_state=self._split_seed, stratify=self._stratify(y))
        return (*split[:4], None if sample_weight is None else split[4])

    def _train_epoch(self, X, y, sample_weight, batch_size: int) -> None:
        """One epoch of minibatch steps (``training.train_epoch``); a non-finite loss puts
        the model and optimizer back where the epoch began and raises."""
        start = ({k: v.array.copy() for k, v in self.model_.state_dict().items()},
                 self._optimizer.state_dict())

        def batch_loss(out, targets):
            yb, wb = targets
            loss, self._batch_weight = self._batch_loss(out, yb, wb)
            return loss, loss.item()

        def penalty(value, targets):  # scikit-learn's L2 term, on the gradients and the loss
            return self._add_l2_penalty(value, self._batch_weight) if self.alpha else value

        data = array_batches(X, (y, sample_weight), batch_size, self.shuffle, self._rng)
        try:
            result = train_epoch(self.model_, self._optimizer, data, batch_loss,
                                 after_backward=penalty)
        except NonFiniteLoss as error:
            self.model_.load_state_dict(start[0])
            self._optimizer.load_state_dict(start[1])
            raise FloatingPointError(
                f"{type(self).__name__}: the training loss became {error.value} at epoch "
                f"{self.n_iter_ + 1}, step {error.step}; the model is back at the end of "
                f"epoch {self.n_iter_}; lower learning_rate_init") from None
        self.n_iter_ += 1
        self.t_ += len(X)
        self.loss_ = result.loss
        self.loss_curve_.append(result.loss)

    def _record(self, X_val, y_val, watcher) -> dict:
        """The epoch's History record: fit()'s layout (so tinynet.plot reads it) plus
        val_score."""
        record = {"epoch": self.n_iter_, "train_loss": self.loss_, "train_acc": None,
                  "val_loss": None, "val_acc": None, "val_score": None}
        if X_val is not None:
            score, val_loss = self._validation(X_val, y_val)
            self.validation_scores_.append(score)
            self.validation_loss_curve_.append(val_loss)
            record.update(val_score=score, val_loss=val_loss,
                          val_acc=score if isinstance(self, ClassifierMixin) else None)
        record["layers"] = watcher.end_epoch()["layers"] if watcher else {}
        return record

    def _converged(self, validating: bool) -> bool:
        """sklearn's rule: stop after ``n_iter_no_change`` epochs without the training loss
        falling (or, with early stopping, the validation score rising) by ``tol``."""
        if validating:
            score = self.validation_scores_[-1]
            improved = score > self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = {k: v.array.copy() for k, v in self.model_.state_dict().items()}
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
            out = self.model_(from_numpy(X_val))
            loss = self._loss(out, from_numpy(y_val), "mean").item()
        self.model_.train()
        return self._score_outputs(out.array, y_val), loss

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.dtype(self.dtype))
        self.model_.eval()
        with no_grad():
            return self.model_(from_numpy(X)).array

    def _fit(self, X, y, sample_weight, incremental: bool, resume_from=None):
        where = f"{type(self).__name__}.{'partial_fit' if incremental else 'fit'}"
        self._validate_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first = not (incremental or self.warm_start) or not hasattr(self, "model_") \
            or resume_from is not None
        X, y = validate_data(self, X, y, reset=first, dtype=np.dtype(self.dtype),
                             multi_output=self._multi_output)
        y = self._encode_targets(y, first, where)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._class_weights(y, sample_weight)
        if first:
            rng = np.random.default_rng(_seed(self.random_state, where))
            self._build(X.shape[1], self._n_outputs(y), rng)
        if not incremental or not hasattr(self, "_optimizer"):
            self._build_optimizer()
        self._run_settings = run_settings(self, X, y)
        epochs = 1 if incremental else self.max_iter
        if resume_from is not None:
            restore(self, resume_from)
            epochs = max(self.max_iter - self.n_iter_, 0)
        elif not incremental:
            self._no_improvement = 0  # each fit starts counting afresh, as scikit-learn
            self._split_seed = None  # and draws a new early-stopping split
        self._run_epochs(X, y, sample_weight, epochs, incremental)
        return self

    def _class_weights(self, y, sample_weight):
        return sample_weight

    @property
    def coefs_(self) -> list:
        """Weight matrices as scikit-learn stores them: (fan_in, fan_out) each."""
        check_is_fitted(self, "model_")
        return [W.array.T.copy() for W in self._weights]

    @property
    def intercepts_(self) -> list:
        check_is_fitted(self, "model_")
        return [m.bias.array.copy() for m in self.model_.modules() if isinstance(m, nn.Linear)]


def _seed(random_state, where: str):
    """An int seed from None, an int or a numpy RandomState (scikit-learn's conventions)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2 ** 31))
    raise ValueError(f"{where}: random_state must be None, an int or a RandomState, got "
                     f"{random_state!r}")
