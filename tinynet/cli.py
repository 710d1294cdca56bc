"""The ``tinynet`` command line: compare activations, train one model, draw figures.

    tinynet compare --dataset moons --activations relu,gelu,sigmoid --depth 8 --jobs 2
    tinynet train --dataset digits --activation gelu --norm layernorm --epochs 20
    tinynet plot-activations activations.png
    tinynet demo
    tinynet exercises list | start DIR | check [TASK ...] [--dir DIR]
"""
import argparse
import dataclasses
import difflib
import math
import os
import sys
import tempfile
import time

from tinynet.checks import suggest
from tinynet.diagnostics.hints import reworded
from tinynet.data import DATASETS
from tinynet.models import ACTIVATIONS

DEFAULT_ACTIVATIONS = "relu,leaky_relu,elu,gelu,sigmoid,tanh"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {value}")
    return value


def _seed(text: str) -> int:
    """A random seed: an integer in [0, 2**32 - 1] (numpy's and PyTorch's range)."""
    rule = f"must be an integer in [0, {2 ** 32 - 1}]"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{rule}, got {text!r}") from None
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"{rule}, got {value}")
    return value


def _jobs(text: str) -> int:
    """joblib's n_jobs, as compare_activations takes it: a positive count, or negative
    (-1: every core, -2: all but one...); 0 means nothing."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, or negative as in "
                                         f"joblib (-1: every core, -2: all but one), got "
                                         f"{text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an accuracy in (0, 1], got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be an accuracy in (0, 1], got {value}")
    return value


def _output_path(text: str) -> str:
    """A file to write, checked now, not after training: not a directory, in a folder that
    exists and that we may write into, and not a file we may not replace."""
    path = os.path.realpath(text)
    folder = os.path.dirname(path)
    if os.path.isdir(path) or text.endswith(os.sep):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a directory; give a "
                                         f"file name")
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: folder {folder!r} does not "
                                         f"exist")
    refusal = _refusal_to_new_files(folder)
    if refusal:
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: folder {folder!r} takes no "
                                         f"new file (creating one failed: {refusal})")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: the file is not writable")
    return text


OUTPUTS = ("csv", "json", "plot")  # the options that name a file to write

# The hints' advice names fit's and MLP's arguments; for `tinynet train`, its flags, and
# what it has no flag for is said to be Python's (so the advice can still be followed).
HINTS_IN_FLAGS = (
    ("stop earlier (callbacks=[EarlyStopping(restore_best_weights=True)])",
     "stop earlier (fewer --epochs; in Python: callbacks=[EarlyStopping("
     "restore_best_weights=True)])"),
    ("the learning rate", "the learning rate (--lr)"),
    ("add LayerNorm", "add LayerNorm (--norm layernorm)"),
    ("try another seed", "try another --seed"),
    ("a smaller model", "a smaller model (--depth, --width)"),
    ("(fit(clip_grad_norm=1.0))", "(in Python: fit(clip_grad_norm=1.0))"),
    ("(nn.init.constant_(layer.bias, 0.01))", "(in Python: nn.init.constant_(layer.bias, 0.01))"),
    ("(optimizer='adamw')", "(in Python: fit(optimizer='adamw'))"),
    ("(a scheduler)", "(in Python: a scheduler)"),
    ("(MLP(init='auto')", "(in Python: MLP(init='auto')"),
)


def _refuse_one_file_twice(parser, args) -> None:
    """Two output options naming one file: the second would overwrite the first."""
    given = [(name, getattr(args, name)) for name in OUTPUTS if getattr(args, name, None)]
    for i, (name, path) in enumerate(given):
        for other, other_path in given[:i]:
            if os.path.realpath(path) == os.path.realpath(other_path):
                parser.error(f"--{other} and --{name} name the same file {path!r}: one would "
                             f"overwrite the other; give each its own file")


def _refusal_to_new_files(folder: str) -> str:
    """Why ``folder`` takes no new file, or "" when it does: the outputs are written to a
    new file beside their name, then renamed (files.atomic_write), so a new file is
    tried there and removed. NOTE: permission bits alone do not say it (root passes
    them on /proc and on a read-only mount)."""
    try:
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".tinynet-", suffix=".tmp")
    except OSError as error:
        return error.strerror or type(error).__name__
    os.close(descriptor)
    os.unlink(probe)
    return ""


def _figure_path(text: str) -> str:
    """``_output_path``, in a format matplotlib writes (by the file's extension; none is
    PNG), checked now, not after training."""
    text = _output_path(text)
    extension = os.path.splitext(text)[1].lower().lstrip(".")
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:  # (the plot extra is missing: the command says so when it draws)
        return text
    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    if extension and extension not in formats:
        raise argparse.ArgumentTypeError(f"cannot write a figure to {text!r}: its format "
                                         f"{extension!r} is not one matplotlib writes "
                                         f"({', '.join(formats)})")
    return text


def _activation(text: str) -> str:
    """A known activation name, or 'module:Class' naming an activation module class."""
    from tinynet.models import resolve_activation

    if "," in text:
        raise argparse.ArgumentTypeError(f"must be one activation (compare takes a list), "
                                         f"got {text!r}")
    try:
        resolve_activation("activation", text)
    except (TypeError, ValueError) as error:
        if ":" in text:  # why module:Class failed, without the "activation: " prefix
            raise argparse.ArgumentTypeError(str(error).removeprefix("activation: ")) from None
        raise argparse.ArgumentTypeError(
            f"must be one of {', '.join(sorted(ACTIVATIONS))}, or module:Class naming your "
            f"own, got {text!r}{suggest(text, ACTIVATIONS)}") from None
    return text


def _activation_list(text: str) -> list:
    names = [name.strip() for name in text.split(",")]
    if not any(names):
        raise argparse.ArgumentTypeError(f"must name at least one activation (of "
                                         f"{', '.join(sorted(ACTIVATIONS))}), got {text!r}")
    if not all(names):
        raise argparse.ArgumentTypeError(f"must name an activation between each two commas "
                                         f"and none at either end, got {text!r}")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"must name each activation once, got "
                                         f"{', '.join(twice)} twice in {text!r}")
    return [_activation(name) for name in names]


def _model_options(parser) -> None:
    parser.add_argument("--dataset", default="moons", choices=DATASETS, help="(moons)")
    parser.add_argument("--depth", type=_positive_int, default=8, help="hidden layers (8)")
    parser.add_argument("--width", type=_positive_int, default=32, help="units per layer (32)")
    parser.add_argument("--norm", choices=["none", "layernorm"], default="none",
                        help="after each activation (none)")
    parser.add_argument("--epochs", type=_positive_int, default=30, help="(30)")
    parser.add_argument("--lr", type=_positive_float, default=1e-2, help="Adam's lr (0.01)")
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="(64)")


def _compare(args) -> int:
    from tinynet.experiments import compare_activations

    result = compare_activations(args.dataset, args.activations, depth=args.depth,
                                 width=args.width, epochs=args.epochs, seeds=args.seeds,
                                 norm=None if args.norm == "none" else args.norm, lr=args.lr,
                                 n_jobs=args.jobs, batch_size=args.batch_size,
                                 target=args.target)
    print(f"{args.dataset}: MLP depth {args.depth} x width {args.width}, norm {args.norm}, "
          f"{_count(args.epochs, 'epoch')}, Adam lr {args.lr}, "
          f"{'seed 0' if args.seeds == 1 else f'seeds 0..{args.seeds - 1}'}")
    print(result.table())
    for activation, seed, message in result.failures:
        print(f"diverged: {activation}, seed {seed}: {message}")
    print(f"({result.settings['seconds']:.1f} s)")
    if args.csv:
        _write(args.csv, result.to_csv)
    if args.plot:
        from tinynet import plot

        _write(args.plot, lambda path: plot.comparison(result, path))
    return 0


def _count(n: int, noun: str) -> str:
    """"1 epoch", "30 epochs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _write(path: str, write) -> None:
    """Write an output file with ``write(path)`` and say so."""
    write(path)
    print(f"wrote {path}")


def _train(args) -> int:
    from tinynet.data import load_dataset
    from tinynet.models import MLP
    from tinynet.random import manual_seed
    from tinynet.training import fit

    data = load_dataset(args.dataset, seed=args.seed)
    manual_seed(args.seed)
    model = MLP(data.n_features, [args.width] * args.depth, data.n_classes,
                activation=args.activation, norm=None if args.norm == "none" else args.norm)
    status = 0
    try:
        history = fit(model, data.X_train, data.y_train, lr=args.lr, epochs=args.epochs,
                      batch_size=args.batch_size, validation_data=(data.X_test, data.y_test),
                      seed=args.seed, progress=not args.quiet)
    except FloatingPointError as error:  # a diverged run is an answer, not a crash
        print(f"tinynet train: {error}", file=sys.stderr)
        history, status = error.history, 1  # its finished epochs, and where it diverged
    if history.records:
        print(history.summary())
    for hint in history.diagnose():  # (in the words of this command's flags)
        print("hint:", dataclasses.replace(hint, advice=reworded(hint.advice, HINTS_IN_FLAGS)))
    if args.json:
        _write(args.json, history.to_json)
    if args.plot:
        if history.records:
            from tinynet import plot

            _write(args.plot, lambda path: plot.gradient_norms(history, path))
        else:
            print(f"tinynet train: {args.plot} not written: no epoch finished, so there is "
                  f"no gradient norm to draw", file=sys.stderr)
    return status


def _plot_activations(args) -> int:
    from tinynet import plot

    plot.activations(args.path)
    print(f"wrote {args.path}")
    return 0


def _demo(args) -> int:
    """Train an MLP (GELU + LayerNorm) on make_moons with a PyTorch-style loop."""
    import numpy as np

    import tinynet as tn
    from tinynet import nn

    data = tn.data.load_dataset("moons", seed=args.seed)
    tn.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(2, 32), nn.GELU(), nn.LayerNorm(32),
                          nn.Linear(32, 32), nn.GELU(), nn.LayerNorm(32), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = tn.optim.Adam(model.parameters(), lr=0.01)
    X, y = tn.tensor(data.X_train), tn.tensor(data.y_train)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    for _ in range(args.epochs):
        for idx in tn.data.batches(len(X), 32, rng=rng):
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with tn.no_grad():
        predicted = model(tn.tensor(data.X_test)).argmax(dim=1)
        accuracy = (predicted == tn.tensor(data.y_test)).float().mean().item()
    print(f"make_moons: {args.epochs} epochs in {seconds:.2f} s, final batch loss "
          f"{loss.item():.4f}, test accuracy {accuracy:.3f}")
    return 0


def _exercises_list(args) -> int:
    from tinynet.exercises import TASKS

    width = max(len(task.title) for task in TASKS)
    print(f"{'#':>2}  {'task':<14} {'points':>6}  {'what':<{width}}  needs")
    for task in TASKS:
        print(f"{task.number:>2}  {task.name:<14} {task.points:>6}  {task.title:<{width}}  "
              f"{', '.join(task.needs) or '-'}")
    print(f"total {sum(task.points for task in TASKS)} points; start with: tinynet exercises "
          f"start DIR")
    return 0


def _exercises_start(args) -> int:
    from tinynet.exercises import start

    root = start(args.dir, solutions=args.solutions)
    print(f"a workspace in {root}: read {root / 'README.md'}, then run `tinynet exercises "
          f"check` there")
    return 0


PYTEST_MISSING = 3  # exit status of `exercises check` without pytest: nothing was graded


def _exercises_check(args) -> int:
    from tinynet.exercises import check
    from tinynet.exercises.grader import PytestMissing

    try:
        report = check(args.dir, args.tasks)
    except PytestMissing as error:
        print(f"tinynet exercises check: error: {str(error).removeprefix('exercises.check: ')}",
              file=sys.stderr)
        return PYTEST_MISSING
    print(report)
    return 0 if report.passed else 1


def _exercise_options(commands) -> None:
    exercises = commands.add_parser("exercises", help="the course: list, start, check tasks")
    actions = exercises.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = actions.add_parser("list", help="the tasks, their points and what each needs")
    listing.set_defaults(run=_exercises_list)
    start = actions.add_parser("start", help="write a student workspace into DIR")
    start.add_argument("dir", help="a new (or empty) directory")
    start.add_argument("--solutions", action="store_true",
                       help="keep tinynet's own solutions in the code (a teacher's key)")
    start.set_defaults(run=_exercises_start)
    check = actions.add_parser("check", help="grade a workspace; exit status 0 when all pass")
    check.add_argument("tasks", nargs="*", help="task names or numbers (default: all)")
    check.add_argument("--dir", default=".", help="the workspace (default: here)")
    check.set_defaults(run=_exercises_check)
    exercises.commands = actions.choices


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (what and how to get help), exit status 2, and
    an option must be spelt in full: argparse would read a prefix as the option it
    starts (``compare --seed 7`` as ``--seeds 7``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.commands = {}  # name -> the parser of each subcommand, once added

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def unrecognized(self, extra: list) -> None:
        """Exit for arguments no option of this parser takes, naming the closest."""
        options = [o for action in self._actions for o in action.option_strings]
        close = [difflib.get_close_matches(word.split("=")[0], options, n=1)
                 for word in extra if word.startswith("-")]
        hint = "; ".join(f"did you mean {c[0]}?" for c in close if c)
        self.error(f"unrecognized arguments: {' '.join(extra)}" + (f" ({hint})" if hint else ""))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tinynet", description="Train deep MLPs and see why activation functions matter.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    compare = commands.add_parser("compare", help="compare activations on one dataset")
    _model_options(compare)
    compare.add_argument("--activations", type=_activation_list,
                         default=DEFAULT_ACTIVATIONS.split(","),
                         help=f"comma-separated names or module:Class paths "
                              f"({DEFAULT_ACTIVATIONS})")
    compare.add_argument("--seeds", type=_positive_int, default=3,
                         help="seeds 0..N-1 (3); the ± is their standard deviation")
    compare.add_argument("--jobs", type=_jobs, default=2,
                         help="parallel jobs (2; -1: all cores, -2: all but one)")
    compare.add_argument("--target", type=_fraction, default=0.9,
                         help="accuracy for 'epochs to target' (0.9)")
    compare.add_argument("--csv", type=_output_path, help="write the table as CSV")
    compare.add_argument("--plot", type=_figure_path,
                         help="write the comparison figure (PNG, or the format of the "
                              "file's extension: .pdf, .svg...)")
    compare.set_defaults(run=_compare)

    train = commands.add_parser("train", help="train one MLP and print its diagnostics")
    _model_options(train)
    train.add_argument("--activation", default="gelu", type=_activation,
                       help=f"{', '.join(sorted(ACTIVATIONS))}, or module:Class (gelu)")
    train.add_argument("--seed", type=_seed, default=0, help="seeds the data split, the weights "
                       "and the minibatch order (0)")
    train.add_argument("--json", type=_output_path, help="write the History as JSON")
    train.add_argument("--plot", type=_figure_path,
                       help="write the per-layer gradient norms figure (PNG, or the "
                            "format of the file's extension)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)

    plot = commands.add_parser("plot-activations", help="draw each activation and derivative")
    plot.add_argument("path", type=_figure_path, help="output PNG file")
    plot.set_defaults(run=_plot_activations)

    demo = commands.add_parser("demo", help="a PyTorch-style loop on make_moons")
    demo.add_argument("--epochs", type=_positive_int, default=30, help="epochs (30)")
    demo.add_argument("--seed", type=_seed, default=0, help="seeds the data split, the weights "
                      "and the minibatch order (0)")
    demo.set_defaults(run=_demo)
    _exercise_options(commands)
    parser.commands = commands.choices  # (name -> parser: unrecognized arguments)
    return parser


def main(argv=None) -> int:
    """Run one command; returns its exit status (0 done, 1 a diverged run or a failed
    check, 2 bad input, 3 a check that cannot run: no pytest). Bad input is one line on
    stderr, never a traceback."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the subcommand's parser, which knows its options
        command = parser.commands.get(args.command, parser)
        command = command.commands.get(getattr(args, "action", None), command)
        command.unrecognized(extra)
    _refuse_one_file_twice(parser.commands.get(args.command, parser), args)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as error:
        command = " ".join(filter(None, [args.command, getattr(args, "action", None)]))
        # said once, by the line's start ("exercises check" is exercises.check in Python)
        message = str(error).removeprefix(f"{command.replace(' ', '.')}: ")
        print(f"tinynet {command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
