"""autograde.exchange.SafeCollect in-process (no system accounts): one hostile inbound folder
must never stop collect for the class; a file rewritten while it is copied is not collected
with an early time; a refusal is signed so that only collect's record is ever a status."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from nbgrader.api import MissingEntry
from nbgrader.coursedir import CourseDirectory

from autograde import exchange
from autograde.exchange import REFUSED, TIMESTAMP, SafeCollect
from autograde.intake import scan

A = "00_intro"
COURSE = "bpcourse"
NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


class NoGradebook:
    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def find_assignment(self, name):
        raise MissingEntry()


@pytest.fixture
def ex(tmp_path, monkeypatch):
    monkeypatch.delenv("BPCOURSE_SECRET", raising=False)
    monkeypatch.setattr(exchange, "Gradebook", NoGradebook)   # no due date: nothing else is read from it
    root, exroot = tmp_path / "course", tmp_path / "exchange"
    (exroot / COURSE / "inbound").mkdir(parents=True)
    root.mkdir()
    return root, exroot


def inbound(exroot: Path, name: str) -> Path:
    d = Path(os.fsdecode(os.path.join(os.fsencode(exroot / COURSE / "inbound"), os.fsencode(name))))
    d.mkdir()
    return d


def collect(root: Path, exroot: Path) -> SafeCollect:
    cd = CourseDirectory(root=str(root), course_id=COURSE, assignment_id=A)
    sc = SafeCollect(coursedir=cd, root=str(exroot))
    sc.check_owner = False
    sc.init_src()
    sc.init_dest()
    sc.copy_files()
    return sc


def submitted(root: Path, student: str) -> Path:
    return root / "submitted" / student / A


def good(exroot: Path, student: str) -> None:
    (inbound(exroot, f"{student}+{A}+2026-01-01 00:00:00.000000 UTC") / f"{A}.ipynb").write_text(NB)


def remove_chain(top: Path) -> None:
    """Remove top/d/d/.../d (any depth) without recursion."""
    fds = [os.open(top, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        while "d" in os.listdir(fds[-1]):
            fds.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
        for parent in reversed(fds[:-1]):
            os.rmdir("d", dir_fd=parent)
    finally:
        for fd in fds:
            os.close(fd)


def test_a_folder_1200_levels_deep_is_refused_and_the_class_is_collected(ex):
    root, exroot = ex
    good(exroot, "alice")
    d = inbound(exroot, f"mallory+{A}+2026-01-01 00:00:00.000000 UTC")
    (d / f"{A}.ipynb").write_text(NB)
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(1200):   # mkdir d && cd d, through descriptors: the path is longer than PATH_MAX
        os.mkdir("d", dir_fd=fd)
        new = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = new
    os.close(fd)
    good(exroot, "zoe")
    try:
        collect(root, exroot)
    finally:
        remove_chain(d)      # pytest's own clean-up would recurse as deep
    assert (submitted(root, "alice") / f"{A}.ipynb").is_file()
    assert (submitted(root, "zoe") / f"{A}.ipynb").is_file()
    record = json.loads((submitted(root, "mallory") / REFUSED).read_text())
    assert record["status"] == "too_large" and "64" in record["message"], record
    assert not (submitted(root, "mallory") / f"{A}.ipynb").exists()
    got = {f.student: f for f in scan(root / "submitted", [A])}
    assert got["mallory"].status == "too_large" and got["alice"].status == "ok"


def test_a_tree_at_the_cap_is_collected_and_nbgraders_own_copies_manage_it(ex):
    """64 levels and a path of almost 1 024 bytes: collected; nbgrader autograde's recursive
    ``shutil.copytree``/``rmtree`` of the submission (into autograded/) have no trouble with it."""
    import shutil

    root, exroot = ex
    levels = ["d" * 14] * exchange.MAX_DEPTH
    deep = inbound(exroot, f"bob+{A}+x")
    (deep / f"{A}.ipynb").write_text(NB)
    deep.joinpath(*levels).mkdir(parents=True)
    (deep.joinpath(*levels) / "data.txt").write_text("x")
    too_deep = inbound(exroot, f"carol+{A}+x")
    (too_deep / f"{A}.ipynb").write_text(NB)
    too_deep.joinpath(*["d"] * (exchange.MAX_DEPTH + 1)).mkdir(parents=True)
    collect(root, exroot)
    assert (submitted(root, "bob").joinpath(*levels) / "data.txt").read_text() == "x"
    assert json.loads((submitted(root, "carol") / REFUSED).read_text())["status"] == "too_large"
    shutil.copytree(submitted(root, "bob"), root / "autograded" / "bob" / A)
    shutil.rmtree(root / "autograded")


def test_any_error_of_one_submission_is_its_refusal(ex, monkeypatch):
    root, exroot = ex
    good(exroot, "alice")
    good(exroot, "mallory")
    real = SafeCollect.take_file

    def boom(self, dfd, name, path, st, sub, dest, ignored):
        if sub.student == "mallory":
            raise RuntimeError("something nobody thought of")
        return real(self, dfd, name, path, st, sub, dest, ignored)

    monkeypatch.setattr(SafeCollect, "take_file", boom)
    collect(root, exroot)
    assert (submitted(root, "alice") / f"{A}.ipynb").is_file()
    record = json.loads((submitted(root, "mallory") / REFUSED).read_text())
    assert record["status"] == "unsafe_file" and "RuntimeError" in record["message"], record


def test_a_folder_name_that_is_not_utf8_is_refused_and_escaped(ex):
    root, exroot = ex
    bad = inbound(exroot, f"mallory+{A}+".encode() + b"\xff")
    (bad / f"{A}.ipynb").write_text(NB)
    os.symlink("/etc/passwd", bad / "leak.html")
    good(exroot, "zoe")
    collect(root, exroot)
    assert (submitted(root, "zoe") / f"{A}.ipynb").is_file()
    record = json.loads((submitted(root, "mallory") / REFUSED).read_text(encoding="utf-8"))
    assert record["status"] == "symlink"
    assert "\\udcff" in record["inbound"] and "\\udcff" in record["message"], record


def test_a_file_rewritten_while_it_is_copied_is_not_collected_with_an_early_time(ex, monkeypatch):
    """The student pads the notebook and rewrites its tail (pwrite) while collect reads it:
    the content copied may be the new one, so the time must not be the one read before."""
    root, exroot = ex
    d = inbound(exroot, f"mallory+{A}+x")
    path = d / f"{A}.ipynb"
    path.write_text(" " * (3 << 20) + NB)
    before = os.stat(path).st_ctime_ns
    real_read, done = os.read, []

    def read(fd, n):
        chunk = real_read(fd, n)
        if not done and n >= 1 << 20:      # collect's copy loop: the student writes meanwhile
            done.append(True)
            import time
            time.sleep(0.05)
            w = os.open(path, os.O_WRONLY)
            os.pwrite(w, b"LATE", path.stat().st_size - 8)
            os.close(w)
        return chunk

    monkeypatch.setattr(exchange.os, "read", read)
    collect(root, exroot)
    monkeypatch.setattr(exchange.os, "read", real_read)
    assert done and os.stat(path).st_ctime_ns > before
    dest = submitted(root, "mallory")
    if (dest / REFUSED).exists():
        assert "changed while it was collected" in json.loads((dest / REFUSED).read_text())["message"]
    else:   # collected: then its time is at least the rewrite's
        sc = SafeCollect(coursedir=CourseDirectory(root=str(root)))
        stamp = (dest / TIMESTAMP).read_text()
        assert stamp >= sc.format_time(os.stat(path).st_ctime_ns), stamp


def test_a_students_own_refusal_record_is_not_copied_and_not_a_status(ex):
    root, exroot = ex
    d = inbound(exroot, f"mallory+{A}+x")
    (d / f"{A}.ipynb").write_text(NB)
    (d / REFUSED).write_text(json.dumps({"status": "wrong_owner", "message": "=HYPERLINK(\"x\")"}))
    collect(root, exroot)
    assert not (submitted(root, "mallory") / REFUSED).exists()
    assert {f.student: f.status for f in scan(root / "submitted", [A])} == {"mallory": "ok"}


def test_collects_record_is_signed_and_a_forged_one_in_submitted_is_not_taken(ex):
    root, exroot = ex
    d = inbound(exroot, f"mallory+{A}+x")
    (d / f"{A}.ipynb").write_text(NB)
    os.symlink("/etc/passwd", d / "leak.html")
    good(exroot, "alice")
    collect(root, exroot)
    got = {f.student: f for f in scan(root / "submitted", [A])}
    assert got["mallory"].status == "symlink"
    # a record collect did not write (no valid signature) is never the student's status
    forged = submitted(root, "alice") / REFUSED
    forged.write_text(json.dumps({"status": "wrong_owner", "message": "=HYPERLINK(\"http://x\")"}))
    got = {f.student: f for f in scan(root / "submitted", [A])}
    assert got["alice"].status == "unsafe_file" and "HYPERLINK" not in got["alice"].message, got["alice"]
    data = json.loads((submitted(root, "mallory") / REFUSED).read_text())
    data["status"] = "wrong_owner"                                  # tampered after signing
    (submitted(root, "mallory") / REFUSED).write_text(json.dumps(data))
    assert {f.student: f for f in scan(root / "submitted", [A])}["mallory"].status == "unsafe_file"
