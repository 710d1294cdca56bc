"""Fixed inputs for the compatibility snippets, identical under tinynet and PyTorch.

A snippet keeps its own random calls (``torch.randn(...)``, ``nn.Linear(...)``), so the
API it needs is still exercised, and then passes the result through one of these
helpers, which overwrite the values in place with draws from one seeded numpy generator.
Both libraries then compute on the same numbers and print comparable results::

    W = harness.normal(torch.randn((27, 27), generator=g, requires_grad=True))
    model = harness.init_params(NeuralNetwork())

The data sets stand in for downloads (MNIST, FashionMNIST, names.txt): scikit-learn's
8x8 digits and a short list of names. Nothing here is measured: the helpers write
through ``.data``, a tensor sharing the parameter's storage in both libraries.
"""
import functools
import math

import numpy as np

_rng = np.random.default_rng(0)


def reset(seed: int = 0) -> None:
    """Restart the generator (the runner calls this before every snippet)."""
    global _rng
    _rng = np.random.default_rng(seed)


def _fill(t, values) -> None:
    data = t.data
    data.copy_(data.new_tensor(np.asarray(values)))


def normal(t, mean: float = 0.0, std: float = 1.0):
    """Overwrite ``t`` with N(mean, std²) draws; returns ``t``."""
    _fill(t, _rng.normal(mean, std, size=tuple(t.shape)))
    return t


def uniform(t, low: float = 0.0, high: float = 1.0):
    """Overwrite ``t`` with U(low, high) draws; returns ``t``."""
    _fill(t, _rng.uniform(low, high, size=tuple(t.shape)))
    return t


def integers(t, low: int, high: int):
    """Overwrite ``t`` with integers in [low, high); returns ``t``."""
    _fill(t, _rng.integers(low, high, size=tuple(t.shape)))
    return t


def init_params(module, how: str = "linear"):
    """Overwrite every parameter of ``module`` (in ``named_parameters`` order); returns it.

    ``how="linear"``: PyTorch's default for Linear and Conv layers, U(±1/√fan_in) for a
    weight (fan_in: the product of its dims after the first) and for the bias after it.
    ``how="normal"``: N(0, 1) for every parameter.
    """
    bound = 1.0
    for _, p in module.named_parameters():
        if how == "normal":
            normal(p)
            continue
        if len(p.shape) >= 2:
            bound = 1.0 / math.sqrt(int(np.prod(p.shape[1:])))
        uniform(p, -bound, bound)
    return module


# Every letter appears, as in makemore's names.txt (the lectures index 27 characters).
NAMES = """emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily
elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace chloe
penelope layla riley zoey nora lily eleanor hannah lillian addison aubrey ellie stella
natalie zoe leah hazel violet aurora savannah audrey brooklyn bella claire skylar quinn
xavier jackson felix kylie wyatt yusuf jaxon maximilian dominic oscar hugo bruno""".split()


def names() -> list:
    """A fresh copy of the word list (snippets shuffle it in place)."""
    return list(NAMES)


def digits():
    """scikit-learn's digits as MNIST arrays: (x_train, y_train, x_valid, y_valid).

    Images are flattened 8x8 rows of float32 in [0, 1], labels int64; the first 1500
    samples train, the other 297 validate (no shuffling: the same split every run).
    Fresh copies each call: a snippet may change its arrays in place.
    """
    return tuple(a.copy() for a in _digits())


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits  # imported here: it takes a second

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    y = y.astype(np.int64)
    return X[:1500], y[:1500], X[1500:], y[1500:]


def digits_dataset(torch, train: bool = True) -> list:
    """The digits as a torchvision dataset would give them: a list of
    (image tensor of shape (1, 8, 8), int label), built with the snippet's library."""
    x_train, y_train, x_valid, y_valid = digits()
    X, y = (x_train, y_train) if train else (x_valid, y_valid)
    return [(torch.tensor(image.reshape(1, 8, 8)), int(label)) for image, label in zip(X, y)]
