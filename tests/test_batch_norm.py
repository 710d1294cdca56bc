"""BatchNorm1d and F.batch_norm: closed forms in train and eval mode, running statistics,
finite differences, buffers in state_dict, errors. (PyTorch parity:
test_against_torch_layers.py.)"""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.nn import functional as F


def _randn(*shape, seed=0, scale=1.0, shift=0.0):
    data = shift + scale * np.random.default_rng(seed).standard_normal(shape)
    return tn.tensor(data, dtype=tn.float64, requires_grad=True)


def _reference(x, mean, var, w, b, eps=1e-5):
    channel = (1, -1) if x.ndim == 2 else (1, -1, 1)
    return ((x - mean.reshape(channel)) / np.sqrt(var.reshape(channel) + eps)
            * w.reshape(channel) + b.reshape(channel))


def _perturbed(bn, seed=1):
    rng = np.random.default_rng(seed)
    with tn.no_grad():
        bn.weight.array[...] = rng.uniform(0.5, 2.0, bn.num_features)
        bn.bias.array[...] = rng.standard_normal(bn.num_features)
    return bn


@pytest.mark.parametrize("shape, axes", [((8, 3), (0,)), ((4, 3, 5), (0, 2))])
def test_training_normalises_with_the_batch_statistics(shape, axes):
    bn = _perturbed(nn.BatchNorm1d(3, dtype=tn.float64))
    x = _randn(*shape, scale=3.0, shift=2.0)
    y = bn(x)
    mean, var = x.array.mean(axis=axes), x.array.var(axis=axes)  # biased, as PyTorch
    np.testing.assert_allclose(y.array, _reference(x.array, mean, var, bn.weight.array,
                                                  bn.bias.array), rtol=1e-12)


@pytest.mark.parametrize("shape, axes", [((8, 3), (0,)), ((4, 3, 5), (0, 2))])
def test_running_statistics_follow_the_momentum_rule(shape, axes):
    bn = nn.BatchNorm1d(3, momentum=0.2, dtype=tn.float64)
    mean, var = np.zeros(3), np.ones(3)
    for seed in range(4):
        x = _randn(*shape, seed=seed, scale=2.0, shift=seed)
        bn(x)
        m = x.array.size // 3
        mean = 0.8 * mean + 0.2 * x.array.mean(axis=axes)
        var = 0.8 * var + 0.2 * x.array.var(axis=axes) * m / (m - 1)  # unbiased
    np.testing.assert_allclose(bn.running_mean.array, mean, rtol=1e-13)
    np.testing.assert_allclose(bn.running_var.array, var, rtol=1e-13)
    assert bn.num_batches_tracked.item() == 4 and bn.num_batches_tracked.dtype == np.int64


def test_momentum_none_keeps_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=tn.float64)
    means = []
    for seed in range(5):
        x = _randn(6, 2, seed=seed, shift=seed)
        bn(x)
        means.append(x.array.mean(axis=0))
    np.testing.assert_allclose(bn.running_mean.array, np.mean(means, axis=0), rtol=1e-13)


def test_eval_uses_the_running_statistics_and_leaves_them_alone():
    bn = _perturbed(nn.BatchNorm1d(3, dtype=tn.float64))
    for seed in range(3):
        bn(_randn(10, 3, seed=seed, shift=1.0))
    bn.eval()
    state = {k: v.array.copy() for k, v in bn.state_dict().items()}
    x = _randn(4, 3, seed=9)
    y = bn(x)
    np.testing.assert_allclose(y.array, _reference(x.array, state["running_mean"],
                                                  state["running_var"], bn.weight.array,
                                                  bn.bias.array), rtol=1e-12)
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v.array, state[k])
    bn(tn.zeros(1, 3, dtype=tn.float64))  # a single sample is fine in eval mode


@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 4)])
def test_gradcheck_in_training_mode(shape):
    x = _randn(*shape, scale=2.0)
    w, b = _randn(3, seed=1), _randn(3, seed=2)
    assert tn.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                        (x, w, b))
    assert tn.gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_gradcheck_in_eval_mode():
    x, w, b = _randn(4, 3, 2), _randn(3, seed=1), _randn(3, seed=2)
    mean, var = tn.tensor([0.5, -1.0, 2.0]).double(), tn.tensor([1.5, 0.2, 3.0]).double()
    assert tn.gradcheck(lambda x, w, b: F.batch_norm(x, mean, var, w, b), (x, w, b))


def test_training_gradient_sums_to_zero_per_channel():
    # y's channel is invariant to shifting x's channel: Σ dL/dx over a channel is 0
    x = _randn(7, 4, scale=5.0)
    y = nn.BatchNorm1d(4, dtype=tn.float64)(x)
    (y * _randn(7, 4, seed=3).detach()).sum().backward()
    np.testing.assert_allclose(x.grad.array.sum(axis=0), 0, atol=1e-12)


def test_without_affine_parameters_or_running_statistics():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == [] and list(bn.buffers()) == []
    assert bn.running_mean is None and list(bn.state_dict()) == []
    x = _randn(6, 3, shift=4.0).detach().float()
    bn.eval()  # no running statistics: the batch's are used in eval mode too
    np.testing.assert_allclose(bn(x).array.mean(axis=0), 0, atol=1e-6)
    assert [n for n, _ in nn.BatchNorm1d(3, bias=False).named_parameters()] == ["weight"]


def test_buffers_are_in_the_state_dict_and_load_back():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                      "1.running_mean", "1.running_var",
                                      "1.num_batches_tracked"]
    net(tn.randn(8, 2))
    clone = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    clone.load_state_dict(net.state_dict())
    assert clone[1].num_batches_tracked.item() == 1
    np.testing.assert_array_equal(clone[1].running_var.array, net[1].running_var.array)
    net.eval(), clone.eval()
    x = tn.randn(4, 2)
    np.testing.assert_array_equal(net(x).array, clone(x).array)


def test_a_checkpoint_without_num_batches_tracked_loads_and_keeps_the_count_as_pytorch():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    net(tn.randn(8, 2))
    net(tn.randn(8, 2))
    older = {k: v for k, v in nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).state_dict()
             .items() if k != "1.num_batches_tracked"}  # written before the count existed
    result = net.load_state_dict(older)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert net[1].num_batches_tracked.item() == 2  # its own, as PyTorch keeps it
    assert net[1].running_var.tolist() == [1.0, 1.0, 1.0]  # the rest loaded
    without_mean = {k: v for k, v in older.items() if k != "1.running_mean"}
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "1.running_mean"$'):
        net.load_state_dict(without_mean)


def test_double_casts_the_running_statistics():
    bn = nn.BatchNorm1d(3).double()
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    assert bn(tn.randn(4, 3, dtype=tn.float64)).dtype == np.float64


def test_repr_equals_pytorchs():
    assert repr(nn.BatchNorm1d(3)) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, "
                                       "bias=True, track_running_stats=True)")


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.BatchNorm1d(3)(tn.zeros(1, 3)), ValueError,
     (r"batch_norm: input must have more than 1 value per channel in training, got shape "
      r"\(1, 3\)")),
    (lambda: nn.BatchNorm1d(3)(tn.zeros(2, 3, 4, 5)), ValueError,
     r"batch_norm: input must have shape \(N, C\) or \(N, C, L\), got shape \(2, 3, 4, 5\)"),
    (lambda: nn.BatchNorm1d(3)(tn.zeros(2, 4)), ValueError,
     (r"batch_norm: input must have 3 channels in dimension 1 \(weight has shape \(3,\)\), "
      r"got 4 \(input of shape \(2, 4\)\)")),
    (lambda: nn.BatchNorm1d(3, affine=False, track_running_stats=False)(tn.zeros(2, 4)),
     ValueError, r"BatchNorm1d: input must have 3 channels in dimension 1 \(num_features=3\)"),
    (lambda: nn.BatchNorm1d(3)(tn.zeros(2, 3, dtype=tn.float64)), TypeError,
     (r"batch_norm: input must have the weight's dtype float32, got float64; convert one: "
      r"x\.float\(\) or model\.double\(\)")),
    (lambda: nn.BatchNorm1d(3, affine=False)(tn.zeros(2, 3, dtype=tn.float64)), TypeError,
     "input must have the running_mean's dtype float32, got float64"),
    (lambda: F.batch_norm(tn.zeros(2, 3), None, None), ValueError,
     "running_mean and running_var must be given when training=False"),
    (lambda: F.batch_norm(tn.zeros(2, 3), tn.zeros(2), tn.ones(2), training=True), ValueError,
     (r"batch_norm: input must have 2 channels in dimension 1 \(running_mean has shape "
      r"\(2,\)\), got 3")),
    (lambda: F.batch_norm(tn.zeros(2, 3), tn.zeros(3, 1), tn.ones(3)), ValueError,
     (r"batch_norm: running_mean must have shape \(C,\) \(one value per channel\), "
      r"got \(3, 1\)")),
    (lambda: nn.BatchNorm1d(0), ValueError, "num_features must be an integer >= 1, got 0"),
    (lambda: nn.BatchNorm1d(3, momentum=2.0), ValueError, r"momentum must be .* \[0, 1\]"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_training_with_tracking_switched_off_leaves_the_running_statistics():
    bn = tn.nn.BatchNorm1d(3)
    bn.track_running_stats = False  # after construction: the buffers stay, unchanged
    x = tn.tensor([[0.0, 1.0, 2.0], [4.0, 5.0, 6.0]])
    y = bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0, 0, 0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [1, 1, 1])
    assert int(bn.num_batches_tracked.item()) == 0
    np.testing.assert_allclose(y.detach().numpy()[:, 0], [-1, 1], atol=1e-3)  # batch stats
    bn.eval()  # evaluation still reads the buffers
    np.testing.assert_allclose(bn(x).detach().numpy(), x.numpy() / np.sqrt(1 + 1e-5),
                               rtol=1e-6)
    cumulative = tn.nn.BatchNorm1d(3, momentum=None)
    cumulative.num_batches_tracked = None  # (as PyTorch: the factor is then 0)
    cumulative(x)
    np.testing.assert_array_equal(cumulative.running_mean.numpy(), [0, 0, 0])
