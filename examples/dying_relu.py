"""Dying ReLU: a high learning rate kills ReLU units; LeakyReLU, ELU and GELU keep theirs.

A ReLU unit whose pre-activation z = w·x + b is negative for every input has derivative
exactly 0 everywhere, so no gradient reaches w or b again: it is dead for good. One
large step that pushes b far below zero is enough. LeakyReLU (slope 0.01 for z < 0),
ELU (derivative αeᶻ > 0) and GELU (Φ(z) + zφ(z), nonzero for moderate z < 0) always
let some gradient through, so their units can recover.

The model is trained with a hand-written PyTorch-style loop; a ``Monitor`` attached to it
measures, per activation layer and epoch, the dead rate: the share of units whose
derivative was exactly 0 on every training sample seen in that epoch.

    python examples/dying_relu.py                          # ~10 s
    TINYNET_EXAMPLE_FAST=1 python examples/dying_relu.py   # a few seconds
"""
import os
import sys

import numpy as np

import tinynet as tn

FAST = os.environ.get("TINYNET_EXAMPLE_FAST") == "1" or "--fast" in sys.argv[1:]
DEPTH, WIDTH = 4, 64
EPOCHS = 3 if FAST else 10
SEEDS = [0] if FAST else [0, 1, 2]
LRS = [1e-3, 1e-1] if FAST else [1e-3, 3e-2, 1e-1]  # Adam's learning rate
ACTIVATIONS = ["relu", "leaky_relu", "elu", "gelu"]


def train(data, activation: str, lr: float, seed: int):
    """Train one MLP with Adam; return (its Monitor, test accuracy)."""
    tn.manual_seed(seed)
    model = tn.models.MLP(2, [WIDTH] * DEPTH, 2, activation=activation)
    optimizer = tn.optim.Adam(model.parameters(), lr=lr)
    loss_fn = tn.nn.CrossEntropyLoss()
    X, y = tn.tensor(data.X_train), tn.tensor(data.y_train)
    rng = np.random.default_rng(seed)
    with tn.diagnostics.Monitor(model) as monitor:  # detached again on exit
        for _ in range(EPOCHS):
            for idx in tn.data.batches(len(X), 32, rng=rng):
                optimizer.zero_grad()
                loss = loss_fn(model(X[idx]), y[idx])
                loss.backward()
                optimizer.step()
            monitor.end_epoch()  # closes the epoch: dead and saturation rates per layer
    model.eval()
    with tn.no_grad():
        predicted = model(tn.tensor(data.X_test)).argmax(dim=1).numpy()
    return monitor, float(np.mean(predicted == data.y_test))


def dead_rates(monitor) -> list:
    """The last epoch's dead rate of each activation layer, input side first."""
    layers = monitor.epochs[-1]["layers"].values()
    return [stats["dead_rate"] for stats in layers if stats["kind"] != "Linear"]


def main() -> None:
    data = tn.data.load_dataset("moons", seed=0)
    print(f"make_moons, MLP 2 -> {DEPTH} x {WIDTH} -> 2, Adam, {EPOCHS} epochs, batch 32, "
          f"seeds {SEEDS}")
    print("dead units after training (mean over the hidden layers), per seed:")
    print(f"{'activation':<11} {'lr':>6} {'dead (mean)':>11}  {'per seed':<20} {'test acc':>8}")
    worst = None  # (dead rate, activation, lr, seed, monitor) of the deadest run
    for lr in LRS:
        for activation in ACTIVATIONS:
            dead, accuracy = [], []
            for seed in SEEDS:
                monitor, acc = train(data, activation, lr, seed)
                dead.append(np.mean(dead_rates(monitor)))
                accuracy.append(acc)
                if worst is None or dead[-1] > worst[0]:
                    worst = (dead[-1], activation, lr, seed, monitor)
            per_seed = " ".join(f"{d:.0%}" for d in dead)
            print(f"{activation:<11} {lr:>6g} {np.mean(dead):>11.1%}  {per_seed:<20} "
                  f"{np.mean(accuracy):>8.3f}")

    _, activation, lr, seed, monitor = worst
    print(f"\nlayer by layer, {activation} at lr {lr:g} (seed {seed}), from the Monitor:")
    for name, stats in monitor.epochs[-1]["layers"].items():
        if stats["kind"] != "Linear":
            since = min(stats["dead_since"], default=None)
            print(f"  layer {name:>2} ({stats['kind']}): {len(stats['dead_units']):>2} of "
                  f"{WIDTH} units dead"
                  + (f" (the earliest dead since epoch {since})" if since is not None else ""))


if __name__ == "__main__":
    main()
