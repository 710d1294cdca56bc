"""Ops that join tensors: ``cat`` along an existing dim, ``stack`` along a new one.

``apply(dim, x₁, x₂, ...)``: the dim comes first, then any number of tensors, so
backward returns ``None`` for the dim and then one gradient per tensor.
"""
import numpy as np

from tinynet.autograd.function import Function


class Cat(Function):
    """y = (x₁, x₂, ...) joined along ``dim``;  dL/dxᵢ = the slice of dL/dy that xᵢ filled."""

    @staticmethod
    def forward(ctx, dim, *xs):
        # a 1-D empty x is left out (so it may join tensors of any rank, as in PyTorch),
        # and its gradient is empty
        ctx.dim, ctx.joined = dim, _joined(xs)
        joined = [x for x, j in zip(xs, ctx.joined) if j]
        ctx.ends = np.cumsum([x.shape[dim] for x in joined])  # where each slice ends
        return np.concatenate(joined, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        slices = iter(np.split(grad, ctx.ends[:-1], axis=ctx.dim))
        return (None, *(next(slices) if j else np.zeros(0, grad.dtype) for j in ctx.joined))


def _joined(xs) -> list:
    """Per input of ``Cat``, whether it is joined: all but 1-D empty ones, or the first
    when all are."""
    joined = [x.shape != (0,) for x in xs]
    return joined if any(joined) else [True] + [False] * (len(xs) - 1)


class Stack(Function):
    """y = (x₁, x₂, ...) stacked along a new ``dim``;  dL/dxᵢ = dL/dy at position i of dim."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *(np.take(grad, i, axis=ctx.dim) for i in range(grad.shape[ctx.dim])))
