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
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| toy |")]
    libraries = [row[2].strip() for row in rows]
    assert libraries == ["tinynet", "numpy", "matmuls only", "sklearn MLPClassifier"]
    assert all(float(row[3]) > 0 for row in rows)  # median µs per step
    assert "Monitor(every=4) adds" in out and "peak memory of a step" in out
    assert "tinynet's step / scikit-learn's minibatch (means), paired by round" in out


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
    assert shares.shape == (2,) and np.all((0 < shares) & (shares < 1))
