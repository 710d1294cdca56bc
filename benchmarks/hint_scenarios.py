"""Labelled training runs for the hints: each is built so that one pathology (or none) is
present, and names the set of hint kinds a correct diagnosis gives.

``TUNED`` are the runs the rules' thresholds were set on; ``HELD_OUT`` were written
afterwards, with other datasets, activations and optimizers, to check the rules on runs
they were not tuned on. ``benchmarks/hints.py`` prints the confusion table;
``tests/test_hint_scenarios.py`` asserts every one.
"""
from dataclasses import dataclass

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

import tinynet as tn


@dataclass(frozen=True)
class Scenario:
    name: str
    expected: frozenset  # the hint kinds a correct diagnosis gives
    run: object  # () -> History
    what: str
    relabelled: str = ""  # for a held-out run whose first label was wrong: why, measured


def _data(name, seed=0, **kwargs):
    return tn.data.load_dataset(name, seed=seed, **kwargs)


def _mlp(data, hidden, activation, seed=0, **kwargs):
    return tn.models.MLP(data.n_features, list(hidden), data.n_classes, activation=activation,
                         generator=np.random.default_rng(seed), **kwargs)


def _fit(model, data, **kwargs):
    """fit with validation on the test split; a diverged run's History comes back too."""
    settings = dict(seed=0, progress=False, validation_data=(data.X_test, data.y_test))
    settings.update(kwargs)
    try:
        with np.errstate(all="ignore"):
            return tn.fit(model, data.X_train, data.y_train, **settings)
    except FloatingPointError as error:
        return error.history


def _scale_weights(model, factor, skip_last=False):
    linears = [m for m in model.modules() if isinstance(m, tn.nn.Linear)]
    with tn.no_grad():
        for layer in linears[:-1] if skip_last else linears:
            layer.weight.array[...] *= factor
    return model


# ---- healthy runs --------------------------------------------------------------------------
def healthy_moons_gelu():
    data = _data("moons")
    return _fit(_mlp(data, [32] * 3, "gelu"), data, lr=1e-2, epochs=15)


def healthy_iris_tanh_sgd():
    data = _data("iris")
    model = _mlp(data, [16, 16], "tanh")
    optimizer = tn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return _fit(model, data, optimizer=optimizer, epochs=30, batch_size=16)


def healthy_digits_relu_layernorm():
    data = _data("digits")
    return _fit(_mlp(data, [64] * 3, "relu", norm="layernorm"), data, lr=1e-3, epochs=10)


def healthy_breast_cancer_elu_adamw():
    data = _data("breast_cancer")
    return _fit(_mlp(data, [32, 32], "elu"), data, optimizer="adamw", lr=1e-3, epochs=20)


def healthy_wine_leaky_relu():
    data = _data("wine")
    return _fit(_mlp(data, [32, 32], "leaky_relu"), data, lr=3e-3, epochs=30, batch_size=16)


# ---- one pathology each ------------------------------------------------------------------------
def vanishing_deep_sigmoid():
    data = _data("moons")
    model = _mlp(data, [32] * 20, "sigmoid", init="pytorch")
    return _fit(model, data, lr=1e-3, epochs=5)


def init_too_large_deep_relu():
    data = _data("moons")
    model = _scale_weights(_mlp(data, [32] * 10, "relu"), 3.0)
    return _fit(model, data, lr=1e-3, epochs=5)


def dying_relu_high_lr():
    data = _data("moons")
    return _fit(_mlp(data, [32] * 4, "relu"), data, lr=0.1, epochs=10)


def adam_diverging_huge_lr():
    data = _data("moons")
    return _fit(_mlp(data, [32] * 3, "relu"), data, lr=1e3, epochs=5)


def lr_too_high_with_layernorm():
    data = _data("moons")
    model = _mlp(data, [32] * 3, "gelu", norm="layernorm")
    return _fit(model, data, lr=0.5, epochs=10)


def lr_too_high_bouncing_adam():
    # the validation loss rises as in overfitting, but the training loss goes back up too
    data = _data("digits")
    return _fit(_mlp(data, [256, 256], "relu"), data, lr=1e-2, epochs=10)


def healthy_trained_further_at_a_low_rate():
    # a trained model's loss barely moves, far below guessing: it is not stalled
    data = _data("moons")
    model = _mlp(data, [32, 32], "gelu")
    _fit(model, data, lr=1e-2, epochs=30)
    return _fit(model, data, lr=1e-4, epochs=3)


def lr_far_too_low():
    data = _data("iris")
    return _fit(_mlp(data, [16, 16], "tanh"), data, optimizer="sgd", lr=1e-6, epochs=5)


def _raw(loader, seed=0):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=seed)
    return tn.data.Dataset("raw", X_train.astype(np.float32), y_train, X_test.astype(
        np.float32), y_test, int(len(np.unique(y))))


def unscaled_inputs():
    data = _raw(datasets.load_breast_cancer)
    return _fit(_mlp(data, [32, 32], "gelu"), data, lr=1e-3, epochs=10)


def saturated_tanh():
    data = _data("iris")
    model = _scale_weights(_mlp(data, [32, 32], "tanh"), 6.0, skip_last=True)
    return _fit(model, data, lr=1e-3, epochs=5)


def overfitting_tiny_train_set():
    data = _data("digits")
    small = tn.data.Dataset("digits", data.X_train[:50], data.y_train[:50], data.X_test,
                            data.y_test, data.n_classes)
    return _fit(_mlp(small, [128, 128], "relu"), small, lr=1e-2, epochs=60, batch_size=16)


def double_softmax():
    data = _data("iris")
    model = tn.nn.Sequential(*_mlp(data, [16, 16], "gelu").children(), tn.nn.Softmax(dim=1))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the warning fit gives: it is known
        return _fit(model, data, lr=1e-2, epochs=10)


def shuffled_labels():
    data = _data("moons")
    shuffled = tn.data.Dataset("moons", data.X_train, np.random.default_rng(1).permutation(
        data.y_train), data.X_test, data.y_test, data.n_classes)
    return _fit(_mlp(shuffled, [8], "relu"), shuffled, lr=1e-3, epochs=10)


def nonfinite_initial_weights():
    data = _data("iris")
    model = _mlp(data, [16, 16], "relu")
    model[2].weight.array[0, 0] = np.nan
    return _fit(model, data, lr=1e-3, epochs=3)


TUNED = [
    Scenario("healthy_moons_gelu", frozenset(), healthy_moons_gelu,
             "moons, 3×32 GELU, Adam 1e-2"),
    Scenario("healthy_iris_tanh_sgd", frozenset(), healthy_iris_tanh_sgd,
             "iris, 2×16 tanh, SGD momentum"),
    Scenario("healthy_digits_relu_layernorm", frozenset(), healthy_digits_relu_layernorm,
             "digits, 3×64 ReLU + LayerNorm, Adam 1e-3"),
    Scenario("healthy_breast_cancer_elu_adamw", frozenset(), healthy_breast_cancer_elu_adamw,
             "breast_cancer standardised, 2×32 ELU, AdamW"),
    Scenario("healthy_wine_leaky_relu", frozenset(), healthy_wine_leaky_relu,
             "wine, 2×32 LeakyReLU, Adam 3e-3"),
    Scenario("vanishing_deep_sigmoid", frozenset({"vanishing"}), vanishing_deep_sigmoid,
             "moons, 20×32 sigmoid, PyTorch's init"),
    Scenario("init_too_large_deep_relu", frozenset({"init_scale"}), init_too_large_deep_relu,
             "moons, 10×32 ReLU, Kaiming weights ×3"),
    Scenario("dying_relu_high_lr", frozenset({"dead_units"}), dying_relu_high_lr,
             "moons, 4×32 ReLU, Adam lr 0.1"),
    Scenario("adam_diverging_huge_lr", frozenset({"diverged"}), adam_diverging_huge_lr,
             "moons, 3×32 ReLU, Adam lr 1e3"),
    Scenario("lr_too_high_with_layernorm", frozenset({"lr_too_high"}),
             lr_too_high_with_layernorm, "moons, 3×32 GELU + LayerNorm, Adam lr 0.5"),
    Scenario("lr_too_high_bouncing_adam", frozenset({"lr_too_high"}),
             lr_too_high_bouncing_adam, "digits, 2×256 ReLU, Adam lr 1e-2: the training "
             "loss rebounds"),
    Scenario("healthy_trained_further_at_a_low_rate", frozenset(),
             healthy_trained_further_at_a_low_rate,
             "moons, 2×32 GELU trained 30 epochs, then 3 more at Adam lr 1e-4"),
    Scenario("lr_far_too_low", frozenset({"lr_too_low"}), lr_far_too_low,
             "iris, 2×16 tanh, SGD lr 1e-6"),
    Scenario("unscaled_inputs", frozenset({"input_scale"}), unscaled_inputs,
             "breast_cancer raw features, 2×32 GELU"),
    Scenario("saturated_tanh", frozenset({"saturation"}), saturated_tanh,
             "iris, 2×32 tanh, hidden weights ×6"),
    Scenario("overfitting_tiny_train_set", frozenset({"overfitting"}),
             overfitting_tiny_train_set, "digits, 50 training samples, 2×128 ReLU, 60 epochs"),
    Scenario("double_softmax", frozenset({"double_softmax"}), double_softmax,
             "iris, a final Softmax under cross-entropy"),
    Scenario("shuffled_labels", frozenset({"stalled"}), shuffled_labels,
             "moons with its training labels shuffled"),
    Scenario("nonfinite_initial_weights", frozenset({"nonfinite"}), nonfinite_initial_weights,
             "iris, a NaN weight before training"),
]


# ---- held out: written after the thresholds were set, never tuned on --------------------------
def held_healthy_circles_relu():
    data = _data("circles", seed=3)
    return _fit(_mlp(data, [32, 32], "relu", seed=3), data, lr=1e-2, epochs=20, seed=3)


def held_healthy_classification_gelu_tanh_sgd():
    data = _data("classification", seed=4)
    model = _mlp(data, [64, 64], "gelu_tanh", seed=4)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return _fit(model, data, optimizer=optimizer, epochs=15, seed=4)


def held_init_too_small_deep_tanh():
    data = _data("digits", seed=5)
    model = _scale_weights(_mlp(data, [64] * 12, "tanh", seed=5), 0.3)
    return _fit(model, data, lr=1e-3, epochs=5, seed=5)


def held_vanishing_deep_sigmoid_digits():
    data = _data("digits", seed=6)
    model = _mlp(data, [64] * 15, "sigmoid", seed=6, init="pytorch")
    return _fit(model, data, lr=1e-3, epochs=5, seed=6)


def held_dying_relu_sgd_digits():
    data = _data("digits", seed=7)
    model = _mlp(data, [64] * 3, "relu", seed=7)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    return _fit(model, data, optimizer=optimizer, epochs=10, seed=7)


def held_unscaled_wine():
    data = _raw(datasets.load_wine, seed=8)
    return _fit(_mlp(data, [32, 32], "elu", seed=8), data, lr=1e-3, epochs=20, seed=8)


def held_double_softmax_digits():
    data = _data("digits", seed=9)
    model = tn.nn.Sequential(*_mlp(data, [64], "relu", seed=9).children(),
                             tn.nn.Softmax(dim=1))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _fit(model, data, lr=1e-3, epochs=5, seed=9)


def held_lr_too_low_adam():
    data = _data("moons", seed=10)
    return _fit(_mlp(data, [32, 32], "gelu", seed=10), data, lr=1e-7, epochs=5, seed=10)


def held_overfitting_breast_cancer_tiny():
    data = _data("breast_cancer", seed=11)
    small = tn.data.Dataset("breast_cancer", data.X_train[:30], data.y_train[:30],
                            data.X_test, data.y_test, data.n_classes)
    return _fit(_mlp(small, [256, 256], "relu", seed=11), small, lr=1e-2, epochs=80,
                batch_size=8, seed=11)


def held_shuffled_iris():
    data = _data("iris", seed=12)
    shuffled = tn.data.Dataset("iris", data.X_train, np.random.default_rng(12).permutation(
        data.y_train), data.X_test, data.y_test, data.n_classes)
    return _fit(_mlp(shuffled, [8], "tanh", seed=12), shuffled, lr=1e-3, epochs=15, seed=12)


HELD_OUT = [
    Scenario("held_healthy_circles_relu", frozenset(), held_healthy_circles_relu,
             "circles, 2×32 ReLU, Adam 1e-2"),
    Scenario("held_healthy_classification_gelu_tanh_sgd", frozenset({"overfitting"}),
             held_healthy_classification_gelu_tanh_sgd,
             "make_classification, 2×64 GELU-tanh, SGD momentum",
             relabelled="first labelled healthy; the run memorises its training set "
                        "(training loss 0.005, accuracy 100%) while the validation loss "
                        "rises from 0.61 at epoch 2 to 0.93: it does overfit"),
    Scenario("held_init_too_small_deep_tanh", frozenset(),
             held_init_too_small_deep_tanh, "digits, 12×64 tanh, Xavier weights ×0.3",
             relabelled="first labelled init_scale; the biases keep the activations' std "
                        "near 0.08 after layer 3 (it shrinks only from 0.41), the "
                        "loss at initialisation is 2.31 against ln 10 = 2.30, the "
                        "gradient ratio is about 1 and the loss falls every epoch: the "
                        "scaling did not produce a pathology"),
    Scenario("held_vanishing_deep_sigmoid_digits", frozenset({"vanishing"}),
             held_vanishing_deep_sigmoid_digits, "digits, 15×64 sigmoid, PyTorch's init"),
    Scenario("held_dying_relu_sgd_digits", frozenset({"diverged"}),
             held_dying_relu_sgd_digits, "digits, 3×64 ReLU, SGD lr 0.5 momentum 0.9",
             relabelled="first labelled dead_units; the loss becomes NaN at step 25 of "
                        "epoch 1: the run diverges before units can die"),
    Scenario("held_unscaled_wine", frozenset({"input_scale"}), held_unscaled_wine,
             "wine raw features, 2×32 ELU"),
    Scenario("held_double_softmax_digits", frozenset({"double_softmax"}),
             held_double_softmax_digits, "digits, a final Softmax under cross-entropy"),
    Scenario("held_lr_too_low_adam", frozenset({"lr_too_low"}), held_lr_too_low_adam,
             "moons, 2×32 GELU, Adam lr 1e-7"),
    Scenario("held_overfitting_breast_cancer_tiny", frozenset({"overfitting", "dead_units"}),
             held_overfitting_breast_cancer_tiny, "breast_cancer, 30 training samples, "
             "2×256 ReLU, 80 epochs",
             relabelled="first labelled overfitting only; half of layer 2's 256 units "
                        "never fire on the 30 training samples (the Monitor's count, every "
                        "epoch from the first): both are present"),
    Scenario("held_shuffled_iris", frozenset({"stalled"}), held_shuffled_iris,
             "iris with its training labels shuffled"),
]
