"""Datasets and minibatches, as ``torch.utils.data`` (a package of the same modules):
``dataset.py`` (``Dataset``, ``IterableDataset``, ``ChainDataset``, ``TensorDataset``,
``ConcatDataset``, ``Subset``, ``random_split``), ``dataloader.py`` (``DataLoader``,
``default_collate``, ``default_convert``) and ``sampler.py`` (the samplers a
``DataLoader`` may take)."""
from tinynet.utils.data import dataloader, dataset, sampler
from tinynet.utils.data.dataloader import (DataLoader, default_collate, default_convert,
                                           get_worker_info)
from tinynet.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                                        Subset, TensorDataset, random_split)
from tinynet.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                        SubsetRandomSampler, WeightedRandomSampler)

__all__ = [
    "Dataset", "IterableDataset", "ChainDataset", "TensorDataset", "ConcatDataset", "Subset",
    "random_split", "default_collate", "default_convert",
    "DataLoader", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler", "dataloader", "dataset", "sampler",
    "get_worker_info",
]
