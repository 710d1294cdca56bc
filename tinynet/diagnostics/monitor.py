"""``Monitor``: per-layer gradient norms, update ratios, dead and saturated units.

Attach it to a model, train as usual (any loop: ``fit`` or hand-written), read the
numbers. It only observes: a forward hook on the model that counts its training
forwards, forward hooks on the activation modules, attached only for the steps it
observes, and post-accumulate-grad hooks on each ``Linear``'s parameters; it never
changes a value. Its forward hooks are marked for ``tn.capture``, which replays
observed steps as it replays the others. Detached (or never attached), it
costs nothing.

An activation module is any module with a ``derivative(x, y)`` method (f'(x), given the
input x and output y): tinynet's own and yours alike. Its peak derivative, the scale of
"saturated", is its ``peak_derivative`` attribute if it has one, else the largest
|f'| on a grid over [-10, 10].

Definitions (per activation module, per epoch; "unit" = one feature of the last dim):
  * derivative: f'(z) at the activation's input z, the very array the op's backward
    multiplies by (its ``saved_derivative``; e.g. ReLU: 1 if z > 0 else 0; sigmoid:
    σ(z)(1 - σ(z))).
  * dead unit: f'(z) == 0 exactly for every training sample the monitor saw in the
    epoch. Dead rate = dead units / units. ``dead_units`` lists them and ``dead_since``
    gives, for each, the first epoch of its current unbroken run of dead epochs.
    NOTE: a smooth activation's derivative rounds to exactly 0 far enough out (float32:
    tanh at |z| >= 10, sigmoid at z >= ~16.6, GELU at z <= ~-14.4); such a unit counts
    as dead too, rightly: no gradient passes it. LeakyReLU is never dead.
  * saturated pair: a (sample, unit) pair with |f'(z)| < SATURATED × the activation's
    peak derivative (sigmoid 0.25, tanh 1, ...), SATURATED = 1 - 0.97² = 0.0591: for tanh
    that is exactly |tanh z| > 0.97, the saturation Karpathy counts in makemore (part 3),
    and for sigmoid |2σ(z) - 1| > 0.97, the same shape. Saturation rate = saturated pairs
    / pairs.
  * activation mean and std: over every (sample, unit) output value in the epoch.
  * activation histogram (``act_hist``): how many of those output values fall in each
    bin of ``HIST_EDGES``: ``act_hist[i]`` counts values v with
    HIST_EDGES[i] <= v < HIST_EDGES[i + 1]. The 83 bins are fixed: (-inf, -4.05), 81 bins
    0.1 wide centred on -4.0, -3.9, ..., 4.0, and [4.05, +inf); so ReLU's exact zeros and
    the values where sigmoid and tanh saturate (0, ±1) sit in the middle of a bin. Computed
    in the output's precision, so a value within rounding (~1e-6) of an edge may land in
    the next bin; a NaN output counts in the first bin.
Per ``Linear`` and per optimisation step:
  * grad norm: ‖∂L/∂W‖₂ (Frobenius) and ‖∂L/∂b‖₂ after each backward; backward passes
    adding into the same ``.grad`` with no change of the weights between them
    (gradient accumulation) are one step, the norm of their sum;
  * update ratio: ‖W_t - W_(t-1)‖ / ‖W_(t-1)‖, the relative size of one step's update,
    measured at the first backward after the weights changed, or by ``end_epoch`` for
    the epoch's last step (so call ``end_epoch`` after the epoch's last optimizer
    step).
Only forward passes in training mode with grad enabled count (evaluation does not).
Calls of an activation module on its own, outside the model's forward (on a grid of
points to plot it, say), are not observed. An activation module called more than once
inside one forward of the model (one ``ReLU`` reused after several layers) is not
measured: its row holds ``{"reused": True}``, and
a warning says so once, since its units' rates would mix layers of different widths.

Sampling: activation statistics and update ratios are taken on every ``every``-th
training forward pass of an epoch (passes 1, 1 + every, 1 + 2·every, ...; each epoch's
first always; in ``fit`` a pass is a step, and with gradient accumulation each
micro-batch's forward counts); "the samples the monitor saw" are those passes' samples.
Gradient norms are taken on every step. ``every=1`` observes everything, exactly. What
the hooks cost against a training step is measured in docs/performance.md: a sizeable share on small
layers, where a step is little arithmetic.

Memory stays flat however long training runs: per-step numbers are added into running
sums, and only the current epoch's last ``STEP_NORMS_KEPT`` gradient norms are kept. An
activation's f' and outputs on small forwards wait in a block of ``GATHERED_BLOCK``
values until it fills or the epoch ends, and their statistics are taken in one go: the
same counts as forward by forward, and the same float64 sums to rounding.
"""
import collections
import math
import sys
import warnings
import weakref

import numpy as np

from tinynet import nn
from tinynet.autograd._running import _Running
from tinynet.autograd.grad_mode import _GradMode
from tinynet.checks import check_int, user_stacklevel
from tinynet.tensor import Tensor

# tinynet's activation modules the Monitor watches: those with a ``derivative``
ACTIVATION_MODULES = tuple(cls for cls in vars(nn).values() if isinstance(cls, type) and
                           issubclass(cls, nn.Module) and callable(getattr(cls, "derivative",
                                                                           None)))
SATURATED = 1 - 0.97 ** 2  # of the peak derivative: |tanh| > 0.97 (see the docstring)
_PEAK_GRID = np.linspace(-10.0, 10.0, 20_001)  # step 1e-3, for activations without a peak
# -inf, -4.05, -3.95, ..., 4.05, +inf: bins centred on multiples of 0.1 (exact 0 is a centre)
HIST_EDGES = np.concatenate([[-np.inf], (np.arange(-40, 42) - 0.5) / 10, [np.inf]])
STEP_NORMS_KEPT = 4096  # per-step gradient norms kept per Linear (the epoch's last ones)
BOUNDS_BLOCK = 1 << 16  # values clipped per call in the histogram (see _clip_bins)
# An activation's f' and outputs on small forwards are gathered, up to GATHERED_BLOCK values,
# and their statistics taken in one go: a dozen numpy calls per block, not per forward.
GATHERED_BLOCK, GATHERED_MAX = 1 << 15, 1 << 13


def is_activation(module) -> bool:
    """Whether the Monitor watches ``module`` as an activation: it has ``derivative``."""
    return callable(getattr(module, "derivative", None)) and isinstance(module, nn.Module)


def peak_derivative(module) -> float:
    """max |f'|: the module's (or its op's) ``peak_derivative``, else found on a grid."""
    for owner in (module, getattr(module, "op", None)):
        peak = getattr(owner, "peak_derivative", None)
        if isinstance(peak, (int, float)):
            return float(peak)
    dtype = next((p.dtype for p in module.parameters()), np.float64)  # a PReLU's, say
    with np.errstate(all="ignore"):
        grid = _PEAK_GRID.astype(dtype)
        from tinynet.factories import tensor
        d = np.asarray(module.derivative(grid, module(tensor(grid)).array), dtype=np.float64)
    peak = float(np.nanmax(np.abs(d)))
    if not peak > 0:
        raise ValueError(f"Monitor: {type(module).__name__}.derivative must be nonzero "
                         f"somewhere in [-10, 10], got a largest |f'| of {peak}")
    return peak


def _kept_input(module, inputs):
    """A forward pre-hook of an activation with ``inplace=True`` whose input records no
    graph: a copy of the input, which the activation overwrites with its output, for the
    forward hook's f'(x) (a recorded op's context keeps what it needs: nothing to copy)."""
    x = inputs[0] if inputs else None
    if isinstance(x, Tensor) and not (x.requires_grad and _GradMode.enabled):
        object.__setattr__(module, "_monitor_input", x.array.copy())


class _ActivationStats:
    """What one activation module saw during the current epoch."""

    def __init__(self, name: str, module):
        self.name, self.module = name, module
        self.peak = peak_derivative(module)
        self.calls = 0  # in the current forward of the model
        self.reused = False  # called more than once in a forward: not measured
        self.op = getattr(module, "op", None)  # the Function whose context it can read
        self.dead_since = None  # per unit: first epoch of the current dead run, or -1
        self.bounds = None  # the histogram's bounds, as arrays (see _clip_bins)
        self.gathered, self.rows = None, 0  # (f', outputs) of small forwards, and their rows
        self.scratch = None  # |f'| of a large forward (see _scratch_like)
        self.reset()

    def reset(self) -> None:
        self.rows = 0
        self.alive = None  # per unit: f' was nonzero for some sample
        self.saturated = self.pairs = 0
        self.total = self.total_sq = 0.0
        self.hist = np.zeros(len(HIST_EDGES) - 1, dtype=np.int64)

    def observe(self, x: np.ndarray, output) -> None:
        """Add one forward's values: ``x`` is the activation's input array, ``output`` its
        output tensor. f' is read now (a replayed op's context is reused by the next
        call); a small forward's f' and outputs are gathered into a block, and the
        statistics taken over the whole block (``take_gathered``)."""
        units = x.shape[-1]
        y, ctx = output.array, output.grad_fn
        if self.op is not None and isinstance(ctx, self.op):  # what forward saved: no work
            d = ctx.saved_derivative(ctx)
        else:  # no graph was recorded (the input does not require grad)
            d = self.module.derivative(x, y)
        d, y = d.reshape(-1, units), y.reshape(-1, units)
        if d.size > GATHERED_MAX:  # a large forward: its numpy calls are not the cost
            self.take_gathered()
            self.add(d, y.reshape(-1), self._scratch_like(d))
            return
        block, rows = self.gathered, self.rows
        if block is None or block[0].shape[0] - rows < d.shape[0] or \
                block[0].shape[1] != units or block[0].dtype != d.dtype or \
                block[1].dtype != y.dtype:
            self.take_gathered()
            capacity = max(GATHERED_BLOCK // units, d.shape[0])
            block = self.gathered = (np.empty((capacity, units), d.dtype),
                                     np.empty((capacity, units), y.dtype))
            rows = 0
        self.rows = rows + d.shape[0]
        block[0][rows:self.rows] = d
        block[1][rows:self.rows] = y

    def take_gathered(self) -> None:
        """Add the statistics of the values gathered since the last call."""
        if self.rows:
            d, y = self.gathered[0][:self.rows], self.gathered[1][:self.rows]
            self.rows = 0
            self.add(d, y.reshape(-1), d)  # (the block is ours to overwrite)

    def _scratch_like(self, d: np.ndarray) -> np.ndarray:
        """An array of ``d``'s shape and dtype to write |f'| into (``d`` may be what the
        op keeps for its backward), reused from call to call."""
        if self.scratch is None or self.scratch.size < d.size or \
                self.scratch.dtype != d.dtype:
            self.scratch = np.empty(d.size, d.dtype)
        return self.scratch[:d.size].reshape(d.shape)

    def add(self, d: np.ndarray, y: np.ndarray, into: np.ndarray) -> None:
        """Add the statistics of f' (``d``, rows of units) and of the outputs ``y``
        (flat), writing |f'| into ``into`` (of ``d``'s shape: ``d`` itself when it may be
        overwritten)."""
        if d.dtype.kind == "f":
            d = np.abs(d, out=into)  # GELU's f' dips below 0
            # per unit: some sample had f' != 0, i.e. the column's sum of |f'| is not 0
            # (NaN and inf count as nonzero, as in any()); BLAS's product sums the
            # columns several times faster than any(axis=0) walks them
            alive = np.dot(np.ones(d.shape[0], d.dtype), d) != 0
        else:
            alive = d.any(axis=0)
        self.alive = alive if self.alive is None else np.logical_or(self.alive, alive,
                                                                    out=self.alive)
        self.saturated += int(np.count_nonzero(d < SATURATED * self.peak))
        self.pairs += d.size
        flat = y.astype(np.float64)  # sums over an epoch: float64
        self.total += float(flat.sum())
        self.total_sq += float(np.dot(flat, flat))
        # bin i holds HIST_EDGES[i] <= v < HIST_EDGES[i + 1], i.e. i = floor(10 v + 41.5)
        # clipped to [0, 82]. NOTE: arithmetic on the uniform bins, not np.searchsorted
        # (many times slower); fmax/fmin, not clip: they send a NaN to bin 0, where clip
        # would keep it and its cast to an integer is undefined. They take arrays of the
        # bounds (numpy's vectorised loop needs two array operands), and the clipped bins
        # fit a uint8, a cheaper cast than to intp for bincount.
        bins = y * 10.0  # in y's dtype: a fresh array, ours to overwrite
        bins += 41.5
        self._clip_bins(bins)
        self.hist += np.bincount(bins.astype(np.uint8), minlength=len(self.hist))

    def _clip_bins(self, bins: np.ndarray) -> None:
        """Clip the 1-D ``bins`` to [0, 82] in place, block by block against arrays of the
        bounds of at most BOUNDS_BLOCK values (kept between calls: their memory stays
        small whatever the batch)."""
        size = min(bins.size, BOUNDS_BLOCK)
        if self.bounds is None or self.bounds[0].size < size or \
                self.bounds[0].dtype != bins.dtype:
            self.bounds = (np.zeros(size, bins.dtype),
                           np.full(size, len(self.hist) - 1, bins.dtype))
        low, high = self.bounds
        for start in range(0, bins.size, BOUNDS_BLOCK):
            block = bins[start:start + BOUNDS_BLOCK]
            np.fmin(np.fmax(block, low[:block.size], out=block), high[:block.size], out=block)

    def called(self) -> bool:
        """Count a call in the current forward; whether it is to be observed: not the
        second call of one forward, after which the module is ``reused`` for good."""
        self.calls += 1
        if self.calls > 1 and not self.reused:
            self.reused = True
            self.reset()
            self.gathered, self.dead_since = None, None
            warnings.warn(
                f"Monitor: the activation module {self.name!r} "
                f"({type(self.module).__name__}) is called more than once in a forward (one "
                f"module after several layers): its units' rates would mix the layers (the "
                f"layers may differ in width), so they are not measured; give each layer its "
                f"own module (e.g. nn.{type(self.module).__name__}() per layer)",
                RuntimeWarning, stacklevel=user_stacklevel())
        return not self.reused

    def summarize(self, epoch: int) -> dict:
        if self.reused:
            return {"reused": True}
        self.take_gathered()
        if self.alive is None:
            return {}
        dead = ~self.alive
        if self.dead_since is None:
            self.dead_since = np.full(dead.shape, -1)
        self.dead_since = np.where(dead, np.where(self.dead_since < 0, epoch, self.dead_since),
                                   -1)
        mean = self.total / self.pairs
        return {
            "dead_rate": int(np.count_nonzero(dead)) / dead.size,
            "dead_units": np.flatnonzero(dead).tolist(),
            "dead_since": self.dead_since[dead].tolist(),  # aligned with dead_units
            "saturation_rate": self.saturated / self.pairs,
            "act_mean": mean,
            "act_std": float(np.sqrt(max(self.total_sq / self.pairs - mean * mean, 0.0))),
            "act_hist": self.hist.tolist(),  # plain ints: a History writes them to JSON
        }


def _norm(a: np.ndarray) -> float:
    """‖a‖₂ through BLAS's dot (np.vdot flattens a itself): np.linalg.norm's Python
    wrapper costs more than the math on a small layer."""
    return math.sqrt(float(np.vdot(a, a)))


class _LinearStats:
    """Gradient norms (every step) and update ratios (sampled) of one Linear.

    Backward passes that add into the same ``.grad`` with no change of the weight's
    version between them (gradient accumulation; two losses backpropagated in turn) make
    one step's gradient, whose norm is that of their sum, the gradient the step then
    takes. (Every change through the tensor counts on its version: an optimizer's step,
    ``p.data`` and in-place ops under ``no_grad``; a write to ``p.array`` itself does not,
    and with gradients zeroed in place it looks like accumulation.)

    NOTE: the epoch's means come from running sums, not from lists of every step, so
    memory stays flat however long training runs; only the last ``STEP_NORMS_KEPT``
    weight-gradient norms of the current epoch are kept, for ``Monitor.step_grad_norms``.
    """

    def __init__(self, module, monitor):
        self.module, self.monitor = module, monitor
        self.snapshot = None  # W before an observed step's update (a reused buffer)
        self.pending = False  # the snapshot awaits the update of its step
        self.scratch = None
        self.step_norms = collections.deque(maxlen=STEP_NORMS_KEPT)
        # per parameter: (its version at its last gradient, a weak reference to that
        # ``.grad``, its norm), for a further backward pass of the same step to replace
        self.last = {}
        self.reset()

    def reset(self) -> None:
        self.step_norms.clear()
        # [sum, count] over the epoch of ‖∂L/∂W‖, ‖∂L/∂b‖ and the update ratio
        self.weight_sum, self.bias_sum, self.ratio_sum = [0.0, 0], [0.0, 0], [0.0, 0]
        self.last = {}

    def _add_norm(self, name: str, param, running: list) -> tuple:
        """Add ‖param.grad‖ to ``running``, or, when this backward pass added into the
        ``.grad`` of the last one and the parameter has not changed since (the same
        step), put it in place of that gradient's norm. Returns (the norm, whether it
        replaced the last one)."""
        grad, version = param.grad, param._version[0]
        norm = _norm(grad.array)
        last_version, last_grad, last_norm = self.last.get(name, (None, None, 0.0))
        self.last[name] = (version, weakref.ref(grad), norm)
        if version == last_version and last_grad() is grad:
            running[0] += norm - last_norm
            return norm, True
        _add(running, norm)
        return norm, False

    def on_weight_grad(self, weight) -> None:
        norm, replaced = self._add_norm("weight", weight, self.weight_sum)
        if replaced:  # (reset() forgets the last gradients with the epoch's norms)
            self.step_norms[-1] = norm
        else:
            self.step_norms.append(norm)
        w = weight.array
        self.measure_update()  # if the weights changed since the snapshot
        if self.monitor._observed_forward and not self.pending:
            if self.snapshot is None or self.snapshot.shape != w.shape:
                self.snapshot = w.copy()
            else:
                np.copyto(self.snapshot, w)
            self.pending = True

    def measure_update(self, final: bool = False) -> None:
        """Record ‖W - snapshot‖ / ‖snapshot‖ if a snapshot awaits its step's update and
        W has changed since (an unchanged W: another backward pass of the same step);
        ``final`` (the epoch's end): record it whatever it is."""
        if not self.pending:
            return
        w = self.module.weight.array
        if w.shape != self.snapshot.shape:  # the weight was replaced by another shape
            self.pending = False
            return
        if self.scratch is None or self.scratch.shape != w.shape:
            self.scratch = np.empty_like(w)
        change = _norm(np.subtract(w, self.snapshot, out=self.scratch))
        if change == 0 and not final:  # not stepped yet
            return
        self.pending = False
        norm = _norm(self.snapshot)
        _add(self.ratio_sum, change / norm if norm else 0.0 if change == 0 else float("inf"))

    def on_bias_grad(self, bias) -> None:
        self._add_norm("bias", bias, self.bias_sum)

    def summarize(self) -> dict:
        return {"kind": "Linear", "grad_norm": _mean(self.weight_sum),
                "bias_grad_norm": _mean(self.bias_sum), "update_ratio": _mean(self.ratio_sum)}


def _add(running: list, value: float) -> None:
    running[0] += value
    running[1] += 1


def _mean(running: list) -> float:
    return running[0] / running[1] if running[1] else float("nan")


class Monitor:
    """Per-layer training diagnostics for any training loop.

    Args:
        model: the module to watch; every ``Linear`` and activation module in it is
            watched, named by its path in ``model.named_modules()`` and listed in that
            order, which the hints and figures take for the order from input to output
            (the order in which a module's ``__init__`` assigns its submodules).
        every: take activation statistics and update ratios on every ``every``-th
            training forward pass of an epoch, a step in ``fit`` (default 4; 1 = every
            pass, exact but slower).

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Sequential(tn.nn.Linear(2, 8), tn.nn.ReLU(), tn.nn.Linear(8, 2))
        >>> monitor = tn.diagnostics.Monitor(model)
        >>> loss = model(tn.randn(16, 2)).sum()
        >>> loss.backward()
        >>> epoch = monitor.end_epoch()
        >>> epoch["epoch"], sorted(epoch["layers"])
        (1, ['0', '1', '2'])
        >>> monitor.detach()
    """

    def __init__(self, model, every: int = 4):
        self.model, self.every = model, check_int("Monitor", "every", every, 1)
        self.linears, self.activations = {}, {}
        self.epochs = []  # one summary dict per finished epoch
        self._forwards = 0  # training forwards of the model in this epoch
        self._observing = False  # the activations' hooks are attached: observe a forward
        self._observed_forward = True  # the last completed forward was observed
        self._handles = [model.register_forward_hook(self._counter())]
        self._activation_handles = []
        self._order = {}  # name -> position in model.named_modules()
        self._forward_codes = (getattr(type(model).forward, "__code__", None),
                               _Running._run_hooks.__code__)
        for name, module in model.named_modules():
            self._order[name] = len(self._order)
            if isinstance(module, nn.Linear):
                stats = self.linears[name] = _LinearStats(module, self)
                self._handles.append(
                    module.weight.register_post_accumulate_grad_hook(stats.on_weight_grad))
                if module.bias is not None:
                    self._handles.append(
                        module.bias.register_post_accumulate_grad_hook(stats.on_bias_grad))
            elif is_activation(module):
                self.activations[name] = _ActivationStats(name, module)
        self._observe_next(True)

    def _observe_next(self, observe: bool) -> None:
        """Attach the activations' forward hooks for the next training forward, or remove
        them. NOTE: both kinds of hook are marked for ``tn.capture``, which then replays
        observed steps too: the counter reads nothing (``replay_safe``), the activations'
        hooks read their module's input, output and mode (``replay_reads``)."""
        if observe and not self._observing:
            self._activation_handles = [
                stats.module.register_forward_hook(self._forward_hook(name))
                for name, stats in self.activations.items()]
            self._activation_handles += [  # (their input is overwritten: see _kept_input)
                stats.module.register_forward_pre_hook(_kept_input)
                for stats in self.activations.values() if getattr(stats.module, "inplace", False)]
        elif not observe:
            for handle in self._activation_handles:
                handle.remove()
            self._activation_handles = []
        self._observing = observe

    def _forward_hook(self, name):
        stats = self.activations[name]

        def hook(module, inputs, output):
            # (a call of the module on its own, outside the model's forward, is none of
            # its layer's forwards: not observed)
            kept = vars(module).pop("_monitor_input", None)
            if module.training and _GradMode.enabled and self._inside_model_forward() and \
                    stats.called():
                stats.observe(inputs[0].array if kept is None else kept, output)

        hook.replay_reads = True  # it reads, never changes: tn.capture replays the step
        return hook

    def _inside_model_forward(self) -> bool:
        """Whether the model's ``forward`` is running (a frame of its code is on the
        stack), or ``tn.capture`` is running the hooks of a replayed call of it: only such
        calls are its layers' forwards (a call of the module on its own is not)."""
        codes = self._forward_codes
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code in codes:
                return True
            frame = frame.f_back
        return False

    def _counter(self):
        """The model's forward hook: ``_count_step``, marked for ``tn.capture`` to call on
        replayed steps too (it reads neither the inputs nor the output)."""
        def count_step(model, inputs, output):
            self._count_step(model)

        count_step.replay_safe = True
        return count_step

    def _count_step(self, model) -> None:
        """After each training forward of the whole model: decide about the next one."""
        for stats in self.activations.values():
            stats.calls = 0
        if model.training and _GradMode.enabled:
            self._observed_forward = self._observing
            self._forwards += 1
            self._observe_next(self._forwards % self.every == 0)

    def end_epoch(self, epoch: int = None) -> dict:
        """Close the current epoch: summarise it, append it to ``epochs``, return it.

        Args:
            epoch: its number as the caller counts its epochs (``dead_since`` dates the
                dead units by it); default one more than the epochs closed so far.

        Returns:
            {"epoch": k (from 1), "monitor_every": ``every`` (one step in it observed),
            "layers": {name: {...}}} where a Linear's entry holds the mean
            ``grad_norm``, ``bias_grad_norm`` and ``update_ratio`` over the epoch's
            steps (nan when none was measured), and an activation's entry its
            ``dead_rate``, ``dead_units``, ``dead_since``, ``saturation_rate``,
            ``act_mean``, ``act_std`` and ``act_hist`` (a list of
            ``len(HIST_EDGES) - 1`` counts), all plain Python values.
        """
        if epoch is None:
            epoch = len(self.epochs) + 1  # epochs count from 1, as a person would
        layers = {}
        for name, stats in self.linears.items():
            # the epoch's last observed step was taken since its backward: measure it now,
            # so every epoch holds exactly its own steps' updates
            stats.measure_update(final=True)
            layers[name] = stats.summarize()
            stats.reset()
        for name, stats in self.activations.items():
            layers[name] = {"kind": type(stats.module).__name__, **stats.summarize(epoch)}
            stats.reset()
        # in the model's order (model.named_modules()'s), which the hints and figures read
        # as the order of the layers from input to output
        summary = {"epoch": epoch, "monitor_every": self.every,
                   "layers": dict(sorted(layers.items(),
                                                         key=lambda item: self._order[item[0]]))}
        self.epochs.append(summary)
        self._forwards = 0
        if self._handles:  # attached: each epoch's first step is observed
            self._observe_next(True)
        return summary

    def state_dict(self) -> dict:
        """What carries over from one epoch to the next (for checkpoints): the finished
        epochs' summaries and, per activation, the epoch each dead unit died in."""
        return {"epochs": self.epochs,
                "dead_since": {name: stats.dead_since for name, stats
                               in self.activations.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.epochs = list(state["epochs"])
        for name, dead_since in state["dead_since"].items():
            if dead_since is not None:
                self.activations[name].dead_since = np.asarray(dead_since)

    def step_grad_norms(self) -> dict:
        """The current epoch's per-step weight-gradient norms, per Linear:
        {name: [norm, ...]}, oldest first; the last ``STEP_NORMS_KEPT`` (4096) steps at
        most. ``end_epoch`` starts a new, empty list."""
        return {name: list(s.step_norms) for name, s in self.linears.items()}

    def detach(self) -> None:
        """Remove every hook: the model runs exactly as if never monitored."""
        self._observe_next(False)
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()
