"""Hidden checks and mistakes of solutions/losses.py: softmax, log-sum-exp, cross-entropy, softmax
with temperature (notebooks 09, 10) and MSE.

Every student's cases have the same structure (shapes, edge cases) with random values inside
it, so the same code gets the same grade whoever submits it (grading rule 3):

- every batch has M != K and M != 1 (a sum over the wrong axis, a missing 1/M);
- every logit exercise has a batch mixing rows of very different scale: a row of large logits
  (a naive exp overflows), an ordinary row and a row of large negative logits (one global max
  for the whole batch empties the ordinary and the negative rows: 0 / 0), and a row whose
  logits span more than 800 (subtracting the row minimum instead of the maximum overflows);
- the losses on logits have a row whose target probability underflows to 0 (log(softmax)
  gives inf: the loss must be computed as z - LSE(z));
- cross_entropy(Y, t) has a target probability in [2e-4, 5e-4] (a clip at 1e-3 changes the
  loss, an eps <= 1e-12 inside the log does not), a non-target probability below 1e-8 and a
  batch of confident predictions (target probability 1 - delta, delta in [5e-3, 2e-2]: float32
  rounding of log(1 - delta) is far above tol);
- entropy has exact zeros in P (0 log 0 = 0) and no nearly one-hot row (an eps <= 1e-12 inside
  the log shifts H by about K * 1e-12, which against H = 0 is a relative error of 1e-4);
- no target probability lies in (1 - 1e-6, 1), where y - t cancels and correct idioms differ in
  the last bits of a number below 1e-6 (rel_error's denominator has a floor of 1e-8);
- temperatures are drawn away from every batch size M, so a missing 1/M and a missing 1/T are
  told apart, and cover T > 1 and T < 1.

``features`` describes this structure; tests check that it is the same for every student.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from solutions import losses

UNDERFLOW = 746.0   # exp(-x) == 0.0 in float64 for x above about 745.2
OVERFLOW = 710.0    # exp(x) == inf in float64 for x above about 709.8


def _one_hot(rng, M, K):
    t = np.zeros((M, K))
    t[np.arange(M), rng.integers(0, K, size=M)] = 1.0
    return t


def _mixed_rows(rng, K):
    """(3, K): a row of large logits, an ordinary row and a row of large negative logits."""
    big = rng.uniform(850, 1000) + rng.normal(size=K)
    small = rng.normal(size=K)
    negative = -rng.uniform(850, 1000) + rng.normal(size=K)
    return np.stack([big, small, negative])


def _wide_row(rng, K):
    """(1, K): ordinary logits and one far below them: exp(z - min z) overflows, so a softmax
    that subtracts the row minimum instead of the maximum fails."""
    z = rng.normal(size=K)
    z[rng.integers(0, K)] = z.max() - rng.uniform(800, 1000)
    return z[None, :]


def _mixed_and_wide(rng, K):
    """(4, K): the three mixed rows and a wide row."""
    return np.concatenate([_mixed_rows(rng, K), _wide_row(rng, K)])


def _redraw(rng, draw, ok, tries: int = 1000):
    """``draw(rng)`` again until ``ok`` holds: random values inside a fixed structure."""
    for _ in range(tries):
        value = draw(rng)
        if ok(value):
            return value
    raise RuntimeError("no case satisfies the structure")  # pragma: no cover - tested by test_verify


def _no_near_one_target(Z, t, temperature=1.0) -> bool:
    """No target probability in (1 - 1e-6, 1): there y - t cancels to a number below 1e-6
    whose last bits differ between correct idioms (exp(log y) against e / sum e), and
    rel_error, whose denominator has a floor of 1e-8, would call a correct dZ wrong."""
    p = np.sum(losses.softmax(Z / temperature) * t, axis=1)
    return bool(np.all((p < 1 - 1e-6) | (p == 1.0)))


def _far_target(rng, K):
    """(1, K) logits and a one-hot target whose logit is far below the row's max: the target's
    probability underflows to 0, so log(softmax) is -inf while z - LSE(z) is finite."""
    z = rng.normal(size=K)
    t = int(rng.integers(0, K))
    z[t] = z.max() - rng.uniform(800, 1000)
    return z[None, :], np.eye(K)[[t]]


def _mixed_batch(rng, K):
    """(4, K) logits and targets: the three mixed rows plus a far-target row (in the third place)."""
    rows = _mixed_rows(rng, K)
    far, far_t = _far_target(rng, K)
    Z = np.concatenate([rows[:2], far, rows[2:]])
    t = _one_hot(rng, 4, K)
    t[2] = far_t[0]
    return Z, t


def _traits(S, t=None) -> tuple:
    """Edge cases present in one batch of (scaled) logits S and one-hot targets t."""
    row_max = S.max(axis=1)
    out = []
    if row_max.max() > OVERFLOW:
        out.append("a naive exp overflows")
    if row_max.min() < row_max.max() - UNDERFLOW:
        out.append("one global max empties a row")
    if np.max(row_max - S.min(axis=1)) > UNDERFLOW:
        out.append("subtracting the row min overflows")
    if t is not None:
        gap = row_max - np.sum(t * S, axis=1)
        if gap.max() > UNDERFLOW:
            out.append("a target probability underflows to 0")
    return tuple(out)


def _log_uniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


# --- softmax, logsumexp ----------------------------------------------------------------------

def _softmax_cases(rng):
    return [{"Z": rng.normal(size=(4, 3))}, {"Z": rng.normal(scale=3, size=(5, 6))},
            {"Z": _mixed_and_wide(rng, 5)}]


def _softmax_features(cases):
    return tuple(_traits(c["Z"]) for c in cases)


# --- cross_entropy(Y, t) ---------------------------------------------------------------------

def _rows(rng, K, p_target, tiny_row=None):
    """(Y, t): rows of probabilities with the given target probabilities, the rest of each row
    split at random between the other classes; row ``tiny_row`` gets a non-target probability
    below 1e-8."""
    M = len(p_target)
    Y, t = np.zeros((M, K)), np.zeros((M, K))
    for i, p in enumerate(p_target):
        k = int(rng.integers(0, K))
        rest = rng.dirichlet(np.ones(K - 1)) * (1 - p)
        if i == tiny_row:
            rest[0] = rng.uniform(1e-12, 1e-9)
            rest[1:] = rng.dirichlet(np.ones(K - 2)) * (1 - p - rest[0])
        Y[i] = np.insert(rest, k, p)
        t[i, k] = 1.0
    return Y, t


def _cross_entropy_cases(rng):
    ordinary = lambda n: list(rng.uniform(0.05, 0.95, size=n))
    cases = []
    # a target probability in [2e-4, 5e-4] and a non-target one below 1e-8
    Y, t = _rows(rng, 3, [rng.uniform(2e-4, 5e-4)] + ordinary(4), tiny_row=1)
    cases.append({"Y": Y, "t": t})
    # confident predictions: float32 rounding of log(1 - delta) is far above tol
    Y, t = _rows(rng, 6, list(1 - rng.uniform(5e-3, 2e-2, size=4)))
    cases.append({"Y": Y, "t": t})
    Y, t = _rows(rng, 4, ordinary(3))
    cases.append({"Y": Y, "t": t})
    return cases


def _cross_entropy_features(cases):
    out = []
    for c in cases:
        Y, t = c["Y"], c["t"]
        p = np.sum(Y * t, axis=1)
        traits = []
        if p.min() < 1e-3:
            traits.append("a target probability below 1e-3")
        if p.min() >= 2e-4:
            traits.append("every target probability at least 2e-4")
        if np.min(np.where(t > 0, 1.0, Y)) < 1e-8:
            traits.append("a non-target probability below 1e-8")
        if p.min() > 0.98:
            traits.append("confident: every target probability above 0.98")
        if np.all(Y > 0) and np.allclose(Y.sum(axis=1), 1.0, rtol=0, atol=1e-12):
            traits.append("rows are positive distributions")
        out.append(tuple(traits))
    return tuple(out)


# --- softmax_cross_entropy(Z, t) -------------------------------------------------------------

def _logits_and_targets(M, K, scale=1.0, temperature=1.0):
    def draw(rng):
        return rng.normal(scale=scale, size=(M, K)), _one_hot(rng, M, K)
    return lambda rng: _redraw(rng, draw, lambda c: _no_near_one_target(*c, temperature))


def _ce_cases(rng):
    cases = [_logits_and_targets(4, 3)(rng), _logits_and_targets(5, 6, scale=3)(rng),
             _redraw(rng, lambda r: _mixed_batch(r, 5), lambda c: _no_near_one_target(*c))]
    return [{"Z": Z, "t": t} for Z, t in cases]


def _ce_features(cases):
    return tuple((_traits(c["Z"], c["t"]), _no_near_one_target(c["Z"], c["t"])) for c in cases)


# --- softmax_backward(dY, Y) -----------------------------------------------------------------

def _softmax_backward_cases(rng):
    return [{"dY": rng.normal(size=(M, K)), "Y": losses.softmax(rng.normal(scale=2, size=(M, K)))}
            for M, K in [(4, 3), (3, 6), (6, 5)]]


def _softmax_backward_features(cases):
    return tuple(bool(np.allclose(c["Y"].sum(axis=1), 1.0)) for c in cases)


# --- entropy(P) ------------------------------------------------------------------------------

MIN_ENTROPY = 0.05   # no row is nearly one-hot: an eps <= 1e-12 inside the log must pass (rule 5),
                     # and it shifts H by about K * 1e-12 (relative 1e-4 against an H of 0)


def _entropy_cases(rng):
    def zeros(r):
        hard = np.zeros((2, 4))
        two = r.choice(4, size=2, replace=False)
        p = r.uniform(0.1, 0.9)
        hard[0, two] = [p, 1 - p]                                   # two zeros
        zero = r.integers(0, 4)
        hard[1, np.arange(4) != zero] = r.dirichlet(np.ones(3))     # one zero
        return hard

    def spread(shape, scale):
        return lambda r: losses.softmax(r.normal(scale=scale, size=shape))

    ok = lambda P: bool(np.all(losses.entropy(P) > MIN_ENTROPY))
    return [{"P": _redraw(rng, spread((4, 5), 2.0), ok)},
            {"P": _redraw(rng, spread((3, 2), 2.0), ok)},
            {"P": _redraw(rng, zeros, ok)}]


def _entropy_features(cases):
    out = []
    for c in cases:
        P = c["P"]
        traits = []
        if np.any(P == 0):
            traits.append("zeros in P")
        if np.all(losses.entropy(P) > MIN_ENTROPY):
            traits.append("no row nearly one-hot")
        out.append(tuple(traits))
    return tuple(out)


# --- softmax_t(Z, T) -------------------------------------------------------------------------

def _softmax_t_cases(rng):
    small_T = rng.uniform(0.05, 0.1)
    return [{"Z": rng.normal(size=(4, 3)), "T": _log_uniform(rng, 8.0, 100.0)},       # T > 1
            {"Z": rng.normal(scale=3, size=(5, 6)), "T": rng.uniform(0.2, 0.5)},     # T < 1
            {"Z": _mixed_and_wide(rng, 5) * small_T, "T": small_T},                   # Z / T mixed
            {"Z": rng.normal(size=(2, 5)), "T": rng.uniform(1.5, 3.0)}]


def _softmax_t_features(cases):
    return tuple((c["T"] > 1, _traits(c["Z"] / c["T"])) for c in cases)


# --- softmax_t_cross_entropy(Z, t, T) --------------------------------------------------------

def _softmax_t_ce_cases(rng):
    high_T, low_T, small_T = _log_uniform(rng, 8.0, 80.0), rng.uniform(0.2, 0.4), rng.uniform(0.05, 0.1)
    cases = []
    for (Z, t), temperature in [(_logits_and_targets(4, 3, scale=2, temperature=high_T)(rng), high_T),
                                (_logits_and_targets(5, 6, temperature=low_T)(rng), low_T)]:
        cases.append({"Z": Z, "t": t, "T": temperature})
    Z, t = _redraw(rng, lambda r: _mixed_batch(r, 5), lambda c: _no_near_one_target(*c))
    cases.append({"Z": Z * small_T, "t": t, "T": small_T})
    return cases


def _softmax_t_ce_features(cases):
    out = []
    for c in cases:
        M, T = c["Z"].shape[0], c["T"]
        told_apart = abs(np.log(T / M)) > np.log(1.5)      # a missing 1/M is not a missing 1/T
        out.append((T > 1, bool(told_apart), _traits(c["Z"] / T, c["t"]),
                    _no_near_one_target(c["Z"], c["t"], T)))
    return tuple(out)


def _mse_cases(rng):
    return [{"Y": rng.normal(size=(M, K)), "t": rng.normal(size=(M, K))} for M, K in [(4, 3), (7, 2), (3, 5)]]


LOSS_DZ = ("loss", "dZ")

# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in this module's reference namespace
# (solutions.losses), and end to end as the student's solution cell; so it uses only names
# the notebook has (np, the notebook's earlier functions) and no helper of this file.


@exercise()
class softmax:
    cases = _softmax_cases
    features = _softmax_features

    class mistakes:
        def unstable(Z):
            """softmax без вычитания максимума: exp переполняется на больших логитах и даёт NaN;
            вычтите max z своей строки (уравнение 61)."""
            e = np.exp(Z)
            return e / np.sum(e, axis=1, keepdims=True)

        def wrong_axis(Z):
            """нормировка не по той оси: вероятности каждого примера (строки) должны давать в сумме 1."""
            e = np.exp(Z - Z.max(axis=0, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)


@exercise()
class logsumexp:
    cases = _softmax_cases
    features = _softmax_features

    class mistakes:
        def unstable(Z):
            """log Σ exp без вычитания максимума переполняется; используйте m + log Σ exp(z − m)."""
            return np.log(np.sum(np.exp(Z), axis=1))

        def forgot_max(Z):
            """максимум вычтен, но не прибавлен обратно: log Σ exp(z) = m + log Σ exp(z − m)."""
            m = Z.max(axis=1, keepdims=True)
            return np.log(np.sum(np.exp(Z - m), axis=1))


@exercise()
class cross_entropy:
    cases = _cross_entropy_cases
    features = _cross_entropy_features

    class mistakes:
        def missing_1_over_M(Y, t):
            """потери не усреднены по пакету: разделите сумму на число примеров M."""
            return float(-np.sum(t * np.log(Y)))

        def flipped_sign(Y, t):
            """перевёрнут знак: L = −Σ t log y ≥ 0, потому что log y ≤ 0."""
            return float(np.sum(t * np.log(Y)) / Y.shape[0])

        def log_of_target(Y, t):
            """t и y перепутаны местами: L = −Σ t log y, логарифм берётся от предсказанных
            вероятностей y."""
            return float(-np.sum(Y * np.log(t)) / Y.shape[0])


@exercise(outputs=LOSS_DZ, demo="missing_1_over_M")
class softmax_cross_entropy:
    cases = _ce_cases
    features = _ce_features

    class mistakes:
        def missing_1_over_M(Z, t):
            """потери усредняются по пакету: dZ = (y − t) / M."""
            shifted = Z - np.max(Z, axis=1, keepdims=True)
            log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
            loss = float(-np.sum(t * log_y) / Z.shape[0])
            return loss, np.exp(log_y) - t

        def flipped_sign(Z, t):
            """перевёрнут знак: dL/dz = y − t (уравнение 68)."""
            shifted = Z - np.max(Z, axis=1, keepdims=True)
            log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
            loss = float(-np.sum(t * log_y) / Z.shape[0])
            return loss, (t - np.exp(log_y)) / Z.shape[0]

        def unstable(Z, t):
            """softmax без вычитания максимума: на больших логитах exp переполняется (NaN)."""
            Y = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
            return float(-np.sum(t * np.log(Y)) / Z.shape[0]), (Y - t) / Z.shape[0]


@exercise()
class softmax_backward:
    cases = _softmax_backward_cases
    features = _softmax_backward_features

    class mistakes:
        def diagonal_only(dY, Y):
            """учтена только диагональ якобиана softmax, y_i (1 − y_i); каждый выход зависит от всех
            логитов: J = diag(y) − y yᵀ, внедиагональные элементы −y_i y_k тоже входят в dz = Jᵀ dy."""
            return Y * (1 - Y) * dY

        def sum_over_batch(dY, Y):
            """сумма по j взята по примерам (axis=0), а нужна по классам внутри строки (axis=1)."""
            return Y * (dY - np.sum(dY * Y, axis=0, keepdims=True))

        def jacobian_not_transposed_sign(dY, Y):
            """перевёрнут знак: dz = Jᵀ dy, где J = diag(y) − y yᵀ."""
            return Y * (np.sum(dY * Y, axis=1, keepdims=True) - dY)


@exercise()
class softmax_t:
    cases = _softmax_t_cases
    features = _softmax_t_features

    class mistakes:
        def forgot_T(Z, T):
            """температура не учтена: softmax_T(z) = softmax(z / T) (уравнение 69)."""
            e = np.exp(Z - Z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

        def multiplied_by_T(Z, T):
            """логиты умножены на T, а нужно разделить: softmax_T(z) = softmax(z / T) (уравнение 69)."""
            S = Z * T
            e = np.exp(S - S.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)


@exercise()
class entropy:
    cases = _entropy_cases
    features = _entropy_features

    class mistakes:
        def log2(P):
            """энтропия посчитана в битах (log2); в курсе натуральный логарифм (наты), max H = ln K."""
            return -np.sum(np.where(P > 0, P * np.log2(np.where(P > 0, P, 1)), 0.0), axis=1)

        def nan_at_zero(P):
            """0 · log 0 дал NaN: по определению 0 log 0 = 0, пропускайте нулевые вероятности."""
            with np.errstate(divide="ignore", invalid="ignore"):
                return -np.sum(P * np.log(P), axis=1)

        def flipped_sign(P):
            """перевёрнут знак: H = −Σ p log p ≥ 0."""
            return np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1)), 0.0), axis=1)


@exercise(outputs=LOSS_DZ, demo="missing_1_over_T")
class softmax_t_cross_entropy:
    cases = _softmax_t_ce_cases
    features = _softmax_t_ce_features

    class mistakes:
        def missing_1_over_T(Z, t, T):
            """пропущен множитель из ∂s/∂z: логиты входят в softmax как s = z / T, и цепное правило
            добавляет производную s по z."""
            S = Z / T
            log_y = S - S.max(axis=1, keepdims=True)
            log_y = log_y - np.log(np.exp(log_y).sum(axis=1, keepdims=True))
            return float(-np.sum(t * log_y) / Z.shape[0]), (np.exp(log_y) - t) / Z.shape[0]

        def missing_1_over_M(Z, t, T):
            """потери усредняются по пакету: градиент делится ещё и на число примеров M."""
            S = Z / T
            log_y = S - S.max(axis=1, keepdims=True)
            log_y = log_y - np.log(np.exp(log_y).sum(axis=1, keepdims=True))
            return float(-np.sum(t * log_y) / Z.shape[0]), (np.exp(log_y) - t) / T

        def forgot_T_in_softmax(Z, t, T):
            """в softmax не подставлена температура: y_T = softmax(z / T)."""
            log_y = Z - Z.max(axis=1, keepdims=True)
            log_y = log_y - np.log(np.exp(log_y).sum(axis=1, keepdims=True))
            return float(-np.sum(t * log_y) / Z.shape[0]), (np.exp(log_y) - t) / (T * Z.shape[0])


@exercise()
class mse:
    cases = _mse_cases

    class mistakes:
        def missing_1_over_M(Y, t):
            """потери усредняются по пакету, значит и градиент делится на M."""
            return float(0.5 * np.sum((t - Y) ** 2) / Y.shape[0]), Y - t

        def flipped_sign(Y, t):
            """перевёрнут знак: ∂/∂y ½ (t − y)² = y − t."""
            return float(0.5 * np.sum((t - Y) ** 2) / Y.shape[0]), (t - Y) / Y.shape[0]

        def no_half(Y, t):
            """нет множителя ½: по соглашению курса E = ½ Σ (t − y)², тогда градиент ровно (y − t)/M."""
            return float(np.sum((t - Y) ** 2) / Y.shape[0]), 2 * (Y - t) / Y.shape[0]
