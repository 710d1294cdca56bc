"""Soak: memory stays flat over a long run with fit's defaults (the Monitor on)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import soak  # noqa: E402


def test_twenty_thousand_steps_with_fits_defaults_grow_memory_by_less_than_1_mb():
    # one hidden layer keeps the 20,000 steps quick under tracemalloc; the per-step work
    # of fit and the Monitor is the same as for a deep model
    result = soak.soak(steps=20_000, epochs=20, hidden=(4,))
    assert result["steps"] >= 19_900
    assert result["traced_growth"] < 1_000_000
    # what does grow is the History, by one record per epoch, not per step
    assert result["traced_growth"] < 2 * result["history_json_bytes"] + 100_000
