"""Learning-rate schedules against their closed forms."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import optim
from tinynet.optim.lr_scheduler import CosineAnnealingLR, StepLR


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
