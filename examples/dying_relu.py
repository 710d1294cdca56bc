"""Dying ReLU: a high learning rate kills ReLU units; LeakyReLU, ELU and GELU keep theirs.

A ReLU unit whose pre-activation z = w·x + b is negative for every input has derivative
exactly 0 everywhere, so no gradient reaches w or b through it. One large step that
pushes b far below zero is enough. LeakyReLU (slope 0.01 for z < 0), ELU (derivative
αeᶻ > 0) and GELU (Φ(z) + zφ(z), nonzero for moderate z < 0) always let some gradient
through.

The model is trained with a hand-written PyTorch-style loop; a ``Monitor(every=1)``
attached to it records, per activation layer and epoch, which units were dead: their
derivative was exactly 0 on every training sample of that epoch. From those per-epoch
sets the script counts the units that died at some epoch and were alive again at a
later one (a unit's input can change when the layers below it learn, and Adam's
momentum keeps moving a unit's weights for a while after its gradient stops). It also
records the mean output of each activation in the trained net, and the share of dead
units at initialisation (``tn.init_report``).

    python examples/dying_relu.py                   # ~15 s on 2 cores
    python examples/dying_relu.py --write-results   # also docs/results/dying_relu.json
    TINYNET_EXAMPLE_FAST=1 python examples/dying_relu.py   # a few seconds
"""
import numpy as np
from _results import FAST, mean_std, recording, save  # examples/_results.py

import tinynet as tn

DEPTH, WIDTH, BATCH = 4, 64, 32
EPOCHS = 3 if FAST else 10
SEEDS = [0] if FAST else [0, 1, 2, 3, 4]
LRS = [1e-3, 1e-1] if FAST else [1e-3, 1e-2, 3e-2, 1e-1]  # Adam's learning rate
RUNS = [("relu", "auto"), ("relu", "pytorch"), ("leaky_relu", "auto"), ("elu", "auto"),
        ("gelu", "auto")]  # (activation, init); 'auto' is Kaiming's init for all four


def train(data, activation: str, init: str, lr: float, seed: int) -> dict:
    """Train one MLP with Adam; return what it measured."""
    tn.manual_seed(seed)
    model = tn.models.MLP(2, [WIDTH] * DEPTH, 2, activation=activation, init=init)
    at_init = [r["dead_rate"] for r in tn.init_report(model, data.X_train, data.y_train)
               if r["kind"] != "Linear"]
    optimizer = tn.optim.Adam(model.parameters(), lr=lr)
    loss_fn = tn.nn.CrossEntropyLoss()
    X, y = tn.tensor(data.X_train), tn.tensor(data.y_train)
    rng = np.random.default_rng(seed)
    with tn.diagnostics.Monitor(model, every=1) as monitor:  # detached again on exit
        for _ in range(EPOCHS):
            for idx in tn.data.batches(len(X), BATCH, rng=rng):
                optimizer.zero_grad()
                loss = loss_fn(model(X[idx]), y[idx])
                loss.backward()
                optimizer.step()
            monitor.end_epoch()  # closes the epoch: dead units per layer, and more
    model.eval()
    with tn.no_grad():
        predicted = model(tn.tensor(data.X_test)).argmax(dim=1).numpy()
    layers = [{name: s for name, s in epoch["layers"].items() if s["kind"] != "Linear"}
              for epoch in monitor.epochs]
    # units dead at some epoch, and of those, alive at a later epoch: all layers, and the
    # first one alone (whose input, the data, never changes)
    died, revived = [0, 0], [0, 0]
    for i, name in enumerate(layers[0]):
        dead = [set(epoch[name]["dead_units"]) for epoch in layers]
        for unit in set().union(*dead):
            first = next(e for e, units in enumerate(dead) if unit in units)
            back = any(unit not in units for units in dead[first + 1:])
            for k in ([0, 1] if i == 0 else [0]):
                died[k] += 1
                revived[k] += back
    last = layers[-1].values()
    return {"dead_rate": float(np.mean([s["dead_rate"] for s in last])),
            "dead_at_init": float(np.mean(at_init)),
            "ever_dead": died[0], "revived": revived[0],
            "ever_dead_first_layer": died[1], "revived_first_layer": revived[1],
            "act_mean": float(np.mean([s["act_mean"] for s in last])),
            "saturation_rate": float(np.mean([s["saturation_rate"] for s in last])),
            "test_acc": float(np.mean(predicted == data.y_test)),
            "last_epoch": layers[-1]}


def main() -> None:
    data = tn.data.load_dataset("moons", seed=0)
    results, worst = {}, None  # worst: (dead rate, label, lr, seed, last epoch's layers)
    with recording() as printed:
        print(f"make_moons, MLP 2 -> {DEPTH} x {WIDTH} -> 2, Adam, {EPOCHS} epochs, batch "
              f"{BATCH}, seeds {SEEDS}; dead: share of units with f' = 0 on every training "
              "sample of the last epoch,\nmean over the hidden layers; revived: units dead "
              "in some epoch and alive in a later one, of all units that were ever dead\n"
              "(in all layers, and in the first layer alone)")
        print(f"{'activation':<11} {'init':<8} {'lr':>6} {'dead (mean)':>11}  "
              f"{'per seed':<20} {'at init':>7} {'revived':>12} {'(layer 1)':>9} "
              f"{'act mean':>8} {'test acc':>8}")
        for lr in LRS:
            for activation, init in RUNS:
                runs = [train(data, activation, init, lr, seed) for seed in SEEDS]
                summary = {key: mean_std([r[key] for r in runs]) for key in
                           ("dead_rate", "dead_at_init", "act_mean", "saturation_rate",
                            "test_acc")}
                for suffix in ("", "_first_layer"):
                    died = summary[f"ever_dead{suffix}"] = sum(r[f"ever_dead{suffix}"]
                                                               for r in runs)
                    back = summary[f"revived{suffix}"] = sum(r[f"revived{suffix}"]
                                                             for r in runs)
                    summary[f"revived_share{suffix}"] = back / died if died else None
                label = activation if init == "auto" else f"{activation}_{init}"
                results.setdefault(f"lr_{lr:g}", {})[label] = summary
                for seed, run in zip(SEEDS, runs):
                    if worst is None or run["dead_rate"] > worst[0]:
                        worst = (run["dead_rate"], label, lr, seed, run["last_epoch"])
                per_seed = " ".join(f"{r['dead_rate']:.0%}" for r in runs)
                came_back = [f"{summary['revived' + k]} of {summary['ever_dead' + k]}"
                             for k in ("", "_first_layer")]
                print(f"{activation:<11} {init:<8} {lr:>6g} "
                      f"{summary['dead_rate']['mean']:>11.1%}  {per_seed:<20} "
                      f"{summary['dead_at_init']['mean']:>7.1%} "
                      f"{came_back[0]:>12} {came_back[1]:>9} "
                      f"{summary['act_mean']['mean']:>8.3f} "
                      f"{summary['test_acc']['mean']:>8.3f}")

        _, label, lr, seed, layers = worst
        print(f"\nlayer by layer, {label} at lr {lr:g} (seed {seed}), last epoch, from the "
              "Monitor:")
        for name, stats in layers.items():
            since = min(stats["dead_since"], default=None)
            print(f"  layer {name:>2} ({stats['kind']}): {len(stats['dead_units']):>2} of "
                  f"{WIDTH} units dead"
                  + (f" (the earliest dead since epoch {since})" if since is not None else ""))
    save("dying_relu", {"dataset": "moons", "depth": DEPTH, "width": WIDTH,
                        "batch_size": BATCH, "epochs": EPOCHS, "seeds": SEEDS,
                        "optimizer": "adam", "lrs": LRS, "monitor_every": 1}, results,
         printed.text())


if __name__ == "__main__":
    main()
