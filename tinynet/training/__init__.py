"""Training: ``fit``, its ``History`` and callbacks."""
from tinynet.training.callbacks import Callback, EarlyStopping
from tinynet.training.loop import fit
from tinynet.training.history import History

__all__ = ["Callback", "EarlyStopping", "History", "fit"]
