"""How tensors print, as PyTorch prints them: ``repr(t)`` and the options of
``tn.set_printoptions``.

PyTorch's rules (torch/_tensor_str.py), which tinynet follows so that a printed tensor
reads as in a PyTorch tutorial:

  * floats show ``precision`` decimals (4 by default), all in one width; in scientific
    notation when the nonzero finite magnitudes span more than 1000x, or one exceeds 1e8
    or falls below 1e-4 (unless ``sci_mode`` says otherwise); floats that are all whole
    numbers print as ``1.`` (no decimals);
  * a tensor of more than ``threshold`` elements is summarized: ``edgeitems`` items at
    each end of each dimension around ``...``, and the width is chosen from those alone;
  * lines wrap at ``linewidth`` characters;
  * after the values: ``dtype=`` unless it is the default float dtype, int64 or bool;
    ``size=`` for an empty tensor that is not 1-D; ``grad_fn=<...>`` or
    ``requires_grad=True``.

The values are those of ``array.tolist()`` (Python floats, for float32 too), as
PyTorch formats them.
"""
import contextlib
import math

import numpy as np

from tinynet.checks import check_choice, check_int, check_real

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
PROFILES = {"default": DEFAULTS,
            "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
            "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80}}
OPTIONS = {**DEFAULTS, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: ``precision`` (decimals,
    default 4), ``threshold`` (more elements than this are summarized, default 1000),
    ``edgeitems`` (items kept at each end when summarized, default 3), ``linewidth``
    (default 80), ``profile`` ('default', 'short' or 'full': a set of the four, which
    the others then override) and ``sci_mode`` (True or False forces scientific notation
    on or off; None, the default, lets the values decide). As in PyTorch, every call sets
    ``sci_mode``, to None unless given.

    Example:
        >>> import tinynet as tn
        >>> tn.set_printoptions(precision=2)
        >>> tn.tensor([1.12345])
        tensor([1.12])
        >>> tn.set_printoptions(profile="default")
        >>> tn.tensor([1.12345])
        tensor([1.1235])
    """
    where = "set_printoptions"
    chosen = {}
    if profile is not None:
        chosen.update(PROFILES[check_choice(where, "profile", profile, tuple(PROFILES))])
    if precision is not None:
        chosen["precision"] = check_int(where, "precision", precision, 0)
    if threshold is not None:
        chosen["threshold"] = threshold if threshold == math.inf else \
            check_real(where, "threshold", threshold, 0)
    if edgeitems is not None:
        chosen["edgeitems"] = check_int(where, "edgeitems", edgeitems, 0)
    if linewidth is not None:
        chosen["linewidth"] = check_int(where, "linewidth", linewidth, 1)
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"{where}: sci_mode must be None, True or False, got {sci_mode!r}")
    OPTIONS.update(chosen, sci_mode=sci_mode)


def get_printoptions() -> dict:
    """The current options, as keyword arguments of ``set_printoptions``."""
    return dict(OPTIONS)


@contextlib.contextmanager
def printoptions(**options):
    """Print with ``options`` (those of ``set_printoptions``) inside the block."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        OPTIONS.update(saved)


# ---- one tensor's text -------------------------------------------------------------------
def tensor_repr(array: np.ndarray, suffixes: list, default_dtype) -> str:
    """``tensor(...)`` for ``array``, followed by ``suffixes`` (grad_fn= or
    requires_grad=True); ``default_dtype``: the float dtype that goes without saying."""
    prefix = "tensor("
    indent = len(prefix)
    shown = []
    if array.size == 0:
        if array.ndim != 1:
            shown.append(f"size={array.shape}")
        if array.dtype != default_dtype:  # (no values to tell an integer tensor by)
            shown.append(f"dtype=tinynet.{array.dtype}")
        body = "[]"
    else:
        if not OPTIONS["edgeitems"]:
            shown.append(f"size={array.shape}")
        if array.dtype not in (default_dtype, np.int64, np.bool_):
            shown.append(f"dtype=tinynet.{array.dtype}")
        summarize = array.size > OPTIONS["threshold"]
        formatter = _Formatter(_summarized(array) if summarize else array)
        body = _nested(array, indent, summarize, formatter)
    return _with_suffixes(prefix + body, shown + suffixes, indent)


class _Formatter:
    """Formats each value of one tensor in one width, chosen from the values it is given
    (all of them, or a summarized tensor's shown ones)."""

    def __init__(self, array: np.ndarray):
        self.floating = array.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        precision = OPTIONS["precision"]
        values = array.reshape(-1)
        if not self.floating:
            self.width = max([len(f"{v}") for v in values.tolist()], default=1)
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        shown = finite.tolist()
        self.int_mode = all(v == math.ceil(v) for v in shown)
        self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4 \
            if OPTIONS["sci_mode"] is None else OPTIONS["sci_mode"]
        if self.sci_mode:
            self.width = max(len(f"{v:.{precision}e}") for v in shown)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in shown)  # + the point: "1."
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in shown)

    def format(self, value) -> str:
        precision = OPTIONS["precision"]
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.width}.{precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{precision}f}"
        return text.rjust(self.width)


def _summarized(array: np.ndarray) -> np.ndarray:
    """The values a summarized tensor shows (``edgeitems`` at each end of each dimension),
    for the formatter's width."""
    edge = OPTIONS["edgeitems"]
    if array.ndim == 0:
        return array
    if not edge and array.ndim > 1:
        return np.empty((0,) * array.ndim, array.dtype)
    if array.shape[0] > 2 * edge:
        array = np.concatenate([array[:edge], array[array.shape[0] - edge:]])
    if array.ndim == 1:
        return array
    return np.stack([_summarized(row) for row in array])


def _nested(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    edge = OPTIONS["edgeitems"]
    if summarize and array.shape[0] > 2 * edge:
        rows = [_nested(array[i], indent + 1, summarize, formatter) for i in range(edge)]
        rows.append("...")
        rows += [_nested(array[i], indent + 1, summarize, formatter)
                 for i in range(array.shape[0] - edge, array.shape[0])]
    else:
        rows = [_nested(row, indent + 1, summarize, formatter) for row in array]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _vector(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    per_line = max(1, (OPTIONS["linewidth"] - indent) // (formatter.width + 2))
    edge = OPTIONS["edgeitems"]
    if summarize and not edge:
        items = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        items = [formatter.format(v) for v in array[:edge].tolist()] + [" ..."] + \
            [formatter.format(v) for v in array[array.shape[0] - edge:].tolist()]
    else:
        items = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """``text`` and each suffix after a comma, on a new line when the line would pass
    ``linewidth``, then the closing parenthesis."""
    parts = [text]
    line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > OPTIONS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line += len(suffix) + 2
    return "".join(parts) + ")"
