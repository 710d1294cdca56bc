"""``ParameterList`` and ``ParameterDict``: parameters held in a list or by name, which the
parent module sees (``parameters``, ``state_dict``, optimizers), as PyTorch's. A tensor put
in becomes a ``Parameter`` (sharing its data); each parameter is an attribute named by its
position ("0", "1", ...) or its key, as a ``ModuleList``'s modules are."""
from collections import OrderedDict

from tinynet.nn.module import Module
from tinynet.nn.parameter import Parameter
from tinynet.tensor import Tensor


def _as_parameter(where: str, value) -> Parameter:
    """``value`` as a Parameter: itself, or a tensor's data as one (requiring grad)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        p = Parameter._wrap(value.array, False, None)  # its data, not a copy (as PyTorch)
        return p.requires_grad_(value.dtype.kind == "f")
    raise TypeError(f"{where}: values must be tensors (a Parameter, or a tensor made one), "
                    f"got {type(value).__name__}")


def _listing(container, kind) -> str:
    """The container's ``extra_repr``: a line per parameter, as PyTorch's (each starting
    with two spaces, which ``Module``'s repr indents by two more; one parameter is one
    line, printed inline), its sizes as ``2x3``; ``kind(p)`` names the parameter's type."""
    return "\n".join(f"  ({name}): Parameter containing: [{kind(p)} of size "
                     f"{'x'.join(map(str, p.shape))}]" for name, p in container._items())


class ParameterList(Module):
    """Parameters in a list (named "0", "1", ...).

    Args:
        values: an iterable of tensors (default: none).

    Example:
        >>> import tinynet as tn
        >>> weights = tn.nn.ParameterList([tn.ones(2, 2), tn.zeros(2)])
        >>> [(name, p.requires_grad) for name, p in weights.named_parameters()]
        [('0', True), ('1', True)]
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self) -> int:
        return sum(1 for _ in self._items())

    def _items(self):
        return ((name, p) for name, p in vars(self).items() if isinstance(p, Parameter))

    def __iter__(self):
        return iter([p for _, p in self._items()])

    def __getitem__(self, index):
        values = list(self)
        if isinstance(index, slice):
            return ParameterList(values[index])
        try:
            return values[index]
        except IndexError:
            raise IndexError(f"ParameterList: index {index} is out of range for "
                             f"{len(values)} parameters") from None

    def __setitem__(self, index: int, value) -> None:
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"ParameterList: index {index} is out of range for {size} "
                             f"parameters")
        setattr(self, str(index % size), _as_parameter("ParameterList", value))

    def append(self, value) -> "ParameterList":
        setattr(self, str(len(self)), _as_parameter("ParameterList", value))
        return self

    def extend(self, values) -> "ParameterList":
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values) -> "ParameterList":
        return self.extend(values)

    def extra_repr(self) -> str:
        return _listing(self, lambda p: f"tinynet.{p.array.dtype}")  # (PyTorch's: torch.float32)


class ParameterDict(Module):
    """Parameters by name, in insertion order. A key is a non-empty string without '.'
    that is not already an attribute (not "keys", "training"...), as a ``ModuleDict``'s.

    Args:
        parameters: a mapping of name -> tensor, or an iterable of (name, tensor) pairs
            (default: none).

    Example:
        >>> import tinynet as tn
        >>> scales = tn.nn.ParameterDict({"a": tn.ones(2), "b": tn.zeros(1)})
        >>> list(scales.keys()), [name for name, _ in scales.named_parameters()]
        (['a', 'b'], ['a', 'b'])
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def _items(self):
        return [(name, p) for name, p in vars(self).items() if isinstance(p, Parameter)]

    def __getitem__(self, key: str) -> Parameter:
        value = vars(self).get(key) if isinstance(key, str) else None
        if not isinstance(value, Parameter):
            raise KeyError(f"ParameterDict: no parameter named {key!r}")
        return value

    def __setitem__(self, key: str, value) -> None:
        self._check_new_name("ParameterDict", "parameter", key, [k for k, _ in self._items()])
        setattr(self, key, _as_parameter("ParameterDict", value))

    def __delitem__(self, key: str) -> None:
        self[key]  # noqa: B018  (a KeyError for a name that is no parameter)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self):
        return iter([name for name, _ in self._items()])

    def __contains__(self, key) -> bool:
        return any(name == key for name, _ in self._items())

    def keys(self) -> list:
        return [name for name, _ in self._items()]

    def values(self) -> list:
        return [p for _, p in self._items()]

    def items(self) -> list:
        return self._items()

    def get(self, key: str, default=None):
        return self[key] if key in self else default

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def __reversed__(self):
        return iter(self.keys()[::-1])

    def clear(self) -> None:
        for key in self.keys():
            del self[key]

    def setdefault(self, key: str, default) -> Parameter:
        """The parameter ``key``; first ``default`` (a tensor) under it, if there is none."""
        if key not in self:
            self[key] = default
        return self[key]

    def popitem(self) -> tuple:
        """Remove and return the last (key, parameter) pair."""
        if not len(self):
            raise KeyError("ParameterDict.popitem: the dictionary is empty")
        key = self.keys()[-1]
        return key, self.pop(key)

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters (not copies), in this order."""
        return ParameterDict(OrderedDict(self.items()))

    @classmethod
    def fromkeys(cls, keys, default) -> "ParameterDict":
        """A ParameterDict with ``default`` (a tensor: one Parameter, shared) under each key."""
        value = _as_parameter("ParameterDict.fromkeys", default)
        return cls(OrderedDict((key, value) for key in keys))

    def __or__(self, other) -> "ParameterDict":
        merged = self.copy()
        merged.update(OrderedDict(other.items()) if isinstance(other, ParameterDict) else other)
        return merged

    def __ror__(self, other) -> "ParameterDict":
        merged = ParameterDict(other)
        merged.update(OrderedDict(self.items()))
        return merged

    def __ior__(self, other) -> "ParameterDict":
        self.update(OrderedDict(other.items()) if isinstance(other, ParameterDict) else other)
        return self

    def update(self, parameters) -> None:
        """Add the (key, parameter) pairs of a mapping or a sequence of pairs; a plain
        dict's in sorted key order, as PyTorch's (an OrderedDict or a ParameterDict keeps
        its own order)."""
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        if isinstance(parameters, dict) and not isinstance(parameters, OrderedDict):
            pairs = sorted(pairs)
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return _listing(self, lambda p: p.type())  # (PyTorch's: torch.FloatTensor)
