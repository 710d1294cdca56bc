"""Fuzzing: random graphs against finite differences, and random bad input at the public
entry points, which must raise only the documented errors, naming where they come from."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinynet as tn
import tinynet.nn.functional as F

# ---- random graphs -------------------------------------------------------------------------
# Every node broadcasts against (2, 3); the ops are smooth (no kinks near which finite
# differences fail), and denominators and logarithms stay away from 0.
SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]
UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp_tanh": lambda a: a.tanh().exp(),
    "gelu": lambda a: F.gelu(a),
    "gelu_tanh": lambda a: F.gelu(a, approximate="tanh"),
    "elu": lambda a: F.elu(a),  # its derivative is continuous at 0 for alpha = 1
    "log1p_square": lambda a: (a * a + 1).log(),
    "sqrt_square": lambda a: (a * a + 1).sqrt(),
    "pow": lambda a: (a * a + 1) ** 1.5,
    "neg": lambda a: -a,
    "sin": lambda a: a.sin(),
    "reshape_twice": lambda a: a.reshape(-1).reshape(a.shape),
    "index": lambda a: a[..., ::-1] if a.ndim else a,
    "sum0": lambda a: a.sum(dim=0, keepdim=True) if a.ndim == 2 else a.sum(),
    "mean1": lambda a: a.mean(dim=-1, keepdim=True) if a.ndim else a,
    "softmax": lambda a: F.softmax(a, dim=-1) if a.ndim else a,
    "log_softmax": lambda a: F.log_softmax(a, dim=-1) if a.ndim else a,
    "layer_norm": lambda a: F.layer_norm(a, (a.shape[-1],)) if a.ndim and a.shape[-1] > 1
    else a,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "add_scalar_mul": lambda a, b: 2.5 * a + b * 0.5,
}


@st.composite
def graphs(draw):
    """(leaf shapes, recipe): each step applies an op to earlier nodes (any of them, so
    nodes are reused and graphs branch and join)."""
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3))
    steps = []
    for i in range(draw(st.integers(1, 8))):
        available = len(shapes) + i
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))),
                          draw(st.integers(0, available - 1))))
        else:
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY))),
                          draw(st.integers(0, available - 1)),
                          draw(st.integers(0, available - 1))))
    return shapes, steps


def _run(steps, leaves):
    nodes = list(leaves)
    for kind, name, *operands in steps:
        args = [nodes[i] for i in operands]
        nodes.append((UNARY if kind == "unary" else BINARY)[name](*args))
    # the output: the last node plus every other node reduced, so every branch counts
    out = nodes[-1]
    for node in nodes[:-1]:
        out = out + node.sum() * 0.1
    return out


@given(graphs(), st.integers(0, 2 ** 16))
@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
def test_random_graphs_match_finite_differences(graph, seed):
    shapes, steps = graph
    rng = np.random.default_rng(seed)
    leaves = tuple(tn.tensor(rng.uniform(-2, 2, shape), dtype=tn.float64, requires_grad=True)
                   for shape in shapes)
    assert tn.gradcheck(lambda *xs: _run(steps, xs), leaves, atol=1e-6, rtol=1e-4)


@given(graphs(), st.integers(0, 2 ** 16))
@settings(max_examples=40)
def test_retain_graph_accumulates_the_same_gradient_twice(graph, seed):
    shapes, steps = graph
    rng = np.random.default_rng(seed)
    leaves = [tn.tensor(rng.uniform(-2, 2, shape), dtype=tn.float64, requires_grad=True)
              for shape in shapes]
    out = _run(steps, leaves).sum()
    out.backward(retain_graph=True)
    once = [None if x.grad is None else x.grad.array.copy() for x in leaves]
    out.backward()
    for x, g in zip(leaves, once):
        if g is not None:
            np.testing.assert_allclose(x.grad.array, 2 * g, rtol=1e-12, atol=1e-300)
            assert x.grad.shape == x.shape  # un-broadcast to the leaf's own shape


# ---- random bad input at the public entry points --------------------------------------------
# values that are never a valid number of anything, a learning rate or a seed
BAD_NUMBERS = st.sampled_from([float("nan"), float("inf"), -float("inf"), -1, -0.5, "1", None,
                               True, [1], {"a": 1}, 1e400, -(2 ** 70), object()])
DATA = tn.data.load_dataset("iris", seed=0)


def _assert_documented(call, where):
    """The call must raise ValueError or TypeError whose message starts with ``where``."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert str(info.value).startswith(where), str(info.value)


@given(st.sampled_from(["lr", "epochs", "batch_size", "seed", "clip_grad_norm",
                        "checkpoint_every"]), BAD_NUMBERS)
@settings(max_examples=80)
def test_fit_arguments(name, value):
    if name in ("seed", "clip_grad_norm", "batch_size") and value is None:
        return  # None is their documented default
    model = tn.models.MLP(4, [4], 3)
    before = [p.array.copy() for p in model.parameters()]
    _assert_documented(lambda: tn.fit(model, DATA.X_train, DATA.y_train, progress=False,
                                      **{name: value}), "fit: ")
    assert all(np.array_equal(p.array, b) for p, b in zip(model.parameters(), before))


ARRAYS = st.sampled_from([
    np.array([["a", "b"]]), np.zeros((0, 4)), np.full((3, 4), np.nan), np.ones(4),
    np.ones((2, 2, 2)), [[1, 2], [3]], np.array([1 + 1j] * 4).reshape(1, 4), "text", None,
])


@given(ARRAYS, st.sampled_from(["X", "y", "validation"]))
@settings(max_examples=60)
def test_fit_data(bad, which):
    model = tn.models.MLP(4, [4], 3)
    X, y, validation = DATA.X_train, DATA.y_train, None
    if which == "X":
        X = bad
    elif which == "y":
        y = bad
    else:
        validation = (bad, DATA.y_test)

    def call():
        tn.fit(model, X, y, validation_data=validation, progress=False, epochs=1)

    _assert_documented(call, "fit: ")


@given(st.sampled_from(["SGD", "Adam", "AdamW"]), st.sampled_from(["lr", "weight_decay",
                                                                     "eps", "momentum"]),
       BAD_NUMBERS)
@settings(max_examples=80)
def test_optimizer_arguments(kind, name, value):
    if (kind == "SGD") == (name == "eps") or (kind != "SGD" and name == "momentum"):
        return  # not an argument of that optimizer
    make = getattr(tn.optim, kind)
    _assert_documented(lambda: make([tn.ones(2, requires_grad=True)], **{name: value}),
                       f"{kind}: ")


@given(st.sampled_from(["depth", "width", "epochs", "seeds", "lr", "target", "batch_size",
                        "n_jobs"]), BAD_NUMBERS)
@settings(max_examples=80)
def test_compare_activations_arguments(name, value):
    if name == "n_jobs" and (value in (-1, -(2 ** 70)) or value is None) or \
            name == "seeds" and value == [1]:
        return  # negative n_jobs counts from the number of cores, as in joblib, and None is
        # joblib's 1; a seed list
    _assert_documented(lambda: tn.experiments.compare_activations(**{name: value}),
                       "compare_activations: ")


@given(st.sampled_from(["n_samples", "noise", "seed", "test_size"]), BAD_NUMBERS)
@settings(max_examples=60)
def test_load_dataset_arguments(name, value):
    if name in ("n_samples", "noise", "seed") and value is None:
        return  # their defaults
    _assert_documented(lambda: tn.data.load_dataset("moons", **{name: value}), "load_dataset: ")


@given(st.sampled_from([F.cross_entropy, F.nll_loss, F.binary_cross_entropy_with_logits,
                        F.mse_loss]),
       st.sampled_from([np.zeros((2, 3)), [[0.0, 1.0]], tn.zeros(2, 3, 4), tn.zeros(2, 0),
                        tn.tensor([[0.0, 1.0]])]),
       st.sampled_from([tn.tensor([5, 0]), tn.tensor([[2.0, -1.0]]), np.array(["a", "b"]),
                        tn.tensor([0.5]), tn.tensor([-3])]))
@settings(max_examples=100)
def test_loss_arguments(loss, input, target):
    try:
        loss(input, target)
    except (ValueError, TypeError, IndexError) as error:
        name = loss.__name__
        assert name in str(error) or "Tensor" in str(error) or "dtype" in str(error), error
    else:
        pass  # some combinations are valid (e.g. MSE of two same-shaped tensors)


def test_the_bad_numbers_really_are_bad():
    # the strategies above are only meaningful if none of their values is accepted
    for value in [float("nan"), float("inf"), -1, "1", None, True, [1]]:
        assert not (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isfinite(value) and value > 0)
