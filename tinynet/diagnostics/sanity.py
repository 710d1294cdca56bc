"""``sanity_check``: the checks practitioners run by hand before a long training run.

Following Karpathy's "A Recipe for Training Neural Networks" (2019) and CS231n's
"Neural Networks Part 3", on copies of the model (the model itself is not changed):

  * the loss at initialisation against its expected value (ln C for C classes);
  * the model can overfit a small batch: 20 samples, down to near-zero loss;
  * the analytic gradient agrees with finite differences (float64, along random
    directions in parameter space: cheap at any model size, as HIPS autograd checks);
  * the model uses its inputs: trained on the same batch with the inputs zeroed, its loss
    stays clearly higher than with the real inputs.
"""
import copy
import html
import math
from dataclasses import dataclass

import numpy as np

from tinynet import optim
from tinynet.autograd.grad_mode import no_grad
from tinynet.diagnostics.probe import expected_initial_loss
from tinynet.factories import from_numpy
from tinynet.nn.dropout import _Dropout
from tinynet.random import default_generator

INIT_LOSS_RATIO = 3.0  # the initial loss may be this many times its expected value
OVERFIT_SAMPLES = 20
OVERFIT_STEPS = 300
OVERFIT_LOSS = 0.05  # "near zero": below this share of the initial loss
GRADCHECK_DIRECTIONS = 3
GRADCHECK_RTOL = 1e-5
ZERO_INPUT_RATIO = 0.9  # real inputs must end below 90% of the zeroed inputs' loss


@dataclass
class Check:
    """One check: its name, whether it passed, what was measured and what was expected."""

    name: str
    passed: bool
    measured: str
    expected: str


class SanityReport(list):
    """The checks' results (a list of ``Check``); prints as a table, shows as HTML in a
    notebook; ``passed`` is True when every check passed."""

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self)

    def __str__(self) -> str:
        width = max(len(c.name) for c in self) if self else 0
        lines = [f"{'check':<{width}}  result  measured (expected)"]
        for c in self:
            lines.append(f"{c.name:<{width}}  {'pass' if c.passed else 'FAIL':<6}  "
                         f"{c.measured} ({c.expected})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(c.name)}</td><td>{'✔' if c.passed else '✘'}"
                       f"</td><td>{html.escape(c.measured)}</td>"
                       f"<td>{html.escape(c.expected)}</td></tr>" for c in self)
        return ("<table><tr><th>check</th><th></th><th>measured</th><th>expected</th></tr>"
                f"{rows}</table>")


def sanity_check(model, X, y, loss: str = "cross_entropy", seed: int = 0) -> SanityReport:
    """Run the four checks above on copies of ``model``.

    Args:
        model: the module to check (not changed).
        X: inputs (N, D), at least a few samples; cast to the model's dtype.
        y: targets: class indices for 'cross_entropy', probabilities for
            'bce_with_logits', values for 'mse'.
        loss: 'cross_entropy' (default), 'bce_with_logits', 'mse', or a loss module.
        seed: seeds the batch drawn from (X, y) and the gradient check's directions.

    Returns:
        SanityReport: a printable list of ``Check`` rows.

    Example:
        >>> import numpy as np, tinynet as tn
        >>> data = tn.data.load_dataset("moons", seed=0, n_samples=200)
        >>> model = tn.models.MLP(2, [16, 16], 2, generator=np.random.default_rng(0))
        >>> report = tn.diagnostics.sanity_check(model, data.X_train, data.y_train)
        >>> report.passed, [check.name for check in report]
        (True, ['initial loss', 'overfit 20 samples', 'gradient check', 'uses its inputs'])
    """
    from tinynet.training.inputs import check_inputs, check_targets
    from tinynet.training.loop import resolve_loss

    loss_fn, name = resolve_loss("sanity_check", loss)
    dtype = next(model.parameters()).dtype
    X = check_inputs("sanity_check", X, dtype)
    y = check_targets("sanity_check", y, len(X), name, dtype)
    return run_checks(model, loss_fn, name, X, y, seed)


def run_checks(model, loss_fn, loss_name: str, X: np.ndarray, y: np.ndarray,
               seed: int = 0) -> SanityReport:
    """The checks on arrays already checked (``fit(sanity_check=True)`` calls this)."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(X), size=min(OVERFIT_SAMPLES, len(X)), replace=False)
    xb, yb = X[idx], y[idx]
    return SanityReport([_initial_loss(model, loss_fn, loss_name, xb, yb),
                         _overfit(model, loss_fn, xb, yb),
                         _gradcheck(model, loss_fn, xb[:4], yb[:4], rng),
                         _uses_inputs(model, loss_fn, xb, yb)])


def _copy(model, dtype=None):
    """A copy of ``model`` without its hooks (a Monitor's must not see the copy)."""
    twin = copy.deepcopy(model)
    for module in twin.modules():
        module._remove_hooks()
    for p in twin.parameters():
        p._grad_hooks = None
    return twin.to(dtype) if dtype is not None else twin


def _loss(model, loss_fn, xb, yb):
    return loss_fn(model(from_numpy(xb)), from_numpy(yb))


def _initial_loss(model, loss_fn, name, xb, yb) -> Check:
    twin = _copy(model)
    with no_grad():
        value = _loss(twin, loss_fn, xb, yb).item()
    n_outputs = twin(from_numpy(xb[:1])).shape[-1]
    expected = expected_initial_loss(name, n_outputs, yb)
    passed = expected is None or value <= INIT_LOSS_RATIO * expected
    return Check("initial loss", bool(passed), f"{value:.4g}",
                 f"near {expected:.4g}" if expected is not None else "no reference")


def _train(model, loss_fn, xb, yb, steps: int, eval_types: tuple = ()) -> list:
    """Full-batch Adam (lr 1e-2) on (xb, yb), with the modules of ``eval_types`` in
    evaluation mode; the loss before each step."""
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    model.train()
    for module in model.modules():
        if isinstance(module, eval_types):
            module.eval()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = _loss(model, loss_fn, xb, yb)
        loss.backward()
        losses.append(loss.item())
        optimizer.step()
    return losses


def _overfit(model, loss_fn, xb, yb) -> Check:
    """Whether the model can memorise (xb, yb), its dropout off (it is there to keep a
    model from memorising)."""
    twin = _copy(model)
    losses = _train(twin, loss_fn, xb, yb, OVERFIT_STEPS, eval_types=(_Dropout,))
    target = OVERFIT_LOSS * losses[0]
    return Check(f"overfit {len(xb)} samples", bool(min(losses) < target),
                 f"loss {losses[0]:.4g} -> {min(losses):.3g} in {OVERFIT_STEPS} steps",
                 f"below {target:.3g}")


def _gradcheck(model, loss_fn, xb, yb, rng) -> Check:
    """Backward's gradient against central differences of the loss along random unit
    directions v in parameter space: ∇L·v = (L(θ + εv) - L(θ - εv)) / 2ε, in float64.
    Every evaluation draws the same random numbers from the global generator (a
    dropout's mask, an RReLU's slopes): the function differentiated is one function.
    The generator is left as it was found."""
    twin = _copy(model, np.float64)
    xb = xb.astype(np.float64)
    yb = yb if yb.dtype.kind in "iu" else yb.astype(np.float64)
    params = list(twin.parameters())
    generator = default_generator()
    draws = generator.get_state()
    try:
        twin.zero_grad()
        _loss(twin, loss_fn, xb, yb).backward()
        grads = [p.grad.array if p.grad is not None else np.zeros_like(p.array)
                 for p in params]
        worst, eps = 0.0, 1e-6
        for _ in range(GRADCHECK_DIRECTIONS):
            directions = [rng.standard_normal(p.shape) for p in params]
            norm = math.sqrt(sum(float(np.sum(d * d)) for d in directions))
            directions = [d / norm for d in directions]
            analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, directions))
            shifted = [_shifted(twin, params, directions, step, loss_fn, xb, yb,
                                lambda: generator.set_state(draws))
                       for step in (eps, -eps)]
            numerical = (shifted[0] - shifted[1]) / (2 * eps)
            scale = max(abs(analytic), abs(numerical), 1e-8)
            worst = max(worst, abs(analytic - numerical) / scale)
    finally:
        generator.set_state(draws)
    return Check("gradient check", bool(worst < GRADCHECK_RTOL), f"relative error {worst:.1e}",
                 f"below {GRADCHECK_RTOL:g}, float64, {GRADCHECK_DIRECTIONS} directions")


def _shifted(model, params, directions, step, loss_fn, xb, yb, same_draws) -> float:
    with no_grad():
        for p, d in zip(params, directions):
            p.array += step * d
        same_draws()
        value = _loss(model, loss_fn, xb, yb).item()
        for p, d in zip(params, directions):
            p.array -= step * d
    return value


def _uses_inputs(model, loss_fn, xb, yb) -> Check:
    steps = OVERFIT_STEPS // 3
    real = min(_train(_copy(model), loss_fn, xb, yb, steps))
    zeroed = min(_train(_copy(model), loss_fn, np.zeros_like(xb), yb, steps))
    return Check("uses its inputs", bool(real < ZERO_INPUT_RATIO * zeroed),
                 f"loss {real:.3g} with the inputs, {zeroed:.3g} with zeros",
                 f"the first below {ZERO_INPUT_RATIO:.0%} of the second")


