"""Hidden checks of notebook 02: each operation's `_backward`, and `backward()`, in isolation.

An operation is probed alone (:func:`bpcourse.engine_probe.run_operation`): one node built with
the student's operator, nonzero gradients pre-set on its inputs and on the output, one call of
``out._backward()``. So `=` instead of `+=` is caught for every operation, a missing out.grad
for every one, and no other student code runs. Binary operations also get the same node on
both sides (a + a, a·a).

``backward()`` is probed alone (:func:`bpcourse.engine_probe.run_backward`): fixed DAGs built
with the student's ``Value(data, _children, _op)``, recorder ``_backward`` functions and
garbage gradients, on which depth-first pre-order, breadth-first order, the forward order and
a traversal without a "visited" set are all invalid. Values are drawn per student; the
structure is the same for everyone (grading rule 3).

The kernel records raw evidence and the grader reads it here, in its own process
(:func:`autograde.verify.reads_evidence`): for ``backward()`` the traversal's log, what each
recorder saw and the final gradients, from which :func:`bpcourse.engine_probe.facts`
recomputes every fact (a forged record that passes carries every node's true gradient); for an
operation each input's contribution (its ``.grad`` after minus before), compared within
:data:`OPERATION_TOL` — every analytic formula of the notebook's operations agrees with the
reference to a few units in the last place on the hidden ranges (below 2e-15), while a
central difference of the forward pass is off by 1e-11 or more and one Richardson step by
1e-13 or more, so "differentiate the forward numerically" does not pass.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from autograde import verify
from autograde.hidden import exercise
from bpcourse import engine_probe as probe
from solutions.engine import Value

#: rel_error accepted between an operation's contributions and the reference's (see the module doc)
OPERATION_TOL = 1e-14

#: exponents of `pow`, one case each, the same for every student (an int stays an int)
EXPONENTS = (2, 3, -1, 0.5)

#: (low, high) of |x| per case of each unary operation, with its sign
UNARY_X = {
    "exp": [(-2.0, -0.5), (1.3, 2.5)],
    "log": [(0.2, 0.6), (1.5, 3.0)],             # both sides of 1 (a missing 1/x shows on both)
    "sigmoid": [(-3.0, -0.8), (1.3, 3.0)],      # away from z = σ(z) and z = 1 − σ(z)
    # both sides of the kink, both sides of 1, and the kink itself (the notebook: 0 there, eq. 28)
    "relu": [(-2.0, -0.3), (1.3, 2.5), (-1.2, -0.2), (0.2, 0.8), (0.0, 0.0)],
}

#: the DAGs of backward() (see bpcourse.engine_probe.parse_graph); the last node is the output
GRAPHS = (
    # two mirrored diamonds with paths of different lengths, a leaf used twice by one node,
    # and the output using one node twice
    "||0 1|2 1|3 2|1 1|5 0|5 6|4 7|8 8",
    # two chains with shortcut edges, one listing the long path first and one the shortcut first
    "|0|1|2 0|3 1|0 0|5|6|5 7|4 8",
    # two layers of two, fully connected, an extra node after one of them, and a shortcut from the
    # output to the first layer
    "||0 1|1 0|2 3|3 2|5|4 6 3",
)


#: the sign of out.grad in each case, the same for every student: both signs meet both signs of
#: the input, so code that looks at the sign of the wrong number fails for everyone
UPSTREAM_SIGNS = (1.0, -1.0, -1.0, 1.0, 1.0)


def _signed(rng, signs):
    """Pre-set gradients: magnitude in [0.3, 1.5], the given (fixed) signs."""
    return [float(v) * s for v, s in zip(rng.uniform(0.3, 1.5, size=len(signs)), signs)]


def _upstream(rng, sign):
    """out.grad: magnitude in [1.3, 2.5] (never ±1, so a missing out.grad shows), the given sign."""
    return float(rng.uniform(1.3, 2.5)) * sign


def _binary_cases(rng):
    cases = []
    # (same node on both sides, sign of x, sign of y)
    for n, (same, sx, sy) in enumerate(((False, 1.0, -1.0), (True, -1.0, None), (False, -1.0, -1.0))):
        x = float(rng.uniform(0.5, 1.0)) * sx
        y = None if same else float(rng.uniform(1.3, 2.0)) * sy
        ga, gb = _signed(rng, (1.0, -1.0))
        cases.append({"x": x, "y": y, "a_grad": ga, "b_grad": None if same else gb,
                      "out_grad": _upstream(rng, UPSTREAM_SIGNS[n])})
    return cases


def _unary_cases(op):
    def cases(rng):
        if op == "pow":
            xs = [rng.uniform(0.4, 0.8) if n % 2 else rng.uniform(1.3, 2.0) for n in range(len(EXPONENTS))]
            ks = EXPONENTS
        else:
            xs = [rng.uniform(lo, hi) for lo, hi in UNARY_X[op]]
            ks = [None] * len(xs)
        out = []
        for n, (x, k) in enumerate(zip(xs, ks)):
            case = {"x": float(x), "k": k} if op == "pow" else {"x": float(x)}
            case.update(a_grad=_signed(rng, (-1.0 if n % 2 else 1.0,))[0], out_grad=_upstream(rng, UPSTREAM_SIGNS[n]))
            out.append(case)
        return out
    return cases


def _sign(v):
    return None if v is None else (v > 0) - (v < 0)


def _binary_features(cases):
    return tuple(("same node" if c["y"] is None else "two nodes", _sign(c["x"]), _sign(c["y"]), _sign(c["a_grad"]),
                  _sign(c["b_grad"]), _sign(c["out_grad"]), c["a_grad"] != 0,
                  c["b_grad"] is None or c["b_grad"] != 0, abs(abs(c["out_grad"]) - 1) > 0.2,
                  c["y"] is None or abs(abs(c["x"]) - abs(c["y"])) > 0.2) for c in cases)


def _region(x):
    if x == 0:
        return "x = 0"
    return "x < 0" if x < 0 else ("0 < x < 1" if x < 1 else "x > 1")


def _unary_features(cases):
    return tuple((c.get("k"), _region(c["x"]), _sign(c["a_grad"]), _sign(c["out_grad"]),
                  c["x"] != 0 and abs(c["x"] - 1) > 0.2, c["a_grad"] != 0,
                  abs(abs(c["out_grad"]) - 1) > 0.2) for c in cases)


def _backward_cases(rng):
    cases = []
    for spec in GRAPHS:
        children = probe.parse_graph(spec)
        n, e = len(children), sum(len(c) for c in children)
        alternate = [(-1.0) ** i for i in range(max(n, e))]      # fixed signs, random magnitudes
        cases.append({"graph": spec, "data": rng.uniform(-1.5, 1.5, size=n),
                      "grads": np.array(_signed(rng, alternate[:n])), "weights": np.array(_signed(rng, alternate[:e]))})
    return cases


# -- what makes a graph a good test of backward() (trusted side only) -------------------------

def _users(children):
    return [{p for p, ch in enumerate(children) if i in ch} for i in range(len(children))]


def _valid(order, children):
    """Is ``order`` (node indices, nodes with inputs only) a reverse topological order?"""
    pos = {v: k for k, v in enumerate(order)}
    users = _users(children)
    return all(pos[u] < pos[i] for i in order for u in users[i] if children[u])


def _preorder(children, reverse_children):
    order, seen, stack = [], set(), [len(children) - 1]
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if children[v]:
            order.append(v)
        kids = list(children[v])
        stack.extend(kids if reverse_children else kids[::-1])
    return order


def _bfs(children, reverse_children):
    order, seen, queue = [], {len(children) - 1}, deque([len(children) - 1])
    while queue:
        v = queue.popleft()
        if children[v]:
            order.append(v)
        kids = list(children[v])
        for c in (kids[::-1] if reverse_children else kids):
            if c not in seen:
                seen.add(c)
                queue.append(c)
    return order


def graph_features(spec):
    """Why a graph tells wrong traversals from right ones: pre-order (either child order) and
    breadth-first order are invalid on it; some node uses one input twice; some node has two users."""
    ch = probe.parse_graph(spec)
    return (not _valid(_preorder(ch, False), ch) and not _valid(_preorder(ch, True), ch),
            not _valid(_bfs(ch, False), ch) and not _valid(_bfs(ch, True), ch),
            any(len(set(c)) < len(c) for c in ch), any(len(u) > 1 for u in _users(ch)))


def _backward_features(cases):
    return tuple((c["graph"], graph_features(c["graph"]), tuple(np.sign(c["grads"]).tolist()),
                  tuple(np.sign(c["weights"]).tolist())) for c in cases)


BINARY_OUTPUTS = ("out.data", "вклад в a.grad (∂L/∂a: сколько _backward добавил)",
                  "вклад в b.grad (∂L/∂b: сколько _backward добавил)")
UNARY_OUTPUTS = ("out.data", "вклад в a.grad (∂L/∂a: сколько _backward добавил)")

#: the hint of an operation whose contribution is only close to the right one
NUMERICAL_HINT = ("вклад лишь приближённо равен верному: так получается, если производную считать "
                  "численно (конечными разностями по forward, в том числе с экстраполяцией) или в "
                  "float32. Упражнение — формула локальной производной операции (лекция), "
                  "посчитанная в float64.")
TRAVERSAL_OUTPUTS = ("число рёбер, которое вернул backward()",
                     "каждый узел с входами обработан ровно один раз",
                     "узел обработан после всех узлов, которые его используют",
                     "первым обработан выход",
                     "градиент выхода равен 1",
                     "градиенты обнулены перед обходом (градиент узла — ровно сумма вкладов)")

#: the hidden region's import: its recorded expression calls the probe on the notebook's Value
SETUP = "from bpcourse import engine_probe"

# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# Each solution cell of notebook 02 defines a function and attaches it to Value, so each
# mistake is a whole cell (whole_cell=True): the body of a function without arguments. The
# grader runs it on a fresh subclass of the reference Value and records the same probe as the
# notebook's hidden region; the e2e student variant is that body as the solution cell. It uses
# only the notebook's names (Value, math, np).


@exercise(reference=probe.operation(Value, "add"), outputs=BINARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "add")')
class add:
    cases = _binary_cases
    features = _binary_features

    class mistakes:
        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _add(self, other):
                other = self._wrap(other)
                out = Value(self.data + other.data, (self, other), "+")

                def _backward():
                    self.grad = out.grad
                    other.grad = out.grad
                out._backward = _backward
                return out

            Value.__add__ = _add

        def one_input_only():
            """вклад добавлен только в градиент первого входа: у сложения два входа, и оба получают вклад."""
            def _add(self, other):
                other = self._wrap(other)
                out = Value(self.data + other.data, (self, other), "+")

                def _backward():
                    self.grad += out.grad
                out._backward = _backward
                return out

            Value.__add__ = _add


@exercise(reference=probe.operation(Value, "mul"), outputs=BINARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "mul")', demo="uses_own_value")
class mul:
    cases = _binary_cases
    features = _binary_features

    class mistakes:
        def uses_own_value():
            """в вкладе каждого входа стоит его собственное значение; посмотрите ещё раз, от чего зависит
            ∂(a·b)/∂a."""
            def _mul(self, other):
                other = self._wrap(other)
                out = Value(self.data * other.data, (self, other), "*")

                def _backward():
                    self.grad += self.data * out.grad
                    other.grad += other.data * out.grad
                out._backward = _backward
                return out

            Value.__mul__ = _mul

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _mul(self, other):
                other = self._wrap(other)
                out = Value(self.data * other.data, (self, other), "*")

                def _backward():
                    self.grad = other.data * out.grad
                    other.grad = self.data * out.grad
                out._backward = _backward
                return out

            Value.__mul__ = _mul

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _mul(self, other):
                other = self._wrap(other)
                out = Value(self.data * other.data, (self, other), "*")

                def _backward():
                    self.grad += other.data
                    other.grad += self.data
                out._backward = _backward
                return out

            Value.__mul__ = _mul


@exercise(reference=probe.operation(Value, "pow"), outputs=UNARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "pow")')
class pow:  # the exercise's name; shadows the builtin pow in this module, which uses `**`
    cases = _unary_cases("pow")
    features = _unary_features

    class mistakes:
        def missing_exponent_factor():
            """пропущен множитель — показатель степени k."""
            def _pow(self, k):
                out = Value(self.data ** k, (self,), f"**{k:g}")

                def _backward():
                    self.grad += self.data ** (k - 1) * out.grad
                out._backward = _backward
                return out

            Value.__pow__ = _pow

        def exponent_not_reduced():
            """в производной степень не уменьшена на единицу."""
            def _pow(self, k):
                out = Value(self.data ** k, (self,), f"**{k:g}")

                def _backward():
                    self.grad += k * self.data ** k * out.grad
                out._backward = _backward
                return out

            Value.__pow__ = _pow

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _pow(self, k):
                out = Value(self.data ** k, (self,), f"**{k:g}")

                def _backward():
                    self.grad = k * self.data ** (k - 1) * out.grad
                out._backward = _backward
                return out

            Value.__pow__ = _pow

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _pow(self, k):
                out = Value(self.data ** k, (self,), f"**{k:g}")

                def _backward():
                    self.grad += k * self.data ** (k - 1)
                out._backward = _backward
                return out

            Value.__pow__ = _pow


@exercise(reference=probe.operation(Value, "exp"), outputs=UNARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "exp")')
class exp:
    cases = _unary_cases("exp")
    features = _unary_features

    class mistakes:
        def uses_input():
            """в вкладе стоит значение входа; производная экспоненты выражается через её значение —
            значение выхода (out.data)."""
            def _exp(self):
                out = Value(math.exp(self.data), (self,), "exp")

                def _backward():
                    self.grad += self.data * out.grad
                out._backward = _backward
                return out

            Value.exp = _exp

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _exp(self):
                out = Value(math.exp(self.data), (self,), "exp")

                def _backward():
                    self.grad = out.data * out.grad
                out._backward = _backward
                return out

            Value.exp = _exp

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _exp(self):
                out = Value(math.exp(self.data), (self,), "exp")

                def _backward():
                    self.grad += out.data
                out._backward = _backward
                return out

            Value.exp = _exp


@exercise(reference=probe.operation(Value, "log"), outputs=UNARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "log")')
class log:
    cases = _unary_cases("log")
    features = _unary_features

    class mistakes:
        def missing_reciprocal():
            """значение входа стоит множителем, а производная логарифма обратна ему."""
            def _log(self):
                out = Value(math.log(self.data), (self,), "log")

                def _backward():
                    self.grad += self.data * out.grad
                out._backward = _backward
                return out

            Value.log = _log

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _log(self):
                out = Value(math.log(self.data), (self,), "log")

                def _backward():
                    self.grad = out.grad / self.data
                out._backward = _backward
                return out

            Value.log = _log

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _log(self):
                out = Value(math.log(self.data), (self,), "log")

                def _backward():
                    self.grad += 1.0 / self.data
                out._backward = _backward
                return out

            Value.log = _log


@exercise(reference=probe.operation(Value, "sigmoid"), outputs=UNARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "sigmoid")')
class sigmoid:
    cases = _unary_cases("sigmoid")
    features = _unary_features

    class mistakes:
        def derivative_from_input():
            """производная сигмоиды посчитана от входа z; её считают от сохранённого *выхода* (out.data)."""
            def _sigmoid(self):
                z = self.data
                s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                out = Value(s, (self,), "sigmoid")

                def _backward():
                    self.grad += self.data * (1 - self.data) * out.grad
                out._backward = _backward
                return out

            Value.sigmoid = _sigmoid

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _sigmoid(self):
                z = self.data
                s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                out = Value(s, (self,), "sigmoid")

                def _backward():
                    self.grad += out.data * (1 - out.data)
                out._backward = _backward
                return out

            Value.sigmoid = _sigmoid

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _sigmoid(self):
                z = self.data
                s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                out = Value(s, (self,), "sigmoid")

                def _backward():
                    self.grad = out.data * (1 - out.data) * out.grad
                out._backward = _backward
                return out

            Value.sigmoid = _sigmoid


@exercise(reference=probe.operation(Value, "relu"), outputs=UNARY_OUTPUTS, tol=OPERATION_TOL, whole_cell=True, setup=SETUP,
          recorded='engine_probe.operation(Value, "relu")')
class relu:
    cases = _unary_cases("relu")
    features = _unary_features

    class mistakes:
        def passes_gradient_through():
            """градиент пропущен и там, где вход ReLU отрицателен; там вклад должен быть нулевым."""
            def _relu(self):
                out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

                def _backward():
                    self.grad += out.grad
                out._backward = _backward
                return out

            Value.relu = _relu

        def multiplies_by_output():
            """вклад умножен на значение выхода; производная ReLU — не значение выхода."""
            def _relu(self):
                out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

                def _backward():
                    self.grad += out.data * out.grad
                out._backward = _backward
                return out

            Value.relu = _relu

        def assign_not_accumulate():
            """градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз
            (или уже получил вклад), должен получить сумму всех вкладов."""
            def _relu(self):
                out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

                def _backward():
                    self.grad = (1.0 if self.data > 0 else 0.0) * out.grad
                out._backward = _backward
                return out

            Value.relu = _relu

        def forgot_upstream():
            """локальная производная не умножена на out.grad (цепное правило)."""
            def _relu(self):
                out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

                def _backward():
                    self.grad += 1.0 if self.data > 0 else 0.0
                out._backward = _backward
                return out

            Value.relu = _relu

        def one_at_zero():
            """в точке a = 0 производная ReLU в этом ноутбуке та же, что при a < 0 (конспект, eq. 28),
            а вклад добавлен как при a > 0."""
            def _relu(self):
                out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

                def _backward():
                    self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad
                out._backward = _backward
                return out

            Value.relu = _relu


@exercise(reference=probe.traversal(Value), outputs=TRAVERSAL_OUTPUTS, whole_cell=True, setup=SETUP,
          recorded="engine_probe.traversal(Value)")
class backward:
    cases = _backward_cases
    features = _backward_features

    class mistakes:
        def not_reversed():
            """узлы обходятся от входов к выходу; обратный проход идёт в *обратном* топологическом порядке."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for child in v._prev:
                            visit(child)
                        order.append(v)

                visit(self)
                for v in order:
                    v.grad = 0.0
                self.grad = 1.0
                edges = 0
                for v in order:
                    v._backward()
                    edges += len(v._prev)
                return edges

            Value.backward = _backward_pass

        def not_seeded():
            """градиент выхода не равен 1 в начале обратного прохода (∂out/∂out = 1)."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for child in v._prev:
                            visit(child)
                        order.append(v)

                visit(self)
                for v in order:
                    v.grad = 0.0
                edges = 0
                for v in reversed(order):
                    v._backward()
                    edges += len(v._prev)
                return edges

            Value.backward = _backward_pass

        def wrong_order():
            """порядок обхода не обратный топологический: узел обработан раньше, чем все узлы, которые
            его используют (обход в глубину или в ширину от выхода такого порядка не гарантирует)."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        order.append(v)
                        for child in v._prev:
                            visit(child)

                visit(self)
                for v in order:
                    v.grad = 0.0
                self.grad = 1.0
                edges = 0
                for v in order:
                    v._backward()
                    edges += len(v._prev)
                return edges

            Value.backward = _backward_pass

        def visited_twice():
            """узел, до которого ведут несколько путей, обработан несколько раз: каждый узел попадает в
            порядок обхода один раз (запоминайте посещённые)."""
            def _backward_pass(self):
                order = []

                def visit(v):
                    for child in v._prev:
                        visit(child)
                    order.append(v)

                visit(self)
                for v in order:
                    v.grad = 0.0
                self.grad = 1.0
                edges = 0
                for v in reversed(order):
                    v._backward()
                    edges += len(v._prev)
                return edges

            Value.backward = _backward_pass

        def not_zeroed():
            """градиенты не обнулены перед обратным проходом: к сумме вкладов прибавился старый градиент."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for child in v._prev:
                            visit(child)
                        order.append(v)

                visit(self)
                self.grad = 1.0
                edges = 0
                for v in reversed(order):
                    v._backward()
                    edges += len(v._prev)
                return edges

            Value.backward = _backward_pass

        def counts_nodes():
            """backward() должен вернуть число посещённых *рёбер* (сумма len(v._prev) по узлам), а не узлов."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for child in v._prev:
                            visit(child)
                        order.append(v)

                visit(self)
                for v in order:
                    v.grad = 0.0
                self.grad = 1.0
                edges = 0
                for v in reversed(order):
                    v._backward()
                    edges += 1
                return edges

            Value.backward = _backward_pass

        def no_return():
            """backward() ничего не вернул: верните число посещённых рёбер."""
            def _backward_pass(self):
                order, seen = [], set()

                def visit(v):
                    if id(v) not in seen:
                        seen.add(id(v))
                        for child in v._prev:
                            visit(child)
                        order.append(v)

                visit(self)
                for v in order:
                    v.grad = 0.0
                self.grad = 1.0
                edges = 0
                for v in reversed(order):
                    v._backward()
                    edges += len(v._prev)

            Value.backward = _backward_pass


# --- how the grader reads the kernel's evidence (outside the kernel) ----------------------------

def _read_operation(case, leaves):
    if len(leaves) not in (2, 3) or any(leaf.size != 1 for leaf in leaves):
        raise ValueError("not an operation's record")
    return probe.contributions(case, leaves), None


def _read_traversal(case, leaves):
    if len(leaves) != 5:
        raise ValueError("not a traversal's record")
    return [np.array([v]) for v in probe.facts(case["graph"], case["weights"], leaves)], None


for _op in probe.OPERATIONS:
    verify.reads_evidence(_op, _read_operation, {"precision": NUMERICAL_HINT})
    verify.OWN_FORMULA.add(_op)
verify.reads_evidence("backward", _read_traversal)
