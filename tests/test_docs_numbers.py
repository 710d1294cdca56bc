"""Every measured number in the docs comes from a results file, and still matches it.

The examples write what they measure to docs/results/<name>.json (``--write-results``).
A page quotes a number with an HTML comment right after it naming where it comes from,
invisible on GitHub:

    ReLU loses 68.0%<!-- dying_relu.json: lr_0.1.relu.dead_rate.mean --> of its units

The path is dotted (a key may itself hold dots: ``lr_0.1`` is found whole; list indices
are numbers). The value, written at the quoted precision, must equal the quoted text:
"0.808" ↔ 0.8081 (three decimals), "68.0%" ↔ 0.6804, "8.7x" ↔ 8.68, "1.2e-3" ↔ 0.00121.
A comment alone on its line tags the block below it (a fenced block or a Markdown
table): every line of the block must appear, in order and together, in the text found
there (usually ``printed``, what the script printed).

Outside code, every decimal number, percentage, power of ten and "3x" factor on the
pages listed in PAGES must carry a tag, or match ALLOWED below (constants, definitions,
settings), or sit in a quotation (a "> " line: the claims being tested). Python blocks
are run by tests/test_docs.py, so the numbers in them are checked by their asserts.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RESULTS = DOCS / "results"
PAGES = ["activations.md", "autograd.md", "claims.md", "diagnostics.md", "experiments.md",
         "getting-started.md", "performance.md", "reproducibility.md", "scaling.md",
         "sklearn.md"]

NUMBER = r"[-−]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?[%x]?"
TAG = r"<!--\s*([\w.-]+\.json):\s*([^\s>]+)\s*-->"
INLINE_TAG = re.compile(rf"(?<![\w.])({NUMBER})(?: ?){TAG}")
BLOCK_TAG = re.compile(rf"^\s*{TAG}\s*$")
MEASURE = re.compile(r"(?<![\w.\-−])[-−]?(?:\d+\.\d+(?:e[-+−]?\d+)?[%x]?|\d+e[-+−]?\d+"
                     r"|\d+%|\d+x)(?![\w.]*\w)")

# (pattern, reason): a number on a page is not a measurement when one of these patterns
# matches text around it, the number included. Keep each reason.
ALLOWED = [
    (r"numpy \d+\.\d+|Python 3\.1\d|(?:OpenBLAS|PyTorch|scikit-learn) \d+\.\d+(?:\.\d+)?",
     "versions of the software, not measurements"),
    (r"\blr [\d.e-]+(?:,? (?:and|or|to) (?:at )?(?:lr )?[\d.e-]+)?|lr=[\d.e-]+",
     "learning rates are settings"),
    (r"slope 0\.01|0\.01z|1 or 0\.01|α = 1\b", "LeakyReLU's slope and ELU's α"),
    (r"0\.044715", "a constant in the definition of the tanh form of GELU"),
    (r"(?:below |< )?5\.9% of (?:the |its )?peak|below 5\.9%|0\.97",
     "the Monitor's definition of saturated: 1 - 0.97² of the peak derivative"),
    (r"chance is 0\.5", "chance level on two classes"),
    (r"(?:reach(?:es)?|never|first reach|to) \d+%(?: and \d+%)?|\d+% test accuracy",
     "accuracy targets are settings"),
    (r"step 0\.01|step 1e-5", "the step of a grid: a setting"),
    ((r"(?:gap of|advantage of|same|The) 1\.4\b|e\^1\.4|z = -0\.17|At z = -0\.17|-0\.17 is"
      r"|\b6x\b|40%|52%|25% training error"),
     "the explainer's own numbers (and the paper it cites for 6x), under test"),
    (r"\[[\d.e-]+\]", "an argument's default, in brackets"),
    (r"≤ \d+\.\d+x", "speed targets are settings"),
    (r"±1e19", "the size of the inputs an overflow check is for: a setting"),
    (r"\b0\.3 s apart", "the benchmark's pause between groups with two threads: a setting"),
    (r"the default 1e-8", "Adam's epsilon: a parameter's default, a setting"),
    (r"at most 1e-6", "scikit-learn's 'adaptive' rule stops at that rate: a constant of it"),
    (r"to 1e-6, relative", "the tolerance tests/test_sklearn.py asserts, not a measurement"),
]


def lookup(data, path: str):
    """The value at a dotted ``path`` in ``data``; a key may hold dots ('lr_0.1')."""
    parts, node, i = path.split("."), data, 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if isinstance(node, dict) and key in node:
                node, i = node[key], j
                break
            if isinstance(node, list) and j == i + 1 and re.fullmatch(r"-?\d+", key):
                node, i = node[int(key)], j
                break
        else:
            raise KeyError(f"{'.'.join(parts[:i]) or '(top)'} has no {parts[i]!r}")
    return node


def formatted(value, quoted: str) -> str:
    """``value`` written the way ``quoted`` is: same kind, same digits after the point."""
    quoted = quoted.replace("−", "-")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    suffix = quoted[-1] if quoted[-1] in "%x" else ""
    body = quoted[:len(quoted) - len(suffix)]
    mantissa = body.split("e")[0]
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if suffix == "%":
        value = value * 100
    if "e" in body:
        text = f"{value:.{digits}e}"
        m, e = text.split("e")
        text = f"{m}e{int(e)}"
    else:
        text = f"{value:.{digits}f}"
    if re.fullmatch(r"-0\.?0*", text):  # -0.00 reads as 0.00
        text = text[1:]
    return text + suffix


def normal(quoted: str) -> str:
    """``quoted`` with a real minus sign and a plain exponent (1.2e-03 → 1.2e-3)."""
    quoted = quoted.replace("−", "-")
    match = re.fullmatch(r"(-?[\d.]+)e([-+]?\d+)([%x]?)", quoted)
    if match:
        return f"{match[1]}e{int(match[2])}{match[3]}"
    return quoted[1:] if re.fullmatch(r"-0\.?0*[%x]?", quoted) else quoted


def load(name: str) -> dict:
    path = RESULTS / name
    assert path.is_file(), f"docs/results/{name} does not exist"
    return json.loads(path.read_text(encoding="utf-8"))


def blocks_after_tags(lines: list) -> list:
    """[(line number, file, path, block lines)] for each tag alone on its line."""
    found = []
    for i, line in enumerate(lines):
        match = BLOCK_TAG.match(line)
        if not match:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and lines[j].startswith("```"):
            end = next(k for k in range(j + 1, len(lines)) if lines[k].startswith("```"))
            block = lines[j + 1:end]
        else:
            end = j
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            block = lines[j:end]
        found.append((i + 1, match[1], match[2], block, range(i, end + 1)))
    return found


def untagged(text: str) -> list:
    """[(line number, number, line)] of measured-looking numbers with no tag."""
    lines = text.splitlines()
    skip = set()
    for *_, span in blocks_after_tags(lines):
        skip.update(span)
    in_fence = False
    found = []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence or i in skip or line.lstrip().startswith(">"):
            continue
        prose = INLINE_TAG.sub(" ", line)
        prose = re.sub(r"<!--.*?-->", " ", prose)
        prose = re.sub(r"`[^`]*`", " ", prose)  # inline code
        prose = re.sub(r"\]\([^)]*\)", "] ", prose)  # link targets
        for match in MEASURE.finditer(prose):
            if not any(a.start() <= match.start() and match.end() <= a.end()
                       for pattern, _ in ALLOWED for a in re.finditer(pattern, prose)):
                found.append((i + 1, match.group(), line.strip()))
    return found


def test_lookup_and_format():
    data = {"lr_0.1": {"elu": {"dead": [0.25, 0.8081]}}, "ratio": 8.68, "tiny": 0.00121}
    assert lookup(data, "lr_0.1.elu.dead.1") == 0.8081
    with pytest.raises(KeyError):
        lookup(data, "lr_0.1.gelu")
    assert formatted(0.8081, "0.808") == "0.808"
    assert formatted(0.6804, "68.0%") == "68.0%"
    assert formatted(0.6804, "68%") == "68%"
    assert formatted(8.68, "8.7x") == "8.7x"
    assert formatted(0.00121, "1.2e-3") == normal("1.2e-03") == "1.2e-3"
    assert formatted(-0.1700, "−0.170") == "-0.170"
    assert formatted(11, "11") == "11"
    assert formatted(None, "0.5") == "None"


def test_scanner():
    text = ("ELU keeps 0.808<!-- a.json: x --> of it, ReLU 68%<!-- a.json: y -->.\n"
            "but 0.41 here is untagged, and so are 12% and 3.1x and 1e-7\n"
            "```text\n0.99 in a block\n```\n"
            "> quoted: 52% of the article\n"
            "at lr 0.1 with slope 0.01, `x = 0.5` in code, [a](fig_0.1.png)\n"
            "<!-- a.json: table -->\n| 0.97 | 0.98 |\n")
    assert [n for _, n, _ in untagged(text)] == ["0.41", "12%", "3.1x", "1e-7"]
    assert [(f, p, b) for _, f, p, b, _ in blocks_after_tags(text.splitlines())] == [
        ("a.json", "table", ["| 0.97 | 0.98 |"])]


@pytest.mark.parametrize("page", PAGES)
def test_quoted_numbers_match_results(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    wrong = []
    for match in INLINE_TAG.finditer(text):
        quoted, name, path = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        try:
            value = lookup(load(name), path)
        except (KeyError, IndexError, AssertionError) as error:
            wrong.append(f"line {line}: {quoted} <- {name}: {path}: {error}")
            continue
        if formatted(value, quoted) != normal(quoted):
            wrong.append(f"line {line}: quotes {quoted}, {name}: {path} is {value!r} "
                         f"({formatted(value, quoted)})")
    lines = text.splitlines()
    for line, name, path, block, _ in blocks_after_tags(lines):
        stored = lookup(load(name), path)
        have = [s.rstrip() for s in stored.splitlines()]
        want = [s.rstrip() for s in block]
        if not want or not any(have[k:k + len(want)] == want for k in range(len(have))):
            wrong.append(f"line {line}: the block below differs from {name}: {path}")
    assert not wrong, f"docs/{page}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_no_untagged_measurements(page):
    found = untagged((DOCS / page).read_text(encoding="utf-8"))
    assert not found, (f"docs/{page}: numbers with no results tag (tag them, or add a "
                       f"reasoned pattern to ALLOWED):\n"
                       + "\n".join(f"  line {n}: {number!r} in {line!r}"
                                   for n, number, line in found))


def test_every_results_file_is_whole_and_quoted():
    quoted = "".join((DOCS / page).read_text(encoding="utf-8") for page in PAGES)
    files = sorted(RESULTS.glob("*.json"))
    assert files
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert (ROOT / data["script"]).is_file(), f"{path.name}: no script {data['script']}"
        assert data["settings"]["environment"]["fast"] is False, f"{path.name}: a fast run"
        assert f"{path.name}:" in quoted, f"{path.name} is quoted by no page"
