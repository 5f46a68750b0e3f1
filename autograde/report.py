"""The grade table (``DIR/bpcourse-grades.csv``, and printed), read from the nbgrader
gradebook and the run state.

Columns: ``student_id, assignment, score, max_score, raw_score, late_penalty`` (``score`` is
after nbgrader's late penalty, as ``nbgrader export`` reports it), then one column per graded exercise
(``<assignment>/<exercise>``), then ``needs_review`` ("yes" when nbgrader flags a grade for
manual review: a TA's grade from an earlier submission), ``status`` and ``message`` (why a
submission scored what it did when it could not be graded normally). Its name is not
``grades.csv``, which ``nbgrader export`` writes by default. A text cell that a spreadsheet
would take for a formula is written with a ``'`` before it (:func:`cell`).
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

from nbgrader.api import MissingEntry

from autograde import course

FIXED = ["student_id", "assignment", "score", "max_score", "raw_score", "late_penalty"]
GRADES_FILE = "bpcourse-grades.csv"
TAIL = ["needs_review", "status", "message"]


def _exercise(cell_name: str) -> str:
    return cell_name[len("check_"):] if cell_name.startswith("check_") else cell_name


def score_of(out: Path, student: str, assignment: str) -> str:
    """``"score/max"`` of one submission, for progress lines."""
    with course.gradebook(out) as gb:
        try:
            s = gb.find_submission(assignment, student)
        except MissingEntry:
            return "-"
        return f"{s.score:g}/{s.max_score:g}"


def auto_scores(out: Path, student: str | None = None, assignment: str | None = None) -> dict[str, list]:
    """``{"student/assignment": [the autograder's score of each test cell, by name]}`` as the
    gradebook holds them now (of one submission, or of all): a run notices from them that a
    grade was changed elsewhere (another door, a restored gradebook)."""
    result = {}
    with course.gradebook(out) as gb:
        if student is not None:
            try:
                subs = [gb.find_submission(assignment, student)]
            except MissingEntry:
                return {}
        else:
            subs = [sub for a in gb.assignments for sub in a.submissions]
        for sub in subs:
            result[f"{sub.student.id}/{sub.assignment.name}"] = sorted(
                (g.name, g.auto_score) for nb in sub.notebooks for g in nb.grades)
    return {k: [list(x) for x in v] for k, v in result.items()}


def rows(out: Path, submissions: dict) -> list[dict]:
    """One row per submission: graded ones from the gradebook, the rest from the run state's
    ``submissions`` ({"student/assignment": {"status", "message", ...}})."""
    result: dict[tuple[str, str], dict] = {}
    with course.gradebook(out) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                penalty = sub.late_submission_penalty or 0.0
                # as nbgrader export: the score after the late penalty, the raw score beside it
                row = {"student_id": sub.student.id, "assignment": assignment.name,
                       "score": round(max(0.0, sub.score - penalty), 4), "max_score": round(sub.max_score, 4),
                       "raw_score": round(sub.score, 4), "late_penalty": round(penalty, 4)}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        row[f"{assignment.name}/{_exercise(g.name)}"] = round(g.score, 4)
                review = any(g.needs_manual_grade for nb in sub.notebooks for g in nb.grades)
                row["needs_review"] = "yes" if review else ""
                result[(sub.student.id, assignment.name)] = row
        maxima = {a.name: a.max_score for a in gb.assignments}
    for key, info in submissions.items():
        student, assignment = key.split("/", 1)
        row = result.setdefault((student, assignment), {
            "student_id": student, "assignment": assignment,
            "score": 0, "max_score": round(maxima.get(assignment, 0), 4), "raw_score": 0, "late_penalty": 0})
        row["status"] = info.get("status", "ok")
        row["message"] = info.get("message", "")
        if info.get("rejected"):
            row["rejected"] = True
    return [result[k] for k in sorted(result)]


def columns(all_rows: list[dict]) -> list[str]:
    extra = sorted({k for r in all_rows for k in r} - set(FIXED) - set(TAIL) - {"rejected"})
    return FIXED + extra + TAIL


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A text cell a spreadsheet would read as a formula (it starts with ``= + - @``, a tab or
    a carriage return: a student's name or message) with a ``'`` before it (OWASP's CSV
    injection advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, all_rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    if tmp.is_symlink():
        tmp.unlink()
    # every student's grades: private to the grader from the start (not chmodded afterwards)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    with open(fd, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns(all_rows), restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: cell(v) for k, v in row.items()} for row in all_rows)
    os.replace(tmp, path)


def table(all_rows: list[dict]) -> str:
    """A plain-text table: student, assignment, score, status."""
    head = ("student", "assignment", "score", "status")
    body = [(r["student_id"], r["assignment"], f"{r['score']:g}/{r['max_score']:g}",
             r.get("status", "ok") + (" [needs review]" if r.get("needs_review") else "")
             + (f": {r['message']}" if r.get("message") else ""))
            for r in all_rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(3)]
    lines = ["  ".join(str(x[i]).ljust(widths[i]) for i in range(3)) + "  " + x[3] for x in [head, *body]]
    lines.insert(1, "-" * min(100, max(len(ln) for ln in lines)))
    return "\n".join(lines)
