"""The dropouts of whole channels (``nn.Dropout1d/2d/3d``, ``nn.FeatureAlphaDropout``):
one mask value per (sample, channel), shared along the rest of the input; the input
shapes each accepts, as PyTorch's."""
import warnings

from tinynet import ops
from tinynet.nn._checks import check_dropout_p
from tinynet.nn._in_place import written_into
from tinynet.random import as_generator
from tinynet.tensor import Tensor


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator=None) -> Tensor:
    """Dropout of whole channels of an (N, C, L) or (C, L) input: in training, each
    channel of each sample is zeroed with probability ``p`` along its whole length, and
    the others are scaled by 1/(1 - p); otherwise ``input`` itself. Args as ``dropout``'s."""
    p = check_dropout_p("dropout1d", p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           f"input: (N, C, L) or (C, L), channels along dim -2")
    return _feature_dropout("dropout1d", input, p, training, generator, input.ndim == 3,
                            inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator=None) -> Tensor:
    """``dropout1d`` for (N, C, H, W) inputs: each channel is zeroed as a whole. As
    PyTorch's, a 3-D input is taken as (N, C, L) (with a warning), and other inputs warn
    and drop along dim 1 of their first two dims."""
    p = check_dropout_p("dropout2d", p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      f"deprecated in PyTorch; it drops whole channels of 3D or 4D inputs "
                      f"(use dropout for one element at a time)", UserWarning, stacklevel=2)
    elif input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), as PyTorch does; use dropout1d for that", UserWarning,
                      stacklevel=2)
    return _feature_dropout("dropout2d", input, p, training, generator, True, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator=None) -> Tensor:
    """``dropout1d`` for (N, C, D, H, W) or (C, D, H, W) inputs. As PyTorch's, other inputs
    warn and are taken as unbatched (channels along dim 0)."""
    p = check_dropout_p("dropout3d", p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      f"deprecated in PyTorch; it drops whole channels of 4D or 5D inputs "
                      f"(use dropout for one element at a time)", UserWarning, stacklevel=2)
    return _feature_dropout("dropout3d", input, p, training, generator, input.ndim == 5,
                            inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False, generator=None) -> Tensor:
    """``alpha_dropout`` of whole channels of an (N, C, *) input: in training, each channel
    of each sample is set to SELU's saturation value with probability ``p``, then all are
    mapped as alpha_dropout maps them; otherwise ``input`` itself (``training`` defaults
    to False, as PyTorch's)."""
    p = check_dropout_p("feature_alpha_dropout", p)
    if not training or p == 0.0:
        return input
    if inplace:
        return written_into("feature_alpha_dropout", input,
                            lambda t: feature_alpha_dropout(t, p, True, generator=generator))
    _check_channels("feature_alpha_dropout", input, generator)
    if p == 1.0:
        return input * 0.0
    return ops.FeatureAlphaDropout.apply(input, p, generator)


def _feature_dropout(where: str, input: Tensor, p: float, training: bool, generator,
                     batched: bool, inplace: bool = False) -> Tensor:
    """``ops.FeatureDropout`` on (N, C, *) (an unbatched input gets N = 1), in training;
    with ``inplace``, written into ``input``."""
    if not training or p == 0.0:
        return input
    if inplace:
        return written_into(where, input, lambda t: _feature_dropout(where, t, p, True,
                                                                     generator, batched))
    x = input if batched else input.unsqueeze(0)
    _check_channels(where, x, generator)
    y = ops.FeatureDropout.apply(x, p, generator)
    return y if batched else y.squeeze(0)


def _check_channels(where: str, input: Tensor, generator) -> None:
    if input.dtype.kind != "f":
        raise TypeError(f"{where}: input must be a floating-point tensor, got dtype "
                        f"{input.dtype}")
    if input.ndim < 2:
        raise RuntimeError(f"{where}: Feature dropout requires at least 2 dimensions in the "
                           f"input (N, C, *), got shape {tuple(input.shape)}")
    if generator is not None:
        as_generator(generator, where)  # a wrong type is refused here, not in the op
