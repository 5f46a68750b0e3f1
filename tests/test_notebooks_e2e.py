"""Every graded notebook end to end: the demo students, and the whole mistake bank.

For every mistake of these notebooks, in its student form (autograde.hidden.variants: the
mistake written in the hidden spec, renamed to the exercise) a submission carries that variant: round k puts the k-th variant of every exercise into one
solved notebook (variants are self-contained, so they do not interfere). One real grading run
covers them all; each variant must lose its exercise's points and get its own hint.
"""
from __future__ import annotations

import csv
import html
import re
import subprocess
import sys

import pytest


from autograde import course, hidden
from autograde.release import CLASS_DIR, fill
from classes import in_rounds, put, verdict
import nbformat

pytestmark = pytest.mark.e2e
ASSIGNMENTS = hidden.assignments()   # every source notebook with a graded exercise
variants = hidden.variants


def rounds(a):
    """[{exercise: (mistake, code)}, ...]: round k holds the k-th variant of each exercise."""
    return in_rounds(variants(a))


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("notebooks")
    submissions, out = base / "class", base / "course"
    for student_dir in CLASS_DIR.iterdir():
        for a in ASSIGNMENTS:
            src = student_dir / a / f"{a}.ipynb"
            if src.exists():
                put(submissions, student_dir.name, nbformat.read(src, as_version=4), assignment=a)
    for a in ASSIGNMENTS:
        solved = nbformat.read(CLASS_DIR / "solved" / a / f"{a}.ipynb", as_version=4)
        for k, rnd in enumerate(rounds(a)):
            put(submissions, f"round{k}", fill(solved, {ex: code for ex, (_, code) in rnd.items()}), assignment=a)
    run = subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(submissions), "--out", str(out),
                          "--jobs", "2", *sum((["--assignment", a] for a in ASSIGNMENTS), [])],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(out / "bpcourse-grades.csv", newline="", encoding="utf-8") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    return {"out": out, "rows": rows, "log": run.stdout}


def page_text(path):
    """A feedback page as the text a student reads (no tags, entities decoded, no emphasis marks)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    return " ".join(text.replace("*", "").split())


def comment(out, a, student, exercise):
    return verdict(out, student, a, exercise)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_solved_gets_full_marks_and_blank_zero(graded, a):
    solved, blank = graded["rows"][("solved", a)], graded["rows"][("blank", a)]
    assert float(solved["score"]) == float(solved["max_score"]) > 0
    assert float(blank["score"]) == 0.0
    assert solved["status"] == blank["status"] == "ok"


DEMOS = [(a, f"mistake_{ex.demo}", ex.name, ex.demo) for a in ASSIGNMENTS for ex in hidden.exercises(a) if ex.demo]


def test_every_notebook_has_a_demo_mistake():
    assert sorted({a for a, *_ in DEMOS}) == sorted(ASSIGNMENTS)


@pytest.mark.parametrize("a,student,exercise,mistake", DEMOS)
def test_demo_mistake_loses_points_and_is_named_in_the_feedback(graded, a, student, exercise, mistake):
    row = graded["rows"][(student, a)]
    assert 0 < float(row["score"]) < float(row["max_score"])
    assert float(row[f"{a}/{exercise}"]) == 0.0
    hint = next(m.hint for m in hidden.catalog()[exercise].mistakes if m.name == mistake)
    # the whole hint, as text: its first words alone are also the visible check's own message,
    # in every student's page (01: "забыт путь через узел b = x·y" is in the check cell's code)
    shown, solved = (page_text(graded["out"] / "feedback" / s / a / f"{a}.html") for s in (student, "solved"))
    plain = " ".join(hint.replace("*", "").split())
    assert plain in shown and plain not in solved


CASES = [(a, k, ex, mistake) for a in ASSIGNMENTS for k, rnd in enumerate(rounds(a))
         for ex, (mistake, _) in rnd.items()]


@pytest.mark.parametrize("a,k,exercise,mistake", CASES, ids=[f"{a[:2]}-{ex}-{m}" for a, _, ex, m in CASES])
def test_every_mistake_loses_its_points_and_gets_its_hint(graded, a, k, exercise, mistake):
    row = graded["rows"][(f"round{k}", a)]
    assert float(row[f"{a}/{exercise}"]) == 0.0
    hint = next(m.hint for m in hidden.catalog()[exercise].mistakes if m.name == mistake)
    assert hint in comment(graded["out"], a, f"round{k}", exercise)


def test_every_variant_of_the_bank_is_exercised():
    for a in ASSIGNMENTS:
        bank = {(ex.name, m.name) for ex in hidden.exercises(a) for m in ex.mistakes}
        assert bank and {(ex, m) for _, k, ex, m in CASES if _ == a} == bank, a


def test_the_explorer_does_not_run_during_grading(graded):
    a = "10_temperature"
    nb = nbformat.read(graded["out"] / "autograded" / "solved" / a / f"{a}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "TemperatureExplorer(softmax_t)" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "при оценивании виджет не запускается" in text
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
