"""The tinynet command line, end to end through tinynet.cli.main."""
import csv
import json
import os

import pytest

from tinynet.cli import main

SMALL = ["--dataset", "moons", "--depth", "2", "--width", "8", "--epochs", "2"]


def _usage_error(capsys, argv) -> str:
    """Run argv, expect argparse's exit status 2, return what it printed to stderr."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_compare_prints_the_table_and_writes_csv_and_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    table_csv, figure = tmp_path / "out.csv", tmp_path / "out.png"
    code = main(["compare", *SMALL, "--activations", "relu,sigmoid", "--seeds", "1",
                 "--jobs", "1", "--csv", str(table_csv), "--plot", str(figure)])
    assert code == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "moons: MLP depth 2 x width 8, norm none, 2 epochs, Adam lr 0.01, seed 0"
    assert "| activation | test acc (mean ± std) |" in out
    assert sum(line.startswith("| relu |") for line in lines) == 1
    assert sum(line.startswith("| sigmoid |") for line in lines) == 1
    assert f"wrote {table_csv}" in out and f"wrote {figure}" in out
    with open(table_csv, newline="", encoding="utf-8") as f:
        assert [row["activation"] for row in csv.DictReader(f)] == ["relu", "sigmoid"]
    assert figure.stat().st_size > 5000


def test_train_prints_the_summary_and_writes_json(capsys, tmp_path):
    path = tmp_path / "run.json"
    code = main(["train", *SMALL, "--activation", "tanh", "--norm", "layernorm", "--quiet",
                 "--json", str(path)])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("epoch 2: train loss")
    for layer in ("0", "1", "3", "4", "6"):  # Linear and Tanh layers (LayerNorm: no row)
        assert any(line.split()[:1] == [layer] for line in out.splitlines()), layer
    assert "first/last Linear gradient-norm ratio" in out
    record = json.loads(path.read_text(encoding="utf-8"))
    assert len(record["records"]) == 2 and record["config"]["seed"] == 0
    assert "activation='tanh', norm='layernorm'" in record["config"]["model"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_train_that_diverges_reports_it_and_exits_1(capsys, tmp_path):
    json_path, png = tmp_path / "history.json", tmp_path / "norms.png"
    code = main(["train", "--depth", "2", "--width", "8", "--epochs", "3", "--quiet",
                 "--lr", "1e30", "--json", str(json_path), "--plot", str(png)])
    captured = capsys.readouterr()
    if code == 0:  # Adam's step is bounded by lr, so 1e30 must blow up; if not, say so
        pytest.fail(f"training with lr=1e30 did not diverge:\n{captured.out}")
    assert code == 1
    assert "the loss became nan at epoch 1" in captured.err
    assert "hint: the loss became nan at epoch 1" in captured.out  # the diverged hint
    # its advice in the words of the command's flags, or said to be Python's
    assert "lower the learning rate (--lr) (by 10x)" in captured.out
    assert "clip the gradients (in Python: fit(clip_grad_norm=1.0))" in captured.out
    # the History of the run (no finished epoch, where it diverged) is still written
    written = json.loads(json_path.read_text())
    assert written["records"] == [] and written["config"]["diverged"]["epoch"] == 1
    assert not png.exists() and f"{png} not written: no epoch finished" in captured.err


def test_train_s_hints_name_its_flags(capsys):
    # a rate far too low on a ReLU net whose units were dead from the start: both hints,
    # each in the command's flags, or said to be Python's where it has none
    assert main(["train", "--lr", "1e-7", "--activation", "relu", "--depth", "6", "--width",
                 "8", "--epochs", "4", "--quiet"]) == 0
    hints = [line for line in capsys.readouterr().out.splitlines() if line.startswith("hint:")]
    assert any("raise the learning rate (--lr) (by 10x or more)" in h for h in hints)
    dead = next(h for h in hints if h.startswith("hint: dead ReLUs"))
    assert "(in Python: nn.init.constant_(layer.bias, 0.01)), try another --seed" in dead
    assert "standardise" not in dead  # the CLI's datasets are standardised


def test_plot_activations_writes_a_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "activations.png"
    assert main(["plot-activations", str(path)]) == 0
    assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 5000
    assert f"wrote {path}" in capsys.readouterr().out


def test_demo_runs(capsys):
    assert main(["demo", "--epochs", "2"]) == 0
    assert "make_moons: 2 epochs" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    ([], "required: command"),
    (["fly"], "invalid choice: 'fly'"),
    (["compare", "--depth", "0"], "--depth: must be a positive integer, got 0"),
    (["compare", "--width", "wide"], "--width: must be a positive integer, got 'wide'"),
    (["compare", "--activations", "relu,swish"], "--activations: must be one of elu, gelu"),
    (["compare", "--activations", ","],
     "--activations: must name at least one activation (of elu, "),
    (["compare", "--activations", "relu,,gelu"],
     "--activations: must name an activation between each two commas and none at either end, "
     "got 'relu,,gelu'"),
    (["compare", "--activations", "relu,"], "none at either end, got 'relu,'"),
    (["train", "--activation", "relu,gelu"],
     "--activation: must be one activation (compare takes a list), got 'relu,gelu'"),
    (["train", "--activation", "math:pi"],
     "got 'math:pi', which names 3.14159"),
    (["compare", "--csv", "same.png", "--plot", "./same.png"],
     "tinynet compare: error: --csv and --plot name the same file './same.png': one would "
     "overwrite the other; give each its own file"),
    (["train", "--json", "run.png", "--plot", "run.png"],
     "--json and --plot name the same file 'run.png'"),
    (["compare", "--activations", "relu,tanh,relu"],
     "--activations: must name each activation once, got relu twice in 'relu,tanh,relu'"),
    (["train", "--activation", "tinynet.nn:Linear"],
     "activation must make a module with no arguments (the model makes one per layer), but "
     "Linear() fails"),
    (["compare", "--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["compare", "--lr", "-0.1"], "--lr: must be a finite positive number, got -0.1"),
    (["train", "--lr", "inf"], "--lr: must be a finite positive number, got inf"),
    (["train", "--seed", "-1"], "--seed: must be an integer in [0, 4294967295], got -1"),
    (["train", "--seed", str(2 ** 32)], "--seed: must be an integer in [0, 4294967295], got "
                                        "4294967296"),
    (["demo", "--seed", "one"], "--seed: must be an integer in [0, 4294967295], got 'one'"),
    (["compare", "--jobs", "0"], "--jobs: must be a positive integer, or negative as in "
                                 "joblib (-1: every core, -2: all but one), got '0'"),
    (["compare", "--target", "90"], "--target: must be an accuracy in (0, 1], got 90.0"),
    (["compare", "--norm", "batchnorm"], "invalid choice: 'batchnorm'"),
    (["train", "--activation", "swish"], "or module:Class naming your own, got 'swish' (did "
                                         "you mean 'silu'? swish is another name for it)"),
    (["train", "--epochs", "-3"], "--epochs: must be a positive integer, got -3"),
    (["plot-activations"], "the following arguments are required: path"),
    (["plot-activations", "/no/such/folder/a.png"], "folder '/no/such/folder' does not exist"),
    (["compare", "--csv", "/no/such/folder/a.csv"], "does not exist"),
    (["compare", "--plot", "figure.txt"], "--plot: cannot write a figure to 'figure.txt': its "
                                          "format 'txt' is not one matplotlib writes (avif, "),
    (["train", "--plot", "norms.PNGX"], "its format 'pngx' is not one matplotlib writes"),
    # an option spelt in part is not read as the one it starts: --seed is not --seeds
    (["compare", "--seed", "7"], "tinynet compare: error: unrecognized arguments: --seed 7 "
                                 "(did you mean --seeds?) (see tinynet compare --help)"),
    (["train", "--datset", "moons"], "tinynet train: error: unrecognized arguments: --datset "
                                     "moons (did you mean --dataset?)"),
    (["exercises", "check", "--dri", "x"], "tinynet exercises check: error: unrecognized "
                                           "arguments: --dri"),
])
def test_bad_arguments_exit_2_with_one_clear_line(capsys, argv, message):
    err = _usage_error(capsys, argv)
    assert err.count("\n") == 1 and err.startswith("tinynet") and "Traceback" not in err
    assert message in err and "--help)" in err


@pytest.mark.parametrize("option", ["--csv", "--plot"])
def test_an_output_path_that_is_a_directory_is_refused_before_training(capsys, tmp_path,
                                                                      option):
    err = _usage_error(capsys, ["compare", *SMALL, option, str(tmp_path)])
    assert "it is a directory; give a file name" in err
    assert os.listdir(tmp_path) == []  # no temporary file left in the parent either


def test_an_unwritable_folder_is_refused_before_training(capsys, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    err = _usage_error(capsys, ["train", *SMALL, "--json", str(locked / "run.json")])
    assert "takes no new file (creating one failed: " in err


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_a_folder_that_takes_no_new_file_is_refused_before_training(capsys):
    # /proc passes the permission bits for root, yet takes no new file
    err = _usage_error(capsys, ["compare", *SMALL, "--csv", "/proc/table.csv"])
    assert "cannot write '/proc/table.csv': folder '/proc' takes no new file (creating " \
        "one failed: " in err


def test_a_library_error_is_one_line_and_exit_2(capsys, monkeypatch):
    import tinynet.experiments as experiments

    def refuse(*args, **kwargs):
        raise ValueError("compare_activations: lr must be a finite number > 0, got inf")

    monkeypatch.setattr(experiments, "compare_activations", refuse)
    assert main(["compare", *SMALL]) == 2
    err = capsys.readouterr().err
    assert err == ("tinynet compare: error: compare_activations: lr must be a finite number "
                   "> 0, got inf\n")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_compare_names_each_diverged_run_and_keeps_the_others(capsys):
    code = main(["compare", *SMALL, "--activations", "relu", "--seeds", "2", "--jobs", "1",
                 "--lr", "1e12"])
    assert code == 0
    out = capsys.readouterr().out
    assert "diverged: relu, seed " in out and "| relu |" in out


def test_exercises_start_refuses_a_missing_parent_folder_or_a_file(capsys, tmp_path):
    missing = tmp_path / "no" / "such" / "hw"
    assert main(["exercises", "start", str(missing)]) == 2
    assert "that is to hold 'hw' does not exist; create it first" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["exercises", "start", str(afile)]) == 2
    assert "which is a file" in capsys.readouterr().err
    from tinynet.exercises.grader import select
    with pytest.raises(ValueError, match=r"or a number from 1 to 11, got '12'"):
        select(["12"])
