"""The module-level in-place functions (``tn.exp_(x)`` is ``x.exp_()``) against PyTorch's:
the same values, the input itself returned and changed, its version counter bumped (a
backward through an op that saved it raises), a leaf that requires grad refused, and
inside the graph the gradients of PyTorch's."""
import math

import numpy as np
import pytest

import tinynet as tn
from tinynet import functions_inplace

torch = pytest.importorskip("torch")

SIGNED = [-2.6, -0.7, 0.3, 1.4, 2.2]  # no kink (0, integers) of abs, relu, round, frac...
POSITIVE = [0.3, 0.7, 1.4, 2.2]
PROBABILITIES = [0.1, 0.4, 0.8]
NAN_INF = [math.nan, math.inf, -math.inf, 1.5]
UNIT = [-0.9, -0.4, 0.2, 0.7]  # inside (-1, 1)
ABOVE_ONE = [1.2, 1.7, 2.5]

# (name, input values, positional arguments, keyword arguments)
CASES = [
    ("abs_", SIGNED, (), {}), ("neg_", SIGNED, (), {}), ("exp_", SIGNED, (), {}),
    ("log_", POSITIVE, (), {}), ("sqrt_", POSITIVE, (), {}), ("square_", SIGNED, (), {}),
    ("sigmoid_", SIGNED, (), {}), ("tanh_", SIGNED, (), {}), ("relu_", SIGNED, (), {}),
    ("logit_", PROBABILITIES, (), {}), ("logit_", [0.0, 0.5, 1.0], (0.2,), {}),
    ("logit_", PROBABILITIES, (), {"eps": 0.2}),
    ("xlogy_", [0.0, 1.5, 2.0], (torch.tensor([0.0, 3.0, 0.5]),), {}),
    ("xlogy_", SIGNED, (3.0,), {}),
    ("ceil_", SIGNED, (), {}), ("floor_", SIGNED, (), {}), ("round_", SIGNED, (), {}),
    ("round_", [1.26, -2.54, 0.05], (), {"decimals": 1}),
    ("trunc_", SIGNED, (), {}), ("fix_", SIGNED, (), {}), ("frac_", SIGNED, (), {}),
    ("clamp_", SIGNED, (-1.0, 1.0), {}), ("clamp_", SIGNED, (), {"min": 0.5}),
    ("clamp_", SIGNED, (None, 0.5), {}), ("clip_", SIGNED, (-1.0, 1.0), {}),
    ("clip_", SIGNED, (), {"max": 0.5}),
    ("clamp_min_", SIGNED, (0.5,), {}), ("clamp_max_", SIGNED, (), {"max": 0.5}),
    ("nan_to_num_", NAN_INF, (), {}), ("nan_to_num_", NAN_INF, (1.0, 2.0, -3.0), {}),
    ("nan_to_num_", NAN_INF, (), {"posinf": 9.0}),
    ("zero_", SIGNED, (), {}), ("fill_", SIGNED, (2.5,), {}),
    *[(name, SIGNED, (), {}) for name in ("sin_", "cos_", "tan_", "atan_", "arctan_", "sinh_",
                                         "cosh_", "asinh_", "arcsinh_", "expm1_", "exp2_",
                                         "reciprocal_", "erf_", "erfc_")],
    *[(name, UNIT, (), {}) for name in ("asin_", "acos_", "atanh_", "arcsin_", "arccos_",
                                       "arctanh_")],
    *[(name, POSITIVE, (), {}) for name in ("log1p_", "log2_", "log10_", "rsqrt_")],
    ("acosh_", ABOVE_ONE, (), {}), ("arccosh_", ABOVE_ONE, (), {}),
]
NAMES = sorted({case[0] for case in CASES})


def _ours(arg):
    return tn.tensor(arg.numpy()) if isinstance(arg, torch.Tensor) else arg


def _call(library, case, x):
    name, _, args, kwargs = case
    if library is tn:
        args = tuple(_ours(a) for a in args)
    return getattr(library, name)(x, *args, **kwargs)


def _version(x) -> int:
    counter = x._version  # tinynet's: a list its views share; PyTorch's: an int
    return counter[0] if isinstance(counter, list) else counter


def _id(case):
    name, values, args, kwargs = case
    return f"{name}-{values[:2]}-{len(args)}-{sorted(kwargs)}"


def test_the_list_is_pytorchs_where_tinynet_has_both_pieces():
    # PyTorch's top-level in-place functions whose out-of-place form tinynet has at the top
    # level and whose in-place method Tensor has; zero_ and fill_ have no out-of-place
    # function in tinynet (zero_ none in PyTorch either)
    pytorchs = {n for n in dir(torch) if n.endswith("_") and not n.startswith("_")}
    both = {n for n in pytorchs if hasattr(tn, n[:-1]) and hasattr(tn.Tensor, n)}
    assert both - {"celu_", "rrelu_"} | {"zero_", "fill_"} == set(NAMES)
    assert set(NAMES) <= set(tn.__all__) and set(NAMES) <= pytorchs
    for name in NAMES:
        assert getattr(tn, name) is getattr(functions_inplace, name)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_values_and_the_object_are_pytorchs(case):
    _, values, _, _ = case
    ours, theirs = tn.tensor(values, dtype=tn.float64), torch.tensor(values, dtype=torch.float64)
    expected = _call(torch, case, theirs.clone())  # PyTorch's out of its own in-place call
    result = _call(tn, case, ours)
    assert result is ours
    assert result.dtype == tn.float64
    np.testing.assert_allclose(ours.array, expected.numpy(), rtol=1e-12, atol=0)
    assert _call(torch, case, theirs) is theirs  # as PyTorch's


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_version_counter_counts_the_change(case):
    # a product that saved x: its backward raises after x changed, in both libraries
    _, values, _, _ = case
    for library in (tn, torch):
        x = library.tensor(values, dtype=library.float64)
        w = library.ones(len(values), dtype=library.float64, requires_grad=True)
        y = (w * x).sum()
        version = _version(x)
        _call(library, case, x)
        assert _version(x) == version + 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
            y.backward()


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_leaf_that_requires_grad_is_refused(case):
    _, values, _, _ = case
    for library in (tn, torch):
        w = library.tensor(values, dtype=library.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            _call(library, case, w)
        with library.no_grad():  # allowed there, as in PyTorch
            assert _call(library, case, w) is w


# PyTorch 2.13 has no derivative for these in place ("not implemented"); tinynet's is the
# out-of-place function's (the test after next)
NO_TORCH_DERIVATIVE = {"asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_"}


@pytest.mark.parametrize("case", [c for c in CASES if c[1] is not NAN_INF
                                  and c[0] not in NO_TORCH_DERIVATIVE], ids=_id)
def test_inside_the_graph_the_gradients_are_pytorchs(case):
    _, values, _, _ = case
    grads = []
    for library in (tn, torch):
        a = library.tensor(values, dtype=library.float64, requires_grad=True)
        b = a * 1.0  # not a leaf: changed in place inside the graph
        out = _call(library, case, b)
        assert out is b and b.requires_grad
        (b * library.tensor([1.0, -2.0, 3.0, 0.5, 4.0][:len(values)],
                            dtype=library.float64)).sum().backward()
        grads.append(np.asarray(a.grad.tolist()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in NO_TORCH_DERIVATIVE], ids=_id)
def test_inside_the_graph_the_gradients_are_the_out_of_place_functions(case):
    name, values, _, _ = case
    grads = []
    for in_place in (True, False):
        a = tn.tensor(values, dtype=tn.float64, requires_grad=True)
        b = a * 1.0
        out = _call(tn, case, b) if in_place else getattr(tn, name[:-1])(b)
        (out * tn.tensor([1.0, -2.0, 3.0, 0.5, 4.0][:len(values)], dtype=tn.float64)).sum(
         ).backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    assert not np.allclose(grads[0], 0)
