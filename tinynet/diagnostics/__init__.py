"""Training diagnostics: the ``Monitor``, structured hints, the initialisation report."""
from tinynet.diagnostics.hints import KINDS, Hint, diagnose
from tinynet.diagnostics.monitor import ACTIVATION_MODULES, Monitor, is_activation

__all__ = ["ACTIVATION_MODULES", "Hint", "KINDS", "Monitor", "diagnose", "is_activation"]
