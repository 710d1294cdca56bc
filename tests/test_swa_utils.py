"""optim.swa_utils: AveragedModel against the closed forms of its averages (the mean of the
models seen, the EMA recurrence), SWALR's rates by hand, update_bn's statistics by hand;
each against PyTorch too (torch is needed for those tests), with a whole SWA training run
started from the same weights; saved states resumed, and the errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.optim.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                     get_swa_avg_fn, get_swa_multi_avg_fn, update_bn)


def _mlp(lib, dtype):
    """Linear → BatchNorm1d → ReLU → Linear, in ``lib`` (tinynet or torch)."""
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(),
                         nn.Linear(6, 3)).to(dtype)


def _set_weights(model, rng, scale=1.0) -> list:
    """Random values in every parameter, in place; returns them (numpy copies)."""
    values = []
    with tn.no_grad():
        for p in model.parameters():
            v = rng.normal(scale=scale, size=p.shape).astype(p.dtype)
            p.copy_(tn.tensor(v))
            values.append(v)
    return values


def _torch_copy(model, torch, dtype):
    """PyTorch's _mlp holding ``model``'s parameters and buffers (through numpy)."""
    twin = _mlp(torch, dtype)
    with torch.no_grad():
        for name, t in twin.state_dict().items():
            t.copy_(torch.from_numpy(np.array(model.state_dict()[name].numpy())))
    return twin


def _numpy_state(model) -> dict:
    return {k: np.array(v.numpy()) for k, v in model.state_dict().items()}


# ---- namespace ------------------------------------------------------------------------------
def test_swa_utils_is_reached_as_in_pytorch():
    import tinynet as torch  # the PyTorch spelling runs

    assert torch.optim.swa_utils.AveragedModel is AveragedModel
    assert torch.optim.swa_utils.SWALR is SWALR
    assert torch.optim.swa_utils.update_bn is update_bn


# ---- AveragedModel ----------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 8), seed=st.integers(0, 2 ** 16), multi=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_the_running_average_is_the_mean_of_the_models_seen(n, seed, multi, dtype):
    rng = np.random.default_rng(seed)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2)).to(dtype)
    swa = AveragedModel(model, multi_avg_fn=get_swa_multi_avg_fn() if multi else None)
    snapshots = []
    for _ in range(n):
        snapshots.append(_set_weights(model, rng, scale=3.0))
        swa.update_parameters(model)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    for i, p in enumerate(swa.module.parameters()):
        assert p.dtype == dtype
        mean = np.mean([s[i] for s in snapshots], axis=0)  # W_avg = Σ W_t / n
        np.testing.assert_allclose(p.detach().numpy(), mean, rtol=tol, atol=tol)
    assert swa.n_averaged.item() == n and swa.n_averaged.dtype == np.int64
    assert swa.n_averaged.shape == ()


@pytest.mark.parametrize("multi", [False, True])
def test_ema_follows_its_recurrence(multi):
    decay = 0.7
    rng = np.random.default_rng(0)
    model = tn.nn.Linear(3, 2).double()
    fn = dict(multi_avg_fn=get_ema_multi_avg_fn(decay)) if multi else \
        dict(avg_fn=get_ema_avg_fn(decay))
    ema_model = AveragedModel(model, **fn)
    ema = None
    for _ in range(6):
        values = _set_weights(model, rng)
        ema_model.update_parameters(model)
        # W_ema = W₀, then W_ema ← decay·W_ema + (1 - decay)·W
        ema = values if ema is None else [decay * e + (1 - decay) * v
                                          for e, v in zip(ema, values)]
    for p, expected in zip(ema_model.module.parameters(), ema):
        np.testing.assert_allclose(p.detach().numpy(), expected, rtol=1e-12, atol=1e-15)


def test_ema_by_hand_on_one_weight():
    model = tn.nn.Linear(1, 1, bias=False).double()
    ema = AveragedModel(model, avg_fn=get_ema_avg_fn(0.5))
    for w in (4.0, 0.0, 2.0):  # 4, then 0.5·4 + 0.5·0 = 2, then 0.5·2 + 0.5·2 = 2
        with tn.no_grad():
            model.weight.fill_(w)
        ema.update_parameters(model)
    assert ema.module.weight.item() == 2.0
    with tn.no_grad():
        model.weight.fill_(10.0)
    ema.update_parameters(model)  # 0.5·2 + 0.5·10
    assert ema.module.weight.item() == 6.0


def test_a_custom_avg_fn_gets_the_count_of_models_averaged():
    counts = []

    def keep_max(averaged, current, num_averaged):
        counts.append(int(num_averaged.item()))
        return tn.maximum(averaged, current)

    model = tn.nn.Linear(1, 1, bias=False)
    swa = AveragedModel(model, avg_fn=keep_max)
    for w in (1.0, 5.0, 2.0):
        with tn.no_grad():
            model.weight.fill_(w)
        swa.update_parameters(model)
    assert swa.module.weight.item() == 5.0
    assert counts == [1, 2]  # the first model was copied


def test_the_copy_is_deep_and_forward_calls_it():
    model = tn.nn.Linear(2, 1).double()
    swa = AveragedModel(model)
    swa.update_parameters(model)
    with tn.no_grad():
        model.weight.add_(1.0)  # the model moves on; the copy stays
    x = tn.tensor([[1.0, 2.0]], dtype=tn.float64)
    assert swa.module is not model and swa.module.weight is not model.weight
    np.testing.assert_array_equal(swa(x).detach().numpy(), swa.module(x).detach().numpy())
    np.testing.assert_allclose(swa(x).detach().numpy(), model(x).detach().numpy() - 3.0,
                               rtol=1e-14)  # (x·1 + x·2 less)
    assert swa.module.weight.requires_grad and swa.module.weight.grad_fn is None


def _bn_model(dtype=np.float64):
    return tn.nn.Sequential(tn.nn.Linear(2, 3), tn.nn.BatchNorm1d(3)).to(dtype)


def _train_bn(model, rng):
    """One training-mode batch through the model: its running statistics move."""
    model.train()
    model(tn.tensor(rng.normal(size=(5, 2)), dtype=tn.float64))


def test_without_use_buffers_the_buffers_are_copied_from_the_model():
    rng = np.random.default_rng(1)
    model = _bn_model()
    swa = AveragedModel(model)
    for _ in range(3):
        _set_weights(model, rng)
        _train_bn(model, rng)
        swa.update_parameters(model)
    bn, swa_bn = model[1], swa.module[1]
    np.testing.assert_array_equal(swa_bn.running_mean.numpy(), bn.running_mean.numpy())
    np.testing.assert_array_equal(swa_bn.running_var.numpy(), bn.running_var.numpy())
    assert swa_bn.num_batches_tracked.item() == 3


def test_with_use_buffers_the_buffers_are_averaged_too():
    rng = np.random.default_rng(2)
    model = _bn_model()
    swa = AveragedModel(model, use_buffers=True)
    means, counts = [], []
    for _ in range(3):
        _set_weights(model, rng)
        _train_bn(model, rng)
        swa.update_parameters(model)
        means.append(model[1].running_mean.numpy().copy())
        counts.append(model[1].num_batches_tracked.item())
    np.testing.assert_allclose(swa.module[1].running_mean.numpy(), np.mean(means, axis=0),
                               rtol=1e-12)
    # the int64 count: 1, then 1 + (2 - 1)/2 = 1.5 → 1, then 1 + (3 - 1)/3 = 1.67 → 1
    assert counts == [1, 2, 3] and swa.module[1].num_batches_tracked.item() == 1


# (not swa_multi with use_buffers: PyTorch's refuses the int64 batch count; see
# test_swa_multi_avg_fn_averages_integer_buffers_as_the_default)
@pytest.mark.parametrize("use_buffers, fn", [
    (False, "default"), (True, "default"), (False, "swa_multi"), (False, "ema"),
    (True, "ema"), (False, "ema_multi"), (True, "ema_multi")])
def test_averages_and_buffers_as_pytorch(use_buffers, fn):
    torch = pytest.importorskip("torch")
    fns = {"default": lambda m: {}, "swa_multi": lambda m: dict(
        multi_avg_fn=m.get_swa_multi_avg_fn()), "ema": lambda m: dict(
        avg_fn=m.get_ema_avg_fn(0.9)), "ema_multi": lambda m: dict(
        multi_avg_fn=m.get_ema_multi_avg_fn(0.9))}
    rng = np.random.default_rng(3)
    model = _mlp(tn, tn.float64)
    ours = AveragedModel(model, use_buffers=use_buffers, **fns[fn](tn.optim.swa_utils))
    theirs = None
    # NOTE: PyTorch's swa multi_avg_fn weighs by 1/(n + 1) computed from the int64 count
    # as a tensor of the default dtype (float32, unless set), tinynet's as a Python float
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for _ in range(4):
            _set_weights(model, rng)
            model.train()
            model(tn.tensor(rng.normal(size=(8, 4))).double())
            twin = _torch_copy(model, torch, torch.float64)
            if theirs is None:
                theirs = torch.optim.swa_utils.AveragedModel(
                    twin, use_buffers=use_buffers, **fns[fn](torch.optim.swa_utils))
            ours.update_parameters(model)
            theirs.update_parameters(twin)
    finally:
        torch.set_default_dtype(default_dtype)
    expected = {k: v.numpy() for k, v in theirs.state_dict().items()}
    got = _numpy_state(ours)
    assert list(got) == list(expected)
    for key in expected:
        assert got[key].dtype == expected[key].dtype, key
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-12, atol=1e-14,
                                   err_msg=key)


def test_swa_multi_avg_fn_averages_integer_buffers_as_the_default():
    # (PyTorch's refuses the int64 batch count; tinynet's truncates the mean, as the
    # default average does)
    rng = np.random.default_rng(10)
    model = _bn_model()
    default = AveragedModel(model, use_buffers=True)
    multi = AveragedModel(model, multi_avg_fn=get_swa_multi_avg_fn(), use_buffers=True)
    for _ in range(4):
        _set_weights(model, rng)
        _train_bn(model, rng)
        default.update_parameters(model)
        multi.update_parameters(model)
    expected = _numpy_state(default)
    for key, value in _numpy_state(multi).items():
        assert value.dtype == expected[key].dtype
        np.testing.assert_allclose(value, expected[key], rtol=1e-13, atol=1e-15, err_msg=key)
    # truncated at each step: 1, then 1 + (2 - 1)/2 → 1, 1 + (3 - 1)/3 → 1, 1 + (4 - 1)/4 → 1
    assert multi.module[1].num_batches_tracked.item() == 1


def test_state_dict_round_trip_and_keys_as_pytorch():
    rng = np.random.default_rng(4)
    model = _bn_model()
    swa = AveragedModel(model)
    snapshots = []
    for _ in range(2):
        snapshots.append(_set_weights(model, rng))
        swa.update_parameters(model)
    state = swa.state_dict()
    assert list(state) == ["n_averaged", "module.0.weight", "module.0.bias",
                           "module.1.weight", "module.1.bias", "module.1.running_mean",
                           "module.1.running_var", "module.1.num_batches_tracked"]
    resumed = AveragedModel(_bn_model())
    resumed.load_state_dict(state)
    assert resumed.n_averaged.item() == 2
    snapshots.append(_set_weights(model, rng))
    resumed.update_parameters(model)  # the mean goes on over all three
    for i, p in enumerate(resumed.module.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), np.mean([s[i] for s in snapshots], axis=0),
                                   rtol=1e-12, atol=1e-15)


def test_state_dict_keys_equal_pytorchs():
    torch = pytest.importorskip("torch")
    ours = AveragedModel(_mlp(tn, tn.float32), use_buffers=True)
    theirs = torch.optim.swa_utils.AveragedModel(_mlp(torch, torch.float32), use_buffers=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.state_dict()["n_averaged"].dtype == np.int64


# ---- SWALR ----------------------------------------------------------------------------------
def _sgd(lib, lr=0.5, groups=1):
    params = [{"params": [lib.zeros(1, requires_grad=True)], "lr": lr * (i + 1)}
              for i in range(groups)]
    return lib.optim.SGD(params, lr=lr)


def _lrs(scheduler, epochs, group=0):
    """The rate in force during each of ``epochs`` epochs."""
    lrs = []
    for _ in range(epochs):
        lrs.append(scheduler.optimizer.param_groups[group]["lr"])
        scheduler.optimizer.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize("strategy, anneal", [
    ("cos", lambda t: (1 - math.cos(math.pi * t)) / 2), ("linear", lambda t: t)])
@pytest.mark.parametrize("anneal_epochs", [1, 3, 10])
def test_swalr_follows_its_closed_form(strategy, anneal, anneal_epochs):
    scheduler = SWALR(_sgd(tn, lr=0.5), swa_lr=0.05, anneal_epochs=anneal_epochs,
                      anneal_strategy=strategy)
    # lr_k = α_k·swa_lr + (1 - α_k)·lr_0, α_k = anneal(min(1, k / anneal_epochs))
    expected = [anneal(min(1, k / anneal_epochs)) * 0.05
                + (1 - anneal(min(1, k / anneal_epochs))) * 0.5 for k in range(15)]
    np.testing.assert_allclose(_lrs(scheduler, 15), expected, rtol=1e-13)


def test_swalr_by_hand():
    # linear over 4 steps from 1.0 to 0.2: 1.0, 0.8, 0.6, 0.4, 0.2, 0.2
    linear = SWALR(_sgd(tn, lr=1.0), swa_lr=0.2, anneal_epochs=4, anneal_strategy="linear")
    assert _lrs(linear, 6) == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.2], rel=1e-14)
    # cos over 2 steps from 1.0 to 0.2: α = 0, (1 - cos(π/2))/2 = 1/2, 1
    cos = SWALR(_sgd(tn, lr=1.0), swa_lr=0.2, anneal_epochs=2)
    assert _lrs(cos, 4) == pytest.approx([1.0, 0.6, 0.2, 0.2], rel=1e-14)
    # no annealing: swa_lr from the constructor on
    at_once = SWALR(_sgd(tn, lr=1.0), swa_lr=0.2, anneal_epochs=0)
    assert _lrs(at_once, 3) == [0.2, 0.2, 0.2]


def test_swalr_keeps_swa_lr_per_group_and_follows_a_changed_rate():
    optimizer = _sgd(tn, lr=1.0, groups=2)
    scheduler = SWALR(optimizer, swa_lr=[0.1, 0.3], anneal_epochs=2, anneal_strategy="linear")
    assert [g["swa_lr"] for g in optimizer.param_groups] == [0.1, 0.3]
    scheduler.step()  # half way: (1 + 0.1)/2, (2 + 0.3)/2
    assert scheduler.get_last_lr() == pytest.approx([0.55, 1.15], rel=1e-14)
    optimizer.param_groups[0]["lr"] = 0.1  # set by hand: lr_0 = (0.1 - 0.5·0.1)/0.5 = 0.1
    scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.1, 0.3], rel=1e-14)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_after_cosine_annealing_as_pytorch(strategy, anneal_epochs):
    torch = pytest.importorskip("torch")
    lrs = {}
    for lib in (tn, torch):
        optimizer = _sgd(lib, lr=0.5, groups=2)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=8)
        swa = lib.optim.swa_utils.SWALR(optimizer, swa_lr=[0.05, 0.02],
                                        anneal_epochs=anneal_epochs, anneal_strategy=strategy)
        lrs[lib] = []
        for epoch in range(14):
            lrs[lib].append([g["lr"] for g in optimizer.param_groups])
            optimizer.step()
            (swa if epoch >= 5 else cosine).step()
    np.testing.assert_allclose(lrs[tn], lrs[torch], rtol=1e-14)


def test_swalr_state_dict_round_trip():
    optimizer = _sgd(tn, lr=1.0)
    scheduler = SWALR(optimizer, swa_lr=0.1, anneal_epochs=5, anneal_strategy="linear")
    for _ in range(2):
        scheduler.step()
    state = scheduler.state_dict()
    assert "optimizer" not in state and state["_anneal_strategy"] == "linear"
    assert state["anneal_epochs"] == 5 and state["_step_count"] == 3
    expected = _lrs(scheduler, 6)

    optimizer2 = _sgd(tn, lr=1.0)
    resumed = SWALR(optimizer2, swa_lr=0.1)  # cos over 10 steps, until loaded
    optimizer2.param_groups[0]["lr"] = optimizer.param_groups[0]["lr"] = 0.64  # (epoch 2's)
    resumed.load_state_dict(state)
    assert resumed.anneal_epochs == 5 and resumed.anneal_func(0.25) == 0.25
    assert _lrs(resumed, 6) == pytest.approx(expected, rel=1e-14)


def test_swalr_state_dict_keys_are_pytorchs():
    torch = pytest.importorskip("torch")
    ours = SWALR(_sgd(tn), swa_lr=0.1).state_dict()
    theirs = torch.optim.swa_utils.SWALR(_sgd(torch), swa_lr=0.1).state_dict()
    assert set(ours) <= set(theirs)
    assert {k: ours[k] for k in ours} == {k: theirs[k] for k in ours}


# ---- update_bn --------------------------------------------------------------------------------
def _batches(rng, kind, dtype, n=4):
    xs = [tn.tensor(rng.normal(1.0, 2.0, size=(6, 4)).astype(dtype)) for _ in range(n)]
    ys = [tn.zeros(6) for _ in range(n)]
    if kind == "tensors":
        return xs
    return [tuple(pair) if kind == "tuples" else list(pair) for pair in zip(xs, ys)]


def test_update_bn_averages_each_batchs_statistics():
    rng = np.random.default_rng(5)
    model = _bn_model()
    model[1].momentum = 0.3
    loader = [(tn.tensor(rng.normal(1.0, 2.0, size=(6, 2))), tn.zeros(6)) for _ in range(4)]
    model.eval()
    update_bn(loader, model)
    # the first layer's outputs, then per batch its mean and unbiased variance, averaged
    W, b = model[0].weight.detach().numpy(), model[0].bias.detach().numpy()
    hs = [x.numpy() @ W.T + b for x, _ in loader]
    np.testing.assert_allclose(model[1].running_mean.numpy(),
                               np.mean([h.mean(axis=0) for h in hs], axis=0), rtol=1e-12)
    np.testing.assert_allclose(model[1].running_var.numpy(),
                               np.mean([h.var(axis=0, ddof=1) for h in hs], axis=0),
                               rtol=1e-12)
    assert model[1].num_batches_tracked.item() == 4
    assert model[1].momentum == 0.3 and not model.training and not model[1].training


@pytest.mark.parametrize("training", [False, True])
def test_update_bn_restores_momenta_and_mode(training):
    model = tn.nn.Sequential(tn.nn.Linear(4, 6), tn.nn.BatchNorm1d(6, momentum=None),
                             tn.nn.Linear(6, 6), tn.nn.BatchNorm1d(6, momentum=0.5))
    model.train(training)
    update_bn(_batches(np.random.default_rng(6), "lists", np.float32), model)
    assert model[1].momentum is None and model[3].momentum == 0.5
    assert all(m.training == training for m in model.modules())


def test_update_bn_leaves_a_model_without_batch_norm_alone():
    model = tn.nn.Sequential(tn.nn.Linear(4, 2), tn.nn.Dropout(0.5)).eval()
    seen = []
    model.register_forward_hook(lambda *args: seen.append(args))
    update_bn(_batches(np.random.default_rng(7), "tensors", np.float32), model)
    assert seen == [] and not model.training  # no pass over the data, the mode kept


@pytest.mark.parametrize("kind", ["tensors", "tuples", "lists"])
@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-6), (np.float64, 1e-12)])
def test_update_bn_as_pytorch(kind, dtype, tol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    model = _mlp(tn, dtype)
    _set_weights(model, rng)
    twin = _torch_copy(model, torch, getattr(torch, np.dtype(dtype).name))
    loader = _batches(rng, kind, dtype)
    torch_loader = [torch.from_numpy(np.array(b.numpy())) if kind == "tensors" else
                    type(b)(torch.from_numpy(np.array(t.numpy())) for t in b) for b in loader]
    update_bn(loader, model)
    torch.optim.swa_utils.update_bn(torch_loader, twin)
    expected = {k: v.numpy() for k, v in twin.state_dict().items()}
    for key, value in _numpy_state(model).items():
        assert value.dtype == expected[key].dtype, key
        np.testing.assert_allclose(value, expected[key], rtol=tol, atol=tol, err_msg=key)


# ---- a whole SWA run ----------------------------------------------------------------------------
def _swa_run(lib, model, X, y, epochs=10, swa_start=4):
    """PyTorch's documented SWA recipe: SGD with a cosine schedule, then from swa_start on
    the weights averaged after each epoch under SWALR; update_bn at the end."""
    loader = [(X[i:i + 16], y[i:i + 16]) for i in range(0, len(X), 16)]
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    swa_model = lib.optim.swa_utils.AveragedModel(model)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    swa_scheduler = lib.optim.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_epochs=2)
    lrs = []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
        if epoch > swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
    lib.optim.swa_utils.update_bn(loader, swa_model)
    swa_model.eval()
    return swa_model, swa_model(X), lrs


def test_a_whole_swa_run_gives_pytorchs_numbers():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    X = rng.normal(size=(64, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int64) + (X[:, 2] > 0.5)
    model = _mlp(tn, tn.float64)
    _set_weights(model, rng, scale=0.5)
    twin = _torch_copy(model, torch, torch.float64)
    ours = _swa_run(tn, model, tn.tensor(X), tn.tensor(y))
    theirs = _swa_run(torch, twin, torch.from_numpy(X), torch.from_numpy(y))
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-14)  # the rates
    expected = {k: v.numpy() for k, v in theirs[0].state_dict().items()}
    for key, value in _numpy_state(ours[0]).items():
        np.testing.assert_allclose(value, expected[key], rtol=1e-12, atol=1e-14, err_msg=key)
    assert ours[0].n_averaged.item() == 5  # epochs 5 to 9
    np.testing.assert_allclose(ours[1].detach().numpy(), theirs[1].detach().numpy(),
                               rtol=1e-12, atol=1e-14)
    for p, q in zip(model.parameters(), twin.parameters()):  # the trained model too
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12,
                                   atol=1e-14)


# ---- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(anneal_strategy="cosine"), ValueError,
     r"SWALR: anneal_strategy must be one of 'cos', 'linear', got 'cosine' "
     r"\(did you mean 'cos'\?\)"),
    (dict(anneal_epochs=-1), ValueError,
     r"SWALR: anneal_epochs must be an integer >= 0, got -1"),
    (dict(anneal_epochs=2.0), TypeError,
     r"SWALR: anneal_epochs must be an integer >= 0, got 2.0"),
    (dict(swa_lr=[0.1]), ValueError,
     r"SWALR: swa_lr must have one value per parameter group \(2\), got 1"),
    (dict(swa_lr=[0.1, float("nan")]), ValueError,
     r"SWALR: swa_lr\[1\] must be a finite number >= 0, got nan"),
    (dict(swa_lr=-0.1), ValueError, r"SWALR: swa_lr\[0\] must be a finite number >= 0"),
])
def test_swalr_refuses_bad_arguments(kwargs, error, match):
    optimizer = _sgd(tn, groups=2)
    with pytest.raises(error, match=match):
        SWALR(optimizer, **{"swa_lr": 0.1, **kwargs})
    assert all("swa_lr" not in g for g in optimizer.param_groups)  # nothing changed


def test_averaging_functions_refuse_bad_arguments():
    model = tn.nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"AveragedModel: avg_fn and multi_avg_fn must not "
                                         r"both be given"):
        AveragedModel(model, avg_fn=get_swa_avg_fn(), multi_avg_fn=get_swa_multi_avg_fn())
    with pytest.raises(TypeError, match=r"AveragedModel: avg_fn must be a function or None, "
                                        r"got 0.5"):
        AveragedModel(model, avg_fn=0.5)
    with pytest.raises(TypeError, match=r"AveragedModel: model must be a tinynet.nn.Module, "
                                        r"got list"):
        AveragedModel([model])
    for fn in (get_ema_avg_fn, get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=rf"{fn.__name__}: decay must be a finite number "
                                             rf"in \[0, 1\], got 1.5"):
            fn(1.5)


def test_update_parameters_refuses_another_model():
    swa = AveragedModel(tn.nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"AveragedModel.update_parameters: model must have "
                                         r"the averaged model's parameters \(2 tensors\), "
                                         r"got 4"):
        swa.update_parameters(tn.nn.Sequential(tn.nn.Linear(2, 2), tn.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match=r"AveragedModel.update_parameters: model's "
                                         r"parameters must have the averaged model's shapes, "
                                         r"got \(3, 2\) for \(2, 2\) at position 0"):
        swa.update_parameters(tn.nn.Linear(2, 3))
    assert swa.n_averaged.item() == 0
    bn = AveragedModel(tn.nn.Sequential(tn.nn.Linear(2, 2), tn.nn.BatchNorm1d(2)))
    with pytest.raises(ValueError, match=r"AveragedModel.update_parameters: model must have "
                                         r"the averaged model's buffers \(3 tensors\), "
                                         r"got 0"):
        bn.update_parameters(tn.nn.Sequential(
            tn.nn.Linear(2, 2), tn.nn.BatchNorm1d(2, track_running_stats=False)))
    assert bn.n_averaged.item() == 0
