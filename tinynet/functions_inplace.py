"""Module-level forms of the elementwise in-place methods, as in PyTorch: ``tn.exp_(x)`` is
``x.exp_()``, which writes into ``x`` and returns it (its own array outside the graph,
counted by its version counter; inside it, ``x`` rebound to the recorded result; a leaf
that requires grad is refused: see ``tensor_inplace.py``). Those PyTorch has at the top
level whose out-of-place form (``tn.exp``, in ``functions.py``) and in-place method
tinynet has; ``celu_`` and ``rrelu_`` are in ``nn/_top_level.py``."""
# ruff: noqa: A002  (PyTorch's argument name: input)


def abs_(input):
    return input.abs_()


def neg_(input):
    return input.neg_()


def exp_(input):
    return input.exp_()


def log_(input):
    return input.log_()


def sqrt_(input):
    return input.sqrt_()


def square_(input):
    return input.square_()


def sigmoid_(input):
    return input.sigmoid_()


def tanh_(input):
    return input.tanh_()


def relu_(input):
    return input.relu_()


def logit_(input, eps=None):
    return input.logit_(eps)


def xlogy_(input, other):
    return input.xlogy_(other)


def ceil_(input):
    return input.ceil_()


def floor_(input):
    return input.floor_()


def round_(input, *, decimals=0):
    return input.round_(decimals=decimals)


def trunc_(input):
    return input.trunc_()


fix_ = trunc_


def frac_(input):
    return input.frac_()


def clamp_(input, min=None, max=None):
    return input.clamp_(min, max)


clip_ = clamp_


def clamp_min_(input, min):
    return input.clamp_min_(min)


def clamp_max_(input, max):
    return input.clamp_max_(max)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return input.nan_to_num_(nan, posinf, neginf)


def zero_(input):
    return input.zero_()


def fill_(input, value):
    return input.fill_(value)
