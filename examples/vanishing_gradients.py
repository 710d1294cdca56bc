"""Vanishing gradients in deep MLPs, measured layer by layer.

Backpropagation multiplies the gradient by W·f'(z) once per layer. When that factor is
below 1 on average, the gradient reaching the first layer shrinks geometrically with
depth. This script measures the ratio

    ‖∂L/∂W₁‖ / ‖∂L/∂W_last‖   (first Linear's weight-gradient norm over the last one's)

three ways:

  1. at initialisation, for sigmoid and tanh at depths 2 to 40, with PyTorch's default
     Linear init, U(±1/√fan_in), and with Xavier's (gain 1 for sigmoid, 5/3 for tanh);
     "per layer" is the (float64) ratio's depth-th root, the average factor one layer applies;
  2. in a 20-layer MLP of each activation (with LayerNorm too), at initialisation
     (``tn.init_report``) and in the first and last epochs of training (the ``History``
     that the ``Monitor`` inside ``tn.fit`` fills), with the test accuracy reached;
  3. whether the first layer learns at all: how far its weights move during training,
     ‖W₁(end) - W₁(start)‖ / ‖W₁(start)‖, next to the last layer's, with Adam and SGD.

    python examples/vanishing_gradients.py                   # ~10 s on 2 cores
    python examples/vanishing_gradients.py --write-results   # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/vanishing_gradients.py   # a few seconds
"""
import numpy as np
from _results import FAST, recording, save  # examples/_results.py

import tinynet as tn

DEPTH, WIDTH = 20, 32  # hidden layers, units per layer
DEPTHS = [2, 10] if FAST else [2, 5, 10, 20, 40]  # the depth sweep at initialisation
EPOCHS = 1 if FAST else 20
N_SAMPLES = 400 if FAST else 1000
LR, SGD_LR, SEED = 1e-3, 0.1, 0
CONFIGS = [  # (activation, norm)
    ("sigmoid", None), ("tanh", None), ("relu", None), ("gelu", None),
    ("relu", "layernorm"), ("gelu", "layernorm"),
]


def build(depth: int, activation: str, norm, init: str, dtype=None):
    tn.manual_seed(SEED)
    return tn.models.MLP(2, [WIDTH] * depth, 2, activation=activation, norm=norm, init=init,
                         dtype=dtype)


def linears(model) -> list:
    return [m for m in model.modules() if isinstance(m, tn.nn.Linear)]


def init_ratio(model, data) -> float:
    """First/last Linear gradient-norm ratio at the current weights (``init_report``)."""
    rows = [r for r in tn.init_report(model, data.X_train, data.y_train)
            if r["kind"] == "Linear"]
    return rows[0]["grad_norm"] / rows[-1]["grad_norm"]


def epoch_ratio(record: dict) -> float:
    """First/last Linear mean gradient-norm ratio in one epoch of a ``History``."""
    norms = [s["grad_norm"] for s in record["layers"].values() if s["kind"] == "Linear"]
    return norms[0] / norms[-1]


def train(model, data, optimizer: str, lr: float) -> dict:
    """Train; return the gradient ratios, the test accuracy and the first and last
    layers' relative weight change."""
    first, last = linears(model)[0], linears(model)[-1]
    start = first.weight.detach().numpy().copy(), last.weight.detach().numpy().copy()
    history = tn.fit(model, data.X_train, data.y_train, optimizer=optimizer, lr=lr,
                     epochs=EPOCHS, batch_size=64, validation_data=(data.X_test, data.y_test),
                     seed=SEED, progress=False)
    moved = [float(np.linalg.norm(layer.weight.detach().numpy() - w0) / np.linalg.norm(w0))
             for layer, w0 in zip((first, last), start)]
    return {"epoch_1": epoch_ratio(history.records[0]),
            "last_epoch": epoch_ratio(history.records[-1]),
            "test_acc": history.records[-1]["val_acc"],
            "first_moved": moved[0], "last_moved": moved[1]}


def depth_sweep(data) -> dict:
    print("\n1. first/last ratio at initialisation vs depth (per layer: its depth-th root), "
          "float32;\n   where float32 underflows to 0, the float64 ratio follows '/'")
    print(f"{'activation':<9} {'init':<8}" + "".join(f"{'depth ' + str(d):>19}" for d in DEPTHS))
    sweep = {}
    for activation in ("sigmoid", "tanh"):
        for init in ("pytorch", "xavier"):
            cells = sweep.setdefault(activation, {})[init] = {}
            line = f"{activation:<9} {init:<8}"
            for depth in DEPTHS:
                ratio = init_ratio(build(depth, activation, None, init), data)
                exact = init_ratio(build(depth, activation, None, init, tn.float64), data)
                cells[str(depth)] = {"ratio": ratio, "ratio_float64": exact,
                                     "per_layer": exact ** (1 / depth)}
                line += (f"{ratio:>10.1e} ({exact ** (1 / depth):.2f})" if ratio else
                         f"{'0 / ' + format(exact, '.0e'):>10} ({exact ** (1 / depth):.2f})")
            print(line)
    return sweep


def deep_stacks(data) -> dict:
    print(f"\n2. {DEPTH} hidden layers, Adam lr {LR:g}, {EPOCHS} epochs: the ratio at "
          "init, in epoch 1 and in the last epoch;\n   how far the first and last "
          "layers' weights moved (‖ΔW‖/‖W‖)")
    print(f"{'activation':<16} {'init':<8} {'at init':>9} {'per layer':>9} {'epoch 1':>9} "
          f"{'last ep.':>9} {'W1 moved':>9} {'Wlast mvd':>9} {'test acc':>8}")
    table = {}
    for activation, norm in CONFIGS:
        # under LayerNorm 'auto' is PyTorch's init; compare it with Kaiming's instead
        for init in ("pytorch", "auto" if norm is None else "kaiming"):
            model = build(DEPTH, activation, norm, init)
            row = {"at_init": init_ratio(model, data)}
            row["per_layer"] = row["at_init"] ** (1 / DEPTH)
            row.update(train(model, data, "adam", LR))
            name = activation + ("+layernorm" if norm else "")
            table.setdefault(name, {})[init] = row
            print(f"{name:<16} {init:<8} {row['at_init']:>9.1e} {row['per_layer']:>9.2f} "
                  f"{row['epoch_1']:>9.1e} {row['last_epoch']:>9.1e} "
                  f"{row['first_moved']:>9.1e} {row['last_moved']:>9.1e} "
                  f"{row['test_acc']:>8.3f}")
    return table


def first_layer_sgd(data) -> dict:
    print(f"\n3. the same {DEPTH}-layer sigmoid and tanh stacks with plain SGD, lr {SGD_LR:g}: "
          "does the first layer move?")
    print(f"{'activation':<9} {'init':<8} {'W1 moved':>9} {'Wlast mvd':>9} {'test acc':>8}")
    table = {}
    for activation in ("sigmoid", "tanh"):
        for init in ("pytorch", "xavier"):
            row = train(build(DEPTH, activation, None, init), data, "sgd", SGD_LR)
            table.setdefault(activation, {})[init] = row
            print(f"{activation:<9} {init:<8} {row['first_moved']:>9.1e} "
                  f"{row['last_moved']:>9.1e} {row['test_acc']:>8.3f}")
    return table


def main() -> None:
    data = tn.data.load_dataset("moons", seed=SEED, n_samples=N_SAMPLES)
    with recording() as printed:
        print(f"make_moons ({N_SAMPLES} samples), MLPs 2 -> depth x {WIDTH} -> 2, "
              f"batch 64, seed {SEED}")
        results = {"depth_sweep": depth_sweep(data), "depth_20": deep_stacks(data),
                   "sgd": first_layer_sgd(data)}
    save("vanishing_gradients",
         {"dataset": "moons", "n_samples": N_SAMPLES, "width": WIDTH, "depths": DEPTHS,
          "depth": DEPTH, "epochs": EPOCHS, "batch_size": 64, "adam_lr": LR,
          "sgd_lr": SGD_LR, "seed": SEED}, results, printed.text())


if __name__ == "__main__":
    main()
