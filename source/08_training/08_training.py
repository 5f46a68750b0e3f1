# %% [markdown]
# # 08. Обучение
#
# По «Лекция 2. Алгоритм обратного распространения ошибки» (слайды «Алгоритм обратного
# распространения ошибки»: инициализация, цикл по эпохам и батчам, обновление весов, критерии
# останова), «3Blue1Brown: Алгоритм обратного распространения ошибки» (раздел «Стохастический
# градиентный спуск») и «MML minor #3. Нейронные сети» (слайд «Демо: нейросети в TensorFlow
# Playground»). В ноутбуке 07 слои научились считать градиенты для пакета. Теперь соберём из этого
# **обучение**: много шагов градиентного спуска по перемешанным мини-пакетам, эпоха за эпохой,
# пока не сработает критерий останова.
#
# **После этого ноутбука вы умеете:**
# 1. писать оптимизатор SGD с методами `step` и `zero_grad`, как в PyTorch, и объяснять, зачем
#    обнулять градиенты перед каждым шагом;
# 2. нарезать эпоху на перемешанные мини-пакеты генератором случайных чисел;
# 3. писать одну эпоху обучения: `zero_grad` → прямой проход → потери → `backward` → `step`;
# 4. считать $\|\nabla E\|$ и проверять критерии останова $\|\nabla E\| < \varepsilon$ и
#    $|\Delta E| < \varepsilon$;
# 5. обучать сеть 64-16-16-10 на цифрах 8×8 и видеть, чем путь SGD отличается от пути полного
#    градиентного спуска.
#
# **Обозначения** — как в ноутбуке 07: пакет по строкам, $X$ формы $(M, n_{\text{вх}})$, цели $T$
# формы $(M, K)$, потери MSE усреднены по пакету (поэтому $1/M$ уже сидит в градиенте, который
# отдаёт `loss_fn.backward()`), всё в float64. Скорость обучения — $\alpha$ (в лекции $\eta$),
# в коде `lr`.
#
# **Как оцениваются упражнения.** Каждое упражнение проверяется отдельно: слои, потери и
# оптимизатор, которые получает ваша функция, — готовые объекты курса (`bpcourse.nn`: те же
# `forward` и `backward`, что вы писали в ноутбуке 07), а не ваши, так что ошибка в одном
# упражнении не отнимет баллы за другое. Обучение проверяется **детерминированно**: проверка
# задаёт начальные веса и порядок пакетов, и верный цикл воспроизводит веса эталона до последних
# знаков. Входные массивы не меняйте на месте — создавайте новые.

# %%
import copy

import numpy as np
import matplotlib.pyplot as plt

from bpcourse import checks, nn
from bpcourse.grading import is_grading

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Алгоритм обучения
#
# Слайд «Алгоритм обратного распространения ошибки» «Лекции 2»:
#
# 1. инициализация весов;
# 2. цикл по эпохам, в нём цикл по батчам (мини-пакетам): прямой проход, ошибка по батчу,
#    обратный проход, **обновление весов** $w(n+1) = w(n) - \eta\, \partial E/\partial w$;
# 3. **критерии останова**: $\|\nabla E\| < \varepsilon$ («в точке минимума градиент близок к
#    нулю») или $|E(n+1) - E(n)| < \varepsilon$ («ошибка перестаёт изменяться»).
#
# Тот же слайд переводит цикл на PyTorch: `outputs = model(images)`, `loss = loss_fn(outputs,
# labels)`, `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`. Объекты курса устроены
# так же: у модели `forward`/`backward` и `parameters()` (у каждого параметра `.data` и `.grad`),
# у потерь `forward(Y, T)` и `backward()`, у оптимизатора `zero_grad()` и `step()`.
#
# ## 2. Оптимизатор SGD
#
# Оптимизатор хранит список параметров и скорость обучения. `step()` сдвигает каждый параметр
# **против** его градиента: $p \leftarrow p - \alpha \cdot \nabla_p E$. `zero_grad()` обнуляет
# градиенты. Зачем отдельный метод? В ноутбуке 07 `backward` **добавляет** вклад в `p.grad`
# (`+=`): так параметр, использованный несколько раз, получает сумму вкладов. Но значит, без
# обнуления градиент следующего пакета сложится с градиентами всех прошлых.
#
# Каждый метод — отдельное упражнение: ячейка определяет функцию и делает её методом класса
# (`SGD.step = sgd_step`), как в ноутбуке 07. Класс с конструктором готов.

# %%
class SGD:
    """Stochastic gradient descent over parameters with .data and .grad (arrays of one shape)."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        raise NotImplementedError

    def zero_grad(self):
        raise NotImplementedError


# %% [markdown]
# ### Упражнение 1. `SGD.step`
#
# Сдвиньте каждый параметр из `self.params` на $-\alpha \cdot$ `p.grad` (в `p.data`; можно на
# месте, `-=`, можно присвоить новый массив). Градиенты не трогайте.

# %% nbgrader={"solution": true}
def sgd_step(self):
    """p.data <- p.data - lr * p.grad for every parameter; p.grad is left as it is."""
    ### BEGIN SOLUTION
    for p in self.params:
        p.data -= self.lr * p.grad
    ### END SOLUTION


SGD.step = sgd_step

# %% nbgrader={"grade": true, "points": 1}
"""Проверка SGD.step: W формы (2, 2) и b формы (2,) с ненулевыми градиентами, lr = 0.1."""
# входы и ожидаемые значения этой проверки покажет checks.check_sgd_step??
checks.check_sgd_step(SGD)

# %% [markdown]
# ### Упражнение 2. `SGD.zero_grad`
#
# Обнулите градиент каждого параметра. Форма `p.grad` должна остаться формой `p.data`; сами
# параметры не меняйте.

# %% nbgrader={"solution": true}
def sgd_zero_grad(self):
    """p.grad <- zeros of the shape of p.data, for every parameter; p.data is left as it is."""
    ### BEGIN SOLUTION
    for p in self.params:
        p.grad[...] = 0.0
    ### END SOLUTION


SGD.zero_grad = sgd_zero_grad

# %% nbgrader={"grade": true, "points": 1}
"""Проверка SGD.zero_grad: градиенты W и b стали нулями той же формы, параметры не изменились."""
# входы и ожидаемые значения этой проверки покажет checks.check_sgd_zero_grad??
checks.check_sgd_zero_grad(SGD)

# %% [markdown]
# ## 3. Мини-пакеты
#
# «3Blue1Brown», раздел «Стохастический градиентный спуск»: «случайным образом перемешайте ваши
# обучающие данные и разделите их на несколько мини-пакетов» — и делайте шаг по каждому. Шаг по
# мини-пакету неточен (это оценка градиента по части данных), зато в $M / \text{batch}$ раз дешевле,
# и за эпоху каждый пример влияет на веса ровно один раз.
#
# Случайность берём из генератора `rng` (`np.random.default_rng(seed)`), который передают
# функции, — тогда обучение воспроизводимо по одному числу `seed`.
#
# ### Упражнение 3. `batch_order`
#
# Верните список мини-пакетов одной эпохи: массивы индексов примеров. Вызовите
# `rng.permutation(M)` **ровно один раз** и режьте перестановку подряд на куски по
# `batch_size`; последний кусок — остаток (он может быть короче). Проверка сравнивает ваши пакеты
# с пакетами из того же генератора, поэтому другие способы перемешать (другие вызовы `rng`) дадут
# другой, хотя и случайный, порядок.

# %% nbgrader={"solution": true}
def batch_order(rng, M, batch_size):
    """The mini-batches of one epoch.

    Parameters
    ----------
    rng : numpy Generator
    M : int, number of examples
    batch_size : int

    Returns
    -------
    list of int ndarrays : ceil(M / batch_size) batches of indices, together a permutation of 0 … M−1
    """
    ### BEGIN SOLUTION
    order = rng.permutation(M)
    return [order[start:start + batch_size] for start in range(0, M, batch_size)]
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка batch_order: генератор с семенем 2026, M = 7, batch_size = 3."""
# входы и ожидаемые значения этой проверки покажет checks.check_batch_order??
checks.check_batch_order(batch_order)

# %% [markdown]
# ## 4. Одна эпоха
#
# ### Упражнение 4. `train_epoch`
#
# Для каждого пакета индексов `idx` из `batches`, по порядку: обнулите градиенты
# (`opt.zero_grad()`), посчитайте потери выхода модели на `X[idx]` против `T[idx]`
# (`loss_fn.forward(model.forward(...), ...)`), проведите градиент назад
# (`model.backward(loss_fn.backward())`) и сделайте шаг (`opt.step()`). Верните список потерь
# пакетов — тех, по которым считался градиент, то есть до шага.
#
# Порядок важен: шаг — после обратного прохода, обнуление — до него. На $M$ ничего не делите:
# `loss_fn.backward()` уже несёт $1/M$ усреднённых потерь.

# %% nbgrader={"solution": true}
def train_epoch(model, loss_fn, opt, X, T, batches):
    """One epoch of mini-batch SGD over the given batches, in their order.

    Parameters
    ----------
    model : forward(X) -> Y and backward(dY); loss_fn : forward(Y, T) -> float and backward() -> dY
    opt : zero_grad() and step() over the model's parameters
    X : ndarray of shape (M, n_in); T : ndarray of shape (M, K)
    batches : list of int ndarrays of indices

    Returns
    -------
    list of float : the loss of each batch, before its step
    """
    ### BEGIN SOLUTION
    losses = []
    for idx in batches:
        opt.zero_grad()
        loss = loss_fn.forward(model.forward(X[idx]), T[idx])
        model.backward(loss_fn.backward())
        opt.step()
        losses.append(float(loss))
    return losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 2}
"""Проверка train_epoch: сеть 2-3-1 (tanh) из bpcourse.nn, 5 примеров, пакеты [3, 0], [4, 1], [2], lr = 0.5."""
# входы и ожидаемые значения этой проверки покажет checks.check_train_epoch??
checks.check_train_epoch(train_epoch)

# %% [markdown]
# ## 5. Когда остановиться
#
# Градиент по всем параметрам сети — один длинный вектор из всех чисел всех `p.grad`; его длина
# $\|\nabla E\| = \sqrt{\sum_p \sum_i (\nabla_p E)_i^2}$. Вблизи минимума она мала.
#
# ### Упражнение 5. `grad_norm`

# %% nbgrader={"solution": true}
def grad_norm(grads):
    """‖∇E‖: the Euclidean norm of all gradients together.

    Parameters
    ----------
    grads : list of ndarrays of any shapes

    Returns
    -------
    float
    """
    ### BEGIN SOLUTION
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка grad_norm: градиенты [[1, −2], [2, 0]] и [4, 12]."""
# входы и ожидаемые значения этой проверки покажет checks.check_grad_norm??
checks.check_grad_norm(grad_norm)

# %% [markdown]
# ### Упражнение 6. `should_stop`
#
# После каждой эпохи: остановиться, если $\|\nabla E\| <$ `eps_grad` **или** изменение потерь за
# последнюю эпоху $|E(n+1) - E(n)| <$ `eps_loss` (по двум последним значениям `losses`). После
# первой эпохи изменения ещё нет. Сравнения строгие. `losses` — список или массив потерь по
# эпохам; верните `True` или `False`.

# %% nbgrader={"solution": true}
def should_stop(losses, norm, eps_grad, eps_loss):
    """The stopping test after an epoch.

    Parameters
    ----------
    losses : list or 1-D ndarray of float, the loss after each epoch so far
    norm : float, ‖∇E‖ after the last epoch
    eps_grad, eps_loss : float

    Returns
    -------
    bool
    """
    ### BEGIN SOLUTION
    if norm < eps_grad:
        return True
    return len(losses) >= 2 and abs(losses[-1] - losses[-2]) < eps_loss
    ### END SOLUTION


# %% nbgrader={"grade": true, "points": 1}
"""Проверка should_stop: 11 ситуаций — каждый критерий, рост и падение потерь, одна и две эпохи, равенство ε."""
# входы и ожидаемые значения этой проверки покажет checks.check_should_stop??
checks.check_should_stop(should_stop)

# %% [markdown]
# ## 6. Всё вместе: цикл обучения
#
# Эта ячейка не оценивается: она собирает ваши `SGD`, `batch_order`, `train_epoch`, `grad_norm`
# и `should_stop` в цикл из слайда лекции. Полный градиент $\nabla E$ по всем данным для критерия
# останова получим хитростью, которая работает с любым верным `train_epoch`: сделаем **шаг
# полного градиентного спуска** на копии модели — сдвиг весов при $\alpha = 1$ и есть $-\nabla E$.
# (Шаг делаем по кускам данных, каждый на свежей копии с $\alpha = m_{\text{куска}}/M$, и сдвиги
# складываем: градиент средних потерь — взвешенная сумма градиентов кусков. Так быстрее, чем
# одним пакетом из всех примеров.)

# %%
def full_gradient_norm(model, X, T, chunk=200):
    """‖∇E‖ over all the data: a full-batch step with lr = 1 moves the weights by −∇E (summed by chunks)."""
    total = None
    for start in range(0, len(X), chunk):
        idx = np.arange(start, min(start + chunk, len(X)))
        trial = copy.deepcopy(model)
        before = [p.data.copy() for p in trial.parameters()]
        train_epoch(trial, nn.MSELoss(), nn.SGD(trial.parameters(), len(idx) / len(X)), X, T, [idx])
        moves = [b - p.data for b, p in zip(before, trial.parameters())]
        total = moves if total is None else [t + m for t, m in zip(total, moves)]
    return grad_norm(total)


def fit(model, X, T, *, lr, batch_size, epochs, seed=0, eps_grad=0.0, eps_loss=0.0):
    """Mini-batch SGD with your functions; the loss and ‖∇E‖ over all the data after each epoch."""
    rng = np.random.default_rng(seed)
    opt, loss_fn = SGD(model.parameters(), lr), nn.MSELoss()
    history = {"loss": [], "grad_norm": [], "stopped": f"все {epochs} эпох"}
    for epoch in range(epochs):
        train_epoch(model, loss_fn, opt, X, T, batch_order(rng, len(X), batch_size))
        history["loss"].append(loss_fn.forward(model.forward(X), T))
        history["grad_norm"].append(full_gradient_norm(model, X, T))
        if should_stop(history["loss"], history["grad_norm"][-1], eps_grad, eps_loss):
            history["stopped"] = f"критерий останова после эпохи {epoch + 1}"
            break
    return history


# %% [markdown]
# ## 7. Цифры 8×8 и сеть 64-16-16-10
#
# «3Blue1Brown» учит сеть 784-16-16-10 на цифрах MNIST 28×28. В scikit-learn есть набор
# поменьше — 1797 цифр 8×8 (64 пикселя, ничего не скачивается), и на нём сеть **64-16-16-10**
# в том же духе учится за секунды. Цель — one-hot вектор из 10 чисел, потери — та же MSE, что в
# лекции; ответ сети — номер наибольшего из 10 выходов. (В ноутбуке 09 для классификации появятся
# softmax и кросс-энтропия.) Слои — из `bpcourse.nn`, оптимизатор и цикл — ваши.

# %%
from sklearn.datasets import load_digits

digits_X, digits_y = load_digits(return_X_y=True)
digits_X = digits_X / 16.0                      # pixels in [0, 1]
digits_T = np.eye(10)[digits_y]                 # one-hot targets
split = np.random.default_rng(0).permutation(len(digits_y))
train_idx, test_idx = split[:1400], split[1400:]


def digits_network(seed=0):
    """64 -> 16 -> 16 -> 10 with tanh, PyTorch-style initial weights."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(64, 16, rng=rng), nn.Tanh(), nn.Linear(16, 16, rng=rng), nn.Tanh(),
                         nn.Linear(16, 10, rng=rng))


digits_model, predicted = digits_network(), None
try:
    if is_grading():                            # the grader needs no picture: skip the seconds of training
        raise RuntimeError("(при оценивании сеть не обучается)")
    history = fit(digits_model, digits_X[train_idx], digits_T[train_idx], lr=0.5, batch_size=16, epochs=12,
                  eps_loss=1e-4)
    predicted = np.argmax(digits_model.forward(digits_X[test_idx]), axis=1)
    accuracy = np.mean(predicted == digits_y[test_idx])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    axes[0].plot(range(1, len(history["loss"]) + 1), history["loss"], "o-")
    axes[0].set(xlabel="эпоха", ylabel="E (все обучающие данные)", title="потери")
    axes[1].semilogy(range(1, len(history["grad_norm"]) + 1), history["grad_norm"], "o-", color="C1")
    axes[1].set(xlabel="эпоха", ylabel="‖∇E‖", title="норма полного градиента")
    fig.tight_layout()
    plt.show()
    print(f"остановка: {history['stopped']}; точность на {len(test_idx)} тестовых цифрах: {accuracy:.1%}")
except NotImplementedError:
    print("Сначала решите упражнения 1–6 — тогда сеть обучится здесь.")
except RuntimeError as e:
    print(e)

# %% [markdown]
# Кривая потерь SGD не монотонна: каждый шаг идёт по градиенту своего мини-пакета, а не всех
# данных, — и $\|\nabla E\|$ от эпохи к эпохе тоже скачет. С $\varepsilon = 10^{-4}$ критерий
# $|\Delta E| < \varepsilon$ за 12 эпох не срабатывает. Попробуйте `eps_loss=1e-2`: на шумной
# кривой две соседние эпохи могут случайно дать почти равные потери, и обучение остановится
# раньше, чем сеть доучится, — поэтому на практике сравнивают потери за несколько эпох или
# следят за потерями на отложенных данных.
#
# Где сеть ошибается? Вот тестовые цифры, которые она распознала неверно: «ответ сети / верная
# цифра». Часть из них трудно прочесть и человеку.

# %%
if predicted is not None:
    wrong = np.flatnonzero(predicted != digits_y[test_idx])[:12]
    fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(1.1 * max(len(wrong), 1), 1.6), squeeze=False)
    for ax, k in zip(axes[0], wrong):
        ax.imshow(digits_X[test_idx][k].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"{predicted[k]} / {digits_y[test_idx][k]}", fontsize=9)
    for ax in axes[0]:
        ax.axis("off")
    plt.show()
    print(f"ошибок: {int(np.sum(predicted != digits_y[test_idx]))} из {len(test_idx)}")

# %% [markdown]
# ## 8. SGD и полный градиентный спуск на поверхности потерь
#
# Пьяный, который быстро сбегает с холма, и осторожный путник, который делает медленные
# обдуманные шаги, — так «3Blue1Brown» сравнивает стохастический спуск с полным. Посмотрим на
# это буквально. У модели $y = w x + b$ всего два параметра, поэтому поверхность потерь
# $E(w, b)$ можно нарисовать линиями уровня. Полный спуск (один пакет из всех $M = 40$ примеров
# на шаг) идёт по нормали к линиям уровня; SGD с пакетами по 4 примера делает 10 шагов за эпоху,
# каждый по градиенту своего пакета, — и петляет, но за то же число эпох уходит дальше.

# %%
rng = np.random.default_rng(1)
line_X = rng.uniform(-1.0, 1.0, size=(40, 1))
line_T = 1.5 * line_X - 0.5 + 0.3 * rng.normal(size=(40, 1))
start = (np.array([[-1.5]]), np.array([2.0]))


def descent_path(batch_size, epochs, lr=0.3, seed=0):
    """(w, b) after every step of your train_epoch, one batch at a time, from the same start."""
    model = nn.Linear(1, 1)
    model.W.data, model.b.data = start[0].copy(), start[1].copy()
    opt, loss_fn, order_rng = SGD(model.parameters(), lr), nn.MSELoss(), np.random.default_rng(seed)
    path = [(model.W.data[0, 0], model.b.data[0])]
    for _ in range(epochs):
        for idx in batch_order(order_rng, len(line_X), batch_size):
            train_epoch(model, loss_fn, opt, line_X, line_T, [idx])
            path.append((model.W.data[0, 0], model.b.data[0]))
    return np.array(path)


w_grid, b_grid = np.meshgrid(np.linspace(-2.0, 3.0, 120), np.linspace(-1.5, 2.5, 120))
residual = w_grid[..., None] * line_X[:, 0] + b_grid[..., None] - line_T[:, 0]
surface = 0.5 * np.mean(residual ** 2, axis=-1)         # E(w, b): mean over the 40 examples
try:
    paths = {"полный спуск, пакет 40": descent_path(40, 8), "SGD, пакеты по 4": descent_path(4, 8)}
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.contour(w_grid, b_grid, surface, levels=np.geomspace(surface.min() + 1e-3, surface.max(), 18),
               cmap="viridis", linewidths=0.8)
    for (name, path), color in zip(paths.items(), ("C3", "C0")):
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1, color=color, label=f"{name} ({len(path) - 1} шагов)")
    ax.plot(start[0][0, 0], start[1][0], "k*", ms=10, label="старт")
    ax.set(xlabel="w", ylabel="b", title="8 эпох на поверхности потерь E(w, b)")
    ax.legend(fontsize=8)
    plt.show()
    for name, path in paths.items():
        w, b = path[-1]
        print(f"{name:24s} → w = {w:+.3f}, b = {b:+.3f}")
except NotImplementedError:
    print("Сначала решите упражнения 1–4 — тогда здесь появятся оба пути.")

# %% [markdown]
# ## 9. Тренировочная площадка
#
# Слайд «Демо: нейросети в TensorFlow Playground» (MML) предлагает поиграть с сетью в браузере.
# Здесь такая же площадка прямо в ноутбуке: набор данных (круги, XOR, спирали, полумесяцы), шум,
# скрытые слои (например, `16, 16`), активация, скорость обучения, размер пакета. «▶ пуск»
# обучает сеть мини-пакетным SGD на квадратичной ошибке, и граница решений перерисовывается
# на ходу вместе с кривыми потерь на обучающих и тестовых точках.
#
# Что попробовать: (1) XOR без скрытых слоёв (пустое поле) и с одним слоем из 4 нейронов;
# (2) спирали с сигмоидой и с tanh при одинаковой скорости обучения; (3) скорость 3 или 10 —
# что происходит с кривой потерь? (4) размер пакета 1 против 100 при одной скорости.

# %%
from bpcourse.playground import Playground

display(Playground())

# %% [markdown]
# По умолчанию площадка считает на слоях `bpcourse.nn`. Ей можно дать **свои** слои — например,
# `Linear`, `Sigmoid`, `ReLU` и `MSELoss` из ноутбука 07 (скопируйте их ячейки сюда): функция
# `model(sizes, activation, rng)` получает размеры `(2, …, 1)`, имя активации и генератор и
# возвращает список слоёв; последний слой — сигмоида (выход читается как вероятность класса 1).
#
# ```python
# def my_model(sizes, activation, rng):
#     layers = []
#     for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
#         layers.append(Linear(rng.uniform(-1, 1, (n_in, n_out)) / np.sqrt(n_in), np.zeros(n_out)))
#         layers.append(ReLU() if k < len(sizes) - 2 and activation == "relu" else Sigmoid())
#     return layers
#
# display(Playground(model=my_model, loss=MSELoss(), activation="relu"))
# ```

# %% [markdown]
# ## Что дальше
#
# * Ноутбук 09: softmax и кросс-энтропия — потери для классификации, с которыми сеть на цифрах
#   учится быстрее и точнее, чем на MSE.
# * Уменьшайте скорость обучения по ходу обучения (например, $\alpha_n = \alpha_0 / (1 + n/10)$)
#   и сравните путь SGD на поверхности потерь из раздела 8.
# * SGD с моментом (PyTorch `torch.optim.SGD(momentum=0.9)`): шаг — скользящее среднее
#   градиентов. Добавьте его в свой `SGD` и посмотрите, как меняется путь на той же картинке.
