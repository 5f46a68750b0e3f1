"""Hidden checks of notebook 00 (intro)."""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from solutions import intro as ref
from solutions.mistakes import intro as mistakes


def _squared_error_cases(rng):
    n = int(rng.integers(3, 7))
    m = int(rng.integers(2, 4))
    return [
        {"t": rng.normal(size=(n, 1)), "o": rng.normal(size=(n, 1))},
        {"t": rng.normal(size=(n,)), "o": rng.normal(size=(n,))},
        {"t": rng.uniform(0, 1, size=(m, n)), "o": rng.uniform(0, 1, size=(m, n))},
        # the broadcasting trap: must raise ValueError, not return a number
        {"t": rng.normal(size=(n,)), "o": rng.normal(size=(n, 1))},
    ]


def _numerical_derivative_cases(rng):
    return [
        {"f": {"fn": "wave", "params": {"a": float(rng.uniform(1, 3)), "b": float(rng.uniform(2, 4)),
                                        "c": float(rng.uniform(-1, 1))}},
         "x": float(rng.uniform(-2, 2)), "h": 1e-5},
        {"f": {"fn": "poly", "params": {"c": rng.uniform(-2, 2, size=5)}},
         "x": float(rng.uniform(0.5, 1.5)), "h": 1e-4},
        {"f": {"fn": "wave", "params": {"a": float(rng.uniform(-3, -1)), "b": float(rng.uniform(1, 3)),
                                        "c": float(rng.uniform(1, 2))}},
         "x": float(rng.uniform(-1, 1)), "h": 1e-3},
    ]


def _rel_error_cases(rng):
    a = rng.normal(size=(3, 4))
    b = a + rng.normal(scale=1e-3, size=a.shape)
    z = np.zeros(5)
    z2 = np.zeros(5)
    z2[int(rng.integers(0, 5))] = rng.uniform(1e-4, 1e-3)
    c = rng.normal(size=6)
    return [
        {"a": a, "b": b},
        {"a": z, "b": z2},                              # zeros: the 1e-8 floor matters
        {"a": c, "b": -c + rng.normal(scale=1e-2, size=6)},   # a ≈ −b: |a|+|b|, not |a+b|
        {"a": rng.normal(size=(2, 2)), "b": rng.normal(size=(2, 2))},
    ]


def _numerical_gradient_cases(rng):
    cases = []
    for shape in [(4,), (2, 3), (3, 1)]:
        cases.append({
            "f": {"fn": "mix", "params": {"a": rng.uniform(0.5, 2, size=shape),
                                          "b": rng.uniform(-2, 2, size=shape),
                                          "c": float(rng.uniform(0.5, 1.5))}},
            "x": rng.normal(size=shape),
        })
    return cases


EXERCISES = [
    Exercise("squared_error", ref.squared_error, _squared_error_cases, mistakes.SQUARED_ERROR),
    Exercise("numerical_derivative", ref.numerical_derivative, _numerical_derivative_cases,
             mistakes.NUMERICAL_DERIVATIVE, tol=1e-8),
    Exercise("rel_error", ref.rel_error, _rel_error_cases, mistakes.REL_ERROR),
    Exercise("numerical_gradient", ref.numerical_gradient, _numerical_gradient_cases,
             mistakes.NUMERICAL_GRADIENT, tol=1e-7),
]
