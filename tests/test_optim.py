"""Optimizers: single steps checked against hand-worked arithmetic (in the comments),
zero_grad, parameter groups, state_dict round trips and argument errors."""
import copy
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

# Every hand-worked example starts from w0 = [1, -2] and feeds the gradients
# g1 = [0.5, -1] (first step) and g2 = [-1, 2] (second step), with lr = 0.1.
W0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [-1.0, 2.0]


def _param():
    return tn.tensor(W0, dtype=tn.float64, requires_grad=True)


def _step(opt, w, g):
    """Give w the gradient g (the gradient of Σ w·g) and take one step."""
    opt.zero_grad()
    (w * tn.tensor(g, dtype=tn.float64)).sum().backward()
    np.testing.assert_array_equal(w.grad.array, g)
    opt.step()
    return w.array.copy()


def _assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-11)


# ---- SGD -----------------------------------------------------------------------------------
def test_sgd_plain_step():
    w = _param()
    opt = optim.SGD([w], lr=0.1)
    # w1 = w0 - lr·g1 = [1 - 0.05, -2 + 0.1]
    _assert_close(_step(opt, w, G1), [0.95, -1.9])
    # w2 = w1 - lr·g2 = [0.95 + 0.1, -1.9 - 0.2]
    _assert_close(_step(opt, w, G2), [1.05, -2.1])


def test_sgd_momentum_with_dampening():
    w = _param()
    opt = optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.5)
    # step 1: the buffer starts as the gradient (no dampening): b1 = g1 = [0.5, -1]
    #   w1 = w0 - 0.1·b1 = [0.95, -1.9]
    _assert_close(_step(opt, w, G1), [0.95, -1.9])
    # step 2: b2 = 0.9·b1 + (1 - 0.5)·g2 = [0.45 - 0.5, -0.9 + 1] = [-0.05, 0.1]
    #   w2 = w1 - 0.1·b2 = [0.95 + 0.005, -1.9 - 0.01]
    _assert_close(_step(opt, w, G2), [0.955, -1.91])
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], [-0.05, 0.1], atol=1e-15)


def test_sgd_nesterov():
    w = _param()
    opt = optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    # step 1: b1 = g1 = [0.5, -1]; update g1 + 0.9·b1 = [0.95, -1.9]
    #   w1 = w0 - 0.1·[0.95, -1.9] = [0.905, -1.81]
    _assert_close(_step(opt, w, G1), [0.905, -1.81])
    # step 2: b2 = 0.9·b1 + g2 = [0.45 - 1, -0.9 + 2] = [-0.55, 1.1]
    #   update g2 + 0.9·b2 = [-1 - 0.495, 2 + 0.99] = [-1.495, 2.99]
    #   w2 = w1 - 0.1·update = [0.905 + 0.1495, -1.81 - 0.299]
    _assert_close(_step(opt, w, G2), [1.0545, -2.109])


def test_sgd_weight_decay():
    w = _param()
    opt = optim.SGD([w], lr=0.1, weight_decay=0.1)
    # g' = g1 + 0.1·w0 = [0.5 + 0.1, -1 - 0.2] = [0.6, -1.2]
    # w1 = w0 - 0.1·g' = [0.94, -1.88]
    _assert_close(_step(opt, w, G1), [0.94, -1.88])
    # g' = g2 + 0.1·w1 = [-1 + 0.094, 2 - 0.188] = [-0.906, 1.812]
    # w2 = w1 - 0.1·g' = [0.94 + 0.0906, -1.88 - 0.1812]
    _assert_close(_step(opt, w, G2), [1.0306, -2.0612])


def test_sgd_momentum_with_weight_decay_decays_inside_the_buffer():
    w = _param()
    opt = optim.SGD([w], lr=0.1, momentum=0.5, weight_decay=0.1)
    # step 1: b1 = g1 + 0.1·w0 = [0.6, -1.2]; w1 = [0.94, -1.88]
    _assert_close(_step(opt, w, G1), [0.94, -1.88])
    # step 2: g' = g2 + 0.1·w1 = [-0.906, 1.812]; b2 = 0.5·b1 + g' = [-0.606, 1.212]
    #   w2 = w1 - 0.1·b2 = [0.94 + 0.0606, -1.88 - 0.1212]
    _assert_close(_step(opt, w, G2), [1.0006, -2.0012])


# ---- Adam and AdamW ------------------------------------------------------------------------
def test_adam_two_steps():
    w = _param()
    opt = optim.Adam([w], lr=0.1)  # betas (0.9, 0.999), eps 1e-8
    # step 1: m1 = 0.1·g1 = [0.05, -0.1];  v1 = 0.001·g1² = [0.00025, 0.001]
    #   m̂ = m1/(1 - 0.9) = g1;  v̂ = v1/(1 - 0.999) = g1²;  √v̂ = |g1|
    #   w1 = w0 - 0.1·g1/(|g1| + 1e-8) = [1 - 0.099999998, -2 + 0.099999999]
    _assert_close(_step(opt, w, G1), [0.900000002, -1.900000001])
    # step 2: m2 = 0.9·m1 + 0.1·g2 = [0.045 - 0.1, -0.09 + 0.2] = [-0.055, 0.11]
    #   v2 = 0.999·v1 + 0.001·g2² = [0.00024975 + 0.001, 0.000999 + 0.004]
    #      = [0.00124975, 0.004999]
    #   m̂ = m2/(1 - 0.81) = [-0.289473684, 0.578947368]
    #   v̂ = v2/(1 - 0.998001) = [0.625187594, 2.500750375];  √v̂ = [0.790688051, 1.581376097]
    #   step = 0.1·m̂/(√v̂ + 1e-8) = [-0.036610352241, 0.036610352472]
    _assert_close(_step(opt, w, G2), [0.936610354241, -1.936610353472])
    assert opt.state[w]["step"] == 2
    _assert_close(opt.state[w]["exp_avg"], [-0.055, 0.11])
    _assert_close(opt.state[w]["exp_avg_sq"], [0.00124975, 0.004999])


def test_adam_weight_decay_is_an_l2_penalty_on_the_gradient():
    w = _param()
    opt = optim.Adam([w], lr=0.1, weight_decay=0.1)
    # step 1: g' = g1 + 0.1·w0 = [0.6, -1.2]; as above the first step is lr·g'/(|g'| + eps)
    #   w1 = w0 - [0.1·0.6/(0.6 + 1e-8), -0.1·1.2/(1.2 + 1e-8)]
    _assert_close(_step(opt, w, G1), [0.900000001667, -1.900000000833])
    # step 2: g' = g2 + 0.1·w1 = [-0.91, 1.81]
    #   m2 = 0.9·[0.06, -0.12] + 0.1·g' = [-0.037, 0.073]
    #   v2 = 0.999·[0.00036, 0.00144] + 0.001·g'² = [0.00118774, 0.00471466]
    #   m̂ = m2/0.19 = [-0.194736842, 0.384210526];  √v̂ = √(v2/0.001999) = [0.770822, 1.535744]
    #   step = 0.1·m̂/(√v̂ + 1e-8) = [-0.025263517779, 0.025017877631]
    _assert_close(_step(opt, w, G2), [0.925263519446, -1.925017878464])


def test_adamw_decays_the_weights_not_the_gradient():
    w = _param()
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.1)
    # step 1: w ← w0·(1 - 0.1·0.1) = [0.99, -1.98], then Adam's step [0.099999998, -0.099999999]
    _assert_close(_step(opt, w, G1), [0.890000002, -1.880000001])
    # step 2: w ← w1·0.99 = [0.881100002, -1.861200001], then Adam's second step from the
    #   test above (the moments never see the decay): [-0.036610352241, 0.036610352472]
    _assert_close(_step(opt, w, G2), [0.917710354221, -1.897810353462])


def test_adamw_default_weight_decay_is_pytorchs():
    assert optim.AdamW([_param()]).param_groups[0]["weight_decay"] == 0.01
    assert optim.Adam([_param()]).param_groups[0]["weight_decay"] == 0.0


@pytest.mark.parametrize("foreach", [True, False])
def test_adam_with_decoupled_weight_decay_is_adamw_and_the_choice_is_a_group_key(foreach):
    """As in PyTorch: ``Adam(decoupled_weight_decay=True)`` takes AdamW's steps bit for bit,
    and a group may choose it for itself."""
    def run(make):
        model = _frozen_mlp()
        opt = make(model)
        _train_frozen(model, opt, unfreeze_at=2)
        return model, opt

    adamw, _ = run(lambda m: optim.AdamW(m.parameters(), lr=0.1, weight_decay=0.1,
                                         foreach=foreach))
    adam, opt = run(lambda m: optim.Adam(m.parameters(), lr=0.1, weight_decay=0.1,
                                         foreach=foreach, decoupled_weight_decay=True))
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    for p, q in zip(adam.parameters(), adamw.parameters()):
        np.testing.assert_array_equal(p.array, q.array)
    # one group decoupled, the other not: as AdamW on the one and Adam on the other
    mixed, _ = run(lambda m: optim.Adam(
        [{"params": m[0].parameters(), "decoupled_weight_decay": True},
         {"params": m[2].parameters()}], lr=0.1, weight_decay=0.1, foreach=foreach))
    two = _frozen_mlp()
    first = optim.AdamW(two[0].parameters(), lr=0.1, weight_decay=0.1, foreach=foreach)
    second = optim.Adam(two[2].parameters(), lr=0.1, weight_decay=0.1, foreach=foreach)
    x = tn.tensor(np.random.default_rng(0).standard_normal((8, 3)))
    for step in range(4):  # as _train_frozen(unfreeze_at=2)
        two[0].requires_grad_(step >= 2)
        first.zero_grad()
        second.zero_grad()
        two(x).pow(2).sum().backward()
        first.step()
        second.step()
    for p, q in zip(mixed.parameters(), two.parameters()):
        np.testing.assert_array_equal(p.array, q.array)
    assert not np.array_equal(mixed[0].weight.array, adamw[0].weight.array)
    assert optim.AdamW([_param()]).param_groups[0]["decoupled_weight_decay"] is True
    assert optim.Adam([_param()]).param_groups[0]["decoupled_weight_decay"] is False


def test_float32_parameters_stay_float32():
    w = tn.tensor(W0, requires_grad=True)
    for opt in [optim.SGD([w], lr=0.1, momentum=0.9), optim.Adam([w]), optim.AdamW([w])]:
        (w * 2).sum().backward()
        opt.step()
        opt.zero_grad()
        assert w.dtype == np.float32


# ---- zero_grad, groups, skipped parameters --------------------------------------------------
def test_zero_grad_set_to_none_and_to_zero():
    w = _param()
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad
    np.testing.assert_array_equal(w.grad.array, [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None


def test_parameters_without_gradient_are_left_alone():
    w, frozen = _param(), tn.tensor([5.0], dtype=tn.float64, requires_grad=True)
    opt = optim.Adam([w, frozen], lr=0.1)
    _step(opt, w, G1)
    np.testing.assert_array_equal(frozen.array, [5.0])
    assert frozen not in opt.state


def _frozen_mlp():
    """A float64 MLP whose first Linear does not require grad (a frozen layer)."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    model[0].requires_grad_(False)
    return model


def _train_frozen(model, opt, steps=4, unfreeze_at=None):
    x = tn.tensor(np.random.default_rng(0).standard_normal((8, 3)))
    for step in range(steps):
        if step == unfreeze_at:
            model[0].requires_grad_(True)
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: optim.Adam(p, lr=0.1), lambda p: optim.AdamW(p, lr=0.1),
    lambda p: optim.RMSprop(p, lr=0.1), lambda p: optim.Adagrad(p, lr=0.1)],
    ids=["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"])
def test_parameters_that_do_not_require_grad_are_accepted_and_left_alone(make):
    # as in PyTorch: a frozen layer may be handed to the optimizer with the rest
    model = _frozen_mlp()
    frozen = [(p.array.copy(), p._version[0]) for p in model[0].parameters()]
    trained = model[2].weight.array.copy()
    opt = make(model.parameters())
    _train_frozen(model, opt)
    for p, (before, version) in zip(model[0].parameters(), frozen):
        np.testing.assert_array_equal(p.array, before)
        assert p.grad is None and p._version[0] == version
        assert p not in opt.state or opt.state[p]["step"] == 0  # (Adagrad: made up front)
    assert not np.array_equal(model[2].weight.array, trained)


@pytest.mark.parametrize("optimizer, kwargs", [
    (optim.SGD, {}), (optim.SGD, {"weight_decay": 0.1}), (optim.Adam, {}),
    (optim.Adam, {"weight_decay": 0.1}), (optim.AdamW, {"weight_decay": 0.1})])
@pytest.mark.parametrize("unfreeze_at", [None, 2])
def test_foreach_path_leaves_out_frozen_parameters_bit_for_bit(optimizer, kwargs, unfreeze_at):
    """The foreach path updates the parameters that have a gradient, together, and
    gives the per-parameter reference's numbers, also once the frozen layer is thawed
    (its step count then differs from the others')."""
    def run(foreach):
        model = _frozen_mlp()
        opt = optimizer(model.parameters(), lr=0.1, foreach=foreach, **kwargs)
        _train_frozen(model, opt, unfreeze_at=unfreeze_at)
        return model, opt

    model, opt = run(True)
    reference, reference_opt = run(False)
    assert opt._foreach_cache and not reference_opt._foreach_cache
    if unfreeze_at is None:  # the foreach path ran over the trained layer alone
        assert opt._foreach_cache[0].params == list(model[2].parameters())
    for p, q in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p.array, q.array)
        assert p._version[0] == q._version[0]


def test_a_non_leaf_that_retains_its_grad_may_be_optimized_as_in_pytorch():
    w = _param()
    y = w * 2
    y.retain_grad()
    opt = optim.SGD([y], lr=0.1)
    (y * y).sum().backward()  # dL/dy = 2y = [4, -8]
    opt.step()
    _assert_close(y.array, [2 - 0.4, -4 + 0.8])


def test_parameter_groups_override_defaults():
    a, b = _param(), _param()
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    (a * tn.tensor(G1, dtype=tn.float64)).sum().backward()
    (b * tn.tensor(G1, dtype=tn.float64)).sum().backward()
    opt.step()
    _assert_close(a.array, [0.95, -1.9])
    _assert_close(b.array, [0.5, -1.0])


def test_step_returns_the_closures_loss():
    w = _param()
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 5.0
    _assert_close(w.array, [0.8, -1.6])  # w - 0.1·2w


def test_optimizer_repr_lists_hyper_parameters():
    text = repr(optim.SGD([_param()], lr=0.5, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.5\n" in text and "    momentum: 0.9\n" in text


# ---- state dicts -----------------------------------------------------------------------------
def _mlp(seed):
    tn.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 2)).double()


def _train(model, opt, steps, seed):
    rng = np.random.default_rng(seed)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        x = tn.tensor(rng.standard_normal((16, 3)))
        y = tn.tensor(rng.integers(0, 2, 16))
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return [p.array.copy() for p in model.parameters()]


OPTIMIZERS = [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda params: optim.SGD(params, lr=0.1, momentum=0.5, dampening=0.1),
    lambda params: optim.Adam(params, lr=0.01, betas=(0.8, 0.99), weight_decay=1e-2),
    lambda params: optim.AdamW(params, lr=0.01),
    lambda params: optim.RMSprop(params, lr=0.01, momentum=0.5, centered=True),
    lambda params: optim.Adagrad(params, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
]


@pytest.mark.parametrize("make", OPTIMIZERS, ids=["nesterov", "momentum", "adam", "adamw",
                                                  "rmsprop", "adagrad"])
def test_state_dict_round_trip_continues_identically(make):
    model = _mlp(0)
    opt = make(model.parameters())
    _train(model, opt, 3, seed=1)
    model_state = copy.deepcopy({k: v.array for k, v in model.state_dict().items()})
    opt_state = opt.state_dict()
    uninterrupted = _train(model, opt, 3, seed=2)

    restored = _mlp(5)  # different weights until the state is loaded
    restored.load_state_dict(model_state)
    restored_opt = make(restored.parameters())
    restored_opt.load_state_dict(opt_state)
    resumed = _train(restored, restored_opt, 3, seed=2)
    for a, b in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(a, b)


def test_state_dict_is_a_snapshot_numbered_like_pytorch():
    model = _mlp(0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 1, seed=1)
    state = opt.state_dict()
    assert sorted(state["state"]) == list(range(6))
    assert state["param_groups"][0]["params"] == list(range(6))
    assert state["param_groups"][0]["betas"] == (0.9, 0.999)
    assert state["state"][0]["step"] == 1
    saved = state["state"][0]["exp_avg"].copy()
    _train(model, opt, 1, seed=2)
    np.testing.assert_array_equal(state["state"][0]["exp_avg"], saved)  # not aliased


def test_load_state_dict_restores_hyper_parameters():
    w = _param()
    opt = optim.SGD([w], lr=0.5, momentum=0.9)
    other = optim.SGD([_param()], lr=0.1)
    other.load_state_dict(opt.state_dict())
    assert other.param_groups[0]["lr"] == 0.5 and other.param_groups[0]["momentum"] == 0.9


def test_load_state_dict_refuses_a_different_layout():
    opt = optim.Adam([_param(), _param()])
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: parameter group 0 of "
                                         r"state_dict must have as many parameters as the "
                                         r"optimizer's \(1\), got 2"):
        optim.Adam([_param()]).load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match=r"state_dict must have as many parameter groups as "
                                         r"the optimizer \(1\), got 2"):
        optim.Adam([_param()]).load_state_dict(
            optim.Adam([{"params": [_param()]}, {"params": [_param()]}]).state_dict())
    state = optim.Adam([_param()]).state_dict()
    state["state"] = {5: {"step": 1}}  # a parameter no group lists
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: state_dict holds state for "
                                         r"parameter 5, which none of its param_groups lists"):
        optim.Adam([_param()]).load_state_dict(state)


def test_a_failed_load_state_dict_keeps_the_old_state():
    w = _param()
    opt = optim.Adam([w], lr=0.1)
    _step(opt, w, G1)
    before = copy.deepcopy(opt.state[w])
    bad = opt.state_dict()
    bad["state"][0]["exp_avg"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 must have the parameter's "
                                         r"shape \(2,\), got \(3,\)"):
        opt.load_state_dict(bad)
    assert opt.state[w]["step"] == before["step"]
    np.testing.assert_array_equal(opt.state[w]["exp_avg"], before["exp_avg"])


# ---- argument errors -------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-0.1), "SGD: lr must be a finite number >= 0, got -0.1"),
    (lambda p: optim.SGD(p, lr=float("nan")), "SGD: lr must be a finite number >= 0, got nan"),
    (lambda p: optim.SGD(p, lr=float("inf")), "SGD: lr must be a finite number >= 0, got inf"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5),
     "SGD: momentum must be a finite number >= 0, got -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1),
     "SGD: weight_decay must be a finite number >= 0, got -1"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=float("nan")),
     "SGD: weight_decay must be a finite number >= 0, got nan"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "dampening = 0, got momentum=0.9 and dampening=0.1"),
    (lambda p: optim.Adam(p, lr=-1e-3), "Adam: lr must be a finite number >= 0, got -0.001"),
    (lambda p: optim.Adam(p, lr=float("inf")), "Adam: lr must be a finite number >= 0, got inf"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)),
     "Adam: betas[0] must be a finite number in [0, 1), got 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)),
     "Adam: betas[1] must be a finite number in [0, 1), got -0.1"),
    (lambda p: optim.Adam(p, eps=-1e-8), "Adam: eps must be a finite number >= 0, got -1e-08"),
    (lambda p: optim.Adam(p, eps=float("nan")), "Adam: eps must be a finite number >= 0, got nan"),
    (lambda p: optim.AdamW(p, weight_decay=-0.01),
     "AdamW: weight_decay must be a finite number >= 0, got -0.01"),
    (lambda p: optim.AdamW(p, weight_decay=float("inf")),
     "AdamW: weight_decay must be a finite number >= 0, got inf"),
    (lambda p: optim.RMSprop(p, lr=-0.1), "RMSprop: lr must be a finite number >= 0, got -0.1"),
    (lambda p: optim.RMSprop(p, alpha=-0.5),
     "RMSprop: alpha must be a finite number >= 0, got -0.5"),
    (lambda p: optim.RMSprop(p, momentum=float("nan")),
     "RMSprop: momentum must be a finite number >= 0, got nan"),
    (lambda p: optim.RMSprop(p, eps=-1.0), "RMSprop: eps must be a finite number >= 0, got -1.0"),
    (lambda p: optim.Adagrad(p, lr_decay=-0.1),
     "Adagrad: lr_decay must be a finite number >= 0, got -0.1"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
     "Adagrad: initial_accumulator_value must be a finite number >= 0, got -1"),
    (lambda p: optim.Adagrad(p, weight_decay=-1e-3),
     "Adagrad: weight_decay must be a finite number >= 0, got -0.001"),
])
def test_invalid_hyper_parameters_are_named(make, message):
    with pytest.raises(ValueError) as error:
        make([_param()])
    assert message in str(error.value)


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr="0.1"),
                                  lambda p: optim.Adam(p, lr=None),
                                  lambda p: optim.Adam(p, eps=True)])
def test_hyper_parameters_of_the_wrong_type_are_a_type_error(make):
    with pytest.raises(TypeError, match="must be a finite number"):
        make([_param()])


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_a_parameter_given_twice_is_refused_not_updated_twice(make):
    w = _param()
    with pytest.raises(ValueError, match="each parameter must appear once, got the tensor of "
                                         r"shape \(2,\) at position 1 a second time"):
        make([w, w], lr=0.1)
    with pytest.raises(ValueError, match="each parameter must appear once"):
        make([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_malformed_param_groups_are_refused_as_pytorch():
    w, q = _param(), _param()
    with pytest.raises(TypeError, match="SGD: params must be an ordered collection .* got a "
                                        "set"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(TypeError, match=r"SGD: param_group must be a dict \(with 'params'\), "
                                        r"got list"):
        optim.SGD([w], lr=0.1).add_param_group([q])
    with pytest.raises(TypeError, match="param_group must be a dict .* got Tensor"):
        optim.SGD([{"params": [w]}, q], lr=0.1)
    with pytest.raises(ValueError, match="params must all be .name, tensor. pairs or all "
                                         "tensors, got a pair at position 0 and no name at "
                                         "position 1"):
        optim.SGD([("w", w), q], lr=0.1)
    named = optim.SGD([("w", w)], lr=0.1)
    with pytest.raises(ValueError, match="must all be named or all unnamed .* a group without "
                                         "names to add to groups with"):
        named.add_param_group({"params": [q]})
    named.add_param_group({"params": [("q", q)]})
    assert [g["param_names"] for g in named.param_groups] == [["w"], ["q"]]


def test_invalid_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    w = _param()
    with pytest.raises(ValueError, match=r"SGD: params must be leaf tensors \(made by you, not "
                                         r"by an op\), got the output of Mul of shape \(2,\) "
                                         r"at position 1"):
        optim.SGD([tn.zeros(2), w * 2], lr=0.1)
    with pytest.raises(ValueError, match="each parameter must appear once"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(TypeError, match="params must be Tensors, got ndarray at position 0"):
        optim.SGD([np.zeros(2)], lr=0.1)


def test_a_bare_tensor_is_refused_as_in_pytorch():
    # a Tensor is iterable (row by row): without this check the optimizer would hold
    # slices of w, whose .grad is never filled, and silently never move w
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(_param(), lr=0.1)


def test_amsgrad_keeps_the_largest_second_moment_worked_by_hand():
    # lr 0.1, β = (0.5, 0.5), eps 0; one weight, gradients 2, then 0:
    # step 1: m = 1, v = 2, v̂ = 2; p = 1 - 0.1·(1/0.5)/(√2/√0.5) = 1 - 0.1 = 0.9
    # step 2: m = 0.5, v = 1 but v̂ stays 2; p = 0.9 - 0.1·(0.5/0.75)/(√2/√0.75)
    w = tn.tensor([1.0], dtype=tn.float64, requires_grad=True)
    opt = optim.Adam([w], lr=0.1, betas=(0.5, 0.5), eps=0.0, amsgrad=True)
    for g in (2.0, 0.0):
        w.grad = tn.tensor([g], dtype=tn.float64)
        opt.step()
    expected = 0.9 - 0.1 * (0.5 / 0.75) / (math.sqrt(2) / math.sqrt(0.75))
    np.testing.assert_allclose(w.array, [expected], rtol=1e-15)
    assert opt.state[w]["max_exp_avg_sq"].tolist() == [2.0]
    assert opt.state[w]["exp_avg_sq"].tolist() == [1.0]
    with pytest.raises(TypeError, match="Adam: amsgrad must be True or False, got 'x'"):
        optim.Adam([w], amsgrad="x")


@pytest.mark.parametrize("opt_class, kwargs", [
    (tn.optim.Adam, {}), (tn.optim.Adam, {"weight_decay": 0.1}),
    (tn.optim.AdamW, {"weight_decay": 0.1})])
def test_adam_foreach_path_equals_the_reference_bit_for_bit(opt_class, kwargs):
    """foreach=True (every parameter at once) and foreach=False (the per-parameter
    reference) agree exactly; so does a foreach optimizer with a parameter that has a
    gradient at one step only (left out of the other steps; at that one, its step count
    differs from the others', and the group falls back to the reference)."""
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((2, 4))]
    x = tn.tensor(rng.standard_normal((5, 3)))

    def run(foreach, with_idle_param=False):
        params = [tn.nn.Parameter(tn.tensor(a)) for a in init]
        idle = [tn.nn.Parameter(tn.zeros(3, dtype=tn.float64))] if with_idle_param else []
        opt = opt_class(params + idle, lr=0.05, foreach=foreach, **kwargs)
        for step in range(6):
            opt.zero_grad()
            W1, b1, W2 = params
            loss = ((x @ W1.T + b1).tanh() @ W2.T).pow(2).sum()
            loss.backward()
            if with_idle_param and step == 3:
                idle[0].grad = tn.zeros(3, dtype=tn.float64)  # one foreach step, then back
            opt.step()
            if with_idle_param and step == 3:
                idle[0].grad = None
        return [p.array for p in params], opt

    foreach_params, foreach_opt = run(True)
    assert foreach_opt._foreach_cache  # the foreach path ran
    for other, _ in (run(False), run(True, with_idle_param=True), run(None)):
        for a, b in zip(foreach_params, other):
            np.testing.assert_array_equal(a, b)
    with tn.fast_paths(False):
        reference_params, reference_opt = run(None)
    assert not reference_opt._foreach_cache  # the switch chose the reference
    for a, b in zip(foreach_params, reference_params):
        np.testing.assert_array_equal(a, b)
    state = foreach_opt.state_dict()["state"]
    assert [state[i]["step"] for i in range(3)] == [6, 6, 6]
    assert state[0]["exp_avg"].shape == (4, 3)


@pytest.mark.parametrize("kwargs", [{}, {"weight_decay": 0.1}, {"momentum": 0.9},
                                    {"momentum": 0.9, "nesterov": True}])
def test_sgd_foreach_path_equals_the_reference_bit_for_bit(kwargs):
    """Plain SGD (with or without weight decay) on the foreach path, and SGD with momentum
    (which keeps the per-parameter path), agree exactly with the reference, values and
    versions, also when one step falls back (a parameter without a gradient)."""
    rng = np.random.default_rng(1)
    init = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((2, 4))]
    x = tn.tensor(rng.standard_normal((5, 3)))

    def run(foreach, skip_step=None):
        params = [tn.nn.Parameter(tn.tensor(a)) for a in init]
        opt = tn.optim.SGD(params, lr=0.05, foreach=foreach, **kwargs)
        for step in range(5):
            opt.zero_grad()
            W1, b1, W2 = params
            ((x @ W1.T + b1).tanh() @ W2.T).pow(2).sum().backward()
            if step == skip_step:
                b1.grad = None  # this step, b1 stays where it is
            opt.step()
        return params, opt

    params, opt = run(True)
    assert bool(opt._foreach_cache) == ("momentum" not in kwargs)  # momentum: per parameter
    with tn.fast_paths(False):
        switched_off = run(None)
    assert not switched_off[1]._foreach_cache  # the switch chose the reference
    for one, other in ((params, run(False)[0]), (params, switched_off[0]),
                       (run(True, skip_step=2)[0], run(False, skip_step=2)[0])):
        for p, q in zip(one, other):
            np.testing.assert_array_equal(p.array, q.array)
            assert p._version[0] == q._version[0]
    assert [p._version[0] for p in params] == [5, 5, 5]


def test_sgd_takes_foreach_none_or_a_bool():
    with pytest.raises(TypeError, match="SGD: foreach must be None, True or False, got 'yes'"):
        tn.optim.SGD([_param()], foreach="yes")


def _adam_steps(params, steps=3, foreach=True, optimizer=tn.optim.Adam):
    opt = optimizer(params, lr=0.05, foreach=foreach)
    x = tn.tensor(np.linspace(-1, 1, 15).reshape(5, 3))
    for _ in range(steps):
        opt.zero_grad()
        W, b = params
        (x @ W.T + b).tanh().pow(2).sum().backward()
        opt.step()
    return opt


def _two_params(seed=0):
    rng = np.random.default_rng(seed)
    return [tn.nn.Parameter(tn.tensor(rng.standard_normal((4, 3)))),
            tn.nn.Parameter(tn.tensor(rng.standard_normal(4)))]


@pytest.mark.parametrize("optimizer", [tn.optim.Adam, tn.optim.SGD])
def test_foreach_moves_lone_parameters_into_one_flat_array(optimizer):
    """Parameters no one else holds become views of one flat array (the update's last pass
    is then one call); values and versions are those of per-parameter arrays."""
    params = _two_params()
    opt = _adam_steps(params, optimizer=optimizer)
    flat = opt._foreach_cache[0].data
    assert flat is not None and flat.shape == (16,)
    assert all(p.array.base is flat for p in params)
    np.testing.assert_array_equal(flat, np.concatenate([p.array.ravel() for p in params]))
    reference = _two_params()
    _adam_steps(reference, foreach=False, optimizer=optimizer)
    for p, q in zip(params, reference):
        np.testing.assert_array_equal(p.array, q.array)
        assert p._version[0] == q._version[0] == 3


@pytest.mark.parametrize("hold", ["data", "numpy", "view", "detach"])
@pytest.mark.parametrize("optimizer", [tn.optim.Adam, tn.optim.SGD])
def test_foreach_never_moves_a_parameter_someone_holds(hold, optimizer):
    """A .data, .numpy(), a view or a detached tensor taken before training shares the
    parameter's memory (as in PyTorch): it must keep seeing the updates, so the parameter
    stays where it is (and the update runs parameter by parameter)."""
    params = _two_params()
    W = params[0]
    held = {"data": lambda: W.data, "numpy": lambda: W.detach().numpy(), "view": lambda: W.array[0],
            "detach": lambda: W.detach()}[hold]()
    opt = _adam_steps(params, optimizer=optimizer)
    assert opt._foreach_cache[0].data is None
    seen = held.array if isinstance(held, tn.Tensor) else held
    np.testing.assert_array_equal(seen, W.array if hold != "view" else W.array[0])


def test_adam_foreach_follows_a_parameter_given_a_new_array():
    """After the move, a parameter given a new array (p.data = ..., .to) is updated in its
    new array: the group is updated parameter by parameter (the others are still views
    of the old flat array, so it cannot be flattened again)."""
    params = _two_params()
    opt = _adam_steps(params)
    params[0].data = tn.zeros(4, 3, dtype=tn.float64)
    new = params[0].array
    opt.step()  # one more step, with the gradients of the last one
    assert params[0].array is new and params[0].array.base is None  # held: not moved
    assert np.all(new != 0)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("optimizer", [tn.optim.Adam, tn.optim.SGD])
def test_a_copied_optimizer_keeps_training_its_own_copy_of_the_parameters(how, optimizer):
    """A copy of the model and its optimizer (deepcopy, pickle: a saved estimator) trains
    on as the original does, bit for bit: the copy rebuilds its flat arrays from its own
    parameters and state, and the original's are untouched."""
    import copy
    import pickle

    params = _two_params()
    opt = _adam_steps(params, optimizer=optimizer)
    twin = copy.deepcopy((params, opt)) if how == "deepcopy" else \
        pickle.loads(pickle.dumps((params, opt)))
    x = tn.tensor(np.linspace(-1, 1, 15).reshape(5, 3))
    before = [p.array.copy() for p in params]
    for (W, b), optimizer in ((params, opt), twin):
        for _ in range(2):
            optimizer.zero_grad()
            (x @ W.T + b).tanh().pow(2).sum().backward()
            optimizer.step()
    for p, q, old in zip(params, twin[0], before):
        assert not np.array_equal(q.array, old)  # the copy moved
        np.testing.assert_array_equal(p.array, q.array)  # as the original did
    assert twin[1]._foreach_cache[0].data is not None  # and runs flat again
    state, twin_state = opt.state_dict()["state"], twin[1].state_dict()["state"]
    for i in range(2 if optimizer is tn.optim.Adam else 0):
        np.testing.assert_array_equal(state[i]["exp_avg"], twin_state[i]["exp_avg"])


def test_adam_stays_flat_after_load_state_dict():
    """A rebuilt flat state (after load_state_dict) takes the parameters' existing flat
    array as it is."""
    params = _two_params()
    opt = _adam_steps(params)
    flat = opt._foreach_cache[0].data
    opt.load_state_dict(opt.state_dict())
    x = tn.tensor(np.linspace(-1, 1, 15).reshape(5, 3))
    opt.zero_grad()
    (x @ params[0].T + params[1]).tanh().pow(2).sum().backward()
    opt.step()
    assert opt._foreach_cache[0].data is flat
    assert all(p.array.base is flat for p in params)


def test_adam_runs_where_reference_counts_are_unknown():
    """Without sys.getrefcount (PyPy), nothing is flattened and Adam runs as written."""
    code = ("import sys; del sys.getrefcount\n"
            "import numpy as np, tinynet as tn\n"
            "w = tn.nn.Parameter(tn.ones(3)); opt = tn.optim.Adam([w], lr=0.1)\n"
            "(w * w).sum().backward(); opt.step()\n"
            "assert w.array.base is None and np.allclose(w.array, 0.9), w\n"
            "print('ok')")
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_foreach_takes_none_or_a_bool():
    with pytest.raises(TypeError, match="Adam: foreach must be None, True or False, got 1"):
        tn.optim.Adam([_param()], foreach=1)


@pytest.mark.parametrize("opt_class, kwargs", [
    (tn.optim.Adam, {}), (tn.optim.Adam, {"weight_decay": 0.1}),
    (tn.optim.AdamW, {"weight_decay": 0.1})])
def test_adam_blocked_path_equals_per_parameter_path_bit_for_bit(opt_class, kwargs,
                                                                monkeypatch):
    """A group larger than BLOCK elements is updated block by block, straight into each
    parameter. With BLOCK = 5, blocks end inside parameters (12 and 8 elements), and a
    parameter whose data is not contiguous (a transpose) must still be updated."""
    from tinynet.optim import _foreach
    rng = np.random.default_rng(2)
    init = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((4, 2))]
    x = tn.tensor(rng.standard_normal((5, 3)))

    def run(block):
        monkeypatch.setattr(_foreach, "BLOCK", block)
        W1, b1 = (tn.nn.Parameter(tn.tensor(a)) for a in init[:2])
        W2 = tn.nn.Parameter(tn.tensor(init[2]))
        W2.array = W2.array.T  # (2, 4), Fortran-ordered: not C-contiguous
        opt = opt_class([W1, b1, W2], lr=0.05, **kwargs)
        for _ in range(6):
            opt.zero_grad()
            ((x @ W1.T + b1).tanh() @ W2.T).pow(2).sum().backward()
            opt.step()
        assert opt._foreach_cache[0].blocked == (block < 24)
        return [p.array.copy() for p in (W1, b1, W2)], [p._version[0] for p in (W1, b1, W2)]

    blocked, blocked_versions = run(5)
    whole, whole_versions = run(1 << 16)
    for a, b in zip(blocked, whole):
        np.testing.assert_array_equal(a, b)
    assert blocked_versions == whole_versions
    assert not np.array_equal(blocked[2], init[2].T)  # the transposed parameter moved


@pytest.mark.parametrize("kwargs, transposed", [({}, True), ({"weight_decay": 0.1}, False)])
def test_sgd_blocked_path_equals_the_reference_bit_for_bit(kwargs, transposed, monkeypatch):
    """Plain SGD on a group larger than BLOCK elements runs block by block (lr·g in a
    scratch block): with BLOCK = 5, blocks end inside parameters, and a parameter whose
    data is not contiguous (a transpose) is updated too; values and versions are the
    per-parameter reference's."""
    from tinynet.optim import _foreach
    monkeypatch.setattr(_foreach, "BLOCK", 5)
    rng = np.random.default_rng(3)
    init = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((4, 2))]
    x = tn.tensor(rng.standard_normal((5, 3)))

    def run(foreach):
        W1, b1, W2 = (tn.nn.Parameter(tn.tensor(a)) for a in init)
        W2.array = W2.array.T if transposed else np.ascontiguousarray(W2.array.T)
        opt = tn.optim.SGD([W1, b1, W2], lr=0.05, foreach=foreach, **kwargs)
        for _ in range(6):
            opt.zero_grad()
            ((x @ W1.T + b1).tanh() @ W2.T).pow(2).sum().backward()
            opt.step()
        return [W1, b1, W2], opt

    blocked, opt = run(True)
    assert opt._foreach_cache[0].blocked
    reference, reference_opt = run(False)
    assert not reference_opt._foreach_cache
    for p, q in zip(blocked, reference):
        np.testing.assert_array_equal(p.array, q.array)
        assert p._version[0] == q._version[0] == 6
    assert not np.array_equal(blocked[2].array, init[2].T)  # the last parameter moved


def test_adam_flat_state_survives_load_state_dict():
    rng = np.random.default_rng(1)
    data = [rng.standard_normal((3, 3)), rng.standard_normal(3)]

    def make():
        params = [tn.nn.Parameter(tn.tensor(a)) for a in data]
        return params, tn.optim.Adam(params, lr=0.1)

    def train(params, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            (params[0].sum(dim=0) * params[1]).exp().sum().backward()
            opt.step()

    a_params, a_opt = make()
    train(a_params, a_opt, 3)
    saved = a_opt.state_dict()
    train(a_params, a_opt, 3)
    b_params, b_opt = make()  # replay: same 3 steps, then resume from the saved state
    train(b_params, b_opt, 3)
    b_opt.load_state_dict(saved)
    train(b_params, b_opt, 3)
    for p, q in zip(b_params, a_params):
        np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize("shape, new_shape", [((3, 2), (4, 2)), ((300, 250), (400, 250))])
def test_adam_refuses_a_parameter_whose_shape_changed_under_it(shape, new_shape):
    """Small groups are gathered and large ones updated in blocks; either way a parameter
    that grew after a step must raise, not have only its old part updated."""
    p = tn.nn.Parameter(tn.zeros(*shape))
    opt = tn.optim.Adam([p], lr=0.1)
    p.grad = tn.ones(*shape)
    opt.step()
    p.array = np.zeros(new_shape, np.float32)
    p.grad = tn.ones(*new_shape)
    with pytest.raises(ValueError, match=r"Adam.step: each parameter must keep the shape of its "
                       r"optimizer state, got shape \(%d, %d\) for state 'exp_avg' of shape "
                       r"\(%d, %d\).*create a new optimizer" % (*new_shape, *shape)):
        opt.step()


@pytest.mark.parametrize("name", ["exp_avg", "exp_avg_sq"])
def test_adam_uses_a_state_entry_the_user_replaced(name):
    # Replacing either moment in optimizer.state (as a user or a checkpoint tool may) must
    # take effect at the next step, not be shadowed by the flat buffers.
    p = tn.nn.Parameter(tn.tensor([1.0, 2.0], dtype=tn.float64))
    opt = tn.optim.Adam([p], lr=0.1, betas=(0.5, 0.75))
    p.grad = tn.tensor([1.0, 1.0], dtype=tn.float64)
    opt.step()
    opt.state[p][name] = np.array([4.0, 4.0])
    m, v = opt.state[p]["exp_avg"].copy(), opt.state[p]["exp_avg_sq"].copy()
    before = p.array.copy()
    opt.step()  # step 2, gradient still 1
    m, v = 0.5 * m + 0.5, 0.75 * v + 0.25
    expected = before - 0.1 * (m / (1 - 0.5 ** 2)) / (np.sqrt(v / (1 - 0.75 ** 2)) + 1e-8)
    np.testing.assert_allclose(opt.state[p]["exp_avg"], m, rtol=1e-15)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"], v, rtol=1e-15)
    np.testing.assert_allclose(p.array, expected, rtol=1e-14)


def test_adam_group_whose_parameters_skip_steps_matches_separate_optimizers():
    # b has no gradient at step 2: the group leaves the flat path (b stays put, its step
    # count falls behind), then takes it up again; each parameter must follow the update
    # an optimizer of its own would make.
    rng = np.random.default_rng(3)
    init = [rng.standard_normal((4, 3)), rng.standard_normal(3)]
    grads = [[rng.standard_normal(a.shape) for a in init] for _ in range(4)]
    grads[1][1] = None
    grads[3][0] = None
    together = [tn.nn.Parameter(tn.tensor(a)) for a in init]
    alone = [tn.nn.Parameter(tn.tensor(a)) for a in init]
    opt = tn.optim.Adam(together, lr=0.1)
    opts = [tn.optim.Adam([p], lr=0.1) for p in alone]
    for step_grads in grads:
        for p, q, o, g in zip(together, alone, opts, step_grads):
            p.grad = None if g is None else tn.tensor(g)
            q.grad = None if g is None else tn.tensor(g)
            if g is not None:
                o.step()
        opt.step()
        for p, q in zip(together, alone):
            np.testing.assert_allclose(p.array, q.array, rtol=1e-14, atol=0)
    assert [opt.state[p]["step"] for p in together] == [3, 3]
    assert not np.array_equal(together[1].array, init[1])


# ---- RMSprop and Adagrad -------------------------------------------------------------------
def test_rmsprop_two_steps():
    w = _param()
    opt = optim.RMSprop([w], lr=0.1)  # alpha 0.99, eps 1e-8
    # step 1: v1 = 0.01·g1² = [0.0025, 0.01];  √v1 = [0.05, 0.1]
    #   w1 = w0 - 0.1·g1/(√v1 + 1e-8) = [1 - 0.05/0.05000001, -2 + 0.1/0.10000001]
    #      = [1 - 0.9999998, -2 + 0.9999999]
    _assert_close(_step(opt, w, G1), [1.9999996e-07, -1.0000001])
    # step 2: v2 = 0.99·v1 + 0.01·g2² = [0.002475 + 0.01, 0.0099 + 0.04] = [0.012475, 0.0499]
    #   √v2 = [0.111691540, 0.223383079]
    #   w2 = w1 - 0.1·g2/(√v2 + 1e-8) = w1 + [0.895322882, -0.895322922]
    _assert_close(_step(opt, w, G2), [0.8953230819113, -1.8953230219915])
    assert opt.state[w]["step"] == 2
    _assert_close(opt.state[w]["square_avg"], [0.012475, 0.0499])


def test_rmsprop_centered_with_momentum():
    w = _param()
    opt = optim.RMSprop([w], lr=0.1, alpha=0.9, momentum=0.9, centered=True)
    # step 1: v1 = 0.1·g1² = [0.025, 0.1];  m1 = 0.1·g1 = [0.05, -0.1]
    #   s1 = √(v1 - m1²) + 1e-8 = √[0.0225, 0.09] + 1e-8 = [0.15000001, 0.30000001]
    #   b1 = g1/s1 = [3.333333111, -3.333333222];  w1 = w0 - 0.1·b1
    _assert_close(_step(opt, w, G1), [0.6666666888889, -1.6666666777778])
    # step 2: v2 = 0.9·v1 + 0.1·g2² = [0.1225, 0.49];  m2 = 0.9·m1 + 0.1·g2 = [-0.055, 0.11]
    #   s2 = √(v2 - m2²) + 1e-8 = √[0.119475, 0.4779] + 1e-8 = [0.345651569, 0.691303127]
    #   b2 = 0.9·b1 + g2/s2 = [3.0 - 2.893087..., -3.0 + 2.893087...] = [0.106912973, -0.106913031]
    #   w2 = w1 - 0.1·b2
    _assert_close(_step(opt, w, G2), [0.6559753915874, -1.6559753746613])
    _assert_close(opt.state[w]["grad_avg"], [-0.055, 0.11])


def test_rmsprop_weight_decay_is_an_l2_penalty():
    w = _param()
    opt = optim.RMSprop([w], lr=0.1, weight_decay=0.1)
    # g' = g1 + 0.1·w0 = [0.6, -1.2];  v1 = 0.01·g'² = [0.0036, 0.0144];  √v1 = [0.06, 0.12]
    #   w1 = w0 - 0.1·g'/(√v1 + 1e-8) = [1 - 0.99999983, -2 + 0.99999992]
    _assert_close(_step(opt, w, G1), [1.0 - 0.06 / 0.06000001, -2.0 + 0.12 / 0.12000001])


def test_adagrad_two_steps_with_lr_decay_and_initial_accumulator():
    w = _param()
    opt = optim.Adagrad([w], lr=0.1, lr_decay=0.5, initial_accumulator_value=0.1)
    assert opt.state[w]["step"] == 0  # as PyTorch, the state exists before the first step
    _assert_close(opt.state[w]["sum"], [0.1, 0.1])
    # step 1: lr₁ = 0.1/(1 + 0·0.5) = 0.1;  S1 = 0.1 + g1² = [0.35, 1.1]
    #   √S1 = [0.591607978, 1.048808848];  w1 = w0 - 0.1·g1/(√S1 + 1e-10)
    #      = [1 - 0.084515425, -2 + 0.095346259]
    _assert_close(_step(opt, w, G1), [0.9154845745414, -1.9046537410845])
    # step 2: lr₂ = 0.1/(1 + 1·0.5) = 0.0666…;  S2 = S1 + g2² = [1.35, 5.1]
    #   √S2 = [1.161895004, 2.258317958];  w2 = w1 - lr₂·g2/(√S2 + 1e-10)
    #      = [0.915484575 + 0.057377531, -1.904653741 - 0.059040992]
    _assert_close(_step(opt, w, G2), [0.9728621055914, -1.9636947334513])
    _assert_close(opt.state[w]["sum"], [1.35, 5.1])


def test_adagrad_defaults_take_a_first_step_of_lr_per_coordinate():
    w = _param()
    opt = optim.Adagrad([w], lr=0.1, weight_decay=0.1)
    # g' = g1 + 0.1·w0 = [0.6, -1.2];  S1 = g'²;  w1 = w0 - 0.1·g'/(|g'| + 1e-10) ≈ w0 - 0.1·sign
    _assert_close(_step(opt, w, G1), [1.0 - 0.06 / (0.6 + 1e-10), -2.0 + 0.12 / (1.2 + 1e-10)])


def test_adagrad_state_for_a_group_added_later():
    w, v = _param(), _param()
    opt = optim.Adagrad([w], lr=0.1)
    opt.add_param_group({"params": [v], "initial_accumulator_value": 1.0})
    _step(opt, v, G1)  # (w has no gradient and stays)
    _assert_close(opt.state[v]["sum"], [1.25, 2.0])
    np.testing.assert_array_equal(w.array, W0)


# ---- the foreach paths against odd groups ---------------------------------------------
def _one_step(optimizer, foreach, group_extra=None, grad=None, share=False, **kwargs):
    """Parameters after one step of ``optimizer`` on a fixed float32 problem."""
    rng = np.random.default_rng(3)
    params = [tn.nn.Parameter(tn.tensor(rng.standard_normal((5, 4)), dtype=tn.float32)),
              tn.nn.Parameter(tn.tensor(rng.standard_normal(4), dtype=tn.float32))]
    if share:  # the bias is a view of the weight's first row
        params[1].array = params[0].array[0]
    opt = optimizer([{"params": params, **(group_extra or {})}], lr=0.1, foreach=foreach,
                    **kwargs)
    for p, g in zip(params, [rng.standard_normal((5, 4)), rng.standard_normal(4)]):
        p.grad = tn.tensor(g, dtype=tn.float32)
    if grad is not None:  # past the assignment's checks, as a hook's gradient could not be
        params[1]._grad = grad
    opt.step()
    return [p.array.copy() for p in params]


@pytest.mark.parametrize("optimizer", [tn.optim.SGD, tn.optim.Adam])
@pytest.mark.parametrize("case", [
    {"group_extra": {"lr": np.float64(0.1)}},
    {"group_extra": {"weight_decay": np.float64(0.1)}},
    {"grad": tn.tensor(np.linspace(-1, 1, 4))},  # float64 gradient, float32 parameter
    {"grad": tn.tensor(0.5, dtype=tn.float32)},  # broadcast by the per-parameter update
    {"share": True, "weight_decay": 0.1},
], ids=["numpy_lr", "numpy_weight_decay", "float64_grad", "0d_grad", "shared_memory"])
def test_foreach_paths_agree_with_the_reference_on_odd_groups(optimizer, case):
    """numpy float64 hyper-parameters (computed as Python floats, as PyTorch computes in
    the parameter's dtype), a gradient of another dtype or shape, parameters sharing
    memory with weight decay: the foreach path gives the reference's numbers, or lets the
    reference run."""
    foreach, reference = _one_step(optimizer, True, **case), _one_step(optimizer, False, **case)
    for a, b in zip(foreach, reference):
        np.testing.assert_array_equal(a, b)
    if "group_extra" in case:  # a numpy float64 counts as the Python float it holds
        name = next(iter(case["group_extra"]))
        plain = _one_step(optimizer, False, group_extra={name: 0.1})
        for a, b in zip(reference, plain):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [tn.optim.SGD, tn.optim.Adam])
def test_foreach_skips_an_empty_group(optimizer):
    w = tn.nn.Parameter(tn.ones(3))
    opt = optimizer([{"params": [w]}, {"params": []}], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w._version[0] == 1 and np.all(w.array < 1)


def test_an_sgd_pickled_before_foreach_existed_steps():
    """A pickled SGD whose state has neither ``foreach`` nor its cache (as saved by
    versions before the foreach path) loads and steps on the default path."""
    w = tn.nn.Parameter(tn.ones(3))
    opt = tn.optim.SGD([w], lr=0.1)
    state = opt.__getstate__()
    del state["foreach"], state["_foreach_cache"]
    old = tn.optim.SGD.__new__(tn.optim.SGD)
    old.__setstate__(state)
    (w * w).sum().backward()
    old.step()
    np.testing.assert_allclose(w.array, 0.8)
    assert old.foreach is None and old._foreach_cache


@pytest.mark.parametrize("optimizer", [tn.optim.SGD, tn.optim.Adam])
def test_foreach_agrees_with_the_reference_when_two_parameters_share_an_array(optimizer):
    def run(foreach):
        w = tn.nn.Parameter(tn.tensor(np.linspace(-1, 1, 6).reshape(2, 3)))
        twin = w.detach().requires_grad_()  # the same array, another tensor
        opt = optimizer([w, twin], lr=0.1, weight_decay=0.1, foreach=foreach)
        for _ in range(2):
            w.grad, twin.grad = tn.ones(2, 3, dtype=tn.float64), tn.ones(2, 3, dtype=tn.float64)
            opt.step()
        return w.array.copy()
    np.testing.assert_array_equal(run(True), run(False))


@pytest.mark.parametrize("optimizer", [tn.optim.SGD, tn.optim.Adam])
def test_a_parameter_appended_to_a_group_is_updated(optimizer):
    def run(foreach):
        a, b = tn.nn.Parameter(tn.ones(3)), tn.nn.Parameter(tn.ones(2))
        opt = optimizer([a], lr=0.1, foreach=foreach)
        a.grad = tn.ones(3)
        opt.step()
        opt.param_groups[0]["params"].append(b)
        a.grad, b.grad = tn.ones(3), tn.ones(2)
        opt.step()
        return a.array.copy(), b.array.copy()
    for x, y in zip(run(True), run(False)):
        np.testing.assert_array_equal(x, y)
    assert np.all(run(True)[1] < 1)


def test_named_parameters_and_a_tensor_lr_are_taken_as_pytorch_takes_them():
    """optim.Adam(model.named_parameters(), lr=tn.tensor(0.5)) keeps the names in its group
    (and state_dict) and steps as with the plain parameters and a float lr."""
    tn.manual_seed(0)
    a = tn.nn.Linear(3, 2)
    b = tn.nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    named = tn.optim.Adam(a.named_parameters(), lr=tn.tensor(0.5))  # (exact in float32)
    plain = tn.optim.Adam(b.parameters(), lr=0.5)
    assert named.param_groups[0]["param_names"] == ["weight", "bias"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
    assert named.param_groups[0]["lr"] == 0.5 and type(named.param_groups[0]["lr"]) is float
    x = tn.randn(4, 3)
    for model, opt in ((a, named), (b, plain)):
        for _ in range(3):
            opt.zero_grad()
            model(x).square().sum().backward()
            opt.step()
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    with pytest.raises(TypeError, match="lr must be a finite number"):
        tn.optim.SGD(b.parameters(), lr=tn.tensor([0.1, 0.2]))


def test_load_state_dict_names_what_is_not_an_optimizers_state():
    lin = tn.nn.Linear(2, 2)
    opt = optim.Adam(lin.parameters())
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: state_dict must be an "
                                         r"optimizer's state_dict\(\), .* got OrderedDict with "
                                         r"keys \['bias', 'weight'\] \(a model's state_dict\?\)"):
        opt.load_state_dict(lin.state_dict())
    with pytest.raises(ValueError, match="got NoneType"):
        opt.load_state_dict(None)
    with pytest.raises(ValueError, match="'state' \\(a dict\\)"):
        opt.load_state_dict({"state": [1], "param_groups": []})
