"""``init_report``: how signals and gradients flow through a model before any training."""
import numpy as np

from tinynet import nn
from tinynet.diagnostics.labels import layer_labels
from tinynet.diagnostics.monitor import Monitor
from tinynet.factories import from_numpy
from tinynet.tables import cells, html_table, text_table
from tinynet.tensor import Tensor


class InitReport(list):
    """A list of per-layer rows (dicts) that prints as a table (and shows as one in a
    notebook)."""

    _COLUMNS = (("act mean", "act_mean", ".3f"), ("act std", "act_std", ".3f"),
                ("grad norm", "grad_norm", ".2e"), ("dead", "dead_rate", ".0%"),
                ("saturated", "saturation_rate", ".0%"))

    def _parts(self) -> tuple:
        # each row's module path (its "layer" key), then its label as hints and the
        # History's summary write it ("layer 2 · Tanh")
        titles = ["module", "layer"] + [title for title, _, _ in self._COLUMNS]
        spec = [(key, fmt) for _, key, fmt in self._COLUMNS]
        labels = layer_labels({r["layer"]: r for r in self})
        return titles, [[r["layer"], labels[r["layer"]]] + cells(r, spec) for r in self]

    def __str__(self) -> str:
        return text_table(*self._parts(), left=2)

    def _repr_html_(self) -> str:
        return html_table(*self._parts())


def init_report(model, X, y=None, seed: int = 0) -> InitReport:
    """One forward and backward pass at the current (initial) weights, measured per layer.

    Args:
        model: the module, typically freshly initialised; it is not changed (its
            gradients are restored afterwards).
        X: a batch of inputs (N, D); an array is cast to the model's dtype.
        y: class labels (N,) for a cross-entropy loss; if None the output is
            back-propagated along a fixed random direction (seeded by ``seed``), which
            exposes the same per-layer gradient scaling.
        seed: seeds that direction (default 0).

    Returns:
        rows with ``layer``, ``kind``, and ``act_mean``/``act_std``/``dead_rate``/
        ``saturation_rate`` for activations or ``grad_norm`` for Linear layers.

    Example:
        >>> import tinynet as tn
        >>> _ = tn.manual_seed(0)  # returns the generator, as in PyTorch
        >>> deep = tn.models.MLP(2, [32] * 10, 2, activation="sigmoid", init="pytorch")
        >>> rows = tn.init_report(deep, tn.randn(64, 2))
        >>> rows[0]["grad_norm"] < 1e-3 * rows[-1]["grad_norm"]   # vanishing at init
        True
    """
    saved = [(p, p.grad) for p in model.parameters()]
    # like fit: array inputs take the model's dtype (numpy's float64 default would not fit)
    dtype = saved[0][0].dtype if saved else None
    x = X if isinstance(X, Tensor) else from_numpy(np.asarray(X, dtype=dtype))
    was_training = model.training
    model.train()
    for p, _ in saved:
        p.grad = None
    try:
        with Monitor(model) as monitor:
            out = model(x)
            if y is not None:
                loss = nn.functional.cross_entropy(out, y)
            else:
                direction = np.random.default_rng(seed).standard_normal(out.shape)
                loss = (out * from_numpy(direction.astype(out.dtype) / len(out))
                        ).sum()
            loss.backward()
            layers = monitor.end_epoch()["layers"]
    finally:
        for p, grad in saved:
            p.grad = grad
        model.train(was_training)
    return InitReport({"layer": name, **stats} for name, stats in layers.items())
