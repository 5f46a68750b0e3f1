"""Typical mistakes in the scalar autodiff engine of notebook 02.

Each variant is the reference ``Value`` with one method wrong, run through the same probe as
the student's class (:mod:`bpcourse.engine_probe`): one operation alone, or ``backward()``
alone on recorder nodes. Hints name the mistake, never the derivative.
"""
from __future__ import annotations

from bpcourse import engine_probe as probe
from solutions.engine import Value as Ref
from solutions.mistakes import Mistake

ASSIGN = ("градиент присвоен, а не добавлен (= вместо +=): узел, который используется несколько раз "
          "(или уже получил вклад), должен получить сумму всех вкладов.")
NO_UPSTREAM = "локальная производная не умножена на out.grad (цепное правило)."


def _variant(method: str, backward):
    """A Value whose ``method`` builds the reference output but attaches
    ``backward(out, *inputs, *args)`` as its ``_backward``."""
    def build(self, *args):
        out = getattr(Ref, method)(self, *args)
        out.__class__ = type(self)   # the reference builds a plain Value; keep the variant downstream
        inputs = out._prev
        extra = args if method == "__pow__" else ()
        out._backward = lambda: backward(out, *inputs, *extra)
        return out
    return type(f"Value_{method.strip('_')}", (Ref,), {method: build})


def _mistake(op: str, name: str, method: str, backward, hint: str) -> Mistake:
    return Mistake(name, probe.operation(_variant(method, backward), op), hint)


# -- add, mul --------------------------------------------------------------------------------

def _add_assign(out, a, b):
    a.grad = out.grad
    b.grad = out.grad


def _add_one_side(out, a, b):
    a.grad += out.grad


def _mul_own(out, a, b):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _mul_assign(out, a, b):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _mul_no_upstream(out, a, b):
    a.grad += b.data
    b.grad += a.data


ADD = [
    _mistake("add", "assign_not_accumulate", "__add__", _add_assign, ASSIGN),
    _mistake("add", "one_input_only", "__add__", _add_one_side,
             "вклад добавлен только в градиент первого входа: у сложения два входа, и оба получают вклад."),
]
MUL = [
    _mistake("mul", "uses_own_value", "__mul__", _mul_own,
             "в вкладе каждого входа стоит его собственное значение; посмотрите ещё раз, от чего зависит "
             "∂(a·b)/∂a."),
    _mistake("mul", "assign_not_accumulate", "__mul__", _mul_assign, ASSIGN),
    _mistake("mul", "forgot_upstream", "__mul__", _mul_no_upstream, NO_UPSTREAM),
]


# -- pow, exp, log, sigmoid, relu ------------------------------------------------------------

def _pow_no_k(out, a, k):
    a.grad += a.data ** (k - 1) * out.grad


def _pow_same_k(out, a, k):
    a.grad += k * a.data ** k * out.grad


def _pow_no_upstream(out, a, k):
    a.grad += k * a.data ** (k - 1)


def _pow_assign(out, a, k):
    a.grad = k * a.data ** (k - 1) * out.grad


POW = [
    _mistake("pow", "missing_exponent_factor", "__pow__", _pow_no_k,
             "пропущен множитель — показатель степени k."),
    _mistake("pow", "exponent_not_reduced", "__pow__", _pow_same_k,
             "в производной степень не уменьшена на единицу."),
    _mistake("pow", "assign_not_accumulate", "__pow__", _pow_assign, ASSIGN),
    _mistake("pow", "forgot_upstream", "__pow__", _pow_no_upstream, NO_UPSTREAM),
]


def _exp_input(out, a):
    a.grad += a.data * out.grad


def _exp_no_upstream(out, a):
    a.grad += out.data


def _exp_assign(out, a):
    a.grad = out.data * out.grad


EXP = [
    _mistake("exp", "uses_input", "exp", _exp_input,
             "в вкладе стоит значение входа; производная экспоненты выражается через её значение — "
             "значение выхода (out.data)."),
    _mistake("exp", "assign_not_accumulate", "exp", _exp_assign, ASSIGN),
    _mistake("exp", "forgot_upstream", "exp", _exp_no_upstream, NO_UPSTREAM),
]


def _log_no_reciprocal(out, a):
    a.grad += a.data * out.grad


def _log_no_upstream(out, a):
    a.grad += 1.0 / a.data


def _log_assign(out, a):
    a.grad = out.grad / a.data


LOG = [
    _mistake("log", "missing_reciprocal", "log", _log_no_reciprocal,
             "значение входа стоит множителем, а производная логарифма обратна ему."),
    _mistake("log", "assign_not_accumulate", "log", _log_assign, ASSIGN),
    _mistake("log", "forgot_upstream", "log", _log_no_upstream, NO_UPSTREAM),
]


def _sigmoid_from_input(out, a):
    a.grad += a.data * (1 - a.data) * out.grad


def _sigmoid_no_upstream(out, a):
    a.grad += out.data * (1 - out.data)


def _sigmoid_assign(out, a):
    a.grad = out.data * (1 - out.data) * out.grad


SIGMOID = [
    _mistake("sigmoid", "derivative_from_input", "sigmoid", _sigmoid_from_input,
             "производная сигмоиды посчитана от входа z; её считают от сохранённого *выхода* (out.data)."),
    _mistake("sigmoid", "forgot_upstream", "sigmoid", _sigmoid_no_upstream, NO_UPSTREAM),
    _mistake("sigmoid", "assign_not_accumulate", "sigmoid", _sigmoid_assign, ASSIGN),
]


def _relu_pass(out, a):
    a.grad += out.grad


def _relu_from_output(out, a):
    a.grad += out.data * out.grad


def _relu_no_upstream(out, a):
    a.grad += 1.0 if a.data > 0 else 0.0


def _relu_kink(out, a):
    a.grad += (1.0 if a.data >= 0 else 0.0) * out.grad


def _relu_assign(out, a):
    a.grad = (1.0 if a.data > 0 else 0.0) * out.grad


RELU = [
    _mistake("relu", "passes_gradient_through", "relu", _relu_pass,
             "градиент пропущен и там, где вход ReLU отрицателен; там вклад должен быть нулевым."),
    _mistake("relu", "multiplies_by_output", "relu", _relu_from_output,
             "вклад умножен на значение выхода; производная ReLU — не значение выхода."),
    _mistake("relu", "assign_not_accumulate", "relu", _relu_assign, ASSIGN),
    _mistake("relu", "forgot_upstream", "relu", _relu_no_upstream, NO_UPSTREAM),
    _mistake("relu", "one_at_zero", "relu", _relu_kink,
             "в точке a = 0 производная ReLU в этом ноутбуке та же, что при a < 0 (конспект, eq. 28), "
             "а вклад добавлен как при a > 0."),
]


# -- backward() ------------------------------------------------------------------------------

def _post_order(root, dedupe=True):
    order, seen = [], set()

    def visit(v):
        if not dedupe or id(v) not in seen:
            seen.add(id(v))
            for child in v._prev:
                visit(child)
            order.append(v)
    visit(root)
    return order


def _pre_order(root):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            order.append(v)
            for child in v._prev:
                visit(child)
    visit(root)
    return order


class _NotReversed(Ref):
    def backward(self):
        order = _post_order(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in order:                       # inputs first: wrong direction
            v._backward()
        return sum(len(v._prev) for v in order)


class _NotSeeded(Ref):
    def backward(self):
        order = _post_order(self)
        for v in order:
            v.grad = 0.0
        for v in reversed(order):             # out.grad never set to 1
            v._backward()
        return sum(len(v._prev) for v in order)


class _PreOrder(Ref):
    def backward(self):
        order = _pre_order(self)              # a node before its inputs, but not after all its users
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in order:
            v._backward()
        return sum(len(v._prev) for v in order)


class _NoVisitedSet(Ref):
    def backward(self):
        order = _post_order(self, dedupe=False)   # a node reached by two paths is listed twice
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()
        return sum(len(v._prev) for v in order)


class _NotZeroed(Ref):
    def backward(self):
        order = _post_order(self)
        self.grad = 1.0                       # the other nodes keep their old gradients
        for v in reversed(order):
            v._backward()
        return sum(len(v._prev) for v in order)


class _CountsNodes(Ref):
    def backward(self):
        Ref.backward(self)
        return len(self.topological_order())


class _NoReturn(Ref):
    def backward(self):
        Ref.backward(self)


BACKWARD = [
    Mistake("not_reversed", probe.traversal(_NotReversed),
            "узлы обходятся от входов к выходу; обратный проход идёт в *обратном* топологическом порядке."),
    Mistake("not_seeded", probe.traversal(_NotSeeded),
            "градиент выхода не равен 1 в начале обратного прохода (∂out/∂out = 1)."),
    Mistake("wrong_order", probe.traversal(_PreOrder),
            "порядок обхода не обратный топологический: узел обработан раньше, чем все узлы, которые "
            "его используют (обход в глубину или в ширину от выхода такого порядка не гарантирует)."),
    Mistake("visited_twice", probe.traversal(_NoVisitedSet),
            "узел, до которого ведут несколько путей, обработан несколько раз: каждый узел попадает в "
            "порядок обхода один раз (запоминайте посещённые)."),
    Mistake("not_zeroed", probe.traversal(_NotZeroed),
            "градиенты не обнулены перед обратным проходом: к сумме вкладов прибавился старый градиент."),
    Mistake("counts_nodes", probe.traversal(_CountsNodes),
            "backward() должен вернуть число посещённых *рёбер* (сумма len(v._prev) по узлам), а не узлов."),
    Mistake("no_return", probe.traversal(_NoReturn),
            "backward() ничего не вернул: верните число посещённых рёбер."),
]
