"""Hidden checks and mistakes of solutions/activations.py: the backward passes of sigmoid, ReLU,
leaky ReLU and tanh (sigmoid_backward in notebook 03; the others for the notebooks to come).

Every student's cases have the same structure (grading rule 3): fixed shapes — a vector, a
batch with M != n and a column — with random values; the upstream gradient ``da`` is never all
ones (a forgotten ``da`` shows); the sigmoid and tanh activations lie strictly inside their
ranges (they come from finite z); every ReLU input has exact zeros (the derivative at 0 is 0 by
the course's convention, eq. 28) and both signs.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from solutions import activations

SHAPES = [(5,), (4, 3), (3, 1)]


def _sigmoid_cases(rng):
    return [{"da": rng.normal(size=s), "a": activations.sigmoid(rng.normal(scale=2, size=s))} for s in SHAPES]


def _tanh_cases(rng):
    return [{"da": rng.normal(size=s), "a": np.tanh(rng.normal(size=s))} for s in SHAPES]


def _relu_cases(rng):
    cases = []
    for s in SHAPES:
        z = _away_from_zero(rng, s)
        z.flat[0], z.flat[-1] = 0.0, -abs(z.flat[-1])   # an exact zero, a negative entry
        z.flat[1] = abs(z.flat[1])                        # a positive entry
        cases.append({"da": rng.normal(size=s), "z": z})
    return cases


def _away_from_zero(rng, shape):
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _leaky_cases(rng):
    return [dict(c, alpha=0.01) for c in _relu_cases(rng)]


def _open_unit(cases):
    return tuple(bool(np.all((c["a"] > 0) & (c["a"] < 1))) for c in cases)


def _open_pm1(cases):
    return tuple(bool(np.all(np.abs(c["a"]) < 1)) for c in cases)


def _relu_features(cases):
    return tuple((bool(np.any(c["z"] == 0)), bool(np.any(c["z"] > 0)), bool(np.any(c["z"] < 0)))
                 for c in cases)


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference namespace (solutions.activations),
# and end to end as the student's solution cell; it uses only names the notebook has (np).


@exercise(demo="sigma_of_a")
class sigmoid_backward:
    cases = _sigmoid_cases
    features = _open_unit

    class mistakes:
        def sigma_of_a(da, a):
            """σ'(z) = σ(z)(1 − σ(z)) применена к a, а a уже равно σ(z): производную нужно выразить
            через сохранённую активацию a, не вычисляя σ ещё раз."""
            s = 1 / (1 + np.exp(-a))
            return da * s * (1 - s)

        def forgot_upstream(da, a):
            """не умножено на приходящий градиент da: по цепному правилу dz = da · ∂a/∂z."""
            return a * (1 - a)

        def flipped_sign(da, a):
            """перевёрнут знак: сигмоида возрастает, её производная неотрицательна."""
            return -da * a * (1 - a)


@exercise()
class relu_backward:
    cases = _relu_cases
    features = _relu_features

    class mistakes:
        def passes_upstream(da, z):
            """градиент пропущен насквозь: забыта производная ReLU (0 при z ≤ 0)."""
            return da

        def forgot_upstream(da, z):
            """не умножено на приходящий градиент da."""
            return (z > 0).astype(float)

        def uses_activation_sign(da, z):
            """при z = 0 производная ReLU по соглашению курса равна 0 (eq. 28): условие z > 0, не z ≥ 0."""
            return da * (z >= 0)


@exercise()
class leaky_relu_backward:
    cases = _leaky_cases
    features = _relu_features

    class mistakes:
        def zero_slope(da, z, alpha=0.01):
            """это производная обычного ReLU: у Leaky ReLU при z ≤ 0 производная равна 0.01, а не 0 (eq. 29)."""
            return da * (z > 0)

        def forgot_upstream(da, z, alpha=0.01):
            """не умножено на приходящий градиент da."""
            return np.where(z > 0, 1.0, alpha)


@exercise()
class tanh_backward:
    cases = _tanh_cases
    features = _open_pm1

    class mistakes:
        def tanh_of_a(da, a):
            """1 − tanh²(z) применено к a, а a уже равно tanh(z): производную нужно выразить через a."""
            return da * (1 - np.tanh(a) ** 2)

        def missing_square(da, a):
            """в производной tanh потерян квадрат активации."""
            return da * (1 - a)
