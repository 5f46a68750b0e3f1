"""Mistakes put into submissions of 00_intro.

MISTAKES: the demo class (student id -> solution cell -> code). The student
``mistake_forward_difference`` solved everything but uses the forward difference in
``numerical_derivative``: the visible check and the hidden check must both name it.

VARIANTS: every variant of the mistake bank (solutions/mistakes/intro.py) as student code,
(exercise, mistake) -> the whole solution cell.
"""
MISTAKES = {
    "mistake_forward_difference": {
        "numerical_derivative": '''def numerical_derivative(f, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / (2h) of an elementwise function f."""
    return (f(x + h) - f(x)) / h''',
    },
}

_SE = '''def squared_error(t, o):
    t = np.asarray(t, dtype=np.float64)
    o = np.asarray(o, dtype=np.float64)
    if t.shape != o.shape:
        raise ValueError("shapes differ")
    return float({body})'''

_WE = '''def worst_entry(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
{body}
    return err, idx'''

VARIANTS = {
    ("squared_error", "no_half"): _SE.format(body="np.sum((t - o) ** 2)"),
    ("squared_error", "mean_instead_of_sum"): _SE.format(body="0.5 * np.mean((t - o) ** 2)"),
    ("squared_error", "no_square"): _SE.format(body="0.5 * np.sum(t - o)"),
    ("numerical_derivative", "forward_difference"):
        "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h",
    ("numerical_derivative", "divided_by_h"):
        "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / h",
    ("numerical_derivative", "backward_difference"):
        "def numerical_derivative(f, x, h=1e-5):\n    return (f(x) - f(x - h)) / h",
    ("worst_entry", "no_floor"): _WE.format(body="""    errors = np.abs(a - b) / (np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    err = errors[idx]"""),
    ("worst_entry", "abs_of_sum"): _WE.format(body="""    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    err = errors[idx]"""),
    ("worst_entry", "mean_instead_of_max"): _WE.format(body="""    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    err = np.mean(errors)"""),
    ("worst_entry", "ratio_of_maxima"): _WE.format(body="""    diff = np.abs(a - b)
    err = np.max(diff) / max(1e-8, np.max(np.abs(a) + np.abs(b)))
    idx = np.unravel_index(np.argmax(diff), diff.shape)"""),
    ("worst_entry", "argmax_abs_diff"): _WE.format(body="""    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    err = np.max(errors)
    idx = np.unravel_index(np.argmax(np.abs(a - b)), a.shape)"""),
    ("worst_entry", "flat_index"): _WE.format(body="""    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    err = np.max(errors)
    idx = np.argmax(errors)"""),
    ("directional_derivative", "forward_difference"):
        "def directional_derivative(f, x, v, h=1e-5):\n    return float((f(x + h * v) - f(x)) / h)",
    ("directional_derivative", "divided_by_h"):
        "def directional_derivative(f, x, v, h=1e-5):\n    return float((f(x + h * v) - f(x - h * v)) / h)",
    ("directional_derivative", "shift_by_h"):
        "def directional_derivative(f, x, v, h=1e-5):\n    return float((f(x + h) - f(x - h)) / (2 * h))",
    ("directional_derivative", "normalised_direction"):
        "def directional_derivative(f, x, v, h=1e-5):\n    u = v / np.linalg.norm(v)\n"
        "    return float((f(x + h * u) - f(x - h * u)) / (2 * h))",
}
