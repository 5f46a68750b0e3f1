"""The bpcourse command as a user runs it: exit codes and what it prints."""
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
