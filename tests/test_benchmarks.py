"""The benchmark scripts run, and the hand-written numpy step they time tinynet against
computes tinynet's loss and gradients (else the speed ratios would compare different
work). Speeds themselves are never asserted."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import monitor_cost  # noqa: E402
import step  # noqa: E402

import tinynet as tn  # noqa: E402


@pytest.mark.parametrize("name", list(step.CONFIGS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hand_written_step_matches_tinynet(name, dtype):
    widths, activation, layernorm, batch = step.CONFIGS[name]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, widths[0])).astype(dtype)
    y = rng.integers(0, widths[-1], batch)
    tn.manual_seed(1)
    model = step.tinynet_model(widths, activation, layernorm, dtype)
    step.check_numpy_matches(model, step.NumpyMLP(model, activation, layernorm), x, y, dtype)


@pytest.mark.parametrize("name", list(step.CONFIGS))
@pytest.mark.parametrize("seed", [0, 2])
def test_hand_written_adam_matches_tinynet(name, seed):
    widths, activation, layernorm, batch = step.CONFIGS[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, widths[0])).astype(np.float32)  # as the benchmark's
    y = rng.integers(0, widths[-1], batch)
    step.check_numpy_adam_matches(widths, activation, layernorm, x, y)


def test_a_wrong_reference_adam_is_caught(monkeypatch):
    real_step = step.NumpyMLP.step

    def without_bias_correction(self, x, y):  # Adam's classic slip: t stuck at a large value
        self.t = 10_000
        return real_step(self, x, y)

    monkeypatch.setattr(step.NumpyMLP, "step", without_bias_correction)
    widths, activation, layernorm, batch = step.CONFIGS["toy"]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((batch, 2)), rng.integers(0, 2, batch)
    with pytest.raises(AssertionError, match="numpy Adam disagrees"):
        step.check_numpy_adam_matches(widths, activation, layernorm, x, y)


def test_matmuls_only_does_the_steps_products():
    widths, activation, layernorm, batch = step.CONFIGS["toy"]
    model = step.tinynet_model(widths, activation, layernorm, np.float64)
    reference = step.NumpyMLP(model, activation, layernorm)
    calls = []

    class Recorder(np.ndarray):  # records every matrix product it takes part in
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            plain = [np.asarray(a) for a in inputs]
            if ufunc is np.matmul:
                calls.append(tuple(a.shape for a in plain))
            return getattr(ufunc, method)(*plain, **kwargs).view(Recorder)

    x = np.zeros((batch, 2)).view(Recorder)
    reference.W = [w.view(Recorder) for w in reference.W]
    reference.matmuls(x, None)
    # forward x·Wᵀ per Linear; backward gᵀ·h (dW) per Linear, g·W (dX) for all but the first
    n, d = batch, widths
    forward = [((n, a), (a, b)) for a, b in zip(d[:-1], d[1:])]
    backward = []
    for i in reversed(range(len(d) - 1)):
        backward.append(((d[i + 1], n), (n, d[i])))
        if i:
            backward.append(((n, d[i + 1]), (d[i + 1], d[i])))
    assert calls == forward + backward


def test_a_wrong_reference_is_caught():
    widths, activation, layernorm, batch = step.CONFIGS["toy"]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((batch, 2)).astype(np.float64), rng.integers(0, 2, batch)
    model = step.tinynet_model(widths, activation, layernorm, np.float64)
    reference = step.NumpyMLP(model, activation, layernorm)
    reference.W[1] = reference.W[1] * 1.01  # a reference that computes something else
    with pytest.raises(AssertionError):
        step.check_numpy_matches(model, reference, x, y, np.float64)


def test_step_benchmark_prints_its_table(capsys, monkeypatch):
    monkeypatch.setattr(step, "PAUSE", 0.0)

    def no_torch(*args):
        raise ImportError("torch")

    monkeypatch.setattr(step, "torch_step", no_torch)  # PyTorch's row is optional
    step.main(["--config", "toy", "--rounds", "2", "--steps", "4"])
    out = capsys.readouterr().out
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in out.splitlines()
            if line.startswith("| toy |")]
    libraries = ["tinynet", "tinynet capture", "tinynet reference path", "numpy",
                 "matmuls only", "sklearn MLPClassifier"]
    assert [(r[1], r[2]) for r in rows] == [(o, lib) for o in ("sgd", "adam") for lib in libraries]
    for row in rows:
        total = float(row[3])
        assert total > 0  # median µs per step
        if row[2].startswith("tinynet") or row[2] == "numpy":  # three phases, "µs (× numpy)"
            phases = [float(cell.split()[0]) for cell in row[6:9]]
            assert all(p > 0 for p in phases)
        else:
            assert row[6:9] == ["—"] * 3
    numpy_rows = [r for r in rows if r[2] == "numpy"]
    assert all(r[5].startswith("1.00 (1.00-1.00)") for r in numpy_rows)
    assert "toy, sgd: 8 ops recorded per step" in out
    assert "Monitor(every=4) adds" in out and "peak memory of a step" in out
    assert "tinynet's step / sklearn MLPClassifier's, paired by round" in out


def test_summarise_pairs_rounds_and_sums_phases():
    # Two rounds; numpy's step is 1+1+1 s, tinynet's 2+1+1 in round one, 4+2+2 in round two.
    rounds = [{"numpy": np.array([[1.0, 1.0, 1.0]] * 3), "tinynet": np.array([[2.0, 1.0, 1.0]] * 3),
               "tinynet capture": np.array([[1.5, 1.0, 1.0]] * 3)},
              {"numpy": np.array([[2.0, 2.0, 2.0]] * 3), "tinynet": np.array([[4.0, 2.0, 2.0]] * 3),
               "tinynet capture": np.array([[3.0, 2.0, 2.0]] * 3)}]
    result = step.summarise(rounds, {}, {"tinynet": 2e6, "numpy": 1e6}, n_ops=2, flops=6e9)
    row = result["rows"]["tinynet"]
    assert row["ratio_to_numpy"]["median"] == pytest.approx(4 / 3)  # paired: 4/3 both rounds
    assert row["phase_ratio_to_numpy"] == pytest.approx({"forward": 2.0, "backward": 1.0,
                                                         "optimizer": 1.0})
    assert row["median_us"] == pytest.approx(6e6)  # the median of 4 s and 8 s steps
    # forward + backward beyond numpy's, per op: (3 - 2) / 2 and (6 - 4) / 2 seconds
    assert result["rows"]["tinynet_capture"]["name"] == "tinynet capture"
    assert result["per_op_us"]["tinynet"]["median"] == pytest.approx(0.75e6)
    assert result["memory_mb"] == {"tinynet": 2.0, "numpy": 1.0}


def test_ops_per_step_counts_the_recorded_graph():
    widths, activation, layernorm, batch = step.CONFIGS["digits"]
    x, y = np.zeros((batch, widths[0]), np.float32), np.zeros(batch, np.int64)
    # 5 Linear, 4 GELU, 4 LayerNorm, one fused cross-entropy
    assert step.ops_per_step(widths, activation, layernorm, np.float32, x, y) == 14


@pytest.mark.parametrize("name", list(step.CONFIGS))
def test_hand_written_sgd_matches_tinynet(name):
    widths, activation, layernorm, batch = step.CONFIGS[name]
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((batch, widths[0])), rng.integers(0, widths[-1], batch)
    step.check_numpy_sgd_matches(widths, activation, layernorm, x, y)


def test_a_wrong_reference_sgd_is_caught(monkeypatch):
    def twice_the_rate(self):  # a slip in the reference: its step is 2·lr·g
        self.flat -= 2 * self.lr * self.grad_flat

    monkeypatch.setattr(step.NumpyMLP, "update", twice_the_rate)
    widths, activation, layernorm, batch = step.CONFIGS["toy"]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((batch, 2)), rng.integers(0, 2, batch)
    with pytest.raises(AssertionError, match="numpy SGD disagrees"):
        step.check_numpy_sgd_matches(widths, activation, layernorm, x, y)


def test_reference_path_row_runs_the_reference_ops(monkeypatch):
    seen = []
    reference_step = step.on_reference_path(lambda x, y: seen.append(tn.fast_paths_enabled()))
    reference_step(None, None)
    assert seen == [False] and tn.fast_paths_enabled()


def test_monitor_overhead_counts_a_sampled_step_once_per_cycle():
    # A fake clock: a plain step takes 1 unit; a monitored step 1, and 3 on every 4th
    # (as a Monitor sampling every 4th step makes it). Each cycle of 4 then costs 6
    # against 4 whatever its phase: +50%, exactly.
    clock = [0.0]
    calls = [0]

    def plain(x, y):
        clock[0] += 1.0

    def monitored(x, y):
        calls[0] += 1
        clock[0] += 3.0 if calls[0] % 4 == 0 else 1.0

    costs = step.monitor_overhead(plain, monitored, [(None, None)], cycles=5,
                                  clock=lambda: clock[0])
    assert costs == [0.5] * 5


def test_monitor_cost_shares_are_fractions_of_a_step():
    shares = monitor_cost.hook_share("toy", every=1, rounds=2, steps=8, dtype=np.float32)
    # The hooks' time over the rest of the step: positive and finite (its size is a timing)
    assert shares.shape == (2,) and np.all(np.isfinite(shares) & (shares > 0))
