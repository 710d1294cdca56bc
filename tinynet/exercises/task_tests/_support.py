"""What the task tests share: running one op without the engine, and checks whose
failure says, in plain words, what was computed, what was expected and a hint."""
import importlib

import numpy as np

from tinynet.autograd.gradcheck import central_differences as numeric_grad  # noqa: F401


def run_op(op, *inputs, grad=None):
    """(output, gradients) of ``op``'s forward then backward, called directly (as
    ``Function.apply`` and the engine would, without needing them). Array inputs want a
    gradient; ``grad`` is dL/d(output) (ones by default)."""
    ctx = op.__new__(op)
    ctx.needs_input_grad = tuple(isinstance(a, np.ndarray) for a in inputs)
    ctx.saved_tensors = ()
    out = op.forward(ctx, *inputs)
    if out is None:
        raise AssertionError(f"{op.__name__}.forward returned None. Hint: end forward with "
                             f"return and the output array")
    out = np.asarray(out)
    # read-only: the engine may hand backward a broadcast view (read-only), or the very
    # array another op gets too (x used twice), so a backward must not write into it
    grad = np.array(np.ones_like(out) if grad is None else grad)
    grad.setflags(write=False)
    saved = [np.array(a) if isinstance(a, np.ndarray) else a for a in ctx.saved_tensors]
    try:
        grads = op.backward(ctx, grad)
    except (IndexError, ValueError) as error:
        if ctx.saved_tensors == () and ("index out of range" in str(error) or
                                        "values to unpack" in str(error)):
            raise AssertionError(
                f"{op.__name__}.backward read ctx.saved_tensors ({error}), but forward saved "
                f"nothing. Hint: in forward, call ctx.save_for_backward(...) with what "
                f"backward needs") from None
        if "read-only" in str(error):
            raise AssertionError(
                f"{op.__name__}.backward changed the incoming gradient in place ({error}). "
                f"Hint: the engine may hand the same array to several ops (x used twice): "
                f"compute a new array (grad * mask, grad - s), never grad[...] = or "
                f"grad -= ...") from None
        raise
    except (TypeError, AttributeError) as error:
        if "NoneType" not in str(error):
            raise
        raise AssertionError(
            f"{op.__name__}.backward failed on a None ({type(error).__name__}: {error}). "
            f"Hint: backward gets only what forward saved (an activation's derivative(x, y) "
            f"gets None for the one forward did not save): compute from what you "
            f"saved") from None
    for before, after in zip(saved, ctx.saved_tensors):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after,
                                                                 equal_nan=True):
            raise AssertionError(
                f"{op.__name__}.backward changed an array forward saved (shape "
                f"{before.shape}) in place: a second backward through the same graph "
                f"(retain_graph=True) would read the changed values. Hint: write into a "
                f"copy (g = p.copy(), then change g)")
    grads = grads if isinstance(grads, tuple) else (grads,)
    if len(grads) != len(inputs):  # (the engine refuses it too, on the first backward)
        raise AssertionError(
            f"{op.__name__}.backward returned {len(grads)} gradient(s) for "
            f"{op.__name__}.forward's {len(inputs)} inputs. Hint: return a tuple with one "
            f"entry per input of forward (after ctx), in order, None for an input that "
            f"needs no gradient (a dim, a setting, the targets)")
    return out, grads


def _show(values) -> str:
    array = np.asarray(values, dtype=np.float64)
    return np.array2string(array, precision=6, threshold=12, edgeitems=3)


def expect_close(got, expected, what: str, hint: str = "", rtol: float = 1e-6,
                 atol: float = 1e-9) -> None:
    """Fail with a plain message unless ``got`` has ``expected``'s shape and values."""
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        raise AssertionError(f"{what}: expected an array of shape {expected.shape}, got None."
                             f"{_hint(hint)}")
    got = np.asarray(got)
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got {got.shape}."
                             f"{_hint(hint)}")
    close = np.isclose(got.astype(np.float64), expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all() and np.any(expected != 0) and \
            np.allclose(got.astype(np.float64), -expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: got the expected values with the opposite sign "
                             f"({_show(got)}, expected {_show(expected)}).{_hint(hint)}")
    if not close.all():
        i = np.unravel_index(np.argmin(close), close.shape)
        at = f" at index {tuple(int(k) for k in i)}" if got.ndim else ""
        raise AssertionError(f"{what}: expected {_show(expected)}, got {_show(got)} (first "
                             f"difference{at}: {float(expected[i])!r} expected, "
                             f"{float(got[i])!r} got).{_hint(hint)}")


def expect(condition: bool, what: str, hint: str = "") -> None:
    if not condition:
        raise AssertionError(f"{what}.{_hint(hint)}")


def _hint(hint: str) -> str:
    return f" Hint: {hint}" if hint else ""


def student(name: str):
    """The student's module ``name`` (a workspace's ``exercises/``), or tinynet's own when
    there is none (an import that fails inside the student's module is the student's
    error, and is raised)."""
    try:
        return importlib.import_module(f"exercises.{name}")
    except ModuleNotFoundError as error:
        if error.name not in ("exercises", f"exercises.{name}"):
            raise
        return importlib.import_module(f"tinynet.exercises.student.{name}")


