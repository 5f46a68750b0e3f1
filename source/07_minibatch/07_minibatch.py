# %% [markdown]
# # 07. Пакетная обработка
#
# По «MML minor #3. Нейронные сети» (вторая половина: слайды «Полносвязный слой как произведение
# матриц», «Прямой проход для мини-батча», «Обратный проход для мини-батча», «Быстрая реализация в
# NumPy») и «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 7, уравнения
# 51–56. В ноутбуке 06 сеть обрабатывала один пример — столбец. Теперь примеров сразу $M$ —
# **мини-пакет** (mini-batch), и каждый слой обрабатывает их все одним умножением матриц.
#
# **После этого ноутбука вы умеете:**
# 1. писать слои `Linear`, `Sigmoid`, `ReLU` и потери MSE как объекты с `forward` и `backward`
#    для пакета, где примеры — строки;
# 2. объяснять, почему `backward` принимает $\partial L/\partial Z$, а не якобиан (и сколько
#    места занял бы якобиан);
# 3. собирать из слоёв сеть и проверять её градиенты численно;
# 4. переводить формулы конспекта (примеры — столбцы, $\nabla W = \frac{1}{M}\Delta Y^\top$) в
#    форму курса (примеры — строки) и знать, где в каждой живёт $1/M$.
#
# **Обозначения.** Пакет лежит **по строкам**, как на слайдах MML, в numpy и PyTorch: $X$ формы
# $(M, n_{\text{вх}})$, пример $i$ — строка `X[i]`, $W$ формы $(n_{\text{вх}}, n_{\text{вых}})$,
# $b$ формы $(n_{\text{вых}},)$ прибавляется к каждой строке:
#
# $$Z = X W + b, \qquad Z \text{ формы } (M, n_{\text{вых}}).$$
#
# `d<имя>` — градиент потерь по `<имя>`, той же формы: `dZ` $= \partial L/\partial Z$. Потери
# **усредняются** по пакету, поэтому $1/M$ уже сидит в `dZ` последнего слоя, и слои ниже на $M$
# не делят. Всё считается в float64.
#
# **Как оцениваются упражнения.** Каждый метод — отдельное упражнение: ячейка определяет функцию
# и делает её методом класса (`Linear.forward = linear_layer_forward`), как в ноутбуке 02.
# Проверка под ячейкой (и скрытая, на других входах) создаёт **один** объект вашего класса и
# вызывает **только этот метод**. Проверка `backward` сама кладёт в объект то, что должен был
# сохранить `forward` (`self.X`, `self.A`, `self.Z`, `self.Y`, `self.t` — имена ниже
# обязательны), и никогда не вызывает ваш `forward`; так ошибка в одном методе не отнимет баллы
# за другой. Входные массивы не меняйте на месте (`dA[...] = 0` испортит данные вызывающего
# кода) — создавайте новые.

# %%
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks
from bpcourse.gradcheck import numerical_gradient, rel_error

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Интерфейс слоя
#
# Слайды MML («Интерфейс прямого прохода», «Интерфейс обратного прохода») и рукописный конспект
# студента описывают один и тот же договор:
#
# * `forward(X)` считает выход слоя и **сохраняет** в объекте то, что понадобится обратному
#   проходу («прямой проход считает и хранит, обратный — переиспользует»);
# * `backward(dout)` получает $\partial L/\partial(\text{выход})$ — той же формы, что выход, —
#   и возвращает $\partial L/\partial(\text{вход})$ той же формы, что вход. Слой с параметрами
#   ещё **добавляет** градиенты по своим параметрам в `p.grad` (`+=`, как в ноутбуке 02: если
#   параметр использован несколько раз, его градиент — сумма вкладов; обнуляет их `zero_grad`
#   перед следующим шагом — это тема ноутбука 08, об обучении).
#
# Параметр — массив и его градиент той же формы. Эта ячейка готова; методы вы допишете ниже.

# %%
class Parameter:
    """An array and the gradient of the loss with respect to it (same shape)."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)


class Layer:
    """forward(X) -> out stores what backward needs; backward(dout) -> dX adds into p.grad."""

    def parameters(self):
        return []

    def forward(self, X):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError


class Linear(Layer):
    """Z = X W + b; W of shape (n_in, n_out), b of shape (n_out,)."""

    def __init__(self, W, b):
        self.W, self.b = Parameter(W), Parameter(b)

    def parameters(self):
        return [self.W, self.b]


class Sigmoid(Layer):
    """A = σ(Z) elementwise; forward stores A in self.A."""


class ReLU(Layer):
    """A = max(0, Z) elementwise; forward stores Z in self.Z."""


class MSELoss:
    """L = (1/M) Σ_rows ½ Σ_j (t_j − y_j)²; forward stores Y and t; backward() takes nothing."""

    def forward(self, Y, t):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


# %% [markdown]
# ## 2. Линейный слой
#
# ### Прямой проход
#
# Слайд «Прямой проход для мини-батча»: пакет из двух примеров по три входа, слой из двух
# нейронов — и вся работа слоя сводится к одному произведению матриц $XW = Z$ (плюс смещение
# $b$ в каждой строке). Быстрые матричные операции (BLAS) делают это намного быстрее циклов
# Python.
#
# ### Упражнение 1. `Linear.forward`
#
# Верните $Z$ формы $(M, n_{\text{вых}})$ и сохраните вход в `self.X` — он нужен обратному
# проходу.

# %% nbgrader={"solution": true}
def linear_layer_forward(self, X):
    """Z = X W + b for a batch in rows; stores X in self.X.

    Parameters
    ----------
    X : ndarray of shape (M, n_in)

    Returns
    -------
    Z : ndarray of shape (M, n_out)
    """
    ### BEGIN SOLUTION
    self.X = X
    return X @ self.W.data + self.b.data
    ### END SOLUTION


Linear.forward = linear_layer_forward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка Linear.forward: пакет 3×2, W формы (2, 4); выход и сохранённый self.X."""
# входы и ожидаемые значения этой проверки покажет checks.check_linear_layer_forward??
checks.check_linear_layer_forward(Linear)

# %% [markdown]
# ### Обратный проход
#
# Слайд «Обратный проход для мини-батча» выводит градиенты поэлементно. Один вес $w_{ij}$
# влияет на выход $j$ **каждого** примера пакета, поэтому его производная — сумма по примерам $k$:
#
# $$\frac{\partial L}{\partial w_{ij}} = \sum_{k=1}^{M} \frac{\partial L}{\partial z_{kj}}\, x_{ki},
# \qquad \frac{\partial L}{\partial b_j} = \sum_{k=1}^{M} \frac{\partial L}{\partial z_{kj}},
# \qquad \frac{\partial L}{\partial x_{ki}} = \sum_{j=1}^{n_{\text{вых}}} \frac{\partial L}{\partial z_{kj}}\, w_{ij}.$$
#
# Последняя формула — слайд «Обратный проход для X (для глубоких слоёв)»: примеры независимы,
# вход примера $k$ влияет только на выходы примера $k$. Каждую сумму можно записать одним
# произведением матриц (или суммой по оси) — это и есть упражнение. Сверяйтесь с формами:
# `dW` формы `W`, `db` формы `b`, `dX` формы `X`. Слайд отвечает и на вопрос «почему сумма по
# примерам»: потери пакета — сумма (у нас среднее) потерь примеров, а производная суммы — сумма
# производных.
#
# ### Упражнение 2. `Linear.backward`
#
# Получив `dZ` формы $(M, n_{\text{вых}})$, **добавьте** градиенты в `self.W.grad` и
# `self.b.grad` и верните `dX`. Вход слоя лежит в `self.X`. На $M$ не делите: `dZ` уже
# содержит $1/M$ от усреднения потерь.

# %% nbgrader={"solution": true}
def linear_layer_backward(self, dZ):
    """Add dL/dW and dL/db into self.W.grad, self.b.grad; return dL/dX.

    Parameters
    ----------
    dZ : ndarray of shape (M, n_out), dL/dZ

    Returns
    -------
    dX : ndarray of shape (M, n_in)
    """
    ### BEGIN SOLUTION
    self.W.grad += self.X.T @ dZ
    self.b.grad += dZ.sum(axis=0)
    return dZ @ self.W.data.T
    ### END SOLUTION


Linear.backward = linear_layer_backward

# %% nbgrader={"grade": true, "points": 2}
"""Проверка Linear.backward: dX, W.grad и b.grad (заранее ненулевые) на пакете 3×2 с W формы (2, 4)
и с квадратной W."""
# входы и ожидаемые значения этой проверки покажет checks.check_linear_layer_backward??
checks.check_linear_layer_backward(Linear)

# %% [markdown]
# ## 3. Активации
#
# Функция активации действует на каждый элемент отдельно, поэтому её обратный проход —
# поэлементное произведение пришедшего градиента на производную (конспект, § 4, уравнения
# 27–28). Сигмоида хранит свой **выход** $A$: её производная выражается через него («храним
# активации»). ReLU хранит **вход** $Z$: производная равна 1 там, где $z > 0$, и 0 там, где
# $z \le 0$ (в точке $z = 0$ курс, как конспект, берёт 0).
#
# ### Упражнение 3. `Sigmoid.forward`

# %% nbgrader={"solution": true}
def sigmoid_layer_forward(self, Z):
    """A = 1 / (1 + exp(-Z)) elementwise; stores A in self.A.

    Parameters
    ----------
    Z : ndarray of shape (M, n)

    Returns
    -------
    A : ndarray of shape (M, n)
    """
    ### BEGIN SOLUTION
    self.A = 1.0 / (1.0 + np.exp(-Z))
    return self.A
    ### END SOLUTION


Sigmoid.forward = sigmoid_layer_forward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка Sigmoid.forward: выход и сохранённый self.A на пакете 2×3."""
# входы и ожидаемые значения этой проверки покажет checks.check_sigmoid_layer_forward??
checks.check_sigmoid_layer_forward(Sigmoid)

# %% [markdown]
# ### Упражнение 4. `Sigmoid.backward`
#
# Пользуйтесь только сохранённым `self.A` (пересчитывать $\sigma$ не нужно).

# %% nbgrader={"solution": true}
def sigmoid_layer_backward(self, dA):
    """dL/dZ from dL/dA and the stored activation self.A.

    Parameters
    ----------
    dA : ndarray of shape (M, n)

    Returns
    -------
    dZ : ndarray of shape (M, n)
    """
    ### BEGIN SOLUTION
    return dA * self.A * (1.0 - self.A)
    ### END SOLUTION


Sigmoid.backward = sigmoid_layer_backward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка Sigmoid.backward: self.A кладёт проверка, ваш forward не вызывается."""
# входы и ожидаемые значения этой проверки покажет checks.check_sigmoid_layer_backward??
checks.check_sigmoid_layer_backward(Sigmoid)

# %% [markdown]
# ### Упражнение 5. `ReLU.forward`

# %% nbgrader={"solution": true}
def relu_layer_forward(self, Z):
    """A = max(0, Z) elementwise; stores Z in self.Z.

    Parameters
    ----------
    Z : ndarray of shape (M, n)

    Returns
    -------
    A : ndarray of shape (M, n)
    """
    ### BEGIN SOLUTION
    self.Z = Z
    return np.maximum(0.0, Z)
    ### END SOLUTION


ReLU.forward = relu_layer_forward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка ReLU.forward: выход и сохранённый self.Z; во входе есть нули."""
# входы и ожидаемые значения этой проверки покажет checks.check_relu_layer_forward??
checks.check_relu_layer_forward(ReLU)

# %% [markdown]
# ### Упражнение 6. `ReLU.backward`
#
# Пользуйтесь сохранённым `self.Z`; в точке $z = 0$ градиент не пропускается.

# %% nbgrader={"solution": true}
def relu_layer_backward(self, dA):
    """dL/dZ from dL/dA and the stored input self.Z.

    Parameters
    ----------
    dA : ndarray of shape (M, n)

    Returns
    -------
    dZ : ndarray of shape (M, n)
    """
    ### BEGIN SOLUTION
    return dA * (self.Z > 0)
    ### END SOLUTION


ReLU.backward = relu_layer_backward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка ReLU.backward: отрицательные входы, нули и положительные; self.Z кладёт проверка."""
# входы и ожидаемые значения этой проверки покажет checks.check_relu_layer_backward??
checks.check_relu_layer_backward(ReLU)

# %% [markdown]
# ## 4. Потери MSE
#
# Ошибка одного примера — как в «Лекция 2. Алгоритм обратного распространения ошибки»:
# $E = \frac{1}{2}\sum_j (t_j - y_j)^2$ (сумма по выходам). Потери пакета — **среднее** по $M$
# примерам: $L = \frac{1}{M}\sum_{k=1}^M E_k$. Здесь и появляется $1/M$ — один раз, в начале
# обратного прохода. `backward()` ничего не принимает: это начало цепочки,
# $\partial L/\partial L = 1$.
#
# ### Упражнение 7. `MSELoss.forward`
#
# Верните потери (число) и сохраните `Y` и `t` в `self.Y` и `self.t`.

# %% nbgrader={"solution": true}
def mse_loss_forward(self, Y, t):
    """Mean over the batch of ½ Σ_j (t_j − y_j)²; stores Y and t.

    Parameters
    ----------
    Y : ndarray of shape (M, K), the network's outputs
    t : ndarray of shape (M, K), the targets

    Returns
    -------
    loss : float
    """
    ### BEGIN SOLUTION
    self.Y, self.t = Y, t
    return float(0.5 * np.sum((t - Y) ** 2) / Y.shape[0])
    ### END SOLUTION


MSELoss.forward = mse_loss_forward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка MSELoss.forward: потери на пакете 3×2 и сохранённые self.Y, self.t."""
# входы и ожидаемые значения этой проверки покажет checks.check_mse_loss_forward??
checks.check_mse_loss_forward(MSELoss)

# %% [markdown]
# ### Упражнение 8. `MSELoss.backward`
#
# Верните $\partial L/\partial Y$ формы `Y`, пользуясь `self.Y` и `self.t`.

# %% nbgrader={"solution": true}
def mse_loss_backward(self):
    """dL/dY of the batch-averaged loss, from the stored self.Y and self.t.

    Returns
    -------
    dY : ndarray of shape (M, K)
    """
    ### BEGIN SOLUTION
    return (self.Y - self.t) / self.Y.shape[0]
    ### END SOLUTION


MSELoss.backward = mse_loss_backward

# %% nbgrader={"grade": true, "points": 1}
"""Проверка MSELoss.backward: self.Y и self.t кладёт проверка."""
# входы и ожидаемые значения этой проверки покажет checks.check_mse_loss_backward??
checks.check_mse_loss_backward(MSELoss)

# %% [markdown]
# ## 5. Почему `backward` принимает $\partial L/\partial Z$, а не якобиан
#
# Слайд «Быстрая реализация в NumPy»: «ещё одна причина иметь $\partial L/\partial Z$ в
# интерфейсе обратного шага — иначе пришлось бы считать $\partial Z/\partial X$ и
# $\partial Z/\partial W$, а это тензоры». Для одного примера-столбца (ноутбук 01) цепное правило
# было произведением якобиана на вектор. Для пакета $Z$ — матрица, $W$ — матрица, и якобиан
# $\partial Z/\partial W$ — массив с **четырьмя** индексами: пара индексов выбирает элемент $Z$,
# другая пара — элемент $W$, по которому берётся производная. Почти все его элементы — нули, но
# хранить их пришлось бы.
#
# ### Упражнение 9. Сколько чисел в якобианах слоя
#
# Для слоя $Z = XW + b$ с пакетом $X$ формы $(M, n_{\text{вх}})$ верните число элементов
# (целое) тензора $\partial Z/\partial W$ и тензора $\partial Z/\partial X$.

# %% nbgrader={"solution": true}
def jacobian_entries(M, n_in, n_out):
    """Numbers of entries of the Jacobians ∂Z/∂W and ∂Z/∂X of Z = X W + b.

    Parameters
    ----------
    M, n_in, n_out : int, the batch size and the layer's sizes

    Returns
    -------
    (int, int) : entries of ∂Z/∂W, entries of ∂Z/∂X
    """
    ### BEGIN SOLUTION
    return M * n_out * n_in * n_out, M * n_out * M * n_in
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка jacobian_entries: слой 3 → 2 и пакет из 5 примеров."""
# входы и ожидаемые значения этой проверки покажет checks.check_jacobian_entries??
checks.check_jacobian_entries(jacobian_entries)

# %% [markdown]
# Возьмём реалистичный слой: пакет из 64 изображений 28×28 (784 входа), 256 нейронов, float64
# (8 байт на число). Сравним с тем, что `backward` получает на самом деле — `dZ` формы
# $(M, n_{\text{вых}})$ — и с тем, что он возвращает.

# %%
M_real, n_in_real, n_out_real = 64, 784, 256
try:
    n_dW_jac, n_dX_jac = jacobian_entries(M_real, n_in_real, n_out_real)
    for what, n in [("якобиан ∂Z/∂W", n_dW_jac), ("якобиан ∂Z/∂X", n_dX_jac),
                    ("dZ (то, что получает backward)", M_real * n_out_real),
                    ("dW (то, что он добавляет в W.grad)", n_in_real * n_out_real)]:
        print(f"{what:38s} {n:>14,d} чисел  {8 * n / 2**20:>12,.1f} МиБ")
except NotImplementedError:
    print("Сначала решите упражнение 9.")

# %% [markdown]
# Якобиан $\partial Z/\partial W$ занял бы около 25 ГиБ — ради градиента, который умещается в
# полтора мегабайта. Поэтому каждый слой умеет сразу считать произведение «градиент сверху ×
# свой якобиан» ($\partial L/\partial X$ и $\partial L/\partial W$), не строя якобиан. График
# показывает, как растёт разрыв с размером пакета.

# %%
batch_sizes = np.array([1, 4, 16, 64, 256, 1024])
try:
    jac_bytes = np.array([8 * jacobian_entries(int(m), n_in_real, n_out_real)[0] for m in batch_sizes], dtype=float)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.loglog(batch_sizes, jac_bytes, "o-", color="C3", label="якобиан ∂Z/∂W")
    ax.loglog(batch_sizes, 8.0 * batch_sizes * n_out_real, "s-", color="C0", label="dZ (интерфейс backward)")
    ax.axhline(8.0 * n_in_real * n_out_real, color="C2", ls="--", label="сам градиент dW")
    ax.axhline(16 * 2**30, color="gray", ls=":", label="16 ГиБ — память ноутбука")
    ax.set(xlabel="размер пакета M", ylabel="байт (float64)", title="Слой 784 → 256: что пришлось бы хранить")
    ax.legend(fontsize=8, loc="upper left")
    plt.show()
except NotImplementedError:
    print("Сначала решите упражнение 9 — тогда здесь появится график.")

# %% [markdown]
# ## 6. Сеть из ваших слоёв и проверка градиента
#
# Соберём из слоёв сеть 3 → 5 → 4 → 2 с сигмоидой и ReLU, прогоним пакет вперёд, потом
# назад — от потерь к входу, вызывая `backward` слоёв в обратном порядке, — и сравним каждый
# `p.grad` с численным градиентом потерь по этому параметру (центральные разности, $h = 10^{-5}$).
# Для гладкой функции верный градиент совпадает с численным с относительной ошибкой около
# $10^{-7}$ и лучше; ReLU в изломе мог бы испортить сравнение, поэтому входы подобраны так,
# чтобы $z$ не оказался рядом с нулём. Эта ячейка не оценивается: она собирает всё, что вы
# написали выше.

# %%
def make_network(rng):
    """3 -> 5 (sigmoid) -> 4 (ReLU) -> 2 with random weights."""
    return [Linear(rng.normal(size=(3, 5)), rng.normal(size=5)), Sigmoid(),
            Linear(rng.normal(size=(5, 4)), rng.normal(size=4)), ReLU(),
            Linear(rng.normal(size=(4, 2)), rng.normal(size=2))]


def network_loss(net, loss_fn, X, t):
    out = X
    for layer in net:
        out = layer.forward(out)
    return loss_fn.forward(out, t)


def network_backward(net, loss_fn):
    dout = loss_fn.backward()
    for layer in reversed(net):
        dout = layer.backward(dout)
    return dout


def away_from_kinks(net, X, margin=0.05):
    """Is every ReLU input at least ``margin`` away from 0 (so central differences are exact)?"""
    out = X
    for layer in net:
        if isinstance(layer, ReLU) and np.min(np.abs(out)) < margin:
            return False
        out = layer.forward(out)
    return True


rng = np.random.default_rng(7)
net, mse = make_network(rng), MSELoss()
X_batch, t_batch = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
try:
    for _ in range(100):
        if away_from_kinks(net, X_batch):
            break
        X_batch = rng.normal(size=(6, 3))
    loss = network_loss(net, mse, X_batch, t_batch)
    params = [p for layer in net for p in layer.parameters()]
    for p in params:
        p.grad = np.zeros_like(p.data)
    network_backward(net, mse)
    errors = []
    for p in params:
        numeric = numerical_gradient(lambda _: network_loss(net, mse, X_batch, t_batch), p.data)
        errors.append(rel_error(p.grad, numeric))
    names = [f"{name}{k}" for k in (1, 2, 3) for name in ("W", "b")]
    print(f"потери: {loss:.6f}")
    for name, err in zip(names, errors):
        print(f"{name}: rel_error = {err:.1e}" + ("" if err < 1e-6 else "   ← градиент не совпадает"))
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(names, np.maximum(errors, 1e-16), color=["C0" if e < 1e-6 else "C3" for e in errors])
    ax.axhline(1e-6, color="gray", ls="--", label="1e-6: выше — ищите ошибку")
    ax.set(yscale="log", ylabel="rel_error", title="Градиенты сети из ваших слоёв против численных")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Сначала решите упражнения 1–8 — тогда здесь появится проверка всей сети.")
except Exception as e:  # noqa: BLE001 - a bug in a layer: say so and let the notebook go on
    print(f"Сеть из ваших слоёв упала с ошибкой {type(e).__name__}: {e}. Сначала добейтесь, чтобы "
          "проверки упражнений 1–8 проходили.")

# %% [markdown]
# Вызовите `network_backward` ещё раз, не обнуляя `p.grad`, — и градиенты удвоятся: слои
# **добавляют** вклады. При обучении их обнуляет `zero_grad()` перед каждым шагом.
#
# ## 7. Столбцы конспекта и строки курса: где живёт $1/M$
#
# Конспект (§ 7) кладёт примеры **в столбцы**: $Y^{(l)}$ формы $(N^{(l)}, M)$,
# $Z^{(l+1)} = W^{(l)} Y^{(l)} + B^{(l)}$ (51), и $\Delta^{(l+1)}$ (53) — матрица, чей столбец $k$ —
# вектор ошибок $\delta_k$ примера $k$: производная **его собственной** ошибки $E_k$ по $z$,
# без всякого $1/M$. Поэтому $1/M$ стоит в формулах градиентов:
#
# $$\nabla W^{(l)} = \frac{1}{M}\, \Delta^{(l+1)} Y^{(l)\top} \quad (52), \qquad
# \nabla B^{(l)} = \frac{1}{M} \sum_{k=1}^M \delta^{(l+1)}_k \quad (55).$$
#
# В курсе примеры — строки, а `dZ` — производная **средних** потерь $L = \frac{1}{M}\sum_k E_k$,
# так что $1/M$ уже внутри `dZ`, а у `Linear.backward` его нет. Формулы те же, только
# транспонированные ($W$ курса — это $W^{(l)\top}$ конспекта), и $1/M$ переехал из формулы
# градиента в `dZ`.
#
# ### Упражнение 10. Из столбцов конспекта — в строки курса
#
# Дано: `Delta` — $\Delta^{(l+1)}$ формы $(n_{\text{вых}}, M)$ и `Y` — $Y^{(l)}$ формы
# $(n_{\text{вх}}, M)$, как в конспекте. Верните `X` и `dZ` курса — вход слоя и $\partial L/\partial Z$
# средних потерь — такие, что `Linear.backward(dZ)` с `self.X = X` добавит в `W.grad` ровно
# $(\nabla W^{(l)})^\top$ из (52), а в `b.grad` — $\nabla B^{(l)}$ из (55).

# %% nbgrader={"solution": true}
def rows_from_columns(Delta, Y):
    """The notes' columns (eq. 51–53) as the course's rows.

    Parameters
    ----------
    Delta : ndarray of shape (n_out, M), column k is δ_k of example k (no 1/M)
    Y : ndarray of shape (n_in, M), column k is the input of example k

    Returns
    -------
    X : ndarray of shape (M, n_in)
    dZ : ndarray of shape (M, n_out), dL/dZ of the loss averaged over the batch
    """
    ### BEGIN SOLUTION
    return Y.T.copy(), Delta.T / Delta.shape[1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка rows_from_columns: Δ формы (2, 3), Y формы (4, 3)."""
# входы и ожидаемые значения этой проверки покажет checks.check_rows_from_columns??
checks.check_rows_from_columns(rows_from_columns)

# %% [markdown]
# Проверим равенство на случайных числах: градиент по формуле конспекта (52), посчитанный прямо
# в numpy, против того, что ваш `Linear.backward` добавит в `W.grad` из ваших `X` и `dZ`.

# %%
rng = np.random.default_rng(3)
Delta_demo, Y_demo = rng.normal(size=(4, 8)), rng.normal(size=(5, 8))    # n_out = 4, n_in = 5, M = 8
grad_W_notes = Delta_demo @ Y_demo.T / Delta_demo.shape[1]                # eq. 52, shape (n_out, n_in)
grad_B_notes = Delta_demo.mean(axis=1)                                    # eq. 55
try:
    X_rows, dZ_rows = rows_from_columns(Delta_demo, Y_demo)
    layer = Linear(rng.normal(size=(5, 4)), np.zeros(4))
    layer.X = X_rows
    layer.backward(dZ_rows)
    print("W.grad = (∇W из (52))ᵀ:", rel_error(layer.W.grad, grad_W_notes.T))
    print("b.grad = ∇B из (55):   ", rel_error(layer.b.grad, grad_B_notes))
except NotImplementedError:
    print("Сначала решите упражнения 2 и 10.")
except Exception as e:  # noqa: BLE001 - a bug in an exercise: say so and let the notebook go on
    print(f"Ошибка {type(e).__name__}: {e}. Сначала добейтесь, чтобы проверки упражнений 2 и 10 проходили.")

# %% [markdown]
# Итак, $1/M$ появляется ровно один раз в каждой записи: в конспекте — в формулах (52) и (55)
# градиентов каждого слоя (ошибки $\delta$ там — ошибки отдельных примеров), в курсе — в
# `dZ`, который выдаёт функция потерь, и дальше он сам проходит через все слои. Ошибка «поделить
# на $M$ и там, и там» уменьшает градиенты в $M$ раз — сеть учится, но в $M$ раз медленнее, и
# проверка градиента это ловит.
#
# ## Что дальше
#
# * Ноутбук 08 — об обучении: цикл из этих слоёв — `zero_grad`, `backward`, `step`, перемешанные
#   мини-пакеты, цифры 8×8 и тренировочная площадка для двумерных данных.
# * Добавьте слой `Tanh` (производная через выход: $1 - a^2$) и проверьте его той же проверкой
#   градиента всей сети.
# * В PyTorch `torch.nn.Linear` хранит $W$ в форме $(n_{\text{вых}}, n_{\text{вх}})$ и считает
#   $X W^\top + b$ — сверьте, какие транспонирования при этом меняются местами.
