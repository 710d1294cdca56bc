"""The labelled scenarios: each run has one pathology (or none), and diagnose() must name
exactly the expected set of hint kinds: every pathology found, no false alarm."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import hint_scenarios  # noqa: E402

ALL = hint_scenarios.TUNED + hint_scenarios.HELD_OUT


@pytest.mark.parametrize("scenario", ALL, ids=[s.name for s in ALL])
def test_diagnose_names_exactly_the_pathology(scenario):
    hints = scenario.run().diagnose()
    assert {h.kind for h in hints} == scenario.expected, [str(h) for h in hints]


def test_the_suite_covers_every_pathology_and_several_healthy_runs():
    tuned = hint_scenarios.TUNED
    assert len(tuned) >= 14
    assert sum(not s.expected for s in tuned) >= 4
    covered = set().union(*(s.expected for s in tuned))
    assert covered >= {"vanishing", "init_scale", "dead_units", "diverged", "lr_too_low",
                       "lr_too_high", "input_scale", "saturation", "overfitting",
                       "double_softmax", "stalled", "nonfinite"}
    assert len({s.name for s in ALL}) == len(ALL)
