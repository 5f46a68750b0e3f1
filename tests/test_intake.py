"""autograde.intake: folders and zips of submissions; bad input gets a clear error."""
import os
import stat
import zipfile

import pytest

from autograde.intake import IntakeError, extract_zip, scan

KNOWN = ["00_intro"]


def nb(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')


def test_scan_reports_each_problem(tmp_path):
    nb(tmp_path / "ok" / "00_intro" / "00_intro.ipynb")
    nb(tmp_path / "wrongname" / "00_intro" / "hw.ipynb")
    nb(tmp_path / "nope" / "42_x" / "42_x.ipynb")
    nb(tmp_path / "bad id" / "00_intro" / "00_intro.ipynb")
    (tmp_path / "broken" / "00_intro").mkdir(parents=True)
    (tmp_path / "broken" / "00_intro" / "00_intro.ipynb").write_bytes(b"\x00\xff garbage")
    nb(tmp_path / ".hidden" / "00_intro" / "00_intro.ipynb")
    got = {(f.student, f.assignment): f for f in scan(tmp_path, KNOWN)}
    assert got[("ok", "00_intro")].status == "ok"
    assert got[("wrongname", "00_intro")].status == "missing_notebook"
    assert "hw.ipynb" in got[("wrongname", "00_intro")].message
    assert got[("nope", "42_x")].status == "unknown_assignment"
    assert got[("bad id", "00_intro")].status == "bad_student_id"
    assert got[("broken", "00_intro")].status == "corrupt_notebook"
    assert not any(s == ".hidden" for s, _ in got)
    assert [f.student for f in scan(tmp_path, KNOWN, selected=["42_x"])] == ["nope"]


def test_scan_of_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(IntakeError, match="no such folder"):
        scan(tmp_path / "absent", KNOWN)


def make_zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_zip_with_a_wrapper_folder(tmp_path):
    z = make_zip(tmp_path / "c.zip", {"class/alice/00_intro/00_intro.ipynb": "{}",
                                      "class/bob/00_intro/00_intro.ipynb": "{}"})
    root = extract_zip(z, tmp_path / "x")
    assert sorted(p.name for p in root.iterdir()) == ["alice", "bob"]


def test_zip_of_a_single_student_keeps_the_student(tmp_path):
    z = make_zip(tmp_path / "c.zip", {"alice/00_intro/00_intro.ipynb": "{}"})
    assert [p.name for p in extract_zip(z, tmp_path / "x").iterdir()] == ["alice"]


@pytest.mark.parametrize("name", ["../evil/00_intro/00_intro.ipynb", "/abs/00_intro.ipynb", "a\\..\\b"])
def test_unsafe_zip_paths_are_refused_and_nothing_is_written(tmp_path, name):
    z = make_zip(tmp_path / "c.zip", {name: "{}"})
    with pytest.raises(IntakeError, match="unsafe path"):
        extract_zip(z, tmp_path / "x")
    assert not (tmp_path / "x").exists() and not (tmp_path / "evil").exists()


def test_zip_with_a_symlink_is_refused(tmp_path):
    z = tmp_path / "c.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("alice/00_intro/00_intro.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/work/main/solutions/intro.py")
    with pytest.raises(IntakeError, match="symbolic link"):
        extract_zip(z, tmp_path / "x")


def test_not_a_zip_and_a_truncated_zip(tmp_path):
    (tmp_path / "a.zip").write_text("hello")
    with pytest.raises(IntakeError, match="not a readable zip"):
        extract_zip(tmp_path / "a.zip", tmp_path / "x")
    good = make_zip(tmp_path / "b.zip", {"alice/00_intro/00_intro.ipynb": "{}" * 1000})
    data = good.read_bytes()
    (tmp_path / "t.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(IntakeError):
        extract_zip(tmp_path / "t.zip", tmp_path / "y")


def test_zip_bomb_is_refused_before_extraction(tmp_path, monkeypatch):
    import autograde.intake as intake
    monkeypatch.setattr(intake, "MAX_ZIP_BYTES", 10_000)
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("alice/00_intro/00_intro.ipynb", "0" * 1_000_000)
    assert os.path.getsize(z) < 10_000
    with pytest.raises(IntakeError, match="zip bomb"):
        extract_zip(z, tmp_path / "x")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["erin\n", "erin ", " erin", "erin\x1b[2J", "er\u200bin", "-erin", "e" * 65])
def test_student_ids_are_matched_whole_and_shown_escaped(tmp_path, name):
    """``re.match`` with ``$`` accepted ``erin\\n``, which nbgrader then stored as ``erin``."""
    nb(tmp_path / name / "00_intro" / "00_intro.ipynb")
    nb(tmp_path / "erin" / "00_intro" / "00_intro.ipynb")
    got = {f.student: f for f in scan(tmp_path, KNOWN)}
    assert got["erin"].status == "ok"
    bad = [f for s, f in got.items() if s != "erin"]
    assert len(bad) == 1 and bad[0].status == "bad_student_id"
    assert all(ch.isprintable() for ch in bad[0].student + bad[0].message), bad[0]


def test_assignment_names_are_exact_and_shown_escaped(tmp_path):
    nb(tmp_path / "alice" / "00_intro\n" / "00_intro\n.ipynb")
    nb(tmp_path / "alice" / "00_intro\x1b]0;x\x07" / "x.ipynb")
    found = scan(tmp_path, KNOWN)
    assert {f.status for f in found} == {"unknown_assignment"}
    for f in found:
        assert all(ch.isprintable() for ch in f.assignment + f.message), f


def test_symlinked_input_is_not_followed(tmp_path):
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    folder = tmp_path / "class" / "alice" / "00_intro"
    folder.mkdir(parents=True)
    (folder / "00_intro.ipynb").symlink_to(tmp_path / "secret.txt")
    nb(tmp_path / "elsewhere" / "00_intro" / "00_intro.ipynb")
    (tmp_path / "class" / "bob").symlink_to(tmp_path / "elsewhere")
    got = {f.student: f for f in scan(tmp_path / "class", KNOWN)}
    assert got["alice"].status == "symlink" and "symbolic link" in got["alice"].message
    assert got["bob"].status == "symlink"
    assert "root:" not in got["alice"].message


def test_conflicting_or_overlong_zip_entries_are_skipped_with_a_reason(tmp_path):
    z = make_zip(tmp_path / "c.zip", {"alice/00_intro/00_intro.ipynb": "{}",
                                      "bob/00_intro": "a file", "bob/00_intro/00_intro.ipynb": "{}",
                                      "carol/" + "x" * 300 + "/00_intro.ipynb": "{}",
                                      "dave/00_intro/00_intro.ipynb": "{}"})
    problems = []
    root = extract_zip(z, tmp_path / "x", problems)
    assert (root / "alice" / "00_intro" / "00_intro.ipynb").is_file()
    assert (root / "dave" / "00_intro" / "00_intro.ipynb").is_file()
    assert len(problems) == 3, problems
    assert any("same name" in p for p in problems) and any("longer than 255" in p for p in problems)
    assert all("\n" not in p for p in problems)


def test_a_zip_entry_whose_path_is_too_long_is_skipped_with_a_reason(tmp_path):
    """Each name under 255 bytes, the whole path over Linux's 4 096: the entry is skipped with
    a one-line reason and the rest of the class is extracted (it crashed the run with
    ``OSError: File name too long``)."""
    deep = "carol/00_intro/" + "/".join(["d" * 200] * 21) + "/00_intro.ipynb"
    assert len(deep.encode()) > 4096 and max(map(len, deep.split("/"))) < 255
    z = make_zip(tmp_path / "c.zip", {"alice/00_intro/00_intro.ipynb": "{}", deep: "{}",
                                      "dave/00_intro/00_intro.ipynb": "{}"})
    problems = []
    root = extract_zip(z, tmp_path / "x", problems)
    assert (root / "alice" / "00_intro" / "00_intro.ipynb").is_file()
    assert (root / "dave" / "00_intro" / "00_intro.ipynb").is_file()
    assert len(problems) == 1 and "longer than 4096 bytes" in problems[0], problems
    assert "\n" not in problems[0] and len(problems[0]) < 200


@pytest.mark.parametrize("make", ["symlink", "hardlink", "fifo", "socket"])
def test_links_and_special_files_anywhere_in_a_submission_are_refused(tmp_path, make):
    """nbgrader's converters copy every file of a submission folder (following links) into
    autograded/ and feedback/: a link, hard link, FIFO or socket anywhere in it refuses it."""
    import socket

    secret = tmp_path / "secret"
    secret.write_text("the course secret")
    folder = tmp_path / "class" / "alice" / "00_intro"
    nb(folder / "00_intro.ipynb")
    (folder / "data").mkdir()
    place = folder / "data" / "leak.html"
    if make == "symlink":
        place.symlink_to(secret)
    elif make == "hardlink":
        os.link(secret, place)
    elif make == "fifo":
        os.mkfifo(place)
    else:
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(place))
        s.close()
    nb(tmp_path / "class" / "bob" / "00_intro" / "00_intro.ipynb")
    got = {f.student: f for f in scan(tmp_path / "class", KNOWN)}
    assert got["bob"].status == "ok"
    want = "symlink" if make == "symlink" else "unsafe_file"
    assert got["alice"].status == want and "data/leak.html" in got["alice"].message, got["alice"]
    assert "the course secret" not in got["alice"].message


def test_a_refusal_recorded_by_collect_is_the_status(tmp_path, monkeypatch):
    """In a course's submitted/ (graded in place), collect's signed record is the status."""
    import json

    from autograde.intake import REFUSED, refusal_mac

    monkeypatch.setenv("BPCOURSE_SECRET", "the-course-secret")
    root = tmp_path / "submitted"

    def record(student, status, message):
        data = {"status": status, "message": message}
        data["hmac"] = refusal_mac("the-course-secret", student, "00_intro", data)
        (root / student / "00_intro").mkdir(parents=True, exist_ok=True)
        (root / student / "00_intro" / REFUSED).write_text(json.dumps(data))

    record("alice", "wrong_owner", "made by account bob\x1b[2J")
    nb(root / "bob" / "00_intro" / "00_intro.ipynb")
    record("bob", "ok", "forged")
    nb(root / "carol" / "00_intro" / "00_intro.ipynb")         # alice's record copied to carol: not hers
    (root / "carol" / "00_intro" / REFUSED).write_bytes((root / "alice" / "00_intro" / REFUSED).read_bytes())
    record("dave", "wrong_owner", "x")
    monkeypatch.setenv("BPCOURSE_SECRET", "another-course")
    assert {f.student: f.status for f in scan(root, KNOWN)}["dave"] == "unsafe_file"
    monkeypatch.setenv("BPCOURSE_SECRET", "the-course-secret")
    got = {f.student: f for f in scan(root, KNOWN)}
    assert got["alice"].status == "wrong_owner" and "account bob" in got["alice"].message
    assert all(ch.isprintable() for ch in got["alice"].message)
    assert got["bob"].status == "unsafe_file", got["bob"]     # only collect's statuses are taken
    assert got["carol"].status == "unsafe_file" and "signed" in got["carol"].message
    assert got["dave"].status == "wrong_owner"


def test_a_students_own_refusal_record_is_not_a_status_in_the_folder_door(tmp_path):
    """The folder/zip door: a .bpcourse-refused.json in the student's own folder is the
    student's file, not collect's record: the notebook is graded as it is."""
    import json

    from autograde.intake import REFUSED

    nb(tmp_path / "mallory" / "00_intro" / "00_intro.ipynb")
    (tmp_path / "mallory" / "00_intro" / REFUSED).write_text(
        json.dumps({"status": "wrong_owner", "message": '=HYPERLINK("http://evil","x")'}))
    got = {f.student: f for f in scan(tmp_path, KNOWN)}
    assert got["mallory"].status == "ok" and got["mallory"].message == "", got["mallory"]
