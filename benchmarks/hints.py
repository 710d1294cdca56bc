"""How well ``History.diagnose()`` names what is wrong: run every labelled scenario of
``hint_scenarios.py``, compare the hint kinds reported with the kinds expected, and print
the confusion table with each kind's precision and recall.

    python benchmarks/hints.py [--only NAME ...] [--write-results]

A kind reported where it is not expected is a false alarm; a kind expected and not
reported is a miss. Tuned and held-out scenarios are counted separately.
"""
import argparse
import os
import sys
import time

import hint_scenarios

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import recording, save  # noqa: E402

from tinynet.diagnostics import KINDS  # noqa: E402


def evaluate(scenarios) -> list:
    """[(scenario, reported kinds, hints)] for each scenario, in order."""
    rows = []
    for scenario in scenarios:
        history = scenario.run()
        hints = history.diagnose()
        rows.append((scenario, frozenset(h.kind for h in hints), hints))
    return rows


def scores(rows) -> dict:
    """Per kind: true positives, false positives, false negatives, precision, recall."""
    table = {}
    for kind in KINDS:
        tp = sum(kind in got and kind in s.expected for s, got, _ in rows)
        fp = sum(kind in got and kind not in s.expected for s, got, _ in rows)
        fn = sum(kind not in got and kind in s.expected for s, got, _ in rows)
        if tp or fp or fn:
            table[kind] = {"tp": tp, "fp": fp, "fn": fn,
                           "precision": tp / (tp + fp) if tp + fp else None,
                           "recall": tp / (tp + fn) if tp + fn else None}
    return table


def _pct(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def report(title: str, rows) -> str:
    lines = [f"## {title}", "", "| scenario | expected | reported | |", "|---|---|---|---|"]
    for scenario, got, _ in rows:
        mark = "ok" if got == scenario.expected else "WRONG"
        lines.append(f"| {scenario.name} | {', '.join(sorted(scenario.expected)) or '–'} | "
                     f"{', '.join(sorted(got)) or '–'} | {mark} |")
    lines += ["", "| kind | found | false alarms | missed | precision | recall |",
              "|---|---|---|---|---|---|"]
    table = scores(rows)
    for kind, s in table.items():
        lines.append(f"| {kind} | {s['tp']} | {s['fp']} | {s['fn']} | {_pct(s['precision'])} | "
                     f"{_pct(s['recall'])} |")
    relabelled = [s for s, _, _ in rows if s.relabelled]
    if relabelled:
        lines += ["", "Labels corrected after running (the rules were not changed for them):"]
        lines += [f"- {s.name}: {s.relabelled}" for s in relabelled]
    correct = sum(got == s.expected for s, got, _ in rows)
    healthy = [(s, got) for s, got, _ in rows if not s.expected]
    alarms = sum(bool(got) for _, got in healthy)
    first = sum(got == s.expected and not s.relabelled for s, got, _ in rows)
    lines += ["", f"{correct}/{len(rows)} scenarios diagnosed exactly ({first} by the labels "
                  f"first written); {alarms} false alarms on {len(healthy)} healthy runs"]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument("--verbose", action="store_true", help="print every hint")
    parser.add_argument("--write-results", action="store_true",
                        help="write docs/results/hints.json")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = {}
    with recording() as printed:
        for title, scenarios in (("tuned", hint_scenarios.TUNED),
                                 ("held out", hint_scenarios.HELD_OUT)):
            chosen = [s for s in scenarios if not args.only or s.name in args.only]
            if not chosen:
                continue
            rows = evaluate(chosen)
            print(report(title, rows), end="\n\n")
            if args.verbose:
                for scenario, _, hints in rows:
                    print(f"{scenario.name}:")
                    for hint in hints:
                        print(f"  [{hint.kind}] {hint}")
                print()
            healthy = [got for s, got, _ in rows if not s.expected]
            results[title.replace(" ", "_")] = {
                "scenarios": {s.name: {"expected": sorted(s.expected), "reported": sorted(got)}
                              for s, got, _ in rows},
                "scores": scores(rows), "count": len(rows),
                "exact": sum(got == s.expected for s, got, _ in rows),
                # by the labels written before the runs (a corrected one was wrong by them)
                "exact_by_first_labels": sum(got == s.expected and not s.relabelled
                                             for s, got, _ in rows),
                "healthy": len(healthy), "false_alarms": sum(bool(got) for got in healthy)}
    print(f"({time.perf_counter() - start:.0f} s)")
    if args.write_results and not args.only:
        save("hints", {"scenarios": "benchmarks/hint_scenarios.py"}, results, printed.text())


if __name__ == "__main__":
    main()
