# %% [markdown]
# # 00. Как устроен курс
#
# Этот ноутбук — разминка. Он оценивается так же, как все остальные, и учит тому, без чего
# дальше не обойтись: **формам массивов numpy**, **численной производной** и **относительной
# ошибке** — инструментам, которыми мы будем проверять каждый обратный проход.
#
# **После этого ноутбука вы умеете:**
# 1. сдавать упражнение: писать код внутри заготовки и запускать видимую проверку;
# 2. замечать ловушку broadcasting, которая прячет неверные градиенты;
# 3. считать производную центральной разностью и знать её ошибку $O(h^2)$;
# 4. сравнивать два массива величиной `rel_error` и вычислять численный градиент функции массива.

# %% [markdown]
# ## Как устроено упражнение
#
# * Функцию, которую нужно написать, вы найдёте в ячейке с `# YOUR CODE HERE` и
#   `raise NotImplementedError()`. Замените эти две строки своим кодом; **сигнатуру функции и
#   `return` не меняйте**, имена тоже.
# * Сразу после неё — **видимая проверка**. Она проверяет тип, потом форму, потом значения и
#   говорит, что не так. Пока проверка падает — упражнение не засчитано.
# * При оценивании эти же ячейки запускаются заново, и к ним добавляются **скрытые проверки**
#   на других, случайных входах (у каждого студента свои). Подогнать ответ под видимую
#   проверку не получится: скрытые сравнивают ваш результат с эталоном.
# * Ячейки проверок удалять или менять бесполезно: при оценивании они восстанавливаются.
# * Перед сдачей: **Kernel → Restart Kernel and Run All Cells** — ноутбук должен пройти сверху
#   донизу без ошибок.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Формы массивов и ловушка broadcasting
#
# В курсе один пример — это **столбец**: вектор из $n$ чисел хранится как массив формы `(n, 1)`,
# как в лекции 000: $z = W a + b$. Но numpy охотно создаёт и одномерные массивы формы `(n,)`.
# Смешивать их опасно: операция между `(n, 1)` и `(n,)` не падает, а *растягивает* оба
# массива до `(n, n)` (broadcasting). Посмотрите:

# %%
t = np.array([[1.0], [0.0], [0.0]])   # цель, столбец (3, 1)
o = np.array([0.7, 0.2, 0.1])         # выход, но одномерный (3,)
diff = t - o
print("t.shape =", t.shape, " o.shape =", o.shape, " (t - o).shape =", diff.shape)
print(diff)

# %% [markdown]
# Вместо трёх разностей получилось девять, и сумма их квадратов — уже не ошибка сети.
# Никакой ошибки Python не выдал. Так же тихо ломаются градиенты: `dW` нужной формы может
# получиться из неверных слагаемых. Отсюда правило курса: **`d<имя>` всегда имеет форму
# `<имя>`, а формы проверяются явно**.

# %% [markdown]
# ### Упражнение 1. Квадратичная ошибка
#
# Для одного примера (лекция 000) ошибка сети
#
# $$E = \frac{1}{2} \sum_j (t_j - o_j)^2 ,$$
#
# где $t$ — цель, $o$ — выход сети. Множитель $\frac12$ нужен, чтобы производная была
# ровно $\partial E / \partial o_j = o_j - t_j$.
#
# Напишите `squared_error(t, o)`: массивы любой, но **одной и той же** формы; верните число
# `float`. Если формы разные, поднимите `ValueError` — не давайте broadcasting испортить ответ.

# %% nbgrader={"grade_id": "squared_error", "solution": true}
def squared_error(t, o):
    """E = 1/2 * sum((t - o)**2) for arrays t and o of one shape.

    Parameters
    ----------
    t, o : ndarray of the same shape, e.g. (n, 1)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If t.shape != o.shape.
    """
    ### BEGIN SOLUTION
    t = np.asarray(t, dtype=np.float64)
    o = np.asarray(o, dtype=np.float64)
    if t.shape != o.shape:
        raise ValueError(f"формы t {t.shape} и o {o.shape} различаются")
    return float(0.5 * np.sum((t - o) ** 2))
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_squared_error", "grade": true, "points": 1}
"""Проверка squared_error: значение на малом примере и ValueError при разных формах."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("squared_error", squared_error)
### END HIDDEN TESTS
t = np.array([[1.0], [0.0]])
o = np.array([[0.5], [0.5]])
checks.check_close("squared_error(t, o)", squared_error(t, o), 0.25, wrong=[
    (0.5, "нет множителя ½: E = ½ Σ (t − o)²."),
    (0.0, "разности не возведены в квадрат: +0.5 и −0.5 взаимно погасились."),
    (0.125, "вы усредняете (np.mean), а нужна сумма по выходам j."),
])
checks.check_raises("squared_error(np.zeros(2), np.zeros((2, 1)))", ValueError,
                    squared_error, np.zeros(2), np.zeros((2, 1)),
                    hint="сравните t.shape и o.shape и поднимите ValueError, если они различаются.")

# %% [markdown]
# ## 2. Численная производная
#
# Производная — предел отношения приращений. Взяв маленькое, но конечное $h$, получаем
# **центральную разность**
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h},$$
#
# её ошибка $O(h^2)$: члены с $f''$ в разложениях Тейлора $f(x \pm h)$ взаимно уничтожаются.
# У правой разности $\frac{f(x+h) - f(x)}{h}$ ошибка $O(h)$ — при $h = 10^{-5}$ это примерно
# в $10^5$ раз хуже. В курсе берём $h = 10^{-5}$.
#
# Численная производная медленная (два вызова $f$ на каждую переменную), зато её трудно
# посчитать неверно. Поэтому ею **проверяют** аналитические градиенты, которые вы будете
# выводить в каждом следующем ноутбуке.

# %% [markdown]
# ### Упражнение 2. Центральная разность
#
# Напишите `numerical_derivative(f, x, h)` — производную скалярной функции `f` в точке `x`.

# %% nbgrader={"grade_id": "numerical_derivative", "solution": true}
def numerical_derivative(f, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / (2h) of a scalar function f at x.

    Parameters
    ----------
    f : callable, float -> float
    x : float
    h : float

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    return float((f(x + h) - f(x - h)) / (2.0 * h))
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_numerical_derivative", "grade": true, "points": 2}
"""Проверка numerical_derivative: f(x) = x³ в x = 2 при h = 1e-3 (ровно 3x² + h²)."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("numerical_derivative", numerical_derivative)
### END HIDDEN TESTS
cube = lambda x: x ** 3
checks.check_close("numerical_derivative(x³, 2, h=1e-3)", numerical_derivative(cube, 2.0, h=1e-3),
                   12.000001, tol=1e-9, wrong=[
    (12.006001, "это правая разность (f(x+h) − f(x))/h, её ошибка O(h); нужна центральная."),
    (11.994001, "это левая разность (f(x) − f(x−h))/h; нужна центральная."),
    (24.000002, "центральную разность делят на 2h, а не на h."),
])
checks.check_close("numerical_derivative(sin, 1)", numerical_derivative(np.sin, 1.0), np.cos(1.0), tol=1e-9)

# %% [markdown]
# Картинка к формуле: секущая центральной разности (через $x-h$ и $x+h$) почти параллельна
# касательной даже при большом $h$, а секущая правой разности заметно отклоняется.

# %%
def show_secants(f, df, x0=0.6, h=0.5):
    xs = np.linspace(x0 - 1.2, x0 + 1.2, 200)
    plt.figure(figsize=(6, 3.5))
    plt.plot(xs, f(xs), "k", label="f(x) = sin(3x)")
    for slope, style, label in [(df(x0), "-", "касательная: f'(x₀)"),
                                ((f(x0 + h) - f(x0)) / h, "--", "правая разность"),
                                ((f(x0 + h) - f(x0 - h)) / (2 * h), ":", "центральная разность")]:
        plt.plot(xs, f(x0) + slope * (xs - x0), style, label=f"{label}: наклон {slope:.3f}")
    plt.scatter([x0 - h, x0, x0 + h], f(np.array([x0 - h, x0, x0 + h])), color="k", zorder=3)
    plt.ylim(-2, 2)
    plt.legend(fontsize=8)
    plt.title(f"Наклоны при h = {h}")
    plt.show()


show_secants(lambda x: np.sin(3 * x), lambda x: 3 * np.cos(3 * x))

# %% [markdown]
# ## 3. Относительная ошибка
#
# Как понять, что два градиента «совпадают»? Абсолютная разность не годится: $10^{-6}$ —
# это много для чисел порядка $10^{-6}$ и ничтожно мало для чисел порядка $10^{3}$. Поэтому
# сравнивают **относительную ошибку**, поэлементно, и берут худший элемент:
#
# $$\mathrm{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)} .$$
#
# $10^{-8}$ в знаменателе спасает от деления на ноль, когда оба элемента равны нулю.
# Ориентиры: $10^{-7}$ и меньше — градиент верен; $10^{-2}$ и больше — в нём ошибка.

# %% [markdown]
# ### Упражнение 3. `rel_error`

# %% nbgrader={"grade_id": "rel_error", "solution": true}
def rel_error(a, b):
    """max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|) for arrays a and b of one shape.

    Parameters
    ----------
    a, b : ndarray of the same shape

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_rel_error", "grade": true, "points": 1}
"""Проверка rel_error: обычный случай, нули и a ≈ −b."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("rel_error", rel_error)
### END HIDDEN TESTS
checks.check_close("rel_error([1, 2], [1, 2.2])", rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])),
                   0.2 / 4.2, tol=1e-12, wrong=[
    (0.1 / 4.2, "берётся среднее по элементам, а нужен максимум."),
    (0.2 / 5.2, "максимум берётся отдельно в числителе и знаменателе; нужно поэлементное отношение."),
])
checks.check_close("rel_error(нули, нули)", rel_error(np.zeros(3), np.zeros(3)), 0.0, tol=0.0,
                   hint="при a = b = 0 знаменатель должен быть max(1e-8, 0), иначе 0/0 = NaN.")
checks.check_close("rel_error([1], [-1])", rel_error(np.array([1.0]), np.array([-1.0])), 1.0, tol=1e-12,
                   wrong=[(2e8, "в знаменателе |a + b| вместо |a| + |b|.")])

# %% [markdown]
# ## 4. Численный градиент функции массива
#
# Функция потерь зависит от многих чисел сразу: $L(W)$, где $W$ — матрица. Её градиент
# $\partial L / \partial W$ имеет **форму $W$**, и каждый его элемент — частная производная по
# одному элементу $W$. Численно: сдвигаем один элемент на $\pm h$, остальные не трогаем.
#
# Важная деталь: сдвигать удобно прямо в массиве `x[i] += h`, но после двух вычислений
# элемент нужно **вернуть на место** — иначе следующие производные считаются в другой точке,
# а вызвавший функцию код получит испорченный массив.

# %% [markdown]
# ### Упражнение 4. `numerical_gradient`
#
# `f` принимает массив и возвращает число. Обойти все индексы массива любой формы удобно так:
# `for i in np.ndindex(x.shape): ...`, тогда `x[i]` — один элемент.

# %% nbgrader={"grade_id": "numerical_gradient", "solution": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at the array x.

    Parameters
    ----------
    f : callable, ndarray -> float
    x : ndarray of any shape, float64; must be unchanged when the function returns
    h : float

    Returns
    -------
    grad : ndarray of the shape of x
    """
    ### BEGIN SOLUTION
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade_id": "check_numerical_gradient", "grade": true, "points": 2}
"""Проверка numerical_gradient: форма, значения для Σx² и Σsin x, x не изменился."""
### BEGIN HIDDEN TESTS
from bpcourse.grading import record
record("numerical_gradient", numerical_gradient)
### END HIDDEN TESTS
x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]])
x_before = x.copy()
grad = numerical_gradient(lambda v: np.sum(v ** 2), x)
checks.check_close("numerical_gradient(Σx², x)", grad, 2 * x_before, tol=1e-8)
if not np.array_equal(x, x_before):
    raise checks.CheckError("numerical_gradient изменил x: после сдвига x[i] верните старое значение.")
checks.ok("x после вызова не изменился")
checks.check_close("numerical_gradient(Σ sin x, x)", numerical_gradient(lambda v: np.sum(np.sin(v)), x),
                   np.cos(x_before), tol=1e-8)

# %% [markdown]
# Этот же градиент есть в библиотеке курса: `bpcourse.numerical_gradient` и
# `bpcourse.rel_error`. В следующих ноутбуках видимые проверки пользуются ими, чтобы сравнить
# ваш обратный проход с численным.
#
# ## Что дальше
#
# * В ноутбуке 01 — граф вычислений и цепное правило: как из производных отдельных узлов
#   получается производная всей функции, и почему ошибка численной производной при очень
#   малых $h$ снова растёт (округление).
# * Попробуйте: при каком $h$ центральная разность для $\sin$ в точке 1 точнее всего? Постройте
#   график ошибки от $h$ в логарифмическом масштабе.
