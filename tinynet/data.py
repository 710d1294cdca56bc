"""scikit-learn datasets by name, split and standardised; a minibatch iterator."""
import functools
from dataclasses import dataclass

import numpy as np

from tinynet.checks import check_choice, check_int, check_real, check_seed
from tinynet.training.epoch import batches  # noqa: F401  (tn.data.batches, as before)

__all__ = [
    "DATASETS", "SYNTHETIC", "Dataset", "load_dataset", "batches",
]


def _sklearn_datasets():
    """``sklearn.datasets``, imported on first use: importing scikit-learn takes about a
    second, which was most of ``import tinynet``."""
    from sklearn import datasets

    return datasets


@functools.lru_cache(maxsize=None)
def _stored(loader: str) -> tuple:
    """(X, y) of one of scikit-learn's stored datasets, read from disk once per process:
    a comparison loads its dataset for every run, and reading digits costs more than
    splitting and scaling it. Read-only: every caller shares these arrays."""
    X, y = getattr(_sklearn_datasets(), loader)(return_X_y=True)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


# name -> function(n_samples, noise, seed) -> (X, y); n_samples/noise only for synthetic sets
_LOADERS = {
    "moons": lambda n, noise, seed: _sklearn_datasets().make_moons(
        n_samples=1000 if n is None else n, noise=0.2 if noise is None else noise,
        random_state=seed),
    "circles": lambda n, noise, seed: _sklearn_datasets().make_circles(
        n_samples=1000 if n is None else n, noise=0.1 if noise is None else noise, factor=0.5,
        random_state=seed),
    "blobs": lambda n, noise, seed: _sklearn_datasets().make_blobs(
        n_samples=1000 if n is None else n, centers=4,
        cluster_std=1.0 if noise is None else noise,
        random_state=seed),
    "classification": lambda n, noise, seed: _sklearn_datasets().make_classification(
        n_samples=1000 if n is None else n, n_features=20, n_informative=10, n_classes=3,
        flip_y=0.01 if noise is None else noise, random_state=seed),
    "iris": lambda n, noise, seed: _stored("load_iris"),
    "wine": lambda n, noise, seed: _stored("load_wine"),
    "breast_cancer": lambda n, noise, seed: _stored("load_breast_cancer"),
    "digits": lambda n, noise, seed: _stored("load_digits"),
}
DATASETS = tuple(_LOADERS)
SYNTHETIC = ("moons", "circles", "blobs", "classification")  # generated: n_samples, noise


@dataclass
class Dataset:
    """A split, standardised classification dataset (features float32 unless asked)."""

    name: str
    X_train: np.ndarray  # (N_train, D)
    y_train: np.ndarray  # (N_train,) int64 class indices
    X_test: np.ndarray  # (N_test, D)
    y_test: np.ndarray  # (N_test,)
    n_classes: int

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]


def _dtype(where: str, dtype) -> np.dtype:
    """``dtype`` as numpy's; None is the default, float32 (as ``MLP(dtype=None)``'s)."""
    try:
        return np.dtype(np.float32 if dtype is None else dtype)
    except TypeError as error:
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dtype!r} "
                        f"({error})") from None


def load_dataset(name: str, test_size: float = 0.25, seed: int = 0, n_samples: int = None,
                 noise: float = None, dtype=np.float32) -> Dataset:
    """Load a scikit-learn dataset by name, split it (stratified, seeded) and standardise
    the features with statistics of the training part only.

    Args:
        name: one of ``DATASETS`` (moons, circles, blobs, classification, iris, wine,
            breast_cancer, digits).
        test_size: fraction held out for testing (default 0.25).
        seed: seeds both the synthetic generator and the split.
        n_samples, noise: for the synthetic datasets only (defaults: 1000 and a
            per-dataset noise level); None for the others.
        dtype: feature dtype (default float32).

    Example:
        >>> import tinynet as tn
        >>> data = tn.data.load_dataset("iris", seed=0)
        >>> data.X_train.shape, data.n_classes
        ((112, 4), 3)
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    where = "load_dataset"
    check_choice(where, "name", name, DATASETS)
    test_size = check_real(where, "test_size", test_size, 0.0, 1.0, low_open=True,
                           high_open=True)
    seed = check_seed(where, "seed", seed)
    dtype = check_choice(where, "dtype", _dtype(where, dtype), (np.dtype(np.float32),
                                                           np.dtype(np.float64)))
    if name not in SYNTHETIC:
        for argument, value in (("n_samples", n_samples), ("noise", noise)):
            if value is not None:
                raise ValueError(f"{where}: {argument} must be None for {name!r}, which has "
                                 f"a fixed size and no noise, got {value!r} ({argument} "
                                 f"applies to {', '.join(SYNTHETIC)})")
    if n_samples is not None:
        check_int(where, "n_samples", n_samples, 4)
    if noise is not None:
        check_real(where, "noise", noise, 0.0)
    X, y = _LOADERS[name](n_samples, noise, seed)
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed)
    except ValueError as error:  # too few samples for a stratified split
        raise ValueError(f"{where}: n_samples={len(X)} and test_size={test_size} cannot be "
                         f"split with every class on both sides ({error}); give more "
                         f"samples") from None
    scaler = StandardScaler().fit(X_train)
    return Dataset(name, scaler.transform(X_train).astype(dtype), y_train.astype(np.int64),
                   scaler.transform(X_test).astype(dtype), y_test.astype(np.int64),
                   int(len(np.unique(y))))
