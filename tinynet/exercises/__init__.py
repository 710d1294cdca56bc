"""tinynet as its own course: tasks cut from the library's reference code, a student
workspace, and an autograder (``tinynet exercises list | start DIR | check [TASK ...]``).

Example:
    >>> from tinynet import exercises
    >>> [task.name for task in exercises.TASKS][:4]
    ['activations', 'gelu', 'softmax', 'unbroadcast']
    >>> sum(task.points for task in exercises.TASKS)
    100
"""
from tinynet.exercises.grader import Report, check
from tinynet.exercises.progress import needs
from tinynet.exercises.tasks import TASKS, Task
from tinynet.exercises.workspace import start

__all__ = ["Report", "TASKS", "Task", "check", "needs", "start"]
