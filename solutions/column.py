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

from solutions.activations import ACTIVATIONS, derivative, sigmoid


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


# --- notebook 06: the vector form, one exercise per step (sigmoid in every layer) -------------
# z^(l) = W^(l) a^(l-1) + b^(l), a^(l) = σ(z^(l)), E = ½ Σ (t − a^(L))². Each function is
# self-contained (the notebook grades each alone); the stored activation a = σ(z) gives
# σ'(z) = a (1 − a) without computing σ again ("forward computes and stores, backward reuses").


def column_forward(Ws: list, bs: list, x: np.ndarray):
    """Forward pass of a sigmoid network for one example, storing what backward reuses.

    Parameters
    ----------
    Ws : list of L arrays, Ws[l - 1] of shape (n_l, n_{l-1})
    bs : list of L arrays, bs[l - 1] of shape (n_l, 1)
    x : ndarray of shape (n_0, 1)

    Returns
    -------
    zs : list of L arrays z^(1) … z^(L), each (n_l, 1)
    activations : list of L + 1 arrays a^(0) = x, a^(1) … a^(L), each (n_l, 1)
    """
    zs, activations = [], [x]
    for W, b in zip(Ws, bs):
        z = W @ activations[-1] + b
        zs.append(z)
        activations.append(sigmoid(z))
    return zs, activations


def column_output_delta(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """δ^(L) = (a − t) ⊙ σ'(z) for E = ½ Σ (t − a)², a = σ(z); all of shape (n_L, 1)."""
    return (a - t) * a * (1 - a)


def column_hidden_delta(W_next: np.ndarray, delta_next: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """δ^(l) = (W^(l+1)ᵀ δ^(l+1)) ⊙ σ'(z^(l)) (eq. 45).

    W_next (n_{l+1}, n_l), delta_next (n_{l+1}, 1), z and a = σ(z) of shape (n_l, 1) -> (n_l, 1).
    """
    return (W_next.T @ delta_next) * a * (1 - a)


def column_hidden_delta_loops(W_next: np.ndarray, delta_next: np.ndarray, z: np.ndarray,
                              a: np.ndarray) -> np.ndarray:
    """:func:`column_hidden_delta` with loops over neurons (eq. 44, the notebook-05 way)."""
    n, n_next = W_next.shape[1], W_next.shape[0]
    delta = np.zeros((n, 1))
    for j in range(n):
        s = 0.0
        for k in range(n_next):
            s += W_next[k, j] * delta_next[k, 0]
        delta[j, 0] = s * a[j, 0] * (1 - a[j, 0])
    return delta


def column_grads(deltas: list, activations: list):
    """∇W^(l) = δ^(l) a^(l-1)ᵀ and ∇b^(l) = δ^(l) for every layer (eq. 43, 46).

    deltas: δ^(1) … δ^(L), each (n_l, 1); activations: a^(0) … a^(L), each (n_l, 1).
    Returns (dWs, dbs): dWs[l - 1] of shape (n_l, n_{l-1}), dbs[l - 1] of shape (n_l, 1).
    """
    dWs = [delta @ a_prev.T for delta, a_prev in zip(deltas, activations[:-1])]
    dbs = [delta.copy() for delta in deltas]
    return dWs, dbs
