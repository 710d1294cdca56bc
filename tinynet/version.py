"""The package's version, importable without importing the whole package."""
__version__ = "0.1.0"
cuda = None  # (as torch.version.cuda on a build without CUDA)
