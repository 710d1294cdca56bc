"""Schedules made of other schedules, as PyTorch's: ``SequentialLR`` (one after another,
switching at milestones: a warm-up, then a decay) and ``ChainedScheduler`` (all of them
at every step, their factors multiplied). Import them from ``tinynet.optim.lr_scheduler``.
"""
import bisect

from tinynet.optim.lr_base import LRScheduler, ScheduleState
from tinynet.optim.plateau import ReduceLROnPlateau


def _check_schedulers(where: str, schedulers, optimizer) -> list:
    """The schedulers as a list, each an LRScheduler of ``optimizer``."""
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{where}: schedulers must hold at least one scheduler, got none")
    for i, scheduler in enumerate(schedulers):
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{where}: schedulers[{i}] is a ReduceLROnPlateau, whose step "
                             f"needs the metric it watches; it cannot be combined")
        if not isinstance(scheduler, ScheduleState) or not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{where}: schedulers[{i}] must be a learning-rate scheduler, "
                            f"got {type(scheduler).__name__}")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{where}: every scheduler must schedule the same optimizer; "
                             f"schedulers[{i}] ({type(scheduler).__name__}) schedules "
                             f"another one")
    for scheduler in schedulers:
        scheduler._warns_order = False  # (the combination warns, once)
    return schedulers


def _first_step(combination) -> None:
    """The combination's own check, at its first step, of the order of the steps."""
    if not vars(combination).get("_order_checked"):
        combination._order_checked = True
        combination._warn_if_before_optimizer(stacklevel=4)  # (the caller of step)


class _Combined(LRScheduler):
    """What both combinations share: a state dict holding each scheduler's own. (An
    LRScheduler, as in PyTorch, whose constructor it does not run: the rates are its
    schedulers'.)"""

    def state_dict(self) -> dict:
        state = {k: v for k, v in vars(self).items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        vars(self).update(state)
        for scheduler, scheduler_state in zip(self._schedulers, saved, strict=True):
            scheduler.load_state_dict(scheduler_state)


class SequentialLR(_Combined):
    """Run ``schedulers[0]`` until epoch ``milestones[0]``, then ``schedulers[1]`` from
    its epoch 0, and so on: each scheduler starts at its closed-form rate for epoch 0
    (e.g. CosineAnnealingLR's base rate), whatever the one before left.

    Args:
        optimizer: the optimizer every scheduler schedules.
        schedulers: the schedulers, made for ``optimizer`` (their constructors' steps are
            undone: the rate goes back to each group's initial rate, and the first
            scheduler starts from there).
        milestones: the epochs at which to switch, one fewer than the schedulers.

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> lr_scheduler = tn.optim.lr_scheduler
        >>> warmup = lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> sched = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[3])
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(sched.get_last_lr()[0])   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1):
        self._schedulers = _check_schedulers("SequentialLR", schedulers, optimizer)
        milestones = list(milestones)
        if len(milestones) != len(self._schedulers) - 1:
            raise ValueError(f"SequentialLR: milestones must hold one epoch fewer than "
                             f"schedulers ({len(self._schedulers) - 1}), got "
                             f"{len(milestones)}")
        for i, scheduler in enumerate(self._schedulers[1:], start=1):
            if isinstance(scheduler, _Combined):  # (it cannot start over at a milestone)
                raise ValueError(f"SequentialLR: only schedulers[0] may be a combination, "
                                 f"got a {type(scheduler).__name__} at schedulers[{i}]")
        self._milestones = milestones
        self.optimizer = optimizer
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            _undo_constructor_step(scheduler)
        first = self._schedulers[bisect.bisect_right(milestones, 0)]
        first._initial_step()  # its constructor's step again, from the initial rates
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        _first_step(self)
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._restart(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _undo_constructor_step(scheduler) -> None:
    """Take back the epoch a scheduler's constructor counted (in each of a combination's
    schedulers too), as PyTorch's SequentialLR does."""
    if isinstance(scheduler, _Combined):
        for inner in scheduler._schedulers:
            _undo_constructor_step(inner)
    elif isinstance(scheduler, LRScheduler):
        scheduler.last_epoch -= 1


class ChainedScheduler(_Combined):
    """Step every scheduler at each step, in order: each multiplies (or sets) the rate
    the one before left, so their factors combine.

    Args:
        schedulers: the schedulers, all of one optimizer.
        optimizer: that optimizer (default: the first scheduler's).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> lr_scheduler = tn.optim.lr_scheduler
        >>> sched = lr_scheduler.ChainedScheduler([
        ...     lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
        ...     lr_scheduler.ExponentialLR(opt, gamma=0.9)])
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [0.5, 0.45, 0.81, 0.729]
    """

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = schedulers[0].optimizer
        self._schedulers = _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        _first_step(self)
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
