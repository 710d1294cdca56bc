"""Figures (needs the ``plot`` extra: matplotlib). Every function writes a PNG when
given ``path`` and returns the matplotlib Figure.

NOTE: figures are built as ``matplotlib.figure.Figure`` objects, not through pyplot, so
they render without a display, never switch the user's backend (a notebook keeps its
inline plots) and are not kept alive in pyplot's list of open figures.
"""
import os

import numpy as np

from tinynet.files import atomic_write
from tinynet.models import make_activation
from tinynet.tensor import Tensor


def _figure(**kwargs):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'tinynet[plot]'") from None
    return Figure(**kwargs)


def _colormap(name: str):
    from matplotlib import colormaps

    return colormaps[name]


def _layer_metric(history, name: str) -> dict:
    values = history.layer_metric(name)
    if not values:
        raise ValueError(f"this History has no per-layer {name!r}: train with monitor=True")
    return values


def _finish(fig, path):
    fig.tight_layout()
    if path is not None:
        # the format from the file name, as savefig(path) would; written atomically
        suffix = os.path.splitext(os.fspath(path))[1][1:].lower()
        with atomic_write(path, "wb") as f:
            fig.savefig(f, dpi=110, format=suffix or None)
    return fig


def activations(path=None, names=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
                                  "gelu_tanh")):
    """Each activation f(z) and its derivative f'(z) on z in [-4, 4]."""
    z = np.linspace(-4, 4, 801)
    fig = _figure(figsize=(10, 4))
    ax_f, ax_d = fig.subplots(1, 2)
    for name in names:
        module = make_activation(name)
        y = module(Tensor(z)).data
        ax_f.plot(z, y, label=name)
        if name != "identity":
            ax_d.plot(z, module.derivative(z, y), label=name)
    ax_f.set(title="activation f(z)", xlabel="z", ylim=(-1.5, 4))
    ax_d.set(title="derivative f'(z)", xlabel="z", ylim=(-0.2, 1.3))
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="grey", lw=0.5)
        ax.grid(alpha=0.3)
    ax_d.legend(fontsize=8)
    return _finish(fig, path)


def curves(history, path=None):
    """Loss and accuracy per epoch (train and, if recorded, validation)."""
    epochs = history["epoch"]
    fig = _figure(figsize=(10, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    for split in ("train", "val"):
        if history[f"{split}_loss"][0] is not None:
            ax_loss.plot(epochs, history[f"{split}_loss"], label=split)
        if history[f"{split}_acc"][0] is not None:
            ax_acc.plot(epochs, history[f"{split}_acc"], label=split)
    ax_loss.set(title="loss", xlabel="epoch")
    ax_acc.set(title="accuracy", xlabel="epoch")
    for ax in (ax_loss, ax_acc):
        if ax.lines:  # a regression run has no accuracy to show
            ax.legend()
        ax.grid(alpha=0.3)
    return _finish(fig, path)


def gradient_norms(history, path=None):
    """Each Linear's mean weight-gradient norm per epoch, log scale."""
    fig = _figure(figsize=(7, 4.5))
    ax = fig.subplots()
    norms = _layer_metric(history, "grad_norm")
    cmap = _colormap("viridis")
    for i, (layer, values) in enumerate(norms.items()):
        ax.plot(history["epoch"], values, color=cmap(i / max(len(norms) - 1, 1)),
                label=f"Linear {layer}")
    ax.set(yscale="log", title="gradient norm per layer", xlabel="epoch",
           ylabel="‖∂L/∂W‖ (mean over steps)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3, which="both")
    return _finish(fig, path)


def unit_health(history, path=None):
    """Dead and saturation rates of each activation layer per epoch."""
    fig = _figure(figsize=(10, 4))
    ax_dead, ax_sat = fig.subplots(1, 2)
    for layer, values in _layer_metric(history, "dead_rate").items():
        ax_dead.plot(history["epoch"], values, label=f"layer {layer}")
    for layer, values in _layer_metric(history, "saturation_rate").items():
        ax_sat.plot(history["epoch"], values, label=f"layer {layer}")
    ax_dead.set(title="dead units", xlabel="epoch", ylim=(-0.02, 1.02))
    ax_sat.set(title="saturated (sample, unit) pairs", xlabel="epoch", ylim=(-0.02, 1.02))
    for ax in (ax_dead, ax_sat):
        ax.grid(alpha=0.3)
    ax_dead.legend(fontsize=7)
    return _finish(fig, path)


def decision_boundary(model, X, y, path=None, resolution: int = 200):
    """The predicted class over the plane, with the points (2-D inputs only)."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs (N, 2) inputs, got shape {X.shape}")
    from tinynet.autograd.grad_mode import no_grad

    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(next(model.parameters()).dtype)
    was_training = model.training
    model.eval()
    with no_grad():
        predicted = model(Tensor(grid)).data.argmax(axis=1).reshape(gx.shape)
    model.train(was_training)
    fig = _figure(figsize=(5, 4.5))
    ax = fig.subplots()
    ax.contourf(gx, gy, predicted, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="coolwarm", edgecolors="none")
    ax.set(title="decision boundary")
    return _finish(fig, path)


def comparison(result, path=None):
    """A compare_activations result: test accuracy (± std) and the gradient ratio."""
    rows = result.rows
    names = [r["activation"] for r in rows]
    fig = _figure(figsize=(10, 4))
    ax_acc, ax_grad = fig.subplots(1, 2)
    ax_acc.bar(names, [r["test_acc_mean"] for r in rows],
               yerr=[r["test_acc_std"] for r in rows], color="tab:blue", alpha=0.8)
    ax_acc.set(title="test accuracy (mean ± std over seeds)", ylim=(0, 1))
    ax_grad.bar(names, [r["grad_ratio"] for r in rows], color="tab:orange", alpha=0.8)
    ax_grad.set(yscale="log", title="gradient norm first/last layer (epoch 1)")
    for ax in (ax_acc, ax_grad):
        ax.tick_params(axis="x", rotation=30)
        ax.grid(alpha=0.3, axis="y")
    settings = result.settings
    fig.suptitle(f"{settings.get('dataset')}: depth {settings.get('depth')}, "
                 f"width {settings.get('width')}, norm {settings.get('norm')}")
    return _finish(fig, path)


__all__ = ["activations", "comparison", "curves", "decision_boundary", "gradient_norms",
           "unit_health"]
