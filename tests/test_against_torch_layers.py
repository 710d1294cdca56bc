"""BatchNorm1d, Embedding and the newer activations against PyTorch's, in float64: values,
gradients (input and parameters), running statistics and reprs."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-10, atol=1e-12)


def _pair(shape, seed, scale=3.0, shift=0.0):
    data = shift + scale * np.random.default_rng(seed).standard_normal(shape)
    return tn.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def _copy_parameters(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.array))
                            for k, v in ours.state_dict().items()})


def _assert_same(ours, theirs):
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), **TOL)


# ---- BatchNorm1d -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3},
                                    {"affine": False}, {"track_running_stats": False},
                                    {"bias": False}])
def test_batch_norm_train_then_eval_equals_pytorchs(shape, kwargs):
    ours = nn.BatchNorm1d(3, dtype=tn.float64, **kwargs)
    theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64, **kwargs)
    if ours.weight is not None:  # start away from γ = 1, β = 0 so their gradients matter
        with tn.no_grad():
            ours.weight.array[...] = [0.5, 1.5, -2.0]
            if ours.bias is not None:
                ours.bias.array[...] = [0.1, -0.3, 2.0]
        _copy_parameters(ours, theirs)
    assert repr(ours) == repr(theirs)
    for step in range(4):
        for mode in (True, False):  # a training step, then an evaluation
            ours.train(mode), theirs.train(mode)
            x, xt = _pair(shape, seed=step, shift=step)
            y, yt = ours(x), theirs(xt)
            _assert_same(y, yt)
            g = np.random.default_rng(10 + step).standard_normal(shape)
            y.backward(tn.tensor(g))
            yt.backward(torch.tensor(g))
            _assert_same(x.grad, xt.grad)
            for p, q in zip(ours.parameters(), theirs.parameters()):
                _assert_same(p.grad, q.grad)
                p.grad, q.grad = None, None
        state, torch_state = ours.state_dict(), theirs.state_dict()
        assert list(state) == list(torch_state)
        for name in state:
            np.testing.assert_allclose(state[name].array, torch_state[name].numpy(), **TOL)


# ---- Embedding -------------------------------------------------------------------------------
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_equals_pytorchs(padding_idx):
    ours = nn.Embedding(7, 3, padding_idx=padding_idx).double()
    theirs = torch.nn.Embedding(7, 3, padding_idx=padding_idx, dtype=torch.float64)
    _copy_parameters(ours, theirs)
    assert repr(ours) == repr(theirs)
    idx = np.array([[2, 6, 2, 0], [1, 2, 6, 6]])  # repeated indices, the padding row
    y, yt = ours(tn.tensor(idx)), theirs(torch.tensor(idx))
    _assert_same(y, yt)
    g = np.random.default_rng(0).standard_normal((2, 4, 3))
    y.backward(tn.tensor(g))
    yt.backward(torch.tensor(g))
    _assert_same(ours.weight.grad, theirs.weight.grad)


# ---- activations -----------------------------------------------------------------------------
ACTIVATIONS = [
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Mish(), torch.nn.Mish()),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=3.0), torch.nn.Softplus(beta=2.0, threshold=3.0)),
    (nn.Softplus(beta=0.5), torch.nn.Softplus(beta=0.5)),
    (nn.SELU(), torch.nn.SELU()),
    (nn.Hardtanh(), torch.nn.Hardtanh()),
    (nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)),
]


@pytest.mark.parametrize("ours, theirs", ACTIVATIONS, ids=[repr(a[1]) for a in ACTIVATIONS])
def test_activation_forward_and_gradient_equal_pytorchs(ours, theirs):
    x, xt = _pair((5, 6), seed=0, scale=4.0)
    with tn.no_grad():  # the ends of Hardtanh and Softplus's threshold, exactly
        x.array[0, :4] = [-1.0, 1.0, 0.0, 20.0]
    xt = torch.tensor(x.array, requires_grad=True)
    g = np.random.default_rng(1).standard_normal((5, 6))
    y, yt = ours(x), theirs(xt)
    assert repr(ours) == repr(theirs)
    _assert_same(y, yt)
    y.backward(tn.tensor(g))
    yt.backward(torch.tensor(g))
    _assert_same(x.grad, xt.grad)


@pytest.mark.parametrize("shape, n", [((6,), 1), ((4, 3), 3), ((2, 3, 4), 3), ((2, 3, 4), 1)])
def test_prelu_equals_pytorchs(shape, n):
    ours, theirs = nn.PReLU(n, init=0.2).double(), torch.nn.PReLU(n, 0.2, dtype=torch.float64)
    with tn.no_grad():
        ours.weight.array[...] = np.linspace(-0.5, 1.5, n)
    _copy_parameters(ours, theirs)
    assert repr(ours) == repr(theirs)
    x, xt = _pair(shape, seed=2)
    g = np.random.default_rng(3).standard_normal(shape)
    y, yt = ours(x), theirs(xt)
    _assert_same(y, yt)
    y.backward(tn.tensor(g))
    yt.backward(torch.tensor(g))
    _assert_same(x.grad, xt.grad)
    _assert_same(ours.weight.grad, theirs.weight.grad)
