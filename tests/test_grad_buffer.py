"""A replayed call's gradient buffer (autograd/grad_buffer.py): the parameters' gradients
are views of one flat array, the optimizers read it without gathering, and no gradient
anyone holds ever changes behind their back."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import nn


@pytest.fixture(autouse=True)
def fast_paths_on():
    """The buffer is a fast path: the plan's ops must be the fast ones."""
    with tn.fast_paths(True):
        yield


def _model(dtype=np.float32, seed=0):
    tn.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8, dtype=dtype), nn.GELU("tanh"),
                         nn.LayerNorm(8, dtype=dtype), nn.Linear(8, 3, dtype=dtype))


def _data(dtype=np.float32, seed=1, batch=6):
    rng = np.random.default_rng(seed)
    return (tn.from_numpy(rng.standard_normal((batch, 5)).astype(dtype)),
            tn.from_numpy(rng.integers(0, 3, batch)))


def _replaying(model):
    """The model's loss, captured, after the two recorded calls (the next is replayed)."""
    step = tn.capture(lambda x, y: F.cross_entropy(model(x), y))
    for seed in (1, 2):
        model.zero_grad()
        step(*_data(model[0].weight.dtype, seed)).backward()
    model.zero_grad()
    return step


def _laid_end_to_end(arrays) -> bool:
    flat = arrays[0].base
    start = flat.__array_interface__["data"][0]
    for a in arrays:
        if a.base is not flat or a.__array_interface__["data"][0] != start:
            return False
        start += a.nbytes
    return flat.size == sum(a.size for a in arrays)


def test_replayed_gradients_are_views_of_one_flat_array_in_parameter_order():
    model = _model()
    step = _replaying(model)
    x, y = _data(seed=3)
    step(x, y).backward()
    assert step.replays == 1
    replayed = [p.grad.array for p in model.parameters()]
    assert _laid_end_to_end(replayed)
    eager_model = _model()
    F.cross_entropy(eager_model(x), y).backward()
    for a, p in zip(replayed, eager_model.parameters()):
        np.testing.assert_array_equal(a, p.grad.array)


@pytest.mark.parametrize("optimizer", ["sgd", "sgd_decay", "adam", "adamw", "adam_l2"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_optimizers_step_on_the_buffer_as_on_gathered_gradients(optimizer, dtype):
    """The foreach path reading the buffer in place and the per-parameter reference give
    the same parameters, bit for bit, over several steps; the gradients stay as the
    backward pass left them."""
    make = {"sgd": lambda p, f: tn.optim.SGD(p, lr=0.1, foreach=f),
            "sgd_decay": lambda p, f: tn.optim.SGD(p, lr=0.1, weight_decay=0.01, foreach=f),
            "adam": lambda p, f: tn.optim.Adam(p, lr=0.01, foreach=f),
            "adamw": lambda p, f: tn.optim.AdamW(p, lr=0.01, foreach=f),
            "adam_l2": lambda p, f: tn.optim.Adam(p, lr=0.01, weight_decay=0.1,
                                                  foreach=f)}[optimizer]
    runs = []
    for foreach in (True, False):
        model = _model(dtype)
        step, opt = _replaying(model), make(model.parameters(), foreach)
        for seed in range(3, 7):
            opt.zero_grad()
            step(*_data(dtype, seed)).backward()
            grads = [p.grad.array.copy() for p in model.parameters()]
            opt.step()
            for g, p in zip(grads, model.parameters()):
                np.testing.assert_array_equal(g, p.grad.array)
        assert step.replays == 4
        runs.append([p.array for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("keep", ["tensor", "array", "row", "reshaped", "loss"])
def test_a_gradient_kept_by_the_user_never_changes(keep):
    """After zero_grad(), the next replayed backward pass would reuse the buffer; what the
    user kept of the last gradients (the tensor, its array, a view of it) keeps its
    values, and the new gradients are an eager call's. Keeping the loss changes nothing."""
    model = _model()
    step = _replaying(model)
    loss = step(*_data(seed=3))
    loss.backward()
    weight = model[0].weight
    kept = {"tensor": lambda: weight.grad, "array": lambda: weight.grad.array,
            "row": lambda: weight.grad[0], "reshaped": lambda: weight.grad.reshape(-1),
            "loss": lambda: loss}[keep]()
    values = tn.tensor(kept).array.copy() if keep != "loss" else loss.item()
    model.zero_grad()
    x, y = _data(seed=4)
    step(x, y).backward()
    assert step.replays == 2
    if keep == "loss":
        assert loss.item() == values
    else:
        np.testing.assert_array_equal(tn.tensor(kept).array, values)
    eager_model = _model()
    F.cross_entropy(eager_model(x), y).backward()
    for a, b in zip(model.parameters(), eager_model.parameters()):
        np.testing.assert_array_equal(a.grad.array, b.grad.array)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_gradients_accumulate_over_replays_as_over_eager_calls(set_to_none):
    """Two backward passes per step without zeroing in between, zero_grad with or
    without set_to_none: the same gradients and parameters as eager, step after step."""
    def run(capture):
        model = _model()
        step = _replaying(model) if capture else \
            (lambda x, y: F.cross_entropy(model(x), y))
        opt = tn.optim.SGD(model.parameters(), lr=0.1)
        seen = []
        for seed in range(3, 7):
            opt.zero_grad(set_to_none=set_to_none)
            step(*_data(seed=seed)).backward()
            step(*_data(seed=seed + 10)).backward()
            seen += [p.grad.array.copy() for p in model.parameters()]
            opt.step()
        return seen + [p.array for p in model.parameters()], step

    (eager, _), (replayed, step) = run(False), run(True)
    assert step.replays == 8
    for a, b in zip(eager, replayed):
        np.testing.assert_array_equal(a, b)


def test_an_optimizer_over_the_parameters_in_another_order_gathers_them():
    """The buffer follows the order the function uses the parameters in; an optimizer
    listing them otherwise gathers them, with the same result."""
    runs = []
    for order in (1, -1):
        model = _model()
        step = _replaying(model)
        opt = tn.optim.Adam(list(model.parameters())[::order], lr=0.01)
        for seed in range(3, 6):
            opt.zero_grad()
            step(*_data(seed=seed)).backward()
            opt.step()
        runs.append([p.array for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_gradients_a_user_lays_out_in_one_array_are_read_but_not_changed():
    """Gradients set by hand as views of one flat array, in the optimizer's order, are
    read in place: the update is the per-parameter one and the array keeps its values."""
    params = [tn.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True),
              tn.tensor([1.0, -2.0], requires_grad=True)]
    flat = np.linspace(-1.0, 1.0, 8)
    updates = []
    for foreach in (True, False):
        for p, start, stop in zip(params, (0, 6), (6, 8)):
            p.array = np.arange(float(p.array.size)).reshape(p.array.shape)
            p.grad = tn.tensor(flat[start:stop].reshape(p.array.shape))
            p.grad.array = flat[start:stop].reshape(p.array.shape)  # a view, not a copy
        opt = tn.optim.SGD(params, lr=0.5, foreach=foreach)
        opt.step()
        opt.step()
        updates.append([p.array.copy() for p in params])
    np.testing.assert_array_equal(flat, np.linspace(-1.0, 1.0, 8))
    for a, b in zip(*updates):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(updates[0][1], np.arange(2.0) - 2 * 0.5 * flat[6:])


@settings(max_examples=15, deadline=None)
@given(widths=st.lists(st.integers(1, 9), min_size=1, max_size=4),
       layernorm=st.booleans(), optimizer=st.sampled_from(["sgd", "adam"]),
       seed=st.integers(0, 100))
def test_random_mlps_train_on_the_buffer_as_eager(widths, layernorm, optimizer, seed):
    """Plain SGD or Adam on random MLPs, with LayerNorm or not: the replayed steps (whose
    gradients are the buffer's views) give the eager parameters bit for bit."""
    def make():
        tn.manual_seed(seed)
        layers, d = [], 5
        for w in widths:
            layers += [nn.Linear(d, w), nn.Tanh()] + ([nn.LayerNorm(w)] if layernorm else [])
            d = w
        return nn.Sequential(*layers, nn.Linear(d, 3))

    runs = []
    for capture in (False, True):
        model = make()
        forward = lambda x, y, model=model: F.cross_entropy(model(x), y)  # noqa: E731
        step = tn.capture(forward) if capture else forward
        opt = tn.optim.SGD(model.parameters(), lr=0.1) if optimizer == "sgd" else \
            tn.optim.Adam(model.parameters(), lr=0.01)
        for i in range(5):
            opt.zero_grad()
            step(*_data(seed=seed + i)).backward()
            opt.step()
        runs.append([p.array for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def _buffer_of(step):
    (plan,) = [p for p in step._plans.values() if not isinstance(p, list)]
    return plan.buffer


@pytest.mark.parametrize("keep", ["nothing", "loss", "loss_value"])
def test_a_training_loop_reuses_one_buffer_and_the_optimizer_never_gathers(keep, monkeypatch):
    """In the usual loop (zero_grad, loss, backward, step), keeping the loss or its value
    or not, every replayed step writes into the same flat array and the optimizers read
    it where it is."""
    from tinynet.optim import _foreach

    def no_gathering(self):
        raise AssertionError("the optimizer gathered the gradients")

    for make in (lambda p: tn.optim.SGD(p, lr=0.1), lambda p: tn.optim.Adam(p, lr=0.01)):
        model = _model()
        step, opt = _replaying(model), make(model.parameters())
        kept, arrays = [], set()
        for seed in range(3, 9):
            opt.zero_grad()
            loss = step(*_data(seed=seed))
            loss.backward()
            opt.step()
            arrays.add(id(_buffer_of(step).flat))
            kept.append(loss if keep == "loss" else loss.item() if keep == "loss_value" else 0)
            monkeypatch.setattr(_foreach.FlatState, "gather_grads", no_gathering)
        monkeypatch.undo()
        assert step.replays == 6 and len(arrays) == 1


def test_after_one_step_of_other_gradients_the_optimizer_reads_the_buffer_again(monkeypatch):
    """A step whose gradients are not all the buffer's views (one replaced by hand) is
    gathered; the next ones, laid flat again, are read in place."""
    from tinynet.optim import _foreach
    gathered = []
    gather = _foreach.FlatState.gather_grads
    monkeypatch.setattr(_foreach.FlatState, "gather_grads",
                        lambda self: gathered.append(1) or gather(self))
    model = _model()
    step, opt = _replaying(model), tn.optim.SGD(model.parameters(), lr=0.1)
    for seed in range(3, 9):
        opt.zero_grad()
        step(*_data(seed=seed)).backward()
        if seed == 5:
            model[0].bias.grad = model[0].bias.grad * 1.0  # a new array, not a view
        opt.step()
    assert len(gathered) == 1


@pytest.mark.parametrize("layer", ["linear_bias_0d", "linear_bias_1", "layer_norm_1"])
def test_parameters_an_op_broadcasts_get_their_summed_gradients(layer):
    """A bias of shape () or (1,), a LayerNorm weight and bias of shape (1,): the op
    computes a larger gradient, which the engine sums down; it is not written into the
    buffer, and the replayed steps are the eager ones."""
    def make():
        tn.manual_seed(0)
        W = tn.randn(3, 5, requires_grad=True)
        shape = () if layer == "linear_bias_0d" else (1,)
        b = tn.randn(*shape, requires_grad=True)
        if layer.startswith("linear"):
            return [W, b], lambda x, y: F.cross_entropy(F.linear(x, W, b), y)
        return [W, b], lambda x, y: F.cross_entropy(
            F.layer_norm(F.linear(x, W), (3,), b, b * 2.0), y)

    runs = []
    for capture in (False, True):
        params, forward = make()
        step = tn.capture(forward) if capture else forward
        opt = tn.optim.SGD(params, lr=0.1)
        for seed in range(1, 6):
            opt.zero_grad()
            step(*_data(seed=seed)).backward()
            opt.step()
        runs.append([p.array for p in params])
    assert step.replays == 3
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_an_op_of_the_users_with_attributes_named_as_the_buffers_is_left_alone():
    """Only tinynet's fast ops write into the buffer; a user's op that happens to have
    ``into`` and ``destinations`` attributes is replayed as any other."""
    class Scale(tn.autograd.Function):
        into, destinations = 2.0, "not a method"

        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x * w

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            return grad * w, (grad * x).sum(axis=0)

    runs = []
    for capture in (False, True):
        model = _model()
        w = tn.ones(5, requires_grad=True)
        forward = lambda x, y, model=model, w=w: F.cross_entropy(  # noqa: E731
            model(Scale.apply(x, w)), y)
        step = tn.capture(forward) if capture else forward
        opt = tn.optim.SGD([w, *model.parameters()], lr=0.1)
        for seed in range(1, 6):
            opt.zero_grad()
            step(*_data(seed=seed)).backward()
            opt.step()
        runs.append([w.array] + [p.array for p in model.parameters()])
    assert step.replays == 3
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_gradients_viewing_memory_numpy_does_not_own_are_stepped_on(optimizer):
    """Gradients set by hand as views of a bytes object (np.frombuffer: read only, not
    an array underneath) are gathered, not read in place, and not changed."""
    params = [tn.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True),
              tn.tensor([1.0, -2.0], requires_grad=True)]
    memory = np.linspace(-1.0, 1.0, 8).tobytes()
    updates = []
    for foreach in (True, False):
        grads = np.frombuffer(memory)
        for p, start, stop in zip(params, (0, 6), (6, 8)):
            p.array = np.arange(float(p.array.size)).reshape(p.array.shape)
            p.grad = tn.tensor(grads[start:stop].reshape(p.array.shape))
            p.grad.array = grads[start:stop].reshape(p.array.shape)
        opt = tn.optim.SGD(params, lr=0.5, foreach=foreach) if optimizer == "sgd" else \
            tn.optim.Adam(params, lr=0.5, foreach=foreach)
        opt.step()
        opt.step()
        updates.append([p.array.copy() for p in params])
    for a, b in zip(*updates):
        np.testing.assert_array_equal(a, b)


def test_post_accumulate_hooks_see_each_buffer_view_once_in_the_eager_order():
    """A parameter with a post-accumulate-grad hook still gets its view of the buffer,
    and its hook runs once per backward, right after that parameter's .grad is written
    (before the next one's), as in an eager backward."""
    def watched(model, log):
        for name, p in model.named_parameters():
            p.register_post_accumulate_grad_hook(
                lambda p, name=name: log.append((name, p.grad.array.copy(),
                                                 [q.grad is not None
                                                  for q in model.parameters()])))

    model, eager_model = _model(), _model()
    replay_log, eager_log = [], []
    watched(model, replay_log)
    watched(eager_model, eager_log)
    step = _replaying(model)
    x, y = _data(seed=3)
    replay_log.clear()
    step(x, y).backward()
    F.cross_entropy(eager_model(x), y).backward()
    assert step.replays == 1
    assert _laid_end_to_end([p.grad.array for p in model.parameters()])
    assert [(name, seen) for name, _, seen in replay_log] == \
        [(name, seen) for name, _, seen in eager_log]
    assert len(replay_log) == len(list(model.parameters()))
    for (_, replayed, _), (_, eager, _) in zip(replay_log, eager_log):
        np.testing.assert_array_equal(replayed, eager)
