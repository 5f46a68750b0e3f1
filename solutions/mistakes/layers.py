"""Typical mistakes in linear layers, the δ recursion and MSE (column and row conventions)."""
from __future__ import annotations

import numpy as np

from solutions import column, losses
from solutions.activations import ACTIVATIONS
from solutions.mistakes import Mistake

# --- column form, one example: linear_backward(delta, W, a) -> (dW, db, da) -----------------

COLUMN_LINEAR_BACKWARD = [
    Mistake("dW_transposed", lambda delta, W, a: (a @ delta.T, delta.copy(), W.T @ delta),
            "∇W транспонирована: ∇W = δ aᵀ имеет форму W, (n_out, n_in)."),
    Mistake("da_missing_transpose", lambda delta, W, a: (delta @ a.T, delta.copy(), W @ delta),
            "в da пропущено транспонирование: da = Wᵀ δ."),
]


def _backprop_no_fprime(Ws, bs, x, t, activation="sigmoid"):
    a_list, z_list = column.forward(Ws, bs, x, activation)
    f, b, needs = ACTIVATIONS[activation]
    L = len(Ws)
    deltas = [None] * L
    deltas[L - 1] = (a_list[-1] - t) * b(np.ones_like(z_list[-1]), a_list[-1] if needs == "a" else z_list[-1])
    for l in range(L - 2, -1, -1):
        deltas[l] = Ws[l + 1].T @ deltas[l + 1]            # ⊙ f'(z) forgotten
    return [d @ a.T for d, a in zip(deltas, a_list[:-1])], [d.copy() for d in deltas], deltas


def _backprop_sign(Ws, bs, x, t, activation="sigmoid"):
    dWs, dbs, deltas = column.backprop(Ws, bs, x, t, activation)
    return [-d for d in dWs], [-d for d in dbs], [-d for d in deltas]


COLUMN_BACKPROP = [
    Mistake("forgot_activation_derivative", _backprop_no_fprime,
            "в рекурсии δ^(l) = (W^(l+1)ᵀ δ^(l+1)) ⊙ f'(z^(l)) пропущено умножение на f'(z^(l))."),
    Mistake("flipped_sign", _backprop_sign,
            "перевёрнут знак: ∂E/∂a^(L) = a^(L) − t, а не t − a^(L)."),
]

# --- row form, a batch: linear_layer_gradients(X, W, b, dZ) -> (Z, dX, dW, db) -------------


def _ll(X, W, b, dZ, dX=None, dW=None, db=None):
    return (X @ W + b, dZ @ W.T if dX is None else dX, X.T @ dZ if dW is None else dW,
            dZ.sum(axis=0) if db is None else db)


LINEAR_LAYER = [
    Mistake("bias_not_summed", lambda X, W, b, dZ: _ll(X, W, b, dZ, db=dZ.copy()),
            "градиент смещения не просуммирован по примерам пакета: db = Σ по строкам dZ, форма (n_out,)."),
    Mistake("bias_wrong_axis", lambda X, W, b, dZ: _ll(X, W, b, dZ, db=dZ.sum(axis=1)),
            "сумма для db взята не по той оси: суммируйте по примерам (axis=0)."),
    Mistake("dW_transposed", lambda X, W, b, dZ: _ll(X, W, b, dZ, dW=dZ.T @ X),
            "dW транспонирована: dW = Xᵀ dZ имеет форму W, (n_in, n_out)."),
    Mistake("dX_missing_transpose", lambda X, W, b, dZ: _ll(X, W, b, dZ, dX=dZ @ W),
            "в dX пропущено транспонирование: dX = dZ Wᵀ."),
    Mistake("extra_1_over_M", lambda X, W, b, dZ: _ll(X, W, b, dZ, dW=X.T @ dZ / X.shape[0],
                                                       db=dZ.sum(axis=0) / X.shape[0]),
            "лишнее деление на M: 1/M уже содержится в dZ, который приходит от функции потерь."),
]

# --- MSE: mse(Y, t) -> (loss, dY) -----------------------------------------------------------

MSE = [
    Mistake("missing_1_over_M", lambda Y, t: (losses.mse(Y, t)[0], Y - t),
            "потери усредняются по пакету, значит и градиент делится на M: dY = (Y − t) / M."),
    Mistake("flipped_sign", lambda Y, t: (losses.mse(Y, t)[0], (t - Y) / Y.shape[0]),
            "перевёрнут знак: ∂/∂y ½ (t − y)² = y − t."),
    Mistake("no_half", lambda Y, t: (float(np.sum((t - Y) ** 2) / Y.shape[0]), 2 * (Y - t) / Y.shape[0]),
            "нет множителя ½: по соглашению курса E = ½ Σ (t − y)², тогда градиент ровно (y − t)/M."),
]
