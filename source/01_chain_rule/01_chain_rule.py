# %% [markdown]
# # 01. Цепное правило и граф вычислений
#
# По «Лекции 2. Алгоритм обратного распространения ошибки» (слайды «Граф вычислений» и
# «Производная композиции функций») и «MML minor #3. Нейронные сети» (слайды «Детали
# градиентного спуска: цепное правило», «Граф для вычисления производных», «Цепное правило и
# граф производных»). Нейросеть — это сложная функция, композиция простых; градиентный спуск —
# это дифференцирование сложной функции. Здесь мы разберём, как производная сложной функции собирается из производных её
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

# %% nbgrader={"solution": true}
def forward_values(x, y):
    """Node values (a, b, c, d, f) of the graph of f(x, y) = x^2 + xy + (x + y)^2."""
    ### BEGIN SOLUTION
    a, b, c = x * x, x * y, x + y
    d = c * c
    return a, b, c, d, a + b + d
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка forward_values: точки (1, 2) и (0.3, −1.2)."""
checks.check_close("forward_values(1, 2)", np.array(forward_values(1.0, 2.0), dtype=float), [1, 2, 3, 9, 12],
                   tol=1e-12, wrong=[([1, 2, 3, 5, 8], "d = (x + y)² = c², а не x² + y².")])
checks.check_close("forward_values(0.3, -1.2)", np.array(forward_values(0.3, -1.2), dtype=float),
                   [0.09, -0.36, -0.9, 0.81, 0.54], tol=1e-12)

# %% [markdown]
# ## 2. Локальные производные и цепное правило
#
# Припишем каждому ребру производную его конца по началу: ребру $x \to a$ — производную
# $\partial a/\partial x$, ребру $c \to d$ — $\partial d/\partial c$ и так далее. Это обычные
# производные простых функций, как на слайде «Детали градиентного спуска: цепное правило»:
# $\frac{d e^x}{dx} = e^x$, $\frac{d \ln x}{dx} = \frac{1}{x}$. Все рёбра в $f = a + b + d$ дают 1.
#
# Цепное правило для графа («MML minor #3. Нейронные сети», слайд «Цепное правило и граф
# производных»): **производная $f$ по переменной — это сумма по всем путям от $f$ до переменной
# произведений производных на рёбрах пути.** Для $x$ путей три:
# $f \to a \to x$, $f \to b \to x$, $f \to d \to c \to x$.

# %% [markdown]
# ### Упражнение 2. Локальные производные
#
# Выведите производные шести рёбер (кроме рёбер в $f$) и верните
# `(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc)` в точке `(x, y)`; `dd_dc` выразите через `x` и `y`.

# %% nbgrader={"solution": true}
def local_derivatives(x, y):
    """Edge derivatives (da/dx, db/dx, db/dy, dc/dx, dc/dy, dd/dc) at (x, y)."""
    ### BEGIN SOLUTION
    return 2 * x, y, x, 1.0, 1.0, 2 * (x + y)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка local_derivatives: точки (3, −2) и (−0.3, 1.7), где типичные ошибки дают другие числа."""
checks.check_close("local_derivatives(3, -2)", np.array(local_derivatives(3.0, -2.0), dtype=float),
                   [6, -2, 3, 1, 1, 2], tol=1e-12, wrong=[
    ([3, -2, 3, 1, 1, 1], "в производных квадратов (рёбра x → a и c → d) потерян множитель степени: (uⁿ)′ = n·uⁿ⁻¹."),
    ([6, 3, -2, 1, 1, 2], "производные рёбер x → b и y → b перепутаны: производная произведения по одному множителю — *другой* множитель."),
    ([9, -2, 3, 1, 1, 1], "на рёбрах x → a и c → d стоят значения узлов a и d, а нужны производные."),
])
checks.check_close("local_derivatives(-0.3, 1.7)", np.array(local_derivatives(-0.3, 1.7), dtype=float),
                   [-0.6, 1.7, -0.3, 1, 1, 2.8], tol=1e-12)

# %% [markdown]
# ### Упражнение 3. $\partial f / \partial x$ и $\partial f / \partial y$ по путям
#
# Соберите производные из локальных: сумма по путям, произведение вдоль пути. `grad_f`
# получает **производные рёбер** (то, что возвращает `local_derivatives`) и ничего не знает
# о функциях в узлах: в графе той же формы могли бы стоять другие функции, и рёбра несли бы
# другие числа. Поэтому используйте все шесть аргументов — даже те, что для нашей $f$ равны 1.
# Рёбра в $f = a + b + d$ дают 1. Градиент в точке: `grad_f(*local_derivatives(x, y))`.

# %% nbgrader={"solution": true}
def grad_f(da_dx, db_dx, db_dy, dc_dx, dc_dy, dd_dc):
    """(df/dx, df/dy) from the edge derivatives of the graph of f = a + b + d: the sum over
    paths from f to the variable of the products of the edge derivatives along the path."""
    ### BEGIN SOLUTION
    return da_dx + db_dx + dd_dc * dc_dx, db_dy + dd_dc * dc_dy
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка grad_f: рёбра с числами 2, 3, 5, 7, 11, 13 (у каждого пути своя сумма) и точка лекции (1, 2)."""
checks.check_close("grad_f(2, 3, 5, 7, 11, 13)", np.array(grad_f(2.0, 3.0, 5.0, 7.0, 11.0, 13.0), dtype=float),
                   [96, 148], tol=1e-12, wrong=[
    ([93, 143], "забыт путь через узел b = x·y: производная — сумма по *всем* путям."),
    ([25, 29], "на пути f → d → c → x производные рёбер перемножаются, а не складываются."),
    ([18, 18], "на пути f → d → c → x три ребра: множитель ∂c/∂x (∂c/∂y) тоже входит в произведение."),
    ([98, 146], "производные рёбер из b перепутаны: в ∂f/∂x входит ∂b/∂x, в ∂f/∂y — ∂b/∂y."),
])
checks.check_close("grad_f(*производные рёбер в точке (1, 2))", np.array(grad_f(2.0, 2.0, 1.0, 1.0, 1.0, 6.0), dtype=float),
                   [10, 7], tol=1e-12,
                   hint="путей до x три: через a, через b и через d → c; вдоль пути производные перемножаются.")

# %% [markdown]
# Нарисуем граф со значениями в узлах (в точке $x = 1, y = 2$) и локальными производными на
# рёбрах (красным). Проверьте по картинке: $\partial f/\partial x = 1\cdot 2 + 1\cdot 2 + 1\cdot 6 \cdot 1 = 10$.

# %%
def draw_chain_graph(values, derivs, title):
    """The graph of f with node values and edge derivatives; positions chosen so that no edge
    crosses a node (d sits below the edge b → f)."""
    from matplotlib.patches import FancyBboxPatch

    pos = {"x": (0, 0.8), "y": (0, -0.8), "a": (1.7, 1.6), "b": (1.7, 0), "c": (1.7, -1.6),
           "d": (3.4, -1.6), "f": (5.1, 0)}
    names = {"x": "x", "y": "y", "a": "a = x²", "b": "b = x·y", "c": "c = x + y", "d": "d = c²",
             "f": "f = a + b + d"}
    half = {key: (0.22 if key in "xy" else 0.62 if key == "f" else 0.42, 0.3) for key in pos}

    def border(key, towards):
        """Where the segment from the centre of ``key`` towards a point leaves its box."""
        (cx, cy), (hw, hh) = pos[key], half[key]
        dx, dy = towards[0] - cx, towards[1] - cy
        t = min(hw / abs(dx) if dx else np.inf, hh / abs(dy) if dy else np.inf)
        return cx + t * dx, cy + t * dy

    # edge: (from, to, label, where along the edge the label sits, vertical offset of the label)
    edges = [("x", "a", derivs[0], 0.5, 0.12), ("x", "b", derivs[1], 0.35, 0.12),
             ("y", "b", derivs[2], 0.3, -0.14), ("x", "c", derivs[3], 0.22, -0.2),
             ("y", "c", derivs[4], 0.5, -0.16), ("c", "d", derivs[5], 0.5, 0.12),
             ("a", "f", "1", 0.5, 0.12), ("b", "f", "1", 0.5, 0.12), ("d", "f", "1", 0.5, -0.16)]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for u, v, label, t, off in edges:
        (x0, y0), (x1, y1) = border(u, pos[v]), border(v, pos[u])
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.45", lw=1, shrinkA=2, shrinkB=2))
        (cx0, cy0), (cx1, cy1) = pos[u], pos[v]
        ax.text(cx0 + t * (cx1 - cx0), cy0 + t * (cy1 - cy0) + off, label, color="C3", fontsize=10,
                ha="center", va="center", bbox=dict(fc="white", ec="none", pad=0.5))
    for key, (x, y) in pos.items():
        hw, hh = half[key]
        ax.add_patch(FancyBboxPatch((x - hw, y - hh), 2 * hw, 2 * hh, boxstyle="round,pad=0,rounding_size=0.08",
                                    fc="#fef9e7" if key in "xy" else "#eaf2f8", ec="0.4"))
        ax.text(x, y, f"{names[key]}\n{values[key]:g}", ha="center", va="center", fontsize=10)
    ax.set_xlim(-0.6, 5.9)
    ax.set_ylim(-2.2, 2.2)
    ax.axis("off")
    ax.set_title(title)
    plt.show()


try:
    xv, yv = 1.0, 2.0
    a, b, c, d, f = forward_values(xv, yv)
    local = local_derivatives(xv, yv)
    draw_chain_graph({"x": xv, "y": yv, "a": a, "b": b, "c": c, "d": d, "f": f}, [f"{v:g}" for v in local],
                     "f(x, y) = x² + xy + (x + y)², x = 1, y = 2")
    print("∂f/∂x, ∂f/∂y по путям:", grad_f(*local))
except NotImplementedError:
    print("Выполните упражнения 1–3, чтобы увидеть граф.")
except Exception as e:  # noqa: BLE001 - the checks above say what is wrong
    print(f"Граф не нарисован: {type(e).__name__}: {e}")

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

# %% nbgrader={"solution": true}
def derivative_error(f, df, x, hs):
    """|(f(x + h) - f(x - h)) / (2h) - df(x)| for every h in hs (an array); same shape as hs."""
    ### BEGIN SOLUTION
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([abs((f(x + h) - f(x - h)) / (2 * h) - df(x)) for h in hs.reshape(-1)]).reshape(hs.shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка derivative_error: f = 1 − x³ в x = 1, где центральная разность ошибается ровно на −h²."""
# входы и ожидаемые значения этой проверки покажет checks.check_derivative_error??
checks.check_derivative_error(derivative_error)

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
except Exception as e:  # noqa: BLE001 - the check above says what is wrong
    print(f"График не построен: derivative_error подняла {type(e).__name__}: {e}")

# %% [markdown]
# ## 4. Градиент композиции через якобиан
#
# Если $g: \mathbb{R}^d \to \mathbb{R}^m$, а $f$ — скалярная функция от $g$, то («Лекция 2.
# Алгоритм обратного распространения ошибки», слайд «Производная композиции функций»)
#
# $$\nabla_x f = \sum_{i=1}^m \frac{\partial f}{\partial g_i} \nabla_x g_i = \nabla_x g \; \nabla_g f .$$
#
# **Какую матрицу звать якобианом.** На слайде матрица Якоби — это $\nabla_x g$ размера
# $d \times m$: её столбцы — градиенты $\nabla_x g_i$, элемент $(j, i)$ равен
# $\partial g_i / \partial x_j$. Чаще (и в коде курса) якобианом называют транспонированную
# матрицу $J = (\nabla_x g)^\top$ размера $m \times d$, $J_{ij} = \partial g_i / \partial x_j$:
# строка $i$ — градиент $g_i$. Это одна и та же информация, и формула слайда в этих обозначениях
#
# $$\nabla_x f = J^\top \nabla_g f, \qquad J \in \mathbb{R}^{m \times d}.$$
#
# С неквадратной $J$ ($m \ne d$) перепутать их не получится: не совпадут формы.
#
# Возьмём слой сети: $g(x) = \tanh(Ax)$, $A$ формы $(m, d)$, и $f(g) = \frac12 \lVert g \rVert^2$.
# Найдите сами $\nabla_g f$ и $J$ (пригодится $(\tanh u)' = 1 - \tanh^2 u$ и цепное правило для
# $g_i = \tanh(\sum_j A_{ij} x_j)$), затем соберите $\nabla_x f$. Численный градиент
# (`numerical_gradient`) здесь — только проверка: его точность около $10^{-10}$, а скрытая
# проверка ждёт точности вычислений по формуле в float64.

# %% [markdown]
# ### Упражнение 5. `composition_gradient(A, x)`

# %% nbgrader={"solution": true}
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


# %% nbgrader={"grade": true, "points": 2}
"""Проверка composition_gradient: форма (d,) и совпадение с численным градиентом."""
rng = np.random.default_rng(1)
for m_, d_ in [(3, 2), (2, 4)]:
    A, x = rng.normal(size=(m_, d_)), rng.normal(size=d_)
    numeric = numerical_gradient(lambda v: 0.5 * np.sum(np.tanh(A @ v) ** 2), x.copy())
    try:
        got = composition_gradient(A, x)
    except ValueError as e:
        raise checks.CheckError(f"composition_gradient(A формы {A.shape}, x формы {x.shape}): поднята ValueError: {e}\n"
                                "Подсказка: выпишите формы: J — (m, d), ∇_g f — (m,), а ∇ₓf должен быть (d,).") from None
    checks.check_gradient(f"composition_gradient(A формы {A.shape}, x)", got, numeric, tol=1e-7,
                          hint="сравните с формулой ∇ₓf = Jᵀ ∇_g f: не пропущена ли производная tanh?")

# %% [markdown]
# ## 5. Сколько путей в графе?
#
# Сумма по путям верна, но путей может быть очень много. В слоистом графе, где каждый узел
# связан со всеми узлами следующего слоя, от выхода до входа ведут $w_1 w_2 \cdots w_L$ путей —
# экспонента от глубины, хотя рёбер всего $\sum w_l w_{l+1}$.
#
# Посчитать число путей можно и не перечисляя их. Пронумеруем узлы так, чтобы рёбра шли от
# меньших номеров к большим. Каждый путь в узел $j$ приходит в него по последнему ребру из
# какого-то предшественника $i$ — как тогда число путей из `source` в $j$ выражается через
# числа путей в предшественников? Ответ даёт один проход по узлам, в котором каждое ребро
# используется один раз. (Запомните эту идею: обратный режим дифференцирования в ноутбуке 02
# устроен так же.)

# %% [markdown]
# ### Упражнение 6. `count_paths(adj, source, target)`
#
# `adj[i, j] == 1`, если есть ребро $i \to j$ (и тогда $i < j$); `source` и `target` — целые
# номера узлов, `source < target`. Верните целое число путей.

# %%
def layered(widths):
    """Adjacency matrix of a layered graph, every node linked to every node of the next layer."""
    n = sum(widths)
    adj, start = np.zeros((n, n)), 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        adj[start:start + w_in, start + w_in:start + w_in + w_out] = 1
        start += w_in
    return adj


# %% nbgrader={"solution": true}
def count_paths(adj, source, target):
    """Number of directed paths from source to target in a DAG whose nodes are numbered
    in topological order (adj[i, j] == 1 for an edge i -> j, always i < j)."""
    ### BEGIN SOLUTION
    paths = np.zeros(adj.shape[0])
    paths[source] = 1
    for j in range(source + 1, target + 1):
        paths[j] = paths[:j] @ adj[:j, j]
    return int(round(paths[target]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка count_paths: ромб (2 пути), слои 1-3-3-1 (9 путей) и пути не из первого узла (3 пути)."""
# входы и ожидаемые значения этой проверки покажет checks.check_count_paths??
checks.check_count_paths(count_paths)

# %%
import time

try:
    depths, paths, started = [], [], time.perf_counter()
    for D in range(1, 16):
        paths.append(count_paths(layered([1] + [3] * D + [1]), 0, 3 * D + 1))
        depths.append(D)
        if time.perf_counter() - started > 2:
            print(f"Ваш count_paths на глубине {D} считал уже больше 2 с — похоже, он перебирает пути "
                  "по одному, а их 3^D. Один проход по узлам считает быстро при любой глубине.")
            break
    edges = [layered([1] + [3] * D + [1]).sum() for D in depths]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.semilogy(depths, paths, "o-", label="путей от входа до выхода (сумма по путям)")
    ax.semilogy(depths, edges, "s-", label="рёбер (обратный режим, ноутбук 02)")
    ax.set(xlabel="число скрытых слоёв шириной 3", ylabel="штук", title="Пути растут экспоненциально, рёбра — линейно")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнение 6, чтобы увидеть график.")
except Exception as e:  # noqa: BLE001 - the check above says what is wrong
    print(f"График не построен: count_paths подняла {type(e).__name__}: {e}")

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 02: обратный режим — как посчитать производные выхода по **всем** узлам за один
#   проход по рёбрам, без перечисления путей; маленький движок автоматического дифференцирования.
# * Попробуйте: найдите на графике ошибки производной $h$, при котором она минимальна, и сравните
#   с оценкой $\varepsilon^{1/3}$.
