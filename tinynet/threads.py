"""``set_num_threads`` / ``get_num_threads``, as in PyTorch: how many threads the matrix
products use.

tinynet computes on numpy in the calling Python thread; its only multithreaded work is
the matrix products, which numpy hands to its BLAS library (OpenBLAS, MKL...). So these
set and read the BLAS thread count, through threadpoolctl (installed with
scikit-learn). The setting is process-wide and covers every BLAS library loaded
(numpy's and scipy's), as ``threadpoolctl.threadpool_limits`` does; with one thread per
process, several processes (joblib, dask) share a machine without oversubscribing it.
"""
import operator


def set_num_threads(num_threads: int) -> None:
    """Use ``num_threads`` (≥ 1) threads for matrix products from now on.

    Example:
        >>> import tinynet as tn
        >>> before = tn.get_num_threads()
        >>> tn.set_num_threads(1); tn.get_num_threads()
        1
        >>> tn.set_num_threads(before)
    """
    # RuntimeError, as PyTorch raises; any integer type (np.int64 too), but not a bool
    try:
        count = operator.index(num_threads) if not isinstance(num_threads, bool) else None
    except TypeError:
        count = None
    if count is None:
        raise RuntimeError(f"set_num_threads: num_threads must be an int, got "
                           f"{num_threads!r}")
    if count < 1:
        raise RuntimeError(f"set_num_threads: num_threads must be a positive integer, got "
                           f"{count}")
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=count, user_api="blas")  # kept: not used as a context


def get_num_threads() -> int:
    """The number of threads numpy's BLAS uses for matrix products (1 if numpy has no
    BLAS that threadpoolctl can see)."""
    from threadpoolctl import threadpool_info

    blas = [info for info in threadpool_info() if info.get("user_api") == "blas"]
    numpy_blas = [info for info in blas if "numpy" in info.get("filepath", "")] or blas
    return max((info["num_threads"] for info in numpy_blas), default=1)
