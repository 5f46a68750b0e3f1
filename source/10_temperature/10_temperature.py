# %% [markdown]
# # 10. Softmax с температурой
#
# Лекционные заметки 002, §8.4 (уравнения 69–71). Softmax сильно «любит» максимум. Иногда
# нужно распределение поспокойнее (генерация текста, дистилляция моделей, калибровка) —
# для этого логиты делят на **температуру** $T$.
#
# **После этого ноутбука вы умеете:**
# 1. считать $\mathrm{softmax}_T$ и объяснять его пределы $T \to \infty$ и $T \to 0$;
# 2. измерять «размытость» распределения энтропией;
# 3. выводить градиент кросс-энтропии через $\mathrm{softmax}_T$ — и находить в нём множитель $1/T$;
# 4. исследовать всё это в интерактивном виджете — в том числе на своей реализации.
#
# Соглашения — как в ноутбуке 09: логиты `Z` формы `(M, K)`, one-hot цели, потери усреднены
# по пакету.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks, numerical_gradient

np.set_printoptions(precision=5, suppress=False)

# %% [markdown]
# ## 1. Определение
#
# $$\mathrm{softmax}_T(z)_i = \frac{e^{z_i/T}}{\sum_{j=1}^K e^{z_j/T}} \qquad (69)$$
#
# При $T = 1$ это обычный softmax. Деление на $T$ растягивает ($T < 1$) или сжимает ($T > 1$)
# разности логитов, а только разности softmax и видит (уравнение 60).

# %% [markdown]
# ### Упражнение 1. `softmax_t(Z, T)`
#
# Для пакета логитов `(M, K)` и числа $T > 0$. Устойчивость та же, что в ноутбуке 09: при
# $T = 0.05$ логиты порядка 50 превращаются в 1000.

# %% nbgrader={"grade_id": "softmax_t", "solution": true}
def softmax_t(Z, T):
    """Row-wise softmax of Z / T, stable for large Z / T.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits
    T : float > 0, temperature

    Returns
    -------
    ndarray of shape (M, K), rows sum to 1
    """
    ### BEGIN SOLUTION
    S = Z / T
    S = S - np.max(S, axis=1, keepdims=True)
    e = np.exp(S)
    return e / np.sum(e, axis=1, keepdims=True)
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_softmax_t", "grade": true, "points": 2}
"""Проверка softmax_t: уравнения 70 и 71, T = 1, маленькая T на больших логитах."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("softmax_t", softmax_t)
### END HIDDEN TESTS
z = np.array([[1.0, 2.0, 3.0]])
checks.check_close("softmax_t([1, 2, 3], T=1)", softmax_t(z, 1.0), [[0.09003057, 0.24472847, 0.66524096]], tol=1e-6)
checks.check_close("softmax_t([1, 2, 3], T=100)", softmax_t(z, 100.0), [[0.33000561, 0.33332222, 0.33667217]],
                   tol=1e-6, wrong=[
    ([[2.06106005e-09, 4.53978686e-05, 9.99954600e-01]], "логиты умножены на T, а нужно разделить: softmax(z / T)."),
    ([[0.09003057, 0.24472847, 0.66524096]], "температура не учтена: softmax_T(z) = softmax(z / T)."),
])
checks.check_close("softmax_t([1, 2, 3], T=0.1)", softmax_t(z, 0.1), [[2.06106005e-09, 4.53978686e-05, 9.99954600e-01]],
                   tol=1e-6)
checks.check_finite("softmax_t([[50, 40, 0]], T=0.05)", softmax_t(np.array([[50.0, 40.0, 0.0]]), 0.05))

# %% [markdown]
# Уравнения (70) и (71) из заметок: при $T = 100$ распределение почти равномерное
# $[0.33, 0.33, 0.34]$, при $T = 0.1$ — почти one-hot $[2\cdot10^{-9}, 4.5\cdot10^{-5}, 0.99995]$
# (в заметках средняя вероятность округлена до $4\cdot10^{-5}$).
#
# ## 2. Пределы и энтропия
#
# * $T \to \infty$: $z_i / T \to 0$ для всех $i$, все экспоненты $\to 1$, распределение
#   стремится к **равномерному** $1/K$.
# * $T \to 0$: разность между максимальным логитом и остальными, делённая на $T$, растёт
#   без предела — распределение стремится к **one-hot** на $\arg\max z$ (если максимум один).
#
# Насколько распределение «размыто», измеряет энтропия
#
# $$H(p) = -\sum_i p_i \log p_i, \qquad 0 \le H \le \log K,$$
#
# с соглашением $0 \log 0 = 0$: ноль для one-hot, $\log K$ для равномерного.

# %% [markdown]
# ### Упражнение 2. `entropy(P)`
#
# По строкам, в натах (натуральный логарифм). Нулевые вероятности пропускайте:
# `np.where(P > 0, ..., 0.0)` — но так, чтобы `np.log(0)` не вычислялся (или не портил ответ).

# %% nbgrader={"grade_id": "entropy", "solution": true}
def entropy(P):
    """Row-wise entropy -sum p log p in nats, with 0 log 0 = 0.

    Parameters
    ----------
    P : ndarray of shape (M, K), rows are probability distributions

    Returns
    -------
    ndarray of shape (M,)
    """
    ### BEGIN SOLUTION
    safe = np.where(P > 0, P, 1.0)
    return -np.sum(np.where(P > 0, P * np.log(safe), 0.0), axis=1)
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_entropy", "grade": true, "points": 1}
"""Проверка entropy: равномерное, one-hot, 0 log 0 = 0."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("entropy", entropy)
### END HIDDEN TESTS
P = np.array([[0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
checks.check_close("entropy(P)", entropy(P), [np.log(4), 0.0, np.log(2)], tol=1e-12, wrong=[
    ([2.0, 0.0, 1.0], "это биты (log2); в курсе натуральный логарифм: max H = ln K."),
    ([-np.log(4), 0.0, -np.log(2)], "перевёрнут знак: H = −Σ p log p."),
])

# %% [markdown]
# Энтропия от температуры для одного набора логитов (ось $T$ логарифмическая):

# %%
try:
    logits = np.array([[2.0, 1.0, 0.1, -1.0]])
    Ts = np.logspace(-2, 2.5, 200)
    H = [entropy(softmax_t(logits, T))[0] for T in Ts]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(Ts, H)
    ax.axhline(np.log(4), ls=":", color="gray", label="ln K — равномерное")
    ax.axvline(1.0, ls="--", color="C1", lw=0.8, label="T = 1, обычный softmax")
    ax.set(xscale="log", xlabel="температура T", ylabel="H, нат", title="Энтропия softmax_T([2, 1, 0.1, −1])")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1 и 2, чтобы увидеть график.")

# %% [markdown]
# ## 3. Градиент через $\mathrm{softmax}_T$
#
# Кросс-энтропия $L = -\sum_j t_j \log y_j$ от $y = \mathrm{softmax}_T(z) = \mathrm{softmax}(s)$,
# где $s = z / T$. По уравнению (68) $\partial L / \partial s = y - t$. Осталось одно звено
# цепного правила: $\partial s_i / \partial z_i = \ldots$ — выведите сами. Для пакета не
# забудьте среднее по примерам.

# %% [markdown]
# ### Упражнение 3. `softmax_t_cross_entropy(Z, targets, T)` → `(loss, dZ)`

# %% nbgrader={"grade_id": "softmax_t_cross_entropy", "solution": true}
def softmax_t_cross_entropy(Z, targets, T):
    """Cross-entropy of softmax_T(Z) against one-hot targets, mean over the batch.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits
    targets : ndarray of shape (M, K), one-hot
    T : float > 0

    Returns
    -------
    loss : float
    dZ : ndarray of shape (M, K), dL/dZ
    """
    ### BEGIN SOLUTION
    M = Z.shape[0]
    S = Z / T
    m = np.max(S, axis=1, keepdims=True)
    log_y = S - m - np.log(np.sum(np.exp(S - m), axis=1, keepdims=True))
    loss = float(-np.sum(targets * log_y) / M)
    dZ = (softmax_t(Z, T) - targets) / (T * M)
    return loss, dZ
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_softmax_t_cross_entropy", "grade": true, "points": 2}
"""Проверка softmax_t_cross_entropy: градиент против численного при T = 0.5 и T = 4."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("softmax_t_cross_entropy", softmax_t_cross_entropy)
### END HIDDEN TESTS
rng = np.random.default_rng(10)
Z = rng.normal(scale=2, size=(3, 4))
targets = np.eye(4)[[1, 3, 0]]
for T in (0.5, 4.0):
    loss, dZ = softmax_t_cross_entropy(Z, targets, T)
    checks.check_close(f"loss при T = {T}", loss,
                       float(-np.mean(np.sum(targets * np.log(softmax_t(Z, T)), axis=1))), tol=1e-9)
    numeric = numerical_gradient(lambda v: softmax_t_cross_entropy(v, targets, T)[0], Z.copy())
    ratio = float(np.sum(dZ * numeric) / np.sum(dZ * dZ)) if np.sum(dZ * dZ) > 0 else 0.0
    checks.check_gradient(f"dZ при T = {T}", dZ, numeric, tol=1e-6,
                          hint=(f"ваш dZ ≈ {1 / ratio:.3g} × численный градиент — не пропущен ли "
                                "множитель из ∂s/∂z?") if abs(ratio - 1) > 1e-3 and ratio > 0 else None)

# %% [markdown]
# Заметьте: при большой $T$ градиент **мал** (множитель $1/T$, а $y_T - t$ ограничен), при малой —
# велик. Поэтому при дистилляции моделей потери с температурой домножают на $T^2$.
#
# ## 4. Исследуйте: температурный обозреватель
#
# Меняйте логиты (числа через запятую), двигайте $T$ (шкала логарифмическая, от 0.05 до 100) и
# выбирайте правильный класс. Виджет показывает вероятности, энтропию и градиент
# $\partial L / \partial z$ — посчитанный **численно**, так что им можно проверить ваше
# упражнение 3. По умолчанию он считает через `scipy`; передайте свою функцию —
# `TemperatureExplorer(softmax_t)` — и он будет работать на вашей реализации.
#
# Что попробовать: (1) при каком $T$ энтропия становится больше половины $\ln K$? (2) как
# меняется длина вектора градиента с ростом $T$? (3) что происходит при двух равных
# максимальных логитах и $T \to 0$?

# %%
from bpcourse.grading import is_grading
from bpcourse.widgets import TemperatureExplorer

if is_grading():
    print("(при оценивании виджет не запускается)")
else:
    explorer = TemperatureExplorer(softmax_t)
    display(explorer)

# %% [markdown]
# ## Что дальше
#
# * Температура в генерации текста: выборка из $\mathrm{softmax}_T$ при малой $T$ почти
#   жадная, при большой — почти случайная.
# * Дистилляция знаний (Hinton и др., 2015): «учитель» с высокой $T$ передаёт «ученику»
#   сходство классов, которое one-hot цели теряют.
