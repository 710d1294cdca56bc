"""fit on a DataLoader: the loader's batches in the loader's order, checked like arrays;
and a ReduceLROnPlateau scheduler stepped with the epoch's loss."""
import numpy as np
import pytest

import tinynet as tn
from tinynet.utils.data import DataLoader, Dataset, TensorDataset


@pytest.fixture(scope="module")
def iris():
    return tn.data.load_dataset("iris", seed=0)


def _model(data, seed=0):
    return tn.models.MLP(data.n_features, [16], data.n_classes, activation="tanh",
                         generator=np.random.default_rng(seed))


def _loader(X, y, **kwargs):
    return DataLoader(TensorDataset(tn.tensor(X), tn.tensor(y)), **kwargs)


def _weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def test_an_unshuffled_loader_trains_exactly_as_the_arrays(iris):
    from_arrays, from_loader = _model(iris), _model(iris)
    a = tn.fit(from_arrays, iris.X_train, iris.y_train, batch_size=16, shuffle=False,
               lr=0.01, epochs=3, progress=False,
               validation_data=(iris.X_test, iris.y_test))
    b = tn.fit(from_loader, _loader(iris.X_train, iris.y_train, batch_size=16), lr=0.01,
               epochs=3, progress=False,
               validation_data=_loader(iris.X_test, iris.y_test, batch_size=7))
    for name, w in _weights(from_arrays).items():
        np.testing.assert_array_equal(w, _weights(from_loader)[name])
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "steps"):
        assert [r[key] for r in a.records] == [r[key] for r in b.records], key
    assert b.config["batch_size"] == 16 and b.config["shuffle"] is False
    assert b.config["data"] == "DataLoader" and a.config["data"] == "arrays"
    assert b.config["sampler"] == "SequentialSampler" and a.config["sampler"] is None
    assert b.config["data_fingerprint"] == a.config["data_fingerprint"]


def test_the_loader_decides_the_order_and_the_steps(iris):
    def run():
        loader = _loader(iris.X_train, iris.y_train, batch_size=10, shuffle=True,
                         drop_last=True, generator=tn.Generator().manual_seed(5))
        model = _model(iris)
        history = tn.fit(model, loader, lr=0.01, epochs=2, progress=False)
        return model, history

    (m1, h1), (m2, _) = run(), run()
    assert [r["steps"] for r in h1.records] == [len(iris.X_train) // 10] * 2
    for name, w in _weights(m1).items():
        np.testing.assert_array_equal(w, _weights(m2)[name])
    assert h1.config["shuffle"] is True


def test_a_custom_dataset_of_numpy_rows_and_int_labels(iris):
    class Rows(Dataset):
        def __len__(self):
            return len(iris.X_train)

        def __getitem__(self, i):
            return iris.X_train[i], int(iris.y_train[i])  # a numpy row and a Python int

    history = tn.fit(_model(iris), DataLoader(Rows(), batch_size=32, shuffle=True), lr=0.05,
                     epochs=15, progress=False)
    assert history.records[-1]["train_acc"] > 0.9
    assert history.config["n_samples"] == len(iris.X_train)


@pytest.mark.parametrize("argument", ["y", "batch_size", "shuffle", "seed"])
def test_arguments_the_loader_sets_are_refused(iris, argument):
    value = {"y": iris.y_train, "batch_size": 16, "shuffle": True, "seed": 0}[argument]
    loader = _loader(iris.X_train, iris.y_train, batch_size=16)
    with pytest.raises(ValueError, match=f"fit: {argument} must be None when X is a DataLoader"):
        tn.fit(_model(iris), loader, progress=False, **{argument: value})


def test_bad_samples_are_named_in_dataset_order(iris):
    X = iris.X_train.copy()
    X[45, 2] = np.nan
    loader = _loader(X, iris.y_train, batch_size=16, shuffle=True)
    with pytest.raises(ValueError, match=r"DataLoader's dataset, in order\): X must be finite, "
                                         r"got nan at index \(45, 2\)"):
        tn.fit(_model(iris), loader, progress=False)
    labels = iris.y_train.copy()
    labels[7] = -1
    with pytest.raises(ValueError, match="class indices >= 0, got -1 at position 7"):
        tn.fit(_model(iris), _loader(iris.X_train, labels, batch_size=16), progress=False)


def test_a_batch_that_is_not_a_pair_is_refused(iris):
    loader = DataLoader(TensorDataset(tn.tensor(iris.X_train)), batch_size=8)
    with pytest.raises(ValueError, match="each batch must be a pair \\(inputs, targets\\), "
                                         "got a list of 1"):
        tn.fit(_model(iris), loader, progress=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_loader_run_names_the_failing_batch_layer(iris):
    model = _model(iris)
    model[0].weight.array[...] = np.inf
    with pytest.raises(FloatingPointError, match=r"epoch 1, step 1; the first non-finite "
                                                 r"value: parameter '0.weight'"):
        tn.fit(model, _loader(iris.X_train, iris.y_train, batch_size=16), progress=False)


def test_resuming_a_loader_run_with_its_own_generator_is_bit_identical(iris, tmp_path):
    def loader():
        return _loader(iris.X_train, iris.y_train, batch_size=16, shuffle=True,
                       generator=tn.Generator().manual_seed(1))

    whole = _model(iris)
    expected = tn.fit(whole, loader(), lr=0.01, epochs=4, progress=False)
    path = str(tmp_path / "run.npz")
    first, second = _model(iris), _model(iris)
    shared = loader()
    tn.fit(first, shared, lr=0.01, epochs=2, progress=False, checkpoint=path)
    shared.generator.manual_seed(99)  # whatever happened to the loader in between
    history = tn.fit(second, shared, lr=0.01, epochs=4, progress=False, resume_from=path)
    for name, w in _weights(whole).items():
        np.testing.assert_array_equal(w, _weights(second)[name])
    assert [r["train_loss"] for r in history.records] == \
        [r["train_loss"] for r in expected.records]


class _Spy(tn.optim.lr_scheduler.ReduceLROnPlateau):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def step(self, metrics):
        self.seen.append(metrics)
        super().step(metrics)


@pytest.mark.parametrize("with_validation", [True, False])
def test_reduce_lr_on_plateau_gets_the_epoch_loss(iris, with_validation):
    model = _model(iris)
    optimizer = tn.optim.SGD(model.parameters(), lr=0.1)
    spy = _Spy(optimizer, factor=0.5, patience=0, threshold=10.0)  # never "better"
    validation = (iris.X_test, iris.y_test) if with_validation else None
    history = tn.fit(model, iris.X_train, iris.y_train, optimizer=optimizer, scheduler=spy,
                     epochs=4, validation_data=validation, progress=False)
    key = "val_loss" if with_validation else "train_loss"
    assert spy.seen == [r[key] for r in history.records]
    assert [r["lr"] for r in history.records] == [0.1, 0.05, 0.025, 0.0125]


def test_a_loader_with_a_sampler_or_batch_sampler_trains_in_its_order(iris):
    """fit follows a sampler's order and a batch sampler's batches, and History.config
    names what ordered them."""
    from tinynet.utils.data import BatchSampler, SubsetRandomSampler, WeightedRandomSampler

    data = TensorDataset(tn.tensor(iris.X_train), tn.tensor(iris.y_train))
    n = len(data)
    weighted = DataLoader(data, batch_size=16, sampler=WeightedRandomSampler(
        np.ones(n), 64, generator=tn.Generator().manual_seed(0)))
    batches = DataLoader(data, batch_sampler=BatchSampler(
        SubsetRandomSampler(range(n // 2), tn.Generator().manual_seed(0)), 10, False))
    for loader, sampler, steps in ((weighted, "WeightedRandomSampler", 4),
                                   (batches, "BatchSampler", -(-(n // 2) // 10))):
        tn.manual_seed(0)
        model = tn.models.MLP(4, [8], 3)
        history = tn.fit(model, loader, lr=0.01, epochs=2, progress=False)
        assert history.config["sampler"] == sampler and history.config["shuffle"] is False
        assert [r["steps"] for r in history.records] == [steps, steps]  # per epoch
