"""Soak: memory stays flat over a long run with fit's defaults (the Monitor on)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import soak  # noqa: E402


def test_five_thousand_steps_with_fits_defaults_grow_memory_by_less_than_50_bytes_a_step():
    # one hidden layer keeps the steps quick under tracemalloc; the per-step work of fit
    # and the Monitor is the same as for a deep model
    result = soak.soak(steps=5_000, epochs=20, hidden=(4,))
    assert result["steps"] >= 4_900
    assert result["traced_growth"] < 50 * result["measured_steps"]
    # what does grow is the History, by one record per epoch, not per step
    assert result["traced_growth"] < 2 * result["history_json_bytes"] + 100_000
