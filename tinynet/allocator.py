"""Keep freed memory in the process for the next training step (glibc's malloc only).

A training step allocates and frees the same megabyte-sized arrays every step. By
default glibc hands large freed blocks back to the kernel (it unmaps them, or trims the
top of its heap) and takes them again on the next step, one 4 kB page at a time: each
page is a page fault and a page of zeroes. On the ``wide`` benchmark that was about
4,000 faults per step (16 MB zeroed), 10-20% of the step's time; and whether it
happened at all depended on the order of earlier frees, which glibc's adaptive
thresholds follow, so step times varied from run to run. Two settings stop it:

  * ``M_MMAP_THRESHOLD`` = 32 MB: arrays below 32 MB come from the heap, not from fresh
    mappings (32 MB is the ceiling glibc's own adaptive threshold can reach);
  * ``M_TRIM_THRESHOLD`` = 64 MB: the heap is trimmed only once 64 MB are free at its top,
    so at most that much freed memory stays with the process.

``tn.tune_allocator()`` applies them (an opt-in: ``import tinynet`` changes nothing in
the process); so does setting the environment variable ``TINYNET_MALLOC=keep`` before the
import. They are process-wide: they affect every library in the process, as
``MALLOC_TRIM_THRESHOLD_`` would. If ``MALLOC_MMAP_THRESHOLD_`` or
``MALLOC_TRIM_THRESHOLD_`` is set, tinynet leaves glibc alone. The benchmarks opt in;
docs/performance.md says what it buys.
"""
import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameter numbers, from <malloc.h>
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 64 << 20


def tune_allocator() -> bool:
    """Keep freed memory for the next training step (glibc's malloc; see the module's
    docstring). Returns whether the settings were applied (False when the user tuned
    glibc already, or when the C library is not glibc).

    Example:
        >>> import tinynet as tn
        >>> tn.tune_allocator() in (True, False)   # True on Linux with glibc
        True
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False  # the user tuned glibc already: theirs wins
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return False
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (AttributeError, OSError, ValueError):  # not Linux, or not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    applied = [mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD), mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)]
    return all(applied)


def tune_if_asked() -> bool:
    """``tune_allocator()`` when ``TINYNET_MALLOC=keep`` is set (called by ``import tinynet``)."""
    return os.environ.get("TINYNET_MALLOC", "").lower() == "keep" and tune_allocator()
