"""A scikit-learn dataset classified end to end with tinynet.

Load breast_cancer (569 tumours, 30 features, 2 classes) split and standardised, hold
out a validation part, train an MLP with early stopping, read the per-layer summary and
the plain-language hints, save the trained weights (``tn.save``: an .npz file, no
pickle), load them into a fresh model and check it predicts the same. scikit-learn's
own ``MLPClassifier`` on the same split is the yardstick.

    python examples/sklearn_classifier.py                          # ~2 s
    TINYNET_EXAMPLE_FAST=1 python examples/sklearn_classifier.py   # ~2 s
"""
import os
import sys
import tempfile
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import tinynet as tn

FAST = os.environ.get("TINYNET_EXAMPLE_FAST") == "1" or "--fast" in sys.argv[1:]
EPOCHS, PATIENCE = (5, 2) if FAST else (200, 10)
HIDDEN, SEED = [64, 64], 0


def accuracy(model, X, y) -> float:
    model.eval()  # no graph, no Monitor statistics
    with tn.no_grad():
        predicted = model(tn.tensor(X)).argmax(dim=1).numpy()
    return float(np.mean(predicted == y))


def main() -> None:
    data = tn.data.load_dataset("breast_cancer", seed=SEED)  # stratified 75/25 split
    X_train, X_val, y_train, y_val = train_test_split(
        data.X_train, data.y_train, test_size=0.2, stratify=data.y_train, random_state=SEED)
    print(f"breast_cancer: {len(X_train)} train / {len(X_val)} validation / "
          f"{len(data.X_test)} test samples, {data.n_features} features, "
          f"{data.n_classes} classes")

    tn.manual_seed(SEED)
    model = tn.models.MLP(data.n_features, HIDDEN, data.n_classes, activation="gelu")
    stopper = tn.EarlyStopping(monitor="val_loss", patience=PATIENCE,
                               restore_best_weights=True)
    history = tn.fit(model, X_train, y_train, lr=1e-3, epochs=EPOCHS, batch_size=32,
                     validation_data=(X_val, y_val), seed=SEED, callbacks=[stopper],
                     progress=False)
    stopped = (f"stopped after epoch {stopper.stopped_epoch}" if stopper.stopped_epoch
               else f"ran all {EPOCHS} epochs")
    print(f"\n{stopped}; best validation loss {stopper.best:.4f} at epoch "
          f"{stopper.best_epoch} (weights restored); "
          f"{sum(history['seconds']):.2f} s of training")
    print(history.summary())
    hints = history.diagnose()
    print("hints:", *(hints or ["none: nothing in the numbers looks wrong"]), sep="\n  ")

    test_acc = accuracy(model, data.X_test, data.y_test)
    print(f"\ntinynet MLP test accuracy: {test_acc:.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "breast_cancer_mlp.npz")
        tn.save(model.state_dict(), path)
        size = os.path.getsize(path)
        tn.manual_seed(SEED + 1)  # different initial weights, to be overwritten
        fresh = tn.models.MLP(data.n_features, HIDDEN, data.n_classes, activation="gelu")
        fresh.load_state_dict(tn.load(path))
    same = all(np.array_equal(a.numpy(), b.numpy())
               for a, b in zip(model.state_dict().values(), fresh.state_dict().values(),
                               strict=True))
    print(f"saved {size} bytes with tn.save, reloaded into a fresh MLP: weights identical: "
          f"{same}, test accuracy {accuracy(fresh, data.X_test, data.y_test):.3f}")

    reference = MLPClassifier(hidden_layer_sizes=HIDDEN, max_iter=EPOCHS, early_stopping=True,
                              n_iter_no_change=PATIENCE, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the short FAST budget
        reference.fit(data.X_train, data.y_train)
    print(f"scikit-learn MLPClassifier(hidden_layer_sizes={HIDDEN}, early_stopping=True) "
          f"test accuracy: {reference.score(data.X_test, data.y_test):.3f}")


if __name__ == "__main__":
    main()
