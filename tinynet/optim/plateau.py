"""``ReduceLROnPlateau``: divide the learning rate when a watched metric stops improving."""
import math
import warnings

from tinynet.checks import check_choice, check_real
from tinynet.optim.lr_base import ScheduleState, check_epoch, check_epochs, check_optimizer


class ReduceLROnPlateau(ScheduleState):
    """Multiply every group's learning rate by ``factor`` once the metric passed to
    ``step(metric)`` has not improved for more than ``patience`` steps (PyTorch's rule):

        improved (mode 'min', threshold_mode 'rel'):  metric < best·(1 - threshold)
                 ('min', 'abs'): metric < best - threshold;  'max' mirrors them
        after patience + 1 steps without improvement:
            lr ← max(lr·factor, min_lr), skipped when that changes lr by <= eps;
            then wait ``cooldown`` steps (bad steps are not counted meanwhile).

    NOTE: not an ``LRScheduler`` subclass here (it is in PyTorch): its ``step`` needs the
    metric, so ``tn.fit`` (which steps its scheduler without one) refuses it.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        mode: 'min' (a loss, default) or 'max' (an accuracy).
        factor: the multiplier, < 1 (default 0.1).
        patience: steps without improvement that are tolerated (default 10).
        threshold: the least improvement that counts (default 1e-4).
        threshold_mode: 'rel' (a fraction of best, default) or 'abs'.
        cooldown: steps to wait after a reduction (default 0).
        min_lr: the lowest rate (one number, or one per group; default 0).
        eps: smaller changes of the rate are skipped (default 1e-8).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = tn.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
        >>> for val_loss in [1.0, 0.9, 0.9, 0.9, 0.9]:
        ...     sched.step(val_loss)
        >>> sched.get_last_lr()
        [0.1]
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr=0.0, eps: float = 1e-8):
        where = "ReduceLROnPlateau"
        self.optimizer = check_optimizer(where, optimizer)
        self.mode = check_choice(where, "mode", mode, ("min", "max"))
        self.factor = check_real(where, "factor", factor, high=1.0, high_open=True)
        self.patience = check_epochs(where, "patience", patience, 0)
        self.threshold = check_real(where, "threshold", threshold)
        self.threshold_mode = check_choice(where, "threshold_mode", threshold_mode,
                                           ("rel", "abs"))
        self.cooldown = check_epochs(where, "cooldown", cooldown, 0)
        self.eps = check_real(where, "eps", eps, 0.0)
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"{where}: min_lr must have one value per parameter group "
                                 f"({len(groups)}), got {len(min_lr)}")
            self.min_lrs, self.default_min_lr = list(min_lr), None
        else:  # (a group added later gets it too, as in PyTorch)
            self.min_lrs, self.default_min_lr = [min_lr] * len(groups), min_lr
        self.last_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [group["lr"] for group in groups]

    @property
    def in_cooldown(self) -> bool:
        """Whether reductions wait: fewer than ``cooldown`` steps since the last one."""
        return self.cooldown_counter > 0

    @property
    def mode_worse(self) -> float:
        """The worst value of the metric: where ``best`` starts (inf for 'min')."""
        return math.inf if self.mode == "min" else -math.inf

    def is_better(self, current: float, best: float) -> bool:
        """Whether ``current`` improves on ``best`` by more than the threshold."""
        if self.threshold_mode == "rel":
            scale = 1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold
            return current < best * scale if self.mode == "min" else current > best * scale
        if self.mode == "min":
            return current < best - self.threshold
        return current > best + self.threshold

    def step(self, metrics, epoch=None) -> None:
        """Record the metric of this step (a number, or a one-element tensor). ``epoch``
        (deprecated in PyTorch, which still takes it, with a warning) sets ``last_epoch``."""
        current = float(metrics)
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn("ReduceLROnPlateau.step(metrics, epoch): the epoch argument is "
                          "deprecated (as in PyTorch); call step(metrics) once per epoch",
                          UserWarning, stacklevel=2)
            self.last_epoch = check_epoch("ReduceLROnPlateau.step", epoch)
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad steps during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._match_groups()
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _match_groups(self) -> None:
        """One min_lr per parameter group, groups added since included: the single
        min_lr given for them, or, for a list, an error (as PyTorch's)."""
        groups = self.optimizer.param_groups
        if len(self.min_lrs) == len(groups):
            return
        if getattr(self, "default_min_lr", None) is None:  # (older checkpoints have none)
            raise RuntimeError(f"ReduceLROnPlateau.step: the optimizer has {len(groups)} "
                               f"parameter groups and min_lr was given for "
                               f"{len(self.min_lrs)} (a group added after the scheduler was "
                               f"made?); set scheduler.min_lrs to one value per group")
        self.min_lrs = [self.default_min_lr] * len(groups)
