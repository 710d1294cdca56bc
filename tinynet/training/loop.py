"""``fit``: train a model on arrays with minibatches, a progress bar and diagnostics."""
import math
import numbers
import platform
import sys
import time
import warnings

import numpy as np

from tinynet import nn, optim
from tinynet.autograd.grad_mode import no_grad
from tinynet.data import batches
from tinynet.diagnostics import Monitor
from tinynet.tensor import Tensor
from tinynet.tensor import as_array as _array
from tinynet.training.callbacks import Callback
from tinynet.training.history import History

LOSSES = {"cross_entropy": nn.CrossEntropyLoss, "bce_with_logits": nn.BCEWithLogitsLoss,
          "mse": nn.MSELoss}
OPTIMIZERS = {"adam": optim.Adam, "adamw": optim.AdamW, "sgd": optim.SGD}


CLASS_INDEX_LOSSES = ("cross_entropy", "nll")


def _targets(y: np.ndarray, loss_name: str, dtype) -> np.ndarray:
    if loss_name in CLASS_INDEX_LOSSES:
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise ValueError("cross_entropy needs integer class labels in y")
        return y.astype(np.int64)
    y = y.astype(dtype)
    return y[:, None] if y.ndim == 1 else y


def _accuracy(output: np.ndarray, y: np.ndarray, loss_name: str):
    """Number of correct predictions, or None for regression."""
    if loss_name in CLASS_INDEX_LOSSES:
        return int(np.count_nonzero(output.argmax(axis=1) == y))
    if loss_name == "bce_with_logits":
        return int(np.count_nonzero((output > 0) == (y > 0.5)))
    return None


def _evaluate(model, loss_fn, X, y, loss_name, batch_size=1024):
    """Mean loss and accuracy on (X, y) in eval mode without building a graph."""
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    with no_grad():
        for idx in batches(len(X), batch_size, shuffle=False):
            out = model(Tensor._wrap(X[idx], False, None))
            total += loss_fn(out, Tensor._wrap(y[idx], False, None)).item() * len(idx)
            hits = _accuracy(out.data, y[idx], loss_name)
            correct = None if hits is None else correct + hits
    model.train(was_training)
    return total / len(X), (None if correct is None else correct / len(X))


def _first_nonfinite_layer(model) -> str:
    """The first module, in definition order, holding a parameter with a non-finite grad."""
    for name, module in model.named_modules():
        for p in module.parameters(recurse=False):
            if p.grad is not None and not np.isfinite(p.grad.data).all():
                return f"'{name}' ({module!r})"
    return "none (every gradient is finite)"


def _versions() -> dict:
    import sklearn

    import tinynet
    return {"tinynet": tinynet.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "python": platform.python_version()}


def fit(model, X, y, *, loss="cross_entropy", optimizer=None, lr: float = 1e-3,
        epochs: int = 10, batch_size: int = 32, validation_data=None, shuffle: bool = True,
        seed: int = None, monitor=True, progress: bool = True, callbacks=()):
    """Train ``model`` on (X, y) with minibatches and return a ``History``.

    Args:
        model: a ``tinynet.nn.Module`` mapping (N, D) inputs to (N, C) outputs.
        X: inputs, array-like (N, D); cast to the model's dtype.
        y: targets (N,): class indices for cross-entropy, else values.
        loss: 'cross_entropy' (default), 'bce_with_logits', 'mse', or a loss module.
        optimizer: an Optimizer over ``model.parameters()``, or 'adam' (the default
            when None), 'adamw' or 'sgd' built with ``lr``.
        lr: learning rate when ``optimizer`` is not an Optimizer (default 1e-3).
        epochs: passes over the data (default 10); batch_size: default 32.
        validation_data: optional (X_val, y_val), evaluated after every epoch.
        shuffle: reshuffle every epoch (default True), with ``seed``.
        seed: seeds the shuffling (``None``: fresh randomness each run).
        monitor: record per-layer diagnostics: True (default; ``Monitor(model)``, which
            samples every 4th step), False, or an int k for ``Monitor(model, every=k)``
            (1: every step, exact).
        progress: show a tqdm progress bar (only when stderr is a terminal).
        callbacks: ``Callback`` objects, e.g. ``EarlyStopping`` (or just one).

    Returns:
        History with one record per epoch.

    Raises:
        FloatingPointError: the loss became non-finite; the message names the epoch,
            the step and the first layer whose gradient is non-finite.

    Example:
        >>> import tinynet as tn
        >>> data = tn.data.load_dataset("moons", seed=0)
        >>> model = tn.models.MLP(2, [16, 16], 2, activation="gelu")
        >>> history = tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=20,
        ...                  seed=0, progress=False)
        >>> history.records[-1]["train_acc"] > 0.9
        True
    """
    params = list(model.parameters())
    if not params:
        raise ValueError("fit: the model has no parameters to train")
    dtype = params[0].dtype
    loss_name = loss if isinstance(loss, str) else type(loss).__name__
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass "
                             f"a loss module")
        loss_fn = LOSSES[loss]()
    else:
        loss_fn = loss
        if isinstance(loss, nn.CrossEntropyLoss):
            loss_name = "cross_entropy"
        elif isinstance(loss, nn.NLLLoss):
            loss_name = "nll"
        elif isinstance(loss, nn.BCEWithLogitsLoss):
            loss_name = "bce_with_logits"
    if isinstance(optimizer, str) or optimizer is None:
        name = optimizer or "adam"
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
            raise ValueError(f"fit: lr must be a positive number, got {lr!r}")
        optimizer = OPTIMIZERS[name](params, lr=lr)
    elif not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer instance or one of "
                        f"{sorted(OPTIMIZERS)}, got {optimizer!r}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"fit: {name} must be a positive integer, got {value!r}")
    X = _array(X).astype(dtype, copy=False)
    y = _targets(_array(y), loss_name, dtype)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"fit: X must be (N, D) and y (N,), got X {X.shape} and y {y.shape}")
    if len(X) == 0:
        raise ValueError("fit: X and y are empty (0 samples); nothing to train on")
    if not np.isfinite(X).all():
        raise ValueError("fit: X contains NaN or infinite values")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (X_val, y_val)")
        X_val = _array(validation_data[0]).astype(dtype, copy=False)
        y_val = _targets(_array(validation_data[1]), loss_name, dtype)
        if X_val.ndim != 2 or X_val.shape[1] != X.shape[1] or len(X_val) != len(y_val):
            raise ValueError(f"fit: validation_data must be (N_val, {X.shape[1]}) inputs and "
                             f"(N_val,) targets like X and y, got {X_val.shape} and "
                             f"{y_val.shape}")
    modules = list(model.modules())
    if loss_name == "cross_entropy" and isinstance(modules[-1], nn.Softmax):
        loss_fn._input_checked = True  # one warning for one mistake: the loss stays quiet
        warnings.warn("the model ends in Softmax but the loss is cross-entropy, which applies "
                      "log-softmax itself: this double softmax squashes the gradients and "
                      "slows learning. Remove the final Softmax (apply it only to read "
                      "probabilities).", UserWarning, stacklevel=2)

    callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks)
    rng = np.random.default_rng(seed)
    if monitor is True or monitor is False:
        watcher = Monitor(model) if monitor else None
    else:
        watcher = Monitor(model, every=monitor)  # validates the int
    history = History(config={
        "model": repr(model), "loss": loss_name, "optimizer": repr(optimizer),
        "lr": optimizer.param_groups[0]["lr"], "epochs": epochs, "batch_size": batch_size,
        "shuffle": shuffle, "seed": seed, "n_samples": len(X), "dtype": str(dtype),
        "versions": _versions()})
    for callback in callbacks:
        callback.on_train_begin(model)
    bar = _progress_bar(epochs, progress)
    model.train()
    try:
        for epoch in range(1, epochs + 1):
            start, total, correct, step = time.perf_counter(), 0.0, 0, 0
            for step, idx in enumerate(batches(len(X), batch_size, shuffle, rng), start=1):
                xb, yb = Tensor._wrap(X[idx], False, None), Tensor._wrap(y[idx], False, None)
                optimizer.zero_grad()
                out = model(xb)
                batch_loss = loss_fn(out, yb)
                batch_loss.backward()
                value = batch_loss.item()
                if not math.isfinite(value):
                    raise FloatingPointError(
                        f"non-finite loss ({value}) at epoch {epoch}, step {step}; first layer "
                        f"with a non-finite gradient: {_first_nonfinite_layer(model)}. Try a "
                        f"lower learning rate or LayerNorm.")
                optimizer.step()
                total += value * len(idx)
                hits = _accuracy(out.data, y[idx], loss_name)
                correct = None if hits is None else correct + hits
            train_seconds = time.perf_counter() - start
            record = {"epoch": epoch, "train_loss": total / len(X),
                      "train_acc": None if correct is None else correct / len(X),
                      "val_loss": None, "val_acc": None}
            if validation_data is not None:
                record["val_loss"], record["val_acc"] = _evaluate(model, loss_fn, X_val, y_val,
                                                                  loss_name)
            record.update(lr=optimizer.param_groups[0]["lr"], steps=step, seconds=train_seconds)
            record["layers"] = watcher.end_epoch()["layers"] if watcher else {}
            history.records.append(record)
            bar.update(1)
            bar.set_postfix({k: f"{record[k]:.3f}" for k in
                             ("train_loss", "train_acc", "val_acc") if record[k] is not None})
            if any([callback.on_epoch_end(epoch, record, model) for callback in callbacks]):
                break
    finally:
        bar.close()
        if watcher:
            watcher.detach()
    for callback in callbacks:
        callback.on_train_end(model)
    return history


def _progress_bar(epochs: int, progress: bool):
    from tqdm.auto import tqdm

    quiet = not progress or not sys.stderr.isatty()
    return tqdm(total=epochs, desc="fit", unit="epoch", disable=quiet, leave=False)
