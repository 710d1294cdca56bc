"""Every ```python block in docs/*.md and README.md runs.

The blocks of one file run in order in one shared namespace (as a reader would type
them), in a temporary working directory, with matplotlib's Agg backend. A failure names
the file, the block number and its first line. ```bash blocks are not executed.
"""
import re
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

import tinynet as tn
from tinynet.autograd.grad_mode import _GradMode

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
FIGURE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([\w./-]*\.md)(?:#([\w-]+))?\)")


def python_blocks(text: str) -> list:
    """[(line number of the block's first code line, code)] in file order."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_docs_exist():
    names = {page.name for page in PAGES}
    assert names >= {"getting-started.md", "autograd.md", "activations.md", "diagnostics.md",
                     "experiments.md", "api.md", "sklearn.md", "scaling.md", "performance.md",
                     "claims.md", "README.md"}


def test_fence_parser():
    text = "a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = 2\nz = 3\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (9, "y = 2\nz = 3\n")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_blocks_run(page, tmp_path, monkeypatch):
    text = page.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    if any("plot" in code or "matplotlib" in code for _, code in blocks):
        pytest.importorskip("matplotlib")
    if any("distributed" in code for _, code in blocks):
        pytest.importorskip("distributed")  # the dask extra
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    # NOTE: one BLAS thread. The docs' matrices are small; on a busy 2-core machine
    # OpenBLAS's threads contend with other processes and a 0.4 s block took up to 36 s.
    with threadpool_limits(limits=1, user_api="blas"):
        run_blocks(page, blocks, namespace)


def run_blocks(page, blocks, namespace) -> None:
    try:
        for number, (line, code) in enumerate(blocks, start=1):
            error = None
            try:
                exec(compile(code, f"{page.name}, block {number}", "exec"), namespace)
            except Exception:
                error = traceback.format_exc()
            if error:  # outside the except: no "during handling..." noise in the report
                first = code.strip().splitlines()[0] if code.strip() else ""
                pytest.fail(f"{page.relative_to(ROOT)}: python block {number} (line {line}, "
                            f"starting {first!r}) raised:\n{error}", pytrace=False)
    finally:  # global state a page may have changed
        tn.set_default_dtype(np.float32)
        _GradMode.enabled = True
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_figures_exist(page):
    for target in FIGURE.findall(page.read_text(encoding="utf-8")):
        assert (page.parent / target).is_file(), f"{page.name} shows missing figure {target}"


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_anchor():
    assert anchor("GELU + LayerNorm vs ReLU with depth, measured") == (
        "gelu--layernorm-vs-relu-with-depth-measured")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_between_pages_resolve(page):
    for target, fragment in LINK.findall(page.read_text(encoding="utf-8")):
        path = page.parent / target
        assert path.is_file(), f"{page.name} links to missing {target}"
        if fragment:
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
            assert fragment in {anchor(h) for h in headings}, (
                f"{page.name} links to {target}#{fragment}: no such heading")


def test_the_readme_s_scikit_learn_example_converges_as_its_comment_says():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    code = next(code for _, code in python_blocks((ROOT / "README.md").read_text(
        encoding="utf-8")) if "cross_val_score" in code)
    assert "no warning" in code
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("error", ConvergenceWarning)
        exec(compile(code, "README.md, the scikit-learn block", "exec"), {"__name__": "readme"})
