"""Plain-language advice from a run's records: ``diagnose`` returns ``Hint`` objects.

Each rule reads the numbers ``fit`` and the Monitor recorded and fires when a quantity
crosses a threshold. Every threshold is a named constant; the rule's docstring gives its
reason and source, so it can be argued with. One cause gives one hint (listing every
layer it shows in), and a symptom already explained by a cause is not reported again:
a stalled loss is not a hint of its own when gradients vanish or the learning rate is
too low. Hints come most severe first.

The kinds (``Hint.kind``; stable strings):

    nonfinite       NaN or inf appeared before any update could have caused it
    diverged        the loss became non-finite, or rose far above its start, during
                    training: a learning rate too high for the loss surface
    lr_too_high     each step changes the weights by a large fraction of their norm
    init_scale      the loss at initialisation is far above its expected value (ln C),
                    or activations grow or shrink layer after layer
    input_scale     the input features are far from standardised
    double_softmax  the model ends in Softmax under a cross-entropy loss
    vanishing       the first layers' gradients are a tiny fraction of the last one's
    exploding       the first layers' gradients are huge multiples of the last one's
    dead_units      units of a ReLU-type layer never fire on the data
    saturation      a bounded activation (sigmoid, tanh) sits on its flat tails
    lr_too_low      each step barely changes the weights and the loss barely moves
    overfitting     validation loss rises for several epochs while training loss falls
    stalled         the training loss stays near its starting value, for no reason above
"""
import dataclasses
import math
import statistics
from dataclasses import dataclass, field

from tinynet.diagnostics.labels import layer_labels

KINDS = ("nonfinite", "diverged", "lr_too_high", "init_scale", "input_scale", "double_softmax",
         "vanishing", "exploding", "dead_units", "saturation", "lr_too_low", "overfitting",
         "stalled")
SEVERITIES = ("error", "warning", "note")  # most severe first
BOUNDED = ("Sigmoid", "Tanh", "Hardtanh", "Softsign")  # activations with flat tails
RELU_LIKE = ("ReLU", "ReLU6")  # activations whose units die (f' = 0 on a half-line)


@dataclass(frozen=True)
class Hint:
    """One diagnosis.

    Attributes:
        kind: one of ``KINDS``.
        severity: 'error' (the run failed or is meaningless), 'warning' (a pathology) or
            'note' (worth knowing).
        message: what was seen, with the numbers.
        advice: what to try.
        layers: the layers it concerns, as (module name, kind) pairs, in model order.
        epoch: the epoch the evidence comes from (None: the run as a whole, or before it).
        evidence: the numbers behind the hint and the thresholds they crossed.
    """

    kind: str
    severity: str
    message: str
    advice: str
    layers: tuple = ()
    epoch: int = None
    evidence: dict = field(default_factory=dict)

    @property
    def layer(self):
        """The first layer concerned, as (name, kind), or None."""
        return self.layers[0] if self.layers else None

    def __str__(self) -> str:
        return f"{self.message}: {self.advice}"


def gradient_ratio(record: dict) -> float:
    """First Linear's weight-gradient norm divided by the last one's (nan if undefined)."""
    linears = _linears(record)
    if len(linears) < 2:
        return math.nan
    first, last = linears[0][1].get("grad_norm"), linears[-1][1].get("grad_norm")
    return first / last if last and first is not None else math.nan


def diagnose(records: list, config: dict = None, restored_epoch: int = None) -> list:
    """Hints for a run, most severe first (empty when nothing looks wrong).

    Args:
        records: ``History.records`` (one dict per epoch).
        config: ``History.config`` (the probe of the inputs and of the initialisation,
            the loss, the callbacks...); without it the rules that need it are skipped.
        restored_epoch: the epoch whose weights the model holds, when EarlyStopping
            restored them (``History.restored_epoch``).
    """
    run = _Run(records, config or {}, restored_epoch)
    hints = []
    for rule in RULES:
        hints.extend(rule(run))
    hints = _drop_explained(hints)
    if run.config.get("estimator"):  # a scikit-learn estimator's run: its parameters
        hints = [dataclasses.replace(h, advice=for_estimators(h.advice)) for h in hints]
    return sorted(hints, key=lambda h: SEVERITIES.index(h.severity))


# The advice names fit's and MLP's arguments; for a tinynet.sklearn estimator, its own
# parameters say the same (what it has no parameter for is left out).
FOR_ESTIMATORS = (
    (", or clip the gradients (fit(clip_grad_norm=1.0))", ""),
    ("or clip the gradients (fit(clip_grad_norm=1.0)), ", ""),
    (", or warm it up (a scheduler)", ""),
    ("or decay it (a scheduler)", "or decay it (solver='sgd' with learning_rate='adaptive')"),
    ("the learning rate", "learning_rate_init"),
    ("MLP(init='auto')", "init='auto'"),
    ("add LayerNorm", "add LayerNorm (norm='layernorm')"),
    ("callbacks=[EarlyStopping(restore_best_weights=True)]", "early_stopping=True"),
    (" start the biases at 0 or a little above (nn.init.constant_(layer.bias, 0.01)),", ""),
    ("try another seed", "try another random_state"),
    ("weight decay (optimizer='adamw')", "an L2 penalty (a larger alpha)"),
)


def for_estimators(advice: str) -> str:
    """``advice`` in the words of a tinynet.sklearn estimator's parameters."""
    return reworded(advice, FOR_ESTIMATORS)


def reworded(advice: str, table: tuple) -> str:
    """``advice`` with each (words, replacement) of ``table`` replaced in turn."""
    for words, replacement in table:
        advice = advice.replace(words, replacement)
    return advice


class _Run:
    """What the rules read, computed once."""

    def __init__(self, records, config, restored_epoch):
        self.records, self.config, self.restored_epoch = records, config, restored_epoch
        self.first = records[0] if records else {}
        self.last = records[-1] if records else {}
        layers = self.last.get("layers") or self.first.get("layers") or {}
        self.labels = layer_labels(layers) if layers else {}

    def losses(self, key: str) -> list:
        return [r.get(key) for r in self.records if r.get(key) is not None]

    def label(self, name: str) -> str:
        return self.labels.get(name, f"layer {name}")

    def named(self, names) -> tuple:
        """(name, kind) pairs for the given module names."""
        layers = self.last.get("layers") or self.first.get("layers") or {}
        return tuple((n, layers.get(n, {}).get("kind", "")) for n in names)


def _linears(record: dict) -> list:
    return [(n, s) for n, s in record.get("layers", {}).items() if s.get("kind") == "Linear"]


def _either(options) -> str:
    """The options given (None left out) as one choice: "a", "a or b", "a, b, or c"."""
    options = [o for o in options if o]
    if len(options) <= 2:
        return " or ".join(options)
    return ", ".join(options[:-1]) + ", or " + options[-1]


# Remedies a run may already use (the probe records the model's LayerNorm and MLP's
# init): advising them again would send the user round in circles.
def _unless_layer_norm(run: _Run, words: str = "add LayerNorm"):
    """``words``, or None for a model that has LayerNorm already."""
    return None if run.config.get("layer_norm") else words


def _for_fit(run: _Run, words: str):
    """``words`` (a remedy only ``fit`` has an argument for, such as clipping), or None
    for an estimator's run."""
    return None if run.config.get("estimator") else words


def _rescaled_init(run: _Run, words: str, smaller: bool = True):
    """``words`` (advice to use MLP(init='auto')), or, for an MLP built with it, to draw
    the weights at another scale (None for an estimator, which has no parameter for it)."""
    if run.config.get("init") != "auto":
        return words
    if run.config.get("estimator"):
        return None
    return (f"draw the initial weights {'smaller' if smaller else 'larger'} than "
            f"init='auto' does (a {'smaller' if smaller else 'larger'} gain in nn.init)")


def _listing(run: _Run, names) -> str:
    labels = [run.label(n) for n in names]
    return ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")


# ---- the run failed ------------------------------------------------------------------------
LOSS_EXPLOSION = 10.0


def diverged(run: _Run) -> list:
    """The loss became non-finite (``fit`` stopped: ``config['diverged']``), or an epoch's
    training loss rose above LOSS_EXPLOSION = 10 times the loss at initialisation (and its
    expected value): the updates overshoot, the usual sign of a learning rate too high
    for the loss surface (Goodfellow et al., Deep Learning, section 8.2). Non-finite values
    before any update are not that: they come from the initial weights or the data (kind
    ``nonfinite``)."""
    failure = run.config.get("diverged")
    if failure:
        if failure.get("steps_before", 0) == 0:
            return [Hint("nonfinite", "error",
                         f"non-finite values at the first step, before any update: "
                         f"{failure.get('where', 'unknown')}",
                         "check the initial weights and the inputs for NaN or inf",
                         epoch=failure.get("epoch"), evidence=dict(failure))]
        return [Hint("diverged", "error",
                     f"the loss became {failure.get('loss')} at epoch {failure.get('epoch')}, "
                     f"step {failure.get('step')} (first non-finite value: "
                     f"{failure.get('where', 'unknown')})",
                     _either(["lower the learning rate (by 10x)",
                              _for_fit(run, "clip the gradients (fit(clip_grad_norm=1.0))"),
                              _unless_layer_norm(run)]),
                     epoch=failure.get("epoch"), evidence=dict(failure))]
    losses = run.losses("train_loss")
    initial = run.config.get("initial_loss") or (losses[0] if losses else 0)
    start = max(initial, run.config.get("expected_initial_loss") or 0)
    peak = max(losses, default=None)
    if peak is not None and start > 0 and peak > LOSS_EXPLOSION * start:
        epoch = run.records[losses.index(peak)]["epoch"]
        return [Hint("diverged", "error",
                     f"the training loss exploded to {peak:.3g} in epoch {epoch}, from "
                     f"{initial:.3g} at initialisation",
                     "lower the learning rate (by 10x), or clip the gradients "
                     "(fit(clip_grad_norm=1.0))", epoch=epoch,
                     evidence={"start_loss": start, "peak_loss": peak,
                               "threshold": LOSS_EXPLOSION})]
    return []


def double_softmax(run: _Run) -> list:
    """The model's last module is Softmax and the loss is cross-entropy, which applies
    log-softmax itself: the outputs are softmaxed twice, the logits squashed into [0, 1],
    and the gradients shrink (PyTorch's CrossEntropyLoss docs: "input is expected to
    contain the unnormalized logits")."""
    if run.config.get("ends_in_softmax") and run.config.get("loss") == "cross_entropy":
        return [Hint("double_softmax", "error",
                     "the model ends in Softmax and the loss is cross-entropy, which applies "
                     "log-softmax itself: the outputs are softmaxed twice",
                     "remove the final Softmax; apply it only to read probabilities")]
    return []


# ---- before the first step ------------------------------------------------------------------
INPUT_STD_MAX = 10.0
INPUT_MEAN_MAX = 10.0
INPUT_STD_RATIO_MAX = 1e3
INPUT_STD_MIN = 1e-2


def input_scale(run: _Run) -> list:
    """The training inputs, as ``fit`` saw them (``config['input']``), are far from
    standardised: some feature's standard deviation above INPUT_STD_MAX = 10 or its
    |mean| above INPUT_MEAN_MAX = 10, the features' standard deviations spread over
    more than INPUT_STD_RATIO_MAX = 1e3, or every feature's standard deviation below
    INPUT_STD_MIN = 1e-2 (the first layer's pre-activations then sit near its biases:
    the inputs barely reach the network). Initialisations assume inputs of unit scale
    (LeCun et al., Efficient BackProp, 1998, section 4.3: normalise the inputs); the
    first layer then saturates or dies, and one learning rate cannot suit features of
    such different scales."""
    stats = run.config.get("input")
    if not stats:
        return []
    ratio = stats["max_std"] / stats["min_std"] if stats["min_std"] else 1.0
    tiny = 0 < stats["max_std"] < INPUT_STD_MIN
    if stats["max_std"] <= INPUT_STD_MAX and stats["max_abs_mean"] <= INPUT_MEAN_MAX \
            and ratio <= INPUT_STD_RATIO_MAX and not tiny:
        return []
    return [Hint("input_scale", "warning",
                 f"the inputs are not standardised: feature std up to {stats['max_std']:.3g} "
                 f"(smallest {stats['min_std']:.3g}), |mean| up to {stats['max_abs_mean']:.3g}",
                 "standardise the features (sklearn.preprocessing.StandardScaler, fitted on "
                 "the training split)",
                 evidence={**stats, "std_max": INPUT_STD_MAX, "mean_max": INPUT_MEAN_MAX,
                           "std_ratio_max": INPUT_STD_RATIO_MAX, "std_min": INPUT_STD_MIN})]


INIT_LOSS_RATIO = 3.0
ACT_GROWTH = 2.0  # per activation layer, geometric mean


def init_scale(run: _Run) -> list:
    """The initialisation is badly scaled: the loss at initialisation is more than
    INIT_LOSS_RATIO = 3 times its expected value (ln C for C classes: a well-scaled net's
    logits start near 0, every class near 1/C; Karpathy, "Building makemore" part 3), or
    the activations' standard deviation grows or shrinks by more than ACT_GROWTH = 2 per
    layer (geometric mean over at least 3 layers; Glorot & Bengio 2010 and He et al. 2015
    choose the initial scale so that it stays constant)."""
    loss, expected = run.config.get("initial_loss"), run.config.get("expected_initial_loss")
    # (with batch norm the probe's eval-mode forward, through running statistics still at
    # their start, does not show training's activations: their growth is not judged)
    stds = [] if run.config.get("batch_norm") else \
        [v for v in (run.config.get("initial_act_std") or {}).values() if v > 0]
    growth = (stds[-1] / stds[0]) ** (1 / (len(stds) - 1)) if len(stds) >= 3 else 1.0
    too_large = loss is not None and expected and loss > INIT_LOSS_RATIO * expected
    if not too_large and 1 / ACT_GROWTH <= growth <= ACT_GROWTH:
        return []
    evidence = {"initial_loss": loss, "expected_initial_loss": expected,
                "act_growth_per_layer": growth, "loss_ratio_max": INIT_LOSS_RATIO,
                "growth_max": ACT_GROWTH}
    said = []
    if too_large:
        said.append(f"the loss at initialisation is {loss:.3g}, where "
                    f"{EXPECTED.get(run.config.get('loss'), 'about')} = {expected:.3g} is "
                    f"expected")
    if not 1 / ACT_GROWTH <= growth <= ACT_GROWTH:
        said.append(f"activations {'grow' if growth > 1 else 'shrink'} {growth:.3g}x per "
                    f"layer")
    direction = "large" if too_large or growth > ACT_GROWTH else "small"
    regression = too_large and run.config.get("loss") == "mse"
    advice = _either([
        "standardise the targets (outputs start near 0 at the scale of 1)" if regression
        else None,
        _rescaled_init(run, "use an initialisation matched to the activation "
                       "(MLP(init='auto'): Kaiming for ReLU-type, Xavier for tanh/sigmoid)",
                       smaller=direction == "large"),
        _unless_layer_norm(run)])
    return [Hint("init_scale", "warning", f"the initial weights are too {direction}: "
                 + "; ".join(said), advice or "check how the model draws its weights",
                 evidence=evidence)]


# the expected loss at initialisation, named as the probe computes it for each loss
EXPECTED = {"cross_entropy": "ln C", "nll": "ln C", "bce_with_logits": "ln 2",
            "mse": "E[y²]"}


# ---- gradients across depth -------------------------------------------------------------------
VANISHING_RATIO = 1e-3
EXPLODING_RATIO = 1e3


def gradient_flow(run: _Run) -> list:
    """In the first epoch, the first Linear's weight-gradient norm is below
    VANISHING_RATIO = 1e-3 of the last Linear's (vanishing; Hochreiter 1991, Glorot &
    Bengio 2010), or above EXPLODING_RATIO = 1e3 times it (exploding; Pascanu et al.
    2013). Three orders of magnitude across the stack: with SGD the first layers' steps
    are a thousand times smaller (or larger) than the last one's (Adam rescales each
    weight's step, so its update ratios may look even). The layers listed are those
    beyond the threshold."""
    linears = _linears(run.first)
    ratio = gradient_ratio(run.first)
    if not math.isfinite(ratio) or VANISHING_RATIO <= ratio <= EXPLODING_RATIO:
        return []
    last = linears[-1][1]["grad_norm"]
    if ratio < VANISHING_RATIO:
        names = [n for n, s in linears[:-1] if s["grad_norm"] < VANISHING_RATIO * last]
        kinds = {s.get("kind") for s in run.first.get("layers", {}).values()}
        return [Hint("vanishing", "warning",
                     f"vanishing gradients: in epoch {run.first.get('epoch')} the first "
                     f"layer's gradient norm is {ratio:.1e} of the last one's "
                     f"({_listing(run, names)} below {VANISHING_RATIO:g})",
                     "use " + _either([
                         None if kinds & set(RELU_LIKE) else "ReLU-type or GELU activations",
                         _unless_layer_norm(run, "LayerNorm"),
                         None if run.config.get("init") == "auto"
                         else "a matched init (MLP(init='auto'))",
                         "fewer layers"]),
                     layers=run.named(names), epoch=run.first.get("epoch"),
                     evidence={"grad_ratio": ratio, "threshold": VANISHING_RATIO})]
    names = [n for n, s in linears[:-1] if s["grad_norm"] > EXPLODING_RATIO * last]
    return [Hint("exploding", "warning",
                 f"exploding gradients: in epoch {run.first.get('epoch')} the first layer's "
                 f"gradient norm is {ratio:.1e} times the last one's "
                 f"({_listing(run, names)} above {EXPLODING_RATIO:g})",
                 _either([_rescaled_init(run, "lower the initial scale (MLP(init='auto'))"),
                          _unless_layer_norm(run),
                          _for_fit(run, "clip the gradients (fit(clip_grad_norm=1.0))")])
                 or "lower the learning rate",
                 layers=run.named(names), epoch=run.first.get("epoch"),
                 evidence={"grad_ratio": ratio, "threshold": EXPLODING_RATIO})]


# ---- units ------------------------------------------------------------------------------------
DEAD_RATE = 0.25
DEAD_GROWTH = 0.05  # dead rates this close to their initial ones were not training's doing
SATURATION_RATE = 0.5
FITTED_LOSS = 0.25  # a final training loss at most this share of guessing's: the run fits


def dead_units(run: _Run) -> list:
    """A ReLU layer has DEAD_RATE = 25% or more of its units dead in the last epoch: f'
    was exactly 0 for every sample the Monitor saw, so no gradient reaches their weights
    and they come back only if the layers below them change what feeds them (docs/
    claims.md counts some that did). keras-contrib's DeadReluDetector counts a unit dead
    when it never fires on the data; Lu et al. 2019, "Dying ReLU and Initialization". A quarter
    of a layer is capacity lost, not noise. Units that died in training were pushed there
    by large steps; when every such layer was already about as dead at initialisation
    (at most DEAD_GROWTH = 5 points below its last rate in the probe of
    ``config['initial_dead_rate']``), the initial weights, biases or inputs put them
    there, and a smaller learning rate would not help (nor standardising inputs that
    are standardised already)."""
    layers = run.last.get("layers", {})
    names = [n for n, s in layers.items()
             if s.get("kind") in RELU_LIKE and s.get("dead_rate", 0) >= DEAD_RATE]
    if not names:
        return []
    rates = {n: layers[n]["dead_rate"] for n in names}
    since = {n: min(layers[n].get("dead_since") or [run.last.get("epoch")]) for n in names}
    at_init = run.config.get("initial_dead_rate") or {}
    from_init = all(n in at_init and rates[n] - at_init[n] <= DEAD_GROWTH for n in names)
    worst = max(names, key=rates.get)
    # (a hand-written loop's records say it; fit's say it in the config)
    every = run.config.get("monitor_every") or run.last.get("monitor_every") or 1
    listed = (f" (and {len(names) - 1} more layers with {DEAD_RATE:.0%} or more)"
              if len(names) > 1 else "")
    if every > 1:  # (a unit that fires on a few samples may miss every sampled batch)
        listed = f" on the batches the Monitor sampled (one step in {every})" + listed
    if from_init:
        return [Hint("dead_units", "warning",
                     f"dead ReLUs: {rates[worst]:.0%} of the units of {run.label(worst)} never "
                     f"fire{listed}; {at_init[worst]:.0%} were dead at initialisation",
                     ("" if _standardised(run) else "standardise the inputs, ")
                     + "start the biases at 0 or a little above "
                     "(nn.init.constant_(layer.bias, 0.01)), try another seed, or use "
                     "LeakyReLU, ELU or GELU, which pass a gradient for z < 0",
                     layers=run.named(names), epoch=run.last.get("epoch"),
                     evidence={"dead_rate": rates, "dead_since": since,
                               "initial_dead_rate": {n: at_init[n] for n in names},
                               "threshold": DEAD_RATE})]
    return [Hint("dead_units", "warning",
                 f"dead ReLUs: {rates[worst]:.0%} of the units of {run.label(worst)} never fire"
                 + listed + f", some since epoch {min(since.values())}",
                 "lower the learning rate, or use LeakyReLU, ELU or GELU, which pass a "
                 "gradient for z < 0",
                 layers=run.named(names), epoch=run.last.get("epoch"),
                 evidence={"dead_rate": rates, "dead_since": since, "threshold": DEAD_RATE})]


def _standardised(run: _Run) -> bool:
    """Whether the training inputs (``config['input']``) are standardised already: every
    feature's |mean| at most 0.1 and standard deviation in [0.5, 2]."""
    stats = run.config.get("input")
    return bool(stats) and stats["max_abs_mean"] <= 0.1 and \
        0.5 <= stats["min_std"] and stats["max_std"] <= 2


def saturation(run: _Run) -> list:
    """A bounded activation (sigmoid, tanh) has SATURATION_RATE = 50% or more of its
    (sample, unit) pairs saturated in the last epoch (|tanh z| > 0.97, or the same for
    sigmoid: Karpathy, "Building makemore" part 3), where f' is under 6% of its peak and
    the gradient all but stops. A few saturated units are normal; half the layer is not.
    When each such layer was below the threshold at initialisation (the probe's
    ``config['initial_saturation_rate']``), training drove it there, and the advice is
    about the steps, not the initial scale. If the training loss nevertheless ended at
    FITTED_LOSS = 25% of guessing's (``config['guess_loss']``) or below, the run has
    learned its data (on noisy data the loss cannot go much lower): a bounded net trained
    to confident outputs often ends so (its units learn slowly there), and the hint is a
    note, not a warning."""
    layers = run.last.get("layers", {})
    names = [n for n, s in layers.items()
             if s.get("kind") in BOUNDED and s.get("saturation_rate", 0) >= SATURATION_RATE]
    if not names:
        return []
    rates = {n: layers[n]["saturation_rate"] for n in names}
    worst = max(names, key=rates.get)
    message = (f"saturated activations: {rates[worst]:.0%} of {run.label(worst)}'s outputs "
               f"sit on its flat tails" + (f" (and {len(names) - 1} more layers)"
                                          if len(names) > 1 else ""))
    evidence = {"saturation_rate": rates, "threshold": SATURATION_RATE}
    at_init = run.config.get("initial_saturation_rate")
    if at_init is not None and all(at_init.get(n, 1.0) < SATURATION_RATE for n in names):
        evidence["initial_saturation_rate"] = {n: at_init.get(n) for n in names}
        message += f", up from {at_init.get(worst, 0):.0%} at initialisation"
        loss, guess = run.last.get("train_loss"), run.config.get("guess_loss")
        if loss is not None and guess and loss <= FITTED_LOSS * guess:
            evidence.update(train_loss=loss, guess_loss=guess, fitted_max=FITTED_LOSS)
            guessing = GUESSING.get(run.config.get("loss"), "guessing")
            return [Hint("saturation", "note",
                         message + f", as the training loss fell to {loss:.3g} ({loss / guess:.0%}"
                         f" of the {guess:.3g} of {guessing})",
                         "nothing to fix while the loss falls and the validation loss holds: "
                         "a fitted bounded net's units often end on their tails, where they "
                         "learn slowly; if progress stalls, " + _either([
                             "lower the learning rate",
                             "add " + _either([_unless_layer_norm(run, "LayerNorm"),
                                               "weight decay (optimizer='adamw')"]),
                             "use a non-saturating activation"]),
                         layers=run.named(names), epoch=run.last.get("epoch"),
                         evidence=evidence)]
        return [Hint("saturation", "warning", message,
                     "training pushed the pre-activations into the tails: " + _either([
                         "lower the learning rate",
                         "add " + _either([_unless_layer_norm(run, "LayerNorm"),
                                           "weight decay (optimizer='adamw')"]),
                         "use a non-saturating activation"]),
                     layers=run.named(names), epoch=run.last.get("epoch"), evidence=evidence)]
    return [Hint("saturation", "warning", message,
                 _either([_rescaled_init(run, "scale the initial weights down (MLP(init='auto') "
                                         "uses Xavier for tanh and sigmoid)"),
                          _unless_layer_norm(run), "use a non-saturating activation"]),
                 layers=run.named(names), epoch=run.last.get("epoch"), evidence=evidence)]


# ---- the learning rate, and progress -------------------------------------------------------------
UPDATE_RATIO_HIGH = 1e-1
UPDATE_RATIO_LOW = 1e-5
LOSS_SPIKE = 1.5
STALL = 0.97


def _no_gradient(record: dict) -> bool:
    """Whether every Linear's weight-gradient norm was 0 in the epoch (measured): no
    gradient reached any weight."""
    norms = [s.get("grad_norm") for _, s in _linears(record)]
    return bool(norms) and all(n == 0 for n in norms)


def _median_update_ratio(record: dict, with_gradient: bool = False) -> float:
    """The median of the Linears' finite update ratios (of two, their mean), or nan;
    ``with_gradient``: of those whose weights got a gradient (a Linear below a layer of
    dead units gets none, and its update ratio of 0 says nothing of the rate)."""
    ratios = [s.get("update_ratio", math.nan) for _, s in _linears(record)
              if not with_gradient or s.get("grad_norm") != 0]
    ratios = [r for r in ratios if math.isfinite(r)]
    return statistics.median(ratios) if ratios else math.nan


def step_size(run: _Run) -> list:
    """The update/weight ratio ‖ΔW‖/‖W‖ per step, median over the Linear layers. Around
    1e-3 is healthy (CS231n, "Neural Networks Part 3": the ratio of updates to weights).
    The learning rate is too high when the ratio exceeds UPDATE_RATIO_HIGH = 1e-1 (every
    step rewrites a tenth of the weights) in the last epoch, or in an epoch whose training
    loss rose above LOSS_SPIKE = 1.5 times the loss at initialisation (the steps overshoot:
    training made the model worse); see also ``overfitting``. It is too low when the last
    epoch's ratio is below UPDATE_RATIO_LOW = 1e-5 and the loss has fallen less than 3%
    (STALL), the median taken over the Linears whose weights got a gradient to step
    along: weights that stand still because their gradient is 0 (below a layer of dead
    units, a cut graph) need no larger rate (see ``stalled``), and a loss that rose was
    not held back by small steps."""
    median = _median_update_ratio(run.last)
    if not math.isfinite(median):
        return []
    evidence = {"update_ratio": median, "high": UPDATE_RATIO_HIGH, "low": UPDATE_RATIO_LOW}
    start = run.config.get("initial_loss")
    spikes = [r for r in run.records if start and r.get("train_loss") is not None
              and r["train_loss"] > LOSS_SPIKE * start
              and _median_update_ratio(r) > UPDATE_RATIO_HIGH]
    if median > UPDATE_RATIO_HIGH or spikes:
        record = spikes[0] if spikes else run.last
        ratio = _median_update_ratio(record)
        spiked = (f"; the training loss rose to {record['train_loss']:.3g} from {start:.3g} "
                  f"at initialisation" if spikes else "")
        return [Hint("lr_too_high", "warning",
                     f"each step changes the weights by {ratio:.1e} of their norm in epoch "
                     f"{record['epoch']} (about 1e-3 is healthy){spiked}",
                     "lower the learning rate (by 3-10x), or warm it up (a scheduler)",
                     epoch=record["epoch"], evidence={**evidence, "update_ratio": ratio,
                                                      "spike": LOSS_SPIKE})]
    losses = run.losses("train_loss")
    barely_moved = len(losses) > 1 and STALL * losses[0] < losses[-1] <= losses[0]
    median = _median_update_ratio(run.last, with_gradient=True)
    if median < UPDATE_RATIO_LOW and barely_moved:  # (nan, for no gradient at all: False)
        return [Hint("lr_too_low", "warning",
                     f"each step changes the weights by only {median:.1e} of their norm "
                     f"(about 1e-3 is healthy) and the loss moved from {losses[0]:.3g} to "
                     f"{losses[-1]:.3g}", "raise the learning rate (by 10x or more)",
                     epoch=run.last.get("epoch"), evidence=evidence)]
    return []


REBOUND_FLOOR = 0.04


def rebound(run: _Run, after: int = 0):
    """(the epoch of the lowest training loss so far, a later epoch whose training loss
    rose above LOSS_SPIKE = 1.5 times it, by more than REBOUND_FLOOR = 4% of the loss at
    initialisation), the first such pair among the epochs after ``after``; or None. A
    training loss that climbs back this far is not noise from one epoch to the next:
    training undid what it had reached (the floor keeps the bounces of a loss near 0
    out; a training loss that overfitting drives down does not rise by half at all)."""
    start = run.config.get("initial_loss")
    if not start or not math.isfinite(start):
        return None
    low = None
    for record in run.records:
        loss = record.get("train_loss")
        if loss is None or not math.isfinite(loss):
            continue
        if low is not None and record["epoch"] > after and loss > LOSS_SPIKE * \
                low["train_loss"] and loss - low["train_loss"] > REBOUND_FLOOR * start:
            return low, record
        if low is None or loss < low["train_loss"]:
            low = record
    return None


OVERFIT_EPOCHS = 3
OVERFIT_RISE = 0.10
OVERFIT_GAP = 1.5


def overfitting(run: _Run) -> list:
    """The model fits the training data ever better and the validation data worse:
    at least OVERFIT_EPOCHS = 3 epochs after the best validation loss, the mean of the last
    3 validation losses is more than OVERFIT_RISE = 10% above the best mean of 3 epochs in
    a row (a mean against a mean: the single lowest of noisy epochs would make any mean
    look risen) and each of those last losses is above that best mean (one back at its
    best level says the rise is noise, not a generalisation gap), the training loss
    kept falling (lower now than at the best epoch and than at the start: a run whose loss
    never fell cannot overfit), and the validation loss ends more than OVERFIT_GAP = 1.5
    times the training loss (a generalisation gap, not noise: a validation loss that
    bounces around below the training loss is not overfitting). Prechelt, "Early Stopping
    - But When?", 1998. When EarlyStopping restored the best weights, it says so. When
    the validation loss rose so and the training loss went back up after the best epoch
    (``rebound``), whether or not it ended lower, the validation loss rose with it: the
    hint is ``lr_too_high``."""
    records = [r for r in run.records if r.get("val_loss") is not None]
    if len(records) < OVERFIT_EPOCHS + 1:
        return []
    best = min(records, key=lambda r: r["val_loss"])
    after = [r for r in records if r["epoch"] > best["epoch"]]
    last, train = records[-1], run.losses("train_loss")
    recent = sum(r["val_loss"] for r in records[-OVERFIT_EPOCHS:]) / OVERFIT_EPOCHS
    # the rise is measured from the best mean of OVERFIT_EPOCHS epochs in a row, as the
    # recent loss is a mean: from the single lowest of noisy epochs any mean looks risen
    smoothed = min(sum(r["val_loss"] for r in records[i:i + OVERFIT_EPOCHS]) / OVERFIT_EPOCHS
                   for i in range(len(records) - OVERFIT_EPOCHS + 1))
    dipped = any(r["val_loss"] <= smoothed for r in records[-OVERFIT_EPOCHS:])
    if len(after) < OVERFIT_EPOCHS or recent <= smoothed * (1 + OVERFIT_RISE) or dipped:
        return []
    evidence = {"best_epoch": best["epoch"], "best_val_loss": best["val_loss"],
                "best_mean_val_loss": smoothed, "recent_val_loss": recent,
                "last_train_loss": last["train_loss"], "rise": OVERFIT_RISE,
                "gap": OVERFIT_GAP, "epochs": OVERFIT_EPOCHS}
    rise = recent / smoothed - 1  # (the rise the rule measured: a mean against a mean)
    bounced = rebound(run, after=best["epoch"])
    if bounced is not None:  # the training loss did not keep falling: the steps overshoot
        low, high = bounced
        ratio = _median_update_ratio(high)
        measured = (f" (each changes the weights by {ratio:.1e} of their norm there; about "
                    f"1e-3 is healthy)" if math.isfinite(ratio) else "")
        return [Hint("lr_too_high", "warning",
                     f"validation loss rose {rise:.0%} above its best 3-epoch mean (its best "
                     f"epoch: {best['epoch']}) while the training loss went back up, to "
                     f"{high['train_loss']:.3g} in epoch {high['epoch']} from "
                     f"{low['train_loss']:.3g} in epoch {low['epoch']}: the steps "
                     f"overshoot{measured}",
                     "lower the learning rate (by 3-10x), or decay it (a scheduler)",
                     epoch=high["epoch"], evidence={
                         **evidence, "update_ratio": ratio,
                         "low_loss": low["train_loss"], "rebound_loss": high["train_loss"],
                         "rebound": LOSS_SPIKE, "floor": REBOUND_FLOOR})]
    if (last["train_loss"] >= best["train_loss"] or train[-1] >= train[0]
            or last["val_loss"] <= OVERFIT_GAP * last["train_loss"]):
        return []
    if run.restored_epoch is not None:
        return [Hint("overfitting", "note",
                     f"validation loss rose {rise:.0%} above its best 3-epoch mean after "
                     f"epoch {best['epoch']}; "
                     f"EarlyStopping put back the weights of epoch {run.restored_epoch}",
                     "nothing to do for this run; for a better model: weight decay "
                     "(optimizer='adamw'), more data, or a smaller model",
                     epoch=best["epoch"], evidence=evidence)]
    return [Hint("overfitting", "warning",
                 f"overfitting: validation loss rose {rise:.0%} above its best 3-epoch mean "
                 f"(its best epoch: {best['epoch']}) while the training loss fell to "
                 f"{last['train_loss']:.3g}",
                 "stop earlier (callbacks=[EarlyStopping(restore_best_weights=True)]), add "
                 "weight decay (optimizer='adamw'), use more data or a smaller model",
                 epoch=best["epoch"], evidence=evidence)]


def stalled(run: _Run) -> list:
    """After at least 3 epochs the training loss is still at STALL = 97% or more of the
    loss of guessing (``config['guess_loss']``, the best constant output: for
    cross-entropy the entropy of the training labels' class frequencies, ln C when the
    classes are balanced; for MSE the targets' variance), or, without one, of its first
    epoch's value: the model learned nothing it can show. (A loss well below guessing
    that stopped moving, as when a trained model is trained further, is not stalled.)
    When no gradient reached any weight in the last epoch, it says so. Reported only
    when no other hint explains it."""
    losses = run.losses("train_loss")
    if len(losses) < 3:
        return []
    chance = run.config.get("guess_loss") or run.config.get("expected_initial_loss")
    if losses[-1] < STALL * (chance if chance else losses[0]):
        return []
    guessing = GUESSING.get(run.config.get("loss"), "guessing") \
        if run.config.get("guess_loss") else "guessing"  # (ln C: a record without it)
    summary = (f"the training loss is no better than guessing: {losses[-1]:.3g} in epoch "
               f"{run.last.get('epoch')}, against the {chance:.3g} of {guessing}" if chance
               else f"the training loss barely moved: {losses[-1]:.3g} in epoch "
               f"{run.last.get('epoch')}, against {losses[0]:.3g} in epoch 1")
    advice = ("check that the labels match the inputs (are they shuffled?), that the "
              "model can fit a small batch (tn.diagnostics.sanity_check), and the "
              "learning rate")
    no_gradient = _no_gradient(run.last)
    if no_gradient:
        summary += (f"; no gradient reaches the weights (every Linear's gradient norm is 0 "
                    f"in epoch {run.last.get('epoch')})")
        advice = ("a step too large can leave every ReLU unit dead (lower the learning "
                  "rate, or use LeakyReLU, ELU or GELU), and a cut graph (a .detach(), numpy "
                  "inside the forward) passes no gradient either")
    return [Hint("stalled", "warning", summary, advice,
                 epoch=run.last.get("epoch"),
                 evidence={"first_loss": losses[0], "last_loss": losses[-1],
                           "chance_loss": chance, "threshold": STALL,
                           "no_gradient": no_gradient})]


# what "guessing" is for each loss (the probe's ``guess_loss``): the best constant output
GUESSING = {"cross_entropy": "guessing the class frequencies",
            "nll": "guessing the class frequencies",
            "bce_with_logits": "guessing the label frequency",
            "mse": "predicting the mean"}


RULES = (diverged, double_softmax, input_scale, init_scale, gradient_flow, dead_units,
         saturation, step_size, overfitting, stalled)

# A symptom already explained by a cause is dropped: cause -> kinds it explains.
EXPLAINS = {
    "nonfinite": {"diverged", "lr_too_high", "stalled", "init_scale", "exploding",
                  "vanishing", "dead_units", "saturation", "overfitting", "lr_too_low"},
    "diverged": {"lr_too_high", "stalled", "exploding", "vanishing", "dead_units",
                 "saturation", "overfitting", "lr_too_low"},
    "double_softmax": {"stalled", "vanishing"},
    "input_scale": {"stalled", "saturation", "dead_units", "init_scale", "exploding",
                    "vanishing"},
    "init_scale": {"exploding", "stalled", "saturation", "vanishing", "dead_units"},
    "vanishing": {"stalled", "lr_too_low"},
    "exploding": {"stalled"},
    "dead_units": {"stalled"},
    "saturation": {"stalled"},
    "lr_too_low": {"stalled"},
    "lr_too_high": {"stalled"},
}


def _explains(cause: Hint, symptom: Hint) -> bool:
    """Whether ``cause`` explains ``symptom`` (``EXPLAINS``; and dead ReLUs, when some
    were dead by the epoch whose gradients vanished: no gradient crosses a dead unit; and
    units that training killed, whose advice is a lower rate, over a rate too low: the
    two would contradict each other, and the dead units are the graver. Units dead from
    initialisation leave a rate too low standing: both are then true)."""
    if symptom.kind in EXPLAINS.get(cause.kind, ()):
        return True
    if cause.kind == "dead_units" and symptom.kind == "lr_too_low":
        return "initial_dead_rate" not in cause.evidence
    return cause.kind == "dead_units" and symptom.kind == "vanishing" and \
        symptom.epoch is not None and min(cause.evidence["dead_since"].values()) <= symptom.epoch


def _drop_explained(hints: list) -> list:
    """One hint per kind, without the symptoms another present kind explains."""
    kept, seen = [], set()
    for hint in hints:
        explained = any(_explains(other, hint) for other in hints if other.kind != hint.kind)
        if not explained and hint.kind not in seen:
            seen.add(hint.kind)
            kept.append(hint)
    return kept
