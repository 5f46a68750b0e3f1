"""The course folder's nbgrader configuration is the instructor's (autograde/course.py), and a
changed assignment that nbgrader refuses leaves the course as it was (autograde/grade.py)."""
from __future__ import annotations

import nbformat
import pytest

from autograde import course
from classes import A, bpcourse, put, read_csv, sample


def test_a_new_course_gets_the_template_and_an_instructors_file_is_kept(tmp_path):
    path = course.ensure_config_file(tmp_path)
    assert path.read_text(encoding="utf-8") == course.TEMPLATE
    mine = "c = get_config()\nc.Exchange.root = '/srv/x'\nc.CourseDirectory.course_id = 'ml-2026'\n"
    path.write_text(mine, encoding="utf-8")
    course.ensure_config_file(tmp_path)
    course.ensure_config_file(tmp_path)                      # twice: the protections once
    text = path.read_text(encoding="utf-8")
    assert text.startswith(mine) and text.count(course.PROTECT_LINE) == 1
    c = course.load(tmp_path)
    assert c.Exchange.root == "/srv/x" and c.CourseDirectory.course_id == "ml-2026"
    names = [p if isinstance(p, str) else p.__name__ for p in c.Autograde.autograde_preprocessors]
    assert names.index("SandboxedExecute") < names.index("TrustedVerdicts") < names.index("SaveAutoGrades")
    assert "Execute" not in names                             # nbgrader's own, unsandboxed, is gone


def test_the_course_id_and_gradebook_have_defaults(tmp_path):
    (tmp_path / course.CONFIG_FILE).write_text("c = get_config()\n", encoding="utf-8")
    c = course.load(tmp_path)
    assert c.CourseDirectory.course_id == course.COURSE_ID
    assert c.CourseDirectory.db_url.startswith(f"sqlite:///{tmp_path.resolve()}/gradebook.db")


def test_unsafe_and_skip_are_for_one_run_only(tmp_path):
    course.ensure_config_file(tmp_path)
    assert course.config(tmp_path, unsafe=True).SandboxedExecute.sandboxed is False
    assert "sandboxed" not in course.load(tmp_path).SandboxedExecute
    assert "SandboxedExecute.sandboxed" not in (tmp_path / course.CONFIG_FILE).read_text(encoding="utf-8")


@pytest.mark.e2e
def test_a_refused_change_of_an_assignment_leaves_the_course_as_it_was(tmp_path, monkeypatch):
    from autograde import grade
    from autograde.state import State

    put(tmp_path / "class", "solved", sample("solved"))
    out = tmp_path / "course"
    bpcourse("grade", tmp_path / "class", "--out", out, "--timeout", "10")
    source = out / "source" / A / f"{A}.ipynb"
    before = source.read_bytes()

    changed = grade.read_source(A)
    extra = nbformat.v4.new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "check_new", "points": 1,
        "schema_version": 3}})
    changed.cells.append(extra)                               # a graded cell added mid-term
    monkeypatch.setattr(grade, "read_source", lambda a: changed)
    with State.open(out) as state, pytest.raises(grade.GradeError) as e:
        grade.prepare_course(out, [A], state)
    assert "Changing an assignment mid-term" in str(e.value) and "nbgrader refused" in str(e.value)
    assert source.read_bytes() == before
    rows = read_csv(out / "bpcourse-grades.csv")
    assert rows["solved"]["score"] == "6.0"


@pytest.mark.e2e
def test_a_grade_changed_elsewhere_is_noticed_and_graded_again(tmp_path):
    """The run state compares the gradebook's autograder scores too, not only the notebook:
    a submission autograded differently through another door is graded again."""
    put(tmp_path / "class", "solved", sample("solved"))
    out = tmp_path / "course"
    bpcourse("grade", tmp_path / "class", "--out", out, "--timeout", "10")
    result = course.api(out, skip="graded elsewhere").autograde(A, "solved", force=True, create=True)
    assert result["success"], result
    with course.gradebook(out) as gb:
        assert gb.find_submission(A, "solved").score == 0.0
    run = bpcourse("grade", tmp_path / "class", "--out", out, "--timeout", "10")
    assert "changed since the last run: graded again" in run.stdout
    assert read_csv(out / "bpcourse-grades.csv")["solved"]["score"] == "6.0"
    run = bpcourse("grade", tmp_path / "class", "--out", out, "--timeout", "10")
    assert "unchanged since the last run, grade kept" in run.stdout


def test_a_failed_autograde_is_reported_with_its_reason_not_nbgraders_generic_line():
    from autograde.worker import failure_reason

    log = ("[ERROR] There was an error processing assignment: /c/submitted/s/00_intro\n"
           "[ERROR] Traceback (most recent call last):\n      File \"x.py\", line 3, in f\n"
           "    RuntimeError: the grading sandbox cannot start here with every protection\n"
           "[ERROR] Please see the the above traceback for details on the specific errors on the above failures.")
    error = "Traceback (most recent call last):\nnbgrader.converters.base.NbGraderException: Please see the the above traceback"
    assert failure_reason({"log": log, "error": error}).startswith("RuntimeError: the grading sandbox")
    assert failure_reason({}) == "no reason given"
