"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts."""
import collections
import copy
import functools

import numpy as np

from tinynet.autograd.grad_mode import enable_grad
from tinynet.checks import cast_problem, check_real
from tinynet.tensor import Tensor
from tinynet.tensor_hooks import RemovableHandle, add_named_hook, named_hooks


def as_floats(group: dict, *names) -> list:
    """The group's ``names`` as Python floats. NOTE: a group's values may be numpy float64
    (set by a hand-written schedule, say), and numpy would then compute a float32 update in
    float64; PyTorch computes it in the parameter's dtype, and so does a Python float."""
    return [float(group[name]) for name in names]


def _is_named(item) -> bool:
    """Whether ``item`` is a (name, tensor) pair, as ``named_parameters()`` yields."""
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and \
        isinstance(item[1], Tensor)


def _snapshot(value):
    """A copy of a state value for ``state_dict``: of an array, and of a list of them (LBFGS's
    history), which later steps change in place; other values as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


def _in_dtype_of(where: str, name: str, key, p, array: np.ndarray) -> np.ndarray:
    """A state ``array`` cast to ``p``'s dtype, refused by name when that would lose
    information (cast_problem)."""
    problem = cast_problem(array, p.dtype)
    if problem:
        raise ValueError(f"{where}: state {name} of parameter {key} must fit the "
                         f"parameter's dtype, got {problem}")
    return array.astype(p.dtype)


def _step_is_tinynets(cls) -> bool:
    """Whether ``cls.step`` is one of tinynet's optimizers' (which keep their state in
    numpy arrays), not one written by a user."""
    return getattr(cls.step, "__module__", "").startswith("tinynet.")


def check_pair(where: str, name: str, value, meaning: str) -> tuple:
    """``value`` (a tuple, a list: any iterable of two) as a tuple; ``meaning`` names the
    two, for the message: "(beta1, beta2)"."""
    try:
        pair = tuple(value)
    except TypeError:
        raise TypeError(f"{where}: {name} must be a pair {meaning}, got {value!r}") from None
    if len(pair) != 2:
        raise ValueError(f"{where}: {name} must be a pair {meaning}, got {value!r}")
    return pair


def check_betas(where: str, betas) -> tuple:
    """Adam's (β₁, β₂), each in [0, 1), as a tuple of floats."""
    return tuple(check_real(where, f"betas[{i}]", beta, 0.0, 1.0, high_open=True)
                 for i, beta in enumerate(check_pair(where, "betas", betas, "(beta1, beta2)")))


def check_maximize(where: str, maximize) -> bool:
    if not isinstance(maximize, bool):
        raise TypeError(f"{where}: maximize must be True or False, got {maximize!r}")
    return maximize


def maximizable(step):
    """Decorates an optimizer's ``step`` to honour each group's ``maximize``, as PyTorch
    does: step up the gradient, to maximise the objective. PyTorch negates g before the
    update; here the closure runs first, then each parameter of a group that maximises
    steps with a negated copy of its gradient in place of its own (put back after), so
    the update rules stay as written, and a gradient that shares memory with a
    parameter or another gradient (``p.grad = p.detach()``) is never changed."""
    @functools.wraps(step)
    def stepped(self, closure=None):
        if closure is not None:
            with enable_grad():  # (a step under no_grad still differentiates, as PyTorch's)
                loss = closure()
        else:
            loss = None
        if not any([group.get("maximize") for group in self.param_groups]):
            step(self)  # (the usual case: one check per group)
            return loss
        own = [(p, p._grad) for group in self.param_groups if group.get("maximize")
               for p in group["params"] if p._grad is not None]
        for p, grad in own:
            p._grad = Tensor._wrap(np.negative(grad.array), False, None)
        try:
            step(self)
        finally:
            for p, grad in own:
                p._grad = grad
        return loss
    return stepped


def _with_step_hooks(step):
    """``step`` running the optimizer's step pre- and post-hooks around it (once, when a
    subclass's step calls its base class's)."""
    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        state = vars(self)
        state["_opt_called"] = True  # (a scheduler stepped before any step warns)
        pre, post = state.get("_step_pre_hooks"), state.get("_step_post_hooks")
        if not (pre or post) or state.get("_in_step"):
            return step(self, *args, **kwargs)  # (the usual case: no hooks)
        args = (self, *args)  # the optimizer first, as PyTorch's hooks get them
        for hook in list((pre or {}).values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"register_step_pre_hook: hook "
                                       f"{getattr(hook, '__name__', hook)!r} must return "
                                       f"None or a tuple (args, kwargs), got {result!r}")
                args, kwargs = result
        self._in_step = True
        try:
            out = step(*args, **kwargs)
        finally:
            self._in_step = False
        for hook in list((post or {}).values()):
            hook(self, args, kwargs)
        return out
    return hooked


class Optimizer:
    """Base class. Subclasses define ``step`` using ``self.param_groups`` (a list of
    dicts holding "params" and the hyper-parameters) and ``self.state`` (a dict from
    parameter to its state, e.g. Adam's moments).

    Args:
        params: an iterable of leaf tensors, or of dicts each with "params" and
            hyper-parameters overriding ``defaults`` for that group. A tensor that does
            not require grad (a frozen layer's) is kept and, as every parameter whose
            ``.grad`` is None, left alone by ``step``.
        defaults: the hyper-parameters of every group.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):  # each class's own step runs the step hooks
            cls.step = _with_step_hooks(vars(cls)["step"])

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before each ``step``, ``args`` holding the
        optimizer and then the step's positional arguments, as PyTorch's; a returned
        ``(args, kwargs)`` replaces them."""
        return self._add_hook("_step_pre_hooks", hook, False)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after each ``step``, as PyTorch's."""
        return self._add_hook("_step_post_hooks", hook, False)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` before ``state_dict`` builds its dict, as PyTorch's."""
        return self._add_hook("_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` on the dict ``state_dict`` built, as PyTorch's; a
        returned dict replaces it."""
        return self._add_hook("_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` before ``load_state_dict`` reads the dict (a
        shallow copy of the caller's, as PyTorch's); a returned dict is loaded instead."""
        return self._add_hook("_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` once ``load_state_dict`` has loaded, as PyTorch's."""
        return self._add_hook("_load_state_dict_post_hooks", hook, prepend)

    def _add_hook(self, kind: str, hook, prepend: bool) -> RemovableHandle:
        """The method ``register<kind without its last s>`` (kind "_step_pre_hooks":
        ``register_step_pre_hook``)."""
        where = f"{type(self).__name__}.register{kind.rstrip('s')}"
        return add_named_hook(self, kind, hook, where, prepend)

    def _hooks(self, kind: str) -> list:
        return named_hooks(self, kind)

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self._opt_called = False  # whether step ran (schedulers check it, as PyTorch's)
        self.state = collections.defaultdict(dict)  # as PyTorch: state[p] is {} at first
        self.param_groups = []
        if isinstance(params, Tensor):  # iterating a tensor would yield its rows
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a Tensor (wrap it in a list: [w])")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        where = type(self).__name__
        if not isinstance(group, dict):
            raise TypeError(f"{where}: param_group must be a dict (with 'params'), got "
                            f"{type(group).__name__}")
        group = dict(group)
        params = group["params"]
        if isinstance(params, set):  # (PyTorch refuses a set, not a frozenset)
            raise TypeError(f"{where}: params must be an ordered collection (a list), got a "
                            f"set: the order of a set's tensors changes between runs, and "
                            f"with it the optimizer's state_dict (as PyTorch refuses it)")
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        named = [_is_named(p) for p in group["params"]]
        if any(named) and not all(named):
            raise ValueError(f"{where}: params must all be (name, tensor) pairs or all "
                             f"tensors, got a pair at position {named.index(True)} and no "
                             f"name at position {named.index(False)}")
        if self.param_groups and group["params"] and \
                all(named) != ("param_names" in self.param_groups[0]):
            raise ValueError(f"{where}: the param groups must all be named or all unnamed "
                             f"(as in PyTorch), got a group "
                             f"{'with' if all(named) else 'without'} names to add to groups "
                             f"{'without' if all(named) else 'with'}")
        if group["params"] and all(named):
            # model.named_parameters(), as PyTorch (2.2 on) takes it: the names are kept
            group["param_names"] = [name for name, _ in group["params"]]
            group["params"] = [p for _, p in group["params"]]
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(group["params"]):
            if not isinstance(p, Tensor):
                raise TypeError(f"{where}: params must be Tensors, got {type(p).__name__} at "
                                f"position {i}")
            if not (p.is_leaf or p.retains_grad):  # (one that does not require grad is
                # kept, as in PyTorch, and skipped while its .grad is None: a frozen layer)
                raise ValueError(f"{where}: params must be leaf tensors (made by you, not by "
                                 f"an op), got the output of {type(p.grad_fn).__name__} of "
                                 f"shape {tuple(p.shape)} at position {i}; pass the tensor it "
                                 f"was computed from")
            if id(p) in seen:  # it would be updated twice per step
                raise ValueError(f"{where}: each parameter must appear once, got the tensor of "
                                 f"shape {tuple(p.shape)} at position {i} a second time")
            seen.add(id(p))
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set them to None (default, as PyTorch) or to zero."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.array[...] = 0

    def step(self):
        raise NotImplementedError

    def state_dict(self) -> dict:
        """{"state": {index: {name: value}}, "param_groups": [{hyper-params, "params":
        [indices]}]}, parameters numbered in group order as in PyTorch. Arrays (also in lists:
        LBFGS's history) are copies. The state_dict hooks run before and after
        (``register_state_dict_pre_hook``)."""
        for hook in self._hooks("_state_dict_pre_hooks"):
            hook(self)
        packed = self._packed_state()
        for hook in self._hooks("_state_dict_post_hooks"):
            result = hook(self, packed)
            if result is not None:
                packed = result
        return packed

    def _packed_state(self) -> dict:
        """``state_dict``'s dict, before its hooks."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _snapshot(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and state saved by ``state_dict`` (e.g. after
        ``tn.load``); the groups must hold the same number of parameters. The load hooks
        run before and after (``register_load_state_dict_pre_hook``)."""
        where = f"{type(self).__name__}.load_state_dict"
        pre_hooks = self._hooks("_load_state_dict_pre_hooks")
        if pre_hooks and isinstance(state_dict, dict):
            state_dict = dict(state_dict)  # (a hook's changes stay out of the caller's dict)
        for hook in pre_hooks:
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= \
                set(state_dict) or not isinstance(state_dict["state"], dict) or \
                not isinstance(state_dict["param_groups"], (list, tuple)):
            keys = sorted(map(str, state_dict))[:6] if isinstance(state_dict, dict) else None
            raise ValueError(f"{where}: state_dict must be an optimizer's state_dict(), a "
                             f"dict with 'state' (a dict) and 'param_groups' (a list), got "
                             f"{type(state_dict).__name__}"
                             + (f" with keys {keys}" if keys is not None else "")
                             + (" (a model's state_dict?)" if keys and "param_groups" not
                                in state_dict else ""))
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{where}: state_dict must have as many parameter groups as the "
                             f"optimizer ({len(self.param_groups)}), got {len(groups)}")
        params_by_index = {}
        for i, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{where}: parameter group {i} of state_dict must have as "
                                 f"many parameters as the optimizer's ({len(group['params'])}), "
                                 f"got {len(saved['params'])}")
            params_by_index.update(zip(saved["params"], group["params"]))
        state = {}  # built aside: a refused state dict leaves the optimizer as it was
        for key, values in state_dict["state"].items():
            p = params_by_index.get(int(key))
            if p is None:
                raise ValueError(f"{where}: state_dict holds state for parameter {key!r}, "
                                 f"which none of its param_groups lists (they list "
                                 f"{sorted(params_by_index)[:8]})")
            state[p] = {name: ([self._restored(where, f"{name!r}[{i}]", key, p, v)
                                for i, v in enumerate(value)] if isinstance(value, list)
                               else self._restored(where, repr(name), key, p, value))
                        for name, value in values.items()}
        self.state = collections.defaultdict(dict, state)
        # each group becomes the saved one, with its own parameters, as in PyTorch: a key
        # the saved group lacks, such as a later scheduler's initial_lr, does not survive
        # (a hyper-parameter of the optimizer's defaults does: a state dict saved before
        # it existed)
        for saved, group in zip(groups, self.param_groups):
            for k in [k for k in group
                      if k != "params" and k not in saved and k not in self.defaults]:
                del group[k]
            for k, v in saved.items():
                if k != "params":
                    group[k] = copy.deepcopy(v)
        for hook in self._hooks("_load_state_dict_post_hooks"):
            hook(self)

    def _state_shape(self, p) -> tuple:
        """The shape of ``p``'s array state: ``p``'s own (LBFGS's: all parameters, flat)."""
        return p.shape

    def _restored(self, where: str, name: str, key, p, value):
        """A state value loaded for ``p``: an array of ``_state_shape(p)`` in ``p``'s dtype,
        a 0-d array as its Python number, anything else as it is. An optimizer whose
        ``step`` is written outside tinynet (as PyTorch's optimizers are written) gets a
        tensor back as a tensor, of ``p``'s dtype when it has p's shape: that ``step``
        calls tensor methods on its state. (tinynet's steps, a subclass's too, keep
        arrays.)"""
        if isinstance(value, Tensor) and not _step_is_tinynets(type(self)):
            return self._restored_tensor(where, name, key, p, value)
        value = value.array if isinstance(value, Tensor) else value
        if not isinstance(value, np.ndarray):
            return value
        if value.ndim == 0:
            return value.item()
        shape = self._state_shape(p)
        if value.shape != shape:
            raise ValueError(f"{where}: state {name} of parameter {key} must have the "
                             f"parameter's shape {shape}, got {value.shape}")
        return _in_dtype_of(where, name, key, p, value)

    def _restored_tensor(self, where: str, name: str, key, p, value: Tensor) -> Tensor:
        """A copy of a tensor state value of a user's optimizer: cast to ``p``'s dtype when
        it is floating and of p's shape (as PyTorch casts state to its parameter's), else
        as it is."""
        array = value.array
        if array.shape == tuple(p.shape) and array.dtype.kind == "f":
            array = _in_dtype_of(where, name, key, p, array)
        return Tensor._wrap(array.copy(), False, None)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
