"""Optimizers and learning-rate schedules."""
from tinynet.optim import lr_scheduler
from tinynet.optim.adagrad import Adagrad
from tinynet.optim.adam import Adam, AdamW
from tinynet.optim.optimizer import Optimizer
from tinynet.optim.rmsprop import RMSprop
from tinynet.optim.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
