"""``broken``: break one op's backward on purpose, for a ``with`` block, to see which
checks catch a wrong gradient.

Each fault changes every gradient the op's backward returns (``None`` stays ``None``):

  * ``sign_flip``: ``-g``, the gradient negated (a sign slip, as d(-x)/dx = 1);
  * ``missing_factor``: ``g / 2``, a factor 2 dropped (as writing d(x²)/dx = x);
  * ``wrong_reduction``: ``g · N``, N the length of the gradient's first axis (1 for a
    scalar), as forgetting the 1/N of a mean over a batch of N: exactly that bug for the
    losses averaged over a batch of N rows and for a ``Mean`` over the first axis alone
    (a mean over every element of an (N, D) input forgot N·D, more than N); a scalar
    input (N = 1) shows nothing, as the bug would.

The op's class gets a wrapped ``backward`` while the block runs, and its own back on
exit, even when the block raises; the fast paths are off inside it, so the reference op
(the one a student reads) is the one that runs. Record the forward inside the block: a
graph recorded outside, with the fast paths on, holds fast variants it leaves alone.
NOTE: the op is broken for every thread meanwhile.
"""
import contextlib

import numpy as np

from tinynet import ops
from tinynet.autograd.function import Function
from tinynet.checks import check_choice, choice_message
from tinynet.fastpath import fast_paths

FAULTS = {  # kind -> what the broken backward returns instead of each gradient g
    "sign_flip": "-g: the gradient negated (a sign slip)",
    "missing_factor": "g / 2: a factor 2 dropped (as writing d(x²)/dx = x)",
    "wrong_reduction": "g · N, N the length of g's first axis (1 for a scalar): the 1/N "
                       "of a mean over a batch forgotten",
}
_WRONG = {
    "sign_flip": lambda g: -g,
    "missing_factor": lambda g: g / 2,
    "wrong_reduction": lambda g: g * (g.shape[0] if np.ndim(g) else 1),
}


@contextlib.contextmanager
def broken(op, kind: str):
    """Within the block, ``op``'s backward returns wrong gradients (see the module
    docstring for each ``kind``).

    Args:
        op: an op's name in ``tinynet.ops`` ('Mul', 'Linear', 'CrossEntropy'...) or a
            ``Function`` subclass (yours).
        kind: 'sign_flip', 'missing_factor' or 'wrong_reduction'.

    Yields:
        the op's class.

    Example:
        >>> import tinynet as tn
        >>> x = tn.tensor([1.0, 2.0], dtype=tn.float64, requires_grad=True)
        >>> with tn.classroom.broken("Mul", "sign_flip"):
        ...     tn.gradcheck(lambda t: t * t, (x,), raise_exception=False)
        False
        >>> tn.gradcheck(lambda t: t * t, (x,))
        True
    """
    cls = _op_class(op)
    check_choice("broken", "kind", kind, tuple(FAULTS))
    fault = _WRONG[kind]
    own = cls.__dict__.get("backward")  # None when inherited: then deleted on exit
    correct = cls.backward

    def backward(ctx, grad):
        grads = correct(ctx, grad)
        if type(ctx) is not cls:  # a subclass that inherits this backward (Min of Max)
            return grads
        if type(grads) is not tuple:
            return None if grads is None else fault(grads)
        return tuple(None if g is None else fault(g) for g in grads)

    cls.backward = staticmethod(backward)
    try:
        with fast_paths(False):  # the reference op runs, the one a student reads
            yield cls
    finally:
        if own is None:
            del cls.backward
        else:
            cls.backward = own


def _op_class(op) -> type:
    if isinstance(op, type) and issubclass(op, Function) and op is not Function:
        return op
    if isinstance(op, str) and op in ops.__all__:
        return getattr(ops, op)
    raise ValueError(choice_message("broken", "op", op, ops.__all__, "a Function subclass"))
