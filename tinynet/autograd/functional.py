"""``tn.autograd.functional``: derivatives of a whole function, as PyTorch's:
``jacobian``, ``vjp`` and ``jvp``.

Each runs the function once on detached copies of its inputs that require grad (so no
``.grad`` of the caller's tensors changes), then backpropagates from the outputs with
``tn.autograd.grad``: ``vjp`` once, ``jacobian`` and ``jvp`` once per output element
(reverse mode: row i of the Jacobian is the gradient of output element i). The results
require no grad. ``hessian``, ``hvp`` and ``vhp`` differentiate a gradient, which needs a
graph of the backward pass (tinynet has no double backward): they raise.
"""
import numpy as np

from tinynet.autograd.gradients import CREATE_GRAPH, grad
from tinynet.autograd.grad_mode import enable_grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: J[i][j] = d outputs[i] / d inputs[j], of
    shape ``outputs[i].shape + inputs[j].shape``.

    Args:
        func: a function of the input tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (floating point).
        create_graph: refused (no double backward).
        strict: raise when an output does not depend on the inputs (else its rows are
            zeros).
        vectorize: accepted; the result is the same either way.
        strategy: "reverse-mode" (the only one).

    Returns:
        A tensor for one input and one output; a tuple over the inputs (or over the
        outputs) when that argument is a tuple; a tuple of tuples when both are.

    Example:
        >>> import tinynet as tn
        >>> tn.autograd.functional.jacobian(lambda x: x ** 2, tn.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    _check_options("jacobian", create_graph)
    if strategy != "reverse-mode":
        raise NotImplementedError(f"jacobian: strategy must be 'reverse-mode' (tinynet has "
                                  f"no forward-mode autodiff), got {strategy!r}")
    inputs_tuple, inputs = _as_tuple("jacobian", "inputs", inputs)
    copies, outputs = _call("jacobian", func, inputs)
    outputs_tuple, outputs = _as_tuple("jacobian", "outputs of func", outputs)
    rows = [_jacobian_of(k, out, copies, strict) for k, out in enumerate(outputs)]
    per_output = [tuple(row) if inputs_tuple else row[0] for row in rows]
    return tuple(per_output) if outputs_tuple else per_output[0]


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), vᵀJ)``: the outputs (detached) and the gradient of
    Σᵢ ⟨outputs[i], v[i]⟩ with respect to each input, one backward pass.

    Args:
        v: per output, a tensor of its shape; may be None when ``func`` returns one
            tensor of one element (then 1).
        create_graph, strict: as for ``jacobian``.

    Example:
        >>> import tinynet as tn
        >>> out, g = tn.autograd.functional.vjp(lambda x: (x ** 2).sum(), tn.tensor([1.0, 2.0]))
        >>> out.item(), g.tolist()
        (5.0, [2.0, 4.0])
    """
    _check_options("vjp", create_graph)
    inputs_tuple, inputs = _as_tuple("vjp", "inputs", inputs)
    copies, outputs = _call("vjp", func, inputs)
    outputs_tuple, outputs = _as_tuple("vjp", "outputs of func", outputs)
    v = _directions("vjp", v, outputs, "output")
    used = [(out, g) for out, g in zip(outputs, v) if out.requires_grad]
    if strict and len(used) < len(outputs):
        raise RuntimeError(f"vjp: output {_first_constant(outputs)} of func does not depend "
                           f"on the inputs (strict=True)")
    grads = grad([out for out, _ in used], copies, [g for _, g in used],
                 allow_unused=True) if used else (None,) * len(copies)
    unused = [j for j, g in enumerate(grads) if g is None]
    if strict and unused:
        raise RuntimeError(f"vjp: the outputs of func do not depend on inputs[{unused[0]}] "
                           f"(strict=True)")
    grads = [Tensor._wrap(np.zeros_like(x.array), False, None) if g is None else g
             for g, x in zip(grads, copies)]
    detached = tuple(out.detach() for out in outputs)
    return (detached if outputs_tuple else detached[0],
            tuple(grads) if inputs_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), Jv)``: the outputs (detached) and the derivative of each output
    along the direction ``v`` of the inputs, Σⱼ J[i][j]·v[j]; computed as the Jacobian
    (one backward pass per output element) times v.

    Args:
        v: per input, a tensor of its shape; may be None when there is one input of one
            element (then 1).
        create_graph, strict: as for ``jacobian``.

    Example:
        >>> import tinynet as tn
        >>> out, d = tn.autograd.functional.jvp(lambda x: x ** 2, tn.tensor([1.0, 2.0]),
        ...                                     tn.tensor([1.0, 0.0]))
        >>> d.tolist()
        [2.0, 0.0]
    """
    _check_options("jvp", create_graph)
    inputs_tuple, inputs = _as_tuple("jvp", "inputs", inputs)
    v = _directions("jvp", v, inputs, "input")
    copies, outputs = _call("jvp", func, inputs)
    outputs_tuple, outputs = _as_tuple("jvp", "outputs of func", outputs)
    products = []
    for k, out in enumerate(outputs):
        rows = _jacobian_of(k, out, copies, strict, "jvp")
        # in the output's dtype, as PyTorch's (float64 from a float32 input cast up)
        dtype = out.array.dtype if out.array.dtype.kind == "f" else rows[0].array.dtype
        total = np.zeros(out.shape, dtype)
        for row, direction, x in zip(rows, v, copies):
            flat = row.array.reshape(out.array.size, x.array.size).astype(dtype, copy=False)
            total += (flat @ direction.array.astype(dtype).reshape(-1)).reshape(out.shape)
        products.append(Tensor._wrap(total, False, None))
    detached = tuple(out.detach() for out in outputs)
    return (detached if outputs_tuple else detached[0],
            tuple(products) if outputs_tuple else products[0])


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """Refused: a Hessian differentiates a gradient (see the module docstring)."""
    raise NotImplementedError(f"hessian: {_SECOND_ORDER}")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Refused: a Hessian-vector product differentiates a gradient."""
    raise NotImplementedError(f"hvp: {_SECOND_ORDER}")


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Refused: a vector-Hessian product differentiates a gradient."""
    raise NotImplementedError(f"vhp: {_SECOND_ORDER}")


_SECOND_ORDER = ("second derivatives need the backward pass recorded as a graph, and "
                 "tinynet's backward runs on numpy arrays (no double backward); take finite "
                 "differences of a gradient instead")


def _check_options(where: str, create_graph: bool) -> None:
    if create_graph:
        raise NotImplementedError(f"{where}: {CREATE_GRAPH}")


def _as_tuple(where: str, name: str, value) -> tuple:
    """(whether ``value`` was a tuple, its tensors as a tuple), as PyTorch takes them: a
    tensor or a tuple of tensors."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            got = type(value).__name__ if not is_tuple else \
                f"a tuple holding {type(t).__name__} at position {i}"
            raise TypeError(f"{where}: {name} must be a Tensor or a tuple of Tensors, got "
                            f"{got}")
    return is_tuple, items


def _call(where: str, func, inputs: tuple):
    """(detached copies of ``inputs`` that require grad, ``func`` of them), the call
    under enable_grad."""
    for i, x in enumerate(inputs):
        if x.array.dtype.kind != "f":
            raise RuntimeError(f"{where}: inputs[{i}] must be floating point to be "
                               f"differentiated, got dtype {x.dtype}")
    copies = tuple(x.detach().requires_grad_() for x in inputs)
    with enable_grad():
        return copies, func(*copies)


def _directions(where: str, v, like: tuple, per: str) -> tuple:
    """``v`` as a tuple of tensors, one per ``per`` ("input" or "output": ``like``), each
    of its shape; None stands for 1 when there is one of one element."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{where}: v can be None only for one {per} of one element; "
                               f"pass v, one tensor per {per} of its shape")
        return (Tensor._wrap(np.ones_like(like[0].array), False, None),)
    _, v = _as_tuple(where, "v", v)
    _check_shapes(where, per, v, like)
    return v


def _check_shapes(where: str, per: str, v: tuple, like: tuple) -> None:
    """``v`` must hold one tensor per ``per`` (of ``like``), of its shape."""
    if len(v) != len(like):
        raise RuntimeError(f"{where}: v must hold {len(like)} tensors (one per {per}), got "
                           f"{len(v)}")
    for i, (g, t) in enumerate(zip(v, like)):
        if tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"{where}: v[{i}] must have shape {tuple(t.shape)}, got "
                               f"{tuple(g.shape)}")


def _jacobian_of(k: int, out, inputs: tuple, strict: bool, where: str = "jacobian") -> list:
    """Per input, d out / d input as a tensor of shape out.shape + input.shape: one
    backward pass per element of ``out`` (the graph kept for the next)."""
    if not out.requires_grad:
        if strict:
            raise RuntimeError(f"{where}: output {k} of func does not depend on the inputs "
                               f"(strict=True)")
        return [Tensor._wrap(np.zeros(out.shape + x.shape, x.array.dtype), False, None)
                for x in inputs]
    blocks = [np.zeros((out.array.size,) + x.array.shape, x.array.dtype) for x in inputs]
    seed = np.zeros(out.array.shape, out.array.dtype)
    for i in range(out.array.size):
        seed.reshape(-1)[i] = 1
        grads = grad(out, inputs, Tensor._wrap(seed.copy(), False, None), retain_graph=True,
                     allow_unused=True)
        seed.reshape(-1)[i] = 0
        for j, g in enumerate(grads):
            if g is None:
                if strict:
                    raise RuntimeError(f"{where}: output {k} of func does not depend on "
                                       f"inputs[{j}] (strict=True)")
                continue
            blocks[j][i] = g.array
    return [Tensor._wrap(b.reshape(out.shape + x.shape), False, None)
            for b, x in zip(blocks, inputs)]


def _first_constant(outputs: tuple) -> int:
    return next(i for i, out in enumerate(outputs) if not out.requires_grad)


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
