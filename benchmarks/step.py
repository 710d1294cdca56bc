"""Time one full training step (zero_grad, forward, loss, backward, Adam step) of tinynet
against a hand-written fused numpy step, PyTorch CPU eager and scikit-learn's MLP.

    python benchmarks/step.py                       # every config, float32, BLAS default
    python benchmarks/step.py --config digits --threads 1 --dtype float64

Libraries run in groups (each group: `--steps` timed steps after warm-up), interleaved
over `--rounds` rounds, with a pause between groups: OpenBLAS and PyTorch worker threads
keep spinning for ~0.2 s after a call and would slow whatever runs next on 2 cores.
The numpy step is checked to give tinynet's loss and gradients before anything is timed.
Prints a Markdown table: median µs per step (with the interquartile range); the ratio
to numpy, taken round by round (each library's median over numpy's in the same round,
so slow drifts of a shared machine cancel) with its median and IQR over rounds; and
GFLOP/s against a GEMM measured on the spot (the best of three). The row "matmuls only"
times the step's matrix products alone (same shapes, nothing else): the floor for any
MLP step on this BLAS, which products this thin may reach more slowly than a 1024³ GEMM.
scikit-learn's MLPClassifier is timed per minibatch once per round, in the benchmark's
dtype (an epoch of 64 minibatches minus one of 16, over 48: `fit`'s set-up cancels), and
paired with numpy's group of that round. That figure is a mean, hiccups included, so
it is set against the other groups' means (the table's other ratios use medians). The
Monitor's cost is measured cycle by cycle: a monitored copy of the model and the plain
one take turns, 4 steps each (one sampling cycle of the default Monitor), and each pair
of cycles gives the monitored steps' time over the plain ones'; the line reports the
median over pairs.
"""
import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import tinynet as tn  # noqa: E402
from tinynet import nn  # noqa: E402

CONFIGS = {
    # name: (widths, activation, layernorm, batch)
    "toy": ([2, 16, 16, 16, 2], "tanh", False, 32),
    "digits": ([64, 128, 128, 128, 128, 10], "gelu_tanh", True, 64),
    "wide": ([784, 1024, 1024, 1024, 10], "relu", False, 256),
}
PAUSE = 0.3  # seconds between groups, for spinning BLAS threads to go to sleep


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


class NumpyMLP:
    """A hand-written, fused MLP step: forward, cross-entropy, backward, Adam (in place)."""

    def __init__(self, model, activation, layernorm, lr=1e-3):
        linears = [m for m in model.children() if isinstance(m, nn.Linear)]
        norms = [m for m in model.children() if isinstance(m, nn.LayerNorm)]
        self.W = [m.weight.array.copy() for m in linears]
        self.b = [m.bias.array.copy() for m in linears]
        self.g = [m.weight.array.copy() for m in norms]
        self.beta = [m.bias.array.copy() for m in norms]
        self.params = self.W + self.b + self.g + self.beta
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]  # Adam's, one per parameter
        self.activation, self.layernorm, self.lr, self.t = activation, layernorm, lr, 0

    def _act(self, z):
        if self.activation == "tanh":
            y = np.tanh(z)
            return y, y
        if self.activation == "relu":
            return np.maximum(z, 0), z
        t = np.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z))
        return 0.5 * z * (1 + t), (z, t)

    def _act_back(self, g, saved):
        if self.activation == "tanh":
            return g * (1 - saved * saved)
        if self.activation == "relu":
            return g * (saved > 0)
        z, t = saved
        return g * (0.5 * (1 + t) + 0.5 * z * (1 - t * t) * 0.7978845608028654
                    * (1 + 0.134145 * z * z))

    def loss_and_grads(self, x, y):
        caches, h, L = [], x, len(self.W)
        for i in range(L):
            z = h @ self.W[i].T + self.b[i]
            if i == L - 1:
                caches.append((h, None, None))
                break
            a, act_saved = self._act(z)
            ln = None
            if self.layernorm:
                mu = a.mean(axis=1, keepdims=True)
                c = a - mu
                rstd = 1 / np.sqrt((c * c).mean(axis=1, keepdims=True) + 1e-5)
                xhat = c * rstd
                ln = (xhat, rstd)
                a = xhat * self.g[i] + self.beta[i]
            caches.append((h, act_saved, ln))
            h = a
        n = len(y)
        shifted = z - z.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        s = p.sum(axis=1, keepdims=True)
        p /= s
        loss = float(np.mean(np.log(s[:, 0]) - shifted[np.arange(n), y]))
        g = p
        g[np.arange(n), y] -= 1
        g /= n
        gW, gb, gg, gbeta = [None] * L, [None] * L, [None] * (L - 1), [None] * (L - 1)
        for i in reversed(range(L)):
            h, act_saved, ln = caches[i]
            if i < L - 1:
                if ln is not None:
                    xhat, rstd = ln
                    gg[i] = (g * xhat).sum(axis=0)
                    gbeta[i] = g.sum(axis=0)
                    gh = g * self.g[i]
                    g = rstd * (gh - gh.mean(axis=1, keepdims=True)
                                - xhat * (gh * xhat).mean(axis=1, keepdims=True))
                g = self._act_back(g, act_saved)
            gW[i] = g.T @ h
            gb[i] = g.sum(axis=0)
            if i:
                g = g @ self.W[i]
        grads = gW + gb + (gg + gbeta if self.layernorm else [])
        return loss, grads

    def step(self, x, y):
        """One Adam step (PyTorch's rule and defaults), in place, as a careful numpy
        programmer writes it: every pass into an existing array, no temporaries."""
        loss, grads = self.loss_and_grads(x, y)
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        bc1, bc2_sqrt = 1 - b1 ** self.t, np.sqrt(1 - b2 ** self.t)
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s /= bc2_sqrt
            s += eps
            np.divide(m, s, out=s)
            s *= self.lr / bc1
            p -= s
        return loss

    def matmuls(self, x, y):
        """Only the step's matrix products, with its shapes (forward x·Wᵀ; backward
        gᵀ·h and g·W, none for the input): the floor no MLP step on this BLAS can beat."""
        hs, h = [], x
        for W in self.W:
            hs.append(h)
            h = h @ W.T
        g = h
        for i in reversed(range(len(self.W))):
            hs[i] = g.T @ hs[i]
            if i:
                g = g @ self.W[i]


# ---- one training step per library --------------------------------------------------------
def training_step(model, optimizer, loss_fn):
    """One step written against PyTorch's API: it drives tinynet and torch alike."""
    def step(xb, yb):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss
    return step


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
                         nn.CrossEntropyLoss())
    x = x.astype(np.float64)
    for _ in range(2):
        step(tn.tensor(x), tn.tensor(y))
        reference.step(x, y)
    ours = [p.array for p in reference_order(model)]
    assert len(ours) == len(reference.params), "the reference has other parameters"
    tol = 1e-6 * reference.lr  # a wrong rule is off by O(lr): early steps are ~lr·sign(g)
    for a, b, p0 in zip(ours, reference.params, start):
        assert np.abs((a - p0) - (b - p0)).max() <= tol, "numpy Adam disagrees with tinynet"


def torch_step(widths, activation, layernorm, model, dtype, threads):
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
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    return (training_step(net, opt, loss_fn),
            lambda x, y: (torch.from_numpy(x), torch.from_numpy(y)))


def sklearn_minibatch(widths, activation, batch, x_all, y_all):
    """A function that times scikit-learn's MLPClassifier per minibatch, without its
    per-fit costs (input checks, initialisation, scoring): one epoch of 4k minibatches
    minus one of k, over 3k, where ``x_all`` holds k. None where sklearn lacks the
    activation. sklearn computes in the input's dtype (float32 stays float32)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    import warnings

    act = {"tanh": "tanh", "relu": "relu"}.get(activation)
    if act is None:
        return None
    k = len(x_all) // batch
    x_long, y_long = np.concatenate([x_all] * 4), np.concatenate([y_all] * 4)

    def epoch(x, y):
        clf = MLPClassifier(hidden_layer_sizes=widths[1:-1], activation=act, batch_size=batch,
                            max_iter=1, shuffle=False, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return _timed(lambda: clf.fit(x, y))

    def per_minibatch():
        return [(epoch(x_long, y_long) - epoch(x_all, y_all)) / (3 * k)]

    epoch(x_all[:batch * 2], y_all[:batch * 2])  # warm-up
    return per_minibatch


# ---- timing -------------------------------------------------------------------------------
def time_group(step, batches, n_steps):
    """Per-step times (seconds) of ``n_steps`` steps after 3 warm-up steps."""
    for i in range(3):
        step(*batches[i % len(batches)])
    times = []
    for i in range(n_steps):
        xb, yb = batches[i % len(batches)]
        start = time.perf_counter()
        step(xb, yb)
        times.append(time.perf_counter() - start)
    return times


def monitor_overhead(plain, monitored, batches, cycles, cycle=4, clock=time.perf_counter):
    """Per pair of cycles (``cycle`` consecutive steps of each model, in turn; which
    goes first alternates), the monitored model's time over the plain one's, minus 1.
    The pairs are a few steps long, so a drift of the machine reaches both alike; whole
    cycles keep the caches the hooks evict on the monitored model's bill. A Monitor
    sampling every 4th step makes one step in four slow: a cycle of 4 counts that cost
    exactly once."""
    for i in range(2):  # warm-up
        plain(*batches[i % len(batches)])
        monitored(*batches[i % len(batches)])
    costs = []
    for c in range(cycles):
        spent = {}
        for step in ((plain, monitored) if c % 2 == 0 else (monitored, plain)):
            start = clock()
            for k in range(cycle):
                step(*batches[(c * cycle + k) % len(batches)])
            spent[step] = clock() - start
        costs.append(spent[monitored] / spent[plain] - 1)
    return costs


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


def run_config(name, args, dtype):
    widths, activation, layernorm, batch = CONFIGS[name]
    rng = np.random.default_rng(0)
    n_data = batch * 16
    x_all = rng.standard_normal((n_data, widths[0])).astype(dtype)
    y_all = rng.integers(0, widths[-1], n_data)
    tn.manual_seed(0)
    model = tinynet_model(widths, activation, layernorm, dtype)
    reference = NumpyMLP(model, activation, layernorm)
    check_numpy_matches(model, reference, x_all[:batch], y_all[:batch], dtype)
    check_numpy_adam_matches(widths, activation, layernorm, x_all[:batch], y_all[:batch])

    optimizer = tn.optim.Adam(model.parameters(), lr=1e-3)
    steps = {"tinynet": (training_step(model, optimizer, nn.CrossEntropyLoss()),
                         lambda x, y: (tn.from_numpy(x), tn.from_numpy(y)))}
    monitored = {}  # every -> a monitored copy's step (timed against tinynet's by cycles)
    if args.monitor:  # the default (sampling every 4th step) and the exact every=1
        for every in (4, 1):
            tn.manual_seed(0)
            copy = tinynet_model(widths, activation, layernorm, dtype)
            tn.diagnostics.Monitor(copy, every=every)
            monitored[every] = training_step(copy, tn.optim.Adam(copy.parameters(), lr=1e-3),
                                             nn.CrossEntropyLoss())
    steps["numpy"] = (reference.step, lambda x, y: (x, y))
    steps["matmuls only"] = (reference.matmuls, lambda x, y: (x, y))  # the floor
    try:
        steps["pytorch"] = torch_step(widths, activation, layernorm, model, dtype, args.threads)
    except ImportError:
        pass
    data = {lib: [convert(x_all[i:i + batch], y_all[i:i + batch])
                  for i in range(0, n_data, batch)] for lib, (_, convert) in steps.items()}
    groups = {lib: (lambda lib=lib: time_group(steps[lib][0], data[lib], args.steps))
              for lib in steps}
    sklearn = sklearn_minibatch(widths, activation, batch, x_all, y_all)
    if sklearn is not None:  # one measurement per round, paired like the others
        groups["sklearn MLPClassifier"] = sklearn
    times = {lib: [] for lib in groups}
    ratios = {lib: [] for lib in groups}  # per round: this library's time / numpy's
    monitor_costs = {every: [] for every in monitored}  # per pair of cycles (monitor_overhead)
    order = list(groups)
    tinynet_mean_ratios = []  # per round, for the comparison with sklearn's means
    for r in range(args.rounds):
        medians, means = {}, {}
        # Each round starts one library later: a group's place in the round (the first
        # runs after a pause, on cooler caches) is no one library's handicap.
        for lib in order[r % len(order):] + order[:r % len(order)]:
            group = groups[lib]()
            times[lib] += group
            medians[lib], means[lib] = np.median(group), np.mean(group)
            time.sleep(PAUSE)
        for lib in groups:
            # sklearn's figure is a mean per minibatch (epoch times): set it against means
            average = means if lib == "sklearn MLPClassifier" else medians
            ratios[lib].append(average[lib] / average["numpy"])
        tinynet_mean_ratios.append(means["tinynet"] / means["numpy"])
        for every, step in monitored.items():
            monitor_costs[every] += monitor_overhead(steps["tinynet"][0], step, data["tinynet"],
                                                     cycles=max(1, args.steps // 4))
            time.sleep(PAUSE)
    memory = {lib: peak_memory(steps[lib][0], data[lib]) for lib in ("tinynet", "numpy")}
    if "sklearn MLPClassifier" in ratios:  # not a table row: the line below the table
        ratios["tinynet ÷ sklearn"] = list(np.array(tinynet_mean_ratios)
                                           / np.array(ratios["sklearn MLPClassifier"]))
    return times, ratios, monitor_costs, memory, step_flops(widths, batch)


def inference_throughput(name, dtype):
    widths, activation, layernorm, batch = CONFIGS[name]
    model = tinynet_model(widths, activation, layernorm, dtype).eval()
    x = tn.randn(1024, widths[0], dtype=dtype)
    with tn.no_grad():
        model(x)
        best = min(_timed(lambda: model(x)) for _ in range(20))
    return 1024 / best


def main(argv=None):
    tn.tune_allocator()  # keep freed memory between steps (docs/performance.md)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads (default: as the library chooses)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per group")
    parser.add_argument("--no-monitor", dest="monitor", action="store_false",
                        help="skip timing tinynet with a diagnostics Monitor attached")
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype).type
    limiter = None
    if args.threads:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(args.threads)
    args.threads = args.threads or os.cpu_count()
    print(f"# tinynet training-step benchmark ({args.dtype})\n")
    print(f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    print(f"- BLAS: {blas_info()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    print(f"- threads: BLAS (numpy, tinynet, scikit-learn) as above; PyTorch {args.threads} "
          f"(torch.set_num_threads); tinynet itself runs one Python thread")
    gemm = max(gemm_gflops(dtype) for _ in range(3))  # the machine's best, not a noisy dip
    print(f"- GEMM 1024³ on the spot: {gemm:.1f} GFLOP/s\n")
    print("| config | library | median µs/step | IQR µs | × numpy (IQR) | GFLOP/s | % of GEMM |")
    print("|---|---|---|---|---|---|---|")
    names = list(CONFIGS) if args.config == "all" else [args.config]
    extras = []
    for name in names:
        times, ratios, monitor_costs, memory, flops = run_config(name, args, dtype)
        base = np.median(times["numpy"])
        for lib, t in times.items():
            med = np.median(t)
            q1, q3 = np.percentile(t, [25, 75])
            if lib in ratios:  # paired with numpy round by round: drift of the machine cancels
                r1, r, r3 = np.percentile(ratios[lib], [25, 50, 75])
                ratio = f"{r:.2f} ({r1:.2f}-{r3:.2f})"
            else:
                ratio = f"{med / base:.2f}"
            print(f"| {name} | {lib} | {med * 1e6:.0f} | {(q3 - q1) * 1e6:.0f} | {ratio} | "
                  f"{flops / med / 1e9:.1f} | {flops / med / 1e9 / gemm:.0%} |")
        extras.append(f"- {name}: peak memory of a step: tinynet {memory['tinynet'] / 1e6:.2f} MB,"
                      f" numpy {memory['numpy'] / 1e6:.2f} MB "
                      f"({memory['tinynet'] / memory['numpy']:.2f}×); inference under no_grad: "
                      f"{inference_throughput(name, dtype):,.0f} samples/s")
        comparisons = []  # the targets "faster than ...", paired round by round
        if "pytorch" in ratios:
            comparisons.append(("PyTorch's step (medians)",
                                np.array(ratios["tinynet"]) / np.array(ratios["pytorch"])))
        if "tinynet ÷ sklearn" in ratios:
            comparisons.append(("scikit-learn's minibatch (means)", ratios["tinynet ÷ sklearn"]))
        for what, per_round in comparisons:
            q1, q2, q3 = np.percentile(per_round, [25, 50, 75])
            extras.append(f"- {name}: tinynet's step / {what}, paired by round: {q2:.2f} "
                          f"(IQR {q1:.2f}-{q3:.2f})")
        for every, costs in monitor_costs.items():
            q1, q2, q3 = np.percentile(costs, [25, 50, 75])
            extras.append(f"- {name}: the diagnostics Monitor(every={every}) adds {q2:.1%} to a "
                          f"step (IQR {q1:.1%} to {q3:.1%}; cycles of 4 steps, taking turns "
                          f"with the plain model)")
    print()
    print("\n".join(extras))
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
