"""``MLP``: the classic deep multilayer perceptron, activation chosen by name."""
import numpy as np

from tinynet import nn
from tinynet.checks import check_int
from tinynet.nn import init

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
}
NORMS = (None, "layernorm")
INITS = ("auto", "pytorch", "kaiming", "xavier", "sklearn")


def make_activation(name: str) -> nn.Module:
    """A fresh activation module from its name (see ``ACTIVATIONS``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name][0]()


class MLP(nn.Sequential):
    """Linear → activation (→ LayerNorm) for each hidden layer, then a Linear to raw logits.

    Args:
        in_features: input width D_in.
        hidden: hidden widths, e.g. ``[32] * 8`` for 8 hidden layers of 32 units.
        out_features: number of outputs (classes, for logits).
        activation: one of ``ACTIVATIONS`` (default 'gelu').
        norm: None (default) or 'layernorm', applied after each activation.
        init: 'auto' (default): Kaiming-normal with the activation's gain for the
            ReLU family, ELU and GELU, Xavier-uniform with its gain for sigmoid, tanh
            and identity, and PyTorch's default under LayerNorm (which undoes the
            scale); 'kaiming' / 'xavier' force one; 'pytorch' keeps Linear's default;
            'sklearn' copies scikit-learn's MLP: weights and biases from
            U(±√(6 / (D_in + D_out))), √(2 / ...) for sigmoid. Otherwise biases start
            from U(-1/√D_in, 1/√D_in), as in PyTorch: zero biases would put every
            first-layer kink through the origin.
        dtype: parameter dtype (default: the default dtype).
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
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of "
                             f"{sorted(ACTIVATIONS)}")
        if norm not in NORMS:
            raise ValueError(f"norm must be None or 'layernorm', got {norm!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
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
            layers += [nn.Linear(width, h, dtype=dtype, generator=first_draw),
                       make_activation(activation)]
            if norm == "layernorm":
                layers.append(nn.LayerNorm(h, dtype=dtype))
            width = h
        layers.append(nn.Linear(width, out_features, dtype=dtype, generator=first_draw))
        super().__init__(*layers)
        self.activation, self.norm, self.init = activation, norm, init
        # NOTE: in here ``init`` is the argument (a str), not the ``nn.init`` module.
        if redrawn:
            self._initialise(activation, init, generator)

    def _initialise(self, activation: str, scheme: str, generator) -> None:
        nonlinearity = ACTIVATIONS[activation][1]
        if scheme == "auto" and self.norm == "layernorm":
            # LayerNorm undoes any weight scale, and Kaiming's larger weights only shrink
            # Adam's relative steps: 0.724 vs 0.944 on digits at depth 12 (examples/).
            scheme = "pytorch"
        elif scheme == "auto":
            bounded = nonlinearity in ("sigmoid", "tanh", "linear")
            scheme = "xavier" if bounded else "kaiming"
        linears = [m for m in self.children() if isinstance(m, nn.Linear)]
        for i, layer in enumerate(linears):
            last = i == len(linears) - 1
            gain = 1.0 if last else init.calculate_gain(nonlinearity)
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
