"""``Flatten`` and ``Unflatten``: reshapes as layers, e.g. images to rows for ``Linear``."""
from tinynet.checks import check_int
from tinynet.nn.module import Module


class Flatten(Module):
    """Joins dimensions ``start_dim`` to ``end_dim`` into one: ``x.flatten(start_dim,
    end_dim)``. The gradient is reshaped back.

    Args:
        start_dim: the first dimension joined (default 1: keep the batch dimension).
        end_dim: the last dimension joined (default -1).

    Shape:
        (*, S_start, ..., S_end, *) -> (*, S_start·...·S_end, *).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Flatten()(tn.zeros(32, 1, 8, 8)).shape
        (32, 64)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = check_int("Flatten", "start_dim", start_dim)
        self.end_dim = check_int("Flatten", "end_dim", end_dim)

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dimension ``dim`` into ``unflattened_size``: ``x.unflatten(dim, size)``.

    Args:
        dim: the dimension split.
        unflattened_size: its new sizes (a tuple or list; one may be -1).

    Shape:
        (*, S_dim, *) -> (*, U_1, ..., U_k, *) with U_1·...·U_k = S_dim.

    Example:
        >>> import tinynet as tn
        >>> tn.nn.Unflatten(1, (1, 8, 8))(tn.zeros(32, 64)).shape
        (32, 1, 8, 8)
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim = check_int("Unflatten", "dim", dim)
        for size in unflattened_size:
            check_int("Unflatten", "unflattened_size", size, -1)
        self.unflattened_size = unflattened_size

    def forward(self, x):
        return x.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
