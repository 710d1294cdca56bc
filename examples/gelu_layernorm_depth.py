"""GELU + LayerNorm vs ReLU as an MLP gets deeper: test accuracy on digits, depth 2 to 16.

Every model gets the same data split, seeds, optimiser (Adam), epochs and width; only
the activation, the normalisation, the initialisation and the learning rate change:

  * relu, init 'pytorch': PyTorch's default Linear init, U(±1/√fan_in), has a sixth of
    the weight variance ReLU needs (2/fan_in), so each layer shrinks the signal and the
    gradient by ~0.4 and a deep stack starts with a vanishing gradient.
  * relu, init 'kaiming': std √2/√fan_in, tinynet's default (``init='auto'``) for ReLU.
  * relu+ln and gelu+ln, init 'pytorch' (``init='auto'`` under LayerNorm): LayerNorm after
    every activation re-standardises each sample, so depth does not compound a bad scale.
  * gelu+ln, init 'kaiming': the same with Kaiming's larger weights. NOTE: LayerNorm
    comes after GELU, so W's scale sets where on GELU's curve the units work, and Adam's
    steps of ~lr per weight move larger weights relatively less, as a lower rate would.

Each cell is the test accuracy, mean ± std over the seeds; then the first/last Linear
gradient-norm ratio at initialisation (``tn.init_report``), geometric mean over seeds.
Training runs with ``monitor=False``: only the accuracy is needed.

    python examples/gelu_layernorm_depth.py                   # ~1 min on 2 cores
    python examples/gelu_layernorm_depth.py --write-results   # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/gelu_layernorm_depth.py   # a few seconds
"""
import numpy as np
from _results import FAST, mean_std, recording, save  # examples/_results.py

import tinynet as tn

DEPTHS = [2, 8] if FAST else [2, 4, 8, 12, 16]
SEEDS = [0] if FAST else [0, 1, 2]
LRS = [1e-3] if FAST else [1e-3, 1e-2]
WIDTH, EPOCHS, BATCH = 64, (2 if FAST else 10), 64
CONFIGS = [  # (label, activation, norm, init); the results file names each f"{label}_{init}"
    ("relu", "relu", None, "pytorch"),
    ("relu", "relu", None, "kaiming"),
    ("relu+ln", "relu", "layernorm", "pytorch"),
    ("gelu+ln", "gelu", "layernorm", "pytorch"),
    ("gelu+ln", "gelu", "layernorm", "kaiming"),
]


def build(data, depth: int, activation: str, norm, init: str, seed: int):
    tn.manual_seed(seed)
    return tn.models.MLP(data.n_features, [WIDTH] * depth, data.n_classes,
                         activation=activation, norm=norm, init=init)


def test_accuracy(data, depth, activation, norm, init, lr, seed) -> float:
    model = build(data, depth, activation, norm, init, seed)
    history = tn.fit(model, data.X_train, data.y_train, lr=lr, epochs=EPOCHS,
                     batch_size=BATCH, validation_data=(data.X_test, data.y_test),
                     seed=seed, monitor=False, progress=False)
    return history.records[-1]["val_acc"]


def main() -> None:
    data = tn.data.load_dataset("digits", seed=0)
    header = f"{'depth:':<24}" + "".join(f"{d:>16}" for d in DEPTHS)
    results = {}
    with recording() as printed:
        print(f"digits ({len(data.X_train)} train / {len(data.X_test)} test), width {WIDTH}, "
              f"Adam, {EPOCHS} epochs, batch {BATCH}, seeds {SEEDS} (init and batches)")
        for lr in LRS:
            print(f"\ntest accuracy, Adam lr {lr:g}, mean ± std over seeds")
            print(header)
            for label, activation, norm, init in CONFIGS:
                line = f"{label + ' (' + init + ' init)':<24}"
                for depth in DEPTHS:
                    accs = [test_accuracy(data, depth, activation, norm, init, lr, seed)
                            for seed in SEEDS]
                    results.setdefault(f"lr_{lr:g}", {}).setdefault(f"{label}_{init}", {})[
                        f"depth_{depth}"] = mean_std(accs)
                    line += f"{np.mean(accs):>8.3f} ± {np.std(accs):.3f}"
                print(line)

        print("\nfirst/last Linear gradient-norm ratio at initialisation (geometric mean "
              "over seeds)")
        print(header)
        for label, activation, norm, init in CONFIGS:
            line = f"{label + ' (' + init + ' init)':<24}"
            for depth in DEPTHS:
                ratios = []
                for seed in SEEDS:
                    rows = [r for r in tn.init_report(build(data, depth, activation, norm,
                                                            init, seed),
                                                      data.X_train, data.y_train)
                            if r["kind"] == "Linear"]
                    ratios.append(rows[0]["grad_norm"] / rows[-1]["grad_norm"])
                geo = float(np.exp(np.mean(np.log(ratios))))
                results.setdefault("init_ratio", {}).setdefault(f"{label}_{init}", {})[
                    f"depth_{depth}"] = geo
                line += f"{geo:>16.1e}"
            print(line)
    save("gelu_layernorm_depth", {"dataset": "digits", "split_seed": 0, "depths": DEPTHS,
                                  "seeds": SEEDS, "lrs": LRS, "width": WIDTH,
                                  "epochs": EPOCHS, "batch_size": BATCH, "optimizer": "adam"},
         results, printed.text())


if __name__ == "__main__":
    main()
