"""atomic_write, and every writer that uses it: a write that fails midway leaves the
previous file as it was and no temporary file behind."""
import os
import re

import pytest

import tinynet as tn
from tinynet.files import atomic_write
from tinynet.training import History


def _crash_before_rename(monkeypatch):
    """Make the flush to disk fail: the new contents are written but never renamed."""
    def fail(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)


def test_a_finished_write_replaces_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old")
    with atomic_write(path, encoding="utf-8") as f:
        f.write("new")
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_an_exception_inside_the_block_keeps_the_previous_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as f:
            f.write("half of the new")
            raise KeyboardInterrupt
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_a_failed_write_to_a_new_path_creates_nothing(tmp_path, monkeypatch):
    _crash_before_rename(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        with atomic_write(tmp_path / "new.bin", "wb") as f:
            f.write(b"data")
    assert os.listdir(tmp_path) == []


def test_only_write_modes_are_accepted(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb', got 'a'"):
        with atomic_write(tmp_path / "x", "a"):
            pass


def _history():
    return History([{"epoch": 1, "train_loss": 0.5, "layers": {"0": {"grad_norm": 1.0}}}],
                   {"seed": 0})


@pytest.mark.parametrize("write", [
    lambda path: _history().to_json(path),
    lambda path: _history().to_csv(path),
], ids=["History.to_json", "History.to_csv"])
def test_history_writers_keep_the_previous_file_when_the_write_fails(write, tmp_path,
                                                                     monkeypatch):
    path = tmp_path / "history.out"
    path.write_text("previous run")
    _crash_before_rename(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        write(path)
    assert path.read_text() == "previous run"
    assert os.listdir(tmp_path) == ["history.out"]


def test_history_writers_write_what_they_return(tmp_path):
    history = _history()
    assert history.to_json(tmp_path / "h.json") == (tmp_path / "h.json").read_text()
    history.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().splitlines() == ["epoch,train_loss,0/grad_norm",
                                                             "1,0.5,1.0"]


def test_a_figure_whose_write_fails_keeps_the_previous_file(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from tinynet import plot

    path = tmp_path / "activations.png"
    path.write_bytes(b"previous figure")
    _crash_before_rename(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        plot.activations(path)
    assert path.read_bytes() == b"previous figure"
    assert os.listdir(tmp_path) == ["activations.png"]


def test_a_figure_takes_its_format_from_the_file_name(tmp_path):
    pytest.importorskip("matplotlib")
    from tinynet import plot

    plot.activations(tmp_path / "a.svg")
    plot.activations(tmp_path / "a.png")
    assert (tmp_path / "a.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")


def test_a_failed_save_of_a_state_dict_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    tn.save({"epoch": 1}, path)
    _crash_before_rename(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        tn.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert tn.load(path) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["model.npz"]


# ---- permissions, links, directories, and temporary files left by killed writers --------
def test_rewriting_a_private_file_keeps_it_private(tmp_path):
    path = tmp_path / "model.npz"
    tn.save({"w": tn.ones(2)}, path)
    os.chmod(path, 0o600)
    tn.save({"w": tn.zeros(2)}, path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert tn.load(path)["w"].tolist() == [0.0, 0.0]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        tn.save({"w": tn.ones(2)}, tmp_path / "new.npz")
    finally:
        os.umask(old)
    assert oct(os.stat(tmp_path / "new.npz").st_mode & 0o777) == "0o644"


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "best.npz"
    tn.save({"w": tn.ones(2)}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    tn.save({"w": tn.zeros(2)}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert tn.load(target)["w"].tolist() == [0.0, 0.0]
    assert sorted(os.listdir(tmp_path / "runs")) == ["best.npz"]


def test_a_directory_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError, match=r"tn.save: path must be a file name, got "
                                                r".*out', which is a directory"):
        tn.save({"w": tn.ones(2)}, tmp_path / "out")
    with pytest.raises(IsADirectoryError):
        tn.save({"w": tn.ones(2)}, str(tmp_path / "new") + os.sep)
    assert os.listdir(tmp_path) == ["out"] and os.listdir(tmp_path / "out") == []


def test_temporary_files_of_killed_writers_are_removed_by_the_next_save(tmp_path):
    import signal
    import subprocess
    import sys

    path = tmp_path / "model.npz"
    tn.save({"w": tn.ones(3)}, path)
    # a writer killed between creating its temporary file and renaming it
    code = ("import os, signal, sys, tinynet as tn\n"
            "from tinynet import files\n"
            "real = os.replace\n"
            "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
            "tn.save({'w': tn.zeros(300000)}, sys.argv[1])\n")
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", code, str(path)], timeout=60)
        assert proc.returncode == -signal.SIGKILL
        leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        assert len(leftovers) == 1  # each writer removed the one killed before it
    assert tn.load(path)["w"].tolist() == [1.0, 1.0, 1.0]  # the old file is intact
    tn.save({"w": tn.full((3,), 2.0)}, path)
    assert os.listdir(tmp_path) == ["model.npz"]
    # a temporary file of a live writer (this process) is left alone
    mine = tmp_path / f".model.npz.{os.getpid()}.abc.tmp"
    mine.write_bytes(b"in progress")
    tn.save({"w": tn.ones(1)}, path)
    assert mine.exists()


def test_a_folder_that_takes_no_new_file_is_named_with_the_path(tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open

    def refusing_open(file, mode="r", *args, **kwargs):
        if "x" in mode:  # the temporary file next to the target
            raise PermissionError(13, "Permission denied")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    target = tmp_path / "out.csv"
    folder = os.path.realpath(tmp_path)
    with pytest.raises(PermissionError, match=re.escape(f"where: cannot write '{target}' in "
                                                        f"'{folder}': Permission denied")) as info:
        with atomic_write(target, where="where"):
            pass
    assert info.value.errno == 13


def test_another_files_temporary_whose_name_extends_this_ones_is_left_alone(tmp_path):
    # ckpt.9's writer (alive: this process) has .ckpt.9.<pid>.<token>.tmp; a save of
    # "ckpt" read its 9 as a process id, found no such process and deleted it
    theirs = tmp_path / f".ckpt.9.{os.getpid()}.abc.tmp"
    theirs.write_bytes(b"in progress")
    dead = tmp_path / ".ckpt.999999999.abc.tmp"  # ckpt's own, of a writer long gone
    dead.write_bytes(b"left over")
    tn.save({"w": tn.ones(1)}, tmp_path / "ckpt")
    assert theirs.exists() and not dead.exists()


def test_a_read_only_file_is_not_replaced(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write a read-only file")
    path = tmp_path / "locked.npz"
    tn.save({"w": tn.ones(2)}, path)
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="tn.save: cannot write .*locked.npz.*: the file "
                                              "is read-only"):
        tn.save({"w": tn.zeros(2)}, path)
    assert tn.load(path)["w"].tolist() == [1.0, 1.0]
