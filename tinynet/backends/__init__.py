"""``tinynet.backends``, as ``torch.backends`` on a CPU-only build: no MPS, no cuDNN."""
from tinynet.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
