"""The shared part of tinynet's scikit-learn estimators: parameters (checked once per
fit), building the network and its optimizer, and ``fit``'s course; the epochs
themselves are in _epochs.py."""
import numbers
import os

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator
from sklearn.utils import metadata_routing
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

try:  # scikit-learn's error for a bad parameter: a ValueError and a TypeError
    from sklearn.utils._param_validation import InvalidParameterError
except ImportError:  # pragma: no cover  (a scikit-learn that moved it)
    class InvalidParameterError(ValueError, TypeError):
        pass

from tinynet import nn, optim
from tinynet.autograd.grad_mode import no_grad
from tinynet.diagnostics.probe import initial_state, input_stats
from tinynet.factories import from_numpy
from tinynet.models import INITS, MLP
from tinynet.sklearn._epochs import _Epochs
from tinynet.sklearn.checkpoint import restore, run_settings
from tinynet.training import History

ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh",
               "silu", "mish", "softplus", "prelu", "selu", "hardtanh")
_ACTIVATION_NAMES = {"logistic": "sigmoid"}  # scikit-learn's name -> tinynet's
SOLVERS = ("adam", "adamw", "sgd")
RATE_SCHEDULES = ("constant", "invscaling", "adaptive")  # the 'sgd' solver's learning_rate


class _BaseMLP(_Epochs, BaseEstimator):
    """Shared parameters, validation and the training loop (``_Epochs``, in _epochs.py) of
    both estimators."""

    # fit's resume_from is a checkpoint's path, not data a meta-estimator could route
    __metadata_request__fit = {"resume_from": metadata_routing.UNUSED}

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, norm=None,
                 init="sklearn", dtype="float64", monitor=True, checkpoint=None,
                 checkpoint_every=1):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.norm = norm
        self.init = init
        self.dtype = dtype
        self.monitor = monitor
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every

    # ---- parameters, checked once per fit -------------------------------------------
    def _fail(self, param: str, requirement: str):
        """Raise scikit-learn's error for a bad parameter (naming it, the rule, the value):
        its InvalidParameterError, which ``except ValueError`` and ``except TypeError``
        both catch."""
        raise InvalidParameterError(f"The {param!r} parameter of {type(self).__name__} must "
                                    f"be {requirement}. Got {getattr(self, param)!r} instead.")

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
        if self.learning_rate not in RATE_SCHEDULES:
            self._fail("learning_rate", f"one of {RATE_SCHEDULES}")
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
        self._check_number("power_t", 0.0)
        self._check_number("beta_1", 0.0, 1.0, high_open=True)
        self._check_number("beta_2", 0.0, 1.0, high_open=True)
        self._check_number("epsilon", 0.0, low_open=True)
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
        self.loss_curve_, self.validation_loss_curve_ = [], []
        self.best_loss_ = np.inf
        self._start_validation_scores()
        self._best_loss = np.inf  # tracked privately: best_loss_ is None after early stopping
        self._best_state = None  # the parameters of the best validation score so far
        self.n_iter_, self.t_ = 0, 0
        self._epochs = 0  # every epoch trained since the network was built (the History's)
        self._monitor_state = None  # the Monitor's, carried from one fit call to the next
        self._architecture = self._architecture_params()
        self.history_ = History(config={"estimator": repr(self)})
        self._no_improvement = 0
        self._rng = rng

    def _start_validation_scores(self) -> None:
        """``validation_scores_`` and ``best_validation_score_`` as scikit-learn keeps
        them: an empty list and -inf with early stopping, else None."""
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None

    def _probe(self, X: np.ndarray, y: np.ndarray) -> None:
        """What ``fit`` records before training, for the hints (``history_.diagnose()``):
        the inputs' scale, and the loss and activations at initialisation."""
        loss = self._loss_function()
        self.history_.config["input"] = input_stats(X)
        self.history_.config.update(initial_state(
            self.model_, lambda out, target: loss(out, target, "mean"), self._loss_name(), X, y))

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
            if hasattr(self, "_optimizer"):  # (partial_fit keeps it, as it was built: its
                # state follows the parameters' new dtype)
                self._optimizer.load_state_dict(self._optimizer.state_dict())

    def _build_optimizer(self) -> None:
        """A fresh optimizer over the network, as scikit-learn makes one at every fit
        (so a ``warm_start`` fit takes the current ``learning_rate_init``); ``partial_fit``
        keeps the one it has."""
        params = list(self.model_.parameters())
        if self.solver == "sgd":
            self._optimizer = optim.SGD(params, lr=self.learning_rate_init,
                                        momentum=self.momentum,
                                        nesterov=self.nesterovs_momentum and self.momentum > 0)
        elif self.solver == "adam":
            self._optimizer = optim.Adam(params, lr=self.learning_rate_init,
                                         betas=(self.beta_1, self.beta_2), eps=self.epsilon)
        else:  # adamw: alpha is the weights' decoupled decay (no L2 term: see _Epochs)
            weights = {id(W) for W in self._weights}
            groups = [{"params": [p for p in params if id(p) in weights],
                       "weight_decay": self.alpha},
                      {"params": [p for p in params if id(p) not in weights],
                       "weight_decay": 0.0}]
            self._optimizer = optim.AdamW(groups, lr=self.learning_rate_init,
                                          betas=(self.beta_1, self.beta_2), eps=self.epsilon)

    def _decays_weights(self) -> bool:
        """Whether the optimizer in use decays the weights by alpha itself: the AdamW
        ``_build_optimizer`` makes for 'adamw', its first group the weight matrices (then
        no L2 penalty is added). ``partial_fit`` keeps the optimizer it has, whatever the
        solver set since; an AdamW of one group (pickled by an older tinynet) decays
        every parameter by its own rate, beside the penalty, as it did."""
        optimizer = self._optimizer
        return isinstance(optimizer, optim.AdamW) and len(optimizer.param_groups) == 2

    def _forward(self, X, method: str) -> np.ndarray:
        """The fitted network's outputs for X (``method``: the caller, named in errors)."""
        check_is_fitted(self, "model_")
        # the fitted network's dtype (a dtype set since applies from the next fit on)
        refuse_text(X, f"{type(self).__name__}.{method}")
        X = validate_data(self, X, reset=False, dtype=self._weights[0].array.dtype)
        self.model_.eval()
        with no_grad():
            return self.model_(from_numpy(X)).array

    def _fit(self, X, y, sample_weight, incremental: bool, resume_from=None, classes=None):
        where = f"{type(self).__name__}.{'partial_fit' if incremental else 'fit'}"
        self._validate_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first = not (incremental or self.warm_start) or not hasattr(self, "model_") \
            or resume_from is not None
        X, y, sample_weight = self._checked_data(X, y, sample_weight, first, incremental,
                                                 where, classes)
        if first:
            rng = np.random.default_rng(_seed(self.random_state, where))
            self._build(X.shape[1], self._n_outputs(y), rng)
            self._probe(X, y)
        else:
            self._check_same_network(where)
        if not incremental or not hasattr(self, "_optimizer"):
            self._build_optimizer()
        # what a checkpoint must match (hashing the data costs a pass: only when needed)
        self._run_settings = run_settings(self, X, y, sample_weight) if \
            self.checkpoint is not None or resume_from is not None else None
        epochs = 1 if incremental else self.max_iter
        if resume_from is not None:
            stopped = restore(self, resume_from)
            epochs = 0 if stopped else max(self.max_iter - self.n_iter_, 0)
        else:
            self.n_iter_ = 0  # epochs of this call, as scikit-learn counts them
            if not incremental:  # a new early-stopping split; the epochs without
                # improvement count on across warm-start fits, as scikit-learn's do (a
                # new network starts them at 0)
                self._split_seed = None
        self._run_epochs(X, y, sample_weight, epochs, incremental)
        return self

    def _checked_data(self, X, y, sample_weight, first: bool, incremental: bool, where: str,
                      classes):
        """X, y (encoded) and the sample weights (times any class weights), checked. The
        checks set what describes the data (``classes_``, ``n_features_in_``...); when
        one fails, those are put back as they were, so a fitted estimator stays whole
        and nothing of the failed call is left for the next one."""
        kept = {name: vars(self)[name] for name in _SET_BY_CHECKS if name in vars(self)}
        try:
            self._check_targets(y, where)
            refuse_text(X, where)
            X, y = validate_data(self, X, y, reset=first, dtype=np.dtype(self.dtype),
                                 multi_output=self._multi_output)
            y = self._encode_targets(y, first, where, classes)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
                if (sample_weight < 0).any():
                    i = int(np.argmax(sample_weight < 0))
                    raise ValueError(f"{where}: sample_weight must be >= 0, got "
                                     f"{sample_weight[i]} at sample {i}")
            return X, y, self._class_weights(y, sample_weight, incremental)
        except BaseException:
            for name in _SET_BY_CHECKS:
                vars(self).pop(name, None)
            vars(self).update(kept)
            raise

    def _gradient_scale(self) -> int:
        """What the reported loss is multiplied by for the gradient step (scikit-learn's
        convention: see MLPRegressor)."""
        return 1

    def _check_targets(self, y, where: str) -> None:
        """Refuse targets of a kind the estimator does not learn, before sklearn's checks."""

    def _class_weights(self, y, sample_weight, incremental: bool):
        return sample_weight

    @property
    def n_layers_(self) -> int:
        """The layers as scikit-learn counts them: input, hidden layers, output."""
        check_is_fitted(self, "model_")
        return len(self._weights) + 1

    @property
    def n_outputs_(self) -> int:
        check_is_fitted(self, "model_")
        return self._weights[-1].shape[0]

    @property
    def coefs_(self) -> list:
        """Weight matrices as scikit-learn stores them: (fan_in, fan_out) each, views of
        the network's weights: changing one in place, setting an item of the list or
        assigning a whole list changes the network, as in scikit-learn."""
        check_is_fitted(self, "model_")
        return _Layers(self, "coefs_", self._weights, transposed=True)

    @coefs_.setter
    def coefs_(self, values) -> None:
        check_is_fitted(self, "model_")
        _Layers(self, "coefs_", self._weights, transposed=True).assign(values)

    @property
    def intercepts_(self) -> list:
        """Bias vectors, (fan_out,) each, views of the network's biases (as ``coefs_``)."""
        check_is_fitted(self, "model_")
        return _Layers(self, "intercepts_", self._biases, transposed=False)

    @intercepts_.setter
    def intercepts_(self, values) -> None:
        check_is_fitted(self, "model_")
        _Layers(self, "intercepts_", self._biases, transposed=False).assign(values)

    @property
    def _biases(self) -> list:
        return [m.bias for m in self.model_.modules() if isinstance(m, nn.Linear)]


class _Layers(list):
    """``coefs_`` or ``intercepts_``: one view per layer of the network's parameters, in
    scikit-learn's shapes (a weight transposed); setting an item, or assigning a list
    (``assign``), copies the values into the parameter."""

    def __init__(self, estimator, name: str, params: list, transposed: bool):
        self.where = f"{type(estimator).__name__}.{name}"
        self.params, self.transposed = params, transposed
        super().__init__(p.array.T if transposed else p.array for p in params)

    def __setitem__(self, index, value) -> None:
        if not isinstance(index, numbers.Integral):
            raise TypeError(f"{self.where}: set one layer by its index (an int), got "
                            f"{index!r}")
        self._copy_in(self.params[index], value, f"{self.where}[{index}]")

    def assign(self, values) -> None:
        values = list(values)
        if len(values) != len(self.params):
            raise ValueError(f"{self.where}: must be {len(self.params)} arrays (one per "
                             f"layer), got {len(values)}")
        for i, (p, v) in enumerate(zip(self.params, values)):
            self._copy_in(p, v, f"{self.where}[{i}]")

    def _copy_in(self, param, value, where: str) -> None:
        shape = param.array.T.shape if self.transposed else param.array.shape
        if np.shape(value) != shape:
            raise ValueError(f"{where}: must have the fitted network's shape {shape}, got "
                             f"{np.shape(value)}")
        param.array[...] = np.asarray(value).T if self.transposed else value
        param.bump_version()


_SET_BY_CHECKS = ("classes_", "n_features_in_", "feature_names_in_")


def _seed(random_state, where: str):
    """An int seed from None, an int or a numpy RandomState (scikit-learn's conventions:
    None draws from numpy's global random state, which ``np.random.seed`` seeds)."""
    if random_state is None:
        return int(np.random.randint(2 ** 31))
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2 ** 31))
    raise ValueError(f"{where}: random_state must be None, an int or a RandomState, got "
                     f"{random_state!r}")


def refuse_text(values, where: str, name: str = "X") -> None:
    """Refuse strings or bytes in ``values`` (X, or a regressor's y): given the estimator's
    float dtype, numpy would parse '1.5' and b'2' silently (scikit-learn's MLP parses
    them at fit, and refuses them at predict). A DataFrame is left to scikit-learn's
    conversion, and sparse X to its refusal."""
    if issparse(values) or type(values).__name__ == "DataFrame":
        return
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    kind = array.dtype.kind
    if kind in "US" or kind == "O" and any(isinstance(v, (str, bytes)) for v in array.flat):
        raise ValueError(f"{where}: {name} must hold numbers, got strings or bytes (dtype "
                         f"{array.dtype}); convert them first, e.g. {name}.astype(float)")
