# %% [markdown]
# # 05. Ошибки нейронов δ
#
# По «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 4–5 и § 6
# (уравнения 26–29, 42–46), и «Лекция 2. Алгоритм обратного распространения ошибки» (слайды
# «Градиент скрытого слоя» и «Алгоритм обратного распространения ошибки»). В сети 2-2-2 (ноутбук 04) каждую
# производную можно было выписать руками. Для сети любой глубины нужен **алгоритм**: одно число
# на нейрон — его ошибка $\delta_j = \partial E / \partial z_j$, — которое считается один раз,
# от последнего слоя к первому, и из которого получаются все градиенты.
#
# **После этого ноутбука вы умеете:**
# 1. вычислять производные сигмоиды, ReLU и Leaky ReLU как функции входа нейрона $z$
#    (уравнения 27–29) — в том числе в точке $z = 0$;
# 2. считать ошибки нейронов выходного слоя и скрытого слоя по ошибкам следующего слоя
#    (уравнение 44) — циклами по нейронам, индекс за индексом;
# 3. получать из $\delta$ градиенты весов и смещений: $\partial E/\partial w_{ji} = \delta_j a_i$,
#    $\partial E/\partial b_j = \delta_j$ (уравнения 42, 46);
# 4. проверять обратный проход всей сети численным градиентом;
# 5. видеть на графике **затухание градиента** в глубокой сети с сигмоидой — и почему ReLU
#    от него спасает.
#
# **Обозначения.** Слой $l$: вход нейронов $z^{(l)}$, выход $a^{(l)} = f(z^{(l)})$ (в конспекте
# выход обозначен $y^{(l)}$ — это то же самое), $a^{(0)} = x$ — вход сети. Один пример — столбец,
# как в «Лекции 2»:
#
# $$z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \qquad W^{(l)} \text{ формы } (n_l,\ n_{l-1}),$$
#
# то есть `W[j, i]` — вес связи **от** нейрона $i$ слоя $l-1$ **к** нейрону $j$ слоя $l$
# (строка — куда, столбец — откуда). Ошибка — квадратичная, $E = \tfrac12 \sum_j (t_j - a^{(L)}_j)^2$.
# В коде сеть из $L$ слоёв — это списки `Ws = [W1, …, WL]`, `zs = [z1, …, zL]`, так что
# $W^{(l)}$ — это `Ws[l - 1]`. Всё считается в float64.
#
# **Осторожно с индексами конспекта.** В конспекте $w^{(l)}_{ij}$ — вес от нейрона $i$ слоя $l$
# к нейрону $j$ слоя $l+1$, а матрица $\mathbf{W}^{(l)} = [w_{ji}]$ стоит *между* слоями $l$ и
# $l+1$ (уравнение 40: $\mathbf z^{(l+1)} = \mathbf W^{(l)} \mathbf y^{(l)} + \mathbf b^{(l+1)}$).
# У нас номер матрицы — номер слоя, **в который** она ведёт (как на слайде «Алгоритм обратного
# распространения ошибки»: $w^{(l+1)}_{ki}$). Поэтому вес $w^{(l)}_{jk}$ конспекта, от нейрона $j$
# слоя $l$ к нейрону $k$ слоя $l+1$, в нашем коде — `W_next[k, j]`, элемент матрицы
# $W^{(l+1)}$: строка $k$, столбец $j$.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка под
# ним и скрытая (на других входах) смотрят только на эту функцию. Производная активации
# приходит в упражнения 4, 5 и 7 готовой функцией `fprime` (в проверках — какая-то своя
# функция, в разделах 5–6 — ваши `sigmoid_prime` и `relu_prime`), так что ошибка в одном
# упражнении не отнимет баллы за другое. Входные массивы не меняйте на месте — создавайте новые.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks
from bpcourse.gradcheck import numerical_gradient, rel_error

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Производные активаций (уравнения 27–29)
#
# Рекурсия для $\delta$ (раздел 3) содержит множитель $\partial a_j / \partial z_j = f'(z_j)$ —
# производную активации в точке входа нейрона. Конспект выписывает её для трёх функций:
#
# * сигмоида $\sigma(z) = 1/(1 + e^{-z})$ (уравнение 27): её производная выражается через
#   **выход** $y = \sigma(z)$ — выведите это выражение сами (ноутбук 03). «Лекция 2» поэтому
#   советует хранить активации. Здесь же все три производные — функции **входа** $z$: сначала
#   нужен $\sigma(z)$.
# * ReLU, $\max(0, z)$ (уравнение 28): 1 при $z > 0$ и 0 при $z \le 0$. В точке $z = 0$ у ReLU
#   излом, производной там нет; соглашение конспекта (и PyTorch) — считать её **нулём**.
# * Leaky ReLU, $\max(0.01 z, z)$ (уравнение 29): 1 при $z > 0$ и $0.01$ при $z \le 0$. Наклон
#   $0.01$ в библиотеках — параметр (`negative_slope` в PyTorch); у нас это `alpha`.
#
# Все три функции принимают массив `z` любой формы (вектор, матрицу, столбец) и возвращают
# массив той же формы из чисел float (`np.where`, сравнение `z > 0` и `.astype(float)` —
# всё подходит; циклы здесь не нужны).

# %% [markdown]
# ### Упражнение 1. `sigmoid_prime(z)`

# %% nbgrader={"solution": true}
def sigmoid_prime(z):
    """Derivative of the sigmoid at z (eq. 27 as a function of z).

    Parameters
    ----------
    z : ndarray of any shape

    Returns
    -------
    ndarray of the shape of z
    """
    ### BEGIN SOLUTION
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка sigmoid_prime: матрица 2×3 с z = 0, обоими знаками и z = 8; вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_sigmoid_prime??
checks.check_sigmoid_prime(sigmoid_prime)


# %% [markdown]
# ### Упражнение 2. `relu_prime(z)`
#
# Не забудьте соглашение для $z = 0$ (уравнение 28).

# %% nbgrader={"solution": true}
def relu_prime(z):
    """Derivative of ReLU at z: 1 where z > 0, else 0 (eq. 28).

    Parameters
    ----------
    z : ndarray of any shape

    Returns
    -------
    ndarray of floats of the shape of z
    """
    ### BEGIN SOLUTION
    return (z > 0).astype(np.float64)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка relu_prime: вектор и столбец, среди входов z = 0; вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_relu_prime??
checks.check_relu_prime(relu_prime)


# %% [markdown]
# ### Упражнение 3. `leaky_relu_prime(z, alpha=0.01)`
#
# Наклон берите из параметра `alpha` — скрытая проверка передаёт и другие значения.

# %% nbgrader={"solution": true}
def leaky_relu_prime(z, alpha=0.01):
    """Derivative of leaky ReLU at z: 1 where z > 0, else alpha (eq. 29).

    Parameters
    ----------
    z : ndarray of any shape
    alpha : float, the slope for z <= 0

    Returns
    -------
    ndarray of the shape of z
    """
    ### BEGIN SOLUTION
    return np.where(z > 0, 1.0, alpha)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка leaky_relu_prime: alpha по умолчанию и alpha = 0.2, среди входов z = 0; вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_leaky_relu_prime??
checks.check_leaky_relu_prime(leaky_relu_prime)


# %% [markdown]
# Три производные рядом (если упражнения решены). Заметьте: сигмоида нигде не пропускает больше
# четверти сигнала, $\sigma'(z) \le 1/4$, а при $|z| > 5$ — меньше сотой. Это станет важно в
# разделе 6.

# %%
try:
    grid = np.linspace(-6, 6, 601)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(grid, sigmoid_prime(grid), label="σ'(z)")
    ax.plot(grid, relu_prime(grid), label="ReLU'(z)")
    ax.plot(grid, leaky_relu_prime(grid, alpha=0.1), "--", label="Leaky ReLU'(z), alpha = 0.1")
    ax.axhline(0.25, color="gray", lw=0.6, ls=":")
    ax.set(xlabel="z", ylabel="f'(z)", title="Производные активаций")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Решите упражнения 1–3 — тогда здесь появится график.")

# %% [markdown]
# ## 2. Ошибки выходного слоя
#
# Ошибка нейрона — производная $E$ по его **входу**: $\delta_j = \partial E / \partial z_j$
# (уравнение 14). Для выходного слоя $L$ цепное правило даёт два множителя:
#
# $$\delta^{(L)}_j = \frac{\partial E}{\partial a^{(L)}_j}\,\frac{\partial a^{(L)}_j}{\partial z^{(L)}_j}.$$
#
# Первый множитель — производная $\tfrac12 (t_j - a_j)^2$ по $a_j$ (уравнение 13; следите за
# знаком). Второй — производная активации выходного слоя в точке $z^{(L)}_j$. В уравнениях 13 и 32
# конспекта его нет, потому что там выходной слой без активации, $y = z$ и $f' = 1$; на слайде
# «Алгоритм обратного распространения ошибки» выход сигмоидный и множитель $o_i(1 - o_i)$ есть.

# %% [markdown]
# ### Упражнение 4. `delta_output(a, t, z, fprime)`
#
# `a`, `t`, `z` — столбцы формы `(n, 1)`: выходы сети, цели и входы нейронов выходного слоя;
# `fprime` — функция $f'$ этого слоя (например, ваша `sigmoid_prime`). Вызывайте её от
# массива: `fp = fprime(z)` даёт все $f'(z_j)$ сразу. Напишите цикл по нейронам $j$.

# %% nbgrader={"solution": true}
def delta_output(a, t, z, fprime):
    """Errors of the output neurons for E = 1/2 sum (t - a)^2.

    Parameters
    ----------
    a, t, z : ndarray of shape (n, 1), outputs, targets and inputs of the output layer
    fprime : callable, f' of the layer's activation (elementwise)

    Returns
    -------
    delta : ndarray of shape (n, 1)
    """
    ### BEGIN SOLUTION
    fp = fprime(z)
    delta = np.zeros_like(z)
    for j in range(z.shape[0]):
        delta[j, 0] = (a[j, 0] - t[j, 0]) * fp[j, 0]
    return delta
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка delta_output: три выходных нейрона с f = sin, f' = cos, ошибки a − t обоих знаков."""
# входы и ожидаемые значения этой проверки покажет checks.check_delta_output??
checks.check_delta_output(delta_output)


# %% [markdown]
# ## 3. Ошибки скрытого слоя: рекурсия (уравнение 44)
#
# Выход нейрона $j$ слоя $l$ входит во **все** нейроны $k$ слоя $l+1$ — с весами
# $W^{(l+1)}_{kj}$. Поэтому $\partial E/\partial a^{(l)}_j$ — сумма вкладов по всем этим путям
# (конспект, уравнения 20–26; слайд «Градиент скрытого слоя»), а затем — множитель активации:
#
# это уравнение 44 конспекта. Переведите его в индексы курса сами: у конспекта свой порядок
# индексов веса (см. «Осторожно с индексами» вверху), а у нас строка матрицы весов — нейрон,
# **в** который идёт связь, столбец — нейрон, **из** которого она выходит. Какой элемент
# `W_next` соединяет нейрон $j$ слоя $l$ с нейроном $k$ слоя $l+1$?
#
# Зная все $\delta^{(L)}$, получаем $\delta^{(L-1)}$, по ним — $\delta^{(L-2)}$, и так до первого
# слоя: ошибка «распространяется обратно». Каждое $\delta$ считается один раз и используется
# всеми весами слоя — в этом экономия алгоритма по сравнению с суммой по путям из ноутбука 01.

# %% [markdown]
# ### Упражнение 5. `delta_hidden(delta_next, W_next, z, fprime)`
#
# `delta_next` — $\delta^{(l+1)}$ формы `(n_next, 1)`; `W_next` — $W^{(l+1)}$ формы
# `(n_next, n)`, она ведёт из слоя $l$ в слой $l+1$; `z` — $z^{(l)}$ формы `(n, 1)`; `fprime` —
# $f'$ слоя $l$. Напишите явные циклы: внешний по нейронам $j$ этого слоя, внутренний — сумма
# по нейронам $k$ следующего. Матрица бывает не квадратной: проверьте, какой индекс до какой
# границы идёт.

# %% nbgrader={"solution": true}
def delta_hidden(delta_next, W_next, z, fprime):
    """Errors of a hidden layer from the errors of the next one (eq. 44), with loops.

    Parameters
    ----------
    delta_next : ndarray of shape (n_next, 1), delta of layer l + 1
    W_next : ndarray of shape (n_next, n), the weights from layer l into layer l + 1
    z : ndarray of shape (n, 1), inputs of the neurons of layer l
    fprime : callable, f' of layer l (elementwise)

    Returns
    -------
    delta : ndarray of shape (n, 1), delta of layer l
    """
    ### BEGIN SOLUTION
    fp = fprime(z)
    delta = np.zeros_like(z)
    for j in range(z.shape[0]):
        total = 0.0
        for k in range(delta_next.shape[0]):
            total += delta_next[k, 0] * W_next[k, j]
        delta[j, 0] = total * fp[j, 0]
    return delta
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка delta_hidden: квадратная W 3×3, затем W 2×3 (в следующем слое меньше нейронов); входы не меняются."""
# входы и ожидаемые значения этой проверки покажет checks.check_delta_hidden??
checks.check_delta_hidden(delta_hidden)


# %% [markdown]
# ## 4. Градиенты весов и смещений (уравнения 42, 46)
#
# Вход $z^{(l)}_j = \sum_i W^{(l)}_{ji} a^{(l-1)}_i + b^{(l)}_j$ зависит от веса $W^{(l)}_{ji}$
# с коэффициентом $a^{(l-1)}_i$, а от смещения $b^{(l)}_j$ — с коэффициентом 1 (уравнения 11, 35).
# Вес $W^{(l)}_{ji}$ входит только в один нейрон — $j$, так что по цепному правилу через
# $z^{(l)}_j$ и его $\delta^{(l)}_j$ выведите $\partial E/\partial W^{(l)}_{ji}$ и
# $\partial E/\partial b^{(l)}_j$ сами (конспект: уравнения 42 и 46). По соглашению курса `dW`
# имеет форму `W`, а `db` — форму `b`.

# %% [markdown]
# ### Упражнение 6. `grads_from_delta(delta, a_prev)` → `(dW, db)`
#
# `delta` — $\delta^{(l)}$ формы `(n, 1)`, `a_prev` — $a^{(l-1)}$ формы `(m, 1)` (для первого
# слоя это вход сети $x$). Двойной цикл по $j$ и $i$.

# %% nbgrader={"solution": true}
def grads_from_delta(delta, a_prev):
    """Gradients of one layer's weights and biases from its errors (eq. 42, 46), with loops.

    Parameters
    ----------
    delta : ndarray of shape (n, 1), delta of the layer
    a_prev : ndarray of shape (m, 1), the activations entering the layer

    Returns
    -------
    dW : ndarray of shape (n, m), dE/dW
    db : ndarray of shape (n, 1), dE/db
    """
    ### BEGIN SOLUTION
    n, m = delta.shape[0], a_prev.shape[0]
    dW = np.zeros((n, m))
    db = np.zeros((n, 1))
    for j in range(n):
        db[j, 0] = delta[j, 0]
        for i in range(m):
            dW[j, i] = delta[j, 0] * a_prev[i, 0]
    return dW, db
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка grads_from_delta: слой из трёх нейронов с двумя входами и квадратный слой 2×2."""
# входы и ожидаемые значения этой проверки покажет checks.check_grads_from_delta??
checks.check_grads_from_delta(grads_from_delta)


# %% [markdown]
# ## 5. Вся сеть и проверка градиента
#
# Соберём из упражнений обратный проход сети любой глубины — алгоритм со слайда «Алгоритм
# обратного распространения ошибки»: прямой проход с сохранением всех $z$ и $a$, затем
# $\delta^{(L)}$, затем $\delta^{(L-1)}, \dots, \delta^{(1)}$ по рекурсии, и для каждого слоя —
# градиенты. Эти две функции не оцениваются, но без них не заработают проверка градиента и
# график раздела 6. Активацию `f` и её производную `fprime` функции получают параметрами (одна
# на все слои).

# %% nbgrader={"solution": true, "grade_id": "net05_forward"}
def forward_pass(Ws, bs, x, f):
    """Forward pass of one example, storing everything backprop needs.

    Parameters
    ----------
    Ws, bs : lists of the L weight matrices (n_l, n_(l-1)) and bias columns (n_l, 1)
    x : ndarray of shape (n_0, 1)
    f : callable, the activation of every layer

    Returns
    -------
    a_list : [a0 = x, a1, ..., aL]
    z_list : [z1, ..., zL]
    """
    ### BEGIN SOLUTION
    a_list, z_list = [x], []
    for W, b in zip(Ws, bs):
        z_list.append(W @ a_list[-1] + b)
        a_list.append(f(z_list[-1]))
    return a_list, z_list
    ### END SOLUTION


# %% nbgrader={"solution": true, "grade_id": "net05_backprop"}
def backprop(Ws, bs, x, t, f, fprime):
    """Backprop of E = 1/2 sum (t - a^(L))^2 for one example, from your exercises.

    Returns
    -------
    dWs, dbs : lists of the shapes of Ws and bs
    deltas : [delta1, ..., deltaL]
    """
    ### BEGIN SOLUTION
    a_list, z_list = forward_pass(Ws, bs, x, f)
    L = len(Ws)
    deltas = [None] * L
    deltas[L - 1] = delta_output(a_list[L], t, z_list[L - 1], fprime)
    for l in range(L - 2, -1, -1):
        deltas[l] = delta_hidden(deltas[l + 1], Ws[l + 1], z_list[l], fprime)
    dWs, dbs = [], []
    for l in range(L):
        dW, db = grads_from_delta(deltas[l], a_list[l])
        dWs.append(dW)
        dbs.append(db)
    return dWs, dbs, deltas
    ### END SOLUTION


# %% [markdown]
# **Проверка градиента.** Теперь сравните `backprop` с численным градиентом. В библиотеке курса
# есть `numerical_gradient(f, x)` — центральные разности с шагом $h = 10^{-5}$ для функции `f`
# массива `x` (она меняет `x` на месте, подставляя $x \pm h$, и возвращает его обратно) — и
# `rel_error(a, b)`, наибольшая относительная ошибка. Для каждой матрицы `Ws[l]` и каждого
# столбца `bs[l]` посчитайте численный градиент функции $E$ (она читает `Ws` и `bs`, а значит,
# видит сдвинутый элемент) и верните наибольшую `rel_error` по всем параметрам. Для гладкой
# функции верный градиент совпадает с численным примерно до $10^{-7}$ и лучше.

# %% nbgrader={"solution": true, "grade_id": "net05_gradient_check"}
def max_gradient_error(Ws, bs, x, t, f, fprime):
    """Largest rel_error between backprop's gradients and numerical ones over all W and b."""
    ### BEGIN SOLUTION
    dWs, dbs, _ = backprop(Ws, bs, x, t, f, fprime)

    def E(_):
        out = forward_pass(Ws, bs, x, f)[0][-1]
        return 0.5 * np.sum((t - out) ** 2)

    worst = 0.0
    for param, grad in zip(Ws + bs, dWs + dbs):
        worst = max(worst, rel_error(grad, numerical_gradient(E, param)))
    return worst
    ### END SOLUTION


# %% [markdown]
# Случайная сеть 3-5-4-2 (три слоя весов) с сигмоидой и с Leaky ReLU (наклон 0.1):

# %%
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def relu(z):
    return np.maximum(z, 0.0)


def leaky_relu(z, alpha=0.1):
    return np.where(z > 0, z, alpha * z)


def random_network(sizes, rng, scale=1.0):
    Ws = [rng.normal(scale=np.sqrt(scale / n_in), size=(n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    bs = [rng.normal(scale=0.1, size=(n_out, 1)) for n_out in sizes[1:]]
    return Ws, bs


rng = np.random.default_rng(5)
Ws3, bs3 = random_network([3, 5, 4, 2], rng)
x3, t3 = rng.normal(size=(3, 1)), rng.uniform(0, 1, size=(2, 1))
try:
    for name, f, fprime in [("сигмоида", sigmoid, sigmoid_prime),
                            ("Leaky ReLU", leaky_relu, lambda z: leaky_relu_prime(z, alpha=0.1))]:
        err = max_gradient_error(Ws3, bs3, x3, t3, f, fprime)
        verdict = "совпадает" if err < 1e-6 else "НЕ совпадает — ищите ошибку"
        print(f"{name:>10}: наибольшая rel_error = {err:.1e} — {verdict}")
except NotImplementedError:
    print("Допишите forward_pass, backprop и max_gradient_error (и упражнения 1–6) — тогда здесь "
          "появится проверка градиента.")

# %% [markdown]
# Две оговорки о том, как читать такую проверку. С ReLU она иногда спотыкается, хотя код верен:
# если какое-то $z$ лежит ближе $h$ к нулю, разность $E(z + h) - E(z - h)$ перешагивает излом.
# И `rel_error` — относительная ошибка: у очень малых компонент градиента (с наклоном 0.01
# на нескольких слоях подряд они бывают порядка $10^{-7}$) ошибка округления численной
# производной становится заметной долей самой компоненты. Поэтому для проверки выбирают
# гладкие функции и не слишком малые градиенты — здесь наклон Leaky ReLU взят 0.1.
#
# ## 6. Затухание градиента
#
# Рекурсия умножает ошибку на каждом шаге назад на $W^{(l+1)\top}$ и на $f'(z^{(l)})$. У
# сигмоиды $f' \le 1/4$: если веса порядка единицы, каждый слой уменьшает $\|\delta\|$ в
# несколько раз, и через десяток слоёв первые слои почти не получают градиента — их веса не
# учатся. У ReLU $f'$ равна 1 на работающих нейронах, и при подходящем масштабе весов
# (инициализация Хе, дисперсия $2/n$) норма ошибки от слоя к слою в среднем не меняется.
#
# Две сети по 12 слоёв из 16 нейронов, один пример; ось $y$ логарифмическая:

# %%
def deep_network(f_name, L=12, width=16, seed=0):
    """Weights of an L-layer network (Xavier scale for the sigmoid, He for ReLU), one example."""
    rng = np.random.default_rng(seed)
    Ws, bs = random_network([width] * (L + 1), rng, scale=1.0 if f_name == "sigmoid" else 2.0)
    bs = [np.zeros_like(b) for b in bs]
    return Ws, bs, rng.normal(size=(width, 1)), rng.uniform(0, 1, size=(width, 1))


nets = {"сигмоида": (sigmoid, sigmoid_prime, deep_network("sigmoid")),
        "ReLU": (relu, relu_prime, deep_network("relu"))}
norms = {}
try:
    for name, (f, fprime, (Ws, bs, x, t)) in nets.items():
        norms[name] = [np.linalg.norm(d) for d in backprop(Ws, bs, x, t, f, fprime)[2]]
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for name, values in norms.items():
        ax.semilogy(range(1, len(values) + 1), values, marker="o", label=name)
    ax.set(xlabel="слой l", ylabel=r"$\|\delta^{(l)}\|$", title="Норма ошибок нейронов по слоям (12 слоёв)")
    ax.legend()
    plt.show()
except NotImplementedError:
    print("Допишите упражнения 1–6 и backprop — тогда здесь появится график.")

# %% [markdown]
# Читайте график справа налево — так идёт обратный проход. Во сколько раз ошибка первого слоя
# меньше ошибки последнего? Посчитаем это число для любой сети.
#
# ### Упражнение 7. `depth_ratio(Ws, zs, delta_L, fprime)`
#
# Дано: веса `Ws` $= [W^{(1)}, \dots, W^{(L)}]$, входы нейронов `zs` $= [z^{(1)}, \dots, z^{(L)}]$
# (сохранённые прямым проходом), ошибки последнего слоя `delta_L` $= \delta^{(L)}$ и $f'$ всех
# слоёв. Пройдите рекурсией назад до $\delta^{(1)}$ и верните число
# $\|\delta^{(1)}\| / \|\delta^{(L)}\|$ — евклидовы нормы (`np.linalg.norm`). Функция должна быть
# самодостаточной: не вызывайте в ней свою `delta_hidden` (здесь можно и без циклов по
# нейронам, если знаете векторную запись — но тогда следите за формами). $W^{(1)}$ в рекурсии
# не понадобится: он ведёт из входа сети, у которого ошибок нет.

# %% nbgrader={"solution": true}
def depth_ratio(Ws, zs, delta_L, fprime):
    """||delta^(1)|| / ||delta^(L)||: delta^(L) carried back to the first layer.

    Parameters
    ----------
    Ws : list of L ndarrays, Ws[l - 1] = W^(l) of shape (n_l, n_(l-1))
    zs : list of L ndarrays, zs[l - 1] = z^(l) of shape (n_l, 1)
    delta_L : ndarray of shape (n_L, 1)
    fprime : callable, f' of every layer (elementwise)

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    delta = delta_L
    for l in range(len(Ws) - 2, -1, -1):
        delta = (Ws[l + 1].T @ delta) * fprime(zs[l])
    return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка depth_ratio: сеть 2-2-2-2 с квадратными слоями и сеть 3-4-2-3 со слоями разной ширины."""
# входы и ожидаемые значения этой проверки покажет checks.check_depth_ratio??
checks.check_depth_ratio(depth_ratio)


# %% [markdown]
# То же число для сетей с графика — оно должно совпасть с отношением крайних точек кривой:

# %%
try:
    for name, (f, fprime, (Ws, bs, x, t)) in nets.items():
        acts, zs = forward_pass(Ws, bs, x, f)
        d_L = delta_output(acts[-1], t, zs[-1], fprime)
        ratio = depth_ratio(Ws, zs, d_L, fprime)
        print(f"{name:>8}: ‖δ^(1)‖ / ‖δ^(L)‖ = {ratio:.2e}")
except NotImplementedError:
    print("Допишите упражнения 4 и 7 и forward_pass — тогда здесь появятся числа.")

# %% [markdown]
# У сигмоиды — порядка $10^{-7}$: градиент весов первого слоя в десятки миллионов раз меньше,
# чем последнего, и шаг градиентного спуска для них во столько же раз короче. У ReLU отношение
# от сотых до единицы (смотря по случайным весам) — на пять-шесть порядков больше — и с глубиной
# почти не падает: при 30 слоях (`deep_network("relu", L=30)`) оно того же порядка, а у сигмоиды
# около $10^{-19}$. Это одна из причин, по которым глубокие сети обучают с ReLU и её
# родственниками, а не с сигмоидой.
#
# ## Что дальше
#
# * Ноутбук 06 — векторная форма (конспект, § 6): те же формулы без циклов по нейронам —
#   $\delta^{(l)} = (W^{(l+1)\top} \delta^{(l+1)}) \odot f'(z^{(l)})$, $\nabla W^{(l)} = \delta^{(l)}
#   a^{(l-1)\top}$ (уравнения 43, 45). Сравните: внутренняя сумма вашего `delta_hidden` — это
#   строка $j$ произведения $W^\top \delta$.
# * Попробуйте: постройте график раздела 6 для сигмоиды с весами, умноженными на 4 (дисперсия
#   $16/n$), и для ReLU с дисперсией $1/n$ вместо $2/n$. Что происходит с нормами?
# * Затухание — не единственная беда глубоких сетей: если веса велики, нормы ошибок, наоборот,
#   растут от слоя к слою (взрыв градиента).
