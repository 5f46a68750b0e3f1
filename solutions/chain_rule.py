"""Reference for notebook 01: the graph of f(x, y) = x² + xy + (x + y)², the chain rule,
the error of a numerical derivative, the Jacobian of a composition, and path counting.

The graph (lecture 000, slides 1–5): a = x², b = x·y, c = x + y, d = c², f = a + b + d.
``grad_f`` takes the edge derivatives as inputs, so that it is graded apart from
``local_derivatives``: ``grad_f(*local_derivatives(x, y))`` is the gradient at (x, y).
"""
from __future__ import annotations

import numpy as np


def forward_values(x: float, y: float) -> tuple:
    """Node values (a, b, c, d, f)."""
    a, b, c = x * x, x * y, x + y
    d = c * c
    return a, b, c, d, a + b + d


def local_derivatives(x: float, y: float) -> tuple:
    """Edge derivatives (∂a/∂x, ∂b/∂x, ∂b/∂y, ∂c/∂x, ∂c/∂y, ∂d/∂c); the edges into f are all 1."""
    return 2 * x, y, x, 1.0, 1.0, 2 * (x + y)


def grad_f(da_dx: float, db_dx: float, db_dy: float, dc_dx: float, dc_dy: float, dd_dc: float) -> tuple:
    """(∂f/∂x, ∂f/∂y) from the edge derivatives: the sum over paths of the products of edge
    derivatives (the edges into f = a + b + d are 1). Any values, not only those of one (x, y)."""
    return da_dx + db_dx + dd_dc * dc_dx, db_dy + dd_dc * dc_dy


def derivative_error(f, df, x: float, hs: np.ndarray) -> np.ndarray:
    """|central difference − exact derivative| at x, for every step h in ``hs``.

    Returns
    -------
    ndarray of the shape of ``hs``
    """
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([abs((f(x + h) - f(x - h)) / (2 * h) - df(x)) for h in hs.reshape(-1)]).reshape(hs.shape)


def composition_gradient(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∇ₓ f for f(g) = ½‖g‖², g(x) = tanh(A x): Jᵀ ∇_g f with J = diag(1 − g²) A.

    Parameters
    ----------
    A : ndarray (m, d)
    x : ndarray (d,)

    Returns
    -------
    ndarray (d,)
    """
    g = np.tanh(A @ x)
    J = (1 - g * g)[:, None] * A          # (m, d): J_ij = ∂g_i/∂x_j
    return J.T @ g                        # ∇_g f = g


def count_paths(adj: np.ndarray, source: int, target: int) -> int:
    """Number of directed paths from ``source`` to ``target``.

    Nodes are numbered in topological order (every edge i -> j has i < j); ``adj[i, j]`` is 1
    for an edge. One pass over the nodes: paths(j) = Σ_i paths(i) · adj[i, j].
    """
    adj = np.asarray(adj)
    paths = np.zeros(adj.shape[0])
    paths[source] = 1
    for j in range(source + 1, target + 1):
        paths[j] = float(paths[:j] @ adj[:j, j])
    return int(round(paths[target]))
