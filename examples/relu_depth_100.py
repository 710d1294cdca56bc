"""ReLU through 100 layers, and how much faster ReLU trains than sigmoid and tanh.

ReLU's derivative is exactly 1 for z > 0, but backpropagation multiplies the gradient by
Wᵀ as well as by f'(z) at every layer, and f'(z) is 0 for about half the units. So
whether a gradient survives 100 ReLU layers depends on the weights' scale: Kaiming's
init (variance 2/fan_in) makes the expected factor per layer 1; PyTorch's default
Linear init, U(±1/√fan_in), has a sixth of that variance. This script measures:

  1. the first/last Linear gradient-norm ratio of a 100 x 32 ReLU MLP at
     initialisation, over several seeds, with both inits (sigmoid, Xavier, for scale);
  2. whether that net trains on make_moons (Adam and SGD, several seeds);
  3. what "faster" can mean: on digits, the epochs each activation needs to first
     reach 80% and 90% test accuracy (and the seconds to 90%), ReLU vs sigmoid and
     tanh, at depths 4 and 8, with Adam and with SGD; the same seeds, the same batches.

    python examples/relu_depth_100.py                   # ~1 min on 2 cores
    python examples/relu_depth_100.py --write-results   # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/relu_depth_100.py   # a few seconds
"""
import numpy as np
from _results import FAST, mean_std, recording, save  # examples/_results.py

import tinynet as tn

DEPTH, WIDTH = (30, 32) if FAST else (100, 32)
INIT_SEEDS = [0, 1] if FAST else [0, 1, 2, 3, 4]
TRAIN_SEEDS = [0] if FAST else [0, 1, 2]
DEEP_EPOCHS = 2 if FAST else 20
DEEP_RUNS = [("adam", 1e-3), ("sgd", 0.01)]
SPEED_DEPTHS = [4] if FAST else [4, 8]
SPEED_EPOCHS = 3 if FAST else 30
SPEED_RUNS = [("adam", 1e-3), ("sgd", 0.1)]
TARGETS = [0.8, 0.9]  # test accuracy targets


def build(data, depth: int, width: int, activation: str, init: str, seed: int):
    tn.manual_seed(seed)
    return tn.models.MLP(data.n_features, [width] * depth, data.n_classes,
                         activation=activation, init=init)


def init_ratio(model, data) -> float:
    rows = [r for r in tn.init_report(model, data.X_train, data.y_train)
            if r["kind"] == "Linear"]
    return rows[0]["grad_norm"] / rows[-1]["grad_norm"]


def fit(model, data, optimizer: str, lr: float, epochs: int, seed: int):
    return tn.fit(model, data.X_train, data.y_train, optimizer=optimizer, lr=lr,
                  epochs=epochs, batch_size=64, validation_data=(data.X_test, data.y_test),
                  seed=seed, monitor=False, progress=False)


def at_init(moons) -> dict:
    print(f"1. {DEPTH} x {WIDTH} MLP on make_moons: first/last Linear gradient-norm ratio "
          f"at initialisation, seeds {INIT_SEEDS}\n   (per layer: the ratio's "
          f"{DEPTH}th root; geometric mean over seeds)")
    print(f"{'activation':<8} {'init':<8} {'geo mean':>9} {'per layer':>9}  per seed")
    table = {}
    for activation, init in [("relu", "pytorch"), ("relu", "kaiming"), ("sigmoid", "xavier")]:
        # float64: a float32 gradient this small would underflow to 0
        ratios = []
        for seed in INIT_SEEDS:
            tn.manual_seed(seed)
            model = tn.models.MLP(2, [WIDTH] * DEPTH, 2, activation=activation, init=init,
                                  dtype=tn.float64)
            ratios.append(init_ratio(model, moons))
        geo = float(np.exp(np.mean(np.log(ratios))))
        table.setdefault(activation, {})[init] = {
            "ratios": ratios, "geo_mean": geo, "per_layer": geo ** (1 / DEPTH),
            "min": min(ratios), "max": max(ratios)}
        print(f"{activation:<8} {init:<8} {geo:>9.1e} {geo ** (1 / DEPTH):>9.3f}  "
              + " ".join(f"{r:.0e}" for r in ratios))
    return table


def deep_training(moons) -> dict:
    print(f"\n2. does the {DEPTH}-layer ReLU MLP train? make_moons, {DEEP_EPOCHS} epochs, "
          f"test accuracy per seed {TRAIN_SEEDS}")
    print(f"{'init':<8} {'optimizer':<10} {'test acc (mean)':>15}  per seed")
    table = {}
    for init in ("pytorch", "kaiming"):
        for optimizer, lr in DEEP_RUNS:
            accs = [fit(build(moons, DEPTH, WIDTH, "relu", init, seed), moons, optimizer, lr,
                        DEEP_EPOCHS, seed).records[-1]["val_acc"] for seed in TRAIN_SEEDS]
            table.setdefault(init, {})[f"{optimizer}_{lr:g}"] = mean_std(accs)
            print(f"{init:<8} {optimizer + ' ' + format(lr, 'g'):<10} {np.mean(accs):>15.3f}  "
                  + " ".join(f"{a:.3f}" for a in accs))
    return table


def first_epoch(history, target: float):
    """The first epoch (from 1) whose test accuracy reached ``target``, or None."""
    return next((i + 1 for i, r in enumerate(history.records) if r["val_acc"] >= target),
                None)


def speed(digits) -> dict:
    print(f"\n3. digits, width 64, {SPEED_EPOCHS} epochs, batch 64, seeds {TRAIN_SEEDS}: "
          "epochs to first reach each test accuracy target\n   (mean over seeds; 'never' if "
          "a seed did not), seconds of training to the higher one; x relu: that many times "
          "ReLU's")
    print(f"{'depth':>5} {'optimizer':<10} {'activation':<8}"
          + "".join(f"{'to ' + format(t, '.0%'):>7} {'x relu':>7}" for t in TARGETS)
          + f" {'seconds':>8} {'x relu':>7} {'final acc':>9}")
    table = {}
    for depth in SPEED_DEPTHS:
        for optimizer, lr in SPEED_RUNS:
            cell = table.setdefault(f"depth_{depth}", {}).setdefault(f"{optimizer}_{lr:g}", {})
            for activation in ("relu", "tanh", "sigmoid"):
                histories = [fit(build(digits, depth, 64, activation, "auto", seed), digits,
                                 optimizer, lr, SPEED_EPOCHS, seed) for seed in TRAIN_SEEDS]
                row = {"final_acc": mean_std([h.records[-1]["val_acc"] for h in histories])}
                for target in TARGETS:
                    reached = [first_epoch(h, target) for h in histories]
                    key = f"to_{target:.0%}"
                    row[f"{key}_per_seed"] = reached
                    row[key] = None if None in reached else float(np.mean(reached))
                    if target == TARGETS[-1]:
                        row["seconds"] = None if None in reached else float(np.mean(
                            [sum(h["seconds"][:e]) for h, e in zip(histories, reached)]))
                relu = cell.get("relu", row)
                for key in [f"to_{t:.0%}" for t in TARGETS] + ["seconds"]:
                    row[f"{key}_vs_relu"] = (row[key] / relu[key]
                                             if row[key] is not None and relu[key] else None)
                cell[activation] = row

                def show(key, spec, row=row):
                    if row[key] is None:
                        return "-" if key.endswith("relu") else "never"
                    return format(row[key], spec)
                print(f"{depth:>5} {optimizer + ' ' + format(lr, 'g'):<10} {activation:<8}"
                      + "".join(f"{show(f'to_{t:.0%}', '.1f'):>7} "
                                f"{show(f'to_{t:.0%}_vs_relu', '.1f'):>7}" for t in TARGETS)
                      + f" {show('seconds', '.3f'):>8} {show('seconds_vs_relu', '.1f'):>7} "
                      f"{row['final_acc']['mean']:>9.3f}")
    return table


def main() -> None:
    moons = tn.data.load_dataset("moons", seed=0)
    digits = tn.data.load_dataset("digits", seed=0)
    with recording() as printed:
        results = {"at_init": at_init(moons), "training": deep_training(moons),
                   "speed": speed(digits)}
    save("relu_depth_100", {"depth": DEPTH, "width": WIDTH, "init_seeds": INIT_SEEDS,
                            "train_seeds": TRAIN_SEEDS, "deep_epochs": DEEP_EPOCHS,
                            "deep_runs": DEEP_RUNS, "speed_depths": SPEED_DEPTHS,
                            "speed_epochs": SPEED_EPOCHS, "speed_runs": SPEED_RUNS,
                            "speed_width": 64, "batch_size": 64, "targets": TARGETS,
                            "datasets": {"deep": "moons", "speed": "digits"}},
         results, printed.text())


if __name__ == "__main__":
    main()
