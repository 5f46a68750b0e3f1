# %% [markdown]
# # 02. Обратный режим на графе
#
# «MML minor #3. Нейронные сети» (слайд «Это называется reverse-mode дифференцирование») и
# «Р. Малашин. Алгоритм обратного распространения ошибки» (конспект), § 1 (`loss.backward()`). В
# ноутбуке 01 производная собиралась суммой по путям — и путей бывает экспоненциально много.
# Обратный режим считает производные выхода **по всем узлам сразу**, проходя каждое ребро
# один раз. На нём построены PyTorch и TensorFlow; здесь вы напишете его сами — маленький
# движок автоматического дифференцирования в духе micrograd.
#
# **После этого ноутбука вы умеете:**
# 1. писать локальный обратный проход (`_backward`) для +, ·, степени, exp, log, sigmoid, ReLU;
# 2. понимать, почему градиенты **накапливаются** (`+=`), а не присваиваются;
# 3. писать `backward()`: топологическая сортировка и обход в обратном порядке;
# 4. считать, сколько рёбер посещает обратный режим, и сравнивать с числом путей.

# %%
import math

import numpy as np
import matplotlib.pyplot as plt

from bpcourse.checks import check_backward, check_local_backward
from bpcourse.graphs import draw_graph

# %% [markdown]
# ## 1. Узел графа
#
# `Value` хранит число `data`, градиент `grad` $= \partial(\text{выход})/\partial(\text{этот узел})$,
# входы `_prev` и функцию `_backward`. Каждая операция создаёт новый узел `out` и прикрепляет к
# нему `_backward`, который по `out.grad` **добавляет** вклад в градиенты своих входов:
#
# $$\texttt{a.grad} \mathrel{+}= \frac{\partial\, \texttt{out}}{\partial\, \texttt{a}} \cdot \texttt{out.grad}.$$
#
# Почему `+=`: если узел используется дважды (как $x$ в $x \cdot x$), его градиент — сумма
# вкладов по обоим путям. Эта ячейка готова; операции вы допишете ниже.

# %%
class Value:
    """A scalar node of a computation graph with its gradient."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op
        self.label = ""

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    # derived operations: defined through the basic ones below
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._wrap(other) - self


# %% [markdown]
# ## 2. Локальные производные операций
#
# В каждой ячейке прямой проход уже написан; допишите тело `_backward`. Проверка после ячейки
# проверяет **только эту операцию**: строит один узел `out` вашим оператором, заранее кладёт в
# `a.grad`, `b.grad` и `out.grad` ненулевые числа, вызывает `out._backward()` один раз и
# сравнивает, что добавилось к градиенту каждого входа, с (∂out/∂вход)·`out.grad`, где частная
# производная посчитана численно по прямому проходу этой же операции. Для сложения и
# умножения есть и случай, когда один узел стоит с обеих сторон (`a + a`, `a·a`).

# %% [markdown]
# ### Упражнение 1. Сложение $a + b$

# %% nbgrader={"grade_id": "add", "solution": true}
def _add(self, other):
    other = self._wrap(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += out.grad
        other.grad += out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.__add__ = _add

# %% nbgrader={"grade": true, "points": 1}
"""Проверка сложения: один узел a + b и a + a (один узел с двух сторон)."""
check_local_backward(Value, "add", 0.8, -1.3)
check_local_backward(Value, "add", 0.8, same=True)

# %% [markdown]
# ### Упражнение 2. Умножение $a \cdot b$

# %% nbgrader={"grade_id": "mul", "solution": true}
def _mul(self, other):
    other = self._wrap(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.__mul__ = _mul

# %% nbgrader={"grade": true, "points": 1}
"""Проверка умножения: один узел a·b и a·a (один узел с двух сторон)."""
check_local_backward(Value, "mul", 0.8, -1.3)
check_local_backward(Value, "mul", -1.1, same=True)

# %% [markdown]
# ### Упражнение 3. Степень $a^k$ с постоянным показателем $k$ (любым: целым, отрицательным, дробным)

# %% nbgrader={"grade_id": "pow", "solution": true}
def _pow(self, k):
    assert isinstance(k, (int, float)), "only constant exponents"
    out = Value(self.data ** k, (self,), f"**{k:g}")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += k * self.data ** (k - 1) * out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.__pow__ = _pow

# %% nbgrader={"grade": true, "points": 1}
"""Проверка степени: показатели 3, −1 и 0.5."""
check_local_backward(Value, "pow", 1.4, k=3)
check_local_backward(Value, "pow", 0.6, k=-1)
check_local_backward(Value, "pow", 2.5, k=0.5)

# %% [markdown]
# ### Упражнение 4. Экспонента $e^a$
#
# Подсказка: производную экспоненты удобно выразить через значение **выхода** — оно уже лежит в
# `out.data`.

# %% nbgrader={"grade_id": "exp", "solution": true}
def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += out.data * out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.exp = _exp

# %% nbgrader={"grade": true, "points": 1}
"""Проверка exp."""
check_local_backward(Value, "exp", 0.7)
check_local_backward(Value, "exp", -1.2)

# %% [markdown]
# ### Упражнение 5. Натуральный логарифм $\ln a$ (при $a > 0$)

# %% nbgrader={"grade_id": "log", "solution": true}
def _log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += out.grad / self.data
        ### END SOLUTION
    out._backward = _backward
    return out


Value.log = _log

# %% nbgrader={"grade": true, "points": 1}
"""Проверка log (на положительных входах)."""
check_local_backward(Value, "log", 0.4)
check_local_backward(Value, "log", 2.2)

# %% [markdown]
# ### Упражнение 6. Сигмоида $\sigma(z)$
#
# Производная сигмоиды выражается через её значение (конспект Р. Малашина, § 4, eq. 27).
# «Храним активации»: значение $\sigma(z)$ уже лежит в `out.data`, пересчитывать не нужно.

# %% nbgrader={"grade_id": "sigmoid", "solution": true}
def _sigmoid(self):
    z = self.data
    s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    out = Value(s, (self,), "sigmoid")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += out.data * (1.0 - out.data) * out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.sigmoid = _sigmoid

# %% nbgrader={"grade": true, "points": 1}
"""Проверка sigmoid."""
check_local_backward(Value, "sigmoid", 1.3)
check_local_backward(Value, "sigmoid", -2.1)

# %% [markdown]
# ### Упражнение 7. ReLU
#
# Производная ReLU — в конспекте Р. Малашина, § 4, eq. 28 (в точке $a = 0$ берём её значение
# при $a \le 0$).

# %% nbgrader={"grade_id": "relu", "solution": true}
def _relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        ### END SOLUTION
    out._backward = _backward
    return out


Value.relu = _relu

# %% nbgrader={"grade": true, "points": 1}
"""Проверка relu: положительные и отрицательный вход, излом a = 0; градиент выхода разных знаков."""
check_local_backward(Value, "relu", 1.6, out_grad=-1.3)
check_local_backward(Value, "relu", 0.5)
check_local_backward(Value, "relu", -0.9, out_grad=-1.3)
check_local_backward(Value, "relu", 0.0, local=0.0)   # в изломе: значение производной при a ≤ 0

# %% [markdown]
# ## 3. `backward()`: обратный проход по всему графу
#
# Чтобы узел передал градиент дальше, он должен сначала **собрать** вклады от всех своих
# потребителей. Поэтому узлы обходят в обратном **топологическом** порядке (каждый узел идёт
# после всех своих входов; обратный порядок — от выхода к входам):
#
# 1. топологическая сортировка: список всех узлов, от которых зависит выход, где каждый узел
#    стоит после всех своих входов (`_prev`) и встречается один раз (как его построить — вспомните
#    обходы графа; не всякий обход даёт такой порядок);
# 2. обнулить `grad` всех узлов, затем `self.grad = 1` ($\partial\,\text{out}/\partial\,\text{out} = 1$);
# 3. для узлов в обратном порядке вызвать `v._backward()`.
#
# Пусть `backward()` ещё и **вернёт число посещённых рёбер**: сумму `len(v._prev)` по всем узлам.

# %% [markdown]
# ### Упражнение 8. `backward()`

# %% nbgrader={"grade_id": "backward", "solution": true}
def _backward_pass(self):
    """Fill .grad of every node with d(self)/d(node); return the number of edges visited."""
    ### BEGIN SOLUTION
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for child in v._prev:
                visit(child)
            order.append(v)

    visit(self)
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    edges = 0
    for v in reversed(order):
        v._backward()
        edges += len(v._prev)
    return edges
    ### END SOLUTION


Value.backward = _backward_pass

# %% nbgrader={"grade": true, "points": 2}
"""Проверка backward() отдельно от операций: граф из ваших Value, а _backward узлов — записывающие
заглушки. Каждый узел обработан один раз и после всех, кто его использует; градиенты обнулены;
∂out/∂out = 1; возвращено число рёбер."""
check_backward(Value)

# %% [markdown]
# ## 4. Граф с градиентами
#
# Функция из лекции и ноутбука 01: $f(x, y) = x^2 + xy + (x + y)^2$ в точке $x = 1$, $y = 2$. В
# каждом узле — значение и $\partial f / \partial(\text{узел})$. Сравните с суммой по путям из
# ноутбука 01: $\partial f/\partial x = 10$, $\partial f/\partial y = 7$.

# %%
try:
    x, y = Value(1.0), Value(2.0)
    x.label, y.label = "x", "y"
    f = x ** 2 + x * y + (x + y) ** 2
    f.backward()
    print(f"∂f/∂x = {x.grad:g}, ∂f/∂y = {y.grad:g}")
    draw_graph(f, title="f = x² + xy + (x + y)²: значения и градиенты")
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1–8, чтобы увидеть граф.")

# %% [markdown]
# Нейрон с сигмоидой и квадратичной ошибкой («Лекция 2. Алгоритм обратного распространения
# ошибки»): $L = (\sigma(w x + b) - t)^2$.
# Градиенты по $w$ и $b$ — это то, чем будет двигать веса градиентный спуск.

# %%
try:
    w, b, xin, t = Value(0.8), Value(-0.2), Value(1.5), Value(1.0)
    w.label, b.label, xin.label, t.label = "w", "b", "x", "t"
    L = ((w * xin + b).sigmoid() - t) ** 2
    L.backward()
    print(f"L = {L.data:.4f}, ∂L/∂w = {w.grad:.4f}, ∂L/∂b = {b.grad:.4f}")
    draw_graph(L, title="L = (σ(w·x + b) − t)²")
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1–8, чтобы увидеть граф.")

# %% [markdown]
# ## 5. Рёбра против путей
#
# Соберём «сеть» из слоёв сумматоров: каждый узел слоя — сумма произведений всех узлов
# предыдущего слоя на веса. Обратный режим проходит каждое ребро один раз (число вернёт ваш
# `backward()`), а сумма по путям перебрала бы $w^{D}$ путей для каждой пары вход–выход.

# %%
def layered_network(width, depth, seed=0):
    rng = np.random.default_rng(seed)
    layer = [Value(v) for v in rng.uniform(-1, 1, size=width)]
    inputs = list(layer)
    for _ in range(depth):
        layer = [sum((Value(rng.uniform(-0.5, 0.5)) * v for v in layer), Value(0.0)) for _ in range(width)]
    return inputs, sum(layer, Value(0.0))


try:
    depths = np.arange(1, 9)
    visited, paths = [], []
    for D in depths:
        inputs, out = layered_network(3, int(D))
        visited.append(out.backward())
        paths.append(3 ** int(D) * 3)   # from each input: 3^D paths, 3 inputs
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.semilogy(depths, paths, "o-", label="путей вход → выход (сумма по путям)")
    ax.semilogy(depths, visited, "s-", label="рёбер, посещённых backward()")
    ax.set(xlabel="глубина (слоёв шириной 3)", ylabel="штук", title="Обратный режим линеен по числу рёбер")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Выполните упражнения 1–8, чтобы увидеть график.")

# %% [markdown]
# ## Что дальше
#
# * Сравните свой движок с PyTorch: `torch.tensor(1.0, requires_grad=True)`, те же выражения,
#   `loss.backward()` и `.grad` — числа должны совпасть.
# * Попробуйте: почему `backward()`, вызванный дважды подряд, не удваивает градиенты в вашей
#   реализации? (Что было бы без шага 2?)
