"""The activations figure: each activation and its derivative, side by side."""
import math

import numpy as np

from tinynet.models import make_activation
from tinynet.plot._style import display_name, finish, new_figure
from tinynet.factories import tensor


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
    fig = new_figure("activations", figsize=(3.4 * columns, 2.9 * rows + 0.4))
    axes = np.atleast_1d(fig.subplots(rows, columns, sharex=True, sharey=True)).ravel()
    for ax, name in zip(axes, names):
        module = make_activation(name).double()  # a learnable one (PReLU) too
        y = module(tensor(z)).array
        ax.plot(z, y, color="tab:blue", lw=2, label="f(z)")
        if name != "identity":
            ax.plot(z, module.derivative(z, y), color="tab:orange", lw=2, ls="--",
                    label="f'(z)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(display_name(name))
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
    return finish(fig, path, "activations")
