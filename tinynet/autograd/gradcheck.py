"""Check analytic gradients against central finite differences, in float64."""
import numpy as np

from tinynet.autograd.grad_mode import no_grad
from tinynet.checks import check_real


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with finite differences."""


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, seed: int = 0, *, fast_mode: bool = False,
              nondet_tol: float = 0.0) -> bool:
    """Compare the gradients backward computes with central finite differences.

    By default (as PyTorch's), entry by entry: the Jacobian of every output element
    with respect to every input element, one backward pass per output element, against
    the central differences (y(x_k + eps) - y(x_k - eps)) / (2 eps). An entry fails
    when |analytic - numerical| > atol + rtol·|numerical|.

    ``fast_mode=True`` (PyTorch's fast mode, in spirit) projects the outputs on a fixed
    random direction v instead, so one backward pass gives every input's gradient of
    s = Σ v·y, checked against the differences of s: much cheaper for many outputs,
    but an error in one Jacobian entry can hide in a sum over many. Either way an
    output that does not require grad (detached, say) has an analytic gradient of 0,
    which the finite differences then contradict, and no tensor's ``.grad`` is read or
    written (``autograd.grad``). As PyTorch's, the analytic gradients are computed twice
    and must agree to ``nondet_tol`` (a backward that is not reentrant, that gives other
    values on the same input and gradient, fails even where it meets the tolerances).

    Args:
        fn: function of the tensors in ``inputs`` returning a tensor or a tuple of
            tensors (integer ones have no gradient and are left out).
        inputs: a tensor or a tuple of them (and plain values); tensors that require
            grad are checked and must be float64.
        eps, atol, rtol: step and tolerances (PyTorch's defaults).
        raise_exception: raise ``GradcheckError`` naming the worst element on failure;
            if False, return False instead.
        seed: seed of the projection direction v (``fast_mode``).
        fast_mode: check the projection on v, not every Jacobian entry.
        nondet_tol: how far two backward passes on the same input and gradient may
            differ (default 0: exactly alike).

    Returns:
        True when every element agrees.

    Example:
        >>> import tinynet as tn
        >>> x = tn.randn(3, 4, dtype=tn.float64, requires_grad=True)
        >>> tn.gradcheck(lambda t: (t * t).sum(dim=1), (x,))
        True
    """
    from tinynet.autograd.gradients import grad
    from tinynet.tensor import Tensor

    eps = check_real("gradcheck", "eps", eps, 0.0, low_open=True)
    atol = check_real("gradcheck", "atol", atol, 0.0)
    rtol = check_real("gradcheck", "rtol", rtol, 0.0)
    nondet_tol = check_real("gradcheck", "nondet_tol", nondet_tol, 0.0)
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(f"gradcheck: inputs must include a tensor with requires_grad=True, "
                         f"got none among {len(inputs)} inputs")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} must be float64 (finite differences in "
                            f"float32 are too coarse; use .double()), got dtype "
                            f"{inputs[i].dtype}")
    first = _outputs(fn(*inputs))
    if not fast_mode:
        return _entrywise(fn, inputs, first, checked, eps, atol, rtol, raise_exception,
                          nondet_tol)
    rng = np.random.default_rng(seed)
    # one random direction per floating output (integer ones have no gradient)
    directions = [rng.standard_normal(y.shape) if y.dtype.kind == "f" else None
                  for y in first]
    outputs = [(y, v) for y, v in zip(first, directions) if v is not None and y.requires_grad]
    # the analytic gradients of s = Σ v·y, without touching any .grad
    analytic = [None] * len(checked)
    if outputs:
        def gradients() -> tuple:
            return grad([y for y, _ in outputs], [inputs[i] for i in checked],
                        [Tensor._wrap(v.astype(y.dtype), False, None) for y, v in outputs],
                        allow_unused=True, retain_graph=True)
        analytic, again = gradients(), gradients()
        if not _reentrant([g.array for g in analytic if g is not None],
                          [g.array for g in again if g is not None], nondet_tol,
                          raise_exception):
            return False

    def projected() -> float:
        with no_grad():
            return float(sum(np.sum(y.array * v) for y, v in
                             zip(_outputs(fn(*inputs)), directions) if v is not None))

    worst = None  # (excess over tolerance, input, index, analytic, numerical)
    for i, g in zip(checked, analytic):
        x = inputs[i].array
        g = np.zeros_like(x) if g is None else g.array  # (an input no output depends on)
        numerical = central_differences(projected, x, eps)
        excess = np.abs(g - numerical) - (atol + rtol * np.abs(numerical))
        excess = np.where(np.isnan(excess), np.inf, excess)  # a NaN is a mismatch
        if x.size == 0:
            continue
        k = tuple(int(j) for j in np.unravel_index(np.argmax(excess), x.shape))  # the first worst
        if worst is None or excess[k] > worst[0]:
            worst = (excess[k], i, k, float(g[k]), float(numerical[k]))
    if worst is None:  # only empty tensors: nothing to disagree
        return True
    excess, i, k, analytic_k, numerical_k = worst
    if excess <= 0:
        return True
    if raise_exception:
        difference, allowed = abs(analytic_k - numerical_k), atol + rtol * abs(numerical_k)
        raise GradcheckError(
            f"gradcheck: gradient mismatch for input {i} at index {k}: analytic "
            f"{analytic_k:.10g}, numerical {numerical_k:.10g} (|difference| {difference:.3g} "
            f"> atol + rtol*|numerical| = {allowed:.3g})")
    return False


def _reentrant(first: list, second: list, nondet_tol: float, raise_exception: bool) -> bool:
    """Whether two backward passes on the same input and gradient agree to
    ``nondet_tol``; else raise ``GradcheckError`` (or return False), as PyTorch's
    gradcheck does for a backward that is not reentrant."""
    # (equal values agree, infinities too, and NaNs in the same places: the comparison
    # with the differences reports them)
    with np.errstate(invalid="ignore"):  # (inf - inf)
        differences = [np.max(np.where((a == b) | np.isnan(a) & np.isnan(b), 0.0,
                                       np.abs(a - b))) for a, b in zip(first, second) if a.size]
    worst = max(differences, default=0.0)
    if worst <= nondet_tol:
        return True
    if raise_exception:
        raise GradcheckError(f"gradcheck: backward is not reentrant: two passes on the same "
                             f"input and gradient differ by up to {worst:.3g} > nondet_tol "
                             f"{nondet_tol:.3g} (as PyTorch checks; a backward must give the "
                             f"same values each time, or raise nondet_tol)")
    return False


def _entrywise(fn, inputs, first, checked, eps, atol, rtol, raise_exception,
               nondet_tol) -> bool:
    """``gradcheck``'s default: every Jacobian entry, analytic (a backward pass per
    output element) against central differences (two forward passes per input
    element)."""
    from tinynet.autograd.gradients import grad
    from tinynet.tensor import Tensor

    floating = [y for y in first if y.dtype.kind == "f"]  # (integer ones have no gradient)
    sizes = [y.array.size for y in floating]
    xs = [inputs[i] for i in checked]
    analytic = [np.zeros((sum(sizes), x.array.size)) for x in xs]
    again = [np.zeros_like(rows) for rows in analytic]  # (a second pass: reentrant?)
    row = 0
    for y, size in zip(floating, sizes):
        for e in range(size if y.requires_grad else 0):
            v = np.zeros(y.array.shape, y.array.dtype)
            v.flat[e] = 1
            for jacobian in (analytic, again):
                grads = grad([y], xs, [Tensor._wrap(v, False, None)], retain_graph=True,
                             allow_unused=True)
                for rows, g in zip(jacobian, grads):
                    if g is not None:
                        rows[row + e] = g.array.reshape(-1)
        row += size
    if not _reentrant(analytic, again, nondet_tol, raise_exception):
        return False

    def values() -> np.ndarray:
        with no_grad():
            outs = [y for y in _outputs(fn(*inputs)) if y.dtype.kind == "f"]
            return np.concatenate([np.asarray(y.array, np.float64).reshape(-1) for y in outs]
                                  + [np.zeros(0)])

    worst = None  # (excess over tolerance, input, input index, output element, a, n)
    for i, x, rows in zip(checked, xs, analytic):
        # (element by element in C order: column k of the rows, whatever x's strides)
        for k, (index, numerical) in enumerate(_differences(values, x.array, eps)):
            excess = np.abs(rows[:, k] - numerical) - (atol + rtol * np.abs(numerical))
            excess = np.where(np.isnan(excess), np.inf, excess)  # a NaN is a mismatch
            if excess.size:
                j = int(np.argmax(excess))
                if worst is None or excess[j] > worst[0]:
                    index = tuple(int(q) for q in index)
                    worst = (excess[j], i, index, j, float(rows[j, k]), float(numerical[j]))
    if worst is None or worst[0] <= 0:
        return True
    if raise_exception:
        _, i, index, j, analytic_k, numerical_k = worst
        difference, allowed = abs(analytic_k - numerical_k), atol + rtol * abs(numerical_k)
        raise GradcheckError(
            f"gradcheck: gradient mismatch for input {i} at index {index}, output element "
            f"{j} (the outputs flattened and joined): analytic {analytic_k:.10g}, numerical "
            f"{numerical_k:.10g} (|difference| {difference:.3g} > atol + rtol*|numerical| = "
            f"{allowed:.3g})")
    return False


def _outputs(out) -> tuple:
    """``fn``'s output as a tuple of tensors: a tensor, or a tuple or list of them."""
    from tinynet.tensor import Tensor
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    if not all(isinstance(y, Tensor) for y in outs):  # (none at all: nothing to check)
        kinds = ", ".join(type(y).__name__ for y in outs)
        raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, got "
                        f"{kinds if isinstance(out, (tuple, list)) else type(out).__name__}")
    return outs


def central_differences(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """df/dx elementwise, (f(x + eps·e_k) - f(x - eps·e_k)) / (2 eps) for every element k
    of the float64 array ``x``, which is changed and restored in place; ``f()`` returns a
    number computed from ``x``."""
    g = np.zeros_like(x)
    for k, difference in _differences(f, x, eps):
        g[k] = difference
    return g


def _differences(f, x: np.ndarray, eps: float):
    """(k, (f(x + eps·e_k) - f(x - eps·e_k)) / (2 eps)) for each element k of ``x`` in C
    order, ``x`` changed and restored in place; ``f()`` returns a number or an array."""
    for k in np.ndindex(x.shape):
        saved = x[k]
        x[k] = saved + eps
        up = f()
        x[k] = saved - eps
        down = f()
        x[k] = saved
        yield k, (up - down) / (2 * eps)
