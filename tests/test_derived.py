"""What is derived instead of written twice, checked against where it comes from.

- grade ids (autograde/source.py): a solution cell's from the function or class it defines, a
  test cell's from the solution cell before it;
- the hidden region of each graded test cell (autograde.hidden.hidden_region), never by hand;
- which exercises an assignment grades, in notebook order (autograde.hidden.exercises);
- each mistake's student form and grader form from one function (autograde.hidden.exercise):
  the student form uses only names its notebook has, so the same code runs on both sides
  (tests/test_notebooks_e2e.py then grades every student form for real and requires the
  grader form's hint).
"""
from __future__ import annotations

import ast
import builtins
import symtable

import pytest

from autograde import hidden
from autograde.source import SourceError, read_source, solution_ids

ASSIGNMENTS = hidden.assignments()


def write(tmp_path, text, name="x_demo"):
    (tmp_path / name).mkdir()
    (tmp_path / name / f"{name}.py").write_text(text, encoding="utf-8")
    return name


def free_names(code: str) -> set[str]:
    """Names a cell reads that it does not bind itself (at any level)."""
    out: set[str] = set()

    def walk(table, bound):
        own = bound | {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
                       or s.is_parameter() or s.is_namespace()}
        for s in table.get_symbols():
            if s.is_referenced() and s.get_name() not in own and (s.is_global() or s.is_free()
                                                                   or table.get_type() == "module"):
                out.add(s.get_name())
        for child in table.get_children():
            walk(child, own)

    top = symtable.symtable(code, "<cell>", "exec")
    walk(top, set())
    module_bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    return out - module_bound - set(dir(builtins))


def notebook_names(assignment: str, before: str) -> set[str]:
    """Names bound at the top level of the source notebook's code cells before cell ``before``."""
    names: set[str] = set()
    for cell in read_source(assignment).cells:
        if cell.get("id") == before:
            break
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


MISTAKES = [(a, ex, m) for a in ASSIGNMENTS for ex in hidden.exercises(a) for m in ex.mistakes]


@pytest.mark.parametrize("a,ex,m", MISTAKES, ids=[f"{a[:2]}-{ex.name}-{m.name}" for a, ex, m in MISTAKES])
def test_a_mistake_uses_only_names_its_notebook_has(a, ex, m):
    missing = free_names(m.code) - notebook_names(a, ex.name)
    assert not missing, f"{ex.name}.{m.name} uses {sorted(missing)}, which notebook {a} does not define before it"


@pytest.mark.parametrize("ex", list(hidden.catalog().values()), ids=lambda ex: ex.name)
def test_a_mistake_is_the_exercise_renamed(ex):
    for m in ex.mistakes:
        tree = ast.parse(m.code)
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert defined and (defined[0] == ex.name or ex.recorded), (ex.name, m.name, defined)
        assert m.hint and m.hint not in m.code, "the hint is the grader's: it must not reach the student's code"
        assert m.fn is not ex.reference


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_every_graded_test_cell_carries_exactly_its_derived_region(a):
    nb = read_source(a)
    by_id = {c.get("id"): c for c in nb.cells}
    for ex in hidden.exercises(a):
        cell = by_id[ex.test_cell_id]
        assert cell.source.count(hidden.hidden_region(ex)) == 1, ex.name
        assert cell.source.count("BEGIN HIDDEN TESTS") == 1
    others = [c for c in nb.cells if c.get("id") not in {ex.test_cell_id for ex in hidden.exercises(a)}]
    assert not any("BEGIN HIDDEN TESTS" in c.source for c in others)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_exercises_follow_the_notebook(a):
    """An assignment grades its solution cells that name an exercise, in notebook order, each
    followed by its test cell."""
    names = [ex.name for ex in hidden.exercises(a)]
    assert names == [n for n in solution_ids(a) if n in hidden.catalog()]
    ids = [c.get("id") for c in read_source(a).cells if "nbgrader" in c.metadata]
    for name in names:
        assert ids[ids.index(name) + 1] == f"check_{name}", name


def test_grade_ids_are_derived_from_the_cells(tmp_path):
    a = write(tmp_path, '# %% nbgrader={"solution": true}\ndef foo(x):\n    return x\n\n'
                        '# %% nbgrader={"grade": true, "points": 1}\nassert foo(1) == 1\n\n'
                        '# %% nbgrader={"grade_id": "bar", "solution": true}\ndef _bar():\n    pass\n\n'
                        '# %% nbgrader={"grade": true, "points": 2}\nassert True\n')
    nb = read_source(a, tmp_path)
    assert [c.get("id") for c in nb.cells] == ["foo", "check_foo", "bar", "check_bar"]
    assert solution_ids(a, tmp_path) == ["foo", "bar"]


@pytest.mark.parametrize("text,message", [
    ('# %% nbgrader={"grade": true, "points": 1}\nassert True\n', "no solution cell before it"),
    ('# %% nbgrader={"solution": true}\nx = 1\n', "defines no function or class"),
    ('# %% nbgrader={"solution": true}\ndef softmax(Z):\n    return Z\n\n'
     '# %% nbgrader={"grade": true, "points": 1}\n### BEGIN HIDDEN TESTS\nrecord("softmax", softmax)\n'
     '### END HIDDEN TESTS\n', "hand-written hidden region"),
])
def test_what_cannot_be_derived_is_an_error(tmp_path, text, message):
    a = write(tmp_path, text)
    with pytest.raises(SourceError, match=message):
        read_source(a, tmp_path)


def test_the_region_goes_after_the_first_line_and_records_the_exercise(tmp_path):
    a = write(tmp_path, '# %% nbgrader={"solution": true}\ndef softmax(Z):\n    return Z\n\n'
                        '# %% nbgrader={"grade": true, "points": 1}\n"""Проверка."""\ncheck(softmax)\n')
    cell = read_source(a, tmp_path).cells[1]
    lines = cell.source.splitlines()
    assert lines[0] == '"""Проверка."""' and lines[-1] == "check(softmax)"
    assert 'record("softmax", softmax)' in lines


def test_every_assignment_with_a_source_and_an_exercise_is_graded():
    """The end-to-end tests grade hidden.assignments(): nothing to add to a list by hand."""
    from autograde.source import assignments

    graded = set(ASSIGNMENTS)
    assert graded and graded <= set(assignments())
    for a in set(assignments()) - graded:
        assert not any(n in hidden.catalog() for n in solution_ids(a)), a
