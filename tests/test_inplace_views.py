"""In-place changes through a view inside the graph reach the viewed tensor, as PyTorch's
shared storage gives: values and gradients against PyTorch, for every kind of view."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.tensor_views import positions

# (name, the view of a (4, 3) tensor h, as code that runs in both libraries)
VIEWS = [
    ("row", lambda h: h[1]),
    ("column", lambda h: h[:, 2]),
    ("strided block", lambda h: h[::2, 1:]),
    ("transpose", lambda h: h.t()),
    ("transposed row", lambda h: h.t()[0]),
    ("reshape", lambda h: h.reshape(-1)),
    ("view of a row", lambda h: h[2][1:]),
    ("diagonal", lambda h: h.diagonal()),
    ("unsqueeze", lambda h: h.unsqueeze(0)),
    ("narrow", lambda h: h.narrow(0, 1, 2)),
]
CHANGES = [
    ("mul_", lambda v: v.mul_(3.0)),
    ("add_ twice", lambda v: (v.add_(1.0), v.add_(2.0))),
    ("zero_", lambda v: v.zero_()),
    ("fill_", lambda v: v.fill_(7.0)),
    ("+=", lambda v: v.__iadd__(v * 2)),
    ("setitem", lambda v: v.__setitem__(0, 5.0)),
    ("clamp_", lambda v: v.clamp_(min=-0.5, max=0.5)),
]


def _run(lib, view, change, seed):
    x0 = np.random.default_rng(seed).standard_normal((4, 3))
    x = lib.tensor(x0, dtype=lib.float64, requires_grad=True)
    h = x * 2.0
    v = view(h)
    change(v)
    weights = lib.tensor(np.arange(1.0, 13.0).reshape(4, 3), dtype=lib.float64)
    loss = (h * weights).sum() + (v * v).sum()
    loss.backward()
    return h.detach().numpy(), v.detach().numpy(), x.grad.numpy()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(VIEWS), st.sampled_from(CHANGES), st.integers(0, 1000))
def test_a_change_through_a_view_reaches_its_base_as_in_pytorch(view, change, seed):
    torch = pytest.importorskip("torch")
    ours = _run(tn, view[1], change[1], seed)
    theirs = _run(torch, view[1], change[1], seed)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_a_change_through_a_view_of_a_view_reaches_both():
    x = tn.ones(3, 2, requires_grad=True)
    h = x * 2
    row = h[0]
    element = row[1:]
    element.mul_(5)
    assert h.tolist() == [[2.0, 10.0], [2.0, 2.0], [2.0, 2.0]]
    assert row.tolist() == [2.0, 10.0]
    (h * tn.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    # d h[0, 1] / d x[0, 1] = 2 · 5
    assert x.grad.tolist() == [[2.0, 20.0], [6.0, 8.0], [10.0, 12.0]]


def test_a_view_of_a_parameter_is_refused_inside_the_graph():
    layer = tn.nn.Linear(2, 2)
    before = layer.weight.array.copy()
    with pytest.raises(RuntimeError, match="a view of a leaf tensor that requires grad is "
                                           "being used in an in-place operation"):
        layer.weight[0].mul_(2)
    np.testing.assert_array_equal(layer.weight.array, before)
    with tn.no_grad():  # outside the graph it writes into the parameter, as PyTorch's
        layer.weight[0].mul_(2)
    np.testing.assert_array_equal(layer.weight.array[0], 2 * before[0])


def test_a_view_whose_base_is_gone_changes_alone():
    x = tn.ones(4, requires_grad=True)
    v = (x * 2)[1:]  # the product is no longer held by anything but v's array
    v.mul_(3)
    assert v.tolist() == [6.0, 6.0, 6.0]
    v.sum().backward()
    assert x.grad.tolist() == [0.0, 6.0, 6.0, 6.0]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 3), st.integers(0, 3),
       st.integers(1, 3), st.integers(1, 3), st.booleans(), st.booleans())
def test_positions_index_exactly_the_views_elements(rows, cols, r0, c0, rstep, cstep,
                                                    transpose_base, transpose_view):
    base = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    if transpose_base:
        base = base.T  # not C-contiguous: positions looks the addresses up
    view = base[r0::rstep, c0::cstep]
    if transpose_view:
        view = view.T
    where = positions(base, view)
    if view.size:  # (an empty view shares no memory: nothing to write back)
        np.testing.assert_array_equal(base[where], view)
    assert positions(base, view.copy()) is None  # other memory
    assert positions(base, base.view(np.int32)) is None  # another dtype


@pytest.mark.parametrize("name", ["getitem", "getitem columns", "index_select", "masked_fill",
                                  "where", "mask getitem", "masked_select", "index_add",
                                  "setitem", "index_put"])
def test_an_index_or_mask_changed_after_the_forward_makes_backward_raise(name):
    """The op kept the index's (or mask's) array for its backward: changed in place
    afterwards, backward would read the new values and give a wrong gradient ([2, 0, 1]
    where [3, 0, 0] is right); it raises instead, as PyTorch's. Unchanged, the gradient
    is right."""
    def forward(x, i, m):
        if name == "setitem":
            y = x * 1
            y[i] = 0.0
            return y
        return {"getitem": lambda: x[i], "getitem columns": lambda: x.reshape(1, 3)[:, i],
                "index_select": lambda: x.index_select(0, i),
                "masked_fill": lambda: x.masked_fill(m, 0),
                "where": lambda: tn.where(m, x, 0.0), "mask getitem": lambda: x[m],
                "masked_select": lambda: x.masked_select(m),
                "index_add": lambda: tn.zeros(3, dtype=tn.float64).index_add(0, i, x[:2]),
                "index_put": lambda: tn.zeros(3, dtype=tn.float64).index_put((i,), x[:2]),
                }[name]()

    for change in (False, True):
        x = tn.tensor([1.0, 2.0, 3.0], dtype=tn.float64, requires_grad=True)
        i, m = tn.tensor([0, 0]), tn.tensor([True, False, False])
        y = forward(x, i, m)
        loss = (y * tn.arange(1.0, y.numel() + 1, dtype=tn.float64).reshape(y.shape)).sum()
        if not change:
            loss.backward()
            assert np.isfinite(x.grad.numpy()).all()
            continue
        i[0], m[0], m[2] = 2, False, True
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            loss.backward()
