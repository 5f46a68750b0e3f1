"""Typical mistakes of notebook 01 (chain rule and computation graph)."""
from __future__ import annotations

import numpy as np

from solutions.mistakes import Mistake

FORWARD_VALUES = [
    Mistake("square_before_sum", lambda x, y: (x * x, x * y, x + y, x * x + y * y,
                                               x * x + x * y + x * x + y * y),
            "d = (x + y)², а не x² + y²: сначала сумма (узел c), потом квадрат."),
]

LOCAL_DERIVATIVES = [
    Mistake("power_rule_without_factor", lambda x, y: (x, y, x, 1.0, 1.0, x + y),
            "в производных квадратов (рёбра x → a и c → d) потерян множитель степени: (uⁿ)′ = n·uⁿ⁻¹."),
    Mistake("product_rule_swapped", lambda x, y: (2 * x, x, y, 1.0, 1.0, 2 * (x + y)),
            "производные рёбер x → b и y → b перепутаны: производная произведения по одному множителю — это *другой* множитель."),
]


def _grad_missing_path(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    return da_dx + dd_dc * dc_dx, dd_dc * dc_dy          # the paths through b are forgotten


def _grad_no_chain(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    return da_dx + db_dx + dd_dc + dc_dx, db_dy + dd_dc + dc_dy   # added along the path, not multiplied


def _grad_dropped_dc(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    return da_dx + db_dx + dd_dc, db_dy + dd_dc          # ∂c/∂x = 1 taken for granted


def _grad_swapped_b(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    return da_dx + db_dy + dd_dc * dc_dx, db_dx + dd_dc * dc_dy


GRAD_F = [
    Mistake("missing_path", _grad_missing_path,
            "забыт путь через узел b = x·y: производная — сумма по *всем* путям от f до переменной."),
    Mistake("no_chain_product", _grad_no_chain,
            "на пути f → d → c → x производные рёбер нужно перемножить: ∂d/∂c · ∂c/∂x, а не сложить."),
    Mistake("dropped_edge_factor", _grad_dropped_dc,
            "на пути f → d → c → x три ребра, и множитель ∂c/∂x (∂c/∂y) тоже входит в произведение — "
            "grad_f получает его аргументом и не должен считать, что он равен 1."),
    Mistake("swapped_edges", _grad_swapped_b,
            "производные рёбер из b перепутаны: в ∂f/∂x входит ∂b/∂x, в ∂f/∂y — ∂b/∂y."),
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
            "в якобиане g = tanh(Ax) пропущена производная tanh: результат такой, будто g = Ax."),
    Mistake("jacobian_not_transposed", _cg_not_transposed,
            "∇ₓf = Jᵀ ∇_g f: якобиан нужно транспонировать (J имеет форму (m, d))."),
]


def _paths_edges(adj, source, target):
    adj = np.asarray(adj)
    return int(np.sum(adj[source:target + 1, source:target + 1]))


def _paths_from_first_node(adj, source, target):
    adj = np.asarray(adj)
    paths = np.zeros(adj.shape[0])
    paths[0] = 1                                        # as if every path started at node 0
    for j in range(1, target + 1):
        paths[j] = float(paths[:j] @ adj[:j, j])
    return int(round(paths[target]))


COUNT_PATHS = [
    Mistake("counts_edges", _paths_edges,
            "посчитаны рёбра, а не пути: путь — цепочка рёбер от source до target, и один путь проходит по нескольким рёбрам."),
    Mistake("ignores_source", _paths_from_first_node,
            "пути считаются от узла 0, а не от source: пути, которые начинаются раньше source, считать не нужно."),
]
