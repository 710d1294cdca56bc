"""PyTorch code that runs unchanged: real third-party snippets, run with tinynet.

    python benchmarks/compat.py                      # every snippet, a table, N/M
    python benchmarks/compat.py --only makemore_mlp  # one snippet (a name or a prefix)
    python benchmarks/compat.py --json compat.json   # also write the results
    python benchmarks/compat.py --markdown           # also the table for docs/api.md

Each snippet in tests/compat/snippets/ is a tutorial's code with its imports in a marked
block (``import tinynet as torch``...). Each runs in its own subprocess with tinynet and,
when PyTorch is importable, once more with the import block swapped back to ``torch``.
Both print the numbers they compute from the same fixed inputs (tests/compat/harness.py),
and the numbers are compared to a relative 1e-4 (float32), allowing for the digits each
library prints. A snippet whose header says ``# compare: runs-only`` draws numbers from
the library's own generator: only that it runs is checked. The table ends with the
ranked first error lines of the failures: the API that real code misses most.
"""
import argparse
import collections
import contextlib
import functools
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COMPAT = ROOT / "tests" / "compat"
SNIPPETS = COMPAT / "snippets"
BEGIN, END = "# --- imports (swapped by the runner) ---", "# --- end imports ---"
RTOL, ATOL = 1e-4, 1e-6
FLOAT64_ONLY = "runs, same numbers in float64"
TIMEOUT = 60.0
# A number as printed: not part of a name (W2, float32, 0x7f...), nan and inf included.
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+|nan|inf)(?:[eE][-+]?\d+)?(?![\w])")


@dataclass
class Run:
    """What one library printed, and the exception that stopped it (if any)."""
    library: str
    stdout: str = ""
    error: str = ""        # the exception's first line: "AttributeError: ..."
    error_line: int = 0    # the snippet's line that raised
    traceback: str = ""
    seconds: float = 0.0


@dataclass
class Result:
    name: str
    source: str
    what: str
    compare: str           # "numbers" or "runs-only"
    result: str            # "ok", FLOAT64_ONLY, "runs, numbers differ" or "fails: <error>"
    tinynet: Run = None
    torch: Run = None
    detail: str = ""       # where the numbers differ
    header: dict = field(default_factory=dict)

    @property
    def runs(self) -> bool:
        return not self.tinynet.error


def snippet_paths(only=None) -> list:
    paths = sorted(SNIPPETS.glob("*.py"))
    if only:
        paths = [p for p in paths if p.stem == only or p.stem.startswith(only)]
    return paths


def header(path) -> dict:
    """The snippet's leading ``# key: value`` comment lines (continuations joined)."""
    fields, key = {}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*([a-z-]+):\s*(.*)", line)
        if match:
            key = match.group(1)
            fields[key] = match.group(2).strip()
        elif key and line.startswith("#   "):
            fields[key] += " " + line[1:].strip()
    return fields


def source_for(text: str, library: str) -> str:
    """The snippet's code for ``library``: the files hold tinynet's version; PyTorch's
    differs only inside the marked import blocks, where 'tinynet' becomes 'torch'."""
    if library == "tinynet":
        return text
    if BEGIN not in text:
        raise ValueError(f"source_for: no '{BEGIN}' block to swap")
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            line = re.sub(r"\btinynet\b", "torch", line)
        out.append(line)
    return "".join(out)


@contextlib.contextmanager
def _isolated(library: str, dtype=None):
    """Seeds every generator a snippet may use, works in a temporary directory (some
    snippets save files) and restores afterwards the global state a snippet can change
    (default dtype and device, grad mode, seeds), so that snippets can share one process.
    NOTE: PyTorch's set_default_device("cpu") is not a no-op: it installs a function mode
    that stays (under it, torch 2.13's l1_loss(weight=...) gave other numbers), so the
    device is unset afterwards, not set back to "cpu"."""
    if str(COMPAT) not in sys.path:
        sys.path.insert(0, str(COMPAT))
    import harness

    harness.reset()
    lib = __import__(library)
    saved = (random.getstate(), np.random.get_state(), lib.get_default_dtype(),
             lib.is_grad_enabled(), _rng_state(lib), os.getcwd())
    random.seed(0)
    np.random.seed(0)
    if dtype is not None:
        lib.set_default_dtype(getattr(lib, dtype))
    threads = lib.get_num_threads()
    # NOTE: one thread (BLAS for tinynet, intra-op for PyTorch): the snippets' arrays are
    # small, and on a busy 2-core machine more threads only contend.
    lib.set_num_threads(1)
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        try:
            yield
        finally:
            lib.set_default_device(None)  # (the only device here is the CPU)
            lib.set_num_threads(threads)
            os.chdir(saved[5])
            random.setstate(saved[0])
            np.random.set_state(saved[1])
            lib.set_default_dtype(saved[2])
            lib.set_grad_enabled(saved[3])
            _set_rng_state(lib, saved[4])


def _rng_state(lib):
    if lib.__name__ == "torch":
        return lib.get_rng_state()
    import tinynet.random
    return tinynet.random._generator


def _set_rng_state(lib, state) -> None:
    if lib.__name__ == "torch":
        lib.set_rng_state(state)
    else:
        import tinynet.random
        tinynet.random._generator = state


def run(path, library: str, dtype=None) -> Run:
    """Run one snippet in this process, in a fresh ``__main__`` namespace; never raises
    for the snippet's own errors. ``dtype="float64"`` changes the default dtype first.
    ``import tinynet as torch`` binds a name in that namespace only:
    ``sys.modules['torch']`` is never replaced."""
    path = Path(path)
    code = compile(source_for(path.read_text(encoding="utf-8"), library), str(path), "exec")
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": __builtins__}
    out = io.StringIO()
    result = Run(library)
    # Warnings (PyTorch's about .item() on a tensor that requires grad...) are not results.
    with _isolated(library, dtype), contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        try:
            exec(code, namespace)
        except (Exception, SystemExit) as error:  # a snippet's own error is its result
            result.error = _first_line(error)
            result.traceback = traceback.format_exc()
            frames = [f for f in traceback.extract_tb(error.__traceback__)
                      if f.filename == str(path)]
            result.error_line = frames[-1].lineno if frames else 0
        result.seconds = time.perf_counter() - start
    result.stdout = out.getvalue()
    return result


def _first_line(error: BaseException) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def run_subprocess(path, library: str, timeout: float = TIMEOUT, dtype=None) -> Run:
    """``run`` in a child process (a crash or a hang stays there)."""
    command = [sys.executable, __file__, "--exec", str(path), "--library", library]
    command += ["--dtype", dtype] if dtype else []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    start = time.perf_counter()
    try:
        child = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                               env=env, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return Run(library, error=f"Timeout: still running after {timeout:g} s",
                   seconds=timeout)
    try:
        return Run(**json.loads(child.stdout.splitlines()[-1]))
    except (IndexError, ValueError, TypeError):
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        return Run(library, error=f"Crash: exit code {child.returncode}: {last}",
                   traceback=child.stderr, seconds=time.perf_counter() - start)


def numbers(text: str) -> list:
    """(value, resolution) of each number printed, in order. The resolution is half a
    unit of the last printed decimal ("0.1235" -> 5e-5; "1." and "3" are exact)."""
    found = []
    for match in NUMBER.finditer(text):
        token = match.group(0)
        mantissa, _, exponent = token.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        resolution = 0.5 * 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0
        found.append((float(token), resolution))
    return found


def compare_numbers(ours: str, theirs: str, rtol: float = RTOL, atol: float = ATOL) -> str:
    """'' when both outputs print the same numbers, else where they first differ."""
    a, b = numbers(ours), numbers(theirs)
    if len(a) != len(b):
        return f"{len(a)} numbers printed, PyTorch printed {len(b)}"
    for i, ((x, rx), (y, ry)) in enumerate(zip(a, b)):
        if math.isnan(x) and math.isnan(y):
            continue
        if x == y:
            continue
        tolerance = max(atol, rtol * max(abs(x), abs(y)), rx + ry)
        if not abs(x - y) <= tolerance:
            return f"number {i + 1}: {x!r} against PyTorch's {y!r}"
    return ""


def torch_available() -> bool:
    try:
        import importlib.util
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def evaluate(path, tinynet: Run, torch=None, rerun=None) -> Result:
    """Judge one snippet from its runs (``torch`` None: PyTorch is not installed).

    When the numbers differ, ``rerun(library, "float64")`` runs the snippet again in
    float64 for both libraries: a long float32 training loop amplifies the order in
    which sums are rounded, and agreement in float64 shows that this is all it is."""
    info = header(path)
    compare = "runs-only" if info.get("compare", "").startswith("runs-only") else "numbers"
    rtol = re.search(r"rtol=([\d.e-]+)", info.get("compare", ""))
    rtol = float(rtol.group(1)) if rtol else RTOL
    result = Result(name=Path(path).stem, source=info.get("source", "").split(",")[0],
                    what=info.get("what", ""), compare=compare, result="ok",
                    tinynet=tinynet, torch=torch, header=info)
    if tinynet.error:
        result.result = f"fails: {tinynet.error}"
    elif torch is not None and torch.error:
        result.result = "runs; PyTorch fails"
        result.detail = torch.error
    elif torch is not None and compare == "numbers":
        result.detail = compare_numbers(tinynet.stdout, torch.stdout, rtol=rtol)
        if result.detail:
            result.result = "runs, numbers differ"
        if result.detail and rerun is not None:
            ours64, theirs64 = rerun("tinynet", "float64"), rerun("torch", "float64")
            if not (ours64.error or theirs64.error
                    or compare_numbers(ours64.stdout, theirs64.stdout, rtol=rtol)):
                result.result = FLOAT64_ONLY
    return result


def missing_api(results) -> list:
    """[(first error line, count)] over the failures, most frequent first."""
    counts = collections.Counter(r.tinynet.error for r in results if r.tinynet.error)
    return counts.most_common()


def report(results, with_torch: bool) -> str:
    rows = [("snippet", "source", "result", "s")]
    for r in results:
        note = " (runs-only)" if r.compare == "runs-only" and r.runs else ""
        rows.append((r.name, r.source, r.result + note, f"{r.tinynet.seconds:.2f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>5}"
             for a, b, c, d in rows]
    lines.insert(1, "-" * len(lines[0]))
    for r in results:
        if r.detail:
            lines.append(f"  {r.name}: {r.detail}")
    runs = sum(r.runs for r in results)
    summary = f"{runs}/{len(results)} run unchanged"
    if with_torch:
        compared = [r for r in results if r.runs and r.compare == "numbers"]
        same = sum(r.result == "ok" for r in compared)
        summary += f" ({same} of the {len(compared)} compared match PyTorch's numbers)"
    else:
        summary += " (PyTorch is not installed: no numbers compared)"
    lines += ["", "Missing API (first error line of each failing snippet, most frequent first):"]
    lines += [f"{count:3d}  {error}" for error, count in missing_api(results)] or ["  none"]
    lines += ["", summary]
    return "\n".join(lines)


def blocking_api(error: str) -> str:
    """The PyTorch name an error line points at ("torch.cat", "Tensor.min"), else the line."""
    prefixes = {"tinynet": "torch", "tinynet.nn": "nn", "tinynet.nn.functional": "F"}
    match = re.match(r"AttributeError: module '([\w.]+)' has no attribute '(\w+)'", error)
    if match and match.group(1) in prefixes:
        return f"{prefixes[match.group(1)]}.{match.group(2)}"
    match = re.match(r"AttributeError: '([\w.]+)' object has no attribute '(\w+)'", error)
    if match and match.group(1) == "Tensor":
        return f"Tensor.{match.group(2)}"
    if match and match.group(1) == "numpy.ndarray":  # tinynet's Tensor.array is an array
        return f"Tensor.array.{match.group(2)}"
    match = re.match(r"ModuleNotFoundError: No module named 'tinynet\.([\w.]+)'", error)
    if match:
        return f"torch.{match.group(1)}"
    match = re.match(r"TypeError: ([\w.]+)\(\) got an unexpected keyword argument '(\w+)'", error)
    if match:
        return f"{match.group(1)}({match.group(2)}=)"
    return error


def markdown(results, with_torch: bool) -> str:
    """The table of docs/api.md's last section."""
    lines = ["| snippet | source | what it does | checks | today | blocking API |",
             "|---|---|---|---|---|---|"]
    for r in results:
        if not r.runs:
            today, blocking = "fails", f"`{blocking_api(r.tinynet.error)}`"
        elif r.compare == "runs-only" or not with_torch:
            today, blocking = "runs", ""
        elif r.result == "ok":
            today, blocking = "runs, same numbers as PyTorch", ""
        elif r.result == FLOAT64_ONLY:
            today, blocking = "runs, same numbers as PyTorch in float64", f"float32: {r.detail}"
        else:
            today, blocking = r.result, r.detail
        what = r.what.replace("|", "\\|")
        checks = "runs" if r.compare == "runs-only" else "numbers"
        lines.append(f"| `{r.name}` | {r.source} | {what} | {checks} | {today} | {blocking} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="a snippet's name, or a prefix such as makemore")
    parser.add_argument("--json", help="write the results to this path")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per run (60)")
    parser.add_argument("--no-torch", action="store_true", help="run tinynet only")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the table of docs/api.md's last section")
    parser.add_argument("--exec", help=argparse.SUPPRESS)       # the child's side
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("--dtype", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.exec:
        result = run(args.exec, args.library, args.dtype)
        print(json.dumps(asdict(result)))
        return 0
    paths = snippet_paths(args.only)
    if not paths:
        parser.error(f"no snippet matches {args.only!r}")
    with_torch = torch_available() and not args.no_torch
    results = []
    for path in paths:
        ours = run_subprocess(path, "tinynet", args.timeout)
        theirs = run_subprocess(path, "torch", args.timeout) if with_torch else None
        rerun = functools.partial(run_subprocess, path, timeout=args.timeout)
        results.append(evaluate(path, ours, theirs, lambda lib, dtype: rerun(lib, dtype=dtype)))
        print(f"{path.stem}: {results[-1].result}", file=sys.stderr, flush=True)
    print(report(results, with_torch))
    if args.markdown:
        print("\n" + markdown(results, with_torch))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
