"""Learning-rate schedules that multiply the rate by factors, with PyTorch's formulas:
``MultiStepLR``, ``ExponentialLR``, ``ConstantLR``, ``PolynomialLR`` (fixed factors),
``LambdaLR`` and ``MultiplicativeLR`` (factors from your functions). Import them from
``tinynet.optim.lr_scheduler``.

Each computes the rate from the previous one, as PyTorch does, so a rate changed by hand
(or by another schedule) is followed, and the numbers are PyTorch's to rounding.
"""
import collections
import collections.abc
import types

from tinynet.checks import check_real
from tinynet.optim.lr_base import LRScheduler, check_epochs, check_optimizer


class MultiStepLR(LRScheduler):
    """lr = base_lr · gamma^(the number of milestones reached): the rate is multiplied by
    gamma at each epoch listed in ``milestones`` (once per time it is listed).

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        milestones: epochs (integers >= 0) at which to decay, in any order.
        gamma: the decay factor, >= 0 (default 0.1).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = tn.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(sched.get_last_lr()[0])   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        if isinstance(milestones, (str, bytes)) or \
                not isinstance(milestones, collections.abc.Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, got "
                            f"{milestones!r}")
        self.milestones = collections.Counter(
            check_epochs("MultiStepLR", f"milestones[{i}]", epoch, 0)
            for i, epoch in enumerate(milestones))
        self.gamma = check_real("MultiStepLR", "gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        times = self.milestones.get(self.last_epoch, 0)  # (a plain dict after tn.load)
        if times == 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma ** times for group in groups]

    def _get_closed_form_lr(self) -> list:
        reached = sum(n for epoch, n in self.milestones.items() if epoch <= self.last_epoch)
        return [base * self.gamma ** reached for base in self.base_lrs]

class ExponentialLR(LRScheduler):
    """lr = base_lr · gamma^epoch: the rate is multiplied by gamma at every step.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        gamma: the factor, >= 0.
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = check_real("ExponentialLR", "gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self._is_initial:  # the constructor's step (resumed or not) keeps the rate
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]

class ConstantLR(LRScheduler):
    """lr = factor · base_lr for the first ``total_iters`` epochs, then base_lr (a
    constant warm-up).

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        factor: the multiplier until total_iters, in (0, 1] (default 1/3; PyTorch also
            takes 0, then divides by it at total_iters).
        total_iters: the number of epochs at the lower rate (default 5).
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        self.factor = check_real("ConstantLR", "factor", factor, 0.0, 1.0, low_open=True)
        self.total_iters = check_epochs("ConstantLR", "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _get_closed_form_lr(self) -> list:
        reached = self.last_epoch >= self.total_iters
        return [base * (self.factor + reached * (1 - self.factor)) for base in self.base_lrs]

class PolynomialLR(LRScheduler):
    """lr = base_lr · (1 - min(epoch, total_iters) / total_iters)^power: a decay to 0 over
    total_iters epochs (linear for power 1), computed step by step as PyTorch does.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        total_iters: epochs until the rate reaches 0 (an integer >= 1; default 5).
        power: the polynomial's power, >= 0 (default 1).
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        self.total_iters = check_epochs("PolynomialLR", "total_iters", total_iters, 1)
        self.power = check_real("PolynomialLR", "power", power, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        t, T = self.last_epoch, self.total_iters
        groups = self.optimizer.param_groups
        if self._is_initial or t > T:  # the constructor's step keeps the rate
            return [group["lr"] for group in groups]
        factor = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list:
        T = self.total_iters
        return [base * (1.0 - min(T, self.last_epoch) / T) ** self.power
                for base in self.base_lrs]


class _FunctionLR(LRScheduler):
    """The schedules whose factors come from functions: one per parameter group, and a
    state dict without them."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        groups = check_optimizer(type(self).__name__, optimizer).param_groups
        self.lr_lambdas = _lambdas(type(self).__name__, lr_lambda, groups)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        """The scheduler's state; ``lr_lambdas`` holds None for each plain function (code,
        not state) and the attributes of each callable object, as in PyTorch."""
        state = {k: v for k, v in vars(self).items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(vars(f))
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` saved; the functions stay those given to the
        constructor (callable objects get their saved attributes back)."""
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        vars(self).update(state)
        for f, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                vars(f).update(attributes)


class LambdaLR(_FunctionLR):
    """lr = base_lr · lr_lambda(epoch): your function gives the factor.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        lr_lambda: a function of the epoch (an int) returning a number, or a list of
            them, one per parameter group.

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = tn.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
        >>> opt.step(); sched.step(); sched.step(); round(sched.get_last_lr()[0], 6)
        0.033333
    """

    def get_lr(self) -> list:
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_FunctionLR):
    """lr ← lr · lr_lambda(epoch) at every step after the constructor's: your function
    gives each step's factor (lr_lambda(1) the first one).

    Args: as ``LambdaLR``.
    """

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self._is_initial:  # the constructor's step (resumed or not) keeps the rate
            return [group["lr"] for group in groups]
        return [group["lr"] * f(self.last_epoch) for f, group in zip(self.lr_lambdas, groups)]


def _lambdas(where: str, lr_lambda, groups: list) -> list:
    """One callable per parameter group: ``lr_lambda`` itself for each, or its items."""
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != len(groups):
            raise ValueError(f"{where}: lr_lambda must have one function per parameter group "
                             f"({len(groups)}), got {len(lr_lambda)}")
        functions = list(lr_lambda)
    else:
        functions = [lr_lambda] * len(groups)
    for f in functions:
        if not callable(f):
            raise TypeError(f"{where}: lr_lambda must be a function of the epoch (or a list "
                            f"of them, one per group), got {f!r}")
    return functions
