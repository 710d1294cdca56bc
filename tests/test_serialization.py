"""tn.save / tn.load: round trips of model and optimizer state, atomic writes, and the
refusal of pickles, truncated, random and foreign files."""
import builtins
import io
import os
import pickle
import stat
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet import nn, optim
from tinynet import serialization


def _model(seed=0):
    tn.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 2))


def _train(model, opt, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = tn.tensor(rng.standard_normal((16, 3)).astype(np.float32))
        y = tn.tensor(rng.integers(0, 2, 16))
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        opt.step()
    return [p.array.copy() for p in model.parameters()]


# ---- round trips ---------------------------------------------------------------------------
def test_model_state_dict_round_trip(tmp_path):
    model = _model(0)
    path = tmp_path / "model.npz"
    tn.save(model.state_dict(), path)
    loaded = tn.load(path)
    assert list(loaded) == list(model.state_dict())
    for name, tensor in model.state_dict().items():
        assert isinstance(loaded[name], tn.Tensor) and loaded[name].dtype == tensor.dtype
        np.testing.assert_array_equal(loaded[name].array, tensor.array)
    other = _model(1)
    other.load_state_dict(loaded)
    x = tn.randn(4, 3)
    np.testing.assert_array_equal(other(x).array, model(x).array)


def test_every_kind_of_value_round_trips(tmp_path):
    state = {
        "int keys": {0: {"step": 3}, 12: {"step": 4}},
        "betas": (0.9, 0.999),
        "lr": 0.1,
        "tiny": 1e-300,
        "epoch": 7,
        "nesterov": True,
        "amsgrad": False,
        "missing": None,
        "name": "adam ✓",
        "nested": [{"params": [0, 1, 2]}, ((1, 2), [3.5])],
        "float64": np.linspace(0, 1, 5),
        "int64": np.arange(4).reshape(2, 2),
        "bool": np.array([True, False]),
        "scalar array": np.array(2.5, dtype=np.float32),
        "numpy scalar": np.float64(0.25),
        "tensor": tn.tensor([[1.5, -2.0]], requires_grad=True),
    }
    path = tmp_path / "state.npz"
    tn.save(state, path)
    loaded = tn.load(path)
    assert list(loaded) == list(state)
    assert loaded["int keys"] == {0: {"step": 3}, 12: {"step": 4}}
    assert loaded["betas"] == (0.9, 0.999) and isinstance(loaded["betas"], tuple)
    assert loaded["lr"] == 0.1 and loaded["tiny"] == 1e-300
    assert loaded["epoch"] == 7 and type(loaded["epoch"]) is int
    assert loaded["nesterov"] is True and loaded["amsgrad"] is False
    assert loaded["missing"] is None and loaded["name"] == "adam ✓"
    assert loaded["nested"] == [{"params": [0, 1, 2]}, ((1, 2), [3.5])]
    assert loaded["numpy scalar"] == 0.25
    for key in ["float64", "int64", "bool", "scalar array", "tensor"]:
        original = state[key].array if isinstance(state[key], tn.Tensor) else state[key]
        assert loaded[key].dtype == original.dtype and loaded[key].shape == original.shape
        np.testing.assert_array_equal(loaded[key].array, original)
    assert loaded["tensor"].requires_grad  # a leaf that requires grad, as saved


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.95)),
    lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
], ids=["sgd", "adam", "adamw"])
def test_loaded_optimizer_state_restores_training_exactly(tmp_path, make):
    model = _model(0)
    opt = make(model.parameters())
    _train(model, opt, 3, seed=1)
    tn.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
            tmp_path / "checkpoint.npz")
    uninterrupted = _train(model, opt, 3, seed=2)

    checkpoint = tn.load(tmp_path / "checkpoint.npz")
    assert checkpoint["epoch"] == 3
    assert sorted(checkpoint["optimizer"]["state"]) == list(range(6))
    restored = _model(9)
    restored.load_state_dict(checkpoint["model"])
    restored_opt = make(restored.parameters())
    restored_opt.load_state_dict(checkpoint["optimizer"])
    assert restored_opt.param_groups[0] == {**opt.param_groups[0],
                                            "params": restored_opt.param_groups[0]["params"]}
    resumed = _train(restored, restored_opt, 3, seed=2)
    for a, b in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(a, b)


_ARRAYS = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
                     hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
_LEAVES = (st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63) | st.text(max_size=5)
           | st.floats(allow_nan=False) | _ARRAYS)
_STATES = st.recursive(_LEAVES, lambda inner: (
    st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4) | st.integers(-5, 5), inner, max_size=3)),
    max_leaves=8)


def _same(a, b):
    if isinstance(a, np.ndarray):
        return (isinstance(b, tn.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.array.tobytes())  # bit for bit, NaNs included
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=30, deadline=None)
@given(_STATES)
def test_any_nested_state_round_trips(state):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "state.npz")
        tn.save(state, path)
        assert _same(state, tn.load(path))


def test_saved_file_is_readable_by_others_as_np_savez_would_make_it(tmp_path):
    tn.save({"w": tn.ones(2)}, tmp_path / "m.npz")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "m.npz").st_mode) == 0o666 & ~mask


def test_unsupported_values_are_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "bad.npz"
    with pytest.raises(TypeError, match="got object"):
        tn.save({"w": object()}, path)
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        tn.save({(1, 2): 3}, path)
    with pytest.raises(TypeError, match="dtype complex128"):
        tn.save({"z": np.array([1j])}, path)
    # a whole model, as PyTorch pickles it: the error says what to save instead
    with pytest.raises(TypeError, match=r"got Linear \(a tinynet file holds no pickled "
                                        r"objects: save its state_dict\(\), and load that "
                                        r"into a Linear built the same way\)"):
        tn.save(tn.nn.Linear(2, 2), path)
    assert os.listdir(tmp_path) == []


# ---- atomic writes -------------------------------------------------------------------------
def _save_previous(tmp_path):
    path = tmp_path / "model.npz"
    tn.save({"version": 1, "w": np.arange(3.0)}, path)
    return path, path.read_bytes()


def test_a_crash_inside_savez_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path, before = _save_previous(tmp_path)

    def crash_midway(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(np, "savez", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        tn.save({"version": 2, "w": np.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]
    assert tn.load(path)["version"] == 1


def test_a_failed_rename_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path, before = _save_previous(tmp_path)

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(serialization.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        tn.save({"version": 2}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_saving_over_an_existing_file_replaces_it(tmp_path):
    path, _ = _save_previous(tmp_path)
    tn.save({"version": 2}, path)
    assert tn.load(path) == {"version": 2}
    assert os.listdir(tmp_path) == ["model.npz"]


# ---- files that must be refused ------------------------------------------------------------
class _Payload:
    """Unpickling this creates the file ``marker``: the code a malicious file would run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, "w")


def _check_payload_works(tmp_path):
    """The payload does run code when unpickled (else the tests below prove nothing)."""
    probe = tmp_path / "probe-marker"
    pickle.loads(pickle.dumps(_Payload(probe))).close()
    assert probe.exists()


def test_a_pickle_file_is_refused_and_runs_no_code(tmp_path):
    _check_payload_works(tmp_path)
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"state": _Payload(marker)}))
    with pytest.raises(ValueError, match=r"tn.load: refusing to load '.*evil\.pt': it is a pickle"):
        tn.load(path)
    assert not marker.exists()


def test_a_protocol_0_pickle_is_refused_and_runs_no_code(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil0.pkl"
    path.write_bytes(pickle.dumps(_Payload(marker), protocol=0))
    with pytest.raises(ValueError, match=r"tn.load: '.*evil0\.pkl' is not a tinynet file"):
        tn.load(path)
    assert not marker.exists()


def test_an_object_array_inside_an_npz_is_refused_and_runs_no_code(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.npz"
    # a genuine tinynet file whose one array is swapped for a pickled object array
    tn.save({"w": np.zeros(2)}, path)
    with np.load(path) as npz:
        manifest = npz["__tinynet__"]
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload(marker)
    np.savez(path, __tinynet__=manifest, a0=evil)
    with pytest.raises(ValueError, match=r"refusing to load .*evil\.npz.*pickled"):
        tn.load(path)
    assert not marker.exists()


def test_a_truncated_file_is_reported_by_name(tmp_path):
    path = tmp_path / "model.npz"
    tn.save(_model().state_dict(), path)
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz' is truncated or corrupt"):
        tn.load(cut)


def test_random_bytes_are_reported_by_name_and_not_called_a_pickle(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match=r"noise\.bin' is not a tinynet file") as info:
        tn.load(path)
    assert "pickle" not in str(info.value)


def test_empty_and_npy_files_are_refused_clearly(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz' is not a tinynet file"):
        tn.load(empty)
    np.save(tmp_path / "array.npy", np.ones(3))
    with pytest.raises(ValueError, match=r"array\.npy' is not a tinynet file"):
        tn.load(tmp_path / "array.npy")


def test_an_npz_not_written_by_tinynet_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weight=np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"other\.npz' was not written by tinynet\.save"):
        tn.load(path)


def test_a_corrupt_manifest_is_reported_by_name(tmp_path):
    path = tmp_path / "broken.npz"
    manifest = np.frombuffer(b'{"format": 1, "root": {"__array__": "a7"}}', dtype=np.uint8)
    np.savez(path, __tinynet__=manifest)
    with pytest.raises(ValueError, match=r"tn.load: '.*broken\.npz' is corrupt"):
        tn.load(path)
    np.savez(path, __tinynet__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(ValueError, match=r"tn.load: '.*broken\.npz' is corrupt"):
        tn.load(path)
    np.savez(path, __tinynet__=np.frombuffer(b'{"format": 99, "root": null}', dtype=np.uint8))
    with pytest.raises(ValueError, match=r"broken\.npz' has format version 99"):
        tn.load(path)


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        tn.load(tmp_path / "nowhere.npz")


# ---- hostile files: only what the manifest names, only plain numbers, bounded size -------
def _tinynet_file_with(path, **arrays):
    """A file that passes for tinynet's: a manifest naming a0 (and any extra members)."""
    manifest = np.frombuffer(b'{"format": 1, "root": {"__dict__": {"w": {"__array__": "a0"}}}}',
                             dtype=np.uint8)
    np.savez(path, __tinynet__=manifest, **arrays)


@pytest.mark.parametrize("array, words", [
    (np.array([1 + 2j]), "array 'a0' has dtype complex128"),
    (np.array(["nan", "1"]), "array 'a0' has dtype <U3"),
    (np.array([b"x"]), "array 'a0' has dtype |S1"),
    (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), "array 'a0' has dtype"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "array 'a0' has dtype datetime64"),
])
def test_arrays_that_are_not_plain_numbers_are_refused(tmp_path, array, words):
    # once loaded, load_state_dict cast "nan" strings and dropped imaginary parts silently
    path = tmp_path / "odd.npz"
    _tinynet_file_with(path, a0=array)
    with pytest.raises(ValueError, match=f"tn.load: refusing to load '.*odd.npz': {words}"):
        tn.load(path)


def test_members_the_manifest_does_not_name_are_refused(tmp_path):
    path = tmp_path / "extra.npz"
    _tinynet_file_with(path, a0=np.ones(2), payload=np.ones(3))
    with pytest.raises(ValueError, match="members its manifest does not name: \\['payload'\\]"):
        tn.load(path)
    import zipfile
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="'readme.txt', which is not an array"):
        tn.load(path)


def test_a_small_file_that_inflates_to_a_huge_array_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.npz"
    manifest = np.frombuffer(b'{"format": 1, "root": {"__array__": "a0"}}', dtype=np.uint8)
    np.savez_compressed(path, __tinynet__=manifest, a0=np.zeros((2 ** 28,), np.uint8))
    assert path.stat().st_size < 1_000_000  # 256 MB of zeros compress to almost nothing
    with pytest.raises(ValueError, match=r"more than max_bytes=1000000 bytes"):
        tn.load(path, max_bytes=1_000_000)
    assert tn.serialization.DEFAULT_MAX_BYTES == 2 ** 30


@pytest.mark.parametrize("manifest", [
    b'{"format": 1, "root": ' + b'[' * 5000 + b']' * 5000 + b'}',  # deep nesting
    b'{"format": 1, "root": {"__array__": 5}}',
    b'{"format": 1, "root": {"__items__": [[true, 1]]}}',
    b'{"format": 1, "root": {"__dict__": 3}}',
    b'{"format": 1, "root": {"__tuple__": [1], "__dict__": {}}}',
    b'{"format": 1, "root": {"__size__": [2, -1]}}',
    b'{"format": 1, "root": {"__size__": [2.5]}}',
    b'[1, 2]',
    b'\xff\xfe',
])
def test_malformed_manifests_are_a_value_error_naming_the_file(tmp_path, manifest):
    path = tmp_path / "broken.npz"
    np.savez(path, __tinynet__=np.frombuffer(manifest, dtype=np.uint8))
    with pytest.raises(ValueError, match="broken.npz"):
        tn.load(path)


@given(st.binary(min_size=0, max_size=300), st.integers(0, 4000))
@settings(max_examples=60)
def test_any_corruption_of_a_real_file_is_a_value_error(garbage, offset):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.npz")
        tn.save(_model().state_dict(), path)
        data = bytearray(open(path, "rb").read())
        offset = min(offset, len(data))
        data[offset:offset + len(garbage)] = garbage
        with open(path, "wb") as handle:
            handle.write(bytes(data))
        try:
            tn.load(path)
        except ValueError:
            pass  # the only error allowed


@pytest.mark.parametrize("value, words", [
    (np.full((8, 3), 1e300), "values up to 1e\\+300 overflow float32"),
    (np.full((8, 3), 1 + 1j), "dtype complex128 cannot become float32"),
])
def test_load_state_dict_refuses_a_cast_that_loses_information(value, words):
    model = _model()
    before = model[0].weight.array.copy()
    state = model.state_dict()
    state["0.weight"] = value
    with pytest.raises(RuntimeError, match="dtype mismatch for 0.weight: " + words):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].weight.array, before)
    # an exact cast is fine
    state["0.weight"] = np.full((8, 3), 0.5)
    model.load_state_dict(state)
    assert (model[0].weight.array == 0.5).all()


def test_integers_out_of_the_range_of_the_slot_are_refused():
    class Counts(tn.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", tn.zeros(2, dtype=tn.int32))
            self.half = tn.nn.Parameter(tn.zeros(2, dtype=tn.float16))

    model = Counts()
    with pytest.raises(RuntimeError, match=r"dtype mismatch for count: values from 1 to "
                                           r"1099511627776 do not fit int32"):
        model.load_state_dict({"count": tn.tensor([2 ** 40, 1]), "half": tn.zeros(2)})
    with pytest.raises(RuntimeError, match="dtype mismatch for half: values up to 70000 "
                                           "overflow float16"):
        model.load_state_dict({"count": tn.tensor([3, 1]), "half": tn.tensor([70000, 1])})
    assert model.count.tolist() == [0, 0]  # nothing loaded
    model.load_state_dict({"count": tn.tensor([3, 1]), "half": tn.tensor([7, 1])})
    assert model.count.tolist() == [3, 1] and model.half.tolist() == [7.0, 1.0]


def test_an_integer_buffer_takes_whole_float_values_and_refuses_fractions():
    norm = tn.nn.BatchNorm1d(3)
    state = dict(norm.state_dict())
    state["num_batches_tracked"] = tn.tensor(5.0)  # exact: PyTorch casts it too
    norm.load_state_dict(state)
    assert norm.num_batches_tracked.item() == 5 and norm.num_batches_tracked.dtype == np.int64
    for value in (5.5, 1e30, float("nan")):  # PyTorch would truncate 5.5 silently
        state["num_batches_tracked"] = tn.tensor(value)
        with pytest.raises(RuntimeError, match="num_batches_tracked: dtype float32 cannot "
                                               "become int64 without losing information "
                                               r"\(its values are not all whole numbers"):
            norm.load_state_dict(state)
    assert norm.num_batches_tracked.item() == 5


def test_load_takes_pytorchs_keyword_arguments(tmp_path):
    tn.save({"w": tn.ones(2)}, tmp_path / "m.npz")
    assert tn.load(tmp_path / "m.npz", weights_only=True, map_location="cpu")["w"].tolist() == [
        1.0, 1.0]


# ---- file objects ----------------------------------------------------------------------------
class _Stream(io.RawIOBase):
    """A stream that cannot seek (a pipe, a socket): it is read whole."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def _assert_same_state(loaded, state):
    assert list(loaded) == list(state)
    for key, value in state.items():
        np.testing.assert_array_equal(loaded[key].array, value.array)


def test_save_and_load_through_file_objects(tmp_path):
    state = _model().state_dict()
    buffer = io.BytesIO()
    tn.save(state, buffer)
    assert not buffer.closed
    buffer.seek(0)
    _assert_same_state(tn.load(buffer), state)
    with open(tmp_path / "m.npz", "wb") as handle:
        tn.save(state, handle)
    with open(tmp_path / "m.npz", "rb") as handle:
        _assert_same_state(tn.load(handle), state)
    _assert_same_state(tn.load(_Stream(buffer.getvalue())), state)
    assert (tmp_path / "m.npz").read_bytes()[:2] == b"PK"  # the same .npz as a path gets


def test_saves_appended_to_a_file_load_one_after_the_other(tmp_path):
    path = tmp_path / "log.npz"
    for epoch in (1, 2):
        with open(path, "ab") as handle:  # (zipfile's seeks back do not reach an "ab" file)
            tn.save({"epoch": epoch, "w": tn.full((2,), float(epoch))}, handle)
    assert tn.load(path)["epoch"] == 1
    with open(path, "rb") as handle:
        assert [tn.load(handle)["w"].tolist() for _ in range(2)] == [[1.0, 1.0], [2.0, 2.0]]
    tn.save({"epoch": 3}, os.fsencode(tmp_path / "b.npz"))  # a bytes path, as os takes it
    assert tn.load(os.fsencode(tmp_path / "b.npz")) == {"epoch": 3}
    with open(path, "rb") as handle:
        with pytest.raises(TypeError, match="tn.save: f must be a path or a file object "
                                            "opened for writing bytes, got one that cannot "
                                            "be written"):
            tn.save({"epoch": 4}, handle)


def test_a_file_object_is_read_from_its_position():
    buffer = io.BytesIO()
    buffer.write(b"a header of our own")
    start = buffer.tell()
    tn.save({"epoch": 3}, buffer)
    buffer.seek(start)
    assert tn.load(buffer) == {"epoch": 3}


def test_bad_file_objects_are_named(tmp_path):
    with pytest.raises(ValueError, match="tn.load: the BytesIO object is not a tinynet file"):
        tn.load(io.BytesIO(b"random bytes"))
    marker = tmp_path / "ran"
    payload = pickle.dumps({"state": _Payload(marker)})
    with pytest.raises(ValueError, match="refusing to load the BytesIO object: it is a pickle"):
        tn.load(io.BytesIO(payload))
    assert not marker.exists()
    with open(tmp_path / "text.txt", "w") as handle:
        with pytest.raises(TypeError, match=r"tn.save: f must be a path or a file object "
                                            r"opened for writing bytes \('wb'\), got a text"):
            tn.save({"w": tn.ones(2)}, handle)
    with open(tmp_path / "text.txt") as handle:
        with pytest.raises(TypeError, match=r"opened for reading bytes \('rb'\), got a text"):
            tn.load(handle)
    with pytest.raises(TypeError, match="tn.save: f must be a path or a file object opened "
                                        "for writing bytes, got int"):
        tn.save({}, 3)
    with pytest.raises(TypeError, match="tn.load: f must be a path or a file object opened "
                                        "for reading bytes, got NoneType"):
        tn.load(None)


# ---- map_location ----------------------------------------------------------------------------
@pytest.mark.parametrize("where", [None, "cpu", tn.device("cpu"), tn.device("cpu", 0), "cpu:0",
                                   {"cuda:0": "cpu"}, {"cpu": tn.device("cpu")}, {}],
                         ids=repr)
def test_map_location_onto_the_cpu_is_accepted(where):
    buffer = io.BytesIO()
    tn.save({"w": tn.ones(2)}, buffer)
    buffer.seek(0)
    assert tn.load(buffer, map_location=where)["w"].tolist() == [1.0, 1.0]


def test_mmap_is_accepted_with_the_same_values(tmp_path):
    path = tmp_path / "w.pt"
    tn.save({"w": tn.arange(4.0)}, path)
    for mmap in (None, False, True, 1, "r"):  # (PyTorch's load takes any of them)
        assert tn.load(path, mmap=mmap, weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_map_location_as_a_function_is_called_with_each_tensor_and_cpu():
    buffer = io.BytesIO()
    tn.save({"a": tn.ones(2), "b": [tn.zeros(3), 4]}, buffer)
    calls = []

    def to_double(t, location):
        calls.append((t.shape, location))
        return t.double()

    for where, dtype in ((lambda storage, location: storage, np.float32),
                         (lambda storage, location: None, np.float32), (to_double, np.float64)):
        buffer.seek(0)
        loaded = tn.load(buffer, map_location=where)
        assert loaded["a"].dtype == dtype and loaded["b"][0].dtype == dtype
        assert loaded["b"][0].tolist() == [0.0, 0.0, 0.0] and loaded["b"][1] == 4
    assert sorted(calls) == [((2,), "cpu"), ((3,), "cpu")]


def test_a_parameter_mapped_by_a_function_loads_as_a_leaf_that_trains():
    buffer = io.BytesIO()
    lin = tn.nn.Linear(2, 2)
    tn.save({"p": lin.weight}, buffer)
    buffer.seek(0)
    p = tn.load(buffer, map_location=lambda storage, location: storage.double())["p"]
    assert p.dtype == tn.float64 and p.requires_grad and p.is_leaf and p.grad_fn is None
    (p * 2).sum().backward()
    assert p.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    tn.optim.SGD([p], lr=0.1).step()  # (an optimizer takes leaves only)


@pytest.mark.parametrize("where, error, message", [
    ("cuda:0", RuntimeError, r"tn.load: map_location must be the CPU \(tinynet runs on the CPU "
                             r"only\), got 'cuda:0'"),
    (tn.device("cuda"), RuntimeError, r"map_location must be the CPU .*, got device\(type='cuda'"),
    ("gpu", RuntimeError, "map_location must be the CPU .*, got 'gpu'"),
    ({"cpu": "cuda:1"}, RuntimeError, r"map_location\['cpu'\] must be the CPU .*'cuda:1'"),
    (3, TypeError, "tn.load: map_location must be None, 'cpu', a tn.device, a dict or a "
                   "function, got 3"),
    (lambda storage, location: storage.cuda(), RuntimeError, "cuda"),
    (lambda storage, location: storage.array, TypeError,
     "tn.load: map_location must return a tensor or None, got ndarray"),
])
def test_map_location_elsewhere_is_refused(tmp_path, where, error, message):
    tn.save({"w": tn.ones(2)}, tmp_path / "m.npz")
    with pytest.raises(error, match=message):
        tn.load(tmp_path / "m.npz", map_location=where)


def test_the_pytorch_idioms_run_with_either_library():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (tn, torch):
        buffer = io.BytesIO()
        lib.save({"w": lib.tensor([1.5, -2.0]), "epoch": 7}, buffer)
        for where in (lib.device("cpu"), "cpu", lambda storage, loc: storage):
            buffer.seek(0)
            loaded = lib.load(buffer, map_location=where)
            results.append((loaded["w"].tolist(), loaded["epoch"]))
    assert results == [([1.5, -2.0], 7)] * 6


def test_saves_one_after_another_in_one_stream_load_in_order():
    """As torch.load: each load reads the archive at the stream's position and leaves it
    at the next one (the first version read the last archive of the stream)."""
    stream = io.BytesIO()
    tn.save({"epoch": 1, "w": tn.ones(3)}, stream)
    first_end = stream.tell()
    # array bytes holding the zip's end-of-directory signature must not cut it short
    signature = np.frombuffer(b"PK\x05\x06" * 64, dtype=np.uint8).copy()
    tn.save({"epoch": 2, "x": tn.from_numpy(signature)}, stream)
    stream.seek(0)
    first = tn.load(stream)
    assert first["epoch"] == 1 and stream.tell() == first_end
    second = tn.load(stream)
    assert second["epoch"] == 2 and second["x"].numpy().tobytes() == signature.tobytes()
    assert stream.tell() == len(stream.getvalue())


def test_leaves_that_require_grad_and_shared_tensors_come_back_so(tmp_path):
    """A model written from scratch saved as a list of its parameters resumes training:
    they load requiring grad, as in PyTorch; one tensor saved twice loads as one."""
    W, b = tn.nn.Parameter(tn.randn(3, 2)), tn.zeros(2, requires_grad=True)
    x = tn.ones(2)
    path = tmp_path / "params.npz"
    tn.save({"params": [W, b], "again": W, "x": x, "y": x, "made": W * 2,
             "state": tn.nn.Linear(2, 2).state_dict()}, path)
    loaded = tn.load(path)
    W2, b2 = loaded["params"]
    assert W2.requires_grad and b2.requires_grad and W2.is_leaf
    assert loaded["again"] is W2 and loaded["x"] is loaded["y"]
    assert not loaded["x"].requires_grad
    assert loaded["made"].requires_grad and loaded["made"].is_leaf  # as PyTorch's
    assert not any(t.requires_grad for t in loaded["state"].values())  # detached, as saved
    (tn.ones(3) @ W2 + b2).sum().backward()
    assert W2.grad.shape == (3, 2) and b2.grad.tolist() == [1.0, 1.0]
    assert tn.load(path, map_location="cpu")["params"][0].requires_grad


def test_a_file_marking_an_integer_array_as_requiring_grad_is_corrupt(tmp_path):
    import json

    path = tmp_path / "bad.npz"
    manifest = {"format": 1, "root": {"__grad_leaf__": "a0"}}
    np.savez(path, a0=np.arange(3), __tinynet__=np.frombuffer(
        json.dumps(manifest).encode(), dtype=np.uint8))
    with pytest.raises(ValueError, match="is corrupt: a tensor that requires grad must be "
                                         "floating-point, got dtype int64"):
        tn.load(path)


def test_a_pytorch_file_is_refused_by_name(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, str(path))
    with pytest.raises(ValueError, match=r"refusing to load .*model\.pt': it is a PyTorch file "
                                         r"\(torch.save\), whose pickle tinynet does not run"):
        tn.load(str(path))


def test_a_file_of_several_saves_loads_its_first_by_path_as_by_stream(tmp_path):
    path = tmp_path / "two.bin"
    with open(path, "wb") as f:
        tn.save({"first": tn.ones(2)}, f)
        tn.save({"second": 2}, f)
    assert list(tn.load(path)) == ["first"]  # (zipfile alone reads the last archive)
    with open(path, "rb") as f:
        assert list(tn.load(f)) == ["first"] and tn.load(f) == {"second": 2}


def test_a_zip64_save_followed_by_another_loads_as_itself(monkeypatch):
    import zipfile
    # zip64 end records, as for more than 65,535 arrays, here from three
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    stream = io.BytesIO()
    tn.save([tn.tensor(1.0), tn.tensor(2.0), tn.tensor(3.0)], stream)
    assert b"PK\x06\x06" in stream.getvalue()
    tn.save({"second": tn.ones(2)}, stream)
    stream.seek(0)
    assert [t.item() for t in tn.load(stream)] == [1.0, 2.0, 3.0]
    assert list(tn.load(stream)) == ["second"]


def test_a_dict_whose_keys_look_like_the_files_own_entries_round_trips():
    stream = io.BytesIO()
    state = {"__array__": "a0", "__grad_leaf__": "a1", "__dict__": {"__tuple__": "x"},
             "w": tn.ones(2), 3: {"__array__": tn.zeros(1)}}
    tn.save(state, stream)
    stream.seek(0)
    loaded = tn.load(stream)
    assert loaded["__array__"] == "a0" and loaded["__grad_leaf__"] == "a1"
    assert loaded["__dict__"] == {"__tuple__": "x"} and loaded["w"].tolist() == [1.0, 1.0]
    assert loaded[3]["__array__"].tolist() == [0.0]


def test_a_masked_array_is_refused_and_a_misfit_map_location_named():
    with pytest.raises(TypeError, match="tn.save: a numpy masked array would lose its mask"):
        tn.save({"m": np.ma.masked_array([1.0, 2.0], mask=[0, 1])}, io.BytesIO())
    stream = io.BytesIO()
    tn.save({"w": tn.nn.Parameter(tn.ones(2))}, stream)
    stream.seek(0)
    with pytest.raises(ValueError, match="tn.load: map_location returned a tensor that does "
                                         "not fit: a tensor that requires grad must be "
                                         "floating-point"):
        tn.load(stream, map_location=lambda t, where: t.long())
