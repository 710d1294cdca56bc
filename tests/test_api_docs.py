"""docs/api.md documents every public name: each name in the ``__all__`` of tinynet and of
its public subpackages appears in the page's code (spans or blocks)."""
import importlib
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"
PUBLIC = ["tinynet", "tinynet.nn", "tinynet.nn.functional", "tinynet.nn.init",
          "tinynet.nn.utils", "tinynet.linalg", "tinynet.optim",
          "tinynet.optim.lr_scheduler", "tinynet.optim.swa_utils",
          "tinynet.utils.data", "tinynet.autograd", "tinynet.diagnostics",
          "tinynet.training", "tinynet.classroom", "tinynet.exercises", "tinynet.viz",
          "tinynet.sklearn", "tinynet.plot", "tinynet.data", "tinynet.models",
          "tinynet.experiments"]


def _documented_words() -> set:
    text = API.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    code = blocks + re.findall(r"`([^`]+)`", prose)  # a span may wrap onto the next line
    return {word for piece in code for word in re.findall(r"[A-Za-z_]\w*", piece)}


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_module_lists_its_names(name):
    module = importlib.import_module(name)
    names = getattr(module, "__all__", None)
    assert names, f"{name} has no __all__"
    assert len(set(names)) == len(names), f"{name}.__all__ repeats a name"
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ lists names it does not define: {missing}"


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_is_in_the_api_page(name):
    words = _documented_words()
    module = importlib.import_module(name)
    undocumented = [n for n in getattr(module, "__all__", ()) if n not in words]
    assert not undocumented, f"docs/api.md does not mention these names of {name}: " \
                             f"{undocumented}"
