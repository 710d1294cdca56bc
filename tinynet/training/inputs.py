"""Checks of the arrays ``fit`` trains on: each bad input is named, with the rule it broke
and the offending value, before the first step (not as a numpy error deep inside)."""
import numpy as np

from tinynet.tensor import as_array

CLASS_INDEX_LOSSES = ("cross_entropy", "nll")


def check_inputs(where: str, X, dtype) -> np.ndarray:
    """X as a finite (N, D) array of ``dtype`` with N >= 1."""
    X = _numeric(where, "X", X)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must be (N, D), got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{where}: X must hold at least one sample, got shape {X.shape}")
    X = X.astype(dtype, copy=False)
    _finite(where, "X", X)
    return X


def check_targets(where: str, y, n: int, loss_name: str, dtype) -> np.ndarray:
    """y for ``loss_name``: class indices (N,) as int64 for cross-entropy and NLL,
    probabilities in [0, 1] for BCE ((N,) becomes (N, 1)), finite values otherwise."""
    y = _numeric(where, "y", y)
    if len(y) != n:
        raise ValueError(f"{where}: y must have one target per sample of X ({n}), got shape "
                         f"{y.shape}")
    _finite(where, "y", y)
    if loss_name in CLASS_INDEX_LOSSES:
        if y.ndim != 1:
            raise ValueError(f"{where}: y must be (N,) class indices for {loss_name}, got "
                             f"shape {y.shape}")
        whole = y == np.round(y) if y.dtype.kind == "f" else np.ones(y.shape, bool)
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise ValueError(f"{where}: y must hold integer class labels for {loss_name}, "
                             f"got {y[i].item()!r} at position {i}")
        if y.size and y.min() < 0:
            i = int(np.argmin(y))
            raise ValueError(f"{where}: y must hold class indices >= 0, got {y[i].item()!r} at "
                             f"position {i}")
        return y.astype(np.int64)
    y = y.astype(dtype)
    if loss_name == "bce_with_logits" and y.size and not (y.min() >= 0 and y.max() <= 1):
        i = int(np.flatnonzero((y < 0) | (y > 1))[0])
        raise ValueError(f"{where}: y must hold probabilities in [0, 1] for "
                         f"bce_with_logits, got {y.reshape(-1)[i].item()!r} at position {i}")
    return y[:, None] if y.ndim == 1 else y


def check_class_count(where: str, y: np.ndarray, n_outputs: int, loss_name: str) -> None:
    """Class indices (from ``check_targets``) must be below the model's number of outputs,
    one per class, for ``loss_name`` to read them."""
    if loss_name in CLASS_INDEX_LOSSES and y.size and y.max() >= n_outputs:
        i = int(np.flatnonzero(y >= n_outputs)[0])
        raise ValueError(f"{where}: y must hold class indices below the model's {n_outputs} "
                         f"outputs (one per class), got {y[i].item()!r} at position {i}")


def check_validation_data(where: str, validation_data, n_features: int, loss_name: str,
                          dtype) -> tuple:
    """(X_val, y_val) checked as X and y are (and with X's number of features)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(f"{where}: validation_data must be a pair (X_val, y_val), got "
                         f"{type(validation_data).__name__}")
    inner = f"{where}: validation_data"
    X_val = check_inputs(inner, validation_data[0], dtype)
    if X_val.shape[1] != n_features:
        raise ValueError(f"{inner}: X_val must have X's {n_features} features, got shape "
                         f"{X_val.shape}")
    y_val = check_targets(inner, validation_data[1], len(X_val), loss_name, dtype)
    return X_val, y_val


def _numeric(where: str, name: str, values) -> np.ndarray:
    """``values`` as a numeric array; strings and objects are refused with a hint (labels
    such as "0"/"1" or "cat"/"dog" must be encoded first: numpy would silently parse some
    of them and fail on others)."""
    try:
        array = as_array(values)
    except ValueError:  # numpy's "inhomogeneous shape"
        raise ValueError(f"{where}: {name} must be a rectangular array of numbers, got a "
                         f"ragged {type(values).__name__}") from None
    if array.dtype.kind not in "biuf":
        sample = array.reshape(-1)[:3].tolist()
        raise TypeError(f"{where}: {name} must be numeric, got dtype {array.dtype} "
                        f"(e.g. {sample}); encode labels as integers first, for example "
                        f"with sklearn.preprocessing.LabelEncoder")
    return array


def _finite(where: str, name: str, array: np.ndarray) -> None:
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        position = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in position)
        raise ValueError(f"{where}: {name} must be finite, got {array[index].item()!r} at index "
                         f"{index if len(index) > 1 else index[0]}")
