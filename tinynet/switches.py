"""Process-wide settings PyTorch code sets, which tinynet takes and for which it has
nothing to change: ``use_deterministic_algorithms`` (tinynet's ops are deterministic: the
same inputs and seed give the same numbers, run after run, with a given BLAS thread
count), ``set_float32_matmul_precision`` (float32 products are computed in float32 by the
BLAS library) and ``compile`` (there is no compiler: the model is returned as it is; see
``tn.capture`` for replaying a training step)."""
from tinynet.checks import check_choice

_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}
PRECISIONS = ("highest", "high", "medium")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record ``mode`` (read back by ``are_deterministic_algorithms_enabled``)."""
    if not isinstance(mode, bool) or not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms: mode and warn_only must be bools, got "
                        f"{mode!r} and {warn_only!r}")
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """Record ``precision`` ('highest', 'high' or 'medium'); products stay float32."""
    _state["matmul_precision"] = check_choice("set_float32_matmul_precision", "precision",
                                              precision, PRECISIONS)


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]


def compile(model=None, **options):  # noqa: A001  (PyTorch's name)
    """``model`` (a module or a function) itself, as ``torch.compile`` would give an
    equivalent one; without ``model`` (``@compile(mode=...)``), a decorator that does the
    same. The options are accepted and unused."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile: model must be a module or a function, got "
                        f"{type(model).__name__}")
    return model
