"""Figures (needs the ``plot`` extra: matplotlib). Every function writes a PNG when
given ``path`` and returns the matplotlib Figure.

Layers are named as in ``tinynet.diagnostics.labels`` ("layer 3 · ReLU") and coloured by
their number, from dark (input side) to light (output side), so a layer keeps its colour
from panel to panel. Every epoch axis has integer ticks.

NOTE: figures are built as ``matplotlib.figure.Figure`` objects, not through pyplot, so
they render without a display, never switch the user's backend (a notebook keeps its
inline plots) and are not kept alive in pyplot's list of open figures.
"""
from tinynet.plot._style import NAMES, OKABE_ITO  # noqa: F401  (the palette and names)
from tinynet.plot.activation_shapes import activations
from tinynet.plot.boundary import decision_boundary
from tinynet.plot.comparison import comparison
from tinynet.plot.training import curves, gradient_norms, health, unit_health

__all__ = ["activations", "comparison", "curves", "decision_boundary", "gradient_norms",
           "health", "unit_health"]
