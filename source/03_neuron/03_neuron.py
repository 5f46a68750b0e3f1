# %% [markdown]
# # 03. Нейрон
#
# По слайдам «MML minor #3. Нейронные сети» (первая половина: от «Линейная классификация» до
# «Нам нужны нелинейности в нейронах!») и «Лекция 2. Алгоритм обратного распространения
# ошибки» (слайд с пометкой «Храним активации»). Интуиция — в «3Blue1Brown: Алгоритм обратного
# распространения ошибки». В ноутбуках 01–02 мы дифференцировали графы из чисел; теперь узел
# графа — **нейрон**: линейная комбинация входов и нелинейная функция активации.
#
# **После этого ноутбука вы умеете:**
# 1. считать функцию принятия решения $d(x) = w_0 + w_1 x_1 + w_2 x_2$ и рисовать линию
#    $d(x) = 0$ поверх точек;
# 2. считать логистическую регрессию $a(x) = \sigma(d(x))$ без переполнения;
# 3. проводить градиент через сигмоиду по **сохранённой активации**: $\sigma' = a(1 - a)$;
# 4. выводить градиент логистической функции потерь по весам, проверять его численно и
#    обучать модель градиентным спуском;
# 5. решать нелинейную задачу «тремя линиями» — скрытым слоем из трёх нейронов;
# 6. объяснять, зачем нужна нелинейность: без $\sigma$ два линейных слоя — это один.
#
# **Соглашения.** Точки — строки матрицы `X` формы `(M, n)` (на плоскости $n = 2$), как на
# слайде «Полносвязный слой как произведение матриц» ($xW = z$). Веса одного нейрона —
# вектор `w = [w0, w1, …, wn]` формы `(n + 1,)`, где `w[0]` — свободный член $w_0$. **Метки
# классов — $y \in \{0, 1\}$** (числа `0.0` и `1.0`): на слайдах метки $\{+1, -1\}$, у нас класс
# $-1$ записан как $0$. Так $a(x) = \sigma(d(x))$ — это вероятность класса 1. Всё в float64.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка под
# ним и скрытая (на других входах) смотрят только на эту функцию. Пишите каждую функцию
# **самодостаточной** — не вызывайте в ней свои функции из других упражнений (нужные строки
# можно скопировать): тогда ошибка в одном упражнении не отнимет баллы за другое. Входные
# массивы не меняйте на месте — создавайте новые.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks
from bpcourse.gradcheck import numerical_gradient, rel_error

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Линейный классификатор
#
# Слайд «Линейная классификация»: признаки $x = (x_1, x_2)$, функция принятия решения
#
# $$d(x) = w_0 + w_1 x_1 + w_2 x_2,$$
#
# алгоритм $a(x) = \mathrm{sign}(d(x))$. Точки с $d(x) = 0$ лежат на прямой — это **граница
# решения**; по одну её сторону $d > 0$, по другую $d < 0$. Сгенерируем два облака точек
# (ничего не скачивается) — класс 1 справа сверху, класс 0 слева снизу.

# %%
rng = np.random.default_rng(3)
X_lin = np.concatenate([rng.normal(loc=[1.2, 1.0], scale=0.9, size=(100, 2)),
                        rng.normal(loc=[-1.0, -0.8], scale=0.9, size=(100, 2))])
y_lin = np.concatenate([np.ones(100), np.zeros(100)])


def plot_points(ax, X, y, title=""):
    """The two classes of a 2D data set: class 1 as +, class 0 as −."""
    ax.scatter(*X[y == 1].T, marker="+", c="C3", s=30, label="класс 1 (+1 на слайдах)")
    ax.scatter(*X[y == 0].T, marker="_", c="C0", s=30, label="класс 0 (−1 на слайдах)")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")


def plot_line(ax, w, **style):
    """The line w0 + w1 x1 + w2 x2 = 0 across the current x1-range of ax."""
    x1 = np.array(ax.get_xlim())
    ax.plot(x1, -(w[0] + w[1] * x1) / w[2], **style)
    ax.set_xlim(*x1)


# %% [markdown]
# ### Упражнение 1. `decision_function(X, w)`
#
# Для каждой точки (строки `X`) — число $d(x)$. Пишите для любого числа признаков $n$: в
# разделе 7 эта же функция получит три признака, $d = w_0 + w_1 z_1 + w_2 z_2 + w_3 z_3$.
# Помогает матричное умножение: `X @ v` — это вектор скалярных произведений строк `X` на `v`.

# %% nbgrader={"solution": true}
def decision_function(X, w):
    """d(x) = w0 + w1 x1 + ... + wn xn for every row x of X.

    Parameters
    ----------
    X : ndarray of shape (M, n), one point per row
    w : ndarray of shape (n + 1,), [w0, w1, ..., wn]; w[0] is the bias

    Returns
    -------
    d : ndarray of shape (M,)
    """
    ### BEGIN SOLUTION
    return w[0] + X @ w[1:]
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка decision_function: четыре точки, w = [0.5, 2, −1], вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_decision_function??
checks.check_decision_function(decision_function)

# %% [markdown]
# Линия, подобранная «на глаз», и знак $d(x)$ как ответ классификатора:

# %%
w_eye = np.array([0.0, 1.0, 1.0])          # the line x1 + x2 = 0
try:
    accuracy = np.mean((decision_function(X_lin, w_eye) > 0) == (y_lin == 1))
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    plot_points(ax, X_lin, y_lin, f"d(x) = x₁ + x₂: верно {accuracy:.0%} точек")
    plot_line(ax, w_eye, color="k", label="d(x) = 0")
    ax.legend(fontsize=8, loc="upper left")
    plt.show()
except NotImplementedError:
    print("Решите упражнение 1 — тогда здесь появится картинка.")

# %% [markdown]
# ## 2. Логистическая регрессия
#
# Слайд «Логистическая регрессия»: та же $d(x)$, но ответ — не знак, а **вероятность**
# положительного класса
#
# $$a(x) = \sigma(d(x)), \qquad \sigma(d) = \frac{1}{1 + e^{-d}}.$$
#
# $\sigma$ монотонно растёт от 0 (при $d \to -\infty$) до 1 (при $d \to +\infty$), $\sigma(0) =
# \tfrac12$: граница решения $a = \tfrac12$ — та же прямая $d(x) = 0$.
#
# **Про переполнение.** Точки бывают далеко от линии: при $|d| > 709$ число $e^{|d|}$ в float64 —
# это `inf`. Формула $1/(1 + e^{-d})$ при $d = -800$ даёт $1/(1 + \infty) = 0$ — верно (numpy
# напечатает предупреждение о переполнении, баллов оно не снимает). А запись
# $e^{d}/(1 + e^{d})$ при $d = 800$ даёт $\infty/\infty$ = NaN. Надёжнее всего считать
# экспоненту только от $-|d|$ — она всегда $\le 1$ — и выбирать одну из двух записей $\sigma$ по
# знаку $d$ (`np.where`).

# %% [markdown]
# ### Упражнение 2. `logistic(X, w)`
#
# Вероятность класса 1 для каждой точки, для любого $n$; при $|d|$ порядка 1000 — ровно 0 или 1,
# без NaN. Готовая `scipy.special.expit` проверку пройдёт, но смысл — написать $\sigma$ самим.

# %% nbgrader={"solution": true}
def logistic(X, w):
    """a(x) = sigma(d(x)), the probability of class 1 for every row of X.

    Parameters
    ----------
    X : ndarray of shape (M, n)
    w : ndarray of shape (n + 1,), [w0, w1, ..., wn]

    Returns
    -------
    a : ndarray of shape (M,), values in [0, 1]
    """
    ### BEGIN SOLUTION
    d = w[0] + X @ w[1:]
    e = np.exp(-np.abs(d))
    return np.where(d >= 0, 1 / (1 + e), e / (1 + e))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка logistic: четыре точки, вход не меняется; две точки с d = 800.5 и d = −799.5."""
# входы и ожидаемые значения этой проверки покажет checks.check_logistic??
checks.check_logistic(logistic)

# %% [markdown]
# ## 3. Обратный проход через сигмоиду: храним активации
#
# На слайдах «Интерфейс прямого прохода» и «Интерфейс обратного прохода» каждый узел графа
# умеет две вещи: вперёд — посчитать выход по входу, назад — получить $\partial L/\partial
# (\text{выход})$ и вернуть $\partial L/\partial(\text{вход})$. Для сигмоиды $a = \sigma(z)$:
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a} \cdot \sigma'(z).$$
#
# Продифференцируйте $\sigma(z) = 1/(1 + e^{-z})$ на бумаге и поищите в ответе саму $\sigma(z)$:
# производная выражается через **выход** $a$, который прямой проход уже посчитал, — без $z$ и
# без экспонент. Поэтому в «Лекции 2» рядом с производной выходного нейрона написано: «Храним
# активации (а $z_j^{(i)}$ — не храним)»; в конспекте Р. Малашина это уравнение (27). В коде
# курса приходящий градиент зовётся `da` ($\partial L/\partial a$), результат — `dz`
# ($\partial L/\partial z$), и `dz` имеет форму `a`.

# %% [markdown]
# ### Упражнение 3. `sigmoid_backward(da, a)`
#
# На входе — приходящий градиент `da` и **сохранённая активация** `a` (не $z$!) одной формы,
# любой: вектор, матрица. Всё поэлементно.

# %% nbgrader={"solution": true}
def sigmoid_backward(da, a):
    """Backward pass of a = sigmoid(z) from the stored activation a.

    Parameters
    ----------
    da : ndarray of any shape, dL/da
    a : ndarray of the shape of da, the activations sigmoid(z) stored by the forward pass

    Returns
    -------
    dz : ndarray of the shape of a, dL/dz
    """
    ### BEGIN SOLUTION
    return da * a * (1 - a)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка sigmoid_backward: вектор и массив 2×2, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_sigmoid_backward??
checks.check_sigmoid_backward(sigmoid_backward)

# %% [markdown]
# **Почему хранить $a$ лучше, чем пересчитывать из $z$.**
#
# * *Цена.* Пересчёт $\sigma(z)$ — это экспонента на каждый элемент, а по сохранённому $a$
#   остаются умножение и вычитание. Экспонента в несколько раз дороже (время ниже — на
#   миллионе чисел).
# * *Точность.* Формула производной прямо через $z$, $\sigma'(z) = e^{-z}/(1 + e^{-z})^2$, при
#   $z = -800$ даёт $\infty/\infty$ = NaN, а $a(1 - a)$ не переполняется никогда: $a \in [0,
#   1]$, и результат всегда в $[0, \tfrac14]$. (Там, где $a$ округлилось до 1, $a(1 - a) = 0$
#   вместо истинных $\approx 10^{-17}$ — для градиента это всё равно ноль.)

# %%
try:
    z = np.random.default_rng(0).normal(scale=3, size=1_000_000)
    da = np.ones_like(z)
    start = time.perf_counter()
    a = logistic(z[:, None], np.array([0.0, 1.0]))    # the forward pass computes a = σ(z) once...
    t_forward = time.perf_counter() - start
    start = time.perf_counter()
    dz = sigmoid_backward(da, a)                # ...and backward reuses it
    t_backward = time.perf_counter() - start
    print(f"σ(z) из z (экспонента):         {1e3 * t_forward:6.1f} мс")
    print(f"обратный проход по сохранённому a: {1e3 * t_backward:6.1f} мс")
    with np.errstate(over="ignore", invalid="ignore"):
        print("σ'(z) прямо из z при z = −800:", np.exp(800.0) / (1 + np.exp(800.0)) ** 2)
    print("по сохранённому a = σ(−800) = 0:", sigmoid_backward(np.array([1.0]), np.array([0.0])))
except NotImplementedError:
    print("Решите упражнения 2 и 3 — тогда здесь появится сравнение.")

# %% [markdown]
# ## 4. Логистическая функция потерь
#
# Модель выдаёт вероятность $a_i = \sigma(d(x_i))$ класса 1. Правдоподобие метки $y_i \in
# \{0, 1\}$ — это $a_i$, если $y_i = 1$, и $1 - a_i$, если $y_i = 0$. Потери — минус средний
# логарифм правдоподобия:
#
# $$L(w) = -\frac{1}{M} \sum_{i=1}^{M} \Big[\, y_i \log a_i + (1 - y_i) \log (1 - a_i) \Big].$$
#
# Это та же кросс-энтропия, что в ноутбуке 09, только для двух классов. **Соглашение о метках
# важно:** для меток слайдов $y \in \{+1, -1\}$ те же потери записываются как
# $\frac{1}{M}\sum_i \log(1 + e^{-y_i d(x_i)})$; подставить в эту формулу метки $\{0, 1\}$ —
# ошибка (при $y = 0$ она всегда даёт $\log 2$).

# %% [markdown]
# ### Упражнение 4. `logistic_loss(X, y, w)`
#
# `y` — массив из `0.0` и `1.0` формы `(M,)`. В этом упражнении все точки недалеко от линии
# ($|d| < 6$), поэтому логарифмы можно брать прямо от $a$ и $1 - a$; защитная добавка
# `eps` $\le 10^{-12}$ внутри логарифма ответ не меняет.

# %% nbgrader={"solution": true}
def logistic_loss(X, y, w):
    """Mean log loss of logistic regression, labels y in {0, 1}.

    Parameters
    ----------
    X : ndarray of shape (M, n)
    y : ndarray of shape (M,), labels 0.0 or 1.0
    w : ndarray of shape (n + 1,)

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка logistic_loss: пять точек с метками 0 и 1, среднее по примерам, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_logistic_loss??
checks.check_logistic_loss(logistic_loss)

# %% [markdown]
# ## 5. Градиент потерь по весам
#
# Граф для одного примера: $w \to d \to a \to L_i$. Цепное правило (ноутбук 01) разбивает
# производную на три звена:
#
# $$\frac{\partial L_i}{\partial w_j} = \frac{\partial L_i}{\partial a_i} \cdot
# \frac{\partial a_i}{\partial d_i} \cdot \frac{\partial d_i}{\partial w_j},
# \qquad \frac{\partial L_i}{\partial a_i} = -\frac{y_i}{a_i} + \frac{1 - y_i}{1 - a_i}.$$
#
# Второе звено — производная сигмоиды из раздела 3, третье — множитель при $w_j$ в
# $d = w_0 + w_1 x_1 + w_2 x_2$ (у $w_0$ это 1). Перемножьте первые два звена и упростите: от
# дробей ничего не останется, получится очень короткое выражение. Потери — среднее по $M$
# примерам, значит и градиент — среднее градиентов примеров.

# %% [markdown]
# ### Упражнение 5. `logistic_loss_grad(X, y, w)`
#
# Вектор $\partial L/\partial w$ формы `(n + 1,)`: `dw[0]` — по $w_0$, `dw[j]` — по $w_j$.
# Функция самодостаточна: $a$ посчитайте в ней же.

# %% nbgrader={"solution": true}
def logistic_loss_grad(X, y, w):
    """Gradient of logistic_loss with respect to w.

    Parameters
    ----------
    X : ndarray of shape (M, n)
    y : ndarray of shape (M,), labels 0.0 or 1.0
    w : ndarray of shape (n + 1,)

    Returns
    -------
    dw : ndarray of shape (n + 1,), dL/dw
    """
    ### BEGIN SOLUTION
    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
    err = (a - y) / X.shape[0]
    return np.concatenate([[np.sum(err)], X.T @ err])
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка logistic_loss_grad: те же пять точек, что в проверке logistic_loss; вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_logistic_loss_grad??
checks.check_logistic_loss_grad(logistic_loss_grad)

# %% [markdown]
# **Численная проверка** (ноутбук 00): центральные разности `numerical_gradient` из
# `bpcourse.gradcheck` по вашей `logistic_loss` против вашей формулы. Для гладкой функции
# верный градиент совпадает с численным до $10^{-7}$ и лучше.

# %%
try:
    w_test = np.array([0.3, -0.7, 1.1])
    numeric = numerical_gradient(lambda v: logistic_loss(X_lin, y_lin, v), w_test.copy())
    analytic = logistic_loss_grad(X_lin, y_lin, w_test)
    print("аналитический:", analytic)
    print("численный:    ", numeric)
    print(f"rel_error = {rel_error(analytic, numeric):.1e}")
except NotImplementedError:
    print("Решите упражнения 4 и 5 — тогда здесь появится сравнение.")

# %% [markdown]
# ## 6. Градиентный спуск
#
# Слайд «Хорошо, но как найти параметры MLP?»: параметры логистической регрессии находят
# градиентным спуском, $w \leftarrow w - \eta\, \partial L/\partial w$. Шаг $\eta$ (`lr`) — 0.5.

# %%
def fit(X, y, w, lr=0.5, steps=300):
    """Gradient descent on the logistic loss; the weights and the loss before every step."""
    history = []
    for _ in range(steps):
        history.append(logistic_loss(X, y, w))
        w = w - lr * logistic_loss_grad(X, y, w)
    return w, history


try:
    w_fit, history = fit(X_lin, y_lin, np.array([0.0, -1.0, 0.5]))
    accuracy = np.mean((logistic(X_lin, w_fit) > 0.5) == (y_lin == 1))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(history)
    ax1.set(xlabel="шаг", ylabel="L(w)", title="Логистические потери")
    g1, g2 = np.meshgrid(np.linspace(-4, 4, 200), np.linspace(-4, 4, 200))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    ax2.contourf(g1, g2, logistic(grid, w_fit).reshape(g1.shape), levels=20, cmap="RdBu_r", alpha=0.35)
    plot_points(ax2, X_lin, y_lin, f"a(x) после обучения: верно {accuracy:.0%}")
    plot_line(ax2, w_fit, color="k", label="a(x) = ½")
    ax2.set_ylim(-4, 4)
    ax2.legend(fontsize=8, loc="upper left")
    plt.show()
    print("w после обучения:", w_fit)
except NotImplementedError:
    print("Решите упражнения 2, 4 и 5 — тогда здесь модель обучится.")

# %% [markdown]
# Цвет — вероятность класса 1: чем дальше от линии, тем увереннее модель. Облака
# перекрываются, поэтому без ошибок их не разделит никакая прямая.
#
# ## 7. «А что же делать тут?»
#
# Так называется слайд с задачей, где класс 1 окружён классом 0 — здесь он внутри
# треугольника. Одна прямая такие классы не разделит: логистическая регрессия на $(x_1, x_2)$
# угадывает не лучше, чем ответ «всегда класс 0».

# %%
rng = np.random.default_rng(7)
# The triangle's sides, one line per column: its inside has every w0 + w1 x1 + w2 x2 > 0.
W_lines = np.array([[0.0, 2.0, -2.0],
                    [1.0, -1.0, -1.0]])
b_lines = np.array([1.0, 2.0, 2.0])
X_tri = rng.uniform(-2.5, 2.5, size=(600, 2))
margins = (X_tri @ W_lines + b_lines) / np.linalg.norm(W_lines, axis=0)
X_tri = X_tri[np.all(np.abs(margins) > 0.15, axis=1)]          # no point right on a line
y_tri = np.all(X_tri @ W_lines + b_lines > 0, axis=1).astype(float)
print(f"{len(y_tri)} точек, класс 1: {y_tri.mean():.0%}")

try:
    w_flat, _ = fit(X_tri, y_tri, np.zeros(3), steps=500)
    print(f"логистическая регрессия на (x1, x2): верно {np.mean((logistic(X_tri, w_flat) > 0.5) == (y_tri == 1)):.0%}")
except NotImplementedError:
    print("Решите упражнения 2, 4 и 5 — тогда здесь обучится логистическая регрессия.")

# %% [markdown]
# Слайды «Решим подзадачу» и «Своя линия для каждой подзадачи»: каждая сторона треугольника —
# своя логистическая регрессия,
#
# $$z_i = \sigma(w_{0,i} + w_{1,i} x_1 + w_{2,i} x_2), \qquad i = 1, 2, 3,$$
#
# и её ответ $z_i(x)$ — новый признак точки: $(x_1, x_2) \to (z_1, z_2, z_3)$ (слайд «Финальная
# модель»). Три нейрона сразу — это **скрытый слой**: сложим веса линии $i$ в столбец $i$
# матрицы $W$ формы $(2, 3)$, свободные члены $w_{0,i}$ — в вектор $b$, и все точки пакета
# обработаются одной формулой $\sigma(XW + b)$ — как на слайде «Полносвязный слой как
# произведение матриц». (На слайдах $z_i$ — уже после $\sigma$; в обозначениях курса это
# активации скрытого слоя $a^{(1)}$, а $z$ мы оставляем для входа нейрона до $\sigma$.)

# %% [markdown]
# ### Упражнение 6. `hidden_features(X, W, b)`
#
# Пакет `X` формы `(M, n_in)`, веса `W` формы `(n_in, n_out)`, свободные члены `b` формы
# `(n_out,)`; результат — `(M, n_out)`: строка — точка, столбец — нейрон (линия). $\sigma$
# здесь считайте как хотите: входы умеренные, переполнения не будет.

# %% nbgrader={"solution": true}
def hidden_features(X, W, b):
    """A hidden layer of sigmoid neurons: sigma(X W + b).

    Parameters
    ----------
    X : ndarray of shape (M, n_in)
    W : ndarray of shape (n_in, n_out); column i holds neuron i's weights w_{1,i}, ..., w_{n_in,i}
    b : ndarray of shape (n_out,); b[i] is neuron i's bias w_{0,i}

    Returns
    -------
    ndarray of shape (M, n_out), the new features (z_1, ..., z_{n_out} of the slides)
    """
    ### BEGIN SOLUTION
    return 1 / (1 + np.exp(-(X @ W + b)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка hidden_features: три нейрона на четырёх точках, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_hidden_features??
checks.check_hidden_features(hidden_features)

# %% [markdown]
# Возьмём стороны треугольника «покруче» (веса умножены на 4 — сигмоида ближе к ступеньке) и
# посмотрим на точки в новых признаках. Внутри треугольника все три $z_i \approx 1$, снаружи
# хотя бы один $z_i \approx 0$: класс 1 собирается в углу $(1, 1, 1)$, и его отрезает
# **плоскость** — обычный линейный классификатор.

# %%
try:
    Z_tri = hidden_features(X_tri, 4 * W_lines, 4 * b_lines)
    fig = plt.figure(figsize=(10, 4.5))
    ax1 = fig.add_subplot(1, 2, 1)
    plot_points(ax1, X_tri, y_tri, "Три линии — три нейрона")
    for i in range(3):
        plot_line(ax1, np.r_[b_lines[i], W_lines[:, i]], color=f"C{i + 2}", lw=1.5, label=f"$z_{i + 1}$ = ½")
    ax1.set_ylim(-2.6, 2.6)
    ax1.legend(fontsize=7, loc="lower right")
    ax2 = fig.add_subplot(1, 2, 2, projection="3d")
    ax2.scatter(*Z_tri[y_tri == 1].T, marker="+", c="C3", s=30)
    ax2.scatter(*Z_tri[y_tri == 0].T, marker="_", c="C0", s=30)
    p1, p2 = np.meshgrid(np.linspace(0.5, 1, 11), np.linspace(0.5, 1, 11))
    p3 = np.where(p1 + p2 >= 1.5, 2.5 - p1 - p2, np.nan)                # the plane z1 + z2 + z3 = 2.5
    ax2.plot_surface(p1, p2, p3, alpha=0.3, color="gray")
    ax2.set(xlabel="$z_1$", ylabel="$z_2$", zlabel="$z_3$", title="Те же точки в признаках $(z_1, z_2, z_3)$",
            xlim=(0, 1), ylim=(0, 1), zlim=(0, 1))
    ax2.view_init(elev=20, azim=-35)
    plt.show()
except NotImplementedError:
    print("Решите упражнение 6 — тогда здесь появятся картинки.")

# %% [markdown]
# Теперь финальная модель слайда, $a(x) = \sigma(w_0 + w_1 z_1 + w_2 z_2 + w_3 z_3)$, — это
# логистическая регрессия на **новых** признаках. Обучим её вашими же функциями (они
# написаны для любого $n$) и нарисуем, что получилось на плоскости $(x_1, x_2)$.

# %%
try:
    w_top, history_top = fit(Z_tri, y_tri, np.zeros(4), lr=2.0, steps=1500)
    a_tri = logistic(Z_tri, w_top)
    print(f"логистическая регрессия на (z1, z2, z3): верно {np.mean((a_tri > 0.5) == (y_tri == 1)):.0%}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(history_top)
    ax1.set(xlabel="шаг", ylabel="L(w)", yscale="log", title="Потери модели на признаках z")
    g1, g2 = np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2.5, 2.5, 200))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    a_grid = logistic(hidden_features(grid, 4 * W_lines, 4 * b_lines), w_top).reshape(g1.shape)
    ax2.contourf(g1, g2, a_grid, levels=20, cmap="RdBu_r", alpha=0.35)
    ax2.contour(g1, g2, a_grid, levels=[0.5], colors="k")
    plot_points(ax2, X_tri, y_tri, "a(x) = ½ — уже не прямая")
    plt.show()
except (NotImplementedError, NameError):       # NameError: Z_tri is missing without exercise 6
    print("Решите упражнения 2, 4, 5 и 6 — тогда здесь обучится финальная модель.")

# %% [markdown]
# Линии скрытого слоя мы здесь задали сами («Допустим, мы нашли 3 таких линии...»). Как найти
# их градиентным спуском вместе с верхним слоем — это обратное распространение ошибки,
# ноутбуки 04–08.
#
# ## 8. Зачем нелинейность
#
# Слайд «Нам нужны нелинейности в нейронах!»: выкинем $\sigma$ — и «наш алгоритм становится
# линейной функцией». Два линейных слоя подряд, $h = X W_1 + b_1$ и $o = h W_2 + b_2$, — это
# один линейный слой $o = X W + b$ с какими-то $W$ и $b$. Сколько бы линейных слоёв ни было,
# граница решения останется прямой.

# %% [markdown]
# ### Упражнение 7. `collapse_linear(W1, b1, W2, b2)` → `(W, b)`
#
# Найдите $W$ формы `(n_in, n_out)` и $b$ формы `(n_out,)`, для которых
# $(X W_1 + b_1) W_2 + b_2 = X W + b$ при **любом** $X$: подставьте и раскройте скобки.

# %% nbgrader={"solution": true}
def collapse_linear(W1, b1, W2, b2):
    """The single linear layer equal to two linear layers without activation.

    Parameters
    ----------
    W1 : ndarray of shape (n_in, n_hidden)
    b1 : ndarray of shape (n_hidden,)
    W2 : ndarray of shape (n_hidden, n_out)
    b2 : ndarray of shape (n_out,)

    Returns
    -------
    W : ndarray of shape (n_in, n_out)
    b : ndarray of shape (n_out,)
    """
    ### BEGIN SOLUTION
    W = W1 @ W2
    b = b1 @ W2 + b2
    ### END SOLUTION
    return W, b


# %% nbgrader={"grade": true, "points": 1}
"""Проверка collapse_linear: слои 2 → 3 → 2, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_collapse_linear??
checks.check_collapse_linear(collapse_linear)

# %% [markdown]
# Убедимся, что выходы совпадают: скрытый слой из трёх линий **без** $\sigma$ и линейный
# верхний слой — против одного слоя `(W, b)` из вашей функции, на всех точках треугольника.

# %%
try:
    W_top, b_top = w_top[1:, None], w_top[:1]
    two_layers = (X_tri @ (4 * W_lines) + 4 * b_lines) @ W_top + b_top
    W_one, b_one = collapse_linear(4 * W_lines, 4 * b_lines, W_top, b_top)
    one_layer = X_tri @ W_one + b_one
    print("наибольшая разность выходов двух слоёв и одного:", np.max(np.abs(two_layers - one_layer)))
except (NotImplementedError, NameError):       # NameError: w_top is missing without the cells above
    print("Решите упражнения 2, 4–7 — тогда здесь появится сравнение.")

# %% [markdown]
# Разность — на уровне округления float64 (около $10^{-14}$): два линейных слоя и есть один.
# Значит, какие бы веса ни нашёл спуск, сеть без $\sigma$ разделяет классы прямой и на треугольнике
# не лучше логистической регрессии на $(x_1, x_2)$ из начала раздела 7. Всё, что добавил
# скрытый слой, — это нелинейность $\sigma$.

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 04: сеть 2-2-2 из «Лекции 2» вручную — прямой проход, ошибки нейронов $\delta$ и
#   градиенты всех восьми весов; там вы впервые проведёте градиент через скрытый слой.
# * Попробуйте: обучите здесь же скрытый слой — инициализируйте $W$ и $b$ случайно и выведите
#   градиент потерь по ним тем же цепным правилом (через `sigmoid_backward`). Застревает ли
#   спуск в локальных минимумах (слайд «Застревает в локальных минимумах»)?
# * Поиграйте с TensorFlow Playground (слайд «Демо: нейросети в TensorFlow Playground»): сколько
#   нейронов скрытого слоя нужно для «круга внутри кольца»?
