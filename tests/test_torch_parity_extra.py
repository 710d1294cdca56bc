"""Small PyTorch behaviours real training scripts rely on: K-fold resets, optimizer state
for custom optimizers, add/sub with alpha, abs() and +x, load's positional map_location."""
import io

import numpy as np
import pytest

import tinynet as tn


def test_normalisation_and_prelu_reset_in_place_as_pytorch():
    bn = tn.nn.BatchNorm1d(3)
    bn(tn.randn(8, 3))
    with tn.no_grad():
        bn.weight.mul_(2)
        bn.bias.add_(1)
    state = dict(bn.state_dict())
    bn.reset_parameters()
    assert bn.num_batches_tracked.item() == 0 and state["num_batches_tracked"].item() == 0
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    ln = tn.nn.LayerNorm(2)
    with tn.no_grad():
        ln.weight.fill_(3.0)
    ln.reset_parameters()
    assert ln.weight.tolist() == [1.0, 1.0]
    prelu = tn.nn.PReLU(2, init=0.5)
    with tn.no_grad():
        prelu.weight.fill_(0.7)
    prelu.reset_parameters()
    assert prelu.weight.tolist() == [0.5, 0.5]


def test_a_custom_optimizer_finds_an_empty_state_per_parameter():
    class Momentum(tn.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]  # {} the first time, as PyTorch's defaultdict
                    buf = state.setdefault("buf", np.zeros_like(p.array))
                    buf += p.grad.array
                    p.array -= group["lr"] * buf

    w = tn.tensor([1.0], requires_grad=True)
    opt = Momentum([w])
    for _ in range(2):
        opt.zero_grad()
        (w * 2).sum().backward()
        opt.step()
    assert w.tolist() == pytest.approx([1.0 - 0.1 * 2 - 0.1 * 4])


def test_add_and_sub_with_alpha_abs_and_unary_plus():
    x, y = tn.tensor([1.0, -2.0]), tn.tensor([3.0, 4.0])
    assert x.add(y, alpha=2).tolist() == [7.0, 6.0] and x.sub(y, alpha=2).tolist() == [-5.0, -10.0]
    assert abs(x).tolist() == [1.0, 2.0] and (+x) is x
    v = tn.tensor([-3.0], requires_grad=True)
    abs(v).sum().backward()
    assert v.grad.tolist() == [-1.0]


def test_load_takes_map_location_second_as_pytorch():
    stream = io.BytesIO()
    tn.save({"w": tn.ones(2)}, stream)
    stream.seek(0)
    assert tn.load(stream, "cpu")["w"].tolist() == [1.0, 1.0]
    stream.seek(0)
    assert tn.load(stream, tn.device("cpu"), max_bytes=1 << 20)["w"].tolist() == [1.0, 1.0]


def test_scatter_writes_where_index_points_and_its_gradients_are_gathers_and_zeros():
    x = tn.zeros(3, 5)
    src = tn.arange(1.0, 11.0).reshape(2, 5)
    out = x.scatter(0, tn.tensor([[0, 1, 2, 0, 0]]), src)
    assert out.tolist() == [[1, 0, 0, 4, 5], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]]
    # the "Learn the Basics" one-hot target
    assert tn.zeros(10).scatter_(0, tn.tensor(3), value=1).tolist() == [0, 0, 0, 1] + [0] * 6
    a = tn.tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
    s = tn.tensor(np.ones((2, 2)), requires_grad=True)
    index = tn.tensor([[2, 0], [1, 0]])  # (no repeats: with one, which write wins is open)
    assert tn.gradcheck(lambda p, q: p.scatter(1, index, q * 3), (a, s))
    with pytest.raises(RuntimeError, match=r"scatter: index 3 is out of bounds for dim 1"):
        tn.zeros(2, 3).scatter(1, tn.tensor([[3]]), value=1.0)
    with pytest.raises(TypeError, match="scatter: give src .* or value, one of them"):
        tn.zeros(2).scatter(0, tn.tensor([0]))


def test_scatter_and_fill_diagonal_equal_pytorchs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    base, src = rng.normal(size=(4, 3)), rng.normal(size=(2, 3))
    idx = np.array([[3, 0, 1], [0, 2, 1]])
    for lib in (tn, torch):
        got = lib.tensor(base).scatter(0, lib.tensor(idx), lib.tensor(src))
        assert got.tolist() == tn.tensor(base).scatter(0, tn.tensor(idx),
                                                       tn.tensor(src)).tolist()
    for shape, wrap in (((3, 3), False), ((7, 3), True), ((7, 3), False), ((2, 2, 2), False)):
        ours = tn.ones(*shape).fill_diagonal_(0.5, wrap=wrap)
        theirs = torch.ones(*shape).fill_diagonal_(0.5, wrap=wrap)
        assert ours.tolist() == theirs.tolist(), (shape, wrap)
