"""Text sources to nbgrader notebooks.

A source assignment is ``source/<assignment>/<assignment>.py``: a jupytext percent script
whose cell headers carry nbgrader metadata in short form::

    # %% nbgrader={"grade_id": "rel_error", "solution": true}
    # %% nbgrader={"grade_id": "check_rel_error", "grade": true, "points": 1}

The missing keys get nbgrader's defaults here, cell ids are made stable (the grade id, or
the cell's position), and jupytext's own metadata is dropped, so that nothing of the text
format reaches the release.
"""
from __future__ import annotations

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


def read_source(assignment: str, source_dir: Path = SOURCE_DIR) -> nbformat.NotebookNode:
    """The instructor notebook of ``assignment`` (solutions and hidden tests included)."""
    path = source_path(assignment, source_dir)
    if not path.is_file():
        raise SourceError(f"no source for assignment {assignment!r}: {path} does not exist")
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata = nbformat.NotebookNode(
        kernelspec=KERNELSPEC, language_info={"name": "python"})
    seen = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        cell.metadata = nbformat.NotebookNode()
        if meta is not None:
            if "grade_id" not in meta:
                raise SourceError(f"{path}: cell {index} has nbgrader metadata without grade_id")
            full = dict(NBGRADER_DEFAULTS, **meta)
            if full["grade"] and not full["solution"]:
                full.setdefault("locked", True)
                full["locked"] = True  # a test cell is always read-only
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
