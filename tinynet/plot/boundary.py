"""The decision boundary of a model over 2-D data, with the points."""
import numpy as np

from tinynet.checks import check_int
from tinynet.nn import Module
from tinynet.plot._style import OKABE_ITO, colormap, finish, new_figure
from tinynet.factories import tensor


def _probabilities(model, grid: np.ndarray):
    """(P (G, C) per grid point and class, the C class labels) from a tinynet Module or a
    fitted scikit-learn-style estimator: ``predict_proba``; else ``decision_function``
    (one score: P(second class) = sigmoid(score); one per class: the highest wins, with
    P = 1); else ``predict`` (P = 1 for the predicted class)."""
    if isinstance(model, Module):
        from tinynet.autograd.grad_mode import no_grad

        dtype = next(model.parameters()).dtype
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                logits = model(tensor(grid.astype(dtype))).array.astype(np.float64)
        finally:
            model.train(was_training)
        logits = logits.reshape(len(grid), -1)
        if logits.shape[1] == 1:  # one logit: class 1 where logit > 0
            return _two_class(logits[:, 0]), np.array([0, 1])
        p = np.exp(logits - logits.max(axis=1, keepdims=True))  # softmax, shifted: no overflow
        return p / p.sum(axis=1, keepdims=True), np.arange(logits.shape[1])
    names = getattr(model, "feature_names_in_", None)
    if names is not None:  # fitted on a DataFrame: ask with the same columns, no warning
        import pandas as pd

        grid = pd.DataFrame(grid, columns=names)
    for method in ("predict_proba", "decision_function", "predict"):
        predict = getattr(model, method, None)  # a Pipeline offers only its last step's
        if predict is not None:
            break
    else:
        raise TypeError(f"decision_boundary: model must be a tinynet Module or an estimator "
                        f"with predict_proba, decision_function or predict, got "
                        f"{type(model).__name__}")
    out = np.asarray(predict(grid))
    classes = getattr(model, "classes_", None)
    if method != "predict" and classes is None:
        classes = np.arange(2 if out.ndim == 1 else out.shape[1])
    if method == "predict_proba":
        return out, np.asarray(classes)
    if method == "decision_function" and out.ndim == 1:  # > 0 means the second class
        return _two_class(out), np.asarray(classes)
    if method == "decision_function":
        out = np.asarray(classes)[out.argmax(axis=1)]
    classes = np.unique(out) if classes is None else np.asarray(classes)
    return (out[:, None] == classes[None, :]).astype(float), classes


def _two_class(score: np.ndarray) -> np.ndarray:
    """[1 - p, p] with p = sigmoid(score) = (1 + tanh(score / 2)) / 2 (never overflows)."""
    p = 0.5 * (1 + np.tanh(0.5 * score))
    return np.stack([1 - p, p], axis=1)


def decision_boundary(model, X, y, path=None, resolution: int = 200, feature_names=None):
    """The model's class probabilities over the plane around 2-D data, with the points.

    Two classes: the probability of the second class as a diverging colour (blue 0,
    white 0.5, red 1) with its 0.5 contour, the decision boundary. Three or more: each
    point of the plane takes its predicted class's colour (Okabe-Ito palette), fainter
    where that class's probability is lower, with the boundaries between classes drawn.
    Points are coloured (and shaped) by their true class; misclassified ones are circled.

    Args:
        model: a tinynet Module mapping (N, 2) to logits (one logit: p = sigmoid(logit);
            C >= 2: softmax), or a fitted scikit-learn-style estimator or Pipeline
            (``predict_proba``, else ``decision_function``, else ``predict``), such as
            ``tinynet.sklearn.MLPClassifier``. Class names come from ``classes_``.
        X: (N, 2) inputs; y: (N,) true labels.
        path: where to write the PNG (optional).
        resolution: grid points per axis (default 200).
        feature_names: the two axis labels (default the estimator's
            ``feature_names_in_``, else "x₁", "x₂").
    """
    X, y = _checked(X, y, resolution)
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    proba, classes = _probabilities(model, np.c_[gx.ravel(), gy.ravel()])
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(f"decision_boundary: y must hold the model's classes "
                         f"{classes.tolist()}, got also {unknown.tolist()}")
    fig = new_figure("decision_boundary", figsize=(6.4, 5), layout="constrained")
    ax = fig.subplots()
    dx, dy = (x1 - x0) / (resolution - 1), (y1 - y0) / (resolution - 1)
    extent = (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2)  # pixels centred on the grid
    draw = _draw_two_classes if len(classes) == 2 else _draw_classes
    colours = draw(fig, ax, gx, gy, proba, classes, extent)
    predicted = classes[_probabilities(model, X)[0].argmax(axis=1)]
    _draw_points(ax, X, y, predicted, classes, colours)
    names = feature_names if feature_names is not None else getattr(model, "feature_names_in_",
                                                                     ("x₁", "x₂"))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=names[0], ylabel=names[1],
           title="decision boundary")
    ax.legend(fontsize=8, loc="best", framealpha=0.85)
    return finish(fig, path, "decision_boundary")


def _checked(X, y, resolution) -> tuple:
    """X as a float64 (N, 2) array and y as (N,) labels, or a clear error."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must be (N, 2) inputs, got shape {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"decision_boundary: y must be (N,) labels with N = {len(X)} as in X, "
                         f"got shape {y.shape}")
    check_int("decision_boundary", "resolution", resolution, 2)
    return X.astype(np.float64), y


def _draw_two_classes(fig, ax, gx, gy, proba, classes, extent) -> list:
    """P(second class) as a diverging colour with its 0.5 contour; the two colours."""
    cmap = colormap("RdBu_r")
    image = ax.imshow(proba[:, 1].reshape(gx.shape), extent=extent, origin="lower",
                      cmap=cmap, vmin=0, vmax=1, aspect="auto", alpha=0.6)
    ax.contour(gx, gy, proba[:, 1].reshape(gx.shape), levels=[0.5], colors="black",
               linewidths=1.2)
    fig.colorbar(image, ax=ax, label=f"P(class {classes[1]})", shrink=0.85)
    return [cmap(0.0), cmap(1.0)]


def _draw_classes(fig, ax, gx, gy, proba, classes, extent) -> list:
    """Each point of the plane in its predicted class's colour, fainter where that class
    is less probable, with the boundaries between classes; the class colours."""
    from matplotlib.colors import to_rgb

    colours = [OKABE_ITO[k % len(OKABE_ITO)] for k in range(len(classes))]
    winner = proba.argmax(axis=1)
    rgba = np.ones((len(winner), 4))
    rgba[:, :3] = np.array([to_rgb(c) for c in colours])[winner]
    confidence = (proba.max(axis=1) - 1 / len(classes)) / (1 - 1 / len(classes))
    rgba[:, 3] = 0.1 + 0.5 * confidence  # a sure region is strong, a hesitant one faint
    ax.imshow(rgba.reshape(*gx.shape, 4), extent=extent, origin="lower", aspect="auto")
    for k in range(len(classes)):  # where P(k) = the best other class's: smooth edges
        margin = proba[:, k] - np.delete(proba, k, axis=1).max(axis=1)
        ax.contour(gx, gy, margin.reshape(gx.shape), levels=[0], colors="black",
                   linewidths=0.8)
    return colours


def _draw_points(ax, X, y, predicted, classes, colours) -> None:
    """The points, coloured and shaped by true class; the misclassified ones circled."""
    edge = "white" if len(classes) == 2 else "#333333"  # dark points, light points
    for k, label in enumerate(classes):  # a shape per class too: colour is not needed
        mine = y == label
        ax.scatter(X[mine, 0], X[mine, 1], s=20, color=colours[k], edgecolors=edge,
                   linewidths=0.5, marker="osD^vP*X"[k % 8], label=f"class {label}")
    wrong = predicted != y
    ax.scatter(X[wrong, 0], X[wrong, 1], marker="o", s=80, facecolors="none",
               edgecolors="black", linewidths=1.3, label=f"misclassified ({wrong.sum()})")
