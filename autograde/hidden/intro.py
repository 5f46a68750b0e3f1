"""Hidden checks and mistakes of notebook 00 (intro): solutions/intro.py.

Every student gets the same structure (shapes, edge cases) with random values inside it, and
the values are redrawn until every mistake of the exercise, and every *shadow* (a classic
mistake without a hint of its own), is far from the truth on some case (:func:`separation`),
so that no student's inputs let a classic mistake pass.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise, Mistake, exercise
from bpcourse.cases import decode, encode, is_multi
from bpcourse.gradcheck import rel_error
from solutions import intro as ref

MARGIN = 100.0   # a mistake must differ from the reference by MARGIN * tol on some case


def _leaves(value) -> list:
    if is_multi(value):
        return [leaf for v in value for leaf in _leaves(v)]
    return [np.asarray(value, dtype=np.float64)]


def _run(fn, case):
    kwargs = {k: decode(encode(v)) for k, v in case.items()}
    try:
        with np.errstate(all="ignore"):
            value = fn(**kwargs)
    except Exception as e:  # noqa: BLE001 - a reference may raise on purpose
        return type(e).__name__
    return (is_multi(value), _leaves(value))


def differs(fn, reference, case, tol: float) -> bool:
    """Does ``fn`` return something other than ``reference`` on ``case`` (beyond ``tol``)?"""
    got, exp = _run(fn, case), _run(reference, case)
    if isinstance(got, str) or isinstance(exp, str) or got[0] != exp[0] or len(got[1]) != len(exp[1]):
        return got != exp if isinstance(got, str) and isinstance(exp, str) else True
    for g, e in zip(got[1], exp[1]):
        if g.shape != e.shape or not np.array_equal(np.isfinite(g), np.isfinite(e)):
            return True
        finite = np.isfinite(e)
        if rel_error(g[finite], e[finite]) > tol:
            return True
    return False


def separation(ex: Exercise, cases, shadows=()) -> tuple:
    """(mistake name, True) for each mistake of ``ex`` and each shadow told from the reference
    by MARGIN * ex.tol on some case."""
    return tuple((m.name, any(differs(m.fn, ex.reference, c, MARGIN * ex.tol) for c in cases))
                 for m in (*ex.mistakes, *shadows))


def until(rng, draw, ok, tries: int = 500):
    """Redraw ``draw(rng)`` until ``ok(cases)``: random values inside a fixed structure."""
    for _ in range(tries):
        cases = draw(rng)
        if ok(cases):
            return cases
    raise RuntimeError(f"no admissible hidden cases after {tries} draws")


def separated(ex: Exercise, shadows=()):
    """cases -> is every mistake of ``ex`` and every shadow told from the truth?"""
    return lambda cases: all(flag for _, flag in separation(ex, cases, shadows))


def shadow(name, fn):
    """A classic mistake outside the bank (no hint of its own: the generic message), that every
    student's cases must still tell from the truth (tests/independent holds it as student code)."""
    return Mistake(name, fn, "")


# The cases and features below name the exercises (``squared_error``…), defined at the end of
# this module: they run only when the exercise is graded, its mistakes known by then.


# --- squared_error ------------------------------------------------------------------------

def _squared_error_draw(rng):
    return [
        {"t": rng.normal(size=(5, 1)), "o": rng.normal(size=(5, 1))},
        {"t": rng.normal(size=(4,)), "o": rng.normal(size=(4,))},
        {"t": rng.uniform(0, 1, size=(3, 4)), "o": rng.uniform(0, 1, size=(3, 4))},
        # the broadcasting trap: must raise ValueError, not return a number
        {"t": rng.normal(size=(4,)), "o": rng.normal(size=(4, 1))},
    ]


def _se_mean_no_half(t, o):
    return float(np.mean((np.asarray(t) - np.asarray(o)) ** 2))


def _se_abs(t, o):
    return float(0.5 * np.sum(np.abs(np.asarray(t) - np.asarray(o))))


SQUARED_ERROR_SHADOWS = [shadow("mean_without_half", _se_mean_no_half), shadow("abs_instead_of_square", _se_abs)]


def _squared_error_cases(rng):
    return until(rng, _squared_error_draw, separated(squared_error, SQUARED_ERROR_SHADOWS))


def _squared_error_features(cases):
    return (tuple(c["t"].shape == c["o"].shape for c in cases),
            separation(squared_error, cases, SQUARED_ERROR_SHADOWS))


# --- numerical_derivative -----------------------------------------------------------------

def _wave(rng):
    return {"fn": "wave", "params": {"a": float(rng.uniform(1, 3)) * rng.choice([-1.0, 1.0]),
                                     "b": float(rng.uniform(1, 3)), "c": float(rng.uniform(-1, 1))}}


def _poly(rng):
    c = rng.uniform(-2, 2, size=5)
    c[3] = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2)     # a cubic term: f''' != 0
    return {"fn": "poly", "params": {"c": c}}


def _numerical_derivative_draw(rng):
    return [
        {"f": _wave(rng), "x": rng.uniform(-2, 2, size=6), "h": 1e-5},          # points: an array
        {"f": _poly(rng), "x": rng.uniform(-1.5, 1.5, size=(2, 3)), "h": 1e-3},  # a 2-D array
        {"f": _wave(rng), "x": float(rng.uniform(-1, 1)), "h": 1e-2},            # one point
        {"f": _poly(rng), "x": float(rng.uniform(0.5, 1.5)), "h": 1e-4},
    ]


def _nd_fixed_step(f, x, h=1e-5):
    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5


NUMERICAL_DERIVATIVE_SHADOWS = [shadow("ignores_h", _nd_fixed_step)]


def _slopes_away_from_zero(cases) -> bool:
    """|f'| >= 0.05 at every point: two correct float64 implementations differ by rounding,
    about 1e-16 |f| / h, which must stay far below the tolerance relative to f'."""
    return all(np.min(np.abs(_run(ref.numerical_derivative, c)[1][0])) >= 0.05 for c in cases)


def _numerical_derivative_cases(rng):
    return until(rng, _numerical_derivative_draw,
                 lambda cs: _slopes_away_from_zero(cs)
                 and separated(numerical_derivative, NUMERICAL_DERIVATIVE_SHADOWS)(cs))


def _numerical_derivative_features(cases):
    return (tuple(np.ndim(c["x"]) for c in cases), tuple(c["h"] for c in cases), _slopes_away_from_zero(cases),
            separation(numerical_derivative, cases, NUMERICAL_DERIVATIVE_SHADOWS))


# --- worst_entry --------------------------------------------------------------------------

def _rel_errors(a, b):
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def _worst_entry_draw(rng):
    # entries of very different magnitudes: the largest |a - b| is not the largest relative error
    a = rng.normal(size=(3, 4)) * 10.0 ** rng.uniform(-3, 3, size=(3, 4))
    b = a * (1 + rng.uniform(1e-4, 1e-1, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4)))
    z, z2 = np.zeros(5), np.zeros(5)
    z2[int(rng.integers(0, 5))] = rng.uniform(1e-4, 1e-3)
    # a ≈ −b at one entry k (elsewhere b ≈ a): |a| + |b|, not |a + b|. Where the signs of a
    # and b differ the relative error is exactly 1, so only one entry may differ in sign.
    c = rng.normal(size=6)
    d = c * (1 + rng.uniform(1e-3, 1e-1, size=6))
    k = int(rng.integers(0, 6))
    d[k] = -c[k] + rng.normal(scale=1e-2)
    p = rng.normal(size=(2, 3))
    q = np.abs(rng.normal(size=(2, 3))) * np.sign(p)                 # same signs: no ties at 1
    return [
        {"a": a, "b": b},
        {"a": z, "b": z2},                                           # zeros: the 1e-8 floor matters
        {"a": c, "b": d},
        {"a": p, "b": q},
    ]


def _unique_max(case) -> bool:
    """The largest relative error is reached at one entry only (a clear margin to the next)."""
    e = np.sort(_rel_errors(case["a"], case["b"]).ravel())
    return bool(e[-1] - e[-2] > 1e-6 * e[-1])


def _worst_entry_structure(cases):
    first = cases[0]
    diff = np.abs(first["a"] - first["b"])
    return (tuple(_unique_max(c) for c in cases),
            bool(np.argmax(diff) != np.argmax(_rel_errors(first["a"], first["b"]))),
            bool(np.all(cases[1]["a"] == 0) and np.count_nonzero(cases[1]["b"]) == 1),
            bool(np.min(np.abs(cases[2]["a"] + cases[2]["b"])) < 0.1))


def _we_relative_to_a(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    return float(errors[idx]), tuple(int(i) for i in idx)


def _we_float32(a, b):
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    errors = np.abs(a - b) / np.maximum(np.float32(1e-8), np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    return float(errors[idx]), tuple(int(i) for i in idx)


WORST_ENTRY_SHADOWS = [shadow("relative_to_a", _we_relative_to_a), shadow("float32", _we_float32)]


def _worst_entry_features(cases):
    return _worst_entry_structure(cases), separation(worst_entry, cases, WORST_ENTRY_SHADOWS)


def _worst_entry_cases(rng):
    return until(rng, _worst_entry_draw,
                 lambda cs: all(_worst_entry_structure(cs)[0]) and all(_worst_entry_structure(cs)[1:])
                 and separated(worst_entry, WORST_ENTRY_SHADOWS)(cs))


# --- directional_derivative ---------------------------------------------------------------

def _mix(rng, shape):
    return {"fn": "mix", "params": {"a": rng.uniform(0.5, 2, size=shape), "b": rng.uniform(-2, 2, size=shape),
                                    "c": float(rng.uniform(0.5, 1.5))}}


def _direction(rng, shape):
    v = rng.normal(size=shape)
    return v * rng.uniform(1.5, 3) / np.linalg.norm(v)   # ‖v‖ far from 1: v is not normalised


def _directional_draw(rng):
    return [{"f": _mix(rng, shape), "x": rng.normal(size=shape), "v": _direction(rng, shape), "h": h}
            for shape, h in [((4,), 1e-5), ((2, 3), 1e-5), ((3, 1), 1e-3)]]


def _dd_fixed_step(f, x, v, h=1e-5):
    x, v = np.asarray(x, dtype=np.float64), np.asarray(v, dtype=np.float64)
    return float((f(x + 1e-5 * v) - f(x - 1e-5 * v)) / 2e-5)


def _dd_sum_of_partials(f, x, v, h=1e-5):
    """Σ_i ∂f/∂x_i: every coordinate shifted in turn, v forgotten."""
    x = np.asarray(x, dtype=np.float64)
    total = 0.0
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        total += (f(x + e) - f(x - e)) / (2 * h)
    return float(total)


DIRECTIONAL_DERIVATIVE_SHADOWS = [shadow("ignores_h", _dd_fixed_step), shadow("sum_of_partials", _dd_sum_of_partials)]


def _not_restored_by_arithmetic(case) -> bool:
    """x += hv; x -= 2hv; x += hv does not give x back exactly (x must be restored from a copy)."""
    x = case["x"].copy()
    x += case["h"] * case["v"]
    x -= 2 * case["h"] * case["v"]
    x += case["h"] * case["v"]
    return not np.array_equal(x, case["x"])


def _directional_structure(cases):
    """‖v‖ far from 1 (a normalised v must show), |∇f · v| >= 0.1 (rounding, about
    1e-16 |f| / h, stays far below the tolerance), and x not restored by arithmetic."""
    return (tuple(bool(np.linalg.norm(c["v"]) > 1.4) for c in cases),
            all(abs(_run(ref.directional_derivative, c)[1][0]) >= 0.1 for c in cases),
            any(_not_restored_by_arithmetic(c) for c in cases))


def _directional_cases(rng):
    return until(rng, _directional_draw,
                 lambda cs: all(_directional_structure(cs)[1:])
                 and separated(directional_derivative, DIRECTIONAL_DERIVATIVE_SHADOWS)(cs))


def _directional_features(cases):
    return (_directional_structure(cases),
            separation(directional_derivative, cases, DIRECTIONAL_DERIVATIVE_SHADOWS))



# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference module's namespace
# (solutions.intro), and end to end as the student's solution cell; so it uses only names the
# notebook has (np) and no helper of this file.


@exercise()
class squared_error:
    cases = _squared_error_cases
    features = _squared_error_features

    class mistakes:
        def no_half(t, o):
            """нет множителя ½: E = ½ Σ (t − o)² — с ½ производная получается ровно (o − t)."""
            t = np.asarray(t, dtype=np.float64)
            o = np.asarray(o, dtype=np.float64)
            if t.shape != o.shape:
                raise ValueError("shapes differ")
            return float(np.sum((t - o) ** 2))

        def mean_instead_of_sum(t, o):
            """вы усредняете по выходам (np.mean), а в лекции сумма по выходам j:
            E = ½ Σ_j (t_j − o_j)²."""
            t = np.asarray(t, dtype=np.float64)
            o = np.asarray(o, dtype=np.float64)
            if t.shape != o.shape:
                raise ValueError("shapes differ")
            return float(0.5 * np.mean((t - o) ** 2))

        def no_square(t, o):
            """разности не возведены в квадрат: положительные и отрицательные ошибки взаимно гасятся."""
            t = np.asarray(t, dtype=np.float64)
            o = np.asarray(o, dtype=np.float64)
            if t.shape != o.shape:
                raise ValueError("shapes differ")
            return float(0.5 * np.sum(t - o))


@exercise(tol=1e-8, demo="forward_difference")
class numerical_derivative:
    cases = _numerical_derivative_cases
    features = _numerical_derivative_features

    class mistakes:
        def forward_difference(f, x, h=1e-5):
            """это правая разность (f(x+h) − f(x))/h с ошибкой O(h); нужна центральная:
            (f(x+h) − f(x−h)) / (2h), её ошибка O(h²)."""
            return (f(x + h) - f(x)) / h

        def divided_by_h(f, x, h=1e-5):
            """центральная разность делится на 2h, а не на h: расстояние между x−h и x+h равно 2h."""
            return (f(x + h) - f(x - h)) / h

        def backward_difference(f, x, h=1e-5):
            """это левая разность (f(x) − f(x−h))/h; нужна центральная (f(x+h) − f(x−h)) / (2h)."""
            return (f(x) - f(x - h)) / h


@exercise(outputs=("err", "idx"))
class worst_entry:
    cases = _worst_entry_cases
    features = _worst_entry_features

    class mistakes:
        def no_floor(a, b):
            """в знаменателе нет max(1e-8, …): там, где a = b = 0, получается 0/0 = NaN."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            errors = np.abs(a - b) / (np.abs(a) + np.abs(b))
            idx = np.unravel_index(np.argmax(errors), errors.shape)
            err = errors[idx]
            return err, idx

        def abs_of_sum(a, b):
            """в знаменателе |a + b| вместо |a| + |b|: при a ≈ −b ошибка взлетает."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))
            idx = np.unravel_index(np.argmax(errors), errors.shape)
            err = errors[idx]
            return err, idx

        def mean_instead_of_max(a, b):
            """ошибка — среднее по элементам, а нужен максимум: одна большая ошибка не должна
            теряться."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
            idx = np.unravel_index(np.argmax(errors), errors.shape)
            err = np.mean(errors)
            return err, idx

        def ratio_of_maxima(a, b):
            """максимум берётся отдельно в числителе и знаменателе; нужно отношение поэлементно,
            потом max."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            diff = np.abs(a - b)
            err = np.max(diff) / max(1e-8, np.max(np.abs(a) + np.abs(b)))
            idx = np.unravel_index(np.argmax(diff), diff.shape)
            return err, idx

        def argmax_abs_diff(a, b):
            """индекс указывает на наибольшую *абсолютную* разность |a − b|, а нужен элемент с
            наибольшей относительной ошибкой."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
            err = np.max(errors)
            idx = np.unravel_index(np.argmax(np.abs(a - b)), a.shape)
            return err, idx

        def flat_index(a, b):
            """np.argmax возвращает номер элемента в развёрнутом массиве; нужен кортеж индексов
            длины a.ndim (np.unravel_index)."""
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
            err = np.max(errors)
            idx = np.argmax(errors)
            return err, idx


@exercise(tol=1e-8)
class directional_derivative:
    cases = _directional_cases
    features = _directional_features

    class mistakes:
        def forward_difference(f, x, v, h=1e-5):
            """правая разность (f(x + hv) − f(x))/h вместо центральной: её ошибка O(h), а не O(h²)."""
            return float((f(x + h * v) - f(x)) / h)

        def divided_by_h(f, x, v, h=1e-5):
            """центральная разность делится на 2h, а не на h: точки x − hv и x + hv отстоят на 2h
            вдоль v."""
            return float((f(x + h * v) - f(x - h * v)) / h)

        def shift_by_h(f, x, v, h=1e-5):
            """x сдвинут на h по всем координатам сразу (x ± h), а нужно вдоль направления v: x ± h·v."""
            return float((f(x + h) - f(x - h)) / (2 * h))

        def normalised_direction(f, x, v, h=1e-5):
            """направление v нормировано; в этом упражнении v берётся как есть, и ответ равен ∇f · v."""
            u = v / np.linalg.norm(v)
            return float((f(x + h * u) - f(x - h * u)) / (2 * h))
