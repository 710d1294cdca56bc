"""The fused affine map of ``nn.Linear``: one node instead of matmul + transpose + add."""
from tinynet.autograd.function import Function


class Linear(Function):
    """y = x Wᵀ + b.

    Shapes: x (*, D_in), W (D_out, D_in), b (D_out,) or None, y (*, D_out).
    Gradients (g = dL/dy, leading dims flattened to N):
        dL/dx = g W          (*, D_in)
        dL/dW = gᵀ x         (D_out, D_in)
        dL/db = Σₙ g         (D_out,)

    Only what they read is saved: W when x needs a gradient, x when W does (so changing
    W in place before backward is an error only when dL/dx needs W, as in PyTorch).
    """

    @staticmethod
    def forward(ctx, x, W, b):
        # BEGIN SOLUTION linear
        need_x, need_W, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_W else None, W if need_x else None)
        y = x @ W.T  # W.T is a view: BLAS reads it transposed, no copy
        if b is not None:
            y += b
        return y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION linear
        x, W = ctx.saved_tensors
        need_x, need_W, need_b = ctx.needs_input_grad
        gx = grad @ W if need_x else None  # skipped for the first layer's input
        if grad.ndim != 2:  # leading dims flattened to N rows
            grad = grad.reshape(-1, grad.shape[-1])
            x = x.reshape(-1, x.shape[-1]) if need_W else None
        gW = grad.T @ x if need_W else None
        gb = grad.sum(axis=0) if need_b else None
        return gx, gW, gb
        # END SOLUTION
