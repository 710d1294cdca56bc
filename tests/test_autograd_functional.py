"""tn.autograd.functional: jacobian, vjp and jvp against closed forms, central finite
differences (float64, shapes drawn by hypothesis), each other, and PyTorch's; what they
refuse and what they leave alone."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

F = tn.autograd.functional


def _tensor(values, dtype=np.float64):
    return tn.tensor(np.asarray(values, dtype=dtype))


def _mlp(x, W):
    return (x @ W).tanh().sum(dim=1)


def test_closed_forms():
    x = _tensor([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(F.jacobian(lambda a: a ** 2, x).numpy(),
                                  np.diag([2.0, -4.0, 6.0]))
    # d(Ax)/dx = A; d(Ax)/dA[i, j] = x[j] on row i
    A = _tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 4.0]])
    dA, dx = F.jacobian(lambda m, v: m @ v, (A, x))
    np.testing.assert_array_equal(dx.numpy(), A.numpy())
    assert dA.shape == (2, 2, 3)
    np.testing.assert_array_equal(dA.numpy()[0, 0], x.numpy())
    np.testing.assert_array_equal(dA.numpy()[0, 1], np.zeros(3))
    np.testing.assert_array_equal(dA.numpy()[1, 1], x.numpy())
    # a 0-d input and output
    assert F.jacobian(lambda a: a * 3, _tensor(2.0)).item() == 3.0


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 3), k=st.integers(1, 3), seed=st.integers(0, 99))
def test_jacobian_matches_central_differences(n, d, k, seed):
    rng = np.random.default_rng(seed)
    x, W = rng.normal(size=(n, d)), rng.normal(size=(d, k))
    jx, jW = F.jacobian(_mlp, (_tensor(x), _tensor(W)))
    assert jx.shape == (n, n, d) and jW.shape == (n, d, k)
    h = 1e-6
    for J, base, which in ((jx, x, 0), (jW, W, 1)):
        for index in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[index] += h
            minus[index] -= h
            args_plus = [x, W]
            args_minus = [x, W]
            args_plus[which], args_minus[which] = plus, minus
            numeric = (_mlp(*map(_tensor, args_plus)).numpy() -
                       _mlp(*map(_tensor, args_minus)).numpy()) / (2 * h)
            np.testing.assert_allclose(J.numpy()[(slice(None), *index)], numeric,
                                       rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 3), seed=st.integers(0, 99))
def test_vjp_and_jvp_are_the_jacobian_times_a_vector(n, d, seed):
    rng = np.random.default_rng(seed)
    x, W = _tensor(rng.normal(size=(n, d))), _tensor(rng.normal(size=(d, 2)))
    u, v = _tensor(rng.normal(size=n)), _tensor(rng.normal(size=(n, d)))
    J = F.jacobian(lambda a: _mlp(a, W), x).numpy().reshape(n, n * d)
    out, g = F.vjp(lambda a: _mlp(a, W), x, u)
    np.testing.assert_array_equal(out.numpy(), _mlp(x, W).numpy())
    np.testing.assert_allclose(g.numpy().reshape(-1), u.numpy() @ J, rtol=1e-12, atol=1e-14)
    _, jv = F.jvp(lambda a: _mlp(a, W), x, v)
    np.testing.assert_allclose(jv.numpy(), J @ v.numpy().reshape(-1), rtol=1e-12, atol=1e-14)


def test_results_are_constants_and_the_callers_tensors_are_left_alone():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    w = tn.tensor([3.0], requires_grad=True)
    J = F.jacobian(lambda a: a * w, x)
    out, g = F.vjp(lambda a: (a * w).sum(), x)
    assert not J.requires_grad and not out.requires_grad and not g.requires_grad
    assert x.grad is None and w.grad is None
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])
    assert out.item() == 9.0


def test_nesting_dtype_and_unused_inputs_as_pytorch():
    x, y = _tensor([1.0, 2.0], np.float32), _tensor([5.0, 7.0], np.float32)
    (jxx, jxy), (jsx, jsy) = F.jacobian(lambda a, b: (a * 2, a.sum()), (x, y))
    np.testing.assert_array_equal(jxx.numpy(), 2 * np.eye(2))
    np.testing.assert_array_equal(jxy.numpy(), np.zeros((2, 2)))  # b unused: zeros
    np.testing.assert_array_equal(jsx.numpy(), [1.0, 1.0])
    assert jsy.shape == (2,)
    # the gradient's dtype is the input's, whatever the output's; jvp's the output's
    assert F.jacobian(lambda a: a.double() * 2, x).dtype == tn.float32
    assert F.jvp(lambda a: a.double() * 2, x, tn.ones(2))[1].dtype == tn.float64
    # a constant output (an argmax): zeros of shape out.shape + input.shape
    _, arg = F.jacobian(lambda a: (a * 2, a.argmax()), x)
    np.testing.assert_array_equal(arg.numpy(), [0.0, 0.0])


def test_refusals_name_the_argument_and_the_rule():
    x = _tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="jacobian: inputs must be a Tensor or a tuple"):
        F.jacobian(lambda a: a, [x])
    with pytest.raises(TypeError, match="jacobian: outputs of func must be a Tensor"):
        F.jacobian(lambda a: 3, x)
    with pytest.raises(RuntimeError, match=r"inputs\[0\] must be floating point"):
        F.jacobian(lambda a: a * 2, tn.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="jacobian: output 0 of func does not depend"):
        F.jacobian(lambda a: tn.ones(2), x, strict=True)
    with pytest.raises(RuntimeError, match=r"vjp: the outputs of func do not depend on "
                                           r"inputs\[1\]"):
        F.vjp(lambda a, b: (a * 2).sum(), (x, _tensor([3.0])), strict=True)
    with pytest.raises(RuntimeError, match="vjp: v can be None only for one output of one"):
        F.vjp(lambda a: a ** 2, x)
    with pytest.raises(RuntimeError, match=r"vjp: v\[0\] must have shape \(2,\)"):
        F.vjp(lambda a: a ** 2, x, _tensor([1.0]))
    with pytest.raises(RuntimeError, match="jvp: v can be None only for one input of one"):
        F.jvp(lambda a: a ** 2, x)
    for name in ("hessian", "hvp", "vhp"):
        with pytest.raises(NotImplementedError, match=f"{name}: second derivatives"):
            getattr(F, name)(lambda a: a.sum(), x)
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        F.jacobian(lambda a: a, x, create_graph=True)
    with pytest.raises(NotImplementedError, match="no forward-mode"):
        F.jacobian(lambda a: a, x, strategy="forward-mode")


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    cases = [
        (lambda L: lambda a: L.softmax(a, 1), (x,)),
        (lambda L: lambda a, b: ((a @ b).tanh(), (a ** 2).sum()), (x, W)),
        (lambda L: lambda a: a.sum(0) * a.mean(), (x,)),
    ]
    for make, arrays in cases:
        ours = F.jacobian(make(tn), tuple(_tensor(a) for a in arrays))
        theirs = TF.jacobian(make(torch), tuple(torch.tensor(a) for a in arrays))
        flat_ours = [t for row in (ours if isinstance(ours[0], tuple) else (ours,))
                     for t in row]
        flat_theirs = [t for row in (theirs if isinstance(theirs[0], tuple) else (theirs,))
                       for t in row]
        assert len(flat_ours) == len(flat_theirs)
        for a, b in zip(flat_ours, flat_theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
        v = tuple(torch.ones(a.shape, dtype=torch.float64) for a in arrays)
        _, jt = TF.jvp(make(torch), tuple(torch.tensor(a) for a in arrays), v)
        _, jn = F.jvp(make(tn), tuple(_tensor(a) for a in arrays),
                      tuple(tn.ones(*a.shape, dtype=tn.float64) for a in arrays))
        for a, b in zip(jn if isinstance(jn, tuple) else (jn,),
                        jt if isinstance(jt, tuple) else (jt,)):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
