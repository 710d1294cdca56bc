"""Negative log-likelihood loss modules for regression and counts: configuration plus a
call to ``tinynet.nn.functional``."""
from tinynet.nn import functional as F
from tinynet.nn._checks import check_reduction, legacy_reduction
from tinynet.nn._loss_checks import check_eps, check_flag
from tinynet.nn.module import Module


class GaussianNLLLoss(Module):
    """The negative log-likelihood of the target under N(input, var), for a model that
    predicts a mean and a variance; elementwise

        ℓ = ½·(log max(var, eps) + (input - target)² / max(var, eps))   (+ ½·log 2π if full)

    The clamp changes the value only: the gradient flows to ``var`` as if unclamped,
    as in PyTorch.

    Args (keyword-only, as PyTorch's):
        full: add the constant ½·log 2π (default False).
        eps: the smallest variance used, for stability (default 1e-6).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input (*), target (*), var (*) >= 0, or (*) without its last dim, or (*) with
    one dim of size 1 (a variance shared along it), or a number; output scalar or (*).

    Example:
        >>> import tinynet as tn
        >>> loss = tn.nn.GaussianNLLLoss()
        >>> loss(tn.tensor([[1.0, 3.0]]), tn.tensor([[0.0, 1.0]]), tn.tensor([1.0]))
        tensor(1.2500)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__()
        where = "GaussianNLLLoss"
        self.full, self.eps = check_flag(where, "full", full), check_eps(where, eps)
        self.reduction = check_reduction(where, reduction)

    def forward(self, input, target, var):  # noqa: A002
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(Module):
    """The negative log-likelihood of counts under a Poisson distribution whose rate the
    model predicts, elementwise (without the constant log(target!)):

        ℓ = e^x - target·x            with log_input (x = log λ, the default)
        ℓ = x - target·log(x + eps)   otherwise (x = λ)

    Args:
        log_input: the input is the log of the rate (default True).
        full: add Stirling's approximation of log(target!), target·log(target) - target
            + ½·log(2π·target), where target > 1 (default False).
        eps: added to the rate inside the log when ``log_input`` is False (default 1e-8).
        reduction: 'mean' (default), 'sum' or 'none'.

    Shape: input (*), target (*); output scalar or (*).

    Example:
        >>> import tinynet as tn
        >>> tn.nn.PoissonNLLLoss()(tn.tensor([0.0, 1.0]), tn.tensor([1.0, 0.0]))  # (1 + e)/2
        tensor(1.8591)
    """

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8,
                 reduction: str = "mean", *, size_average=None, reduce=None):
        reduction = legacy_reduction(reduction, size_average, reduce)
        super().__init__()
        where = "PoissonNLLLoss"
        self.log_input = check_flag(where, "log_input", log_input)
        self.full, self.eps = check_flag(where, "full", full), check_eps(where, eps)
        self.reduction = check_reduction(where, reduction)

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, self.eps,
                                  self.reduction)
