"""Weight averaging, as ``torch.optim.swa_utils``: ``AveragedModel`` keeps a running
average of a model's weights (stochastic weight averaging, SWA, or an exponential moving
average, EMA), ``update_bn`` recomputes its BatchNorm statistics, and ``SWALR`` (in
``tinynet/optim/lr_swa.py``) anneals the learning rate to a constant one for the
averaging phase. The averaging functions come in two forms, as in PyTorch: ``avg_fn``
returns the new average of one tensor, ``multi_avg_fn`` updates lists of them in place.
"""
from copy import deepcopy

import numpy as np

from tinynet.autograd import no_grad
from tinynet.checks import check_real
from tinynet.factories import tensor
from tinynet.nn.module import Module
from tinynet.nn.normalization import BatchNorm1d
from tinynet.optim.lr_swa import SWALR

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


# ---- averaging functions -----------------------------------------------------------------
def get_swa_avg_fn():
    """The equal average, one tensor at a time: after n models, the next one, W, moves the
    average by 1/(n + 1) of the way to it,

        W_avg ← W_avg + (W - W_avg) / (n + 1),

    so W_avg is the mean of all the models averaged. Returns ``avg_fn(averaged, current,
    num_averaged)``, giving the new average (``AveragedModel``'s default)."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999):
    """The exponential moving average, one tensor at a time:

        W_ema ← decay·W_ema + (1 - decay)·W    (the first model is copied: W_ema = W₀)

    Args:
        decay: the weight of the past, in [0, 1] (default 0.999).

    Returns ``avg_fn(averaged, current, num_averaged)``, giving the new average."""
    decay = check_real("get_ema_avg_fn", "decay", decay, 0.0, 1.0)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_multi_avg_fn():
    """``get_swa_avg_fn``'s average for lists of tensors, in place: ``multi_avg_fn(
    averaged_list, current_list, num_averaged)`` moves each averaged tensor 1/(n + 1) of the
    way to its current one (``lerp_``). Integer tensors (a BatchNorm's batch count) get
    ``get_swa_avg_fn``'s value, truncated to their dtype."""

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        weight = 1.0 / (float(num_averaged) + 1)
        for averaged, current in zip(averaged_param_list, current_param_list):
            if averaged.is_floating_point():
                averaged.lerp_(current, weight)
            else:
                averaged.copy_(averaged + (current - averaged) / (num_averaged + 1))

    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999):
    """``get_ema_avg_fn``'s average for lists of tensors, in place: ``multi_avg_fn(
    ema_list, current_list, num_averaged)`` moves each EMA tensor 1 - decay of the way to
    its current one (``lerp_``); integer tensors get decay·W_ema + (1 - decay)·W, truncated
    to their dtype.

    Args:
        decay: the weight of the past, in [0, 1] (default 0.999).
    """
    decay = check_real("get_ema_multi_avg_fn", "decay", decay, 0.0, 1.0)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, num_averaged):
        for ema, current in zip(ema_param_list, current_param_list):
            if ema.is_floating_point():
                ema.lerp_(current, 1 - decay)
            else:
                ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


# ---- the averaged model --------------------------------------------------------------------
class AveragedModel(Module):
    """A copy of ``model`` whose weights are a running average of the model's, updated by
    ``update_parameters(model)``: the first call copies the model's weights, each next one
    averages them in with ``avg_fn`` or ``multi_avg_fn`` (by default the equal average of
    all the models seen: stochastic weight averaging). ``forward`` calls the copy.

    Args:
        model: the Module to average; a deep copy of it is kept as ``module``.
        device: where to keep the copy (tinynet computes on the CPU: ``'cpu'`` or None).
        avg_fn: ``avg_fn(averaged, current, num_averaged)`` returning the new average of
            one tensor (``get_swa_avg_fn()``, ``get_ema_avg_fn(decay)`` or your own).
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, num_averaged)``
            updating the averages in place, called once per dtype
            (``get_swa_multi_avg_fn()``, ``get_ema_multi_avg_fn(decay)``). Give at most
            one of the two; with neither, the equal average.
        use_buffers: average the buffers too (a BatchNorm's running statistics) (default
            False: the buffers are copied from ``model`` at every update instead).

    Attributes:
        module: the averaged copy.
        n_averaged: the number of models averaged so far (an int64 buffer, in
            ``state_dict`` as ``n_averaged``, before the copy's ``module.*`` entries).

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Linear(1, 1, bias=False)
        >>> swa = tn.optim.swa_utils.AveragedModel(model)
        >>> for w in (1.0, 2.0, 6.0):
        ...     with tn.no_grad():
        ...         _ = model.weight.fill_(w)
        ...     swa.update_parameters(model)
        >>> swa.module.weight, swa.n_averaged
        (Parameter containing:
        tensor([[3.]], requires_grad=True), tensor(3))
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers: bool = False):
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be a tinynet.nn.Module, got "
                            f"{type(model).__name__}")
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError(f"AveragedModel: avg_fn and multi_avg_fn must not both be "
                             f"given (one averaging function), got {avg_fn!r} and "
                             f"{multi_avg_fn!r}")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be a function or None, got "
                                f"{fn!r}")
        self.module = deepcopy(model)
        if device is not None:
            self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=np.int64, device=device))
        self.avg_fn, self.multi_avg_fn = avg_fn, multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model) -> None:
        """Average ``model``'s current weights (its parameters, and its buffers with
        ``use_buffers``) into the copy's; without ``use_buffers``, copy its buffers."""
        where = "AveragedModel.update_parameters"
        if self.use_buffers:
            averaged = [*self.module.parameters(), *self.module.buffers()]
            current = [*model.parameters(), *model.buffers()]
            _check_pairs(where, "parameters and buffers", averaged, current)
        else:
            averaged, current = list(self.parameters()), list(model.parameters())
            _check_pairs(where, "parameters", averaged, current)
            own_buffers, model_buffers = list(self.module.buffers()), list(model.buffers())
            _check_pairs(where, "buffers", own_buffers, model_buffers)  # (before any change)
        # detached: the updates write in place into the parameters, outside any graph
        averaged = [t.detach() for t in averaged]
        current = [t.detach().to(a.device) for t, a in zip(current, averaged)]
        if self.n_averaged.item() == 0:  # the first model is copied
            for a, c in zip(averaged, current):
                a.copy_(c)
        elif self.multi_avg_fn is not None:
            for averaged_list, current_list in _by_dtype(averaged, current):
                self.multi_avg_fn(averaged_list, current_list, self.n_averaged)
        else:
            avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
            for a, c in zip(averaged, current):
                a.copy_(avg_fn(a, c, self.n_averaged))
        if not self.use_buffers:  # kept in step with the model's
            for b, b_model in zip(own_buffers, model_buffers):
                b.detach().copy_(b_model.detach())
        self.n_averaged += 1


def _check_pairs(where: str, what: str, own: list, theirs: list) -> None:
    """The model's tensors pair one to one, by shape, with the averaged copy's."""
    if len(own) != len(theirs):
        raise ValueError(f"{where}: model must have the averaged model's {what} "
                         f"({len(own)} tensors), got {len(theirs)}")
    for i, (a, b) in enumerate(zip(own, theirs)):
        if a.shape != b.shape:
            raise ValueError(f"{where}: model's {what} must have the averaged model's "
                             f"shapes, got {tuple(b.shape)} for {tuple(a.shape)} at "
                             f"position {i}")


def _by_dtype(averaged: list, current: list) -> list:
    """The (averaged, current) pairs split by the averaged tensor's dtype, in order: a
    ``multi_avg_fn`` gets lists of one dtype, as PyTorch groups them."""
    groups = {}
    for a, c in zip(averaged, current):
        pair = groups.setdefault(a.dtype, ([], []))
        pair[0].append(a)
        pair[1].append(c)
    return list(groups.values())


# ---- BatchNorm statistics --------------------------------------------------------------------
@no_grad()
def update_bn(loader, model, device=None) -> None:
    """Recompute the running statistics of every BatchNorm layer in ``model`` with one
    pass over ``loader``: each layer's statistics are reset, then the batches run through
    the model in training mode with ``momentum=None``, so the running mean and variance
    become the average, over the batches, of each batch's mean and unbiased variance.
    Afterwards the layers get their momenta back and the model its mode
    (``model.train(was_training)``, as PyTorch). A model without BatchNorm is left alone.

    Args:
        loader: an iterable of batches, each a tensor or a list or tuple whose first item
            is the input (a DataLoader of (x, y) pairs).
        model: the Module (an ``AveragedModel`` after SWA).
        device: if given, each input is moved there first.

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Sequential(tn.nn.Linear(2, 2), tn.nn.BatchNorm1d(2))
        >>> loader = [(tn.randn(8, 2), tn.zeros(8)) for _ in range(3)]
        >>> tn.optim.swa_utils.update_bn(loader, model)
        >>> model[1].num_batches_tracked, model[1].momentum
        (tensor(3), 0.1)
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, BatchNorm1d):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None  # a cumulative average over the batches
    try:  # (the momenta and mode come back even if a batch fails)
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            if device is not None:
                x = x.to(device)
            model(x)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)
