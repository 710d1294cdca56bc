"""The ``tinynet`` commands the docs show, run for real: what they print and their numbers.

Runs, in-process through ``tinynet.cli.main``:

  * ``tinynet compare``: six activations on an 8-layer MLP (moons, 3 seeds, 2 jobs);
  * ``tinynet compare --depth 16 --norm layernorm`` for ReLU, GELU, sigmoid and tanh,
    at the default learning rate (Adam 0.01) and at 0.001;
  * ``tinynet train`` of a GELU + LayerNorm MLP on digits.

Each command's output is kept, and the per-activation rows of each comparison (its
``--csv``), so the docs can quote both.

    python examples/compare_cli.py                   # ~30 s on 2 cores
    python examples/compare_cli.py --write-results   # also docs/results/compare_cli.json
    TINYNET_EXAMPLE_FAST=1 python examples/compare_cli.py   # a few seconds
"""
import csv
import os
import tempfile

from _results import FAST, recording, save  # examples/_results.py

from tinynet.cli import main as tinynet

BUDGET = ["--epochs", "2", "--seeds", "1", "--jobs", "1"] if FAST else []
COMPARISONS = {  # name -> arguments of `tinynet compare`
    "default": [],
    "depth_16_layernorm": ["--depth", "16", "--activations", "relu,gelu,sigmoid,tanh",
                           "--norm", "layernorm"],
    "depth_16_layernorm_lr_0.001": ["--depth", "16", "--activations",
                                    "relu,gelu,sigmoid,tanh", "--norm", "layernorm",
                                    "--lr", "0.001"],
}
TRAIN = ["--dataset", "digits", "--activation", "gelu", "--norm", "layernorm", "--depth",
         "4", "--width", "64", "--epochs", "2" if FAST else "10", "--quiet"]


def number(text: str):
    """A CSV cell as a number when it is one."""
    try:
        return float(text)
    except ValueError:
        return text or None


def run(args: list) -> str:
    """Run ``tinynet ARGS``; return what it printed."""
    with recording() as printed:
        print("$ tinynet " + " ".join(args))
        status = tinynet(args)
    if status:
        raise SystemExit(f"tinynet {' '.join(args)} exited with {status}")
    return printed.text()


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in COMPARISONS.items():
            path = os.path.join(tmp, f"{name}.csv")
            printed = run(["compare", *args, *BUDGET, "--csv", path])
            with open(path, newline="", encoding="utf-8") as f:
                rows = {r["activation"]: {k: number(v) for k, v in r.items()}
                        for r in csv.DictReader(f)}
            # the shown command, without the --csv the script added
            shown = printed.replace(f" --csv {path}", "").replace(f"wrote {path}\n", "")
            steps = [r["us_per_step"] for r in rows.values() if r["us_per_step"]]
            results[name] = {"arguments": args, "printed": shown, "rows": rows,
                             # the slowest activation's training step over the fastest's
                             "step_cost_spread": max(steps) / min(steps)}
    results["train"] = {"arguments": TRAIN, "printed": run(["train", *TRAIN])}
    save("compare_cli", {"comparisons": COMPARISONS, "train": TRAIN,
                         "budget": BUDGET or "the commands' defaults"}, results)


if __name__ == "__main__":
    main()
