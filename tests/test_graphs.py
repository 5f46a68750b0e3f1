"""bpcourse.graphs: the drawing of a computation graph, and nothing else (no derivative, no traversal
order an exercise asks for)."""
from __future__ import annotations

import ast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bpcourse.graphs import GraphNode, draw_graph  # noqa: E402
from solutions.engine import Value  # noqa: E402


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_the_module_is_the_drawing_only(repo):
    tree = ast.parse((repo / "bpcourse" / "graphs.py").read_text())
    public = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}
    assert public == {"GraphNode", "draw_graph"}
    source = (repo / "bpcourse" / "graphs.py").read_text()
    for answer in ["_backward", "grad +=", "math.exp", "math.log", "1.0 - ", "reversed("]:
        assert answer not in source, answer


def test_inputs_left_output_right_with_values_and_edge_labels():
    x, y = GraphNode("x", 1.0), GraphNode("y", 2.0)
    s = GraphNode("s = x + y", 3.0, [x, y])
    f = GraphNode("f = s·x", 3.0, [s, x], grad=1.0)
    ax = draw_graph(f, title="t", edge_labels={(x, f): "∂ = 3"})
    shown = texts(ax)
    assert "x\n1" in shown and "y\n2" in shown and "s = x + y\n3" in shown and "f = s·x\n3\n∂ = 1" in shown
    assert "∂ = 3" in shown and ax.get_title() == "t"
    pos = {t.get_text().split("\n")[0]: t.get_position() for t in ax.texts if "\n" in t.get_text()}
    assert pos["x"][0] == pos["y"][0] == 0 and pos["s = x + y"][0] == 1 and pos["f = s·x"][0] == 2
    assert len([p for p in ax.texts if "\n" in p.get_text()]) == 4   # a node shared by two users drawn once
    plt.close("all")


def test_an_engine_graph_with_gradients_and_a_constant_leaf():
    w, x, b = Value(0.8, label="w"), Value(1.5, label="x"), Value(-0.2, label="b")
    L = (w * x + b).sigmoid() - 1.0
    L.backward()
    shown = texts(draw_graph(L))
    assert any(t.startswith("w\n0.8\n∂ = ") for t in shown) and any(t.startswith("sigmoid\n") for t in shown)
    assert any(t.startswith("конст.\n") for t in shown)      # the 1.0 and the −1 of the subtraction
    assert sum(t.startswith("x\n") for t in shown) == 1                  # x drawn, once, with its value
    assert any(t.startswith("x\n1.5\n∂ = ") for t in shown)
    plt.close("all")


def test_draws_into_a_given_axis():
    _, ax = plt.subplots()
    assert draw_graph(GraphNode("a", 1.0), ax=ax) is ax
    plt.close("all")


# --- any graph: each node once, in the column of its longest path from the inputs, every edge an arrow

from hypothesis import given, settings, strategies as st  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402


@st.composite
def dags(draw):
    """A random computation graph: node k's inputs are earlier nodes (repeats allowed)."""
    n = draw(st.integers(1, 7))
    nodes = []
    for k in range(n):
        children = draw(st.lists(st.integers(0, k - 1), max_size=3)) if k else []
        nodes.append(GraphNode(f"n{k}", float(k), [nodes[i] for i in children]))
    return nodes


def _depth(v):
    return 1 + max(map(_depth, v._prev)) if v._prev else 0


@settings(max_examples=30, deadline=None)
@given(dags())
def test_any_graph_each_node_once_in_its_column_and_every_edge_an_arrow(nodes):
    out = nodes[-1]
    reachable, stack = {}, [out]
    while stack:
        v = stack.pop()
        if id(v) not in reachable:
            reachable[id(v)] = v
            stack.extend(v._prev)
    ax = draw_graph(out)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    labels = [t for t in ax.texts if not isinstance(t, Annotation)]
    boxes = {t.get_text().split("\n")[0]: t.get_position() for t in labels}
    assert sorted(boxes) == sorted(v.label for v in reachable.values())
    assert len(labels) == len(reachable)                         # no node drawn twice
    for v in reachable.values():
        assert boxes[v.label][0] == _depth(v), v.label
    assert len(arrows) == sum(len(v._prev) for v in reachable.values())
    plt.close("all")
