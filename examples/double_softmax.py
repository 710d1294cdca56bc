"""The double-softmax mistake, measured: a model ending in Softmax fed to CrossEntropyLoss.

``CrossEntropyLoss`` applies log-softmax itself, so it expects raw logits z. Ending the
model in ``Softmax`` makes the loss see softmax(softmax(z)): its inputs are squeezed
into [0, 1], the loss can never go below log(1 + (C-1)/e) (1.46 for 10 classes, even for
a perfect classifier) and the gradient shrinks. ``tn.fit`` and ``CrossEntropyLoss`` warn
about it; this script measures it: the same MLP, the same initial weights and batches,
with and without a final ``Softmax``, over several seeds. It also looks for numerical
trouble: a non-finite loss (``fit`` would raise), and epochs whose training loss rose.

    python examples/double_softmax.py                   # ~5 s on 2 cores
    python examples/double_softmax.py --write-results   # also docs/results/...json
    TINYNET_EXAMPLE_FAST=1 python examples/double_softmax.py   # a few seconds
"""
import itertools
import math
import warnings

import numpy as np
from _results import FAST, mean_std, recording, save  # examples/_results.py

import tinynet as tn

EPOCHS = 3 if FAST else 20
SEEDS = [0] if FAST else [0, 1, 2]
TARGET = 0.9
OPTIMIZERS = [("adam", 1e-3), ("sgd", 0.1)]


def build(data, double_softmax: bool, seed: int):
    tn.manual_seed(seed)  # same seed: the same initial weights in both models
    model = tn.models.MLP(data.n_features, [64, 64], data.n_classes, activation="relu")
    return tn.nn.Sequential(model, tn.nn.Softmax(dim=1)) if double_softmax else model


def logit_grad_norm(data, double_softmax: bool, seed: int) -> tuple:
    """‖∂L/∂z‖ at initialisation (z the logits, L the cross-entropy on the training set),
    and the warning CrossEntropyLoss gave, if any."""
    model = build(data, double_softmax, seed)
    mlp = model[0] if double_softmax else model
    z = mlp(tn.tensor(data.X_train))
    z.retain_grad()
    out = model[1](z) if double_softmax else z
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tn.nn.CrossEntropyLoss()(out, tn.tensor(data.y_train)).backward()
    return float(np.linalg.norm(z.grad.numpy())), next((str(w.message) for w in caught), None)


def test_cross_entropy(model, data) -> float:
    """The real cross-entropy of the predicted probabilities on the test set."""
    model.eval()
    with tn.no_grad():
        out = model(tn.tensor(data.X_test))
    last = list(model.modules())[-1]
    # NOTE: float32 softmax rounds tiny probabilities of wrong classes to exactly 0; their
    # log is -inf, and only the true class's log-probability is kept below.
    with np.errstate(divide="ignore"):
        log_p = out.log() if isinstance(last, tn.nn.Softmax) else out.log_softmax(dim=1)
    return float(-np.mean(log_p.numpy()[np.arange(len(data.y_test)), data.y_test]))


def run(data, optimizer: str, lr: float, double_softmax: bool, seed: int) -> tuple:
    model = build(data, double_softmax, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = tn.fit(model, data.X_train, data.y_train, optimizer=optimizer, lr=lr,
                         epochs=EPOCHS, batch_size=32, seed=seed, progress=False,
                         validation_data=(data.X_test, data.y_test))
    warned = next((str(w.message) for w in caught if "ends in Softmax" in str(w.message)),
                  None)
    accuracy, loss = history["val_acc"], history["train_loss"]
    reached = next((r["epoch"] for r in history.records if r["val_acc"] >= TARGET), None)
    first_linear = next(s for s in history.records[0]["layers"].values()
                        if s["kind"] == "Linear")
    return {"train_loss": loss[-1], "test_ce": test_cross_entropy(model, data),
            "acc_5": accuracy[min(4, len(accuracy) - 1)], "final_acc": accuracy[-1],
            "to_target": reached, "grad_w1": first_linear["grad_norm"],
            "loss_rises": sum(b > a for a, b in itertools.pairwise(loss)),
            "finite": all(math.isfinite(v) for v in loss)}, warned


def main() -> None:
    data = tn.data.load_dataset("digits", seed=0)
    C = data.n_classes
    results, warned = {"floor": math.log(1 + (C - 1) / math.e)}, None
    with recording() as printed:
        print(f"digits, MLP 64 -> 64 -> 64 -> 10 (ReLU), {EPOCHS} epochs, batch 32, "
              f"seeds {SEEDS}")
        print(f"the lowest loss a double-softmax model can report: log(1 + {C - 1}/e) = "
              f"{results['floor']:.3f}")
        raw = [logit_grad_norm(data, False, s)[0] for s in SEEDS]
        double, loss_warning = zip(*(logit_grad_norm(data, True, s) for s in SEEDS))
        results["logit_grad"] = {"raw": mean_std(raw), "double": mean_std(double),
                                 "ratio": float(np.mean(raw) / np.mean(double))}
        print(f"‖∂L/∂logits‖ at init (mean over seeds): raw logits {np.mean(raw):.2e}, "
              f"double softmax {np.mean(double):.2e} ({np.mean(raw) / np.mean(double):.1f}x "
              "smaller)")
        print("\nmean over seeds; 'to 90%': mean epoch of first reaching it ('never' if a "
              "seed did not)")
        print(f"{'optimizer':<10} {'model ends in':<14} {'train loss':>10} {'test CE':>8} "
              f"{'acc @' + str(min(5, EPOCHS)):>7} {'final acc':>9} "
              f"{'to ' + format(TARGET, '.0%'):>7} {'grad W1':>8} {'loss rose':>9}")
        for optimizer, lr in OPTIMIZERS:
            for double_softmax in (False, True):
                runs = []
                for seed in SEEDS:
                    row, warning = run(data, optimizer, lr, double_softmax, seed)
                    runs.append(row)
                    warned = warned or warning
                summary = {key: mean_std([r[key] for r in runs]) for key in
                           ("train_loss", "test_ce", "acc_5", "final_acc", "grad_w1")}
                reached = [r["to_target"] for r in runs]
                summary["to_target"] = None if None in reached else float(np.mean(reached))
                summary["to_target_per_seed"] = reached
                summary["loss_rises"] = sum(r["loss_rises"] for r in runs)
                summary["all_finite"] = all(r["finite"] for r in runs)
                ending = "softmax" if double_softmax else "logits"
                results.setdefault(f"{optimizer}_{lr:g}", {})[ending] = summary
                to = summary["to_target"]
                print(f"{optimizer + ' ' + format(lr, 'g'):<10} "
                      f"{'Softmax' if double_softmax else 'logits':<14} "
                      f"{summary['train_loss']['mean']:>10.3f} "
                      f"{summary['test_ce']['mean']:>8.3f} {summary['acc_5']['mean']:>7.3f} "
                      f"{summary['final_acc']['mean']:>9.3f} "
                      f"{'never' if to is None else format(to, '.1f'):>7} "
                      f"{summary['grad_w1']['mean']:>8.3f} {summary['loss_rises']:>9}")
            logits, softmax = (results[f"{optimizer}_{lr:g}"][k] for k in ("logits", "softmax"))
            results[f"{optimizer}_{lr:g}"]["grad_w1_ratio"] = (logits["grad_w1"]["mean"]
                                                               / softmax["grad_w1"]["mean"])
        print("\n'acc @k': test accuracy after epoch k; 'grad W1': the first Linear's mean "
              "weight-gradient norm in epoch 1;\n'loss rose': epochs whose mean training "
              "loss was above the previous epoch's, summed over seeds.")
        print(f"\ntn.fit warned: {warned}")
        print(f"CrossEntropyLoss warned: {loss_warning[0]}")
    save("double_softmax", {"dataset": "digits", "hidden": [64, 64], "activation": "relu",
                            "epochs": EPOCHS, "batch_size": 32, "seeds": SEEDS,
                            "optimizers": OPTIMIZERS, "target": TARGET}, results,
         printed.text())


if __name__ == "__main__":
    main()
