"""Hidden checks and mistakes of notebook 01 (chain rule and computation graph):
solutions/chain_rule.py.

Every student gets the same structure (signs, shapes, graphs, steps) with random values
inside it, redrawn until every mistake of the exercise, and every shadow (a classic mistake
without a hint of its own, :func:`autograde.hidden.intro.shadow`), is far from the truth on
some case.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from autograde.hidden.intro import _run, separated, separation, shadow, until
from bpcourse.gradcheck import numerical_gradient, rel_error
from solutions import chain_rule as ref

# The cases and features below name the exercises (``grad_f``…), defined at the end of this
# module: they run only when the exercise is graded, its mistakes known by then.


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


def _xy_cases(ex, shadows, rng):
    return until(rng, _xy_draw, lambda cs: _xy_structure(cs)[1] and separated(ex, shadows)(cs))


def _xy_features(ex, shadows, cases):
    return _xy_structure(cases), separation(ex, cases, shadows)


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
                 lambda cs: _grad_f_structure(cs) and separated(grad_f, GRAD_F_SHADOWS)(cs))


def _grad_f_features(cases):
    return _grad_f_structure(cases), separation(grad_f, cases, GRAD_F_SHADOWS)


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
                 and separated(derivative_error, DERIVATIVE_ERROR_SHADOWS)(cs))


def _derivative_error_features(cases):
    return _derivative_error_structure(cases), separation(derivative_error, cases, DERIVATIVE_ERROR_SHADOWS)


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
                 and separated(composition_gradient, COMPOSITION_GRADIENT_SHADOWS)(cs))


def _composition_features(cases):
    return (tuple(c["A"].shape[0] != c["A"].shape[1] for c in cases), _entries_away_from_zero(cases),
            separation(composition_gradient, cases, COMPOSITION_GRADIENT_SHADOWS))


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
                 and separated(count_paths, COUNT_PATHS_SHADOWS)(cs))


def _count_paths_features(cases):
    return (_count_paths_structure(cases),
            separation(count_paths, cases, COUNT_PATHS_SHADOWS))


# Classic mistakes outside the bank (tests/independent holds them as student code): every
# student's cases must tell them from the truth too.
FORWARD_VALUES_SHADOWS = [
    shadow("f_without_d", lambda x, y: (x * x, x * y, x + y, (x + y) ** 2, x * x + x * y + (x + y))),
    shadow("d_is_2c", lambda x, y: (x * x, x * y, x + y, 2 * (x + y), x * x + x * y + 2 * (x + y)))]
LOCAL_DERIVATIVES_SHADOWS = [
    shadow("values_not_derivatives", lambda x, y: (x * x, y, x, 1.0, 1.0, (x + y) ** 2)),
    shadow("dd_dc_from_x_only", lambda x, y: (2 * x, y, x, 1.0, 1.0, 2 * x))]
GRAD_F_SHADOWS = [
    shadow("dc_edges_mixed", lambda da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc:
           (da_dx + db_dx + dd_dc * dc_dy, db_dy + dd_dc * dc_dx)),
    shadow("product_of_all", lambda da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc:
           (da_dx * db_dx * dd_dc * dc_dx, db_dy * dd_dc * dc_dy))]
DERIVATIVE_ERROR_SHADOWS = [
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


COMPOSITION_GRADIENT_SHADOWS = [
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


COUNT_PATHS_SHADOWS = [shadow("reachability", _paths_reachable), shadow("stops_before_target", _paths_stop_early)]


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference module's namespace
# (solutions.chain_rule), and end to end as the student's solution cell; so it uses only names
# the notebook has (np) and no helper of this file.


@exercise()
class forward_values:
    def cases(rng):
        return _xy_cases(forward_values, FORWARD_VALUES_SHADOWS, rng)

    def features(cases):
        return _xy_features(forward_values, FORWARD_VALUES_SHADOWS, cases)

    class mistakes:
        def square_before_sum(x, y):
            """d = (x + y)², а не x² + y²: сначала сумма (узел c), потом квадрат."""
            return x * x, x * y, x + y, x * x + y * y, x * x + x * y + x * x + y * y


@exercise()
class local_derivatives:
    def cases(rng):
        return _xy_cases(local_derivatives, LOCAL_DERIVATIVES_SHADOWS, rng)

    def features(cases):
        return _xy_features(local_derivatives, LOCAL_DERIVATIVES_SHADOWS, cases)

    class mistakes:
        def power_rule_without_factor(x, y):
            """в производных квадратов (рёбра x → a и c → d) потерян множитель степени:
            (uⁿ)′ = n·uⁿ⁻¹."""
            return x, y, x, 1.0, 1.0, x + y

        def product_rule_swapped(x, y):
            """производные рёбер x → b и y → b перепутаны: производная произведения по одному
            множителю — это *другой* множитель."""
            return 2 * x, x, y, 1.0, 1.0, 2 * (x + y)


@exercise(demo="missing_path")
class grad_f:
    cases = _grad_f_cases
    features = _grad_f_features

    class mistakes:
        def missing_path(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
            """забыт путь через узел b = x·y: производная — сумма по *всем* путям от f до
            переменной."""
            return da_dx + dd_dc * dc_dx, dd_dc * dc_dy          # the paths through b are forgotten

        def no_chain_product(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
            """на пути f → d → c → x производные рёбер нужно перемножить: ∂d/∂c · ∂c/∂x, а не
            сложить."""
            return da_dx + db_dx + dd_dc + dc_dx, db_dy + dd_dc + dc_dy   # added, not multiplied

        def dropped_edge_factor(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
            """на пути f → d → c → x три ребра, и множитель ∂c/∂x (∂c/∂y) тоже входит в
            произведение — grad_f получает его аргументом и не должен считать, что он равен 1."""
            return da_dx + db_dx + dd_dc, db_dy + dd_dc          # ∂c/∂x = 1 taken for granted

        def swapped_edges(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
            """производные рёбер из b перепутаны: в ∂f/∂x входит ∂b/∂x, в ∂f/∂y — ∂b/∂y."""
            return da_dx + db_dy + dd_dc * dc_dx, db_dx + dd_dc * dc_dy


@exercise(tol=1e-9)
class derivative_error:
    cases = _derivative_error_cases
    features = _derivative_error_features

    class mistakes:
        def forward_difference(f, df, x, hs):
            """это ошибка правой разности; нужна центральная (f(x+h) − f(x−h)) / (2h)."""
            return np.array([abs((f(x + h) - f(x)) / h - df(x)) for h in hs])

        def signed_error(f, df, x, hs):
            """ошибка — это модуль разности |приближение − точное значение|, а не разность со
            знаком."""
            return np.array([(f(x + h) - f(x - h)) / (2 * h) - df(x) for h in hs])


@exercise(tol=COMPOSITION_TOL)
class composition_gradient:
    cases = _composition_cases
    features = _composition_features

    class mistakes:
        def forgot_tanh_derivative(A, x):
            """в якобиане g = tanh(Ax) пропущена производная tanh: результат такой, будто g = Ax."""
            g = np.tanh(A @ x)
            return A.T @ g

        def jacobian_not_transposed(A, x):
            """∇ₓf = Jᵀ ∇_g f: якобиан нужно транспонировать (J имеет форму (m, d))."""
            g = np.tanh(A @ x)
            J = (1 - g * g)[:, None] * A
            return J @ g


@exercise()
class count_paths:
    cases = _count_paths_cases
    features = _count_paths_features

    class mistakes:
        def counts_edges(adj, source, target):
            """посчитаны рёбра, а не пути: путь — цепочка рёбер от source до target, и один путь
            проходит по нескольким рёбрам."""
            return int(np.sum(adj[source:target + 1, source:target + 1]))

        def ignores_source(adj, source, target):
            """пути считаются от узла 0, а не от source: пути, которые начинаются раньше source,
            считать не нужно."""
            paths = np.zeros(adj.shape[0])
            paths[0] = 1                                        # as if every path started at node 0
            for j in range(1, target + 1):
                paths[j] = paths[:j] @ adj[:j, j]
            return int(round(paths[target]))
