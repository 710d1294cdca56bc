"""tinynet.linalg's square-matrix functions (inv, solve, det, slogdet, and the Tensor
methods inverse, det, logdet, slogdet): values and gradients against PyTorch where it is
installed, closed forms and finite differences everywhere, errors by name."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

RNG = np.random.default_rng(0)


def well_conditioned(*batch, n=3, seed=0):
    """Random matrices near the identity times 2: invertible, moderate condition."""
    rng = np.random.default_rng(seed)
    return 2 * np.eye(n) + 0.5 * rng.standard_normal((*batch, n, n))


def numerical_gradient(f, A, eps=1e-6):
    """d sum(f(A) · V) / dA by central differences, V a fixed random weighting."""
    out = f(A)
    V = np.random.default_rng(7).standard_normal(np.shape(out))
    g = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        up, down = A.copy(), A.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = ((f(up) * V).sum() - (f(down) * V).sum()) / (2 * eps)
    return V, g


def analytic_gradient(op, A, V):
    a = tn.tensor(A, requires_grad=True)
    out = op(a)
    out.backward(tn.tensor(V))
    return out.detach().numpy(), a.grad.numpy()


OPS = {
    "inv": (tn.linalg.inv, np.linalg.inv),
    "det": (tn.linalg.det, np.linalg.det),
    "logabsdet": (lambda a: tn.linalg.slogdet(a).logabsdet, lambda a: np.linalg.slogdet(a)[1]),
    "logdet": (lambda a: a.logdet(), lambda a: np.log(np.linalg.det(a))),
    "solve": (lambda a: tn.linalg.solve(a, tn.tensor(np.arange(6.0).reshape(3, 2))),
              lambda a: np.linalg.solve(a, np.arange(6.0).reshape(3, 2))),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("batch", [(), (2,), (2, 2)])
def test_values_and_gradients_equal_numpy_and_finite_differences(name, batch):
    ours, reference = OPS[name]
    A = well_conditioned(*batch)
    if name == "logdet":
        A = A @ np.swapaxes(A, -1, -2) + np.eye(3)  # positive determinants
    V, numerical = numerical_gradient(reference, A)
    value, gradient = analytic_gradient(ours, A, V)
    np.testing.assert_allclose(value, reference(A), rtol=1e-12)
    np.testing.assert_allclose(gradient, numerical, rtol=1e-6, atol=1e-8)


def test_det_gradient_at_a_singular_matrix_is_the_adjugate():
    """At rank n - 1 the determinant still moves: d det / dA = adj(A)ᵀ, here [[4, -2],
    [-2, 1]] (PyTorch gives 0 there)."""
    A = tn.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=tn.float64, requires_grad=True)
    tn.linalg.det(A).backward()
    np.testing.assert_allclose(A.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    B = tn.zeros(3, 3, dtype=tn.float64, requires_grad=True)  # rank 0: every cofactor 0
    tn.linalg.det(B).backward()
    assert not B.grad.numpy().any()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), batch=st.lists(st.integers(1, 3), max_size=2),
       seed=st.integers(0, 1000))
def test_solve_is_inv_times_b_for_vectors_and_matrices(n, batch, seed):
    A = well_conditioned(*batch, n=n, seed=seed)
    b = np.random.default_rng(seed + 1).standard_normal((*batch, n))
    x = tn.linalg.solve(tn.tensor(A), tn.tensor(b)).numpy()  # a batch of vectors
    np.testing.assert_allclose(x, np.einsum("...ij,...j->...i", np.linalg.inv(A), b),
                               rtol=1e-9, atol=1e-12)
    # one matrix, broadcast (n + 1 columns: not mistaken for a batch of vectors)
    B = np.random.default_rng(seed + 2).standard_normal((n, n + 1))
    X = tn.linalg.solve(tn.tensor(A), tn.tensor(B)).numpy()
    np.testing.assert_allclose(X, np.linalg.inv(A) @ B, rtol=1e-9, atol=1e-12)
    C = np.random.default_rng(seed + 3).standard_normal((n + 3, n))  # (never A's batch)
    Y = tn.linalg.solve(tn.tensor(A), tn.tensor(C), left=False).numpy()  # Y A = C
    np.testing.assert_allclose(Y, C @ np.linalg.inv(A), rtol=1e-9, atol=1e-12)


def test_slogdet_sign_and_logdet_of_negative_and_singular_matrices():
    A = tn.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tn.float64)  # det -2
    sign, logabsdet = tn.slogdet(A)
    assert (sign.item(), logabsdet.item()) == (-1.0, pytest.approx(np.log(2.0)))
    assert np.isnan(A.logdet().item()) and tn.det(A).item() == pytest.approx(-2.0)
    S = tn.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=tn.float64)
    assert tn.slogdet(S).sign.item() == 0.0 and S.logdet().item() == -np.inf
    np.testing.assert_allclose((A.inverse() @ A).numpy(), np.eye(2), atol=1e-12)


@pytest.mark.parametrize("call,error,message", [
    (lambda: tn.linalg.inv(tn.tensor([[1.0, 2.0], [2.0, 4.0]])), tn.linalg.LinAlgError,
     "linalg.inv: the input matrix is singular"),
    (lambda: tn.linalg.solve(tn.zeros(2, 2), tn.ones(2)), RuntimeError,
     "linalg.solve: the input matrix A is singular"),
    (lambda: tn.linalg.det(tn.ones(2, 3)), RuntimeError,
     r"linalg.det: A must be a batch of square matrices \(\*, n, n\), got shape \(2, 3\)"),
    (lambda: tn.linalg.inv(tn.ones(3)), RuntimeError, "got shape \\(3,\\)"),
    (lambda: tn.linalg.inv(tn.eye(2, dtype=tn.int64)), RuntimeError,
     "must be a floating-point tensor, got int64"),
    (lambda: tn.linalg.solve(tn.eye(2), tn.ones(3)), RuntimeError,
     "B must have A's 2 rows"),
    (lambda: tn.linalg.solve(tn.eye(2), tn.ones(2, dtype=tn.float64)), RuntimeError,
     "A and B must have one dtype, got float32 and float64"),
    (lambda: tn.linalg.det(tn.eye(2, dtype=tn.float16)), RuntimeError,
     "linalg.det: A must be float32 or float64 \\(low precision is not supported\\), got "
     "float16"),
])
def test_errors_name_the_function_and_the_rule(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    A = well_conditioned(2, seed=3)
    B = np.random.default_rng(4).standard_normal((2, 3, 4))
    b = np.random.default_rng(5).standard_normal(3)
    cases = [
        (lambda m, a: m.linalg.inv(a), [A]),
        (lambda m, a: m.linalg.det(a), [A]),
        (lambda m, a: m.linalg.slogdet(a)[1], [A]),
        (lambda m, a: m.logdet(a @ a.mT), [A]),
        (lambda m, a, x: m.linalg.solve(a, x), [A, B]),
        (lambda m, a, x: m.linalg.solve(a, x), [A, b]),
        (lambda m, a, x: m.linalg.solve(a, x, left=False), [A, np.swapaxes(B, -1, -2)]),
    ]
    for fn, arrays in cases:
        ours = [tn.tensor(x, requires_grad=True) for x in arrays]
        theirs = [torch.tensor(x, requires_grad=True) for x in arrays]
        y, y_ref = fn(tn, *ours), fn(torch, *theirs)
        np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-10)
        v = np.random.default_rng(1).standard_normal(y.shape)
        y.backward(tn.tensor(v))
        y_ref.backward(torch.tensor(v))
        for a, r in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.numpy(), r.grad.numpy(), rtol=1e-9, atol=1e-12)
    sign = tn.linalg.slogdet(tn.tensor(A)).sign.numpy()
    np.testing.assert_array_equal(sign, torch.linalg.slogdet(torch.tensor(A)).sign.numpy())


def test_logabsdet_gradient_at_a_singular_matrix_is_not_finite():
    """A⁻ᵀ = adj(A)ᵀ / det A: at [[1, 2], [2, 4]] every cofactor is non-zero, so every
    entry is infinite (PyTorch's too); numpy's inverse would raise there."""
    A = tn.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=tn.float64, requires_grad=True)
    tn.linalg.slogdet(A).logabsdet.backward()
    assert np.isinf(A.grad.numpy()).all()

