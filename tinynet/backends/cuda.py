"""``tinynet.backends.cuda``, as ``torch.backends.cuda`` without CUDA: the settings scripts
make (``torch.backends.cuda.matmul.allow_tf32 = True``) are taken and change nothing."""
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                               allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    return False
