"""Mistakes put into submissions of 01_chain_rule (see 09's file for the two tables)."""
MISTAKES = {
    "mistake_missing_path": {
        "grad_f": '''def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    return da_dx + dd_dc * dc_dx, dd_dc * dc_dy''',
    },
}

VARIANTS = {
    ("forward_values", "square_before_sum"):
        "def forward_values(x, y):\n    return x * x, x * y, x + y, x * x + y * y, x * x + x * y + x * x + y * y",
    ("local_derivatives", "power_rule_without_factor"):
        "def local_derivatives(x, y):\n    return x, y, x, 1.0, 1.0, x + y",
    ("local_derivatives", "product_rule_swapped"):
        "def local_derivatives(x, y):\n    return 2 * x, x, y, 1.0, 1.0, 2 * (x + y)",
    ("grad_f", "missing_path"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n    return da_dx + dd_dc * dc_dx, dd_dc * dc_dy",
    ("grad_f", "no_chain_product"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    return da_dx + db_dx + dd_dc + dc_dx, db_dy + dd_dc + dc_dy",
    ("grad_f", "dropped_edge_factor"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n    return da_dx + db_dx + dd_dc, db_dy + dd_dc",
    ("grad_f", "swapped_edges"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    return da_dx + db_dy + dd_dc * dc_dx, db_dx + dd_dc * dc_dy",
    ("derivative_error", "forward_difference"):
        "def derivative_error(f, df, x, hs):\n    return np.array([abs((f(x + h) - f(x)) / h - df(x)) for h in hs])",
    ("derivative_error", "signed_error"):
        "def derivative_error(f, df, x, hs):\n    return np.array([(f(x + h) - f(x - h)) / (2 * h) - df(x) for h in hs])",
    ("composition_gradient", "forgot_tanh_derivative"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    return A.T @ g",
    ("composition_gradient", "jacobian_not_transposed"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    J = (1 - g * g)[:, None] * A\n    return J @ g",
    ("count_paths", "counts_edges"):
        "def count_paths(adj, source, target):\n"
        "    return int(np.sum(adj[source:target + 1, source:target + 1]))",
    ("count_paths", "ignores_source"):
        "def count_paths(adj, source, target):\n    paths = np.zeros(adj.shape[0])\n    paths[0] = 1\n"
        "    for j in range(1, target + 1):\n        paths[j] = paths[:j] @ adj[:j, j]\n"
        "    return int(round(paths[target]))",
}
