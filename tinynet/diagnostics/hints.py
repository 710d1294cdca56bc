"""Plain-language advice from a run's per-epoch records (``History.diagnose``).

Each rule reads the numbers the Monitor recorded and fires above a documented
threshold. The thresholds are rules of thumb, stated here so they can be argued with.
"""
import math

DEAD_RATE = 0.25  # share of dead units in a layer worth a warning
SATURATION_RATE = 0.5  # share of saturated (sample, unit) pairs in a layer
VANISHING_RATIO = 1e-3  # first Linear's gradient norm / last Linear's, below: vanishing
EXPLODING_RATIO = 1e3  # ... above: exploding
UPDATE_RATIO_HIGH = 1e-1  # ‖ΔW‖/‖W‖ per step; ~1e-3 is the usual healthy value
UPDATE_RATIO_LOW = 1e-6
OVERFIT_RISE = 0.10  # validation loss this far (relative) above its best
STALL = 0.99  # final training loss at least this share of the first epoch's

RULES = """\
dead units       a layer's dead rate >= 25% in the last epoch
saturation       a sigmoid/tanh layer's saturation rate >= 50% in the last epoch
vanishing        first/last Linear gradient-norm ratio < 1e-3 in the first epoch
exploding        first/last Linear gradient-norm ratio > 1e3 in the first epoch
step size        a Linear's mean update ratio > 1e-1 (too large) or < 1e-6 (too small)
overfitting      final validation loss >= 10% above its best, at an earlier epoch
stalled          final training loss >= 99% of the first epoch's
"""


def _linears(record: dict) -> list:
    return [(n, s) for n, s in record.get("layers", {}).items() if s.get("kind") == "Linear"]


def gradient_ratio(record: dict) -> float:
    """First Linear's weight-gradient norm divided by the last one's (nan if undefined)."""
    linears = _linears(record)
    if len(linears) < 2:
        return math.nan
    first, last = linears[0][1]["grad_norm"], linears[-1][1]["grad_norm"]
    return first / last if last else math.nan


def _dead_since(records: list, name: str) -> int:
    """First epoch of the final run of epochs in which ``name`` stayed above DEAD_RATE."""
    since = records[-1]["epoch"]
    for record in reversed(records):
        if record["layers"].get(name, {}).get("dead_rate", 0) < DEAD_RATE:
            break
        since = record["epoch"]
    return since


def diagnose(records: list) -> list:
    """Advice strings for a run's epoch records (empty when nothing looks wrong)."""
    if not records:
        return []
    hints, first, last = [], records[0], records[-1]
    for name, stats in last.get("layers", {}).items():
        kind = stats.get("kind")
        if stats.get("dead_rate", 0) >= DEAD_RATE:
            hints.append(
                f"layer {name} ({kind}): {stats['dead_rate']:.0%} of units dead since epoch "
                f"{_dead_since(records, name)}: lower the learning rate or use "
                + "/".join(k for k in ("LeakyReLU", "ELU", "GELU") if k != kind))
        if kind in ("Sigmoid", "Tanh") and stats.get("saturation_rate", 0) >= SATURATION_RATE:
            hints.append(
                f"layer {name} ({kind}): {stats['saturation_rate']:.0%} of activations "
                f"saturated (derivative < 1% of its peak): gradients cannot pass; use "
                f"Xavier init, LayerNorm, or a non-saturating activation")
    ratio = gradient_ratio(first)
    if ratio < VANISHING_RATIO:
        hints.append(f"first-layer gradient norm is {ratio:.1e} of the last layer's: "
                     f"vanishing gradients; use ReLU/GELU, LayerNorm or fewer layers")
    elif ratio > EXPLODING_RATIO:
        hints.append(f"first-layer gradient norm is {ratio:.1e} times the last layer's: "
                     f"exploding gradients; lower the learning rate or use LayerNorm")
    for name, stats in _linears(last):
        update = stats.get("update_ratio", math.nan)
        if update > UPDATE_RATIO_HIGH:
            hints.append(f"layer {name} (Linear): each step changes the weights by "
                         f"{update:.1e} of their norm: the learning rate is too high")
        elif update < UPDATE_RATIO_LOW:
            hints.append(f"layer {name} (Linear): each step changes the weights by only "
                         f"{update:.1e} of their norm: it is barely learning")
    val = [(r["epoch"], r["val_loss"]) for r in records if r.get("val_loss") is not None]
    if len(val) > 1:
        best_epoch, best = min(val, key=lambda item: item[1])
        if best_epoch < val[-1][0] and val[-1][1] >= best * (1 + OVERFIT_RISE):
            hints.append(f"validation loss rose {val[-1][1] / best - 1:.0%} above its best "
                         f"(epoch {best_epoch}): overfitting; use EarlyStopping or weight decay")
    losses = [r.get("train_loss") for r in (first, last)]  # a bare Monitor records none
    if len(records) > 1 and None not in losses and losses[1] >= STALL * losses[0]:
        hints.append("training loss barely moved: check the learning rate, the labels and "
                     "the activation (see the layer hints above)")
    return hints
