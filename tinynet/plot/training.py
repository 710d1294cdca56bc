"""Figures of one training run from its History: curves, gradient norms, unit health,
and the health figure that puts them together."""
import math

import numpy as np

from tinynet.diagnostics.labels import layer_labels, layer_numbers
from tinynet.diagnostics.monitor import HIST_EDGES
from tinynet.plot._style import (colormap, display_name, epoch_axis, finish, legend_outside,
                                 new_figure, plot_line, share_axis)


UPDATE_RATIO_REFERENCE = 1e-3  # CS231n's rule of thumb for a healthy ‖ΔW‖ / ‖W‖ per step


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
    "dead_rate": ("dead units (f' = 0 on every observed sample)", "share of units", False),
    "saturation_rate": ("saturated (|f'| < 5.9% of its peak)", "share of (sample, unit)",
                        False),
}


def _layer_panel(ax, history, layers: dict, key: str) -> None:
    """One line per layer that recorded ``key``: its value per epoch (nan where absent).
    On a log panel, a 0 (no gradient, no update) is drawn as ▼ below the lines and an
    infinite value as ▲ above them, where a log axis has no place for them, each layer's
    markers a step further out than the last one's (so none hides another), and the
    panel says so; a line per layer in its colour and one of four styles, so neighbouring
    layers differ in more than a shade. The update panel's range takes in its 1e-3
    reference line."""
    labels, numbers = layer_labels(layers), layer_numbers(layers)
    cmap, last = colormap("viridis"), max(numbers.values())
    title, ylabel, log = LAYER_PANELS[key]
    epochs = history["epoch"]
    series = {}
    for name in labels:
        values = [r.get("layers", {}).get(name, {}).get(key) for r in history.records]
        if not all(v is None for v in values):
            series[name] = np.array([math.nan if v is None else v for v in values], float)
    every = np.concatenate(list(series.values())) if series else np.array([])
    if log and series:
        drawable = every[np.isfinite(every) & (every > 0)]
        low, high = (drawable.min(), drawable.max()) if drawable.size else (1.0, 1.0)
        if key == "update_ratio":
            low, high = min(low, UPDATE_RATIO_REFERENCE), max(high, UPDATE_RATIO_REFERENCE)
        bottom, top = low / 4, high * 4
        below = above = 0  # layers whose 0s (infs) are drawn so far
    for name, values in series.items():
        style = dict(color=cmap(0.85 * (numbers[name] - 1) / max(last - 1, 1)),  # 0.85: no
                     ls=LINE_STYLES[(numbers[name] - 1) % len(LINE_STYLES)])  # pale yellow
        if not log:
            plot_line(ax, epochs, values, label=labels[name], **style)
            continue
        shown = np.where(np.isfinite(values) & (values > 0), values, math.nan)
        plot_line(ax, epochs, shown, label=labels[name], **style)
        if (values == 0).any():
            _off_scale_markers(ax, epochs, values == 0, bottom / MARKER_STEP ** below, "v",
                               style["color"])
            below += 1
        if (values == np.inf).any():
            _off_scale_markers(ax, epochs, values == np.inf, top * MARKER_STEP ** above, "^",
                               style["color"])
            above += 1
    ax.set(title=title, ylabel=ylabel)
    if log:
        ax.set_yscale("log")
        if series:
            ax.set_ylim(bottom / MARKER_STEP ** max(below - 1, 0) / 1.5,
                        top * MARKER_STEP ** max(above - 1, 0) * 1.5)
            _say_off_scale(ax, every, key)
    else:
        share_axis(ax)
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
    epoch_axis(ax)
    ax.grid(alpha=0.3, which="both")


LINE_STYLES = ("-", "--", "-.", ":")
MARKER_STEP = 1.4  # the factor between two layers' rows of ▼ (▲) markers on a log panel

# what a 0 and an inf mean, per log panel
OFF_SCALE = {
    "grad_norm": ("▼ 0 (no gradient reached the weights)", "▲ inf (overflowed)"),
    "update_ratio": ("▼ 0 (the weights did not change)",
                     "▲ inf (weights of norm 0 changed, or an overflow)"),
}


def _off_scale_markers(ax, epochs, mask: np.ndarray, level: float, marker: str,
                       color) -> None:
    """One layer's markers for its 0s (▼) or infs (▲), at ``level``."""
    ax.plot(np.asarray(epochs)[mask], np.full(mask.sum(), level), marker, color=color,
            markersize=7, label="_" + marker)


def _say_off_scale(ax, every: np.ndarray, key: str) -> None:
    """Name the markers a log panel draws for the values (``every`` layer's, every
    epoch's) it has no place for."""
    notes = []
    zero, inf = OFF_SCALE[key]
    if (every == 0).any():
        notes.append(zero)
    if (every == np.inf).any():
        notes.append(inf)
    if np.isnan(every).any() and not np.isnan(every).all():
        notes.append("gaps: nan")
    if notes:  # under the epoch axis: inside, the ▲ markers or a line could cover it
        ax.annotate("\n".join(notes), (0.5, 0), xycoords=ax.xaxis.label, xytext=(0, -2),
                    textcoords="offset points", ha="center", va="top", fontsize=8,
                    color="0.25")


def _metric_panel(ax, history, metric: str) -> None:
    """``metric`` ('loss' or 'acc') per epoch: train solid, validation (if any) dashed. A
    split with non-finite values says how many in its legend entry (a line has no place
    for them); a loss spanning more than two decades is drawn on a log axis; a run that
    diverged says where."""
    spans = []
    for split, style in (("train", "-"), ("val", "--")):
        # .get: a History filled by a hand-written loop may not record every metric
        values = [record.get(f"{split}_{metric}") for record in history.records]
        if values and values[0] is not None:
            values = np.array([math.nan if v is None else v for v in values], float)
            bad = int(np.count_nonzero(~np.isfinite(values)))
            label = split if not bad else \
                f"{split} ({bad} epoch{'s' if bad > 1 else ''} inf or nan, not drawn)"
            plot_line(ax, history["epoch"], values, ls=style, label=label)
            spans.extend(values[np.isfinite(values)].tolist())
    if not ax.lines:  # say why, rather than leave an empty frame
        regression = metric == "acc" and history.config.get("loss") in ("mse", "MSELoss")
        missing = "no accuracy\n(not a classification loss)" if regression else \
            f"no {'accuracy' if metric == 'acc' else 'loss'} recorded"
        ax.text(0.5, 0.5, missing, ha="center", va="center", transform=ax.transAxes,
                color="grey")
        ax.set_axis_off()
        return
    name = {"loss": "loss", "acc": "accuracy"}[metric]
    ax.set(title=name, ylabel=name)
    if metric == "loss" and spans and min(spans) > 0 and max(spans) > 100 * min(spans):
        ax.set_yscale("log")
        ax.set(ylabel="loss (log)")
    failure = history.config.get("diverged")
    if metric == "loss" and failure:
        ax.text(0.99, 0.99, f"diverged: the loss became {failure.get('loss')} in epoch "
                f"{failure.get('epoch')}, step {failure.get('step')}",
                transform=ax.transAxes, ha="right", va="top", fontsize=8, color="tab:red")
    epoch_axis(ax)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")


# ---- training runs ----------------------------------------------------------------------
def curves(history, path=None):
    """Loss and accuracy per epoch (train solid and, if recorded, validation dashed)."""
    fig = new_figure("curves", figsize=(10, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    _metric_panel(ax_loss, history, "loss")
    _metric_panel(ax_acc, history, "acc")
    return finish(fig, path, "curves")


def gradient_norms(history, path=None):
    """Each Linear's mean weight-gradient norm ‖∂L/∂W‖ per epoch, log scale."""
    layers = _monitored(history, "gradient_norms")
    fig = new_figure("gradient_norms", figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    _layer_panel(ax, history, layers, "grad_norm")
    legend_outside(ax)
    return finish(fig, path, "gradient_norms")


def unit_health(history, path=None):
    """Dead-unit and saturation rates of each activation layer per epoch (definitions in
    ``tinynet.diagnostics.monitor``)."""
    layers = _monitored(history, "unit_health")
    fig = new_figure("unit_health", figsize=(12, 4.2), layout="constrained")
    ax_dead, ax_sat = fig.subplots(1, 2)
    _layer_panel(ax_dead, history, layers, "dead_rate")
    _layer_panel(ax_sat, history, layers, "saturation_rate")
    legend_outside(ax_sat)
    return finish(fig, path, "unit_health")


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
    epoch_axis(ax, ticks=4)  # a narrow panel
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
    fig = new_figure("health", figsize=(15, 6.6 + 2.3 * rows), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[6.3, 0.01 + 2.3 * rows])
    (ax_loss, ax_grad, ax_update), (ax_acc, ax_dead, ax_sat) = top.subplots(2, 3)
    _metric_panel(ax_loss, history, "loss")
    _metric_panel(ax_acc, history, "acc")
    for ax, key in ((ax_grad, "grad_norm"), (ax_update, "update_ratio"),
                    (ax_dead, "dead_rate"), (ax_sat, "saturation_rate")):
        _layer_panel(ax, history, layers, key)
    legend_outside(ax_update)  # the Linears' colours, for the gradient panel too
    legend_outside(ax_sat)
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
        bottom.suptitle("activation outputs per epoch (a title's % beyond ±4.05: over all "
                        "epochs, drawn in the outer rows)", fontsize=11)
    fig.suptitle(_run_title(history), fontsize=13)
    return finish(fig, path, "health")


def _run_title(history) -> str:
    """"moons · ReLU · Adam lr 0.01 · 30 epochs" from whichever settings were recorded."""
    config = history.config
    parts = [display_name(config[k]) for k in ("dataset", "activation")
             if config.get(k) is not None]
    optimizer = display_name(config["optimizer_name"]) if config.get("optimizer_name") else ""
    lr = f"lr {config['lr']:g}" if config.get("lr") is not None else ""
    rates = [r["lr"] for r in history.records if isinstance(r.get("lr"), (int, float))]
    if lr and rates and rates[-1] != config["lr"]:  # a schedule: where it went
        lr += f" → {rates[-1]:.3g}"
    if optimizer or lr:
        parts.append(f"{optimizer} {lr}".strip())
    parts.append(f"{len(history)} epoch" + ("s" if len(history) != 1 else ""))
    if config.get("diverged"):
        parts.append(f"diverged in epoch {config['diverged'].get('epoch')}")
    return " · ".join(parts)
