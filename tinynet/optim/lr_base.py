"""``LRScheduler``, the base class of the learning-rate schedules (import it from
``tinynet.optim.lr_scheduler``, where the schedules are)."""
import numbers
import warnings

from tinynet.checks import check_int


def check_epochs(where: str, name: str, value, low: int = 0) -> int:
    """``check_int``, also taking a float with an integral value (``10 * 0.5``), which
    PyTorch's schedules count with: a number of epochs or steps."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_int(where, name, value, low)


def check_optimizer(where: str, optimizer):
    """``optimizer``, which must be an Optimizer (a schedule sets its groups' rates)."""
    from tinynet.optim.optimizer import Optimizer  # (the optimizers import the schedules)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: {type(optimizer).__name__} is not an Optimizer (pass the "
                        f"optimizer whose learning rates to schedule)")
    return optimizer


def check_epoch(where: str, epoch):
    """The epoch a deprecated ``step(epoch)`` goes to: any real number, as PyTorch takes
    it (a float stays a float: the schedule computes with it, as there)."""
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Real):
        raise TypeError(f"{where}: epoch must be a number, got {epoch!r}")
    return int(epoch) if isinstance(epoch, numbers.Integral) else float(epoch)


class ScheduleState:
    """What every schedule shares: its last rates, and its state (everything but the
    optimizer) for checkpoints."""

    def get_last_lr(self) -> list:
        return self._last_lr

    def state_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        vars(self).update(state_dict)


class LRScheduler(ScheduleState):
    """Base class: ``step()`` once per epoch, after ``optimizer.step()``."""

    # True during the constructor's step only (PyTorch's flag of the same name): a
    # schedule that multiplies the rate keeps it then, also when resumed with last_epoch
    _is_initial = False

    def __init__(self, optimizer, last_epoch: int = -1):
        self.optimizer = check_optimizer(type(self).__name__, optimizer)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        for i, group in enumerate(optimizer.param_groups):
            if "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: param 'initial_lr' is not specified in "
                               f"param_groups[{i}] when resuming an optimizer (last_epoch="
                               f"{last_epoch}); load the optimizer's state dict first, or "
                               f"pass last_epoch=-1")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step (which ``SequentialLR`` makes again for its first)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list:
        raise NotImplementedError

    def step(self, epoch=None) -> None:
        """Go to the next epoch. ``step(epoch)`` (deprecated in PyTorch, which still runs
        it, with a warning) goes to ``epoch``, by the closed form where the schedule has
        one, as PyTorch does."""
        if self._step_count == 1:
            self._warn_if_before_optimizer()
        if epoch is not None:
            warnings.warn("scheduler.step(epoch): the epoch argument is deprecated (as in "
                          "PyTorch); call scheduler.step() once per epoch. The rate at "
                          "that epoch comes from the schedule's closed form, where it has "
                          "one", UserWarning, stacklevel=2)
            self._step_count += 1
            self._restart(check_epoch(f"{type(self).__name__}.step", epoch))
            return
        self._step_count += 1
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _warn_if_before_optimizer(self, stacklevel: int = 3) -> None:
        """At the first step the user makes: warn when the optimizer has not stepped yet,
        as PyTorch does (the schedule's first rate would be skipped). A scheduler inside
        a combination leaves it to the combination, which warns once."""
        if getattr(self, "_warns_order", True) and \
                not vars(self.optimizer).get("_opt_called", True):
            warnings.warn(f"{type(self).__name__}.step: called before optimizer.step(); call "
                          f"them in the opposite order (optimizer.step() first), or the "
                          f"schedule's first rate is skipped (as PyTorch warns)",
                          UserWarning, stacklevel=stacklevel)

    def _restart(self, epoch=0) -> None:
        """Go to ``epoch`` directly, as ``SequentialLR`` does at a milestone (not counted
        as a step, as in PyTorch: SWALR reads the count): the rates from the closed form
        where the schedule has one (``_get_closed_form_lr``, PyTorch's name, which a
        schedule of the user's may define too), else from ``get_lr``."""
        self.last_epoch = epoch
        closed_form = getattr(self, "_get_closed_form_lr", None)
        self._set_lrs(closed_form() if closed_form is not None else self.get_lr())

    def _set_lrs(self, lrs: list) -> None:
        groups = self.optimizer.param_groups
        if len(lrs) != len(groups):  # (PyTorch's zip(..., strict=True) fails there too)
            raise ValueError(f"{type(self).__name__}.step: the optimizer has {len(groups)} "
                             f"parameter groups and the schedule was made for {len(lrs)} (a "
                             f"group added after the scheduler was made?); make the "
                             f"scheduler after add_param_group")
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
