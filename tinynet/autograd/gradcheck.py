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
        for k in np.ndindex(x.shape):
            saved = x[k]
            x[k] = saved + eps
            up = projected()
            x[k] = saved - eps
            down = projected()
            x[k] = saved
            numerical = (up - down) / (2 * eps)
            excess = abs(analytic[k] - numerical) - (atol + rtol * abs(numerical))
            if worst is None or excess > worst[0]:
                worst = (excess, i, k, float(analytic[k]), numerical)
        inputs[i].grad = None
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
