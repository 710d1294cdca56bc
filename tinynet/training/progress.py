"""How ``fit`` shows its progress: a bar on a terminal or in a notebook, or one line per
epoch in a log.

The bar is tqdm's (``tqdm.auto``: a widget in Jupyter when ipywidgets is installed, text
otherwise, without tqdm's warning about the missing widget). Where no bar can be drawn
(output redirected to a file, a CI log), ``verbose=True`` prints one line per epoch
instead.
"""
import sys
import warnings

_SHOWN = ("train_loss", "train_acc", "val_loss", "val_acc")


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (where stderr is no terminal, yet a bar shows)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


class Progress:
    """A progress bar or an epoch log for ``fit`` (``update`` after each epoch, then
    ``close``).

    Args:
        total: the last epoch; done: the epochs already done (a resumed run).
        progress: draw a bar where one can be drawn (a terminal or a notebook).
        verbose: print one line per epoch (to stdout) when no bar is drawn.
    """

    def __init__(self, total: int, done: int, progress: bool, verbose: bool):
        self.total, self.bar = total, None
        interactive = sys.stderr.isatty() or in_notebook()
        if progress and interactive:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tqdm.auto's "IProgress not found"
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, initial=done, desc="fit", unit="epoch",
                                leave=False)
        self.log = verbose and self.bar is None

    def update(self, record: dict) -> None:
        shown = {k: record[k] for k in _SHOWN if record.get(k) is not None}
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in shown.items()})
        elif self.log:
            numbers = ", ".join(f"{k.replace('_', ' ')} {v:.4g}" for k, v in shown.items())
            print(f"epoch {record['epoch']}/{self.total}: {numbers} "
                  f"({record.get('seconds', 0):.2f} s)", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
