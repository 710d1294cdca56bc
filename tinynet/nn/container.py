"""Containers: ``Sequential``, ``ModuleList`` and ``ModuleDict``.

Their children are attributes, as any module's, named "0", "1", ... (a ModuleDict's by
its keys, a Sequential's by the names of an ``OrderedDict`` when built from one), so
``state_dict`` keys match PyTorch's. As in PyTorch, deleting from a Sequential or a
ModuleList, or inserting into one, names the children "0", "1", ... again.
"""
import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from tinynet.nn.module import Module, child_entries


def _check_module(where: str, module) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: module must be a Module, got {type(module).__name__}")


def _integer(where: str, index) -> int:
    try:
        return operator.index(index)
    except TypeError:
        raise TypeError(f"{where}: index must be an integer (or a slice, to read or "
                        f"delete), got {type(index).__name__}") from None


def _position(where: str, index, size: int) -> int:
    """``index`` as a position in [0, size); a negative one counts from the end."""
    index = _integer(where, index)
    if not -size <= index < size:
        raise IndexError(f"{where}: index {index} is out of range for {size} modules")
    return index % size


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: children in order, reached by
    position (a negative one counts from the end), changed as a list is."""

    def __len__(self) -> int:
        return sum(1 for _ in child_entries(self))

    def __iter__(self):
        return iter([module for _, module in child_entries(self)])

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the child at ``index``; the new one takes its name."""
        where = type(self).__name__
        _check_module(where, module)
        names = list(self._modules)
        setattr(self, names[_position(where, index, len(names))], module)

    def __delitem__(self, index) -> None:
        """Remove the child at ``index`` (or the children of a slice); the rest are
        named "0", "1", ... again."""
        children = [module for _, module in child_entries(self)]
        if isinstance(index, slice):
            del children[index]
        else:
            del children[_position(type(self).__name__, index, len(children))]
        self._renumber(children)

    def append(self, module: Module):
        """Add ``module`` at the end, named ``str(len(self))``; returns self."""
        _check_module(f"{type(self).__name__}.append", module)
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules):
        """Append each module of the iterable ``modules``, in order; returns self."""
        where = f"{type(self).__name__}.extend"
        if not isinstance(modules, Iterable):
            raise TypeError(f"{where}: modules must be an iterable of Modules, got "
                            f"{type(modules).__name__}")
        modules = list(modules)
        for module in modules:  # all checked first: a bad one changes nothing
            _check_module(where, module)
        for module in modules:
            self.append(module)
        return self

    def _insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``, in [-len, len] as PyTorch's
        ``Sequential.insert`` takes it; the children are named "0", "1", ... again."""
        where = f"{type(self).__name__}.insert"
        _check_module(where, module)
        children = [module for _, module in child_entries(self)]
        n, index = len(children), _integer(where, index)
        if not -n <= index <= n:
            raise IndexError(f"{where}: index must be in [-{n}, {n}] (the number of "
                             f"modules), got {index}")
        children.insert(index, module)  # (a negative index counts from the end, as here)
        self._renumber(children)

    def pop(self, index=-1):
        """Remove and return the child at ``index`` (default: the last)."""
        module = self[index]
        del self[index]
        return module

    def _renumber(self, children: list) -> None:
        """Make ``children`` this module's children, in order, named "0", "1", ..."""
        for name in list(self._modules):
            delattr(self, name)
        for i, module in enumerate(children):
            setattr(self, str(i), module)


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(a, b)(x) == b(a(x))``.

    Children are named "0", "1", ... as in PyTorch (so ``state_dict`` keys match), or
    by the keys of an ``OrderedDict`` of name -> module.

    Example:
        >>> import tinynet as tn
        >>> from collections import OrderedDict
        >>> net = tn.nn.Sequential(tn.nn.Linear(2, 4), tn.nn.GELU())
        >>> net(tn.zeros(3, 2)).shape
        (3, 4)
        >>> named = tn.nn.Sequential(OrderedDict([("fc", tn.nn.Linear(2, 4))]))
        >>> list(named.state_dict())
        ['fc.weight', 'fc.bias']
    """

    def __init__(self, *modules: Module):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                _check_module(f"Sequential: OrderedDict entry {name!r}", module)
                self._check_new_name("Sequential", "module", name, self._modules)
                setattr(self, name, module)
            return
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} must be a Module, got {module!r} "
                                f"(to name the modules, pass one OrderedDict of name -> "
                                f"module)")
            setattr(self, str(i), module)

    def forward(self, input):  # noqa: A002  (PyTorch's name: Sequential(...)(input=x))
        x = input
        for name, module in child_entries(self):
            try:
                x = module(x)
            except ValueError as error:
                if type(error) is not ValueError:  # a class of its own: caught by its name
                    raise
                # say where in the stack a shape went wrong
                raise ValueError(f"Sequential: layer ({name}): {error}") from error
        return x

    def __getitem__(self, index):
        """The child at ``index``, or a Sequential of a slice's children under their
        names (so its ``state_dict`` keys match the original's)."""
        children = list(child_entries(self))
        if isinstance(index, slice):
            return Sequential(OrderedDict(children[index]))
        return children[_position("Sequential", index, len(children))][1]

    def insert(self, index: int, module: Module) -> "Sequential":
        """Put ``module`` before position ``index`` (``-len(self) <= index <=
        len(self)``); the children are named "0", "1", ... again. Returns self."""
        self._insert(index, module)
        return self


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the parent module sees (named "0", "1", ...).

    Args:
        modules: an iterable of modules (default: none).

    Example:
        >>> import tinynet as tn
        >>> layers = tn.nn.ModuleList([tn.nn.Linear(2, 2)])
        >>> layers += [tn.nn.Tanh()]
        >>> layers.insert(0, tn.nn.ReLU())
        >>> [type(m).__name__ for m in layers]
        ['ReLU', 'Linear', 'Tanh']
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index):
        """The child at ``index``, or a ModuleList of a slice's children (named "0",
        "1", ... again, as in PyTorch)."""
        children = [module for _, module in child_entries(self)]
        if isinstance(index, slice):
            return ModuleList(children[index])
        return children[_position("ModuleList", index, len(children))]

    def __iadd__(self, modules) -> "ModuleList":
        return self.extend(modules)

    def __repr__(self) -> str:
        """As PyTorch prints it: a run of children that print alike is one line,
        ``(0-2): 3 x Linear(...)``."""
        shown = [repr(module) for _, module in child_entries(self)]
        if not shown:
            return f"{type(self).__name__}()"
        lines, start = [], 0
        for end in range(1, len(shown) + 1):
            if end < len(shown) and shown[end] == shown[start]:
                continue
            label = f"({start})" if end - start == 1 else \
                f"({start}-{end - 1}): {end - start} x"
            lines.append(f"  {label}{':' if end - start == 1 else ''} "
                         + shown[start].replace("\n", "\n  "))
            start = end
        return "\n".join([f"{type(self).__name__}(", *lines, ")"])

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (``-len(self) <= index <=
        len(self)``); the children are named "0", "1", ... again."""
        self._insert(index, module)


class ModuleDict(Module):
    """Modules by name, as a dict whose modules the parent module sees (``parameters``,
    ``state_dict``, ``to``, ``train``/``eval``), in insertion order. A key must be a
    name that is not already an attribute (not "keys", "training"...), as in PyTorch.

    Args:
        modules: a mapping of name -> module (a ModuleDict too), or an iterable of
            (name, module) pairs (default: none).

    Example:
        >>> import tinynet as tn
        >>> heads = tn.nn.ModuleDict({"a": tn.nn.Linear(4, 2), "b": tn.nn.Linear(4, 3)})
        >>> [name for name, _ in heads.named_parameters()]
        ['a.weight', 'a.bias', 'b.weight', 'b.bias']
        >>> heads["b"](tn.zeros(1, 4)).shape
        (1, 3)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        _check_module("ModuleDict", module)
        self._check_new_name("ModuleDict", "module", key, self._modules)
        setattr(self, key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules))

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove the module ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def update(self, modules) -> None:
        """Add each (name, module) of ``modules`` (a mapping, or an iterable of pairs),
        in order; a name already present has its module replaced, in place."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, str):
            pairs = [_pair(j, item) for j, item in enumerate(modules)]
        else:
            raise TypeError(f"ModuleDict.update: modules must be a mapping or an iterable of "
                            f"(name, module) pairs, got {type(modules).__name__}")
        for name, module in pairs:  # all checked first: a bad one changes nothing
            _check_module(f"ModuleDict.update: entry {name!r}", module)
        for name, module in pairs:
            self[name] = module


def _pair(j: int, item) -> tuple:
    """``item``, element ``j`` of ModuleDict.update's argument, as a (name, module) pair."""
    if not isinstance(item, Iterable) or isinstance(item, str):
        raise TypeError(f"ModuleDict.update: element #{j} must be a (name, module) pair, got "
                        f"{type(item).__name__}")
    item = tuple(item)
    if len(item) != 2:
        raise ValueError(f"ModuleDict.update: element #{j} must be a (name, module) pair, got "
                         f"{len(item)} items")
    return item
