"""Training diagnostics: the ``Monitor``, structured hints, sanity checks, the
initialisation report."""
from tinynet.diagnostics.hints import KINDS, Hint, diagnose
from tinynet.diagnostics.monitor import ACTIVATION_MODULES, Monitor, is_activation
from tinynet.diagnostics.sanity import Check, SanityReport, sanity_check

__all__ = ["ACTIVATION_MODULES", "Check", "Hint", "KINDS", "Monitor", "SanityReport",
           "diagnose", "is_activation", "sanity_check"]
