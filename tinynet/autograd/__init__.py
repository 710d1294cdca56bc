"""Reverse-mode automatic differentiation: ``Function``, the backward engine, grad mode."""
from tinynet.autograd.anomaly import (AnomalyError, detect_anomaly,
                                      is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                      set_detect_anomaly)
from tinynet.autograd.function import Function
from tinynet.autograd.gradcheck import GradcheckError, gradcheck
from tinynet.autograd.gradients import backward, grad
from tinynet.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                        set_grad_enabled)
from tinynet.autograd.replay import capture  # noqa: I001  (needs the engine, loaded above)
from tinynet.autograd import functional
from tinynet.autograd.variable import Variable

__all__ = ["AnomalyError", "Function", "GradcheckError", "backward", "capture",
           "detect_anomaly", "enable_grad", "functional", "grad", "gradcheck", "inference_mode",
           "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "is_grad_enabled", "no_grad",
           "set_detect_anomaly",
           "set_grad_enabled", "Variable"]
