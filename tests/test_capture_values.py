"""What a replayed call reads, where a value could be kept from the recorded calls: values
made from the call's tensors outside the ops, tensors cast to another dtype, parameters
and buffers replaced between calls (also of submodules that are not called), a parameter
whose array an input shares, extra outputs changed in place, and the checks on values
that live in the ops. Each against the same steps run eagerly."""
import warnings

import numpy as np
import pytest

import tinynet as tn
import tinynet.nn.functional as F
from tinynet import nn


def _both(fn, calls):
    """fn's results over ``calls`` (argument tuples), eagerly and through tn.capture:
    (eager values, captured values, the capture)."""
    step = tn.capture(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "never replayed": checked apart
        captured = [step(*args).item() for args in calls]
    eager = [fn(*args).item() for args in calls]
    return eager, captured, step


def test_a_tensor_inside_an_index_is_read_at_every_call():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 5), tn.randn(6, 4)
    calls = [(x, tn.tensor(k)) for k in (1, 1, 1, 3, 0)]
    eager, captured, step = _both(lambda x, i: lin(x)[:, i].sum(), calls)
    assert captured == eager and len(set(eager)) == 3
    with pytest.warns(UserWarning, match=r"an index holding a tensor, as x\[:, i\]"):
        fresh = tn.capture(lambda x, i: lin(x)[:, i].sum())
        for args in calls[:2]:
            fresh(*args)


def test_a_one_element_index_select_follows_its_index():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 5), tn.randn(6, 4)
    calls = [(x, tn.tensor([k])) for k in (2, 2, 2, 4)]
    eager, captured, _ = _both(lambda x, i: lin(x).index_select(1, i).sum(), calls)
    assert captured == eager and eager[3] != eager[0]


@pytest.mark.parametrize("loss", ["bce_logits_weight", "bce_logits_pos_weight", "bce_weight",
                                  "ce_weight", "nll_weight", "clamp_min"])
def test_a_float64_tensor_for_a_float32_model_is_cast_by_an_op_and_replays(loss):
    """numpy's float64 weights with a float32 model: the cast is an op, so a replay casts
    the next call's weights, and the call does replay."""
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(6, 4)
    y01 = tn.tensor(np.array([[0.0], [1], [1], [0], [1], [0]], np.float32))
    classes = tn.tensor([0, 1, 2, 0, 1, 2])
    fns = {
        "bce_logits_weight": lambda x, w: F.binary_cross_entropy_with_logits(
            lin(x)[:, :1], y01, weight=w[:, :1]),
        "bce_logits_pos_weight": lambda x, w: F.binary_cross_entropy_with_logits(
            lin(x)[:, :1], y01, pos_weight=w[0, :1]),
        "bce_weight": lambda x, w: F.binary_cross_entropy(tn.sigmoid(lin(x)[:, :1]), y01,
                                                          weight=w[:, :1]),
        "ce_weight": lambda x, w: F.cross_entropy(lin(x), classes, weight=w[0]),
        "nll_weight": lambda x, w: F.nll_loss(F.log_softmax(lin(x), 1), classes,
                                              weight=w[0]),
        "clamp_min": lambda x, w: lin(x).clamp(min=w).sum(),
    }
    ones = np.ones((6, 3))
    changed = ones.copy()
    changed[0] = [5.0, 0.5, 2.0]
    calls = [(x, tn.tensor(w)) for w in (ones, ones, ones, changed, ones)]
    eager, captured, step = _both(fns[loss], calls)
    assert captured == eager and eager[3] != eager[0]
    assert step.replays == 3


def test_int32_class_targets_are_cast_by_an_op_and_replay():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(6, 4)
    same = tn.tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    other = tn.tensor(np.array([2, 2, 1, 0, 0, 1], np.int32))
    calls = [(x, t) for t in (same, same, same, other)]
    eager, captured, step = _both(lambda x, t: F.cross_entropy(lin(x), t), calls)
    assert captured == eager and eager[3] != eager[0] and step.replays == 2


def test_a_buffer_replaced_by_a_new_tensor_is_read_not_frozen():
    class Tempered(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.register_buffer("temperature", tn.tensor(1.0))

        def forward(self, x):
            return self.lin(x) / self.temperature

    tn.manual_seed(0)
    net, x, y = Tempered(), tn.randn(8, 4), tn.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    step = tn.capture(lambda x, y: F.cross_entropy(net(x), y))
    got = []
    with pytest.warns(UserWarning, match="a module's parameter or buffer that is replaced"):
        for t in (1.0, 1.0, 1.0, 0.5, 0.25):  # a warm-up, then an annealed temperature
            net.temperature = tn.tensor(t)
            got.append((step(x, y).item(), F.cross_entropy(net(x), y).item()))
    assert all(a == b for a, b in got) and got[3][0] != got[0][0]
    net.temperature.fill_(2.0)  # changed in place: read by every replay of a new capture
    step = tn.capture(lambda x, y: F.cross_entropy(net(x), y))
    for t in (2.0, 2.0, 2.0, 3.0):
        with tn.no_grad():
            net.temperature.fill_(t)
        assert step(x, y).item() == F.cross_entropy(net(x), y).item()
    assert step.replays == 2


@pytest.mark.parametrize("make, name", [
    (lambda w: nn.CrossEntropyLoss(weight=w), "weight"),
    (lambda w: nn.NLLLoss(weight=w), "weight"),
    (lambda w: nn.BCEWithLogitsLoss(pos_weight=w), "pos_weight"),
])
def test_a_loss_weight_set_between_calls_is_the_one_used(make, name):
    """A loss's weights are buffers, as PyTorch's (in its state_dict): re-weighting the
    classes between epochs gives a replay the new weights, not the recorded ones."""
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(8, 4)
    binary = name == "pos_weight"
    y = tn.rand(8, 3).round() if binary else tn.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    criterion = make(tn.tensor([1.0, 2.0, 3.0]))
    assert [n for n, _ in criterion.named_buffers()] == [name] and name in \
        criterion.state_dict()
    inputs = (lambda x: lin(x)) if binary else (lambda x: F.log_softmax(lin(x), 1)) \
        if isinstance(criterion, nn.NLLLoss) else lin
    step = tn.capture(lambda x, y: criterion(inputs(x), y))
    got = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a replaced buffer warns that calls run eagerly)
        for call in range(6):
            if call == 3:  # after a replay: re-weighted once
                assert step.replays == 1
                setattr(criterion, name, tn.tensor([5.0, 0.1, 1.0]))
            got.append((step(x, y).item(), criterion(inputs(x), y).item()))
    assert all(a == b for a, b in got) and got[-1][0] != got[0][0]


def test_replacing_the_weight_of_a_submodule_read_without_calling_it_sends_calls_eager():
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.head = nn.Linear(5, 8), nn.Linear(8, 3)

        def forward(self, x):  # the head's parameters, without calling the head
            return F.linear(tn.tanh(self.body(x)), self.head.weight, self.head.bias)

    tn.manual_seed(0)
    net, x, y = Head(), tn.randn(16, 5), tn.randint(0, 3, (16,))
    step = tn.capture(lambda x, y: F.cross_entropy(net(x), y))
    for i in range(5):
        if i == 3:
            net.head.weight = nn.Parameter(tn.zeros(3, 8))
        net.zero_grad()
        loss = step(x, y)
        loss.backward()
        assert loss.item() == F.cross_entropy(net(x), y).item()
        assert net.head.weight.grad is not None  # the new weight's gradient
    assert step.replays == 1 and step.eager_calls == 4


def test_a_parameter_whose_array_an_input_shares_keeps_its_gradient():
    tn.manual_seed(0)
    lin, x = nn.Linear(3, 2, bias=False), tn.randn(4, 3)

    def fn(x, anchor):  # a detached snapshot of the weights as a stop-gradient anchor
        return ((lin(x) - x @ anchor.T) ** 2).sum() + lin(x).sum()

    step = tn.capture(fn)
    for _ in range(4):
        lin.zero_grad()
        fn(x, lin.weight.detach()).backward()
        eager = lin.weight.grad.array.copy()
        lin.zero_grad()
        step(x, lin.weight.detach()).backward()
        np.testing.assert_array_equal(lin.weight.grad.array, eager)
    assert step.replays == 2


def test_an_extra_output_changed_in_place_leaves_the_gradients_alone():
    tn.manual_seed(0)
    lin, x, y = nn.Linear(4, 3), tn.randn(8, 4), tn.rand(8, 3)

    def fn(x, y):
        p = tn.sigmoid(lin(x))  # sigmoid saves its output for backward
        return F.mse_loss(p, y), p

    step = tn.capture(fn)
    grads = []
    for _ in range(4):
        lin.zero_grad()
        loss, p = step(x, y)
        p.mul_(100)
        loss.backward()
        grads.append(lin.weight.grad.array.copy())
    assert step.replays == 2
    for g in grads[1:]:
        np.testing.assert_array_equal(g, grads[0])


@pytest.mark.parametrize("loss, bad", [
    (lambda x, s, y: F.binary_cross_entropy(tn.sigmoid(x), y), "targets"),
    (lambda x, s, y: F.binary_cross_entropy_with_logits(x, y), "targets"),
    (lambda x, s, y: F.binary_cross_entropy(tn.sigmoid(x) * s, y), "input"),
])
def test_binary_cross_entropys_checks_run_on_replayed_calls(loss, bad):
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 1), tn.randn(8, 4)
    good = tn.tensor([[0.0], [1], [1], [0], [1], [0], [0], [1]])
    wrong = good.clone()
    wrong[2, 0] = 2.0
    step = tn.capture(lambda x, s, y: loss(lin(x), s, y))
    for _ in range(3):
        step(x, tn.tensor(1.0), good).backward()
    assert step.replays == 1
    args = (tn.tensor(1.0), wrong) if bad == "targets" else (tn.tensor(3.0), good)
    with pytest.raises(ValueError, match=f"{bad} must be probabilities in \\[0, 1\\]"):
        step(x, *args)


def test_scatter_indices_out_of_range_are_refused_on_replayed_calls():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(8, 4)
    step = tn.capture(lambda x, i: tn.zeros(8, 5).scatter(1, i, lin(x)).pow(2).sum())
    fine = tn.tensor(np.tile([0, 2, 4], (8, 1)))
    for _ in range(3):
        step(x, fine).backward()
    assert step.replays == 1
    with pytest.raises(RuntimeError, match="scatter: index -1 is out of bounds"):
        step(x, tn.tensor(np.tile([0, 2, -1], (8, 1))))


@pytest.mark.parametrize("name, use, rows", [
    ("scatter_add", lambda h, i: tn.zeros(8, 5).scatter_add(1, i, h), 8),
    ("scatter_reduce", lambda h, i: tn.ones(8, 5).scatter_reduce(1, i, h, "amax"), 8),
    ("index_add", lambda h, i: tn.zeros(8, 5).index_add(1, i, h), None)])
def test_add_and_reduce_indices_out_of_range_are_refused_on_replayed_calls(name, use, rows):
    """numpy's add.at takes -1 for the last position: a replay must not."""
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(8, 4)
    step = tn.capture(lambda x, i: use(lin(x), i).pow(2).sum())

    def index(last):
        return tn.tensor(np.tile([0, 2, last], (rows, 1)) if rows else np.array([0, 2, last]))

    for _ in range(3):
        step(x, index(4)).backward()
    assert step.replays == 1
    for bad in (-1, 5):
        with pytest.raises((RuntimeError, IndexError), match=f"{name}: index {bad} is out of"):
            step(x, index(bad))
    assert step(x, index(4)).item() == use(lin(x), index(4)).pow(2).sum().item()
    assert step.replays == 2


def test_int32_class_targets_out_of_range_are_refused_on_replayed_calls():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(6, 4)
    step = tn.capture(lambda x, t: F.cross_entropy(lin(x), t))
    fine = tn.tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    for _ in range(3):
        step(x, fine).backward()
    for bad in ([0, 1, 3, 0, 1, 2], [0, -1, 2, 0, 1, 2]):
        with pytest.raises(IndexError, match="cross_entropy: target .* is out of range"):
            step(x, tn.tensor(np.array(bad, np.int32)))
    assert step.replays == 1


def test_class_indices_cast_from_floats_are_not_replayed_unchecked():
    """y.long() of float labels: a cast that may change values (no range check can stand
    for it), so the function runs eagerly, and a bad label is refused every time."""
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(5, 4)
    step = tn.capture(lambda x, y: F.cross_entropy(lin(x), y.long()))
    good = tn.tensor(np.float32([0, 1, 2, 0, 1]))
    with pytest.warns(UserWarning, match="never replayed"):
        for _ in range(3):
            step(x, good).backward()
    with pytest.raises(IndexError, match="target -1 at position 4 is out of range"):
        step(x, tn.tensor(np.float32([0, 1, 2, 0, -1])))
    assert step.replays == 0


def test_labels_unsqueezed_for_a_one_hot_scatter_replay_with_their_range_checked():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 3), tn.randn(5, 4)

    def fn(x, y):  # the one-hot / label-smoothing idiom
        target = tn.zeros(5, 3).scatter(1, y.unsqueeze(1), 1.0)
        return -(F.log_softmax(lin(x), 1) * target).sum(1).mean()

    step = tn.capture(fn)
    for labels in ([0, 1, 2, 0, 1], [2, 2, 1, 0, 0], [1, 0, 0, 2, 2]):
        y = tn.tensor(labels)
        assert step(x, y).item() == fn(x, y).item()
    assert step.replays == 1
    with pytest.raises(RuntimeError, match="scatter: index -1 is out of bounds"):
        step(x, tn.tensor([0, 1, 2, 0, -1]))


def test_an_index_viewing_an_input_that_is_itself_a_view_is_read_at_every_call():
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 5), tn.randn(6, 4)
    rows = tn.tensor([[2], [2], [2], [4]])  # each call's index: a row of one tensor
    calls = [(x, rows[k]) for k in range(4)]
    eager, captured, _ = _both(lambda x, i: lin(x).index_select(1, i).sum(), calls)
    assert captured == eager and eager[3] != eager[0]


@pytest.mark.parametrize("case", ["class weight", "pos_weight", "batchnorm eval"])
def test_a_buffer_passed_to_an_op_as_its_array_is_read_from_the_module(case):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.norm = nn.Linear(4, 3), nn.BatchNorm1d(3)
            self.register_buffer("weight", tn.ones(3))

        def forward(self, x, y):
            z = self.lin(x)
            if case == "class weight":
                return F.cross_entropy(z, y, weight=self.weight)
            if case == "pos_weight":
                return F.binary_cross_entropy_with_logits(z, F.one_hot(y, 3).float(),
                                                          pos_weight=self.weight)
            return F.cross_entropy(self.norm(z), y)

    tn.manual_seed(0)
    net, x, y = Net(), tn.randn(6, 4), tn.tensor([0, 1, 2, 0, 1, 2])
    net.norm.eval()
    step = tn.capture(net.forward)
    for i in range(5):
        if i == 3:  # replaced by a new tensor after replays began
            net.weight = tn.tensor([3.0, 0.5, 1.0])
            net.norm.running_mean = tn.tensor([1.0, -2.0, 0.5])
        assert step(x, y).item() == net(x, y).item()
    assert step.replays == 1


def test_the_weights_of_a_module_the_function_holds_but_never_calls_are_guarded():
    tn.manual_seed(0)
    body, head = nn.Linear(5, 6), nn.Linear(6, 3)
    x, y = tn.randn(8, 5), tn.randint(0, 3, (8,))
    fn = lambda x, y: F.cross_entropy(F.linear(body(x), head.weight, head.bias), y)  # noqa
    step = tn.capture(fn)
    for i in range(5):
        if i == 3:
            head.weight = nn.Parameter(tn.zeros(3, 6))
        head.zero_grad()
        loss = step(x, y)
        loss.backward()
        assert loss.item() == fn(x, y).item() and head.weight.grad is not None
    assert step.replays == 1


def test_an_extra_output_a_later_op_saved_a_view_of_is_a_copy():
    tn.manual_seed(0)
    body, head = nn.Linear(4, 6), nn.Linear(6, 3)
    x, y = tn.randn(5, 4), tn.tensor([0, 1, 2, 0, 1])

    def fn(x, y):
        feat = body(x)
        return F.cross_entropy(head(feat.reshape(5, 2, 3).reshape(5, 6)), y), feat

    step = tn.capture(fn)
    grads = []
    for _ in range(4):
        head.zero_grad()
        loss, feat = step(x, y)
        feat *= 0.0
        loss.backward()
        grads.append(head.weight.grad.array.copy())
    assert step.replays == 2
    for g in grads[1:]:
        np.testing.assert_array_equal(g, grads[0])


def test_class_indices_through_a_narrowing_cast_are_not_checked_at_their_source():
    """int8 wraps 200 to -56: a check of the int64 source would pass it, so such a
    function runs eagerly, and the eager function refuses the wrapped index."""
    tn.manual_seed(0)
    lin, x = nn.Linear(4, 300), tn.randn(3, 4)
    step = tn.capture(lambda x, y: F.cross_entropy(lin(x), y.to(tn.int8).long()))
    with pytest.warns(UserWarning, match="never replayed"):
        for _ in range(3):
            step(x, tn.tensor([0, 1, 2])).backward()
    with pytest.raises(IndexError, match="target -56 at position 0 is out of range"):
        step(x, tn.tensor([200, 1, 2]))
    assert step.replays == 0


@pytest.mark.parametrize("divide", [lambda a, d: a // d, lambda a, d: a % d,
                                    lambda a, d: a.fmod(d)])
def test_integer_division_checks_its_divisor_at_every_call(divide):
    """Integer division by 0 raises (as PyTorch); the check reads the divisor, so a
    captured function is not replayed past it."""
    tn.manual_seed(0)
    lin = nn.Linear(2, 2)
    step = tn.capture(lambda x, a, d: (lin(x) * divide(a, d)).sum())
    x, a = tn.randn(3, 2), tn.tensor([[7, 9]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (it says the function runs eagerly)
        for _ in range(3):
            step(x, a, tn.tensor([[2, 4]])).backward()
        with pytest.raises(RuntimeError, match="integer division by zero"):
            step(x, a, tn.tensor([[2, 0]]))
    assert step.replays == 0


def test_the_extra_outputs_are_detached_on_eager_calls_as_on_replays():
    """A tuple's extras come back detached from every call, not only from replays: a
    term built on them adds no gradient, whichever call it was."""
    tn.manual_seed(0)
    lin, x, y = nn.Linear(4, 3), tn.randn(8, 4), tn.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    step = tn.capture(lambda x, y: (F.cross_entropy(lin(x), y), lin(x)))
    grads = []
    for _ in range(4):
        lin.zero_grad()
        loss, out = step(x, y)
        assert not out.requires_grad
        loss.backward()
        grads.append(lin.weight.grad.array.copy())
    assert step.replays == 2 and all(np.array_equal(g, grads[0]) for g in grads)


@pytest.mark.parametrize("change", [
    lambda model, loss: setattr(loss, "label_smoothing", 0.2),
    lambda model, loss: setattr(loss, "reduction", "sum"),
    lambda model, loss: setattr(model[1], "negative_slope", 0.5),
    lambda model, loss: model.__setitem__(2, nn.Linear(8, 3)),
])
def test_a_module_setting_or_submodule_changed_between_calls_is_seen(change):
    """A module's plain settings and its submodules are guarded: after a change the calls
    run eagerly, giving the eager answer, where a replay would keep the recorded ones."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.01), nn.Linear(8, 3))
    loss = nn.CrossEntropyLoss()
    x, y = tn.randn(6, 4), tn.tensor([0, 1, 2, 0, 1, 2])
    step = tn.capture(lambda x, y: loss(model(x), y))
    for _ in range(3):
        step(x, y)
    assert step.replays == 1
    change(model, loss)
    for _ in range(4):
        assert step(x, y).item() == loss(model(x), y).item()
    assert step.replays == 1


def test_a_closure_weight_whose_data_is_replaced_is_read_at_every_call():
    tn.manual_seed(0)
    lin, x, y = nn.Linear(4, 3), tn.randn(6, 4), tn.tensor([0, 1, 2, 0, 1, 2])
    w = tn.tensor([1.0, 2.0, 3.0])
    step = tn.capture(lambda x, y: F.cross_entropy(lin(x), y, weight=w))
    for call in range(6):
        if call == 3:
            w.data = tn.tensor([5.0, 0.1, 1.0])
        assert step(x, y).item() == F.cross_entropy(lin(x), y, weight=w).item()
    assert step.replays >= 2
