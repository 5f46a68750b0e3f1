# %% [markdown]
# # 04. Сеть 2-2-2 вручную
#
# По второй половине «Лекция 2. Алгоритм обратного распространения ошибки» (слайды «Градиент»,
# «Градиент выходного слоя», «Градиент скрытого слоя», «Алгоритм обратного распространения
# ошибки») и по опубликованному разбору, на который лекция ссылается в «ССЫЛКИ»: Matt Mazur,
# «A Step by Step Backpropagation Example». В конце — цепочка из одного нейрона на слой из
# «3Blue1Brown: Алгоритм обратного распространения ошибки» (раздел «Формализация алгоритма
# обратного распространения ошибки»).
#
# Здесь нет матриц: сеть из двух входов, двух скрытых и двух выходных нейронов с сигмоидой, и
# каждую производную вы считаете отдельной скалярной формулой — так, как это делает лекция.
# Все числа можно сверить с опубликованным примером до девятого знака.
#
# **После этого ноутбука вы умеете:**
# 1. считать прямой проход сети 2-2-2 и квадратичную ошибку $E_{total}$;
# 2. считать ошибку нейрона $\delta$ выходного слоя и из неё — $\partial E/\partial w_5 \ldots \partial E/\partial w_8$;
# 3. считать $\delta$ скрытого нейрона как **сумму по двум путям** и из неё — $\partial E/\partial w_1 \ldots \partial E/\partial w_4$;
# 4. делать шаг градиентного спуска, в котором все градиенты взяты по весам **до** шага;
# 5. сверять выведенные формулы с численным градиентом и видеть, как обучение снижает ошибку;
# 6. читать цепное правило как «подталкивания» (nudges) 3Blue1Brown: насколько сдвиг веса,
#    смещения или предыдущей активации меняет стоимость.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: видимая проверка под
# ним (на опубликованном примере) и скрытая (на других весах, входах и целях) смотрят только на
# эту функцию. Поэтому функции получают нужные величины **аргументами** (δ скрытого слоя
# получает δ выходного слоя готовыми), а в упражнении 6, где нужен весь шаг целиком, пишите
# функцию **самодостаточной**: не вызывайте свои функции из других упражнений, а скопируйте
# нужные строки. Тогда ошибка в одном упражнении не отнимет баллы за другое.

# %%
import math
import time

import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks
from bpcourse.gradcheck import numerical_gradient, rel_error

# %% [markdown]
# ## 0. Сеть и обозначения
#
# Лекция пишет $z_1^{(1)}, a_1^{(1)}, w_{11}^{(2)}$; опубликованный разбор называет те же
# величины короче, и в этом ноутбуке мы пользуемся его именами (в коде — теми же):
#
# | разбор (и код) | лекция | что это |
# |---|---|---|
# | `i1`, `i2` | $x_1, x_2$ | входы |
# | `net_h1`, `net_h2` | $z_1^{(1)}, z_2^{(1)}$ | вход скрытого нейрона (до сигмоиды) |
# | `h1`, `h2` | $a_1^{(1)}, a_2^{(1)}$ | активации скрытых нейронов |
# | `net_o1`, `net_o2` | $z_1^{(2)}, z_2^{(2)}$ | вход выходного нейрона |
# | `o1`, `o2` | $o_1, o_2$ | выходы сети |
# | `t1`, `t2` | $t_1, t_2$ | цели |
# | `w1`, `w2` / `w3`, `w4` | $w_{11}^{(1)}, w_{12}^{(1)}$ / $w_{21}^{(1)}, w_{22}^{(1)}$ | веса в $h_1$ / в $h_2$ (от $i_1$, от $i_2$) |
# | `w5`, `w6` / `w7`, `w8` | $w_{11}^{(2)}, w_{12}^{(2)}$ / $w_{21}^{(2)}, w_{22}^{(2)}$ | веса в $o_1$ / в $o_2$ (от $h_1$, от $h_2$) |
# | `b1`, `b2` | $b^{(1)}, b^{(2)}$ | смещения слоёв |
#
# Прямой проход (слайд «Градиент», $\mathbf z^{(1)} = \mathbf W^{(1)} \mathbf x + \mathbf b^{(1)}$,
# $\mathbf a^{(1)} = \sigma(\mathbf z^{(1)})$, записанные поэлементно):
#
# $$net_{h1} = w_1 i_1 + w_2 i_2 + b_1, \qquad h_1 = \sigma(net_{h1}), \qquad
#   net_{o1} = w_5 h_1 + w_6 h_2 + b_2, \qquad o_1 = \sigma(net_{o1}),$$
#
# и так же для $h_2$ (веса $w_3, w_4$) и $o_2$ (веса $w_7, w_8$). Ошибка на одном примере —
# квадратичная (слайд «Градиент»):
#
# $$E_{total} = \tfrac12 (t_1 - o_1)^2 + \tfrac12 (t_2 - o_2)^2 .$$
#
# В опубликованном примере у каждого слоя **одно** смещение на оба нейрона ($b_1$ у скрытого,
# $b_2$ у выходного), и обучаются только веса $w_1 \ldots w_8$ — смещения не меняются. Числа
# примера: входы 0.05 и 0.10, цели 0.01 и 0.99, веса $w_1 \ldots w_8$ = 0.15, 0.20, 0.25, 0.30,
# 0.40, 0.45, 0.50, 0.55, смещения 0.35 и 0.60, скорость обучения $\eta = 0.5$. Веса в коде —
# массив `W` из восьми чисел: `W[0]` — это $w_1$, …, `W[7]` — это $w_8$.
#
# Сигмоида дана готовой (её саму и её производную разбирает «MML minor #3. Нейронные сети»,
# слайд «Логистическая регрессия»); она записана так, чтобы `math.exp` не переполнялся.

# %%
def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)) for a number x, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# %%
W = np.array([0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55])   # w1 … w8
I1, I2 = 0.05, 0.10
T1, T2 = 0.01, 0.99
B1, B2 = 0.35, 0.60
LR = 0.5


def draw_network(w, values=None, title=""):
    """The 2-2-2 network: every weight on its edge, and (if given) a value under each neuron."""
    pos = {"i1": (0, 2), "i2": (0, 0), "h1": (3, 2), "h2": (3, 0), "o1": (6, 2), "o2": (6, 0)}
    edges = [("i1", "h1"), ("i2", "h1"), ("i1", "h2"), ("i2", "h2"),
             ("h1", "o1"), ("h2", "o1"), ("h1", "o2"), ("h2", "o2")]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for k, (a, b) in enumerate(edges):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="0.6", lw=1.2, zorder=1)
        f = 0.5 if y0 == y1 else 0.4                       # crossing edges: off their crossing point
        ax.text(x0 + f * (x1 - x0), y0 + f * (y1 - y0), f"w{k + 1} = {w[k]:.4g}", fontsize=9, ha="center",
                va="center", zorder=3, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.8"))
    for name, (x, y) in pos.items():
        ax.add_patch(plt.Circle((x, y), 0.32, color="C2" if name[0] == "i" else "C0", zorder=2))
        ax.text(x, y, name, color="white", fontsize=11, ha="center", va="center", zorder=4)
        if values and name in values:
            ax.text(x, y - 0.45, values[name], fontsize=9, ha="center", va="top")
    ax.text(3, 2.55, "смещение b1", fontsize=9, ha="center", color="C0")
    ax.text(6, 2.55, "смещение b2", fontsize=9, ha="center", color="C0")
    ax.set(xlim=(-1.2, 7.4), ylim=(-1.0, 2.9), title=title)
    ax.set_aspect("equal")
    ax.axis("off")
    plt.show()


draw_network(W, {"i1": "0.05", "i2": "0.10", "o1": "цель 0.01", "o2": "цель 0.99"},
             "Сеть 2-2-2 опубликованного примера")

# %% [markdown]
# ## 1. Прямой проход
#
# ### Упражнение 1. `forward_222`
#
# Посчитайте по формулам выше $net_{h1}, h_1, net_{h2}, h_2, net_{o1}, o_1, net_{o2}, o_2$ и
# $E_{total}$ — каждую величину своей строкой и под своим именем. Веса уже распакованы в
# `w1` … `w8`. Функция возвращает пять чисел: `h1, h2, o1, o2, E_total`.

# %% nbgrader={"solution": true}
def forward_222(w, i1, i2, t1, t2, b1, b2):
    """Forward pass of the 2-2-2 sigmoid network and its squared error.

    Parameters
    ----------
    w : ndarray of shape (8,), the weights w1 … w8 (not changed)
    i1, i2 : float, inputs
    t1, t2 : float, targets
    b1, b2 : float, biases of the hidden and of the output layer

    Returns
    -------
    h1, h2, o1, o2, E_total : float
    """
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    ### BEGIN SOLUTION
    net_h1 = w1 * i1 + w2 * i2 + b1
    net_h2 = w3 * i1 + w4 * i2 + b1
    h1 = sigmoid(net_h1)
    h2 = sigmoid(net_h2)
    net_o1 = w5 * h1 + w6 * h2 + b2
    net_o2 = w7 * h1 + w8 * h2 + b2
    o1 = sigmoid(net_o1)
    o2 = sigmoid(net_o2)
    E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
    ### END SOLUTION
    return h1, h2, o1, o2, E_total


# %% nbgrader={"grade": true, "points": 2}
"""Проверка forward_222: h1, h2, o1, o2 и E_total опубликованного примера до 9 знаков; w не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_forward_222??
checks.check_forward_222(forward_222)

# %% [markdown]
# Опубликованный пример: $h_1 = 0.593269992$, $h_2 = 0.596884378$, $o_1 = 0.75136507$,
# $o_2 = 0.772928465$, $E_{total} = 0.298371109$. Сеть сильно ошибается на первом выходе
# (0.75 вместо 0.01) и немного — на втором (0.77 вместо 0.99).

# %%
try:
    h1, h2, o1, o2, E_total = forward_222(W, I1, I2, T1, T2, B1, B2)
    print(f"h1 = {h1:.9f}   h2 = {h2:.9f}   o1 = {o1:.9f}   o2 = {o2:.9f}   E_total = {E_total:.9f}")
    draw_network(W, {"i1": "0.05", "i2": "0.10", "h1": f"h1 = {h1:.4f}", "h2": f"h2 = {h2:.4f}",
                     "o1": f"o1 = {o1:.4f} (цель 0.01)", "o2": f"o2 = {o2:.4f} (цель 0.99)"},
                 f"Прямой проход: E_total = {E_total:.6f}")
except NotImplementedError:
    print("Сначала решите упражнение 1 — тогда здесь появятся значения и схема сети.")

# %% [markdown]
# ## 2. Выходной слой: $\delta_{o}$ и $\partial E / \partial w_5 \ldots \partial E / \partial w_8$
#
# Слайд «Градиент выходного слоя»: вес $w_5$ влияет на ошибку по цепочке
# $w_5 \to net_{o1} \to o_1 \to E_{total}$, поэтому (цепное правило)
#
# $$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial o_1}\,
#   \frac{\partial o_1}{\partial net_{o1}}\, \frac{\partial net_{o1}}{\partial w_5}.$$
#
# Произведение первых двух множителей лекция называет **ошибкой нейрона** (local gradient):
# $\delta_{o1} = \partial E_{total} / \partial net_{o1}$ — её «вычисляем для каждого нейрона
# однократно и сохраняем». Первый множитель — производная $E_{total}$ по $o_1$ (от $o_1$ зависит
# только слагаемое $\tfrac12 (t_1 - o_1)^2$). Второй — производная сигмоиды, и слайд «Храним
# активации (а $z$ — не храним)» подсказывает, как её считать: через уже посчитанную
# активацию $o_1$, без повторного вычисления $net_{o1}$ и экспонент. Третий множитель —
# производная линейной функции $net_{o1} = w_5 h_1 + w_6 h_2 + b_2$ по $w_5$. Выведите каждый
# множитель на бумаге, прежде чем писать код.

# %% [markdown]
# ### Упражнение 2. `output_deltas`
#
# По выходам `o1`, `o2` и целям `t1`, `t2` верните $\delta_{o1}, \delta_{o2}$ — производные
# $E_{total}$ по $net_{o1}$ и $net_{o2}$ (со знаком, как в лекции: $\delta = \partial E / \partial z$).

# %% nbgrader={"solution": true}
def output_deltas(o1, o2, t1, t2):
    """δ of the output neurons, ∂E_total/∂net_o1 and ∂E_total/∂net_o2.

    Parameters
    ----------
    o1, o2 : float, outputs of the network (the stored activations)
    t1, t2 : float, targets

    Returns
    -------
    delta_o1, delta_o2 : float
    """
    ### BEGIN SOLUTION
    delta_o1 = (o1 - t1) * o1 * (1 - o1)
    delta_o2 = (o2 - t2) * o2 * (1 - o2)
    ### END SOLUTION
    return delta_o1, delta_o2


# %% nbgrader={"grade": true, "points": 1}
"""Проверка output_deltas: δ выходных нейронов опубликованного примера."""
# входы и ожидаемые значения этой проверки покажет checks.check_output_deltas??
checks.check_output_deltas(output_deltas)

# %% [markdown]
# ### Упражнение 3. `output_grads`
#
# Из $\delta_{o1}, \delta_{o2}$ и активаций $h_1, h_2$ верните
# $\partial E/\partial w_5, \partial E/\partial w_6, \partial E/\partial w_7, \partial E/\partial w_8$.
# Сверьтесь со схемой: какой вес соединяет какие два нейрона.

# %% nbgrader={"solution": true}
def output_grads(delta_o1, delta_o2, h1, h2):
    """∂E_total/∂w5 … ∂E_total/∂w8.

    Parameters
    ----------
    delta_o1, delta_o2 : float, δ of the output neurons
    h1, h2 : float, activations of the hidden neurons

    Returns
    -------
    dw5, dw6, dw7, dw8 : float
    """
    ### BEGIN SOLUTION
    dw5 = delta_o1 * h1
    dw6 = delta_o1 * h2
    dw7 = delta_o2 * h1
    dw8 = delta_o2 * h2
    ### END SOLUTION
    return dw5, dw6, dw7, dw8


# %% nbgrader={"grade": true, "points": 1}
"""Проверка output_grads: ∂E/∂w5 … ∂E/∂w8 опубликованного примера."""
# входы и ожидаемые значения этой проверки покажет checks.check_output_grads??
checks.check_output_grads(output_grads)

# %% [markdown]
# ## 3. Скрытый слой: сумма по двум путям
#
# Слайд «Градиент скрытого слоя»: $h_1$ входит **в оба** выходных нейрона, поэтому на
# $E_{total} = e_1 + e_2$ он влияет двумя путями — через $net_{o1}$ и через $net_{o2}$:
#
# $$\frac{\partial E_{total}}{\partial h_1} = \frac{\partial e_1}{\partial h_1} + \frac{\partial e_2}{\partial h_1},
#   \qquad \frac{\partial e_1}{\partial h_1} = \frac{\partial E_{total}}{\partial net_{o1}}\,
#   \frac{\partial net_{o1}}{\partial h_1} .$$
#
# Первый множитель — это уже сохранённая $\delta_{o1}$ (вот зачем её хранить), второй —
# производная $net_{o1} = w_5 h_1 + w_6 h_2 + b_2$ по $h_1$. Второй путь — так же, через $o_2$.
# Дальше, как и в выходном слое, $\delta_{h1} = \partial E_{total}/\partial net_{h1}$ получается
# умножением на производную сигмоиды скрытого нейрона (снова через сохранённую активацию), а
# $\partial E/\partial w_1$ — умножением $\delta_{h1}$ на производную $net_{h1}$ по $w_1$.
# В общем виде это рекурсия со слайда «Алгоритм обратного распространения ошибки»: ошибка
# нейрона — производная его активации, умноженная на сумму по нейронам-«детям».

# %% [markdown]
# ### Упражнение 4. `hidden_deltas`
#
# По $\delta_{o1}, \delta_{o2}$ (готовым — не пересчитывайте их), активациям $h_1, h_2$ и
# весам $w_5 \ldots w_8$ верните $\delta_{h1}, \delta_{h2}$.

# %% nbgrader={"solution": true}
def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
    """δ of the hidden neurons, ∂E_total/∂net_h1 and ∂E_total/∂net_h2.

    Parameters
    ----------
    delta_o1, delta_o2 : float, δ of the output neurons
    h1, h2 : float, activations of the hidden neurons
    w5, w6, w7, w8 : float, weights from the hidden to the output layer

    Returns
    -------
    delta_h1, delta_h2 : float
    """
    ### BEGIN SOLUTION
    dE_dh1 = delta_o1 * w5 + delta_o2 * w7
    dE_dh2 = delta_o1 * w6 + delta_o2 * w8
    delta_h1 = dE_dh1 * h1 * (1 - h1)
    delta_h2 = dE_dh2 * h2 * (1 - h2)
    ### END SOLUTION
    return delta_h1, delta_h2


# %% nbgrader={"grade": true, "points": 2}
"""Проверка hidden_deltas: δ скрытых нейронов опубликованного примера."""
# входы и ожидаемые значения этой проверки покажет checks.check_hidden_deltas??
checks.check_hidden_deltas(hidden_deltas)

# %% [markdown]
# ### Упражнение 5. `hidden_grads`
#
# Из $\delta_{h1}, \delta_{h2}$ и входов $i_1, i_2$ верните
# $\partial E/\partial w_1, \partial E/\partial w_2, \partial E/\partial w_3, \partial E/\partial w_4$.

# %% nbgrader={"solution": true}
def hidden_grads(delta_h1, delta_h2, i1, i2):
    """∂E_total/∂w1 … ∂E_total/∂w4.

    Parameters
    ----------
    delta_h1, delta_h2 : float, δ of the hidden neurons
    i1, i2 : float, inputs

    Returns
    -------
    dw1, dw2, dw3, dw4 : float
    """
    ### BEGIN SOLUTION
    dw1 = delta_h1 * i1
    dw2 = delta_h1 * i2
    dw3 = delta_h2 * i1
    dw4 = delta_h2 * i2
    ### END SOLUTION
    return dw1, dw2, dw3, dw4


# %% nbgrader={"grade": true, "points": 1}
"""Проверка hidden_grads: ∂E/∂w1 … ∂E/∂w4 опубликованного примера."""
# входы и ожидаемые значения этой проверки покажет checks.check_hidden_grads??
checks.check_hidden_grads(hidden_grads)

# %% [markdown]
# ## 4. Шаг градиентного спуска
#
# Слайд «Алгоритм обратного распространения ошибки», «Обновление весов»:
# $w(n+1) = w(n) - \eta\, \partial E / \partial w$, с $\eta = 0.5$ в опубликованном примере. (На
# последнем слайде лекции в этой формуле стоит «+»; при $\delta = \partial E/\partial z$, как
# здесь, спуск — это «−».)
#
# Главная ловушка: **все** восемь градиентов одного шага считаются по весам **до** шага. Если
# сначала обновить $w_5 \ldots w_8$, а потом считать $\delta_{h1}, \delta_{h2}$ (в которые эти
# веса входят), получится градиент не той функции — сеть всё равно будет учиться, но это уже не
# градиентный спуск, и числа разойдутся с опубликованными.

# %% [markdown]
# ### Упражнение 6. `update_step`
#
# Один шаг: прямой проход, $\delta$ выходного и скрытого слоёв, восемь градиентов и новые веса
# $w_1 \ldots w_8$. Функция самодостаточна: скопируйте нужные строки из упражнений 1–5, а не
# вызывайте свои функции. Входной массив `w` не меняйте (`w[4] -= ...` испортит веса
# вызывающего кода) — верните новые веса (кортеж из восьми чисел или новый массив).

# %% nbgrader={"solution": true}
def update_step(w, i1, i2, t1, t2, b1, b2, lr):
    """One gradient-descent step on w1 … w8 (biases fixed), every gradient from the old weights.

    Parameters
    ----------
    w : ndarray of shape (8,), the weights w1 … w8 before the step (not changed)
    i1, i2, t1, t2, b1, b2 : float, as in forward_222
    lr : float, learning rate η

    Returns
    -------
    the eight new weights (a tuple of floats or an ndarray of shape (8,))
    """
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    ### BEGIN SOLUTION
    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
    delta_o1 = (o1 - t1) * o1 * (1 - o1)
    delta_o2 = (o2 - t2) * o2 * (1 - o2)
    delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * h1 * (1 - h1)
    delta_h2 = (delta_o1 * w6 + delta_o2 * w8) * h2 * (1 - h2)
    grads = (delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2,
             delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2)
    return tuple(wk - lr * gk for wk, gk in zip(w, grads))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка update_step: новые w1 … w8 опубликованного примера после шага с lr = 0.5; w не меняется."""
# входы и ожидаемые значения этой проверки покажет checks.check_update_step??
checks.check_update_step(update_step)

# %% [markdown]
# Опубликованный пример после одного шага: $w_5 \ldots w_8$ = 0.35891648, 0.408666186,
# 0.511301270, 0.561370121 и $w_1 \ldots w_4$ = 0.149780716, 0.19956143, 0.24975114,
# 0.29950229. Веса скрытого слоя сдвинулись в десятки и сотни раз меньше, чем выходного: их градиенты
# прошли через ещё одну производную сигмоиды (не больше ¼) и умножены на маленькие входы.
#
# ## 5. Десять тысяч шагов
#
# Повторим шаг 10 000 раз и запишем ошибку перед каждым обновлением (ось ошибки
# логарифмическая). В опубликованном примере после 10 000 повторений ошибка 0.0000351085 —
# так выглядит ошибка, посчитанная прямым проходом 10 000-го повторения, **до** его обновления
# (после 9 999 обновлений); после самого 10 000-го обновления она чуть меньше.

# %%
def train_222(w, steps):
    """``steps`` calls of update_step from w; returns the new weights and the error before each step."""
    errors = []
    for _ in range(steps):
        errors.append(forward_222(w, I1, I2, T1, T2, B1, B2)[4])
        w = np.array(update_step(w, I1, I2, T1, T2, B1, B2, LR), dtype=float)
    return w, errors


try:
    start = time.perf_counter()
    W_trained, errors = train_222(W, 10_000)
    seconds = time.perf_counter() - start
    E_final = forward_222(W_trained, I1, I2, T1, T2, B1, B2)[4]
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.semilogy(np.arange(1, len(errors) + 1), errors)
    ax.axhline(0.0000351085, ls=":", color="C3", label="опубликовано: 0.0000351085")
    ax.set(xlabel="номер шага", ylabel="E_total до шага", title="Обучение сети 2-2-2, η = 0.5")
    ax.legend(fontsize=8)
    plt.show()
    print(f"10 000 шагов заняли {seconds:.2f} с")
    print(f"ошибка в 10 000-м повторении (до его обновления): {errors[-1]:.10f}  (опубликовано 0.0000351085)")
    print(f"ошибка после 10 000 обновлений: {E_final:.10f}")
    _, _, o1, o2, _ = forward_222(W_trained, I1, I2, T1, T2, B1, B2)
    print(f"выходы: o1 = {o1:.6f} (цель 0.01), o2 = {o2:.6f} (цель 0.99)")
except NotImplementedError:
    print("Сначала решите упражнения 1 и 6 — тогда здесь появится кривая обучения.")

# %% [markdown]
# Ошибка падает быстро в начале и всё медленнее потом: чем ближе выходы к целям, тем меньше
# $t - o$, а вместе с ним и градиент. Выходы с сигмоидой никогда не достигнут 0.01 и 0.99 точно
# за конечное число шагов, но подходят к ним сколь угодно близко.
#
# ## 6. Выведенные формулы против определения производной
#
# Градиент — это набор обычных производных: $\partial E / \partial w_k \approx
# \big(E(w_k + h) - E(w_k - h)\big) / 2h$ (центральная разность, $h = 10^{-5}$). Посчитаем его
# функцией курса `numerical_gradient` — она ничего не знает о $\delta$ и сигмоидах — и сравним с
# градиентом из ваших упражнений 1–5 по `rel_error` (для гладких функций ожидаем $10^{-7}$ и
# лучше).

# %%
def E_of_weights(w):
    """E_total of the published example as a function of the eight weights alone."""
    return forward_222(w, I1, I2, T1, T2, B1, B2)[4]


def backprop_gradient(w):
    """∂E/∂w1 … ∂E/∂w8 from the exercises 1–5 (the weights before any step)."""
    h1, h2, o1, o2, _ = forward_222(w, I1, I2, T1, T2, B1, B2)
    d_o1, d_o2 = output_deltas(o1, o2, T1, T2)
    d_h1, d_h2 = hidden_deltas(d_o1, d_o2, h1, h2, w[4], w[5], w[6], w[7])
    return np.array([*hidden_grads(d_h1, d_h2, I1, I2), *output_grads(d_o1, d_o2, h1, h2)])


try:
    analytic = backprop_gradient(W)
    numeric = numerical_gradient(E_of_weights, W.copy())
    print("по формулам:", analytic)
    print("численно:   ", numeric)
    print(f"rel_error = {rel_error(analytic, numeric):.1e}")
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    k = np.arange(1, 9)
    ax.bar(k - 0.2, np.abs(analytic), width=0.4, label="по формулам (упражнения 1–5)")
    ax.bar(k + 0.2, np.abs(numeric), width=0.4, label="центральная разность")
    ax.set(yscale="log", xticks=k, xticklabels=[f"w{i}" for i in k], ylabel="|∂E/∂w|",
           title="Насколько E_total чувствительна к каждому весу")
    ax.legend(fontsize=8)
    plt.show()
except NotImplementedError:
    print("Сначала решите упражнения 1–5 — тогда здесь появится сравнение с численным градиентом.")

# %% [markdown]
# Столбики совпадают — выведенные вручную формулы и определение производной дают одно и то же.
# Высоты отличаются почти на два порядка: сдвиг $w_5$ меняет ошибку в сотню раз сильнее, чем такой же
# сдвиг $w_1$. Если в одном из упражнений ошибка, здесь она видна сразу: столбики этого веса
# разойдутся, а `rel_error` станет порядка $10^{-2}$ и больше.
#
# ## 7. Один нейрон на слой: «подталкивания» 3Blue1Brown
#
# «3Blue1Brown: Алгоритм обратного распространения ошибки», разделы «Формализация…»,
# «Вычисление производной по весам последнего слоя», «…по смещениям последнего слоя» и
# «Зависимость от предыдущих слоев» разбирают самую простую цепочку: по одному нейрону в
# слое. Обозначения там свои: стоимость одного примера без ½,
#
# $$C_0 = (a^{(L)} - y)^2, \qquad z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}, \qquad a^{(L)} = \sigma(z^{(L)}) .$$
#
# Производная $\partial C_0 / \partial w^{(L)}$ — это отношение «маленький толчок $w$ → во сколько
# раз больший (или меньший) сдвиг стоимости». По цепному правилу она — произведение трёх
# звеньев $w \to z \to a \to C_0$; $\partial C_0/\partial b^{(L)}$ отличается одним звеном, а
# $\partial C_0/\partial a^{(L-1)}$ показывает, куда толкать **предыдущий** слой — с этого
# начинается обратное распространение дальше.

# %% [markdown]
# ### Упражнение 7. `chain_grads`
#
# Для чисел $w = w^{(L)}$, $b = b^{(L)}$, `a_prev` $= a^{(L-1)}$ и $y$ верните
# $\partial C_0/\partial w^{(L)}$, $\partial C_0/\partial b^{(L)}$, $\partial C_0/\partial a^{(L-1)}$.

# %% nbgrader={"solution": true}
def chain_grads(w, b, a_prev, y):
    """Gradients of C0 = (a − y)², a = σ(w a_prev + b), for one neuron per layer.

    Parameters
    ----------
    w, b : float, weight and bias of the last neuron
    a_prev : float, activation of the previous neuron
    y : float, desired output

    Returns
    -------
    dC_dw, dC_db, dC_da_prev : float
    """
    ### BEGIN SOLUTION
    a = sigmoid(w * a_prev + b)
    dC_dz = 2 * (a - y) * a * (1 - a)
    dC_dw = dC_dz * a_prev
    dC_db = dC_dz
    dC_da_prev = dC_dz * w
    ### END SOLUTION
    return dC_dw, dC_db, dC_da_prev


# %% nbgrader={"grade": true, "points": 1}
"""Проверка chain_grads: две точки (a ниже y и a выше y)."""
# входы и ожидаемые значения этой проверки покажет checks.check_chain_grads??
checks.check_chain_grads(chain_grads)

# %% [markdown]
# Теперь подтолкнём по очереди $w$, $b$ и $a^{(L-1)}$ на $\varepsilon = 0.05$ и посмотрим, на
# сколько на самом деле изменилась стоимость, рядом с тем, что предсказывает производная:
# $\Delta C_0 \approx \varepsilon \cdot \partial C_0 / \partial(\cdot)$.

# %%
def cost(w, b, a_prev, y):
    return (sigmoid(w * a_prev + b) - y) ** 2


try:
    point, eps = (1.2, -0.3, 0.6, 1.0), 0.05
    grads = chain_grads(*point)
    names = ["w", "b", "a_prev"]
    actual = []
    for k in range(3):
        nudged = list(point)
        nudged[k] += eps
        actual.append(cost(*nudged) - cost(*point))
    predicted = [eps * g for g in grads]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = np.arange(3)
    ax.bar(x - 0.2, actual, width=0.4, color="C1", label="на самом деле: C(… + ε) − C")
    ax.bar(x + 0.2, predicted, width=0.4, color="C0", label="по производной: ε · ∂C/∂(·)")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set(xticks=x, xticklabels=["толчок w", "толчок b", "толчок a^(L−1)"], ylabel="ΔC₀",
           title=f"C₀ = {cost(*point):.4f}; каждый параметр сдвинут на ε = {eps}")
    ax.legend(fontsize=8)
    plt.show()
    for name, g, d in zip(names, grads, actual):
        print(f"∂C/∂{name:<6} = {g:+.5f}   ε·∂C/∂{name:<6} = {eps * g:+.6f}   ΔC = {d:+.6f}")
except NotImplementedError:
    print("Сначала решите упражнение 7 — тогда здесь появятся «подталкивания».")

# %% [markdown]
# Все три толчка уменьшают стоимость (столбики ниже нуля): здесь $a < y$, и любой сдвиг,
# увеличивающий $z$, приближает $a$ к $y$. Сильнее всего действует толчок $a^{(L-1)}$ — у него
# самый большой множитель в последнем звене. Предсказание по производной чуть отличается от
# настоящего сдвига: производная точна только для бесконечно малых толчков.
#
# ## Что дальше
#
# * Та же рекурсия для сети любой глубины: δ слоя $l$ получается из δ слоя $l+1$ по формуле
#   со слайда «Алгоритм обратного распространения ошибки», а в векторной форме — одним
#   умножением на матрицу весов («Р. Малашин. Алгоритм обратного распространения ошибки», § 4–6).
# * Попробуйте: обучайте и смещения $b_1, b_2$ (выведите их производные сами: каждое смещение
#   общее для двух нейронов слоя) и сравните кривую ошибки с той, что выше.
# * Попробуйте $\eta = 0.1$ и $\eta = 5$: как меняется кривая обучения?
