"""Independent implementations graded for real (tests/independent/<assignment>.py, format in its
module docstrings): correct code in other idioms than the reference gets full marks, and a
classic wrong variant that is not in the mistake bank loses exactly its own exercise's points.

Two layers:
* in-process (fast, no kernel; autograde.audit's runner): every CORRECT variant passes every
  check, and every WRONG variant and every mistake-bank variant (autograde.hidden.variants
  VARIANTS), put alone into the solved notebook, fails its own exercise's hidden verdict and
  no other test cell — visible or hidden — of the notebook;
* real grading (``e2e``): one ``bpcourse grade --jobs 2`` run with real nbgrader and sandboxed
  kernels; submission ``correct<k>`` holds the k-th CORRECT variant of every exercise, and each
  WRONG variant gets a submission of its own.

An assignment of the registry without a data file fails (visibly, per assignment): there is no
silent skip.
"""
from __future__ import annotations

import csv
import runpy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde import hidden
from autograde.audit.notebook import grade_in_process, in_child, warm
from autograde.release import CLASS_DIR, fill
from classes import in_rounds, put

DATA_DIR = Path(__file__).resolve().parent / "independent"
ASSIGNMENTS = hidden.assignments()
STUDENTS = ("independent-1", "independent-2", "independent-3")


def load(a: str) -> tuple[dict, dict] | None:
    """(CORRECT, WRONG) of ``a``, or None when its data file is missing or broken."""
    path = DATA_DIR / f"{a}.py"
    if not path.is_file():
        return None
    try:
        data = runpy.run_path(str(path))
    except Exception:  # noqa: BLE001 - reported by test_data_file
        return None
    return data.get("CORRECT", {}), data.get("WRONG", {})


bank = hidden.variants


def names(a: str) -> list[str]:
    return [ex.name for ex in hidden.exercises(a)]


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_data_file(a):
    """Every assignment of the registry has independent implementations of every exercise."""
    path = DATA_DIR / f"{a}.py"
    assert path.is_file(), f"no {path.relative_to(DATA_DIR.parents[1])}: write it (format: tests/independent/*.py)"
    data = runpy.run_path(str(path))
    correct, wrong = data["CORRECT"], data["WRONG"]
    exercises = set(names(a))
    assert set(correct) <= exercises, f"unknown exercises in CORRECT: {set(correct) - exercises}"
    assert {ex for ex, _ in wrong} <= exercises, f"unknown exercises in WRONG: {({ex for ex, _ in wrong}) - exercises}"
    missing = sorted(exercises - {ex for ex, codes in correct.items() if codes})
    assert not missing, f"no CORRECT variant of {missing}"
    missing = sorted(exercises - {ex for ex, _ in wrong})
    assert not missing, f"no WRONG variant of {missing}"


# --- in-process: every variant alone, every test cell of the notebook -----------------------------

def _correct_cases():
    out = []
    for a in ASSIGNMENTS:
        data = load(a)
        for ex, codes in (data[0] if data else {}).items():
            out += [(a, ex, k) for k in range(len(codes))]
    return out


def _wrong_cases():
    out = []
    for a in ASSIGNMENTS:
        data = load(a)
        out += [(a, ex, label, "independent") for ex, label in (data[1] if data else {})]
        out += [(a, ex, label, "mistake bank") for ex, label in bank(a)]
    return out


def _graded(a: str, replace: dict[str, str]) -> dict:
    warm(a)
    status, result = in_child(grade_in_process, a, replace, STUDENTS, timeout=240)
    assert status == "ok", f"the notebook run failed: {status} {result}"
    return result


CORRECT_CASES = _correct_cases()
WRONG_CASES = _wrong_cases()


@pytest.mark.parametrize("a,exercise,k", CORRECT_CASES, ids=[f"{a[:2]}-{e}-{k}" for a, e, k in CORRECT_CASES])
def test_correct_variant_passes_in_process(a, exercise, k):
    code = load(a)[0][exercise][k]
    result = _graded(a, {exercise: code})
    failing = {ex: r for ex, r in result.items() if r["visible"] or any(r["hidden"])}
    assert not failing, failing


@pytest.mark.parametrize("a,exercise,label,origin", WRONG_CASES,
                         ids=[f"{a[:2]}-{e}-{label}" for a, e, label, _ in WRONG_CASES])
def test_wrong_variant_fails_only_its_own_exercise_in_process(a, exercise, label, origin):
    code = load(a)[1][(exercise, label)] if origin == "independent" else bank(a)[(exercise, label)]
    result = _graded(a, {exercise: code})
    own = result[exercise]
    assert all(own["hidden"]), f"the hidden verdict passes for some students: {own['hidden']}"
    others = {ex: r for ex, r in result.items() if ex != exercise and (r["visible"] or any(r["hidden"]))}
    assert not others, f"another exercise's test cell fails too (one mistake must cost one exercise): {others}"


# --- real grading ----------------------------------------------------------------------------------

def _wrong_rounds(a: str) -> list[dict[str, str]]:
    """[{exercise: label}, ...]: round k holds the k-th WRONG variant of every exercise, one
    submission per round (as tests/test_notebooks_e2e.py does for the mistake bank). That each
    variant costs only its own exercise is checked alone, in-process, above; here each one
    must lose its exercise, and the exercises without a variant in the round keep theirs."""
    data = load(a)
    return [{ex: label for ex, (label, _) in rnd.items()}
            for rnd in in_rounds({key: data[1][key] for key in sorted(data[1])} if data else {})]


def _wrong_students(a: str) -> dict[tuple[str, str], str]:
    """{(student id, exercise): label} of every WRONG variant, the student being its round."""
    return {(f"wrong{k:02d}", ex): label for k, rnd in enumerate(_wrong_rounds(a)) for ex, label in rnd.items()}


def _correct_rounds(a: str) -> int:
    data = load(a)
    return max((len(v) for v in data[0].values()), default=0) if data else 0


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("independent")
    submissions, out = base / "class", base / "course"
    present = [a for a in ASSIGNMENTS if load(a) is not None]
    if not present:
        pytest.fail("no tests/independent/<assignment>.py at all")
    for a in present:
        correct, wrong = load(a)
        solved = nbformat.read(CLASS_DIR / "solved" / a / f"{a}.ipynb", as_version=4)
        put(submissions, "solved", solved, assignment=a)
        for k in range(_correct_rounds(a)):
            code = {ex: codes[k] for ex, codes in correct.items() if k < len(codes)}
            put(submissions, f"correct{k}", fill(solved, code), assignment=a)
        for k, rnd in enumerate(_wrong_rounds(a)):
            put(submissions, f"wrong{k:02d}", fill(solved, {ex: wrong[(ex, label)] for ex, label in rnd.items()}),
                assignment=a)
    run = subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(submissions), "--out", str(out),
                          "--jobs", "2", *sum((["--assignment", a] for a in present), [])],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    with open(out / "bpcourse-grades.csv", newline="", encoding="utf-8") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    return {"out": out, "rows": rows}


def _row(graded, student, a):
    row = graded["rows"].get((student, a))
    assert row is not None, f"no grade for {student}/{a}"
    assert row["status"] == "ok", row
    return row


def _full(graded, a) -> dict[str, float]:
    """Points of every exercise in the solved sample (which must get full marks)."""
    row = _row(graded, "solved", a)
    assert float(row["score"]) == float(row["max_score"]) > 0, f"the solved sample of {a} loses points: {row}"
    return {ex: float(row[f"{a}/{ex}"]) for ex in names(a)}


@pytest.mark.e2e
@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_correct_submissions_get_full_marks(graded, a):
    assert load(a) is not None, f"no (or a broken) tests/independent/{a}.py: nothing graded for {a}"
    full = _full(graded, a)
    rounds = _correct_rounds(a)
    assert rounds >= 1
    for k in range(rounds):
        row = _row(graded, f"correct{k}", a)
        lost = {ex: float(row[f"{a}/{ex}"]) for ex in names(a) if float(row[f"{a}/{ex}"]) != full[ex]}
        assert not lost, f"correct{k} (the {k}-th CORRECT variant of every exercise) loses points: {lost}"


WRONG_E2E = [(a, student, ex, label) for a in ASSIGNMENTS for (student, ex), label in _wrong_students(a).items()]


@pytest.mark.e2e
@pytest.mark.parametrize("a,student,exercise,label", WRONG_E2E,
                         ids=[f"{a[:2]}-{e}-{label}" for a, _, e, label in WRONG_E2E])
def test_wrong_variant_loses_exactly_its_own_exercise(graded, a, student, exercise, label):
    full = _full(graded, a)
    row = _row(graded, student, a)
    assert float(row[f"{a}/{exercise}"]) == 0.0, f"{exercise} keeps {row[f'{a}/{exercise}']} points"
    in_round = {ex for (s, ex) in _wrong_students(a) if s == student}
    others = {ex: float(row[f"{a}/{ex}"]) for ex in names(a) if ex not in in_round and float(row[f"{a}/{ex}"]) != full[ex]}
    assert not others, f"exercises without a wrong variant in {student} lose points: {others}"
