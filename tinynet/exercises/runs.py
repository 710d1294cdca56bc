"""The training runs task 11 diagnoses, recorded once into ``task_tests/runs/`` (run
``python -m tinynet.exercises.runs`` to record them again)."""
from pathlib import Path

import numpy as np

import tinynet as tn

RUNS = Path(__file__).resolve().parent / "task_tests" / "runs"


def _fit(model, epochs: int):
    data = tn.data.load_dataset("moons", seed=0, n_samples=300)
    return tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=epochs, seed=0,
                  progress=False, monitor=1)


def record(directory=RUNS) -> dict:
    """Train the three runs and write their Histories as JSON; returns them by name."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    seed = np.random.default_rng
    deep_sigmoid = tn.models.MLP(2, [32] * 12, 2, activation="sigmoid", init="pytorch",
                                 generator=seed(0))
    dead_relu = tn.models.MLP(2, [16, 16, 16], 2, activation="relu", generator=seed(0))
    with tn.no_grad():
        dead_relu[2].bias.fill_(-50.0)  # the second ReLU (layer "3"): every unit off, for good
    healthy = tn.models.MLP(2, [32, 32], 2, activation="gelu", generator=seed(0))
    runs = {"deep_sigmoid": _fit(deep_sigmoid, 3), "dead_relu": _fit(dead_relu, 3),
            "healthy": _fit(healthy, 3)}
    for name, history in runs.items():
        for record in history.records:
            record["seconds"] = 0.0  # wall time: not part of what is diagnosed
        history.config["versions"] = {}
        history.to_json(directory / f"{name}.json")
    return runs


if __name__ == "__main__":
    record()
