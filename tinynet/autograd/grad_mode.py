"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``.

The switch is per thread, as in PyTorch: inference under ``no_grad`` in one thread does
not stop another thread from recording.
"""
import functools
import inspect
import threading


class _GradModeState(threading.local):
    """The recording switch; the class attribute is each new thread's starting value."""

    enabled = True


_GradMode = _GradModeState()


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded for backward."""
    return _GradMode.enabled


class _GradModeSwitch:
    """Sets the mode on entering a ``with`` block (or a decorated call), restores it after."""

    mode = True

    def __enter__(self) -> None:  # (``with no_grad() as a`` binds None, as in PyTorch)
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        mode = self.mode
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev, _GradMode.enabled = _GradMode.enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                _GradMode.enabled = prev

        return wrapper


def _in_mode(mode: bool, step, *args):
    """``step(*args)`` with grad mode ``mode``, then the caller's mode again."""
    prev, _GradMode.enabled = _GradMode.enabled, mode
    try:
        return step(*args)
    finally:
        _GradMode.enabled = prev


def _generator_in_mode(fn, mode: bool):
    """A generator function decorated: each resumption of its generator (``next``,
    ``send``, ``throw``, ``close``) runs in ``mode``, and the code between them, the
    caller's, in the caller's mode, as PyTorch's decorators do."""
    @functools.wraps(fn)
    def generator(*args, **kwargs):
        inner = fn(*args, **kwargs)
        try:
            response = _in_mode(mode, inner.send, None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    _in_mode(mode, inner.close)
                    raise
                except BaseException as error:  # thrown in by the caller: into fn
                    response = _in_mode(mode, inner.throw, error)
                else:
                    response = _in_mode(mode, inner.send, request)
        except StopIteration as stop:  # fn returned: so does this generator
            return stop.value

    return generator


class _FixedSwitch(_GradModeSwitch):
    """A switch with a fixed mode, also usable as a decorator without parentheses
    (``@no_grad``, as PyTorch allows, besides ``@no_grad()``)."""

    def __new__(cls, fn=None):
        if fn is not None:  # @no_grad on a function: the switch made for it
            if not callable(fn):
                raise TypeError(f"{cls.__name__}: takes no arguments (or decorates a "
                                f"function), got {fn!r}")
            return cls()(fn)
        return super().__new__(cls)


class no_grad(_FixedSwitch):
    """Context manager (and decorator) under which no graph is built: for inference
    and for updating parameters by hand.

    Example:
        >>> import tinynet as tn
        >>> w = tn.ones(3, requires_grad=True)
        >>> with tn.no_grad():
        ...     y = w * 2
        >>> y.requires_grad, y.grad_fn is None
        (False, True)
    """

    mode = False


class enable_grad(_FixedSwitch):
    """Context manager (and decorator) that turns recording back on inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradModeSwitch):
    """Turn graph recording on or off: at once when called (as in PyTorch), and back
    to the previous mode at the end of a ``with`` block or a decorated function.

    Example:
        >>> import tinynet as tn
        >>> x = tn.ones(2, requires_grad=True)
        >>> with tn.set_grad_enabled(False):
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> _ = tn.set_grad_enabled(False); (x * 2).requires_grad
        False
        >>> _ = tn.set_grad_enabled(True); (x * 2).requires_grad
        True
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __enter__(self) -> None:
        pass  # already switched by __init__

    def __call__(self, fn):
        _GradMode.enabled = self.prev  # as a decorator it acts per call, not now
        return super().__call__(fn)


class inference_mode(_GradModeSwitch):
    """Context manager (and decorator, with or without parentheses) for inference: no
    graph is built, exactly as under ``no_grad``. ``inference_mode(False)`` records
    again, as in PyTorch.

    NOTE: PyTorch's also makes the tensors created inside "inference tensors", which
    autograd refuses later on; tinynet's are ordinary tensors, as made under ``no_grad``.

    Args:
        mode: True (default) to stop recording, False to record.

    Example:
        >>> import tinynet as tn
        >>> w = tn.ones(3, requires_grad=True)
        >>> with tn.inference_mode():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    def __new__(cls, mode=True):
        if callable(mode):  # @inference_mode on a function: the switch made for it
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        if not isinstance(mode, int) or mode not in (0, 1):  # (bools are ints)
            raise TypeError(f"inference_mode: mode must be True or False, got {mode!r}")
        self.mode = not mode
