"""Making the student version of a file: each solution region becomes a ``raise``.

A region is the lines from ``# BEGIN SOLUTION <task>`` to ``# END SOLUTION``, both
included, at one indentation; the stripped file raises ``NotImplementedError`` there,
naming the task, the function to write and the statement to read.
"""
import ast
import json
import re

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION(?: (\w+))?\s*$")
END = re.compile(r"^(\s*)# END SOLUTION\s*$")
# what a stripped region raises: "task 6 (linear): write Linear.forward here; see
# tasks/06_linear.md"
MESSAGE = re.compile(r"task (\d+) \((\w+)\): write (\S+) here; see (tasks/\w+\.md)")
RAISE = re.compile(r"^\s*raise NotImplementedError\('task (\d+) \(\w+\): write (\S+) here;",
                   re.MULTILINE)


def regions(text: str, task: str = None) -> list:
    """[(task name, first line, last line)] of each region (0-based, inclusive). A bare
    ``# BEGIN SOLUTION`` belongs to ``task`` (a notebook cell names its task in its
    metadata). Raises ValueError for a marker that is unclosed, nested, stray, misspelt,
    not at its BEGIN's indentation, or around nothing."""
    found, open_at = [], None
    for i, line in enumerate(text.splitlines()):
        begin, end = BEGIN.match(line), END.match(line)
        if "SOLUTION" in line and line.lstrip().startswith("#") and not (begin or end):
            raise ValueError(f"strip: line {i + 1}: {line.strip()!r} is neither '# BEGIN "
                             f"SOLUTION [task]' nor '# END SOLUTION'")
        if begin:
            if open_at is not None:
                raise ValueError(f"strip: line {i + 1}: a region opens inside the region of "
                                 f"line {open_at[1] + 1}")
            name = begin.group(2) or task
            if name is None:
                raise ValueError(f"strip: line {i + 1}: BEGIN SOLUTION must name its task")
            open_at = (name, i, begin.group(1))
        elif end:
            if open_at is None:
                raise ValueError(f"strip: line {i + 1}: END SOLUTION without a BEGIN")
            if end.group(1) != open_at[2] or i == open_at[1] + 1:
                raise ValueError(f"strip: line {i + 1}: END SOLUTION must close the region of "
                                 f"line {open_at[1] + 1} at its indentation, around code")
            found.append(open_at[:2] + (i,))
            open_at = None
        elif open_at is not None and line.strip() and not line.startswith(open_at[2]):
            raise ValueError(f"strip: line {i + 1}: less indented than the BEGIN SOLUTION "
                             f"of line {open_at[1] + 1}")
    if open_at is not None:
        raise ValueError(f"strip: line {open_at[1] + 1}: BEGIN SOLUTION is never closed")
    return found


def strip_source(text: str, tasks: dict, task: str = None, practice: bool = False) -> str:
    """``text`` with each region replaced by a ``raise NotImplementedError`` naming its
    task (``tasks``: name -> Task) and the function it sits in; a bare BEGIN belongs to
    ``task``. ``practice``: a notebook cell's, whose function is not the one the task
    grades: its message says to read the notebook."""
    lines = text.splitlines()
    owners = _functions(text)
    for name, first, last in reversed(regions(text, task)):
        info = tasks[name]
        indent = BEGIN.match(lines[first]).group(1)
        where = next((q for q, lo, hi in owners if lo <= first + 1 <= hi), "this")
        message = (f"task {info.number} ({info.name}): write {where} here; see "
                   f"tasks/{info.label}.md") if not practice else (
            f"write {where} here, as the notebook explains above (practice for task "
            f"{info.number}, {info.name}, which grades other code: tasks/{info.label}.md)")
        lines[first:last + 1] = [f"{indent}raise NotImplementedError({message!r})"]
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def unwritten(text: str) -> list:
    """[(task number, what to write)] of each stripped region left in ``text`` (a file of
    a workspace), in order: the code not written yet."""
    return [(int(number), where) for number, where in RAISE.findall(text)]


def parse_message(message: str):
    """(task number, task name, what to write, statement) from the message a stripped
    region raises, or None for any other message."""
    match = MESSAGE.fullmatch(str(message))
    return None if match is None else (int(match[1]), match[2], match[3], match[4])


def strip_notebook(text: str, tasks: dict) -> str:
    """A notebook's JSON with the regions of its code cells stripped, outputs cleared."""
    notebook = json.loads(text)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        stripped = strip_source(source, tasks, cell.get("metadata", {}).get("tinynet", {})
                                .get("task"), practice=True)
        cell["source"] = stripped.splitlines(keepends=True)
        cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _functions(text: str) -> list:
    """[(qualified name, first line, last line)] of every function (1-based), innermost
    last, so the first match for a line is its innermost function."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((name, child.lineno, child.end_lineno))
                visit(child, name + ".")

    try:
        tree = ast.parse(text)
    except SyntaxError:  # a notebook cell with IPython syntax: no names, a plain message
        return []
    visit(tree, "")
    return sorted(found, key=lambda item: item[2] - item[1])  # smallest span first
