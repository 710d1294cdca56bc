"""Names for what a drawing shows: parameters ("0.weight"), the module that created an op
("layer 3 · ReLU", as the diagnostics name layers) and short value summaries."""
import numpy as np

from tinynet.diagnostics.labels import SEPARATOR, layer_labels, layer_numbers


class ModelNames:
    """Parameter and module names of one model, looked up by identity.

    ``params``: {id(parameter): dotted name}; ``modules``: {id(module): (label, layer
    number or None)}. Modules without submodules take ``layer_labels``' "layer k · Kind";
    containers that run ops themselves read "path · Kind"; the model itself its class
    name. ``owners``: {id(parameter): the module holding it as an attribute}.
    """

    def __init__(self, model):
        self.params, self.modules, self.owners = {}, {}, {}
        if model is None:
            return
        named = list(model.named_modules())
        leaves = {path: {"kind": type(m).__name__} for path, m in named
                  if path and next(m.named_children(), None) is None}
        labels, numbers = layer_labels(leaves), layer_numbers(leaves)
        for path, module in named:
            kind = type(module).__name__
            if path in labels:
                self.modules[id(module)] = (labels[path], numbers[path] or None)
            else:
                self.modules[id(module)] = (f"{path}{SEPARATOR}{kind}" if path else kind, None)
            for value in vars(module).values():
                if getattr(value, "requires_grad", False):
                    self.owners.setdefault(id(value), module)
        for name, p in model.named_parameters():
            self.params[id(p)] = name

    def module_label(self, module) -> tuple:
        """(label, layer number or None) of ``module``; a module outside the model is
        named by its class."""
        return self.modules.get(id(module), (type(module).__name__, None))


def op_title(op: str, module_label: str | None = None) -> str:
    """'Linear' alone, or with the module that made it: 'layer 1 · Linear' when the
    module is named after the op, else 'Mul · layer 1 · Swish'."""
    if module_label is None:
        return op
    place, _, kind = module_label.rpartition(SEPARATOR)
    kind = kind.removesuffix(" (output)")
    if kind == op:
        return module_label if place else op
    return f"{op}{SEPARATOR}{module_label}"


def shape_text(shape: tuple) -> str:
    return "scalar" if shape == () else str(tuple(shape))


def summarize(array) -> str:
    """A short summary of an array's values: one number, up to 4 values, the first
    values of an integer array, or mean / std / min / max. A mean within the dtype's
    rounding of zero at the values' scale (|mean| <= eps · max |x|: a cross-entropy's
    gradient, whose rows sum to 0) is 0: its digits are rounding noise, and differ
    between CPUs (numpy's vectorised exp, say)."""
    a = np.asarray(array)
    if a.size == 1:
        return _number(a.item())
    if a.size == 0:
        return "empty"
    if a.size <= 4:
        return "[" + ", ".join(_number(v) for v in a.ravel().tolist()) + "]"
    if a.dtype.kind != "f":
        return "[" + ", ".join(_number(v) for v in a.ravel()[:3].tolist()) + ", …]"
    with np.errstate(all="ignore"):
        a64 = a.astype(np.float64)
        mean = a64.mean()
        if np.isfinite(mean) and abs(mean) <= np.finfo(a.dtype).eps * np.abs(a64).max():
            mean = 0.0
        return (f"mean {_number(mean, 3)} std {_number(a64.std(), 3)} "
                f"min {_number(a64.min(), 3)} max {_number(a64.max(), 3)}")


def _number(value, digits: int = 4) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.{digits}g}"
    return "0" if text == "-0" else text
