# %% [markdown]
# # 10. Softmax с температурой
#
# По «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 8.4 (уравнения
# 69–71). Softmax сильно «любит» максимум. Иногда нужно распределение поспокойнее (генерация
# текста, дистилляция моделей, калибровка) — для этого логиты делят на **температуру** $T$.
#
# **После этого ноутбука вы умеете:**
# 1. считать $\mathrm{softmax}_T$ и объяснять его пределы $T \to \infty$ и $T \to 0$;
# 2. измерять «размытость» распределения энтропией;
# 3. выводить градиент кросс-энтропии через $\mathrm{softmax}_T$ — и находить в нём множитель,
#    который вносит температура;
# 4. исследовать всё это в интерактивном виджете — в том числе на своей реализации.
#
# Соглашения — как в ноутбуке 09: логиты `Z` формы `(M, K)`, one-hot цели, потери усреднены
# по пакету, всё в float64.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка и
# скрытая (на других входах) смотрят только на эту функцию. Пишите каждую функцию
# **самодостаточной** — не вызывайте в ней свои функции из других упражнений (нужные строки
# можно скопировать), и не меняйте входные массивы на месте. Готовые `scipy.special.softmax`,
# `scipy.special.log_softmax` и `scipy.special.entr` проверку пройдут, но смысл упражнений —
# написать их самим.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks

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
# Для пакета логитов `(M, K)` и числа $T > 0$: $\mathrm{softmax}_T$ каждой строки. Устойчивость
# та же, что в ноутбуке 09: при $T = 0.05$ логиты порядка 50 превращаются в 1000, поэтому
# вычитайте максимум — свой у каждой строки (в одном пакете бывают строки очень разного
# масштаба).

# %% nbgrader={"solution": true}
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


# %% nbgrader={"grade": true, "points": 2}
"""Проверка softmax_t: уравнения 70 и 71, T = 1, маленькая T на строках разного масштаба, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_softmax_t??
checks.check_softmax_t(softmax_t)


# %% [markdown]
# Уравнения (70) и (71) из конспекта: при $T = 100$ распределение почти равномерное
# $[0.33, 0.33, 0.34]$, при $T = 0.1$ — почти one-hot $[2\cdot10^{-9}, 4.5\cdot10^{-5}, 0.99995]$
# (в конспекте средняя вероятность округлена до $4\cdot10^{-5}$).
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
# По строкам, в натах (натуральный логарифм). Нулевые вероятности дают слагаемое 0. Самый
# короткий верный способ — `np.where(P > 0, P * np.log(P), 0.0)`: numpy при этом вычислит
# `log(0)` и напечатает предупреждение (RuntimeWarning), но `np.where` отбросит эти значения —
# ответ верен, и предупреждение баллов не снимает. Можно и без предупреждений: подставьте
# единицу вместо нулей перед логарифмом (`np.where(P > 0, P, 1.0)`, $\log 1 = 0$).

# %% nbgrader={"solution": true}
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


# %% nbgrader={"grade": true, "points": 1}
"""Проверка entropy: равномерное, 0 log 0 = 0, вход не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_entropy??
checks.check_entropy(entropy)


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
#
# Потери считайте, как в упражнении 4 ноутбука 09, через $\log \mathrm{softmax}(s) = s -
# \mathrm{LSE}(s)$, а не как логарифм вероятности: при малой $T$ вероятность правильного класса
# легко обнуляется ($e^{-1000} = 0$ в float64), а потери остаются конечными. Функция должна быть
# самодостаточной: не вызывайте в ней свою `softmax_t`.

# %% [markdown]
# ### Упражнение 3. `softmax_t_cross_entropy(Z, t, T)` → `(loss, dZ)`

# %% nbgrader={"solution": true}
def softmax_t_cross_entropy(Z, t, T):
    """Cross-entropy of softmax_T(Z) against one-hot targets t, mean over the batch.

    Parameters
    ----------
    Z : ndarray of shape (M, K), logits
    t : ndarray of shape (M, K), one-hot
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
    loss = float(-np.sum(t * log_y) / M)
    dZ = (np.exp(log_y) - t) / (T * M)
    return loss, dZ
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка softmax_t_cross_entropy: потери и dZ при T = 0.5 и T = 4; T = 0.05 на больших логитах."""
# входы и ожидаемые значения этой проверки покажет checks.check_softmax_t_cross_entropy??
checks.check_softmax_t_cross_entropy(softmax_t_cross_entropy)


# %% [markdown]
# Заметьте: при большой $T$ градиент **мал**, при малой — велик (посмотрите на множитель,
# который вы вывели, и на то, что $y_T - t$ ограничено). Поэтому при дистилляции моделей потери с
# температурой домножают на $T^2$ — это множитель потерь, а не часть производной.
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
