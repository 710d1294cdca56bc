"""Task 11: diagnose a training run (tasks/11_diagnose.md), on real recorded runs."""
from pathlib import Path

import tinynet.exercises.task_tests
from tinynet.exercises.task_tests._support import expect, student
from tinynet.training import History

RUNS = Path(tinynet.exercises.task_tests.__file__).resolve().parent / "runs"


def _run(name: str) -> History:
    return History.from_json(RUNS / f"{name}.json")


def test_gradient_ratio():
    diagnose = student("diagnose")
    run = _run("healthy")
    layers = run.records[0]["layers"]
    norms = [s["grad_norm"] for s in layers.values() if s.get("kind") == "Linear"]
    got = diagnose.gradient_ratio(run)
    expect(abs(got - norms[0] / norms[-1]) <= 1e-12 * abs(got),
           f"gradient_ratio(healthy run) = {got!r}, expected {norms[0] / norms[-1]!r}",
           "the first Linear's grad_norm over the last Linear's, in epoch 1")


def test_vanishing_gradients_are_found():
    diagnose = student("diagnose")
    expect(diagnose.vanishing(_run("deep_sigmoid")) is True,
           "vanishing(deep sigmoid run) must be True", "its ratio is far below 1e-3")
    expect(diagnose.vanishing(_run("healthy")) is False,
           "vanishing(healthy run) must be False")


def test_the_dead_layer_is_found():
    diagnose = student("diagnose")
    got = diagnose.dead_layer(_run("dead_relu"))
    expect(got == "3", f"dead_layer(dead ReLU run) = {got!r}, expected '3' (every unit of that "
                       f"ReLU is dead)", "the activation layer with the highest dead_rate in "
                                         "the last epoch")
    got = diagnose.dead_layer(_run("healthy"))
    expect(got is None, f"dead_layer(healthy run) = {got!r}, expected None",
           "None when no layer has more than half of its units dead")
