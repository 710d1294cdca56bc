"""Memory layouts, as PyTorch names them (``memory_format=``). tinynet's ops make arrays
laid out in C order, so ``preserve_format`` and ``contiguous_format`` (what MLP code
passes, as PyTorch's own optimizers do in ``zeros_like(p, memory_format=...)``) make the
same arrays; the 4-d layout ``channels_last`` is not supported."""


class memory_format:  # noqa: N801  (PyTorch's name)
    """A memory layout, named as PyTorch's (see the module docstring)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"tinynet.{self.name}"


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")


def check_memory_format(where: str, value) -> None:
    """``memory_format=`` must be None or one of the layouts above."""
    if value is not None and value not in (preserve_format, contiguous_format):
        raise ValueError(f"{where}: memory_format must be tinynet.preserve_format or "
                         f"tinynet.contiguous_format (the layouts of tinynet's arrays), got "
                         f"{value!r}")
