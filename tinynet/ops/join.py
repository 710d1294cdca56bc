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
        ctx.dim = dim
        ctx.ends = np.cumsum([x.shape[dim] for x in xs])  # where each input's slice ends
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *np.split(grad, ctx.ends[:-1], axis=ctx.dim))


class Stack(Function):
    """y = (x₁, x₂, ...) stacked along a new ``dim``;  dL/dxᵢ = dL/dy at position i of dim."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *(np.take(grad, i, axis=ctx.dim) for i in range(grad.shape[ctx.dim])))
