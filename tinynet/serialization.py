"""``save`` and ``load``: state dicts as ``.npz`` files, written atomically, never pickled.

A file holds one array per tensor (``a0``, ``a1``, ...) plus ``__tinynet__``: a JSON
description of the nested structure (dicts, lists, tuples, numbers, strings, None)
whose leaves point at those arrays. Loading reads that JSON and the arrays with
``allow_pickle=False``, so no code in a file ever runs.
"""
import json
import os
import zipfile

import numpy as np

from tinynet.files import atomic_write
from tinynet.tensor import Tensor

_MANIFEST = "__tinynet__"
_FORMAT_VERSION = 1
_ZIP_MAGIC = b"PK\x03\x04"  # an .npz is a zip archive


def _encode(obj, arrays: dict):
    """Turn ``obj`` into JSON-able data, moving arrays into ``arrays``."""
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"tn.save: cannot store an array of dtype {obj.dtype}")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": {k: _encode(v, arrays) for k, v in obj.items()}}
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"tn.save: dict keys must be str or int, got {k!r}")
        return {"__items__": [[k, _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    raise TypeError(f"tn.save stores tensors, arrays, numbers, strings, None and dicts, lists "
                    f"and tuples of them; got {type(obj).__name__}")


def _decode(data, arrays):
    if isinstance(data, list):
        return [_decode(v, arrays) for v in data]
    if not isinstance(data, dict):
        return data
    if "__array__" in data:
        return Tensor._wrap(arrays[data["__array__"]], False, None)
    if "__dict__" in data:
        return {k: _decode(v, arrays) for k, v in data["__dict__"].items()}
    if "__items__" in data:
        return {k: _decode(v, arrays) for k, v in data["__items__"]}
    if "__tuple__" in data:
        return tuple(_decode(v, arrays) for v in data["__tuple__"])
    raise ValueError(f"unknown entry {sorted(data)}")


def save(obj, f) -> None:
    """Write ``obj`` (a state dict: nested dicts of tensors, arrays and numbers, such as
    ``model.state_dict()`` or ``optimizer.state_dict()``) to the path ``f``.

    The file is written next to its destination under a temporary name, flushed to
    disk, then renamed over ``f``: a crash mid-save leaves any previous file intact.

    Example:
        >>> import os, tempfile, tinynet as tn
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> tn.save({"w": tn.ones(2), "epoch": 3}, path)
        >>> tn.load(path)["epoch"]
        3
    """
    path = os.fspath(f)
    arrays = {}
    manifest = {"format": _FORMAT_VERSION, "root": _encode(obj, arrays)}
    arrays[_MANIFEST] = np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8)
    with atomic_write(path, "wb") as handle:
        np.savez(handle, **arrays)


def load(f):
    """Read what ``save`` wrote; arrays come back as tensors.

    Raises:
        ValueError: the file is truncated, corrupt, not written by ``tn.save``, or holds
            pickled objects (refused: loading them could run arbitrary code).
    """
    path = os.fspath(f)
    with open(path, "rb") as handle:
        magic = handle.read(len(_ZIP_MAGIC))
    # NOTE: np.load would take anything that is not a zip or .npy file for a pickle
    if magic != _ZIP_MAGIC:
        if magic[:1] == b"\x80":  # the first opcode of every pickle since protocol 2
            raise ValueError(f"refusing to load {path}: it is a pickle, which could run code "
                             f"when loaded; tinynet files hold plain arrays only")
        raise ValueError(f"{path} is not a tinynet file, or is truncated or corrupt: it does "
                         f"not start like an .npz archive (first bytes {magic!r})")
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = set(npz.files)
            if _MANIFEST not in names:
                manifest = arrays = None
            else:
                manifest = json.loads(npz[_MANIFEST].tobytes().decode("utf-8"))
                arrays = {name: npz[name] for name in names if name != _MANIFEST}
    except ValueError as error:
        if "allow_pickle" in str(error):  # numpy refused an object array
            raise ValueError(f"refusing to load {path}: it holds pickled Python objects, "
                             f"which could run code; tinynet files hold plain arrays "
                             f"only") from None
        raise ValueError(f"{path} is corrupt or not a tinynet file: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is truncated or corrupt ({type(error).__name__}: {error})"
                         ) from None
    if manifest is None:
        raise ValueError(f"{path} was not written by tinynet.save (no {_MANIFEST} entry); "
                         f"a PyTorch checkpoint cannot be read")
    version = manifest.get("format") if isinstance(manifest, dict) else None
    if version != _FORMAT_VERSION:
        raise ValueError(f"{path} has format version {version!r}; this tinynet reads "
                         f"version {_FORMAT_VERSION}")
    try:
        return _decode(manifest["root"], arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is corrupt: its {_MANIFEST} entry does not match its "
                         f"arrays ({type(error).__name__}: {error})") from None
