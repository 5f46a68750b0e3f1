"""Reference for notebook 00 (intro): squared error, a first numerical derivative, rel_error."""
from __future__ import annotations

import numpy as np


def squared_error(t: np.ndarray, o: np.ndarray) -> float:
    """Per-example squared error ``E = 1/2 * sum_j (t_j - o_j)^2`` (lecture 000).

    Parameters
    ----------
    t, o : ndarray of one shape, e.g. (n, 1) — target and output.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes differ: broadcasting (n,) against (n, 1) would silently give an
        (n, n) matrix and a wrong E.
    """
    t = np.asarray(t, dtype=np.float64)
    o = np.asarray(o, dtype=np.float64)
    if t.shape != o.shape:
        raise ValueError(f"shapes differ: {t.shape} vs {o.shape}")
    return float(0.5 * np.sum((t - o) ** 2))


def numerical_derivative(f, x: float, h: float = 1e-5) -> float:
    """Central difference ``(f(x + h) - f(x - h)) / (2h)``; error O(h^2)."""
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def rel_error(a, b) -> float:
    """``max |a - b| / max(1e-8, |a| + |b|)`` elementwise, then the max; a, b of one shape."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar ``f`` at ``x`` (any shape); ``x`` is restored.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad
