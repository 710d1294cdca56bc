"""Every script in examples/ runs (with its small budget) and prints the numbers it promises.

Each script runs once, as a subprocess of this interpreter, with TINYNET_EXAMPLE_FAST=1;
the tests below parse its output and check what the example is there to show.
"""
import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NUMBER = r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?"


@functools.lru_cache(maxsize=None)
def run_example(name: str) -> str:
    """Run examples/<name> in fast mode; return its stdout (fails the test on error)."""
    env = dict(os.environ, TINYNET_EXAMPLE_FAST="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    # NOTE: one BLAS thread. The examples' matrices are small; on a busy 2-core machine
    # OpenBLAS's threads contend with other processes and made a run 3x to 100x slower.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name)], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, (f"{name} exited with {result.returncode}\n"
                                    f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result.stdout


def rows(output: str, first_cell: str, n_numbers: int) -> list:
    """Table rows starting with a cell matching ``first_cell`` (a regex) and holding at
    least ``n_numbers`` numbers.

    Returns [((first cell, other words...), [numbers])]; '%' and 'x' suffixes are dropped.
    """
    table = []
    for line in output.splitlines():
        match = re.match(rf"^({first_cell})\s+(.*)$", line.strip())
        if not match:
            continue
        cells = match.group(2).split()
        words = [c for c in cells if not re.fullmatch(NUMBER + r"[%x]?", c)]
        numbers = [float(c.rstrip("%x")) for c in cells
                   if re.fullmatch(NUMBER + r"[%x]?", c)]
        if len(numbers) >= n_numbers:
            table.append(((match.group(1), *words), numbers))
    return table


def test_every_example_is_tested():
    names = {path.name for path in EXAMPLES}
    assert names >= {"vanishing_gradients.py", "dying_relu.py", "gelu_layernorm_depth.py",
                     "double_softmax.py", "activation_cost.py", "sklearn_classifier.py"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path):
    out = run_example(path.name)
    assert len(out.splitlines()) >= 5, out


def test_vanishing_gradients():
    out = run_example("vanishing_gradients.py")
    table = dict(rows(out, r"sigmoid|tanh|relu|gelu|relu\+layernorm|gelu\+layernorm", 5))
    assert len(table) == 12, out
    at_init = {key: numbers[0] for key, numbers in table.items()}  # first column
    # sigmoid vanishes whatever the init; ReLU/GELU with a matched init do not
    assert at_init[("sigmoid", "pytorch")] < 1e-3
    assert at_init[("sigmoid", "auto")] < 1e-3
    assert at_init[("relu", "auto")] > 1e-2
    assert at_init[("gelu", "auto")] > 1e-2
    assert at_init[("sigmoid", "auto")] < at_init[("relu", "auto")]
    # PyTorch's default init shrinks ReLU's gradient; LayerNorm keeps it
    assert at_init[("relu", "pytorch")] < 1e-3 < 1e-2 < at_init[("relu+layernorm", "pytorch")]
    per_layer = table[("sigmoid", "auto")][1]
    assert 0.15 < per_layer < 0.3  # sigmoid's derivative is at most 1/4


def test_dying_relu():
    out = run_example("dying_relu.py")
    table = rows(out, r"relu|leaky_relu|elu|gelu", 3)  # activation, lr, dead %, ...
    dead = {(key[0], numbers[0]): numbers[1] / 100 for key, numbers in table}
    lrs = sorted({lr for _, lr in dead})
    low, high = lrs[0], lrs[-1]
    assert len(dead) == 4 * len(lrs) >= 8, out
    assert dead[("relu", high)] > 0.3, out
    assert dead[("relu", high)] > 2 * dead[("relu", low)]
    for activation in ("leaky_relu", "elu", "gelu"):
        assert dead[(activation, high)] < 0.05, out
    assert dead[("leaky_relu", high)] == 0  # its derivative is never exactly 0
    assert re.search(r"layer +\d+ \(ReLU\): +\d+ of \d+ units dead", out)


def test_gelu_layernorm_depth():
    out = run_example("gelu_layernorm_depth.py")
    accuracy_part, ratio_part = out.split("gradient-norm ratio")
    label = r"relu \(pytorch init\)|relu \(kaiming init\)|gelu\+ln \(pytorch init\)|" \
            r"gelu\+ln \(kaiming init\)"
    accuracy = {key[0]: v for key, v in rows(accuracy_part, label, 2)}
    ratio = {key[0]: v for key, v in rows(ratio_part, label, 2)}
    assert len(accuracy) == len(ratio) == 4, out
    assert all(0 <= a <= 1 for values in accuracy.values() for a in values)
    deepest = -1
    assert ratio["relu (pytorch init)"][deepest] < ratio["gelu+ln (pytorch init)"][deepest]
    assert (accuracy["gelu+ln (pytorch init)"][deepest]
            > accuracy["relu (pytorch init)"][deepest])


def test_double_softmax():
    out = run_example("double_softmax.py")
    grads = re.search(rf"raw logits ({NUMBER}), double softmax ({NUMBER})", out)
    raw, double = float(grads.group(1)), float(grads.group(2))
    assert double < raw / 3, out
    floor = float(re.search(rf"= ({NUMBER})", out).group(1))
    assert floor == pytest.approx(1.461, abs=1e-3)  # log(1 + 9/e)
    # optimizer, lr, model ends in, train loss, test CE, acc @k, final acc, [to 90%], grad W1
    table = {(key[0], key[1]): numbers for key, numbers in rows(out, r"adam|sgd", 6)}
    assert len(table) == 4, out
    for optimizer in ("adam", "sgd"):
        logits, softmax = table[(optimizer, "logits")], table[(optimizer, "Softmax")]
        assert softmax[1] >= floor - 1e-3  # the loss it reports cannot go lower
        assert logits[1] < floor
        assert logits[4] > softmax[4]  # final test accuracy
        assert logits[-1] > 2 * softmax[-1]  # first-layer gradient norm
    assert "tn.fit warned:" in out and "Softmax" in out.split("tn.fit warned:")[1]
    assert "CrossEntropyLoss warned:" in out


def test_activation_cost():
    out = run_example("activation_cost.py")
    table = {key[0]: v for key, v in rows(
        out, r"relu|leaky_relu|elu|gelu|gelu_tanh|sigmoid|tanh|Linear|LayerNorm", 5)}
    assert len(table) == 9, out
    for forward, backward, total, *_ in table.values():
        assert forward > 0 and backward > 0 and total == pytest.approx(forward + backward,
                                                                        abs=1.5)
    assert table["relu"][2] < table["gelu"][2]  # max(x, 0) vs x·Φ(x) with erf


def test_sklearn_classifier():
    out = run_example("sklearn_classifier.py")
    acc = float(re.search(rf"tinynet MLP test accuracy: ({NUMBER})", out).group(1))
    assert acc > 0.85, out
    reloaded = re.search(rf"weights identical: (\w+), test accuracy ({NUMBER})", out)
    assert reloaded.group(1) == "True" and float(reloaded.group(2)) == acc
    assert "layer" in out and "grad norm" in out  # history.summary()
    assert "hints:" in out
    assert re.search(rf"MLPClassifier.* test accuracy: ({NUMBER})", out)
