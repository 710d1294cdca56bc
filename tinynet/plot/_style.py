"""What every figure shares: the palette, display names, a Figure without pyplot, and
writing it atomically."""
import functools
import io
import os

from tinynet.files import atomic_write
from tinynet.names import NAMES, display_name  # noqa: F401  (the figures' names)

# Okabe & Ito, "Color Universal Design" (2008): told apart with any colour vision
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442",
             "#000000")


def new_figure(where: str, **kwargs):
    """A matplotlib Figure that a notebook shows when a cell returns it."""
    try:
        return _shown_figure_class()(**kwargs)
    except ImportError:
        raise ImportError(f"{where}: plotting needs matplotlib, which is not installed; "
                          f"pip install 'tinynet[plot]'") from None


@functools.cache
def _shown_figure_class():
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        """A Figure with a PNG for IPython's display. NOTE: built without pyplot (so no
        backend is switched and no figure kept alive), a Figure has no notebook display
        until ``%matplotlib inline`` registers one; this gives it one either way."""

        def _repr_png_(self):
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=110)
            return buffer.getvalue()

    return ShownFigure


def finish(fig, path, where: str):
    if fig.get_layout_engine() is None:  # figures with legends outside use "constrained"
        fig.tight_layout()
    if path is not None:
        # the format from the file name, as savefig(path) would; written atomically
        suffix = os.path.splitext(os.fspath(path))[1][1:].lower()
        with atomic_write(path, "wb", where=where) as f:
            fig.savefig(f, dpi=110, format=suffix or None)
    return fig


def epoch_axis(ax, ticks: int = 8) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    # integer ticks only (never 1.5), even when the view holds a single integer
    ax.xaxis.set_major_locator(MaxNLocator(ticks, integer=True, min_n_ticks=1))


def plot_line(ax, epochs, values, **style) -> None:
    """A line over epochs, with markers on a short run (a 1-epoch run still shows)."""
    ax.plot(epochs, values, marker="o" if len(epochs) <= 12 else None, markersize=3, **style)


def share_axis(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def colormap(name: str):
    from matplotlib import colormaps

    return colormaps[name]


def legend_outside(ax) -> None:
    if not ax.get_legend_handles_labels()[0]:  # nothing to name (no such layer)
        return
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False,
              ncol=1 + len(ax.lines) // 13)
