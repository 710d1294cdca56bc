"""``fit``: train a model on arrays (or a DataLoader) with minibatches, a progress bar and
diagnostics.

The loop itself is ``training.epoch.train_epoch``; this module resolves ``fit``'s
arguments into a ``Run``, runs its epochs (evaluation, callbacks, checkpoints), and, when
the loss stops being finite, names where and restores the last finite state.
"""
import copy
import inspect
import platform
import warnings
from dataclasses import dataclass, field

import numpy as np

from tinynet import nn, optim
from tinynet.autograd.anomaly import AnomalyError, detect_anomaly
from tinynet.autograd import replay
from tinynet.checks import check_int, check_real, check_seed, choice_message
from tinynet.diagnostics import Monitor
from tinynet.diagnostics.probe import initial_state, input_stats
from tinynet.factories import from_numpy
from tinynet.random import default_generator
from tinynet.tensor import Tensor
from tinynet.training import checkpoint as checkpoints
from tinynet.training.callbacks import Callback, EarlyStopping
from tinynet.training.epoch import NonFiniteLoss, array_batches, evaluate, train_epoch
from tinynet.training.history import History
from tinynet.training.inputs import (CLASS_INDEX_LOSSES, check_class_count, check_inputs,
                                     check_targets, check_validation_data)
from tinynet.training.loader import is_loader, loader_batches, read_in_order
from tinynet.training.progress import Progress
from tinynet.version import __version__

ACCURACY_LOSSES = (*CLASS_INDEX_LOSSES, "bce_with_logits")  # the losses _Hits counts for
LOSSES = {"cross_entropy": nn.CrossEntropyLoss, "bce_with_logits": nn.BCEWithLogitsLoss,
          "mse": nn.MSELoss}
OPTIMIZERS = {"adam": optim.Adam, "adamw": optim.AdamW, "sgd": optim.SGD}
_LOSS_NAMES = ((nn.CrossEntropyLoss, "cross_entropy"), (nn.NLLLoss, "nll"),
               (nn.BCEWithLogitsLoss, "bce_with_logits"), (nn.MSELoss, "mse"))


@dataclass
class Run:
    """Everything one ``fit`` call works with, resolved and checked."""

    model: nn.Module
    loss_fn: nn.Module
    loss_name: str
    optimizer: optim.Optimizer
    scheduler: object
    X: np.ndarray   # with a DataLoader: its dataset, in order (for checks and statistics)
    y: np.ndarray
    validation: tuple  # (X_val, y_val) or None
    batch_size: int
    shuffle: bool
    rng: np.random.Generator
    monitor: Monitor  # or None
    callbacks: list
    clip_grad_norm: float
    loader: object = None  # the DataLoader trained on, or None for arrays
    captured: object = None  # fit(capture=True): the tn.capture of the forward pass
    history: History = field(default_factory=History)

    def train_batches(self):
        """This epoch's (inputs, targets) batches."""
        if self.loader is not None:
            return loader_batches("fit", self.loader, self.loss_name, self.X.dtype)
        return array_batches(self.X, self.y, self.batch_size, self.shuffle, self.rng)

    def batch_loss(self, out, targets) -> tuple:
        """For ``train_epoch``: the loss tensor and its mean per sample."""
        loss = self.loss_fn(out, from_numpy(targets))
        return loss, self.per_sample(loss, targets)

    def per_sample(self, loss, targets) -> float:
        """The loss's value per sample (a loss with reduction='sum' is divided by the
        batch size)."""
        value = loss.item()
        if getattr(self.loss_fn, "reduction", "mean") == "sum":
            value /= len(targets)
        return value

    def capture(self) -> None:
        """Replay the forward pass and the loss from the third step on (``tn.capture``)."""
        def loss_and_output(x, t):
            out = self.model(x)
            return self.loss_fn(out, t), out

        self.captured = replay.capture(loss_and_output)

    def captured_forward(self, inputs, targets) -> tuple:
        """For ``train_epoch``: ``(loss, its value per sample, output)`` of the captured
        forward pass."""
        loss, out = self.captured(from_numpy(inputs), from_numpy(targets))
        return loss, self.per_sample(loss, targets), out


def fit(model, X, y=None, *, loss="cross_entropy", optimizer=None, lr: float = 1e-3,
        epochs: int = 10, batch_size: int = None, validation_data=None, shuffle: bool = None,
        seed: int = None, monitor=True, progress: bool = True, verbose: bool = False,
        callbacks=(), scheduler=None,
        clip_grad_norm: float = None, checkpoint=None, checkpoint_every: int = 1,
        resume_from=None, sanity_check: bool = False, capture: bool = False):
    """Train ``model`` on (X, y) with minibatches and return a ``History``.

    Args:
        model: a ``tinynet.nn.Module`` mapping (N, D) inputs to (N, C) outputs.
        X: inputs, array-like (N, D); cast to the model's dtype. Or a
            ``tn.utils.data.DataLoader`` of (inputs, targets) batches, trained on in its
            order: then ``y``, ``batch_size``, ``shuffle`` and ``seed`` stay None (the
            loader sets them); its dataset is read once, in order, to check it.
        y: targets (N,): class indices for cross-entropy, probabilities in [0, 1] for
            BCE ((N,) or (N, C)), values for MSE.
        loss: 'cross_entropy' (default), 'bce_with_logits', 'mse', or a loss module
            ('mean' or 'sum' reduction; the History reports the mean per sample).
        optimizer: an Optimizer over ``model.parameters()``, or 'adam' (the default
            when None), 'adamw' or 'sgd' built with ``lr``.
        lr: learning rate when ``optimizer`` is not an Optimizer (default 1e-3).
        epochs: the last epoch to train (default 10; with ``resume_from``, training
            continues from the checkpoint's epoch up to this one).
        batch_size: samples per step (default 32).
        validation_data: optional (X_val, y_val) or a DataLoader, evaluated after every
            epoch.
        shuffle: reshuffle every epoch (default True), with ``seed``.
        seed: seeds the shuffling (``None``: a seed drawn from the global generator, as
            PyTorch's DataLoader draws its order, so ``tn.manual_seed`` before ``fit``
            makes the run repeatable).
        monitor: record per-layer diagnostics: True (default; ``Monitor(model)``, which
            samples every 4th step), False, or an int k for ``Monitor(model, every=k)``.
        progress: show a progress bar where one can be drawn: a terminal, or a Jupyter
            notebook (a widget with ipywidgets installed, text otherwise).
        verbose: print one line per epoch (loss, accuracy, seconds) where no bar is
            drawn, e.g. when the output goes to a log file (default False).
        callbacks: ``Callback`` objects, e.g. ``EarlyStopping`` (or just one).
        scheduler: an ``optim.lr_scheduler`` scheduler of ``optimizer``, or a function
            of the optimizer returning one; stepped after every epoch
            (``ReduceLROnPlateau``, in mode 'min', with the epoch's validation loss, or
            its training loss without validation data), or, as PyTorch steps them,
            after every batch for ``OneCycleLR`` and ``CyclicLR`` (``steps_per_epoch``
            is then the number of batches). The record's ``lr`` is the rate of the
            epoch's first step.
        clip_grad_norm: clip the gradients' total 2-norm to this before every step
            (``nn.utils.clip_grad_norm_``); None (default) does not clip.
        checkpoint: a path: save the run's whole state there (atomically) every
            ``checkpoint_every`` epochs and after the last one.
        resume_from: a checkpoint path: continue that run (same model, data and
            settings) from where it was saved.
        sanity_check: first run ``tn.diagnostics.sanity_check`` on copies of the model
            (initial loss, overfitting 20 samples, a gradient check, inputs used); the
            report goes in ``History.config['sanity_check']``, and a failed check warns.
        capture: replay each batch shape's forward pass and loss after two eager steps
            (``tn.capture``: the same numbers, less Python per step), the steps a
            Monitor observes too (its hooks read the replayed values). The count of
            replayed steps goes in ``History.config['replayed_steps']``.

    Returns:
        History with one record per epoch.

    Raises:
        FloatingPointError: the loss became non-finite; the message names the epoch,
            the step and where the first non-finite value appeared (layer and op, in the
            forward or the backward pass). The model's parameters and the optimizer's
            state are first restored to the end of the last finite epoch; the error's
            ``history`` attribute holds the History of every finished epoch.
        KeyboardInterrupt: Ctrl-C, raised on once the parameters and optimizer state are
            back at the end of the last finished epoch; its ``history`` attribute holds
            that epoch's History.

    Example:
        >>> import tinynet as tn
        >>> data = tn.data.load_dataset("moons", seed=0)
        >>> model = tn.models.MLP(2, [16, 16], 2, activation="gelu")
        >>> history = tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=20,
        ...                  seed=0, progress=False)
        >>> history.records[-1]["train_acc"] > 0.9
        True
    """
    run = _prepare(model, X, y, loss, optimizer, lr, batch_size, validation_data, shuffle,
                   seed, monitor, callbacks, scheduler, clip_grad_norm)
    epochs = check_int("fit", "epochs", epochs, 1)
    if capture:
        run.capture()
    checkpoint_every = check_int("fit", "checkpoint_every", checkpoint_every, 1)
    for name, path in (("checkpoint", checkpoint), ("resume_from", resume_from)):
        if path is not None:
            checkpoints.check_path(name, path)
    if sanity_check:
        _sanity_check(run)
    first = 1
    for callback in run.callbacks:  # (every call, as Keras': a resumed run's callbacks
        callback.on_train_begin(model)  # then get their checkpointed state back)
    if resume_from is not None:
        last, stopped = checkpoints.restore(run, checkpoints.load_checkpoint(resume_from),
                                            resume_from)
        first = epochs + 1 if stopped else last + 1  # (a stopped run trains no further)
        if last > epochs:
            warnings.warn(f"fit: epochs={epochs} is below the {last} epochs the checkpoint "
                          f"finished: nothing is trained (epochs is the last epoch to "
                          f"train, not a count)", UserWarning, stacklevel=2)
    run.history.config["epochs"] = epochs
    try:
        _train(run, first, epochs, checkpoint, checkpoint_every,
               Progress(epochs, first - 1, progress, verbose))
    finally:
        if run.monitor is not None:
            run.monitor.detach()
    for callback in run.callbacks:
        callback.on_train_end(model)
        if callback.restored_epoch is not None:
            run.history.restored_epoch = callback.restored_epoch
    if run.captured is not None:
        run.history.config["replayed_steps"] = run.captured.replays
    return run.history


def _prepare(model, X, y, loss, optimizer, lr, batch_size, validation_data, shuffle, seed,
             monitor, callbacks, scheduler, clip_grad_norm) -> Run:
    """Check every argument of ``fit`` and build its ``Run``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit: model must be a tinynet.nn.Module, got {type(model).__name__}")
    params = list(model.parameters())
    if not params:
        raise ValueError(f"fit: model must have parameters to train, got {model!r}")
    dtype = params[0].dtype
    loss_fn, loss_name = resolve_loss("fit", loss)
    optimizer = _optimizer(optimizer, lr, params)
    seed = check_seed("fit", "seed", seed)
    if clip_grad_norm is not None:
        clip_grad_norm = check_real("fit", "clip_grad_norm", clip_grad_norm, 0.0, low_open=True)
    loader = None
    if is_loader(X):
        loader, (X, y) = X, _read_loader(X, y, batch_size, shuffle, seed, loss_name, dtype)
        batch_size, shuffle = loader.batch_size, loader.shuffle
    else:
        batch_size = check_int("fit", "batch_size", 32 if batch_size is None else batch_size, 1)
        shuffle = True if shuffle is None else shuffle
        X = check_inputs("fit", X, dtype)
        y = check_targets("fit", y, len(X), loss_name, dtype)
    validation = _validation(validation_data, X.shape[1], loss_name, dtype)
    callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks)
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, Callback):
            raise TypeError(f"fit: callbacks must be Callback objects, got "
                            f"{type(callback).__name__} at position {i}")
    _check_monitored(callbacks, validation, loss_name)
    _warn_double_softmax(model, loss_fn, loss_name)
    run = Run(model, loss_fn, loss_name, optimizer, _scheduler(scheduler, optimizer), X, y,
              validation, batch_size, bool(shuffle), _shuffling(seed),
              _monitor(model, monitor), callbacks, clip_grad_norm, loader)
    run.history.config.update(_config(run, seed))
    run.history.config["input"] = input_stats(X)

    def check_classes(n_outputs: int) -> None:
        check_class_count("fit", y, n_outputs, loss_name)
        if validation is not None:
            check_class_count("fit: validation_data", validation[1], n_outputs, loss_name)

    run.history.config.update(initial_state(model, loss_fn, loss_name, X, y, check_classes))
    return run


def _check_monitored(callbacks: list, validation, loss_name: str) -> None:
    """Refuse, before training, an EarlyStopping on a metric no epoch would record: a
    validation metric without validation data, an accuracy for a regression loss."""
    for callback in callbacks:
        if not isinstance(callback, EarlyStopping):
            continue
        if callback.monitor.startswith("val_") and validation is None:
            raise ValueError(f"fit: EarlyStopping monitors {callback.monitor!r}, which needs "
                             f"validation_data; pass validation_data=(X_val, y_val), or "
                             f"EarlyStopping(monitor='train_loss')")
        if callback.monitor.endswith("_acc") and loss_name not in ACCURACY_LOSSES:
            raise ValueError(f"fit: EarlyStopping monitors {callback.monitor!r}, but loss "
                             f"{loss_name!r} records no accuracy; monitor "
                             f"{callback.monitor.replace('_acc', '_loss')!r}")


def _sampler_name(loader):
    """What orders a loader's batches, for History.config (None for arrays): its
    batch_sampler's class when one was given, else its sampler's (a list or other
    iterable of indices: its type's name); the dataset's class for an IterableDataset,
    which orders its own samples."""
    if loader is None:
        return None
    if loader.sampler is None:
        return type(loader.dataset).__name__
    given = loader.batch_size is None and loader.batch_sampler is not None  # (given)
    return type(loader.batch_sampler if given else loader.sampler).__name__


def _short(value) -> str:
    """``value``'s repr, or an array's shape and dtype (its values would fill a screen)."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"an array of shape {tuple(value.shape)} ({value.dtype})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _read_loader(loader, y, batch_size, shuffle, seed, loss_name, dtype) -> tuple:
    """(X, y) of a DataLoader's dataset, after refusing the arguments the loader sets."""
    given = {"y": y, "batch_size": batch_size, "shuffle": shuffle, "seed": seed}
    for name, value in given.items():
        if value is not None:
            raise ValueError(f"fit: {name} must be None when X is a DataLoader (its batches "
                             f"hold the targets; its batch_size, shuffle and generator set "
                             f"the order), got {name}={_short(value)}")
    return read_in_order("fit", loader, loss_name, dtype)


def _validation(validation_data, n_features: int, loss_name: str, dtype):
    """(X_val, y_val) from a pair of arrays or a DataLoader, checked; or None."""
    if validation_data is None:
        return None
    if is_loader(validation_data):
        validation_data = read_in_order("fit: validation_data", validation_data, loss_name,
                                        dtype)
    return check_validation_data("fit", validation_data, n_features, loss_name, dtype)


def resolve_loss(where: str, loss) -> tuple:
    """(loss module, loss name) from a name in ``LOSSES`` or a loss module."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(choice_message(where, "loss", loss, sorted(LOSSES),
                                            "a loss module"))
        return LOSSES[loss](), loss
    if not callable(loss):
        raise TypeError(f"{where}: loss must be a loss name or a loss module, got {loss!r}")
    if getattr(loss, "reduction", "mean") == "none":
        raise ValueError(f"{where}: loss must reduce a batch to one number, got a loss module "
                         f"with reduction='none'; use 'mean' or 'sum'")
    name = next((n for kind, n in _LOSS_NAMES if isinstance(loss, kind)), type(loss).__name__)
    return loss, name


def _optimizer(optimizer, lr, params):
    if optimizer is None or isinstance(optimizer, str):
        name = optimizer or "adam"
        if name not in OPTIMIZERS:
            raise ValueError(choice_message("fit", "optimizer", name, sorted(OPTIMIZERS),
                                            "an Optimizer"))
        lr = check_real("fit", "lr", lr, 0.0, low_open=True)
        return OPTIMIZERS[name](params, lr=lr)
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer instance or one of "
                        f"{sorted(OPTIMIZERS)}, got {optimizer!r}")
    return optimizer


def _sanity_check(run: Run) -> None:
    from dataclasses import asdict

    from tinynet.diagnostics.sanity import run_checks

    report = run_checks(run.model, run.loss_fn, run.loss_name, run.X, run.y)
    run.history.config["sanity_check"] = [asdict(check) for check in report]
    if not report.passed:
        warnings.warn(f"fit: the sanity check failed before training:\n{report}",
                      UserWarning, stacklevel=3)


def _scheduler(scheduler, optimizer):
    kinds = (optim.lr_scheduler.LRScheduler, optim.lr_scheduler.ReduceLROnPlateau)
    if scheduler is None or isinstance(scheduler, kinds):
        if isinstance(scheduler, optim.lr_scheduler.ReduceLROnPlateau) and \
                scheduler.mode != "min":
            raise ValueError("fit: ReduceLROnPlateau is stepped with the epoch's loss "
                             "(validation, else training), which falls as the model "
                             "improves: its mode must be 'min', got 'max'")
        if scheduler is not None and scheduler.optimizer is not optimizer:
            raise ValueError("fit: scheduler must schedule fit's optimizer, got one built on "
                             "another optimizer (pass optimizer= too, or a function)")
        return scheduler
    if callable(scheduler):
        return _scheduler(scheduler(optimizer), optimizer)
    raise TypeError(f"fit: scheduler must be an LRScheduler or a function of the optimizer, "
                    f"got {scheduler!r}")


def _monitor(model, monitor):
    if monitor is True or monitor is False:
        return Monitor(model) if monitor else None
    return Monitor(model, every=check_int("fit", "monitor", monitor, 1))


def _warn_double_softmax(model, loss_fn, loss_name) -> None:

    if loss_name == "cross_entropy" and isinstance(list(model.modules())[-1], nn.Softmax):
        loss_fn.warn_on_probabilities = False  # one warning for one mistake
        warnings.warn("the model ends in Softmax but the loss is cross-entropy, which applies "
                      "log-softmax itself: this double softmax squashes the gradients and "
                      "slows learning. Remove the final Softmax (apply it only to read "
                      "probabilities).", UserWarning, stacklevel=4)


def _shuffling(seed):
    """The generator of the run's order: from ``seed``, or from a seed the global
    generator draws (``tn.manual_seed`` seeds it)."""
    if seed is None:
        seed = int(default_generator().integers(2 ** 63))
    return np.random.default_rng(seed)


def _config(run: Run, seed) -> dict:
    """The run's settings, seed and library versions (History.config)."""
    import sklearn

    versions = {"tinynet": __version__, "numpy": np.__version__,
                "scikit-learn": sklearn.__version__, "python": platform.python_version()}
    optimizer = run.optimizer
    return {
        "model": repr(run.model), "activation": getattr(run.model, "activation", None),
        "loss": run.loss_name, "loss_settings": _loss_settings(run.loss_fn),
        "optimizer": repr(optimizer),
        "optimizer_name": type(optimizer).__name__, "lr": optimizer.param_groups[0]["lr"],
        "batch_size": run.batch_size, "shuffle": run.shuffle, "seed": seed,
        "n_samples": len(run.X), "n_features": run.X.shape[1], "dtype": str(run.X.dtype),
        "data": "DataLoader" if run.loader is not None else "arrays",
        "sampler": _sampler_name(run.loader),
        "clip_grad_norm": run.clip_grad_norm,
        "monitor_every": run.monitor.every if run.monitor is not None else None,
        "ends_in_softmax": isinstance(list(run.model.modules())[-1], nn.Softmax),
        "callbacks": [type(callback).__name__ for callback in run.callbacks],
        "callback_settings": [callback.settings() for callback in run.callbacks],
        "optimizer_groups": [_group_settings(group) for group in optimizer.param_groups],
        "scheduler": _scheduler_settings(run.scheduler),
        "data_fingerprint": checkpoints.fingerprint(run.X, run.y), "versions": versions}


def _plain(value) -> bool:
    """Whether ``value`` is a setting History.config can keep as it is (JSON): a number,
    a string, a flag, None, or a tuple or list of them."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _group_settings(group: dict) -> dict:
    """An optimizer group's settings, its rate as first given (``initial_lr``, which a
    scheduler keeps, else ``lr``): what a resumed run must match, whether its optimizer
    is new or the one the interrupted run left (its ``lr`` scheduled on)."""
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in group.items()
                if k not in ("params", "lr", "initial_lr") and _plain(v)}
    settings["lr"] = group.get("initial_lr", group["lr"])
    return settings


def _loss_settings(loss_fn) -> dict:
    """The arguments the loss module was made with (those its constructor names and it
    keeps as attributes: label_smoothing, reduction, a class weight as a list), so that a
    resumed run is checked to use the same loss."""
    settings = {}
    try:
        names = inspect.signature(type(loss_fn).__init__).parameters
    except (TypeError, ValueError):  # (a class whose constructor has no signature)
        return settings
    for name in names:
        value = getattr(loss_fn, name, None)
        if isinstance(value, Tensor):
            value = value.tolist()
        if name != "self" and value is not None and _plain(value):
            settings[name] = value
    return settings


def _scheduler_settings(scheduler):
    """The scheduler's class and the arguments it was made with (those its constructor
    names and it keeps as attributes of those names: not its epoch counters), or None.
    Milestones are a sorted list."""
    if scheduler is None:
        return None
    settings = {"class": type(scheduler).__name__}
    parameters = inspect.signature(type(scheduler).__init__).parameters
    for name in parameters:
        if name in ("self", "optimizer", "last_epoch", "verbose"):
            continue
        value = getattr(scheduler, name, None)
        if isinstance(value, dict):  # MultiStepLR's milestones: a Counter
            value = sorted(value.elements()) if hasattr(value, "elements") else None
        if value is not None and _plain(value):
            settings[name] = list(value) if isinstance(value, tuple) else value
    return settings


def _train(run: Run, first: int, last: int, checkpoint, checkpoint_every: int,
           bar: Progress) -> None:
    """Epochs ``first`` .. ``last``: train, evaluate, record, call back, checkpoint."""
    restore_point = _snapshot(run)
    run.model.train()
    try:
        for epoch in range(first, last + 1):
            try:
                try:
                    record = _epoch(run, epoch)
                except NonFiniteLoss as error:
                    raise _diverged(run, epoch, error, restore_point) from None
                run.history.records.append(record)
                restore_point = _snapshot(run)
                bar.update(record)
                # every callback sees every epoch, even after one asked to stop
                stop = [callback.on_epoch_end(epoch, record, run.model)
                        for callback in run.callbacks]
                if checkpoint is not None and (epoch % checkpoint_every == 0 or epoch == last
                                               or any(stop)):
                    checkpoints.save_checkpoint(checkpoint, run, epoch, any(stop))
            except KeyboardInterrupt as interrupt:  # anywhere in the epoch, its end too
                _interrupted(run, epoch, interrupt, restore_point)
                raise
            if any(stop):
                break
    finally:
        bar.close()


def _epoch(run: Run, epoch: int) -> dict:
    """Train one epoch, evaluate, and return its record."""
    hits = _Hits(run.loss_name)
    lr = run.optimizer.param_groups[0]["lr"]  # (a per-batch schedule: its first step's)
    per_batch = isinstance(run.scheduler, PER_BATCH)

    def on_batch(out, targets):
        hits(out, targets)
        if per_batch:
            run.scheduler.step()

    result = train_epoch(run.model, run.optimizer, run.train_batches(), run.batch_loss,
                         clip_grad_norm=run.clip_grad_norm, on_batch=on_batch,
                         forward=run.captured_forward if run.captured is not None else None)
    record = {"epoch": epoch, "train_loss": result.loss, "train_acc": hits.rate(),
              "val_loss": None, "val_acc": None}
    if run.validation is not None:
        X_val, y_val = run.validation
        val_hits = _Hits(run.loss_name)
        record["val_loss"] = evaluate(run.model, array_batches(X_val, y_val, 1024, False),
                                      run.batch_loss, on_batch=val_hits)
        record["val_acc"] = val_hits.rate()
    record.update(lr=lr, steps=result.steps, seconds=result.seconds)
    record["layers"] = run.monitor.end_epoch()["layers"] if run.monitor is not None else {}
    if isinstance(run.scheduler, optim.lr_scheduler.ReduceLROnPlateau):
        run.scheduler.step(record["val_loss"] if record["val_loss"] is not None
                           else record["train_loss"])
    elif run.scheduler is not None and not per_batch:
        run.scheduler.step()
    return record


# schedules PyTorch steps after every batch, not every epoch
PER_BATCH = (optim.lr_scheduler.OneCycleLR, optim.lr_scheduler.CyclicLR)


class _Hits:
    """Counts correct predictions batch by batch: argmax for class indices, logit > 0
    against target > 0.5 for each of BCE's outputs (so multi-label accuracy is over
    N·C decisions); nothing for regression."""

    def __init__(self, loss_name: str):
        self.loss_name = loss_name
        self.correct = self.count = 0

    def __call__(self, out, truth: np.ndarray) -> None:
        if self.loss_name in CLASS_INDEX_LOSSES:
            self.correct += int(np.count_nonzero(out.array.argmax(axis=1) == truth))
            self.count += len(truth)
        elif self.loss_name == "bce_with_logits":
            self.correct += int(np.count_nonzero((out.array > 0) == (truth > 0.5)))
            self.count += truth.size

    def rate(self):
        return self.correct / self.count if self.count else None


def _snapshot(run: Run) -> tuple:
    """Copies of the parameters, optimizer state and schedule (a per-batch one moves
    within the epoch): where a diverged or interrupted run goes back to."""
    params = run.model._state_copy()
    scheduler = copy.deepcopy(run.scheduler.state_dict()) if run.scheduler is not None else None
    return params, run.optimizer.state_dict(), len(run.history.records), scheduler


def _restore(run: Run, restore_point) -> str:
    """Put the parameters and optimizer state back to ``restore_point`` (``_snapshot``'s),
    with no gradients; returns where that is, for a message."""
    params, optimizer_state, finished, scheduler_state = restore_point
    run.model.load_state_dict(params)
    run.optimizer.load_state_dict(optimizer_state)
    if scheduler_state is not None:  # (a per-batch schedule moved within the epoch)
        run.scheduler.load_state_dict(scheduler_state)
    run.model.zero_grad()
    return (f"the end of epoch {run.history.records[finished - 1]['epoch']}" if finished
            else "their values before training")


def _diverged(run: Run, epoch: int, error: NonFiniteLoss, restore_point) -> FloatingPointError:
    """Name where the first non-finite value appears (the batch is run again under
    anomaly detection, before anything is restored), then restore the last finite
    state, and return the error to raise."""
    finished = restore_point[2]
    stepped = finished > 0 or error.step > 1
    where = _locate_nonfinite(run, error.batch, stepped=stepped)
    back = _restore(run, restore_point)
    advice = ("Try a lower learning rate, clip_grad_norm=1.0, or LayerNorm." if stepped else
              "No update had run yet: check the initial weights and the inputs for NaN, inf "
              "or values too large.")
    diverged = FloatingPointError(
        f"fit: the loss became {error.value} at epoch {epoch}, step {error.step}; the first "
        f"non-finite value: {where}. The parameters, optimizer and schedule are restored to "
        f"{back}. {advice}")
    done = sum(r["steps"] for r in run.history.records[:finished]) + error.step - 1
    run.history.config["diverged"] = {"epoch": epoch, "step": error.step, "loss": error.value,
                                      "where": where, "steps_before": done}
    diverged.history = run.history  # the finished epochs, for whoever catches this
    return diverged


def _interrupted(run: Run, epoch: int, interrupt: KeyboardInterrupt, restore_point) -> None:
    """Ctrl-C during ``epoch``: restore the parameters and optimizer state of the last
    finished epoch (an interrupted step may have updated some parameters and not others),
    so they match the History's last record, and give the interrupt that History."""
    back = _restore(run, restore_point)
    del run.history.records[restore_point[2]:]  # a record the restore point does not hold
    interrupt.history = run.history  # the finished epochs, for whoever catches this
    if hasattr(interrupt, "add_note"):  # (Python >= 3.11)
        interrupt.add_note(
            f"fit: interrupted in epoch {epoch}; the parameters, optimizer and schedule are "
            f"restored to {back}, and this exception's history attribute holds the "
            f"History of the finished epochs (in Jupyter: sys.last_value.history)")


def _locate_nonfinite(run: Run, batch: tuple, stepped: bool) -> str:
    """Run the failing batch again under ``detect_anomaly`` and describe the first op that
    made a NaN or an infinity, with its layer (or the parameter that already held one)."""
    modules = {id(m): (name, m) for name, m in run.model.named_modules()}
    params = {id(p): name for name, p in run.model.named_parameters()}
    try:
        with detect_anomaly():
            out = run.model(from_numpy(batch[0]))
            run.batch_loss(out, batch[1])[0].backward()
    except AnomalyError as anomaly:
        if anomaly.leaf is not None and id(anomaly.leaf) in params:
            cause = "an earlier step's update made it so" if stepped else "before training"
            return f"parameter '{params[id(anomaly.leaf)]}' already holds non-finite values " \
                   f"({cause})"
        if anomaly.module is None or id(anomaly.module) not in modules:
            inside = f" ({type(anomaly.module).__name__})" if anomaly.module is not None else ""
            return f"the {anomaly.op} op of the loss{inside}, in the {anomaly.phase} pass"
        name, module = modules[id(anomaly.module)]
        return (f"layer '{name}' ({type(module).__name__}), its {anomaly.op} op in the "
                f"{anomaly.phase} pass")
    finally:
        run.model.zero_grad()
    return "none found when the batch was run again (the loss itself overflowed)"
