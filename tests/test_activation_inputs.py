"""Activations on the edges of their inputs against PyTorch's: nan and ±inf (values and
gradients, float32 and float64), and integer and bool tensors.

Given integer and bool tensors, activations do what PyTorch's do: ``sigmoid`` and
``tanh`` make them floating (the default dtype), ``softsign`` and ``tanhshrink`` make
integers floating; ``relu``, ``relu6``, ``hardtanh`` and ``threshold`` keep an integer
dtype; every other one refuses them, as PyTorch, which has no integer kernel for them
(tinynet: a TypeError naming the function, ``gelu: input must be a floating-point tensor,
got int64``). Checked for every activation module (the Monitor's ``ACTIVATION_MODULES``
and the dim-wise ones), its functional form and the in-place forms, against torch."""
import re

import numpy as np
import pytest

import tinynet as tn
import tinynet.nn.functional as F
from tinynet.diagnostics.monitor import ACTIVATION_MODULES

torch = pytest.importorskip("torch")

# each activation module's functional form and the arguments both take after x
FUNCTIONS = {
    "ELU": ("elu", ()), "GELU": ("gelu", ()), "LeakyReLU": ("leaky_relu", ()),
    "ReLU": ("relu", ()), "Sigmoid": ("sigmoid", ()), "Tanh": ("tanh", ()),
    "Hardsigmoid": ("hardsigmoid", ()), "Hardswish": ("hardswish", ()),
    "LogSigmoid": ("logsigmoid", ()), "ReLU6": ("relu6", ()), "Softsign": ("softsign", ()),
    "Threshold": ("threshold", (0.5, 2.0)), "SELU": ("selu", ()), "Hardtanh": ("hardtanh", ()),
    "Mish": ("mish", ()), "PReLU": ("prelu", ()), "SiLU": ("silu", ()),
    "Softplus": ("softplus", ()), "Hardshrink": ("hardshrink", ()),
    "Softshrink": ("softshrink", ()), "Tanhshrink": ("tanhshrink", ()), "CELU": ("celu", ()),
    "RReLU": ("rrelu", ()), "Softmax": ("softmax", (-1,)), "LogSoftmax": ("log_softmax", (-1,)),
    "Softmin": ("softmin", (-1,)), "GLU": ("glu", (-1,)),
}
MODULE_ARGS = {"Threshold": (0.5, 2.0), "Softmax": (-1,), "LogSoftmax": (-1,),
               "Softmin": (-1,), "GLU": (-1,)}
IN_PLACE = sorted(name for name in F.__all__ if name.endswith("_") and
                  name[:-1] in {function for function, _ in FUNCTIONS.values()})
VALUES = {"int64": [[-3, -1, 0, 1], [2, 7, -2, 5]], "int32": [[-3, -1, 0, 1], [2, 7, -2, 5]],
          "uint8": [[0, 1, 2, 3], [7, 200, 5, 254]],  # (PyTorch's softsign(255): 1 + 255
          # wraps around to 0 in uint8, 255/0 = inf; tinynet's is 255/256)
          "bool": [[True, False, True, True], [False, False, True, False]]}
DTYPES = list(VALUES)


def test_the_table_covers_every_activation_module():
    assert {cls.__name__ for cls in ACTIVATION_MODULES} <= set(FUNCTIONS)


def _pair(library, name: str, dtype: str):
    return library.tensor(np.array(VALUES[dtype], dtype=dtype))


def _function(library, name: str, args: tuple):
    functional = (torch.nn.functional if library is torch else F)
    if name.rstrip("_") == "prelu":
        return lambda x: functional.prelu(x, library.tensor([0.25]))
    return lambda x: getattr(functional, name)(x, *args)


def _module(library, name: str):
    return getattr(library.nn, name)(*MODULE_ARGS.get(name, ()))


def _compare(ours_call, theirs_call, where: str, dtype: str):
    """The same dtype and values where torch returns; a TypeError or ValueError naming
    ``where`` where it raises."""
    try:
        theirs = theirs_call(_pair(torch, where, dtype))
    except (NotImplementedError, RuntimeError, ValueError):
        with pytest.raises((TypeError, ValueError), match=rf"^{re.escape(where)}: "):
            ours_call(_pair(tn, where, dtype))
        return
    ours = ours_call(_pair(tn, where, dtype))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("module", sorted(FUNCTIONS))
def test_a_module_on_integers_and_booleans_as_pytorch(module, dtype):
    function = FUNCTIONS[module][0]
    _compare(_module(tn, module), _module(torch, module), function, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("function", sorted(f for f, _ in FUNCTIONS.values()) + IN_PLACE)
def test_a_function_on_integers_and_booleans_as_pytorch(function, dtype):
    args = dict(FUNCTIONS.values())[function.rstrip("_")]
    where = "threshold" if function == "threshold_" else function.rstrip("_")
    _compare(_function(tn, function, args), _function(torch, function, args), where, dtype)


@pytest.mark.parametrize("function", ["sigmoid", "tanh", "softsign", "tanhshrink"])
def test_integers_become_the_default_dtype_as_pytorch(function):
    x = np.array([-3, 0, 2, 7])
    tn.set_default_dtype(tn.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ours = getattr(F, function)(tn.tensor(x))
        theirs = getattr(torch.nn.functional, function)(torch.tensor(x))
    finally:
        tn.set_default_dtype(tn.float32)
        torch.set_default_dtype(torch.float32)
    assert ours.dtype == theirs.numpy().dtype == np.float64
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-15)


@pytest.mark.parametrize("function", ["softmax", "log_softmax", "softmin"])
def test_a_floating_dtype_argument_takes_integers_as_pytorch(function):
    x = np.array([[-3, 0, 2, 7]])
    ours = getattr(F, function)(tn.tensor(x), -1, dtype=tn.float64)
    theirs = getattr(torch.nn.functional, function)(torch.tensor(x), -1, dtype=torch.float64)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-15)
    with pytest.raises(TypeError, match=f"{function}: dtype must be a floating-point dtype"):
        getattr(F, function)(tn.tensor(x), -1, dtype=tn.int64)


@pytest.mark.parametrize("form", ["method", "top level"])
@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_the_tensor_method_and_top_level_forms_take_dtype_as_pytorch(function, form):
    x = np.array([[-3, 0, 2, 7]])

    def call(lib, t, **kwargs):
        if form == "method":
            return getattr(t, function)(-1, **kwargs)
        return getattr(lib, function)(t, -1, **kwargs)

    ours = call(tn, tn.tensor(x), dtype=tn.float64)
    theirs = call(torch, torch.tensor(x), dtype=torch.float64)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-15)
    with pytest.raises(TypeError, match=f"{function}: input must be a floating-point tensor"):
        call(tn, tn.tensor(x))  # PyTorch has no integer kernel either
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(x))


@pytest.mark.parametrize("form", [lambda lib, t: t.relu(), lambda lib, t: lib.relu(t)])
def test_relu_of_booleans_is_refused_in_every_form_as_pytorch(form):
    with pytest.raises(RuntimeError, match="Boolean inputs not supported"):
        form(torch, torch.tensor([True, False]))
    with pytest.raises(TypeError, match="relu: input must be a tensor of numbers, not booleans"):
        form(tn, tn.tensor([True, False]))
    assert form(tn, tn.tensor([-2, 3])).tolist() == [0, 3]  # integers keep their dtype


# (threshold, value) and (min_val, max_val): truncated toward zero on an integer tensor,
# refused where the dtype cannot hold them
@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8"])
@pytest.mark.parametrize("threshold, value", [
    (1.5, 7.9), (-0.5, -2.7), (0.5, 2.0), (1, 300), (-2.5, 0), (200, 1), (0, np.inf),
    (np.inf, 0), (1, 255.9), (1, -0.5)])
def test_threshold_of_an_integer_tensor_as_pytorch(threshold, value, dtype):
    values = [-3, -1, 0, 1, 2, 7] if dtype != "uint8" else [0, 1, 2, 3, 7, 200]
    _check_integer(lambda lib, x: lib.nn.functional.threshold(x, threshold, value),
                   "threshold", values, dtype)


@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8"])
@pytest.mark.parametrize("min_val, max_val", [(-1.5, 2.5), (-1.7, 1.7), (0, 6), (0.5, 2.9),
                                              (-0.5, 0.7), (-1.0, 0.7), (0, 300),
                                              (-200, 300), (-128.9, 127.9)])
def test_hardtanh_of_an_integer_tensor_as_pytorch(min_val, max_val, dtype):
    values = [-3, -1, 0, 1, 2, 7] if dtype != "uint8" else [0, 1, 2, 3, 7, 200]
    _check_integer(lambda lib, x: lib.nn.functional.hardtanh(x, min_val, max_val),
                   "hardtanh", values, dtype)


def _check_integer(call, where: str, values: list, dtype: str):
    array = np.array(values, dtype=dtype)
    try:
        theirs = call(torch, torch.tensor(array)).numpy()
    except RuntimeError:  # "value cannot be converted to type uint8_t without overflow"...
        with pytest.raises(ValueError, match=rf"{where}: \w+ must be a number the input's "
                                             rf"dtype {dtype} holds"):
            call(tn, tn.tensor(array))
        return
    ours = call(tn, tn.tensor(array))
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours.array, theirs)


def test_a_negative_integer_threshold_or_value_is_refused_for_uint8():
    """NOTE: PyTorch wraps a negative Python int around (-1 is 255) where it refuses -0.5:
    tinynet refuses both, as ``full`` does."""
    x = np.array([0, 1, 7], dtype=np.uint8)
    assert torch.nn.functional.threshold(torch.tensor(x), 2, -1).tolist() == [255, 255, 7]
    with pytest.raises(ValueError, match=r"threshold: value must be a number the input's "
                                         r"dtype uint8 holds \(from 0 to 255\), got -1"):
        F.threshold(tn.tensor(x), 2, -1)


def test_softsign_of_uint8_is_exact_where_pytorchs_overflows():
    """PyTorch computes 1 + |x| in uint8: 255 wraps around to 0, so softsign(255) = inf."""
    x = np.array([254, 255], dtype=np.uint8)
    assert torch.nn.functional.softsign(torch.tensor(x))[1].item() == np.inf
    np.testing.assert_allclose(F.softsign(tn.tensor(x)).array, x / (1.0 + x), rtol=1e-7)


# ---- nan and ±inf ------------------------------------------------------------------------
SPECIAL = [np.nan, np.inf, -np.inf]
# (module, arguments): every activation module but RReLU in training (random slopes)
MODULES = [(name, MODULE_ARGS.get(name, ())) for name in sorted(FUNCTIONS)
           if name not in ("RReLU", "PReLU", "Softmax", "LogSoftmax", "Softmin", "GLU")]
MODULES += [("GELU", ("tanh",)), ("RReLU", (0.1, 0.3)), ("Hardtanh", (-2.0, 3.0))]
# where tinynet gives the true limits and PyTorch's formulas nan (its GELU in float32 even
# for the value at +inf): (module, args, dtype) -> tinynet's values then gradients
LIMITS = {("GELU", (), "float32"): ([np.nan, np.inf, np.nan], [np.nan, np.nan, np.nan]),
          ("GELU", ("tanh",), "float32"): ([np.nan, np.inf, np.nan], [np.nan, 1.0, 0.0]),
          ("GELU", ("tanh",), "float64"): ([np.nan, np.inf, np.nan], [np.nan, 1.0, 0.0]),
          ("Softsign", (), "float32"): ([np.nan, np.nan, np.nan], [np.nan, 0.0, 0.0]),
          ("Softsign", (), "float64"): ([np.nan, np.nan, np.nan], [np.nan, 0.0, 0.0])}


def _at_special_values(library, name: str, args: tuple, dtype: str):
    module = getattr(library.nn, name)(*args)
    if library is torch:
        module.eval()  # RReLU's mean slope, as tinynet's F.rrelu by default
    else:
        module.training = False
    x = library.tensor(np.array(SPECIAL, dtype), requires_grad=True)
    with np.errstate(all="ignore"):
        y = module(x)
        y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_values_and_gradients_at_nan_and_infinities_as_pytorch(name, args, dtype):
    """A piecewise activation's gradient at nan is that of the branch PyTorch's test
    (x <= 0 for ELU, SELU, ReLU; the ends for Hardtanh) sends nan to: 1 (λ for SELU)."""
    y, grad = _at_special_values(tn, name, args, dtype)
    their_y, their_grad = _at_special_values(torch, name, args, dtype)
    if (name, args, dtype) in LIMITS:
        their_y, their_grad = LIMITS[name, args, dtype]
    np.testing.assert_allclose(y, their_y, rtol=1e-6)
    np.testing.assert_allclose(grad, their_grad, rtol=1e-6)
