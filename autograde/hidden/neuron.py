"""Hidden checks and mistakes of solutions/neuron.py (notebook 03, «Нейрон»).

Every student's cases have the same structure with random values inside it (grading rule 3):

- every batch has M not in {1, 2, 3} for the neuron's functions (X @ w with w of shape (3,),
  err @ X.T and their kin fail instead of passing by chance), the bias w0 is away from 0 and
  the weights differ in magnitude (a dropped or shifted bias, swapped weights show); the last
  case has n = 3 features (the notebook promises X of shape (M, n) and reuses the functions on
  the three new features of its section 7);
- logistic has a point with d > 710 and one with d < -710: exp(d) or exp(-d) overflows, so
  e^d / (1 + e^d) gives NaN while 1 / (1 + e^-d) (a harmless overflow warning) and a stable
  sigmoid give 0 and 1, and two points with 0 < |d| < 1 (a stable sigmoid that switches its
  formula anywhere but at d = 0 fails); its second case has n = 3 features (a sigmoid written for the plane,
  w0 + w1 x1 + w2 x2, fails);
- the loss and its gradient have |d| < 6 everywhere (the notebook promises points not far from
  the line: then log a and log(1 - a) are accurate to about 1e-14 in every correct idiom, and an
  eps <= 1e-12 inside the log changes the loss by less than 1e-9) and both classes in every
  batch (the {-1, +1} formula applied to {0, 1} labels loses the class 0 only);
- hidden_features has n_out != n_in (a transposed W fails), a bias away from 0 and, in its
  second case, n_in = 3 inputs (a layer written for two inputs fails);
- collapse_linear has n_in, n_hidden, n_out pairwise different (W2 @ W1, a missing transpose
  fail) and biases away from 0.

``features`` describes the structure that types and shapes alone miss.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from solutions import neuron


def _away_from_zero(rng, lo, hi, size=None):
    """Uniform magnitudes in [lo, hi] with random signs."""
    return rng.uniform(lo, hi, size=size) * rng.choice([-1.0, 1.0], size=size)


def _weights(rng, n=2):
    """[w0, w1, ..., wn]: |w0| >= 0.5, every |wj| > 0.2 and any two at least 0.3 apart."""
    while True:
        w = np.concatenate([_away_from_zero(rng, 0.5, 2.0, 1), rng.normal(size=n)])
        gaps = np.abs(np.subtract.outer(np.abs(w), np.abs(w)))[np.triu_indices(n + 1, 1)]
        if gaps.min() > 0.3 and np.all(np.abs(w[1:]) > 0.2):
            return w


def _labels(rng, M):
    """0.0 / 1.0 labels of shape (M,), both classes present."""
    y = (rng.random(M) < 0.5).astype(np.float64)
    y[:2] = [0.0, 1.0]
    return rng.permutation(y)


# --- decision_function, logistic -------------------------------------------------------------

def _decision_cases(rng):
    return [{"X": rng.normal(scale=2, size=(M, n)), "w": _weights(rng, n)} for M, n in [(5, 2), (4, 2), (7, 3)]]


def _far_point(rng, w, d):
    """A point x with w0 + w1 x1 + w2 x2 = d (along the normal of the line, plus a shift along it)."""
    n = w[1:]
    along = np.array([-n[1], n[0]]) * rng.normal()
    return (d - w[0]) * n / (n @ n) + along


def _logistic_cases(rng):
    cases = _decision_cases(rng)
    cases = [cases[0], cases[2]]                  # n = 2 and n = 3 features
    X, w = rng.normal(scale=2, size=(6, 2)), _weights(rng)
    X[1] = _far_point(rng, w, rng.uniform(750, 1000))
    X[4] = _far_point(rng, w, -rng.uniform(750, 1000))
    X[2] = _far_point(rng, w, rng.uniform(0.05, 0.9))     # near the line on both sides: a stable
    X[3] = _far_point(rng, w, -rng.uniform(0.05, 0.9))    # sigmoid's branch at the wrong place shows
    return cases + [{"X": X, "w": w}]


def _logistic_features(cases):
    out = []
    for c in cases:
        d = neuron.decision_function(c["X"], c["w"])
        out.append((bool(d.max() > 710), bool(d.min() < -710)))
    return tuple(out)


# --- logistic_loss, logistic_loss_grad -------------------------------------------------------

D_MAX = 6.0


def _loss_cases(rng):
    cases = []
    for M, n in [(6, 2), (5, 2), (8, 3)]:
        while True:
            X, w = rng.normal(scale=1.5, size=(M, n)), _weights(rng, n)
            if np.abs(neuron.decision_function(X, w)).max() < D_MAX:
                break
        cases.append({"X": X, "y": _labels(rng, M), "w": w})
    return cases


def _loss_features(cases):
    return tuple((bool(np.abs(neuron.decision_function(c["X"], c["w"])).max() < D_MAX),
                  bool(0 < c["y"].sum() < len(c["y"])), bool(np.all((c["y"] == 0) | (c["y"] == 1))))
                 for c in cases)


# --- hidden_features, collapse_linear --------------------------------------------------------

def _hidden_cases(rng):
    return [{"X": rng.normal(scale=2, size=(M, n_in)), "W": rng.normal(scale=1.5, size=(n_in, n)),
             "b": _away_from_zero(rng, 0.5, 2.0, n)} for M, n_in, n in [(6, 2, 3), (5, 3, 4), (7, 2, 5)]]


def _collapse_cases(rng):
    return [{"W1": rng.normal(size=(n_in, n_h)), "b1": _away_from_zero(rng, 0.5, 2.0, n_h),
             "W2": rng.normal(size=(n_h, n_out)), "b2": _away_from_zero(rng, 0.5, 2.0, n_out)}
            for n_in, n_h, n_out in [(2, 3, 1), (3, 5, 2), (4, 2, 3)]]


def _bias_features(cases):
    return tuple(bool(all(np.abs(v).min() >= 0.5 for k, v in c.items() if k.startswith("b"))) for c in cases)


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference namespace (solutions.neuron),
# and end to end as the student's solution cell; it uses only names the notebook has (np).


@exercise()
class decision_function:
    cases = _decision_cases

    class mistakes:
        def forgot_bias(X, w):
            """забыт свободный член w0: без него линия d(x) = 0 всегда проходит через начало координат."""
            return X @ w[1:]

        def bias_last(X, w):
            """свободный член взят последним: w[0] — это w0, а признаки умножаются на w[1], w[2], …"""
            return X @ w[:-1] + w[-1]


@exercise()
class logistic:
    cases = _logistic_cases
    features = _logistic_features

    class mistakes:
        def sign_in_exponent(X, w):
            """знак в экспоненте перевёрнут: это вероятность класса 0, а a(x) — вероятность класса 1
            (чем больше d, тем ближе a к 1)."""
            d = w[0] + X @ w[1:]
            with np.errstate(over="ignore"):
                return 1 / (1 + np.exp(d))

        def overflow(X, w):
            """e^d / (1 + e^d) даёт inf / inf = NaN, когда e^d переполняется (d > 709): для
            больших d запишите σ так, чтобы экспонента не росла."""
            d = w[0] + X @ w[1:]
            with np.errstate(over="ignore", invalid="ignore"):
                return np.exp(d) / (1 + np.exp(d))

        def forgot_bias(X, w):
            """забыт свободный член w0 в d(x)."""
            d = X @ w[1:]
            return 1 / (1 + np.exp(-d))


@exercise(tol=1e-8)
class logistic_loss:
    cases = _loss_cases
    features = _loss_features

    class mistakes:
        def missing_1_over_M(X, y, w):
            """потери не усреднены: разделите сумму по примерам на их число M."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))

        def flipped_sign(X, y, w):
            """перевёрнут знак: логарифм вероятности ≤ 0, а потери должны быть ≥ 0."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            return float(np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))

        def labels_plus_minus_one(X, y, w):
            """перепутано соглашение о метках: формула log(1 + e^(−y·d)) — для меток ±1, а здесь
            y ∈ {0, 1}; у примера с y = 0 она всегда даёт log 2."""
            d = w[0] + X @ w[1:]
            return float(np.mean(np.log(1 + np.exp(-y * d))))

        def swapped_classes(X, y, w):
            """классы перепутаны: при y = 1 в потери входит log a (a — вероятность класса 1), при
            y = 0 — log(1 − a)."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            return float(-np.mean(y * np.log(1 - a) + (1 - y) * np.log(a)))


@exercise()
class logistic_loss_grad:
    cases = _loss_cases
    features = _loss_features

    class mistakes:
        def missing_1_over_M(X, y, w):
            """потери — среднее по примерам, значит и градиент делится на M."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            return np.concatenate([[np.sum(a - y)], X.T @ (a - y)])

        def flipped_sign(X, y, w):
            """перевёрнут знак: градиент указывает направление роста потерь, шаг спуска — против него."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            err = (y - a) / len(y)
            return np.concatenate([[np.sum(err)], X.T @ err])

        def extra_sigmoid_derivative(X, y, w):
            """лишний множитель a(1 − a): в произведении ∂L/∂a · ∂a/∂d он уже сократился со
            знаменателем ∂L/∂a — второй раз его умножать не нужно."""
            a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
            err = (a - y) * a * (1 - a) / len(y)
            return np.concatenate([[np.sum(err)], X.T @ err])

        def labels_plus_minus_one(X, y, w):
            """перепутано соглашение о метках: градиент записан для меток ±1, а здесь y ∈ {0, 1} —
            примеры класса 0 в нём ничего не дают."""
            d = w[0] + X @ w[1:]
            g = -y / (1 + np.exp(y * d)) / len(y)
            return np.concatenate([[np.sum(g)], X.T @ g])


@exercise()
class hidden_features:
    cases = _hidden_cases
    features = _bias_features

    class mistakes:
        def no_sigmoid(X, W, b):
            """нет сигмоиды: признаки z_i — это σ от линейной функции, без неё слой линеен."""
            return X @ W + b

        def forgot_bias(X, W, b):
            """забыт свободный член b (w_{0,i} каждой линии)."""
            return 1 / (1 + np.exp(-(X @ W)))

        def sign_in_exponent(X, W, b):
            """знак в экспоненте перевёрнут: σ(z) = 1 / (1 + e^(−z))."""
            return 1 / (1 + np.exp(X @ W + b))


@exercise(outputs=("W", "b"))
class collapse_linear:
    cases = _collapse_cases
    features = _bias_features

    class mistakes:
        def forgot_b1(W1, b1, W2, b2):
            """потерян свободный член первого слоя: b1 проходит через второй слой вместе с X W1."""
            return W1 @ W2, b2

        def forgot_b2(W1, b1, W2, b2):
            """потерян свободный член второго слоя b2."""
            return W1 @ W2, b1 @ W2
