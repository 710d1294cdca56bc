"""tinynet: a small reverse-mode autodiff framework on numpy, for training deep MLPs
and seeing why activation functions matter.

The tensor / ``nn`` / ``optim`` surface follows PyTorch's names, so code within that
subset runs with ``import tinynet as torch``.
"""
from tinynet.allocator import tune_allocator
from tinynet.allocator import tune_if_asked as _tune_if_asked
# NOTE: autograd first. Tensor and Function need each other (Function.apply builds
# Tensors; Tensor methods call ops); each module imports the other at its end.
from tinynet.autograd import (capture, enable_grad, gradcheck, inference_mode,
                              is_anomaly_check_nan_enabled, is_anomaly_enabled,
                              is_grad_enabled, no_grad, set_grad_enabled)
from tinynet.tensor import Tensor
from tinynet import autograd, backends, cuda, linalg, nn, optim, special  # noqa: I001
from tinynet.combining import (add, cat, column_stack, concat, concatenate, div, divide, einsum,
                               hstack, matmul, meshgrid, mul, multiply, stack, sub, subtract,
                               true_divide, vstack, where)
from tinynet.devices import device, get_default_device, set_default_device
from tinynet.dtypes import (bool, double, finfo, float, float16, float32, float64,
                            get_default_dtype, half, iinfo, int, int8, int16, int32, int64, long,
                            set_default_dtype, short, uint8)
from tinynet import testing  # noqa: E402,F401  (tn.testing.assert_close)
from tinynet import amp  # noqa: E402,F401  (tn.amp.GradScaler, tn.autocast)
from tinynet.amp import autocast  # noqa: E402
from tinynet.switches import (are_deterministic_algorithms_enabled, compile,
                              get_float32_matmul_precision,
                              is_deterministic_algorithms_warn_only_enabled,
                              set_float32_matmul_precision, use_deterministic_algorithms)
from tinynet.layouts import contiguous_format, memory_format, preserve_format
from tinynet.factories import (arange, as_tensor, empty, empty_like, eye, from_numpy, full,
                               full_like, linspace, logspace, ones, ones_like, tensor, zeros,
                               zeros_like)
from tinynet.functions import (abs, addcdiv, addcmul, addmm, amax, amin, argmax, argmin, argsort,
                               bmm, ceil, clamp, clamp_max, clamp_min, clip, cos, cumprod, cumsum,
                               diag, diagonal, dot, erf, exp, exp2, expm1, fix, floor,
                               floor_divide, fmod, gather, hardshrink, index_add, index_select,
                               fmax, fmin, kthvalue, mode, nanmedian, asin, acos, atan, sinh,
                               cosh, asinh, acosh, atanh, arcsin, arccos, arctan, arcsinh,
                               arccosh, arctanh, det, inverse, logdet, slogdet, take,
                               take_along_dim, index_copy, masked_scatter, diag_embed, rot90,
                               is_floating_point, is_tensor, lerp, log, log10, log1p, log2,
                               log_softmax, logsumexp, masked_fill, masked_select, max, maximum,
                               mean, median, min, minimum, mm, mv, nan_to_num, neg, negative, norm,
                               numel, outer, pow, prod, reciprocal, relu, remainder, round, rsqrt,
                               scatter_add, scatter_reduce,
                               sigmoid, sign, sin, softmax, sort, sqrt, square, std, std_mean, sum,
                               tan, tanh, topk, trace, tril, triu, trunc, var, var_mean)
from tinynet.functions_inplace import (abs_, acos_, acosh_, arccos_, arccosh_, arcsin_,
                                       arcsinh_, arctan_, arctanh_, asin_, asinh_, atan_,
                                       atanh_, ceil_, clamp_, clamp_max_, clamp_min_, clip_,
                                       cos_, cosh_, erf_, erfc_, exp2_, exp_, expm1_, fill_, fix_,
                                       floor_, frac_, log1p_, log2_, log10_, log_, logit_,
                                       nan_to_num_, neg_, reciprocal_, relu_, round_, rsqrt_,
                                       sigmoid_, sin_, sinh_, sqrt_, square_, tan_, tanh_,
                                       trunc_, xlogy_, zero_)
from tinynet.functions_numeric import (aminmax, arctan2, atan2, copysign, corrcoef, cov, cross,
                                       cummax, cummin, diff, digamma, dist, erfc, erfinv, frac,
                                       heaviside, histc, histogram, lgamma,
                                       hypot, kron, logaddexp, logaddexp2, logcumsumexp, logit,
                                       nanmean, nanquantile, nansum, quantile, xlogy)
from tinynet.logic import (all, allclose, any, bincount, bitwise_and, bitwise_left_shift,
                           bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
                           count_nonzero, eq, equal, ge, gt, isclose, isfinite, isinf, isnan,
                           le, logical_and, logical_not, logical_or, logical_xor, lt, ne,
                           nonzero, unique)
from tinynet.nn._top_level import celu, celu_, rrelu, rrelu_
from tinynet.shaping import (broadcast_shapes, broadcast_to, chunk, clone, flatten, flip,
                             moveaxis, movedim, narrow, permute, ravel, repeat_interleave,
                             reshape, roll, split, squeeze, swapaxes, swapdims, t, tensor_split,
                             tile, transpose, unbind, unsqueeze, hsplit, vsplit)
from tinynet.printing import get_printoptions, printoptions, set_printoptions
from tinynet.products import cdist, tensordot
from tinynet.promotion import promote_types, result_type
from tinynet.random import (Generator, get_rng_state, initial_seed, manual_seed, seed,
                            set_rng_state)
from tinynet.sampling import (bernoulli, multinomial, normal, rand, rand_like, randint,
                              randint_like, randn, randn_like, randperm)
from tinynet.tensor_types import (BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor,
                                  LongTensor, set_default_tensor_type)
from tinynet.searching import bucketize, isin, searchsorted
from tinynet.serialization import load, save
from tinynet.size import Size
from tinynet.fastpath import fast_paths, fast_paths_enabled, set_fast_paths
from tinynet.threads import get_num_threads, set_num_threads
from tinynet import utils  # noqa: F401  (datasets and loaders: tn.utils.data)
from tinynet import data, diagnostics, experiments, models  # noqa: I001  (above nn)
from tinynet.training import Callback, EarlyStopping, History, fit
from tinynet.diagnostics.init_report import init_report
from tinynet import classroom, viz  # noqa: I001  (above diagnostics)

from tinynet.version import __version__

__all__ = [  # the public names (tests/test_api_docs.py: each is in docs/api.md)
    "__version__", "abs", "add", "addcdiv", "addcmul", "addmm", "all", "allclose", "amax",
    "amin",
    "aminmax",
    "any", "arange",
    "argmax", "argmin", "argsort", "as_tensor", "autograd", "backends", "bernoulli", "bincount",
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "bmm",
    "bool", "BoolTensor", "broadcast_to",
    "bucketize",
    "ByteTensor", "Callback", "capture", "cat",
    "cdist",
    "ceil",
    "celu", "celu_",
    "chunk",
    "clamp", "clamp_max", "clamp_min", "classroom", "clip", "clone", "concat", "concatenate",
    "copysign",
    "corrcoef",
    "cos", "count_nonzero",
    "cov",
    "cross",
    "cuda",
    "cummax",
    "cummin",
    "cumprod", "cumsum", "data", "device", "diag", "diagonal",
    "diagnostics",
    "diff",
    "div", "divide", "dot", "double", "DoubleTensor", "EarlyStopping", "einsum",
    "empty", "empty_like", "enable_grad", "eq", "equal", "erf",
    "erfinv", "erfc", "lgamma", "digamma",
    "exp", "exp2", "experiments",
    "expm1", "eye", "fast_paths", "fast_paths_enabled", "finfo", "fit", "fix", "flatten", "flip",
    "float", "float16", "float32", "float64", "FloatTensor", "floor", "floor_divide", "fmod",
    "frac",
    "from_numpy", "full", "full_like", "gather", "Generator", "get_default_device",
    "get_default_dtype", "get_num_threads", "get_printoptions", "ge", "gradcheck", "gt", "half",
    "hardshrink",
    "heaviside",
    "hstack",
    "History",
    "hypot", "scatter_add", "scatter_reduce", "index_add", "atan2", "arctan2", "dist",
    "broadcast_shapes",
    "swapaxes", "swapdims", "kthvalue", "tensor_split", "hsplit", "vsplit", "fmax", "fmin",
    "nanmedian", "histc", "histogram", "mode", "memory_format", "preserve_format",
    "contiguous_format",
    "logspace", "column_stack", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
    "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "get_rng_state",
    "set_rng_state", "compile",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "testing", "set_default_tensor_type", "amp", "autocast",
    "iinfo", "index_select", "inference_mode", "init_report", "initial_seed", "int", "int8",
    "int16", "int32", "int64", "IntTensor", "is_floating_point", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "is_grad_enabled",
    "is_tensor", "isclose", "isfinite",
    "isin",
    "isinf", "isnan",
    "kron",
    "le", "lerp", "linalg", "linspace", "special",
    "load", "log",
    "log10",
    "log1p", "log2", "log_softmax",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "logical_and", "logical_not", "logical_or", "logical_xor",
    "logit",
    "logsumexp", "long", "LongTensor", "lt", "manual_seed", "masked_fill", "masked_select",
    "matmul", "max",
    "maximum", "mean", "median", "meshgrid", "min", "minimum", "mm", "models", "moveaxis",
    "movedim", "narrow", "mul", "multinomial", "multiply", "mv", "nan_to_num",
    "nanmean",
    "nanquantile",
    "nansum",
    "ne", "neg", "negative", "nn",
    "no_grad",
    "nonzero", "norm", "normal", "numel", "ones", "ones_like", "optim", "outer", "permute",
    "pow", "printoptions", "prod", "promote_types",
    "quantile",
    "rand", "rand_like", "randint",
    "randint_like", "randn",
    "randn_like", "randperm", "ravel", "reciprocal", "relu", "remainder", "repeat_interleave",
    "reshape", "result_type", "roll", "round", "rrelu", "rrelu_", "rsqrt", "save",
    "searchsorted",
    "seed",
    "set_default_device",
    "set_default_dtype", "set_fast_paths", "set_grad_enabled", "set_num_threads",
    "set_printoptions", "short",
    "sigmoid",
    "sign", "sin", "Size", "softmax", "sort", "split", "sqrt", "square", "squeeze", "stack", "std",
    "std_mean", "sub", "subtract", "sum", "t", "tan", "tanh", "Tensor", "tensor",
    "tensordot",
    "tile",
    "topk", "trace", "det", "inverse", "logdet", "slogdet", "take", "take_along_dim",
    "index_copy", "masked_scatter", "diag_embed", "rot90", "training", "transpose", "tril", "triu",
    "true_divide", "trunc",
    "tune_allocator", "uint8", "unbind", "unique", "unsqueeze", "utils", "var", "var_mean",
    "viz", "vstack", "where",
    "xlogy",
    "zeros", "zeros_like",
    # the in-place forms (functions_inplace.py)
    "abs_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "exp_", "fill_", "fix_",
    "floor_", "frac_", "log_", "logit_", "nan_to_num_", "neg_", "relu_", "round_", "sigmoid_",
    "sqrt_", "square_", "tanh_", "trunc_", "xlogy_", "zero_",
    "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "sinh_", "cosh_", "asinh_", "acosh_",
    "atanh_", "arcsin_", "arccos_", "arctan_", "arcsinh_", "arccosh_", "arctanh_", "log1p_",
    "log2_", "log10_", "expm1_", "exp2_", "rsqrt_", "reciprocal_", "erf_", "erfc_",
]

_tune_if_asked()  # only with TINYNET_MALLOC=keep: import tinynet changes nothing otherwise
