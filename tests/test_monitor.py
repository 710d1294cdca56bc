"""diagnostics.Monitor and init_report: every number checked against numpy by hand."""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.diagnostics import Monitor
from tinynet.diagnostics import monitor as monitor_module
from tinynet.diagnostics.hints import gradient_ratio
from tinynet.diagnostics.labels import layer_labels
from tinynet.diagnostics.monitor import HIST_EDGES


def _x(rows, cols, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return tn.tensor((scale * rng.standard_normal((rows, cols))).astype(np.float32))


def _net(activation, bias=None, weight_scale=None, seed=0):
    """Linear(4, 8) -> activation -> Linear(8, 2), optionally with a forced first layer."""
    tn.manual_seed(seed)
    net = nn.Sequential(nn.Linear(4, 8), activation, nn.Linear(8, 2))
    if weight_scale is not None:
        net[0].weight.array[...] = weight_scale * np.random.default_rng(seed).standard_normal(
            (8, 4))
    if bias is not None:
        net[0].bias.array[...] = bias
    return net


def _train_forward(net, x):
    """One training step's forward and backward (what a hand-written loop does)."""
    net.zero_grad()
    net(x).sum().backward()


# ---- dead units ------------------------------------------------------------------------
def test_relu_layer_behind_a_very_negative_bias_is_entirely_dead():
    # z = W x + b with |W x| < ~2 and b = -10: every pre-activation is negative.
    net = _net(nn.ReLU(), bias=-10.0, weight_scale=0.1)
    with Monitor(net, every=1) as monitor:
        for seed in range(3):
            _train_forward(net, _x(32, 4, seed))
        relu = monitor.end_epoch()["layers"]["1"]
    assert relu["kind"] == "ReLU"
    assert relu["dead_rate"] == 1.0
    assert relu["dead_units"] == list(range(8))
    assert relu["dead_since"] == [1] * 8


def test_gelu_layer_in_the_same_setup_has_no_dead_units():
    # GELU'(z) at z ≈ -10 is about -8e-22: tiny but not zero, so not dead by definition.
    net = _net(nn.GELU(), bias=-10.0, weight_scale=0.1)
    with Monitor(net, every=1) as monitor:
        for seed in range(3):
            _train_forward(net, _x(32, 4, seed))
        gelu = monitor.end_epoch()["layers"]["1"]
    assert gelu["dead_rate"] == 0.0
    assert gelu["dead_units"] == [] and gelu["dead_since"] == []


def test_leaky_relu_is_never_dead_even_far_below_zero():
    net = _net(nn.LeakyReLU(), bias=-1000.0, weight_scale=0.1)
    with Monitor(net, every=1) as monitor:
        _train_forward(net, _x(64, 4))
        leaky = monitor.end_epoch()["layers"]["1"]
    assert leaky["dead_rate"] == 0.0 and leaky["dead_units"] == []
    # every pair passes 1% of the gradient (slope 0.01): saturated, since 0.01 is below
    # the threshold 1 - 0.97² = 0.0591 of the peak, but alive
    assert leaky["saturation_rate"] == 1.0


def test_a_unit_alive_for_one_sample_of_the_epoch_is_not_dead():
    net = _net(nn.ReLU(), bias=np.array([-10, -10, -10, -10, -10, -10, -10, 0.0]),
               weight_scale=0.0)
    net[0].weight.array[7] = [1.0, 0, 0, 0]  # unit 7: z = x0, positive for some samples
    x = np.full((16, 4), -1.0, dtype=np.float32)
    x[5, 0] = 2.0  # the one sample that wakes unit 7
    with Monitor(net, every=1) as monitor:
        _train_forward(net, tn.tensor(x[:8]))  # batch 1: unit 7 never fires
        _train_forward(net, tn.tensor(x[8:]))
        _train_forward(net, tn.tensor(x[:8]))  # batch 3: it fires at sample 5
        relu = monitor.end_epoch()["layers"]["1"]
    assert relu["dead_units"] == list(range(7))
    assert relu["dead_rate"] == 7 / 8


def test_dead_units_and_dead_since_follow_each_unit_across_epochs():
    # Four units with zero weights: z = b exactly, so the bias alone decides life and death.
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    net[0].weight.array[...] = 0.0
    plan = {  # epoch -> bias; negative = dead for the whole epoch
        1: [-1, -1, 1, 1],
        2: [-1, 1, -1, 1],  # unit 1 revives (dropped from the list), unit 2 dies
        3: [-1, -1, -1, 1],  # unit 1 dies again: its dead run restarts at epoch 3
        4: [-1, -1, -1, -1],
        5: [1, 1, 1, 1],  # everyone revives
    }
    expected = {
        1: ([0, 1], [1, 1]),
        2: ([0, 2], [1, 2]),
        3: ([0, 1, 2], [1, 3, 2]),
        4: ([0, 1, 2, 3], [1, 3, 2, 4]),
        5: ([], []),
    }
    with Monitor(net, every=1) as monitor:
        for epoch, bias in plan.items():
            net[0].bias.array[...] = bias
            for seed in range(2):
                _train_forward(net, _x(5, 3, seed))
            record = monitor.end_epoch()
            relu = record["layers"]["1"]
            assert record["epoch"] == epoch
            assert (relu["dead_units"], relu["dead_since"]) == expected[epoch], epoch
            assert relu["dead_rate"] == len(expected[epoch][0]) / 4
    assert [r["epoch"] for r in monitor.epochs] == [1, 2, 3, 4, 5]


# ---- saturation ------------------------------------------------------------------------
@pytest.mark.parametrize("module", [nn.Sigmoid, nn.Tanh])
def test_saturation_near_one_for_inputs_of_magnitude_ten_and_zero_near_zero(module):
    rng = np.random.default_rng(0)
    signs = rng.choice([-1.0, 1.0], size=(64, 16))
    big = tn.tensor((signs * (10 + rng.random((64, 16)))).astype(np.float32))
    small = tn.tensor((0.1 * rng.standard_normal((64, 16))).astype(np.float32))
    net = nn.Sequential(module())
    with Monitor(net, every=1) as monitor:
        net(big)
        saturated = monitor.end_epoch()["layers"]["0"]["saturation_rate"]
        net(small)
        healthy = monitor.end_epoch()["layers"]["0"]["saturation_rate"]
    assert saturated > 0.99
    assert healthy < 0.01


def test_a_unit_whose_float32_derivative_rounds_to_zero_counts_as_dead():
    # tanh(z) == 1.0 exactly in float32 for |z| >= 10, so tanh'(z) = 1 - y² is exactly 0
    z = np.full((8, 3), 10.0, dtype=np.float32)
    z[:, 1] = -12.0
    z[:, 2] = 9.0  # tanh'(9) ≈ 6e-8 in float32: tiny, saturated, but not zero
    net = nn.Sequential(nn.Tanh())
    with Monitor(net, every=1) as monitor:
        net(tn.tensor(z))
        stats = monitor.end_epoch()["layers"]["0"]
    assert stats["dead_units"] == [0, 1]
    assert stats["saturation_rate"] == 1.0


@pytest.mark.parametrize("activation", [nn.GELU("tanh"), nn.GELU(), nn.ELU(), nn.Sigmoid()])
def test_statistics_without_a_graph_equal_those_read_from_it(activation):
    # With every parameter frozen no graph is recorded, and the monitor computes f' from
    # the activation's input; with a graph it reads what forward saved. Same numbers.
    epochs = []
    for frozen in (False, True):
        net = _net(activation, bias=-3.0, weight_scale=2.0)
        for p in net.parameters():
            p.requires_grad_(not frozen)
        with Monitor(net, every=1) as monitor:
            for seed in range(3):
                out = net(_x(32, 4, seed))
                assert (out.grad_fn is None) == frozen
            epochs.append(monitor.end_epoch()["layers"]["1"])
    assert 0 < epochs[0]["saturation_rate"] < 1
    assert epochs[0] == epochs[1]


def test_saturation_rate_counts_sample_unit_pairs():
    # Half the pairs at z = 0 (derivative at its peak), half at z = 10 (σ' ≈ 4.5e-5 < 0.0025).
    z = np.zeros((10, 4), dtype=np.float32)
    z[:, :2] = 10.0
    net = nn.Sequential(nn.Sigmoid())
    with Monitor(net, every=1) as monitor:
        net(tn.tensor(z))
        stats = monitor.end_epoch()["layers"]["0"]
    assert stats["saturation_rate"] == 0.5
    assert stats["dead_rate"] == 0.0


@pytest.mark.parametrize("module, edge", [
    # tanh: |tanh z| = 0.97 at z = atanh(0.97); sigmoid: |2σ(z) - 1| = 0.97 at
    # z = ln(0.985 / 0.015): there f' = (1 - 0.97²) × the peak, the threshold
    (nn.Tanh(), np.arctanh(0.97)), (nn.Sigmoid(), np.log(0.985 / 0.015)),
])
def test_saturation_is_karpathys_097_of_the_range(module, edge):
    net = nn.Sequential(module)
    z = np.array([[edge - 0.01, -(edge - 0.01), edge + 0.01, -(edge + 0.01)]])
    with Monitor(net, every=1) as monitor:
        out = net(tn.tensor(z, dtype=tn.float64))
        stats = monitor.end_epoch()["layers"]["0"]
    scaled = 2 * out.array - 1 if isinstance(module, nn.Sigmoid) else out.array
    assert (np.abs(scaled) > 0.97).tolist() == [[False, False, True, True]]
    assert stats["saturation_rate"] == 0.5


# ---- activation statistics and gradient norms -------------------------------------------
def test_activation_mean_and_std_equal_numpy_over_the_epoch():
    net = _net(nn.Tanh())
    seen = []
    net[1].register_forward_hook(lambda module, inputs, out: seen.append(out.array.copy()))
    with Monitor(net, every=1) as monitor:
        for seed in range(4):
            _train_forward(net, _x(10 + seed, 4, seed, scale=2.0))  # uneven batch sizes
        tanh = monitor.end_epoch()["layers"]["1"]
    outputs = np.concatenate(seen).astype(np.float64)
    assert tanh["act_mean"] == pytest.approx(outputs.mean(), rel=1e-9, abs=1e-12)
    assert tanh["act_std"] == pytest.approx(outputs.std(), rel=1e-9)


def test_grad_norms_equal_numpy_norms_of_the_captured_gradients():
    net = _net(nn.ReLU())
    optimizer = tn.optim.SGD(net.parameters(), lr=0.1)
    captured = {"0": [], "2": []}
    captured_bias = {"0": [], "2": []}
    with Monitor(net, every=1) as monitor:
        for seed in range(5):
            _train_forward(net, _x(16, 4, seed))
            for name in captured:
                captured[name].append(np.linalg.norm(net[int(name)].weight.grad.array))
                captured_bias[name].append(np.linalg.norm(net[int(name)].bias.grad.array))
            optimizer.step()
        per_step = monitor.step_grad_norms()
        layers = monitor.end_epoch()["layers"]
    for name in captured:  # float32 sums of squares: BLAS dot vs numpy's pairwise sum
        np.testing.assert_allclose(per_step[name], captured[name], rtol=1e-6)
        mean = np.mean(captured[name], dtype=np.float64)
        assert layers[name]["grad_norm"] == pytest.approx(mean, rel=1e-6)
        mean_bias = np.mean(captured_bias[name], dtype=np.float64)
        assert layers[name]["bias_grad_norm"] == pytest.approx(mean_bias, rel=1e-6)


def test_update_ratio_equals_the_hand_computed_relative_step_with_sgd():
    net = _net(nn.ReLU())
    optimizer = tn.optim.SGD(net.parameters(), lr=0.05)
    weights = []  # W_0, W_1, ... of layer 0, copied before each step
    epoch_records = []
    with Monitor(net, every=1) as monitor:
        for epoch in range(2):
            for step in range(3):
                _train_forward(net, _x(16, 4, 10 * epoch + step))
                weights.append(net[0].weight.array.astype(np.float64))
                optimizer.step()
            epoch_records.append(monitor.end_epoch()["layers"]["0"])
    weights.append(net[0].weight.array.astype(np.float64))  # after the last step
    # ratio_t = ‖W_t - W_(t-1)‖ / ‖W_(t-1)‖: the update of step t, measured at the
    # backward of step t+1, or at end_epoch for an epoch's last step
    ratios = [np.linalg.norm(weights[t] - weights[t - 1]) / np.linalg.norm(weights[t - 1])
              for t in range(1, len(weights))]
    # With SGD, W_t - W_(t-1) = -lr * grad: the ratios are far from zero and all differ.
    assert min(ratios) > 1e-4
    # each epoch holds exactly its own steps' updates: steps 1-3, then 4-6
    assert epoch_records[0]["update_ratio"] == pytest.approx(np.mean(ratios[:3]), rel=1e-5)
    assert epoch_records[1]["update_ratio"] == pytest.approx(np.mean(ratios[3:]), rel=1e-5)


@pytest.mark.parametrize("capture", [False, True])
def test_gradient_accumulation_counts_per_optimizer_step(capture):
    """Two half-batch backward passes per SGD step: the norms are those of the summed
    gradient each step takes, the ratios those of each step's whole update."""
    tn.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    optimizer = tn.optim.SGD(net.parameters(), lr=0.1)
    y = tn.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    loss_of = lambda x, y: tn.nn.functional.cross_entropy(net(x), y) / 2  # noqa: E731
    step = tn.capture(loss_of) if capture else loss_of
    weights, norms, bias_norms = [net[0].weight.array.astype(np.float64)], [], []
    with Monitor(net, every=1) as monitor:
        for k in range(4):
            x = _x(8, 4, k)
            optimizer.zero_grad()
            for half in (slice(0, 4), slice(4, 8)):
                step(x[half], y[half]).backward()
            norms.append(np.linalg.norm(net[0].weight.grad.array.astype(np.float64)))
            bias_norms.append(np.linalg.norm(net[0].bias.grad.array.astype(np.float64)))
            optimizer.step()
            weights.append(net[0].weight.array.astype(np.float64))
        steps = monitor.step_grad_norms()["0"]
        layer = monitor.end_epoch()["layers"]["0"]
    ratios = [np.linalg.norm(weights[t] - weights[t - 1]) / np.linalg.norm(weights[t - 1])
              for t in range(1, len(weights))]
    np.testing.assert_allclose(steps, norms, rtol=1e-6)
    assert layer["grad_norm"] == pytest.approx(np.mean(norms), rel=1e-6)
    assert layer["bias_grad_norm"] == pytest.approx(np.mean(bias_norms), rel=1e-6)
    assert layer["update_ratio"] == pytest.approx(np.mean(ratios), rel=1e-5)


def test_without_a_step_the_ratio_is_0_and_separate_backward_passes_count_apart():
    net = _net(nn.Tanh())
    norms = []
    with Monitor(net, every=1) as monitor:
        for seed in range(3):  # gradients for inspection: no optimizer, .grad reset
            _train_forward(net, _x(8, 4, seed))
            norms.append(np.linalg.norm(net[0].weight.grad.array))
        layer = monitor.end_epoch()["layers"]["0"]
    assert layer["update_ratio"] == 0.0  # the weights never changed
    assert layer["grad_norm"] == pytest.approx(np.mean(norms), rel=1e-6)


def test_an_update_written_into_the_arrays_is_measured_too():
    """A hand-written update on ``p.array`` skips the version counter: the ratio is
    still measured, from the weights' values."""
    net = _net(nn.ReLU())
    weights = [net[0].weight.array.astype(np.float64)]
    with Monitor(net, every=1) as monitor:
        for seed in range(3):
            _train_forward(net, _x(16, 4, seed))
            for p in net.parameters():
                p.array -= 0.05 * p.grad.array
            weights.append(net[0].weight.array.astype(np.float64))
        layer = monitor.end_epoch()["layers"]["0"]
    ratios = [np.linalg.norm(b - a) / np.linalg.norm(a) for a, b in zip(weights, weights[1:])]
    assert layer["update_ratio"] == pytest.approx(np.mean(ratios), rel=1e-5)


# ---- activation histograms ---------------------------------------------------------------
def test_histogram_edges_are_fixed_bins_centred_on_tenths():
    assert len(HIST_EDGES) == 84 and HIST_EDGES[0] == -np.inf and HIST_EDGES[-1] == np.inf
    np.testing.assert_allclose(HIST_EDGES[1:-1], np.arange(-4.05, 4.1, 0.1), atol=1e-12)


def test_histogram_of_a_relu_on_chosen_inputs():
    # Bin k (k = 1..81) holds [-4.05 + 0.1 (k - 1), -4.05 + 0.1 k): the bin centred on
    # c = -4.0 + 0.1 (k - 1), i.e. k = 10 c + 41. Bin 0 is below -4.05, bin 82 from 4.05 up.
    z = np.array([[-3.0, -0.5, 0.0, 0.04], [0.06, 0.31, 2.0, 7.5]], dtype=np.float32)
    # ReLU outputs:  0,    0,    0,   0.04 | 0.06, 0.31, 2.0, 7.5
    expected = np.zeros(83, dtype=int)
    expected[41] = 4  # 0, 0, 0 and 0.04: the bin centred on 0
    expected[42] = 1  # 0.06 -> centred on 0.1
    expected[44] = 1  # 0.31 -> centred on 0.3
    expected[61] = 1  # 2.0 -> 10 * 2.0 + 41
    expected[82] = 1  # 7.5 >= 4.05: the last, open bin
    net = nn.Sequential(nn.ReLU())
    with Monitor(net, every=1) as monitor:
        net(tn.tensor(z))
        stats = monitor.end_epoch()["layers"]["0"]
    assert stats["act_hist"] == expected.tolist()


def test_histogram_of_saturated_tanh_and_sigmoid_peaks_at_their_limits():
    z = np.array([[-20.0, 20.0, 20.0]], dtype=np.float32)  # tanh = -1, 1, 1 exactly
    for module, peaks in ((nn.Tanh, {31: 1, 51: 2}), (nn.Sigmoid, {41: 1, 51: 2})):
        net = nn.Sequential(module())
        with Monitor(net, every=1) as monitor:
            net(tn.tensor(z))
            hist = monitor.end_epoch()["layers"]["0"]["act_hist"]
        assert {k: c for k, c in enumerate(hist) if c} == peaks, module.__name__


def test_histogram_counts_every_observed_value_and_equals_numpy():
    """every=2 over 5 steps observes steps 1, 3, 5: their 3 x 6 x 8 output values."""
    net = _net(nn.GELU())
    seen = []
    net[1].register_forward_hook(lambda module, inputs, out: seen.append(out.array.copy()))
    with Monitor(net, every=2) as monitor:
        for seed in range(5):
            _train_forward(net, _x(6, 4, seed, scale=3.0))
        gelu = monitor.end_epoch()["layers"]["1"]
    observed = np.concatenate([seen[i] for i in (0, 2, 4)])
    assert sum(gelu["act_hist"]) == observed.size == 3 * 6 * 8
    assert gelu["act_hist"] == np.histogram(observed, HIST_EDGES)[0].tolist()
    assert all(type(c) is int for c in gelu["act_hist"])  # plain ints for JSON


@given(st.sampled_from([np.float16, np.float32, np.float64]),
       st.integers(1, 5), st.integers(1, 6), st.sampled_from([3, 7, 1 << 16]), st.data())
@settings(max_examples=80, deadline=None)
def test_histogram_bins_every_value_as_the_scalar_formula_even_nan_and_infinities(
        dtype, rows, units, block, data):
    """The histogram's binning (bounds as arrays, clipped block by block, a uint8 cast)
    counts every value as the plain formula floor(10 v + 41.5) clipped to [0, 82] in the
    output's dtype does, with NaN and -inf in the first bin and +inf in the last, on
    outputs of changing shapes (of one unit count) and blocks smaller than an output."""
    previous, monitor_module.BOUNDS_BLOCK = monitor_module.BOUNDS_BLOCK, block
    try:
        _check_histogram_binning(dtype, rows, units, data)
    finally:
        monitor_module.BOUNDS_BLOCK = previous


def _check_histogram_binning(dtype, rows, units, data):
    stats = monitor_module._ActivationStats("act", nn.LeakyReLU(0.5))
    expected = np.zeros(len(HIST_EDGES) - 1, np.int64)
    values = st.one_of(st.floats(-6, 6, width=16), st.sampled_from([np.nan, np.inf, -np.inf,
                                                                     4.05, -4.05, 1e4]))
    for shape in ((rows, units), (2 * rows, units), (2, rows, units)):
        size = int(np.prod(shape))
        x = np.array(data.draw(st.lists(values, min_size=size, max_size=size)),
                     dtype).reshape(shape)
        with np.errstate(all="ignore"):
            out = nn.LeakyReLU(0.5)(tn.from_numpy(x))
            stats.observe(x, out)
            stats.take_gathered()
            bins = out.array.reshape(-1) * 10.0
            bins += 41.5
            bins = np.fmin(np.fmax(bins, 0), len(expected) - 1)
        expected += np.bincount(bins.astype(np.intp), minlength=len(expected))
        nan, pos, neg = np.isnan(x), x == np.inf, x == -np.inf
        assert stats.hist[0] >= nan.sum() + neg.sum() and stats.hist[-1] >= pos.sum()
    assert stats.hist.tolist() == expected.tolist()


@given(st.lists(st.tuples(st.integers(1, 40), st.sampled_from([np.float32, np.float64])),
                min_size=1, max_size=12),
       st.sampled_from([nn.ReLU, nn.Tanh, lambda: nn.GELU("tanh"), nn.Sigmoid]),
       st.sampled_from([64, 256, 1 << 15]), st.integers(0, 2 ** 32 - 1))
@settings(max_examples=60, deadline=None)
def test_statistics_gathered_over_forwards_equal_those_taken_forward_by_forward(
        forwards, activation, block, seed):
    """Small forwards' f' and outputs are gathered into blocks (of ``block`` values here)
    and their statistics taken per block; the counts are the same as taken forward by
    forward, and the float64 sums agree to rounding, whatever the batch sizes, a dtype
    changing between forwards, or a block filling up mid-epoch."""
    module, summaries = activation(), []
    for gathered_max in (-1, 1 << 13):  # -1: no forward is gathered
        rng = np.random.default_rng(seed)
        previous = monitor_module.GATHERED_BLOCK, monitor_module.GATHERED_MAX
        monitor_module.GATHERED_BLOCK, monitor_module.GATHERED_MAX = block, gathered_max
        try:
            stats = monitor_module._ActivationStats("act", module)
            for rows, dtype in forwards:
                x = 4 * rng.standard_normal((rows, 5))
                x[rng.random(x.shape) < 0.1] = -30.0  # some units dead in some rows
                x = tn.tensor(x.astype(dtype), requires_grad=True)
                stats.observe(x.array, module(x))
            summaries.append(stats.summarize(epoch=1))
        finally:
            monitor_module.GATHERED_BLOCK, monitor_module.GATHERED_MAX = previous
    direct, gathered = summaries
    for key in ("dead_units", "dead_since", "act_hist"):
        assert gathered[key] == direct[key]
    assert gathered["saturation_rate"] == direct["saturation_rate"]
    assert gathered["act_mean"] == pytest.approx(direct["act_mean"], rel=1e-12, abs=1e-15)
    assert gathered["act_std"] == pytest.approx(direct["act_std"], rel=1e-9, abs=1e-12)
    assert sum(gathered["act_hist"]) == 5 * sum(rows for rows, _ in forwards)


def test_a_denormal_derivative_keeps_its_unit_alive():
    # f' = 1e-40 (a float32 subnormal) is not 0: the unit passes gradient, so it is alive,
    # however its column is summed
    class Tiny(nn.Module):
        peak_derivative = 1.0

        def forward(self, x):
            return x * 1.0

        @staticmethod
        def derivative(x, y):
            d = np.zeros_like(x)
            d[0, 0] = 1e-40
            return d

    stats = monitor_module._ActivationStats("act", Tiny())
    stats.observe(np.ones((4, 2), np.float32), Tiny()(tn.ones(4, 2)))
    assert stats.summarize(epoch=1)["dead_units"] == [1]


def test_histograms_restart_each_epoch_and_survive_a_json_round_trip():
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    tn.manual_seed(0)
    model = tn.models.MLP(2, [8, 8], 2, activation="tanh")
    history = tn.fit(model, data.X_train, data.y_train, epochs=2, batch_size=32,
                     monitor=1, seed=0, progress=False)
    for record in history.records:  # every=1: each epoch counts every sample once
        assert sum(record["layers"]["1"]["act_hist"]) == len(data.X_train) * 8
    again = tn.History.from_json(history.to_json())
    assert again.layer_metric("act_hist") == history.layer_metric("act_hist")


# ---- memory ------------------------------------------------------------------------------
def test_memory_stays_flat_over_five_thousand_monitored_steps():
    # The default Monitor (every=4) over 10 epochs of 500 one-sample steps, after a warm-up
    # epoch. Keeping every step's norms would grow by ~150 bytes a step (750 kB here).
    tn.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    x = _x(1, 2)
    grad = tn.tensor(np.ones((1, 2), dtype=np.float32))

    def epoch(steps=500):
        for _ in range(steps):
            net(x).backward(grad)  # backward alone: no optimizer, no sum node, fewer objects
        monitor.end_epoch()

    with Monitor(net) as monitor:
        epoch()
        tracemalloc.start()
        try:
            for _ in range(10):
                epoch()
            grown, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert grown < 250_000
    assert len(monitor.epochs) == 11
    assert sum(monitor.epochs[-1]["layers"]["1"]["act_hist"]) == 125 * 8  # steps 1, 5, ...


def test_step_grad_norms_keep_the_current_epochs_last_steps(monkeypatch):
    monkeypatch.setattr(monitor_module, "STEP_NORMS_KEPT", 3)
    net = _net(nn.ReLU())
    captured = []
    with Monitor(net, every=1) as monitor:
        for seed in range(5):
            _train_forward(net, _x(4, 4, seed))
            captured.append(np.linalg.norm(net[0].weight.grad.array))
        np.testing.assert_allclose(monitor.step_grad_norms()["0"], captured[-3:], rtol=1e-6)
        layers = monitor.end_epoch()["layers"]
        assert monitor.step_grad_norms() == {"0": [], "2": []}
    # the epoch's mean still counts all five steps
    assert layers["0"]["grad_norm"] == pytest.approx(np.mean(captured), rel=1e-6)


def test_activation_hooks_are_attached_only_for_the_steps_observed():
    """every=2: steps 1 and 3 are observed. Between observed steps the activation modules
    have no forward hook (tn.capture replays those steps): only the model's step counter,
    which is marked replay-safe."""
    net = _net(nn.Tanh())
    seen = []
    with Monitor(net, every=2) as monitor:
        hooked = [bool(net[1]._forward_hooks)]
        for seed in range(4):
            x = _x(5, 4, seed)
            seen.append(net[1](net[0](x)).array.copy())  # as the step's forward sees it
            _train_forward(net, x)
            hooked.append(bool(net[1]._forward_hooks))
        counter = list(net._forward_hooks.values())
        layer = monitor.end_epoch()["layers"]["1"]
        assert bool(net[1]._forward_hooks)  # each epoch's first step is observed
    assert hooked == [True, False, True, False, True]
    assert len(counter) == 1 and counter[0].replay_safe
    assert not net[1]._forward_hooks and not net._forward_hooks  # detached
    assert not net[0].weight._grad_hooks
    # observed: steps 1 and 3, the step's own call (the direct one above, outside the
    # model's forward, is none of its layer's forwards)
    observed = np.concatenate([seen[0], seen[2]]).astype(np.float64)
    assert layer["act_mean"] == pytest.approx(float(observed.mean()), rel=1e-6)
    assert sum(layer["act_hist"]) == observed.size


@pytest.mark.parametrize("loop", ["two backward passes", "biases only", "extra forward"])
def test_steps_are_training_forwards_whatever_the_backward_does(loop):
    """every=4 over 8 steps observes the forwards of steps 1 and 5, whether a step runs
    two backward passes through one graph, trains only the biases (no weight gradient), or
    runs one more training forward without a backward (which counts as a step too)."""
    tn.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    if loop == "biases only":
        net[0].weight.requires_grad_(False)
        net[2].weight.requires_grad_(False)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = tn.optim.SGD(params, lr=0.1)
    x, y = _x(8, 4, 0), tn.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    with Monitor(net) as monitor:
        for _ in range(8 if loop != "extra forward" else 4):
            opt.zero_grad()
            out = net(x)
            if loop == "two backward passes":
                tn.nn.functional.cross_entropy(out, y).backward(retain_graph=True)
                (1e-2 * (out * out).mean()).backward()
            else:
                tn.nn.functional.cross_entropy(out, y).backward()
            opt.step()
            if loop == "extra forward":
                net(x)
        layers = monitor.end_epoch()["layers"]
    assert sum(layers["1"]["act_hist"]) == 2 * 8 * 8  # two observed forwards of 8 x 8
    if loop == "two backward passes":
        assert layers["0"]["update_ratio"] > 0 and layers["2"]["update_ratio"] > 0


# ---- what is not counted, and detaching ---------------------------------------------------
def test_eval_mode_and_no_grad_forwards_are_not_counted():
    net = _net(nn.ReLU(), weight_scale=1.0, bias=0.0)
    dead_bias = np.full(8, -100.0)
    with Monitor(net, every=1) as monitor:
        _train_forward(net, _x(16, 4, 0))
        live = monitor.end_epoch()["layers"]["1"]
        _train_forward(net, _x(16, 4, 0))
        net[0].bias.array[...] = dead_bias  # everything would be dead, but only in eval
        net.eval()
        net(_x(16, 4, 1))
        net.train()
        with tn.no_grad():
            net(_x(16, 4, 2))
        again = monitor.end_epoch()["layers"]["1"]
        net.eval()
        net(_x(16, 4, 3))
        nothing = monitor.end_epoch()["layers"]["1"]
    assert again == {**live, "dead_since": again["dead_since"]}
    assert nothing == {"kind": "ReLU"}  # an epoch with no training forward has no numbers


def test_detach_removes_every_hook_and_changes_no_number():
    def run(monitor_mode):
        net = _net(nn.GELU(), seed=3)
        monitor = Monitor(net, every=1) if monitor_mode else None
        if monitor_mode == "detached":
            monitor.detach()
        optimizer = tn.optim.SGD(net.parameters(), lr=0.1)
        outs, grads = [], []
        for seed in range(3):
            net.zero_grad()
            out = net(_x(8, 4, seed))
            out.sum().backward()
            outs.append(out.array.copy())
            grads.append([p.grad.array.copy() for p in net.parameters()])
            optimizer.step()
        return net, monitor, outs, grads

    _, _, outs, grads = run(None)
    for mode in ("attached", "detached"):
        net, monitor, outs_m, grads_m = run(mode)
        for a, b in zip(outs, outs_m):
            np.testing.assert_array_equal(a, b)
        for ga, gb in zip(grads, grads_m):
            for a, b in zip(ga, gb):
                np.testing.assert_array_equal(a, b)
    # the detached monitor saw nothing and left no hook behind
    assert monitor.step_grad_norms() == {"0": [], "2": []}
    assert all(not m._forward_hooks for m in net.modules())
    assert all(not p._grad_hooks for p in net.parameters())


def test_detach_after_training_stops_the_counting():
    net = _net(nn.ReLU())
    monitor = Monitor(net, every=1)
    _train_forward(net, _x(8, 4))
    monitor.detach()
    _train_forward(net, _x(8, 4, 1))
    assert len(monitor.step_grad_norms()["0"]) == 1
    assert monitor.end_epoch()["layers"]["1"]["act_mean"] == pytest.approx(
        float(np.maximum(net[0](_x(8, 4)).array, 0).mean()), rel=1e-6)


def test_layers_are_named_and_ordered_by_module_path():
    model = tn.models.MLP(2, [4] * 11, 2, activation="relu")
    with Monitor(model, every=1) as monitor:
        _train_forward(model, _x(4, 2))
        names = list(monitor.end_epoch()["layers"])
    assert names == [str(i) for i in range(23)]  # "10" after "9", not after "1"


class _FeaturesThenClassifier(nn.Module):
    """A deep sigmoid stack and its head under names that sort the other way round."""

    def __init__(self, depth=8):
        super().__init__()
        layers = []
        for i in range(depth):
            layers += [nn.Linear(2 if i == 0 else 16, 16), nn.Sigmoid()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(16, 2)

    def forward(self, x):
        return self.classifier(self.features(x))


def test_layers_of_a_custom_model_are_in_its_order_and_the_hints_read_it_so():
    tn.manual_seed(0)
    model = _FeaturesThenClassifier()
    with Monitor(model, every=1) as monitor:
        tn.nn.functional.cross_entropy(model(_x(32, 2)), tn.tensor([0, 1] * 16)).backward()
        layers = monitor.end_epoch()["layers"]
    assert list(layers) == [f"features.{i}" for i in range(16)] + ["classifier"]
    assert layer_labels(layers)["classifier"] == "layer 9 · Linear (output)"
    ratio = gradient_ratio({"layers": layers})
    norms = [layers[name]["grad_norm"] for name in ("features.0", "classifier")]
    assert ratio == pytest.approx(norms[0] / norms[1]) and ratio < 1e-3  # vanishing


def test_layer_labels_of_a_monitored_mlp_number_the_linears():
    model = tn.models.MLP(2, [4, 4], 3, activation="gelu")
    with Monitor(model, every=1) as monitor:
        _train_forward(model, _x(4, 2))
        labels = layer_labels(monitor.end_epoch()["layers"])
    assert labels == {"0": "layer 1 · Linear", "1": "layer 1 · GELU", "2": "layer 2 · Linear",
                      "3": "layer 2 · GELU", "4": "layer 3 · Linear (output)"}
    nested = {"stem.act": {"kind": "Tanh"}, "body.0": {"kind": "Linear"},
              "body.1": {"kind": "Sigmoid"}, "head": {"kind": "Linear"}, "out": {}}
    assert list(layer_labels(nested).values()) == [
        "input · Tanh", "layer 1 · Linear", "layer 1 · Sigmoid", "layer 2 · Linear (output)",
        "layer 2 · module"]


# ---- vanishing gradients, in the monitor and at initialisation ---------------------------
def _moons():
    return tn.data.load_dataset("moons", seed=0, n_samples=300)


@pytest.mark.parametrize("init", ["pytorch", "auto"])
def test_deep_sigmoid_gradients_vanish_while_relu_layernorm_keeps_them(init):
    data = _moons()
    ratios = {}
    for activation, norm in (("sigmoid", None), ("relu", "layernorm")):
        tn.manual_seed(0)
        model = tn.models.MLP(2, [32] * 20, 2, activation=activation, norm=norm, init=init)
        history = tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=1, seed=0,
                         progress=False)
        ratios[activation] = gradient_ratio(history.records[0])
    assert ratios["sigmoid"] < 1e-3
    assert ratios["relu"] > 1e-2


def test_init_report_shows_the_same_vanishing_before_training():
    data = _moons()
    first_last = {}
    for activation, norm in (("sigmoid", None), ("relu", "layernorm")):
        tn.manual_seed(0)
        model = tn.models.MLP(2, [32] * 20, 2, activation=activation, norm=norm)
        rows = tn.init_report(model, data.X_train, data.y_train)
        linears = [r for r in rows if r["kind"] == "Linear"]
        assert len(linears) == 21
        first_last[activation] = linears[0]["grad_norm"] / linears[-1]["grad_norm"]
    assert first_last["sigmoid"] < 1e-3
    assert first_last["relu"] > 1e-2


def test_init_report_leaves_the_model_as_it_found_it():
    tn.manual_seed(0)
    model = tn.models.MLP(3, [8, 8], 2, activation="tanh")
    model(_x(4, 3)).sum().backward()
    model.eval()
    before = {n: (p.array.copy(), p.grad.array.copy()) for n, p in model.named_parameters()}
    rows = tn.init_report(model, _x(32, 3))  # y=None: a fixed random output direction
    assert not model.training
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.array, before[name][0])
        np.testing.assert_array_equal(p.grad.array, before[name][1])
    assert all(not m._forward_hooks for m in model.modules())
    assert [r["kind"] for r in rows] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert "act std" in str(rows) and "grad norm" in str(rows)


def test_init_report_activation_std_matches_a_manual_forward():
    tn.manual_seed(1)
    model = tn.models.MLP(4, [16, 16], 3, activation="relu")
    x = _x(64, 4, 2)
    rows = tn.init_report(model, x)
    with tn.no_grad():
        hidden = model[1](model[0](x)).array
    assert rows[1]["act_std"] == pytest.approx(float(hidden.astype(np.float64).std()), rel=1e-6)


def test_sampling_observes_every_kth_step_from_each_epochs_first():
    """every=3 over 7 steps observes steps 1, 4, 7 (then restarts at the next epoch's
    first step); gradient norms are still taken on every step."""
    tn.manual_seed(0)
    net = tn.nn.Sequential(tn.nn.Linear(3, 5), tn.nn.Tanh(), tn.nn.Linear(5, 2)).double()
    batches = [tn.randn(4, 3, dtype=tn.float64) for _ in range(7)]
    observed, weights = [], []  # the Tanh's outputs; W of layer 0 before each update
    with Monitor(net, every=3) as monitor:
        opt = tn.optim.SGD(net.parameters(), lr=0.1)
        for xb in batches:
            opt.zero_grad()
            hidden = net[1](net[0](xb)).array.copy()  # what the Tanh outputs in this step
            net(xb).sum().backward()
            weights.append(net[0].weight.array.copy())
            opt.step()
            observed.append(hidden)
        weights.append(net[0].weight.array.copy())  # after the last update
        assert len(monitor.step_grad_norms()["0"]) == 7
        epoch = monitor.end_epoch()["layers"]
        seen = np.concatenate([observed[i] for i in (0, 3, 6)])
        assert epoch["1"]["act_mean"] == pytest.approx(seen.mean(), rel=1e-12)
        assert epoch["1"]["act_std"] == pytest.approx(seen.std(), rel=1e-9)
        # the updates of the observed steps 1 and 4 (measured at the next backward) and 7
        # (the epoch's last step, measured by end_epoch)
        ratios = [np.linalg.norm(weights[t + 1] - weights[t]) / np.linalg.norm(weights[t])
                  for t in (0, 3, 6)]
        assert epoch["0"]["update_ratio"] == pytest.approx(np.mean(ratios), rel=1e-12)
    with pytest.raises(ValueError, match="Monitor: every must be an integer >= 1, got 0"):
        Monitor(net, every=0)


def test_activation_modules_lists_every_activation_the_monitor_watches():
    from tinynet.diagnostics import ACTIVATION_MODULES, is_activation

    watched = {name for name, cls in vars(tn.nn).items() if isinstance(cls, type)
               and issubclass(cls, tn.nn.Module) and is_activation(cls.__new__(cls))}
    assert {cls.__name__ for cls in ACTIVATION_MODULES} == watched
    assert {"ReLU", "SiLU", "Mish", "CELU", "Softshrink", "Hardtanh"} <= watched
    assert not {"Linear", "Softmax", "GLU", "Identity", "LayerNorm"} & watched


@pytest.mark.parametrize("approximate", ["tanh", "none"])
@pytest.mark.parametrize("captured", [False, True])
def test_backward_reusing_the_derivative_the_monitor_read_gives_the_same_gradients(
        approximate, captured):
    # On observed steps GELU's backward takes the f' the Monitor read; a replayed call
    # whose loss was never backpropagated must not leave it to the next call's backward.
    grads = []
    for monitored in (False, True):
        tn.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 8), nn.GELU(approximate), nn.Linear(8, 2))
        monitor = Monitor(net, every=2) if monitored else None  # forwards 1, 3, 5...

        def loss(x):
            return (net(x) ** 2).sum()

        step = tn.capture(loss) if captured else loss
        seen = []
        for seed in range(6):
            x = _x(16, 4, seed, scale=2.0)
            out = step(x)
            if seed == 2:
                continue  # an observed forward without its backward, then one not observed
            net.zero_grad()
            out.backward()
            seen.append([p.grad.array.copy() for p in net.parameters()])
        grads.append(seen)
        if monitor is not None:
            monitor.detach()
    for plain, watched in zip(*grads):
        for a, b in zip(plain, watched):
            np.testing.assert_array_equal(a, b)


class _Reused(nn.Module):
    """One ReLU module after every layer, of widths 6, 4, 3: a common PyTorch idiom."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(4, 6), nn.Linear(6, 4), nn.Linear(4, 3)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.out(self.act(self.fc2(self.act(self.fc1(x)))))


def test_an_activation_reused_across_layers_is_not_measured_and_fit_runs():
    """Its units' rates would mix layers of different widths (they crashed fit): the row
    says it is reused, a warning says why, and the Linear layers are measured as ever."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4)).astype(np.float32), rng.integers(0, 3, 64)
    tn.manual_seed(0)
    model = _Reused()
    with pytest.warns(RuntimeWarning, match="Monitor: the activation module 'act' \\(ReLU\\) "
                                            "is called more than once in a forward"):
        history = tn.fit(model, X, y, epochs=2, progress=False)
    layers = history.records[-1]["layers"]
    assert layers["act"] == {"kind": "ReLU", "reused": True}
    assert all(layers[n]["grad_norm"] > 0 for n in ("fc1", "fc2", "out"))
    assert "act" not in history.config["initial_act_std"]  # the probe leaves it out too
    model.act(tn.randn(5, 4))  # a call on its own, outside the model: not reuse
    with Monitor(_net(nn.Tanh())) as monitor:
        net = monitor.model
        net[1](net[0](_x(5, 4, 0)))
        _train_forward(net, _x(5, 4, 1))
        assert "reused" not in monitor.end_epoch()["layers"]["1"]


def test_a_call_of_an_activation_on_other_data_is_not_one_of_its_layers_forwards():
    """Plotting a watched activation on a grid of points while training (a call on its
    own, outside the model's forward), before or between steps, is not counted and
    crashes nothing (its width differs from the layer's)."""
    net = _net(nn.Tanh())
    grid = tn.tensor(np.linspace(-3, 3, 101).astype(np.float32), requires_grad=True)
    with Monitor(net, every=1) as monitor:
        net[1](grid).sum().backward()
        _train_forward(net, _x(5, 4, 0))
        net[1](grid).sum().backward()
        _train_forward(net, _x(5, 4, 1))
        layer = monitor.end_epoch()["layers"]["1"]
    assert sum(layer["act_hist"]) == 2 * 5 * net[0].out_features
