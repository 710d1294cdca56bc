"""``History``: one record per epoch of a ``fit`` run, with export and a readable summary."""
import csv
import json
import math
import numbers

from tinynet.checks import choice_message
from tinynet.diagnostics import hints
from tinynet.diagnostics.labels import layer_labels
from tinynet.files import atomic_write
from tinynet.tables import cells, html_table, text_table

NO_LAYERS = "no per-layer statistics: the run had no Monitor (monitor=False)"


class History:
    """What ``fit`` recorded: ``records`` is a list of dicts, one per epoch, with
    ``epoch`` (from 1), ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc`` (None
    without validation data), ``lr``, ``steps``, ``seconds`` (the training steps' wall
    time, validation excluded) and ``layers``: per-layer
    diagnostics from the Monitor (see ``tinynet.diagnostics.monitor`` for definitions).
    ``config`` holds the run's settings, seed and library versions.
    """

    def __init__(self, records=None, config=None, restored_epoch=None):
        self.records = list(records or [])
        self.config = dict(config or {})
        # the epoch whose weights the model holds after training, when a callback
        # (EarlyStopping(restore_best_weights=True)) put back an earlier epoch's
        self.restored_epoch = restored_epoch

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, key: str) -> list:
        """A metric over epochs: ``history['val_acc']``."""
        if not self.records or key not in self.records[0]:
            keys = sorted(self.records[0]) if self.records else []
            raise KeyError(choice_message("History", "key", key, keys))
        return [r[key] for r in self.records]

    def layer_metric(self, name: str) -> dict:
        """``{layer: [value per epoch]}`` for a per-layer metric such as 'grad_norm',
        'dead_rate' or 'saturation_rate'."""
        out = {}
        for record in self.records:
            for layer, stats in record.get("layers", {}).items():
                if name in stats:
                    out.setdefault(layer, []).append(stats[name])
        return out

    # ---- export ----------------------------------------------------------------------
    def to_json(self, path=None, indent=1) -> str:
        """The records and config as JSON (written to ``path`` when given, atomically),
        indented by ``indent`` spaces per level (None: on one line, faster to write).
        NaN (e.g. an update ratio no step measured) is written as ``NaN``, which Python's
        ``json`` reads back; strict JSON parsers (JavaScript's) do not."""
        if indent is not None:
            integer = isinstance(indent, numbers.Integral) and not isinstance(indent, bool)
            if not integer or indent < 0:
                raise (ValueError if integer else TypeError)(
                    f"History.to_json: indent must be None or an integer >= 0, got {indent!r}")
            indent = int(indent)
        text = json.dumps({"config": self.config, "records": self.records,
                           "restored_epoch": self.restored_epoch}, indent=indent,
                          default=_jsonable)
        if path is not None:
            with atomic_write(path, where="History.to_json", encoding="utf-8") as f:
                f.write(text)
        return text

    @classmethod
    def from_json(cls, source) -> "History":
        """Read a History from a JSON string or a path written by ``to_json``."""
        text = source
        if not (isinstance(source, str) and source.lstrip().startswith("{")):
            with open(source, encoding="utf-8") as f:  # a path (str or os.PathLike)
                text = f.read()
        data = json.loads(text)
        return cls(data["records"], data.get("config"), data.get("restored_epoch"))

    def flat_records(self) -> list:
        """Records with per-layer numbers as columns named 'layer/metric'."""
        rows = []
        for record in self.records:
            row = {k: v for k, v in record.items() if k != "layers"}
            for layer, stats in record.get("layers", {}).items():
                for key, value in stats.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        row[f"{layer}/{key}"] = value
            rows.append(row)
        return rows

    def to_csv(self, path) -> None:
        """One row per epoch, per-layer numbers as 'layer/metric' columns (written
        atomically)."""
        rows = self.flat_records()
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with atomic_write(path, where="History.to_csv", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)

    # ---- reading -----------------------------------------------------------------------
    # the per-layer columns of summary(): (title, key in a layer's stats, format)
    _COLUMNS = (("grad norm", "grad_norm", ".2e"), ("update", "update_ratio", ".1e"),
                ("dead", "dead_rate", ".0%"), ("saturated", "saturation_rate", ".0%"),
                ("act mean", "act_mean", ".3f"), ("act std", "act_std", ".3f"))

    def summary(self) -> str:
        """A table of the epoch whose weights the model holds (the last one, or the one
        EarlyStopping restored), layer by layer, under a line of its metrics."""
        if not self.records:
            return "History: no epochs recorded"
        head, titles, rows, foot = self._summary_parts()
        return "\n".join([head, text_table(titles, rows, left=2) if rows else NO_LAYERS] + foot)

    def _repr_html_(self) -> str:
        """The summary as an HTML table (a notebook shows it for a History)."""
        if not self.records:
            return "<p>History: no epochs recorded</p>"
        head, titles, rows, foot = self._summary_parts()
        table = html_table(titles, rows, head) if rows else f"<p>{head}</p><p>{NO_LAYERS}</p>"
        return table + "".join(f"<p>{f}</p>" for f in foot)

    def _summary_parts(self) -> tuple:
        last = self.final_record()
        head = (f"epoch {last['epoch']}: train loss {last['train_loss']:.4f}"
                + _opt(" acc", last.get("train_acc"), ".3f")
                + _opt(", val loss", last.get("val_loss"), ".4f")
                + _opt(" acc", last.get("val_acc"), ".3f"))
        if last is not self.records[-1]:
            head += (f" (weights restored from this epoch; training ran to epoch "
                     f"{self.records[-1]['epoch']})")
        # each row named as the hints name it ("layer 2 · ReLU"), beside its module path
        titles = ["module", "layer"] + [title for title, _, _ in self._COLUMNS]
        spec = [(key, fmt) for _, key, fmt in self._COLUMNS]
        layers = last.get("layers", {})
        labels = layer_labels(layers)
        rows = [[name, labels[name]] + cells(s, spec) for name, s in layers.items()]
        ratio = hints.gradient_ratio(self.records[0])
        foot = [] if math.isnan(ratio) else [
            f"first/last Linear gradient-norm ratio (epoch 1): {ratio:.2e}"]
        return head, titles, rows, foot

    def final_record(self) -> dict:
        """The record of the epoch whose weights the model holds after training."""
        if self.restored_epoch is not None:
            for record in self.records:
                if record["epoch"] == self.restored_epoch:
                    return record
        return self.records[-1]

    def diagnose(self) -> list:
        """Plain advice from the numbers: ``Hint`` objects, most severe first (rules,
        thresholds and their sources: ``tinynet.diagnostics.hints``)."""
        return hints.diagnose(self.records, self.config, self.restored_epoch)

    def __repr__(self) -> str:
        return f"History({len(self.records)} epochs)"


def _opt(label: str, value, spec: str) -> str:
    return "" if value is None else f"{label} {value:{spec}}"


def _jsonable(value):
    """numpy scalars and arrays inside records -> plain Python."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"History.to_json: records and config must hold numbers, strings, lists "
                    f"and dicts (numpy values too), got {type(value).__name__}")
