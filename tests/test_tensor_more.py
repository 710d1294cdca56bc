"""PyTorch's tensor functions beyond the core: booleans (``isclose``, ``nonzero``...), shape
(``flip``, ``roll``, ``movedim``, ``broadcast_to``...), matrices (``bmm``, ``diag``,
``tril``...), reductions (``amax``, ``logsumexp``, ``median``, ``cumprod``...), ordering
(``sort``, ``argsort``) and ``remainder``/``fmod``/``floor_divide``, ``erf``,
``meshgrid``, ``bernoulli``.

Each is checked against numpy or a closed form, each gradient by finite differences
(``gradcheck`` in float64, away from ties and jumps), shapes from hypothesis, bad input
by its error; then against PyTorch (when installed): values, dtypes and gradients."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes

import tinynet as tn
from op_checks import check_op, rand


# ---- every name where PyTorch has it -------------------------------------------------------
FUNCTIONS = ("all any equal isclose allclose logical_and logical_or logical_xor logical_not "
             "count_nonzero nonzero clone t permute flatten ravel movedim moveaxis sort "
             "argsort topk flip roll tril triu diag outer trace cumprod amax amin logsumexp "
             "std_mean var_mean erf remainder fmod floor_divide index_select broadcast_to "
             "repeat_interleave bmm addmm meshgrid median nanmedian mode fmax fmin histc "
             "histogram "
             "bernoulli").split()
FUNCTION_ONLY = {"std_mean", "var_mean", "meshgrid"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_exists_where_pytorch_has_it(name):
    assert callable(getattr(tn, name))
    assert hasattr(tn.Tensor, name) == (name not in FUNCTION_ONLY)


def _tensor_first_functions():
    """Every module-level function whose first argument must be a tensor (its body starts
    from ``check_tensor``), with a placeholder for each other required argument."""
    import importlib
    import inspect
    found = []
    for module in ("functions", "shaping", "functions_inplace", "functions_numeric",
                   "logic"):
        module = importlib.import_module(f"tinynet.{module}")
        for name, fn in vars(module).items():
            if name != getattr(fn, "__name__", None) or name.startswith("_") or \
                    not inspect.isfunction(fn) or fn.__module__ != module.__name__ or \
                    "check_tensor(" not in inspect.getsource(fn):
                continue
            required = [p for p in list(inspect.signature(fn).parameters.values())[1:]
                        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                               p.POSITIONAL_OR_KEYWORD)]
            found.append((name, fn, len(required)))
    return found


TENSOR_FIRST = _tensor_first_functions()


def test_tensor_first_functions_are_found():
    names = {name for name, _, _ in TENSOR_FIRST}
    assert len(names) >= 130 and {"exp", "std", "sort", "reshape", "exp_", "all",
                                  "cummax"} <= names


@pytest.mark.parametrize("name,fn,others", TENSOR_FIRST, ids=[n for n, _, _ in TENSOR_FIRST])
def test_module_level_functions_refuse_what_is_not_a_tensor(name, fn, others):
    # as PyTorch's: a TypeError; a numpy array would otherwise get its own method of the
    # same name, with numpy's meaning
    for value, kind in (([1.0, 2.0], "list"), (np.ones((2, 2)), "ndarray"), (2.0, "float")):
        with pytest.raises(TypeError, match=f"^{name}: input must be a tensor, got {kind}$"):
            fn(value, *[0] * others)


@pytest.mark.parametrize("name,fn,others", TENSOR_FIRST, ids=[n for n, _, _ in TENSOR_FIRST])
def test_module_level_functions_name_their_tensor_as_pytorch_does(name, fn, others):
    # PyTorch calls it input (split: tensor), so torch.exp(input=t) code runs here too
    import inspect
    first = next(iter(inspect.signature(fn).parameters))
    assert first == ("tensor" if name == "split" else "input")


def test_module_level_functions_take_pytorchs_keywords():
    t = tn.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert tn.exp(input=t).tolist() == np.exp(t.array).tolist()
    assert tn.sum(input=t, dim=1).tolist() == [-1.0, 7.0]
    assert tn.maximum(input=t, other=-t).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert tn.mm(input=t, mat2=t).tolist() == (t.array @ t.array).tolist()
    assert tn.dot(input=t[0], tensor=t[1]).item() == -5.0
    assert tn.broadcast_to(input=t[0], size=(2, 2)).tolist() == [[1.0, -2.0], [1.0, -2.0]]
    assert [c.tolist() for c in tn.split(tensor=t, split_size_or_sections=1)] == \
        [[[1.0, -2.0]], [[3.0, 4.0]]]


# method, positional arguments, PyTorch's keyword for them
ARGS_OR_KEYWORD = [("reshape", (3, 2), "shape"), ("view", (6,), "size"),
                   ("permute", (1, 0), "dims"), ("flip", (0,), "dims"),
                   ("expand", (4, 2, 3), "size"), ("repeat", (2, 1), "repeats"),
                   ("tile", (2,), "dims"), ("new_zeros", (3,), "size"),
                   ("new_ones", (1, 2), "size")]


@pytest.mark.parametrize("method,args,keyword", ARGS_OR_KEYWORD)
def test_methods_take_their_sizes_as_arguments_or_as_pytorchs_keyword(method, args, keyword):
    t = tn.tensor(np.arange(6.0).reshape(2, 3))
    positional = getattr(t, method)(*args)
    by_keyword = getattr(t, method)(**{keyword: args})
    assert by_keyword.shape == positional.shape
    np.testing.assert_array_equal(by_keyword.array, positional.array)
    with pytest.raises(TypeError, match=f"{method}: give {keyword} as arguments or as "
                                        f"{keyword}=, not both"):
        getattr(t, method)(*args, **{keyword: args})
    torch = pytest.importorskip("torch")
    expected = getattr(torch.tensor(t.array), method)(**{keyword: args})
    np.testing.assert_array_equal(by_keyword.array, expected.numpy())


def test_numpy_arrays_do_not_get_numpys_meaning():
    x = np.array([3.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="std: input must be a tensor, got ndarray"):
        tn.std(x)  # numpy's std has no Bessel correction: 0.816, where PyTorch's gives 1.0
    with pytest.raises(TypeError, match="sort: input must be a tensor, got ndarray"):
        tn.sort(x)  # ndarray.sort sorts in place and returns None
    assert x.tolist() == [3.0, 1.0, 2.0]
    assert tn.std(tn.tensor(x)).item() == 1.0
    with pytest.raises(TypeError, match="remainder: input must be a tensor, or a number with "
                                        "other a tensor, got ndarray and Tensor"):
        tn.remainder(x, tn.tensor(x))  # (was NotImplemented, returned as a value)
    assert tn.remainder(5, tn.tensor([3, -3])).tolist() == [2, -1]


# ---- booleans ------------------------------------------------------------------------------
def test_all_and_any_functions():
    x = np.array([[1, 0, 2], [3, 4, 5]])
    assert tn.all(tn.tensor(x)).item() is False and tn.any(tn.tensor(x)).item() is True
    assert tn.all(tn.tensor(x), dim=1).tolist() == [False, True]
    assert tn.any(tn.tensor(x) > 3, 0, keepdim=True).tolist() == [[False, True, True]]
    assert tn.all(tn.tensor(x), dim=(0, 1)).dtype == tn.bool
    assert tn.all(tn.tensor(x, dtype=np.uint8)).dtype == np.uint8  # PyTorch's exception
    assert tn.any(tn.tensor(x), axis=-1).tolist() == [True, True]
    with pytest.raises(TypeError, match="all: input must be a tensor, got list"):
        tn.all([1, 2])
    with pytest.raises(RuntimeError, match=r"all: dim 0 appears more than once in dim=\(0, "
                                           r"-2\)"):
        tn.all(tn.tensor(x), dim=(0, -2))


CLOSE_A = np.array([1.0, 1.0 + 1e-6, 1.0, np.inf, np.inf, -np.inf, np.nan, np.nan, 0.0, 1e-9])
CLOSE_B = np.array([1.0, 1.0, 1.1, np.inf, -np.inf, -np.inf, np.nan, 1.0, 1e-9, 0.0])


@pytest.mark.parametrize("rtol,atol", [(1e-5, 1e-8), (0.0, 0.0), (0.2, 0.0), (0.0, 1e-6)])
@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_is_numpys_formula(rtol, atol, equal_nan):
    # |a - b| <= atol + rtol·|b|, equal infinities close, nan only with equal_nan
    expected = np.isclose(CLOSE_A, CLOSE_B, rtol=rtol, atol=atol, equal_nan=equal_nan)
    a, b = tn.tensor(CLOSE_A), tn.tensor(CLOSE_B)
    got = tn.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    assert got.dtype == tn.bool and got.tolist() == expected.tolist()
    assert a.isclose(b, rtol, atol, equal_nan).tolist() == expected.tolist()
    assert tn.allclose(a, b, rtol, atol, equal_nan) is bool(expected.all())
    assert tn.allclose(a[:2], b[:2], rtol, atol) is bool(expected[:2].all())


@settings(max_examples=25)
@given(shapes=broadcastable_shapes(shape=(3, 4), min_dims=0), seed=st.integers(0, 2 ** 32 - 1))
def test_isclose_broadcasts(shapes, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, (3, 4)).astype(np.float64)
    b = rng.integers(0, 3, shapes) + rng.uniform(-3e-5, 3e-5, shapes)  # some close, some not
    assert tn.isclose(tn.tensor(a), tn.tensor(b)).tolist() == np.isclose(a, b).tolist()


def test_isclose_of_integers_and_booleans():
    assert tn.isclose(tn.tensor([1, 2, 10]), tn.tensor([1, 3, 11]), rtol=0.1).tolist() == \
        [True, False, True]
    assert tn.isclose(tn.tensor([True, False]), tn.tensor([True, True])).tolist() == \
        [True, False]


def test_isclose_and_allclose_errors():
    x = tn.ones(3)
    with pytest.raises(RuntimeError, match="isclose: input and other must have the same dtype, "
                                           "got float32 and int64"):
        x.isclose(tn.tensor([1, 1, 1]))
    with pytest.raises(RuntimeError, match="allclose: input and other must have the same "
                                           "dtype"):
        tn.allclose(x, tn.ones(3, dtype=tn.float64))
    with pytest.raises(TypeError, match="isclose: other must be a tensor, got float"):
        tn.isclose(x, 1.0)
    with pytest.raises(TypeError, match="allclose: input must be a tensor, got ndarray"):
        tn.allclose(np.ones(3), x)
    with pytest.raises(RuntimeError, match="isclose: rtol must be >= 0, got -1"):
        tn.isclose(x, x, rtol=-1)
    with pytest.raises(RuntimeError, match="isclose: atol must be >= 0, got nan"):
        tn.isclose(x, x, atol=math.nan)
    with pytest.raises(RuntimeError, match=r"isclose: the shapes \(3,\) and \(2,\) do not "
                                           r"broadcast together"):
        tn.isclose(x, tn.ones(2))


def test_equal():
    x = tn.tensor([[1.0, 2.0]])
    assert tn.equal(x, tn.tensor([[1.0, 2.0]])) is True
    assert x.equal(tn.tensor([[1, 2]])) is True  # compared in the common dtype
    assert tn.equal(x, tn.tensor([1.0, 2.0])) is False  # another shape
    assert tn.equal(x, tn.tensor([[1.0, 2.5]])) is False
    assert tn.equal(tn.tensor([math.nan]), tn.tensor([math.nan])) is False
    with pytest.raises(TypeError, match="equal: other must be a tensor, got list"):
        x.equal([[1.0, 2.0]])


LOGICAL = [("logical_and", np.logical_and), ("logical_or", np.logical_or),
           ("logical_xor", np.logical_xor)]


@pytest.mark.parametrize("name,np_fn", LOGICAL, ids=[n for n, _ in LOGICAL])
def test_logical_ops_on_any_dtype(name, np_fn):
    a = np.array([[0.0, 1.5, -2.0, 0.0]])
    b = np.array([[0], [3]])  # int64, broadcast against a
    for x, y in [(a, b), (a > 0, b == 0), (b, a)]:
        expected = np_fn(x, y)
        got = getattr(tn, name)(tn.tensor(x), tn.tensor(y))
        assert got.dtype == tn.bool and got.tolist() == expected.tolist()
        assert getattr(tn.tensor(x), name)(tn.tensor(y)).tolist() == expected.tolist()
    with pytest.raises(TypeError, match=f"{name}: other must be a tensor, got int"):
        getattr(tn, name)(tn.tensor(a), 1)


def test_logical_not_function():
    assert tn.logical_not(tn.tensor([0.0, 2.0, -1.0])).tolist() == [True, False, False]
    assert tn.logical_not(tn.tensor([True, False])).tolist() == [False, True]


def test_count_nonzero():
    x = np.array([[0.0, 1.0, 0.0], [2.0, math.nan, 0.0]])  # nan is non-zero
    t = tn.tensor(x)
    assert tn.count_nonzero(t).item() == 3 and tn.count_nonzero(t).dtype == tn.int64
    assert t.count_nonzero(dim=0).tolist() == np.count_nonzero(x, axis=0).tolist()
    assert t.count_nonzero(-1).tolist() == [1, 2] and t.count_nonzero((0, 1)).item() == 3
    assert t.count_nonzero(0).dtype == tn.int64


@settings(max_examples=25)
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 2 ** 32 - 1))
def test_nonzero(shape, seed):
    x = np.random.default_rng(seed).integers(0, 2, size=shape) * 1.5
    got = tn.nonzero(tn.tensor(x))
    assert got.dtype == tn.int64 and got.shape == (np.count_nonzero(x), len(shape))
    np.testing.assert_array_equal(got.array, np.argwhere(x))
    as_tuple = tn.tensor(x).nonzero(as_tuple=True)
    expected = np.nonzero(np.atleast_1d(x))  # a 0-d input counts as 1-D, as in PyTorch
    assert len(as_tuple) == len(expected)
    for ours, theirs in zip(as_tuple, expected):
        assert ours.dtype == tn.int64 and ours.tolist() == theirs.tolist()


# ---- shape -----------------------------------------------------------------------------------
def test_clone_t_permute_functions():
    x = rand(2, 3, 4)
    check_op(tn.clone, lambda a: a.copy(), x)
    check_op(tn.t, np.transpose, x[0])
    check_op(lambda a: tn.permute(a, (2, 0, 1)), lambda a: a.transpose(2, 0, 1), x)
    assert tn.t(tn.ones(3)).shape == (3,)
    with pytest.raises(TypeError, match="permute: dims must be a tuple or list of ints, got int"):
        tn.permute(tn.ones(2, 3), 1)


def test_permute_with_negative_dims_has_the_right_gradient():
    x = rand(2, 3, 4)
    check_op(lambda a: a.permute(-1, 0, -2), lambda a: a.transpose(2, 0, 1), x)
    check_op(lambda a: a.transpose(-1, 0), lambda a: np.swapaxes(a, 2, 0), x)
    with pytest.raises(RuntimeError, match=r"permute: dims must name each of the 2 dims once, "
                                           r"got \(1, -1\)"):
        tn.ones(2, 3).permute(1, -1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tn.ones(2, 3).permute(2, 0)


def test_ravel():
    check_op(tn.ravel, np.ravel, rand(2, 3, 2))
    assert tn.tensor(2.0).ravel().shape == (1,)


@settings(max_examples=25)
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=3), data=st.data())
def test_movedim_is_numpys_moveaxis(shape, data):
    n = len(shape)
    k = data.draw(st.integers(1, n))
    source = data.draw(st.permutations(range(n)))[:k]
    destination = data.draw(st.permutations(range(-n, 0)))[:k]
    x = rand(*shape)
    check_op(lambda a: tn.movedim(a, source, destination),
             lambda a: np.moveaxis(a, source, [d % n for d in destination]), x)
    check_op(lambda a: a.moveaxis(source[0], destination[0]),
             lambda a: np.moveaxis(a, source[0], destination[0]), x)


def test_movedim_errors():
    x = tn.ones(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"movedim: source repeats a dim, got \(0, -3\)"):
        x.movedim((0, -3), (1, 2))
    with pytest.raises(RuntimeError, match=r"movedim: source and destination must list as many "
                                           r"dims, got 2 \(\(0, 1\)\) and 1 \(\(2,\)\)"):
        x.movedim((0, 1), (2,))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.movedim(3, 0)
    with pytest.raises(TypeError, match="movedim: source must be an int or a sequence of ints"):
        x.movedim("0", 1)


@pytest.mark.parametrize("dims", [(0,), (1,), (0, 1), (-1, 0), ()])
def test_flip(dims):
    check_op(lambda a: tn.flip(a, dims), lambda a: np.flip(a, dims) if dims else a, rand(3, 4))
    check_op(lambda a: a.flip(*dims), lambda a: np.flip(a, dims) if dims else a, rand(3, 4))


def test_flip_copies_and_checks_its_dims():
    x = tn.tensor([1.0, 2.0, 3.0])
    y = x.flip(0)
    y.add_(1.0)
    assert x.tolist() == [1.0, 2.0, 3.0] and y.tolist() == [4.0, 3.0, 2.0]
    assert tn.tensor(5).flip(0).item() == 5
    with pytest.raises(TypeError, match="flip: dims must be a tuple or list of ints, got int"):
        tn.flip(x, 0)  # as PyTorch's function; the method takes flip(0)
    with pytest.raises(RuntimeError, match=r"flip: dim 0 appears more than once in dim=\(0, "
                                           r"-2\)"):
        tn.ones(2, 2).flip(0, -2)


ROLLS = [(1, None), (-4, None), (2, 1), ((1, -2), (0, 1)), ((1, 1), (1, 1)), (7, -1)]


@pytest.mark.parametrize("shifts,dims", ROLLS, ids=str)
def test_roll(shifts, dims):
    check_op(lambda a: tn.roll(a, shifts, dims), lambda a: np.roll(a, shifts, dims), rand(3, 4))


def test_roll_errors_and_0d():
    x = tn.ones(3, 4)
    assert tn.tensor(5.0).roll(1).item() == 5.0 and tn.tensor(5.0).roll(1, 0).item() == 5.0
    with pytest.raises(RuntimeError, match=r"roll: shifts and dims must have the same length, "
                                           r"got shifts=\(1, 1\) and dims=\(0,\)"):
        x.roll((1, 1), (0,))
    with pytest.raises(RuntimeError, match=r"roll: without dims, shifts must be one int, got "
                                           r"\(1, 2\)"):
        x.roll((1, 2))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.roll(1, 2)


@settings(max_examples=25)
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3), data=st.data())
def test_broadcast_to(shape, data):
    target = data.draw(broadcastable_shapes(shape, min_dims=len(shape), max_dims=4).map(
        lambda s: np.broadcast_shapes(s, shape)))
    x = rand(*shape)
    check_op(lambda a: tn.broadcast_to(a, target), lambda a: np.broadcast_to(a, target), x)
    new = len(target) - len(shape)
    keep = tuple(-1 if i >= new and shape[i - new] == n else n for i, n in enumerate(target))
    assert tn.tensor(x).broadcast_to(keep).shape == target  # -1 keeps a dim
    assert tn.tensor(x).expand(*target).shape == target
    assert tn.tensor(x).expand_as(tn.zeros(target)).shape == target


def test_broadcast_to_errors_and_the_copy():
    x = tn.ones(2, 1)
    with pytest.raises(RuntimeError, match=r"broadcast_to: the shape \(2, 1\) cannot be "
                                           r"broadcast to \(3, 4\): dim 0 has size 2, not 1 or 3"):
        x.broadcast_to((3, 4))
    with pytest.raises(RuntimeError, match=r"broadcast_to: -1 is not allowed in a new leading "
                                           r"dim"):
        x.broadcast_to((-1, 2, 3))
    with pytest.raises(RuntimeError, match=r"broadcast_to: size \(2,\) has fewer dims"):
        x.broadcast_to((2,))
    y = x.expand(2, 3)
    y.add_(1.0)  # a copy: writable, and x is unchanged
    assert x.tolist() == [[1.0], [1.0]] and y.tolist() == [[2.0] * 3] * 2


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_repeat_interleave(dim):
    x = rand(2, 3)
    n = 6 if dim is None else x.shape[dim]
    counts = np.arange(n) % 3  # 0, 1, 2, 0...: some elements vanish
    check_op(lambda a: tn.repeat_interleave(a, 2, dim), lambda a: np.repeat(a, 2, dim), x)
    check_op(lambda a: a.repeat_interleave(tn.tensor(counts), dim=dim),
             lambda a: np.repeat(a, counts, dim), x)
    check_op(lambda a: a.repeat_interleave(tn.tensor([3]), dim),
             lambda a: np.repeat(a, 3, dim), x)


def test_repeat_interleave_forms_and_errors():
    lone = tn.repeat_interleave(tn.tensor([2, 0, 1]))
    assert lone.tolist() == [0, 0, 2] and lone.dtype == tn.int64
    x = tn.ones(2, 3)
    assert x.repeat_interleave(2, dim=1, output_size=6).shape == (2, 6)
    with pytest.raises(RuntimeError, match=r"repeat_interleave: repeats must have one count per "
                                           r"element of dim 0 \(2\), got 3"):
        x.repeat_interleave(tn.tensor([1, 2, 3]), dim=0)
    with pytest.raises(RuntimeError, match="repeat_interleave: repeats must be >= 0, got -1"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match="repeats must be an int or a 0-D or 1-D integer"):
        x.repeat_interleave(tn.tensor([1.0, 2.0]), dim=0)
    with pytest.raises(RuntimeError, match=r"output_size must be the total number of repeats "
                                           r"\(12\), got 5"):
        x.repeat_interleave(2, output_size=5)


def test_index_select():
    x = rand(3, 4)
    index = np.array([2, 0, 2, 2])  # repeats: their gradients add up
    check_op(lambda a: tn.index_select(a, 0, tn.tensor(index)), lambda a: a[index], x)
    check_op(lambda a: a.index_select(-1, tn.tensor(index, dtype=tn.int32)),
             lambda a: a[:, index], x)
    check_op(lambda a: a.index_select(1, tn.tensor(3)), lambda a: a[:, [3]], x)
    t = tn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t.index_select(0, tn.tensor([1, 1, 0])).sum().backward()
    assert t.grad.tolist() == [[1.0, 1.0], [2.0, 2.0]]


def test_index_select_errors():
    x = tn.ones(2, 3)
    with pytest.raises(RuntimeError, match="index_select: index must be an int32 or int64 "
                                           "tensor, got dtype float32"):
        x.index_select(0, tn.tensor([1.0]))
    with pytest.raises(IndexError, match=r"index_select: index must be 0-D or 1-D, got shape "
                                         r"\(1, 1\)"):
        x.index_select(0, tn.tensor([[1]]))
    with pytest.raises(IndexError, match="index_select: index 3 is out of range for dim 1 of "
                                         "size 3"):
        x.index_select(1, tn.tensor([0, 3]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        x.index_select(1, tn.tensor([-1]))
    with pytest.raises(TypeError, match="index_select: index must be a tensor, got list"):
        x.index_select(1, [0])


# ---- matrices --------------------------------------------------------------------------------
def test_outer_bmm_addmm():
    check_op(tn.outer, np.outer, rand(3), rand(4, seed=1))
    assert tn.outer(tn.tensor([1, 2]), tn.tensor([1.0, 0.5])).dtype == tn.float32
    check_op(tn.bmm, np.matmul, rand(2, 3, 4), rand(2, 4, 5, seed=1))
    m, a, b = rand(2, 3), rand(2, 4, seed=1), rand(4, 3, seed=2)
    check_op(tn.addmm, lambda c, x, y: c + x @ y, m, a, b)
    check_op(lambda c, x, y: tn.addmm(c, x, y, beta=0.5, alpha=-2.0),
             lambda c, x, y: 0.5 * c + -2.0 * (x @ y), m[0], a, b)  # input broadcast
    nan = tn.full((2, 3), math.nan, dtype=tn.float64, requires_grad=True)
    ignored = tn.addmm(nan, tn.tensor(a), tn.tensor(b), beta=0)
    np.testing.assert_allclose(ignored.array, a @ b, rtol=1e-15)
    ignored.sum().backward()
    assert nan.grad.tolist() == [[0.0] * 3] * 2  # a zero gradient, as in PyTorch


def test_product_errors():
    with pytest.raises(RuntimeError, match=r"outer: both operands must be 1-D, got shapes "
                                           r"\(1, 2\) and \(2,\)"):
        tn.outer(tn.ones(1, 2), tn.ones(2))
    with pytest.raises(RuntimeError, match=r"bmm: both operands must be 3-D"):
        tn.bmm(tn.ones(3, 4), tn.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"bmm: mat2 must have shape \(2, 4, p\) to multiply "
                                           r"input of shape \(2, 3, 4\), got \(1, 4, 5\)"):
        tn.bmm(tn.ones(2, 3, 4), tn.ones(1, 4, 5))
    with pytest.raises(RuntimeError, match=r"addmm: input of shape \(4,\) does not broadcast "
                                           r"to the product's shape \(2, 3\)"):
        tn.addmm(tn.ones(4), tn.ones(2, 4), tn.ones(4, 3))


@settings(max_examples=25)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), diagonal=st.integers(-4, 4))
def test_diag_of_a_matrix_and_of_a_vector(rows, cols, diagonal):
    x = rand(rows, cols)
    check_op(lambda a: tn.diag(a, diagonal), lambda a: np.diag(a, diagonal), x)
    check_op(lambda a: a.diag(diagonal), lambda a: np.diag(a, diagonal), x[0])


def test_trace_and_diag_errors():
    check_op(tn.trace, np.trace, rand(3, 5))
    assert tn.trace(tn.tensor([[1, 2], [3, 4]], dtype=tn.int32)).dtype == tn.int64
    with pytest.raises(RuntimeError, match=r"trace: input must be a matrix \(2-D\), got shape "
                                           r"\(2,\)"):
        tn.trace(tn.ones(2))
    with pytest.raises(RuntimeError, match=r"diag: input must be 1-D or 2-D, got 0-D"):
        tn.diag(tn.tensor(1.0))
    with pytest.raises(TypeError, match="diag: diagonal must be an integer, got 0.5"):
        tn.diag(tn.ones(2), 0.5)


@pytest.mark.parametrize("diagonal", [-5, -1, 0, 2, 6])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu(name, diagonal):
    np_fn = getattr(np, name)
    check_op(lambda a: getattr(tn, name)(a, diagonal), lambda a: np_fn(a, diagonal), rand(3, 4))
    check_op(lambda a: getattr(a, name)(diagonal), lambda a: np_fn(a, diagonal), rand(2, 4, 3))


def test_tril_triu_zero_without_multiplying():
    x = tn.tensor([[1.0, math.inf], [math.nan, 4.0]])  # inf · 0 would be nan
    np.testing.assert_array_equal(tn.tril(x).array, [[1.0, 0.0], [math.nan, 4.0]])
    assert tn.triu(x).tolist() == [[1.0, math.inf], [0.0, 4.0]]
    assert tn.tril(tn.tensor([[True, True]])).dtype == tn.bool
    with pytest.raises(RuntimeError, match=r"tril: input must have at least 2 dimensions, got "
                                           r"shape \(2,\)"):
        tn.tril(tn.ones(2))


# ---- elementwise -----------------------------------------------------------------------------
def test_erf():
    x = rand(4, 5, low=-4, high=4)
    check_op(tn.erf, np.vectorize(math.erf), x)
    t = tn.tensor(x, requires_grad=True)
    t.erf().sum().backward()
    np.testing.assert_allclose(t.grad.array, 2 / math.sqrt(math.pi) * np.exp(-x * x),
                               rtol=1e-14)
    assert tn.erf(tn.tensor([0, 1])).dtype == tn.float32
    big = tn.tensor([-1e30, 1e30], requires_grad=True)  # x² overflows float32: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big.erf().sum().backward()
    assert big.grad.tolist() == [0.0, 0.0]


DIVISIONS = [("remainder", np.remainder), ("fmod", np.fmod), ("floor_divide", np.floor_divide)]


@pytest.mark.parametrize("name,np_fn", DIVISIONS, ids=[d[0] for d in DIVISIONS])
def test_remainder_fmod_floor_divide(name, np_fn):
    rng = np.random.default_rng(0)
    x = rng.uniform(-10, 10, (3, 4))
    z = rng.uniform(0.5, 3, 4) * np.array([1, -1, 1, -1])
    q = x / z  # keep x/z away from whole numbers, where the functions jump
    x = np.where(np.abs(q - np.round(q)) < 0.05, x + 0.2 * z, x)
    check_op(getattr(tn, name), np_fn, x, z)
    check_op(lambda a: getattr(a, name)(2.5), lambda a: np_fn(a, 2.5), x)


def test_division_gradients_are_the_closed_forms():
    x = tn.tensor([5.0, -5.0, 7.5], requires_grad=True)
    z = tn.tensor([3.0, 3.0, -2.0], requires_grad=True)
    tn.remainder(x, z).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0] and z.grad.tolist() == [-1.0, 2.0, 4.0]  # -⌊x/z⌋
    x.grad = z.grad = None
    tn.fmod(x, z).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0] and z.grad.tolist() == [-1.0, 1.0, 3.0]  # -trunc
    x.grad = z.grad = None
    (x // z).sum().backward()
    assert x.grad.tolist() == [0.0] * 3 and z.grad.tolist() == [0.0] * 3


def test_integer_division_and_the_operators():
    i, j = np.array([7, -7, 8, -9, 0]), np.array([2, 2, -3, -4, 5])
    for name, np_fn in DIVISIONS:
        got = getattr(tn, name)(tn.tensor(i), tn.tensor(j))
        assert got.dtype == tn.int64 and got.tolist() == np_fn(i, j).tolist()
    a = tn.tensor(i)
    assert (a % 3).tolist() == [x % 3 for x in i] and (a // 3).tolist() == [x // 3 for x in i]
    assert (10 % tn.tensor([3, -3])).tolist() == [1, -2]
    assert (10 // tn.tensor([3, -3])).tolist() == [3, -4]
    assert tn.remainder(10, tn.tensor([3, -3])).tolist() == [1, -2]
    assert (a % 2.5).dtype == tn.float32 and (tn.ones(2) // 2).dtype == tn.float32
    for name in ("remainder", "fmod", "floor_divide"):
        with pytest.raises(RuntimeError, match=f"{name}: integer division by zero"):
            getattr(tn, name)(a, tn.tensor([1, 0, 1, 1, 1]))
    with pytest.raises(RuntimeError, match="remainder: integer division by zero"):
        5 % tn.tensor([0])
    with pytest.raises(RuntimeError, match="div: integer division by zero"):
        tn.div(a, 0, rounding_mode="trunc")


def test_floor_division_uses_the_exact_remainder():
    # 1 / 0.1 rounds to 10.0, but 0.1 is a hair above 1/10, so 1 // 0.1 is 9, as in Python
    one, tenth = tn.tensor([1.0], dtype=tn.float64), tn.tensor([0.1], dtype=tn.float64)
    assert tn.floor_divide(one, tenth).item() == 1 // 0.1 == 9.0
    assert tn.div(one, tenth, rounding_mode="floor").item() == 9.0
    assert (one % tenth).item() == 1 % 0.1
    with np.errstate(all="raise"):  # division by 0.0: inf and nan, without warnings
        assert tn.floor_divide(tn.tensor([1.0, 0.0]), 0.0).tolist()[0] == math.inf
        assert tn.remainder(tn.tensor([1.0]), 0.0).isnan().item()


# ---- reductions ------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod(dim):
    x = rand(3, 4, low=0.5, high=1.5) * np.array([1, -1, 1, -1])
    check_op(lambda a: tn.cumprod(a, dim), lambda a: np.cumprod(a, dim), x)
    x[1, 1] = x[2, 2] = x[0, 3] = 0.0  # exact zeros: still a polynomial, gradcheck holds
    check_op(lambda a: a.cumprod(dim), lambda a: np.cumprod(a, dim), x)


def test_cumprod_gradient_with_two_zeros():
    # dL/dx_j = sum_{i>=j} g_i prod_{k<=i, k!=j} x_k, worked by hand for x = [2, 0, 3, 0, 4]
    x = tn.tensor([2.0, 0.0, 3.0, 0.0, 4.0], dtype=tn.float64, requires_grad=True)
    x.cumprod(0).backward(tn.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=tn.float64))
    assert x.grad.tolist() == [1.0, 2 * 2 + 3 * 2 * 3, 0.0, 0.0, 0.0]


def test_cumprod_dtypes():
    assert tn.tensor([1, 2, 3], dtype=tn.int32).cumprod(0).tolist() == [1, 2, 6]
    assert tn.tensor([1, 2], dtype=tn.int32).cumprod(0).dtype == tn.int64
    assert tn.tensor([True, True]).cumprod(0).dtype == tn.int64
    assert tn.tensor(3.0).cumprod(0).shape == ()
    assert tn.cumprod(tn.tensor([1, 2]), 0, dtype=tn.float64).dtype == tn.float64


AMAX_DIMS = [(), 0, 1, -1, (0, 2), (2, 0, 1)]


@pytest.mark.parametrize("dim", AMAX_DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin(name, dim, keepdim):
    x = rand(2, 3, 4)  # distinct values: no tie for finite differences to cross
    np_fn = np.max if name == "amax" else np.min
    axis = None if dim == () else dim
    check_op(lambda a: getattr(tn, name)(a, dim, keepdim),
             lambda a: np_fn(a, axis=axis, keepdims=keepdim), x)


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin_ties_share_the_gradient(name):
    x = tn.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    if name == "amin":
        x = (-x).detach().requires_grad_()
    getattr(x, name)(1).sum().backward()
    np.testing.assert_allclose(x.grad.array, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-7)
    x.grad = None
    getattr(tn, name)(x).backward()  # over everything: the two 3s share it
    np.testing.assert_allclose(x.grad.array, [[0, 0.5, 0.5], [0, 0, 0]])


def test_amax_dtypes_and_errors():
    assert tn.amax(tn.tensor([1, 5], dtype=tn.int32)).dtype == tn.int32
    assert tn.amin(tn.tensor([True, False])).item() is False
    assert tn.amax(tn.tensor([1.0, math.nan, 2.0])).isnan().item()
    with pytest.raises(IndexError, match=r"amax: cannot reduce over dim 0 of size 0"):
        tn.amax(tn.ones(0, 2), 0)
    assert tn.amax(tn.ones(0, 2), 1).shape == (0,)
    with pytest.raises(RuntimeError, match=r"amin: dim 1 appears more than once"):
        tn.amin(tn.ones(2, 2), (1, -1))
    with pytest.raises(TypeError, match="amax: dim must be an int or a tuple of ints, got 0.5"):
        tn.amax(tn.ones(2), 0.5)


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), ((0, 1), False), (-1, False)])
def test_logsumexp(dim, keepdim):
    x = rand(3, 4, low=-5, high=5)
    check_op(lambda a: tn.logsumexp(a, dim, keepdim),
             lambda a: np.log(np.sum(np.exp(a), axis=dim, keepdims=keepdim)), x)


def test_logsumexp_is_stable_and_its_gradient_is_the_softmax():
    x = tn.tensor([[1000.0, 1000.0, -math.inf], [-1000.0, -1001.0, -1002.0]],
                  dtype=tn.float64, requires_grad=True)
    y = x.logsumexp(1)
    np.testing.assert_allclose(y.array, [1000 + math.log(2),
                                         -1000 + math.log(1 + math.exp(-1) + math.exp(-2))],
                               rtol=1e-15)
    y.sum().backward()  # e^(x - y): y = 1000 + log 2 is rounded to 1000's ulp, 1e-13
    np.testing.assert_allclose(x.grad.array, tn.softmax(x.detach(), 1).array, rtol=1e-12)
    empty = tn.ones(2, 0).logsumexp(1)
    assert empty.tolist() == [-math.inf, -math.inf]
    assert tn.tensor([-math.inf, -math.inf]).logsumexp(0).item() == -math.inf
    assert tn.tensor([math.inf, 1.0]).logsumexp(0).item() == math.inf
    assert tn.logsumexp(tn.tensor([1, 2]), 0).dtype == tn.float32
    with pytest.raises(TypeError):
        tn.logsumexp(tn.ones(2))  # dim is required, as in PyTorch


EVERY_DIM_REDUCTIONS = {
    "sum": lambda x, **k: x.sum(**k), "mean": lambda x, **k: x.mean(**k),
    "var": lambda x, **k: x.var(**k), "std": lambda x, **k: x.std(**k),
    "norm": lambda x, **k: x.norm(**k), "vector_norm": tn.linalg.vector_norm,
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", EVERY_DIM_REDUCTIONS)
def test_dim_as_an_empty_tuple_reduces_every_dim(name, keepdim):
    # as PyTorch's sum, mean, var, std, norm and vector_norm take dim=() (amax does too)
    reduce = EVERY_DIM_REDUCTIONS[name]
    x = rand(2, 3)
    expected = reduce(tn.tensor(x), keepdim=keepdim, dim=(0, 1))
    got = reduce(tn.tensor(x), keepdim=keepdim, dim=())
    assert got.shape == ((1, 1) if keepdim else ())
    np.testing.assert_array_equal(got.array, expected.array)
    assert tn.gradcheck(lambda a: reduce(a, keepdim=keepdim, dim=()),
                        (tn.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("dim", [0, -1, (0,), (-1,)], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "norm", "vector_norm"])
def test_a_0d_tensor_reduces_over_its_dim_0_to_itself(name, keepdim, dim):
    # a 0-d tensor takes dim 0 and -1, as PyTorch's: the result is the number (its |x|
    # for the norms), 0-d, keepdim or not
    reduce = EVERY_DIM_REDUCTIONS[name]
    x = tn.tensor(-3.0, dtype=tn.float64, requires_grad=True)
    y = reduce(x, dim=dim, keepdim=keepdim)
    assert y.shape == () and y.item() == (3.0 if "norm" in name else -3.0)
    y.backward()
    assert x.grad.item() == (-1.0 if "norm" in name else 1.0)


MEAN_FORMS = [
    ("all", lambda f, t: f(t), lambda a: (a.var(ddof=1), a.mean())),
    ("dim", lambda f, t: f(t, 1), lambda a: (a.var(1, ddof=1), a.mean(1))),
    ("unbiased_keepdim", lambda f, t: f(t, 0, False, True),
     lambda a: (a.var(0, keepdims=True), a.mean(0, keepdims=True))),
    ("correction", lambda f, t: f(t, dim=(0, 1), correction=2),
     lambda a: (a.var(ddof=2), a.mean())),
    ("legacy_bool", lambda f, t: f(t, False), lambda a: (a.var(), a.mean())),
]


@pytest.mark.parametrize("name,form,expected", MEAN_FORMS, ids=[m[0] for m in MEAN_FORMS])
def test_var_mean_and_std_mean(name, form, expected):
    x = rand(4, 5)
    var, mean = expected(x)
    for fn, spread in ((tn.var_mean, var), (tn.std_mean, np.sqrt(var))):
        result = form(fn, tn.tensor(x))
        assert type(result) is tuple and len(result) == 2
        np.testing.assert_allclose(result[0].array, spread, rtol=1e-12)
        np.testing.assert_allclose(result[1].array, mean, rtol=1e-12)
        assert tn.gradcheck(lambda a: form(fn, a)[0] + form(fn, a)[1],
                            (tn.tensor(x, requires_grad=True),))


def lower_median(a, axis=None):
    s = np.sort(a, axis=axis)
    n = a.size if axis is None else a.shape[axis]
    return s.reshape(-1)[(n - 1) // 2] if axis is None else np.take(s, (n - 1) // 2, axis)


@settings(max_examples=20)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data())
def test_median(shape, data):
    x = rand(*shape, seed=data.draw(st.integers(0, 1000)))  # distinct values
    check_op(tn.median, lower_median, x)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    values, indices = tn.median(tn.tensor(x), dim, keepdim)
    expected = lower_median(x, dim)
    np.testing.assert_array_equal(values.array, np.expand_dims(expected, dim) if keepdim
                                  else expected)
    taken = np.take_along_axis(x, indices.array if keepdim else np.expand_dims(indices.array,
                                                                               dim), dim)
    np.testing.assert_array_equal(taken, np.expand_dims(expected, dim))
    assert indices.dtype == tn.int64
    assert tn.gradcheck(lambda a: a.median(dim, keepdim).values,
                        (tn.tensor(x, requires_grad=True),))


def test_median_ties_nan_and_integers():
    x = tn.tensor([2.0, 1.0, 2.0, 3.0], requires_grad=True)
    m = x.median()  # lower median of 1, 2, 2, 3: 2, and the two 2s share the gradient
    m.backward()
    assert m.item() == 2.0 and x.grad.tolist() == [0.5, 0.0, 0.5, 0.0]
    y = tn.tensor([[2.0, 1.0, 2.0, 3.0, 2.0]], requires_grad=True)
    values, indices = y.median(1)
    values.sum().backward()
    assert values.tolist() == [2.0] and y.grad.array.sum() == 1.0  # one element takes it
    assert y.grad.array[0, indices.item()] == 1.0
    nan = tn.tensor([[1.0, math.nan, 2.0, math.nan]])
    assert nan.median().isnan().item()
    values, indices = nan.median(1)
    assert values.isnan().item() and indices.tolist() == [1]  # the first nan
    assert tn.tensor([3, 1, 2]).median().item() == 2
    assert tn.tensor([[3, 1, 2]]).median(1, keepdim=True).indices.tolist() == [[2]]
    assert tn.tensor([]).median().isnan().item()
    with pytest.raises(IndexError, match=r"median: dim 1 has size 0"):
        tn.ones(2, 0).median(1)


@settings(max_examples=20)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data())
def test_nanmedian_is_the_lower_median_of_the_numbers(shape, data):
    seed = data.draw(st.integers(0, 1000))
    x = rand(*shape, seed=seed)  # distinct values
    x[np.random.default_rng(seed).random(shape) < 0.4] = np.nan
    with warnings.catch_warnings():  # numpy warns of an all-nan slice: its answer is nan
        warnings.simplefilter("ignore", RuntimeWarning)
        expected_all = np.nanquantile(x, 0.5, method="lower")
        dim = data.draw(st.integers(-len(shape), len(shape) - 1))
        expected = np.nanquantile(x, 0.5, axis=dim, method="lower")
    np.testing.assert_array_equal(tn.nanmedian(tn.tensor(x)).array, expected_all)
    t = tn.tensor(x, requires_grad=True)
    values, indices = t.nanmedian(dim)
    np.testing.assert_array_equal(values.array, expected)
    picked = np.take_along_axis(x, np.expand_dims(indices.array, dim), dim)
    np.testing.assert_array_equal(picked, np.expand_dims(expected, dim))
    values.sum().backward()  # each slice's gradient goes to the element it picked
    one_hot = np.zeros(shape)
    np.put_along_axis(one_hot, np.expand_dims(indices.array, dim), 1.0, dim)
    np.testing.assert_array_equal(t.grad.array, one_hot)


@settings(max_examples=20)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data())
def test_fmax_and_fmin_ignore_a_nan_and_send_a_tie_to_the_first(shape, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x, z = (rng.integers(0, 3, shape).astype(float) for _ in range(2))  # ties
    x[rng.random(shape) < 0.3] = np.nan
    z[rng.random(shape) < 0.3] = np.nan
    g = rng.standard_normal(shape)
    for fn, numpy_fn, wins in ((tn.fmax, np.fmax, np.greater_equal),
                               (tn.fmin, np.fmin, np.less_equal)):
        a, b = tn.tensor(x, requires_grad=True), tn.tensor(z, requires_grad=True)
        out = fn(a, b)
        np.testing.assert_array_equal(out.array, numpy_fn(x, z))
        out.backward(tn.tensor(g))
        first = wins(x, z) | np.isnan(z)
        np.testing.assert_array_equal(a.grad.array, np.where(first, g, 0))
        np.testing.assert_array_equal(b.grad.array, np.where(first, 0, g))


@settings(max_examples=25)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=6), data=st.data())
def test_mode_is_the_smallest_most_frequent_value_at_its_last_position(shape, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = rng.integers(0, 4, shape).astype(float)
    x[rng.random(shape) < 0.3] = np.nan  # a nan equals nothing: the mode of all-nan only
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    t = tn.tensor(x, requires_grad=True)
    values, indices = t.mode(dim)
    rows = np.moveaxis(x, dim, -1).reshape(-1, shape[dim])
    expected_values, expected_indices = [], []
    for row in rows:
        numbers = [v for v in row if not np.isnan(v)]
        if not numbers:
            expected_values.append(np.nan)
            expected_indices.append(0)
            continue
        top = max(numbers.count(v) for v in numbers)
        best = min(v for v in numbers if numbers.count(v) == top)
        expected_values.append(best)
        expected_indices.append(max(i for i, v in enumerate(row) if v == best))
    np.testing.assert_array_equal(values.array.reshape(-1), expected_values)
    np.testing.assert_array_equal(indices.array.reshape(-1), expected_indices)
    values.sum().backward()  # one element per slice: the one at the index
    assert t.grad.array.sum() == len(rows)
    picked = np.take_along_axis(t.grad.array, np.expand_dims(indices.array, dim), dim)
    assert (picked == 1).all()


def test_histc_counts_each_bin_and_refuses_what_it_cannot_count():
    x = tn.tensor([0.0, 0.5, 1.9, 2.0, 3.99, 4.0, -0.1, 4.1, math.nan])
    # bins [0, 1), [1, 2), [2, 3), [3, 4]: -0.1, 4.1 and nan fall outside
    assert tn.histc(x, bins=4, min=0, max=4).tolist() == [2.0, 1.0, 1.0, 2.0]
    assert x[:8].histc(2).tolist() == [4.0, 4.0]  # min = max: the elements' range
    # each bin ⌊(x - min)·bins/(max - min)⌋ in the dtype, as PyTorch computes it: 0.3·10
    # is 3.0000000000000004, bin 3 (numpy's histogram puts 0.3 in bin 2)
    on_edges = tn.histc(tn.tensor([0.3, 0.6], dtype=tn.float64), 10, 0, 1)
    assert on_edges.tolist() == [0, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    assert tn.histc(tn.tensor([3.0]), 2).tolist() == [0.0, 1.0]  # one value: [2, 4]
    assert tn.histc(tn.ones(5, dtype=tn.float64), 1).dtype == tn.float64
    counts = tn.histc(tn.randn(1000, requires_grad=True), 20, -10, 10)
    assert counts.sum().item() == 1000.0 and not counts.requires_grad
    with pytest.raises(TypeError, match="histc: the input must be a floating-point tensor"):
        tn.histc(tn.tensor([1, 2]), 2)
    with pytest.raises(ValueError, match="histc: bins must be an integer >= 1, got 0"):
        tn.histc(x, 0)
    with pytest.raises(RuntimeError, match=r"histc: the range \[nan, nan\] must be finite"):
        tn.histc(x, 4)


def test_histogram_counts_weighs_and_normalises_as_pytorch():
    x = tn.tensor([0.0, 1.0, 1.0, 2.0])
    hist, edges = tn.histogram(x, bins=4)  # over [0, 2]: [0, .5) [.5, 1) [1, 1.5) [1.5, 2]
    assert hist.tolist() == [1.0, 0.0, 2.0, 1.0] and edges.tolist() == [0, 0.5, 1, 1.5, 2]
    assert tn.histogram(x, 4, density=True).hist.tolist() == [0.5, 0.0, 1.0, 0.5]
    weighted = x.histogram(tn.tensor([0.0, 1.5, 3.0]), weight=tn.tensor([1.0, 2.0, 0.5, 3.0]))
    assert weighted.hist.tolist() == [3.5, 3.0]  # given edges: 0, 1, 1 in the first
    assert tn.histogram(tn.tensor([3.0, 3.0]), 2).bin_edges.tolist() == [2.5, 3.0, 3.5]
    assert tn.histogram(tn.tensor([1.0, 5.0, math.nan]), 2, range=(0, 4)).hist.tolist() == \
        [1.0, 0.0]  # outside the range, and nan: not counted
    counts = tn.histogram(tn.randn(100, requires_grad=True, dtype=tn.float64), 7).hist
    assert counts.dtype == tn.float64 and counts.sum().item() == 100 and \
        not counts.requires_grad
    with pytest.raises(TypeError, match="histogram: the input must be a floating-point"):
        tn.histogram(tn.tensor([1, 2]), 2)
    with pytest.raises(ValueError, match=r"histogram: range must be finite with min <= max, "
                                         r"got \(2.0, 1.0\)"):
        tn.histogram(x, 2, range=(2, 1))
    with pytest.raises(ValueError, match="histogram: weight must be a tensor of the input's "
                                         "shape"):
        tn.histogram(x, 2, weight=tn.ones(3))
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    weights = np.random.default_rng(1).random(1000).astype(np.float32)
    ours = tn.histogram(tn.tensor(data), 13, weight=tn.tensor(weights), density=True)
    theirs = torch.histogram(torch.tensor(data), 13, weight=torch.tensor(weights), density=True)
    np.testing.assert_allclose(ours.hist.array, theirs.hist.numpy(), rtol=1e-4)  # float32 sums
    np.testing.assert_allclose(ours.bin_edges.array, theirs.bin_edges.numpy(), rtol=1e-6)


# ---- ordering --------------------------------------------------------------------------------
@settings(max_examples=25)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data())
def test_sort_and_argsort(shape, data):
    x = rand(*shape, seed=data.draw(st.integers(0, 1000)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    descending = data.draw(st.booleans())
    expected = np.sort(x, axis=dim)
    if descending:
        expected = np.flip(expected, dim)
    check_op(lambda a: tn.sort(a, dim, descending).values, lambda a: expected, x)
    values, indices = tn.tensor(x).sort(dim, descending)
    assert indices.dtype == tn.int64
    np.testing.assert_array_equal(np.take_along_axis(x, indices.array, dim), expected)
    np.testing.assert_array_equal(tn.argsort(tn.tensor(x), dim, descending).array,
                                  indices.array)


def test_sort_is_stable_both_ways_and_puts_nan_last():
    x = tn.tensor([1.0, 3.0, 3.0, math.nan, 2.0, 1.0])
    assert x.argsort().tolist() == [0, 5, 4, 1, 2, 3]  # ties in their order, nan last
    assert x.argsort(descending=True).tolist() == [3, 1, 2, 4, 0, 5]  # nan first, ties kept
    values, indices = tn.sort(x, descending=True, stable=True)
    assert indices.tolist() == [3, 1, 2, 4, 0, 5] and values.tolist()[1:] == [3, 3, 2, 1, 1]
    big = tn.tensor([np.iinfo(np.int64).min, 0, 5])  # no -x: the smallest int is fine
    assert big.sort(descending=True).values.tolist() == [5, 0, np.iinfo(np.int64).min]
    assert tn.tensor([True, False, True]).argsort(descending=True).tolist() == [0, 2, 1]
    scalar = tn.tensor(4.0).sort()
    assert scalar.values.item() == 4.0 and scalar.indices.item() == 0
    with pytest.raises(TypeError):
        tn.sort(x, 0, False, True)  # stable is keyword-only, as in PyTorch


# ---- meshgrid and bernoulli ------------------------------------------------------------------
@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3,), (2, 3), (2, 1, 3), (4, 2, 3, 2)], ids=str)
def test_meshgrid(indexing, sizes):
    arrays = [rand(n, seed=i) for i, n in enumerate(sizes)]
    for k in range(len(sizes)):
        check_op(lambda *a: tn.meshgrid(*a, indexing=indexing)[k],
                 lambda *a: np.meshgrid(*a, indexing=indexing)[k], *arrays)
    grids = tn.meshgrid([tn.tensor(a) for a in arrays], indexing=indexing)  # one list
    assert [g.shape for g in grids] == [g.shape for g in np.meshgrid(*arrays,
                                                                     indexing=indexing)]


def test_meshgrid_warns_without_indexing_and_checks_its_inputs():
    with pytest.warns(UserWarning, match="meshgrid: pass indexing='ij'"):
        rows, cols = tn.meshgrid(tn.arange(2), tn.arange(3))
    assert rows.tolist() == [[0, 0, 0], [1, 1, 1]] and cols.tolist() == [[0, 1, 2]] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tn.meshgrid(tn.arange(2), tn.tensor(5), indexing="xy")
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'ij' or 'xy', got 'ji'"):
        tn.meshgrid(tn.arange(2), indexing="ji")
    with pytest.raises(RuntimeError, match=r"meshgrid: tensors must be 0-D or 1-D, got shape "
                                           r"\(1, 1\) \(tensor 1\)"):
        tn.meshgrid(tn.arange(2), tn.ones(1, 1), indexing="ij")
    with pytest.raises(RuntimeError, match="meshgrid: the tensors must have one dtype, got "
                                           "int64 and float32"):
        tn.meshgrid(tn.arange(2), tn.ones(2), indexing="ij")
    with pytest.raises(ValueError, match=r"meshgrid: tensors must be a non-empty list, got \(\)"):
        tn.meshgrid(indexing="ij")


def test_bernoulli():
    p = tn.tensor([0.0, 1.0, 0.0, 1.0])
    assert tn.bernoulli(p).tolist() == [0.0, 1.0, 0.0, 1.0] and p.bernoulli().dtype == tn.float32
    draws = tn.bernoulli(tn.full((100_000,), 0.3, dtype=tn.float64), generator=tn.Generator()
                         .manual_seed(0))
    assert draws.dtype == tn.float64 and set(np.unique(draws.array)) == {0.0, 1.0}
    assert abs(draws.mean().item() - 0.3) < 5 * math.sqrt(0.3 * 0.7 / 100_000)  # 5 sigma
    again = tn.bernoulli(tn.full((100_000,), 0.3, dtype=tn.float64),
                         generator=tn.Generator().manual_seed(0))
    assert tn.equal(draws, again)
    assert tn.ones(3).bernoulli(0.0).tolist() == [0.0] * 3  # p everywhere, self the shape
    with pytest.raises(RuntimeError, match=r"bernoulli: probabilities must be in \[0, 1\], got "
                                           r"values from -0.5 to 1.0"):
        tn.bernoulli(tn.tensor([-0.5, 1.0]))
    with pytest.raises(RuntimeError, match="bernoulli: input must be a floating-point tensor, "
                                           "got int64"):
        tn.bernoulli(tn.tensor([0, 1]))


# ---- against PyTorch -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def compare(torch, tn_fn, torch_fn, *arrays, rtol=1e-12, atol=1e-13):
    """Both libraries on ``arrays`` (float arrays require grad): values, dtypes, and the
    gradients for one random upstream gradient."""
    ours = [tn.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    y, y_ref = tn_fn(*ours), torch_fn(*theirs)
    ref = y_ref.detach().numpy()
    assert y.shape == ref.shape and y.dtype == ref.dtype
    np.testing.assert_allclose(y.array, ref, rtol=rtol, atol=atol)
    if not y.requires_grad:
        assert not y_ref.requires_grad
        return
    v = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(tn.tensor(v))
    y_ref.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        if a.grad is None or b.grad is None:  # an input the output does not use
            assert a.grad is None and b.grad is None
        else:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=atol)


TIES = np.round(rand(4, 5), 0)  # integers in [-3, 3]: many ties
MATRIX = rand(4, 5)
INTS = np.array([[3, -1, 0, 7], [0, 0, 2, -5]])
AGAINST_TORCH = [
    ("amax", lambda m: m.amax(), TIES), ("amax(1)", lambda m: m.amax(1), TIES),
    ("amin((0,1),keep)", lambda m: m.amin((0, 1), True), TIES),
    ("amax int", lambda m: m.amax(0), INTS.astype(np.int32)),
    ("median", lambda m: m.median(), TIES), ("median(1)", lambda m: m.median(1).values, MATRIX),
    ("median int", lambda m: m.median(), INTS),
    ("logsumexp", lambda m: m.logsumexp(1), rand(4, 5, low=-50, high=50)),
    ("logsumexp(dims)", lambda m: m.logsumexp((0, 1), keepdim=True), MATRIX),
    ("logsumexp int", lambda m: m.logsumexp(0), INTS),
    ("cumprod", lambda m: m.cumprod(1), np.where(TIES == 0, 0.0, MATRIX)),
    ("cumprod int", lambda m: m.cumprod(0), INTS.astype(np.int32)),
    ("erf", lambda m: m.erf(), rand(4, 5, low=-6, high=6)),
    ("sort", lambda m: m.sort(0, descending=True).values, MATRIX),
    ("argsort", lambda m: m.argsort(1), MATRIX),
    ("sort stable ties", lambda m: m.sort(dim=1, stable=True).indices, TIES),
    ("sort stable desc", lambda m: m.sort(dim=1, descending=True, stable=True).indices, TIES),
    ("flip", lambda m: m.flip(0, 1), MATRIX), ("roll", lambda m: m.roll((1, -2), (0, 1)), MATRIX),
    ("roll flat", lambda m: m.roll(3), MATRIX),
    ("tril", lambda m: m.tril(-1), MATRIX), ("triu", lambda m: m.triu(2), MATRIX),
    ("diag", lambda m: m.diag(1), MATRIX), ("diag of vector", lambda m: m[0].diag(-2), MATRIX),
    ("trace", lambda m: m.trace(), MATRIX), ("trace int32", lambda m: m.trace(),
                                             INTS.astype(np.int32)),
    ("movedim", lambda m: m.reshape(2, 2, 5).movedim((0, 2), (2, 0)), MATRIX),
    ("ravel", lambda m: m.ravel(), MATRIX), ("t", lambda m: m.t(), MATRIX),
    ("permute neg", lambda m: m.permute(-1, 0), MATRIX),
    ("broadcast_to", lambda m: m[:1].broadcast_to((3, 4, 5)), MATRIX),
    ("expand", lambda m: m[:, :1].expand(-1, 3), MATRIX),
    ("repeat_interleave", lambda m: m.repeat_interleave(2, dim=1), MATRIX),
    ("repeat_interleave flat", lambda m: m.repeat_interleave(2), MATRIX),
    ("count_nonzero", lambda m: m.count_nonzero(0), TIES),
    ("nonzero", lambda m: m.nonzero(), TIES),
    ("isclose", lambda m: m.isclose(m + 1e-6), MATRIX),
    ("logical_xor", lambda m: m.logical_xor(m > 1), TIES),
    ("remainder int", lambda m: m.remainder(3), INTS), ("fmod int", lambda m: m.fmod(-3), INTS),
    ("floor_divide int", lambda m: m // -3, INTS), ("rmod int", lambda m: 7 % (m + 10), INTS),
    ("remainder", lambda m: m.remainder(0.7), MATRIX), ("fmod", lambda m: m.fmod(-0.7), MATRIX),
]


@pytest.mark.parametrize("name,form,x", AGAINST_TORCH, ids=[a[0] for a in AGAINST_TORCH])
def test_methods_against_torch(torch, name, form, x):
    compare(torch, form, form, x)


def test_functions_of_two_tensors_against_torch(torch):
    a, b = rand(3, 4), rand(4, seed=1, low=0.5, high=2) * np.array([1, -1, 1, -1])
    for name in ("remainder", "fmod"):
        compare(torch, getattr(tn, name), getattr(torch, name), a, b)
    compare(torch, tn.outer, torch.outer, rand(3), rand(4, seed=1))
    compare(torch, tn.bmm, torch.bmm, rand(2, 3, 4), rand(2, 4, 5, seed=1))
    for beta, alpha in ((0.5, 2), (1, 1), (0, -1)):
        compare(torch, lambda c, x, y: tn.addmm(c, x, y, beta=beta, alpha=alpha),
                lambda c, x, y: torch.addmm(c, x, y, beta=beta, alpha=alpha),
                rand(3), rand(2, 4, seed=1), rand(4, 3, seed=2))
    index = np.array([2, 0, 2])
    compare(torch, lambda x, i: tn.index_select(x, 1, i),
            lambda x, i: torch.index_select(x, 1, i), rand(3, 4), index)
    compare(torch, lambda x, r: x.repeat_interleave(r, dim=0),
            lambda x, r: x.repeat_interleave(r, dim=0), rand(3, 2), np.array([2, 0, 1]))
    for k in (0, 1):
        for indexing in ("ij", "xy"):
            compare(torch, lambda *t: tn.meshgrid(*t, indexing=indexing)[k],
                    lambda *t: torch.meshgrid(*t, indexing=indexing)[k],
                    rand(2), rand(3, seed=1), rand(4, seed=2))
    for fn in ("var_mean", "std_mean"):
        for k in (0, 1):
            compare(torch, lambda x: getattr(tn, fn)(x, 1, keepdim=True)[k],
                    lambda x: getattr(torch, fn)(x, 1, keepdim=True)[k], rand(3, 4))
            compare(torch, lambda x: getattr(tn, fn)(x, dim=0, correction=0)[k],
                    lambda x: getattr(torch, fn)(x, dim=0, correction=0)[k], rand(3, 4))


def test_booleans_and_float_division_against_torch(torch):
    a, b = torch.tensor(CLOSE_A), torch.tensor(CLOSE_B)
    for equal_nan in (False, True):
        assert tn.isclose(tn.tensor(CLOSE_A), tn.tensor(CLOSE_B), equal_nan=equal_nan).tolist() \
            == torch.isclose(a, b, equal_nan=equal_nan).tolist()
        assert tn.allclose(tn.tensor(CLOSE_A[:3]), tn.tensor(CLOSE_B[:3]), 0.2, 0, equal_nan) \
            == torch.allclose(a[:3], b[:3], 0.2, 0, equal_nan)
    x = rand(5, 3)
    for as_tuple in (False, True):
        ours = tn.nonzero(tn.tensor(x > 0), as_tuple=as_tuple)
        theirs = torch.nonzero(torch.tensor(x > 0), as_tuple=as_tuple)
        assert str(ours.tolist() if not as_tuple else [t.tolist() for t in ours]) == \
            str(theirs.tolist() if not as_tuple else [t.tolist() for t in theirs])
    assert tn.equal(tn.tensor([1, 2]), tn.tensor([1.0, 2.0])) == \
        torch.equal(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    q = rand(200, low=-30, high=30)
    d = rand(200, seed=1, low=0.05, high=3)
    for name in ("floor_divide", "remainder", "fmod"):
        np.testing.assert_array_equal(getattr(tn, name)(tn.tensor(q), tn.tensor(d)).array,
                                      getattr(torch, name)(torch.tensor(q),
                                                           torch.tensor(d)).numpy())
    assert tn.median(tn.tensor([[2.0, 1.0, 2.0, 3.0, 2.0]]), 1).indices.tolist() == \
        torch.median(torch.tensor([[2.0, 1.0, 2.0, 3.0, 2.0]]), 1).indices.tolist()


@pytest.mark.parametrize("shape, message", [
    ((4,), r"reshape: shape \[4\] is invalid for input of size 6"),
    ((0, -1), r"reshape: shape \[0, -1\] is invalid for input of size 6"),
    ((-1, -1), r"reshape: only one dimension can be inferred \(-1\), got shape \[-1, -1\]"),
    ((-2, 3), r"reshape: invalid shape dimension -2 in \[-2, 3\]"),
])
def test_reshape_refuses_a_shape_that_cannot_hold_the_elements_as_pytorch(shape, message):
    with pytest.raises(RuntimeError, match=message):
        tn.ones(6).reshape(*shape)
    assert tn.ones(6).reshape(2, -1).shape == (2, 3) and tn.ones(0).reshape(0, 5).shape == (0, 5)


def test_to_the_same_dtype_returns_the_tensor_itself_as_pytorch():
    x = tn.ones(2)
    assert x.to(tn.float32) is x and x.float() is x and x.to("cpu") is x
    copied = x.to(tn.float32, copy=True)
    assert copied is not x and copied.tolist() == x.tolist()
    assert x.to(tn.float64).dtype == tn.float64


def test_hardtanh_of_integers_stays_integer_with_bounds_truncated_as_pytorch():
    F = tn.nn.functional
    assert F.hardtanh(tn.tensor([-3, 0, 3])).tolist() == [-1, 0, 1]
    assert F.hardtanh(tn.tensor([-3, 0, 3])).dtype == tn.int64
    assert F.hardtanh(tn.tensor([-3, 0, 3]), -0.5, 2.5).tolist() == [0, 0, 2]
    assert F.relu6(tn.tensor([-3, 4, 9])).tolist() == [0, 4, 6]


def test_to_takes_non_blocking_and_copy_by_position_and_reshape_takes_0d_tensors():
    x = tn.ones(6)
    assert x.to(tn.float32, False, True) is not x and x.to(tn.float32, False) is x
    assert x.to("cpu", tn.float32, False, True) is not x
    assert x.reshape(tn.tensor(2), 3).shape == (2, 3) and x.view(tn.tensor(6)).shape == (6,)
    with pytest.raises(NotImplementedError, match=r"view: reinterpreting the bits"):
        x.view(tn.float16)


def test_as_tensor_of_a_tensor_in_another_dtype_stays_in_the_graph_as_pytorch():
    w = tn.tensor([1.0, 2.0], requires_grad=True)
    y = tn.as_tensor(w, dtype=tn.float64)
    assert y.requires_grad and y.dtype == tn.float64
    ((y * y).sum() + w.sum()).backward()
    assert w.grad.tolist() == [3.0, 5.0]
    assert tn.as_tensor(w) is w


def test_big_endian_arrays_are_copied_into_native_order_or_refused_when_shared():
    data = np.array([1.5, 2.5], dtype=">f4")  # (as read from a file in network order)
    t = tn.tensor(data)
    assert t.dtype == tn.float32 and t.tolist() == [1.5, 2.5] and t.type() == "tinynet.FloatTensor"
    for share in (tn.from_numpy, tn.as_tensor):
        with pytest.raises(ValueError, match=f"{share.__name__}: the array's byte order \\(>f4\\) "
                                             f"is not this machine's"):
            share(data)
    assert tn.as_tensor(data, dtype=tn.float64).tolist() == [1.5, 2.5]


def test_erfc_lgamma_and_digamma_closed_forms_and_gradients():
    euler_gamma = 0.5772156649015329
    x = tn.tensor([1.0, 2.0, 0.5], dtype=tn.float64)
    np.testing.assert_allclose(tn.lgamma(x).array, [0.0, 0.0, 0.5 * math.log(math.pi)],
                               atol=1e-15)
    np.testing.assert_allclose(tn.digamma(x).array, [-euler_gamma, 1 - euler_gamma,
                                                     -euler_gamma - 2 * math.log(2)], rtol=1e-14)
    np.testing.assert_allclose(tn.erfc(tn.tensor([0.0, 10.0], dtype=tn.float64)).array,
                               [1.0, math.erfc(10.0)], rtol=1e-15)  # (1 - erf 10 would be 0)
    assert tn.lgamma(tn.tensor([0.0, -2.0, -math.inf])).tolist() == [math.inf] * 3
    assert tn.tensor([1, 2]).lgamma().dtype == tn.float32  # integers: the default dtype
    at_minus_inf = tn.tensor([-math.inf, 1.0], dtype=tn.float64, requires_grad=True)
    tn.digamma(at_minus_inf).sum().backward()  # ψ′ has no limit at -inf: nan, as PyTorch
    assert math.isnan(at_minus_inf.grad[0].item())
    for name in ("erfc", "lgamma", "digamma"):
        leaf = tn.tensor([0.3, -1.7, 2.5, 7.2, -0.5], dtype=tn.float64, requires_grad=True)
        assert tn.gradcheck(getattr(tn, name), (leaf,))
        y = tn.tensor([0.7], dtype=tn.float16)
        assert getattr(y, name + "_")() is y and y.dtype == tn.float16


@pytest.mark.parametrize("name", ["erfc", "lgamma", "digamma"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_erfc_lgamma_and_digamma_equal_pytorchs(name, dtype):
    torch = pytest.importorskip("torch")
    x0 = np.array([0.3, -1.7, 2.5, 10.0, -0.5, 7.2, 1e-3], dtype=dtype)
    ours, theirs = tn.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    y, y_ref = getattr(tn, name)(ours), getattr(torch, name)(theirs)
    y.sum().backward()
    y_ref.sum().backward()
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=tolerance, atol=1e-30)
    # (PyTorch's float64 trigamma, digamma's gradient, is off by about 1e-10 relative:
    # ψ'(0.3) = 12.2453645461077 (mpmath), PyTorch 12.245364544940, tinynet's scipy exact)
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(),
                               rtol=max(tolerance, 1e-8) if name == "digamma" else tolerance)


def test_to_refuses_a_keyword_it_would_ignore():
    x = tn.ones(2)
    with pytest.raises(TypeError, match="to: unexpected keyword argument 'other'"):
        x.to(other=tn.tensor([1]))  # (it had stayed float32; to(t) takes t's dtype)
    assert x.to(tn.tensor([1])).dtype == tn.int64
    assert x.to("cpu", non_blocking=True, memory_format=tn.contiguous_format) is x
    with pytest.raises(TypeError, match="to: unexpected keyword argument 'dtyp'"):
        tn.nn.Linear(2, 2).to(dtyp=tn.float64)


def test_special_holds_pytorchs_names_for_tinynets_functions():
    x = tn.tensor([-30.0, 0.0, 1.5], dtype=tn.float64, requires_grad=True)
    assert tn.special.expit is tn.sigmoid and tn.special.gammaln is tn.lgamma
    assert tn.special.psi is tn.digamma
    phi = tn.special.ndtr(x)  # erfc(-x/√2)/2: its lower tail not lost to 1 + erf
    np.testing.assert_allclose(phi.array, [0.5 * math.erfc(30 / math.sqrt(2)), 0.5,
                                           0.5 * math.erfc(-1.5 / math.sqrt(2))], rtol=1e-14)
    assert phi.array[0] > 0 and tn.gradcheck(tn.special.ndtr, (x,))
    assert tn.special.log_softmax(x, 0).exp().sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["expit", "ndtr", "gammaln", "psi", "erfc", "logsumexp",
                                  "softmax", "log_softmax"])
def test_special_equals_torch_special(name):
    torch = pytest.importorskip("torch")
    x0 = np.array([-3.0, -0.5, 0.25, 0.7, 5.0])
    if name in ("gammaln", "psi"):
        x0 = np.abs(x0) + 0.1
    dims = (0,) if name in ("logsumexp", "softmax", "log_softmax") else ()
    ours, theirs = tn.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    y, y_ref = getattr(tn.special, name)(ours, *dims), getattr(torch.special, name)(theirs, *dims)
    (y * tn.tensor(np.arange(y.numel(), dtype=np.float64).reshape(y.shape))).sum().backward()
    (y_ref * torch.arange(y_ref.numel(), dtype=torch.float64).reshape(y_ref.shape)).sum().backward()
    np.testing.assert_allclose(y.array, y_ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-8, atol=1e-15)
