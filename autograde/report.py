"""grades.csv and the printed table, read from the nbgrader gradebook and the run state.

Columns: ``student_id, assignment, score, max_score``, then one column per graded exercise
(``<assignment>/<exercise>``), then ``status`` and ``message`` (why a submission scored what it
did when it could not be graded normally).
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograde import course

FIXED = ["student_id", "assignment", "score", "max_score"]


def _exercise(cell_name: str) -> str:
    return cell_name[len("check_"):] if cell_name.startswith("check_") else cell_name


def _db(out: Path) -> str:
    return course.config(out).CourseDirectory.db_url


def score_of(out: Path, student: str, assignment: str) -> str:
    """``"score/max"`` of one submission, for progress lines."""
    with Gradebook(_db(out), course.COURSE_ID) as gb:
        try:
            s = gb.find_submission(assignment, student)
        except MissingEntry:
            return "-"
        return f"{s.score:g}/{s.max_score:g}"


def rows(out: Path, state: dict) -> list[dict]:
    """One row per submission: graded ones from the gradebook, the rest from the state."""
    result: dict[tuple[str, str], dict] = {}
    with Gradebook(_db(out), course.COURSE_ID) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                row = {"student_id": sub.student.id, "assignment": assignment.name,
                       "score": round(sub.score, 4), "max_score": round(sub.max_score, 4)}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        row[f"{assignment.name}/{_exercise(g.name)}"] = round(g.score, 4)
                result[(sub.student.id, assignment.name)] = row
        maxima = {a.name: a.max_score for a in gb.assignments}
    for key, info in state["submissions"].items():
        student, assignment = key.split("/", 1)
        row = result.setdefault((student, assignment), {
            "student_id": student, "assignment": assignment,
            "score": 0, "max_score": round(maxima.get(assignment, 0), 4)})
        row["status"] = info.get("status", "ok")
        row["message"] = info.get("message", "")
    return [result[k] for k in sorted(result)]


def columns(all_rows: list[dict]) -> list[str]:
    extra = sorted({k for r in all_rows for k in r} - set(FIXED) - {"status", "message"})
    return FIXED + extra + ["status", "message"]


def write_csv(path: Path, all_rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns(all_rows), restval="")
        writer.writeheader()
        writer.writerows(all_rows)
    os.replace(tmp, path)


def table(all_rows: list[dict]) -> str:
    """A plain-text table: student, assignment, score, status."""
    head = ("student", "assignment", "score", "status")
    body = [(r["student_id"], r["assignment"], f"{r['score']:g}/{r['max_score']:g}",
             r.get("status", "ok") + (f": {r['message']}" if r.get("message") else ""))
            for r in all_rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(3)]
    lines = ["  ".join(str(x[i]).ljust(widths[i]) for i in range(3)) + "  " + x[3] for x in [head, *body]]
    lines.insert(1, "-" * min(100, max(len(ln) for ln in lines)))
    return "\n".join(lines)
