"""BCELoss and binary_cross_entropy (on probabilities, one fused op): a hand-worked value,
the clamped formula in numpy, finite differences in float64, PyTorch's clamps at 0 and 1,
agreement with BCE on logits, and errors that name the bad value (PyTorch parity:
test_against_torch_nn.py)."""
import math
import warnings

import numpy as np
import pytest
from scipy.special import expit

import tinynet as tn
import tinynet.nn.functional as F

RNG = np.random.default_rng(0)
P = RNG.uniform(0.05, 0.95, (5, 3))  # probabilities, away from 0 and 1
Y = RNG.uniform(0, 1, (5, 3))  # soft targets
WEIGHTS = {"none": None, "per-class": RNG.uniform(0.5, 2, 3),
           "per-row": RNG.uniform(0.5, 2, (5, 1)), "full": RNG.uniform(0.5, 2, (5, 3))}


def reference(x, y, w, reduction):
    """PyTorch's formula: ℓ = -w·[y·max(log x, -100) + (1-y)·max(log(1-x), -100)]."""
    with np.errstate(divide="ignore"):
        losses = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log(1 - x), -100))
    losses = losses * (1 if w is None else w)
    return {"none": losses, "sum": losses.sum(), "mean": losses.mean()}[reduction]


def test_hand_worked():
    # -(log 0.9 + log 0.8)/2 = (0.1053605 + 0.2231436)/2 = 0.1642520
    loss = F.binary_cross_entropy(tn.tensor([0.9, 0.2], dtype=tn.float64), tn.tensor([1.0, 0.0]))
    assert loss.item() == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2, rel=1e-15)
    assert tn.nn.BCELoss()(tn.full((4,), 0.5), tn.ones(4)).item() == pytest.approx(math.log(2))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", list(WEIGHTS))
def test_values_and_finite_differences(reduction, weight):
    w = WEIGHTS[weight]
    x, y = tn.tensor(P, requires_grad=True), tn.tensor(Y, requires_grad=True)
    loss = F.binary_cross_entropy(x, y, None if w is None else tn.tensor(w), reduction)
    np.testing.assert_allclose(loss.array, reference(P, Y, w, reduction), rtol=1e-14)
    assert tn.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, w, reduction), (x, y))


def test_gradient_closed_form():
    # mean over N elements: dL/dx = (x - y) / (x(1 - x)) / N,  dL/dy = log((1 - x)/x) / N
    x, y = tn.tensor(P, requires_grad=True), tn.tensor(Y, requires_grad=True)
    tn.nn.BCELoss()(x, y).backward()
    np.testing.assert_allclose(x.grad.array, (P - Y) / (P * (1 - P)) / P.size, rtol=1e-13)
    np.testing.assert_allclose(y.grad.array, np.log((1 - P) / P) / P.size, rtol=1e-12)


def test_the_clamps_at_zero_and_one_are_pytorchs():
    # log 0 = -inf is clamped to -100; the gradient divides by max(x(1-x), ε), ε the
    # float32 nearest 1e-12 (PyTorch's constant)
    x = tn.tensor([0.0, 1.0, 0.0, 1.0], dtype=tn.float64, requires_grad=True)
    y = tn.tensor([1.0, 0.0, 0.0, 1.0], dtype=tn.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "divide by zero in log"
        losses = F.binary_cross_entropy(x, y, reduction="none")
        losses.sum().backward()
    np.testing.assert_array_equal(losses.array, [100.0, 100.0, 0.0, 0.0])
    eps = float(np.float32(1e-12))
    assert eps == pytest.approx(1e-12, rel=1e-8)
    np.testing.assert_array_equal(x.grad.array, [-1 / eps, 1 / eps, 0.0, 0.0])
    # dℓ/dy = max(log(1-x), -100) - max(log x, -100): the exact derivative of the clamped ℓ
    np.testing.assert_array_equal(y.grad.array, [100.0, -100.0, 100.0, -100.0])


def test_on_a_sigmoid_it_equals_bce_with_logits():
    z = np.linspace(-8, 8, 15).reshape(5, 3)
    a, b = tn.tensor(z, requires_grad=True), tn.tensor(z, requires_grad=True)
    y = tn.tensor(Y)
    on_probabilities = F.binary_cross_entropy(tn.sigmoid(a), y)
    on_logits = F.binary_cross_entropy_with_logits(b, y)
    on_probabilities.backward()
    on_logits.backward()
    assert on_probabilities.item() == pytest.approx(on_logits.item(), rel=1e-12)
    np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-9)
    np.testing.assert_allclose(a.grad.array, (expit(z) - Y) / z.size, rtol=1e-9)


def test_float32_stays_float32_and_an_empty_batch_gives_nan():
    x = tn.tensor(P.astype(np.float32), requires_grad=True)
    loss = F.binary_cross_entropy(x, tn.tensor(Y))  # a float64 target follows the input
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    assert np.isnan(tn.nn.BCELoss()(tn.zeros(0, 2), tn.zeros(0, 2)).item())


def test_the_module_trains_a_sigmoid_classifier():
    tn.manual_seed(0)
    X = tn.randn(64, 2)
    y = (X[:, 0] + X[:, 1] > 0).float().reshape(-1, 1)
    model = tn.nn.Sequential(tn.nn.Linear(2, 1), tn.nn.Sigmoid())
    opt = tn.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = tn.nn.BCELoss()(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    with tn.no_grad():
        assert ((model(X) > 0.5).float() == y).float().mean().item() > 0.95


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.binary_cross_entropy(tn.tensor([0.5, 1.5]), tn.ones(2)), ValueError,
     r"binary_cross_entropy: input must be probabilities in \[0, 1\] \(a sigmoid's output; "
     r"on logits use binary_cross_entropy_with_logits\), got 1.5 at index \(1,\)"),
    (lambda: F.binary_cross_entropy(tn.tensor([[0.5, float("nan")]]), tn.ones(1, 2)),
     ValueError, r"input must be probabilities .*, got nan at index \(0, 1\)"),
    (lambda: F.binary_cross_entropy(tn.full((2,), 0.5), tn.tensor([1.0, -0.5])), ValueError,
     r"binary_cross_entropy: targets must be probabilities in \[0, 1\], got -0.5 at index "
     r"\(1,\)"),
    (lambda: F.binary_cross_entropy(tn.full((3,), 0.5), tn.ones(3, 1)), ValueError,
     r"binary_cross_entropy: target must have the input's shape \(3,\), got \(3, 1\)"),
    (lambda: F.binary_cross_entropy(tn.full((3,), 0.5), tn.ones(1, 3)), ValueError,
     r"binary_cross_entropy: target must have the input's shape \(3,\), got \(1, 3\), as "
     r"PyTorch requires"),
    (lambda: F.binary_cross_entropy_with_logits(tn.zeros(1, 3), tn.ones(3)), ValueError,
     r"binary_cross_entropy_with_logits: target must have the input's shape \(1, 3\), got "
     r"\(3,\), as PyTorch requires"),
    (lambda: F.binary_cross_entropy_with_logits(tn.zeros(3), tn.ones(3),
                                                pos_weight=tn.ones(4, 3)), ValueError,
     r"weight and pos_weight must broadcast to the input's shape .* got shapes "
     r"\[\(3,\), \(4, 3\)\]"),
    (lambda: F.binary_cross_entropy(tn.full((2, 3), 0.5), tn.ones(2, 3), weight=tn.ones(2)),
     ValueError, r"binary_cross_entropy: weight must broadcast to the input's shape \(2, 3\), "
                 r"got shape \(2,\)"),
    (lambda: F.binary_cross_entropy(tn.full((3,), 0.5), tn.ones(3), weight=tn.ones(2, 3)),
     ValueError, r"weight must broadcast to the input's shape \(3,\), got shape \(2, 3\)"),
    (lambda: F.binary_cross_entropy(tn.full((3,), 0.5), tn.ones(3),
                                    weight=tn.ones(3, requires_grad=True)),
     RuntimeError, "binary_cross_entropy: weight requires grad.*detach"),
    (lambda: F.binary_cross_entropy(np.full(3, 0.5), tn.ones(3)), TypeError,
     "binary_cross_entropy: input must be a Tensor, got ndarray"),
    (lambda: tn.nn.BCELoss(reduction="avg"), ValueError,
     "BCELoss: reduction must be one of"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bce_with_logits_names_the_bad_target_and_its_index():
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: targets must be "
                                         r"probabilities in \[0, 1\], got 2.0 at index \(0, 1\)"):
        F.binary_cross_entropy_with_logits(tn.zeros(2, 2), tn.tensor([[0.0, 2.0], [0.0, 3.0]]))
