"""``Monitor``: per-layer gradient norms, update ratios, dead and saturated units.

Attach it to a model, train as usual (any loop: ``fit`` or hand-written), read the
numbers. It only observes: forward hooks on the activation modules and
post-accumulate-grad hooks on each ``Linear``'s parameters; it never changes a value.
Detached (or never attached), it costs nothing.

Definitions (per activation module, per epoch; "unit" = one feature of the last dim):
  * derivative: f'(z) at the activation's input z, from the same ``derivative`` the
    op's backward uses (e.g. ReLU: 1 if z > 0 else 0; sigmoid: σ(z)(1 - σ(z))).
  * dead unit: f'(z) == 0 exactly for every training sample the monitor saw in the
    epoch. Dead rate = dead units / units. ``dead_units`` lists them and ``dead_since``
    gives, for each, the first epoch of its current unbroken run of dead epochs.
    NOTE: a smooth activation's derivative rounds to exactly 0 far enough out (float32:
    tanh at |z| >= 10, sigmoid at z >= ~16.75, GELU at z <= ~-14.5); such a unit counts
    as dead too, rightly: no gradient passes it. LeakyReLU is never dead.
  * saturated pair: a (sample, unit) pair with |f'(z)| < 1% of the activation's peak
    derivative (sigmoid 0.25, tanh 1, ...). Saturation rate = saturated pairs / pairs.
  * activation mean and std: over every (sample, unit) output value in the epoch.
Per ``Linear`` and per optimisation step:
  * grad norm: ‖∂L/∂W‖₂ (Frobenius) and ‖∂L/∂b‖₂ after each backward;
  * update ratio: ‖W_t - W_(t-1)‖ / ‖W_(t-1)‖, the relative size of the previous step's
    update, measured at the next backward (the first step has none).
Only forward passes in training mode with grad enabled count (evaluation does not).
"""
import numpy as np

from tinynet import nn, ops
from tinynet.autograd.grad_mode import _GradMode

ACTIVATION_MODULES = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.Sigmoid, nn.Tanh)


def activation_derivative(module, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f'(x) of an elementwise activation module, from its op's ``derivative``."""
    if isinstance(module, nn.LeakyReLU):
        return ops.LeakyReLU.derivative(x, y, module.negative_slope)
    if isinstance(module, nn.ELU):
        return ops.ELU.derivative(x, y, module.alpha)
    return module.op.derivative(x, y)


class _ActivationStats:
    """What one activation module saw during the current epoch."""

    def __init__(self, module):
        self.module = module
        self.peak = module.op.peak_derivative
        self.dead_since = None  # per unit: first epoch of the current dead run, or -1
        self.reset()

    def reset(self) -> None:
        self.alive = None  # per unit: f' was nonzero for some sample
        self.saturated = self.pairs = 0
        self.total = self.total_sq = 0.0

    def observe(self, x: np.ndarray, y: np.ndarray) -> None:
        d = np.abs(activation_derivative(self.module, x, y)).reshape(-1, x.shape[-1])
        alive = (d != 0).any(axis=0)
        self.alive = alive if self.alive is None else self.alive | alive
        self.saturated += int(np.count_nonzero(d < 0.01 * self.peak))
        self.pairs += d.size
        self.total += float(y.sum(dtype=np.float64))
        self.total_sq += float(np.square(y, dtype=np.float64).sum())

    def summarize(self, epoch: int) -> dict:
        if self.alive is None:
            return {}
        dead = ~self.alive
        if self.dead_since is None:
            self.dead_since = np.full(dead.shape, -1)
        self.dead_since = np.where(dead, np.where(self.dead_since < 0, epoch, self.dead_since),
                                   -1)
        mean = self.total / self.pairs
        return {
            "dead_rate": float(dead.mean()),
            "dead_units": np.flatnonzero(dead).tolist(),
            "dead_since": self.dead_since[dead].tolist(),  # aligned with dead_units
            "saturation_rate": self.saturated / self.pairs,
            "act_mean": mean,
            "act_std": float(np.sqrt(max(self.total_sq / self.pairs - mean * mean, 0.0))),
        }


class _LinearStats:
    """Gradient norms and update ratios of one Linear, step by step."""

    def __init__(self, module):
        self.module = module
        self.previous_weight = None
        self.weight_grad_norms, self.bias_grad_norms, self.update_ratios = [], [], []

    def on_weight_grad(self, weight) -> None:
        self.weight_grad_norms.append(float(np.linalg.norm(weight.grad.data)))
        w = weight.data
        if self.previous_weight is not None:
            norm = np.linalg.norm(self.previous_weight)
            change = np.linalg.norm(w - self.previous_weight)
            self.update_ratios.append(float(change / norm) if norm else float("inf"))
            np.copyto(self.previous_weight, w)
        else:
            self.previous_weight = w.copy()

    def on_bias_grad(self, bias) -> None:
        self.bias_grad_norms.append(float(np.linalg.norm(bias.grad.data)))


class Monitor:
    """Per-layer training diagnostics for any training loop.

    Args:
        model: the module to watch; every ``Linear`` and activation module in it is
            watched, named by its path in ``model.named_modules()``.

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Sequential(tn.nn.Linear(2, 8), tn.nn.ReLU(), tn.nn.Linear(8, 2))
        >>> monitor = tn.diagnostics.Monitor(model)
        >>> loss = model(tn.randn(16, 2)).sum()
        >>> loss.backward()
        >>> epoch = monitor.end_epoch()
        >>> epoch["epoch"], sorted(epoch["layers"])
        (1, ['0', '1', '2'])
        >>> monitor.detach()
    """

    def __init__(self, model):
        self.model = model
        self.linears, self.activations = {}, {}
        self.epochs = []  # one summary dict per finished epoch
        self._handles = []
        self._step_marks = {}  # Linear name -> number of steps seen at the last end_epoch
        for name, module in model.named_modules():
            if isinstance(module, nn.Linear):
                stats = self.linears[name] = _LinearStats(module)
                self._handles.append(
                    module.weight.register_post_accumulate_grad_hook(stats.on_weight_grad))
                if module.bias is not None:
                    self._handles.append(
                        module.bias.register_post_accumulate_grad_hook(stats.on_bias_grad))
            elif isinstance(module, ACTIVATION_MODULES):
                self.activations[name] = _ActivationStats(module)
                self._handles.append(module.register_forward_hook(self._forward_hook(name)))

    def _forward_hook(self, name):
        stats = self.activations[name]

        def hook(module, inputs, output):
            if module.training and _GradMode.enabled:
                stats.observe(inputs[0].data, output.data)

        return hook

    def end_epoch(self) -> dict:
        """Close the current epoch: summarise it, append it to ``epochs``, return it.

        Returns:
            {"epoch": k (from 1), "layers": {name: {...}}} where a Linear's entry holds the mean
            ``grad_norm``, ``bias_grad_norm`` and ``update_ratio`` over the epoch's
            steps, and an activation's entry its dead and saturation statistics.
        """
        epoch = len(self.epochs) + 1  # epochs count from 1, as a person would
        layers = {}
        for name, stats in self.linears.items():
            start = self._step_marks.get(name, 0)
            w, b = stats.weight_grad_norms[start:], stats.bias_grad_norms[start:]
            ratios = stats.update_ratios[max(start - 1, 0):]
            self._step_marks[name] = len(stats.weight_grad_norms)
            layers[name] = {
                "kind": "Linear",
                "grad_norm": float(np.mean(w)) if w else float("nan"),
                "bias_grad_norm": float(np.mean(b)) if b else float("nan"),
                "update_ratio": float(np.mean(ratios)) if ratios else float("nan"),
            }
        for name, stats in self.activations.items():
            layers[name] = {"kind": type(stats.module).__name__, **stats.summarize(epoch)}
            stats.reset()
        summary = {"epoch": epoch, "layers": dict(sorted(layers.items(), key=_layer_order))}
        self.epochs.append(summary)
        return summary

    def step_grad_norms(self) -> dict:
        """Every step's weight-gradient norm, per Linear: {name: [norm, ...]}."""
        return {name: list(s.weight_grad_norms) for name, s in self.linears.items()}

    def detach(self) -> None:
        """Remove every hook: the model runs exactly as if never monitored."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()


def _layer_order(item):
    """Sort layer names by module path, numerically where a part is a number."""
    return [int(p) if p.isdigit() else p for p in item[0].split(".")]
