"""bpcourse.engine_probe: notebook 02's engine probed one operation, or backward(), at a time;
the visible checks built on the probes (bpcourse.checks.check_local_backward, check_backward).

The probes must (1) report the same numbers for every correct engine, (2) tell each class of
mistake from the truth on every student's hidden inputs, (3) run nothing of the student's but
the piece under test, and (4) know no derivative themselves.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograde import hidden
from autograde.hidden import engine as spec
from bpcourse import engine_probe as probe
from bpcourse.cases import decode, encode
from bpcourse import checks
from bpcourse.checks import CheckError
import solutions.engine
from solutions.engine import Value

A = "02_reverse_mode"
EXERCISES = {ex.name: ex for ex in hidden.exercises(A)}
METHODS = {"add": "__add__", "mul": "__mul__", "pow": "__pow__", "exp": "exp", "log": "log", "sigmoid": "sigmoid",
           "relu": "relu", "backward": "backward"}


def _mistake(exercise, name):
    return next(m for m in EXERCISES[exercise].mistakes if m.name == name)


def _student(exercise, name):
    """The Value of a student making mistake ``name``: the mistake's solution cell (its student
    form, :attr:`Mistake.code`) run on a fresh subclass of the reference Value, as in the notebook."""
    cls = type("Value", (Value,), {})
    exec(_mistake(exercise, name).code, {"Value": cls, "math": math, "np": np})  # noqa: S102 - our own code
    return cls


def _variant(method, backward):
    """A Value whose ``method`` builds the reference output but attaches
    ``backward(out, *inputs, *args)`` as its ``_backward`` (for mistakes not in the bank)."""
    def build(self, *args):
        out = getattr(Value, method)(self, *args)
        out.__class__ = type(self)
        inputs = out._prev
        extra = args if method == "__pow__" else ()
        out._backward = lambda: backward(out, *inputs, *extra)
        return out
    return type(f"Value_{method.strip('_')}", (Value,), {method: build})


# -- one operation ---------------------------------------------------------------------------

def test_an_operation_adds_into_pre_set_gradients():
    out, ga, gb = probe.run_operation(Value, "mul", 2.0, -3.0, a_grad=0.5, b_grad=-0.25, out_grad=1.5)
    assert (out, ga, gb) == (-6.0, 0.5 + -3.0 * 1.5, -0.25 + 2.0 * 1.5)
    out, ga, gb = probe.run_operation(Value, "add", 0.7, None, a_grad=0.5, out_grad=2.0)   # a + a
    assert out == 1.4 and ga == gb == 0.5 + 2 * 2.0
    out, ga = probe.run_operation(Value, "pow", 2.0, k=3, a_grad=1.0, out_grad=-1.0)
    assert (out, ga) == (8.0, 1.0 - 12.0)


def test_only_the_operation_under_test_runs():
    """A Value whose other operations all raise still gets each operation probed."""
    def broken(*args, **kwargs):
        raise RuntimeError("another operation ran")

    for op in probe.OPERATIONS:
        method = {"add": "__add__", "mul": "__mul__", "pow": "__pow__"}.get(op, op)
        others = {m: broken for m in ("__add__", "__mul__", "__pow__", "exp", "log", "sigmoid", "relu", "backward")
                  if m != method}
        cls = type("OnlyOne", (Value,), others)
        case = {"x": 0.6, "a_grad": 0.2, "out_grad": 1.4}
        if op in probe.BINARY:
            case.update(y=-1.1, b_grad=0.3)
        if op == "pow":
            case["k"] = 3
        assert probe.operation(cls, op)(**case) == probe.operation(Value, op)(**case)


def test_a_node_in_a_gradient_is_named():
    class Leaky(Value):
        def exp(self):
            out = Value.exp(self)
            out.__class__ = Leaky
            out._backward = lambda: setattr(self, "grad", out)   # a node where a number belongs
            return out
    with pytest.raises(TypeError, match="не число, а узел Value"):
        probe.run_operation(Leaky, "exp", 0.3, a_grad=0.1, out_grad=2.0)


# -- the hidden cases: the same structure for every student (grading rule 3) -----------------

def _types(value):
    if value is None or isinstance(value, (bool, str, int, float)):
        return type(value).__name__
    return ("array", np.shape(value))


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_student_gets_the_same_edge_cases(name):
    ex = EXERCISES[name]
    assert ex.features is not None
    first = None
    for k in range(60):
        cases = ex.cases(np.random.default_rng(hidden.seed_for("secret", f"student{k}", A, name)))
        shape = (ex.features(cases), tuple(tuple((key, _types(v)) for key, v in sorted(c.items())) for c in cases))
        first = first or shape
        assert shape == first, f"student{k}"
        # the cases survive the JSON encoding with their types (an exponent stays an int)
        for c in cases:
            assert {key: _types(decode(encode(v))) for key, v in c.items()} == {key: _types(v) for key, v in c.items()}


def test_features_say_what_each_case_is_for():
    f = EXERCISES["mul"].features(EXERCISES["mul"].cases(np.random.default_rng(0)))
    assert [c[0] for c in f] == ["two nodes", "same node", "two nodes"] and all(all(c[6:]) for c in f)
    assert {c[5] for c in f} == {1, -1} and {c[1] for c in f} == {1, -1}     # both signs of out.grad and of x
    relu = EXERCISES["relu"].features(EXERCISES["relu"].cases(np.random.default_rng(0)))
    assert [c[1] for c in relu] == ["x < 0", "x > 1", "x < 0", "0 < x < 1", "x = 0"]
    assert [c[3] for c in relu] == [1, -1, -1, 1, 1]    # out.grad of both signs on both sides of the kink
    pw = EXERCISES["pow"].features(EXERCISES["pow"].cases(np.random.default_rng(0)))
    assert [c[0] for c in pw] == list(spec.EXPONENTS) and isinstance(pw[0][0], int)


@pytest.mark.parametrize("graph", spec.GRAPHS + (checks._visible_spec(),))
def test_graphs_on_which_wrong_traversals_are_invalid(graph):
    pre_order_invalid, bfs_invalid, input_used_twice, node_with_two_users = spec.graph_features(graph)
    assert pre_order_invalid and bfs_invalid and node_with_two_users
    assert input_used_twice or graph == spec.GRAPHS[2]


# -- the mistakes: each a whole solution cell, graded as the student's notebook records it ----

def _probe(exercise, cls):
    return probe.traversal(cls) if exercise == "backward" else probe.operation(cls, exercise)


@pytest.mark.parametrize("exercise,mistake", [(ex.name, m.name) for ex in EXERCISES.values() for m in ex.mistakes])
def test_the_grader_sees_what_the_students_cell_records(exercise, mistake):
    """The grader's callable of a mistake gives, on every hidden case, exactly what the probe
    reports for a Value patched by the mistake's solution cell — and not what the reference gives."""
    grader, student = _mistake(exercise, mistake).fn, _probe(exercise, _student(exercise, mistake))
    differs = False
    for k in range(5):
        for case in EXERCISES[exercise].cases(np.random.default_rng(k)):
            got = grader(**case)
            assert [v.tolist() for v in got] == [v.tolist() for v in student(**case)]
            differs |= [v.tolist() for v in got] != [v.tolist() for v in EXERCISES[exercise].reference(**case)]
    assert differs


def test_a_mistake_patches_its_own_value_never_the_reference():
    assert all(m.fn for ex in hidden.catalog().values() for m in ex.mistakes)     # every cell has run
    for exercise, method in METHODS.items():
        assert solutions.engine.Value.__dict__[method].__qualname__ == f"Value.{method}", exercise


# -- backward() ------------------------------------------------------------------------------

def _run(cls, graph=spec.GRAPHS[0], seed=0):
    children = probe.parse_graph(graph)
    rng = np.random.default_rng(seed)
    n, e = len(children), sum(len(c) for c in children)
    return probe.run_backward(cls, graph, rng.normal(size=n), rng.uniform(0.5, 2, n), rng.uniform(0.5, 2, e))


@pytest.mark.parametrize("graph", spec.GRAPHS)
def test_the_reference_traversal_is_clean(graph):
    t = _run(Value, graph)
    assert t.summary() == [float(t.edges), 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("mistake,summary", [
    ("not_reversed", [16, 1, 0, 0, 1, 1]),
    ("not_seeded", [16, 1, 1, 1, 0, 1]),
    ("wrong_order", [16, 1, 0, 1, 1, 1]),
    ("not_zeroed", [16, 1, 1, 1, 1, 0]),
    ("counts_nodes", [10, 1, 1, 1, 1, 1]),
    ("no_return", [-1, 1, 1, 1, 1, 1]),
])
def test_each_traversal_mistake_has_its_own_summary(mistake, summary):
    children = probe.parse_graph(spec.GRAPHS[0])
    rng = np.random.default_rng(1)
    n, e = len(children), sum(len(c) for c in children)
    weights = rng.uniform(0.5, 2, e)
    got = _mistake("backward", mistake).fn(graph=spec.GRAPHS[0], data=rng.normal(size=n), grads=rng.uniform(0.5, 2, n),
                                           weights=weights)
    assert probe.facts(spec.GRAPHS[0], weights, got) == [float(s) for s in summary]


@pytest.mark.parametrize("mistake", [None] + [m.name for m in EXERCISES["backward"].mistakes])
@pytest.mark.parametrize("graph", spec.GRAPHS)
def test_the_graders_facts_agree_with_the_kernels_summary(graph, mistake):
    """What the grader derives from the raw evidence, outside the kernel, is what the kernel's
    own summary says, for the reference and every mistake."""
    cls = Value if mistake is None else _student("backward", mistake)
    children = probe.parse_graph(graph)
    rng = np.random.default_rng(3)
    n, e = len(children), sum(len(c) for c in children)
    weights = rng.uniform(0.5, 2, e) * rng.choice([-1.0, 1.0], e)
    t = probe.run_backward(cls, graph, rng.normal(size=n), rng.uniform(0.5, 2, n), weights)
    assert probe.facts(graph, weights, t.evidence()) == t.summary()


def test_a_node_visited_twice_is_counted():
    class Twice(Value):
        def backward(self):
            order = []

            def visit(v):
                for c in v._prev:
                    visit(c)
                order.append(v)
            visit(self)
            for v in order:
                v.grad = 0.0
            self.grad = 1.0
            for v in reversed(order):
                v._backward()
            return sum(len(v._prev) for v in order)
    t = _run(Twice)
    assert t.not_once() and t.summary()[1] == 0.0


def test_parse_graph_rejects_bad_specs():
    assert probe.parse_graph("||0 1|2 2") == [(), (), (0, 1), (2, 2)]
    for bad in ["|1|", "||0 1|", "||0"]:
        with pytest.raises(ValueError):
            probe.parse_graph(bad)


# -- visible checks --------------------------------------------------------------------------

VISIBLE = [("add", dict(x=0.8, y=-1.3)), ("add", dict(x=0.8, same=True)), ("mul", dict(x=0.8, y=-1.3)),
           ("mul", dict(x=-1.1, same=True)), ("pow", dict(x=1.4, k=3)), ("pow", dict(x=0.6, k=-1)),
           ("pow", dict(x=2.5, k=0.5)), ("exp", dict(x=0.7)), ("log", dict(x=0.4)), ("sigmoid", dict(x=-2.1)),
           ("relu", dict(x=1.6)), ("relu", dict(x=0.5)), ("relu", dict(x=-0.9)),
           ("relu", dict(x=0.0, local=0.0))]


@pytest.mark.parametrize("op,kw", VISIBLE)
def test_visible_check_passes_the_reference(op, kw, capsys):
    checks.check_local_backward(Value, op, **kw)
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("op,kw,mistake,message", [
    ("add", dict(x=0.8, y=-1.3), "assign_not_accumulate", "∂L/∂a в узле a + b: градиент присвоен, а не добавлен (= вместо +=)"),
    ("add", dict(x=0.8, y=-1.3), "one_input_only", "∂L/∂b в узле a + b: градиент этого входа не изменился"),
    ("mul", dict(x=-1.1, same=True), "assign_not_accumulate", "в узле a·a: градиент присвоен"),
    ("mul", dict(x=0.8, y=-1.3), "forgot_upstream", "не умножена на out.grad"),
    ("mul", dict(x=0.8, y=-1.3), "uses_own_value", "∂L/∂a в узле a·b: добавлен неверный вклад"),
    ("relu", dict(x=-0.9), "passes_gradient_through", "в узле relu(a): добавлен неверный вклад"),
    ("sigmoid", dict(x=1.3), "assign_not_accumulate", "в узле σ(a): градиент присвоен"),
    ("pow", dict(x=1.4, k=3), "assign_not_accumulate", "в узле a**3: градиент присвоен"),
])
def test_visible_check_names_the_input_and_the_mistake(op, kw, mistake, message):
    with pytest.raises(CheckError) as err:
        checks.check_local_backward(_student(op, mistake), op, **kw)
    assert message in str(err.value)


def test_visible_checks_know_no_derivative():
    """With every _backward doing nothing, every operation's check fails: no check fills in a
    derivative of its own."""
    class Lazy(Value):
        pass
    for method in ("__add__", "__mul__", "__pow__", "exp", "log", "sigmoid", "relu"):
        setattr(Lazy, method, _variant(method, lambda out, *inputs: None).__dict__[method])
    for op, kw in VISIBLE:
        if op == "relu" and kw["x"] <= 0:
            continue   # a zero contribution is right there
        with pytest.raises(CheckError, match="не изменился"):
            checks.check_local_backward(Lazy, op, **kw)


def test_not_implemented_reaches_the_student_unchanged():
    class Blank(Value):
        def exp(self):
            out = Value.exp(self)

            def _backward():
                raise NotImplementedError()
            out._backward = _backward
            return out

        def backward(self):
            raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        checks.check_local_backward(Blank, "exp", 0.3)
    with pytest.raises(NotImplementedError):
        checks.check_backward(Blank)


def test_visible_backward_check(capsys):
    checks.check_backward(Value)
    assert "рёбер 16" in capsys.readouterr().out
    messages = {
        "not_reversed": "порядок обхода не обратный топологический",
        "wrong_order": "порядок обхода не обратный топологический",
        "not_seeded": "градиент выхода не равен 1",
        "not_zeroed": "градиенты не обнулены перед обратным проходом",
        "counts_nodes": "посчитаны узлы, а нужно рёбра",
        "no_return": "backward() ничего не вернул",
    }
    for name, text in messages.items():
        with pytest.raises(CheckError) as err:
            checks.check_backward(_student("backward", name))
        assert text in str(err.value), name
    with pytest.raises(CheckError, match="вызван 4 раза; нужно ровно один раз"):
        checks.check_backward(_student("backward", "visited_twice"))


def test_the_visible_backward_check_runs_no_operation():
    class NoOps(Value):
        def __add__(self, other):
            raise RuntimeError("the check used +")
        __mul__ = __pow__ = exp = log = sigmoid = relu = __add__
    checks.check_backward(NoOps)


def test_times_plural():
    assert [checks._times(n) for n in (2, 4, 5, 11, 12, 22, 25)] == ["раза", "раза", "раз", "раз", "раз", "раза", "раз"]
    assert math.isnan(probe._safe_float(object()))


def test_every_visible_hint_can_fire():
    """The rarer messages of the visible checks, each from a mistake a student can make."""
    def tuple_assign(out, a, b):            # both sides computed, then assigned at once: a + a loses one
        a.grad, b.grad = a.grad + out.grad, b.grad + out.grad

    with pytest.raises(CheckError, match="учтён вклад только одной стороны"):
        checks.check_local_backward(_variant("__add__", tuple_assign), "add", 0.8, same=True)

    def flipped(out, a):
        a.grad -= out.data * out.grad

    with pytest.raises(CheckError, match="знак вклада перевёрнут"):
        checks.check_local_backward(_variant("exp", flipped), "exp", 0.7)

    def divides_by_zero(out, a):
        a.grad += out.grad * math.inf

    with pytest.raises(CheckError, match="NaN или inf"):
        checks.check_local_backward(_variant("log", divides_by_zero), "log", 0.4)

    class OnlyOutput(Value):
        def backward(self):
            self.grad = 1.0
            self._backward()
            return 16

    with pytest.raises(CheckError, match="не вызван ни разу"):
        checks.check_backward(OnlyOutput)

    class ZeroesOnTheWay(Value):
        def backward(self):
            order = self.topological_order()
            for v in reversed(order):
                if v is not self:
                    v.grad = 0.0              # erases what its users have already added
                else:
                    v.grad = 1.0
                v._backward()
            return sum(len(v._prev) for v in order)

    with pytest.raises(CheckError, match="перезаписан или обнулён посреди обхода"):
        checks.check_backward(ZeroesOnTheWay)

    class Raises(Value):
        def backward(self):
            raise KeyError("oops")

    with pytest.raises(CheckError, match="поднята ошибка KeyError"):
        checks.check_backward(Raises)


def test_the_probe_module_is_probes_only(repo):
    """One idea per module: bpcourse.engine_probe runs the student's engine and reports numbers;
    the visible checks and their Russian messages live in bpcourse.checks."""
    import ast

    tree = ast.parse((repo / "bpcourse" / "engine_probe.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "bpcourse.checks" not in imported
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert not {name for name in defined if name.startswith("check_")}
    assert {"check_local_backward", "check_backward"} <= set(dir(checks))
