# %% [markdown]
# # 09. Softmax и кросс-энтропия
#
# По «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 8.1–8.3,
# уравнения 57–68. Мы переходим от регрессии к
# **классификации**: выход сети — $K$ логитов, softmax превращает их в вероятности классов,
# кросс-энтропия сравнивает их с правильным классом, а градиент этой пары оказывается
# удивительно простым: $\partial L / \partial z = y - t$.
#
# **После этого ноутбука вы умеете:**
# 1. считать softmax и $\log\sum e^{z}$ без переполнения (вычитая максимум);
# 2. считать кросс-энтропию для пакета примеров;
# 3. выводить и применять слитый градиент $y - t$ (уравнение 68);
# 4. проводить градиент через якобиан softmax и понимать, почему слитая формула точнее;
# 5. обучать классификатор рукописных цифр на softmax + кросс-энтропии.
#
# **С этого ноутбука пакет — это строки.** До сих пор (ноутбук 00, «Лекция 2. Алгоритм
# обратного распространения ошибки») один пример был столбцом: $z = W a + b$, $W$ формы
# $(n_{\text{вых}}, n_{\text{вх}})$. Теперь примеров сразу $M$, и курс кладёт их **по строкам**,
# как слайды «MML minor #3. Нейронные сети» (слайд «Прямой проход для мини-батча»), numpy и
# PyTorch: пакет $X$ формы $(M, n_{\text{вх}})$, пример $i$ — строка `X[i]`, а слой — одно
# умножение $Z = XW + b$ с $W$ формы $(n_{\text{вх}}, n_{\text{вых}})$ и $b$, прибавленным к
# каждой строке. Это та же формула, только транспонированная: строка $i$ матрицы $Z$ — это
# $(W_{\text{лекц}}\, x_i + b)^\top$, где $W_{\text{лекц}} = W^\top$. Так же и градиент:
# $dW = X^\top dZ$ — это транспонированная формула конспекта $\nabla W = \frac{1}{M} \Delta Y^\top$
# (уравнение 52), в которой примеры — столбцы $\Delta$ и $Y$, а $1/M$ у нас уже внутри $dZ$.
# Поэтому здесь логиты `Z` имеют форму `(M, K)`, цели `t` — one-hot той же формы (буква
# строчная, как $t$ в конспекте; заглавной $T$ в ноутбуке 10 обозначена температура), а потери
# усредняются по пакету. Всё считается в float64 (тип numpy по умолчанию).
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка под
# ним и скрытая (на других входах) смотрят только на эту функцию. Поэтому пишите каждую функцию
# **самодостаточной** — не вызывайте в ней свои функции из других упражнений (нужные строки
# можно скопировать): тогда ошибка в одном упражнении не отнимет баллы за другое. Входные
# массивы не меняйте на месте (`Z -= ...` испортит данные вызывающего кода) — создавайте новые.
# Готовые `scipy.special.softmax` и `scipy.special.logsumexp` проверку пройдут (это честные
# реализации), но смысл упражнений 1–2 — написать их самим.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Softmax
#
# $$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^K e^{z_j}} \qquad (57)$$
#
# Все выходы в $[0, 1]$ и в сумме дают 1. Прибавление константы к логитам ничего не меняет
# (уравнение 60): $\mathrm{softmax}(z) = \mathrm{softmax}(z + c)$. Это спасает от
# переполнения: $e^{1000}$ — это `inf` в float64, а после вычитания максимума (уравнение 61)
# все показатели $\le 0$ и $e^{z - \max z} \le 1$.

# %%
z = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):
    print("наивно:        ", np.exp(z) / np.sum(np.exp(z)))
print("со сдвигом на max:", np.exp(z - z.max()) / np.sum(np.exp(z - z.max())))

# %% [markdown]
# ### Упражнение 1. Устойчивый softmax
#
# Напишите `softmax(Z)` для пакета логитов `Z` формы `(M, K)`: softmax каждой **строки**.
# Вычтите максимум **каждой строки** (`keepdims=True` сохранит форму `(M, 1)` для
# broadcasting). Один общий максимум на весь пакет не годится: если в пакете есть строка с
# логитами около 1000 и строка с логитами около 0, у второй все $e^{z - 1000}$ обнулятся, и
# получится $0/0$.

# %% nbgrader={"solution": true}
def softmax(Z):
    """Row-wise softmax, stable for large logits.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits

    Returns
    -------
    Y : ndarray of shape (M, K), every row sums to 1
    """
    ### BEGIN SOLUTION
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка softmax: уравнение 59, строки разного масштаба в одном пакете, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_softmax??
checks.check_softmax(softmax)

# %% [markdown]
# ## 2. $\log \sum e^{z}$ — гладкий максимум
#
# $$\log \mathrm{softmax}(z)_i = z_i - \log \sum_{j} e^{z_j} \qquad (58)$$
#
# Величина $\mathrm{LSE}(z) = \log\sum_j e^{z_j}$ близка к $\max_j z_j$ (экспонента
# усиливает самый большой член): $\mathrm{LSE}([1,2,3]) = 3.408$ — близко к 3, но не равно.
# Считать её тоже нужно со сдвигом: $\mathrm{LSE}(z) = m + \log \sum_j e^{z_j - m}$, где
# $m = \max_j z_j$ — максимум своей строки.

# %% [markdown]
# ### Упражнение 2. `logsumexp`

# %% nbgrader={"solution": true}
def logsumexp(Z):
    """Row-wise log(sum(exp(Z))), stable for large logits.

    Parameters
    ----------
    Z : ndarray of shape (M, K)

    Returns
    -------
    ndarray of shape (M,)
    """
    ### BEGIN SOLUTION
    m = np.max(Z, axis=1, keepdims=True)
    return m[:, 0] + np.log(np.sum(np.exp(Z - m), axis=1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка logsumexp: LSE([1, 2, 3]) = 3.408, форма (M,), строки разного масштаба, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_logsumexp??
checks.check_logsumexp(logsumexp)

# %% [markdown]
# ## 3. Кросс-энтропия
#
# Для one-hot цели $t$ и вероятностей $y$
#
# $$L_{CE} = -\sum_{j=1}^K t_j \log y_j \qquad (62)$$
#
# — это минус логарифм вероятности правильного класса. Для пакета — среднее по примерам:
# сумма по классам, среднее по строкам.

# %% [markdown]
# ### Упражнение 3. `cross_entropy(Y, t)`
#
# `Y` — выход softmax: все вероятности положительны, а вероятность правильного класса в этом
# упражнении не меньше $10^{-4}$. Считайте по определению (62), ничего не обрезая:
# `np.clip(Y, 1e-3, 1)` исказит потери примера, у которого правильному классу досталась малая
# вероятность. Защитная добавка внутри логарифма, `np.log(Y + eps)` с `eps` $\le 10^{-12}$,
# ответ не меняет — её можно оставить. (Если же вероятность может оказаться нулём, логарифм от
# неё брать нельзя вовсе — это упражнение 4.)

# %% nbgrader={"solution": true}
def cross_entropy(Y, t):
    """Mean over the batch of -sum_j t_j log y_j.

    Parameters
    ----------
    Y : ndarray of shape (M, K), probabilities (rows sum to 1)
    t : ndarray of shape (M, K), one-hot targets

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    return float(-np.sum(t * np.log(Y)) / Y.shape[0])
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка cross_entropy: три примера (у одного вероятность правильного класса 2·10⁻⁴), среднее по пакету."""
# входы и ожидаемые значения этой проверки покажет checks.check_cross_entropy??
checks.check_cross_entropy(cross_entropy)

# %% [markdown]
# ## 4. Слитый градиент $y - t$
#
# Подставим $y = \mathrm{softmax}(z)$ в (62) и упростим логарифм дроби (уравнения 63–65):
#
# $$L_{CE} = -\sum_j t_j z_j + \Big(\sum_j t_j\Big) \log\sum_k e^{z_k}.$$
#
# Производная $\log\sum_k e^{z_k}$ по $z_i$ — это $e^{z_i}/\sum_k e^{z_k} = y_i$ (66), а
# $\sum_j t_j = 1$, поэтому
#
# $$\boxed{\frac{\partial L_{CE}}{\partial z_i} = y_i - t_i} \qquad (68)$$
#
# Для пакета, где потери усреднены, $dZ = (Y - t)/M$. Само значение потерь считайте через
# (58): $-\sum_j t_j (z_j - \mathrm{LSE}(z))$ — без $\log$ от вероятности, которая может
# оказаться нулём: при логитах $[1000, 999, 0]$ вероятность третьего класса $e^{-1000}$ в
# float64 — ровно 0, а потери для него конечны: около 1000.3.

# %% [markdown]
# ### Упражнение 4. `softmax_cross_entropy(Z, t)` → `(loss, dZ)`
#
# Функция должна быть самодостаточной: не вызывайте в ней свои `softmax` и `logsumexp`
# (скопируйте нужные строки) — упражнение оценивается отдельно от них. В пакете могут быть
# строки очень разного масштаба, и у правильного класса вероятность может обнулиться.

# %% nbgrader={"solution": true}
def softmax_cross_entropy(Z, t):
    """Softmax + cross-entropy on logits, fused.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits
    t : ndarray of shape (M, K), one-hot targets

    Returns
    -------
    loss : float, mean over the batch
    dZ : ndarray of shape (M, K), dL/dZ (eq. 68, for the mean over the batch)
    """
    ### BEGIN SOLUTION
    M = Z.shape[0]
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = float(-np.sum(t * log_y) / M)
    dZ = (np.exp(log_y) - t) / M
    return loss, dZ
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка softmax_cross_entropy: потери и dZ на пакете 4×3; логиты порядка 1000 и строки разного масштаба."""
# входы и ожидаемые значения этой проверки покажет checks.check_softmax_cross_entropy??
checks.check_softmax_cross_entropy(softmax_cross_entropy)


# %% [markdown]
# ## 5. Через якобиан: составной обратный проход
#
# Автоматическое дифференцирование не знает про формулу (68): оно проводит градиент
# $\partial L/\partial y_j = -t_j / y_j$ через softmax *отдельно*. Якобиан softmax
#
# $$\frac{\partial y_i}{\partial z_k} = y_i(\delta_{ik} - y_k), \qquad J = \mathrm{diag}(y) - y y^\top,$$
#
# поэтому для каждой строки пакета $dz = J^\top dy$. Каждый выход зависит от **всех** логитов —
# одной диагонали $y_i(1-y_i)$ мало. Можно построить $J$ для каждой строки (циклом или
# `np.einsum`), а можно раскрыть $J^\top dy$ на бумаге и обойтись без матриц $K \times K$.

# %% [markdown]
# ### Упражнение 5. `softmax_backward(dY, Y)`

# %% nbgrader={"solution": true}
def softmax_backward(dY, Y):
    """Backward pass through a row-wise softmax, by its Jacobian.

    Parameters
    ----------
    dY : ndarray of shape (M, K), dL/dY
    Y : ndarray of shape (M, K), the softmax outputs stored by the forward pass (rows sum to 1)

    Returns
    -------
    dZ : ndarray of shape (M, K)
    """
    ### BEGIN SOLUTION
    return Y * (dY - np.sum(dY * Y, axis=1, keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка softmax_backward: пакет 3×4 с известным ответом, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_softmax_backward??
checks.check_softmax_backward(softmax_backward)


# %% [markdown]
# ## 6. Слитый против составного в float32
#
# Математически оба пути дают $y - t$. Численно — нет. Составной путь делит на $y_t$ (в
# $-t/y$), а при больших логитах вероятность правильного класса может стать крошечной или
# нулём: в float32 $e^{-104}$ уже 0. Сравним оба пути с точным ответом при растущем масштабе
# логитов, в float32 и float64.

# %%
def composed_vs_fused(scale, dtype, rng=np.random.default_rng(0)):
    """Largest error of the composed and the fused gradients against the exact y - t."""
    Z = (rng.normal(size=(64, 10)) * scale).astype(dtype)
    t = np.eye(10, dtype=dtype)[rng.integers(0, 10, size=64)]
    exact = (softmax(Z.astype(np.longdouble)) - t) / 64    # extended precision as the truth
    Y = softmax(Z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        composed = softmax_backward(-t / Y / 64, Y)
    fused = softmax_cross_entropy(Z, t)[1]
    # inf or NaN anywhere counts as a failure; an exact 0 is drawn at 1e-20 (log axis)
    err = lambda g: max(float(np.max(np.abs(g - exact))), 1e-20) if np.isfinite(g).all() else np.inf
    return err(composed), err(fused)


scales = np.logspace(-1, 2.5, 15)
try:
    errors = {dtype: np.array([composed_vs_fused(s, dtype) for s in scales]) for dtype in (np.float32, np.float64)}
except NotImplementedError:
    errors = None
    print("Сначала решите упражнения 1, 4 и 5 — тогда здесь появится график.")
if errors is not None:
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    top = 1e2
    for dtype, style in [(np.float32, "-"), (np.float64, "--")]:
        ax.plot(scales, np.minimum(errors[dtype][:, 0], top), "C3" + style, marker="o", ms=3,
                label=f"через якобиан, {np.dtype(dtype).name}")
        ax.plot(scales, np.minimum(errors[dtype][:, 1], top), "C0" + style, marker="o", ms=3,
                label=f"слитый y − t, {np.dtype(dtype).name}")
    ax.set(xscale="log", yscale="log", xlabel="масштаб логитов", ylabel="max |ошибка| (inf/NaN → 100)",
           title="Градиент кросс-энтропии по логитам")
    ax.legend(fontsize=8)
    plt.show()

# %% [markdown]
# Составной путь ломается первым: как только $y_t$ обнуляется, $-t/y_t = -\infty$ и ответ —
# NaN. Слитая формула не делит ни на что и остаётся точной. Поэтому библиотеки (например,
# `torch.nn.CrossEntropyLoss`) принимают **логиты**, а не вероятности, и сливают softmax с
# кросс-энтропией.

# %% [markdown]
# ## 7. Классификатор цифр
#
# Обучим на softmax + кросс-энтропии классификатор рукописных цифр 8×8 (набор входит в
# scikit-learn, ничего не скачивается). Модель — один линейный слой $Z = XW + b$ (логистическая
# регрессия на 10 классов). Градиенты линейного слоя — из лекции «MML minor #3. Нейронные сети»:
# $dW = X^\top dZ$,
# $db = \sum_{\text{строки}} dZ$, а $dZ$ даёт ваша `softmax_cross_entropy`.

# %%
from sklearn.datasets import load_digits

digits_X, digits_y = load_digits(return_X_y=True)
digits_X = digits_X / 16.0
order = np.random.default_rng(0).permutation(len(digits_y))
train_idx, test_idx = order[:1400], order[1400:]
t_train = np.eye(10)[digits_y[train_idx]]


def train_digits(epochs=60, lr=0.5, batch=64, seed=0):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(scale=0.01, size=(64, 10)), np.zeros(10)
    X, t = digits_X[train_idx], t_train
    history = []
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = perm[start:start + batch]
            loss, dZ = softmax_cross_entropy(X[idx] @ W + b, t[idx])
            W -= lr * X[idx].T @ dZ
            b -= lr * dZ.sum(axis=0)
        history.append(softmax_cross_entropy(X @ W + b, t)[0])
    return W, b, history


try:
    W, b, history = train_digits()
    accuracy = np.mean(np.argmax(digits_X[test_idx] @ W + b, axis=1) == digits_y[test_idx])
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(history)
    ax.set(xlabel="эпоха", ylabel="кросс-энтропия (обучение)", title=f"точность на тесте: {accuracy:.1%}")
    plt.show()
    print(f"Точность на {len(test_idx)} тестовых цифрах: {accuracy:.1%}")
except NotImplementedError:
    print("Сначала решите упражнение 4 — тогда классификатор обучится здесь.")

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 10: softmax с **температурой** — как одна ручка превращает softmax в почти
#   равномерное распределение или почти в argmax, и что при этом происходит с градиентом.
# * Попробуйте: добавьте между входом и softmax скрытый слой (например, 16 нейронов с ReLU) и
#   сравните точность с линейной моделью.
# * Почему $\log\sum e^{z} \approx \max z$? Оцените разность сверху через $\log K$.
