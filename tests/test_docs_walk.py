"""docs/autograd.md's reading path points at lines that hold what it names, and the line
counts it states are the code's. After moving code, ``python tests/test_docs_walk.py``
rewrites the anchors and counts."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "autograd.md"
LINK = re.compile(r"\[`([\w.]+)`\]\(\.\./(tinynet/[\w/]+\.py)#L(\d+)\)")
ENGINE_CORE = ["tinynet/tensor.py", "tinynet/autograd/function.py", "tinynet/autograd/engine.py",
               "tinynet/autograd/grad_mode.py", "tinynet/autograd/gradcheck.py"]
NOT_ON_THE_STEP = {"_GradModeSwitch", "no_grad", "gradcheck"}


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text.split("## The reading path", 1)[1].split("\n## ", 1)[0]


def _definition(path: str, dotted: str):
    """The class or function ``dotted`` ('Tensor.backward') in ``path``: (first line, lines)."""
    nodes = ast.parse((ROOT / path).read_text(encoding="utf-8")).body
    node = None
    for name in dotted.split("."):
        node = next((n for n in nodes if isinstance(n, (ast.ClassDef, ast.FunctionDef))
                     and n.name == name), None)
        assert node is not None, f"{path} defines no {dotted}"
        nodes = node.body
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return first, node.end_lineno - first + 1


def test_every_link_points_at_its_definition():
    links = LINK.findall(_section())
    assert len(links) >= 15
    wrong = []
    for name, path, line in links:
        first, _ = _definition(path, name)
        if first != int(line):
            wrong.append(f"[`{name}`](../{path}#L{first}) (the page says #L{line})")
    assert not wrong, "update these links in docs/autograd.md:\n" + "\n".join(wrong)


def test_the_line_counts_are_the_code_s():
    section = _section()
    spans = {(name, path): _definition(path, name)[1] for name, path, _ in LINK.findall(section)}
    total = sum(spans.values())
    step = sum(n for (name, _), n in spans.items() if name not in NOT_ON_THE_STEP)
    core = sum(len((ROOT / f).read_text(encoding="utf-8").splitlines()) for f in ENGINE_CORE)
    match = re.search(r"add up to (\d+) lines, docstrings included \((\d+) without `no_grad` "
                      r"and\s+`gradcheck`\); the five files of the engine core .*? hold (\d+)\.",
                      section, re.S)
    assert match, "the sentence with the line counts changed: update this test"
    assert tuple(map(int, match.groups())) == (total, step, core), \
        f"the code says {total}, {step} and {core} lines"


def _fix_page() -> None:
    """Rewrite the page's line anchors and line counts from the code (run this file)."""
    text = PAGE.read_text(encoding="utf-8")
    text = LINK.sub(lambda m: f"[`{m[1]}`](../{m[2]}#L{_definition(m[2], m[1])[0]})", text)
    section = text.split("## The reading path", 1)[1].split("\n## ", 1)[0]
    spans = {(n, p): _definition(p, n)[1] for n, p, _ in LINK.findall(section)}
    total = sum(spans.values())
    step = sum(n for (name, _), n in spans.items() if name not in NOT_ON_THE_STEP)
    core = sum(len((ROOT / f).read_text(encoding="utf-8").splitlines()) for f in ENGINE_CORE)
    text = re.sub(r"add up to \d+ lines, docstrings included \(\d+ without",
                  f"add up to {total} lines, docstrings included ({step} without", text)
    text = re.sub(r"(the five files of the engine core .*? hold )\d+\.", rf"\g<1>{core}.", text,
                  flags=re.S)
    PAGE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    _fix_page()
