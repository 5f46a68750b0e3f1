"""End to end: the instructor's workflow on nbgrader's own terms, with REAL nbgrader commands
(``.venv/bin/nbgrader``, run in the course folder) around real ``bpcourse grade`` (sandbox on).

One course folder is shared by the module (fixture ``cycle``): nbgrader releases 00_intro through
an exchange directory, two students fetch and submit it, nbgrader collects, and ``bpcourse grade
DIR/submitted --out DIR`` grades what was collected in place. The tests then go on with that
course, in file order: feedback and its return through the exchange, nbgrader's export, a TA's
manual grade and a resubmission, the same hostile submission through ``bpcourse grade`` and
``nbgrader autograde``, and (last, because it sets a due date in the past) the late penalty.
Two concurrent graders use a folder of their own.
"""
from __future__ import annotations

import csv
import html
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from autograde import course
from classes import A, BPCOURSE, bpcourse, cell, put, read_csv, sample, verdict
from conftest import tree_digest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
NBGRADER = str(BIN / "nbgrader")
FAST = ["--timeout", "20", "--cpu-seconds", "60", "--submission-timeout", "240"]
COURSE_ID = course.COURSE_ID
HIDDEN_MARKS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "record(")
TA_COMMENT = "Правая разность вместо центральной: засчитываю 1 балл из 2."


def clean_env(home: Path) -> dict:
    """The environment of a person at ``home``: nbgrader's config, cache and data dirs there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    env["HOME"] = str(home)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(*args, cwd: Path, home: Path, ok: bool = True) -> subprocess.CompletedProcess:
    """Run the real ``nbgrader`` command in ``cwd`` as the person at ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([NBGRADER, *map(str, args)], cwd=cwd, env=clean_env(home),
                         capture_output=True, text=True, timeout=300)
    if ok and out.returncode != 0:
        raise AssertionError(f"nbgrader {args} in {cwd} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


class Course:
    """A course folder with an exchange, its instructor and its students (each with a HOME)."""

    def __init__(self, base: Path):
        self.base = base
        self.dir = base / "course"
        self.exchange = base / "exchange"
        self.instructor = base / "home" / "instructor"

    def nbgrader(self, *args, ok=True):
        return nbgrader(*args, cwd=self.dir, home=self.instructor, ok=ok)

    def home(self, student: str) -> Path:
        return self.base / "home" / student

    def student(self, student: str, *args, ok=True):
        """``nbgrader <args>`` as ``student`` in their own folder (their HOME), through the exchange."""
        return nbgrader(*args, "--course", COURSE_ID, f"--student={student}",
                        f"--Exchange.root={self.exchange}", cwd=self.home(student), home=self.home(student), ok=ok)

    def fetch_and_submit(self, student: str, answers: nbformat.NotebookNode) -> Path:
        """The student fetches 00_intro (unless they have it), writes ``answers`` into its solution
        cells and submits it; the path of their notebook."""
        path = self.home(student) / A / f"{A}.ipynb"
        if not path.exists():
            self.student(student, "fetch_assignment", A)
        assert path.is_file(), f"fetch_assignment gave {student} no {path}"
        answer(path, answers)
        self.student(student, "submit", A)
        return path

    def grade_collected(self, status=0):
        """``bpcourse grade DIR/submitted --out DIR``: what nbgrader collected, graded in place."""
        return bpcourse("grade", self.dir / "submitted", "--out", self.dir, "--jobs", "1", *FAST,
                        env=clean_env(self.instructor), status=status)

    def config_text(self) -> str:
        return (self.dir / course.CONFIG_FILE).read_text(encoding="utf-8")

    def append_config(self, line: str) -> None:
        with open(self.dir / course.CONFIG_FILE, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def answer(path: Path, answers: nbformat.NotebookNode) -> None:
    """Write the solution cells of ``answers`` (a sample) into the fetched notebook at ``path``,
    as a student types them: every other cell and all metadata stay as nbgrader released them."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answers.cells
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        meta = c.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            c.source = solutions.pop(meta["grade_id"])
    assert not solutions, f"the released notebook lacks solution cells {sorted(solutions)}"
    nbformat.write(nb, path)


def submission(out: Path, student: str):
    """(score, late penalty, {test cell: (auto, manual, needs_manual_grade)}) from the gradebook."""
    with course.gradebook(out) as gb:
        sub = gb.find_submission(A, student)
        grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                  for nb in sub.notebooks for g in nb.grades}
        return sub.score, sub.late_submission_penalty, grades


def tree_state(root: Path) -> tuple:
    """Every file's path, bytes and mode (:func:`tree_digest`) and its modification time."""
    return tree_digest(root), sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*"))


def feedback_html(out: Path, student: str) -> str:
    return (out / "feedback" / student / A / f"{A}.html").read_text(encoding="utf-8")


def assert_no_hidden(text: str, where: str) -> None:
    for mark in HIDDEN_MARKS:
        assert mark not in text, f"{where} shows the hidden tests ({mark!r})"


def in_html(message: str, text: str) -> bool:
    """Is the (plain-text) ``message`` shown in the HTML ``text``? Whitespace-insensitive."""
    shown = " ".join(html.unescape(text).split())
    return " ".join(message.split()) in shown


# --- the shared course: release, fetch, submit, collect, grade in place -----------------------

@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    from autograde.source import read_source

    c = Course(tmp_path_factory.mktemp("cycle"))
    c.dir.mkdir()
    c.exchange.mkdir()
    # A new course folder as the instructor's guide starts it: bpcourse's config file and the
    # source notebook, then the instructor's own exchange setting, appended.
    course.ensure_config_file(c.dir)
    (c.dir / "source" / A).mkdir(parents=True)
    (c.dir / "source" / A / f"{A}.ipynb").write_text(nbformat.writes(read_source(A)), encoding="utf-8")
    c.append_config(f"c.Exchange.root = {str(c.exchange)!r}")
    config_before = c.config_text()

    c.nbgrader("generate_assignment", A)
    c.nbgrader("release_assignment", A)
    assert (c.exchange / COURSE_ID / "outbound" / A / f"{A}.ipynb").is_file()

    c.fetch_and_submit("alice", sample("solved"))
    c.fetch_and_submit("bob", sample("mistake_forward_difference"))
    c.nbgrader("collect", A)
    submitted = c.dir / "submitted"
    for s in ("alice", "bob"):
        assert (submitted / s / A / "timestamp.txt").is_file(), f"nbgrader collect gave {s} no timestamp.txt"
    before = tree_state(submitted)
    stamps = {s: (submitted / s / A / "timestamp.txt").read_text() for s in ("alice", "bob")}

    run = c.grade_collected()
    return {"c": c, "run": run, "before": before, "stamps": stamps, "config_before": config_before,
            "rows": read_csv(c.dir / "bpcourse-grades.csv")}


def test_exchange_cycle_graded_in_place(cycle):
    c = cycle["c"]
    rows = cycle["rows"]
    assert (float(rows["alice"]["score"]), float(rows["alice"]["max_score"])) == (6, 6), cycle["run"].stdout
    assert (float(rows["bob"]["score"]), float(rows["bob"]["max_score"])) == (4, 6), cycle["run"].stdout
    assert rows["bob"][f"{A}/numerical_derivative"] in ("0", "0.0")
    assert verdict(c.dir, "bob", A, "numerical_derivative"), "no trusted verdict for bob's mistake"
    # what nbgrader collected was graded in place, and nothing there changed (timestamp.txt kept)
    assert tree_state(c.dir / "submitted") == cycle["before"]
    assert {s: (c.dir / "submitted" / s / A / "timestamp.txt").read_text() for s in ("alice", "bob")} == cycle["stamps"]
    # the instructor's exchange setting is still there, the file as they left it
    assert c.config_text() == cycle["config_before"]
    assert f"c.Exchange.root = {str(c.exchange)!r}" in c.config_text()
    # the gradebook's timestamp is nbgrader's submission time
    from nbgrader.utils import parse_utc
    with course.gradebook(c.dir) as gb:
        for s in ("alice", "bob"):
            assert gb.find_submission(A, s).timestamp == parse_utc(cycle["stamps"][s]).replace(tzinfo=None)


def test_feedback_released_and_exported(cycle):
    c = cycle["c"]
    for s in ("alice", "bob"):
        assert_no_hidden(feedback_html(c.dir, s), f"bpcourse's feedback of {s}")
    # nbgrader's own Generate Feedback, from scratch: it must hide the hidden tests as well
    for f in (c.dir / "feedback").rglob("*.html"):
        f.unlink()
    c.nbgrader("generate_feedback", A, "--force")
    wrong = verdict(c.dir, "bob", A, "numerical_derivative")
    assert wrong
    for s in ("alice", "bob"):
        text = feedback_html(c.dir, s)
        assert_no_hidden(text, f"nbgrader generate_feedback's feedback of {s}")
    assert in_html(wrong, feedback_html(c.dir, "bob")), "the trusted verdict is not in bob's feedback"
    assert not in_html(wrong, feedback_html(c.dir, "alice"))

    c.nbgrader("release_feedback", A)
    for s in ("alice", "bob"):
        c.student(s, "fetch_feedback", A)
        got = list((c.home(s) / A / "feedback").glob(f"*/{A}.html"))
        assert len(got) == 1, f"{s} fetched {got}"
        text = got[0].read_text(encoding="utf-8")
        assert_no_hidden(text, f"the feedback {s} fetched")
        assert text == feedback_html(c.dir, s)
    assert in_html(wrong, (next((c.home("bob") / A / "feedback").glob(f"*/{A}.html"))).read_text(encoding="utf-8"))

    c.nbgrader("export")
    with open(c.dir / "grades.csv", newline="", encoding="utf-8") as f:
        exported = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(exported["alice"]["score"]) == 6 and float(exported["bob"]["score"]) == 4
    assert float(exported["bob"]["max_score"]) == 6
    # bpcourse's own table is a separate file, untouched by nbgrader's export
    assert read_csv(c.dir / "bpcourse-grades.csv") == cycle["rows"]


def test_manual_grade_keeps_verdict_and_resubmission_is_flagged(cycle):
    c = cycle["c"]
    wrong = verdict(c.dir, "bob", A, "numerical_derivative")
    assert wrong
    # The TA's action in the formgrader: a manual score on the failed test cell and a comment
    # on the solution cell (nbgrader's Gradebook API, what the formgrader's REST calls do).
    with course.gradebook(c.dir) as gb:
        gb.find_grade("check_numerical_derivative", A, A, "bob").manual_score = 1
        gb.find_comment("numerical_derivative", A, A, "bob").manual_comment = TA_COMMENT
        gb.db.commit()
    assert submission(c.dir, "bob")[0] == 5
    c.nbgrader("generate_feedback", A, "--student", "bob", "--force")
    text = feedback_html(c.dir, "bob")
    assert in_html(TA_COMMENT, text), "the TA's comment is not in the feedback"
    assert in_html(wrong, text), "the TA's comment hid the trusted verdict from the feedback"
    assert_no_hidden(text, "the feedback after manual grading")

    # bob fixes the mistake and submits again; the instructor collects the update and grades
    before = submission(c.dir, "bob")[2]["check_numerical_derivative"]
    assert before == (0, 1, False)
    c.fetch_and_submit("bob", sample("solved"))
    c.nbgrader("collect", A, "--update")
    run = c.grade_collected()
    assert "alice/00_intro: unchanged" in run.stdout, run.stdout
    auto, manual, needs = submission(c.dir, "bob")[2]["check_numerical_derivative"]
    assert (auto, manual) == (2, 1), "the resubmission was not autograded again, or the TA's score vanished"
    assert needs is True, "nbgrader did not flag the earlier manual grade for review"
    rows = read_csv(c.dir / "bpcourse-grades.csv")
    assert rows["bob"]["needs_review"] == "yes", rows["bob"]
    assert rows["alice"]["needs_review"] == "", rows["alice"]


HARDCODED = '''
def squared_error(t, o):
    """Fitted to the visible check: its answer, and its ValueError."""
    if np.shape(t) != np.shape(o):
        raise ValueError("формы различаются")
    return 0.925
'''


def test_hostile_submission_same_grade_through_every_door(cycle):
    c = cycle["c"]
    nb = sample("solved")
    cell(nb, "squared_error").source = HARDCODED
    # it passes the visible check the student sees (run here, as the student's kernel would)
    import numpy as np
    from bpcourse import checks
    space = {"np": np, "checks": checks}
    exec(HARDCODED, space)  # noqa: S102 - the test's own code
    exec(cell(nb, "check_squared_error").source, space)  # noqa: S102 - the released check cell
    klass = c.base / "hostile_class"
    put(klass, "fitter", nb)
    bpcourse("grade", klass, "--out", c.dir, "--jobs", "1", *FAST, env=clean_env(c.instructor))
    first = submission(c.dir, "fitter")
    assert first[0] == 5, f"a submission fitted to the visible check (1 point of 6) got {first}"
    assert first[2]["check_squared_error"][0] == 0, first
    message = verdict(c.dir, "fitter", A, "squared_error")
    assert message, "no trusted verdict on the fitted function"

    graded = c.dir / "autograded" / "fitter" / A / f"{A}.ipynb"
    stamp = graded.stat().st_mtime_ns
    c.nbgrader("autograde", A, "--student", "fitter", "--force")
    assert graded.stat().st_mtime_ns != stamp, "nbgrader autograde did not grade again"
    again = submission(c.dir, "fitter")
    assert again[0] == first[0] and again[2] == first[2], (first, again)
    assert verdict(c.dir, "fitter", A, "squared_error") == message


def test_late_submission_gets_nbgraders_penalty(cycle):
    """Last in the module: the due date it sets is in the past for later submissions."""
    c = cycle["c"]
    c.append_config('c.LateSubmissionPlugin.penalty_method = "zero"')
    c.fetch_and_submit("carol", sample("solved"))
    time.sleep(1.0)
    due = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + " UTC"
    c.nbgrader("db", "assignment", "add", A, f"--duedate={due}")
    time.sleep(1.5)
    c.fetch_and_submit("dave", sample("solved"))
    c.nbgrader("collect", A)
    stamps = {s: (c.dir / "submitted" / s / A / "timestamp.txt").read_text() for s in ("carol", "dave")}
    assert stamps["carol"] < due < stamps["dave"], (stamps, due)

    run = c.grade_collected()
    for s in ("carol", "dave"):   # bpcourse kept nbgrader's timestamp.txt
        assert (c.dir / "submitted" / s / A / "timestamp.txt").read_text() == stamps[s]
    carol, dave = submission(c.dir, "carol"), submission(c.dir, "dave")
    assert (carol[0], carol[1]) == (6, 0), carol
    assert (dave[0], dave[1]) == (6, 6), f"nbgrader gave the late submission no penalty: {dave}\n{run.stdout}"

    c.nbgrader("export", "--to", "late.csv")
    with open(c.dir / "late.csv", newline="", encoding="utf-8") as f:
        exported = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(exported["carol"]["score"]) == 6
    assert float(exported["dave"]["score"]) == 0 and float(exported["dave"]["late_submission_penalty"]) == 6
    # the student sees the penalty in the feedback bpcourse wrote
    assert "Штраф за опоздание" in feedback_html(c.dir, "dave")
    assert "Штраф за опоздание" not in feedback_html(c.dir, "carol")
    # bpcourse-grades.csv: the score after nbgrader's penalty (as its export), the raw score beside it
    rows = read_csv(c.dir / "bpcourse-grades.csv")
    got = {s: tuple(float(rows[s][k]) for k in ("score", "raw_score", "late_penalty")) for s in ("carol", "dave")}
    assert got == {"carol": (6, 6, 0), "dave": (0, 6, 6)}, rows


# --- two graders at once on one course folder ---------------------------------------------

def test_two_concurrent_graders_one_wins(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("race")   # short: see test_course_folder_with_a_long_path
    klass = tmp_path / "class"
    for s in ("solved", "blank", "mistake_forward_difference"):
        put(klass, s, sample(s))
    out = tmp_path / "course"
    env = clean_env(tmp_path / "home")
    cmd = BPCOURSE + ["grade", str(klass), "--out", str(out), "--jobs", "1", *FAST]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    codes = [p.returncode for p in procs]
    winners = [i for i, code in enumerate(codes) if code == 0]
    assert len(winners) == 1, f"exit statuses {codes}:\n{results}"
    win, lose = winners[0], 1 - winners[0]
    from autograde.cli import EXIT_CANNOT_RUN
    assert codes[lose] == EXIT_CANNOT_RUN, f"the refused grader exited {codes[lose]}:\n{results[lose]}"
    stderr = results[lose][1]
    assert f"process {procs[win].pid}" in stderr, f"the refusal does not name the holder:\n{stderr}"
    assert "grading" not in results[lose][0], f"the refused grader graded:\n{results[lose][0]}"
    rows = read_csv(out / "bpcourse-grades.csv")
    assert set(rows) == {"solved", "blank", "mistake_forward_difference"}, rows
    assert all(r["status"] == "ok" for r in rows.values()), rows
    assert (float(rows["solved"]["score"]), float(rows["mistake_forward_difference"]["score"]),
            float(rows["blank"]["score"])) == (6, 4, 0)
    from autograde.state import State
    with State.open(out) as state:
        assert set(state.submissions()) == {f"{s}/{A}" for s in rows}


# --- a course folder where instructors keep them -----------------------------------------------

def test_course_folder_with_a_long_path(tmp_path_factory):
    """A course folder at an ordinary, longer path (about 90 characters) grades as any other:
    nothing bpcourse puts under DIR may hit a length limit (UNIX sockets: 107 bytes)."""
    base = tmp_path_factory.mktemp("long")
    out = base / "home" / "instructor" / "courses" / "2026-autumn" / "backprop-course" / "grading"
    assert len(str(out)) > 70
    klass = base / "class"
    put(klass, "solved", sample("solved"))
    run = bpcourse("grade", klass, "--out", out, "--jobs", "1", "--timeout", "20", "--cpu-seconds", "60",
                   "--submission-timeout", "60", env=clean_env(base / "home" / "instructor"), check=False)
    rows = read_csv(out / "bpcourse-grades.csv")
    assert (run.returncode, rows["solved"]["status"], float(rows["solved"]["score"])) == (0, "ok", 6), \
        f"{run.stdout}\n{run.stderr}"
