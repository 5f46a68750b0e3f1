"""A PostgreSQL gradebook through nbgrader's SQLAlchemy URL (``CourseDirectory.db_url``), on a
real PostgreSQL server that tests/pg.py starts for the session (issue 11)."""
from __future__ import annotations

import csv
import logging
import os
import shutil
import sqlite3
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from sqlalchemy import create_engine, inspect, text
from traitlets.config import Config

from autograde import course
from autograde.report import GRADES_FILE
from autograde.release import CLASS_DIR
from classes import bpcourse, read_csv, score
from pg import database, postgres_url  # noqa: F401

pytestmark = pytest.mark.e2e

COURSE = "pg-course"
SOLUTION = "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION\n"
# (source, points) of the test cells; a submission's score is the sum of those that pass
TESTS = [("assert square(3) == 9", 2), ("assert square(-2) == 4", 1)]


def nbgrader_cell(source: str, grade_id: str, *, points: int | None = None):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {
        "grade_id": grade_id, "schema_version": 3, "solution": points is None,
        "grade": points is not None, "locked": points is not None,
        **({"points": points} if points is not None else {}),
    }
    return cell


def sqlite_gradebooks(root) -> list:
    """Every SQLite database under ``root`` that holds nbgrader's tables, whatever its name
    (bpcourse's own run state, .bpcourse/state.sqlite, is SQLite too but no gradebook)."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        with open(path, "rb") as f:
            header = f.read(16)
        if header == b"SQLite format 3\x00":
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.close()
            if "submitted_assignment" in tables:
                found.append(path)
    return found


def nbgrader_api(root, url: str) -> NbGraderAPI:
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.db_url = url
    c.CourseDirectory.course_id = COURSE
    api = NbGraderAPI(config=c)
    api.log.setLevel(logging.WARNING)
    return api


@pytest.fixture
def venv_on_path(monkeypatch):
    """nbgrader runs the `alembic` command of its own install to stamp a new gradebook: the
    venv's bin folder on PATH, as when the venv is activated (`make test` does not activate it)."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


def test_nbgrader_gradebook_and_autograde_on_postgres(tmp_path, postgres_url, venv_on_path):  # noqa: F811
    url = database(postgres_url, "nbgrader_api")
    assert url.startswith("postgresql+psycopg2://")

    # nbgrader's Gradebook creates its tables in PostgreSQL and keeps what it is given
    with Gradebook(url, COURSE) as gb:
        gb.add_assignment("warmup")
        gb.add_student("ada", first_name="Ada", last_name="Lovelace")
    engine = create_engine(url)
    try:
        assert engine.dialect.name == "postgresql"
        tables = set(inspect(engine).get_table_names())
        assert {"assignment", "notebook", "student", "submitted_assignment", "base_cell",
                "grade", "alembic_version"} <= tables, tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT first_name FROM student WHERE id = 'ada'")).scalar_one() == "Ada"
            assert conn.execute(text("SELECT course_id FROM assignment WHERE name = 'warmup'")).scalar_one() == COURSE
    finally:
        engine.dispose()

    # the whole nbgrader cycle on a course whose db_url is that database
    root = tmp_path / "course"
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbgrader_cell(SOLUTION, "square")] + [
        nbgrader_cell(code, f"check_{i}", points=points) for i, (code, points) in enumerate(TESTS)]
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, source / "ps1.ipynb")

    api = nbgrader_api(root, url)
    result = api.generate_assignment("ps1")
    assert result["success"], result.get("error") or result.get("log")
    released = nbformat.read(root / "release" / "ps1" / "ps1.ipynb", as_version=4)
    assert "x * x" not in released.cells[0].source     # the solution was really removed

    answers = {"right": "def square(x):\n    return x ** 2\n",
               "half_right": "def square(x):\n    return x * 3\n",   # square(3) only
               "blank": None}                                        # as released: raises
    for student, code in answers.items():
        sub = nbformat.read(root / "release" / "ps1" / "ps1.ipynb", as_version=4)
        if code is not None:
            sub.cells[0].source = code
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(sub, folder / "ps1.ipynb")
        result = api.autograde("ps1", student)
        assert result["success"], result.get("error") or result.get("log")

    # the scores, read back from PostgreSQL by a new connection
    with Gradebook(url, COURSE) as gb:
        got = {s: (gb.find_submission("ps1", s).score, gb.find_submission("ps1", s).max_score)
               for s in answers}
        assert {s.id for s in gb.students} == {"ada", *answers}
    assert got == {"right": (3.0, 3.0), "half_right": (2.0, 3.0), "blank": (0.0, 3.0)}
    assert not sqlite_gradebooks(root), "an SQLite gradebook appeared beside the PostgreSQL one"


A = "01_chain_rule"


def points(nb) -> dict[str, float]:
    """{test cell's grade_id: points} of a notebook."""
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"])
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def test_bpcourse_grade_into_a_postgres_gradebook(tmp_path, postgres_url, venv_on_path):  # noqa: F811
    """The instructor sets a PostgreSQL db_url in DIR/nbgrader_config.py (bpcourse's template,
    edited) before the first `bpcourse grade`: every step of the real grading uses it, bpcourse
    does not touch the file, and no SQLite gradebook appears."""
    url = database(postgres_url, "bpcourse_grade")
    klass = tmp_path / "class"       # the shipped sample class: solved, and one mistake in grad_f
    for student in ("solved", "mistake_missing_path"):
        shutil.copytree(CLASS_DIR / student / A, klass / student / A)
    out = tmp_path / "course"
    out.mkdir()
    example = next(ln for ln in course.TEMPLATE.splitlines() if ln.startswith("# c.CourseDirectory.db_url"))
    mine = course.TEMPLATE.replace(example, f"c.CourseDirectory.db_url = {url!r}")
    (out / course.CONFIG_FILE).write_text(mine, encoding="utf-8")

    bpcourse("grade", klass, "--out", out, "--jobs", "1", "--assignment", A,
             "--timeout", "20", "--cpu-seconds", "60", "--submission-timeout", "240")

    assert (out / course.CONFIG_FILE).read_text(encoding="utf-8") == mine   # only read
    assert not (out / "gradebook.db").exists()
    assert not sqlite_gradebooks(out), f"an SQLite gradebook appeared: {sqlite_gradebooks(out)}"
    cells = points(nbformat.read(klass / "solved" / A / f"{A}.ipynb", as_version=4))
    assert cells["check_grad_f"] > 0
    total = sum(cells.values())
    expected = {"solved": (total, total), "mistake_missing_path": (total - cells["check_grad_f"], total)}
    with Gradebook(url, course.COURSE_ID) as gb:
        got = {s: (gb.find_submission(A, s).score, gb.find_submission(A, s).max_score) for s in expected}
        wrong = {g: gb.find_grade(g, A, A, "mistake_missing_path").score for g in cells}
    assert got == expected
    assert wrong == {**cells, "check_grad_f": 0.0}
    # bpcourse's grade table is read from that gradebook too
    rows = read_csv(out / GRADES_FILE)
    assert {s: score(rows, s) for s in expected} == expected
    # and nbgrader's own command, started in DIR, finds the same gradebook through that file
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export",
                          "--to", "nbgrader-export.csv"], cwd=out, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    with open(out / "nbgrader-export.csv", newline="", encoding="utf-8") as f:
        exported = {r["student_id"]: (float(r["raw_score"]), float(r["max_score"])) for r in csv.DictReader(f)}
    assert exported == expected
    assert not sqlite_gradebooks(out), f"an SQLite gradebook appeared: {sqlite_gradebooks(out)}"


def test_bpcourse_grade_with_a_minimal_instructor_config(tmp_path, postgres_url, venv_on_path):  # noqa: F811
    """An instructor's own DIR/nbgrader_config.py that sets only the gradebook URL: the course
    id is bpcourse's default, as for bpcourse's own reads (nbgrader's default, "", names no
    course, which SQLite lets pass and PostgreSQL's foreign keys refuse)."""
    url = database(postgres_url, "minimal_config")
    klass = tmp_path / "class"
    shutil.copytree(CLASS_DIR / "solved" / A, klass / "solved" / A)
    out = tmp_path / "course"
    out.mkdir()
    (out / course.CONFIG_FILE).write_text(f"c = get_config()  # noqa: F821\nc.CourseDirectory.db_url = {url!r}\n",
                                          encoding="utf-8")

    bpcourse("grade", klass, "--out", out, "--jobs", "1", "--assignment", A,
             "--timeout", "20", "--cpu-seconds", "60", "--submission-timeout", "240")

    total = sum(points(nbformat.read(klass / "solved" / A / f"{A}.ipynb", as_version=4)).values())
    with Gradebook(url, course.COURSE_ID) as gb:
        sub = gb.find_submission(A, "solved")
        assert (sub.score, sub.max_score, sub.assignment.course_id) == (total, total, course.COURSE_ID)
    assert not sqlite_gradebooks(out), f"an SQLite gradebook appeared: {sqlite_gradebooks(out)}"
