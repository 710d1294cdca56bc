"""``save`` and ``load``: state dicts as ``.npz`` files, written atomically, never pickled.

A file holds one array per tensor (``a0``, ``a1``, ...) plus ``__tinynet__``: a JSON
description of the nested structure (dicts, lists, tuples, numbers, strings, None)
whose leaves point at those arrays: one array per object, however often it appears (so a
tensor held twice loads as one tensor held twice), and a leaf tensor that requires grad
(a ``Parameter``) loads as a tensor that requires grad. Loading reads that JSON and the arrays with
``allow_pickle=False``, so no code in a file ever runs.
"""
import functools
import io
import json
import math
import mmap
import os
import struct
import zipfile

import numpy as np

from tinynet.checks import check_int
from tinynet.devices import device
from tinynet.files import atomic_write
from tinynet.size import Size
from tinynet.tensor import Tensor

_MANIFEST = "__tinynet__"
_MANIFEST_MAX = 1 << 26  # 64 MB of structure: far more than any state dict's
_FORMAT_VERSION = 1
DEFAULT_MAX_BYTES = 1 << 30  # the array data tn.load reads unless told otherwise: 1 GiB
_ZIP_MAGIC = b"PK\x03\x04"  # an .npz is a zip archive
_END_OF_DIRECTORY = b"PK\x05\x06"  # the signature of a zip archive's last record


def _encode(obj, arrays: dict, keys: dict = None):
    """Turn ``obj`` into JSON-able data, moving arrays into ``arrays`` (a tensor or array
    seen before, by identity in ``keys``, points at the same one)."""
    keys = {} if keys is None else keys
    if isinstance(obj, np.ma.MaskedArray):  # (an ndarray: its mask would be dropped)
        raise TypeError("tn.save: a numpy masked array would lose its mask; save its .data "
                        "and its .mask as two arrays")
    if isinstance(obj, (Tensor, np.ndarray)):
        # a tensor that requires grad loads as a leaf that requires grad, as in PyTorch
        # (one an op made too: its graph is not saved)
        kind = "__grad_leaf__" if isinstance(obj, Tensor) and obj.requires_grad else \
            "__array__"
        if id(obj) not in keys:
            array = obj.array if isinstance(obj, Tensor) else obj
            if array.dtype.kind not in "biuf":
                raise TypeError(f"tn.save: arrays must hold numbers or booleans, got dtype "
                                f"{array.dtype}")
            keys[id(obj)] = key = f"a{len(arrays)}"
            arrays[key] = array
        return {kind: keys[id(obj)]}
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": {k: _encode(v, arrays, keys) for k, v in obj.items()}}
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"tn.save: dict keys must be str or int, got {k!r}")
        return {"__items__": [[k, _encode(v, arrays, keys)] for k, v in obj.items()]}
    if isinstance(obj, Size):  # (a tuple: checked first)
        return {"__size__": list(obj)}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays, keys) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays, keys) for v in obj]
    # a model or an optimizer, as PyTorch pickles them whole (nn sits above this layer)
    whole = (f" (a tinynet file holds no pickled objects: save its state_dict(), and load "
             f"that into a {type(obj).__name__} built the same way)"
             if callable(getattr(obj, "state_dict", None)) else "")
    raise TypeError(f"tn.save: obj must hold tensors, arrays, numbers, strings, None and "
                    f"dicts, lists and tuples of them, got {type(obj).__name__}{whole}")


def _decode(data, tensors: dict):
    """The structure the manifest entry ``data`` describes, its arrays taken from
    ``tensors`` (a dict from array names to tensors)."""
    if isinstance(data, list):
        return [_decode(v, tensors) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise _Corrupt(f"an entry must have one key, got {sorted(data)[:5]}")
    (kind, value), = data.items()
    if kind == "__array__":
        return tensors[value]
    if kind == "__grad_leaf__":
        t = tensors[value]
        if t.dtype.kind != "f":
            raise _Corrupt(f"a tensor that requires grad must be floating-point, got dtype "
                           f"{t.dtype}")
        return t.requires_grad_(True)
    if kind == "__dict__" and isinstance(value, dict):
        return {k: _decode(v, tensors) for k, v in value.items()}
    if kind == "__items__" and isinstance(value, list):
        pairs = [(k, _decode(v, tensors)) for k, v in value]
        if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k, _ in pairs):
            raise _Corrupt("dict keys must be str or int")
        return dict(pairs)
    if kind == "__tuple__" and isinstance(value, list):
        return tuple(_decode(v, tensors) for v in value)
    if kind == "__size__" and isinstance(value, list):
        if not all(type(n) is int and n >= 0 for n in value):
            raise _Corrupt(f"a Size must hold sizes (integers >= 0), got {value[:5]}")
        return Size(value)
    raise _Corrupt(f"unknown entry {kind!r}")


def _array_keys(data, keys: set) -> set:
    """The array names the manifest refers to (iteratively: nesting depth is the file's)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and len(item) == 1:  # an entry, read as _decode reads it
            (kind, value), = item.items()
            if kind in ("__array__", "__grad_leaf__") and isinstance(value, str):
                keys.add(value)
            elif kind == "__dict__" and isinstance(value, dict):
                stack.extend(value.values())  # (the keys are the user's: any strings)
            elif kind == "__items__" and isinstance(value, list):
                stack.extend(pair[1] for pair in value if isinstance(pair, list) and
                             len(pair) == 2)
            elif kind == "__tuple__":
                stack.append(value)
    return keys


def save(obj, f) -> None:
    """Write ``obj`` (a state dict: nested dicts of tensors, arrays and numbers, such as
    ``model.state_dict()`` or ``optimizer.state_dict()``) to ``f``: a path, or a file
    object opened for writing bytes (``io.BytesIO``, ``open(path, "wb")``).

    A path's file is written next to its destination under a temporary name, flushed to
    disk, then renamed over ``f``: a crash mid-save leaves any previous file intact. A
    file object gets the whole archive in one write where it stands (appended, when it
    was opened with "ab"), and is left open.

    Example:
        >>> import os, tempfile, tinynet as tn
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> tn.save({"w": tn.ones(2), "epoch": 3}, path)
        >>> tn.load(path)["epoch"]
        3
    """
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("tn.save: f must be a path or a file object opened for writing "
                            "bytes ('wb'), got a text stream")
    elif not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(f"tn.save: f must be a path or a file object opened for writing "
                        f"bytes, got {type(f).__name__}")
    arrays = {}
    manifest = {"format": _FORMAT_VERSION, "root": _encode(obj, arrays)}
    arrays[_MANIFEST] = np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        # the whole archive first, then one write: zipfile seeks back to finish its
        # headers, which a file opened to append ("ab") or a pipe would not follow
        archive = io.BytesIO()
        np.savez(archive, **arrays)
        try:
            f.write(archive.getvalue())
        except io.UnsupportedOperation as error:
            raise TypeError(f"tn.save: f must be a path or a file object opened for writing "
                            f"bytes, got one that cannot be written ({error})") from None
        return
    with atomic_write(os.fsdecode(f), "wb", where="tn.save") as handle:
        np.savez(handle, **arrays)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         max_bytes: int = DEFAULT_MAX_BYTES):
    """Read what ``save`` wrote; arrays come back as tensors.

    Only plain numeric and boolean arrays are read, only the ones the file's manifest
    names, and only up to ``max_bytes`` of array data in all, checked from the arrays'
    headers before any is inflated (a small compressed file cannot become a huge array).

    Args:
        f: the path, or a file object opened for reading bytes (``io.BytesIO``,
            ``open(path, "rb")``), read from where it stands.
        max_bytes: the most array data to read (default 1 GiB); raise it for larger
            models.
        pickle_module, weights_only: accepted for PyTorch code: a tinynet file never
            holds code, whatever they say.
        mmap: accepted for PyTorch code, whatever it holds; the arrays are read into
            memory either way (a compressed archive cannot be mapped), with the same
            values.
        map_location: where to put the tensors, as in PyTorch: None, "cpu" or
            ``tn.device("cpu")`` (tinynet's tensors are all on the CPU), a dict from
            saved locations to new ones ("cpu" may only map to the CPU), or a function
            ``f(tensor, "cpu")`` returning the tensor to use (or None to keep it).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is truncated, corrupt, not written by ``tn.save``, holds
            pickled objects (refused: loading them could run arbitrary code), arrays of
            another dtype (complex, strings, dates, records), members the manifest does
            not name, or more than ``max_bytes`` of data.
    """
    max_bytes = check_int("tn.load", "max_bytes", max_bytes, 0)
    place = _placement(map_location)
    shown, source, magic = _open(f)
    # NOTE: np.load would take anything that is not a zip or .npy file for a pickle
    if magic != _ZIP_MAGIC:
        if magic[:1] == b"\x80":  # the first opcode of every pickle since protocol 2
            raise ValueError(f"tn.load: refusing to load {shown}: it is a pickle, which could "
                             f"run code when loaded; tinynet files hold plain arrays only")
        raise ValueError(f"tn.load: {shown} is not a tinynet file, or is truncated or corrupt: "
                         f"it does not start like an .npz archive (first bytes {magic!r})")
    try:
        manifest, arrays = _read_archive(source, max_bytes)
        tensors = {key: Tensor._wrap(array, False, None) for key, array in arrays.items()}
        loaded = _decode(manifest["root"], tensors)
    except _Refused as refusal:
        raise ValueError(f"tn.load: refusing to load {shown}: {refusal}") from None
    except _Foreign as foreign:
        raise ValueError(f"tn.load: {shown} {foreign}") from None
    except (_Corrupt, ValueError) as error:
        if "allow_pickle" in str(error) or "Object arrays" in str(error):
            raise ValueError(f"tn.load: refusing to load {shown}: it holds pickled Python "
                             f"objects, which could run code; tinynet files hold plain "
                             f"arrays only") from None
        raise ValueError(f"tn.load: {shown} is corrupt: {error}") from None
    except Exception as error:  # noqa: BLE001  (zipfile, zlib, json and numpy raise a dozen
        # kinds on damaged bytes: BadZipFile, EOFError, RecursionError, MemoryError, a
        # RuntimeError for "encrypted" members...; to the caller they all mean one thing)
        raise ValueError(f"tn.load: {shown} is truncated or corrupt ({type(error).__name__}: "
                         f"{error})") from None
    if place is None:
        return loaded
    # the manifest is sound (decoded above): decode it again with the placed tensors,
    # placed from fresh ones (the first decode marked some as requiring grad, and a
    # function of those would give tensors that are no leaves)
    try:
        return _decode(manifest["root"], {key: place(Tensor._wrap(array, False, None))
                                          for key, array in arrays.items()})
    except _Corrupt as error:  # (what map_location returned does not fit where it goes)
        raise ValueError(f"tn.load: map_location returned a tensor that does not fit: "
                         f"{error}") from None


def _open(f) -> tuple:
    """(how messages name it, what ``zipfile`` reads, the first bytes) of a path or of a
    file object, which is read from its position (whole, when it cannot seek)."""
    if not hasattr(f, "read"):
        if not isinstance(f, (str, bytes, os.PathLike)):
            raise TypeError(f"tn.load: f must be a path or a file object opened for reading "
                            f"bytes, got {type(f).__name__}")
        path = os.fsdecode(f)
        with open(path, "rb") as handle:
            magic = handle.read(len(_ZIP_MAGIC))
            size = os.fstat(handle.fileno()).st_size
            if magic != _ZIP_MAGIC or size == 0:
                return repr(path), path, magic
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                first = _first_archive_size(mapped)  # (several saves: the first one)
                if first == size:  # the usual file: zipfile reads from it as needed
                    return repr(path), path, magic
                return repr(path), io.BytesIO(mapped[:first]), magic
    name = getattr(f, "name", None)
    shown = repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"
    seekable = f.seekable()
    start = f.tell() if seekable else None
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("tn.load: f must be a path or a file object opened for reading "
                        "bytes ('rb'), got a text stream")
    data = bytes(data)
    size = _first_archive_size(data)  # (several saves one after another: the first one)
    if seekable:
        f.seek(start + size)  # the next load reads the next archive, as torch.load
    return shown, io.BytesIO(data[:size]), data[:len(_ZIP_MAGIC)]


def _first_archive_size(data: bytes) -> int:
    """The length of the zip archive ``data`` starts with: up to the end of the first
    end-of-central-directory record whose central directory ends right before it, or,
    in a zip64 archive (over 65,535 members or 4 GiB), before the zip64 records that
    precede it (a chance match of the signature inside array data fails that test);
    all of ``data`` when none does (not a zip at all: the caller then says so)."""
    at = 0
    while True:
        at = data.find(_END_OF_DIRECTORY, at)
        if at < 0 or at + 22 > len(data):
            return len(data)
        directory_size, directory_offset, comment = struct.unpack("<IIH", data[at + 12:at + 22])
        if directory_offset + directory_size == at or _zip64_record_at(data, at) >= 0:
            return at + 22 + comment
        at += 1


def _zip64_record_at(data: bytes, end: int) -> int:
    """Where the zip64 end-of-central-directory record before the end record at ``end``
    starts, when its central directory ends right there (the directory's size and
    offset then come from the zip64 record); -1 when there is none."""
    locator = end - 20
    if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
        return -1
    (record,) = struct.unpack("<Q", data[locator + 8:locator + 16])
    if data[record:record + 4] != b"PK\x06\x06" or record + 56 > locator:
        return -1
    size, offset = struct.unpack("<QQ", data[record + 40:record + 56])
    return record if offset + size == record else -1


def _placement(map_location):
    """What ``load`` does to each tensor for ``map_location``: nothing (None), or a
    function of the tensor. Everything a tinynet file holds was saved from the CPU."""
    if map_location is None:
        return None
    if isinstance(map_location, dict):
        if "cpu" in map_location:
            _check_cpu("map_location['cpu']", map_location["cpu"])
        return None
    if isinstance(map_location, (str, device)):
        _check_cpu("map_location", map_location)
        return None
    if callable(map_location):
        return functools.partial(_mapped, map_location)
    raise TypeError(f"tn.load: map_location must be None, 'cpu', a tn.device, a dict or a "
                    f"function, got {map_location!r}")


def _check_cpu(name: str, where) -> None:
    """``where`` (a string or a device) must name the CPU."""
    try:
        on_cpu = device(where).type == "cpu"
    except (RuntimeError, TypeError):  # not a device at all
        on_cpu = False
    if not on_cpu:
        raise RuntimeError(f"tn.load: {name} must be the CPU (tinynet runs on the CPU only), "
                           f"got {where!r}")


def _mapped(map_location, t: Tensor) -> Tensor:
    """``map_location(t, "cpu")``, as PyTorch calls it with each storage; None keeps ``t``."""
    placed = map_location(t, "cpu")
    if placed is None:
        return t
    if not isinstance(placed, Tensor):
        raise TypeError(f"tn.load: map_location must return a tensor or None, got "
                        f"{type(placed).__name__}")
    return placed.detach()  # (a leaf, whatever the function did: loaded tensors are)


class _Refused(Exception):
    """A well-formed file that holds something tinynet does not read."""


class _Foreign(Exception):
    """A well-formed archive that is not a tinynet file of this version."""


class _Corrupt(Exception):
    """A tinynet archive whose manifest or array headers make no sense; ``load`` names
    the file."""


def _read_archive(source, max_bytes: int) -> tuple:
    """(manifest, {name: array}) of a tinynet .npz (a path or a binary file object), each
    array checked before it is read."""
    with zipfile.ZipFile(source) as archive:
        members = {}
        for name in archive.namelist():
            if not name.endswith(".npy"):
                if name.endswith("data.pkl"):  # torch.save's archive: a pickle inside
                    raise _Refused("it is a PyTorch file (torch.save), whose pickle tinynet "
                                   "does not run; load it with PyTorch, take each tensor's "
                                   ".numpy() (numpy.savez and numpy.load carry them across) "
                                   "and pass it to tinynet.tensor")
                raise _Refused(f"it holds {name!r}, which is not an array (.npy) member")
            members[name[:-4]] = name
        if _MANIFEST not in members:
            raise _Foreign(f"was not written by tinynet.save (no {_MANIFEST} entry); a "
                           f"PyTorch checkpoint cannot be read")
        manifest = _read_manifest(archive, members[_MANIFEST], max_bytes)
        wanted = _array_keys(manifest.get("root"), set())
        extra = sorted(set(members) - wanted - {_MANIFEST})
        if extra:
            raise _Refused(f"it holds members its manifest does not name: {extra[:5]}")
        missing = sorted(wanted - set(members))
        if missing:
            raise _Corrupt(f"its {_MANIFEST} entry names arrays it does not hold: "
                           f"{missing[:5]}")
        headers, total = {}, 0
        for key in sorted(wanted):
            with archive.open(members[key]) as stream:
                shape, dtype = _header(stream)
            if dtype.hasobject:
                raise _Refused(f"it holds pickled Python objects (array {key!r}), which could "
                               f"run code; tinynet files hold plain arrays only")
            if dtype.kind not in "biuf" or dtype.fields is not None:
                raise _Refused(f"array {key!r} has dtype {dtype}; tinynet reads only numeric "
                               f"and boolean arrays")
            total += math.prod(shape) * dtype.itemsize
            if total > max_bytes:
                raise _Refused(f"its arrays hold more than max_bytes={max_bytes} bytes (pass "
                               f"a larger max_bytes to load it)")
            headers[key] = shape
        arrays = {}
        for key, shape in headers.items():
            with archive.open(members[key]) as stream:
                arrays[key] = np.lib.format.read_array(stream, allow_pickle=False)
    return manifest, arrays


def _header(stream) -> tuple:
    """(shape, dtype) from an .npy member's header, without reading its data."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise _Corrupt(f"unknown .npy format version {version}")
    return shape, dtype


def _read_manifest(archive, member: str, max_bytes: int) -> dict:
    with archive.open(member) as stream:
        shape, dtype = _header(stream)
        if dtype != np.uint8 or len(shape) != 1:
            raise _Corrupt(f"its {_MANIFEST} entry is not text (dtype {dtype})")
        if shape[0] > max(max_bytes, _MANIFEST_MAX):
            raise _Refused(f"its {_MANIFEST} entry is larger than max_bytes={max_bytes}")
        text = stream.read(shape[0]).decode("utf-8")
    manifest = json.loads(text)
    version = manifest.get("format") if isinstance(manifest, dict) else None
    if version != _FORMAT_VERSION:
        raise _Foreign(f"has format version {version!r}; this tinynet reads version "
                       f"{_FORMAT_VERSION}")
    return manifest
