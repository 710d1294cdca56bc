"""The epochs of tinynet's scikit-learn estimators (``_Epochs``, part of ``_BaseMLP``):
minibatch steps replayed with ``tn.capture``, scikit-learn's L2 penalty, its early-stopping
split, the History record of each epoch and scikit-learn's stopping rules (``tol``,
``n_iter_no_change``, early stopping)."""
import copy
import math
import sys
import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from tinynet.autograd.grad_mode import no_grad
from tinynet.autograd.replay import capture
from tinynet.diagnostics import Monitor
from tinynet.factories import from_numpy
from tinynet.sklearn.checkpoint import save_checkpoint
from tinynet.tensor import Tensor
from tinynet.training.epoch import NonFiniteLoss, array_batches, train_epoch


class _Epochs:
    """The training loop of ``_BaseMLP`` (see base.py for its attributes)."""

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
        if not incremental and (self.validation_scores_ is None) == self.early_stopping:
            self._start_validation_scores()  # (a warm start that turned early stopping on
            # or off: its scores start anew, or are None, as a first fit's)
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
        if watcher and getattr(self, "_monitor_state", None) is not None:
            # (warm_start, partial_fit, a resumed fit: its epochs and dead units go on)
            watcher.load_state_dict(self._monitor_state)
        self.model_.train()
        failed = None
        try:
            self._epochs_until_stop(X, y, sample_weight, epochs, incremental, batch_size,
                                    (X_val, y_val, w_val), watcher)
        except KeyboardInterrupt:  # (the epoch is undone: see _epochs_until_stop)
            warnings.warn("Training interrupted by user.")  # (scikit-learn's words)
        except _EpochFailed as failure:  # (undone too: see _train_epoch)
            failed = failure
        finally:
            if watcher:
                watcher.detach()
            if not incremental:  # a fit's capture ends with it (partial_fit keeps its own)
                vars(self).pop("_capture", None)
        # however the fit ends, early stopping leaves the best validation epoch's weights
        best = getattr(self, "_best_state", None)  # (None: no epoch finished yet)
        restored = self.early_stopping and not incremental and best is not None
        if self.early_stopping and not incremental:
            if best is not None:
                self.model_.load_state_dict(best)
            self.best_loss_ = None
        self.model_.eval()
        if failed is not None:
            raise failed.error(type(self).__name__, self._epochs, restored) from None

    def _epochs_until_stop(self, X, y, sample_weight, epochs: int, incremental: bool,
                           batch_size: int, validation: tuple, watcher) -> None:
        """Up to ``epochs`` epochs, each recorded and checkpointed, until ``_converged``."""
        X_val, y_val, w_val = validation
        for _ in range(epochs):
            start = self._epoch_state()
            try:
                self._train_epoch(X, y, sample_weight, batch_size, start)
                record = self._record(X_val, y_val, w_val, watcher)
                self.history_.records.append(record)
                if watcher:  # (a call without the Monitor leaves its state as it was)
                    self._monitor_state = _carried(watcher)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}",
                          file=sys.stdout)
                    if X_val is not None:
                        print(f"Validation score: {self.validation_scores_[-1]:f}")
                # (partial_fit counts too, as scikit-learn's: best_loss_, the rate schedule)
                stop = self._converged(X_val is not None) and not incremental
                self._stopped = stop  # (a checkpoint of the last epoch says the fit ended)
                if self.checkpoint is not None and (self._epochs % self.checkpoint_every == 0
                                                    or stop):
                    save_checkpoint(self, self.checkpoint)
            except KeyboardInterrupt:  # a step may have updated some parameters, not others
                self._restore_epoch_state(start)
                raise
            if stop:
                break
        else:
            if not incremental and epochs > 0:
                warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                              f"reached and the optimization hasn't converged yet.",
                              ConvergenceWarning)

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

    # what an epoch changes besides the network and the optimizer (see _epoch_state)
    _EPOCH_ATTRIBUTES = ("n_iter_", "_epochs", "t_", "loss_", "best_loss_", "_best_loss",
                         "best_validation_score_", "_best_state", "_no_improvement",
                         "_monitor_state")
    _EPOCH_LISTS = ("loss_curve_", "validation_scores_", "validation_loss_curve_")

    def _epoch_state(self) -> tuple:
        """Everything an epoch changes, as it is before the epoch: the network's and the
        optimizer's state, the fitted attributes, the lengths of the curves and of the
        History, and the shuffling generator's state."""
        return (self.model_._state_copy(),
                self._optimizer.state_dict(),
                {name: getattr(self, name, None) for name in self._EPOCH_ATTRIBUTES},
                {name: len(getattr(self, name) or ()) for name in self._EPOCH_LISTS},
                len(self.history_.records), copy.deepcopy(self._rng.bit_generator.state))

    def _restore_epoch_state(self, state: tuple) -> None:
        """Undo an unfinished epoch (``_epoch_state``'s)."""
        params, optimizer, attributes, lengths, records, rng = state
        self.model_.load_state_dict(params)
        self._optimizer.load_state_dict(optimizer)
        for name, value in attributes.items():
            setattr(self, name, value)
        for name, length in lengths.items():
            if getattr(self, name) is not None:
                del getattr(self, name)[length:]
        del self.history_.records[records:]
        self._rng.bit_generator.state = rng

    def _train_epoch(self, X, y, sample_weight, batch_size: int, start: tuple) -> None:
        """One epoch of minibatch steps (``training.train_epoch``, each step's forward
        pass and loss captured); a non-finite loss, or a minibatch whose sample weights
        sum to 0, puts the model and optimizer back where the epoch began (``start``,
        ``_epoch_state``'s) and raises."""
        step = self._captured_step()

        def forward(inputs, targets):
            yb, wb = targets
            # what scikit-learn's L2 penalty is divided by: the batch's size or weight
            self._batch_weight = len(yb) if wb is None else float(wb.sum())
            if not self._batch_weight > 0:  # its weighted mean loss would be 0/0
                raise _WeightlessBatch(len(yb), self._batch_weight)
            args = (from_numpy(inputs), from_numpy(yb))
            loss, out, *unscaled = step(*args) if wb is None else step(*args, from_numpy(wb))
            return loss, (unscaled[0] if unscaled else loss).item(), out

        def penalty(value, targets):  # scikit-learn's L2 term, on the gradients and the loss
            return self._add_l2_penalty(value, self._batch_weight) if self.alpha else value

        if self._decays_weights():  # alpha decays the weights in AdamW's step instead
            self._optimizer.param_groups[0]["weight_decay"] = self.alpha
            penalty = None

        data = array_batches(X, (y, sample_weight), batch_size, self.shuffle, self._rng)
        try:
            result = train_epoch(self.model_, self._optimizer, data, None,
                                 after_backward=penalty, forward=forward)
        except (NonFiniteLoss, _WeightlessBatch) as error:
            self.model_.load_state_dict(start[0])
            self._optimizer.load_state_dict(start[1])
            raise _EpochFailed(error, before_any_update=self.t_ == 0 and
                               getattr(error, "step", 0) == 1) from None
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
        record["layers"] = watcher.end_epoch(self._epochs)["layers"] if watcher else {}
        return record

    def _converged(self, validating: bool) -> bool:
        """sklearn's rule: stop after ``n_iter_no_change`` epochs without the training loss
        falling (or, with early stopping, the validation score rising) by ``tol``. The
        sgd solver's ``learning_rate`` schedule moves the rate here, as scikit-learn's
        does at each epoch's end: 'invscaling' to learning_rate_init / (t_ + 1)^power_t;
        'adaptive' divides it by 5 instead of stopping, until it is at most 1e-6."""
        if validating:
            score = self.validation_scores_[-1]
            # scikit-learn's test, as it writes it: a tie counts as an improvement (with
            # tol=0 a flat validation accuracy keeps training), and so does a NaN score
            improved = not score < self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = self.model_._state_copy()
        else:
            loss = self.loss_curve_[-1]
            improved = not loss > self._best_loss - self.tol
            self._best_loss = self.best_loss_ = min(self._best_loss, loss)
        self._no_improvement = 0 if improved else self._no_improvement + 1
        schedule = self.learning_rate if self.solver == "sgd" else "constant"
        if schedule == "invscaling":
            self._set_rate(self.learning_rate_init / (self.t_ + 1) ** self.power_t)
        if self._no_improvement <= self.n_iter_no_change:  # '>' stops, as scikit-learn
            return False
        what = (f"{'Validation score' if validating else 'Training loss'} did not improve "
                f"more than tol={self.tol} for {self.n_iter_no_change} consecutive epochs.")
        rate = self._optimizer.param_groups[0]["lr"]
        if schedule == "adaptive" and rate > 1e-6:
            self._set_rate(rate / 5.0)
            self._no_improvement = 0
            if self.verbose:
                print(f"{what} Setting learning rate to {rate / 5.0:f}")
            return False
        if self.verbose:
            too_small = " Learning rate too small." if schedule == "adaptive" else ""
            print(f"{what}{too_small} Stopping.")
        return True

    def _set_rate(self, rate: float) -> None:
        for group in self._optimizer.param_groups:
            group["lr"] = rate

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


class _WeightlessBatch(Exception):
    """A minibatch whose sample weights sum to 0 (args: its size)."""


class DivergedError(FloatingPointError, ValueError):
    """An estimator's training loss became NaN or infinite. A FloatingPointError, as
    ``fit``'s, and a ValueError, as scikit-learn's MLP raises for non-finite weights."""


class _EpochFailed(Exception):
    """An epoch stopped by ``error`` (a NonFiniteLoss or _WeightlessBatch), its network
    and optimizer put back as they were before it (``_train_epoch``)."""

    def __init__(self, error, before_any_update: bool):
        super().__init__(error)
        self.cause, self.before_any_update = error, before_any_update

    def error(self, name: str, epochs: int, restored: bool) -> Exception:
        """The error the estimator raises, once the fit has ended: after ``epochs``
        finished epochs, the best validation epoch's weights ``restored`` or not."""
        if restored:
            where = "the model holds the weights of its best validation score (early_stopping)"
        elif epochs:
            where = f"the model is back at the end of epoch {epochs}"
        else:
            where = "the model is back at its initial weights"
        if isinstance(self.cause, _WeightlessBatch):
            size, weight = self.cause.args
            return ValueError(
                f"{name}: sample_weight must have a positive sum over every minibatch, got "
                f"{weight} over one of {size} samples in epoch {epochs + 1} (its weighted "
                f"mean loss is undefined); {where}; use a larger batch_size, or leave out "
                f"the samples of weight 0")
        advice = ("it was not finite before any update, so the data or the initial weights "
                  "made it: check X and y for NaN, inf or values too large, and scale them "
                  "(sklearn.preprocessing.StandardScaler)" if self.before_any_update
                  else "lower learning_rate_init")
        return DivergedError(
            f"{name}: the training loss became {self.cause.value} at epoch {epochs + 1}, step "
            f"{self.cause.step}; {where}; {advice}")


def batch_loss(loss, out: Tensor, yb: Tensor, wb=None) -> Tensor:
    """The batch's mean ``loss(out, yb, reduction)``, weighted by the tensor ``wb`` when
    given (its sum taken by an op, so that a captured step replays it)."""
    if wb is None:
        return loss(out, yb, "mean")
    return (loss(out, yb, "none") * wb).sum() / wb.sum()


def _carried(watcher) -> dict:
    """What the next fit call's Monitor takes from this one: the epoch each dead unit
    died in (a copy: the Monitor goes on changing its own). Its epochs' summaries are
    the History's records already; the epochs are numbered by the estimator."""
    return {"epochs": [],
            "dead_since": {name: None if since is None else np.array(since)
                           for name, since in watcher.state_dict()["dead_since"].items()}}
