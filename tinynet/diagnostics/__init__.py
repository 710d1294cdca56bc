"""Training diagnostics: the ``Monitor``, plain-language hints, the initialisation report."""
from tinynet.diagnostics.monitor import ACTIVATION_MODULES, Monitor, activation_derivative

__all__ = ["ACTIVATION_MODULES", "Monitor", "activation_derivative"]
