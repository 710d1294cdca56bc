"""Readable layer labels ("layer 3 · ReLU") for a record's module names ("4")."""

SEPARATOR = " · "


def layer_labels(layers: dict) -> dict:
    """Name each module by its place in the network rather than by its module path.

    The ``Linear`` modules are numbered 1, 2, 3, ... in order; every other module takes
    the number of the ``Linear`` before it (so "layer 2 · ReLU" is the activation of the
    second Linear's output). Modules before the first Linear read "input · Kind"; the
    last Linear is marked "(output)". Only the order of ``layers`` counts, not the
    names, so nested names ("encoder.0") work as well as a Sequential's "0", "1", ...

    Args:
        layers: an epoch record's ``layers``: {module name: stats dict with a "kind"},
            in model order (as ``Monitor.end_epoch`` and ``History`` records keep them).

    Returns:
        {module name: label}, in the same order.

    Example:
        >>> layers = {"0": {"kind": "Linear"}, "1": {"kind": "ReLU"},
        ...           "2": {"kind": "Linear"}, "3": {"kind": "ReLU"}, "4": {"kind": "Linear"}}
        >>> for name, label in layer_labels(layers).items():
        ...     print(name, label)
        0 layer 1 · Linear
        1 layer 1 · ReLU
        2 layer 2 · Linear
        3 layer 2 · ReLU
        4 layer 3 · Linear (output)
        >>> layer_labels({"norm": {"kind": "LayerNorm"}, "encoder.0": {"kind": "Linear"}})
        {'norm': 'input · LayerNorm', 'encoder.0': 'layer 1 · Linear (output)'}
    """
    numbers = layer_numbers(layers)
    last = max(numbers.values(), default=0)
    labels = {}
    for name, stats in layers.items():
        kind = stats.get("kind", "module")
        place = f"layer {numbers[name]}" if numbers[name] else "input"
        output = " (output)" if kind == "Linear" and numbers[name] == last else ""
        labels[name] = place + SEPARATOR + kind + output
    return labels


def layer_numbers(layers: dict) -> dict:
    """{module name: the number of the last ``Linear`` at or before it} (0 before the
    first Linear): the "k" of ``layer_labels``' "layer k".

    Example:
        >>> layer_numbers({"0": {"kind": "Linear"}, "1": {"kind": "Tanh"},
        ...                "2": {"kind": "Linear"}})
        {'0': 1, '1': 1, '2': 2}
    """
    numbers, number = {}, 0
    for name, stats in layers.items():
        if stats.get("kind") == "Linear":
            number += 1
        numbers[name] = number
    return numbers
