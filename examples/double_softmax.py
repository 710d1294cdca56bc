"""The double-softmax mistake, measured: a model ending in Softmax fed to CrossEntropyLoss.

``CrossEntropyLoss`` applies log-softmax itself, so it expects raw logits z. Ending the
model in ``Softmax`` makes the loss see softmax(softmax(z)): its inputs are squeezed
into [0, 1], the loss can never go below log(1 + (C-1)/e) (1.46 for 10 classes, even for
a perfect classifier) and the gradient shrinks. Nothing crashes; training just goes
slower. ``tn.fit`` and ``CrossEntropyLoss`` warn about it; this script measures it: the
same MLP, the same initial weights and batches, with and without a final ``Softmax``.

    python examples/double_softmax.py                          # ~3 s
    TINYNET_EXAMPLE_FAST=1 python examples/double_softmax.py   # a few seconds
"""
import math
import os
import sys
import warnings

import numpy as np

import tinynet as tn

FAST = os.environ.get("TINYNET_EXAMPLE_FAST") == "1" or "--fast" in sys.argv[1:]
EPOCHS = 3 if FAST else 20
SEED, TARGET = 0, 0.9
OPTIMIZERS = [("adam", 1e-3), ("sgd", 0.1)]


def build(data, double_softmax: bool):
    tn.manual_seed(SEED)  # same seed: the same initial weights in both models
    model = tn.models.MLP(data.n_features, [64, 64], data.n_classes, activation="relu")
    return tn.nn.Sequential(model, tn.nn.Softmax(dim=1)) if double_softmax else model


def logit_grad_norm(data, double_softmax: bool) -> tuple:
    """‖∂L/∂z‖ at initialisation (z the logits, L the cross-entropy on the training set),
    and the warning CrossEntropyLoss gave, if any."""
    model = build(data, double_softmax)
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
    log_p = out.log() if isinstance(last, tn.nn.Softmax) else out.log_softmax(dim=1)
    return float(-np.mean(log_p.numpy()[np.arange(len(data.y_test)), data.y_test]))


def main() -> None:
    data = tn.data.load_dataset("digits", seed=SEED)
    C = data.n_classes
    print(f"digits, MLP 64 -> 64 -> 64 -> 10 (ReLU), {EPOCHS} epochs, batch 32, seed {SEED}")
    print(f"the lowest loss a double-softmax model can report: log(1 + {C - 1}/e) = "
          f"{math.log(1 + (C - 1) / math.e):.3f}")
    (raw, _), (double, loss_warning) = logit_grad_norm(data, False), logit_grad_norm(data, True)
    print(f"‖∂L/∂logits‖ at init: raw logits {raw:.2e}, double softmax {double:.2e}")
    print(f"\n{'optimizer':<10} {'model ends in':<14} {'train loss':>10} {'test CE':>8} "
          f"{'acc @' + str(min(5, EPOCHS)):>7} {'final acc':>9} {'to ' + format(TARGET, '.0%'):>7} "
          f"{'grad W1':>8}")
    warned = None
    for optimizer, lr in OPTIMIZERS:
        for double_softmax in (False, True):
            model = build(data, double_softmax)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                history = tn.fit(model, data.X_train, data.y_train, optimizer=optimizer, lr=lr,
                                 epochs=EPOCHS, batch_size=32, seed=SEED, progress=False,
                                 validation_data=(data.X_test, data.y_test))
            warned = warned or next((str(w.message) for w in caught
                                     if "ends in Softmax" in str(w.message)), None)
            accuracy = history["val_acc"]
            reached = next((r["epoch"] for r in history.records if r["val_acc"] >= TARGET),
                           None)
            first_linear = next(s for s in history.records[0]["layers"].values()
                                if s["kind"] == "Linear")
            print(f"{optimizer + ' ' + format(lr, 'g'):<10} "
                  f"{'Softmax' if double_softmax else 'logits':<14} "
                  f"{history['train_loss'][-1]:>10.3f} {test_cross_entropy(model, data):>8.3f} "
                  f"{accuracy[min(4, len(accuracy) - 1)]:>7.3f} {accuracy[-1]:>9.3f} "
                  f"{'never' if reached is None else reached:>7} "
                  f"{first_linear['grad_norm']:>8.3f}")
    print("\n'acc @k': test accuracy after epoch k; 'grad W1': the first Linear's mean "
          "weight-gradient norm in epoch 1;\n'to 90%': the first epoch with test accuracy "
          ">= 90%.")
    print(f"\ntn.fit warned: {warned}")
    print(f"CrossEntropyLoss warned: {loss_warning}")


if __name__ == "__main__":
    main()
