"""Randomness as in PyTorch: ``tn.Generator`` and ``generator=`` everywhere numbers are
drawn, ``manual_seed``, the sampling functions (``normal``, ``multinomial``, the
``*_like`` forms) and the factories' ``size=`` keyword and ``eye``."""
import pickle
import re

import numpy as np
import pytest

import tinynet as tn


def test_generator_seeding_methods():
    g = tn.Generator()
    assert g.manual_seed(3) is g and g.initial_seed() == 3 and g.device == "cpu"
    a = tn.randn(5, generator=g)
    b = tn.randn(5, generator=tn.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.array, b.array)
    np.testing.assert_array_equal(tn.randn(5, generator=tn.Generator().manual_seed(3)).array,
                                  np.random.default_rng(3).standard_normal(5).astype(np.float32))
    state = g.get_state()
    first = tn.rand(4, generator=g)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(tn.rand(4, generator=g).array, first.array)
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert isinstance(g, np.random.Generator)  # so it goes wherever numpy's does
    with pytest.raises(TypeError, match="manual_seed: seed must be an integer, got 1.5"):
        g.manual_seed(1.5)


def test_generator_pickles_with_its_state():
    g = tn.Generator().manual_seed(7)
    tn.rand(3, generator=g)
    h = pickle.loads(pickle.dumps(g))
    assert type(h) is tn.Generator and h.initial_seed() == 7
    np.testing.assert_array_equal(tn.rand(3, generator=g).array, tn.rand(3, generator=h).array)


def test_manual_seed_returns_the_global_generator_reseeded_in_place():
    g = tn.manual_seed(0)
    assert isinstance(g, tn.Generator) and tn.manual_seed(1) is g and tn.initial_seed() == 1
    tn.manual_seed(5)
    a = tn.randn(3)
    tn.manual_seed(5)
    np.testing.assert_array_equal(tn.randn(3).array, a.array)


DRAWS = {
    "randn": lambda g: tn.randn(2, 3, generator=g),
    "rand": lambda g: tn.rand(2, 3, generator=g),
    "randint": lambda g: tn.randint(0, 10, (5,), generator=g),
    "randperm": lambda g: tn.randperm(6, generator=g),
    "normal": lambda g: tn.normal(0.0, 1.0, size=(4,), generator=g),
    "multinomial": lambda g: tn.multinomial(tn.ones(6), 3, generator=g),
    "rand_like": lambda g: tn.rand_like(tn.ones(3), generator=g),
    "randn_like": lambda g: tn.randn_like(tn.ones(3), generator=g),
    "randint_like": lambda g: tn.randint_like(tn.ones(3), 9, generator=g),
    "init.normal_": lambda g: tn.nn.init.normal_(tn.empty(3), generator=g),
    "init.kaiming_uniform_": lambda g: tn.nn.init.kaiming_uniform_(tn.empty(3, 2), generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_every_draw_takes_a_generator_and_repeats_with_its_seed(name):
    a = DRAWS[name](tn.Generator().manual_seed(11))
    b = DRAWS[name](tn.Generator().manual_seed(11))
    c = DRAWS[name](np.random.default_rng(11))  # a numpy generator works the same
    np.testing.assert_array_equal(a.array, b.array)
    np.testing.assert_array_equal(a.array, c.array)
    tn.manual_seed(11)
    np.testing.assert_array_equal(DRAWS[name](None).array, a.array)


def test_a_wrong_generator_is_named():
    with pytest.raises(TypeError, match="randn: generator must be a tinynet.Generator or a "
                                        "numpy.random.Generator, got builtins.int"):
        tn.randn(2, generator=3)
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"got torch._C.Generator \(PyTorch's: tinynet's draws "
                                        r"are its own, not PyTorch's\)"):
        tn.randn(2, generator=torch.Generator().manual_seed(1))


def test_normal_overloads():
    g = tn.Generator().manual_seed(0)
    x = tn.normal(tn.tensor([0.0, 100.0]), tn.tensor([1.0, 0.0]), generator=g)
    assert x.dtype == tn.float32 and x.shape == (2,) and x[1].item() == 100.0
    assert tn.normal(tn.zeros(2, 1, dtype=tn.float64), tn.ones(3)).shape == (2, 3)
    assert tn.normal(tn.zeros(2, 1, dtype=tn.float64), tn.ones(3)).dtype == tn.float64
    assert tn.normal(5.0, tn.ones(4)).shape == (4,) and tn.normal(tn.zeros(3), 2.0).shape == (3,)
    y = tn.normal(2, 3, size=(20000,), generator=g)
    assert y.dtype == tn.float32 and abs(y.mean().item() - 2) < 0.1 and \
        abs(y.std().item() - 3) < 0.1
    assert tn.normal(0.0, 1.0, (3,), dtype=tn.float64).dtype == tn.float64
    with pytest.raises(TypeError, match="normal: with a number mean and std, give size="):
        tn.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="normal: std must be >= 0 everywhere, got -1.0"):
        tn.normal(tn.zeros(2), tn.tensor([-1.0, 1.0]))


def test_multinomial_frequencies_and_rules():
    g = tn.Generator().manual_seed(0)
    w = tn.tensor([1.0, 3.0, 0.0, 6.0])
    draws = tn.multinomial(w, 20000, replacement=True, generator=g)
    assert draws.dtype == tn.int64 and draws.shape == (20000,)
    freq = np.bincount(draws.array, minlength=4) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.3, 0.0, 0.6], atol=0.015)
    batch = tn.multinomial(tn.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]), 3, generator=g)
    assert sorted(batch[0].tolist()) == [0, 1, 2] and batch[1, 0].item() == 2
    # without replacement, the first draw follows the weights too
    firsts = tn.multinomial(tn.tensor([[1.0, 3.0, 6.0]] * 20000), 2, generator=g)[:, 0]
    np.testing.assert_allclose(np.bincount(firsts.array, minlength=3) / 20000, [0.1, 0.3, 0.6],
                               atol=0.015)
    assert tn.multinomial(tn.tensor([1.0, 0.0]), 2).tolist() == [0, 1]  # zero weights last


@pytest.mark.parametrize("args,message", [
    ((tn.tensor([0.5, 0.5]), 3), "without replacement num_samples must be <= the number of "
                                 "categories \\(2\\), got 3"),
    ((tn.tensor([-1.0, 1.0]), 1), "the weights must be finite and >= 0"),
    ((tn.tensor([0.0, 0.0]), 1), "every row's weights must add up to more than 0"),
    ((tn.tensor([1, 2]), 1), "input must be a floating-point tensor, got int64"),
    ((tn.ones(1, 1, 1), 1), "input must be 1-D or 2-D, got shape \\(1, 1, 1\\)"),
])
def test_multinomial_errors(args, message):
    with pytest.raises(RuntimeError, match="multinomial: " + message):
        tn.multinomial(*args)


def test_like_factories():
    x = tn.ones(2, 3, dtype=tn.float64)
    assert tn.rand_like(x).dtype == tn.float64 and tn.randn_like(x).shape == (2, 3)
    r = tn.randint_like(x, 3, 5)
    assert r.dtype == tn.float64 and set(r.array.ravel()) <= {3.0, 4.0}
    assert tn.randint_like(tn.ones(2, dtype=tn.int32), high=5).dtype == tn.int32
    assert tn.full_like(x, 7).tolist() == [[7.0] * 3] * 2 and tn.empty_like(x).shape == (2, 3)
    with pytest.raises(TypeError, match="rand_like: the input must be floating point"):
        tn.rand_like(tn.tensor([1, 2]))


def test_size_keyword_eye_and_full():
    for make in (tn.zeros, tn.ones, tn.empty, tn.rand, tn.randn):
        assert make(size=(2, 3)).shape == (2, 3) and make((2, 3)).shape == (2, 3)
        with pytest.raises(TypeError, match=f"{make.__name__}: give the size positionally or "
                                            f"as size=, not both"):
            make(2, size=(2,))
    assert tn.full(size=(2,), fill_value=3.0).tolist() == [3.0, 3.0]
    assert tn.full((2,), 3).dtype == tn.int64 and tn.full((2,), True).dtype == tn.bool
    assert tn.full((2,), 3, dtype=tn.float32).dtype == tn.float32
    np.testing.assert_array_equal(tn.eye(3).array, np.eye(3))
    np.testing.assert_array_equal(tn.eye(2, 3, dtype=tn.int64).array, np.eye(2, 3))
    assert tn.eye(2, requires_grad=True).requires_grad
    assert tn.randint(10, (3,)).shape == (3,) and tn.randint(3, 10, size=(2, 2)).shape == (2, 2)
    with pytest.raises(TypeError, match="randn: dtype must be a floating-point type"):
        tn.randn(2, dtype=tn.int64)


def test_randint_takes_pytorchs_forms_and_checks_the_dtype_holds_its_range():
    assert tn.randint(5, size=(2, 3)).shape == (2, 3)  # randint(high, size=...)
    assert tn.randint(5, (4,)).shape == (4,) and tn.randint(2, 5, (3,)).shape == (3,)
    values = tn.randint(250, 256, (200,), dtype=tn.uint8)
    assert values.dtype == tn.uint8 and 250 <= values.min().item() <= values.max().item() <= 255
    assert tn.randint(0, 10, (3,), dtype=tn.float32).dtype == tn.float32
    assert tn.randint(0, 2, (3,), dtype=tn.bool).dtype == tn.bool
    for low, high, dtype in ((250, 300, tn.uint8), (0, 2**40, tn.int32), (-1, 5, tn.uint8),
                             (0, 3, tn.bool), (0, 70000, tn.float16)):
        with pytest.raises(RuntimeError, match=re.escape(f"randint: [low, high) = [{low}, "
                                                         f"{high}) is out of bounds for")):
            tn.randint(low, high, (8,), dtype=dtype)  # (numpy had wrapped them)
