"""Numerical gradients and the relative error used by every check in the course.

Conventions (COURSE.md): float64, central differences with ``h = 1e-5``, and

    rel_error(a, b) = max |a - b| / max(1e-8, |a| + |b|)        (elementwise, then max)

For smooth functions a correct analytic gradient agrees with the numerical one to about
1e-7 or better; 1e-2 and worse means a bug.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

H = 1e-5


def rel_error(a, b) -> float:
    """Largest elementwise relative error between ``a`` and ``b``.

    Parameters
    ----------
    a, b : array_like of the same shape (scalars allowed)

    Returns
    -------
    float
        ``max(|a - b| / max(1e-8, |a| + |b|))``; 0.0 for two empty arrays.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H) -> np.ndarray:
    """Gradient of a scalar function of an array by central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; it may read ``x`` but must not keep a reference to it.
    x : ndarray of any shape, float64
        The point. It is changed in place during the call and restored before returning.
    h : float

    Returns
    -------
    grad : ndarray of the shape of ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old  # restore: the caller's array must come back unchanged
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                             dout: np.ndarray, h: float = H) -> np.ndarray:
    """Gradient of ``sum(f(x) * dout)`` with respect to ``x``: the vector-Jacobian product.

    This is what a layer's ``backward(dout)`` must return, so it checks backward
    without ever building the Jacobian.

    Parameters
    ----------
    f : callable, ``f(x) -> ndarray`` of the shape of ``dout``
    x : ndarray of any shape, float64 (restored before returning)
    dout : ndarray, the upstream gradient dL/d(out)

    Returns
    -------
    dx : ndarray of the shape of ``x``
    """
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda v: float(np.sum(np.asarray(f(v)) * dout)), x, h)
