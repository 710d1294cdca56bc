"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""
import functools


class _GradMode:
    """Holds the one global switch; a class attribute is the cheapest lookup on the hot path."""

    enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded for backward."""
    return _GradMode.enabled


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off.

    Example:
        >>> import tinynet as tn
        >>> x = tn.ones(2, requires_grad=True)
        >>> with tn.set_grad_enabled(False):
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __init__(self, mode: bool):
        self.mode = mode
        self.prev = _GradMode.enabled

    def __enter__(self):
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)(self.mode) if type(self) is set_grad_enabled else type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
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

    def __init__(self):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Context manager (and decorator) that turns recording back on inside ``no_grad``."""

    def __init__(self):
        super().__init__(True)
