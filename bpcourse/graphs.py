"""Drawing a computation graph with matplotlib only: values, gradients and edge labels.

:func:`draw_graph` draws any graph whose nodes have ``data``, ``_prev`` (inputs), ``_op`` and
optionally ``label`` and ``grad`` — notebook 02's ``Value`` or a plain :class:`GraphNode`.
"""
from __future__ import annotations


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
        name = getattr(v, "label", "") or v._op or "конст."   # an unnamed leaf is a constant
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


def _all_nodes(out) -> list:
    """Every node reachable from ``out`` (in no particular order), for drawing."""
    found, stack = {}, [out]
    while stack:
        v = stack.pop()
        if id(v) not in found:
            found[id(v)] = v
            stack.extend(v._prev)
    return list(found.values())
