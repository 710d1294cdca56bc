"""``compare_grads``: check gradients derived by hand against autograd's, tensor by tensor.

As the ``cmp`` of Karpathy's "Becoming a backprop ninja" (makemore part 4): for each
tensor, whether the two gradients are bit-for-bit equal, whether they are equal within
floating-point tolerance, and the largest absolute difference. Unlike ``cmp`` (and
``np.allclose``), shapes must match exactly: a (32, 1) gradient for a (32,) tensor is a
bug that broadcasting would hide.
"""
import html
from dataclasses import dataclass

import numpy as np

from tinynet.tensor import Tensor

RTOL, ATOL = 1e-5, 1e-8  # np.allclose's and torch.allclose's defaults


@dataclass
class GradCheck:
    """One tensor's comparison.

    Attributes:
        name: the tensor's name.
        exact: every element bit-for-bit equal (and the same shape).
        approximate: ``np.allclose(mine, reference, rtol, atol)`` (and the same shape):
            |mine - reference| <= atol + rtol·|reference| elementwise.
        maxdiff: max |mine - reference| (nan when the shapes differ).
        problem: '' or what prevented the comparison ('shape (32, 1) vs (32,)').
    """

    name: str
    exact: bool
    approximate: bool
    maxdiff: float
    problem: str = ""

    @property
    def difference(self) -> str:
        return self.problem or f"{self.maxdiff:.3g}"


class GradComparison(list):
    """The ``GradCheck`` rows; prints as a table, shows as HTML in a notebook.
    ``passed``: every row approximately equal; ``exact``: every row bit-for-bit."""

    @property
    def passed(self) -> bool:
        return all(row.approximate for row in self)

    @property
    def exact(self) -> bool:
        return all(row.exact for row in self)

    def __str__(self) -> str:
        header = ("name", "exact", "approximate", "maxdiff")
        rows = [header] + [(r.name, str(r.exact), str(r.approximate), r.difference)
                           for r in self]
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines = [" | ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + " | " + row[3]
                 for row in rows]
        lines.insert(1, "-+-".join("-" * w for w in widths) + "-+-" + "-" * len(header[3]))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def mark(ok):
            return '<td style="color:green">✔</td>' if ok else '<td style="color:red">✘</td>'
        rows = "".join(f"<tr><td>{html.escape(r.name)}</td>{mark(r.exact)}"
                       f"{mark(r.approximate)}<td>{html.escape(r.difference)}</td></tr>"
                       for r in self)
        return ("<table><tr><th>name</th><th>exact</th><th>approximate</th>"
                f"<th>maxdiff</th></tr>{rows}</table>")


def compare_grads(mine, reference=None, *, rtol: float = RTOL, atol: float = ATOL,
                  verbose: bool = True) -> GradComparison:
    """Compare hand-computed gradients with reference ones, tensor by tensor.

    Args:
        mine: {name: your gradient (array or Tensor)}, or a list of (name, your
            gradient, reference) triples (then leave ``reference`` out), as Karpathy's
            ``cmp('logprobs', dlogprobs, logprobs)``.
        reference: {name: Tensor whose ``.grad`` autograd filled (call ``retain_grad()``
            on intermediate tensors before ``backward()``), or the gradient array}.
        rtol, atol: the tolerances of "approximate" (np.allclose's defaults).
        verbose: print the table (default True).

    Returns:
        GradComparison: a list of ``GradCheck`` rows; ``.passed`` when every one is
        approximately equal.

    Example:
        >>> import numpy as np, tinynet as tn
        >>> x = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> result = tn.classroom.compare_grads({"x": 2 * x.array}, {"x": x})
        name | exact | approximate | maxdiff
        -----+-------+-------------+--------
        x    | True  | True        | 0
        >>> result.passed
        True
    """
    triples = _triples(mine, reference)
    result = GradComparison(_compare(name, a, b, rtol, atol) for name, a, b in triples)
    if verbose:
        print(result)
    return result


def _triples(mine, reference) -> list:
    if isinstance(mine, dict):
        if not isinstance(reference, dict):
            raise TypeError("compare_grads: with a dict of your gradients, reference must be "
                            f"a dict of the same names, got {type(reference).__name__}")
        missing = [name for name in mine if name not in reference]
        if missing:
            raise KeyError(f"compare_grads: reference must hold each of your names, got no "
                           f"reference for {missing} (reference has {list(reference)})")
        return [(name, mine[name], reference[name]) for name in mine]
    if reference is not None:
        raise TypeError(f"compare_grads: reference must be None with a list of (name, your "
                        f"gradient, reference) triples, got {type(reference).__name__}; pass "
                        f"either two dicts, or one list of triples")
    triples = list(mine)
    for entry in triples:
        if not (isinstance(entry, tuple) and len(entry) == 3):
            raise TypeError("compare_grads: each entry must be a (name, your gradient, "
                            f"reference) triple, got {entry!r}")
    return triples


def _compare(name: str, mine, reference, rtol: float, atol: float) -> GradCheck:
    a = mine.array if isinstance(mine, Tensor) else np.asarray(mine)
    b = _reference_grad(name, reference)
    if a.shape != b.shape:
        return GradCheck(name, False, False, float("nan"), f"shape {a.shape} vs {b.shape}")
    exact = bool(np.array_equal(a, b))
    approximate = bool(np.allclose(a, b, rtol=rtol, atol=atol))
    with np.errstate(invalid="ignore"):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    maxdiff = float(diff.max()) if diff.size else 0.0
    return GradCheck(name, exact, approximate, maxdiff)


def _reference_grad(name: str, reference) -> np.ndarray:
    if not isinstance(reference, Tensor):
        return np.asarray(reference)
    if reference.grad is None:
        hint = ("call retain_grad() on it before backward()" if reference.grad_fn is not None
                else "does it require grad, and did backward() reach it?")
        raise ValueError(f"compare_grads: reference {name!r} has no gradient (.grad is "
                         f"None): {hint}; or pass the gradient array itself")
    return reference.grad.array
