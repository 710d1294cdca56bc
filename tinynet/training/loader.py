"""A ``DataLoader`` as ``fit``'s data: its batches, as arrays, checked like X and y.

``fit(model, loader)`` trains on the loader's batches, in the loader's order (its
``batch_size``, ``shuffle``, ``generator``, ``drop_last``, ``collate_fn``, ``sampler``
or ``batch_sampler``). Before
training it reads the loader's dataset once, in order, to check every sample as it
checks arrays and to record the input statistics and the data fingerprint; so the
dataset must fit in memory, as the arrays ``fit`` takes do.
"""
import numpy as np

from tinynet.tensor import as_array
from tinynet.training.inputs import check_inputs, check_targets
from tinynet.utils.data import BatchSampler, DataLoader


def is_loader(data) -> bool:
    return isinstance(data, DataLoader)


def split_batch(where: str, batch) -> tuple:
    """The (inputs, targets) of one batch a loader yields."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        kind = type(batch).__name__ + (f" of {len(batch)}" if isinstance(batch, (tuple, list))
                                       else "")
        raise ValueError(f"{where}: each batch must be a pair (inputs, targets), got a {kind}")
    return batch[0], batch[1]


def read_in_order(where: str, loader: DataLoader, loss_name: str, dtype) -> tuple:
    """(X, y): the loader's whole dataset in order, through its ``collate_fn``, checked
    as ``fit`` checks arrays."""
    if not loader._batching and isinstance(loader.sampler, BatchSampler):
        raise ValueError(f"{where}: a DataLoader with batch_size=None whose sampler is a "
                         f"BatchSampler is not supported, got sampler="
                         f"{type(loader.sampler).__name__}; pass it as batch_sampler= (each "
                         f"of the dataset's items must be a batch when batch_size is None)")
    # batch_size None: each of the dataset's items is a batch already
    size = max(loader.batch_size or 1, 256) if loader._batching else None
    ordered = DataLoader(loader.dataset, batch_size=size, collate_fn=loader.collate_fn)
    inputs, targets = [], []
    for batch in ordered:
        x, y = split_batch(where, batch)
        inputs.append(as_array(x))
        targets.append(as_array(y))
    if not inputs:
        raise ValueError(f"{where}: the DataLoader's dataset must hold at least one sample, "
                         f"got an empty one")
    inside = f"{where} (the DataLoader's dataset, in order)"
    X = check_inputs(inside, np.concatenate(inputs), dtype)
    return X, check_targets(inside, np.concatenate(targets), len(X), loss_name, dtype)


def loader_batches(where: str, loader: DataLoader, loss_name: str, dtype):
    """Yield the loader's batches as (inputs, targets) arrays ready for ``train_epoch``."""
    for step, batch in enumerate(loader, start=1):
        x, y = split_batch(where, batch)
        inside = f"{where}: batch {step} of the DataLoader"
        X = check_inputs(inside, x, dtype)
        yield X, check_targets(inside, y, len(X), loss_name, dtype)
