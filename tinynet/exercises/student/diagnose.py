"""Task 11: read a training run's History and say what went wrong.

``history.records[epoch - 1]["layers"]`` maps each watched layer's name ('0', '1', ...)
to its numbers for that epoch: a Linear's ``grad_norm`` (the mean norm of its weight
gradient), an activation's ``dead_rate`` (the share of its units whose derivative was 0
for every sample) and ``saturation_rate``. Each record's layers are in model order.
"""
import sys
from pathlib import Path

if __name__ == "__main__":
    # NOTE: `python exercises/diagnose.py` puts exercises/ first on sys.path, not the workspace,
    # so `import tinynet` would find an installed tinynet; the workspace goes first, so that
    # this script runs the copy of tinynet you write, as the grader does
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def gradient_ratio(history, epoch: int = 1) -> float:
    """The first Linear's ``grad_norm`` divided by the last Linear's, in ``epoch``."""
    # BEGIN SOLUTION diagnose
    layers = history.records[epoch - 1]["layers"].values()
    norms = [stats["grad_norm"] for stats in layers if stats.get("kind") == "Linear"]
    return norms[0] / norms[-1]
    # END SOLUTION


def vanishing(history) -> bool:
    """Whether the gradient vanished on its way back: the ratio, in epoch 1, is below
    1e-3."""
    # BEGIN SOLUTION diagnose
    return gradient_ratio(history, epoch=1) < 1e-3
    # END SOLUTION


def dead_layer(history):
    """The name of the activation layer with the highest ``dead_rate`` in the last epoch,
    or None when no layer has more than half of its units dead."""
    # BEGIN SOLUTION diagnose
    layers = history.records[-1]["layers"]
    rates = {name: stats["dead_rate"] for name, stats in layers.items() if "dead_rate" in stats}
    worst = max(rates, key=rates.get, default=None)
    return worst if worst is not None and rates[worst] > 0.5 else None
    # END SOLUTION
