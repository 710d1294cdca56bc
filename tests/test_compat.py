"""Real PyTorch code runs unchanged on tinynet, or fails exactly as recorded below.

Each snippet in tests/compat/snippets/ (tutorial code with ``import tinynet as torch``)
runs here in-process, in a fresh namespace, with tinynet; when PyTorch is installed, the
same code with the import block swapped back runs too, and the printed numbers must agree
(benchmarks/compat.py has the rules). ``sys.modules['torch']`` is never replaced: a
snippet's ``import tinynet as torch`` only binds a name in its own namespace.

A snippet that fails today is listed in EXPECTED with the first line of its error; its
test is a strict xfail. So when a change makes it run (or fail differently) the test
fails: update its line (``python benchmarks/compat.py --only NAME`` prints the new
result), and the table at the end of docs/api.md.
"""
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import compat  # noqa: E402

TORCH = compat.torch_available()

# Snippets that do not run unchanged today: the first line of their error, or
# "runs, numbers differ" (checked only when PyTorch is installed). A snippet whose
# float32 numbers differ but whose float64 numbers agree passes (benchmarks/compat.py).
DIFFERS = "runs, numbers differ"
EXPECTED = {
    "d2l_mlp_activations": DIFFERS,  # arange's 0 is 4.4e-16 in PyTorch: relu'(x) counts it
    "tutorials_nn_cnn": "AttributeError: module 'tinynet.nn' has no attribute 'Conv2d'",
}
NAMES = [path.stem for path in compat.snippet_paths()]


class FailsAsExpected(Exception):
    """Raised by a listed snippet that fails exactly as EXPECTED says."""


def _param(name):
    expected = EXPECTED.get(name)
    if expected is None or (expected == DIFFERS and not TORCH):
        return name
    reason = f"expected today: {expected}"
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason,
                                                      raises=FailsAsExpected))


def test_expected_lists_only_snippets():
    assert set(EXPECTED) <= set(NAMES)


@pytest.mark.parametrize("name", [_param(name) for name in NAMES])
def test_snippet_runs_unchanged(name):
    path = compat.SNIPPETS / f"{name}.py"
    ours = compat.run(path, "tinynet")
    theirs = compat.run(path, "torch") if TORCH and not ours.error else None
    result = compat.evaluate(path, ours, theirs,
                             rerun=lambda library, dtype: compat.run(path, library, dtype))
    outcome = result.result if result.result not in ("ok", compat.FLOAT64_ONLY) else None
    if outcome is not None and outcome.removeprefix("fails: ") == EXPECTED.get(name):
        raise FailsAsExpected(outcome)
    message = f"{name}: {result.result}"
    if name in EXPECTED:
        message += f"; EXPECTED says {EXPECTED[name]!r}: update its line"
    detail = result.detail or (ours.traceback if ours.error else "")
    # without PyTorch no numbers are compared: a snippet expected to differ just runs
    unchecked = not TORCH and EXPECTED.get(name) == DIFFERS
    assert outcome is None and (name not in EXPECTED or unchecked), f"{message}\n{detail}"


@pytest.mark.skipif(not TORCH, reason="PyTorch is not installed")
@pytest.mark.parametrize("name", NAMES)
def test_snippet_runs_on_pytorch(name):
    """The reference: each snippet, import block swapped back, runs on PyTorch."""
    theirs = compat.run(compat.SNIPPETS / f"{name}.py", "torch")
    assert not theirs.error, theirs.traceback
    assert theirs.stdout.strip(), "prints nothing to compare"


@pytest.mark.parametrize("name", NAMES)
def test_snippet_header(name):
    path = compat.SNIPPETS / f"{name}.py"
    fields = compat.header(path)
    assert {"source", "url", "license", "what", "compare", "changes"} <= set(fields), fields
    assert fields["compare"].split()[0] in ("numbers", "runs-only")
    text = path.read_text(encoding="utf-8")
    assert compat.BEGIN in text and compat.END in text
    assert not re.search(r"^\s*(import|from) torch\b", text, re.MULTILINE), "imports the real torch"
    assert "tinynet" not in compat.source_for(text, "torch")


def test_source_for_swaps_only_the_marked_imports():
    text = (f"{compat.BEGIN}\nimport tinynet as torch\nfrom tinynet import nn\n"
            f"{compat.END}\nx = tinynet_like = 1\n")
    swapped = compat.source_for(text, "torch")
    assert "import torch as torch\nfrom torch import nn\n" in swapped
    assert swapped.endswith("x = tinynet_like = 1\n")
    assert compat.source_for(text, "tinynet") == text


def test_numbers_skip_names_and_keep_the_printed_resolution():
    found = compat.numbers("W2 float32 0x7f3a tensor([0.1235, 1.], grad_fn=<Mul0>) "
                           "-2.5e-05 3 nan")
    values = [value for value, _ in found]
    assert values[:4] == [0.1235, 1.0, -2.5e-05, 3.0]
    assert found[0][1] == pytest.approx(5e-5) and found[1][1] == 0.0
    assert found[2][1] == pytest.approx(0.05e-5)


def test_compare_numbers_allows_for_the_digits_printed():
    assert compat.compare_numbers("tensor(0.12345679)", "tensor(0.1235)") == ""
    assert compat.compare_numbers("loss 2.000001", "loss 2.0") == ""
    assert compat.compare_numbers("loss 2.1234", "loss 2.0004") != ""
    assert compat.compare_numbers("tensor([1.4])", "tensor([1.])") != ""   # "1." is exact
    assert "numbers printed" in compat.compare_numbers("1 2", "1")


@pytest.mark.parametrize("error, name", [
    ("AttributeError: module 'tinynet' has no attribute 'cat'", "torch.cat"),
    ("AttributeError: module 'tinynet.nn.functional' has no attribute 'one_hot'", "F.one_hot"),
    ("AttributeError: 'Tensor' object has no attribute 'min'", "Tensor.min"),
    ("AttributeError: 'numpy.ndarray' object has no attribute 'zero_'", "Tensor.array.zero_"),
    ("ModuleNotFoundError: No module named 'tinynet.utils'", "torch.utils"),
    ("TypeError: Tensor.sum() got an unexpected keyword argument 'keepdims'",
     "Tensor.sum(keepdims=)"),
    ("ValueError: something else", "ValueError: something else"),
])
def test_blocking_api_names_what_pytorch_calls_it(error, name):
    assert compat.blocking_api(error) == name


@pytest.mark.skipif(not TORCH, reason="PyTorch is not installed")
def test_a_snippet_leaves_no_default_device_behind():
    """A snippet's ``torch.set_default_device("cpu")`` installs a function mode that
    outlives it unless the runner unsets it; under it, torch 2.13's weighted l1_loss
    gave other numbers to every later test in the process."""
    import numpy as np
    import torch

    compat.run(compat.SNIPPETS / "tutorials_polynomial_autograd.py", "torch")
    rng = np.random.default_rng(0)
    a, b, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.random((3, 4))
    loss = torch.nn.functional.l1_loss(torch.tensor(a), torch.tensor(b), reduction="sum",
                                       weight=torch.tensor(w))
    assert loss.item() == pytest.approx(float(np.sum(w * np.abs(a - b))), rel=1e-12)
