"""Where a view's elements lie in the array it views: what an in-place change through a
view inside the graph needs to reach its base.

PyTorch's views share their base's storage, so ``h[0].mul_(2)`` changes ``h`` too. Inside
the graph tinynet changes nothing in place: it records the out-of-place op and rebinds the
tensor to its result (tensor_inplace.py). For a view that would leave its base as it was,
so the base is rebound as well, to ``SetItem(base, view, positions)``: the base with the
view's new values written where the view's elements lie. ``positions`` finds those
places from the two arrays' memory layouts, whatever op made the view (an index, a
transpose, a reshape, a diagonal...).
"""
import numpy as np


def view_of(t) -> tuple:
    """(the tensor ``t`` views, the positions of ``t``'s elements in it), or (None, None)
    when ``t`` is no view or what it views is gone. ``_view_base`` holds weak references
    to the tensors ``t`` views, nearest first (``t = h.t()[0]`` views ``h.t()``, then
    ``h``), with, once ``t`` was changed through, the one it reached, the positions and
    that tensor's shape then."""
    view = getattr(t, "_view_base", None)
    if view is None:
        return None, None
    chain, found = view
    if found is not None:  # valid while that tensor lives and keeps its shape
        base = found[0]()
        return (base, found[1]) if base is not None and base.shape == found[2] \
            else (None, None)
    for reference in chain:  # the nearest still alive (a temporary between is not)
        base = reference()
        if base is not None:
            where = positions(base.array, t.array)
            return (base, where) if where is not None else (None, None)
    return None, None


def positions(base: np.ndarray, view: np.ndarray):
    """The index of each element of ``view`` in ``base``: a tuple of integer arrays of
    ``view``'s shape, one per axis of ``base`` (``base[index]`` reads ``view``'s
    elements); None when ``view``'s elements are not each exactly one of ``base``'s (other
    memory, another dtype). Raises when two of ``view``'s elements are the same element
    of ``base`` (an ``expand``), as PyTorch refuses to write through such a view."""
    if view.dtype != base.dtype or not np.may_share_memory(base, view):
        return None
    wanted = _addresses(view).ravel()
    if base.flags.c_contiguous:  # the address gives the flat index directly
        start = base.__array_interface__["data"][0]
        flat, rest = np.divmod(wanted - start, base.itemsize)
        if rest.any() or flat.min(initial=0) < 0 or flat.max(initial=0) >= base.size:
            return None
    else:  # look each address up among the base's own
        addresses = _addresses(base).ravel()
        order = np.argsort(addresses, kind="stable")
        found = np.minimum(np.searchsorted(addresses[order], wanted), base.size - 1)
        if base.size == 0 or (addresses[order][found] != wanted).any():
            return None
        flat = order[found]
    if np.unique(flat).size != flat.size:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location (an expanded view); clone() it before the "
            "in-place operation, as in PyTorch")
    return np.unravel_index(flat.reshape(view.shape), base.shape)


def _addresses(a: np.ndarray) -> np.ndarray:
    """The memory address of each element of ``a``, in an int64 array of its shape."""
    addresses = np.array(a.__array_interface__["data"][0], dtype=np.int64)
    for size, stride in zip(a.shape, a.strides):
        addresses = addresses[..., None] + np.arange(size, dtype=np.int64) * stride
    return addresses
