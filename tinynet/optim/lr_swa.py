"""``SWALR``, the learning-rate schedule of stochastic weight averaging (import it from
``tinynet.optim.swa_utils``, as in PyTorch, beside ``AveragedModel``)."""
import math

from tinynet.checks import check_choice, check_int, check_real
from tinynet.optim.lr_base import LRScheduler, check_optimizer
from tinynet.optim.lr_cyclic import per_group


def _cosine_anneal(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


def _linear_anneal(t: float) -> float:
    return t


class SWALR(LRScheduler):
    """Anneals each group's rate from where it is to ``swa_lr`` over ``anneal_epochs``
    steps, then keeps it there: after k steps (k = 0 at the constructor),

        α_k = anneal(min(1, k / anneal_epochs)),  anneal(t) = (1 - cos(π t)) / 2 ('cos')
                                                             or t ('linear')
        lr_k = α_k·swa_lr + (1 - α_k)·lr_0,

    lr_0 being the rate when the schedule starts (often where another schedule left it,
    stepped until averaging starts). As PyTorch, each step recovers lr_0 from the current
    rate and α_{k-1}, so a rate changed by hand is followed. With ``anneal_epochs=0`` the
    rate is swa_lr from the constructor on.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        swa_lr: the rate to reach, >= 0: one for every group, or a list of one per group
            (kept in each group as ``group["swa_lr"]``).
        anneal_epochs: the number of steps to reach it, an integer >= 0 (default 10).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = tn.optim.swa_utils.SWALR(opt, swa_lr=0.2, anneal_epochs=2,
        ...                                  anneal_strategy="linear")
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 6))   # ... train one epoch ...
        ...     opt.step()   # (the epoch's last optimizer step)
        ...     sched.step()
        >>> lrs
        [1.0, 0.6, 0.2, 0.2]
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1):
        groups = check_optimizer("SWALR", optimizer).param_groups
        swa_lrs = per_group("SWALR", "swa_lr", swa_lr, groups)
        swa_lrs = [check_real("SWALR", "swa_lr" if len(groups) == 1 else f"swa_lr[{i}]", lr,
                              0.0) for i, lr in enumerate(swa_lrs)]
        self._anneal_strategy = check_choice("SWALR", "anneal_strategy", anneal_strategy,
                                             ("cos", "linear"))
        self.anneal_epochs = check_int("SWALR", "anneal_epochs", anneal_epochs, 0)
        for group, lr in zip(groups, swa_lrs):  # (after every check: a refusal changes none)
            group["swa_lr"] = lr
        super().__init__(optimizer, last_epoch)

    @property
    def anneal_func(self):
        """anneal(t), t in [0, 1]: the fraction of the way from lr_0 to swa_lr."""
        return _cosine_anneal if self._anneal_strategy == "cos" else _linear_anneal

    def get_lr(self) -> list:
        k = self._step_count - 1
        if self.anneal_epochs == 0:
            k = max(1, k)  # swa_lr at once
        steps = max(1, self.anneal_epochs)
        alpha_before = self.anneal_func(min(1.0, max(0.0, (k - 1) / steps)))
        alpha = self.anneal_func(min(1.0, max(0.0, k / steps)))
        lrs = []
        for group in self.optimizer.param_groups:
            lr, swa_lr = group["lr"], group["swa_lr"]
            # lr = α_{k-1}·swa_lr + (1 - α_{k-1})·lr_0, solved for lr_0
            lr_0 = swa_lr if alpha_before == 1 else \
                (lr - alpha_before * swa_lr) / (1 - alpha_before)
            lrs.append(swa_lr * alpha + lr_0 * (1 - alpha))
        return lrs
