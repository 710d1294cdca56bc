"""Which tasks the tinynet imported here has written: the guard of a notebook cell that runs
tinynet's own code of a task.

In a student's workspace, ``import tinynet`` finds the student's copy, where a task's
code raises ``NotImplementedError`` until it is written. A cell that trains a model (tasks
1, 5, 6, 8 and 9) asks ``needs(...)`` first and, while one of them is missing, prints one
line naming it instead of failing with a traceback. In the library itself, and in a
teacher's key, every task is written.
"""
from pathlib import Path

import tinynet
from tinynet.exercises import strip
from tinynet.exercises.tasks import BY_NAME, TASKS

ROOT = Path(tinynet.__file__).resolve().parents[1]  # the workspace (or site-packages)
BY_NUMBER = {task.number: task for task in TASKS}


def missing(*tasks) -> list:
    """The Tasks among ``tasks`` (numbers or names) whose code still raises
    ``NotImplementedError`` in the imported tinynet, in task order."""
    chosen = sorted({_task(task) for task in tasks}, key=lambda task: task.number)
    return [task for task in chosen if any(_unwritten(task, ROOT / file) for file in task.files)]


def needs(*tasks, instead: str = None) -> bool:
    """Whether the imported tinynet has ``tasks`` (numbers or names) written; if not,
    print one line naming those it has not, for a cell that runs their code (and says
    what the cell does ``instead``, when it does something else).

    Example:
        >>> from tinynet.exercises import needs
        >>> needs(1, "backward")  # the library has every task written
        True
    """
    left = missing(*tasks)
    if left:
        names = [f"{task.number} ({task.name})" for task in left]
        if len(left) == 1:
            needed = f"task {names[0]}, not written yet in your tinynet (see " \
                     f"tasks/{left[0].label}.md)"
        else:
            needed = f"tasks {', '.join(names[:-1])} and {names[-1]}, not written yet in " \
                     f"your tinynet (see their statements in tasks/)"
        print(f"NOT RUN: this cell needs {needed}" if instead is None else
              f"INSTEAD: this cell needs {needed}; {instead}")
    return not left


def _unwritten(task, path: Path) -> bool:
    return path.is_file() and any(number == task.number for number, _ in strip.unwritten(
        path.read_text(encoding="utf-8")))


def _task(task):
    found = BY_NUMBER.get(task) if isinstance(task, int) else BY_NAME.get(task)
    if found is None:
        raise ValueError(f"exercises.needs: task must be a task's number or name, got "
                         f"{task!r}")
    return found
