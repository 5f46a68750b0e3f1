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


class Sigmoid(Layer):
    """A = σ(Z); stores A (backward needs only the activation: σ' = a(1 − a), eq. 27)."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.A = act.sigmoid(Z)
        return self.A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        return dA * self.A * (1.0 - self.A)


class ReLU(Layer):
    """A = max(0, Z); stores Z (the derivative is 1 where z > 0, else 0, also at z = 0: eq. 28)."""

    def forward(self, Z: np.ndarray) -> np.ndarray:
        self.Z = Z
        return np.maximum(0.0, Z)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        return dA * (self.Z > 0)


class MSELoss:
    """L = (1/M) Σ_rows ½ Σ_j (t_j − y_j)² (lecture 000, averaged over the batch); stores Y and t.

    ``backward()`` takes nothing (dL/dL = 1) and returns dL/dY of the shape of Y: the 1/M of
    the average lives here, so the layers below never divide by M.
    """

    def forward(self, Y: np.ndarray, t: np.ndarray) -> float:
        self.Y, self.t = Y, t
        return losses.mse(Y, t)[0]

    def backward(self) -> np.ndarray:
        return losses.mse(self.Y, self.t)[1]


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


def jacobian_entries(M: int, n_in: int, n_out: int) -> tuple[int, int]:
    """Number of entries of the Jacobians of Z = X W + b (X of shape (M, n_in)).

    Returns
    -------
    (entries of ∂Z/∂W, entries of ∂Z/∂X): 4-index tensors of shapes (M, n_out, n_in, n_out)
    and (M, n_out, M, n_in).
    """
    return M * n_out * n_in * n_out, M * n_out * M * n_in


def rows_from_columns(Delta: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The notes' column form (eq. 51–53) as this course's rows.

    Parameters
    ----------
    Delta : ndarray (n_out, M), the notes' Δ: column k is δ_k of example k, the derivative of
        that example's own loss (no 1/M)
    Y : ndarray (n_in, M), the notes' Y: column k is the input of example k

    Returns
    -------
    X : ndarray (M, n_in), the batch in rows
    dZ : ndarray (M, n_out), dL/dZ of the batch-averaged loss L = (1/M) Σ_k E_k: the 1/M that
        eq. 52 writes in front of Δ Yᵀ lives in dZ, so that Xᵀ dZ = ((1/M) Δ Yᵀ)ᵀ
    """
    return Y.T.copy(), Delta.T / Delta.shape[1]
