"""``source/`` to ``notebooks/`` (what students get) and ``samples/class`` (the demo class).

The release is nbgrader's own ``generate_assignment`` run in a throw-away course directory
on the notebook built from the text source (:mod:`autograde.source`); its output is written
with outputs cleared and keys sorted, so that ``release --check`` can compare byte for byte.

The sample class has, for every assignment, a student ``solved`` (the source's solutions put
into the released notebook), ``blank`` (the notebook as released) and ``mistake_<name>`` (one
typical mistake: the ``demo`` mistake of an exercise's hidden spec, :mod:`autograde.hidden`).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat

from autograde import course, hidden
from autograde.source import REPO, assignments as source_assignments, read_source

NOTEBOOKS_DIR = REPO / "notebooks"
SAMPLES_DIR = REPO / "samples"
CLASS_DIR = SAMPLES_DIR / "class"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def generate(assignments: list[str], root: Path) -> dict[str, nbformat.NotebookNode]:
    """Run nbgrader's generate_assignment for ``assignments`` in the course at ``root``.

    Writes ``root/source/<a>/<a>.ipynb`` from the text source first. Returns the released
    notebooks. Raises :class:`autograde.course.NbGraderError` if nbgrader fails.
    """
    root = Path(root)
    for a in assignments:
        target = root / "source" / a / f"{a}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(read_source(a), target)
    nb_api = course.api(root)
    released = {}
    for a in assignments:
        course.check(nb_api.generate_assignment(a, force=True, create=True), f"generate_assignment {a}")
        released[a] = nbformat.read(root / "release" / a / f"{a}.ipynb", as_version=4)
    return released


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs cleared, notebook metadata reduced to the kernel: a stable student file."""
    nb = nbformat.from_dict(nb)
    nb.metadata = nbformat.NotebookNode(
        {k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def fill(released: nbformat.NotebookNode, code: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with the solution cells named in ``code`` replaced."""
    nb = nbformat.from_dict(released)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in code and cell.metadata["nbgrader"].get("solution"):
            cell.source = code[grade_id]
    return nb


def solution_code(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Solution cells of the source notebook, with the solution markers removed."""
    out = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in SOLUTION_MARKERS]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def planned(assignments: list[str] | None = None) -> dict[Path, str]:
    """Every file the release writes, with its exact text."""
    assignments = assignments or source_assignments()
    files: dict[Path, str] = {}
    with tempfile.TemporaryDirectory(prefix="bpcourse-release-") as tmp:
        released = generate(assignments, Path(tmp))
    for a, nb in released.items():
        student = clean(nb)
        files[NOTEBOOKS_DIR / a / f"{a}.ipynb"] = nbformat.writes(student) + "\n"
        samples = {"blank": student, "solved": fill(student, solution_code(read_source(a)))}
        for student_id, code in hidden.demo_students(a).items():
            samples[student_id] = fill(samples["solved"], code)
        for student_id, nb_s in samples.items():
            files[CLASS_DIR / student_id / a / f"{a}.ipynb"] = nbformat.writes(nb_s) + "\n"
    return files


def release(assignments: list[str] | None = None, *, check: bool = False) -> list[Path]:
    """Write the student notebooks and the sample class; with ``check``, only compare.

    Returns the files that were stale (with ``check``) or written (without).
    """
    changed = []
    for path, text in planned(assignments).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed
