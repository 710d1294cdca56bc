"""Learning-rate schedules with PyTorch's formulas: ``StepLR``, ``CosineAnnealingLR``,
``LinearLR`` (stepped without arguments), the cyclical ``OneCycleLR`` and ``CyclicLR`` (in
``tinynet/optim/lr_cyclic.py``, stepped after every batch), the schedules by factors
``MultiStepLR``, ``ExponentialLR``, ``ConstantLR``, ``LambdaLR`` and ``MultiplicativeLR``
(in ``tinynet/optim/lr_factors.py``), ``ReduceLROnPlateau`` (stepped with the metric
it watches; in ``tinynet/optim/plateau.py``), ``CosineAnnealingWarmRestarts`` (also
stepped with a fractional epoch), and the combinations ``SequentialLR`` and
``ChainedScheduler`` (in ``tinynet/optim/lr_combined.py``). Their base class, ``LRScheduler``, is in
``tinynet/optim/lr_base.py``."""
import math

from tinynet.checks import check_int, check_real
from tinynet.optim.lr_base import LRScheduler, check_epochs
from tinynet.optim.lr_factors import (ConstantLR, ExponentialLR, LambdaLR,  # noqa: F401
                                      MultiplicativeLR, MultiStepLR,  # (PyTorch's namespace)
                                      PolynomialLR)


class StepLR(LRScheduler):
    """lr = base_lr · gamma^⌊epoch / step_size⌋.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        step_size: epochs between decays.
        gamma: the decay factor (default 0.1).
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _get_closed_form_lr(self) -> list:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]

class CosineAnnealingLR(LRScheduler):
    """lr follows half a cosine from base_lr down to eta_min over T_max epochs:
        lr_t = eta_min + (base_lr - eta_min)·(1 + cos(π t / T_max)) / 2,
    computed recursively from the previous lr, as PyTorch does (so a changed lr is
    followed, and trajectories match PyTorch's to rounding).

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        T_max: epochs in half a period.
        eta_min: the lowest learning rate (default 0).
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:  # the constructor's step (resumed or not) keeps the rate
            return [group["lr"] for group in groups]
        if (t - 1 - T) % (2 * T) == 0:
            return [group["lr"] + (base - eta) * (1 - math.cos(math.pi / T)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - eta) + eta for group in groups]

    def _get_closed_form_lr(self) -> list:
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        return [eta + (base - eta) * (1 + math.cos(math.pi * t / T)) / 2
                for base in self.base_lrs]

class LinearLR(LRScheduler):
    """The rate goes linearly from start_factor·base_lr to end_factor·base_lr over
    total_iters steps, then stays:
        lr_t = base_lr·(start_factor + (end_factor - start_factor)·min(t, total_iters)
               / total_iters),
    computed recursively from the previous lr, as PyTorch does (a warm-up, by default).

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        start_factor: the first step's multiplier, in (0, 1] (default 1/3).
        end_factor: the multiplier reached after total_iters steps, in [0, 1] (default 1).
        total_iters: the number of steps of the ramp (default 5).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.3)
        >>> sched = tn.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [0.15, 0.225, 0.3, 0.3]
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        self.start_factor = check_real("LinearLR", "start_factor", start_factor, 0.0, 1.0,
                                       low_open=True)
        self.end_factor = check_real("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        self.total_iters = check_epochs("LinearLR", "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        t, start, end = self.last_epoch, self.start_factor, self.end_factor
        groups = self.optimizer.param_groups
        if t == 0:
            return [group["lr"] * start for group in groups]
        if self._is_initial or t > self.total_iters:
            return [group["lr"] for group in groups]
        # the ratio of consecutive closed-form values
        ratio = 1.0 + (end - start) / (self.total_iters * start + (t - 1) * (end - start))
        return [group["lr"] * ratio for group in groups]

    def _get_closed_form_lr(self) -> list:
        start, end, T = self.start_factor, self.end_factor, self.total_iters
        return [base * (start + (end - start) * min(T, self.last_epoch) / T)
                for base in self.base_lrs]

class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every cycle (SGDR): within a cycle of T_i epochs,
        lr = eta_min + (base_lr - eta_min)·(1 + cos(π·T_cur / T_i)) / 2,
    T_cur counting the epochs since the last restart; the first cycle is T_0 epochs
    long, each next one T_mult times the one before.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        T_0: epochs in the first cycle (an integer >= 1).
        T_mult: the factor by which each cycle is longer than the last (an integer >= 1;
            default 1).
        eta_min: the lowest learning rate (default 0).

    ``step()`` once per epoch, or, as in PyTorch, ``step(epoch)`` with a fractional epoch
    to anneal within one (``step(epoch + i / batches)`` after batch i).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = tn.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
        >>> lrs = []
        >>> for epoch in range(7):
        ...     lrs.append(round(sched.get_last_lr()[0], 3))   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0]
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        where = "CosineAnnealingWarmRestarts"
        self.T_0 = self.T_i = check_int(where, "T_0", T_0, 1)
        self.T_mult = check_int(where, "T_mult", T_mult, 1)
        self.eta_min = check_real(where, "eta_min", eta_min)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        eta, phase = self.eta_min, math.pi * self.T_cur / self.T_i
        return [eta + (base - eta) * (1 + math.cos(phase)) / 2 for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0  # the constructor's step
        if epoch is None:  # the next epoch: one more in this cycle, or the next cycle
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # (% as PyTorch's: T_cur may start past a cycle,
                self.T_cur %= self.T_i     # when resumed with last_epoch)
                self.T_i *= self.T_mult
        else:
            self.T_cur, self.T_i = self._position(
                check_real("CosineAnnealingWarmRestarts.step", "epoch", epoch, 0.0))
        self.last_epoch = math.floor(epoch)
        self._set_lrs(self.get_lr())

    def _position(self, epoch: float) -> tuple:
        """(epochs since the last restart, the current cycle's length) at ``epoch``."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        # cycles 0..n-1 end at T_0·(T_mult^n - 1)/(T_mult - 1): n cycles are over
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        over = self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
        return epoch - over, self.T_0 * self.T_mult ** n


from tinynet.optim.lr_combined import ChainedScheduler, SequentialLR  # noqa: E402
from tinynet.optim.lr_cyclic import CyclicLR, OneCycleLR  # noqa: E402
from tinynet.optim.plateau import ReduceLROnPlateau  # noqa: E402  (PyTorch's namespace)

_LRScheduler = LRScheduler  # the base class's older name, which older schedulers subclass

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR", "LinearLR",
    "CosineAnnealingLR", "LambdaLR", "MultiplicativeLR", "OneCycleLR", "ReduceLROnPlateau",
    "SequentialLR", "ChainedScheduler", "CosineAnnealingWarmRestarts", "PolynomialLR",
    "CyclicLR",
]
