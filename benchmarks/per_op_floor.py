"""The floor of an eager Python engine on the toy step: how close to the hand-written numpy
step any define-by-run autograd written in Python gets, measured with ``MinimalEngine``,
the smallest one that trains the toy MLP (a tape of closures: no checks, no hooks, no
version counters, no dtype rules, no broadcasting), beside tinynet eager and captured.

    python benchmarks/per_op_floor.py --rounds 15
    python benchmarks/per_op_floor.py --rounds 15 --write-results   # docs/results/per_op_floor.json

All rows run the same step (toy: 2→16×3→2 tanh, batch 32, cross-entropy, plain SGD),
float32, one BLAS thread, in one process, interleaved round by round; ratios are paired
by round. ``MinimalEngine``'s loss and gradients are checked against tinynet's first.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import step as step_benchmark  # noqa: E402  (it puts examples/ on the path)
from _results import recording, save  # noqa: E402
from numpy_step import NumpyMLP  # noqa: E402

import tinynet as tn  # noqa: E402

WIDTHS, BATCH, LR = (2, 16, 16, 16, 2), 32, 0.01


class MinimalEngine:
    """The toy MLP trained by the least autograd that can: each op appends its backward
    closure to a tape, and backward runs the tape in reverse. Only what the step needs
    (Linear, tanh, fused cross-entropy, SGD), so its per-op cost is the floor of Python
    bookkeeping: a closure, a list append, a call and a gradient written back."""

    def __init__(self, weights, biases):
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]

    def loss_and_grads(self, x, y):
        tape = []
        grads = {}
        h = x
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            h = self._linear(tape, grads, i, h, W, b)
            if i < len(self.W) - 1:
                h = self._tanh(tape, h)
        loss, g = self._cross_entropy(tape, h, y)
        for backward in reversed(tape):
            g = backward(g)
        return loss, grads

    @staticmethod
    def _linear(tape, grads, i, x, W, b):
        y = x @ W.T
        y += b

        def backward(g):
            grads[i] = (g.T @ x, g.sum(axis=0))
            return g @ W
        tape.append(backward)
        return y

    @staticmethod
    def _tanh(tape, x):
        y = np.tanh(x)

        def backward(g):
            return g * (1 - y * y)
        tape.append(backward)
        return y

    @staticmethod
    def _cross_entropy(tape, z, y):
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        rows = np.arange(len(z))
        loss = (np.log(sums[:, 0]) - shifted[rows, y]).mean()
        p = exp / sums
        p[rows, y] -= 1
        return loss, p / len(z)

    def step(self, x, y):
        loss, grads = self.loss_and_grads(x, y)
        for i, (gW, gb) in grads.items():
            self.W[i] -= LR * gW
            self.b[i] -= LR * gb
        return loss


def toy_data(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((BATCH, WIDTHS[0])).astype(np.float32),
            rng.integers(0, WIDTHS[-1], BATCH))


def check_minimal_matches(model, x, y) -> None:
    """MinimalEngine computes tinynet's loss and gradients on the same model (else its
    speed would be for other work)."""
    linears = [m for m in model.children() if isinstance(m, tn.nn.Linear)]
    engine = MinimalEngine([m.weight.array for m in linears], [m.bias.array for m in linears])
    loss, grads = engine.loss_and_grads(x, y)
    model.zero_grad()
    ours = tn.nn.functional.cross_entropy(model(tn.tensor(x)), tn.tensor(y))
    ours.backward()
    np.testing.assert_allclose(loss, ours.item(), rtol=1e-5)
    for i, m in enumerate(linears):
        np.testing.assert_allclose(grads[i][0], m.weight.grad.array, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(grads[i][1], m.bias.grad.array, rtol=1e-4, atol=1e-6)
    model.zero_grad()


def steps() -> dict:
    """name -> a function running one training step on the toy batch, each on its own
    copy of one initial model."""
    x, y = toy_data()
    rows = {}
    for name in ("numpy", "minimal engine", "tinynet", "tinynet capture"):
        tn.manual_seed(0)
        model = step_benchmark.tinynet_model(list(WIDTHS), "tanh", False, np.float32)
        if name == "numpy":
            mlp = NumpyMLP(model, "tanh", False, "sgd", lr=LR)
            rows[name] = lambda mlp=mlp: mlp.step(x, y)
        elif name == "minimal engine":
            check_minimal_matches(model, x, y)
            linears = [m for m in model.children() if isinstance(m, tn.nn.Linear)]
            engine = MinimalEngine([m.weight.array for m in linears],
                                   [m.bias.array for m in linears])
            rows[name] = lambda engine=engine: engine.step(x, y)
        else:
            loss_fn = tn.nn.CrossEntropyLoss()
            forward = tn.capture(lambda a, b, model=model: loss_fn(model(a), b)) \
                if name == "tinynet capture" else None
            timed = step_benchmark.training_step(
                model, tn.optim.SGD(model.parameters(), lr=LR), loss_fn, forward)
            xt, yt = tn.tensor(x), tn.tensor(y)
            rows[name] = lambda timed=timed, xt=xt, yt=yt: timed(xt, yt)
    return rows


def measure(rounds: int, steps_per_round: int) -> dict:
    """Median µs per step and, paired by round, the ratio to numpy's step (median and
    quartiles), per row."""
    rows = steps()
    for fn in rows.values():  # warm-up, and the two recordings of the capture
        for _ in range(50):
            fn()
    times = {name: [] for name in rows}
    for _ in range(rounds):
        for name, fn in rows.items():
            t0 = time.perf_counter()
            for _ in range(steps_per_round):
                fn()
            times[name].append((time.perf_counter() - t0) / steps_per_round * 1e6)
    numpy_times = np.array(times["numpy"])
    result = {}
    for name, values in times.items():
        ratios = np.array(values) / numpy_times
        result[name] = {"us_per_step": float(np.median(values)),
                        "x_numpy": float(np.median(ratios)),
                        "x_numpy_q1": float(np.percentile(ratios, 25)),
                        "x_numpy_q3": float(np.percentile(ratios, 75))}
    return result


def table(result: dict) -> str:
    lines = ["| step | µs/step | × numpy (IQR) |", "|---|---|---|"]
    for name, r in result.items():
        lines.append(f"| {name} | {r['us_per_step']:.0f} | {r['x_numpy']:.2f} "
                     f"({r['x_numpy_q1']:.2f}-{r['x_numpy_q3']:.2f}) |")
    return "\n".join(lines)


def key(name: str) -> str:
    """A row's name as a results-file key (docs tags cannot hold spaces)."""
    return name.replace(" ", "_")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=200, help="steps per round and row")
    parser.add_argument("--write-results", action="store_true",
                        help="write docs/results/per_op_floor.json")
    args = parser.parse_args(argv)
    tn.set_num_threads(1)  # one BLAS thread (tn's, numpy's: one OpenBLAS)
    result = measure(args.rounds, args.steps)
    with recording() as printed:
        print(table(result))
    if args.write_results:
        save("per_op_floor", {"rounds": args.rounds, "steps": args.steps, "threads": 1,
                              "config": "toy", "optimizer": "sgd", "lr": LR},
             {"rows": {key(name): r for name, r in result.items()}}, printed.text())
    return result


if __name__ == "__main__":
    main()
