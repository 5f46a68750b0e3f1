"""Activation functions as forward/backward pairs (lecture notes 002 §5, eq. 27–29).

Every ``*_backward(da, cache)`` takes the upstream gradient ``da = dL/da`` and what its forward
stored, and returns ``dz = dL/dz`` of the same shape. Shapes are free: (n, 1) columns in the
single-example notebooks, (M, n) batches from notebook 07 on.
"""
from __future__ import annotations

import numpy as np

LEAK = 0.01


def sigmoid(z: np.ndarray) -> np.ndarray:
    """a = 1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dz = da * a * (1 - a): from the *stored activation* a (eq. 27), not from z."""
    return da * a * (1.0 - a)


def relu(z: np.ndarray) -> np.ndarray:
    """a = max(0, z)."""
    return np.maximum(0.0, z)


def relu_backward(da: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dz = da where z > 0, else 0 (eq. 28; the derivative at 0 is taken as 0)."""
    return da * (z > 0)


def leaky_relu(z: np.ndarray, alpha: float = LEAK) -> np.ndarray:
    """a = z if z > 0 else alpha * z (the notes: max(0.01 z, z))."""
    return np.where(z > 0, z, alpha * z)


def leaky_relu_backward(da: np.ndarray, z: np.ndarray, alpha: float = LEAK) -> np.ndarray:
    """dz = da * (1 if z > 0 else alpha) (eq. 29)."""
    return da * np.where(z > 0, 1.0, alpha)


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def tanh_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dz = da * (1 - a^2), from the stored activation a = tanh(z)."""
    return da * (1.0 - a * a)


#: name -> (forward, backward, what backward needs: "a" or "z")
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward, "a"),
    "relu": (relu, relu_backward, "z"),
    "leaky_relu": (leaky_relu, leaky_relu_backward, "z"),
    "tanh": (tanh, tanh_backward, "a"),
}


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    """f'(z) for an activation by name (the ∂y/∂z of eq. 44–45)."""
    forward, backward, needs = ACTIVATIONS[name]
    return backward(np.ones_like(z), forward(z) if needs == "a" else z)
