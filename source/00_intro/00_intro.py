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
# 4. сравнивать два массива относительной ошибкой и находить элемент, где они расходятся сильнее всего;
# 5. считать производную функции массива вдоль направления — двумя вызовами функции.

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
# как в «Лекции 2. Алгоритм обратного распространения ошибки»: $z = W a + b$. (Пакет из многих
# примеров курс хранит по строкам — почему, сказано в ноутбуке 09, где пакеты появляются.)
# Но numpy охотно создаёт и одномерные массивы формы `(n,)`.
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
# Для одного примера ошибка сети («Лекция 2. Алгоритм обратного распространения ошибки»)
#
# $$E = \frac{1}{2} \sum_j (t_j - o_j)^2 ,$$
#
# где $t$ — цель, $o$ — выход сети. Множитель $\frac12$ нужен, чтобы производная была
# ровно $\partial E / \partial o_j = o_j - t_j$.
#
# Напишите `squared_error(t, o)`: массивы любой, но **одной и той же** формы; верните число
# `float`. Если формы разные, поднимите `ValueError` — не давайте broadcasting испортить ответ.

# %% nbgrader={"solution": true}
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


# %% nbgrader={"grade": true, "points": 1}
"""Проверка squared_error: значение на малом примере и ValueError при разных формах."""
# входы и ожидаемые значения этой проверки покажет checks.check_squared_error??
checks.check_squared_error(squared_error)

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
# ### Упражнение 2. Центральная разность во многих точках
#
# Напишите `numerical_derivative(f, x, h)` — производную функции `f` одной переменной.
# Функция `f` применяется к массиву поэлементно, как `np.sin`, поэтому `x` может быть и
# числом, и **массивом точек любой формы**: тогда верните массив той же формы — производную
# в каждой точке. Циклы не нужны: арифметика numpy сама работает поэлементно. Не превращайте
# результат в `float` — для массива это ошибка.

# %% nbgrader={"solution": true}
def numerical_derivative(f, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / (2h) of an elementwise function f.

    Parameters
    ----------
    f : callable applied elementwise, like np.sin
    x : float, or ndarray of any shape (the points)
    h : float

    Returns
    -------
    float, or ndarray of the shape of x: the derivative at every point
    """
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2.0 * h)
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка numerical_derivative: f(x) = x³ при h = 1e-3 (центральная разность равна ровно 3x² + h²)."""
# входы и ожидаемые значения этой проверки покажет checks.check_numerical_derivative??
checks.check_numerical_derivative(numerical_derivative)

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
# А так выглядит ваша `numerical_derivative` сразу на сетке из 200 точек — одним вызовом:

# %%
try:
    xs = np.linspace(-2, 2, 200)
    plt.figure(figsize=(6, 3))
    plt.plot(xs, 3 * np.cos(3 * xs), "k", lw=3, alpha=0.3, label="точная производная 3 cos(3x)")
    plt.plot(xs, numerical_derivative(lambda x: np.sin(3 * x), xs), "C3", label="numerical_derivative(sin(3x), xs)")
    plt.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнение 2, чтобы увидеть график.")
except Exception as e:  # noqa: BLE001 - the check above says what is wrong
    print(f"numerical_derivative на массиве точек подняла {type(e).__name__}: {e}")

# %% [markdown]
# ## 3. Относительная ошибка и худший элемент
#
# Как понять, что два градиента «совпадают»? Абсолютная разность не годится: $10^{-6}$ —
# это много для чисел порядка $10^{-6}$ и ничтожно мало для чисел порядка $10^{3}$. Поэтому
# сравнивают **относительную ошибку**, поэлементно, и берут худший элемент:
#
# $$\mathrm{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)} .$$
#
# $10^{-8}$ в знаменателе спасает от деления на ноль, когда оба элемента равны нулю.
# Ориентиры: $10^{-7}$ и меньше — градиент верен; $10^{-2}$ и больше — в нём ошибка.
#
# Одно число говорит, *что* градиент неверен, но не говорит, *где*. А при отладке важно
# именно «где»: ошибка только в первой строке `dW` — это одна причина, ошибка во всех
# элементах — другая.

# %% [markdown]
# ### Упражнение 3. `worst_entry(a, b)`
#
# Верните пару `(err, idx)`: `err` — относительная ошибка по формуле выше (число), `idx` —
# индекс элемента, на котором достигается максимум, **кортежем** длины `a.ndim`: `(i,)` для
# вектора, `(i, j)` для матрицы — так, чтобы `a[idx]` был этим элементом. Пригодятся
# `np.argmax` (он возвращает номер в *развёрнутом* массиве) и `np.unravel_index`.

# %% nbgrader={"solution": true}
def worst_entry(a, b):
    """The largest elementwise relative error of a and b and where it is reached.

    Parameters
    ----------
    a, b : ndarray of the same shape

    Returns
    -------
    err : float
        max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)
    idx : tuple of a.ndim ints
        an index where the max is reached (a[idx] is that entry)
    """
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    errors = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    idx = np.unravel_index(np.argmax(errors), errors.shape)
    err = float(errors[idx])
    ### END SOLUTION
    return err, idx


# %% nbgrader={"grade": true, "points": 1}
"""Проверка worst_entry: элементы разного масштаба, матрица, нули и a ≈ −b."""
with np.errstate(all="ignore"):   # предупреждение numpy не должно стоить баллов
    # входы и ожидаемые значения этой проверки покажет checks.check_worst_entry??
    checks.check_worst_entry(worst_entry)

# %% [markdown]
# ## 4. Производная по направлению
#
# Функция потерь зависит от многих чисел сразу: $L(W)$, где $W$ — матрица. Её градиент
# $\partial L / \partial W$ имеет **форму $W$**, и каждый его элемент — частная производная по
# одному элементу $W$. Численно его считают так: сдвигают один элемент на $\pm h$, остальные
# не трогают, — два вызова $L$ на *каждый* элемент $W$.
#
# Часто хватает меньшего. **Производная по направлению** $v$ (массив формы $x$) — это
# скорость изменения $f$, когда $x$ движется вдоль $v$:
#
# $$\frac{d}{dt} f(x + t v)\Big|_{t=0} = \sum_i \frac{\partial f}{\partial x_i} v_i = \nabla f(x) \cdot v
# \approx \frac{f(x + h v) - f(x - h v)}{2h} .$$
#
# Два вызова $f$ при любом размере $x$. Если аналитический градиент $g$ верен, то $g \cdot v$
# совпадает с этой разностью для любого $v$; так проверяют градиенты больших моделей, где
# сдвигать каждый элемент по очереди слишком долго.

# %% [markdown]
# ### Упражнение 4. `directional_derivative(f, x, v, h)`
#
# `f` принимает массив формы `x` и возвращает число. Верните центральную разность вдоль `v`
# (направление **не нормируйте**). Массивы `x` и `v` должны остаться такими, какими были.

# %% nbgrader={"solution": true}
def directional_derivative(f, x, v, h=1e-5):
    """Central difference of a scalar function f at the array x along the array v.

    Parameters
    ----------
    f : callable, ndarray -> float
    x : ndarray of any shape, float64 (unchanged on return)
    v : ndarray of the shape of x, the direction (not normalised; unchanged on return)
    h : float

    Returns
    -------
    float: approximately grad f(x) . v
    """
    ### BEGIN SOLUTION
    return float((f(x + h * v) - f(x - h * v)) / (2.0 * h))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка directional_derivative: f = Σ x³ (разность равна ровно Σ 3x²v + h² Σ v³), x и v не меняются."""
# входы и ожидаемые значения этой проверки покажет checks.check_directional_derivative??
checks.check_directional_derivative(directional_derivative)

# %% [markdown]
# ## Что в библиотеке курса
#
# Дальше видимые проверки сравнивают ваш обратный проход с численным с помощью библиотеки
# курса `bpcourse`:
#
# * `bpcourse.rel_error(a, b)` — то же число `err`, что в упражнении 3 (без индекса);
# * `bpcourse.numerical_gradient(f, x)` — полный численный градиент скалярной `f`: по очереди
#   сдвигает каждый элемент `x` на $\pm h$ **в самом массиве** и сразу возвращает его на место
#   (иначе следующие производные считались бы в другой точке, а вызвавший код получил бы
#   испорченный массив).
#
# Проверим, что производная по направлению — это скалярное произведение градиента на $v$:

# %%
from bpcourse import numerical_gradient, rel_error

try:
    rng = np.random.default_rng(0)
    W, V = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    loss = lambda w: np.sum(np.tanh(w) ** 2)
    along_v = directional_derivative(loss, W, V)
    full = np.sum(numerical_gradient(loss, W) * V)
    print(f"вдоль v: {along_v:.8f}   градиент · v: {full:.8f}   rel_error = {rel_error(along_v, full):.1e}")
except NotImplementedError:
    print("Выполните упражнение 4.")
except Exception as e:  # noqa: BLE001 - the check above says what is wrong
    print(f"directional_derivative подняла {type(e).__name__}: {e}")

# %% [markdown]
# ## Что дальше
#
# * В ноутбуке 01 — граф вычислений и цепное правило: как из производных отдельных узлов
#   получается производная всей функции, и почему ошибка численной производной при очень
#   малых $h$ снова растёт (округление).
# * Попробуйте: при каком $h$ центральная разность для $\sin$ в точке 1 точнее всего?
#   `numerical_derivative(np.sin, 1.0, h=np.logspace(-12, 0, 50))` посчитает её сразу для
#   пятидесяти $h$ — почему это работает? Постройте ошибку от $h$ в логарифмическом масштабе.
