"""``maximize=True``, as PyTorch's: each optimizer steps up the gradient (the closed form on
a quadratic, PyTorch's parameters step by step), on both paths alike, and leaves the
gradients as they were."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import optim

OPTIMIZERS = {
    "SGD": {"lr": 0.1},
    "SGD momentum nesterov decay": {"lr": 0.1, "momentum": 0.9, "nesterov": True,
                                    "weight_decay": 0.01},
    "Adam": {"lr": 0.05, "weight_decay": 0.1},
    "AdamW": {"lr": 0.05},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adagrad": {"lr": 0.1, "weight_decay": 0.05},
    "Adamax": {"lr": 0.05, "weight_decay": 0.1},
    "NAdam": {"lr": 0.05, "weight_decay": 0.1},
    "RAdam": {"lr": 0.05, "weight_decay": 0.1},
    "Adadelta": {"lr": 0.5, "weight_decay": 0.1},
    "Rprop": {"lr": 0.05},
}


def _make(library, name, params, maximize=True):
    kwargs = OPTIMIZERS[name]
    return getattr(library.optim, name.split()[0])(params, maximize=maximize, **kwargs)


def test_sgd_climbs_the_objective():
    """f(w) = -(w - 3)²: gradient ascent w ← w + lr·f'(w) goes to 3."""
    w = tn.tensor([0.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, maximize=True)
    for _ in range(100):
        opt.zero_grad()
        (-(w - 3) ** 2).sum().backward()
        opt.step()
    assert w.item() == pytest.approx(3.0, abs=1e-6)
    assert opt.param_groups[0]["maximize"] is True


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_maximizing_f_is_minimizing_minus_f_bit_for_bit(name):
    """PyTorch's rule: negate g before the update, so maximizing f steps as minimizing -f;
    and the gradients after the step are f's own."""
    rng = np.random.default_rng(0)
    start, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    runs = []
    for maximize, sign in ((True, 1.0), (False, -1.0)):
        w = tn.tensor(start.copy(), requires_grad=True)
        opt = _make(tn, name, [w], maximize)
        for _ in range(5):
            opt.zero_grad()
            (sign * -((w - tn.tensor(target)) ** 2).sum()).backward()
            before = w.grad.array.copy()
            opt.step()
            np.testing.assert_array_equal(w.grad.array, before)  # put back as it was
        runs.append(w.array.copy())
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_both_paths_give_the_same_numbers(name):
    results = []
    for fast in (True, False):
        tn.manual_seed(0)
        model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 1))
        opt = _make(tn, name, model.parameters())
        x = tn.randn(6, 3)
        with tn.fast_paths(fast):
            for _ in range(4):
                opt.zero_grad()
                model(x).pow(2).mean().backward()
                opt.step()
        results.append([p.array.copy() for p in model.parameters()])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_parameters_equal_pytorchs(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    start = rng.standard_normal((3, 2))
    ours = tn.tensor(start.copy(), requires_grad=True)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt, torch_opt = _make(tn, name, [ours]), _make(torch, name, [theirs])
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam's mu_product: a tensor of this dtype
    try:
        for step in range(6):
            for w, o in ((ours, opt), (theirs, torch_opt)):
                o.zero_grad()
                (w.sin() * (step + 1)).sum().backward()
                o.step()
            np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-12,
                                       atol=1e-14)
    finally:
        torch.set_default_dtype(default)


def test_a_group_may_maximize_alone_and_the_flag_is_checked():
    a, b = tn.tensor([1.0], requires_grad=True), tn.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a], "maximize": True}, {"params": [b]}], lr=0.5)
    (a * 2 + b * 2).sum().backward()
    opt.step()
    assert (a.item(), b.item()) == (2.0, 0.0)
    with pytest.raises(TypeError, match="Adam: maximize must be True or False, got 'yes'"):
        optim.Adam([a], maximize="yes")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_gradient_sharing_memory_is_stepped_up_and_left_as_it_was(name):
    """A gradient that is the parameter's own memory (p.grad = p.detach()), one gradient
    tensor shared by a maximising and a minimising group, and overlapping views: each
    parameter steps as with its own copy of the gradient (PyTorch's numbers), and no
    gradient changes."""
    def run(library):
        p = library.tensor([1.0, -2.0], dtype=library.float64, requires_grad=True)
        p.grad = p.detach()
        shared = library.ones(2, dtype=library.float64)
        a = library.zeros(2, dtype=library.float64, requires_grad=True)
        b = library.zeros(2, dtype=library.float64, requires_grad=True)
        a.grad, b.grad = shared, shared[:]
        opt = _make(library, name, [{"params": [p, a]}, {"params": [b], "maximize": False}])
        for _ in range(3):
            opt.step()
        return [t.detach().numpy().copy() for t in (p, a, b, shared)]

    ours = run(tn)
    np.testing.assert_array_equal(ours[3], [1.0, 1.0])  # the shared gradient is untouched
    assert np.all(ours[1] > 0) and np.all(ours[2] < 0)  # a climbs, b descends
    torch = pytest.importorskip("torch")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam's mu_product: a tensor of this dtype
    try:
        theirs = run(torch)
    finally:
        torch.set_default_dtype(default)
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(mine, their, rtol=1e-12, atol=1e-15)
