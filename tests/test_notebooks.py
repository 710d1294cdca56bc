"""The course's notebooks (tinynet/exercises/notebooks/) run, every CHECK cell passes, and
cutting out the solutions leaves a valid exercise whose checks fail.

In a notebook, code cells tagged "solution" hold the reference answers between a
``# BEGIN SOLUTION`` line and a ``# END SOLUTION`` line; cells tagged "check" start with
``# CHECK`` and print one PASS or FAIL line per comparison, then assert that all passed.
Both carry their task's name in ``metadata["tinynet"]["task"]``; the notebook lists its
tasks in ``metadata["tinynet"]["tasks"]``. The student's version replaces each solution
region, markers included, by ``raise NotImplementedError(...)`` at the region's
indentation, as ``tinynet exercises start`` does (``tinynet.exercises.strip``).

Each notebook runs once per test session in a fresh ``python3`` kernel (nbclient), with
the environment of this process and the directory of the tinynet under test first on
PYTHONPATH; a test checks that the kernel imported that very tinynet. Each runs once more
in a fresh student workspace, on its tinynet whose tasks are not written: a CHECK cell
needs nothing of the library's tasks, and a cell that runs tinynet's own code of a task
(guarded by ``needs``) says which it needs instead of failing.
"""
import ast
import functools
import os
import re
from pathlib import Path

import pytest

import tinynet
from tinynet.exercises import strip
from tinynet.exercises.tasks import BY_NAME

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = Path(tinynet.__file__).resolve().parent / "exercises" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
COURSE = {  # each notebook and the course's tasks it covers, in order
    "01_activations": ["activations", "gelu"],
    "02_softmax_and_cross_entropy": ["softmax", "cross_entropy"],
    "03_the_engine": ["unbroadcast", "backward"],
    "04_layers": ["linear", "layernorm"],
    "05_optimizers_and_training": ["optimizers", "train"],
    "06_diagnosis": ["diagnose"],
}
CELL_TIMEOUT = 120  # seconds


def read(path: Path):
    return nbformat.read(path, as_version=4)


def tagged(nb, tag: str) -> list:
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


def solution_regions(source: str) -> list:
    """The cell's solution regions (the course's own parser: tinynet.exercises.strip);
    ValueError when the markers are not matched pairs at one indentation."""
    return strip.regions(source, task="notebook")


def strip_solutions(cell) -> str:
    """The student's version of a solution cell, as ``tinynet exercises start`` writes it."""
    return strip.strip_source(cell.source, BY_NAME, cell.metadata["tinynet"]["task"])


def test_the_course_s_stripping_refuses_broken_markers():
    for broken in ("# BEGIN SOLUTION\nx = 1\n", "x = 1\n# END SOLUTION\n",
                   "# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n",
                   "if x:\n    # BEGIN SOLUTION\n    y = 1\n# END SOLUTION\n",
                   "if x:\n    # BEGIN SOLUTION\ny = 1\n    # END SOLUTION\n",
                   "# BEGIN SOLUTION\n# END SOLUTION\n", "### BEGIN SOLUTION\n"):
        with pytest.raises(ValueError):
            solution_regions(broken)


def test_every_notebook_is_part_of_the_course():
    assert [path.stem for path in NOTEBOOKS] == list(COURSE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_valid_and_without_outputs(path):
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
        assert "execution" not in cell.metadata, cell.id


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_task_has_solutions_then_checks(path):
    nb = read(path)
    tasks = COURSE[path.stem]
    assert nb.metadata["tinynet"]["tasks"] == tasks
    roles = [(k, tag, cell.metadata.get("tinynet", {}).get("task"))
             for k, cell in enumerate(nb.cells)
             for tag in ("solution", "check") if tag in cell.metadata.get("tags", [])]
    assert {task for _, _, task in roles} == set(tasks)
    for task in tasks:
        solutions = [k for k, tag, t in roles if t == task and tag == "solution"]
        checks = [k for k, tag, t in roles if t == task and tag == "check"]
        assert solutions and checks, task
        assert min(solutions) < min(checks) and max(solutions) < max(checks), task


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_check_cells_are_marked_and_assert(path):
    for cell in read(path).cells:
        if cell.cell_type != "code":
            continue
        is_check = "check" in cell.metadata.get("tags", [])
        assert cell.source.startswith("# CHECK") == is_check, cell.id
        if is_check:
            assert re.search(r"^assert ", cell.source, re.MULTILINE), cell.id


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_regions_are_matched_and_strip_to_valid_python(path):
    nb = read(path)
    solutions = tagged(nb, "solution")
    solution_ids = {cell.id for cell in solutions}
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        regions = solution_regions(cell.source)  # raises on unmatched markers
        assert bool(regions) == (cell.id in solution_ids), cell.id
    for cell in solutions:
        stripped = strip_solutions(cell)
        compile(stripped, f"{path.name}, cell {cell.id} (stripped)", "exec")
        assert "SOLUTION" not in stripped and "raise NotImplementedError('task " in stripped


def test_the_notebooks_share_one_check_helper():
    """Each notebook defines ``check`` in its setup cell: the same code in all of them."""
    helpers = set()
    for path in NOTEBOOKS:
        (setup,) = tagged(read(path), "setup")
        match = re.search(r"^def check\(.*?(?=^\S|\Z)", setup.source, re.MULTILINE | re.DOTALL)
        assert match, path.name
        helpers.add(match.group(0).strip())
    assert len(helpers) == 1


# ---- running them ----------------------------------------------------------------------
KERNEL_PROBE = "import tinynet\nprint(tinynet.__file__)"
TRAINING_CHECK = ("05_optimizers_and_training", "09-train-check")  # the one check that trains
WAITING = re.compile(  # what a cell that needs library tasks prints while one is missing
    r"(NOT RUN|INSTEAD): this cell needs (task \d+ \(\w+\)|tasks \d+ \(\w+\)"
    r"(, \d+ \(\w+\))* and \d+ \(\w+\)), not written yet in your tinynet \(see [^)]+\)"
    r"(; .+)?")


def draws_a_figure(source: str) -> bool:
    """Whether a cell calls a tinynet.plot function."""
    python = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
    return any(isinstance(node, ast.Call) and ast.unparse(node.func).startswith("tinynet.plot.")
               for node in ast.walk(ast.parse(python)))


def needs_library_tasks(cell) -> bool:
    """Whether a cell runs tinynet's own code of a task, guarded by ``needs(...)``."""
    return cell.cell_type == "code" and "needs(" in cell.source


@pytest.fixture(scope="session")
def student_workspace(tmp_path_factory):
    """A fresh student workspace: the library's solution regions raise NotImplementedError."""
    from tinynet import exercises

    return exercises.start(tmp_path_factory.mktemp("notebooks") / "hw")


@functools.cache
def executed(name: str, stripped: bool = False, workspace: Path = None):
    """The notebook after a run in a fresh kernel, with a first cell printing the kernel's
    tinynet; if ``stripped``, the student's version without its figures, run to the end
    whatever fails; with a ``workspace``, the library's notebook run in the workspace's
    notebooks/ on the workspace's tinynet (as the workspace's own copy is run), to the end."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")  # the plot extra: notebooks 1, 5 and 6 draw figures
    path = NOTEBOOK_DIR / f"{name}.ipynb"
    nb = read(path)
    if stripped:
        for cell in tagged(nb, "solution"):
            cell.source = strip_solutions(cell)
        # figures take time and no check reads them
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or not draws_a_figure(c.source)]
    probe = KERNEL_PROBE
    if workspace is not None:
        from tinynet.exercises.workspace import NOTEBOOK_PATH_CELL

        probe = f"{NOTEBOOK_PATH_CELL}\n{KERNEL_PROBE}"
    nb.cells.insert(0, nbformat.v4.new_code_cell(probe, id="kernel-probe"))
    package_dir = str(Path(tinynet.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [package_dir, os.environ.get("PYTHONPATH")])))
    # NOTE: one BLAS thread, as for the examples: the matrices are small, and on a busy
    # 2-core machine OpenBLAS's threads only contend with other processes
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    where = path.parent if workspace is None else workspace / "notebooks"
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     allow_errors=stripped or workspace is not None,
                                     resources={"metadata": {"path": str(where)}})
    client.execute(env=env)
    return nb


def stdout(cell) -> str:
    return "".join(o.text for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def result_lines(cell, word: str) -> list:
    return [line for line in stdout(cell).splitlines() if line.startswith(word)]


def errors(cell) -> list:
    return [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_with_the_tinynet_under_test(path):
    nb = executed(path.stem)  # raises CellExecutionError if a cell fails
    kernel_tinynet = stdout(nb.cells[0]).strip()
    assert Path(kernel_tinynet).resolve() == Path(tinynet.__file__).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_check_cell_prints_pass(path):
    checks = tagged(executed(path.stem), "check")
    assert checks
    for cell in checks:
        assert result_lines(cell, "PASS") and not result_lines(cell, "FAIL"), stdout(cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_show_inline(path):
    """A cell that draws with tinynet.plot shows the figure."""
    cells = [c for c in executed(path.stem).cells
             if c.cell_type == "code" and draws_a_figure(c.source)]
    for cell in cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.id


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_without_the_solutions_every_check_fails(path):
    """The student's version: each CHECK cell prints a FAIL line and stops with an error,
    so no check passes before the work is done."""
    for cell in tagged(executed(path.stem, stripped=True), "check"):
        assert result_lines(cell, "FAIL") and errors(cell), (cell.id, stdout(cell))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_checks_pass_on_a_student_s_tinynet_with_no_task_written(path, student_workspace):
    """The notebook's answers, run in a fresh workspace (every library task still raises
    NotImplementedError): every CHECK cell passes, since it computes its reference from
    numpy, scipy and finite differences; the cells that run tinynet's own code of a task
    say, in one line, which tasks they need; nothing raises."""
    nb = executed(path.stem, workspace=student_workspace)
    kernel_tinynet = Path(stdout(nb.cells[0]).strip())
    assert kernel_tinynet == student_workspace / "tinynet" / "__init__.py"
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        assert not errors(cell), (cell.id, errors(cell))
        waiting = [line for line in stdout(cell).splitlines() if WAITING.fullmatch(line)]
        assert len(waiting) == needs_library_tasks(cell), (cell.id, stdout(cell))
    for cell in tagged(nb, "check"):
        if (path.stem, cell.id) == TRAINING_CHECK:  # training needs tasks 1, 5, 6, 8 and 9
            assert stdout(cell).startswith("NOT RUN: this cell needs tasks 1 (activations), "
                                           "5 (backward), 6 (linear), 8 (cross_entropy) and "
                                           "9 (optimizers), not written yet"), stdout(cell)
            assert not result_lines(cell, "PASS") and not result_lines(cell, "FAIL")
        else:
            assert not needs_library_tasks(cell), cell.id
            assert result_lines(cell, "PASS") and not result_lines(cell, "FAIL"), stdout(cell)


def test_notebook_6_reads_recordings_of_its_own_runs(student_workspace):
    """In a workspace that cannot train yet, notebook 6 reads its runs as recorded
    (tinynet.exercises.runs): they print what its own training prints."""
    trained = executed("06_diagnosis")
    recorded = executed("06_diagnosis", workspace=student_workspace)
    cells = [(a, b) for a, b in zip(trained.cells[1:], recorded.cells[1:])
             if a.cell_type == "code" and "runs.load(" in a.source]
    assert len(cells) == 3
    for ran, read in cells:
        assert read.source == ran.source
        lines = stdout(read).splitlines()
        assert lines[0].startswith("INSTEAD: ") and lines[1:] == stdout(ran).splitlines()
