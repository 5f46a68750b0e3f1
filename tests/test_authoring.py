"""docs/authoring.md, done for real: a toy exercise added the documented way and graded.

In a temporary copy of the course an author writes three files — the source notebook, the
reference and the hidden spec — and nothing else; the release and a real grading run (nbgrader,
the sandboxed kernel) then give the solved student full marks, the blank one zero, and the
demo student's mistake zero with its hint in the feedback. The exercise's name is written at
most four times: everything else (grade ids, the hidden region, which exercises the notebook
grades, the mistake's student form, the demo student) is derived.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from classes import verdict

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[1]
A = "99_toy"
NAME = "cube"

#: what the author writes, path -> text (the walkthrough of docs/authoring.md, in miniature)
AUTHORED = {
    f"source/{A}/{A}.py": '''# %% [markdown]
# # Игрушечное упражнение
#
# Напишите функцию, которая возводит каждый элемент массива в куб.

# %%
import numpy as np

from bpcourse import checks

# %% nbgrader={"solution": true}
def cube(x):
    """x³ elementwise; x : ndarray of any shape."""
    ### BEGIN SOLUTION
    return x ** 3
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка: значения на трёх числах."""
checks.check_close("f([1, 2, -3])", cube(np.array([1.0, 2.0, -3.0])), [1.0, 8.0, -27.0])
''',
    "solutions/toy.py": '''"""The toy exercise's reference."""
import numpy as np


def cube(x: np.ndarray) -> np.ndarray:
    return x ** 3
''',
    "autograde/hidden/toy.py": '''"""Hidden checks of solutions/toy.py."""
from autograde.hidden import exercise


@exercise(demo="squared")
class cube:
    def cases(rng):
        return [{"x": rng.normal(size=(2, 3))}, {"x": -rng.uniform(1, 2, size=4)}]

    class mistakes:
        def squared(x):
            """возведено во вторую степень, а нужна третья: проверьте показатель."""
            return x ** 2
''',
}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp("course-copy")
    for part in ("autograde", "bpcourse", "solutions", "source"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    before = snapshot(root)
    for rel, text in AUTHORED.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    after = snapshot(root)
    touched = sorted(k for k in after if before.get(k) != after[k])

    env = dict(os.environ, PYTHONPATH=str(root))
    run = lambda *args: subprocess.run([sys.executable, "-m", "autograde.cli", *args], cwd=root, env=env,
                                       capture_output=True, text=True, timeout=900)
    released = run("release", A)
    assert released.returncode == 0, released.stdout + released.stderr
    graded = run("grade", "samples/class", "--out", "course", "--assignment", A)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with open(root / "course" / "bpcourse-grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == A}
    return {"root": root, "touched": touched, "rows": rows}


def test_the_copy_grades_with_its_own_code(toy):
    """The run used the copy's autograde (with the toy spec), not the repository's."""
    probe = subprocess.run([sys.executable, "-c", "import autograde; print(autograde.__file__)"],
                           cwd=toy["root"], env=dict(os.environ, PYTHONPATH=str(toy["root"])),
                           capture_output=True, text=True)
    assert probe.stdout.strip().startswith(str(toy["root"])), probe.stdout + probe.stderr


def test_the_author_touches_three_files_and_names_the_exercise_four_times(toy):
    assert toy["touched"] == sorted(AUTHORED), toy["touched"]
    mentions = sum(len(re.findall(rf"\b{NAME}\b", text)) for text in AUTHORED.values())
    assert mentions <= 4, mentions


def test_the_release_derives_the_rest(toy):
    import nbformat

    root = toy["root"]
    student = nbformat.read(root / "notebooks" / A / f"{A}.ipynb", as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in student.cells if "nbgrader" in c.metadata]
    assert ids == [NAME, f"check_{NAME}"]
    assert "BEGIN HIDDEN TESTS" not in nbformat.writes(student) and "x ** 3" not in nbformat.writes(student)
    assert sorted(p.name for p in (root / "samples" / "class").iterdir()) == ["blank", "mistake_squared", "solved"]
    mistaken = nbformat.read(root / "samples" / "class" / "mistake_squared" / A / f"{A}.ipynb", as_version=4)
    cell = next(c for c in mistaken.cells if c.metadata.get("nbgrader", {}).get("grade_id") == NAME)
    assert cell.source == f"def {NAME}(x):\n    return x ** 2"


def test_solved_full_blank_zero_mistake_zero_with_its_hint(toy):
    rows = toy["rows"]
    assert {s: (float(r["score"]), float(r["max_score"])) for s, r in rows.items()} == {
        "solved": (1.0, 1.0), "blank": (0.0, 1.0), "mistake_squared": (0.0, 1.0)}
    shown = verdict(toy["root"] / "course", "mistake_squared", A, NAME)
    assert "возведено во вторую степень" in shown, shown
