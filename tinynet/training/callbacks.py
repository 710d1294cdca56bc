"""Callbacks for ``fit``: hooks at the start and end of training and after each epoch."""
from tinynet.checks import check_choice, check_flag, check_int, check_real, choice_message
from tinynet.tensor import Tensor


class Callback:
    """Base class: override what you need. ``on_epoch_end`` returns True to stop.

    ``on_train_begin`` runs at the start of every ``fit`` call, a resumed one's too
    (before its checkpointed state is loaded back). A callback with state that must
    survive a checkpoint (``fit(checkpoint=...)``) returns it from ``state_dict`` (a
    dict of numbers, strings, lists and arrays) and takes it back in
    ``load_state_dict``. One that puts other weights into the model at
    the end sets ``restored_epoch`` to the epoch they come from.
    """

    restored_epoch = None

    def on_train_begin(self, model) -> None:
        pass

    def on_epoch_end(self, epoch: int, record: dict, model) -> bool:
        return False

    def on_train_end(self, model) -> None:
        pass

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    def settings(self) -> dict:
        """What this callback was made with (History.config records it; a run resumed
        from a checkpoint must have the same)."""
        return {}


MONITORED = ("val_loss", "val_acc", "train_loss", "train_acc")  # what an epoch records


class EarlyStopping(Callback):
    """Stop when a monitored quantity has not improved for ``patience`` epochs.

    Args:
        monitor: a key of the epoch record: 'val_loss' (default), 'val_acc',
            'train_loss' or 'train_acc'.
        patience: epochs without improvement before stopping (default 5).
        min_delta: smallest change that counts as an improvement (default 0).
        mode: 'min', 'max' or 'auto' (default: 'max' for accuracies, else 'min').
        restore_best_weights: at the end of training, put back the parameters of the
            best epoch (default False).

    Attributes:
        best: the best value seen; best_epoch: its epoch; stopped_epoch: the epoch
        training stopped at (None if it ran to the end).
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = False):
        check_choice("EarlyStopping", "monitor", monitor, MONITORED)
        check_choice("EarlyStopping", "mode", mode, ("auto", "min", "max"))
        patience = check_int("EarlyStopping", "patience", patience, 0)
        min_delta = check_real("EarlyStopping", "min_delta", min_delta)
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.restore_best_weights = check_flag("EarlyStopping", "restore_best_weights",
                                               restore_best_weights)

    def on_train_begin(self, model) -> None:
        self.best, self.best_epoch, self.stopped_epoch = None, None, None
        self.wait, self.best_state, self.restored_epoch = 0, None, None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, record: dict, model) -> bool:
        value = record.get(self.monitor)
        if value is None:
            available = [k for k, v in record.items() if isinstance(v, float)]
            if self.monitor.startswith("val_") and not any(k.startswith("val_")
                                                           for k in available):
                raise ValueError(f"EarlyStopping: monitor must be one of "
                                 f"{', '.join(map(repr, available))}, got {self.monitor!r}; "
                                 f"pass validation_data to fit to record val_*")
            raise ValueError(choice_message("EarlyStopping", "monitor", self.monitor, available))
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = model._state_copy()
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model) -> None:
        if self.restore_best_weights and self.best_state is not None:
            model.load_state_dict(self.best_state)
            self.restored_epoch = self.best_epoch

    _STATE = ("best", "best_epoch", "stopped_epoch", "wait", "best_state")

    def settings(self) -> dict:
        return {"monitor": self.monitor, "patience": self.patience,
                "min_delta": self.min_delta, "mode": self.mode,
                "restore_best_weights": self.restore_best_weights}

    def state_dict(self) -> dict:
        return {name: getattr(self, name) for name in self._STATE}

    def load_state_dict(self, state: dict) -> None:
        for name in self._STATE:
            setattr(self, name, state[name])
        if self.best_state is not None:  # tn.load gives tensors back (an extra state, as is)
            self.best_state = {k: v.array.copy() if isinstance(v, Tensor) else v
                               for k, v in self.best_state.items()}
