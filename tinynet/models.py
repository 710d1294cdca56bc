"""``MLP``: the classic deep multilayer perceptron, activation chosen by name or class.

Any activation module works, tinynet's or yours: a ``Module`` with ``forward`` and
``derivative(x, y)`` (f'(x) from the input x and output y), which the Monitor uses to
count dead and saturated units. Pass its class (or any function returning a fresh
module) as ``activation=``, or ``register_activation`` it under a name that ``MLP``,
``compare_activations`` and the ``tinynet`` command then accept.
"""
import importlib

import numpy as np

from tinynet import nn
from tinynet.checks import check_choice, check_int
from tinynet.diagnostics.monitor import is_activation
from tinynet.dtypes import get_default_dtype
from tinynet.nn import init

__all__ = [
    "ACTIVATIONS", "NORMS", "INITS", "register_activation", "resolve_activation",
    "make_activation", "MLP",
]

# name -> (module factory, nonlinearity name for nn.init.calculate_gain)
ACTIVATIONS = {
    "identity": (nn.Identity, "linear"),
    "relu": (nn.ReLU, "relu"),
    "leaky_relu": (nn.LeakyReLU, "leaky_relu"),
    "elu": (nn.ELU, "elu"),
    "gelu": (nn.GELU, "gelu"),
    "gelu_tanh": (lambda: nn.GELU(approximate="tanh"), "gelu_tanh"),
    "sigmoid": (nn.Sigmoid, "sigmoid"),
    "tanh": (nn.Tanh, "tanh"),
    # ReLU-shaped: Kaiming's √2, as for GELU (see nn.init.calculate_gain)
    "silu": (nn.SiLU, "relu"),
    "mish": (nn.Mish, "relu"),
    "softplus": (nn.Softplus, "relu"),
    "prelu": (nn.PReLU, "leaky_relu"),
    "selu": (nn.SELU, "selu"),
    "hardtanh": (nn.Hardtanh, "linear"),  # the identity on [-1, 1]: Xavier, gain 1
}
NORMS = (None, "layernorm")
INITS = ("auto", "pytorch", "kaiming", "xavier", "sklearn")


def register_activation(name: str, factory, gain: str = None) -> None:
    """Make ``factory`` (an activation module class, or a function returning a fresh
    module) available by ``name`` to ``MLP``, ``compare_activations`` and the CLI.
    ``gain``: the ``nn.init.calculate_gain`` name ``init='auto'`` scales Kaiming's init
    with (e.g. 'relu' for a ReLU-like activation); None: PyTorch's default init.

    Example:
        >>> import tinynet as tn
        >>> class Swish(tn.nn.Module):
        ...     def forward(self, x):
        ...         return x * x.sigmoid()
        ...     def derivative(self, x, y):
        ...         s = 1 / (1 + np.exp(-x))
        ...         return s * (1 + x * (1 - s))
        >>> tn.models.register_activation("swish_example", Swish)
        >>> tn.models.MLP(2, [8], 2, activation="swish_example")[1]
        Swish()
        >>> del tn.models.ACTIVATIONS["swish_example"]  # (a doctest cleans up after itself)
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_activation: name must be a non-empty str, got {name!r}")
    _check_activation("register_activation", factory)
    if gain is not None:
        init.calculate_gain(gain)  # refuses an unknown name now, not at the first MLP
    ACTIVATIONS[name] = (factory, gain)


def resolve_activation(where: str, activation) -> tuple:
    """(label, factory, gain) for an activation given by name (``ACTIVATIONS``, or
    'module:Class' to import one), by class / factory, or as such a triple already
    (how ``compare_activations`` sends a registered or imported activation to a worker
    process, whose registry does not hold it)."""
    if isinstance(activation, tuple) and len(activation) == 3:
        label, factory, gain = activation
        if not isinstance(label, str) or not label:
            raise TypeError(f"{where}: an activation triple's name must be a non-empty str, "
                            f"got {label!r}")
        _check_activation(where, factory)
        if gain is not None:
            init.calculate_gain(gain)
        return label, factory, gain
    if isinstance(activation, str):
        if ":" in activation and activation not in ACTIVATIONS:
            module, _, attribute = activation.partition(":")
            try:
                factory = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError) as error:
                raise ValueError(f"{where}: activation must be 'module:Class' naming an "
                                 f"importable class, got {activation!r} ({error})") from None
            _check_activation(where, factory, activation)
            return attribute, factory, _known_gain(factory)
        check_choice(where, "activation", activation, tuple(sorted(ACTIVATIONS)),
                     also="'module:Class' naming your own")
        factory, gain = ACTIVATIONS[activation]
        return activation, factory, gain
    _check_activation(where, activation)
    return getattr(activation, "__name__", type(activation).__name__), activation, \
        _known_gain(activation)


def _known_gain(factory):
    """The gain of a class ``ACTIVATIONS`` lists under a name (``nn.ReLU`` is 'relu''s),
    so that a class given itself is initialised as its name would be; else None."""
    for known, gain in ACTIVATIONS.values():
        if factory is known:
            return gain
    return None


def _check_activation(where: str, factory, named: str = None) -> None:
    """Refuse what does not make an activation module (``named``: the 'module:Class'
    the user wrote, said in the error beside what it names)."""
    if not callable(factory):
        what = f"{named!r}, which names {factory!r}" if named else repr(factory)
        raise TypeError(f"{where}: activation must be a name, an activation class or a "
                        f"function returning a module, got {what}")
    try:
        module = factory()
    except TypeError as error:  # (a class that needs arguments: nn.Linear, say)
        name = getattr(factory, "__name__", repr(factory))
        raise TypeError(f"{where}: activation must make a module with no arguments (the "
                        f"model makes one per layer), but {name}() fails: {error}") from None
    if not is_activation(module) and not isinstance(module, nn.Identity):
        raise TypeError(f"{where}: activation must make a Module with a derivative(x, y) "
                        f"method (the Monitor needs f'), got {type(module).__name__}")


def make_activation(name) -> nn.Module:
    """A fresh activation module from its name (see ``ACTIVATIONS``) or class."""
    return resolve_activation("make_activation", name)[1]()


class MLP(nn.Sequential):
    """Linear → activation (→ LayerNorm) for each hidden layer, then a Linear to raw logits.

    Args:
        in_features: input width D_in.
        hidden: hidden widths, e.g. ``[32] * 8`` for 8 hidden layers of 32 units.
        out_features: number of outputs (classes, for logits).
        activation: a name in ``ACTIVATIONS`` (default 'gelu'), 'module:Class' to import
            one, an activation module class (or a function returning a fresh module)
            with ``derivative(x, y)``, or the (name, factory, gain) triple of
            ``resolve_activation``; the model records its name in ``activation``.
        norm: None (default) or 'layernorm', applied after each activation.
        init: 'auto' (default): Kaiming-normal with the activation's gain for the
            ReLU family, ELU and GELU, Xavier-uniform with its gain for sigmoid, tanh
            and identity, and PyTorch's default under LayerNorm (which undoes the
            scale) or for an activation without a gain (a class or 'module:Class' that
            ``ACTIVATIONS`` does not list, or one registered without); 'kaiming' / 'xavier'
            force one; 'pytorch' keeps Linear's default;
            'sklearn' copies scikit-learn's MLP: weights and biases from
            U(±√(6 / (D_in + D_out))), √(2 / ...) for sigmoid. Otherwise biases start
            from U(-1/√D_in, 1/√D_in), as in PyTorch: zero biases would put every
            first-layer kink through the origin.
        dtype: parameter dtype (default: the default dtype), an activation module's own
            parameters included (cast in place: a factory handing out one shared module
            shares the cast).
        generator: a ``numpy.random.Generator`` for the initial weights (default: the
            global one, see ``tn.manual_seed``).

    Shape:
        input (N, D_in) -> logits (N, out_features).

    Example:
        >>> import tinynet as tn
        >>> net = tn.models.MLP(2, [16, 16], 3, activation="relu", norm="layernorm")
        >>> net(tn.zeros(5, 2)).shape
        (5, 3)
    """

    def __init__(self, in_features: int, hidden, out_features: int, activation: str = "gelu",
                 norm: str = None, init: str = "auto", dtype=None, generator=None):
        label, factory, gain = resolve_activation("MLP", activation)
        check_choice("MLP", "norm", norm, NORMS)
        check_choice("MLP", "init", init, INITS)
        hidden = [hidden] if isinstance(hidden, int) else list(hidden)
        check_int("MLP", "in_features", in_features, 1)
        check_int("MLP", "out_features", out_features, 1)
        for h in hidden:
            check_int("MLP", "hidden sizes", h, 1)
        # When _initialise below redraws every weight, the layers' own first draw is
        # thrown away: it comes from a private generator, so neither the global one nor
        # ``generator`` is consumed by values nobody keeps.
        redrawn = init != "pytorch" or generator is not None
        first_draw = np.random.default_rng(0) if redrawn else None
        layers, width = [], in_features
        for h in hidden:
            # an activation with parameters (PReLU's slope) takes the model's dtype too
            activation_module = factory()
            activation_module.to(np.dtype(dtype or get_default_dtype()))
            layers += [nn.Linear(width, h, dtype=dtype, generator=first_draw),
                       activation_module]
            if norm == "layernorm":
                layers.append(nn.LayerNorm(h, dtype=dtype))
            width = h
        layers.append(nn.Linear(width, out_features, dtype=dtype, generator=first_draw))
        super().__init__(*layers)
        self.activation, self.norm, self.init = label, norm, init
        # NOTE: in here ``init`` is the argument (a str), not the ``nn.init`` module.
        if redrawn:
            self._initialise(gain, init, generator)

    def _initialise(self, nonlinearity, scheme: str, generator) -> None:
        if scheme == "auto" and nonlinearity is None:
            scheme = "pytorch"  # an activation without a known gain: PyTorch's default
        if scheme == "auto" and self.norm == "layernorm":
            # with LayerNorm after each activation, depth does not compound the weights'
            # scale, and Kaiming's larger weights learned more slowly under Adam's default
            # rate (smaller relative steps; docs/activations.md measures it on digits)
            scheme = "pytorch"
        elif scheme == "auto":
            bounded = nonlinearity in ("sigmoid", "tanh", "linear")
            scheme = "xavier" if bounded else "kaiming"
        linears = [m for m in self.children() if isinstance(m, nn.Linear)]
        for i, layer in enumerate(linears):
            last = i == len(linears) - 1
            gain = 1.0 if last or nonlinearity is None else init.calculate_gain(nonlinearity)
            bound = 1 / layer.in_features ** 0.5  # PyTorch's bias init: spreads the kinks
            if scheme == "sklearn":  # sklearn.neural_network's _init_coef
                factor = 2.0 if nonlinearity == "sigmoid" else 6.0
                bound = (factor / (layer.in_features + layer.out_features)) ** 0.5
                init.uniform_(layer.weight, -bound, bound, generator)
            elif scheme == "pytorch":  # Linear's own default, redrawn from ``generator``
                init.uniform_(layer.weight, -bound, bound, generator)
            elif scheme == "kaiming":
                init.normal_(layer.weight, 0.0, gain / layer.in_features ** 0.5, generator)
            else:
                init.xavier_uniform_(layer.weight, gain=gain, generator=generator)
            init.uniform_(layer.bias, -bound, bound, generator)

    def extra_repr(self) -> str:
        return f"activation={self.activation!r}, norm={self.norm!r}, init={self.init!r}"
