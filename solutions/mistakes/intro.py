"""Typical mistakes of notebook 00 (intro)."""
from __future__ import annotations

import numpy as np

from solutions.mistakes import Mistake


def _se_no_half(t, o):
    return float(np.sum((np.asarray(t) - np.asarray(o)) ** 2))


def _se_mean(t, o):
    return float(0.5 * np.mean((np.asarray(t) - np.asarray(o)) ** 2))


def _se_no_square(t, o):
    return float(0.5 * np.sum(np.asarray(t) - np.asarray(o)))


SQUARED_ERROR = [
    Mistake("no_half", _se_no_half,
            "нет множителя ½: E = ½ Σ (t − o)² — с ½ производная получается ровно (o − t)."),
    Mistake("mean_instead_of_sum", _se_mean,
            "вы усредняете по выходам (np.mean), а в лекции сумма по выходам j: E = ½ Σ_j (t_j − o_j)²."),
    Mistake("no_square", _se_no_square,
            "разности не возведены в квадрат: положительные и отрицательные ошибки взаимно гасятся."),
]


def _nd_forward(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def _nd_over_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


def _nd_backward(f, x, h=1e-5):
    return (f(x) - f(x - h)) / h


NUMERICAL_DERIVATIVE = [
    Mistake("forward_difference", _nd_forward,
            "это правая разность (f(x+h) − f(x))/h с ошибкой O(h); нужна центральная: "
            "(f(x+h) − f(x−h)) / (2h), её ошибка O(h²)."),
    Mistake("divided_by_h", _nd_over_h,
            "центральная разность делится на 2h, а не на h: расстояние между x−h и x+h равно 2h."),
    Mistake("backward_difference", _nd_backward,
            "это левая разность (f(x) − f(x−h))/h; нужна центральная (f(x+h) − f(x−h)) / (2h)."),
]


def _arrays(a, b):
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)


def _at(errors, idx):
    return float(errors[idx]), tuple(int(i) for i in idx)


def _we_no_floor(a, b):
    a, b = _arrays(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.abs(a - b) / (np.abs(a) + np.abs(b))
    return _at(errors, np.unravel_index(np.argmax(errors), errors.shape))


def _we_abs_of_sum(a, b):
    a, b = _arrays(a, b)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))
    return _at(errors, np.unravel_index(np.argmax(errors), errors.shape))


def _we_mean(a, b):
    a, b = _arrays(a, b)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    return float(np.mean(errors)), tuple(int(i) for i in idx)


def _we_ratio_of_maxima(a, b):
    a, b = _arrays(a, b)
    diff = np.abs(a - b)
    idx = np.unravel_index(np.argmax(diff), diff.shape)
    return float(np.max(diff) / max(1e-8, float(np.max(np.abs(a) + np.abs(b))))), tuple(int(i) for i in idx)


def _we_argmax_abs_diff(a, b):
    a, b = _arrays(a, b)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    diff = np.abs(a - b)
    return float(np.max(errors)), tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))


def _we_flat_index(a, b):
    a, b = _arrays(a, b)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    return float(np.max(errors)), int(np.argmax(errors))


WORST_ENTRY = [
    Mistake("no_floor", _we_no_floor,
            "в знаменателе нет max(1e-8, …): там, где a = b = 0, получается 0/0 = NaN."),
    Mistake("abs_of_sum", _we_abs_of_sum,
            "в знаменателе |a + b| вместо |a| + |b|: при a ≈ −b ошибка взлетает."),
    Mistake("mean_instead_of_max", _we_mean,
            "ошибка — среднее по элементам, а нужен максимум: одна большая ошибка не должна теряться."),
    Mistake("ratio_of_maxima", _we_ratio_of_maxima,
            "максимум берётся отдельно в числителе и знаменателе; нужно отношение поэлементно, потом max."),
    Mistake("argmax_abs_diff", _we_argmax_abs_diff,
            "индекс указывает на наибольшую *абсолютную* разность |a − b|, а нужен элемент с наибольшей "
            "относительной ошибкой."),
    Mistake("flat_index", _we_flat_index,
            "np.argmax возвращает номер элемента в развёрнутом массиве; нужен кортеж индексов длины a.ndim "
            "(np.unravel_index)."),
]


def _dd_forward(f, x, v, h=1e-5):
    x, v = _arrays(x, v)
    return float((f(x + h * v) - f(x)) / h)


def _dd_over_h(f, x, v, h=1e-5):
    x, v = _arrays(x, v)
    return float((f(x + h * v) - f(x - h * v)) / h)


def _dd_shift_by_h(f, x, v, h=1e-5):
    x, v = _arrays(x, v)
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def _dd_normalised(f, x, v, h=1e-5):
    x, v = _arrays(x, v)
    u = v / np.linalg.norm(v)
    return float((f(x + h * u) - f(x - h * u)) / (2.0 * h))


DIRECTIONAL_DERIVATIVE = [
    Mistake("forward_difference", _dd_forward,
            "правая разность (f(x + hv) − f(x))/h вместо центральной: её ошибка O(h), а не O(h²)."),
    Mistake("divided_by_h", _dd_over_h,
            "центральная разность делится на 2h, а не на h: точки x − hv и x + hv отстоят на 2h вдоль v."),
    Mistake("shift_by_h", _dd_shift_by_h,
            "x сдвинут на h по всем координатам сразу (x ± h), а нужно вдоль направления v: x ± h·v."),
    Mistake("normalised_direction", _dd_normalised,
            "направление v нормировано; в этом упражнении v берётся как есть, и ответ равен ∇f · v."),
]
