"""L-BFGS: quasi-Newton steps from the last few changes of the parameters and gradients,
with an optional strong-Wolfe line search."""
import numpy as np

from tinynet.autograd import enable_grad
from tinynet.checks import check_choice, check_int, check_real
from tinynet.optim._line_search import strong_wolfe
from tinynet.optim.optimizer import Optimizer, as_floats


class LBFGS(Optimizer):
    """PyTorch's L-BFGS (Liu & Nocedal, 1989), after minFunc. The parameters are one flat
    vector x with gradient g; each ``step(closure)`` runs up to max_iter iterations of

        d = -g                  at the first iteration of all, later d = -H·g (below)
        t = lr·min(1, 1/Σ|g|)   at the first iteration of all, later t = lr
        t ← a step meeting the strong Wolfe conditions   (line_search_fn='strong_wolfe')
        x ← x + t·d

    where H, an estimate of the inverse Hessian, comes from the last history_size pairs
    s = Δx, y = Δg (a pair with y·s <= 1e-10 is left out: H stays positive definite),
    with ρᵢ = 1/(yᵢ·sᵢ) and γ = y·s/(y·y) of the newest pair, by the two-loop recursion

        q ← -g;   newest to oldest:  αᵢ = ρᵢ·sᵢ·q,  q ← q - αᵢ·yᵢ
        d ← γ·q;  oldest to newest:  βᵢ = ρᵢ·yᵢ·d,  d ← d + (αᵢ - βᵢ)·sᵢ

    It stops early when max|g| <= tolerance_grad, when g·d > -tolerance_change (no
    descent along d), when max|t·d| or the change of the loss is below tolerance_change,
    or after max_eval evaluations of the closure. The state, of the whole vector x, is
    kept under the first parameter with PyTorch's names: ``d``, ``t``, ``old_dirs`` (the
    y), ``old_stps`` (the s), ``ro``, ``H_diag`` (γ), ``prev_flat_grad``, ``prev_loss``,
    ``al`` (the α), ``func_evals`` and ``n_iter``.

    Args:
        params: tensors, in one group (LBFGS has no per-group options).
        lr: the step length t after the first iteration (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: evaluations of the closure per ``step`` (default max_iter·5//4).
        tolerance_grad: default 1e-7.
        tolerance_change: default 1e-9.
        history_size: the number of (s, y) pairs H is made from (default 100).
        line_search_fn: None (steps of length t, the default) or 'strong_wolfe'.

    Example:
        >>> import tinynet as tn
        >>> w = tn.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = tn.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():   # step calls it as often as it needs f and g
        ...     opt.zero_grad()
        ...     loss = ((w - tn.tensor([3.0, 4.0])) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item(), w   # the loss before the step, and the minimum
        (40.0, tensor([3., 4.], requires_grad=True))
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str = None):
        lr = check_real("LBFGS", "lr", lr, 0.0)
        max_iter = check_int("LBFGS", "max_iter", max_iter, 1)
        max_eval = max_iter * 5 // 4 if max_eval is None else \
            check_int("LBFGS", "max_eval", max_eval, 1)
        tolerance_grad = check_real("LBFGS", "tolerance_grad", tolerance_grad, 0.0)
        tolerance_change = check_real("LBFGS", "tolerance_change", tolerance_change, 0.0)
        history_size = check_int("LBFGS", "history_size", history_size, 1)
        check_choice("LBFGS", "line_search_fn", line_search_fn, (None, "strong_wolfe"))
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))

    def add_param_group(self, group: dict) -> None:
        if self.param_groups:
            raise ValueError("LBFGS: params must be one parameter group (LBFGS has no "
                             "per-group options), got a second one")
        super().add_param_group(group)

    @property
    def _params(self) -> list:
        """The parameters: LBFGS's one group's."""
        return self.param_groups[0]["params"]

    def _state_shape(self, p) -> tuple:
        return (sum(q.array.size for q in self._params),)

    def _flat_grad(self):
        return np.concatenate([p.grad.array.reshape(-1) if p.grad is not None
                               else np.zeros(p.array.size, p.dtype) for p in self._params])

    def _move(self, t: float, d) -> None:
        """x ← x + t·d."""
        start = 0
        for p in self._params:
            p.array += t * d[start:start + p.array.size].reshape(p.array.shape)
            p.bump_version()
            start += p.array.size

    def _evaluate(self, closure, x: list, t: float, d):
        """The loss and flat gradient at x + t·d; the parameters are then put back at x."""
        self._move(t, d)
        loss = float(closure())
        g = self._flat_grad()
        for p, saved in zip(self._params, x):
            p.array[...] = saved
            p.bump_version()
        return loss, g

    def step(self, closure):
        """Up to max_iter iterations. ``closure`` clears the gradients, computes the loss,
        calls ``backward`` and returns the loss; returns the loss before the step."""
        closure = enable_grad()(closure)  # (as PyTorch: also when called under no_grad)
        group = self.param_groups[0]
        lr, tolerance_grad, tolerance_change = as_floats(group, "lr", "tolerance_grad",
                                                         "tolerance_change")
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = closure()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tolerance_grad:  # already at a minimum
            return first_loss
        d, t, prev_g, prev_loss = (state.get(k) for k in ("d", "t", "prev_flat_grad",
                                                          "prev_loss"))
        old_dirs, old_stps, ro, H_diag = (state.get(k) for k in ("old_dirs", "old_stps",
                                                                 "ro", "H_diag"))
        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y, s = g - prev_g, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # (else the pair would make H indefinite: left out)
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1 / ys)
                    H_diag = ys / float(y @ y)
                al = state.setdefault("al", [None] * history_size)
                q = -g
                for i in reversed(range(len(old_dirs))):
                    al[i] = float(old_stps[i] @ q) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = q * H_diag
                for i in range(len(old_dirs)):
                    beta = float(old_dirs[i] @ d) * ro[i]
                    d += (al[i] - beta) * old_stps[i]
            prev_g, prev_loss = g, loss
            t = lr * min(1.0, 1 / float(np.abs(g).sum())) if state["n_iter"] == 1 else lr
            slope = float(g @ d)
            if slope > -tolerance_change:
                break

            if group["line_search_fn"] == "strong_wolfe":
                x = [p.array.copy() for p in self._params]
                # (PyTorch's line search keeps its own tolerance_change, 1e-9)
                loss, g, t, ls_evals = strong_wolfe(
                    lambda t: self._evaluate(closure, x, t, d), t, d, loss, g, slope,
                    max_ls=max_eval - evals)
                self._move(t, d)
            else:
                self._move(t, d)
                ls_evals = 0
                if n_iter != max_iter:  # (the last iteration's f and g would go unused)
                    loss = float(closure())
                    g = self._flat_grad()
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval or np.abs(g).max() <= tolerance_grad:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < \
                    tolerance_change:  # no progress
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_g, prev_loss=prev_loss)
        return first_loss
