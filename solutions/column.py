"""One example as a column vector (notebooks 04–06; lecture 000 and notes §6).

z^(l) = W^(l) a^(l-1) + b^(l), W of shape (n_out, n_in), a and b of shape (n, 1), and

    δ^(L) = (a^(L) − t) ⊙ f'(z^(L))            for E = ½ Σ (t − a)²
    δ^(l) = (W^(l+1)ᵀ δ^(l+1)) ⊙ f'(z^(l))      (eq. 45)
    ∇W^(l) = δ^(l) a^(l-1)ᵀ,  ∇b^(l) = δ^(l)     (eq. 43, 46)

(The notes index weights by the layer they leave, W^(l) y^(l) + b^(l+1); here W^(l) is the
weight *into* layer l, which is what the code calls ``Ws[l - 1]``.)
"""
from __future__ import annotations

import numpy as np

from solutions.activations import ACTIVATIONS, derivative


def linear_forward(W: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = W a + b; W (n_out, n_in), a (n_in, 1), b (n_out, 1) -> z (n_out, 1)."""
    return W @ a + b


def linear_backward(delta: np.ndarray, W: np.ndarray, a: np.ndarray):
    """Gradients of one layer from its δ = dL/dz (n_out, 1).

    Returns
    -------
    dW : (n_out, n_in) = δ aᵀ
    db : (n_out, 1) = δ
    da : (n_in, 1) = Wᵀ δ   (dL/da of the previous layer, before its f')
    """
    return delta @ a.T, delta.copy(), W.T @ delta


def forward(Ws: list, bs: list, x: np.ndarray, activation: str = "sigmoid"):
    """Activations a^(0) = x … a^(L) and pre-activations z^(1) … z^(L) (lists)."""
    f = ACTIVATIONS[activation][0]
    a_list, z_list = [x], []
    for W, b in zip(Ws, bs):
        z = linear_forward(W, a_list[-1], b)
        z_list.append(z)
        a_list.append(f(z))
    return a_list, z_list


def backprop(Ws: list, bs: list, x: np.ndarray, t: np.ndarray, activation: str = "sigmoid"):
    """Vectorised backprop of E = ½ Σ (t − a^(L))² for one example.

    Returns
    -------
    dWs, dbs : lists of the shapes of Ws, bs
    deltas : list of δ^(1) … δ^(L), each (n_l, 1)
    """
    a_list, z_list = forward(Ws, bs, x, activation)
    L = len(Ws)
    deltas = [None] * L
    deltas[L - 1] = (a_list[-1] - t) * derivative(activation, z_list[-1])
    for l in range(L - 2, -1, -1):
        deltas[l] = (Ws[l + 1].T @ deltas[l + 1]) * derivative(activation, z_list[l])
    dWs = [d @ a.T for d, a in zip(deltas, a_list[:-1])]
    dbs = [d.copy() for d in deltas]
    return dWs, dbs, deltas
