"""Mini-batch layers as objects, rows are examples (notebook 07 on; MML slides, PyTorch).

Shared interface (every layer):

- ``forward(X) -> out`` computes and stores exactly what ``backward`` needs;
- ``backward(dout) -> dX`` takes dL/d(out) — never a Jacobian: for a batch the Jacobian of a
  layer would be a 4-index tensor, while dL/d(out) has the shape of ``out`` — and returns
  dL/dX of the shape of X; a layer with parameters *adds* their gradients into ``p.grad``
  (so gradients of shared uses accumulate, and ``zero_grad`` is needed, as in PyTorch);
- ``parameters() -> list[Parameter]``.

Shapes: X (M, n_in), W (n_in, n_out), b (n_out,), Z = X W + b (M, n_out):
dW = Xᵀ dZ, db = Σ_rows dZ, dX = dZ Wᵀ. The notes' column form ∇W = (1/M) Δ Yᵀ (eq. 52) is the
transpose of the same matrix, with the 1/M carried here by the loss's dZ.
"""
from __future__ import annotations

import numpy as np

from solutions import activations as act
from solutions import losses


class Parameter:
    """An array and the gradient of the loss with respect to it (same shape)."""

    def __init__(self, data: np.ndarray):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)


class Layer:
    def parameters(self) -> list[Parameter]:
        return []


class Linear(Layer):
    """Z = X W + b.

    Parameters
    ----------
    W : ndarray (n_in, n_out)
    b : ndarray (n_out,)
    """

    def __init__(self, W: np.ndarray, b: np.ndarray):
        self.W, self.b = Parameter(W), Parameter(b)

    @classmethod
    def init(cls, n_in: int, n_out: int, rng: np.random.Generator, scale: str = "xavier") -> "Linear":
        """Random W (Xavier/Glorot, or He for ReLU) and zero b."""
        std = np.sqrt(2.0 / n_in) if scale == "he" else np.sqrt(1.0 / n_in)
        return cls(rng.normal(0.0, std, size=(n_in, n_out)), np.zeros(n_out))

    def forward(self, X: np.ndarray) -> np.ndarray:
        self.X = X
        return X @ self.W.data + self.b.data

    def backward(self, dZ: np.ndarray) -> np.ndarray:
        self.W.grad += self.X.T @ dZ
        self.b.grad += dZ.sum(axis=0)
        return dZ @ self.W.data.T

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]


class Activation(Layer):
    """An elementwise activation by name: sigmoid, relu, leaky_relu, tanh."""

    def __init__(self, name: str):
        self.name = name
        self._f, self._b, self._needs = act.ACTIVATIONS[name]

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.Z = Z
        self.A = self._f(Z)
        return self.A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        return self._b(dA, self.A if self._needs == "a" else self.Z)


class SoftmaxCrossEntropyLoss:
    """Softmax with temperature T (1 by default) and cross-entropy, fused (eq. 68–69)."""

    def __init__(self, T: float = 1.0):
        self.T = T

    def forward(self, Z: np.ndarray, t: np.ndarray) -> float:
        self.loss, self.dZ = losses.softmax_t_cross_entropy(Z, t, self.T)
        return self.loss

    def backward(self) -> np.ndarray:
        return self.dZ


def linear_layer_gradients(X: np.ndarray, W: np.ndarray, b: np.ndarray, dZ: np.ndarray):
    """Forward and backward of one Linear layer: (Z, dX, dW, db). For checks and tests."""
    layer = Linear(W, b)
    Z = layer.forward(X)
    dX = layer.backward(dZ)
    return Z, dX, layer.W.grad, layer.b.grad
