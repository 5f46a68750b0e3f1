"""Source -> release: up to date, no secrets in the student notebooks, and they execute.

The source notebook must run top to bottom with the solutions; the released one must run
with every visible check failing cleanly (NotImplementedError, never a crash of the check).
"""
import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograde import release
from autograde.source import SourceError, assignments, read_source, source_path

ASSIGNMENTS = assignments()


def execute(nb, tmp_path):
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def errors(nb):
    return {c.id: o for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"}


def stderr_cells(nb):
    return [c.id for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]


def test_there_are_assignments():
    assert "00_intro" in ASSIGNMENTS


def test_release_is_up_to_date_with_source():
    """`bpcourse release --check`: the committed notebooks/ and samples/ are what source/ gives."""
    stale = release.release(check=True)
    assert stale == [], f"run `bpcourse release`: stale {stale}"


def test_release_check_names_a_stale_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(release, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(release, "CLASS_DIR", tmp_path / "class")
    assert tmp_path / "notebooks" / "00_intro" / "00_intro.ipynb" in release.release(["00_intro"], check=True)
    written = release.release(["00_intro"])
    assert release.release(["00_intro"], check=True) == []
    path = tmp_path / "notebooks" / "00_intro" / "00_intro.ipynb"
    path.write_text(path.read_text().replace("Как устроен курс", "Как устроен курс!"))
    assert release.release(["00_intro"], check=True) == [path]
    assert path in written


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_student_notebook_has_no_solution_hidden_test_or_text_format(a, repo):
    text = (repo / "notebooks" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    for secret in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "HIDDEN TESTS", "import record",
                   "record(", "jupytext", '"outputs": [\n     {']:
        assert secret not in text, secret
    nb = nbformat.read(repo / "notebooks" / a / f"{a}.ipynb", as_version=4)
    source = read_source(a)
    prose = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")  # hints shown on purpose
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            body = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)
            for line in body.splitlines():
                if len(line.strip()) > 12 and line.strip() not in prose:
                    assert line.strip() not in text, f"solution line leaked: {line.strip()}"
    assert all("nbgrader" in c.metadata for c in nb.cells if c.get("id", "").startswith("check_"))


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_source_runs_top_to_bottom_with_the_solutions(a, tmp_path):
    nb = execute(read_source(a), tmp_path)
    assert errors(nb) == {}, {k: v.evalue for k, v in errors(nb).items()}
    assert stderr_cells(nb) == []  # nbgrader scores a test cell with stderr as failed
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "display_data"]
    assert any("image/png" in o.data for o in shown), "the notebook should draw at least one picture"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_released_notebook_fails_every_check_cleanly(a, repo, tmp_path):
    nb = execute(nbformat.read(repo / "notebooks" / a / f"{a}.ipynb", as_version=4), tmp_path)
    graded = [c.id for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    errs = errors(nb)
    assert sorted(errs) == sorted(graded)
    assert {o.ename for o in errs.values()} == {"NotImplementedError"}


def test_malformed_source_is_reported(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "x.py").write_text('# %% nbgrader={"grade": true, "grade_id": "c"}\nassert True\n')
    with pytest.raises(SourceError, match="has no points"):
        read_source("x", tmp_path)
    (tmp_path / "x" / "x.py").write_text('# %% nbgrader={"solution": true}\npass\n')
    with pytest.raises(SourceError, match="defines no function or class"):
        read_source("x", tmp_path)
    (tmp_path / "x" / "x.py").write_text('# %% nbgrader={"locked": true}\nx = 1\n')
    with pytest.raises(SourceError, match="without grade_id"):
        read_source("x", tmp_path)
    with pytest.raises(SourceError, match="does not exist"):
        read_source("nope", tmp_path)
    assert source_path("x", tmp_path).name == "x.py"
