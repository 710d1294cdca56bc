"""The digits comparison of benchmarks/end_to_end.py written in PyTorch eager and with
scikit-learn's MLPClassifier: the same runs as tinynet's ``compare_activations``, as a
plain loop (see end_to_end.py's docstring for what is the same and what differs)."""
import math
import time
import warnings

import numpy as np

from tinynet import nn
from tinynet.data import batches, load_dataset
from tinynet.models import MLP, make_activation

SKLEARN_ACTIVATIONS = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}
EVAL_BATCH = 1024  # fit's evaluation batch size
# (cfg: end_to_end.Config, a comparison's settings)


# ---- PyTorch eager: the same runs as a plain loop -----------------------------------------
def import_torch():
    """PyTorch, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_activation(name: str):
    """PyTorch's module for a tinynet activation, with tinynet's parameters (slope,
    alpha, approximation): the class names are the same."""
    import torch

    ours = make_activation(name)
    options = {key: getattr(ours, key) for key in ("negative_slope", "alpha", "approximate")
               if hasattr(ours, key)}
    return getattr(torch.nn, type(ours).__name__)(**options)


def torch_mlp(n_features: int, hidden: list, n_classes: int, activation: str):
    """The MLP of tinynet.models.MLP (norm None) in PyTorch: Linear → activation per
    hidden layer, then a Linear to the logits."""
    import torch

    layers, width = [], n_features
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch_activation(activation)]
        width = h
    layers.append(torch.nn.Linear(width, n_classes))
    return torch.nn.Sequential(*layers)


def copy_initial_weights(net, model) -> None:
    """tinynet's initial weights and biases into the PyTorch net, Linear by Linear."""
    import torch

    ours = [m for m in model.modules() if isinstance(m, nn.Linear)]
    theirs = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert len(ours) == len(theirs), "the two MLPs have different depths"
    with torch.no_grad():
        for a, b in zip(ours, theirs):
            assert tuple(b.weight.shape) == a.weight.shape, "the two MLPs differ in shape"
            b.weight.copy_(torch.from_numpy(a.weight.array))
            b.bias.copy_(torch.from_numpy(a.bias.array))


def torch_epoch(net, optimizer, loss_fn, X, y, order) -> tuple:
    """One training epoch over minibatch index arrays ``order``: (mean loss, accuracy
    from the steps' outputs), as fit records them; the loss is NaN if it stopped being
    finite (then training stops, as fit's does)."""
    import torch

    net.train()
    total = correct = 0.0
    for idx in order:
        idx = torch.from_numpy(idx)
        xb, yb = X[idx], y[idx]
        optimizer.zero_grad()
        out = net(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        value = loss.item()
        if not math.isfinite(value):
            return math.nan, math.nan
        optimizer.step()
        total += value * len(idx)
        correct += (out.argmax(dim=1) == yb).sum().item()
    return total / len(X), correct / len(X)


def torch_evaluate(net, loss_fn, X, y) -> tuple:
    """(mean loss, accuracy) on (X, y) in eval mode without a graph, in fit's batches."""
    import torch

    net.eval()
    total = correct = 0.0
    with torch.no_grad():
        for start in range(0, len(X), EVAL_BATCH):
            xb, yb = X[start:start + EVAL_BATCH], y[start:start + EVAL_BATCH]
            out = net(xb)
            total += loss_fn(out, yb).item() * len(xb)
            correct += (out.argmax(dim=1) == yb).sum().item()
    return total / len(X), correct / len(X)


def torch_run(cfg, activation: str, seed: int) -> dict:
    """One run of run_one's experiment in PyTorch eager: data, model with tinynet's
    initial weights, fit's epochs and evaluations, the final test accuracy."""
    import torch

    start = time.perf_counter()
    data = load_dataset(cfg.dataset, seed=seed)
    hidden = [cfg.width] * cfg.depth
    net = torch_mlp(data.n_features, hidden, data.n_classes, activation)
    copy_initial_weights(net, MLP(data.n_features, hidden, data.n_classes,
                                  activation=activation, generator=np.random.default_rng(seed)))
    optimizer = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    X_test, y_test = torch.from_numpy(data.X_test), torch.from_numpy(data.y_test)
    rng = np.random.default_rng(seed)  # fit's shuffling generator
    reached = None
    for epoch in range(1, cfg.epochs + 1):
        loss, _ = torch_epoch(net, optimizer, loss_fn, X, y, batches(len(X), cfg.batch_size,
                                                                     rng=rng))
        if math.isnan(loss):
            break
        _, val_acc = torch_evaluate(net, loss_fn, X_test, y_test)
        reached = reached or (epoch if val_acc >= cfg.target else None)
    test_acc = torch_evaluate(net, loss_fn, X_test, y_test)[1]
    return {"activation": activation, "seed": seed, "test_acc": test_acc,
            "epochs_to_target": reached, "seconds": time.perf_counter() - start,
            "parameters": sum(p.numel() for p in net.parameters())}


# ---- scikit-learn's MLPClassifier ---------------------------------------------------------
def sklearn_run(cfg, activation: str, seed: int) -> dict:
    """One run with MLPClassifier: the same data, hidden sizes, batch size, Adam and lr,
    ``epochs`` passes (nothing stops it early), no L2; the final test accuracy."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    start = time.perf_counter()
    data = load_dataset(cfg.dataset, seed=seed)
    clf = MLPClassifier(hidden_layer_sizes=(cfg.width,) * cfg.depth,
                        activation=SKLEARN_ACTIVATIONS[activation], solver="adam", alpha=0.0,
                        batch_size=cfg.batch_size, learning_rate_init=cfg.lr,
                        max_iter=cfg.epochs, shuffle=True, random_state=seed,
                        early_stopping=False, n_iter_no_change=cfg.epochs + 1)
    with warnings.catch_warnings():  # reaching max_iter is the plan, not a warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    test_acc = float(clf.score(data.X_test, data.y_test))
    return {"activation": activation, "seed": seed, "test_acc": test_acc,
            "seconds": time.perf_counter() - start,
            "parameters": sum(w.size for w in clf.coefs_ + clf.intercepts_)}


def library_rows(library: str, runs: list) -> dict:
    """{activation: row} from one library's runs: seconds summed over seeds, mean test
    accuracy, runs, parameters."""
    rows = {}
    for run in runs:
        row = rows.setdefault(run["activation"], {
            "library": library, "activation": run["activation"], "runs": 0, "seconds": 0.0,
            "test_acc_mean": 0.0, "parameters": run["parameters"]})
        row["runs"] += 1
        row["seconds"] += run["seconds"]
        row["test_acc_mean"] += run["test_acc"]
    for row in rows.values():
        row["test_acc_mean"] /= row["runs"]
    return rows


def sequential_runs(run, cfg, activations) -> list:
    """``run(cfg, activation, seed)`` for every activation and seed, one after another."""
    return [run(cfg, a, seed) for a in activations for seed in range(cfg.seeds)]
