"""GELU vs ReLU in the hidden layers, with cross-entropy, across datasets, depths and seeds.

Both get the same everything: data split, width, init scheme (Kaiming's, ``init='auto'``),
optimiser (Adam), learning rate, epochs, batches and seeds; no normalisation, no tuning
for either. For each dataset, depth and learning rate the script prints the test
accuracy of each (mean ± std over seeds) and the paired difference GELU - ReLU (same
seed: same initial weights' draw and the same batches), then counts, over every
(dataset, depth > 4, seed), how often GELU's accuracy is higher, equal or lower.

    python examples/gelu_vs_relu.py                   # ~1 min on 2 cores
    python examples/gelu_vs_relu.py --write-results   # also docs/results/gelu_vs_relu.json
    TINYNET_EXAMPLE_FAST=1 python examples/gelu_vs_relu.py   # a few seconds
"""
import numpy as np
from _results import FAST, mean_std, recording, save  # examples/_results.py

import tinynet as tn

DATASETS = ["moons", "digits"] if FAST else ["moons", "circles", "digits", "breast_cancer",
                                               "wine"]
DEPTHS = [2, 8] if FAST else [2, 6, 10]
SEEDS = [0] if FAST else [0, 1, 2, 3, 4]
LRS = [1e-3] if FAST else [1e-3, 1e-2]
WIDTH, EPOCHS, BATCH = 64, (2 if FAST else 20), 64


def accuracy(dataset: str, depth: int, activation: str, lr: float, seed: int) -> float:
    data = tn.data.load_dataset(dataset, seed=seed)
    tn.manual_seed(seed)
    model = tn.models.MLP(data.n_features, [WIDTH] * depth, data.n_classes,
                          activation=activation)
    history = tn.fit(model, data.X_train, data.y_train, lr=lr, epochs=EPOCHS,
                     batch_size=BATCH, validation_data=(data.X_test, data.y_test), seed=seed,
                     monitor=False, progress=False)
    return history.records[-1]["val_acc"]


def main() -> None:
    results, tally = {}, {}
    with recording() as printed:
        print(f"width {WIDTH}, Adam, {EPOCHS} epochs, batch {BATCH}, init 'auto' (Kaiming), "
              f"seeds {SEEDS}; test accuracy mean ± std over seeds; diff: GELU - ReLU, "
              "paired by seed")
        print(f"{'lr':>6} {'dataset':<14} {'depth':>5} {'relu':>15} {'gelu':>15} "
              f"{'diff':>16}  wins")
        for lr in LRS:
            wins = tally.setdefault(f"lr_{lr:g}", {"gelu": 0, "tie": 0, "relu": 0,
                                                   "diffs": []})
            for dataset in DATASETS:
                for depth in DEPTHS:
                    relu = [accuracy(dataset, depth, "relu", lr, s) for s in SEEDS]
                    gelu = [accuracy(dataset, depth, "gelu", lr, s) for s in SEEDS]
                    diff = [g - r for g, r in zip(gelu, relu)]
                    cell = {"relu": mean_std(relu), "gelu": mean_std(gelu),
                            "diff": mean_std(diff),
                            "gelu_wins": sum(d > 0 for d in diff),
                            "relu_wins": sum(d < 0 for d in diff)}
                    results.setdefault(f"lr_{lr:g}", {}).setdefault(dataset, {})[
                        f"depth_{depth}"] = cell
                    if depth > 4:
                        wins["gelu"] += cell["gelu_wins"]
                        wins["relu"] += cell["relu_wins"]
                        wins["tie"] += len(diff) - cell["gelu_wins"] - cell["relu_wins"]
                        wins["diffs"] += diff
                    print(f"{lr:>6g} {dataset:<14} {depth:>5} "
                          f"{np.mean(relu):>7.3f} ± {np.std(relu):.3f} "
                          f"{np.mean(gelu):>7.3f} ± {np.std(gelu):.3f} "
                          f"{np.mean(diff):>+8.3f} ± {np.std(diff):.3f}  "
                          f"gelu {cell['gelu_wins']}, relu {cell['relu_wins']}")
        print("\nover every dataset, depth > 4 and seed (paired runs):")
        for key, wins in tally.items():
            diffs = wins.pop("diffs")
            wins["runs"] = len(diffs)
            wins["diff"] = mean_std(diffs)
            wins["median_diff"] = float(np.median(diffs)) if diffs else None
            print(f"  {key.replace('_', ' ')}: GELU higher in {wins['gelu']}, equal in "
                  f"{wins['tie']}, ReLU higher in {wins['relu']} of {len(diffs)}; "
                  f"GELU - ReLU {np.mean(diffs):+.4f} ± {np.std(diffs):.4f} "
                  f"(median {np.median(diffs):+.4f})")
    results["tally"] = tally
    save("gelu_vs_relu", {"datasets": DATASETS, "depths": DEPTHS, "seeds": SEEDS,
                          "lrs": LRS, "width": WIDTH, "epochs": EPOCHS, "batch_size": BATCH,
                          "optimizer": "adam", "init": "auto", "norm": None},
         results, printed.text())


if __name__ == "__main__":
    main()
