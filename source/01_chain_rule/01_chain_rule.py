# %% [markdown]
# # 01. Цепное правило и граф вычислений
#
# Лекция 000 (слайды 1–5) и слайды MML 004 («цепное правило», «граф производных»). Нейросеть —
# это сложная функция, композиция простых; градиентный спуск — это дифференцирование сложной
# функции. Здесь мы разберём, как производная сложной функции собирается из производных её
# частей, на примере из лекции
#
# $$f(x, y) = x^2 + xy + (x + y)^2 .$$
#
# **После этого ноутбука вы умеете:**
# 1. строить граф вычислений и считать значения в его узлах;
# 2. подписывать рёбра локальными производными и собирать $\partial f/\partial x$ по цепному правилу;
# 3. объяснять, почему ошибка численной производной растёт и при большом, и при слишком малом $h$;
# 4. считать градиент композиции через матрицу Якоби: $\nabla_x f = J^\top \nabla_g f$;
# 5. считать пути в графе — и видеть, почему «сумма по путям» не годится для глубоких сетей.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks, numerical_gradient
from bpcourse.graphs import GraphNode, draw_graph

# %% [markdown]
# ## 1. Граф вычислений
#
# Граф вычислений — направленный граф: узлы — простые функции, рёбра связывают функцию с её
# аргументами. Для $f$ введём промежуточные узлы
#
# $$a = x^2, \quad b = x y, \quad c = x + y, \quad d = c^2, \quad f = a + b + d .$$

# %% [markdown]
# ### Упражнение 1. Значения в узлах
#
# Верните кортеж `(a, b, c, d, f)` для данных `x`, `y` — прямой проход по графу.

# %% nbgrader={"grade_id": "forward_values", "solution": true}
def forward_values(x, y):
    """Node values (a, b, c, d, f) of the graph of f(x, y) = x^2 + xy + (x + y)^2."""
    ### BEGIN SOLUTION
    a, b, c = x * x, x * y, x + y
    d = c * c
    return a, b, c, d, a + b + d
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_forward_values", "grade": true, "points": 1}
"""Проверка forward_values: x = 1, y = 2."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("forward_values", forward_values)
### END HIDDEN TESTS
checks.check_close("forward_values(1, 2)", np.array(forward_values(1.0, 2.0), dtype=float), [1, 2, 3, 9, 12],
                   tol=1e-12, wrong=[([1, 2, 3, 5, 8], "d = (x + y)² = c², а не x² + y².")])

# %% [markdown]
# ## 2. Локальные производные и цепное правило
#
# Припишем каждому ребру производную его конца по началу: $\partial a/\partial x = 2x$,
# $\partial b/\partial x = y$, $\partial b/\partial y = x$, $\partial c/\partial x =
# \partial c/\partial y = 1$, $\partial d/\partial c = 2c$, а все рёбра в $f$ дают 1.
#
# Цепное правило для графа (слайды MML): **производная $f$ по переменной — это сумма по всем
# путям от $f$ до переменной произведений производных на рёбрах пути.** Для $x$ путей три:
# $f \to a \to x$, $f \to b \to x$, $f \to d \to c \to x$.

# %% [markdown]
# ### Упражнение 2. Локальные производные
#
# Верните `(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc)` в точке `(x, y)`.

# %% nbgrader={"grade_id": "local_derivatives", "solution": true}
def local_derivatives(x, y):
    """Edge derivatives (da/dx, db/dx, db/dy, dc/dx, dc/dy, dd/dc) at (x, y)."""
    ### BEGIN SOLUTION
    return 2 * x, y, x, 1.0, 1.0, 2 * (x + y)
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_local_derivatives", "grade": true, "points": 1}
"""Проверка local_derivatives: x = 1, y = 2."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("local_derivatives", local_derivatives)
### END HIDDEN TESTS
checks.check_close("local_derivatives(1, 2)", np.array(local_derivatives(1.0, 2.0), dtype=float),
                   [2, 2, 1, 1, 1, 6], tol=1e-12, wrong=[
    ([1, 2, 1, 1, 1, 3], "производная u² — это 2u: ∂a/∂x = 2x, ∂d/∂c = 2c."),
    ([2, 1, 2, 1, 1, 6], "∂(xy)/∂x = y, ∂(xy)/∂y = x: множитель — *другой* аргумент."),
])

# %% [markdown]
# ### Упражнение 3. $\partial f / \partial x$ и $\partial f / \partial y$ по путям
#
# Соберите производные из локальных: сумма по путям, произведение вдоль пути.

# %% nbgrader={"grade_id": "grad_f", "solution": true}
def grad_f(x, y):
    """(df/dx, df/dy) of f(x, y) = x^2 + xy + (x + y)^2 by the chain rule on its graph."""
    ### BEGIN SOLUTION
    da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc = local_derivatives(x, y)
    return da_dx + db_dx + dd_dc * dc_dx, db_dy + dd_dc * dc_dy
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_grad_f", "grade": true, "points": 2}
"""Проверка grad_f: против численного градиента в нескольких точках."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("grad_f", grad_f)
### END HIDDEN TESTS
for x0, y0 in [(1.0, 2.0), (-0.5, 0.3), (2.0, -3.0)]:
    numeric = numerical_gradient(lambda v: forward_values(v[0], v[1])[-1], np.array([x0, y0]))
    checks.check_gradient(f"grad_f({x0}, {y0})", np.array(grad_f(x0, y0), dtype=float), numeric, tol=1e-7,
                          hint="путей до x три: через a, через b и через d → c; вдоль пути производные перемножаются.")

# %% [markdown]
# Нарисуем граф со значениями в узлах (в точке $x = 1, y = 2$) и локальными производными на
# рёбрах. Проверьте по картинке: $\partial f/\partial x = 1\cdot 2 + 1\cdot 2 + 1\cdot 6 \cdot 1 = 10$.

# %%
try:
    xv, yv = 1.0, 2.0
    a, b, c, d, f = forward_values(xv, yv)
    da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc = local_derivatives(xv, yv)
    X, Y = GraphNode("x", xv), GraphNode("y", yv)
    A, B, C = GraphNode("a = x²", a, [X]), GraphNode("b = x·y", b, [X, Y]), GraphNode("c = x + y", c, [X, Y])
    D = GraphNode("d = c²", d, [C])
    F = GraphNode("f = a + b + d", f, [A, B, D])
    labels = {(X, A): f"{da_dx:g}", (X, B): f"{db_dx:g}", (Y, B): f"{db_dy:g}", (X, C): f"{dc_dx:g}",
              (Y, C): f"{dc_dy:g}", (C, D): f"{dd_dc:g}", (A, F): "1", (B, F): "1", (D, F): "1"}
    draw_graph(F, edge_labels=labels, title="f(x, y) = x² + xy + (x + y)², x = 1, y = 2")
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1 и 2, чтобы увидеть граф.")

# %% [markdown]
# ## 3. Ошибка численной производной
#
# В ноутбуке 00 центральная разность проверяла аналитические производные. Но насколько мало
# брать $h$? Ошибка складывается из двух частей:
#
# * **усечение** — отброшенные члены ряда Тейлора: $\approx \frac{h^2}{6}|f'''(x)|$, растёт с $h$;
# * **округление** — $f(x\pm h)$ известны с относительной точностью $\varepsilon \approx 10^{-16}$, а
#   делим на $2h$: $\approx \varepsilon |f(x)| / h$, растёт при $h \to 0$.
#
# Минимум суммы — при $h \sim \varepsilon^{1/3} \approx 10^{-5}$; это и есть $h$ курса.

# %% [markdown]
# ### Упражнение 4. `derivative_error(f, df, x, hs)`
#
# Для каждого шага `h` из массива `hs` верните модуль разности центральной разности и точной
# производной `df(x)`. Результат — массив формы `hs`.

# %% nbgrader={"grade_id": "derivative_error", "solution": true}
def derivative_error(f, df, x, hs):
    """|(f(x + h) - f(x - h)) / (2h) - df(x)| for every h in hs (an array); same shape as hs."""
    ### BEGIN SOLUTION
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([abs((f(x + h) - f(x - h)) / (2 * h) - df(x)) for h in hs.reshape(-1)]).reshape(hs.shape)
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_derivative_error", "grade": true, "points": 1}
"""Проверка derivative_error: x³ в x = 1, где ошибка центральной разности ровно h²."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("derivative_error", derivative_error)
### END HIDDEN TESTS
hs = np.array([0.1, 0.01])
checks.check_close("derivative_error(x³, 3x², 1, [0.1, 0.01])",
                   derivative_error(lambda t: t ** 3, lambda t: 3 * t ** 2, 1.0, hs), hs ** 2, tol=1e-6, wrong=[
    ([0.31, 0.0301], "это ошибка правой разности (f(x+h) − f(x))/h; нужна центральная."),
])

# %%
try:
    hs = np.logspace(-13, 0, 80)
    errors = derivative_error(np.sin, np.cos, 1.0, hs)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.loglog(hs, errors, ".", label="|центральная разность − cos 1|")
    ax.loglog(hs, hs ** 2 / 6 * np.cos(1.0), "--", label="усечение ≈ h²/6 · |f'''|")
    ax.loglog(hs, 1.1e-16 * np.sin(1.0) / hs, ":", label="округление ≈ ε |f| / h")
    ax.axvline(1e-5, color="gray", lw=0.8)
    ax.set(xlabel="h", ylabel="ошибка", ylim=(1e-13, 1), title="Ошибка производной sin в x = 1")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнение 4, чтобы увидеть график.")

# %% [markdown]
# ## 4. Градиент композиции через якобиан
#
# Если $g: \mathbb{R}^d \to \mathbb{R}^m$, а $f$ — скалярная функция от $g$, то (лекция 000)
#
# $$\nabla_x f = \sum_{i=1}^m \frac{\partial f}{\partial g_i} \nabla_x g_i = J^\top \nabla_g f,
# \qquad J_{ij} = \frac{\partial g_i}{\partial x_j} \quad (m \times d).$$
#
# Возьмём слой сети: $g(x) = \tanh(Ax)$ и $f(g) = \frac12 \lVert g \rVert^2$. Тогда
# $\nabla_g f = g$, а $J = \mathrm{diag}(1 - g^2)\, A$ (производная $\tanh$ — это $1 - \tanh^2$).

# %% [markdown]
# ### Упражнение 5. `composition_gradient(A, x)`

# %% nbgrader={"grade_id": "composition_gradient", "solution": true}
def composition_gradient(A, x):
    """Gradient of f(g(x)) = 1/2 ||tanh(A x)||^2 with respect to x.

    Parameters
    ----------
    A : ndarray of shape (m, d)
    x : ndarray of shape (d,)

    Returns
    -------
    ndarray of shape (d,)
    """
    ### BEGIN SOLUTION
    g = np.tanh(A @ x)
    J = (1 - g * g)[:, None] * A
    return J.T @ g
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_composition_gradient", "grade": true, "points": 2}
"""Проверка composition_gradient: форма (d,) и совпадение с численным градиентом."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("composition_gradient", composition_gradient)
### END HIDDEN TESTS
rng = np.random.default_rng(1)
A, x = rng.normal(size=(3, 2)), rng.normal(size=2)
numeric = numerical_gradient(lambda v: 0.5 * np.sum(np.tanh(A @ v) ** 2), x.copy())
checks.check_gradient("composition_gradient(A, x)", composition_gradient(A, x), numeric, tol=1e-7,
                      hint="∇ₓf = Jᵀ g, J = diag(1 − g²) A формы (m, d).")

# %% [markdown]
# ## 5. Сколько путей в графе?
#
# Сумма по путям верна, но путей может быть очень много. В слоистом графе, где каждый узел
# связан со всеми узлами следующего слоя, от выхода до входа ведут $w_1 w_2 \cdots w_L$ путей —
# экспонента от глубины, хотя рёбер всего $\sum w_l w_{l+1}$.
#
# Посчитать число путей можно и не перечисляя их: пронумеруем узлы так, чтобы рёбра шли от
# меньших номеров к большим; тогда число путей из `source` в узел $j$ — сумма чисел путей во
# все его предшественники. Один проход по узлам — и каждое ребро использовано один раз.
# (Запомните эту идею: обратный режим дифференцирования в ноутбуке 02 устроен так же.)

# %% [markdown]
# ### Упражнение 6. `count_paths(adj, source, target)`
#
# `adj[i, j] == 1`, если есть ребро $i \to j$ (и тогда $i < j$).

# %%
def layered(widths):
    """Adjacency matrix of a layered graph, every node linked to every node of the next layer."""
    n = sum(widths)
    adj, start = np.zeros((n, n)), 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        adj[start:start + w_in, start + w_in:start + w_in + w_out] = 1
        start += w_in
    return adj


# %% nbgrader={"grade_id": "count_paths", "solution": true}
def count_paths(adj, source, target):
    """Number of directed paths from source to target in a DAG whose nodes are numbered
    in topological order (adj[i, j] == 1 for an edge i -> j, always i < j)."""
    ### BEGIN SOLUTION
    source, target = int(source), int(target)
    paths = np.zeros(adj.shape[0])
    paths[source] = 1
    for j in range(source + 1, target + 1):
        paths[j] = paths[:j] @ adj[:j, j]
    return int(round(paths[target]))
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_count_paths", "grade": true, "points": 1}
"""Проверка count_paths: ромб (2 пути) и слои 1-3-3-1 (9 путей)."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("count_paths", count_paths)
### END HIDDEN TESTS
diamond = np.zeros((4, 4))
for i, j in [(0, 1), (0, 2), (1, 3), (2, 3)]:
    diamond[i, j] = 1
checks.check_close("count_paths(ромб, 0, 3)", count_paths(diamond, 0, 3), 2, tol=0,
                   wrong=[(4, "посчитаны рёбра, а не пути.")])

checks.check_close("count_paths(слои 1-3-3-1)", count_paths(layered([1, 3, 3, 1]), 0, 7), 9, tol=0)

# %%
try:
    depths = np.arange(1, 16)
    paths = [count_paths(layered([1] + [3] * int(D) + [1]), 0, 3 * int(D) + 1) for D in depths]
    edges = [layered([1] + [3] * int(D) + [1]).sum() for D in depths]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.semilogy(depths, paths, "o-", label="путей от входа до выхода (сумма по путям)")
    ax.semilogy(depths, edges, "s-", label="рёбер (обратный режим, ноутбук 02)")
    ax.set(xlabel="число скрытых слоёв шириной 3", ylabel="штук", title="Пути растут экспоненциально, рёбра — линейно")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнение 6, чтобы увидеть график.")

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 02: обратный режим — как посчитать производные выхода по **всем** узлам за один
#   проход по рёбрам, без перечисления путей; маленький движок автоматического дифференцирования.
# * Попробуйте: найдите на графике ошибки производной $h$, при котором она минимальна, и сравните
#   с оценкой $\varepsilon^{1/3}$.
