"""The parameters as one vector and back (``tinynet.nn.utils.convert_parameters``, as
PyTorch's ``torch.nn.utils.convert_parameters``)."""
from tinynet.autograd.grad_mode import no_grad
from tinynet.combining import cat
from tinynet.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _tensor_list(parameters, where: str) -> list:
    """``parameters`` (a tensor, or an iterable of tensors) as a list of tensors."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got {type(p).__name__} at "
                            f"position {i}")
    return params


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and joined into one vector, in order:
    ``cat([p.view(-1) for p in parameters])``. Differentiable: the vector's gradient
    flows back to each parameter.

    Example:
        >>> import tinynet as tn
        >>> lin = tn.nn.Linear(3, 2)
        >>> tn.nn.utils.parameters_to_vector(lin.parameters()).shape   # 2·3 weights, 2 biases
        (8,)
    """
    params = _tensor_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: parameters must hold at least one tensor, got "
                         "none")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Give each parameter, in order, the next ``p.numel()`` values of the 1-D ``vec``,
    as PyTorch: ``p.data = vec[i:i + n].view_as(p).data`` (so a parameter takes vec's
    dtype and shares its memory; nothing is recorded). Extra values at the end of
    ``vec`` are left unused, as in PyTorch.

    Example:
        >>> import tinynet as tn
        >>> lin = tn.nn.Linear(2, 1)
        >>> tn.nn.utils.vector_to_parameters(tn.tensor([1.0, 2.0, 3.0]), lin.parameters())
        >>> lin.weight, lin.bias
        (Parameter containing:
        tensor([[1., 2.]], requires_grad=True), Parameter containing:
        tensor([3.], requires_grad=True))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: vec must be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {tuple(vec.shape)}")
    params = _tensor_list(parameters, "vector_to_parameters")
    needed = sum(p.numel() for p in params)
    if vec.numel() < needed:
        raise ValueError(f"vector_to_parameters: vec must have at least {needed} elements (as "
                         f"many as the parameters), got {vec.numel()}")
    start = 0
    with no_grad():
        for p in params:
            p.data = vec[start:start + p.numel()].view_as(p).data
            start += p.numel()
