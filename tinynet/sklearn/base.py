"""The shared part of tinynet's scikit-learn estimators: parameters (checked once per
fit), building the network and its optimizer, and the epoch loop with scikit-learn's
stopping rules (``tol``, ``n_iter_no_change``, early stopping)."""
import math
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
from tinynet.autograd.replay import capture
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
    def _fail(self, param: str, requirement: str):
        """Raise scikit-learn's error for a bad parameter (naming it, the rule, the value)."""
        raise ValueError(f"The {param!r} parameter of {type(self).__name__} must be "
                         f"{requirement}. Got {getattr(self, param)!r} instead.")

    def _check_number(self, param, low, high=np.inf, low_open=False, high_open=False,
                      integer=False, infinite=False) -> None:
        """``param`` is a float (an int if ``integer``; np.inf too if ``infinite``) in the
        range from ``low`` to ``high``."""
        value = getattr(self, param)
        kind = numbers.Integral if integer else numbers.Real
        if infinite and isinstance(value, numbers.Real) and value == np.inf:
            return
        if not isinstance(value, kind) or isinstance(value, (bool, np.bool_)) or \
                np.isnan(value) or value < low or value > high or \
                (low_open and value == low) or (high_open and value == high):
            what = "an int" if integer else "a float"
            interval = (f"{'(' if low_open else '['}{low}, {high}"
                        f"{')' if high_open or high == np.inf else ']'}")
            self._fail(param, f"{what} in the range {interval}"
                       + (" or np.inf" if infinite else ""))

    def _validate_params(self) -> None:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else sizes
        try:
            sizes = list(sizes)
        except TypeError:
            self._fail("hidden_layer_sizes", "a sequence of positive ints")
        if not all(isinstance(h, numbers.Integral) and h > 0 for h in sizes):
            self._fail("hidden_layer_sizes", "a sequence of positive ints")
        if self.activation not in ACTIVATIONS:
            self._fail("activation", f"one of {ACTIVATIONS}")
        if self.solver not in SOLVERS:
            self._fail("solver", f"one of {SOLVERS}")
        if self.norm not in (None, "layernorm"):
            self._fail("norm", "None or 'layernorm'")
        if self.init not in INITS:
            self._fail("init", f"one of {INITS}")
        if self.batch_size != "auto":
            self._check_number("batch_size", 1, integer=True)
        try:
            dtype = str(np.dtype(self.dtype))
        except TypeError:
            dtype = None
        if dtype not in ("float32", "float64"):
            self._fail("dtype", "'float32' or 'float64'")
        for flag in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping",
                     "monitor"):
            if not isinstance(getattr(self, flag), (bool, np.bool_)):
                self._fail(flag, "an instance of 'bool'")
        verbose = self.verbose
        if not (isinstance(verbose, (bool, np.bool_)) or
                isinstance(verbose, numbers.Integral) and verbose >= 0):
            self._fail("verbose", "a bool or an int >= 0")
        random_state = self.random_state
        if not (random_state is None or isinstance(random_state, np.random.RandomState) or
                isinstance(random_state, numbers.Integral) and
                not isinstance(random_state, (bool, np.bool_)) and
                0 <= random_state < 2 ** 32):
            self._fail("random_state", "None, an int in the range [0, 2**32 - 1] or a "
                                       "numpy RandomState")
        self._check_number("alpha", 0.0)
        self._check_number("learning_rate_init", 0.0, low_open=True)
        self._check_number("max_iter", 1, integer=True)
        self._check_number("tol", 0.0)
        self._check_number("momentum", 0.0, 1.0)
        self._check_number("validation_fraction", 0.0, 1.0, high_open=True)
        self._check_number("n_iter_no_change", 1, integer=True, infinite=True)
        self._check_number("checkpoint_every", 1, integer=True)
        if self.checkpoint is not None and not isinstance(self.checkpoint, (str, os.PathLike)):
            self._fail("checkpoint", "None or a file path")
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
        self._epochs = 0  # every epoch trained since the network was built (the History's)
        self._architecture = self._architecture_params()
        self.history_ = History(config={"estimator": repr(self)})
        self._no_improvement = 0
        self._rng = rng

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # (a copy: object's is the instance's dict)
        state.pop("_capture", None)  # functions of this process: a copy captures its own
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "model_" in vars(self):  # (pickled before these were kept: what they were then)
            if "_epochs" not in vars(self):
                self._epochs = len(self.loss_curve_)
            if "_architecture" not in vars(self):
                sizes = self.hidden_layer_sizes
                self._hidden = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
                self._architecture = self._architecture_params()

    def _architecture_params(self) -> dict:
        """The parameters the network is built from: a fit that continues it
        (``warm_start``, ``partial_fit``) cannot change them."""
        return {"hidden_layer_sizes": tuple(self._hidden), "activation": self.activation,
                "norm": self.norm}

    def _check_same_network(self, where: str) -> None:
        """Refuse to continue the fitted network under parameters it was not built with
        (its layers would silently stay as they are); follow a new ``dtype`` by casting."""
        built = getattr(self, "_architecture", None)
        for param, value in self._architecture_params().items():
            if built is not None and built[param] != value:
                raise ValueError(
                    f"{where}: {param} is {value!r}, but the fitted network was built with "
                    f"{built[param]!r}; a fit with warm_start=True, and partial_fit, "
                    f"continue that network. Set warm_start=False (or refit from scratch) "
                    f"to build a new one")
        dtype = np.dtype(self.dtype)
        if self._weights[0].array.dtype != dtype:
            self.model_.to(dtype)
            if hasattr(self, "_optimizer"):  # (partial_fit keeps it: its state follows)
                state = self._optimizer.state_dict()
                self._build_optimizer()
                self._optimizer.load_state_dict(state)

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
        X_val = y_val = w_val = None
        if self.early_stopping and not incremental:
            X, X_val, y, y_val, sample_weight, w_val = self._split(X, y, sample_weight)
        if self.batch_size == "auto":
            batch_size = min(200, len(X))
        else:
            if self.batch_size > len(X):
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It "
                              "is going to be clipped")  # (scikit-learn's words)
            batch_size = min(self.batch_size, len(X))
        watcher = Monitor(self.model_) if self.monitor else None
        self.model_.train()
        try:
            for _ in range(epochs):
                self._train_epoch(X, y, sample_weight, batch_size)
                record = self._record(X_val, y_val, w_val, watcher)
                self.history_.records.append(record)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}", file=sys.stdout)
                stop = not incremental and self._converged(X_val is not None)
                if self.checkpoint is not None and (self._epochs % self.checkpoint_every == 0
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
            if not incremental:  # a fit's capture ends with it (partial_fit keeps its own)
                vars(self).pop("_capture", None)
        if self.early_stopping and not incremental:
            self.model_.load_state_dict(self._best_state)
            self.best_loss_ = None
        self.model_.eval()

    def _split(self, X, y, sample_weight) -> tuple:
        """scikit-learn's early-stopping split: (X, X_val, y, y_val, sample_weight,
        validation sample_weight), drawn with a seed taken once per fit (kept, so a
        resumed fit splits the same way)."""
        if math.ceil(self.validation_fraction * len(X)) < 2:  # (train_test_split's count)
            raise ValueError(f"{type(self).__name__}.fit: the validation set is too small "
                             f"({self.validation_fraction} of {len(X)} samples: fewer than "
                             f"2). Increase 'validation_fraction' or the size of your "
                             f"dataset.")
        if getattr(self, "_split_seed", None) is None:
            self._split_seed = int(self._rng.integers(2 ** 31))
        split = train_test_split(X, y, *(() if sample_weight is None else (sample_weight,)),
                                 test_size=self.validation_fraction,
                                 random_state=self._split_seed, stratify=self._stratify(y))
        return (*split[:4], *((None, None) if sample_weight is None else split[4:]))

    def _train_epoch(self, X, y, sample_weight, batch_size: int) -> None:
        """One epoch of minibatch steps (``training.train_epoch``, each step's forward
        pass and loss captured); a non-finite loss, or a minibatch whose sample weights
        sum to 0, puts the model and optimizer back where the epoch began and raises."""
        start = ({k: v.array.copy() for k, v in self.model_.state_dict().items()},
                 self._optimizer.state_dict())
        step = self._captured_step()

        def forward(inputs, targets):
            yb, wb = targets
            # what scikit-learn's L2 penalty is divided by: the batch's size or weight
            self._batch_weight = len(yb) if wb is None else float(wb.sum())
            if not self._batch_weight > 0:  # its weighted mean loss would be 0/0
                raise _WeightlessBatch(len(yb))
            args = (from_numpy(inputs), from_numpy(yb))
            loss, out, *unscaled = step(*args) if wb is None else step(*args, from_numpy(wb))
            return loss, (unscaled[0] if unscaled else loss).item(), out

        def penalty(value, targets):  # scikit-learn's L2 term, on the gradients and the loss
            return self._add_l2_penalty(value, self._batch_weight) if self.alpha else value

        data = array_batches(X, (y, sample_weight), batch_size, self.shuffle, self._rng)
        try:
            result = train_epoch(self.model_, self._optimizer, data, None,
                                 after_backward=penalty, forward=forward)
        except NonFiniteLoss as error:
            self.model_.load_state_dict(start[0])
            self._optimizer.load_state_dict(start[1])
            raise FloatingPointError(
                f"{type(self).__name__}: the training loss became {error.value} at epoch "
                f"{self._epochs + 1}, step {error.step}; the model is back at the end of "
                f"epoch {self._epochs}; lower learning_rate_init") from None
        except _WeightlessBatch as error:
            self.model_.load_state_dict(start[0])
            self._optimizer.load_state_dict(start[1])
            raise ValueError(
                f"{type(self).__name__}: sample_weight must have a positive sum over every "
                f"minibatch, got 0 over one of {error.args[0]} samples in epoch "
                f"{self._epochs + 1} (its weighted mean loss is undefined); the model is back "
                f"at the end of epoch {self._epochs}; use a larger batch_size, or leave out "
                f"the samples of weight 0") from None
        self.n_iter_ += 1
        self._epochs += 1
        self.t_ += len(X)
        self.loss_ = result.loss
        self.loss_curve_.append(result.loss)

    def _captured_step(self) -> capture:
        """The network's forward pass and batch loss as one ``tn.capture``, which replays
        them from each batch shape's third step on: the eager numbers bit for bit, with
        less Python per step. One per network, kept across ``partial_fit`` calls (and
        with it the arrays its last step saved), dropped at the end of ``fit``; not
        pickled: a copy makes its own. It holds the network, never the estimator (which
        then goes as soon as nothing refers to it)."""
        kept = getattr(self, "_capture", None)
        if kept is None or kept[0] is not self.model_:
            model, loss, scale = self.model_, self._loss_function(), self._gradient_scale()

            def loss_and_output(x, yb, wb=None):
                out = model(x)
                value = batch_loss(loss, out, yb, wb)
                # the loss to backpropagate, scaled as in _gradient_scale, and the
                # reported one (detached)
                return (value, out) if scale == 1 else (value * scale, out, value)

            kept = self._capture = (model, capture(loss_and_output))
        return kept[1]

    def _record(self, X_val, y_val, w_val, watcher) -> dict:
        """The epoch's History record: fit()'s layout (so tinynet.plot reads it) plus
        val_score."""
        record = {"epoch": self._epochs, "train_loss": self.loss_, "train_acc": None,
                  "val_loss": None, "val_acc": None, "val_score": None}
        if X_val is not None:
            score, val_loss = self._validation(X_val, y_val, w_val)
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

    def _validation(self, X_val, y_val, w_val):
        """The score (accuracy or R², weighted as the training samples are) and the mean
        loss on the validation split; the score is NaN when an output is not finite."""
        with no_grad():
            out = self.model_(from_numpy(X_val))
            loss = batch_loss(self._loss_function(), out, from_numpy(y_val),
                              None if w_val is None else from_numpy(w_val)).item()
        self.model_.train()
        if not np.isfinite(out.array).all():
            return float("nan"), loss
        return self._score_outputs(out.array, y_val, w_val), loss

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
        self._check_targets(y, where)
        X, y = validate_data(self, X, y, reset=first, dtype=np.dtype(self.dtype),
                             multi_output=self._multi_output)
        y = self._encode_targets(y, first, where)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._class_weights(y, sample_weight, incremental)
        if first:
            rng = np.random.default_rng(_seed(self.random_state, where))
            self._build(X.shape[1], self._n_outputs(y), rng)
        else:
            self._check_same_network(where)
        if not incremental or not hasattr(self, "_optimizer"):
            self._build_optimizer()
        # what a checkpoint must match (hashing the data costs a pass: only when needed)
        self._run_settings = run_settings(self, X, y) if \
            self.checkpoint is not None or resume_from is not None else None
        epochs = 1 if incremental else self.max_iter
        if resume_from is not None:
            restore(self, resume_from)
            epochs = max(self.max_iter - self.n_iter_, 0)
        else:
            self.n_iter_ = 0  # epochs of this call, as scikit-learn counts them
            if not incremental:
                self._no_improvement = 0  # each fit starts counting afresh, as scikit-learn
                self._split_seed = None  # and draws a new early-stopping split
        self._run_epochs(X, y, sample_weight, epochs, incremental)
        return self

    def _gradient_scale(self) -> int:
        """What the reported loss is multiplied by for the gradient step (scikit-learn's
        convention: see MLPRegressor)."""
        return 1

    def _check_targets(self, y, where: str) -> None:
        """Refuse targets of a kind the estimator does not learn, before sklearn's checks."""

    def _class_weights(self, y, sample_weight, incremental: bool):
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


class _WeightlessBatch(Exception):
    """A minibatch whose sample weights sum to 0 (args: its size)."""


def batch_loss(loss, out: Tensor, yb: Tensor, wb=None) -> Tensor:
    """The batch's mean ``loss(out, yb, reduction)``, weighted by the tensor ``wb`` when
    given (its sum taken by an op, so that a captured step replays it)."""
    if wb is None:
        return loss(out, yb, "mean")
    return (loss(out, yb, "none") * wb).sum() / wb.sum()


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
