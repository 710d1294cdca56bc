"""``TensorRandom``: PyTorch's in-place random fills, which ``Tensor`` inherits:
``normal_``, ``uniform_``, ``random_``, ``exponential_``, ``geometric_``, ``log_normal_``,
``cauchy_`` and ``bernoulli_``.

Each draws from the global generator (``tn.manual_seed``) or ``generator``, checks its
parameters by PyTorch's rules (an error names the method, the parameter, the rule and the
value, where numpy would raise its own message or fill the tensor with something else),
and writes the draws into the tensor in its dtype as ``fill_`` does (the version counts
the change; inside the graph the rules of ``fill_`` hold). The continuous ones refuse an
integer tensor, which would hold the draws truncated.

``uniform_`` and ``random_`` take PyTorch's keywords ``from`` and ``to``; ``from`` is a
Python keyword, so they are spelt ``x.uniform_(**{"from": -1, "to": 1})`` or, as most
code does, by position.
"""
import math
import numbers
import warnings

import numpy as np

from tinynet.checks import check_int
from tinynet.random import drawing_generator


def _number(where: str, name: str, value, integer: bool = False):
    """``value`` as a Python number (an int when ``integer``), also from a 0-d tensor, as
    PyTorch takes one; a bool is refused (PyTorch's random_ refuses it, and tinynet's
    other number arguments do)."""
    if hasattr(value, "array") and value.array.ndim == 0:  # (a Tensor: the package's
        values_read()  # lower layers cannot name the class here)
        value = value.array.item()
    if integer:
        return check_int(where, name, value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {value!r}")
    return float(value)


def _from_to(where: str, bounds: tuple, named: dict, defaults: tuple) -> tuple:
    """PyTorch's (from, to) of ``uniform_`` and ``random_``: by position or by keyword."""
    if len(bounds) > 2:
        raise TypeError(f"{where}: takes at most 2 positional arguments (from, to), got "
                        f"{len(bounds)}")
    unknown = sorted(set(named) - {"from", "to"})
    if unknown:
        raise TypeError(f"{where}: got an unexpected keyword argument {unknown[0]!r} (its "
                        f"bounds are 'from' and 'to')")
    values = dict(zip(("from", "to"), bounds))
    for name in named:
        if name in values:
            raise TypeError(f"{where}: got multiple values for argument {name!r}")
    values.update(named)
    return values.get("from", defaults[0]), values.get("to", defaults[1])


def check_continuous(where: str, dtype) -> None:
    """A continuous distribution's draws need a floating-point tensor."""
    if np.dtype(dtype).kind != "f":
        raise RuntimeError(f"{where}: draws from a continuous distribution need a "
                           f"floating-point tensor, got {np.dtype(dtype)}")


def check_normal(where: str, mean, std) -> tuple:
    """(mean, std) of N(mean, std²): std must be >= 0, as in PyTorch."""
    mean, std = _number(where, "mean", mean), _number(where, "std", std)
    if not std >= 0:  # (nan too)
        raise RuntimeError(f"{where}: std must be >= 0, got {std}")
    return mean, std


def check_uniform(where: str, low, high, dtype) -> tuple:
    """(from, to) of U(from, to): finite in ``dtype``, from <= to, and to - from finite
    in ``dtype``, as PyTorch requires."""
    low, high = _number(where, "from", low), _number(where, "to", high)
    largest = float(np.finfo(dtype).max) if np.dtype(dtype).kind == "f" else math.inf
    for name, value in (("from", low), ("to", high)):
        if not abs(value) <= largest:
            raise RuntimeError(f"{where}: {name} must be a finite number of the tensor's "
                               f"dtype {np.dtype(dtype)}, got {name}={value}")
    if low > high:
        raise RuntimeError(f"{where}: from must be <= to (draws in [from, to)), got "
                           f"from={low} and to={high}")
    if not high - low <= largest:
        raise RuntimeError(f"{where}: to - from must be at most the largest {np.dtype(dtype)}, "
                           f"got to={high} and from={low}")
    return low, high


def uniform_draws(rng, low: float, high: float, shape: tuple, dtype) -> np.ndarray:
    """U(low, high) draws in ``dtype``, each in [low, high): one that rounds up to ``high``
    in the dtype is the dtype's next number below it."""
    draws = rng.uniform(low, high, shape).astype(dtype)
    if low < high:
        below = np.nextafter(np.asarray(high, dtype), np.asarray(low, dtype))
        np.minimum(draws, below, out=draws)
    return draws


def _integer_range(where: str, low, high, dtype) -> tuple:
    """random_'s [from, to): integers, from < to, and within ``dtype`` (its exact integers,
    for a floating dtype: beyond them a warning, as PyTorch's)."""
    dtype = np.dtype(dtype)
    low = _number(where, "from", low, integer=True)
    if high is None:  # up to the dtype's largest (every integer exact in a float one)
        high = 2 ** (np.finfo(dtype).nmant + 1) + 1 if dtype.kind == "f" else \
            2 if dtype.kind == "b" else int(np.iinfo(dtype).max) + 1
    high = _number(where, "to", high, integer=True)
    if not low < high:
        raise RuntimeError(f"{where}: from must be < to (integers in [from, to)), got "
                           f"from={low} and to={high}")
    if dtype.kind == "f":  # (drawn as int64s)
        largest = min(float(np.finfo(dtype).max), 2 ** 63 - 1)
        if low < -largest - 1 or high - 1 > largest:
            raise RuntimeError(f"{where}: [from, to) must lie within the tensor's dtype "
                               f"{dtype} and int64 (±{largest:g}), got from={low} and "
                               f"to={high}")
        exact = 2 ** (np.finfo(dtype).nmant + 1)
        if low < -exact or high - 1 > exact:
            warnings.warn(f"{where}: integers beyond ±2^{np.finfo(dtype).nmant + 1} are not "
                          f"all exact in {dtype}; draws there are rounded, and stay below to "
                          f"(as in PyTorch)",
                          UserWarning, stacklevel=3)
    else:
        smallest, largest = (0, 1) if dtype.kind == "b" else \
            (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
        if low < smallest or high - 1 > largest:
            raise RuntimeError(f"{where}: [from, to) must lie within the tensor's dtype "
                               f"{dtype} ({smallest} to {largest}), got from={low} and "
                               f"to={high}")
    return low, high


def _probability(where: str, name: str, p, low_open: bool, high_open: bool) -> float:
    p = _number(where, name, p)
    above = p > 0 if low_open else p >= 0
    below = p < 1 if high_open else p <= 1
    if not (above and below):  # (nan too)
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise RuntimeError(f"{where}: {name} must be in {interval}, got {name}={p}")
    return p


class TensorRandom:
    """The in-place random fills (see the module's docstring)."""

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with draws from N(mean, std²)."""
        check_continuous("normal_", self.dtype)
        mean, std = check_normal("normal_", mean, std)
        rng = drawing_generator(generator, "normal_")
        return self._overwrite(rng.normal(mean, std, self.shape))

    def uniform_(self, *bounds, generator=None, **named):
        """``uniform_(from=0, to=1, *, generator=None)``: fill with draws from U(from, to),
        each in [from, to) (one that rounds up to ``to`` in the tensor's dtype is the
        dtype's next number below it)."""
        check_continuous("uniform_", self.dtype)
        low, high = check_uniform("uniform_", *_from_to("uniform_", bounds, named, (0.0, 1.0)),
                                  self.dtype)
        rng = drawing_generator(generator, "uniform_")
        return self._overwrite(uniform_draws(rng, low, high, self.shape, self.dtype))

    def random_(self, *bounds, generator=None, **named):
        """``random_(from=0, to=None, *, generator=None)``: fill with integers drawn
        uniformly from [from, to); ``random_(to)`` is [0, to). With no ``to``, up to the
        dtype's largest integer (for a float tensor, 2^mantissa bits, every integer up to
        it exact; for a bool one, 1)."""
        if len(bounds) == 1 and not named:
            bounds = (0, bounds[0])
        if "from" in named and "to" not in named:
            raise TypeError("random_: from needs to as well, as in PyTorch (to=None: up to "
                            "the dtype's largest)")
        low, high = _integer_range("random_", *_from_to("random_", bounds, named, (0, None)),
                                   self.dtype)
        rng = drawing_generator(generator, "random_")
        if self.dtype.kind in "iub":  # in the dtype's own (its largest value is drawn too)
            return self._overwrite(rng.integers(low, high, self.shape, dtype=self.dtype))
        # a float dtype rounds integers beyond 2^mantissa bits: none may round up to ``to``
        draws = rng.integers(low, high, self.shape).astype(self.dtype)
        below = np.nextafter(np.asarray(high, self.dtype), np.asarray(low, self.dtype))
        return self._overwrite(np.minimum(draws, below, out=draws))

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill with draws from the exponential distribution of rate ``lambd`` (density
        λ·e^(-λx), mean 1/λ); λ must be > 0."""
        check_continuous("exponential_", self.dtype)
        lambd = _number("exponential_", "lambd", lambd)
        if not lambd > 0:
            raise RuntimeError(f"exponential_: lambd must be > 0, got lambd={lambd}")
        rng = drawing_generator(generator, "exponential_")
        return self._overwrite(rng.exponential(1.0 / lambd, self.shape))

    def geometric_(self, p, *, generator=None):
        """Fill with draws from the geometric distribution: the number of Bernoulli(p)
        trials up to the first success (1, 2, ...; mean 1/p); p in (0, 1). Any dtype but
        bool, as in PyTorch."""
        if self.dtype.kind == "b":
            raise TypeError("geometric_: draws of 1, 2, ... need a tensor of numbers, got bool")
        p = _probability("geometric_", "p", p, low_open=True, high_open=True)
        rng = drawing_generator(generator, "geometric_")
        return self._overwrite(rng.geometric(p, self.shape))

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        """Fill with exp(z), z ~ N(mean, std²) (``mean`` and ``std`` are the logarithm's);
        std must be > 0."""
        check_continuous("log_normal_", self.dtype)
        mean, std = _number("log_normal_", "mean", mean), _number("log_normal_", "std", std)
        if not std > 0:
            raise RuntimeError(f"log_normal_: std must be > 0, got std={std}")
        rng = drawing_generator(generator, "log_normal_")
        return self._overwrite(rng.lognormal(mean, std, self.shape))

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        """Fill with draws from the Cauchy distribution (density
        1 / (πσ(1 + ((x - median)/σ)²))); σ must be > 0."""
        check_continuous("cauchy_", self.dtype)
        median, sigma = _number("cauchy_", "median", median), _number("cauchy_", "sigma", sigma)
        if not sigma > 0:
            raise RuntimeError(f"cauchy_: sigma must be > 0, got sigma={sigma}")
        rng = drawing_generator(generator, "cauchy_")
        return self._overwrite(median + sigma * rng.standard_cauchy(self.shape))

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 1 with probability ``p``, else 0: a number in [0, 1], or a
        floating-point tensor of probabilities broadcast to this tensor's shape. Any
        dtype."""
        if hasattr(p, "array"):  # a tensor of probabilities
            probability = p.array
            if probability.dtype.kind != "f":
                raise TypeError(f"bernoulli_: p must be a number or a floating-point tensor, "
                                f"got a tensor of {probability.dtype}")
            try:
                probability = np.broadcast_to(probability, self.shape)
            except ValueError:
                raise RuntimeError(f"bernoulli_: p of shape {tuple(probability.shape)} must "
                                   f"broadcast to the tensor's shape {tuple(self.shape)}") \
                    from None
            inside = (probability >= 0) & (probability <= 1)
            if not np.all(inside):
                bad = float(probability[~inside].flat[0])
                raise RuntimeError(f"bernoulli_: every probability in p must be in [0, 1], "
                                   f"got {bad}")
            values_read()  # the draws depend on p's values, by no op
        else:
            probability = _probability("bernoulli_", "p", p, low_open=False, high_open=False)
        draws = drawing_generator(generator, "bernoulli_").random(self.shape)
        return self._overwrite(draws < probability)


from tinynet.autograd.observers import values_read  # noqa: E402  (it imports Tensor)
