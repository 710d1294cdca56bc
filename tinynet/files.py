"""``atomic_write``: every file tinynet writes replaces its destination whole, or not at all."""
import contextlib
import errno
import glob
import os
import secrets
import stat


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", where: str = "atomic_write", **open_kwargs):
    """Open a new file beside ``path`` for writing; when the block ends without error,
    flush it to disk and rename it over ``path``. On any error (an exception, Ctrl-C) the
    temporary file is removed and ``path`` keeps its previous contents, if it had any.

    The destination keeps its permission bits (a private 0600 file stays private), and a
    symbolic link is written through (the file it points to is replaced, the link stays).
    A temporary file left by a writer that was killed (its process is gone) is removed
    by the next write to the same path.

    Args:
        path: the destination (str or os.PathLike), not a directory.
        mode: "w" (text) or "wb" (binary).
        where: the public function writing, named in the error for a directory.
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
    target = os.path.realpath(os.fspath(path))  # through symbolic links
    if os.path.isdir(target) or os.fspath(path).endswith(os.sep):
        raise IsADirectoryError(f"{where}: path must be a file name, got "
                                f"{os.fspath(path)!r}, which is a directory")
    directory, name = os.path.split(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{where}: the directory of {os.fspath(path)!r} does not "
                                f"exist; create it first (os.makedirs)")
    if os.path.exists(target) and not os.access(target, os.W_OK):
        # (renaming over it would work: the folder is writable) as open(path, "w") refuses
        denied = PermissionError(f"{where}: cannot write {os.fspath(path)!r}: the file is "
                                 f"read-only; change its permissions or write another file")
        denied.errno = errno.EACCES
        raise denied
    _remove_orphans(directory, name)
    # NOTE: not tempfile.mkstemp, whose files are private (0600): "x" creates a new file
    # with the usual permissions, and never opens an existing one
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:
        handle = open(tmp, mode.replace("w", "x"), **open_kwargs)
    except OSError as error:  # (a folder that takes no new files: /proc, a read-only mount)
        raise type(error)(error.errno, f"{where}: cannot write {os.fspath(path)!r} in "
                                       f"{directory!r}: {error.strerror}") from None
    try:
        with handle:
            yield handle
            handle.flush()
            if os.path.exists(target):
                os.chmod(handle.fileno(), stat.S_IMODE(os.stat(target).st_mode))
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_orphans(directory: str, name: str) -> None:
    """Delete ``.name.<pid>.<token>.tmp`` files whose writing process no longer exists."""
    for orphan in glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(name)}.*.tmp")):
        # read from the right: "name" may be the start of another file's name with dots
        # (.ckpt.9.<pid>.<token>.tmp is ckpt.9's, not a file of ckpt's process 9)
        stem, pid, _token, _ = os.path.basename(orphan).rsplit(".", 3)
        if stem == f".{name}" and pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(orphan)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another writer in this very process may be mid-write
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep its file
    return True
