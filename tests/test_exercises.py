"""The classroom kit: tasks cut from tinynet's reference code, a student workspace, and
the autograder. A fresh workspace fails every task with a message naming it; the
library's own code (the solutions) passes every task."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tinynet
from tinynet import exercises
from tinynet.cli import main
from tinynet.exercises import strip
from tinynet.exercises.tasks import BY_NAME, TASKS

PACKAGE = Path(tinynet.__file__).resolve().parent


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return exercises.start(tmp_path_factory.mktemp("student") / "hw1")


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    return exercises.start(tmp_path_factory.mktemp("teacher") / "key", solutions=True)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tinynet", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def test_tasks_are_numbered_in_order_and_worth_100_points():
    assert [t.number for t in TASKS] == list(range(1, len(TASKS) + 1))
    assert sum(t.points for t in TASKS) == 100
    assert all(need in BY_NAME for t in TASKS for need in t.needs)


def test_every_task_has_solution_regions_and_tests():
    marked = {}
    for path in PACKAGE.rglob("*.py"):
        for name, _, _ in strip.regions(path.read_text(encoding="utf-8")):
            marked.setdefault(name, set()).add(path.relative_to(PACKAGE).as_posix())
    assert set(marked) == set(BY_NAME)
    for task in TASKS:
        library_files = {f.removeprefix("tinynet/") for f in task.files
                         if f.startswith("tinynet/")}
        assert library_files <= marked[task.name], task.name
        assert (PACKAGE / "exercises" / "task_tests" / f"task_{task.label}.py").is_file()


def test_a_fresh_workspace_fails_every_task_naming_it(fresh):
    report = exercises.check(fresh)
    assert not report.passed and [r.task.name for r in report.results] == list(BY_NAME)
    for result in report.results:
        assert result.points == 0 and result.passed == 0 and result.total >= 1
        assert f"not written yet: task {result.task.number} ({result.task.name}): write " \
               in result.message
        assert f"see tasks/{result.task.label}.md" in result.message


def test_the_library_s_own_code_passes_every_task(solved):
    report = exercises.check(solved)
    assert report.passed, str(report)
    assert sum(r.points for r in report.results) == 100 and not report.note


def test_a_wrong_answer_is_shown_with_what_was_expected(fresh, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(fresh, work)
    engine = work / "tinynet" / "autograd" / "engine.py"
    text = engine.read_text(encoding="utf-8")
    stub = ("raise NotImplementedError('task 4 (unbroadcast): write unbroadcast here; "
            "see tasks/04_unbroadcast.md')")
    assert stub in text
    engine.write_text(text.replace(stub, "return grad.sum(axis=0)"), encoding="utf-8")
    (result,) = exercises.check(work, ["unbroadcast"]).results
    assert not result.ok and result.points == 0
    assert "expected shape (2, 3, 4), got (3, 4)" in result.message


def test_points_are_shared_among_a_task_s_tests(solved, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(solved, work)
    activation = work / "tinynet" / "ops" / "activation.py"
    text = activation.read_text(encoding="utf-8")
    broken = text.replace("return np.where(x > 0, x, alpha * np.expm1(np.minimum(0, x)))",
                          "return np.where(x > 0, x, np.expm1(np.minimum(0, x)))")  # no α
    assert broken != text
    activation.write_text(broken, encoding="utf-8")
    report = exercises.check(work, ["activations"])
    (result,) = report.results
    assert (result.passed, result.total, result.points) == (7, 8, 8.8)  # 10 · 7/8 = 8.75
    assert result.message.startswith("test_elu: ELU.forward(x, 0.7): expected")
    assert " 1 activations     8.8/10   FAIL (7/8 tests passed)" in str(report)
    assert str(report).splitlines()[-1] == "total              8.8/10   not all passed"


def test_points_show_one_decimal_when_not_whole_and_add_up():
    from tinynet.exercises.grader import Report, TaskResult

    results = [TaskResult(BY_NAME["activations"], 1, 7, "a failure"),    # 10 · 1/7 = 1.43
               TaskResult(BY_NAME["backward"], 1, 3, "a failure"),       # 15 · 1/3 = 5
               TaskResult(BY_NAME["softmax"], 4, 4, ""),
               TaskResult(BY_NAME["gelu"], 2, 3, "a failure")]           # 5 · 2/3 = 3.33
    assert [r.points for r in results] == [1.4, 5, 10, 3.3]
    lines = str(Report(results)).splitlines()
    assert lines[1] == " 1 activations     1.4/10   FAIL (1/7 tests passed)"
    assert lines[3] == " 5 backward          5/15   FAIL (1/3 tests passed)"
    assert lines[5] == " 3 softmax          10/10   PASS"
    assert lines[-1] == "total             19.7/40   not all passed"  # 1.4 + 5 + 10 + 3.3


def _main(capsys, *args) -> subprocess.CompletedProcess:
    """``tinynet *args`` in this process (the parsing and output of the command line,
    without a Python start-up per call)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def test_the_command_line(fresh, solved, tmp_path, capsys):
    listing = _cli("exercises", "list")  # the entry point itself, once
    assert listing.returncode == 0 and "backward" in listing.stdout
    assert "total 100 points" in listing.stdout
    failing = _main(capsys, "exercises", "check", "softmax", "--dir", str(fresh))
    assert failing.returncode == 1 and "FAIL (0/5 tests passed)" in failing.stdout
    passing = _main(capsys, "exercises", "check", "3", "unbroadcast", "--dir", str(solved))
    assert passing.returncode == 0 and "all passed" in passing.stdout
    assert " 3 softmax" in passing.stdout and " 4 unbroadcast" in passing.stdout
    typo = _main(capsys, "exercises", "check", "softmx", "--dir", str(solved))
    assert typo.returncode == 2 and "(did you mean 'softmax'?)" in typo.stderr
    assert typo.stderr.startswith("tinynet exercises check: error: task must be one of")
    taken = _main(capsys, "exercises", "start", str(solved))
    assert taken.returncode == 2 and "must be new or empty" in taken.stderr
    started = _main(capsys, "exercises", "start", str(tmp_path / "new"))
    assert started.returncode == 0 and (tmp_path / "new" / "tasks" / "05_backward.md").is_file()
    outside = _main(capsys, "exercises", "check", "--dir", str(tmp_path))
    assert outside.returncode == 2 and "must be a workspace" in outside.stderr


def test_a_task_waiting_for_another_says_which_it_needs(fresh, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(fresh, work)
    shutil.copy(PACKAGE / "exercises" / "student" / "train.py", work / "exercises" / "train.py")
    (result,) = exercises.check(work, ["train"]).results
    assert not result.ok
    assert result.message.endswith(
        "task 10 (train) needs task 6 (linear), which is not written yet: Linear.forward "
        "raises NotImplementedError (see tasks/06_linear.md)"), result.message


def test_without_pytest_the_check_says_how_to_get_it(fresh):
    run = ("import sys; sys.modules['pytest'] = None  # importing pytest fails\n"
           "from tinynet.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", run, "exercises", "check", "softmax",
                           "--dir", str(fresh)], capture_output=True, text=True, check=False)
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.startswith("tinynet exercises check: error: the grader runs the tests "
                                  "with pytest, which this Python")
    assert 'pip install "./tinynet[test]"' in done.stderr
    assert done.stderr.rstrip().endswith("or alone: pip install pytest")


@pytest.mark.parametrize("name", ["train", "diagnose"])
def test_a_template_run_as_a_script_imports_the_workspace_s_tinynet(fresh, tmp_path, name):
    """``python exercises/train.py`` from the workspace: sys.path[0] is exercises/, yet
    the tinynet imported is the workspace's, not the one installed."""
    work = tmp_path / "ws"
    shutil.copytree(fresh, work)
    script = work / "exercises" / f"{name}.py"
    script.write_text(script.read_text(encoding="utf-8") + "\nimport tinynet\n"
                      "print(tinynet.__file__)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, f"exercises/{name}.py"], cwd=work,
                          capture_output=True, text=True, check=True)
    assert Path(done.stdout.strip()) == work / "tinynet" / "__init__.py"


def test_needs_names_the_tasks_a_workspace_has_not_written(fresh, solved, tmp_path, monkeypatch,
                                                          capsys):
    from tinynet.exercises import progress

    monkeypatch.setattr(progress, "ROOT", fresh)
    assert progress.needs("linear") is False
    assert capsys.readouterr().out == ("NOT RUN: this cell needs task 6 (linear), not written "
                                       "yet in your tinynet (see tasks/06_linear.md)\n")
    assert progress.needs(9, "activations", 9, instead="it reads a recorded run") is False
    assert capsys.readouterr().out == (
        "INSTEAD: this cell needs tasks 1 (activations) and 9 (optimizers), not written yet in "
        "your tinynet (see their statements in tasks/); it reads a recorded run\n")
    work = tmp_path / "ws"
    shutil.copytree(fresh, work)
    shutil.copy(solved / "tinynet" / "ops" / "linear.py", work / "tinynet" / "ops" / "linear.py")
    monkeypatch.setattr(progress, "ROOT", work)
    assert progress.missing(6, 5, "linear") == [BY_NAME["backward"]]
    monkeypatch.setattr(progress, "ROOT", solved)
    assert progress.needs(*range(1, 12)) is True and capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="task must be a task's number or name, got 'linaer'"):
        progress.needs("linaer")


def test_the_workspace_runs_with_the_reference_paths(fresh):
    fastpath = (fresh / "tinynet" / "fastpath.py").read_text(encoding="utf-8")
    assert 'os.environ.get("TINYNET_FAST_PATHS", "0")' in fastpath
    readme = (fresh / "README.md").read_text(encoding="utf-8")
    assert "tinynet exercises check" in readme and "Total: 100 points" in readme
    for path in fresh.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
        assert strip.regions(path.read_text(encoding="utf-8")) == [], path


@pytest.mark.parametrize("text, problem", [
    ("# BEGIN SOLUTION x\n", "never closed"),
    ("# END SOLUTION\n", "without a BEGIN"),
    ("# BEGIN SOLUTION x\n# BEGIN SOLUTION y\n# END SOLUTION\n", "inside the region"),
])
def test_bad_markers_are_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        strip.regions(text)


def test_a_notebook_is_stripped_and_cleared():
    notebook = {"cells": [{"cell_type": "code", "execution_count": 3, "metadata": {},
                           "outputs": [{"output_type": "stream", "text": "x"}],
                           "source": ["def f(x):\n", "    # BEGIN SOLUTION softmax\n",
                                      "    return x\n", "    # END SOLUTION\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = json.loads(strip.strip_notebook(json.dumps(notebook), BY_NAME))
    cell = out["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    # (a notebook's function is practice, not the task's graded code: it says so)
    assert "".join(cell["source"]) == (
        "def f(x):\n    raise NotImplementedError('write f here, as the notebook explains "
        "above (practice for task 3, softmax, which grades other code: "
        "tasks/03_softmax.md)')\n")


def test_the_recorded_runs_show_what_task_11_says():
    from tinynet.exercises.student import diagnose
    from tinynet.training import History

    runs = PACKAGE / "exercises" / "task_tests" / "runs"
    deep, dead, healthy = (History.from_json(runs / f"{n}.json")
                           for n in ("deep_sigmoid", "dead_relu", "healthy"))
    assert diagnose.gradient_ratio(deep) < 1e-6 and diagnose.gradient_ratio(healthy) > 1e-2
    assert deep.config["activation"] == "sigmoid" and len(deep.layer_metric("grad_norm")) == 13
    assert dead.layer_metric("dead_rate")["3"] == [1.0, 1.0, 1.0]
    assert diagnose.dead_layer(dead) == "3" and diagnose.dead_layer(healthy) is None


def test_the_workspace_has_the_notebooks_with_their_solutions_emptied(fresh, solved):
    nbformat = pytest.importorskip("nbformat")
    names = sorted(p.name for p in (PACKAGE / "exercises" / "notebooks").glob("*.ipynb"))
    assert len(names) == 6
    assert sorted(p.name for p in (fresh / "notebooks").glob("*.ipynb")) == names
    for name in names:
        notebook = nbformat.read(fresh / "notebooks" / name, as_version=4)
        nbformat.validate(notebook)
        assert notebook.cells[0].source.startswith("import sys, os")  # this workspace first
        solutions = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
        assert solutions and all("raise NotImplementedError('write " in c.source and
                                 strip.regions(c.source, "x") == [] for c in solutions), name
        key = nbformat.read(solved / "notebooks" / name, as_version=4)
        assert any(strip.regions(c.source, "x") for c in key.cells if c.cell_type == "code")
    assert not (fresh / "tinynet" / "exercises" / "notebooks").exists()


def _broken_copy(solved, tmp_path, path: str, old: str, new: str) -> Path:
    """A copy of the key workspace with one line of ``path`` changed."""
    work = tmp_path / "ws"
    shutil.copytree(solved, work, symlinks=True)
    target = work / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return work


def test_the_grader_runs_its_own_tests_not_the_workspace_s_copies(solved, tmp_path):
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "grads[key] = previous + gx", "grads[key] = gx")  # no accumulation
    for test in (work / "tests").glob("test_task_*.py"):
        test.write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    (result,) = exercises.check(work, ["backward"]).results
    assert not result.ok and result.message.startswith(
        "test_a_tensor_used_twice_gets_both_contributions: d(Σ (a + a)²)/da: expected")


def test_backward_without_unbroadcast_or_in_the_wrong_order_fails_with_its_hint(solved,
                                                                                tmp_path):
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "            if gx.shape != shape:\n                gx = unbroadcast(gx, "
                        "shape)\n", "")
    (result,) = exercises.check(work, ["backward"]).results
    assert result.message.startswith("test_a_broadcast_input_gets_its_own_shape:") and \
        "reduce it with unbroadcast(gx, shape)" in result.message
    shutil.rmtree(work)
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "heapq.heappush(ready, (-node.seq, node))",
                        "heapq.heappush(ready, (node.seq, node))")  # oldest first
    (result,) = exercises.check(work, ["backward"]).results
    assert result.message.startswith("test_a_diamond: the op h = 3x ran its backward before "
                                     "both ops using h had sent their gradient")


@pytest.mark.parametrize("task, path, old, new, message", [
    # unbroadcasting only the leaves' gradients: an op's output broadcast later breaks
    ("backward", "tinynet/autograd/engine.py", "            if gx.shape != shape:\n",
     "            if is_leaf and gx.shape != shape:\n",
     "test_a_broadcast_input_gets_its_own_shape: backward through h = Σd, h broadcast to "
     "(3, 2), failed in the op Σd"),
    # a backward writing into the gradient it got, which other ops may share
    ("activations", "tinynet/ops/activation.py", "return np.where(y <= 0, 0, grad)\n",
     "grad[y <= 0] = 0\n        return grad\n",
     "ReLU.backward changed the incoming gradient in place"),
    ("softmax", "tinynet/ops/activation.py",
     "return grad - np.exp(y) * grad.sum(axis=ctx.dim, keepdims=True), None",
     "grad -= np.exp(y) * grad.sum(axis=ctx.dim, keepdims=True); return grad, None",
     "LogSoftmax.backward changed the incoming gradient in place"),
    # ...or into what forward saved, which a second backward reads
    ("cross_entropy", "tinynet/ops/cross_entropy.py", "gz = p.copy()", "gz = p",
     "CrossEntropy.backward changed an array forward saved"),
    # the momentum buffer sharing the gradient's array; weight decay added into p.grad
    ("optimizers", "tinynet/optim/sgd.py",
     'buf = state["momentum_buffer"] = np.array(g, copy=True)',
     'buf = state["momentum_buffer"] = g', "a parameter's .grad after optimizer.step()"),
    ("optimizers", "tinynet/optim/sgd.py", "g = g + weight_decay * p.array",
     "g += weight_decay * p.array", "a parameter's .grad after optimizer.step()"),
    # one state for every parameter
    ("optimizers", "tinynet/optim/adam.py",
     "state = self.state.get(p)\n        if state is None:\n            state = self.state[p] =",
     "state = self.state.get('shared')\n        if state is None:\n            "
     "state = self.state['shared'] =", "the second parameter's path"),
])
def test_wrong_solutions_that_pass_on_easy_inputs_fail(solved, tmp_path, task, path, old,
                                                      new, message):
    work = _broken_copy(solved, tmp_path, path, old, new)
    (result,) = exercises.check(work, [task]).results
    assert not result.ok and message in result.message, result.message


def test_an_engine_that_always_calls_unbroadcast_passes(solved, tmp_path):
    # unbroadcast to the shape a gradient has already changes nothing: a correct engine
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "            if gx.shape != shape:\n                gx = unbroadcast(gx, "
                        "shape)\n", "            gx = unbroadcast(gx, shape)\n")
    (result,) = exercises.check(work, ["backward"]).results
    assert result.ok, result.message


def test_an_error_in_library_code_names_the_students_line_that_led_there(solved, tmp_path):
    # `node not in leaves` compares tensors elementwise: Tensor.__bool__ raises, in
    # tensor_convert.py, which the student never wrote
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "                if is_leaf:\n                    leaves.append(node)",
                        "                if is_leaf and node not in leaves:\n"
                        "                    leaves.append(node)")
    (result,) = exercises.check(work, ["backward"]).results
    line = next(i for i, text in enumerate(
        (work / "tinynet/autograd/engine.py").read_text().splitlines(), start=1)
        if "node not in leaves" in text)
    assert not result.ok
    assert re.search(r"\(raised at tinynet/tensor_\w+\.py, line \d+, reached from "
                     rf"tinynet/autograd/engine\.py, line {line}\)", result.message), \
        result.message


def test_a_loop_that_never_ends_fails_its_test_only(solved, tmp_path, monkeypatch):
    if not hasattr(__import__("signal"), "SIGALRM"):
        pytest.skip("no timers on this platform")
    monkeypatch.setattr(exercises.grader, "TEST_TIMEOUT", 1)
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "        # BEGIN SOLUTION backward\n",
                        "        # BEGIN SOLUTION backward\n        while True:\n"
                        "            pass\n")
    report = exercises.check(work, ["softmax", "backward"])
    softmax, backward = report.results
    assert softmax.ok and backward.passed == 0
    assert "TestTimedOut: the test ran for more than 1 s and was stopped (a loop that never " \
           "ends?) (raised at tinynet/autograd/engine.py, line" in backward.message


@pytest.mark.parametrize("linked", ["", "ops"])
def test_only_the_workspace_s_own_tinynet_is_graded(solved, tmp_path, linked):
    work = tmp_path / "ws"
    shutil.copytree(solved, work)
    shutil.rmtree(work / "tinynet" / linked)
    (work / "tinynet" / linked).symlink_to(PACKAGE / linked)  # the installed library's
    report = exercises.check(work, ["softmax"])
    assert not report.passed and report.points == 0
    assert f"the tests imported tinynet from {PACKAGE / linked / '__init__.py'}, not from " \
           f"this workspace" in str(report)


def test_a_run_stopped_as_a_whole_keeps_the_tests_that_finished(solved, tmp_path,
                                                                 monkeypatch):
    if not hasattr(__import__("signal"), "SIGALRM"):
        pytest.skip("no timers on this platform")
    monkeypatch.setattr(exercises.grader, "TEST_TIMEOUT", 2)
    monkeypatch.setattr(exercises.grader, "TIMEOUT", 5)  # stops in task 5's third test
    work = _broken_copy(solved, tmp_path, "tinynet/autograd/engine.py",
                        "        # BEGIN SOLUTION backward\n",
                        "        # BEGIN SOLUTION backward\n        while True:\n"
                        "            pass\n")
    report = exercises.check(work, ["softmax", "backward", "linear"])
    softmax, backward, linear = report.results
    assert softmax.ok and not backward.ok and backward.total == 7
    assert (linear.passed, linear.message) == (0, "its tests did not all finish before the "
                                                  "run was stopped")
    assert report.note.startswith("note: the tests ran for more than 5 s and were stopped")


def test_a_student_s_import_error_is_shown_and_check_finds_its_workspace(fresh, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(fresh, work)
    (work / "exercises" / "diagnose.py").write_text("import no_such_module_here\n",
                                                    encoding="utf-8")
    (result,) = exercises.check(work / "notebooks", ["diagnose"]).results  # from a subfolder
    assert result.message.endswith("ModuleNotFoundError: No module named "
                                   "'no_such_module_here' (raised at exercises/diagnose.py, "
                                   "line 1)")


def test_training_gets_no_test_labels(solved, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(solved, work)
    (work / "exercises" / "train.py").write_text(
        "import numpy as np\nimport tinynet as tn\n\n\ndef train(data):\n"
        "    assert len(data.X_test) == len(data.y_test) == 0, 'the test split is given'\n"
        "    model = tn.models.MLP(2, [32, 32], 2, activation='tanh', "
        "generator=tn.Generator().manual_seed(0))\n"
        "    tn.fit(model, data.X_train, data.y_train, lr=0.01, epochs=40, batch_size=32, "
        "seed=0, progress=False, monitor=False)\n    return model\n", encoding="utf-8")
    (result,) = exercises.check(work, ["train"]).results
    assert result.ok, result.message


def test_a_syntax_error_is_named_with_its_file_and_line(solved, tmp_path):
    work = _broken_copy(solved, tmp_path, "tinynet/ops/activation.py", "# BEGIN SOLUTION",
                        "# BEGIN SOLUTION\n        x = = 1")
    report = exercises.check(work, ["softmax"])
    assert " 3 softmax           0/10   FAIL (no test ran)" in str(report)
    assert report.results[0].message.startswith(
        "the tests could not be loaded: SyntaxError: invalid syntax (at "
        "tinynet/ops/activation.py, line ")
