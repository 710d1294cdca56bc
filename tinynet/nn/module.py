"""``Module``: configuration plus parameters; ``forward`` calls the functional math.

Parameters and submodules are ordinary attributes: a module's parameters are the
``Parameter`` values among its attributes, in assignment order, then those of its
submodules. NOTE: PyTorch routes every attribute through ``__setattr__`` into
private registries; reading ``vars(self)`` gives the same behaviour with no magic
(deleting or reassigning an attribute just works; ``__setattr__`` only refuses to
replace a Parameter by a plain value, as PyTorch does). Buffers (state that is saved but not
trained, such as BatchNorm's running statistics) are attributes too, whose names
``register_buffer`` records.
"""
from collections.abc import MutableMapping
from types import MappingProxyType

import numpy as np

from tinynet.autograd.grad_mode import _GradMode
from tinynet.autograd.observers import MODULE_CHANGES, OBSERVERS
from tinynet.dtypes import parse_to_args
from tinynet.nn.module_hooks import ModuleHooks, RemovableHandle  # noqa: F401
from tinynet.nn.module_state import IncompatibleKeys, ModuleState, own_parameters  # noqa: F401
from tinynet.nn.parameter import Parameter
from tinynet.tensor import Tensor

class Module(ModuleHooks, ModuleState):
    """Base class of layers and models. Subclasses set parameters and submodules as
    attributes in ``__init__`` and define ``forward``.

    Example:
        >>> import tinynet as tn
        >>> class TwoLayer(tn.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = tn.nn.Linear(2, 8)
        ...         self.out = tn.nn.Linear(8, 1)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> [name for name, _ in TwoLayer().named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training = True
    _buffer_names = MappingProxyType({})  # name -> persistent; a dict on the first buffer
    # a parameter or child set to None keeps its slot, as in PyTorch's registries: name ->
    # Parameter or Module, the kind the slot takes (a dict on the first such None)
    _empty_slots = MappingProxyType({})

    def __init__(self):
        self.training = True

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__}: a Module must define forward(); "
                                  f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        # NOTE: the hot path: two checks when no hook is registered and nothing observes
        if self._has_hooks:
            return self._call_hooked(args, kwargs)  # (module_hooks.py)
        if OBSERVERS.forward:
            return self._call_observed(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_observed(self, args: tuple, kwargs: dict):
        """``forward`` while observers (anomaly mode...) learn which module made each op;
        while tn.capture records, it also learns every module called and each call's end:
        the forward hooks it runs, its inputs and output, its mode and grad mode (what a
        hook may read)."""
        OBSERVERS.modules.append(self)
        if OBSERVERS.called is not None:
            OBSERVERS.called.setdefault(id(self), self)
        try:
            out = self.forward(*args, **kwargs)
        finally:
            OBSERVERS.modules.pop()
        if OBSERVERS.finished is not None:
            OBSERVERS.finished.append((self, tuple(self._forward_hooks.values()), args, out,
                                       (self.training, _GradMode.enabled)))
        return out

    def __setattr__(self, name: str, value) -> None:
        """Set the attribute; as PyTorch does, refuse to replace a Parameter by anything
        but a Parameter or None (a plain tensor would silently stop being trained), a
        child module by anything but a Module, a Parameter or None, and a buffer by
        anything but a Tensor, a Module or None (its parameters or its state would
        silently leave the ``state_dict``); a Parameter or a Module set in a buffer's
        place is a parameter or a child only."""
        # the registry ``name`` is in: a parameter's or a child's, or None (a buffer's, even
        # when it holds a Parameter, or a plain attribute's)
        slot = None if name in self._buffer_names else \
            _kind(vars(self).get(name)) or self._empty_slots.get(name)
        if value is not None and not isinstance(value, Parameter) and slot is Parameter:
            kind = value.type() if isinstance(value, Tensor) else type(value).__name__
            raise TypeError(f"{type(self).__name__}.{name}: cannot assign '{kind}' as "
                            f"parameter '{name}' (tinynet.nn.Parameter or None expected); "
                            f"wrap it in nn.Parameter(...), or change its values in place")
        if value is not None and slot is Module and \
                not isinstance(value, (Module, Parameter)):  # (either takes over the slot)
            raise TypeError(f"{type(self).__name__}.{name}: cannot assign "
                            f"'{type(value).__name__}' as child module '{name}' "
                            f"(tinynet.nn.Module or None expected)")
        if name in self._buffer_names:
            if isinstance(value, (Parameter, Module)):  # now a parameter, or a child
                del self._buffer_names[name]
            elif value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{type(self).__name__}.{name}: cannot assign "
                                f"'{type(value).__name__}' as buffer '{name}' (tinynet.Tensor "
                                f"or None expected)")
        kind = _kind(value)
        if kind is not None and slot is not kind and name in vars(self):
            object.__delattr__(self, name)  # registered now: last in order, as in PyTorch
        if slot is not None or name in self._empty_slots:
            self._keep_slot(name, slot if value is None else None)
        object.__setattr__(self, name, value)
        MODULE_CHANGES[0] += 1  # (tn.capture's guards: see observers.py)

    def _keep_slot(self, name: str, kind) -> None:
        """Record that the attribute ``name``, now None, is a slot for a ``kind``
        (Parameter or Module), or (kind None) that it is no empty slot."""
        if "_empty_slots" not in vars(self):
            object.__setattr__(self, "_empty_slots", {})
        if kind is None:
            self._empty_slots.pop(name, None)
        else:
            self._empty_slots[name] = kind

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        if name in self._empty_slots:
            self._keep_slot(name, None)
        if name in self._buffer_names:  # (a later assignment is a plain attribute)
            del self._buffer_names[name]
        MODULE_CHANGES[0] += 1

    # ---- registration ----------------------------------------------------------------
    def add_module(self, name: str, module) -> None:
        """Set ``module`` (a Module, or None) as the child ``name``, as
        ``setattr(self, name, module)`` does; ``Sequential``-like classes call this with
        names made at run time."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: module must be a Module or None, got "
                            f"{type(module).__name__}")
        self._check_new_name("add_module", "module", name, self._modules)
        setattr(self, name, module)
        if module is None:
            self._keep_slot(name, Module)

    register_module = add_module

    def register_parameter(self, name: str, param) -> None:
        """Set ``param`` (a Parameter, or None) as the parameter ``name``, as
        ``setattr(self, name, param)`` does, with PyTorch's checks of the name."""
        if param is not None and not isinstance(param, Parameter):
            kind = param.type() if isinstance(param, Tensor) else type(param).__name__
            raise TypeError(f"register_parameter: param must be a tinynet.nn.Parameter or "
                            f"None, got '{kind}' for parameter {name!r}")
        # NOTE: no registry keeps a parameter set to None, so any None attribute may take one
        own = [n for n, v in vars(self).items() if v is None or isinstance(v, Parameter)]
        self._check_new_name("register_parameter", "parameter", name, own)
        setattr(self, name, param)
        if param is None:
            self._keep_slot(name, Parameter)

    def get_submodule(self, target: str) -> "Module":
        """The submodule at the dotted path ``target`` ("" is this module), as in
        ``model.get_submodule("encoder.0")``."""
        if not isinstance(target, str):
            raise TypeError(f"get_submodule: target must be a dotted string, got "
                            f"{type(target).__name__}")
        module, missing = self, object()
        for name in target.split(".") if target else []:
            child = getattr(module, name, missing)
            if child is missing:
                raise AttributeError(f"get_submodule: {type(module).__name__} has no "
                                     f"attribute {name!r} (target {target!r})")
            if not isinstance(child, Module):
                raise AttributeError(f"get_submodule: {name!r} is not a Module, got "
                                     f"{type(child).__name__} (target {target!r})")
            module = child
        return module

    def get_parameter(self, target: str) -> "Parameter":
        """The parameter at the dotted path ``target``, as in
        ``model.get_parameter("encoder.0.weight")``."""
        return self._get_attribute("get_parameter", target, "parameter",
                                   lambda owner, name: isinstance(vars(owner).get(name),
                                                                  Parameter))

    def get_buffer(self, target: str):
        """The buffer at the dotted path ``target``, as in
        ``model.get_buffer("norm.running_mean")``."""
        return self._get_attribute("get_buffer", target, "buffer",
                                   lambda owner, name: name in owner._buffer_names)

    def _get_attribute(self, where: str, target: str, kind: str, is_kind):
        if not isinstance(target, str):
            raise TypeError(f"{where}: target must be a dotted string, got "
                            f"{type(target).__name__}")
        path, _, name = target.rpartition(".")
        owner = self.get_submodule(path)
        if not is_kind(owner, name):
            raise AttributeError(f"{where}: {type(owner).__name__} has no {kind} named "
                                 f"{name!r} (target {target!r})")
        return getattr(owner, name)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Keep ``tensor`` (or None) as the buffer ``name``: an attribute that is no
        parameter (no optimizer updates it) but that ``state_dict`` saves (unless
        ``persistent=False``), ``load_state_dict`` restores and ``to(dtype)`` casts."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: tensor must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._check_new_name("register_buffer", "buffer", name, self._buffer_names)
        if "_buffer_names" not in vars(self):
            self._buffer_names = {}
        self._buffer_names[name] = bool(persistent)
        object.__setattr__(self, name, tensor)  # (a Parameter given here is a buffer only)
        MODULE_CHANGES[0] += 1

    def _check_new_name(self, where: str, what: str, name, allowed) -> None:
        """Refuse a name that is not a string, is empty, holds a '.', or is already an
        attribute other than one of ``allowed`` (the children, or the buffers), as
        PyTorch does."""
        if not isinstance(name, str):
            raise TypeError(f"{where}: {what} name must be a string, got "
                            f"{type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{where}: {what} name must be a non-empty string without '.', "
                           f"got {name!r}")
        if hasattr(self, name) and name not in allowed:
            raise KeyError(f"{where}: {what} name must not be an existing attribute, got "
                           f"{name!r}")

    @property
    def _modules(self) -> "MutableMapping[str, Module]":
        """The children by name, in order (PyTorch's registry, here a live view of the
        attributes: writing ``_modules[name] = m`` sets the attribute)."""
        return _Children(self)

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every submodule, children before parents, this module
        last (e.g. to initialise weights); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- traversal -------------------------------------------------------------------
    def named_children(self):
        """(name, child) pairs, each child once: one registered under two names (weights
        tied by reusing a layer) comes under the first, as in PyTorch."""
        seen = set()
        for name, value in child_entries(self):
            if id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo: set = None, prefix: str = "", remove_duplicate: bool = True):
        """This module and every submodule below it, depth first, each once; with
        ``remove_duplicate=False``, a module shared by two parents under each name.
        ``memo``: as PyTorch's, a set of modules to skip, to which each module yielded is
        added (with ``remove_duplicate``)."""
        if memo is not None and not isinstance(memo, set):
            raise TypeError(f"named_modules: memo must be a set of modules or None, got "
                            f"{type(memo).__name__} (prefix and remove_duplicate come after "
                            f"it, as in PyTorch)")
        if not remove_duplicate:
            yield from self._every_named_module(prefix, memo or set())
            return
        seen = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if module in seen:
                continue
            seen.add(module)
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(children))

    def _every_named_module(self, prefix: str, memo: set):
        """``named_modules(remove_duplicate=False)``: in the same order, a shared module
        under each of its names, but none in ``memo`` (nor what is below it), as PyTorch's.
        NOTE: a module that holds one of its ancestors (a cycle) is not entered again,
        where PyTorch recurses until it fails."""
        stack = [(prefix, self, frozenset())]
        while stack:
            name, module, above = stack.pop()
            if id(module) in above or module in memo:
                continue
            yield name, module
            above = above | {id(module)}
            children = [(f"{name}.{n}" if name else n, m, above)
                        for n, m in child_entries(module)]
            stack.extend(reversed(children))

    def modules(self):
        """``named_modules()`` without the names. NOTE: its own walk, in the same order:
        ``model.zero_grad()`` runs it at every step, and the
        dotted names are a good part of the named walk's cost. A module that overrides
        ``named_modules`` or ``named_children`` is walked through them."""
        if type(self).named_modules is not Module.named_modules:
            yield from (module for _, module in self.named_modules())
            return
        seen = set()
        stack = [self]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield module
            if type(module).named_children is Module.named_children:  # (attributes)
                children = [m for m in vars(module).values() if isinstance(m, Module)]
            else:
                children = list(module.children())
            stack.extend(reversed(children))

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        """(dotted name, parameter) pairs; a parameter shared by two modules (tied
        weights) appears once, unless ``remove_duplicate=False``: then under each name."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_name, module in modules:
            for name, value in own_parameters(module):
                if id(value) not in seen:
                    if remove_duplicate:
                        seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self, recurse: bool = True):
        """``named_parameters()`` without the names (see ``modules``); through
        ``named_parameters`` when a subclass overrides it."""
        if type(self).named_parameters is not Module.named_parameters:
            yield from (p for _, p in self.named_parameters(recurse=recurse))
            return
        seen = set()
        for module in self.modules() if recurse else (self,):
            for _, value in own_parameters(module):
                if id(value) not in seen:
                    seen.add(id(value))
                    yield value

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        """(dotted name, buffer) pairs, skipping None; a shared buffer appears once,
        unless ``remove_duplicate=False``."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_name, module in modules:
            for name, value in module._own_buffers():
                if id(value) not in seen:
                    if remove_duplicate:
                        seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def buffers(self, recurse: bool = True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _own_buffers(self, persistent_only: bool = False):
        """(name, tensor) for this module's registered buffers that are not None."""
        for name, persistent in self._buffer_names.items():
            value = vars(self).get(name)
            if isinstance(value, Tensor) and (persistent or not persistent_only):
                yield name, value

    # ---- modes and gradients -----------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set the training flag of this module and, through each child's own ``train``
        (which a subclass may override, to keep a part frozen), of every submodule."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: training mode is expected to be boolean, got {mode!r}")
        if id(self) in _SETTING_MODE:  # (a module graph with a cycle: set once)
            return self
        _SETTING_MODE.add(id(self))
        try:
            self.training = mode
            for module in self.children():
                module.train(mode)
        finally:
            _SETTING_MODE.discard(id(self))
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.array[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # ---- dtype ---------------------------------------------------------------------------
    def to(self, *args, **kwargs) -> "Module":
        """Cast every floating-point parameter (and its gradient) to ``dtype``, in place.
        Called as in PyTorch: ``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or with
        keywords; the device ``"cpu"`` is accepted so PyTorch code runs."""
        dtype = parse_to_args(args, kwargs)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to: dtype must be a floating-point dtype, got {dtype}")
        for p in self.parameters():
            if p.array.dtype.kind != "f":  # an integer or bool parameter stays, as PyTorch's
                continue
            p.array = p.array.astype(dtype, copy=False)
            if p.grad is not None:
                p.grad.array = p.grad.array.astype(dtype, copy=False)
        for b in self.buffers():  # running statistics, as PyTorch: integer counts stay
            if b.array.dtype.kind == "f":
                b.array = b.array.astype(dtype, copy=False)
        return self

    def type(self, dst_type) -> "Module":
        """``to(dst_type)``: a dtype, or a typed tensor class (``tn.DoubleTensor``)."""
        return self.to(np.dtype(dst_type))

    def half(self) -> "Module":
        return self.to(np.float16)

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    def cuda(self, device=None) -> "Module":
        raise RuntimeError("cuda: tinynet runs on the CPU only; keep modules on the CPU "
                           "(guard the call with `if tinynet.cuda.is_available():`)")

    def cpu(self) -> "Module":
        return self

    # ---- printing --------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The configuration shown inside ``Name(...)``; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: ``Name(extra)`` on one line, or, with children or an
        ``extra_repr`` of several lines, one line each, indented by two spaces."""
        slots = self._empty_slots  # (a child set to None prints as None, as in PyTorch)
        children = [(name, value) for name, value in vars(self).items()
                    if isinstance(value, Module) or value is None and slots.get(name) is Module]
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        if not children and len(extra_lines) <= 1:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        lines += ["  " + line for line in extra_lines]
        for name, module in children:
            lines.append(f"  ({name}): " + repr(module).replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"


_SETTING_MODE = set()  # ids of the modules whose train() is running


def _kind(value):
    """Parameter or Module, the registry a value belongs in, or None (a plain value)."""
    return Parameter if isinstance(value, Parameter) else \
        Module if isinstance(value, Module) else None


def child_entries(module: Module):
    """(name, child) for every child attribute of ``module``, a child registered twice
    under each name: what ``_modules`` holds, which containers run and print. (A
    function, not a method: a subclass's attribute of the same name cannot hide it.)"""
    for name, value in vars(module).items():
        if isinstance(value, Module):
            yield name, value


class _Children(MutableMapping):
    """``module._modules``: the module's children by name, read from and written to its
    attributes."""

    def __init__(self, module: Module):
        self._module = module

    def __getitem__(self, name: str) -> Module:
        value = vars(self._module).get(name)
        if not isinstance(value, Module):
            raise KeyError(f"{type(self._module).__name__}: no submodule named {name!r}")
        return value

    def __setitem__(self, name: str, module) -> None:
        self._module.add_module(name, module)

    def __delitem__(self, name: str) -> None:
        self[name]  # noqa: B018  (a KeyError for a name that is no child)
        delattr(self._module, name)

    def __iter__(self):
        return (name for name, _ in child_entries(self._module))

    def __len__(self) -> int:
        return sum(1 for _ in child_entries(self._module))

    def __repr__(self) -> str:
        return repr(dict(self))
