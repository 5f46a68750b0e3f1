"""Hidden checks of notebook 01 (chain rule and computation graph).

Every student gets the same structure (signs, shapes, graphs, steps) with random values
inside it, redrawn until every mistake of the bank is far from the truth on some case.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from autograde.hidden.intro import _run, separation, shadow, until
from bpcourse.gradcheck import numerical_gradient, rel_error
from solutions import chain_rule as ref
from solutions.mistakes import chain_rule as m


def _all_separated(reference, bank, tol):
    return lambda cases: all(flag for _, flag in separation(reference, bank, cases, tol))


# --- forward_values, local_derivatives -------------------------------------------------------

SIGNS = [(1, 1), (1, -1), (-1, 1), (-1, -1)]


def _xy_draw(rng):
    return [{"x": float(sx * rng.uniform(0.3, 3)), "y": float(sy * rng.uniform(0.3, 3))} for sx, sy in SIGNS]


def _xy_structure(cases):
    """Signs of x and y, and every value a classic mistake could confuse kept apart: x, y and
    x + y away from 0, ±1, ±2, and |x| != |y|."""
    def apart(v):
        return min(abs(v - k) for k in (-2, -1, 0, 1, 2)) > 0.1
    return (tuple((int(np.sign(c["x"])), int(np.sign(c["y"]))) for c in cases),
            all(apart(c["x"]) and apart(c["y"]) and apart(c["x"] + c["y"]) and abs(abs(c["x"]) - abs(c["y"])) > 0.1
                for c in cases))


def _xy_cases_for(reference, bank):
    def cases(rng):
        return until(rng, _xy_draw, lambda cs: _xy_structure(cs)[1] and _all_separated(reference, bank, 1e-9)(cs))
    return cases


def _xy_features_for(reference, bank):
    return lambda cases: (_xy_structure(cases), separation(reference, bank, cases, 1e-9))


# --- grad_f: any edge derivatives, not only those of one (x, y) --------------------------------

EDGES = ("da_dx", "db_dx", "db_dy", "dc_dx", "dc_dy", "dd_dc")


#: one magnitude from each band, in random order: apart from each other, from 0 and from 1
BANDS = [(0.25, 0.45), (0.5, 0.75), (1.2, 1.45), (1.55, 1.9), (2.0, 2.4), (2.5, 3.0)]


def _grad_f_draw(rng):
    cases = []
    for _ in range(4):
        mags = [rng.uniform(lo, hi) for lo, hi in BANDS]
        order = rng.permutation(len(EDGES))
        cases.append({e: float(rng.choice([-1.0, 1.0]) * mags[k]) for e, k in zip(EDGES, order)})
    return cases


def _grad_f_structure(cases):
    """No edge derivative near 0 or ±1 (a dropped factor must show) and, in every case, all six
    magnitudes different (swapped edges must show)."""
    vals = [np.array([c[e] for e in EDGES]) for c in cases]
    return all(np.min(np.abs(np.abs(v) - 1)) > 0.1 and np.min(np.abs(v)) > 0.2
               and np.min(np.diff(np.sort(np.abs(v)))) > 0.05 for v in vals)


def _grad_f_cases(rng):
    return until(rng, _grad_f_draw,
                 lambda cs: _grad_f_structure(cs) and _all_separated(ref.grad_f, GRAD_F, 1e-9)(cs))


def _grad_f_features(cases):
    return _grad_f_structure(cases), separation(ref.grad_f, GRAD_F, cases, 1e-9)


# --- derivative_error ---------------------------------------------------------------------------

def _derivative_error_draw(rng):
    a, b, c = rng.choice([-1.0, 1.0]) * rng.uniform(1, 3), rng.uniform(1, 3), rng.uniform(-1, 1)
    coeffs = rng.uniform(-2, 2, size=4)
    coeffs[3] = -rng.uniform(1, 2)   # f''' = 6 c₃ < 0: the central difference errs by c₃h² < 0,
    #                                  so |error| and the signed error differ for every h
    return [
        {"f": {"fn": "wave", "params": {"a": a, "b": b, "c": c}},
         "df": {"fn": "wave_prime", "params": {"a": a, "b": b, "c": c}},
         "x": float(rng.uniform(-1, 1)), "hs": np.logspace(-1.3, -0.3, 5)},
        {"f": {"fn": "poly", "params": {"c": coeffs}}, "df": {"fn": "poly_prime", "params": {"c": coeffs}},
         "x": float(rng.uniform(0.5, 1.5)), "hs": np.array([[0.3, 0.1], [0.07, 0.05]])},
    ]


def _derivative_error_structure(cases):
    """Truncation dominates rounding by 10¹⁰ at every step: the error is at least 1e-5 / h, while
    rounding is about 1e-15 / h — so any float64 way to compute it (a loop or one vectorised
    expression, scalar or array calls of f) agrees far within the tolerance, and float32 does not
    (its rounding, up to 6e-8 relative, shows on some entry). The polynomial's error is negative."""
    errors = [(_run(ref.derivative_error, c)[1][0], c["hs"]) for c in cases]
    float32_shows = any(rel_error(e.astype(np.float32).astype(np.float64), e) > 5e-9 for e, _ in errors)
    return (all(np.all(e >= 1e-5 / hs) for e, hs in errors) and float32_shows,
            bool(cases[1]["f"]["params"]["c"][3] < 0), tuple(c["hs"].shape for c in cases))


def _derivative_error_cases(rng):
    return until(rng, _derivative_error_draw,
                 lambda cs: _derivative_error_structure(cs)[0]
                 and _all_separated(ref.derivative_error, DERIVATIVE_ERROR, 1e-9)(cs))


def _derivative_error_features(cases):
    return _derivative_error_structure(cases), separation(ref.derivative_error, DERIVATIVE_ERROR, cases, 1e-9)


# --- composition_gradient ---------------------------------------------------------------------

def _composition_draw(rng):
    return [{"A": rng.normal(size=(m_, d)), "x": rng.normal(size=d)} for m_, d in [(3, 2), (2, 4), (4, 4)]]


#: float64 ways to compute the gradient (Jᵀg, Aᵀ(g ⊙ (1 − g²)), einsum, loops) agree to ~1e-14
#: on entries kept >= 1e-2; a numerical gradient (bpcourse.numerical_gradient, ~1e-10) does not.
COMPOSITION_TOL = 1e-12


def _entries_away_from_zero(cases) -> bool:
    return all(np.min(np.abs(ref.composition_gradient(**c))) >= 1e-2 for c in cases)


def _composition_cases(rng):
    return until(rng, _composition_draw,
                 lambda cs: _entries_away_from_zero(cs)
                 and _all_separated(ref.composition_gradient, COMPOSITION_GRADIENT, COMPOSITION_TOL)(cs))


def _composition_features(cases):
    return (tuple(c["A"].shape[0] != c["A"].shape[1] for c in cases), _entries_away_from_zero(cases),
            separation(ref.composition_gradient, COMPOSITION_GRADIENT, cases, COMPOSITION_TOL))


# --- count_paths ------------------------------------------------------------------------------

def _layered(widths):
    """Adjacency of a layered graph, fully connected between consecutive layers."""
    n = sum(widths)
    adj = np.zeros((n, n))
    start = 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        adj[start:start + w_in, start + w_in:start + w_in + w_out] = 1
        start += w_in
    return adj


def _count_paths_draw(rng):
    n = 8
    dag = np.triu((rng.uniform(size=(n, n)) < 0.4).astype(float), k=2)
    dag[np.arange(n - 1), np.arange(1, n)] = 1          # a chain 0 → 1 → … → 7: every node is reachable
    widths = [1, 3, 4, 2, 1]                            # 24 paths, 25 edges
    return [{"adj": dag, "source": 0, "target": n - 1},
            {"adj": _layered(widths), "source": 0, "target": sum(widths) - 1},
            {"adj": dag, "source": 2, "target": 6}]       # source has predecessors; target is not the last


def _count_paths_structure(cases):
    return tuple((c["source"], c["target"], c["adj"].shape, ref.count_paths(**c) >= 2) for c in cases)


def _count_paths_cases(rng):
    return until(rng, _count_paths_draw,
                 lambda cs: all(s[3] for s in _count_paths_structure(cs))
                 and _all_separated(ref.count_paths, COUNT_PATHS, 1e-9)(cs))


def _count_paths_features(cases):
    return (_count_paths_structure(cases),
            separation(ref.count_paths, COUNT_PATHS, cases, 1e-9))


# Classic mistakes outside the bank (tests/independent holds them as student code): every
# student's cases must tell them from the truth too.
FORWARD_VALUES = list(m.FORWARD_VALUES) + [
    shadow("f_without_d", lambda x, y: (x * x, x * y, x + y, (x + y) ** 2, x * x + x * y + (x + y))),
    shadow("d_is_2c", lambda x, y: (x * x, x * y, x + y, 2 * (x + y), x * x + x * y + 2 * (x + y)))]
LOCAL_DERIVATIVES = list(m.LOCAL_DERIVATIVES) + [
    shadow("values_not_derivatives", lambda x, y: (x * x, y, x, 1.0, 1.0, (x + y) ** 2)),
    shadow("dd_dc_from_x_only", lambda x, y: (2 * x, y, x, 1.0, 1.0, 2 * x))]
GRAD_F = list(m.GRAD_F) + [
    shadow("dc_edges_mixed", lambda da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc:
           (da_dx + db_dx + dd_dc * dc_dy, db_dy + dd_dc * dc_dx)),
    shadow("product_of_all", lambda da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc:
           (da_dx * db_dx * dd_dc * dc_dx, db_dy * dd_dc * dc_dy))]
DERIVATIVE_ERROR = list(m.DERIVATIVE_ERROR) + [
    shadow("relative_error", lambda f, df, x, hs:
           np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - df(x)) / abs(df(x))),
    shadow("fixed_h", lambda f, df, x, hs: np.full(np.shape(hs), abs((f(x + 1e-5) - f(x - 1e-5)) / 2e-5 - df(x))))]


def _cg_one_minus_g(A, x):
    g = np.tanh(A @ x)
    return ((1 - g)[:, None] * A).T @ g


def _cg_derivative_at_x(A, x):
    g = np.tanh(A @ x)
    return A.T @ g * (1 - np.tanh(x) ** 2)


def _cg_numerical(A, x):
    """The student library's numerical gradient instead of the Jacobian: not the exercise."""
    return numerical_gradient(lambda v: 0.5 * np.sum(np.tanh(A @ v) ** 2), np.array(x, dtype=np.float64))


COMPOSITION_GRADIENT = list(m.COMPOSITION_GRADIENT) + [
    shadow("one_minus_g", _cg_one_minus_g), shadow("tanh_derivative_at_x", _cg_derivative_at_x),
    shadow("numerical_gradient", _cg_numerical)]


def _paths_reachable(adj, source, target):
    seen = {source}
    for j in range(source + 1, target + 1):
        if any(adj[i, j] for i in seen):
            seen.add(j)
    return int(target in seen)


def _paths_stop_early(adj, source, target):
    paths = np.zeros(adj.shape[0])
    paths[source] = 1
    for j in range(source + 1, target):
        paths[j] = paths[:j] @ adj[:j, j]
    return int(round(paths[target]))


COUNT_PATHS = list(m.COUNT_PATHS) + [shadow("reachability", _paths_reachable),
                                     shadow("stops_before_target", _paths_stop_early)]

EXERCISES = [
    Exercise("forward_values", ref.forward_values, _xy_cases_for(ref.forward_values, FORWARD_VALUES),
             m.FORWARD_VALUES, features=_xy_features_for(ref.forward_values, FORWARD_VALUES)),
    Exercise("local_derivatives", ref.local_derivatives,
             _xy_cases_for(ref.local_derivatives, LOCAL_DERIVATIVES), m.LOCAL_DERIVATIVES,
             features=_xy_features_for(ref.local_derivatives, LOCAL_DERIVATIVES)),
    Exercise("grad_f", ref.grad_f, _grad_f_cases, m.GRAD_F, features=_grad_f_features),
    Exercise("derivative_error", ref.derivative_error, _derivative_error_cases, m.DERIVATIVE_ERROR,
             tol=1e-9, features=_derivative_error_features),
    Exercise("composition_gradient", ref.composition_gradient, _composition_cases, m.COMPOSITION_GRADIENT,
             tol=COMPOSITION_TOL, features=_composition_features),
    Exercise("count_paths", ref.count_paths, _count_paths_cases, m.COUNT_PATHS, features=_count_paths_features),
]
