"""The δ recursion with explicit loops over neurons (notebook 05; notes §4–5, eq. 42–46).

Same network and conventions as :mod:`solutions.column`, but every sum is a Python loop, so
that each formula of the notes is one line:

    δ_j^(L) = (a_j − t_j) f'(z_j)
    δ_j^(l) = Σ_k δ_k^(l+1) w_kj^(l+1) · f'(z_j^(l))        (eq. 44)
    ∂E/∂w_ji = δ_j a_i,   ∂E/∂b_j = δ_j                      (eq. 42, 46)
"""
from __future__ import annotations

import numpy as np

from solutions.activations import derivative
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
