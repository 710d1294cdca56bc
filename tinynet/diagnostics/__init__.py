"""Training diagnostics: the ``Monitor``, plain-language hints, the initialisation report."""
from tinynet.diagnostics.monitor import ACTIVATION_MODULES, Monitor

__all__ = ["ACTIVATION_MODULES", "Monitor"]
