"""Module-level forms of tensor methods, as in PyTorch: ``tn.exp(x)`` is ``x.exp()``."""
# ruff: noqa: A001, A002  (PyTorch's names shadow builtins here on purpose)
import numpy as np

from tinynet.tensor import Tensor


def exp(x):
    return x.exp()


def log(x):
    return x.log()


def sqrt(x):
    return x.sqrt()


def abs(x):
    return x.abs()


def tanh(x):
    return x.tanh()


def sigmoid(x):
    return x.sigmoid()


def relu(x):
    return x.relu()


def clamp(x, min=None, max=None):
    return x.clamp(min, max)


def matmul(x, y):
    return x @ y


def softmax(x, dim):
    return x.softmax(dim)


def log_softmax(x, dim):
    return x.log_softmax(dim)


def sum(x, dim=None, keepdim=False):
    return x.sum(dim, keepdim)


def mean(x, dim=None, keepdim=False):
    return x.mean(dim, keepdim)


def max(x, dim=None, keepdim=False):
    return x.max(dim, keepdim)


def argmax(x, dim=None, keepdim=False):
    return x.argmax(dim, keepdim)


def reshape(x, shape):
    return x.reshape(shape)


def flatten(x, start_dim=0, end_dim=-1):
    return x.flatten(start_dim, end_dim)


def transpose(x, dim0, dim1):
    return x.transpose(dim0, dim1)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def allclose(x, y, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol))
