"""Hidden checks of notebook 01 (chain rule and computation graph)."""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from solutions import chain_rule as ref
from solutions.mistakes import chain_rule as m


def _xy_cases(rng):
    return [{"x": float(x), "y": float(y)} for x, y in rng.uniform(-3, 3, size=(4, 2))]


def _cubic(rng, sign):
    """Coefficients of a cubic whose x³ term has the given sign: the central difference then
    errs by exactly c₃h², so the *signed* error has that sign for every h."""
    c = rng.uniform(-2, 2, size=4)
    c[3] = sign * rng.uniform(1, 2)
    return c


def _derivative_error_cases(rng):
    a, b, c = rng.uniform(1, 3), rng.uniform(1, 3), rng.uniform(-1, 1)
    coeffs = _cubic(rng, -1.0)   # a negative error: |error| and the signed error must differ
    return [
        {"f": {"fn": "wave", "params": {"a": a, "b": b, "c": c}},
         "df": {"fn": "wave_prime", "params": {"a": a, "b": b, "c": c}},
         "x": float(rng.uniform(-1, 1)), "hs": np.logspace(-4, -1, 5)},
        {"f": {"fn": "poly", "params": {"c": coeffs}}, "df": {"fn": "poly_prime", "params": {"c": coeffs}},
         "x": float(rng.uniform(0.5, 1.5)), "hs": np.array([1e-1, 3e-2, 1e-2])},
    ]


def _composition_cases(rng):
    return [{"A": rng.normal(size=(m_, d)), "x": rng.normal(size=d)} for m_, d in [(3, 2), (2, 4), (4, 4)]]


def _layered(widths):
    """Adjacency of a layered graph, fully connected between consecutive layers."""
    n = sum(widths)
    adj = np.zeros((n, n))
    start = 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        adj[start:start + w_in, start + w_in:start + w_in + w_out] = 1
        start += w_in
    return adj


def _count_paths_cases(rng):
    n = 7
    dag = np.triu((rng.uniform(size=(n, n)) < 0.5).astype(float), k=1)
    widths = [1] + list(rng.integers(2, 4, size=3)) + [1]
    return [{"adj": dag, "source": 0.0, "target": float(n - 1)},
            {"adj": _layered(widths), "source": 0.0, "target": float(sum(widths) - 1)},
            {"adj": dag, "source": 2.0, "target": 5.0}]


EXERCISES = [
    Exercise("forward_values", ref.forward_values, _xy_cases, m.FORWARD_VALUES),
    Exercise("local_derivatives", ref.local_derivatives, _xy_cases, m.LOCAL_DERIVATIVES),
    Exercise("grad_f", ref.grad_f, _xy_cases, m.GRAD_F),
    Exercise("derivative_error", ref.derivative_error, _derivative_error_cases, m.DERIVATIVE_ERROR, tol=1e-6),
    Exercise("composition_gradient", ref.composition_gradient, _composition_cases, m.COMPOSITION_GRADIENT),
    Exercise("count_paths", ref.count_paths, _count_paths_cases, m.COUNT_PATHS),
]
