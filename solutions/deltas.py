"""The δ recursion with explicit loops over neurons (notebook 05; notes §4–5, eq. 42–46).

Same network and conventions as :mod:`solutions.column`, but every sum is a Python loop, so
that each formula of the notes is one line:

    δ_j^(L) = (a_j − t_j) f'(z_j)
    δ_j^(l) = Σ_k δ_k^(l+1) w_kj^(l+1) · f'(z_j^(l))        (eq. 44)
    ∂E/∂w_ji = δ_j a_i,   ∂E/∂b_j = δ_j                      (eq. 42, 46)

and, below, the graded functions of notebook 05 (derivatives of the activations as functions of
z, eq. 27–29; δ of the output layer; δ of a hidden layer; the gradients of one layer from its δ;
the ratio ‖δ^(1)‖ / ‖δ^(L)‖ of a deep network).
"""
from __future__ import annotations

import numpy as np

from solutions.activations import LEAK, derivative, sigmoid
from solutions.column import forward


def backprop_loops(Ws: list, bs: list, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid"):
    """Backprop for one example with loops; returns (dWs, dbs, deltas) as :func:`column.backprop`."""
    a_list, z_list = forward(Ws, bs, x, activation)
    L = len(Ws)
    deltas = [np.zeros_like(z) for z in z_list]
    fprime = [derivative(activation, z) for z in z_list]
    for j in range(z_list[-1].shape[0]):
        deltas[-1][j, 0] = (a_list[-1][j, 0] - t[j, 0]) * fprime[-1][j, 0]
    for l in range(L - 2, -1, -1):
        for j in range(z_list[l].shape[0]):
            s = 0.0
            for k in range(z_list[l + 1].shape[0]):
                s += deltas[l + 1][k, 0] * Ws[l + 1][k, j]
            deltas[l][j, 0] = s * fprime[l][j, 0]
    dWs = [np.zeros_like(W) for W in Ws]
    dbs = [np.zeros_like(b) for b in bs]
    for l in range(L):
        for j in range(Ws[l].shape[0]):
            dbs[l][j, 0] = deltas[l][j, 0]
            for i in range(Ws[l].shape[1]):
                dWs[l][j, i] = deltas[l][j, 0] * a_list[l][i, 0]
    return dWs, dbs, deltas


# --- notebook 05's exercises, one function each (the graded references) ----------------------
# Each takes only what its formula needs, so that it is graded alone: an activation's derivative
# reaches delta_output, delta_hidden and depth_ratio as a function ``fprime`` (the notebook passes
# the student's own sigmoid_prime or relu_prime; the hidden checks pass test functions).

def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)) (eq. 27 written as a function of z); same shape as z."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu_prime(z: np.ndarray) -> np.ndarray:
    """ReLU'(z): 1 where z > 0, else 0 — also at z = 0 (eq. 28); float64, same shape as z."""
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu_prime(z: np.ndarray, alpha: float = LEAK) -> np.ndarray:
    """Leaky ReLU'(z): 1 where z > 0, else alpha — also at z = 0 (eq. 29)."""
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def delta_output(a: np.ndarray, t: np.ndarray, z: np.ndarray, fprime) -> np.ndarray:
    """δ^(L) of E = ½ Σ (t − a)², a loop over the output neurons j: δ_j = (a_j − t_j) f'(z_j).

    a, t, z : (n, 1) columns; fprime : f', applied elementwise. Returns (n, 1).
    """
    fp = fprime(z)
    delta = np.zeros_like(z, dtype=np.float64)
    for j in range(z.shape[0]):
        delta[j, 0] = (a[j, 0] - t[j, 0]) * fp[j, 0]
    return delta


def delta_hidden(delta_next: np.ndarray, W_next: np.ndarray, z: np.ndarray, fprime) -> np.ndarray:
    """δ^(l) from δ^(l+1) (eq. 44): δ_j = (Σ_k δ_k^(l+1) W^(l+1)[k, j]) f'(z_j^(l)), loops over j and k.

    delta_next : (n_next, 1); W_next : (n_next, n), the weights *into* layer l + 1;
    z : (n, 1), the pre-activations of layer l. Returns (n, 1).
    """
    fp = fprime(z)
    delta = np.zeros_like(z, dtype=np.float64)
    for j in range(z.shape[0]):
        s = 0.0
        for k in range(delta_next.shape[0]):
            s += delta_next[k, 0] * W_next[k, j]
        delta[j, 0] = s * fp[j, 0]
    return delta


def grads_from_delta(delta: np.ndarray, a_prev: np.ndarray):
    """∂E/∂W[j, i] = δ_j a_i and ∂E/∂b_j = δ_j (eq. 42, 46), loops over j and i.

    delta : (n, 1), δ of the layer; a_prev : (m, 1), the activations entering it.
    Returns dW of shape (n, m) (the shape of W) and db of shape (n, 1) (the shape of b).
    """
    n, m = delta.shape[0], a_prev.shape[0]
    dW, db = np.zeros((n, m)), np.zeros((n, 1))
    for j in range(n):
        db[j, 0] = delta[j, 0]
        for i in range(m):
            dW[j, i] = delta[j, 0] * a_prev[i, 0]
    return dW, db


def depth_ratio(Ws: list, zs: list, delta_L: np.ndarray, fprime) -> float:
    """‖δ^(1)‖ / ‖δ^(L)‖: δ^(L) carried back to the first layer by eq. 44–45.

    Ws : [W^(1), …, W^(L)], W^(l) of shape (n_l, n_(l−1)); zs : [z^(1), …, z^(L)], (n_l, 1);
    delta_L : δ^(L), (n_L, 1); fprime : f' of every layer. Euclidean norms.
    """
    delta = delta_L
    for l in range(len(Ws) - 2, -1, -1):
        delta = (Ws[l + 1].T @ delta) * fprime(zs[l])
    return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))


def layer_delta_norms(Ws: list, bs: list, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid") -> np.ndarray:
    """‖δ^(l)‖ for l = 1 … L of one example (the vanishing-gradient picture of notebook 05)."""
    _, _, deltas = backprop_loops(Ws, bs, x, t, activation)
    return np.array([float(np.linalg.norm(d)) for d in deltas])
