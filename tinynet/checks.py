"""Argument checks shared by every public entry point, with one message shape:

    "{where}: {name} must be {rule}, got {value!r}"

e.g. ``fit: lr must be a finite number > 0, got nan``. Each raises ``ValueError`` for a
value of the right type outside its range and ``TypeError`` for a value of the wrong
type (a string where a number goes), as Python and PyTorch do. An unknown name (an
activation, optimizer, loss, dataset...) lists the choices and suggests the closest one:
``MLP: activation must be one of 'elu', ..., got 'rleu' (did you mean 'relu'?)``.
"""
import difflib
import math
import numbers
import operator
import os
import sys


def _fail(error, where: str, name: str, rule: str, value):
    raise error(f"{where}: {name} must be {rule}, got {value!r}")


def check_real(where: str, name: str, value, low: float = -math.inf, high: float = math.inf,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float: a finite real number in the interval [low, high] (ends open
    when asked). Booleans are refused: ``lr=True`` is a mistake, not 1.0."""
    rule = "a finite number" + _interval(low, high, low_open, high_open)
    if hasattr(value, "item") and getattr(value, "shape", None) in ((), (1,)) and \
            not isinstance(value, numbers.Number):  # a one-element tensor (lr=tn.tensor(0.1))
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(TypeError, where, name, rule, value)
    number = float(value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not math.isfinite(number) or too_low or too_high:
        _fail(ValueError, where, name, rule, value)
    return number


def check_not_nan(where: str, name: str, value) -> float:
    """``value`` as a float: any real number, infinities included (a bound at ±inf leaves
    nothing out); nan, which compares false with everything, is refused. Booleans too."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(TypeError, where, name, "a real number", value)
    if math.isnan(value):
        _fail(ValueError, where, name, "a real number (not nan)", value)
    return float(value)


def check_fits(where: str, name: str, value: float, dtype) -> float:
    """``value`` if ``dtype`` holds it, as PyTorch refuses a number argument that overflows
    the input's dtype: for a floating dtype, any number but a finite one beyond its largest
    (1e5 for float16); for an integer dtype, a number from its min to its max (a float
    there is truncated toward zero by the caller: 255.9 does not fit uint8)."""
    import numpy as np

    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:  # (nan and the infinities too)
            _fail(ValueError, where, name, f"a number the input's dtype {np.dtype(dtype)} "
                                           f"holds (from {info.min} to {info.max})", value)
        return value
    largest = float(np.finfo(dtype).max)
    if math.isfinite(value) and abs(value) > largest:
        _fail(ValueError, where, name, f"within the range of the input's dtype "
                                       f"{np.dtype(dtype)} (|{name}| <= {largest:g})", value)
    return value


def check_floating(where: str, x, name: str = "input"):
    """``x`` if it is a floating-point tensor: the activations PyTorch has no integer or
    bool kernel for (``gelu``, ``elu``, ``softmax``...) refuse the others, as it does."""
    if x.dtype.kind != "f":
        raise TypeError(f"{where}: {name} must be a floating-point tensor, got {x.dtype} "
                        f"(convert it: {name}.float())")
    return x


def cast_first(where: str, x, dtype):
    """``x`` cast to ``dtype`` (the ``dtype=`` of ``softmax``, ``log_softmax``,
    ``softmin``: a floating dtype), or ``x`` itself when it is None."""
    if dtype is None:
        return x
    import numpy as np

    if np.dtype(dtype).kind != "f":
        raise TypeError(f"{where}: dtype must be a floating-point dtype, got {np.dtype(dtype)}")
    return x.to(dtype)


def check_not_bool(where: str, x):
    """``x`` if it is not a bool tensor: ``relu``, ``hardtanh``, ``threshold`` keep an
    integer tensor's dtype and ``softsign``, ``tanhshrink`` make it floating, but, as in
    PyTorch, none of them takes booleans."""
    if x.dtype.kind == "b":
        raise TypeError(f"{where}: input must be a tensor of numbers, not booleans, got "
                        f"{x.dtype} (convert it: input.float() or input.long())")
    return x


def args_or_keyword(where: str, args: tuple, name: str, value) -> tuple:
    """The sizes or dims of a method that takes them as ``*args`` or as the keyword
    ``name``, as PyTorch's do (``x.permute(1, 0)``, ``x.permute(dims=(1, 0))``): ``args``,
    or ``(value,)`` when the keyword was given."""
    if value is None:
        return args
    if args:
        raise TypeError(f"{where}: give {name} as arguments or as {name}=, not both, got "
                        f"{args!r} and {name}={value!r}")
    return (value,)


def check_flag(where: str, name: str, value, numpy_bool: bool = True) -> bool:
    """``value`` as a bool: True or False (and numpy's bools unless ``numpy_bool`` is
    False, where PyTorch refuses them too), else a TypeError naming it."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_) if numpy_bool else bool):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_int(where: str, name: str, value, low: int = None, high: int = None) -> int:
    """``value`` as an int (any integer type, numpy's too; not a bool or a float) in
    [low, high]."""
    rule = "an integer" + _interval(low, high, False, False)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        given, value = value, index_of(value)  # (a 0-d integer tensor, as PyTorch takes)
        if value is None:
            _fail(TypeError, where, name, rule, given)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        _fail(ValueError, where, name, rule, value)
    return value


def index_of(value):
    """The int of an object that stands for one (a 0-d integer tensor: ``__index__``),
    else None: not for a bool, a bool tensor, nor a tensor of one element but one dim."""
    if getattr(type(value), "__index__", None) is None or isinstance(value, bool) or \
            getattr(getattr(value, "dtype", None), "kind", "i") not in "iu" or \
            getattr(value, "ndim", 0) != 0:
        return None
    try:
        return operator.index(value)
    except TypeError:  # (a float tensor, a tensor of several elements)
        return None


def check_choice(where: str, name: str, value, choices, also: str = ""):
    """``value`` if it is one of ``choices``; else a ValueError that lists them and, for a
    misspelled name, suggests the closest one. ``also`` names what else the caller accepts
    (e.g. "a loss module"), for the message."""
    if value not in choices:
        raise ValueError(choice_message(where, name, value, choices, also))
    return value


def choice_message(where: str, name: str, value, choices, also: str = "") -> str:
    """The one message for an unknown name (activation, optimizer, dataset, loss...):

        "MLP: activation must be one of 'elu', 'relu', 'tanh', got 'rleu' (did you mean
        'relu'?)"

    for callers that accept more than names and so check for themselves."""
    rule = "one of " + ", ".join(repr(c) for c in choices) + (f", or {also}" if also else "")
    return f"{where}: {name} must be {rule}, got {value!r}{suggest(value, choices)}"


# other names of a choice, which spelling does not bring close: Swish (β = 1) is SiLU
SYNONYMS = {"swish": "silu", "logistic": "sigmoid"}


def suggest(value, choices) -> str:
    """' (did you mean 'relu'?)' when the string ``value`` is close to one of ``choices``
    (case aside) or is another name of one (``SYNONYMS``), else ''."""
    if not isinstance(value, str):
        return ""
    names = {c.lower(): c for c in choices if isinstance(c, str)}
    synonym = SYNONYMS.get(value.lower())
    if synonym in names:
        return f" (did you mean {names[synonym]!r}? {value} is another name for it)"
    close = difflib.get_close_matches(value.lower(), list(names), n=1)
    return f" (did you mean {names[close[0]]!r}?)" if close else ""


def check_seed(where: str, name: str, value):
    """A seed: None or an integer in [0, 2**32 - 1] (numpy's and PyTorch's range)."""
    if value is None:
        return None
    return check_int(where, name, value, 0, 2 ** 32 - 1)


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    bounded_low = low is not None and low != -math.inf
    bounded_high = high is not None and high != math.inf
    if bounded_low and bounded_high:
        return (f" in {'(' if low_open else '['}{_number(low)}, {_number(high)}"
                f"{')' if high_open else ']'}")
    if bounded_low:
        return f" {'>' if low_open else '>='} {_number(low)}"
    if bounded_high:
        return f" {'<' if high_open else '<='} {_number(high)}"
    return ""


def _number(value) -> str:
    """1, 0.5, 4294967295: ints in full, floats in their shortest form."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def cast_problem(values, dtype) -> str:
    """Why copying ``values`` (an array) into an array of ``dtype`` would lose information,
    or "" when it would not: complex into real, text into numbers, fractions or values out
    of range into integers (a float 5.0 into an int64 buffer is exact, int64's 2**40 into
    int32 is not), or finite values that overflow to inf (float64's 1e300, or int64's
    70000 into float16)."""
    import numpy as np

    dtype = np.dtype(dtype)
    if values.dtype == dtype:
        return ""
    if values.dtype.kind == "f" and dtype.kind in "iu":  # whole numbers in range: exact
        with np.errstate(invalid="ignore"):
            exact = np.array_equal(values.astype(dtype).astype(values.dtype), values)
        if exact:
            return ""
        return (f"dtype {values.dtype} cannot become {dtype} without losing information "
                f"(its values are not all whole numbers in {dtype}'s range)")
    if not np.can_cast(values.dtype, dtype, casting="same_kind"):
        return f"dtype {values.dtype} cannot become {dtype} without losing information"
    if values.dtype.kind in "iu" and dtype.kind in "iu" and values.size:  # (int64 2**40
        # into int32 would wrap to 0)
        info, low, high = np.iinfo(dtype), values.min(), values.max()
        if low < info.min or high > info.max:
            return (f"values from {low} to {high} do not fit {dtype} (from {info.min} to "
                    f"{info.max})")
    if values.dtype.kind in "iu" and dtype.kind == "f" and values.size:
        largest = float(np.abs(values.astype(np.float64)).max())
        if largest > float(np.finfo(dtype).max):
            return f"values up to {largest:g} overflow {dtype}"
    if values.dtype.kind == "f" and dtype.kind == "f" and values.size:
        finite = np.isfinite(values)
        with np.errstate(over="ignore"):
            overflows = finite & ~np.isfinite(values.astype(dtype))
        if overflows.any():
            worst = float(np.abs(values[overflows]).max())
            return f"values up to {worst:g} overflow {dtype}"
    return ""


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` called by this function's caller to point
    at the innermost line outside tinynet (the user's call), however deep inside tinynet
    the warning is raised."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE + os.sep):
        frame, level = frame.f_back, level + 1
    return level

