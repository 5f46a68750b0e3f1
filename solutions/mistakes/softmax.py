"""Typical mistakes in softmax, log-sum-exp, cross-entropy and softmax with temperature."""
from __future__ import annotations

import numpy as np

from solutions import losses
from solutions.mistakes import Mistake


def _naive_softmax(Z, axis=-1):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(Z)
        return e / np.sum(e, axis=axis, keepdims=True)


def _naive_logsumexp(Z):
    with np.errstate(over="ignore"):
        return np.log(np.sum(np.exp(Z), axis=-1))


SOFTMAX = [
    Mistake("unstable", lambda Z: _naive_softmax(Z),
            "softmax без вычитания максимума: exp переполняется на больших логитах и даёт NaN; "
            "вычтите max z своей строки (уравнение 61)."),
    Mistake("wrong_axis", lambda Z: losses.softmax(Z, axis=0),
            "нормировка не по той оси: вероятности каждого примера (строки) должны давать в сумме 1."),
]

LOGSUMEXP = [
    Mistake("unstable", lambda Z: _naive_logsumexp(Z),
            "log Σ exp без вычитания максимума переполняется; используйте m + log Σ exp(z − m)."),
    Mistake("forgot_max", lambda Z: np.log(np.sum(np.exp(Z - Z.max(axis=-1, keepdims=True)), axis=-1)),
            "максимум вычтен, но не прибавлен обратно: log Σ exp(z) = m + log Σ exp(z − m)."),
]

SOFTMAX_CROSS_ENTROPY = [
    Mistake("missing_1_over_M",
            lambda Z, t: (losses.softmax_cross_entropy(Z, t)[0], losses.softmax(Z) - t),
            "потери усредняются по пакету: dZ = (y − t) / M."),
    Mistake("flipped_sign",
            lambda Z, t: (losses.softmax_cross_entropy(Z, t)[0], (t - losses.softmax(Z)) / Z.shape[0]),
            "перевёрнут знак: dL/dz = y − t (уравнение 68)."),
    Mistake("unstable",
            lambda Z, t: (float(-np.sum(t * np.log(_naive_softmax(Z))) / Z.shape[0]),
                          (_naive_softmax(Z) - t) / Z.shape[0]),
            "softmax без вычитания максимума: на больших логитах exp переполняется (NaN)."),
]

SOFTMAX_T = [
    Mistake("forgot_T", lambda Z, T: losses.softmax(Z),
            "температура не учтена: softmax_T(z) = softmax(z / T) (уравнение 69)."),
    Mistake("multiplied_by_T", lambda Z, T: losses.softmax(Z * T),
            "логиты умножены на T, а нужно разделить: softmax_T(z) = softmax(z / T) (уравнение 69)."),
]

SOFTMAX_T_CROSS_ENTROPY = [
    Mistake("missing_1_over_T",
            lambda Z, t, T: (losses.softmax_t_cross_entropy(Z, t, T)[0],
                             (losses.softmax_t(Z, T) - t) / Z.shape[0]),
            "пропущен множитель из ∂s/∂z: логиты входят в softmax как s = z / T, и цепное правило "
            "добавляет производную s по z."),
    Mistake("missing_1_over_M",
            lambda Z, t, T: (losses.softmax_t_cross_entropy(Z, t, T)[0],
                             (losses.softmax_t(Z, T) - t) / T),
            "потери усредняются по пакету: градиент делится ещё и на число примеров M."),
    Mistake("forgot_T_in_softmax",
            lambda Z, t, T: (losses.softmax_cross_entropy(Z, t)[0],
                             (losses.softmax(Z) - t) / (T * Z.shape[0])),
            "в softmax не подставлена температура: y_T = softmax(z / T)."),
]

CROSS_ENTROPY = [
    Mistake("missing_1_over_M", lambda Y, t: float(-np.sum(t * np.log(Y))),
            "потери не усреднены по пакету: разделите сумму на число примеров M."),
    Mistake("flipped_sign", lambda Y, t: float(np.sum(t * np.log(Y)) / Y.shape[0]),
            "перевёрнут знак: L = −Σ t log y ≥ 0, потому что log y ≤ 0."),
    Mistake("log_of_target", lambda Y, t: _ce_swapped(Y, t),
            "t и y перепутаны местами: L = −Σ t log y, логарифм берётся от предсказанных вероятностей y."),
]

SOFTMAX_BACKWARD = [
    Mistake("diagonal_only", lambda dY, Y: Y * (1 - Y) * dY,
            "учтена только диагональ якобиана softmax, y_i (1 − y_i); каждый выход зависит от всех "
            "логитов: J = diag(y) − y yᵀ, внедиагональные элементы −y_i y_k тоже входят в dz = Jᵀ dy."),
    Mistake("sum_over_batch", lambda dY, Y: Y * (dY - np.sum(dY * Y, axis=0, keepdims=True)),
            "сумма по j взята по примерам (axis=0), а нужна по классам внутри строки (axis=1)."),
    Mistake("jacobian_not_transposed_sign", lambda dY, Y: Y * (np.sum(dY * Y, axis=-1, keepdims=True) - dY),
            "перевёрнут знак: dz = Jᵀ dy, где J = diag(y) − y yᵀ."),
]

ENTROPY = [
    Mistake("log2", lambda P: -np.sum(np.where(P > 0, P * np.log2(np.where(P > 0, P, 1)), 0.0), axis=-1),
            "энтропия посчитана в битах (log2); в курсе натуральный логарифм (наты), max H = ln K."),
    Mistake("nan_at_zero", lambda P: _entropy_nan(P),
            "0 · log 0 дал NaN: по определению 0 log 0 = 0, пропускайте нулевые вероятности."),
    Mistake("flipped_sign", lambda P: np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1)), 0.0), axis=-1),
            "перевёрнут знак: H = −Σ p log p ≥ 0."),
]


def _entropy_nan(P):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(P * np.log(P), axis=-1)


def _ce_swapped(Y, t):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(Y * np.log(t)) / Y.shape[0])
