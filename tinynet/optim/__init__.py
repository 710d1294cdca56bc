"""Optimizers and learning-rate schedules."""
from tinynet.optim import lr_scheduler
from tinynet.optim.adam import Adam, AdamW
from tinynet.optim.optimizer import Optimizer
from tinynet.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD", "lr_scheduler"]
