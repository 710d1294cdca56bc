"""Checkpoints of a ``fit`` run: everything needed to continue it as if never stopped.

A checkpoint is one ``tn.save`` file (an .npz written atomically, never pickled) with the
model's and optimizer's state, the scheduler's, the epoch, the History, each callback's
state, the Monitor's, and the state of every random generator the run draws from (its
shuffling generator, tinynet's global one, and the generators of its own that a
DataLoader, its sampler or a module holds: ``Dropout(generator=g)``; not one that a
dataset or a ``collate_fn`` holds, for random augmentation, say). Resuming
from it and training on gives the same weights and History, bit for bit, as the run that
was never interrupted (timings excepted).
"""
import hashlib
import os

import numpy as np

from tinynet import random as tn_random
from tinynet.serialization import load, save

KIND = "tinynet.fit checkpoint"
VERSION = 1
# settings that must match for a resumed run to be the same run (those a checkpoint
# records: older ones have no optimizer groups, scheduler or callback settings)
SAME_RUN_KEYS = ("loss", "loss_settings", "activation", "optimizer_name", "batch_size",
                 "shuffle", "n_samples", "data_fingerprint", "dtype", "clip_grad_norm",
                 "optimizer_groups", "scheduler", "callbacks", "callback_settings")


def fingerprint(*arrays) -> str:
    """A short hash of the training arrays' bytes, shapes and dtypes."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.shape}{array.dtype}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def save_checkpoint(path, run, epoch: int, stopped: bool = False) -> None:
    """Write the state of ``run`` (a ``training.loop.Run``) after ``epoch``, and whether a
    callback stopped it there."""
    save({
        "kind": KIND, "version": VERSION, "epoch": epoch, "stopped": stopped,
        "model": run.model.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict() if run.scheduler is not None else None,
        "history": {"records": run.history.records, "config": run.history.config},
        "callbacks": [callback.state_dict() for callback in run.callbacks],
        "monitor": run.monitor.state_dict() if run.monitor is not None else None,
        "rng": run.rng.bit_generator.state,
        "global_rng": tn_random.default_generator().bit_generator.state,
        "generators": [g.bit_generator.state for g in own_generators(run)],
    }, path)


def own_generators(run) -> list:
    """The generators of its own the run draws from, besides its shuffling generator and
    the global one: a DataLoader's, its sampler's or batch sampler's, and any module's
    (``Dropout(generator=g)``), each once, in a fixed order."""
    found, seen = [], {id(run.rng), id(tn_random.default_generator())}

    def add_from(obj) -> None:
        for value in list(vars(obj).values()) if hasattr(obj, "__dict__") else ():
            if isinstance(value, np.random.Generator) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)

    loader = run.loader
    if loader is not None:
        batch_sampler = getattr(loader, "batch_sampler", None)
        for part in (loader, getattr(loader, "sampler", None), batch_sampler,
                     getattr(batch_sampler, "sampler", None)):
            add_from(part)
    for module in run.model.modules():
        add_from(module)
    return found


def check_path(name: str, path) -> None:
    """``fit``'s ``checkpoint`` (``name``) before any training: a path (str or
    os.PathLike) of a file in a folder that exists, not a folder; ``resume_from``'s type."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"fit: {name} must be a file path (a str or os.PathLike), got "
                        f"{type(path).__name__} {path!r}")
    if name == "resume_from":
        return  # (load_checkpoint says when the file is not there)
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"fit: {name} must be a file path, got {path!r}, which is a folder")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"fit: {name} must be a path in a folder that exists, got "
                                f"{path!r}, whose folder {folder!r} does not exist")


def load_checkpoint(path) -> dict:
    """Read a checkpoint written by ``save_checkpoint``; refuse any other file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"fit: resume_from must be a checkpoint file, got {path!r}, "
                                f"which does not exist")
    state = load(path)
    if not isinstance(state, dict) or state.get("kind") != KIND:
        raise ValueError(f"fit: resume_from must be a checkpoint written by fit(checkpoint=...), "
                         f"got {path!r}, which holds something else")
    if state.get("version") != VERSION:
        raise ValueError(f"fit: resume_from {path!r} has checkpoint version "
                         f"{state.get('version')!r}; this tinynet reads version {VERSION}")
    return state


def restore(run, state: dict, path) -> tuple:
    """Put the checkpoint's state into ``run``; returns the epoch it was taken after and
    whether a callback had stopped the run there (no epoch is then left to train).
    Refuses a checkpoint of another model or another run, naming what differs."""
    # every check before anything is loaded: a refused resume leaves the model as it was
    config, now = state["history"]["config"], run.history.config
    differ = [difference for key in SAME_RUN_KEYS if key in config
              for difference in _differences(key, config[key], now.get(key))]
    if now.get("seed") is not None and now["seed"] != config.get("seed"):  # (None: the
        # checkpoint's order goes on, as it does for any seed: its generator is restored)
        differ.append(f"seed: checkpoint {config.get('seed')!r}, now {now['seed']!r}")
    if differ:
        raise ValueError(f"fit: resume_from {path!r} is a checkpoint of another run; these "
                         f"settings differ: " + "; ".join(differ))
    if (state["scheduler"] is None) != (run.scheduler is None):
        raise ValueError(f"fit: resume_from {path!r} was saved "
                         f"{'without' if state['scheduler'] is None else 'with'} a scheduler; "
                         f"pass the same scheduler setting to resume")
    generators = own_generators(run)
    saved = state.get("generators")  # (None in a checkpoint older than this record)
    if saved is not None and len(saved) != len(generators):
        raise ValueError(f"fit: resume_from {path!r} holds the states of {len(saved)} "
                         f"generators of the data loader's or the model's own, but this run "
                         f"draws from {len(generators)}; pass the same loader, sampler and "
                         f"model settings to resume")
    if len(state["callbacks"]) != len(run.callbacks):
        raise ValueError(f"fit: callbacks must match the {len(state['callbacks'])} callbacks "
                         f"saved in resume_from {path!r}, got {len(run.callbacks)}")
    model_before = run.model._state_copy()
    try:
        run.model.load_state_dict(state["model"])  # (it checks every entry, then loads)
    except RuntimeError as error:
        raise ValueError(f"fit: resume_from {path!r} holds a model of another architecture: "
                         f"{error}") from None
    _load_the_rest_or_undo(run, state, path, model_before)
    if run.monitor is not None and state["monitor"] is not None:
        run.monitor.load_state_dict(state["monitor"])
    run.history.records[:] = state["history"]["records"]
    now["seed"] = config.get("seed")  # the run's, whose order goes on
    run.rng.bit_generator.state = state["rng"]
    tn_random.default_generator().bit_generator.state = state["global_rng"]
    if saved is not None:
        for generator, generator_state in zip(generators, saved):
            generator.bit_generator.state = generator_state
    elif state.get("loader_rng") is not None and getattr(run.loader, "generator", None):
        run.loader.generator.bit_generator.state = state["loader_rng"]  # (an older record)
    return int(state["epoch"]), bool(state.get("stopped", False))  # (older: not recorded)


def _load_the_rest_or_undo(run, state: dict, path, model_before: dict) -> None:
    """Load the optimizer's, the scheduler's and the callbacks' states; when one does not
    fit (another optimizer layout, another scheduler composition), put the model (as
    ``model_before``) and the optimizer back before raising: a refused resume changes
    nothing."""
    optimizer_before = run.optimizer.state_dict()
    try:
        run.optimizer.load_state_dict(state["optimizer"])
        if run.scheduler is not None:
            run.scheduler.load_state_dict(state["scheduler"])
        for callback, callback_state in zip(run.callbacks, state["callbacks"]):
            callback.load_state_dict(callback_state)
    except (ValueError, KeyError, TypeError, RuntimeError) as error:
        run.model.load_state_dict(model_before)
        run.optimizer.load_state_dict(optimizer_before)
        raise ValueError(f"fit: resume_from {path!r} is a checkpoint of another run: its "
                         f"state does not fit this run's optimizer, scheduler or callbacks "
                         f"({error})") from None


def _differences(key: str, saved, now) -> list:
    """How the setting ``key`` differs between the checkpoint and this run, one entry per
    differing item of a list or dict of settings (an optimizer group's lr, say)."""
    if isinstance(saved, (list, tuple)) and isinstance(now, (list, tuple)) and \
            len(saved) == len(now):
        return [d for i, (a, b) in enumerate(zip(saved, now))
                for d in _differences(f"{key}[{i}]", a, b)]
    if isinstance(saved, dict) and isinstance(now, dict):
        return [d for k in sorted(set(saved) | set(now), key=str)
                for d in _differences(f"{key}.{k}", saved.get(k), now.get(k))]
    return [] if saved == now else [f"{key}: checkpoint {saved!r}, now {now!r}"]
