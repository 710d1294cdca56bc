"""Optimizers and learning-rate schedules."""
from tinynet.optim import lr_scheduler, swa_utils
from tinynet.optim.adadelta import Adadelta
from tinynet.optim.adagrad import Adagrad
from tinynet.optim.adam import Adam, AdamW
from tinynet.optim.adamax import Adamax
from tinynet.optim.lbfgs import LBFGS
from tinynet.optim.nadam import NAdam
from tinynet.optim.optimizer import Optimizer
from tinynet.optim.radam import RAdam
from tinynet.optim.rmsprop import RMSprop
from tinynet.optim.rprop import Rprop
from tinynet.optim.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "Rprop", "SGD", "lr_scheduler", "swa_utils"]
