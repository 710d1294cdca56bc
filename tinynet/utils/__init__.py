"""Utilities with PyTorch's names: ``tinynet.utils.data`` (datasets and loaders)."""
from tinynet.utils import data

__all__ = ["data"]
