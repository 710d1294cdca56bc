"""Recorded training runs, in ``task_tests/runs/`` (run ``python -m tinynet.exercises.runs``
to record them again): the three task 11 diagnoses, and notebook 6's three, which a
student whose tinynet cannot train yet (tasks 1, 5, 6, 8 and 9) reads instead."""
from pathlib import Path

import numpy as np

import tinynet as tn
import tinynet.nn.functional as F

RUNS = Path(__file__).resolve().parent / "task_tests" / "runs"


def load(name: str):
    """The recorded run ``name`` (a file name in ``task_tests/runs/``) as a History.

    Example:
        >>> from tinynet.exercises import runs
        >>> runs.load("notebook_relu_lr0.1").layer_metric("dead_rate")["5"][-1] > 0.25
        True
    """
    return tn.History.from_json(RUNS / f"{name}.json")


def _fit(model, epochs: int):
    data = tn.data.load_dataset("moons", seed=0, n_samples=300)
    return tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=epochs, seed=0,
                  progress=False, monitor=1)


def record(directory=RUNS) -> dict:
    """Train the six runs and write their Histories as JSON; returns them by name."""
    seed = np.random.default_rng
    deep_sigmoid = tn.models.MLP(2, [32] * 12, 2, activation="sigmoid", init="pytorch",
                                 generator=seed(0))
    dead_relu = tn.models.MLP(2, [16, 16, 16], 2, activation="relu", generator=seed(0))
    with tn.no_grad():
        dead_relu[2].bias.fill_(-50.0)  # the second ReLU (layer "3"): every unit off, for good
    healthy = tn.models.MLP(2, [32, 32], 2, activation="gelu", generator=seed(0))
    runs = {"deep_sigmoid": _fit(deep_sigmoid, 3), "dead_relu": _fit(dead_relu, 3),
            "healthy": _fit(healthy, 3), **notebook_runs()}
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, history in runs.items():
        for record in history.records:
            record["seconds"] = 0.0  # wall time: not part of what is diagnosed
        if history.config:
            history.config["versions"] = {}
        history.to_json(directory / f"{name}.json")
    return runs


def notebook_runs() -> dict:
    """Notebook 6's runs, trained as its cells train them (keep the two alike)."""
    data = tn.data.load_dataset("moons", seed=0)
    deep = tn.models.MLP(2, [32] * 10, 2, activation="sigmoid", init="pytorch",
                         generator=np.random.default_rng(0))
    sigmoid_history = tn.fit(deep, data.X_train, data.y_train, lr=1e-3, epochs=3, seed=0,
                             progress=False)
    healthy = tn.models.MLP(2, [32] * 4, 2, activation="relu",
                            generator=np.random.default_rng(0))
    healthy_history = tn.fit(healthy, data.X_train, data.y_train, lr=1e-2, epochs=3, seed=0,
                             progress=False)
    return {"notebook_deep_sigmoid": sigmoid_history, "notebook_relu_lr0.1": _dying(data),
            "notebook_relu_lr0.01": healthy_history}


def _dying(data):
    """Notebook 6's loop by hand: a ReLU net at lr 0.1, watched by a Monitor every step."""
    model = tn.models.MLP(2, [32] * 4, 2, activation="relu", generator=np.random.default_rng(0))
    optimizer = tn.optim.Adam(model.parameters(), lr=0.1)
    X, y = tn.tensor(data.X_train), tn.tensor(data.y_train)
    rng = np.random.default_rng(0)
    records = []
    with tn.diagnostics.Monitor(model, every=1) as monitor:
        for epoch in range(3):
            losses, correct = [], 0
            for idx in tn.data.batches(len(X), 32, rng=rng):
                optimizer.zero_grad()
                logits = model(X[idx])
                loss = F.cross_entropy(logits, y[idx])
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                correct += int((logits.argmax(axis=1).numpy() == data.y_train[idx]).sum())
            records.append({**monitor.end_epoch(), "train_loss": float(np.mean(losses)),
                            "train_acc": correct / len(X), "val_loss": None, "val_acc": None})
    return tn.History(records)


if __name__ == "__main__":
    record()
