"""Text sources to nbgrader notebooks.

A source assignment is ``source/<assignment>/<assignment>.py``: a jupytext percent script
whose cell headers carry nbgrader metadata in short form::

    # %% nbgrader={"solution": true}
    def rel_error(a, b):
        ...
    # %% nbgrader={"grade": true, "points": 1}
    checks.check_rel_error(rel_error)

What an author would otherwise repeat is derived here:

- a solution cell's grade id is the name of the first function or class it defines (give
  ``"grade_id"`` only when it should differ, e.g. ``"mul"`` for a cell defining ``_mul``);
- a test cell's grade id is ``check_<id of the solution cell before it>``;
- the test cell of a graded exercise (one with a hidden spec, :mod:`autograde.hidden`) gets
  its hidden region (:func:`autograde.hidden.hidden_region`) after its first line. Writing it
  by hand is an error: there is one place it comes from.

The missing keys get nbgrader's defaults, cell ids are made stable (the grade id, or the
cell's position), and jupytext's own metadata is dropped, so that nothing of the text format
reaches the release.
"""
from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO / "source"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NBGRADER_DEFAULTS = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3}


class SourceError(ValueError):
    """A source assignment is malformed (the message names the file and the cell)."""


def assignments(source_dir: Path = SOURCE_DIR) -> list[str]:
    """Names of the source assignments: folders ``<name>/`` holding ``<name>.py``."""
    return sorted(p.name for p in source_dir.iterdir() if (p / f"{p.name}.py").is_file())


def source_path(assignment: str, source_dir: Path = SOURCE_DIR) -> Path:
    return source_dir / assignment / f"{assignment}.py"


def _defined_name(source: str) -> str | None:
    """The name of the first function or class a cell defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return next((n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))), None)


def _parse(assignment: str, source_dir: Path) -> tuple[Path, nbformat.NotebookNode]:
    path = source_path(assignment, source_dir)
    if not path.is_file():
        raise SourceError(f"no source for assignment {assignment!r}: {path} does not exist")
    nb = jupytext.read(path, fmt="py:percent")
    solution = None          # the id of the last solution cell, until its test cell is found
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if meta.get("solution") and not meta.get("grade"):
            if "grade_id" not in meta:
                meta["grade_id"] = _defined_name(cell.source)
                if meta["grade_id"] is None:
                    raise SourceError(f"{path}: solution cell {index} defines no function or class; "
                                      "give it a grade_id")
            solution = meta["grade_id"]
        elif meta.get("grade") and not meta.get("solution") and "grade_id" not in meta:
            if solution is None:
                raise SourceError(f"{path}: test cell {index} has no solution cell before it; give it a grade_id")
            meta["grade_id"] = f"check_{solution}"
            solution = None
        elif "grade_id" not in meta:
            raise SourceError(f"{path}: cell {index} has nbgrader metadata without grade_id")
    return path, nb


def solution_ids(assignment: str, source_dir: Path = SOURCE_DIR) -> list[str]:
    """Grade ids of the solution cells of a source assignment, in notebook order."""
    _, nb = _parse(assignment, source_dir)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def _with_hidden_region(path: Path, cell, grade_id: str, region: str) -> str:
    if "BEGIN HIDDEN TESTS" in cell.source:
        raise SourceError(f"{path}: test cell {grade_id!r} has a hand-written "
                          "hidden region; it is derived from the exercise's hidden spec: remove it")
    lines = cell.source.splitlines()
    try:
        first = ast.parse(cell.source).body[0]
        split = first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) else 0
    except (SyntaxError, IndexError):
        split = 0
    return "\n".join(lines[:split] + [region] + lines[split:])


def read_source(assignment: str, source_dir: Path = SOURCE_DIR) -> nbformat.NotebookNode:
    """The instructor notebook of ``assignment`` (solutions and hidden tests included)."""
    from autograde import hidden

    path, nb = _parse(assignment, source_dir)
    nb.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC, language_info={"name": "python"})
    graded = {ex.test_cell_id: ex for ex in hidden.catalog().values()}
    seen = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        cell.metadata = nbformat.NotebookNode()
        if meta is not None:
            full = dict(NBGRADER_DEFAULTS, **meta)
            if full["grade"] and not full["solution"]:
                full["locked"] = True  # a test cell is always read-only
                if meta["grade_id"] in graded:
                    cell.source = _with_hidden_region(path, cell, meta["grade_id"], hidden.hidden_region(graded[meta["grade_id"]]))
            if full["grade"] and "points" not in full:
                raise SourceError(f"{path}: grade cell {meta['grade_id']!r} has no points")
            cell.metadata["nbgrader"] = full
            cell_id = meta["grade_id"]
        else:
            cell_id = f"cell-{index:03d}"
        if cell_id in seen:
            raise SourceError(f"{path}: duplicate grade_id {cell_id!r}")
        seen.add(cell_id)
        cell["id"] = cell_id
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    return nb


def grade_ids(nb: nbformat.NotebookNode, *, graded: bool) -> list[str]:
    """Grade ids of the graded (test) cells, or of the solution cells, in notebook order."""
    key = "grade" if graded else "solution"
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get(key)]
