# %% [markdown]
# # 09. Softmax и кросс-энтропия
#
# Лекционные заметки 002, §8.1–8.3 (уравнения 57–68). Мы переходим от регрессии к
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
# Соглашения курса: пакет — это строки, логиты `Z` формы `(M, K)`, цели `T` — one-hot той же
# формы; потери усредняются по пакету, поэтому градиент уже содержит $1/M$.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks, numerical_gradient

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
# Вычтите максимум строки (`keepdims=True` сохранит форму `(M, 1)` для broadcasting).

# %% nbgrader={"grade_id": "softmax", "solution": true}
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


# %% nbgrader={"grade_id": "check_softmax", "grade": true, "points": 2}
"""Проверка softmax: уравнение 59, суммы строк, большие логиты."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("softmax", softmax)
### END HIDDEN TESTS
Y = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
checks.check_close("softmax([[1, 2, 3], [0, 0, 0]])", Y,
                   [[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]], tol=1e-6,
                   hint="делите на сумму экспонент своей строки: np.sum(..., axis=1, keepdims=True).")
big = softmax(np.array([[1000.0, 1001.0, 1002.0]]))
checks.check_finite("softmax([[1000, 1001, 1002]])", big)
checks.check_close("softmax([[1000, 1001, 1002]])", big, [[0.09003057, 0.24472847, 0.66524096]], tol=1e-6,
                   hint="вычтите максимум строки перед exp (уравнение 61).")

# %% [markdown]
# ## 2. $\log \sum e^{z}$ — гладкий максимум
#
# $$\log \mathrm{softmax}(z)_i = z_i - \log \sum_{j} e^{z_j} \qquad (58)$$
#
# Величина $\mathrm{LSE}(z) = \log\sum_j e^{z_j}$ близка к $\max_j z_j$ (экспонента
# усиливает самый большой член): $\mathrm{LSE}([1,2,3]) = 3.408$. Считать её тоже нужно со
# сдвигом: $\mathrm{LSE}(z) = m + \log \sum_j e^{z_j - m}$, где $m = \max_j z_j$.

# %% [markdown]
# ### Упражнение 2. `logsumexp`

# %% nbgrader={"grade_id": "logsumexp", "solution": true}
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


# %% nbgrader={"grade_id": "check_logsumexp", "grade": true, "points": 1}
"""Проверка logsumexp: LSE([1, 2, 3]) = 3.408, форма (M,), большие логиты."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("logsumexp", logsumexp)
### END HIDDEN TESTS
checks.check_close("logsumexp([[1, 2, 3], [1000, 1001, 1002]])",
                   logsumexp(np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])),
                   [3.40760596, 1002.40760596], tol=1e-9, wrong=[
    ([0.40760596, 0.40760596], "максимум вычтен, но не прибавлен обратно: LSE = m + log Σ exp(z − m)."),
])

# %% [markdown]
# ## 3. Кросс-энтропия
#
# Для one-hot цели $t$ и вероятностей $y$
#
# $$L_{CE} = -\sum_{j=1}^K t_j \log y_j \qquad (62)$$
#
# — это минус логарифм вероятности правильного класса. Для пакета — среднее по примерам.

# %% [markdown]
# ### Упражнение 3. `cross_entropy(Y, T)`

# %% nbgrader={"grade_id": "cross_entropy", "solution": true}
def cross_entropy(Y, T):
    """Mean over the batch of -sum_j t_j log y_j.

    Parameters
    ----------
    Y : ndarray of shape (M, K), probabilities (rows sum to 1)
    T : ndarray of shape (M, K), one-hot targets

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    return float(-np.sum(T * np.log(Y)) / Y.shape[0])
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_cross_entropy", "grade": true, "points": 1}
"""Проверка cross_entropy: два примера, среднее по пакету."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("cross_entropy", cross_entropy)
### END HIDDEN TESTS
Y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
T = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
expected = -(np.log(0.7) + np.log(0.8)) / 2
checks.check_close("cross_entropy(Y, T)", cross_entropy(Y, T), expected, tol=1e-12, wrong=[
    (2 * expected, "не усреднено по пакету: разделите на M = 2."),
    (-expected, "перевёрнут знак: L = −Σ t log y."),
])

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
# Для пакета, где потери усреднены, $dZ = (Y - T)/M$. Само значение потерь считайте через
# (58): $-\sum_j t_j (z_j - \mathrm{LSE}(z))$ — без $\log$ от вероятности, которая может
# оказаться нулём.

# %% [markdown]
# ### Упражнение 4. `softmax_cross_entropy(Z, T)` → `(loss, dZ)`
#
# Можно пользоваться своими `softmax` и `logsumexp`.

# %% nbgrader={"grade_id": "softmax_cross_entropy", "solution": true}
def softmax_cross_entropy(Z, T):
    """Softmax + cross-entropy on logits, fused.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits
    T : ndarray of shape (M, K), one-hot targets

    Returns
    -------
    loss : float, mean over the batch
    dZ : ndarray of shape (M, K), dL/dZ (eq. 68, for the mean over the batch)
    """
    ### BEGIN SOLUTION
    M = Z.shape[0]
    log_y = Z - logsumexp(Z)[:, None]
    loss = float(-np.sum(T * log_y) / M)
    dZ = (softmax(Z) - T) / M
    return loss, dZ
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_softmax_cross_entropy", "grade": true, "points": 2}
"""Проверка softmax_cross_entropy: значение потерь, градиент против численного, большие логиты."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("softmax_cross_entropy", softmax_cross_entropy)
### END HIDDEN TESTS
rng = np.random.default_rng(9)
Z = rng.normal(scale=2, size=(4, 3))
T = np.eye(3)[[0, 2, 1, 2]]
loss, dZ = softmax_cross_entropy(Z, T)
checks.check_close("loss", loss, cross_entropy(softmax(Z), T), tol=1e-10)
numeric = numerical_gradient(lambda v: softmax_cross_entropy(v, T)[0], Z.copy())
checks.check_gradient("dZ", dZ, numeric, tol=1e-6,
                      hint="dZ = (softmax(Z) − T) / M: знак, и деление на число примеров M.")
loss_big, dZ_big = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([[0.0, 0.0, 1.0]]))
checks.check_close("потери при логитах ±1000", loss_big, 2000.0, tol=1e-9,
                   hint="считайте потери через log softmax = z − LSE(z), а не log(softmax(z)): "
                        "вероятность 0 даёт log 0 = −inf.")

# %% [markdown]
# ## 5. Через якобиан: составной обратный проход
#
# Автоматическое дифференцирование не знает про формулу (68): оно проводит градиент
# $\partial L/\partial y_j = -t_j / y_j$ через softmax *отдельно*. Якобиан softmax
#
# $$\frac{\partial y_i}{\partial z_k} = y_i(\delta_{ik} - y_k), \qquad J = \mathrm{diag}(y) - y y^\top,$$
#
# поэтому для каждой строки $dz = J^\top dy = y \odot \big(dy - (dy \cdot y)\big)$.
# Каждый выход зависит от **всех** логитов — диагонали $y_i(1-y_i)$ мало.

# %% [markdown]
# ### Упражнение 5. `softmax_backward(dY, Y)`

# %% nbgrader={"grade_id": "softmax_backward", "solution": true}
def softmax_backward(dY, Y):
    """Backward pass through a row-wise softmax, by its Jacobian.

    Parameters
    ----------
    dY : ndarray of shape (M, K), dL/dY
    Y : ndarray of shape (M, K), the softmax outputs stored by the forward pass

    Returns
    -------
    dZ : ndarray of shape (M, K)
    """
    ### BEGIN SOLUTION
    return Y * (dY - np.sum(dY * Y, axis=1, keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_softmax_backward", "grade": true, "points": 2}
"""Проверка softmax_backward: против численного градиента и против слитой формулы."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("softmax_backward", softmax_backward)
### END HIDDEN TESTS
rng = np.random.default_rng(5)
Z = rng.normal(size=(3, 4))
dY = rng.normal(size=(3, 4))
numeric = numerical_gradient(lambda v: float(np.sum(softmax(v) * dY)), Z.copy())
checks.check_gradient("softmax_backward(dY, softmax(Z))", softmax_backward(dY, softmax(Z)), numeric, tol=1e-6,
                      hint="каждый выход softmax зависит от всех логитов: dz = y ⊙ (dy − Σ_j dy_j y_j) по строке.")

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
    T = np.eye(10, dtype=dtype)[rng.integers(0, 10, size=64)]
    exact = (softmax(Z.astype(np.longdouble)) - T) / 64    # extended precision as the truth
    Y = softmax(Z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        composed = softmax_backward(-T / Y / 64, Y)
    fused = softmax_cross_entropy(Z, T)[1]
    # inf or NaN anywhere counts as a failure; an exact 0 is drawn at 1e-20 (log axis)
    err = lambda g: max(float(np.max(np.abs(g - exact))), 1e-20) if np.isfinite(g).all() else np.inf
    return err(composed), err(fused)


try:
    scales = np.logspace(-1, 2.5, 15)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for dtype, style in [(np.float32, "-"), (np.float64, "--")]:
        errors = np.array([composed_vs_fused(s, dtype) for s in scales])
        top = 1e2
        ax.plot(scales, np.minimum(errors[:, 0], top), "C3" + style, marker="o", ms=3,
                label=f"через якобиан, {np.dtype(dtype).name}")
        ax.plot(scales, np.minimum(errors[:, 1], top), "C0" + style, marker="o", ms=3,
                label=f"слитый y − t, {np.dtype(dtype).name}")
    ax.set(xscale="log", yscale="log", xlabel="масштаб логитов", ylabel="max |ошибка| (inf/NaN → 100)",
           title="Градиент кросс-энтропии по логитам")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1, 4 и 5, чтобы увидеть график.")

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
# регрессия на 10 классов). Градиенты линейного слоя — из лекции MML (004): $dW = X^\top dZ$,
# $db = \sum_{\text{строки}} dZ$, а $dZ$ даёт ваша `softmax_cross_entropy`.

# %%
from sklearn.datasets import load_digits

digits_X, digits_y = load_digits(return_X_y=True)
digits_X = digits_X / 16.0
order = np.random.default_rng(0).permutation(len(digits_y))
train_idx, test_idx = order[:1400], order[1400:]
T_train = np.eye(10)[digits_y[train_idx]]


def train_digits(epochs=60, lr=0.5, batch=64, seed=0):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(scale=0.01, size=(64, 10)), np.zeros(10)
    X, T = digits_X[train_idx], T_train
    history = []
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = perm[start:start + batch]
            loss, dZ = softmax_cross_entropy(X[idx] @ W + b, T[idx])
            W -= lr * X[idx].T @ dZ
            b -= lr * dZ.sum(axis=0)
        history.append(softmax_cross_entropy(X @ W + b, T)[0])
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
    print("Выполните упражнение 4, чтобы обучить классификатор.")

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 10: softmax с **температурой** — как одна ручка превращает softmax в почти
#   равномерное распределение или почти в argmax, и что при этом происходит с градиентом.
# * Попробуйте: замените линейную модель сетью 64-16-16-10 из ноутбука 08 и сравните точность.
# * Почему $\log\sum e^{z} \approx \max z$? Оцените разность сверху через $\log K$.
