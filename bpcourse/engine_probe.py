"""Probes of notebook 02's scalar autodiff engine: they run the student's code and report numbers.

Nothing here knows a local derivative or a traversal order. Each probe exercises exactly one
piece of the student's engine:

* :func:`run_operation` — one operation (``a + b``, ``a * b``, ``a ** k``, ``a.exp()``, …)
  built with the student's operator; the inputs' ``.grad`` and ``out.grad`` are pre-set to
  nonzero numbers and ``out._backward()`` is called once. The contract of an operation is: the
  forward value, and a ``_backward`` that *adds* (∂out/∂input)·out.grad into each input's
  ``.grad``. The probe returns ``out.data`` and the inputs' gradients afterwards.
* :func:`run_backward` — ``backward()`` alone: a fixed DAG is built with the student's
  constructor ``Value(data, _children, _op)`` only, every node's ``_backward`` is replaced by a
  recorder (it logs the call and adds weight·``out.grad`` into its inputs), every ``.grad`` is
  pre-set to garbage, and ``root.backward()`` is called. The probe returns a summary of what
  happened: the number ``backward()`` returned and five yes/no facts (:meth:`Traversal.summary`).

The hidden checks call these probes in the grading kernel with the student's ``Value``; the
grader calls them outside with the reference ``Value`` and compares. The visible checks of
notebook 02 (:func:`bpcourse.checks.check_local_backward`, :func:`bpcourse.checks.check_backward`)
run the same probes on inputs written into the check.
"""
from __future__ import annotations

import math

import numpy as np

BINARY = ("add", "mul")
UNARY = ("pow", "exp", "log", "sigmoid", "relu")
OPERATIONS = BINARY + UNARY

H = 1e-5


def apply(op: str, a, b=None, k=None):
    """``a op b`` (or ``op(a)``, ``a ** k``) with the engine's own operator."""
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "pow":
        return a ** k
    if op in UNARY:
        return getattr(a, op)()
    raise ValueError(f"unknown operation {op!r}")


def _number(value, what: str) -> float:
    """A gradient or value as a float, with a clear error when it is a node or None."""
    if hasattr(value, "data") and hasattr(value, "grad"):
        raise TypeError(f"{what} — не число, а узел Value: в _backward складывайте числа (.data, .grad), "
                        "а не узлы")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} — не число ({type(value).__name__})") from None


def run_operation(Value, op: str, x: float, y: float | None = None, k=None, a_grad: float = 0.0,
                  b_grad: float = 0.0, out_grad: float = 1.0) -> list[float]:
    """Build ``out = op(a[, b])`` with ``Value``'s operator, pre-set the gradients, call
    ``out._backward()`` once.

    ``y=None`` for a binary operation puts the same node on both sides (``a + a``, ``a * a``).
    Returns ``[out.data, a.grad]`` for a unary operation, ``[out.data, a.grad, b.grad]`` for a
    binary one (``b.grad`` is ``a.grad`` when both sides are the same node).
    """
    a = Value(x)
    a.grad = a_grad
    if op in BINARY:
        b = a if y is None else Value(y)
        if y is not None:
            b.grad = b_grad
        out = apply(op, a, b)
    else:
        b = None
        out = apply(op, a, k=k)
    out.grad = out_grad
    out._backward()
    got = [_number(out.data, "out.data"), _number(a.grad, "a.grad")]
    if b is not None:
        got.append(_number(b.grad, "b.grad"))
    return got


def operation(Value, op: str):
    """The hidden-check function of one operation: case kwargs -> one 1-element array per output
    (out.data, a.grad[, b.grad]), so that the feedback can name the output that is wrong."""
    if op not in OPERATIONS:
        raise ValueError(f"unknown operation {op!r}")

    def probe(**case):
        return tuple(np.array([v]) for v in run_operation(Value, op, **case))
    return probe


# ---------------------------------------------------------------------------------------------
# backward()

def parse_graph(spec: str) -> list[tuple[int, ...]]:
    """``"||0 1|2 2"`` -> ``[(), (), (0, 1), (2, 2)]``: node i's inputs, by index (< i).

    Nodes are separated by ``|``, a node's inputs by spaces; a leaf has none. The last node is
    the output. An input may repeat (a node used twice by the same node).
    """
    nodes = []
    for i, part in enumerate(spec.split("|")):
        children = tuple(int(c) for c in part.split())
        if any(not 0 <= c < i for c in children):
            raise ValueError(f"node {i}: inputs must be earlier nodes, got {children}")
        nodes.append(children)
    if not nodes or not nodes[-1]:
        raise ValueError("the last node (the output) must have inputs")
    reachable, stack = set(), [len(nodes) - 1]
    while stack:
        i = stack.pop()
        if i not in reachable:
            reachable.add(i)
            stack.extend(nodes[i])
    if len(reachable) != len(nodes):
        raise ValueError("every node must be reachable from the output")
    return nodes


class Traversal:
    """What happened during one ``root.backward()`` on recorder nodes (see :func:`run_backward`)."""

    def __init__(self, children, returned, calls, first, log, at_call, final, received, preset):
        self.children, self.returned, self.calls, self.first = children, returned, calls, first
        self.log, self.at_call, self.final, self.received, self.preset = log, at_call, final, received, preset
        n = len(children)
        self.root = n - 1
        self.internal = [i for i in range(n) if children[i]]
        self.users = [sorted({p for p in range(n) if i in children[p]}) for i in range(n)]

    @property
    def edges(self) -> int:
        return sum(len(c) for c in self.children)

    def not_once(self) -> list[int]:
        """Nodes with inputs whose ``_backward`` ran zero times or more than once."""
        return [i for i in self.internal if self.calls[i] != 1]

    def too_early(self) -> list[tuple[int, int]]:
        """(node, user) pairs: the node's ``_backward`` ran before (or without) its user's."""
        out = []
        for i in self.internal:
            for u in self.users[i]:
                if self.calls[i] and (not self.calls[u] or self.first[u] > self.first[i]):
                    out.append((i, u))
        return out

    def output_first(self) -> bool:
        return bool(self.log) and self.log[0] == self.root

    def seeded(self) -> bool:
        r = self.root
        return self.calls[r] > 0 and _same(self.at_call[r], 1.0) and _same(self.final[r], 1.0)

    def unclean(self) -> list[int]:
        """Nodes (but the output) whose final ``.grad`` is not exactly the sum of what their users
        added into it: a gradient left over from before, or one overwritten on the way."""
        return [i for i in range(len(self.children)) if i != self.root
                and not _same(self.final[i], self.received[i])]

    def leftover(self) -> list[int]:
        """Of :meth:`unclean`, the nodes whose final ``.grad`` is the old one plus the sum."""
        return [i for i in self.unclean() if _same(self.final[i], self.preset[i] + self.received[i])]

    def summary(self) -> list[float]:
        """[returned edge count, once, order, output_first, seeded, zeroed] — the same for every
        correct ``backward()`` and, for a wrong one, the same for every mistake of one kind."""
        return [self.returned, float(not self.not_once()), float(not self.too_early()),
                float(self.output_first()), float(self.seeded()), float(not self.unclean())]


def _same(a: float, b: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= 1e-9 * max(1.0, abs(a) + abs(b))


def run_backward(Value, graph: str, data, grads, weights) -> Traversal:
    """Build ``graph`` (:func:`parse_graph`) with ``Value(data, _children, _op)``, put a recorder
    in every node's ``_backward``, pre-set every ``.grad`` to ``grads``, call ``backward()``.

    A recorder logs its node and adds ``weights[e] * node.grad`` into the input of each of the
    node's edges ``e`` (edges numbered in the order of ``graph``).
    """
    children = parse_graph(graph)
    n = len(children)
    data, grads, weights = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (data, grads, weights))
    if data.size != n or grads.size != n or weights.size != sum(len(c) for c in children):
        raise ValueError("data and grads need one number per node, weights one per edge")
    nodes = []
    for i, ch in enumerate(children):
        nodes.append(Value(float(data[i]), tuple(nodes[j] for j in ch), "f" if ch else ""))
    calls, first, at_call = [0] * n, [0] * n, [math.nan] * n
    received, log = [0.0] * n, []
    edge = 0
    for i, ch in enumerate(children):
        if ch:
            nodes[i]._backward = _recorder(i, nodes, ch, weights[edge:edge + len(ch)], calls, first, at_call,
                                           received, log)
        edge += len(ch)
    for v, g in zip(nodes, grads):
        v.grad = float(g)
    returned = nodes[-1].backward()
    if isinstance(returned, (bool, np.bool_)) or not isinstance(returned, (int, float, np.integer, np.floating)):
        returned = -1.0                       # None (no return) or not a number
    final = [_safe_float(v.grad) for v in nodes]
    return Traversal(children, float(returned), calls, first, log, at_call, final, received, [float(g) for g in grads])


def _safe_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _recorder(i, nodes, children, weights, calls, first, at_call, received, log):
    def record_call():
        v = nodes[i]
        g = _safe_float(v.grad)
        calls[i] += 1
        if calls[i] == 1:
            first[i], at_call[i] = len(log), g
        log.append(i)
        for j, w in zip(children, weights):
            nodes[j].grad = nodes[j].grad + float(w) * g
            received[j] += float(w) * g
    return record_call


def traversal(Value):
    """The hidden-check function of ``backward()``: case kwargs -> one 1-element array per
    entry of :meth:`Traversal.summary`."""
    def probe(graph, data, grads, weights):
        return tuple(np.array([v]) for v in run_backward(Value, graph, data, grads, weights).summary())
    return probe
