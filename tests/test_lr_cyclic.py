"""CyclicLR: its closed form, the momentum moving the other way, its state, its errors,
and PyTorch's rates and momentums step by step (OneCycleLR's tests are in
test_lr_scheduler.py and test_against_torch_nn.py)."""
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.optim.lr_scheduler import CyclicLR


def _sgd(lr=0.1, momentum=0.9, groups=1):
    params = [{"params": [tn.zeros(1, requires_grad=True)]} for _ in range(groups)]
    return tn.optim.SGD(params, lr=lr, momentum=momentum)


def _rates(optimizer, scheduler, steps):
    rates, momentums = [], []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        momentums.append(optimizer.param_groups[0].get("momentum"))
        optimizer.step()
        scheduler.step()
    return rates, momentums


# ---- the closed form ---------------------------------------------------------------------
def test_triangular_climbs_and_falls_in_straight_lines():
    opt = _sgd()
    sched = CyclicLR(opt, base_lr=0.1, max_lr=0.4, step_size_up=3, step_size_down=6,
                     cycle_momentum=False)
    rates, _ = _rates(opt, sched, 19)
    up = [0.1 + 0.1 * k for k in range(3)]        # 0.1, 0.2, 0.3 then the peak
    down = [0.4 - 0.05 * k for k in range(6)]     # 0.4 down to 0.15, then base again
    np.testing.assert_allclose(rates, (up + down) * 2 + [0.1], rtol=1e-12)


def test_triangular2_halves_the_height_each_cycle():
    opt = _sgd()
    sched = CyclicLR(opt, base_lr=1.0, max_lr=9.0, step_size_up=2, mode="triangular2",
                     cycle_momentum=False)
    rates, _ = _rates(opt, sched, 13)
    assert rates[2::4] == pytest.approx([9.0, 5.0, 3.0])  # 1 + 8, 1 + 4, 1 + 2
    assert rates[0::4] == pytest.approx([1.0] * 4)


def test_exp_range_scales_the_height_by_gamma_per_step():
    opt = _sgd()
    sched = CyclicLR(opt, base_lr=0.5, max_lr=1.5, step_size_up=4, mode="exp_range",
                     gamma=0.9, cycle_momentum=False)
    rates, _ = _rates(opt, sched, 17)
    for t, lr in enumerate(rates):
        x = t / 8 - math.floor(t / 8)
        s = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1)
        assert lr == pytest.approx(0.5 + 1.0 * s * 0.9 ** t, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(up=st.integers(1, 9), down=st.integers(0, 9), t=st.integers(0, 200),
       base=st.floats(1e-4, 1.0), height=st.floats(1e-4, 1.0))
def test_triangular_stays_between_its_bounds_and_repeats_each_cycle(up, down, t, base,
                                                                    height):
    def rate_at(step):
        opt = _sgd()
        sched = CyclicLR(opt, base_lr=base, max_lr=base + height, step_size_up=up,
                         step_size_down=down, cycle_momentum=False, last_epoch=-1)
        sched.last_epoch = step - 1
        sched.step()
        return opt.param_groups[0]["lr"]

    lr = rate_at(t)
    assert base - 1e-12 <= lr <= base + height + 1e-12
    assert lr == pytest.approx(rate_at(t + up + down), rel=1e-9, abs=1e-12)
    if t % (up + down) == up:  # the top of a cycle
        assert lr == pytest.approx(base + height, rel=1e-12)


def test_custom_scale_fn_by_cycle_and_by_iteration():
    opt = _sgd()
    sched = CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=1, step_size_down=1,
                     scale_fn=lambda c: 1.0 / c, cycle_momentum=False)
    rates, _ = _rates(opt, sched, 6)
    assert rates == pytest.approx([0.0, 1.0, 0.0, 0.5, 0.0, 1 / 3])
    opt = _sgd()
    seen = []
    sched = CyclicLR(opt, base_lr=0.0, max_lr=1.0, step_size_up=1, step_size_down=1,
                     scale_fn=lambda t: seen.append(t) or 1.0, scale_mode="iterations",
                     cycle_momentum=False)
    _rates(opt, sched, 4)
    assert seen == [0, 1, 2, 3, 4]  # the step, from the constructor's on


# ---- the momentum ------------------------------------------------------------------------
def test_momentum_moves_opposite_to_the_rate():
    opt = _sgd(momentum=0.0)  # as PyTorch: cycle_momentum (default) gives SGD a momentum
    sched = CyclicLR(opt, base_lr=0.1, max_lr=0.3, step_size_up=2)
    rates, momentums = _rates(opt, sched, 5)
    assert rates == pytest.approx([0.1, 0.2, 0.3, 0.2, 0.1])
    assert momentums == pytest.approx([0.9, 0.85, 0.8, 0.85, 0.9])
    assert opt.param_groups[0]["max_momentum"] == 0.9
    assert opt.param_groups[0]["base_momentum"] == 0.8


def test_adams_beta1_is_cycled_and_beta2_kept():
    opt = tn.optim.Adam([tn.zeros(1, requires_grad=True)], betas=(0.5, 0.99))
    sched = CyclicLR(opt, base_lr=1e-3, max_lr=1e-2, step_size_up=2, base_momentum=0.7,
                     max_momentum=0.95)
    betas = []
    for _ in range(3):
        betas.append(opt.param_groups[0]["betas"])
        opt.step()
        sched.step()
    assert [b[0] for b in betas] == pytest.approx([0.95, 0.825, 0.7])
    assert {b[1] for b in betas} == {0.99}


def test_per_group_bounds():
    opt = _sgd(groups=2)
    sched = CyclicLR(opt, base_lr=[0.1, 1.0], max_lr=[0.2, 3.0], step_size_up=1,
                     base_momentum=[0.5, 0.6], max_momentum=[0.7, 0.9])
    sched.step()  # the top
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.2, 3.0])
    assert [g["momentum"] for g in opt.param_groups] == pytest.approx([0.5, 0.6])


# ---- state -------------------------------------------------------------------------------
class _Decay:
    """A callable object as scale_fn: its attributes are scheduler state."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, cycle):
        return self.factor ** cycle


def test_state_dict_resumes_the_same_rates(tmp_path):
    opt = _sgd()
    sched = CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=3, scale_fn=_Decay(0.5))
    _rates(opt, sched, 5)
    tn.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.pt")
    expected = _rates(opt, sched, 8)

    saved = tn.load(tmp_path / "ckpt.pt")
    assert saved["sched"]["_scale_fn_custom"] == {"factor": 0.5}
    opt2 = _sgd()
    sched2 = CyclicLR(opt2, base_lr=0.1, max_lr=1.0, step_size_up=3, scale_fn=_Decay(0.9))
    opt2.load_state_dict(saved["opt"])
    sched2.load_state_dict(saved["sched"])
    assert sched2.scale_fn(2) == 0.25  # the saved object's factor
    assert _rates(opt2, sched2, 8) == (pytest.approx(expected[0]), pytest.approx(expected[1]))


def test_a_plain_function_as_scale_fn_is_left_out_of_the_state():
    sched = CyclicLR(_sgd(), base_lr=0.1, max_lr=1.0, scale_fn=lambda c: 1.0)
    state = sched.state_dict()
    assert state["_scale_fn_custom"] is None
    pickle.dumps(state)  # a lambda would not pickle


# ---- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, message", [
    ({"step_size_up": 0}, ValueError, r"CyclicLR: step_size_up must be .*> 0.*got 0"),
    ({"step_size_down": -1}, ValueError, r"CyclicLR: step_size_down must be .*>= 0.*got -1"),
    ({"mode": "triangle"}, ValueError, r"CyclicLR: mode must be one of .*'triangular'.*"
                                        r"got 'triangle'"),
    ({"scale_fn": lambda c: 1.0, "scale_mode": "cycles"}, ValueError,
     r"CyclicLR: scale_mode must be one of 'cycle', 'iterations'.*got 'cycles'"),
    ({"scale_fn": 2.0}, TypeError, r"CyclicLR: scale_fn must be a function.*got 2.0"),
    ({"base_lr": [0.1, 0.2]}, ValueError, r"CyclicLR: base_lr must have one value per "
                                          r"parameter group \(1\), got 2"),
])
def test_errors_name_the_argument_the_rule_and_the_value(kwargs, error, message):
    args = {"base_lr": 0.1, "max_lr": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        CyclicLR(_sgd(), **args)


def test_an_optimizer_without_momentum_needs_cycle_momentum_off():
    opt = tn.optim.Adagrad([tn.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"CyclicLR: cycle_momentum=True needs an optimizer "
                                         r"with a momentum .*got Adagrad"):
        CyclicLR(opt, base_lr=0.1, max_lr=1.0)
    CyclicLR(opt, base_lr=0.1, max_lr=1.0, cycle_momentum=False).step()


# ---- against PyTorch ---------------------------------------------------------------------
CONFIGS = {
    "triangular": dict(base_lr=[0.01, 0.1], max_lr=[0.1, 0.5], step_size_up=4,
                       step_size_down=7),
    "triangular2": dict(base_lr=0.01, max_lr=0.2, step_size_up=3, mode="triangular2"),
    "exp_range": dict(base_lr=0.05, max_lr=0.3, step_size_up=5, mode="exp_range",
                      gamma=0.97, base_momentum=[0.6, 0.7], max_momentum=0.95),
    "fractional steps": dict(base_lr=0.1, max_lr=0.2, step_size_up=2.5, step_size_down=1.5),
    "scale by cycle": dict(base_lr=0.1, max_lr=1.0, step_size_up=2,
                           scale_fn=lambda c: 1 / (1 + c)),
    "scale by step": dict(base_lr=0.1, max_lr=1.0, step_size_up=2,
                          scale_fn=lambda t: 0.99 ** t, scale_mode="iterations"),
    "no momentum": dict(base_lr=0.1, max_lr=0.4, step_size_up=6, cycle_momentum=False),
}


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_rates_and_momentums_equal_pytorchs(name, optimizer):
    torch = pytest.importorskip("torch")

    def make(lib):
        groups = [{"params": [lib.zeros(1, requires_grad=True)]},
                  {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.5}]
        kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
        opt = getattr(lib.optim, optimizer)(groups, lr=0.1, **kwargs)
        return opt, lib.optim.lr_scheduler.CyclicLR(opt, **CONFIGS[name])

    (opt, sched), (torch_opt, torch_sched) = make(tn), make(torch)
    for _ in range(40):
        assert sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-13)
        for group, torch_group in zip(opt.param_groups, torch_opt.param_groups):
            key = "momentum" if optimizer == "SGD" else "betas"
            assert group[key] == pytest.approx(torch_group[key], rel=1e-13)
        opt.step(), torch_opt.step()
        sched.step(), torch_sched.step()
    assert set(sched.state_dict()) <= set(torch_sched.state_dict())


def test_resumed_with_last_epoch_equals_pytorch():
    torch = pytest.importorskip("torch")
    opt, torch_opt = _sgd(), torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1,
                                             momentum=0.9)
    for group in (opt.param_groups[0], torch_opt.param_groups[0]):
        group.update(initial_lr=0.1, max_momentum=0.9, base_momentum=0.8)
    sched = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=3, last_epoch=4)
    torch_sched = torch.optim.lr_scheduler.CyclicLR(torch_opt, base_lr=0.1, max_lr=0.5,
                                                    step_size_up=3, last_epoch=4)
    for _ in range(10):
        assert sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-13)
        assert opt.param_groups[0]["momentum"] == \
            pytest.approx(torch_opt.param_groups[0]["momentum"], rel=1e-13)
        opt.step(), torch_opt.step()
        sched.step(), torch_sched.step()
