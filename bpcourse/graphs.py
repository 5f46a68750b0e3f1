"""Computation graphs: a program interpreter for checking an autodiff engine, and a drawing.

A *program* is a string of instructions over numbered nodes; nodes 0…n−1 are the leaves
(the inputs), every instruction appends one node::

    "mul 0 1; add 2 0; pow 3 2; exp 4"      # n3 = x0*x1, n4 = n3+x0, n5 = n4**2, n6 = exp(n5)

:func:`run_program` builds it with a ``Value`` class (notebook 02's, or any with the same
interface: ``Value(data, _children, _op)``, ``.data``, ``.grad``, ``._prev``, ``._backward``,
``backward()``). Only the operation named ``student_op`` uses that class's own operator; every
other node gets a correct local backward from here, and unless ``student_backward`` the
reverse traversal is done here too. So one operation, or the traversal alone, is checked in
isolation: a bug elsewhere cannot hide or fake it.

:func:`draw_graph` draws a graph (values and gradients on the nodes) with matplotlib only.
"""
from __future__ import annotations

import math

import numpy as np

UNARY = ("pow", "exp", "log", "sigmoid", "relu")
BINARY = ("add", "mul")


def parse(program: str) -> list[tuple[str, int, float | None]]:
    """'mul 0 1; pow 2 3' -> [('mul', 0, 1.0), ('pow', 2, 3.0)]"""
    out = []
    for ins in filter(None, (p.strip() for p in program.split(";"))):
        parts = ins.split()
        op, i = parts[0], int(parts[1])
        if op not in UNARY + BINARY:
            raise ValueError(f"unknown operation {op!r}")
        out.append((op, i, float(parts[2]) if len(parts) > 2 else None))
    return out


def _local(op: str, a: float, b: float | None, out: float) -> tuple:
    """Correct local derivatives d(out)/d(inputs)."""
    if op == "add":
        return (1.0, 1.0)
    if op == "mul":
        return (b, a)
    if op == "pow":
        return (b * a ** (b - 1),)
    if op == "exp":
        return (out,)
    if op == "log":
        return (1.0 / a,)
    if op == "sigmoid":
        return (out * (1.0 - out),)
    return (1.0 if a > 0 else 0.0,)   # relu


def _forward(op: str, a: float, b: float | None) -> float:
    return {"add": lambda: a + b, "mul": lambda: a * b, "pow": lambda: a ** b, "exp": lambda: math.exp(a),
            "log": lambda: math.log(a), "sigmoid": lambda: 1.0 / (1.0 + math.exp(-a)),
            "relu": lambda: max(a, 0.0)}[op]()


def _trusted_node(Value, op, inputs, const):
    args = [v.data for v in inputs]
    data = _forward(op, args[0], args[1] if len(args) > 1 else const)
    out = Value(data, tuple(inputs), op)
    local = _local(op, args[0], args[1] if len(args) > 1 else const, data)

    def _backward():
        for v, d in zip(inputs, local):
            v.grad += d * out.grad
    out._backward = _backward
    return out


def _student_node(op, a, b, const):
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "pow":
        return a ** const
    return getattr(a, op)()


def _all_nodes(out) -> list:
    """Every node reachable from ``out`` (in no particular order), for drawing."""
    nodes, stack, seen = [], [out], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            nodes.append(v)
            stack.extend(v._prev)
    return nodes


def run_program(Value, program: str, leaves, *, student_op: str | None = None,
                student_backward: bool = False) -> np.ndarray:
    """Build ``program`` over ``leaves`` and backpropagate from its last node.

    Returns
    -------
    ndarray: the leaves' gradients, then the output's value, then (with ``student_backward``)
    the number of edges ``backward()`` reported visiting.
    """
    nodes = [Value(float(v)) for v in np.asarray(leaves, dtype=np.float64).reshape(-1)]
    n_leaves = len(nodes)
    for op, i, arg in parse(program):
        a = nodes[i]
        b = nodes[int(arg)] if op in BINARY else None
        const = arg if op == "pow" else None
        inputs = [a] if b is None else [a, b]
        nodes.append(_student_node(op, a, b, const) if op == student_op else _trusted_node(Value, op, inputs, const))
    out = nodes[-1]
    extra = []
    if student_backward:
        extra = [float(out.backward() or 0)]
    else:
        # every instruction appended its node after its inputs: program order is topological
        for v in nodes:
            v.grad = 0.0
        out.grad = 1.0
        for v in reversed(nodes):
            v._backward()
    return np.array([v.grad for v in nodes[:n_leaves]] + [out.data] + extra, dtype=np.float64)


class GraphNode:
    """A plain node to draw (no autodiff): what :func:`draw_graph` needs."""

    def __init__(self, label: str, data: float, children=(), op: str = "", grad: float | None = None):
        self.label, self.data, self._prev, self._op, self.grad = label, data, tuple(children), op, grad


def draw_graph(out, ax=None, title: str | None = None, edge_labels: dict | None = None):
    """Draw the graph ending in ``out``: inputs on the left, the output on the right.

    Each node shows its operation (or label), value and, if set, gradient. ``edge_labels``
    maps (child, parent) node pairs to text written on the edge (e.g. local derivatives).
    """
    import matplotlib.pyplot as plt

    order = _all_nodes(out)
    level = {id(v): 0 for v in order}
    for _ in range(len(order)):          # longest path from the inputs: the node's column
        changed = False
        for v in order:
            for c in v._prev:
                if level[id(v)] < level[id(c)] + 1:
                    level[id(v)], changed = level[id(c)] + 1, True
        if not changed:
            break
    columns: dict[int, list] = {}
    for v in sorted(order, key=lambda n: level[id(n)]):
        columns.setdefault(level[id(v)], []).append(v)
    pos = {}
    for x, col in columns.items():
        for k, v in enumerate(col):
            pos[id(v)] = (x, (len(col) - 1) / 2 - k)
    if ax is None:
        width = max(4, 2.2 * len(columns))
        height = max(2.5, 1.3 * max(len(c) for c in columns.values()))
        _, ax = plt.subplots(figsize=(width, height))
    for v in order:
        for c in v._prev:
            (x0, y0), (x1, y1) = pos[id(c)], pos[id(v)]
            ax.annotate("", xy=(x1 - 0.28, y1), xytext=(x0 + 0.28, y0),
                        arrowprops=dict(arrowstyle="->", color="0.45", lw=1))
            if edge_labels and (c, v) in edge_labels:
                ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.08, edge_labels[(c, v)], fontsize=8,
                        color="C3", ha="center")
    for v in order:
        x, y = pos[id(v)]
        name = getattr(v, "label", "") or v._op or "x"
        text = f"{name}\n{v.data:.4g}"
        if getattr(v, "grad", None) is not None:
            text += f"\n∂ = {v.grad:.4g}"
        ax.text(x, y, text, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.35", fc="#eaf2f8" if v._prev else "#fef9e7", ec="0.4"))
    ax.set_xlim(-0.6, max(columns) + 0.6)
    ys = [p[1] for p in pos.values()]
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def check_operation(Value, op: str, program: str, leaves, *, student_backward: bool = False) -> None:
    """Visible check of one engine operation (or of ``backward()``) against numerical derivatives.

    The forward values come from the same program, so nothing here knows the right formula.
    """
    from bpcourse import checks
    from bpcourse.gradcheck import numerical_gradient

    leaves = np.asarray(leaves, dtype=np.float64)
    name = f"backward() на {program!r}" if student_backward else f"∂ через «{op}» на {program!r}"
    kw = {"student_backward": student_backward} if student_backward else {"student_op": op}
    got = run_program(Value, program, leaves, **kw)
    grads = got[:leaves.size]
    numeric = numerical_gradient(lambda v: run_program(Value, program, v, student_op=op)[leaves.size], leaves.copy())
    checks.check_gradient(name, grads, numeric, tol=1e-6)
