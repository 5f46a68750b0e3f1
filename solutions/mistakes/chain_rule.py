"""Typical mistakes of notebook 01 (chain rule and computation graph)."""
from __future__ import annotations

import numpy as np

from solutions import chain_rule as ref
from solutions.mistakes import Mistake

FORWARD_VALUES = [
    Mistake("square_before_sum", lambda x, y: (x * x, x * y, x + y, x * x + y * y,
                                               x * x + x * y + x * x + y * y),
            "d = (x + y)², а не x² + y²: сначала сумма (узел c), потом квадрат."),
]

LOCAL_DERIVATIVES = [
    Mistake("power_rule_without_factor", lambda x, y: (x, y, x, 1.0, 1.0, x + y),
            "производная квадрата u² — это 2u: ∂a/∂x = 2x и ∂d/∂c = 2c."),
    Mistake("product_rule_swapped", lambda x, y: (2 * x, x, y, 1.0, 1.0, 2 * (x + y)),
            "∂(x·y)/∂x = y и ∂(x·y)/∂y = x: множитель — это *другой* аргумент."),
]


def _grad_missing_path(x, y):
    da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc = ref.local_derivatives(x, y)
    return da_dx + dd_dc * dc_dx, dd_dc * dc_dy          # the paths through b are forgotten


def _grad_no_chain(x, y):
    da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc = ref.local_derivatives(x, y)
    return da_dx + db_dx + dc_dx, db_dy + dc_dy          # ∂d/∂c not multiplied in


GRAD_F = [
    Mistake("missing_path", _grad_missing_path,
            "забыт путь через узел b = x·y: производная — сумма по *всем* путям от f до переменной."),
    Mistake("no_chain_product", _grad_no_chain,
            "на пути f → d → c → x производные рёбер нужно перемножить: ∂d/∂c · ∂c/∂x."),
]


def _derr_forward(f, df, x, hs):
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([abs((f(x + h) - f(x)) / h - df(x)) for h in hs.reshape(-1)]).reshape(hs.shape)


def _derr_signed(f, df, x, hs):
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([(f(x + h) - f(x - h)) / (2 * h) - df(x) for h in hs.reshape(-1)]).reshape(hs.shape)


DERIVATIVE_ERROR = [
    Mistake("forward_difference", _derr_forward,
            "это ошибка правой разности; нужна центральная (f(x+h) − f(x−h)) / (2h)."),
    Mistake("signed_error", _derr_signed,
            "ошибка — это модуль разности |приближение − точное значение|, а не разность со знаком."),
]


def _cg_no_derivative(A, x):
    g = np.tanh(A @ x)
    return A.T @ g


def _cg_not_transposed(A, x):
    g = np.tanh(A @ x)
    J = (1 - g * g)[:, None] * A
    return J @ g


COMPOSITION_GRADIENT = [
    Mistake("forgot_tanh_derivative", _cg_no_derivative,
            "в якобиане g = tanh(Ax) пропущена производная tanh: J = diag(1 − g²) A."),
    Mistake("jacobian_not_transposed", _cg_not_transposed,
            "∇ₓf = Jᵀ ∇_g f: якобиан нужно транспонировать (J имеет форму (m, d))."),
]


def _paths_edges(adj, source, target):
    adj = np.asarray(adj)
    return int(np.sum(adj[int(source):int(target) + 1, int(source):int(target) + 1]))


COUNT_PATHS = [
    Mistake("counts_edges", _paths_edges,
            "посчитаны рёбра, а не пути: число путей в j — сумма чисел путей во всех его предшественников."),
]
