"""scikit-learn estimators with modern activations: ``MLPClassifier``, ``MLPRegressor``.

See ``tinynet.sklearn.estimators`` for how they differ from ``sklearn.neural_network``.
"""
from tinynet.sklearn._epochs import DivergedError
from tinynet.sklearn.base import ACTIVATIONS, SOLVERS
from tinynet.sklearn.estimators import MLPClassifier, MLPRegressor

__all__ = ["ACTIVATIONS", "DivergedError", "MLPClassifier", "MLPRegressor", "SOLVERS"]
