"""Mistakes put into submissions of 01_chain_rule (see 09's file for the two tables)."""
MISTAKES = {
    "mistake_missing_path": {
        "grad_f": '''def grad_f(x, y):
    da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc = local_derivatives(x, y)
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
        "def grad_f(x, y):\n    return 2 * x + 2 * (x + y), 2 * (x + y)",
    ("grad_f", "no_chain_product"):
        "def grad_f(x, y):\n    return 2 * x + y + 1.0, x + 1.0",
    ("derivative_error", "forward_difference"):
        "def derivative_error(f, df, x, hs):\n    return np.array([abs((f(x + h) - f(x)) / h - df(x)) for h in hs])",
    ("derivative_error", "signed_error"):
        "def derivative_error(f, df, x, hs):\n    return np.array([(f(x + h) - f(x - h)) / (2 * h) - df(x) for h in hs])",
    ("composition_gradient", "forgot_tanh_derivative"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    return A.T @ g",
    ("composition_gradient", "jacobian_not_transposed"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    J = (1 - g * g)[:, None] * A\n    return J @ g",
    ("count_paths", "counts_edges"):
        "def count_paths(adj, source, target):\n    s, t = int(source), int(target)\n"
        "    return int(np.sum(adj[s:t + 1, s:t + 1]))",
}
