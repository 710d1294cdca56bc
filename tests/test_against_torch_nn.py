"""tinynet's nn modules, optimizers and schedulers against PyTorch's, in float64: same
initial weights (copied from tinynet into torch), same data, equal trajectories."""
import numpy as np
import pytest
from scipy import stats

import tinynet as tn
from tinynet import nn, optim
from tinynet.optim import lr_scheduler

torch = pytest.importorskip("torch")

STEPS = 20
TOL = dict(rtol=1e-10, atol=1e-12)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead on 2 cores
    yield
    torch.set_num_threads(threads)


def _to_torch(tensor, requires_grad=False):
    return torch.tensor(np.asarray(tensor.array), requires_grad=requires_grad)


def _mlp_pair(seed=0):
    """The same MLP (GELU + LayerNorm) in both libraries, torch's weights copied from ours."""
    tn.manual_seed(seed)
    ours = nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.LayerNorm(16),
                         nn.Linear(16, 16), nn.GELU(approximate="tanh"), nn.LayerNorm(16),
                         nn.Linear(16, 3)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.GELU(), torch.nn.LayerNorm(16),
        torch.nn.Linear(16, 16), torch.nn.GELU(approximate="tanh"), torch.nn.LayerNorm(16),
        torch.nn.Linear(16, 3)).double()
    # LayerNorm starts at γ = 1, β = 0 in both; perturb it so its gradients matter
    rng = np.random.default_rng(seed)
    with tn.no_grad():
        for i in (2, 5):
            ours[i].weight.array[...] += 0.1 * rng.standard_normal(16)
            ours[i].bias.array[...] += 0.1 * rng.standard_normal(16)
    theirs.load_state_dict({k: _to_torch(v) for k, v in ours.state_dict().items()})
    return ours, theirs


def _batches(seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((32, 4)), rng.integers(0, 3, 32)) for _ in range(STEPS)]


def _assert_same_parameters(ours, theirs):
    for (name, p), (torch_name, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == torch_name
        np.testing.assert_allclose(p.array, q.detach().numpy(), **TOL, err_msg=name)


def _train_both(make_ours, make_theirs, schedule=None, freeze=()):
    """Train both MLPs side by side, ``freeze`` naming the layers whose parameters do not
    require grad (given to the optimizers all the same)."""
    ours, theirs = _mlp_pair()
    for i in freeze:
        ours[i].requires_grad_(False)
        theirs[i].requires_grad_(False)
    opt, torch_opt = make_ours(ours.parameters()), make_theirs(theirs.parameters())
    if schedule:
        sched, torch_sched = schedule[0](opt), schedule[1](torch_opt)
    loss_fn, torch_loss_fn = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for x, y in _batches():
        opt.zero_grad()
        loss = loss_fn(ours(tn.tensor(x)), tn.tensor(y))
        loss.backward()
        opt.step()
        torch_opt.zero_grad()
        torch_loss = torch_loss_fn(theirs(torch.tensor(x)), torch.tensor(y))
        torch_loss.backward()
        torch_opt.step()
        assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-10)
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert (p.grad is None) == (q.grad is None)
            if q.grad is not None:
                np.testing.assert_allclose(p.grad.array, q.grad.numpy(), **TOL)
        _assert_same_parameters(ours, theirs)
        if schedule:
            sched.step()
            torch_sched.step()
    return ours, theirs


OPTIMIZERS = {
    "sgd": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.3),
                 lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.3)),
    "nesterov+decay": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    "adam": (lambda p: optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam+decay": (
        lambda p: optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)),
    "adam+amsgrad": (lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
                     lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True)),
    "adamw+amsgrad": (lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True),
                      lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True)),
    "adamw": (lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
              lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    "adam+decoupled": (
        lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    "rmsprop": (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "rmsprop+centered+momentum+decay": (
        lambda p: optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-6, weight_decay=1e-2,
                                momentum=0.8, centered=True),
        lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-6, weight_decay=1e-2,
                                      momentum=0.8, centered=True)),
    "adagrad": (lambda p: optim.Adagrad(p, lr=0.05), lambda p: torch.optim.Adagrad(p, lr=0.05)),
    "adagrad+decays": (
        lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=1e-2,
                                initial_accumulator_value=0.3, eps=1e-8),
        lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=1e-2,
                                      initial_accumulator_value=0.3, eps=1e-8)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_trajectories_equal_pytorchs(name):
    ours, _ = _train_both(*OPTIMIZERS[name])
    tn.manual_seed(0)
    start = nn.Linear(4, 16).double()
    assert not np.allclose(ours[0].weight.array, start.weight.array)  # training moved it


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam+decay", "adamw",
                                  "rmsprop+centered+momentum+decay", "adagrad+decays"])
def test_trajectories_with_frozen_layers_equal_pytorchs(name):
    # the fine-tuning pattern: the first Linear and LayerNorm do not require grad, yet
    # are handed to the optimizer with the rest; both libraries leave them where they are
    ours, _ = _train_both(*OPTIMIZERS[name], freeze=(0, 2))
    start, _ = _mlp_pair()
    for i in (0, 2):
        np.testing.assert_array_equal(ours[i].weight.array, start[i].weight.array)
        assert ours[i].weight.grad is None
    assert not np.allclose(ours[3].weight.array, start[3].weight.array)


def test_trajectories_with_parameter_groups_and_a_schedule_equal_pytorchs():
    def groups(params):
        params = list(params)
        return [{"params": params[:4]}, {"params": params[4:], "lr": 0.003}]

    _train_both(
        lambda p: optim.Adam(groups(p), lr=0.01),
        lambda p: torch.optim.Adam(groups(p), lr=0.01),
        schedule=(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=1e-4),
                  lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8,
                                                                       eta_min=1e-4)))


def test_state_dict_keys_and_optimizer_state_match_pytorchs():
    ours, theirs = _train_both(*OPTIMIZERS["adam"])
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours_opt, theirs_opt = _mlp_pair()  # fresh: compare an optimizer's state after one step
    opt, torch_opt = optim.Adam(ours_opt.parameters()), torch.optim.Adam(theirs_opt.parameters())
    x, y = _batches()[0]
    nn.CrossEntropyLoss()(ours_opt(tn.tensor(x)), tn.tensor(y)).backward()
    torch.nn.CrossEntropyLoss()(theirs_opt(torch.tensor(x)), torch.tensor(y)).backward()
    opt.step()
    torch_opt.step()
    state, torch_state = opt.state_dict(), torch_opt.state_dict()
    assert sorted(state["state"]) == sorted(torch_state["state"])
    assert state["param_groups"][0]["params"] == torch_state["param_groups"][0]["params"]
    for i, s in state["state"].items():
        assert s["step"] == torch_state["state"][i]["step"].item()
        np.testing.assert_allclose(s["exp_avg"], torch_state["state"][i]["exp_avg"], **TOL)
        np.testing.assert_allclose(s["exp_avg_sq"], torch_state["state"][i]["exp_avg_sq"],
                                   **TOL)


@pytest.mark.parametrize("name", ["rmsprop+centered+momentum+decay", "adagrad+decays",
                                  "adam+amsgrad"])
def test_optimizer_state_names_and_values_match_pytorchs(name):
    make, make_torch = OPTIMIZERS[name]
    ours, theirs = _mlp_pair()
    opt, torch_opt = make(ours.parameters()), make_torch(theirs.parameters())
    x, y = _batches()[0]
    for _ in range(2):
        opt.zero_grad(), torch_opt.zero_grad()
        nn.CrossEntropyLoss()(ours(tn.tensor(x)), tn.tensor(y)).backward()
        torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        opt.step(), torch_opt.step()
    state, torch_state = opt.state_dict()["state"], torch_opt.state_dict()["state"]
    assert sorted(state) == sorted(torch_state)
    for i, entries in state.items():
        assert sorted(entries) == sorted(torch_state[i])
        for key, value in entries.items():
            np.testing.assert_allclose(value, np.asarray(torch_state[i][key]), **TOL)
    groups, torch_groups = opt.state_dict()["param_groups"], torch_opt.state_dict()["param_groups"]
    assert set(groups[0]) <= set(torch_groups[0])  # PyTorch adds foreach, maximize...


# ---- schedulers ------------------------------------------------------------------------------
SCHEDULERS = {
    "step": (lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.7),
             lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.7)),
    "cosine": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
               lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01)),
    "cosine-to-zero": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=30),
                       lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30)),
    "linear-warmup": (lambda o: lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=8),
                      lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1,
                                                                  total_iters=8)),
    "linear-decay": (lambda o: lr_scheduler.LinearLR(o, 1.0, 0.2, total_iters=12),
                     lambda o: torch.optim.lr_scheduler.LinearLR(o, 1.0, 0.2, total_iters=12)),
    "one-cycle": (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[1.0, 3.0], total_steps=31),
                  lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=[1.0, 3.0],
                                                                total_steps=31)),
    "one-cycle-linear-3": (
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=2.0, epochs=5, steps_per_epoch=7,
                                          pct_start=0.2, anneal_strategy="linear",
                                          three_phase=True, base_momentum=0.7),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=2.0, epochs=5,
                                                      steps_per_epoch=7, pct_start=0.2,
                                                      anneal_strategy="linear",
                                                      three_phase=True, base_momentum=0.7)),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_schedulers_equal_pytorchs_over_30_epochs(name):
    make, make_torch = SCHEDULERS[name]
    w, v = tn.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": [tn.zeros(1, requires_grad=True)],
                                       "lr": 0.5}], lr=0.1, momentum=0.9)
    torch_opt = torch.optim.SGD([{"params": [v]}, {"params": [torch.zeros(1, requires_grad=True)],
                                                   "lr": 0.5}], lr=0.1, momentum=0.9)
    sched, torch_sched = make(opt), make_torch(torch_opt)
    lrs, torch_lrs = [], []
    for _ in range(30):
        lrs.append(sched.get_last_lr())
        torch_lrs.append(torch_sched.get_last_lr())
        for group, torch_group in zip(opt.param_groups, torch_opt.param_groups):
            assert group["momentum"] == pytest.approx(torch_group["momentum"], rel=1e-13)
        opt.step()
        torch_opt.step()
        sched.step()
        torch_sched.step()
    np.testing.assert_allclose(lrs, torch_lrs, rtol=1e-13, atol=1e-16)
    assert len({round(lr[0], 12) for lr in lrs}) > 5  # the schedule did change the rate


def _decay(epoch):
    return 0.93 ** epoch * (1 + epoch % 3)


class _Halving:
    """A callable object as lr_lambda: its attributes are scheduler state."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


FACTOR_SCHEDULERS = {
    "multistep": (lambda o: lr_scheduler.MultiStepLR(o, milestones=[3, 15, 7, 7], gamma=0.6),
                  lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[3, 15, 7, 7],
                                                                 gamma=0.6)),
    "exponential": (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
                    lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    "constant": (lambda o: lr_scheduler.ConstantLR(o, factor=0.25, total_iters=6),
                 lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=6)),
    "constant-default": (lambda o: lr_scheduler.ConstantLR(o),
                         lambda o: torch.optim.lr_scheduler.ConstantLR(o)),
    "lambda": (lambda o: lr_scheduler.LambdaLR(o, _decay),
               lambda o: torch.optim.lr_scheduler.LambdaLR(o, _decay)),
    "lambda-per-group": (lambda o: lr_scheduler.LambdaLR(o, [_decay, _Halving(4)]),
                         lambda o: torch.optim.lr_scheduler.LambdaLR(o, [_decay, _Halving(4)])),
    "multiplicative": (
        lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.05),
        lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.05)),
}


def _sgd_pair(lr=0.1):
    """SGD with two parameter groups (lr 0.1 and 0.5) in both libraries."""
    opt = optim.SGD([{"params": [tn.zeros(1, requires_grad=True)]},
                     {"params": [tn.zeros(1, requires_grad=True)], "lr": 0.5}], lr=lr)
    torch_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                                 {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.5}],
                                lr=lr)
    return opt, torch_opt


@pytest.mark.parametrize("name", list(FACTOR_SCHEDULERS))
def test_schedules_by_factors_equal_pytorchs_over_25_epochs(name):
    make, make_torch = FACTOR_SCHEDULERS[name]
    opt, torch_opt = _sgd_pair()
    sched, torch_sched = make(opt), make_torch(torch_opt)
    lrs, torch_lrs = [], []
    for _ in range(25):
        lrs.append(sched.get_last_lr())
        torch_lrs.append(torch_sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
        opt.step(), torch_opt.step()
        sched.step(), torch_sched.step()
    np.testing.assert_allclose(lrs, torch_lrs, rtol=1e-13, atol=0)
    assert len({round(lr[0], 12) for lr in lrs}) > 1  # the schedule did change the rate
    state, torch_state = sched.state_dict(), torch_sched.state_dict()
    assert set(state) <= set(torch_state)
    if "lr_lambdas" in torch_state:  # functions left out, a callable object's attributes kept
        assert state["lr_lambdas"] == torch_state["lr_lambdas"]


@pytest.mark.parametrize("name, args", [("ExponentialLR", (0.9,)),
                                        ("MultiplicativeLR", (lambda e: 0.8,)),
                                        ("MultiStepLR", ([6, 9],)), ("LambdaLR", (_decay,))])
def test_schedules_by_factors_resumed_with_last_epoch_equal_pytorchs(name, args):
    # resuming: the groups hold initial_lr, and the constructor's step keeps the rate
    opt, torch_opt = _sgd_pair()
    for group, torch_group in zip(opt.param_groups, torch_opt.param_groups):
        group["initial_lr"] = torch_group["initial_lr"] = group["lr"] * 2
    sched = getattr(lr_scheduler, name)(opt, *args, last_epoch=5)
    torch_sched = getattr(torch.optim.lr_scheduler, name)(torch_opt, *args, last_epoch=5)
    for _ in range(8):
        assert sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-13)
        assert sched.last_epoch == torch_sched.last_epoch
        opt.step(), torch_opt.step()
        sched.step(), torch_sched.step()


def test_one_cycle_cycles_adams_beta1_as_pytorch():
    w, v = tn.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt, torch_opt = optim.Adam([w], betas=(0.9, 0.98)), torch.optim.Adam([v], betas=(0.9, 0.98))
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=12)
    torch_sched = torch.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.1, total_steps=12)
    for _ in range(12):
        assert opt.param_groups[0]["betas"] == pytest.approx(torch_opt.param_groups[0]["betas"])
        assert sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-13)
        opt.step(), torch_opt.step()
        sched.step(), torch_sched.step()


@pytest.mark.parametrize("kwargs", [
    {"patience": 2}, {"patience": 0, "cooldown": 2, "factor": 0.5},
    {"mode": "max", "threshold": 0.05, "threshold_mode": "abs", "patience": 1},
    {"min_lr": [0.02, 0.3], "patience": 1, "factor": 0.3},
])
def test_reduce_on_plateau_equals_pytorchs(kwargs):
    w, v = tn.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": [tn.zeros(1, requires_grad=True)], "lr": 0.5}],
                    lr=0.1)
    torch_opt = torch.optim.SGD([{"params": [v]},
                                 {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.5}],
                                lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    torch_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kwargs)
    metrics = np.random.default_rng(0).uniform(0.5, 1.0, 40).cumsum() % 1.7  # ups and downs
    for metric in metrics:
        sched.step(metric)
        torch_sched.step(metric)
        assert sched.get_last_lr() == pytest.approx(torch_sched.get_last_lr(), rel=1e-14)
        assert (sched.best, sched.num_bad_epochs, sched.cooldown_counter) == \
            (torch_sched.best, torch_sched.num_bad_epochs, torch_sched.cooldown_counter)
    assert sched.get_last_lr() != [0.1, 0.5]


# ---- layers ----------------------------------------------------------------------------------
def test_linear_default_init_distribution_equals_pytorchs():
    tn.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = nn.Linear(300, 200), torch.nn.Linear(300, 200)
    bound = 1 / np.sqrt(300)
    for p, q in [(ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        a, b = p.array.ravel(), q.detach().numpy().ravel()
        assert np.abs(a).max() <= bound and np.abs(b).max() <= bound
        assert abs(np.abs(a).max() - np.abs(b).max()) < 0.02 * bound
        assert stats.ks_2samp(a, b).pvalue > 0.01  # indistinguishable distributions


def test_every_loss_modules_repr_equals_pytorchs():
    names = [name for name in dir(nn) if name.endswith("Loss")]
    assert len(names) >= 20
    for name in names:
        assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)()), name


def test_names_and_repr_equal_pytorchs():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3, bias=False)
            self.norm = nn.LayerNorm(3, elementwise_affine=False)
            self.act = nn.LeakyReLU(0.2)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(2, 3)
            self.blocks = nn.Sequential(Block(), nn.ELU(), nn.Softmax(dim=1))
            self.out = nn.ModuleList([nn.Tanh(), nn.Sigmoid(), nn.Identity()])

    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 3, bias=False)
            self.norm = torch.nn.LayerNorm(3, elementwise_affine=False)
            self.act = torch.nn.LeakyReLU(0.2)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = torch.nn.Linear(2, 3)
            self.blocks = torch.nn.Sequential(TorchBlock(), torch.nn.ELU(),
                                              torch.nn.Softmax(dim=1))
            self.out = torch.nn.ModuleList([torch.nn.Tanh(), torch.nn.Sigmoid(),
                                            torch.nn.Identity()])

    ours, theirs = Net(), TorchNet()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    sliced, torch_sliced = ours.blocks[1:], theirs.blocks[1:]
    assert [n for n, _ in sliced.named_modules()] == [n for n, _ in torch_sliced.named_modules()]
    assert repr(ours).replace("Net", "X").replace("Block", "B") == \
        repr(theirs).replace("TorchNet", "X").replace("TorchBlock", "B")


def _pair(shape, seed, scale=3.0):
    data = scale * np.random.default_rng(seed).standard_normal(shape)
    return tn.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
    (nn.ELU(alpha=0.7), torch.nn.ELU(alpha=0.7)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softmax(dim=0), torch.nn.Softmax(dim=0)),
    (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    (nn.LayerNorm(6, eps=1e-3).double(), torch.nn.LayerNorm(6, eps=1e-3, dtype=torch.float64)),
]


@pytest.mark.parametrize("ours, theirs", ACTIVATIONS, ids=[repr(a[1]) for a in ACTIVATIONS])
def test_layer_forward_and_gradient_equal_pytorchs(ours, theirs):
    x, xt = _pair((5, 6), seed=0)
    g = np.random.default_rng(1).standard_normal((5, 6))
    y, yt = ours(x), theirs(xt)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(y.array, yt.detach().numpy(), **TOL)
    y.backward(tn.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **TOL)


def _class_weights():
    return np.array([0.5, 2.0, 1.0, 3.0])


LOSSES = [
    ("ce", {}),
    ("ce", {"reduction": "sum"}),
    ("ce", {"reduction": "none"}),
    ("ce", {"ignore_index": 2}),
    ("ce", {"weight": "w"}),
    ("ce", {"label_smoothing": 0.2}),
    ("ce", {"weight": "w", "label_smoothing": 0.1, "ignore_index": 0}),
    ("nll", {"weight": "w"}),
    ("nll", {"reduction": "sum", "ignore_index": 1}),
]


@pytest.mark.parametrize("kind, kwargs", LOSSES, ids=[f"{k}-{sorted(a)}" for k, a in LOSSES])
def test_classification_losses_equal_pytorchs(kind, kwargs):
    x, xt = _pair((8, 4), seed=2)
    y = np.array([0, 1, 2, 3, 2, 1, 0, 2])
    ours_kwargs = {k: (tn.tensor(_class_weights()) if v == "w" else v)
                   for k, v in kwargs.items()}
    theirs_kwargs = {k: (torch.tensor(_class_weights()) if v == "w" else v)
                     for k, v in kwargs.items()}
    if kind == "ce":
        loss = nn.CrossEntropyLoss(**ours_kwargs)(x, tn.tensor(y))
        torch_loss = torch.nn.CrossEntropyLoss(**theirs_kwargs)(xt, torch.tensor(y))
    else:
        loss = nn.NLLLoss(**ours_kwargs)(nn.LogSoftmax(dim=1)(x), tn.tensor(y))
        torch_loss = torch.nn.NLLLoss(**theirs_kwargs)(torch.log_softmax(xt, 1), torch.tensor(y))
    np.testing.assert_allclose(loss.array, torch_loss.detach().numpy(), **TOL)
    loss.sum().backward()
    torch_loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"}, {"pos_weight": [1.0, 3.0, 0.5]},
                                    {"weight": [2.0, 1.0, 0.5], "reduction": "none"}])
def test_bce_with_logits_equals_pytorchs(kwargs):
    x, xt = _pair((6, 3), seed=3, scale=5.0)
    y = np.random.default_rng(4).uniform(0, 1, (6, 3))
    loss = nn.BCEWithLogitsLoss(**{k: tn.tensor(v) if isinstance(v, list) else v
                                   for k, v in kwargs.items()})(x, tn.tensor(y))
    torch_loss = torch.nn.BCEWithLogitsLoss(**{
        k: torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else v
        for k, v in kwargs.items()})(xt, torch.tensor(y))
    np.testing.assert_allclose(loss.array, torch_loss.detach().numpy(), **TOL)
    loss.sum().backward()
    torch_loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"}, {"reduction": "none"},
                                    {"weight": [2.0, 1.0, 0.5]},
                                    {"weight": [[2.0], [1.0], [0.5], [1.0], [3.0], [0.1]],
                                     "reduction": "sum"}])
def test_bce_on_probabilities_equals_pytorchs(kwargs):
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 1, (6, 3))
    p[0] = [0.0, 1.0, 1e-50]  # the clamps: log 0 and log 1e-50 are below -100
    y = rng.uniform(0, 1, (6, 3))
    y[0] = [1.0, 0.0, 1.0]
    x, xt = tn.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    t, tt = tn.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
    loss = nn.BCELoss(**{k: tn.tensor(v, dtype=tn.float64) if k == "weight" else v
                         for k, v in kwargs.items()})(x, t)
    torch_loss = torch.nn.BCELoss(**{k: torch.tensor(v, dtype=torch.float64) if k == "weight"
                                     else v for k, v in kwargs.items()})(xt, tt)
    np.testing.assert_allclose(loss.array, torch_loss.detach().numpy(), **TOL)
    loss.sum().backward()
    torch_loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **TOL)
    # the target's gradient: PyTorch's -logit(x) is infinite at x = 0 and 1, tinynet's
    # the derivative of the clamped loss (row 0); the others agree
    np.testing.assert_allclose(t.grad.array[1:], tt.grad.numpy()[1:], **TOL)
    assert np.isinf(tt.grad.numpy()[0, :2]).all() and np.isfinite(t.grad.array[0]).all()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_equals_pytorchs(reduction):
    x, xt = _pair((4, 5), seed=5)
    y = np.random.default_rng(6).standard_normal((4, 5))
    loss = nn.MSELoss(reduction=reduction)(x, tn.tensor(y))
    torch_loss = torch.nn.MSELoss(reduction=reduction)(xt, torch.tensor(y))
    np.testing.assert_allclose(loss.array, torch_loss.detach().numpy(), **TOL)
    loss.sum().backward()
    torch_loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **TOL)


def test_a_layer_registered_twice_is_one_child_as_in_pytorch():
    results = []
    for lib in (tn, torch):
        layer = lib.nn.Linear(1, 1)
        with lib.no_grad():
            layer.weight.fill_(1.0)
            layer.bias.fill_(0.5)
        stack = lib.nn.Sequential(layer, lib.nn.Tanh(), layer)
        seen = []
        stack.apply(lambda m: seen.append(type(m).__name__))  # (runs on each module once)
        parent = lib.nn.Module()
        parent.a, parent.b = layer, layer
        results.append((seen, len(stack), len(list(stack.children())),
                        [name for name, _ in parent.named_children()], list(parent._modules),
                        list(parent.state_dict()), stack(lib.ones(1, 1)).item()))
    assert results[0] == results[1]
    assert results[0][:3] == (["Linear", "Tanh", "Sequential"], 3, 2)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_elementwise_losses_against_pytorch(name, reduction):
    """PyTorch 2.13's weight= (its 'mean' differs between them; tests/test_losses.py
    checks the closed forms)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b, w = rng.normal(size=(3, 4)) * 2, rng.normal(size=(3, 4)), rng.random((3, 4))
    ours = getattr(tn.nn.functional, name)(tn.tensor(a), tn.tensor(b), reduction=reduction,
                                           weight=tn.tensor(w))
    theirs = getattr(torch.nn.functional, name)(torch.tensor(a), torch.tensor(b),
                                                reduction=reduction, weight=torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
