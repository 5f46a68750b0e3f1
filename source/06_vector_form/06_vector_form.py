# %% [markdown]
# # 06. Векторная форма
#
# По «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 6, уравнения 38–50,
# и рукописному конспекту студента. В ноутбуке 05 вы считали ошибки нейронов $\delta$ и
# градиенты циклами — по одному нейрону и одному весу за раз. Здесь те же формулы записываются
# через векторы и матрицы: один пример — столбец, слой — одно умножение матрицы на вектор.
# Так считается быстрее (циклы уходят внутрь numpy, см. конец ноутбука), а главное — формулы
# становятся короче, если следить за **формами**.
#
# **После этого ноутбука вы умеете:**
# 1. записывать прямой проход сети как $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$ и сохранять всё,
#    что понадобится обратному проходу;
# 2. считать $\delta^{(L)}$, $\delta^{(l)} = (W^{(l+1)\top} \delta^{(l+1)}) \odot f'(z^{(l)})$,
#    $\nabla W^{(l)} = \delta^{(l)} a^{(l-1)\top}$ и $\nabla b^{(l)} = \delta^{(l)}$;
# 3. проверять формулу по формам: где нужно транспонирование и почему;
# 4. измерять, во сколько раз векторная форма быстрее циклов.
#
# **Обозначения.** Слой $l$ получает на вход столбец $a^{(l-1)}$ формы $(n_{l-1}, 1)$ и считает
#
# $$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad a^{(l)} = \sigma(z^{(l)}), \qquad a^{(0)} = x,$$
#
# где $W^{(l)}$ имеет форму $(n_l, n_{l-1})$ — «(выходы, входы)», а $b^{(l)}$ — столбец
# $(n_l, 1)$. В конспекте активация называется $y^{(l)}$, а матрица весов нумеруется по слою,
# *из* которого выходят связи: $z^{(l+1)} = W^{(l)} y^{(l)} + b^{(l+1)}$ (уравнение 40). У нас
# $W^{(l)}$ — веса, *входящие* в слой $l$; это та же матрица $N^{(l+1)} \times N^{(l)}$ из § 6,
# только с номером следующего слоя. Сигмоида стоит в каждом слое, включая выходной, а ошибка —
# $E = \frac12 \sum_j (t_j - a^{(L)}_j)^2$, как в «Лекция 2. Алгоритм обратного распространения
# ошибки». В коде: `Ws[l - 1]` — это $W^{(l)}$, `delta` — $\delta = \partial E / \partial z$,
# `dW` — $\nabla W$ той же формы, что `W`.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка под
# ним и скрытая (на других входах — неквадратных матрицах, с разными размерами слоёв) смотрят
# только на эту функцию. Пишите каждую функцию **самодостаточной** — не вызывайте в ней свои
# функции из других упражнений, и не меняйте входные массивы на месте. Всё считается в float64.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks
from bpcourse.gradcheck import numerical_gradient, rel_error

np.set_printoptions(precision=4, suppress=True)


def sigmoid(z):
    """The logistic function, elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


# %% [markdown]
# ## 1. Прямой проход: считаем и запоминаем
#
# Уравнение (40) — это сразу все нейроны слоя: строка $j$ матрицы $W^{(l)}$ — веса, входящие в
# нейрон $j$, и $z_j = \sum_i w_{ji} a_i + b_j$ — скалярное произведение этой строки на столбец
# $a^{(l-1)}$ (уравнение 1). Формы сходятся так:
#
# $$\underbrace{W^{(l)}}_{(n_l,\ n_{l-1})}\ \underbrace{a^{(l-1)}}_{(n_{l-1},\ 1)} +
#   \underbrace{b^{(l)}}_{(n_l,\ 1)} = \underbrace{z^{(l)}}_{(n_l,\ 1)}.$$
#
# В рукописном конспекте студента суть алгоритма записана так: «1) прямое распространение —
# считаем все промежуточные числа на текущих весах; 2) обратное распространение — считаем
# по очереди производные, так как все эти числа уже есть». Поэтому прямой проход не только
# выдаёт ответ сети, но и **сохраняет** все $z^{(l)}$ и $a^{(l)}$: обратный проход не будет ничего
# пересчитывать, он их переиспользует (в конспекте: «к моменту выполнения обратного прохода все
# значения $y$, $z$, $w$, $b$ известны»).

# %% [markdown]
# ### Упражнение 1. `column_forward(Ws, bs, x)` → `(zs, activations)`
#
# `Ws` и `bs` — списки из $L$ матриц и столбцов, `x` — столбец $(n_0, 1)$. Верните список
# `zs` = $[z^{(1)}, \dots, z^{(L)}]$ и список `activations` = $[a^{(0)} = x, a^{(1)}, \dots,
# a^{(L)}]$ — на один элемент длиннее. Сигмоида `sigmoid` определена выше.

# %% nbgrader={"solution": true}
def column_forward(Ws, bs, x):
    """Forward pass of a sigmoid network for one example, storing what backward reuses.

    Parameters
    ----------
    Ws : list of L ndarrays, Ws[l - 1] of shape (n_l, n_{l-1})
    bs : list of L ndarrays, bs[l - 1] of shape (n_l, 1)
    x : ndarray of shape (n_0, 1)

    Returns
    -------
    zs : list of L ndarrays z^(1) ... z^(L), each of shape (n_l, 1)
    activations : list of L + 1 ndarrays a^(0) = x, a^(1) ... a^(L), each of shape (n_l, 1)
    """
    ### BEGIN SOLUTION
    zs, activations = [], [x]
    for W, b in zip(Ws, bs):
        z = W @ activations[-1] + b
        zs.append(z)
        activations.append(1.0 / (1.0 + np.exp(-z)))
    return zs, activations
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка column_forward: сеть 3-2-1 с известными z и a, длины списков, формы столбцов."""
# входы и ожидаемые значения этой проверки покажет checks.check_column_forward??
checks.check_column_forward(column_forward)


# %% [markdown]
# ## 2. Ошибка выходного слоя $\delta^{(L)}$
#
# $\delta^{(L)} = \partial E / \partial z^{(L)}$. По цепному правилу это
# $\partial E / \partial a^{(L)}$ (для $E = \frac12 \sum_j (t_j - a_j)^2$, уравнение 13),
# поэлементно умноженное на производную сигмоиды в точке $z^{(L)}$ (в уравнении 32 конспекта
# выход без активации и этого множителя нет; у нас на выходе сигмоида). Ноутбук 05 делал это
# циклом по нейронам; здесь — одной строкой для всего столбца.
#
# Производную сигмоиды вы уже выводили (уравнение 27 конспекта). Её можно выразить через
# **сохранённую** активацию $a = \sigma(z)$, не вычисляя экспоненту ещё раз — это и есть
# «обратный проход переиспользует то, что посчитал прямой». Поэтому функция получает и $z$,
# и $a$: берите то, что удобнее.

# %% [markdown]
# ### Упражнение 2. `column_output_delta(z, a, t)`

# %% nbgrader={"solution": true}
def column_output_delta(z, a, t):
    """Output-layer error for E = 1/2 sum (t - a)^2 and a sigmoid output.

    Parameters
    ----------
    z : ndarray of shape (n_L, 1), the output layer's pre-activation z^(L)
    a : ndarray of shape (n_L, 1), its stored activation a^(L) = sigmoid(z^(L))
    t : ndarray of shape (n_L, 1), the target

    Returns
    -------
    delta : ndarray of shape (n_L, 1), dE/dz^(L)
    """
    ### BEGIN SOLUTION
    return (a - t) * a * (1 - a)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка column_output_delta: выходной слой из трёх нейронов, форма (3, 1), вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_column_output_delta??
checks.check_column_output_delta(column_output_delta)


# %% [markdown]
# ## 3. Ошибка скрытого слоя: откуда берётся $W^\top$
#
# Скалярная формула из ноутбука 05 (уравнение 44): нейрон $j$ слоя $l$ влияет на ошибку через
# **все** нейроны $k$ следующего слоя, по весу $w_{kj}$ каждого. Сумма по $k$ при фиксированном $j$ идёт по
# **столбцу** $j$ матрицы $W^{(l+1)}$ — то есть по строке $j$ матрицы $W^{(l+1)\top}$.
#
# Так же это выведено в рукописном конспекте студента для линейного слоя $y = Wx$ с двумя входами
# и двумя выходами: $\frac{\partial L}{\partial x_1} = \frac{\partial L}{\partial y_1} w_{11} +
# \frac{\partial L}{\partial y_2} w_{21}$ — в сумму входит первый **столбец** $W$, а значит
#
# $$\frac{dL}{dx} = W^\top \frac{dL}{dy}.$$
#
# Это не «странность», а следствие форм: $W$ формы $(n_{\text{вых}}, n_{\text{вх}})$ переводит
# вектор входов в вектор выходов, а градиент идёт **обратно** — из $n_{\text{вых}}$ чисел в
# $n_{\text{вх}}$, и такую форму, $(n_{\text{вх}}, n_{\text{вых}})$, имеет только $W^\top$. На
# квадратной матрице пропущенное транспонирование незаметно (формы сходятся, числа — нет), на
# неквадратной numpy сразу сообщит о несогласованных формах. Поэтому в этом ноутбуке **все слои
# разной ширины**: пусть ошибка формы ловится сразу.
#
# Примените это правило к линейной части слоя $l+1$: её вход — $a^{(l)}$, а градиент по её
# выходу $z^{(l+1)}$ — это $\delta^{(l+1)}$. Так вы получите $\partial E / \partial a^{(l)}$ — градиент по выходам слоя $l$; остаётся
# пройти через сигмоиду слоя $l$, поэлементно (произведение Адамара $\odot$, в numpy это `*`).
# Запишите $\delta^{(l)}$ одной формулой сами и сверьтесь с уравнением 45 конспекта.

# %% [markdown]
# ### Упражнение 3. `column_hidden_delta(W_next, delta_next, z, a)`
#
# `W_next` — это $W^{(l+1)}$ формы $(n_{l+1}, n_l)$, `delta_next` — $\delta^{(l+1)}$ формы
# $(n_{l+1}, 1)$, `z` и `a` — сохранённые $z^{(l)}$ и $a^{(l)} = \sigma(z^{(l)})$ формы $(n_l, 1)$.

# %% nbgrader={"solution": true}
def column_hidden_delta(W_next, delta_next, z, a):
    """Error of a hidden sigmoid layer from the next layer's error (eq. 45).

    Parameters
    ----------
    W_next : ndarray of shape (n_next, n), the weights W^(l+1) into the next layer
    delta_next : ndarray of shape (n_next, 1), delta^(l+1)
    z : ndarray of shape (n, 1), this layer's pre-activation z^(l)
    a : ndarray of shape (n, 1), its stored activation a^(l) = sigmoid(z^(l))

    Returns
    -------
    delta : ndarray of shape (n, 1), dE/dz^(l)
    """
    ### BEGIN SOLUTION
    return (W_next.T @ delta_next) * a * (1 - a)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка column_hidden_delta: W формы (3, 2) — неквадратная, форма результата (2, 1), вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_column_hidden_delta??
checks.check_column_hidden_delta(column_hidden_delta)


# %% [markdown]
# ## 4. Градиенты весов и смещений
#
# Скалярно (уравнение 42) $\partial E / \partial w_{ji}^{(l)} = \delta_j^{(l)} a_i^{(l-1)}$: вес
# $w_{ji}$ входит только в один нейрон $j$, поэтому в его производной одно слагаемое (в
# рукописном конспекте: «в $dL/dW$ — лишь одно слагаемое, а в $dL/dx$ — все»). Таблица всех
# произведений $\delta_j a_i$ — матрица формы $(n_l,\ n_{l-1})$. Какое произведение столбца
# $\delta^{(l)}$ формы $(n_l, 1)$ и столбца $a^{(l-1)}$ формы $(n_{l-1}, 1)$ даёт ровно такую форму
# (уравнение 43 конспекта)? А градиент по смещению — уравнение 46.
#
# Градиент всегда имеет форму того, по чему берётся: $\nabla W^{(l)}$ — форму $W^{(l)}$,
# $\nabla b^{(l)}$ — форму $b^{(l)}$, то есть столбец $(n_l, 1)$. И обратите внимание на номера
# слоёв: $\delta^{(l)}$ слоя $l$ умножается на активацию **предыдущего** слоя — ту, что входит
# в $W^{(l)}$. Для первого слоя это сам вход $x = a^{(0)}$; потому прямой проход его и сохраняет.

# %% [markdown]
# ### Упражнение 4. `column_grads(deltas, activations)` → `(dWs, dbs)`
#
# `deltas` = $[\delta^{(1)}, \dots, \delta^{(L)}]$, `activations` = $[a^{(0)}, \dots, a^{(L)}]$
# (как их возвращает упражнение 1). Верните списки $[\nabla W^{(1)}, \dots, \nabla W^{(L)}]$ и
# $[\nabla b^{(1)}, \dots, \nabla b^{(L)}]$.

# %% nbgrader={"solution": true}
def column_grads(deltas, activations):
    """Gradients of E with respect to every weight matrix and bias (eq. 43, 46).

    Parameters
    ----------
    deltas : list of L ndarrays delta^(1) ... delta^(L), each of shape (n_l, 1)
    activations : list of L + 1 ndarrays a^(0) = x ... a^(L), each of shape (n_l, 1)

    Returns
    -------
    dWs : list of L ndarrays, dWs[l - 1] of shape (n_l, n_{l-1}) (the shape of W^(l))
    dbs : list of L ndarrays, dbs[l - 1] of shape (n_l, 1) (the shape of b^(l))
    """
    ### BEGIN SOLUTION
    dWs = [delta @ a_prev.T for delta, a_prev in zip(deltas, activations[:-1])]
    dbs = [delta.copy() for delta in deltas]
    return dWs, dbs
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка column_grads: сеть 3-2-1, формы ∇W как у W, ∇b — столбцы, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_column_grads??
checks.check_column_grads(column_grads)


# %% [markdown]
# ## 5. Собираем обратный проход и сверяем с численным градиентом
#
# Четыре упражнения — это весь алгоритм. Соберём из них обратный проход (код ниже только
# вызывает ваши функции по порядку: прямой проход, $\delta^{(L)}$, рекурсия от последнего слоя к
# первому, градиенты) и сравним его с численным градиентом $E$ по каждому весу на сети
# 4-6-3-2 — все слои разной ширины. Заодно напечатаем таблицу форм: по ней видно, почему
# $\nabla W = \delta a^\top$, а не $\delta a$ или $a \delta^\top$.

# %%
def backprop(Ws, bs, x, t):
    """Gradients of E = 1/2 sum (t - a^(L))^2 by the four exercises above."""
    zs, activations = column_forward(Ws, bs, x)
    deltas = [column_output_delta(zs[-1], activations[-1], t)]
    for l in range(len(Ws) - 1, 0, -1):          # from the last hidden layer down to the first
        deltas.insert(0, column_hidden_delta(Ws[l], deltas[0], zs[l - 1], activations[l]))
    dWs, dbs = column_grads(deltas, activations)
    return (dWs, dbs, deltas, activations)


def error(Ws, bs, x, t):
    """E = 1/2 sum (t - a^(L))^2 through your forward pass: backward is checked against it."""
    a_L = column_forward(Ws, bs, x)[1][-1]
    return 0.5 * float(np.sum((t - a_L) ** 2))


rng = np.random.default_rng(6)
sizes = [4, 6, 3, 2]
Ws = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
bs = [rng.normal(size=(n_out, 1)) for n_out in sizes[1:]]
x, t = rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))

try:
    dWs, dbs, deltas, activations = backprop(Ws, bs, x, t)
    print(" l   W^(l)     a^(l-1)   δ^(l)     ∇W^(l)")
    for l in range(1, len(Ws) + 1):
        print(f"{l:2d}   {str(Ws[l - 1].shape):9} {str(activations[l - 1].shape):9} "
              f"{str(deltas[l - 1].shape):9} {np.shape(dWs[l - 1])}")
    for l in range(len(Ws)):
        num_W = numerical_gradient(lambda W: error(Ws[:l] + [W] + Ws[l + 1:], bs, x, t), Ws[l].copy())
        num_b = numerical_gradient(lambda b: error(Ws, bs[:l] + [b] + bs[l + 1:], x, t), bs[l].copy())
        print(f"слой {l + 1}: rel_error(∇W, численный) = {rel_error(dWs[l], num_W):.1e}, "
              f"rel_error(∇b, численный) = {rel_error(dbs[l], num_b):.1e}")
except NotImplementedError:
    print("Сначала решите упражнения 1–4 — тогда здесь появится сверка с численным градиентом.")
except Exception as e:   # a wrong shape in one of the exercises: say which, and go on
    print(f"Обратный проход не собрался: {type(e).__name__}: {e}")

# %% [markdown]
# Ошибки порядка $10^{-7}$ и меньше — градиенты верны. Шаг градиентного спуска (уравнения
# 49–50) теперь тоже записывается для целых матриц: `W -= lr * dW`, `b -= lr * db` — и именно
# поэтому формы $\nabla W$ и $W$ должны совпадать.
#
# ## 6. Циклы против векторов
#
# Векторная форма считает то же, что циклы ноутбука 05, только циклы по нейронам выполняет
# numpy — на C, в оптимизированной библиотеке линейной алгебры. Проверим оба утверждения —
# «то же» и «быстрее». Для этого напишите ошибку скрытого слоя ещё раз, **циклами**, по
# скалярной формуле (44).

# %% [markdown]
# ### Упражнение 5. `column_hidden_delta_loops(W_next, delta_next, z, a)`
#
# То же, что упражнение 3, но без матричных операций: два вложенных цикла — по нейронам $j$
# слоя $l$ и по нейронам $k$ следующего слоя, — и обращения к отдельным числам `W_next[k, j]`,
# `delta_next[k, 0]`, `a[j, 0]`. Результат — столбец формы $(n_l, 1)$.

# %% nbgrader={"solution": true}
def column_hidden_delta_loops(W_next, delta_next, z, a):
    """column_hidden_delta with explicit loops over neurons (eq. 44).

    Parameters
    ----------
    W_next : ndarray of shape (n_next, n)
    delta_next : ndarray of shape (n_next, 1)
    z, a : ndarrays of shape (n, 1), a = sigmoid(z)

    Returns
    -------
    delta : ndarray of shape (n, 1)
    """
    ### BEGIN SOLUTION
    n, n_next = W_next.shape[1], W_next.shape[0]
    delta = np.zeros((n, 1))
    for j in range(n):
        s = 0.0
        for k in range(n_next):
            s += W_next[k, j] * delta_next[k, 0]
        delta[j, 0] = s * a[j, 0] * (1 - a[j, 0])
    return delta
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка column_hidden_delta_loops: тот же слой, что в проверке упражнения 3, W формы (3, 2)."""
# входы и ожидаемые значения этой проверки покажет checks.check_column_hidden_delta_loops??
checks.check_column_hidden_delta_loops(column_hidden_delta_loops)


# %% [markdown]
# Теперь сравним обе версии на слоях растущей ширины $n$ (следующий слой — тоже $n$ нейронов):
# сначала результаты, потом время. Время меряется прямо сейчас, на вашем компьютере: берём
# лучшее из нескольких повторов, чтобы случайные задержки не мешали.

# %%
def best_time(fn, *args, repeat=5, number=1):
    """The best of `repeat` timings of `number` calls, in seconds per call."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / number)
    return best


widths = [4, 8, 16, 32, 64, 128, 256]
try:
    times_loops, times_vector, agree = [], [], []
    rng = np.random.default_rng(0)
    for n in widths:
        W_next, delta_next, z = rng.normal(size=(n, n)), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        a = sigmoid(z)
        agree.append(rel_error(column_hidden_delta_loops(W_next, delta_next, z, a),
                               column_hidden_delta(W_next, delta_next, z, a)))
        times_loops.append(best_time(column_hidden_delta_loops, W_next, delta_next, z, a, repeat=3))
        times_vector.append(best_time(column_hidden_delta, W_next, delta_next, z, a, number=50))
    print("наибольшая rel_error между циклами и векторной формой:", f"{max(agree):.1e}")
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(widths, times_loops, "o-", color="C3", label="циклы (упражнение 5)")
    ax.plot(widths, times_vector, "o-", color="C0", label="векторная форма (упражнение 3)")
    ax.set(xscale="log", yscale="log", xlabel="ширина слоя n", ylabel="время одного вызова, с",
           title="δ скрытого слоя: циклы против векторной формы")
    ax.set_xticks(widths, [str(n) for n in widths])
    ax.legend()
    plt.show()
    print(f"при n = {widths[-1]} циклы медленнее в {times_loops[-1] / times_vector[-1]:.0f} раз")
except NotImplementedError:
    print("Сначала решите упражнения 3 и 5 — тогда здесь появится график.")
except Exception as e:   # a wrong shape in one of the exercises: say which, and go on
    print(f"Сравнение не получилось: {type(e).__name__}: {e}")

# %% [markdown]
# Время циклов растёт как $n^2$ — по числу весов $n \times n$: вдвое шире слой — вчетверо
# дольше. Векторная форма на этих размерах почти не зависит от $n$: её время уходит на сам вызов
# функций numpy, а $n^2$ умножений внутри — на C, в оптимизированной библиотеке линейной
# алгебры — занимают меньше. Поэтому на широких слоях разрыв — тысячи раз: в Python каждое
# умножение — отдельная операция интерпретатора. А на GPU, о котором говорит § 6
# конспекта, разрыв ещё больше: матричное умножение там выполняется параллельно.
#
# ## Что дальше
#
# * Ноутбук 07: пакет примеров. Столбцы $a$ для $M$ примеров складываются в матрицу, и
#   $\nabla W = \frac1M \Delta Y^\top$ (уравнение 52) считает градиент сразу по всему пакету —
#   ещё одно умножение матриц вместо цикла по примерам.
# * Попробуйте: замените в `backprop` сигмоиду скрытых слоёв на ReLU. Какие строки обратного
#   прохода изменятся, а какие нет?
# * Проверьте на бумаге, что каждый элемент $\nabla W = \delta a^\top$ совпадает с
#   уравнением (42), а каждый элемент $W^\top \delta$ — с суммой из уравнения (44) (в конспекте
#   это предлагается сделать самостоятельно, сноска 13).
