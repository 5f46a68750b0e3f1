"""The bpcourse command as a user runs it: exit codes and what it prints."""
import os
import subprocess
import sys
import zipfile

import pytest

BPCOURSE = [sys.executable, "-m", "autograde.cli"]


def run(*args):
    return subprocess.run(BPCOURSE + [str(a) for a in args], capture_output=True, text=True)


def test_release_check_passes_on_the_committed_tree():
    out = run("release", "--check")
    assert out.returncode == 0, out.stderr
    assert "up to date" in out.stdout


def test_release_check_fails_naming_the_stale_file(monkeypatch, tmp_path, capsys):
    from autograde import cli, release
    monkeypatch.setattr(release, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(release, "CLASS_DIR", tmp_path / "class")
    monkeypatch.setattr("autograde.source.REPO", tmp_path)
    with pytest.raises(SystemExit) as code:
        cli.main(["release", "--check", "00_intro"])
    assert code.value.code == 1
    out = capsys.readouterr()
    assert "stale: notebooks/00_intro/00_intro.ipynb" in out.out and "bpcourse release" in out.err


def test_unknown_assignment_in_release_is_a_clear_error():
    out = run("release", "--check", "77_nope")
    assert out.returncode == 2 and "no source for assignment '77_nope'" in out.stderr


def test_doctor_reports_versions_extensions_and_the_sandbox():
    out = run("doctor")
    assert out.returncode == 0, out.stdout + out.stderr
    for word in ["nbgrader     0.9.6", "jupyterlab   4.6.6", "@jupyter/nbgrader: enabled",
                 "@jupyter-widgets/jupyterlab-manager: enabled", "sandbox      OK", "ready to release and grade"]:
        assert word in out.stdout


def test_bundle_command_writes_a_zip(tmp_path):
    out = run("bundle", "--out", tmp_path / "s.zip")
    assert out.returncode == 0 and "wrote" in out.stdout
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert "backprop-course/notebooks/00_intro/00_intro.ipynb" in zf.namelist()


def test_grade_help_documents_the_exit_status():
    out = run("grade", "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "exit status:" in text
    assert "0 every submission was graded" in text
    assert "1 grading ran, but at least one submission was rejected or could not be graded" in text
    assert "2 grading could not start" in text


@pytest.fixture
def short_tmp():
    """A temporary folder with a short path: a kernel's IPC socket path inside DIR must fit
    the 107 bytes of a Unix socket address, which pytest's tmp_path names can exceed."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="bpc-cli-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.e2e
def test_grade_exits_1_naming_what_was_not_graded_and_0_when_all_was(short_tmp):
    from classes import A, put, read_csv, sample, score

    tmp_path = short_tmp
    put(tmp_path / "class", "solved", sample("solved"))
    first = run("grade", tmp_path / "class", "--out", tmp_path / "out", "--jobs", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "not graded" not in first.stdout + first.stderr

    corrupt = tmp_path / "class" / "corrupt" / A                  # rejected by the intake
    corrupt.mkdir(parents=True)
    (corrupt / f"{A}.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    second = run("grade", tmp_path / "class", "--out", tmp_path / "out", "--jobs", "1")
    assert second.returncode == 1, second.stdout + second.stderr
    last = second.stderr.strip().splitlines()[-1]
    assert last.startswith("bpcourse grade: 1 of 2 submission(s) not graded (1 corrupt_notebook): "
                           f"corrupt/{A}; see the status and message columns"), last
    assert str(tmp_path / "out" / ".bpcourse" / "logs") in last
    csv_files = list((tmp_path / "out").glob("*.csv"))
    assert len(csv_files) == 1 and str(csv_files[0]) in last
    rows = read_csv(csv_files[0])
    assert score(rows, "solved") == (6.0, 6.0)                     # the rest was graded (kept)
    assert rows["corrupt"]["status"] == "corrupt_notebook"


def test_a_grader_that_cannot_start_exits_2_not_1(tmp_path):
    """Another grader holds DIR's lock: refused before anything is graded."""
    from classes import put, sample
    from autograde.state import lock

    put(tmp_path / "class", "solved", sample("solved"))
    with lock(tmp_path / "out"):                                   # another grader holds DIR
        out = run("grade", tmp_path / "class", "--out", tmp_path / "out", "--unsafe")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "another grader is working on" in out.stderr and f"process {os.getpid()} " in out.stderr
    assert "graded" not in out.stdout and not (tmp_path / "out" / "submitted").exists()


def test_summary_counts_every_status_but_ok(tmp_path):
    from autograde.cli import not_graded_summary

    rows = [{"student_id": "a", "assignment": "00_intro", "status": "ok"},
            {"student_id": "b", "assignment": "00_intro"},                      # no status: graded
            *({"student_id": f"t{i}", "assignment": "00_intro", "status": "timeout"} for i in range(6)),
            {"student_id": "bad\nname", "assignment": "00_intro", "status": "bad_student_id"},
            {"student_id": "k", "assignment": "01_chain_rule", "status": "kernel_died"}]
    assert not_graded_summary(rows[:2], tmp_path) is None
    line = not_graded_summary(rows, tmp_path)
    assert "\n" not in line
    assert line.startswith("bpcourse grade: 8 of 10 submission(s) not graded "
                           "(1 bad_student_id, 1 kernel_died, 6 timeout): t0/00_intro, t1/00_intro, ")
    assert "and 3 more" in line and "bad\\nname" not in line    # only five names shown
    kept = {"student_id": "r", "assignment": "00_intro", "status": "ok", "rejected": True}
    assert "(1 rejected (earlier grade kept)): r/00_intro;" in not_graded_summary(rows[:2] + [kept], tmp_path)
    line = not_graded_summary(rows[-2:], tmp_path)
    assert "bad\\nname/00_intro, k/01_chain_rule;" in line       # an untrusted name, escaped
