"""GELU + LayerNorm vs ReLU as an MLP gets deeper: test accuracy on digits, depth 2 to 12.

Every model gets the same data split, seed, optimiser (Adam), epochs and width; only the
activation, the normalisation and the initialisation change:

  * relu, init 'pytorch': PyTorch's default Linear init, U(±1/√fan_in), has a sixth of
    the weight variance ReLU needs (2/fan_in), so each layer shrinks the signal and the
    gradient by ~0.4 and a deep stack starts with a vanishing gradient.
  * relu, init 'auto': Kaiming init (std √2/√fan_in), tinynet's default for ReLU.
  * gelu+layernorm, init 'pytorch' and 'kaiming': LayerNorm after every activation
    re-standardises each sample, so depth does not compound a bad scale. NOTE: with
    LayerNorm the weights' scale sets the effective step size (LayerNorm's output does
    not change when W is scaled, so Adam's fixed-size steps move larger weights
    relatively less): Kaiming's larger weights learn more slowly here.

The first/last Linear gradient-norm ratio at initialisation (``tn.init_report``) is
printed per depth too. Training runs with ``monitor=False``: only the accuracy is needed.

    python examples/gelu_layernorm_depth.py                          # ~10 s
    TINYNET_EXAMPLE_FAST=1 python examples/gelu_layernorm_depth.py   # a few seconds
"""
import os
import sys

import tinynet as tn

FAST = os.environ.get("TINYNET_EXAMPLE_FAST") == "1" or "--fast" in sys.argv[1:]
DEPTHS = [2, 8] if FAST else [2, 4, 6, 8, 10, 12]
WIDTH, LR, SEED = 64, 1e-3, 0
EPOCHS = 2 if FAST else 10
CONFIGS = [  # (label, activation, norm, init)
    ("relu (pytorch init)", "relu", None, "pytorch"),
    ("relu (kaiming init)", "relu", None, "auto"),
    ("gelu+ln (pytorch init)", "gelu", "layernorm", "pytorch"),
    ("gelu+ln (kaiming init)", "gelu", "layernorm", "kaiming"),
]


def build(data, depth: int, activation: str, norm, init: str):
    tn.manual_seed(SEED)
    return tn.models.MLP(data.n_features, [WIDTH] * depth, data.n_classes,
                         activation=activation, norm=norm, init=init)


def main() -> None:
    data = tn.data.load_dataset("digits", seed=SEED)
    print(f"digits ({len(data.X_train)} train / {len(data.X_test)} test), width {WIDTH}, "
          f"Adam lr {LR}, {EPOCHS} epochs, batch 64, seed {SEED}")
    header = f"{'depth:':<24}" + "".join(f"{d:>8}" for d in DEPTHS)
    print("\ntest accuracy")
    print(header)
    for label, activation, norm, init in CONFIGS:
        accuracies = []
        for depth in DEPTHS:
            model = build(data, depth, activation, norm, init)
            history = tn.fit(model, data.X_train, data.y_train, lr=LR, epochs=EPOCHS,
                             batch_size=64, validation_data=(data.X_test, data.y_test),
                             seed=SEED, monitor=False, progress=False)
            accuracies.append(history.records[-1]["val_acc"])
        print(f"{label:<24}" + "".join(f"{a:>8.3f}" for a in accuracies))

    print("\nfirst/last Linear gradient-norm ratio at initialisation")
    print(header)
    for label, activation, norm, init in CONFIGS:
        ratios = []
        for depth in DEPTHS:
            report = tn.init_report(build(data, depth, activation, norm, init),
                                    data.X_train, data.y_train)
            norms = [row["grad_norm"] for row in report if row["kind"] == "Linear"]
            ratios.append(norms[0] / norms[-1])
        print(f"{label:<24}" + "".join(f"{r:>8.1e}" for r in ratios))


if __name__ == "__main__":
    main()
