"""``tinynet exercises start DIR``: a student workspace, made from tinynet itself.

    DIR/tinynet/      a copy of tinynet: each solution region raises NotImplementedError
                      (fast paths off by default, so the code written there is what runs)
    DIR/exercises/    the files written from scratch (train.py, diagnose.py)
    DIR/tasks/        one statement per task; DIR/tests/ the tests that grade them
    DIR/notebooks/    the course's notebooks, their solution cells emptied the same way
"""
import shutil
from pathlib import Path

import tinynet
from tinynet.exercises import strip
from tinynet.exercises.tasks import BY_NAME, TASKS

PACKAGE = Path(tinynet.__file__).resolve().parent
HERE = Path(__file__).resolve().parent
FAST_PATHS_DEFAULT = 'os.environ.get("TINYNET_FAST_PATHS", "1")'
PYTEST_INI = "[pytest]\ntestpaths = tests\naddopts = -p no:cacheprovider\n"
NOTEBOOK_PATH_CELL = ("import sys, os\n"
                      "sys.path.insert(0, os.path.abspath(\"..\"))  # this workspace's tinynet")


def start(directory, solutions: bool = False) -> Path:
    """Write a workspace into ``directory`` (new, or empty) and return its path.
    ``solutions=True`` keeps tinynet's own code in the regions (a teacher's key)."""
    if not str(directory):
        raise ValueError("exercises.start: directory must be a path, got ''")
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise FileExistsError(f"exercises.start: directory must be new or empty, got "
                              f"{str(root)!r}, which is a file")
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"exercises.start: directory must be new or empty, got "
                              f"{str(root)!r}, which holds files")
    if not root.parent.is_dir():  # (a typo there would build a tree elsewhere)
        raise FileNotFoundError(f"exercises.start: the folder {str(root.parent)!r} that is to "
                                f"hold {root.name!r} does not exist; create it first")
    root.mkdir(exist_ok=True)
    convert = (lambda text: text) if solutions else (lambda text: strip.strip_source(text,
                                                                                     BY_NAME))
    _copy_package(root / "tinynet", convert)
    (root / "exercises").mkdir()
    (root / "exercises" / "__init__.py").write_text('"""Your own files."""\n', encoding="utf-8")
    for name in ("train", "diagnose"):
        text = (HERE / "student" / f"{name}.py").read_text(encoding="utf-8")
        (root / "exercises" / f"{name}.py").write_text(convert(text), encoding="utf-8")
    _write_tests(root / "tests")
    _write_statements(root)
    _copy_notebooks(root / "notebooks", solutions)
    return root


def _copy_package(destination: Path, convert) -> None:
    shutil.copytree(PACKAGE, destination,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "notebooks"))
    for path in destination.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "# BEGIN SOLUTION" in text:
            path.write_text(convert(text), encoding="utf-8")
    fastpath = destination / "fastpath.py"
    text = fastpath.read_text(encoding="utf-8")
    if FAST_PATHS_DEFAULT not in text:
        raise RuntimeError("exercises.start: fastpath.py no longer reads TINYNET_FAST_PATHS "
                           "as expected; update workspace.FAST_PATHS_DEFAULT")
    fastpath.write_text(text.replace(FAST_PATHS_DEFAULT, FAST_PATHS_DEFAULT.replace('"1"',
                                                                                    '"0"')),
                        encoding="utf-8")


def _write_tests(tests: Path) -> None:
    tests.mkdir()
    shutil.copy(HERE / "workspace_conftest.py", tests / "conftest.py")
    for task in TASKS:
        shutil.copy(HERE / "task_tests" / f"task_{task.label}.py",
                    tests / f"test_task_{task.label}.py")
    (tests.parent / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")


def _write_statements(root: Path) -> None:
    (root / "tasks").mkdir()
    rows = []
    for task in TASKS:
        needs = f"\n\nNeeds tasks: {', '.join(task.needs)}." if task.needs else ""
        text = (f"# Task {task.number}: {task.title} ({task.points} points)\n\n"
                f"{task.statement}{needs}\n\nFiles: {', '.join(task.files)}. "
                f"Check it with `tinynet exercises check {task.name}`.\n")
        (root / "tasks" / f"{task.label}.md").write_text(text, encoding="utf-8")
        rows.append(f"| {task.number} | `{task.name}` | {task.title} | {task.points} | "
                    f"{', '.join(task.files)} |")
    total = sum(task.points for task in TASKS)
    (root / "README.md").write_text(
        "# tinynet exercises\n\n"
        "Write the missing code (each spot raises `NotImplementedError` naming its task), "
        "then grade your work from this directory:\n\n"
        "    tinynet exercises check            # every task\n"
        "    tinynet exercises check softmax    # one task\n\n"
        "| # | task | what | points | files |\n|---|---|---|---|---|\n"
        + "\n".join(rows) + f"\n\nTotal: {total} points. Statements: `tasks/`. Notebooks, "
        "with explanations and checks: `notebooks/`.\n", encoding="utf-8")


def _copy_notebooks(destination: Path, solutions: bool) -> None:
    import json

    source = HERE / "notebooks"
    if not source.is_dir():
        return
    destination.mkdir()
    for path in sorted(source.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        notebook = json.loads(text if solutions else strip.strip_notebook(text, BY_NAME))
        notebook["cells"].insert(0, {"cell_type": "code", "id": "workspace-path",
                                     "metadata": {}, "outputs": [], "execution_count": None,
                                     "source": NOTEBOOK_PATH_CELL})
        (destination / path.name).write_text(json.dumps(notebook, indent=1,
                                                        ensure_ascii=False) + "\n",
                                             encoding="utf-8")
