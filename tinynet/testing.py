"""``tn.testing.assert_close``, as ``torch.testing.assert_close``: whether two tensors (or
numbers, arrays, or sequences and mappings of them) agree within tolerances that
default to their dtype's, with PyTorch's messages."""
import collections.abc
import numbers

import numpy as np

from tinynet.tensor import Tensor

# (rtol, atol) by dtype, PyTorch's defaults; integers and bools must be equal
TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
              np.dtype(np.float64): (1e-7, 1e-7)}


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan: bool = False,
                 check_dtype: bool = True, msg=None, **unused_options) -> None:
    """Raise an AssertionError unless |actual - expected| <= atol + rtol·|expected|
    elementwise (nan equal to nan only with ``equal_nan``), after the shapes, and with
    ``check_dtype`` the dtypes, agree. ``rtol`` and ``atol`` go together; by default they
    are the dtype's (float32: 1.3e-6 and 1e-5). Sequences and mappings are compared item
    by item. The device, layout and stride options are accepted and unused."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: rtol and atol must be given together or not at all, "
                         f"got rtol={rtol!r} and atol={atol!r}")
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match: {sorted(actual)} "
                                 f"!= {sorted(expected)}.")
        for key in actual:
            assert_close(actual[key], expected[key], rtol=rtol, atol=atol,
                         equal_nan=equal_nan, check_dtype=check_dtype, msg=msg)
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != "
                                 f"{len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    a, e = _as_array(actual), _as_array(expected)
    if a.shape != e.shape:
        _fail(msg)
        raise AssertionError(f"The values for attribute 'shape' do not match: {a.shape} != "
                             f"{e.shape}.")
    if check_dtype and a.dtype != e.dtype:
        _fail(msg)
        raise AssertionError(f"The values for attribute 'dtype' do not match: {a.dtype} != "
                             f"{e.dtype}.")
    if rtol is None:
        rtol, atol = max(TOLERANCES.get(a.dtype, (0.0, 0.0)), TOLERANCES.get(e.dtype, (0.0, 0.0)))
    _check_values(a, e, float(rtol), float(atol), equal_nan, msg)


class _GivenMessage(AssertionError):
    """A failure worded by the caller's ``msg``."""


def _fail(msg) -> None:
    """Raise the caller's own ``msg``, when given, in place of PyTorch's message."""
    if msg is not None:
        raise _GivenMessage(msg)


def _is_sequence(value) -> bool:
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _as_array(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    if isinstance(value, numbers.Number):  # Python numbers: float64, int64, bool
        return np.asarray(value, dtype=np.float64 if isinstance(value, float) else None)
    raise TypeError(f"assert_close: the inputs must be tensors, arrays, numbers, or "
                    f"sequences or mappings of them, got {type(value).__name__}")


def _check_values(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool,
                  msg) -> None:
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        difference = np.abs(a64 - e64)
        close = difference <= atol + rtol * np.abs(e64)
        close |= a64 == e64  # infinities of one sign
        if equal_nan:
            close |= np.isnan(a64) & np.isnan(e64)
        if close.all():
            return
        relative = difference / np.abs(e64)
    where = np.unravel_index(np.argmax(np.where(close, -1.0, np.nan_to_num(difference,
                                                                              nan=np.inf))),
                             a.shape) if a.ndim else ()
    worst_relative = np.unravel_index(np.argmax(np.where(close, -1.0, np.nan_to_num(
        relative, nan=np.inf))), a.shape) if a.ndim else ()
    mismatched = int(np.count_nonzero(~close))
    _fail(msg)
    raise AssertionError((
        f"{'Tensor-likes' if a.ndim else 'Scalars'} are not close!\n\n"
        f"Mismatched elements: {mismatched} / {close.size} ({mismatched / close.size:.1%})\n"
        f"Greatest absolute difference: {difference[where]} at index {tuple(map(int, where))} "
        f"(up to {atol:g} allowed)\n"
        f"Greatest relative difference: {relative[worst_relative]} at index "
        f"{tuple(map(int, worst_relative))} (up to {rtol:g} allowed)"))
