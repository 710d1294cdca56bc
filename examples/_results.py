"""What every example shares: its budget switch and the results file the docs quote.

A script run with ``--write-results`` saves what it measured, with the settings that
produced it and the text it printed, as ``docs/results/<name>.json``. Every number the
docs quote names its place in such a file (``0.808<!-- dying_relu.json: ... -->``) and
``tests/test_docs_numbers.py`` checks that the two agree.

``--fast`` (or ``TINYNET_EXAMPLE_FAST=1``) runs a small budget for the tests. Its numbers
are not the docs' numbers, so a fast run never writes to docs/results: it writes to
``TINYNET_RESULTS_DIR`` when that is set (the tests do) and refuses otherwise.
"""
import contextlib
import io
import json
import math
import os
import platform
import sys
from pathlib import Path

import numpy as np

import tinynet as tn

FAST = os.environ.get("TINYNET_EXAMPLE_FAST") == "1" or "--fast" in sys.argv[1:]
WRITE = "--write-results" in sys.argv[1:]
ROOT = Path(__file__).resolve().parents[1]
DOCS_RESULTS = ROOT / "docs" / "results"


def results_dir() -> Path:
    """Where ``--write-results`` writes: ``TINYNET_RESULTS_DIR``, else docs/results."""
    chosen = os.environ.get("TINYNET_RESULTS_DIR")
    if chosen:
        return Path(chosen)
    if FAST:
        raise SystemExit("--write-results: a fast run's numbers are not the docs' numbers; "
                         "set TINYNET_RESULTS_DIR to write them elsewhere")
    return DOCS_RESULTS


def environment() -> dict:
    """The versions and thread settings a reader needs to rerun a measurement, the BLAS
    kernel and numpy's vector extensions: on another CPU, float32 matrix products and
    exp/tanh round differently, and a long training run carries the difference on
    (docs/reproducibility.md)."""
    return {"python": platform.python_version(), "numpy": np.__version__,
            "tinynet": tn.__version__, "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
            "blas": blas_kernels(), "simd": simd_features(), "fast": FAST}


def simd_features() -> list:
    """The widest x86 vector extensions numpy found on this CPU: with AVX-512, numpy
    computes exp, expm1, log, tanh... with other (vectorised) code, whose float32 results
    differ in the last bits and which runs several times faster."""
    try:  # (private to numpy; numpy 1 keeps it under numpy.core)
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # pragma: no cover
        try:
            from numpy.core._multiarray_umath import __cpu_features__
        except ImportError:
            return []
    return sorted(name for name, present in __cpu_features__.items()
                  if present and name.startswith(("AVX2", "AVX512", "FMA3")))


def blas_kernels() -> list:
    """Each BLAS library loaded, with its version and the CPU kernel it chose."""
    from threadpoolctl import threadpool_info  # (scikit-learn's dependency)

    return [f"{info.get('internal_api')} {info.get('version')} "
            f"({info.get('architecture', 'kernel unknown')})"
            for info in threadpool_info() if info.get("user_api") == "blas"]


class Printed(io.TextIOBase):
    """A stdout that also keeps what was printed (for the results file)."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def text(self) -> str:
        return "".join(self.parts)


@contextlib.contextmanager
def recording():
    """Print as usual inside the block; ``.text()`` of the yielded object returns it all."""
    printed = Printed(sys.stdout)
    with contextlib.redirect_stdout(printed):
        yield printed


def clean(value):
    """``value`` with numpy scalars and arrays made plain Python, and nan/inf as None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save(name: str, settings: dict, results: dict, printed: str = "") -> None:
    """Write ``<name>.json`` when the script was run with ``--write-results``.

    The file holds ``settings`` (plus the environment), ``printed`` (the script's output)
    and every key of ``results`` at the top level, where the docs' tags point.
    """
    if not WRITE:
        return
    path = results_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    script = Path(sys.argv[0]).resolve().relative_to(ROOT).as_posix()
    options = " ".join(a for a in sys.argv[1:] if a != "--write-results")
    command = " ".join(filter(None, ["python", script, options, "--write-results"]))
    record = {"script": script, "command": command,
              "settings": {**settings, "environment": environment()},
              **results, "printed": printed}
    path.write_text(json.dumps(clean(record), indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    print(f"wrote {path}")


def mean_std(values) -> dict:
    """{"mean", "std", "values"} of a list of numbers (std over them: numpy's, ddof 0)."""
    values = [float(v) for v in values]
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "values": values}
