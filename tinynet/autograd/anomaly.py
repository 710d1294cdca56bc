"""``detect_anomaly``: find the op where a NaN or an infinity first appears.

Inside ``with tn.autograd.detect_anomaly():`` every op checks its forward output, and the
backward pass checks every gradient an op returns. The first op that turns finite
values into a non-finite one raises ``AnomalyError`` naming the op, the phase (forward or
backward), the line of code that created the op (outside tinynet) and the module whose
forward was running. A NaN that was already in a leaf tensor (an input, a parameter) is
reported at the first op that reads it, as coming from that leaf.

With ``check_nan=False`` no value is checked: each op only records where it was created,
and an error raised in an op's backward is preceded by a warning naming the op and
that line, as PyTorch's anomaly mode does (the full mode warns so too).

Off (the default) it costs one flag check per op and per module call.
``set_detect_anomaly(mode)`` turns it on or off at once, as in PyTorch. The mode is per
thread (the engine's observers are); PyTorch's is one for the whole process.
"""
import functools
import os
import traceback
import warnings

import numpy as np

from tinynet.autograd.observers import OBSERVERS, current_module
from tinynet.checks import check_flag, user_stacklevel

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AnomalyError(RuntimeError):
    """Raised inside ``detect_anomaly`` where a NaN or an infinity first appears.

    Attributes:
        op: the op's name (e.g. 'Linear'); phase: 'forward' or 'backward';
        site: 'file:line' of the code that created the op; module: the innermost module
        whose forward created it (or None); leaf: the leaf tensor that already held the
        non-finite values, when that was the cause (else None).
    """

    def __init__(self, message: str, op: str, phase: str, site: str, module, leaf=None):
        super().__init__(message)
        self.op, self.phase, self.site, self.module, self.leaf = op, phase, site, module, leaf


class detect_anomaly:
    """Context manager (and decorator): raise ``AnomalyError`` at the first op whose
    forward output or backward gradient is non-finite while its inputs were finite.
    On leaving, the mode is what it was before (on, inside ``set_detect_anomaly(True)``).

    Args:
        check_nan: False to check nothing, only record where each op was created: an
            error raised in an op's backward is then preceded by a warning naming the op
            and that line, as PyTorch's (default True).

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0, float("nan")], requires_grad=True)
        >>> with tn.autograd.detect_anomaly():
        ...     try:
        ...         y = (w * 2).sum()
        ...     except tn.autograd.AnomalyError as error:
        ...         print(error.op, error.phase, error.leaf is w)
        Mul forward True
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_flag("detect_anomaly", "check_nan", check_nan,
                                    numpy_bool=False)

    def __enter__(self):
        self.prev = _mode()
        _switch(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _switch(*self.prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once when called (as in PyTorch), and back
    to the previous mode at the end of a ``with`` block.

    Args:
        mode: True to check every op (see ``detect_anomaly``), False to stop.
        check_nan: with mode True, False to record where ops were created without
            checking their values (see ``detect_anomaly``; default True).

    Example:
        >>> import tinynet as tn
        >>> with tn.autograd.set_detect_anomaly(True):
        ...     tn.autograd.is_anomaly_enabled()
        True
        >>> tn.autograd.is_anomaly_enabled()
        False
    """

    def __init__(self, mode: bool, check_nan: bool = True):
        # (PyTorch refuses any other type than bool too)
        mode = check_flag("set_detect_anomaly", "mode", mode, numpy_bool=False)
        check_nan = check_flag("set_detect_anomaly", "check_nan", check_nan,
                               numpy_bool=False)
        self.prev = _mode()
        _switch(mode, check_nan)

    def __enter__(self):
        return self  # already switched by __init__

    def __exit__(self, *exc):
        _switch(*self.prev)
        return False


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (in this thread)."""
    return record_forward in OBSERVERS.forward or check_forward in OBSERVERS.forward


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks values for NaN and infinities when it is on: the
    ``check_nan`` it was last set with (True until then, as PyTorch's), in this thread."""
    return OBSERVERS.check_nan




def _mode() -> tuple:
    """(on, check_nan): the mode to go back to."""
    return is_anomaly_enabled(), is_anomaly_check_nan_enabled()


def _switch(on: bool, check_nan: bool = True) -> None:
    """Install the anomaly observers of the engine (once): the checks, or, without
    ``check_nan``, the recording of creation sites alone; or remove them. ``check_nan``
    is kept either way, as PyTorch keeps it."""
    OBSERVERS.check_nan = check_nan
    for observers, observer in ((OBSERVERS.forward, check_forward),
                                (OBSERVERS.forward, record_forward),
                                (OBSERVERS.backward, check_backward)):
        if observer in observers:
            observers.remove(observer)
    if on:
        OBSERVERS.forward.append(check_forward if check_nan else record_forward)
        if check_nan:
            OBSERVERS.backward.append(check_backward)


def creation_site() -> str:
    """'file:line' of the innermost frame outside tinynet: where user code made the op
    (or, for tinynet's own modules, the innermost frame at all)."""
    frames = traceback.extract_stack()[:-1]
    for frame in reversed(frames):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE + os.sep):
            return f"{frame.filename}:{frame.lineno}"
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"


def record_forward(ctx, args, out) -> None:
    """Record where ``ctx`` was created, and inside which module."""
    ctx.anomaly_site = creation_site()
    ctx.anomaly_module = current_module()


def check_forward(ctx, args, out) -> None:
    """Record where ``ctx`` was created; raise if it made a non-finite output."""
    record_forward(ctx, args, out)
    if _finite(out.array):
        return
    op = type(ctx).__name__
    for arg in args:
        array = getattr(arg, "array", arg)
        if isinstance(array, np.ndarray) and not _finite(array):
            is_leaf = getattr(arg, "grad_fn", None) is None
            source = "a leaf tensor" if is_leaf else "an earlier op's output"
            raise AnomalyError(
                f"detect_anomaly: {op} forward received non-finite values from {source} of "
                f"shape "
                f"{array.shape}{_where(ctx)}", op, "forward", ctx.anomaly_site,
                ctx.anomaly_module, leaf=arg if is_leaf and hasattr(arg, "array") else None)
    raise AnomalyError(f"detect_anomaly: {op} forward turned finite inputs into non-finite "
                       f"output{_where(ctx)}", op, "forward", ctx.anomaly_site, ctx.anomaly_module)


def check_backward(ctx, grad, input_grads) -> None:
    """Raise if ``ctx``'s backward turned the finite ``grad`` into a non-finite one."""
    if not _finite(grad):
        return  # an op later in the forward (earlier in backward) already reported it
    for i, g in enumerate(input_grads):
        if g is not None and not _finite(g):
            op = type(ctx).__name__
            site = getattr(ctx, "anomaly_site", "unknown")
            module = getattr(ctx, "anomaly_module", None)
            raise AnomalyError(f"detect_anomaly: {op} backward returned non-finite values in "
                               f"its gradient for input {i}{_where(ctx)}", op, "backward", site,
                               module)


def warn_backward_error(ctx, error: Exception) -> None:
    """Before an error raised by ``ctx``'s backward propagates, under anomaly mode: a
    warning naming the op and the line that created it, as PyTorch's "Error detected in
    ..." (the error's own traceback shows only the backward pass)."""
    site = getattr(ctx, "anomaly_site", None)
    if site is None:  # (made before the mode was on)
        return
    warnings.warn(f"detect_anomaly: error detected in {type(ctx).__name__}'s backward "
                  f"({type(error).__name__}: {error}){_where(ctx)}", RuntimeWarning,
                  stacklevel=user_stacklevel())



def _finite(array) -> bool:
    array = np.asarray(array)
    return array.dtype.kind != "f" or bool(np.isfinite(array).all())


def _where(ctx) -> str:
    module = getattr(ctx, "anomaly_module", None)
    inside = f", inside {type(module).__name__}" if module is not None else ""
    return f" (created at {getattr(ctx, 'anomaly_site', 'unknown')}{inside})"
