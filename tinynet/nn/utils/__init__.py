"""``tinynet.nn.utils``, as ``torch.nn.utils``: gradient clipping (``clip_grad``) and the
parameters as one vector (``convert_parameters``), in modules of PyTorch's names, so
``from torch.nn.utils.clip_grad import clip_grad_norm_`` runs as ``tinynet``."""
from tinynet.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                                        clip_grads_with_norm_, get_total_norm)
from tinynet.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = [
    "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
    "get_total_norm", "parameters_to_vector", "vector_to_parameters",
]
