"""End to end: `bpcourse grade` on real nbgrader, real kernels in the sandbox, a real gradebook.

One class is graded once per session (fixture ``hostile``): a solved, a blank and a mistaken
student beside every kind of broken or hostile submission. Each test reads one aspect of
that run: bpcourse-grades.csv, the gradebook, the autograded notebooks, the feedback, the log.
"""
from __future__ import annotations

import csv
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest


from autograde import course
from autograde.grade import STARVED_SHARE
from classes import bpcourse, hostile_class, put, read_csv, sample, score, verdict
from conftest import tree_digest

pytestmark = pytest.mark.e2e
A = "00_intro"
FAST = ["--timeout", "5", "--cpu-seconds", "40", "--submission-timeout", "180"]


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, repo):
    base = tmp_path_factory.mktemp("hostile")
    out = base / "course"
    submissions = hostile_class(base / "class", repo, out)
    put(submissions, "mistake_forward_difference", sample("mistake_forward_difference"))
    put(submissions, "warns", noisy(sample("solved"), WARNS))
    put(submissions, "stderr_noise", noisy(sample("solved"), STDERR))
    before = tree_digest(submissions)
    run = bpcourse("grade", submissions, "--out", out, "--jobs", "2", *FAST, status=1)
    return {"out": out, "class": submissions, "before": before, "log": run.stdout,
            "rows": read_csv(out / "bpcourse-grades.csv")}


# Appended to the first exercise's solution cell: the same correct function, made noisy.
WARNS = """
_quiet_{name} = {name}
def {name}(*args, **kwargs):
    import warnings
    import numpy as np
    np.log(np.zeros(1))                      # RuntimeWarning: divide by zero encountered in log
    warnings.warn("осторожно, это всего лишь предупреждение", UserWarning)
    return _quiet_{name}(*args, **kwargs)
"""
STDERR = """
_quiet_{name} = {name}
def {name}(*args, **kwargs):
    import sys
    print("debug line on stderr", file=sys.stderr)
    return _quiet_{name}(*args, **kwargs)
"""


def first_exercise():
    from autograde import hidden
    return hidden.exercises(A)[0].name


def noisy(nb, template):
    from classes import cell
    name = first_exercise()
    cell(nb, name).source += "\n" + template.format(name=name)
    return nb


def cell_outputs(hostile, student, grade_id):
    nb = nbformat.read(hostile["out"] / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    c = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return c.outputs


def comment(hostile, student, name):
    return verdict(hostile["out"], student, A, name)


def test_a_warning_costs_nothing_and_is_shown_on_stdout(hostile):
    """nbgrader scores a test cell with stderr output 0: the notebook's warnings go to stdout."""
    full = float(hostile["rows"]["solved"]["max_score"])
    assert score(hostile["rows"], "warns") == (full, full)
    outputs = cell_outputs(hostile, "warns", f"check_{first_exercise()}")
    assert not any(o.output_type == "error" or o.get("name") == "stderr" for o in outputs), outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "⚠ предупреждение" in text and "divide by zero encountered in log" in text
    assert "осторожно, это всего лишь предупреждение" in text


def test_stderr_without_a_failed_check_costs_nothing(hostile):
    """Output on stderr alone makes nbgrader score the cell 0 while its checks print a pass:
    the trusted verdict gives the points back and the comment says why."""
    full = float(hostile["rows"]["solved"]["max_score"])
    assert score(hostile["rows"], "stderr_noise") == (full, full)
    name = first_exercise()
    outputs = cell_outputs(hostile, "stderr_noise", f"check_{name}")
    # nbgrader alone would give 0 for the stderr line: it is kept, shown as ordinary output
    assert any("debug line on stderr" in o.get("text", "") for o in outputs), outputs
    assert not any(o.get("name") == "stderr" for o in outputs)
    assert "поток ошибок" in comment(hostile, "stderr_noise", name)


def test_no_hidden_inputs_in_the_feedback_folder(hostile):
    """The feedback folder is handed to students: the HTML only, with no hidden input in it."""
    from autograde import hidden
    from bpcourse.cases import encode

    feedback = hostile["out"] / "feedback"
    files = [p for p in feedback.rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".html" for p in files), [p for p in files if p.suffix != ".html"]
    assert not list(feedback.rglob(".bpcourse*"))
    secret = (hostile["out"] / ".bpcourse" / "secret").read_text().strip()
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in files}
    checked = 0
    for student in ("solved", "warns", "mistake_forward_difference", "snoop"):
        numbers = set()

        def walk(v):
            if isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
            elif isinstance(v, float) and abs(v) not in (0.0, 1.0) and len(repr(v)) > 8:
                numbers.add(repr(v)[:10])

        from autograde.preprocessors import submission_secret
        notebook = hostile["out"] / "submitted" / student / A / f"{A}.ipynb"
        walk(encode_all(hidden.make_cases(submission_secret(secret, notebook.read_bytes()), student, A), encode))
        assert numbers
        for path, text in texts.items():
            for number in numbers:
                checked += 1
                assert number not in text, (path, number)
    assert checked > 100
    for student in ("solved", "warns"):   # and none left in the autograded folder either
        assert not (hostile["out"] / "autograded" / student / A / ".bpcourse_cases.json").exists()


def encode_all(cases, encode):
    return {n: [{k: encode(v) for k, v in c.items()} for c in cs] for n, cs in cases.items()}


def test_full_zero_and_partial_scores(hostile):
    rows = hostile["rows"]
    assert score(rows, "solved") == (6.0, 6.0)
    assert score(rows, "blank") == (0.0, 6.0)
    assert score(rows, "mistake_forward_difference") == (4.0, 6.0)
    assert rows["mistake_forward_difference"]["00_intro/numerical_derivative"] == "0.0"
    assert rows["mistake_forward_difference"]["00_intro/directional_derivative"] == "2.0"


def test_csv_columns_and_gradebook_agree(hostile):
    with open(hostile["out"] / "bpcourse-grades.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["student_id", "assignment", "score", "max_score"]
    assert {"00_intro/squared_error", "00_intro/numerical_derivative", "00_intro/worst_entry",
            "00_intro/directional_derivative", "status", "message"} <= set(header)
    with course.gradebook(hostile["out"]) as gb:
        for student in ["solved", "blank", "mistake_forward_difference", "tamper"]:
            assert gb.find_submission(A, student).score == float(hostile["rows"][student]["score"])


def test_mistake_is_named_in_the_feedback(hostile):
    html = (hostile["out"] / "feedback" / "mistake_forward_difference" / A / f"{A}.html").read_text()
    assert "правая разность" in html and "Похоже на типичную ошибку" in html
    solved = (hostile["out"] / "feedback" / "solved" / A / f"{A}.html").read_text()
    assert "Скрытая проверка пройдена" in solved and "типичную ошибку" not in solved


def test_feedback_reveals_no_hidden_test_or_reference(hostile):
    pages = list((hostile["out"] / "feedback").rglob("*.html"))
    assert len(pages) >= 8
    hidden = [f'record</span><span class="p">(</span><span class="s2">"{ex}"' for ex in
              ("squared_error", "numerical_derivative", "worst_entry", "directional_derivative")]
    for page in pages:
        text = page.read_text()
        if "deletes_tests" not in str(page):
            assert "здесь были скрытые проверки" in text, page
        for secret in ["BEGIN HIDDEN", "END HIDDEN", ".bpcourse_cases", 'record("', *hidden]:
            assert secret not in text, (page, secret)


def test_input_is_never_modified(hostile):
    assert tree_digest(hostile["class"]) == hostile["before"]


@pytest.mark.parametrize("student,status,words", [
    ("corrupt", "corrupt_notebook", "cannot be read as a notebook"),
    ("misnamed", "missing_notebook", "my_homework.ipynb"),
    ("bad name!", "bad_student_id", "not a valid id"),
    ("os_exit", "kernel_died", "kernel died"),
])
def test_broken_submissions_get_zero_and_a_clear_reason(hostile, student, status, words):
    row = hostile["rows"][student]
    assert (row["status"], float(row["score"])) == (status, 0.0)
    assert words in row["message"]
    assert student in hostile["log"] and status in hostile["log"]


def test_unknown_assignment_is_reported(hostile):
    row = hostile["rows"]["unknown_assignment"]
    assert row["assignment"] == "99_nonexistent" and row["status"] == "unknown_assignment"


def test_infinite_loop_loses_only_its_exercise(hostile):
    row = hostile["rows"]["loop_forever"]
    assert score(hostile["rows"], "loop_forever") == (5.0, 6.0)
    assert row["00_intro/squared_error"] == "0.0" and "timed out" in row["message"]


def test_a_loop_that_ignores_interrupts_costs_its_exercise_and_the_ones_it_blocks(hostile):
    """The kernel stays busy after the interrupt: the cells after it time out too, but the
    exercises before it keep their points (nbgrader's autograde completes)."""
    row = hostile["rows"]["loop_ignores_interrupt"]
    assert row["status"] == "ok" and "timed out" in row["message"], row
    assert row["00_intro/squared_error"] == "1.0" and row["00_intro/numerical_derivative"] == "2.0"
    assert row["00_intro/worst_entry"] == "0.0"


def test_a_timeout_beside_other_submissions_is_decided_by_the_kernels_cpu_share(hostile):
    """With --jobs 2 a timeout may come from a classmate's load: it is retried alone only if its
    kernel got under a quarter of a CPU in the cells that timed out (issue 21: a loop that used
    its time is not paid for twice); either way the decision names the measurement and only
    one result is recorded, after it."""
    log = hostile["log"]
    for student in ("loop_forever", "loop_ignores_interrupt"):
        notice = re.search(rf"{student}/00_intro: timed out[^\n]*\(its kernel used ([\d.]+) CPU s in ([\d.]+) s\)"
                           r"(; graded again alone|: it used its time, not graded again)", log)
        assert notice, log[-3000:]
        cpu, wall = float(notice.group(1)), float(notice.group(2))
        assert ("again alone" in notice.group(3)) == (cpu < STARVED_SHARE * wall), notice.group(0)
        recorded = [ln for ln in log.splitlines() if ln.startswith("[") and f"] {student}/00_intro:" in ln]
        assert len(recorded) == 1 and notice.start() < log.index(recorded[0]), recorded


def test_memory_bomb_is_stopped_and_the_rest_is_graded(hostile):
    row = hostile["rows"]["memory_bomb"]
    assert score(hostile["rows"], "memory_bomb") == (6.0, 6.0)
    assert "ran out of memory" in row["message"]


def test_deleted_tests_score_zero_and_are_named(hostile):
    row = hostile["rows"]["deletes_tests"]
    assert float(row["score"]) == 0.0 and "test cells deleted" in row["message"]


def test_edited_tests_are_restored_from_the_gradebook(hostile):
    nb = nbformat.read(hostile["out"] / "autograded" / "edits_tests" / A / f"{A}.ipynb", as_version=4)
    checks_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks_cells) == 4 and all("checks.check_" in c.source for c in checks_cells)
    assert float(hostile["rows"]["edits_tests"]["score"]) == 0.0


def test_tampering_in_the_kernel_gains_nothing(hostile):
    """The checks and the recorder are patched: test cells whose visible part the kernel now
    passes (no error output, where nbgrader would give the points) still score 0.

    (A check that raises ``checks.CheckError`` itself still raises when the class is replaced,
    and nbgrader records an error hidden by a custom exception handler from the execute reply,
    so not every cell can be made to pass in the kernel.)"""
    nb = nbformat.read(hostile["out"] / "autograded" / "tamper" / A / f"{A}.ipynb", as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    from autograde.preprocessors import VERDICT_ENAME

    passing = [c.metadata["nbgrader"]["grade_id"] for c in graded   # the visible part raised nothing
               if not any(o.output_type == "error" and o.ename != VERDICT_ENAME for o in c.outputs)]
    assert len(passing) >= 2, passing
    rows = hostile["rows"]["tamper"]
    for grade_id in passing:
        assert rows[f"{A}/{grade_id.removeprefix('check_')}"] == "0.0", grade_id
    assert float(rows["score"]) == 0.0


def test_student_code_cannot_read_the_reference_gradebook_or_others(hostile, repo):
    nb = nbformat.read(hostile["out"] / "autograded" / "snoop" / A / f"{A}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert text.count("DENIED") >= 7, text   # six files and the import
    assert "READ /" not in text.replace("READ /proc/1/environ", "") and "READ ../" not in text
    assert "IMPORTED" not in text
    # The write lands nowhere real: denied (read-only root), or into the sandbox's private
    # /tmp tmpfs when the repository itself lives under /tmp (as in a CI clone).
    assert not (repo / "x").exists()
    secret = (hostile["out"] / ".bpcourse" / "secret").read_text().strip()
    assert secret not in text
    # PID 1's environment is empty but PATH, or (the grader is root, the kernel its own uid)
    # unreadable altogether
    assert "PATH=/usr/bin:/bin\\x00'" in text or "DENIED /proc/1/environ" in text
    assert score(hostile["rows"], "snoop") == (6.0, 6.0)


def test_good_students_are_untouched_by_the_bad_ones(hostile):
    assert score(hostile["rows"], "copies_solved") == (6.0, 6.0)
    assert hostile["rows"]["solved"]["status"] == "ok" and hostile["rows"]["solved"]["message"] == ""


def test_students_exist_before_workers_start(tmp_path):
    """Two workers grading one new student's two assignments must not both create the student."""
    from autograde.grade import ensure_students, prepare_course
    from autograde.state import State

    out = tmp_path / "course"
    (out / ".bpcourse").mkdir(parents=True)
    with State.open(out) as state:
        prepare_course(out, ["00_intro"], state)
    ensure_students(out, {"alice", "bob"})
    ensure_students(out, {"alice"})          # again: an update, not a second insert
    with course.gradebook(out) as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "bob"]


def test_progress_is_shown(hostile):
    assert "[1/" in hostile["log"] and "graded " in hostile["log"]


def test_second_run_adds_without_losing_earlier_grades(tmp_path, repo):
    first = tmp_path / "first"
    put(first, "solved", sample("solved"))
    put(first, "late", sample("blank"))
    out = tmp_path / "course"
    bpcourse("grade", first, "--out", out, *FAST)
    assert score(read_csv(out / "bpcourse-grades.csv"), "late") == (0.0, 6.0)

    second = tmp_path / "second"
    put(second, "solved", sample("solved"))                          # unchanged: kept, not regraded
    put(second, "late", sample("solved"))                            # resubmitted: regraded
    put(second, "new", sample("mistake_forward_difference"))         # new student
    zipped = tmp_path / "second.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in second.rglob("*.ipynb"):
            zf.write(p, Path("class") / p.relative_to(second))
    run = bpcourse("grade", zipped, "--out", out, *FAST)
    assert "solved/00_intro: unchanged" in run.stdout
    rows = read_csv(out / "bpcourse-grades.csv")
    assert score(rows, "solved") == (6.0, 6.0)
    assert score(rows, "late") == (6.0, 6.0)
    assert score(rows, "new") == (4.0, 6.0)

    third = tmp_path / "third"                                        # a broken resubmission
    (third / "late" / A).mkdir(parents=True)
    (third / "late" / A / f"{A}.ipynb").write_text("{broken")
    bpcourse("grade", third, "--out", out, *FAST, status=1)   # the rejected resubmission
    rows = read_csv(out / "bpcourse-grades.csv")
    assert score(rows, "late") == (6.0, 6.0) and "earlier grade is kept" in rows["late"]["message"]


def test_refuses_without_sandbox_unless_unsafe(tmp_path):
    put(tmp_path / "class", "solved", sample("solved"))
    env = dict(os.environ, PATH=str(tmp_path / "empty"))  # no bwrap on PATH
    run = bpcourse("grade", tmp_path / "class", "--out", tmp_path / "out", env=env, check=False)
    assert run.returncode == 2
    assert "sandbox cannot start" in run.stderr and "--unsafe" in run.stderr
    assert not (tmp_path / "out").exists()


def test_unsafe_grades_without_the_sandbox_and_says_so(tmp_path):
    put(tmp_path / "class", "solved", sample("solved"))
    env = dict(os.environ, PATH=str(tmp_path / "empty"))  # no bwrap: only --unsafe can grade
    run = bpcourse("grade", tmp_path / "class", "--out", tmp_path / "out", "--unsafe", env=env)
    assert "WARNING: --unsafe" in run.stdout
    assert score(read_csv(tmp_path / "out" / "bpcourse-grades.csv"), "solved") == (6.0, 6.0)


@pytest.mark.parametrize("args,words", [
    (["--assignment", "42_nope"], "unknown assignment"),
    ([], "no such folder"),
])
def test_bad_arguments_are_clear_errors(tmp_path, args, words):
    target = tmp_path / "class" if args else tmp_path / "absent"
    put(tmp_path / "class", "solved", sample("solved"))
    run = bpcourse("grade", target, "--out", tmp_path / "out", *args, check=False)
    assert run.returncode == 2 and words in run.stderr


def test_out_that_is_a_file_and_non_positive_limits_are_clear_errors(tmp_path):
    put(tmp_path / "class", "solved", sample("solved"))
    (tmp_path / "file").write_text("not a folder")
    run = bpcourse("grade", tmp_path / "class", "--out", tmp_path / "file", check=False)
    assert run.returncode == 2 and "is not a folder" in run.stderr
    assert (tmp_path / "file").read_text() == "not a folder"
    for flag in ("--jobs", "--timeout", "--submission-timeout", "--memory-mb", "--cpu-seconds"):
        run = bpcourse("grade", tmp_path / "class", "--out", tmp_path / "out", flag, "0", check=False)
        assert run.returncode == 2 and "must be positive" in run.stderr, flag
    assert not (tmp_path / "out").exists()


def test_bad_zip_is_a_clear_error(tmp_path):
    (tmp_path / "class.zip").write_bytes(b"PK\x03\x04 definitely not a zip")
    run = bpcourse("grade", tmp_path / "class.zip", "--out", tmp_path / "out", check=False)
    assert run.returncode == 2 and "not a readable zip" in run.stderr
    assert not (tmp_path / "out" / "gradebook.db").exists()
