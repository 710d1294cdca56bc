"""Task 11: diagnose a training run (tasks/11_diagnose.md), on real recorded runs."""
from pathlib import Path

import numpy as np

import tinynet.exercises.task_tests
from tinynet.exercises.task_tests._support import expect, student
from tinynet.training import History

RUNS = Path(tinynet.exercises.task_tests.__file__).resolve().parent / "runs"


def _run(name: str) -> History:
    return History.from_json(RUNS / f"{name}.json")


def _linear_norms(run: History, epoch: int) -> list:
    layers = run.records[epoch - 1]["layers"].values()
    return [s["grad_norm"] for s in layers if s.get("kind") == "Linear"]


def _scaled_first_norm(ratio: float) -> History:
    """The healthy run with its first Linear's grad_norm set so that the ratio, in epoch
    1, is ``ratio``."""
    run = _run("healthy")
    layers = run.records[0]["layers"]
    linears = [s for s in layers.values() if s.get("kind") == "Linear"]
    linears[0]["grad_norm"] = ratio * linears[-1]["grad_norm"]
    return run


def test_gradient_ratio():
    diagnose = student("diagnose")
    run = _run("healthy")
    for epoch in (1, len(run.records)):  # (the norms differ from epoch to epoch)
        norms = _linear_norms(run, epoch)
        args = () if epoch == 1 else (epoch,)
        got = diagnose.gradient_ratio(run, *args)
        expect(abs(got - norms[0] / norms[-1]) <= 1e-12 * abs(got),
               f"gradient_ratio(healthy run{', epoch=%d' % epoch if args else ''}) = "
               f"{got!r}, expected {norms[0] / norms[-1]!r}",
               f"the first Linear's grad_norm over the last Linear's, in epoch {epoch} "
               f"(history.records[{epoch - 1}])")


def _is(got, expected: bool) -> bool:
    """Whether ``got`` is the boolean ``expected`` (a numpy bool counts)."""
    return isinstance(got, (bool, np.bool_)) and bool(got) is expected


def test_vanishing_gradients_are_found():
    diagnose = student("diagnose")
    for run, name, expected, hint in [
            (_run("deep_sigmoid"), "deep sigmoid run", True, "its ratio is far below 1e-3"),
            (_run("healthy"), "healthy run", False, "its ratio is about 0.1"),
            (_scaled_first_norm(2e-3), "a run whose ratio is 2e-3", False,
             "vanishing means a ratio below 1e-3"),
            (_scaled_first_norm(5e-4), "a run whose ratio is 5e-4", True,
             "vanishing means a ratio below 1e-3")]:
        got = diagnose.vanishing(run)
        expect(_is(got, expected), f"vanishing({name}) = {got!r}, expected {expected}", hint)


def test_the_dead_layer_is_found():
    diagnose = student("diagnose")
    got = diagnose.dead_layer(_run("dead_relu"))
    expect(got == "3", f"dead_layer(dead ReLU run) = {got!r}, expected '3' (every unit of that "
                       f"ReLU is dead)", "the activation layer with the highest dead_rate in "
                                         "the last epoch")
    got = diagnose.dead_layer(_run("healthy"))
    expect(got is None, f"dead_layer(healthy run) = {got!r}, expected None",
           "None when no layer has more than half of its units dead")
    # two layers over half dead, the worst one in the last epoch not the worst in epoch 1
    run = _run("dead_relu")
    rates = {"1": 0.95, "3": 0.6, "5": 0.375}, {"1": 0.55, "3": 0.9, "5": 0.52}
    for record, epoch_rates in zip((run.records[0], run.records[-1]), rates):
        for name, rate in epoch_rates.items():
            record["layers"][name]["dead_rate"] = rate
    got = diagnose.dead_layer(run)
    expect(got == "3", f"dead_layer(a run whose last epoch has dead rates {rates[1]}) = "
                       f"{got!r}, expected '3'",
           "the highest dead_rate, in the last epoch (history.records[-1])")
    for name in ("1", "3", "5"):
        run.records[-1]["layers"][name]["dead_rate"] = 0.5
    got = diagnose.dead_layer(run)
    expect(got is None, f"dead_layer(a run whose layers are half dead, no more) = {got!r}, "
                        f"expected None", "more than half: a dead_rate above 0.5")
