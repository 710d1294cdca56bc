"""What a run looks like before its first step: the inputs' scale, the loss at
initialisation against its expected value, and how activations grow layer to layer.

``fit`` records these in ``History.config`` (keys ``input``, ``initial_loss``,
``expected_initial_loss``, ``initial_act_std`` and ``initial_dead_rate``) so the hints can
tell an unscaled input or a badly scaled initialisation from the pathologies that develop
in training.
"""
import math

import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.factories import from_numpy

PROBE_SAMPLES = 512  # enough for a stable mean loss; small enough to be free


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


def initial_state(model, loss_fn, loss_name: str, X: np.ndarray, y: np.ndarray,
                  check_outputs=None) -> dict:
    """One forward pass (no graph) on the first ``PROBE_SAMPLES`` samples at the current
    weights: the mean loss, its expected value, and each activation module's output
    standard deviation and dead rate (the share of its units whose derivative is 0 for
    every sample, as the Monitor counts them), in model order. ``check_outputs(n_outputs)``,
    if given, runs between the forward pass and the loss (``fit`` checks its class labels
    there)."""
    from tinynet.diagnostics.monitor import is_activation

    stds, dead = {}, {}
    names = {id(m): name for name, m in model.named_modules()}

    def measure(module, inputs, out):
        stds[names[id(module)]] = float(np.std(out.array))
        d = module.derivative(inputs[0].array, out.array)
        dead[names[id(module)]] = float(np.mean(~np.any(d.reshape(-1, d.shape[-1]), axis=0))) \
            if d.ndim and d.size else 0.0

    handles = [module.register_forward_hook(measure)
               for module in model.modules() if is_activation(module)]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            xb, yb = X[:PROBE_SAMPLES], y[:PROBE_SAMPLES]
            out = model(from_numpy(xb))
            if check_outputs is not None:
                check_outputs(out.shape[-1] if out.ndim else 1)
            loss = float(loss_fn(out, from_numpy(yb)).item())
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    if getattr(loss_fn, "reduction", "mean") == "sum":
        loss /= len(xb)
    n_outputs = out.shape[-1] if out.ndim else 1
    return {"initial_loss": loss,
            "expected_initial_loss": expected_initial_loss(loss_name, n_outputs, yb),
            "initial_act_std": stds, "initial_dead_rate": dead, "n_outputs": n_outputs}
