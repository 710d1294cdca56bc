"""Regenerate the figures in docs/figures/ (about a minute on 2 cores; needs matplotlib).

    python docs/figures/generate.py

(``tinynet plot-activations docs/figures/activations.png`` draws the first one alone.)

Every figure comes from a ``tinynet.plot`` function fed by a real, seeded training run.
"""
from pathlib import Path

import tinynet as tn
from tinynet import plot

HERE = Path(__file__).resolve().parent


def train(dataset, activation, depth, width, lr, epochs, norm=None, init="auto", seed=0):
    data = tn.data.load_dataset(dataset, seed=seed)
    tn.manual_seed(seed)
    model = tn.models.MLP(data.n_features, [width] * depth, data.n_classes,
                          activation=activation, norm=norm, init=init)
    history = tn.fit(model, data.X_train, data.y_train, lr=lr, epochs=epochs, batch_size=64,
                     validation_data=(data.X_test, data.y_test), seed=seed, progress=False)
    # the run's settings for the figures' titles (setdefault: keep what fit recorded)
    for key, value in (("dataset", dataset), ("activation", activation),
                       ("optimizer_name", "adam")):
        history.config.setdefault(key, value)
    return model, history, data


def main() -> None:
    plot.activations(HERE / "activations.png")

    # Vanishing gradients: 10 hidden layers, PyTorch's default init, per-layer norms; the
    # whole health figure for the plain sigmoid and ReLU nets.
    for activation, norm in (("sigmoid", None), ("relu", None), ("relu", "layernorm")):
        _, history, _ = train("moons", activation, 10, 32, 1e-3, 20, norm=norm, init="pytorch")
        name = activation + ("_layernorm" if norm else "")
        plot.gradient_norms(history, HERE / f"grad_norms_{name}.png")
        if norm is None:
            plot.health(history, HERE / f"health_{name}.png")

    # Dying ReLU: a high learning rate (Adam, 0.1), dead and saturated units per layer.
    _, history, _ = train("moons", "relu", 4, 64, 1e-1, 10)
    plot.unit_health(history, HERE / "unit_health_relu_lr0.1.png")
    plot.health(history, HERE / "health_relu_lr0.1.png")

    # A healthy run: curves and the decision boundary of GELU + LayerNorm on moons.
    model, history, data = train("moons", "gelu", 3, 32, 1e-2, 30, norm="layernorm",
                                 init="pytorch")
    plot.curves(history, HERE / "curves_gelu_layernorm.png")
    plot.decision_boundary(model, data.X_test, data.y_test,
                           HERE / "decision_boundary_gelu_layernorm.png")

    # The README's comparison (the same settings as a plain `tinynet compare`).
    result = tn.experiments.compare_activations("moons", depth=8, width=32, epochs=30,
                                                seeds=3, n_jobs=2)
    plot.comparison(result, HERE / "comparison.png")
    print(result.table())
    for path in sorted(HERE.glob("*.png")):
        print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
