"""SequentialLR and ChainedScheduler: PyTorch's rates epoch by epoch (torch is needed for
those tests), a saved state resumed, and the errors."""
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import optim
from tinynet.optim import lr_scheduler as tn_sched


def _pair(lib, module):
    """Two parameter groups at lr 0.1 and 0.5, with momentum, in ``lib``."""
    groups = [{"params": [lib.zeros(1, requires_grad=True)]},
              {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.5}]
    return module.SGD(groups, lr=0.1, momentum=0.9)


# name -> function of (the scheduler module, optimizer) making the combination; the same
# code builds tinynet's and PyTorch's
COMBINATIONS = {
    "linear warm-up, then cosine": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=20)],
        milestones=[5]),
    "constant, then exponential": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.1, total_iters=20), S.ExponentialLR(o, gamma=0.9)],
        milestones=[6]),
    "three: exponential, step, multistep": lambda S, o: S.SequentialLR(
        o, [S.ExponentialLR(o, gamma=0.8), S.StepLR(o, step_size=3, gamma=0.5),
            S.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.3)], milestones=[4, 11]),
    "a lambda schedule second (no closed form)": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.5, total_iters=3),
            S.LambdaLR(o, lambda epoch: 0.95 ** epoch)], milestones=[3]),
    "multiplicative second": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=2),
            S.MultiplicativeLR(o, lambda epoch: 0.9)], milestones=[4]),
    "linear decay at a milestone of 0": lambda S, o: S.SequentialLR(
        o, [S.StepLR(o, step_size=2), S.LinearLR(o, 1.0, 0.1, total_iters=9)],
        milestones=[0]),
    "chained: constant and exponential": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.9)]),
    "chained: warm-up, step and cosine": lambda S, o: S.ChainedScheduler(
        [S.LinearLR(o, start_factor=0.2, total_iters=4), S.StepLR(o, step_size=5, gamma=0.5),
         S.CosineAnnealingLR(o, T_max=12, eta_min=0.001)], optimizer=o),
}


def _rates(scheduler, epochs: int) -> list:
    rates = []
    for _ in range(epochs):
        rates.append(scheduler.get_last_lr())
        scheduler.optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_combined_schedules_equal_pytorchs(name, schedules=COMBINATIONS):
    torch = pytest.importorskip("torch")
    make = schedules[name]
    ours = _rates(make(tn_sched, _pair(tn, optim)), 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's own deprecations
        theirs = _rates(make(torch.optim.lr_scheduler, _pair(torch, torch.optim)), 30)
    np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_a_combined_schedule_resumes_from_its_state_dict(name):
    make = COMBINATIONS[name]
    straight = _rates(make(tn_sched, _pair(tn, optim)), 24)
    first = make(tn_sched, _pair(tn, optim))
    _rates(first, 10)
    saved, groups = first.state_dict(), first.optimizer.state_dict()
    optimizer = _pair(tn, optim)
    resumed = make(tn_sched, optimizer)  # built afresh, then loaded, as from a checkpoint
    optimizer.load_state_dict(groups)
    resumed.load_state_dict(saved)
    assert _rates(resumed, 14) == straight[10:]


def test_sequential_lr_example_warms_up_then_decays():
    o = _pair(tn, optim)
    S = tn_sched
    sched = S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=3),
                              S.ExponentialLR(o, gamma=0.5)], milestones=[3])
    assert [r[0] for r in _rates(sched, 6)] == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.05,
                                                              0.025])


@pytest.mark.parametrize("build, error, message", [
    (lambda S, o: S.SequentialLR(o, [], milestones=[]), ValueError,
     "schedulers must hold at least one scheduler, got none"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]),
     ValueError, r"milestones must hold one epoch fewer than schedulers \(1\), got 0"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2), S.ReduceLROnPlateau(o)], milestones=[3]),
     ValueError, r"schedulers\[1\] is a ReduceLROnPlateau"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(_pair(tn, optim), 3)],
                                 milestones=[3]),
     ValueError, r"every scheduler must schedule the same optimizer; schedulers\[1\]"),
    (lambda S, o: S.ChainedScheduler([S.StepLR(o, 2), "cosine"]), TypeError,
     r"schedulers\[1\] must be a learning-rate scheduler, got str"),
    (lambda S, o: S.ChainedScheduler([]), ValueError, "at least one scheduler"),
])
def test_combination_errors(build, error, message):
    with pytest.raises(error, match=message):
        build(tn_sched, _pair(tn, optim))


def test_fit_steps_a_sequential_schedule_once_per_epoch():
    model = tn.nn.Linear(2, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    S = tn_sched
    schedule = S.SequentialLR(opt, [S.ConstantLR(opt, factor=0.5, total_iters=2),
                                    S.ExponentialLR(opt, gamma=0.5)], milestones=[2])
    assert isinstance(schedule, S.LRScheduler)  # as PyTorch's
    X = tn.randn(16, 2).numpy()
    history = tn.fit(model, X, (X[:, 0] > 0).astype(int), optimizer=opt, scheduler=schedule,
                     epochs=4, batch_size=8, monitor=False, progress=False)
    assert [r["lr"] for r in history.records] == pytest.approx([0.05, 0.05, 0.1, 0.05])


# ---- the schedules these combine most often with: restarts and polynomial decay -----
SINGLE = {
    "warm restarts, T_mult 2": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                          eta_min=0.001),
    "warm restarts, T_mult 1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=4),
    "polynomial, power 2": lambda S, o: S.PolynomialLR(o, total_iters=12, power=2.0),
    "polynomial, linear": lambda S, o: S.PolynomialLR(o),
    "warm-up, then polynomial": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.2, total_iters=4), S.PolynomialLR(o, 10, 0.5)],
        milestones=[4]),
}


@pytest.mark.parametrize("name", list(SINGLE))
def test_restarts_and_polynomial_decay_equal_pytorchs(name):
    test_combined_schedules_equal_pytorchs(name, SINGLE)


def test_warm_restarts_step_with_fractional_epochs_as_pytorch():
    torch = pytest.importorskip("torch")
    schedules = []
    for S, o in ((tn_sched, _pair(tn, optim)),
                 (torch.optim.lr_scheduler, _pair(torch, torch.optim))):
        sched = S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3, eta_min=0.01)
        rates = []
        for epoch in range(12):
            for i in range(4):  # four batches an epoch
                o.step()
                sched.step(epoch + i / 4)
                rates.append(sched.get_last_lr())
        schedules.append(rates)
    np.testing.assert_allclose(np.array(schedules[0]), np.array(schedules[1]), rtol=1e-13)


def test_warm_restarts_closed_form_and_argument_errors():
    o = _pair(tn, optim)
    sched = tn_sched.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=1, eta_min=0.02)
    for t, rate in enumerate(r[0] for r in _rates(sched, 12)):
        assert rate == pytest.approx(0.02 + (0.1 - 0.02) * (1 + np.cos(np.pi * (t % 4) / 4)) / 2)
    for kwargs, message in [({"T_0": 0}, "T_0 must be an integer >= 1, got 0"),
                            ({"T_0": 2, "T_mult": 1.5}, "T_mult must be an integer")]:
        with pytest.raises((ValueError, TypeError), match=message):
            tn_sched.CosineAnnealingWarmRestarts(_pair(tn, optim), **kwargs)
    with pytest.raises(ValueError, match="step: epoch must be a finite number >= 0, got -1"):
        sched.step(-1)
    with pytest.raises(ValueError, match="total_iters must be an integer >= 1, got 0"):
        tn_sched.PolynomialLR(_pair(tn, optim), total_iters=0)


RESUMED_OR_NESTED = {
    "cosine resumed at epoch 4": lambda S, o: S.CosineAnnealingLR(o, T_max=10, last_epoch=4),
    "a chain first in a sequence": lambda S, o: S.SequentialLR(
        o, [S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=3),
                                S.CosineAnnealingLR(o, T_max=8)]),
            S.ExponentialLR(o, gamma=0.8)], milestones=[6]),
    "a sequence first in a sequence": lambda S, o: S.SequentialLR(
        o, [S.SequentialLR(o, [S.CosineAnnealingLR(o, T_max=5), S.ExponentialLR(o, 0.9)],
                           milestones=[3]),
            S.LinearLR(o, start_factor=0.3, total_iters=4)], milestones=[7]),
}


@pytest.mark.parametrize("name", list(RESUMED_OR_NESTED))
def test_resumed_and_nested_schedules_equal_pytorchs(name):
    torch = pytest.importorskip("torch")
    make = RESUMED_OR_NESTED[name]
    rates = []
    for S, lib, module in ((tn_sched, tn, optim),
                           (torch.optim.lr_scheduler, torch, torch.optim)):
        o = _pair(lib, module)
        for group, (initial, now) in zip(o.param_groups, [(0.1, 0.03), (0.5, 0.2)]):
            group["initial_lr"], group["lr"] = initial, now  # as after loading a checkpoint
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            rates.append(_rates(make(S, o), 20))
    np.testing.assert_allclose(np.array(rates[0]), np.array(rates[1]), rtol=1e-13, atol=1e-16)


def test_a_combination_after_the_first_is_refused():
    o = _pair(tn, optim)
    S = tn_sched
    chain = S.ChainedScheduler([S.ExponentialLR(o, 0.9)])
    with pytest.raises(ValueError, match=r"only schedulers\[0\] may be a combination, got a "
                                         r"ChainedScheduler at schedulers\[1\]"):
        S.SequentialLR(o, [S.StepLR(o, 2), chain], milestones=[3])


def test_a_combination_stepped_before_the_optimizer_warns_once_as_itself():
    opt = optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
    chained = tn_sched.ChainedScheduler([tn_sched.LinearLR(opt, 0.5, total_iters=2),
                                         tn_sched.ExponentialLR(opt, 0.9)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chained.step()
        chained.step()
    assert [str(w.message).split(":")[0] for w in caught] == ["ChainedScheduler.step"]
    assert caught[0].filename == __file__  # it points at the caller's line
