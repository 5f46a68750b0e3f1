"""Implementations of 00_intro's exercises written NOT the way the reference is.

The notebook asks for numpy code (np is imported above the exercises); numerical_derivative
must work for a number and for an array of points (f is elementwise), worst_entry returns
(err, idx) with idx an index tuple, directional_derivative leaves x and v unchanged.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "squared_error": [
        # a plain loop, shapes compared by hand
        "def squared_error(t, o):\n"
        "    if np.shape(t) != np.shape(o):\n"
        "        raise ValueError(f'shapes {np.shape(t)} and {np.shape(o)} differ')\n"
        "    total = 0.0\n"
        "    for ti, oi in zip(np.ravel(t), np.ravel(o)):\n"
        "        total += (ti - oi) ** 2\n"
        "    return total / 2",
        # math.fsum over the squared differences
        "import math\n\n"
        "def squared_error(t, o):\n"
        "    t, o = np.asarray(t, dtype=float), np.asarray(o, dtype=float)\n"
        "    if t.shape != o.shape:\n"
        "        raise ValueError('shapes differ')\n"
        "    return 0.5 * math.fsum(((t - o) ** 2).ravel())",
        # a dot product of the flattened difference
        "def squared_error(t, o):\n"
        "    if t.shape != o.shape:\n"
        "        raise ValueError('t and o must have one shape')\n"
        "    d = (t - o).reshape(-1)\n"
        "    return float(d @ d) / 2",
    ],
    "numerical_derivative": [
        "def numerical_derivative(f, x, h=1e-5):\n"
        "    return (f(x + h) - f(x - h)) / 2 / h",
        # point by point, as a student who does not trust broadcasting would write it
        "def numerical_derivative(f, x, h=1e-5):\n"
        "    xs = np.asarray(x, dtype=float)\n"
        "    out = np.empty_like(xs)\n"
        "    for i in np.ndindex(xs.shape):\n"
        "        out[i] = (f(xs[i] + h) - f(xs[i] - h)) / (2 * h)\n"
        "    return out if xs.ndim else float(out)",
        # 0.5/h as one factor
        "def numerical_derivative(f, x, h=1e-5):\n"
        "    x = np.asarray(x, dtype=np.float64)\n"
        "    return (f(x + h) - f(x - h)) * (0.5 / h)",
    ],
    "worst_entry": [
        # a loop over the entries with a running maximum
        "def worst_entry(a, b):\n"
        "    err, idx = -1.0, None\n"
        "    for i in np.ndindex(a.shape):\n"
        "        r = abs(a[i] - b[i]) / max(1e-8, abs(a[i]) + abs(b[i]))\n"
        "        if r > err:\n"
        "            err, idx = r, i\n"
        "    return err, idx",
        # the floor applied in place, argmax + unravel_index, a list index
        "def worst_entry(a, b):\n"
        "    den = np.abs(a) + np.abs(b)\n"
        "    den[den < 1e-8] = 1e-8\n"
        "    r = np.abs(a - b) / den\n"
        "    k = r.argmax()\n"
        "    return r.flat[k], list(np.unravel_index(k, r.shape))",
        # np.where over a division that warns at 0/0 (the warning must not cost the point)
        "def worst_entry(a, b):\n"
        "    den = np.abs(a) + np.abs(b)\n"
        "    r = np.where(den > 1e-8, np.abs(a - b) / den, np.abs(a - b) / 1e-8)\n"
        "    idx = tuple(int(i) for i in np.argwhere(r == r.max())[0])\n"
        "    return float(r[idx]), idx",
    ],
    "directional_derivative": [
        # shifted copies
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    x_plus, x_minus = x.copy(), x.copy()\n"
        "    x_plus += h * v\n"
        "    x_minus -= h * v\n"
        "    return (f(x_plus) - f(x_minus)) / (2 * h)",
        # the function along the line, g(t) = f(x + t v)
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    g = lambda t: f(x + t * v)\n"
        "    return float((g(h) - g(-h)) / (2 * h))",
        # in place, restored from a saved copy
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    saved = x.copy()\n"
        "    x += h * v\n"
        "    f_plus = f(x)\n"
        "    x[...] = saved - h * v\n"
        "    f_minus = f(x)\n"
        "    x[...] = saved\n"
        "    return (f_plus - f_minus) / (2 * h)",
    ],
}

# (exercise name, short label) -> complete solution-cell code of a classic WRONG variant that
# is not in the mistake bank; each must lose exactly its own exercise's points
WRONG = {
    ("squared_error", "no_shape_check"):
        "def squared_error(t, o):\n    return float(0.5 * np.sum((t - o) ** 2))",
    ("squared_error", "assert_not_valueerror"):
        "def squared_error(t, o):\n    assert t.shape == o.shape, 'shapes differ'\n"
        "    return float(0.5 * np.sum((t - o) ** 2))",
    ("squared_error", "mean_without_half"):
        "def squared_error(t, o):\n    if t.shape != o.shape:\n        raise ValueError('shapes')\n"
        "    return float(np.mean((t - o) ** 2))",
    ("numerical_derivative", "float_cast"):
        "def numerical_derivative(f, x, h=1e-5):\n    return float((f(x + h) - f(x - h)) / (2 * h))",
    ("numerical_derivative", "ignores_h"):
        "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5",
    ("worst_entry", "relative_to_a"):
        "def worst_entry(a, b):\n    r = np.abs(a - b) / np.maximum(1e-8, np.abs(a))\n"
        "    idx = np.unravel_index(np.argmax(r), r.shape)\n    return float(r[idx]), idx",
    ("worst_entry", "float32"):
        "def worst_entry(a, b):\n    a, b = a.astype(np.float32), b.astype(np.float32)\n"
        "    r = np.abs(a - b) / np.maximum(np.float32(1e-8), np.abs(a) + np.abs(b))\n"
        "    idx = np.unravel_index(np.argmax(r), r.shape)\n    return float(r[idx]), idx",
    ("directional_derivative", "ignores_h"):
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    return (f(x + 1e-5 * v) - f(x - 1e-5 * v)) / 2e-5",
    ("directional_derivative", "sum_of_partials"):
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    total = 0.0\n"
        "    for i in np.ndindex(x.shape):\n"
        "        e = np.zeros_like(x)\n"
        "        e[i] = h\n"
        "        total += (f(x + e) - f(x - e)) / (2 * h)\n"
        "    return total",
    ("directional_derivative", "restored_by_arithmetic"):
        "def directional_derivative(f, x, v, h=1e-5):\n"
        "    x += h * v\n"
        "    f_plus = f(x)\n"
        "    x -= 2 * h * v\n"
        "    f_minus = f(x)\n"
        "    x += h * v\n"
        "    return (f_plus - f_minus) / (2 * h)",
}
