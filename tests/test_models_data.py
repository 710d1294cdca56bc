"""models.MLP (structure, initialisation, errors) and data (datasets, split, batches)."""
import math
import subprocess
import sys

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import tinynet as tn
from tinynet import nn
from tinynet.data import DATASETS, batches, load_dataset
from tinynet.models import ACTIVATIONS, MLP


# ---- MLP structure -----------------------------------------------------------------------------
def test_mlp_is_linear_activation_blocks_then_raw_logits():
    net = MLP(2, [8, 6], 3, activation="relu")
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ReLU", "Linear", "ReLU",
                                                           "Linear"]
    assert [(m.in_features, m.out_features) for m in net.children()
            if isinstance(m, nn.Linear)] == [(2, 8), (8, 6), (6, 3)]
    assert net(tn.zeros(5, 2)).shape == (5, 3)


def test_mlp_with_layernorm_puts_it_after_each_activation():
    net = MLP(4, [8, 8], 2, activation="gelu", norm="layernorm")
    kinds = [type(m).__name__ for m in net.children()]
    assert kinds == ["Linear", "GELU", "LayerNorm", "Linear", "GELU", "LayerNorm", "Linear"]
    assert "activation='gelu', norm='layernorm', init='auto'" in repr(net)


def test_mlp_accepts_an_int_width_and_every_activation_name():
    assert len(list(MLP(3, 5, 2).children())) == 3
    for name in ACTIVATIONS:
        net = MLP(3, [4], 2, activation=name)
        out = net(tn.randn(6, 3))
        assert out.shape == (6, 2) and np.isfinite(out.array).all()
    assert MLP(3, [4], 2, activation="gelu_tanh")[1].approximate == "tanh"


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": "swish"}, "MLP: activation must be one of 'elu', .* got 'swish'"),
    ({"norm": "batchnorm"}, "MLP: norm must be one of None, 'layernorm', got 'batchnorm'"),
    ({"init": "he"}, "init must be one of .* got 'he'"),
])
def test_mlp_rejects_unknown_names(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(2, [4], 2, **kwargs)


# ---- initialisation -----------------------------------------------------------------------------
def _linears(net):
    return [m for m in net.children() if isinstance(m, nn.Linear)]


def _assert_pytorch_bias(layer):
    """Biases start from U(-1/√D_in, 1/√D_in) whatever the weight scheme (as in PyTorch)."""
    b, bound = layer.bias.array.astype(np.float64), 1 / math.sqrt(layer.in_features)
    assert np.abs(b).max() <= bound * (1 + 1e-6)
    assert len(np.unique(b)) == len(b)
    if len(b) >= 100:  # the largest of n uniform draws stays below 0.9·bound with p = 0.9ⁿ
        assert np.abs(b).max() > 0.9 * bound


def test_auto_init_is_kaiming_normal_for_relu():
    tn.manual_seed(0)
    net = MLP(400, [400, 400], 10, activation="relu")
    for i, layer in enumerate(_linears(net)):
        w = layer.weight.array.astype(np.float64)
        gain = 1.0 if i == 2 else math.sqrt(2)  # the output layer has no activation
        assert w.std() == pytest.approx(gain / math.sqrt(400), rel=0.02)
        assert abs(w.mean()) < 0.01 * w.std() + 3 * w.std() / math.sqrt(w.size)
        # normal, not uniform: a few weights lie beyond 3 std (a uniform never reaches √3)
        assert np.abs(w).max() > 3 * w.std()
        _assert_pytorch_bias(layer)


def test_auto_init_is_xavier_uniform_for_tanh_and_sigmoid():
    tn.manual_seed(0)
    for activation, gain in (("tanh", 5 / 3), ("sigmoid", 1.0)):
        net = MLP(300, [500], 100, activation=activation)
        first, last = _linears(net)
        bound = gain * math.sqrt(6 / (300 + 500))
        w = first.weight.array.astype(np.float64)
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * bound
        assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
        assert np.abs(last.weight.array).max() <= math.sqrt(6 / 600) * (1 + 1e-6)  # gain 1
        _assert_pytorch_bias(first)


def test_auto_init_uses_the_activation_gain_for_gelu_and_leaky_relu():
    tn.manual_seed(0)
    for activation, gain in (("gelu", math.sqrt(2)), ("elu", math.sqrt(2)),
                             ("leaky_relu", math.sqrt(2 / (1 + 0.01 ** 2)))):
        w = _linears(MLP(500, [500], 2, activation=activation))[0].weight.array
        assert w.astype(np.float64).std() == pytest.approx(gain / math.sqrt(500), rel=0.02)


def test_forced_schemes_and_pytorch_default():
    tn.manual_seed(0)
    w = _linears(MLP(400, [400], 2, activation="tanh", init="kaiming"))[0].weight.array
    assert w.astype(np.float64).std() == pytest.approx((5 / 3) / 20, rel=0.02)
    w = _linears(MLP(400, [400], 2, activation="relu", init="xavier"))[0].weight.array
    assert np.abs(w).max() <= math.sqrt(2) * math.sqrt(6 / 800) * (1 + 1e-6)
    layer = _linears(MLP(400, [400], 2, activation="relu", init="pytorch"))[0]
    bound = 1 / math.sqrt(400)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.bias.array).max() <= bound
    assert layer.bias.array.any()  # PyTorch's default keeps a random bias


def test_mlp_is_reproducible_under_manual_seed_and_respects_dtype():
    tn.manual_seed(3)
    a = MLP(3, [5], 2, dtype=tn.float64)
    tn.manual_seed(3)
    b = MLP(3, [5], 2, dtype=tn.float64)
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.dtype == np.float64
        np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [tn.float64, "float32"])
def test_every_activation_trains_in_the_dtype_asked_for(name, dtype):
    """Every parameter, an activation's own (PReLU's slope) too, has the MLP's dtype, so a
    float64 model runs and its gradients reach every parameter."""
    net = MLP(3, [4, 4], 2, activation=name, norm="layernorm", dtype=dtype)
    assert {p.dtype for p in net.parameters()} == {np.dtype(dtype)}
    net(tn.randn(6, 3, dtype=dtype)).sum().backward()
    assert all(p.grad is not None and p.grad.dtype == np.dtype(dtype)
               for p in net.parameters())


def test_an_activation_whose_to_returns_nothing_still_builds():
    class Quiet(tn.nn.Tanh):
        def to(self, *args, **kwargs):
            super().to(*args, **kwargs)  # (no return self)

    net = MLP(3, [4], 2, activation=Quiet, dtype=tn.float64)
    assert isinstance(net[1], Quiet) and net(tn.randn(2, 3, dtype=tn.float64)).shape == (2, 2)


@pytest.mark.parametrize("init", ["auto", "xavier", "pytorch"])
def test_an_explicit_generator_makes_the_weights_independent_of_the_global_seed(init):
    tn.manual_seed(1)
    a = MLP(3, [8], 2, init=init, generator=np.random.default_rng(7))
    tn.manual_seed(2)
    b = MLP(3, [8], 2, init=init, generator=np.random.default_rng(7))
    c = MLP(3, [8], 2, init=init, generator=np.random.default_rng(8))
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters()):
        np.testing.assert_array_equal(p.array, q.array)
        assert not np.array_equal(p.array, r.array)


def test_auto_init_keeps_a_deep_relu_stack_at_a_steady_scale():
    tn.manual_seed(0)
    net = MLP(64, [256] * 10, 2, activation="relu")
    x = tn.randn(512, 64)
    with tn.no_grad():
        h = x
        for module in list(net.children())[:-1]:
            h = module(h)
    # Kaiming keeps E[h²] ≈ E[x²] = 1 through 10 ReLU layers (within sampling noise)
    assert 0.5 < float(np.mean(h.array.astype(np.float64) ** 2)) < 2.0


# ---- datasets ----------------------------------------------------------------------------------
SIZES = {"moons": (1000, 2, 2), "circles": (1000, 2, 2), "blobs": (1000, 2, 4),
         "classification": (1000, 20, 3), "iris": (150, 4, 3), "wine": (178, 13, 3),
         "breast_cancer": (569, 30, 2), "digits": (1797, 64, 10)}


def test_import_tinynet_leaves_scikit_learn_until_a_dataset_is_loaded():
    # scikit-learn takes about a second to import: a plain `import tinynet` skips it
    code = ("import sys, tinynet; print('sklearn' in sys.modules); "
            "tinynet.data.load_dataset('iris'); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_every_dataset_is_listed():
    assert set(DATASETS) == set(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_dataset_shapes_stratified_split_and_train_only_standardisation(name):
    n, d, classes = SIZES[name]
    data = load_dataset(name, seed=0)
    n_test = math.ceil(0.25 * n)
    assert data.X_train.shape == (n - n_test, d) and data.X_test.shape == (n_test, d)
    assert data.y_train.shape == (n - n_test,) and data.y_test.shape == (n_test,)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.n_classes == classes and data.n_features == d
    # stratified: each class's share in the test part is its overall share, to one sample
    y = np.concatenate([data.y_train, data.y_test])
    for c in range(classes):
        assert abs(np.sum(data.y_test == c) - n_test * np.mean(y == c)) <= 1
    # standardised with the training part's statistics only
    X = data.X_train.astype(np.float64)
    varying = X.std(axis=0) > 0  # digits has pixels that are always 0
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(X.std(axis=0)[varying], 1, rtol=1e-4)
    assert varying.sum() >= d - 4
    assert np.abs(data.X_test.mean(axis=0)).max() > 1e-3  # the test part was not used


def test_standardisation_equals_a_scaler_fitted_on_the_training_part():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=4)
    scaler = StandardScaler().fit(X_train)
    data = load_dataset("wine", seed=4)
    np.testing.assert_allclose(data.X_train, scaler.transform(X_train), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(data.X_test, scaler.transform(X_test), rtol=1e-5, atol=1e-6)


def test_stored_datasets_are_read_once_and_no_caller_can_change_them():
    """A comparison loads its dataset for every run: the stored ones are read from disk
    once per process, and the shared arrays are read-only, so one run cannot change
    another's data; the splits are the caller's own, writable arrays."""
    from tinynet import data as data_module

    first = load_dataset("digits", seed=1)
    hits = data_module._stored.cache_info().hits
    first.X_train[0, 0] = 123.0  # the caller's copy: allowed, and seen by no one else
    second = load_dataset("digits", seed=1)
    assert data_module._stored.cache_info().hits == hits + 1
    assert second.X_train[0, 0] != 123.0
    X, y = data_module._stored("load_digits")
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0] = 1.0
    from sklearn.datasets import load_digits
    X_disk, y_disk = load_digits(return_X_y=True)
    np.testing.assert_array_equal(X, X_disk)
    np.testing.assert_array_equal(y, y_disk)


def test_datasets_are_reproducible_with_a_seed_and_options_apply():
    a, b = load_dataset("moons", seed=5), load_dataset("moons", seed=5)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, load_dataset("moons", seed=6).X_train)
    small = load_dataset("circles", n_samples=200, noise=0.0, test_size=0.5, seed=0,
                         dtype=np.float64)
    assert small.X_train.shape == (100, 2) and small.X_train.dtype == np.float64
    radii = np.linalg.norm(np.concatenate([small.X_train, small.X_test]), axis=1)
    assert len(np.unique(np.round(radii, 6))) > 2  # standardised circles, no longer exact
    # a different split of the same real data
    assert not np.array_equal(load_dataset("iris", seed=0).y_test,
                              load_dataset("iris", seed=1).y_test)


# ---- batches -----------------------------------------------------------------------------------
@pytest.mark.parametrize("n, size", [(10, 3), (9, 3), (1, 4), (7, 7), (0, 2)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_index_exactly_once(n, size, shuffle):
    chunks = list(batches(n, size, shuffle=shuffle, rng=np.random.default_rng(0)))
    assert len(chunks) == math.ceil(n / size)
    assert all(len(c) == size for c in chunks[:-1])
    seen = np.concatenate(chunks) if chunks else np.array([], dtype=int)
    assert sorted(seen.tolist()) == list(range(n))
    if not shuffle:
        assert seen.tolist() == list(range(n))


def test_batches_shuffle_reproducibly_with_an_rng():
    first = [b.tolist() for b in batches(50, 8, rng=np.random.default_rng(1))]
    again = [b.tolist() for b in batches(50, 8, rng=np.random.default_rng(1))]
    assert first == again
    assert np.concatenate(first).tolist() != list(range(50))
    with pytest.raises(ValueError, match="batches: batch_size must be an integer >= 1, got 0"):
        list(batches(5, 0))


@pytest.mark.parametrize("activation, factor", [("relu", 6.0), ("tanh", 6.0), ("sigmoid", 2.0)])
def test_sklearn_init_copies_scikit_learns_glorot_scheme(activation, factor):
    net = MLP(30, [50], 20, activation=activation, init="sklearn",
              generator=np.random.default_rng(0))
    for layer in (net[0], net[2]):
        bound = np.sqrt(factor / (layer.in_features + layer.out_features))
        for p in (layer.weight.array, layer.bias.array):
            assert np.abs(p).max() <= bound
            assert np.abs(p).max() > 0.9 * bound  # uniform over the whole interval


@pytest.mark.parametrize("make, error, words", [
    (lambda: MLP(2, [0], 2), ValueError, "MLP: hidden sizes must be an integer >= 1, got 0"),
    (lambda: MLP(2, [8, -3], 2), ValueError, "MLP: hidden sizes must be an integer >= 1, got -3"),
    (lambda: MLP(2, [8.5], 2), TypeError, "MLP: hidden sizes must be an integer >= 1, got 8.5"),
    (lambda: MLP(0, [4], 2), ValueError, "MLP: in_features must be an integer >= 1, got 0"),
    (lambda: MLP(2, [4], 0), ValueError, "MLP: out_features must be an integer >= 1, got 0"),
    (lambda: nn.LayerNorm(0), ValueError,
     "LayerNorm: normalized_shape must be an integer >= 1, got 0"),
    (lambda: nn.LayerNorm((4, 0)), ValueError, "normalized_shape must be an integer >= 1"),
    (lambda: nn.Linear(-1, 2), ValueError, "Linear: in_features must be an integer >= 0, got -1"),
    (lambda: nn.Linear(2, 3.0), TypeError, "Linear: out_features must be an integer >= 0"),
])
def test_sizes_that_cannot_make_a_layer_are_named(make, error, words):
    # they raised ZeroDivisionError (or made an empty layer) deep inside
    with pytest.raises(error, match=words):
        make()


@pytest.mark.parametrize("kwargs, error, words", [
    ({"name": "moons", "n_samples": 0}, ValueError,
     "load_dataset: n_samples must be an integer >= 4, got 0"),
    ({"name": "iris", "n_samples": 50}, ValueError,
     "load_dataset: n_samples must be None for 'iris', which has a fixed size"),
    ({"name": "digits", "noise": 0.1}, ValueError, "noise must be None for 'digits'"),
    ({"name": "moons", "noise": -1.0}, ValueError, "noise must be a finite number >= 0"),
    ({"name": "moons", "seed": -1}, ValueError,
     r"load_dataset: seed must be an integer in \[0, 4294967295\], got -1"),
    ({"name": "moons", "test_size": 1.0}, ValueError,
     r"test_size must be a finite number in \(0, 1\), got 1.0"),
    ({"name": "mnist"}, ValueError, "load_dataset: name must be one of 'moons', .* got 'mnist'"),
    ({"name": "moons", "dtype": np.int32}, ValueError, "dtype must be one of"),
    ({"name": "blobs", "n_samples": 5}, ValueError,
     "n_samples=5 and test_size=0.25 cannot be split with every class on both sides"),
])
def test_load_dataset_names_what_it_cannot_do(kwargs, error, words):
    # n_samples=0 used to become 1000, and n_samples was silently ignored for iris
    with pytest.raises(error, match=words):
        tn.data.load_dataset(**kwargs)


def test_load_dataset_honours_a_small_n_samples():
    data = tn.data.load_dataset("moons", n_samples=40, seed=0)
    assert len(data.X_train) + len(data.X_test) == 40


@pytest.mark.parametrize("name", sorted(set(tn.models.ACTIVATIONS) - {"identity"}))
def test_every_named_activation_builds_trains_and_is_watched(name):
    data = tn.data.load_dataset("moons", seed=0, n_samples=200)
    model = MLP(2, [8, 8], 2, activation=name, generator=np.random.default_rng(0))
    history = tn.fit(model, data.X_train, data.y_train, lr=1e-2, epochs=2, seed=0,
                     progress=False)
    layer = history.records[-1]["layers"]["1"]
    assert layer["kind"] == type(model[1]).__name__
    assert 0.0 <= layer["saturation_rate"] <= 1.0 and 0.0 <= layer["dead_rate"] <= 1.0
    assert np.isfinite(history.records[-1]["train_loss"])
    from tinynet.cli import build_parser

    assert build_parser().parse_args(["train", "--activation", name]).activation == name


def test_the_activation_figure_draws_every_named_activation():
    pytest.importorskip("matplotlib")
    from tinynet import plot

    fig = plot.activations()
    titles = {ax.get_title() for ax in fig.axes}
    assert {plot.NAMES[n] for n in tn.models.ACTIVATIONS if n != "identity"} <= titles


def test_an_activation_class_listed_by_name_gets_that_names_init():
    for name, cls in (("relu", tn.nn.ReLU), ("tanh", tn.nn.Tanh)):
        by_name = tn.models.MLP(300, [400], 10, activation=name,
                                generator=np.random.default_rng(0))
        for given in (cls, f"tinynet.nn:{cls.__name__}"):
            model = tn.models.MLP(300, [400], 10, activation=given,
                                  generator=np.random.default_rng(0))
            np.testing.assert_array_equal(model[0].weight.array, by_name[0].weight.array)
    # Kaiming for ReLU: std √2/√300
    relu = tn.models.MLP(300, [400], 10, activation=tn.nn.ReLU,
                         generator=np.random.default_rng(0))
    assert abs(relu[0].weight.array.std() - np.sqrt(2 / 300)) < 0.003


def test_load_dataset_and_batches_check_their_arguments():
    assert tn.data.load_dataset("moons", dtype=None).X_train.dtype == np.float32
    with pytest.raises(TypeError, match=r"load_dataset: dtype must be float32 or float64, "
                                        r"got 'bogus'"):
        tn.data.load_dataset("moons", dtype="bogus")
    first = [b.tolist() for b in tn.data.batches(6, 3, rng=0)]
    assert first == [b.tolist() for b in tn.data.batches(6, 3, rng=0)]  # a seed, as sklearn
    tn.manual_seed(1)
    again = [b.tolist() for b in tn.data.batches(6, 3)]
    tn.manual_seed(1)
    assert again == [b.tolist() for b in tn.data.batches(6, 3)]  # the global generator
    for bad, message in ((dict(n=2.5), "n must be an integer >= 0, got 2.5"),
                         (dict(n=-1), "n must be an integer >= 0, got -1"),
                         (dict(n=5, shuffle="no"), "shuffle must be True or False, got 'no'")):
        with pytest.raises((TypeError, ValueError), match=message):
            list(tn.data.batches(batch_size=2, **bad))
