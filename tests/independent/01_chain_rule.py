"""Implementations of 01_chain_rule's exercises written NOT the way the reference is.

Index 0 of every exercise is a fresh implementation of 01 from the lecture, as a student
who read the slides (not our reference) would write it; the others are other idioms:
Jacobian products, math.fsum, a vectorised error, np.einsum, loops, recursion with
memoisation, matrix powers, enumerating the paths.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "forward_values": [
        "def forward_values(x, y):\n"
        "    a = x ** 2\n"
        "    b = x * y\n"
        "    c = x + y\n"
        "    d = c ** 2\n"
        "    f = a + b + d\n"
        "    return (a, b, c, d, f)",
        "import math\n\n"
        "def forward_values(x, y):\n"
        "    a, b, c = math.pow(x, 2), x * y, x + y\n"
        "    d = math.pow(c, 2)\n"
        "    return [a, b, c, d, math.fsum([a, b, d])]",
        "def forward_values(x, y):\n"
        "    nodes = {'x': x, 'y': y}\n"
        "    nodes['a'] = nodes['x'] * nodes['x']\n"
        "    nodes['b'] = nodes['x'] * nodes['y']\n"
        "    nodes['c'] = nodes['x'] + nodes['y']\n"
        "    nodes['d'] = nodes['c'] * nodes['c']\n"
        "    nodes['f'] = nodes['a'] + nodes['b'] + nodes['d']\n"
        "    return tuple(nodes[k] for k in 'abcdf')",
    ],
    "local_derivatives": [
        "def local_derivatives(x, y):\n"
        "    c = x + y\n"
        "    return 2 * x, y, x, 1, 1, 2 * c",
        "def local_derivatives(x, y):\n"
        "    return np.array([2.0 * x, y, x, 1.0, 1.0, 2.0 * x + 2.0 * y])",
    ],
    "grad_f": [
        # the slide's rule: a sum over paths of products along each path
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    paths_x = [[1, da_dx], [1, db_dx], [1, dd_dc, dc_dx]]\n"
        "    paths_y = [[1, db_dy], [1, dd_dc, dc_dy]]\n"
        "    total = lambda paths: sum(np.prod(p) for p in paths)\n"
        "    return total(paths_x), total(paths_y)",
        # Jacobians of the layers multiplied: ∂f/∂(a,b,d) · ∂(a,b,d)/∂(a,b,c) · ∂(a,b,c)/∂(x,y)
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    J_abc = np.array([[da_dx, 0.0], [db_dx, db_dy], [dc_dx, dc_dy]])\n"
        "    J_abd = np.diag([1.0, 1.0, dd_dc])\n"
        "    return np.array([1.0, 1.0, 1.0]) @ J_abd @ J_abc",
        "import math\n\n"
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    return math.fsum([da_dx, db_dx, dd_dc * dc_dx]), math.fsum([db_dy, dd_dc * dc_dy])",
    ],
    "derivative_error": [
        # one vectorised expression (f and df accept arrays)
        "def derivative_error(f, df, x, hs):\n"
        "    return np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - df(x))",
        "def derivative_error(f, df, x, hs):\n"
        "    out = np.empty(np.shape(hs))\n"
        "    exact = df(x)\n"
        "    for i in np.ndindex(out.shape):\n"
        "        h = hs[i]\n"
        "        out[i] = abs((f(x + h) - f(x - h)) / (2 * h) - exact)\n"
        "    return out",
        "def derivative_error(f, df, x, hs):\n"
        "    one = np.vectorize(lambda h: abs((f(x + h) - f(x - h)) / (2 * h) - df(x)))\n"
        "    return one(hs)",
    ],
    "composition_gradient": [
        # backprop through the layer: dz = dg ⊙ tanh'(z), dx = Aᵀ dz (no Jacobian built)
        "def composition_gradient(A, x):\n"
        "    z = A @ x\n"
        "    g = np.tanh(z)\n"
        "    dz = g * (1 - np.tanh(z) ** 2)\n"
        "    return A.T @ dz",
        "def composition_gradient(A, x):\n"
        "    g = np.tanh(np.einsum('ij,j->i', A, x))\n"
        "    J = np.einsum('i,ij->ij', 1 - g ** 2, A)\n"
        "    return np.einsum('ij,i->j', J, g)",
        # the slide's convention: ∇ₓg of shape (d, m), then ∇ₓf = ∇ₓg ∇_g f
        "def composition_gradient(A, x):\n"
        "    g = np.tanh(A @ x)\n"
        "    grad_x_g = A.T * (1 - g ** 2)\n"
        "    return grad_x_g @ g",
        # explicit sums
        "def composition_gradient(A, x):\n"
        "    m, d = A.shape\n"
        "    g = [np.tanh(sum(A[i, j] * x[j] for j in range(d))) for i in range(m)]\n"
        "    return np.array([sum(g[i] * (1 - g[i] ** 2) * A[i, j] for i in range(m)) for j in range(d)])",
    ],
    "count_paths": [
        # recursion with memoisation over the successors
        "from functools import lru_cache\n\n"
        "def count_paths(adj, source, target):\n"
        "    @lru_cache(maxsize=None)\n"
        "    def paths_from(i):\n"
        "        if i == target:\n"
        "            return 1\n"
        "        return sum(paths_from(j) for j in range(i + 1, adj.shape[0]) if adj[i, j])\n"
        "    return paths_from(source)",
        # matrix powers: (Aᵏ)[s, t] counts the paths of k edges
        "def count_paths(adj, source, target):\n"
        "    total, power = 0, np.eye(adj.shape[0])\n"
        "    for _ in range(adj.shape[0]):\n"
        "        power = power @ adj\n"
        "        total += power[source, target]\n"
        "    return int(total)",
        # enumerate every path with a stack (fine for small graphs)
        "def count_paths(adj, source, target):\n"
        "    count, stack = 0, [source]\n"
        "    while stack:\n"
        "        i = stack.pop()\n"
        "        if i == target:\n"
        "            count += 1\n"
        "            continue\n"
        "        stack.extend(int(j) for j in np.nonzero(adj[i])[0])\n"
        "    return count",
        # dynamic programming backwards from the target
        "def count_paths(adj, source, target):\n"
        "    n = adj.shape[0]\n"
        "    to_target = [0] * n\n"
        "    to_target[target] = 1\n"
        "    for i in range(target - 1, source - 1, -1):\n"
        "        to_target[i] = sum(to_target[j] for j in range(i + 1, target + 1) if adj[i][j] == 1)\n"
        "    return to_target[source]",
    ],
}

# (exercise name, short label) -> complete solution-cell code of a classic WRONG variant that
# is not in the mistake bank; each must lose exactly its own exercise's points
WRONG = {
    ("forward_values", "f_without_d"):
        "def forward_values(x, y):\n    a, b, c = x * x, x * y, x + y\n    return a, b, c, c * c, a + b + c",
    ("forward_values", "d_is_2c"):
        "def forward_values(x, y):\n    a, b, c = x * x, x * y, x + y\n    d = 2 * c\n    return a, b, c, d, a + b + d",
    ("local_derivatives", "values_not_derivatives"):
        "def local_derivatives(x, y):\n    return x ** 2, y, x, 1.0, 1.0, (x + y) ** 2",
    ("local_derivatives", "dd_dc_from_x_only"):
        "def local_derivatives(x, y):\n    return 2 * x, y, x, 1.0, 1.0, 2 * x",
    ("grad_f", "dc_edges_mixed"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    return da_dx + db_dx + dd_dc * dc_dy, db_dy + dd_dc * dc_dx",
    ("grad_f", "product_of_all"):
        "def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):\n"
        "    return da_dx * db_dx * dd_dc * dc_dx, db_dy * dd_dc * dc_dy",
    ("derivative_error", "relative_error"):
        "def derivative_error(f, df, x, hs):\n"
        "    return np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - df(x)) / abs(df(x))",
    ("derivative_error", "fixed_h"):
        "def derivative_error(f, df, x, hs):\n"
        "    h = 1e-5\n"
        "    return np.full(np.shape(hs), abs((f(x + h) - f(x - h)) / (2 * h) - df(x)))",
    ("composition_gradient", "one_minus_g"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    return A.T @ (g * (1 - g))",
    ("composition_gradient", "tanh_derivative_at_x"):
        "def composition_gradient(A, x):\n    g = np.tanh(A @ x)\n    return (A.T @ g) * (1 - np.tanh(x) ** 2)",
    # the library's numerical gradient (imported by the notebook) instead of the Jacobian
    ("composition_gradient", "library_numerical_gradient"):
        "def composition_gradient(A, x):\n"
        "    return numerical_gradient(lambda v: 0.5 * np.sum(np.tanh(A @ v) ** 2), x.copy())",
    ("count_paths", "reachability"):
        "def count_paths(adj, source, target):\n"
        "    seen = {source}\n"
        "    for j in range(source + 1, target + 1):\n"
        "        if any(adj[i, j] for i in seen):\n"
        "            seen.add(j)\n"
        "    return int(target in seen)",
    ("count_paths", "stops_before_target"):
        "def count_paths(adj, source, target):\n"
        "    paths = np.zeros(adj.shape[0])\n"
        "    paths[source] = 1\n"
        "    for j in range(source + 1, target):\n"
        "        paths[j] = paths[:j] @ adj[:j, j]\n"
        "    return int(paths[target])",
}
