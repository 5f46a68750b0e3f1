"""Issue 21: the probes of notebooks 02, 07 and 08 run in the student's kernel, so nothing they
compute there may decide a grade.

* the kernel records raw evidence and the grader reads it outside (``autograde.verify.EVIDENCE``):
  backward()'s traversal log, what each recorder saw and the final grads (a forged record that
  passes must be a correct traversal); each operation's contribution, within a tolerance that a
  finite difference of the forward pass misses and every analytic idiom meets;
* how much ``bpcourse.nn`` worked inside a student's 07 layer method or 08 SGD method is
  recorded, and a method that handed its work to the course's library gets nothing;
* a notebook whose own text names the grading machinery is scored 0 as tampered
  (``autograde.verify.tampering``, read from the notebook in the grader's process).

In-process tests run the probes and ``verify`` directly; the ``e2e`` tests grade one class with
the real ``bpcourse grade`` (real nbgrader, sandboxed kernels): the issue's attack on 02 (no
engine code, the probes replaced, backward()'s record forged, every operation differentiated
numerically), the same attack written plainly, a ``_backward`` that differentiates numerically,
07 layers and an 08 SGD that wrap ``bpcourse.nn``, and honest code in several idioms.
"""
from __future__ import annotations

import csv
import inspect
import json
import math
import runpy
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograde import hidden, verify
from autograde.hidden import engine as engine_spec
from autograde.release import CLASS_DIR, fill
from bpcourse import engine_probe, nn
from bpcourse.cases import decode, encode, encode_output
from classes import put, verdict

CATALOG = hidden.catalog()
INDEPENDENT = Path(__file__).resolve().parent / "independent"
STUDENTS = [f"student-{k}" for k in range(40)]
A02, A07, A08 = "02_reverse_mode", "07_minibatch", "08_training"


def _cases(name, student):
    ex = CATALOG[name]
    return ex.cases(np.random.default_rng(hidden.seed_for("secret", student, "any", name)))


def _recording(cases, fn):
    """What a hidden region writes: fn on each (encoded, decoded) case, encoded."""
    results = []
    for case in cases:
        kwargs = {k: decode(encode(v)) for k, v in case.items()}
        try:
            results.append(encode_output(fn(**kwargs)))
        except Exception as e:  # noqa: BLE001
            results.append({"raised": type(e).__name__, "message": str(e)})
    return json.loads(json.dumps({"results": results}))


def _verdict(name, fn, student="s1"):
    cases = _cases(name, student)
    return verify.verify(CATALOG[name], cases, _recording(cases, fn))


def _patched(module, code: str, recorded: str):
    """The hidden-check function of a student's solution cell ``code``, run on fresh subclasses of
    the reference module's classes (as the mistake bank does)."""
    ns = dict(vars(module))
    ns.update({k: type(v.__name__, (v,), {"__module__": v.__module__}) for k, v in vars(module).items()
               if inspect.isclass(v) and v.__module__ == module.__name__})
    from bpcourse import layer_probe, train_probe
    ns.update(math=math, np=np, nn=nn, engine_probe=engine_probe, layer_probe=layer_probe, train_probe=train_probe)
    exec(compile(code, "<student>", "exec"), ns)  # noqa: S102 - the tests' own code
    return eval(recorded, ns)  # noqa: S307


# --- 02: backward()'s record is raw evidence, read outside --------------------------------------

def _edges(graph):
    return sum(len(c) for c in engine_probe.parse_graph(graph))


def test_the_old_forged_summary_is_not_a_record():
    """The issue's forged record ``[edges, 1, 1, 1, 1, 1]`` no longer passes."""
    def forged(graph, data, grads, weights):
        return tuple(np.array([v]) for v in [_edges(graph), 1.0, 1.0, 1.0, 1.0, 1.0])
    v = _verdict("backward", forged)
    assert not v.passed


def _forged_evidence(true_gradients: bool):
    """A record in today's format with a valid order, every node once, the output first and
    seeded, and final grads that are the sum of what the forged ``seen`` values send. With
    ``true_gradients`` the seen values are the real gradients (the forger computed backprop)."""
    def forged(graph, data, grads, weights):
        children = engine_probe.parse_graph(graph)
        n = len(children)
        order = [i for i in reversed(range(n)) if children[i]]      # index order is topological
        start = np.cumsum([0] + [len(c) for c in children])
        grad, received = [0.0] * n, [0.0] * n
        grad[n - 1] = 1.0
        seen = []
        for u in order:
            g = grad[u] if true_gradients else (1.0 if u == n - 1 else 0.0)
            seen.append(g)
            for j, w in zip(children[u], np.asarray(weights)[start[u]:start[u + 1]]):
                grad[j] += float(w) * g
                received[j] += float(w) * g
        final = [1.0 if i == n - 1 else received[i] for i in range(n)]
        return (np.array([float(_edges(graph))]), np.array([float(len(order))]), np.array(order, dtype=float),
                np.array(seen), np.array(final))
    return forged


def test_a_forged_traversal_passes_only_if_it_carries_every_true_gradient():
    assert not _verdict("backward", _forged_evidence(true_gradients=False)).passed
    assert _verdict("backward", _forged_evidence(true_gradients=True)).passed


def test_facts_of_garbage_evidence_are_false():
    graph = engine_spec.GRAPHS[0]
    weights = np.ones(_edges(graph))
    for evidence in ([np.array([16.0])] * 5, [np.array([16.0]), np.array([2.0]), np.array([9.5, 8.0]),
                                              np.array([1.0, 1.0]), np.zeros(10)]):
        assert engine_probe.facts(graph, weights, evidence)[1:] == [0.0] * 5


# --- 02: an operation differentiated numerically fails, every analytic idiom passes -------------

def _numerical_cell(op: str, derivative: str) -> str:
    """The solution cell of ``op`` whose _backward differentiates the forward with ``derivative``
    (an expression of f and x)."""
    forward = {"exp": "math.exp", "log": "math.log", "sigmoid": "(lambda t: 1.0 / (1.0 + math.exp(-t)))"}[op]
    return (f"def _{op}(self):\n    out = Value({forward}(self.data), (self,), '{op}')\n\n"
            f"    def _backward():\n        f, x = {forward}, self.data\n"
            f"        self.grad += ({derivative}) * out.grad\n"
            f"    out._backward = _backward\n    return out\n\n\nValue.{op} = _{op}")


CENTRAL = "(f(x + 1e-5) - f(x - 1e-5)) / 2e-5"
RICHARDSON = "(4 * (f(x + 5e-4) - f(x - 5e-4)) / 1e-3 - (f(x + 1e-3) - f(x - 1e-3)) / 2e-3) / 3"


@pytest.mark.parametrize("op", ["exp", "log", "sigmoid"])
@pytest.mark.parametrize("derivative", [CENTRAL, RICHARDSON], ids=["central", "richardson"])
def test_a_numerical_derivative_of_the_forward_fails_for_every_student(op, derivative):
    probe = _patched(__import__("solutions.engine", fromlist=["x"]), _numerical_cell(op, derivative),
                     f'engine_probe.operation(Value, "{op}")')
    for student in STUDENTS:
        v = _verdict(op, probe, student)
        assert not v.passed, student
        assert engine_spec.NUMERICAL_HINT in v.message


def test_analytic_idioms_pass_for_every_student():
    correct = runpy.run_path(str(INDEPENDENT / "02_reverse_mode.py"))["CORRECT"]
    extra = {"sigmoid": ["s = out.data\n        self.grad += s * (1.0 - s) * out.grad",
                         "e = math.exp(self.data)\n        self.grad += e / (1.0 + e) ** 2 * out.grad",
                         "self.grad += 0.25 * (1.0 - math.tanh(self.data / 2) ** 2) * out.grad"],
             "pow": ["self.grad += k * self.data ** k / self.data * out.grad"],
             "log": ["self.grad += out.grad / self.data"]}
    import solutions.engine as engine_module
    for op in engine_probe.OPERATIONS:
        cells = list(correct[op])
        for body in extra.get(op, []):
            template = next(c for c in correct[op])
            head, rest = template.split("    def _backward():\n")
            cells.append(head + "    def _backward():\n        " + body + "\n" + rest[rest.index("    out._backward"):])
        for cell in cells:
            probe = _patched(engine_module, cell, f'engine_probe.operation(Value, "{op}")')
            for student in STUDENTS:
                v = _verdict(op, probe, student)
                assert v.passed, (op, cell, student, v.message)


# --- 07 and 08: a method that hands its work to bpcourse.nn -------------------------------------

WRAP_07 = {
    "linear_layer_forward": """from bpcourse import nn


def linear_layer_forward(self, X):
    lin = nn.Linear(*self.W.data.shape)
    lin.W.data, lin.b.data = self.W.data, self.b.data
    self.X = X
    return lin.forward(X)


Linear.forward = linear_layer_forward""",
    "linear_layer_backward": """from bpcourse import nn


def linear_layer_backward(self, dZ):
    lin = nn.Linear(*self.W.data.shape)
    lin.W.data, lin.b.data = self.W.data, self.b.data
    lin.forward(self.X)
    dX = lin.backward(dZ)
    self.W.grad += lin.W.grad
    self.b.grad += lin.b.grad
    return dX


Linear.backward = linear_layer_backward""",
    "sigmoid_layer_forward": """from bpcourse import nn


def sigmoid_layer_forward(self, Z):
    self.A = nn.Sigmoid().forward(Z)
    return self.A


Sigmoid.forward = sigmoid_layer_forward""",
    "sigmoid_layer_backward": """from bpcourse import nn


def sigmoid_layer_backward(self, dA):
    s = nn.Sigmoid()
    s.forward(self.Z)
    return s.backward(dA)


Sigmoid.backward = sigmoid_layer_backward""",
    "relu_layer_forward": """from bpcourse import nn


def relu_layer_forward(self, Z):
    self.Z = Z
    return nn.ReLU().forward(Z)


ReLU.forward = relu_layer_forward""",
    "relu_layer_backward": """from bpcourse import nn


def relu_layer_backward(self, dA):
    r = nn.ReLU()
    r.forward(self.Z)
    return r.backward(dA)


ReLU.backward = relu_layer_backward""",
    "mse_loss_forward": """from bpcourse import nn


def mse_loss_forward(self, Y, t):
    self.Y, self.t = Y, t
    return nn.MSELoss().forward(Y, t)


MSELoss.forward = mse_loss_forward""",
    "mse_loss_backward": """from bpcourse import nn


def mse_loss_backward(self):
    loss = nn.MSELoss()
    loss.forward(self.Y, self.t)
    return loss.backward()


MSELoss.backward = mse_loss_backward""",
}

WRAP_08 = {
    "sgd_step": """def sgd_step(self):
    nn.SGD(self.params, self.lr).step()


SGD.step = sgd_step""",
    "sgd_zero_grad": """def sgd_zero_grad(self):
    nn.SGD(self.params, self.lr).zero_grad()


SGD.zero_grad = sgd_zero_grad""",
}


def _recorded_expression(name):
    """The expression the hidden region of ``name`` records (as the mistake bank evaluates it)."""
    from autograde.hidden import hidden_region
    line = next(ln for ln in hidden_region(CATALOG[name]).splitlines() if ln.startswith("record("))
    return line[len(f'record("{name}", '):-1]


@pytest.mark.parametrize("name", sorted(WRAP_07) + sorted(WRAP_08))
def test_a_method_that_wraps_bpcourse_nn_gets_nothing(name):
    from solutions import layers, mlp
    module = layers if name in WRAP_07 else mlp
    code = {**WRAP_07, **WRAP_08}[name]
    probe = _patched(module, code, _recorded_expression(name))
    for student in STUDENTS[:5]:
        v = _verdict(name, probe, student)
        assert not v.passed and "bpcourse.nn" in v.message and v.mistake == "evidence", v.message


def test_gradcheck_inside_a_sigmoid_backward_fails_for_every_student():
    """bpcourse.gradcheck's central differences as a layer's backward (with the step that makes
    them most accurate here; the default 1e-5 is worse) miss BACKWARD_TOL for every student."""
    from solutions import layers
    code = """from bpcourse.gradcheck import numerical_gradient_array


def sigmoid_layer_backward(self, dA):
    return numerical_gradient_array(lambda z: 1.0 / (1.0 + np.exp(-z)), np.array(self.Z, dtype=float), dA, h=3e-5)


Sigmoid.backward = sigmoid_layer_backward"""
    probe = _patched(layers, code, _recorded_expression("sigmoid_layer_backward"))
    for student in STUDENTS:
        assert not _verdict("sigmoid_layer_backward", probe, student).passed, student


# --- the notebook's own text: tampering -----------------------------------------------------------

@pytest.mark.parametrize("a", hidden.assignments())
def test_the_course_notebooks_are_not_tampered(a):
    for student in ("solved", "blank"):
        path = CLASS_DIR / student / a / f"{a}.ipynb"
        if path.exists():
            assert verify.tampering(a, nbformat.read(path, as_version=4)) is None


def test_a_cell_naming_the_probes_is_tampering():
    a = "02_reverse_mode"
    nb = nbformat.read(CLASS_DIR / "solved" / a / f"{a}.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("import bpcourse.engine_probe as p\np.traversal = None"))
    message = verify.tampering(a, nb)
    assert message and "Вмешательство в проверку" in message and "ячейка №4" in message


# --- a derivative by a route that is not a formula, seen in the solution cell's text --------------

COMPLEX_STEP_EXP = (
    "import cmath\n\n\ndef _exp(self):\n    out = Value(math.exp(self.data), (self,), 'exp')\n\n"
    "    def _backward():\n        self.grad += cmath.exp(self.data + 1e-30j).imag / 1e-30 * out.grad\n"
    "    out._backward = _backward\n    return out\n\n\nValue.exp = _exp")


def _one_cell(grade_id, code):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code, metadata={"nbgrader": {"grade_id": grade_id}})])


def test_the_complex_step_is_exact_so_only_its_text_gives_it_away():
    probe = _patched(__import__("solutions.engine", fromlist=["x"]), COMPLEX_STEP_EXP, 'engine_probe.operation(Value, "exp")')
    assert _verdict("exp", probe).passed                      # the values cannot tell it from a formula
    found = verify.borrowed(A02, _one_cell("exp", COMPLEX_STEP_EXP))
    assert "комплексным шагом" in found["exp"]


@pytest.mark.parametrize("grade_id,code,route", [
    ("sigmoid_layer_backward", "from bpcourse.gradcheck import numerical_gradient_array", "bpcourse.gradcheck"),
    ("linear_layer_backward", "from bpcourse import checks, nn\nlin = nn.Linear(2, 3)", "bpcourse.nn"),
    ("relu_layer_backward", "import torch", "библиотекой"),
    ("log", "import sympy", "библиотекой"),
])
def test_a_borrowed_route_is_named(grade_id, code, route):
    a = A07 if "layer" in grade_id else A02
    assert route in verify.borrowed(a, _one_cell(grade_id, code))[grade_id]


def test_a_mention_is_not_a_use_and_honest_idioms_are_not_borrowed():
    assert not verify.borrowed(A02, _one_cell("exp", "x = 1  # not torch, not cmath.exp(x + 1e-30j)\ns = 'sympy'"))
    for a in (A02, A07):
        for ex, codes in runpy.run_path(str(INDEPENDENT / f"{a}.py"))["CORRECT"].items():
            for code in codes:
                assert not verify.borrowed(a, _one_cell(ex, code)), (ex, code)
        assert not verify.borrowed(a, _read(a))


# --- end to end: one grading run ------------------------------------------------------------------

ATTACK = '''import sys
import math
import numpy as np

{reach}


def _forward(op, k):
    return {{"exp": math.exp, "log": math.log, "sigmoid": lambda t: 1.0 / (1.0 + math.exp(-t)),
            "relu": lambda t: max(t, 0.0), "pow": lambda t: t ** k}}[op]


def _d(f, x, h=1e-3):
    c = lambda h: (f(x + h) - f(x - h)) / (2 * h)
    return (4 * c(h / 2) - c(h)) / 3          # central differences and one Richardson step


def _operation(Value, op):
    def probe(x, y=None, k=None, a_grad=0.0, b_grad=0.0, out_grad=1.0):
        if op in ("add", "mul"):
            g = (lambda s, t: s + t) if op == "add" else (lambda s, t: s * t)
            if y is None:
                a = a_grad + _d(lambda s: g(s, s), x) * out_grad
                return np.array([g(x, x)]), np.array([a]), np.array([a])
            return (np.array([g(x, y)]), np.array([a_grad + _d(lambda s: g(s, y), x) * out_grad]),
                    np.array([b_grad + _d(lambda t: g(x, t), y) * out_grad]))
        f = _forward(op, k)
        return np.array([f(x)]), np.array([a_grad + _d(f, x) * out_grad])
    return probe


def _traversal(Value):
    def probe(graph, data, grads, weights):
        edges = sum(len(part.split()) for part in graph.split("|"))
        return tuple(np.array([v]) for v in [edges, 1.0, 1.0, 1.0, 1.0, 1.0])
    return probe


_p.operation, _p.traversal = _operation, _traversal
check_local_backward = check_backward = lambda *args, **kwargs: None
'''
#: the probe module reached without naming it (the notebook's check module imported it)
DISGUISED = ATTACK.format(reach='_p = sys.modules[sys.modules["bpcourse.checks"].run_backward.__module__]')
PLAIN = ATTACK.format(reach="from bpcourse import engine_probe as _p")

NUMERICAL_EXP = _numerical_cell("exp", CENTRAL)


def _after_value(nb) -> int:
    """Index just after the cell that defines Value (the attack needs it and the imports)."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "class Value" in c.source) + 1


def _with_cell(nb, code):
    nb = nbformat.from_dict(nb)
    nb.cells.insert(_after_value(nb), nbformat.v4.new_code_cell(code))
    return nb


def _idioms02() -> dict[str, str]:
    correct = runpy.run_path(str(INDEPENDENT / "02_reverse_mode.py"))["CORRECT"]
    return {ex: codes[-1] for ex, codes in correct.items()}


def _read(a):
    return nbformat.read(CLASS_DIR / "solved" / a / f"{a}.ipynb", as_version=4)


def _blank(a):
    return nbformat.read(CLASS_DIR / "blank" / a / f"{a}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("tamper")
    submissions, out = base / "class", base / "course"
    solved02, solved07, solved08 = _read(A02), _read(A07), _read(A08)
    put(submissions, "solved", solved02, assignment=A02)
    put(submissions, "attacker", _with_cell(_blank(A02), DISGUISED), assignment=A02)
    put(submissions, "plain-attacker", _with_cell(_blank(A02), PLAIN), assignment=A02)
    put(submissions, "numerical", fill(solved02, {"exp": NUMERICAL_EXP}), assignment=A02)
    put(submissions, "idioms", fill(solved02, _idioms02()), assignment=A02)
    put(submissions, "complex-step", fill(solved02, {"exp": COMPLEX_STEP_EXP}), assignment=A02)
    put(submissions, "solved", solved07, assignment=A07)
    put(submissions, "wrapper", fill(solved07, WRAP_07), assignment=A07)
    put(submissions, "solved", solved08, assignment=A08)
    put(submissions, "wrapper", fill(solved08, WRAP_08), assignment=A08)
    run = subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(submissions), "--out", str(out),
                          "--jobs", "2", "--assignment", A02, "--assignment", A07, "--assignment", A08],
                         capture_output=True, text=True)
    # exit 1: the plain attacker is graded but flagged (status tampered); the rest are ok
    assert run.returncode == 1, run.stdout[-5000:] + run.stderr[-5000:]
    assert "1 of 10 submission(s) graded but flagged (1 tampered)" in run.stderr, run.stderr[-3000:]
    with open(out / "bpcourse-grades.csv", newline="", encoding="utf-8") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    return {"out": out, "rows": rows}


def _points(graded, student, a):
    row = graded["rows"][(student, a)]
    return {ex.name: float(row[f"{a}/{ex.name}"]) for ex in hidden.exercises(a)}


def _full(graded, a):
    row = graded["rows"][("solved", a)]
    assert float(row["score"]) == float(row["max_score"]) > 0, row
    return _points(graded, "solved", a)


@pytest.mark.e2e
def test_the_issues_attack_on_02_scores_nothing(graded):
    """No engine code, the probes replaced without naming them, backward()'s record forged as
    [edges, 1, 1, 1, 1, 1], every operation differentiated numerically: 9/9 before, 0 now."""
    got = _points(graded, "attacker", A02)
    assert got and all(p == 0.0 for p in got.values()), got
    for op in engine_probe.OPERATIONS:
        assert engine_spec.NUMERICAL_HINT in verdict(graded["out"], "attacker", A02, op)
    assert "не пройдена" in verdict(graded["out"], "attacker", A02, "backward")


@pytest.mark.e2e
def test_the_plain_attack_is_flagged_as_tampering(graded):
    got = _points(graded, "plain-attacker", A02)
    assert got and all(p == 0.0 for p in got.values()), got
    for ex in got:
        assert "Вмешательство в проверку" in verdict(graded["out"], "plain-attacker", A02, ex)
    row = graded["rows"][("plain-attacker", A02)]
    assert row["status"] == "tampered" and "tampered" in row["message"], row
    assert all(r["status"] == "ok" for key, r in graded["rows"].items() if key != ("plain-attacker", A02))
    nb = nbformat.read(graded["out"] / "autograded" / "plain-attacker" / A02 / f"{A02}.ipynb", as_version=4)
    assert nb.metadata["bpcourse"]["tampered"]


@pytest.mark.e2e
def test_a_numerical_backward_loses_only_its_operation(graded):
    full, got = _full(graded, A02), _points(graded, "numerical", A02)
    assert got["exp"] == 0.0
    assert {ex: p for ex, p in got.items() if ex != "exp"} == {ex: p for ex, p in full.items() if ex != "exp"}
    assert engine_spec.NUMERICAL_HINT in verdict(graded["out"], "numerical", A02, "exp")


@pytest.mark.e2e
def test_a_complex_step_backward_loses_only_its_operation(graded):
    full, got = _full(graded, A02), _points(graded, "complex-step", A02)
    assert got["exp"] == 0.0
    assert {ex: p for ex, p in got.items() if ex != "exp"} == {ex: p for ex, p in full.items() if ex != "exp"}
    assert "комплексным шагом" in verdict(graded["out"], "complex-step", A02, "exp")


@pytest.mark.e2e
def test_honest_idioms_keep_full_marks(graded):
    assert _points(graded, "idioms", A02) == _full(graded, A02)


@pytest.mark.e2e
def test_07_layer_methods_around_bpcourse_nn_get_nothing(graded):
    full, got = _full(graded, A07), _points(graded, "wrapper", A07)
    for ex in WRAP_07:
        assert got[ex] == 0.0, (ex, got)
        assert "bpcourse.nn" in verdict(graded["out"], "wrapper", A07, ex)
    assert {ex: got[ex] for ex in full if ex not in WRAP_07} == {ex: full[ex] for ex in full if ex not in WRAP_07}


@pytest.mark.e2e
def test_08_sgd_around_bpcourse_nn_gets_nothing(graded):
    full, got = _full(graded, A08), _points(graded, "wrapper", A08)
    for ex in WRAP_08:
        assert got[ex] == 0.0, (ex, got)
        assert "bpcourse.nn" in verdict(graded["out"], "wrapper", A08, ex)
    assert {ex: got[ex] for ex in full if ex not in WRAP_08} == {ex: full[ex] for ex in full if ex not in WRAP_08}


# --- review 2026-12-07: what the text checks read is what Python runs ---------------------------

COMPLEX_STEP_LOG = ("def _log(self):\n    out = Value(math.log(self.data), (self,), 'log')\n\n"
                    "    def _backward():\n        {line}\n    out._backward = _backward\n    return out\n\n\nValue.log = _log")
HIDDEN_COMPLEX = [
    # plain code, no flagged token (the string 'imag' was emptied before matching)
    "z = np.log(np.complex128(self.data, 1e-30)); self.grad += getattr(z, 'imag') / 1e-30 * out.grad",
    "z = np.log(self.data + 1e-30 * np.emath.sqrt(-1)); r = math.log(self.data); self.grad += float(np.angle(z / r) * r) / 1e-30 * out.grad",
    "import operator; z = np.log(self.data + 1e-30 * np.emath.sqrt(-1)); self.grad += operator.attrgetter('imag')(z) / 1e-30 * out.grad",
    "z = np.log(np.array(self.data, dtype='c16') + 1e-30 * np.sqrt(np.array(-1, 'D'))); self.grad += z.imag / 1e-30 * out.grad",
    # Unicode look-alikes: Python folds identifiers with NFKC, the regexes did not
    "import \uff43math; self.grad += \uff43math.log(self.data + 1e-30 * \uff43omplex(0, 1)).\uff49mag / 1e-30 * out.grad",
    "z = np.log(self.data + \uff43omplex(0, 1e-30)); self.grad += z.\uff49mag / 1e-30 * out.grad",
]


@pytest.mark.parametrize("line", HIDDEN_COMPLEX)
def test_the_complex_step_is_seen_however_it_is_written(line):
    code = COMPLEX_STEP_LOG.replace("{line}", line)
    probe = _patched(__import__("solutions.engine", fromlist=["x"]), code, 'engine_probe.operation(Value, "log")')
    assert _verdict("log", probe).passed                      # it runs, and its values are exact
    assert "комплексным шагом" in verify.borrowed(A02, _one_cell("log", code))["log"]


def test_the_complex_step_in_a_layers_backward_is_seen():
    code = ("def sigmoid_layer_backward(self, dA):\n    s = 1 / (1 + np.exp(-(self.Z + np.emath.sqrt(-1) * 1e-30)))\n"
            "    return getattr(s, 'imag') / 1e-30 * dA\n\n\nSigmoid.backward = sigmoid_layer_backward")
    assert "комплексным шагом" in verify.borrowed(A07, _one_cell("sigmoid_layer_backward", code))["sigmoid_layer_backward"]


WRAPPED = ('def sigmoid_layer_backward(self, dA):\n    box = types.SimpleNamespace(X=self.Z, parameters=lambda: [], '
           'column_wise=False, elementwise=True, _apply=lambda X: 1 / (1 + np.exp(-X)))\n'
           '    return importlib.import_module("bpcourse.nn").Module._backward.__wrapped__(box, dA)\n\n\n'
           'Sigmoid.backward = sigmoid_layer_backward')


def test_bpcourse_nn_keeps_no_uncounted_function_within_reach():
    """The review's attack: functools.wraps left each counted method's uncounted original as
    ``__wrapped__`` (and in the wrapper's closure), so nn's complex-step engine ran uncounted."""
    import types
    for cls in (nn.Module, nn.Linear, nn.Sigmoid, nn.ReLU, nn.Tanh, nn.Sequential, nn._Loss, nn.MSELoss,
                nn.SoftmaxCrossEntropyLoss, nn.SGD):
        for name, fn in vars(cls).items():
            if isinstance(fn, types.FunctionType):
                assert not hasattr(fn, "__wrapped__") and not fn.__closure__, (cls, name)
    # whatever a student reaches of the engine counts: the raw _backward with a box of their own
    box = types.SimpleNamespace(X=np.array([[0.3, -1.2]]), parameters=lambda: [], column_wise=False,
                                elementwise=True, _apply=lambda X: 1 / (1 + np.exp(-X)))
    raw = getattr(nn.Module._backward, "__wrapped__", nn.Module._backward)
    before = nn.probe_calls
    raw(box, np.ones((1, 2)))
    assert nn.probe_calls > before
    before = nn.probe_calls
    nn._perturbations(np.zeros(3), 3, 0, 3)
    assert nn.probe_calls > before


def test_reaching_past_the_text_is_borrowed():
    found = verify.borrowed(A07, _one_cell("sigmoid_layer_backward", WRAPPED))["sigmoid_layer_backward"]
    assert "__wrapped__" in found
    for code, route in [("m = __import__('bpcourse.nn')", "importlib"),
                        ("m = importlib.import_module('bpcourse.' + 'nn')", "importlib"),
                        ("f = nn.Module._backward.__wrapped__", "__wrapped__"),
                        ("g = sys.modules['bpcourse.nn']", "importlib"),
                        ("z = getattr(x, 'im' + 'ag')", "getattr")]:
        assert route in verify.borrowed(A07, _one_cell("sigmoid_layer_backward", code))["sigmoid_layer_backward"], code


def test_an_f_string_is_a_mention_not_a_use():
    """On Python >= 3.12 tokenize splits an f-string, so its text reached the patterns."""
    for code in ['print(f"сравните с torch: {g}")', 'print(f"{self.grad} vs cmath, sympy, 1j, .imag")',
                 "raise ValueError(f'complex {x!r}: real part only')"]:
        assert not verify.borrowed(A02, _one_cell("exp", code)), code
    assert verify.borrowed(A02, _one_cell("exp", 'print(f"{z.imag}")'))        # its code is code


def _tampered_with(a, code):
    nb = nbformat.read(CLASS_DIR / "solved" / a / f"{a}.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(code))
    return verify.tampering(a, nb)


@pytest.mark.parametrize("code", ["from bpcourse import \uff45ngine_probe as P", "import bpcourse.\uff47rading",
                                  "from bpcourse.\uff47rading import recorder", "import importlib\nm = importlib.import_module('bpcourse.engine_probe')",
                                  "x = 'layer_probe'  # a string naming it still counts"])
def test_look_alike_letters_do_not_hide_the_machinery(code):
    message = _tampered_with(A02, code)
    assert message and "ячейка №4" in message, code


def test_a_comment_is_not_tampering():
    assert _tampered_with(A02, "# как в layer_probe: сначала прямой проход\nx = 1  # not engine_probe") is None
    assert _tampered_with(A08, "from bpcourse.grading import is_grading  # пропустить виджет") is None
