"""Every script in examples/ runs (with its small budget) and measures what it promises.

Each script runs once, as a subprocess of this interpreter, with TINYNET_EXAMPLE_FAST=1
and ``--write-results``; TINYNET_RESULTS_DIR sends its results file to a temporary
folder, never to docs/results (whose numbers come from full-budget runs). The tests
below read that file: the same keys the docs quote, filled by a small budget.
"""
import atexit
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
DOCS_RESULTS = ROOT / "docs" / "results"


def environment(results_dir=None) -> dict:
    env = dict(os.environ, TINYNET_EXAMPLE_FAST="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    env.pop("TINYNET_RESULTS_DIR", None)
    if results_dir:
        env["TINYNET_RESULTS_DIR"] = results_dir
    # NOTE: one BLAS thread. The examples' matrices are small; on a busy 2-core machine
    # OpenBLAS's threads contend with other processes and made a run 3x to 100x slower.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


@functools.cache
def results_dir() -> str:
    path = tempfile.mkdtemp(prefix="tinynet-examples-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def run_example(name: str) -> str:
    """Run examples/<name> in fast mode; return its stdout (fails the test on error)."""
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name), "--write-results"],
                            env=environment(results_dir()), capture_output=True, text=True,
                            timeout=180, check=False)
    assert result.returncode == 0, (f"{name} exited with {result.returncode}\n"
                                    f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result.stdout


def results(name: str) -> dict:
    """The results file a fast run of examples/<name>.py wrote."""
    run_example(f"{name}.py")
    return json.loads((Path(results_dir()) / f"{name}.json").read_text(encoding="utf-8"))


def test_every_example_is_tested():
    tested = {"vanishing_gradients", "dying_relu", "gelu_layernorm_depth", "double_softmax",
              "activation_cost", "sklearn_classifier", "relu_depth_100", "activation_shapes",
              "softmax_swing", "gelu_vs_relu", "compare_cli"}
    assert {path.stem for path in EXAMPLES} == tested


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path):
    out = run_example(path.name)
    assert len(out.splitlines()) >= 5, out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fast_results_have_the_docs_keys(path):
    """A fast run writes the docs' file's keys (fewer learning rates or depths, maybe)."""
    docs = DOCS_RESULTS / f"{path.stem}.json"
    if not docs.exists():
        pytest.skip(f"the docs quote nothing from {path.name}")
    fast = results(path.stem)
    assert fast["settings"]["environment"]["fast"] is True
    assert {"script", "settings", "printed"} <= set(fast)
    assert set(fast) <= set(json.loads(docs.read_text(encoding="utf-8")))


def test_fast_run_never_writes_the_docs_results(tmp_path):
    script = ROOT / "examples" / "softmax_swing.py"
    before = {p.name: p.stat().st_mtime_ns for p in DOCS_RESULTS.glob("*.json")}
    result = subprocess.run([sys.executable, str(script), "--write-results"],
                            env=environment(), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode != 0 and "TINYNET_RESULTS_DIR" in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in DOCS_RESULTS.glob("*.json")} == before


def test_vanishing_gradients():
    r = results("vanishing_gradients")
    table = r["depth_20"]
    # sigmoid vanishes whatever the init; ReLU/GELU with a matched init do not
    assert table["sigmoid"]["pytorch"]["at_init"] < 1e-3
    assert table["sigmoid"]["auto"]["at_init"] < 1e-3
    assert table["relu"]["auto"]["at_init"] > 1e-2 and table["gelu"]["auto"]["at_init"] > 1e-2
    # PyTorch's default init shrinks ReLU's gradient; LayerNorm keeps it
    assert table["relu"]["pytorch"]["at_init"] < 1e-3 < table["relu+layernorm"]["pytorch"][
        "at_init"]
    assert 0.15 < table["sigmoid"]["auto"]["per_layer"] < 0.3  # sigmoid's f' is at most 1/4
    sweep = r["depth_sweep"]["sigmoid"]["xavier"]
    depths = sorted(sweep, key=int)
    assert sweep[depths[-1]]["ratio_float64"] < sweep[depths[0]]["ratio_float64"]
    # with SGD a vanished gradient leaves the first layer where it was
    assert r["sgd"]["sigmoid"]["pytorch"]["first_moved"] < 1e-3 * r["sgd"]["sigmoid"][
        "pytorch"]["last_moved"]


def test_dying_relu():
    r = results("dying_relu")
    lrs = sorted(r["settings"]["lrs"])
    low, high = (r[f"lr_{lr:g}"] for lr in (lrs[0], lrs[-1]))
    assert high["relu"]["dead_rate"]["mean"] > 0.3
    assert high["relu"]["dead_rate"]["mean"] > 2 * low["relu"]["dead_rate"]["mean"]
    assert high["leaky_relu"]["dead_rate"]["mean"] == 0  # its derivative is never 0
    assert high["relu"]["revived"] <= high["relu"]["ever_dead"]
    assert "units dead" in r["printed"]


def test_gelu_layernorm_depth():
    r = results("gelu_layernorm_depth")
    lr = r[f"lr_{r['settings']['lrs'][0]:g}"]
    deepest = f"depth_{r['settings']['depths'][-1]}"
    assert all(0 <= cell["mean"] <= 1 for row in lr.values() for cell in row.values())
    ratio = r["init_ratio"]
    assert ratio["relu_pytorch"][deepest] < ratio["gelu+ln_pytorch"][deepest]
    assert lr["gelu+ln_pytorch"][deepest]["mean"] > lr["relu_pytorch"][deepest]["mean"]


def test_double_softmax():
    r = results("double_softmax")
    assert r["floor"] == pytest.approx(1.461, abs=1e-3)  # log(1 + 9/e)
    assert r["logit_grad"]["ratio"] > 3
    for key in ("adam_0.001", "sgd_0.1"):
        logits, softmax = r[key]["logits"], r[key]["softmax"]
        assert softmax["train_loss"]["mean"] >= r["floor"] - 1e-3  # it cannot go lower
        assert logits["train_loss"]["mean"] < r["floor"]
        assert logits["final_acc"]["mean"] > softmax["final_acc"]["mean"]
        assert r[key]["grad_w1_ratio"] > 2
        assert softmax["all_finite"]
    assert "tn.fit warned: the model ends in Softmax" in r["printed"]


def test_activation_cost():
    r = results("activation_cost")
    for row in (v for k, v in r.items() if isinstance(v, dict) and "total_us" in v):
        assert row["forward_us"] > 0 and row["backward_us"] > 0
    assert r["relu"]["vs_relu"] == 1
    assert r["relu"]["total_us"] < r["gelu"]["total_us"]  # max(x, 0) vs x·Φ(x) with erf


def test_relu_depth_100():
    r = results("relu_depth_100")
    relu = r["at_init"]["relu"]
    assert relu["pytorch"]["geo_mean"] < 1e-6 < relu["kaiming"]["geo_mean"]
    assert 0.3 < relu["pytorch"]["per_layer"] < 0.5  # PyTorch's init: ~0.44 per layer
    speed = r["speed"]["depth_4"]["adam_0.001"]
    assert speed["relu"]["to_80%_vs_relu"] == 1


def test_activation_shapes():
    r = results("activation_shapes")
    normal = r["on_normal"]
    assert normal["relu"]["mean"] == pytest.approx((2 * 3.141592653589793) ** -0.5, abs=1e-3)
    assert normal["gelu"]["mean"] == pytest.approx(0.5 / 3.141592653589793 ** 0.5, abs=1e-3)
    assert abs(normal["tanh"]["mean"]) < 1e-6
    assert normal["relu"]["zero_derivative"] == pytest.approx(0.5, abs=1e-3)
    assert r["gelu"]["min_value"] == pytest.approx(-0.1700, abs=1e-4)
    assert r["gelu"]["argmin"] == pytest.approx(-0.7518, abs=1e-3)


def test_softmax_swing():
    r = results("softmax_swing")
    assert sum(r["probabilities"]) == pytest.approx(1)
    assert r["ratio_top_two"] == pytest.approx(r["exp_gap"])  # e^Δ whatever the others
    assert r["swings"]["top_minus_rest"] == pytest.approx(0.5223, abs=1e-4)


def test_gelu_vs_relu():
    r = results("gelu_vs_relu")
    for tally in r["tally"].values():
        assert tally["gelu"] + tally["tie"] + tally["relu"] == tally["runs"] > 0


def test_compare_cli():
    r = results("compare_cli")
    assert r["default"]["printed"].startswith("$ tinynet compare")
    assert set(r["default"]["rows"]) == {"relu", "leaky_relu", "elu", "gelu", "sigmoid",
                                         "tanh"}
    assert "--csv" not in r["default"]["printed"]
    assert "first/last Linear gradient-norm ratio" in r["train"]["printed"]


def test_sklearn_classifier():
    out = run_example("sklearn_classifier.py")
    number = r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?"
    acc = float(re.search(rf"tinynet MLP test accuracy: ({number})", out).group(1))
    assert acc > 0.85, out
    reloaded = re.search(rf"weights identical: (\w+), test accuracy ({number})", out)
    assert reloaded.group(1) == "True" and float(reloaded.group(2)) == acc
    assert "layer" in out and "grad norm" in out  # history.summary()
    assert "hints:" in out
    assert re.search(rf"MLPClassifier.* test accuracy: ({number})", out)
