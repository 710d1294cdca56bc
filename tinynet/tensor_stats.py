"""``TensorStats``: quantiles (``quantile``, ``nanquantile``), a histogram (``histc``), the
covariance matrix (``cov``) and the correlation matrix (``corrcoef``) as Tensor methods
(``Tensor`` inherits them; see ``tensor_math.py``).

All are composed of differentiable ops: a quantile is a ``lerp`` between two elements of
the sorted input (taken with ``gather``), so the gradient goes to those two elements;
``cov`` is a centred matrix product.
"""
import warnings
from collections import namedtuple

import numpy as np

from tinynet import dtypes
from tinynet.autograd.observers import values_read
from tinynet.checks import check_choice, check_int, check_real
from tinynet.tensor_math import TensorMath, constant_tensor, numpy_names, single_dim

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _bin_counts(a: np.ndarray, bins: int, low, high) -> np.ndarray:
    """How many of ``a`` fall in each of ``bins`` equal bins over [low, high], each
    element's bin ⌊(x - low)·bins / (high - low)⌋ in a's own dtype (max in the last), as
    PyTorch's histc computes it: no search among the edges, so an element on an edge
    lands where PyTorch puts it (numpy's histogram may put it one bin lower)."""
    with np.errstate(all="ignore"):
        inside = a[(a >= low) & (a <= high)]  # (nan is neither)
        position = ((inside - low) * a.dtype.type(bins) / (high - low)).astype(np.int64)
    position[position == bins] = bins - 1
    return np.bincount(position, minlength=bins)


HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])


class TensorStats:
    """Quantiles, covariance and correlation; see the module docstring."""

    __slots__ = ()

    @numpy_names
    def quantile(self, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
        """The ``q``-quantiles along ``dim`` (of every element when None): with the n
        values sorted, the one at rank q·(n - 1), between two ranks ``interpolation``
        ('linear', 'lower', 'higher', 'midpoint', 'nearest': halves to even) decides.
        ``q`` a number or a 0-d or 1-D tensor of self's dtype, in [0, 1]; a 1-D ``q``
        gives its quantiles along a new first dim. A row with a nan gives nan (see
        ``nanquantile``). float32 and float64 only, non-empty, as in PyTorch.

        Example:
            >>> import tinynet as tn
            >>> tn.tensor([0.0, 1.0, 2.0, 3.0, 4.0]).quantile(tn.tensor([0.1, 0.5]))
            tensor([0.4000, 2.0000])
        """
        return self._quantile("quantile", q, dim, keepdim, interpolation, skip_nan=False)

    @numpy_names
    def nanquantile(self, q, dim=None, keepdim: bool = False, *,
                    interpolation: str = "linear"):
        """``quantile`` of the values that are not nan (nan where all are)."""
        return self._quantile("nanquantile", q, dim, keepdim, interpolation, skip_nan=True)

    def _quantile(self, name, q, dim, keepdim, interpolation, skip_nan):
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"{name}: the input must be float32 or float64 (as in PyTorch), "
                            f"got {self.dtype}")
        check_choice(name, "interpolation", interpolation, INTERPOLATIONS)
        qs = _quantile_levels(name, q, self.dtype)  # (Q,)
        if self.numel() == 0:
            raise ValueError(f"{name}: the input must be non-empty, got shape {self.shape}")
        if dim is None:
            x, axis = self.reshape(-1), 0
        else:
            axis = single_dim(dim, self.ndim, name)
            x = self.reshape(1) if self.ndim == 0 else self
        rows = x.movedim(axis, -1).sort(-1).values  # (..., n), nan last
        ranks = _ranks(rows.array, qs, interpolation, skip_nan)  # (..., Q)
        below = rows.gather(-1, constant_tensor(np.floor(ranks).astype(np.int64)))
        if interpolation in ("linear", "midpoint"):
            above = rows.gather(-1, constant_tensor(np.ceil(ranks).astype(np.int64)))
            weights = constant_tensor(np.full_like(ranks, 0.5) if interpolation == "midpoint"
                                      else ranks - np.floor(ranks))
            if interpolation == "linear" and isinstance(q, TensorMath) and q.requires_grad:
                # the same weights (plus an exact 0), with q's gradient: d rank / dq = n - 1
                # where the rank moves with q, none from a row whose rank is fixed (one
                # with a nan: its nan - nan would reach q), as PyTorch's masked ranks
                slopes = _rank_slopes(rows.array, skip_nan)
                moving = (q.reshape(-1) - q.detach().reshape(-1)) * constant_tensor(slopes)
                weights = weights + moving.where(constant_tensor(slopes > 0), 0.0)
            below = below.lerp(above, weights)  # below + w (above - below)
        out = below.movedim(-1, 0)  # (Q, ...)
        if keepdim:
            kept = (1,) * self.ndim if dim is None or self.ndim == 0 else \
                self.shape[:axis] + (1,) + self.shape[axis + 1:]
            out = out.reshape((out.shape[0],) + kept)
        return out[0] if _is_scalar(q) else out

    def histc(self, bins: int = 100, min=0, max=0):  # noqa: A002  (PyTorch's names)
        """How many elements fall in each of ``bins`` equal bins over [min, max] (the last
        bin takes max too), as a tensor of self's float dtype with no gradient, as in
        PyTorch. Elements outside, and nan, are not counted. ``min == max`` (the default
        0, 0) takes the elements' own range, widened by 1 each side when it is one
        value."""
        if self.dtype.kind != "f":
            raise TypeError(f"histc: the input must be a floating-point tensor (as in "
                            f"PyTorch), got {self.dtype}")
        bins = check_int("histc", "bins", bins, low=1)
        low, high = check_real("histc", "min", min), check_real("histc", "max", max)
        a = self.array
        values_read()  # the range, and so which bin each value lands in, come from values
        if low == high and a.size:
            low, high = float(a.min()), float(a.max())
        if low > high:
            raise RuntimeError(f"histc: max must be at least min, got min={low}, max={high}")
        if not (np.isfinite(low) and np.isfinite(high)):
            raise RuntimeError(f"histc: the range [{low}, {high}] must be finite (the elements "
                             f"hold nan or inf; give min and max)")
        if low == high:
            low, high = low - 1, high + 1
        return constant_tensor(_bin_counts(a.reshape(-1), bins, a.dtype.type(low),
                                           a.dtype.type(high)).astype(a.dtype))

    def histogram(self, bins=100, *, range=None, weight=None,  # noqa: A002  (PyTorch's)
                  density: bool = False):
        """(hist, bin_edges), as PyTorch's: counts (or the sums of ``weight``, a tensor of
        self's shape) in ``bins`` equal bins over ``range`` (default: the elements' own
        min and max; one value: a unit-wide range around it) or between the edges of a
        1-D increasing tensor ``bins``; each bin holds [left, right) of the edges returned,
        the last also its right edge. ``density`` divides by the total and the bins'
        widths. Both are tensors of self's float dtype, with no gradient."""
        if self.dtype.kind != "f":
            raise TypeError(f"histogram: the input must be a floating-point tensor (as in "
                            f"PyTorch), got {self.dtype}")
        a = self.array.reshape(-1)
        values_read()  # the range, and so which bin each value lands in, come from values
        if isinstance(bins, TensorMath):
            edges = bins.array
            if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) < 0):
                raise ValueError(f"histogram: bins must be an int or a 1-D tensor of at least "
                                 f"two increasing edges, got shape {edges.shape}")
        else:
            count = check_int("histogram", "bins", bins, low=1)
            low, high = (float(a.min()), float(a.max())) if range is None and a.size else \
                (0.0, 1.0) if range is None else \
                (check_real("histogram", "range[0]", range[0]),
                 check_real("histogram", "range[1]", range[1]))
            if low > high or not (np.isfinite(low) and np.isfinite(high)):
                raise ValueError(f"histogram: range must be finite with min <= max, got "
                                 f"({low}, {high})")
            if low == high:  # one value: a unit-wide range around it, as PyTorch's
                low, high = low - 0.5, high + 0.5
            edges = np.linspace(low, high, count + 1).astype(a.dtype)
        if weight is not None and (not isinstance(weight, TensorMath) or
                                   weight.shape != self.shape):
            raise ValueError(f"histogram: weight must be a tensor of the input's shape "
                             f"{self.shape}")
        weights = None if weight is None else weight.array.reshape(-1)
        # each value searched among the edges returned (they may differ from PyTorch's
        # linspace in the last bits, and a value on an edge then lands one bin over)
        hist = np.histogram(a, bins=edges, weights=weights)[0].astype(a.dtype)
        if density:  # counts over the total and each bin's width
            with np.errstate(all="ignore"):
                hist /= hist.sum() * np.diff(edges).astype(a.dtype)
        return HistogramResult(constant_tensor(hist), constant_tensor(np.asarray(edges, a.dtype)))

    def cov(self, *, correction: int = 1, fweights=None, aweights=None):
        """The covariance matrix of the variables in the rows of self (a 2-D (variables,
        observations) tensor, or 1-D: one variable): Σ w (x - x̄)(x - x̄)ᵀ / (Σw -
        correction), with ``fweights`` (integer counts) and ``aweights`` (floating
        importances) per observation, as numpy's and PyTorch's ``cov``. Integers become
        the default float dtype. Degrees of freedom <= 0 give inf and nan, with a
        warning, as in PyTorch."""
        if self.ndim > 2:
            raise ValueError(f"cov: input must have at most 2 dims (variables, observations), "
                             f"got shape {self.shape}")
        correction = check_int("cov", "correction", correction)
        x = self._floating()
        x = x.reshape(1, -1) if x.ndim < 2 else x  # (variables, N)
        n = x.shape[1]
        fweights = _observation_weights("fweights", fweights, n, "iu", "an integer")
        aweights = _observation_weights("aweights", aweights, n, "f", "a floating-point")
        w = fweights if aweights is None else aweights if fweights is None else \
            fweights * aweights
        if w is None:
            mean, dof = x.mean(1, keepdim=True), n - correction
        else:
            total = w.sum()
            mean = (x * w).sum(1, keepdim=True) / total
            if correction == 0:
                dof = total
            elif aweights is None:
                dof = total - correction
            else:  # the effective number of observations, as numpy's cov
                dof = total - correction * (w * aweights).sum() / total
        if float(dof) <= 0:
            warnings.warn(f"cov: degrees of freedom <= 0 (the correction {correction} must be "
                          f"less than the number of observations); the result is inf or nan",
                          UserWarning, stacklevel=2)
            dof = 0
        centred = x - mean
        product = centred @ (centred if w is None else centred * w).mT  # (variables, variables)
        with np.errstate(divide="ignore", invalid="ignore"):  # dof = 0: inf, nan (warned)
            return (product / dof).squeeze()

    def corrcoef(self):
        """The Pearson correlation matrix of the rows of self: cov / (σᵢ σⱼ), clipped to
        [-1, 1] (a constant row gives nan), as numpy's and PyTorch's ``corrcoef``."""
        c = self.cov()
        with np.errstate(divide="ignore", invalid="ignore"):
            if c.ndim == 0:
                return c / c
            std = c.diagonal().sqrt()
            return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)


def _ranks(rows: np.ndarray, levels: np.ndarray, interpolation: str,
           skip_nan: bool) -> np.ndarray:
    """The position of each level q in each sorted row (..., n), as PyTorch computes it,
    in the rows' dtype: q (n - 1), fractional for 'linear' and 'midpoint', else rounded
    down, up or to the nearest (halves to even). A row with a nan (sorted last) gets its
    last position, nan; with ``skip_nan``, q (m - 1) over its m values that are not nan
    (0 when m = 0). Returns (..., Q)."""
    nan = np.isnan(rows)
    if skip_nan:
        last = np.sum(~nan, axis=-1, keepdims=True) - 1  # (..., 1)
        ranks = np.maximum(levels * last.astype(rows.dtype), 0)
    else:
        last = rows.shape[-1] - 1
        ranks = np.where(nan.any(axis=-1, keepdims=True), last, levels * last)
    rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}
    ranks = ranks.astype(rows.dtype, copy=False)
    return rounding[interpolation](ranks) if interpolation in rounding else ranks


def _rank_slopes(rows: np.ndarray, skip_nan: bool) -> np.ndarray:
    """d rank / dq for each sorted row (..., n), as ``_ranks`` computes the ranks: n - 1,
    or m - 1 over the m values that are not nan with ``skip_nan`` (0 when m = 0), and 0
    for a row with a nan without it (its rank is fixed). Returns (..., 1)."""
    nan = np.isnan(rows)
    if skip_nan:
        last = np.maximum(np.sum(~nan, axis=-1, keepdims=True) - 1, 0)
    else:
        last = np.where(nan.any(axis=-1, keepdims=True), 0, rows.shape[-1] - 1)
    return last.astype(rows.dtype)


def _is_scalar(q) -> bool:
    return not isinstance(q, TensorMath) or q.ndim == 0


def _quantile_levels(name: str, q, dtype) -> np.ndarray:
    """``q`` (a number or a 0-d or 1-D tensor of the input's dtype) as a 1-D array in
    ``dtype``, each level checked to be in [0, 1]."""
    if not isinstance(q, TensorMath):
        return np.asarray([check_real(name, "q", q, 0, 1)], dtype=dtype)
    if q.ndim > 1:
        raise ValueError(f"{name}: q must be a number or a 0-d or 1-D tensor, got shape "
                         f"{q.shape}")
    if q.dtype != dtype:
        raise TypeError(f"{name}: q must have the input's dtype {dtype} (as in PyTorch), got "
                        f"{q.dtype}")
    values_read()  # q's values decide which elements are taken
    levels = q.array.reshape(-1)
    outside = levels[~((levels >= 0) & (levels <= 1))]
    if outside.size:
        raise ValueError(f"{name}: q must be in [0, 1], got {outside[0].item()!r}")
    return levels


def _observation_weights(name: str, w, n: int, kinds: str, kind: str):
    """``w``: None, or a 0-d or 1-D tensor of ``n`` non-negative weights of ``kind``."""
    if w is None:
        return None
    if not isinstance(w, TensorMath):
        raise TypeError(f"cov: {name} must be a tensor, got {type(w).__name__}")
    if w.dtype.kind not in kinds:
        raise TypeError(f"cov: {name} must have {kind} dtype, got {w.dtype}")
    if w.ndim > 1 or w.numel() != n:
        raise ValueError(f"cov: {name} must be 1-D with one weight per observation ({n}), "
                         f"got shape {w.shape}")
    values_read()
    if np.any(w.array < 0):
        bad = w.array[w.array < 0][0].item()
        raise ValueError(f"cov: {name} must be >= 0, got {bad!r}")
    return w.reshape(-1) if w.dtype.kind == "f" else w.reshape(-1).to(dtypes.long)
