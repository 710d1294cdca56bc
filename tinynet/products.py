"""Products and distances of whole tensors, as PyTorch's functions (not methods):
``tensordot`` (a contraction over chosen dims) and ``cdist`` (the distance between
every pair of rows)."""
# ruff: noqa: A002  (PyTorch's argument names: input)
import math

import numpy as np

from tinynet import ops
from tinynet.checks import check_choice, check_not_nan
from tinynet.combining import _into
from tinynet.ops.reduce import check_dim
from tinynet.tensor import Tensor
from tinynet.tensor_math import check_tensor

CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
               "donot_use_mm_for_euclid_dist")


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Σ a[..., k] b[k, ...] over the contracted dims: the last ``dims`` of ``a`` with the
    first ``dims`` of ``b`` (an int), or ``dims = (dims_a, dims_b)``, two lists of dims of
    one length whose sizes match. The result has a's free dims, then b's. Composed of
    ``permute``, ``reshape`` and ``@``, so differentiable in both; ``out`` as ``matmul``'s.

    Example:
        >>> import tinynet as tn
        >>> tn.tensordot(tn.ones(2, 3), tn.ones(3, 4), dims=([1], [0])).shape
        (2, 4)
    """
    for name, x in (("a", a), ("b", b)):
        check_tensor("tensordot", x, name)
    if a.dtype != b.dtype:
        raise TypeError(f"tensordot: a and b must have one dtype (as in PyTorch), got "
                        f"{a.dtype} and {b.dtype}")
    dims_a, dims_b = _contracted_dims(a, b, dims)
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    kept_a, kept_b = [a.shape[d] for d in free_a], [b.shape[d] for d in free_b]
    size = math.prod(a.shape[d] for d in dims_a)
    # (free of a, contracted) @ (contracted, free of b): one matrix product
    left = a.permute(free_a + dims_a).reshape(math.prod(kept_a), size)
    right = b.permute(dims_b + free_b).reshape(size, math.prod(kept_b))
    return _into(out, (left @ right).reshape(tuple(kept_a + kept_b)), "tensordot")


def _contracted_dims(a, b, dims) -> tuple:
    """(dims of a, dims of b) to contract, as lists of non-negative dims."""
    if isinstance(dims, Tensor):  # PyTorch takes an int or a (2, n) tensor too
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims must be an integer in [0, {min(a.ndim, b.ndim)}] "
                             f"(the fewer dims of a and b), got {dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    elif isinstance(dims, (list, tuple)) and len(dims) == 2 and all(
            isinstance(d, (list, tuple)) and all(isinstance(i, (int, np.integer))
                                                 and not isinstance(i, bool) for i in d)
            for d in dims):
        if len(dims[0]) != len(dims[1]):
            raise ValueError(f"tensordot: the two lists of dims must have one length, got "
                             f"{list(dims[0])} and {list(dims[1])}")
        dims_a = [check_dim(d, a.ndim) for d in dims[0]]
        dims_b = [check_dim(d, b.ndim) for d in dims[1]]
        for name, chosen in (("a", dims_a), ("b", dims_b)):
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"tensordot: the dims of {name} must differ, got {chosen}")
    else:
        raise TypeError(f"tensordot: dims must be an int or a pair of lists of ints, got "
                        f"{dims!r}")
    for i, j in zip(dims_a, dims_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot: contracted dims must have one size, got {a.shape[i]} "
                             f"(dim {i} of a, shape {a.shape}) and {b.shape[j]} (dim {j} of "
                             f"b, shape {b.shape})")
    return dims_a, dims_b


def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of ``x1`` (…, P, M) and each row of ``x2``
    (…, R, M): a (…, P, R) tensor, the batch dims broadcast. ``p`` >= 0 (inf: the largest
    |difference|; 0: the number of differing coordinates). Differentiable in both, with
    PyTorch's gradient where the distance or a coordinate difference is 0.
    ``compute_mode`` is checked and otherwise ignored: the differences are always taken
    directly (PyTorch's matrix-product form for p = 2 is faster and less exact).

    Example:
        >>> import tinynet as tn
        >>> tn.cdist(tn.tensor([[0.0, 0.0]]), tn.tensor([[3.0, 4.0], [1.0, 0.0]]))
        tensor([[5., 1.]])
    """
    for name, x in (("x1", x1), ("x2", x2)):
        check_tensor("cdist", x, name)
        if x.ndim < 2:
            raise ValueError(f"cdist: {name} must have at least 2 dims (rows, columns), got "
                             f"shape {x.shape}")
        if x.dtype.kind != "f":
            raise TypeError(f"cdist: {name} must be a floating-point tensor, got {x.dtype}")
    if x1.dtype != x2.dtype:
        raise TypeError(f"cdist: x1 and x2 must have one dtype (as in PyTorch), got "
                        f"{x1.dtype} and {x2.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: x1 and x2 must have the same number of columns, got shapes "
                         f"{x1.shape} and {x2.shape}")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ValueError(f"cdist: the batch dims of x1 and x2 must broadcast, got shapes "
                         f"{x1.shape} and {x2.shape}") from None
    p = check_not_nan("cdist", "p", p)
    if p < 0:
        raise ValueError(f"cdist: p must be a number >= 0, got {p!r}")
    check_choice("cdist", "compute_mode", compute_mode, CDIST_MODES)
    return ops.Cdist.apply(x1, x2, p)
