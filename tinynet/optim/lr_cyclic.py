"""The cyclical schedules, stepped after every batch: ``OneCycleLR`` (one rise and one
fall over the whole run) and ``CyclicLR`` (a rate going up and down between two bounds,
again and again). Both can move the momentum the other way: SGD's ``momentum``, or
Adam's β₁."""
import math
import types

from tinynet.checks import check_choice, check_int, check_real
from tinynet.optim.lr_base import LRScheduler, check_optimizer


def per_group(where: str, name: str, value, groups: list) -> list:
    """``value`` for each parameter group: a list of one per group, or one number."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"{where}: {name} must have one value per parameter group "
                             f"({len(groups)}), got {len(value)}")
        return list(value)
    return [value] * len(groups)


def _set_momentum(group: dict, value: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _start_momentum_cycle(where: str, optimizer, base_momentum, max_momentum,
                          last_epoch: int) -> tuple:
    """Check that ``optimizer`` has a momentum to cycle; when the schedule starts
    (``last_epoch`` = -1), set each group's to its max_momentum and keep both bounds in
    the group. Returns (whether the momentum is Adam's β₁, the base momentums, the max
    momentums), one of each per group."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{where}: cycle_momentum=True needs an optimizer with a momentum "
                         f"or betas hyper-parameter, got {type(optimizer).__name__} (pass "
                         f"cycle_momentum=False)")
    use_beta1 = "betas" in optimizer.defaults
    groups = optimizer.param_groups
    lows = per_group(where, "base_momentum", base_momentum, groups)
    highs = per_group(where, "max_momentum", max_momentum, groups)
    if last_epoch == -1:
        for group, high, low in zip(groups, highs, lows):
            _set_momentum(group, high, use_beta1)
            group["max_momentum"], group["base_momentum"] = high, low
    return use_beta1, lows, highs


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped after every batch: the rate rises
    from max_lr/div_factor to max_lr over the first pct_start of total_steps, then falls
    to max_lr/(div_factor·final_div_factor); the momentum (SGD's ``momentum``, Adam's
    β₁) moves the other way, between max_momentum and base_momentum. Each phase follows
    half a cosine (``anneal_strategy='cos'``) or a line (``'linear'``):
        cos: end + (start - end)·(1 + cos(π·pct))/2,   linear: start + (end - start)·pct
    with pct the fraction of the phase done. ``three_phase``: up, back down to the
    initial rate, then down to the minimum (momentum likewise), as fastai does.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        max_lr: the peak rate (one number, or one per parameter group).
        total_steps: the number of steps of the cycle; or give ``epochs`` and
            ``steps_per_epoch``, whose product it then is.
        pct_start: the fraction of the steps spent rising (default 0.3).
        anneal_strategy: 'cos' (default) or 'linear'.
        cycle_momentum: also cycle the momentum (default True; the optimizer needs a
            ``momentum`` or ``betas`` hyper-parameter).
        base_momentum, max_momentum: the momentum's range (defaults 0.85 and 0.95).
        div_factor: initial_lr = max_lr/div_factor (default 25).
        final_div_factor: min_lr = initial_lr/final_div_factor (default 1e4).
        three_phase: default False.

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = tn.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        >>> lrs = []
        >>> for batch in range(10):
        ...     lrs.append(opt.param_groups[0]["lr"])   # ... one optimizer step ...
        ...     opt.step()   # (the batch's optimizer step)
        ...     sched.step()
        >>> round(lrs[0], 4), round(max(lrs), 4), lrs.index(max(lrs)), round(lrs[-1], 8)
        (0.04, 1.0, 2, 4e-06)
    """

    def __init__(self, optimizer, max_lr, total_steps: int = None, epochs: int = None,
                 steps_per_epoch: int = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum=0.85, max_momentum=0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1):
        where = "OneCycleLR"
        check_optimizer(where, optimizer)
        if total_steps is not None:
            self.total_steps = check_int(where, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (check_int(where, "epochs", epochs, 1)
                                * check_int(where, "steps_per_epoch", steps_per_epoch, 1))
        else:
            raise ValueError(f"{where}: total_steps, or epochs and steps_per_epoch, must be "
                             f"given, got total_steps=None, epochs={epochs!r} and "
                             f"steps_per_epoch={steps_per_epoch!r}")
        pct_start = check_real(where, "pct_start", pct_start, 0.0, 1.0)
        self.anneal_strategy = check_choice(where, "anneal_strategy", anneal_strategy,
                                            ("cos", "linear"))
        n = self.total_steps
        if three_phase:
            self._phases = [
                (pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * pct_start * n - 2, "max_lr", "initial_lr", "base_momentum",
                 "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [
                (pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, peak in zip(groups, per_group(where, "max_lr", max_lr, groups)):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _start_momentum_cycle(where, optimizer, base_momentum,
                                                   max_momentum, last_epoch)[0]
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR.step: the number of steps must be at most "
                             f"total_steps={self.total_steps}, got {step}; give a larger "
                             f"total_steps (or epochs and steps_per_epoch)")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, (end_step, lr_from, lr_to, m_from, m_to) in enumerate(self._phases):
                if step <= end_step or i == len(self._phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        _set_momentum(group, self._anneal(group[m_from], group[m_to], pct),
                                      self.use_beta1)
                    break
                start_step = end_step
        return lrs


class CyclicLR(LRScheduler):
    """The cyclical learning rate policy (Smith, 2017), stepped after every batch: the
    rate climbs from base_lr to max_lr in step_size_up steps, falls back in
    step_size_down steps, and starts again. At step t, with T = step_size_up +
    step_size_down and r = step_size_up / T:

        cycle = ⌊1 + t/T⌋,   x = 1 + t/T - cycle           (how far into the cycle)
        s = x/r  while x ≤ r,  else (x - 1)/(r - 1)          (0 → 1 → 0 over a cycle)
        lr = base_lr + (max_lr - base_lr)·s·scale

    where scale is 1 ('triangular'), 1/2^(cycle - 1) ('triangular2': the height halves
    each cycle), gamma^t ('exp_range'), or ``scale_fn`` at the cycle (``scale_mode=
    'cycle'``) or at t (``'iterations'``). The momentum (SGD's ``momentum``, Adam's β₁)
    moves the other way: max_momentum - (max_momentum - base_momentum)·s·scale. As in
    PyTorch, cycle_momentum is on by default, so an SGD built without momentum gets one.

    Args:
        optimizer: the optimizer whose learning rate is scheduled.
        base_lr, max_lr: the bounds of the rate (one number, or one per parameter
            group); base_lr replaces the groups' rates when the schedule starts.
        step_size_up: steps from base_lr to max_lr (default 2000).
        step_size_down: steps back down (default: step_size_up).
        mode: 'triangular' (default), 'triangular2' or 'exp_range'; ignored when
            ``scale_fn`` is given.
        gamma: exp_range's factor per step (default 1.0).
        scale_fn: a function of one number, the scale (instead of ``mode``'s).
        scale_mode: what ``scale_fn`` is given: 'cycle' (default) or 'iterations'.
        cycle_momentum: also cycle the momentum (default True; the optimizer needs a
            ``momentum`` or ``betas`` hyper-parameter).
        base_momentum, max_momentum: the momentum's bounds (defaults 0.8 and 0.9).

    Example:
        >>> import tinynet as tn
        >>> opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = tn.optim.lr_scheduler.CyclicLR(opt, base_lr=0.1, max_lr=0.5,
        ...                                       step_size_up=2, cycle_momentum=False)
        >>> lrs = []
        >>> for batch in range(6):
        ...     lrs.append(round(opt.param_groups[0]["lr"], 6))   # ... one step ...
        ...     opt.step()   # (the batch's optimizer step)
        ...     sched.step()
        >>> lrs
        [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    """

    MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode: str = "triangular", gamma: float = 1.0, scale_fn=None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1):
        where = "CyclicLR"
        groups = check_optimizer(where, optimizer).param_groups
        base_lrs = per_group(where, "base_lr", base_lr, groups)
        if last_epoch == -1:
            for group, lr in zip(groups, base_lrs):
                group["lr"] = lr
        self.max_lrs = per_group(where, "max_lr", max_lr, groups)
        up = check_real(where, "step_size_up", step_size_up, 0.0, low_open=True)
        down = up if step_size_down is None else \
            check_real(where, "step_size_down", step_size_down, 0.0)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None:
            check_choice(where, "mode", mode, self.MODES, also="a scale_fn")
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        elif not callable(scale_fn):
            raise TypeError(f"{where}: scale_fn must be a function of one number, got "
                            f"{scale_fn!r}")
        self.mode, self.gamma = mode, check_real(where, "gamma", gamma)
        self.scale_mode = check_choice(where, "scale_mode", scale_mode, ("cycle", "iterations"))
        self._scale_fn_custom = scale_fn
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _start_momentum_cycle(
                where, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs  # (after the constructor's step, as PyTorch)

    def scale_fn(self, x: float) -> float:
        """The height's scale at ``x`` (the cycle, or the step: see ``scale_mode``)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            s = x / self.step_ratio
        else:
            s = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base + (peak - base) * s * self.scale_fn(at)
               for base, peak in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                _set_momentum(group, high - (high - low) * s * self.scale_fn(at),
                              self.use_beta1)
        return lrs

    def state_dict(self) -> dict:
        """The state, as PyTorch keeps it: a ``scale_fn`` that is a plain function (or
        lambda) is left out; one that is a callable object is kept as its attributes."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) \
            else dict(vars(fn))
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if fn is not None and self._scale_fn_custom is not None:
            vars(self._scale_fn_custom).update(fn)
