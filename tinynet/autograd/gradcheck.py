"""Check analytic gradients against central finite differences, in float64."""
import numpy as np

from tinynet.autograd.grad_mode import no_grad


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with finite differences."""


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, seed: int = 0) -> bool:
    """Compare the gradients backward computes with central finite differences.

    The output y = fn(*inputs) is projected on a fixed random direction v, so one
    backward pass gives every input's gradient of s = Σ v·y, and each input element
    x_k is checked against (s(x_k + eps) - s(x_k - eps)) / (2 eps). An element fails
    when |analytic - numerical| > atol + rtol·|numerical|.

    Args:
        fn: function of the tensors in ``inputs`` returning a tensor.
        inputs: a tensor or a tuple of them (and plain values); tensors that require
            grad are checked and must be float64.
        eps, atol, rtol: step and tolerances (PyTorch's defaults).
        raise_exception: raise ``GradcheckError`` naming the worst element on failure;
            if False, return False instead.
        seed: seed of the projection direction v.

    Returns:
        True when every element agrees.

    Example:
        >>> import tinynet as tn
        >>> x = tn.randn(3, 4, dtype=tn.float64, requires_grad=True)
        >>> tn.gradcheck(lambda t: (t * t).sum(dim=1), (x,))
        True
    """
    from tinynet.tensor import Tensor

    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(f"gradcheck: inputs must include a tensor with requires_grad=True, "
                         f"got none among {len(inputs)} inputs")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} must be float64 (finite differences in "
                            f"float32 are too coarse; use .double()), got dtype "
                            f"{inputs[i].dtype}")
    for i in checked:
        inputs[i].grad = None
    out = fn(*inputs)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(Tensor._wrap(v.astype(out.dtype), False, None))

    def projected() -> float:
        with no_grad():
            return float(np.sum(fn(*inputs).array * v))

    worst = None  # (excess over tolerance, input, index, analytic, numerical)
    for i in checked:
        x = inputs[i].array
        analytic = (inputs[i].grad.array if inputs[i].grad is not None
                    else np.zeros_like(x))
        numerical = central_differences(projected, x, eps)
        excess = np.abs(analytic - numerical) - (atol + rtol * np.abs(numerical))
        excess = np.where(np.isnan(excess), np.inf, excess)  # a NaN is a mismatch
        inputs[i].grad = None
        if x.size == 0:
            continue
        k = tuple(int(j) for j in np.unravel_index(np.argmax(excess), x.shape))  # the first worst
        if worst is None or excess[k] > worst[0]:
            worst = (excess[k], i, k, float(analytic[k]), float(numerical[k]))
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


def central_differences(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """df/dx elementwise, (f(x + eps·e_k) - f(x - eps·e_k)) / (2 eps) for every element k
    of the float64 array ``x``, which is changed and restored in place; ``f()`` returns a
    number computed from ``x``."""
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        saved = x[k]
        x[k] = saved + eps
        up = f()
        x[k] = saved - eps
        down = f()
        x[k] = saved
        g[k] = (up - down) / (2 * eps)
    return g
