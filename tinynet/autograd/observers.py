"""Observers of the engine: functions called after every op's forward and after every
op the backward pass runs. Anomaly detection, the graph recorder of ``tinynet.viz`` and
the backward trace of ``tinynet.classroom`` are observers; with none installed the
engine pays one list check per op.
"""
import contextlib
import threading


class _Observers(threading.local):
    """Per thread, as grad mode."""

    def __init__(self):
        self.forward = []  # f(ctx, args, out) after each op's forward; out: the Tensor
        self.backward = []  # f(ctx, grad, input_grads) after each op's backward
        self.modules = []  # modules whose forward is running, innermost last
        self.called = None  # a dict filled with every module called, while tn.capture records
        self.finished = None  # and a list of (module, its forward hooks, the call's
        # positional inputs, its output, (module.training, grad mode)), as calls end
        self.reads = None  # a count of tensor values read into Python, while it records
        self.hooks = None  # a count of tensor hooks registered, while it records
        self.draws = None  # a count of random draws made outside an op, while it records
        self.check_nan = True  # anomaly mode's check_nan, as last set (anomaly.py)


OBSERVERS = _Observers()

# Counts every attribute a module sets or deletes (its mode, hooks, parameters, buffers,
# submodules: nn.Module counts them), in any thread. tn.capture's guards re-read a
# plan's modules only when it has moved since they last found them unchanged.
MODULE_CHANGES = [0]


@contextlib.contextmanager
def observing(forward=None, backward=None):
    """Install observers for the duration of a ``with`` block."""
    if forward is not None:
        OBSERVERS.forward.append(forward)
    if backward is not None:
        OBSERVERS.backward.append(backward)
    try:
        yield
    finally:
        if forward is not None:
            OBSERVERS.forward.remove(forward)
        if backward is not None:
            OBSERVERS.backward.remove(backward)


def values_read() -> None:
    """Note that a tensor's values were read into Python (``item()``, ``bool()``,
    ``tolist()``, ``numpy()``...): what a function does next may depend on them, so
    ``tn.capture`` does not replay a function that did so while it recorded."""
    if OBSERVERS.reads is not None:
        OBSERVERS.reads += 1


def random_drawn() -> None:
    """Note that random values were drawn outside an op (``tn.rand``, ``x.uniform_()``,
    ``nn.init``): they enter the graph as constants, which a replay would reuse, so
    ``tn.capture`` does not replay a function whose second recorded call drew so (a
    first call that draws once, as a lazy module initialising its parameters, is fine)."""
    if OBSERVERS.draws is not None:
        OBSERVERS.draws += 1


def hook_registered() -> None:
    """Note that a tensor hook was registered (``register_hook``, a post-accumulate hook,
    ``retain_grad``): ``tn.capture`` does not replay a function that does so while it
    records, since a replay registers nothing (and makes no tensors to hook)."""
    if OBSERVERS.hooks is not None:
        OBSERVERS.hooks += 1


def current_module():
    """The innermost module whose forward is running (tracked while a forward observer
    is installed), or None."""
    return OBSERVERS.modules[-1] if OBSERVERS.modules else None
