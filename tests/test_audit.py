"""The grader mutation audit (autograde.audit): the mutator's operators, the runner, and the
audit itself — every graded exercise's hidden checks catch >= 95 % of the non-equivalent mutants
and every survivor is reviewed in autograde/audit_survivors.toml."""
from __future__ import annotations

import ast
import time

import numpy as np
import pytest

from conftest import AUDIT_REPORTS

from autograde import hidden
from autograde.audit import BAR, audit, reviewed
from autograde.audit.mutate import MAY_BE_IDENTITY, mutants, solution_lines
from autograde.audit.notebook import in_child
from autograde.audit.run import graded_exercises, same_outputs


def changes(source: str) -> dict[str, set[str]]:
    """{operator (without '#n'): {normalised mutated line}} of every mutant of ``source``."""
    out: dict[str, set[str]] = {}
    for m in mutants(source):
        out.setdefault(m.op.split(" #")[0], set()).add(m.after)
    return out


# --- the operators, one tiny function each -------------------------------------------------------

@pytest.mark.parametrize("source,op,expected", [
    ("def f(a, b):\n    return a + b", "binop Add->Sub", "return (a - b)"),
    ("def f(a, b):\n    return a - b", "binop Sub->Add", "return (a + b)"),
    ("def f(a, b):\n    return a * b", "binop Mult->Div", "return (a / b)"),
    ("def f(a, b):\n    return a / b", "binop Div->Mult", "return (a * b)"),
    ("def f(a):\n    return a ** 2", "binop Pow->Mult", "return (a * 2)"),
    ("def f(a, b):\n    return a + b", "drop_term Add right", "return a"),
    ("def f(a, b):\n    return a + b", "drop_term Add left", "return b"),
    ("def f(a, M):\n    return a / M", "drop_term Div right", "return a"),
    ("def f(a, b):\n    return a - b", "drop_term Sub left", "return (-b)"),
    ("def f(g, x):\n    g += x\n    return g", "augassign_to_assign", "g = x"),
    ("def f(g, x):\n    g += x\n    return g", "augassign Add->Sub", "g -= x"),
    ("def f(x):\n    return x + 0", "constant", "return x + 1"),
    ("def f(x):\n    return x * 1", "constant", "return x * 0"),
    ("def f(x):\n    return x * 2", "constant", "return x * 1"),
    ("def f(x):\n    return x * 2", "constant", "return x * 3"),
    ("def f(x):\n    return x * 2", "constant", "return x * (-2)"),
    ("def f(x):\n    return x * 0.5", "constant", "return x * 1.0"),
    ("def f(x):\n    return x.sum(axis=0)", "axis 0->1", "return x.sum(axis=1)"),
    ("def f(x):\n    return x.sum(axis=1)", "axis 1->0", "return x.sum(axis=0)"),
    ("def f(x):\n    return np.sum(x, axis=1, keepdims=True)", "drop_keepdims", "return np.sum(x, axis=1)"),
    ("def f(x):\n    return np.sum(x, axis=1)", "drop_axis", "return np.sum(x)"),
    ("def f(W, x):\n    return W.T @ x", "drop_transpose", "return W @ x"),
    ("def f(W, x):\n    return W @ x", "swap_matmul", "return (x @ W)"),
    ("def f(W, x):\n    return W @ x", "insert_transpose", "return (W.T @ x)"),
    ("def f(W, x):\n    return W @ x", "insert_transpose", "return (W @ x.T)"),
    ("def f(a, b):\n    return np.maximum(a, b)", "swap_arguments", "return np.maximum(b, a)"),
    ("def f(a):\n    return a > 0", "compare Gt->GtE", "return (a >= 0)"),
    ("def f(a):\n    return a > 0", "compare Gt->Lt", "return (a < 0)"),
    ("def f(a):\n    return -a", "drop_unary_minus", "return a"),
    ("def f(a):\n    y = a * 2\n    return y", "insert_unary_minus", "y = -(a * 2)"),
    ("def f(a):\n    return a * 2", "float32", "return np.asarray(a * 2, dtype=np.float32)"),
    ("def f(a):\n    return np.max(a)", "rename max->min", "return np.min(a)"),
    ("def f(a):\n    return np.sum(a)", "rename sum->mean", "return np.mean(a)"),
    ("def f(a):\n    return a.max(axis=1)", "rename max->min", "return a.min(axis=1)"),
    ("def f(a):\n    return a[:, 0]", "index_off_by_one", "return a[:, 1]"),
    ("def f(a, j):\n    return a[:j]", "index_off_by_one", "return a[:j - 1]"),
    ("def f(a):\n    return [i for i in range(1, a)]", "range", "return [i for i in range(1, a - 1)]"),
    ("def f(a):\n    return [i for i in range(1, a)]", "range", "return [i for i in range(1 + 1, a)]"),
    ("def f(a):\n    return [i for i in reversed(a)]", "drop_reversed", "return [i for i in a]"),
    ("def f(a):\n    return abs(a)", "drop_call abs", "return a"),
    ("def f(g):\n    g.x = 0\n    return g", "drop_statement", "pass"),
    ("def f(self, other):\n    self.grad += other.data", "swap_name", "other.grad += other.data"),
])
def test_each_operator_produces_its_mutant(source, op, expected):
    got = changes(source)
    assert op in got, f"{op} not produced; got {sorted(got)}"
    assert expected in got[op]
    for m in mutants(source):     # every mutant is valid Python, and not the original
        ast.parse(m.code)
        assert m.code != source


def test_only_the_solution_region_is_mutated_and_mutants_are_distinct():
    source = ("def f(a, b):\n    c = a + 1\n    ### BEGIN SOLUTION\n    d = c * b\n    ### END SOLUTION\n"
              "    return d - 2\n")
    assert solution_lines(source) == (4, 4)
    ms = mutants(source)
    assert ms
    for m in ms:
        before, after = source.splitlines(), m.code.splitlines()
        assert [ln for i, ln in enumerate(before) if i != 3] == [ln for i, ln in enumerate(after) if i != 3], m.key
    normal = [ast.unparse(ast.parse(m.code)) for m in ms]
    assert len(set(normal)) == len(normal)
    assert ast.unparse(ast.parse(source)) not in normal
    assert len({m.key for m in ms}) == len(ms)


def test_non_ascii_text_on_a_mutated_line_keeps_the_splice_right():
    source = 'def f(a):\n    s = "ошибка"; return a + 1\n'
    assert "s = \"ошибка\"; return (a - 1)" in changes(source)["binop Add->Sub"]


# --- a toy exercise: its mutants are caught by a toy check ----------------------------------------

TOY = """def toy(x, w):
    ### BEGIN SOLUTION
    y = np.maximum(0.0, x * w - 1.0)
    return np.sum(y ** 2, axis=1)
    ### END SOLUTION
"""


def toy_check(fn) -> bool:
    """True when ``fn`` agrees with the toy reference on inputs that exercise every part of it."""
    rng = np.random.default_rng(0)
    ref = lambda x, w: np.sum(np.maximum(0.0, x * w - 1.0) ** 2, axis=1)
    for shape in [(3, 4), (2, 5)]:
        x, w = rng.normal(scale=2, size=shape), rng.normal(scale=2, size=shape)
        try:
            got = np.asarray(fn(x, w))
        except Exception:  # noqa: BLE001
            return False
        exp = ref(x, w)
        if got.shape != exp.shape or got.dtype != np.float64 or not np.allclose(got, exp, rtol=1e-12, atol=0):
            return False
    return True


def test_the_toy_checks_catch_every_mutant_of_the_toy_but_the_equivalent_one():
    ns = {"np": np}
    exec(TOY, ns)
    assert toy_check(ns["toy"])
    survivors = []
    with np.errstate(all="ignore"):
        for m in mutants(TOY):
            ns = {"np": np}
            exec(m.code, ns)
            if toy_check(ns["toy"]):
                survivors.append(m.key)
    assert len(mutants(TOY)) > 20
    # the two mutants equivalent by construction: max(0, v) == max(v, 0), and (-y)**2 == y**2
    assert sorted(survivors) == [
        "insert_unary_minus | y = np.maximum(0.0, x * w - 1.0) => y = -np.maximum(0.0, x * w - 1.0)",
        "swap_arguments | y = np.maximum(0.0, x * w - 1.0) => y = np.maximum(x * w - 1.0, 0.0)"]
    assert {"swap_arguments", "insert_unary_minus"} <= MAY_BE_IDENTITY


# --- the runner ---------------------------------------------------------------------------------

def _loop():
    while True:
        try:
            pass
        except BaseException:  # noqa: BLE001
            pass


def test_a_child_that_hangs_is_killed_and_reported():
    start = time.monotonic()
    assert in_child(_loop, timeout=1.0) == ("timeout", None)
    assert time.monotonic() - start < 5
    assert in_child(lambda: 6 * 7) == ("ok", 42)
    status, text = in_child(lambda: 1 / 0)
    assert status == "error" and "ZeroDivisionError" in text


def test_same_outputs_compares_shapes_values_and_exceptions():
    one = {"results": [{"type": "ndarray", "shape": [2], "value": [1.0, 2.0], "mutated": []}]}
    close = {"results": [{"type": "ndarray", "shape": [2], "value": [1.0, 2.0 + 1e-14], "mutated": []}]}
    far = {"results": [{"type": "ndarray", "shape": [2], "value": [1.0, 2.0 + 1e-9], "mutated": []}]}
    flat = {"results": [{"type": "ndarray", "shape": [1, 2], "value": [[1.0, 2.0]], "mutated": []}]}
    raised = {"results": [{"raised": "ValueError", "message": ""}]}
    assert same_outputs(one, close)
    assert not same_outputs(one, far)
    assert not same_outputs(one, flat)
    assert not same_outputs(one, raised) and same_outputs(raised, raised)
    assert not same_outputs(one, None)


def test_the_reviewed_survivors_file_names_real_exercises_and_gives_reasons():
    registry = {(a, e) for a, e in graded_exercises()}
    for (a, e), entries in reviewed().items():
        assert (a, e) in registry, f"{a}/{e}: not a graded exercise"
        for key, why in entries.items():
            assert " | " in key and " => " in key, key
            assert len(why) > 20, f"{key}: the reason is too short to be a review"


# --- the audit ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(pytestconfig):
    done = audit(jobs=2)
    pytestconfig.stash[AUDIT_REPORTS] = done    # conftest prints the table at the end of the run
    return {(r.assignment, r.exercise): r for r in done}


EXERCISES = graded_exercises()


def test_every_graded_exercise_of_the_registry_is_audited(reports):
    assert set(EXERCISES) == set(reports)
    assert {a for a, _ in EXERCISES} == set(hidden.assignments())


@pytest.mark.parametrize("assignment,exercise", EXERCISES, ids=[f"{a[:2]}-{e}" for a, e in EXERCISES])
def test_hidden_checks_catch_the_mutants(reports, assignment, exercise):
    r = reports[(assignment, exercise)]
    assert not r.error, r.error
    assert r.total >= 3, "too few mutants: is the solution region empty?"   # a two-line loop (08's zero_grad) has 3
    problems = [f"not reviewed (a hole, or an equivalent to review): {o.mutant.key}" for o in r.unreviewed]
    problems += [f"uneven ({o.detail}): {o.mutant.key}" for o in r.uneven]
    assert not problems, "\n".join(problems)
    assert r.hidden_share >= BAR, f"hidden checks catch {r.hidden_share:.1f} % < {BAR} %"


@pytest.mark.parametrize("assignment,exercise", EXERCISES, ids=[f"{a[:2]}-{e}" for a, e in EXERCISES])
def test_no_stale_reviewed_survivor(reports, assignment, exercise):
    """An entry whose mutant no longer survives must go: the list stays a list of survivors."""
    assert not reports[(assignment, exercise)].stale

