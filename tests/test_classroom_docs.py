"""docs/classroom.md shows what its code prints and draws.

On that page a ```text or ```mermaid block right after a ```python block is the output
that block prints, and a figure ``![...](figures/classroom_*.svg)`` is ``g.to_svg()``
of the graph ``g`` the code before it left. The blocks run in order in one namespace, as
tests/test_docs.py runs them. ``python tests/test_classroom_docs.py`` rewrites the
outputs and the figures from the code.
"""
import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np

import tinynet as tn

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "classroom.md"
PART = re.compile(r"^```(python|text|mermaid)[ \t]*\n(.*?)^```[ \t]*$"
                  r"|!\[[^\]]*\]\((figures/classroom_[\w-]+\.svg)\)", re.S | re.M)


def parts(text: str) -> list:
    """[(kind, content, match)]: kind 'python', 'text', 'mermaid' or 'figure'."""
    found = []
    for m in PART.finditer(text):
        if m.group(3):
            found.append(("figure", m.group(3), m))
        else:
            found.append((m.group(1), m.group(2), m))
    return found


def run_page(text: str) -> list:
    """[(match, what the page should show there)] for every output block and figure."""
    tn.set_default_dtype(np.float32)
    namespace = {"__name__": "docs_classroom"}
    shown, printed, previous = [], None, None
    for kind, content, m in parts(text):
        if kind == "python":
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(content, f"classroom.md line {text.count(chr(10), 0, m.start())}",
                             "exec"), namespace)
            printed = buffer.getvalue()
        elif kind == "figure":
            shown.append((m, namespace["g"].to_svg() + "\n"))
        elif previous == "python":
            shown.append((m, printed))
        previous = kind
    return shown


def test_outputs_and_figures_are_what_the_code_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = PAGE.read_text(encoding="utf-8")
    shown = run_page(text)
    assert len(shown) >= 12
    for m, expected in shown:
        if m.group(3):
            figure = (PAGE.parent / m.group(3)).read_text(encoding="utf-8")
            assert figure == expected, f"{m.group(3)} is out of date: run {__file__}"
        else:
            line = text.count("\n", 0, m.start()) + 1
            assert m.group(2) == expected, (f"classroom.md line {line}: the output block "
                                            f"differs from what the code prints")


def test_the_mermaid_block_is_the_code_output():
    blocks = [content for kind, content, _ in parts(PAGE.read_text(encoding="utf-8"))
              if kind == "mermaid"]
    assert len(blocks) == 1 and blocks[0].startswith("flowchart BT\n")


def write_page() -> None:
    """Replace each output block and figure with what the code shows now."""
    text = PAGE.read_text(encoding="utf-8")
    for m, output in reversed(run_page(text)):
        if m.group(3):
            (PAGE.parent / m.group(3)).write_text(output, encoding="utf-8")
        else:
            text = text[:m.start(2)] + output + text[m.end(2):]
    PAGE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(write_page())
