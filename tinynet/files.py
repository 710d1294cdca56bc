"""``atomic_write``: every file tinynet writes replaces its destination whole, or not at all."""
import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", **open_kwargs):
    """Open a new file beside ``path`` for writing; when the block ends without error,
    flush it to disk and rename it over ``path``. On any error (an exception, Ctrl-C) the
    temporary file is removed and ``path`` keeps its previous contents, if it had any.

    Args:
        path: the destination (str or os.PathLike).
        mode: "w" (text) or "wb" (binary).
        open_kwargs: passed to ``open`` (encoding, newline...).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
        >>> with atomic_write(path, encoding="utf-8") as f:
        ...     _ = f.write("hello")
        >>> open(path).read()
        'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    # NOTE: not tempfile.mkstemp, whose files are private (0600): "x" creates a new file
    # with the usual permissions, and never opens an existing one
    tmp = os.path.join(directory, f".{name}.{secrets.token_hex(8)}.tmp")
    handle = open(tmp, mode.replace("w", "x"), **open_kwargs)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
