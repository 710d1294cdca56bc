"""Time one training step (forward + cross-entropy, backward, then plain SGD or Adam) of
tinynet against a hand-written numpy step, PyTorch CPU eager and scikit-learn's MLP.

    python benchmarks/step.py                       # every config, both optimizers, float32
    python benchmarks/step.py --threads 1 --write-results   # docs/results/step_threads_1.json
    python benchmarks/step.py --config digits --optimizer sgd --dtype float64

tinynet has three rows: eager with its fast paths (the default), the same with the
forward pass captured and replayed (``tn.capture``), and the reference path (fast paths
off). The hand-written numpy step is the floor a numpy program can reach: before anything
is timed it must give tinynet's loss, gradients and both optimizers' updates. Each step
is timed phase by phase (forward + loss, backward, optimizer step + zero_grad); the
step's time is their sum, and each phase is set beside the same phase of the numpy step.

Libraries run in groups (each group: `--steps` timed steps after warm-up), interleaved
over `--rounds` rounds, back to back with one thread. When BLAS or PyTorch may use more
than one thread, groups are 0.3 s apart: their worker threads keep spinning for ~0.2 s
after a call and would slow whatever runs next on 2 cores. That pause is a busy wait,
not a sleep: on a virtual machine a process that slept wakes on a slowed CPU, and the
next group would pay for it (docs/performance.md).
Every ratio to numpy is taken round by round (each library's median over numpy's in the
same round, so slow drifts of a shared machine cancel), then its median and IQR over
rounds. "% of GEMM" is the step's GFLOP/s over a 1024³ GEMM measured on the spot. The row
"matmuls only" times the step's matrix products alone (same shapes, nothing else): the
floor for any MLP step on this BLAS. The per-op line divides the forward and backward
time tinynet spends beyond the numpy step's by the number of ops the step records.
scikit-learn's MLPClassifier is timed per minibatch once per round, in the benchmark's
dtype (an epoch of 64 minibatches minus one of 16, over 48: `fit`'s set-up cancels), and
set against means, not medians (it is a mean). The Monitor's cost is measured cycle by
cycle: a monitored copy of the model and the plain one take turns, 4 steps each (one
sampling cycle of the default Monitor), each round the monitored cycles' time over the
plain ones'; the line reports the median over rounds.
"""
import argparse
import gc
import json
import os
import platform
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from _results import clean, recording, save  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet import nn  # noqa: E402
from tinynet.autograd.function import Function  # noqa: E402

from numpy_step import LR, NumpyMLP  # noqa: E402,F401  (the hand-written step)

CONFIGS = {
    # name: (widths, activation, layernorm, batch)
    "toy": ([2, 16, 16, 16, 2], "tanh", False, 32),
    "digits": ([64, 128, 128, 128, 128, 10], "gelu_tanh", True, 64),
    "wide": ([784, 1024, 1024, 1024, 10], "relu", False, 256),
}
PAUSE = 0.3  # seconds between groups with several threads, for BLAS's spinning workers
PHASES = ("forward", "backward", "optimizer")  # forward + loss; backward; step + zero_grad


# ---- the models -------------------------------------------------------------------------
def tinynet_model(widths, activation, layernorm, dtype):
    layers = []
    for i, (d_in, d_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(d_in, d_out, dtype=dtype))
        if i < len(widths) - 2:
            layers.append({"tanh": nn.Tanh, "relu": nn.ReLU,
                           "gelu_tanh": lambda: nn.GELU("tanh")}[activation]())
            if layernorm:
                layers.append(nn.LayerNorm(d_out, dtype=dtype))
    return nn.Sequential(*layers)


# ---- one training step per library --------------------------------------------------------
def training_step(model, optimizer, loss_fn, forward=None, clock=time.perf_counter):
    """One step written against PyTorch's API (it drives tinynet and torch alike). Returns
    the seconds of its three phases: forward + loss, backward, and the optimizer (step,
    then zero_grad, so the gradients are None when the next step starts, as after a
    zero_grad at its start). ``forward(x, y)``, the loss, defaults to loss_fn(model(x), y)."""
    if forward is None:
        def forward(xb, yb):
            return loss_fn(model(xb), yb)

    def step(xb, yb):
        t0 = clock()
        loss = forward(xb, yb)
        t1 = clock()
        loss.backward()
        t2 = clock()
        optimizer.step()
        optimizer.zero_grad()
        t3 = clock()
        return t1 - t0, t2 - t1, t3 - t2
    return step


def unphased(fn, clock=time.perf_counter):
    """``fn`` timed whole, as one phase (the matrix products alone have no phases)."""
    def step(xb, yb):
        t0 = clock()
        fn(xb, yb)
        return clock() - t0, np.nan, np.nan
    return step


def make_optimizer(library, name, params):
    """``library.optim``'s plain SGD (no momentum) or Adam, at the benchmark's rate."""
    cls = library.optim.SGD if name == "sgd" else library.optim.Adam
    return cls(params, lr=LR[name])


def on_reference_path(step):
    """``step`` with the fast paths off (every op's and the optimizer's reference code)."""
    def reference_step(xb, yb):
        tn.set_fast_paths(False)
        try:
            return step(xb, yb)
        finally:
            tn.set_fast_paths(True)
    return reference_step


def tinynet_steps(widths, activation, layernorm, dtype, optimizer):
    """tinynet's rows, each on its own copy of the model: eager with the fast paths (the
    default), the same with the forward pass captured (``tn.capture``), and the
    reference path."""
    steps = {}
    for row in ("tinynet", "tinynet capture", "tinynet reference path"):
        tn.manual_seed(0)
        model = tinynet_model(widths, activation, layernorm, dtype)
        loss_fn = nn.CrossEntropyLoss()
        forward = None
        if row == "tinynet capture":
            forward = tn.capture(lambda x, y, model=model, loss_fn=loss_fn: loss_fn(model(x), y))
        step = training_step(model, make_optimizer(tn, optimizer, model.parameters()),
                             loss_fn, forward)
        steps[row] = on_reference_path(step) if row == "tinynet reference path" else step
    return steps


def ops_per_step(widths, activation, layernorm, dtype, x, y):
    """How many ops one step records (the forward pass and the loss)."""
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    loss = nn.CrossEntropyLoss()(model(tn.from_numpy(x)), tn.from_numpy(y))
    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, Function) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.next_nodes)
    return len(seen)


def reference_order(model):
    """The model's parameters in NumpyMLP's order: Linear weights, Linear biases,
    LayerNorm weights, LayerNorm biases."""
    linears = [m for m in model.children() if isinstance(m, nn.Linear)]
    norms = [m for m in model.children() if isinstance(m, nn.LayerNorm)]
    return ([m.weight for m in linears] + [m.bias for m in linears]
            + [m.weight for m in norms] + [m.bias for m in norms])


def check_numpy_matches(model, reference, x, y, dtype):
    """The hand-written step must compute tinynet's loss and gradients."""
    loss = nn.CrossEntropyLoss()(model(tn.tensor(x)), tn.tensor(y))
    loss.backward()
    ref_loss, ref_grads = reference.loss_and_grads(x, y)
    ours = [p.grad.array for p in reference_order(model)]
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert abs(loss.item() - ref_loss) <= rtol * abs(ref_loss), (loss.item(), ref_loss)
    for a, b in zip(ours, ref_grads):
        scale = np.abs(b).max() + 1e-30
        assert np.abs(a - b).max() <= 10 * rtol * scale, "numpy step disagrees with tinynet"
    model.zero_grad()


def check_numpy_adam_matches(widths, activation, layernorm, x, y):
    """...and its Adam moves every parameter as tinynet's Adam does, over two steps, in
    float64 (the rule is the same in float32; there, where two steps' gradients nearly
    cancel, Adam's normalisation magnifies float32 rounding of g up to ~1e-2·lr). On a
    fresh model: the timed ones keep their initial values."""
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, np.float64)
    reference = NumpyMLP(model, activation, layernorm)
    start = [p.copy() for p in reference.params]
    step = training_step(model, tn.optim.Adam(model.parameters(), lr=reference.lr),
                         nn.CrossEntropyLoss())  # zero_grad after the step, as in timing
    x = x.astype(np.float64)
    for _ in range(2):
        step(tn.tensor(x), tn.tensor(y))
        reference.step(x, y)
    ours = [p.array for p in reference_order(model)]
    assert len(ours) == len(reference.params), "the reference has other parameters"
    tol = 1e-6 * reference.lr  # a wrong rule is off by O(lr): early steps are ~lr·sign(g)
    for a, b, p0 in zip(ours, reference.params, start):
        assert np.abs((a - p0) - (b - p0)).max() <= tol, "numpy Adam disagrees with tinynet"


def check_numpy_sgd_matches(widths, activation, layernorm, x, y):
    """...and its SGD step moves every parameter exactly as tinynet's does (float64, two
    steps: the same products lr·g, subtracted)."""
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, np.float64)
    reference = NumpyMLP(model, activation, layernorm, optimizer="sgd")
    step = training_step(model, make_optimizer(tn, "sgd", model.parameters()),
                         nn.CrossEntropyLoss())
    x = x.astype(np.float64)
    for _ in range(2):
        step(tn.tensor(x), tn.tensor(y))
        reference.step(x, y)
    for a, b in zip([p.array for p in reference_order(model)], reference.params):
        assert np.abs(a - b).max() <= 1e-12 * (np.abs(b).max() + 1), \
            "numpy SGD disagrees with tinynet"


def torch_step(widths, activation, layernorm, model, dtype, threads, optimizer):
    import torch

    torch.set_num_threads(threads)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    layers = []
    for m in model.children():
        if isinstance(m, nn.Linear):
            lin = torch.nn.Linear(m.in_features, m.out_features, dtype=tdtype)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(m.weight.array))
                lin.bias.copy_(torch.from_numpy(m.bias.array))
            layers.append(lin)
        elif isinstance(m, nn.LayerNorm):
            layers.append(torch.nn.LayerNorm(m.normalized_shape, dtype=tdtype))
        else:
            layers.append({"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
                           "gelu_tanh": lambda: torch.nn.GELU("tanh")}[activation]())
    net = torch.nn.Sequential(*layers)
    return (training_step(net, make_optimizer(torch, optimizer, net.parameters()),
                          torch.nn.CrossEntropyLoss()),
            lambda x, y: (torch.from_numpy(x), torch.from_numpy(y)))


def sklearn_minibatch(widths, activation, batch, x_all, y_all, optimizer):
    """A function that times scikit-learn's MLPClassifier per minibatch, without its
    per-fit costs (input checks, initialisation, scoring): one epoch of 4k minibatches
    minus one of k, over 3k, where ``x_all`` holds k. None where sklearn lacks the
    activation. sklearn computes in the input's dtype (float32 stays float32); no L2
    penalty (alpha=0) and, for SGD, no momentum, as in the other rows."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    import warnings

    act = {"tanh": "tanh", "relu": "relu"}.get(activation)
    if act is None:
        return None
    k = len(x_all) // batch
    x_long, y_long = np.concatenate([x_all] * 4), np.concatenate([y_all] * 4)
    solver = ({"solver": "sgd", "momentum": 0.0, "nesterovs_momentum": False}
              if optimizer == "sgd" else {"solver": "adam"})

    def epoch(x, y):
        clf = MLPClassifier(hidden_layer_sizes=widths[1:-1], activation=act, batch_size=batch,
                            max_iter=1, shuffle=False, random_state=0, alpha=0.0,
                            learning_rate_init=LR[optimizer], **solver)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return _timed(lambda: clf.fit(x, y))

    def per_minibatch():
        seconds = (epoch(x_long, y_long) - epoch(x_all, y_all)) / (3 * k)
        return [(seconds, np.nan, np.nan)]

    epoch(x_all[:batch * 2], y_all[:batch * 2])  # warm-up
    return per_minibatch


# ---- timing -------------------------------------------------------------------------------
def time_group(step, batches, n_steps):
    """The phases' seconds, shape (n_steps, 3), of ``n_steps`` steps after 3 warm-up steps."""
    for i in range(3):
        step(*batches[i % len(batches)])
    return [step(*batches[i % len(batches)]) for i in range(n_steps)]


def busy_wait(seconds, clock=time.perf_counter) -> None:
    """Wait ``seconds`` without sleeping: the CPU stays as fast as it was (see the module
    docstring)."""
    end = clock() + seconds
    while clock() < end:
        pass


def monitor_overhead(plain, monitored, batches, cycles, cycle=4, clock=time.perf_counter):
    """The monitored model's time over the plain one's, minus 1, summed over ``cycles``
    pairs of cycles (``cycle`` consecutive steps of each model, in turn; which goes first
    alternates). The pairs are a few steps long, so a drift of the machine reaches both
    alike; whole cycles keep the caches the hooks evict on the monitored model's bill. A
    Monitor sampling every 4th step makes one step in four slow: a cycle of 4 counts that
    cost exactly once. Summed, not a median of cycles: the Monitor takes its statistics
    of small forwards in blocks, so some cycles carry a block's cost and most none."""
    for i in range(2):  # warm-up
        plain(*batches[i % len(batches)])
        monitored(*batches[i % len(batches)])
    spent = {plain: 0.0, monitored: 0.0}
    for c in range(cycles):
        for step in ((plain, monitored) if c % 2 == 0 else (monitored, plain)):
            start = clock()
            for k in range(cycle):
                step(*batches[(c * cycle + k) % len(batches)])
            spent[step] += clock() - start
    return spent[monitored] / spent[plain] - 1


def gemm_gflops(dtype, n=1024, repeats=5):
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    b = a.copy()
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def step_flops(widths, batch):
    """Forward 2·N·Din·Dout per Linear, backward twice that (dX and dW), less the first
    layer's dX, which no step computes: 6·N·Σ Din·Dout - 2·N·D0·D1."""
    return (6 * batch * sum(a * b for a, b in zip(widths[:-1], widths[1:]))
            - 2 * batch * widths[0] * widths[1])


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture', '?')}, "
             f"{i.get('num_threads')} threads)" for i in threadpool_info()
             if i.get("user_api") == "blas"]
    return "; ".join(parts) or "unknown"


def peak_memory(step, batches):
    """Peak bytes numpy allocated during one step (tracemalloc sees numpy's buffers)."""
    step(*batches[0])
    gc.collect()
    tracemalloc.start()
    step(*batches[1 % len(batches)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def key(name: str) -> str:
    """A row's key in the results file: its name with "_" for spaces."""
    return name.replace(" ", "_")


def quartiles(values) -> dict:
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return {"q1": float(q1), "median": float(q2), "q3": float(q3)}


def config_data(name, dtype):
    """The config's 16 batches of random inputs and labels (the same for every library)."""
    widths, _, _, batch = CONFIGS[name]
    rng = np.random.default_rng(0)
    n_data = batch * 16
    return (rng.standard_normal((n_data, widths[0])).astype(dtype),
            rng.integers(0, widths[-1], n_data))


def check_references(name, dtype, x_all, y_all):
    """The hand-written step computes tinynet's loss, gradients and both updates."""
    widths, activation, layernorm, batch = CONFIGS[name]
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    check_numpy_matches(model, NumpyMLP(model, activation, layernorm), x_all[:batch],
                        y_all[:batch], dtype)
    check_numpy_adam_matches(widths, activation, layernorm, x_all[:batch], y_all[:batch])
    check_numpy_sgd_matches(widths, activation, layernorm, x_all[:batch], y_all[:batch])


def library_steps(name, optimizer, args, dtype, x_all, y_all):
    """Per row of the table: (phased step, input converter); and the monitored copies."""
    widths, activation, layernorm, batch = CONFIGS[name]
    steps = {row: (step, lambda x, y: (tn.from_numpy(x), tn.from_numpy(y)))
             for row, step in tinynet_steps(widths, activation, layernorm, dtype,
                                            optimizer).items()}
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    reference = NumpyMLP(model, activation, layernorm, optimizer=optimizer)
    steps["numpy"] = (reference.phased_step, lambda x, y: (x, y))
    steps["matmuls only"] = (unphased(reference.matmuls), lambda x, y: (x, y))
    try:
        steps["pytorch"] = torch_step(widths, activation, layernorm, model, dtype,
                                      args.threads, optimizer)
    except ImportError:
        pass
    monitored = {}  # every -> a monitored copy's step (timed against tinynet's by cycles)
    if args.monitor and optimizer == "adam":  # the default (every 4th step) and every=1
        for every in (4, 1):
            tn.manual_seed(0)
            copy = tinynet_model(widths, activation, layernorm, dtype)
            tn.diagnostics.Monitor(copy, every=every)
            monitored[every] = training_step(copy, make_optimizer(tn, optimizer,
                                                                  copy.parameters()),
                                             nn.CrossEntropyLoss())
    return steps, monitored


def run_config(name, optimizer, args, dtype):
    """Time every library's step on one config, in interleaved rounds; return the
    results (see ``summarise``)."""
    widths, activation, layernorm, batch = CONFIGS[name]
    x_all, y_all = config_data(name, dtype)
    steps, monitored = library_steps(name, optimizer, args, dtype, x_all, y_all)
    data = {lib: [convert(x_all[i:i + batch], y_all[i:i + batch])
                  for i in range(0, len(x_all), batch)] for lib, (_, convert) in steps.items()}
    groups = {lib: (lambda lib=lib: time_group(steps[lib][0], data[lib], args.steps))
              for lib in steps}
    sklearn = sklearn_minibatch(widths, activation, batch, x_all, y_all, optimizer)
    if sklearn is not None:  # one measurement per round, paired like the others
        groups["sklearn MLPClassifier"] = sklearn
    rounds = []  # per round: library -> array (steps, 3) of phase seconds
    monitor_costs = {every: [] for every in monitored}
    pause = 0.0 if args.threads == 1 else PAUSE  # (one thread: no workers to wait for)
    order = list(groups)
    for r in range(args.rounds):
        measured = {}
        # Each round starts one library later: a group's place in the round (the first
        # runs after a pause, on cooler caches) is no one library's handicap.
        for lib in order[r % len(order):] + order[:r % len(order)]:
            measured[lib] = np.array(groups[lib](), dtype=float)
            busy_wait(pause)
        rounds.append(measured)
        for every, step in monitored.items():
            monitor_costs[every].append(monitor_overhead(steps["tinynet"][0], step,
                                                         data["tinynet"],
                                                         cycles=max(1, args.steps // 4)))
            busy_wait(pause)
    memory = {lib: peak_memory(steps[lib][0], data[lib]) for lib in ("tinynet", "numpy")}
    n_ops = ops_per_step(widths, activation, layernorm, dtype, x_all[:batch], y_all[:batch])
    return summarise(rounds, monitor_costs, memory, n_ops, step_flops(widths, batch))


def summarise(rounds, monitor_costs, memory, n_ops, flops) -> dict:
    """Medians and paired ratios. A step's time is the sum of its phases; each ratio to
    numpy is taken round by round (a library's median over numpy's median in the same
    round, so slow drifts of a shared machine cancel), then its quartiles over rounds.
    sklearn's figure is a mean per minibatch (epoch times), so it is set against means."""
    rows = {}  # keyed by the row's name with "_" for spaces (the docs' tags name them)
    for lib in rounds[0]:
        phases = np.concatenate([r[lib] for r in rounds])  # (steps, 3)
        totals = np.nansum(phases, axis=1)
        average = np.mean if lib == "sklearn MLPClassifier" else np.median
        ratio = [average(np.nansum(r[lib], axis=1)) / average(np.nansum(r["numpy"], axis=1))
                 for r in rounds]
        phase_ratio = [np.median(r[lib], axis=0) / np.median(r["numpy"], axis=0)
                       for r in rounds]
        q1, q3 = np.percentile(totals, [25, 75])
        rows[key(lib)] = {"name": lib, "median_us": np.median(totals) * 1e6,
                          "iqr_us": (q3 - q1) * 1e6, "ratio_to_numpy": quartiles(ratio),
                          "phases_us": dict(zip(PHASES, np.median(phases, axis=0) * 1e6)),
                          "phase_ratio_to_numpy": dict(zip(PHASES,
                                                           np.median(phase_ratio, axis=0))),
                          "gflops": flops / np.median(totals) / 1e9}
    result = {"rows": rows, "ops_per_step": n_ops, "per_op_us": {},
              "memory_mb": {lib: b / 1e6 for lib, b in memory.items()},
              "monitor_cost": {str(every): quartiles(c) for every, c in monitor_costs.items()}}
    for lib in ("tinynet", "tinynet capture"):  # forward + backward beyond numpy's, per op
        extra = [(np.median(r[lib][:, :2].sum(axis=1)) - np.median(r["numpy"][:, :2].sum(axis=1)))
                 / n_ops * 1e6 for r in rounds]
        result["per_op_us"][key(lib)] = quartiles(extra)
    pairs = [("tinynet", "pytorch", np.median), ("tinynet capture", "pytorch", np.median),
             ("tinynet", "sklearn MLPClassifier", np.mean)]
    for lib, other, average in pairs:
        if lib in rounds[0] and other in rounds[0]:
            result[f"{key(lib)}_over_{key(other)}"] = quartiles(
                [average(np.nansum(r[lib], axis=1)) / average(np.nansum(r[other], axis=1))
                 for r in rounds])
    return result


def inference_throughput(name, dtype):
    widths, activation, layernorm, batch = CONFIGS[name]
    model = tinynet_model(widths, activation, layernorm, dtype).eval()
    x = tn.randn(1024, widths[0], dtype=dtype)
    with tn.no_grad():
        model(x)
        best = min(_timed(lambda: model(x)) for _ in range(20))
    return 1024 / best


def print_config(name, optimizer, result, gemm) -> None:
    """The config's rows of the table."""
    for row in result["rows"].values():
        lib, r = row["name"], row["ratio_to_numpy"]
        phases = [f"{row['phases_us'][p]:.0f} ({row['phase_ratio_to_numpy'][p]:.2f})"
                  if np.isfinite(row["phases_us"][p]) else "—" for p in PHASES]
        if lib in ("matmuls only", "sklearn MLPClassifier"):
            phases = ["—"] * 3
        print(f"| {name} | {optimizer} | {lib} | {row['median_us']:.0f} | {row['iqr_us']:.0f} | "
              f"{r['median']:.2f} ({r['q1']:.2f}-{r['q3']:.2f}) | {' | '.join(phases)} | "
              f"{row['gflops'] / gemm:.0%} |")


def config_lines(name, optimizer, result) -> list:
    """The lines below the table: per-op cost, comparisons, the Monitor, memory."""
    where = f"{name}, {optimizer}"
    lines = [f"- {where}: {result['ops_per_step']} ops recorded per step; forward + backward "
             f"beyond the hand-written step's, per op: " + ", ".join(
                 f"{lib.replace('_', ' ')} {q['median']:.1f} µs (IQR {q['q1']:.1f}-{q['q3']:.1f})"
                 for lib, q in result["per_op_us"].items())]
    for other in ("pytorch", "sklearn MLPClassifier"):
        q = result.get(f"tinynet_over_{key(other)}")
        if q is not None:
            lines.append(f"- {where}: tinynet's step / {other}'s, paired by round: "
                         f"{q['median']:.2f} (IQR {q['q1']:.2f}-{q['q3']:.2f})")
    for every, q in result["monitor_cost"].items():
        lines.append(f"- {where}: the diagnostics Monitor(every={every}) adds {q['median']:.1%} "
                     f"to a step (IQR {q['q1']:.1%} to {q['q3']:.1%} over rounds; cycles of "
                     f"4 steps, taking turns with the plain model)")
    memory = result["memory_mb"]
    lines.append(f"- {where}: peak memory of a step: tinynet {memory['tinynet']:.2f} MB, numpy "
                 f"{memory['numpy']:.2f} MB ({memory['tinynet'] / memory['numpy']:.2f}×)")
    return lines


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--optimizer", choices=["sgd", "adam", "both"], default="both")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads (default: as the library chooses)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per group")
    parser.add_argument("--no-monitor", dest="monitor", action="store_false",
                        help="skip timing tinynet with a diagnostics Monitor attached")
    parser.add_argument("--write-results", action="store_true",
                        help="also write docs/results/step_threads_<N|default>.json")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the results to PATH (benchmarks/step_runs.py)")
    return parser.parse_args(argv)


def main(argv=None):
    tn.tune_allocator()  # keep freed memory between steps (docs/performance.md)
    args = parse(argv)
    dtype = np.dtype(args.dtype).type
    limiter = None
    requested = args.threads
    if args.threads:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(args.threads)
    args.threads = args.threads or os.cpu_count()
    with recording() as printed:
        results = measure(args, dtype)
    if limiter is not None:
        limiter.restore_original_limits()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(clean(results), file)
    if args.write_results and args.config == "all" and args.optimizer == "both":
        save(f"step_threads_{requested or 'default'}",
             {"dtype": args.dtype, "threads": requested, "rounds": args.rounds,
              "steps": args.steps, "lr": LR}, results, printed.text())


def measure(args, dtype) -> dict:
    print(f"# tinynet training-step benchmark ({args.dtype})\n")
    print(f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    print(f"- BLAS: {blas_info()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    print(f"- threads: BLAS (numpy, tinynet, scikit-learn) as above; PyTorch {args.threads} "
          f"(torch.set_num_threads); tinynet itself runs one Python thread")
    gemm = max(gemm_gflops(dtype) for _ in range(3))  # the machine's best, not a noisy dip
    print(f"- GEMM 1024³ on the spot: {gemm:.1f} GFLOP/s\n")
    print("Median µs per step (IQR); × numpy: paired by round, median (IQR); phases: median "
          "µs (× numpy's phase); % of GEMM: the step's GFLOP/s over the GEMM's.\n")
    print("| config | optimizer | library | µs/step | IQR µs | × numpy (IQR) | "
          "forward + loss | backward | optimizer | % of GEMM |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    names = list(CONFIGS) if args.config == "all" else [args.config]
    optimizers = ["sgd", "adam"] if args.optimizer == "both" else [args.optimizer]
    results, extras = {"gemm_gflops": gemm}, []
    for name in names:
        x_all, y_all = config_data(name, dtype)
        check_references(name, dtype, x_all, y_all)
        for optimizer in optimizers:
            result = run_config(name, optimizer, args, dtype)
            results.setdefault(name, {})[optimizer] = result
            print_config(name, optimizer, result, gemm)
            extras += config_lines(name, optimizer, result)
        results[name]["inference_samples_per_s"] = inference_throughput(name, dtype)
        extras.append(f"- {name}: inference under no_grad: "
                      f"{results[name]['inference_samples_per_s']:,.0f} samples/s")
    print()
    print("\n".join(extras))
    return results


if __name__ == "__main__":
    main()
