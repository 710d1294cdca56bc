"""nn.utils.clip_grad_norm_ and clip_grad_value_: closed forms, PyTorch's numbers, errors."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.nn.utils import clip_grad_norm_, clip_grad_value_


def _params(grads, dtype=tn.float64):
    params = []
    for g in grads:
        p = tn.zeros(*np.shape(g), dtype=dtype, requires_grad=True)
        p.grad = tn.tensor(np.asarray(g), dtype=dtype)
        params.append(p)
    return params


def test_the_norm_of_all_gradients_joined_is_clipped_to_max_norm():
    # ‖(3, 4, 0, 12)‖ = 13: scaled by 1/(13 + 1e-6)
    params = _params([[3.0, 4.0], [0.0, 12.0]])
    total = clip_grad_norm_(params, 1.0)
    assert total.item() == 13.0
    joined = np.concatenate([p.grad.array for p in params])
    np.testing.assert_allclose(joined, np.array([3, 4, 0, 12]) / (13 + 1e-6), rtol=1e-15)


def test_below_max_norm_nothing_changes_and_missing_grads_are_skipped():
    params = _params([[0.3, 0.4]]) + [tn.zeros(2, requires_grad=True)]
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.array, [0.3, 0.4])
    assert params[1].grad is None
    assert clip_grad_norm_([tn.zeros(2, requires_grad=True)], 1.0).item() == 0.0


@pytest.mark.parametrize("norm_type", [1.0, 3.0, math.inf, "inf"])
def test_other_norms(norm_type):
    grads = [[3.0, -4.0], [1.0]]
    q = math.inf if norm_type == "inf" else norm_type
    expected = np.linalg.norm(np.array([3.0, -4.0, 1.0]), ord=q)
    assert clip_grad_norm_(_params(grads), 100.0, norm_type=norm_type).item() == pytest.approx(
        expected, rel=1e-12)


def test_a_non_finite_norm_raises_only_when_asked():
    params = _params([[np.nan, 1.0]])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is nan"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(params, 1.0).item())
    assert np.isnan(params[0].grad.array).all()  # as PyTorch: scaled by a NaN factor


@pytest.mark.parametrize("norm_type", [math.inf, 2.0])
@pytest.mark.parametrize("grads", [[[1.0], [np.nan]], [[np.nan], [1.0]], [[2.0, np.nan]]])
def test_a_nan_in_any_gradient_makes_the_norm_nan(grads, norm_type):
    # whichever tensor holds it, also for the largest |g| (PyTorch: NaN, and the
    # gradients scaled by it)
    params = _params(grads)
    assert math.isnan(clip_grad_norm_(params, 1.0, norm_type=norm_type).item())
    assert all(np.isnan(p.grad.array).all() for p in params)
    with pytest.raises(RuntimeError, match="is nan"):
        tn.nn.utils.get_total_norm([p.grad for p in params], norm_type,
                                   error_if_nonfinite=True)


def test_get_total_norm_refuses_integer_tensors_as_pytorch():
    # ‖(1, 1)‖ = √2 has no int64 value (it was truncated to 1); PyTorch refuses them too,
    # as tn.linalg.vector_norm does (RuntimeError)
    with pytest.raises(RuntimeError, match="get_total_norm: tensors must be floating-point, "
                                        "got int64 at position 1"):
        tn.nn.utils.get_total_norm([tn.tensor([1.0]), tn.tensor([1, 1])])


@pytest.mark.parametrize("call, words", [
    (lambda p: clip_grad_norm_(p, -1.0), r"clip_grad_norm_: max_norm must be a number >= 0 "
                                         r"\(inf: no clipping\), got -1.0"),
    (lambda p: clip_grad_norm_(p, float("nan")), "clip_grad_norm_: max_norm must be a real "
                                                 "number"),
    (lambda p: clip_grad_norm_(p, 1.0, norm_type=0), "norm_type must be a finite number > 0"),
    (lambda p: clip_grad_value_(p, float("nan")), "clip_grad_value_: clip_value must be a "
                                                  "finite number >= 0, got nan"),
])
def test_bad_arguments_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call(_params([[1.0]]))


def test_clip_grad_value_clamps_every_element():
    params = _params([[3.0, -0.5, -4.0]])
    assert clip_grad_value_(params, 1.0) is None
    np.testing.assert_array_equal(params[0].grad.array, [1.0, -0.5, -1.0])


# elements whose powers stay in float64's range (beyond it, PyTorch's norm is 0 or inf:
# test_norms_whose_powers_under_or_overflow_are_still_right)
IN_RANGE = st.floats(-50, 50).filter(lambda v: v == 0 or abs(v) > 1e-60)


@given(hnp.arrays(np.float64, st.integers(1, 6), elements=IN_RANGE),
       hnp.arrays(np.float64, (2, 3), elements=IN_RANGE),
       st.floats(0.01, 100), st.sampled_from([1.0, 2.0, 3.5, math.inf]))
def test_matches_pytorch(a, b, max_norm, norm_type):
    torch = pytest.importorskip("torch")
    params = _params([a, b])
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ours = [p.grad.array for p in params]
    theirs = []
    for g in (a, b):
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g)
        theirs.append(t)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12, abs=1e-300)
    for mine, t in zip(ours, theirs):
        np.testing.assert_allclose(mine, t.grad.numpy(), rtol=1e-12, atol=1e-300)


# ---- get_total_norm and clip_grads_with_norm_: clip_grad_norm_ in two steps --------------

def test_get_total_norm_is_the_norm_of_the_tensors_joined():
    tensors = [tn.tensor([3.0, 0.0], dtype=tn.float64), tn.tensor([[4.0, 12.0]],
                                                                   dtype=tn.float64)]
    assert tn.nn.utils.get_total_norm(tensors).item() == 13.0
    assert tn.nn.utils.get_total_norm(tensors, norm_type=1).item() == 19.0
    assert tn.nn.utils.get_total_norm(tensors, norm_type="inf").item() == 12.0
    assert tn.nn.utils.get_total_norm(tensors[1]).item() == pytest.approx(math.sqrt(160))
    assert tn.nn.utils.get_total_norm([]).item() == 0.0
    norm = tn.nn.utils.get_total_norm([tn.ones(2), tn.ones(2, dtype=tn.float64)])
    assert norm.dtype == np.float64 and norm.ndim == 0 and not norm.requires_grad
    with pytest.raises(RuntimeError, match="get_total_norm: the total norm of order 2.0 of "
                                           "the gradients is inf"):
        tn.nn.utils.get_total_norm([tn.tensor([math.inf])], error_if_nonfinite=True)
    with pytest.raises(ValueError, match="get_total_norm: norm_type must be a finite number "
                                         "> 0, got -1"):
        tn.nn.utils.get_total_norm(tensors, norm_type=-1)


@pytest.mark.parametrize("max_norm", [0.5, 13.0, 100.0])
def test_the_two_steps_give_clip_grad_norm_s_numbers(max_norm):
    one, two = _params([[3.0, 4.0], [0.0, 12.0]]), _params([[3.0, 4.0], [0.0, 12.0]])
    expected = clip_grad_norm_(one, max_norm)
    total = tn.nn.utils.get_total_norm([p.grad for p in two])
    assert tn.nn.utils.clip_grads_with_norm_(two, max_norm, total) is None
    assert total.item() == expected.item() == 13.0
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a.grad.array, b.grad.array)


def test_clip_grads_with_norm_takes_a_number_and_refuses_a_vector():
    params = _params([[3.0, 4.0]])
    tn.nn.utils.clip_grads_with_norm_(params, 1.0, 5.0)
    np.testing.assert_allclose(params[0].grad.array, [0.6, 0.8], rtol=1e-6)
    with pytest.raises(ValueError, match="clip_grads_with_norm_: total_norm must be a number "
                                         r"or a one-element tensor, got shape \(2,\)"):
        tn.nn.utils.clip_grads_with_norm_(params, 1.0, tn.tensor([1.0, 2.0]))
    tn.nn.utils.clip_grads_with_norm_(params, 1.0, math.nan)
    assert np.isnan(params[0].grad.array).all()  # as PyTorch: a NaN factor


def test_pytorchs_module_paths_and_the_deprecated_name():
    from tinynet.nn.utils.clip_grad import clip_grad_norm_ as by_module
    from tinynet.nn.utils.convert_parameters import parameters_to_vector

    assert by_module is clip_grad_norm_
    assert parameters_to_vector is tn.nn.utils.parameters_to_vector
    params = _params([[3.0, 4.0]])
    with pytest.warns(FutureWarning, match="clip_grad_norm is deprecated in favour of "
                                           "clip_grad_norm_"):
        assert tn.nn.utils.clip_grad_norm(params, 1.0).item() == 5.0
    np.testing.assert_allclose(params[0].grad.array, [0.6, 0.8], rtol=1e-6)


def test_norms_whose_powers_under_or_overflow_are_still_right():
    """|g|^q out of the dtype's range: the norm is recomputed scaled by the largest |g|
    (PyTorch returns 0 or inf there, and clip_grad_norm_ then zeroes the gradients)."""
    huge = tn.tensor([3e20, -4e20], dtype=tn.float32)  # (3e20)² overflows float32
    assert tn.nn.utils.get_total_norm([huge]).item() == pytest.approx(5e20, rel=1e-6)
    tiny = tn.tensor([3e-30, 4e-30], dtype=tn.float32)  # (3e-30)² underflows
    assert tn.nn.utils.get_total_norm([tiny], 3.0).item() == pytest.approx(
        (27 + 64) ** (1 / 3) * 1e-30, rel=1e-6)
    params = _params([[3e200, -4e200]])
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose(params[0].grad.array, [0.6, -0.8], rtol=1e-15)


@given(st.lists(hnp.arrays(np.float64, st.integers(1, 5), elements=IN_RANGE), min_size=1,
                max_size=3),
       st.sampled_from([1.0, 2.0, 3.5, math.inf]))
def test_get_total_norm_matches_pytorch(arrays, norm_type):
    torch = pytest.importorskip("torch")
    ours = tn.nn.utils.get_total_norm([tn.tensor(a) for a in arrays], norm_type)
    theirs = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays], norm_type)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12, abs=1e-300)


def test_a_float16_total_norm_is_summed_in_float32_as_pytorchs():
    values = (np.random.default_rng(0).standard_normal(1000) * 10).astype(np.float16)
    expected = np.float16(np.sqrt(np.sum(values.astype(np.float32) ** 2)))
    norm = tn.nn.utils.get_total_norm([tn.tensor(values)])
    assert norm.dtype == np.float16 and norm.item() == float(expected)


def test_an_infinite_max_norm_reads_the_norm_and_clips_nothing_as_pytorch():
    params = _params([[3.0, 4.0]])
    assert clip_grad_norm_(params, float("inf")).item() == 5.0
    np.testing.assert_array_equal(params[0].grad.array, [3.0, 4.0])
