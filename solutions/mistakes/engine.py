"""Typical mistakes in the scalar autodiff engine of notebook 02.

Each variant is the reference ``Value`` with one method wrong; it is run through the same
program interpreter as the student's class (:func:`bpcourse.graphs.run_program`), so only
the operation under test (or the traversal) differs.
"""
from __future__ import annotations

from bpcourse.graphs import run_program
from solutions.engine import Value as Ref
from solutions.mistakes import Mistake


def _op(method: str, backward):
    """A Value whose ``method`` builds the right output but attaches ``backward(self, other, out)``."""
    def build(self, other=None):
        ref = getattr(Ref, method)
        out = ref(self) if other is None else ref(self, other)
        out.__class__ = type(self)   # the reference builds a plain Value; keep the variant downstream
        inputs = out._prev
        out._backward = lambda: backward(out, *inputs)
        return out
    return type(f"Value_{method}", (Ref,), {method: build})


def _probe(cls, op):
    return lambda program, leaves: run_program(cls, program, leaves, student_op=op)


def _add_assign(out, a, b):
    a.grad = out.grad
    b.grad = out.grad


def _mul_own(out, a, b):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _mul_assign(out, a, b):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _pow_no_k(self, k):
    out = Ref.__pow__(self, k)
    out.__class__ = type(self)
    out._backward = lambda: setattr(self, "grad", self.grad + self.data ** (k - 1) * out.grad)
    return out


def _pow_same_k(self, k):
    out = Ref.__pow__(self, k)
    out.__class__ = type(self)
    out._backward = lambda: setattr(self, "grad", self.grad + k * self.data ** k * out.grad)
    return out


def _exp_input(out, a):
    a.grad += a.data * out.grad


def _log_no_reciprocal(out, a):
    a.grad += a.data * out.grad


def _sigmoid_from_input(out, a):
    a.grad += a.data * (1 - a.data) * out.grad


def _sigmoid_no_upstream(out, a):
    a.grad += out.data * (1 - out.data)


def _relu_pass(out, a):
    a.grad += out.grad


def _relu_from_output(out, a):
    a.grad += out.data * out.grad


ADD = [Mistake("assign_not_accumulate", _probe(_op("__add__", _add_assign), "add"),
               "градиент присваивается (=), а нужно прибавлять (+=): узел, использованный дважды, "
               "получает вклады от обоих путей.")]
MUL = [
    Mistake("uses_own_value", _probe(_op("__mul__", _mul_own), "mul"),
            "∂(a·b)/∂a = b: множитель — значение *другого* аргумента, а не своё."),
    Mistake("assign_not_accumulate", _probe(_op("__mul__", _mul_assign), "mul"),
            "градиент присваивается (=), а нужно прибавлять (+=)."),
]
POW = [
    Mistake("missing_exponent_factor", _probe(type("V", (Ref,), {"__pow__": _pow_no_k}), "pow"),
            "d(xᵏ)/dx = k·xᵏ⁻¹: пропущен множитель k."),
    Mistake("exponent_not_reduced", _probe(type("V", (Ref,), {"__pow__": _pow_same_k}), "pow"),
            "d(xᵏ)/dx = k·xᵏ⁻¹: степень уменьшается на единицу."),
]
EXP = [Mistake("uses_input", _probe(_op("exp", _exp_input), "exp"),
               "(eˣ)' = eˣ — это значение *выхода* (out.data), а не входа.")]
LOG = [Mistake("missing_reciprocal", _probe(_op("log", _log_no_reciprocal), "log"),
               "(ln x)' = 1/x: делите на значение входа, а не умножайте.")]
SIGMOID = [
    Mistake("derivative_from_input", _probe(_op("sigmoid", _sigmoid_from_input), "sigmoid"),
            "σ' = σ(1 − σ) считается от *выхода* (out.data), а не от входа z."),
    Mistake("forgot_upstream", _probe(_op("sigmoid", _sigmoid_no_upstream), "sigmoid"),
            "локальная производная не умножена на out.grad (цепное правило)."),
]
RELU = [
    Mistake("passes_gradient_through", _probe(_op("relu", _relu_pass), "relu"),
            "ReLU пропускает градиент только там, где вход > 0; иначе производная 0."),
    Mistake("multiplies_by_output", _probe(_op("relu", _relu_from_output), "relu"),
            "производная ReLU — 1 или 0, а не значение выхода."),
]


class _NotReversed(Ref):
    def backward(self):
        order = self.topological_order()
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in order:                       # inputs first: wrong direction
            v._backward()
        return sum(len(v._prev) for v in order)


class _NotSeeded(Ref):
    def backward(self):
        order = self.topological_order()
        for v in order:
            v.grad = 0.0
        for v in reversed(order):             # out.grad never set to 1
            v._backward()
        return sum(len(v._prev) for v in order)


class _NoTopoSort(Ref):
    def backward(self):
        for v in self.topological_order():
            v.grad = 0.0
        self.grad = 1.0
        count = 0

        def visit(v):                          # depth-first from the output, no ordering:
            nonlocal count                     # a shared node propagates before it is complete
            v._backward()
            count += len(v._prev)
            for child in v._prev:
                visit(child)
        visit(self)
        return count


class _CountsNodes(Ref):
    def backward(self):
        Ref.backward(self)
        return len(self.topological_order())


def _traversal(cls):
    return lambda program, leaves: run_program(cls, program, leaves, student_backward=True)


BACKWARD = [
    Mistake("not_reversed", _traversal(_NotReversed),
            "узлы обходятся от входов к выходу; обратный проход идёт в *обратном* топологическом порядке."),
    Mistake("not_seeded", _traversal(_NotSeeded),
            "не задан градиент выхода: перед обходом out.grad = 1 (∂out/∂out = 1)."),
    Mistake("no_topological_sort", _traversal(_NoTopoSort),
            "узел передаёт градиент дальше раньше, чем собрал вклады от всех своих потребителей: "
            "нужна топологическая сортировка."),
    Mistake("counts_nodes", _traversal(_CountsNodes),
            "backward() должен вернуть число посещённых *рёбер* (Σ по узлам числа входов), а не узлов."),
]
