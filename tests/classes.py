"""Builders of test classes: submissions derived from the shipped samples, good and hostile.

Each builder returns the path of a class folder ``<student>/<assignment>/<notebook>.ipynb``.
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

from autograde.release import CLASS_DIR

A = "00_intro"
BPCOURSE = [sys.executable, "-m", "autograde.cli"]


def bpcourse(*args, env=None, check=True, status=0):
    """Run the real `bpcourse` command; raise with its output unless it exits with ``status``
    (0; 1 when some submissions are rejected or not graded; 2 when grading cannot start),
    or not ``check``."""
    out = subprocess.run(BPCOURSE + [str(a) for a in args], capture_output=True, text=True, env=env)
    if check and out.returncode != status:
        raise AssertionError(f"bpcourse {args} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


def read_csv(path: Path) -> dict[str, dict]:
    """bpcourse-grades.csv as {student_id: row}."""
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def verdict(out: Path, student: str, assignment: str, exercise: str) -> str:
    """The trusted verdict shown in the autograded test cell ``check_<exercise>`` ("" if none)."""
    from autograde.preprocessors import verdict_of

    nb = nbformat.read(Path(out) / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"check_{exercise}":
            found = verdict_of(cell)
            return found[1] if found else ""
    return ""


def score(rows, student):
    return float(rows[student]["score"]), float(rows[student]["max_score"])


def sample(name: str) -> nbformat.NotebookNode:
    return nbformat.read(CLASS_DIR / name / A / f"{A}.ipynb", as_version=4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def put(root: Path, student: str, nb, assignment: str = A, name: str | None = None) -> Path:
    folder = root / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{assignment}.ipynb")
    nbformat.write(nb, path)
    return path


def in_rounds(variants: dict[tuple[str, str], str]) -> list[dict[str, tuple[str, str]]]:
    """{(exercise, name): code} -> [{exercise: (name, code)}, ...]: round k holds the k-th variant
    of every exercise, so that one submission per round grades many variants at once."""
    by_exercise: dict[str, list] = {}
    for (ex, name), code in variants.items():
        by_exercise.setdefault(ex, []).append((name, code))
    n = max((len(v) for v in by_exercise.values()), default=0)
    return [{ex: vs[k] for ex, vs in by_exercise.items() if k < len(vs)} for k in range(n)]


def insert_code(nb, index: int, source: str):
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


# Code that a hostile student runs; each prints what it managed to read.
SNOOP = r'''
import os, glob
targets = ["{repo}/solutions/intro.py", "{repo}/source/00_intro/00_intro.py", "{course}/gradebook.db",
           "{course}/submitted/solved/00_intro/00_intro.ipynb", "{course}/.bpcourse/secret",
           "../../solved/00_intro/00_intro.ipynb", "/proc/1/environ"]
for t in targets:
    try:
        print("READ", t, open(t, "rb").read()[:200])
    except Exception as e:
        print("DENIED", t, type(e).__name__)
try:
    import solutions.intro
    print("IMPORTED solutions", solutions.intro.__file__)
except Exception as e:
    print("DENIED import solutions", type(e).__name__)
print("SECRET env", os.environ.get("BPCOURSE_SECRET"))
print("LISTING", glob.glob("{course}/*"), glob.glob("../../*"))
try:
    open("/tmp/../{repo}/x", "w")
except Exception as e:
    print("DENIED write", type(e).__name__)
'''

# Patch every visible check and the recorder, then submit wrong code everywhere: inside the
# kernel every test cell passes; the trusted verdict must still give 0.
TAMPER_PRELUDE = r'''
import builtins, numpy
from bpcourse import checks
import bpcourse.grading
for name in [n for n in dir(checks) if n.startswith("check") or n == "ok"]:   # every visible check
    setattr(checks, name, lambda *a, **k: None)
for name in [n for n in globals() if n.startswith("check_")]:
    globals()[name] = lambda *a, **k: None
checks.CheckError = type("Never", (Exception,), {})
bpcourse.grading.record = lambda *a, **k: None
numpy.array_equal = lambda *a, **k: True
'''
WRONG = {
    "squared_error": "def squared_error(t, o):\n    return 0.0",
    "numerical_derivative": "def numerical_derivative(f, x, h=1e-5):\n    return 0.0",
    "worst_entry": "def worst_entry(a, b):\n    return 0.0, (0,)",
    "directional_derivative": "def directional_derivative(f, x, v, h=1e-5):\n    return 0.0",
}

STUBBORN_LOOP = r'''
def worst_entry(a, b):
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
'''


def hostile_class(root: Path, repo: Path, course: Path) -> Path:
    """One good student and one student per way a submission can go wrong."""
    root.mkdir(parents=True, exist_ok=True)
    solved = sample("solved")
    put(root, "solved", solved)
    put(root, "blank", sample("blank"))

    nb = sample("solved")
    cell(nb, "squared_error").source += "\n\ndef squared_error(t, o):\n    while True:\n        pass\n"
    put(root, "loop_forever", nb)

    nb = sample("solved")
    cell(nb, "worst_entry").source = STUBBORN_LOOP
    put(root, "loop_ignores_interrupt", nb)

    nb = sample("solved")
    insert_code(nb, 3, "import numpy as np\nbig = np.ones(10 * 1024**3 // 8)\nprint(big.sum())")
    put(root, "memory_bomb", nb)

    nb = sample("solved")
    insert_code(nb, 5, "import os\nos._exit(0)")
    put(root, "os_exit", nb)

    nb = sample("solved")
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    put(root, "deletes_tests", nb)

    nb = sample("blank")
    for c in nb.cells:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade"):
            c.source = "print('all good')"
    put(root, "edits_tests", nb)

    nb = sample("solved")
    insert_code(nb, 3, SNOOP.replace("{repo}", str(repo)).replace("{course}", str(course)))
    put(root, "snoop", nb)

    nb = sample("solved")
    for grade_id, code in WRONG.items():
        cell(nb, grade_id).source = code
    insert_code(nb, 3, TAMPER_PRELUDE)
    put(root, "tamper", nb)

    nb = sample("solved")
    cell(nb, "check_squared_error").source = "pass"  # also copy a 'solved' answer: same code as solved
    put(root, "copies_solved", nb)

    folder = root / "corrupt" / A
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")

    put(root, "misnamed", solved, name="my_homework.ipynb")
    put(root, "unknown_assignment", solved, assignment="99_nonexistent", name="99_nonexistent.ipynb")
    put(root, "bad name!", solved)
    return root
