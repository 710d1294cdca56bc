"""Learning-rate schedules against their closed forms (PyTorch parity:
test_against_torch_nn.py)."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import optim
from tinynet.optim.lr_scheduler import (ConstantLR, CosineAnnealingLR, ExponentialLR,
                                        LambdaLR, LinearLR, MultiplicativeLR, MultiStepLR,
                                        OneCycleLR, ReduceLROnPlateau, StepLR)


def _optimizer(lr=0.1, groups=1):
    params = [{"params": [tn.zeros(1, requires_grad=True)], "lr": lr * (i + 1)}
              for i in range(groups)]
    return optim.SGD(params, lr=lr, momentum=0.9)


def _lrs(scheduler, epochs, group=0):
    """The learning rate in force during each of ``epochs`` epochs."""
    lrs = []
    for _ in range(epochs):
        lrs.append(scheduler.optimizer.param_groups[group]["lr"])
        scheduler.optimizer.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize("step_size, gamma", [(3, 0.5), (1, 0.9), (10, 0.1)])
def test_step_lr_follows_its_closed_form(step_size, gamma):
    scheduler = StepLR(_optimizer(0.1), step_size=step_size, gamma=gamma)
    expected = [0.1 * gamma ** (epoch // step_size) for epoch in range(30)]
    np.testing.assert_allclose(_lrs(scheduler, 30), expected, rtol=1e-12)


def test_step_lr_default_gamma_and_get_last_lr():
    scheduler = StepLR(_optimizer(1.0), step_size=2)
    assert scheduler.get_last_lr() == [1.0]
    for _ in range(4):
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.01], rel=1e-12)  # 1.0 · 0.1²


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (10, 1e-3), (7, 0.02)])
def test_cosine_annealing_follows_its_closed_form_past_t_max(T_max, eta_min):
    scheduler = CosineAnnealingLR(_optimizer(0.1), T_max=T_max, eta_min=eta_min)
    # lr_t = η_min + (base - η_min)·(1 + cos(π t / T_max))/2 for every t: after T_max
    # the rate climbs back up along the same cosine
    expected = [eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
                for t in range(30)]
    np.testing.assert_allclose(_lrs(scheduler, 30), expected, rtol=1e-10, atol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max():
    scheduler = CosineAnnealingLR(_optimizer(0.1), T_max=5, eta_min=0.01)
    for _ in range(5):
        scheduler.step()
    assert scheduler.get_last_lr()[0] == pytest.approx(0.01, abs=1e-15)


def test_each_parameter_group_is_scheduled_from_its_own_base_lr():
    scheduler = StepLR(_optimizer(0.1, groups=2), step_size=2, gamma=0.5)
    assert scheduler.base_lrs == [0.1, 0.2]
    for _ in range(4):
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.025, 0.05], rel=1e-12)


def test_the_scheduled_lr_is_the_one_the_optimizer_uses():
    w = tn.tensor([0.0], dtype=tn.float64, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):  # lr 1, 0.5, 0.25 on a constant gradient of 1
        opt.zero_grad()
        w.sum().backward()
        opt.step()
        scheduler.step()
    assert w.item() == pytest.approx(-1.75, rel=1e-15)


def test_scheduler_state_dict_round_trip_resumes_the_sequence():
    scheduler = CosineAnnealingLR(_optimizer(0.1), T_max=8, eta_min=0.001)
    _lrs(scheduler, 5)
    state = scheduler.state_dict()
    assert state["last_epoch"] == 5 and "optimizer" not in state
    uninterrupted = _lrs(scheduler, 10)

    opt = _optimizer(0.1)
    opt.param_groups[0]["lr"] = state["_last_lr"][0]  # as an optimizer.load_state_dict would
    resumed = CosineAnnealingLR(opt, T_max=8, eta_min=0.001)
    resumed.load_state_dict(state)
    np.testing.assert_allclose(_lrs(resumed, 10), uninterrupted, rtol=1e-12)


def test_resuming_needs_initial_lr_in_the_groups():
    with pytest.raises(KeyError, match=r"'initial_lr'.*param_groups\[0\]"):
        StepLR(_optimizer(0.1), step_size=2, last_epoch=3)


# ---- LinearLR ----------------------------------------------------------------------------------
@pytest.mark.parametrize("start, end, total", [(1 / 3, 1.0, 5), (0.1, 0.5, 4), (1.0, 0.0, 10)])
def test_linear_lr_follows_its_closed_form(start, end, total):
    scheduler = LinearLR(_optimizer(0.1), start_factor=start, end_factor=end, total_iters=total)
    expected = [0.1 * (start + (end - start) * min(t, total) / total) for t in range(20)]
    np.testing.assert_allclose(_lrs(scheduler, 20), expected, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("kwargs, message", [
    ({"start_factor": 0.0}, r"start_factor must be a finite number in \(0, 1\], got 0.0"),
    ({"end_factor": 1.5}, r"end_factor must be a finite number in \[0, 1\], got 1.5"),
    ({"total_iters": -1}, "total_iters must be an integer >= 0, got -1"),
])
def test_linear_lr_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"LinearLR: {message}"):
        LinearLR(_optimizer(), **kwargs)


# ---- schedules by factors ---------------------------------------------------------------------
def test_multistep_lr_follows_its_closed_form_with_a_repeated_milestone():
    # gamma^(milestones reached so far); 7 is listed twice: two decays at once
    scheduler = MultiStepLR(_optimizer(0.1), milestones=[12, 3, 7, 7], gamma=0.5)
    reached = [sum(m <= t for m in [3, 7, 7, 12]) for t in range(20)]
    expected = [0.1 * 0.5 ** k for k in reached]
    np.testing.assert_allclose(_lrs(scheduler, 20), expected, rtol=1e-12)


@pytest.mark.parametrize("gamma", [0.9, 1.1])
def test_exponential_lr_follows_its_closed_form(gamma):
    scheduler = ExponentialLR(_optimizer(0.1, groups=2), gamma=gamma)
    np.testing.assert_allclose(_lrs(scheduler, 25, group=1), [0.2 * gamma ** t for t in range(25)],
                               rtol=1e-12)


@pytest.mark.parametrize("factor, total", [(1 / 3, 5), (0.5, 1), (1.0, 3)])
def test_constant_lr_is_a_step_up_after_total_iters(factor, total):
    scheduler = ConstantLR(_optimizer(0.1), factor=factor, total_iters=total)
    expected = [0.1 * (factor if t < total else 1.0) for t in range(20)]
    np.testing.assert_allclose(_lrs(scheduler, 20), expected, rtol=1e-12)


def test_lambda_lr_is_base_lr_times_the_function_per_group():
    scheduler = LambdaLR(_optimizer(0.1, groups=2), [lambda t: 1 / (t + 1), lambda t: t % 3])
    np.testing.assert_allclose(_lrs(scheduler, 20), [0.1 / (t + 1) for t in range(20)],
                               rtol=1e-12)
    assert scheduler.get_last_lr()[1] == pytest.approx(0.2 * (20 % 3))


def test_multiplicative_lr_multiplies_from_the_first_step():
    # lr_t = base · Π_{k=1..t} f(k)
    scheduler = MultiplicativeLR(_optimizer(0.1), lambda k: 1 + 0.1 * (-1) ** k)
    expected = [0.1 * math.prod(1 + 0.1 * (-1) ** k for k in range(1, t + 1)) for t in range(20)]
    np.testing.assert_allclose(_lrs(scheduler, 20), expected, rtol=1e-12)


class _Every:
    """A callable object as lr_lambda: its attribute is saved with the scheduler."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


FACTOR_SCHEDULES = {
    "multistep": lambda o: MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "exponential": lambda o: ExponentialLR(o, gamma=0.8),
    "constant": lambda o: ConstantLR(o, factor=0.2, total_iters=7),
    "lambda": lambda o: LambdaLR(o, lambda t: 0.9 ** t),
    "lambda-object": lambda o: LambdaLR(o, _Every(3)),
    "multiplicative": lambda o: MultiplicativeLR(o, lambda t: 0.7 if t % 2 else 1.2),
}


@pytest.mark.parametrize("name", list(FACTOR_SCHEDULES))
def test_schedules_by_factors_resume_from_a_saved_state_dict(name, tmp_path):
    """state_dict holds numbers only (functions left out), goes through tn.save and
    tn.load, and a new scheduler that loads it continues the sequence."""
    make = FACTOR_SCHEDULES[name]
    scheduler = make(_optimizer(0.1))
    _lrs(scheduler, 4)
    tn.save(scheduler.state_dict(), tmp_path / "scheduler.npz")
    uninterrupted = _lrs(scheduler, 12)

    opt = _optimizer(0.1)
    resumed = make(opt)
    if name == "lambda-object":
        resumed.lr_lambdas[0].every = 100  # the saved attribute comes back
    resumed.load_state_dict(tn.load(tmp_path / "scheduler.npz"))
    opt.param_groups[0]["lr"] = resumed.get_last_lr()[0]  # as optimizer.load_state_dict would
    assert resumed.last_epoch == 4
    np.testing.assert_allclose(_lrs(resumed, 12), uninterrupted, rtol=1e-12)


def test_a_lambda_schedules_state_dict_leaves_functions_out():
    scheduler = LambdaLR(_optimizer(0.1, groups=2), [lambda t: 1.0, _Every(4)])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"every": 4}] and "optimizer" not in state
    assert scheduler.state_dict()["lr_lambdas"][1] is not vars(scheduler.lr_lambdas[1])


@pytest.mark.parametrize("make, error, message", [
    (lambda o: MultiStepLR(o, milestones=5), TypeError,
     "MultiStepLR: milestones must be a list of epochs, got 5"),
    (lambda o: MultiStepLR(o, milestones=[3, 2.5]), TypeError,
     r"MultiStepLR: milestones\[1\] must be an integer >= 0, got 2.5"),
    (lambda o: MultiStepLR(o, milestones=[-1]), ValueError,
     r"milestones\[0\] must be an integer >= 0, got -1"),
    (lambda o: MultiStepLR(o, [2], gamma=-0.1), ValueError,
     "MultiStepLR: gamma must be a finite number >= 0, got -0.1"),
    (lambda o: ExponentialLR(o, gamma=float("nan")), ValueError,
     "ExponentialLR: gamma must be a finite number >= 0, got nan"),
    (lambda o: ConstantLR(o, factor=0.0), ValueError,
     r"ConstantLR: factor must be a finite number in \(0, 1\], got 0.0"),
    (lambda o: ConstantLR(o, total_iters=-2), ValueError,
     "ConstantLR: total_iters must be an integer >= 0, got -2"),
    (lambda o: LambdaLR(o, 0.5), TypeError,
     r"LambdaLR: lr_lambda must be a function of the epoch \(or a list of them, one per "
     r"group\), got 0.5"),
    (lambda o: MultiplicativeLR(o, [abs, abs]), ValueError,
     r"MultiplicativeLR: lr_lambda must have one function per parameter group \(1\), got 2"),
])
def test_schedules_by_factors_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizer())


# ---- OneCycleLR --------------------------------------------------------------------------------
def _cos(start, end, pct):
    return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2


def _one_cycle(n, max_lr, pct_start=0.3, anneal=_cos, div=25.0, final_div=1e4):
    """(lr, momentum) of each step, from the closed form of the two phases."""
    initial, peak_step = max_lr / div, pct_start * n - 1
    rows = []
    for t in range(n):
        if t <= peak_step:
            pct = t / peak_step
            rows.append((anneal(initial, max_lr, pct), anneal(0.95, 0.85, pct)))
        else:
            pct = (t - peak_step) / (n - 1 - peak_step)
            rows.append((anneal(max_lr, initial / final_div, pct), anneal(0.85, 0.95, pct)))
    return rows


@pytest.mark.parametrize("strategy, anneal", [("cos", _cos),
                                              ("linear", lambda a, b, p: a + (b - a) * p)])
def test_one_cycle_follows_its_closed_form_with_the_momentum_opposite(strategy, anneal):
    opt = optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1, momentum=0.5)
    scheduler = OneCycleLR(opt, max_lr=2.0, total_steps=40, anneal_strategy=strategy)
    seen = []
    for _ in range(40):
        seen.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(seen, _one_cycle(40, 2.0, anneal=anneal), rtol=1e-12)
    assert seen[11][0] == pytest.approx(2.0) and seen[11][1] == pytest.approx(0.85)  # the peak
    assert seen[-1][0] == pytest.approx(2.0 / 25 / 1e4)


def test_one_cycle_cycles_adams_beta1_and_counts_epochs_times_steps():
    w = tn.zeros(1, requires_grad=True)
    opt = optim.Adam([w], lr=0.1, betas=(0.9, 0.99))
    scheduler = OneCycleLR(opt, max_lr=0.01, epochs=3, steps_per_epoch=10)
    assert scheduler.total_steps == 30 and opt.param_groups[0]["betas"] == (0.95, 0.99)
    for _ in range(8):
        scheduler.step()
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.85)  # at the peak, step 8
    assert opt.param_groups[0]["betas"][1] == 0.99


def test_one_cycle_three_phases_and_per_group_peaks():
    opt = _optimizer(0.1, groups=2)
    scheduler = OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=20, three_phase=True,
                           cycle_momentum=False)
    lrs = []
    for _ in range(20):
        lrs.append(opt.param_groups[1]["lr"])
        scheduler.step()
    # up to the peak at step 5, back to the start at 10, then down to the minimum
    assert np.argmax(lrs) == 5 and lrs[5] == pytest.approx(2.0)
    assert lrs[10] == pytest.approx(2.0 / 25) and lrs[19] == pytest.approx(2.0 / 25 / 1e4)
    assert opt.param_groups[0]["max_lr"] == 1.0


def test_one_cycle_refuses_a_step_past_the_end():
    scheduler = OneCycleLR(_optimizer(), max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="at most total_steps=3, got 4"):
        scheduler.step()


@pytest.mark.parametrize("kwargs, error, message", [
    ({}, ValueError, "total_steps, or epochs and steps_per_epoch, must be given"),
    ({"total_steps": 0}, ValueError, "total_steps must be an integer >= 1, got 0"),
    ({"total_steps": 10, "pct_start": 1.5}, ValueError, r"pct_start must be .* \[0, 1\]"),
    ({"total_steps": 10, "anneal_strategy": "exp"}, ValueError, "'cos', 'linear', got 'exp'"),
    ({"total_steps": 10, "max_lr": [1.0, 2.0]}, ValueError,
     r"max_lr must have one value per parameter group \(1\), got 2"),
])
def test_one_cycle_argument_errors(kwargs, error, message):
    kwargs.setdefault("max_lr", 1.0)
    with pytest.raises(error, match=message):
        OneCycleLR(_optimizer(), **kwargs)


def test_one_cycle_needs_a_momentum_to_cycle():
    class Plain(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimizer with a "
                                         "momentum or betas hyper-parameter, got Plain"):
        OneCycleLR(Plain([tn.zeros(1, requires_grad=True)]), max_lr=1.0, total_steps=5)


# ---- ReduceLROnPlateau -------------------------------------------------------------------------
def _plateau(metrics, **kwargs):
    opt = _optimizer(1.0)
    scheduler = ReduceLROnPlateau(opt, **kwargs)
    lrs = []
    for metric in metrics:
        scheduler.step(metric)
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def test_plateau_reduces_after_patience_bad_steps():
    # best 1.0 at step 1; steps 2, 3 are bad (patience 2 tolerates them), step 4 reduces
    lrs = _plateau([1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6], patience=2)
    assert lrs == pytest.approx([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.01])


def test_plateau_threshold_cooldown_and_min_lr():
    # 9.5 is not 10% better than 10 (a bad step), but it is better by more than 0.1
    assert _plateau([10.0, 9.5], patience=0, threshold=0.1) == pytest.approx([1.0, 0.1])
    assert _plateau([10.0, 9.5], patience=0, threshold=0.1, threshold_mode="abs") == \
        pytest.approx([1.0, 1.0])
    # after a reduction, cooldown=2 skips two steps before counting again
    assert _plateau([1.0] * 6, patience=0, cooldown=2) == pytest.approx(
        [1.0, 0.1, 0.1, 0.1, 0.01, 0.01])
    assert _plateau([1.0] * 6, patience=0, factor=0.5, min_lr=0.3) == pytest.approx(
        [1.0, 0.5, 0.3, 0.3, 0.3, 0.3])


def test_plateau_mode_max_and_a_tensor_metric():
    lrs = _plateau([tn.tensor(0.5), tn.tensor(0.9), tn.tensor(0.8)], mode="max", patience=0)
    assert lrs == pytest.approx([1.0, 1.0, 0.1])


def test_plateau_state_dict_round_trip():
    opt = _optimizer(1.0)
    scheduler = ReduceLROnPlateau(opt, patience=1)
    for metric in [1.0, 2.0]:
        scheduler.step(metric)
    state = scheduler.state_dict()
    assert state["best"] == 1.0 and state["num_bad_epochs"] == 1 and "optimizer" not in state
    resumed = ReduceLROnPlateau(_optimizer(1.0), patience=1)
    resumed.load_state_dict(state)
    resumed.step(2.0)
    assert resumed.get_last_lr() == pytest.approx([0.1])


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.0}, r"factor must be a finite number < 1, got 1.0"),
    ({"mode": "low"}, "mode must be one of 'min', 'max', got 'low'"),
    ({"threshold_mode": "pct"}, "threshold_mode must be one of"),
    ({"patience": -1}, "patience must be an integer >= 0"),
    ({"min_lr": [0.0, 0.0]}, r"min_lr must have one value per parameter group \(1\), got 2"),
])
def test_plateau_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"ReduceLROnPlateau: {message}"):
        ReduceLROnPlateau(_optimizer(), **kwargs)


def _with_new_group(scheduler_of):
    """An optimizer of one group, its scheduler, then a second group added."""
    opt = optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = scheduler_of(opt)
    opt.add_param_group({"params": [tn.zeros(1, requires_grad=True)], "lr": 1.0})
    return opt, scheduler


def test_plateau_reduces_a_group_added_later_with_its_single_min_lr():
    opt, plateau = _with_new_group(lambda o: ReduceLROnPlateau(o, patience=0))
    for metric in (1.0, 2.0, 3.0):
        plateau.step(metric)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.01, 0.01])
    opt, plateau = _with_new_group(lambda o: ReduceLROnPlateau(o, patience=0, min_lr=[0.0]))
    plateau.step(1.0)
    with pytest.raises(RuntimeError, match="ReduceLROnPlateau.step: the optimizer has 2 "
                                           "parameter groups and min_lr was given for 1"):
        plateau.step(2.0)


@pytest.mark.parametrize("make", [
    lambda o: LambdaLR(o, lambda e: 0.5 ** e),
    lambda o: optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.5),
    lambda o: optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3),
    lambda o: optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=2),
])
def test_a_schedule_of_fewer_groups_than_the_optimizer_has_says_so(make):
    # PyTorch fails there too (zip(..., strict=True)); the added group was left unscheduled
    opt, scheduler = _with_new_group(make)
    with pytest.raises(ValueError, match=r"step: the optimizer has 2 parameter groups and the "
                                         r"schedule was made for 1 \(a group added after"):
        scheduler.step()


def test_step_lr_schedules_a_group_added_later_as_pytorch():
    opt, scheduler = _with_new_group(lambda o: StepLR(o, step_size=1, gamma=0.5))
    scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.5]  # from each group's own lr


def test_warm_restarts_resumed_past_a_cycle_start_where_pytorch_does():
    opt = optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
    opt.param_groups[0]["initial_lr"] = 1.0
    restarts = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, last_epoch=6)
    assert restarts.T_cur == 1 and opt.param_groups[0]["lr"] == pytest.approx(0.75)


def test_integral_floats_count_as_epochs():
    for kind, ints, floats in [
        (MultiStepLR, {"milestones": [5, 7]}, {"milestones": [10 * 0.5, 7.0]}),
        (ConstantLR, {"total_iters": 4}, {"total_iters": 4.0}),
        (LinearLR, {"total_iters": 4}, {"total_iters": 4.0}),
        (optim.lr_scheduler.PolynomialLR, {"total_iters": 4}, {"total_iters": 4.0}),
    ]:
        assert _lrs(kind(_optimizer(), **floats), 9) == _lrs(kind(_optimizer(), **ints), 9)
    assert ReduceLROnPlateau(_optimizer(), patience=2.0, cooldown=1.0).patience == 2
    with pytest.raises(TypeError, match="MultiStepLR: milestones\\[0\\] must be an integer"):
        MultiStepLR(_optimizer(), [2.5])


def test_plateau_step_takes_pytorchs_deprecated_epoch():
    plateau = ReduceLROnPlateau(_optimizer())
    with pytest.warns(UserWarning, match="the epoch argument is deprecated"):
        plateau.step(1.0, 7)
    assert plateau.last_epoch == 7
    plateau.step(1.0)
    assert plateau.last_epoch == 8


def test_these_edges_against_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        w = lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([w], lr=1.0, momentum=0.9)
        opt.param_groups[0]["initial_lr"] = 1.0
        restarts = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2,
                                                                       last_epoch=6)
        lrs = []
        for _ in range(12):
            opt.step()
            restarts.step()
            lrs.append(opt.param_groups[0]["lr"])
        opt2 = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        plateau = lib.optim.lr_scheduler.ReduceLROnPlateau(opt2, patience=0)
        opt2.add_param_group({"params": [lib.zeros(1, requires_grad=True)], "lr": 1.0})
        for metric in (1.0, 2.0, 3.0, 4.0):
            plateau.step(metric)
        results.append((lrs, [g["lr"] for g in opt2.param_groups]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_a_scheduler_stepped_before_the_optimizer_warns_as_pytorchs():
    import warnings
    torch_module = None
    try:
        import torch as torch_module
    except ImportError:
        pass
    for lib in (tn, torch_module) if torch_module is not None else (tn,):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=1)
        with pytest.warns(UserWarning, match="before `?optimizer.step\\(\\)`?"):
            scheduler.step()
        opt2 = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        scheduler2 = lib.optim.lr_scheduler.StepLR(opt2, step_size=1)
        opt2.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler2.step()  # the right order: no warning


def test_step_epoch_takes_any_number_as_pytorch_does():
    from tinynet.optim.lr_scheduler import CyclicLR, StepLR
    opt = _optimizer(0.1)
    scheduler = StepLR(opt, 3, 0.5)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(6.0)
    assert scheduler.get_last_lr() == [0.1 * 0.5 ** 2] and scheduler.last_epoch == 6.0
    cyclic = CyclicLR(_optimizer(0.1), 0.01, 0.1, step_size_up=4, cycle_momentum=False)
    with pytest.warns(UserWarning, match="deprecated"):
        cyclic.step(1.5)  # a triangle: 0.01 + (0.1 - 0.01)·1.5/4
    assert cyclic.get_last_lr() == [pytest.approx(0.01 + 0.09 * 1.5 / 4, rel=1e-12)]
    plateau = ReduceLROnPlateau(_optimizer())
    with pytest.warns(UserWarning, match="deprecated"):
        plateau.step(1.0, epoch=3.0)
    assert plateau.last_epoch == 3.0
    with pytest.raises(TypeError, match=r"StepLR.step: epoch must be a number, got '6'"):
        scheduler.step("6")


def test_a_schedule_of_the_users_closed_form_serves_step_epoch_and_milestones():
    class Halving(optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            factor = 1.0 if self.last_epoch == 0 else 0.5
            return [group["lr"] * factor for group in self.optimizer.param_groups]

        def _get_closed_form_lr(self):  # PyTorch's name for it
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

    opt = _optimizer(1.0)
    scheduler = Halving(opt)
    opt.step()
    scheduler.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(5)
    assert scheduler.get_last_lr() == [0.5 ** 5]
    opt = _optimizer(1.0)
    sequential = optim.lr_scheduler.SequentialLR(
        opt, [ConstantLR(opt, 0.1, total_iters=5), Halving(opt)], [3])
    assert _lrs(sequential, 4)[-1] == 1.0  # the milestone restarts at epoch 0: 0.5⁰


def test_swalr_after_a_milestone_counts_its_steps_from_there():
    # PyTorch's numbers: the milestone is not a step of SWALR's annealing
    opt = _optimizer(0.1)
    sequential = optim.lr_scheduler.SequentialLR(
        opt, [optim.lr_scheduler.LinearLR(opt, 0.5, total_iters=3),
              optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=3)], milestones=[3])
    got = []
    for _ in range(6):
        opt.step()
        sequential.step()
        got.append(sequential.get_last_lr()[0])
    np.testing.assert_allclose(got, [0.1 * 2 / 3, 0.1 * 5 / 6, 0.1 * 5 / 6, 0.065, 0.085 / 3,
                                     0.01], rtol=1e-12)


def test_loading_an_optimizer_state_replaces_its_groups_keys_as_pytorch():
    saved = optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.1).state_dict()
    opt = optim.SGD([tn.zeros(1, requires_grad=True)], lr=0.5)
    StepLR(opt, 2)
    opt.load_state_dict(saved)
    assert "initial_lr" not in opt.param_groups[0]  # the scheduler's, not in the state
    assert ExponentialLR(opt, 0.9).base_lrs == [0.1]
    assert opt.param_groups[0]["momentum"] == 0.0  # a default is kept


def test_schedules_need_an_optimizer_and_plateau_has_pytorchs_attributes():
    with pytest.raises(TypeError, match=r"StepLR: object is not an Optimizer"):
        StepLR(object(), 2)
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau: list is not an Optimizer"):
        ReduceLROnPlateau([1])
    plateau = ReduceLROnPlateau(_optimizer(), patience=0, cooldown=2)
    assert plateau.mode_worse == math.inf and not plateau.in_cooldown
    plateau.step(1.0)
    plateau.step(2.0)  # a reduction, then two steps of cooldown
    assert plateau.in_cooldown
    assert ReduceLROnPlateau(_optimizer(), mode="max").mode_worse == -math.inf
