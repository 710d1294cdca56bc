"""Functions that make tensors: ``tensor``, ``zeros``, ``randn``, ``arange``...

Floating-point results take the default dtype (float32 unless
``tn.set_default_dtype`` changed it) when no ``dtype`` is given.
"""
import numpy as np

from tinynet import dtypes
from tinynet.random import default_generator
from tinynet.tensor import Tensor, _as_array


def _size(size) -> tuple:
    """Accept both ``zeros(2, 3)`` and ``zeros((2, 3))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _make(array, requires_grad: bool) -> Tensor:
    return Tensor._wrap(array, False, None).requires_grad_(requires_grad)


def _float(dtype):
    return dtypes.get_default_dtype() if dtype is None else dtype


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (list, scalar, array or tensor).

    Example:
        >>> import tinynet as tn
        >>> tn.tensor([[1, 2], [3, 4]]).dtype == tn.int64
        True
        >>> tn.tensor([0.5, 1.5]).dtype == tn.float32
        True
    """
    return _make(_as_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None) -> Tensor:
    """Like ``tensor`` but shares memory with a numpy array of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return Tensor._wrap(data, False, None)
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array, False, None)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_size(size), dtype=_float(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_size(size), dtype=_float(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(tuple(size), fill_value, dtype=_float(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(_size(size), dtype=_float(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples from the global generator (see ``tn.manual_seed``)."""
    rng = generator or default_generator()
    return _make(rng.standard_normal(_size(size)).astype(_float(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform samples in [0, 1) from the global generator."""
    rng = generator or default_generator()
    return _make(rng.random(_size(size)).astype(_float(dtype)), requires_grad)


def randint(low, high=None, size=(), dtype=None, generator=None) -> Tensor:
    """Integers in [low, high) (or [0, low) when ``high`` is omitted)."""
    if high is None:
        low, high = 0, low
    rng = generator or default_generator()
    return Tensor._wrap(rng.integers(low, high, size=tuple(size)).astype(dtype or np.int64),
                        False, None)


def randperm(n: int, dtype=None, generator=None) -> Tensor:
    rng = generator or default_generator()
    return Tensor._wrap(rng.permutation(n).astype(dtype or np.int64), False, None)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (excluded) by ``step``; int64 when all are ints."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else dtypes.get_default_dtype()
    return _make(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return _make(np.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)
