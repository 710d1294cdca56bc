"""tn.capture: replayed steps give the eager numbers bit for bit, and every change that
could make a replay differ sends the call down the eager path (or is refused)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import nn
from tinynet.autograd import _unroll

from op_checks import NumberGradScale, SavedArraysDot


def _batches(n, d_in, classes, batch, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [(tn.from_numpy(rng.standard_normal((batch, d_in)).astype(dtype)),
             tn.from_numpy(rng.integers(0, classes, batch))) for _ in range(n)]


def _train(make_model, loss_of, optimizer, batches, capture: bool, dtype):
    tn.manual_seed(0)
    model = make_model(dtype)
    opt = {"sgd": lambda p: tn.optim.SGD(p, lr=0.05, momentum=0.9),
           "adam": lambda p: tn.optim.Adam(p, lr=0.01)}[optimizer](model.parameters())
    def forward(x, y):
        return loss_of(model(x), y)

    step = tn.capture(forward) if capture else forward
    losses = []
    for x, y in batches:
        opt.zero_grad()
        loss = step(x, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.array.copy() for p in model.parameters()], step


MODELS = {
    name: (lambda dtype, act=act: nn.Sequential(nn.Linear(5, 16, dtype=dtype), act(),
                                                nn.Linear(16, 16, dtype=dtype), act(),
                                                nn.Linear(16, 3, dtype=dtype)))
    for name, act in [("relu", nn.ReLU), ("leaky_relu", lambda: nn.LeakyReLU(0.1)),
                      ("elu", nn.ELU), ("gelu", nn.GELU), ("gelu_tanh", lambda: nn.GELU("tanh")),
                      ("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("silu", nn.SiLU),
                      ("mish", nn.Mish), ("softplus", nn.Softplus), ("selu", nn.SELU),
                      ("hardtanh", nn.Hardtanh)]}
MODELS["layernorm"] = lambda dtype: nn.Sequential(
    nn.Linear(5, 16, dtype=dtype), nn.GELU(), nn.LayerNorm(16, dtype=dtype),
    nn.Linear(16, 3, dtype=dtype))
MODELS["prelu_dropout"] = lambda dtype: nn.Sequential(
    nn.Linear(5, 16, dtype=dtype), nn.PReLU(dtype=dtype), nn.Dropout(0.3),
    nn.Linear(16, 3, dtype=dtype))
MODELS["selu_alpha_dropout"] = lambda dtype: nn.Sequential(
    nn.Linear(5, 16, dtype=dtype), nn.SELU(), nn.AlphaDropout(0.2),
    nn.Linear(16, 3, dtype=dtype))
MODELS["rrelu_glu_shrinks"] = lambda dtype: nn.Sequential(  # RReLU draws, as Dropout
    nn.Linear(5, 16, dtype=dtype), nn.RReLU(), nn.Linear(16, 16, dtype=dtype), nn.GLU(),
    nn.CELU(0.5), nn.Softshrink(0.1), nn.Linear(8, 8, dtype=dtype), nn.Tanhshrink(),
    nn.Hardshrink(0.05), nn.Softmin(dim=1), nn.Linear(8, 3, dtype=dtype))
MODELS["rmsnorm_groupnorm"] = lambda dtype: nn.Sequential(
    nn.Linear(5, 16, dtype=dtype), nn.SiLU(), nn.RMSNorm(16, dtype=dtype),
    nn.Linear(16, 16, dtype=dtype), nn.GroupNorm(4, 16, dtype=dtype),
    nn.Linear(16, 3, dtype=dtype))
MODELS["flatten_unflatten"] = lambda dtype: nn.Sequential(
    nn.Unflatten(1, (5, 1)), nn.Flatten(), nn.Linear(5, 3, dtype=dtype))

LOSSES = {
    "cross_entropy": F.cross_entropy,
    "cross_entropy_sum": lambda z, y: F.cross_entropy(z, y, reduction="sum"),
    "cross_entropy_smoothed": lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1),
    "cross_entropy_weighted": lambda z, y: F.cross_entropy(
        z, y, weight=tn.tensor([1.0, 2.0, 0.5], dtype=z.dtype)),
    "nll_of_log_softmax": lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y),
    "bce_with_logits": lambda z, y: F.binary_cross_entropy_with_logits(
        z, F.one_hot(y, 3).to(z.dtype)),
    "mse": lambda z, y: F.mse_loss(z, F.one_hot(y, 3).to(z.dtype)),
    "l1": lambda z, y: F.l1_loss(z, F.one_hot(y, 3).to(z.dtype)),
    "huber": lambda z, y: F.huber_loss(z, F.one_hot(y, 3).to(z.dtype), delta=0.5),
    "mean_of_squares": lambda z, y: (z * z).mean() + z.std(),
}


def _assert_same(eager, captured, replays_at_least=1):
    (losses_a, params_a, _), (losses_b, params_b, step) = eager, captured
    assert losses_a == losses_b
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a, b)
    assert step.replays >= replays_at_least


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fast", [True, False], ids=["unrolled", "loops"])
def test_every_module_trains_bit_for_bit_as_eager(model, optimizer, dtype, fast):
    batches = _batches(6, 5, 3, 8, dtype)
    with tn.fast_paths(fast):  # fast paths: the replay unrolled; reference: its loops
        run = [_train(MODELS[model], F.cross_entropy, optimizer, batches, capture, dtype)
               for capture in (False, True)]
    _assert_same(*run, replays_at_least=4)


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fast", [True, False], ids=["unrolled", "loops"])
def test_every_loss_trains_bit_for_bit_as_eager(loss, dtype, fast):
    batches = _batches(5, 5, 3, 8, dtype)
    with warnings.catch_warnings(), tn.fast_paths(fast):
        warnings.simplefilter("error")  # none of these must fall back for good
        run = [_train(MODELS["gelu"], LOSSES[loss], "adam", batches, capture, dtype)
               for capture in (False, True)]
    _assert_same(*run, replays_at_least=3)


class _SecondOnly(tn.autograd.Function):
    """x + y, whose backward passes the gradient to y alone."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return None, grad


@pytest.mark.parametrize("fast", [True, False], ids=["unrolled", "loops"])
def test_shared_weights_and_inputs_that_require_grad_sum_as_the_engine(fast):
    """A weight used by two layers, an input used twice and requiring grad, an op output
    read by four ops, one of which gives it no gradient: every gradient arrives, is
    summed and is handed to its leaf as the engine does."""
    def run(capture):
        tn.manual_seed(0)
        shared = nn.Linear(4, 4)
        head = nn.Linear(4, 2)

        def forward(x, y):
            h = shared(x).tanh()
            h = shared(h) + h * h + _SecondOnly.apply(h, x.detach())  # x: once without grad
            return F.cross_entropy(head(h), y) + 0.5 * (x * x).sum()
        step = tn.capture(forward) if capture else forward
        x, grads = tn.randn(5, 4, requires_grad=True), []
        for y in ([0, 1, 1, 0, 1], [1, 1, 0, 0, 1], [0, 0, 1, 1, 0]):
            x.grad = None
            shared.zero_grad()
            head.zero_grad()
            step(x, tn.tensor(y)).backward()
            grads.append([p.grad.array for p in (x, *shared.parameters(),
                                                 *head.parameters())])
        return grads, step

    with tn.fast_paths(fast):
        (eager, _), (replayed, step) = run(False), run(True)
    assert step.replays == 1
    for a, b in zip(eager[-1], replayed[-1]):
        np.testing.assert_array_equal(a, b)


class _Doubled(tn.autograd.Function):
    """2x, whose backward returns the wrong number of gradients from its third call on
    (the first two are the recordings')."""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        _Doubled.calls += 1
        # (an extra None is allowed, as in PyTorch; an extra gradient is not)
        return (2 * grad,) if _Doubled.calls < 3 else (2 * grad, grad)


@pytest.mark.parametrize("fast", [True, False], ids=["unrolled", "loops"])
def test_a_backward_returning_too_many_gradients_gets_the_engines_error(fast):
    _Doubled.calls = 0
    w = tn.ones(3, requires_grad=True)
    with tn.fast_paths(fast):
        step = tn.capture(lambda x: (_Doubled.apply(w) * x).sum())
        for _ in range(2):
            step(tn.ones(3)).backward()
        loss = step(tn.ones(3))
    assert step.replays == 1
    with pytest.raises(RuntimeError, match=r"_Doubled.backward must return one gradient per "
                                           r"forward input \(1, None for an input that "
                                           r"needs none\), got 2"):
        loss.backward()


@pytest.fixture
def fast_paths_on():
    """For what only the fast paths do (the unrolled replay; switching them off), whatever
    TINYNET_FAST_PATHS says."""
    with tn.fast_paths(True):
        yield


def test_the_unrolled_replay_shows_its_lines_in_a_traceback_until_its_code_leaves_the_cache(
        fast_paths_on, monkeypatch):
    import gc
    import linecache
    import traceback

    class Fails(tn.autograd.Function):
        calls = 0

        @staticmethod
        def forward(ctx, x):
            Fails.calls += 1
            if Fails.calls > 2:
                raise ValueError("third call")
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    w = tn.ones(2, requires_grad=True)
    step = tn.capture(lambda: Fails.apply(w).sum())
    for _ in range(2):
        step().backward()
    with pytest.raises(ValueError, match="third call") as caught:
        step()
    frames = [f for f in traceback.extract_tb(caught.value.__traceback__)
              if f.filename.startswith("<tn.capture replay")]
    assert [f.line for f in frames] == ["v0 = forward0(ctx0, c0_0.array)"]
    filename = frames[0].filename
    del step, caught, frames
    gc.collect()
    assert filename in linecache.cache  # kept with its code, for the next such plan
    monkeypatch.setattr(_unroll, "CODE_KEPT", 1)
    other = tn.capture(lambda: (w * 2).sum())  # another text: the first one leaves
    for _ in range(3):
        other().backward()
    assert filename not in linecache.cache


def test_plans_of_the_same_ops_share_their_compiled_code(fast_paths_on, monkeypatch):
    compiled = []
    monkeypatch.setattr(_unroll, "compile", lambda *args: compiled.append(args[1]) or
                        compile(*args), raising=False)
    steps = []
    for activation in (nn.ReLU(), nn.Tanh(), nn.ReLU()):
        model = nn.Sequential(nn.Linear(3, 4), activation, nn.Linear(4, 2))
        x = tn.randn(5, 3)
        steps.append(tn.capture(lambda model=model, x=x: model(x).sum()))
        grads = []
        for _ in range(3):
            model.zero_grad()
            steps[-1]().backward()
            grads.append(model[0].weight.grad.array.copy())
        assert np.array_equal(grads[1], grads[2])
    # the same text (ops named by position, not by class): compiled once
    assert len(compiled) == 1
    plans = [next(iter(step._plans.values())) for step in steps]
    assert plans[0]._forward.__code__ is plans[1]._forward.__code__
    assert plans[0]._forward is not plans[1]._forward  # each with its own ops and contexts


@settings(max_examples=15, deadline=None)
@given(widths=st.lists(st.integers(1, 9), min_size=1, max_size=4),
       activation=st.sampled_from(["relu", "tanh", "gelu", "sigmoid"]),
       batch=st.integers(1, 7), seed=st.integers(0, 100))
def test_random_mlps_replay_bit_for_bit(widths, activation, batch, seed):
    def make(dtype):
        return tn.models.MLP(4, widths, 3, activation=activation, dtype=dtype,
                             generator=np.random.default_rng(seed))

    batches = _batches(4, 4, 3, batch, np.float32, seed=seed)
    run = [_train(make, F.cross_entropy, "sgd", batches, capture, np.float32)
           for capture in (False, True)]
    _assert_same(*run, replays_at_least=2)


# ---- what goes back to the eager path ------------------------------------------------
def _captured_linear():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    x, y = tn.randn(6, 3), tn.tensor([0, 1, 0, 1, 1, 0])
    for _ in range(3):
        step(x, y).backward()
    assert (step.eager_calls, step.replays) == (2, 1)
    return model, step, x, y


def _counts(step):
    return step.eager_calls, step.replays


def test_a_new_batch_shape_gets_its_own_recordings():
    model, step, x, y = _captured_linear()
    for _ in range(3):
        step(x[:4], y[:4]).backward()  # the last, smaller batch of an epoch
    assert _counts(step) == (4, 2)
    step(x, y).backward()
    assert _counts(step) == (4, 3)


@pytest.mark.parametrize("change, undo", [
    (lambda model: model.eval(), lambda model: model.train()),
    (lambda model: setattr(model[1], "training", False),  # one submodule's flag, set directly
     lambda model: setattr(model[1], "training", True)),
    (lambda model: tn.set_fast_paths(False), lambda model: tn.set_fast_paths(True)),
    (lambda model: model[0].register_forward_hook(lambda *a: None),
     lambda handle: handle.remove()),
    (lambda model: model[2].register_forward_pre_hook(lambda *a: None),
     lambda handle: handle.remove()),
])
def test_changes_that_could_alter_the_ops_run_eagerly(change, undo, fast_paths_on):
    model, step, x, y = _captured_linear()
    token = change(model)
    step(x, y).backward()
    assert _counts(step) == (3, 1)
    undo(token if token is not None and not isinstance(token, nn.Module) else model)
    step(x, y).backward()
    assert _counts(step) == (3, 2)


def test_no_grad_and_anomaly_mode_run_eagerly():
    model, step, x, y = _captured_linear()
    with tn.no_grad():
        assert not step(x, y).requires_grad
    with tn.autograd.detect_anomaly():
        step(x, y).backward()
    assert step.replays == 1


def test_a_parameter_of_another_shape_runs_eagerly():
    model, step, x, y = _captured_linear()
    model[2].weight.data = tn.zeros(2, 4)  # same shape: still replayed
    step(x, y).backward()
    assert step.replays == 2
    model[2].bias.data = tn.zeros(1)  # broadcasts, but not the recorded layout
    step(x, y).backward()
    assert step.replays == 2


def test_targets_out_of_range_take_the_eager_path_and_its_error():
    model, step, x, y = _captured_linear()
    with pytest.raises(IndexError, match="out of range for 2 classes"):
        step(x, tn.tensor([0, 1, 0, 1, 1, 5]))
    assert step.replays == 1


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh"])
def test_a_monitor_attached_later_sees_every_replayed_step_as_eager(activation):
    """Its activation hooks read the module's input and output: a replay hands them the
    replayed values, and the statistics are the eager ones bit for bit."""
    summaries = []
    for capture in (False, True):
        tn.manual_seed(0)
        model = tn.models.MLP(3, [8, 8], 2, activation=activation)
        loss_of = lambda x, y: F.cross_entropy(model(x), y)  # noqa: E731
        step = tn.capture(loss_of) if capture else loss_of
        monitor = None
        for i in range(6):
            if i == 3:
                monitor = tn.diagnostics.Monitor(model, every=1)
            x = tn.randn(6, 3)
            step(x, tn.tensor([0, 1, 0, 1, 1, 0])).backward()
        summaries.append(monitor.end_epoch())
    assert step.replays == 4
    np.testing.assert_equal(summaries[0], summaries[1])  # (nan: no update ratio, no step)
    assert summaries[1]["layers"]["1"]["act_hist"] != summaries[1]["layers"]["3"]["act_hist"]


# ---- never replayed -------------------------------------------------------------------------
@pytest.mark.parametrize("forward, reason", [
    (lambda m, x, y: F.cross_entropy(m(x) if x.sum().item() > 0 else -m(x), y),
     "ran different ops"),
    (lambda m, x, y: F.cross_entropy(m(x) * float(x.array.std()), y), "computed from the data"),
    (lambda m, x, y: F.cross_entropy(m(x) + tn.tensor(x.array.mean()), y),
     "computed from the data"),
])
def test_values_from_the_data_are_refused_with_a_warning(forward, reason):
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x, y: forward(model, x, y))
    rng = np.random.default_rng(0)
    signs = [1.0, -1.0, 1.0, -1.0]
    with pytest.warns(UserWarning, match=f"capture: this function runs eagerly.*{reason}"):
        for sign in signs:
            step(tn.tensor(sign * np.abs(rng.normal(size=(4, 3))).astype(np.float32)),
                 tn.tensor([0, 1, 1, 0])).backward()
    assert _counts(step) == (4, 0)


def test_batch_norm_in_training_is_not_replayed():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    with pytest.warns(UserWarning, match="parameters or buffers, as BatchNorm.s running"):
        for _ in range(3):
            step(tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])).backward()
    assert step.replays == 0
    assert model[1].num_batches_tracked.item() == 3  # every eager call updated it


@pytest.mark.parametrize("norm", [lambda: nn.BatchNorm1d(4, track_running_stats=False),
                                  lambda: (lambda h: F.batch_norm(h, None, None,
                                                                  training=True))])
def test_batch_statistics_without_running_ones_are_never_replayed(norm):
    """Two recorded calls on the same batch must not make its mean and variance
    constants of a replay: the next batch is normalised by its own."""
    tn.manual_seed(0)
    lin, bn = nn.Linear(3, 4), norm()
    step = tn.capture(lambda x: (bn(lin(x)) ** 2).sum())
    first, other = tn.randn(5, 3), tn.randn(5, 3) * 3 + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (it says the function runs eagerly)
        got = [step(x).item() for x in (first, first.clone(), other)]
    assert got[2] == (bn(lin(other)) ** 2).sum().item() and step.replays == 0


# ---- the replayed loss's graph ------------------------------------------------------------
def test_a_loss_must_be_backpropagated_before_the_next_call():
    model, step, x, y = _captured_linear()
    first = step(x, y)
    second = step(x, y)
    with pytest.raises(RuntimeError, match="call backward\\(\\) before calling the function"):
        first.backward()
    second.backward()


def test_changing_a_saved_parameter_before_backward_is_caught():
    model, step, x, y = _captured_linear()
    loss = step(x, y)
    assert step.replays == 2
    with tn.no_grad():
        model[2].weight.add_(1.0)
    # the op that saved it named, as eagerly (not the replayed call's graph node)
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation: a tensor of "
                                           r"shape \(2, 4\) used by Linear \(replayed by "
                                           r"tn.capture\) is at version"):
        loss.backward()


def _tanh_step(capture):
    """A small Tanh model, its loss function (captured or not) and an input requiring
    grad with its targets."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y)) if capture else \
        (lambda x, y: F.cross_entropy(model(x), y))
    return model, step, tn.randn(6, 3, requires_grad=True), tn.tensor([0, 1, 0, 1, 1, 0])


def test_retain_graph_twice_and_extra_eager_terms_match_eager():
    def run(capture):
        model, step, x, y = _tanh_step(capture)
        for _ in range(3):
            model.zero_grad()
            x.grad = None
            loss = step(x, y) + 0.1 * (model[0].weight ** 2).sum()
            loss.backward(retain_graph=True)
            loss.backward()
        return [p.grad.array for p in model.parameters()] + [x.grad.array], step

    (eager, _), (replayed, step) = run(False), run(True)
    assert step.replays == 1
    for a, b in zip(eager, replayed):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("capture", [False, True])
@pytest.mark.parametrize("extra_terms", [False, True])
def test_backward_frees_the_steps_saved_arrays_unless_the_graph_is_retained(capture,
                                                                            extra_terms):
    """The first Linear saves its input: once backward has run (the second, after
    retain_graph=True), the input batch is freed when the caller drops it, as eager,
    whether the loss is the replayed call's or has eager terms added to it. (The two
    recorded calls that come first are eager ones.)"""
    import weakref
    model, step, x, y = _tanh_step(capture)
    for _ in range(2):
        step(x.detach(), y).backward()
    for retained in (0, 1, 2):
        batch = np.random.default_rng(retained).standard_normal((6, 3), np.float32)
        x = tn.tensor(batch)
        freed = weakref.ref(x.array)
        loss = step(x, y)
        if extra_terms:
            loss = loss * 2.0 + 0.1 * (model[0].weight ** 2).sum()
        del x
        for _ in range(retained):
            loss.backward(retain_graph=True)
            assert freed() is not None  # kept for the next backward
        loss.backward()
        assert freed() is None
    assert not capture or step.replays == 3


def test_a_replayed_loss_backpropagated_itself_fills_grads_and_runs_hooks_as_eager():
    """The replayed node as the root (the engine hands its gradients straight to the
    leaves): gradients accumulated over two backward passes (retain_graph), the loss's
    retained gradient, an input's gradient, and post-accumulate hooks in eager's order."""
    def run(capture):
        model, step, x, y = _tanh_step(capture)
        order = []
        for name, p in model.named_parameters():
            p.register_post_accumulate_grad_hook(lambda t, name=name: order.append(name))
        for _ in range(3):
            order.clear()
            model.zero_grad()
            x.grad = None
            loss = step(x, y)
            loss.retain_grad()
            loss.backward(retain_graph=True)
            loss.backward()
        grads = [p.grad.array for p in model.parameters()] + [x.grad.array, loss.grad.array]
        return grads, order, step

    (eager, eager_order, _), (replayed, order, step) = run(False), run(True)
    assert step.replays == 1
    assert order == eager_order and len(order) == 8  # 4 parameters, twice
    for a, b in zip(eager, replayed):
        np.testing.assert_array_equal(a, b)
    assert replayed[-1] == 2.0  # dL/dL, once per backward pass


@pytest.mark.parametrize("existing_grad", [False, True])
def test_an_input_that_is_also_a_parameter_read_runs_eagerly(existing_grad):
    """The parameter would get gradients as the input and as the leaf the function
    reads: eager sums them in the order they arrive over the whole graph, which a
    replay's per-slot sums cannot follow. Such a call runs eagerly: the same gradients,
    its hook run once."""
    def run(capture):
        tn.manual_seed(0)
        linear = nn.Linear(16, 16)
        z = tn.randn(8, 16)
        hooked = []
        linear.weight.register_post_accumulate_grad_hook(lambda t: hooked.append(1))

        def f(x):  # x's newest use's gradient arrives first, then the weight's, then x's
            return (x * 1.3).tanh().sum() + (linear(z) ** 2).sum() + (x * 0.7).sin().sum()
        step = tn.capture(f) if capture else f
        for i in range(4):
            x = linear.weight if i >= 2 else tn.randn(16, 16, requires_grad=True)
            linear.zero_grad()
            if existing_grad:
                linear.weight.grad = tn.full((16, 16), 0.1)
            hooked.clear()
            step(x).backward()
        return linear.weight.grad.array, len(hooked), step

    (eager, eager_hooks, _), (replayed, hooks, step) = run(False), run(True)
    assert step.replays == 0 and step.eager_calls == 4 and hooks == eager_hooks == 1
    np.testing.assert_array_equal(eager, replayed)


def test_tensors_that_are_no_leaves_keep_their_graph_eagerly():
    """An input made by ops that record gradients runs eagerly (its gradient goes on to
    the leaf behind it); a function reading such a tensor kept across calls is never
    replayed, with a warning."""
    tn.manual_seed(0)
    linear = nn.Linear(3, 2)
    step = tn.capture(lambda x: (linear(x) ** 2).sum())
    a = tn.randn(4, 3, requires_grad=True)
    for _ in range(3):
        a.grad = None
        step(a * 2.0).backward()
        expected = 2 * (2 * (linear(a * 2.0)) @ linear.weight).array  # d/da of the sum
        np.testing.assert_allclose(a.grad.array, expected, rtol=1e-5)
    assert step.replays == 0

    w = tn.randn(3, 2, requires_grad=True)
    w2 = w * 2.0
    kept = tn.capture(lambda x: ((x @ w2) ** 2).sum())
    with pytest.warns(UserWarning, match="made before the call by ops that record"):
        for _ in range(3):
            w.grad = None
            kept(tn.randn(4, 3)).backward(retain_graph=True)
    assert kept.replays == 0 and w.grad is not None and w2.grad is None


def test_a_retried_backward_after_a_raising_hook_raises_as_eager():
    """The replayed loss's graph is freed before the leaves' hooks run, as the engine
    frees each node: a second backward() raises instead of adding the gradients twice."""
    def run(capture):
        tn.manual_seed(0)
        model = nn.Linear(3, 2)
        fail = []

        def hook(t):
            if fail:
                fail.clear()
                raise ValueError("boom")
        model.bias.register_post_accumulate_grad_hook(hook)
        f = lambda x, y: F.cross_entropy(model(x), y)  # noqa: E731
        step = tn.capture(f) if capture else f
        x, y = tn.randn(4, 3), tn.tensor([0, 1, 1, 0])
        for _ in range(2):
            step(x, y).backward()
        loss = step(x, y)
        fail.append(1)
        with pytest.raises(ValueError, match="boom"):
            loss.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            loss.backward()
        return step

    run(False)
    assert run(True).replays == 1


def test_a_tuple_result_gives_the_loss_and_detached_outputs():
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x, y: (lambda z: (F.cross_entropy(z, y), z))(model(x)))
    x, y = tn.randn(4, 3), tn.tensor([0, 1, 1, 0])
    results = [step(x, y) for _ in range(3)]
    (loss, logits), (eager_loss, eager_logits) = results[2], results[1]
    assert step.replays == 1 and not logits.requires_grad
    np.testing.assert_array_equal(logits.array, eager_logits.array)
    assert loss.item() == eager_loss.item()


@pytest.mark.parametrize("fn, message", [(None, "fn must be callable"),
                                         ("not a function", "fn must be callable")])
def test_capture_takes_a_function(fn, message):
    with pytest.raises(TypeError, match=f"capture: {message}"):
        tn.capture(fn)


# ---- fit(capture=True) ------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_fit_with_capture_trains_bit_for_bit_as_without(loss):
    data = tn.data.load_dataset("wine", seed=0)
    y = data.y_train if loss == "cross_entropy" else (data.y_train == 1).astype(np.float32)
    runs = []
    for capture in (False, True):
        model = tn.models.MLP(data.n_features, [16, 16], data.n_classes if loss ==
                              "cross_entropy" else 1, activation="gelu",
                              generator=np.random.default_rng(0))
        history = tn.fit(model, data.X_train, y, loss=loss, lr=0.01, epochs=3,
                         batch_size=16, seed=0, progress=False, monitor=False, capture=capture,
                         validation_data=(data.X_test, data.y_test if loss == "cross_entropy"
                                          else (data.y_test == 1).astype(np.float32)))
        runs.append((model, history))
    (plain, plain_history), (captured, captured_history) = runs
    for a, b in zip(plain.parameters(), captured.parameters()):
        np.testing.assert_array_equal(a.array, b.array)
    keys = ("train_loss", "train_acc", "val_loss", "val_acc")
    assert [[r[k] for k in keys] for r in plain_history.records] == \
        [[r[k] for k in keys] for r in captured_history.records]
    # 133 samples in batches of 16: 8 full ones and one of 5 per epoch, two eager calls each
    assert captured_history.config["replayed_steps"] == 3 * 9 - 4


def test_replay_safe_hooks_run_as_often_and_in_the_order_of_an_eager_call():
    """A hook marked replay_safe runs on replayed calls too: once per call of its module
    (here the model runs twice per call), in the order an eager call runs them."""
    tn.manual_seed(0)
    a, b = tn.nn.Linear(3, 4), tn.nn.Linear(4, 2)
    model = tn.nn.Sequential(a, b)
    log = []

    def hook_named(name):
        def hook(module, inputs, output):
            log.append(name)
        hook.replay_safe = True
        return hook

    for module, name in ((a, "a"), (b, "b"), (model, "model#1"), (model, "model#2")):
        module.register_forward_hook(hook_named(name))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y)
                      + F.cross_entropy(model(2 * x), y))
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(4):
        log.clear()
        step(x, y).backward()
        assert log == ["a", "b", "model#1", "model#2"] * 2
    assert step.replays == 2


def test_a_hooked_module_whose_forward_raises_inside_the_function_replays_as_eager():
    """A module whose forward raises, caught inside the function, never ends its call:
    its hook runs on no eager call, and none on a replayed one."""
    class Refuses(tn.nn.Module):
        def forward(self, x):
            raise ArithmeticError("not today")

    tn.manual_seed(0)
    model, refuses, log = tn.nn.Linear(3, 2), Refuses(), []

    def hook(module, inputs, output):
        log.append("ran")
    hook.replay_safe = True
    refuses.register_forward_hook(hook)

    def loss_of(x, y):
        try:
            refuses(x)
        except ArithmeticError:
            pass
        return F.cross_entropy(model(x), y)

    step = tn.capture(loss_of)
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    losses = [step(x, y).item() for _ in range(4)]
    assert step.replays == 2 and log == []
    assert losses == [F.cross_entropy(model(x), y).item()] * 4


def test_reading_hooks_get_each_calls_values_in_eager_order():
    """A hook marked replay_reads gets, on replayed calls, its module call's inputs and
    output with the eager values (a module called twice: each call's own), in eager's
    order among the replay_safe hooks."""
    def run(capture):
        tn.manual_seed(0)
        a, b = tn.nn.Linear(3, 4), tn.nn.Tanh()
        model = tn.nn.Sequential(a, b, tn.nn.Identity())
        log = []

        def hook_named(name, reads):
            def hook(module, inputs, output):
                log.append((name, [i.array.copy() for i in inputs], output.array.copy(),
                            type(output.grad_fn), output is inputs[0]) if reads else name)
            setattr(hook, "replay_reads" if reads else "replay_safe", True)
            return hook

        for module, name, reads in ((a, "a", True), (b, "b", True), (model, "model", False),
                                    (model[2], "identity", True)):
            module.register_forward_hook(hook_named(name, reads))
        def loss_of(x, y):
            return F.cross_entropy(model(x), y) + F.cross_entropy(model(-x), y)
        step = tn.capture(loss_of) if capture else loss_of
        logs = []
        for i in range(4):
            log.clear()
            step(tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])).backward()
            logs.append(list(log))
        return logs, step

    (eager, _), (replayed, step) = run(False), run(True)
    assert step.replays == 2
    assert [[e if isinstance(e, str) else e[0] for e in log] for log in replayed] == \
        [["a", "b", "identity", "model"] * 2] * 4
    for log_e, log_r in zip(eager, replayed):
        for e, r in zip(log_e, log_r):
            if isinstance(e, str):
                assert e == r
            else:
                assert len(e[1]) == len(r[1]) == 1
                np.testing.assert_array_equal(e[1][0], r[1][0])
                np.testing.assert_array_equal(e[2], r[2])
                assert e[3] is r[3] and e[3].__name__ in ("Linear", "Tanh")  # its op
                assert e[4] == r[4] == (e[0] == "identity")  # one tensor per value


@pytest.mark.parametrize("every", [1, 2, 3, 4])
def test_hooks_changing_hooks_within_a_call_take_effect_as_eagerly(every):
    """The model called twice per step: the Monitor's counter, at the end of the first
    call, attaches or removes the activation hooks for the second, and a probe removes
    itself after its first run. A replay reads each call's hooks as that call ends."""
    def run(capture):
        tn.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
        monitor = tn.diagnostics.Monitor(model, every=every)
        def f(x, y):
            return F.cross_entropy(model(x), y) + F.cross_entropy(model(-x), y)
        step = tn.capture(f) if capture else f
        probed = []
        rng = np.random.default_rng(0)
        for i in range(9):
            def probe(module, inputs, output, i=i):
                probed.append(i)
                handle.remove()
            probe.replay_reads = True
            handle = model[2].register_forward_hook(probe)
            x = tn.from_numpy(rng.standard_normal((5, 3)).astype(np.float32))
            model.zero_grad()
            step(x, tn.tensor([0, 1, 0, 1, 1])).backward()
        return monitor.end_epoch()["layers"]["1"], probed, step

    (eager, eager_probed, _), (replayed, probed, step) = run(False), run(True)
    assert step.replays == 7
    assert probed == eager_probed == list(range(9))
    assert replayed == eager


@pytest.mark.parametrize("how", ["no_grad", "eval"])
def test_a_hooked_call_with_a_module_run_in_another_mode_inside_runs_eagerly(how):
    """Hooks read their module's mode and grad mode (the Monitor skips what is not a
    training forward with gradients): a function running the model under no_grad or in
    eval() for a target runs eagerly while hooks are attached, and is counted as eagerly."""
    def run(capture):
        tn.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 3))
        monitor = tn.diagnostics.Monitor(model, every=1)

        def f(x, x2):
            if how == "no_grad":
                with tn.no_grad():
                    target = model(x2)
            else:
                model.eval()
                target = model(x2).detach()
                model.train()
            return F.mse_loss(model(x), target)
        step = tn.capture(f) if capture else f
        rng = np.random.default_rng(0)
        for _ in range(5):
            x, x2 = (tn.from_numpy(rng.standard_normal((5, 3)).astype(np.float32))
                     for _ in range(2))
            step(x, x2).backward()
        return monitor._forwards, monitor.end_epoch()["layers"]["1"], step

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (eval mode: the two calls' flags)
        (eager_count, eager, _), (count, replayed, step) = run(False), run(True)
    assert step.replays == 0
    assert count == eager_count == 5 and replayed == eager


def test_a_hook_added_during_a_replayed_call_that_it_cannot_run_raises():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    arm = []

    def adder(module, inputs, output):
        if arm:
            model[2].register_forward_hook(lambda *a: None)  # not marked
    adder.replay_safe = True
    model[0].register_forward_hook(adder)
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(3):
        step(x, y).backward()
    arm.append(1)
    with pytest.raises(RuntimeError, match="hook of Linear was added during a replayed call"):
        step(x, y)
    assert step.replays == 2


def test_a_reading_hook_on_values_a_replay_lacks_runs_the_call_eagerly():
    """A module returning a tuple: its output is no tensor an op made, so a call with a
    reading hook on it runs eagerly (the hook sees it); without the hook it replays."""
    class Both(tn.nn.Module):
        def forward(self, x):
            return x, 2 * x

    tn.manual_seed(0)
    linear, both = tn.nn.Linear(3, 2), Both()
    step = tn.capture(lambda x, y: F.cross_entropy(sum(both(linear(x))), y))
    seen = []

    def hook(module, inputs, output):
        seen.append(len(output))
    hook.replay_reads = True
    handle = both.register_forward_hook(hook)
    x, y = tn.randn(4, 3), tn.tensor([0, 1, 1, 0])
    for _ in range(4):
        step(x, y).backward()
    assert step.replays == 0 and seen == [2] * 4
    handle.remove()
    step(x, y).backward()
    assert step.replays == 1


def test_a_hook_that_is_not_replay_safe_stops_recording_while_it_is_there(monkeypatch):
    """Calls that run such a hook are not recorded (replay would skip the hook), and while
    it stays no call is even recorded; once it is removed, capture records and replays."""
    from tinynet.autograd import replay
    recordings = []
    original = replay._Recording

    def counted(*args):
        recordings.append(1)
        return original(*args)

    monkeypatch.setattr(replay, "_Recording", counted)
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2))
    seen = []
    handle = model[1].register_forward_hook(lambda m, i, out: seen.append(out.array.copy()))
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(5):
        step(x, y).backward()
    assert len(seen) == 5 and step.replays == 0 and len(recordings) == 1
    handle.remove()
    for _ in range(4):
        step(x, y).backward()
    assert step.replays == 2 and len(recordings) == 3


@pytest.mark.parametrize("change", ["mark removed", "hook put in the dict", "dict cleared"])
def test_hooks_changed_without_setting_an_attribute_are_seen(change):
    """While no module attribute changes, the guards re-read only the hooked modules'
    hooks: a mark taken off after registering, a hook put straight into the dict, or the
    dict cleared are still seen (eager, eager, and replaying without the hook)."""
    tn.manual_seed(0)
    model = tn.nn.Sequential(tn.nn.Linear(3, 4), tn.nn.Tanh(), tn.nn.Linear(4, 2))
    log = []

    def counter(module, inputs, output):
        log.append("counted")
    counter.replay_safe = True
    model.register_forward_hook(counter)
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(4):
        step(x, y).backward()
    assert step.replays == 2 and len(log) == 4
    seen = []
    if change == "mark removed":
        counter.replay_safe = False
    elif change == "hook put in the dict":
        model._forward_hooks[12345] = lambda m, i, out: seen.append(out.array.copy())
    else:
        model._forward_hooks.clear()
    for _ in range(3):
        step(x, y).backward()
    if change == "dict cleared":
        assert step.replays == 5 and len(log) == 4  # no hook left to run
    else:
        assert step.replays == 2 and len(log) == 7  # eager: every hook ran
        assert len(seen) == (3 if change == "hook put in the dict" else 0)


@pytest.mark.parametrize("every", [1, 3, 4])
def test_fit_with_capture_and_a_monitor_replays_every_step(every):
    """The Monitor attaches its activation hooks only for the steps it observes; they
    read their module's input and output, which replays hand them, so every step but
    the two recorded ones is replayed, and the diagnostics and the training are the
    eager ones bit for bit."""
    import warnings
    data = tn.data.load_dataset("iris", seed=0)
    runs = []
    for capture in (False, True):
        tn.manual_seed(0)
        model = tn.models.MLP(4, [8, 8], 3, activation="gelu")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "never replayed" warning
            history = tn.fit(model, data.X_train, data.y_train, epochs=3, batch_size=16,
                             progress=False, capture=capture, monitor=every, seed=0)
        runs.append((model, history))
    (plain, plain_history), (captured, captured_history) = runs
    for a, b in zip(plain.parameters(), captured.parameters()):
        np.testing.assert_array_equal(a.array, b.array)
    def without_time(records):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in records]

    assert without_time(plain_history.records) == without_time(captured_history.records)
    # 112 samples in batches of 16: 7 steps an epoch, all replayed but the two eager
    # calls recorded first
    assert captured_history.config["replayed_steps"] == 3 * 7 - 2


# ---- the unrolled replay: copies, memory, size ---------------------------------------
def _replayed_linear():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    step = tn.capture(_CrossEntropyOf(model))
    x, y = tn.randn(6, 3), tn.tensor([0, 1, 0, 1, 1, 0])
    for _ in range(3):
        model.zero_grad()
        step(x, y).backward()
    assert step.replays == 1
    return model, step, x, y


class _CrossEntropyOf:
    """A picklable forward function: the cross-entropy of ``model``'s logits."""

    def __init__(self, model):
        self.model = model

    def __call__(self, x, y):
        return F.cross_entropy(self.model(x), y)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_capture_replays_its_own_model(how):
    """A copy of (model, captured step) replays on the copy's parameters and contexts:
    the original's gradients are untouched and the copy's equal an eager call's."""
    import copy
    import pickle

    model, step, x, y = _replayed_linear()
    twin_model, twin_step = copy.deepcopy((model, step)) if how == "deepcopy" else \
        pickle.loads(pickle.dumps((model, step)))
    original = [p.grad.array.copy() for p in model.parameters()]
    with tn.no_grad():
        twin_model[0].weight.mul_(0.5)
    twin_model.zero_grad()
    loss = twin_step(x, y)
    loss.backward()
    assert twin_step.replays == 2
    replayed = [p.grad.array.copy() for p in twin_model.parameters()]
    twin_model.zero_grad()
    eager = F.cross_entropy(twin_model(x), y)
    eager.backward()
    assert loss.item() == eager.item()
    for a, b in zip(replayed, [p.grad.array for p in twin_model.parameters()]):
        np.testing.assert_array_equal(a, b)
    for a, p in zip(original, model.parameters()):
        np.testing.assert_array_equal(a, p.grad.array)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_capture_knows_its_own_modules_with_hooks(how):
    """A reading hook on a module whose output is a tuple (no value a replay has): the
    original and its copy both run such calls eagerly, the hook seeing the output, and
    replay with the Monitor's hooks on its copied model."""
    import copy
    import pickle

    tn.manual_seed(0)
    net = _SplitNet()  # a module, so that a copy of (net, step) calls the copied net
    step = tn.capture(net)
    x, y = tn.randn(5, 3), tn.tensor([0, 1, 0, 1, 1])
    for _ in range(3):
        step(x, y).backward()
    twin, twin_step = copy.deepcopy((net, step)) if how == "deepcopy" else \
        pickle.loads(pickle.dumps((net, step)))
    seen = []
    twin.split.register_forward_hook(_count_outputs(seen))
    twin_step(x, y).backward()
    assert seen == [2] and twin_step.replays == 1  # eagerly, as the original would
    monitor = tn.diagnostics.Monitor(twin.body, every=1)
    for _ in range(2):
        twin_step(x, y).backward()
    assert twin_step.replays == 1 and seen == [2] * 3
    assert sum(monitor.end_epoch()["layers"]["1"]["act_hist"]) == 2 * 5 * 4


class _Split(tn.nn.Module):
    def forward(self, x):
        return x, 2 * x


class _SplitNet(tn.nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.split = nn.Sequential(nn.Linear(3, 4), nn.Tanh()), _Split()

    def forward(self, x, y):
        return F.cross_entropy(sum(self.split(self.body(x))), y)


def _count_outputs(seen):
    def hook(module, inputs, output):
        seen.append(len(output))
    hook.replay_reads = True
    return hook


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("hooked", [False, True])
def test_a_dropped_capture_frees_its_saved_arrays_without_the_cycle_collector(fast, hooked):
    import gc
    import weakref

    with tn.fast_paths(fast):  # the unrolled replay, or its loops
        model, step, x, y = _replayed_linear()
        if hooked:  # a replay keeping what the hook reads
            seen = []
            model[1].register_forward_hook(_count_outputs(seen))
            step(x, y).backward()
            assert seen == [6] and step.replays == 2
    plan = next(iter(step._plans.values()))
    assert plan.unrolled == fast
    contexts = [weakref.ref(op.ctx) for op in plan.ops]
    gc.collect()
    gc.disable()
    try:
        del plan, step
        assert [c() for c in contexts] == [None] * len(contexts)
    finally:
        gc.enable()


def test_plans_longer_than_the_unroll_limit_replay_with_the_loops(monkeypatch):
    from tinynet.autograd import _plan
    monkeypatch.setattr(_plan, "UNROLL_MAX_OPS", 2)
    batches = _batches(4, 5, 3, 8, np.float32)
    run = [_train(MODELS["tanh"], F.cross_entropy, "sgd", batches, capture, np.float32)
           for capture in (False, True)]
    _assert_same(*run, replays_at_least=2)
    plan = next(iter(run[1][2]._plans.values()))
    assert not plan.unrolled and plan._forward is None and plan._backward is None


READS = {  # reading values into Python, or making a shape from them
    "item": lambda h: h.sum().item() > 0, "bool": lambda h: bool(h.sum() > 0),
    "float": lambda h: float(h.mean()), "int": lambda h: int(h.sum() > 0),
    "tolist": lambda h: h.tolist(), "numpy": lambda h: h.detach().numpy(),
    "asarray": lambda h: np.asarray(h.detach()), "format": lambda h: f"{h.sum():.3f}",
    "print": lambda h: print(h), "repr": lambda h: repr(h),
    "allclose": lambda h: h.allclose(h), "equal": lambda h: h.equal(h),
    "mask": lambda h: h[h > 0], "nonzero": lambda h: (h > 0).nonzero(),
    "where": lambda h: tn.where(h > 0),
    "repeat_interleave": lambda h: h.reshape(-1)[:2].repeat_interleave(tn.tensor([1, 2])),
    "one_hot": lambda h: F.one_hot((h > 0).long().reshape(-1)),
    "argmax": lambda h: h.argmax(1), "Tensor": lambda h: tn.Tensor(h.detach()),
    "new_tensor": lambda h: h.new_tensor(h.detach()),
    "copy_": lambda h: tn.zeros(4, 2).copy_(h.detach()),
    "setitem": lambda h: tn.zeros(4, 2).__setitem__(Ellipsis, h.detach()),
    "fill_": lambda h: tn.empty(2).fill_(h.detach()[0, 0]),
    "bernoulli": lambda h: tn.bernoulli(h.detach().sigmoid()),
    "div_trunc": lambda h: tn.div(h.detach().long(), 2, rounding_mode="trunc")}


@pytest.mark.parametrize("read", sorted(READS))
def test_a_function_reading_tensor_values_is_never_replayed(read, capsys):
    """A function that reads values into Python may branch on them: its two recorded
    calls can take the same branch and a later call another, which a replay would miss.
    Such a function runs eagerly, with one warning, and gives the eager numbers."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)

    def forward(x):
        h = model(x)
        READS[read](h)
        return h.pow(2).sum()
    step = tn.capture(forward)
    with pytest.warns(UserWarning, match="reads tensor values into Python"):
        for x in (tn.ones(4, 3), tn.ones(4, 3), -tn.ones(4, 3)):
            loss = step(x)
    assert (step.replays, step.eager_calls) == (0, 3)
    assert loss.item() == forward(-tn.ones(4, 3)).item()


def test_a_branch_on_a_value_read_takes_effect_under_capture():
    """The case the guard exists for: the first two calls take one branch, the third the
    other; the third call's loss is the eager one."""
    tn.manual_seed(0)
    w = tn.ones(3, requires_grad=True)

    def forward(x):
        s = (x * w).sum()
        return s * 10 if s.item() > 0 else s
    step = tn.capture(forward)
    with pytest.warns(UserWarning, match="reads tensor values"):
        losses = [step(x).item() for x in (tn.ones(3), tn.ones(3), -tn.ones(3))]
    assert losses == [30.0, 30.0, -3.0]


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_an_ignored_class_missing_from_the_recorded_batches_is_still_ignored(loss):
    """Which op runs does not depend on whether a batch holds the ignored class: the
    third call, the first to hold it, ignores its rows as an eager call does."""
    tn.manual_seed(0)
    model = nn.Linear(3, 4)
    fn = F.cross_entropy if loss == "cross_entropy" else \
        (lambda z, y, **kw: F.nll_loss(F.log_softmax(z, dim=1), y, **kw))
    step = tn.capture(lambda x, y: fn(model(x), y, ignore_index=0))
    x = tn.randn(4, 3)
    for y in ([1, 2, 3, 1], [1, 2, 3, 2], [0, 0, 1, 2]):
        loss_value = step(x, tn.tensor(y))
    assert step.replays == 1
    assert loss_value.item() == fn(model(x), tn.tensor([0, 0, 1, 2]), ignore_index=0).item()


@pytest.mark.parametrize("forward, error", [
    (lambda table, i: table(i).sum(), "embedding: indices must be in"),
    (lambda table, i: (F.one_hot(i, 3) * 1.0).sum() + table.weight.sum(),
     "one_hot: class indices must be in"),
    (lambda table, i: F.cross_entropy(table.weight[:2], i, label_smoothing=0.1),
     "out of range")],
    ids=["embedding", "one_hot", "cross_entropy_general"])
def test_indices_out_of_range_take_the_eager_path_and_its_error(forward, error):
    """Ops that trust their indices (rows of an embedding, classes) get the eager
    function's range check on replayed calls too: a negative index would wrap."""
    tn.manual_seed(0)
    table = nn.Embedding(5, 3)
    step = tn.capture(lambda i: forward(table, i))
    for good in ([1, 2], [2, 0], [0, 1]):
        step(tn.tensor(good)).backward()
    assert step.replays == 1
    with pytest.raises((IndexError, RuntimeError), match=error):
        step(tn.tensor([1, -1]))


@pytest.mark.parametrize("first", ["same", "different"])
def test_indexing_by_an_input_reads_the_input_when_replayed(first):
    """``table[i]`` with the call's index tensor i (a character MLP's ``C[X]``) replays
    with each call's indices, also when the two recorded calls had the same ones."""
    tn.manual_seed(0)
    table = tn.randn(6, 3, requires_grad=True)
    step = tn.capture(lambda i: (table[i] ** 2).sum())
    batches = [[1, 2, 3], [1, 2, 3] if first == "same" else [4, 0, 5], [5, 5, 0]]
    for indices in batches:
        table.grad = None
        loss = step(tn.tensor(indices))
        loss.backward()
    assert step.replays == 1
    table_grad = table.grad.array.copy()
    table.grad = None
    ((table[tn.tensor([5, 5, 0])] ** 2).sum()).backward()
    np.testing.assert_array_equal(table_grad, table.grad.array)
    assert loss.item() == (table[tn.tensor([5, 5, 0])] ** 2).sum().item()


def test_padded_and_clean_batches_replay_as_eager_cross_entropy():
    """With the default ignore_index=-100, a batch without padding takes the plain
    cross-entropy op and a padded one the general op: a plan replays only batches for
    which the eager function would take the op it recorded, and every step's gradients
    are the eager ones bit for bit."""
    def run(capture):
        tn.manual_seed(0)
        model = nn.Linear(3, 4)
        fn = lambda x, y: F.cross_entropy(model(x), y)  # noqa: E731
        step = tn.capture(fn) if capture else fn
        rng = np.random.default_rng(0)
        grads = []
        for padded in (1, 1, 0, 0, 1, 0, 1, 1, 0):
            y = rng.integers(0, 4, 8)
            if padded:
                y[rng.integers(0, 8, 3)] = -100
            model.zero_grad()
            x = tn.tensor(rng.standard_normal((8, 3)), dtype=tn.float32)
            step(x, tn.tensor(y)).backward()
            grads.append([p.grad.array.copy() for p in model.parameters()])
        return grads, step

    (eager, _), (replayed, step) = run(False), run(True)
    assert step.replays == 3  # the padded batches after the two recorded ones
    for a, b in zip(eager, replayed):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_embedding_positions_kept_across_calls_replay_and_are_checked():
    """Positions from a tensor kept across calls (a buffer) are read at each replay and
    range-checked; positions built inside the call cannot be told from indices made
    from the data by no op, so that function runs eagerly, with a warning saying why."""
    tn.manual_seed(0)
    table = nn.Embedding(6, 2)
    positions = tn.arange(4)
    step = tn.capture(lambda x: ((x + table(positions)) ** 2).sum())
    for _ in range(3):
        table.zero_grad()
        step(tn.randn(4, 2)).backward()
    assert step.replays == 1
    positions.array[0] = -1  # changed behind the op's back: the replay refuses it
    with pytest.raises(IndexError, match="embedding: indices must be in"):
        step(tn.randn(4, 2))
    built = tn.capture(lambda x: ((x + table(tn.arange(4))) ** 2).sum())
    with pytest.warns(UserWarning, match="keep them in a buffer"):
        for _ in range(3):
            built(tn.randn(4, 2)).backward()
    assert built.replays == 0


@pytest.mark.parametrize("forward, shape, error", [
    (lambda table, i: (F.one_hot(i.array, 3) * 1.0).sum() + table.weight.sum(), (2,),
     "one_hot: class indices must be in"),
    (lambda table, i: table.weight[:2].gather(1, i).sum(), (2, 1), "gather: index")],
    ids=["one_hot_of_the_array", "gather"])
def test_more_indices_out_of_range_take_the_eager_path_and_its_error(forward, shape, error):
    tn.manual_seed(0)
    table = nn.Embedding(5, 3)
    step = tn.capture(lambda i: forward(table, i))
    for good in ([1, 2], [2, 0], [0, 1]):
        step(tn.tensor(good).reshape(shape)).backward()
    assert step.replays == 1
    with pytest.raises((IndexError, RuntimeError), match=error):
        step(tn.tensor([1, -1]).reshape(shape))


def test_indices_derived_from_the_data_are_never_baked_in():
    """Labels made from a model's output (argmax: no op makes them) are read from the
    values: the function runs eagerly even when the two recorded calls agree."""
    tn.manual_seed(0)
    student, teacher = nn.Linear(3, 4), nn.Linear(3, 4)
    step = tn.capture(lambda x: F.cross_entropy(student(x), teacher(x).argmax(1)))
    warm, other = tn.randn(8, 3), tn.randn(8, 3)
    with pytest.warns(UserWarning, match="reads tensor values"):
        for x in (warm, warm, other):
            loss = step(x)
    assert step.replays == 0
    assert loss.item() == F.cross_entropy(student(other), teacher(other).argmax(1)).item()


@pytest.mark.parametrize("detached", ["input", "intermediate"])
def test_a_detached_tensor_is_read_at_each_call(detached):
    """x.detach() shares x's array: a replay reads the call's values, also when the two
    recorded calls had the same ones."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)

    def forward(x):
        h = model(x)
        other = x.detach().sum(1, keepdim=True) if detached == "input" else h.detach()
        return (h * other).sum()
    step = tn.capture(forward)
    warm, new = tn.randn(4, 3), tn.randn(4, 3)
    for x in (warm, warm, new):
        model.zero_grad()
        loss = step(x)
        loss.backward()
    assert step.replays == 1
    replayed = [p.grad.array.copy() for p in model.parameters()]
    model.zero_grad()
    eager = forward(new)
    eager.backward()
    assert loss.item() == eager.item()
    for a, p in zip(replayed, model.parameters()):
        np.testing.assert_array_equal(a, p.grad.array)


def test_negative_int8_indices_take_the_eager_path_and_its_error():
    tn.manual_seed(0)
    table = nn.Embedding(200, 3)
    step = tn.capture(lambda i: table(i).sum())
    for good in ([1, 2, 3], [4, 5, 6], [7, 8, 9]):
        step(tn.from_numpy(np.array(good, np.int8))).backward()
    assert step.replays == 1
    with pytest.raises(IndexError, match="embedding: indices must be in"):
        step(tn.from_numpy(np.array([2, -100, 1], np.int8)))


CHANGES_IN_PLACE = {  # (forward of model and input) each writes into a tensor in place
    "loss_plus_penalty": lambda m, x: (lambda loss: loss.__iadd__((m.weight ** 2).sum()))(
        m(x).pow(2).sum()),
    "residual": lambda m, x: (lambda h: h.__iadd__(x[:, :2]).pow(2).sum())(m(x)),
    "input": lambda m, x: (x.__isub__(1), m(x).pow(2).sum())[1],
    "through_detach": lambda m, x: (lambda h: (h.detach().__iadd__(1), (h * h).sum())[1])(m(x)),
}


@pytest.mark.parametrize("change", sorted(CHANGES_IN_PLACE))
def test_a_function_changing_a_tensor_in_place_is_never_replayed(change):
    """An in-place change (loss += penalty, a residual h += x, a write into an input or
    through x.detach()) is not an op a replay could run again: the function runs
    eagerly, with a warning, and gives the eager numbers."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x: CHANGES_IN_PLACE[change](model, x))
    with pytest.warns(UserWarning, match="changes a tensor in place"):
        for x in (tn.ones(4, 3), tn.ones(4, 3), -tn.ones(4, 3)):
            loss = step(x.clone())
    assert step.replays == 0
    assert loss.item() == CHANGES_IN_PLACE[change](model, -tn.ones(4, 3)).item()


def test_inputs_sharing_an_array_run_eagerly():
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x, t: (model(x) * t.detach()[:, :1]).sum())
    a, b, c = tn.randn(4, 3), tn.randn(4, 3), tn.randn(4, 3)
    for x, t in ((a, a.detach()), (c, c.detach()), (a, b)):
        loss = step(x, t)
    assert step.replays == 0
    assert loss.item() == (model(a) * b[:, :1]).sum().item()


def test_an_op_output_passed_as_an_array_is_read_at_each_call():
    """masked_fill with a mask made by an op (k.bool()) gets each call's mask."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x, k: model(x).masked_fill(k.bool(), 0.0).pow(2).sum())
    x = tn.randn(4, 3)
    keep = [tn.tensor([[1, 0]] * 4), tn.tensor([[1, 0]] * 4), tn.tensor([[0, 1]] * 4)]
    for k in keep:
        loss = step(x, k)
    assert step.replays == 1
    assert loss.item() == model(x).masked_fill(keep[2].bool(), 0.0).pow(2).sum().item()


@pytest.mark.parametrize("kept", ["tensor", "attribute"])
def test_a_tensor_kept_across_calls_and_changed_in_the_call_is_never_replayed(kept):
    """A counter kept outside the call (a tensor, or a module attribute that is not a
    buffer) changed in place before any op reads it: a replay would skip the change."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    model.scale = tn.zeros(())
    counter = tn.zeros(()) if kept == "tensor" else model.scale
    step = tn.capture(lambda x: (model(x) * counter.add_(1)).sum())
    with pytest.warns(UserWarning, match="changes a tensor kept across calls"):
        losses = [step(tn.ones(4, 3)).item() for _ in range(4)]
    assert step.replays == 0
    assert counter.item() == 4.0 and losses[3] == 4 * losses[0]


def test_a_function_changing_its_inputs_requires_grad_is_not_recorded():
    tn.manual_seed(0)
    model = nn.Linear(3, 2)

    def forward(x):
        x.requires_grad_()
        return (model(x) ** 2).sum()
    step = tn.capture(forward)
    for _ in range(4):
        x = tn.ones(4, 3)
        step(x).backward()
        assert x.grad is not None
    assert step.replays == 0


def test_the_modules_are_checked_again_after_any_change_between_replays():
    """The guards skip the modules while no module attribute was set or deleted since
    they last passed: each change, after replays that skipped them, is seen."""
    model, step, x, y = _captured_linear()
    for _ in range(2):
        step(x, y).backward()  # replays that skip the modules' checks
    bias = model[2].bias
    del model[2].bias  # deleted, then set back: the same tensor, replayed
    model[2].bias = bias
    step(x, y).backward()
    assert _counts(step) == (2, 4)
    model[2].bias = nn.Parameter(bias.detach().clone())  # a new tensor: eager
    step(x, y).backward()
    assert _counts(step) == (3, 4)
    assert model[2].bias.grad is not None


def test_a_parameter_replaced_by_a_new_one_is_read():
    """model.weight = Parameter(...) after the recordings: the call runs eagerly and the
    new parameter gets its gradient (a replay would read, and train, the old one)."""
    tn.manual_seed(0)
    model = nn.Linear(3, 2)
    step = tn.capture(lambda x: (model(x) ** 2).sum())
    for _ in range(3):
        step(tn.ones(4, 3)).backward()
    assert step.replays == 1
    model.weight = nn.Parameter(tn.randn(2, 3))
    loss = step(tn.ones(4, 3))
    loss.backward()
    assert model.weight.grad is not None
    assert loss.item() == (model(tn.ones(4, 3)) ** 2).sum().item()


def _hooked_training(capture: bool, hook_inside=None, pre_hook_steps=0, steps=5):
    """Losses, gradients, hook calls and the step of a small model trained with tensor
    hooks on its parameters and loss (registered outside the function), a hook
    registered inside it (``hook_inside``: 'register_hook' or 'retain_grad'), and for
    the first ``pre_hook_steps`` steps a forward pre-hook that halves the last layer's
    input."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    calls = []
    for name, p in model.named_parameters():
        p.register_hook(lambda grad, name=name: calls.append(name) or grad * 0.5)
    handle = model[2].register_forward_pre_hook(
        lambda m, args: calls.append("pre-hook") or args[0] * 0.5)

    def forward(x, y):
        h = model[1](model[0](x))
        if hook_inside == "register_hook":
            h.register_hook(lambda grad: grad.clamp(-0.01, 0.01))
        elif hook_inside == "retain_grad":
            h.retain_grad()
        return F.cross_entropy(model[2](h), y)
    step = tn.capture(forward) if capture else forward
    x, y = tn.randn(6, 3), tn.tensor([0, 1, 0, 1, 1, 0])
    results = []
    for i in range(steps):
        if i == pre_hook_steps:
            handle.remove()
        model.zero_grad()
        loss = step(x, y)
        loss.register_hook(lambda grad: grad * 3)
        loss.backward()
        results.append([loss.array.copy()] + [p.grad.array.copy() for p in model.parameters()])
    return results, calls, step


def test_tensor_hooks_registered_outside_run_on_replayed_calls_as_eager():
    """Hooks on the parameters (the engine hands a replayed call's gradients to the
    leaves) and on the returned loss: the same gradients bit for bit, the same calls."""
    (eager, eager_calls, _), (replayed, calls, step) = \
        _hooked_training(False), _hooked_training(True)
    assert step.replays == 3 and calls == eager_calls and len(calls) == 4 * 5
    for a, b in zip(eager, replayed):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("how", ["register_hook", "retain_grad"])
def test_a_function_registering_a_tensor_hook_is_never_replayed(how):
    """A replay registers nothing: such a function runs eagerly, with a warning."""
    eager, _, _ = _hooked_training(False, hook_inside=how)
    with pytest.warns(UserWarning, match="registers a tensor hook"):
        replayed, _, step = _hooked_training(True, hook_inside=how)
    assert step.replays == 0
    for a, b in zip(eager, replayed):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_a_forward_pre_hook_runs_eagerly_and_its_calls_are_not_recorded():
    """The pre-hook changes its module's input before the forward, which a replay
    cannot do: the calls that run it run eagerly and are not recorded (a replay of
    them would go on halving once it is removed); then capture records and replays."""
    (eager, eager_calls, _), (hooked, calls, step) = \
        _hooked_training(False, pre_hook_steps=3, steps=6), \
        _hooked_training(True, pre_hook_steps=3, steps=6)
    assert calls == eager_calls and calls.count("pre-hook") == 3
    assert step.replays == 1 and step.eager_calls == 5
    for a, b in zip(eager, hooked):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_a_replay_checks_a_saved_view_of_an_input_as_eager_does():
    replayed = tn.capture(lambda x: tn.nn.functional.glu(x, -1))  # GLU saves x's halves
    for _ in range(4):
        x = tn.ones(2, 4).requires_grad_()
        y = replayed(x)
        with tn.no_grad():
            x.mul_(3)
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            y.sum().backward()
    assert replayed.replays == 2


def test_a_replayed_index_or_mask_changed_after_the_call_makes_backward_raise():
    """The index and mask tensors an op read (x[i], masked_fill(m, ...)) are version-checked
    on replayed calls too: changed in place before backward, it raises as eager does,
    where it gave a gradient from the new values."""
    w = tn.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    loss_of = tn.capture(lambda i, m: (w[i] * w[i]).sum() + (w.masked_fill(m, 0.0) ** 2).sum())
    for step in range(4):
        i, m = tn.tensor([0, 1]), tn.tensor([False, True, False, False])
        w.grad = None
        loss = loss_of(i, m)
        if step % 2:
            loss.backward()
            assert w.grad.tolist() == [4.0, 4.0, 6.0, 8.0]
            continue
        i[0], m[0] = 3, True
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            loss.backward()
    assert loss_of.replays == 2


def test_a_users_function_is_checked_in_replays_as_in_eager_calls():
    x = tn.tensor([1.0, 1.0, 1.0], dtype=tn.float64, requires_grad=True)
    w = tn.tensor([1.0, 2.0, 3.0], dtype=tn.float64, requires_grad=True)
    dot = tn.capture(lambda x, w: SavedArraysDot.apply(x, w))
    for _ in range(4):
        dot(x, w).backward()
    assert dot.replays == 2
    assert x.grad.tolist() == [4.0, 8.0, 12.0] and w.tolist() == [1.0, 2.0, 3.0]  # w intact
    y = tn.ones(2, requires_grad=True)
    scaled = tn.capture(lambda y: NumberGradScale.apply(y, 3.0).sum())
    for _ in range(4):  # two recordings, then replays: each refuses k's gradient
        with pytest.raises(RuntimeError, match="NumberGradScale.backward: it returned a "
                                               "gradient"):
            scaled(y).backward()
    assert scaled.replays == 2
