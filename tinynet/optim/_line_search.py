"""The strong-Wolfe line search of LBFGS (Nocedal & Wright, algorithms 3.5 and 3.6, in
minFunc's form, which PyTorch follows)."""
import collections

import numpy as np

# A trial step along the direction d: its length t, the loss f and flat gradient g at
# x + t·d, and the slope g·d there.
Point = collections.namedtuple("Point", "t f g slope")


def cubic_minimum(a: Point, b: Point, bounds=None) -> float:
    """The minimiser of the cubic through (a.t, a.f) and (b.t, b.f) with slopes a.slope and
    b.slope, kept within ``bounds`` (default: between a.t and b.t); the middle of the
    bounds when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(a.t, b.t), max(a.t, b.t))
    # NOTE: in numpy floats, as PyTorch's slopes are tensors: where f is linear between a
    # and b (equal slopes), the last division is by 0, and its ±inf puts t at a bound
    # (an extrapolation goes on, 10 times further) instead of raising ZeroDivisionError
    a_slope, b_slope = np.float64(a.slope), np.float64(b.slope)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowed trial: NaN, below
        d1 = a_slope + b_slope - 3 * (a.f - b.f) / (a.t - b.t)
        square = d1 ** 2 - a_slope * b_slope
    if not square >= 0:  # (NaN too: an overflowed trial, inf - inf; as PyTorch's)
        return (low + high) / 2
    d2 = np.sqrt(square)
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.t <= b.t:
            t = b.t - (b.t - a.t) * ((b_slope + d2 - d1) / (b_slope - a_slope + 2 * d2))
        else:
            t = a.t - (a.t - b.t) * ((a_slope + d2 - d1) / (a_slope - b_slope + 2 * d2))
    return float(min(max(t, low), high))


def strong_wolfe(evaluate, t: float, d, f: float, g, slope: float, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25):
    """A step length along d meeting the strong Wolfe conditions

        f(t) <= f(0) + c1·t·f'(0)        (enough decrease)
        |f'(t)| <= -c2·f'(0)             (a flat enough slope)

    for f(t) the loss at x + t·d and f'(t) its slope g·d, starting from the guess t.
    ``evaluate(t)`` gives the loss and the flat gradient at x + t·d. First the guess is
    extrapolated until the last two trial steps bracket such a point, then the bracket is
    narrowed on it. Returns (f, g, t, evaluations) at the step found or, after max_ls
    evaluations without one, at the lowest trial step.
    """
    d_norm = float(np.abs(d).max())

    def trial(t):
        f_t, g_t = evaluate(t)
        return Point(t, f_t, g_t, float(g_t @ d))

    prev, new = Point(0, f, g, slope), trial(t)
    evaluations, done = 1, False
    bracket = None
    while evaluations - 1 < max_ls:
        if new.f > f + c1 * new.t * slope or (evaluations > 2 and new.f >= prev.f):
            bracket = [prev, new]  # too far: the point lies between them
            break
        if abs(new.slope) <= -c2 * slope:
            bracket, done = [new], True
            break
        if new.slope >= 0:  # past a minimum along d
            bracket = [prev, new]
            break
        t = cubic_minimum(prev, new, bounds=(new.t + 0.01 * (new.t - prev.t), 10 * new.t))
        prev, new = new, trial(t)
        evaluations += 1
    if bracket is None:  # max_ls evaluations, still descending
        bracket = [Point(0, f, g, slope), new]

    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    close = False  # whether the last trial fell close to an end of the bracket
    while not done and evaluations - 1 < max_ls:
        bottom, top = sorted(p.t for p in bracket)
        if (top - bottom) * d_norm < tolerance_change:
            break
        t = cubic_minimum(*bracket)
        # NOTE: a trial within a tenth of the bracket of one of its ends narrows it little;
        # twice in a row, or one at or beyond an end, is moved to that tenth instead
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:
            if close or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                close = False
            else:
                close = True
        else:
            close = False
        new = trial(t)
        evaluations += 1
        if new.f > f + c1 * t * slope or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.slope) <= -c2 * slope:
                done = True
            elif new.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]  # keep the minimum between low and new
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evaluations
