"""Functions that draw random tensors: ``randn``, ``rand``, ``randint``, ``randperm``,
``normal``, ``bernoulli``, ``multinomial`` and the ``*_like`` forms.

Each draws from ``generator`` (a ``tn.Generator`` or ``numpy.random.Generator``) or,
when None, from the global generator that ``tn.manual_seed`` reseeds. NOTE: the same
seed gives other numbers than in PyTorch (another algorithm), and the results are
constants: no gradient flows to a tensor ``mean`` or ``std`` of ``normal``, or to the
probabilities of ``bernoulli`` (PyTorch records a zero gradient there).
"""
import numpy as np

from tinynet.factories import float_dtype, make, shape_of
from tinynet.layouts import check_memory_format
from tinynet.promotion import result_type
from tinynet.random import drawing_generator
from tinynet.autograd.observers import values_read
from tinynet.tensor import Tensor


def randn(*sizes, size=None, dtype=None, requires_grad: bool = False, generator=None,
          device=None) -> Tensor:
    """Standard normal samples, N(0, 1)."""
    rng = drawing_generator(generator, "randn")
    array = rng.standard_normal(shape_of(sizes, size, "randn"))
    return make(array.astype(float_dtype(dtype, "randn")), requires_grad, device, "randn")


def rand(*sizes, size=None, dtype=None, requires_grad: bool = False, generator=None,
         device=None) -> Tensor:
    """Uniform samples in [0, 1)."""
    rng = drawing_generator(generator, "rand")
    array = rng.random(shape_of(sizes, size, "rand"))
    return make(array.astype(float_dtype(dtype, "rand")), requires_grad, device, "rand")


def randint(low, high=None, size=(), dtype=None, generator=None, requires_grad: bool = False,
            device=None) -> Tensor:
    """Integers in [low, high), as ``randint(low, high, size)`` or ``randint(high, size)``
    (also ``randint(high, size=...)``), in ``dtype`` (default int64), which must hold
    them, as PyTorch checks."""
    if high is None or isinstance(high, (tuple, list)) and size == ():
        low, high, size = 0, low, (size if high is None else high)
    if not low < high:
        raise ValueError(f"randint: high must be greater than low (integers in [low, high)), "
                         f"got low={low!r}, high={high!r}")
    dtype = np.dtype(dtype or np.int64)
    lowest, highest = (0, 1) if dtype.kind == "b" else \
        (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)) if dtype.kind in "iu" else \
        (-float(np.finfo(dtype).max), float(np.finfo(dtype).max))  # (Python numbers)
    if not (lowest <= low and high - 1 <= highest):
        raise RuntimeError(f"randint: [low, high) = [{low}, {high}) is out of bounds for "
                           f"{dtype} (as PyTorch refuses it); use a dtype that holds them")
    rng = drawing_generator(generator, "randint")
    array = rng.integers(low, high, size=shape_of((size,), None, "randint")).astype(dtype)
    return make(array, requires_grad, device, "randint")


def randperm(n: int, dtype=None, generator=None, requires_grad: bool = False,
             device=None) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1."""
    array = drawing_generator(generator, "randperm").permutation(n).astype(dtype or np.int64)
    return make(array, requires_grad, device, "randperm")


def rand_like(t: Tensor, generator=None, dtype=None, requires_grad: bool = False,
              device=None, *, memory_format=None) -> Tensor:
    check_memory_format("rand_like", memory_format)
    return rand(t.shape, dtype=dtype or _float_of(t, "rand_like"), generator=generator,
                requires_grad=requires_grad, device=device)


def randn_like(t: Tensor, generator=None, dtype=None, requires_grad: bool = False,
               device=None, *, memory_format=None) -> Tensor:
    check_memory_format("randn_like", memory_format)
    return randn(t.shape, dtype=dtype or _float_of(t, "randn_like"), generator=generator,
                 requires_grad=requires_grad, device=device)


def randint_like(t: Tensor, low=0, high=None, generator=None, dtype=None,
                 requires_grad: bool = False, device=None, *, memory_format=None) -> Tensor:
    """Integers in [low, high) (or [0, low)) shaped like ``t``, in ``t``'s dtype."""
    check_memory_format("randint_like", memory_format)
    if high is None:
        low, high = 0, low
    return randint(low, high, t.shape, dtype=dtype or t.dtype, generator=generator,
                   requires_grad=requires_grad, device=device)


def normal(mean, std=1.0, size=None, generator=None, dtype=None, requires_grad: bool = False,
           device=None) -> Tensor:
    """Samples of N(mean, std²), as ``torch.normal``: ``mean`` and ``std`` are tensors
    (broadcast together; their dtype) or numbers; with two numbers, ``size`` is required
    and the dtype is ``dtype`` or the default.

    Example:
        >>> import tinynet as tn
        >>> tn.normal(0.0, 1.0, size=(2, 3)).shape
        (2, 3)
        >>> tn.normal(tn.zeros(4), 2.0).shape
        (4,)
    """
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors and size is None:
        raise TypeError("normal: with a number mean and std, give size= (the output shape)")
    if tensors and size is not None:
        raise TypeError("normal: size= goes with a number mean and std only; a tensor "
                        "mean or std sets the shape")
    std_array = np.asarray(std.array if isinstance(std, Tensor) else std)
    if np.any(~(std_array >= 0)):
        raise RuntimeError(f"normal: std must be >= 0 everywhere, got {std_array.min()}")
    mean_array = np.asarray(mean.array if isinstance(mean, Tensor) else mean)
    if tensors:
        shape = np.broadcast_shapes(mean_array.shape, std_array.shape)
        dtype = dtype or result_type(*tensors)
        if np.dtype(dtype).kind != "f":
            raise TypeError(f"normal: mean and std must be floating point, got {dtype}")
    else:
        shape, dtype = shape_of((size,), None, "normal"), float_dtype(dtype, "normal")
    draws = drawing_generator(generator, "normal").standard_normal(shape)
    return make((mean_array + std_array * draws).astype(dtype), requires_grad, device, "normal")


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:  # noqa: A002
    """1 with probability ``input`` (elementwise; or ``p`` everywhere, ``input`` giving
    the shape), else 0, in ``input``'s floating dtype.

    Example:
        >>> import tinynet as tn
        >>> tn.bernoulli(tn.tensor([0.0, 1.0, 1.0]))
        tensor([0., 1., 1.])
    """
    if input.dtype.kind != "f":
        raise RuntimeError(f"bernoulli: input must be a floating-point tensor, got "
                           f"{input.dtype}")
    probability = np.asarray(input.array if p is None else p, dtype=input.dtype)
    if probability.size and not np.all((probability >= 0) & (probability <= 1)):
        raise RuntimeError(f"bernoulli: probabilities must be in [0, 1], got values from "
                           f"{np.min(probability)} to {np.max(probability)}")
    draws = drawing_generator(generator, "bernoulli").random(input.shape)
    if p is None:
        values_read()  # made from the probabilities by no op
    return Tensor._wrap((draws < probability).astype(input.dtype), False, None)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False,  # noqa: A002
                generator=None) -> Tensor:
    """Draw ``num_samples`` category indices per row of non-negative ``input`` weights
    (1-D: one row; 2-D: a batch), proportionally to the weights, which need not sum to 1.

    Without replacement each index appears at most once per row (zero-weight categories
    come last, once the others are used up, as in PyTorch).
    """
    w = input.array
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial: input must be a floating-point tensor, got {w.dtype}")
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: input must be 1-D or 2-D, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise RuntimeError("multinomial: the weights must be finite and >= 0, got "
                           f"min {w.min()}, max {w.max()}")
    rows = w.reshape(-1, w.shape[-1])
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        row = int(np.argmin(totals))
        raise RuntimeError(f"multinomial: every row's weights must add up to more than 0, got "
                           f"{totals[row]} in row {row}")
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: without replacement num_samples must be <= the "
                           f"number of categories ({n}), got {num_samples}")
    rng = drawing_generator(generator, "multinomial")
    if replacement:  # inverse CDF: the first category whose cumulative weight passes u
        cdf = np.cumsum(rows / totals[:, None], axis=1)
        u = rng.random((rows.shape[0], num_samples))
        picks = np.stack([np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)])
        picks = np.minimum(picks, n - 1)  # rounding can leave cdf[-1] a hair below 1
    else:  # sorting Exp(1)/w keys draws without replacement with probability ∝ w
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=rows.shape) / rows
        picks = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor._wrap(picks.reshape(w.shape[:-1] + (num_samples,)).astype(np.int64),
                        False, None)


def _float_of(t: Tensor, name: str) -> np.dtype:
    if t.dtype.kind != "f":
        raise TypeError(f"{name}: the input must be floating point (or give dtype=), got "
                        f"{t.dtype}")
    return t.dtype
