"""Reference for notebook 00 (intro): squared error, a numerical derivative at many points,
the worst entry of two arrays, and a directional derivative.

None of these is what the student library offers (``bpcourse.rel_error`` returns only the
error, ``bpcourse.numerical_gradient`` needs a scalar function and returns a whole gradient),
so the library is not an answer key for notebook 00.
"""
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


def numerical_derivative(f, x, h: float = 1e-5):
    """Central difference ``(f(x + h) - f(x - h)) / (2h)`` of an elementwise ``f``.

    Parameters
    ----------
    f : callable applied elementwise (like ``np.sin``)
    x : float or ndarray of any shape — the points
    h : float

    Returns
    -------
    float or ndarray of the shape of ``x``: f'(x) at every point, error O(h^2)
    """
    return (f(x + h) - f(x - h)) / (2.0 * h)


def worst_entry(a, b) -> tuple:
    """The course's relative error and where it is reached.

    Parameters
    ----------
    a, b : ndarray of one shape

    Returns
    -------
    (err, idx) : err = max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|), a float; idx the index
        tuple (length a.ndim) of an entry where the max is reached.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    return float(errors[idx]), tuple(int(i) for i in idx)


def directional_derivative(f, x: np.ndarray, v: np.ndarray, h: float = 1e-5) -> float:
    """Derivative of a scalar ``f`` at ``x`` along ``v`` (not normalised): ∇f(x) · v.

    Central difference ``(f(x + h v) - f(x - h v)) / (2h)``: two calls of ``f`` whatever the
    size of ``x``. ``x`` and ``v`` (ndarrays of one shape) are left unchanged.
    """
    x = np.asarray(x, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return float((f(x + h * v) - f(x - h * v)) / (2.0 * h))
