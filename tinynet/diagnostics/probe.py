"""What a run looks like before its first step: the inputs' scale, the loss at
initialisation against its expected value, and how activations grow layer to layer.

``fit`` records these in ``History.config`` (keys ``input``, ``initial_loss``,
``expected_initial_loss``, ``guess_loss``, ``initial_act_std``, ``initial_dead_rate``,
``initial_saturation_rate``, ``batch_norm``, ``layer_norm`` and ``init``) so the hints
can tell an unscaled input or a badly scaled initialisation from the pathologies that
develop in training, and leave out of their advice what the model already uses.
"""
import collections
import math

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.factories import from_numpy

PROBE_SAMPLES = 512  # enough for a stable mean loss; small enough to be free


def _is_mlp(model) -> bool:
    """Whether ``model`` is a ``tinynet.models.MLP`` (known by its class: the models sit
    above the diagnostics, which do not import them)."""
    return any(c.__name__ == "MLP" and c.__module__ == "tinynet.models"
               for c in type(model).__mro__)


def input_stats(X: np.ndarray) -> dict:
    """Per-feature scale of X, summarised: the largest |mean|, the largest and smallest
    standard deviation (over features that vary), and the count of constant features."""
    X = np.asarray(X, dtype=np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0)
    varying = std[std > 0]
    return {"max_abs_mean": float(np.abs(mean).max()),
            "max_std": float(varying.max()) if varying.size else 0.0,
            "min_std": float(varying.min()) if varying.size else 0.0,
            "constant_features": int(np.count_nonzero(std == 0))}


def expected_initial_loss(loss_name: str, n_outputs: int, y: np.ndarray):
    """The loss a well-scaled initialisation starts near, when its outputs are close to 0:
    ln C for cross-entropy over C classes (every class equally likely: Karpathy's "the
    loss at init should be -ln(1/C)"), ln 2 for binary cross-entropy, E[y²] for MSE.
    None for a loss this does not know."""
    if loss_name in ("cross_entropy", "nll"):
        return math.log(n_outputs) if n_outputs > 1 else None
    if loss_name == "bce_with_logits":
        return math.log(2.0)
    if loss_name == "mse":
        return float(np.mean(np.square(y, dtype=np.float64)))
    return None


def guess_loss(loss_name: str, y: np.ndarray, n_outputs: int):
    """The loss of the best constant output, the baseline a model that learned nothing
    from the inputs reaches: for cross-entropy the entropy of the labels' class
    frequencies (ln C when they are balanced), for binary cross-entropy that of each
    output's label frequency, for MSE the targets' variance (predicting their mean).
    None for a loss this does not know, or no labels."""
    y = np.asarray(y)
    if not y.size:
        return None
    if loss_name in ("cross_entropy", "nll") and y.dtype.kind in "iu" and n_outputs > 1:
        p = np.bincount(y.reshape(-1), minlength=n_outputs) / y.size
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())
    if loss_name == "bce_with_logits":
        p = np.clip(np.asarray(y, dtype=np.float64).reshape(len(y), -1).mean(axis=0), 0, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -(p * np.log(p) + (1 - p) * np.log1p(-p))
        return float(np.nan_to_num(h).mean())
    if loss_name == "mse":
        return float(np.asarray(y, dtype=np.float64).reshape(len(y), -1).var(axis=0).mean())
    return None


def initial_state(model, loss_fn, loss_name: str, X: np.ndarray, y: np.ndarray,
                  check_outputs=None) -> dict:
    """One forward pass (no graph) on the first ``PROBE_SAMPLES`` samples at the current
    weights: the mean loss, its expected value, and each activation module's output
    standard deviation and dead rate (the share of its units whose derivative is 0 for
    every sample, as the Monitor counts them), in model order. ``check_outputs(n_outputs)``,
    if given, runs between the forward pass and the loss (``fit`` checks its class labels
    there)."""
    from tinynet.diagnostics.monitor import SATURATED, is_activation, peak_derivative
    from tinynet.nn.normalization import BatchNorm1d, LayerNorm

    stds, dead, saturated = {}, {}, {}
    names = {id(m): name for name, m in model.named_modules()}

    calls = collections.Counter()

    def measure(module, inputs, out):
        calls[names[id(module)]] += 1
        stds[names[id(module)]] = float(np.std(out.array))
        d = module.derivative(inputs[0].array, out.array)
        dead[names[id(module)]] = float(np.mean(~np.any(d.reshape(-1, d.shape[-1]), axis=0))) \
            if d.ndim and d.size else 0.0
        saturated[names[id(module)]] = float(np.mean(
            np.abs(d) < SATURATED * peaks[id(module)])) if np.size(d) else 0.0

    activations = [module for module in model.modules() if is_activation(module)]
    handles, was_training = [], model.training
    model.eval()
    try:
        with no_grad():
            # before the hooks: a peak found on a grid calls the module (in eval mode,
            # without grad: no Monitor counts that call either)
            peaks = {id(module): peak_derivative(module) for module in activations}
            handles = [module.register_forward_hook(measure) for module in activations]
            xb, yb = X[:PROBE_SAMPLES], y[:PROBE_SAMPLES]
            try:
                out = model(from_numpy(xb))
            except ValueError as error:  # (the first place the model meets X)
                raise ValueError(f"fit: the model's forward pass on X, of shape "
                                 f"{np.shape(X)}, raised: {error}") from error
            if check_outputs is not None:
                check_outputs(out.shape[-1] if out.ndim else 1)
            loss = float(loss_fn(out, from_numpy(yb)).item())
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    for name, n in calls.items():  # a module reused across layers: its numbers mix them
        if n > 1:
            del stds[name], dead[name], saturated[name]
    if getattr(loss_fn, "reduction", "mean") == "sum":
        loss /= len(xb)
    n_outputs = out.shape[-1] if out.ndim else 1
    return {"initial_loss": loss,
            "expected_initial_loss": expected_initial_loss(loss_name, n_outputs, yb),
            "guess_loss": guess_loss(loss_name, y, n_outputs),
            "initial_act_std": stds, "initial_dead_rate": dead,
            "initial_saturation_rate": saturated, "n_outputs": n_outputs,
            "batch_norm": any(isinstance(m, BatchNorm1d) for m in model.modules()),
            # what the model already uses, which the hints do not advise again
            "layer_norm": any(isinstance(m, LayerNorm) for m in model.modules()),
            "init": model.init if _is_mlp(model) else None}
