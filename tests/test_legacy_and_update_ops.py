"""PyTorch calls that hand-written optimizers and older code make: ``addcmul``,
``addcdiv`` and ``lerp`` (and their in-place forms), the deprecated ``add_(alpha,
other)``, ``scheduler.step(epoch)`` and ``autograd.Variable``; and the elementwise losses'
shape rule. Closed forms, PyTorch's values (to rounding: PyTorch fuses multiply-adds),
gradients, and the errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


@settings(max_examples=40, deadline=None)
@given(dtype=st.sampled_from([np.float32, np.float64]), n=st.integers(1, 40),
       value=st.floats(-2, 2), weight=st.floats(-1, 2), seed=st.integers(0, 2 ** 16))
def test_the_closed_forms(dtype, n, value, weight, seed):
    rng = np.random.default_rng(seed)
    a, b, c = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    c = np.abs(c) + 0.5
    ta, tb, tc = tn.tensor(a), tn.tensor(b), tn.tensor(c)
    rtol = TOLERANCE[dtype]
    np.testing.assert_allclose(ta.addcmul(tb, tc, value=value).array, a + value * b * c,
                               rtol=rtol, atol=rtol)
    np.testing.assert_allclose(tn.addcdiv(ta, tb, tc, value=value).array, a + value * b / c,
                               rtol=rtol, atol=rtol)
    np.testing.assert_allclose(tn.lerp(ta, tb, weight).array, a + weight * (b - a),
                               rtol=rtol, atol=rtol * 4)
    assert ta.lerp(tb, 0.0).array.tolist() == a.tolist()  # exact at both ends
    assert ta.lerp(tb, 1.0).array.tolist() == b.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_in_place_forms_equal_pytorchs(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal((4, 5)).astype(dtype) for _ in range(3))
    c = np.abs(c) + 0.1
    w = np.linspace(-1, 2, 20).reshape(4, 5).astype(dtype)
    calls = [lambda L, x: x.addcmul_(L.tensor(b), L.tensor(c), value=-0.3),
             lambda L, x: x.addcdiv_(L.tensor(b), L.tensor(c), value=0.7),
             lambda L, x: x.lerp_(L.tensor(b), 0.3),
             lambda L, x: x.lerp_(L.tensor(b), 0.8),
             lambda L, x: x.lerp_(L.tensor(b), L.tensor(w))]
    for call in calls:
        ours, theirs = tn.tensor(a.copy()), torch.tensor(a.copy())
        assert call(tn, ours) is ours
        call(torch, theirs)
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=TOLERANCE[dtype])


def test_gradients_flow_through_the_out_of_place_forms():
    a, b, c = (tn.tensor(v, dtype=tn.float64, requires_grad=True)
               for v in ([1.0, 2.0], [3.0, -1.0], [2.0, 4.0]))
    (a.addcmul(b, c, value=2.0).sum() + a.addcdiv(b, c).sum()).backward()
    np.testing.assert_allclose(b.grad.array, 2 * c.array + 1 / c.array)
    np.testing.assert_allclose(c.grad.array, 2 * b.array - b.array / c.array ** 2)
    a.grad = b.grad = None
    a.lerp(b, 0.25).sum().backward()
    np.testing.assert_allclose(a.grad.array, [0.75, 0.75])
    np.testing.assert_allclose(b.grad.array, [0.25, 0.25])


def test_an_adam_written_with_them_is_tinynets_adam():
    """The update a hand-written Adam makes with mul_, addcmul_, addcdiv_ and lerp_."""
    tn.manual_seed(0)
    w = tn.randn(5, requires_grad=True, dtype=tn.float64)
    mine, ref = w.detach().clone(), w.detach().clone().requires_grad_()
    m, v = tn.zeros_like(mine), tn.zeros_like(mine)
    opt = tn.optim.Adam([ref], lr=0.1)
    for t in range(1, 6):
        g = tn.tensor(np.sin(np.arange(5.0) * t))
        m.lerp_(g, 0.1)                          # m ← 0.9 m + 0.1 g
        v.mul_(0.999).addcmul_(g, g, value=0.001)
        step = 0.1 / (1 - 0.9 ** t)
        denom = (v / (1 - 0.999 ** t)).sqrt().add_(1e-8)
        mine.addcdiv_(m, denom, value=-step)
        ref.grad = g
        opt.step()
        np.testing.assert_allclose(mine.array, ref.array, rtol=1e-12)


def test_the_deprecated_alpha_first_form_of_add_and_sub():
    p = tn.tensor([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match=r"add_\(Number alpha, Tensor other\) is deprecated"):
        p.add_(-0.5, tn.tensor([2.0, 2.0, 2.0]))
    assert p.tolist() == [0.0, 1.0, 2.0]
    with pytest.warns(UserWarning, match=r"sub_\(Number alpha, Tensor other\)"):
        p.sub_(2, tn.tensor([1.0, 1.0, 1.0]))
    assert p.tolist() == [-2.0, -1.0, 0.0]


def test_a_schedulers_step_with_an_epoch_goes_there_as_pytorchs():
    opt = tn.optim.SGD([tn.zeros(1, requires_grad=True)], lr=1.0)
    sched = tn.optim.lr_scheduler.StepLR(opt, 2, 0.5)
    rates = []
    with pytest.warns(UserWarning, match="the epoch argument is deprecated"):
        for epoch in (1, 2, 3, 4, 7, 2):
            sched.step(epoch)
            rates.append(sched.get_last_lr()[0])
    assert rates == [1.0, 0.5, 0.5, 0.25, 0.125, 0.5]  # 0.5 ** (epoch // 2)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(1.5)  # a fractional epoch, computed with as PyTorch does: 0.5 ** (1.5 // 2)
    assert sched.get_last_lr() == [1.0]


def test_variable_is_a_detached_leaf():
    a = tn.ones(2, requires_grad=True)
    v = tn.autograd.Variable(a * 2)
    assert v.is_leaf and not v.requires_grad and v.tolist() == [2.0, 2.0]
    w = tn.autograd.Variable(tn.ones(2), requires_grad=True)
    assert w.is_leaf and w.requires_grad
    with pytest.raises(TypeError, match="Variable: data must be a Tensor, got list"):
        tn.autograd.Variable([1.0])


def test_elementwise_losses_take_shapes_that_pair_each_value_once():
    loss = tn.nn.MSELoss()
    assert loss(tn.tensor(2.0), tn.tensor([1.0])).item() == 1.0
    assert tn.nn.L1Loss(reduction="none")(tn.ones(1, 3), tn.zeros(3)).shape == (1, 3)
    with pytest.raises(ValueError, match=r"mse_loss: target must have the input's shape "
                                         r"\(3, 1\), got \(3,\) \(PyTorch would broadcast "
                                         r"them to \(3, 3\), comparing every pair\)"):
        loss(tn.ones(3, 1), tn.tensor([1.0, 2.0, 4.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tn.nn.functional.smooth_l1_loss(tn.ones(1, 2, 3), tn.zeros(2, 3))


def test_a_pytorch_style_function_is_told_it_gets_numpy_arrays():
    class MyReLU(tn.autograd.Function):  # PyTorch's tutorial Function, as written there
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.clone()

    class Twice(tn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        backward = MyReLU.backward

    with pytest.raises(AttributeError, match=r"MyReLU.forward: 'numpy.ndarray' object has "
                                             r"no attribute 'clamp': a tinynet Function's "
                                             r"forward and backward get and return numpy "
                                             r"arrays"):
        MyReLU.apply(tn.randn(3, requires_grad=True))
    with pytest.raises(AttributeError, match=r"Twice.backward: .* attribute 'clone'"):
        Twice.apply(tn.randn(3, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("call", [
    lambda L, x: x.narrow(1, 1, 2), lambda L, x: x.narrow(0, -2, 2),
    lambda L, x: x.narrow(1, 4, 0), lambda L, x: x.select(0, 1), lambda L, x: x.select(1, -1),
    lambda L, x: L.hstack([x, x[:, :1]]), lambda L, x: L.hstack([x[0], x[1]]),
    lambda L, x: L.vstack([x, x[0]]), lambda L, x: L.vstack([x[0], x[1]]),
    lambda L, x: L.hstack([x[0, 0], x[1]]), lambda L, x: L.vstack([x[0, 0], x[1, 1]]),
    lambda L, x: L.column_stack([x[0, 0], x[1, 1]]),  # 0-d tensors as in PyTorch
])
def test_slicing_and_stacking_equal_pytorchs(call):
    torch = pytest.importorskip("torch")
    x = np.arange(12.0).reshape(3, 4)
    ours, theirs = call(tn, tn.tensor(x, requires_grad=True)), call(torch, torch.tensor(x))
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    ours.sum().backward()  # differentiable: each picked element once (or twice)


def test_narrow_select_and_random_errors_and_values():
    x = tn.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"narrow: start \(3\) \+ length \(2\) exceeds "
                                           r"dimension size \(4\) of dim 1"):
        x.narrow(1, 3, 2)
    with pytest.raises(IndexError, match=r"select: index 3 out of range for tensor of size "
                                         r"\[3, 4\] at dimension 0"):
        x.select(0, 3)
    t = tn.empty(1000, dtype=tn.int64).random_(5)
    assert t.dtype == tn.int64 and set(t.tolist()) == {0, 1, 2, 3, 4}
    u = tn.zeros(1000).random_(-3, 3)
    assert u.dtype == tn.float32 and set(u.tolist()) == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0}
    with pytest.raises(RuntimeError, match=r"random_: from must be < to \(integers in "
                                           r"\[from, to\)\), got from=2 and to=2"):
        u.random_(2, 2)


@pytest.mark.parametrize("size_average, reduce, reduction", [
    (False, None, "sum"), (None, False, "none"), (True, True, "mean"), (False, False, "none")])
@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss",
                                  "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
                                  "KLDivLoss"])
def test_the_deprecated_size_average_and_reduce_map_as_pytorchs(loss, size_average, reduce,
                                                                 reduction):
    with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead"):
        module = getattr(tn.nn, loss)(size_average=size_average, reduce=reduce)
    assert module.reduction == reduction
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert getattr(torch.nn, loss)(size_average=size_average,
                                       reduce=reduce).reduction == reduction
