"""Embedding lookup: rows of a weight matrix picked by integer indices, one node."""
import numpy as np

from tinynet.autograd.function import Function


class Embedding(Function):
    """y = W[i]: for each index, its row of W.

    Shapes: W (V, D), i integers of any shape (*), y (*, D).
    dL/dW scatters g back to the rows it came from: row v of dL/dW is the sum of g over
    every position whose index is v (a repeated index adds up; an unused row is 0). The
    row ``padding_idx`` (if not None) gets no gradient. The indices get none.
    """

    @staticmethod
    def forward(ctx, W, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.shape, ctx.padding_idx = W.shape, padding_idx
        return W[indices]

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        gW = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(gW, indices.reshape(-1), grad.reshape(-1, ctx.shape[1]))
        if ctx.padding_idx is not None:
            gW[ctx.padding_idx] = 0
        return gW, None, None
