"""``Variable``, PyTorch's legacy wrapper (before 0.4 a tensor that required grad was a
``Variable``); kept, as in PyTorch, so that older code runs."""


def Variable(data, requires_grad: bool = False, volatile: bool = False):  # noqa: N802
    """A tensor sharing ``data``'s values, a leaf that requires grad if asked, as
    ``torch.autograd.Variable(t)`` gives now: ``data.detach()``, then
    ``requires_grad_(requires_grad)``. (``volatile`` has done nothing since PyTorch 0.4.)

    Example:
        >>> import tinynet as tn
        >>> w = tn.autograd.Variable(tn.ones(2), requires_grad=True)
        >>> w.is_leaf, w.requires_grad
        (True, True)
    """
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable: data must be a Tensor, got {type(data).__name__} (make "
                        f"one with tn.tensor(...) first)")
    return data.detach().requires_grad_(requires_grad)


from tinynet.tensor import Tensor  # noqa: E402  (tensor.py imports the autograd package)
