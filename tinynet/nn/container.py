"""Containers: ``Sequential`` and ``ModuleList``."""
from tinynet.nn.module import Module


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(a, b)(x) == b(a(x))``.

    Children are named "0", "1", ... as in PyTorch (so ``state_dict`` keys match).

    Example:
        >>> import tinynet as tn
        >>> net = tn.nn.Sequential(tn.nn.Linear(2, 4), tn.nn.GELU())
        >>> net(tn.zeros(3, 2)).shape
        (3, 4)
    """

    def __init__(self, *modules: Module):
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} is not a Module: {module!r}")
            setattr(self, str(i), module)

    def forward(self, x):
        for name, module in self.named_children():
            try:
                x = module(x)
            except ValueError as error:  # say where in the stack a shape went wrong
                raise ValueError(f"Sequential: layer ({name}): {error}") from error
        return x

    def __getitem__(self, index):
        children = list(self.named_children())
        if isinstance(index, slice):
            sliced = Sequential()
            for name, module in children[index]:  # names kept, as PyTorch does
                setattr(sliced, name, module)
            return sliced
        return children[index][1]

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self):
        return iter(self.children())

    def append(self, module: Module) -> "Sequential":
        setattr(self, str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees (named "0", "1", ...)."""

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.append: module must be a Module, got {module!r}")
        setattr(self, str(len(self)), module)
        return self

    def __getitem__(self, index):
        children = list(self.children())
        return ModuleList(children[index]) if isinstance(index, slice) else children[index]

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self):
        return iter(self.children())
