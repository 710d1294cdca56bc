"""``tn.capture``: record the ops of a forward function once, then replay them.

A training loop runs the same ops on arrays of the same shapes at every step. After two
ordinary (eager) calls, ``capture`` knows those ops: which op class ran, in what order, on
which of the call's inputs, parameters and earlier results. From the third call on it
replays them: each op's own ``forward`` on the new arrays, with one reused context per
op, and, when the returned loss's ``backward()`` runs, each op's own ``backward`` in the
order the engine runs them, summing gradients in the same order. No Tensor, no module
call and no graph bookkeeping happens per op, and the numbers are the eager ones, bit
for bit.

A call runs eagerly (the function as it is) whenever replaying might differ: other input
shapes, dtypes or plain arguments (each signature gets its own recordings, so a last,
smaller batch works too), grad mode off, a module's ``training`` flag changed, a module
with a forward pre-hook, a full backward hook or a forward hook not marked for replay
(such calls are not recorded either), a parameter of another shape or dtype, anomaly
detection or another observer on, the fast-path switch flipped, or class targets outside
[0, C). Two marks let a forward hook run on replayed calls, as often and in the order an
eager call runs it (after the replayed forward, each call's hooks read from its module in
the order the calls ended); such a hook returns None and changes no value or mode.
``hook.replay_safe = True`` (the Monitor's step counter): it reads neither its module's
inputs nor its output, and gets None for both. ``hook.replay_reads = True`` (the
Monitor's activation hooks): it reads their values, and gets the call's inputs and
output, each an input of the function as it came in or an op's output as a tensor that
requires no grad (whose ``grad_fn`` is the replayed op, for what its forward saved); a
call whose input or output is neither (a tuple, say) runs eagerly. Either may read its
module's ``training`` flag and grad mode: a function with a module call in another mode
(under no_grad, after ``eval()``) runs eagerly while hooks are attached. A function whose
two recorded calls differ (ops that depend on the values of the inputs, a number or a
tensor built from the data outside tinynet's ops, a tensor kept across calls changed in
place, as BatchNorm's running statistics), or that reads a tensor's values into Python
(``item()``, ``bool()``, ``float()``, ``tolist()``, ``numpy()``, printing or formatting a
tensor) or into a tensor no op makes (a comparison, ``argmax``, a boolean mask,
``nonzero()``, ``tn.tensor(t)``, ``copy_``; an ``if`` on a value may take the other
branch later, and such a tensor would be replayed as the recorded one), that draws random
values outside an op at each call (``tn.rand``, ``tn.randint``, ``x.uniform_()``,
``nn.init``: a replay would reuse the recorded draws; dropout, an op, draws anew), that
changes a tensor in place (``loss += penalty``, a residual ``h += x``, a write into an
input or through ``x.detach()``), or that registers a tensor hook (``register_hook``,
``register_post_accumulate_grad_hook``, ``retain_grad()``), is never replayed: it runs
eagerly, with one warning saying why. Tensor hooks registered outside the function, on a
parameter, an input or the returned loss, run on replayed calls as on eager ones (the
engine runs them). Ops that trust integer indices (cross-entropy's and NLL's classes, an
embedding's rows, one_hot, gather, scatter) get the eager range checks, and a cross-entropy
recorded on padded batches (ignore_index=-100) replays only padded ones, for which the
eager function takes the same op.

Checks on values live in the ops, so a replay makes them too (binary cross-entropy's
targets and probabilities in [0, 1]). A value tinynet makes from a tensor outside its
ops is not replayed: an index holding a tensor in a tuple (``x[:, i]``) or a view of a
tensor's array; a tensor of another dtype is cast by an op (a float64 ``weight`` of a
float32 loss), which replays. A tensor sharing an input's or an op's array, as
``x.detach()``, is read at each call (a parameter stays itself, and gets its gradient,
even when an input shares its array). Extra outputs an op saved for backward come back
as copies, so that changing them in place leaves the gradients alone, as in an eager
call.

NOTE: what replay does not run, it cannot check: Python side effects inside the function
(a counter, a print of other things), control flow on values read through ``.array``
(tinynet's own attribute, not watched), and a value computed from the inputs that way
and passed to an op, which is taken for a constant when it is the same in both recorded
calls. And a replay keeps what the function reached from outside, besides the values of
its inputs and of the tensors it read: plain Python values (a weight from a schedule
that had the same value at both recorded calls). The modules it called are guarded: a
change of a plain public setting of one (Dropout's ``p``, a loss's ``label_smoothing``,
an activation's slope), a submodule of one replaced by a new object, or a parameter or
buffer replaced by a new tensor sends the call down the eager path (one replaced
between the two recorded calls keeps the function eager), when it belongs to a module
the function called or holds (itself, the object of a bound method, its closure, the
globals it names) or to their submodules; a module reached only through another function
is not seen, nor is a change to a module made around its attributes (through
``vars(module)`` or ``object.__setattr__``: the guards re-read the modules only after an
attribute was set or deleted). After changing a plain value, make a new
``tn.capture``. Capture
pure forward functions, as for CUDA graphs. A loss must be
backpropagated before the next call: the ops' saved values are reused (an earlier loss's
``backward()`` then raises).
"""
import warnings

from tinynet.autograd._guards import (_recordable, _replay_safe, _replayable,
                                      _runs_hooks_a_replay_cannot)
from tinynet.autograd._plan import _Plan
from tinynet.autograd._recording import _NotReplayable, _Recording
from tinynet.autograd.grad_mode import _GradMode

MAX_SIGNATURES = 8  # recordings kept per captured function
RECORDINGS = 2  # eager calls compared before replaying


class capture:
    """Wrap ``fn(*args) -> loss`` (or a tuple of tensors whose first is the loss) so that
    repeated calls replay its ops; see the module docstring.

    Args:
        fn: a function of tensors (and plain, hashable values) returning a Tensor, or a
            tuple of Tensors: the first is differentiable, the others come back detached.

    Attributes:
        replays, eager_calls: how many calls were replayed and how many ran eagerly.

    Example:
        >>> import tinynet as tn
        >>> model = tn.nn.Linear(3, 2)
        >>> loss_of = tn.capture(lambda x, y: tn.nn.functional.cross_entropy(model(x), y))
        >>> for step in range(4):
        ...     model.zero_grad()
        ...     loss = loss_of(tn.ones(5, 3), tn.tensor([0, 1, 0, 1, 1]))
        ...     loss.backward()
        >>> loss_of.eager_calls, loss_of.replays
        (2, 2)
    """

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"capture: fn must be callable, got {fn!r}")
        self.fn = fn
        self.replays = self.eager_calls = 0
        self._plans = {}  # signature -> _Plan, [recordings so far], or None (never)
        self._warned = set()
        self._hooked = []  # the modules of the last call left out for its hooks

    def __call__(self, *args):
        replays = self.replays
        result = self._call(args)
        if type(result) is tuple and self.replays == replays:  # an eager call's extras as
            # a replay gives them: detached copies (a change to one leaves the graph alone)
            return (result[0], *(t.detach().clone() if isinstance(t, Tensor) else t
                                 for t in result[1:]))
        return result

    def _call(self, args):
        key = _signature(args)
        plan = self._plans.get(key, [])
        first_hooked = plan.ready(args) if isinstance(plan, _Plan) else None
        if first_hooked is not None:
            self.replays += 1
            return plan.replay(args, first_hooked)
        self.eager_calls += 1
        if not isinstance(plan, list) or not _recordable() or key is None or \
                len(self._plans) >= MAX_SIGNATURES and key not in self._plans or \
                not all(_replayable(module) for module in self._hooked):
            return self.fn(*args)  # (the last: a hook that made us leave a recording out)
        recording = _Recording(self.fn, args, plan[-1] if plan else None)
        if _signature(args) != key:  # it changed its inputs (x.requires_grad_()): left out
            return recording.result
        if not all(_replay_safe(hooks) for _, hooks, *_ in recording.finished) or \
                any(_runs_hooks_a_replay_cannot(module) for module in recording.modules):
            # a hook ran that a replay cannot run (see _replayable), so the recording is
            # left out, and so are the next calls while that hook is there
            self._hooked = recording.modules
            return recording.result
        self._hooked = []
        pending = plan + [recording]
        self._plans[key] = pending if len(pending) < RECORDINGS else self._build(pending)
        return recording.result

    def _build(self, recordings: list):
        try:
            return _Plan(recordings[-2], recordings[-1])
        except _NotReplayable as reason:
            if str(reason) not in self._warned:
                self._warned.add(str(reason))
                warnings.warn(f"capture: this function runs eagerly, never replayed: "
                              f"{reason}", UserWarning, stacklevel=3)
            return None


def _signature(args):
    """The shapes, dtypes and plain values a recording holds for; None when a plain
    argument cannot be compared (unhashable), two tensor arguments share one array
    (a replay reads each input by its position) or a tensor argument is no leaf (its
    gradient must go on through the graph that made it): such calls always run eagerly."""
    key, arrays = [], set()
    for a in args:
        if isinstance(a, Tensor):
            if id(a.array) in arrays or a._ctx is not None:
                return None
            arrays.add(id(a.array))
            key.append((a.array.shape, a.array.dtype, a.requires_grad))
        else:
            try:
                hash(a)
            except TypeError:
                return None
            key.append(("value", type(a), a))
    return tuple(key) + (_GradMode.enabled,)


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
