"""pytest's conftest of a student workspace (copied to ``tests/conftest.py``): run the
task tests on the workspace's own tinynet, with the reference paths, and, for
``tinynet exercises check``, write each test's outcome in plain words to a JSON file."""
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

# the workspace: this file's (its tests/conftest.py), or the one the grader names when it
# runs its own copies of the tests
WORKSPACE = Path(os.environ.get("TINYNET_EXERCISES_WORKSPACE")
                 or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(WORKSPACE))  # the workspace's tinynet and exercises/ come first
os.environ["TINYNET_FAST_PATHS"] = "0"  # the code a student writes is the code that runs
TEST_TIMEOUT = float(os.environ.get("TINYNET_EXERCISES_TEST_TIMEOUT", "120"))  # seconds
_results, _errors = [], []


class TestTimedOut(Exception):
    """A test ran longer than TEST_TIMEOUT: a loop in the workspace's code never ends?"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Stop a test after TEST_TIMEOUT seconds, where the platform has timers."""
    if not hasattr(signal, "SIGALRM") or TEST_TIMEOUT <= 0:
        yield
        return

    def stop(signum, frame):
        raise TestTimedOut(f"the test ran for more than {TEST_TIMEOUT:g} s and was stopped "
                           f"(a loop that never ends?)")

    previous = signal.signal(signal.SIGALRM, stop)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, TEST_TIMEOUT)  # (a timer already set)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # the enclosing timer keeps running, for what is left of it
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer - (time.monotonic() - started), 1e-3))


def _task(path) -> str:
    """'04_unbroadcast' from '.../test_task_04_unbroadcast.py'."""
    return Path(str(path)).stem.removeprefix("test_task_")


def _plain(excinfo, task: str) -> str:
    """The failure of a test of ``task`` ('10_train') in plain words: our checks' own
    messages, a task not written yet (this one, or one it needs), or the error and the
    line of the workspace's code that raised it."""
    error = excinfo.value
    if isinstance(error, NotImplementedError):
        other = _other_task(str(error), task)
        return other or f"not written yet: {error}"
    if isinstance(error, AssertionError):
        return str(error).split("\nassert ")[0].strip()
    return f"{type(error).__name__}: {error}{_where(excinfo, task)}"


def _where(excinfo, task: str) -> str:
    """' (raised at FILE, line N)': the deepest line of the workspace's code in the
    traceback, and, when that is not in one of the task's own files, the deepest line
    that is (the student's call that led there)."""
    from tinynet.exercises.tasks import TASKS

    own = next((t for t in TASKS if t.label == task), None)
    files = set(own.files) if own is not None else set()
    lines = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        if WORKSPACE in path.parents and "tests" not in path.relative_to(WORKSPACE).parts:
            lines.append((path.relative_to(WORKSPACE).as_posix(), entry.lineno + 1))
    if not lines:
        return ""
    where = f" (raised at {lines[-1][0]}, line {lines[-1][1]}"
    yours = [line for line in lines if line[0] in files]
    if yours and yours[-1] != lines[-1]:
        where += f", reached from {yours[-1][0]}, line {yours[-1][1]}"
    return where + ")"


def _other_task(message: str, task: str) -> str:
    """For a NotImplementedError of another task than ``task``: that ``task`` needs it;
    else ''."""
    from tinynet.exercises.strip import parse_message
    from tinynet.exercises.tasks import TASKS

    parsed = parse_message(message)
    own = next((t for t in TASKS if t.label == task), None)
    if parsed is None or own is None or parsed[0] == own.number:
        return ""
    number, name, where, statement = parsed
    return (f"task {own.number} ({own.name}) needs task {number} ({name}), which is not "
            f"written yet: {where} raises NotImplementedError (see {statement})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or report.failed:
        message = _plain(call.excinfo, _task(item.path)) if report.failed and call.excinfo \
            else ""
        _results.append({"task": _task(item.path), "test": item.name,
                         "passed": report.passed, "message": message})


def pytest_collectreport(report):
    if report.failed:
        text = str(report.longrepr).strip().splitlines()
        message = text[-1].removeprefix("E").strip() if text else \
            "the test file does not import"
        _errors.append({"task": _task(report.nodeid.split("::")[0]),
                        "message": message + _where_in_workspace(text)})


def _where_in_workspace(lines: list) -> str:
    """' (at tinynet/ops/activation.py, line 50)': the last place in the workspace that
    a collection error's text names (a syntax error's file and line), or ''."""
    for line in reversed(lines):
        match = re.search(r'File "([^"]+)", line (\d+)', line)
        if match:
            path = Path(match.group(1)).resolve()
            if WORKSPACE in path.parents:
                return f" (at {path.relative_to(WORKSPACE)}, line {match.group(2)})"
    return ""


def _write_report() -> None:
    """The outcomes so far, for ``tinynet exercises check``: written after every test,
    so that a run stopped as a whole keeps the tests that finished. ``foreign``: the
    tinynet modules loaded from outside the workspace (links resolved)."""
    path = os.environ.get("TINYNET_EXERCISES_REPORT")
    if not path:
        return
    foreign = sorted({str(Path(module.__file__).resolve())
                      for name, module in list(sys.modules.items())
                      if (name == "tinynet" or name.startswith("tinynet."))
                      and getattr(module, "__file__", None)
                      and WORKSPACE not in Path(module.__file__).resolve().parents})
    Path(path).write_text(json.dumps({"results": _results, "errors": _errors,
                                      "foreign": foreign}),
                          encoding="utf-8")


def pytest_runtest_logfinish(nodeid, location):
    _write_report()


def pytest_sessionfinish(session, exitstatus):
    _write_report()
