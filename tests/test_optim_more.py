"""Adamax, NAdam, RAdam, Adadelta, Rprop and LBFGS: first steps worked by hand (in the
comments), PyTorch's parameters step by step (float64 tightly, float32 loosely), state dicts
and parameter groups as PyTorch's, and argument errors."""
import copy
import io
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import optim

NAMES = ["Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"]
DEFAULT_LR = {"Adamax": 2e-3, "NAdam": 2e-3, "RAdam": 1e-3, "Adadelta": 1.0, "Rprop": 1e-2}
# PyTorch's group keys that tinynet has no use for (one update path, on the CPU)
TORCH_ONLY_KEYS = {"foreach", "capturable", "differentiable"}

# As in tests/test_optim.py: w0 = [1, -2], then the gradients g1 = [0.5, -1] and
# g2 = [-1, 2] (the gradients of Σ w·g), lr = 0.1.
W0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [-1.0, 2.0]


def _param():
    return tn.tensor(W0, dtype=tn.float64, requires_grad=True)


def _step(opt, w, g):
    """Give w the gradient g and take one step."""
    opt.zero_grad()
    (w * tn.tensor(g, dtype=tn.float64)).sum().backward()
    opt.step()
    return w.array.copy()


def _assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-11)


def _whole(message: str) -> str:
    """A pattern for pytest.raises(match=...) that matches exactly ``message``."""
    return "^" + re.escape(message) + "$"


# ---- first steps by hand ----------------------------------------------------------------
def test_adamax_two_steps():
    w = _param()
    opt = optim.Adamax([w], lr=0.1)  # betas (0.9, 0.999), eps 1e-8
    # step 1: m1 = 0.1·g1 = [0.05, -0.1];  u1 = max(0, |g1| + eps) = [0.50000001, 1.00000001]
    #   w1 = w0 - 0.1/(1 - 0.9)·m1/u1 = [1 - 0.05/0.50000001, -2 + 0.1/1.00000001]
    _assert_close(_step(opt, w, G1), [0.900000002, -1.900000001])
    # step 2: m2 = 0.9·m1 + 0.1·g2 = [-0.055, 0.11]
    #   u2 = max(0.999·u1, |g2| + eps) = [1.00000001, 2.00000001]  (the new gradient wins)
    #   w2 = w1 - 0.1/(1 - 0.81)·m2/u2 = w1 + [0.028947368, -0.028947368]
    _assert_close(_step(opt, w, G2), [0.9289473701316, -1.9289473692763])
    assert opt.state[w]["step"] == 2
    _assert_close(opt.state[w]["exp_avg"], [-0.055, 0.11])
    _assert_close(opt.state[w]["exp_inf"], [1.00000001, 2.00000001])


def test_nadam_first_step():
    w = _param()
    opt = optim.NAdam([w], lr=0.1)  # betas (0.9, 0.999), eps 1e-8, momentum_decay 4e-3
    # μ1 = 0.9·(1 - ½·0.96^0.004) = 0.450073474;  μ2 = 0.9·(1 - ½·0.96^0.008) = 0.450146935
    # m1 = 0.1·g1;  v1 = 0.001·g1², so d = √(v1/0.001) + eps = |g1| + eps
    # w1 = w0 - 0.1·(1 - μ1)/(1 - μ1)·g1/d - 0.1·μ2/(1 - μ1·μ2)·0.1·g1/d
    #    = w0 - 0.1·(1 + 0.1·μ2/(1 - μ1·μ2))·g1/d = w0 - 0.105645178·g1/(|g1| + eps)
    _assert_close(_step(opt, w, G1), [0.8943548242774, -1.8943548232209])
    assert opt.state[w]["mu_product"] == pytest.approx(0.450073474, abs=1e-9)


def test_nadam_decoupled_weight_decay_leaves_the_moments_alone():
    w = _param()
    opt = optim.NAdam([w], lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)
    # w ← w0·(1 - 0.1·0.1) = [0.99, -1.98], then the step of the test above (w0 - w1 there)
    _assert_close(_step(opt, w, G1), [0.99 - 0.1056451757226, -1.98 + 0.1056451767791])
    _assert_close(opt.state[w]["exp_avg"], [0.05, -0.1])  # 0.1·g1: no decay in it


def test_radam_takes_momentum_steps_until_step_6_then_rectified_ones():
    # With a constant gradient g and eps = 0, m̂ = g and √(1 - β₂ᵗ)/√v = 1/|g|: step t moves
    # w by lr·g while ρₜ <= 5 (t <= 5 for β₂ = 0.999: ρ₅ = 4.996, ρ₆ = 5.994), then by
    # lr·rₜ·sign(g), rₜ = √((ρₜ - 4)(ρₜ - 2)ρ∞/((ρ∞ - 4)(ρ∞ - 2)ρₜ)), ρ∞ = 2/0.001 - 1 = 1999
    w = _param()
    opt = optim.RAdam([w], lr=0.1, eps=0.0)
    rho_inf = 1999.0
    for t in range(1, 9):
        before = w.array.copy()
        _step(opt, w, G1)
        rho = rho_inf - 2 * t * 0.999 ** t / (1 - 0.999 ** t)
        if t <= 5:
            assert rho <= 5
            expected = 0.1 * np.array(G1)
        else:
            assert rho > 5
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            expected = 0.1 * r * np.sign(G1)
        if t == 6:  # the first rectified step is much shorter than the momentum steps
            assert r == pytest.approx(0.0258211128, rel=1e-8)
        np.testing.assert_allclose(before - w.array, expected, rtol=1e-12)


def test_radam_first_two_steps():
    w = _param()
    opt = optim.RAdam([w], lr=0.1)
    # step 1: ρ₁ = 1999 - 2·0.999/0.001 = 1 <= 5: w1 = w0 - 0.1·m̂1 = w0 - 0.1·g1
    _assert_close(_step(opt, w, G1), [0.95, -1.9])
    # step 2: ρ₂ = 1.9995 <= 5;  m2 = 0.9·0.1·g1 + 0.1·g2 = [-0.055, 0.11]
    #   m̂2 = m2/(1 - 0.81) = [-0.289473684, 0.578947368];  w2 = w1 - 0.1·m̂2
    _assert_close(_step(opt, w, G2), [0.9789473684211, -1.9578947368421])


def test_adadelta_first_step():
    w = _param()
    opt = optim.Adadelta([w])  # lr 1, rho 0.9, eps 1e-6
    # v1 = 0.1·g1² = [0.025, 0.1]
    # Δ1 = √(0 + 1e-6)/√(v1 + 1e-6)·g1 = 1e-3·[0.5/√0.025001, -1/√0.100001]
    #    = [0.0031622144, -0.0031622618];  w1 = w0 - Δ1
    _assert_close(_step(opt, w, G1), [0.9968377855835, -1.9968377381511])
    # u1 = 0.1·Δ1²
    _assert_close(opt.state[w]["acc_delta"], [9.99960001599936e-07, 9.99990000099999e-07])
    _assert_close(opt.state[w]["square_avg"], [0.025, 0.1])


def test_adadelta_lr_and_weight_decay():
    w = _param()
    opt = optim.Adadelta([w], lr=0.5, rho=0.5, eps=1e-2, weight_decay=0.1)
    # g' = g1 + 0.1·w0 = [0.6, -1.2];  v1 = 0.5·g'² = [0.18, 0.72]
    # Δ1 = √0.01/√(v1 + 0.01)·g' = 0.1·[0.6/√0.19, -1.2/√0.73];  w1 = w0 - 0.5·Δ1
    _assert_close(_step(opt, w, G1), [1 - 0.05 * 0.6 / math.sqrt(0.19),
                                      -2 + 0.05 * 1.2 / math.sqrt(0.73)])


def test_rprop_grows_shrinks_and_waits_after_a_sign_flip():
    w = _param()
    opt = optim.Rprop([w], lr=0.1)  # etas (0.5, 1.2)
    # step 1: no previous gradient, s = lr = 0.1:  w1 = w0 - 0.1·sign(g1) = [0.9, -1.9]
    _assert_close(_step(opt, w, G1), [0.9, -1.9])
    # step 2: the same signs: s = 1.2·0.1 = 0.12:  w2 = w1 - 0.12·sign(g1)
    _assert_close(_step(opt, w, G1), [0.78, -1.78])
    # step 3: both signs flip: s = 0.5·0.12 = 0.06, and no step;  g' ← 0
    _assert_close(_step(opt, w, G2), [0.78, -1.78])
    _assert_close(opt.state[w]["prev"], [0.0, 0.0])
    # step 4: g·g' = 0: s stays 0.06:  w4 = w3 - 0.06·sign(g2)
    _assert_close(_step(opt, w, G2), [0.84, -1.84])
    _assert_close(opt.state[w]["step_size"], [0.06, 0.06])
    _assert_close(opt.state[w]["prev"], G2)


def test_rprop_clips_the_step_sizes_from_the_first_step():
    w = _param()
    opt = optim.Rprop([w], lr=0.01, etas=(0.25, 2.0), step_sizes=(0.05, 0.08))
    # step 1: s = clip(0.01, 0.05, 0.08) = 0.05 (as PyTorch: clipped before any step)
    _assert_close(_step(opt, w, G1), [0.95, -1.95])
    # step 2: s = clip(2·0.05, ...) = 0.08;  step 3 (flip): s = clip(0.25·0.08, ...) = 0.05
    _assert_close(_step(opt, w, G1), [0.87, -1.87])
    _assert_close(_step(opt, w, G2), [0.87, -1.87])
    _assert_close(opt.state[w]["step_size"], [0.05, 0.05])


def test_rprop_leaves_an_element_with_a_nan_gradient_alone_as_pytorch():
    """sign(NaN) is 0 in PyTorch: g·g' of NaN neither grows nor shrinks the step size,
    and the element does not move; g' becomes NaN, which the next step treats the same
    way (torch.optim.Rprop gives these numbers)."""
    w = _param()
    opt = optim.Rprop([w], lr=0.1)
    _assert_close(_step(opt, w, G1), [0.9, -1.9])
    _assert_close(_step(opt, w, [np.nan, -1.0]), [0.9, -1.78])  # s = [0.1, 0.12]
    assert np.isnan(opt.state[w]["prev"][0])
    _assert_close(_step(opt, w, G1), [0.8, -1.636])  # s = [0.1 (g' NaN), 0.144]
    _assert_close(opt.state[w]["step_size"], [0.1, 0.144])


def test_rprop_takes_an_infinite_gradient_without_a_warning():
    import warnings

    w = _param()
    opt = optim.Rprop([w], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (inf·0 against the first step's g' of 0)
        _assert_close(_step(opt, w, [np.inf, -1.0]), [0.9, -1.9])


# ---- PyTorch, step by step --------------------------------------------------------------
CONFIGS = {
    "Adamax": [{}, {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1},
               {"lr": 0.02, "eps": 1e-3, "maximize": True}],
    "NAdam": [{}, {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.05},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.02, "betas": (0.5, 0.9), "maximize": True}],
    # 15 steps: ρₜ <= 5 for t <= 5 with either β₂, rectified steps after
    "RAdam": [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "maximize": True}],
    "Adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1},
                 {"rho": 0.99, "maximize": True}],
    "Rprop": [{}, {"lr": 0.3, "etas": (0.3, 1.5), "step_sizes": (0.05, 0.4)},
              {"lr": 0.2, "etas": (0.4, 1.1), "maximize": True}],
}
CASES = [(name, kwargs) for name, configs in CONFIGS.items() for kwargs in configs]
IDS = [f"{name}-{'-'.join(kwargs) or 'defaults'}" for name, kwargs in CASES]


@pytest.fixture
def torch64():
    """PyTorch with float64 as its default dtype. NOTE: PyTorch keeps NAdam's mu_product
    in a scalar tensor of the default dtype, float32 by default, which moves float64
    parameters by 1e-8 to 1e-6 (relative); tinynet keeps it as a Python float."""
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)


def _problem(library, dtype, rng_seed=0):
    """Two parameters, W (3, 4) and b (3,), in two groups (the second with half the lr),
    and a loss whose gradients change sign as the parameters move."""
    rng = np.random.default_rng(rng_seed)
    W, b, x, y = (rng.standard_normal(s).astype(dtype) for s in [(3, 4), 3, (4, 5), (3, 5)])
    W = library.tensor(W, requires_grad=True)
    b = library.tensor(b, requires_grad=True)
    x, y = library.tensor(x), library.tensor(y)

    def loss():
        return ((W @ x + b[:, None]).tanh() - y).pow(2).sum() + 0.1 * W.pow(4).sum()
    return [W, b], loss


def _make(library, name, params, kwargs):
    lr = kwargs.get("lr", DEFAULT_LR[name])
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": lr / 2}]
    return getattr(library.optim, name)(groups, **kwargs)


def _run_both(torch, name, kwargs, dtype, steps):
    """Yields tinynet's and PyTorch's parameters after each step, and the optimizers."""
    ours, our_loss = _problem(tn, dtype)
    theirs, their_loss = _problem(torch, dtype)
    opt, torch_opt = _make(tn, name, ours, kwargs), _make(torch, name, theirs, kwargs)
    for _ in range(steps):
        for o, loss in ((opt, our_loss), (torch_opt, their_loss)):
            o.zero_grad()
            loss().backward()
            o.step()
        yield ([p.array.copy() for p in ours], [p.detach().numpy().copy() for p in theirs],
               opt, torch_opt)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_parameters_equal_pytorchs_in_float64(torch64, name, kwargs):
    flips = 0
    for ours, theirs, opt, _ in _run_both(torch64, name, kwargs, np.float64, 15):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        if name == "Rprop":
            flips += sum(int((opt.state[p]["prev"] == 0).sum()) for p in opt.state)
    if name == "Rprop":
        assert flips > 0  # some gradients changed sign: the η₋ branch ran


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_parameters_equal_pytorchs_in_float32(name, kwargs):
    torch = pytest.importorskip("torch")
    for ours, theirs, _, _ in _run_both(torch, name, kwargs, np.float32, 15):
        for a, b in zip(ours, theirs):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_state_and_groups_are_pytorchs(torch64, name, kwargs):
    *_, (_, _, opt, torch_opt) = _run_both(torch64, name, kwargs, np.float64, 7)
    state, torch_state = opt.state_dict(), torch_opt.state_dict()
    for group, torch_group in zip(state["param_groups"], torch_state["param_groups"]):
        assert set(group) == set(torch_group) - TORCH_ONLY_KEYS
        for key, value in group.items():
            assert value == torch_group[key], key
    assert sorted(state["state"]) == sorted(torch_state["state"])
    for i, entries in state["state"].items():
        assert list(entries) == list(torch_state["state"][i])
        assert type(entries["step"]) is int and entries["step"] == 7
        for key, value in entries.items():
            np.testing.assert_allclose(value, np.asarray(torch_state["state"][i][key]),
                                       rtol=1e-12, atol=1e-15)


@settings(max_examples=30)
@given(name=st.sampled_from(NAMES), shape=st.lists(st.integers(1, 4), max_size=3),
       scale=st.sampled_from([1e-3, 1.0, 1e3]), maximize=st.booleans(),
       weight_decay=st.sampled_from([0.0, 0.1]), seed=st.integers(0, 2 ** 32 - 1))
def test_random_shapes_and_gradients_step_as_in_pytorch(name, shape, scale, maximize,
                                                        weight_decay, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    start = rng.standard_normal(shape)
    kwargs = {"maximize": maximize}
    if name != "Rprop":  # (Rprop has no weight decay)
        kwargs["weight_decay"] = weight_decay
    ours = tn.tensor(start.copy(), requires_grad=True)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt = getattr(optim, name)([ours], **kwargs)
    with_default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # (NAdam's mu_product: see torch64)
    try:
        torch_opt = getattr(torch.optim, name)([theirs], **kwargs)
        for _ in range(6):
            g = scale * rng.standard_normal(shape)
            ours.grad, theirs.grad = tn.tensor(g.copy()), torch.tensor(g.copy())
            opt.step()
            torch_opt.step()
            np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-12,
                                       atol=1e-15)
    finally:
        torch.set_default_dtype(with_default)


# ---- closures, groups, skipped parameters (maximize: tests/test_optim_maximize.py) -------
@pytest.mark.parametrize("name", NAMES)
def test_step_returns_the_closures_loss_and_skips_parameters_without_grad(name):
    w, idle = _param(), _param()
    opt = getattr(optim, name)([w, idle])

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 5.0
    assert not np.array_equal(w.array, W0) and w._version[0] == 1
    np.testing.assert_array_equal(idle.array, W0)
    assert idle not in opt.state and idle._version[0] == 0


@pytest.mark.parametrize("name", NAMES)
def test_float32_parameters_and_state_stay_float32(name):
    w = tn.tensor(W0, requires_grad=True)
    opt = getattr(optim, name)([{"params": [w], "lr": np.float64(0.1)}])
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[w].values()
               if isinstance(v, np.ndarray))


# ---- state dicts ----------------------------------------------------------------------
ROUND_TRIP = [
    ("Adamax", {"lr": 0.05, "weight_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.01}),  # 4 steps, then across the switch at 6
    ("Adadelta", {"rho": 0.8, "weight_decay": 0.01}),
    ("Rprop", {"lr": 0.1, "etas": (0.4, 1.3)}),
]


@pytest.mark.parametrize("name, kwargs", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_dict_round_trip_mid_run_continues_identically(name, kwargs):
    def train(params, loss, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss().backward()
            opt.step()
        return [p.array.copy() for p in params]

    params, loss = _problem(tn, np.float64)
    opt = _make(tn, name, params, kwargs)
    train(params, loss, opt, 4)
    saved_params = [p.array.copy() for p in params]
    saved = copy.deepcopy(opt.state_dict())
    uninterrupted = train(params, loss, opt, 6)

    params, loss = _problem(tn, np.float64, rng_seed=0)
    for p, a in zip(params, saved_params):
        p.array[...] = a
    resumed_opt = _make(tn, name, params, {})  # the hyper-parameters come from the state
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for a, b in zip(uninterrupted, train(params, loss, resumed_opt, 6)):
        np.testing.assert_array_equal(a, b)
    assert [s["step"] for s in resumed_opt.state.values()] == [10, 10]


def test_nadam_mu_product_is_a_python_float_in_the_state_dict():
    w = _param()
    opt = optim.NAdam([w])
    _step(opt, w, G1)
    _step(opt, w, G2)
    mu_product = opt.state_dict()["state"][0]["mu_product"]
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2)]
    assert type(mu_product) is float and mu_product == pytest.approx(mu[0] * mu[1], rel=1e-15)


def test_defaults_are_pytorchs():
    groups = {name: getattr(optim, name)([_param()]).param_groups[0] for name in NAMES}
    assert groups["Adamax"] | {"params": None} == {
        "params": None, "lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
        "maximize": False}
    assert groups["NAdam"]["lr"] == 2e-3 and groups["NAdam"]["momentum_decay"] == 4e-3
    assert groups["NAdam"]["decoupled_weight_decay"] is False
    assert groups["RAdam"]["lr"] == 1e-3 and groups["RAdam"]["decoupled_weight_decay"] is False
    assert (groups["Adadelta"]["lr"], groups["Adadelta"]["rho"], groups["Adadelta"]["eps"]) \
        == (1.0, 0.9, 1e-6)
    assert groups["Rprop"]["etas"] == (0.5, 1.2) and groups["Rprop"]["step_sizes"] == (1e-6, 50)
    assert tn.optim.Rprop.__init__.__kwdefaults__ == {"maximize": False}  # keyword-only


# ---- argument errors --------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adamax(p, lr=-0.1), "Adamax: lr must be a finite number >= 0, got -0.1"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.999)),
     "Adamax: betas[0] must be a finite number in [0, 1), got 1.0"),
    (lambda p: optim.Adamax(p, eps=-1e-8), "Adamax: eps must be a finite number >= 0, got -1e-08"),
    (lambda p: optim.Adamax(p, weight_decay=float("nan")),
     "Adamax: weight_decay must be a finite number >= 0, got nan"),
    (lambda p: optim.NAdam(p, lr=float("inf")), "NAdam: lr must be a finite number >= 0, got inf"),
    (lambda p: optim.NAdam(p, betas=(0.9, 0.99, 0.9)),
     "NAdam: betas must be a pair (beta1, beta2), got (0.9, 0.99, 0.9)"),
    (lambda p: optim.NAdam(p, betas=(0.9, -0.1)),
     "NAdam: betas[1] must be a finite number in [0, 1), got -0.1"),
    (lambda p: optim.NAdam(p, momentum_decay=-4e-3),
     "NAdam: momentum_decay must be a finite number >= 0, got -0.004"),
    (lambda p: optim.NAdam(p, weight_decay=-1),
     "NAdam: weight_decay must be a finite number >= 0, got -1"),
    (lambda p: optim.RAdam(p, lr=-1e-3), "RAdam: lr must be a finite number >= 0, got -0.001"),
    (lambda p: optim.RAdam(p, betas=(0.9, 1.0)),
     "RAdam: betas[1] must be a finite number in [0, 1), got 1.0"),
    (lambda p: optim.RAdam(p, eps=float("nan")),
     "RAdam: eps must be a finite number >= 0, got nan"),
    (lambda p: optim.RAdam(p, weight_decay=-0.01),
     "RAdam: weight_decay must be a finite number >= 0, got -0.01"),
    (lambda p: optim.Adadelta(p, lr=-1.0), "Adadelta: lr must be a finite number >= 0, got -1.0"),
    (lambda p: optim.Adadelta(p, rho=1.5),
     "Adadelta: rho must be a finite number in [0, 1], got 1.5"),
    (lambda p: optim.Adadelta(p, rho=-0.1),
     "Adadelta: rho must be a finite number in [0, 1], got -0.1"),
    (lambda p: optim.Adadelta(p, eps=-1e-6),
     "Adadelta: eps must be a finite number >= 0, got -1e-06"),
    (lambda p: optim.Adadelta(p, weight_decay=-0.1),
     "Adadelta: weight_decay must be a finite number >= 0, got -0.1"),
    (lambda p: optim.Rprop(p, lr=-0.01), "Rprop: lr must be a finite number >= 0, got -0.01"),
    (lambda p: optim.Rprop(p, etas=(1.0, 1.2)),
     "Rprop: etas[0] must be a finite number in (0, 1), got 1.0"),
    (lambda p: optim.Rprop(p, etas=(0.0, 1.2)),
     "Rprop: etas[0] must be a finite number in (0, 1), got 0.0"),
    (lambda p: optim.Rprop(p, etas=(0.5, 1.0)),
     "Rprop: etas[1] must be a finite number > 1, got 1.0"),
    (lambda p: optim.Rprop(p, etas=(0.5,)),
     "Rprop: etas must be a pair (eta_minus, eta_plus), got (0.5,)"),
    (lambda p: optim.Rprop(p, step_sizes=(-1e-6, 50)),
     "Rprop: step_sizes[0] must be a finite number >= 0, got -1e-06"),
    (lambda p: optim.Rprop(p, step_sizes=(1e-3, 1e-4)),
     "Rprop: step_sizes[1] must be a finite number >= 0.001, got 0.0001"),
    (lambda p: optim.Rprop(p, step_sizes=(1e-6, float("inf"))),
     "Rprop: step_sizes[1] must be a finite number >= 1e-06, got inf"),
])
def test_invalid_hyper_parameters_are_named(make, message):
    with pytest.raises(ValueError, match=_whole(message)):
        make([_param()])


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adamax(p, betas=0.9), "Adamax: betas must be a pair (beta1, beta2), got 0.9"),
    (lambda p: optim.Rprop(p, etas=None),
     "Rprop: etas must be a pair (eta_minus, eta_plus), got None"),
    (lambda p: optim.RAdam(p, lr="0.1"), "RAdam: lr must be a finite number >= 0, got '0.1'"),
    (lambda p: optim.NAdam(p, maximize="yes"), "NAdam: maximize must be True or False, got 'yes'"),
    (lambda p: optim.Adadelta(p, rho=True),
     "Adadelta: rho must be a finite number in [0, 1], got True"),
])
def test_hyper_parameters_of_the_wrong_type_are_a_type_error(make, message):
    with pytest.raises(TypeError, match=_whole(message)):
        make([_param()])


# ---- LBFGS ----------------------------------------------------------------------------
def _closure(opt, loss):
    def closure():
        opt.zero_grad()
        value = loss()
        value.backward()
        return value
    return closure


def test_lbfgs_takes_newtons_step_at_its_second_iteration_on_a_quadratic():
    # f(x) = 2·(x - 3)² (f'' = 4), from x0 = 0, lr 1, no line search:
    # iteration 1: g0 = 4·(0 - 3) = -12;  d = -g0 = 12;  t = min(1, 1/12) = 1/12;  x1 = 1
    # iteration 2: g1 = 4·(1 - 3) = -8;  s = 1, y = g1 - g0 = 4;  ρ = 1/(y·s) = 1/4
    #   γ = y·s/(y·y) = 1/4;  q = -g1 = 8;  α = ρ·s·q = 2;  q ← q - α·y = 0;  d = γ·q = 0
    #   β = ρ·y·d = 0;  d ← d + (α - β)·s = 2 = -g1/f'';  t = 1:  x2 = 3, the minimum
    x = tn.tensor([0.0], dtype=tn.float64, requires_grad=True)
    opt = optim.LBFGS([x], max_iter=2, max_eval=3)  # (the default max_eval, 2, stops at x1)
    loss = opt.step(_closure(opt, lambda: 2 * ((x - 3) ** 2).sum()))
    assert loss.item() == 18.0  # f(x0): the loss before the step, as PyTorch's
    _assert_close(x.array, [3.0])
    state = opt.state[x]
    assert (state["n_iter"], state["func_evals"]) == (2, 2)  # (none after the last iteration)
    assert (state["t"], state["H_diag"], state["ro"]) == (1.0, 0.25, [0.25])
    _assert_close(state["d"], [2.0])
    _assert_close(state["old_stps"][0], [1.0])
    _assert_close(state["old_dirs"][0], [4.0])


def test_lbfgs_does_nothing_at_a_minimum_and_steps_under_no_grad():
    x = tn.tensor([3.0, 3.0], dtype=tn.float64, requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe")
    closure = _closure(opt, lambda: ((x - 3) ** 2).sum())
    assert opt.step(closure).item() == 0.0
    assert dict(opt.state[x]) == {"func_evals": 1, "n_iter": 0}
    x.array[...] = [1.0, 5.0]
    with tn.no_grad():  # step records the closure's graph all the same, as PyTorch's
        opt.step(closure)
    _assert_close(x.array, [3.0, 3.0])


def _rosenbrock(library, dtype):
    """Two parameters in a coupled Rosenbrock valley: curved, badly conditioned."""
    rng = np.random.default_rng(0)
    W = library.tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True)
    b = library.tensor(rng.standard_normal(2).astype(dtype), requires_grad=True)

    def loss():
        return (100 * (W[1:] - W[:-1] ** 2) ** 2).sum() + ((1 - W) ** 2).sum() + \
            0.5 * ((W.sum(0) + b) ** 2).sum()
    return [W, b], loss


WOLFE = {"line_search_fn": "strong_wolfe"}
LBFGS_CONFIGS = [
    (_rosenbrock, {}), (_rosenbrock, WOLFE), (_rosenbrock, {"lr": 0.1, "max_iter": 5,
                                                           "history_size": 3}),
    (_rosenbrock, {"max_iter": 7, "history_size": 2, **WOLFE}),
    (_rosenbrock, {"lr": 0.5, "max_eval": 4, **WOLFE}),
    (_rosenbrock, {"tolerance_change": 1e-3, "tolerance_grad": 1e-3, **WOLFE}),
    # first guesses far too long (the line search zooms in) and far too short (it
    # extrapolates, and runs out of evaluations)
    (_problem, {"lr": 10.0, "max_iter": 10, **WOLFE}),
    (_problem, {"lr": 0.01, "max_eval": 3, **WOLFE})]


@pytest.mark.parametrize("problem, kwargs", LBFGS_CONFIGS,
                         ids=[f"{p.__name__[1:]}-{'-'.join(k) or 'defaults'}"
                              for p, k in LBFGS_CONFIGS])
def test_lbfgs_equals_pytorchs_step_by_step(torch64, problem, kwargs):
    runs = []
    for library in (tn, torch64):
        params, loss = problem(library, np.float64)
        opt = library.optim.LBFGS(params, **kwargs)
        run = []
        for _ in range(3):  # (by step 5, lr=10's rounding differences grow to ~4e-9)
            first = opt.step(_closure(opt, loss)).item()
            state = opt.state[params[0]]
            run.append((first, [np.array(p.detach().numpy()) for p in params],
                        state["func_evals"], state["n_iter"], sorted(state)))
        runs.append((run, opt.state_dict()["param_groups"]))
    (ours, groups), (theirs, torch_groups) = runs
    for (f, params, *counts), (torch_f, torch_params, *torch_counts) in zip(ours, theirs):
        assert counts == torch_counts  # the same evaluations and iterations: the same path
        assert f == pytest.approx(torch_f, rel=1e-9)
        for a, b in zip(params, torch_params):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert groups == torch_groups


@pytest.mark.parametrize("kwargs", [{"max_iter": 5},
                                    {"max_iter": 10, "line_search_fn": "strong_wolfe"}])
def test_lbfgs_equals_pytorchs_in_float32(kwargs):
    # (loosely, over few iterations: L-BFGS amplifies float32 rounding, ~1e-3 by 20)
    torch = pytest.importorskip("torch")
    results = []
    for library in (tn, torch):
        params, loss = _problem(library, np.float32)
        opt = library.optim.LBFGS(params, **kwargs)
        opt.step(_closure(opt, loss))
        results.append([np.array(p.detach().numpy()) for p in params])
    for a, b in zip(*results):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("t, max_ls", [(1.9, 25), (0.01, 25), (30.0, 25), (0.001, 2)],
                         ids=["past-the-minimum", "too-short", "too-long", "out-of-evaluations"])
def test_strong_wolfe_line_search_on_log_cosh(t, max_ls):
    """f = log cosh x from x0 = -1 along d = 1: f(t) = log cosh(t - 1), slope tanh(t - 1),
    the minimum at t = 1. From t = 1.9 f is lower but the slope too steep (a bracket
    [0, 1.9] to zoom in on); from 0.01 the guess is extrapolated; from 30 f is too high."""
    from tinynet.optim._line_search import strong_wolfe

    def evaluate(t):
        return math.log(math.cosh(t - 1)), np.array([math.tanh(t - 1)])

    (f0, g0), d = evaluate(0.0), np.array([1.0])
    f, g, t_found, evaluations = strong_wolfe(evaluate, t, d, f0, g0, g0[0], max_ls=max_ls)
    assert (f, g[0]) == (evaluate(t_found)[0], evaluate(t_found)[1][0])
    if max_ls == 2:  # out of evaluations: the lowest of the trials 0.001, 0.01, 0.1 (each
        # extrapolation goes at most 10 times further)
        assert (t_found, evaluations) == (0.1, 3)
    else:  # the strong Wolfe conditions, c1 = 1e-4 and c2 = 0.9
        assert f <= f0 + 1e-4 * t_found * g0[0] and abs(g[0]) <= -0.9 * g0[0]
        assert evaluations <= 3


def test_strong_wolfe_extrapolates_along_a_linear_loss_as_pytorch():
    """f(t) = -t/8 has the same slope everywhere: the cubic through two trials divides
    by 0, and its infinite step is clamped to 10 times the last trial (PyTorch's
    tensors give that inf); after max_ls extrapolations, the lowest trial."""
    from tinynet.optim._line_search import strong_wolfe

    def evaluate(t):
        return -0.125 * t, np.array([-0.125])

    (f0, g0), d = evaluate(0.0), np.array([1.0])
    assert strong_wolfe(evaluate, 0.5, d, f0, g0, g0[0], max_ls=5)[::2] == (-6250.0, 50000.0)
    assert strong_wolfe(evaluate, 0.5, d, f0, g0, g0[0], max_ls=5)[3] == 6


def test_lbfgs_with_a_line_search_on_a_linear_loss_steps_as_pytorch():
    """A linear loss (no curvature along any direction): the line search extrapolates
    until it runs out of evaluations, where it raised ZeroDivisionError."""
    torch = pytest.importorskip("torch")
    results = []
    for library in (tn, torch):
        w = library.tensor([1.0, 2.0], dtype=library.float64, requires_grad=True)
        c = library.tensor([0.5, -0.25], dtype=library.float64)
        opt = library.optim.LBFGS([w], line_search_fn="strong_wolfe", max_iter=3)
        opt.step(_closure(opt, lambda: (w * c).sum()))
        results.append((w.detach().numpy().tolist(), opt.state[w]["func_evals"]))
    assert results[0] == results[1]


def test_strong_wolfe_brackets_a_rise_past_a_bump_as_pytorch():
    """f(t) = -t + 160·exp(-(t - 99.5)²/(2·0.5²)): trials at 1 and 10 descend; the third,
    100, is past the bump's top, higher than 10's yet below the decrease line: the search
    stops extending there and zooms in between 10 and 100 (PyTorch's numbers)."""
    torch = pytest.importorskip("torch")
    from torch.optim.lbfgs import _strong_wolfe

    from tinynet.optim._line_search import strong_wolfe

    def evaluate(t):
        z = (t - 99.5) / 0.5
        bump = 160 * math.exp(-0.5 * z * z)
        return -t + bump, np.array([-1 - bump * z / 0.5])

    (f0, g0), d = evaluate(0.0), np.array([1.0])
    f, g, t, evaluations = strong_wolfe(evaluate, 1.0, d, f0, g0, g0[0])
    as_torch = torch.tensor
    f_ref, g_ref, t_ref, evaluations_ref = _strong_wolfe(
        lambda x, t, d: (evaluate(float(t))[0], as_torch(evaluate(float(t))[1])),
        [as_torch([0.0])], 1.0, as_torch(d), f0, as_torch(g0), as_torch(g0[0]))
    assert (f, t, evaluations) == pytest.approx((f_ref, float(t_ref), evaluations_ref),
                                                rel=1e-12)
    assert evaluate(10.0)[0] < evaluate(100.0)[0] < f0 + 1e-4 * 100 * g0[0]


def test_lbfgs_state_dict_round_trip_through_a_file_continues_identically(tmp_path):
    def train(params, loss, opt, steps):
        for _ in range(steps):
            opt.step(_closure(opt, loss))
        return [p.array.copy() for p in params]

    kwargs = {"max_iter": 4, "history_size": 2, "line_search_fn": "strong_wolfe"}
    params, loss = _rosenbrock(tn, np.float64)
    opt = optim.LBFGS(params, **kwargs)
    train(params, loss, opt, 2)
    saved_params = [p.array.copy() for p in params]
    saved = opt.state_dict()
    history = [a.copy() for a in saved["state"][0]["old_dirs"]]
    uninterrupted = train(params, loss, opt, 3)
    for a, b in zip(saved["state"][0]["old_dirs"], history):  # a copy, not the live list
        np.testing.assert_array_equal(a, b)

    params, loss = _rosenbrock(tn, np.float64)
    for p, a in zip(params, saved_params):
        p.array[...] = a
    tn.save(saved, tmp_path / "lbfgs.npz")  # (the lists of arrays come back as tensors)
    resumed = optim.LBFGS(params)
    resumed.load_state_dict(tn.load(tmp_path / "lbfgs.npz"))
    assert resumed.param_groups[0]["history_size"] == 2
    for a, b in zip(uninterrupted, train(params, loss, resumed, 3)):
        np.testing.assert_array_equal(a, b)


def test_lbfgs_refuses_a_flat_state_of_another_length():
    params, loss = _rosenbrock(tn, np.float64)
    opt = optim.LBFGS(params, max_iter=3)
    opt.step(_closure(opt, loss))
    saved = opt.state_dict()
    saved["state"][0]["old_dirs"][0] = np.zeros(6)
    with pytest.raises(ValueError, match=_whole(
            "LBFGS.load_state_dict: state 'old_dirs'[0] of parameter 0 must have the "
            "parameter's shape (8,), got (6,)")):
        optim.LBFGS(params).load_state_dict(saved)


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]), ValueError,
     "LBFGS: params must be one parameter group (LBFGS has no per-group options), got a "
     "second one"),
    (lambda p: optim.LBFGS(p, lr=-1), ValueError, "LBFGS: lr must be a finite number >= 0, got -1"),
    (lambda p: optim.LBFGS(p, max_iter=0), ValueError,
     "LBFGS: max_iter must be an integer >= 1, got 0"),
    (lambda p: optim.LBFGS(p, max_eval=0), ValueError,
     "LBFGS: max_eval must be an integer >= 1, got 0"),
    (lambda p: optim.LBFGS(p, history_size=0), ValueError,
     "LBFGS: history_size must be an integer >= 1, got 0"),
    (lambda p: optim.LBFGS(p, tolerance_grad=-1e-7), ValueError,
     "LBFGS: tolerance_grad must be a finite number >= 0, got -1e-07"),
    (lambda p: optim.LBFGS(p, tolerance_change=float("nan")), ValueError,
     "LBFGS: tolerance_change must be a finite number >= 0, got nan"),
    (lambda p: optim.LBFGS(p, line_search_fn="strong-wolfe"), ValueError,
     "LBFGS: line_search_fn must be one of None, 'strong_wolfe', got 'strong-wolfe' (did you "
     "mean 'strong_wolfe'?)"),
    (lambda p: optim.LBFGS(p, max_iter=2.5), TypeError,
     "LBFGS: max_iter must be an integer >= 1, got 2.5"),
])
def test_lbfgs_invalid_arguments_are_named(make, error, message):
    with pytest.raises(error, match=_whole(message)):
        make([_param(), _param()])


def test_a_users_optimizer_gets_its_tensor_state_back_as_tensors():
    class Momentum(tn.optim.Optimizer):  # written as PyTorch's are: state held in tensors
        def __init__(self, params, lr=0.1, beta=0.9):
            super().__init__(params, dict(lr=lr, beta=beta))

        @tn.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if "buf" not in state:
                        state["buf"], state["n"] = tn.zeros_like(p), tn.tensor(0.0)
                    state["buf"].mul_(group["beta"]).add_(p.grad)
                    state["n"] += 1
                    p.add_(state["buf"], alpha=-group["lr"])

    def train(optimizer, w, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            (w ** 2).sum().backward()
            optimizer.step()

    w = tn.nn.Parameter(tn.tensor([1.0, 2.0], dtype=tn.float64))
    straight = tn.nn.Parameter(w.detach().clone())
    train(Momentum([straight]), straight, 3)
    first = Momentum([w])
    train(first, w, 2)
    buffer = io.BytesIO()
    tn.save(first.state_dict(), buffer)
    buffer.seek(0)
    resumed = Momentum([w])
    resumed.load_state_dict(tn.load(buffer))
    assert isinstance(resumed.state[w]["buf"], tn.Tensor)
    assert resumed.state[w]["buf"].dtype == tn.float64
    train(resumed, w, 1)
    np.testing.assert_array_equal(w.detach().numpy(), straight.detach().numpy())
    assert resumed.state[w]["n"].item() == 3.0


@pytest.mark.parametrize("fast", [True, False])
def test_a_subclass_of_a_built_in_optimizer_resumes_as_the_built_in(fast):
    class MyAdam(tn.optim.Adam):  # tinynet's step, which keeps its state in arrays
        pass

    results = []
    for cls in (tn.optim.Adam, MyAdam):
        with tn.fast_paths(fast):
            w = tn.nn.Parameter(tn.tensor([0.5, -1.0, 2.0], dtype=tn.float64))
            optimizer = cls([w], lr=0.1)
            for _ in range(2):
                optimizer.zero_grad()
                (w ** 2).sum().backward()
                optimizer.step()
            buffer = io.BytesIO()
            tn.save(optimizer.state_dict(), buffer)
            buffer.seek(0)
            resumed = cls([w], lr=0.1)
            resumed.load_state_dict(tn.load(buffer))
            resumed.zero_grad()
            (w ** 2).sum().backward()
            resumed.step()
            results.append(w.detach().numpy())
    np.testing.assert_array_equal(results[0], results[1])


def test_step_hooks_run_around_each_step_once_as_pytorchs():
    w = tn.nn.Parameter(tn.tensor([1.0, 2.0], dtype=tn.float64))
    optimizer = tn.optim.SGD([w], lr=0.1)
    seen = []
    before = optimizer.register_step_pre_hook(lambda opt, args, kwargs: seen.append(
        ("pre", w.tolist())))
    after = optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append(
        ("post", w.tolist())))
    (w * w).sum().backward()
    optimizer.step()
    assert seen == [("pre", [1.0, 2.0]), ("post", [0.8, 1.6])]
    before.remove()
    after.remove()
    optimizer.step()
    assert len(seen) == 2

    class Wrapped(tn.optim.Adam):  # a step calling its base class's runs the hooks once
        def step(self, closure=None):
            return super().step(closure)

    wrapped, calls = Wrapped([w]), []
    wrapped.register_step_pre_hook(lambda *args: calls.append("pre"))
    wrapped.step()
    assert calls == ["pre"]
    wrapped.register_step_pre_hook(lambda *args: "not a pair")
    with pytest.raises(RuntimeError, match="register_step_pre_hook: hook '<lambda>' must "
                                           "return None or a tuple"):
        wrapped.step()


def test_state_dict_hooks_run_in_order_and_may_replace_the_dict_as_pytorchs():
    w = tn.nn.Parameter(tn.tensor([1.0, 2.0], dtype=tn.float64))
    optimizer = tn.optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    optimizer.step()
    log = []
    optimizer.register_state_dict_pre_hook(lambda opt: log.append("pre"))
    extra = optimizer.register_state_dict_post_hook(lambda opt, sd: {**sd, "extra": 1})
    optimizer.register_state_dict_post_hook(  # (prepended: it sees the dict before "extra")
        lambda opt, sd: log.append(("first", sorted(sd))), prepend=True)
    assert sorted(optimizer.state_dict()) == ["extra", "param_groups", "state"]
    assert log == ["pre", ("first", ["param_groups", "state"])]
    extra.remove()
    saved = optimizer.state_dict()
    assert sorted(saved) == ["param_groups", "state"]

    def halve_the_rate(opt, sd):  # changes its copy of the caller's dict, returns None
        sd["param_groups"] = [dict(g, lr=g["lr"] / 2) for g in sd["param_groups"]]
        sd["mine"] = True
    optimizer.register_load_state_dict_pre_hook(halve_the_rate)
    optimizer.register_load_state_dict_post_hook(
        lambda opt: log.append(("loaded", opt.param_groups[0]["lr"])))
    optimizer.load_state_dict(saved)
    assert log[-1] == ("loaded", 0.05) and "mine" not in saved
    assert saved["param_groups"][0]["lr"] == 0.1
    optimizer.register_load_state_dict_pre_hook(  # a returned dict is loaded instead
        lambda opt, sd: {**sd, "param_groups": [dict(g, lr=0.25) for g in sd["param_groups"]]})
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.25
    np.testing.assert_array_equal(optimizer.state[w]["momentum_buffer"], [2.0, 4.0])
    with pytest.raises(TypeError, match="SGD.register_state_dict_pre_hook: hook must be "
                                        "callable, got int"):
        optimizer.register_state_dict_pre_hook(3)


def test_strong_wolfe_recovers_from_a_trial_step_that_overflows():
    """A trial step whose loss is inf makes the cubic's discriminant NaN (inf - inf): the
    search bisects instead, as PyTorch's does (the parameters became NaN)."""
    w = tn.tensor([1.0], dtype=tn.float64, requires_grad=True)
    opt = tn.optim.LBFGS([w], lr=20.0, max_iter=5, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        with np.errstate(over="ignore", invalid="ignore"):
            loss = tn.exp(50 * w ** 2).sum()
            loss.backward()
        return loss

    opt.step(closure)
    assert np.isfinite(w.item()) and abs(w.item()) < 1.0
    torch = pytest.importorskip("torch")
    v = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    ref = torch.optim.LBFGS([v], lr=20.0, max_iter=5, line_search_fn="strong_wolfe")

    def torch_closure():
        ref.zero_grad()
        loss = torch.exp(50 * v ** 2).sum()
        loss.backward()
        return loss

    ref.step(torch_closure)
    assert w.item() == pytest.approx(v.item(), rel=1e-9)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Rprop"])
def test_a_closure_differentiates_under_no_grad(name):
    w = tn.tensor([1.0], requires_grad=True)
    opt = getattr(tn.optim, name)([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = ((w - 3) ** 2).sum()
        loss.backward()
        return loss

    with tn.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() > 1.0


def test_step_hooks_get_the_optimizer_first_in_args_as_pytorchs():
    w = tn.tensor([1.0], requires_grad=True)
    opt = tn.optim.SGD([w], lr=0.1)
    seen = []

    def closure():
        opt.zero_grad()
        loss = (w * 2).sum()
        loss.backward()
        return loss

    def pre(optimizer, args, kwargs):
        seen.append(("pre", args[0] is optimizer, len(args)))
        return (args[0], closure), kwargs  # a closure in place of none

    opt.register_step_pre_hook(pre)
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", args[1] is closure)))
    assert opt.step().item() == 2.0
    assert seen == [("pre", True, 1), ("post", True)] and w.item() == pytest.approx(0.8)
