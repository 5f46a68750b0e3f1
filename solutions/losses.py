"""Losses, softmax and softmax with temperature (lecture 000; notes 002 §8, eq. 57–71).

Batches are rows: ``Y``, ``t``, ``Z`` of shape (M, K). Losses are averaged over the batch, so
every returned gradient already carries the 1/M. Per example, MSE is E = ½ Σ_j (t_j − y_j)² and
cross-entropy is −Σ_j t_j log y_j. Targets ``t`` are one-hot (or any distribution per row).
"""
from __future__ import annotations

import numpy as np


def mse(Y: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over the batch of ½ Σ_j (t_j − y_j)².

    Returns
    -------
    loss : float
    dY : ndarray (M, K), dL/dY = (Y − t) / M
    """
    M = Y.shape[0]
    return float(0.5 * np.sum((t - Y) ** 2) / M), (Y - t) / M


def softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax along ``axis`` (eq. 57, 61): subtract the max before exp."""
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log Σ_j exp(z_j) along ``axis``, stably: m + log Σ exp(z − m) with m = max z (eq. 58)."""
    m = np.max(Z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(Z - m), axis=axis))


def log_softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(z)_i = z_i − log Σ_j exp(z_j) (eq. 58)."""
    return Z - np.expand_dims(logsumexp(Z, axis=axis), axis)


def cross_entropy(Y: np.ndarray, t: np.ndarray) -> float:
    """Mean over the batch of −Σ_j t_j log y_j, for probabilities Y (eq. 62)."""
    return float(-np.sum(t * np.log(Y)) / Y.shape[0])


def softmax_backward(dY: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Backprop through softmax by its Jacobian, row by row: dz = y ⊙ (dy − (dy · y)).

    J = diag(y) − y yᵀ, so dz = Jᵀ dy = y ⊙ dy − y (yᵀ dy).
    """
    return Y * (dY - np.sum(dY * Y, axis=-1, keepdims=True))


def softmax_cross_entropy(Z: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """Fused softmax + cross-entropy on logits Z (M, K).

    Returns
    -------
    loss : float, mean over the batch, computed with log-softmax (no log(0))
    dZ : ndarray (M, K), (softmax(Z) − t) / M  (eq. 68, averaged)
    """
    M = Z.shape[0]
    loss = float(-np.sum(t * log_softmax(Z)) / M)
    return loss, (softmax(Z) - t) / M


def softmax_t(Z: np.ndarray, T: float, axis: int = -1) -> np.ndarray:
    """softmax_T(z)_i = exp(z_i / T) / Σ_j exp(z_j / T) (eq. 69), stable for any T > 0."""
    return softmax(np.asarray(Z, dtype=np.float64) / T, axis=axis)


def softmax_t_cross_entropy(Z: np.ndarray, t: np.ndarray, T: float) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax_T(Z) against ``t`` (M, K), mean over the batch.

    Returns
    -------
    loss : float
    dZ : ndarray (M, K), (softmax_T(Z) − t) / (T M)
    """
    M = Z.shape[0]
    loss = float(-np.sum(t * log_softmax(Z / T)) / M)
    return loss, (softmax_t(Z, T) - t) / (T * M)


def entropy(P: np.ndarray, axis: int = -1) -> np.ndarray:
    """H(p) = −Σ p log p along ``axis`` (0 log 0 = 0), in nats."""
    P = np.asarray(P, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, P * np.log(P), 0.0)
    return -np.sum(terms, axis=axis)
