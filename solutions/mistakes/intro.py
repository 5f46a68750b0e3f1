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
    return float((f(x + h) - f(x)) / h)


def _nd_over_h(f, x, h=1e-5):
    return float((f(x + h) - f(x - h)) / h)


def _nd_backward(f, x, h=1e-5):
    return float((f(x) - f(x - h)) / h)


NUMERICAL_DERIVATIVE = [
    Mistake("forward_difference", _nd_forward,
            "это правая разность (f(x+h) − f(x))/h с ошибкой O(h); нужна центральная: "
            "(f(x+h) − f(x−h)) / (2h), её ошибка O(h²)."),
    Mistake("divided_by_h", _nd_over_h,
            "центральная разность делится на 2h, а не на h: расстояние между x−h и x+h равно 2h."),
    Mistake("backward_difference", _nd_backward,
            "это левая разность (f(x) − f(x−h))/h; нужна центральная (f(x+h) − f(x−h)) / (2h)."),
]


def _re_no_floor(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def _re_abs_of_sum(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))


def _re_mean(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _re_ratio_of_max(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


REL_ERROR = [
    Mistake("no_floor", _re_no_floor,
            "в знаменателе нет max(1e-8, …): при a = b = 0 получается 0/0 = NaN."),
    Mistake("abs_of_sum", _re_abs_of_sum,
            "в знаменателе |a + b| вместо |a| + |b|: при a ≈ −b ошибка взлетает."),
    Mistake("mean_instead_of_max", _re_mean,
            "берётся среднее по элементам, а нужен максимум: одна большая ошибка не должна теряться."),
    Mistake("ratio_of_maxima", _re_ratio_of_max,
            "максимум берётся отдельно в числителе и знаменателе; нужно отношение поэлементно, потом max."),
]


def _ng_forward(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad


def _ng_not_restored(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2.0 * h)   # x[i] is left at old - h
    return grad


NUMERICAL_GRADIENT = [
    Mistake("forward_difference", _ng_forward,
            "правая разность (f(x+h) − f(x))/h вместо центральной (f(x+h) − f(x−h))/(2h)."),
    Mistake("not_restored", _ng_not_restored,
            "после сдвига элемента x[i] его значение не восстановлено: следующие производные "
            "считаются в другой точке."),
]
