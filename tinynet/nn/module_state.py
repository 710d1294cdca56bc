"""``ModuleState``: a module's ``state_dict`` and ``load_state_dict``: its parameters and
persistent buffers by dotted name, saved and copied back in place. ``Module`` inherits
them; see ``module.py``."""
import copy
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from tinynet.checks import cast_problem
from tinynet.nn.module_state_hooks import (LOAD_POST, LOAD_PRE, SAVE_POST, SAVE_PRE,
                                           StateDictHooks, any_hooks, hooked_state_dict,
                                           run_load_post_hooks, run_load_pre_hooks)
from tinynet.nn.parameter import Parameter, UninitializedParameter
from tinynet.tensor import Tensor

EXTRA_STATE = "_extra_state"  # the key of a module's get_extra_state() in its state_dict


class _IncompatibleKeys(namedtuple("_IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the names it missed and those it did not know;
    printed as PyTorch prints it (under its name, and so when both are empty)."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


IncompatibleKeys = _IncompatibleKeys


class ModuleState(StateDictHooks):
    """State dicts (the module's traversal, ``named_modules``, comes from ``Module``)."""

    # buffers a state dict may lack (written before they existed): the module keeps its
    # own value, as PyTorch's BatchNorm keeps num_batches_tracked for older checkpoints
    _optional_state = ()

    def state_dict(self, *, destination=None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Name -> tensor sharing the data (detached) of each parameter and persistent
        buffer, module by module: its parameters, then its buffers (PyTorch's order),
        then what its ``get_extra_state()`` returns (as it is), when its class defines it. A
        tensor two modules share (tied weights) is under each name, as in PyTorch; for
        it ``load_state_dict`` needs one of them (older files hold one).

        Args (PyTorch's): ``destination``, a dict to fill (and return); ``prefix``, put
        before every name; ``keep_vars``, the parameters and buffers themselves, not
        detached tensors."""
        if not isinstance(prefix, str):
            raise TypeError(f"state_dict: prefix must be a string, got {type(prefix).__name__}")
        out = OrderedDict() if destination is None else destination
        if any_hooks(self, SAVE_PRE) or any_hooks(self, SAVE_POST):
            hooked_state_dict(self, out, prefix, keep_vars, lambda module: (
                (name, _kept(t, keep_vars)) for name, t in own_state(module, extra=True)))
            return out
        for name, t in self._state_items(extra=True):
            out[prefix + name] = _kept(t, keep_vars)
        return out

    def _state_copy(self) -> dict:
        """A copy of ``state_dict()`` that later changes do not reach (arrays copied, an
        extra state deep-copied), for ``load_state_dict`` to put back: what a training
        loop snapshots (the best epoch's weights, the start of an epoch)."""
        return {name: value.array.copy() if isinstance(value, Tensor) else
                copy.deepcopy(value) for name, value in self._state_items(extra=True)}

    def _state_items(self, extra: bool = False):
        """(dotted name, tensor) for each parameter and persistent buffer; as in PyTorch,
        one shared by two modules (tied weights, a module used twice) under each name.
        With ``extra``, after a module's own, its ``get_extra_state()`` under
        '_extra_state', when its class defines one."""
        for module_name, module in self.named_modules(remove_duplicate=False):
            head = f"{module_name}." if module_name else ""
            for name, value in own_state(module, extra):
                yield head + name, value

    def get_extra_state(self):
        """What ``state_dict`` keeps of this module beyond its parameters and buffers
        (under '_extra_state'), for a subclass to define, with ``set_extra_state``, as
        in PyTorch; ``Module``'s own has none."""
        raise RuntimeError(f"{type(self).__name__}.get_extra_state: define it (and "
                           f"set_extra_state) to keep extra state in the state_dict")

    def set_extra_state(self, state) -> None:
        """Restore what ``get_extra_state`` returned (``load_state_dict`` calls it)."""
        raise RuntimeError(f"{type(self).__name__}.set_extra_state: define it (and "
                           f"get_extra_state) to load extra state from a state_dict")

    def _extra_state_owners(self) -> dict:
        """'<module>._extra_state' -> the module, for each module whose class defines
        ``set_extra_state`` (``load_state_dict`` gives it the value under that key)."""
        return {(f"{name}." if name else "") + EXTRA_STATE: module
                for name, module in self.named_modules(remove_duplicate=False)
                if type(module).set_extra_state is not ModuleState.set_extra_state}

    def load_state_dict(self, state_dict, strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy values into the parameters and buffers, in place, cast to each one's
        dtype; with ``assign=True``, make each given tensor itself the parameter or
        buffer instead (its dtype and memory kept; a parameter keeps the module's
        ``requires_grad``), as PyTorch's. An optimizer made before then holds the old
        parameters. A module whose class defines ``set_extra_state`` gets the value under
        its '_extra_state' key (a missing one is a missing key). The load hooks
        (``register_load_state_dict_pre_hook``...) run as PyTorch's: the pre-hooks on a
        copy of ``state_dict`` before anything is read; the post-hooks after loading, and
        a strict load raises for the missing and unexpected keys they leave.

        Raises:
            RuntimeError: naming every mis-shaped key and every value that would lose
                information in the cast (complex or text values, float64 values beyond
                float32's range) (always), and every missing or unexpected key (when
                ``strict``).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: state_dict must be a mapping of names to "
                            f"tensors (as model.state_dict() gives), got "
                            f"{type(state_dict).__name__}")
        hooked_missing, hooked_unexpected, errors = [], [], []
        if any_hooks(self, LOAD_PRE):
            state_dict, hooked_missing, hooked_unexpected, errors = run_load_pre_hooks(
                self, state_dict, strict)
        own = dict(self._state_items())
        # a shared tensor's other names stand in for a missing one (files written before
        # state_dict listed every name held one name per tensor)
        present = {id(t) for k, t in own.items() if k in state_dict}
        extras = self._extra_state_owners()
        optional = {(f"{name}." if name else "") + key
                    for name, module in self.named_modules(remove_duplicate=False)
                    for key in module._optional_state}
        missing = [k for k in own if k not in state_dict and id(own[k]) not in present and
                   k not in optional] + [k for k in extras if k not in state_dict]
        missing += [k for k in hooked_missing if k not in missing]
        unexpected = [k for k in state_dict if k not in own and k not in extras]
        unexpected += [k for k in hooked_unexpected if k not in unexpected]
        values = {}
        for name, p in own.items():
            if name in state_dict:
                value = np.asarray(state_dict[name].array if isinstance(state_dict[name], Tensor)
                                   else state_dict[name])
                lazy = isinstance(p, UninitializedParameter)  # takes the value's shape
                if not lazy and value.shape != p.shape:
                    errors.append(f"size mismatch for {name}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current "
                                  f"model is {p.shape}")
                problem = None if assign else cast_problem(value, p.dtype)
                if problem:
                    errors.append(f"dtype mismatch for {name}: {problem}")
                if lazy and value.shape == (0,):
                    continue  # an uninitialised parameter's entry: it stays lazy
                values[name] = value
        # (with post-hooks, which may forgive missing or unexpected keys, those are
        # judged after loading, as PyTorch judges them)
        judged_later = any_hooks(self, LOAD_POST)
        if strict and not judged_later:
            errors += _key_errors(missing, unexpected)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        if assign:  # only after every check passed
            self._assign_states(own, {name: (state_dict[name], value)
                                      for name, value in values.items()})
        else:
            for name, value in values.items():  # only after every check passed
                if isinstance(own[name], UninitializedParameter):
                    own[name].materialize(value.shape)
                own[name].array[...] = value
                own[name].bump_version()
        for key, module in extras.items():
            if key in state_dict:
                module.set_extra_state(state_dict[key])
        result = IncompatibleKeys(missing, unexpected)
        if judged_later:
            run_load_post_hooks(self, result)
            errors = _key_errors(missing, unexpected) if strict else []
            if errors:
                raise RuntimeError(f"Error(s) in loading state_dict for "
                                   f"{type(self).__name__}:\n\t" + "\n\t".join(errors))
        return result

    def _assign_states(self, own: dict, given: dict) -> None:
        """``load_state_dict(assign=True)``: each given tensor (with the array made of
        it) becomes the attribute it is named for, sharing its memory; in place of a
        parameter, as a Parameter with the current one's ``requires_grad``. A tensor the
        module holds under several names (tied weights) is replaced under each, by the
        first of them given, so it stays one tensor."""
        replacement = {}  # id of a current tensor -> the tensor taking its place
        for name, (tensor, array) in given.items():
            current = own[name]
            if id(current) not in replacement:
                replacement[id(current)] = _assigned(current, tensor, array)
        for name, current in own.items():
            if id(current) in replacement:
                owner_name, _, attribute = name.rpartition(".")
                owner = self.get_submodule(owner_name) if owner_name else self
                setattr(owner, attribute, replacement[id(current)])


def _assigned(current: Tensor, given, array: np.ndarray) -> Tensor:
    """What takes ``current``'s place under ``assign=True``: ``given`` itself (a Parameter
    when ``current`` is one, with its ``requires_grad``), or a tensor of ``array``."""
    if isinstance(current, Parameter):
        if isinstance(given, Parameter):
            return given.requires_grad_(current.requires_grad)
        parameter = Parameter.__new__(Parameter)
        parameter._adopt(array, current.requires_grad)
        return parameter
    return given if isinstance(given, Tensor) else Tensor._wrap(array, False, None)


def own_parameters(module):
    """(name, parameter) for each Parameter attribute of ``module`` (not its children's),
    in order; one registered as a buffer (``register_buffer(name, Parameter(...))``) is a
    buffer only, as in PyTorch."""
    buffers = module._buffer_names
    for name, value in vars(module).items():
        if isinstance(value, Parameter) and name not in buffers:
            yield name, value


def own_state(module, extra: bool = False):
    """(name, value) of ``module``'s own state-dict entries: its parameters, its
    persistent buffers, then (with ``extra``) what its ``get_extra_state()`` returns,
    when its class defines one."""
    yield from own_parameters(module)
    yield from module._own_buffers(persistent_only=True)
    if extra and type(module).get_extra_state is not ModuleState.get_extra_state:
        yield EXTRA_STATE, module.get_extra_state()


def _kept(value, keep_vars: bool):
    """A state-dict entry: a tensor detached (sharing its data), unless ``keep_vars``."""
    return value.detach() if isinstance(value, Tensor) and not keep_vars else value


def _key_errors(missing: list, unexpected: list) -> list:
    """A strict load's complaints, in PyTorch's words."""
    errors = []
    if missing:
        errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
    if unexpected:
        errors.append("Unexpected key(s) in state_dict: "
                      + ", ".join(f'"{k}"' for k in unexpected))
    return errors
