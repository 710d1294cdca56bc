"""scikit-learn estimators: ``MLPClassifier`` and ``MLPRegressor`` with modern activations.

They follow ``sklearn.neural_network``'s parameter names and defaults where those exist,
add GELU, ELU, LeakyReLU and LayerNorm, and record tinynet's per-layer diagnostics in
``history_``. They work in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.
Their training steps are replayed (``tn.capture``, from each batch size's third step):
the numbers of an eager fit, bit for bit, with less Python per step.

Differences from scikit-learn's MLP, on purpose:
  * binary classification uses one logit and BCE-with-logits (as sklearn's does), the
    multiclass case a softmax over logits; weights and biases start as scikit-learn's
    (``init='sklearn'``), or with any of ``tinynet.models.MLP``'s schemes;
  * ``dtype`` picks float64 (default) or float32; ``solver`` adds 'adamw';
  * the SGD solver's momentum is PyTorch's (b ← μb + g, p ← p - lr·b): the same steps
    as scikit-learn's velocity at a constant rate; when ``learning_rate`` changes the
    rate, the new rate scales the whole buffer, where scikit-learn's velocity keeps the
    earlier rates' steps;
  * no 'lbfgs' solver (nor ``max_fun``); X must be dense, y one label per sample (no
    multilabel).
"""
import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d

from tinynet import nn
from tinynet.sklearn.base import _BaseMLP, refuse_text
from tinynet.tensor import Tensor


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multilayer perceptron classifier on tinynet, with scikit-learn's interface.

    Args (scikit-learn's names and defaults; see ``sklearn.neural_network.MLPClassifier``):
        hidden_layer_sizes: widths of the hidden layers, default (100,).
        activation: 'identity', 'logistic', 'tanh', 'relu' (default), 'leaky_relu',
            'elu', 'gelu', 'gelu_tanh', 'silu', 'mish', 'softplus', 'prelu', 'selu' or
            'hardtanh'.
        solver: 'adam' (default), 'adamw' (Adam with decoupled weight decay: alpha then
            decays the weight matrices in each step, w ← w·(1 - lr·alpha), in place of
            the L2 penalty) or 'sgd'.
        alpha: L2 penalty strength (0.0001); batch_size: 'auto' = min(200, n_samples);
        learning_rate ('constant', 'invscaling' or 'adaptive': the sgd solver's schedule),
        learning_rate_init (0.001), power_t (0.5, for 'invscaling'), max_iter (200
        epochs), shuffle, random_state, tol (1e-4), verbose, warm_start, momentum (0.9,
        sgd), nesterovs_momentum (True), early_stopping (False), validation_fraction
        (0.1), beta_1, beta_2, epsilon (Adam's: 0.9, 0.999, 1e-8), n_iter_no_change (10).
        class_weight: None, 'balanced' or {class: weight}.
        norm: None (default) or 'layernorm' after each activation.
        init: 'sklearn' (default: scikit-learn's Glorot-uniform weights and biases),
            'auto', 'xavier', 'kaiming' or 'pytorch' (see ``tinynet.models.MLP``).
        dtype: 'float64' (default) or 'float32' (faster on wide layers; predictions then
            vary in the 7th digit with the batch size), whatever X's dtype (scikit-learn
            keeps float32 input in float32).
        monitor: record per-layer diagnostics in ``history_`` (default True).
        checkpoint: a file path: save the fit's whole state there every
            ``checkpoint_every`` epochs (default None: no checkpoints), so that
            ``fit(X, y, resume_from=path)`` continues an interrupted fit exactly.

    Attributes:
        classes_, n_features_in_, feature_names_in_ (when X has column names),
        loss_curve_, best_loss_, validation_scores_, best_validation_score_ and
        validation_loss_curve_ (with early stopping; as in scikit-learn, the first two are
        None without), n_iter_, t_, coefs_, intercepts_,
        n_layers_, n_outputs_, out_activation_,
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
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 class_weight=None, norm=None, init="sklearn", dtype="float64", monitor=True,
                 checkpoint=None, checkpoint_every=1):
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha,
                         batch_size=batch_size, learning_rate=learning_rate,
                         learning_rate_init=learning_rate_init, power_t=power_t,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state,
                         tol=tol, verbose=verbose, warm_start=warm_start, momentum=momentum,
                         nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change,
                         norm=norm, init=init, dtype=dtype, monitor=monitor,
                         checkpoint=checkpoint, checkpoint_every=checkpoint_every)
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None, resume_from=None):
        """Train on (X, y) for up to ``max_iter`` epochs. Returns self.
        ``resume_from``: a checkpoint of an interrupted fit on the same data and
        parameters, continued up to ``max_iter``."""
        return self._fit(X, y, sample_weight, incremental=False, resume_from=resume_from)

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y). ``classes`` (every label that will ever appear) is
        required on the first call. The arguments are in scikit-learn's (>= 1.7) order:
        ``sample_weight`` before ``classes``."""
        if not hasattr(self, "model_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit."
                                 + (" (sample_weight comes before classes, as in "
                                    "scikit-learn >= 1.7: pass classes=... by keyword)"
                                    if sample_weight is not None else ""))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"MLPClassifier.partial_fit: classes must be the same as on the "
                             f"first call, {self.classes_.tolist()}, got {list(classes)}")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _validate_params(self) -> None:
        super()._validate_params()
        weights = self.class_weight
        if not (weights is None or weights == "balanced" or isinstance(weights, dict)):
            self._fail("class_weight", "None, 'balanced' or a dict {class: weight}")
        if isinstance(weights, dict) and not all(
                isinstance(w, numbers.Real) and not isinstance(w, (bool, np.bool_)) and
                np.isfinite(w) and w >= 0 for w in weights.values()):
            self._fail("class_weight", "a dict of finite weights >= 0")

    def _check_targets(self, y, where: str) -> None:
        shape = np.shape(y) if isinstance(y, (list, tuple)) else getattr(y, "shape", ())
        if len(shape) == 2 and shape[1] > 1 and type_of_target(y) == "multilabel-indicator":
            raise ValueError(f"{where}: y must hold one label per sample (tinynet's "
                             f"MLPClassifier does not support multilabel targets), got a "
                             f"multilabel-indicator y of shape {shape}")

    def _encode_targets(self, y, first: bool, where: str, classes=None) -> np.ndarray:
        check_classification_targets(y)
        if first:  # the classes of y, or those partial_fit was given
            self.classes_ = unique_labels(y if classes is None else classes)
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"{where}: y must hold only the classes of the first fit, "
                             f"{self.classes_.tolist()}, got also {unknown.tolist()}")
        if not first and where.endswith(".fit") and len(np.unique(y)) < len(self.classes_):
            # a warm-started fit, as scikit-learn's (partial_fit takes batches of some)
            raise ValueError(f"{where}: warm_start can only be used where y has the same "
                             f"classes as in the previous call to fit, "
                             f"{self.classes_.tolist()}, got {np.unique(y).tolist()}")
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:  # one logit, BCE-with-logits
            return codes.astype(np.dtype(self.dtype))[:, None]
        return codes.astype(np.int64)

    def _class_weights(self, y, sample_weight, incremental: bool):
        """The sample weights times the class weights; a class absent from
        ``class_weight`` weighs 1."""
        where = f"MLPClassifier.{'partial_fit' if incremental else 'fit'}"
        if self.class_weight is None:
            return sample_weight
        if self.class_weight == "balanced":
            if incremental:  # each batch's own class counts would set the weights
                raise ValueError(
                    f"{where}: class_weight='balanced' needs the class counts of all the "
                    f"data, which partial_fit never sees; pass class_weight={{class: "
                    f"weight}} computed on the whole data (sklearn.utils.class_weight."
                    f"compute_class_weight('balanced', classes=..., y=...))")
            weighting = "balanced"
        else:
            unknown = [c for c in self.class_weight if not np.isin(c, self.classes_)]
            if unknown:
                raise ValueError(f"{where}: class_weight names classes that are not in y's "
                                 f"classes {self.classes_.tolist()}: {unknown}")
            weighting = {i: self.class_weight.get(c, 1.0) for i, c in enumerate(self.classes_)}
        codes = y[:, 0].astype(int) if y.ndim == 2 else y
        weights = compute_sample_weight(weighting, codes).astype(np.dtype(self.dtype))
        weights = weights if sample_weight is None else weights * sample_weight
        if not weights.sum() > 0:
            raise ValueError(f"{where}: the sample weights (times class_weight) sum to "
                             f"{weights.sum()}; some sample must weigh more than 0")
        return weights

    def _n_outputs(self, y) -> int:
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    @property
    def out_activation_(self) -> str:
        """The output's function, as scikit-learn names it: 'logistic' for two classes
        (one logit), 'softmax' for more (``model_`` outputs the logits)."""
        check_is_fitted(self, "model_")
        return "logistic" if len(self.classes_) == 2 else "softmax"

    def _stratify(self, y):
        """The early-stopping split is stratified for two classes only, as scikit-learn's
        (its multiclass targets have one column per class, which it does not stratify)."""
        return y.ravel() if len(self.classes_) == 2 and len(np.unique(y)) > 1 else None

    def _loss_function(self):
        return _binary_loss if len(self.classes_) == 2 else _multiclass_loss

    def _loss_name(self) -> str:
        """The loss as ``fit`` names it (the hints' expected loss at initialisation)."""
        return "bce_with_logits" if len(self.classes_) == 2 else "cross_entropy"

    def _score_outputs(self, out: np.ndarray, y: np.ndarray, sample_weight=None) -> float:
        if len(self.classes_) == 2:
            return accuracy_score(y[:, 0] > 0.5, out[:, 0] > 0, sample_weight=sample_weight)
        return accuracy_score(y, out.argmax(axis=1), sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        out = self._forward(X, "predict")
        if len(self.classes_) == 2:
            return self.classes_[(out[:, 0] > 0).astype(int)]
        return self.classes_[out.argmax(axis=1)]

    def predict_log_proba(self, X) -> np.ndarray:
        """Log class probabilities (N, n_classes), computed stably from the logits."""
        return self._log_proba(X, "predict_log_proba")

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, n_classes), rows summing to 1."""
        return np.exp(self._log_proba(X, "predict_proba"))

    def _log_proba(self, X, method: str) -> np.ndarray:
        out = self._forward(X, method).astype(np.float64)
        if len(self.classes_) == 2:
            z = out[:, 0]
            # log σ(z) = -softplus(-z), log(1 - σ(z)) = -softplus(z)
            return -np.stack([np.logaddexp(0, z), np.logaddexp(0, -z)], axis=1)
        shifted = out - out.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


LOSSES = ("squared_error", "poisson")  # MLPRegressor's, as scikit-learn's


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multilayer perceptron regressor on tinynet, with scikit-learn's interface.

    ``loss``, the first argument as in scikit-learn: 'squared_error' (the default) reports
    half the mean squared error (over samples and outputs) plus the L2 penalty in
    ``loss_curve_``, and steps, as scikit-learn does, along the gradient of half the
    squared error summed over the outputs (the mean over samples): with several outputs
    that is the reported loss times their number, so the same hyperparameters train as
    scikit-learn's. 'poisson' models counts or rates (y >= 0): the network outputs the
    log of the mean, ``predict`` gives the mean, and the loss is half the Poisson deviance
    summed over the outputs, as scikit-learn's. Other args and attributes as
    ``MLPClassifier`` (no classes or ``class_weight``); y may have several columns.

    Example:
        >>> import numpy as np
        >>> from tinynet.sklearn import MLPRegressor
        >>> X = np.linspace(-2, 2, 200)[:, None]
        >>> reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", max_iter=500,
        ...                    random_state=0, learning_rate_init=0.01, n_iter_no_change=500)
        >>> reg = reg.fit(X, np.sin(X).ravel())
        >>> reg.score(X, np.sin(X).ravel()) > 0.95
        True
    """

    _multi_output = True

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, norm=None,
                 init="sklearn", dtype="float64", monitor=True, checkpoint=None,
                 checkpoint_every=1):
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha,
                         batch_size=batch_size, learning_rate=learning_rate,
                         learning_rate_init=learning_rate_init, power_t=power_t,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state,
                         tol=tol, verbose=verbose, warm_start=warm_start, momentum=momentum,
                         nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change,
                         norm=norm, init=init, dtype=dtype, monitor=monitor,
                         checkpoint=checkpoint, checkpoint_every=checkpoint_every)
        self.loss = loss

    def _validate_params(self) -> None:
        if not isinstance(self.loss, str) or self.loss not in LOSSES:
            sizes = "" if isinstance(self.loss, str) else (
                " (the first argument is the loss, as in scikit-learn: pass the sizes as "
                "hidden_layer_sizes=..., or second)")
            self._fail("loss", f"one of {LOSSES}{sizes}")
        super()._validate_params()

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "loss" not in vars(self):  # (pickled before the loss was a parameter)
            self.loss = "squared_error"
        if "_architecture" in vars(self):
            self._architecture.setdefault("loss", "squared_error")

    def _architecture_params(self) -> dict:
        return {**super()._architecture_params(), "loss": self.loss}  # (the output's meaning)

    @property
    def out_activation_(self) -> str:
        """The output's function, as scikit-learn names it: 'identity', or 'exp' for the
        Poisson loss (``model_`` outputs the log of the mean)."""
        check_is_fitted(self, "model_")
        return "exp" if self._fitted_loss() == "poisson" else "identity"

    def _fitted_loss(self) -> str:
        """The loss the network was fitted with (``set_params`` after ``fit`` changes
        the next fit, not what this network's outputs mean)."""
        return self._architecture["loss"]

    def fit(self, X, y, sample_weight=None, resume_from=None):
        """Train on (X, y) for up to ``max_iter`` epochs. Returns self.
        ``resume_from``: a checkpoint of an interrupted fit on the same data and
        parameters, continued up to ``max_iter``."""
        return self._fit(X, y, sample_weight, incremental=False, resume_from=resume_from)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y)."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(self, y, first: bool, where: str, classes=None) -> np.ndarray:
        refuse_text(y, where, "y")
        y = np.asarray(y, dtype=np.dtype(self.dtype))
        if y.ndim == 2 and y.shape[1] == 1:  # one target, as a column: warned, as sklearn
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            i = int(np.flatnonzero(y.reshape(-1) < 0)[0])
            raise ValueError(f"{where}: y must be >= 0 for loss='poisson' (counts or rates), "
                             f"got {y.reshape(-1)[i]} at position {i}")
        y = y[:, None] if y.ndim == 1 else y
        if not first and y.shape[1] != self._weights[-1].shape[0]:
            raise ValueError(f"{where}: y must have the {self._weights[-1].shape[0]} "
                             f"column(s) of the fitted network's outputs, got shape {y.shape}")
        return y

    def _gradient_scale(self) -> int:
        # the outputs (see the class docstring); the Poisson loss is already summed over them
        return 1 if self.loss == "poisson" else self._weights[-1].shape[0]

    def _n_outputs(self, y) -> int:
        return y.shape[1]

    def _stratify(self, y):
        return None

    def _loss_function(self):
        return _half_poisson_deviance if self.loss == "poisson" else _half_squared_error

    def _loss_name(self) -> str:
        return self.loss  # (no expected value at initialisation: see probe.py)

    def _score_outputs(self, out: np.ndarray, y: np.ndarray, sample_weight=None) -> float:
        return r2_score(y, self._predicted(out), sample_weight=sample_weight)

    def _predicted(self, out: np.ndarray) -> np.ndarray:
        """The predictions from the network's outputs: the mean, e^out, for 'poisson'."""
        return np.exp(out) if self._fitted_loss() == "poisson" else out

    def predict(self, X) -> np.ndarray:
        """Predictions as float64, whatever ``dtype`` trained (and X's dtype):
        (N,) for one output (whether y had one column or none), (N, outputs) else."""
        out = self._predicted(self._forward(X, "predict").astype(np.float64))
        return out[:, 0] if out.shape[1] == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


# The losses, as functions of (output, targets, reduction): a captured training step
# holds one, and so holds no estimator (see _BaseMLP._captured_step).
def _binary_loss(out: Tensor, y: Tensor, reduction: str) -> Tensor:
    """BCE with logits of the one output (scikit-learn's binary case)."""
    loss = nn.functional.binary_cross_entropy_with_logits(out, y, reduction=reduction)
    return loss.reshape(-1) if reduction == "none" else loss


def _multiclass_loss(out: Tensor, y: Tensor, reduction: str) -> Tensor:
    return nn.functional.cross_entropy(out, y, reduction=reduction)


def _half_poisson_deviance(out: Tensor, y: Tensor, reduction: str) -> Tensor:
    """Half the Poisson deviance of the mean μ = e^out, summed over the outputs:
    y·log(y/μ) - y + μ = e^out - y·out + (y·log y - y) (scikit-learn's Poisson loss, its
    constant term included); its gradient is μ - y."""
    constant = y.xlogy(y) - y
    per_output = out.exp() - y * out + constant
    per_sample = per_output.sum(dim=1)
    return per_sample if reduction == "none" else per_sample.mean()


def _half_squared_error(out: Tensor, y: Tensor, reduction: str) -> Tensor:
    """Half the squared error, averaged over the outputs (scikit-learn's regression loss)."""
    if reduction == "none":
        diff = out - y
        return (diff * diff).mean(dim=1) * 0.5
    return nn.functional.mse_loss(out, y) * 0.5
