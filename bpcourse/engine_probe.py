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
  pre-set to garbage, and ``root.backward()`` is called. The probe returns what happened
  (:class:`Traversal`).

What the grading kernel records is raw evidence, never a conclusion: a student's cell can
replace this module, so nothing computed here in the kernel may decide a grade. For
``backward()`` the kernel records :meth:`Traversal.evidence` — the value ``backward()``
returned, which recorder ran when, the ``.grad`` each one saw and every final ``.grad`` — and
the grader, in its own process, derives the facts from the graph, the per-student weights and
that evidence (:func:`facts`): each recorder must have seen exactly the sum of what its users
sent it, so a record that passes is a correct traversal's. For an operation the kernel records
``out.data`` and the gradients; the grader compares each input's *contribution* (its ``.grad``
after minus before, :func:`contributions`) with the reference's within a few units in the last
place, which every analytic formula meets and a finite difference of the forward pass does not.

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

    def __init__(self, children, returned, calls, first, log, at_call, final, received, preset, seen=None):
        self.children, self.returned, self.calls, self.first = children, returned, calls, first
        self.log, self.at_call, self.final, self.received, self.preset = log, at_call, final, received, preset
        self.seen = list(seen) if seen is not None else []
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

    def evidence(self) -> tuple[np.ndarray, ...]:
        """What the grading kernel records (raw, no conclusion): ``[returned]``, ``[number of
        recorder calls]``, the recorders' log (node indices in call order, at most
        :data:`MAX_CALLS`), the ``.grad`` each call saw, every node's final ``.grad``."""
        log = self.log[:MAX_CALLS]
        return (np.array([self.returned]), np.array([float(len(self.log))]),
                np.array(log, dtype=np.float64), np.array(self.seen[:MAX_CALLS], dtype=np.float64),
                np.array(self.final, dtype=np.float64))


def _same(a: float, b: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= 1e-9 * max(1.0, abs(a) + abs(b))


#: recorder calls kept in the evidence (a correct traversal of a graded DAG makes about ten)
MAX_CALLS = 4096


def facts(graph: str, weights, evidence) -> list[float]:
    """The grader's reading of one ``backward()`` from the kernel's raw :meth:`Traversal.evidence`,
    in the grader's process: ``[returned, once, order, output_first, seeded, zeroed]`` as in
    :meth:`Traversal.summary`, each fact recomputed here from the graph and the weights.

    "zeroed" asks more than the kernel's summary did: every call of a recorder (but the
    output's) must have seen exactly the sum of what the recorders that ran before it sent into
    its node, and every final ``.grad`` (but the output's) the sum of everything sent into it.
    So a record that claims a clean traversal carries the true gradient of every node, which
    only a correct reverse traversal (or a reimplementation of one) produces. Evidence that is
    not a recording (wrong lengths, indices that are not nodes, NaN) makes the facts false.
    """
    children = parse_graph(graph)
    n, root = len(children), len(children) - 1
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    returned, total, log, seen, final = (np.asarray(e, dtype=np.float64).reshape(-1) for e in evidence)
    returned = float(returned[0]) if returned.size == 1 and math.isfinite(returned[0]) else -1.0
    internal = [i for i in range(n) if children[i]]
    valid = (total.size == 1 and total[0] == log.size and log.size == seen.size and final.size == n
             and all(v.is_integer() and int(v) in internal for v in log.tolist()))
    if not valid:
        return [returned, 0.0, 0.0, 0.0, 0.0, 0.0]
    order = [int(v) for v in log.tolist()]
    calls = [order.count(i) for i in range(n)]
    first = [order.index(i) if calls[i] else -1 for i in range(n)]
    users = [sorted({p for p in range(n) if i in children[p]}) for i in range(n)]
    once = all(calls[i] == 1 for i in internal)
    in_order = all(not calls[i] or (calls[u] and first[u] < first[i]) for i in internal for u in users[i])
    output_first = bool(order) and order[0] == root
    seeded = bool(calls[root]) and _same(float(seen[first[root]]), 1.0) and _same(float(final[root]), 1.0)
    edge_start = np.cumsum([0] + [len(c) for c in children])
    received, clean = [0.0] * n, True
    for k, u in enumerate(order):
        g = float(seen[k])
        if u != root and not _same(g, received[u]):
            clean = False
        for j, w in zip(children[u], weights[edge_start[u]:edge_start[u + 1]]):
            received[j] = received[j] + float(w) * g
    clean = clean and all(_same(float(final[i]), received[i]) for i in range(n) if i != root)
    return [returned, float(once), float(in_order), float(output_first), float(seeded), float(clean)]


def contributions(case: dict, got) -> list[np.ndarray]:
    """The grader's reading of one operation's record ``[out.data, a.grad(, b.grad)]``: out.data
    and what ``_backward`` added into each input's ``.grad`` (after minus the pre-set value), so
    that the comparison is relative to the contribution itself, not to a sum that may cancel."""
    got = [np.asarray(g, dtype=np.float64).reshape(-1) for g in got]
    a_grad = float(case.get("a_grad", 0.0))
    b_grad = case.get("b_grad")
    b_grad = a_grad if b_grad is None else float(b_grad)
    out = [got[0], got[1] - a_grad]
    if len(got) > 2:
        out.append(got[2] - b_grad)
    return out


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
    received, log, seen = [0.0] * n, [], []
    edge = 0
    for i, ch in enumerate(children):
        if ch:
            nodes[i]._backward = _recorder(i, nodes, ch, weights[edge:edge + len(ch)], calls, first, at_call,
                                           received, log, seen)
        edge += len(ch)
    for v, g in zip(nodes, grads):
        v.grad = float(g)
    returned = nodes[-1].backward()
    if isinstance(returned, (bool, np.bool_)) or not isinstance(returned, (int, float, np.integer, np.floating)):
        returned = -1.0                       # None (no return) or not a number
    final = [_safe_float(v.grad) for v in nodes]
    return Traversal(children, float(returned), calls, first, log, at_call, final, received,
                     [float(g) for g in grads], seen)


def _safe_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _recorder(i, nodes, children, weights, calls, first, at_call, received, log, seen):
    def record_call():
        v = nodes[i]
        g = _safe_float(v.grad)
        calls[i] += 1
        if calls[i] == 1:
            first[i], at_call[i] = len(log), g
        log.append(i)
        seen.append(g)
        for j, w in zip(children, weights):
            nodes[j].grad = nodes[j].grad + float(w) * g
            received[j] += float(w) * g
    return record_call


def traversal(Value):
    """The hidden-check function of ``backward()``: case kwargs -> the raw
    :meth:`Traversal.evidence` (the grader reads it with :func:`facts`, outside the kernel)."""
    def probe(graph, data, grads, weights):
        return run_backward(Value, graph, data, grads, weights).evidence()
    return probe
