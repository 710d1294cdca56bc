"""``tinynet exercises check``: grade a workspace, task by task.

The task tests run in a child process (``python -m pytest``) whose ``import tinynet``
finds the workspace's copy. They are the tests of the tinynet that runs the grader, not
the copies in the workspace's ``tests/`` (a student may change those); the workspace's
conftest writes each test's outcome, in plain words, to a JSON file read here, and stops
a test that runs longer than ``TEST_TIMEOUT`` (a loop that never ends) where the
platform has timers (``signal.SIGALRM``). A task's points are shared equally among its
tests (shown to one decimal when not whole); the check passes (exit status 0) only when
every selected task passes, so it serves as a GitHub Classroom autograder. The tests run
with pytest: without it, ``check`` raises ``PytestMissing``.

The grader checks the workspace's code as it is: it cannot tell a solution from the
library's own code copied in, nor see changes made elsewhere in the workspace's tinynet
(docs/teaching.md says so).
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tinynet.checks import choice_message
from tinynet.exercises.tasks import BY_NAME, TASKS

TIMEOUT = 900  # seconds for all selected tasks
TEST_TIMEOUT = 60  # seconds for one test
HERE = Path(__file__).resolve().parent


class PytestMissing(RuntimeError):
    """The grader runs the task tests with pytest, which this Python does not have."""


@dataclass
class TaskResult:
    """One task's grade: tests passed out of ``total``, points, the first failure."""

    task: object
    passed: int
    total: int
    message: str

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def points(self) -> float:
        """The task's points times the share of its tests passed, to one decimal (10 points,
        1 of 7 tests: 1.4)."""
        return round(self.task.points * self.passed / self.total, 1) if self.total else 0


@dataclass
class Report:
    """The grade of every selected task; prints as a table."""

    results: list
    note: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def points(self) -> float:
        """The points earned: the sum of the tasks' points as shown."""
        return round(sum(r.points for r in self.results), 1)

    def __str__(self) -> str:
        lines = [f"{'task':<18} {'points':>7}  result"]
        for r in self.results:
            verdict = "PASS" if r.ok else f"FAIL ({r.passed}/{r.total} tests passed)" \
                if r.total else "FAIL (no test ran)"
            lines.append(f"{r.task.number:>2} {r.task.name:<15}{_shown(r.points):>4}/"
                         f"{r.task.points:<3}  {verdict}")
            if not r.ok:
                lines.append(f"{'':<20}{r.message}")
        possible = sum(r.task.points for r in self.results)
        lines.append(f"{'total':<18}{_shown(self.points):>4}/{possible:<3}  "
                     f"{'all passed' if self.passed else 'not all passed'}")
        return "\n".join(lines + ([self.note] if self.note else []))


def _shown(points: float) -> str:
    """Points as a student reads them: 7, or 1.4 when not whole."""
    return f"{points:g}" if points == int(points) else f"{points:.1f}"


def select(names) -> list:
    """The tasks named (or numbered) in ``names``; every task when it is empty."""
    if not names:
        return list(TASKS)
    by_number = {str(task.number): task for task in TASKS}
    chosen = []
    for name in names:
        task = BY_NAME.get(name) or by_number.get(str(name))
        if task is None:
            raise ValueError(choice_message("exercises.check", "task", name, list(BY_NAME),
                                            also=f"a number from 1 to {len(TASKS)}"))
        if task not in chosen:
            chosen.append(task)
    return sorted(chosen, key=lambda task: task.number)


def _is_workspace(path: Path) -> bool:
    return (path / "tests" / "conftest.py").is_file() and (path / "tinynet").is_dir()


def check(directory=".", tasks=()) -> Report:
    """Grade the workspace ``directory`` (or the workspace it is in: its ``notebooks/``,
    say) on ``tasks`` (names or numbers; all by default)."""
    given = Path(directory).resolve()
    root = next((path for path in (given, *given.parents) if _is_workspace(path)), None)
    if root is None:
        raise ValueError(f"exercises.check: dir must be a workspace made by `tinynet "
                         f"exercises start` (or a folder in one), got {str(given)!r}, which "
                         f"has no tests/conftest.py and tinynet/")
    chosen = select(tasks)
    if importlib.util.find_spec("pytest") is None:
        raise PytestMissing(f'exercises.check: the grader runs the tests with pytest, which '
                            f'this Python ({sys.executable}) does not have; install it with '
                            f'tinynet\'s test extra, from where tinynet came from (a checkout: '
                            f'pip install "./tinynet[test]"; not by name: the PyPI project '
                            f'tinynet is another one), or alone: pip install pytest')
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        note = ""
        try:
            output = _run_tests(root, chosen, report_path, Path(scratch))
        except subprocess.TimeoutExpired:  # the tests that finished are in the report
            output = ""
            note = (f"note: the tests ran for more than {TIMEOUT} s and were stopped: those "
                    f"that had not finished count as failed")
        if not report_path.is_file():
            tail = output.strip().splitlines()[-3:]
            return Report([TaskResult(t, 0, 0, "the tests did not run") for t in chosen],
                          note=note or "pytest stopped before any test ran:\n" +
                          "\n".join(tail))
        outcome = json.loads(report_path.read_text(encoding="utf-8"))
    if outcome["foreign"]:  # a part of tinynet that is not the workspace's (links resolved)
        message = (f"the tests imported tinynet from {outcome['foreign'][0]}, not from this "
                   f"workspace: only the workspace's own code is graded")
        return Report([TaskResult(t, 0, 0, message) for t in chosen], note=f"note: {message}")
    return Report([_grade(task, outcome, stopped=bool(note)) for task in chosen], note)


def _run_tests(root: Path, chosen: list, report_path: Path, scratch: Path) -> str:
    """Run this tinynet's tests of ``chosen`` on the workspace ``root`` (copied into
    ``scratch``, with their support module), and return pytest's output."""
    tests = scratch / "tests"
    tests.mkdir()
    shutil.copy(HERE / "workspace_conftest.py", tests / "conftest.py")
    shutil.copy(HERE / "task_tests" / "_support.py", tests / "_grader_support.py")
    files = []
    for task in chosen:
        text = (HERE / "task_tests" / f"task_{task.label}.py").read_text(encoding="utf-8")
        path = tests / f"test_task_{task.label}.py"
        path.write_text(text.replace("from tinynet.exercises.task_tests._support import",
                                     "from _grader_support import"), encoding="utf-8")
        files.append(str(path))
    (scratch / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = dict(os.environ, TINYNET_EXERCISES_REPORT=str(report_path), TINYNET_FAST_PATHS="0",
               TINYNET_EXERCISES_WORKSPACE=str(root),
               TINYNET_EXERCISES_TEST_TIMEOUT=str(TEST_TIMEOUT),
               PYTHONPATH=os.pathsep.join([str(root)] + [p for p in os.environ.get(
                   "PYTHONPATH", "").split(os.pathsep) if p]))
    command = [sys.executable, "-m", "pytest", "-c", str(scratch / "pytest.ini"), "-q",
               "-p", "no:cacheprovider", "--rootdir", str(scratch), *files]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    return done.stdout + done.stderr


def _grade(task, outcome: dict, stopped: bool = False) -> TaskResult:
    """``task``'s result in ``outcome``; when the run was ``stopped``, its tests that had
    not finished count as failed."""
    errors = [e["message"] for e in outcome["errors"] if e["task"] == task.label]
    if errors:
        return TaskResult(task, 0, 0, f"the tests could not be loaded: {errors[0]}")
    mine = [r for r in outcome["results"] if r["task"] == task.label]
    failed = [r for r in mine if not r["passed"]]
    message = f"{failed[0]['test']}: {failed[0]['message']}" if failed else ""
    total = len(mine)
    if stopped:
        total = max(total, len(_test_names(task)))
        if total > len(mine) and not message:
            message = "its tests did not all finish before the run was stopped"
    return TaskResult(task, len(mine) - len(failed), total, message)


def _test_names(task) -> list:
    """The names of ``task``'s tests (parametrized ones count once)."""
    text = (HERE / "task_tests" / f"task_{task.label}.py").read_text(encoding="utf-8")
    return [line.split("(")[0][4:] for line in text.splitlines() if line.startswith("def test_")]
