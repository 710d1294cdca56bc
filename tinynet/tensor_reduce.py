"""``TensorReduce``: the reductions that skip nan (``nansum``, ``nanmean``), both extremes at
once (``aminmax``), the running extremes and log-sum-exp (``cummax``, ``cummin``,
``logcumsumexp``) and differences (``diff``) as Tensor methods (``Tensor`` inherits them;
see ``tensor_math.py``).

``cummax`` and ``cummin`` find their indices in numpy and take the values with
``gather``, so the gradient goes back to the element each running extreme came from.
"""
from collections import namedtuple

import numpy as np

from tinynet.checks import check_int
from tinynet.tensor_math import TensorMath, constant_tensor, dims_of, numpy_names, single_dim

AminmaxResult = namedtuple("aminmax", ["min", "max"])
CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])


class TensorReduce:
    """NaN-skipping reductions, running extremes, differences; see the module docstring."""

    __slots__ = ()

    @numpy_names
    def nansum(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The sum over ``dim`` (an int or a tuple; None: every dim) with nan counted as 0;
        integers and booleans give int64, as ``sum``. Gradient 1, and 0 at the nans."""
        x = self if dtype is None else self.to(dtype)
        axes = dims_of(dim, x.ndim, "nansum")
        if x.dtype.kind != "f":  # no nan to skip
            return x.sum(axes, keepdim)
        return ops.NanSum.apply(x, axes, keepdim)

    @numpy_names
    def nanmean(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The mean over ``dim`` of the elements that are not nan (nan where all are);
        floating tensors only (``dtype`` casts one, as in PyTorch). Gradient 1/n at the n
        elements averaged."""
        if self.dtype.kind != "f":
            raise RuntimeError(f"nanmean: the tensor must be floating-point (as in PyTorch), "
                               f"got {self.dtype}; use .float().nanmean()")
        x = self if dtype is None else self.to(dtype)
        return ops.NanMean.apply(x, dims_of(dim, x.ndim, "nanmean"), keepdim)

    @numpy_names
    def aminmax(self, *, dim=None, keepdim: bool = False):
        """``(min, max)``, a named tuple, over ``dim`` (an int; None: every element), as
        ``amin`` and ``amax``: tied extremes share the gradient evenly, nan propagates."""
        axes = () if dim is None else single_dim(dim, self.ndim, "aminmax")
        axes = self._nonempty_dims(axes, "aminmax")
        return AminmaxResult(ops.Amin.apply(self, axes, keepdim),
                             ops.Amax.apply(self, axes, keepdim))

    @numpy_names
    def cummax(self, dim: int):
        """``(values, indices)``: the running maximum along ``dim`` and where it is (the
        last of equal maxima, and from a nan on, nan at the latest nan, as in PyTorch).
        The gradient of each value goes to the element at its index."""
        return self._running_extreme("cummax", dim, np.maximum, CummaxResult)

    @numpy_names
    def cummin(self, dim: int):
        """``(values, indices)``: the running minimum along ``dim``, as ``cummax``."""
        return self._running_extreme("cummin", dim, np.minimum, CumminResult)

    def _running_extreme(self, name: str, dim, pick, result):
        dim = single_dim(dim, self.ndim, name)
        x = self.reshape(1) if self.ndim == 0 else self
        a = x.array
        running = pick.accumulate(a, axis=dim)
        # a new extreme at i: a[i] reaches the running value (ties too), or a[i] is nan
        new = (a == running) | (np.isnan(a) if a.dtype.kind == "f" else False)
        steps = np.arange(a.shape[dim]).reshape((-1,) + (1,) * (a.ndim - 1 - dim))
        indices = constant_tensor(np.maximum.accumulate(np.where(new, steps, 0), axis=dim)
                                  .astype(np.int64))
        values = x.gather(dim, indices)
        if self.ndim == 0:
            return result(values.reshape(()), indices.reshape(()))
        return result(values, indices)

    @numpy_names
    def logcumsumexp(self, dim: int):
        """log Σ_{j<=i} e^(x_j) along ``dim``, without overflow; floating tensors only,
        as in PyTorch. The gradient is computed in log space too (exact for x = 1000)."""
        if self.dtype.kind != "f":
            raise TypeError(f"logcumsumexp: the input must be a floating-point tensor (as in "
                            f"PyTorch), got dtype {self.dtype}")
        dim = single_dim(dim, self.ndim, "logcumsumexp")
        if self.ndim == 0:
            return ops.LogCumSumExp.apply(self.reshape(1), 0).reshape(())
        return ops.LogCumSumExp.apply(self, dim)

    @numpy_names
    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        """The n-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], applied
        ``n`` times (each one element shorter; ``n`` = 0 gives a copy), after joining
        ``prepend`` and ``append`` (tensors with self's number of dims) on either side.
        Booleans give ``x[i + 1] ^ x[i]``, as in PyTorch."""
        n = check_int("diff", "n", n, low=0)
        if self.ndim == 0:
            raise ValueError("diff: input must have at least 1 dimension, got a 0-d tensor")
        dim = single_dim(dim, self.ndim, "diff")
        parts = []
        for name, part in (("prepend", prepend), (None, self), ("append", append)):
            if name and part is not None and (not isinstance(part, TensorMath)
                                              or part.ndim != self.ndim):
                raise ValueError(f"diff: {name} must be a tensor with the input's {self.ndim} "
                                 f"dims, got {_describe(part)}")
            if part is not None:
                parts.append(part)
        x = _cat(parts, dim) if len(parts) > 1 else self.clone()
        before = (slice(None),) * dim
        for _ in range(n):
            if x.shape[dim] == 0:
                break
            later, earlier = x[before + (slice(1, None),)], x[before + (slice(None, -1),)]
            x = later ^ earlier if x.dtype == np.bool_ else later - earlier
        return x


def _describe(x) -> str:
    return f"shape {x.shape}" if isinstance(x, TensorMath) else type(x).__name__


def _cat(tensors, dim):
    from tinynet.combining import cat  # NOTE: late: combining.py imports Tensor
    return cat(tensors, dim)


from tinynet import ops  # noqa: E402  (ops need only Function, which is defined already)
