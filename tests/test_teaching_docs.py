"""docs/teaching.md shows what the commands print: each tagged block is regenerated here
and compared."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinynet import exercises

PAGE = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"


def _blocks() -> dict:
    text = PAGE.read_text(encoding="utf-8")
    return {tag: body for tag, body in
            re.findall(r"<!-- (exercises [\w ]+) -->\n```\n(.*?)```", text, re.S)}


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    fresh = exercises.start(tmp_path_factory.mktemp("fresh") / "hw1")
    key = exercises.start(tmp_path_factory.mktemp("key") / "key", solutions=True)
    wrong = exercises.start(tmp_path_factory.mktemp("wrong") / "hw1")
    engine = wrong / "tinynet" / "autograd" / "engine.py"
    stub = ("raise NotImplementedError('task 4 (unbroadcast): write unbroadcast here; see "
            "tasks/04_unbroadcast.md')")
    engine.write_text(engine.read_text(encoding="utf-8").replace(stub, "return grad.sum(axis=0)"),
                      encoding="utf-8")
    listing = subprocess.run([sys.executable, "-m", "tinynet", "exercises", "list"],
                             capture_output=True, text=True, check=True).stdout
    return {"exercises list": listing,
            "exercises check fresh": f"{exercises.check(fresh, ['softmax', 'unbroadcast'])}\n",
            "exercises check wrong": f"{exercises.check(wrong, ['unbroadcast'])}\n",
            "exercises check key": f"{exercises.check(key, ['softmax', 'unbroadcast'])}\n"}


@pytest.mark.parametrize("tag", ["exercises list", "exercises check fresh",
                                 "exercises check wrong", "exercises check key"])
def test_the_page_shows_what_is_printed(printed, tag):
    assert _blocks()[tag] == printed[tag]
