"""tinynet.sklearn.MLPClassifier against sklearn.neural_network.MLPClassifier.

    python benchmarks/vs_sklearn.py              # iris, digits, moons, circles
    python benchmarks/vs_sklearn.py --splits 5 --seeds 3 --hidden 64,64 --max-iter 200
    python benchmarks/vs_sklearn.py --write-results   # also docs/results/vs_sklearn.json

Same data splits, hidden sizes, epochs, solver (Adam), batch size, learning rate and
L2 penalty for both; each split's features are standardised on its training part.
Prints a Markdown table: test accuracy (mean ± std over splits × seeds; iris's test
set has 38 samples, so one sample is 2.6%) and median fit time.
Fits alternate between the libraries so that machine noise hits both alike.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, load_iris, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import recording, save  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet.sklearn import MLPClassifier as TinynetMLP  # noqa: E402

DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "moons": lambda: make_moons(1000, noise=0.2, random_state=0),
    "circles": lambda: make_circles(1000, noise=0.1, factor=0.5, random_state=0),
}


def main(argv=None):
    tn.tune_allocator()  # keep freed memory between steps (docs/performance.md)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--splits", type=int, default=3, help="train/test splits (3)")
    parser.add_argument("--seeds", type=int, default=2, help="initialisations per split (2)")
    parser.add_argument("--hidden", default="64,64", help="hidden sizes (64,64)")
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/vs_sklearn.json")
    args = parser.parse_args(argv)
    with recording() as printed:
        results = compare(args)
    save("vs_sklearn", {"datasets": args.datasets.split(","), "splits": args.splits,
                        "seeds": args.seeds, "hidden": args.hidden, "max_iter": args.max_iter,
                        "solver": "adam", "activation": "relu unless said"},
         results, printed.text())


def compare(args) -> dict:
    """Fit every candidate on every split and seed; print and return the table."""
    hidden = tuple(int(h) for h in args.hidden.split(","))
    settings = {"hidden_layer_sizes": hidden, "max_iter": args.max_iter, "solver": "adam",
                "activation": "relu"}
    candidates = {"sklearn": (SklearnMLP, {}),
                  "tinynet": (TinynetMLP, {}),
                  "tinynet (no monitor)": (TinynetMLP, {"monitor": False}),
                  "tinynet gelu+layernorm": (TinynetMLP, {"activation": "gelu",
                                                          "norm": "layernorm"})}
    print(f"hidden {hidden}, up to {args.max_iter} epochs, Adam, relu unless said, "
          f"{args.splits} splits x {args.seeds} seeds\n")
    print("| dataset | estimator | test accuracy | median fit s | epochs |")
    print("|---|---|---|---|---|")
    warnings.simplefilter("ignore", ConvergenceWarning)
    table = {}
    for name in args.datasets.split(","):
        X, y = DATASETS[name]()
        results = {key: ([], [], []) for key in candidates}
        for split, seed in [(s, r) for s in range(args.splits) for r in range(args.seeds)]:
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.25, stratify=y, random_state=split)
            scaler = StandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
            for key, (cls, extra) in candidates.items():
                params = {**settings, **extra, "random_state": seed}
                estimator = cls(**params)
                start = time.perf_counter()
                estimator.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                accuracy, times, epochs = results[key]
                accuracy.append(estimator.score(X_test, y_test))
                times.append(seconds)
                epochs.append(estimator.n_iter_)
        for key, (accuracy, times, epochs) in results.items():
            table.setdefault(name, {})[key] = {
                "accuracy_mean": float(np.mean(accuracy)), "accuracy_std": float(np.std(accuracy)),
                "fit_seconds_median": float(np.median(times)),
                "epochs_median": float(np.median(epochs))}
            print(f"| {name} | {key} | {np.mean(accuracy):.3f} ± {np.std(accuracy):.3f} | "
                  f"{np.median(times):.2f} | {np.median(epochs):.0f} |")
    return table


if __name__ == "__main__":
    main()
