"""Figures (needs the ``plot`` extra: matplotlib). Every function writes a PNG when
given ``path`` and returns the matplotlib Figure.

Layers are named as in ``tinynet.diagnostics.labels`` ("layer 3 · ReLU") and coloured by
their number, from dark (input side) to light (output side), so a layer keeps its colour
from panel to panel. Every epoch axis has integer ticks.

NOTE: figures are built as ``matplotlib.figure.Figure`` objects, not through pyplot, so
they render without a display, never switch the user's backend (a notebook keeps its
inline plots) and are not kept alive in pyplot's list of open figures.
"""
import math
import os

import numpy as np

from tinynet.checks import check_int
from tinynet.diagnostics.labels import layer_labels, layer_numbers
from tinynet.diagnostics.monitor import HIST_EDGES
from tinynet.files import atomic_write
from tinynet.models import make_activation
from tinynet.nn import Module
from tinynet.tensor import Tensor

# Okabe & Ito, "Color Universal Design" (2008): told apart with any colour vision
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442",
             "#000000")
UPDATE_RATIO_REFERENCE = 1e-3  # CS231n's rule of thumb for a healthy ‖ΔW‖ / ‖W‖ per step
NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU",
         "gelu_tanh": "GELU (tanh)", "sigmoid": "sigmoid", "tanh": "tanh", "silu": "SiLU",
         "mish": "Mish", "softplus": "Softplus", "prelu": "PReLU", "selu": "SELU",
         "hardtanh": "Hardtanh", "identity": "identity", "adam": "Adam", "adamw": "AdamW",
         "sgd": "SGD", "layernorm": "LayerNorm"}


# ---- shared pieces ----------------------------------------------------------------------
def _figure(where: str, **kwargs):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"{where}: plotting needs matplotlib, which is not installed; "
                          f"pip install 'tinynet[plot]'") from None
    return Figure(**kwargs)


def _finish(fig, path, where: str):
    if fig.get_layout_engine() is None:  # figures with legends outside use "constrained"
        fig.tight_layout()
    if path is not None:
        # the format from the file name, as savefig(path) would; written atomically
        suffix = os.path.splitext(os.fspath(path))[1][1:].lower()
        with atomic_write(path, "wb", where=where) as f:
            fig.savefig(f, dpi=110, format=suffix or None)
    return fig


def _name(key) -> str:
    return NAMES.get(key, str(key))


def _epoch_axis(ax, ticks: int = 8) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    # integer ticks only (never 1.5), even when the view holds a single integer
    ax.xaxis.set_major_locator(MaxNLocator(ticks, integer=True, min_n_ticks=1))


def _monitored(history, where: str) -> dict:
    """The ``layers`` of the last record that has them (names and kinds, model order)."""
    for record in reversed(history.records):
        if record.get("layers"):
            return record["layers"]
    raise ValueError(f"{where}: the History must hold per-layer diagnostics, got none in "
                     f"{len(history.records)} records: train with monitor=True")


# per-layer panels: Monitor key -> (title, y label, log scale)
LAYER_PANELS = {
    "grad_norm": ("weight-gradient norm per Linear", "‖∂L/∂W‖ (mean over steps)", True),
    "update_ratio": ("update / weight per Linear", "‖ΔW‖ / ‖W‖ per step", True),
    "dead_rate": ("dead units (f' = 0 on every sample)", "share of units", False),
    "saturation_rate": ("saturated (|f'| < 5.9% of its peak)", "share of (sample, unit)",
                        False),
}


def _layer_panel(ax, history, layers: dict, key: str) -> None:
    """One line per layer that recorded ``key``: its value per epoch (nan where absent)."""
    labels, numbers = layer_labels(layers), layer_numbers(layers)
    cmap, last = _colormap("viridis"), max(numbers.values())
    for name, label in labels.items():
        values = [r.get("layers", {}).get(name, {}).get(key) for r in history.records]
        if all(v is None for v in values):
            continue
        colour = cmap(0.85 * (numbers[name] - 1) / max(last - 1, 1))  # 0.85: no pale yellow
        _line(ax, history["epoch"], [math.nan if v is None else v for v in values],
              color=colour, label=label)
    title, ylabel, log = LAYER_PANELS[key]
    ax.set(title=title, ylabel=ylabel)
    if log:
        ax.set_yscale("log")
    else:
        _share_axis(ax)
    if not ax.lines:  # e.g. dead units of a model without activations: say so
        ax.text(0.5, 0.5, f"no layer recorded\n{title}", ha="center", va="center",
                transform=ax.transAxes, color="grey")
        ax.set_axis_off()
        return
    if not log and not any(np.any(line.get_ydata()) for line in ax.lines):
        ax.text(0.5, 0.5, "0% in every layer and epoch", ha="center", va="center",
                transform=ax.transAxes, color="grey")  # the lines hide each other along 0
    if key == "update_ratio":
        ax.axhline(UPDATE_RATIO_REFERENCE, color="black", ls="--", lw=1,
                   label="1e-3 rule of thumb")
    _epoch_axis(ax)
    ax.grid(alpha=0.3, which="both")


def _line(ax, epochs, values, **style) -> None:
    """A line over epochs, with markers on a short run (a 1-epoch run still shows)."""
    ax.plot(epochs, values, marker="o" if len(epochs) <= 12 else None, markersize=3, **style)


def _share_axis(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _colormap(name: str):
    from matplotlib import colormaps

    return colormaps[name]


def _legend_outside(ax) -> None:
    if not ax.get_legend_handles_labels()[0]:  # nothing to name (no such layer)
        return
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False,
              ncol=1 + len(ax.lines) // 13)


def _metric_panel(ax, history, metric: str) -> None:
    """``metric`` ('loss' or 'acc') per epoch: train solid, validation (if any) dashed."""
    for split, style in (("train", "-"), ("val", "--")):
        values = history[f"{split}_{metric}"]
        if values[0] is not None:
            _line(ax, history["epoch"], values, ls=style, label=split)
    if not ax.lines:  # a regression run: say so rather than leave an empty frame
        ax.text(0.5, 0.5, "no accuracy\n(not a classification loss)", ha="center",
                va="center", transform=ax.transAxes, color="grey")
        ax.set_axis_off()
        return
    name = {"loss": "loss", "acc": "accuracy"}[metric]
    ax.set(title=name, ylabel=name)
    _epoch_axis(ax)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


# ---- training runs ----------------------------------------------------------------------
def curves(history, path=None):
    """Loss and accuracy per epoch (train solid and, if recorded, validation dashed)."""
    fig = _figure("curves", figsize=(10, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    _metric_panel(ax_loss, history, "loss")
    _metric_panel(ax_acc, history, "acc")
    return _finish(fig, path, "curves")


def gradient_norms(history, path=None):
    """Each Linear's mean weight-gradient norm ‖∂L/∂W‖ per epoch, log scale."""
    layers = _monitored(history, "gradient_norms")
    fig = _figure("gradient_norms", figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    _layer_panel(ax, history, layers, "grad_norm")
    _legend_outside(ax)
    return _finish(fig, path, "gradient_norms")


def unit_health(history, path=None):
    """Dead-unit and saturation rates of each activation layer per epoch (definitions in
    ``tinynet.diagnostics.monitor``)."""
    layers = _monitored(history, "unit_health")
    fig = _figure("unit_health", figsize=(12, 4.2), layout="constrained")
    ax_dead, ax_sat = fig.subplots(1, 2)
    _layer_panel(ax_dead, history, layers, "dead_rate")
    _layer_panel(ax_sat, history, layers, "saturation_rate")
    _legend_outside(ax_sat)
    return _finish(fig, path, "unit_health")


def _histogram_panel(ax, history, name: str, label: str, norm):
    """Epochs on x, output value on y, colour: the share of the epoch's values per bin."""
    records = [r for r in history.records if "act_hist" in r.get("layers", {}).get(name, {})]
    counts = np.array([r["layers"][name]["act_hist"] for r in records], dtype=float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)  # (epochs, bins)
    # the outer bins (below -4.05, from 4.05 up) are drawn as 0.1-high rows at the ends
    edges = np.concatenate([[-4.15], HIST_EDGES[1:-1], [4.15]])
    used = np.flatnonzero(share.sum(axis=0))
    lo, hi = max(used.min() - 2, 0), min(used.max() + 2, share.shape[1] - 1)  # a margin
    epochs = np.array([r["epoch"] for r in records])
    x = np.concatenate([epochs - 0.5, [epochs[-1] + 0.5]])
    shown = np.ma.masked_equal(share[:, lo:hi + 1].T, 0)  # empty bins: background
    mesh = ax.pcolormesh(x, edges[lo:hi + 2], shown, norm=norm, cmap="magma_r")
    beyond = share[:, [0, -1]].sum() / len(share)
    ax.set(title=label + (f"  ({beyond:.0%} beyond ±4.05)" if beyond >= 0.005 else ""),
           ylabel="output value")
    ax.title.set_fontsize(9)
    _epoch_axis(ax, ticks=4)  # a narrow panel
    return mesh


def health(history, path=None):
    """One figure of a run's health, layer by layer, over epochs.

    Panels: loss and accuracy (train, and validation when recorded); each Linear's mean
    weight-gradient norm (log); each Linear's update ratio ‖ΔW‖ / ‖W‖ (log) against a
    dashed line at 1e-3, the rule of thumb of Stanford's CS231n notes for a healthy step
    size; each activation layer's dead-unit and saturation rates; and, per activation
    layer, the distribution of its outputs over epochs (the Monitor's ``act_hist``: the
    share of the epoch's values in each 0.1-wide bin, log colour; values beyond ±4.05
    are drawn in the outermost rows). The title reads the run's settings from
    ``history.config`` (dataset, activation, optimizer, lr) when recorded.

    Args:
        history: a ``History`` recorded with monitoring (``fit``'s default).
        path: where to write the PNG (optional).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: the History has no per-layer diagnostics.

    Example:
        >>> import tinynet as tn
        >>> from tinynet import plot
        >>> data = tn.data.load_dataset("moons", seed=0, n_samples=200)
        >>> model = tn.models.MLP(2, [8, 8], 2, activation="tanh")
        >>> history = tn.fit(model, data.X_train, data.y_train, epochs=2, progress=False)
        >>> fig = plot.health(history)  # plot.health(history, "health.png") also writes it
        >>> [ax.get_title() for ax in fig.axes[-3:-1]]  # the heatmaps, then a colour bar
        ['layer 1 · Tanh', 'layer 2 · Tanh']
    """
    from matplotlib.colors import LogNorm

    layers = _monitored(history, "health")
    hist_layers = [n for n, s in layers.items() if "act_hist" in s]
    columns = min(max(len(hist_layers), 3), 6)
    rows = math.ceil(len(hist_layers) / columns)
    fig = _figure("health", figsize=(15, 6.6 + 2.3 * rows), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[6.3, 0.01 + 2.3 * rows])
    (ax_loss, ax_grad, ax_update), (ax_acc, ax_dead, ax_sat) = top.subplots(2, 3)
    _metric_panel(ax_loss, history, "loss")
    _metric_panel(ax_acc, history, "acc")
    for ax, key in ((ax_grad, "grad_norm"), (ax_update, "update_ratio"),
                    (ax_dead, "dead_rate"), (ax_sat, "saturation_rate")):
        _layer_panel(ax, history, layers, key)
    _legend_outside(ax_update)  # the Linears' colours, for the gradient panel too
    _legend_outside(ax_sat)
    if hist_layers:
        labels = layer_labels(layers)
        norm = LogNorm(vmin=1e-4, vmax=1.0, clip=True)  # under 0.01%: the palest colour
        grid = bottom.add_gridspec(rows, columns)  # at least 3 columns: not too wide
        axes = [bottom.add_subplot(grid[i // columns, i % columns])
                for i in range(len(hist_layers))]
        for ax, name in zip(axes, hist_layers):
            mesh = _histogram_panel(ax, history, name, labels[name], norm)
        bottom.colorbar(mesh, ax=axes, label="share of the epoch's outputs", fraction=0.02,
                        pad=0.01)
        bottom.suptitle("activation outputs per epoch", fontsize=11)
    fig.suptitle(_run_title(history), fontsize=13)
    return _finish(fig, path, "health")


def _run_title(history) -> str:
    """"moons · ReLU · Adam lr 0.01 · 30 epochs" from whichever settings were recorded."""
    config = history.config
    parts = [_name(config[k]) for k in ("dataset", "activation") if config.get(k) is not None]
    optimizer = _name(config["optimizer_name"]) if config.get("optimizer_name") else ""
    lr = f"lr {config['lr']:g}" if config.get("lr") is not None else ""
    if optimizer or lr:
        parts.append(f"{optimizer} {lr}".strip())
    parts.append(f"{len(history)} epoch" + ("s" if len(history) != 1 else ""))
    return " · ".join(parts)


# ---- activations, models, comparisons ---------------------------------------------------
def activations(path=None, names=("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "prelu",
                                  "elu", "selu", "gelu", "gelu_tanh", "silu", "mish",
                                  "softplus")):
    """Each activation f(z) (solid) and its derivative f'(z) (dashed) on z in [-4, 4], one
    small panel per activation with shared axes, so no curve hides another."""
    if not names:
        raise ValueError(f"activations: names must hold at least one activation name, got "
                         f"{names!r}")
    z = np.linspace(-4, 4, 801)
    columns = min(len(names), 4)
    rows = math.ceil(len(names) / columns)
    fig = _figure("activations", figsize=(3.4 * columns, 2.9 * rows + 0.4))
    axes = np.atleast_1d(fig.subplots(rows, columns, sharex=True, sharey=True)).ravel()
    for ax, name in zip(axes, names):
        module = make_activation(name).double()  # a learnable one (PReLU) too
        y = module(Tensor(z)).array
        ax.plot(z, y, color="tab:blue", lw=2, label="f(z)")
        if name != "identity":
            ax.plot(z, module.derivative(z, y), color="tab:orange", lw=2, ls="--",
                    label="f'(z)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(_name(name))
        ax.grid(alpha=0.3)
    axes[0].set(xlim=(-4, 4), ylim=(-1.9, 2.3))  # SELU reaches -1.76
    for ax in axes[len(names):]:  # a spare panel holds the legend
        ax.set_axis_off()
    for ax in axes[len(names) - columns:len(names)]:  # the lowest panel of each column
        ax.set_xlabel("z")
        ax.xaxis.set_tick_params(labelbottom=True)
    legend_ax = axes[len(names)] if len(names) < len(axes) else axes[0]
    handles, labels = axes[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center" if legend_ax is not axes[0] else "upper left",
                     fontsize=11 if legend_ax is not axes[0] else 8)
    return _finish(fig, path, "activations")


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
                logits = model(Tensor(grid.astype(dtype))).array.astype(np.float64)
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
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must be (N, 2) inputs, got shape {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"decision_boundary: y must be (N,) labels with N = {len(X)} as in X, "
                         f"got shape {y.shape}")
    resolution = check_int("decision_boundary", "resolution", resolution, 2)
    X = X.astype(np.float64)
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    proba, classes = _probabilities(model, np.c_[gx.ravel(), gy.ravel()])
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(f"decision_boundary: y must hold the model's classes "
                         f"{classes.tolist()}, got also {unknown.tolist()}")
    predicted_points = classes[_probabilities(model, X)[0].argmax(axis=1)]
    fig = _figure("decision_boundary", figsize=(6.4, 5), layout="constrained")
    ax = fig.subplots()
    dx, dy = (x1 - x0) / (resolution - 1), (y1 - y0) / (resolution - 1)
    extent = (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2)  # pixels centred on the grid
    if len(classes) == 2:
        cmap = _colormap("RdBu_r")
        image = ax.imshow(proba[:, 1].reshape(gx.shape), extent=extent, origin="lower",
                          cmap=cmap, vmin=0, vmax=1, aspect="auto", alpha=0.6)
        ax.contour(gx, gy, proba[:, 1].reshape(gx.shape), levels=[0.5], colors="black",
                   linewidths=1.2)
        fig.colorbar(image, ax=ax, label=f"P(class {classes[1]})", shrink=0.85)
        colours = [cmap(0.0), cmap(1.0)]
    else:
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
    edge = "white" if len(classes) == 2 else "#333333"  # dark points, light points
    for k, label in enumerate(classes):  # a shape per class too: colour is not needed
        mine = y == label
        ax.scatter(X[mine, 0], X[mine, 1], s=20, color=colours[k], edgecolors=edge,
                   linewidths=0.5, marker="osD^vP*X"[k % 8], label=f"class {label}")
    wrong = predicted_points != y
    ax.scatter(X[wrong, 0], X[wrong, 1], marker="o", s=80, facecolors="none",
               edgecolors="black", linewidths=1.3, label=f"misclassified ({wrong.sum()})")
    names = feature_names if feature_names is not None else getattr(model, "feature_names_in_",
                                                                     ("x₁", "x₂"))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=names[0], ylabel=names[1],
           title="decision boundary")
    ax.legend(fontsize=8, loc="best", framealpha=0.85)
    return _finish(fig, path, "decision_boundary")


def comparison(result, path=None):
    """A ``compare_activations`` result: test accuracy (mean ± std over seeds) against
    chance level; the first/last Linear gradient-norm ratio (epoch 1) as points on a log
    axis around 1 (no vanishing or exploding); the dead and saturated shares."""
    rows, settings = result.rows, result.settings
    names = [_name(r["activation"]) for r in rows]
    x = np.arange(len(rows))
    fig = _figure("comparison", figsize=(15, 4.8), layout="constrained")
    ax_acc, ax_grad, ax_units = fig.subplots(1, 3)

    means = [r["test_acc_mean"] for r in rows]
    ax_acc.bar(x, means, yerr=[r["test_acc_std"] for r in rows], color="tab:blue",
               alpha=0.8, capsize=3)
    for k, mean in enumerate(means):
        ax_acc.text(k, mean - 0.03, f"{mean:.2f}", ha="center", va="top", color="white",
                    fontsize=9)
    if settings.get("n_classes"):
        chance = 1 / settings["n_classes"]
        ax_acc.axhline(chance, color="black", ls=":", lw=1.5, label="chance")
        ax_acc.text(len(rows) - 0.5, chance, f"chance 1/{settings['n_classes']}", ha="right",
                    va="bottom", fontsize=8, bbox={"facecolor": "white", "edgecolor": "none",
                                                       "alpha": 0.8, "pad": 1})
    ax_acc.set(title="test accuracy (mean ± std over seeds)", ylim=(0, 1.05),
               ylabel="accuracy")

    ratios = np.array([r["grad_ratio"] for r in rows])
    ax_grad.plot(x, ratios, "o", color="tab:orange", markersize=9)
    for k, ratio in enumerate(ratios):  # beside the point: clear of the line at 1
        if not np.isfinite(ratio):
            continue
        ax_grad.annotate(f"{ratio:.2g}", (k, ratio), textcoords="offset points",
                         xytext=(8, 0), va="center", fontsize=9)
    ax_grad.axhline(1, color="black", ls="--", lw=1, label="1: same norm first and last")
    finite = ratios[np.isfinite(ratios) & (ratios > 0)]
    low, high = min(finite.min(initial=1), 1), max(finite.max(initial=1), 1)
    ax_grad.set(yscale="log", ylim=(low / 4, high * 4), xlim=(-0.5, len(rows) - 0.5),
                title="gradient norm, first / last Linear (epoch 1)",
                ylabel="‖∂L/∂W₁‖ / ‖∂L/∂W_last‖ (log)")
    ax_grad.legend(fontsize=8, loc="lower right")

    width = 0.38
    ax_units.bar(x - width / 2, [r["dead_rate"] for r in rows], width, color=OKABE_ITO[5],
                 label="dead units")
    ax_units.bar(x + width / 2, [r["saturation_rate"] for r in rows], width,
                 color=OKABE_ITO[4], label="saturated (sample, unit)")
    ax_units.set(title="dead and saturated (last epoch, mean over layers)",
                 ylabel="share")
    _share_axis(ax_units)
    ax_units.legend(fontsize=8, loc="upper left")
    for ax in (ax_acc, ax_grad, ax_units):
        ax.set_xticks(x, names, rotation=30)
        ax.grid(alpha=0.3, axis="y", which="both")
    fig.suptitle(_settings_title(settings), fontsize=13)
    return _finish(fig, path, "comparison")


def _settings_title(settings: dict) -> str:
    """"moons · depth 8 × width 32 · no norm · Adam lr 0.01 · 30 epochs · 3 seeds"."""
    parts = [str(settings["dataset"])] if settings.get("dataset") else []
    if settings.get("depth") is not None and settings.get("width") is not None:
        parts.append(f"depth {settings['depth']} × width {settings['width']}")
    parts.append(_name(settings["norm"]) if settings.get("norm") else "no norm")
    # compare_activations trains with fit's default optimizer, Adam
    optimizer = _name(settings.get("optimizer_name") or "adam")
    parts.append(f"{optimizer} lr {settings['lr']:g}" if settings.get("lr") else optimizer)
    for key, unit in (("epochs", "epoch"), ("seeds", "seed")):
        count = settings.get(key)
        count = len(count) if isinstance(count, (list, tuple)) else count
        if count is not None:
            parts.append(f"{count} {unit}" + ("s" if count != 1 else ""))
    return " · ".join(parts)


__all__ = ["activations", "comparison", "curves", "decision_boundary", "gradient_norms",
           "health", "unit_health"]
