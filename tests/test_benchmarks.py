"""The benchmark scripts run, and the hand-written numpy step they time tinynet against
computes tinynet's loss and gradients (else the speed ratios would compare different
work). Speeds themselves are never asserted."""
import json
import os
import re
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import end_to_end  # noqa: E402
import gemm_floor  # noqa: E402
import monitor_cost  # noqa: E402
import per_op_floor  # noqa: E402
import step  # noqa: E402
import step_runs  # noqa: E402

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


def test_gemm_floor_prints_a_row_per_config_and_library(capsys):
    pytest.importorskip("torch")
    gemm_floor.main(["--config", "toy", "--rounds", "2", "--steps", "2"])
    rows = [[c.strip() for c in line.split("|")[1:-1]]
            for line in capsys.readouterr().out.splitlines() if line.startswith("| toy |")]
    assert [r[1] for r in rows] == list(gemm_floor.ROWS)
    assert all(float(r[2]) > 0 for r in rows)
    assert rows[0][3] == "1.000 (1.000-1.000)"  # numpy's products over themselves
    assert all(re.fullmatch(r"\d+\.\d{3} \(\d+\.\d{3}-\d+\.\d{3}\)", r[3]) for r in rows)


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


def test_summarise_pairs_captured_steps_with_pytorchs():
    # per round: PyTorch's step 4 s, then 2 s; the captured step 3 s, then 3 s
    rounds = [{lib: np.array([[v, 0.0, 0.0]] * 3) for lib, v in
               (("numpy", 1.0), ("tinynet", 2.0), ("tinynet capture", 3.0), ("pytorch", 4.0))},
              {lib: np.array([[v, 0.0, 0.0]] * 3) for lib, v in
               (("numpy", 1.0), ("tinynet", 2.0), ("tinynet capture", 3.0), ("pytorch", 2.0))}]
    result = step.summarise(rounds, {}, {}, n_ops=1, flops=1.0)
    # paired by round, 3/4 and 3/2 (unpaired medians would give 3/3)
    assert result["tinynet_capture_over_pytorch"]["median"] == pytest.approx(1.125)
    assert result["tinynet_capture_over_pytorch"]["q1"] == pytest.approx(0.9375)
    assert result["tinynet_over_pytorch"]["median"] == pytest.approx(0.75)


def _run(eager, capture, over_pytorch=None):
    """A step.py result for toy/sgd and toy/adam with these median ratios."""
    rows = {"tinynet": {"ratio_to_numpy": {"median": eager}},
            "tinynet_capture": {"ratio_to_numpy": {"median": capture}}}
    result = {"rows": rows}
    if over_pytorch is not None:
        result["tinynet_over_pytorch"] = {"median": over_pytorch}
        result["tinynet_capture_over_pytorch"] = {"median": over_pytorch / 2}
    return {"toy": {"sgd": result, "adam": result}}


def test_step_runs_counts_the_runs_that_meet_each_target():
    runs = [_run(2.0, 1.5, 0.9), _run(2.2, 1.51, 1.1), _run(1.4, 1.2, 1.0)]
    entry = step_runs.collect(runs, ["toy"])["toy"]["sgd"]
    assert entry["capture"]["runs"] == [1.5, 1.51, 1.2]
    assert entry["capture"]["runs_meeting"] == 2  # at most 1.5: the limit itself meets it
    assert entry["eager"]["runs_meeting"] == 1
    assert (entry["capture"]["min"], entry["capture"]["max"]) == (1.2, 1.51)
    assert entry["eager_over_pytorch"]["runs_meeting"] == 1  # below 1: a tie does not
    assert entry["capture_over_pytorch"]["runs_meeting"] == 3
    without_torch = step_runs.collect([_run(2.0, 1.5)], ["toy"])["toy"]["adam"]
    assert set(without_torch) == {"target", "eager", "capture"}


def test_step_runs_runs_step_py_in_fresh_processes(capsys):
    table = step_runs.main(["--runs", "1", "--config", "toy", "--rounds", "1", "--steps", "2"])
    out = capsys.readouterr().out
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in out.splitlines()
            if line.startswith("| toy |")]
    assert {(r[1], r[3]) for r in rows} >= {(o, ratio) for o in ("sgd", "adam")
                                            for ratio in ("eager ÷ numpy", "captured ÷ numpy")}
    for row in rows:
        assert row[2] in ("≤ 1.50", "< 1") and row[6] in ("0 of 1", "1 of 1")
        assert float(row[4]) > 0
    assert table["toy"]["sgd"]["eager"]["runs"][0] > 0


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


def test_monitor_overhead_counts_a_sampled_step_once_per_cycle_and_every_block():
    # A fake clock: a plain step takes 1 unit; a monitored step 1, and 3 on every 4th
    # (as a Monitor sampling every 4th step makes it), and 8 more on every 16th (a block
    # of gathered statistics taken). 8 cycles of 4 (after 2 warm-up steps each) then cost
    # 32 + 8·2 + 2·8 = 64 against 32: +100%, exactly, though most cycles carry no block.
    clock = [0.0]
    calls = [0]

    def plain(x, y):
        clock[0] += 1.0

    def monitored(x, y):
        calls[0] += 1
        clock[0] += (3.0 if calls[0] % 4 == 0 else 1.0) + (8.0 if calls[0] % 16 == 0 else 0)

    calls[0] = -2  # (the warm-up's two steps: the timed ones count from 1)
    cost = step.monitor_overhead(plain, monitored, [(None, None)], cycles=8,
                                 clock=lambda: clock[0])
    assert cost == 1.0


def test_monitor_cost_prints_a_row_per_config_and_sampling(capsys):
    monitor_cost.main(["--config", "toy", "--rounds", "1", "--steps", "4"])
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith("| toy |")]
    assert [row.split(" | ")[1] for row in rows] == ["every=4", "every=1"]
    for row in rows:  # "12.3% (12.3% to 12.3%)" and "4.5% (4.5%-4.5%)"
        assert re.fullmatch(r"\| toy \| every=\d \| -?[\d.]+% \(-?[\d.]+% to -?[\d.]+%\) \| "
                            r"[\d.]+% \([\d.]+%-[\d.]+%\) \|", row), row


def test_monitor_cost_shares_are_fractions_of_a_step():
    shares = monitor_cost.hook_share("toy", every=1, rounds=2, steps=8, dtype=np.float32)
    # The hooks' time over the rest of the step: positive and finite (its size is a timing)
    assert shares.shape == (2,) and np.all(np.isfinite(shares) & (shares > 0))


# ---- benchmarks/end_to_end.py: tinynet compare end to end, beside PyTorch and sklearn -----
@pytest.fixture(scope="module")
def end_to_end_quick(tmp_path_factory):
    """One `end_to_end.py --quick` run: (its JSON results, what it printed)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("end_to_end") / "results.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        end_to_end.main(["--quick", "--out", str(out)])
    return json.loads(out.read_text(encoding="utf-8")), printed.getvalue()


def _digits_rows(results, library):
    return [r for r in results["rows"] if r["experiment"] == "digits" and r["library"] == library]


def test_end_to_end_has_every_row(end_to_end_quick):
    results, printed = end_to_end_quick
    quick = end_to_end.QUICK_ACTIVATIONS
    libraries = ["tinynet", "sklearn"] + (["pytorch"] if end_to_end.import_torch() else [])
    expected = {("cli_compare", "tinynet", None)} | {
        ("digits", library, a) for library in libraries for a in quick
        if library != "sklearn" or a in end_to_end.SKLEARN_ACTIVATIONS}
    got = [(r["experiment"], r["library"], r["activation"]) for r in results["rows"]]
    assert len(got) == len(set(got)) and set(got) == expected
    for row in results["rows"][1:]:
        assert row["runs"] == results["settings"]["digits"]["seeds"] == 1
        assert 0 <= row["test_acc_mean"] <= 1
    table = [line.split("|")[1].strip() for line in printed.splitlines()
             if line.startswith("| ")]
    assert set(quick) <= set(table) and "`python -m tinynet compare" in printed
    assert set(results["totals"]) >= {"tinynet_1_job", "tinynet_jobs_fresh_pool", "sklearn"}


def test_end_to_end_times_are_positive_and_finite(end_to_end_quick):
    results, _ = end_to_end_quick
    b, t = results["breakdown"], results["totals"]
    times = [r["seconds"] for r in results["rows"]]
    times += [r["seconds_no_monitor"] for r in _digits_rows(results, "tinynet")]
    times += [t[k] for k in ("tinynet_jobs_fresh_pool", "tinynet_jobs_reused_pool",
                             "tinynet_1_job", "tinynet_1_job_no_monitor")]
    times += [t[lib][k] for lib in ("pytorch", "sklearn") if lib in t
              for k in ("seconds", "tinynet_seconds", "ratio_to_tinynet")]
    times += [b["cli"]["wall"], b["cli"]["inside"], *b["startup"].values(),
              *b["first_runs"].values(), b["monitor"]["on"], b["monitor"]["off"],
              b["tinynet_1_job"]["whole"], b["tinynet_1_job"]["runs"]]
    times += [r["ratio_to_tinynet"] for r in results["rows"][1:]]
    assert all(np.isfinite(x) and x > 0 for x in times), times
    assert np.isfinite(b["monitor"]["difference"])  # either sign: the Monitor is cheap


def test_end_to_end_breakdown_parts_are_smaller_than_the_whole(end_to_end_quick):
    results, _ = end_to_end_quick
    b = results["breakdown"]
    one = b["tinynet_1_job"]
    assert set(one["parts"]) == set(end_to_end.PARTS)
    for name, seconds in one["parts"].items():
        assert 0 <= seconds < one["whole"], name
    assert sum(one["parts"].values()) == pytest.approx(one["whole"])
    assert one["parts"]["train_steps"] + one["parts"]["evaluation"] < one["fit"] < one["runs"]
    # each part is measured inside its whole (never two separate runs against each other)
    assert 0 < b["cli"]["outside"] < b["cli"]["wall"]
    assert b["monitor"]["difference"] < b["monitor"]["on"]
    assert b["monitor"]["train_steps_on"] < b["monitor"]["fit_on"] < b["monitor"]["on"]
    pool = b["pool"]
    assert pool["ideal"] < pool["runs_summed"] < pool["one_job"]
    assert pool["overhead_fresh"] < pool["fresh_pool"] and pool["pool_start"] < pool["fresh_pool"]


def test_end_to_end_sklearn_rows_only_for_its_activations(end_to_end_quick):
    results, _ = end_to_end_quick
    theirs = {r["activation"] for r in _digits_rows(results, "sklearn")}
    quick = set(end_to_end.QUICK_ACTIVATIONS)
    assert theirs == quick & set(end_to_end.SKLEARN_ACTIVATIONS)
    assert theirs and theirs < quick  # the quick run holds one activation sklearn lacks


def test_end_to_end_models_have_the_same_parameter_count(end_to_end_quick):
    results, _ = end_to_end_quick
    counts = {}
    for row in results["rows"][1:]:
        counts.setdefault(row["activation"], set()).add(row["parameters"])
    assert all(len(c) == 1 for c in counts.values()), counts


@pytest.mark.parametrize("activation", end_to_end.ACTIVATIONS)
def test_end_to_end_pytorch_mlp_is_tinynets(activation):
    pytest.importorskip("torch")
    import torch

    model = tn.models.MLP(64, [32] * 8, 10, activation=activation,
                          generator=np.random.default_rng(3))
    net = end_to_end.torch_mlp(64, [32] * 8, 10, activation)
    assert (sum(p.numel() for p in net.parameters())
            == sum(p.array.size for p in model.parameters()))
    end_to_end.copy_initial_weights(net, model)
    x = np.random.default_rng(4).standard_normal((16, 64)).astype(np.float32)
    with torch.no_grad():
        theirs = net(torch.from_numpy(x)).numpy()
    ours = model(tn.from_numpy(x)).array
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5)


def test_per_op_floor_prints_a_row_per_step(capsys):
    result = per_op_floor.main(["--rounds", "2", "--steps", "3"])
    out = capsys.readouterr().out
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in out.splitlines()
            if line.startswith("| ") and not line.startswith("| step")]
    assert [r[0] for r in rows] == ["numpy", "minimal engine", "tinynet", "tinynet capture"]
    assert rows[0][2] == "1.00 (1.00-1.00)" and all(float(r[1]) > 0 for r in rows)
    assert set(result) == {r[0] for r in rows}


def test_a_wrong_minimal_engine_is_caught(monkeypatch):
    """The minimal engine is checked against tinynet before it is timed: a slip in its
    backward (tanh's derivative as 1 - y) fails the check."""
    def wrong_tanh(tape, x):
        y = np.tanh(x)
        tape.append(lambda g: g * (1 - y))
        return y

    monkeypatch.setattr(per_op_floor.MinimalEngine, "_tanh", staticmethod(wrong_tanh))
    tn.manual_seed(0)
    model = step.tinynet_model(list(per_op_floor.WIDTHS), "tanh", False, np.float32)
    with pytest.raises(AssertionError):
        per_op_floor.check_minimal_matches(model, *per_op_floor.toy_data())

