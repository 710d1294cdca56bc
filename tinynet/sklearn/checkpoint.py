"""Checkpoints of an estimator's ``fit``: ``checkpoint=path`` saves the fitted state after
every ``checkpoint_every`` epochs; ``fit(X, y, resume_from=path)`` continues from it and
ends with the same model, curves and History as a fit that was never interrupted.

The file is a ``tn.save`` archive (atomic, never pickled): the network's and optimizer's
state, the epoch counters and curves, the generator's state, the early-stopping split's
seed and best weights, and the settings and data it was made with, which a resumed fit
must match.
"""
import numpy as np

from tinynet.serialization import load, save
from tinynet.training.checkpoint import fingerprint

KIND = "tinynet.sklearn checkpoint"
VERSION = 1
# the parameters a resumed fit must share with the checkpoint (max_iter may grow)
RUN_PARAMS = ("hidden_layer_sizes", "activation", "solver", "alpha", "batch_size",
              "learning_rate", "learning_rate_init", "power_t", "shuffle", "random_state",
              "tol", "momentum", "nesterovs_momentum", "early_stopping", "validation_fraction",
              "beta_1", "beta_2", "epsilon", "n_iter_no_change", "norm", "init", "dtype",
              "loss", "class_weight")
# what a checkpoint written before a parameter existed ran with (its behaviour then)
BEFORE = {"learning_rate": repr("constant"), "power_t": repr(0.5), "beta_1": repr(0.9),
          "beta_2": repr(0.999), "epsilon": repr(1e-8), "loss": repr("squared_error")}
# recorded later, while the parameter itself is older: a checkpoint without it is not
# compared on it, and its data fingerprint is of X and y alone (no sample weights)
LATER_RECORDED = ("class_weight",)
OLD_ADAMW = "0.01 on every parameter, beside the L2 penalty (adamw of an older tinynet)"
COUNTERS = ("n_iter_", "t_", "loss_", "loss_curve_", "validation_scores_",
            "validation_loss_curve_", "best_loss_", "_best_loss", "best_validation_score_",
            "_no_improvement", "_split_seed", "_epochs", "_stopped", "_monitor_state")


def run_settings(estimator, X, y, sample_weight=None) -> dict:
    """What identifies a run: its class, its run parameters and its data (with the
    weights of its samples, class weights included, when it has any)."""
    params = estimator.get_params()
    kept = {name: repr(params[name]) for name in RUN_PARAMS if name in params}
    kept["weight_decay"] = repr(_weight_decay(params["solver"], params["alpha"]))
    data = fingerprint(X, y) if sample_weight is None else fingerprint(X, y, sample_weight)
    return {"estimator": type(estimator).__name__, "params": kept, "data": data,
            "data_unweighted": fingerprint(X, y)}


def _weight_decay(solver, alpha) -> float:
    """The decoupled weight decay a run applies: alpha for 'adamw', else none."""
    return alpha if solver == "adamw" else 0.0


def save_checkpoint(estimator, path) -> None:
    best = getattr(estimator, "_best_state", None)
    save({"kind": KIND, "version": VERSION, "run": estimator._run_settings,
          "model": estimator.model_.state_dict(),
          "optimizer": estimator._optimizer.state_dict(),
          "rng": estimator._rng.bit_generator.state,
          "counters": {name: getattr(estimator, name, None) for name in COUNTERS},
          "best_state": best,
          "history": {"records": estimator.history_.records,
                      "config": estimator.history_.config}}, path)


def restore(estimator, path) -> bool:
    """Put the checkpoint at ``path`` into a freshly built ``estimator``; refuse one made
    by another estimator, other parameters or other data, naming what differs. Returns
    whether the fit had stopped there by its ``tol`` rule (no epoch is left to train)."""
    name = type(estimator).__name__
    state = load(path)
    if not isinstance(state, dict) or state.get("kind") != KIND or state.get("version") != \
            VERSION:
        raise ValueError(f"{name}.fit: resume_from must be a checkpoint written with "
                         f"checkpoint=..., got {str(path)!r}, which holds something else")
    saved, now = state["run"], estimator._run_settings
    # (before the decay was recorded, 'adamw' decayed every parameter by AdamW's default,
    # beside the L2 penalty: no run now does that, so such a checkpoint is refused)
    decay = OLD_ADAMW if saved["params"].get("solver") == repr("adamw") else 0.0
    before = {**BEFORE, "weight_decay": repr(decay), **saved["params"]}
    older = [key for key in LATER_RECORDED if key not in saved["params"]]
    differ = [f"{key}: checkpoint {before.get(key)}, now {value}"
              for key, value in now["params"].items()
              if before.get(key) != value and key not in older]
    if saved["estimator"] != now["estimator"]:
        differ.insert(0, f"estimator: checkpoint {saved['estimator']}, now {now['estimator']}")
    data_now = now["data_unweighted"] if older else now["data"]
    if saved["data"] != data_now:
        differ.append("the training data (X, y, sample weights) differ")
    if differ:
        raise ValueError(f"{name}.fit: resume_from {str(path)!r} is a checkpoint of another "
                         f"run; these differ: " + "; ".join(differ))
    estimator.model_.load_state_dict(state["model"])
    estimator._optimizer.load_state_dict(state["optimizer"])
    estimator._rng.bit_generator.state = state["rng"]
    for key, value in state["counters"].items():
        setattr(estimator, key, value)
    if "_epochs" not in state["counters"]:  # (written before it was kept: n_iter_ was all)
        estimator._epochs = estimator.n_iter_
    if state["best_state"] is not None:
        estimator._best_state = {k: np.array(v) for k, v in state["best_state"].items()}
    estimator.history_.records[:] = state["history"]["records"]
    return bool(state["counters"].get("_stopped"))
